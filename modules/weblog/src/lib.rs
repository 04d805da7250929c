//! `weblog`: `tail -f` of a busy web server's access log in the combined
//! log format (nginx or Apache).
//!
//! Traffic comes in visits, the way a real log shows it: a browser loads a
//! page and then its styles, scripts and images within milliseconds; crawlers
//! walk a page at a time; scanners fire a burst of probes for WordPress and
//! leaked `.env` files; the load balancer checks health on a steady beat.
//! Timestamps come from the simulated clock.

use std::time::Duration;

use plugin_api::kit::{self, SimDate};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};

const USER_AGENTS: &str = include_str!("../data/user_agents.txt");
const BOTS: &str = include_str!("../data/bots.txt");
const SCANNERS: &str = include_str!("../data/scanners.txt");
const PROBES: &str = include_str!("../data/probes.txt");
const REFERRERS: &str = include_str!("../data/referrers.txt");
const SITES: &str = include_str!("../data/sites.txt");
const PAGES: &str = include_str!("../data/pages.txt");
const API: &str = include_str!("../data/api.txt");
const ASSETS: &str = include_str!("../data/assets.txt");
const WORDS: &str = include_str!("../data/words.txt");
const SLUGS: &str = include_str!("../data/slugs.txt");

/// Which server wrote the log: it decides small details of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// nginx `combined`: an empty body is logged as `0`.
    Nginx,
    /// nginx with `$request_time $upstream_response_time` appended, a common
    /// custom format.
    NginxTimed,
    /// Apache `combined`: an empty body is logged as `-`.
    Apache,
}

/// One request as it will appear in the log.
#[derive(Debug, Clone)]
struct Hit {
    /// Simulated milliseconds to wait before this line is written.
    gap_ms: u64,
    ip: String,
    user: String,
    method: &'static str,
    target: String,
    proto: &'static str,
    status: u16,
    bytes: u64,
    referer: String,
    agent: String,
    /// Seconds the request took, and whether it went to an upstream app.
    request_time: f64,
    upstream: bool,
}

/// A static file a page pulls in, with its usual size range.
#[derive(Debug, Clone)]
struct Asset {
    path: String,
    min_kib: u64,
    max_kib: u64,
}

/// Someone who came before and may come back (with a warm cache).
#[derive(Debug, Clone)]
struct Visitor {
    ip: String,
    agent: &'static str,
    last_page: String,
}

/// All the embedded lists, parsed once.
struct Data {
    agents: Vec<&'static str>,
    bots: Vec<&'static str>,
    scanners: Vec<&'static str>,
    probes: Vec<&'static str>,
    referrers: Vec<&'static str>,
    pages: Vec<&'static str>,
    api: Vec<(&'static str, &'static str)>,
    /// `(stack, file)`: which front-end build a file belongs to.
    assets: Vec<(&'static str, Asset)>,
    words: Vec<&'static str>,
    slugs: Vec<&'static str>,
}

impl Data {
    fn load() -> Self {
        Data {
            agents: kit::data_lines(USER_AGENTS),
            bots: kit::data_lines(BOTS),
            scanners: kit::data_lines(SCANNERS),
            probes: kit::data_lines(PROBES),
            referrers: kit::data_lines(REFERRERS),
            pages: kit::data_lines(PAGES),
            api: kit::data_lines(API)
                .into_iter()
                .filter_map(|l| l.split_once(' '))
                .collect(),
            assets: kit::data_lines(ASSETS)
                .into_iter()
                .filter_map(|l| {
                    let mut f = l.split('|');
                    let stack = f.next()?;
                    let asset = Asset {
                        path: f.next()?.to_owned(),
                        min_kib: f.next()?.parse().ok()?,
                        max_kib: f.next()?.parse().ok()?,
                    };
                    Some((stack, asset))
                })
                .collect(),
            words: kit::data_lines(WORDS),
            slugs: kit::data_lines(SLUGS),
        }
    }
}

pub struct Weblog {
    rng: StdRng,
    date: SimDate,
    /// The server's UTC offset in minutes, as `%z` prints it.
    utc_offset_min: i32,
    flavour: Flavour,
    site: &'static str,
    budget: Duration,
    data: Data,
    visitors: Vec<Visitor>,
    /// The site's build: the same hashed file names all session, loaded by
    /// every first visit.
    bundle: Vec<Asset>,
    /// Images, fonts and icons, filled in per request.
    extras: Vec<Asset>,
    /// Traffic intensity, wandering slowly: quiet spells and rushes.
    load: f64,
    /// Simulated time of the next load balancer health check.
    next_health_ms: u64,
    health_every_ms: u64,
    lb_ip: String,
}

impl Module for Weblog {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let flavour = match options.get("server").unwrap_or("any") {
            "nginx" => {
                if rng.random_bool(0.5) {
                    Flavour::Nginx
                } else {
                    Flavour::NginxTimed
                }
            }
            "apache" => Flavour::Apache,
            "any" => *[Flavour::Nginx, Flavour::NginxTimed, Flavour::Apache]
                .choose(&mut rng)
                .unwrap_or(&Flavour::Nginx),
            other => return Err(format!("option `server`: unknown server `{other}`")),
        };
        let data = Data::load();
        let sites = kit::data_lines(SITES);
        let site = *sites.choose(&mut rng).unwrap_or(&"www.example.com");
        let budget = Duration::from_secs(rng.random_range(25..=100) + rng.random_range(0..=140));
        let utc_offset_min = *[0, 0, 0, 60, 120, -300, -240, -420, 330, 540, 600]
            .choose(&mut rng)
            .unwrap_or(&0);
        let stacks = ["cra", "next", "rails", "vite", "wordpress", "bootstrap"];
        let stack = *stacks.choose(&mut rng).unwrap_or(&"vite");
        let extras: Vec<Asset> = data
            .assets
            .iter()
            .filter(|(s, _)| *s == "any")
            .map(|(_, a)| a.clone())
            .collect();
        let lb_ip = format!(
            "10.{}.{}.{}",
            rng.random_range(0..=255),
            rng.random_range(0..=255),
            rng.random_range(2..=254)
        );
        let mut weblog = Weblog {
            date: SimDate::from_seed(seed),
            utc_offset_min,
            flavour,
            site,
            budget,
            data,
            visitors: Vec::new(),
            bundle: Vec::new(),
            extras,
            load: 1.0,
            next_health_ms: rng.random_range(0..10_000),
            health_every_ms: *[5_000, 10_000, 15_000, 30_000]
                .choose(&mut rng)
                .unwrap_or(&10_000),
            lb_ip,
            rng,
        };
        weblog.build_site(stack);
        Ok(weblog)
    }

    fn run(&mut self, host: &Host) -> RunResult {
        while host.clock() < self.budget {
            let mut hits = self.next_visit(host.clock());
            if let Some(first) = hits.first_mut() {
                first.gap_ms += self.visit_gap_ms();
            }
            for hit in hits {
                host.sleep_ms(hit.gap_ms)?;
                let line = self.format(&hit, host.clock());
                kit::println_fit(host, &line, style_for(hit.status));
            }
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: Weblog,
    name: "weblog",
    version: env!("CARGO_PKG_VERSION"),
    description: "tail -f of a busy web server's access log",
    signature: "tail -f /var/log/nginx/access.log",
    options: [
        plugin_api::option::choice(c"server", c"which server's log format", c"any", c"any|nginx|apache"),
    ],
}

/// Real `tail` shows no colour; only server errors get a faint red so that
/// an eye scanning the stream catches them, as log viewers do.
fn style_for(status: u16) -> Style {
    if status >= 500 {
        Style::fg(Color::Red)
    } else {
        Style::plain()
    }
}

impl Weblog {
    /// Fix the site's build for the session: `stack`'s files with their
    /// content hashes filled in once.
    fn build_site(&mut self, stack: &str) {
        let templates: Vec<Asset> = self
            .data
            .assets
            .iter()
            .filter(|(s, _)| *s == stack)
            .map(|(_, a)| a.clone())
            .collect();
        // One build, one size per file: every download of it weighs the same.
        self.bundle = templates
            .into_iter()
            .map(|a| {
                let kib = self.rng.random_range(a.min_kib..=a.max_kib);
                Asset {
                    path: self.fill(&a.path),
                    min_kib: kib,
                    max_kib: kib,
                }
            })
            .collect();
    }

    /// How long until the next visit starts: traffic drifts between quiet
    /// spells and rushes.
    fn visit_gap_ms(&mut self) -> u64 {
        self.load = (self.load * self.rng.random_range(0.8..1.25)).clamp(0.25, 4.0);
        let mean = 1400.0 / self.load;
        // Exponential gaps make arrivals look random, with natural clumps.
        let u: f64 = self.rng.random_range(0.001..1.0);
        ((-u.ln() * mean) as u64).clamp(15, 6000)
    }

    /// The requests of one visit, each with its delay after the previous.
    fn next_visit(&mut self, clock: Duration) -> Vec<Hit> {
        let now_ms = clock.as_millis() as u64;
        if now_ms >= self.next_health_ms {
            self.next_health_ms = now_ms + self.health_every_ms;
            return vec![self.health_check()];
        }
        match self.rng.random_range(0..100) {
            0..=61 => self.browser_visit(),
            62..=77 => vec![self.crawler_hit()],
            78..=83 => self.scanner_burst(),
            _ => self.app_calls(),
        }
    }

    /// A person loads a page, then its assets and API calls follow.
    fn browser_visit(&mut self) -> Vec<Hit> {
        let returning = !self.visitors.is_empty() && self.rng.random_bool(0.4);
        let mut visitor = if returning {
            let i = self.rng.random_range(0..self.visitors.len());
            self.visitors[i].clone()
        } else {
            Visitor {
                ip: self.client_ip(),
                agent: self.data.agents.choose(&mut self.rng).unwrap_or(&"-"),
                last_page: String::new(),
            }
        };
        let template = *self.data.pages.choose(&mut self.rng).unwrap_or(&"/");
        let page = self.fill(template);
        let referer = if returning && !visitor.last_page.is_empty() && self.rng.random_bool(0.7) {
            self.url(&visitor.last_page)
        } else if self.rng.random_bool(0.55) {
            (*self.data.referrers.choose(&mut self.rng).unwrap_or(&"-")).to_owned()
        } else {
            "-".to_owned()
        };
        let proto = if self.rng.random_bool(0.7) {
            "HTTP/2.0"
        } else {
            "HTTP/1.1"
        };
        let (status, bytes) = self.page_outcome(&page);
        let mut hits = vec![Hit {
            gap_ms: 0,
            ip: visitor.ip.clone(),
            user: "-".to_owned(),
            method: "GET",
            target: page.clone(),
            proto,
            status,
            bytes,
            referer,
            agent: visitor.agent.to_owned(),
            request_time: self.app_time(status),
            upstream: true,
        }];
        let page_url = self.url(&page);
        if status == 200 {
            // A first visit loads the whole build; a warm cache revalidates
            // a little of it. Images and fonts vary by page.
            let mut files = Vec::new();
            for file in self.bundle.clone() {
                if !returning || self.rng.random_bool(0.25) {
                    files.push(file);
                }
            }
            let extras = if returning {
                self.rng.random_range(0..3)
            } else {
                self.rng.random_range(2..8)
            };
            for _ in 0..extras {
                let Some(extra) = self.extras.choose(&mut self.rng).cloned() else {
                    break;
                };
                files.push(Asset {
                    path: self.fill(&extra.path),
                    ..extra
                });
            }
            for file in files {
                let hit = self.asset_hit(&visitor, proto, &page_url, returning, file);
                hits.push(hit);
            }
            for _ in 0..self.rng.random_range(0..4) {
                let hit = self.api_hit(&visitor.ip, visitor.agent, proto, &page_url);
                hits.push(hit);
            }
        }
        visitor.last_page = page;
        if returning {
            if let Some(v) = self.visitors.iter_mut().find(|v| v.ip == visitor.ip) {
                *v = visitor;
            }
        } else {
            if self.visitors.len() >= 40 {
                self.visitors.remove(0);
            }
            self.visitors.push(visitor);
        }
        hits
    }

    /// A static file requested right after its page; warm caches get 304.
    fn asset_hit(
        &mut self,
        visitor: &Visitor,
        proto: &'static str,
        page_url: &str,
        warm: bool,
        asset: Asset,
    ) -> Hit {
        let (status, bytes) = if warm && self.rng.random_bool(0.8) {
            (304, 0)
        } else if self.rng.random_bool(0.01) {
            (404, 153)
        } else {
            let kib = self.rng.random_range(asset.min_kib..=asset.max_kib);
            (200, kib * 1024 + kit::stable_hash(&asset.path) % 1024)
        };
        Hit {
            gap_ms: self.rng.random_range(2..120),
            ip: visitor.ip.clone(),
            user: "-".to_owned(),
            method: "GET",
            target: asset.path,
            proto,
            status,
            bytes,
            referer: page_url.to_owned(),
            agent: visitor.agent.to_owned(),
            request_time: self.rng.random_range(0.0..0.004),
            upstream: false,
        }
    }

    /// An XHR or API call from a page.
    fn api_hit(&mut self, ip: &str, agent: &str, proto: &'static str, referer: &str) -> Hit {
        let (method, path) = *self
            .data
            .api
            .choose(&mut self.rng)
            .unwrap_or(&("GET", "/api/v1/me"));
        let target = self.fill(path);
        let roll = self.rng.random_range(0..1000);
        let (status, bytes) = match (method, roll) {
            (_, 0..=4) => (500, self.rng.random_range(60..400)),
            (_, 5..=9) => (502, 157),
            (_, 10..=39) => (401, self.rng.random_range(40..90)),
            (_, 40..=49) => (429, self.rng.random_range(50..120)),
            ("POST", 50..=99) => (422, self.rng.random_range(80..400)),
            ("OPTIONS", _) => (204, 0),
            ("DELETE", _) => (204, 0),
            ("POST", 100..=400) => (201, self.rng.random_range(120..2000)),
            _ => (200, self.rng.random_range(60..24_000)),
        };
        Hit {
            gap_ms: self.rng.random_range(40..900),
            ip: ip.to_owned(),
            user: "-".to_owned(),
            method,
            target,
            proto,
            status,
            bytes,
            referer: referer.to_owned(),
            agent: agent.to_owned(),
            request_time: self.app_time(status),
            upstream: true,
        }
    }

    /// A search engine or link previewer fetching one page.
    fn crawler_hit(&mut self) -> Hit {
        let agent = *self.data.bots.choose(&mut self.rng).unwrap_or(&"-");
        let ip = if agent.contains("Googlebot") {
            format!(
                "66.249.{}.{}",
                self.rng.random_range(64..80),
                self.rng.random_range(1..255)
            )
        } else if agent.contains("bingbot") {
            let prefix = *["157.55.39", "40.77.167", "207.46.13", "52.167.144"]
                .choose(&mut self.rng)
                .unwrap_or(&"157.55.39");
            format!("{prefix}.{}", self.rng.random_range(1..255))
        } else {
            self.client_ip()
        };
        let page = if self.rng.random_bool(0.12) {
            (*["/robots.txt", "/sitemap.xml", "/feed.xml"]
                .choose(&mut self.rng)
                .unwrap_or(&"/robots.txt"))
            .to_owned()
        } else {
            let template = *self.data.pages.choose(&mut self.rng).unwrap_or(&"/");
            self.fill(template)
        };
        let (status, bytes) = self.page_outcome(&page);
        let method = if agent.contains("UptimeRobot") || agent.contains("Pingdom") {
            "HEAD"
        } else {
            "GET"
        };
        Hit {
            gap_ms: 0,
            ip,
            user: "-".to_owned(),
            method,
            target: page,
            proto: "HTTP/1.1",
            status,
            bytes: if method == "HEAD" { 0 } else { bytes },
            referer: "-".to_owned(),
            agent: agent.to_owned(),
            request_time: self.app_time(status),
            upstream: true,
        }
    }

    /// One address trying the usual suspects in quick succession.
    fn scanner_burst(&mut self) -> Vec<Hit> {
        let ip = self.client_ip();
        let agent = *self.data.scanners.choose(&mut self.rng).unwrap_or(&"-");
        let count = self.rng.random_range(3..14);
        let mut hits = Vec::new();
        for _ in 0..count {
            let target = (*self.data.probes.choose(&mut self.rng).unwrap_or(&"/.env")).to_owned();
            let roll = self.rng.random_range(0..100);
            let (status, bytes) = if target.contains("/bin/sh") || target.contains("\\think") {
                (400, 157)
            } else if target.starts_with("/.") && roll < 70 {
                (403, 153)
            } else if target.starts_with("/wp-admin") && roll < 50 {
                (301, 162)
            } else if roll < 3 {
                (200, self.rng.random_range(200..4000))
            } else {
                (404, *[153, 555, 146].choose(&mut self.rng).unwrap_or(&153))
            };
            let method = if target == "/xmlrpc.php" && roll < 60 {
                "POST"
            } else {
                "GET"
            };
            hits.push(Hit {
                gap_ms: self.rng.random_range(20..450),
                ip: ip.clone(),
                user: "-".to_owned(),
                method,
                target,
                proto: if self.rng.random_bool(0.3) {
                    "HTTP/1.0"
                } else {
                    "HTTP/1.1"
                },
                status,
                bytes,
                referer: "-".to_owned(),
                agent: agent.to_owned(),
                request_time: self.rng.random_range(0.0..0.003),
                upstream: false,
            });
        }
        if let Some(first) = hits.first_mut() {
            first.gap_ms = 0;
        }
        hits
    }

    /// The mobile app and integrations talking to the API directly:
    /// webhooks from payment and code hosts, the app's own API calls.
    fn app_calls(&mut self) -> Vec<Hit> {
        let agent = *[
            "okhttp/4.12.0",
            "okhttp/4.9.3",
            "Dalvik/2.1.0 (Linux; U; Android 14; SM-S921B Build/UP1A.231005.007)",
            "ShopApp/5.2.1 (iPhone; iOS 18.4; Scale/3.00)",
            "ShopApp/5.1.9 (com.shop.android; build:5190; Android 14) okhttp/4.12.0",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "GitHub-Hookshot/8c2a4b1",
            "axios/1.8.4",
            "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
            "Apache-HttpClient/4.5.14 (Java/17.0.12)",
        ]
        .choose(&mut self.rng)
        .unwrap_or(&"okhttp/4.12.0");
        let ip = self.client_ip();
        let webhook = if agent.starts_with("Stripe") {
            Some("/api/v2/webhooks/stripe")
        } else if agent.starts_with("GitHub") {
            Some("/api/v2/webhooks/github")
        } else {
            None
        };
        if let Some(path) = webhook {
            let mut hit = self.api_hit(&ip, agent, "HTTP/1.1", "-");
            hit.method = "POST";
            hit.target = path.to_owned();
            (hit.status, hit.bytes) = if self.rng.random_bool(0.97) {
                (200, 2)
            } else {
                (400, 31)
            };
            return vec![hit];
        }
        let count = self.rng.random_range(1..5);
        let mut hits = Vec::new();
        for _ in 0..count {
            let mut hit = self.api_hit(&ip, agent, "HTTP/1.1", "-");
            if !hit.target.starts_with("/api/") {
                hit.method = "GET";
                hit.target = format!("/api/v1/products/{}", self.rng.random_range(1..250_000));
            }
            hits.push(hit);
        }
        hits
    }

    /// The load balancer's probe, on a steady beat.
    fn health_check(&mut self) -> Hit {
        let agent = *[
            "ELB-HealthChecker/2.0",
            "kube-probe/1.31",
            "GoogleHC/1.0",
            "Consul Health Check",
        ]
        .choose(&mut self.rng)
        .unwrap_or(&"ELB-HealthChecker/2.0");
        Hit {
            gap_ms: 0,
            ip: self.lb_ip.clone(),
            user: "-".to_owned(),
            method: "GET",
            target: "/healthz".to_owned(),
            proto: "HTTP/1.1",
            status: 200,
            bytes: 2,
            referer: "-".to_owned(),
            agent: agent.to_owned(),
            request_time: self.rng.random_range(0.001..0.006),
            upstream: true,
        }
    }

    /// Status and body size for a page, with a realistic spread.
    fn page_outcome(&mut self, page: &str) -> (u16, u64) {
        if page == "/robots.txt" {
            return (200, self.rng.random_range(60..400));
        }
        if page == "/logout" {
            return (302, 0);
        }
        match self.rng.random_range(0..1000) {
            0..=3 => (500, self.rng.random_range(1200..2600)),
            4..=5 => (502, 157),
            6 => (504, 167),
            7..=9 => (499, 0),
            10..=39 => (404, self.rng.random_range(3_000..12_000)),
            40..=69 => (301, 162),
            70..=89 => (302, 0),
            90..=139 => (304, 0),
            _ => (200, self.rng.random_range(4_500..80_000)),
        }
    }

    /// Seconds the application took for a response with `status`.
    fn app_time(&mut self, status: u16) -> f64 {
        match status {
            500..=503 => self.rng.random_range(0.2..3.0),
            504 => 60.0,
            301 | 304 => self.rng.random_range(0.0..0.004),
            _ => self.rng.random_range(0.008..0.45),
        }
    }

    /// A public client address: IPv4 with valid octets outside private and
    /// reserved ranges, or now and then IPv6.
    fn client_ip(&mut self) -> String {
        if self.rng.random_bool(0.12) {
            let prefix = *[
                "2a02:8109",
                "2a01:cb00",
                "2001:16b8",
                "2600:1700",
                "2607:fb90",
                "2409:40c0",
                "2a00:23c7",
            ]
            .choose(&mut self.rng)
            .unwrap_or(&"2a02:8109");
            let groups: Vec<String> = (0..6)
                .map(|_| format!("{:x}", self.rng.random_range(0..=0xffffu32)))
                .collect();
            return format!("{prefix}:{}", groups.join(":"));
        }
        let first = loop {
            let o = self.rng.random_range(1..=223u8);
            if ![10, 100, 127, 169, 172, 192, 198].contains(&o) {
                break o;
            }
        };
        format!(
            "{first}.{}.{}.{}",
            self.rng.random_range(0..=255u8),
            self.rng.random_range(0..=255u8),
            self.rng.random_range(1..=254u8)
        )
    }

    /// Replace `{id}`, `{slug}`, `{word}`, `{page}`, `{uuid}`, `{token}` and
    /// `{hash}` in a path template.
    fn fill(&mut self, template: &str) -> String {
        kit::fill(template, |key| {
            Some(match key {
                "id" => self.rng.random_range(1..250_000u32).to_string(),
                "page" => self.rng.random_range(2..40u32).to_string(),
                "slug" => (*self
                    .data
                    .slugs
                    .choose(&mut self.rng)
                    .unwrap_or(&"hello-world"))
                .to_owned(),
                "word" => (*self.data.words.choose(&mut self.rng).unwrap_or(&"sale")).to_owned(),
                "uuid" => format!(
                    "{}-{}-4{}-{}-{}",
                    kit::hex_digits(8, || self.rng.random_range(0..16)),
                    kit::hex_digits(4, || self.rng.random_range(0..16)),
                    kit::hex_digits(3, || self.rng.random_range(0..16)),
                    kit::hex_digits(4, || self.rng.random_range(0..16)),
                    kit::hex_digits(12, || self.rng.random_range(0..16))
                ),
                "token" => kit::hex_digits(32, || self.rng.random_range(0..16)),
                "hash" => kit::hex_digits(8, || self.rng.random_range(0..16)),
                _ => String::new(),
            })
        })
    }

    fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.site)
    }

    /// The log line for `hit`, written at simulated time `clock`.
    fn format(&self, hit: &Hit, clock: Duration) -> String {
        let when = self.date.clf(clock, self.utc_offset_min);
        format_hit(hit, &when, self.flavour)
    }
}

/// A combined-log-format line.
fn format_hit(hit: &Hit, when: &str, flavour: Flavour) -> String {
    let bytes = if hit.bytes == 0 && flavour == Flavour::Apache {
        "-".to_owned()
    } else {
        hit.bytes.to_string()
    };
    let mut line = format!(
        "{} - {} [{when}] \"{} {} {}\" {} {bytes} \"{}\" \"{}\"",
        hit.ip, hit.user, hit.method, hit.target, hit.proto, hit.status, hit.referer, hit.agent
    );
    if flavour == Flavour::NginxTimed {
        let upstream = if hit.upstream {
            format!("{:.3}", (hit.request_time - 0.001).max(0.0))
        } else {
            "-".to_owned()
        };
        line.push_str(&format!(" {:.3} {upstream}", hit.request_time));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(seed: u64) -> Weblog {
        // `init` needs a host; tests build the module by hand instead.
        let mut rng = StdRng::seed_from_u64(seed);
        Weblog {
            date: SimDate::from_seed(seed),
            utc_offset_min: 60,
            flavour: Flavour::NginxTimed,
            site: "www.example.com",
            budget: Duration::from_secs(60),
            data: Data::load(),
            visitors: Vec::new(),
            bundle: Vec::new(),
            extras: Data::load()
                .assets
                .into_iter()
                .filter(|(s, _)| *s == "any")
                .map(|(_, a)| a)
                .collect(),
            load: 1.0,
            next_health_ms: 0,
            health_every_ms: 10_000,
            lb_ip: format!("10.0.{}.{}", rng.random_range(0..=255), 7),
            rng,
        }
    }

    fn hits(seed: u64, n: usize) -> Vec<Hit> {
        let mut m = module(seed);
        m.build_site("next");
        let mut out = Vec::new();
        let mut clock = 0;
        while out.len() < n {
            for hit in m.next_visit(Duration::from_millis(clock)) {
                clock += hit.gap_ms + 300;
                out.push(hit);
            }
        }
        out
    }

    #[test]
    fn client_addresses_are_valid() {
        for hit in hits(1, 5000) {
            if hit.ip.contains(':') {
                let groups: Vec<&str> = hit.ip.split(':').collect();
                assert_eq!(groups.len(), 8, "{}", hit.ip);
                assert!(
                    groups.iter().all(|g| !g.is_empty()
                        && g.len() <= 4
                        && u16::from_str_radix(g, 16).is_ok())
                );
                continue;
            }
            let octets: Vec<u32> = hit.ip.split('.').map(|o| o.parse().unwrap()).collect();
            assert_eq!(octets.len(), 4, "{}", hit.ip);
            assert!(octets.iter().all(|&o| o <= 255), "{}", hit.ip);
            assert!((1..=254).contains(&octets[3]), "{}", hit.ip);
            assert!(
                octets[0] != 0 && octets[0] < 224 && octets[0] != 127,
                "{}",
                hit.ip
            );
            if octets[0] == 10 {
                assert_eq!(
                    hit.target, "/healthz",
                    "private addresses are the load balancer only"
                );
            }
        }
    }

    #[test]
    fn status_codes_have_a_realistic_spread() {
        let all = hits(2, 20_000);
        let share = |f: &dyn Fn(u16) -> bool| {
            all.iter().filter(|h| f(h.status)).count() as f64 / all.len() as f64
        };
        assert!(share(&|s| (200..300).contains(&s)) > 0.6);
        assert!(share(&|s| (300..400).contains(&s)) > 0.05);
        let not_found = share(&|s| s == 404);
        assert!(not_found > 0.01 && not_found < 0.2, "{not_found}");
        assert!(share(&|s| s >= 500) < 0.02);
        assert!(all.iter().all(|h| h.status != 304 || h.bytes == 0));
    }

    #[test]
    fn lines_follow_the_combined_format() {
        for hit in hits(3, 500) {
            let line = format_hit(&hit, "14/Mar/2026:09:21:33 +0100", Flavour::Nginx);
            assert!(
                line.starts_with(&format!("{} - - [14/Mar/2026:09:21:33 +0100] \"", hit.ip)),
                "{line}"
            );
            assert!(
                !line.contains('{') && !line.contains('}'),
                "unfilled template: {line}"
            );
            assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        }
        let apache = Hit {
            bytes: 0,
            status: 304,
            ..hits(4, 1)[0].clone()
        };
        assert!(format_hit(&apache, "x", Flavour::Apache).contains(" 304 - \""));
    }

    #[test]
    fn lines_carry_the_local_clf_date() {
        // The calendar itself is kit's (`SimDate::clf`, tested there).
        let m = module(9);
        let hit = hits(9, 1)[0].clone();
        let clock = Duration::from_secs(3 * 3600 + 7);
        let line = m.format(&hit, clock);
        let date = SimDate::from_seed(9).clf(clock, 60);
        assert!(line.contains(&format!(" [{date}] ")), "{line}");
        assert!(date.ends_with(" +0100"), "{date}");
    }

    #[test]
    fn same_seed_same_traffic() {
        let a: Vec<String> = hits(7, 300)
            .iter()
            .map(|h| format_hit(h, "t", Flavour::Nginx))
            .collect();
        let b: Vec<String> = hits(7, 300)
            .iter()
            .map(|h| format_hit(h, "t", Flavour::Nginx))
            .collect();
        assert_eq!(a, b);
    }
}
