//! The serving engine, simulated in small time steps: requests wait, are
//! admitted while KV blocks last, prefill, decode a token per engine step,
//! and finish. What the server logs (throughput, running and pending
//! requests, KV usage, latencies) is read off this state, so the numbers
//! move together.

use std::collections::VecDeque;

use crate::model::{self, BLOCK_SIZE, Gpu, ModelSpec, Plan};

/// vLLM's `--max-num-seqs` default.
pub const MAX_NUM_SEQS: usize = 256;

/// One request in the engine.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub arrival_ms: f64,
    pub prompt: u64,
    /// Tokens the request will generate in total.
    pub output: u64,
    /// Tokens generated so far (the first comes from the prefill).
    pub generated: f64,
    pub first_token_ms: Option<f64>,
    /// When the current prefill ends and decoding may start.
    pub ready_ms: f64,
    /// Streamed responses are logged by the server when they start.
    pub streamed: bool,
}

impl Request {
    fn blocks(&self) -> u64 {
        (self.prompt + self.generated.ceil() as u64).div_ceil(BLOCK_SIZE)
    }
}

/// A finished request and its latencies in milliseconds.
#[derive(Debug, Clone)]
pub struct Finished {
    pub request: Request,
    pub finish_ms: f64,
}

impl Finished {
    pub fn ttft(&self) -> f64 {
        self.request.first_token_ms.unwrap_or(self.finish_ms) - self.request.arrival_ms
    }

    pub fn e2e(&self) -> f64 {
        self.finish_ms - self.request.arrival_ms
    }

    /// Time per output token after the first.
    pub fn tpot(&self) -> f64 {
        let rest = self.request.output.saturating_sub(1).max(1) as f64;
        (self.e2e() - self.ttft()) / rest
    }
}

/// What one step of simulated time produced.
#[derive(Debug, Default)]
pub struct StepOutcome {
    pub finished: Vec<Finished>,
    pub preempted: Vec<String>,
}

/// The engine state.
pub struct Engine {
    model: ModelSpec,
    gpu: Gpu,
    plan: Plan,
    pub running: Vec<Request>,
    pub waiting: VecDeque<Request>,
    /// Prompt tokens prefilled since the counters were last taken.
    prompt_tokens: u64,
    /// Tokens generated since the counters were last taken.
    generation_tokens: f64,
    pub preemptions: u64,
}

impl Engine {
    pub fn new(model: ModelSpec, gpu: Gpu, plan: Plan) -> Self {
        Engine {
            model,
            gpu,
            plan,
            running: Vec::new(),
            waiting: VecDeque::new(),
            prompt_tokens: 0,
            generation_tokens: 0.0,
            preemptions: 0,
        }
    }

    pub fn submit(&mut self, request: Request) {
        self.waiting.push_back(request);
    }

    pub fn blocks_used(&self) -> u64 {
        self.running.iter().map(Request::blocks).sum()
    }

    /// GPU KV cache usage, 0..=1.
    pub fn kv_usage(&self) -> f64 {
        self.blocks_used() as f64 / self.plan.gpu_blocks as f64
    }

    /// `(prompt tokens, generated tokens)` since the last call.
    pub fn take_counters(&mut self) -> (u64, f64) {
        let out = (self.prompt_tokens, self.generation_tokens);
        self.prompt_tokens = 0;
        self.generation_tokens = 0.0;
        out
    }

    /// Advances the engine from `now` by `dt` milliseconds.
    pub fn step(&mut self, now: f64, dt: f64) -> StepOutcome {
        let mut outcome = StepOutcome::default();
        let end = now + dt;

        // Admit waiting requests while there are sequences and blocks to
        // spare (1% of blocks stay free as a watermark).
        let limit = self.plan.gpu_blocks - self.plan.gpu_blocks / 100;
        let mut prefill_end = now;
        while let Some(next) = self.waiting.front() {
            let need = (next.prompt + next.generated.ceil() as u64 + 1).div_ceil(BLOCK_SIZE);
            if self.running.len() >= MAX_NUM_SEQS || self.blocks_used() + need > limit {
                break;
            }
            let Some(mut request) = self.waiting.pop_front() else {
                break;
            };
            // A preempted request recomputes what it had generated too.
            let tokens = request.prompt + request.generated.ceil() as u64;
            // A request arriving later in the step cannot start before it arrives.
            prefill_end = prefill_end.max(request.arrival_ms)
                + model::prefill_ms(&self.model, &self.gpu, &self.plan, tokens);
            self.prompt_tokens += tokens;
            request.ready_ms = prefill_end;
            if request.first_token_ms.is_none() {
                request.first_token_ms = Some(prefill_end);
                request.generated = 1.0;
                self.generation_tokens += 1.0;
            }
            self.running.push(request);
        }

        // Decode: every running sequence gains a token per engine step.
        let batch = self.running.len();
        let context: u64 = self
            .running
            .iter()
            .map(|r| r.prompt + r.generated as u64)
            .sum();
        let step_ms =
            model::decode_step_ms(&self.model, &self.gpu, &self.plan, batch.max(1), context);
        let decode_from = prefill_end.max(now);
        let mut still = Vec::with_capacity(self.running.len());
        for mut r in self.running.drain(..) {
            let start = r.ready_ms.max(decode_from);
            let steps = ((end - start) / step_ms).max(0.0);
            let left = r.output as f64 - r.generated;
            if steps >= left {
                self.generation_tokens += left.max(0.0);
                r.generated = r.output as f64;
                let finish_ms = start + left.max(0.0) * step_ms;
                outcome.finished.push(Finished {
                    request: r,
                    finish_ms,
                });
            } else {
                self.generation_tokens += steps;
                r.generated += steps;
                still.push(r);
            }
        }
        self.running = still;

        // Out of blocks: the newest sequences give theirs back and wait.
        while self.blocks_used() > self.plan.gpu_blocks && self.running.len() > 1 {
            if let Some(r) = self.running.pop() {
                self.preemptions += 1;
                outcome.preempted.push(r.id.clone());
                self.waiting.push_front(r);
            }
        }
        outcome
            .finished
            .sort_by(|a, b| a.finish_ms.total_cmp(&b.finish_ms));
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let m = ModelSpec::parse("meta-llama/Llama-3.1-8B-Instruct 8.03 32 8 128 131072").unwrap();
        let g = Gpu::parse("H100 79.10 3350 989").unwrap();
        let p = model::plan(&m, &g, 1, 8192).unwrap();
        Engine::new(m, g, p)
    }

    fn request(i: usize, at: f64) -> Request {
        Request {
            id: format!("r{i}"),
            arrival_ms: at,
            prompt: 500 + (i as u64 * 37) % 900,
            output: 100 + (i as u64 * 53) % 400,
            generated: 0.0,
            first_token_ms: None,
            ready_ms: 0.0,
            streamed: false,
        }
    }

    #[test]
    fn requests_finish_with_ordered_latencies() {
        let mut e = engine();
        let mut done = Vec::new();
        let mut now = 0.0;
        for i in 0..200 {
            e.submit(request(i, now));
            let out = e.step(now, 100.0);
            done.extend(out.finished);
            now += 100.0;
        }
        while !e.running.is_empty() || !e.waiting.is_empty() {
            done.extend(e.step(now, 100.0).finished);
            now += 100.0;
        }
        assert_eq!(done.len(), 200);
        for f in &done {
            assert!(f.ttft() > 0.0, "{}", f.ttft());
            assert!(f.e2e() >= f.ttft());
            assert!(f.tpot() > 1.0 && f.tpot() < 100.0, "{}", f.tpot());
        }
    }

    #[test]
    fn kv_usage_follows_running_requests() {
        let mut e = engine();
        assert_eq!(e.kv_usage(), 0.0);
        for i in 0..20 {
            e.submit(request(i, 0.0));
        }
        e.step(0.0, 50.0);
        let busy = e.kv_usage();
        assert!(busy > 0.0);
        let expected: u64 = e.running.iter().map(Request::blocks).sum();
        assert_eq!(e.blocks_used(), expected);
        let mut now = 50.0;
        while !e.running.is_empty() {
            e.step(now, 100.0);
            now += 100.0;
        }
        assert_eq!(e.kv_usage(), 0.0);
    }

    #[test]
    fn blocks_never_exceed_the_cache() {
        let mut e = engine();
        for i in 0..400 {
            let mut r = request(i, 0.0);
            r.prompt = 4000;
            r.output = 4000;
            e.submit(r);
        }
        let mut now = 0.0;
        for _ in 0..300 {
            e.step(now, 200.0);
            assert!(e.blocks_used() <= e.plan.gpu_blocks);
            assert!(e.running.len() <= MAX_NUM_SEQS);
            now += 200.0;
        }
    }
}
