//! Small helpers that many modules need: embedded data lists, width-safe
//! text, in-place redraws, typed-out text, spinners, human-readable numbers
//! and simulated timestamps.
//!
//! Everything here prints through [`Host`], so it obeys the same rules as the
//! rest of a module: no line wider than the terminal, and every wait goes
//! through [`Host::sleep_ms`] so that a stop request ends it promptly.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::host::{Host, Stop, Style};

/// The entries of an embedded data file: one per line, trimmed; blank lines
/// and lines starting with `#` are skipped.
///
/// ```
/// let names = plugin_api::kit::data_lines("# crates\nserde\n\n tokio \n");
/// assert_eq!(names, ["serde", "tokio"]);
/// ```
pub fn data_lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Display width of `text` in terminal cells.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` terminal cells; a cut line ends with `…`.
///
/// ```
/// use plugin_api::kit::fit;
/// assert_eq!(fit("compiling serde", 9), "compilin…");
/// assert_eq!(fit("ok", 9), "ok");
/// ```
pub fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` padded with spaces (or cut) to exactly `cells` terminal cells.
pub fn pad(text: &str, cells: usize) -> String {
    let mut out = fit(text, cells);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// A block of lines redrawn in place: progress bars, status panels.
///
/// On a terminal each [`LiveBlock::draw`] overwrites the previous drawing;
/// when output goes to a file the host turns erasures into line ends, so each
/// drawing is appended instead (draw less often there: see
/// [`Host::is_terminal`]). The cursor stays on the block's last line until
/// [`LiveBlock::finish`].
#[derive(Debug, Default)]
pub struct LiveBlock {
    drawn: usize,
}

impl LiveBlock {
    /// A block that has not been drawn yet.
    pub fn new() -> Self {
        LiveBlock { drawn: 0 }
    }

    /// Replace the previous drawing with `lines` (each cut to the terminal
    /// width minus one, so nothing wraps).
    pub fn draw<S: AsRef<str>>(&mut self, host: &Host, lines: &[S]) {
        self.draw_styled(
            host,
            &lines
                .iter()
                .map(|l| (l.as_ref(), Style::plain()))
                .collect::<Vec<_>>(),
        );
    }

    /// Like [`LiveBlock::draw`], one style per line.
    pub fn draw_styled(&mut self, host: &Host, lines: &[(&str, Style)]) {
        let max = host.width().saturating_sub(1);
        host.cursor_up(self.drawn.saturating_sub(1) as u32);
        for (i, (line, style)) in lines.iter().enumerate() {
            if i > 0 {
                host.newline();
            }
            host.erase_line();
            host.styled(&fit(line, max), *style);
        }
        self.drawn = lines.len();
    }

    /// End the block: the cursor moves below it and the next output starts on
    /// a fresh line.
    pub fn finish(&mut self, host: &Host) {
        if self.drawn > 0 {
            host.newline();
        }
        self.drawn = 0;
    }
}

/// Print `text` one character at a time, `ms_per_char` simulated
/// milliseconds apart, as if typed; then end the line.
pub fn type_out(host: &Host, text: &str, style: Style, ms_per_char: u64) -> Result<(), Stop> {
    let mut buf = [0u8; 4];
    for c in fit(text, host.width().saturating_sub(1)).chars() {
        host.styled(c.encode_utf8(&mut buf), style);
        host.sleep_ms(ms_per_char)?;
    }
    host.newline();
    Ok(())
}

/// Braille spinner frames, as used by many modern CLIs.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Classic ASCII spinner frames.
pub const SPINNER_ASCII: [&str; 4] = ["|", "/", "-", "\\"];

/// The spinner frame to show at simulated time `clock`, one frame per `period`.
pub fn spinner_frame(frames: &[&'static str], clock: Duration, period: Duration) -> &'static str {
    let step = clock.as_millis() / period.as_millis().max(1);
    frames[(step % frames.len() as u128) as usize]
}

/// Bytes in binary units: `512 B`, `1.4 KiB`, `23.0 MiB`, `7.25 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {}", UNITS[unit])
}

/// Bytes in SI units, as many tools print them: `980 B`, `1.4 kB`, `23.1 MB`.
pub fn human_bytes_si(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A duration the way build tools print it: `850ms`, `4.21s`, `3m 07s`,
/// `2h 05m`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else if ms < 3_600_000 {
        format!("{}m {:02}s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{}h {:02}m", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

/// `H:MM:SS` (hours may exceed 24, as tqdm prints them).
pub fn hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// A simulated wall clock for timestamps in log lines.
///
/// It starts at a date derived from the session's seed (never the real date,
/// so that `--seed` reproduces output exactly) and advances with the
/// module's simulated clock ([`Host::clock`]).
#[derive(Debug, Clone, Copy)]
pub struct SimDate {
    start: SystemTime,
}

impl SimDate {
    /// A start date somewhere in 2026, chosen by `seed`.
    pub fn from_seed(seed: u64) -> Self {
        const YEAR_2026: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
        let offset = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) % (364 * 86_400);
        SimDate {
            start: UNIX_EPOCH + Duration::from_secs(YEAR_2026 + offset),
        }
    }

    /// A start date given in seconds since the Unix epoch.
    pub fn from_unix(secs: u64) -> Self {
        SimDate {
            start: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    /// Seconds since the Unix epoch at simulated time `clock`.
    pub fn unix(&self, clock: Duration) -> u64 {
        (self.start + clock)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// RFC 3339 with milliseconds: `2026-03-14T09:21:33.120Z`.
    pub fn rfc3339_millis(&self, clock: Duration) -> String {
        humantime::format_rfc3339_millis(self.start + clock).to_string()
    }

    /// `2026-03-14 09:21:33`.
    pub fn datetime(&self, clock: Duration) -> String {
        let s = humantime::format_rfc3339_seconds(self.start + clock).to_string();
        s[..19].replace('T', " ")
    }

    /// `09:21:33`.
    pub fn time(&self, clock: Duration) -> String {
        self.datetime(clock)[11..].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_exceeds_the_width() {
        for max in 0..20 {
            for text in [
                "",
                "short",
                "a much longer line of text",
                "naïve café ☕ wide",
            ] {
                assert!(width(&fit(text, max)) <= max, "{text:?} at {max}");
            }
        }
    }

    #[test]
    fn pad_gives_exact_width() {
        assert_eq!(pad("ab", 5), "ab   ");
        assert_eq!(width(&pad("abcdefgh", 5)), 5);
    }

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.50 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.00 GiB");
        assert_eq!(human_bytes_si(23_100_000), "23.1 MB");
        assert_eq!(human_duration(Duration::from_millis(850)), "850ms");
        assert_eq!(human_duration(Duration::from_millis(4210)), "4.21s");
        assert_eq!(human_duration(Duration::from_secs(187)), "3m 07s");
        assert_eq!(hms(Duration::from_secs(90_061)), "25:01:01");
    }

    #[test]
    fn sim_date_is_seeded_and_advances() {
        let a = SimDate::from_seed(7);
        assert_eq!(
            a.datetime(Duration::ZERO),
            SimDate::from_seed(7).datetime(Duration::ZERO)
        );
        assert!(a.datetime(Duration::ZERO).starts_with("2026-"));
        assert_eq!(a.unix(Duration::from_secs(61)) - a.unix(Duration::ZERO), 61);
        assert_eq!(
            SimDate::from_unix(0).datetime(Duration::from_secs(3661)),
            "1970-01-01 01:01:01"
        );
    }

    #[test]
    fn spinner_cycles() {
        let p = Duration::from_millis(100);
        assert_eq!(
            spinner_frame(&SPINNER_ASCII, Duration::from_millis(0), p),
            "|"
        );
        assert_eq!(
            spinner_frame(&SPINNER_ASCII, Duration::from_millis(450), p),
            "|"
        );
        assert_eq!(
            spinner_frame(&SPINNER_ASCII, Duration::from_millis(150), p),
            "/"
        );
    }
}
