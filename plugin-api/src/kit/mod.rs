//! Small helpers that many modules need: embedded data lists, width-safe
//! text, word and terminal-style wrapping, lines of styled spans, in-place
//! redraws, typed-out text, spinners, human-readable numbers and simulated
//! timestamps.
//!
//! Everything here prints through [`Host`], so it obeys the same rules as the
//! rest of a module: no line wider than the terminal, and every wait goes
//! through [`Host::sleep_ms`] so that a stop request ends it promptly.
//!
//! A helper that two modules would otherwise each write belongs here.

mod live;
mod spans;
#[cfg(test)]
mod testing;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::host::{Host, Stop, Style};

pub use live::LiveBlock;
pub use spans::{
    fit_spans, hard_wrap, hard_wrap_spans, print_spans, println_hard_wrapped, println_spans, wrap,
    wrap_spans,
};

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

    /// The date at `clock`, held within what RFC 3339 can write (up to the
    /// end of year 9999), so that formatting never fails.
    fn at(&self, clock: Duration) -> SystemTime {
        const LAST: Duration = Duration::from_millis(253_402_300_799_999); // 9999-12-31T23:59:59.999Z
        (self.start + clock).min(UNIX_EPOCH + LAST)
    }

    /// RFC 3339 with milliseconds: `2026-03-14T09:21:33.120Z`.
    pub fn rfc3339_millis(&self, clock: Duration) -> String {
        humantime::format_rfc3339_millis(self.at(clock)).to_string()
    }

    /// `2026-03-14 09:21:33`.
    pub fn datetime(&self, clock: Duration) -> String {
        let s = humantime::format_rfc3339_seconds(self.at(clock)).to_string();
        s[..19].replace('T', " ")
    }

    /// `09:21:33`.
    pub fn time(&self, clock: Duration) -> String {
        self.datetime(clock)[11..].to_owned()
    }

    /// `Sat Mar 14 09:21:33 2026`: the date as C's `ctime(3)` writes it in
    /// UTC (without its newline), the way many Unix tools print a start or
    /// end time (hashcat, `last`, `date` in the C locale).
    ///
    /// ```
    /// use std::time::Duration;
    /// use plugin_api::kit::SimDate;
    /// let date = SimDate::from_unix(1_772_425_200); // 2026-03-02 04:20:00 UTC
    /// assert_eq!(date.ctime(Duration::ZERO), "Mon Mar  2 04:20:00 2026");
    /// assert_eq!(date.ctime(Duration::from_secs(12 * 86_400)), "Sat Mar 14 04:20:00 2026");
    /// ```
    pub fn ctime(&self, clock: Duration) -> String {
        const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let at = self.at(clock);
        // `2026-03-14T09:21:33Z`
        let s = humantime::format_rfc3339_seconds(at).to_string();
        let (year, month, day, time) = (&s[..4], &s[5..7], &s[8..10], &s[11..19]);
        let month = MONTHS[month.parse::<usize>().map_or(0, |m| m.clamp(1, 12) - 1)];
        let day = day.trim_start_matches('0');
        // 1970-01-01 was a Thursday.
        let days = at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400);
        let weekday = WEEKDAYS[((days + 4) % 7) as usize];
        format!("{weekday} {month} {day:>2} {time} {year}")
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
    fn ctime_matches_libc() {
        let at = |unix| SimDate::from_unix(unix).ctime(Duration::ZERO);
        assert_eq!(at(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(at(1_700_000_000), "Tue Nov 14 22:13:20 2023");
        assert_eq!(at(951_782_400), "Tue Feb 29 00:00:00 2000"); // a leap day
        assert_eq!(at(4_102_444_799), "Thu Dec 31 23:59:59 2099");
        // Every weekday comes round, seven days apart.
        let date = SimDate::from_seed(3);
        let week: Vec<String> = (0..8)
            .map(|d| date.ctime(Duration::from_secs(d * 86_400))[..3].to_owned())
            .collect();
        assert_eq!(week[0], week[7]);
        let mut distinct = week[..7].to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 7);
        // Past year 9999 the date stops instead of failing.
        assert_eq!(
            SimDate::from_unix(253_402_300_799).ctime(Duration::from_secs(86_400 * 400)),
            "Fri Dec 31 23:59:59 9999"
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
