//! Property tests for everything that parses untrusted input: module option
//! strings, descriptors laid out from arbitrary bytes, and command lines.
//! Each must answer with a value or an error, never a panic.

use std::ffi::{CString, c_char};

use clap::Parser;
use plugin_api::abi::{self, AbiHeader, ModuleDescriptor, OptionSpec};
use proptest::prelude::*;

use crate::cli::Args;
use crate::loader::{self, LoadError, OptionInfo, OptionKind};
use crate::options;

/// Arbitrary bytes as an owned C string (cut at the first NUL).
fn c_string(bytes: Vec<u8>) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

fn text_or_null(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

unsafe extern "C" fn init(
    _: *const abi::HostApi,
    _: *mut abi::HostCtx,
    _: u64,
    _: *const abi::OptionValue,
    _: usize,
    _: *mut *mut std::ffi::c_void,
    _: *mut abi::ErrorBuf,
) -> abi::Status {
    abi::STATUS_ERROR
}

unsafe extern "C" fn run(
    _: *mut std::ffi::c_void,
    _: *const abi::HostApi,
    _: *mut abi::HostCtx,
    _: *mut abi::ErrorBuf,
) -> abi::Status {
    abi::STATUS_ERROR
}

#[derive(Debug, Clone)]
struct RawSpec {
    name: Option<Vec<u8>>,
    help: Option<Vec<u8>>,
    default: Option<Vec<u8>>,
    choices: Option<Vec<u8>>,
    kind: u32,
    min: i64,
    max: i64,
}

fn raw_spec() -> impl Strategy<Value = RawSpec> {
    let text = || proptest::option::weighted(0.9, proptest::collection::vec(any::<u8>(), 0..12));
    (
        text(),
        text(),
        text(),
        text(),
        0u32..6,
        any::<i64>(),
        any::<i64>(),
    )
        .prop_map(|(name, help, default, choices, kind, min, max)| RawSpec {
            name,
            help,
            default,
            choices,
            kind,
            min,
            max,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn settings_parse_or_fail_cleanly(arg in ".{0,40}") {
        match options::parse_setting(&arg) {
            Ok(s) => {
                prop_assert!(!s.module.is_empty() && !s.option.is_empty());
                prop_assert_eq!(format!("{}.{}={}", s.module, s.option, s.value), arg);
            }
            Err(e) => prop_assert!(e.contains("--set")),
        }
    }

    #[test]
    fn option_values_are_checked_without_panics(value in ".{0,24}", min in any::<i64>(), span in 0i64..1000, kind in 0u8..4) {
        let kind = match kind {
            0 => OptionKind::String,
            1 => OptionKind::Bool,
            2 => OptionKind::Int { min, max: min.saturating_add(span) },
            _ => OptionKind::Choice(vec!["A100".into(), "H100".into()]),
        };
        let info = OptionInfo { name: "x".into(), help: "h".into(), default: "1".into(), kind: kind.clone() };
        let verdict = options::check_value(&info, &value);
        if let OptionKind::Int { min, max } = kind {
            let ok = value.parse::<i64>().is_ok_and(|v| (min..=max).contains(&v));
            prop_assert_eq!(verdict.is_ok(), ok);
        }
    }

    #[test]
    fn arbitrary_descriptors_are_accepted_or_refused_never_crash(
        magic in prop_oneof![Just(abi::MODULE_MAGIC), any::<u32>()],
        major in prop_oneof![Just(abi::ABI_MAJOR), any::<u16>()],
        minor in any::<u16>(),
        size in prop_oneof![Just(std::mem::size_of::<ModuleDescriptor>() as u32), 0u32..200],
        name in proptest::option::weighted(0.9, proptest::collection::vec(any::<u8>(), 0..70)),
        version in proptest::option::weighted(0.9, proptest::collection::vec(any::<u8>(), 0..8)),
        description in proptest::option::weighted(0.9, proptest::collection::vec(any::<u8>(), 0..8)),
        signature in proptest::option::weighted(0.9, proptest::collection::vec(any::<u8>(), 0..8)),
        specs in proptest::collection::vec(raw_spec(), 0..4),
        lie_about_count in any::<bool>(),
        has_init in any::<bool>(),
        has_run in any::<bool>(),
    ) {
        let size = size.min(std::mem::size_of::<ModuleDescriptor>() as u32);
        let strings: Vec<Option<CString>> = [name, version, description, signature]
            .into_iter()
            .map(|s| s.map(c_string))
            .collect();
        let spec_strings: Vec<[Option<CString>; 4]> = specs
            .iter()
            .map(|s| [s.name.clone(), s.help.clone(), s.default.clone(), s.choices.clone()].map(|t| t.map(c_string)))
            .collect();
        let option_specs: Vec<OptionSpec> = specs
            .iter()
            .zip(&spec_strings)
            .map(|(s, t)| OptionSpec {
                name: text_or_null(&t[0]),
                help: text_or_null(&t[1]),
                default_value: text_or_null(&t[2]),
                kind: s.kind,
                reserved: 0,
                choices: text_or_null(&t[3]),
                min: s.min,
                max: s.max,
            })
            .collect();
        let descriptor = ModuleDescriptor {
            header: AbiHeader { magic, abi_major: major, abi_minor: minor, struct_size: size, reserved: 0 },
            name: text_or_null(&strings[0]),
            version: text_or_null(&strings[1]),
            description: text_or_null(&strings[2]),
            signature: text_or_null(&strings[3]),
            // Claiming options with a null pointer must be refused, not read.
            options: if lie_about_count && !option_specs.is_empty() { std::ptr::null() } else { option_specs.as_ptr() },
            option_count: option_specs.len(),
            init: has_init.then_some(init as abi::InitFn),
            run: has_run.then_some(run as abi::RunFn),
            destroy: None,
            author: std::ptr::null(),
        };
        // SAFETY: every pointer in the descriptor is null or points into the
        // live vectors above, as the ABI requires; the content is arbitrary.
        let result = unsafe { loader::read_descriptor(&descriptor) };
        let header_ok = magic == abi::MODULE_MAGIC && major == abi::ABI_MAJOR
            && size as usize >= abi::MODULE_DESCRIPTOR_SIZE_1_0;
        match result {
            Ok(loaded) => {
                prop_assert!(header_ok && has_init && has_run);
                prop_assert!(loader::check_name(&loaded.info.name).is_ok());
                for o in &loaded.info.options {
                    prop_assert!(options::check_value(o, &o.default).is_ok());
                }
            }
            Err(LoadError::BadMagic(m)) => prop_assert_eq!(m, magic),
            Err(LoadError::OtherMajor { major: m, .. }) => prop_assert_eq!(m, major),
            Err(LoadError::TooSmall(s)) => prop_assert_eq!(s, size),
            Err(e) => prop_assert!(header_ok, "{e} with a bad header"),
        }
    }

    #[test]
    fn command_lines_parse_or_fail_cleanly(args in proptest::collection::vec(
        prop_oneof![
            Just("-m".to_owned()), Just("--set".to_owned()), Just("-s".to_owned()),
            Just("--exit-after-time".to_owned()), Just("--seed".to_owned()), Just("--color".to_owned()),
            Just("-i".to_owned()), Just("--exit-after-modules".to_owned()), ".{0,12}",
        ],
        0..8,
    )) {
        let argv = std::iter::once("host".to_owned()).chain(args);
        if let Ok(parsed) = Args::try_parse_from(argv) {
            prop_assert!(parsed.speed_factor > 0.0 && parsed.speed_factor.is_finite());
            prop_assert!(parsed.exit_after_modules != Some(0));
        }
    }
}
