//! Every workspace module, through the real host: it starts, prints and ends
//! by itself; it stops when asked; it never prints a line wider than the
//! terminal; and in a file it writes no escape sequences.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use host_tests::*;

/// Fast enough that the longest session (minutes at speed 1) takes well
/// under a second of sleeping.
const FAST: &str = "2000";

/// One whole session of module `m` at high speed, laid out for 80 columns.
fn one_session(m: &str, seed: &str) -> Command {
    let mut cmd = host();
    cmd.args([
        "-m",
        m,
        "--exit-after-modules",
        "1",
        "-s",
        FAST,
        "--seed",
        seed,
    ])
    .env("COLUMNS", "80");
    cmd
}

fn each_module(mut check: impl FnMut(&str) -> Result<(), String>) {
    let modules = workspace_modules();
    assert!(!modules.is_empty());
    let failures: Vec<String> = modules
        .iter()
        .filter_map(|m| check(m).err().map(|e| format!("{m}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_module_runs_and_ends_by_itself_and_writes_no_escapes_to_a_file() {
    each_module(|m| {
        let (status, written) = run_to_file(&mut one_session(m, "7"), Duration::from_secs(120));
        if !status.success() {
            return Err(format!("exit status {:?}", status.code()));
        }
        let lines = text(&written).lines().count();
        if lines < 5 {
            return Err(format!("printed only {lines} lines:\n{}", text(&written)));
        }
        if written.contains(&0x1b) {
            return Err("escape sequences in a file".into());
        }
        Ok(())
    });
}

#[test]
fn every_module_stops_on_ctrl_c() {
    each_module(|m| {
        let mut child = host()
            .args(["-m", m, "--seed", "11"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        if let Err(e) = stdout.read_exact(&mut first) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("printed nothing: {e}"));
        }
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let reader = std::thread::spawn(move || {
            let mut rest = Vec::new();
            let _ = stdout.read_to_end(&mut rest);
        });
        // A generous bound that only catches a module that ignores the stop.
        for _ in 0..500 {
            if let Some(status) = child.try_wait().unwrap() {
                reader.join().unwrap();
                return match status.code() {
                    Some(130) => Ok(()),
                    other => Err(format!("exit status {other:?} after SIGINT")),
                };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err("still running 5 s after SIGINT".into())
    });
}

/// Splits terminal output into what each screen line shows: a `\r` returns
/// to column one, CSI sequences take no room.
fn visible_segments(output: &str) -> Vec<String> {
    let mut segments = Vec::new();
    for line in output.split('\n') {
        for segment in line.split('\r') {
            let mut visible = String::new();
            let mut chars = segment.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\x1b' {
                    if chars.peek() == Some(&'[') {
                        chars.next();
                        for c in chars.by_ref() {
                            if ('@'..='~').contains(&c) {
                                break;
                            }
                        }
                    }
                    continue;
                }
                visible.push(c);
            }
            segments.push(visible);
        }
    }
    segments
}

#[test]
fn no_module_prints_a_line_wider_than_80_columns() {
    // In a file (COLUMNS=80) ...
    each_module(|m| {
        let out = run(&mut one_session(m, "5"), Duration::from_secs(120));
        if !out.status.success() {
            return Err(text(&out.stderr));
        }
        let wide: Vec<String> = text(&out.stdout)
            .lines()
            .filter(|l| cells(l) > 80)
            .map(str::to_owned)
            .collect();
        if wide.is_empty() {
            Ok(())
        } else {
            Err(format!("lines wider than 80:\n{}", wide.join("\n")))
        }
    });
}

#[test]
fn no_module_wraps_on_an_80_column_terminal() {
    // ... and on a real terminal of 80 columns, where redraws happen.
    each_module(|m| {
        let host = host_bin();
        let cmd = format!(
            "stty cols 80 rows 24; HOME=/nonexistent {} -m {m} --exit-after-modules 1 -s {FAST} --seed 5",
            host.display()
        );
        let out = run(
            Command::new("script")
                .args(["-qec", &cmd, "/dev/null"])
                .env_remove("HOST_MODULE_PATH"),
            Duration::from_secs(120),
        );
        if !out.status.success() {
            return Err(format!(
                "exit {:?}: {}",
                out.status.code(),
                text(&out.stderr)
            ));
        }
        let screen = text(&out.stdout);
        let wide: Vec<String> = visible_segments(&screen)
            .into_iter()
            .filter(|l| cells(l) > 80)
            .collect();
        if wide.is_empty() {
            Ok(())
        } else {
            Err(format!("wrapped lines:\n{}", wide.join("\n")))
        }
    });
}
