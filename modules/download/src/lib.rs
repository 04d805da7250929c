//! `download`: wget and curl fetching release tarballs, ISO images and data
//! dumps from real-looking mirrors.
//!
//! Every number on a progress line comes from one [`Transfer`] that counts
//! bytes against the simulated time it slept, so bytes / elapsed = rate holds
//! on every frame and in the final "saved" line.

use std::time::Duration;

use plugin_api::kit::{self, SimDate, Transfer};
use plugin_api::{Host, Module, Options, RunResult, Style};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

const FILES: &str = include_str!("../data/files.txt");
const REDIRECTS: &str = include_str!("../data/redirects.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(285);

/// How far back the "current" rate looks, like wget's speed history.
const WINDOW_MS: u64 = 3000;

/// A file a server offers: where, how big, and the type it announces.
#[derive(Debug, Clone, Copy)]
struct RemoteFile {
    url: &'static str,
    size: u64,
    mime: &'static str,
}

/// Which client the session pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Wget,
    Curl,
}

/// One download decided up front: the file, the client and the link speed.
struct Plan {
    file: RemoteFile,
    tool: Tool,
    /// Bytes per second the link averages for this file.
    rate: f64,
    /// Where the first server sends us, if it redirects.
    redirect: Option<String>,
}

pub struct Download {
    rng: StdRng,
    date: SimDate,
    files: Vec<RemoteFile>,
    redirects: Vec<(&'static str, &'static str)>,
    /// Session length at speed 1; the last download may run a little past it.
    budget: Duration,
    /// `None` mixes both clients.
    tool: Option<Tool>,
    /// Typical speed of this machine's link, bytes per second.
    line_rate: f64,
}

impl Module for Download {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let tool = match options.get("tool").unwrap_or("mixed") {
            "wget" => Some(Tool::Wget),
            "curl" => Some(Tool::Curl),
            "mixed" => None,
            other => return Err(format!("option `tool`: unknown client `{other}`")),
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let budget = Duration::from_secs(rng.random_range(25..=100) + rng.random_range(0..=140));
        // Log-uniform between ~1.5 MB/s (home DSL) and ~110 MB/s (a datacenter).
        let line_rate = 1.5e6 * (rng.random_range(0.0..1.0f64) * (110.0f64 / 1.5).ln()).exp();
        Ok(Download {
            rng,
            date: SimDate::from_seed(seed),
            files: parse_files(),
            redirects: kit::data_lines(REDIRECTS)
                .into_iter()
                .filter_map(|l| l.split_once('|'))
                .collect(),
            budget,
            tool,
            line_rate,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let mut first = true;
        while host.clock() < self.budget {
            let left = HARD_CAP.saturating_sub(host.clock());
            let Some(plan) = self.plan(left) else { break };
            if !first {
                host.sleep_ms(self.rng.random_range(900..3500))?;
            }
            first = false;
            match plan.tool {
                Tool::Wget => self.wget(host, &plan)?,
                Tool::Curl => self.curl(host, &plan)?,
            }
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: Download,
    name: "download",
    version: env!("CARGO_PKG_VERSION"),
    description: "wget/curl downloading ISO images and release tarballs",
    signature: "wget https://releases.ubuntu.com/24.04/ubuntu-24.04.2-live-server-amd64.iso",
    options: [
        plugin_api::option::choice(c"tool", c"client shown", c"mixed", c"mixed|wget|curl"),
    ],
}

fn parse_files() -> Vec<RemoteFile> {
    kit::data_lines(FILES)
        .into_iter()
        .filter_map(|line| {
            let mut parts = line.split('|');
            let url = parts.next()?;
            let size = parts.next()?.parse().ok()?;
            let mime = parts.next()?;
            Some(RemoteFile { url, size, mime })
        })
        .collect()
}

impl Download {
    /// Pick a file that this link can fetch in the time left (and in at most
    /// a couple of minutes, so one session shows several files).
    fn plan(&mut self, left: Duration) -> Option<Plan> {
        let max_secs = left.as_secs_f64().min(150.0) - 5.0;
        for _ in 0..40 {
            let file = *self.files.choose(&mut self.rng)?;
            let rate = self.line_rate * self.rng.random_range(0.35..1.1);
            if file.size as f64 / rate > max_secs {
                continue;
            }
            let tool = self.tool.unwrap_or(if self.rng.random_bool(0.65) {
                Tool::Wget
            } else {
                Tool::Curl
            });
            let redirect = self.redirect_for(file);
            return Some(Plan {
                file,
                tool,
                rate,
                redirect,
            });
        }
        None
    }

    /// Some servers hand out mirrors or signed CDN links instead of the file.
    fn redirect_for(&mut self, file: RemoteFile) -> Option<String> {
        let matches: Vec<(&str, &str)> = self
            .redirects
            .iter()
            .filter(|(from, _)| file.url.starts_with(from))
            .copied()
            .collect();
        let (from, target) = *matches.choose(&mut self.rng)?;
        if !self.rng.random_bool(0.8) {
            return None;
        }
        if target.ends_with("release-asset-2e65be/") {
            return Some(self.github_asset_url(target, file_name(file.url)));
        }
        Some(format!("{target}{}", &file.url[from.len()..]))
    }

    /// GitHub release downloads bounce to a pre-signed S3 URL.
    fn github_asset_url(&mut self, base: &str, name: &str) -> String {
        let repo_id = self.rng.random_range(20_000_000..900_000_000u32);
        let uuid = kit::random::uuid(&mut self.rng);
        let day = self.date.datetime(Duration::ZERO);
        let stamp = format!("{}{}{}", &day[0..4], &day[5..7], &day[8..10]);
        format!(
            "{base}{repo_id}/{uuid}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=releaseassetproduction%2F{stamp}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date={stamp}T{}Z&X-Amz-Expires=300&X-Amz-Signature={}&X-Amz-SignedHeaders=host&response-content-disposition=attachment%3B%20filename%3D{name}&response-content-type=application%2Foctet-stream",
            day[11..19].replace(':', ""),
            kit::hex_digits(64, || self.rng.random_range(0..16))
        )
    }

    /// `wget URL`: the request log, a bar redrawn in place, the saved line.
    fn wget(&mut self, host: &Host, plan: &Plan) -> RunResult {
        let name = file_name(plan.file.url);
        kit::shell_prompt(host, &format!("wget {}", plan.file.url), 0)?;
        host.sleep_ms(self.rng.random_range(150..500))?;
        let mut url = plan.file.url.to_owned();
        let mut redirect = plan.redirect.clone();
        loop {
            kit::println_fit(
                host,
                &format!("--{}--  {url}", self.date.datetime(host.clock())),
                Style::plain(),
            );
            let server = host_of(&url);
            let ips = addresses_for(server, &mut self.rng);
            host.sleep_ms(self.rng.random_range(20..260))?;
            kit::println_fit(
                host,
                &format!("Resolving {server} ({server})... {}", ips.join(", ")),
                Style::plain(),
            );
            let port = if url.starts_with("https") { 443 } else { 80 };
            host.print(&kit::fit(
                &format!("Connecting to {server} ({server})|{}|:{port}... ", ips[0]),
                host.width().saturating_sub(12),
            ));
            host.sleep_ms(self.rng.random_range(30..350))?;
            host.println("connected.");
            host.print("HTTP request sent, awaiting response... ");
            host.sleep_ms(self.rng.random_range(60..700))?;
            match redirect.take() {
                Some(next) => {
                    host.println("302 Found");
                    kit::println_fit(
                        host,
                        &format!("Location: {next} [following]"),
                        Style::plain(),
                    );
                    url = next;
                }
                None => {
                    host.println("200 OK");
                    break;
                }
            }
        }
        kit::println_fit(
            host,
            &format!(
                "Length: {} ({}) [{}]",
                plan.file.size,
                wget_human(plan.file.size),
                plan.file.mime
            ),
            Style::plain(),
        );
        kit::println_fit(host, &format!("Saving to: ‘{name}’"), Style::plain());
        host.newline();

        let mut transfer = Transfer::new(plan.file.size, WINDOW_MS);
        let rate = plan.rate.max(1.0);
        let mut speed = 1.0;
        let width = host.width().saturating_sub(1);
        let live = host.is_terminal();
        if live {
            host.print(&wget_bar(name, &transfer, width));
        }
        let mut next_quarter = 1;
        while !transfer.done() {
            speed = drift(&mut self.rng, speed);
            let ms = transfer.advance(rate * speed, 200);
            host.sleep_ms(ms)?;
            let line = wget_bar(name, &transfer, width);
            if live {
                host.erase_line();
                host.print(&line);
            } else if transfer.done() || transfer.fraction() >= f64::from(next_quarter) * 0.25 {
                host.println(&line);
                next_quarter += 1;
            }
        }
        if live {
            host.newline();
        }
        host.newline();
        kit::println_fit(
            host,
            &format!(
                "{} ({}) - ‘{name}’ saved [{}/{}]",
                self.date.datetime(host.clock()),
                wget_rate(transfer.average_rate(), true),
                plan.file.size,
                plan.file.size
            ),
            Style::plain(),
        );
        host.newline();
        Ok(())
    }

    /// `curl -LO URL`: curl's two header lines and its once-a-second meter.
    fn curl(&mut self, host: &Host, plan: &Plan) -> RunResult {
        let flags = ["-LO", "-L -O", "-fLO", "-fL -O", "--location --remote-name"];
        let flag = *flags.choose(&mut self.rng).unwrap_or(&"-LO");
        kit::shell_prompt(host, &format!("curl {flag} {}", plan.file.url), 0)?;
        host.sleep_ms(self.rng.random_range(150..500))?;
        let width = host.width().saturating_sub(1);
        kit::println_fit(host, CURL_HEADER[0], Style::plain());
        kit::println_fit(host, CURL_HEADER[1], Style::plain());
        let live = host.is_terminal();
        if plan.redirect.is_some() {
            // The redirect's empty body gets a meter line of its own.
            let hop = Transfer::new(0, WINDOW_MS);
            host.print(&kit::fit(&curl_line(&hop, 0), width));
            host.sleep_ms(self.rng.random_range(150..700))?;
            host.newline();
        }
        let connect_ms = self.rng.random_range(80..900);
        let mut transfer = Transfer::new(plan.file.size, WINDOW_MS).after_ms(connect_ms);
        let rate = plan.rate.max(1.0);
        let mut speed = 1.0;
        host.print(&kit::fit(&curl_line(&transfer, connect_ms), width));
        host.sleep_ms(connect_ms)?;
        let mut next_quarter = 1;
        while !transfer.done() {
            speed = drift(&mut self.rng, speed);
            let ms = transfer.advance(rate * speed, 1000);
            host.sleep_ms(ms)?;
            let line = kit::fit(&curl_line(&transfer, 0), width);
            if live {
                host.erase_line();
                host.print(&line);
            } else if transfer.done() || transfer.fraction() >= f64::from(next_quarter) * 0.25 {
                host.newline();
                host.print(&line);
                next_quarter += 1;
            }
        }
        host.newline();
        Ok(())
    }
}

/// The link's speed factor after one more tick: it wanders around 1 like a
/// real connection's.
fn drift(rng: &mut StdRng, speed: f64) -> f64 {
    kit::random::drift(rng, speed, 0.12, 0.55..=1.4)
}

/// wget's bar line: name, percentage, `[===>   ]`, bytes, rate, eta.
fn wget_bar(name: &str, t: &Transfer, width: usize) -> String {
    let right = if t.done() {
        format!(
            "{:>8}  {:>8}    in {:<9}",
            wget_amount(t.received()),
            wget_rate(t.average_rate(), false),
            wget_elapsed(t.elapsed_ms())
        )
    } else {
        let rate = t.current_rate();
        let eta = t
            .eta_secs(rate)
            .map_or_else(String::new, |s| format!("eta {}", wget_eta(s)));
        format!(
            "{:>8}  {:>8}    {:<12}",
            wget_amount(t.received()),
            wget_rate(rate, false),
            eta
        )
    };
    let name_cols = (width / 4).clamp(8, 20);
    let pct = format!("{:>3}%", (t.fraction() * 100.0).floor() as u32);
    let fixed = name_cols + 1 + pct.len() + 2 + right.len();
    let bar_cols = width.saturating_sub(fixed).min(60);
    let filled = ((t.fraction() * bar_cols as f64) as usize).min(bar_cols);
    let mut bar = String::new();
    if filled > 0 {
        bar.push_str(&"=".repeat(filled - 1));
        bar.push('>');
    }
    bar.push_str(&" ".repeat(bar_cols - filled));
    let line = format!("{} {pct}[{bar}]{right}", kit::pad(name, name_cols));
    kit::fit(line.trim_end(), width)
}

/// wget's "Length:" size: `(118M)`, `(2.6G)`, `(532K)`.
fn wget_human(bytes: u64) -> String {
    let mut value = bytes as f64;
    for unit in ["K", "M", "G", "T"] {
        value /= 1024.0;
        if value < 1024.0 {
            return if value < 10.0 {
                format!("{value:.1}{unit}")
            } else {
                format!("{value:.0}{unit}")
            };
        }
    }
    format!("{value:.0}P")
}

/// Bytes on the bar: `784.50M`, `1.17G`, `512`.
fn wget_amount(bytes: u64) -> String {
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut value = bytes as f64;
    for unit in ["K", "M", "G"] {
        value /= 1024.0;
        if value < 1024.0 {
            return format!("{value:.2}{unit}");
        }
    }
    format!("{:.2}T", value / 1024.0)
}

/// A rate like wget prints it: `11.2MB/s` on the bar, `11.2 MB/s` at the end.
fn wget_rate(bytes_per_sec: f64, spaced: bool) -> String {
    let mut value = bytes_per_sec;
    let mut unit = "B/s";
    for next in ["KB/s", "MB/s", "GB/s"] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    let decimals = if value >= 99.95 {
        0
    } else if value >= 9.995 {
        1
    } else {
        2
    };
    let sep = if spaced { " " } else { "" };
    format!("{value:.decimals$}{sep}{unit}")
}

/// wget's short eta: `45s`, `2m 3s`, `1h 7m`, `2d 3h`.
fn wget_eta(secs: u64) -> String {
    if secs < 100 {
        format!("{secs}s")
    } else if secs < 100 * 60 {
        format!("{}m {}s", secs / 60, secs % 60)
    } else if secs < 48 * 3600 {
        format!("{}h {}m", secs / 3600, (secs / 60) % 60)
    } else {
        format!("{}d {}h", secs / 86_400, (secs / 3600) % 24)
    }
}

/// The "in ..." total on the finished bar: `0.4s`, `42s`, `3m 52s`.
fn wget_elapsed(ms: u64) -> String {
    if ms < 10_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        wget_eta(ms / 1000)
    }
}

const CURL_HEADER: [&str; 2] = [
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current",
    "                                 Dload  Upload   Total   Spent    Left  Speed",
];

/// One curl meter line. `waited_ms` is time spent before the first byte
/// when nothing has been received yet.
fn curl_line(t: &Transfer, waited_ms: u64) -> String {
    let pct = (t.fraction() * 100.0).floor() as u64;
    let pct = if t.total() == 0 { 0 } else { pct };
    let avg = t.average_rate();
    let spent = if t.received() == 0 {
        waited_ms
    } else {
        t.elapsed_ms()
    } / 1000;
    let (total_time, left) = match t.eta_secs(avg) {
        Some(left) if !t.done() => (curl_time(Some(spent + left)), curl_time(Some(left))),
        Some(_) => (curl_time(Some(spent)), curl_time(None)),
        None => (curl_time(None), curl_time(None)),
    };
    let current = if t.done() { avg } else { t.current_rate() };
    format!(
        "{pct:>3} {:>5}  {pct:>3} {:>5}    0     0  {:>5}      0 {total_time:>8} {:>8} {left:>8} {:>5}",
        curl_size(t.total()),
        curl_size(t.received()),
        curl_size(avg as u64),
        curl_time(Some(spent)),
        curl_size(current as u64)
    )
}

/// curl's five-character amounts: `99999`, `9999k`, `53.2M`, `1187M`, `2.6G`.
fn curl_size(bytes: u64) -> String {
    const K: u64 = 1024;
    const M: u64 = K * K;
    const G: u64 = M * K;
    if bytes < 100_000 {
        bytes.to_string()
    } else if bytes < 10_000 * K {
        format!("{}k", bytes / K)
    } else if bytes < 100 * M {
        format!("{}.{}M", bytes / M, (bytes % M) / (M / 10))
    } else if bytes < 10_000 * M {
        format!("{}M", bytes / M)
    } else if bytes < 100 * G {
        format!("{}.{}G", bytes / G, (bytes % G) / (G / 10))
    } else {
        format!("{}G", bytes / G)
    }
}

/// curl's `H:MM:SS`, or `--:--:--` when unknown.
fn curl_time(secs: Option<u64>) -> String {
    match secs {
        Some(s) => format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60),
        None => "--:--:--".to_owned(),
    }
}

/// The last path segment, without a query: what wget and `curl -O` save as.
fn file_name(url: &str) -> &str {
    let path = url.split('?').next().unwrap_or(url);
    path.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("index.html")
}

/// `releases.ubuntu.com` out of `https://releases.ubuntu.com/24.04/...`.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// The addresses a name resolves to. Derived from the name itself so that a
/// server keeps its addresses all session; the order rotates like DNS round
/// robin.
fn addresses_for(server: &str, rng: &mut StdRng) -> Vec<String> {
    const PUBLIC_FIRST_OCTETS: [u8; 24] = [
        23, 34, 35, 45, 52, 54, 64, 66, 91, 104, 128, 130, 140, 146, 151, 152, 157, 185, 193, 198,
        199, 204, 208, 213,
    ];
    let mut h = kit::stable_hash(server);
    let count = 1 + (h % 3) as usize;
    let mut ips = Vec::new();
    for _ in 0..count {
        h = h.wrapping_mul(0x100_0000_01b3).wrapping_add(0x9e37_79b9);
        let b = h.to_be_bytes();
        let first = PUBLIC_FIRST_OCTETS[b[0] as usize % PUBLIC_FIRST_OCTETS.len()];
        ips.push(format!("{first}.{}.{}.{}", b[1], b[2], 1 + b[3] % 254));
    }
    let shift = rng.random_range(0..ips.len());
    ips.rotate_left(shift);
    if h.is_multiple_of(2) {
        ips.push(format!(
            "2a04:4e42:{:x}::{:x}",
            (h >> 16) & 0xfff,
            (h >> 40) & 0x3ff
        ));
    }
    ips
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transfer driven the way `wget` and `curl` drive theirs.
    fn run_to_end(total: u64, rate: f64, tick: u64) -> (Transfer, u64) {
        let mut rng = StdRng::seed_from_u64(3);
        let mut t = Transfer::new(total, WINDOW_MS);
        let mut speed = 1.0;
        let mut slept = 0;
        while !t.done() {
            speed = drift(&mut rng, speed);
            slept += t.advance(rate * speed, tick);
        }
        (t, slept)
    }

    #[test]
    fn rate_times_time_is_bytes() {
        for (total, rate) in [
            (149_423_600, 12e6),
            (2_348_200, 3e5),
            (3_213_064_192, 95e6),
            (1, 1e6),
        ] {
            let (t, slept) = run_to_end(total, rate, 200);
            assert_eq!(t.received(), total);
            assert_eq!(t.elapsed_ms(), slept, "elapsed must equal the time slept");
            let bytes = t.average_rate() * t.elapsed_ms() as f64 / 1000.0;
            assert!((bytes - total as f64).abs() < 1.0, "{bytes} vs {total}");
            // The speed drifts around the plan's rate, never far from it.
            if total > 1_000_000 {
                let ratio = t.average_rate() / rate;
                assert!((0.55..=1.4).contains(&ratio), "{ratio}");
            }
        }
    }

    #[test]
    fn wget_bar_fits_and_shows_the_numbers() {
        let (t, _) = run_to_end(149_423_600, 12e6, 200);
        for width in [40, 79, 120, 250] {
            let line = wget_bar("linux-6.14.2.tar.xz", &t, width);
            assert!(kit::width(&line) <= width, "{line}");
        }
        let line = wget_bar("linux-6.14.2.tar.xz", &t, 79);
        assert!(
            line.contains("100%[") && line.contains("142.50M") && line.contains(" in "),
            "{line}"
        );
    }

    #[test]
    fn curl_line_lines_up_with_its_header() {
        let (t, _) = run_to_end(123_456_789, 11e6, 1000);
        let line = curl_line(&t, 0);
        assert_eq!(line.len(), 78, "{line}");
        assert!(line.starts_with("100  117M  100  117M"), "{line}");
        assert!(line.contains("--:--:--"));
        let start = Transfer::new(5_000_000, WINDOW_MS).after_ms(300);
        assert!(curl_line(&start, 300).starts_with("  0 4882k    0     0"));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(wget_human(123_456_789), "118M");
        assert_eq!(wget_human(2_773_874_688), "2.6G");
        assert_eq!(wget_amount(149_423_600), "142.50M");
        assert_eq!(wget_rate(11.2 * 1024.0 * 1024.0, false), "11.2MB/s");
        assert_eq!(wget_rate(532.0 * 1024.0, true), "532 KB/s");
        assert_eq!(wget_eta(123), "2m 3s");
        assert_eq!(curl_size(99_999), "99999");
        assert_eq!(curl_size(55_800_000), "53.2M");
        assert_eq!(curl_time(Some(3725)), "1:02:05");
    }

    #[test]
    fn addresses_are_valid_and_stable() {
        let mut rng = StdRng::seed_from_u64(1);
        for server in [
            "releases.ubuntu.com",
            "cdn.kernel.org",
            "go.dev",
            "dl.google.com",
        ] {
            let a = addresses_for(server, &mut rng);
            let mut b = addresses_for(server, &mut rng);
            let mut a_sorted = a.clone();
            a_sorted.sort();
            b.sort();
            assert_eq!(a_sorted, b);
            for ip in a.iter().filter(|ip| !ip.contains(':')) {
                let octets: Vec<u16> = ip.split('.').map(|o| o.parse().unwrap()).collect();
                assert_eq!(octets.len(), 4);
                assert!(octets.iter().all(|&o| o <= 255) && octets[3] >= 1 && octets[3] <= 254);
            }
        }
    }

    #[test]
    fn data_parses() {
        let files = parse_files();
        assert!(files.len() > 80);
        assert_eq!(files.len(), kit::data_lines(FILES).len());
        assert_eq!(file_name("https://x.org/a/b.tar.gz?x=1"), "b.tar.gz");
        assert_eq!(host_of("https://cdn.kernel.org/pub/x"), "cdn.kernel.org");
    }
}
