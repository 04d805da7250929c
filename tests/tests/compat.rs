//! The ABI compatibility promise: within a major version, old modules keep
//! loading in new hosts; across majors, modules are refused with both
//! versions named.

use std::time::Duration;

use host_tests::*;

const T: Duration = Duration::from_secs(60);

#[test]
fn a_module_built_against_abi_1_0_loads_and_runs_in_todays_host() {
    let dir = module_dir();
    let old = build_c_module_against(
        &root().join("tests/fixtures/abi-1.0"),
        dir.path(),
        "c_check",
        &[],
    );

    let check = run(host().arg("--check").arg(&old), T);
    let report = text(&check.stdout);
    assert!(check.status.success(), "{report}");
    assert!(
        report.contains("ABI          1.0 (host speaks 1.1)"),
        "{report}"
    );
    // The 1.1 descriptor field lies beyond a 1.0 descriptor: never read.
    assert!(!report.contains("author"), "{report}");

    let out = run(
        isolated_host(dir.path()).args(["--exit-after-modules", "1", "-s", "1000"]),
        T,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("# TOTAL: 10  # PASS: 10"), "{stdout}");
    assert!(
        !stdout.contains("no colour"),
        "a 1.0 module cannot know the 1.1 slot"
    );
}

#[test]
fn a_module_built_against_abi_1_1_uses_the_new_slot_and_field() {
    let dir = module_dir();
    let new = build_c_module(dir.path(), "c_check", &[]);
    let report = text(&run(host().arg("--check").arg(&new), T).stdout);
    assert!(
        report.contains("ABI          1.1 (host speaks 1.1)"),
        "{report}"
    );
    assert!(
        report.contains("author       The host test suite <tests@example.org>"),
        "{report}"
    );

    let out = run(
        isolated_host(dir.path()).args(["--exit-after-modules", "1", "-s", "1000"]),
        T,
    );
    assert!(text(&out.stdout).contains("(no colour: results marked in text)"));
    let coloured = run(
        isolated_host(dir.path()).args([
            "--exit-after-modules",
            "1",
            "-s",
            "1000",
            "--color",
            "always",
        ]),
        T,
    );
    assert!(!text(&coloured.stdout).contains("no colour"));
}

#[test]
fn a_module_of_another_major_is_refused_with_both_versions() {
    let dir = module_dir();
    let other = build_c_module(dir.path(), "future", &["OTHER_MAJOR"]);
    let out = run(host().arg("--check").arg(&other), T);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(
        "would NOT load: host speaks ABI 1.x, module was built for 2.0: rebuild the module against plugin-api 1.x"
    ));
}
