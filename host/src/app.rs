//! What the binary does, from parsed arguments to an exit status.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::cli::{Args, MODULE_PATH_ENV};
use crate::discovery::{self, Registry};
use crate::loader;
use crate::options::{self, Setting};
use crate::output::{self, Output};
use crate::session::{self, Outcome, Pace, Stage};
use crate::stop::Stopper;

/// Runs the host with parsed arguments.
pub fn run(args: Args) -> Result<ExitCode> {
    // Rendered into memory first: the generators panic or fail on a closed
    // pipe (`host --print-completions bash | head`), which is no error.
    if let Some(shell) = args.print_completions {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Args::command(), "host", &mut script);
        write_or_quiet(&String::from_utf8_lossy(&script))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.print_manpage {
        let mut page = Vec::new();
        clap_mangen::Man::new(Args::command()).render(&mut page)?;
        write_or_quiet(&String::from_utf8_lossy(&page))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(file) = &args.check {
        return Ok(check(file));
    }

    let settings: Vec<Setting> = args
        .set
        .iter()
        .map(|s| options::parse_setting(s))
        .collect::<Result<_, _>>()
        .map_err(anyhow::Error::msg)?;

    // A directory the user named must exist; the default places need not.
    for dir in &args.module_paths {
        if !dir.is_dir() {
            let why = match std::fs::metadata(dir) {
                Ok(_) => "it is not a directory".to_owned(),
                Err(e) => e.to_string().to_lowercase(),
            };
            bail!("--module-path {}: {why}", dir.display());
        }
    }
    let dirs = discovery::search_dirs(
        &args.module_paths,
        std::env::var_os(MODULE_PATH_ENV).as_deref(),
    );
    let registry = discovery::discover(&dirs);

    if args.list {
        print_list(&registry, &dirs)?;
        return Ok(ExitCode::SUCCESS);
    }
    for warning in &registry.warnings {
        eprintln!("host: warning: {warning}");
    }

    let infos: Vec<&loader::ModuleInfo> = registry.modules.iter().map(|e| &e.module.info).collect();
    options::check_settings(&settings, &infos).map_err(anyhow::Error::msg)?;
    let chosen = choose_modules(&registry, &args.modules)?;

    let color = output::decide_color(args.color, std::io::stdout().is_terminal());
    colored::control::set_override(color);
    let mut out = Output::stdout(color).context("cannot use standard output")?;
    let stopper = Stopper::new(args.exit_after_time);
    stopper
        .watch_signals(out.is_terminal())
        .context("cannot install signal handlers")?;

    let pace = Pace {
        speed: args.speed_factor,
        instant_lines: args.instant_print_lines,
        log_level: args.log_level,
    };
    let playlist = Playlist {
        pool: chosen,
        named: !args.modules.is_empty(),
        max_sessions: args.exit_after_modules,
        seed: args
            .seed
            .unwrap_or_else(|| rand::make_rng::<StdRng>().random()),
    };
    let mut stage = Stage {
        out: &mut out,
        stopper: &stopper,
        pace: &pace,
    };
    let result = rotate(&registry, &settings, playlist, &mut stage);
    out.restore();
    result
}

/// Indexes (into `registry.modules`) of the modules to rotate through.
fn choose_modules(registry: &Registry, names: &[String]) -> Result<Vec<usize>> {
    if names.is_empty() {
        if registry.modules.is_empty() {
            bail!("{}", no_modules_message(registry));
        }
        return Ok((0..registry.modules.len()).collect());
    }
    let mut chosen = Vec::new();
    for name in names {
        match registry
            .modules
            .iter()
            .position(|e| &e.module.info.name == name)
        {
            Some(i) if !chosen.contains(&i) => chosen.push(i),
            Some(_) => {}
            None => bail!("{}", missing_module_message(registry, name)),
        }
    }
    Ok(chosen)
}

fn missing_module_message(registry: &Registry, name: &str) -> String {
    let mut msg = format!("no module named `{name}`");
    // A file that looks like it should have been this module, but failed.
    let stem = format!("lib{name}{}", std::env::consts::DLL_SUFFIX);
    if let Some((path, why)) = registry
        .failures
        .iter()
        .find(|(p, _)| p.file_name().is_some_and(|f| f == stem.as_str()))
    {
        msg.push_str(&format!(": {} could not be loaded: {why}", path.display()));
        return msg;
    }
    msg.push_str(&options::did_you_mean(
        name,
        registry.modules.iter().map(|e| e.module.info.name.as_str()),
    ));
    msg.push_str("\n       run `host --list` to see the installed modules");
    msg
}

fn no_modules_message(registry: &Registry) -> String {
    let mut msg = String::from(
        "no modules found; install some into ~/.local/share/host/modules, \
         point --module-path or $HOST_MODULE_PATH at a directory of modules, \
         or build the workspace with `cargo build --release`",
    );
    if !registry.failures.is_empty() {
        msg.push_str(&format!(
            " ({} file(s) could not be loaded: see `host --list`)",
            registry.failures.len()
        ));
    }
    msg
}

/// What to play, from the command line.
struct Playlist {
    /// Indexes into `registry.modules` still in rotation.
    pool: Vec<usize>,
    /// Whether the user named the modules (then any failure is fatal).
    named: bool,
    /// `--exit-after-modules`.
    max_sessions: Option<u64>,
    /// Drives the module choices and every session's seed.
    seed: u64,
}

/// Plays sessions until a limit or a stop request.
fn rotate(
    registry: &Registry,
    settings: &[Setting],
    mut list: Playlist,
    stage: &mut Stage<'_>,
) -> Result<ExitCode> {
    let mut rng = StdRng::seed_from_u64(list.seed);
    let mut last: Option<usize> = None;
    let mut finished = 0u64;
    loop {
        if let Some(reason) = stage.stopper.reason() {
            return Ok(ExitCode::from(reason.exit_code()));
        }
        if list.pool.is_empty() {
            bail!("every module failed; nothing left to rotate through");
        }
        // Never the same module twice in a row when there is a choice.
        let choices: Vec<usize> = list
            .pool
            .iter()
            .copied()
            .filter(|&i| Some(i) != last || list.pool.len() == 1)
            .collect();
        let index = choices[rng.random_range(0..choices.len())];
        let session_seed: u64 = rng.random();
        last = Some(index);

        let entry = &registry.modules[index];
        let info = &entry.module.info;
        let values: Vec<(String, String)> = options::resolve(info, settings).into_iter().collect();
        let problem = match session::run_session(
            &entry.module.hooks,
            &info.name,
            &values,
            session_seed,
            stage,
        ) {
            Outcome::Finished => None,
            Outcome::Refused(why) => {
                Some(format!("module `{}` refused to start: {why}", info.name))
            }
            Outcome::Failed(why) => Some(format!("module `{}` failed: {why}", info.name)),
        };
        if let Some(problem) = problem {
            if list.named {
                bail!("{problem}");
            }
            eprintln!("host: error: {problem} (skipping it from now on)");
            list.pool.retain(|&i| i != index);
            continue;
        }
        if stage.stopper.reason().is_some() {
            continue; // Reported at the top of the loop.
        }
        finished += 1;
        if list.max_sessions.is_some_and(|max| finished >= max) {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

/// `host --list`.
fn print_list(registry: &Registry, dirs: &[(std::path::PathBuf, discovery::Origin)]) -> Result<()> {
    let mut s = String::new();
    let n = registry.modules.len();
    s.push_str(&format!(
        "{n} module{} installed:\n",
        if n == 1 { "" } else { "s" }
    ));
    let name_w = registry
        .modules
        .iter()
        .map(|e| e.module.info.name.len())
        .max()
        .unwrap_or(0);
    let ver_w = registry
        .modules
        .iter()
        .map(|e| e.module.info.version.len())
        .max()
        .unwrap_or(0);
    for e in &registry.modules {
        let i = &e.module.info;
        s.push_str(&format!(
            "  {:name_w$}  {:ver_w$}  {}\n",
            i.name, i.version, i.description
        ));
        s.push_str(&format!(
            "  {:name_w$}  {:ver_w$}  from {} ({})\n",
            "",
            "",
            e.path.display(),
            e.origin
        ));
        for o in &i.options {
            s.push_str(&format!(
                "  {:name_w$}  {:ver_w$}  --set {}.{}={} ({}; default {})\n",
                "",
                "",
                i.name,
                o.name,
                options::describe_kind(&o.kind),
                o.help,
                o.default
            ));
        }
    }
    if !registry.failures.is_empty() {
        s.push_str(&format!(
            "\n{} file(s) could not be loaded:\n",
            registry.failures.len()
        ));
        for (path, why) in &registry.failures {
            s.push_str(&format!("  {}: {why}\n", path.display()));
        }
    }
    s.push_str("\nsearched, in order:\n");
    for (dir, origin) in dirs {
        let state = if dir.is_dir() { "" } else { " (absent)" };
        s.push_str(&format!("  {} ({origin}){state}\n", dir.display()));
    }
    write_or_quiet(&s)
}

/// `host --check FILE`: inspect one library, say whether it would load.
fn check(file: &Path) -> ExitCode {
    let verdict = check_report(file);
    let (text, ok) = match verdict {
        Ok(text) => (text, true),
        Err(text) => (text, false),
    };
    if write_or_quiet(&text).is_err() {
        return ExitCode::FAILURE;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check_report(file: &Path) -> Result<String, String> {
    let shown = file.display();
    let fail = |why: String| Err(format!("{shown}: would NOT load: {why}\n"));
    let meta = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(e) => return fail(format!("cannot read it: {e}")),
    };
    if !meta.is_file() {
        return fail("not a regular file".into());
    }
    if let Err(why) = discovery::check_permissions(&meta) {
        return fail(why);
    }
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Err(why) = std::fs::metadata(dir)
        .map_err(|e| e.to_string())
        .and_then(|m| discovery::check_permissions(&m))
    {
        return fail(format!("its directory {}: {why}", dir.display()));
    }
    let loaded = match loader::load(file) {
        Ok(l) => l,
        Err(e) => return fail(e.to_string()),
    };
    let i = &loaded.info;
    let mut s = format!(
        "{shown}\n  name         {}\n  version      {}\n  description  {}\n  signature    {}\n  ABI          {}.{} (host speaks {}.{})\n",
        i.name,
        i.version,
        i.description,
        i.signature,
        i.abi.0,
        i.abi.1,
        plugin_api::abi::ABI_MAJOR,
        plugin_api::abi::ABI_MINOR
    );
    if let Some(author) = &i.author {
        s.push_str(&format!("  author       {author}\n"));
    }
    if i.options.is_empty() {
        s.push_str("  options      none\n");
    }
    for (n, o) in i.options.iter().enumerate() {
        s.push_str(&format!(
            "  {:12} {} = {} ({}): {}\n",
            if n == 0 { "options" } else { "" },
            o.name,
            o.default,
            options::describe_kind(&o.kind),
            o.help
        ));
    }
    s.push_str("  verdict      loads\n");
    Ok(s)
}

/// Prints to stdout; a closed pipe (`host --list | head -1`) is not an error.
fn write_or_quiet(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
