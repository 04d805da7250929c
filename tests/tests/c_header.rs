//! The C header and the Rust definitions describe the same ABI: every size,
//! offset and constant is compared, as the C compiler sees them.

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::process::Command;

use host_tests::*;
use plugin_api::abi::*;

fn c_layout() -> BTreeMap<String, u64> {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("layout");
    let out = Command::new(c_compiler())
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o"])
        .arg(&exe)
        .arg("-I")
        .arg(root().join("plugin-api/include"))
        .arg(root().join("tests/fixtures/layout.c"))
        .output()
        .expect("run the C compiler");
    assert!(out.status.success(), "layout.c: {}", text(&out.stderr));
    let out = Command::new(&exe).output().unwrap();
    text(&out.stdout)
        .lines()
        .map(|l| {
            let mut parts = l.split_whitespace();
            let (_kind, name, value) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            (name.to_owned(), value.parse().unwrap())
        })
        .collect()
}

#[test]
fn header_and_rust_agree_on_every_size_offset_and_constant() {
    let c = c_layout();
    let rust: Vec<(&str, u64)> = vec![
        ("host_abi_header", size_of::<AbiHeader>() as u64),
        ("host_abi_header.magic", offset_of!(AbiHeader, magic) as u64),
        (
            "host_abi_header.abi_major",
            offset_of!(AbiHeader, abi_major) as u64,
        ),
        (
            "host_abi_header.abi_minor",
            offset_of!(AbiHeader, abi_minor) as u64,
        ),
        (
            "host_abi_header.struct_size",
            offset_of!(AbiHeader, struct_size) as u64,
        ),
        (
            "host_abi_header.reserved",
            offset_of!(AbiHeader, reserved) as u64,
        ),
        ("host_str", size_of::<StrRef>() as u64),
        ("host_error_buf", size_of::<ErrorBuf>() as u64),
        ("host_option_value", size_of::<OptionValue>() as u64),
        ("host_option_spec", size_of::<OptionSpec>() as u64),
        ("host_option_spec.name", offset_of!(OptionSpec, name) as u64),
        ("host_option_spec.help", offset_of!(OptionSpec, help) as u64),
        (
            "host_option_spec.default_value",
            offset_of!(OptionSpec, default_value) as u64,
        ),
        ("host_option_spec.kind", offset_of!(OptionSpec, kind) as u64),
        (
            "host_option_spec.choices",
            offset_of!(OptionSpec, choices) as u64,
        ),
        ("host_option_spec.min", offset_of!(OptionSpec, min) as u64),
        ("host_option_spec.max", offset_of!(OptionSpec, max) as u64),
        (
            "host_module_descriptor",
            size_of::<ModuleDescriptor>() as u64,
        ),
        (
            "host_module_descriptor.name",
            offset_of!(ModuleDescriptor, name) as u64,
        ),
        (
            "host_module_descriptor.version",
            offset_of!(ModuleDescriptor, version) as u64,
        ),
        (
            "host_module_descriptor.description",
            offset_of!(ModuleDescriptor, description) as u64,
        ),
        (
            "host_module_descriptor.signature",
            offset_of!(ModuleDescriptor, signature) as u64,
        ),
        (
            "host_module_descriptor.options",
            offset_of!(ModuleDescriptor, options) as u64,
        ),
        (
            "host_module_descriptor.option_count",
            offset_of!(ModuleDescriptor, option_count) as u64,
        ),
        (
            "host_module_descriptor.init",
            offset_of!(ModuleDescriptor, init) as u64,
        ),
        (
            "host_module_descriptor.run",
            offset_of!(ModuleDescriptor, run) as u64,
        ),
        (
            "host_module_descriptor.destroy",
            offset_of!(ModuleDescriptor, destroy) as u64,
        ),
        (
            "host_module_descriptor.author",
            offset_of!(ModuleDescriptor, author) as u64,
        ),
        ("host_api", size_of::<HostApi>() as u64),
        ("host_api.print", offset_of!(HostApi, print) as u64),
        (
            "host_api.print_styled",
            offset_of!(HostApi, print_styled) as u64,
        ),
        ("host_api.newline", offset_of!(HostApi, newline) as u64),
        ("host_api.cursor_up", offset_of!(HostApi, cursor_up) as u64),
        (
            "host_api.erase_line",
            offset_of!(HostApi, erase_line) as u64,
        ),
        ("host_api.flush", offset_of!(HostApi, flush) as u64),
        ("host_api.sleep_ms", offset_of!(HostApi, sleep_ms) as u64),
        ("host_api.clock_ms", offset_of!(HostApi, clock_ms) as u64),
        (
            "host_api.term_width",
            offset_of!(HostApi, term_width) as u64,
        ),
        (
            "host_api.term_height",
            offset_of!(HostApi, term_height) as u64,
        ),
        (
            "host_api.is_terminal",
            offset_of!(HostApi, is_terminal) as u64,
        ),
        (
            "host_api.progress_bar",
            offset_of!(HostApi, progress_bar) as u64,
        ),
        ("host_api.log", offset_of!(HostApi, log) as u64),
        (
            "host_api.should_exit",
            offset_of!(HostApi, should_exit) as u64,
        ),
        (
            "host_api.color_enabled",
            offset_of!(HostApi, color_enabled) as u64,
        ),
        ("HOST_MODULE_MAGIC", u64::from(MODULE_MAGIC)),
        ("HOST_API_MAGIC", u64::from(HOST_API_MAGIC)),
        ("HOST_ABI_MAJOR", u64::from(ABI_MAJOR)),
        ("HOST_ABI_MINOR", u64::from(ABI_MINOR)),
        ("HOST_STATUS_OK", STATUS_OK as u64),
        ("HOST_STATUS_ERROR", STATUS_ERROR as u64),
        ("HOST_OPTION_STRING", u64::from(OPTION_STRING)),
        ("HOST_OPTION_INT", u64::from(OPTION_INT)),
        ("HOST_OPTION_BOOL", u64::from(OPTION_BOOL)),
        ("HOST_OPTION_CHOICE", u64::from(OPTION_CHOICE)),
        ("HOST_LOG_ERROR", u64::from(LOG_ERROR)),
        ("HOST_LOG_WARN", u64::from(LOG_WARN)),
        ("HOST_LOG_INFO", u64::from(LOG_INFO)),
        ("HOST_LOG_DEBUG", u64::from(LOG_DEBUG)),
        ("HOST_STYLE_BOLD", u64::from(plugin_api::Style::BOLD)),
        ("HOST_STYLE_DIM", u64::from(plugin_api::Style::DIM)),
        ("HOST_STYLE_ITALIC", u64::from(plugin_api::Style::ITALIC)),
        (
            "HOST_STYLE_UNDERLINE",
            u64::from(plugin_api::Style::UNDERLINE),
        ),
        ("HOST_COLOR_GREEN", plugin_api::Color::Green as u64),
        (
            "HOST_COLOR_BRIGHT(HOST_COLOR_WHITE)",
            plugin_api::Color::BrightWhite as u64,
        ),
    ];
    for (name, value) in &rust {
        assert_eq!(
            c.get(*name),
            Some(value),
            "{name}: C says {:?}, Rust says {value}",
            c.get(*name)
        );
    }
    assert_eq!(
        c.len(),
        rust.len(),
        "layout.c prints something this test does not compare"
    );
}
