//! The test suite a session runs, planned up front so that every number the
//! run prints (letters, percentages, the summary line, the slowest
//! durations) comes from one list of outcomes and durations.

use plugin_api::Color;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, rngs::StdRng};

/// What happened to one test, in the order pytest's summary line lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Failed,
    Passed,
    Skipped,
    XFailed,
    XPassed,
    Error,
}

impl Outcome {
    /// The progress letter pytest prints for the outcome.
    pub fn letter(self) -> char {
        match self {
            Outcome::Failed => 'F',
            Outcome::Passed => '.',
            Outcome::Skipped => 's',
            Outcome::XFailed => 'x',
            Outcome::XPassed => 'X',
            Outcome::Error => 'E',
        }
    }

    /// The letter's colour.
    pub fn color(self) -> Color {
        match self {
            Outcome::Failed | Outcome::Error => Color::Red,
            Outcome::Passed => Color::Green,
            Outcome::Skipped | Outcome::XFailed | Outcome::XPassed => Color::Yellow,
        }
    }
}

/// One test item.
#[derive(Debug, Clone)]
pub struct Case {
    /// Function name with an optional `[param]` id.
    pub name: String,
    pub outcome: Outcome,
    pub setup_ms: u64,
    pub call_ms: u64,
    pub teardown_ms: u64,
    /// Which traceback (failures) or setup error (errors) to show.
    pub detail: usize,
    /// Line number in the test module for the failure location.
    pub line: u32,
}

impl Case {
    /// Simulated time the test takes, all phases.
    pub fn total_ms(&self) -> u64 {
        self.setup_ms + self.call_ms + self.teardown_ms
    }

    /// The bare function name, without the parametrize id.
    pub fn function(&self) -> &str {
        self.name.split('[').next().unwrap_or(&self.name)
    }
}

/// One test module and its items, in run order.
#[derive(Debug, Clone)]
pub struct File {
    pub path: &'static str,
    pub cases: Vec<Case>,
}

/// The names the planner draws from.
pub struct Pools<'a> {
    pub files: &'a [&'static str],
    pub tests: &'a [&'static str],
    pub params: &'a [&'static str],
    pub failures: usize,
    pub errors: usize,
}

/// Plans a suite whose tests take about `budget_ms` of simulated time.
pub fn plan(rng: &mut StdRng, pools: &Pools, budget_ms: u64) -> Vec<File> {
    // Suites differ: some are many fast unit tests, some fewer slow ones.
    let mean_ms = rng.random_range(20..140);
    let total = (budget_ms / mean_ms).clamp(25, 4000) as usize;
    let file_count = (total / rng.random_range(8..40)).clamp(1, pools.files.len());

    let mut paths: Vec<&'static str> = pools.files.to_vec();
    paths.shuffle(rng);
    paths.truncate(file_count);
    // pytest collects in directory order.
    paths.sort_unstable();

    let weights: Vec<f64> = (0..file_count)
        .map(|_| rng.random_range(0.2..2.0))
        .collect();
    let weight_sum: f64 = weights.iter().sum();
    let mut files: Vec<File> = paths
        .iter()
        .zip(&weights)
        .map(|(path, w)| {
            let n = ((total as f64 * w / weight_sum).round() as usize).max(1);
            File {
                path,
                cases: plan_cases(rng, pools, path, n),
            }
        })
        .collect();

    assign_outcomes(rng, pools, &mut files);
    fit_durations(&mut files, budget_ms);
    files
}

/// `n` items for one module: functions, some of them parametrized.
fn plan_cases(rng: &mut StdRng, pools: &Pools, path: &str, n: usize) -> Vec<Case> {
    let mut names: Vec<&str> = pools.tests.to_vec();
    names.shuffle(rng);
    // Tests about the module's subject first: test_orders.py tests orders.
    let stem = path.rsplit('/').next().unwrap_or(path);
    let subject = stem.trim_start_matches("test_").trim_end_matches(".py");
    let root: String = subject.chars().take(4).collect();
    names.sort_by_key(|name| !name.contains(root.as_str()));
    let mut cases = Vec::with_capacity(n);
    let mut next = 0;
    while cases.len() < n {
        let function = names[next % names.len()];
        next += 1;
        let params = if rng.random_bool(0.25) {
            rng.random_range(2..8).min(n - cases.len())
        } else {
            1
        };
        let mut ids: Vec<&str> = pools.params.sample(rng, params).copied().collect();
        ids.sort_unstable();
        for id in ids {
            let name = if params > 1 {
                format!("{function}[{id}]")
            } else if next > names.len() {
                // A second pass over the names: make the function distinct.
                format!("{function}_{}", next / names.len() + 1)
            } else {
                function.to_owned()
            };
            cases.push(Case {
                name,
                outcome: Outcome::Passed,
                setup_ms: 0,
                call_ms: 0,
                teardown_ms: 0,
                detail: 0,
                line: rng.random_range(12..480),
            });
        }
    }
    cases
}

/// Marks a few items as failed, skipped, xfailed, ...; everything else passes.
fn assign_outcomes(rng: &mut StdRng, pools: &Pools, files: &mut [File]) {
    let total: usize = files.iter().map(|f| f.cases.len()).sum();
    let failed = if rng.random_bool(0.45) {
        0
    } else {
        rng.random_range(1..=6)
    };
    let errors = if rng.random_bool(0.12) {
        rng.random_range(1..=3)
    } else {
        0
    };
    let skipped = total * rng.random_range(0..6) / 100;
    let xfailed = total * rng.random_range(0..3) / 100;
    let xpassed = usize::from(rng.random_bool(0.1));
    let mut marks = Vec::new();
    marks.extend(std::iter::repeat_n(Outcome::Failed, failed));
    marks.extend(std::iter::repeat_n(Outcome::Error, errors));
    marks.extend(std::iter::repeat_n(Outcome::Skipped, skipped));
    marks.extend(std::iter::repeat_n(Outcome::XFailed, xfailed));
    marks.extend(std::iter::repeat_n(Outcome::XPassed, xpassed));
    marks.truncate(total / 2);

    let mut slots: Vec<(usize, usize)> = files
        .iter()
        .enumerate()
        .flat_map(|(f, file)| (0..file.cases.len()).map(move |c| (f, c)))
        .collect();
    slots.shuffle(rng);
    for (outcome, (f, c)) in marks.into_iter().zip(slots) {
        let case = &mut files[f].cases[c];
        case.outcome = outcome;
        case.detail = match outcome {
            Outcome::Failed => rng.random_range(0..pools.failures.max(1)),
            Outcome::Error => rng.random_range(0..pools.errors.max(1)),
            _ => 0,
        };
    }

    for case in files.iter_mut().flat_map(|f| f.cases.iter_mut()) {
        let (setup, call, teardown) = raw_durations(rng, case.outcome);
        case.setup_ms = setup;
        case.call_ms = call;
        case.teardown_ms = teardown;
    }
}

/// Unscaled phase durations: most tests are quick, a few are slow.
fn raw_durations(rng: &mut StdRng, outcome: Outcome) -> (u64, u64, u64) {
    let setup = if rng.random_bool(0.05) {
        rng.random_range(50..900)
    } else {
        rng.random_range(0..4)
    };
    let call = match outcome {
        Outcome::Skipped => 0,
        Outcome::Error => 0,
        _ => match rng.random_range(0..100) {
            0..=1 => rng.random_range(1000..6000),
            2..=8 => rng.random_range(100..1000),
            _ => rng.random_range(1..60),
        },
    };
    let teardown = if rng.random_bool(0.03) {
        rng.random_range(20..400)
    } else {
        rng.random_range(0..3)
    };
    (setup, call, teardown)
}

/// Scales the durations so the whole run takes about `budget_ms`.
fn fit_durations(files: &mut [File], budget_ms: u64) {
    let sum: u64 = files
        .iter()
        .flat_map(|f| &f.cases)
        .map(Case::total_ms)
        .sum();
    if sum == 0 {
        return;
    }
    let factor = budget_ms as f64 / sum as f64;
    let scale = |ms: u64| (ms as f64 * factor).round() as u64;
    for case in files.iter_mut().flat_map(|f| f.cases.iter_mut()) {
        case.setup_ms = scale(case.setup_ms);
        case.call_ms = scale(case.call_ms);
        case.teardown_ms = scale(case.teardown_ms);
    }
}

/// How many items ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub failed: usize,
    pub passed: usize,
    pub skipped: usize,
    pub xfailed: usize,
    pub xpassed: usize,
    pub warnings: usize,
    pub errors: usize,
}

impl Counts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Failed => self.failed += 1,
            Outcome::Passed => self.passed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::XFailed => self.xfailed += 1,
            Outcome::XPassed => self.xpassed += 1,
            Outcome::Error => self.errors += 1,
        }
    }

    /// Items that ran or were skipped (warnings are not items).
    pub fn items(&self) -> usize {
        self.failed + self.passed + self.skipped + self.xfailed + self.xpassed + self.errors
    }

    /// pytest's "main colour": red on any failure, yellow for warnings or
    /// xpasses (or nothing passed), green otherwise.
    pub fn main_color(&self) -> Color {
        if self.failed > 0 || self.errors > 0 {
            Color::Red
        } else if self.warnings > 0 || self.xpassed > 0 || self.passed == 0 {
            Color::Yellow
        } else {
            Color::Green
        }
    }

    /// The summary line's parts in pytest's order, each with its colour.
    pub fn parts(&self) -> Vec<(String, Color)> {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut parts = Vec::new();
        let mut push = |n: usize, text: String, color: Color| {
            if n > 0 {
                parts.push((text, color));
            }
        };
        push(self.failed, format!("{} failed", self.failed), Color::Red);
        push(self.passed, format!("{} passed", self.passed), Color::Green);
        push(
            self.skipped,
            format!("{} skipped", self.skipped),
            Color::Yellow,
        );
        push(
            self.xfailed,
            format!("{} xfailed", self.xfailed),
            Color::Yellow,
        );
        push(
            self.xpassed,
            format!("{} xpassed", self.xpassed),
            Color::Yellow,
        );
        push(
            self.warnings,
            plural(self.warnings, "warning", "warnings"),
            Color::Yellow,
        );
        push(
            self.errors,
            plural(self.errors, "error", "errors"),
            Color::Red,
        );
        if parts.is_empty() {
            parts.push(("no tests ran".to_owned(), Color::Yellow));
        }
        parts
    }
}

/// Counts of a whole planned suite.
pub fn count(files: &[File]) -> Counts {
    let mut counts = Counts::default();
    for case in files.iter().flat_map(|f| &f.cases) {
        counts.add(case.outcome);
    }
    counts
}

/// pytest's session time: `84.21s (0:01:24)`, the clock part only past a minute.
pub fn session_time(ms: u64) -> String {
    let secs = ms as f64 / 1000.0;
    if ms < 60_000 {
        format!("{secs:.2}s")
    } else {
        let s = ms / 1000;
        format!(
            "{secs:.2}s ({}:{:02}:{:02})",
            s / 3600,
            (s / 60) % 60,
            s % 60
        )
    }
}

/// A separator line split into `(left fill, " title ", right fill)`, laid out
/// like pytest's `write_sep` for a terminal `fullwidth` cells wide.
pub fn sep(ch: char, title: &str, fullwidth: usize) -> (String, String, String) {
    let title_w = title.chars().count();
    let n = (fullwidth.saturating_sub(title_w + 2) / 2).max(1);
    let fill: String = std::iter::repeat_n(ch, n).collect();
    let mut right = fill.clone();
    if 2 * n + title_w + 2 < fullwidth {
        right.push(ch);
    }
    (fill, format!(" {title} "), right)
}

/// The `[ 45%]` progress tag for `done` of `total` items.
pub fn progress_tag(done: usize, total: usize) -> String {
    let pct = (done * 100).checked_div(total).unwrap_or(100);
    format!(" [{pct:>3}%]")
}

/// Width of the progress tag, as pytest reserves it.
const TAG_WIDTH: usize = 7;

/// Tracks the current output line while the per-module letters are printed,
/// deciding where the right-aligned `[ 45%]` tags go.
#[derive(Debug)]
pub struct Progress {
    pub fullwidth: usize,
    pub total: usize,
    pub done: usize,
    column: usize,
}

impl Progress {
    pub fn new(fullwidth: usize, total: usize) -> Self {
        Progress {
            fullwidth,
            total,
            done: 0,
            column: 0,
        }
    }

    /// The module path that starts a line, cut so that letters still fit.
    pub fn start_file(&mut self, path: &str) -> String {
        let max = self.fullwidth.saturating_sub(TAG_WIDTH + 4).max(1);
        let shown: String = path.chars().take(max).collect();
        let text = format!("{shown} ");
        self.column = text.chars().count();
        text
    }

    /// Records one printed letter. Returns the tag to print before a line
    /// break when the line has reached the right edge.
    pub fn letter(&mut self) -> Option<String> {
        self.done += 1;
        self.column += 1;
        if self.column + TAG_WIDTH + 1 >= self.fullwidth {
            self.column = 0;
            Some(progress_tag(self.done, self.total))
        } else {
            None
        }
    }

    /// The tag at the end of a module, right-aligned so that the line ends
    /// one cell before the edge; `None` when the module's last letter
    /// filled the line, which already ended with its tag.
    pub fn fill(&mut self) -> Option<String> {
        if self.column == 0 {
            return None;
        }
        let tag = progress_tag(self.done, self.total);
        let room = self.fullwidth.saturating_sub(self.column + 1);
        self.column = 0;
        Some(format!("{tag:>room$}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn pools() -> (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>) {
        (
            plugin_api::kit::data_lines(include_str!("../data/files.txt")),
            plugin_api::kit::data_lines(include_str!("../data/tests.txt")),
            plugin_api::kit::data_lines(include_str!("../data/params.txt")),
        )
    }

    fn suite(seed: u64, budget_ms: u64) -> Vec<File> {
        let (files, tests, params) = pools();
        let pools = Pools {
            files: &files,
            tests: &tests,
            params: &params,
            failures: 10,
            errors: 3,
        };
        plan(&mut StdRng::seed_from_u64(seed), &pools, budget_ms)
    }

    #[test]
    fn summary_counts_equal_printed_letters() {
        for seed in 0..40 {
            let files = suite(seed, 90_000);
            let letters: String = files
                .iter()
                .flat_map(|f| &f.cases)
                .map(|c| c.outcome.letter())
                .collect();
            let counts = count(&files);
            let n = |ch| letters.chars().filter(|&c| c == ch).count();
            assert_eq!(counts.failed, n('F'));
            assert_eq!(counts.passed, n('.'));
            assert_eq!(counts.skipped, n('s'));
            assert_eq!(counts.xfailed, n('x'));
            assert_eq!(counts.xpassed, n('X'));
            assert_eq!(counts.errors, n('E'));
            assert_eq!(counts.items(), letters.chars().count());
            let text: Vec<String> = counts.parts().into_iter().map(|p| p.0).collect();
            let text = text.join(", ");
            assert!(
                text.contains(&format!("{} passed", counts.passed)),
                "{text}"
            );
            if counts.failed > 0 {
                assert!(text.starts_with(&format!("{} failed", counts.failed)));
            }
        }
    }

    #[test]
    fn durations_fill_the_budget() {
        for seed in 0..20 {
            let files = suite(seed, 60_000);
            let sum: u64 = files
                .iter()
                .flat_map(|f| &f.cases)
                .map(Case::total_ms)
                .sum();
            assert!((59_000..=61_000).contains(&sum), "{sum}");
        }
    }

    #[test]
    fn session_time_matches_pytest() {
        assert_eq!(session_time(4_210), "4.21s");
        assert_eq!(session_time(84_210), "84.21s (0:01:24)");
        assert_eq!(session_time(3_725_000), "3725.00s (1:02:05)");
    }

    #[test]
    fn separators_fill_the_width() {
        let (l, t, r) = sep('=', "test session starts", 80);
        assert_eq!(format!("{l}{t}{r}").len(), 80);
        let (l, t, r) = sep('=', "FAILURES", 79);
        assert_eq!(format!("{l}{t}{r}").len(), 79);
        assert!(r.len() - l.len() <= 1);
    }

    #[test]
    fn progress_lines_fit_and_reach_100_percent() {
        for width in [40, 80, 132] {
            let files = suite(7, 30_000);
            let total = count(&files).items();
            let mut p = Progress::new(width, total);
            let mut lines = Vec::new();
            let mut line = String::new();
            for file in &files {
                line.push_str(&p.start_file(file.path));
                for case in &file.cases {
                    line.push(case.outcome.letter());
                    if let Some(tag) = p.letter() {
                        line.push_str(&tag);
                        lines.push(std::mem::take(&mut line));
                    }
                }
                if let Some(fill) = p.fill() {
                    line.push_str(&fill);
                    lines.push(std::mem::take(&mut line));
                }
            }
            assert!(lines.iter().all(|l| l.chars().count() < width), "{lines:?}");
            assert!(lines.iter().all(|l| !l.starts_with(' ')), "{lines:?}");
            assert!(lines.last().unwrap().ends_with("[100%]"));
            for l in &lines {
                assert!(l.ends_with('%') || l.ends_with("%]"));
            }
        }
    }

    #[test]
    fn a_module_ending_at_the_edge_prints_no_lone_tag() {
        let mut p = Progress::new(80, 1000);
        let start = p.start_file("tests/property/test_roundtrip.py");
        let mut line = start.clone();
        let tag = loop {
            line.push('.');
            if let Some(tag) = p.letter() {
                break tag;
            }
        };
        assert_eq!(format!("{line}{tag}").chars().count(), 79);
        assert_eq!(p.fill(), None);
        // The next module starts its own line as usual.
        p.start_file("tests/test_next.py");
        p.letter();
        assert!(p.fill().is_some_and(|f| f.ends_with(']')));
    }

    #[test]
    fn main_color_follows_outcomes() {
        let mut c = Counts {
            passed: 3,
            ..Counts::default()
        };
        assert_eq!(c.main_color(), Color::Green);
        c.warnings = 1;
        assert_eq!(c.main_color(), Color::Yellow);
        c.failed = 1;
        assert_eq!(c.main_color(), Color::Red);
    }
}
