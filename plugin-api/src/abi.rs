//! The raw C ABI: `#[repr(C)]` tables shared by the host and every module.
//!
//! This module is the Rust twin of `include/host_plugin.h`; the header is the
//! normative text for C authors and the tests compile a C module against it.
//! Every layout here is pinned by compile-time assertions at the bottom of
//! this file, and the same offsets are asserted in the header with
//! `_Static_assert`, so the two cannot drift apart silently.
//!
//! # Rules that keep the ABI stable
//!
//! * Both tables ([`ModuleDescriptor`] and [`HostApi`]) start with the frozen
//!   16-byte [`AbiHeader`]. Its layout never changes, in any major version.
//! * Tables are **append-only** within a major version. A new slot is added at
//!   the end, the minor version is bumped, and `struct_size` grows.
//! * A reader only touches a slot after checking that `struct_size` covers it
//!   and that the pointer is non-null ([`crate::Host`] does both for Rust
//!   modules; C modules use `HOST_API_HAS`). Tables are read through raw
//!   pointers, never as references to the whole struct, because an older
//!   peer's table is shorter than this crate's definition.
//! * Nothing but `#[repr(C)]` data, raw pointers with lengths and
//!   `extern "C"` functions crosses the boundary. Memory is freed by whoever
//!   allocated it.

use std::ffi::{c_char, c_void};
use std::mem::{offset_of, size_of};

/// Magic of a [`ModuleDescriptor`]: the bytes `"HMOD"` read as a
/// little-endian `u32`.
pub const MODULE_MAGIC: u32 = u32::from_le_bytes(*b"HMOD");
/// Magic of a [`HostApi`] table: the bytes `"HAPI"` read as a little-endian
/// `u32`.
pub const HOST_API_MAGIC: u32 = u32::from_le_bytes(*b"HAPI");
/// ABI major version. Hosts refuse modules of any other major.
pub const ABI_MAJOR: u16 = 1;
/// ABI minor version. A module built for minor `m` loads in every host of the
/// same major; slots newer than the other side's minor are simply absent.
pub const ABI_MINOR: u16 = 1;

/// Name of the one symbol a module library exports.
pub const ENTRY_SYMBOL: &str = "host_module_entry";

/// Type of the exported entry function `host_module_entry`.
///
/// It must be pure: no allocation, no I/O, no output. It returns a pointer to
/// a descriptor with static storage duration (it lives as long as the library
/// stays loaded, which is forever: the host never unloads a module whose code
/// has run).
pub type EntryFn = unsafe extern "C" fn() -> *const ModuleDescriptor;

/// The frozen, padding-free header that starts both tables.
///
/// Its layout is the same in every ABI major version, so that a host can read
/// the versions of a module built for a future major and refuse it with a
/// message that names both versions.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiHeader {
    /// [`MODULE_MAGIC`] or [`HOST_API_MAGIC`].
    pub magic: u32,
    /// The ABI major version the table was built for.
    pub abi_major: u16,
    /// The ABI minor version the table was built for.
    pub abi_minor: u16,
    /// `sizeof` the whole table as its builder knew it, header included.
    pub struct_size: u32,
    /// Always zero. Kept so that the header is 16 bytes with no padding.
    pub reserved: u32,
}

/// Opaque host context. Modules pass it back, unchanged, as the first argument
/// of every [`HostApi`] function.
#[repr(C)]
pub struct HostCtx {
    _private: [u8; 0],
}

/// Return status of the fallible hooks.
pub type Status = i32;
/// The hook succeeded.
pub const STATUS_OK: Status = 0;
/// The hook failed (or panicked); the reason is in the [`ErrorBuf`].
pub const STATUS_ERROR: Status = 1;

/// A host-owned buffer into which a failing hook writes its reason as UTF-8.
///
/// The module writes at most `capacity` bytes to `data` and stores the number
/// written in `len`. A message that does not fit is truncated (at a character
/// boundary, when the module is written in Rust).
#[repr(C)]
#[derive(Debug)]
pub struct ErrorBuf {
    /// Host-owned storage, valid for the duration of the call only.
    pub data: *mut u8,
    /// Bytes available at `data`.
    pub capacity: usize,
    /// Bytes written by the module; the host sets it to 0 before the call.
    pub len: usize,
}

/// A borrowed UTF-8 string: pointer and length, no NUL terminator required.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct StrRef {
    /// First byte; may be dangling when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

/// One resolved option, as handed to `init`: the host passes every option the
/// module declared, with the user's value or the declared default.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct OptionValue {
    /// The option's name, as declared in its [`OptionSpec`].
    pub name: StrRef,
    /// Its value as text, already checked against the spec's kind.
    pub value: StrRef,
}

/// Kinds of option value. The host validates `--set` values against the kind
/// before any module code runs.
pub type OptionKind = u32;
/// Any UTF-8 text.
pub const OPTION_STRING: OptionKind = 0;
/// A decimal integer in `min..=max`.
pub const OPTION_INT: OptionKind = 1;
/// `true` or `false`.
pub const OPTION_BOOL: OptionKind = 2;
/// One of the `|`-separated words in `choices`.
pub const OPTION_CHOICE: OptionKind = 3;

/// Declaration of one module option (`--set module.name=value`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// Option name: lowercase ASCII letters, digits, `_` and `-`;
    /// NUL-terminated, static.
    pub name: *const c_char,
    /// One line saying what it changes; NUL-terminated, static.
    pub help: *const c_char,
    /// Default value as text; NUL-terminated, static; must itself be valid.
    pub default_value: *const c_char,
    /// One of the `OPTION_*` kinds.
    pub kind: OptionKind,
    /// Always zero.
    pub reserved: u32,
    /// For [`OPTION_CHOICE`]: the allowed words separated by `|`
    /// (`"A100|H100"`); NULL otherwise. NUL-terminated, static.
    pub choices: *const c_char,
    /// For [`OPTION_INT`]: the smallest allowed value.
    pub min: i64,
    /// For [`OPTION_INT`]: the largest allowed value.
    pub max: i64,
}

/// Text style for `print_styled`: a colour in bits 0..8 and attributes above.
pub type StyleBits = u32;

/// `init(api, ctx, seed, options, option_count, out_instance, err)`.
pub type InitFn = unsafe extern "C" fn(
    api: *const HostApi,
    ctx: *mut HostCtx,
    seed: u64,
    options: *const OptionValue,
    option_count: usize,
    out_instance: *mut *mut c_void,
    err: *mut ErrorBuf,
) -> Status;

/// `run(instance, api, ctx, err)`: one activity session.
pub type RunFn = unsafe extern "C" fn(
    instance: *mut c_void,
    api: *const HostApi,
    ctx: *mut HostCtx,
    err: *mut ErrorBuf,
) -> Status;

/// `destroy(instance)`: frees what `init` allocated.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut c_void);

/// What a module library describes itself with. See the C header for the
/// field-by-field contract.
#[repr(C)]
#[derive(Debug)]
pub struct ModuleDescriptor {
    /// Frozen header: [`MODULE_MAGIC`], versions, `size_of::<ModuleDescriptor>()`.
    pub header: AbiHeader,
    /// Unique id used by `--module` and `--set`: lowercase ASCII letters,
    /// digits and `_`, at most 64 bytes. Required.
    pub name: *const c_char,
    /// The module's own version, e.g. `"1.2.0"`. Required.
    pub version: *const c_char,
    /// One line for `host --list`. Required.
    pub description: *const c_char,
    /// The shell-style command the module pretends to run. Required.
    pub signature: *const c_char,
    /// `option_count` option declarations, or NULL when there are none.
    pub options: *const OptionSpec,
    /// Number of entries in `options`.
    pub option_count: usize,
    /// Required.
    pub init: Option<InitFn>,
    /// Required.
    pub run: Option<RunFn>,
    /// Optional: NULL when `init` allocates nothing.
    pub destroy: Option<DestroyFn>,

    // --- ABI 1.1 ---
    /// Who wrote the module (free text, e.g. `"Ada <ada@example.org>"`), or
    /// NULL. Shown by `host --check`. Read only when `struct_size` covers it.
    pub author: *const c_char,
}

/// Log levels for [`HostApi::log`].
pub type LogLevel = u32;
/// Something is broken.
pub const LOG_ERROR: LogLevel = 0;
/// Something looks wrong.
pub const LOG_WARN: LogLevel = 1;
/// Informational.
pub const LOG_INFO: LogLevel = 2;
/// For the module's author.
pub const LOG_DEBUG: LogLevel = 3;

/// The table of host services handed to `init` and `run`. See the C header for
/// the field-by-field contract. Every function takes the context first, must be
/// called from the thread that called the hook, and only during that hook.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HostApi {
    /// Frozen header: [`HOST_API_MAGIC`], versions, `size_of` as the host knew it.
    pub header: AbiHeader,
    /// Append `len` bytes of UTF-8 text to the current line.
    pub print: Option<unsafe extern "C" fn(ctx: *mut HostCtx, text: *const u8, len: usize)>,
    /// Same, styled; the host drops the style when colour is off.
    pub print_styled: Option<
        unsafe extern "C" fn(ctx: *mut HostCtx, text: *const u8, len: usize, style: StyleBits),
    >,
    /// End the current line.
    pub newline: Option<unsafe extern "C" fn(ctx: *mut HostCtx)>,
    /// Move the cursor up `n` lines (no-op when output is not a terminal).
    pub cursor_up: Option<unsafe extern "C" fn(ctx: *mut HostCtx, n: u32)>,
    /// Erase the current line and return to its first column (when output is
    /// not a terminal: end the line instead, so redraws stack up readably).
    pub erase_line: Option<unsafe extern "C" fn(ctx: *mut HostCtx)>,
    /// Write everything printed so far to the terminal in one write.
    pub flush: Option<unsafe extern "C" fn(ctx: *mut HostCtx)>,
    /// Flush, then sleep `ms` milliseconds of simulated time (scaled by the
    /// speed factor). Returns true when the host wants the module to stop.
    /// A 0 ms sleep only checks for a stop; the output goes out with the
    /// next real sleep, in the same write.
    pub sleep_ms: Option<unsafe extern "C" fn(ctx: *mut HostCtx, ms: u64) -> bool>,
    /// Simulated milliseconds since this session's `init`.
    pub clock_ms: Option<unsafe extern "C" fn(ctx: *mut HostCtx) -> u64>,
    /// Terminal width in columns (80 when unknown).
    pub term_width: Option<unsafe extern "C" fn(ctx: *mut HostCtx) -> u32>,
    /// Terminal height in rows (24 when unknown).
    pub term_height: Option<unsafe extern "C" fn(ctx: *mut HostCtx) -> u32>,
    /// Whether output goes to a terminal (in-place redraws are possible).
    pub is_terminal: Option<unsafe extern "C" fn(ctx: *mut HostCtx) -> bool>,
    /// Render a `width`-cell progress bar filled to `fraction` into `buf`.
    /// Returns the bytes the whole bar needs; writes at most `capacity`.
    pub progress_bar: Option<
        unsafe extern "C" fn(
            ctx: *mut HostCtx,
            fraction: f64,
            width: u32,
            buf: *mut u8,
            capacity: usize,
        ) -> usize,
    >,
    /// Log a diagnostic line (not activity output) at a level.
    pub log: Option<
        unsafe extern "C" fn(ctx: *mut HostCtx, level: LogLevel, text: *const u8, len: usize),
    >,
    /// True once the host wants the module to stop (Ctrl-C, time limit,
    /// closed output). Every module loop must check it, directly or via
    /// `sleep_ms`.
    pub should_exit: Option<unsafe extern "C" fn(ctx: *mut HostCtx) -> bool>,

    // --- ABI 1.1 ---
    /// Whether styled text is shown in colour. When it is not, a module
    /// that signals state by colour alone (a health grid) should add a
    /// textual marker. Only call it when `header.struct_size` covers it.
    pub color_enabled: Option<unsafe extern "C" fn(ctx: *mut HostCtx) -> bool>,
}

/// Size of the ABI 1.0 descriptor: the smallest a 1.x host accepts.
pub const MODULE_DESCRIPTOR_SIZE_1_0: usize = offset_of!(ModuleDescriptor, author);
/// Size of the ABI 1.0 host table: the smallest a 1.x module may be handed.
pub const HOST_API_SIZE_1_0: usize = offset_of!(HostApi, color_enabled);

// ---------------------------------------------------------------------------
// Layout pins. These offsets are the ABI; the C header asserts the same ones.
// They are written for 64-bit targets (the only ones the host supports).
// ---------------------------------------------------------------------------
const _: () = {
    assert!(
        size_of::<usize>() == 8,
        "the host ABI is defined for 64-bit targets"
    );
    assert!(size_of::<AbiHeader>() == 16);
    assert!(offset_of!(AbiHeader, magic) == 0);
    assert!(offset_of!(AbiHeader, abi_major) == 4);
    assert!(offset_of!(AbiHeader, abi_minor) == 6);
    assert!(offset_of!(AbiHeader, struct_size) == 8);
    assert!(offset_of!(AbiHeader, reserved) == 12);

    assert!(size_of::<ErrorBuf>() == 24);
    assert!(size_of::<StrRef>() == 16);
    assert!(size_of::<OptionValue>() == 32);

    assert!(size_of::<OptionSpec>() == 56);
    assert!(offset_of!(OptionSpec, name) == 0);
    assert!(offset_of!(OptionSpec, help) == 8);
    assert!(offset_of!(OptionSpec, default_value) == 16);
    assert!(offset_of!(OptionSpec, kind) == 24);
    assert!(offset_of!(OptionSpec, choices) == 32);
    assert!(offset_of!(OptionSpec, min) == 40);
    assert!(offset_of!(OptionSpec, max) == 48);

    assert!(offset_of!(ModuleDescriptor, header) == 0);
    assert!(offset_of!(ModuleDescriptor, name) == 16);
    assert!(offset_of!(ModuleDescriptor, version) == 24);
    assert!(offset_of!(ModuleDescriptor, description) == 32);
    assert!(offset_of!(ModuleDescriptor, signature) == 40);
    assert!(offset_of!(ModuleDescriptor, options) == 48);
    assert!(offset_of!(ModuleDescriptor, option_count) == 56);
    assert!(offset_of!(ModuleDescriptor, init) == 64);
    assert!(offset_of!(ModuleDescriptor, run) == 72);
    assert!(offset_of!(ModuleDescriptor, destroy) == 80);
    assert!(MODULE_DESCRIPTOR_SIZE_1_0 == 88);
    assert!(offset_of!(ModuleDescriptor, author) == 88);
    assert!(size_of::<ModuleDescriptor>() == 96);

    assert!(offset_of!(HostApi, header) == 0);
    assert!(offset_of!(HostApi, print) == 16);
    assert!(offset_of!(HostApi, print_styled) == 24);
    assert!(offset_of!(HostApi, newline) == 32);
    assert!(offset_of!(HostApi, cursor_up) == 40);
    assert!(offset_of!(HostApi, erase_line) == 48);
    assert!(offset_of!(HostApi, flush) == 56);
    assert!(offset_of!(HostApi, sleep_ms) == 64);
    assert!(offset_of!(HostApi, clock_ms) == 72);
    assert!(offset_of!(HostApi, term_width) == 80);
    assert!(offset_of!(HostApi, term_height) == 88);
    assert!(offset_of!(HostApi, is_terminal) == 96);
    assert!(offset_of!(HostApi, progress_bar) == 104);
    assert!(offset_of!(HostApi, log) == 112);
    assert!(offset_of!(HostApi, should_exit) == 120);
    assert!(HOST_API_SIZE_1_0 == 128);
    assert!(offset_of!(HostApi, color_enabled) == 128);
    assert!(size_of::<HostApi>() == 136);
};

// SAFETY: a descriptor and its option specs point only at immutable data with
// static storage duration (string literals and statics), so sharing them
// between threads is sound. This is what lets `export_module!` put them in
// `static`s.
unsafe impl Sync for ModuleDescriptor {}
// SAFETY: as above; an option spec is immutable static data.
unsafe impl Sync for OptionSpec {}
