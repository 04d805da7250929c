//! Small helpers that many modules need: embedded data lists, width-safe
//! text, word and terminal-style wrapping, lines of styled spans, in-place
//! redraws, typed-out text and shell prompts, spinners, human-readable
//! numbers, hex ids, transfers against the simulated clock and simulated
//! timestamps.
//!
//! Everything here prints through [`Host`], so it obeys the same rules as the
//! rest of a module: no line wider than the terminal, and every wait goes
//! through [`Host::sleep_ms`] so that a stop request ends it promptly.
//!
//! A helper that two modules would otherwise each write belongs here.
//!
//! With the `rand` feature, `kit::random` adds the seeded draws several
//! modules make alike: a session length, a random walk, a UUID-shaped id.

mod live;
#[cfg(feature = "rand")]
pub mod random;
mod spans;
#[cfg(test)]
mod testing;
mod transfer;

use std::ops::Range;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::host::{Color, Host, Stop, Style};

pub use live::LiveBlock;
pub use spans::{
    fit_spans, hard_wrap, hard_wrap_spans, print_spans, println_hard_wrapped, println_spans, wrap,
    wrap_spans,
};
pub use transfer::Transfer;

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

/// `template` with every `{key}` replaced by `value(key)`, left to right
/// (so a seeded generator inside `value` draws in a fixed order). A key for
/// which `value` gives `None`, and an unclosed `{`, stay as written: data
/// files may contain literal braces.
///
/// ```
/// use plugin_api::kit::fill;
/// let url = fill("/api/{version}/users/{id}{x}", |key| match key {
///     "version" => Some("v2".to_owned()),
///     "id" => Some("42".to_owned()),
///     _ => None,
/// });
/// assert_eq!(url, "/api/v2/users/42{x}");
/// ```
pub fn fill(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let placeholder = &rest[start..=start + len];
        match value(&placeholder[1..placeholder.len() - 1]) {
            Some(v) => out.push_str(&v),
            None => out.push_str(placeholder),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `text` padded with spaces (or cut) to exactly `cells` terminal cells.
pub fn pad(text: &str, cells: usize) -> String {
    let mut out = fit(text, cells);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// Print `text` as one line in `style`, cut to the terminal: at most
/// `width - 1` cells, so that no terminal wraps it, a cut line ending with
/// `…` (see [`fit`]).
///
/// This is the line most modules print most often; it is
/// [`println_spans`] for a line in a single style.
///
/// ```no_run
/// # fn demo(host: &plugin_api::Host) {
/// use plugin_api::kit::println_fit;
/// use plugin_api::{Color, Style};
/// println_fit(host, "deployment.apps/api configured", Style::plain());
/// println_fit(host, "fatal: [web-03]: UNREACHABLE!", Style::fg(Color::Red));
/// # }
/// ```
pub fn println_fit(host: &Host, text: &str, style: Style) {
    host.println_styled(&fit(text, host.width().saturating_sub(1)), style);
}

/// The least simulated time one frame of typed-out text covers: about 30
/// frames a second, as smooth as typing looks. Faster typing puts several
/// characters in a frame instead of redrawing for each one.
const TYPING_FRAME_MS: u64 = 33;

/// Print `text` as if typed, `ms_per_char` simulated milliseconds a
/// character; then end the line. The text is cut to the terminal
/// (`width - 1` cells) first.
///
/// Characters come in frames of at least about 33 ms (one character per
/// frame from 33 ms a character up, several at once when typing is faster),
/// so fast typing costs no more frames than the eye can see. The text and
/// the simulated time it takes are the same whatever the grouping:
/// `ms_per_char` for each character. With `ms_per_char` 0 the text appears
/// at once.
pub fn type_out(host: &Host, text: &str, style: Style, ms_per_char: u64) -> Result<(), Stop> {
    type_chars(
        host,
        &fit(text, host.width().saturating_sub(1)),
        style,
        ms_per_char,
    )?;
    host.newline();
    Ok(())
}

/// A shell prompt, `$ `, and `command` typed after it, `ms_per_char`
/// simulated milliseconds a character (0 shows it at once); then the line
/// ends, ready for the command's output.
///
/// Most activities are a command and what it prints. Drawn here, every
/// module's command line looks the same: a green bold `$ `, the command in
/// bold, the whole line cut to the terminal (`width - 1` cells) as
/// [`println_spans`] cuts it. Modules whose tool has a prompt of its own (a
/// REPL, a prompt with the working directory) print that themselves.
///
/// ```no_run
/// # fn demo(host: &plugin_api::Host) -> Result<(), plugin_api::Stop> {
/// use plugin_api::kit::shell_prompt;
/// shell_prompt(host, "terraform init", 0)?; // at once
/// shell_prompt(host, "docker images", 45)?; // typed
/// # Ok(()) }
/// ```
pub fn shell_prompt(host: &Host, command: &str, ms_per_char: u64) -> Result<(), Stop> {
    const SIGN: Style = Style::fg(Color::Green).bold();
    const COMMAND: Style = Style::plain().bold();
    let line = fit_spans(
        &[("$ ", SIGN), (command, COMMAND)],
        host.width().saturating_sub(1),
    );
    let mut pieces = line.iter();
    // The shell prints its prompt; only the command is typed.
    if let Some((sign, style)) = pieces.next() {
        host.styled(sign, *style);
    }
    for (text, style) in pieces {
        type_chars(host, text, *style, ms_per_char)?;
    }
    host.newline();
    Ok(())
}

/// Prints `text` in the frames [`typing_frames`] plans, sleeping each one's
/// time after it.
fn type_chars(host: &Host, text: &str, style: Style, ms_per_char: u64) -> Result<(), Stop> {
    for (range, ms) in typing_frames(text, ms_per_char) {
        host.styled(&text[range], style);
        host.sleep_ms(ms)?;
    }
    Ok(())
}

/// The frames that type `text` at `ms_per_char`: the byte range of the whole
/// characters each frame shows, and the simulated milliseconds it lasts
/// (`ms_per_char` for each of its characters).
///
/// A frame holds at least as many characters as take [`TYPING_FRAME_MS`],
/// the characters spread evenly over as many frames as that allows; a text
/// typed in less time than one frame is one frame.
fn typing_frames(text: &str, ms_per_char: u64) -> Vec<(Range<usize>, u64)> {
    let chars = text.chars().count();
    if chars == 0 {
        return Vec::new();
    }
    let per_frame = if ms_per_char == 0 {
        chars
    } else {
        usize::try_from(TYPING_FRAME_MS.div_ceil(ms_per_char)).unwrap_or(usize::MAX)
    };
    let frames = (chars / per_frame.max(1)).max(1);
    // The first `chars % frames` frames take one character more.
    let (base, extra) = (chars / frames, chars % frames);
    let mut starts = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let mut from = starts.next().unwrap_or(0);
    (0..frames)
        .map(|i| {
            let n = base + usize::from(i < extra);
            let to = starts.nth(n - 1).unwrap_or(text.len());
            let frame = (from..to, (n as u64).saturating_mul(ms_per_char));
            from = to;
            frame
        })
        .collect()
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

/// `len` lower-case hex digits, each made from the low four bits of one
/// `digit()`: ids, hashes and digests as tools print them (a git sha, a
/// container id, `sha256:` and 64 digits).
///
/// The kit has no random generator of its own: pass one draw per digit
/// from the module's seeded generator, `|| rng.random_range(0..16)`, so
/// that the same seed prints the same ids.
///
/// ```
/// use plugin_api::kit::hex_digits;
/// let mut n = 9;
/// assert_eq!(hex_digits(4, || { n += 1; n }), "abcd");
/// assert_eq!(hex_digits(3, || 0x1f), "fff"); // low four bits only
/// assert_eq!(hex_digits(0, || 1), "");
/// ```
pub fn hex_digits(len: usize, mut digit: impl FnMut() -> u32) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..len)
        .map(|_| char::from(DIGITS[(digit() & 0xf) as usize]))
        .collect()
}

/// A 64-bit hash of `text` (FNV-1a) that is the same on every run, machine
/// and Rust version.
///
/// For a made-up property that belongs to a name rather than to a session:
/// the addresses a server resolves to, the exact size of a file. Drawing it
/// from the seeded generator would give the same name different values in
/// one session; std's hashers promise no stable value (and `RandomState`
/// changes with every process).
///
/// ```
/// use plugin_api::kit::stable_hash;
/// assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
/// assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
/// assert_eq!(stable_hash("cdn.kernel.org"), stable_hash("cdn.kernel.org"));
/// ```
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Month names as C's `ctime(3)` and web server logs abbreviate them.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

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

    /// `14/Mar/2026:09:21:33 +0100`: the date in the Common Log Format of
    /// web server access logs (nginx, Apache), in local time
    /// `utc_offset_minutes` east of UTC (`60` for Paris in winter, `-300`
    /// for New York), with that offset at the end as the servers write it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use plugin_api::kit::SimDate;
    /// let date = SimDate::from_unix(1_772_425_200); // 2026-03-02 04:20:00 UTC
    /// assert_eq!(date.clf(Duration::ZERO, 0), "02/Mar/2026:04:20:00 +0000");
    /// assert_eq!(date.clf(Duration::from_secs(33), -300), "01/Mar/2026:23:20:33 -0500");
    /// ```
    pub fn clf(&self, clock: Duration, utc_offset_minutes: i32) -> String {
        let utc = self
            .at(clock)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // `at` stops at year 9999, far inside i64.
        let local = i64::try_from(utc).unwrap_or(i64::MAX) + i64::from(utc_offset_minutes) * 60;
        let (year, month, day) = civil_from_days(local.div_euclid(86_400));
        let secs = local.rem_euclid(86_400);
        let sign = if utc_offset_minutes < 0 { '-' } else { '+' };
        let off = utc_offset_minutes.unsigned_abs();
        format!(
            "{day:02}/{}/{year}:{:02}:{:02}:{:02} {sign}{:02}{:02}",
            MONTHS[(month - 1) as usize],
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            off / 60,
            off % 60
        )
    }
}

/// Year, month (1-12) and day (1-31) of a day count since 1970-01-01, in the
/// proleptic Gregorian calendar (the classic era-based conversion, exact for
/// any day, before 1970 too).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::Screen;

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
    fn clf_matches_the_servers() {
        let at = |unix, off| SimDate::from_unix(unix).clf(Duration::ZERO, off);
        assert_eq!(at(0, 0), "01/Jan/1970:00:00:00 +0000");
        assert_eq!(at(1_767_225_600, 0), "01/Jan/2026:00:00:00 +0000");
        assert_eq!(at(1_767_225_600, -300), "31/Dec/2025:19:00:00 -0500");
        assert_eq!(at(1_772_323_199, 0), "28/Feb/2026:23:59:59 +0000");
        assert_eq!(at(1_709_164_800, 330), "29/Feb/2024:05:30:00 +0530"); // a leap day
        assert_eq!(at(951_782_400, 60), "29/Feb/2000:01:00:00 +0100");
        assert_eq!(at(0, -60), "31/Dec/1969:23:00:00 -0100"); // before the epoch
        // Agrees with the other formats on the same moment.
        let d = SimDate::from_seed(9);
        for secs in [0, 59, 86_399, 86_400 * 45 + 7] {
            let clock = Duration::from_secs(secs);
            let (clf, iso) = (d.clf(clock, 0), d.datetime(clock));
            assert_eq!(&clf[7..11], &iso[0..4], "{clf} vs {iso}");
            assert_eq!(&clf[12..20], &iso[11..19], "{clf} vs {iso}");
            assert_eq!(&clf[..2], &iso[8..10], "{clf} vs {iso}");
            assert_eq!(&clf[3..6], &d.ctime(clock)[4..7], "{clf}");
        }
        // Any offset and the end of time: no panic.
        for off in [i32::MIN, -1, 1, i32::MAX] {
            let _ = SimDate::from_unix(253_402_300_799).clf(Duration::from_secs(86_400), off);
            let _ = SimDate::from_unix(0).clf(Duration::ZERO, off);
        }
    }

    #[test]
    fn typing_frames_keep_the_text_and_the_time() {
        let texts = [
            "",
            "y",
            "yes",
            "docker image rm nginx:1.25-alpine",
            "naïve ☕ café",
        ];
        for text in texts {
            let chars = text.chars().count() as u64;
            for ms in [0, 1, 5, 12, 16, 25, 32, 33, 34, 50, 140] {
                let frames = typing_frames(text, ms);
                let shown: String = frames.iter().map(|(r, _)| &text[r.clone()]).collect();
                assert_eq!(shown, text, "{text:?} at {ms}");
                let slept: u64 = frames.iter().map(|(_, t)| t).sum();
                assert_eq!(slept, chars * ms, "{text:?} at {ms}");
                for (r, t) in &frames {
                    assert_eq!(*t, text[r.clone()].chars().count() as u64 * ms);
                    if frames.len() > 1 {
                        assert!(*t >= TYPING_FRAME_MS, "{text:?} at {ms}: {frames:?}");
                    }
                }
                if ms >= TYPING_FRAME_MS {
                    assert_eq!(frames.len() as u64, chars, "one character a frame");
                }
            }
        }
        // 12 ms a character: three characters a frame, not one.
        let frames = typing_frames("abcdefghijk", 12);
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0], (0..4, 48));
        assert_eq!(typing_frames("ab", 0), [(0..2, 0)]);
    }

    #[test]
    fn type_out_sleeps_the_same_in_fewer_frames() {
        let text = "kubectl rollout status deployment/api";
        let mut screen = Screen::terminal(80);
        screen.run(|host| type_out(host, text, Style::plain(), 12).unwrap());
        assert_eq!(screen.rows(), [text, ""]);
        assert_eq!(screen.sleeps().iter().sum::<u64>(), 12 * text.len() as u64);
        assert!(
            screen.prints() <= text.len() / 2,
            "{} frames",
            screen.prints()
        );

        let mut file = Screen::file(80);
        file.run(|host| type_out(host, "yes", Style::plain(), 140).unwrap());
        assert_eq!(file.text(), "yes\n");
        assert_eq!(file.sleeps(), [140, 140, 140]);
    }

    #[test]
    fn shell_prompt_types_the_command_after_the_sign() {
        let mut screen = Screen::terminal(80);
        screen.run(|host| {
            shell_prompt(host, "terraform init", 0).unwrap();
            shell_prompt(host, "docker images", 50).unwrap();
        });
        assert_eq!(screen.rows(), ["$ terraform init", "$ docker images", ""]);
        assert_eq!(screen.sleeps()[0], 0);
        assert_eq!(screen.sleeps()[1..].iter().sum::<u64>(), 50 * 13);

        let mut narrow = Screen::terminal(12);
        narrow.run(|host| shell_prompt(host, "git clone https://x.org/y.git", 0).unwrap());
        assert_eq!(narrow.rows(), ["$ git clon…", ""]);
    }

    #[test]
    fn lines_fit_at_any_width() {
        for w in [0u32, 1, 2, 3, 5, 12] {
            let mut screen = Screen::terminal(w);
            screen.run(|host| {
                println_fit(
                    host,
                    "a line much too long for the terminal",
                    Style::plain(),
                );
                println_fit(host, "☕☕☕☕", Style::plain());
                type_out(host, "typed ☕ out", Style::plain(), 12).unwrap();
                shell_prompt(host, "make -j8", 30).unwrap();
                shell_prompt(host, "", 0).unwrap();
            });
            for row in screen.rows() {
                assert!(width(&row) < (w as usize).max(1), "{w}: {row:?}");
            }
        }
        let mut screen = Screen::terminal(80);
        screen.run(|host| println_fit(host, "ok", Style::plain()));
        assert_eq!(screen.rows(), ["ok", ""]);
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
