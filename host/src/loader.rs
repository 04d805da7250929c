//! Opening a module library and checking its descriptor.
//!
//! This is one of the two places where the host crosses the FFI boundary
//! (the other is `session`). The order of checks follows PostgreSQL's magic
//! block and abi_stable: the frozen header first (magic, then major version,
//! then size), and only then the fields, so that a module of another ABI
//! generation is refused by its versions rather than by whatever its layout
//! happens to look like.

use std::ffi::{CStr, c_char};
use std::fmt;
use std::path::Path;

use plugin_api::abi::{self, AbiHeader, DestroyFn, InitFn, ModuleDescriptor, OptionSpec, RunFn};

/// A module's self-description, copied out of its descriptor into owned data.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleInfo {
    /// Unique id.
    pub name: String,
    /// The module's own version.
    pub version: String,
    /// One line for `--list`.
    pub description: String,
    /// The command the module pretends to run.
    pub signature: String,
    /// The ABI version the module was built for.
    pub abi: (u16, u16),
    /// Declared options.
    pub options: Vec<OptionInfo>,
    /// Who wrote it (ABI 1.1; `None` when not given or from a 1.0 module).
    pub author: Option<String>,
}

/// One declared option.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionInfo {
    /// Name used in `--set module.name=value`.
    pub name: String,
    /// What it changes.
    pub help: String,
    /// Default value.
    pub default: String,
    /// What values it accepts.
    pub kind: OptionKind,
}

/// The accepted values of an option.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionKind {
    /// Any text.
    String,
    /// An integer in `min..=max`.
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of these words.
    Choice(Vec<String>),
}

/// The hooks of a loaded module.
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    pub(crate) init: InitFn,
    pub(crate) run: RunFn,
    pub(crate) destroy: Option<DestroyFn>,
}

/// Why a file is not a usable module. Each case has its own message.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// dlopen failed; the whole error chain.
    Open(String),
    /// No `host_module_entry` symbol.
    NoEntry,
    /// The entry function returned NULL.
    NullDescriptor,
    /// The header's magic is not [`abi::MODULE_MAGIC`].
    BadMagic(u32),
    /// Built for another ABI major.
    OtherMajor {
        /// The module's major.
        major: u16,
        /// The module's minor.
        minor: u16,
    },
    /// `struct_size` is smaller than the 1.0 descriptor.
    TooSmall(u32),
    /// A required field is NULL.
    MissingField(&'static str),
    /// A text field is not UTF-8.
    NotUtf8(String),
    /// The name is not a usable id.
    BadName(String),
    /// An option declaration is unusable.
    BadOption(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (major, minor) = (abi::ABI_MAJOR, abi::ABI_MINOR);
        match self {
            LoadError::Open(why) => write!(f, "cannot be opened as a shared library: {why}"),
            LoadError::NoEntry => write!(
                f,
                "no entry point `{}`: not a host module (Rust modules export it with \
                 plugin_api::export_module!, C modules define it as in host_plugin.h)",
                abi::ENTRY_SYMBOL
            ),
            LoadError::NullDescriptor => {
                write!(
                    f,
                    "`{}` returned NULL instead of a descriptor",
                    abi::ENTRY_SYMBOL
                )
            }
            LoadError::BadMagic(m) => write!(
                f,
                "bad magic 0x{m:08x} (expected 0x{:08x}, \"HMOD\"): `{}` does not return a \
                 host module descriptor",
                abi::MODULE_MAGIC,
                abi::ENTRY_SYMBOL
            ),
            LoadError::OtherMajor { major: m, minor: n } => write!(
                f,
                "host speaks ABI {major}.x, module was built for {m}.{n}: rebuild the module \
                 against plugin-api {major}.x"
            ),
            LoadError::TooSmall(size) => write!(
                f,
                "descriptor is {size} bytes but ABI {major}.0 needs at least {}: the module \
                 was built against a broken header; rebuild it against plugin-api {major}.{minor}",
                abi::MODULE_DESCRIPTOR_SIZE_1_0
            ),
            LoadError::MissingField(field) => {
                write!(f, "required descriptor field `{field}` is NULL")
            }
            LoadError::NotUtf8(field) => write!(f, "descriptor field `{field}` is not valid UTF-8"),
            LoadError::BadName(why) => write!(f, "unusable module name: {why}"),
            LoadError::BadOption(why) => write!(f, "unusable option declaration: {why}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A module library, opened and checked. Its library is never unloaded:
/// unloading Rust cdylibs that registered thread-local destructors crashes,
/// and a C module's code may still be referenced.
#[derive(Debug)]
pub struct Loaded {
    /// What the descriptor says.
    pub info: ModuleInfo,
    pub(crate) hooks: Hooks,
}

/// Opens `path` and checks its descriptor.
///
/// The caller has already checked the file's type, suffix and permissions:
/// opening a library runs its constructors, so the directory it comes from
/// is the security boundary.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};

    // RTLD_NOW: an unresolved symbol fails here, with a message, instead of
    // crashing in the middle of a session.
    // SAFETY: opening a library runs its initialisers; the caller vetted the
    // file (see above), which is the same trust any plugin host extends.
    let library = unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }
        .map_err(|e| LoadError::Open(error_chain(&e)))?;
    // SAFETY: the symbol is declared by the ABI as `EntryFn`; if a module
    // exports something else under this name, that is a broken module the
    // header checks below are designed to catch as far as they can.
    let entry: Result<abi::EntryFn, _> =
        unsafe { library.get::<abi::EntryFn>(abi::ENTRY_SYMBOL.as_bytes()) }.map(|symbol| *symbol);
    // Never unload (see `Loaded`): the handle is dropped without dlclose, so
    // the code stays mapped for the life of the process. Opening the same
    // file again only bumps the loader's reference count, so repeated
    // discovery costs no memory.
    std::mem::forget(library);
    let entry = entry.map_err(|_| LoadError::NoEntry)?;
    // SAFETY: the ABI makes the entry function pure and argument-free.
    let descriptor = unsafe { entry() };
    // SAFETY: the ABI promises a pointer to a static descriptor (or NULL);
    // `read_descriptor` reads the frozen header before anything else.
    unsafe { read_descriptor(descriptor) }
}

/// Validates the descriptor at `ptr` and copies it into owned data.
///
/// # Safety
/// `ptr` is NULL or points to at least 16 readable bytes (the frozen header);
/// if the header claims a size of at least the 1.0 descriptor, that many bytes
/// are readable, and its non-NULL string fields point to NUL-terminated
/// strings, its options to `option_count` specs.
pub unsafe fn read_descriptor(ptr: *const ModuleDescriptor) -> Result<Loaded, LoadError> {
    if ptr.is_null() {
        return Err(LoadError::NullDescriptor);
    }
    // SAFETY: the frozen header is readable whatever the ABI generation.
    let header: AbiHeader = unsafe { ptr.cast::<AbiHeader>().read_unaligned() };
    check_header(&header)?;
    // Fields are read through the raw pointer, never through a reference to
    // the whole struct: a module built for an older minor has a shorter
    // descriptor than this host's definition.
    macro_rules! field {
        ($name:ident) => {
            // SAFETY: the header check guarantees the 1.0 prefix is readable,
            // and callers only name 1.0 fields here.
            unsafe { std::ptr::addr_of!((*ptr).$name).read() }
        };
    }
    let (name, version, description, signature) = (
        field!(name),
        field!(version),
        field!(description),
        field!(signature),
    );
    let (option_ptr, option_count, destroy) =
        (field!(options), field!(option_count), field!(destroy));
    let init = field!(init).ok_or(LoadError::MissingField("init"))?;
    let run = field!(run).ok_or(LoadError::MissingField("run"))?;
    // SAFETY (all `text` calls): fields are NULL or NUL-terminated statics.
    let name = unsafe { text(name, "name") }?;
    check_name(&name)?;
    let author_end = std::mem::offset_of!(ModuleDescriptor, author) + std::mem::size_of::<usize>();
    let author_ptr = if header.struct_size as usize >= author_end {
        // SAFETY: `struct_size` says the 1.1 field is there.
        unsafe { std::ptr::addr_of!((*ptr).author).read() }
    } else {
        std::ptr::null()
    };
    let author = if author_ptr.is_null() {
        None
    } else {
        Some(unsafe { text(author_ptr, "author") }?)
    };
    let info = ModuleInfo {
        version: unsafe { text(version, "version") }?,
        description: unsafe { text(description, "description") }?,
        signature: unsafe { text(signature, "signature") }?,
        abi: (header.abi_major, header.abi_minor),
        // SAFETY: the descriptor promises `option_count` specs.
        options: unsafe { options(option_ptr, option_count) }?,
        author,
        name,
    };
    Ok(Loaded {
        info,
        hooks: Hooks { init, run, destroy },
    })
}

/// The frozen-header checks, in the order that gives the most useful message.
pub fn check_header(h: &AbiHeader) -> Result<(), LoadError> {
    if h.magic != abi::MODULE_MAGIC {
        return Err(LoadError::BadMagic(h.magic));
    }
    if h.abi_major != abi::ABI_MAJOR {
        return Err(LoadError::OtherMajor {
            major: h.abi_major,
            minor: h.abi_minor,
        });
    }
    if (h.struct_size as usize) < abi::MODULE_DESCRIPTOR_SIZE_1_0 {
        return Err(LoadError::TooSmall(h.struct_size));
    }
    Ok(())
}

/// A module name must work as `--module NAME` and as `--set NAME.option=...`.
pub fn check_name(name: &str) -> Result<(), LoadError> {
    if name.is_empty() || name.len() > 64 {
        return Err(LoadError::BadName(format!(
            "`{name}` must be 1 to 64 characters long"
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(LoadError::BadName(format!(
            "`{name}` may only use lowercase ASCII letters, digits and `_`"
        )));
    }
    Ok(())
}

/// # Safety
/// `ptr` is NULL or a NUL-terminated string.
unsafe fn text(ptr: *const c_char, field: &'static str) -> Result<String, LoadError> {
    if ptr.is_null() {
        return Err(LoadError::MissingField(field));
    }
    // SAFETY: per the contract, a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| LoadError::NotUtf8(field.to_owned()))
}

/// # Safety
/// `ptr` is NULL or points to `count` option specs.
unsafe fn options(ptr: *const OptionSpec, count: usize) -> Result<Vec<OptionInfo>, LoadError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(LoadError::BadOption(format!(
            "`option_count` is {count} but `options` is NULL"
        )));
    }
    if count > 256 {
        return Err(LoadError::BadOption(format!(
            "{count} options is more than the 256 allowed"
        )));
    }
    // SAFETY: the descriptor promises `count` specs at `ptr`.
    let specs = unsafe { std::slice::from_raw_parts(ptr, count) };
    let mut out: Vec<OptionInfo> = Vec::with_capacity(count);
    for (i, s) in specs.iter().enumerate() {
        let field = |f: &str| format!("options[{i}].{f}");
        // SAFETY: option strings are NULL or NUL-terminated statics.
        let name = unsafe { text(s.name, "options[].name") }.map_err(|_| {
            LoadError::BadOption(format!("`{}` is NULL or not UTF-8", field("name")))
        })?;
        let get = |p: *const c_char, f: &str| {
            // SAFETY: as above.
            unsafe { text(p, "option") }.map_err(|_| {
                LoadError::BadOption(format!(
                    "option `{name}`: `{}` is NULL or not UTF-8",
                    field(f)
                ))
            })
        };
        let help = get(s.help, "help")?;
        let default = get(s.default_value, "default_value")?;
        let kind = match s.kind {
            abi::OPTION_STRING => OptionKind::String,
            abi::OPTION_BOOL => OptionKind::Bool,
            abi::OPTION_INT if s.min <= s.max => OptionKind::Int {
                min: s.min,
                max: s.max,
            },
            abi::OPTION_INT => {
                return Err(LoadError::BadOption(format!(
                    "option `{name}`: min {} is above max {}",
                    s.min, s.max
                )));
            }
            abi::OPTION_CHOICE => {
                let choices = get(s.choices, "choices")?;
                OptionKind::Choice(choices.split('|').map(str::to_owned).collect())
            }
            other => {
                return Err(LoadError::BadOption(format!(
                    "option `{name}` has unknown kind {other}"
                )));
            }
        };
        let info = OptionInfo {
            name,
            help,
            default,
            kind,
        };
        if info.name.is_empty()
            || !info
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(LoadError::BadOption(format!(
                "option name `{}` may only use lowercase ASCII letters, digits, `_` and `-`",
                info.name
            )));
        }
        if out.iter().any(|o| o.name == info.name) {
            return Err(LoadError::BadOption(format!(
                "option `{}` is declared twice",
                info.name
            )));
        }
        if let Err(why) = crate::options::check_value(&info, &info.default) {
            return Err(LoadError::BadOption(format!(
                "option `{}` has an invalid default: {why}",
                info.name
            )));
        }
        out.push(info);
    }
    Ok(out)
}

/// An error and all its sources, joined: libloading's own message is only
/// "dlopen failed", the reason (not an ELF file, wrong class, missing
/// dependency) is in the source.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: u32, major: u16, minor: u16, size: u32) -> AbiHeader {
        AbiHeader {
            magic,
            abi_major: major,
            abi_minor: minor,
            struct_size: size,
            reserved: 0,
        }
    }

    #[test]
    fn header_checks_come_in_order() {
        let full = abi::MODULE_DESCRIPTOR_SIZE_1_0 as u32;
        assert_eq!(check_header(&header(abi::MODULE_MAGIC, 1, 0, full)), Ok(()));
        assert_eq!(
            check_header(&header(abi::MODULE_MAGIC, 1, 9, full + 64)),
            Ok(())
        );
        assert_eq!(
            check_header(&header(0xdead_beef, 2, 0, 8)),
            Err(LoadError::BadMagic(0xdead_beef))
        );
        // Versions are reported before the size.
        assert_eq!(
            check_header(&header(abi::MODULE_MAGIC, 2, 0, 8)),
            Err(LoadError::OtherMajor { major: 2, minor: 0 })
        );
        assert_eq!(
            check_header(&header(abi::MODULE_MAGIC, 1, 0, 40)),
            Err(LoadError::TooSmall(40))
        );
    }

    #[test]
    fn version_message_names_both_sides() {
        let msg = LoadError::OtherMajor { major: 2, minor: 0 }.to_string();
        assert_eq!(
            msg,
            "host speaks ABI 1.x, module was built for 2.0: rebuild the module against plugin-api 1.x"
        );
    }

    #[test]
    fn names_are_ids() {
        assert!(check_name("llm_training").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("Cargo").is_err());
        assert!(check_name("a.b").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }
}
