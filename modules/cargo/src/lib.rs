//! `cargo build --release` of a mid-sized Rust workspace: the index update,
//! the lock, crate downloads, a long stream of `Compiling` lines under
//! cargo's progress bar, the odd warning, and the `Finished` line.

use plugin_api::kit::{self, data_lines};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

const CRATES: &str = include_str!("../data/crates.txt");
const PROJECTS: &str = include_str!("../data/projects.txt");
const PATHS: &str = include_str!("../data/paths.txt");
const IDENTS: &str = include_str!("../data/idents.txt");

/// cargo's status verbs: bold green, right-aligned in 12 columns.
const STATUS: Style = Style::fg(Color::Green).bold();
const WARNING: Style = Style::fg(Color::Yellow).bold();
const GUTTER: Style = Style::fg(Color::Blue).bold();
const PROGRESS: Style = Style::fg(Color::Cyan).bold();

struct Crate {
    name: &'static str,
    version: &'static str,
}

pub struct Cargo {
    rng: StdRng,
    /// Dependencies in build order.
    deps: Vec<Crate>,
    /// The workspace's own crates, built last.
    project: Vec<Crate>,
    release: bool,
    warnings_per_crate: f64,
}

impl Module for Cargo {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let all: Vec<Crate> = data_lines(CRATES)
            .into_iter()
            .filter_map(parse_crate)
            .collect();
        // A project uses a subset of the ecosystem, kept in build order.
        let keep = rng.random_range(0.55..0.95);
        let deps: Vec<Crate> = all.into_iter().filter(|_| rng.random_bool(keep)).collect();
        let projects: Vec<Crate> = data_lines(PROJECTS)
            .into_iter()
            .filter_map(parse_crate)
            .collect();
        let members = rng.random_range(1..=3);
        let project = projects
            .sample(&mut rng, members)
            .map(|c| Crate {
                name: c.name,
                version: c.version,
            })
            .collect();
        Ok(Cargo {
            rng,
            deps,
            project,
            release: options.get("profile") != Some("dev"),
            warnings_per_crate: 0.25,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.update_index(host)?;
        self.download(host)?;
        self.compile_all(host)?;
        self.finish(host)?;
        Ok(())
    }
}

fn parse_crate(line: &'static str) -> Option<Crate> {
    let (name, version) = line.split_once(' ')?;
    Some(Crate {
        name,
        version: version.trim(),
    })
}

/// `   Compiling` with cargo's alignment and colour.
fn status(host: &Host, verb: &str, rest: &str) {
    let max = host.width().saturating_sub(1);
    let head = format!("{verb:>12}");
    host.styled(&head, STATUS);
    host.println(&kit::fit(
        &format!(" {rest}"),
        max.saturating_sub(head.len()),
    ));
}

impl Cargo {
    fn update_index(&mut self, host: &Host) -> Result<(), Stop> {
        status(host, "Updating", "crates.io index");
        host.sleep_ms(self.rng.random_range(400..1800))?;
        let n = self.deps.len() + self.project.len();
        status(
            host,
            "Locking",
            &format!("{n} packages to latest compatible versions"),
        );
        host.sleep_ms(self.rng.random_range(100..400))
    }

    /// Most crates are cached; the rest are downloaded in a burst.
    fn download(&mut self, host: &Host) -> Result<(), Stop> {
        let fresh: Vec<usize> = (0..self.deps.len())
            .filter(|_| self.rng.random_bool(0.3))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        status(host, "Downloading", "crates ...");
        let start = host.clock();
        let mut total_kb = 0u64;
        for &i in &fresh {
            let kb = self.rng.random_range(8..900);
            total_kb += kb;
            host.sleep_ms(kb / 20 + self.rng.random_range(5..40))?;
            let c = &self.deps[i];
            status(host, "Downloaded", &format!("{} v{}", c.name, c.version));
        }
        let took = host.clock() - start;
        status(
            host,
            "Downloaded",
            &format!(
                "{} crates ({}) in {}",
                fresh.len(),
                kit::human_bytes_si(total_kb * 1000),
                kit::human_duration(took)
            ),
        );
        Ok(())
    }

    fn compile_all(&mut self, host: &Host) -> Result<(), Stop> {
        let total = self.deps.len() + self.project.len();
        let mut done = 0;
        for i in 0..self.deps.len() {
            let (name, version) = (self.deps[i].name, self.deps[i].version);
            self.compile(host, &format!("{name} v{version}"), name, done, total)?;
            done += 1;
        }
        let root = format!("/home/dev/{}", self.project[0].name);
        for i in 0..self.project.len() {
            let c = &self.project[i];
            let (name, version) = (c.name, c.version);
            let path = if i == 0 {
                root.clone()
            } else {
                format!("{root}/crates/{name}")
            };
            self.compile(
                host,
                &format!("{name} v{version} ({path})"),
                name,
                done,
                total,
            )?;
            done += 1;
            if self.rng.random_bool(self.warnings_per_crate * 2.0) {
                self.warning(host, name)?;
            }
        }
        clear_bar(host);
        Ok(())
    }

    /// One `Compiling` line; proc-macro and -sys crates take longer.
    fn compile(
        &mut self,
        host: &Host,
        what: &str,
        name: &str,
        done: usize,
        total: usize,
    ) -> Result<(), Stop> {
        clear_bar(host);
        status(host, "Compiling", what);
        let heavy = [
            "syn",
            "serde_derive",
            "tokio",
            "ring",
            "zstd-sys",
            "libsqlite3-sys",
            "regex-automata",
            "h2",
            "sqlx-core",
            "rustls",
            "clap_builder",
            "ratatui",
        ];
        let ms = if heavy.contains(&name) {
            self.rng.random_range(900..3200)
        } else {
            self.rng.random_range(60..700)
        };
        draw_bar(host, done + 1, total, name);
        host.sleep_ms(ms)
    }

    /// A rustc warning in full, as cargo prints it.
    fn warning(&mut self, host: &Host, krate: &str) -> Result<(), Stop> {
        let path = *data_lines(PATHS)
            .choose(&mut self.rng)
            .unwrap_or(&"src/lib.rs");
        let ident = *data_lines(IDENTS).choose(&mut self.rng).unwrap_or(&"x");
        let line = self.rng.random_range(12..480);
        let col = 9;
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        let max = host.width().saturating_sub(1);
        clear_bar(host);
        host.styled("warning", WARNING);
        host.println(&kit::fit(
            &format!(": unused variable: `{ident}`"),
            max.saturating_sub(7),
        ));
        host.styled(&format!("{pad}--> "), GUTTER);
        host.println(&format!("{path}:{line}:{col}"));
        host.println_styled(&format!("{pad} |"), GUTTER);
        host.styled(&format!("{num} |"), GUTTER);
        host.println(&kit::fit(
            &format!("     let {ident} = ctx.{ident}();"),
            max.saturating_sub(num.len() + 2),
        ));
        host.styled(&format!("{pad} |"), GUTTER);
        let carets = "^".repeat(ident.len());
        host.styled(&format!("         {carets}"), WARNING);
        let help =
            format!(" help: if this is intentional, prefix it with an underscore: `_{ident}`");
        host.println(&kit::fit(
            &help,
            max.saturating_sub(pad.len() + 11 + ident.len()),
        ));
        host.println_styled(&format!("{pad} |"), GUTTER);
        host.styled(&format!("{pad} = "), GUTTER);
        host.println("note: `#[warn(unused_variables)]` on by default");
        host.newline();
        host.styled("warning", WARNING);
        host.println(&format!(": `{krate}` (lib) generated 1 warning"));
        host.sleep_ms(self.rng.random_range(50..300))
    }

    fn finish(&mut self, host: &Host) -> Result<(), Stop> {
        let profile = if self.release {
            "`release` profile [optimized]"
        } else {
            "`dev` profile [unoptimized + debuginfo]"
        };
        let took = kit::human_duration(host.clock());
        status(host, "Finished", &format!("{profile} target(s) in {took}"));
        host.sleep_ms(self.rng.random_range(1500..4000))
    }
}

/// cargo's progress line: `    Building [=====>    ] 42/214: tokio`. Only on
/// a terminal; cargo prints none into files either.
fn draw_bar(host: &Host, done: usize, total: usize, current: &str) {
    if !host.is_terminal() {
        return;
    }
    let width = host.width().saturating_sub(1);
    let counts = format!(" {done}/{total}: {current}");
    let bar_cells = width.saturating_sub(15 + counts.len()).clamp(10, 60);
    let filled = bar_cells * done / total.max(1);
    let mut bar = "=".repeat(filled.saturating_sub(1));
    if filled > 0 {
        bar.push(if done == total { '=' } else { '>' });
    }
    bar.push_str(&" ".repeat(bar_cells - filled));
    host.styled(&format!("{:>12}", "Building"), PROGRESS);
    host.print(&kit::fit(
        &format!(" [{bar}]{counts}"),
        width.saturating_sub(12),
    ));
}

fn clear_bar(host: &Host) {
    if host.is_terminal() {
        host.erase_line();
    }
}

plugin_api::export_module! {
    module: Cargo,
    name: "cargo",
    version: env!("CARGO_PKG_VERSION"),
    description: "A cargo build of a Rust workspace: downloads, compiling crates, warnings",
    signature: "cargo build --release",
    options: [
        plugin_api::option::choice(c"profile", c"build profile shown", c"release", c"release|dev"),
    ],
}
