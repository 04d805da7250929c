//! A command-and-control console bringing a fleet online: relays in the
//! mesh connect one after the other (with a spinner while the handshake
//! runs), then nodes check in and fill a table — address, country, OS,
//! latency, status — while the online count climbs at the bottom and the
//! mesh does its housekeeping.
//!
//! Playful, but it holds up to a glance: every address is a valid public
//! IPv4 address (never a private, loopback or documentation range dressed
//! up as a foreign country), and latencies follow the country's distance.

use plugin_api::kit::{LiveBlock, SPINNER, data_lines, fit, pad, spinner_frame};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

const COUNTRIES: &str = include_str!("../data/countries.txt");
const SYSTEMS: &str = include_str!("../data/systems.txt");
const RELAYS: &str = include_str!("../data/relays.txt");
const EVENTS: &str = include_str!("../data/events.txt");

const INFO: Style = Style::fg(Color::Blue).bold();
const GOOD: Style = Style::fg(Color::Green).bold();
const WARN: Style = Style::fg(Color::Yellow).bold();
const HEAD: Style = Style::plain().bold();

/// Whether an IPv4 address is publicly routable: not in any of the
/// special-purpose ranges of RFC 6890 and friends (private, shared,
/// loopback, link-local, documentation, benchmarking, multicast, reserved).
fn is_public(ip: [u8; 4]) -> bool {
    let [a, b, c, _] = ip;
    !matches!(
        (a, b, c),
        (0, _, _)
            | (10, _, _)
            | (100, 64..=127, _)
            | (127, _, _)
            | (169, 254, _)
            | (172, 16..=31, _)
            | (192, 0, 0)
            | (192, 0, 2)
            | (192, 88, 99)
            | (192, 168, _)
            | (198, 18..=19, _)
            | (198, 51, 100)
            | (203, 0, 113)
            | (224..=255, _, _)
    )
}

/// A random public IPv4 address (never .0 or .255 in the last octet, which
/// look like network and broadcast addresses).
fn public_ip(rng: &mut StdRng) -> [u8; 4] {
    loop {
        let ip = [
            rng.random_range(1..=223),
            rng.random(),
            rng.random(),
            rng.random_range(1..=254),
        ];
        if is_public(ip) {
            return ip;
        }
    }
}

fn dotted(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

/// One table row's facts.
#[derive(Debug, Clone)]
struct Node {
    id: String,
    ip: [u8; 4],
    country: &'static str,
    os: &'static str,
    arch: &'static str,
    latency_ms: u32,
    status: &'static str,
    uptime_h: u32,
    bandwidth: f64,
}

/// The table row for a node: 78 columns, more detail when there is room.
fn node_row(node: &Node, wide: bool) -> String {
    let mut row = format!(
        " {:<8}  {:<15}  {:<2}  {:<20} {:<8} {:>6}  ",
        node.id,
        dotted(node.ip),
        node.country,
        pad(node.os, 20),
        node.arch,
        format!("{} ms", node.latency_ms),
    );
    if wide {
        row.push_str(&format!(
            "{:>4}d {:02}h  {:>6.1} Mb/s  ",
            node.uptime_h / 24,
            node.uptime_h % 24,
            node.bandwidth
        ));
    }
    row
}

fn table_header(wide: bool) -> String {
    let mut head = format!(
        " {:<8}  {:<15}  {:<2}  {:<20} {:<8} {:>6}  ",
        "NODE", "ADDRESS", "CC", "OS", "ARCH", "LAT"
    );
    if wide {
        head.push_str(&format!("{:>9}  {:>11}  ", "UPTIME", "LINK"));
    }
    head.push_str("STATUS");
    head
}

fn status_style(status: &str) -> Style {
    match status {
        "ONLINE" => GOOD,
        "SYNCING" | "NEW" => WARN,
        _ => Style::fg(Color::Red).bold(),
    }
}

/// The console session.
pub struct Botnet {
    rng: StdRng,
    countries: Vec<(&'static str, u32)>,
    systems: Vec<(&'static str, &'static str)>,
    relays: Vec<(&'static str, [u8; 4])>,
    fleet: u32,
    online: u32,
    session_ms: u64,
    config_version: u32,
    /// Nodes marked stale so far (the summary repeats this count).
    stale: u32,
    /// The bottom status line, under the growing table (terminal only).
    status: LiveBlock,
}

impl Module for Botnet {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let countries = data_lines(COUNTRIES)
            .into_iter()
            .filter_map(|l| l.split_once('|'))
            .map(|(cc, ms)| (cc, ms.parse().unwrap_or(80)))
            .collect();
        let systems = data_lines(SYSTEMS)
            .into_iter()
            .filter_map(|l| l.split_once('|'))
            .collect();
        let mut relay_names: Vec<&str> = data_lines(RELAYS)
            .into_iter()
            .filter_map(|l| l.split('|').next())
            .collect();
        relay_names.shuffle(&mut rng);
        let count = rng.random_range(4..9);
        let relays = relay_names
            .into_iter()
            .take(count)
            .map(|name| (name, public_ip(&mut rng)))
            .collect();
        Ok(Botnet {
            fleet: *[512, 1024, 2048, 4096, 8192]
                .choose(&mut rng)
                .unwrap_or(&2048),
            online: 0,
            session_ms: rng.random_range(30_000..180_000),
            config_version: rng.random_range(12..180),
            stale: 0,
            status: LiveBlock::new(),
            rng,
            countries,
            systems,
            relays,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.banner(host)?;
        self.connect_relays(host)?;
        self.check_ins(host)?;
        self.wrap_up(host)?;
        Ok(())
    }
}

impl Botnet {
    /// `[*] message` with a coloured marker, above the status line.
    fn say(&mut self, host: &Host, marker: &str, style: Style, text: &str) {
        self.status.print_above(host, |host| {
            host.styled(&format!("[{marker}] "), style);
            host.println(&fit(text, host.width().saturating_sub(4)));
        });
    }

    /// Waits a random time from `range` (milliseconds).
    fn wait(&mut self, host: &Host, range: std::ops::Range<u64>) -> Result<(), Stop> {
        host.sleep_ms(self.rng.random_range(range))
    }

    fn banner(&mut self, host: &Host) -> Result<(), Stop> {
        host.println_styled(
            &fit(
                "nightjar 2.4.1 (build 7f3c2a1) - operator console",
                host.width(),
            ),
            HEAD,
        );
        host.newline();
        self.wait(host, 400..1200)?;
        self.say(host, "*", INFO, "loading /etc/nightjar/c2.toml");
        self.wait(host, 200..700)?;
        let regions = self.relays.len().div_ceil(2);
        let text = format!(
            "relay mesh: {} relays in {regions} regions, fleet of {} nodes",
            self.relays.len(),
            self.fleet
        );
        self.say(host, "*", INFO, &text);
        self.wait(host, 300..900)?;
        Ok(())
    }

    /// Each relay: a spinner while the handshake runs, then its result line.
    fn connect_relays(&mut self, host: &Host) -> Result<(), Stop> {
        for (i, (name, ip)) in self.relays.clone().into_iter().enumerate() {
            let handshake_ms = self.rng.random_range(600..3000);
            let start = host.clock();
            if host.is_terminal() {
                while host.clock() - start < std::time::Duration::from_millis(handshake_ms) {
                    let frame =
                        spinner_frame(&SPINNER, host.clock(), std::time::Duration::from_millis(80));
                    host.erase_line();
                    host.styled(&format!("[{frame}] "), INFO);
                    let text = format!(
                        "establishing connection to {name} ({}/{})",
                        i + 1,
                        self.relays.len()
                    );
                    host.print(&fit(&text, host.width().saturating_sub(5)));
                    host.sleep_ms(80)?;
                }
                host.erase_line();
            } else {
                host.sleep_ms(handshake_ms)?;
            }
            let rtt = self.rng.random_range(18..160);
            let address = format!("{}:443", dotted(ip));
            let text = format!("relay {name:<7} {address:<21}  TLS 1.3  x25519  {rtt:>3} ms  ok");
            self.say(host, "+", GOOD, &text);
        }
        self.wait(host, 300..900)?;
        self.say(host, "*", INFO, "mesh up; waiting for nodes to check in");
        host.newline();
        host.println_styled(&fit(&table_header(host.width() >= 104), host.width()), HEAD);
        Ok(())
    }

    fn random_node(&mut self) -> Node {
        let (country, base) = *self.countries.choose(&mut self.rng).unwrap_or(&("DE", 40));
        let (os, arch) = *self
            .systems
            .choose(&mut self.rng)
            .unwrap_or(&("Debian 12", "x86_64"));
        let status = *[
            "ONLINE", "ONLINE", "ONLINE", "ONLINE", "ONLINE", "SYNCING", "NEW", "STALE",
        ]
        .choose(&mut self.rng)
        .unwrap_or(&"ONLINE");
        let jitter = self.rng.random_range(0.85..1.45);
        Node {
            id: format!("{:08x}", self.rng.random::<u32>()),
            ip: public_ip(&mut self.rng),
            country,
            os,
            arch,
            latency_ms: (f64::from(base) * jitter) as u32,
            status,
            uptime_h: self.rng.random_range(1..2400),
            bandwidth: self.rng.random_range(0.4..940.0),
        }
    }

    /// The bottom line: spinner, online count, relays, throughput.
    fn status_text(&self, host: &Host) -> String {
        let clock = host.clock();
        let frame = spinner_frame(&SPINNER, clock, std::time::Duration::from_millis(100));
        let secs = clock.as_secs();
        let tx = f64::from(self.online) * 0.0061;
        format!(
            " {frame} online {}/{}  relays {}/{}  tx {tx:.1} MB/s  uptime {:02}:{:02}:{:02}",
            self.online,
            self.fleet,
            self.relays.len(),
            self.relays.len(),
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )
    }

    fn draw_status(&mut self, host: &Host) {
        if host.is_terminal() {
            let text = self.status_text(host);
            self.status.draw_styled(host, &[(&text, INFO)]);
        }
    }

    /// Nodes check in until the session's end is near; the mesh's
    /// housekeeping interleaves.
    fn check_ins(&mut self, host: &Host) -> Result<(), Stop> {
        let wide = host.width() >= 104;
        let events: Vec<&str> = data_lines(EVENTS);
        let deadline = self.session_ms * 9 / 10;
        let start = host.clock().as_millis() as f64;
        let mut rows = 0u32;
        while (host.clock().as_millis() as u64) < deadline {
            let node = self.random_node();
            self.status.print_above(host, |host| {
                let row = node_row(&node, wide);
                host.print(&fit(&row, host.width().saturating_sub(node.status.len())));
                host.println_styled(node.status, status_style(node.status));
            });
            rows += 1;

            // The count climbs in batches: the table shows a sample only.
            let left = self.fleet.saturating_sub(self.online);
            let elapsed =
                (host.clock().as_millis() as f64 - start) / (deadline as f64 - start).max(1.0);
            let wanted = (f64::from(self.fleet) * 0.93 * elapsed.min(1.0)) as u32;
            let step = wanted
                .saturating_sub(self.online)
                .min(left)
                .max(1)
                .min(left);
            self.online += self.rng.random_range(0..=step);

            if self.rng.random_bool(0.08) {
                self.event(host, &events)?;
            }
            if !host.is_terminal() && rows.is_multiple_of(25) {
                host.println(&fit(&self.status_text(host), host.width()));
            }
            // Check-ins arrive in small bursts, several a second.
            let mut left_ms = if self.rng.random_bool(0.3) {
                self.rng.random_range(400..1600)
            } else {
                self.rng.random_range(60..350)
            };
            while left_ms > 0 {
                self.draw_status(host);
                let chunk = left_ms.min(100);
                host.sleep_ms(chunk)?;
                left_ms -= chunk;
            }
        }
        self.status.clear(host);
        Ok(())
    }

    /// A housekeeping line from `events.txt`, filled in.
    fn event(&mut self, host: &Host, events: &[&str]) -> Result<(), Stop> {
        let Some(line) = events.choose(&mut self.rng) else {
            return Ok(());
        };
        let (kind, template) = line.split_once('|').unwrap_or(("*", line));
        let relay = self.relays.choose(&mut self.rng).map_or("fra-01", |r| r.0);
        if kind == "*" && template.contains("{v}") {
            self.config_version += 1;
        }
        // Stale nodes are few; everything else concerns nodes already online.
        let n = if template.contains("stale") {
            let n = self.rng.random_range(1..=(self.fleet / 200).max(2));
            self.stale += n;
            n
        } else {
            self.rng.random_range(1..=self.online.max(1))
        };
        let text = template
            .replace("{node}", &format!("{:08x}", self.rng.random::<u32>()))
            .replace("{relay}", relay)
            .replace("{n}", &n.to_string())
            .replace("{v}", &self.config_version.to_string())
            .replace("{pct}", &self.rng.random_range(12..97).to_string());
        let style = match kind {
            "!" => WARN,
            "+" => GOOD,
            _ => INFO,
        };
        self.say(host, kind, style, &text);
        self.wait(host, 100..600)
    }

    /// The summary and the prompt, idle for a moment.
    fn wrap_up(&mut self, host: &Host) -> Result<(), Stop> {
        host.newline();
        let text = format!(
            "{} of {} nodes online, {} stale; mesh healthy",
            self.online, self.fleet, self.stale
        );
        self.say(host, "+", GOOD, &text);
        self.say(host, "*", INFO, "awaiting operator commands");
        host.newline();
        host.styled("nightjar", Style::fg(Color::Magenta).bold());
        host.print("> ");
        self.wait(host, 2000..5000)?;
        host.newline();
        Ok(())
    }
}

plugin_api::export_module! {
    module: Botnet,
    name: "botnet",
    version: "0.1.0",
    description: "Bring a fleet of nodes online through a C2 relay mesh",
    signature: "./nightjar --mesh eu,us,ap --listen 0.0.0.0:443",
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::kit::width;

    #[test]
    fn special_ranges_are_not_public() {
        for ip in [
            [10, 0, 0, 1],
            [192, 168, 1, 1],
            [172, 16, 0, 1],
            [172, 31, 255, 254],
            [100, 64, 0, 1],
            [127, 0, 0, 1],
            [169, 254, 10, 10],
            [192, 0, 2, 7],
            [198, 51, 100, 7],
            [203, 0, 113, 7],
            [198, 18, 0, 1],
            [224, 0, 0, 1],
            [255, 255, 255, 255],
            [0, 1, 2, 3],
        ] {
            assert!(!is_public(ip), "{ip:?}");
        }
        for ip in [
            [8, 8, 8, 8],
            [172, 32, 0, 1],
            [185, 220, 101, 34],
            [100, 128, 0, 1],
            [1, 1, 1, 1],
        ] {
            assert!(is_public(ip), "{ip:?}");
        }
    }

    #[test]
    fn generated_addresses_are_valid_and_public() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..20_000 {
            let ip = public_ip(&mut rng);
            assert!(is_public(ip));
            let text = dotted(ip);
            let octets: Vec<u32> = text
                .split('.')
                .map(|o| o.parse().expect("number"))
                .collect();
            assert_eq!(octets.len(), 4);
            assert!(octets.iter().all(|&o| o <= 255));
            assert!(octets[3] != 0 && octets[3] != 255);
        }
    }

    #[test]
    fn rows_fit_their_layout() {
        let node = Node {
            id: "a3f9c1e2".into(),
            ip: [255, 255, 255, 254],
            country: "DE",
            os: "BusyBox 1.24 (IP camera) with a long suffix",
            arch: "armv7l",
            latency_ms: 274,
            status: "SYNCING",
            uptime_h: 2399,
            bandwidth: 939.9,
        };
        assert!(width(&node_row(&node, false)) + "SYNCING".len() <= 80);
        assert!(width(&node_row(&node, true)) + "SYNCING".len() <= 104);
        assert_eq!(
            width(&table_header(false)),
            width(&node_row(&node, false)) + "STATUS".len()
        );
    }
}
