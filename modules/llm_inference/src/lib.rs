//! A vLLM OpenAI-compatible server: start-up (model, tensor parallelism,
//! weights, memory profile, KV-cache blocks, CUDA graphs, routes, Uvicorn),
//! then serving traffic with access-log lines and the periodic engine
//! metrics, and finally a shutdown with a latency summary.
//!
//! The numbers hang together: KV blocks are what fits in the memory left
//! after the weights (see [`model`]), and the throughputs, running and
//! pending counts, KV usage and latencies are read off a simulated engine
//! (see [`sim`]) whose speed follows the model size and the GPU.

mod model;
mod sim;

use std::time::Duration;

use plugin_api::kit::{self, SimDate};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

use model::{Gpu, ModelSpec, Plan};
use sim::{Engine, Finished, Request};

const MODELS: &str = include_str!("../data/models.txt");
const GPUS: &str = include_str!("../data/gpus.txt");
const PROMPTS: &str = include_str!("../data/prompts.txt");

const VLLM_VERSION: &str = "0.6.4.post1";
/// One step of the serving simulation.
const TICK_MS: u64 = 200;
/// vLLM logs engine metrics this often.
const METRICS_EVERY_MS: u64 = 5_000;

const DIM: Style = Style::plain().dim();

/// One server session.
pub struct Llm {
    rng: StdRng,
    date: SimDate,
    session: Duration,
    model: ModelSpec,
    gpu: Gpu,
    plan: Plan,
    /// Requests per second the clients send, on average.
    rate: f64,
    /// Whether the request logger is on (no `--disable-log-requests`).
    log_requests: bool,
    pid: u32,
    clients: Vec<String>,
}

impl Module for Llm {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let wanted: String = options.parse("gpu").unwrap_or_else(|_| "auto".to_owned());
        let models: Vec<ModelSpec> = kit::data_lines(MODELS)
            .into_iter()
            .filter_map(ModelSpec::parse)
            .collect();
        let gpus: Vec<Gpu> = kit::data_lines(GPUS)
            .into_iter()
            .filter_map(Gpu::parse)
            .filter(|g| wanted == "auto" || gpu_matches(g.name, &wanted))
            .collect();
        if gpus.is_empty() {
            return Err(format!("option `gpu`: no GPU matches `{wanted}`"));
        }
        let (model, gpu, plan) = choose_deployment(&mut rng, &models, &gpus)
            .ok_or_else(|| "no model fits on the chosen GPU".to_owned())?;
        let rate = arrival_rate(&mut rng, &model, &gpu, &plan);
        let clients = (0..rng.random_range(2..6))
            .map(|_| {
                format!(
                    "10.0.{}.{}",
                    rng.random_range(0..8),
                    rng.random_range(2..250)
                )
            })
            .collect();
        Ok(Llm {
            date: SimDate::from_seed(seed),
            session: Duration::from_secs(rng.random_range(80..230)),
            model,
            gpu,
            plan,
            rate,
            log_requests: rng.random_bool(0.5),
            pid: rng.random_range(1000..99_000),
            clients,
            rng,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.start_up(host)?;
        let (finished, unfinished) = self.serve(host)?;
        self.shut_down(host, &unfinished)?;
        for line in summary_lines(&finished) {
            host.println(&kit::fit(&line, host.width().saturating_sub(1)));
            host.sleep_ms(15)?;
        }
        Ok(())
    }
}

/// A model, a GPU and the smallest tensor parallelism it fits on, with a
/// context length the KV cache can hold.
fn choose_deployment(
    rng: &mut StdRng,
    models: &[ModelSpec],
    gpus: &[Gpu],
) -> Option<(ModelSpec, Gpu, Plan)> {
    for _ in 0..500 {
        let model = *models.choose(rng)?;
        let gpu = *gpus.choose(rng)?;
        let len = *[4096u64, 8192, 8192, 16384, 32768].choose(rng)?;
        if len > model.max_context {
            continue;
        }
        let found = [1, 2, 4, 8].into_iter().find_map(|tp| {
            let plan = model::plan(&model, &gpu, tp, len)?;
            // Leave room for a useful cache, not just one sequence.
            (plan.kv_cache_gib > plan.weights_gib * 0.25 || plan.kv_cache_gib > 8.0).then_some(plan)
        });
        if let Some(plan) = found {
            return Some((model, gpu, plan));
        }
    }
    None
}

/// Enough traffic to keep the engine honestly busy, never more lines than
/// a terminal can follow.
fn arrival_rate(rng: &mut StdRng, model: &ModelSpec, gpu: &Gpu, plan: &Plan) -> f64 {
    let step = model::decode_step_ms(model, gpu, plan, 64, 64 * 1200);
    let tokens_per_s = 64.0 * 1000.0 / step;
    let capacity = tokens_per_s / 300.0;
    (capacity * rng.random_range(0.25..0.85)).clamp(0.3, 6.0)
}

/// Whether the data file's `NVIDIA-L40S` is what `--set ...gpu=L40S` asks
/// for (and `L4` is not `L40S`; `H100` covers both H100 variants).
fn gpu_matches(name: &str, wanted: &str) -> bool {
    let short = name
        .trim_start_matches("NVIDIA-")
        .trim_start_matches("GeForce-");
    short == wanted || short.starts_with(&format!("{wanted}-"))
}

/// How the model's chat template opens a user turn, as the request logger
/// shows the rendered prompt.
fn chat_template_start(model: &str) -> &'static str {
    let name = model.to_lowercase();
    if name.contains("llama") || name.contains("hermes") || name.contains("aya") {
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\\n\\n"
    } else if name.contains("mistral") || name.contains("mixtral") {
        "<s>[INST] "
    } else if name.contains("gemma") {
        "<bos><start_of_turn>user\\n"
    } else if name.contains("phi") {
        "<|user|>\\n"
    } else {
        "<|im_start|>user\\n"
    }
}

/// One latency measure of a finished request.
type Metric = fn(&Finished) -> f64;

/// The latency summary printed after shutdown.
fn summary_lines(finished: &[Finished]) -> Vec<String> {
    if finished.len() < 2 {
        return Vec::new();
    }
    let first = finished
        .iter()
        .map(|f| f.request.arrival_ms)
        .fold(f64::MAX, f64::min);
    let last = finished.iter().map(|f| f.finish_ms).fold(0.0, f64::max);
    let secs = ((last - first) / 1000.0).max(0.001);
    let input: u64 = finished.iter().map(|f| f.request.prompt).sum();
    let output: u64 = finished.iter().map(|f| f.request.output).sum();
    let row = |label: &str, value: String| format!("{label:<40} {value}");
    let mut out = vec![
        "============ Serving Benchmark Result ============".to_owned(),
        row("Successful requests:", finished.len().to_string()),
        row("Benchmark duration (s):", format!("{secs:.2}")),
        row("Total input tokens:", input.to_string()),
        row("Total generated tokens:", output.to_string()),
        row(
            "Request throughput (req/s):",
            format!("{:.2}", finished.len() as f64 / secs),
        ),
        row(
            "Output token throughput (tok/s):",
            format!("{:.2}", output as f64 / secs),
        ),
        row(
            "Total Token throughput (tok/s):",
            format!("{:.2}", (input + output) as f64 / secs),
        ),
    ];
    let sections: [(&str, &str, Metric); 3] = [
        (
            "---------------Time to First Token----------------",
            "TTFT",
            Finished::ttft,
        ),
        (
            "-----Time per Output Token (excl. 1st token)------",
            "TPOT",
            Finished::tpot,
        ),
        (
            "----------------End-to-end Latency----------------",
            "E2EL",
            Finished::e2e,
        ),
    ];
    for (title, short, metric) in sections {
        let mut values: Vec<f64> = finished.iter().map(metric).collect();
        values.sort_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        out.push(title.to_owned());
        out.push(row(&format!("Mean {short} (ms):"), format!("{mean:.2}")));
        out.push(row(
            &format!("Median {short} (ms):"),
            format!("{:.2}", model::percentile(&values, 50.0)),
        ));
        out.push(row(
            &format!("P90 {short} (ms):"),
            format!("{:.2}", model::percentile(&values, 90.0)),
        ));
        out.push(row(
            &format!("P99 {short} (ms):"),
            format!("{:.2}", model::percentile(&values, 99.0)),
        ));
    }
    out.push("==================================================".to_owned());
    out
}

impl Llm {
    /// `INFO 03-14 09:21:33 file.py:123] `
    fn prefix(&self, host: &Host, level: &str, source: &str) -> String {
        let stamp = self.date.datetime(host.clock());
        format!("{level} {} {source}] ", &stamp[5..])
    }

    /// A vLLM log line, wrapped at the terminal's edge.
    fn log(&self, host: &Host, source: &str, message: &str) {
        let prefix = self.prefix(host, "INFO", source);
        kit::println_hard_wrapped(host, &[(&prefix, DIM), (message, Style::plain())]);
    }

    fn warn(&self, host: &Host, source: &str, message: &str) {
        let prefix = self.prefix(host, "WARNING", source);
        kit::println_hard_wrapped(
            host,
            &[
                (&prefix, Style::fg(Color::Yellow)),
                (message, Style::plain()),
            ],
        );
    }

    /// A line from a tensor-parallel worker process.
    fn worker_log(&self, host: &Host, rank: u64, source: &str, message: &str) {
        let worker = format!("(VllmWorkerProcess pid={}) ", self.pid + rank as u32);
        let prefix = self.prefix(host, "INFO", source);
        kit::println_hard_wrapped(
            host,
            &[
                (&worker, Style::fg(Color::Cyan)),
                (&prefix, DIM),
                (message, Style::plain()),
            ],
        );
    }

    /// Uvicorn's own `INFO:     ...` lines.
    fn uvicorn(&self, host: &Host, message: &str) {
        kit::println_hard_wrapped(
            host,
            &[
                ("INFO", Style::fg(Color::Green)),
                (":     ", Style::plain()),
                (message, Style::plain()),
            ],
        );
    }

    fn access(&mut self, host: &Host, method: &str, path: &str) {
        let client = self
            .clients
            .choose(&mut self.rng)
            .cloned()
            .unwrap_or_else(|| "10.0.0.5".into());
        let port = self.rng.random_range(32_768..61_000);
        let from = format!(":     {client}:{port} - ");
        let request = format!("\"{method} {path} HTTP/1.1\"");
        kit::println_hard_wrapped(
            host,
            &[
                ("INFO", Style::fg(Color::Green)),
                (&from, Style::plain()),
                (&request, Style::plain().bold()),
                (" ", Style::plain()),
                ("200 OK", Style::fg(Color::Green)),
            ],
        );
    }

    fn start_up(&mut self, host: &Host) -> RunResult {
        let (m, p) = (self.model, self.plan);
        let tp = p.tp;
        let command = format!(
            "vllm serve {} --tensor-parallel-size {tp} --max-model-len {}",
            m.name, p.max_model_len
        );
        kit::println_hard_wrapped(
            host,
            &[
                ("$ ", Style::fg(Color::Blue)),
                (&command, Style::plain().bold()),
            ],
        );
        host.sleep_ms(self.rng.random_range(2500..6000))?;
        self.log(
            host,
            "api_server.py:585",
            &format!("vLLM API server version {VLLM_VERSION}"),
        );
        self.log(
            host,
            "api_server.py:586",
            &format!(
                "args: Namespace(subparser='serve', model_tag='{0}', host=None, port=8000, uvicorn_log_level='info', allow_credentials=False, allowed_origins=['*'], api_key=None, lora_modules=None, chat_template=None, response_role='assistant', model='{0}', tokenizer=None, dtype='auto', max_model_len={1}, tensor_parallel_size={tp}, block_size=16, swap_space=4, gpu_memory_utilization=0.9, max_num_seqs=256, enforce_eager=False, disable_log_requests={2}, disable_log_stats=False)",
                m.name,
                p.max_model_len,
                if self.log_requests { "False" } else { "True" }
            ),
        );
        host.sleep_ms(self.rng.random_range(1500..4000))?;
        self.log(
            host,
            "config.py:350",
            "This model supports multiple tasks: {'generate', 'embedding'}. Defaulting to 'generate'.",
        );
        if tp > 1 {
            self.log(
                host,
                "config.py:1020",
                "Defaulting to use mp for distributed inference",
            );
        }
        self.log(
            host,
            "llm_engine.py:249",
            &format!(
                "Initializing an LLM engine (v{VLLM_VERSION}) with config: model='{0}', speculative_config=None, tokenizer='{0}', skip_tokenizer_init=False, tokenizer_mode=auto, revision=None, trust_remote_code=False, dtype=torch.bfloat16, max_seq_len={1}, download_dir=None, load_format=LoadFormat.AUTO, tensor_parallel_size={tp}, pipeline_parallel_size=1, disable_custom_all_reduce=False, quantization=None, enforce_eager=False, kv_cache_dtype=auto, device_config=cuda, seed=0, served_model_name={0}, num_scheduler_steps=1, chunked_prefill_enabled=False, enable_prefix_caching=False, use_async_output_proc=True)",
                m.name, p.max_model_len
            ),
        );
        host.sleep_ms(self.rng.random_range(500..2000))?;
        for rank in 1..tp {
            self.worker_log(
                host,
                rank,
                "multiproc_worker_utils.py:215",
                "Worker ready; awaiting tasks",
            );
            host.sleep_ms(self.rng.random_range(50..300))?;
        }
        self.log(host, "selector.py:135", "Using Flash Attention backend.");
        if tp > 1 {
            self.log(host, "utils.py:961", "Found nccl from library libnccl.so.2");
            self.log(host, "pynccl.py:69", "vLLM is using nccl==2.21.5");
            let devices: Vec<String> = (0..tp).map(|d| d.to_string()).collect();
            self.log(
                host,
                "custom_all_reduce_utils.py:242",
                &format!(
                    "reading GPU P2P access cache from /root/.cache/vllm/gpu_p2p_access_cache_for_{}.json",
                    devices.join(",")
                ),
            );
            host.sleep_ms(self.rng.random_range(1000..3000))?;
        }
        self.log(
            host,
            "model_runner.py:1072",
            &format!("Starting to load model {}...", m.name),
        );
        self.log(
            host,
            "weight_utils.py:243",
            "Using model weights format ['*.safetensors']",
        );
        self.load_weights(host)?;
        self.log(
            host,
            "model_runner.py:1077",
            &format!("Loading model weights took {:.4} GB", p.weights_gib),
        );
        host.sleep_ms(self.rng.random_range(2000..6000))?;
        let activation = p.peak_torch_gib - p.weights_gib;
        self.log(
            host,
            "worker.py:232",
            &format!(
                "Memory profiling results: total_gpu_memory={:.2}GiB initial_memory_usage={:.2}GiB peak_torch_memory={:.2}GiB memory_usage_post_profile={:.2}GiB non_torch_memory={:.2}GiB kv_cache_size={:.2}GiB gpu_memory_utilization=0.90",
                self.gpu.memory_gib,
                p.weights_gib + p.non_torch_gib + 0.02,
                p.weights_gib + activation,
                p.weights_gib + p.non_torch_gib + 0.06,
                p.non_torch_gib,
                p.kv_cache_gib
            ),
        );
        let executor = if tp > 1 {
            "distributed_gpu_executor.py"
        } else {
            "gpu_executor.py"
        };
        self.log(
            host,
            &format!("{executor}:57"),
            &format!(
                "# GPU blocks: {}, # CPU blocks: {}",
                p.gpu_blocks, p.cpu_blocks
            ),
        );
        self.log(
            host,
            &format!("{executor}:61"),
            &format!(
                "Maximum concurrency for {} tokens per request: {:.2}x",
                p.max_model_len,
                p.max_concurrency()
            ),
        );
        self.capture_graphs(host)?;
        self.routes(host)?;
        Ok(())
    }

    /// tqdm's "Loading safetensors checkpoint shards" bar, one shard per
    /// ~5 GB of weights, loaded in parallel by the workers.
    fn load_weights(&mut self, host: &Host) -> RunResult {
        let total_gb = self.model.params_b * 2.0;
        let shards = ((total_gb / 5.0).ceil() as u64).max(1);
        let per_shard_ms =
            (5_000.0 / self.rng.random_range(1.2..3.5) / self.plan.tp as f64 * 1.6) as u64 + 200;
        let start = host.clock();
        let mut last_quarter = 0;
        for done in 0..=shards {
            if done > 0 {
                host.sleep_ms(per_shard_ms + self.rng.random_range(0..per_shard_ms / 3 + 1))?;
            }
            let quarter = done * 4 / shards;
            if !host.is_terminal() && done != 0 && done != shards && quarter == last_quarter {
                continue;
            }
            last_quarter = quarter;
            let elapsed = (host.clock() - start).as_secs_f64();
            let rate = if done > 0 { elapsed / done as f64 } else { 0.0 };
            let eta = rate * (shards - done) as f64;
            let speed = if done > 0 {
                format!("{rate:.2}s/it")
            } else {
                "?it/s".to_owned()
            };
            let eta = if done > 0 { mmss(eta) } else { "?".to_owned() };
            let line = format!(
                "Loading safetensors checkpoint shards: {:>3}% Completed | {done}/{shards} [{}<{eta}, {speed}]",
                done * 100 / shards,
                mmss(elapsed)
            );
            if host.is_terminal() {
                host.erase_line();
                host.print(&kit::fit(&line, host.width().saturating_sub(1)));
            } else {
                host.println(&kit::fit(&line, host.width().saturating_sub(1)));
            }
        }
        if host.is_terminal() {
            host.newline();
        }
        host.newline();
        Ok(())
    }

    fn capture_graphs(&mut self, host: &Host) -> RunResult {
        self.log(
            host,
            "model_runner.py:1400",
            "Capturing cudagraphs for decoding. This may lead to unexpected consequences if the model is not static. To run the model in eager mode, set 'enforce_eager=True' or use '--enforce-eager' in the CLI.",
        );
        self.log(
            host,
            "model_runner.py:1404",
            "If out-of-memory error occurs during cudagraph capture, consider decreasing `gpu_memory_utilization` or switching to eager mode. You can also reduce the `max_num_seqs` as needed to decrease memory usage.",
        );
        let start = host.clock();
        host.sleep_ms(self.rng.random_range(5_000..18_000))?;
        let secs = (host.clock() - start).as_secs();
        let took = self.rng.random_range(0.3..1.4);
        for rank in 1..self.plan.tp {
            self.worker_log(
                host,
                rank,
                "model_runner.py:1518",
                &format!("Graph capturing finished in {secs} secs, took {took:.2} GiB"),
            );
        }
        self.log(
            host,
            "model_runner.py:1518",
            &format!("Graph capturing finished in {secs} secs, took {took:.2} GiB"),
        );
        Ok(())
    }

    fn routes(&mut self, host: &Host) -> RunResult {
        host.sleep_ms(self.rng.random_range(800..2500))?;
        self.log(host, "launcher.py:19", "Available routes are:");
        for (route, methods) in [
            ("/openapi.json", "HEAD, GET"),
            ("/docs", "HEAD, GET"),
            ("/docs/oauth2-redirect", "HEAD, GET"),
            ("/redoc", "HEAD, GET"),
            ("/health", "GET"),
            ("/tokenize", "POST"),
            ("/detokenize", "POST"),
            ("/v1/models", "GET"),
            ("/version", "GET"),
            ("/v1/chat/completions", "POST"),
            ("/v1/completions", "POST"),
            ("/v1/embeddings", "POST"),
        ] {
            self.log(
                host,
                "launcher.py:27",
                &format!("Route: {route}, Methods: {methods}"),
            );
        }
        host.sleep_ms(self.rng.random_range(100..400))?;
        self.uvicorn(host, &format!("Started server process [{}]", self.pid));
        self.uvicorn(host, "Waiting for application startup.");
        self.uvicorn(host, "Application startup complete.");
        kit::println_hard_wrapped(
            host,
            &[
                ("INFO", Style::fg(Color::Green)),
                (":     Uvicorn running on ", Style::plain()),
                ("http://0.0.0.0:8000", Style::plain().bold()),
                (" (Press CTRL+C to quit)", Style::plain()),
            ],
        );
        Ok(())
    }

    /// Traffic until the session is over; returns the finished requests
    /// and the ids of those still in the engine.
    fn serve(&mut self, host: &Host) -> Result<(Vec<Finished>, Vec<String>), plugin_api::Error> {
        let mut engine = Engine::new(self.model, self.gpu, self.plan);
        let mut finished = Vec::new();
        let mut now = host.clock().as_millis() as f64;
        let mut next_arrival = now + self.next_gap();
        let mut next_metrics = now + METRICS_EVERY_MS as f64;
        let mut next_health = now + self.rng.random_range(2_000..10_000) as f64;
        let mut next_scrape = now + self.rng.random_range(3_000..15_000) as f64;
        let mut idle_logged = true;
        let prompts = kit::data_lines(PROMPTS);
        // Traffic comes in waves: the rate swings around its average.
        let wave = self.rng.random_range(40_000.0..120_000.0);
        while host.clock() < self.session {
            let end = now + TICK_MS as f64;
            while next_arrival < end {
                let request = self.new_request(host, next_arrival, &prompts);
                engine.submit(request);
                let swing = 1.0 + 0.5 * (next_arrival / wave * std::f64::consts::TAU).sin();
                next_arrival += self.next_gap() / swing;
            }
            let outcome = engine.step(now, TICK_MS as f64);
            for id in &outcome.preempted {
                self.warn(
                    host,
                    "scheduler.py:1560",
                    &format!("Sequence group {id} is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space. This can affect the end-to-end performance. Increase gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory. total_num_cumulative_preemption={}", engine.preemptions),
                );
            }
            for done in outcome.finished {
                let path = if done.request.id.starts_with("chatcmpl") {
                    "/v1/chat/completions"
                } else {
                    "/v1/completions"
                };
                // Streamed responses were logged when they started.
                if !done.request.streamed {
                    self.access(host, "POST", path);
                }
                finished.push(done);
            }
            if end >= next_health {
                self.access(host, "GET", "/health");
                next_health += 10_000.0;
            }
            if end >= next_scrape {
                self.access(host, "GET", "/metrics");
                next_scrape += 15_000.0;
            }
            if end >= next_metrics {
                next_metrics += METRICS_EVERY_MS as f64;
                let (prompt_tokens, gen_tokens) = engine.take_counters();
                let busy =
                    !engine.running.is_empty() || !engine.waiting.is_empty() || prompt_tokens > 0;
                // An idle engine stops logging after one last all-zero line.
                if busy || !idle_logged {
                    idle_logged = !busy;
                    let secs = METRICS_EVERY_MS as f64 / 1000.0;
                    self.log(
                        host,
                        "metrics.py:449",
                        &format!(
                            "Avg prompt throughput: {:.1} tokens/s, Avg generation throughput: {:.1} tokens/s, Running: {} reqs, Swapped: 0 reqs, Pending: {} reqs, GPU KV cache usage: {:.1}%, CPU KV cache usage: 0.0%.",
                            prompt_tokens as f64 / secs,
                            gen_tokens / secs,
                            engine.running.len(),
                            engine.waiting.len(),
                            engine.kv_usage() * 100.0
                        ),
                    );
                }
            }
            host.sleep_ms(TICK_MS)?;
            now = end;
        }
        let unfinished = engine
            .running
            .iter()
            .chain(engine.waiting.iter())
            .map(|r| r.id.clone())
            .collect();
        Ok((finished, unfinished))
    }

    /// Milliseconds to the next request (exponential gaps: a Poisson stream).
    fn next_gap(&mut self) -> f64 {
        let u: f64 = self.rng.random_range(1e-9..1.0);
        -u.ln() / self.rate * 1000.0
    }

    /// A new request: logged by the request logger, and for streamed
    /// responses by uvicorn at once.
    fn new_request(&mut self, host: &Host, at: f64, prompts: &[&str]) -> Request {
        let chat = self.rng.random_bool(0.85);
        let streamed = self.rng.random_bool(0.5);
        let hex: String = (0..32)
            .map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap_or('0'))
            .collect();
        let id = format!("{}-{hex}", if chat { "chatcmpl" } else { "cmpl" });
        let u: f64 = self.rng.random_range(0.0..1.0);
        let prompt = (30.0 * (1.0 + 80.0 * u * u * u)) as u64;
        let v: f64 = self.rng.random_range(0.0..1.0);
        let output = (16.0 + 1200.0 * v.powf(2.5)) as u64;
        let output = output
            .min(self.plan.max_model_len.saturating_sub(prompt + 1))
            .max(1);
        if self.log_requests {
            let text = prompts.choose(&mut self.rng).copied().unwrap_or("Hello");
            let temp = *[0.0, 0.2, 0.7, 1.0].choose(&mut self.rng).unwrap_or(&0.7);
            let line = format!(
                "Received request {id}: prompt: '{}{text}...', params: SamplingParams(n=1, temperature={temp:?}, top_p=1.0, max_tokens={output}), lora_request: None.",
                chat_template_start(self.model.name)
            );
            let prefix = self.prefix(host, "INFO", "logger.py:37");
            kit::println_hard_wrapped(
                host,
                &[(&prefix, DIM), (&kit::fit(&line, 300), Style::plain())],
            );
            self.log(host, "engine.py:267", &format!("Added request {id}."));
        }
        if streamed {
            let path = if chat {
                "/v1/chat/completions"
            } else {
                "/v1/completions"
            };
            self.access(host, "POST", path);
        }
        Request {
            id,
            arrival_ms: at,
            prompt,
            output,
            generated: 0.0,
            first_token_ms: None,
            ready_ms: 0.0,
            streamed,
        }
    }

    /// Ctrl-C: in-flight requests are aborted, workers and Uvicorn stop.
    fn shut_down(&mut self, host: &Host, unfinished: &[String]) -> RunResult {
        host.println_styled("^C", Style::plain().bold());
        self.log(host, "launcher.py:57", "Shutting down FastAPI HTTP server.");
        for id in unfinished.iter().take(8) {
            self.log(
                host,
                "async_llm_engine.py:65",
                &format!("Aborted request {id}."),
            );
        }
        host.sleep_ms(self.rng.random_range(200..700))?;
        if self.plan.tp > 1 {
            self.log(
                host,
                "multiproc_worker_utils.py:140",
                "Terminating local vLLM worker processes",
            );
            for rank in 1..self.plan.tp {
                self.worker_log(
                    host,
                    rank,
                    "multiproc_worker_utils.py:247",
                    "Worker exiting",
                );
            }
        }
        self.uvicorn(host, "Shutting down");
        self.uvicorn(host, "Waiting for application shutdown.");
        self.uvicorn(host, "Application shutdown complete.");
        host.sleep_ms(self.rng.random_range(300..900))?;
        host.newline();
        Ok(())
    }
}

/// `MM:SS` as tqdm prints elapsed and remaining time.
fn mmss(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{:02}:{:02}", s / 60, s % 60)
}

plugin_api::export_module! {
    module: Llm,
    name: "llm_inference",
    version: env!("CARGO_PKG_VERSION"),
    description: "A vLLM inference server starting up and serving requests",
    signature: "vllm serve meta-llama/Llama-3.1-8B-Instruct",
    options: [
        plugin_api::option::choice(c"gpu", c"GPU the server runs on", c"auto", c"auto|H100|H200|A100|L40S|A10G|L4|RTX-4090"),
    ],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(seed: u64) -> (ModelSpec, Gpu, Plan) {
        let models: Vec<ModelSpec> = kit::data_lines(MODELS)
            .into_iter()
            .filter_map(ModelSpec::parse)
            .collect();
        let gpus: Vec<Gpu> = kit::data_lines(GPUS)
            .into_iter()
            .filter_map(Gpu::parse)
            .collect();
        choose_deployment(&mut StdRng::seed_from_u64(seed), &models, &gpus).unwrap()
    }

    #[test]
    fn deployments_fit_and_rates_are_sane() {
        for seed in 0..50 {
            let (m, g, p) = setup(seed);
            assert!(
                p.kv_block_bytes() as f64 <= (g.memory_gib * 0.9 - p.weights_gib) * 1024f64.powi(3)
            );
            let rate = arrival_rate(&mut StdRng::seed_from_u64(seed), &m, &g, &p);
            assert!((0.3..=6.0).contains(&rate));
        }
    }

    #[test]
    fn summary_percentiles_are_ordered() {
        let (m, g, p) = setup(3);
        let mut engine = Engine::new(m, g, p);
        let mut rng = StdRng::seed_from_u64(9);
        let mut finished = Vec::new();
        let mut now = 0.0;
        for i in 0..600 {
            if rng.random_bool(0.5) {
                engine.submit(Request {
                    id: format!("r{i}"),
                    arrival_ms: now,
                    prompt: rng.random_range(50..2000),
                    output: rng.random_range(10..600),
                    generated: 0.0,
                    first_token_ms: None,
                    ready_ms: 0.0,
                    streamed: false,
                });
            }
            finished.extend(engine.step(now, 200.0).finished);
            now += 200.0;
        }
        let lines = summary_lines(&finished);
        let value = |key: &str| -> f64 {
            let line = lines.iter().find(|l| l.starts_with(key)).unwrap();
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        for metric in ["TTFT", "TPOT", "E2EL"] {
            let p50 = value(&format!("Median {metric}"));
            let p90 = value(&format!("P90 {metric}"));
            let p99 = value(&format!("P99 {metric}"));
            assert!(p50 < p90 && p90 < p99, "{metric}: {p50} {p90} {p99}");
        }
        assert_eq!(value("Successful requests:") as usize, finished.len());
        assert!(lines.iter().all(|l| l.chars().count() <= 60));
    }

    #[test]
    fn gpu_option_picks_the_right_cards() {
        assert!(gpu_matches("NVIDIA-L4", "L4"));
        assert!(!gpu_matches("NVIDIA-L40S", "L4"));
        assert!(gpu_matches("NVIDIA-H100-PCIe", "H100"));
        assert!(gpu_matches("NVIDIA-A100-SXM4-40GB", "A100"));
        assert!(gpu_matches("NVIDIA-GeForce-RTX-4090", "RTX-4090"));
        for choice in ["H100", "H200", "A100", "L40S", "A10G", "L4", "RTX-4090"] {
            let gpus: Vec<&str> = kit::data_lines(GPUS)
                .into_iter()
                .filter(|l| gpu_matches(l.split(' ').next().unwrap(), choice))
                .collect();
            assert!(!gpus.is_empty(), "{choice}");
        }
    }

    #[test]
    fn tqdm_times() {
        assert_eq!(mmss(12.4), "00:12");
        assert_eq!(mmss(84.6), "01:25");
    }
}
