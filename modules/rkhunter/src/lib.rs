//! `rkhunter --check --sk`: Rootkit Hunter's sections of checks — system
//! commands and file properties, known rootkits, the network, the local
//! host — each with a coloured result at the right edge, then the summary
//! with counts that match what was shown and the time the run took.

use std::time::Duration;

use plugin_api::kit::{data_lines, fit, width};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const CHECKS: &str = include_str!("../data/checks.txt");
const FILES: &str = include_str!("../data/files.txt");
const ROOTKITS: &str = include_str!("../data/rootkits.txt");

/// The widest line rkhunter's layout uses, however wide the terminal.
const MAX_LINE: usize = 100;

const GOOD: Style = Style::fg(Color::Green);
const BAD: Style = Style::fg(Color::Red);
const SKIPPED: Style = Style::fg(Color::Yellow);

/// One entry of `checks.txt`.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Section(&'static str),
    Group(&'static str),
    /// Typical milliseconds per check from here on.
    Pace(u64),
    Check {
        label: &'static str,
        result: &'static str,
        rare: Option<&'static str>,
    },
    Files,
    Rootkits,
}

fn parse_checks(text: &'static str) -> Vec<Item> {
    data_lines(text)
        .into_iter()
        .map(|line| {
            if let Some(title) = line.strip_prefix("= ") {
                Item::Section(title)
            } else if let Some(title) = line.strip_prefix("- ") {
                Item::Group(title)
            } else if let Some(ms) = line.strip_prefix('~') {
                Item::Pace(ms.parse().unwrap_or(500))
            } else if line == "@files" {
                Item::Files
            } else if line == "@rootkits" {
                Item::Rootkits
            } else {
                let mut f = line.split('|');
                Item::Check {
                    label: f.next().unwrap_or(line),
                    result: f.next().unwrap_or("OK"),
                    rare: f.next(),
                }
            }
        })
        .collect()
}

/// The colour rkhunter gives a result: warnings red, skips yellow, the
/// rest green.
fn result_style(result: &str) -> Style {
    match result {
        "Warning" => BAD,
        "Skipped" => SKIPPED,
        _ => GOOD,
    }
}

/// A check line: the label indented by four, the `[ result ]` flush with
/// the right edge of a `line_width`-wide line. Returns (label part, result
/// part) so that the result can be coloured.
fn check_line(label: &str, result: &str, line_width: usize) -> (String, String) {
    let tag = format!("[ {result} ]");
    let room = line_width.saturating_sub(width(&tag) + 1);
    let label = fit(&format!("    {label}"), room);
    let gap = line_width.saturating_sub(width(&label) + width(&tag));
    (format!("{label}{}", " ".repeat(gap.max(1))), tag)
}

/// How rkhunter words the run's length: `51 seconds`, `1 minute and 5
/// seconds`, `3 minutes and 12 seconds`.
fn took(d: Duration) -> String {
    let secs = d.as_secs();
    let (m, s) = (secs / 60, secs % 60);
    let sec_word = if s == 1 { "second" } else { "seconds" };
    match m {
        0 => format!("{s} {sec_word}"),
        1 => format!("1 minute and {s} {sec_word}"),
        _ => format!("{m} minutes and {s} {sec_word}"),
    }
}

/// Counts for the summary, kept as the checks are printed.
#[derive(Debug, Default)]
struct Tally {
    files_checked: usize,
    suspect_files: usize,
    rootkits_checked: usize,
    possible_rootkits: usize,
    warnings: usize,
}

/// Where the run is: which section's counts a check adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Commands,
    Rootkits,
    Other,
}

/// The scan.
pub struct Rkhunter {
    rng: StdRng,
    /// Stretches every check so the whole run lasts the session's length.
    scale: f64,
    tally: Tally,
}

impl Module for Rkhunter {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let session_ms: f64 = rng.random_range(45_000.0..200_000.0);
        let scale = session_ms / nominal_ms(&parse_checks(CHECKS)) as f64;
        Ok(Rkhunter {
            rng,
            scale,
            tally: Tally::default(),
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        host.println("[ Rootkit Hunter version 1.4.6 ]");
        host.newline();
        host.sleep_ms(800)?;
        self.checks(host)?;
        self.summary(host)?;
        Ok(())
    }
}

/// The run's length before scaling: each check at its section's pace.
fn nominal_ms(items: &[Item]) -> u64 {
    let mut pace = 500;
    let mut total = 0;
    for item in items {
        match item {
            Item::Pace(ms) => pace = *ms,
            Item::Check { .. } => total += pace,
            Item::Files => total += pace * data_lines(FILES).len() as u64,
            Item::Rootkits => total += pace * data_lines(ROOTKITS).len() as u64,
            Item::Section(_) | Item::Group(_) => {}
        }
    }
    total.max(1)
}

impl Rkhunter {
    fn line_width(host: &Host) -> usize {
        host.width().min(MAX_LINE)
    }

    /// Works on one check for about `pace` ms, then prints its line.
    fn check(&mut self, host: &Host, pace: u64, label: &str, result: &str) -> Result<(), Stop> {
        host.sleep_ms((pace as f64 * self.scale * self.rng.random_range(0.5..1.5)) as u64)?;
        let (text, tag) = check_line(label, result, Self::line_width(host));
        host.print(&text);
        host.println_styled(&tag, result_style(result));
        if result == "Warning" {
            self.tally.warnings += 1;
        }
        Ok(())
    }

    fn checks(&mut self, host: &Host) -> Result<(), Stop> {
        let mut pace = 500;
        let mut part = Part::Other;
        let mut group_open = false;
        for item in parse_checks(CHECKS) {
            match item {
                Item::Section(title) => {
                    if group_open {
                        host.newline();
                        group_open = false;
                    }
                    part = match title {
                        "Checking system commands..." => Part::Commands,
                        "Checking for rootkits..." => Part::Rootkits,
                        _ => Part::Other,
                    };
                    host.println(&fit(title, host.width()));
                    host.newline();
                    host.sleep_ms(self.rng.random_range(200..900))?;
                }
                Item::Group(title) => {
                    if group_open {
                        host.newline();
                    }
                    host.println(&fit(&format!("  {title}"), host.width()));
                    group_open = true;
                    host.sleep_ms(self.rng.random_range(100..600))?;
                }
                Item::Pace(ms) => pace = ms,
                Item::Check {
                    label,
                    result,
                    rare,
                } => {
                    let result = match rare {
                        Some(r) if self.rng.random_bool(0.2) => r,
                        _ => result,
                    };
                    if part == Part::Rootkits {
                        self.tally.rootkits_checked += 1;
                    }
                    self.check(host, pace, label, result)?;
                }
                Item::Files => {
                    for file in data_lines(FILES) {
                        let suspect = self.rng.random_bool(0.015);
                        let result = if suspect { "Warning" } else { "OK" };
                        self.tally.files_checked += 1;
                        self.tally.suspect_files += usize::from(suspect);
                        self.check(host, pace, file, result)?;
                    }
                }
                Item::Rootkits => {
                    for rootkit in data_lines(ROOTKITS) {
                        self.tally.rootkits_checked += 1;
                        self.check(host, pace, rootkit, "Not found")?;
                    }
                }
            }
        }
        if group_open {
            host.newline();
        }
        Ok(())
    }

    /// The summary block; every number agrees with the lines above.
    fn summary(&mut self, host: &Host) -> Result<(), Stop> {
        let elapsed = host.clock();
        host.newline();
        host.println("System checks summary");
        host.println("=====================");
        host.newline();
        host.println("File properties checks...");
        host.println(&format!("    Files checked: {}", self.tally.files_checked));
        host.print("    Suspect files: ");
        let suspects = self.tally.suspect_files;
        host.println_styled(
            &suspects.to_string(),
            if suspects > 0 { BAD } else { Style::plain() },
        );
        host.newline();
        host.println("Rootkit checks...");
        host.println(&format!(
            "    Rootkits checked : {}",
            self.tally.rootkits_checked
        ));
        host.println(&format!(
            "    Possible rootkits: {}",
            self.tally.possible_rootkits
        ));
        host.newline();
        host.println("Applications checks...");
        host.println("    All checks skipped");
        host.newline();
        host.println(&fit(
            &format!("The system checks took: {}", took(elapsed)),
            host.width(),
        ));
        host.newline();
        host.println(&fit(
            "All results have been written to the log file: /var/log/rkhunter.log",
            host.width(),
        ));
        host.newline();
        if self.tally.warnings > 0 {
            host.println(&fit(
                "One or more warnings have been found while checking the system.",
                host.width(),
            ));
            host.println(&fit(
                "Please check the log file (/var/log/rkhunter.log)",
                host.width(),
            ));
        } else {
            host.println(&fit(
                "No warnings were found while checking the system.",
                host.width(),
            ));
        }
        host.newline();
        host.sleep_ms(1500)?;
        Ok(())
    }
}

plugin_api::export_module! {
    module: Rkhunter,
    name: "rkhunter",
    version: "0.1.0",
    description: "Scan the system for rootkits with Rootkit Hunter",
    signature: "sudo rkhunter --check --sk",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_sit_flush_right() {
        for w in [40, 80, 100] {
            let (label, tag) = check_line("/usr/bin/ssh", "OK", w);
            assert_eq!(width(&label) + width(&tag), w);
            assert!(tag == "[ OK ]");
        }
        let long = "Checking for suspicious (large) shared memory segments and then some more";
        let (label, tag) = check_line(long, "None found", 50);
        assert_eq!(width(&label) + width(&tag), 50);
    }

    #[test]
    fn durations_read_like_rkhunter() {
        assert_eq!(took(Duration::from_secs(51)), "51 seconds");
        assert_eq!(took(Duration::from_secs(61)), "1 minute and 1 second");
        assert_eq!(took(Duration::from_secs(192)), "3 minutes and 12 seconds");
    }

    #[test]
    fn checks_parse() {
        let items = parse_checks(CHECKS);
        assert!(items.contains(&Item::Files));
        assert!(items.contains(&Item::Rootkits));
        assert!(matches!(items[0], Item::Section(_)));
        assert!(nominal_ms(&items) > 60_000);
    }

    #[test]
    fn colours_follow_the_result() {
        assert_eq!(result_style("Warning"), BAD);
        assert_eq!(result_style("OK"), GOOD);
        assert_eq!(result_style("Not found"), GOOD);
    }
}
