//! Model and GPU arithmetic behind the server's start-up numbers: weights
//! per GPU, the memory profile, KV-cache blocks, and how long a decode step
//! or a prefill takes. Pure, so that the printed numbers can be checked to
//! fit together.

/// vLLM's KV-cache block size, in tokens.
pub const BLOCK_SIZE: u64 = 16;
/// `--gpu-memory-utilization` default.
pub const GPU_UTIL: f64 = 0.9;
/// `--swap-space` default, per GPU.
pub const SWAP_GIB: f64 = 4.0;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A model's shape, from the data file.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    pub name: &'static str,
    pub params_b: f64,
    pub layers: u64,
    pub kv_heads: u64,
    pub head_dim: u64,
    pub max_context: u64,
}

impl ModelSpec {
    pub fn parse(line: &'static str) -> Option<Self> {
        let mut f = line.split_whitespace();
        Some(ModelSpec {
            name: f.next()?,
            params_b: f.next()?.parse().ok()?,
            layers: f.next()?.parse().ok()?,
            kv_heads: f.next()?.parse().ok()?,
            head_dim: f.next()?.parse().ok()?,
            max_context: f.next()?.parse().ok()?,
        })
    }

    /// Bytes of K and V for one token over the whole model, in bf16:
    /// 2 (K and V) x layers x kv_heads x head_dim x 2 bytes.
    pub fn kv_bytes_per_token(&self) -> u64 {
        2 * self.layers * self.kv_heads * self.head_dim * 2
    }
}

/// A GPU, from the data file.
#[derive(Debug, Clone, Copy)]
pub struct Gpu {
    pub name: &'static str,
    pub memory_gib: f64,
    pub bandwidth_gbs: f64,
    pub tflops: f64,
}

impl Gpu {
    pub fn parse(line: &'static str) -> Option<Self> {
        let mut f = line.split_whitespace();
        Some(Gpu {
            name: f.next()?,
            memory_gib: f.next()?.parse().ok()?,
            bandwidth_gbs: f.next()?.parse().ok()?,
            tflops: f.next()?.parse().ok()?,
        })
    }
}

/// Everything the engine prints about memory at start-up, per GPU.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub tp: u64,
    pub max_model_len: u64,
    pub weights_gib: f64,
    pub non_torch_gib: f64,
    pub peak_torch_gib: f64,
    pub kv_cache_gib: f64,
    /// KV bytes of one token held by one GPU.
    pub kv_bytes_per_token_per_gpu: u64,
    pub gpu_blocks: u64,
    pub cpu_blocks: u64,
}

impl Plan {
    /// Memory the KV blocks take on one GPU, in bytes.
    #[cfg(test)]
    pub fn kv_block_bytes(&self) -> u64 {
        self.gpu_blocks * BLOCK_SIZE * self.kv_bytes_per_token_per_gpu
    }

    /// "Maximum concurrency for N tokens per request: X".
    pub fn max_concurrency(&self) -> f64 {
        (self.gpu_blocks * BLOCK_SIZE) as f64 / self.max_model_len as f64
    }
}

/// The memory plan for `model` on `tp` GPUs of kind `gpu` with a context of
/// `max_model_len`, or `None` when it does not fit (vLLM would refuse to
/// start: weights too big, or not even one full-length sequence of KV).
pub fn plan(model: &ModelSpec, gpu: &Gpu, tp: u64, max_model_len: u64) -> Option<Plan> {
    if tp == 0 || (!model.kv_heads.is_multiple_of(tp) && !tp.is_multiple_of(model.kv_heads)) {
        return None;
    }
    // Fewer KV heads than GPUs: each GPU keeps a replica of one head.
    let kv_heads_per_gpu = (model.kv_heads / tp).max(1);
    let kv_bytes_per_token_per_gpu = model.kv_bytes_per_token() / model.kv_heads * kv_heads_per_gpu;
    let weights_gib = model.params_b * 1e9 * 2.0 / tp as f64 / GIB;
    // Activations of the profiling run grow with the batch of tokens.
    let activation_gib =
        0.35 + 1.1 * (max_model_len as f64 / 8192.0) * (model.params_b / 8.0).sqrt() / tp as f64;
    let non_torch_gib = 0.32 + if tp > 1 { 0.25 } else { 0.0 };
    let peak_torch_gib = weights_gib + activation_gib;
    let kv_cache_gib = gpu.memory_gib * GPU_UTIL - peak_torch_gib - non_torch_gib;
    if kv_cache_gib <= 0.0 {
        return None;
    }
    let block_bytes = (BLOCK_SIZE * kv_bytes_per_token_per_gpu) as f64;
    let gpu_blocks = (kv_cache_gib * GIB / block_bytes).floor() as u64;
    let cpu_blocks = (SWAP_GIB * GIB / block_bytes).floor() as u64;
    if gpu_blocks * BLOCK_SIZE < max_model_len {
        return None;
    }
    Some(Plan {
        tp,
        max_model_len,
        weights_gib,
        non_torch_gib,
        peak_torch_gib,
        kv_cache_gib,
        kv_bytes_per_token_per_gpu,
        gpu_blocks,
        cpu_blocks,
    })
}

/// Milliseconds for one decode step of `batch` sequences holding
/// `context_tokens` tokens of KV between them: reading the weights and the
/// KV cache from memory, plus a fixed launch and all-reduce overhead.
pub fn decode_step_ms(
    model: &ModelSpec,
    gpu: &Gpu,
    plan: &Plan,
    batch: usize,
    context_tokens: u64,
) -> f64 {
    let bandwidth = gpu.bandwidth_gbs * 1e9 * 0.75;
    let weights = plan.weights_gib * GIB;
    let kv = (context_tokens * plan.kv_bytes_per_token_per_gpu) as f64;
    let compute =
        2.0 * model.params_b * 1e9 * batch as f64 / (gpu.tflops * 1e12 * 0.4 * plan.tp as f64);
    let memory = (weights + kv) / bandwidth;
    let overhead = 3.0 + 0.8 * plan.tp as f64;
    memory.max(compute) * 1000.0 + overhead
}

/// Milliseconds to prefill `tokens` prompt tokens (compute bound).
pub fn prefill_ms(model: &ModelSpec, gpu: &Gpu, plan: &Plan, tokens: u64) -> f64 {
    let flops = 2.0 * model.params_b * 1e9 * tokens as f64;
    flops / (gpu.tflops * 1e12 * 0.45 * plan.tp as f64) * 1000.0 + 2.0
}

/// The `q`-th percentile (0..=100) with linear interpolation between
/// closest ranks, as numpy computes it. `sorted` must be ascending.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let rank = q / 100.0 * (n - 1) as f64;
            let lo = rank.floor() as usize;
            let hi = rank.ceil() as usize;
            sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> Vec<ModelSpec> {
        plugin_api::kit::data_lines(include_str!("../data/models.txt"))
            .into_iter()
            .map(|l| ModelSpec::parse(l).expect(l))
            .collect()
    }

    fn gpus() -> Vec<Gpu> {
        plugin_api::kit::data_lines(include_str!("../data/gpus.txt"))
            .into_iter()
            .map(|l| Gpu::parse(l).expect(l))
            .collect()
    }

    #[test]
    fn kv_blocks_fit_in_memory_left_after_weights() {
        let mut plans = 0;
        for m in models() {
            for g in gpus() {
                for tp in [1, 2, 4, 8] {
                    for len in [4096, 8192, 32768] {
                        let Some(p) = plan(&m, &g, tp, len) else {
                            continue;
                        };
                        plans += 1;
                        let left = g.memory_gib * GPU_UTIL * GIB - p.weights_gib * GIB;
                        assert!(
                            (p.kv_block_bytes() as f64) <= left,
                            "{} on {}",
                            m.name,
                            g.name
                        );
                        assert!((p.kv_block_bytes() as f64) <= p.kv_cache_gib * GIB);
                        // Less than one more block would have fitted.
                        let spare = p.kv_cache_gib * GIB - p.kv_block_bytes() as f64;
                        assert!(spare < (BLOCK_SIZE * p.kv_bytes_per_token_per_gpu) as f64);
                        assert!(p.gpu_blocks * BLOCK_SIZE >= len);
                    }
                }
            }
        }
        assert!(plans > 100);
    }

    #[test]
    fn llama_8b_on_h100_matches_vllm() {
        let m = ModelSpec::parse("meta-llama/Llama-3.1-8B-Instruct 8.03 32 8 128 131072").unwrap();
        let g = Gpu::parse("H100 79.10 3350 989").unwrap();
        let p = plan(&m, &g, 1, 8192).unwrap();
        assert_eq!(m.kv_bytes_per_token(), 131_072);
        assert_eq!(p.cpu_blocks, 2048);
        assert!((14.9..15.0).contains(&p.weights_gib), "{}", p.weights_gib);
        assert!((25_000..30_000).contains(&p.gpu_blocks), "{}", p.gpu_blocks);
        // About 100 tokens/s for one sequence, a few thousand for a batch.
        let one = 1000.0 / decode_step_ms(&m, &g, &p, 1, 1000);
        let batch = 64.0 * 1000.0 / decode_step_ms(&m, &g, &p, 64, 64_000);
        assert!((70.0..160.0).contains(&one), "{one}");
        assert!((2000.0..6000.0).contains(&batch), "{batch}");
    }

    #[test]
    fn too_big_models_do_not_plan() {
        let m = ModelSpec::parse("x/70B 70.6 80 8 128 131072").unwrap();
        let g = Gpu::parse("A10G 22.09 600 125").unwrap();
        assert!(plan(&m, &g, 1, 8192).is_none());
        assert!(plan(&m, &g, 3, 8192).is_none());
    }

    #[test]
    fn percentiles_are_ordered() {
        let mut data: Vec<f64> = (0..500)
            .map(|i| ((i * 7919) % 1000) as f64 / 3.0 + 20.0)
            .collect();
        data.sort_by(f64::total_cmp);
        let (p50, p90, p99) = (
            percentile(&data, 50.0),
            percentile(&data, 90.0),
            percentile(&data, 99.0),
        );
        assert!(p50 < p90 && p90 < p99, "{p50} {p90} {p99}");
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(percentile(&[5.0], 99.0), 5.0);
    }
}
