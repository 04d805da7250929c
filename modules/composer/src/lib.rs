//! PHP's composer at work on a project: a first `composer install` (from a
//! lock file or from scratch), then `update`, `require` and `remove` runs
//! until the session is over. Each run resolves, locks, downloads and
//! extracts packages with composer's own wording, colours and progress bar,
//! and the operation counts, funding and audit lines agree with the packages
//! actually printed.

mod ops;

use std::time::Duration;

use plugin_api::kit;
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use ops::{Flavour, Op, Package};

const PACKAGES: &str = include_str!("../data/packages.txt");
const ADVISORIES: &str = include_str!("../data/advisories.txt");
const PROJECTS: &str = include_str!("../data/projects.txt");

/// composer's `<info>` style.
const INFO: Style = Style::fg(Color::Green);
/// composer's `<comment>` style, used for versions.
const COMMENT: Style = Style::fg(Color::Yellow);
const WARNING: Style = Style::fg(Color::Yellow).bold();

/// Width of composer's progress bar, between the brackets.
const BAR_CELLS: usize = 28;

/// One composer session on one project.
pub struct Composer {
    rng: StdRng,
    session: Duration,
    flavour: Flavour,
    project: &'static str,
    /// Every package this kind of project may use, with its newest version.
    pool: Vec<Package>,
    /// What is in `vendor/` now, sorted by name.
    installed: Vec<Package>,
    /// Packages added with `composer require` this session.
    required: Vec<&'static str>,
    runs: u32,
}

/// What one invocation asks for.
enum Command {
    /// `composer install` with no lock file: resolve, lock, install.
    FreshInstall,
    /// `composer install` from an existing lock file.
    InstallFromLock,
    Update,
    Require(Vec<&'static str>),
    Remove(Vec<&'static str>),
}

impl Module for Composer {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // Runs follow each other until 20 to 200 s have passed; one run lasts
        // at most about a minute and a half, so a session stays under 5 min.
        let session = kit::random::session_length(&mut rng, 20..50, 50..150, 150..200);
        let flavour = *[
            Flavour::Laravel,
            Flavour::Laravel,
            Flavour::Symfony,
            Flavour::Library,
        ]
        .choose(&mut rng)
        .unwrap_or(&Flavour::Library);
        let pool = kit::data_lines(PACKAGES)
            .into_iter()
            .filter_map(|line| {
                let (name, version) = line.split_once(' ')?;
                ops::fits(name, flavour).then(|| Package {
                    name,
                    version: version.to_owned(),
                })
            })
            .collect();
        let project = *kit::data_lines(PROJECTS)
            .choose(&mut rng)
            .unwrap_or(&"acme/app");
        Ok(Composer {
            rng,
            session,
            flavour,
            project,
            pool,
            installed: Vec::new(),
            required: Vec::new(),
            runs: 0,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        loop {
            let command = self.next_command();
            self.invoke(host, command)?;
            self.runs += 1;
            if host.clock() >= self.session {
                return Ok(());
            }
            host.newline();
            host.sleep_ms(self.rng.random_range(1500..5000))?;
        }
    }
}

/// One package operation as composer lists it: `  - Locking vendor/name
/// (v1.2.3)` while locking, `  - Installing ...: Extracting archive` while
/// installing; upgrades show both versions, removals end at the version.
fn print_op(host: &Host, op: &Op, install_verb: &str, end: &str) {
    let plain = Style::plain();
    let (verb, name, from, to, end) = match op {
        Op::Install(p) => (install_verb, p.name, p.version.as_str(), None, end),
        Op::Upgrade { name, from, to } => {
            ("Upgrading", *name, from.as_str(), Some(to.as_str()), end)
        }
        Op::Remove(p) => ("Removing", p.name, p.version.as_str(), None, ")"),
    };
    let head = format!("  - {verb} ");
    let mut spans = vec![
        (head.as_str(), plain),
        (name, INFO),
        (" (", plain),
        (from, COMMENT),
    ];
    if let Some(to) = to {
        spans.extend([(" => ", plain), (to, COMMENT)]);
    }
    spans.push((end, plain));
    kit::println_spans(host, &spans);
}

/// composer's bar: ` 12/42 [=======>--------------------]  28%`.
fn progress_bar(current: usize, max: usize) -> String {
    let fraction = if max == 0 {
        1.0
    } else {
        current as f64 / max as f64
    };
    let filled = ((fraction * BAR_CELLS as f64).floor() as usize).min(BAR_CELLS);
    let mut bar = "=".repeat(filled);
    if filled < BAR_CELLS {
        bar.push('>');
        bar.push_str(&"-".repeat(BAR_CELLS - filled - 1));
    }
    let digits = max.to_string().len();
    format!(
        " {current:>digits$}/{max} [{bar}] {:>3}%",
        (fraction * 100.0).floor() as u32
    )
}

/// Whether a package asks for funding: fixed per package, so the count is
/// the same for the same `vendor/` in every run.
fn looks_for_funding(name: &str) -> bool {
    // FNV-1a: stable across runs and platforms.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    hash % 100 < 58
}

impl Composer {
    /// The first run installs; later ones update, require or remove.
    fn next_command(&mut self) -> Command {
        if self.runs == 0 {
            return if self.rng.random_bool(0.4) {
                Command::FreshInstall
            } else {
                Command::InstallFromLock
            };
        }
        match self.rng.random_range(0..10) {
            0..=3 if !self.upgrades().is_empty() || self.rng.random_bool(0.2) => Command::Update,
            0..=7 => {
                let missing: Vec<&'static str> = self
                    .pool
                    .iter()
                    .map(|p| p.name)
                    .filter(|n| !self.is_installed(n))
                    .collect();
                let count = self.rng.random_range(1..=6).min(missing.len());
                if count == 0 {
                    return Command::Update;
                }
                Command::Require(missing.sample(&mut self.rng, count).copied().collect())
            }
            _ => {
                // Only packages this session required can be removed again.
                let count = self.rng.random_range(1..=2).min(self.required.len());
                if count == 0 {
                    return Command::Update;
                }
                let names: Vec<&'static str> = self
                    .required
                    .sample(&mut self.rng, count)
                    .copied()
                    .collect();
                self.required.retain(|r| !names.contains(r));
                Command::Remove(names)
            }
        }
    }

    fn is_installed(&self, name: &str) -> bool {
        self.installed.iter().any(|p| p.name == name)
    }

    /// Packages a project of its kind cannot do without.
    fn is_core(&self, name: &str) -> bool {
        match self.flavour {
            Flavour::Laravel => {
                name.starts_with("laravel/framework") || name.starts_with("illuminate/")
            }
            Flavour::Symfony => {
                name.starts_with("symfony/framework") || name.starts_with("symfony/flex")
            }
            Flavour::Library => false,
        }
    }

    fn invoke(&mut self, host: &Host, command: Command) -> RunResult {
        let line = match &command {
            Command::FreshInstall | Command::InstallFromLock => "composer install".to_owned(),
            Command::Update => "composer update".to_owned(),
            Command::Require(names) => format!("composer require {}", names[0]),
            Command::Remove(names) => format!("composer remove {}", names.join(" ")),
        };
        let dir = self.project.rsplit('/').next().unwrap_or(self.project);
        let prompt = format!("~/src/{dir} $ ");
        kit::println_spans(
            host,
            &[
                (&prompt, Style::fg(Color::Blue)),
                (&line, Style::plain().bold()),
            ],
        );
        host.sleep_ms(self.rng.random_range(200..700))?;

        match command {
            Command::FreshInstall => {
                kit::println_spans(
                    host,
                    &[(
                        "No composer.lock file present. Updating dependencies to latest instead of installing from lock file. See https://getcomposer.org/install for more information.",
                        WARNING,
                    )],
                );
                let ops = self.initial_set(false);
                self.resolve(host, &ops)?;
                self.install(host, &ops, false)?;
            }
            Command::InstallFromLock => {
                let ops = self.initial_set(true);
                self.install(host, &ops, true)?;
            }
            Command::Update => {
                let ops = self.upgrades();
                self.resolve(host, &ops)?;
                self.install(host, &ops, false)?;
            }
            Command::Require(names) => {
                let root = names[0];
                self.required.push(root);
                let ops: Vec<Op> = names
                    .iter()
                    .filter_map(|n| self.pool.iter().find(|p| p.name == *n))
                    .map(|p| Op::Install(p.clone()))
                    .collect();
                let constraint = ops.first().map(|o| match o {
                    Op::Install(p) => caret(&p.version),
                    _ => String::new(),
                });
                kit::println_spans(host, &[("./composer.json has been updated", INFO)]);
                kit::println_spans(host, &[("Running composer update ", INFO), (root, INFO)]);
                self.resolve(host, &ops)?;
                if let Some(constraint) = constraint {
                    kit::println_spans(
                        host,
                        &[
                            ("Using version ", INFO),
                            (&constraint, COMMENT),
                            (" for ", INFO),
                            (root, INFO),
                        ],
                    );
                }
                self.install(host, &ops, false)?;
            }
            Command::Remove(names) => {
                let ops: Vec<Op> = self
                    .installed
                    .iter()
                    .filter(|p| names.contains(&p.name))
                    .map(|p| Op::Remove(p.clone()))
                    .collect();
                kit::println_spans(host, &[("./composer.json has been updated", INFO)]);
                let running = format!("Running composer update {}", names.join(" "));
                kit::println_spans(host, &[(&running, INFO)]);
                self.resolve(host, &ops)?;
                self.install(host, &ops, false)?;
            }
        }
        self.after_install(host)
    }

    /// The project's dependencies for a first install. From a stale lock
    /// file some packages are a release or two behind, which gives later
    /// `composer update` runs something to do.
    fn initial_set(&mut self, from_lock: bool) -> Vec<Op> {
        let want = self.rng.random_range(35..=150).min(self.pool.len());
        let mut chosen: Vec<Package> = self
            .pool
            .iter()
            .filter(|p| self.is_core(p.name))
            .cloned()
            .collect();
        let mut rest: Vec<Package> = self
            .pool
            .iter()
            .filter(|p| !self.is_core(p.name))
            .cloned()
            .collect();
        rest.shuffle(&mut self.rng);
        chosen.extend(rest.into_iter().take(want.saturating_sub(chosen.len())));
        chosen.sort_by_key(|p| p.name);
        if from_lock {
            for p in &mut chosen {
                if self.rng.random_bool(0.3) {
                    p.version = ops::older_version(&p.version, self.rng.random_range(0..40));
                }
            }
        }
        chosen.into_iter().map(Op::Install).collect()
    }

    /// Installed packages with a newer release in the pool.
    fn upgrades(&self) -> Vec<Op> {
        self.installed
            .iter()
            .filter_map(|p| {
                let latest = self.pool.iter().find(|l| l.name == p.name)?;
                (latest.version != p.version).then(|| Op::Upgrade {
                    name: p.name,
                    from: p.version.clone(),
                    to: latest.version.clone(),
                })
            })
            .collect()
    }

    /// "Loading composer repositories...", "Updating dependencies" and the
    /// lock file operations.
    fn resolve(&mut self, host: &Host, ops: &[Op]) -> RunResult {
        kit::println_spans(
            host,
            &[(
                "Loading composer repositories with package information",
                INFO,
            )],
        );
        host.sleep_ms(self.rng.random_range(1200..6000))?;
        kit::println_spans(host, &[("Updating dependencies", INFO)]);
        host.sleep_ms(self.rng.random_range(500..4500))?;
        if ops.is_empty() {
            kit::println_spans(host, &[("Nothing to modify in lock file", INFO)]);
            return Ok(());
        }
        let phrase = format!("Lock file operations: {}", ops::operations_phrase(ops));
        kit::println_spans(host, &[(&phrase, INFO)]);
        let mut sorted: Vec<&Op> = ops.iter().collect();
        sorted.sort_by_key(|o| o.name());
        for op in sorted {
            print_op(host, op, "Locking", ")");
            host.sleep_ms(self.rng.random_range(8..45))?;
        }
        kit::println_spans(host, &[("Writing lock file", INFO)]);
        host.sleep_ms(self.rng.random_range(150..500))?;
        Ok(())
    }

    /// Installing from the lock file: downloads, then extraction with the
    /// progress bar (only on a terminal, as composer does).
    fn install(&mut self, host: &Host, ops: &[Op], from_lock: bool) -> RunResult {
        kit::println_spans(
            host,
            &[(
                "Installing dependencies from lock file (including require-dev)",
                INFO,
            )],
        );
        if from_lock {
            kit::println_spans(
                host,
                &[(
                    "Verifying lock file contents can be installed on current platform.",
                    INFO,
                )],
            );
        }
        host.sleep_ms(self.rng.random_range(100..600))?;
        if ops.is_empty() {
            kit::println_spans(host, &[("Nothing to install, update or remove", INFO)]);
            return Ok(());
        }
        let phrase = format!("Package operations: {}", ops::operations_phrase(ops));
        kit::println_spans(host, &[(&phrase, INFO)]);

        // Packages not in the local cache are downloaded first, in parallel.
        let cached_share = self.rng.random_range(0.0..0.9);
        let downloads: Vec<(&'static str, String)> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Install(p) => Some((p.name, p.version.clone())),
                Op::Upgrade { name, to, .. } => Some((*name, to.clone())),
                Op::Remove(_) => None,
            })
            .filter(|_| !self.rng.random_bool(cached_share))
            .collect();
        for (name, version) in &downloads {
            kit::println_spans(
                host,
                &[
                    ("  - Downloading ", Style::plain()),
                    (name, INFO),
                    (" (", Style::plain()),
                    (version, COMMENT),
                    (")", Style::plain()),
                ],
            );
            host.sleep_ms(self.rng.random_range(4..30))?;
        }
        self.download_wait(host, downloads.len())?;

        let terminal = host.is_terminal();
        for (i, op) in ops.iter().enumerate() {
            if terminal {
                host.erase_line();
            }
            print_op(host, op, "Installing", "): Extracting archive");
            if terminal {
                host.print(&progress_bar(i + 1, ops.len()));
            }
            host.sleep_ms(self.rng.random_range(15..140))?;
            self.apply(op);
        }
        if terminal {
            host.sleep_ms(self.rng.random_range(200..800))?;
            host.erase_line();
        }
        Ok(())
    }

    /// The bar filling while parallel downloads finish.
    fn download_wait(&mut self, host: &Host, count: usize) -> RunResult {
        if count == 0 {
            return Ok(());
        }
        if !host.is_terminal() {
            let ms = self.rng.random_range(300..700) * count.min(30) as u64 / 4;
            return Ok(host.sleep_ms(ms)?);
        }
        let mut done = 0;
        host.print(&progress_bar(0, count));
        while done < count {
            done = (done + self.rng.random_range(1..=4)).min(count);
            host.sleep_ms(self.rng.random_range(60..260))?;
            host.erase_line();
            host.print(&progress_bar(done, count));
        }
        host.sleep_ms(self.rng.random_range(100..300))?;
        host.erase_line();
        Ok(())
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Install(p) => {
                self.installed.push(p.clone());
                self.installed.sort_by_key(|p| p.name);
            }
            Op::Upgrade { name, to, .. } => {
                if let Some(p) = self.installed.iter_mut().find(|p| p.name == *name) {
                    p.version = to.clone();
                }
            }
            Op::Remove(p) => self.installed.retain(|i| i.name != p.name),
        }
    }

    /// Autoloader, framework scripts, funding and the security audit.
    fn after_install(&mut self, host: &Host) -> RunResult {
        kit::println_spans(host, &[("Generating optimized autoload files", INFO)]);
        host.sleep_ms(self.rng.random_range(400..2500))?;
        match self.flavour {
            Flavour::Laravel => self.laravel_scripts(host)?,
            Flavour::Symfony => self.symfony_scripts(host)?,
            Flavour::Library => {}
        }
        let funding = self
            .installed
            .iter()
            .filter(|p| looks_for_funding(p.name))
            .count();
        if funding > 0 {
            host.newline();
            let line = if funding == 1 {
                "1 package you are using is looking for funding.".to_owned()
            } else {
                format!("{funding} packages you are using are looking for funding.")
            };
            kit::println_spans(host, &[(&line, INFO)]);
            kit::println_spans(
                host,
                &[("Use the `composer fund` command to find out more!", INFO)],
            );
        }
        self.audit(host)
    }

    /// `php artisan package:discover` listing the discovered providers.
    fn laravel_scripts(&mut self, host: &Host) -> RunResult {
        kit::println_spans(
            host,
            &[(
                "> Illuminate\\Foundation\\ComposerScripts::postAutoloadDump",
                Style::plain(),
            )],
        );
        kit::println_spans(
            host,
            &[("> @php artisan package:discover --ansi", Style::plain())],
        );
        host.sleep_ms(self.rng.random_range(400..1200))?;
        host.newline();
        kit::println_spans(
            host,
            &[
                ("   ", Style::plain()),
                (" INFO ", Style::fg(Color::Blue).bold()),
                (" Discovering packages.", Style::plain()),
            ],
        );
        host.newline();
        let discovered: Vec<&'static str> = self
            .installed
            .iter()
            .map(|p| p.name)
            .filter(|n| {
                [
                    "laravel/",
                    "spatie/laravel",
                    "barryvdh/",
                    "nunomaduro/",
                    "nesbot/carbon",
                    "livewire/",
                    "inertiajs/",
                    "sentry/sentry-laravel",
                    "maatwebsite/",
                    "tightenco/",
                ]
                .iter()
                .any(|k| n.starts_with(k))
                    && *n != "laravel/framework"
                    && *n != "laravel/prompts"
                    && *n != "laravel/serializable-closure"
            })
            .collect();
        let width = host.width().saturating_sub(1).min(150);
        for name in discovered {
            let dots = width.saturating_sub(kit::width(name) + 9).max(3);
            let dots = ".".repeat(dots);
            kit::println_spans(
                host,
                &[
                    ("  ", Style::plain()),
                    (name, Style::plain()),
                    (" ", Style::plain()),
                    (&dots, Style::plain().dim()),
                    (" ", Style::plain()),
                    ("DONE", Style::fg(Color::Green).bold()),
                ],
            );
            host.sleep_ms(self.rng.random_range(10..60))?;
        }
        Ok(())
    }

    /// Symfony Flex's auto-scripts.
    fn symfony_scripts(&mut self, host: &Host) -> RunResult {
        for script in ["cache:clear", "assets:install public"] {
            // Flex prints the line once the script has finished.
            host.sleep_ms(self.rng.random_range(600..2500))?;
            kit::println_spans(
                host,
                &[
                    ("Executing script ", Style::plain()),
                    (script, Style::plain()),
                    (" [", Style::plain()),
                    ("OK", Style::fg(Color::Green)),
                    ("]", Style::plain()),
                ],
            );
        }
        Ok(())
    }

    /// The audit that follows installs: advisories only for installed packages.
    fn audit(&mut self, host: &Host) -> RunResult {
        let advisories: Vec<&str> = kit::data_lines(ADVISORIES)
            .into_iter()
            .filter_map(|l| l.split('|').next())
            .collect();
        let (count, affecting) = ops::audit_counts(&advisories, |name| self.is_outdated(name));
        host.sleep_ms(self.rng.random_range(200..900))?;
        let message = ops::audit_message(count, affecting);
        if count == 0 {
            kit::println_spans(host, &[(&message, INFO)]);
        } else {
            kit::println_spans(host, &[(&message, WARNING)]);
            kit::println_spans(
                host,
                &[(
                    "Run \"composer audit\" for a full list of advisories.",
                    WARNING,
                )],
            );
        }
        Ok(())
    }

    /// An installed package older than its newest release: the advisories
    /// in the data file concern those older releases.
    fn is_outdated(&self, name: &str) -> bool {
        let installed = self.installed.iter().find(|p| p.name == name);
        let latest = self.pool.iter().find(|p| p.name == name);
        matches!((installed, latest), (Some(i), Some(l)) if i.version != l.version)
    }
}

/// The constraint composer writes for a required package: `^7.9`.
fn caret(version: &str) -> String {
    let digits = version.trim_start_matches('v');
    let mut parts = digits.split('.');
    let major = parts.next().unwrap_or("1");
    let minor = parts.next().unwrap_or("0");
    if major == "0" {
        format!("^0.{minor}")
    } else {
        format!("^{major}.{minor}")
    }
}

plugin_api::export_module! {
    module: Composer,
    name: "composer",
    version: env!("CARGO_PKG_VERSION"),
    description: "PHP composer installing, updating and requiring packages",
    signature: "composer install",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_has_composer_layout() {
        assert_eq!(
            progress_bar(0, 42),
            "  0/42 [>---------------------------]   0%"
        );
        assert_eq!(
            progress_bar(42, 42),
            " 42/42 [============================] 100%"
        );
        let half = progress_bar(21, 42);
        assert!(
            half.contains("[==============>-------------]  50%"),
            "{half}"
        );
    }

    #[test]
    fn carets_follow_versions() {
        assert_eq!(caret("7.9.2"), "^7.9");
        assert_eq!(caret("v15.10.0"), "^15.10");
        assert_eq!(caret("0.12.1"), "^0.12");
    }

    #[test]
    fn funding_is_stable_and_partial() {
        let names: Vec<&str> = kit::data_lines(PACKAGES)
            .iter()
            .filter_map(|l| l.split(' ').next())
            .collect();
        let funded = names.iter().filter(|n| looks_for_funding(n)).count();
        assert!(funded > names.len() / 4 && funded < names.len());
        assert_eq!(
            looks_for_funding("symfony/console"),
            looks_for_funding("symfony/console")
        );
    }

    #[test]
    fn data_is_well_formed() {
        for line in kit::data_lines(PACKAGES) {
            let (name, version) = line.split_once(' ').expect(line);
            assert!(name.contains('/'), "{line}");
            assert!(version.chars().any(|c| c.is_ascii_digit()), "{line}");
        }
    }
}
