//! The one output channel: a buffer that reaches the terminal in one
//! `write(2)` per flush, so in-place redraws never tear.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use colored::{Color as Fg, Colorize};

/// Flush on our own once this much is pending, so a module that prints a lot
/// without sleeping cannot grow the buffer without bound.
const MAX_PENDING: usize = 64 * 1024;

/// Terminal geometry used when stdout is not a terminal and neither
/// `COLUMNS` nor `LINES` says otherwise.
const DEFAULT_SIZE: (u32, u32) = (80, 24);

/// The host's stdout.
pub struct Output {
    /// A duplicate of fd 1, written directly: std's `Stdout` is line-buffered
    /// and would split a frame at its newlines.
    file: File,
    buf: Vec<u8>,
    tty: bool,
    color: bool,
    at_line_start: bool,
    size: (u32, u32),
    /// Set by SIGWINCH: the size is only asked again after the terminal
    /// was resized, not on every frame.
    resized: Arc<AtomicBool>,
    /// Set once a write fails (a closed pipe): everything after is dropped.
    closed: bool,
    /// Lines ended so far (for `--instant-print-lines`).
    lines: u64,
}

impl Output {
    /// Wraps stdout; `color` is the already-made decision.
    pub fn stdout(color: bool) -> io::Result<Self> {
        let stdout = io::stdout();
        let tty = stdout.is_terminal();
        let file = File::from(stdout.as_fd().try_clone_to_owned()?);
        let mut out = Output {
            file,
            buf: Vec::with_capacity(8192),
            tty,
            color,
            at_line_start: true,
            size: DEFAULT_SIZE,
            resized: Arc::new(AtomicBool::new(true)),
            closed: false,
            lines: 0,
        };
        if tty {
            signal_hook::flag::register(signal_hook::consts::SIGWINCH, Arc::clone(&out.resized))?;
        }
        out.refresh_size();
        Ok(out)
    }

    /// Whether stdout is a terminal.
    pub fn is_terminal(&self) -> bool {
        self.tty
    }

    /// Whether styled text is shown in colour.
    pub fn color(&self) -> bool {
        self.color
    }

    /// Whether a write has failed (the reader went away).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Lines ended so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// `(columns, rows)`, as of the last [`Output::refresh_size`] that found
    /// the terminal resized.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Re-reads the terminal size if it may have changed (cheap to call on
    /// every frame: without a SIGWINCH since the last call it does nothing).
    pub fn refresh_size(&mut self) {
        if !self.resized.swap(false, Ordering::Relaxed) {
            return;
        }
        self.size = if self.tty {
            terminal_size::terminal_size_of(self.file.as_fd())
                .map(|(w, h)| (u32::from(w.0), u32::from(h.0)))
                .unwrap_or(DEFAULT_SIZE)
        } else {
            let env = |name: &str, default: u32| {
                std::env::var(name)
                    .ok()
                    .and_then(|v| v.parse::<u32>().ok())
                    .filter(|&v| v > 0)
                    .unwrap_or(default)
            };
            (env("COLUMNS", DEFAULT_SIZE.0), env("LINES", DEFAULT_SIZE.1))
        };
    }

    /// Appends text to the current line.
    pub fn print(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.buf.extend_from_slice(text.as_bytes());
        self.at_line_start = text.ends_with('\n');
        self.lines += text.bytes().filter(|&b| b == b'\n').count() as u64;
        self.maybe_flush();
    }

    /// Appends styled text; plain when colour is off.
    pub fn styled(&mut self, text: &str, style: u32) {
        if !self.color || style == 0 {
            return self.print(text);
        }
        let mut s = text.normal();
        if let Some(fg) = color_of(style & 0xff) {
            s = s.color(fg);
        }
        if style & plugin_api::Style::BOLD != 0 {
            s = s.bold();
        }
        if style & plugin_api::Style::DIM != 0 {
            s = s.dimmed();
        }
        if style & plugin_api::Style::ITALIC != 0 {
            s = s.italic();
        }
        if style & plugin_api::Style::UNDERLINE != 0 {
            s = s.underline();
        }
        self.print(&s.to_string());
    }

    /// Ends the current line.
    pub fn newline(&mut self) {
        self.print("\n");
    }

    /// Moves the cursor up; nothing when not a terminal.
    pub fn cursor_up(&mut self, n: u32) {
        if self.tty && n > 0 {
            self.buf.extend_from_slice(format!("\x1b[{n}A").as_bytes());
        }
    }

    /// Erases the current line and returns to column one. In a file there is
    /// nothing to erase: the line is ended instead, so redraws stack up.
    pub fn erase_line(&mut self) {
        if self.tty {
            self.buf.extend_from_slice(b"\r\x1b[2K");
            self.at_line_start = true;
        } else if !self.at_line_start {
            self.newline();
        }
    }

    /// Ends an unfinished line and resets colours: the state the next module
    /// (or the shell prompt) expects.
    pub fn finish_line(&mut self) {
        if !self.at_line_start {
            self.newline();
        }
    }

    /// Writes what is pending in one write. A failed write marks the output
    /// closed and is otherwise ignored: the caller asks the module to stop.
    pub fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        if !self.closed && self.file.write_all(&self.buf).is_err() {
            self.closed = true;
        }
        self.buf.clear();
        if self.buf.capacity() > 4 * MAX_PENDING {
            self.buf.shrink_to(8192);
        }
    }

    /// Puts the terminal back the way a shell expects it: line ended, colours
    /// and attributes reset, cursor visible.
    pub fn restore(&mut self) {
        self.finish_line();
        if self.tty {
            self.buf.extend_from_slice(b"\x1b[0m\x1b[?25h");
        }
        self.flush();
    }

    fn maybe_flush(&mut self) {
        if self.buf.len() >= MAX_PENDING {
            self.flush();
        }
    }
}

fn color_of(code: u32) -> Option<Fg> {
    Some(match code {
        1 => Fg::Black,
        2 => Fg::Red,
        3 => Fg::Green,
        4 => Fg::Yellow,
        5 => Fg::Blue,
        6 => Fg::Magenta,
        7 => Fg::Cyan,
        8 => Fg::White,
        9 => Fg::BrightBlack,
        10 => Fg::BrightRed,
        11 => Fg::BrightGreen,
        12 => Fg::BrightYellow,
        13 => Fg::BrightBlue,
        14 => Fg::BrightMagenta,
        15 => Fg::BrightCyan,
        16 => Fg::BrightWhite,
        _ => return None,
    })
}

/// Whether to colour, from `--color` and the environment (`NO_COLOR`,
/// `CLICOLOR_FORCE`, see no-color.org and bixense.com/clicolors).
pub fn decide_color(choice: crate::cli::ColorChoice, stdout_is_tty: bool) -> bool {
    use crate::cli::ColorChoice;
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR") => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE") => true,
        ColorChoice::Auto => stdout_is_tty,
    }
}

/// Renders a progress bar `width` cells wide with eighth-block precision.
pub fn progress_bar(fraction: f64, width: usize) -> String {
    const PARTIAL: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let fraction = if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    };
    let eighths = (fraction * width as f64 * 8.0).round() as usize;
    let full = (eighths / 8).min(width);
    let mut bar = String::with_capacity(width * 3);
    bar.extend(std::iter::repeat_n('█', full));
    if full < width {
        bar.push(PARTIAL[eighths % 8]);
        bar.extend(std::iter::repeat_n(' ', width - full - 1));
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn bars_have_exact_width() {
        for width in 0..30 {
            for i in 0..=40 {
                let bar = progress_bar(f64::from(i) / 40.0, width);
                assert_eq!(bar.width(), width, "width {width}, {i}/40");
            }
        }
        assert_eq!(progress_bar(0.5, 4), "██  ");
        assert_eq!(progress_bar(1.0, 3), "███");
        assert_eq!(progress_bar(f64::NAN, 2), "  ");
        assert_eq!(progress_bar(7.0, 2), "██");
    }
}
