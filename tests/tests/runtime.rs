//! Running modules: limits, signals, pipes, files, seeds and options.

use std::process::{Command, Stdio};
use std::time::Duration;

use host_tests::*;

const T: Duration = Duration::from_secs(60);

/// A directory holding only the C module (fast, predictable output).
fn c_dir() -> tempfile::TempDir {
    let dir = module_dir();
    build_c_module(dir.path(), "c_check", &[]);
    dir
}

#[test]
fn exit_after_modules_counts_finished_sessions() {
    let dir = c_dir();
    let out = run(
        isolated_host(dir.path()).args(["--exit-after-modules", "3", "-s", "1000"]),
        T,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("# TOTAL: 10").count(), 3);
}

#[test]
fn exit_after_time_stops_a_module_in_the_middle() {
    // One cargo session at speed 1 takes minutes; the limit ends it early.
    let out = run(
        host().args(["-m", "cargo", "--exit-after-time", "1s"]),
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Updating crates.io index"), "{stdout}");
    assert!(
        !stdout.contains("Finished"),
        "the session should have been cut short:\n{stdout}"
    );
    assert!(stdout.ends_with('\n'), "the last line must be ended");
}

#[test]
fn output_to_a_file_has_no_escape_sequences_and_colour_can_be_forced() {
    let dir = c_dir();
    let args = ["--exit-after-modules", "1", "-s", "1000", "--seed", "3"];
    let plain = run(isolated_host(dir.path()).args(args), T);
    assert!(plain.status.success());
    assert!(
        !plain.stdout.contains(&0x1b),
        "escape sequences in a pipe:\n{}",
        text(&plain.stdout)
    );

    let forced = run(
        isolated_host(dir.path())
            .args(args)
            .env("CLICOLOR_FORCE", "1"),
        T,
    );
    assert!(
        text(&forced.stdout).contains("\x1b[1;32mPASS\x1b[0m"),
        "{:?}",
        text(&forced.stdout)
    );
    let always = run(
        isolated_host(dir.path())
            .args(args)
            .args(["--color", "always"]),
        T,
    );
    assert_eq!(always.stdout, forced.stdout);
    let no_color = run(
        isolated_host(dir.path())
            .args(args)
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1"),
        T,
    );
    assert_eq!(
        no_color.stdout, plain.stdout,
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_zero() {
    let mut child = host()
        .args(["-m", "cargo", "-s", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout); // like `host | head -c 64`
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

#[test]
fn the_same_seed_gives_the_same_modules_and_output() {
    let run_seeded = |seed: &str| {
        let out = run(
            host()
                .args(["--seed", seed, "--exit-after-modules", "3", "-s", "100000"])
                .env("COLUMNS", "100"),
            Duration::from_secs(120),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        out.stdout
    };
    let a = run_seeded("42");
    assert!(!a.is_empty());
    assert_eq!(text(&a), text(&run_seeded("42")));
    assert_ne!(text(&a), text(&run_seeded("43")));
}

fn signal_exit(signal: &str) -> (Option<i32>, String) {
    let dir = c_dir();
    let mut child = isolated_host(dir.path())
        .args(["--set", "c_check.tests=1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap(); // it is running
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    let mut all = first.to_vec();
    all.extend(rest);
    (status.code(), text(&all))
}

#[test]
fn signals_stop_the_module_and_exit_with_128_plus_the_signal() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143), ("-HUP", 129)] {
        let (status, stdout) = signal_exit(signal);
        assert_eq!(status, Some(code), "{signal}");
        assert!(
            stdout.ends_with('\n'),
            "{signal}: the line was not ended: {stdout:?}"
        );
        assert!(
            !stdout.contains("# TOTAL"),
            "{signal}: the session should not have finished"
        );
    }
}

#[test]
fn bad_options_are_refused_before_anything_runs() {
    let cases = [
        (
            vec!["--set", "cargo.profile=fast"],
            "`--set cargo.profile=fast`: `fast` is not one of release, dev",
        ),
        (
            vec!["--set", "cargo.profle=dev"],
            "module `cargo` has no option `profle`; did you mean `profile`?",
        ),
        (
            vec!["--set", "carg.profile=dev"],
            "there is no module `carg`; did you mean `cargo`?",
        ),
        (vec!["--set", "profile=dev"], "names no module"),
        (vec!["--speed-factor", "0"], "must be a positive number"),
        (vec!["--exit-after-time", "soon"], "try 90s, 15m or 1h30m"),
        (vec!["--exit-after-modules", "0"], "--exit-after-modules"),
        (vec!["--color", "sometimes"], "--color"),
        (
            vec!["--module-path", "/no/such/dir"],
            "--module-path /no/such/dir: no such file or directory",
        ),
        (
            vec!["--module-path", "/etc/passwd"],
            "--module-path /etc/passwd: it is not a directory",
        ),
    ];
    for (args, expected) in cases {
        let out = run(host().args(&args).args(["-m", "cargo"]), T);
        assert_eq!(
            out.status.code(),
            Some(if matches!(args[0], "--set" | "--module-path") {
                1
            } else {
                2
            }),
            "{args:?}"
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed activity: {}",
            text(&out.stdout)
        );
        let err = text(&out.stderr);
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in:\n{err}"
        );
    }
}

#[test]
fn instant_lines_and_speed_keep_the_simulated_clock_consistent() {
    // The C module prints the simulated clock in its summary: it must not
    // depend on how fast the host actually ran.
    let dir = c_dir();
    let summary = |extra: &[&str]| {
        let out = run(
            isolated_host(dir.path())
                .args(["--exit-after-modules", "1", "--seed", "9"])
                .args(extra),
            T,
        );
        assert!(out.status.success());
        text(&out.stdout).lines().last().unwrap().to_owned()
    };
    let fast = summary(&["-s", "1000"]);
    assert!(fast.starts_with("# TOTAL: 10"), "{fast}");
    assert_eq!(fast, summary(&["-s", "500", "-i", "100"]));
}

#[test]
fn help_completions_and_manpage_are_available() {
    let help = run(host().arg("--help"), T);
    let help = text(&help.stdout);
    for flag in [
        "--module",
        "--list",
        "--speed-factor",
        "--instant-print-lines",
        "--exit-after-time",
        "--exit-after-modules",
        "--seed",
        "--module-path",
        "--set",
        "--color",
        "--print-completions",
        "--print-manpage",
        "--check",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    assert!(help.contains("~/.local/share/host/modules"));
    let bash = run(host().args(["--print-completions", "bash"]), T);
    assert!(text(&bash.stdout).contains("complete -F"));
    let man = run(host().arg("--print-manpage"), T);
    assert!(text(&man.stdout).contains(".TH host"));
    let version = run(host().arg("-V"), T);
    assert!(text(&version.stdout).starts_with("host "));
    // The aliases users of genact know.
    assert!(run(host().arg("--list-modules"), T).status.success());
    let modules = run(
        host().args(["--modules", "cargo", "--exit-after-time", "200ms"]),
        T,
    );
    assert!(modules.status.success());
}

#[test]
fn a_second_ctrl_c_ends_a_module_that_ignores_the_first() {
    let dir = module_dir();
    build_c_module(
        dir.path(),
        "stuck",
        &["IGNORES_STOP", "MODULE_NAME=\"stuck\""],
    );
    let mut child = isolated_host(dir.path())
        .args(["-m", "stuck"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 11];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    assert_eq!(&first, b"still busy\n");
    let pid = child.id().to_string();
    let interrupt = || {
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        )
    };
    interrupt();
    // The module keeps printing: the first request was ignored.
    let mut more = [0u8; 11];
    std::io::Read::read_exact(&mut stdout, &mut more).unwrap();
    interrupt();
    let reader =
        std::thread::spawn(move || std::io::Read::read_to_end(&mut stdout, &mut Vec::new()));
    for _ in 0..500 {
        if let Some(status) = child.try_wait().unwrap() {
            reader.join().unwrap().unwrap();
            assert_eq!(status.code(), Some(130));
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the host did not exit on the second Ctrl-C");
}

#[test]
fn printing_into_a_closed_pipe_is_quiet_for_every_command() {
    for args in [
        &["--print-completions", "bash"][..],
        &["--print-manpage"][..],
        &["--list"][..],
        &["--help"][..],
        &["-m", "cargo"][..],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // every write fails with EPIPE, as after `| head` exits
        let out = run_with_stdout(host().args(args), writer);
        assert_eq!(out.0.code(), Some(0), "{args:?}: {}", out.1);
        assert!(out.1.is_empty(), "{args:?} wrote to stderr: {}", out.1);
    }
    let dir = c_dir();
    let lib = dir.path().join("libc_check.so");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = run_with_stdout(host().arg("--check").arg(&lib), writer);
    assert!(out.1.is_empty(), "--check wrote to stderr: {}", out.1);
}

/// Runs `cmd` with `stdout` as its standard output; status and stderr.
fn run_with_stdout(
    cmd: &mut Command,
    stdout: impl Into<Stdio>,
) -> (std::process::ExitStatus, String) {
    let child = cmd.stdout(stdout).stderr(Stdio::piped()).spawn().unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status, text(&out.stderr))
}
