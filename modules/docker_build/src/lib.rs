//! `docker_build`: `docker build -t app:tag .` with BuildKit's progress
//! display: internal steps, base image pulls with per-layer progress, cached
//! and running steps with the tail of their logs, and the export.
//!
//! A build is planned first as a list of [`Vertex`]es with start and end
//! times on the simulated clock; the display then shows the state of that
//! plan at each moment: the redrawn panel on a terminal, or BuildKit's
//! `--progress=plain` log when output is not a terminal (what docker itself
//! does).

use std::time::Duration;

use plugin_api::kit::{self, LiveBlock};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

const STACKS: &str = include_str!("../data/stacks.txt");
const IMAGES: &str = include_str!("../data/images.txt");
const PACKAGES: &str = include_str!("../data/packages.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(285);

/// BuildKit redraws its panel about every 100 ms.
const FRAME_MS: u64 = 100;

/// Log lines shown under a running step.
const LOG_TAIL: usize = 6;

const DONE: Style = Style::fg(Color::Blue);
const RUNNING: Style = Style::plain();
const LOG: Style = Style::plain().dim();

/// One Dockerfile instruction and the stage it belongs to.
#[derive(Debug, Clone, Copy)]
struct Instruction {
    stage: &'static str,
    text: &'static str,
}

/// A `=> =>` line under a vertex: a sub-task with its own timing, and for
/// layer downloads a byte count that grows over it.
#[derive(Debug, Clone)]
struct Sub {
    text: String,
    start_ms: u64,
    end_ms: u64,
    /// Total bytes, for a download shown as `12.58MB / 49.56MB`.
    bytes: Option<u64>,
}

/// One node of the build graph as BuildKit lists it.
#[derive(Debug, Clone)]
struct Vertex {
    name: String,
    cached: bool,
    start_ms: u64,
    end_ms: u64,
    subs: Vec<Sub>,
    /// `(ms after the vertex started, line)` of a RUN step's output.
    logs: Vec<(u64, String)>,
}

/// A planned build.
#[derive(Debug, Clone)]
struct Build {
    vertices: Vec<Vertex>,
    end_ms: u64,
}

/// Packages by ecosystem, for believable build logs.
struct Packages {
    all: Vec<(&'static str, &'static str, &'static str)>,
}

impl Packages {
    fn of(&self, eco: &str) -> Vec<(&'static str, &'static str)> {
        self.all
            .iter()
            .filter(|(e, _, _)| *e == eco)
            .map(|(_, n, v)| (*n, *v))
            .collect()
    }
}

pub struct DockerBuild {
    rng: StdRng,
    budget: Duration,
    stacks: Vec<(&'static str, Vec<Instruction>)>,
    packages: Packages,
    images: Vec<&'static str>,
}

impl Module for DockerBuild {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let budget = Duration::from_secs(rng.random_range(25..=100) + rng.random_range(0..=130));
        Ok(DockerBuild {
            rng,
            budget,
            stacks: parse_stacks(),
            packages: Packages {
                all: kit::data_lines(PACKAGES)
                    .into_iter()
                    .filter_map(|l| {
                        let mut f = l.split('|');
                        Some((f.next()?, f.next()?, f.next()?))
                    })
                    .collect(),
            },
            images: kit::data_lines(IMAGES),
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let mut first = true;
        while first || host.clock() < self.budget {
            let left = HARD_CAP.saturating_sub(host.clock());
            if left < Duration::from_secs(25) {
                break;
            }
            if !first {
                host.newline();
                host.sleep_ms(self.rng.random_range(1500..4000))?;
            }
            first = false;
            self.one_build(host, left)?;
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: DockerBuild,
    name: "docker_build",
    version: env!("CARGO_PKG_VERSION"),
    description: "docker build of application images with BuildKit",
    signature: "docker build -t app:latest .",
}

fn parse_stacks() -> Vec<(&'static str, Vec<Instruction>)> {
    let mut stacks: Vec<(&'static str, Vec<Instruction>)> = Vec::new();
    for line in kit::data_lines(STACKS) {
        let mut f = line.splitn(3, '|');
        let (Some(stack), Some(stage), Some(text)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let instruction = Instruction { stage, text };
        match stacks.iter_mut().find(|(s, _)| *s == stack) {
            Some((_, list)) => list.push(instruction),
            None => stacks.push((stack, vec![instruction])),
        }
    }
    stacks
}

/// A content digest: `sha256:` and 64 hex digits.
fn digest(rng: &mut StdRng) -> String {
    format!("sha256:{}", kit::hex_digits(64, || rng.random_range(0..16)))
}

/// Docker Hub's official images live under `docker.io/library/`.
fn full_image_name(image: &str) -> String {
    match image.split_once('/') {
        Some((host, _)) if host.contains('.') || host.contains(':') || host == "localhost" => {
            image.to_owned()
        }
        Some(_) => format!("docker.io/{image}"),
        None => format!("docker.io/library/{image}"),
    }
}

/// Sizes the way BuildKit prints them: `532B`, `1.23kB`, `45.21MB`.
fn si_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1000 {
        format!("{bytes}B")
    } else if b < 1e6 {
        format!("{:.2}kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.2}MB", b / 1e6)
    } else {
        format!("{:.2}GB", b / 1e9)
    }
}

/// Instructions that only change metadata make no vertex of their own.
fn makes_vertex(text: &str) -> bool {
    let op = text.split_whitespace().next().unwrap_or("");
    matches!(op, "FROM" | "RUN" | "COPY" | "ADD" | "WORKDIR")
}

/// Seconds a step takes, by what it does.
fn step_secs(text: &str) -> (f64, f64) {
    let has = |s: &str| text.contains(s);
    if has("cargo build") {
        (40.0, 140.0)
    } else if has("docker-php-ext-install") {
        (25.0, 80.0)
    } else if has("apt-get") {
        (8.0, 40.0)
    } else if has("npm ci") || has("bundle install") || has("dependency:go-offline") {
        (10.0, 50.0)
    } else if has("pip install") || has("mvnw -B package") || has("go build") {
        (10.0, 55.0)
    } else if has("npm run build") || has("assets:precompile") || has("composer install") {
        (6.0, 35.0)
    } else if has("go mod download") || has("uv sync") || has("apk add") {
        (2.0, 14.0)
    } else if text.starts_with("RUN") {
        (0.4, 4.0)
    } else if has("COPY . .") || has("COPY --chown") || has("COPY src") {
        (0.3, 2.5)
    } else if text.starts_with("COPY") {
        (0.05, 0.8)
    } else {
        (0.0, 0.1)
    }
}

/// Output a RUN step prints, spread over `ms`.
fn run_logs(rng: &mut StdRng, text: &str, ms: u64, packages: &Packages) -> Vec<(u64, String)> {
    let has = |s: &str| text.contains(s);
    let mut lines: Vec<String> = Vec::new();
    let pick = |rng: &mut StdRng, eco: &str, n: usize| -> Vec<(&'static str, &'static str)> {
        packages.of(eco).sample(rng, n).copied().collect()
    };
    if has("apt-get") {
        lines.push("Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]".to_owned());
        lines.push(
            "Get:2 http://deb.debian.org/debian bookworm-updates InRelease [55.4 kB]".to_owned(),
        );
        lines.push(
            "Get:3 http://deb.debian.org/debian-security bookworm-security InRelease [48.0 kB]"
                .to_owned(),
        );
        lines.push(
            "Get:4 http://deb.debian.org/debian bookworm/main amd64 Packages [8792 kB]".to_owned(),
        );
        lines.push("Reading package lists...".to_owned());
        let pkgs = pick(rng, "apt", 14);
        for (i, (name, version)) in pkgs.iter().enumerate() {
            let kb = rng.random_range(20..9000);
            lines.push(format!("Get:{} http://deb.debian.org/debian bookworm/main amd64 {name} amd64 {version} [{kb} kB]", i + 5));
        }
        lines.push(format!(
            "Fetched {:.1} MB in {}s ({:.1} MB/s)",
            rng.random_range(8.0..80.0),
            rng.random_range(2..9),
            rng.random_range(5.0..30.0)
        ));
        lines.push(
            "debconf: delaying package configuration, since apt-utils is not installed".to_owned(),
        );
        for (name, version) in &pkgs {
            lines.push(format!("Selecting previously unselected package {name}."));
            lines.push(format!("Unpacking {name} ({version}) ..."));
        }
        for (name, version) in &pkgs {
            lines.push(format!("Setting up {name} ({version}) ..."));
        }
        lines.push("Processing triggers for libc-bin (2.36-9+deb12u10) ...".to_owned());
    } else if has("apk add") || has("docker-php-ext-install") {
        let pkgs = pick(rng, "apk", 9);
        lines.push(
            "fetch https://dl-cdn.alpinelinux.org/alpine/v3.21/main/x86_64/APKINDEX.tar.gz"
                .to_owned(),
        );
        lines.push(
            "fetch https://dl-cdn.alpinelinux.org/alpine/v3.21/community/x86_64/APKINDEX.tar.gz"
                .to_owned(),
        );
        let total = pkgs.len() + rng.random_range(5..30);
        for (i, (name, version)) in pkgs.iter().enumerate() {
            lines.push(format!("({}/{total}) Installing {name} ({version})", i + 1));
        }
        lines.push(format!(
            "OK: {} MiB in {} packages",
            rng.random_range(40..400),
            rng.random_range(30..140)
        ));
        if has("docker-php-ext-install") {
            for ext in ["intl", "zip", "pdo_pgsql", "opcache"] {
                lines.push(format!(
                    "Configuring for:\nPHP Api Version:         20230831 ({ext})"
                ));
                for _ in 0..4 {
                    lines.push(format!("/bin/sh /usr/src/php/ext/{ext}/libtool --tag=CC --mode=compile cc -I. -I/usr/src/php/ext/{ext} -DPHP_ATOM_INC -O2 -c /usr/src/php/ext/{ext}/{ext}.c"));
                }
                lines.push(format!("Installing shared extensions:     /usr/local/lib/php/extensions/no-debug-non-zts-20230831/ ({ext})"));
            }
        }
    } else if has("npm ci") {
        for (name, version) in pick(rng, "npm", 4) {
            lines.push(format!("npm warn deprecated {name}@{version}: This module is not supported, and leaks memory. Do not use it."));
        }
        let added = rng.random_range(180..1400);
        lines.push(String::new());
        lines.push(format!(
            "added {added} packages, and audited {} packages in {}s",
            added + 1,
            ms / 1000
        ));
        lines.push(String::new());
        lines.push(format!(
            "{} packages are looking for funding",
            rng.random_range(20..200)
        ));
        lines.push("  run `npm fund` for details".to_owned());
        lines.push(String::new());
        lines.push("found 0 vulnerabilities".to_owned());
    } else if has("npm run build") {
        lines.push("> web@0.1.0 build".to_owned());
        lines.push("> tsc -b && vite build".to_owned());
        lines.push("vite v5.4.14 building for production...".to_owned());
        lines.push("transforming...".to_owned());
        lines.push(format!(
            "✓ {} modules transformed.",
            rng.random_range(300..4000)
        ));
        lines.push("rendering chunks...".to_owned());
        lines.push("computing gzip size...".to_owned());
        lines.push("dist/index.html                   0.46 kB │ gzip:  0.30 kB".to_owned());
        for chunk in ["index", "vendor", "charts"] {
            let kb = rng.random_range(20.0..900.0);
            lines.push(format!(
                "dist/assets/{chunk}-{}.js   {kb:>8.2} kB │ gzip: {:>7.2} kB",
                kit::hex_digits(8, || rng.random_range(0..16)),
                kb / 3.2
            ));
        }
        lines.push(format!("✓ built in {:.2}s", ms as f64 / 1000.0 * 0.8));
    } else if has("pip install") || has("uv sync") {
        let pkgs = pick(rng, "pip", 14);
        if has("uv sync") {
            lines.push(format!(
                "Resolved {} packages in {}ms",
                pkgs.len() + 30,
                rng.random_range(20..400)
            ));
            lines.push(format!(
                "Prepared {} packages in {:.2}s",
                pkgs.len(),
                rng.random_range(0.5..6.0)
            ));
            lines.push(format!(
                "Installed {} packages in {}ms",
                pkgs.len(),
                rng.random_range(20..300)
            ));
            for (name, version) in &pkgs {
                lines.push(format!(" + {}=={version}", name.to_lowercase()));
            }
        } else {
            for (name, version) in &pkgs {
                lines.push(format!(
                    "Collecting {name}=={version} (from -r requirements.txt (line {}))",
                    rng.random_range(1..40)
                ));
                lines.push(format!(
                    "  Downloading {}-{version}-py3-none-any.whl.metadata ({:.1} kB)",
                    name.replace('-', "_"),
                    rng.random_range(2.0..60.0)
                ));
            }
            lines.push(
                "Installing collected packages: ".to_owned()
                    + &pkgs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
            );
            lines.push(
                "Successfully installed ".to_owned()
                    + &pkgs
                        .iter()
                        .map(|(n, v)| format!("{n}-{v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
            );
        }
    } else if has("go mod download") {
        for (name, version) in pick(rng, "go", 12) {
            lines.push(format!("go: downloading {name} {version}"));
        }
    } else if has("cargo build") {
        lines.push("    Updating crates.io index".to_owned());
        let crates = pick(rng, "cargo", 20);
        for (name, version) in &crates {
            lines.push(format!(" Downloaded {name} v{version}"));
        }
        for (name, version) in &crates {
            lines.push(format!("   Compiling {name} v{version}"));
        }
        lines.push("   Compiling server v0.1.0 (/usr/src/app)".to_owned());
        lines.push(format!(
            "    Finished `release` profile [optimized] target(s) in {}m {:02}s",
            ms / 60_000,
            (ms / 1000) % 60
        ));
    } else if has("bundle install") {
        for (name, version) in pick(rng, "gem", 12) {
            lines.push(format!("Fetching {name} {version}"));
            lines.push(format!("Installing {name} {version}"));
        }
        lines.push(format!(
            "Bundle complete! {} Gemfile dependencies, {} gems now installed.",
            rng.random_range(20..90),
            rng.random_range(90..260)
        ));
    } else if has("assets:precompile") {
        lines.push("Writing application-2b4f9c1e.css".to_owned());
        lines.push("Writing application-7d01a3b2.js".to_owned());
        lines.push("Writing turbo.min-fae85750.js".to_owned());
    } else if has("mvnw") {
        lines.push("[INFO] Scanning for projects...".to_owned());
        for (name, version) in pick(rng, "maven", 8) {
            let (group, artifact) = name.split_once('/').unwrap_or((name, name));
            lines.push(format!(
                "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/{}/{artifact}/{version}/{artifact}-{version}.jar",
                group.replace('.', "/")
            ));
        }
        lines.push("[INFO] BUILD SUCCESS".to_owned());
        lines.push(format!(
            "[INFO] Total time:  {:.3} s",
            ms as f64 / 1000.0 * 0.9
        ));
    } else if has("composer") {
        lines.push("Installing dependencies from lock file".to_owned());
        lines.push("Verifying lock file contents can be installed on current platform.".to_owned());
        let pkgs = pick(rng, "composer", 10);
        lines.push(format!(
            "Package operations: {} installs, 0 updates, 0 removals",
            pkgs.len() + 60
        ));
        for (name, version) in &pkgs {
            lines.push(format!("  - Downloading {name} ({version})"));
        }
        for (name, version) in &pkgs {
            lines.push(format!(
                "  - Installing {name} ({version}): Extracting archive"
            ));
        }
        lines.push("Generating optimized autoload files".to_owned());
    } else if has("collectstatic") {
        lines.push(format!(
            "{} static files copied to '/app/staticfiles', {} post-processed.",
            rng.random_range(120..900),
            rng.random_range(100..900)
        ));
    }
    let lines: Vec<String> = lines
        .into_iter()
        .flat_map(|l| l.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let n = lines.len() as u64;
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| (ms * (i as u64 + 1) / (n + 1), l))
        .collect()
}

/// Everything a build plan needs to know besides the Dockerfile.
struct BuildSetup<'a> {
    image: String,
    tag: String,
    /// No cache at all: base images are pulled and every step runs.
    fresh: bool,
    /// Whether the dependency manifests changed (else only sources).
    deps_changed: bool,
    packages: &'a Packages,
}

/// Plan a build of `instructions`: every vertex with its times.
fn plan_build(rng: &mut StdRng, instructions: &[Instruction], setup: &BuildSetup) -> Build {
    let mut vertices = Vec::new();
    let mut t = rng.random_range(0..80);
    let push = |vertices: &mut Vec<Vertex>, name: String, cached: bool, start: u64, ms: u64| {
        vertices.push(Vertex {
            name,
            cached,
            start_ms: start,
            end_ms: start + ms,
            subs: Vec::new(),
            logs: Vec::new(),
        });
        vertices.len() - 1
    };

    // The Dockerfile, the base images' metadata, .dockerignore.
    let size = rng.random_range(300..2400);
    let v = push(
        &mut vertices,
        "[internal] load build definition from Dockerfile".to_owned(),
        false,
        t,
        rng.random_range(20..120),
    );
    vertices[v].subs.push(Sub {
        text: format!("transferring dockerfile: {}", si_bytes(size)),
        start_ms: t,
        end_ms: t + 10,
        bytes: None,
    });
    t = vertices[v].end_ms;
    let stage_names: Vec<&str> = instructions
        .iter()
        .filter_map(|i| i.text.split_once(" AS ").map(|(_, name)| name.trim()))
        .collect();
    let mut bases: Vec<String> = Vec::new();
    for i in instructions {
        let base = if let Some(rest) = i.text.strip_prefix("FROM ") {
            rest.split_whitespace().next()
        } else {
            i.text
                .split_whitespace()
                .find_map(|w| w.strip_prefix("--from="))
                .filter(|w| w.contains(':') || w.contains('/'))
        };
        if let Some(base) = base
            && !stage_names.contains(&base)
            && !bases.contains(&base.to_owned())
        {
            bases.push(base.to_owned());
        }
    }
    let meta_start = t;
    let mut meta_end = t;
    for base in &bases {
        let ms = if setup.fresh {
            rng.random_range(600..2500)
        } else {
            rng.random_range(300..1500)
        };
        let v = push(
            &mut vertices,
            format!("[internal] load metadata for {}", full_image_name(base)),
            false,
            meta_start,
            ms,
        );
        meta_end = meta_end.max(vertices[v].end_ms);
        if setup.fresh && !base.contains("gcr.io") && !base.contains("ghcr.io") {
            let repo = base.split(':').next().unwrap_or(base);
            let repo = if repo.contains('/') {
                repo.to_owned()
            } else {
                format!("library/{repo}")
            };
            push(
                &mut vertices,
                format!("[auth] {repo}:pull token for registry-1.docker.io"),
                false,
                meta_start + 50,
                0,
            );
        }
    }
    t = meta_end;
    let v = push(
        &mut vertices,
        "[internal] load .dockerignore".to_owned(),
        false,
        t,
        rng.random_range(10..60),
    );
    vertices[v].subs.push(Sub {
        text: format!("transferring context: {}B", rng.random_range(2..400)),
        start_ms: t,
        end_ms: t + 5,
        bytes: None,
    });
    t = vertices[v].end_ms;

    // Which steps must run: from the changed COPY on in its stage, and from
    // the first COPY --from on in later stages.
    let steps: Vec<Instruction> = instructions
        .iter()
        .copied()
        .filter(|i| makes_vertex(i.text))
        .collect();
    let stages: Vec<&str> = {
        let mut s: Vec<&str> = Vec::new();
        for i in &steps {
            if !s.contains(&i.stage) {
                s.push(i.stage);
            }
        }
        s
    };
    let change_at = steps
        .iter()
        .position(|i| {
            if setup.deps_changed {
                i.text.starts_with("COPY") && !i.text.contains("--from")
            } else {
                i.text.starts_with("COPY . .")
                    || i.text.starts_with("COPY --chown")
                    || i.text.starts_with("COPY src")
            }
        })
        .unwrap_or(0);
    let change_stage = stages
        .iter()
        .position(|s| *s == steps[change_at].stage)
        .unwrap_or(0);

    let mut context_loaded = false;
    for (k, step) in steps.iter().enumerate() {
        let stage_index = stages.iter().position(|s| *s == step.stage).unwrap_or(0);
        let in_stage: Vec<&Instruction> = steps.iter().filter(|i| i.stage == step.stage).collect();
        let n = in_stage
            .iter()
            .position(|i| std::ptr::eq(*i, step))
            .unwrap_or(0)
            + 1;
        let label = if stages.len() == 1 {
            format!("[{n}/{}]", in_stage.len())
        } else if step.stage == "-" {
            format!("[stage-{stage_index} {n}/{}]", in_stage.len())
        } else {
            format!("[{} {n}/{}]", step.stage, in_stage.len())
        };
        if let Some(rest) = step.text.strip_prefix("FROM ") {
            let base = rest.split_whitespace().next().unwrap_or(rest);
            if stage_names.contains(&base) {
                continue;
            }
            let name = format!("{label} FROM {}@{}", full_image_name(base), digest(rng));
            let v = push(
                &mut vertices,
                name.clone(),
                false,
                t,
                rng.random_range(5..60),
            );
            vertices[v].subs.push(Sub {
                text: format!(
                    "resolve {}",
                    name.split_once(" FROM ").map_or("", |(_, r)| r)
                ),
                start_ms: t,
                end_ms: t + rng.random_range(5..50),
                bytes: None,
            });
            if setup.fresh {
                pull_layers(rng, &mut vertices[v]);
            }
            t = vertices[v].end_ms;
            continue;
        }
        if !context_loaded && step.text.starts_with("COPY") && !step.text.contains("--from") {
            context_loaded = true;
            let ms = rng.random_range(60..1800);
            let v = push(
                &mut vertices,
                "[internal] load build context".to_owned(),
                false,
                t,
                ms,
            );
            vertices[v].subs.push(Sub {
                text: format!(
                    "transferring context: {}",
                    si_bytes(rng.random_range(40_000..90_000_000))
                ),
                start_ms: t,
                end_ms: t + ms - 10,
                bytes: None,
            });
            t = vertices[v].end_ms;
        }
        let runs = setup.fresh
            || (stage_index <= change_stage && k >= change_at)
            || (stage_index > change_stage
                && steps[..=k].iter().any(|i| {
                    i.stage == step.stage
                        && i.text.contains("--from=")
                        && !i.text.contains("--from=ghcr")
                        && !i.text.contains("--from=composer")
                }));
        let name = format!("{label} {}", step.text);
        if !runs {
            push(&mut vertices, name, true, t, 0);
            continue;
        }
        let (lo, hi) = step_secs(step.text);
        let ms = (rng.random_range(lo..=hi) * 1000.0) as u64;
        let v = push(&mut vertices, name, false, t, ms);
        if step.text.starts_with("RUN") {
            vertices[v].logs = run_logs(rng, step.text, ms, setup.packages);
        }
        t = vertices[v].end_ms;
    }

    // The export.
    let layers_ms = rng.random_range(300..5000);
    let v = push(
        &mut vertices,
        "exporting to image".to_owned(),
        false,
        t,
        layers_ms + 60,
    );
    let naming = format!("{}:{}", full_image_name(&setup.image), setup.tag);
    vertices[v].subs = vec![
        Sub {
            text: "exporting layers".to_owned(),
            start_ms: t,
            end_ms: t + layers_ms,
            bytes: None,
        },
        Sub {
            text: format!("writing image {}", digest(rng)),
            start_ms: t + layers_ms,
            end_ms: t + layers_ms + 20,
            bytes: None,
        },
        Sub {
            text: format!("naming to {naming}"),
            start_ms: t + layers_ms + 20,
            end_ms: t + layers_ms + 40,
            bytes: None,
        },
    ];
    let end_ms = vertices[v].end_ms;
    Build { vertices, end_ms }
}

/// A base image pull: layers download side by side, then extract in order.
fn pull_layers(rng: &mut StdRng, vertex: &mut Vertex) {
    let start = vertex.start_ms + 60;
    let rate = rng.random_range(8e6..60e6); // bytes per second
    let count = rng.random_range(2..7);
    let mut layers = Vec::new();
    for i in 0..count {
        let bytes = if i == 0 {
            rng.random_range(3_000_000..55_000_000)
        } else {
            rng.random_range(200..40_000_000)
        };
        let begin = start + rng.random_range(0..400);
        let end = begin + (bytes as f64 / rate * 1000.0) as u64 + 50;
        layers.push((digest(rng), bytes, begin, end));
    }
    let mut extract_at = start;
    for (d, bytes, begin, end) in &layers {
        vertex.subs.push(Sub {
            text: d.clone(),
            start_ms: *begin,
            end_ms: *end,
            bytes: Some(*bytes),
        });
        extract_at = extract_at.max(*end);
    }
    for (d, bytes, _, _) in &layers {
        let ms = (*bytes as f64 / 40e6 * 1000.0) as u64 + rng.random_range(20..300);
        vertex.subs.push(Sub {
            text: format!("extracting {d}"),
            start_ms: extract_at,
            end_ms: extract_at + ms,
            bytes: None,
        });
        extract_at += ms;
    }
    vertex.end_ms = extract_at + 20;
}

/// Shift every time in `build` by `factor` (a fast build machine day).
fn scale(build: &mut Build, factor: f64) {
    let s = |ms: u64| (ms as f64 * factor) as u64;
    for v in &mut build.vertices {
        v.start_ms = s(v.start_ms);
        v.end_ms = s(v.end_ms);
        for sub in &mut v.subs {
            sub.start_ms = s(sub.start_ms);
            sub.end_ms = s(sub.end_ms);
        }
        for (at, _) in &mut v.logs {
            *at = s(*at);
        }
    }
    build.end_ms = s(build.end_ms);
}

fn secs(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

/// A line with `left` and a time right-aligned at `width`.
fn with_time(left: &str, time: &str, width: usize) -> String {
    let room = width.saturating_sub(time.len() + 1);
    format!("{} {time}", kit::pad(left, room))
}

/// The TTY panel at time `t`: header, vertices, subs, the log tail of
/// running steps. `max_lines` keeps a live panel inside the screen.
fn frame(build: &Build, t: u64, width: usize, max_lines: usize) -> Vec<(String, Style)> {
    let finished = t >= build.end_ms;
    let total = build.vertices.len();
    let done = build.vertices.iter().filter(|v| v.end_ms <= t).count();
    let mut header = format!(
        "[+] Building {} ({done}/{total})",
        secs(t.min(build.end_ms))
    );
    if finished {
        header.push_str(" FINISHED");
    }
    let right = "docker:default";
    let header = if kit::width(&header) + right.len() + 2 <= width {
        format!("{} {right}", kit::pad(&header, width - right.len() - 1))
    } else {
        kit::fit(&header, width)
    };
    let mut body = Vec::new();
    for v in build.vertices.iter().filter(|v| v.start_ms <= t) {
        let running = v.end_ms > t;
        let style = if running { RUNNING } else { DONE };
        let shown_ms = t.min(v.end_ms) - v.start_ms;
        let name = if v.cached {
            format!(" => CACHED {}", v.name)
        } else {
            format!(" => {}", v.name)
        };
        body.push((with_time(&name, &secs(shown_ms), width), style));
        for sub in v.subs.iter().filter(|s| s.start_ms <= t) {
            let sub_ms = t.min(sub.end_ms) - sub.start_ms;
            let text = match sub.bytes {
                Some(total) => {
                    let span = (sub.end_ms - sub.start_ms).max(1);
                    let got = total * (t.min(sub.end_ms) - sub.start_ms) / span;
                    format!(
                        " => => {} {} / {}",
                        sub.text,
                        si_bytes(got),
                        si_bytes(total)
                    )
                }
                None => format!(" => => {}", sub.text),
            };
            let sub_style = if sub.end_ms > t { RUNNING } else { DONE };
            body.push((with_time(&text, &secs(sub_ms), width), sub_style));
        }
        if running {
            let seen: Vec<&String> = v
                .logs
                .iter()
                .filter(|(at, _)| v.start_ms + at <= t)
                .map(|(_, l)| l)
                .collect();
            for log in &seen[seen.len().saturating_sub(LOG_TAIL)..] {
                body.push((kit::fit(&format!(" => => # {log}"), width), LOG));
            }
        }
    }
    let keep = max_lines.saturating_sub(1);
    let skip = if finished {
        0
    } else {
        body.len().saturating_sub(keep)
    };
    let mut out = vec![(header, if finished { DONE } else { RUNNING })];
    out.extend(body.into_iter().skip(skip));
    out
}

/// BuildKit's `--progress=plain` log of a build, as `(time, line)`.
fn plain_events(build: &Build) -> Vec<(u64, String)> {
    let mut events = vec![(
        0,
        "#0 building with \"default\" instance using docker driver".to_owned(),
    )];
    for (n, v) in build.vertices.iter().enumerate() {
        let n = n + 1;
        events.push((v.start_ms, String::new()));
        events.push((v.start_ms, format!("#{n} {}", v.name)));
        if v.cached {
            events.push((v.end_ms, format!("#{n} CACHED")));
            continue;
        }
        for (at, log) in &v.logs {
            events.push((
                v.start_ms + at,
                format!("#{n} {:.3} {log}", *at as f64 / 1000.0),
            ));
        }
        for sub in &v.subs {
            let text = match sub.bytes {
                Some(total) => format!("{} {} / {}", sub.text, si_bytes(total), si_bytes(total)),
                None => sub.text.clone(),
            };
            events.push((
                sub.end_ms,
                format!("#{n} {text} {} done", secs(sub.end_ms - sub.start_ms)),
            ));
        }
        events.push((
            v.end_ms,
            format!("#{n} DONE {}", secs(v.end_ms - v.start_ms)),
        ));
    }
    events.sort_by_key(|(t, _)| *t);
    events
}

impl DockerBuild {
    fn one_build(&mut self, host: &Host, left: Duration) -> RunResult {
        let (_, instructions) = self
            .stacks
            .choose(&mut self.rng)
            .cloned()
            .ok_or("no stacks")?;
        let image = (*self.images.choose(&mut self.rng).unwrap_or(&"app")).to_owned();
        let tag = match self.rng.random_range(0..6) {
            0 => "latest".to_owned(),
            1 => kit::hex_digits(7, || self.rng.random_range(0..16)),
            2 => format!("pr-{}", self.rng.random_range(100..4000)),
            3 => "dev".to_owned(),
            _ => format!(
                "{}.{}.{}",
                self.rng.random_range(0..5),
                self.rng.random_range(0..30),
                self.rng.random_range(0..20)
            ),
        };
        let fresh = self.rng.random_bool(0.2);
        let setup = BuildSetup {
            image: image.clone(),
            tag: tag.clone(),
            fresh,
            deps_changed: fresh || self.rng.random_bool(0.35),
            packages: &self.packages,
        };
        let mut build = plan_build(&mut self.rng, &instructions, &setup);
        let allowed = left.as_millis() as u64 - 15_000;
        if build.end_ms > allowed {
            let factor = allowed as f64 / build.end_ms as f64;
            scale(&mut build, factor);
        }
        let flags = *[
            "",
            "",
            "--pull ",
            "-f Dockerfile ",
            "--platform linux/amd64 ",
            "--build-arg APP_ENV=production ",
        ]
        .choose(&mut self.rng)
        .unwrap_or(&"");
        kit::shell_prompt(host, &format!("docker build {flags}-t {image}:{tag} ."), 0)?;
        host.sleep_ms(self.rng.random_range(200..700))?;
        if host.is_terminal() {
            self.show_live(host, &build)
        } else {
            self.show_plain(host, &build)
        }
    }

    /// The redrawn panel, a frame every 100 ms.
    fn show_live(&mut self, host: &Host, build: &Build) -> RunResult {
        let mut block = LiveBlock::new();
        let mut t = 0;
        loop {
            let width = host.width().saturating_sub(1);
            let lines = frame(build, t, width, host.height().saturating_sub(2));
            let styled: Vec<(&str, Style)> = lines.iter().map(|(l, s)| (l.as_str(), *s)).collect();
            block.draw_styled(host, &styled);
            if t >= build.end_ms {
                break;
            }
            let step = FRAME_MS.min(build.end_ms - t);
            host.sleep_ms(step)?;
            t += step;
        }
        block.finish(host);
        Ok(())
    }

    /// The plain log, each line when it happens.
    fn show_plain(&mut self, host: &Host, build: &Build) -> RunResult {
        let mut now = 0;
        for (t, line) in plain_events(build) {
            if t > now {
                host.sleep_ms(t - now)?;
                now = t;
            }
            kit::println_fit(host, &line, Style::plain());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packages() -> Packages {
        Packages {
            all: kit::data_lines(PACKAGES)
                .into_iter()
                .filter_map(|l| {
                    let mut f = l.split('|');
                    Some((f.next()?, f.next()?, f.next()?))
                })
                .collect(),
        }
    }

    fn builds() -> Vec<Build> {
        let packages = packages();
        let mut out = Vec::new();
        for (seed, (_, instructions)) in parse_stacks().into_iter().enumerate() {
            for fresh in [false, true] {
                for deps_changed in [false, true] {
                    let mut rng = StdRng::seed_from_u64(seed as u64);
                    let setup = BuildSetup {
                        image: "acme/api".to_owned(),
                        tag: "1.4.2".to_owned(),
                        fresh,
                        deps_changed,
                        packages: &packages,
                    };
                    out.push(plan_build(&mut rng, &instructions, &setup));
                }
            }
        }
        out
    }

    #[test]
    fn digests_are_sha256_with_64_hex_digits() {
        for build in builds() {
            for v in &build.vertices {
                let texts =
                    std::iter::once(v.name.as_str()).chain(v.subs.iter().map(|s| s.text.as_str()));
                for text in texts {
                    for (i, _) in text.match_indices("sha256:") {
                        let hex: String = text[i + 7..]
                            .chars()
                            .take_while(|c| c.is_ascii_hexdigit())
                            .collect();
                        assert_eq!(hex.len(), 64, "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn vertices_run_one_after_another_and_finish() {
        for build in builds() {
            assert!(
                build
                    .vertices
                    .iter()
                    .all(|v| v.start_ms <= v.end_ms && v.end_ms <= build.end_ms)
            );
            assert!(
                build
                    .vertices
                    .iter()
                    .all(|v| !v.cached || v.logs.is_empty())
            );
            let last = build.vertices.last().unwrap();
            assert_eq!(last.name, "exporting to image");
            assert!(
                last.subs
                    .iter()
                    .any(|s| s.text.starts_with("naming to docker.io/acme/api:1.4.2"))
            );
            // Each stage numbers its steps 1..=n.
            let labels: Vec<&str> = build
                .vertices
                .iter()
                .filter_map(|v| v.name.strip_prefix('['))
                .filter_map(|n| n.split(']').next())
                .filter(|l| l.contains('/'))
                .collect();
            for l in labels {
                let (k, n) = l
                    .rsplit_once(' ')
                    .map_or(l, |(_, r)| r)
                    .split_once('/')
                    .unwrap();
                assert!(
                    k.parse::<u32>().unwrap() <= n.parse::<u32>().unwrap(),
                    "{l}"
                );
            }
        }
    }

    #[test]
    fn panel_fits_and_counts_progress() {
        for build in builds() {
            for t in (0..=build.end_ms + 100).step_by(700) {
                let lines = frame(&build, t, 79, 22);
                assert!(lines.len() <= 22 || t >= build.end_ms);
                assert!(lines.iter().all(|(l, _)| kit::width(l) <= 79), "{lines:?}");
                let done = build.vertices.iter().filter(|v| v.end_ms <= t).count();
                assert!(
                    lines[0]
                        .0
                        .contains(&format!("({done}/{})", build.vertices.len()))
                );
            }
            let last = frame(&build, build.end_ms, 79, 22);
            assert!(last[0].0.contains("FINISHED"));
            assert!(
                last.len() > build.vertices.len(),
                "the final panel shows everything"
            );
        }
    }

    #[test]
    fn plain_log_is_in_time_order() {
        for build in builds() {
            let events = plain_events(&build);
            assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
            let dones = events
                .iter()
                .filter(|(_, l)| l.contains(" DONE ") || l.ends_with(" CACHED"))
                .count();
            assert_eq!(dones, build.vertices.len());
        }
    }

    #[test]
    fn image_names() {
        assert_eq!(
            full_image_name("node:20-alpine"),
            "docker.io/library/node:20-alpine"
        );
        assert_eq!(full_image_name("acme/api"), "docker.io/acme/api");
        assert_eq!(
            full_image_name("gcr.io/distroless/static-debian12:nonroot"),
            "gcr.io/distroless/static-debian12:nonroot"
        );
        assert_eq!(
            full_image_name("localhost:5000/dev/playground"),
            "localhost:5000/dev/playground"
        );
        assert_eq!(si_bytes(532), "532B");
        assert_eq!(si_bytes(45_210_000), "45.21MB");
    }
}
