//! `terraform`: `terraform init` then `terraform apply` of a real-looking
//! AWS, Google Cloud or Azure stack: refresh, the plan with its create /
//! update / replace blocks, the confirmation, and the apply with resources
//! created in parallel.
//!
//! The stack is decided first; the plan summary, the apply events and the
//! final "Apply complete!" totals are all derived from it, so they always
//! agree. Every "after 42s" and "[10s elapsed]" is a distance on the
//! simulated clock between two printed events.

use std::time::Duration;

use plugin_api::kit;
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

const AWS: &str = include_str!("../data/aws.txt");
const GOOGLE: &str = include_str!("../data/google.txt");
const AZURERM: &str = include_str!("../data/azurerm.txt");
const PROVIDERS: &str = include_str!("../data/providers.txt");
const REGIONS: &str = include_str!("../data/regions.txt");
const WORKDIRS: &str = include_str!("../data/workdirs.txt");
const MODULES: &str = include_str!("../data/modules.txt");
const TAG_CHANGES: &str = include_str!("../data/tag_changes.txt");
const PROJECTS: &str = include_str!("../data/projects.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(285);

/// Terraform's default `-parallelism`.
const PARALLELISM: usize = 10;

/// "Still creating..." comes every ten seconds.
const STILL_EVERY_MS: u64 = 10_000;

const GREEN: Style = Style::fg(Color::Green);
const YELLOW: Style = Style::fg(Color::Yellow);
const RED: Style = Style::fg(Color::Red);
const BOLD: Style = Style::plain().bold();
const PLAIN: Style = Style::plain();

/// One line of output in styled pieces.
type Line = Vec<(String, Style)>;

/// A resource type as the data files describe it.
#[derive(Debug, Clone)]
struct Spec {
    rtype: &'static str,
    /// `(name, count)`; count 1 means no `[i]` index.
    names: Vec<(&'static str, u32)>,
    /// Dependency layer; `None` for data sources.
    tier: Option<u32>,
    secs: (u64, u64),
    id: &'static str,
    attrs: Vec<(&'static str, &'static str)>,
    /// `(attribute, old, new)` of a change that forces replacement.
    force: Option<(&'static str, &'static str, &'static str)>,
}

/// What the plan does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Already exists, nothing to do: only refreshed.
    Keep,
    Create,
    Update,
    Replace,
}

/// One resource instance in the stack.
#[derive(Debug, Clone)]
struct Resource {
    address: String,
    rtype: &'static str,
    name: &'static str,
    tier: u32,
    action: Action,
    /// The id it has now (for existing resources) and after apply.
    old_id: String,
    new_id: String,
    attrs: Vec<(String, String)>,
    force: Option<(String, String, String)>,
    tag_change: (&'static str, &'static str, &'static str),
    /// Simulated milliseconds to create (or replace-create) and to destroy.
    create_ms: u64,
    destroy_ms: u64,
    modify_ms: u64,
}

/// A data source read during the plan.
#[derive(Debug, Clone)]
struct DataSource {
    address: String,
    id: String,
    read_ms: u64,
}

/// The values that stay fixed across a session: where everything lives.
#[derive(Debug, Clone)]
struct Place {
    provider: &'static str,
    env: &'static str,
    region: &'static str,
    project: &'static str,
    account: String,
    subscription: String,
}

/// The provider block: what `init` finds and installs.
#[derive(Debug, Clone)]
struct ProviderInfo {
    source: &'static str,
    constraint: &'static str,
    version: &'static str,
    backend: &'static str,
    extras: Vec<(&'static str, &'static str, &'static str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts {
    add: usize,
    change: usize,
    destroy: usize,
}

/// What happens to a resource at one moment of the apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Start,
    Still { elapsed_ms: u64 },
    Complete { took_ms: u64 },
}

/// Which part of the work an apply event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Create,
    Modify,
    Destroy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Event {
    at_ms: u64,
    resource: usize,
    phase: Phase,
    step: Step,
}

pub struct Terraform {
    rng: StdRng,
    budget: Duration,
    place: Place,
    provider: ProviderInfo,
    specs: Vec<Spec>,
    workdirs: Vec<&'static str>,
}

impl Module for Terraform {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let provider = match options.get("cloud").unwrap_or("any") {
            "any" => *["aws", "google", "azurerm"]
                .choose(&mut rng)
                .unwrap_or(&"aws"),
            "aws" => "aws",
            "gcp" => "google",
            "azure" => "azurerm",
            other => return Err(format!("option `cloud`: unknown cloud `{other}`")),
        };
        let budget = Duration::from_secs(rng.random_range(30..=110) + rng.random_range(0..=130));
        let place = choose_place(&mut rng, provider);
        let providers = parse_providers(provider);
        let info = providers
            .choose(&mut rng)
            .cloned()
            .ok_or("no provider data")?;
        Ok(Terraform {
            budget,
            place,
            provider: info,
            specs: parse_specs(provider),
            workdirs: kit::data_lines(WORKDIRS),
            rng,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let mut first = true;
        let mut dirs = self.workdirs.clone();
        dirs.shuffle(&mut self.rng);
        for dir in dirs {
            let left = HARD_CAP.saturating_sub(host.clock());
            if !first && (host.clock() >= self.budget || left < Duration::from_secs(40)) {
                break;
            }
            let dir = dir.replace("{env}", self.place.env);
            if !first {
                host.newline();
                host.sleep_ms(self.rng.random_range(1500..4000))?;
            }
            kit::shell_prompt(host, &format!("cd ~/src/{dir}"), 0)?;
            host.sleep_ms(self.rng.random_range(300..900))?;
            self.init_phase(host, first)?;
            first = false;
            let left = HARD_CAP.saturating_sub(host.clock());
            self.apply_phase(host, left)?;
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: Terraform,
    name: "terraform",
    version: env!("CARGO_PKG_VERSION"),
    description: "terraform init and apply of an AWS, GCP or Azure stack",
    signature: "terraform apply",
    options: [
        plugin_api::option::choice(c"cloud", c"cloud provider", c"any", c"any|aws|gcp|azure"),
    ],
}

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

fn parse_specs(provider: &str) -> Vec<Spec> {
    let text = match provider {
        "google" => GOOGLE,
        "azurerm" => AZURERM,
        _ => AWS,
    };
    kit::data_lines(text)
        .into_iter()
        .filter_map(parse_spec)
        .collect()
}

fn parse_spec(line: &'static str) -> Option<Spec> {
    let f: Vec<&'static str> = line.split('|').collect();
    if f.len() < 7 {
        return None;
    }
    let names = f[1]
        .split(',')
        .map(|n| match n.split_once('*') {
            Some((name, count)) => (name, count.parse().unwrap_or(1)),
            None => (n, 1),
        })
        .collect();
    let tier = if f[2] == "data" {
        None
    } else {
        Some(f[2].parse().ok()?)
    };
    let (lo, hi) = f[3].split_once('-')?;
    let attrs = f[5]
        .split(';')
        .filter(|a| !a.is_empty())
        .filter_map(|a| a.split_once('='))
        .collect();
    let force = f[6].split_once('=').and_then(|(key, change)| {
        let (old, new) = change.split_once("->")?;
        Some((key, old, new))
    });
    Some(Spec {
        rtype: f[0],
        names,
        tier,
        secs: (lo.parse().ok()?, hi.parse().ok()?),
        id: f[4],
        attrs,
        force,
    })
}

fn parse_providers(provider: &str) -> Vec<ProviderInfo> {
    kit::data_lines(PROVIDERS)
        .into_iter()
        .filter_map(|line| {
            let f: Vec<&'static str> = line.split('|').collect();
            if f.len() < 6 || f[0] != provider {
                return None;
            }
            let extras = f[5]
                .split(',')
                .filter_map(|e| {
                    let mut p = e.split('@');
                    Some((p.next()?, p.next()?, p.next()?))
                })
                .collect();
            Some(ProviderInfo {
                source: f[1],
                constraint: f[2],
                version: f[3],
                backend: f[4],
                extras,
            })
        })
        .collect()
}

fn choose_place(rng: &mut StdRng, provider: &'static str) -> Place {
    let regions: Vec<&'static str> = kit::data_lines(REGIONS)
        .into_iter()
        .filter_map(|l| l.split_once('|'))
        .filter(|(p, _)| *p == provider)
        .map(|(_, r)| r)
        .collect();
    let projects = kit::data_lines(PROJECTS);
    let project = *projects.choose(rng).unwrap_or(&"acme-platform");
    Place {
        provider,
        env: ["prod", "staging", "dev", "prod", "qa"]
            .choose(rng)
            .unwrap_or(&"prod"),
        region: regions.choose(rng).unwrap_or(&"us-east-1"),
        project,
        account: (0..12)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect(),
        subscription: kit::random::uuid(rng),
    }
}

/// Fill `{name}`, `{env}`, `{region}`, `{zone}`, `{project}`, `{rg}`,
/// `{sub}`, `{account}`, `{uuid}`, `{hexN}` and `{numN}` in a template.
fn fill(template: &str, name: &str, place: &Place, rng: &mut StdRng) -> String {
    kit::fill(template, |key| {
        Some(match key {
            "name" => name.replace('_', "-"),
            "env" => place.env.to_owned(),
            "region" => place.region.to_owned(),
            "zone" => match place.provider {
                "google" => format!("{}-b", place.region),
                _ => format!("{}a", place.region),
            },
            "project" => format!("{}-{}", place.project, place.env),
            "rg" => format!("rg-main-{}", place.env),
            "sub" => place.subscription.clone(),
            "account" => place.account.clone(),
            "uuid" => kit::random::uuid(rng),
            k if k.starts_with("hex") => {
                kit::hex_digits(k[3..].parse().unwrap_or(8), || rng.random_range(0..16))
            }
            k if k.starts_with("HEX") => {
                kit::hex_digits(k[3..].parse().unwrap_or(8), || rng.random_range(0..16))
                    .to_uppercase()
            }
            k if k.starts_with("num") => rng
                .random_range(0..=k[3..].parse().unwrap_or(9u64))
                .to_string(),
            // Not a placeholder: HCL braces like `jsonencode({...})`.
            _ => return None,
        })
    })
}

// ---------------------------------------------------------------------------
// The stack: every later number derives from it
// ---------------------------------------------------------------------------

/// Pick the resources of one configuration and what the plan does to each.
/// `fresh` stacks create everything.
fn build_stack(
    rng: &mut StdRng,
    specs: &[Spec],
    place: &Place,
    fresh: bool,
) -> (Vec<Resource>, Vec<DataSource>) {
    let tag_changes: Vec<(&'static str, &'static str, &'static str)> = kit::data_lines(TAG_CHANGES)
        .into_iter()
        .filter_map(|l| {
            let mut f = l.split('|');
            Some((f.next()?, f.next()?, f.next()?))
        })
        .collect();
    let (data_specs, resource_specs): (Vec<&Spec>, Vec<&Spec>) =
        specs.iter().partition(|s| s.tier.is_none());
    let mut chosen: Vec<&Spec> = resource_specs.clone();
    chosen.shuffle(rng);
    chosen.truncate(rng.random_range(6..=13));

    let mut resources = Vec::new();
    for spec in chosen {
        let (name, count) = *spec.names.choose(rng).unwrap_or(&("main", 1));
        let count = if count > 1 {
            rng.random_range(2..=count)
        } else {
            1
        };
        for i in 0..count {
            let address = if count > 1 {
                format!("{}.{name}[{i}]", spec.rtype)
            } else {
                format!("{}.{name}", spec.rtype)
            };
            let action = if fresh {
                Action::Create
            } else {
                match rng.random_range(0..100) {
                    0..=44 => Action::Create,
                    45..=74 => Action::Keep,
                    75..=91 if taggable(spec.rtype) => Action::Update,
                    75..=91 => Action::Keep,
                    _ if spec.force.is_some() => Action::Replace,
                    _ if taggable(spec.rtype) => Action::Update,
                    _ => Action::Keep,
                }
            };
            let id_name = if count > 1 {
                format!("{name}-{i}")
            } else {
                name.to_owned()
            };
            let old_id = if spec.id == "none" {
                "none".to_owned()
            } else {
                fill(spec.id, &id_name, place, rng)
            };
            let new_id = if action == Action::Replace && spec.id != "none" {
                fill(spec.id, &id_name, place, rng)
            } else {
                old_id.clone()
            };
            let attrs = spec
                .attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), fill(v, name, place, rng)))
                .collect();
            let force = spec.force.map(|(k, old, new)| {
                (
                    k.to_owned(),
                    fill(old, name, place, rng),
                    fill(new, name, place, rng),
                )
            });
            let tag_change = *tag_changes
                .choose(rng)
                .unwrap_or(&("Version", "1.0.0", "1.1.0"));
            let (lo, hi) = spec.secs;
            let create_ms = rng.random_range(lo * 1000..=hi * 1000 + 999);
            resources.push(Resource {
                address,
                rtype: spec.rtype,
                name,
                tier: spec.tier.unwrap_or(0),
                action,
                old_id,
                new_id,
                attrs,
                force,
                tag_change,
                create_ms,
                destroy_ms: rng.random_range(500..(create_ms / 3).max(1500)),
                modify_ms: rng.random_range(400..(create_ms / 4).max(2500)),
            });
        }
    }
    // A plan with nothing to do would be a dull session.
    if resources.iter().all(|r| r.action == Action::Keep)
        && let Some(r) = resources.first_mut()
    {
        r.action = Action::Update;
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));

    let mut data_specs = data_specs;
    data_specs.shuffle(rng);
    let data = data_specs
        .into_iter()
        .take(rng.random_range(1..=3))
        .map(|spec| {
            let (name, _) = *spec.names.choose(rng).unwrap_or(&("current", 1));
            DataSource {
                address: format!("{}.{name}", spec.rtype),
                id: fill(spec.id, name, place, rng),
                read_ms: rng.random_range(spec.secs.0 * 1000 + 80..=spec.secs.1 * 1000 + 900),
            }
        })
        .collect();
    (resources, data)
}

/// Whether a resource type carries tags (labels on Google), which is what
/// drifts in an in-place update here. Glue resources have none.
fn taggable(rtype: &str) -> bool {
    const UNTAGGED: [&str; 12] = [
        "random_",
        "association",
        "attachment",
        "iam_member",
        "role_assignment",
        "ingress_rule",
        "versioning",
        "public_access_block",
        "sql_user",
        "sql_database",
        "server_database",
        "storage_container",
    ];
    !UNTAGGED.iter().any(|u| rtype.contains(u))
}

fn plan_counts(resources: &[Resource]) -> Counts {
    let mut c = Counts::default();
    for r in resources {
        match r.action {
            Action::Keep => {}
            Action::Create => c.add += 1,
            Action::Update => c.change += 1,
            Action::Replace => {
                c.add += 1;
                c.destroy += 1;
            }
        }
    }
    c
}

/// What the apply reports, counted from its completion events.
fn apply_counts(events: &[Event]) -> Counts {
    let mut c = Counts::default();
    for e in events {
        if let Step::Complete { .. } = e.step {
            match e.phase {
                Phase::Create => c.add += 1,
                Phase::Modify => c.change += 1,
                Phase::Destroy => c.destroy += 1,
            }
        }
    }
    c
}

/// The apply as a timeline. Resources of a tier start once every lower tier
/// is done (they depend on it), at most ten at a time; a replacement is
/// destroyed first, then created.
fn schedule(resources: &[Resource]) -> Vec<Event> {
    let mut events = Vec::new();
    let mut now = 0u64;
    let mut tiers: Vec<u32> = resources.iter().map(|r| r.tier).collect();
    tiers.sort_unstable();
    tiers.dedup();
    for tier in tiers {
        let mut pending: Vec<usize> = (0..resources.len())
            .filter(|&i| resources[i].tier == tier && resources[i].action != Action::Keep)
            .collect();
        pending.reverse();
        let mut running: Vec<u64> = Vec::new(); // end times
        while !pending.is_empty() || !running.is_empty() {
            while running.len() < PARALLELISM {
                let Some(i) = pending.pop() else { break };
                running.push(job_events(&resources[i], i, now, &mut events));
            }
            let next = running.iter().copied().min().unwrap_or(now);
            running.retain(|&end| end != next);
            now = next;
        }
    }
    // Stable: events at the same moment keep the order they were made in.
    events.sort_by_key(|e| e.at_ms);
    events
}

/// Push the events of one resource's job starting at `start`; returns when
/// it ends.
fn job_events(r: &Resource, index: usize, start: u64, events: &mut Vec<Event>) -> u64 {
    let mut at = start;
    let mut phase = |phase: Phase, ms: u64, at: &mut u64| {
        events.push(Event {
            at_ms: *at,
            resource: index,
            phase,
            step: Step::Start,
        });
        let mut k = STILL_EVERY_MS;
        while k < ms {
            events.push(Event {
                at_ms: *at + k,
                resource: index,
                phase,
                step: Step::Still { elapsed_ms: k },
            });
            k += STILL_EVERY_MS;
        }
        *at += ms;
        events.push(Event {
            at_ms: *at,
            resource: index,
            phase,
            step: Step::Complete { took_ms: ms },
        });
    };
    match r.action {
        Action::Keep => {}
        Action::Create => phase(Phase::Create, r.create_ms, &mut at),
        Action::Update => phase(Phase::Modify, r.modify_ms, &mut at),
        Action::Replace => {
            phase(Phase::Destroy, r.destroy_ms, &mut at);
            phase(Phase::Create, r.create_ms, &mut at);
        }
    }
    at
}

/// Go's duration format, truncated to seconds as terraform prints it:
/// `0s`, `42s`, `1m0s`, `2m35s`.
fn go_duration(ms: u64) -> String {
    let s = ms / 1000;
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{}s", s / 60, s % 60)
    }
}

/// The line an apply event prints.
fn event_line(e: &Event, r: &Resource) -> Line {
    let id = match e.phase {
        Phase::Create => &r.new_id,
        _ => &r.old_id,
    };
    let id_suffix = if id == "none" {
        String::new()
    } else {
        format!(" [id={id}]")
    };
    let (verb, still, done) = match e.phase {
        Phase::Create => ("Creating...", "creating", "Creation complete"),
        Phase::Modify => ("Modifying...", "modifying", "Modifications complete"),
        Phase::Destroy => ("Destroying...", "destroying", "Destruction complete"),
    };
    match e.step {
        Step::Start => {
            let suffix = if e.phase == Phase::Create {
                String::new()
            } else {
                id_suffix
            };
            vec![(format!("{}: {verb}{suffix}", r.address), BOLD)]
        }
        Step::Still { elapsed_ms } => vec![(
            format!(
                "{}: Still {still}... [{} elapsed]",
                r.address,
                go_duration(elapsed_ms)
            ),
            PLAIN,
        )],
        Step::Complete { took_ms } => {
            let suffix = if e.phase == Phase::Destroy {
                String::new()
            } else {
                id_suffix
            };
            vec![(
                format!(
                    "{}: {done} after {}{suffix}",
                    r.address,
                    go_duration(took_ms)
                ),
                BOLD,
            )]
        }
    }
}

// ---------------------------------------------------------------------------
// The plan text
// ---------------------------------------------------------------------------

fn line(parts: &[(&str, Style)]) -> Line {
    parts.iter().map(|(t, s)| ((*t).to_owned(), *s)).collect()
}

/// `line`'s pieces, borrowed, as [`kit::println_spans`] prints them.
fn borrowed(line: &Line) -> Vec<(&str, Style)> {
    line.iter().map(|(t, s)| (t.as_str(), *s)).collect()
}

/// The whole plan: legend, one block per changed resource, the summary.
fn plan_lines(resources: &[Resource], provider: &str) -> Vec<Line> {
    let counts = plan_counts(resources);
    let mut out = vec![
        Vec::new(),
        line(&[(
            "Terraform used the selected providers to generate the following execution",
            PLAIN,
        )]),
        line(&[(
            "plan. Resource actions are indicated with the following symbols:",
            PLAIN,
        )]),
    ];
    let has = |a: Action| resources.iter().any(|r| r.action == a);
    if has(Action::Create) {
        out.push(line(&[("  ", PLAIN), ("+", GREEN), (" create", PLAIN)]));
    }
    if has(Action::Update) {
        out.push(line(&[
            ("  ", PLAIN),
            ("~", YELLOW),
            (" update in-place", PLAIN),
        ]));
    }
    if has(Action::Replace) {
        out.push(line(&[
            ("-", RED),
            ("/", PLAIN),
            ("+", GREEN),
            (" destroy and then create replacement", PLAIN),
        ]));
    }
    out.push(Vec::new());
    out.push(line(&[(
        "Terraform will perform the following actions:",
        PLAIN,
    )]));
    for r in resources {
        match r.action {
            Action::Keep => continue,
            Action::Create => create_block(r, &mut out),
            Action::Update => update_block(r, provider, &mut out),
            Action::Replace => replace_block(r, &mut out),
        }
    }
    out.push(Vec::new());
    out.push(line(&[
        ("Plan: ", BOLD),
        (
            &format!(
                "{} to add, {} to change, {} to destroy.",
                counts.add, counts.change, counts.destroy
            ),
            PLAIN,
        ),
    ]));
    out
}

fn block_header(r: &Resource, what: &str, out: &mut Vec<Line>) {
    out.push(Vec::new());
    out.push(line(&[
        ("  # ", BOLD),
        (&r.address, BOLD),
        (&format!(" {what}"), PLAIN),
    ]));
}

fn resource_open(r: &Resource) -> String {
    format!(" resource \"{}\" \"{}\" {{", r.rtype, r.name)
}

fn create_block(r: &Resource, out: &mut Vec<Line>) {
    block_header(r, "will be created", out);
    out.push(line(&[
        ("  ", PLAIN),
        ("+", GREEN),
        (&resource_open(r), PLAIN),
    ]));
    let width = r.attrs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut attrs = r.attrs.clone();
    attrs.sort();
    for (k, v) in attrs {
        out.push(line(&[
            ("      ", PLAIN),
            ("+", GREEN),
            (&format!(" {k:<width$} = {v}"), PLAIN),
        ]));
    }
    out.push(line(&[("    }", PLAIN)]));
}

/// An in-place update: tags (labels on Google) drifted.
fn update_block(r: &Resource, provider: &str, out: &mut Vec<Line>) {
    block_header(r, "will be updated in-place", out);
    out.push(line(&[
        ("  ", PLAIN),
        ("~", YELLOW),
        (&resource_open(r), PLAIN),
    ]));
    let tag_key = if provider == "google" {
        "labels"
    } else {
        "tags"
    };
    let mut shown: Vec<(String, String)> = Vec::new();
    if r.old_id != "none" {
        shown.push(("id".to_owned(), format!("\"{}\"", r.old_id)));
    }
    if let Some((_, v)) = r
        .attrs
        .iter()
        .find(|(k, v)| k == "name" && v.starts_with('"'))
    {
        shown.push(("name".to_owned(), v.clone()));
    }
    let mut maps = vec![tag_key];
    if provider == "aws" {
        maps.push("tags_all");
    }
    let width = shown
        .iter()
        .map(|(k, _)| k.len())
        .chain(maps.iter().map(|m| m.len()))
        .max()
        .unwrap_or(0);
    for (k, v) in &shown {
        out.push(line(&[(&format!("        {k:<width$} = {v}"), PLAIN)]));
    }
    let (key, old, new) = r.tag_change;
    let key = if provider == "google" {
        key.to_lowercase()
    } else {
        key.to_owned()
    };
    for (n, map) in maps.iter().enumerate() {
        out.push(line(&[
            ("      ", PLAIN),
            ("~", YELLOW),
            (&format!(" {map:<width$} = {{"), PLAIN),
        ]));
        out.push(line(&[
            ("          ", PLAIN),
            ("~", YELLOW),
            (&format!(" \"{key}\" = \"{old}\" -> \"{new}\""), PLAIN),
        ]));
        out.push(line(&[(
            &format!(
                "            # ({} unchanged elements hidden)",
                2 + n + r.attrs.len() % 3
            ),
            PLAIN.dim(),
        )]));
        out.push(line(&[("        }", PLAIN)]));
    }
    let hidden = r.attrs.len().saturating_sub(shown.len()).max(1) + 3;
    out.push(line(&[(
        &format!("        # ({hidden} unchanged attributes hidden)"),
        PLAIN.dim(),
    )]));
    out.push(line(&[("    }", PLAIN)]));
}

/// A replacement: one attribute forces it, computed ones become unknown.
fn replace_block(r: &Resource, out: &mut Vec<Line>) {
    block_header(r, "must be replaced", out);
    out.push(line(&[
        ("-", RED),
        ("/", PLAIN),
        ("+", GREEN),
        (&resource_open(r), PLAIN),
    ]));
    let (fk, old, new) = r.force.clone().unwrap_or_default();
    let width = fk.len().max(2);
    let mut rows: Vec<(String, Line)> = Vec::new();
    rows.push((
        fk.clone(),
        line(&[
            ("      ", PLAIN),
            ("~", YELLOW),
            (&format!(" {fk:<width$} = {old} -> {new}"), PLAIN),
            (" # forces replacement", RED),
        ]),
    ));
    if r.old_id != "none" {
        rows.push((
            "id".to_owned(),
            line(&[
                ("      ", PLAIN),
                ("~", YELLOW),
                (
                    &format!(
                        " {:<width$} = \"{}\" -> (known after apply)",
                        "id", r.old_id
                    ),
                    PLAIN,
                ),
            ]),
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(rows.into_iter().map(|(_, l)| l));
    let hidden = r.attrs.len().saturating_sub(2).max(1) + 4;
    out.push(line(&[(
        &format!("        # ({hidden} unchanged attributes hidden)"),
        PLAIN.dim(),
    )]));
    out.push(line(&[("    }", PLAIN)]));
}

// ---------------------------------------------------------------------------
// Playing it
// ---------------------------------------------------------------------------

impl Terraform {
    /// `terraform init`: backend, modules, provider plugins.
    fn init_phase(&mut self, host: &Host, first: bool) -> RunResult {
        kit::shell_prompt(host, "terraform init", 0)?;
        host.sleep_ms(self.rng.random_range(400..1200))?;
        kit::println_fit(host, "Initializing the backend...", BOLD);
        host.sleep_ms(self.rng.random_range(300..1500))?;
        if first {
            kit::println_fit(
                host,
                &format!(
                    "Successfully configured the backend \"{}\"! Terraform will automatically",
                    self.provider.backend
                ),
                GREEN,
            );
            kit::println_fit(
                host,
                "use this backend unless the backend configuration changes.",
                GREEN,
            );
        }
        let modules = kit::data_lines(MODULES);
        let count = self.rng.random_range(0..5);
        if count > 0 {
            kit::println_fit(host, "Initializing modules...", BOLD);
            for m in modules.sample(&mut self.rng, count) {
                host.sleep_ms(self.rng.random_range(40..250))?;
                kit::println_fit(host, &format!("- {m} in modules/{m}"), PLAIN);
            }
        }
        kit::println_fit(host, "Initializing provider plugins...", BOLD);
        let mut plugins = vec![(
            self.provider.source,
            self.provider.constraint,
            self.provider.version,
        )];
        plugins.extend(self.provider.extras.iter().copied());
        for (source, constraint, _) in &plugins {
            host.sleep_ms(self.rng.random_range(200..900))?;
            if first {
                kit::println_fit(
                    host,
                    &format!("- Finding {source} versions matching \"{constraint}\"..."),
                    PLAIN,
                );
            } else {
                kit::println_fit(
                    host,
                    &format!(
                        "- Reusing previous version of {source} from the dependency lock file"
                    ),
                    PLAIN,
                );
            }
        }
        for (source, _, version) in &plugins {
            if first {
                kit::println_fit(host, &format!("- Installing {source} v{version}..."), PLAIN);
                // The big providers are a few hundred megabytes.
                let ms = if *source == self.provider.source {
                    self.rng.random_range(2500..9000)
                } else {
                    self.rng.random_range(400..1500)
                };
                host.sleep_ms(ms)?;
                kit::println_fit(
                    host,
                    &format!("- Installed {source} v{version} (signed by HashiCorp)"),
                    PLAIN,
                );
            } else {
                host.sleep_ms(self.rng.random_range(100..400))?;
                kit::println_fit(
                    host,
                    &format!("- Using previously-installed {source} v{version}"),
                    PLAIN,
                );
            }
        }
        if first {
            for text in [
                "Terraform has created a lock file .terraform.lock.hcl to record the provider",
                "selections it made above. Include this file in your version control repository",
                "so that Terraform can guarantee to make the same selections by default when",
                "you run \"terraform init\" in the future.",
            ] {
                kit::println_fit(host, text, PLAIN);
            }
        }
        host.newline();
        kit::println_fit(
            host,
            "Terraform has been successfully initialized!",
            GREEN.bold(),
        );
        for text in [
            "",
            "You may now begin working with Terraform. Try running \"terraform plan\" to see",
            "any changes that are required for your infrastructure. All Terraform commands",
            "should now work.",
            "",
            "If you ever set or change modules or backend configuration for Terraform,",
            "rerun this command to reinitialize your working directory. If you forget, other",
            "commands will detect it and remind you to do so if necessary.",
        ] {
            if text.is_empty() {
                host.newline();
            } else {
                kit::println_fit(host, text, GREEN);
            }
        }
        host.sleep_ms(self.rng.random_range(1200..3000))?;
        Ok(())
    }

    /// `terraform apply`: refresh, plan, confirm, apply, outputs.
    fn apply_phase(&mut self, host: &Host, left: Duration) -> RunResult {
        let fresh = self.rng.random_bool(0.2);
        let (mut resources, data) = build_stack(&mut self.rng, &self.specs, &self.place, fresh);
        // Keep the apply inside the session: slow clouds get a fast day.
        let allowed = left.as_millis().saturating_sub(40_000).max(15_000) as u64;
        let mut events = schedule(&resources);
        let end = events.last().map_or(0, |e| e.at_ms);
        if end > allowed {
            let factor = allowed as f64 / end as f64;
            for r in &mut resources {
                r.create_ms = (r.create_ms as f64 * factor) as u64;
                r.destroy_ms = (r.destroy_ms as f64 * factor) as u64;
                r.modify_ms = (r.modify_ms as f64 * factor) as u64;
            }
            events = schedule(&resources);
        }

        kit::shell_prompt(host, "terraform apply", 0)?;
        host.sleep_ms(self.rng.random_range(600..1500))?;
        if self.provider.backend != "local" {
            kit::println_fit(
                host,
                "Acquiring state lock. This may take a few moments...",
                PLAIN,
            );
            host.sleep_ms(self.rng.random_range(300..1500))?;
        }
        self.refresh(host, &resources, &data)?;
        host.sleep_ms(self.rng.random_range(500..2000))?;
        for l in plan_lines(&resources, self.place.provider) {
            kit::println_spans(host, &borrowed(&l));
            host.sleep_ms(8)?;
        }
        host.newline();
        kit::println_fit(host, "Do you want to perform these actions?", BOLD);
        kit::println_fit(
            host,
            "  Terraform will perform the actions described above.",
            PLAIN,
        );
        kit::println_fit(host, "  Only 'yes' will be accepted to approve.", PLAIN);
        host.newline();
        host.styled("  Enter a value: ", BOLD);
        host.sleep_ms(self.rng.random_range(1500..4000))?;
        kit::type_out(host, "yes", PLAIN, 140)?;
        host.newline();
        host.sleep_ms(self.rng.random_range(200..800))?;

        let mut now = 0;
        for e in &events {
            host.sleep_ms(e.at_ms - now)?;
            now = e.at_ms;
            kit::println_spans(host, &borrowed(&event_line(e, &resources[e.resource])));
        }
        if self.provider.backend != "local" {
            kit::println_fit(
                host,
                "Releasing state lock. This may take a few moments...",
                PLAIN,
            );
            host.sleep_ms(self.rng.random_range(300..1200))?;
        }
        host.newline();
        let done = apply_counts(&events);
        kit::println_fit(
            host,
            &format!(
                "Apply complete! Resources: {} added, {} changed, {} destroyed.",
                done.add, done.change, done.destroy
            ),
            GREEN.bold(),
        );
        self.outputs(host, &resources)?;
        Ok(())
    }

    /// Refreshing existing resources and reading data sources, interleaved
    /// as terraform's parallel walk prints them.
    fn refresh(&mut self, host: &Host, resources: &[Resource], data: &[DataSource]) -> RunResult {
        let mut existing: Vec<&Resource> = resources
            .iter()
            .filter(|r| r.action != Action::Create)
            .collect();
        existing.shuffle(&mut self.rng);
        let mut timeline: Vec<(u64, String)> = Vec::new();
        for d in data {
            timeline.push((0, format!("{}: Reading...", d.address)));
            timeline.push((
                d.read_ms,
                format!(
                    "{}: Read complete after {} [id={}]",
                    d.address,
                    go_duration(d.read_ms),
                    d.id
                ),
            ));
        }
        let mut at = 0;
        for r in existing {
            at += self.rng.random_range(30..400);
            timeline.push((
                at,
                format!("{}: Refreshing state... [id={}]", r.address, r.old_id),
            ));
        }
        timeline.sort_by_key(|(t, _)| *t);
        let mut now = 0;
        for (t, text) in timeline {
            host.sleep_ms(t - now)?;
            now = t;
            kit::println_fit(host, &text, PLAIN);
        }
        Ok(())
    }

    /// The outputs block: ids of what was built, and a secret or two.
    fn outputs(&mut self, host: &Host, resources: &[Resource]) -> RunResult {
        let with_ids: Vec<&Resource> = resources
            .iter()
            .filter(|r| r.new_id != "none" && !r.address.contains('['))
            .collect();
        if with_ids.is_empty() {
            return Ok(());
        }
        host.newline();
        kit::println_fit(host, "Outputs:", GREEN.bold());
        host.newline();
        let mut outputs: Vec<String> = with_ids
            .sample(&mut self.rng, 4)
            .map(|r| {
                let short = r.rtype.split_once('_').map_or(r.rtype, |(_, t)| t);
                format!("{}_{short}_id = \"{}\"", r.name, r.new_id)
            })
            .collect();
        if self.rng.random_bool(0.5) {
            outputs.push("db_password = <sensitive>".to_owned());
        }
        // Terraform lists outputs by name.
        outputs.sort();
        for output in outputs {
            host.sleep_ms(20)?;
            kit::println_fit(host, &output, PLAIN);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(seed: u64, provider: &'static str, fresh: bool) -> Vec<Resource> {
        let mut rng = StdRng::seed_from_u64(seed);
        let place = choose_place(&mut rng, provider);
        build_stack(&mut rng, &parse_specs(provider), &place, fresh).0
    }

    fn text(l: &Line) -> String {
        l.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn data_files_parse_completely() {
        for (p, text) in [("aws", AWS), ("google", GOOGLE), ("azurerm", AZURERM)] {
            let specs = parse_specs(p);
            assert_eq!(
                specs.len(),
                kit::data_lines(text).len(),
                "{p}: a line failed to parse"
            );
            assert!(specs.len() > 25, "{p}");
            assert!(specs.iter().all(|s| s.rtype.starts_with(p)
                || s.rtype.starts_with("random_")
                || s.rtype.starts_with("data.")));
            assert!(!parse_providers(p).is_empty());
        }
    }

    #[test]
    fn apply_totals_equal_the_plan() {
        for seed in 0..200 {
            let provider = ["aws", "google", "azurerm"][seed as usize % 3];
            let resources = stack(seed, provider, seed % 7 == 0);
            let planned = plan_counts(&resources);
            let events = schedule(&resources);
            assert_eq!(apply_counts(&events), planned, "seed {seed}");
            // And the plan text says the same.
            let summary = plan_lines(&resources, provider).last().map(text).unwrap();
            assert_eq!(
                summary,
                format!(
                    "Plan: {} to add, {} to change, {} to destroy.",
                    planned.add, planned.change, planned.destroy
                )
            );
            let lines: Vec<String> = plan_lines(&resources, provider).iter().map(text).collect();
            let created = lines
                .iter()
                .filter(|l| l.ends_with(" will be created"))
                .count();
            let updated = lines
                .iter()
                .filter(|l| l.ends_with(" will be updated in-place"))
                .count();
            let replaced = lines
                .iter()
                .filter(|l| l.ends_with(" must be replaced"))
                .count();
            assert_eq!(created + replaced, planned.add);
            assert_eq!(updated, planned.change);
            assert_eq!(replaced, planned.destroy);
        }
    }

    #[test]
    fn printed_durations_match_the_timeline() {
        for seed in 0..100 {
            let resources = stack(seed, "aws", false);
            let events = schedule(&resources);
            assert!(events.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
            for (i, e) in events.iter().enumerate() {
                match e.step {
                    Step::Complete { took_ms } => {
                        let start = events[..i]
                            .iter()
                            .rev()
                            .find(|s| {
                                s.resource == e.resource
                                    && s.phase == e.phase
                                    && s.step == Step::Start
                            })
                            .expect("a start before every completion");
                        assert_eq!(e.at_ms - start.at_ms, took_ms);
                        let text = text(&event_line(e, &resources[e.resource]));
                        assert!(
                            text.contains(&format!("after {}", go_duration(took_ms))),
                            "{text}"
                        );
                    }
                    Step::Still { elapsed_ms } => {
                        assert_eq!(elapsed_ms % STILL_EVERY_MS, 0);
                        let start = events[..i]
                            .iter()
                            .rev()
                            .find(|s| {
                                s.resource == e.resource
                                    && s.phase == e.phase
                                    && s.step == Step::Start
                            })
                            .unwrap();
                        assert_eq!(e.at_ms - start.at_ms, elapsed_ms);
                    }
                    Step::Start => {}
                }
            }
        }
    }

    #[test]
    fn at_most_ten_at_once() {
        let resources = stack(5, "google", true);
        let events = schedule(&resources);
        let mut running = 0i32;
        for e in events {
            match e.step {
                Step::Start => running += 1,
                Step::Complete { .. } => running -= 1,
                Step::Still { .. } => {}
            }
            assert!(running <= PARALLELISM as i32 + 1);
        }
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(999), "0s");
        assert_eq!(go_duration(42_500), "42s");
        assert_eq!(go_duration(60_000), "1m0s");
        assert_eq!(go_duration(155_000), "2m35s");
    }

    #[test]
    fn templates_fill_completely() {
        for seed in 0..30 {
            for p in ["aws", "google", "azurerm"] {
                for r in stack(seed, p, false) {
                    assert!(!r.old_id.contains('{'), "{}", r.old_id);
                    assert!(
                        r.attrs.iter().all(|(_, v)| !v.contains('{')
                            || v.contains("{...}")
                            || v.contains("{status")
                            || v.contains("{name=")),
                        "{:?}",
                        r.attrs
                    );
                }
            }
        }
    }
}
