//! [`LiveBlock`]: lines redrawn in place under the scrolling output.

use super::spans::fit_spans;
use crate::host::{Host, Style};

/// A block of lines redrawn in place: progress bars, status panels, a
/// spinner under a growing table.
///
/// On a terminal each drawing overwrites the previous one, and a shorter
/// drawing blanks the lines the longer one left. The cursor stays on the
/// block's last line until the block is [finished](LiveBlock::finish) or
/// [cleared](LiveBlock::clear), so nothing else may be printed in between:
/// print permanent lines through [`LiveBlock::print_above`].
///
/// When output is not a terminal nothing can be redrawn (the host makes
/// `cursor_up` a no-op and `erase_line` a line end), so each drawing is
/// appended as whole lines and [`clear`](LiveBlock::clear) has nothing to
/// erase; draw less often there (see [`Host::is_terminal`]).
///
/// Every line is cut to the terminal width minus one, so that no terminal
/// wraps it (a wrapped line would throw every later redraw off). Keep the
/// block shorter than the terminal ([`Host::height`]): the cursor cannot go
/// back above the top of the screen.
///
/// ```no_run
/// # fn demo(host: &plugin_api::Host) -> plugin_api::RunResult {
/// use plugin_api::kit::LiveBlock;
/// use plugin_api::{Color, Style};
/// let mut block = LiveBlock::new();
/// for done in 0..=10 {
///     if done == 5 {
///         block.print_above(host, |host| host.println("   Compiled serde"));
///     }
///     let bar = host.progress_bar(done as f64 / 10.0, 20);
///     block.draw_spans(host, &[[("Building ", Style::fg(Color::Cyan)), (&bar, Style::plain())]]);
///     host.sleep_ms(100)?;
/// }
/// block.finish(host);
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct LiveBlock {
    /// Lines on screen, the cursor on the last one (always 0 when output is
    /// not a terminal: appended lines are not the block's any more).
    drawn: usize,
}

impl LiveBlock {
    /// A block that has not been drawn yet.
    pub fn new() -> Self {
        LiveBlock { drawn: 0 }
    }

    /// Replace the previous drawing with `lines`.
    pub fn draw<S: AsRef<str>>(&mut self, host: &Host, lines: &[S]) {
        self.render(host, lines.len(), |host, i, max| {
            put(host, &[(lines[i].as_ref(), Style::plain())], max);
        });
    }

    /// Like [`LiveBlock::draw`], one style per line.
    pub fn draw_styled(&mut self, host: &Host, lines: &[(&str, Style)]) {
        self.render(host, lines.len(), |host, i, max| {
            put(host, &lines[i..=i], max)
        });
    }

    /// Like [`LiveBlock::draw`], each line made of styled spans (a coloured
    /// spinner, then plain text, then a dim count), cut as a whole like
    /// [`print_spans`](super::print_spans) cuts a line.
    pub fn draw_spans<L, S>(&mut self, host: &Host, lines: &[L])
    where
        L: AsRef<[(S, Style)]>,
        S: AsRef<str>,
    {
        self.render(host, lines.len(), |host, i, max| {
            put(host, lines[i].as_ref(), max);
        });
    }

    /// Print permanent lines above the block: `print` runs with the block
    /// erased and the cursor where the block began, and must print whole
    /// lines (each ended). The block is then gone; draw it again to put it
    /// back under them.
    ///
    /// `print` gets the host rather than lines to print so that the caller
    /// keeps its own layout (styles, widths, several calls per line). When
    /// output is not a terminal the block's lines stay where they are and
    /// `print` simply runs. Returns what `print` returns.
    pub fn print_above<R>(&mut self, host: &Host, print: impl FnOnce(&Host) -> R) -> R {
        self.clear(host);
        print(host)
    }

    /// Erase the block and leave the cursor at the start of its first line,
    /// where the next output goes. When output is not a terminal there is
    /// nothing to erase (the lines were appended, each one ended) and this
    /// does nothing.
    pub fn clear(&mut self, host: &Host) {
        if self.drawn == 0 || !host.is_terminal() {
            self.drawn = 0;
            return;
        }
        let up = u32::try_from(self.drawn - 1).unwrap_or(u32::MAX);
        host.cursor_up(up);
        for i in 0..self.drawn {
            if i > 0 {
                host.newline();
            }
            host.erase_line();
        }
        host.cursor_up(up);
        self.drawn = 0;
    }

    /// End the block: the cursor moves below it, the last drawing stays, and
    /// the next output starts on a fresh line.
    pub fn finish(&mut self, host: &Host) {
        if self.drawn > 0 {
            host.newline();
        }
        self.drawn = 0;
    }

    /// Draws `count` lines, `line(host, i, max)` printing line `i` within
    /// `max` cells.
    fn render(&mut self, host: &Host, count: usize, line: impl Fn(&Host, usize, usize)) {
        let max = host.width().saturating_sub(1);
        if !host.is_terminal() {
            // Appended as whole lines: the erasure ends a line left open
            // before the block (a prompt), and nothing is left open after.
            for i in 0..count {
                host.erase_line();
                line(host, i, max);
                host.newline();
            }
            return;
        }
        if count == 0 {
            self.clear(host);
            return;
        }
        host.cursor_up(u32::try_from(self.drawn.saturating_sub(1)).unwrap_or(u32::MAX));
        for i in 0..count {
            if i > 0 {
                host.newline();
            }
            host.erase_line();
            line(host, i, max);
        }
        // Blank what is left of a taller previous drawing, then come back.
        let extra = self.drawn.saturating_sub(count);
        for _ in 0..extra {
            host.newline();
            host.erase_line();
        }
        host.cursor_up(u32::try_from(extra).unwrap_or(u32::MAX));
        self.drawn = count;
    }
}

/// Prints one line of spans cut to `max` cells.
fn put<S: AsRef<str>>(host: &Host, spans: &[(S, Style)], max: usize) {
    let spans: Vec<(&str, Style)> = spans.iter().map(|(t, s)| (t.as_ref(), *s)).collect();
    for (text, style) in fit_spans(&spans, max) {
        host.styled(&text, style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Color;
    use crate::kit::testing::Screen;

    fn rows(screen: &Screen) -> Vec<String> {
        screen.rows()
    }

    #[test]
    fn redraws_replace_and_shrinking_blanks_the_rest() {
        let mut screen = Screen::terminal(20);
        screen.run(|host| {
            host.println("before");
            let mut block = LiveBlock::new();
            block.draw(host, &["one", "two", "three"]);
            block.draw(host, &["uno", "dos"]);
            block.finish(host);
            host.println("after");
        });
        assert_eq!(rows(&screen), ["before", "uno", "dos", "after", ""]);
    }

    #[test]
    fn print_above_keeps_the_block_under_the_new_lines() {
        let mut screen = Screen::terminal(20);
        screen.run(|host| {
            let mut block = LiveBlock::new();
            block.draw(host, &["status 1", "bar"]);
            block.print_above(host, |host| host.println("cracked: abc"));
            block.draw(host, &["status 2", "bar"]);
            let n = block.print_above(host, |host| {
                host.println("cracked: def");
                host.println("cracked: ghi");
                host.println("cracked: jkl");
                3
            });
            assert_eq!(n, 3);
            block.draw(host, &["status 3", "bar"]);
            block.finish(host);
        });
        assert_eq!(
            rows(&screen),
            [
                "cracked: abc",
                "cracked: def",
                "cracked: ghi",
                "cracked: jkl",
                "status 3",
                "bar",
                ""
            ]
        );
    }

    #[test]
    fn clear_leaves_the_cursor_where_the_block_began() {
        let mut screen = Screen::terminal(20);
        screen.run(|host| {
            let mut block = LiveBlock::new();
            block.draw(host, &["a", "b", "c"]);
            block.clear(host);
            host.println("next");
            block.clear(host); // nothing drawn: nothing happens
        });
        assert_eq!(rows(&screen), ["next", "", ""]);
    }

    #[test]
    fn spans_are_cut_as_a_whole_line() {
        let mut screen = Screen::terminal(10);
        let cyan = Style::fg(Color::Cyan);
        screen.run(|host| {
            let mut block = LiveBlock::new();
            block.draw_spans(
                host,
                &[vec![
                    ("⠋ ", cyan),
                    ("Resolving dependencies", Style::plain()),
                ]],
            );
            block.draw_styled(host, &[("short", cyan)]);
            block.finish(host);
        });
        assert_eq!(rows(&screen), ["short", ""]);
        let mut screen = Screen::terminal(10);
        screen.run(|host| {
            let mut block = LiveBlock::new();
            block.draw_spans(
                host,
                &[[("⠋ ", cyan), ("Resolving dependencies", Style::plain())]],
            );
            block.finish(host);
        });
        assert_eq!(rows(&screen), ["⠋ Resolv…", ""]);
    }

    #[test]
    fn in_a_file_drawings_are_appended_as_whole_lines() {
        let mut file = Screen::file(20);
        file.run(|host| {
            host.print("$ make ");
            let mut block = LiveBlock::new();
            block.draw(host, &["10%", "x"]);
            block.print_above(host, |host| host.println("built a.o"));
            block.draw_spans(host, &[[("50%", Style::plain())]]);
            block.clear(host);
            host.println("done");
            block.draw(host, &["100%"]);
            block.finish(host);
            host.println("end");
        });
        assert_eq!(
            file.text(),
            "$ make \n10%\nx\nbuilt a.o\n50%\ndone\n100%\nend\n"
        );
    }

    #[test]
    fn narrow_terminals_do_not_panic() {
        for w in [0u32, 1, 2, 5] {
            let mut screen = Screen::terminal(w);
            screen.run(|host| {
                let mut block = LiveBlock::new();
                block.draw(host, &["a long line", "☕☕☕"]);
                block.draw_spans(host, &[[("⠋ ", Style::plain()), ("x", Style::plain())]]);
                block.print_above(host, |host| host.println(""));
                block.draw(host, &[""; 0]);
                block.finish(host);
            });
            for row in rows(&screen) {
                assert!(crate::kit::width(&row) < w.max(1) as usize, "{w}: {row:?}");
            }
        }
    }
}
