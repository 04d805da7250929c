//! Julia's package manager in the Pkg REPL: `add`, `up`, `rm` and `status`
//! on the default environment. Adding and upgrading download packages
//! ("Installed Foo ─── v1.2.3"), print the Project/Manifest diffs with
//! 8-hex UUIDs, then precompile in parallel with ✓ lines and a redrawn
//! progress bar, ending with "N dependencies successfully precompiled in S
//! seconds" where S is the simulated time the precompilation took.

mod pkg;

use std::time::Duration;

use plugin_api::kit::{self, LiveBlock};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use pkg::Job;

const PACKAGES: &str = include_str!("../data/packages.txt");
const STDLIBS: &str = include_str!("../data/stdlibs.txt");
const ARTIFACTS: &str = include_str!("../data/artifacts.txt");

/// Packages whose precompilation takes long (seconds to minutes).
const HEAVY: [&str; 20] = [
    "Makie",
    "CairoMakie",
    "GLMakie",
    "Plots",
    "DifferentialEquations",
    "OrdinaryDiffEq",
    "ModelingToolkit",
    "Flux",
    "CUDA",
    "Symbolics",
    "Turing",
    "JuMP",
    "DataFrames",
    "CSV",
    "Zygote",
    "Enzyme",
    "LinearSolve",
    "NonlinearSolve",
    "Images",
    "MixedModels",
];

/// Julia's precompile spinner.
const SPIN: [&str; 4] = ["◐", "◓", "◑", "◒"];
const TICK_MS: u64 = 100;
const BAR_CELLS: usize = 40;

const ACTION: Style = Style::fg(Color::Green).bold();
const UUID: Style = Style::fg(Color::BrightBlack);

/// A registered package from the data file.
#[derive(Debug, Clone, Copy)]
struct Package {
    name: &'static str,
    uuid: &'static str,
    version: &'static str,
}

/// One entry of the environment's manifest.
#[derive(Debug, Clone)]
struct Entry {
    name: &'static str,
    uuid: &'static str,
    /// `None` for standard libraries in Julia 1.10, which show no version.
    version: Option<String>,
    stdlib: bool,
}

/// One Pkg REPL session.
pub struct Julia {
    rng: StdRng,
    session: Duration,
    /// `1.10` or `1.11`.
    minor: &'static str,
    workers: usize,
    pool: Vec<Package>,
    stdlibs: Vec<(&'static str, &'static str)>,
    artifacts: Vec<&'static str>,
    /// Direct dependencies (Project.toml).
    project: Vec<&'static str>,
    /// Everything resolved (Manifest.toml), sorted by name.
    manifest: Vec<Entry>,
    registry_updated: bool,
    runs: u32,
}

/// A version change for the diff lines.
enum Diff {
    Added(String),
    Upgraded(String, String),
    Removed(String),
}

impl Module for Julia {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // Commands follow each other until 20 to 200 s have passed; the one
        // running then finishes, so a session stays under 5 min.
        let session = kit::random::session_length(&mut rng, 20..50, 50..150, 150..200);
        let pool = kit::data_lines(PACKAGES)
            .into_iter()
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                Some(Package {
                    name: f.next()?,
                    uuid: f.next()?,
                    version: f.next()?,
                })
            })
            .collect();
        let stdlibs = kit::data_lines(STDLIBS)
            .into_iter()
            .filter_map(|l| l.split_once(' '))
            .collect();
        Ok(Julia {
            minor: if rng.random_bool(0.6) { "1.11" } else { "1.10" },
            workers: *[4, 8, 8, 12, 16].choose(&mut rng).unwrap_or(&8),
            rng,
            session,
            pool,
            stdlibs,
            artifacts: kit::data_lines(ARTIFACTS),
            project: Vec::new(),
            manifest: Vec::new(),
            registry_updated: false,
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
            host.newline();
            host.sleep_ms(self.rng.random_range(1500..5000))?;
        }
    }
}

impl Julia {
    fn one_command(&mut self, host: &Host) -> RunResult {
        if self.runs == 0 {
            return self.add(host);
        }
        match self.rng.random_range(0..10) {
            0..=3 => self.add(host),
            4..=5 => self.up(host),
            6 if self.project.len() > 2 => self.rm(host),
            7 => self.status(host),
            _ => self.up(host),
        }
    }

    fn env_path(&self, file: &str) -> String {
        format!("`~/.julia/environments/v{}/{file}`", self.minor)
    }

    fn prompt(&mut self, host: &Host, command: &str) -> RunResult {
        let prompt = format!("(@v{}) pkg> ", self.minor);
        host.styled(
            &kit::fit(&prompt, host.width().saturating_sub(1)),
            Style::fg(Color::Blue).bold(),
        );
        // Typed by hand, a little unevenly.
        for c in kit::fit(command, host.width().saturating_sub(16)).chars() {
            host.print(c.encode_utf8(&mut [0; 4]));
            host.sleep_ms(self.rng.random_range(30..110))?;
        }
        host.newline();
        host.sleep_ms(self.rng.random_range(150..400))?;
        Ok(())
    }

    /// Pkg updates the registry once per Julia session.
    fn update_registry(&mut self, host: &Host) -> RunResult {
        if self.registry_updated {
            return Ok(());
        }
        self.registry_updated = true;
        kit::println_spans(
            host,
            &[
                (&pkg::action("Updating"), ACTION),
                (
                    " registry at `~/.julia/registries/General.toml`",
                    Style::plain(),
                ),
            ],
        );
        host.sleep_ms(self.rng.random_range(800..2500))?;
        Ok(())
    }

    fn resolve(&mut self, host: &Host) -> RunResult {
        kit::println_spans(
            host,
            &[
                (&pkg::action("Resolving"), ACTION),
                (" package versions...", Style::plain()),
            ],
        );
        host.sleep_ms(self.rng.random_range(400..3000))?;
        Ok(())
    }

    fn is_in_manifest(&self, name: &str) -> bool {
        self.manifest.iter().any(|e| e.name == name)
    }

    /// `add A B`: the packages, a share of new dependencies, standard
    /// libraries; download, diff, precompile.
    fn add(&mut self, host: &Host) -> RunResult {
        let candidates: Vec<Package> = self
            .pool
            .iter()
            .copied()
            .filter(|p| !self.project.contains(&p.name))
            .collect();
        let count = self.rng.random_range(1..=3).min(candidates.len());
        if count == 0 {
            return self.up(host);
        }
        let tops: Vec<Package> = candidates.sample(&mut self.rng, count).copied().collect();
        let names: Vec<&str> = tops.iter().map(|p| p.name).collect();
        self.prompt(host, &format!("add {}", names.join(" ")))?;
        self.update_registry(host)?;
        self.resolve(host)?;

        // New dependencies: fewer once the environment already has many.
        let first = self.manifest.is_empty();
        let dep_count = if first {
            self.rng.random_range(25..90)
        } else {
            self.rng.random_range(0..25)
        };
        let mut new: Vec<Package> = tops
            .iter()
            .copied()
            .filter(|p| !self.is_in_manifest(p.name))
            .collect();
        let mut others: Vec<Package> = self
            .pool
            .iter()
            .copied()
            .filter(|p| !self.is_in_manifest(p.name) && !names.contains(&p.name))
            .collect();
        others.shuffle(&mut self.rng);
        new.extend(others.into_iter().take(dep_count));

        // Some dependencies resolve to an older release (compat bounds).
        let mut entries: Vec<Entry> = new
            .iter()
            .map(|p| Entry {
                name: p.name,
                uuid: p.uuid,
                version: Some(if !names.contains(&p.name) && self.rng.random_bool(0.25) {
                    pkg::older_version(p.version, self.rng.random_range(0..9))
                } else {
                    p.version.to_owned()
                }),
                stdlib: false,
            })
            .collect();
        self.install(host, &entries)?;

        let std_count = if first {
            self.rng.random_range(6..18)
        } else {
            self.rng.random_range(0..3)
        };
        let stdlibs: Vec<(&str, &str)> = self
            .stdlibs
            .iter()
            .copied()
            .filter(|(n, _)| !self.is_in_manifest(n))
            .collect();
        for (name, uuid) in stdlibs.sample(&mut self.rng, std_count.min(stdlibs.len())) {
            entries.push(Entry {
                name,
                uuid,
                version: (self.minor == "1.11").then(|| "1.11.0".to_owned()),
                stdlib: true,
            });
        }

        // Project.toml gets the requested packages, Manifest.toml everything.
        let mut project_diff: Vec<(&Entry, Diff)> = Vec::new();
        let mut manifest_diff: Vec<(&Entry, Diff)> = Vec::new();
        for e in &entries {
            let v = e.version.clone().unwrap_or_default();
            if names.contains(&e.name) {
                project_diff.push((e, Diff::Added(v.clone())));
            }
            manifest_diff.push((e, Diff::Added(v)));
        }
        // A requested package already in the manifest only joins the project.
        let moved: Vec<Entry> = self
            .manifest
            .iter()
            .filter(|e| names.contains(&e.name))
            .cloned()
            .collect();
        for e in &moved {
            project_diff.push((e, Diff::Added(e.version.clone().unwrap_or_default())));
        }
        self.print_diff(host, "Project.toml", &mut project_diff)?;
        self.print_diff(host, "Manifest.toml", &mut manifest_diff)?;

        let already = self.manifest.iter().filter(|e| !e.stdlib).count();
        self.manifest.extend(entries.iter().cloned());
        self.manifest.sort_by_key(|e| e.name);
        self.project.extend(names);
        let to_build: Vec<&'static str> = entries
            .iter()
            .filter(|e| !e.stdlib)
            .map(|e| e.name)
            .collect();
        self.precompile(host, &to_build, already)
    }

    /// `up`: packages held back earlier move to their newest release.
    fn up(&mut self, host: &Host) -> RunResult {
        self.prompt(host, "up")?;
        self.update_registry(host)?;
        self.resolve(host)?;
        let upgrades: Vec<(Entry, String)> = self
            .manifest
            .iter()
            .filter_map(|e| {
                let latest = self.pool.iter().find(|p| p.name == e.name)?;
                let current = e.version.as_deref()?;
                (latest.version != current && !e.stdlib)
                    .then(|| (e.clone(), latest.version.to_owned()))
            })
            .collect();
        let fresh: Vec<Entry> = upgrades
            .iter()
            .map(|(e, to)| Entry {
                version: Some(to.clone()),
                ..e.clone()
            })
            .collect();
        self.install(host, &fresh)?;
        let mut project_diff: Vec<(&Entry, Diff)> = Vec::new();
        let mut manifest_diff: Vec<(&Entry, Diff)> = Vec::new();
        for (e, to) in &upgrades {
            let from = e.version.clone().unwrap_or_default();
            if self.project.contains(&e.name) {
                project_diff.push((e, Diff::Upgraded(from.clone(), to.clone())));
            }
            manifest_diff.push((e, Diff::Upgraded(from, to.clone())));
        }
        self.print_diff(host, "Project.toml", &mut project_diff)?;
        self.print_diff(host, "Manifest.toml", &mut manifest_diff)?;
        for (e, to) in &upgrades {
            if let Some(m) = self.manifest.iter_mut().find(|m| m.name == e.name) {
                m.version = Some(to.clone());
            }
        }
        if upgrades.is_empty() {
            return Ok(());
        }
        // Upgraded packages and some of the packages that depend on them.
        let mut to_build: Vec<&'static str> = upgrades.iter().map(|(e, _)| e.name).collect();
        let dependents: Vec<&'static str> = self
            .manifest
            .iter()
            .filter(|e| !e.stdlib && !to_build.contains(&e.name))
            .map(|e| e.name)
            .collect();
        let extra = self.rng.random_range(0..=dependents.len().min(20));
        to_build.extend(dependents.sample(&mut self.rng, extra));
        let already = self.manifest.iter().filter(|e| !e.stdlib).count() - to_build.len();
        self.precompile(host, &to_build, already)
    }

    /// `rm Foo`: the package leaves the project (and the manifest, with any
    /// dependency nothing else needed).
    fn rm(&mut self, host: &Host) -> RunResult {
        let Some(&name) = self.project.choose(&mut self.rng) else {
            return self.status(host);
        };
        self.prompt(host, &format!("rm {name}"))?;
        self.project.retain(|p| *p != name);
        let mut gone: Vec<Entry> = self
            .manifest
            .iter()
            .filter(|e| e.name == name)
            .cloned()
            .collect();
        let orphans: Vec<Entry> = self
            .manifest
            .iter()
            .filter(|e| !e.stdlib && e.name != name && !self.project.contains(&e.name))
            .cloned()
            .collect();
        let n = self.rng.random_range(0..=orphans.len().min(6));
        gone.extend(orphans.sample(&mut self.rng, n).cloned());
        let mut project_diff: Vec<(&Entry, Diff)> = gone
            .iter()
            .filter(|e| e.name == name)
            .map(|e| (e, Diff::Removed(e.version.clone().unwrap_or_default())))
            .collect();
        let mut manifest_diff: Vec<(&Entry, Diff)> = gone
            .iter()
            .map(|e| (e, Diff::Removed(e.version.clone().unwrap_or_default())))
            .collect();
        self.print_diff(host, "Project.toml", &mut project_diff)?;
        self.print_diff(host, "Manifest.toml", &mut manifest_diff)?;
        self.manifest
            .retain(|e| !gone.iter().any(|g| g.name == e.name));
        Ok(())
    }

    /// `status`: the direct dependencies, ⌃ where a newer release exists.
    fn status(&mut self, host: &Host) -> RunResult {
        self.prompt(host, "status")?;
        kit::println_spans(
            host,
            &[
                ("Status ", ACTION),
                (
                    &self.env_path("Project.toml"),
                    Style::fg(Color::BrightBlack),
                ),
            ],
        );
        let mut marked = false;
        let mut direct: Vec<&Entry> = self
            .manifest
            .iter()
            .filter(|e| self.project.contains(&e.name))
            .collect();
        direct.sort_by_key(|e| e.name);
        for e in direct {
            let outdated = self
                .pool
                .iter()
                .any(|p| p.name == e.name && Some(p.version) != e.version.as_deref());
            marked |= outdated;
            let uuid = format!("  [{}] ", e.uuid);
            let text = format!("{} v{}", e.name, e.version.clone().unwrap_or_default());
            kit::println_spans(
                host,
                &[
                    (&uuid, UUID),
                    (&text, Style::plain()),
                    (if outdated { " ⌃" } else { "" }, Style::fg(Color::Green)),
                ],
            );
            host.sleep_ms(self.rng.random_range(5..25))?;
        }
        if marked {
            kit::println_spans(
                host,
                &[
                    ("Info", Style::fg(Color::Cyan).bold()),
                    (" Packages marked with ", Style::plain()),
                    ("⌃", Style::fg(Color::Green)),
                    (
                        " have new versions available and may be upgradable.",
                        Style::plain(),
                    ),
                ],
            );
        }
        Ok(())
    }

    /// "Installed Foo ─── v1.2.3" as downloads finish, with the odd artifact.
    fn install(&mut self, host: &Host, entries: &[Entry]) -> RunResult {
        let longest = entries
            .iter()
            .map(|e| e.name.chars().count())
            .max()
            .unwrap_or(0);
        let mut order: Vec<&Entry> = entries.iter().collect();
        order.shuffle(&mut self.rng);
        for e in order {
            let heavy = HEAVY.contains(&e.name);
            host.sleep_ms(if heavy {
                self.rng.random_range(300..1500)
            } else {
                self.rng.random_range(40..400)
            })?;
            let text = format!(
                " {}",
                pkg::installed_text(e.name, e.version.as_deref().unwrap_or("0.1.0"), longest)
            );
            kit::println_spans(
                host,
                &[(&pkg::action("Installed"), ACTION), (&text, Style::plain())],
            );
            if self.rng.random_bool(0.06) {
                let artifact = self
                    .artifacts
                    .choose(&mut self.rng)
                    .copied()
                    .unwrap_or("OpenBLAS32_jll");
                let name = artifact.trim_end_matches("_jll");
                host.sleep_ms(self.rng.random_range(800..2000))?;
                host.sleep_ms(self.rng.random_range(300..2000))?;
                let text = format!(" artifact: {name}");
                kit::println_spans(
                    host,
                    &[
                        (&pkg::action("Downloaded"), ACTION),
                        (&text, Style::plain()),
                    ],
                );
            }
        }
        Ok(())
    }

    /// "Updating `.../Project.toml`" and the `[uuid] + Foo v1.2.3` lines.
    fn print_diff(&mut self, host: &Host, file: &str, diff: &mut [(&Entry, Diff)]) -> RunResult {
        let path = self.env_path(file);
        if diff.is_empty() {
            kit::println_spans(
                host,
                &[
                    ("  No Changes", ACTION),
                    (" to ", Style::plain()),
                    (&path, Style::plain()),
                ],
            );
            return Ok(());
        }
        kit::println_spans(
            host,
            &[
                (&pkg::action("Updating"), ACTION),
                (" ", Style::plain()),
                (&path, Style::plain()),
            ],
        );
        diff.sort_by_key(|(e, _)| e.name);
        for (i, (e, change)) in diff.iter().enumerate() {
            let uuid = format!("  [{}] ", e.uuid);
            let (sign, color, text) = match change {
                Diff::Added(v) if v.is_empty() => ("+", Color::Green, format!(" {}", e.name)),
                Diff::Added(v) => ("+", Color::Green, format!(" {} v{v}", e.name)),
                Diff::Upgraded(from, to) => {
                    ("↑", Color::Yellow, format!(" {} v{from} ⇒ v{to}", e.name))
                }
                Diff::Removed(v) if v.is_empty() => ("-", Color::Red, format!(" {}", e.name)),
                Diff::Removed(v) => ("-", Color::Red, format!(" {} v{v}", e.name)),
            };
            kit::println_spans(
                host,
                &[
                    (&uuid, UUID),
                    (sign, Style::fg(color)),
                    (&text, Style::plain()),
                ],
            );
            // The diff prints in a quick burst.
            if i % 8 == 7 {
                host.sleep_ms(self.rng.random_range(5..30))?;
            }
        }
        Ok(())
    }

    /// Parallel precompilation with ✓ lines, spinners and a progress bar.
    fn precompile(&mut self, host: &Host, names: &[&'static str], already: usize) -> RunResult {
        if names.is_empty() {
            return Ok(());
        }
        let start = host.clock();
        kit::println_spans(
            host,
            &[("Precompiling", ACTION), (" project...", Style::plain())],
        );
        // Light packages are dependencies of heavy ones: they come first.
        let mut jobs: Vec<Job> = names
            .iter()
            .map(|n| Job {
                name: (*n).to_owned(),
                ms: if HEAVY.contains(n) {
                    self.rng.random_range(6_000..45_000)
                } else if self.rng.random_bool(0.2) {
                    self.rng.random_range(1_500..6_000)
                } else {
                    self.rng.random_range(150..1_500)
                },
            })
            .collect();
        jobs.shuffle(&mut self.rng);
        jobs.sort_by_key(|j| j.ms / 3000);
        let events = pkg::schedule(&jobs, self.workers);
        let errored_index = if jobs.len() > 10 && self.rng.random_bool(0.05) {
            events.last().map(|e| e.2)
        } else {
            None
        };

        let mut shown = 0;
        let mut block = LiveBlock::new();
        let terminal = host.is_terminal();
        let makespan = events.iter().map(|e| e.1).max().unwrap_or(0);
        let mut t = 0;
        let mut tick = 0usize;
        while shown < events.len() {
            t = (t + TICK_MS).min(makespan);
            let finished: Vec<(u64, u64, usize)> = events
                .iter()
                .copied()
                .filter(|e| e.1 <= t)
                .skip(shown)
                .collect();
            if !finished.is_empty() {
                block.print_above(host, |host| {
                    for (_, _, i) in &finished {
                        let (mark, color) = if Some(*i) == errored_index {
                            ("✗", Color::Red)
                        } else {
                            ("✓", Color::Green)
                        };
                        kit::println_spans(
                            host,
                            &[
                                ("  ", Style::plain()),
                                (mark, Style::fg(color)),
                                (" ", Style::plain()),
                                (&jobs[*i].name, Style::plain()),
                            ],
                        );
                    }
                });
            }
            shown += finished.len();
            if terminal && shown < events.len() {
                let running: Vec<&str> = events
                    .iter()
                    .filter(|e| e.0 <= t && e.1 > t)
                    .map(|e| jobs[e.2].name.as_str())
                    .collect();
                block.draw_spans(
                    host,
                    &progress_block(host, shown, events.len(), &running, tick),
                );
            }
            tick += 1;
            host.sleep_ms(TICK_MS)?;
        }
        block.clear(host);
        let seconds = (host.clock() - start).as_secs_f64().round() as u64;
        let errored = usize::from(errored_index.is_some());
        let line = pkg::precompile_summary(events.len() - errored, seconds, already, errored);
        kit::println_hard_wrapped(host, &[(&line, Style::plain())]);
        if errored > 0 {
            let hint = "  To see a full report either run `import Pkg; Pkg.precompile()` or load the package";
            kit::println_hard_wrapped(host, &[(hint, Style::fg(Color::Red))]);
        }
        Ok(())
    }
}

/// The live block under the ✓ lines: the bar, then what is running (as
/// many as the terminal's height allows, at most 16).
fn progress_block(
    host: &Host,
    done: usize,
    total: usize,
    running: &[&str],
    tick: usize,
) -> Vec<Vec<(String, Style)>> {
    let cells = BAR_CELLS.min(host.width().saturating_sub(24)).max(5);
    let mut lines = vec![vec![
        ("  Progress ".to_owned(), Style::fg(Color::Cyan).bold()),
        (pkg::progress_bar(done, total, cells), Style::plain()),
    ]];
    let shown = running
        .len()
        .min(host.height().saturating_sub(4).max(1))
        .min(16);
    for (k, name) in running.iter().take(shown).enumerate() {
        lines.push(vec![
            ("  ".to_owned(), Style::plain()),
            (
                SPIN[(tick + k) % SPIN.len()].to_owned(),
                Style::fg(Color::Cyan),
            ),
            (
                format!(" {}", kit::fit(name, host.width().saturating_sub(6))),
                Style::plain(),
            ),
        ]);
    }
    lines
}

plugin_api::export_module! {
    module: Julia,
    name: "julia",
    version: env!("CARGO_PKG_VERSION"),
    description: "Julia's Pkg adding packages and precompiling the project",
    signature: "julia --project -e 'using Pkg; Pkg.add(...)'",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_well_formed() {
        for line in kit::data_lines(PACKAGES) {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 3, "{line}");
            assert_eq!(f[1].len(), 8, "{line}");
            assert!(f[1].chars().all(|c| c.is_ascii_hexdigit()), "{line}");
        }
        for line in kit::data_lines(STDLIBS) {
            let (_, uuid) = line.split_once(' ').unwrap();
            assert_eq!(uuid.len(), 8);
        }
    }

    #[test]
    fn heavy_packages_exist_in_the_data() {
        let data = kit::data_lines(PACKAGES);
        for name in HEAVY {
            assert!(
                data.iter().any(|l| l.split(' ').next() == Some(name)),
                "{name}"
            );
        }
    }
}
