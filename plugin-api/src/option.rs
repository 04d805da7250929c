//! Constructors for [`OptionSpec`] declarations, for
//! the `options: [...]` list of `export_module!`.
//!
//! ```
//! use plugin_api::option;
//! let gpu = option::choice(c"gpu", c"GPU model", c"H100", c"A100|H100|H200|B200");
//! let nodes = option::int(c"nodes", c"number of nodes", c"8", 1, 128);
//! # let _ = (gpu, nodes);
//! ```

use std::ffi::CStr;
use std::ptr;

use crate::abi::{self, OptionSpec};

const fn spec(
    name: &'static CStr,
    help: &'static CStr,
    default: &'static CStr,
    kind: abi::OptionKind,
    choices: *const std::ffi::c_char,
    min: i64,
    max: i64,
) -> OptionSpec {
    OptionSpec {
        name: name.as_ptr(),
        help: help.as_ptr(),
        default_value: default.as_ptr(),
        kind,
        reserved: 0,
        choices,
        min,
        max,
    }
}

/// A free-text option.
pub const fn string(
    name: &'static CStr,
    help: &'static CStr,
    default: &'static CStr,
) -> OptionSpec {
    spec(name, help, default, abi::OPTION_STRING, ptr::null(), 0, 0)
}

/// An integer option in `min..=max`.
pub const fn int(
    name: &'static CStr,
    help: &'static CStr,
    default: &'static CStr,
    min: i64,
    max: i64,
) -> OptionSpec {
    spec(name, help, default, abi::OPTION_INT, ptr::null(), min, max)
}

/// A `true`/`false` option.
pub const fn bool(name: &'static CStr, help: &'static CStr, default: &'static CStr) -> OptionSpec {
    spec(name, help, default, abi::OPTION_BOOL, ptr::null(), 0, 0)
}

/// One word out of `choices`, separated by `|` (`c"A100|H100"`).
pub const fn choice(
    name: &'static CStr,
    help: &'static CStr,
    default: &'static CStr,
    choices: &'static CStr,
) -> OptionSpec {
    spec(
        name,
        help,
        default,
        abi::OPTION_CHOICE,
        choices.as_ptr(),
        0,
        0,
    )
}
