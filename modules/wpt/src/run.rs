//! A planned web-platform-tests run and everything printed from it: the
//! tbpl lines of each test and the closing summary. Pure, so the summary's
//! counts can be checked against the printed results.

use std::collections::BTreeMap;

/// A result status, as wptrunner names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Fail,
    Ok,
    Error,
    Timeout,
    Crash,
    NotRun,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Ok => "OK",
            Status::Error => "ERROR",
            Status::Timeout => "TIMEOUT",
            Status::Crash => "CRASH",
            Status::NotRun => "NOTRUN",
        }
    }
}

/// One subtest result of a testharness.js test.
#[derive(Debug, Clone)]
pub struct Subtest {
    pub name: String,
    pub status: Status,
    pub expected: Status,
    pub message: String,
}

/// One test file's run.
#[derive(Debug, Clone)]
pub struct Test {
    pub path: String,
    pub reftest: bool,
    pub status: Status,
    pub expected: Status,
    pub subtests: Vec<Subtest>,
    pub ms: u64,
}

/// How a printed line should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Start,
    Good,
    Known,
    Bad,
    Info,
}

/// The tbpl lines of one test, in order.
pub fn lines(test: &Test) -> Vec<(String, Tone)> {
    let path = &test.path;
    let mut out = vec![(format!("TEST-START | {path}"), Tone::Start)];
    for s in &test.subtests {
        let line = if s.status != s.expected {
            (
                format!(
                    "TEST-UNEXPECTED-{} | {path} | {}{}",
                    s.status.name(),
                    s.name,
                    why(s)
                ),
                Tone::Bad,
            )
        } else if s.status == Status::Pass {
            (format!("TEST-PASS | {path} | {}", s.name), Tone::Good)
        } else {
            (
                format!(
                    "TEST-KNOWN-{} | {path} | {} - {}",
                    s.status.name(),
                    s.name,
                    s.message
                ),
                Tone::Known,
            )
        };
        out.push(line);
    }
    if test.status == test.expected {
        out.push((
            format!("TEST-{} | {path} | took {}ms", test.status.name(), test.ms),
            Tone::Good,
        ));
    } else {
        let detail = if test.reftest {
            let reference = reference_url(path);
            format!("Testing http://web-platform.test:8000{path} == {reference}")
        } else {
            format!("expected {}", test.expected.name())
        };
        out.push((
            format!("TEST-UNEXPECTED-{} | {path} | {detail}", test.status.name()),
            Tone::Bad,
        ));
        out.push((format!("TEST-INFO took {}ms", test.ms), Tone::Info));
    }
    out
}

/// " - message" after an unexpected subtest, if there is anything to say.
fn why(s: &Subtest) -> String {
    if s.status == Status::Pass {
        format!(" - expected {}", s.expected.name())
    } else if s.message.is_empty() {
        String::new()
    } else {
        format!(" - {}", s.message)
    }
}

/// The reference page a reftest compares against.
fn reference_url(path: &str) -> String {
    let (stem, ext) = path.rsplit_once('.').unwrap_or((path, "html"));
    format!("http://web-platform.test:8000{stem}-ref.{ext}")
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tests: usize,
    pub subtests: usize,
    pub expected: usize,
    pub unexpected_tests: BTreeMap<Status, usize>,
    pub unexpected_subtests: BTreeMap<Status, usize>,
}

impl Summary {
    pub fn checks(&self) -> usize {
        self.tests + self.subtests
    }

    pub fn unexpected(&self) -> usize {
        self.unexpected_tests.values().sum::<usize>()
            + self.unexpected_subtests.values().sum::<usize>()
    }
}

pub fn summarize(tests: &[Test]) -> Summary {
    let mut s = Summary::default();
    for t in tests {
        s.tests += 1;
        if t.status == t.expected {
            s.expected += 1;
        } else {
            *s.unexpected_tests.entry(t.status).or_default() += 1;
        }
        for sub in &t.subtests {
            s.subtests += 1;
            if sub.status == sub.expected {
                s.expected += 1;
            } else {
                *s.unexpected_subtests.entry(sub.status).or_default() += 1;
            }
        }
    }
    s
}

/// "3 (2 timeout, 1 crash)".
fn breakdown(counts: &BTreeMap<Status, usize>) -> String {
    let total: usize = counts.values().sum();
    let parts: Vec<String> = counts
        .iter()
        .map(|(status, n)| format!("{n} {}", status.name().to_lowercase()))
        .collect();
    format!("{total} ({})", parts.join(", "))
}

/// The mozlog summary block that ends the run.
pub fn summary_lines(tests: &[Test]) -> Vec<(String, Tone)> {
    let s = summarize(tests);
    let mut out = vec![
        ("web-platform-test".to_owned(), Tone::Info),
        ("~~~~~~~~~~~~~~~~~".to_owned(), Tone::Info),
        (
            format!(
                "Ran {} checks ({} subtests, {} tests)",
                s.checks(),
                s.subtests,
                s.tests
            ),
            Tone::Info,
        ),
        (format!("Expected results: {}", s.expected), Tone::Good),
    ];
    if s.unexpected() == 0 {
        out.push(("OK".to_owned(), Tone::Good));
        return out;
    }
    out.push((format!("Unexpected results: {}", s.unexpected()), Tone::Bad));
    if !s.unexpected_tests.is_empty() {
        out.push((
            format!("  test: {}", breakdown(&s.unexpected_tests)),
            Tone::Bad,
        ));
    }
    if !s.unexpected_subtests.is_empty() {
        out.push((
            format!("  subtest: {}", breakdown(&s.unexpected_subtests)),
            Tone::Bad,
        ));
    }
    out.push((String::new(), Tone::Info));
    out.push(("Unexpected Results".to_owned(), Tone::Info));
    out.push(("------------------".to_owned(), Tone::Info));
    for t in tests {
        let bad_subs: Vec<&Subtest> = t
            .subtests
            .iter()
            .filter(|s| s.status != s.expected)
            .collect();
        if t.status == t.expected && bad_subs.is_empty() {
            continue;
        }
        out.push((t.path.clone(), Tone::Info));
        if t.status != t.expected {
            out.push((
                format!(
                    "  {} [expected {}] {}",
                    t.status.name(),
                    t.expected.name(),
                    t.path
                ),
                Tone::Bad,
            ));
        }
        for sub in bad_subs {
            out.push((
                format!("  {} {}{}", sub.status.name(), sub.name, why(sub)),
                Tone::Bad,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(name: &str, status: Status, expected: Status) -> Subtest {
        Subtest {
            name: name.to_owned(),
            status,
            expected,
            message: "assert_true: expected true got false".to_owned(),
        }
    }

    fn sample() -> Vec<Test> {
        vec![
            Test {
                path: "/dom/nodes/Node-cloneNode.html".into(),
                reftest: false,
                status: Status::Ok,
                expected: Status::Ok,
                subtests: vec![
                    sub("a", Status::Pass, Status::Pass),
                    sub("b", Status::Fail, Status::Pass),
                    sub("c", Status::Fail, Status::Fail),
                ],
                ms: 120,
            },
            Test {
                path: "/fetch/api/cors/cors-basic.any.html".into(),
                reftest: false,
                status: Status::Timeout,
                expected: Status::Ok,
                subtests: vec![
                    sub("d", Status::Timeout, Status::Pass),
                    sub("e", Status::NotRun, Status::Pass),
                ],
                ms: 10_020,
            },
            Test {
                path: "/css/css-flexbox/gap-001.html".into(),
                reftest: true,
                status: Status::Fail,
                expected: Status::Pass,
                subtests: vec![],
                ms: 300,
            },
        ]
    }

    #[test]
    fn summary_counts_match_printed_lines() {
        let tests = sample();
        let printed: Vec<(String, Tone)> = tests.iter().flat_map(lines).collect();
        let s = summarize(&tests);
        let unexpected = printed
            .iter()
            .filter(|l| l.0.starts_with("TEST-UNEXPECTED-"))
            .count();
        assert_eq!(unexpected, s.unexpected());
        let starts = printed
            .iter()
            .filter(|l| l.0.starts_with("TEST-START"))
            .count();
        assert_eq!(starts, s.tests);
        let expected = printed
            .iter()
            .filter(|l| {
                (l.0.starts_with("TEST-PASS")
                    || l.0.starts_with("TEST-OK")
                    || l.0.starts_with("TEST-KNOWN"))
                    && !l.0.starts_with("TEST-START")
            })
            .count();
        assert_eq!(expected, s.expected);
        assert_eq!(s.checks(), s.expected + s.unexpected());
        let text: Vec<String> = summary_lines(&tests).into_iter().map(|l| l.0).collect();
        assert!(
            text.contains(&"Ran 8 checks (5 subtests, 3 tests)".to_owned()),
            "{text:?}"
        );
        assert!(text.contains(&"Unexpected results: 5".to_owned()));
        assert!(
            text.contains(&"  test: 2 (1 fail, 1 timeout)".to_owned()),
            "{text:?}"
        );
        assert!(
            text.contains(&"  subtest: 3 (1 fail, 1 timeout, 1 notrun)".to_owned()),
            "{text:?}"
        );
    }

    #[test]
    fn reftest_failure_names_the_reference() {
        let t = &sample()[2];
        let l = lines(t);
        assert!(l[1].0.contains("gap-001-ref.html"), "{}", l[1].0);
    }
}
