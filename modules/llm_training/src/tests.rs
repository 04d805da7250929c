//! The reference's invariants, checked over many seeds and clusters,
//! extremes included, on the same records and strings the printer uses.

use plugin_api::Options;

use crate::config::{MODEL_CLASSES, Plan, models};
use crate::format::{self, parse_si};
use crate::render::{gpu_grid, init_complete_line, line_width};
use crate::sim::{self, Activity, Health, StepRecord};

fn plan(seed: u64, pairs: &[(&str, &str)]) -> Result<Plan, String> {
    Plan::from_options(seed, &Options::from_pairs(pairs.iter().copied()))
}

/// Clusters the tests run: the default, each GPU model, 1 and 128 nodes,
/// odd node shapes, explicit sizes and lengths.
const CONFIGS: &[&[(&str, &str)]] = &[
    &[],
    &[("gpu", "A100")],
    &[("gpu", "H200")],
    &[("gpu", "B200")],
    &[("nodes", "1")],
    &[("nodes", "128")],
    &[("nodes", "1"), ("gpu", "A100")],
    &[("nodes", "128"), ("gpu", "B200")],
    &[("nodes", "1"), ("gpus_per_node", "1")],
    &[("nodes", "3"), ("gpus_per_node", "4")],
    &[("nodes", "16"), ("model", "7b")],
    &[("nodes", "64"), ("model", "70b"), ("gpu", "H200")],
    &[("model", "1b"), ("steps", "300")],
    &[("steps", "97")],
    &[("nodes", "2"), ("gpu", "A100"), ("model", "350m")],
];

/// 200 (seed, config) pairs: every config, many seeds each; built once and
/// shared by the tests.
fn cases() -> &'static [(u64, Plan, Vec<StepRecord>)] {
    static CASES: std::sync::OnceLock<Vec<(u64, Plan, Vec<StepRecord>)>> =
        std::sync::OnceLock::new();
    CASES.get_or_init(build_cases)
}

fn build_cases() -> Vec<(u64, Plan, Vec<StepRecord>)> {
    (0..200u64)
        .map(|seed| {
            let cfg = CONFIGS[seed as usize % CONFIGS.len()];
            let p =
                plan(seed * 7919 + 3, cfg).unwrap_or_else(|e| panic!("{cfg:?} seed {seed}: {e}"));
            let r = sim::simulate(&p);
            (seed, p, r)
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// The text after `key` in `line`, up to the next ` |`.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let start = line
        .find(key)
        .unwrap_or_else(|| panic!("{key:?} missing in {line:?}"))
        + key.len();
    let rest = &line[start..];
    rest[..rest.find(" |").unwrap_or(rest.len())].trim()
}

#[test]
fn options_are_checked_with_clear_errors() {
    let err = |pairs: &[(&str, &str)]| plan(1, pairs).expect_err("must be refused");
    assert!(err(&[("gpu", "V100")]).contains("option `gpu`"));
    assert!(err(&[("nodes", "0")]).contains("option `nodes`"));
    assert!(err(&[("nodes", "129")]).contains("option `nodes`"));
    assert!(err(&[("nodes", "eight")]).contains("option `nodes`"));
    assert!(err(&[("gpus_per_node", "9")]).contains("option `gpus_per_node`"));
    assert!(err(&[("model", "175b")]).contains("option `model`"));
    assert!(err(&[("steps", "lots")]).contains("option `steps`"));
    assert!(err(&[("steps", "5")]).contains("option `steps`"));
    // A 70B model cannot train on one node of A100s: named option and reason.
    let e = err(&[("nodes", "1"), ("gpu", "A100"), ("model", "70b")]);
    assert!(e.contains("option `model`") && e.contains("fit"), "{e}");
    // A 1B model on 1024 GPUs makes no sense either.
    let e = err(&[("nodes", "128"), ("model", "1b")]);
    assert!(
        e.contains("option `model`") && e.contains("too small"),
        "{e}"
    );
}

#[test]
fn extremes_build() {
    for gpu in ["A100", "H100", "H200", "B200"] {
        for nodes in ["1", "128"] {
            let p = plan(5, &[("gpu", gpu), ("nodes", nodes)]).unwrap();
            assert_eq!(p.world(), nodes.parse::<u32>().unwrap() * 8);
        }
    }
    // Defaults: 64 H100 across 8 nodes, a ~1B model.
    for seed in 0..40 {
        let p = plan(seed, &[]).unwrap();
        assert_eq!((p.nodes, p.gpn, p.gpu.key), (8, 8, "H100"));
        assert_eq!(p.model.class, "1b", "seed {seed}: {}", p.model.name);
    }
}

#[test]
fn data_files_parse_and_architectures_are_sound() {
    for m in models() {
        assert!(MODEL_CLASSES.contains(&m.class), "{}", m.name);
        assert_eq!(m.hidden % m.heads, 0, "{}: heads divide hidden", m.name);
        assert_eq!(m.heads % m.kv_heads, 0, "{}: kv heads divide heads", m.name);
    }
    // Llama-3.2-1B: 1,235,814,400 parameters, as its model card says.
    let llama = models()
        .into_iter()
        .find(|m| m.name == "Llama-3.2-1B")
        .unwrap();
    assert_eq!(sim::params(&llama), 1_235_814_400);
    let llama2 = models()
        .into_iter()
        .find(|m| m.name == "Llama-2-7B")
        .unwrap();
    assert_eq!(sim::params(&llama2), 6_738_415_616);
}

#[test]
fn parallel_layout_multiplies_out() {
    for (_, p, _) in cases() {
        let l = p.layout;
        assert_eq!(l.tp * l.pp * l.dp, p.world());
        assert_eq!(
            p.global_batch(),
            l.micro as u64 * l.dp as u64 * l.accum as u64
        );
        assert_eq!(p.batch_tokens(), p.global_batch() * p.seq() as u64);
        assert_eq!(p.model.heads % l.tp, 0);
        assert_eq!(p.gpn % l.tp, 0);
    }
}

#[test]
fn perplexity_is_exp_loss_to_printed_precision() {
    let check = |loss: &str, ppl: &str| {
        let expected = num(loss).exp();
        let decimals = ppl.split('.').nth(1).map_or(0, str::len);
        let tolerance = 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9;
        assert!(
            (num(ppl) - expected).abs() <= tolerance,
            "ppl {ppl} vs e^{loss} = {expected}"
        );
    };
    for (_, p, records) in cases() {
        for r in records.iter().step_by(7) {
            check(&format::loss(r.loss), &format::ppl(r.loss));
        }
        for s in sim::validation_steps(p) {
            let v = sim::validation(p, records, s);
            check(&format::loss(v.loss), &format::ppl(v.loss));
            let wide = format::validation_line(s, v.loss, 200);
            let loss = field(&wide, "lm loss value:");
            let ppl = field(&wide, "lm loss PPL:");
            let rel = (num(ppl) / num(loss).exp() - 1.0).abs();
            assert!(rel < 5e-7, "{wide}");
            let narrow = format::validation_line(s, v.loss, 79);
            assert!(narrow.len() <= 79, "{narrow}");
            check(field(&narrow, "lm loss:"), field(&narrow, "PPL:"));
        }
    }
}

#[test]
fn megatron_line_numbers_agree() {
    for (_, p, records) in cases().iter().step_by(3) {
        for r in records.iter().step_by(11) {
            let line = format::megatron_line(p, r, "2026-03-14 09:21:33", 400);
            let consumed: u64 = field(&line, "consumed samples:").parse().unwrap();
            assert_eq!(consumed, r.step as u64 * p.global_batch());
            assert_eq!(r.tokens_seen, consumed * p.seq() as u64);
            let gb: u64 = field(&line, "global batch size:").parse().unwrap();
            assert_eq!(gb, p.global_batch());
            let ms = num(field(&line, "elapsed time per iteration (ms):"));
            let tflops = num(field(&line, "throughput per GPU (TFLOP/s/GPU):"));
            // Throughput x time per iteration is the work of one step.
            let work =
                p.batch_tokens() as f64 / p.world() as f64 * sim::flops_per_token(&p.model) / 1e12;
            assert!((tflops * ms / 1000.0 / work - 1.0).abs() < 0.002, "{line}");
            let lr = num(field(&line, "learning rate:"));
            assert!((lr / sim::lr(p, r.step) - 1.0).abs() < 1e-6);
            assert!((num(field(&line, "lm loss:")) - r.loss).abs() < 1e-5);
            for w in [79, 119, 159] {
                let narrow = format::megatron_line(p, r, "2026-03-14 09:21:33", w);
                assert!(narrow.chars().count() <= w, "{narrow}");
                assert!(
                    narrow.contains("iteration") && narrow.contains("lm loss"),
                    "{narrow}"
                );
            }
        }
    }
}

#[test]
fn learning_rate_follows_warmup_and_cosine_exactly() {
    for (_, p, records) in cases().iter().step_by(5) {
        for r in records.iter() {
            let s = r.step as f64;
            let expected = if r.step <= p.warmup {
                p.peak_lr * s / p.warmup as f64
            } else {
                let t = (s - p.warmup as f64) / (p.steps - p.warmup) as f64;
                p.min_lr + 0.5 * (p.peak_lr - p.min_lr) * (1.0 + (std::f64::consts::PI * t).cos())
            };
            assert!(
                (r.lr - expected).abs() <= 1e-15 * p.peak_lr.max(1.0),
                "step {}",
                r.step
            );
        }
        assert!((records[p.warmup as usize - 1].lr - p.peak_lr).abs() < 1e-12);
        assert!((records.last().unwrap().lr - 0.1 * p.peak_lr).abs() < 1e-12);
    }
}

#[test]
fn throughput_time_and_rates_agree() {
    for (_, p, records) in cases() {
        let f = sim::flops_per_token(&p.model);
        for r in records.iter().step_by(3) {
            let t = r.time_ms as f64 / 1000.0;
            assert!((r.tokens_per_s * t / p.batch_tokens() as f64 - 1.0).abs() < 1e-9);
            assert!((r.tokens_per_s_gpu * p.world() as f64 / r.tokens_per_s - 1.0).abs() < 1e-9);
            assert!((r.samples_per_s * t / p.global_batch() as f64 - 1.0).abs() < 1e-9);
            assert!((r.tflops_gpu / (r.tokens_per_s_gpu * f / 1e12) - 1.0).abs() < 1e-9);
            assert!((r.mfu * p.gpu.peak_tflops / r.tflops_gpu - 1.0).abs() < 1e-9);
            // The printed strings agree within 1 %.
            let tok = parse_si(&format::si(r.tokens_per_s)).unwrap();
            assert!((tok * t / p.batch_tokens() as f64 - 1.0).abs() < 0.01);
            let samples = parse_si(&format::si(r.samples_per_s)).unwrap();
            assert!((samples * t / p.global_batch() as f64 - 1.0).abs() < 0.01);
            if r.stalled_ms == 0 {
                assert!(
                    (0.25..=0.60).contains(&r.mfu),
                    "MFU {} at step {}",
                    r.mfu,
                    r.step
                );
            }
        }
    }
}

#[test]
fn eta_and_elapsed_agree_with_step_times() {
    for (_, p, records) in cases().iter().step_by(4) {
        let mut elapsed = 0u64;
        for r in records.iter() {
            elapsed += r.time_ms;
            let remaining = (p.steps - r.step) as f64;
            let eta = sim::eta_seconds(records, r.step);
            let recent = sim::recent_step_seconds(records, r.step);
            assert!((eta - remaining * recent).abs() < 1e-6);
            // Away from events, the recent step time is the step time (5 %).
            let quiet = records[(r.step as usize).saturating_sub(10)..r.step as usize]
                .iter()
                .all(|x| x.stalled_ms == 0 && !x.throttled);
            if quiet && r.step >= 10 {
                assert!(
                    (recent / (r.time_ms as f64 / 1000.0) - 1.0).abs() < 0.05,
                    "step {}",
                    r.step
                );
            }
        }
        let total: u64 = records.iter().map(|r| r.time_ms).sum();
        assert_eq!(elapsed, total);
    }
}

#[test]
fn loss_starts_at_ln_vocab_falls_and_stays_plausible() {
    for (seed, p, records) in cases() {
        let ln_v = (p.model.vocab as f64).ln();
        assert!(
            (records[0].loss - ln_v).abs() < 0.45,
            "seed {seed}: first loss {} vs ln V {ln_v}",
            records[0].loss
        );
        // The noise-free curve never rises.
        for w in records.windows(2) {
            assert!(w[1].backbone <= w[0].backbone + 1e-12);
        }
        // Block averages never rise outside a flagged spike.
        let block = 20;
        let means: Vec<(f64, bool)> = records
            .chunks(block)
            .filter(|c| c.len() == block)
            .map(|c| {
                (
                    c.iter().map(|r| r.loss).sum::<f64>() / block as f64,
                    c.iter().any(|r| r.in_spike),
                )
            })
            .collect();
        for w in means.windows(2) {
            if !w[0].1 && !w[1].1 {
                assert!(
                    w[1].0 <= w[0].0 + 0.06,
                    "seed {seed}: moving average rose {} -> {}",
                    w[0].0,
                    w[1].0
                );
            }
        }
        // It stays noisy and never collapses.
        let diffs: f64 = records
            .windows(2)
            .map(|w| (w[1].loss - w[0].loss).abs())
            .sum();
        assert!(diffs / records.len() as f64 > 0.005);
        assert!(records.iter().all(|r| r.loss > 1.5));
        // The end: above what the tokens seen allow, in a plausible range.
        let last = records.last().unwrap();
        let floor = sim::chinchilla(p.params as f64, last.tokens_seen as f64);
        assert!(
            last.backbone >= floor - 0.05 && last.backbone <= floor + 1.6,
            "seed {seed}: {} vs {floor}",
            last.backbone
        );
        assert!(
            (2.0..8.5).contains(&last.loss),
            "seed {seed}: final {}",
            last.loss
        );
        // A spike comes with its grad-norm spike at the same step.
        if let Some(s) = p.spike {
            let at = &records[s.step as usize - 1];
            let before = &records[s.step as usize - 2];
            assert!(at.in_spike && at.loss > before.loss - 0.3);
            assert!(at.grad_norm > 3.0 * before.grad_norm, "seed {seed}");
        }
        // Grad norm: large at first, small after warmup.
        assert!(records[0].grad_norm > 2.0);
        let after = &records[(p.warmup as usize * 2).min(records.len() - 1)];
        assert!(
            after.in_spike || after.grad_norm < 1.0,
            "seed {seed}: {}",
            after.grad_norm
        );
    }
}

#[test]
fn validation_at_its_interval_close_to_training() {
    for (seed, p, records) in cases() {
        let steps = sim::validation_steps(p);
        assert!(!steps.is_empty());
        assert_eq!(
            *steps.last().unwrap(),
            p.steps,
            "the last step is validated"
        );
        for s in steps {
            assert_eq!(s % p.eval_interval, 0);
            let v = sim::validation(p, records, s);
            let r = &records[s as usize - 1];
            let excess_after = match p.spike {
                Some(sp) if r.in_spike => r.spike_excess * (-1.0 / sp.tau).exp(),
                _ => 0.0,
            };
            let model_loss = r.backbone_after + excess_after;
            assert!(
                v.loss > model_loss - 0.02 && v.loss < model_loss + 0.1,
                "seed {seed}"
            );
            // Against the average of the last 20 training losses, allowing
            // for how far that average lags a curve still falling.
            let window = &records[(s as usize).saturating_sub(20)..s as usize];
            let mean = |f: &dyn Fn(&StepRecord) -> f64| {
                window.iter().map(f).sum::<f64>() / window.len() as f64
            };
            let ma = mean(&|r| r.loss);
            let lag = mean(&|r| r.backbone + r.spike_excess) - model_loss;
            assert!(
                v.loss > ma - lag - 0.1 && v.loss < ma + 0.15 + excess_after,
                "seed {seed}: val {} vs train {ma}",
                v.loss
            );
        }
    }
}

#[test]
fn gpus_stay_within_memory_power_and_temperature_limits() {
    for (seed, p, records) in cases().iter().step_by(3) {
        let cap = p.gpu.mem_mib;
        let mut samples = vec![
            (p.steps / 2, Activity::Training),
            (p.steps / 2, Activity::Validating),
        ];
        samples.push((p.steps, Activity::Saving));
        if let Some(s) = p.straggler {
            samples
                .extend([s.start, s.start + s.ramp, s.end].map(|step| (step, Activity::Training)));
        }
        for &(step, activity) in &samples {
            {
                let states = sim::gpu_snapshot(p, step, activity);
                assert_eq!(states.len() as u32, p.world());
                let (lo, hi) = states.iter().fold((u64::MAX, 0), |(lo, hi), g| {
                    (lo.min(g.mem_mib), hi.max(g.mem_mib))
                });
                assert!(hi <= cap, "seed {seed}: memory {hi} > {cap}");
                let f = hi as f64 / cap as f64;
                assert!(
                    (0.55..=0.97).contains(&f),
                    "seed {seed}: memory at {:.0}%",
                    f * 100.0
                );
                assert!(hi as f64 / lo as f64 <= 1.03, "data-parallel peers differ");
                for g in &states {
                    assert!(g.power as f64 <= p.gpu.power_cap);
                    let throttling = p.straggler.is_some_and(|s| {
                        s.node == g.node && s.local == g.local && s.throttling(step)
                    }) && activity == Activity::Training;
                    assert_eq!(
                        g.health == Health::Throttled,
                        throttling,
                        "seed {seed} step {step}"
                    );
                    if !throttling {
                        assert!((g.temp as f64) < p.gpu.slowdown_c);
                    }
                    // Yellow only on the GPU that is warming up.
                    if g.health == Health::Warm {
                        let s = p.straggler.expect("a warm GPU is the straggler");
                        assert!(s.node == g.node && s.local == g.local && s.warming(step));
                    }
                    if activity == Activity::Saving {
                        assert!(g.util < 10, "utilisation drops while saving");
                    }
                }
            }
        }
        // A throttling GPU slows the whole job.
        if let Some(s) = p.straggler {
            let normal: Vec<u64> = records
                [(s.start as usize).saturating_sub(12)..s.start as usize - 1]
                .iter()
                .filter(|r| r.stalled_ms == 0)
                .map(|r| r.time_ms)
                .collect();
            let slow: Vec<f64> = records[(s.start + s.ramp) as usize - 1..s.end as usize]
                .iter()
                .filter(|r| r.stalled_ms == 0)
                .map(|r| r.time_ms as f64)
                .collect();
            let slow = slow.iter().sum::<f64>() / slow.len() as f64;
            let base = normal.iter().sum::<u64>() as f64 / normal.len() as f64;
            assert!(slow > base * 1.01, "seed {seed}: {slow} vs {base}");
            assert!(records[(s.start + s.ramp) as usize - 1].throttled);
        }
    }
}

#[test]
fn nccl_ranks_are_node_times_gpus_plus_local() {
    for cfg in [
        &[][..],
        &[("nodes", "3"), ("gpus_per_node", "4")][..],
        &[("nodes", "1"), ("gpus_per_node", "1")][..],
    ] {
        let p = plan(9, cfg).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for node in 0..p.nodes {
            for local in 0..p.gpn {
                let line = init_complete_line(&p, node, local, 400);
                let rank = node * p.gpn + local;
                assert!(
                    line.contains(&format!(
                        " rank {rank} nranks {} cudaDev {local} ",
                        p.world()
                    )),
                    "{line}"
                );
                let narrow = init_complete_line(&p, node, local, 79);
                assert!(narrow.chars().count() <= 79, "{narrow}");
                assert!(
                    narrow.contains(&format!(" rank {rank} nranks {} ", p.world())),
                    "{narrow}"
                );
                assert!(
                    narrow.ends_with("Init COMPLETE")
                        && narrow.contains(&format!(" [{local}] NCCL INFO "))
                );
                assert!(line.starts_with(&format!("{}:", p.hosts[node as usize])));
                assert!(
                    line.contains(&"] NCCL INFO".to_string())
                        && line.contains(&format!(" [{local}] "))
                );
                assert!(line.ends_with("Init COMPLETE"));
                seen.insert(rank);
            }
        }
        assert_eq!(seen.len() as u32, p.world());
    }
}

#[test]
fn init_complete_fits_80_columns_on_every_cluster() {
    for seed in 0..60 {
        let p = plan(seed, &[("nodes", "128"), ("gpu", "B200")]).unwrap();
        for (node, local) in [(0, 0), (127, 7)] {
            let line = init_complete_line(&p, node, local, 79);
            assert!(
                line.chars().count() <= 79 && line.ends_with("- Init COMPLETE"),
                "{line}"
            );
        }
    }
}

#[test]
fn nccl_collective_logging_only_when_enabled() {
    for (_, p, _) in cases() {
        assert_eq!(p.nccl_coll(), p.nccl_subsys.contains("COLL"));
    }
}

#[test]
fn checkpoints_and_exports_have_the_right_sizes() {
    for (_, p, _) in cases() {
        let steps = sim::checkpoint_steps(p);
        assert_eq!(*steps.last().unwrap(), p.steps);
        for s in steps {
            assert_eq!(s % p.save_interval, 0);
            let c = sim::checkpoint(p, s);
            assert_eq!(c.bytes, p.params * 14);
            assert!(c.dir.ends_with(&format!("/iter_{s:07}")));
            assert!((c.seconds - c.bytes as f64 / (c.gbps * 1e9)).abs() < 1e-9);
            assert!((1.0..=22.0).contains(&c.gbps));
        }
        let weights = p.params * 2;
        let shards = sim::hf_shards(weights);
        assert_eq!(shards.len() as u64, weights.div_ceil(5_000_000_000));
        assert_eq!(shards.iter().sum::<u64>(), weights);
        assert!(shards.iter().all(|&b| b > 0 && b <= 5_000_000_000));
    }
    for bytes in [
        1,
        4_999_999_999,
        5_000_000_000,
        5_000_000_001,
        141_000_000_000,
        14_999_999_999,
    ] {
        let shards = sim::hf_shards(bytes);
        assert_eq!(shards.len() as u64, bytes.div_ceil(5_000_000_000));
        assert_eq!(shards.iter().sum::<u64>(), bytes);
        assert!(shards.iter().all(|&b| b > 0 && b <= 5_000_000_000));
    }
}

#[test]
fn summary_names_the_trained_model() {
    for (_, p, records) in cases().iter().step_by(9) {
        let rows = crate::phases::summary_rows(p, records, 300.0, 200.0, 79);
        let model = &rows.iter().find(|(k, _)| *k == "model").unwrap().1;
        assert!(model.contains(p.model.name) && model.contains(&format::grouped(p.params)));
        assert!(rows.last().unwrap().1.contains(p.model.name));
        let steps = &rows.iter().find(|(k, _)| *k == "steps").unwrap().1;
        assert!(steps.starts_with(&format!("{}/{}", p.steps, p.steps)));
        for (k, v) in &rows {
            assert!(15 + v.chars().count() <= 79, "{k}: {v}");
        }
    }
}

#[test]
fn sessions_last_a_few_minutes() {
    for (seed, p, records) in cases() {
        let s = sim::session_seconds(p, records);
        let explicit_steps = CONFIGS[*seed as usize % CONFIGS.len()]
            .iter()
            .any(|(k, _)| *k == "steps");
        let lower = if explicit_steps { 30.0 } else { 180.0 };
        assert!(
            (lower..=480.0).contains(&s),
            "seed {seed}: {s:.0} s for {} on {}",
            p.model.name,
            p.world()
        );
        assert!(p.steps >= 40);
    }
    for seed in 0..10 {
        let p = plan(seed, &[]).unwrap();
        let s = sim::session_seconds(&p, &sim::simulate(&p));
        assert!(
            (180.0..=480.0).contains(&s),
            "default seed {seed}: {s:.0} s"
        );
        let step_s = sim::ideal_step_seconds(&p.model, &p.gpu, &p.layout, p.world(), p.mfu_base);
        assert!((0.2..=3.0).contains(&step_s));
    }
}

#[test]
fn gpu_grid_fits_every_width() {
    for cfg in [
        &[][..],
        &[("nodes", "1")][..],
        &[("nodes", "16")][..],
        &[("nodes", "17")][..],
        &[("nodes", "128"), ("gpu", "B200")][..],
    ] {
        let p = plan(4, cfg).unwrap();
        let states = sim::gpu_snapshot(&p, 10, Activity::Training);
        for (w, markers) in [
            (40, false),
            (79, true),
            (79, false),
            (119, true),
            (159, false),
            (239, true),
        ] {
            let lines = gpu_grid(&p, "GPUs @ iteration 10", &states, w, markers);
            for l in &lines {
                assert!(
                    line_width(l) <= w,
                    "{cfg:?} at {w} (markers {markers}): {} > {w}",
                    line_width(l)
                );
            }
            if p.nodes <= 16 {
                let cells: usize = lines.iter().skip(1).map(|l| l.len() - 1).sum();
                assert_eq!(cells, p.world() as usize, "every GPU shown");
            }
        }
    }
}

#[test]
fn same_seed_same_run() {
    let a = plan(42, &[]).unwrap();
    let b = plan(42, &[]).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(
        format!("{:?}", sim::simulate(&a)),
        format!("{:?}", sim::simulate(&b))
    );
    let c = plan(43, &[]).unwrap();
    assert_ne!(
        format!("{:?}", sim::simulate(&a)),
        format!("{:?}", sim::simulate(&c))
    );
}

#[test]
fn number_formats() {
    assert_eq!(format::sci(4.2134559, 6), "4.213456E+00");
    assert_eq!(format::sci(9.9999996, 6), "1.000000E+01");
    assert_eq!(format::sci(0.000287, 6), "2.870000E-04");
    assert_eq!(format::lr(0.0004), "4.000e-04");
    assert_eq!(format::si(3_840_000.0), "3.84M");
    assert_eq!(format::si(719.3), "719");
    assert_eq!(format::si(999_999.0), "1.00M");
    assert_eq!(format::tqdm_time(3725.0), "1:02:05");
    assert_eq!(format::tqdm_time(65.0), "01:05");
    assert_eq!(format::rate(0.42), "2.38it/s");
    assert_eq!(format::rate(1.42), "1.42s/it");
    assert_eq!(format::percent(299, 300), 99);
    assert_eq!(format::grouped(1_235_814_400), "1,235,814,400");
}

/// Without colour, an unhealthy GPU still stands out in the grid.
#[test]
fn gpu_grid_marks_health_in_text_when_colour_is_off() {
    for cfg in [&[][..], &[("nodes", "32")][..]] {
        let p = plan(5, cfg).unwrap();
        let mut states = sim::gpu_snapshot(&p, 10, Activity::Training);
        for s in states.iter_mut() {
            s.health = Health::Ok;
        }
        states[3].health = Health::Throttled;
        states[9].health = Health::Warm;
        let text = |markers: bool| -> String {
            gpu_grid(&p, "GPUs", &states, 79, markers)
                .iter()
                .flat_map(|l| l.iter().map(|(t, _)| t.clone()))
                .collect()
        };
        let marked = text(true);
        assert_eq!(marked.matches('!').count(), 1, "{cfg:?}: {marked}");
        assert_eq!(marked.matches('~').count(), 1, "{cfg:?}: {marked}");
        let plain = text(false);
        assert!(
            !plain.contains('!') && !plain.contains('~'),
            "{cfg:?}: {plain}"
        );
    }
}
