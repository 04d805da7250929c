//! The headline module through the real host: every phase appears, in order,
//! the run ends by itself, and the numbers on screen agree with each other.

use std::time::Duration;

use host_tests::*;

fn session(seed: &str, extra: &[&str]) -> String {
    let out = run(
        host()
            .args([
                "-m",
                "llm_training",
                "--exit-after-modules",
                "1",
                "-s",
                "1000",
                "--seed",
                seed,
            ])
            .args(extra)
            .env("COLUMNS", "80"),
        Duration::from_secs(120),
    );
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The number after `key` on `line` (up to the next space, `|` or `,`).
fn number_after(line: &str, key: &str) -> Option<f64> {
    let rest = &line[line.find(key)? + key.len()..];
    let token: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    token.parse().ok()
}

#[test]
fn every_phase_appears_in_order_and_the_run_ends_by_itself() {
    for seed in ["1", "2", "3"] {
        let out = session(seed, &[]);
        let phases = [
            "$ torchrun --nnodes",
            "[launch] environment:",
            " > number of parameters:",
            "tokenizer.json: 100%|",
            "> building train, validation, and test datasets",
            "> parallel layout: TP",
            "> initializing torch distributed ...",
            "Init COMPLETE",
            "> all GPUs present:",
            " iteration ",
            "GPUs @ iteration",
            " > evaluating on the validation set at iteration",
            " validation loss at iteration",
            "saving checkpoint at iteration",
            "successfully saved checkpoint from iteration",
            "Hugging Face safetensors",
            "Training complete",
        ];
        let mut from = 0;
        for phase in phases {
            let at = out[from..]
                .find(phase)
                .unwrap_or_else(|| panic!("seed {seed}: {phase:?} missing or out of order"));
            from += at;
        }
        // On a file, the training bar is appended rather than redrawn.
        assert!(
            out.contains("train "),
            "seed {seed}: no training progress bar"
        );
    }
}

#[test]
fn printed_numbers_agree_with_each_other() {
    for seed in ["4", "5", "6", "7"] {
        let out = session(seed, &[]);
        for line in out.lines() {
            // Validation: PPL = exp(loss) to the printed precision.
            if line.contains("lm loss value:") {
                let loss = number_after(line, "lm loss value:").unwrap();
                let ppl = number_after(line, "lm loss PPL:").unwrap();
                assert!((ppl / loss.exp() - 1.0).abs() < 1e-5, "seed {seed}: {line}");
                assert!(
                    (1.5..12.5).contains(&loss),
                    "seed {seed}: implausible loss: {line}"
                );
            }
            // Progress lines: ppl = exp(loss) at four decimals.
            if line.contains("| loss ") && line.contains("| ppl ") {
                let loss = number_after(line, "| loss ").unwrap();
                let ppl = number_after(line, "| ppl ").unwrap();
                assert!(
                    (ppl - loss.exp()).abs() <= 0.006 * ppl.max(1.0),
                    "seed {seed}: {line}"
                );
            }
            // Checkpoints: size = parameters x bytes per parameter.
            if line.contains(" GB = ") && line.contains(" params x ") {
                let gb = number_after(line, "").unwrap();
                let params = number_after(line, "= ").unwrap();
                let bytes = number_after(line, "params x ").unwrap();
                let unit = if line.contains("B params") { 1e9 } else { 1e6 };
                let expected = params * unit * bytes / 1e9;
                assert!((gb / expected - 1.0).abs() < 0.01, "seed {seed}: {line}");
            }
        }
        // The summary names the model that was built at launch.
        let built = out
            .lines()
            .find(|l| l.starts_with("> building ") && l.contains(" model"))
            .unwrap();
        let model = built
            .trim_start_matches("> building ")
            .split(' ')
            .next()
            .unwrap();
        let summary = out
            .lines()
            .find(|l| l.trim_start().starts_with("model "))
            .unwrap();
        assert!(
            summary.contains(model),
            "seed {seed}: trained {model}, summary says {summary}"
        );
    }
}

#[test]
fn options_change_the_cluster_and_bad_ones_are_refused() {
    let out = session(
        "8",
        &[
            "--set",
            "llm_training.nodes=2",
            "--set",
            "llm_training.gpu=A100",
        ],
    );
    assert!(out.contains("16 GPUs"), "2 nodes x 8 GPUs");
    assert!(out.contains("A100"), "the GPU model is shown");
    assert!(!out.contains("H100"), "no H100 in an A100 run");

    let refused = run(
        host().args([
            "-m",
            "llm_training",
            "--set",
            "llm_training.nodes=1",
            "--set",
            "llm_training.gpus_per_node=1",
            "--set",
            "llm_training.model=70b",
            "--set",
            "llm_training.gpu=A100",
        ]),
        Duration::from_secs(60),
    );
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(
        err.contains("module `llm_training` refused to start"),
        "{err}"
    );
    assert!(err.contains("model"), "the reason names the option: {err}");
}
