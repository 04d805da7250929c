//! `git_clone`: `git clone` of well-known repositories, with the server's
//! enumerate/count/compress phases, the receive bar and delta resolution.
//!
//! The "Receiving objects" line is driven by a [`Transfer`] that counts bytes
//! against the simulated time it slept, so the size and rate shown always
//! agree: bytes received in the window / window length = rate.

use std::time::Duration;

use plugin_api::kit::{self, Transfer};
use plugin_api::{Host, Module, Options, RunResult, Style};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

const REPOS: &str = include_str!("../data/repos.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(285);

/// How far back git's throughput display looks.
const WINDOW_MS: u64 = 2000;

const MIB: f64 = 1024.0 * 1024.0;

/// A repository and the numbers its clone produces.
#[derive(Debug, Clone, Copy)]
struct Repo {
    url: &'static str,
    flags: &'static str,
    objects: u64,
    pack_bytes: u64,
    deltas: u64,
    files: u64,
}

/// One clone decided up front, with every speed it will run at.
struct Plan {
    repo: Repo,
    /// Network bytes per second.
    rate: f64,
    /// Deltas resolved per second (CPU bound).
    delta_rate: f64,
    /// Files written per second at checkout (disk bound).
    file_rate: f64,
}

impl Plan {
    /// Rough length of the whole clone, to keep the session in bounds.
    fn estimate_secs(&self) -> f64 {
        3.0 + self.repo.pack_bytes as f64 / self.rate
            + self.repo.deltas as f64 / self.delta_rate
            + self.repo.files as f64 / self.file_rate
    }
}

pub struct GitClone {
    rng: StdRng,
    repos: Vec<Repo>,
    budget: Duration,
    /// This machine's typical download speed, bytes per second.
    line_rate: f64,
}

impl Module for GitClone {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let budget = Duration::from_secs(rng.random_range(25..=100) + rng.random_range(0..=140));
        // Log-uniform between 1.5 MiB/s and 60 MiB/s.
        let line_rate = 1.5 * MIB * (rng.random_range(0.0..1.0f64) * 40.0f64.ln()).exp();
        Ok(GitClone {
            rng,
            repos: parse_repos(),
            budget,
            line_rate,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let mut first = true;
        while host.clock() < self.budget {
            let left = HARD_CAP.saturating_sub(host.clock());
            let Some(plan) = self.plan(left) else { break };
            if !first {
                host.newline();
                host.sleep_ms(self.rng.random_range(1200..4000))?;
            }
            first = false;
            self.clone_repo(host, &plan)?;
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: GitClone,
    name: "git_clone",
    version: env!("CARGO_PKG_VERSION"),
    description: "git clone of large open-source repositories",
    signature: "git clone https://github.com/torvalds/linux.git",
}

fn parse_repos() -> Vec<Repo> {
    kit::data_lines(REPOS)
        .into_iter()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('|').collect();
            let [url, flags, objects, mib, deltas, files] = f[..] else {
                return None;
            };
            Some(Repo {
                url,
                flags: if flags == "-" { "" } else { flags },
                objects: objects.parse().ok()?,
                pack_bytes: (mib.parse::<f64>().ok()? * MIB) as u64,
                deltas: deltas.parse().ok()?,
                files: files.parse().ok()?,
            })
        })
        .collect()
}

impl GitClone {
    /// A repository whose clone fits the time left (and two and a half
    /// minutes at most, so sessions show several).
    fn plan(&mut self, left: Duration) -> Option<Plan> {
        let max_secs = left.as_secs_f64().min(150.0) - 4.0;
        for _ in 0..40 {
            let repo = *self.repos.choose(&mut self.rng)?;
            let plan = Plan {
                repo,
                rate: self.line_rate * self.rng.random_range(0.5..1.1),
                delta_rate: self.rng.random_range(40_000.0..220_000.0),
                file_rate: self.rng.random_range(6_000.0..30_000.0),
            };
            if plan.estimate_secs() <= max_secs {
                return Some(plan);
            }
        }
        None
    }

    fn clone_repo(&mut self, host: &Host, plan: &Plan) -> RunResult {
        let repo = plan.repo;
        let flags = if repo.flags.is_empty() {
            String::new()
        } else {
            format!("{} ", repo.flags)
        };
        kit::shell_prompt(host, &format!("git clone {flags}{}", repo.url), 0)?;
        host.sleep_ms(self.rng.random_range(150..450))?;
        kit::println_fit(
            host,
            &format!("Cloning into '{}'...", repo_dir(repo.url)),
            Style::plain(),
        );
        host.sleep_ms(self.rng.random_range(300..1400))?;

        // A full clone of a big repository is served mostly from a reused
        // pack; the server only counts and compresses what is newer.
        let shallow = !repo.flags.is_empty();
        let reused_pack = if shallow || repo.objects < 20_000 {
            0
        } else {
            (repo.objects as f64 * self.rng.random_range(0.93..0.999)) as u64
        };
        let counted = repo.objects - reused_pack;
        let compressed = (counted as f64 * self.rng.random_range(0.55..0.97)) as u64;

        kit::println_fit(
            host,
            &format!("remote: Enumerating objects: {}, done.", repo.objects),
            Style::plain(),
        );
        host.sleep_ms(self.rng.random_range(100..500))?;
        let ms = self.rng.random_range(200..1500);
        self.quick_progress(host, "remote: Counting objects", counted, ms)?;
        let ms = self.rng.random_range(300..3000);
        self.quick_progress(host, "remote: Compressing objects", compressed, ms)?;
        let reused = (counted as f64 * self.rng.random_range(0.2..0.8)) as u64;
        let reused_deltas = (reused as f64 * self.rng.random_range(0.3..0.7)) as u64;
        let from = if reused_pack > 0 {
            self.rng.random_range(1..4)
        } else {
            0
        };
        kit::println_fit(
            host,
            &format!(
                "remote: Total {} (delta {}), reused {reused} (delta {}), pack-reused {reused_pack} (from {from})",
                repo.objects,
                repo.deltas,
                reused_deltas.min(repo.deltas)
            ),
            Style::plain(),
        );

        self.receive(host, plan)?;
        let ms = (repo.deltas as f64 / plan.delta_rate * 1000.0) as u64;
        self.counted_progress(host, "Resolving deltas", repo.deltas, ms.max(100))?;
        let ms = (repo.files as f64 / plan.file_rate * 1000.0) as u64;
        if ms >= 2000 {
            self.counted_progress(host, "Updating files", repo.files, ms)?;
        } else {
            host.sleep_ms(ms)?;
        }
        Ok(())
    }

    /// The receive phase: objects and bytes arrive together.
    fn receive(&mut self, host: &Host, plan: &Plan) -> RunResult {
        let objects = plan.repo.objects;
        let mut transfer = Transfer::new(plan.repo.pack_bytes, WINDOW_MS);
        let rate = plan.rate.max(1.0);
        let mut speed = 1.0;
        let live = host.is_terminal();
        let mut next_quarter = 1;
        while !transfer.done() {
            speed = drift(&mut self.rng, speed);
            let ms = transfer.advance(rate * speed, 200);
            host.sleep_ms(ms)?;
            let received = objects_of(&transfer, objects);
            let done = transfer.done();
            let line = progress_line(
                "Receiving objects",
                received,
                objects,
                Some(&throughput(&transfer)),
                done,
            );
            if live {
                redraw(host, &line);
            } else if done || transfer.fraction() >= f64::from(next_quarter) * 0.25 {
                kit::println_fit(host, &line, Style::plain());
                next_quarter += 1;
            }
        }
        if live {
            host.newline();
        }
        Ok(())
    }

    /// A short count-up the server draws with `\r`, ending in ", done.".
    fn quick_progress(&mut self, host: &Host, title: &str, total: u64, ms: u64) -> RunResult {
        if total == 0 {
            return Ok(());
        }
        self.counted_progress(host, title, total, ms)
    }

    /// Count `0..=total` over `ms` simulated milliseconds, a frame every
    /// ~150 ms on a terminal, quarters otherwise.
    fn counted_progress(&mut self, host: &Host, title: &str, total: u64, ms: u64) -> RunResult {
        let live = host.is_terminal();
        let frames = (ms / 150).max(1);
        let mut next_quarter = 1;
        for frame in 1..=frames {
            let step = if frame == frames {
                ms - 150 * (frames - 1)
            } else {
                150
            };
            host.sleep_ms(step)?;
            let done_count = total * frame / frames;
            let finished = frame == frames;
            let line = progress_line(title, done_count, total, None, finished);
            let fraction = frame as f64 / frames as f64;
            if live {
                redraw(host, &line);
            } else if finished || fraction >= f64::from(next_quarter) * 0.25 {
                kit::println_fit(host, &line, Style::plain());
                next_quarter += 1;
            }
        }
        if live {
            host.newline();
        }
        Ok(())
    }
}

/// The link's speed factor after one more tick: it wanders around 1 like a
/// real connection's.
fn drift(rng: &mut StdRng, speed: f64) -> f64 {
    kit::random::drift(rng, speed, 0.1, 0.6..=1.35)
}

/// How many of a pack's `objects` have arrived, in step with its bytes.
fn objects_of(t: &Transfer, objects: u64) -> u64 {
    if t.done() {
        objects
    } else {
        (objects as f64 * t.fraction()) as u64
    }
}

/// `120.50 MiB | 11.20 MiB/s`.
fn throughput(t: &Transfer) -> String {
    format!(
        "{} | {}/s",
        git_bytes(t.received()),
        git_bytes(t.current_rate() as u64)
    )
}

/// `Receiving objects:  45% (55555/123456), 120.50 MiB | 11.20 MiB/s`.
fn progress_line(
    title: &str,
    done: u64,
    total: u64,
    extra: Option<&str>,
    finished: bool,
) -> String {
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    let mut line = format!("{title}: {percent:>3}% ({done}/{total})");
    if let Some(extra) = extra {
        line.push_str(", ");
        line.push_str(extra);
    }
    if finished {
        line.push_str(", done.");
    }
    line
}

/// git's byte counts: two truncated decimals in binary units.
fn git_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let whole = bytes / unit;
            let hundredths = (bytes % unit) * 100 / unit;
            return format!("{whole}.{hundredths:02} {name}");
        }
    }
    format!("{bytes} bytes")
}

/// `linux` out of `https://github.com/torvalds/linux.git`.
fn repo_dir(url: &str) -> &str {
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
    last.strip_suffix(".git").unwrap_or(last)
}

/// Replace the current line (single-line progress on a terminal).
fn redraw(host: &Host, line: &str) {
    host.erase_line();
    host.print(&kit::fit(line, host.width().saturating_sub(1)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_bytes_over_time_is_the_rate() {
        let mut rng = StdRng::seed_from_u64(5);
        let mut t = Transfer::new((254.6 * MIB) as u64, WINDOW_MS);
        let mut speed = 1.0;
        let mut slept = 0;
        while !t.done() {
            speed = drift(&mut rng, speed);
            slept += t.advance(11.0 * MIB * speed, 200);
            assert!(objects_of(&t, 92112) <= 92112);
        }
        assert_eq!(slept, t.elapsed_ms());
        assert_eq!(objects_of(&t, 92112), 92112);
        let avg = t.received() as f64 / (t.elapsed_ms() as f64 / 1000.0);
        assert!((avg / (11.0 * MIB) - 1.0).abs() < 0.3, "average {avg}");
    }

    #[test]
    fn lines_look_like_git() {
        assert_eq!(git_bytes(126_353_408), "120.50 MiB");
        assert_eq!(git_bytes(11_744_052), "11.20 MiB");
        assert_eq!(git_bytes(900), "900 bytes");
        assert_eq!(git_bytes(3 << 30), "3.00 GiB");
        assert_eq!(
            progress_line(
                "Receiving objects",
                55556,
                123456,
                Some("120.50 MiB | 11.20 MiB/s"),
                false
            ),
            "Receiving objects:  45% (55556/123456), 120.50 MiB | 11.20 MiB/s"
        );
        assert_eq!(
            progress_line("Resolving deltas", 6873, 6873, None, true),
            "Resolving deltas: 100% (6873/6873), done."
        );
        assert_eq!(repo_dir("https://github.com/torvalds/linux.git"), "linux");
        assert_eq!(repo_dir("https://github.com/vercel/next.js.git"), "next.js");
    }

    #[test]
    fn data_parses_and_is_sane() {
        let repos = parse_repos();
        assert_eq!(repos.len(), kit::data_lines(REPOS).len());
        assert!(repos.len() > 60);
        for r in repos {
            assert!(r.objects >= r.files / 2, "{}", r.url);
            assert!(r.deltas < r.objects, "{}", r.url);
        }
    }

    #[test]
    fn plans_fit_the_time_left() {
        let mut m = GitClone {
            rng: StdRng::seed_from_u64(11),
            repos: parse_repos(),
            budget: Duration::from_secs(100),
            line_rate: 3.0 * MIB,
        };
        for left in [300, 120, 40, 12] {
            if let Some(plan) = m.plan(Duration::from_secs(left)) {
                assert!(plan.estimate_secs() <= left as f64);
            }
        }
    }
}
