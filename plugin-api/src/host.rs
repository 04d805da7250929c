//! The safe handle on the host's services.

use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::mem::{offset_of, size_of};
use std::time::Duration;

use crate::abi::{self, HostApi, HostCtx};

/// The host asked the module to stop (Ctrl-C, a time limit, or output that
/// went away). Returned by [`Host::sleep`] and [`Host::check`] so that a
/// module's loops can end with `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// Why a session ended early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The host asked to stop; this is a normal end, not a failure.
    Stopped,
    /// The module could not go on; the host reports the message.
    Failed(String),
}

impl From<Stop> for Error {
    fn from(_: Stop) -> Self {
        Error::Stopped
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Failed(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::Failed(message.to_owned())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Stopped => f.write_str("stopped at the host's request"),
            Error::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// What [`crate::Module::run`] returns.
pub type RunResult = Result<(), Error>;

/// The sixteen terminal colours. The host decides whether colour is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Color {
    /// ANSI colour 0.
    Black = 1,
    /// ANSI colour 1: errors, failures.
    Red,
    /// ANSI colour 2: success.
    Green,
    /// ANSI colour 3: warnings.
    Yellow,
    /// ANSI colour 4.
    Blue,
    /// ANSI colour 5.
    Magenta,
    /// ANSI colour 6.
    Cyan,
    /// ANSI colour 7.
    White,
    /// ANSI colour 8, often used for dim grey text.
    BrightBlack,
    /// ANSI colour 9.
    BrightRed,
    /// ANSI colour 10.
    BrightGreen,
    /// ANSI colour 11.
    BrightYellow,
    /// ANSI colour 12.
    BrightBlue,
    /// ANSI colour 13.
    BrightMagenta,
    /// ANSI colour 14.
    BrightCyan,
    /// ANSI colour 15.
    BrightWhite,
}

/// A text style: an optional foreground colour plus attributes.
///
/// ```
/// use plugin_api::{Color, Style};
/// const OK: Style = Style::fg(Color::Green).bold();
/// assert_eq!(OK.bits() & 0xff, Color::Green as u32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style(u32);

impl Style {
    /// Bold attribute bit.
    pub const BOLD: u32 = 1 << 8;
    /// Dim attribute bit.
    pub const DIM: u32 = 1 << 9;
    /// Italic attribute bit.
    pub const ITALIC: u32 = 1 << 10;
    /// Underline attribute bit.
    pub const UNDERLINE: u32 = 1 << 11;

    /// No colour, no attributes.
    pub const fn plain() -> Self {
        Style(0)
    }
    /// Foreground colour.
    pub const fn fg(color: Color) -> Self {
        Style(color as u32)
    }
    /// Add bold.
    pub const fn bold(self) -> Self {
        Style(self.0 | Self::BOLD)
    }
    /// Add dim.
    pub const fn dim(self) -> Self {
        Style(self.0 | Self::DIM)
    }
    /// Add italic.
    pub const fn italic(self) -> Self {
        Style(self.0 | Self::ITALIC)
    }
    /// Add underline.
    pub const fn underline(self) -> Self {
        Style(self.0 | Self::UNDERLINE)
    }
    /// The raw bits passed through the ABI.
    pub const fn bits(self) -> u32 {
        self.0
    }
}

/// Severity of a diagnostic sent with [`Host::log`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Level {
    /// Something is broken.
    Error = abi::LOG_ERROR,
    /// Something looks wrong.
    Warn = abi::LOG_WARN,
    /// Informational.
    Info = abi::LOG_INFO,
    /// For the module's author.
    Debug = abi::LOG_DEBUG,
}

/// A safe handle on the host's services, valid for one hook call.
///
/// Every method forwards to the host's C table. Methods for slots that an
/// older host lacks (added after ABI 1.0) degrade instead of crashing: they
/// return `None` or fall back to a sensible default.
/// A `Host` is neither `Send` nor `Sync`: the host's services may only be used
/// from the thread that called the hook.
pub struct Host<'a> {
    /// The host's table. Held as a raw pointer, never a reference: an older
    /// host's table is shorter than this crate's `HostApi`, so only the slots
    /// its `struct_size` covers may be read.
    api: *const HostApi,
    /// Copy of the table's frozen header (always readable).
    header: abi::AbiHeader,
    ctx: *mut HostCtx,
    _life: PhantomData<&'a HostApi>,
    _not_send: PhantomData<*mut c_void>,
}

/// Calls a table slot after checking that the host's table covers it and that
/// the pointer is non-null; evaluates to `None` when the slot is missing.
macro_rules! slot {
    ($self:ident . $field:ident ( $($arg:expr),* )) => {{
        let end = offset_of!(HostApi, $field) + size_of::<usize>();
        if $self.header.struct_size as usize >= end {
            // SAFETY: the host's table is at least `end` bytes long, so the
            // slot lies inside it; it is read through the raw pointer without
            // making a reference to the (possibly shorter) whole table.
            let slot = unsafe { std::ptr::addr_of!((*$self.api).$field).read() };
            // SAFETY: the pointer is non-null (checked by the match); `ctx`
            // is the one the host passed with this table, and the arguments
            // follow the slot's documented contract.
            slot.map(|f| unsafe { f($self.ctx $(, $arg)*) })
        } else {
            None
        }
    }};
}

impl<'a> Host<'a> {
    /// Wraps the table and context a hook was called with.
    ///
    /// # Safety
    /// `api` must be the non-null host table passed to the current hook,
    /// readable for `header.struct_size` bytes, with magic and major already
    /// checked; `ctx` the context passed with it; both valid for `'a`.
    #[doc(hidden)]
    pub unsafe fn from_raw(api: *const HostApi, ctx: *mut HostCtx) -> Self {
        // SAFETY: the frozen header starts every table and is always readable.
        let header = unsafe { api.cast::<abi::AbiHeader>().read() };
        Host {
            api,
            header,
            ctx,
            _life: PhantomData,
            _not_send: PhantomData,
        }
    }

    /// The ABI version of the host's table, as `(major, minor)`.
    pub fn abi_version(&self) -> (u16, u16) {
        (self.header.abi_major, self.header.abi_minor)
    }

    /// Append text to the current line.
    pub fn print(&self, text: &str) {
        slot!(self.print(text.as_ptr(), text.len()));
    }

    /// Append styled text; plain when the host has colour off.
    pub fn styled(&self, text: &str, style: Style) {
        if slot!(self.print_styled(text.as_ptr(), text.len(), style.bits())).is_none() {
            self.print(text);
        }
    }

    /// End the current line.
    pub fn newline(&self) {
        slot!(self.newline());
    }

    /// Print `text` and end the line.
    pub fn println(&self, text: &str) {
        self.print(text);
        self.newline();
    }

    /// Print styled `text` and end the line.
    pub fn println_styled(&self, text: &str, style: Style) {
        self.styled(text, style);
        self.newline();
    }

    /// Move the cursor up `n` lines (a no-op when output is not a terminal).
    pub fn cursor_up(&self, n: u32) {
        if n > 0 {
            slot!(self.cursor_up(n));
        }
    }

    /// Erase the current line and go back to its first column. When output is
    /// not a terminal the host ends the line instead, so redraws stack up.
    pub fn erase_line(&self) {
        slot!(self.erase_line());
    }

    /// Send everything printed so far to the terminal in one write. Sleeping
    /// flushes too, so modules rarely need this.
    pub fn flush(&self) {
        slot!(self.flush());
    }

    /// Flush, then sleep `ms` milliseconds of simulated time. The host scales
    /// the real wait by its speed factor and cuts it short to stop. A 0 ms
    /// sleep only checks for a stop: the output goes out with the next real
    /// sleep, in the same write.
    ///
    /// Returns `Err(Stop)` when the module must stop: use `?`.
    pub fn sleep_ms(&self, ms: u64) -> Result<(), Stop> {
        match slot!(self.sleep_ms(ms)) {
            Some(true) => Err(Stop),
            Some(false) => Ok(()),
            // A host without a sleep slot cannot exist in 1.x, but never spin.
            None => Err(Stop),
        }
    }

    /// [`Host::sleep_ms`] with a [`Duration`].
    pub fn sleep(&self, duration: Duration) -> Result<(), Stop> {
        self.sleep_ms(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
    }

    /// The module's simulated clock: time since this session began, advanced
    /// by every sleep. Print durations from it, never from the wall clock, so
    /// they agree with each other at any speed factor.
    pub fn clock(&self) -> Duration {
        Duration::from_millis(slot!(self.clock_ms()).unwrap_or(0))
    }

    /// Terminal width in columns (80 when unknown). Never wider lines than this.
    pub fn width(&self) -> usize {
        slot!(self.term_width()).map_or(80, |w| w.max(1) as usize)
    }

    /// Terminal height in rows (24 when unknown).
    pub fn height(&self) -> usize {
        slot!(self.term_height()).map_or(24, |h| h.max(1) as usize)
    }

    /// Whether output goes to a terminal. When it does not, in-place redraws
    /// turn into new lines: redraw less often.
    pub fn is_terminal(&self) -> bool {
        slot!(self.is_terminal()).unwrap_or(false)
    }

    /// A progress bar `width` cells wide, filled to `fraction` (clamped to
    /// 0..=1), in the host's bar style.
    pub fn progress_bar(&self, fraction: f64, width: usize) -> String {
        let width32 = u32::try_from(width).unwrap_or(u32::MAX);
        let mut buf = vec![0u8; width.saturating_mul(3)];
        let needed = slot!(self.progress_bar(fraction, width32, buf.as_mut_ptr(), buf.len()));
        match needed {
            Some(n) if n <= buf.len() => {
                buf.truncate(n);
                String::from_utf8(buf).unwrap_or_else(|_| fallback_bar(fraction, width))
            }
            _ => fallback_bar(fraction, width),
        }
    }

    /// Send a diagnostic to the host's log (stderr, filtered by level). This is
    /// not activity output: use it for problems the user should know about.
    pub fn log(&self, level: Level, message: &str) {
        slot!(self.log(level as u32, message.as_ptr(), message.len()));
    }

    /// Whether the host shows colour; `None` from a host older than ABI 1.1,
    /// which cannot say.
    pub fn color_enabled(&self) -> Option<bool> {
        slot!(self.color_enabled())
    }

    /// Whether the host wants the module to stop.
    pub fn should_exit(&self) -> bool {
        slot!(self.should_exit()).unwrap_or(true)
    }

    /// `Err(Stop)` when the host wants the module to stop: `host.check()?`.
    pub fn check(&self) -> Result<(), Stop> {
        if self.should_exit() {
            Err(Stop)
        } else {
            Ok(())
        }
    }
}

/// `write!(host, ...)` prints formatted text.
impl fmt::Write for Host<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.print(s);
        Ok(())
    }
}

fn fallback_bar(fraction: f64, width: usize) -> String {
    let filled = (fraction.clamp(0.0, 1.0) * width as f64).round() as usize;
    let mut bar = "#".repeat(filled.min(width));
    bar.push_str(&" ".repeat(width - filled.min(width)));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{AbiHeader, HOST_API_MAGIC, HOST_API_SIZE_1_0};

    unsafe extern "C" fn yes(_: *mut HostCtx) -> bool {
        true
    }

    /// A host table as a host of the given size would hand it over.
    fn table(struct_size: usize) -> HostApi {
        HostApi {
            header: AbiHeader {
                magic: HOST_API_MAGIC,
                abi_major: 1,
                abi_minor: if struct_size > HOST_API_SIZE_1_0 {
                    1
                } else {
                    0
                },
                struct_size: struct_size as u32,
                reserved: 0,
            },
            print: None,
            print_styled: None,
            newline: None,
            cursor_up: None,
            erase_line: None,
            flush: None,
            sleep_ms: None,
            clock_ms: None,
            term_width: None,
            term_height: None,
            is_terminal: None,
            progress_bar: None,
            log: None,
            should_exit: Some(yes),
            // Present in memory, but beyond what a 1.0 host's size covers:
            // the safe face must not call it.
            color_enabled: Some(yes),
        }
    }

    #[test]
    fn a_newer_slot_on_an_older_host_is_unsupported_not_a_crash() {
        let old = table(HOST_API_SIZE_1_0);
        // SAFETY: the table lives for the test; no slot dereferences ctx.
        let host = unsafe { Host::from_raw(&old, std::ptr::null_mut()) };
        assert_eq!(host.abi_version(), (1, 0));
        assert_eq!(host.color_enabled(), None);
        assert!(host.should_exit());

        let new = table(std::mem::size_of::<HostApi>());
        // SAFETY: as above.
        let host = unsafe { Host::from_raw(&new, std::ptr::null_mut()) };
        assert_eq!(host.color_enabled(), Some(true));
    }

    #[test]
    fn missing_slots_degrade_to_defaults() {
        let t = table(std::mem::size_of::<HostApi>());
        // SAFETY: as above.
        let host = unsafe { Host::from_raw(&t, std::ptr::null_mut()) };
        assert_eq!(host.width(), 80);
        assert_eq!(host.height(), 24);
        assert!(!host.is_terminal());
        assert_eq!(host.progress_bar(0.5, 4), "##  ");
        assert_eq!(host.sleep_ms(1), Err(Stop), "no sleep slot: never spin");
        host.print("dropped"); // no print slot: nothing happens, no crash
    }
}
