//! The run's plan: the data files and the options turned, once and from the
//! seed, into every decision the session will act out (model, cluster,
//! parallel layout, batch, schedule, intervals, events, names and paths).
//!
//! Pure Rust with no `Host`: the tests build plans for hundreds of seeds and
//! check the physics without a terminal.

use plugin_api::Options;
use plugin_api::kit::data_lines;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

use crate::sim;

const GPUS: &str = include_str!("../data/gpus.txt");
const MODELS: &str = include_str!("../data/models.txt");
const DATASETS: &str = include_str!("../data/datasets.txt");
const HOSTS: &str = include_str!("../data/hosts.txt");
const CKPT_ROOTS: &str = include_str!("../data/ckpt_roots.txt");
const INTERFACES: &str = include_str!("../data/interfaces.txt");

/// Size classes in the order `model=auto` considers them, largest first.
pub const MODEL_CLASSES: [&str; 7] = ["70b", "34b", "13b", "7b", "3b", "1b", "350m"];

/// A GPU model with the numbers nvidia-smi and the datasheet give.
#[derive(Debug, Clone)]
pub struct Gpu {
    pub key: &'static str,
    pub name: &'static str,
    pub mem_mib: u64,
    pub peak_tflops: f64,
    pub power_cap: f64,
    pub idle_w: (f64, f64),
    pub train_w: (f64, f64),
    pub train_c: (f64, f64),
    pub slowdown_c: f64,
    pub max_mhz: u32,
    pub throttled_mhz: u32,
    pub mfu_band: (f64, f64),
    pub nccl: &'static str,
    pub cuda: &'static str,
    pub driver: &'static str,
    pub nvls: bool,
}

impl Gpu {
    /// Memory capacity in bytes, as nvidia-smi reports it.
    pub fn capacity_bytes(&self) -> f64 {
        self.mem_mib as f64 * 1024.0 * 1024.0
    }
}

/// A Llama-style architecture.
#[derive(Debug, Clone)]
pub struct Model {
    pub class: &'static str,
    pub name: &'static str,
    pub layers: u32,
    pub hidden: u32,
    pub heads: u32,
    pub kv_heads: u32,
    pub ffn: u32,
    pub vocab: u32,
    pub seq: u32,
    pub tied: bool,
    pub peak_lr: f64,
    /// The global batch (tokens) such a model is usually trained with.
    pub typical_batch_tokens: f64,
    pub tokenizer: &'static str,
}

/// A tokenized pretraining corpus.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub name: &'static str,
    pub documents: u64,
    pub tokens: u64,
    pub shards: u32,
    pub slug: &'static str,
}

fn field<T: std::str::FromStr>(parts: &[&str], i: usize, file: &str) -> T {
    parts
        .get(i)
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("{file}: bad field {i} in {parts:?}"))
}

fn range(text: &str) -> (f64, f64) {
    let (lo, hi) = text.split_once('-').expect("a lo-hi range");
    (lo.parse().expect("number"), hi.parse().expect("number"))
}

/// Every GPU model of `data/gpus.txt`.
pub fn gpus() -> Vec<Gpu> {
    data_lines(GPUS)
        .into_iter()
        .map(|line| {
            let p: Vec<&'static str> = line.split('|').collect();
            Gpu {
                key: p[0],
                name: p[1],
                mem_mib: field(&p, 2, "gpus.txt"),
                peak_tflops: field(&p, 3, "gpus.txt"),
                power_cap: field(&p, 4, "gpus.txt"),
                idle_w: range(p[5]),
                train_w: range(p[6]),
                train_c: range(p[7]),
                slowdown_c: field(&p, 8, "gpus.txt"),
                max_mhz: field(&p, 9, "gpus.txt"),
                throttled_mhz: field(&p, 10, "gpus.txt"),
                mfu_band: range(p[11]),
                nccl: p[12],
                cuda: p[13],
                driver: p[14],
                nvls: p[15] == "yes",
            }
        })
        .collect()
}

/// Every architecture of `data/models.txt`.
pub fn models() -> Vec<Model> {
    data_lines(MODELS)
        .into_iter()
        .map(|line| {
            let p: Vec<&'static str> = line.split('|').collect();
            let batch_m: f64 = field(&p, 11, "models.txt");
            Model {
                class: p[0],
                name: p[1],
                layers: field(&p, 2, "models.txt"),
                hidden: field(&p, 3, "models.txt"),
                heads: field(&p, 4, "models.txt"),
                kv_heads: field(&p, 5, "models.txt"),
                ffn: field(&p, 6, "models.txt"),
                vocab: field(&p, 7, "models.txt"),
                seq: field(&p, 8, "models.txt"),
                tied: p[9] == "tied",
                peak_lr: field(&p, 10, "models.txt"),
                typical_batch_tokens: batch_m * 1_048_576.0,
                tokenizer: p[12],
            }
        })
        .collect()
}

/// Every corpus of `data/datasets.txt`.
pub fn datasets() -> Vec<Dataset> {
    data_lines(DATASETS)
        .into_iter()
        .map(|line| {
            let p: Vec<&'static str> = line.split('|').collect();
            Dataset {
                name: p[0],
                documents: field(&p, 1, "datasets.txt"),
                tokens: field(&p, 2, "datasets.txt"),
                shards: field(&p, 3, "datasets.txt"),
                slug: p[4],
            }
        })
        .collect()
}

/// How the model is split over the GPUs, and the batch that results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub tp: u32,
    pub pp: u32,
    pub dp: u32,
    pub micro: u32,
    pub accum: u32,
}

impl Layout {
    /// Sequences per optimizer step: micro batch x DP x accumulation.
    pub fn global_batch(&self) -> u64 {
        self.micro as u64 * self.dp as u64 * self.accum as u64
    }
}

/// A loss spike: the loss jumps by `amp` nats at `step` and decays with time
/// constant `tau` steps; the grad norm jumps by `gn_factor` at the same step.
#[derive(Debug, Clone, Copy)]
pub struct Spike {
    pub step: u32,
    pub amp: f64,
    pub tau: f64,
    pub gn_factor: f64,
}

impl Spike {
    /// Steps after which the excess is below 0.01 nats: the flagged window.
    pub fn recovery_steps(&self) -> u32 {
        ((self.tau * (self.amp / 0.01).ln()).ceil() as u32).clamp(1, 300)
    }
}

/// One GPU runs hot, throttles its clocks, and the whole job waits for it.
#[derive(Debug, Clone, Copy)]
pub struct Straggler {
    pub node: u32,
    pub local: u32,
    /// First step the GPU warms up; it throttles from `start + ramp`.
    pub start: u32,
    pub ramp: u32,
    /// Last throttled step.
    pub end: u32,
    /// Fractional step-time increase while throttled.
    pub slow: f64,
}

impl Straggler {
    pub fn throttling(&self, step: u32) -> bool {
        step >= self.start + self.ramp && step <= self.end
    }
    pub fn warming(&self, step: u32) -> bool {
        step >= self.start && step < self.start + self.ramp
    }
}

/// An InfiniBand port flaps; the collectives of one step retry and stall.
#[derive(Debug, Clone, Copy)]
pub struct NcclFlap {
    pub step: u32,
    pub extra_ms: u64,
    pub node: u32,
    pub local: u32,
}

/// The data loader waits on a cold shard for one step.
#[derive(Debug, Clone, Copy)]
pub struct Stall {
    pub step: u32,
    pub extra_ms: u64,
    pub shard: u32,
    pub worker: u32,
}

/// Everything the session will show, decided up front.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub gpu: Gpu,
    pub model: Model,
    pub params: u64,
    pub dataset: Dataset,
    pub nodes: u32,
    pub gpn: u32,
    pub layout: Layout,
    /// Fraction of the GPU's memory the training process holds (nvidia-smi).
    pub mem_fraction: f64,
    pub mfu_base: f64,
    pub steps: u32,
    pub warmup: u32,
    pub peak_lr: f64,
    pub min_lr: f64,
    pub log_interval: u32,
    pub eval_interval: u32,
    pub eval_iters: u32,
    pub save_interval: u32,
    pub grid_interval: u32,
    /// Loss model: noise sigma, offset of the first loss from ln(vocab).
    pub loss_sigma: f64,
    pub loss_start_offset: f64,
    pub val_gap: f64,
    /// Grad-norm model: first-step norm and the post-warmup level.
    pub gn_first: f64,
    pub gn_base: f64,
    pub spike: Option<Spike>,
    pub straggler: Option<Straggler>,
    pub flap: Option<NcclFlap>,
    pub stall: Option<Stall>,
    /// NCCL_DEBUG_SUBSYS as printed at launch; COLL there means per-collective logs.
    pub nccl_subsys: &'static str,
    pub hosts: Vec<String>,
    pub ips: Vec<String>,
    pub iface: &'static str,
    pub master_port: u32,
    pub job_id: u32,
    pub pid_base: u32,
    pub run_name: String,
    pub config_path: String,
    pub ckpt_dir: String,
    pub hf_dir: String,
    pub data_prefix: String,
    /// Aggregate write bandwidth of the parallel filesystem, GB/s.
    pub fs_gbps: f64,
    /// Write bandwidth of the Hugging Face conversion (one process), GB/s.
    pub export_gbps: f64,
}

impl Plan {
    pub fn world(&self) -> u32 {
        self.nodes * self.gpn
    }
    pub fn seq(&self) -> u32 {
        self.model.seq
    }
    pub fn global_batch(&self) -> u64 {
        self.layout.global_batch()
    }
    pub fn batch_tokens(&self) -> u64 {
        self.global_batch() * self.model.seq as u64
    }
    /// Whether the launch environment turns on NCCL's per-collective logging.
    pub fn nccl_coll(&self) -> bool {
        self.nccl_subsys.split(',').any(|s| s == "COLL")
    }
    /// Global rank of a GPU: node x GPUs per node + local rank.
    pub fn rank(&self, node: u32, local: u32) -> u32 {
        node * self.gpn + local
    }

    /// Reads and checks the options, then decides the whole run from `seed`.
    /// Errors name the option and the reason.
    pub fn from_options(seed: u64, options: &Options) -> Result<Plan, String> {
        let gpu_key = options.get("gpu").unwrap_or("H100");
        let gpu = gpus()
            .into_iter()
            .find(|g| g.key.eq_ignore_ascii_case(gpu_key))
            .ok_or_else(|| {
                format!("option `gpu`: unknown GPU `{gpu_key}` (choose A100, H100, H200 or B200)")
            })?;
        let nodes = int_option(options, "nodes", 8, 1, 128)?;
        let gpn = int_option(options, "gpus_per_node", 8, 1, 8)?;
        let model = options.get("model").unwrap_or("auto").to_ascii_lowercase();
        if model != "auto" && !MODEL_CLASSES.contains(&model.as_str()) {
            return Err(format!(
                "option `model`: unknown size `{model}` (choose auto, {})",
                MODEL_CLASSES
                    .iter()
                    .rev()
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let steps = match options.get("steps").unwrap_or("auto") {
            "auto" | "" => None,
            raw => {
                let n: u32 = raw.parse().map_err(|_| {
                    format!("option `steps`: `{raw}` is neither `auto` nor a number")
                })?;
                if !(20..=200_000).contains(&n) {
                    return Err(format!(
                        "option `steps`: {n} is out of range (a run has 20 to 200000 steps)"
                    ));
                }
                Some(n)
            }
        };
        Plan::build(seed, gpu, nodes, gpn, &model, steps)
    }

    /// Decides the run for explicit settings; `class` is a size class or `auto`.
    pub fn build(
        seed: u64,
        gpu: Gpu,
        nodes: u32,
        gpn: u32,
        class: &str,
        steps: Option<u32>,
    ) -> Result<Plan, String> {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x11A1_7A11_0000_0001);
        let world = nodes * gpn;
        let mfu_guess = rng.random_range(gpu.mfu_band.0..gpu.mfu_band.1);
        let target_step = rng.random_range(0.35..0.9);
        let all_models = models();
        // One architecture per class, chosen by the seed.
        let pick = |c: &str, rng: &mut StdRng| -> Model {
            let of_class: Vec<&Model> = all_models.iter().filter(|m| m.class == c).collect();
            (*of_class.choose(rng).expect("every class has models")).clone()
        };
        let candidates: Vec<Model> = MODEL_CLASSES.iter().map(|c| pick(c, &mut rng)).collect();

        let (model, layout) = if class == "auto" {
            auto_model(&candidates, &gpu, nodes, gpn, mfu_guess, target_step)?
        } else {
            let model = candidates
                .iter()
                .find(|m| m.class == class)
                .expect("class checked")
                .clone();
            let layout = sim::choose_layout(&model, &gpu, nodes, gpn, mfu_guess, target_step)?;
            (model, layout)
        };
        let params = sim::params(&model);
        let mem_fraction = sim::memory_bytes(&model, &layout) / gpu.capacity_bytes();
        let mfu_base = sim::mfu_for(mfu_guess, &model, &layout, nodes);
        let step_s = sim::ideal_step_seconds(&model, &gpu, &layout, world, mfu_base);
        let batch_tokens = layout.global_batch() as f64 * model.seq as f64;

        // Session budget: a few minutes in all, most of it training.
        let session_target: f64 = rng.random_range(250.0..330.0);
        let fs_gbps = (nodes as f64 * rng.random_range(1.2..2.6)).clamp(2.0, 20.0);
        let export_gbps = rng.random_range(1.6..3.2);
        let ckpt_bytes = sim::checkpoint_bytes(params);
        let weight_bytes = sim::weight_bytes(params);
        let overhead = 45.0
            + 2.0 * (ckpt_bytes / (fs_gbps * 1e9) + 2.0)
            + weight_bytes / (export_gbps * 1e9)
            + weight_bytes / (fs_gbps * 1e9)
            + 4.0 * 8.0;
        let train_budget = (session_target - overhead).max(100.0);
        let steps = steps.unwrap_or_else(|| auto_steps(train_budget / step_s));
        let (eval_interval, save_interval) = intervals(steps);
        let warmup = ((steps as f64 * rng.random_range(0.06..0.1)).round() as u32).max(5);
        let peak_lr = model.peak_lr;
        let log_interval = nice_interval(6.0 / step_s).min(eval_interval);
        let grid_interval = {
            let every = nice_interval(rng.random_range(40.0..60.0) / step_s);
            every.max(log_interval).min(steps.max(2) / 2)
        };
        let eval_step_s = step_s / 3.0;
        let eval_iters =
            ((rng.random_range(5.0..8.0) / eval_step_s / 5.0).round() as u32 * 5).clamp(5, 100);

        // Loss and grad-norm models.
        let loss_sigma = (0.03 * (4_194_304.0 / batch_tokens).sqrt()).clamp(0.015, 0.09)
            * rng.random_range(0.8..1.2);
        let loss_start_offset = rng.random_range(-0.05..0.25);
        let val_gap = rng.random_range(0.015..0.06);
        let gn_first = rng.random_range(6.0..30.0);
        let gn_base = rng.random_range(0.18..0.34);

        let dataset = datasets().choose(&mut rng).expect("datasets").clone();

        // Events, each in its own stretch of the run so they read one by one.
        let at = |lo: f64, hi: f64, rng: &mut StdRng| -> u32 {
            let a = ((steps as f64 * lo) as u32).max(warmup + 1);
            let b = ((steps as f64 * hi) as u32).max(a + 1);
            rng.random_range(a..b)
        };
        let flap = rng.random_bool(0.75).then(|| NcclFlap {
            step: at(0.15, 0.3, &mut rng),
            extra_ms: rng.random_range(1800..4200),
            node: rng.random_range(0..nodes),
            local: rng.random_range(0..gpn),
        });
        let spike = rng.random_bool(0.85).then(|| Spike {
            step: at(0.35, 0.55, &mut rng),
            // Big enough to stand out of the step-to-step noise.
            amp: rng.random_range(0.3f64..1.0).max(6.0 * loss_sigma).min(1.2),
            tau: rng.random_range(4.0..25.0),
            gn_factor: rng.random_range(5.0..15.0),
        });
        let straggler = rng.random_bool(0.8).then(|| {
            let start = at(0.6, 0.7, &mut rng);
            let ramp = (steps / 50).clamp(3, 30);
            let len = ((steps as f64 * rng.random_range(0.06..0.1)) as u32)
                .max(grid_interval + 4)
                .max(8);
            Straggler {
                node: rng.random_range(0..nodes),
                local: rng.random_range(0..gpn),
                start,
                ramp,
                end: (start + ramp + len).min(steps - 1),
                slow: rng
                    .random_range(0.05f64..0.15)
                    .min(mfu_base / 0.27 - 1.0)
                    .max(0.02),
            }
        });
        let stall = rng.random_bool(0.8).then(|| Stall {
            step: at(0.82, 0.95, &mut rng),
            extra_ms: rng.random_range(1500..4500),
            shard: rng.random_range(0..dataset.shards),
            worker: rng.random_range(0..8),
        });

        let nccl_subsys = *["INIT,NET", "INIT,ENV", "INIT,NET,ENV", "INIT,COLL"]
            .choose(&mut rng)
            .expect("subsystems");
        let pattern = *data_lines(HOSTS).choose(&mut rng).expect("hosts");
        let hosts = (1..=nodes).map(|n| hostname(pattern, &gpu, n)).collect();
        let subnet = rng.random_range(0..200);
        let ips = (0..nodes)
            .map(|n| {
                format!(
                    "10.{}.{}.{}",
                    rng.random_range(1..250),
                    subnet + n / 250,
                    10 + n % 240
                )
            })
            .collect();
        let iface = *data_lines(INTERFACES).choose(&mut rng).expect("interfaces");
        let root = *data_lines(CKPT_ROOTS).choose(&mut rng).expect("ckpt roots");
        let model_slug = model.name.to_ascii_lowercase().replace('.', "_");
        let run_name = format!(
            "{}-{}-{:04x}",
            model_slug,
            dataset.slug,
            rng.random_range(0..0xffffu32)
        );
        let ckpt_dir = format!("{root}/{run_name}/checkpoints");
        let hf_dir = format!("{root}/{run_name}/hf");
        let data_prefix = format!(
            "/datasets/{}/{}_text_document",
            dataset.slug,
            tokenizer_slug(&model)
        );
        let config_path = format!("configs/{}.yaml", model_slug.replace('-', "_"));

        Ok(Plan {
            seed,
            params,
            nodes,
            gpn,
            layout,
            mem_fraction,
            mfu_base,
            steps,
            warmup,
            peak_lr,
            min_lr: peak_lr * 0.1,
            log_interval,
            eval_interval,
            eval_iters,
            save_interval,
            grid_interval,
            loss_sigma,
            loss_start_offset,
            val_gap,
            gn_first,
            gn_base,
            spike,
            straggler,
            flap,
            stall,
            nccl_subsys,
            hosts,
            ips,
            iface,
            master_port: *[29500, 29500, 29400, 6000, 12355]
                .choose(&mut rng)
                .expect("ports"),
            job_id: rng.random_range(1_200_000..9_800_000),
            pid_base: rng.random_range(10_000..60_000),
            run_name,
            config_path,
            ckpt_dir,
            hf_dir,
            data_prefix,
            fs_gbps,
            export_gbps,
            gpu,
            model,
            dataset,
        })
    }
}

fn int_option(
    options: &Options,
    name: &str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, String> {
    let raw = options
        .get(name)
        .map(str::to_owned)
        .unwrap_or_else(|| default.to_string());
    let n: u32 = raw
        .trim()
        .parse()
        .map_err(|_| format!("option `{name}`: `{raw}` is not a whole number"))?;
    if !(min..=max).contains(&n) {
        return Err(format!(
            "option `{name}`: {n} is out of range ({min} to {max})"
        ));
    }
    Ok(n)
}

/// `model=auto`: the largest class whose usual batch still gives a step of
/// at most 2.4 seconds on this cluster, so the run is both sensible for
/// the hardware and watchable; the smallest class that fits otherwise.
fn auto_model(
    candidates: &[Model],
    gpu: &Gpu,
    nodes: u32,
    gpn: u32,
    mfu: f64,
    target_step: f64,
) -> Result<(Model, Layout), String> {
    let world = nodes * gpn;
    let mut last_err = String::new();
    let mut fallback = None;
    for m in candidates {
        let typical =
            sim::ideal_step_seconds_for_tokens(m, gpu, world, mfu, m.typical_batch_tokens);
        match sim::choose_layout(m, gpu, nodes, gpn, mfu, target_step) {
            Ok(layout) if typical <= 2.4 => return Ok((m.clone(), layout)),
            Ok(layout) => fallback = Some((m.clone(), layout)),
            Err(e) => last_err = e,
        }
    }
    fallback.ok_or_else(|| last_err.replace("option `model`: ", "option `model`: auto: "))
}

/// A round number of steps near `raw`, divisible by the four validation
/// intervals so that validation and checkpoints land on the last step.
fn auto_steps(raw: f64) -> u32 {
    let raw = raw.clamp(40.0, 5000.0);
    let unit = if raw < 100.0 {
        20.0
    } else if raw < 400.0 {
        40.0
    } else if raw < 2000.0 {
        100.0
    } else {
        400.0
    };
    ((raw / unit).round() * unit).max(unit) as u32
}

/// Validation and checkpoint intervals that divide `steps`: about four
/// validations, a checkpoint every other one.
fn intervals(steps: u32) -> (u32, u32) {
    let eval = [4, 6, 5, 3]
        .into_iter()
        .find(|n| steps.is_multiple_of(*n))
        .map(|n| steps / n)
        .unwrap_or_else(|| {
            (1..=steps)
                .rev()
                .filter(|d| steps.is_multiple_of(*d) && steps / d >= 3)
                .find(|d| steps / d <= 8)
                .unwrap_or(steps)
        });
    let n_evals = steps / eval;
    let save = if n_evals.is_multiple_of(2) {
        eval * 2
    } else {
        eval * n_evals
    };
    (eval, save)
}

/// 1, 2, 5, 10, 20, 25, 50, 100... closest to `raw` steps.
pub fn nice_interval(raw: f64) -> u32 {
    const NICE: [u32; 13] = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000];
    *NICE
        .iter()
        .min_by(|a, b| {
            let da = ((**a as f64) / raw.max(0.5)).ln().abs();
            let db = ((**b as f64) / raw.max(0.5)).ln().abs();
            da.total_cmp(&db)
        })
        .expect("nonempty")
}

fn hostname(pattern: &str, gpu: &Gpu, node: u32) -> String {
    let with_gpu = pattern.replace("{gpu}", &gpu.key.to_ascii_lowercase());
    let hashes = with_gpu.chars().filter(|&c| c == '#').count();
    let number = format!("{node:0hashes$}");
    let start = with_gpu.find('#').unwrap_or(with_gpu.len());
    format!(
        "{}{}{}",
        &with_gpu[..start],
        number,
        &with_gpu[start + hashes..]
    )
}

fn tokenizer_slug(model: &Model) -> String {
    let repo = model
        .tokenizer
        .rsplit('/')
        .next()
        .unwrap_or(model.tokenizer);
    repo.to_ascii_lowercase().replace(['-', '.'], "_")
}
