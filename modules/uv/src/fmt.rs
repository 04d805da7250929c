//! uv's number formats and the bookkeeping behind its summary lines, kept
//! pure so that counts and times can be tested.

use std::time::Duration;

/// uv's elapsed time: `0.41ms`, `210ms`, `1.21s`, `1m 02s`. `micros` gives
/// the digits below a millisecond, which the simulated clock does not have.
pub fn elapsed(d: Duration, micros: u32) -> String {
    let secs = d.as_secs();
    let ms = d.subsec_millis();
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else if secs > 0 {
        format!("{secs}.{:02}s", ms / 10)
    } else if ms > 0 {
        format!("{ms}ms")
    } else {
        format!("0.{:02}ms", (micros / 10).min(99))
    }
}

/// `1 package` / `84 packages`.
pub fn packages(n: usize) -> String {
    if n == 1 {
        "1 package".to_owned()
    } else {
        format!("{n} packages")
    }
}

/// uv's size in parentheses after "Downloading": `846.0MiB`.
pub fn size_short(bytes: u64) -> String {
    let (value, unit) = scaled(bytes);
    format!("{value:.1}{unit}")
}

/// The byte counts next to a bar: `120.31 MiB`.
pub fn size_bar(bytes: u64) -> String {
    let (value, unit) = scaled(bytes);
    if unit == "B" {
        format!("{bytes} B")
    } else {
        format!("{value:.2} {unit}")
    }
}

fn scaled(bytes: u64) -> (f64, &'static str) {
    let mut value = bytes as f64;
    for unit in ["B", "KiB", "MiB"] {
        if value < 1024.0 {
            return (value, unit);
        }
        value /= 1024.0;
    }
    (value, "GiB")
}

/// One package's version change in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        name: String,
        version: String,
    },
    Removed {
        name: String,
        version: String,
    },
    /// Reinstalled in place, like the editable project itself.
    Rebuilt {
        name: String,
        version: String,
    },
}

impl Change {
    pub fn name(&self) -> &str {
        match self {
            Change::Added { name, .. }
            | Change::Removed { name, .. }
            | Change::Rebuilt { name, .. } => name,
        }
    }

    /// The sign uv prints: `+`, `-` or `~`.
    pub fn sign(&self) -> char {
        match self {
            Change::Added { .. } => '+',
            Change::Removed { .. } => '-',
            Change::Rebuilt { .. } => '~',
        }
    }

    pub fn version(&self) -> &str {
        match self {
            Change::Added { version, .. }
            | Change::Removed { version, .. }
            | Change::Rebuilt { version, .. } => version,
        }
    }
}

/// `(installed, uninstalled)` as the summary lines count them: a rebuilt
/// package is both uninstalled and installed again.
pub fn tally(changes: &[Change]) -> (usize, usize) {
    let installed = changes
        .iter()
        .filter(|c| !matches!(c, Change::Removed { .. }))
        .count();
    let uninstalled = changes
        .iter()
        .filter(|c| !matches!(c, Change::Added { .. }))
        .count();
    (installed, uninstalled)
}

/// The changes in the order uv lists them: by name, removals before
/// additions of the same name.
pub fn sorted(changes: &[Change]) -> Vec<Change> {
    let mut out = changes.to_vec();
    out.sort_by(|a, b| {
        a.name()
            .cmp(b.name())
            .then_with(|| (a.sign() != '-').cmp(&(b.sign() != '-')))
    });
    out
}

/// A plausible earlier release: `2.1.3` -> `2.1.2`, `24.10.0` -> `24.9.3`.
pub fn older_version(version: &str, n: u32) -> String {
    // Drop suffixes like `post0`: an older release rarely has one.
    let mut parts: Vec<String> = version
        .split('.')
        .take_while(|p| p.parse::<u64>().is_ok())
        .map(str::to_owned)
        .collect();
    let numeric: Vec<Option<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
    let Some(i) = numeric.iter().rposition(|v| matches!(v, Some(x) if *x > 0)) else {
        return version.to_owned();
    };
    parts[i] = (numeric[i].unwrap_or(1) - 1).to_string();
    for (k, part) in parts.iter_mut().enumerate().skip(i + 1) {
        *part = if k == i + 1 {
            (n % 8).to_string()
        } else {
            "0".to_owned()
        };
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_like_uv() {
        assert_eq!(elapsed(Duration::from_millis(1210), 0), "1.21s");
        assert_eq!(elapsed(Duration::from_millis(210), 0), "210ms");
        assert_eq!(elapsed(Duration::ZERO, 410), "0.41ms");
        assert_eq!(elapsed(Duration::from_secs(62), 0), "1m 02s");
    }

    #[test]
    fn sizes() {
        assert_eq!(size_short(846 * 1024 * 1024), "846.0MiB");
        assert_eq!(size_bar(120 * 1024 * 1024 + 317_440), "120.30 MiB");
        assert_eq!(size_bar(900), "900 B");
    }

    #[test]
    fn counts_match_the_listed_changes() {
        let c = |sign: char, name: &str| {
            let (name, version) = (name.to_owned(), "1.0".to_owned());
            match sign {
                '+' => Change::Added { name, version },
                '-' => Change::Removed { name, version },
                _ => Change::Rebuilt { name, version },
            }
        };
        let changes = vec![
            c('+', "numpy"),
            c('-', "pandas"),
            c('+', "pandas"),
            c('~', "proj"),
        ];
        let (installed, uninstalled) = tally(&changes);
        let listed = sorted(&changes);
        assert_eq!(installed, listed.iter().filter(|c| c.sign() != '-').count());
        assert_eq!(
            uninstalled,
            listed.iter().filter(|c| c.sign() != '+').count()
        );
        assert_eq!((installed, uninstalled), (3, 2));
        let order: Vec<char> = listed.iter().map(Change::sign).collect();
        assert_eq!(order, ['+', '-', '+', '~']);
    }

    #[test]
    fn older_versions() {
        assert_eq!(older_version("2.1.3", 0), "2.1.2");
        assert_eq!(older_version("24.10.0", 3), "24.9.3");
        assert_eq!(older_version("2024.8.30", 1), "2024.8.29");
        assert_eq!(older_version("0.0.0", 1), "0.0.0");
        assert_eq!(older_version("4.66.6", 0), "4.66.5");
        assert_eq!(older_version("2.9.0.post0", 2), "2.8.2");
    }
}
