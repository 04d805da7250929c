//! The session as a watcher sees it: the launch, the distributed start-up,
//! the training loop with its bars, log lines, GPU grid and events,
//! validation, checkpoints, the Hugging Face export and the summary.
//!
//! Every number comes from the plan and the step records (`sim`); this file
//! only decides what is printed when, and sleeps in between.

use std::time::Duration;

use plugin_api::kit::{LiveBlock, SimDate, type_out};
use plugin_api::{Host, RunResult, Stop};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use crate::config::Plan;
use crate::format;
use crate::render::{
    BAD, BOLD, DIM, GOOD, INFO, Line, PLAIN, Progress, Seg, WARN, bus_id, comm_id, comm_ptr,
    fit_path, gpu_grid, init_complete_line, max_width, nccl_prefix, pack, pick, plain, say, styled,
    tqdm,
};
use crate::sim::{self, Activity, StepRecord};

/// Plays the whole session.
pub fn run(host: &Host, plan: &Plan, records: &[StepRecord]) -> RunResult {
    let date = SimDate::from_seed(plan.seed);
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0x9A5E_0000);
    launch(host, plan, &date, &mut rng)?;
    model_config(host, plan)?;
    tokenizer(host, plan, &mut rng)?;
    dataset(host, plan, &mut rng)?;
    parallel_layout(host, plan)?;
    distributed_init(host, plan, &mut rng)?;
    gpu_check(host, plan)?;
    let train_time = train(host, plan, records, &date)?;
    export(host, plan, &mut rng)?;
    summary(host, plan, records, train_time)?;
    Ok(())
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// `dgx-h100-[001-008]`, the way SLURM writes a node list.
fn node_list(plan: &Plan) -> String {
    let first = &plan.hosts[0];
    let last = &plan.hosts[plan.hosts.len() - 1];
    if plan.hosts.len() == 1 {
        return first.clone();
    }
    let digits = first
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 {
        return format!("{first},...,{last}");
    }
    let prefix = &first[..first.len() - digits];
    format!(
        "{prefix}[{}-{}]",
        &first[prefix.len()..],
        &last[prefix.len()..]
    )
}

/// The command, the job and its environment, torchrun's warning.
fn launch(host: &Host, plan: &Plan, date: &SimDate, rng: &mut StdRng) -> RunResult {
    let command = [
        format!(
            "$ torchrun --nnodes {} --nproc-per-node {} \\",
            plan.nodes, plan.gpn
        ),
        format!(
            "    --rdzv-backend c10d --rdzv-endpoint {}:{} \\",
            plan.hosts[0], plan.master_port
        ),
        format!("    pretrain.py --config {}", plan.config_path),
    ];
    for line in &command {
        type_out(host, line, BOLD, 12)?;
    }
    host.sleep_ms(900)?;
    let nodes = format!(
        "{} node{}",
        plan.nodes,
        if plan.nodes == 1 { "" } else { "s" }
    );
    say(
        host,
        styled(
            pick(
                max_width(host),
                &[
                    format!(
                        "[launch] SLURM job {}: {nodes} x {} GPUs = {} ranks on {}",
                        plan.job_id,
                        plan.gpn,
                        plan.world(),
                        node_list(plan)
                    ),
                    format!(
                        "[launch] job {}: {nodes} x {} GPUs on {}",
                        plan.job_id,
                        plan.gpn,
                        node_list(plan)
                    ),
                ],
            ),
            INFO,
        ),
    );
    say(host, styled("[launch] environment:", INFO));
    let hcas: Vec<String> = (0..plan.gpn.min(8)).map(|i| format!("mlx5_{i}")).collect();
    let env = [
        format!("MASTER_ADDR={}", plan.hosts[0]),
        format!("MASTER_PORT={}", plan.master_port),
        format!("WORLD_SIZE={}", plan.world()),
        "NCCL_DEBUG=INFO".to_owned(),
        format!("NCCL_DEBUG_SUBSYS={}", plan.nccl_subsys),
        format!("NCCL_IB_HCA={}", hcas.join(",")),
        format!("NCCL_SOCKET_IFNAME={}", plan.iface),
        "NCCL_IB_TIMEOUT=22".to_owned(),
        "CUDA_DEVICE_MAX_CONNECTIONS=1".to_owned(),
        "TORCH_NCCL_ASYNC_ERROR_HANDLING=1".to_owned(),
        "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True".to_owned(),
    ];
    for var in env {
        say(host, vec![("    ".to_owned(), PLAIN), (var, DIM)]);
        host.sleep_ms(rng.random_range(40..110))?;
    }
    host.sleep_ms(1200)?;
    let stamp = date.datetime(host.clock());
    let w = format!(
        "W{}{} {}.{:06} {} torch/distributed/run.py:793]",
        &stamp[5..7],
        &stamp[8..10],
        &stamp[11..],
        rng.random_range(0..1_000_000),
        plan.pid_base / 3
    );
    let stars = "*".repeat(41.min(max_width(host).saturating_sub(w.len() + 1)));
    for text in [
        String::new(),
        stars.clone(),
        "Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded, please further tune the variable for optimal performance in your application as needed.".to_owned(),
        stars,
    ] {
        say(host, styled(format!("{w} {text}"), WARN));
    }
    host.sleep_ms(1500)?;
    Ok(())
}

/// Megatron's argument dump style: `  name ........ value`.
fn arg_line(name: &str, value: impl std::fmt::Display) -> Line {
    let dots = 44usize.saturating_sub(name.len() + 2).max(3);
    vec![
        (format!("  {name} "), PLAIN),
        (".".repeat(dots), DIM),
        (format!(" {value}"), PLAIN),
    ]
}

/// The architecture and the parameter count computed from it.
fn model_config(host: &Host, plan: &Plan) -> RunResult {
    let m = &plan.model;
    say(
        host,
        styled(
            format!(
                "> building {} model (decoder-only, RMSNorm, SwiGLU, RoPE) ...",
                m.name
            ),
            BOLD,
        ),
    );
    let rows: [(&str, String); 9] = [
        ("num_layers", m.layers.to_string()),
        ("hidden_size", m.hidden.to_string()),
        ("num_attention_heads", m.heads.to_string()),
        ("num_query_groups", m.kv_heads.to_string()),
        ("kv_channels", (m.hidden / m.heads).to_string()),
        ("ffn_hidden_size", m.ffn.to_string()),
        ("padded_vocab_size", m.vocab.to_string()),
        ("seq_length", m.seq.to_string()),
        (
            "untie_embeddings_and_output_weights",
            (!m.tied).to_string().replace('t', "T").replace('f', "F"),
        ),
    ];
    for (name, value) in rows {
        say(host, arg_line(name, value));
        host.sleep_ms(70)?;
    }
    let non_embedding = plan.params - sim::embedding_params(m);
    say(
        host,
        vec![
            (" > number of parameters: ".to_owned(), PLAIN),
            (
                format!(
                    "{} ({})",
                    format::grouped(plan.params),
                    format::params(plan.params)
                ),
                BOLD,
            ),
            (
                format!(", {} non-embedding", format::params(non_embedding)),
                DIM,
            ),
        ],
    );
    say(
        host,
        plain(format!(
            " > FLOPs per token: {:.3e} (6N + 12 L h S)",
            sim::flops_per_token(m)
        )),
    );
    host.sleep_ms(1200)?;
    Ok(())
}

/// An HF-hub-style download bar for one file.
fn download(host: &Host, name: &str, bytes: f64, mbps: f64) -> RunResult {
    let total_ms = (bytes / (mbps * 1e6) * 1000.0).max(60.0) as u64;
    let frames = (total_ms / 120).clamp(1, 15);
    let mut live = LiveBlock::new();
    for i in 1..=frames {
        let slice = total_ms * i / frames - total_ms * (i - 1) / frames;
        host.sleep_ms(slice)?;
        if !host.is_terminal() && i < frames {
            continue;
        }
        let done = bytes * i as f64 / frames as f64;
        let elapsed = (total_ms * i / frames) as f64 / 1000.0;
        let left = format!("{name}: {:>3}%|", format::percent(i, frames));
        let right = format!(
            "| {}/{} [{}<{}, {}B/s]",
            format::si(done),
            format::si(bytes),
            format::tqdm_time(elapsed),
            format::tqdm_time(total_ms as f64 / 1000.0 - elapsed),
            format::si(mbps * 1e6)
        );
        let room = max_width(host)
            .saturating_sub(left.len() + right.len())
            .clamp(5, 40);
        live.draw_spans(
            host,
            &[vec![
                (left, PLAIN),
                (host.progress_bar(i as f64 / frames as f64, room), GOOD),
                (right, PLAIN),
            ]],
        );
    }
    live.finish(host);
    Ok(())
}

/// The tokenizer files come down with progress bars.
fn tokenizer(host: &Host, plan: &Plan, rng: &mut StdRng) -> RunResult {
    let m = &plan.model;
    say(
        host,
        plain(format!(
            "> building HuggingFaceTokenizer tokenizer: {}",
            m.tokenizer
        )),
    );
    host.sleep_ms(500)?;
    let mbps = rng.random_range(4.0..40.0);
    download(
        host,
        "tokenizer_config.json",
        rng.random_range(5_000.0..55_000.0),
        mbps,
    )?;
    download(
        host,
        "tokenizer.json",
        m.vocab as f64 * 60.0 + 30_000.0,
        mbps,
    )?;
    download(
        host,
        "special_tokens_map.json",
        rng.random_range(300.0..600.0),
        mbps,
    )?;
    say(
        host,
        plain(format!(
            " > padded vocab (size: {}) with 0 dummy tokens (new size: {})",
            m.vocab, m.vocab
        )),
    );
    host.sleep_ms(600)?;
    Ok(())
}

/// The corpus: name, documents, tokens, shards, and what this run takes.
fn dataset(host: &Host, plan: &Plan, rng: &mut StdRng) -> RunResult {
    let d = &plan.dataset;
    say(
        host,
        styled(
            "> building train, validation, and test datasets for GPT ...",
            BOLD,
        ),
    );
    say(host, plain(format!(" > dataset: {}", d.name)));
    say(
        host,
        vec![
            (" > data prefix: ".to_owned(), PLAIN),
            (fit_path(&plan.data_prefix, max_width(host) - 16), DIM),
        ],
    );
    host.sleep_ms(400)?;
    // Index files load with a bar.
    let total_ms = rng.random_range(1800..3500u64);
    let frames = 12u64;
    let start = host.clock();
    let mut live = LiveBlock::new();
    for i in 1..=frames {
        host.sleep_ms(total_ms / frames)?;
        if !host.is_terminal() && i < frames {
            continue;
        }
        let n = d.shards as u64 * i / frames;
        let elapsed = seconds(host.clock() - start);
        let line = tqdm(
            host,
            "loading .idx ",
            &Progress {
                n,
                total: d.shards as u64,
                elapsed_s: elapsed,
                eta_s: Some(elapsed * (frames - i) as f64 / i as f64),
                per_item_s: Some(elapsed / n.max(1) as f64),
            },
            PLAIN,
        );
        live.draw_spans(host, &[line]);
    }
    live.finish(host);
    let epoch = plan.steps as f64 * plan.batch_tokens() as f64 / d.tokens as f64 * 100.0;
    for line in [
        format!("    number of documents: {}", format::grouped(d.documents)),
        format!(
            "    number of tokens: {} ({})",
            format::grouped(d.tokens),
            format::si(d.tokens as f64)
        ),
        format!("    number of shards: {} (.bin/.idx pairs)", d.shards),
        " > dataset split: 969,30,1 (train, validation, test)".to_owned(),
        format!(
            " > this run: {} steps x {} tokens = {} tokens ({:.2}% of an epoch)",
            plan.steps,
            format::si(plan.batch_tokens() as f64),
            format::si(plan.steps as f64 * plan.batch_tokens() as f64),
            epoch
        ),
    ] {
        say(host, plain(line));
        host.sleep_ms(120)?;
    }
    host.sleep_ms(800)?;
    Ok(())
}

/// TP x PP x DP, the batch arithmetic, precision, optimizer, schedule.
fn parallel_layout(host: &Host, plan: &Plan) -> RunResult {
    let l = &plan.layout;
    let lines: Vec<Line> = vec![
        vec![
            ("> parallel layout: ".to_owned(), BOLD),
            (
                format!(
                    "TP {} x PP {} x DP {} = {} GPUs ({} node{} x {})",
                    l.tp,
                    l.pp,
                    l.dp,
                    plan.world(),
                    plan.nodes,
                    if plan.nodes == 1 { "" } else { "s" },
                    plan.gpn
                ),
                PLAIN,
            ),
        ],
        vec![
            ("> batch: ".to_owned(), BOLD),
            (
                format!(
                    "micro {} x DP {} x accumulation {} = global batch {}",
                    l.micro,
                    l.dp,
                    l.accum,
                    plan.global_batch()
                ),
                PLAIN,
            ),
        ],
        plain(format!(
            "         {} sequences x {} tokens = {} tokens per step",
            plan.global_batch(),
            plan.seq(),
            format::grouped(plan.batch_tokens())
        )),
        vec![
            ("> precision: ".to_owned(), BOLD),
            (
                "bf16, fp32 master weights and gradient reduction".to_owned(),
                PLAIN,
            ),
        ],
        vec![
            ("> optimizer: ".to_owned(), BOLD),
            (
                "AdamW (beta1 0.9, beta2 0.95, eps 1e-8, weight decay 0.1)".to_owned(),
                PLAIN,
            ),
        ],
        plain("             grad clip 1.0, distributed optimizer (ZeRO-1) over DP"),
        vec![
            ("> lr schedule: ".to_owned(), BOLD),
            (
                format!(
                    "warmup {} steps to {}, cosine to {} at step {}",
                    plan.warmup,
                    format::lr(plan.peak_lr),
                    format::lr(plan.min_lr),
                    plan.steps
                ),
                PLAIN,
            ),
        ],
        vec![
            ("> schedule: ".to_owned(), BOLD),
            (
                format!(
                    "{} steps, log every {}, eval every {} ({} iters), save every {}",
                    plan.steps,
                    plan.log_interval,
                    plan.eval_interval,
                    plan.eval_iters,
                    plan.save_interval
                ),
                PLAIN,
            ),
        ],
    ];
    for line in lines {
        say(host, line);
        host.sleep_ms(150)?;
    }
    host.sleep_ms(700)?;
    Ok(())
}

fn nccl_info(plan: &Plan, node: u32, local: u32, message: &str) -> Line {
    vec![
        (nccl_prefix(plan, node, local), DIM),
        (" NCCL INFO ".to_owned(), INFO),
        (message.to_owned(), PLAIN),
    ]
}

fn nccl_warn(plan: &Plan, node: u32, local: u32, max: usize, message: &str) -> Line {
    let prefix = nccl_prefix(plan, node, local);
    let room = max.saturating_sub(prefix.len());
    let source = " transport/net_ib.cc:1696 NCCL WARN ";
    let (label, text) = if source.len() + message.len() <= room {
        (source, message.to_owned())
    } else {
        (" NCCL WARN ", message.replace("NET/IB : ", ""))
    };
    vec![(prefix, DIM), (label.to_owned(), WARN.bold()), (text, WARN)]
}

/// torch.distributed comes up: rank 0's NCCL init in full, then every rank's
/// `Init COMPLETE`, then the model-parallel groups.
fn distributed_init(host: &Host, plan: &Plan, rng: &mut StdRng) -> RunResult {
    say(host, styled("> initializing torch distributed ...", BOLD));
    host.sleep_ms(1500)?;
    let world = plan.world();
    let ip = &plan.ips[0];
    let channels = if plan.gpu.nvls { 16 } else { 24 };
    let ib: Vec<String> = (0..plan.gpn.min(8))
        .map(|i| format!("[{i}]mlx5_{i}:1/IB"))
        .collect();
    let comm = comm_ptr(plan, 0, 0);
    let mut burst: Vec<String> = vec![
        format!("Bootstrap : Using {}:{ip}<0>", plan.iface),
        format!("NCCL version {}+cuda{}", plan.gpu.nccl, plan.gpu.cuda),
        "NET/Plugin: No plugin found (libnccl-net.so)".to_owned(),
        format!(
            "NET/IB : Using {} ; OOB {}:{ip}<0>",
            ib.join(" "),
            plan.iface
        ),
        "Using non-device net plugin version 0".to_owned(),
        "Using network IB".to_owned(),
        format!(
            "comm 0x{comm:x} rank 0 nranks {world} cudaDev 0 nvmlDev 0 busId {} commId 0x{:016x} - Init START",
            bus_id(plan, 0),
            comm_id(plan)
        ),
        "Setting affinity for GPU 0 to ffffffff,00000000,ffffffff".to_owned(),
    ];
    if plan.gpu.nvls && plan.gpn > 1 {
        burst.push("NVLS multicast support is available on dev 0".to_owned());
    }
    burst.push(format!(
        "comm 0x{comm:x} rank 0 nRanks {world} nNodes {} localRanks {} localRank 0 MNNVL 0",
        plan.nodes, plan.gpn
    ));
    for c in 0..3u32 {
        let ring: String = (0..world.min(32))
            .map(|r| format!("{:>4}", (r + c * plan.gpn.min(2)) % world))
            .collect();
        burst.push(format!("Channel {c:02}/{channels} :{ring}"));
    }
    let up = if plan.nodes > 1 {
        plan.gpn.to_string()
    } else {
        "-1".to_owned()
    };
    let down = if world > 1 { "1" } else { "-1" };
    burst.push(format!(
        "Trees [0] {down}/{up}/-1->0->-1 [1] {down}/-1/-1->0->{up}"
    ));
    burst.push("P2P Chunksize set to 131072".to_owned());
    if plan.gpn > 1 {
        for c in 0..2 {
            burst.push(format!(
                "Channel {c:02}/0 : 0[0] -> 1[1] via P2P/CUMEM/read"
            ));
        }
    }
    if plan.nodes > 1 {
        let prev = world - 1;
        burst.push(format!(
            "Channel 00/0 : {prev}[{}] -> 0[0] [receive] via NET/IB/0/GDRDMA",
            plan.gpn - 1
        ));
        burst.push(format!(
            "Channel 00/0 : 0[0] -> {}[0] [send] via NET/IB/0/GDRDMA",
            plan.gpn
        ));
    }
    burst.push("Connected all rings".to_owned());
    burst.push("Connected all trees".to_owned());
    burst.push("threadThresholds 8/8/64 | 512/8/64 | 512 | 512".to_owned());
    burst.push(format!(
        "{channels} coll channels, 0 collnet channels, {} nvls channels, 32 p2p channels, 32 p2p channels per peer",
        if plan.gpu.nvls && plan.gpn > 1 { 16 } else { 0 }
    ));
    for message in burst {
        say(host, nccl_info(plan, 0, 0, &message));
        host.sleep_ms(rng.random_range(15..90))?;
    }
    // Every rank reports in, node by node, in the order they finish.
    for node in 0..plan.nodes {
        let mut locals: Vec<u32> = (0..plan.gpn).collect();
        for i in (1..locals.len()).rev() {
            locals.swap(i, rng.random_range(0..=i));
        }
        for local in locals {
            let line = init_complete_line(plan, node, local, max_width(host));
            let (prefix, rest) = line.split_once(" NCCL INFO ").expect("prefix");
            say(
                host,
                vec![
                    (prefix.to_owned(), DIM),
                    (" NCCL INFO ".to_owned(), INFO),
                    (rest.to_owned(), PLAIN),
                ],
            );
        }
        host.sleep_ms(rng.random_range(8..40))?;
    }
    host.sleep_ms(600)?;
    for line in [
        format!(
            "> initialized tensor model parallel with size {}",
            plan.layout.tp
        ),
        format!(
            "> initialized pipeline model parallel with size {}",
            plan.layout.pp
        ),
        format!("> initialized data parallel with size {}", plan.layout.dp),
        "> setting random seeds to 1234 ...".to_owned(),
    ] {
        say(host, plain(line));
        host.sleep_ms(200)?;
    }
    Ok(())
}

/// Every rank reports its device: all GPUs present, the right model and size.
fn gpu_check(host: &Host, plan: &Plan) -> RunResult {
    let g = &plan.gpu;
    say(
        host,
        styled(
            "> checking devices on every rank (torch.cuda.get_device_properties) ...",
            BOLD,
        ),
    );
    host.sleep_ms(800)?;
    let name_w = plan.hosts.iter().map(|h| h.len()).max().unwrap_or(8);
    let rank_w = (plan.world() - 1).to_string().len();
    for node in 0..plan.nodes {
        let first = plan.rank(node, 0);
        let last = plan.rank(node, plan.gpn - 1);
        let base = format!(
            "  {:<name_w$}  ranks {first:>rank_w$}-{last:<rank_w$}  {} x {}  {} MiB",
            plan.hosts[node as usize], plan.gpn, g.name, g.mem_mib
        );
        let line = if base.len() + 10 + g.driver.len() + 4 <= max_width(host) {
            format!("{base}  driver {}", g.driver)
        } else {
            base
        };
        say(host, vec![(line, PLAIN), ("  ok".to_owned(), GOOD)]);
        host.sleep_ms(if plan.nodes > 16 { 15 } else { 90 })?;
    }
    let nodes = format!(
        "{} node{}",
        plan.nodes,
        if plan.nodes == 1 { "" } else { "s" }
    );
    let count = format!("{}/{}", plan.world(), plan.world());
    let text = pick(
        max_width(host).saturating_sub(20),
        &[
            format!("{count} on {nodes}, {}, {} MiB each", g.name, g.mem_mib),
            format!("{count} on {nodes}, {}", g.name),
        ],
    );
    say(
        host,
        vec![
            ("> all GPUs present: ".to_owned(), GOOD.bold()),
            (text, PLAIN),
        ],
    );
    host.sleep_ms(1000)?;
    Ok(())
}

/// The bars and metrics under the log: the run bar, the current step's
/// micro batches, and the last finished step's numbers.
fn status_lines(
    host: &Host,
    plan: &Plan,
    records: &[StepRecord],
    done: u32,
    step_frac: f64,
    elapsed_s: f64,
) -> Vec<Line> {
    let max = max_width(host);
    let total = plan.steps as u64;
    let (eta, rate) = if done == 0 {
        (None, None)
    } else {
        (
            Some(sim::eta_seconds(records, done)),
            Some(sim::recent_step_seconds(records, done)),
        )
    };
    let run = tqdm(
        host,
        "train ",
        &Progress {
            n: done as u64,
            total,
            elapsed_s,
            eta_s: eta,
            per_item_s: rate,
        },
        INFO.bold(),
    );
    let current = (done + 1).min(plan.steps);
    let accum = plan.layout.accum;
    let micro_done = (step_frac * accum as f64).floor() as u32;
    let head = format!("step {current:>w$} ", w = plan.steps.to_string().len());
    let tail = if accum > 1 {
        format!(
            " {micro_done:>w$}/{accum} micro",
            w = accum.to_string().len()
        )
    } else {
        // One micro batch per step: show where in the step it is instead of
        // a count that would read 0/1 while the bar fills.
        let phase = match step_frac {
            f if f < 0.8 => "fwd+bwd",
            f if f < 0.95 => "reduce",
            _ => "optim",
        };
        format!(" {phase:<7}")
    };
    let bar_w = if max >= 120 { 20 } else { 12 };
    let bar = host.progress_bar(step_frac, bar_w);
    let prefix: Line = vec![(head, INFO), (bar, GOOD), (tail, PLAIN)];
    let parts: Vec<Seg> = match done.checked_sub(1).and_then(|i| records.get(i as usize)) {
        None => vec![
            ("loss -".to_owned(), DIM),
            ("waiting for the first step".to_owned(), DIM),
        ],
        Some(r) => {
            let loss_style = if r.in_spike { BAD.bold() } else { BOLD };
            let time_style = if r.throttled || r.stalled_ms > 0 {
                WARN
            } else {
                PLAIN
            };
            let mut parts = vec![
                (format!("loss {}", format::loss(r.loss)), loss_style),
                (format!("ppl {}", format::ppl(r.loss)), PLAIN),
                (format!("lr {}", format::lr(r.lr)), PLAIN),
                (
                    format!("gnorm {:.3}", r.grad_norm),
                    if r.grad_norm > 1.0 && done > plan.warmup {
                        WARN
                    } else {
                        PLAIN
                    },
                ),
                (format!("{} tok/s", format::si(r.tokens_per_s)), time_style),
                (
                    format!("{} samples/s", format::si(r.samples_per_s)),
                    time_style,
                ),
                (format!("{:.1} TFLOP/s/GPU", r.tflops_gpu), time_style),
                (format!("MFU {:.1}%", r.mfu * 100.0), time_style),
            ];
            if max >= 150 {
                parts.push((
                    format!("{} tok/s/GPU", format::si(r.tokens_per_s_gpu)),
                    time_style,
                ));
                parts.push((format!("{} ms/step", r.time_ms), time_style));
                parts.push((
                    format!("{} tokens", format::si(r.tokens_seen as f64)),
                    PLAIN,
                ));
            }
            parts
        }
    };
    let mut lines = vec![run];
    lines.extend(pack(&parts, prefix, max, 2).into_iter().take(3));
    lines
}

/// Where a GPU sits, for monitor lines: `host GPU 3 (rank 35)`.
fn gpu_name(plan: &Plan, node: u32, local: u32) -> String {
    format!(
        "{} GPU {local} (rank {})",
        plan.hosts[node as usize],
        plan.rank(node, local)
    )
}

/// Events that show before a step runs: a port going down, a GPU warming
/// up, then throttling.
fn before_step(host: &Host, plan: &Plan, step: u32, live: &mut LiveBlock) {
    let max = max_width(host);
    if let Some(f) = plan.flap.filter(|f| f.step == step) {
        let message = format!("NET/IB : mlx5_{}:1 Got async event : port error", f.local);
        live.print_above(host, |host| {
            say(host, nccl_warn(plan, f.node, f.local, max, &message))
        });
    }
    let Some(s) = plan.straggler else { return };
    let who = gpu_name(plan, s.node, s.local);
    let state =
        || sim::gpu_snapshot(plan, step, Activity::Training)[plan.rank(s.node, s.local) as usize];
    if step == s.start + s.ramp * 2 / 3 {
        let g = state();
        let text = pick(
            max,
            &[
                format!(
                    "[gpu-monitor] {who}: {}C and rising, {} W, fans at 100%",
                    g.temp, g.power
                ),
                format!("[gpu-monitor] {who}: {}C and rising", g.temp),
            ],
        );
        live.print_above(host, |host| say(host, styled(text, WARN)));
    }
    if step == s.start + s.ramp {
        let g = state();
        let text = pick(
            max,
            &[
                format!(
                    "[gpu-monitor] {who}: {}C, {} W / {:.0} W, HW_THERMAL_SLOWDOWN, SM {} -> {} MHz",
                    g.temp, g.power, plan.gpu.power_cap, plan.gpu.max_mhz, g.sm_mhz
                ),
                format!(
                    "[gpu-monitor] {who}: {}C, {} W, thermal slowdown, SM {} MHz",
                    g.temp, g.power, g.sm_mhz
                ),
                format!(
                    "[gpu-monitor] {} GPU {}: {}C, {} W, HW thermal slowdown",
                    plan.hosts[s.node as usize], s.local, g.temp, g.power
                ),
            ],
        );
        live.print_above(host, |host| say(host, styled(text, BAD.bold())));
    }
}

/// Events that show once a step is done, each quoting the step's numbers.
fn after_step(
    host: &Host,
    plan: &Plan,
    records: &[StepRecord],
    r: &StepRecord,
    live: &mut LiveBlock,
) {
    let max = max_width(host);
    let step = r.step;
    if let Some(f) = plan.flap.filter(|f| f.step == step) {
        let message = format!("NET/IB : mlx5_{}:1 Got async event : port active", f.local);
        let note = pick(
            max,
            &[
                format!(
                    "[rank0]: WARNING iteration {step} took {} ms: all-reduce retried for {} ms after an IB port flap on {}",
                    r.time_ms, f.extra_ms, plan.hosts[f.node as usize]
                ),
                format!(
                    "[rank0]: WARNING iteration {step} took {} ms ({} ms in a retried all-reduce)",
                    r.time_ms, f.extra_ms
                ),
            ],
        );
        live.print_above(host, |host| {
            say(host, nccl_warn(plan, f.node, f.local, max, &message));
            say(host, styled(note, WARN));
        });
    }
    if plan.spike.is_some_and(|s| s.step == step) {
        let window = &records[(step as usize).saturating_sub(11)..step as usize - 1];
        let avg = window.iter().map(|x| x.loss).sum::<f64>() / window.len().max(1) as f64;
        let text = pick(
            max,
            &[
                format!(
                    "[rank0]: WARNING loss spike at iteration {step}: lm loss {} vs {} (mean of last {}), grad norm {:.2} (clipped to 1.0)",
                    format::loss(r.loss),
                    format::loss(avg),
                    window.len(),
                    r.grad_norm
                ),
                format!(
                    "[rank0]: WARNING loss spike at iteration {step}: {} (mean {}), grad norm {:.2}",
                    format::loss(r.loss),
                    format::loss(avg),
                    r.grad_norm
                ),
                format!(
                    "WARNING loss spike at iteration {step}: {} (mean {}), grad norm {:.2}",
                    format::loss(r.loss),
                    format::loss(avg),
                    r.grad_norm
                ),
            ],
        );
        live.print_above(host, |host| say(host, styled(text, BAD)));
    }
    if let Some(s) = plan.straggler {
        if step == s.start + s.ramp + 2 && step <= s.end {
            let base = records[(s.start as usize).saturating_sub(2)].time_ms;
            let pct = (r.time_ms as f64 / base as f64 - 1.0) * 100.0;
            let rank = plan.rank(s.node, s.local);
            let text = pick(
                max,
                &[
                    format!(
                        "[straggler-detector] iteration {step}: slowest rank {rank} ({} GPU {}), step {} ms vs {base} ms (+{pct:.1}%)",
                        plan.hosts[s.node as usize], s.local, r.time_ms
                    ),
                    format!(
                        "[straggler] iteration {step}: rank {rank} slowest, step {} ms vs {base} ms (+{pct:.1}%)",
                        r.time_ms
                    ),
                ],
            );
            live.print_above(host, |host| say(host, styled(text, WARN)));
        }
        if step == s.end + 1 {
            let g = sim::gpu_snapshot(plan, step, Activity::Training)
                [plan.rank(s.node, s.local) as usize];
            let text = pick(
                max,
                &[
                    format!(
                        "[gpu-monitor] {}: thermal slowdown cleared, {}C, SM {} MHz",
                        gpu_name(plan, s.node, s.local),
                        g.temp,
                        g.sm_mhz
                    ),
                    format!(
                        "[gpu-monitor] {} GPU {}: slowdown cleared, {}C",
                        plan.hosts[s.node as usize], s.local, g.temp
                    ),
                ],
            );
            live.print_above(host, |host| say(host, styled(text, GOOD)));
        }
    }
    if let Some(st) = plan.stall.filter(|st| st.step == step) {
        let wait = st.extra_ms as f64 / 1000.0;
        let text = pick(
            max,
            &[
                format!(
                    "[rank0]: WARNING data loader: iteration {step} waited {wait:.2} s for its batch (worker {}, shard {:05}, cold read)",
                    st.worker, st.shard
                ),
                format!(
                    "[rank0]: WARNING iteration {step}: waited {wait:.2} s for data (shard {:05})",
                    st.shard
                ),
            ],
        );
        live.print_above(host, |host| say(host, styled(text, WARN)));
    }
}

/// NCCL per-collective lines for rank 0, only when the environment asked for COLL.
fn collective_lines(plan: &Plan, step: u32) -> Vec<Line> {
    let shard = plan.params / (plan.layout.tp * plan.layout.pp) as u64;
    let bucket = 40_000_000u64
        .max(1_000_000 * plan.layout.dp as u64)
        .min(shard);
    let buckets = shard.div_ceil(bucket);
    let per_step = buckets * 2 + 2;
    let op = step as u64 * per_step;
    let comm = comm_ptr(plan, 0, 0) + 0x4a0;
    let dp = plan.layout.dp;
    let msgs = [
        format!(
            "ReduceScatter: opCount {op:x} sendbuff 0x7f1a3c000000 recvbuff 0x7f1a3c000000 count {} datatype 7 op 0 root 0 comm 0x{comm:x} [nranks={dp}] stream 0x55d0c9e1a2b0",
            bucket / dp as u64
        ),
        format!(
            "AllReduce: opCount {:x} sendbuff 0x7f1b02a00400 recvbuff 0x7f1b02a00400 count 1 datatype 7 op 0 root 0 comm 0x{comm:x} [nranks={dp}] stream 0x55d0c9e1a2b0",
            op + buckets
        ),
        format!(
            "AllGather: opCount {:x} sendbuff 0x7f1a3c000000 recvbuff 0x7f1a3c000000 count {} datatype 9 op 0 root 0 comm 0x{comm:x} [nranks={dp}] stream 0x55d0c9e1a2b0",
            op + buckets + 1,
            bucket / dp as u64
        ),
    ];
    msgs.iter().map(|m| nccl_info(plan, 0, 0, m)).collect()
}

/// The training loop: every step sleeps its own time while the bars move.
/// Returns the simulated time the loop took (validation and saves included).
fn train(host: &Host, plan: &Plan, records: &[StepRecord], date: &SimDate) -> Result<f64, Stop> {
    say(
        host,
        plain(format!(
            "[after dataloaders are built] datetime: {}",
            date.datetime(host.clock())
        )),
    );
    say(
        host,
        vec![
            ("wandb: ".to_owned(), INFO),
            (format!("Syncing run {}", plan.run_name), PLAIN),
        ],
    );
    say(host, styled("training ...", BOLD));
    host.sleep_ms(1500)?;
    let start = host.clock();
    let mut live = LiveBlock::new();
    let milestone = (plan.steps / 10).max(1);
    let forced_grid = plan.straggler.map(|s| (s.start + s.ramp + 3).min(s.end));
    let mut last_grid = 0;
    for r in records {
        let step = r.step;
        before_step(host, plan, step, &mut live);
        play_step(host, plan, records, r, &mut live, start)?;
        if step == 1 {
            live.print_above(host, |host| say(host, memory_report(plan, max_width(host))));
        }
        after_step(host, plan, records, r, &mut live);
        if step % plan.log_interval == 0 {
            let stamp = date.datetime(host.clock());
            let line = format::megatron_line(plan, r, &stamp, max_width(host));
            live.print_above(host, |host| say(host, plain(line)));
            if plan.nccl_coll() {
                live.print_above(host, |host| {
                    for line in collective_lines(plan, step) {
                        say(host, line);
                    }
                });
            }
        }
        // The grid every so often, and once while the straggler throttles
        // (not twice in a row).
        let due = step % plan.grid_interval == 0 && step >= last_grid + plan.grid_interval / 2;
        if due || Some(step) == forced_grid {
            last_grid = step;
            let title = format!("GPUs @ iteration {step}");
            let states = sim::gpu_snapshot(plan, step, Activity::Training);
            // Without colour, health needs a visible mark of its own.
            let markers = host.color_enabled() == Some(false);
            live.print_above(host, |host| {
                for line in gpu_grid(plan, &title, &states, max_width(host), markers) {
                    say(host, line);
                }
            });
        }
        if !host.is_terminal() && (step % milestone == 0 || step == plan.steps) {
            let elapsed = seconds(host.clock() - start);
            live.draw_spans(host, &status_lines(host, plan, records, step, 1.0, elapsed));
        }
        if step % plan.eval_interval == 0 {
            live.clear(host);
            validate(host, plan, records, step)?;
        }
        if step % plan.save_interval == 0 {
            live.clear(host);
            save_checkpoint(host, plan, step)?;
        }
    }
    let elapsed = seconds(host.clock() - start);
    if host.is_terminal() {
        live.draw_spans(
            host,
            &status_lines(host, plan, records, plan.steps, 1.0, elapsed),
        );
        live.finish(host);
    }
    say(
        host,
        plain(format!(
            "[after training is done] datetime: {}",
            date.datetime(host.clock())
        )),
    );
    Ok(elapsed)
}

/// One step: the bars redraw a few times while its time passes.
fn play_step(
    host: &Host,
    plan: &Plan,
    records: &[StepRecord],
    r: &StepRecord,
    live: &mut LiveBlock,
    start: Duration,
) -> Result<(), Stop> {
    if !host.is_terminal() {
        return host.sleep_ms(r.time_ms);
    }
    let frames = (r.time_ms / 140).clamp(1, 10);
    for i in 0..frames {
        let elapsed = seconds(host.clock() - start);
        let frac = i as f64 / frames as f64;
        live.draw_spans(
            host,
            &status_lines(host, plan, records, r.step - 1, frac, elapsed),
        );
        let slice = r.time_ms * (i + 1) / frames - r.time_ms * i / frames;
        host.sleep_ms(slice)?;
    }
    Ok(())
}

/// Megatron's memory report after the first iteration, from the same
/// number the GPU grid shows (nvidia-smi = reserved + CUDA context).
fn memory_report(plan: &Plan, width: usize) -> Line {
    let used_mb = plan.mem_fraction * plan.gpu.mem_mib as f64;
    let reserved = used_mb - 530.0;
    let fields = [
        format!("allocated: {:.1}", reserved * 0.81),
        format!("max allocated: {:.1}", reserved * 0.94),
        format!("reserved: {reserved:.1}"),
        format!("max reserved: {reserved:.1}"),
    ];
    let mut line = " [Rank 0] (after 1 iterations) memory (MB)".to_owned();
    for f in fields {
        if line.len() + f.len() + 3 <= width {
            line.push_str(" | ");
            line.push_str(&f);
        }
    }
    styled(line, DIM)
}

/// Validation: a start line, its own bar, then Megatron's loss/PPL box.
fn validate(host: &Host, plan: &Plan, records: &[StepRecord], step: u32) -> Result<(), Stop> {
    let v = sim::validation(plan, records, step);
    say(
        host,
        styled(
            format!(
                " > evaluating on the validation set at iteration {step} ({} iterations) ...",
                plan.eval_iters
            ),
            INFO,
        ),
    );
    let busy = sim::gpu_snapshot(plan, step, Activity::Validating);
    let (u_lo, u_hi) = busy.iter().fold((u32::MAX, 0), |(lo, hi), g| {
        (lo.min(g.util), hi.max(g.util))
    });
    say(
        host,
        styled(
            format!(
                "  [gpu-monitor] {} GPUs in forward passes: util {u_lo}-{u_hi}%",
                plan.world()
            ),
            DIM,
        ),
    );
    let ideal_ms = sim::ideal_step_seconds(
        &plan.model,
        &plan.gpu,
        &plan.layout,
        plan.world(),
        plan.mfu_base,
    ) * 1000.0;
    let iter_ms = ((ideal_ms / 3.0).round() as u64).max(20);
    let start = host.clock();
    let mut live = LiveBlock::new();
    let total = plan.eval_iters as u64;
    let every = if host.is_terminal() { 1 } else { total };
    for i in 1..=total {
        host.sleep_ms(iter_ms)?;
        if i % every == 0 || i == total {
            let elapsed = seconds(host.clock() - start);
            let line = tqdm(
                host,
                "validation ",
                &Progress {
                    n: i,
                    total,
                    elapsed_s: elapsed,
                    eta_s: Some((total - i) as f64 * iter_ms as f64 / 1000.0),
                    per_item_s: Some(iter_ms as f64 / 1000.0),
                },
                PLAIN,
            );
            live.draw_spans(host, &[line]);
        }
    }
    live.finish(host);
    let line = format::validation_line(step, v.loss, max_width(host));
    let rule = "-".repeat(line.len().min(max_width(host)));
    say(host, styled(rule.clone(), DIM));
    say(host, styled(line, BOLD));
    say(host, styled(rule, DIM));
    Ok(())
}

/// A blocking checkpoint save: the GPUs idle while the bytes go out.
fn save_checkpoint(host: &Host, plan: &Plan, at: u32) -> Result<(), Stop> {
    let c = sim::checkpoint(plan, at);
    let step = c.step;
    let max = max_width(host);
    let head = format!("saving checkpoint at iteration {step:>8} to ");
    let tail = " in torch_dist format";
    if head.len() + plan.ckpt_dir.len() + tail.len() <= max {
        say(host, styled(format!("{head}{}{tail}", plan.ckpt_dir), INFO));
    } else {
        say(
            host,
            styled(
                format!("saving checkpoint at iteration {step:>8}{tail} to"),
                INFO,
            ),
        );
        say(
            host,
            styled(format!("  {}", fit_path(&plan.ckpt_dir, max - 2)), INFO),
        );
    }
    say(
        host,
        plain(pick(
            max,
            &[
                format!(
                    "  {} = {} params x {} B (bf16 weights, fp32 master copy, Adam m and v)",
                    format::gb(c.bytes as f64),
                    format::params(plan.params),
                    sim::CKPT_BYTES_PER_PARAM
                ),
                format!(
                    "  {} = {} params x {} B (bf16 + fp32 master + Adam m, v)",
                    format::gb(c.bytes as f64),
                    format::params(plan.params),
                    sim::CKPT_BYTES_PER_PARAM
                ),
            ],
        )),
    );
    let idle = sim::gpu_snapshot(plan, step, Activity::Saving);
    let util_max = idle.iter().map(|g| g.util).max().unwrap_or(0);
    let (p_lo, p_hi) = idle.iter().fold((u32::MAX, 0), |(lo, hi), g| {
        (lo.min(g.power), hi.max(g.power))
    });
    say(
        host,
        styled(
            format!(
                "  [gpu-monitor] {} GPUs waiting on I/O: util 0-{util_max}%, {p_lo}-{p_hi} W",
                plan.world()
            ),
            DIM,
        ),
    );
    let total_ms = (c.seconds * 1000.0).round() as u64;
    let frames = (total_ms / 150).clamp(2, 40);
    let mut live = LiveBlock::new();
    for i in 1..=frames {
        host.sleep_ms(total_ms * i / frames - total_ms * (i - 1) / frames)?;
        if !host.is_terminal() && i < frames {
            continue;
        }
        let done = c.bytes as f64 * i as f64 / frames as f64;
        let elapsed = (total_ms * i / frames) as f64 / 1000.0;
        let left = format!("  writing {:>3}%|", format::percent(i, frames));
        let right = format!(
            "| {}/{} [{}<{}, {:.1} GB/s]",
            format::gb(done).replace(" GB", "").replace(" TB", ""),
            format::gb(c.bytes as f64),
            format::tqdm_time(elapsed),
            format::tqdm_time(c.seconds - elapsed),
            c.gbps
        );
        let room = max.saturating_sub(left.len() + right.len()).clamp(5, 40);
        let bar = host.progress_bar(i as f64 / frames as f64, room);
        live.draw_spans(host, &[vec![(left, PLAIN), (bar, GOOD), (right, PLAIN)]]);
    }
    live.finish(host);
    let per_file = format::gb(c.bytes as f64 / c.files as f64);
    say(
        host,
        styled(
            pick(
                max,
                &[
                    format!(
                        "  iter_{step:07}/: {} x __<rank>_0.distcp ({per_file} each), .metadata, common.pt",
                        c.files
                    ),
                    format!(
                        "  iter_{step:07}/: {} x .distcp ({per_file} each), .metadata",
                        c.files
                    ),
                ],
            ),
            DIM,
        ),
    );
    let done = format!("  successfully saved checkpoint from iteration {step:>8} to ");
    let ranks = format!(" [ t 1/{}, p 1/{} ]", plan.layout.tp, plan.layout.pp);
    let line = pick(
        max,
        &[
            format!("{done}{}{ranks}", c.dir),
            format!(
                "  successfully saved checkpoint from iteration {step:>8}{ranks} in {:.2} s",
                c.seconds
            ),
            format!(
                "  successfully saved checkpoint from iteration {step}{ranks} in {:.2} s",
                c.seconds
            ),
        ],
    );
    say(host, plain(line));
    say(
        host,
        styled(format!("  latest_checkpointed_iteration.txt: {step}"), DIM),
    );
    Ok(())
}

/// The last checkpoint becomes Hugging Face safetensors shards.
fn export(host: &Host, plan: &Plan, rng: &mut StdRng) -> RunResult {
    let max = max_width(host);
    let last = sim::checkpoint_steps(plan)
        .last()
        .copied()
        .unwrap_or(plan.steps);
    let weights = sim::weight_bytes(plan.params) as u64;
    let shards = sim::hf_shards(weights);
    say(
        host,
        styled(
            format!(
                "> converting iter_{last:07} to Hugging Face safetensors: {}",
                plan.model.name
            ),
            BOLD,
        ),
    );
    for line in [
        "$ python tools/checkpoint/convert.py --model-type GPT \\".to_owned(),
        "    --loader mcore --saver llama_hf --megatron-path . \\".to_owned(),
        format!(
            "    --load-dir {} \\",
            fit_path(&plan.ckpt_dir, max.saturating_sub(17))
        ),
        format!(
            "    --save-dir {}",
            fit_path(&plan.hf_dir, max.saturating_sub(15))
        ),
    ] {
        say(host, styled(line, DIM));
    }
    host.sleep_ms(800)?;
    // Read the bf16 weights back from the parallel filesystem.
    let read_ms = (weights as f64 / (plan.fs_gbps * 1e9) * 1000.0) as u64 + 500;
    let files = (plan.layout.tp * plan.layout.pp) as u64;
    let start = host.clock();
    let mut live = LiveBlock::new();
    let frames = (read_ms / 150).clamp(2, 30);
    for i in 1..=frames {
        host.sleep_ms(read_ms * i / frames - read_ms * (i - 1) / frames)?;
        if !host.is_terminal() && i < frames {
            continue;
        }
        let n = (files * i / frames).max(1);
        let elapsed = seconds(host.clock() - start);
        let line = tqdm(
            host,
            "loading model shards ",
            &Progress {
                n,
                total: files,
                elapsed_s: elapsed,
                eta_s: Some(read_ms as f64 / 1000.0 - elapsed),
                per_item_s: Some(read_ms as f64 / 1000.0 / files as f64),
            },
            PLAIN,
        );
        live.draw_spans(host, &[line]);
    }
    live.finish(host);
    say(
        host,
        plain(format!(
            " > saving to {}",
            fit_path(&plan.hf_dir, max.saturating_sub(13))
        )),
    );
    let n = shards.len();
    for (i, bytes) in shards.iter().enumerate() {
        let name = if n == 1 {
            "model.safetensors".to_owned()
        } else {
            format!("model-{:05}-of-{n:05}.safetensors", i + 1)
        };
        let write_ms = (*bytes as f64 / (plan.export_gbps * 1e9) * 1000.0) as u64;
        host.sleep_ms(write_ms)?;
        say(
            host,
            vec![
                (format!("  {name:<36} "), PLAIN),
                (format::gb(*bytes as f64), BOLD),
            ],
        );
    }
    let mut extras = vec!["config.json", "generation_config.json"];
    if n > 1 {
        extras.insert(0, "model.safetensors.index.json");
    }
    extras.extend([
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
    ]);
    for name in extras {
        host.sleep_ms(rng.random_range(40..140))?;
        say(host, styled(format!("  {name}"), DIM));
    }
    say(
        host,
        vec![
            (" > saved ".to_owned(), GOOD),
            (
                pick(
                    max.saturating_sub(9),
                    &[
                        format!(
                            "{}: {} parameters, {} in bf16, {} safetensors file{}",
                            plan.model.name,
                            format::grouped(plan.params),
                            format::gb(weights as f64),
                            n,
                            if n == 1 { "" } else { "s" }
                        ),
                        format!(
                            "{}: {} parameters, {}",
                            plan.model.name,
                            format::params(plan.params),
                            format::gb(weights as f64)
                        ),
                    ],
                ),
                PLAIN,
            ),
        ],
    );
    host.sleep_ms(1000)?;
    Ok(())
}

/// The summary's rows: what was trained, how long, how well, and where.
/// Pure, so the tests can check that it names the model that was trained.
pub fn summary_rows(
    plan: &Plan,
    records: &[StepRecord],
    total_s: f64,
    train_s: f64,
    max: usize,
) -> Vec<(&'static str, String)> {
    let last = records.last().expect("a run has steps");
    let step_s =
        records.iter().map(|r| r.time_ms as f64).sum::<f64>() / records.len() as f64 / 1000.0;
    let tokens_per_s = plan.batch_tokens() as f64 / step_s;
    let mfu = tokens_per_s / plan.world() as f64 * sim::flops_per_token(&plan.model)
        / 1e12
        / plan.gpu.peak_tflops;
    let val = sim::validation_steps(plan)
        .last()
        .map(|&s| sim::validation(plan, records, s));
    let last_save = sim::checkpoint_steps(plan)
        .last()
        .copied()
        .unwrap_or(plan.steps);
    let hf_bytes = sim::weight_bytes(plan.params);
    let s = |n: u32| if n == 1 { "" } else { "s" };
    vec![
        (
            "model",
            format!(
                "{}, {} parameters ({})",
                plan.model.name,
                format::params(plan.params),
                format::grouped(plan.params)
            ),
        ),
        (
            "cluster",
            format!(
                "{} x {} on {} node{}",
                plan.world(),
                plan.gpu.name,
                plan.nodes,
                s(plan.nodes)
            ),
        ),
        (
            "steps",
            format!(
                "{}/{}, {} samples, {} tokens",
                last.step,
                plan.steps,
                format::grouped(last.consumed_samples),
                format::si(last.tokens_seen as f64)
            ),
        ),
        (
            "time",
            format!(
                "{} total, {} training",
                format::tqdm_time(total_s),
                format::tqdm_time(train_s)
            ),
        ),
        (
            "throughput",
            format!(
                "{step_s:.2} s/step, {} tok/s, MFU {:.1}%",
                format::si(tokens_per_s),
                mfu * 100.0
            ),
        ),
        (
            "train loss",
            format!(
                "{} (ppl {})",
                format::loss(last.loss),
                format::ppl(last.loss)
            ),
        ),
        (
            "val loss",
            val.map_or("-".to_owned(), |v| {
                format!(
                    "{} (ppl {}) at iteration {}",
                    format::loss(v.loss),
                    format::ppl(v.loss),
                    v.step
                )
            }),
        ),
        (
            "checkpoint",
            fit_path(
                &sim::checkpoint(plan, last_save).dir,
                max.saturating_sub(16),
            ),
        ),
        ("HF weights", fit_path(&plan.hf_dir, max.saturating_sub(16))),
        (
            "",
            format!(
                "{} safetensors file{}, {} ({})",
                sim::hf_shards(hf_bytes as u64).len(),
                s(sim::hf_shards(hf_bytes as u64).len() as u32),
                format::gb(hf_bytes),
                plan.model.name
            ),
        ),
    ]
}

/// The completion summary.
fn summary(host: &Host, plan: &Plan, records: &[StepRecord], train_s: f64) -> RunResult {
    let max = max_width(host);
    let title = " Training complete ";
    let side = max.saturating_sub(title.len()).min(60) / 2;
    say(
        host,
        styled(
            format!("{}{title}{}", "=".repeat(side), "=".repeat(side)),
            GOOD.bold(),
        ),
    );
    let total_s = seconds(host.clock());
    for (name, value) in summary_rows(plan, records, total_s, train_s, max) {
        say(host, vec![(format!("  {name:<12} "), DIM), (value, PLAIN)]);
        host.sleep_ms(120)?;
    }
    say(
        host,
        styled("=".repeat(2 * side + title.len()), GOOD.bold()),
    );
    Ok(())
}
