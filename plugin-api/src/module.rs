//! The `Module` trait and the glue that `export_module!` expands to.

use std::any::Any;
use std::collections::BTreeMap;
use std::ffi::{CStr, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;
use std::sync::{Mutex, Once};

use crate::abi::{self, ErrorBuf, HostApi, HostCtx, OptionValue, Status};
use crate::host::{Error, Host, RunResult};

/// An activity module.
///
/// The host calls [`Module::init`] at the start of every session, then
/// [`Module::run`] once, then drops the value. Both are called on the host's
/// main thread.
///
/// ```
/// use plugin_api::{Host, Module, Options, RunResult};
///
/// struct Hello;
///
/// impl Module for Hello {
///     fn init(_host: &Host, _seed: u64, _options: &Options) -> Result<Self, String> {
///         Ok(Hello)
///     }
///
///     fn run(&mut self, host: &Host) -> RunResult {
///         for i in 1..=3 {
///             host.println(&format!("step {i}/3"));
///             host.sleep_ms(500)?; // returns Err(Stop) when the host wants to stop
///         }
///         Ok(())
///     }
/// }
/// ```
pub trait Module: Sized + 'static {
    /// Prepare one session. `seed` drives every random choice (the same seed
    /// must give the same output); `options` holds every declared option with
    /// the user's value or its default. Return `Err(reason)` to refuse, e.g.
    /// for a combination of options that makes no sense.
    fn init(host: &Host, seed: u64, options: &Options) -> Result<Self, String>;

    /// Play one session, printing only through `host`, and return when it is
    /// done (a few minutes at speed factor 1) or as soon as the host asks to
    /// stop (`host.sleep_ms(..)?` and `host.check()?` do that for you).
    fn run(&mut self, host: &Host) -> RunResult;
}

/// The options handed to [`Module::init`]: every declared option, by name.
#[derive(Debug, Clone, Default)]
pub struct Options {
    values: BTreeMap<String, String>,
}

impl Options {
    /// Options from `(name, value)` pairs; used by tests and by the glue.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Options {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The raw value of `name`, if the host passed one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `name` parsed as `T`, with an error that names the option
    /// and the bad value.
    pub fn parse<T: FromStr>(&self, name: &str) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        let raw = self
            .get(name)
            .ok_or_else(|| format!("option `{name}` is missing"))?;
        raw.parse()
            .map_err(|e| format!("option `{name}`: cannot use `{raw}`: {e}"))
    }

    /// Iterate over `(name, value)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Turns a string literal into a `&'static CStr` at compile time; used by
/// `export_module!` and [`crate::option`] constructors.
#[doc(hidden)]
pub const fn cstr(bytes_with_nul: &'static [u8]) -> &'static CStr {
    match CStr::from_bytes_with_nul(bytes_with_nul) {
        Ok(s) => s,
        Err(_) => panic!("module strings must not contain NUL bytes"),
    }
}

/// The first of zero or one strings, as a C pointer (NULL when absent).
#[doc(hidden)]
pub const fn optional_cstr(s: &[&'static CStr]) -> *const std::ffi::c_char {
    match s.first() {
        Some(s) => s.as_ptr(),
        None => std::ptr::null(),
    }
}

// ---------------------------------------------------------------------------
// Glue: the extern "C" hooks that export_module! points the descriptor at.
// Everything unsafe in a Rust module lives here, at the FFI edge.
// ---------------------------------------------------------------------------

/// The last panic's location, captured by our panic hook so that the host's
/// report says where the module panicked. Each cdylib has its own std and
/// thus its own panic hook; installing ours also keeps the default hook from
/// printing over the activity output.
static LAST_PANIC_LOCATION: Mutex<Option<String>> = Mutex::new(None);
static PANIC_HOOK: Once = Once::new();

fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        panic::set_hook(Box::new(|info| {
            if let Ok(mut slot) = LAST_PANIC_LOCATION.lock() {
                *slot = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
            }
        }));
    });
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string payload".to_owned()
    };
    let location = LAST_PANIC_LOCATION.lock().ok().and_then(|mut l| l.take());
    match location {
        Some(at) => format!("panicked at {at}: {what}"),
        None => format!("panicked: {what}"),
    }
}

/// Copies `message` into the host's error buffer, truncated at a character
/// boundary.
///
/// # Safety
/// `err` is null or points to a host-owned `ErrorBuf` whose `data` has
/// `capacity` writable bytes, valid for this call.
unsafe fn write_error(err: *mut ErrorBuf, message: &str) {
    // SAFETY: the caller guarantees `err` is null or valid for this call.
    let Some(err) = (unsafe { err.as_mut() }) else {
        return;
    };
    if err.data.is_null() {
        return;
    }
    let mut n = message.len().min(err.capacity);
    while !message.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: `data` has `capacity` writable bytes and `n <= capacity`.
    unsafe { std::ptr::copy_nonoverlapping(message.as_ptr(), err.data, n) };
    err.len = n;
}

/// Checks the host table's frozen header before anything else reads it.
///
/// # Safety
/// `api` is null or points to at least the 16-byte frozen header.
unsafe fn check_host_table(api: *const HostApi) -> Result<(), String> {
    if api.is_null() {
        return Err("the host passed no service table".into());
    }
    // SAFETY: the caller guarantees the frozen header is readable.
    let h = unsafe { api.cast::<abi::AbiHeader>().read() };
    if h.magic != abi::HOST_API_MAGIC {
        return Err("the host table has a bad magic number: not a host ABI table".into());
    }
    if h.abi_major == abi::ABI_MAJOR && (h.struct_size as usize) < abi::HOST_API_SIZE_1_0 {
        return Err(format!(
            "the host table is {} bytes, smaller than ABI 1.0's",
            h.struct_size
        ));
    }
    if h.abi_major != abi::ABI_MAJOR {
        return Err(format!(
            "module speaks ABI {}.x, host speaks {}.{}: use a host built for ABI {}.x",
            abi::ABI_MAJOR,
            h.abi_major,
            h.abi_minor,
            abi::ABI_MAJOR
        ));
    }
    Ok(())
}

/// Builds the [`Options`] from the host's array.
///
/// # Safety
/// `options` is null (with `count == 0`) or points to `count` values whose
/// strings are valid for this call.
unsafe fn read_options(options: *const OptionValue, count: usize) -> Result<Options, String> {
    if options.is_null() || count == 0 {
        return Ok(Options::default());
    }
    // SAFETY: the caller guarantees `count` readable values.
    let raw = unsafe { std::slice::from_raw_parts(options, count) };
    let mut values = BTreeMap::new();
    for v in raw {
        // SAFETY: the host guarantees each StrRef is valid for this call.
        let (name, value) = unsafe { (str_ref(v.name)?, str_ref(v.value)?) };
        values.insert(name.to_owned(), value.to_owned());
    }
    Ok(Options { values })
}

/// # Safety
/// `s.ptr` points to `s.len` readable bytes (or `s.len == 0`).
unsafe fn str_ref<'a>(s: abi::StrRef) -> Result<&'a str, String> {
    if s.len == 0 {
        return Ok("");
    }
    if s.ptr.is_null() {
        return Err("the host passed a null option string".into());
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    std::str::from_utf8(bytes).map_err(|_| "the host passed an option that is not UTF-8".into())
}

/// Runs `f` with panics turned into `Err(message)`.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    install_panic_hook();
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(panic_message(payload.as_ref())),
    }
}

/// The `init` hook for module type `M`.
///
/// # Safety
/// Called by the host per the ABI contract: `api` and `ctx` valid for the
/// call, `options` an array of `option_count` values, `out_instance` and
/// `err` writable.
#[doc(hidden)]
pub unsafe extern "C" fn init_hook<M: Module>(
    api: *const HostApi,
    ctx: *mut HostCtx,
    seed: u64,
    options: *const OptionValue,
    option_count: usize,
    out_instance: *mut *mut c_void,
    err: *mut ErrorBuf,
) -> Status {
    let result = guarded(|| {
        // SAFETY: the host passes a valid table for the duration of the call.
        unsafe { check_host_table(api) }?;
        // SAFETY: per the ABI, `options` holds `option_count` valid values.
        let options = unsafe { read_options(options, option_count) }?;
        // SAFETY: `api` was checked above and `ctx` came with it.
        let host = unsafe { Host::from_raw(api, ctx) };
        let module = M::init(&host, seed, &options)?;
        Ok(Box::into_raw(Box::new(module)).cast::<c_void>())
    });
    match result {
        Ok(instance) => {
            // SAFETY: the host passes a writable out pointer.
            if let Some(out) = unsafe { out_instance.as_mut() } {
                *out = instance;
                abi::STATUS_OK
            } else {
                // Nowhere to put it: free it rather than leak.
                // SAFETY: `instance` came from Box::into_raw just above.
                drop(unsafe { Box::from_raw(instance.cast::<M>()) });
                // SAFETY: `err` is null or valid for this call.
                unsafe { write_error(err, "the host passed no instance pointer") };
                abi::STATUS_ERROR
            }
        }
        Err(message) => {
            // SAFETY: `err` is null or valid for this call.
            unsafe { write_error(err, &message) };
            abi::STATUS_ERROR
        }
    }
}

/// The `run` hook for module type `M`.
///
/// # Safety
/// `instance` came from [`init_hook::<M>`] and was not destroyed; `api`,
/// `ctx` and `err` are valid for the call.
#[doc(hidden)]
pub unsafe extern "C" fn run_hook<M: Module>(
    instance: *mut c_void,
    api: *const HostApi,
    ctx: *mut HostCtx,
    err: *mut ErrorBuf,
) -> Status {
    let result = guarded(|| {
        // SAFETY: the host passes a valid table for the duration of the call.
        unsafe { check_host_table(api) }?;
        // SAFETY: `instance` is the live Box<M> that init_hook returned.
        let module =
            unsafe { instance.cast::<M>().as_mut() }.ok_or("the host passed no instance")?;
        // SAFETY: `api` was checked above and `ctx` came with it.
        let host = unsafe { Host::from_raw(api, ctx) };
        match module.run(&host) {
            Ok(()) | Err(Error::Stopped) => Ok(()),
            Err(Error::Failed(message)) => Err(message),
        }
    });
    match result {
        Ok(()) => abi::STATUS_OK,
        Err(message) => {
            // SAFETY: `err` is null or valid for this call.
            unsafe { write_error(err, &message) };
            abi::STATUS_ERROR
        }
    }
}

/// The `destroy` hook for module type `M`.
///
/// # Safety
/// `instance` came from [`init_hook::<M>`] and is destroyed only once.
#[doc(hidden)]
pub unsafe extern "C" fn destroy_hook<M: Module>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // A panicking Drop must not unwind into the host; there is nobody to
    // report it to, so it is swallowed.
    let _ = guarded(|| {
        // SAFETY: `instance` is the Box<M> from init_hook, destroyed once.
        drop(unsafe { Box::from_raw(instance.cast::<M>()) });
        Ok(())
    });
}

/// Exports a [`Module`] type as a host module: defines the static descriptor
/// and the `host_module_entry` symbol.
///
/// ```
/// # use plugin_api::{Host, Module, Options, RunResult};
/// # pub struct Cargo;
/// # impl Module for Cargo {
/// #     fn init(_: &Host, _: u64, _: &Options) -> Result<Self, String> { Ok(Cargo) }
/// #     fn run(&mut self, _: &Host) -> RunResult { Ok(()) }
/// # }
/// plugin_api::export_module! {
///     module: Cargo,
///     name: "cargo",
///     version: env!("CARGO_PKG_VERSION"),
///     description: "Compile a Rust workspace with cargo",
///     signature: "cargo build --release",
///     options: [
///         plugin_api::option::int(c"jobs", c"parallel jobs shown", c"8", 1, 256),
///     ],
/// }
/// ```
///
/// `name`, `version`, `description`, `signature` and the optional `author`
/// must be string literals (or macros expanding to them, like `env!`).
/// `author` and `options` may be omitted.
#[macro_export]
macro_rules! export_module {
    (
        module: $module:ty,
        name: $name:expr,
        version: $version:expr,
        description: $description:expr,
        signature: $signature:expr
        $(, author: $author:expr)?
        $(, options: [ $($option:expr),* $(,)? ])?
        $(,)?
    ) => {
        const _: () = {
            static OPTIONS: &[$crate::abi::OptionSpec] = &[$($($option),*)?];
            static DESCRIPTOR: $crate::abi::ModuleDescriptor = $crate::abi::ModuleDescriptor {
                header: $crate::abi::AbiHeader {
                    magic: $crate::abi::MODULE_MAGIC,
                    abi_major: $crate::abi::ABI_MAJOR,
                    abi_minor: $crate::abi::ABI_MINOR,
                    struct_size: ::std::mem::size_of::<$crate::abi::ModuleDescriptor>() as u32,
                    reserved: 0,
                },
                name: $crate::cstr(concat!($name, "\0").as_bytes()).as_ptr(),
                version: $crate::cstr(concat!($version, "\0").as_bytes()).as_ptr(),
                description: $crate::cstr(concat!($description, "\0").as_bytes()).as_ptr(),
                signature: $crate::cstr(concat!($signature, "\0").as_bytes()).as_ptr(),
                options: OPTIONS.as_ptr(),
                option_count: OPTIONS.len(),
                init: Some($crate::init_hook::<$module>),
                run: Some($crate::run_hook::<$module>),
                destroy: Some($crate::destroy_hook::<$module>),
                author: $crate::optional_cstr(&[$($crate::cstr(concat!($author, "\0").as_bytes())),*]),
            };

            /// The module's entry point: returns the static descriptor.
            /// Pure: no allocation, no I/O.
            #[unsafe(no_mangle)]
            pub extern "C" fn host_module_entry() -> *const $crate::abi::ModuleDescriptor {
                &DESCRIPTOR
            }
        };
    };
}
