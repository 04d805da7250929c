//! npm at work on a Node project: a first `npm install` with deprecation
//! warnings and npm's progress gauge through the idealTree and reify
//! stages, then `npm install <pkg>`, `npm uninstall`, `npm update`,
//! `npm audit fix` and `npm ls` until the session is over. The "added N
//! packages, and audited N+1", funding and vulnerability numbers all come
//! from one model of `node_modules` (see [`report`]).

mod report;

use std::time::Duration;

use plugin_api::kit::{self, SPINNER};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use report::{Changes, Severity, Vulns};

const PACKAGES: &str = include_str!("../data/packages.txt");
const DEPRECATED: &str = include_str!("../data/deprecated.txt");
const PROJECTS: &str = include_str!("../data/projects.txt");

/// Cells inside the gauge's parentheses.
const GAUGE_CELLS: usize = 18;
/// How often the gauge is redrawn.
const FRAME_MS: u64 = 110;

const DIM: Style = Style::plain().dim();

/// One npm session on one project.
pub struct Npm {
    rng: StdRng,
    session: Duration,
    project: &'static str,
    project_version: &'static str,
    /// npm 9 shouts `WARN`; npm 10 says `warn`.
    npm9: bool,
    packages: Vec<(&'static str, &'static str)>,
    /// Top-level dependencies in package.json.
    deps: Vec<(&'static str, &'static str)>,
    /// Packages in node_modules (the root not included).
    tree: usize,
    funding: usize,
    vulns: Vulns,
    /// The part of `vulns` that only `npm audit fix --force` would fix.
    breaking: Vulns,
    runs: u32,
}

impl Module for Npm {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // A session of 20 s to 5 min; commands follow each other until it is over.
        let session = kit::random::session_length(&mut rng, 25..50, 50..150, 150..200);
        let (project, project_version) = kit::data_lines(PROJECTS)
            .choose(&mut rng)
            .and_then(|l| l.split_once(' '))
            .unwrap_or(("my-app", "1.0.0"));
        Ok(Npm {
            npm9: rng.random_bool(0.35),
            rng,
            session,
            project,
            project_version,
            packages: kit::data_lines(PACKAGES)
                .into_iter()
                .filter_map(|l| l.split_once(' '))
                .collect(),
            deps: Vec::new(),
            tree: 0,
            funding: 0,
            vulns: Vulns::default(),
            breaking: Vulns::default(),
            runs: 0,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        loop {
            self.one_command(host)?;
            self.runs += 1;
            if host.clock() >= self.session {
                return Ok(());
            }
            host.sleep_ms(self.rng.random_range(1500..5000))?;
        }
    }
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Low => Style::plain().bold(),
        Severity::Moderate => Style::fg(Color::Yellow).bold(),
        Severity::High => Style::fg(Color::Red).bold(),
        Severity::Critical => Style::fg(Color::Magenta).bold(),
    }
}

/// The tarball URL npm fetches for a package.
fn tarball(name: &str, version: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    format!("https://registry.npmjs.org/{name}/-/{base}-{version}.tgz")
}

impl Npm {
    fn one_command(&mut self, host: &Host) -> RunResult {
        if self.runs == 0 {
            return self.fresh_install(host);
        }
        match self.rng.random_range(0..12) {
            0..=4 => self.install_one(host),
            5..=6 if self.deps.len() > 3 => self.uninstall(host),
            7..=8 if self.vulns.total() > self.breaking.total() => self.audit_fix(host),
            9 => self.ls(host),
            _ => self.update(host),
        }
    }

    fn prompt(&self, host: &Host, command: &str) {
        let prompt = format!("~/src/{} $ ", self.project);
        kit::println_spans(
            host,
            &[
                (&prompt, Style::fg(Color::Blue)),
                (command, Style::plain().bold()),
            ],
        );
    }

    /// `npm install` in a fresh checkout: the whole tree.
    fn fresh_install(&mut self, host: &Host) -> RunResult {
        let start = host.clock();
        let command = if self.rng.random_bool(0.2) {
            "npm ci"
        } else {
            "npm install"
        };
        self.prompt(host, command);
        let want = self.rng.random_range(8..30);
        let mut names = self.packages.clone();
        names.shuffle(&mut self.rng);
        for p in names {
            if self.deps.len() >= want {
                break;
            }
            if !self.deps.iter().any(|d| d.0 == p.0) {
                self.deps.push(p);
            }
        }
        self.deps.sort();

        let added = self.rng.random_range(150..1800);
        let total_ms = (added as u64 * self.rng.random_range(15..45)).clamp(12_000, 80_000);
        let warnings = self.pick_deprecations(added);
        self.progress(host, total_ms, &warnings)?;

        self.tree = added;
        self.funding = added * self.rng.random_range(5..20) / 100;
        self.vulns = if self.rng.random_bool(0.35) {
            Vulns::default()
        } else {
            Vulns {
                low: self.rng.random_range(0..4),
                moderate: self.rng.random_range(0..6),
                high: self.rng.random_range(0..4),
                critical: usize::from(self.rng.random_bool(0.2)),
            }
        };
        self.breaking = Vulns {
            high: self.rng.random_range(0..=self.vulns.high),
            critical: self.vulns.critical,
            ..Vulns::default()
        };
        let changes = Changes {
            added,
            ..Changes::default()
        };
        self.report(host, changes, start)
    }

    /// Old transitive dependencies warn as the tree is built; bigger trees
    /// have more of them.
    fn pick_deprecations(&mut self, tree: usize) -> Vec<&'static str> {
        let count = (tree / 120).min(12) + self.rng.random_range(0..3);
        let mut list = kit::data_lines(DEPRECATED);
        list.shuffle(&mut self.rng);
        list.truncate(count);
        list
    }

    /// The gauge through idealTree and reify (on a terminal), with the
    /// deprecation warnings appearing while the tree is built.
    fn progress(&mut self, host: &Host, total_ms: u64, warnings: &[&'static str]) -> RunResult {
        let start = host.clock();
        let tree_ms = total_ms * self.rng.random_range(20..40) / 100;
        let mut pending: Vec<&str> = warnings.to_vec();
        let mut message = String::new();
        let mut frame = 0usize;
        loop {
            let elapsed = (host.clock() - start).as_millis() as u64;
            if elapsed >= total_ms {
                break;
            }
            let building = elapsed < tree_ms;
            // Warnings come out spread over the idealTree stage.
            let due = if building {
                warnings.len() * elapsed as usize / tree_ms.max(1) as usize
            } else {
                warnings.len()
            };
            while warnings.len() - pending.len() < due {
                let warning = pending.remove(0);
                if host.is_terminal() {
                    host.erase_line();
                }
                self.print_deprecation(host, warning);
            }
            if host.is_terminal() {
                if frame.is_multiple_of(self.rng.random_range(1..4)) || message.is_empty() {
                    message = self.stage_message(building, elapsed, tree_ms);
                }
                let fraction = if building {
                    0.4 * elapsed as f64 / tree_ms as f64
                } else {
                    0.4 + 0.6 * (elapsed - tree_ms) as f64 / (total_ms - tree_ms).max(1) as f64
                };
                host.erase_line();
                self.draw_gauge(host, fraction, frame, &message);
            }
            frame += 1;
            host.sleep_ms(FRAME_MS)?;
        }
        for warning in pending {
            self.print_deprecation(host, warning);
        }
        if host.is_terminal() {
            host.erase_line();
        }
        Ok(())
    }

    fn print_deprecation(&self, host: &Host, warning: &str) {
        let (what, why) = warning.split_once(": ").unwrap_or((warning, ""));
        let level = if self.npm9 { "WARN" } else { "warn" };
        let what = format!("{what}: ");
        kit::println_hard_wrapped(
            host,
            &[
                ("npm ", Style::plain()),
                (level, Style::fg(Color::Yellow).bold()),
                (" ", Style::plain()),
                ("deprecated", Style::fg(Color::Magenta)),
                (" ", Style::plain()),
                (&what, Style::plain()),
                (why, Style::plain()),
            ],
        );
    }

    /// The text after the gauge: what the current stage is doing.
    fn stage_message(&mut self, building: bool, elapsed: u64, tree_ms: u64) -> String {
        let (name, version) = *self
            .packages
            .choose(&mut self.rng)
            .unwrap_or(&("lodash", "4.17.21"));
        let (project, pv) = (self.project, self.project_version);
        if building {
            match self.rng.random_range(0..3) {
                0 => format!(
                    "idealTree:{name}: sill placeDep ROOT {name}@{version} OK for: {project}@{pv} want: ^{version}"
                ),
                1 => format!("idealTree:{name}: sill fetch manifest {name}@^{version}"),
                _ => format!("idealTree:{project}: sill idealTree buildDeps"),
            }
        } else if elapsed < tree_ms + 400 {
            format!("idealTree: timing idealTree Completed in {tree_ms}ms")
        } else {
            let ms = self.rng.random_range(40..1400);
            match self.rng.random_range(0..2) {
                0 => format!(
                    "reify:{name}: http fetch GET 200 {} {ms}ms (cache miss)",
                    tarball(name, version)
                ),
                _ => format!(
                    "reify:{name}: timing reifyNode:node_modules/{name} Completed in {ms}ms"
                ),
            }
        }
    }

    /// `(##########⠂⠂⠂⠂⠂⠂⠂⠂) ⠧ idealTree:react: sill placeDep ...`
    fn draw_gauge(&self, host: &Host, fraction: f64, frame: usize, message: &str) {
        let filled = ((fraction.clamp(0.0, 1.0) * GAUGE_CELLS as f64) as usize).min(GAUGE_CELLS);
        let spinner = SPINNER[frame % SPINNER.len()];
        if host.width() < GAUGE_CELLS + 12 {
            // Too narrow for the gauge: the spinner alone.
            host.styled(spinner, Style::fg(Color::Cyan));
            return;
        }
        host.print("(");
        host.print(&"#".repeat(filled));
        host.styled(&"⠂".repeat(GAUGE_CELLS - filled), DIM);
        host.print(") ");
        host.styled(spinner, Style::fg(Color::Cyan));
        host.print(" ");
        let room = host.width().saturating_sub(GAUGE_CELLS + 6);
        let (stage, rest) = message.split_once(": ").unwrap_or((message, ""));
        let stage = kit::fit(&format!("{stage}: "), room);
        host.print(&stage);
        host.styled(
            &kit::fit(rest, room.saturating_sub(kit::width(&stage))),
            DIM,
        );
    }

    /// `npm install <pkg>`: the package and some of its dependencies.
    fn install_one(&mut self, host: &Host) -> RunResult {
        let start = host.clock();
        let candidates: Vec<(&'static str, &'static str)> = self
            .packages
            .iter()
            .copied()
            .filter(|p| !self.deps.iter().any(|d| d.0 == p.0))
            .collect();
        let Some(pkg) = candidates.choose(&mut self.rng).copied() else {
            return self.update(host);
        };
        let dev = if pkg.0.starts_with("@types/")
            || pkg.0.contains("eslint")
            || self.rng.random_bool(0.2)
        {
            " --save-dev"
        } else {
            ""
        };
        self.prompt(host, &format!("npm install {}{dev}", pkg.0));
        self.deps.push(pkg);
        self.deps.sort();
        let added = if self.rng.random_bool(0.4) {
            1
        } else {
            self.rng.random_range(2..60)
        };
        let warnings = if added > 20 && self.rng.random_bool(0.4) {
            self.pick_deprecations(120)
        } else {
            Vec::new()
        };
        let ms = (added as u64 * self.rng.random_range(40..120)).clamp(900, 15_000);
        self.progress(host, ms, &warnings)?;
        self.tree += added;
        self.funding += added * self.rng.random_range(0..25) / 100;
        if added > 10 && self.rng.random_bool(0.2) {
            self.vulns.moderate += 1;
        }
        let changes = Changes {
            added,
            changed: usize::from(self.rng.random_bool(0.2)),
            ..Changes::default()
        };
        self.report(host, changes, start)
    }

    fn uninstall(&mut self, host: &Host) -> RunResult {
        let start = host.clock();
        let index = self.rng.random_range(0..self.deps.len());
        let (name, _) = self.deps.remove(index);
        self.prompt(host, &format!("npm uninstall {name}"));
        let removed = self
            .rng
            .random_range(1..40)
            .min(self.tree.saturating_sub(self.deps.len()).max(1));
        let ms = self.rng.random_range(700..4000);
        self.progress(host, ms, &[])?;
        self.tree -= removed.min(self.tree);
        self.funding = self
            .funding
            .saturating_sub(removed * self.rng.random_range(0..20) / 100)
            .min(self.tree);
        let changes = Changes {
            removed,
            ..Changes::default()
        };
        self.report(host, changes, start)
    }

    fn update(&mut self, host: &Host) -> RunResult {
        let start = host.clock();
        self.prompt(host, "npm update");
        let changed = if self.rng.random_bool(0.25) {
            0
        } else {
            self.rng.random_range(1..40)
        };
        let ms = self.rng.random_range(1500..9000);
        self.progress(host, ms, &[])?;
        let changes = Changes {
            changed,
            added: if changed > 0 {
                self.rng.random_range(0..3)
            } else {
                0
            },
            ..Changes::default()
        };
        self.tree += changes.added;
        self.report(host, changes, start)
    }

    /// `npm audit fix`: everything fixable without breaking changes goes.
    fn audit_fix(&mut self, host: &Host) -> RunResult {
        let start = host.clock();
        self.prompt(host, "npm audit fix");
        let ms = self.rng.random_range(3000..12_000);
        self.progress(host, ms, &[])?;
        let fixed = self.vulns.total() - self.vulns.after_fix(&self.breaking).total();
        let changes = Changes {
            added: self.rng.random_range(0..3),
            removed: self.rng.random_range(0..3).min(self.tree),
            changed: fixed + self.rng.random_range(0..4),
        };
        self.tree = self.tree + changes.added - changes.removed;
        self.vulns = self.vulns.after_fix(&self.breaking);
        self.report(host, changes, start)
    }

    /// `npm ls`: the top-level dependencies, a few with children.
    fn ls(&mut self, host: &Host) -> RunResult {
        self.prompt(host, "npm ls");
        host.sleep_ms(self.rng.random_range(300..1200))?;
        let root = format!(
            "{}@{} /home/dev/src/{}",
            self.project, self.project_version, self.project
        );
        kit::println_spans(host, &[(&root, Style::plain())]);
        let deps = self.deps.clone();
        for (i, (name, version)) in deps.iter().enumerate() {
            let last = i + 1 == deps.len();
            let children = if self.rng.random_bool(0.25) {
                self.rng.random_range(1..4)
            } else {
                0
            };
            let branch = match (last, children > 0) {
                (false, false) => "├── ",
                (false, true) => "├─┬ ",
                (true, false) => "└── ",
                (true, true) => "└─┬ ",
            };
            kit::println_spans(
                host,
                &[
                    (branch, DIM),
                    (&format!("{name}@{version}"), Style::plain()),
                ],
            );
            for c in 0..children {
                let (child, cv) = *self
                    .packages
                    .choose(&mut self.rng)
                    .unwrap_or(&("tslib", "2.8.1"));
                let stem = if last { "  " } else { "│ " };
                let twig = if c + 1 == children {
                    "└── "
                } else {
                    "├── "
                };
                let lead = format!("{stem}{twig}");
                let deduped = if self.rng.random_bool(0.4) {
                    " deduped"
                } else {
                    ""
                };
                let child = format!("{child}@{cv}");
                kit::println_spans(
                    host,
                    &[(&lead, DIM), (&child, Style::plain()), (deduped, DIM)],
                );
            }
            host.sleep_ms(self.rng.random_range(5..30))?;
        }
        host.newline();
        Ok(())
    }

    /// The closing report: outcome, funding and audit.
    fn report(&mut self, host: &Host, changes: Changes, start: Duration) -> RunResult {
        // Auditing is the last thing npm waits for.
        host.sleep_ms(self.rng.random_range(200..1200))?;
        let ms = (host.clock() - start).as_millis() as u64;
        host.newline();
        let outcome = report::outcome_line(changes, self.tree + 1, ms);
        kit::println_hard_wrapped(host, &[(&outcome, Style::plain())]);
        if self.funding > 0 {
            host.newline();
            kit::println_hard_wrapped(
                host,
                &[(&report::funding_line(self.funding), Style::plain())],
            );
            kit::println_hard_wrapped(
                host,
                &[
                    ("  run ", Style::plain()),
                    ("`npm fund`", Style::fg(Color::Cyan).bold()),
                    (" for details", Style::plain()),
                ],
            );
        }
        host.newline();
        self.print_vulnerabilities(host);
        host.newline();
        Ok(())
    }

    fn print_vulnerabilities(&mut self, host: &Host) {
        let summary = self.vulns.summary();
        if self.vulns.total() == 0 {
            kit::println_hard_wrapped(
                host,
                &[
                    ("found ", Style::plain()),
                    ("0", Style::fg(Color::Green).bold()),
                    (" vulnerabilities", Style::plain()),
                ],
            );
            return;
        }
        let parts: Vec<(&str, Style)> = summary
            .iter()
            .map(|(text, severity)| {
                (
                    text.as_str(),
                    severity.map_or(Style::plain(), severity_style),
                )
            })
            .collect();
        kit::println_hard_wrapped(host, &parts);
        let fixable = self.vulns.total() > self.breaking.total();
        if fixable {
            host.newline();
            kit::println_hard_wrapped(
                host,
                &[(
                    "To address issues that do not require attention, run:",
                    Style::plain(),
                )],
            );
            kit::println_hard_wrapped(host, &[("  npm audit fix", Style::plain())]);
        }
        if self.breaking.total() > 0 {
            host.newline();
            kit::println_hard_wrapped(
                host,
                &[(
                    "To address all issues (including breaking changes), run:",
                    Style::plain(),
                )],
            );
            kit::println_hard_wrapped(host, &[("  npm audit fix --force", Style::plain())]);
        }
        host.newline();
        kit::println_hard_wrapped(
            host,
            &[
                ("Run ", Style::plain()),
                ("`npm audit`", Style::plain().bold()),
                (" for details.", Style::plain()),
            ],
        );
    }
}

plugin_api::export_module! {
    module: Npm,
    name: "npm_install",
    version: env!("CARGO_PKG_VERSION"),
    description: "npm installing a node_modules tree: warnings, progress, audit",
    signature: "npm install",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarball_urls() {
        assert_eq!(
            tarball("@babel/core", "7.26.0"),
            "https://registry.npmjs.org/@babel/core/-/core-7.26.0.tgz"
        );
        assert_eq!(
            tarball("lodash", "4.17.21"),
            "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"
        );
    }

    #[test]
    fn data_is_well_formed() {
        assert!(kit::data_lines(PACKAGES).len() > 150);
        for line in kit::data_lines(DEPRECATED) {
            let (what, why) = line.split_once(": ").expect(line);
            assert!(what.contains('@') && !why.is_empty(), "{line}");
        }
    }
}
