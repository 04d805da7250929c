//! `kubectl`: rolling out new versions of a few deployments: `kubectl apply`
//! (or `set image`), then either `rollout status` or `get pods -w` while the
//! deployment controller surges new pods in and terminates old ones.
//!
//! A small model of the controller ([`Rollout`]) drives both views, so the
//! counts in "2 out of 6 new replicas have been updated" and the pod table
//! describe the same rollout, and every AGE comes from the simulated clock.

use std::time::Duration;

use plugin_api::kit;
use plugin_api::{Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

const DEPLOYMENTS: &str = include_str!("../data/deployments.txt");
const NAMESPACES: &str = include_str!("../data/namespaces.txt");
const MANIFESTS: &str = include_str!("../data/manifests.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(285);

/// The controller model advances in steps of this many milliseconds.
const TICK_MS: u64 = 250;

const PLAIN: Style = Style::plain();

/// The characters Kubernetes uses for generated name suffixes.
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Where a pod is in its life, as `kubectl get pods` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pending,
    ContainerCreating,
    /// Running, readiness probe not passed yet.
    Starting,
    Ready,
    /// Being deleted, containers still up.
    Terminating,
    /// Being deleted, containers stopped.
    Stopped,
    Gone,
}

#[derive(Debug, Clone)]
struct Pod {
    name: String,
    new: bool,
    phase: Phase,
    /// Simulated ms when it was created (negative: before the session).
    created_ms: i64,
    /// When it moves to its next phase.
    next_ms: u64,
    restarts: u32,
    /// Simulated ms of the last restart (negative: before the session).
    last_restart_ms: i64,
}

/// What `kubectl rollout status` reads from the deployment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Status {
    desired: usize,
    updated: usize,
    replicas: usize,
    available: usize,
}

impl Status {
    /// kubectl's message for this status.
    fn message(&self, name: &str) -> String {
        if self.updated < self.desired {
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} out of {} new replicas have been updated...",
                self.updated, self.desired
            )
        } else if self.replicas > self.updated {
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
                self.replicas - self.updated
            )
        } else if self.available < self.updated {
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
                self.available, self.updated
            )
        } else {
            format!("deployment \"{name}\" successfully rolled out")
        }
    }

    fn done(&self) -> bool {
        self.updated == self.desired
            && self.replicas == self.updated
            && self.available == self.updated
    }
}

/// A rolling update in progress, with the controller's rules: at most
/// `desired + surge` pods, at least `desired - unavailable` available.
#[derive(Debug, Clone)]
struct Rollout {
    deploy: String,
    pods: Vec<Pod>,
    desired: usize,
    surge: usize,
    unavailable: usize,
    containers: u32,
    now_ms: u64,
    new_hash: String,
    /// Seconds a new pod takes to pull its image and pass readiness.
    pull_secs: (f64, f64),
    ready_secs: (f64, f64),
    grace_secs: (f64, f64),
    /// Whether one new pod crashes once before it comes up.
    crash_once: bool,
}

impl Rollout {
    fn new(rng: &mut StdRng, deploy: &str, desired: usize, containers: u32) -> Self {
        let old_hash = pod_hash(rng);
        let new_hash = pod_hash(rng);
        let old_age_ms = -(rng.random_range(3_600..40 * 86_400) as i64) * 1000;
        let pods = (0..desired)
            .map(|_| {
                let created_ms = old_age_ms - rng.random_range(0..120_000);
                let restarted = rng.random_bool(0.15);
                Pod {
                    name: format!("{deploy}-{old_hash}-{}", suffix(rng)),
                    new: false,
                    phase: Phase::Ready,
                    created_ms,
                    next_ms: u64::MAX,
                    restarts: if restarted { rng.random_range(1..4) } else { 0 },
                    last_restart_ms: rng.random_range(created_ms..-600_000),
                }
            })
            .collect();
        let surge = desired.div_ceil(4).max(1);
        let unavailable = desired / 4;
        let slow = rng.random_range(0.7..1.8);
        Rollout {
            deploy: deploy.to_owned(),
            pods,
            desired,
            surge,
            unavailable,
            containers,
            now_ms: 0,
            new_hash,
            pull_secs: (1.5 * slow, 7.0 * slow),
            ready_secs: (3.0 * slow, 14.0 * slow),
            grace_secs: (2.0, 25.0),
            crash_once: rng.random_bool(0.15),
        }
    }

    fn status(&self) -> Status {
        let active = |p: &&Pod| {
            matches!(
                p.phase,
                Phase::Pending | Phase::ContainerCreating | Phase::Starting | Phase::Ready
            )
        };
        let updated = self.pods.iter().filter(|p| p.new).filter(active).count();
        let replicas = self.pods.iter().filter(active).count();
        let available = self.pods.iter().filter(|p| p.phase == Phase::Ready).count();
        Status {
            desired: self.desired,
            updated,
            replicas,
            available,
        }
    }

    /// Whether nothing is left to show: rolled out and old pods gone.
    fn settled(&self) -> bool {
        self.status().done()
            && self
                .pods
                .iter()
                .all(|p| matches!(p.phase, Phase::Ready | Phase::Gone))
    }

    /// Advance one tick; returns the pods whose row changed, in order.
    fn step(&mut self, rng: &mut StdRng) -> Vec<usize> {
        self.now_ms += TICK_MS;
        let now = self.now_ms;
        let mut changed = Vec::new();
        for i in 0..self.pods.len() {
            if self.pods[i].next_ms > now {
                continue;
            }
            let wait = |rng: &mut StdRng, (lo, hi): (f64, f64)| {
                now + (rng.random_range(lo..hi) * 1000.0) as u64
            };
            let pod = &mut self.pods[i];
            match pod.phase {
                Phase::Pending => {
                    pod.phase = Phase::ContainerCreating;
                    pod.next_ms = wait(rng, self.pull_secs);
                }
                Phase::ContainerCreating => {
                    pod.phase = Phase::Starting;
                    pod.next_ms = wait(rng, self.ready_secs);
                }
                Phase::Starting => {
                    if self.crash_once && pod.restarts == 0 && pod.new {
                        // The first attempt fails its probe and restarts.
                        self.crash_once = false;
                        pod.restarts = 1;
                        pod.last_restart_ms = now as i64;
                        pod.next_ms = wait(rng, self.ready_secs);
                    } else {
                        pod.phase = Phase::Ready;
                        pod.next_ms = u64::MAX;
                    }
                }
                Phase::Terminating => {
                    pod.phase = Phase::Stopped;
                    pod.next_ms = wait(rng, self.grace_secs);
                }
                Phase::Stopped => {
                    pod.phase = Phase::Gone;
                    pod.next_ms = u64::MAX;
                    continue;
                }
                Phase::Ready | Phase::Gone => continue,
            }
            changed.push(i);
        }
        changed.extend(self.scale_up(rng));
        changed.extend(self.scale_down(rng));
        changed
    }

    /// Create new pods while the surge allows.
    fn scale_up(&mut self, rng: &mut StdRng) -> Vec<usize> {
        let mut created = Vec::new();
        loop {
            let s = self.status();
            if s.replicas >= self.desired + self.surge || s.updated >= self.desired {
                break;
            }
            self.pods.push(Pod {
                name: format!("{}-{}-{}", self.deploy, self.new_hash, suffix(rng)),
                new: true,
                phase: Phase::Pending,
                created_ms: self.now_ms as i64,
                next_ms: self.now_ms + rng.random_range(200..1200),
                restarts: 0,
                last_restart_ms: self.now_ms as i64,
            });
            created.push(self.pods.len() - 1);
        }
        created
    }

    /// Terminate old pods while enough stay available.
    fn scale_down(&mut self, rng: &mut StdRng) -> Vec<usize> {
        let mut stopped = Vec::new();
        loop {
            let s = self.status();
            let old_active = s.replicas - s.updated;
            let new_ready = self
                .pods
                .iter()
                .filter(|p| p.new && p.phase == Phase::Ready)
                .count();
            let new_unavailable = s.updated - new_ready;
            let min_available = self.desired - self.unavailable;
            let can = s.replicas as i64 - min_available as i64 - new_unavailable as i64;
            if old_active == 0 || can <= 0 {
                break;
            }
            let Some(i) = self
                .pods
                .iter()
                .position(|p| !p.new && p.phase == Phase::Ready)
            else {
                break;
            };
            self.pods[i].phase = Phase::Terminating;
            self.pods[i].next_ms = self.now_ms + rng.random_range(800..3000);
            stopped.push(i);
        }
        stopped
    }

    /// The `kubectl get pods` row of pod `i`.
    fn row(&self, i: usize, name_width: usize) -> String {
        let pod = &self.pods[i];
        let c = self.containers;
        let (ready, status) = match pod.phase {
            Phase::Pending => (0, "Pending"),
            Phase::ContainerCreating => (0, "ContainerCreating"),
            Phase::Starting => (c - 1, "Running"),
            Phase::Ready => (c, "Running"),
            Phase::Terminating => (c, "Terminating"),
            Phase::Stopped | Phase::Gone => (0, "Terminating"),
        };
        let age_ms = (self.now_ms as i64 - pod.created_ms).max(0) as u64;
        let restarts = if pod.restarts > 0 {
            let since = (self.now_ms as i64 - pod.last_restart_ms).max(0) as u64;
            format!("{} ({} ago)", pod.restarts, human_age(since / 1000))
        } else {
            pod.restarts.to_string()
        };
        table_row(
            [
                &pod.name,
                &format!("{ready}/{c}"),
                status,
                &restarts,
                &human_age(age_ms / 1000),
            ],
            name_width,
        )
    }
}

/// Columns as kubectl's tabwriter lays them out: fixed widths, and at least
/// three spaces after a value that outgrows its column.
fn table_row(cells: [&str; 5], name_width: usize) -> String {
    let widths = [name_width, 8, 20, 11, 0];
    let mut out = String::new();
    for (cell, width) in cells.into_iter().zip(widths) {
        out.push_str(cell);
        if width > 0 {
            let pad = if cell.len() + 3 > width {
                3
            } else {
                width - cell.len()
            };
            out.push_str(&" ".repeat(pad));
        }
    }
    out
}

/// A ReplicaSet's pod-template hash: 8 to 10 name characters.
fn pod_hash(rng: &mut StdRng) -> String {
    let len = rng.random_range(8..=10);
    (0..len)
        .map(|_| char::from(NAME_ALPHABET[rng.random_range(0..NAME_ALPHABET.len())]))
        .collect()
}

/// The five random characters at the end of a pod name.
fn suffix(rng: &mut StdRng) -> String {
    (0..5)
        .map(|_| char::from(NAME_ALPHABET[rng.random_range(0..NAME_ALPHABET.len())]))
        .collect()
}

/// An age the way kubectl prints it: `45s`, `3m12s`, `42m`, `5h3m`, `20h`,
/// `3d4h`, `45d`.
fn human_age(secs: u64) -> String {
    let minutes = secs / 60;
    let hours = secs / 3600;
    if secs < 120 {
        format!("{secs}s")
    } else if minutes < 10 {
        if secs.is_multiple_of(60) {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{}s", secs % 60)
        }
    } else if minutes < 180 {
        format!("{minutes}m")
    } else if hours < 8 {
        if minutes.is_multiple_of(60) {
            format!("{hours}h")
        } else {
            format!("{hours}h{}m", minutes % 60)
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        if hours.is_multiple_of(24) {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{}h", hours / 24, hours % 24)
        }
    } else {
        format!("{}d", hours / 24)
    }
}

/// A deployment from the data file.
#[derive(Debug, Clone, Copy)]
struct Deployment {
    name: &'static str,
    image: &'static str,
    containers: u32,
}

pub struct Kubectl {
    rng: StdRng,
    budget: Duration,
    namespace: &'static str,
    deployments: Vec<Deployment>,
    manifests: Vec<(&'static str, &'static str)>,
}

impl Module for Kubectl {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let budget = Duration::from_secs(rng.random_range(30..=100) + rng.random_range(0..=130));
        let namespace = *kit::data_lines(NAMESPACES)
            .choose(&mut rng)
            .unwrap_or(&"default");
        let mut deployments: Vec<Deployment> = kit::data_lines(DEPLOYMENTS)
            .into_iter()
            .filter_map(|l| {
                let f: Vec<&'static str> = l.split('|').collect();
                Some(Deployment {
                    name: f.first()?,
                    image: f.get(1)?,
                    containers: f.get(2)?.parse().ok()?,
                })
            })
            .collect();
        deployments.shuffle(&mut rng);
        let manifests = kit::data_lines(MANIFESTS)
            .into_iter()
            .filter_map(|l| l.split_once('/'))
            .collect();
        Ok(Kubectl {
            rng,
            budget,
            namespace,
            deployments,
            manifests,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let deployments = self.deployments.clone();
        for (n, deploy) in deployments.iter().enumerate() {
            if n > 0
                && (host.clock() >= self.budget
                    || host.clock() + Duration::from_secs(60) > HARD_CAP)
            {
                break;
            }
            if n > 0 {
                host.sleep_ms(self.rng.random_range(1500..4000))?;
            }
            self.release(host, *deploy)?;
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: Kubectl,
    name: "kubectl",
    version: env!("CARGO_PKG_VERSION"),
    description: "kubectl rolling out new versions of deployments",
    signature: "kubectl rollout status deployment/api",
}

impl Kubectl {
    /// One deployment: change it, then watch it roll out.
    fn release(&mut self, host: &Host, deploy: Deployment) -> RunResult {
        let version = format!(
            "v{}.{}.{}",
            self.rng.random_range(1..5),
            self.rng.random_range(0..30),
            self.rng.random_range(0..12)
        );
        let ns = self.namespace;
        if self.rng.random_bool(0.7) {
            let dir = *["k8s", "deploy", "manifests", "kubernetes/overlays/prod"]
                .choose(&mut self.rng)
                .unwrap_or(&"k8s");
            kit::shell_prompt(
                host,
                &format!("kubectl apply -n {ns} -f {dir}/{}/", deploy.name),
                0,
            )?;
            host.sleep_ms(self.rng.random_range(600..1800))?;
            let mut lines = vec![format!("deployment.apps/{} configured", deploy.name)];
            let count = self.rng.random_range(1..5);
            for (kind, suffix) in self.manifests.sample(&mut self.rng, count) {
                let verb = if self.rng.random_bool(0.25) {
                    "configured"
                } else {
                    "unchanged"
                };
                lines.push(format!("{kind}/{}{suffix} {verb}", deploy.name));
            }
            lines.shuffle(&mut self.rng);
            for line in lines {
                kit::println_fit(host, &line, PLAIN);
                host.sleep_ms(self.rng.random_range(60..300))?;
            }
        } else {
            kit::shell_prompt(
                host,
                &format!(
                    "kubectl -n {ns} set image deployment/{0} {0}={1}:{version}",
                    deploy.name, deploy.image
                ),
                0,
            )?;
            host.sleep_ms(self.rng.random_range(500..1400))?;
            kit::println_fit(
                host,
                &format!("deployment.apps/{} image updated", deploy.name),
                PLAIN,
            );
        }
        host.sleep_ms(self.rng.random_range(800..2500))?;

        let desired = *[2, 3, 3, 4, 4, 5, 6, 6, 8]
            .choose(&mut self.rng)
            .unwrap_or(&3);
        let mut rollout = Rollout::new(&mut self.rng, deploy.name, desired, deploy.containers);
        if self.rng.random_bool(0.5) {
            self.watch_status(host, deploy.name, &mut rollout)
        } else {
            self.watch_pods(host, deploy.name, &mut rollout)
        }
    }

    /// `kubectl rollout status`: a line whenever the message changes.
    fn watch_status(&mut self, host: &Host, name: &str, rollout: &mut Rollout) -> RunResult {
        kit::shell_prompt(
            host,
            &format!(
                "kubectl -n {} rollout status deployment/{name}",
                self.namespace
            ),
            0,
        )?;
        host.sleep_ms(self.rng.random_range(300..900))?;
        let mut last = String::new();
        loop {
            let status = rollout.status();
            let message = status.message(name);
            if message != last {
                kit::println_fit(host, &message, PLAIN);
                last = message;
            }
            if status.done() {
                break;
            }
            rollout.step(&mut self.rng);
            host.sleep_ms(TICK_MS)?;
        }
        if self.rng.random_bool(0.5) {
            self.list_pods(host, name, rollout)?;
        }
        Ok(())
    }

    /// Let `ticks` controller steps pass on the simulated clock.
    fn pass(&mut self, host: &Host, rollout: &mut Rollout, ticks: u64) -> RunResult {
        for _ in 0..ticks {
            rollout.step(&mut self.rng);
            host.sleep_ms(TICK_MS)?;
        }
        Ok(())
    }

    /// `kubectl get pods`: a look at the pods once the rollout is through
    /// (old ones may still be terminating).
    fn list_pods(&mut self, host: &Host, name: &str, rollout: &mut Rollout) -> RunResult {
        // The pods carry on while the user types.
        let ticks = self.rng.random_range(5..14);
        self.pass(host, rollout, ticks)?;
        kit::shell_prompt(
            host,
            &format!("kubectl -n {} get pods -l app={name}", self.namespace),
            0,
        )?;
        let ticks = self.rng.random_range(1..4);
        self.pass(host, rollout, ticks)?;
        let name_width = name.len() + 1 + 10 + 1 + 5 + 3;
        kit::println_fit(
            host,
            &table_row(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], name_width),
            PLAIN,
        );
        for i in 0..rollout.pods.len() {
            if rollout.pods[i].phase != Phase::Gone {
                kit::println_fit(host, &rollout.row(i, name_width), PLAIN);
            }
        }
        Ok(())
    }

    /// `kubectl get pods -w`: the table, then a row per change, until the
    /// old pods are gone and the user presses Ctrl-C.
    fn watch_pods(&mut self, host: &Host, name: &str, rollout: &mut Rollout) -> RunResult {
        kit::shell_prompt(
            host,
            &format!("kubectl -n {} get pods -l app={name} -w", self.namespace),
            0,
        )?;
        host.sleep_ms(self.rng.random_range(300..900))?;
        // Room for the longest name either ReplicaSet can produce.
        let name_width = name.len() + 1 + 10 + 1 + 5 + 3;
        kit::println_fit(
            host,
            &table_row(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], name_width),
            PLAIN,
        );
        for i in 0..rollout.pods.len() {
            kit::println_fit(host, &rollout.row(i, name_width), PLAIN);
        }
        while !rollout.settled() {
            for i in rollout.step(&mut self.rng) {
                kit::println_fit(host, &rollout.row(i, name_width), PLAIN);
            }
            host.sleep_ms(TICK_MS)?;
        }
        host.sleep_ms(self.rng.random_range(1500..4000))?;
        host.println("^C");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64, desired: usize) -> (Rollout, Vec<String>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut r = Rollout::new(&mut rng, "api", desired, 1 + (seed % 2) as u32);
        let mut messages = vec![r.status().message("api")];
        let min_available = desired - r.unavailable;
        for _ in 0..10_000 {
            if r.settled() {
                break;
            }
            r.step(&mut rng);
            let s = r.status();
            assert!(s.replicas <= desired + r.surge, "too many pods: {s:?}");
            assert!(s.available >= min_available, "too few available: {s:?}");
            let m = s.message("api");
            if messages.last() != Some(&m) {
                messages.push(m);
            }
        }
        (r, messages)
    }

    #[test]
    fn every_rollout_completes_within_its_rules() {
        for seed in 0..300 {
            let desired = [1, 2, 3, 4, 5, 6, 8, 10][seed as usize % 8];
            let (r, messages) = run(seed, desired);
            assert!(r.settled(), "seed {seed} never settled");
            assert_eq!(
                r.pods
                    .iter()
                    .filter(|p| p.new && p.phase == Phase::Ready)
                    .count(),
                desired
            );
            assert!(
                r.pods
                    .iter()
                    .filter(|p| !p.new)
                    .all(|p| p.phase == Phase::Gone)
            );
            assert_eq!(
                messages.last().unwrap(),
                "deployment \"api\" successfully rolled out"
            );
            // Rollouts take a realistic while at speed 1.
            assert!(
                r.now_ms > 3_000 && r.now_ms < 240_000,
                "seed {seed}: {} ms",
                r.now_ms
            );
        }
    }

    #[test]
    fn status_messages_read_like_kubectl() {
        let s = Status {
            desired: 6,
            updated: 2,
            replicas: 8,
            available: 6,
        };
        assert_eq!(
            s.message("api"),
            "Waiting for deployment \"api\" rollout to finish: 2 out of 6 new replicas have been updated..."
        );
        let s = Status {
            desired: 6,
            updated: 6,
            replicas: 7,
            available: 6,
        };
        assert!(
            s.message("api")
                .ends_with("1 old replicas are pending termination...")
        );
        let s = Status {
            desired: 6,
            updated: 6,
            replicas: 6,
            available: 5,
        };
        assert!(
            s.message("api")
                .ends_with("5 of 6 updated replicas are available...")
        );
    }

    #[test]
    fn pod_names_and_ages() {
        let mut rng = StdRng::seed_from_u64(1);
        let r = Rollout::new(&mut rng, "orders-worker", 3, 1);
        for p in &r.pods {
            let parts: Vec<&str> = p.name.rsplitn(3, '-').collect();
            assert_eq!(parts[2], "orders-worker");
            assert!((8..=10).contains(&parts[1].len()));
            assert_eq!(parts[0].len(), 5);
            assert!(
                p.name
                    .bytes()
                    .filter(|b| *b != b'-')
                    .skip("ordersworker".len())
                    .all(|b| NAME_ALPHABET.contains(&b))
            );
        }
        assert_eq!(human_age(45), "45s");
        assert_eq!(human_age(119), "119s");
        assert_eq!(human_age(192), "3m12s");
        assert_eq!(human_age(2520), "42m");
        assert_eq!(human_age(5 * 3600 + 180), "5h3m");
        assert_eq!(human_age(20 * 3600), "20h");
        assert_eq!(human_age(76 * 3600), "3d4h");
        assert_eq!(human_age(45 * 86_400), "45d");
    }

    #[test]
    fn new_pod_ages_follow_the_clock() {
        let mut rng = StdRng::seed_from_u64(4);
        let mut r = Rollout::new(&mut rng, "api", 3, 1);
        for _ in 0..40 {
            r.step(&mut rng); // 10 s
        }
        let newest = r
            .pods
            .iter()
            .filter(|p| p.new)
            .map(|p| p.created_ms)
            .min()
            .unwrap();
        let i = r.pods.iter().position(|p| p.created_ms == newest).unwrap();
        let expected = human_age((r.now_ms as i64 - newest) as u64 / 1000);
        assert!(r.row(i, 30).ends_with(&expected), "{}", r.row(i, 30));
    }
}
