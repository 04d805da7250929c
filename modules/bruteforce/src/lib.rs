//! A hashcat session against a file of unsalted hashes: the banner and
//! device list, the attack set-up, then the live status block (speed,
//! progress, temperatures) while cracked `hash:password` lines appear.
//!
//! Everything agrees with everything else: each cracked hash is the real
//! digest of its password (see `digest.rs`), the passwords fit the attack
//! (eight printable characters for `?a?a?a?a?a?a?a?a`), the speed is the
//! GPU model's benchmark for that hash mode, and progress is speed × time.

mod digest;

use std::time::Duration;

use plugin_api::kit::{LiveBlock, SimDate, data_lines, fit};
use plugin_api::{Host, Module, Options, RunResult, Stop};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

const HASH_MODES: &str = include_str!("../data/hash_modes.txt");
const DEVICES: &str = include_str!("../data/devices.txt");
const PASSWORDS: &str = include_str!("../data/passwords.txt");
const WORDLISTS: &str = include_str!("../data/wordlists.txt");
const RULES: &str = include_str!("../data/rules.txt");

/// hashcat's `?a`: every printable ASCII character.
const PRINTABLE: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
const PROMPT: &str = "[s]tatus [p]ause [b]ypass [c]heckpoint [f]inish [q]uit => ";

/// A hash mode line of `hash_modes.txt`.
#[derive(Debug, Clone)]
struct HashMode {
    number: &'static str,
    name: &'static str,
    algorithm: &'static str,
    /// Speed relative to MD5 on the same GPU.
    factor: f64,
    file: &'static str,
}

/// A GPU line of `devices.txt`.
#[derive(Debug, Clone)]
struct Device {
    name: &'static str,
    api: &'static str,
    memory_mb: u64,
    compute_units: u32,
    md5_mhs: f64,
    core_mhz: u32,
    mem_mhz: u32,
}

/// What candidates the session tries.
#[derive(Debug, Clone)]
enum Attack {
    /// `-a 3 ?a?a?a?a?a?a?a?a`: every printable string of one length.
    Mask { length: usize },
    /// `-a 0 wordlist -r rules`.
    Dictionary {
        wordlist: &'static str,
        words: u64,
        bytes: u64,
        rules: &'static str,
        rule_count: u64,
    },
}

impl Attack {
    fn keyspace(&self) -> f64 {
        match self {
            Attack::Mask { length } => 95f64.powi(*length as i32),
            Attack::Dictionary {
                words, rule_count, ..
            } => (*words * *rule_count) as f64,
        }
    }
}

/// A GPU's live readings, drifting towards their working point.
#[derive(Debug, Clone)]
struct Sensors {
    temp: f64,
    target_temp: f64,
    fan: f64,
    speed_hs: f64,
    runtime_ms: f64,
    accel: u32,
    loops: u32,
    threads: u32,
}

/// A cracked hash and when it falls.
#[derive(Debug, Clone)]
struct Crack {
    at_ms: u64,
    line: String,
}

/// hashcat's durations: the two largest units, `1 hour, 46 mins`.
fn duration_words(secs: u64) -> String {
    const UNITS: [(u64, &str, &str); 5] = [
        (31_536_000, "year", "years"),
        (86_400, "day", "days"),
        (3_600, "hour", "hours"),
        (60, "min", "mins"),
        (1, "sec", "secs"),
    ];
    if secs >= 10 * 31_536_000 {
        return "> 10 years".to_string();
    }
    let word = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    for (i, (size, one, many)) in UNITS.iter().enumerate() {
        if secs >= *size || *size == 1 {
            let first = word(secs / size, one, many);
            return match UNITS.get(i + 1) {
                Some((next, one, many)) => {
                    format!("{first}, {}", word((secs % size) / next, one, many))
                }
                None => first,
            };
        }
    }
    String::new()
}

/// A speed the way hashcat shows it: at most five integer digits.
fn speed_words(hs: f64) -> String {
    const UNITS: [&str; 6] = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s"];
    let mut value = hs;
    let mut unit = 0;
    while value > 99_999.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `123/4567 (2.69%)`
fn ratio(done: f64, total: f64) -> String {
    let pct = if total > 0.0 {
        done / total * 100.0
    } else {
        0.0
    };
    format!("{done:.0}/{total:.0} ({pct:.2}%)")
}

/// Prints one line, cut to the terminal width.
fn say(host: &Host, text: &str) {
    host.println(&fit(text, host.width()));
}

/// A rule-style mutation of a dictionary word, as best64 would produce.
fn mutate(word: &str, rng: &mut StdRng) -> String {
    match rng.random_range(0..6) {
        0 => word.to_string(),
        1 => {
            let mut c = word.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        }
        2 => format!("{word}{}", rng.random_range(0..100)),
        3 => format!("{word}!"),
        4 => format!("{word}{}", rng.random_range(1990..2026)),
        _ => word
            .chars()
            .map(|c| match c {
                'a' => '@',
                'o' => '0',
                'e' => '3',
                's' => '$',
                c => c,
            })
            .collect(),
    }
}

/// The cracking session.
pub struct Bruteforce {
    rng: StdRng,
    mode: HashMode,
    devices: Vec<Device>,
    sensors: Vec<Sensors>,
    attack: Attack,
    digests: u64,
    cracks: Vec<Crack>,
    session_ms: u64,
    date: SimDate,
    /// Candidates tried so far.
    progress: f64,
    recovered: usize,
}

impl Module for Bruteforce {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let modes: Vec<HashMode> = data_lines(HASH_MODES)
            .into_iter()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                (f.len() == 5).then(|| HashMode {
                    number: f[0],
                    name: f[1],
                    algorithm: f[2],
                    factor: f[3].parse().unwrap_or(1.0),
                    file: f[4],
                })
            })
            .collect();
        let devices: Vec<Device> = data_lines(DEVICES)
            .into_iter()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                (f.len() == 7).then(|| Device {
                    name: f[0],
                    api: f[1],
                    memory_mb: f[2].parse().unwrap_or(8192),
                    compute_units: f[3].parse().unwrap_or(40),
                    md5_mhs: f[4].parse().unwrap_or(20_000.0),
                    core_mhz: f[5].parse().unwrap_or(1800),
                    mem_mhz: f[6].parse().unwrap_or(7000),
                })
            })
            .collect();
        let mode = modes.choose(&mut rng).cloned().ok_or("no hash modes")?;
        let model = devices.choose(&mut rng).cloned().ok_or("no devices")?;
        let count = *[1, 1, 1, 2, 2, 4].choose(&mut rng).unwrap_or(&1);
        let devices = vec![model; count];
        let session_ms = rng.random_range(40_000..200_000);

        // Identical cards get identical kernel tuning from hashcat.
        let runtime_ms = rng.random_range(20.0..110.0);
        let accel = *[128, 256, 512, 1024].choose(&mut rng).unwrap_or(&512);
        let loops = *[256, 512, 1024].choose(&mut rng).unwrap_or(&512);
        let threads = *[64, 128, 256, 512].choose(&mut rng).unwrap_or(&256);
        let sensors: Vec<Sensors> = devices
            .iter()
            .map(|d| Sensors {
                temp: rng.random_range(38.0..50.0),
                target_temp: rng.random_range(60.0..79.0),
                fan: rng.random_range(28.0..40.0),
                speed_hs: d.md5_mhs * 1e6 * mode.factor * rng.random_range(0.96..1.02),
                runtime_ms: runtime_ms * rng.random_range(0.97..1.03),
                accel,
                loops,
                threads,
            })
            .collect();
        let total_speed: f64 = sensors.iter().map(|s| s.speed_hs).sum();

        // An attack that cannot finish within the session: hashcat would
        // otherwise say "Exhausted" after a few seconds.
        let mut attacks = vec![Attack::Mask { length: 8 }, Attack::Mask { length: 9 }];
        for wl in data_lines(WORDLISTS) {
            for rule in data_lines(RULES) {
                let w: Vec<&str> = wl.split('|').collect();
                let r: Vec<&str> = rule.split('|').collect();
                if let (Some(words), Some(bytes), Some(rule_count)) = (
                    w.get(1).and_then(|x| x.parse().ok()),
                    w.get(2).and_then(|x| x.parse().ok()),
                    r.get(1).and_then(|x| x.parse().ok()),
                ) {
                    attacks.push(Attack::Dictionary {
                        wordlist: w[0],
                        words,
                        bytes,
                        rules: r[0],
                        rule_count,
                    });
                }
            }
        }
        attacks.retain(|a| a.keyspace() / total_speed > 3.0 * session_ms as f64 / 1000.0);
        let attack = attacks
            .choose(&mut rng)
            .cloned()
            .unwrap_or(Attack::Mask { length: 10 });

        let digests = rng.random_range(300..25_000);
        let cracks = plan_cracks(&mut rng, &mode, &attack, session_ms, digests);
        Ok(Bruteforce {
            date: SimDate::from_seed(seed),
            rng,
            mode,
            devices,
            sensors,
            attack,
            digests,
            cracks,
            session_ms,
            progress: 0.0,
            recovered: 0,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.banner(host)?;
        self.crack(host)?;
        Ok(())
    }
}

/// Which passwords fall during the session and when: for a mask, only
/// passwords of the mask's length; for a dictionary, words and their rule
/// variants, the easy ones early.
fn plan_cracks(
    rng: &mut StdRng,
    mode: &HashMode,
    attack: &Attack,
    session_ms: u64,
    digests: u64,
) -> Vec<Crack> {
    let words = data_lines(PASSWORDS);
    let mut pool: Vec<String> = match attack {
        Attack::Mask { length } => words
            .iter()
            .filter(|w| w.len() == *length && w.is_ascii())
            .map(|w| w.to_string())
            .collect(),
        Attack::Dictionary { .. } => words.iter().map(|w| mutate(w, rng)).collect(),
    };
    pool.sort();
    pool.dedup();
    pool.shuffle(rng);
    let count = pool
        .len()
        .min(rng.random_range(8..70))
        .min(digests as usize);
    let mut cracks: Vec<Crack> = pool
        .into_iter()
        .take(count)
        .map(|password| {
            let u: f64 = rng.random();
            let shaped = match attack {
                Attack::Dictionary { .. } => u * u,
                Attack::Mask { .. } => u,
            };
            Crack {
                at_ms: 4000 + (shaped * session_ms.saturating_sub(6000) as f64) as u64,
                line: format!("{}:{password}", digest::digest(mode.algorithm, &password)),
            }
        })
        .collect();
    cracks.sort_by_key(|c| c.at_ms);
    cracks
}

impl Bruteforce {
    /// Waits a random time from `range` (milliseconds).
    fn wait(&mut self, host: &Host, range: std::ops::Range<u64>) -> Result<(), Stop> {
        host.sleep_ms(self.rng.random_range(range))
    }

    /// Start-up: version, backends and devices, the hash file, the attack.
    fn banner(&mut self, host: &Host) -> Result<(), Stop> {
        say(host, "hashcat (v6.2.6) starting");
        host.newline();
        self.wait(host, 800..2500)?;
        let device = self.devices[0].clone();
        let api_line = match device.api {
            "HIP" => "HIP API (HIP 6.1.40093-bd86f1708)".to_string(),
            _ => "CUDA API (CUDA 12.4)".to_string(),
        };
        say(host, &api_line);
        say(host, &"=".repeat(api_line.len().min(host.width())));
        for (i, d) in self.devices.iter().enumerate() {
            let free = d.memory_mb - self.rng.random_range(300..1400);
            say(
                host,
                &format!(
                    "* Device #{}: {}, {free}/{} MB, {}MCU",
                    i + 1,
                    d.name,
                    d.memory_mb,
                    d.compute_units
                ),
            );
        }
        host.newline();
        let platform = match device.api {
            "HIP" => {
                "OpenCL API (OpenCL 2.1 AMD-APP (3614.0)) - Platform #1 [Advanced Micro Devices, Inc.]"
            }
            _ => "OpenCL API (OpenCL 3.0 CUDA 12.4.131) - Platform #1 [NVIDIA Corporation]",
        };
        say(host, platform);
        say(host, &"=".repeat(platform.len().min(host.width())));
        let n = self.devices.len();
        for (i, d) in self.devices.iter().enumerate() {
            say(
                host,
                &format!("* Device #{}: {}, skipped", n + i + 1, d.name),
            );
        }
        host.newline();
        self.wait(host, 300..1200)?;

        say(host, "Minimum password length supported by kernel: 0");
        say(host, "Maximum password length supported by kernel: 256");
        host.newline();
        self.wait(host, 500..1500)?;
        let d = self.digests;
        say(
            host,
            &format!("Hashes: {d} digests; {d} unique digests, 1 unique salts"),
        );
        say(
            host,
            "Bitmaps: 16 bits, 65536 entries, 0x0000ffff mask, 262144 bytes, 5/13 rotates",
        );
        if matches!(self.attack, Attack::Dictionary { .. }) {
            say(host, "Rules: 1");
        }
        host.newline();
        say(host, "Optimizers applied:");
        for opt in [
            "Zero-Byte",
            "Early-Skip",
            "Not-Salted",
            "Not-Iterated",
            "Single-Salt",
            "Raw-Hash",
        ] {
            say(host, &format!("* {opt}"));
        }
        if matches!(self.attack, Attack::Mask { .. }) {
            say(host, "* Brute-Force");
        }
        host.newline();
        say(
            host,
            "ATTENTION! Pure (unoptimized) backend kernels selected.",
        );
        say(
            host,
            "Pure kernels can crack longer passwords, but drastically reduce performance.",
        );
        say(
            host,
            "If you want to switch to optimized kernels, append -O to your commandline.",
        );
        say(
            host,
            "See the above message to find out about the exact limits.",
        );
        host.newline();
        say(host, "Watchdog: Temperature abort trigger set to 90c");
        host.newline();
        self.wait(host, 1500..4000)?;
        let memory = self.rng.random_range(400..2400);
        say(
            host,
            &format!("Host memory required for this attack: {memory} MB"),
        );
        host.newline();
        if let Attack::Dictionary {
            wordlist,
            words,
            bytes,
            ..
        } = self.attack
        {
            self.wait(host, 800..3000)?;
            say(host, "Dictionary cache hit:");
            say(host, &format!("* Filename..: {wordlist}"));
            let extra = self.rng.random_range(0..9);
            say(host, &format!("* Passwords.: {}", words + extra));
            say(host, &format!("* Bytes.....: {bytes}"));
            say(host, &format!("* Keyspace..: {words}"));
            host.newline();
        }
        self.wait(host, 500..1500)?;
        Ok(())
    }

    /// Nudges every GPU's readings one tick (`dt` seconds) along.
    fn update_sensors(&mut self, dt: f64) {
        for s in &mut self.sensors {
            s.temp +=
                (s.target_temp - s.temp) * (dt / 25.0).min(1.0) + self.rng.random_range(-0.4..0.4);
            // The fan curve follows the temperature with a little wobble.
            let wanted = 30.0 + (s.temp - 45.0).max(0.0) * 1.5;
            s.fan =
                (s.fan + (wanted - s.fan) * (dt / 8.0).min(1.0) + self.rng.random_range(-0.5..0.5))
                    .clamp(25.0, 100.0);
            let nominal = s.speed_hs;
            self.progress += nominal * self.rng.random_range(0.97..1.03) * dt;
        }
    }

    /// The status block, as `s` (or --status) shows it.
    fn status_block(&mut self, host: &Host, status: &str) -> Vec<String> {
        let clock = host.clock();
        let elapsed = clock.as_secs();
        let total_speed: f64 = self.sensors.iter().map(|s| s.speed_hs).sum();
        let keyspace = self.attack.keyspace();
        let left = ((keyspace - self.progress).max(0.0) / total_speed) as u64;
        let mut lines = vec![
            "Session..........: hashcat".to_string(),
            format!("Status...........: {status}"),
            format!(
                "Hash.Mode........: {} ({})",
                self.mode.number, self.mode.name
            ),
            format!("Hash.Target......: {}", self.mode.file),
            format!(
                "Time.Started.....: {} ({})",
                self.date.ctime(Duration::ZERO),
                duration_words(elapsed)
            ),
            format!(
                "Time.Estimated...: {} ({})",
                self.date.ctime(clock + Duration::from_secs(left)),
                duration_words(left)
            ),
            "Kernel.Feature...: Pure Kernel".to_string(),
        ];
        let (restore_total, engine) = match &self.attack {
            Attack::Mask { length } => {
                lines.push(format!(
                    "Guess.Mask.......: {} [{length}]",
                    "?a".repeat(*length)
                ));
                lines.push("Guess.Queue......: 1/1 (100.00%)".to_string());
                (keyspace / 857_375.0, "Device Generator")
            }
            Attack::Dictionary {
                wordlist,
                rules,
                words,
                ..
            } => {
                lines.push(format!("Guess.Base.......: File ({wordlist})"));
                lines.push(format!("Guess.Mod........: Rules ({rules})"));
                lines.push("Guess.Queue......: 1/1 (100.00%)".to_string());
                (*words as f64, "Device Generator")
            }
        };
        for (i, s) in self.sensors.iter().enumerate() {
            lines.push(format!(
                "Speed.#{}.........: {} ({:.2}ms) @ Accel:{} Loops:{} Thr:{} Vec:1",
                i + 1,
                speed_words(s.speed_hs * self.rng.random_range(0.985..1.015)),
                s.runtime_ms * self.rng.random_range(0.97..1.03),
                s.accel,
                s.loops,
                s.threads
            ));
        }
        if self.sensors.len() > 1 {
            lines.push(format!("Speed.#*.........: {}", speed_words(total_speed)));
        }
        let rec = ratio(self.recovered as f64, self.digests as f64);
        lines.push(format!(
            "Recovered........: {rec} Digests (total), {rec} Digests (new)"
        ));
        lines.push(format!(
            "Progress.........: {}",
            ratio(self.progress, keyspace)
        ));
        lines.push(format!("Rejected.........: {}", ratio(0.0, self.progress)));
        let restore_done = self.progress / keyspace * restore_total;
        lines.push(format!(
            "Restore.Point....: {}",
            ratio(restore_done.floor(), restore_total)
        ));
        for i in 0..self.sensors.len() {
            let sub = match self.attack {
                Attack::Mask { .. } => "Salt:0 Amplifier:0-1 Iteration:0-1024".to_string(),
                Attack::Dictionary { .. } => {
                    let a = self.rng.random_range(0..60) * 64;
                    format!("Salt:0 Amplifier:{a}-{} Iteration:0-1", a + 64)
                }
            };
            lines.push(format!("Restore.Sub.#{}...: {sub}", i + 1));
        }
        lines.push(format!("Candidate.Engine.: {engine}"));
        for i in 0..self.sensors.len() {
            let (a, b) = (self.candidate(), self.candidate());
            lines.push(format!("Candidates.#{}....: {a} -> {b}", i + 1));
        }
        for (i, s) in self.sensors.iter().enumerate() {
            let d = &self.devices[i];
            lines.push(format!(
                "Hardware.Mon.#{}..: Temp: {:.0}c Fan: {:.0}% Util:{:>3}% Core:{}MHz Mem:{}MHz Bus:16",
                i + 1,
                s.temp,
                s.fan,
                if status == "Running" { 99 + (elapsed % 2) } else { 0 },
                d.core_mhz,
                d.mem_mhz
            ));
        }
        lines.push(String::new());
        lines
    }

    /// A candidate the GPU is trying right now.
    fn candidate(&mut self) -> String {
        match self.attack {
            Attack::Mask { length } => {
                let chars: Vec<char> = PRINTABLE.chars().collect();
                (0..length)
                    .map(|_| *chars.choose(&mut self.rng).unwrap_or(&'a'))
                    .collect()
            }
            Attack::Dictionary { .. } => {
                let words = data_lines(PASSWORDS);
                let w = words.choose(&mut self.rng).copied().unwrap_or("password");
                mutate(w, &mut self.rng)
            }
        }
    }

    /// The attack: a tick a second; cracked lines print as they fall, and
    /// the status block is redrawn under them (or, when output is not a
    /// terminal or too short, printed now and then).
    fn crack(&mut self, host: &Host) -> Result<(), Stop> {
        say(host, PROMPT.trim_end());
        host.newline();
        let mut live_block = LiveBlock::new();
        let mut last_print = 0u64;
        let mut next_crack = 0usize;
        let mut last_clock = host.clock().as_millis() as u64;
        loop {
            host.sleep_ms(1000)?;
            let now = host.clock().as_millis() as u64;
            self.update_sensors((now - last_clock) as f64 / 1000.0);
            last_clock = now;
            let mut fresh = Vec::new();
            while next_crack < self.cracks.len() && self.cracks[next_crack].at_ms <= now {
                fresh.push(self.cracks[next_crack].line.clone());
                next_crack += 1;
                self.recovered += 1;
            }
            let done = now >= self.session_ms;
            let status = if done { "Quit" } else { "Running" };
            let mut block = self.status_block(host, status);
            if !done {
                block.push(PROMPT.to_string());
            }
            let live = host.is_terminal() && host.height() > block.len() + 2;
            if live {
                // New cracked lines take the block's place; it moves down.
                live_block.print_above(host, |host| {
                    for line in &fresh {
                        host.println(&fit(line, host.width().saturating_sub(1)));
                    }
                });
                live_block.draw(host, &block);
            } else {
                // (A terminal made too short for the block ends it.)
                live_block.finish(host);
                for line in &fresh {
                    say(host, line);
                }
                if done || now - last_print >= 20_000 {
                    for line in &block {
                        say(host, line);
                    }
                    last_print = now;
                }
            }
            if done {
                live_block.finish(host);
                say(
                    host,
                    &format!("Started: {}", self.date.ctime(Duration::ZERO)),
                );
                say(host, &format!("Stopped: {}", self.date.ctime(host.clock())));
                return Ok(());
            }
        }
    }
}

plugin_api::export_module! {
    module: Bruteforce,
    name: "bruteforce",
    version: "0.1.0",
    description: "Crack a file of password hashes with hashcat on GPUs",
    signature: "hashcat -a 3 -w 3 --status hashes.txt ?a?a?a?a?a?a?a?a",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_hashcat() {
        assert_eq!(duration_words(42), "42 secs");
        assert_eq!(duration_words(61), "1 min, 1 sec");
        assert_eq!(duration_words(6372), "1 hour, 46 mins");
        assert_eq!(duration_words(90_000), "1 day, 1 hour");
        assert_eq!(duration_words(400 * 31_536_000), "> 10 years");
    }

    #[test]
    fn speeds_keep_five_digits() {
        assert_eq!(speed_words(98_765_400_000.0), "98765.4 MH/s");
        assert_eq!(speed_words(164_100_000_000.0), "164.1 GH/s");
        assert_eq!(speed_words(512.0), "512.0 H/s");
    }

    #[test]
    fn cracked_lines_carry_real_digests_of_the_right_length() {
        for (mode_line, seed) in data_lines(HASH_MODES).into_iter().zip(1..) {
            let f: Vec<&str> = mode_line.split('|').collect();
            let mode = HashMode {
                number: f[0],
                name: f[1],
                algorithm: f[2],
                factor: 1.0,
                file: f[4],
            };
            let mut rng = StdRng::seed_from_u64(seed);
            for attack in [
                Attack::Mask { length: 8 },
                Attack::Dictionary {
                    wordlist: "rockyou.txt",
                    words: 14_344_384,
                    bytes: 139_921_497,
                    rules: "best64.rule",
                    rule_count: 77,
                },
            ] {
                for crack in plan_cracks(&mut rng, &mode, &attack, 60_000, 5000) {
                    let (hash, password) = crack.line.split_once(':').expect("hash:password");
                    assert_eq!(hash.len(), digest::hex_len(mode.algorithm), "{}", mode.name);
                    assert_eq!(hash, digest::digest(mode.algorithm, password));
                    if let Attack::Mask { length } = attack {
                        assert_eq!(password.len(), length);
                    }
                    assert!(crack.at_ms < 60_000);
                }
            }
        }
    }
}
