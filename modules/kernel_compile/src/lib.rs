//! `make -j$(nproc)` of a Linux kernel: Kbuild's quiet output, from the
//! Kconfig host tools through thousands of `CC` lines, the vmlinux link and
//! the boot image, to the modules' final link.
//!
//! The source paths are real kernel paths (data files), grouped by
//! directory so that a directory's objects are followed by its `AR` or
//! `LD [M]` line, the way Kbuild descends the tree. Several directories are
//! compiled at once and their lines interleave, like parallel make jobs.

use std::collections::{BTreeMap, VecDeque};

use plugin_api::kit::{data_lines, fit};
use plugin_api::{Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

const COMMON_SOURCES: &str = include_str!("../data/common_sources.txt");
const X86_64_SOURCES: &str = include_str!("../data/x86_64_sources.txt");
const ARM64_SOURCES: &str = include_str!("../data/arm64_sources.txt");
const X86_64_PREPARE: &str = include_str!("../data/x86_64_prepare.txt");
const ARM64_PREPARE: &str = include_str!("../data/arm64_prepare.txt");
const COMMON_GENERATED: &str = include_str!("../data/common_generated.txt");
const X86_64_GENERATED: &str = include_str!("../data/x86_64_generated.txt");
const ARM64_GENERATED: &str = include_str!("../data/arm64_generated.txt");
const ARM64_DTBS: &str = include_str!("../data/arm64_dtbs.txt");
const X86_64_LINK: &str = include_str!("../data/x86_64_link.txt");
const ARM64_LINK: &str = include_str!("../data/arm64_link.txt");
const X86_64_IMAGE: &str = include_str!("../data/x86_64_image.txt");
const ARM64_IMAGE: &str = include_str!("../data/arm64_image.txt");
const BUILTIN_DIRS: &str = include_str!("../data/builtin_dirs.txt");
const MODULE_DIRS: &str = include_str!("../data/module_dirs.txt");
const SOURCE_TREES: &str = include_str!("../data/source_trees.txt");

/// Top-level directories in the order Kbuild visits them; with parallel
/// jobs neighbours overlap, but `init/` still comes first and `lib/` last.
const TOP_LEVEL_ORDER: [&str; 17] = [
    "init", "usr", "arch", "kernel", "certs", "mm", "fs", "ipc", "security", "crypto", "block",
    "io_uring", "drivers", "sound", "net", "virt", "lib",
];

/// The architecture being built; each has its own sources and image steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arch {
    X86_64,
    Arm64,
}

impl Arch {
    fn sources(self) -> &'static str {
        match self {
            Arch::X86_64 => X86_64_SOURCES,
            Arch::Arm64 => ARM64_SOURCES,
        }
    }

    fn prepare(self) -> &'static str {
        match self {
            Arch::X86_64 => X86_64_PREPARE,
            Arch::Arm64 => ARM64_PREPARE,
        }
    }

    fn generated(self) -> &'static str {
        match self {
            Arch::X86_64 => X86_64_GENERATED,
            Arch::Arm64 => ARM64_GENERATED,
        }
    }

    fn link(self) -> &'static str {
        match self {
            Arch::X86_64 => X86_64_LINK,
            Arch::Arm64 => ARM64_LINK,
        }
    }

    fn image(self) -> &'static str {
        match self {
            Arch::X86_64 => X86_64_IMAGE,
            Arch::Arm64 => ARM64_IMAGE,
        }
    }
}

/// How a directory's objects end up in the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Linkage {
    /// Archived into `<dir>/built-in.a`.
    BuiltIn,
    /// Linked into one module, `<dir>/<name>.o`.
    Composite(String),
    /// Objects of a parent directory's module: no line of its own at the end.
    PartOf,
    /// Every source is a module of its own (`drivers/hwmon/coretemp.ko`).
    PerFile,
}

impl Linkage {
    fn is_module(&self) -> bool {
        !matches!(self, Linkage::BuiltIn)
    }
}

/// One directory of the tree with the sources compiled in it.
#[derive(Debug, Clone)]
struct Dir {
    path: &'static str,
    sources: VecDeque<&'static str>,
    linkage: Linkage,
}

/// One Kbuild step from a data file: `TAG target [=ms]`.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    tag: String,
    target: String,
    ms: u64,
}

/// Parses `CC init/main.o`, `CC [M] x.o =300`: the tag may carry `[M]`.
fn parse_step(line: &str) -> Step {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let mut ms = 0;
    if let Some(last) = words.last()
        && let Some(n) = last.strip_prefix('=')
    {
        ms = n.parse().unwrap_or(0);
        words.pop();
    }
    let (tag, rest) = if words.get(1) == Some(&"[M]") {
        (format!("{} [M]", words[0]), &words[2..])
    } else {
        (
            words.first().unwrap_or(&"").to_string(),
            &words[1.min(words.len())..],
        )
    };
    Step {
        tag,
        target: rest.join(" "),
        ms,
    }
}

/// A quiet Kbuild line: two spaces, the tag padded to seven, the target.
fn kbuild_line(tag: &str, target: &str) -> String {
    format!("  {tag:<7} {target}")
}

/// The object a source compiles to, with the tag Kbuild prints for it.
fn object_step(source: &str, module: bool) -> (String, String) {
    let (stem, tag) = match source.rsplit_once('.') {
        Some((stem, "S")) => (stem, "AS"),
        Some((stem, _)) => (stem, "CC"),
        None => (source, "CC"),
    };
    let tag = if module {
        format!("{tag} [M]")
    } else {
        tag.to_string()
    };
    (tag, format!("{stem}.o"))
}

/// The directory of a path (`kernel/sched/core.c` -> `kernel/sched`).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Index of a path's top-level directory in Kbuild's visiting order.
fn top_rank(path: &str) -> usize {
    let top = path.split('/').next().unwrap_or("");
    TOP_LEVEL_ORDER
        .iter()
        .position(|t| *t == top)
        .unwrap_or(TOP_LEVEL_ORDER.len())
}

/// Whether a directory may be built as modules: drivers, sound, and the
/// subdirectories of fs/ and net/ (their top level is always built in).
fn module_capable(dir: &str) -> bool {
    dir.starts_with("drivers/")
        || dir.starts_with("sound/")
        || dir.starts_with("arch/x86/kvm")
        || (dir.starts_with("fs/") && dir.len() > 3)
        || (dir.starts_with("net/") && dir.len() > 4)
}

/// Decides how `dir` links, from the composite-module table and the list of
/// directories a distro config builds in; `modular` is the seed's say for
/// directories that could go either way.
fn linkage_of(
    dir: &str,
    composites: &BTreeMap<&str, &str>,
    builtin: &[&str],
    modular: bool,
) -> Linkage {
    // The closest entry in the composite table wins: a subdirectory marked
    // "-" belongs to the module of the directory above it.
    let mut probe = dir;
    loop {
        if let Some(name) = composites.get(probe) {
            return match (*name, probe == dir) {
                ("-", _) => Linkage::PartOf,
                (name, true) => Linkage::Composite(name.to_string()),
                (_, false) => Linkage::PartOf,
            };
        }
        match probe.rsplit_once('/') {
            Some((up, _)) => probe = up,
            None => break,
        }
    }
    let forced_builtin = builtin.iter().any(|b| {
        dir == *b
            || dir
                .strip_prefix(b)
                .is_some_and(|rest| rest.starts_with('/'))
    });
    if module_capable(dir) && !forced_builtin && modular {
        Linkage::PerFile
    } else {
        Linkage::BuiltIn
    }
}

/// The kernel build.
pub struct KernelCompile {
    rng: StdRng,
    arch: Arch,
    source_tree: &'static str,
    build_number: u32,
    /// The whole session, in simulated milliseconds.
    session_ms: u64,
    /// How many directories compile at once (parallel make jobs in view).
    jobs: usize,
    /// Simulated time owed since the last sleep; paid in bursts.
    owed_ms: f64,
    burst_ms: f64,
}

impl Module for KernelCompile {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let arch = match options.get("arch").unwrap_or("random") {
            "x86_64" => Arch::X86_64,
            "arm64" => Arch::Arm64,
            _ if rng.random_bool(0.6) => Arch::X86_64,
            _ => Arch::Arm64,
        };
        let trees = data_lines(SOURCE_TREES);
        let source_tree = trees.choose(&mut rng).copied().unwrap_or("/usr/src/linux");
        // Mostly one to four minutes; now and then a short incremental build.
        let session_ms = if rng.random_bool(0.15) {
            rng.random_range(25_000..60_000)
        } else {
            rng.random_range(60_000..240_000)
        };
        Ok(KernelCompile {
            build_number: rng.random_range(1..40),
            jobs: rng.random_range(3..8),
            burst_ms: 100.0,
            owed_ms: 0.0,
            rng,
            arch,
            source_tree,
            session_ms,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        // Link and image steps are long; short sessions run them faster.
        let scale = (self.session_ms as f64 / 180_000.0).clamp(0.25, 1.0);
        let tail_ms: u64 = data_lines(self.arch.link())
            .into_iter()
            .chain(data_lines(self.arch.image()))
            .map(|l| parse_step(l).ms)
            .sum();
        let prepare_ms = self.session_ms / 25;
        let compile_ms = self
            .session_ms
            .saturating_sub(prepare_ms + (tail_ms as f64 * scale) as u64)
            .max(12_000);

        self.prepare(host, prepare_ms)?;
        let dirs = self.plan_directories(compile_ms);
        let modules = self.compile(host, dirs, compile_ms)?;
        self.link_vmlinux(host, scale)?;
        self.boot_image(host, scale)?;
        self.link_modules(host, &modules)?;
        Ok(())
    }
}

impl KernelCompile {
    /// Prints one Kbuild line, cut to the terminal width.
    fn emit(&self, host: &Host, tag: &str, target: &str) {
        host.println(&fit(&kbuild_line(tag, target), host.width()));
    }

    /// Accounts `ms` of work for the line just printed and sleeps in bursts:
    /// with many jobs, make's output arrives in clumps, not evenly.
    fn pace(&mut self, host: &Host, ms: f64) -> Result<(), Stop> {
        self.owed_ms += ms * self.rng.random_range(0.3..1.7);
        if self.owed_ms >= self.burst_ms {
            host.sleep_ms(self.owed_ms as u64)?;
            self.owed_ms = 0.0;
            self.burst_ms = self.rng.random_range(40.0..350.0);
        }
        host.check()
    }

    /// Kconfig, generated headers and host tools, before the first object.
    fn prepare(&mut self, host: &Host, budget_ms: u64) -> Result<(), Stop> {
        let steps = data_lines(self.arch.prepare());
        let per_line = budget_ms as f64 / steps.len().max(1) as f64;
        for line in steps {
            let step = parse_step(line);
            let target = step.target.replace("{src}", self.source_tree);
            self.emit(host, &step.tag, &target);
            self.pace(host, per_line)?;
        }
        Ok(())
    }

    /// Picks the directories this build compiles, enough to fill the budget
    /// at the chosen pace, in Kbuild's top-level order.
    fn plan_directories(&mut self, compile_ms: u64) -> Vec<Dir> {
        let composites: BTreeMap<&str, &str> = data_lines(MODULE_DIRS)
            .into_iter()
            .filter_map(|l| l.split_once(' '))
            .map(|(d, n)| (d, n.trim()))
            .collect();
        let builtin = data_lines(BUILTIN_DIRS);

        let mut by_dir: BTreeMap<&'static str, VecDeque<&'static str>> = BTreeMap::new();
        for path in data_lines(COMMON_SOURCES)
            .into_iter()
            .chain(data_lines(self.arch.sources()))
        {
            by_dir.entry(parent(path)).or_default().push_back(path);
        }
        let mut dirs: Vec<Dir> = by_dir
            .into_iter()
            .map(|(path, sources)| Dir {
                path,
                sources,
                linkage: linkage_of(path, &composites, &builtin, self.rng.random_bool(0.85)),
            })
            .collect();
        dirs.shuffle(&mut self.rng);

        // A line every 40-150 ms: a quick machine with a warm ccache.
        let wanted_lines = compile_ms / self.rng.random_range(40..150);
        let mut lines = 0;
        let mut chosen = Vec::new();
        for dir in dirs {
            if lines >= wanted_lines {
                break;
            }
            lines += dir.sources.len() as u64 + 1;
            if dir.linkage.is_module() {
                lines += 3 * dir.sources.len().min(2) as u64;
            }
            chosen.push(dir);
        }
        // Kbuild order with some jitter, so neighbouring trees overlap.
        let mut keyed: Vec<(usize, Dir)> = chosen
            .into_iter()
            .map(|d| (top_rank(d.path) * 100 + self.rng.random_range(0..140), d))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.path.cmp(b.1.path)));
        keyed.into_iter().map(|(_, d)| d).collect()
    }

    /// Compiles the planned directories with a few in flight at once, and
    /// sprinkles generated files (and device trees on arm64) among them.
    /// Returns the modules to link at the end (paths without `.ko`).
    fn compile(
        &mut self,
        host: &Host,
        dirs: Vec<Dir>,
        budget_ms: u64,
    ) -> Result<Vec<String>, Stop> {
        let total_lines: usize = dirs.iter().map(|d| d.sources.len() + 1).sum();
        let per_line = budget_ms as f64 / total_lines.max(1) as f64;

        // Side steps land at random points of the compile phase.
        let mut side: BTreeMap<usize, Vec<Vec<Step>>> = BTreeMap::new();
        let mut events: Vec<Vec<Step>> = data_lines(COMMON_GENERATED)
            .into_iter()
            .chain(data_lines(self.arch.generated()))
            .map(|l| l.split('|').map(parse_step).collect())
            .collect();
        if self.arch == Arch::Arm64 {
            for dtb in data_lines(ARM64_DTBS) {
                events.push(vec![Step {
                    tag: "DTC".into(),
                    target: format!("arch/arm64/boot/dts/{dtb}"),
                    ms: 0,
                }]);
            }
        }
        for event in events {
            let at = self.rng.random_range(0..total_lines.max(1));
            side.entry(at).or_default().push(event);
        }

        let mut pending: VecDeque<Dir> = dirs.into();
        let mut active: Vec<Dir> = Vec::new();
        let mut modules = Vec::new();
        let mut printed = 0usize;
        while !pending.is_empty() || !active.is_empty() {
            while active.len() < self.jobs
                && let Some(dir) = pending.pop_front()
            {
                active.push(dir);
            }
            let i = self.rng.random_range(0..active.len());
            let module = active[i].linkage.is_module();
            if let Some(source) = active[i].sources.pop_front() {
                let (tag, object) = object_step(source, module);
                self.emit(host, &tag, &object);
                if active[i].linkage == Linkage::PerFile {
                    modules.push(object.trim_end_matches(".o").to_string());
                }
            } else {
                let dir = active.swap_remove(i);
                match &dir.linkage {
                    Linkage::BuiltIn => self.emit(host, "AR", &format!("{}/built-in.a", dir.path)),
                    Linkage::Composite(name) => {
                        self.emit(host, "LD [M]", &format!("{}/{name}.o", dir.path));
                        modules.push(format!("{}/{name}", dir.path));
                    }
                    Linkage::PartOf | Linkage::PerFile => {}
                }
            }
            if let Some(batch) = side.remove(&printed) {
                for event in batch {
                    for step in event {
                        self.emit(host, &step.tag, &step.target);
                        self.pace(host, per_line * 0.5)?;
                    }
                }
            }
            printed += 1;
            self.pace(host, per_line)?;
        }
        // Whatever side steps were planned past the end still run.
        for (_, batch) in std::mem::take(&mut side) {
            for step in batch.into_iter().flatten() {
                self.emit(host, &step.tag, &step.target);
                self.pace(host, per_line)?;
            }
        }
        for top in TOP_LEVEL_ORDER {
            let top = match (top, self.arch) {
                ("arch", Arch::X86_64) => "arch/x86",
                ("arch", Arch::Arm64) => "arch/arm64",
                (top, _) => top,
            };
            self.emit(host, "AR", &format!("{top}/built-in.a"));
            self.pace(host, per_line)?;
        }
        Ok(modules)
    }

    /// Runs a list of long steps (`=ms` in the data file), scaled.
    fn timed_steps(&mut self, host: &Host, steps: &'static str, scale: f64) -> Result<(), Stop> {
        for line in data_lines(steps) {
            let step = parse_step(line);
            self.emit(host, &step.tag, &step.target);
            let ms = (step.ms as f64 * scale * self.rng.random_range(0.8..1.25)) as u64;
            host.sleep_ms(ms)?;
        }
        Ok(())
    }

    /// vmlinux.o, modpost, BTF and the kallsyms passes: the slow single-job
    /// stretch at the end of every kernel build.
    fn link_vmlinux(&mut self, host: &Host, scale: f64) -> Result<(), Stop> {
        self.timed_steps(host, self.arch.link(), scale)
    }

    /// The compressed boot image; x86 announces it when it is done.
    fn boot_image(&mut self, host: &Host, scale: f64) -> Result<(), Stop> {
        self.timed_steps(host, self.arch.image(), scale)?;
        if self.arch == Arch::X86_64 {
            let ready = format!(
                "Kernel: arch/x86/boot/bzImage is ready  (#{})",
                self.build_number
            );
            host.println_styled(&fit(&ready, host.width()), Style::plain().bold());
        }
        Ok(())
    }

    /// modpost over all modules, then each module's `.mod.o`, `.ko` and BTF,
    /// several modules in flight at once.
    fn link_modules(&mut self, host: &Host, modules: &[String]) -> Result<(), Stop> {
        self.emit(host, "MODPOST", "Module.symvers");
        host.sleep_ms(self.rng.random_range(600..1800))?;
        let stages = [("CC [M]", ".mod.o"), ("LD [M]", ".ko"), ("BTF [M]", ".ko")];
        let mut queue: VecDeque<(&str, usize)> = modules.iter().map(|m| (m.as_str(), 0)).collect();
        let mut active: Vec<(&str, usize)> = Vec::new();
        while !queue.is_empty() || !active.is_empty() {
            while active.len() < self.jobs
                && let Some(m) = queue.pop_front()
            {
                active.push(m);
            }
            let i = self.rng.random_range(0..active.len());
            let (name, stage) = active[i];
            let (tag, suffix) = stages[stage];
            self.emit(host, tag, &format!("{name}{suffix}"));
            if stage + 1 < stages.len() {
                active[i].1 += 1;
            } else {
                active.swap_remove(i);
            }
            self.pace(host, 35.0)?;
        }
        host.sleep_ms(300)?;
        Ok(())
    }
}

plugin_api::export_module! {
    module: KernelCompile,
    name: "kernel_compile",
    version: "0.1.0",
    description: "Compile a Linux kernel with make -j",
    signature: "make -j$(nproc)",
    options: [
        plugin_api::option::choice(c"arch", c"target architecture", c"random", c"random|x86_64|arm64"),
    ],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kbuild_lines_align_like_make() {
        assert_eq!(kbuild_line("CC", "init/main.o"), "  CC      init/main.o");
        assert_eq!(
            kbuild_line("CC [M]", "fs/btrfs/ctree.o"),
            "  CC [M]  fs/btrfs/ctree.o"
        );
        assert_eq!(
            kbuild_line("MODPOST", "Module.symvers"),
            "  MODPOST Module.symvers"
        );
    }

    #[test]
    fn objects_follow_their_sources() {
        assert_eq!(
            object_step("kernel/sched/core.c", false),
            ("CC".into(), "kernel/sched/core.o".into())
        );
        assert_eq!(
            object_step("arch/x86/entry/entry_64.S", false),
            ("AS".into(), "arch/x86/entry/entry_64.o".into())
        );
        assert_eq!(object_step("fs/btrfs/ctree.c", true).0, "CC [M]");
    }

    #[test]
    fn steps_parse_with_module_tags_and_durations() {
        let s = parse_step("LD vmlinux.o =6500");
        assert_eq!(
            (s.tag.as_str(), s.target.as_str(), s.ms),
            ("LD", "vmlinux.o", 6500)
        );
        let s = parse_step("CC [M] fs/x/y.o");
        assert_eq!(
            (s.tag.as_str(), s.target.as_str(), s.ms),
            ("CC [M]", "fs/x/y.o", 0)
        );
        let s = parse_step("GEN security/selinux/flask.h security/selinux/av_permissions.h");
        assert_eq!(
            s.target,
            "security/selinux/flask.h security/selinux/av_permissions.h"
        );
    }

    #[test]
    fn linkage_follows_the_tables() {
        let composites: BTreeMap<&str, &str> = [
            ("fs/xfs", "xfs"),
            ("fs/xfs/libxfs", "-"),
            ("drivers/gpu/drm/i915", "i915"),
        ]
        .into();
        let builtin = ["drivers/base", "fs/proc"];
        assert_eq!(
            linkage_of("fs/xfs", &composites, &builtin, true),
            Linkage::Composite("xfs".into())
        );
        assert_eq!(
            linkage_of("fs/xfs/libxfs", &composites, &builtin, true),
            Linkage::PartOf
        );
        assert_eq!(
            linkage_of("drivers/gpu/drm/i915/gt", &composites, &builtin, true),
            Linkage::PartOf
        );
        assert_eq!(
            linkage_of("drivers/base/power", &composites, &builtin, true),
            Linkage::BuiltIn
        );
        assert_eq!(
            linkage_of("drivers/hwmon", &composites, &builtin, true),
            Linkage::PerFile
        );
        assert_eq!(
            linkage_of("drivers/hwmon", &composites, &builtin, false),
            Linkage::BuiltIn
        );
        assert_eq!(
            linkage_of("kernel/sched", &composites, &builtin, true),
            Linkage::BuiltIn
        );
        assert_eq!(
            linkage_of("fs", &composites, &builtin, true),
            Linkage::BuiltIn
        );
    }

    #[test]
    fn data_files_hold_real_looking_paths() {
        for text in [COMMON_SOURCES, X86_64_SOURCES, ARM64_SOURCES] {
            for path in data_lines(text) {
                assert!(path.ends_with(".c") || path.ends_with(".S"), "{path}");
                assert!(!path.contains(' '), "{path}");
            }
        }
        assert!(data_lines(COMMON_SOURCES).len() > 3000);
    }
}
