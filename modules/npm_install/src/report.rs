//! The numbers npm reports after an install: the "added N packages, and
//! audited M packages in T" line, funding, and the vulnerability summary.
//! Pure, so that the parts can be checked to add up.

/// Vulnerabilities by severity, as `npm audit` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Vulns {
    pub low: usize,
    pub moderate: usize,
    pub high: usize,
    pub critical: usize,
}

/// The severities in npm's order, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Low,
    Moderate,
    High,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Moderate => "moderate",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl Vulns {
    pub fn total(&self) -> usize {
        self.low + self.moderate + self.high + self.critical
    }

    /// Non-zero severities with their counts, low to critical.
    pub fn parts(&self) -> Vec<(usize, Severity)> {
        [
            (self.low, Severity::Low),
            (self.moderate, Severity::Moderate),
            (self.high, Severity::High),
            (self.critical, Severity::Critical),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .collect()
    }

    /// The summary as npm words it, split into `(text, severity)` pieces so
    /// the severity names can be coloured: "7 vulnerabilities (2 low, 3
    /// moderate, 2 high)", "1 high severity vulnerability", "found 0
    /// vulnerabilities".
    pub fn summary(&self) -> Vec<(String, Option<Severity>)> {
        let total = self.total();
        let parts = self.parts();
        let noun = if total == 1 {
            "vulnerability"
        } else {
            "vulnerabilities"
        };
        match parts.as_slice() {
            [] => vec![("found 0 vulnerabilities".to_owned(), None)],
            [(n, severity)] => vec![
                (format!("{n} "), None),
                (severity.name().to_owned(), Some(*severity)),
                (format!(" severity {noun}"), None),
            ],
            _ => {
                let mut out = vec![(format!("{total} {noun} ("), None)];
                for (i, (n, severity)) in parts.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    out.push((format!("{sep}{n} "), None));
                    out.push((severity.name().to_owned(), Some(*severity)));
                }
                out.push((")".to_owned(), None));
                out
            }
        }
    }

    /// What `npm audit fix` (without `--force`) leaves: the fixable share
    /// of each severity is gone.
    pub fn after_fix(&self, breaking: &Vulns) -> Vulns {
        Vulns {
            low: breaking.low.min(self.low),
            moderate: breaking.moderate.min(self.moderate),
            high: breaking.high.min(self.high),
            critical: breaking.critical.min(self.critical),
        }
    }
}

/// The plain text of a summary.
#[cfg(test)]
pub fn plain(pieces: &[(String, Option<Severity>)]) -> String {
    pieces.iter().map(|(t, _)| t.as_str()).collect()
}

/// npm's elapsed time: `897ms`, `3s`, `1m`.
pub fn elapsed(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{}s", (ms + 500) / 1000)
    } else {
        format!("{}m", (ms + 30_000) / 60_000)
    }
}

fn packages(n: usize) -> String {
    if n == 1 {
        "1 package".to_owned()
    } else {
        format!("{n} packages")
    }
}

/// What an install did to `node_modules`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

/// "added 1342 packages, and audited 1343 packages in 38s", or "up to
/// date, audited 1343 packages in 2s". `audited` counts the root too.
pub fn outcome_line(changes: Changes, audited: usize, ms: u64) -> String {
    let mut parts = Vec::new();
    if changes.added > 0 {
        parts.push(format!("added {}", packages(changes.added)));
    }
    if changes.removed > 0 {
        parts.push(format!("removed {}", packages(changes.removed)));
    }
    if changes.changed > 0 {
        parts.push(format!("changed {}", packages(changes.changed)));
    }
    let time = elapsed(ms);
    if parts.is_empty() {
        return format!("up to date, audited {} in {time}", packages(audited));
    }
    format!(
        "{}, and audited {} in {time}",
        parts.join(", "),
        packages(audited)
    )
}

/// "211 packages are looking for funding".
pub fn funding_line(n: usize) -> String {
    if n == 1 {
        "1 package is looking for funding".to_owned()
    } else {
        format!("{n} packages are looking for funding")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vulnerability_parts_add_up() {
        let v = Vulns {
            low: 2,
            moderate: 3,
            high: 2,
            critical: 0,
        };
        let text = plain(&v.summary());
        assert_eq!(text, "7 vulnerabilities (2 low, 3 moderate, 2 high)");
        let sum: usize = v.parts().iter().map(|p| p.0).sum();
        assert_eq!(sum, v.total());
        // Every count printed inside the parentheses adds up to the total.
        let inner = text.split_once('(').unwrap().1.trim_end_matches(')');
        let printed: usize = inner
            .split(", ")
            .map(|p| p.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(printed, 7);
    }

    #[test]
    fn single_severity_and_zero() {
        let one = Vulns {
            high: 1,
            ..Vulns::default()
        };
        assert_eq!(plain(&one.summary()), "1 high severity vulnerability");
        let three = Vulns {
            moderate: 3,
            ..Vulns::default()
        };
        assert_eq!(
            plain(&three.summary()),
            "3 moderate severity vulnerabilities"
        );
        assert_eq!(
            plain(&Vulns::default().summary()),
            "found 0 vulnerabilities"
        );
    }

    #[test]
    fn fix_never_adds() {
        let v = Vulns {
            low: 2,
            moderate: 3,
            high: 2,
            critical: 1,
        };
        let breaking = Vulns {
            high: 1,
            critical: 5,
            ..Vulns::default()
        };
        let after = v.after_fix(&breaking);
        assert_eq!(after.total(), 2);
        assert!(after.total() <= v.total());
    }

    #[test]
    fn outcome_lines() {
        let c = Changes {
            added: 1342,
            ..Changes::default()
        };
        assert_eq!(
            outcome_line(c, 1343, 38_200),
            "added 1342 packages, and audited 1343 packages in 38s"
        );
        let c = Changes {
            added: 1,
            removed: 2,
            changed: 3,
        };
        assert_eq!(
            outcome_line(c, 10, 897),
            "added 1 package, removed 2 packages, changed 3 packages, and audited 10 packages in 897ms"
        );
        assert_eq!(
            outcome_line(Changes::default(), 1343, 2_100),
            "up to date, audited 1343 packages in 2s"
        );
        assert_eq!(elapsed(95_000), "2m");
        assert_eq!(funding_line(1), "1 package is looking for funding");
    }
}
