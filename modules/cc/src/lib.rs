//! A C project built by `make V=1`: the full gcc/clang command line for
//! every file (defines, include paths, dependency flags), now and then a
//! warning in the compiler's own format with the source line and caret,
//! and the final link.
//!
//! Projects and their real file lists live in `data/projects.txt`, with
//! each project's own command templates, so that curl builds through
//! libtool, nginx echoes its backslash-continued lines and PostgreSQL
//! descends into directories.

use plugin_api::kit::{data_lines, fit, wrap_spans};
use plugin_api::{Color, Host, Level, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

const PROJECTS: &str = include_str!("../data/projects.txt");
const WARNINGS: &str = include_str!("../data/warnings.txt");
const VARIABLES: &str = include_str!("../data/variables.txt");
const HOMES: &str = include_str!("../data/homes.txt");

/// Warnings gcc reports "At top level" rather than inside a function.
const TOP_LEVEL_FLAGS: [&str; 3] = [
    "-Wunused-function",
    "-Wold-style-definition",
    "-Wmissing-field-initializers",
];

const BOLD: Style = Style::plain().bold();
const WARNING: Style = Style::fg(Color::Magenta).bold();
const CARET: Style = Style::fg(Color::Green).bold();

/// Which compiler the session uses; their diagnostics differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compiler {
    Gcc,
    Clang,
}

impl Compiler {
    fn command(self) -> &'static str {
        match self {
            Compiler::Gcc => "gcc",
            Compiler::Clang => "clang",
        }
    }
}

/// One project block of `projects.txt`.
#[derive(Debug, Clone, Default)]
struct Project {
    /// `name version` from the block header, for the debug log.
    title: &'static str,
    root: &'static str,
    dir: &'static str,
    chdir: bool,
    compiler: Option<&'static str>,
    obj: &'static str,
    compile: Vec<&'static str>,
    link: Vec<&'static str>,
    functions: Vec<&'static str>,
    sources: Vec<&'static str>,
}

/// Reads the project blocks: `@ name version` then `key value` lines.
fn parse_projects(text: &'static str) -> Vec<Project> {
    let mut projects: Vec<Project> = Vec::new();
    for line in data_lines(text) {
        if let Some(title) = line.strip_prefix("@ ") {
            projects.push(Project {
                title,
                ..Project::default()
            });
            continue;
        }
        let Some(project) = projects.last_mut() else {
            continue;
        };
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "root" => project.root = value,
            "dir" => project.dir = value,
            "chdir" => project.chdir = value == "yes",
            "compiler" => project.compiler = Some(value),
            "obj" => project.obj = value,
            "cc" => project.compile.push(value),
            "link" => project.link.push(value),
            "fn" => project.functions.push(value),
            "src" => project.sources.push(value),
            _ => {}
        }
    }
    projects
}

/// One warning template of `warnings.txt`.
#[derive(Debug, Clone)]
struct Warning {
    gcc_flag: &'static str,
    gcc_message: &'static str,
    clang_flag: &'static str,
    clang_message: &'static str,
    code: &'static str,
}

fn parse_warnings(text: &'static str) -> Vec<Warning> {
    data_lines(text)
        .into_iter()
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(5, '|').collect();
            (f.len() == 5).then(|| Warning {
                gcc_flag: f[0],
                gcc_message: f[1],
                clang_flag: f[2],
                clang_message: f[3],
                code: f[4],
            })
        })
        .collect()
}

/// A source line with its marked range: the code without the `@` marks,
/// the 0-based column where the range starts, and the marked text.
fn marked_range(code: &str) -> (String, usize, String) {
    let mut parts = code.splitn(3, '@');
    let before = parts.next().unwrap_or("");
    let marked = parts.next().unwrap_or("");
    let after = parts.next().unwrap_or("");
    (
        format!("{before}{marked}{after}"),
        before.chars().count(),
        marked.to_string(),
    )
}

/// The caret line under a source line: gcc and clang both draw `^` at the
/// start of the range and `~` under the rest of it.
fn caret(range_len: usize) -> String {
    format!("^{}", "~".repeat(range_len.saturating_sub(1)))
}

/// Replaces `{key}` placeholders.
fn expand(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in vars {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// Physical lines of an echoed command: make prints a recipe's `\` + newline
/// continuations as they are, and tabs expand to the next 8-column stop.
fn command_lines(command: &str) -> Vec<String> {
    command
        .split("\\n")
        .map(|line| {
            let mut out = String::new();
            for c in line.replace("\\t", "\t").chars() {
                if c == '\t' {
                    let pad = 8 - out.chars().count() % 8;
                    out.push_str(&" ".repeat(pad));
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

/// The build session.
pub struct Cc {
    rng: StdRng,
    compiler: Compiler,
    home: &'static str,
    session_ms: u64,
    projects: Vec<Project>,
    warnings: Vec<Warning>,
    variables: Vec<&'static str>,
}

impl Module for Cc {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let compiler = match options.get("compiler").unwrap_or("random") {
            "gcc" => Compiler::Gcc,
            "clang" => Compiler::Clang,
            _ if rng.random_bool(0.65) => Compiler::Gcc,
            _ => Compiler::Clang,
        };
        let home = data_lines(HOMES)
            .choose(&mut rng)
            .copied()
            .unwrap_or("/home/dev");
        let mut projects = parse_projects(PROJECTS);
        projects.shuffle(&mut rng);
        Ok(Cc {
            session_ms: rng.random_range(30_000..200_000),
            compiler,
            home,
            projects,
            warnings: parse_warnings(WARNINGS),
            variables: data_lines(VARIABLES),
            rng,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let projects = std::mem::take(&mut self.projects);
        for project in &projects {
            let left = self
                .session_ms
                .saturating_sub(host.clock().as_millis() as u64);
            if left < 12_000 {
                break;
            }
            self.build(host, project, left)?;
        }
        Ok(())
    }
}

impl Cc {
    /// Prints styled text wrapped between words at the terminal width, the
    /// way a terminal would show a long command if it wrapped at spaces
    /// (indentation kept, a word longer than a line cut).
    fn print_wrapped(&self, host: &Host, segments: &[(&str, Style)]) {
        for line in wrap_spans(segments, host.width()) {
            for (text, style) in line {
                host.styled(text, style);
            }
            host.newline();
        }
    }

    /// Echoes a command the way make does, wrapped to the terminal.
    fn echo(&self, host: &Host, command: &str) {
        for line in command_lines(command) {
            self.print_wrapped(host, &[(&line, Style::plain())]);
        }
    }

    /// Builds one project: as many of its files as the time left allows
    /// (a partial rebuild after touching a header), then the link.
    fn build(&mut self, host: &Host, project: &Project, left_ms: u64) -> Result<(), Stop> {
        let per_file_ms = self.rng.random_range(250..1300);
        let link_ms = 600 * project.link.len() as u64 + 1500;
        let fit_files = (left_ms.saturating_sub(link_ms) / per_file_ms) as usize;
        let count = project.sources.len().min(fit_files.max(4));
        let start = if count < project.sources.len() {
            self.rng.random_range(0..=project.sources.len() - count)
        } else {
            0
        };
        let sources = &project.sources[start..start + count];

        host.log(
            Level::Debug,
            &format!("building {} ({count} files)", project.title),
        );
        let cc = project.compiler.unwrap_or(self.compiler.command());
        let root = project.root.replace("{home}", self.home);
        let top = if project.dir.is_empty() {
            root.clone()
        } else {
            format!("{root}/{}", project.dir)
        };
        self.echo(host, &format!("make[1]: Entering directory '{top}'"));
        host.sleep_ms(self.rng.random_range(100..600))?;

        let mut objects = Vec::new();
        let mut current_dir: Option<String> = None;
        for source in sources {
            let (dir, file) = match source.rsplit_once('/') {
                Some((d, f)) => (format!("{d}/"), f),
                None => (String::new(), *source),
            };
            if project.chdir && current_dir.as_deref() != Some(dir.as_str()) {
                if let Some(old) = current_dir.take() {
                    self.echo(
                        host,
                        &format!("make[2]: Leaving directory '{top}/{}'", trim_slash(&old)),
                    );
                }
                self.echo(
                    host,
                    &format!("make[2]: Entering directory '{top}/{}'", trim_slash(&dir)),
                );
                current_dir = Some(dir.clone());
            }
            let base = file.rsplit_once('.').map_or(file, |(b, _)| b);
            let up = "../".repeat(dir.matches('/').count());
            let (src, obj_dir) = if project.chdir {
                (file, "")
            } else {
                (*source, dir.as_str())
            };
            let vars = [
                ("cc", cc),
                ("dir", obj_dir),
                ("base", base),
                ("file", file),
                ("up", up.as_str()),
            ];
            let obj = expand(project.obj, &vars);
            let mut vars = vars.to_vec();
            vars.push(("src", src));
            vars.push(("obj", obj.as_str()));
            for template in &project.compile {
                self.echo(host, &expand(template, &vars));
            }
            objects.push(if project.chdir {
                format!("{dir}{obj}")
            } else {
                obj.clone()
            });
            host.sleep_ms((per_file_ms as f64 * self.rng.random_range(0.4..1.7)) as u64)?;
            if self.rng.random_bool(0.07) {
                self.warn(host, project, src)?;
            }
        }
        if let Some(old) = current_dir {
            self.echo(
                host,
                &format!("make[2]: Leaving directory '{top}/{}'", trim_slash(&old)),
            );
        }

        let objs = objects.join(" ");
        for template in &project.link {
            self.echo(
                host,
                &expand(template, &[("cc", cc), ("objs", objs.as_str())]),
            );
            host.sleep_ms(self.rng.random_range(300..2200))?;
        }
        self.echo(host, &format!("make[1]: Leaving directory '{top}'"));
        host.sleep_ms(self.rng.random_range(300..1200))?;
        Ok(())
    }

    /// One or two warnings for `src`, in the compiler's own layout.
    fn warn(&mut self, host: &Host, project: &Project, src: &str) -> Result<(), Stop> {
        let usable: Vec<Warning> = self
            .warnings
            .iter()
            .filter(|w| match self.compiler {
                Compiler::Gcc => !w.gcc_flag.is_empty(),
                Compiler::Clang => !w.clang_flag.is_empty(),
            })
            .cloned()
            .collect();
        let count = if self.rng.random_bool(0.25) { 2 } else { 1 };
        let mut line_no = self.rng.random_range(30..1800);
        for _ in 0..count {
            let Some(warning) = usable.choose(&mut self.rng).cloned() else {
                return Ok(());
            };
            let var = self
                .variables
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("len");
            let function = project
                .functions
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("main");
            let (code, col, marked) = marked_range(&warning.code.replace("{var}", var));
            let (flag, message) = match self.compiler {
                Compiler::Gcc => (warning.gcc_flag, warning.gcc_message),
                Compiler::Clang => (warning.clang_flag, warning.clang_message),
            };
            let message = message.replace("{id}", &marked);
            if self.compiler == Compiler::Gcc {
                if TOP_LEVEL_FLAGS.contains(&flag) {
                    self.print_wrapped(
                        host,
                        &[
                            (&format!("{src}:"), BOLD),
                            (" At top level:", Style::plain()),
                        ],
                    );
                } else {
                    self.print_wrapped(
                        host,
                        &[
                            (&format!("{src}:"), BOLD),
                            (" In function ‘", Style::plain()),
                            (function, BOLD),
                            ("’:", Style::plain()),
                        ],
                    );
                }
            }
            let location = format!("{src}:{line_no}:{}:", col + 1);
            let message_style = if self.compiler == Compiler::Clang {
                BOLD
            } else {
                Style::plain()
            };
            let flag = format!("[{flag}]");
            self.print_wrapped(
                host,
                &[
                    (&location, BOLD),
                    (" ", Style::plain()),
                    ("warning:", WARNING),
                    (" ", Style::plain()),
                    (&message, message_style),
                    (" ", Style::plain()),
                    (&flag, WARNING),
                ],
            );
            let gutter = format!("{line_no:>5} | ");
            host.println(&fit(&format!("{gutter}{code}"), host.width()));
            let under = format!("{}{}", " ".repeat(col), caret(marked.chars().count()));
            host.print(&fit("      | ", host.width()));
            host.println_styled(&fit(&under, host.width().saturating_sub(8)), CARET);
            host.sleep_ms(self.rng.random_range(40..200))?;
            line_no += self.rng.random_range(3..400);
        }
        if self.compiler == Compiler::Clang {
            let plural = if count == 1 { "" } else { "s" };
            host.println(&format!("{count} warning{plural} generated."));
        }
        Ok(())
    }
}

/// `access/heap/` -> `access/heap` for directory messages.
fn trim_slash(dir: &str) -> &str {
    dir.trim_end_matches('/')
}

plugin_api::export_module! {
    module: Cc,
    name: "cc",
    version: "0.1.0",
    description: "Build C projects with gcc or clang, verbose make output",
    signature: "make V=1 -j4",
    options: [
        plugin_api::option::choice(c"compiler", c"compiler to show", c"random", c"random|gcc|clang"),
    ],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_expand_continuations_and_tabs() {
        let lines = command_lines("cc -c a.c \\\\n\\t\\t-o objs/a.o");
        assert_eq!(
            lines,
            vec![
                "cc -c a.c \\".to_string(),
                format!("{}-o objs/a.o", " ".repeat(16))
            ]
        );
    }

    #[test]
    fn caret_covers_the_marked_range() {
        let (code, col, marked) = marked_range("    size_t @len@ = 0;");
        assert_eq!(code, "    size_t len = 0;");
        assert_eq!(col, 11);
        assert_eq!(marked, "len");
        assert_eq!(caret(marked.len()), "^~~");
        assert_eq!(&code[col..col + marked.len()], "len");
    }

    #[test]
    fn every_warning_marks_a_range() {
        for w in parse_warnings(WARNINGS) {
            assert_eq!(w.code.matches('@').count(), 2, "{}", w.code);
            assert!(!w.gcc_flag.is_empty() || !w.clang_flag.is_empty());
        }
    }

    #[test]
    fn projects_parse_completely() {
        let projects = parse_projects(PROJECTS);
        assert!(projects.len() >= 8);
        for p in &projects {
            assert!(!p.sources.is_empty(), "{}", p.title);
            assert!(!p.compile.is_empty() && !p.link.is_empty(), "{}", p.title);
            assert!(!p.obj.is_empty() && !p.root.is_empty(), "{}", p.title);
            assert!(p.title.contains(' '), "{}", p.title);
        }
    }
}
