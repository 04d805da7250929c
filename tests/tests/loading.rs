//! Discovery and loading: good modules load, every kind of bad file gets its
//! own message, and bad files never stop good ones.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use host_tests::*;

const T: Duration = Duration::from_secs(60);

fn list(dir: &Path) -> (String, String, bool) {
    let out = run(isolated_host(dir).arg("--list"), T);
    (text(&out.stdout), text(&out.stderr), out.status.success())
}

/// The failure line `host --list` prints for `file`.
fn failure_for<'a>(listing: &'a str, file: &str) -> &'a str {
    listing
        .lines()
        .find(|l| l.contains(file) && l.contains(": "))
        .unwrap_or_else(|| panic!("no failure line for {file} in:\n{listing}"))
}

#[test]
fn every_bad_file_gets_its_own_message_and_good_modules_still_load() {
    let dir = module_dir();
    let d = dir.path();
    std::fs::copy(module_lib("cargo"), d.join("libcargo.so")).unwrap();
    build_c_module(d, "c_check", &[]);
    std::fs::write(d.join("libempty.so"), b"").unwrap();
    std::fs::write(
        d.join("libtext.so"),
        "this is a text file, not a library\n".repeat(20),
    )
    .unwrap();
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(d.join("librandom.so"), noise).unwrap();
    build_c_module(d, "noentry", &["NO_ENTRY"]);
    build_c_module(d, "badmagic", &["BAD_MAGIC"]);
    build_c_module(d, "major2", &["OTHER_MAJOR"]);
    build_c_module(d, "toosmall", &["TOO_SMALL"]);
    build_c_module(d, "nullrun", &["NULL_RUN", "MODULE_NAME=\"nullrun\""]);
    build_c_module(d, "badutf8", &["BAD_UTF8"]);
    // Not a library name: ignored entirely.
    std::fs::write(d.join("README.txt"), b"notes").unwrap();

    let (out, _, ok) = list(d);
    assert!(ok, "--list must succeed with bad files present:\n{out}");
    assert!(out.contains("2 modules installed"), "{out}");
    assert!(
        out.lines().any(|l| l.trim_start().starts_with("cargo ")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.trim_start().starts_with("c_check ")),
        "{out}"
    );

    let open_failure = |f: &str| failure_for(&out, f).to_owned();
    assert!(open_failure("libempty.so").contains("cannot be opened as a shared library"));
    assert!(
        open_failure("libempty.so").contains("file too short"),
        "{out}"
    );
    assert!(
        open_failure("libtext.so").contains("invalid ELF header"),
        "{out}"
    );
    assert!(
        open_failure("librandom.so").contains("invalid ELF header"),
        "{out}"
    );
    assert!(open_failure("libnoentry.so").contains("no entry point `host_module_entry`"));
    assert!(open_failure("libbadmagic.so").contains("bad magic 0x464c457f"));
    assert!(open_failure("libmajor2.so").contains(
        "host speaks ABI 1.x, module was built for 2.0: rebuild the module against plugin-api 1.x"
    ));
    assert!(
        open_failure("libtoosmall.so")
            .contains("descriptor is 40 bytes but ABI 1.0 needs at least 88")
    );
    assert!(open_failure("libnullrun.so").contains("required descriptor field `run` is NULL"));
    assert!(open_failure("libbadutf8.so").contains("descriptor field `name` is not valid UTF-8"));
    assert!(!out.contains("README.txt"));
}

#[test]
fn a_duplicate_name_loads_the_first_in_search_order_and_warns() {
    let first = module_dir();
    let second = module_dir();
    build_c_module(first.path(), "c_check", &[]);
    build_c_module(second.path(), "c_check_copy", &[]);
    let path = std::env::join_paths([first.path(), second.path()]).unwrap();
    let mut cmd = isolated_host(first.path());
    cmd.env("HOST_MODULE_PATH", &path);
    let out = run(cmd.arg("--list"), T);
    let listing = text(&out.stdout);
    assert!(listing.contains("1 module installed"), "{listing}");
    let winner = first.path().join("libc_check.so");
    assert!(
        listing.contains(&format!("from {}", winner.display())),
        "{listing}"
    );
    let loser = failure_for(&listing, "libc_check_copy.so");
    assert!(
        loser.contains("duplicate module name `c_check`, already loaded from"),
        "{loser}"
    );

    // When running, the shadowing is a warning naming both paths.
    let out = run(
        isolated_host(first.path())
            .env("HOST_MODULE_PATH", &path)
            .args(["-m", "c_check", "-s", "1000", "--exit-after-modules", "1"]),
        T,
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: module `c_check`") && err.contains("libc_check_copy.so"),
        "{err}"
    );
    assert!(out.status.success());
}

#[test]
fn the_same_file_reached_twice_loads_once() {
    let dir = module_dir();
    build_c_module(dir.path(), "c_check", &[]);
    let twice = std::env::join_paths([dir.path(), dir.path()]).unwrap();
    let out = run(
        isolated_host(dir.path())
            .env("HOST_MODULE_PATH", twice)
            .arg("--list"),
        T,
    );
    let listing = text(&out.stdout);
    assert!(listing.contains("1 module installed"), "{listing}");
    assert!(!listing.contains("duplicate"), "{listing}");
}

#[test]
fn group_or_world_writable_places_are_refused() {
    let dir = module_dir();
    build_c_module(dir.path(), "c_check", &[]);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
    let (out, _, _) = list(dir.path());
    assert!(out.contains("0 modules installed"), "{out}");
    let line = failure_for(&out, &dir.path().display().to_string());
    assert!(
        line.contains("directory skipped: directory is writable by its group (mode 775)"),
        "{line}"
    );
    assert!(line.contains("chmod g-w"), "{line}");

    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let lib = dir.path().join("libc_check.so");
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o757)).unwrap();
    let (out, _, _) = list(dir.path());
    assert!(
        failure_for(&out, "libc_check.so").contains("file is writable by others"),
        "{out}"
    );
}

#[test]
fn a_c_module_built_against_the_header_runs() {
    let dir = module_dir();
    build_c_module(dir.path(), "c_check", &[]);
    let out = run(
        isolated_host(dir.path()).args([
            "-m",
            "c_check",
            "--exit-after-modules",
            "1",
            "-s",
            "1000",
            "--set",
            "c_check.tests=7",
        ]),
        T,
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("PASS: ")).count(),
        7,
        "{stdout}"
    );
    assert!(
        stdout.contains("# TOTAL: 7  # PASS: 7  # FAIL: 0"),
        "{stdout}"
    );
}

#[test]
fn a_refusing_init_is_reported_with_the_module_name() {
    let dir = module_dir();
    build_c_module(
        dir.path(),
        "refuser",
        &["INIT_REFUSES", "MODULE_NAME=\"refuser\""],
    );
    let out = run(isolated_host(dir.path()).args(["-m", "refuser"]), T);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "module `refuser` refused to start: cannot start: the fixture was built to refuse"
        ),
        "{err}"
    );
}

#[test]
fn a_panic_in_run_is_reported_and_rotation_goes_on() {
    let dir = module_dir();
    build_panicky(dir.path());
    build_c_module(dir.path(), "c_check", &[]);

    // Asked for by name: the panic ends the host with status 1 and the reason.
    let out = run(
        isolated_host(dir.path()).args(["-m", "panicky", "-s", "1000"]),
        T,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("module `panicky` failed: panicked at src/lib.rs:"),
        "{err}"
    );
    assert!(
        err.contains("index out of range: the list has 0 items"),
        "{err}"
    );
    // The half-printed line was ended before the error.
    assert!(text(&out.stdout).ends_with("about to fail half-way through a line\n"));

    // In rotation: reported, skipped, and the other module keeps running.
    let out = run(
        isolated_host(dir.path()).args(["--exit-after-modules", "3", "-s", "1000", "--seed", "1"]),
        T,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("module `panicky` failed"));
    assert_eq!(text(&out.stdout).matches("# TOTAL: 10").count(), 3);
}

#[test]
fn a_missing_module_says_what_is_there() {
    let out = run(host().args(["-m", "carg"]), T);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no module named `carg`; did you mean `cargo`?"),
        "{err}"
    );
    assert!(err.contains("host --list"), "{err}");

    // A file that should have been that module but is broken: its reason.
    let dir = module_dir();
    build_c_module(
        dir.path(),
        "major2",
        &["OTHER_MAJOR", "MODULE_NAME=\"major2\""],
    );
    let out = run(isolated_host(dir.path()).args(["-m", "major2"]), T);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("could not be loaded: host speaks ABI 1.x, module was built for 2.0")
    );
}

#[test]
fn check_inspects_a_library_without_running_it() {
    let dir = module_dir();
    let good = build_c_module(dir.path(), "c_check", &[]);
    let bad = build_c_module(dir.path(), "major2", &["OTHER_MAJOR"]);
    let out = run(host().arg("--check").arg(&good), T);
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}");
    for expected in [
        "name         c_check",
        "version      1.0.0",
        "signature    make check",
        "ABI          1.1",
        "tests = 10 (1..=1000)",
        "verdict      loads",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    let out = run(host().arg("--check").arg(&bad), T);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("would NOT load: host speaks ABI 1.x, module was built for 2.0")
    );
}

#[test]
fn a_normal_checkout_lists_only_real_modules() {
    let out = run(host().arg("--list"), T);
    let listing = text(&out.stdout);
    assert!(out.status.success());
    let modules = workspace_modules();
    assert!(modules.len() >= 27, "only {} modules", modules.len());
    assert!(
        listing.starts_with(&format!("{} modules installed:", modules.len())),
        "{listing}"
    );
    for name in modules {
        let line = listing
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("module {name} missing from:\n{listing}"));
        // name, version, then a description of a few words.
        let description: Vec<&str> = line.split_whitespace().skip(2).collect();
        assert!(
            description.len() >= 3,
            "module {name} has no real description: {line:?}"
        );
    }
    assert!(!listing.contains("could not be loaded"), "{listing}");
    assert!(
        !listing.contains("panicky") && !listing.contains("c_check"),
        "{listing}"
    );
}
