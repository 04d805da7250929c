//! One activity session: the host table handed to a module, the callbacks
//! behind it, and the init / run / destroy sequence.
//!
//! This is the FFI edge on the host side. Every callback turns the opaque
//! context back into the `Session` it came from; the invariant that makes
//! that sound is that a `Session` is only reached through that pointer while
//! a hook runs (the host does not touch it until the hook returns), and that
//! hooks are only ever called from this thread.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use plugin_api::abi::{self, ErrorBuf, HostApi, HostCtx, OptionValue, StrRef};

use crate::cli::LogLevel;
use crate::loader::Hooks;
use crate::output::{self, Output};
use crate::stop::{Reason, Stopper};

/// The host's service table. Static: it never changes, and modules may keep
/// the pointer for the duration of a hook.
static HOST_API: HostApi = HostApi {
    header: abi::AbiHeader {
        magic: abi::HOST_API_MAGIC,
        abi_major: abi::ABI_MAJOR,
        abi_minor: abi::ABI_MINOR,
        struct_size: std::mem::size_of::<HostApi>() as u32,
        reserved: 0,
    },
    print: Some(cb_print),
    print_styled: Some(cb_print_styled),
    newline: Some(cb_newline),
    cursor_up: Some(cb_cursor_up),
    erase_line: Some(cb_erase_line),
    flush: Some(cb_flush),
    sleep_ms: Some(cb_sleep_ms),
    clock_ms: Some(cb_clock_ms),
    term_width: Some(cb_term_width),
    term_height: Some(cb_term_height),
    is_terminal: Some(cb_is_terminal),
    progress_bar: Some(cb_progress_bar),
    log: Some(cb_log),
    should_exit: Some(cb_should_exit),
    color_enabled: Some(cb_color_enabled),
};

/// Settings that hold for every session.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Real time = simulated time / speed.
    pub speed: f64,
    /// Lines of each session printed without waiting.
    pub instant_lines: u64,
    /// Diagnostics shown on stderr up to this level.
    pub log_level: LogLevel,
}

/// Where sessions play: the output, the stop state and the pace.
pub struct Stage<'a> {
    /// The terminal.
    pub out: &'a mut Output,
    /// Stop requests.
    pub stopper: &'a Arc<Stopper>,
    /// Speed and friends.
    pub pace: &'a Pace,
}

/// What the module's context pointer points at.
struct Session<'a> {
    out: &'a mut Output,
    stopper: &'a Stopper,
    pace: &'a Pace,
    module: &'a str,
    /// Simulated milliseconds since init.
    clock_ms: u64,
    /// `out.lines()` when the session began.
    first_line: u64,
}

impl Session<'_> {
    fn should_stop(&mut self) -> bool {
        if self.out.is_closed() {
            self.stopper.request(Reason::OutputClosed);
        }
        self.stopper.reason().is_some()
    }

    fn sleep(&mut self, ms: u64) -> bool {
        self.clock_ms = self.clock_ms.saturating_add(ms);
        let instant = self.out.lines() - self.first_line < self.pace.instant_lines;
        if instant || ms == 0 {
            // No time passes on screen, so this is not the end of a frame:
            // what was printed goes out with the next real wait, in the
            // same write.
            return self.should_stop();
        }
        self.out.flush();
        self.out.refresh_size();
        if self.should_stop() {
            return true;
        }
        let real = Duration::from_secs_f64((ms as f64 / 1000.0) / self.pace.speed);
        self.stopper.sleep(real).is_some() || self.should_stop()
    }
}

/// Runs `f` on the session behind `ctx`; a panic in the host's own callback
/// code must not unwind into the module, so it yields `default` instead.
fn with_session<T>(ctx: *mut HostCtx, default: T, f: impl FnOnce(&mut Session<'_>) -> T) -> T {
    // SAFETY: `ctx` is the `*mut Session` that `run_session` passed with this
    // table; the session outlives the hook and nothing else references it
    // while the hook runs (see the module docs). Modules on this thread call
    // back one at a time, so this is the only live reference.
    let Some(session) = (unsafe { ctx.cast::<Session<'_>>().as_mut() }) else {
        return default;
    };
    catch_unwind(AssertUnwindSafe(|| f(session))).unwrap_or(default)
}

/// # Safety
/// `ptr` points to `len` readable bytes, or `len` is 0.
unsafe fn text<'a>(ptr: *const u8, len: usize) -> std::borrow::Cow<'a, str> {
    if ptr.is_null() || len == 0 {
        return "".into();
    }
    // SAFETY: the ABI says `len` readable bytes at `ptr` for this call.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr, len) })
}

unsafe extern "C" fn cb_print(ctx: *mut HostCtx, ptr: *const u8, len: usize) {
    // SAFETY: ABI contract of `print`.
    let t = unsafe { text(ptr, len) };
    with_session(ctx, (), |s| s.out.print(&t));
}

unsafe extern "C" fn cb_print_styled(ctx: *mut HostCtx, ptr: *const u8, len: usize, style: u32) {
    // SAFETY: ABI contract of `print_styled`.
    let t = unsafe { text(ptr, len) };
    with_session(ctx, (), |s| s.out.styled(&t, style));
}

unsafe extern "C" fn cb_newline(ctx: *mut HostCtx) {
    with_session(ctx, (), |s| s.out.newline());
}

unsafe extern "C" fn cb_cursor_up(ctx: *mut HostCtx, n: u32) {
    with_session(ctx, (), |s| s.out.cursor_up(n));
}

unsafe extern "C" fn cb_erase_line(ctx: *mut HostCtx) {
    with_session(ctx, (), |s| s.out.erase_line());
}

unsafe extern "C" fn cb_flush(ctx: *mut HostCtx) {
    with_session(ctx, (), |s| s.out.flush());
}

unsafe extern "C" fn cb_sleep_ms(ctx: *mut HostCtx, ms: u64) -> bool {
    with_session(ctx, true, |s| s.sleep(ms))
}

unsafe extern "C" fn cb_clock_ms(ctx: *mut HostCtx) -> u64 {
    with_session(ctx, 0, |s| s.clock_ms)
}

unsafe extern "C" fn cb_term_width(ctx: *mut HostCtx) -> u32 {
    with_session(ctx, 80, |s| s.out.size().0)
}

unsafe extern "C" fn cb_term_height(ctx: *mut HostCtx) -> u32 {
    with_session(ctx, 24, |s| s.out.size().1)
}

unsafe extern "C" fn cb_is_terminal(ctx: *mut HostCtx) -> bool {
    with_session(ctx, false, |s| s.out.is_terminal())
}

unsafe extern "C" fn cb_progress_bar(
    _ctx: *mut HostCtx,
    fraction: f64,
    width: u32,
    buf: *mut u8,
    capacity: usize,
) -> usize {
    let bar = output::progress_bar(fraction, width.min(4096) as usize);
    let n = bar.len();
    if !buf.is_null() && n <= capacity {
        // SAFETY: the module owns `capacity` writable bytes at `buf`.
        unsafe { std::ptr::copy_nonoverlapping(bar.as_ptr(), buf, n) };
    }
    n
}

unsafe extern "C" fn cb_log(ctx: *mut HostCtx, level: u32, ptr: *const u8, len: usize) {
    // SAFETY: ABI contract of `log`.
    let t = unsafe { text(ptr, len) };
    with_session(ctx, (), |s| {
        let (shown, label) = match level {
            abi::LOG_ERROR => (LogLevel::Error, "error"),
            abi::LOG_WARN => (LogLevel::Warn, "warning"),
            abi::LOG_INFO => (LogLevel::Info, "info"),
            _ => (LogLevel::Debug, "debug"),
        };
        if shown <= s.pace.log_level {
            // Keep the activity output and the diagnostic in order.
            s.out.flush();
            eprintln!("host: {label}: module `{}`: {t}", s.module);
        }
    });
}

unsafe extern "C" fn cb_color_enabled(ctx: *mut HostCtx) -> bool {
    with_session(ctx, false, |s| s.out.color())
}

unsafe extern "C" fn cb_should_exit(ctx: *mut HostCtx) -> bool {
    with_session(ctx, true, |s| s.should_stop())
}

/// How a session ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// `run` returned normally (finished, or stopped on request).
    Finished,
    /// `init` refused; the module's reason.
    Refused(String),
    /// `run` failed or panicked; the module's reason.
    Failed(String),
}

/// A host-owned error buffer.
struct ErrorSpace {
    data: Vec<u8>,
    raw: ErrorBuf,
}

impl ErrorSpace {
    fn new() -> Self {
        let mut data = vec![0u8; 4096];
        let raw = ErrorBuf {
            data: data.as_mut_ptr(),
            capacity: data.len(),
            len: 0,
        };
        ErrorSpace { data, raw }
    }

    fn message(&self) -> String {
        let len = self.raw.len.min(self.data.len());
        let text = String::from_utf8_lossy(&self.data[..len]).trim().to_owned();
        if text.is_empty() {
            "no reason given".to_owned()
        } else {
            text
        }
    }
}

/// Plays one session of a module: init, run, destroy. On return the
/// module's output is flushed and its last line ended.
pub fn run_session(
    hooks: &Hooks,
    module: &str,
    options: &[(String, String)],
    seed: u64,
    stage: &mut Stage<'_>,
) -> Outcome {
    let values: Vec<OptionValue> = options
        .iter()
        .map(|(k, v)| OptionValue {
            name: StrRef {
                ptr: k.as_ptr(),
                len: k.len(),
            },
            value: StrRef {
                ptr: v.as_ptr(),
                len: v.len(),
            },
        })
        .collect();
    let first_line = stage.out.lines();
    let mut session = Session {
        out: &mut *stage.out,
        stopper: stage.stopper,
        pace: stage.pace,
        module,
        clock_ms: 0,
        first_line,
    };
    let ctx = (&raw mut session).cast::<HostCtx>();
    let mut instance: *mut c_void = std::ptr::null_mut();
    let mut err = ErrorSpace::new();

    // SAFETY: the hooks come from a checked descriptor; every pointer passed
    // is valid for the call (`values` and the strings it points into outlive
    // it, `err` is a live host buffer), and `session` is only reached through
    // `ctx` until the hooks return.
    let status = unsafe {
        (hooks.init)(
            &HOST_API,
            ctx,
            seed,
            values.as_ptr(),
            values.len(),
            &mut instance,
            &mut err.raw,
        )
    };
    if status != abi::STATUS_OK {
        session.out.flush();
        return Outcome::Refused(err.message());
    }
    err.raw.len = 0;
    // SAFETY: as above; `instance` is what init produced.
    let status = unsafe { (hooks.run)(instance, &HOST_API, ctx, &mut err.raw) };
    if let Some(destroy) = hooks.destroy {
        // SAFETY: `instance` came from init and is destroyed exactly once.
        unsafe { destroy(instance) };
    }
    session.out.finish_line();
    session.out.flush();
    if status != abi::STATUS_OK {
        return Outcome::Failed(err.message());
    }
    Outcome::Finished
}
