//! A pytest run: the session header, collection, a line of progress letters
//! per test module with right-aligned percentages, then the failures,
//! warnings, slowest durations, short summary and the coloured final line.
//! The whole suite is planned first (see [`suite`]) so that every printed
//! count agrees with the letters, and the printed time with the clock.

mod suite;

use plugin_api::kit;
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use suite::{Case, Counts, File, Outcome, Pools, Progress};

const FILES: &str = include_str!("../data/files.txt");
const TESTS: &str = include_str!("../data/tests.txt");
const PARAMS: &str = include_str!("../data/params.txt");
const PROJECTS: &str = include_str!("../data/projects.txt");
const PLUGINS: &str = include_str!("../data/plugins.txt");
const FAILURES: &str = include_str!("../data/failures.txt");
const ERRORS: &str = include_str!("../data/errors.txt");
const WARNINGS: &str = include_str!("../data/warnings.txt");

/// Below this many milliseconds of pending test time, letters are printed
/// without a pause: fast tests come out in bursts, as in the real thing.
const BURST_MS: u64 = 25;

/// One pytest session.
pub struct Pytest {
    rng: StdRng,
    files: Vec<File>,
    project: &'static str,
    failures: Vec<Failure>,
    errors: Vec<&'static str>,
    warnings: Vec<&'static str>,
    /// Time spent collecting, before the first test runs.
    collect_ms: u64,
}

/// A traceback tail from `data/failures.txt`.
struct Failure {
    lines: Vec<&'static str>,
    exception: &'static str,
}

impl Module for Pytest {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // A session of 20 s to 5 min, usually one to three minutes.
        let session_ms =
            kit::random::session_length(&mut rng, 20..60, 60..180, 180..260).as_millis() as u64;
        let collect_ms = rng.random_range(400..3500);
        let failures = parse_failures(FAILURES);
        let errors = kit::data_lines(ERRORS);
        let (files, tests, params) = (
            kit::data_lines(FILES),
            kit::data_lines(TESTS),
            kit::data_lines(PARAMS),
        );
        let pools = Pools {
            files: &files,
            tests: &tests,
            params: &params,
            failures: failures.len(),
            errors: errors.len(),
        };
        let budget = session_ms.saturating_sub(collect_ms + 2_000);
        let files = suite::plan(&mut rng, &pools, budget);
        let project = *kit::data_lines(PROJECTS).choose(&mut rng).unwrap_or(&"app");
        Ok(Pytest {
            rng,
            files,
            project,
            failures,
            errors,
            warnings: kit::data_lines(WARNINGS),
            collect_ms,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let started = host.clock();
        let fullwidth = host.width();
        self.header(host, fullwidth)?;
        self.collect(host)?;
        self.run_tests(host, fullwidth)?;
        host.sleep_ms(self.rng.random_range(100..500))?;
        let warnings = self.pick_warnings();
        self.errors_section(host, fullwidth)?;
        self.failures_section(host, fullwidth)?;
        self.warnings_section(host, fullwidth, &warnings)?;
        self.durations_section(host, fullwidth)?;
        self.short_summary(host, fullwidth)?;
        let mut counts = suite::count(&self.files);
        counts.warnings = warnings.len();
        let elapsed = (host.clock() - started).as_millis() as u64;
        final_line(host, fullwidth, &counts, elapsed);
        Ok(())
    }
}

/// Splits `data/failures.txt` into its `%%`-separated blocks.
fn parse_failures(text: &'static str) -> Vec<Failure> {
    text.split("%%\n")
        .skip(1)
        .filter_map(|block| {
            let lines: Vec<&str> = block.lines().collect();
            let (last, body) = lines.split_last()?;
            let exception = last.strip_prefix("@ ")?;
            Some(Failure {
                lines: body.to_vec(),
                exception,
            })
        })
        .collect()
}

/// Prints a `=== title ===` separator in `style`.
fn separator(host: &Host, ch: char, title: &str, fullwidth: usize, style: Style) {
    let title = kit::fit(title, fullwidth.saturating_sub(4));
    let (left, mid, right) = suite::sep(ch, &title, fullwidth);
    host.println_styled(&format!("{left}{mid}{right}"), style);
}

impl Pytest {
    fn header(&mut self, host: &Host, fullwidth: usize) -> RunResult {
        let (python, pytest, pluggy) = *[
            ("3.12.7", "8.3.3", "1.5.0"),
            ("3.12.4", "8.2.2", "1.5.0"),
            ("3.11.10", "8.3.4", "1.5.0"),
            ("3.13.0", "8.3.3", "1.5.0"),
            ("3.10.15", "7.4.4", "1.3.0"),
            ("3.11.9", "8.1.1", "1.4.0"),
        ]
        .choose(&mut self.rng)
        .unwrap_or(&("3.12.7", "8.3.3", "1.5.0"));
        let max = fullwidth - 1;
        separator(
            host,
            '=',
            "test session starts",
            fullwidth,
            Style::plain().bold(),
        );
        let lines = [
            format!("platform linux -- Python {python}, pytest-{pytest}, pluggy-{pluggy}"),
            format!("rootdir: /home/dev/src/{}", self.project),
            format!(
                "configfile: {}",
                ["pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini"]
                    .choose(&mut self.rng)
                    .unwrap_or(&"pyproject.toml")
            ),
            format!("plugins: {}", self.pick_plugins().join(", ")),
        ];
        for line in &lines {
            host.println(&kit::fit(line, max));
        }
        host.sleep_ms(self.rng.random_range(150..600))?;
        Ok(())
    }

    /// A few distinct plugins, one version each.
    fn pick_plugins(&mut self) -> Vec<&'static str> {
        let mut all = kit::data_lines(PLUGINS);
        all.shuffle(&mut self.rng);
        let want = self.rng.random_range(2..7);
        let mut picked: Vec<&'static str> = Vec::new();
        for plugin in all {
            let name = plugin.rsplit_once('-').map_or(plugin, |(n, _)| n);
            if !picked.iter().any(|p| p.starts_with(&format!("{name}-"))) {
                picked.push(plugin);
            }
            if picked.len() == want {
                break;
            }
        }
        picked
    }

    /// "collecting ... 123 items" counting up, then "collected N items".
    fn collect(&mut self, host: &Host) -> RunResult {
        let max = host.width().saturating_sub(1);
        let total = suite::count(&self.files).items();
        let steps = (self.collect_ms / 150).max(1);
        if host.is_terminal() {
            for step in 1..=steps {
                let found = total * step as usize / (steps as usize + 1);
                host.erase_line();
                let text = format!("collecting ... {found} items");
                host.styled(&kit::fit(&text, max), Style::plain().bold());
                host.sleep_ms(self.collect_ms / steps)?;
            }
            host.erase_line();
        } else {
            host.sleep_ms(self.collect_ms)?;
        }
        let noun = if total == 1 { "item" } else { "items" };
        let text = format!("collected {total} {noun}");
        host.println_styled(&kit::fit(&text, max), Style::plain().bold());
        host.newline();
        Ok(())
    }

    /// One line (or more) of letters per module, with percentage tags.
    fn run_tests(&mut self, host: &Host, fullwidth: usize) -> RunResult {
        let total = suite::count(&self.files).items();
        let mut progress = Progress::new(fullwidth, total);
        let mut so_far = Counts::default();
        let mut pending_ms = 0;
        for file in &self.files {
            host.print(&progress.start_file(file.path));
            for case in &file.cases {
                pending_ms += case.total_ms();
                if pending_ms >= BURST_MS {
                    host.sleep_ms(pending_ms)?;
                    pending_ms = 0;
                }
                so_far.add(case.outcome);
                let letter = case.outcome.letter().to_string();
                host.styled(&letter, Style::fg(case.outcome.color()));
                if let Some(tag) = progress.letter() {
                    host.println_styled(&tag, Style::fg(so_far.main_color()));
                }
            }
            if let Some(fill) = progress.fill() {
                host.println_styled(&fill, Style::fg(so_far.main_color()));
            }
        }
        host.sleep_ms(pending_ms)?;
        host.newline();
        Ok(())
    }

    fn pick_warnings(&mut self) -> Vec<(&'static str, String)> {
        if self.rng.random_bool(0.5) {
            return Vec::new();
        }
        let count = self.rng.random_range(1..=4);
        let cases: Vec<(&'static str, &Case)> = self
            .files
            .iter()
            .flat_map(|f| f.cases.iter().map(move |c| (f.path, c)))
            .collect();
        self.warnings
            .sample(&mut self.rng, count)
            .filter_map(|w| {
                let (path, case) = cases.choose(&mut self.rng)?;
                Some((*w, format!("{path}::{}", case.name)))
            })
            .collect()
    }

    fn errors_section(&mut self, host: &Host, fullwidth: usize) -> RunResult {
        let errored: Vec<(&str, &Case)> = with_outcome(&self.files, Outcome::Error);
        if errored.is_empty() {
            return Ok(());
        }
        let red = Style::fg(Color::Red);
        separator(host, '=', "ERRORS", fullwidth, red.bold());
        for (path, case) in errored {
            let title = format!("ERROR at setup of {}", case.name);
            separator(host, '_', &title, fullwidth, red.bold());
            let error = self.errors[case.detail % self.errors.len()];
            let (fixture, message) = error.split_once(": ").unwrap_or(("db", error));
            let lines = [
                format!(
                    "file /home/dev/src/{}/{path}, line {}",
                    self.project, case.line
                ),
                format!("  def {}({fixture}):", case.function()),
                format!(
                    "file /home/dev/src/{}/tests/conftest.py, line 31",
                    self.project
                ),
                "  @pytest.fixture".to_owned(),
                format!("  def {fixture}():"),
            ];
            for line in &lines {
                host.println(&kit::fit(line, fullwidth - 1));
            }
            host.newline();
            host.println_styled(
                &kit::fit(&format!("E       {message}"), fullwidth - 1),
                red.bold(),
            );
            host.newline();
            host.styled(&kit::fit("tests/conftest.py", fullwidth / 2), red.bold());
            let tail = message.split(':').next().unwrap_or("Error");
            let tail = tail.rsplit('.').next().unwrap_or(tail);
            host.println(&kit::fit(&format!(":31: {tail}"), fullwidth / 2));
            host.sleep_ms(self.rng.random_range(30..120))?;
        }
        Ok(())
    }

    fn failures_section(&mut self, host: &Host, fullwidth: usize) -> RunResult {
        let failed: Vec<(&str, &Case)> = with_outcome(&self.files, Outcome::Failed);
        if failed.is_empty() {
            return Ok(());
        }
        let red = Style::fg(Color::Red);
        separator(host, '=', "FAILURES", fullwidth, red.bold());
        for (path, case) in failed {
            separator(host, '_', &case.name, fullwidth, red.bold());
            host.newline();
            let failure = &self.failures[case.detail % self.failures.len()];
            for line in &failure.lines {
                let line = line.replace("{test}", case.function());
                let line = kit::fit(&line, fullwidth - 1);
                if line.starts_with('E') {
                    host.println_styled(&line, red.bold());
                } else if line.starts_with('>') {
                    host.println_styled(&line, Style::plain().bold());
                } else {
                    host.println(&line);
                }
            }
            host.newline();
            host.styled(&kit::fit(path, fullwidth / 2), red.bold());
            let location = format!(":{}: {}", case.line, failure.exception);
            host.println(&kit::fit(&location, (fullwidth / 2).saturating_sub(1)));
            host.sleep_ms(self.rng.random_range(30..150))?;
        }
        Ok(())
    }

    fn warnings_section(
        &mut self,
        host: &Host,
        fullwidth: usize,
        warnings: &[(&str, String)],
    ) -> RunResult {
        if warnings.is_empty() {
            return Ok(());
        }
        let max = fullwidth - 1;
        separator(
            host,
            '=',
            "warnings summary",
            fullwidth,
            Style::fg(Color::Yellow),
        );
        for (warning, nodeid) in warnings {
            let mut parts = warning.split(" | ");
            let location = parts.next().unwrap_or_default();
            let message = parts.next().unwrap_or_default();
            let source = parts.next().unwrap_or_default();
            host.println(&kit::fit(nodeid, max));
            let where_ = format!("  /home/dev/src/{}/{location}: {message}", self.project);
            host.println(&kit::fit(&where_, max));
            host.println(&kit::fit(&format!("    {source}"), max));
            host.newline();
        }
        host.println(&kit::fit(
            "-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html",
            max,
        ));
        host.sleep_ms(self.rng.random_range(30..120))?;
        Ok(())
    }

    /// The ten slowest phases, from the durations the tests actually took.
    fn durations_section(&mut self, host: &Host, fullwidth: usize) -> RunResult {
        let mut phases: Vec<(u64, &str, String)> = Vec::new();
        for file in &self.files {
            for case in &file.cases {
                let nodeid = format!("{}::{}", file.path, case.name);
                phases.push((case.setup_ms, "setup", nodeid.clone()));
                phases.push((case.call_ms, "call", nodeid.clone()));
                phases.push((case.teardown_ms, "teardown", nodeid));
            }
        }
        phases.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        let hidden = phases.iter().skip(10).filter(|p| p.0 < 5).count();
        separator(host, '=', "slowest 10 durations", fullwidth, Style::plain());
        for (ms, when, nodeid) in phases.iter().take(10) {
            let line = format!("{:.2}s {when:<8} {nodeid}", *ms as f64 / 1000.0);
            host.println(&kit::fit(&line, fullwidth - 1));
        }
        if hidden > 0 {
            host.newline();
            let note =
                format!("({hidden} durations < 0.005s hidden.  Use -vv to show these durations.)");
            host.println(&kit::fit(&note, fullwidth - 1));
        }
        host.sleep_ms(self.rng.random_range(20..80))?;
        Ok(())
    }

    /// "FAILED path::test - message" lines, cut to the terminal as pytest does.
    fn short_summary(&mut self, host: &Host, fullwidth: usize) -> RunResult {
        let mut lines: Vec<(&str, String)> = Vec::new();
        for (path, case) in with_outcome(&self.files, Outcome::Failed) {
            let failure = &self.failures[case.detail % self.failures.len()];
            let message = failure
                .lines
                .iter()
                .find_map(|l| l.strip_prefix('E'))
                .map_or("", |m| m.trim());
            lines.push(("FAILED", format!(" {path}::{} - {message}", case.name)));
        }
        for (path, case) in with_outcome(&self.files, Outcome::Error) {
            let error = self.errors[case.detail % self.errors.len()];
            let message = error.split_once(": ").map_or(error, |e| e.1);
            lines.push(("ERROR", format!(" {path}::{} - {message}", case.name)));
        }
        if lines.is_empty() {
            return Ok(());
        }
        separator(
            host,
            '=',
            "short test summary info",
            fullwidth,
            Style::fg(Color::Cyan),
        );
        for (word, rest) in lines {
            host.styled(word, Style::fg(Color::Red));
            host.println(&kit::fit(&rest, fullwidth.saturating_sub(1 + word.len())));
        }
        Ok(())
    }
}

/// The items that ended with `outcome`, with their module paths.
fn with_outcome(files: &[File], outcome: Outcome) -> Vec<(&'static str, &Case)> {
    files
        .iter()
        .flat_map(|f| f.cases.iter().map(move |c| (f.path, c)))
        .filter(|(_, c)| c.outcome == outcome)
        .collect()
}

/// "===== 2 failed, 1180 passed in 84.21s (0:01:24) =====", each part coloured.
fn final_line(host: &Host, fullwidth: usize, counts: &Counts, elapsed_ms: u64) {
    let parts = counts.parts();
    let time = format!(" in {}", suite::session_time(elapsed_ms));
    let plain: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
    let title = format!("{}{time}", plain.join(", "));
    let main = Style::fg(counts.main_color());
    if kit::width(&title) >= fullwidth {
        host.println_styled(&kit::fit(&title, fullwidth - 1), main.bold());
        return;
    }
    // Too narrow for the `=` fill: the coloured parts alone.
    let (left, right) = if kit::width(&title) + 4 > fullwidth {
        (String::new(), String::new())
    } else {
        let (left, _, right) = suite::sep('=', &title, fullwidth);
        (format!("{left} "), format!(" {right}"))
    };
    host.styled(&left, main);
    for (i, (text, color)) in parts.iter().enumerate() {
        if i > 0 {
            host.styled(", ", main);
        }
        let style = Style::fg(*color);
        let style = if *color == counts.main_color() {
            style.bold()
        } else {
            style
        };
        host.styled(text, style);
    }
    host.styled(&time, main);
    host.println_styled(&right, main);
}

plugin_api::export_module! {
    module: Pytest,
    name: "pytest",
    version: env!("CARGO_PKG_VERSION"),
    description: "A pytest run: progress letters, failures, durations and the summary",
    signature: "pytest --durations=10",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_templates_parse() {
        let failures = parse_failures(FAILURES);
        assert!(failures.len() >= 12);
        for f in &failures {
            assert!(f.lines.iter().any(|l| l.starts_with('E')));
            assert!(f.lines.iter().any(|l| l.contains("{test}")));
        }
    }

    #[test]
    fn warnings_have_three_parts() {
        for w in kit::data_lines(WARNINGS) {
            assert_eq!(w.split(" | ").count(), 3, "{w}");
        }
    }
}
