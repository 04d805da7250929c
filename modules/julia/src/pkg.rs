//! Pure parts of the Julia module: Pkg's line layouts and the parallel
//! precompilation schedule, so that the printed counts and seconds can be
//! tested against each other.

/// Pkg's action words are right-aligned in a 12-cell column.
pub fn action(word: &str) -> String {
    format!("{word:>12}")
}

/// "Foo ───── v1.2.3": the name padded with box rules so that the versions
/// of all "Installed" lines of one operation line up.
pub fn installed_text(name: &str, version: &str, longest: usize) -> String {
    let rule = "─".repeat(longest + 1 - name.chars().count());
    format!("{name} {rule} v{version}")
}

/// The closing line of a precompilation.
pub fn precompile_summary(done: usize, seconds: u64, already: usize, errored: usize) -> String {
    let noun = if done == 1 {
        "dependency"
    } else {
        "dependencies"
    };
    let mut line = format!("  {done} {noun} successfully precompiled in {seconds} seconds");
    if already > 0 {
        line.push_str(&format!(". {already} already precompiled"));
    }
    if errored > 0 {
        let noun = if errored == 1 {
            "dependency"
        } else {
            "dependencies"
        };
        line.push_str(&format!(". {errored} {noun} errored"));
    }
    line.push('.');
    line
}

/// A package waiting to be precompiled and how long that takes.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub ms: u64,
}

/// When each job starts and finishes on `workers` parallel workers, taking
/// jobs in the given order (dependencies first). Returns `(start, end,
/// index)` per job, in order of finishing.
pub fn schedule(jobs: &[Job], workers: usize) -> Vec<(u64, u64, usize)> {
    let workers = workers.max(1);
    let mut free_at = vec![0u64; workers];
    let mut out = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        let (slot, &start) = free_at
            .iter()
            .enumerate()
            .min_by_key(|(_, t)| **t)
            .unwrap_or((0, &0));
        let end = start + job.ms;
        free_at[slot] = end;
        out.push((start, end, i));
    }
    out.sort_by_key(|&(_, end, i)| (end, i));
    out
}

/// Pkg's mini progress bar: `Progress [=========>          ]  12/47`.
pub fn progress_bar(done: usize, total: usize, cells: usize) -> String {
    let fraction = if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    };
    let filled = ((fraction * cells as f64) as usize).min(cells);
    let mut bar = "=".repeat(filled);
    if filled < cells {
        bar.push('>');
        bar.push_str(&" ".repeat(cells - filled - 1));
    }
    format!("[{bar}]  {done}/{total}")
}

/// A plausible earlier release: `1.7.0` -> `1.6.<n>`, `0.10.15` -> `0.10.14`.
pub fn older_version(version: &str, n: u32) -> String {
    let mut parts: Vec<u64> = version.split('.').filter_map(|p| p.parse().ok()).collect();
    let Some(i) = parts.iter().rposition(|&p| p > 0) else {
        return version.to_owned();
    };
    parts[i] -= 1;
    for (k, p) in parts.iter_mut().enumerate().skip(i + 1) {
        *p = if k == i + 1 { u64::from(n % 9) } else { 0 };
    }
    let text: Vec<String> = parts.iter().map(u64::to_string).collect();
    text.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_lines_align() {
        let a = installed_text("CSV", "0.10.15", 14);
        let b = installed_text("InlineStrings", "1.4.2", 14);
        let col = |s: &str| s.chars().position(|c| c == 'v').unwrap();
        assert_eq!(col(&a), col(&b));
        assert_eq!(action("Installed"), "   Installed");
    }

    #[test]
    fn summary_wording() {
        assert_eq!(
            precompile_summary(123, 84, 45, 0),
            "  123 dependencies successfully precompiled in 84 seconds. 45 already precompiled."
        );
        assert_eq!(
            precompile_summary(1, 3, 0, 1),
            "  1 dependency successfully precompiled in 3 seconds. 1 dependency errored."
        );
    }

    #[test]
    fn schedule_runs_every_job_within_bounds() {
        let jobs: Vec<Job> = (0..40)
            .map(|i| Job {
                name: format!("P{i}"),
                ms: 200 + (i * 137 % 5000),
            })
            .collect();
        let events = schedule(&jobs, 8);
        assert_eq!(events.len(), jobs.len());
        let makespan = events.iter().map(|e| e.1).max().unwrap();
        let total: u64 = jobs.iter().map(|j| j.ms).sum();
        assert!(makespan >= total / 8);
        assert!(makespan >= jobs.iter().map(|j| j.ms).max().unwrap());
        assert!(makespan <= total);
        assert!(events.windows(2).all(|w| w[0].1 <= w[1].1));
        // Never more than 8 jobs at once.
        for &(start, _, _) in &events {
            let running = events
                .iter()
                .filter(|e| e.0 <= start && e.1 > start)
                .count();
            assert!(running <= 8);
        }
    }

    #[test]
    fn older_versions() {
        assert_eq!(older_version("1.7.0", 4), "1.6.4");
        assert_eq!(older_version("0.10.15", 4), "0.10.14");
        assert_eq!(older_version("0.0.0", 4), "0.0.0");
    }

    #[test]
    fn bar_layout() {
        assert_eq!(progress_bar(0, 4, 8), "[>       ]  0/4");
        assert_eq!(progress_bar(4, 4, 8), "[========]  4/4");
    }
}
