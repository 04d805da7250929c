//! Hours on a screen, compressed: repeated loading in one process and a soak
//! run over every module must not grow, hang or fail.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use host::discovery::{self, Origin};
use host_tests::*;

/// Anonymous resident memory (heap, stacks) of a process, in KiB, from
/// /proc. File-backed pages are left out on purpose: they grow as each
/// module's code is paged in on its first session, which is not a leak.
fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn mapped_objects() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .count()
}

#[test]
fn loading_every_module_and_the_bad_corpus_a_thousand_times_does_not_leak() {
    let bad = module_dir();
    std::fs::write(bad.path().join("libempty.so"), b"").unwrap();
    build_c_module(bad.path(), "noentry", &["NO_ENTRY"]);
    build_c_module(bad.path(), "major2", &["OTHER_MAJOR"]);
    build_c_module(bad.path(), "c_check", &[]);
    let dirs: Vec<(PathBuf, Origin)> = vec![
        (build_dir().to_path_buf(), Origin::Flag),
        (bad.path().to_path_buf(), Origin::Flag),
    ];

    let first = discovery::discover(&dirs);
    let expected = workspace_modules().len() + 1;
    assert_eq!(
        first.modules.len(),
        expected,
        "failures: {:?}",
        first.failures
    );
    assert_eq!(first.failures.len(), 3);
    // Warm up allocator pools, then measure.
    for _ in 0..50 {
        discovery::discover(&dirs);
    }
    let (rss_before, maps_before) = (rss_kib("self").unwrap(), mapped_objects());
    for _ in 0..1000 {
        let again = discovery::discover(&dirs);
        assert_eq!(again.modules.len(), expected);
        assert_eq!(again.failures.len(), 3);
    }
    let (rss_after, maps_after) = (rss_kib("self").unwrap(), mapped_objects());
    // Libraries stay loaded once: no new mappings.
    assert_eq!(maps_after, maps_before, "the loader mapped new objects");
    // A leak of even a few hundred bytes per load would show as megabytes.
    assert!(
        rss_after <= rss_before + 2048,
        "resident memory grew from {rss_before} KiB to {rss_after} KiB over 1000 loads"
    );
}

#[test]
fn a_soak_run_over_every_module_does_not_grow_or_fail() {
    let mut child = host()
        .args(["--seed", "2024", "-s", "300", "--exit-after-time", "24s"])
        .env("COLUMNS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut samples = Vec::new();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Some(rss) = rss_kib(&pid) {
            samples.push(rss);
        }
        assert!(
            samples.len() < 600,
            "the soak run did not end by its time limit"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "exit {:?}: {stderr}", status.code());
    assert!(stderr.is_empty(), "errors during the soak run:\n{stderr}");
    assert!(samples.len() > 100, "too few samples: {}", samples.len());
    // After the first sessions (every library loaded, buffers at their
    // working size) memory must stay flat.
    let settled = samples.len() / 4;
    let early = *samples[..settled].iter().max().unwrap();
    let late = *samples[samples.len() - settled..].iter().max().unwrap();
    assert!(
        late <= early + 4096,
        "resident memory grew from {early} KiB to {late} KiB"
    );
}
