//! `docker_image_rm`: cleaning up a developer machine's image store:
//! `docker images`, then `docker rmi` / `docker image rm` of old tags and
//! dangling images, the odd conflict with a running container, a prune, and
//! `docker system df`.
//!
//! The session keeps a real inventory: an image loses its tags one by one,
//! and only when the last tag goes is it deleted along with the layers no
//! other image shares, so every "Untagged" and "Deleted" line is earned.

use std::time::Duration;

use plugin_api::kit;
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

const PULLED: &str = include_str!("../data/pulled.txt");
const BUILT: &str = include_str!("../data/built.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(280);

const ERROR: Style = Style::fg(Color::Red);
const PLAIN: Style = Style::plain();

/// One image in the local store.
#[derive(Debug, Clone)]
struct Image {
    /// `(repository, tag)` references; empty for a dangling image.
    tags: Vec<(String, String)>,
    /// 64 hex digits.
    id: String,
    /// The registry digest of pulled images (built ones have none).
    repo_digest: Option<String>,
    /// Layers only this image uses: deleted with it.
    layers: Vec<String>,
    size_bytes: u64,
    created_secs_ago: u64,
    /// A container uses it: removing needs `-f`.
    in_use: bool,
    /// The short id of that container.
    container: String,
}

impl Image {
    fn short_id(&self) -> &str {
        &self.id[..12]
    }
}

fn range(text: &str) -> (u64, u64) {
    let (lo, hi) = text.split_once('-').unwrap_or((text, text));
    let lo = lo.parse().unwrap_or(1);
    (lo, hi.parse().unwrap_or(lo).max(lo))
}

/// A store like a developer's after a few months: official images pulled
/// under several tags, CI builds piling up, dangling leftovers.
fn build_inventory(rng: &mut StdRng) -> Vec<Image> {
    let mut images = Vec::new();
    let pulled: Vec<&str> = kit::data_lines(PULLED);
    let count = rng.random_range(8..16);
    for line in pulled.sample(rng, count) {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() < 4 {
            continue;
        }
        let (repo, tags) = (f[0], f[1].split(',').collect::<Vec<_>>());
        let (lo_mb, hi_mb) = range(f[2]);
        let (lo_l, hi_l) = range(f[3]);
        let how_many = rng.random_range(1..=tags.len().min(4));
        let mut tags: Vec<&str> = tags.sample(rng, how_many).copied().collect();
        tags.shuffle(rng);
        // A floating tag right after a pinned one names the same image
        // (nginx:1.27.4 = nginx:latest).
        const FLOATING: [&str; 6] = ["latest", "lts", "stable", "mainline", "edge", "light"];
        while !tags.is_empty() {
            let take =
                if tags.len() > 1 && FLOATING.contains(&tags[1]) && !FLOATING.contains(&tags[0]) {
                    2
                } else {
                    1
                };
            let these: Vec<(String, String)> = tags
                .drain(..take)
                .map(|t| (repo.to_owned(), t.to_owned()))
                .collect();
            let size_mb = rng.random_range(lo_mb..=hi_mb);
            images.push(Image {
                tags: these,
                id: kit::hex_digits(64, || rng.random_range(0..16)),
                repo_digest: Some(format!(
                    "sha256:{}",
                    kit::hex_digits(64, || rng.random_range(0..16))
                )),
                layers: (0..rng.random_range(lo_l..=hi_l))
                    .map(|_| kit::hex_digits(64, || rng.random_range(0..16)))
                    .collect(),
                size_bytes: if size_mb == 0 {
                    10_072
                } else {
                    size_mb * 1_000_000 + rng.random_range(0..999_999)
                },
                created_secs_ago: rng.random_range(86_400..400 * 86_400),
                in_use: rng.random_bool(0.12),
                container: kit::hex_digits(12, || rng.random_range(0..16)),
            });
        }
    }
    for line in kit::data_lines(BUILT) {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() < 4 || rng.random_bool(0.5) {
            continue;
        }
        let (lo_mb, hi_mb) = range(f[2]);
        let (lo_l, hi_l) = range(f[3]);
        let versions = if f[1] == "dev" {
            1
        } else {
            rng.random_range(2..6)
        };
        let base = (
            rng.random_range(0..4),
            rng.random_range(0..30),
            rng.random_range(0..10),
        );
        let mut age = rng.random_range(600..3 * 86_400);
        for v in 0..versions {
            let tag = match f[1] {
                "semver" => format!("{}.{}.{}", base.0, base.1, base.2 + v),
                "sha" => kit::hex_digits(7, || rng.random_range(0..16)),
                "pr" => format!("pr-{}", rng.random_range(100..3000)),
                "date" => format!(
                    "2026.{:02}.{:02}-{}",
                    rng.random_range(1..13),
                    rng.random_range(1..29),
                    v + 1
                ),
                _ => (*["latest", "dev", "local"].choose(rng).unwrap_or(&"latest")).to_owned(),
            };
            let size_mb = rng.random_range(lo_mb..=hi_mb);
            images.push(Image {
                tags: vec![(f[0].to_owned(), tag)],
                id: kit::hex_digits(64, || rng.random_range(0..16)),
                repo_digest: None,
                layers: (0..rng.random_range(1..=(hi_l - lo_l).max(1) + 1))
                    .map(|_| kit::hex_digits(64, || rng.random_range(0..16)))
                    .collect(),
                size_bytes: size_mb * 1_000_000 + rng.random_range(0..999_999),
                created_secs_ago: age,
                in_use: v + 1 == versions && rng.random_bool(0.25),
                container: kit::hex_digits(12, || rng.random_range(0..16)),
            });
            age += rng.random_range(3_600..10 * 86_400);
        }
    }
    // Leftovers of rebuilds: untagged, unused.
    for _ in 0..rng.random_range(2..9) {
        images.push(Image {
            tags: Vec::new(),
            id: kit::hex_digits(64, || rng.random_range(0..16)),
            repo_digest: None,
            layers: (0..rng.random_range(1..5))
                .map(|_| kit::hex_digits(64, || rng.random_range(0..16)))
                .collect(),
            size_bytes: rng.random_range(40..1500) * 1_000_000,
            created_secs_ago: rng.random_range(3_600..60 * 86_400),
            in_use: false,
            container: kit::hex_digits(12, || rng.random_range(0..16)),
        });
    }
    images.sort_by_key(|i| i.created_secs_ago);
    images
}

/// Sizes the way docker prints them: three significant digits, decimal
/// units: `13.3kB`, `78.5MB`, `245MB`, `1.21GB`.
fn docker_size(bytes: u64) -> String {
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in ["kB", "MB", "GB", "TB"] {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    let text = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    format!("{text}{unit}")
}

/// "2 days ago", "About an hour ago", "3 weeks ago".
fn created_ago(secs: u64) -> String {
    let minutes = secs / 60;
    let hours = (secs as f64 / 3600.0 + 0.5) as u64;
    let when = if secs < 60 {
        format!("{secs} seconds")
    } else if minutes == 1 {
        "About a minute".to_owned()
    } else if minutes < 60 {
        format!("{minutes} minutes")
    } else if hours == 1 {
        "About an hour".to_owned()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 14 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 60 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", hours / 24 / 365)
    };
    format!("{when} ago")
}

/// Columns padded like docker's tabwriter: widest cell plus three spaces.
/// When that is wider than `max_width`, the first column (long registry
/// paths) gives up room so the rest stays readable.
fn table(rows: &[Vec<String>], max_width: usize) -> Vec<String> {
    let cols = rows.first().map_or(0, Vec::len);
    let mut widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| kit::width(&r[c])).max().unwrap_or(0) + 3)
        .collect();
    for (c, least) in [(0, 14), (1, 12)] {
        let total: usize = widths.iter().sum::<usize>() - 3;
        if total > max_width && c + 1 < cols {
            widths[c] = widths[c].saturating_sub(total - max_width).max(least);
        }
    }
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                if c + 1 == cols {
                    line.push_str(cell);
                } else {
                    line.push_str(&kit::pad(&kit::fit(cell, widths[c] - 3), widths[c]));
                }
            }
            line
        })
        .collect()
}

/// `docker images [repo]`.
fn images_table(images: &[Image], repo: Option<&str>, max_width: usize) -> Vec<String> {
    let mut rows = vec![vec![
        "REPOSITORY".to_owned(),
        "TAG".to_owned(),
        "IMAGE ID".to_owned(),
        "CREATED".to_owned(),
        "SIZE".to_owned(),
    ]];
    for image in images {
        let size = docker_size(image.size_bytes);
        let created = created_ago(image.created_secs_ago);
        if image.tags.is_empty() && repo.is_none() {
            rows.push(vec![
                "<none>".into(),
                "<none>".into(),
                image.short_id().into(),
                created.clone(),
                size.clone(),
            ]);
        }
        for (r, t) in &image.tags {
            if repo.is_none_or(|want| want == r) {
                rows.push(vec![
                    r.clone(),
                    t.clone(),
                    image.short_id().into(),
                    created.clone(),
                    size.clone(),
                ]);
            }
        }
    }
    table(&rows, max_width)
}

/// What `docker rmi` prints for one reference, and the store after it.
fn remove(images: &mut Vec<Image>, reference: &str, force: bool) -> Vec<(String, Style)> {
    let by_tag = images.iter().position(|i| {
        i.tags.iter().any(|(r, t)| {
            format!("{r}:{t}") == reference
                || (!reference.contains(':') && r == reference && t == "latest")
        })
    });
    let by_id = images
        .iter()
        .position(|i| i.id.starts_with(reference) && reference.len() >= 12);
    let Some(index) = by_tag.or(by_id) else {
        let shown = if reference.contains(':') || reference.len() == 12 {
            reference.to_owned()
        } else {
            format!("{reference}:latest")
        };
        return vec![(
            format!("Error response from daemon: No such image: {shown}"),
            ERROR,
        )];
    };
    let image = &images[index];
    if by_tag.is_none() && image.tags.len() > 1 && !force {
        return vec![(
            format!(
                "Error response from daemon: conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                image.short_id()
            ),
            ERROR,
        )];
    }
    let last_tag = by_tag.is_none() || image.tags.len() == 1;
    if last_tag && image.in_use && !force {
        let what = if by_tag.is_some() {
            format!("unable to remove repository reference \"{reference}\" (must force)")
        } else {
            format!("unable to delete {} (cannot be forced)", image.short_id())
        };
        return vec![(
            format!(
                "Error response from daemon: conflict: {what} - container {} is using its referenced image {}",
                image.container,
                image.short_id()
            ),
            ERROR,
        )];
    }
    let mut out = Vec::new();
    let image = &mut images[index];
    let removed: Vec<(String, String)> = if by_tag.is_some() && !force || !last_tag {
        let i = image
            .tags
            .iter()
            .position(|(r, t)| format!("{r}:{t}") == reference || (r == reference && t == "latest"))
            .unwrap_or(0);
        vec![image.tags.remove(i)]
    } else {
        std::mem::take(&mut image.tags)
    };
    for (r, t) in &removed {
        out.push((format!("Untagged: {r}:{t}"), PLAIN));
    }
    if image.tags.is_empty() {
        if let (Some(d), Some((r, _))) = (&image.repo_digest, removed.first()) {
            out.push((format!("Untagged: {r}@{d}"), PLAIN));
        }
        if image.in_use {
            // Forced while a container uses it: the image stays, untagged.
            return out;
        }
        out.push((format!("Deleted: sha256:{}", image.id), PLAIN));
        for layer in &image.layers {
            out.push((format!("Deleted: sha256:{layer}"), PLAIN));
        }
        images.remove(index);
    }
    out
}

/// `docker image prune -f`: every dangling image goes. Returns the lines
/// and the bytes reclaimed.
fn prune(images: &mut Vec<Image>) -> (Vec<String>, u64) {
    let mut lines = vec!["Deleted Images:".to_owned()];
    let mut reclaimed = 0;
    images.retain(|i| {
        if !i.tags.is_empty() || i.in_use {
            return true;
        }
        lines.push(format!("deleted: sha256:{}", i.id));
        lines.extend(i.layers.iter().map(|l| format!("deleted: sha256:{l}")));
        reclaimed += i.size_bytes;
        false
    });
    lines.push(String::new());
    lines.push(format!("Total reclaimed space: {}", docker_size(reclaimed)));
    (lines, reclaimed)
}

/// `docker system df`.
fn system_df(images: &[Image], rng: &mut StdRng, max_width: usize) -> Vec<String> {
    let total: u64 = images.iter().map(|i| i.size_bytes).sum();
    let active = images.iter().filter(|i| i.in_use).count();
    let reclaimable: u64 = images
        .iter()
        .filter(|i| !i.in_use)
        .map(|i| i.size_bytes)
        .sum();
    let pct = |part: u64, whole: u64| (part * 100).checked_div(whole).unwrap_or(0);
    let containers = active + rng.random_range(0..6);
    let c_size = rng.random_range(1_000_000..900_000_000u64);
    let c_free = c_size / rng.random_range(2..6);
    let volumes = rng.random_range(3..30);
    let v_size = rng.random_range(100_000_000..9_000_000_000u64);
    let v_free = v_size / rng.random_range(2..5);
    let cache = rng.random_range(500_000_000..12_000_000_000u64);
    let rows = vec![
        vec![
            "TYPE".into(),
            "TOTAL".into(),
            "ACTIVE".into(),
            "SIZE".into(),
            "RECLAIMABLE".into(),
        ],
        vec![
            "Images".into(),
            images.len().to_string(),
            active.to_string(),
            docker_size(total),
            format!(
                "{} ({}%)",
                docker_size(reclaimable),
                pct(reclaimable, total)
            ),
        ],
        vec![
            "Containers".into(),
            containers.to_string(),
            active.to_string(),
            docker_size(c_size),
            format!("{} ({}%)", docker_size(c_free), pct(c_free, c_size)),
        ],
        vec![
            "Local Volumes".into(),
            volumes.to_string(),
            (volumes / 3).to_string(),
            docker_size(v_size),
            format!("{} ({}%)", docker_size(v_free), pct(v_free, v_size)),
        ],
        vec![
            "Build Cache".into(),
            rng.random_range(40..400).to_string(),
            "0".into(),
            docker_size(cache),
            docker_size(cache),
        ],
    ];
    table(&rows, max_width)
}

pub struct DockerImageRm {
    rng: StdRng,
    budget: Duration,
    images: Vec<Image>,
}

impl Module for DockerImageRm {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let budget = Duration::from_secs(rng.random_range(25..=90) + rng.random_range(0..=120));
        let images = build_inventory(&mut rng);
        Ok(DockerImageRm {
            rng,
            budget,
            images,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.command(host, "docker images")?;
        let lines = images_table(&self.images, None, host.width().saturating_sub(1));
        self.print_lines(host, &lines, 12)?;
        while host.clock() < self.budget && host.clock() < HARD_CAP - Duration::from_secs(15) {
            host.sleep_ms(self.rng.random_range(1500..5000))?;
            if !self.next_command(host)? {
                break;
            }
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: DockerImageRm,
    name: "docker_image_rm",
    version: env!("CARGO_PKG_VERSION"),
    description: "docker rmi cleaning up old images and their layers",
    signature: "docker image rm nginx:1.25-alpine",
}

impl DockerImageRm {
    /// Do one more thing; `false` when there is nothing left to clean.
    fn next_command(&mut self, host: &Host) -> Result<bool, plugin_api::Error> {
        let roll = self.rng.random_range(0..100);
        let dangling: Vec<String> = self
            .images
            .iter()
            .filter(|i| i.tags.is_empty() && !i.in_use)
            .map(|i| i.short_id().to_owned())
            .collect();
        if roll < 10 {
            self.command(host, "docker images")?;
            let lines = images_table(&self.images, None, host.width().saturating_sub(1));
            self.print_lines(host, &lines, 12)?;
        } else if roll < 20 {
            let Some(repo) = self
                .images
                .iter()
                .flat_map(|i| &i.tags)
                .map(|(r, _)| r.clone())
                .collect::<Vec<_>>()
                .choose(&mut self.rng)
                .cloned()
            else {
                return Ok(false);
            };
            self.command(host, &format!("docker images {repo}"))?;
            let lines = images_table(&self.images, Some(&repo), host.width().saturating_sub(1));
            self.print_lines(host, &lines, 12)?;
        } else if roll < 28 && !dangling.is_empty() {
            let command = *["docker image prune -f", "docker image prune --force"]
                .choose(&mut self.rng)
                .unwrap_or(&"docker image prune -f");
            self.command(host, command)?;
            host.sleep_ms(self.rng.random_range(400..2000))?;
            let (lines, _) = prune(&mut self.images);
            self.print_lines(host, &lines, 60)?;
        } else if roll < 38 && !dangling.is_empty() {
            let ids: Vec<String> = dangling.sample(&mut self.rng, 3).cloned().collect();
            self.rmi(host, &ids, false)?;
        } else if roll < 44 {
            self.command(host, "docker system df")?;
            host.sleep_ms(self.rng.random_range(300..1500))?;
            let lines = system_df(&self.images, &mut self.rng, host.width().saturating_sub(1));
            self.print_lines(host, &lines, 20)?;
        } else if roll < 52 {
            // Something a container still uses; then, sometimes, -f.
            let busy: Vec<String> = self
                .images
                .iter()
                .filter(|i| i.in_use && i.tags.len() == 1)
                .map(|i| format!("{}:{}", i.tags[0].0, i.tags[0].1))
                .collect();
            let Some(reference) = busy.choose(&mut self.rng).cloned() else {
                return Ok(true);
            };
            self.rmi(host, std::slice::from_ref(&reference), false)?;
            if self.rng.random_bool(0.4) {
                host.sleep_ms(self.rng.random_range(1500..3500))?;
                self.rmi(host, &[reference], true)?;
            }
        } else {
            // Old versions of one repository, keeping the newest.
            let mut repos: Vec<String> = self
                .images
                .iter()
                .flat_map(|i| &i.tags)
                .map(|(r, _)| r.clone())
                .collect();
            repos.dedup();
            repos.retain(|r| {
                self.images
                    .iter()
                    .flat_map(|i| &i.tags)
                    .filter(|(x, _)| x == r)
                    .count()
                    > 1
            });
            let Some(repo) = repos.choose(&mut self.rng).cloned() else {
                return Ok(!dangling.is_empty());
            };
            let tags: Vec<String> = self
                .images
                .iter()
                .flat_map(|i| &i.tags)
                .filter(|(r, _)| *r == repo)
                .map(|(r, t)| format!("{r}:{t}"))
                .collect();
            let take = self.rng.random_range(1..tags.len().min(5));
            let mut refs: Vec<String> = tags[1..].sample(&mut self.rng, take).cloned().collect();
            if self.rng.random_bool(0.08) {
                // A typo slips in.
                refs.push(format!("{}:{}", repo, "1.0.0-rc1"));
            }
            self.rmi(host, &refs, false)?;
        }
        Ok(true)
    }

    /// `docker rmi a b c`: each reference's lines, or its error.
    fn rmi(&mut self, host: &Host, refs: &[String], force: bool) -> RunResult {
        let verb = *["docker rmi", "docker image rm", "docker rmi"]
            .choose(&mut self.rng)
            .unwrap_or(&"docker rmi");
        let flag = if force { " -f" } else { "" };
        self.command(host, &format!("{verb}{flag} {}", refs.join(" ")))?;
        host.sleep_ms(self.rng.random_range(150..600))?;
        for reference in refs {
            for (line, style) in remove(&mut self.images, reference, force) {
                let pause = if line.starts_with("Deleted") {
                    self.rng.random_range(40..500)
                } else {
                    self.rng.random_range(10..80)
                };
                host.sleep_ms(pause)?;
                kit::println_fit(host, &line, style);
            }
        }
        Ok(())
    }

    /// The prompt with the command typed out.
    fn command(&mut self, host: &Host, command: &str) -> RunResult {
        let ms = self.rng.random_range(25..70);
        kit::shell_prompt(host, command, ms)?;
        Ok(())
    }

    fn print_lines(&mut self, host: &Host, lines: &[String], ms: u64) -> RunResult {
        host.sleep_ms(self.rng.random_range(100..500))?;
        for line in lines {
            kit::println_fit(host, line, PLAIN);
            host.sleep_ms(ms)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_digest(s: &str) -> bool {
        s.len() == 64
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    }

    #[test]
    fn digests_and_ids_have_64_hex_digits() {
        for seed in 0..20 {
            let mut rng = StdRng::seed_from_u64(seed);
            for image in build_inventory(&mut rng) {
                assert!(is_digest(&image.id));
                assert!(image.layers.iter().all(|l| is_digest(l)));
                if let Some(d) = &image.repo_digest {
                    assert!(is_digest(d.strip_prefix("sha256:").unwrap()));
                }
            }
        }
    }

    #[test]
    fn last_tag_deletes_image_and_its_layers() {
        let mut rng = StdRng::seed_from_u64(5);
        let mut images = build_inventory(&mut rng);
        let i = images
            .iter()
            .position(|i| i.tags.len() == 1 && !i.in_use)
            .unwrap();
        let (r, t) = images[i].tags[0].clone();
        let id = images[i].id.clone();
        let layers = images[i].layers.len();
        let before = images.len();
        let lines = remove(&mut images, &format!("{r}:{t}"), false);
        assert_eq!(lines[0].0, format!("Untagged: {r}:{t}"));
        let deleted: Vec<&String> = lines
            .iter()
            .map(|(l, _)| l)
            .filter(|l| l.starts_with("Deleted: sha256:"))
            .collect();
        assert_eq!(deleted.len(), 1 + layers);
        assert_eq!(deleted[0], &format!("Deleted: sha256:{id}"));
        assert!(
            deleted
                .iter()
                .all(|l| is_digest(&l["Deleted: sha256:".len()..]))
        );
        assert_eq!(images.len(), before - 1);
        assert!(
            !images_table(&images, None, 200)
                .iter()
                .any(|l| l.contains(&id[..12]))
        );
        for line in images_table(&build_inventory(&mut rng), None, 79) {
            assert!(kit::width(&line) <= 79, "{line}");
        }
    }

    #[test]
    fn one_of_several_tags_only_untags() {
        let mut images = vec![Image {
            tags: vec![
                ("nginx".into(), "1.27.4".into()),
                ("nginx".into(), "latest".into()),
            ],
            id: "a".repeat(64),
            repo_digest: Some(format!("sha256:{}", "b".repeat(64))),
            layers: vec!["c".repeat(64)],
            size_bytes: 192_000_000,
            created_secs_ago: 86_400 * 20,
            in_use: false,
            container: "d".repeat(12),
        }];
        let lines = remove(&mut images, "nginx:latest", false);
        assert_eq!(lines, vec![("Untagged: nginx:latest".to_owned(), PLAIN)]);
        assert_eq!(images.len(), 1);
        let lines = remove(&mut images, "nginx:1.27.4", false);
        let text: Vec<&str> = lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(text[0], "Untagged: nginx:1.27.4");
        assert!(text[1].starts_with("Untagged: nginx@sha256:"));
        assert_eq!(text.len(), 4);
        assert!(images.is_empty());
        let lines = remove(&mut images, "nginx:1.27.4", false);
        assert!(
            lines[0]
                .0
                .starts_with("Error response from daemon: No such image")
        );
    }

    #[test]
    fn images_in_use_need_force() {
        let mut images = vec![Image {
            tags: vec![("acme/api".into(), "1.4.2".into())],
            id: "e".repeat(64),
            repo_digest: None,
            layers: vec![],
            size_bytes: 1,
            created_secs_ago: 1,
            in_use: true,
            container: "f".repeat(12),
        }];
        let lines = remove(&mut images, "acme/api:1.4.2", false);
        assert!(
            lines[0]
                .0
                .contains("(must force) - container ffffffffffff is using")
        );
        assert_eq!(images.len(), 1);
        let lines = remove(&mut images, "acme/api:1.4.2", true);
        assert_eq!(lines[0].0, "Untagged: acme/api:1.4.2");
    }

    #[test]
    fn prune_reclaims_what_it_deletes() {
        let mut rng = StdRng::seed_from_u64(9);
        let mut images = build_inventory(&mut rng);
        let expected: u64 = images
            .iter()
            .filter(|i| i.tags.is_empty() && !i.in_use)
            .map(|i| i.size_bytes)
            .sum();
        let (lines, reclaimed) = prune(&mut images);
        assert_eq!(reclaimed, expected);
        assert!(lines.last().unwrap().ends_with(&docker_size(expected)));
        assert!(images.iter().all(|i| !i.tags.is_empty() || i.in_use));
    }

    #[test]
    fn human_units() {
        assert_eq!(docker_size(10_072), "10.1kB");
        assert_eq!(docker_size(245_300_000), "245MB");
        assert_eq!(docker_size(78_540_000), "78.5MB");
        assert_eq!(docker_size(1_214_000_000), "1.21GB");
        assert_eq!(docker_size(7_000_000), "7MB");
        assert_eq!(created_ago(90), "About a minute ago");
        assert_eq!(created_ago(3 * 86_400), "3 days ago");
        assert_eq!(created_ago(20 * 86_400), "2 weeks ago");
        assert_eq!(created_ago(100 * 86_400), "3 months ago");
    }
}
