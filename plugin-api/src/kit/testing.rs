//! A fake host for the kit's tests: it keeps what a terminal would show (or
//! what a file would hold) so that tests can look at the result of a run.

use std::mem::size_of;

use unicode_width::UnicodeWidthChar;

use crate::abi::{AbiHeader, HOST_API_MAGIC, HostApi, HostCtx};
use crate::host::Host;

/// Marks the second cell of a wide character.
const WIDE_TAIL: char = '\0';

/// A terminal without a right edge (a line too long for it shows up as a
/// long row, for tests to catch), or a file.
pub struct Screen {
    width: u32,
    terminal: bool,
    cells: Vec<Vec<char>>,
    row: usize,
    col: usize,
    text: String,
    /// Every sleep asked for, in simulated milliseconds.
    sleeps: Vec<u64>,
    /// How many pieces of text were printed (the frames a terminal shows).
    prints: usize,
}

impl Screen {
    pub fn terminal(width: u32) -> Self {
        Screen::new(width, true)
    }

    pub fn file(width: u32) -> Self {
        Screen::new(width, false)
    }

    fn new(width: u32, terminal: bool) -> Self {
        Screen {
            width,
            terminal,
            cells: vec![Vec::new()],
            row: 0,
            col: 0,
            text: String::new(),
            sleeps: Vec::new(),
            prints: 0,
        }
    }

    /// Runs `f` with a `Host` whose calls land on this screen.
    pub fn run(&mut self, f: impl FnOnce(&Host)) {
        let api = HostApi {
            header: AbiHeader {
                magic: HOST_API_MAGIC,
                abi_major: 1,
                abi_minor: 1,
                struct_size: size_of::<HostApi>() as u32,
                reserved: 0,
            },
            print: Some(cb_print),
            print_styled: Some(cb_print_styled),
            newline: Some(cb_newline),
            cursor_up: Some(cb_cursor_up),
            erase_line: Some(cb_erase_line),
            flush: None,
            sleep_ms: Some(cb_sleep_ms),
            clock_ms: None,
            term_width: Some(cb_width),
            term_height: None,
            is_terminal: Some(cb_is_terminal),
            progress_bar: None,
            log: None,
            should_exit: None,
            color_enabled: None,
        };
        let ctx = std::ptr::from_mut(self).cast::<HostCtx>();
        // SAFETY: the table and the screen outlive `host`; every callback
        // casts `ctx` back to this screen, which nothing else touches while
        // `f` runs.
        let host = unsafe { Host::from_raw(&api, ctx) };
        f(&host);
    }

    /// The terminal's rows down to the cursor's, without trailing spaces.
    pub fn rows(&self) -> Vec<String> {
        self.cells
            .iter()
            .map(|r| {
                let s: String = r.iter().filter(|&&c| c != WIDE_TAIL).collect();
                s.trim_end().to_owned()
            })
            .collect()
    }

    /// What a file would hold.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every sleep asked for, in simulated milliseconds.
    pub fn sleeps(&self) -> &[u64] {
        &self.sleeps
    }

    /// How many times text was printed.
    pub fn prints(&self) -> usize {
        self.prints
    }

    fn print(&mut self, text: &str) {
        self.prints += 1;
        if !self.terminal {
            self.text.push_str(text);
            return;
        }
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            let row = &mut self.cells[self.row];
            if row.len() < self.col + w {
                row.resize(self.col + w, ' ');
            }
            if w > 0 {
                row[self.col] = c;
                if w == 2 {
                    row[self.col + 1] = WIDE_TAIL;
                }
            }
            self.col += w;
        }
    }

    fn newline(&mut self) {
        if !self.terminal {
            self.text.push('\n');
            return;
        }
        self.row += 1;
        self.col = 0;
        if self.cells.len() <= self.row {
            self.cells.push(Vec::new());
        }
    }

    fn erase_line(&mut self) {
        if self.terminal {
            self.cells[self.row].clear();
            self.col = 0;
        } else if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn cursor_up(&mut self, n: u32) {
        if self.terminal {
            self.row = self.row.saturating_sub(n as usize);
        }
    }
}

/// # Safety
/// `ctx` is the screen passed by [`Screen::run`].
unsafe fn screen<'a>(ctx: *mut HostCtx) -> &'a mut Screen {
    // SAFETY: see the function's contract.
    unsafe { &mut *ctx.cast::<Screen>() }
}

/// # Safety
/// `ptr` points to `len` bytes of UTF-8.
unsafe fn text<'a>(ptr: *const u8, len: usize) -> &'a str {
    if len == 0 {
        return "";
    }
    // SAFETY: see the function's contract.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).expect("the safe face sends UTF-8")
}

unsafe extern "C" fn cb_print(ctx: *mut HostCtx, ptr: *const u8, len: usize) {
    // SAFETY: called by `Host` with its context and a valid string.
    unsafe { screen(ctx).print(text(ptr, len)) }
}

unsafe extern "C" fn cb_print_styled(ctx: *mut HostCtx, ptr: *const u8, len: usize, _style: u32) {
    // SAFETY: as above.
    unsafe { screen(ctx).print(text(ptr, len)) }
}

unsafe extern "C" fn cb_newline(ctx: *mut HostCtx) {
    // SAFETY: as above.
    unsafe { screen(ctx).newline() }
}

unsafe extern "C" fn cb_erase_line(ctx: *mut HostCtx) {
    // SAFETY: as above.
    unsafe { screen(ctx).erase_line() }
}

unsafe extern "C" fn cb_cursor_up(ctx: *mut HostCtx, n: u32) {
    // SAFETY: as above.
    unsafe { screen(ctx).cursor_up(n) }
}

unsafe extern "C" fn cb_sleep_ms(ctx: *mut HostCtx, ms: u64) -> bool {
    // SAFETY: as above.
    unsafe { screen(ctx).sleeps.push(ms) };
    false
}

unsafe extern "C" fn cb_width(ctx: *mut HostCtx) -> u32 {
    // SAFETY: as above.
    unsafe { screen(ctx).width }
}

unsafe extern "C" fn cb_is_terminal(ctx: *mut HostCtx) -> bool {
    // SAFETY: as above.
    unsafe { screen(ctx).terminal }
}
