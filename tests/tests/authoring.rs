//! The path a third-party author follows (docs/authoring.md): the example
//! modules build on their own, outside the workspace, pass `host --check`
//! and run in the host; the guide quotes them as they are; and
//! `scripts/install.sh` makes an install prefix in which the host finds its
//! modules by itself.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use host_tests::*;

const T: Duration = Duration::from_secs(60);

/// The session's lines, in the order the examples print them.
const PHASES: [&str; 10] = [
    "Brewing ",
    "Beans ",
    "Recipe ",
    "Grinding ",
    "Heating ",
    "Blooming ",
    "Pouring ",
    "Drawdown ",
    "Done ",
    "Extraction ",
];

/// Where the tests put what they build: beside the workspace's own build,
/// so that repeated runs reuse it.
fn examples_target() -> PathBuf {
    build_dir().parent().unwrap().join("examples")
}

/// Copies an example's sources (not what an earlier in-place build left).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str == "target" || name_str == "Cargo.lock" || name_str.ends_with(".so") {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// Builds examples/rust-module the way its author would, from a copy in a
/// clean directory far from the workspace, and returns the library.
fn rust_example() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let src = tempfile::tempdir().unwrap();
        copy_tree(&root().join("examples/rust-module"), src.path());
        // The example points at the plugin-api beside it in the repository;
        // from the copy, point at the same crate by its absolute path.
        let manifest = src.path().join("Cargo.toml");
        let original = std::fs::read_to_string(&manifest).unwrap();
        let relative = r#"path = "../../plugin-api""#;
        assert!(
            original.contains(relative),
            "the example must depend on plugin-api by `{relative}`:\n{original}"
        );
        let absolute = format!(
            "path = {:?}",
            root().join("plugin-api").display().to_string()
        );
        std::fs::write(&manifest, original.replace(relative, &absolute)).unwrap();
        // The workspace's lock file pins the dependency versions the host is
        // tested with; cargo drops the entries the example does not use.
        std::fs::copy(root().join("Cargo.lock"), src.path().join("Cargo.lock")).unwrap();

        let target = examples_target();
        let out = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .output()
            .expect("run cargo build for the Rust example");
        assert!(
            out.status.success(),
            "building examples/rust-module failed:\n{}",
            text(&out.stderr)
        );
        let lib = target.join("debug/libcoffee.so");
        assert!(lib.is_file(), "{} was not built", lib.display());
        lib
    })
}

/// Builds examples/c-module with its Makefile (and `$CC`), from a copy, and
/// returns the library.
fn c_example() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let src = tempfile::tempdir().unwrap();
        copy_tree(&root().join("examples/c-module"), src.path());
        let out = Command::new("make")
            .arg("-C")
            .arg(src.path())
            .arg(format!("CC={}", c_compiler()))
            .arg(format!(
                "HOST_INCLUDE={}",
                root().join("plugin-api/include").display()
            ))
            .arg("CFLAGS=-O2 -Werror")
            .output()
            .expect("run make for the C example");
        assert!(
            out.status.success(),
            "building examples/c-module failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let built = src.path().join("libcoffee_c.so");
        let dir = examples_target().join("c-module");
        std::fs::create_dir_all(&dir).unwrap();
        let lib = dir.join("libcoffee_c.so");
        std::fs::copy(&built, &lib).unwrap();
        lib
    })
}

/// A module directory holding only `lib`.
fn dir_with(lib: &Path) -> tempfile::TempDir {
    let dir = module_dir();
    std::fs::copy(lib, dir.path().join(lib.file_name().unwrap())).unwrap();
    dir
}

/// One session of the only module in `dir`, with extra arguments.
fn brew(dir: &Path, args: &[&str]) -> String {
    let out = run(
        isolated_host(dir)
            .args(["--exit-after-modules", "1", "-s", "1000"])
            .args(args),
        T,
    );
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// `host --check` on `lib`: it would load, and the report shows what it is.
fn check(lib: &Path, name: &str) {
    let out = run(host().arg("--check").arg(lib), T);
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}{}", text(&out.stderr));
    for expected in [
        format!("name         {name}\n"),
        "signature    coffeectl brew --method pour-over\n".to_owned(),
        "ABI          1.1 (host speaks 1.1)\n".to_owned(),
        "author       The host authors <host@example.org>\n".to_owned(),
        "options      cups = 2 (1..=8): how many cups to brew\n".to_owned(),
        "verdict      loads\n".to_owned(),
    ] {
        assert!(report.contains(&expected), "no `{expected}` in:\n{report}");
    }
}

/// What a whole session of the example must look like in a pipe.
fn assert_a_whole_session(out: &str, cups: u64) {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), PHASES.len(), "{out}");
    for (line, phase) in lines.iter().zip(PHASES) {
        assert!(
            line.starts_with(phase),
            "`{line}` should start with `{phase}`:\n{out}"
        );
    }
    let beans =
        std::fs::read_to_string(root().join("examples/rust-module/data/beans.txt")).unwrap();
    let origin = lines[0]
        .split_once(" of ")
        .map(|(_, o)| o)
        .unwrap_or_else(|| panic!("no origin in `{}`", lines[0]));
    assert!(
        beans.lines().any(|l| l.split('|').next() == Some(origin)),
        "`{origin}` is not in beans.txt"
    );
    let cups_text = if cups == 1 {
        "1 cup of ".to_owned()
    } else {
        format!("{cups} cups of ")
    };
    assert!(lines[0].contains(&cups_text), "{out}");
    // In a pipe only the finished state of each phase is printed.
    for line in &lines[3..8] {
        assert!(
            line.contains('█'),
            "a finished phase shows a full bar: `{line}`"
        );
    }
    assert!(lines[6].contains("ml, pour "), "{out}");
    // The time printed at the end comes from the simulated clock: minutes,
    // although the session took a fraction of a second at -s 1000.
    let took = lines[8].rsplit_once(" in ").unwrap().1;
    let (m, s) = took.split_once(':').unwrap();
    let seconds = m.parse::<u64>().unwrap() * 60 + s.parse::<u64>().unwrap();
    assert!(
        (60..=300).contains(&seconds),
        "a brew takes minutes: {took}"
    );
    // No colour in a pipe: the verdict is said in words.
    assert!(
        ["(ideal)", "(under)", "(over)"]
            .iter()
            .any(|v| lines[9].ends_with(v)),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "escape sequences in a pipe:\n{out}");
}

/// The checks a module author runs: `--check`, a session, the option, the
/// seed, the width and a stop request.
fn exercise(lib: &Path, name: &str) {
    let dir = dir_with(lib);
    let d = dir.path();
    check(&d.join(lib.file_name().unwrap()), name);

    let out = brew(d, &["--seed", "7"]);
    assert_a_whole_session(&out, 2);
    assert_eq!(
        brew(d, &["--seed", "7"]),
        out,
        "the same seed, the same session"
    );
    let others: Vec<String> = (1..=4)
        .map(|s| brew(d, &["--seed", &s.to_string()]))
        .collect();
    assert!(
        others.iter().any(|o| o != &out),
        "other seeds should brew other coffees"
    );

    let five = brew(d, &["--seed", "7", "--set", &format!("{name}.cups=5")]);
    assert_a_whole_session(&five, 5);

    // The host checks option values against the declaration before any
    // module code runs.
    let refused = run(
        isolated_host(d).args(["--set", &format!("{name}.cups=9")]),
        T,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("9 is outside 1..=8"),
        "{}",
        text(&refused.stderr)
    );

    for columns in [24, 40, 80] {
        let out = run(
            isolated_host(d)
                .args(["--exit-after-modules", "1", "-s", "1000", "--seed", "3"])
                .env("COLUMNS", columns.to_string()),
            T,
        );
        for line in text(&out.stdout).lines() {
            assert!(
                cells(line) < columns,
                "`{line}` is {} cells wide at {columns} columns",
                cells(line)
            );
        }
    }

    // At speed 1 a session takes minutes; a time limit ends it at once.
    let start = std::time::Instant::now();
    let stopped = run(
        isolated_host(d).args(["--exit-after-time", "500ms", "--seed", "7"]),
        T,
    );
    assert!(stopped.status.success(), "{}", text(&stopped.stderr));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let partial = text(&stopped.stdout);
    assert!(partial.starts_with("Brewing "), "{partial}");
    assert!(!partial.contains("Done "), "{partial}");
}

#[test]
fn the_rust_example_builds_on_its_own_checks_and_brews() {
    exercise(rust_example(), "coffee");
}

#[test]
fn the_c_example_builds_with_make_checks_and_brews() {
    exercise(c_example(), "coffee_c");
}

#[test]
fn the_rust_and_c_examples_brew_the_same_session() {
    let rust = dir_with(rust_example());
    let c = dir_with(c_example());
    for (seed, columns, cups) in [("1", "80", "2"), ("2", "33", "1"), ("42", "120", "8")] {
        let session = |dir: &Path, name: &str| {
            let out = run(
                isolated_host(dir)
                    .args(["--exit-after-modules", "1", "-s", "1000", "--seed", seed])
                    .args(["--set", &format!("{name}.cups={cups}")])
                    .env("COLUMNS", columns),
                T,
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            text(&out.stdout)
        };
        let from_rust = session(rust.path(), "coffee");
        assert_eq!(
            from_rust,
            session(c.path(), "coffee_c"),
            "seed {seed}, {columns} columns"
        );
        assert_eq!(from_rust.lines().count(), PHASES.len());
    }
}

/// The guide shows the examples' real files: each block after a
/// `<!-- file: PATH -->` marker must be that file, byte for byte.
#[test]
fn the_guide_quotes_the_example_files_as_they_are() {
    let guide = std::fs::read_to_string(root().join("docs/authoring.md")).unwrap();
    let mut quoted = Vec::new();
    let mut rest = guide.as_str();
    while let Some(at) = rest.find("<!-- file: ") {
        rest = &rest[at + "<!-- file: ".len()..];
        let (path, after) = rest.split_once(" -->").unwrap();
        let fence_start = after.find("```").unwrap();
        let block = &after[fence_start..];
        let body_start = block.find('\n').unwrap() + 1;
        let body_len = block[body_start..]
            .find("\n```\n")
            .unwrap_or_else(|| panic!("unclosed block for {path}"));
        let body = &block[body_start..body_start + body_len + 1];
        let file = std::fs::read_to_string(root().join(path))
            .unwrap_or_else(|e| panic!("the guide quotes {path}: {e}"));
        assert!(
            body == file,
            "docs/authoring.md quotes {path}, but not as it is: copy the file into the guide again"
        );
        quoted.push(path.to_owned());
        rest = &block[body_start + body_len..];
    }
    for path in [
        "examples/rust-module/Cargo.toml",
        "examples/rust-module/src/lib.rs",
        "examples/c-module/coffee.c",
        "examples/c-module/Makefile",
    ] {
        assert!(
            quoted.iter().any(|q| q == path),
            "the guide does not quote {path}"
        );
    }
}

/// In the repository, the example is not a member of the host's workspace:
/// cargo takes it as a workspace of its own (`[workspace]` in its manifest).
#[test]
fn the_rust_example_is_not_part_of_the_workspace() {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root().join("examples/rust-module/Cargo.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metadata = text(&out.stdout);
    let workspace_root = format!(
        "\"workspace_root\":\"{}\"",
        root().join("examples/rust-module").display()
    );
    assert!(metadata.contains(&workspace_root), "{metadata}");
}

/// A `host` command with nothing but the system's environment: no
/// `$HOST_MODULE_PATH`, and a home whose data directory is empty.
fn bare_host(program: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("HOST_MODULE_PATH")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("share"))
        .current_dir(home);
    cmd
}

fn install_sh() -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/install.sh"));
    cmd
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn install_sh_makes_a_prefix_the_host_finds_its_modules_in() {
    let target = build_dir().parent().unwrap().to_path_buf();
    let prefix = tempfile::tempdir().unwrap();
    let p = prefix.path();
    let home = tempfile::tempdir().unwrap();

    // The debug build the test support made, installed as is.
    let out = run(
        install_sh()
            .args(["--no-build", "--profile", "debug", "--prefix"])
            .arg(p)
            .arg("--target-dir")
            .arg(&target),
        T,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("installed {}", p.join("bin/host").display())),
        "{said}"
    );
    assert!(said.contains("--list"), "it says how to run it:\n{said}");

    let modules_dir = p.join("lib/host/modules");
    assert_eq!(mode(&p.join("bin/host")), 0o755);
    assert_eq!(mode(&modules_dir), 0o755);
    let modules = workspace_modules();
    for m in &modules {
        assert_eq!(mode(&modules_dir.join(format!("lib{m}.so"))), 0o644, "{m}");
    }
    let installed = std::fs::read_dir(&modules_dir).unwrap().count();
    assert_eq!(installed, modules.len(), "only the workspace's modules");

    let host = p.join("bin/host");
    let list = run(bare_host(&host, home.path()).arg("--list"), T);
    let listing = text(&list.stdout);
    assert!(list.status.success(), "{}", text(&list.stderr));
    assert!(
        listing.starts_with(&format!("{} modules installed:", modules.len())),
        "{listing}"
    );
    for m in &modules {
        let from = format!(
            "from {} (install prefix)",
            modules_dir.join(format!("lib{m}.so")).display()
        );
        assert!(listing.contains(&from), "no `{from}` in:\n{listing}");
    }
    assert!(!listing.contains("could not be loaded"), "{listing}");

    let session = run(
        bare_host(&host, home.path()).args([
            "-m",
            "cargo",
            "--exit-after-modules",
            "1",
            "-s",
            "1000",
            "--seed",
            "1",
        ]),
        T,
    );
    assert!(session.status.success(), "{}", text(&session.stderr));
    let played = text(&session.stdout);
    assert!(played.contains("Compiling"), "{played}");
    assert!(played.contains("Finished"), "{played}");

    let out = run(install_sh().arg("--uninstall").arg("--prefix").arg(p), T);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!p.join("bin/host").exists());
    assert!(
        !p.join("lib/host").exists(),
        "the emptied directories go too"
    );
}

#[test]
fn install_sh_explains_itself_and_refuses_what_it_cannot_do() {
    let help = run(install_sh().arg("--help"), T);
    assert!(help.status.success());
    let usage = text(&help.stdout);
    for flag in [
        "--prefix",
        "--profile",
        "--target-dir",
        "--no-build",
        "--uninstall",
    ] {
        assert!(
            usage.contains(flag),
            "--help does not mention {flag}:\n{usage}"
        );
    }

    let empty = tempfile::tempdir().unwrap();
    let prefix = tempfile::tempdir().unwrap();
    let missing = run(
        install_sh()
            .args(["--no-build", "--profile", "debug", "--target-dir"])
            .arg(empty.path())
            .arg("--prefix")
            .arg(prefix.path()),
        T,
    );
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("is missing: build first"),
        "{}",
        text(&missing.stderr)
    );
    assert!(!prefix.path().join("bin").exists(), "nothing installed");

    let nothing = run(
        install_sh()
            .arg("--uninstall")
            .arg("--prefix")
            .arg(prefix.path()),
        T,
    );
    assert!(!nothing.status.success());
    assert!(text(&nothing.stderr).contains("nothing to uninstall"));

    let bad = run(install_sh().arg("--frobnicate"), T);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("unknown argument"));
}
