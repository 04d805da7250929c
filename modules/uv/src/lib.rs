//! Astral's uv managing a Python environment: a first `uv sync` (or `uv venv`
//! plus `uv pip install -r requirements.txt`), then adds, upgrades and
//! removals until the session is over. Resolution, parallel downloads with
//! uv's progress bars for big wheels, and the "Resolved / Prepared /
//! Installed N packages in T" lines, whose counts match the `+`/`-` lines
//! and whose times come from the simulated clock.

mod fmt;

use std::time::Duration;

use plugin_api::kit::{self, LiveBlock, SPINNER};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

use fmt::Change;

const PACKAGES: &str = include_str!("../data/packages.txt");
const PROJECTS: &str = include_str!("../data/projects.txt");

/// Downloads at least this big get a "Downloading" line and a bar.
const LARGE: u64 = 1024 * 1024;
/// One step of the download simulation.
const TICK_MS: u64 = 100;
/// Cells in uv's download bars.
const BAR_CELLS: usize = 30;

const BOLD: Style = Style::plain().bold();
const DIM: Style = Style::plain().dim();

/// A wheel on PyPI, from the data file.
#[derive(Debug, Clone, Copy)]
struct Wheel {
    name: &'static str,
    version: &'static str,
    bytes: u64,
    group: &'static str,
}

/// How the session drives uv.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A `pyproject.toml` project: `uv sync`, `uv add`, `uv remove`.
    Project,
    /// A bare virtual environment: `uv venv`, `uv pip install`.
    Pip,
}

/// One uv session.
pub struct Uv {
    rng: StdRng,
    session: Duration,
    mode: Mode,
    project: &'static str,
    python: (&'static str, &'static str),
    /// Wheels of the groups this project draws from.
    pool: Vec<Wheel>,
    /// What is installed in `.venv`: name and version, kept sorted.
    env: Vec<(&'static str, String)>,
    /// Wheels (name and version) already in uv's cache.
    cache: Vec<(&'static str, String)>,
    /// Packages added by hand this session (the ones that may be removed).
    added: Vec<&'static str>,
    /// Download bandwidth in bytes per second.
    bandwidth: f64,
    runs: u32,
}

impl Module for Uv {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // Commands follow each other until 20 to 200 s have passed; the one
        // running then finishes, so a session stays under 5 min.
        let session = kit::random::session_length(&mut rng, 20..50, 50..150, 150..200);
        let mode = if rng.random_bool(0.6) {
            Mode::Project
        } else {
            Mode::Pip
        };
        const PROFILES: [&[&str]; 5] = [
            &["base", "web", "dev"],
            &["base", "data", "dev"],
            &["base", "ml", "data"],
            &["base", "web", "cloud", "dev"],
            &["base", "ml", "dev"],
        ];
        let groups = PROFILES[rng.random_range(0..PROFILES.len())];
        let pool: Vec<Wheel> = kit::data_lines(PACKAGES)
            .into_iter()
            .filter_map(parse_wheel)
            .filter(|w| groups.contains(&w.group))
            .collect();
        let python = *[
            ("3.12.7", "/usr/bin/python3.12"),
            ("3.12.3", "/usr/bin/python3.12"),
            ("3.11.10", "/usr/local/bin/python3.11"),
            (
                "3.13.0",
                "/home/dev/.local/share/uv/python/cpython-3.13.0-linux-x86_64-gnu/bin/python3.13",
            ),
            ("3.10.12", "/usr/bin/python3.10"),
        ]
        .choose(&mut rng)
        .unwrap_or(&("3.12.7", "/usr/bin/python3.12"));
        // A warm cache holds some of the wheels from earlier projects.
        let warm = rng.random_range(0.0..0.8);
        let cache = pool
            .iter()
            .filter(|_| rng.random_bool(warm))
            .map(|w| (w.name, w.version.to_owned()))
            .collect();
        let bandwidth = rng.random_range(12.0..110.0) * 1024.0 * 1024.0;
        let project = kit::data_lines(PROJECTS)
            .choose(&mut rng)
            .copied()
            .unwrap_or("app");
        Ok(Uv {
            rng,
            session,
            mode,
            project,
            python,
            pool,
            env: Vec::new(),
            cache,
            added: Vec::new(),
            bandwidth,
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

fn parse_wheel(line: &'static str) -> Option<Wheel> {
    let mut f = line.split_whitespace();
    Some(Wheel {
        name: f.next()?,
        version: f.next()?,
        bytes: f.next()?.parse::<u64>().ok()? * 1024,
        group: f.next()?,
    })
}

/// One wheel being fetched.
struct Download {
    name: &'static str,
    version: String,
    total: u64,
    done: u64,
    /// Ticks of connection latency before bytes flow.
    wait: u32,
}

impl Uv {
    fn one_command(&mut self, host: &Host) -> RunResult {
        match (self.mode, self.runs) {
            (Mode::Project, 0) => self.first_sync(host),
            (Mode::Pip, 0) => {
                self.venv(host)?;
                host.newline();
                host.sleep_ms(self.rng.random_range(800..2500))?;
                self.pip_install_requirements(host)
            }
            (Mode::Project, _) => match self.rng.random_range(0..10) {
                0..=4 => self.add(host),
                5..=6 if !self.added.is_empty() => self.remove(host),
                _ => self.upgrade(host),
            },
            (Mode::Pip, _) => match self.rng.random_range(0..10) {
                0..=5 => self.add(host),
                6 if !self.added.is_empty() => self.remove(host),
                _ => self.upgrade(host),
            },
        }
    }

    fn prompt(&self, host: &Host, command: &str) {
        let prompt = format!("~/src/{} $ ", self.project);
        kit::println_spans(host, &[(&prompt, Style::fg(Color::Blue)), (command, BOLD)]);
    }

    fn interpreter_lines(&self, host: &Host) {
        let using = format!("Using CPython {} interpreter at: ", self.python.0);
        kit::println_spans(
            host,
            &[
                (&using, Style::plain()),
                (self.python.1, Style::fg(Color::Cyan)),
            ],
        );
        kit::println_spans(
            host,
            &[
                ("Creating virtual environment at: ", Style::plain()),
                (".venv", Style::fg(Color::Cyan)),
            ],
        );
    }

    fn venv(&mut self, host: &Host) -> RunResult {
        self.prompt(host, "uv venv");
        host.sleep_ms(self.rng.random_range(30..150))?;
        self.interpreter_lines(host);
        host.sleep_ms(self.rng.random_range(20..80))?;
        kit::println_spans(
            host,
            &[
                ("Activate with: ", Style::plain()),
                ("source .venv/bin/activate", Style::fg(Color::Green)),
            ],
        );
        Ok(())
    }

    /// The first `uv sync`: a new venv and the whole lock file installed.
    fn first_sync(&mut self, host: &Host) -> RunResult {
        self.prompt(host, "uv sync");
        host.sleep_ms(self.rng.random_range(100..400))?;
        self.interpreter_lines(host);
        let mut changes = self.initial_changes();
        changes.push(self.project_change(false));
        let resolved = changes.len();
        self.transaction(host, &changes, resolved, (800, 4000), true)
    }

    fn pip_install_requirements(&mut self, host: &Host) -> RunResult {
        self.prompt(host, "uv pip install -r requirements.txt");
        let changes = self.initial_changes();
        let resolved = changes.len();
        self.transaction(host, &changes, resolved, (600, 3500), false)
    }

    /// The first install. The lock file (or requirements.txt) pins some
    /// packages a release or two back, which later upgrades move up.
    fn initial_changes(&mut self) -> Vec<Change> {
        let wheels = self.initial_set();
        wheels
            .iter()
            .map(|w| Change::Added {
                name: w.name.to_owned(),
                version: if self.rng.random_bool(0.3) {
                    fmt::older_version(w.version, self.rng.random_range(0..8))
                } else {
                    w.version.to_owned()
                },
            })
            .collect()
    }

    /// The project's dependencies: everything in the base group that was
    /// drawn, plus a good share of the others.
    fn initial_set(&mut self) -> Vec<Wheel> {
        let share = self.rng.random_range(0.3..0.8);
        let mut set: Vec<Wheel> = self
            .pool
            .iter()
            .copied()
            .filter(|w| !is_torch_dependency(w.name))
            .filter(|w| w.group == "base" || self.rng.random_bool(share))
            .collect();
        // torch needs its CUDA wheels, and they are what makes ML slow.
        if set.iter().any(|w| w.name == "torch") {
            set.extend(self.pool.iter().filter(|w| is_torch_dependency(w.name)));
        }
        set
    }

    /// The editable project itself, rebuilt after its dependencies change.
    fn project_change(&self, rebuilt: bool) -> Change {
        let name = self.project.to_owned();
        let version = format!("0.1.0 (from file:///home/dev/src/{})", self.project);
        if rebuilt {
            Change::Rebuilt { name, version }
        } else {
            Change::Added { name, version }
        }
    }

    /// `uv add x` / `uv pip install x`: x and a few of its dependencies.
    fn add(&mut self, host: &Host) -> RunResult {
        let missing: Vec<Wheel> = self
            .pool
            .iter()
            .copied()
            .filter(|w| !self.is_installed(w.name) && !is_torch_dependency(w.name))
            .collect();
        let Some(root) = missing.choose(&mut self.rng).copied() else {
            return self.upgrade(host);
        };
        let command = match self.mode {
            Mode::Project => format!("uv add {}", root.name),
            Mode::Pip => format!("uv pip install {}", root.name),
        };
        self.prompt(host, &command);
        self.added.push(root.name);
        let deps = self.rng.random_range(0..=5);
        let mut changes = vec![added(&root)];
        if root.name == "torch" {
            let cuda = self.pool.iter().filter(|w| is_torch_dependency(w.name));
            changes.extend(cuda.filter(|w| !self.is_installed(w.name)).map(added));
        }
        for w in missing.iter().filter(|w| {
            w.name != root.name && w.name != "torch" && (w.group == root.group || w.group == "base")
        }) {
            if changes.len() > deps {
                break;
            }
            if self.rng.random_bool(0.5) {
                changes.push(added(w));
            }
        }
        let resolved = match self.mode {
            Mode::Project => {
                changes.push(self.project_change(true));
                self.env.len() + changes.len()
            }
            Mode::Pip => changes.len() + self.rng.random_range(0..=self.env.len().min(12)),
        };
        self.transaction(
            host,
            &changes,
            resolved,
            (150, 2500),
            self.mode == Mode::Project,
        )
    }

    /// `uv remove x` / `uv pip uninstall x`.
    fn remove(&mut self, host: &Host) -> RunResult {
        let Some(name) = self.added.choose(&mut self.rng).copied() else {
            return self.upgrade(host);
        };
        self.added.retain(|a| *a != name);
        let version = self.installed_version(name).unwrap_or_default();
        let removal = Change::Removed {
            name: name.to_owned(),
            version,
        };
        match self.mode {
            Mode::Project => {
                self.prompt(host, &format!("uv remove {name}"));
                let changes = vec![removal, self.project_change(true)];
                let resolved = self.env.len();
                self.transaction(host, &changes, resolved, (100, 1200), true)
            }
            Mode::Pip => {
                self.prompt(host, &format!("uv pip uninstall {name}"));
                host.sleep_ms(self.rng.random_range(5..40))?;
                self.finish(host, &[removal], false)
            }
        }
    }

    /// `uv sync --upgrade` / `uv pip install -U x`: outdated pins move up.
    fn upgrade(&mut self, host: &Host) -> RunResult {
        let outdated: Vec<(&'static str, String, &'static str)> = self
            .env
            .iter()
            .filter_map(|(name, version)| {
                let latest = self.pool.iter().find(|w| w.name == *name)?;
                (latest.version != version).then_some((*name, version.clone(), latest.version))
            })
            .collect();
        let mut changes = Vec::new();
        match self.mode {
            Mode::Project => {
                self.prompt(host, "uv sync --upgrade");
                for (name, from, to) in &outdated {
                    changes.push(removed(name, from));
                    changes.push(Change::Added {
                        name: (*name).to_owned(),
                        version: (*to).to_owned(),
                    });
                }
                let resolved = self.env.len() + 1; // and the project itself
                if changes.is_empty() {
                    return self.audit_only(host, resolved);
                }
                changes.push(self.project_change(true));
                self.transaction(host, &changes, resolved, (300, 2500), true)
            }
            Mode::Pip => {
                let Some((name, from, to)) = outdated.choose(&mut self.rng).cloned() else {
                    let name = self.env.choose(&mut self.rng).map_or("pip", |e| e.0);
                    self.prompt(host, &format!("uv pip install -U {name}"));
                    let resolved = self.rng.random_range(1..=self.env.len().clamp(1, 15));
                    return self.audit_only(host, resolved);
                };
                self.prompt(host, &format!("uv pip install -U {name}"));
                changes.push(removed(name, &from));
                changes.push(Change::Added {
                    name: name.to_owned(),
                    version: to.to_owned(),
                });
                let resolved = 1 + self.rng.random_range(0..=self.env.len().min(15));
                self.transaction(host, &changes, resolved, (150, 1500), false)
            }
        }
    }

    /// Nothing to change: uv resolves from its lock and checks the venv.
    fn audit_only(&mut self, host: &Host, resolved: usize) -> RunResult {
        let start = host.clock();
        host.sleep_ms(self.rng.random_range(1..12))?;
        self.summary(host, "Resolved", resolved, host.clock() - start);
        let start = host.clock();
        self.summary(host, "Audited", resolved, host.clock() - start);
        Ok(())
    }

    fn is_installed(&self, name: &str) -> bool {
        self.env.iter().any(|(n, _)| *n == name)
    }

    fn installed_version(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    /// Resolve, build the project if needed, download, then install.
    fn transaction(
        &mut self,
        host: &Host,
        changes: &[Change],
        resolved: usize,
        resolve_ms: (u64, u64),
        build_project: bool,
    ) -> RunResult {
        self.resolve(host, resolved, resolve_ms)?;
        let builds = usize::from(build_project);
        if build_project {
            let built = format!("{} @ file:///home/dev/src/{}", self.project, self.project);
            kit::println_spans(
                host,
                &[
                    ("   Built ", Style::fg(Color::Green).bold()),
                    (&built, Style::plain()),
                ],
            );
        }
        let downloads: Vec<Download> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Added { name, version } => self
                    .pool
                    .iter()
                    .find(|w| w.name == name)
                    .filter(|w| !self.cache.iter().any(|(n, v)| *n == w.name && v == version))
                    .map(|w| (w, version.clone())),
                _ => None,
            })
            .map(|(w, version)| Download {
                name: w.name,
                version,
                total: w.bytes,
                done: 0,
                wait: self.rng.random_range(1..5),
            })
            .collect();
        if !downloads.is_empty() || builds > 0 {
            self.prepare(host, downloads, builds)?;
        }
        self.finish(host, changes, true)
    }

    /// A spinner while the resolver works, then "Resolved N packages in T".
    fn resolve(&mut self, host: &Host, resolved: usize, range: (u64, u64)) -> RunResult {
        let start = host.clock();
        let total = self.rng.random_range(range.0..range.1);
        if host.is_terminal() {
            let names: Vec<&str> = self.pool.iter().map(|w| w.name).collect();
            let mut live = LiveBlock::new();
            while host.clock() - start < Duration::from_millis(total) {
                let frame = kit::spinner_frame(&SPINNER, host.clock(), Duration::from_millis(80));
                let name = names.choose(&mut self.rng).copied().unwrap_or("pip");
                let spinner = format!("{frame} ");
                live.draw_spans(
                    host,
                    &[[
                        (spinner.as_str(), Style::fg(Color::Cyan)),
                        (name, Style::plain()),
                        ("  Resolving dependencies...", DIM),
                    ]],
                );
                host.sleep_ms(TICK_MS)?;
            }
            live.clear(host);
        } else {
            host.sleep_ms(total)?;
        }
        self.summary(host, "Resolved", resolved, host.clock() - start);
        Ok(())
    }

    /// Downloads run in parallel, sharing the bandwidth; big ones get
    /// "Downloading"/"Downloaded" lines and (on a terminal) a bar each.
    fn prepare(&mut self, host: &Host, mut downloads: Vec<Download>, builds: usize) -> RunResult {
        let start = host.clock();
        let count = downloads.len() + builds;
        for d in downloads.iter().filter(|d| d.total >= LARGE) {
            let size = format!("({})", fmt::size_short(d.total));
            kit::println_spans(
                host,
                &[
                    ("Downloading ", Style::fg(Color::Cyan).bold()),
                    (d.name, Style::plain()),
                    (" ", Style::plain()),
                    (&size, DIM),
                ],
            );
        }
        let per_tick = self.bandwidth * TICK_MS as f64 / 1000.0;
        let mut live = LiveBlock::new();
        let mut prepared = 0;
        let mut spin = 0;
        while downloads.iter().any(|d| d.done < d.total) {
            share_bandwidth(&mut downloads, per_tick);
            let mut finished = Vec::new();
            for d in downloads
                .iter_mut()
                .filter(|d| d.done >= d.total && d.wait != u32::MAX)
            {
                d.wait = u32::MAX; // counted
                prepared += 1;
                if d.total >= LARGE {
                    finished.push(d.name);
                }
            }
            if !finished.is_empty() {
                live.print_above(host, |host| {
                    for name in finished {
                        kit::println_spans(
                            host,
                            &[
                                (" Downloaded ", Style::fg(Color::Green).bold()),
                                (name, Style::plain()),
                            ],
                        );
                    }
                });
            }
            if host.is_terminal() {
                spin += 1;
                let rows = self.download_rows(&downloads, prepared, count, spin);
                live.draw_spans(host, &rows);
            }
            host.sleep_ms(TICK_MS)?;
        }
        // Unzipping wheels and building the project.
        host.sleep_ms(
            self.rng.random_range(50..400) + builds as u64 * self.rng.random_range(300..1500),
        )?;
        live.clear(host);
        self.summary(host, "Prepared", count, host.clock() - start);
        self.cache
            .extend(downloads.into_iter().map(|d| (d.name, d.version)));
        Ok(())
    }

    fn download_rows(
        &self,
        downloads: &[Download],
        prepared: usize,
        count: usize,
        spin: usize,
    ) -> Vec<Vec<(String, Style)>> {
        let frame = SPINNER[spin % SPINNER.len()];
        let mut rows = vec![vec![
            (format!("{frame} "), Style::fg(Color::Cyan)),
            ("Preparing packages...".to_owned(), Style::plain()),
            (format!(" ({prepared}/{count})"), DIM),
        ]];
        let mut active: Vec<&Download> = downloads
            .iter()
            .filter(|d| d.done < d.total && d.total >= LARGE)
            .collect();
        active.sort_by(|a, b| b.total.cmp(&a.total).then(a.name.cmp(b.name)));
        for d in active.into_iter().take(6) {
            let filled = (d.done as f64 / d.total as f64 * BAR_CELLS as f64) as usize;
            rows.push(vec![
                (format!("{:<10} ", d.name), DIM),
                ("-".repeat(filled), Style::fg(Color::Green)),
                ("-".repeat(BAR_CELLS - filled), DIM),
                (
                    format!(" {:>10}/{}", fmt::size_bar(d.done), fmt::size_bar(d.total)),
                    Style::plain(),
                ),
            ]);
        }
        rows
    }

    /// Uninstall and install steps, then the list of changes.
    fn finish(&mut self, host: &Host, changes: &[Change], with_install: bool) -> RunResult {
        let (installed, uninstalled) = fmt::tally(changes);
        if uninstalled > 0 {
            let start = host.clock();
            host.sleep_ms(self.rng.random_range(1..6) * uninstalled as u64)?;
            self.summary(host, "Uninstalled", uninstalled, host.clock() - start);
        }
        if with_install && installed > 0 {
            let start = host.clock();
            let ms = self.rng.random_range(3..12) + installed as u64 * self.rng.random_range(1..6);
            host.sleep_ms(ms.min(2000))?;
            self.summary(host, "Installed", installed, host.clock() - start);
        }
        for change in fmt::sorted(changes) {
            let (sign, color) = match change.sign() {
                '+' => ("+", Color::Green),
                '-' => ("-", Color::Red),
                _ => ("~", Color::Yellow),
            };
            let version = format!("=={}", change.version());
            kit::println_spans(
                host,
                &[
                    (" ", Style::plain()),
                    (sign, Style::fg(color).bold()),
                    (" ", Style::plain()),
                    (change.name(), BOLD),
                    (&version, DIM),
                ],
            );
            self.apply(&change);
        }
        Ok(())
    }

    fn apply(&mut self, change: &Change) {
        let Some(name) = self
            .pool
            .iter()
            .map(|w| w.name)
            .find(|n| *n == change.name())
        else {
            return; // the project itself is not tracked in the env list
        };
        self.env.retain(|(n, _)| *n != name);
        if let Change::Added { version, .. } = change {
            self.env.push((name, version.clone()));
            self.env.sort();
        }
    }

    /// "Resolved 84 packages in 1.21s" with uv's emphasis.
    fn summary(&mut self, host: &Host, verb: &str, count: usize, took: Duration) {
        let micros = self.rng.random_range(5..990);
        let count = fmt::packages(count);
        let took = format!(" in {}", fmt::elapsed(took, micros));
        kit::println_spans(
            host,
            &[
                (verb, Style::plain()),
                (" ", Style::plain()),
                (&count, BOLD),
                (&took, DIM),
            ],
        );
    }
}

/// The CUDA wheels and triton come only with torch.
fn is_torch_dependency(name: &str) -> bool {
    name.starts_with("nvidia-") || name == "triton"
}

fn added(w: &Wheel) -> Change {
    Change::Added {
        name: w.name.to_owned(),
        version: w.version.to_owned(),
    }
}

fn removed(name: &str, version: &str) -> Change {
    Change::Removed {
        name: name.to_owned(),
        version: version.to_owned(),
    }
}

/// One tick of parallel downloading: the bandwidth is split evenly among
/// the downloads that are flowing; what a finishing one does not need goes
/// to the others.
fn share_bandwidth(downloads: &mut [Download], per_tick: f64) {
    let mut flowing: Vec<&mut Download> = Vec::new();
    for d in downloads.iter_mut().filter(|d| d.done < d.total) {
        if d.wait > 0 {
            d.wait -= 1;
        } else {
            flowing.push(d);
        }
    }
    flowing.sort_by_key(|d| d.total - d.done);
    let mut budget = per_tick;
    let mut left = flowing.len();
    for d in flowing {
        let share = budget / left as f64;
        let take = (d.total - d.done).min(share as u64);
        d.done += take;
        budget -= take as f64;
        left -= 1;
    }
}

plugin_api::export_module! {
    module: Uv,
    name: "uv",
    version: env!("CARGO_PKG_VERSION"),
    description: "uv syncing a Python project: resolve, download wheels, install",
    signature: "uv sync",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wheel_parses() {
        let lines = kit::data_lines(PACKAGES);
        assert!(lines.len() > 200);
        for line in lines {
            assert!(parse_wheel(line).is_some(), "{line}");
        }
    }

    #[test]
    fn downloads_finish_and_never_overshoot() {
        let mut downloads: Vec<Download> = [5_000u64, 80_000, 3_000_000, 900_000_000]
            .iter()
            .enumerate()
            .map(|(i, &total)| Download {
                name: "x",
                version: "1.0".to_owned(),
                total,
                done: 0,
                wait: i as u32,
            })
            .collect();
        let per_tick = 5_000_000.0;
        let mut ticks = 0;
        while downloads.iter().any(|d| d.done < d.total) {
            share_bandwidth(&mut downloads, per_tick);
            assert!(downloads.iter().all(|d| d.done <= d.total));
            ticks += 1;
            assert!(ticks < 1000);
        }
        // The whole transfer takes about total bytes / bandwidth.
        assert!((180..=186).contains(&ticks), "{ticks}");
    }
}
