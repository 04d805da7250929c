//! The plugin API of `host`, the fake-activity generator: the stable C ABI
//! shared by the host and its modules, and a safe Rust face for writing
//! modules without `unsafe`.
//!
//! A module is a `cdylib` that exports one function, `host_module_entry`,
//! returning a static [`abi::ModuleDescriptor`]. In Rust you never write that
//! by hand: implement [`Module`] and call [`export_module!`].
//!
//! ```
//! use plugin_api::{Color, Host, Module, Options, RunResult, Style};
//!
//! pub struct Deploy {
//!     targets: u32,
//! }
//!
//! impl Module for Deploy {
//!     fn init(_host: &Host, _seed: u64, options: &Options) -> Result<Self, String> {
//!         Ok(Deploy { targets: options.parse("targets")? })
//!     }
//!
//!     fn run(&mut self, host: &Host) -> RunResult {
//!         for n in 1..=self.targets {
//!             host.print(&format!("deploying to target {n} ... "));
//!             host.sleep_ms(800)?; // stops promptly when the host says so
//!             host.println_styled("ok", Style::fg(Color::Green));
//!         }
//!         Ok(())
//!     }
//! }
//!
//! plugin_api::export_module! {
//!     module: Deploy,
//!     name: "deploy",
//!     version: "0.1.0",
//!     description: "Roll a release out to a few targets",
//!     signature: "./deploy.sh --all",
//!     options: [
//!         plugin_api::option::int(c"targets", c"how many targets", c"3", 1, 50),
//!     ],
//! }
//! ```
//!
//! # Rules for module authors
//!
//! * Print only through [`Host`]: a cdylib has its own copy of std, and its
//!   `print!` buffer is not the host's; such output is lost or interleaved.
//! * Go through [`Host::sleep_ms`] or [`Host::check`] in every loop, so that
//!   Ctrl-C and time limits stop the module within 100 ms.
//! * Build with `panic = "unwind"` (the default): the export macro turns a
//!   panic into an error the host reports. With `panic = "abort"` a panic
//!   takes the whole host down.
//! * Draw every random choice from the `seed` given to [`Module::init`], and
//!   every printed time from [`Host::clock`], so that `--seed` reproduces a
//!   session line for line.
//!
//! # Features
//!
//! * `rand` (off by default): adds `kit::random`, helpers for draws that
//!   several modules make alike (a session length, a random walk, a
//!   UUID-shaped id). They are generic over any `rand::Rng` (rand 0.10), so
//!   a module keeps its own seeded generator, and each helper documents the
//!   draws it makes so that switching to it leaves the output unchanged.

#![warn(missing_docs)]

pub mod abi;
mod host;
pub mod kit;
mod module;
pub mod option;

pub use host::{Color, Error, Host, Level, RunResult, Stop, Style};
pub use module::{Module, Options};
#[doc(hidden)]
pub use module::{cstr, destroy_hook, init_hook, optional_cstr, run_hook};
