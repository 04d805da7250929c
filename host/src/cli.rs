//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Environment variable with extra module directories, `:`-separated like PATH.
pub const MODULE_PATH_ENV: &str = "HOST_MODULE_PATH";

const AFTER_HELP: &str = "\
Examples:
  host                                  rotate through every module, at random
  host -m llm_training                  one module, again and again
  host -m cargo -m bootlog -s 4         two modules, four times as fast
  host --exit-after-time 1h30m          stop after an hour and a half
  host --set llm_training.gpu=B200      change a module option
  host --list                           what is installed, and what failed to load

Modules are searched, in this order, in: every --module-path DIR; the
directories in $HOST_MODULE_PATH; $XDG_DATA_HOME/host/modules (usually
~/.local/share/host/modules); <exe dir>/../lib/host/modules; and the
executable's own directory. The current directory is never searched.";

/// A fake-activity generator: convincing busy work in your terminal, played by
/// plugin modules.
#[derive(Debug, Parser)]
#[command(name = "host", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Args {
    /// Run only this module (repeat to rotate among several).
    #[arg(
        short = 'm',
        long = "module",
        visible_alias = "modules",
        value_name = "NAME"
    )]
    pub modules: Vec<String>,

    /// List the installed modules and every file that could not be loaded.
    #[arg(short = 'l', long = "list", visible_alias = "list-modules")]
    pub list: bool,

    /// Inspect one module library without running it, and say whether it
    /// would load (exit status 0 when it would).
    #[arg(long, value_name = "FILE", conflicts_with = "list")]
    pub check: Option<PathBuf>,

    /// Play everything this many times faster (printed times stay consistent).
    #[arg(short = 's', long, value_name = "FACTOR", default_value = "1", value_parser = parse_speed)]
    pub speed_factor: f64,

    /// Print the first N lines of each session at once, without waiting.
    #[arg(short = 'i', long, value_name = "N", default_value_t = 0)]
    pub instant_print_lines: u64,

    /// Exit after this much time, e.g. 90s, 15m or 1h30m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub exit_after_time: Option<Duration>,

    /// Exit after this many modules have finished.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub exit_after_modules: Option<u64>,

    /// Seed for every random choice: the same seed gives the same modules and
    /// the same output.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Also search this directory for modules, before the default places
    /// (repeatable).
    #[arg(long = "module-path", value_name = "DIR")]
    pub module_paths: Vec<PathBuf>,

    /// Set a module option, e.g. `llm_training.gpus_per_node=4` (repeatable;
    /// `host --list` shows each module's options).
    #[arg(long = "set", value_name = "MODULE.OPTION=VALUE")]
    pub set: Vec<String>,

    /// When to use colour.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// Show module diagnostics up to this level on stderr.
    #[arg(long, value_name = "LEVEL", default_value = "warn")]
    pub log_level: LogLevel,

    /// Print a shell completion script and exit.
    #[arg(long, value_name = "SHELL")]
    pub print_completions: Option<clap_complete::Shell>,

    /// Print the manual page (roff) and exit.
    #[arg(long)]
    pub print_manpage: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, unless NO_COLOR is set
    /// (CLICOLOR_FORCE=1 forces it on).
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `--log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum LogLevel {
    /// Nothing.
    Off,
    /// Errors only.
    Error,
    /// Errors and warnings.
    Warn,
    /// Also informational messages.
    Info,
    /// Everything.
    Debug,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number (try 2 or 0.5)"))?;
    if !(v.is_finite() && v > 0.0) {
        return Err(format!("`{s}` must be a positive number"));
    }
    Ok(v)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("`{s}`: {e} (try 90s, 15m or 1h30m)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn speed_must_be_positive() {
        assert!(parse_speed("2.5").is_ok());
        assert!(parse_speed("0").is_err());
        assert!(parse_speed("-1").is_err());
        assert!(parse_speed("inf").is_err());
        assert!(parse_speed("fast").unwrap_err().contains("not a number"));
    }

    #[test]
    fn durations_are_human() {
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("soon").unwrap_err().contains("try 90s"));
    }
}
