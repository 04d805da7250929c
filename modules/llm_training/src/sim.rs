//! The physics of the run, as pure functions and records: parameter count,
//! FLOPs per token, memory per GPU, throughput, the learning-rate schedule,
//! the loss and grad-norm curves, events, validation, checkpoint and export
//! sizes, and the state of every GPU.
//!
//! The printer and the tests read the same records, so what is printed is
//! what the tests check. No `Host` here.

use rand::{RngExt, SeedableRng, rngs::StdRng};

use crate::config::{Gpu, Layout, Model, Plan};

/// Hugging Face's default `max_shard_size` ("5GB", decimal).
pub const HF_SHARD_BYTES: u64 = 5_000_000_000;
/// A full training checkpoint per parameter: bf16 weights (2) + fp32 master
/// copy (4) + Adam first and second moments (4 + 4).
pub const CKPT_BYTES_PER_PARAM: u64 = 14;
/// Exported weights per parameter: bf16.
pub const WEIGHT_BYTES_PER_PARAM: u64 = 2;
/// Memory the CUDA context, NCCL buffers and cuBLAS workspaces take.
const CONTEXT_BYTES: f64 = 2.5 * 1024.0 * 1024.0 * 1024.0;
/// The allocator never packs perfectly.
const FRAGMENTATION: f64 = 1.06;
/// Simulated seconds from launch to the first step (launch, NCCL, checks).
#[cfg(test)]
pub const STARTUP_SECONDS: f64 = 40.0;
/// Micro batches are chosen to use at most this much of the GPU...
const MEM_MAX: f64 = 0.92;
/// ...and at least this much (nobody leaves half an H100 empty).
const MEM_MIN: f64 = 0.58;

/// Parameters of a Llama-style model: per layer grouped-query attention
/// (q and o are h x h, k and v are h x kv_heads x head_dim), a SwiGLU MLP
/// (3 x h x ffn) and two RMSNorms; a final norm; the embedding, counted twice
/// when the output head is not tied to it.
pub fn params(m: &Model) -> u64 {
    let h = m.hidden as u64;
    let kv = m.kv_heads as u64 * (h / m.heads as u64);
    let layer = 2 * h * h + 2 * h * kv + 3 * h * m.ffn as u64 + 2 * h;
    m.layers as u64 * layer + h + embedding_params(m)
}

/// Embedding parameters (input table, plus the output head if untied).
pub fn embedding_params(m: &Model) -> u64 {
    m.vocab as u64 * m.hidden as u64 * if m.tied { 1 } else { 2 }
}

/// FLOPs per token for training: 6 N + 12 L h S, where N counts every
/// matrix a token goes through (the layers and the output head, not the
/// input embedding lookup) and the second term is attention.
pub fn flops_per_token(m: &Model) -> f64 {
    let non_embedding = (params(m) - embedding_params(m)) as f64;
    let head = m.vocab as f64 * m.hidden as f64;
    6.0 * (non_embedding + head) + 12.0 * m.layers as f64 * m.hidden as f64 * m.seq as f64
}

/// Bytes one GPU holds while training (what nvidia-smi shows): bf16
/// weights and fp32 gradients of its TP x PP shard, its share of the
/// fp32 optimizer state (distributed optimizer, sharded over DP), the
/// activations of the micro batches in flight (selective recompute and
/// sequence parallel: 34 s b h bytes per layer / TP; with 1F1B the first
/// stage holds PP micro batches of L/PP layers), fp32 logits and their
/// gradient, plus context and fragmentation.
pub fn memory_bytes(m: &Model, l: &Layout) -> f64 {
    let shard = params(m) as f64 / (l.tp * l.pp) as f64;
    let states = 2.0 * shard + 4.0 * shard + 12.0 * shard / l.dp as f64;
    let sbh = m.seq as f64 * l.micro as f64 * m.hidden as f64;
    let in_flight = l.pp.min(l.accum.max(1)) as f64;
    let activations = 34.0 * sbh * (m.layers / l.pp) as f64 * in_flight / l.tp as f64;
    let logits = 8.0 * m.seq as f64 * l.micro as f64 * m.vocab as f64 / l.tp as f64;
    (states + activations + logits) * FRAGMENTATION + CONTEXT_BYTES
}

/// Seconds per step for a batch of `tokens` at `mfu` on `world` GPUs.
pub fn ideal_step_seconds_for_tokens(
    m: &Model,
    gpu: &Gpu,
    world: u32,
    mfu: f64,
    tokens: f64,
) -> f64 {
    let per_gpu = mfu * gpu.peak_tflops * 1e12 / flops_per_token(m);
    tokens / (per_gpu * world as f64)
}

/// Seconds per step of a layout at `mfu`, before step-to-step jitter.
pub fn ideal_step_seconds(m: &Model, gpu: &Gpu, l: &Layout, world: u32, mfu: f64) -> f64 {
    let tokens = l.global_batch() as f64 * m.seq as f64;
    ideal_step_seconds_for_tokens(m, gpu, world, mfu, tokens)
}

/// The MFU this layout really gets: the pipeline bubble (interleaved
/// schedule, so half of (PP-1)/(m+PP-1)), tensor-parallel communication,
/// scaling past a few nodes and small models' less efficient kernels.
pub fn mfu_for(base: f64, m: &Model, l: &Layout, nodes: u32) -> f64 {
    let mut mfu = base;
    if l.pp > 1 {
        let bubble = (l.pp - 1) as f64 / (l.accum + l.pp - 1) as f64;
        mfu *= 1.0 - 0.5 * bubble;
    }
    if l.tp >= 4 {
        mfu *= 0.97;
    }
    if l.tp >= 8 {
        mfu *= 0.97;
    }
    if nodes > 8 {
        mfu *= 1.0 - 0.015 * (nodes as f64 / 8.0).log2();
    }
    if params(m) < 2_000_000_000 {
        mfu *= 0.95;
    }
    mfu.clamp(0.32, 0.55)
}

/// Chooses TP, PP, micro batch and accumulation: the least model
/// parallelism that fits in memory, a micro batch that uses 58-92 % of
/// the GPU, and a global batch whose step time is near `target_step`
/// without going past four times the model's usual batch.
pub fn choose_layout(
    m: &Model,
    gpu: &Gpu,
    nodes: u32,
    gpn: u32,
    mfu: f64,
    target_step: f64,
) -> Result<Layout, String> {
    let world = nodes * gpn;
    let cap = gpu.capacity_bytes();
    let max_tokens = 4.0 * m.typical_batch_tokens;
    let mut splits = Vec::new();
    for tp in [1u32, 2, 4, 8] {
        let heads_ok =
            m.heads.is_multiple_of(tp) && (m.kv_heads.is_multiple_of(tp) || tp % m.kv_heads == 0);
        if !gpn.is_multiple_of(tp) || !heads_ok {
            continue;
        }
        for pp in [1u32, 2, 4, 8, 16] {
            if m.layers.is_multiple_of(pp) && world.is_multiple_of(tp * pp) && m.layers / pp >= 2 {
                splits.push((tp, pp));
            }
        }
    }
    splits.sort_by_key(|&(tp, pp)| (tp * pp, std::cmp::Reverse(tp)));

    let mut best_fit_gib = f64::INFINITY;
    let mut best_split = (1, 1);
    let mut too_fast: Option<(f64, f64)> = None;
    let mut too_slow: Option<f64> = None;
    for (tp, pp) in splits {
        let dp = world / (tp * pp);
        let min_accum = if pp > 1 { pp } else { 1 };
        let layout = |micro: u32, accum: u32| Layout {
            tp,
            pp,
            dp,
            micro,
            accum,
        };
        let mem1 = memory_bytes(m, &layout(1, min_accum));
        if mem1 / cap < best_fit_gib {
            best_fit_gib = mem1 / cap;
            best_split = (tp, pp);
        }
        let fitting: Vec<u32> = (1..=64)
            .filter(|&b| {
                let f = memory_bytes(m, &layout(b, min_accum)) / cap;
                (MEM_MIN..=MEM_MAX).contains(&f)
            })
            .collect();
        let powers: Vec<u32> = fitting
            .iter()
            .copied()
            .filter(|b| b.is_power_of_two())
            .collect();
        let micros = if powers.is_empty() { fitting } else { powers };
        let mut best: Option<(f64, Layout)> = None;
        for &micro in micros.iter().rev() {
            let per_accum = layout(micro, 1).global_batch() as f64 * m.seq as f64;
            let max_accum = (max_tokens / per_accum).floor() as u32;
            if max_accum < min_accum {
                let l = layout(micro, min_accum);
                too_fast = Some((
                    ideal_step_seconds(m, gpu, &l, world, mfu),
                    per_accum * min_accum as f64,
                ));
                continue;
            }
            // The step time is linear in the accumulation: try the two
            // whole numbers around the target.
            let t1 = ideal_step_seconds(m, gpu, &layout(micro, 1), world, mfu);
            let ideal = target_step / t1;
            for accum in [ideal.floor() as u32, ideal.ceil() as u32] {
                let accum = accum.clamp(min_accum, max_accum.min(512));
                let l = layout(micro, accum);
                let t = ideal_step_seconds(m, gpu, &l, world, mfu);
                let score = (t / target_step).ln().abs();
                if best.is_none_or(|(s, _)| score < s - 1e-9) {
                    best = Some((score, l));
                }
            }
        }
        let Some((_, l)) = best else { continue };
        let t = ideal_step_seconds(m, gpu, &l, world, mfu);
        if t < 0.2 {
            too_fast = Some((t, l.global_batch() as f64 * m.seq as f64));
            continue;
        }
        if t > 6.0 {
            too_slow = Some(too_slow.map_or(t, |s: f64| s.min(t)));
            continue;
        }
        return Ok(l);
    }
    let what = format!("{} ({:.2}B parameters)", m.name, params(m) as f64 / 1e9);
    let gpus = format!("{world} x {}", gpu.key);
    if let Some(t) = too_slow {
        return Err(format!(
            "option `model`: {what} on {gpus} would take {t:.0} s per step; use more `nodes` or a smaller `model`"
        ));
    }
    if let Some((t, tokens)) = too_fast {
        return Err(format!(
            "option `model`: {what} is too small for {gpus}: {:.0} ms per step even at a {:.1}M-token batch; use fewer `nodes` or model=auto",
            t * 1000.0,
            tokens / 1e6
        ));
    }
    if best_fit_gib > MEM_MAX {
        return Err(format!(
            "option `model`: {what} does not fit on {gpus}: even with TP={} x PP={} one micro batch needs {:.0} GiB per GPU of {:.0} GiB; use more `nodes` or a GPU with more memory",
            best_split.0,
            best_split.1,
            best_fit_gib * cap / 1024f64.powi(3),
            cap / 1024f64.powi(3)
        ));
    }
    Err(format!(
        "option `model`: no parallel layout of {what} suits {gpus}"
    ))
}

/// Learning rate at `step` (1-based): linear warmup to the peak, then
/// cosine decay to the minimum at the last step.
pub fn lr(plan: &Plan, step: u32) -> f64 {
    if step <= plan.warmup {
        return plan.peak_lr * step as f64 / plan.warmup as f64;
    }
    let progress = (step - plan.warmup) as f64 / (plan.steps - plan.warmup).max(1) as f64;
    plan.min_lr
        + 0.5 * (plan.peak_lr - plan.min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
}

/// Chinchilla fit of the loss of an N-parameter model trained on D tokens.
pub fn chinchilla(n: f64, d: f64) -> f64 {
    1.69 + 406.4 / n.powf(0.34) + 410.7 / d.powf(0.28)
}

/// A bounded, roughly normal number: mean 0, sigma 1, never beyond +-3.5.
pub fn bounded_normal(rng: &mut StdRng) -> f64 {
    let s: f64 = (0..4).map(|_| rng.random::<f64>()).sum();
    (s - 2.0) * 3f64.sqrt()
}

/// One optimizer step as the logs and bars report it.
#[derive(Debug, Clone)]
pub struct StepRecord {
    pub step: u32,
    pub lr: f64,
    pub loss: f64,
    /// The noise-free loss of the weights this step trained (the tests
    /// check the curve's shape on it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub backbone: f64,
    /// The noise-free loss of the weights after this step's update.
    pub backbone_after: f64,
    pub spike_excess: f64,
    pub in_spike: bool,
    pub grad_norm: f64,
    pub time_ms: u64,
    pub tokens_per_s: f64,
    pub tokens_per_s_gpu: f64,
    pub samples_per_s: f64,
    pub tflops_gpu: f64,
    pub mfu: f64,
    pub consumed_samples: u64,
    pub tokens_seen: u64,
    pub throttled: bool,
    /// Time lost waiting on data or a retried collective, in ms.
    pub stalled_ms: u64,
}

/// Every step of the run, step 1 first.
pub fn simulate(plan: &Plan) -> Vec<StepRecord> {
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0x5173_0000_0000_00A1);
    let m = &plan.model;
    let f = flops_per_token(m);
    let world = plan.world() as f64;
    let batch_tokens = plan.batch_tokens() as f64;
    let peak = plan.gpu.peak_tflops * 1e12;
    let n = plan.params as f64;
    let floor = chinchilla(n, f64::INFINITY);
    let first = (m.vocab as f64).ln() + plan.loss_start_offset;
    // D0: the "effective tokens" at which the fit gives the first loss.
    let mut d_eff = (410.7 / (first - floor)).powf(1.0 / 0.28);
    let tau_g = (plan.warmup as f64 / 5.0).max(2.0);
    let mut out = Vec::with_capacity(plan.steps as usize);
    for step in 1..=plan.steps {
        let lr = lr(plan, step);
        let backbone = chinchilla(n, d_eff);
        // Progress is the tokens seen weighted by the learning rate: slow
        // in warmup, fast after, slow again as the cosine decays.
        d_eff += 0.5 * batch_tokens * lr / plan.peak_lr;
        let backbone_after = chinchilla(n, d_eff);
        let (spike_excess, in_spike, gn_boost) = match plan.spike {
            Some(s) if step >= s.step && step - s.step <= s.recovery_steps() => {
                let k = (step - s.step) as f64;
                (
                    s.amp * (-k / s.tau).exp(),
                    true,
                    1.0 + (s.gn_factor - 1.0) * (-k / 1.5).exp(),
                )
            }
            _ => (0.0, false, 1.0),
        };
        let loss = backbone + spike_excess + plan.loss_sigma * bounded_normal(&mut rng);
        let progress = step as f64 / plan.steps as f64;
        let grad_norm = (plan.gn_first * (-((step - 1) as f64) / tau_g).exp()
            + plan.gn_base * (1.0 + 0.6 * progress * progress))
            * (1.0 + 0.08 * bounded_normal(&mut rng))
            * gn_boost;

        let mfu = plan.mfu_base * (1.0 + 0.012 * bounded_normal(&mut rng));
        let mut seconds = batch_tokens / (world * mfu * peak / f);
        let throttled = plan.straggler.is_some_and(|s| s.throttling(step));
        if let (true, Some(s)) = (throttled, plan.straggler) {
            seconds *= 1.0 + s.slow;
        }
        let mut stalled_ms = 0;
        if let Some(fl) = plan.flap.filter(|fl| fl.step == step) {
            stalled_ms += fl.extra_ms;
        }
        if let Some(st) = plan.stall.filter(|st| st.step == step) {
            stalled_ms += st.extra_ms;
        }
        let time_ms = ((seconds * 1000.0).round() as u64).max(1) + stalled_ms;
        let t = time_ms as f64 / 1000.0;
        let tokens_per_s = batch_tokens / t;
        let tokens_per_s_gpu = tokens_per_s / world;
        let tflops_gpu = tokens_per_s_gpu * f / 1e12;
        out.push(StepRecord {
            step,
            lr,
            loss,
            backbone,
            backbone_after,
            spike_excess,
            in_spike,
            grad_norm,
            time_ms,
            tokens_per_s,
            tokens_per_s_gpu,
            samples_per_s: plan.global_batch() as f64 / t,
            tflops_gpu,
            mfu: tflops_gpu / plan.gpu.peak_tflops,
            consumed_samples: step as u64 * plan.global_batch(),
            tokens_seen: step as u64 * plan.batch_tokens(),
            throttled,
            stalled_ms,
        });
    }
    out
}

/// Mean step time (s) of the last ten steps up to and including `step`.
pub fn recent_step_seconds(records: &[StepRecord], step: u32) -> f64 {
    let end = (step as usize).min(records.len());
    let start = end.saturating_sub(10);
    let window = &records[start..end];
    window.iter().map(|r| r.time_ms as f64).sum::<f64>() / window.len().max(1) as f64 / 1000.0
}

/// Seconds left after `step`: remaining steps x recent step time.
pub fn eta_seconds(records: &[StepRecord], step: u32) -> f64 {
    let remaining = records.len().saturating_sub(step as usize) as f64;
    remaining * recent_step_seconds(records, step)
}

/// A validation pass after `step`.
#[derive(Debug, Clone, Copy)]
pub struct Validation {
    pub step: u32,
    pub loss: f64,
}

/// The validation loss after `step`: the loss of the current weights, a
/// little above the training loss (held-out data), with a hint of noise.
pub fn validation(plan: &Plan, records: &[StepRecord], step: u32) -> Validation {
    let r = &records[step as usize - 1];
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0x7A11_D000 ^ step as u64);
    let spike_left = match plan.spike {
        Some(s) if r.in_spike => r.spike_excess * (-1.0 / s.tau).exp(),
        _ => 0.0,
    };
    let loss = r.backbone_after + spike_left + plan.val_gap + 0.004 * bounded_normal(&mut rng);
    Validation { step, loss }
}

/// Steps at which validation runs: the multiples of its interval.
pub fn validation_steps(plan: &Plan) -> Vec<u32> {
    (1..=plan.steps)
        .filter(|s| s % plan.eval_interval == 0)
        .collect()
}

/// Steps at which a checkpoint is saved: the multiples of its interval.
pub fn checkpoint_steps(plan: &Plan) -> Vec<u32> {
    (1..=plan.steps)
        .filter(|s| s % plan.save_interval == 0)
        .collect()
}

/// Bytes of a full training checkpoint.
pub fn checkpoint_bytes(params: u64) -> f64 {
    (params * CKPT_BYTES_PER_PARAM) as f64
}

/// Bytes of the bf16 weights.
pub fn weight_bytes(params: u64) -> f64 {
    (params * WEIGHT_BYTES_PER_PARAM) as f64
}

/// A checkpoint save.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub step: u32,
    pub dir: String,
    pub bytes: u64,
    pub gbps: f64,
    pub seconds: f64,
    /// One torch distributed-checkpoint file per rank.
    pub files: u32,
}

/// The checkpoint saved after `step`: size = parameters x 14 bytes, time =
/// size / the filesystem's bandwidth at that moment.
pub fn checkpoint(plan: &Plan, step: u32) -> Checkpoint {
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0xC4EC_0000 ^ step as u64);
    let bytes = plan.params * CKPT_BYTES_PER_PARAM;
    let gbps = plan.fs_gbps * rng.random_range(0.9..1.1);
    Checkpoint {
        step,
        dir: format!("{}/iter_{step:07}", plan.ckpt_dir),
        bytes,
        gbps,
        seconds: bytes as f64 / (gbps * 1e9),
        files: plan.world(),
    }
}

/// Sizes of the Hugging Face safetensors shards for `bytes` of weights:
/// ceil(bytes / 5 GB) files, each at most 5 GB (tensors are never split, so
/// full shards fall a little short), the last one holding the rest.
pub fn hf_shards(bytes: u64) -> Vec<u64> {
    let n = bytes.div_ceil(HF_SHARD_BYTES).max(1);
    if n == 1 {
        return vec![bytes];
    }
    let spare = n * HF_SHARD_BYTES - bytes;
    let room = (spare / n).min(90_000_000);
    let mut shards: Vec<u64> = (0..n - 1)
        .map(|i| HF_SHARD_BYTES - room * ((i * 37 + 11) % 89 + 1) / 90)
        .collect();
    let used: u64 = shards.iter().sum();
    shards.push(bytes - used);
    shards
}

/// What the GPUs are busy with when their status is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Training,
    Validating,
    Saving,
}

/// How a GPU is doing: green, yellow, red.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    Warm,
    Throttled,
}

/// One GPU's line of nvidia-smi.
#[derive(Debug, Clone, Copy)]
pub struct GpuState {
    pub node: u32,
    pub local: u32,
    pub util: u32,
    pub mem_mib: u64,
    pub temp: u32,
    pub power: u32,
    pub sm_mhz: u32,
    pub health: Health,
}

/// Temperature from which a GPU shows yellow: a few degrees below slowdown.
pub fn warm_threshold(gpu: &Gpu) -> f64 {
    gpu.slowdown_c - 9.0
}

/// The state of every GPU (node by node) after `step`.
pub fn gpu_snapshot(plan: &Plan, step: u32, activity: Activity) -> Vec<GpuState> {
    let g = &plan.gpu;
    // Fixed per-GPU character: airflow in the rack, silicon lottery.
    let mut fixed = StdRng::seed_from_u64(plan.seed ^ 0x6B0_0000_0001);
    let mut now =
        StdRng::seed_from_u64(plan.seed ^ 0x6B0_0000_0002 ^ ((step as u64) << 8) ^ activity as u64);
    let capacity = g.mem_mib as f64;
    let mut out = Vec::with_capacity(plan.world() as usize);
    for node in 0..plan.nodes {
        let node_c = fixed.random_range(-3.0..3.0);
        for local in 0..plan.gpn {
            let gpu_c = fixed.random_range(-3.0..3.0);
            let gpu_p = fixed.random_range(-0.12..0.12);
            let gpu_m = fixed.random_range(-0.008..0.008);
            let (lo_w, hi_w) = g.train_w;
            let (lo_c, hi_c) = g.train_c;
            let mut power = lo_w + (hi_w - lo_w) * (0.6 + gpu_p + 0.04 * bounded_normal(&mut now));
            power = power.clamp(lo_w, hi_w);
            let mut temp =
                lo_c + (hi_c - lo_c) * 0.5 + node_c + gpu_c + 0.6 * bounded_normal(&mut now);
            temp = temp.clamp(lo_c, hi_c);
            let mut util: u32 = if now.random_bool(0.85) {
                100
            } else {
                now.random_range(96..100)
            };
            let mut sm_mhz = g.max_mhz;
            let mut health = Health::Ok;
            let straggler = plan
                .straggler
                .filter(|s| s.node == node && s.local == local);
            let job_waits = plan.straggler.is_some_and(|s| s.throttling(step));
            match activity {
                Activity::Training => {
                    if let Some(s) = straggler {
                        if s.warming(step) {
                            let k = (step - s.start + 1) as f64 / s.ramp as f64;
                            temp += (g.slowdown_c - 3.0 - temp) * k;
                            power = hi_w;
                        } else if s.throttling(step) {
                            temp = g.slowdown_c - now.random_range(0.0..2.5);
                            power = g.power_cap - now.random_range(0.0..4.0);
                            sm_mhz = g.throttled_mhz;
                            health = Health::Throttled;
                        }
                    } else if job_waits {
                        // Everyone else spins at the barrier for the slow GPU.
                        power *= 0.92;
                    }
                }
                Activity::Validating => {
                    // Forward passes only, and waits on the loss reduction.
                    util = now.random_range(86..97);
                    power *= 0.8;
                    temp -= 2.0;
                }
                Activity::Saving => {
                    util = now.random_range(0..7);
                    power = g.idle_w.1 + now.random_range(10.0..60.0);
                    temp = (temp - 7.0).max(35.0);
                    sm_mhz = g.max_mhz * 2 / 3;
                }
            }
            if health == Health::Ok && temp >= warm_threshold(g) {
                health = Health::Warm;
            }
            let mem_mib =
                ((plan.mem_fraction * (1.0 + gpu_m)) * capacity).min(capacity - 64.0) as u64;
            out.push(GpuState {
                node,
                local,
                util,
                mem_mib,
                temp: temp.round() as u32,
                power: power.round().min(g.power_cap) as u32,
                sm_mhz,
                health,
            });
        }
    }
    out
}

/// Simulated seconds the whole session takes, phase by phase, as the
/// phases will sleep them (within a few seconds).
#[cfg(test)]
pub fn session_seconds(plan: &Plan, records: &[StepRecord]) -> f64 {
    let train: f64 = records.iter().map(|r| r.time_ms as f64 / 1000.0).sum();
    let step_s = recent_step_seconds(records, 10);
    let evals = validation_steps(plan).len() as f64 * (plan.eval_iters as f64 * step_s / 3.0 + 1.5);
    let saves: f64 = checkpoint_steps(plan)
        .iter()
        .map(|&s| checkpoint(plan, s).seconds + 1.5)
        .sum();
    let weights = weight_bytes(plan.params);
    let export = weights / (plan.export_gbps * 1e9) + weights / (plan.fs_gbps * 1e9) + 4.0;
    STARTUP_SECONDS + train + evals + saves + export
}
