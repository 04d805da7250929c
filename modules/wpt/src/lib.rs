//! A web-platform-tests run (`./wpt run chrome dom/ fetch/ ...`): the
//! runner starting its servers and the browser, then each test's TEST-START,
//! subtest results and TEST-OK/TEST-PASS with its duration, occasional
//! unexpected failures and timeouts, and mozlog's closing summary. The run
//! is planned up front (see [`run`]) so the summary counts are exactly the
//! results printed, and it ends by itself when the last test is done.

mod run;

use plugin_api::kit;
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use run::{Status, Subtest, Test, Tone};

const TESTS: &str = include_str!("../data/tests.txt");
const SUBTESTS: &str = include_str!("../data/subtests.txt");
const MESSAGES: &str = include_str!("../data/messages.txt");
const VARIANTS: &str = include_str!("../data/variants.txt");

/// How long testharness.js waits before declaring a test timed out.
const TIMEOUT_MS: u64 = 10_000;

/// One wpt run.
pub struct Wpt {
    rng: StdRng,
    product: &'static str,
    dirs: Vec<String>,
    tests: Vec<Test>,
}

impl Module for Wpt {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // A session of 30 s to about 4.5 min, usually one to three minutes.
        let session_ms =
            kit::random::session_length(&mut rng, 30..60, 60..180, 180..260).as_millis() as u64;
        let product = *["chrome", "chrome", "firefox", "chromium", "edge"]
            .choose(&mut rng)
            .unwrap_or(&"chrome");
        let (dirs, tests) = plan(&mut rng, session_ms.saturating_sub(6_000));
        Ok(Wpt {
            rng,
            product,
            dirs,
            tests,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.start_runner(host)?;
        let started = host.clock();
        println_tone(
            host,
            &format!("SUITE-START | Running {} tests", self.tests.len()),
            Tone::Info,
        );
        for i in 0..self.tests.len() {
            self.run_test(host, i)?;
        }
        let took = (host.clock() - started).as_secs();
        println_tone(host, &format!("SUITE-END | took {took}s"), Tone::Info);
        host.newline();
        for (line, tone) in run::summary_lines(&self.tests) {
            println_tone(host, &line, tone);
            host.sleep_ms(self.rng.random_range(5..30))?;
        }
        Ok(())
    }
}

/// The top directory of a test path: `/dom/nodes/x.html` -> `dom`.
fn area(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// Picks the directories to run and plans every test in them, fitted to
/// about `budget_ms` of running time.
fn plan(rng: &mut StdRng, budget_ms: u64) -> (Vec<String>, Vec<Test>) {
    let all = kit::data_lines(TESTS);
    let mut areas: Vec<&str> = all
        .iter()
        .map(|l| area(l.trim_start_matches("R ")))
        .collect();
    areas.sort_unstable();
    areas.dedup();
    areas.shuffle(rng);

    let subtests = kit::data_lines(SUBTESTS);
    let messages = kit::data_lines(MESSAGES);
    let fail_rate = rng.random_range(0.001..0.012);
    let known_rate = rng.random_range(0.01..0.05);

    // Directories are added until there is enough to fill the session.
    let mut dirs = Vec::new();
    let mut tests: Vec<Test> = Vec::new();
    let mut total_ms = 0;
    for dir in areas {
        if total_ms >= budget_ms && tests.len() >= 20 {
            break;
        }
        dirs.push(format!("{dir}/"));
        let mut paths: Vec<(String, bool)> = Vec::new();
        for line in all
            .iter()
            .filter(|l| area(l.trim_start_matches("R ")) == dir)
        {
            let reftest = line.starts_with("R ");
            let path = line.trim_start_matches("R ").to_owned();
            // .any.js tests run in a window and in a dedicated worker.
            if let Some(stem) = path.strip_suffix(".any.html") {
                paths.push((format!("{stem}.any.worker.html"), false));
            }
            paths.push((path, reftest));
        }
        paths.sort();
        for (path, reftest) in paths {
            let test = plan_test(
                rng, &path, reftest, &subtests, &messages, fail_rate, known_rate,
            );
            total_ms += test.ms;
            tests.push(test);
        }
    }
    // Too much: the run is cut to fit (wpt would be given fewer paths).
    while total_ms > budget_ms && tests.len() > 20 {
        if let Some(t) = tests.pop() {
            total_ms -= t.ms;
        }
    }
    (dirs, tests)
}

fn plan_test(
    rng: &mut StdRng,
    path: &str,
    reftest: bool,
    subtests: &[&'static str],
    messages: &[&'static str],
    fail_rate: f64,
    known_rate: f64,
) -> Test {
    if reftest {
        let failed = rng.random_bool(0.03);
        return Test {
            path: path.to_owned(),
            reftest,
            status: if failed { Status::Fail } else { Status::Pass },
            expected: Status::Pass,
            subtests: Vec::new(),
            ms: rng.random_range(150..900),
        };
    }
    let names: Vec<&str> = subtests
        .iter()
        .filter_map(|l| l.split_once('|'))
        .filter(|(a, _)| *a == area(path))
        .map(|(_, n)| n)
        .collect();
    let count = match rng.random_range(0..10) {
        0..=3 => 1,
        4..=7 => rng.random_range(2..9),
        _ => rng.random_range(9..50),
    };
    // Distinct names: the area's cases first, then cases with variants.
    let mut pool: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    pool.shuffle(rng);
    let variants: Vec<&str> = VARIANTS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let mut subs = Vec::with_capacity(count);
    for i in 0..count {
        let name = match pool.get(i) {
            Some(n) => n.clone(),
            None => {
                let base = names.choose(rng).copied().unwrap_or("basic behaviour");
                let variant = variants.choose(rng).copied().unwrap_or(" (null)");
                format!("{base}{variant}")
            }
        };
        let message = messages
            .choose(rng)
            .copied()
            .unwrap_or("assert_true: expected true got false")
            .to_owned();
        let (status, expected) = if rng.random_bool(known_rate) {
            // Listed as failing in the metadata; now and then it passes.
            if rng.random_bool(0.1) {
                (Status::Pass, Status::Fail)
            } else {
                (Status::Fail, Status::Fail)
            }
        } else if rng.random_bool(fail_rate) {
            (Status::Fail, Status::Pass)
        } else {
            (Status::Pass, Status::Pass)
        };
        subs.push(Subtest {
            name,
            status,
            expected,
            message,
        });
    }
    subs.sort_by(|a, b| a.name.cmp(&b.name));
    subs.dedup_by(|a, b| a.name == b.name);

    let mut status = Status::Ok;
    let mut ms = rng.random_range(60..1200) + 25 * subs.len() as u64;
    match rng.random_range(0..1000) {
        0..=9 => {
            // Harness timeout: the subtest in flight times out, the rest never run.
            status = Status::Timeout;
            ms = TIMEOUT_MS + rng.random_range(5..60);
            let cut = rng.random_range(0..subs.len());
            subs[cut].status = Status::Timeout;
            subs[cut].message = "Test timed out".to_owned();
            for s in &mut subs[cut + 1..] {
                s.status = Status::NotRun;
                s.message.clear();
            }
        }
        10..=12 => {
            status = Status::Crash;
            subs.clear();
            ms = rng.random_range(800..4000);
        }
        13..=17 => {
            status = Status::Error;
            subs.truncate(1);
        }
        _ => {}
    }
    Test {
        path: path.to_owned(),
        reftest,
        status,
        expected: Status::Ok,
        subtests: subs,
        ms,
    }
}

/// Prints a line with its leading status word coloured by `tone`.
fn println_tone(host: &Host, line: &str, tone: Tone) {
    let line = kit::fit(line, host.width().saturating_sub(1));
    let style = match tone {
        Tone::Start => Style::plain().bold(),
        Tone::Good => Style::fg(Color::Green),
        Tone::Known => Style::fg(Color::Yellow),
        Tone::Bad => Style::fg(Color::Red).bold(),
        Tone::Info => Style::plain(),
    };
    match line.split_once(" | ") {
        Some((word, rest)) => {
            host.styled(word, style);
            host.styled(" | ", Style::plain().dim());
            host.println(rest);
        }
        None if tone == Tone::Info => host.println_styled(&line, Style::plain().dim()),
        None => host.println_styled(&line, style),
    }
}

impl Wpt {
    /// The runner's start-up: servers, then the browser and its driver.
    fn start_runner(&mut self, host: &Host) -> RunResult {
        let command = format!(
            "./wpt run --log-tbpl=- --channel=stable {} {}",
            self.product,
            self.dirs.join(" ")
        );
        host.styled("~/wpt $ ", Style::fg(Color::Blue));
        host.println_styled(
            &kit::fit(&command, host.width().saturating_sub(9)),
            Style::plain().bold(),
        );
        let driver = match self.product {
            "firefox" => "geckodriver",
            "edge" => "msedgedriver",
            _ => "chromedriver",
        };
        let version = match self.product {
            "firefox" => "133.0",
            "edge" => "131.0.2903.70",
            _ => "131.0.6778.85",
        };
        let port = self.rng.random_range(30_000..60_000);
        let steps: Vec<(u64, String)> = vec![
            (300, "Using 1 child processes".to_owned()),
            (20, "Using 1 client processes".to_owned()),
            (
                600,
                "Starting http server on http://web-platform.test:8000".to_owned(),
            ),
            (
                10,
                "Starting http server on http://web-platform.test:8001".to_owned(),
            ),
            (
                10,
                "Starting https server on https://web-platform.test:8443".to_owned(),
            ),
            (
                10,
                "Starting https server on https://web-platform.test:8444".to_owned(),
            ),
            (
                80,
                "Starting http2 server on https://web-platform.test:9000".to_owned(),
            ),
            (
                60,
                "Starting ws server on ws://web-platform.test:8888".to_owned(),
            ),
            (
                10,
                "Starting wss server on wss://web-platform.test:8889".to_owned(),
            ),
            (
                90,
                "Starting webtransport-h3 server on https://web-platform.test:11000".to_owned(),
            ),
            (1200, "Starting runner".to_owned()),
            (
                60,
                format!("Starting {driver} with command: /usr/local/bin/{driver} --port={port}"),
            ),
            (1300, format!("Browser version: {version}")),
        ];
        for (ms, text) in steps {
            host.sleep_ms(ms + self.rng.random_range(0..ms / 2 + 1))?;
            let clock = host.clock();
            let stamp = format!(
                "{:>2}:{:05.2}",
                clock.as_secs() / 60,
                clock.as_secs_f64() % 60.0
            );
            host.styled(&stamp, Style::plain().dim());
            host.styled(" INFO ", Style::fg(Color::Cyan));
            host.println(&kit::fit(&text, host.width().saturating_sub(15)));
        }
        host.sleep_ms(self.rng.random_range(200..800))?;
        Ok(())
    }

    /// TEST-START, the wait while the browser runs it, then its results.
    fn run_test(&mut self, host: &Host, index: usize) -> RunResult {
        let test = &self.tests[index];
        let lines = run::lines(test);
        let Some(((start, tone), rest)) = lines.split_first() else {
            return Ok(());
        };
        println_tone(host, start, *tone);
        host.sleep_ms(test.ms)?;
        for (i, (line, tone)) in rest.iter().enumerate() {
            println_tone(host, line, *tone);
            // Results of a test arrive in one message: a burst.
            if i % 12 == 11 {
                host.sleep_ms(1)?;
            }
        }
        host.sleep_ms(self.rng.random_range(10..60))?;
        Ok(())
    }
}

plugin_api::export_module! {
    module: Wpt,
    name: "wpt",
    version: env!("CARGO_PKG_VERSION"),
    description: "A web-platform-tests run against a browser, with its summary",
    signature: "./wpt run chrome dom/ fetch/",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_fit_the_budget_and_end() {
        for seed in 0..30 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (dirs, tests) = plan(&mut rng, 120_000);
            assert!(!dirs.is_empty());
            assert!(tests.len() >= 20);
            let total: u64 = tests.iter().map(|t| t.ms).sum();
            assert!(total <= 120_000 || tests.len() == 20, "{total}");
            assert!(total > 15_000, "{total}");
            let summary = run::summarize(&tests);
            assert_eq!(summary.tests, tests.len());
        }
    }

    #[test]
    fn every_area_has_subtest_names() {
        let subtests = kit::data_lines(SUBTESTS);
        for line in kit::data_lines(TESTS) {
            let path = line.trim_start_matches("R ");
            if line.starts_with("R ") {
                continue;
            }
            let a = area(path);
            assert!(
                subtests.iter().any(|s| s.starts_with(&format!("{a}|"))),
                "{a}"
            );
        }
    }
}
