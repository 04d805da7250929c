//! Text laid out for the terminal: word wrap, terminal-style hard wrap, and
//! lines made of differently styled pieces ("spans") cut at the edge.
//!
//! Widths are terminal cells (see [`width`]), never bytes or characters:
//! `é` is one cell, `☕` two. Every function here accepts any width,
//! including 0, and never panics on it.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::width;
use crate::host::{Host, Style};

/// `text` wrapped between words into lines of at most `width` cells, the way
/// a long message looks when a tool formats it for the terminal.
///
/// Spaces at a break are dropped, runs of spaces between words on a line are
/// kept, and so is the indentation of the first line (cut to leave at least
/// one cell). A word too long for a whole line is cut into `width`-cell
/// pieces, so nothing is lost and nothing is wider than `width`. A `\n` in
/// `text` starts a new line. There is always at least one line, so printing
/// the result of an empty text prints one empty line. A width of 0 is taken
/// as 1.
///
/// ```
/// use plugin_api::kit::wrap;
/// assert_eq!(
///     wrap("Creating zstd-compressed initcpio image", 20),
///     ["Creating", "zstd-compressed", "initcpio image"]
/// );
/// assert_eq!(wrap("    -o objs/nginx.o \\", 80), ["    -o objs/nginx.o \\"]);
/// assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
/// assert_eq!(wrap("", 10), [""]);
/// ```
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    word_ranges(text, width)
        .into_iter()
        .map(|r| text[r].to_owned())
        .collect()
}

/// `text` cut every `width` cells, the way a terminal wraps a line that is
/// too long for it: words are split wherever the edge falls.
///
/// Use it where the real tool does not wrap and leaves it to the terminal
/// (a long log line, a deprecation notice): the lines break where the
/// terminal's edge would break them, and as separate lines they stay right
/// when a live block is redrawn under them. A `\n` in `text` starts a new
/// line; there is always at least one line; a width of 0 is taken as 1.
///
/// ```
/// use plugin_api::kit::hard_wrap;
/// assert_eq!(hard_wrap("npm warn deprecated", 8), ["npm warn", " depreca", "ted"]);
/// assert_eq!(hard_wrap("☕☕☕", 5), ["☕☕", "☕"]);
/// assert_eq!(hard_wrap("", 8), [""]);
/// ```
pub fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    hard_ranges(text, width)
        .into_iter()
        .map(|r| text[r].to_owned())
        .collect()
}

/// [`wrap`] for a line made of styled spans: the same breaks as `wrap` gives
/// for the spans' joined text, each line given back as the pieces of the
/// spans it holds (borrowed, in their spans' styles; empty pieces left out).
///
/// ```
/// use plugin_api::kit::wrap_spans;
/// use plugin_api::{Color, Style};
/// const WARN: Style = Style::fg(Color::Magenta);
/// let lines = wrap_spans(&[("a.c:3:1: ", Style::plain()), ("warning: unused x", WARN)], 17);
/// assert_eq!(lines, [
///     vec![("a.c:3:1: ", Style::plain()), ("warning:", WARN)],
///     vec![("unused x", WARN)],
/// ]);
/// ```
pub fn wrap_spans<'a>(spans: &[(&'a str, Style)], width: usize) -> Vec<Vec<(&'a str, Style)>> {
    let joined: String = spans.iter().map(|(t, _)| *t).collect();
    split_spans(spans, word_ranges(&joined, width))
}

/// [`hard_wrap`] for a line made of styled spans (see [`wrap_spans`]).
///
/// ```
/// use plugin_api::kit::hard_wrap_spans;
/// use plugin_api::{Color, Style};
/// const WARN: Style = Style::fg(Color::Yellow);
/// let lines = hard_wrap_spans(&[("npm ", Style::plain()), ("WARN", WARN), (" old", Style::plain())], 6);
/// assert_eq!(lines, [
///     vec![("npm ", Style::plain()), ("WA", WARN)],
///     vec![("RN", WARN), (" old", Style::plain())],
/// ]);
/// ```
pub fn hard_wrap_spans<'a>(spans: &[(&'a str, Style)], width: usize) -> Vec<Vec<(&'a str, Style)>> {
    let joined: String = spans.iter().map(|(t, _)| *t).collect();
    split_spans(spans, hard_ranges(&joined, width))
}

/// Styled spans that make one line, cut so that the whole line takes at most
/// `max` cells; a cut line ends with `…` (in the style of the span that was
/// cut). Empty spans are left out.
///
/// This is [`fit`](super::fit) for a line whose pieces have different
/// styles: cutting each piece on its own would not keep the line within
/// `max`.
///
/// ```
/// use plugin_api::kit::fit_spans;
/// use plugin_api::{Color, Style};
/// const OK: Style = Style::fg(Color::Green);
/// let line = [(" + ", OK), ("serde v1.0.219", Style::plain())];
/// assert_eq!(fit_spans(&line, 20), [(" + ".to_owned(), OK), ("serde v1.0.219".to_owned(), Style::plain())]);
/// assert_eq!(fit_spans(&line, 10), [(" + ".to_owned(), OK), ("serde …".to_owned(), Style::plain())]);
/// assert_eq!(fit_spans(&line, 0), []);
/// ```
pub fn fit_spans(spans: &[(&str, Style)], max: usize) -> Vec<(String, Style)> {
    let total: usize = spans.iter().map(|(t, _)| width(t)).sum();
    let mut out = Vec::new();
    if total <= max {
        for (text, style) in spans {
            if !text.is_empty() {
                out.push(((*text).to_owned(), *style));
            }
        }
        return out;
    }
    let Some(mut room) = max.checked_sub(1) else {
        return out; // not even room for the ellipsis
    };
    for &(text, style) in spans {
        let w = width(text);
        if w <= room {
            if !text.is_empty() {
                out.push((text.to_owned(), style));
            }
            room -= w;
        } else {
            let mut cut = String::new();
            let mut used = 0;
            for c in text.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > room {
                    break;
                }
                cut.push(c);
                used += cw;
            }
            cut.push('…');
            out.push((cut, style));
            break;
        }
    }
    out
}

/// Print styled spans as one line cut to the terminal (`width - 1` cells,
/// so that no terminal wraps it; see [`fit_spans`]), without ending it.
///
/// Tools colour parts of a line (a green `+`, a dim version); cutting the
/// pieces one by one would let the line run past the edge.
pub fn print_spans(host: &Host, spans: &[(&str, Style)]) {
    for (text, style) in fit_spans(spans, host.width().saturating_sub(1)) {
        host.styled(&text, style);
    }
}

/// [`print_spans`], then end the line.
///
/// ```no_run
/// # fn demo(host: &plugin_api::Host) {
/// use plugin_api::kit::println_spans;
/// use plugin_api::{Color, Style};
/// println_spans(host, &[(" + ", Style::fg(Color::Green)), ("serde v1.0.219", Style::plain())]);
/// # }
/// ```
pub fn println_spans(host: &Host, spans: &[(&str, Style)]) {
    print_spans(host, spans);
    host.newline();
}

/// Print styled spans as the terminal would show them if it wrapped the
/// line itself: cut every `width - 1` cells (see [`hard_wrap_spans`]), each
/// line ended; nothing is lost.
///
/// For text the real tool prints on one long line and leaves to the
/// terminal (a deprecation notice, a log line with a long message), where
/// cutting it with `…` would lose what a reader expects to see. Staying off
/// the last column keeps every terminal from wrapping it a second time.
pub fn println_hard_wrapped(host: &Host, spans: &[(&str, Style)]) {
    for line in hard_wrap_spans(spans, host.width().saturating_sub(1)) {
        for (text, style) in line {
            host.styled(text, style);
        }
        host.newline();
    }
}

/// The byte ranges of `text` that [`wrap`] makes into lines.
fn word_ranges(text: &str, max: usize) -> Vec<Range<usize>> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut base = 0;
    for paragraph in text.split('\n') {
        wrap_paragraph(paragraph, base, max, &mut lines);
        base += paragraph.len() + 1;
    }
    lines
}

/// One line being filled: `start..end` of the text, `col` cells wide.
struct Filling {
    start: usize,
    end: usize,
    col: usize,
}

impl Filling {
    fn at(start: usize) -> Self {
        Filling {
            start,
            end: start,
            col: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Adds the word `text[at..at + word.len()]`, cutting it into whole
    /// lines when it does not fit (its first piece goes on this line only
    /// when the line holds nothing but indentation).
    fn place(&mut self, word: &str, at: usize, max: usize, out: &mut Vec<Range<usize>>) {
        let w = width(word);
        if self.col + w <= max {
            self.end = at + word.len();
            self.col += w;
            return;
        }
        for (i, c) in word.char_indices() {
            let cw = c.width().unwrap_or(0);
            // A character wider than the whole line (a wide one at width 1)
            // still gets a line of its own: never drop text, never loop.
            if self.col + cw > max && !self.is_empty() {
                out.push(self.start..self.end);
                *self = Filling::at(at + i);
            }
            self.end = at + i + c.len_utf8();
            self.col += cw;
        }
    }
}

fn wrap_paragraph(paragraph: &str, base: usize, max: usize, out: &mut Vec<Range<usize>>) {
    let mut line = Filling::at(base);
    let mut first = true;
    let mut rest = paragraph;
    let mut offset = base;
    loop {
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        let after = &rest[spaces..];
        let word_len = after.find(' ').unwrap_or(after.len());
        if word_len == 0 {
            break; // only spaces left: trailing spaces are dropped
        }
        let word = &after[..word_len];
        let at = offset + spaces;
        if first {
            // Indentation stays, leaving a cell for the first word.
            let indent = spaces.min(max - 1);
            line = Filling {
                start: offset + spaces - indent,
                end: offset + spaces,
                col: indent,
            };
            line.place(word, at, max, out);
            first = false;
        } else if line.col + spaces + width(word) <= max {
            line.end = at + word.len();
            line.col += spaces + width(word);
        } else {
            out.push(line.start..line.end);
            line = Filling::at(at);
            line.place(word, at, max, out);
        }
        rest = &after[word_len..];
        offset = at + word_len;
    }
    out.push(line.start..line.end);
}

/// The byte ranges of `text` that [`hard_wrap`] makes into lines.
fn hard_ranges(text: &str, max: usize) -> Vec<Range<usize>> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut base = 0;
    for paragraph in text.split('\n') {
        let mut line = Filling::at(base);
        for (i, c) in paragraph.char_indices() {
            let cw = c.width().unwrap_or(0);
            if line.col + cw > max && !line.is_empty() {
                lines.push(line.start..line.end);
                line = Filling::at(base + i);
            }
            line.end = base + i + c.len_utf8();
            line.col += cw;
        }
        lines.push(line.start..line.end);
        base += paragraph.len() + 1;
    }
    lines
}

/// Each range of the spans' joined text as the pieces of the spans it covers.
fn split_spans<'a>(
    spans: &[(&'a str, Style)],
    ranges: Vec<Range<usize>>,
) -> Vec<Vec<(&'a str, Style)>> {
    ranges
        .into_iter()
        .map(|range| {
            let mut pieces = Vec::new();
            let mut start = 0;
            for &(text, style) in spans {
                let end = start + text.len();
                let (from, to) = (range.start.max(start), range.end.min(end));
                if from < to {
                    pieces.push((&text[from - start..to - start], style));
                }
                start = end;
            }
            pieces
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Color;
    use crate::kit::testing::Screen;

    const SAMPLES: [&str; 7] = [
        "",
        "short",
        "gcc -DHAVE_CONFIG_H -I. -I../include -O2 -g -Wall -Wextra -fPIC -MT lib/easy.o -MD -MP -MF lib/.deps/easy.Tpo -c -o lib/easy.o lib/easy.c",
        "                -o objs/src/core/nginx.o \\",
        "naïve café ☕☕☕ wide 漢字漢字漢字 text",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "two\nparagraphs  with   runs of spaces   ",
    ];

    #[test]
    fn no_line_is_wider_than_asked_at_any_width() {
        for text in SAMPLES {
            for w in 0..=90 {
                // Only a wide character at width 1 may exceed: it cannot be cut.
                let limit = w.max(2);
                for line in wrap(text, w).iter().chain(&hard_wrap(text, w)) {
                    assert!(width(line) <= limit, "{text:?} at {w}: {line:?}");
                }
                if w >= 2 {
                    for line in wrap(text, w).iter().chain(&hard_wrap(text, w)) {
                        assert!(width(line) <= w, "{text:?} at {w}: {line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn wrapping_loses_nothing_but_spaces_at_breaks() {
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        for text in SAMPLES {
            for w in [0, 1, 5, 7, 13, 33, 80] {
                assert_eq!(
                    squeeze(&wrap(text, w).concat()),
                    squeeze(text),
                    "{text:?} at {w}"
                );
                assert_eq!(
                    hard_wrap(text, w).concat(),
                    text.replace('\n', ""),
                    "{text:?} at {w}"
                );
            }
        }
    }

    #[test]
    fn words_break_only_at_spaces_when_they_fit() {
        let text = SAMPLES[2];
        for w in [40, 80, 200] {
            let lines = wrap(text, w);
            assert_eq!(lines.join(" "), text, "at {w}");
            // Greedy: the next word would not have fitted.
            for pair in lines.windows(2) {
                let next = pair[1].split(' ').next().unwrap();
                assert!(width(&pair[0]) + 1 + width(next) > w);
            }
        }
    }

    #[test]
    fn indentation_and_inner_spaces_are_kept_breaks_drop_them() {
        assert_eq!(wrap("  a  b", 80), ["  a  b"]);
        assert_eq!(wrap("  aaa bbb", 6), ["  aaa", "bbb"]);
        assert_eq!(wrap("aaaa bbbb", 4), ["aaaa", "bbbb"]);
        assert_eq!(wrap("a   ", 80), ["a"]);
        assert_eq!(wrap("   ", 80), [""]);
        // Indentation wider than the line leaves a cell for the word.
        assert_eq!(wrap("      ab", 4), ["   a", "b"]);
        assert_eq!(wrap("x\n\ny", 80), ["x", "", "y"]);
    }

    #[test]
    fn long_words_are_cut_into_whole_lines() {
        assert_eq!(wrap("ab abcdefghij", 4), ["ab", "abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefghij ab", 4), ["abcd", "efgh", "ij", "ab"]);
        assert_eq!(wrap("☕☕", 1), ["☕", "☕"]);
        assert_eq!(hard_wrap("☕☕", 1), ["☕", "☕"]);
        assert_eq!(hard_wrap("a☕", 2), ["a", "☕"]);
    }

    #[test]
    fn span_pieces_keep_their_styles_and_text() {
        let bold = Style::plain().bold();
        let red = Style::fg(Color::Red);
        let spans = [("src/main.c:", bold), (" warning: ", red), ("unused", bold)];
        // Every character with its style, spaces left out when they may go.
        let flat = |pieces: &[(&str, Style)], spaces: bool| -> Vec<(char, Style)> {
            pieces
                .iter()
                .flat_map(|(t, s)| t.chars().map(move |c| (c, *s)))
                .filter(|(c, _)| spaces || *c != ' ')
                .collect()
        };
        for w in [0, 1, 5, 9, 12, 30] {
            let hard = hard_wrap_spans(&spans, w);
            assert_eq!(flat(&hard.concat(), true), flat(&spans, true), "at {w}");
            let words = wrap_spans(&spans, w);
            assert_eq!(flat(&words.concat(), false), flat(&spans, false), "at {w}");
            for line in hard.iter().chain(&words) {
                assert!(line.iter().all(|(t, _)| !t.is_empty()));
            }
            let joined: String = spans.iter().map(|(t, _)| *t).collect();
            let plain: Vec<String> = words
                .iter()
                .map(|l| l.iter().map(|(t, _)| *t).collect())
                .collect();
            assert_eq!(plain, wrap(&joined, w), "at {w}");
        }
        assert_eq!(
            hard_wrap_spans(&[("ab", bold)], 1),
            [vec![("a", bold)], vec![("b", bold)]]
        );
        assert_eq!(wrap_spans(&[], 5), [Vec::<(&str, Style)>::new()]);
    }

    #[test]
    fn println_spans_cuts_at_the_terminal_edge() {
        let mut screen = Screen::terminal(12);
        screen.run(|host| {
            println_spans(
                host,
                &[
                    ("+ ", Style::fg(Color::Green)),
                    ("serde v1.0.219", Style::plain()),
                ],
            );
            print_spans(host, &[("ok", Style::plain())]);
            print_spans(host, &[(" done", Style::plain())]);
        });
        assert_eq!(screen.rows(), ["+ serde v1…", "ok done"]);
        for w in [0, 1, 5] {
            let mut screen = Screen::terminal(w);
            screen.run(|host| {
                println_spans(host, &[("abc", Style::plain()), ("def", Style::plain())])
            });
            assert!(width(&screen.rows()[0]) < (w as usize).max(1));
        }
    }

    #[test]
    fn println_hard_wrapped_keeps_everything_off_the_last_column() {
        let spans = [
            ("npm ", Style::plain()),
            ("WARN", Style::fg(Color::Yellow)),
            (" deprecated inflight@1.0.6", Style::plain()),
        ];
        let mut screen = Screen::terminal(12);
        screen.run(|host| println_hard_wrapped(host, &spans));
        assert_eq!(
            screen.rows(),
            ["npm WARN de", "precated in", "flight@1.0.", "6", ""]
        );
        for w in [0, 1, 2, 5] {
            let mut screen = Screen::terminal(w);
            screen.run(|host| println_hard_wrapped(host, &spans));
            let rows = screen.rows();
            // (The screen trims trailing spaces, so compare without them.)
            assert_eq!(
                rows.concat().replace(' ', ""),
                "npmWARNdeprecatedinflight@1.0.6"
            );
            let limit = (w as usize).saturating_sub(1).max(1);
            assert!(rows.iter().all(|r| width(r) <= limit), "{w}: {rows:?}");
        }
    }

    #[test]
    fn fit_spans_never_exceeds_and_marks_the_cut() {
        let green = Style::fg(Color::Green);
        let spans = [
            ("abc", green),
            ("", Style::plain()),
            ("defgh", Style::plain()),
        ];
        for max in 0..12 {
            let cut = fit_spans(&spans, max);
            let w: usize = cut.iter().map(|(t, _)| width(t)).sum();
            assert!(w <= max, "{max}: {cut:?}");
            let text: String = cut.iter().map(|(t, _)| t.as_str()).collect();
            if max >= 8 {
                assert_eq!(text, "abcdefgh");
            } else if max > 0 {
                assert!(text.ends_with('…'), "{max}: {text}");
            }
            assert!(cut.iter().all(|(t, _)| !t.is_empty()));
        }
        // A cut exactly at a span's end still shows that the line goes on.
        assert_eq!(
            fit_spans(&[("abc", green), ("d", Style::plain())], 3),
            [("ab…".to_owned(), green)]
        );
    }
}
