//! `llm_training`: a multi-node LLM pretraining run, from `torchrun` to the
//! Hugging Face export.
//!
//! The simulation core (`config`, `sim`, `format`) is pure and decides every
//! number up front from the seed; `phases` tells the story through the
//! host and `render` draws it.

use plugin_api::{Host, Module, Options, RunResult};

mod config;
mod format;
mod phases;
mod render;
mod sim;
#[cfg(test)]
mod tests;

/// One session: the plan and every step's record, decided at init.
pub struct LlmTraining {
    plan: config::Plan,
    records: Vec<sim::StepRecord>,
}

impl Module for LlmTraining {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let plan = config::Plan::from_options(seed, options)?;
        let records = sim::simulate(&plan);
        Ok(LlmTraining { plan, records })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        phases::run(host, &self.plan, &self.records)
    }
}

plugin_api::export_module! {
    module: LlmTraining,
    name: "llm_training",
    version: env!("CARGO_PKG_VERSION"),
    description: "Pretrain a large language model on a multi-node GPU cluster",
    signature: "torchrun --nnodes 8 --nproc-per-node 8 pretrain.py --config configs/llama_3_2_1b.yaml",
    options: [
        plugin_api::option::choice(c"gpu", c"GPU model of the cluster", c"H100", c"A100|H100|H200|B200"),
        plugin_api::option::int(c"nodes", c"number of nodes", c"8", 1, 128),
        plugin_api::option::int(c"gpus_per_node", c"GPUs per node", c"8", 1, 8),
        plugin_api::option::choice(
            c"model",
            c"model size (auto picks one that suits the cluster)",
            c"auto",
            c"auto|350m|1b|3b|7b|13b|34b|70b"
        ),
        plugin_api::option::string(c"steps", c"training steps (auto: a run of a few minutes)", c"auto"),
    ],
}
