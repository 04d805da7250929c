//! The `host` fake-activity generator: discovers module libraries, checks
//! them against the plugin ABI, and plays their sessions in the terminal.
//!
//! The binary (`main.rs`) only parses arguments and maps errors to exit
//! statuses; everything else lives here so that it can be tested.

pub mod app;
pub mod cli;
pub mod discovery;
pub mod loader;
pub mod options;
pub mod output;
pub mod session;
pub mod stop;

#[cfg(test)]
mod fuzz_tests;
