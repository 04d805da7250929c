//! Support for the integration tests: build the real host and modules, build
//! fixture libraries into temporary directories, and run the host in an
//! environment that only sees what a test puts there.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

/// Builds the host and every workspace module once per test binary (a no-op
/// when `cargo test` already built them), and returns the directory holding
/// `host` and the module libraries.
pub fn build_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet"])
            .current_dir(root())
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build of the host and modules failed"
        );
        target_dir().join("debug")
    })
}

/// Path of the freshly built host.
pub fn host_bin() -> PathBuf {
    build_dir().join("host")
}

/// Path of a workspace module's library, e.g. `module_lib("cargo")`.
pub fn module_lib(name: &str) -> PathBuf {
    build_dir().join(format!("lib{name}{}", std::env::consts::DLL_SUFFIX))
}

/// Names of every workspace module (one crate per directory in `modules/`).
pub fn workspace_modules() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("modules"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A `host` command that sees the workspace modules (beside the binary) and
/// whatever directories a test adds: no user data dir, no
/// `$HOST_MODULE_PATH`, no colour forcing, no `COLUMNS`.
pub fn host() -> Command {
    command(&host_bin())
}

/// A `host` command that sees no module except those in `dir`: it runs a
/// copy of the host placed in an empty directory, so the workspace's modules
/// beside the real binary are out of its search path.
pub fn isolated_host(dir: &Path) -> Command {
    static ALONE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let alone = ALONE.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::fs::copy(host_bin(), d.path().join("host")).unwrap();
        d
    });
    let mut cmd = command(&alone.path().join("host"));
    cmd.env("HOST_MODULE_PATH", dir);
    cmd
}

fn command(program: &Path) -> Command {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    let home = HOME.get_or_init(|| tempfile::tempdir().unwrap());
    let mut cmd = Command::new(program);
    cmd.env_remove("HOST_MODULE_PATH")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("share"))
        .stdin(Stdio::null());
    cmd
}

/// A fresh directory with safe permissions (0755) for module files.
pub fn module_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// Compiles `tests/fixtures/c_module.c` with `defines` into `dir/lib<stem>.so`,
/// against today's header.
pub fn build_c_module(dir: &Path, stem: &str, defines: &[&str]) -> PathBuf {
    build_c_module_against(&root().join("plugin-api/include"), dir, stem, defines)
}

/// Same, against the `host_plugin.h` in `include` (e.g. an older release's).
pub fn build_c_module_against(include: &Path, dir: &Path, stem: &str, defines: &[&str]) -> PathBuf {
    let out = dir.join(format!("lib{stem}{}", std::env::consts::DLL_SUFFIX));
    let mut cc = Command::new(c_compiler());
    cc.args([
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-shared",
        "-fPIC",
        "-fvisibility=hidden",
        "-o",
    ])
    .arg(&out)
    .arg("-I")
    .arg(include)
    .arg(root().join("tests/fixtures/c_module.c"));
    for d in defines {
        cc.arg(format!("-D{d}"));
    }
    let result = cc.output().expect("run the C compiler");
    assert!(
        result.status.success(),
        "C fixture {stem} failed to compile:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

/// The C compiler: `$CC`, else `cc`.
pub fn c_compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_owned())
}

/// Builds the panicking Rust fixture (its own workspace) into
/// `target/fixtures`, never next to the host, and copies it into `dir`.
pub fn build_panicky(dir: &Path) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let manifest = root().join("tests/fixtures/rust-panicky/Cargo.toml");
        let target = target_dir().join("fixtures");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .status()
            .expect("run cargo build for the fixture");
        assert!(status.success(), "building the panicking fixture failed");
        target
            .join("debug")
            .join(format!("libpanicky{}", std::env::consts::DLL_SUFFIX))
    });
    let dest = dir.join(built.file_name().unwrap());
    std::fs::copy(built, &dest).unwrap();
    dest
}

/// Runs `cmd` to completion with a safety timeout (a hung host fails the test
/// instead of hanging CI).
pub fn run(cmd: &mut Command, timeout: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start host");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || read_all(stdout));
    let err_thread = std::thread::spawn(move || read_all(stderr));
    let status = wait_or_kill(&mut child, timeout, cmd);
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

/// Runs `cmd` with stdout redirected to a real file (not a pipe), as
/// `host > file` does; returns the status and what the file holds.
pub fn run_to_file(cmd: &mut Command, timeout: Duration) -> (std::process::ExitStatus, Vec<u8>) {
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdout(file.reopen().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start host");
    let status = wait_or_kill(&mut child, timeout, cmd);
    (status, std::fs::read(file.path()).unwrap())
}

/// Waits for `child`; a hung host is killed and fails the test instead of
/// hanging CI.
fn wait_or_kill(
    child: &mut std::process::Child,
    timeout: Duration,
    cmd: &Command,
) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("host did not finish within {timeout:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn read_all(mut r: impl std::io::Read) -> Vec<u8> {
    let mut v = Vec::new();
    let _ = r.read_to_end(&mut v);
    v
}

/// Text of a stream.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Display width of a line in terminal cells (what wrapping depends on).
pub fn cells(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line)
}
