//! `ansible`: an `ansible-playbook` run over a small fleet: plays and tasks
//! with per-host results arriving as the forks finish, loops, skipped
//! conditionals, handlers, the odd unreachable host or ignored failure, and a
//! PLAY RECAP whose counts are tallied from exactly what was printed.

use std::collections::BTreeSet;
use std::time::Duration;

use plugin_api::kit;
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

const PLAYS: &str = include_str!("../data/plays.txt");
const GROUPS: &str = include_str!("../data/groups.txt");
const TASKS: &str = include_str!("../data/tasks.txt");
const ERRORS: &str = include_str!("../data/errors.txt");
const UNREACHABLE: &str = include_str!("../data/unreachable.txt");
const WARNINGS: &str = include_str!("../data/warnings.txt");
const COMMANDS: &str = include_str!("../data/commands.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(280);

const OK: Style = Style::fg(Color::Green);
const CHANGED: Style = Style::fg(Color::Yellow);
const SKIP: Style = Style::fg(Color::Cyan);
const ERROR: Style = Style::fg(Color::Red);
const UNREACH: Style = Style::fg(Color::BrightRed);
const WARN: Style = Style::fg(Color::BrightMagenta);
const PLAIN: Style = Style::plain();

/// How a task tends to turn out, as the data file labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Idempotent configuration: mostly `ok`.
    Ok,
    /// Mostly `changed` (a new release, a download).
    Change,
    /// `command`/`shell` without `changed_when`: always `changed`.
    Cmd,
    /// Read-only checks: never changed.
    Check,
    /// Guarded by `when:`: mostly skipped.
    Skip,
    /// A loop: one line per item.
    Loop,
    /// `ignore_errors: true`: may fail and go on.
    Ignore,
    /// Inside `block:`/`rescue:`: may fail and be rescued.
    Rescue,
}

#[derive(Debug, Clone)]
struct Task {
    role: &'static str,
    name: &'static str,
    kind: Kind,
    secs: (f64, f64),
    items: Vec<&'static str>,
    /// The rescue task's name, for `Kind::Rescue`.
    rescue: Option<&'static str>,
    notify: Option<&'static str>,
}

/// How one host's run of one task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Changed,
    Skipped,
    Unreachable,
    /// Failed for real: the host drops out of the playbook.
    Failed,
    /// Failed under `ignore_errors`: counted ok and ignored.
    Ignored,
    /// Failed inside a block whose rescue then ran: counted rescued.
    Rescued,
}

/// One host's result for one task, and when it arrives.
#[derive(Debug, Clone)]
struct HostResult {
    host: usize,
    outcome: Outcome,
    /// `(item, changed)` for loops.
    items: Vec<(&'static str, bool)>,
    /// The JSON-ish body of a `fatal:` line.
    message: String,
    /// When the host's worker picked the task up, and when it finished.
    start_ms: u64,
    at_ms: u64,
}

/// The PLAY RECAP counters of one host, in ansible's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stats {
    ok: u32,
    changed: u32,
    unreachable: u32,
    failed: u32,
    skipped: u32,
    rescued: u32,
    ignored: u32,
}

impl Stats {
    /// Count one task result the way ansible's stats do: a changed result
    /// is also ok, an ignored failure is ok and ignored.
    fn record(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Changed => {
                self.ok += 1;
                self.changed += 1;
            }
            Outcome::Skipped => self.skipped += 1,
            Outcome::Unreachable => self.unreachable += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Ignored => {
                self.ok += 1;
                self.ignored += 1;
            }
            Outcome::Rescued => self.rescued += 1,
        }
    }
}

/// The hosts a session talks to.
#[derive(Debug, Clone)]
struct Inventory {
    names: Vec<String>,
    ips: Vec<String>,
}

/// One play: who it targets and what it runs.
#[derive(Debug, Clone)]
struct Play {
    name: String,
    hosts: Vec<usize>,
    tasks: Vec<Task>,
}

pub struct Ansible {
    rng: StdRng,
    command: &'static str,
    forks: usize,
    inventory: Inventory,
    plays: Vec<Play>,
    stats: Vec<Stats>,
    /// Hosts that failed or went unreachable: they sit out the rest.
    gone: BTreeSet<usize>,
    /// `(role or "any", message)`.
    errors: Vec<(&'static str, &'static str)>,
    unreachable: Vec<&'static str>,
    /// Whether this session has a host that will drop off the network.
    flaky_host: Option<usize>,
    /// Per host per task chance of a real failure.
    fail_rate: f64,
    /// The session's date, for the timestamps inside error messages.
    today: String,
}

impl Module for Ansible {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let budget = Duration::from_secs(rng.random_range(30..=110) + rng.random_range(0..=120));
        let command = *kit::data_lines(COMMANDS)
            .choose(&mut rng)
            .ok_or("no commands")?;
        let forks = if command.contains("--forks 10") {
            10
        } else {
            5
        };
        let (inventory, plays) = build_playbook(&mut rng, budget, forks);
        let flaky_host = rng
            .random_bool(0.25)
            .then(|| rng.random_range(0..inventory.names.len()));
        Ok(Ansible {
            command,
            forks,
            stats: vec![Stats::default(); inventory.names.len()],
            inventory,
            plays,
            gone: BTreeSet::new(),
            errors: error_messages(),
            unreachable: kit::data_lines(UNREACHABLE),
            flaky_host,
            fail_rate: if rng.random_bool(0.3) { 0.004 } else { 0.0 },
            today: kit::SimDate::from_seed(seed).datetime(Duration::ZERO)[..10].to_owned(),
            rng,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        kit::shell_prompt(host, self.command, 0)?;
        host.sleep_ms(self.rng.random_range(800..2500))?;
        self.warnings(host)?;
        let plays = self.plays.clone();
        for play in &plays {
            if host.clock() > HARD_CAP - Duration::from_secs(30) {
                break;
            }
            self.play(host, play)?;
        }
        self.recap(host)
    }
}

plugin_api::export_module! {
    module: Ansible,
    name: "ansible",
    version: env!("CARGO_PKG_VERSION"),
    description: "ansible-playbook configuring a fleet of servers",
    signature: "ansible-playbook -i inventories/production/hosts.yml site.yml",
}

// ---------------------------------------------------------------------------
// Building the playbook
// ---------------------------------------------------------------------------

fn parse_tasks() -> Vec<Task> {
    kit::data_lines(TASKS)
        .into_iter()
        .filter_map(|line| {
            let f: Vec<&'static str> = line.split('|').collect();
            if f.len() < 6 {
                return None;
            }
            let kind = match f[2] {
                "ok" => Kind::Ok,
                "change" => Kind::Change,
                "cmd" => Kind::Cmd,
                "check" => Kind::Check,
                "skip" => Kind::Skip,
                "loop" => Kind::Loop,
                "ignore" => Kind::Ignore,
                "rescue" => Kind::Rescue,
                _ => return None,
            };
            let (lo, hi) = f[3].split_once('-')?;
            let (items, rescue) = match kind {
                Kind::Rescue => (Vec::new(), Some(f[4])),
                _ => (f[4].split(',').filter(|s| !s.is_empty()).collect(), None),
            };
            Some(Task {
                role: f[0],
                name: f[1],
                kind,
                secs: (lo.parse().ok()?, hi.parse().ok()?),
                items,
                rescue,
                notify: (!f[5].is_empty()).then_some(f[5]),
            })
        })
        .collect()
}

/// Rough length of a play, to fit the playbook to the session.
fn estimate_ms(tasks: &[Task], hosts: usize, forks: usize) -> u64 {
    let rounds = hosts.div_ceil(forks).max(1) as f64;
    tasks
        .iter()
        .map(|t| (((t.secs.0 + t.secs.1) / 2.0 * rounds + 0.4) * 1000.0) as u64)
        .sum::<u64>()
        + 4000
}

/// Pick plays until the estimate fills the session, and the inventory
/// groups they need.
fn build_playbook(rng: &mut StdRng, budget: Duration, forks: usize) -> (Inventory, Vec<Play>) {
    let tasks = parse_tasks();
    let groups: Vec<(&str, &str, usize, usize)> = kit::data_lines(GROUPS)
        .into_iter()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            Some((
                *f.first()?,
                *f.get(1)?,
                f.get(2)?.parse().ok()?,
                f.get(3)?.parse().ok()?,
            ))
        })
        .collect();
    let mut all_plays: Vec<(&str, &str, Vec<&str>)> = kit::data_lines(PLAYS)
        .into_iter()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            Some((*f.first()?, *f.get(1)?, f.get(2)?.split(',').collect()))
        })
        .collect();
    all_plays.shuffle(rng);
    // An "all" play, if any, goes first, as site playbooks do.
    all_plays.sort_by_key(|(_, group, _)| *group != "all");
    if rng.random_bool(0.4) {
        all_plays.retain(|(_, g, _)| *g != "all");
    }

    let suffix = if rng.random_bool(0.3) {
        *[
            ".prod.internal",
            ".eu-west-1.compute.internal",
            ".acme.lan",
            ".dc1.example.net",
        ]
        .choose(rng)
        .unwrap_or(&".lan")
    } else {
        ""
    };
    let mut inventory = Inventory {
        names: Vec::new(),
        ips: Vec::new(),
    };
    let mut group_hosts: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut plays = Vec::new();
    let mut used_groups: Vec<&str> = Vec::new();
    let mut estimate = 0;
    let mut pending_all: Option<(&str, Vec<&str>)> = None;
    for (name, group, roles) in all_plays {
        if plays.len() + usize::from(pending_all.is_some()) >= 4
            || estimate >= budget.as_millis() as u64
        {
            break;
        }
        if group == "all" {
            if pending_all.is_none() && plays.is_empty() {
                pending_all = Some((name, roles));
            }
            continue;
        }
        if used_groups.contains(&group) {
            continue;
        }
        let Some(&(_, prefix, lo, hi)) = groups.iter().find(|(g, ..)| *g == group) else {
            continue;
        };
        used_groups.push(group);
        let count = rng.random_range(lo..=hi);
        let subnet = rng.random_range(1..60);
        let mut members = Vec::new();
        for n in 1..=count {
            members.push(inventory.names.len());
            inventory.names.push(format!("{prefix}{n:02}{suffix}"));
            inventory
                .ips
                .push(format!("10.0.{subnet}.{}", rng.random_range(10..250)));
        }
        group_hosts.push((group, members.clone()));
        let play_tasks = role_tasks(&tasks, &roles);
        estimate += estimate_ms(&play_tasks, members.len(), forks);
        plays.push(Play {
            name: name.to_owned(),
            hosts: members,
            tasks: play_tasks,
        });
    }
    if let Some((name, roles)) = pending_all {
        let everyone: Vec<usize> = (0..inventory.names.len()).collect();
        plays.insert(
            0,
            Play {
                name: name.to_owned(),
                hosts: everyone,
                tasks: role_tasks(&tasks, &roles),
            },
        );
    }
    (inventory, plays)
}

/// The tasks of `roles`, in order; long roles are trimmed a little so a
/// play does not run all session.
fn role_tasks(tasks: &[Task], roles: &[&str]) -> Vec<Task> {
    roles
        .iter()
        .flat_map(|role| tasks.iter().filter(move |t| t.role == *role))
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------
// Results and how they print
// ---------------------------------------------------------------------------

/// When each host's result arrives: hosts are handed to `forks` workers in
/// inventory order, each taking `durations[i]` milliseconds.
fn arrival_times(durations: &[u64], forks: usize) -> Vec<u64> {
    let mut free_at = vec![0u64; forks.max(1)];
    durations
        .iter()
        .map(|&d| {
            let slot = (0..free_at.len()).min_by_key(|&i| free_at[i]).unwrap_or(0);
            free_at[slot] += d;
            free_at[slot]
        })
        .collect()
}

impl Ansible {
    /// Decide how `task` turns out on each of `hosts`.
    fn task_results(&mut self, task: &Task, hosts: &[usize], facts: bool) -> Vec<HostResult> {
        let durations: Vec<u64> = hosts
            .iter()
            .map(|_| (self.rng.random_range(task.secs.0..=task.secs.1) * 1000.0) as u64 + 60)
            .collect();
        let arrivals = arrival_times(&durations, self.forks);
        let mut results = Vec::new();
        for (i, &h) in hosts.iter().enumerate() {
            let mut items = Vec::new();
            let outcome = if facts {
                if self.flaky_host == Some(h) {
                    Outcome::Unreachable
                } else {
                    Outcome::Ok
                }
            } else if self.rng.random_bool(self.fail_rate) && task.kind != Kind::Skip {
                // A block's rescue or ignore_errors catches any failure.
                match task.kind {
                    Kind::Rescue => Outcome::Rescued,
                    Kind::Ignore => Outcome::Ignored,
                    _ => Outcome::Failed,
                }
            } else {
                match task.kind {
                    Kind::Ok => self.either(0.12, Outcome::Changed, Outcome::Ok),
                    Kind::Change => self.either(0.75, Outcome::Changed, Outcome::Ok),
                    Kind::Cmd => Outcome::Changed,
                    Kind::Check => Outcome::Ok,
                    Kind::Skip => self.either(0.8, Outcome::Skipped, Outcome::Changed),
                    Kind::Ignore => self.either(0.15, Outcome::Ignored, Outcome::Changed),
                    Kind::Rescue => self.either(0.08, Outcome::Rescued, Outcome::Changed),
                    Kind::Loop => {
                        for &item in &task.items {
                            items.push((item, self.rng.random_bool(0.3)));
                        }
                        if items.iter().any(|(_, c)| *c) {
                            Outcome::Changed
                        } else {
                            Outcome::Ok
                        }
                    }
                }
            };
            let message = match outcome {
                Outcome::Unreachable => {
                    let why = self
                        .unreachable
                        .choose(&mut self.rng)
                        .unwrap_or(&"unreachable");
                    format!(
                        "\"changed\": false, \"msg\": \"{}\", \"unreachable\": true",
                        why.replace("{ip}", &self.inventory.ips[h])
                    )
                }
                Outcome::Failed | Outcome::Ignored | Outcome::Rescued => {
                    let own: Vec<&str> = self
                        .errors
                        .iter()
                        .filter(|(role, _)| *role == task.role)
                        .map(|(_, m)| *m)
                        .collect();
                    let any: Vec<&str> = self
                        .errors
                        .iter()
                        .filter(|(role, _)| *role == "any")
                        .map(|(_, m)| *m)
                        .collect();
                    let pool = if own.is_empty() { any } else { own };
                    pool.choose(&mut self.rng)
                        .unwrap_or(&"\"msg\": \"failed\"")
                        .replace("{date}", &self.today)
                        .replace("{ip}", &self.inventory.ips[h])
                }
                _ => String::new(),
            };
            results.push(HostResult {
                host: h,
                outcome,
                items,
                message,
                start_ms: arrivals[i] - durations[i],
                at_ms: arrivals[i],
            });
        }
        results.sort_by_key(|r| r.at_ms);
        results
    }

    fn either(&mut self, p: f64, yes: Outcome, no: Outcome) -> Outcome {
        if self.rng.random_bool(p) { yes } else { no }
    }
}

/// The lines one host's result prints, with their colours.
fn result_lines(r: &HostResult, name: &str) -> Vec<(String, Style)> {
    match r.outcome {
        Outcome::Ok | Outcome::Changed if !r.items.is_empty() => r
            .items
            .iter()
            .map(|(item, changed)| {
                if *changed {
                    (format!("changed: [{name}] => (item={item})"), CHANGED)
                } else {
                    (format!("ok: [{name}] => (item={item})"), OK)
                }
            })
            .collect(),
        Outcome::Ok => vec![(format!("ok: [{name}]"), OK)],
        Outcome::Changed => vec![(format!("changed: [{name}]"), CHANGED)],
        Outcome::Skipped => vec![(format!("skipping: [{name}]"), SKIP)],
        Outcome::Unreachable => vec![(
            format!("fatal: [{name}]: UNREACHABLE! => {{{}}}", r.message),
            UNREACH,
        )],
        Outcome::Failed | Outcome::Rescued => vec![(
            format!("fatal: [{name}]: FAILED! => {{{}}}", r.message),
            ERROR,
        )],
        Outcome::Ignored => vec![
            (
                format!("fatal: [{name}]: FAILED! => {{{}}}", r.message),
                ERROR,
            ),
            ("...ignoring".to_owned(), SKIP),
        ],
    }
}

/// `TASK [nginx : Deploy nginx.conf] *****...` filling the line with stars
/// (at least three), never wider than `width`.
fn banner(title: &str, width: usize) -> String {
    let stars = width.saturating_sub(kit::width(title) + 1).max(3);
    kit::fit(&format!("{title} {}", "*".repeat(stars)), width)
}

/// One PLAY RECAP row as styled pieces. `name_width` is 26 in ansible's own
/// layout; `compact` drops the padding after each count to fit 80 columns.
fn recap_row(name: &str, s: &Stats, name_width: usize, compact: bool) -> Vec<(String, Style)> {
    let host_style = if s.failed > 0 || s.unreachable > 0 {
        ERROR
    } else if s.changed > 0 {
        CHANGED
    } else {
        OK
    };
    let mut row = vec![
        (format!("{name:<name_width$}"), host_style),
        (" : ".to_owned(), PLAIN),
    ];
    let counts = [
        ("ok", s.ok, OK),
        ("changed", s.changed, CHANGED),
        ("unreachable", s.unreachable, UNREACH),
        ("failed", s.failed, ERROR),
        ("skipped", s.skipped, SKIP),
        ("rescued", s.rescued, OK),
        ("ignored", s.ignored, WARN),
    ];
    for (i, (label, n, style)) in counts.into_iter().enumerate() {
        let text = if compact {
            format!("{label}={n}")
        } else {
            format!("{label}={n:<4}")
        };
        if i > 0 {
            row.push((" ".to_owned(), PLAIN));
        }
        row.push((text, if n > 0 { style } else { PLAIN }));
    }
    row
}

/// `name` in at most `room` cells, keeping its end (the host number tells
/// hosts apart): `k8s-node06` in 7 cells is `k8s-…06`.
fn squeeze(name: &str, room: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= room {
        return name.to_owned();
    }
    if room < 4 {
        return kit::fit(name, room);
    }
    let head: String = chars[..room - 3].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}…{tail}")
}

/// The host names to show, how wide their column is and whether counts lose
/// their padding, so that every recap row fits `width`: ansible's own layout
/// when it fits, then compact counts, then names without their domain, then
/// names cut short.
fn recap_layout(names: &[String], stats: &[Stats], width: usize) -> (Vec<String>, usize, bool) {
    let longest = names.iter().map(|n| kit::width(n)).max().unwrap_or(0);
    let row_width = |name_width: usize, compact: bool| {
        stats
            .iter()
            .map(|s| {
                recap_row("", s, name_width, compact)
                    .iter()
                    .map(|(t, _)| kit::width(t))
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(0)
    };
    let full = 26.max(longest);
    if row_width(full, false) <= width {
        return (names.to_vec(), full, false);
    }
    let room = width.saturating_sub(row_width(0, true)).max(4);
    let shown: Vec<String> = if longest <= room {
        names.to_vec()
    } else {
        names
            .iter()
            .map(|n| squeeze(n.split('.').next().unwrap_or(n), room))
            .collect()
    };
    let longest = shown.iter().map(|n| kit::width(n)).max().unwrap_or(0);
    (shown, longest.min(room), true)
}

// ---------------------------------------------------------------------------
// Playing it
// ---------------------------------------------------------------------------

impl Ansible {
    fn warnings(&mut self, host: &Host) -> RunResult {
        let warnings = kit::data_lines(WARNINGS);
        let count = *[0, 0, 1, 1, 2].choose(&mut self.rng).unwrap_or(&0);
        for w in warnings.sample(&mut self.rng, count) {
            let name = self
                .inventory
                .names
                .choose(&mut self.rng)
                .cloned()
                .unwrap_or_default();
            kit::println_fit(host, &w.replace("{host}", &name), WARN);
            host.sleep_ms(self.rng.random_range(100..400))?;
        }
        Ok(())
    }

    fn play(&mut self, host: &Host, play: &Play) -> RunResult {
        let width = host.width().saturating_sub(1);
        host.newline();
        kit::println_fit(
            host,
            &banner(&format!("PLAY [{}]", play.name), width),
            PLAIN,
        );
        host.sleep_ms(self.rng.random_range(200..700))?;
        let facts = Task {
            role: "",
            name: "Gathering Facts",
            kind: Kind::Check,
            secs: (1.2, 4.5),
            items: Vec::new(),
            rescue: None,
            notify: None,
        };
        let mut notified: Vec<(&'static str, &'static str, BTreeSet<usize>)> = Vec::new();
        self.task(host, &facts, play, true, &mut notified)?;
        let rounds = play.hosts.len().div_ceil(self.forks) as f64;
        for task in &play.tasks {
            // Stop before a task that could run past the session's end.
            let worst = Duration::from_secs_f64(task.secs.1 * rounds + 2.0);
            if host.clock() + worst > HARD_CAP - Duration::from_secs(10) {
                break;
            }
            self.task(host, task, play, false, &mut notified)?;
        }
        for (role, handler, hosts) in notified {
            let alive: Vec<usize> = hosts
                .into_iter()
                .filter(|h| !self.gone.contains(h))
                .collect();
            if alive.is_empty() {
                continue;
            }
            let task = Task {
                role,
                name: handler,
                kind: Kind::Cmd,
                secs: (0.6, 3.0),
                items: Vec::new(),
                rescue: None,
                notify: None,
            };
            host.newline();
            kit::println_fit(
                host,
                &banner(&format!("RUNNING HANDLER [{role} : {handler}]"), width),
                PLAIN,
            );
            self.play_results(host, &task, &alive, false)?;
        }
        Ok(())
    }

    /// One task: banner, then each host's result as it comes in.
    fn task(
        &mut self,
        host: &Host,
        task: &Task,
        play: &Play,
        facts: bool,
        notified: &mut Vec<(&'static str, &'static str, BTreeSet<usize>)>,
    ) -> RunResult {
        let alive: Vec<usize> = play
            .hosts
            .iter()
            .copied()
            .filter(|h| !self.gone.contains(h))
            .collect();
        let width = host.width().saturating_sub(1);
        host.newline();
        if alive.is_empty() {
            kit::println_fit(host, "skipping: no hosts matched", SKIP);
            return Ok(());
        }
        let title = if task.role.is_empty() {
            format!("TASK [{}]", task.name)
        } else {
            format!("TASK [{} : {}]", task.role, task.name)
        };
        kit::println_fit(host, &banner(&title, width), PLAIN);
        let results = self.play_results(host, task, &alive, facts)?;
        if let Some(handler) = task.notify {
            let changed: BTreeSet<usize> = results
                .iter()
                .filter(|r| r.outcome == Outcome::Changed)
                .map(|r| r.host)
                .collect();
            if !changed.is_empty() {
                match notified.iter_mut().find(|(_, h, _)| *h == handler) {
                    Some((_, _, hosts)) => hosts.extend(changed),
                    None => notified.push((task.role, handler, changed)),
                }
            }
        }
        let rescued: Vec<usize> = results
            .iter()
            .filter(|r| r.outcome == Outcome::Rescued)
            .map(|r| r.host)
            .collect();
        if let (false, Some(name)) = (rescued.is_empty(), task.rescue) {
            let rescue = Task {
                role: task.role,
                name,
                kind: Kind::Cmd,
                secs: (1.0, 5.0),
                items: Vec::new(),
                rescue: None,
                notify: None,
            };
            host.newline();
            kit::println_fit(
                host,
                &banner(&format!("TASK [{} : {name}]", task.role), width),
                PLAIN,
            );
            self.play_results(host, &rescue, &rescued, false)?;
        }
        Ok(())
    }

    /// Print results as they arrive, counting each into the recap.
    fn play_results(
        &mut self,
        host: &Host,
        task: &Task,
        hosts: &[usize],
        facts: bool,
    ) -> Result<Vec<HostResult>, plugin_api::Error> {
        let results = self.task_results(task, hosts, facts);
        // Loop items interleave across hosts, each printed when it finishes.
        let mut lines: Vec<(u64, String, Style)> = Vec::new();
        for r in &results {
            let name = &self.inventory.names[r.host];
            let printed = result_lines(r, name);
            let n = printed.len() as u64;
            for (k, (text, style)) in printed.into_iter().enumerate() {
                let at = if r.items.is_empty() {
                    r.at_ms + k as u64 * 30
                } else {
                    r.start_ms + (r.at_ms - r.start_ms) * (k as u64 + 1) / n
                };
                lines.push((at, text, style));
            }
        }
        lines.sort_by_key(|(at, _, _)| *at);
        let mut now = 0;
        for (at, text, style) in lines {
            host.sleep_ms(at - now)?;
            now = at;
            kit::println_fit(host, &text, style);
        }
        for r in &results {
            self.stats[r.host].record(r.outcome);
            if matches!(r.outcome, Outcome::Failed | Outcome::Unreachable) {
                self.gone.insert(r.host);
            }
        }
        host.sleep_ms(self.rng.random_range(150..600))?;
        Ok(results)
    }

    fn recap(&mut self, host: &Host) -> RunResult {
        let width = host.width().saturating_sub(1);
        host.newline();
        kit::println_fit(host, &banner("PLAY RECAP", width), PLAIN);
        let (names, name_width, compact) = recap_layout(&self.inventory.names, &self.stats, width);
        for (i, name) in names.iter().enumerate() {
            let row = recap_row(name, &self.stats[i], name_width, compact);
            let spans: Vec<(&str, Style)> = row.iter().map(|(t, s)| (t.as_str(), *s)).collect();
            kit::println_spans(host, &spans);
            host.sleep_ms(15)?;
        }
        host.newline();
        Ok(())
    }
}

/// The failure messages of `data/errors.txt`, as `(module, message)` pairs.
fn error_messages() -> Vec<(&'static str, &'static str)> {
    kit::data_lines(ERRORS)
        .into_iter()
        .filter_map(|l| l.split_once('|'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(seed: u64) -> Ansible {
        let mut rng = StdRng::seed_from_u64(seed);
        let (inventory, plays) = build_playbook(&mut rng, Duration::from_secs(120), 5);
        Ansible {
            command: "ansible-playbook site.yml",
            forks: 5,
            stats: vec![Stats::default(); inventory.names.len()],
            flaky_host: Some(0),
            inventory,
            plays,
            gone: BTreeSet::new(),
            errors: error_messages(),
            unreachable: kit::data_lines(UNREACHABLE),
            fail_rate: 0.05,
            today: "2026-03-14".to_owned(),
            rng,
        }
    }

    /// Count a task's printed lines back into stats, the way a reader of
    /// the output would, without looking at the outcomes.
    fn recount(lines: &[(String, Style)], name: &str, task: &Task, stats: &mut Stats) {
        let mine: Vec<&String> = lines
            .iter()
            .map(|(t, _)| t)
            .filter(|t| t.contains(&format!("[{name}]")) || t.as_str() == "...ignoring")
            .collect();
        let text: Vec<&str> = mine.iter().map(|s| s.as_str()).collect();
        if text.iter().any(|l| l.contains("UNREACHABLE!")) {
            stats.unreachable += 1;
        } else if text.iter().any(|l| l.contains("FAILED!")) {
            if text.contains(&"...ignoring") {
                stats.ok += 1;
                stats.ignored += 1;
            } else if task.kind == Kind::Rescue {
                stats.rescued += 1;
            } else {
                stats.failed += 1;
            }
        } else if text.iter().any(|l| l.starts_with("changed:")) {
            stats.ok += 1;
            stats.changed += 1;
        } else if text.iter().any(|l| l.starts_with("ok:")) {
            stats.ok += 1;
        } else if text.iter().any(|l| l.starts_with("skipping:")) {
            stats.skipped += 1;
        }
    }

    #[test]
    fn recap_counts_match_printed_lines() {
        for seed in 0..40 {
            let mut m = module(seed);
            let mut recounted = vec![Stats::default(); m.inventory.names.len()];
            let plays = m.plays.clone();
            for play in &plays {
                for (i, task) in play.tasks.iter().enumerate() {
                    let alive: Vec<usize> = play
                        .hosts
                        .iter()
                        .copied()
                        .filter(|h| !m.gone.contains(h))
                        .collect();
                    let results = m.task_results(task, &alive, i == 0);
                    for r in &results {
                        let name = m.inventory.names[r.host].clone();
                        let lines = result_lines(r, &name);
                        recount(&lines, &name, task, &mut recounted[r.host]);
                        m.stats[r.host].record(r.outcome);
                        if matches!(r.outcome, Outcome::Failed | Outcome::Unreachable) {
                            m.gone.insert(r.host);
                        }
                    }
                }
            }
            assert_eq!(m.stats, recounted, "seed {seed}");
            // And the recap row shows those numbers.
            for (i, s) in m.stats.iter().enumerate() {
                let row: String = recap_row(&m.inventory.names[i], s, 26, true)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                assert!(
                    row.contains(&format!(" ok={} changed={} ", s.ok, s.changed)),
                    "{row}"
                );
                assert!(
                    row.ends_with(&format!("rescued={} ignored={}", s.rescued, s.ignored)),
                    "{row}"
                );
            }
        }
    }

    #[test]
    fn gone_hosts_get_no_more_results() {
        let mut m = module(3);
        let task = m.plays[0].tasks[0].clone();
        let hosts = m.plays[0].hosts.clone();
        let first = m.task_results(&task, &hosts, true);
        assert!(
            first.iter().any(|r| r.outcome == Outcome::Unreachable),
            "host 0 is flaky"
        );
        assert_eq!(first.len(), hosts.len());
    }

    #[test]
    fn results_arrive_as_forks_free_up() {
        assert_eq!(
            arrival_times(&[5, 5, 5, 5, 5, 5, 5], 5),
            vec![5, 5, 5, 5, 5, 10, 10]
        );
        assert_eq!(arrival_times(&[3, 1, 2], 2), vec![3, 1, 3]);
    }

    #[test]
    fn banners_fill_but_fit() {
        assert_eq!(banner("PLAY [web]", 20), "PLAY [web] *********");
        for width in [20, 79, 200] {
            let b = banner(
                "TASK [nginx : Deploy virtual hosts and a very long name indeed]",
                width,
            );
            assert!(kit::width(&b) <= width);
            assert!(b.ends_with("***") || b.ends_with('…'));
        }
    }

    #[test]
    fn recap_fits_80_columns_when_compact() {
        let s = Stats {
            ok: 64,
            changed: 21,
            unreachable: 1,
            failed: 1,
            skipped: 12,
            rescued: 1,
            ignored: 2,
        };
        let names = vec![
            "k8s-node06.eu-west-1.compute.internal".to_owned(),
            "web01".to_owned(),
        ];
        let (shown, name_width, compact) = recap_layout(&names, &[s, Stats::default()], 79);
        assert!(compact);
        assert_eq!(shown[0], "k8s…06");
        assert_eq!(squeeze("worker01", 7), "work…01");
        assert_eq!(squeeze("web01", 7), "web01");
        let row: String = recap_row(&shown[0], &s, name_width, compact)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert!(kit::width(&row) <= 79, "{row}");
        assert!(row.contains("ok=64 changed=21 unreachable=1"), "{row}");
        assert_eq!(
            recap_layout(&names[1..], &[s], 200),
            (vec!["web01".to_owned()], 26, false)
        );
        let full: String = recap_row("web01", &Stats::default(), 26, false)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert!(
            full.starts_with("web01                      : ok=0    changed=0    unreachable=0"),
            "{full}"
        );
    }

    #[test]
    fn data_parses() {
        let tasks = parse_tasks();
        assert_eq!(tasks.len(), kit::data_lines(TASKS).len());
        for line in kit::data_lines(PLAYS) {
            for role in line.split('|').nth(2).unwrap().split(',') {
                assert!(
                    tasks.iter().any(|t| t.role == role),
                    "role {role} has no tasks"
                );
            }
        }
    }
}
