//! A Linux machine booting on its console: the kernel ring buffer from
//! `Linux version ...` at 0.000000 through hardware detection, then
//! systemd's `[  OK  ]` unit lines, and finally the getty login prompt.
//!
//! Kernel timestamps are the simulated clock: every line waits until the
//! clock reaches its stamp (or is stamped with the clock when it is late),
//! so the numbers always agree with the pauses between lines.

use std::time::Duration;

use plugin_api::kit::{SimDate, data_lines, fit};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

const DISTROS: &str = include_str!("../data/distros.txt");
const MACHINES: &str = include_str!("../data/machines.txt");
const HOSTNAMES: &str = include_str!("../data/hostnames.txt");
const KERNEL_EARLY: &str = include_str!("../data/kernel_early.txt");
const KERNEL_BOOT: &str = include_str!("../data/kernel_boot.txt");
const KERNEL_LATE: &str = include_str!("../data/kernel_late.txt");
const SYSTEMD_UNITS: &str = include_str!("../data/systemd_units.txt");

const OK: Style = Style::fg(Color::Green).bold();
const FAILED: Style = Style::fg(Color::Red).bold();
const UNIT: Style = Style::plain().bold();
const STARS: Style = Style::fg(Color::Red).bold();

/// systemd's "start job is running" animation: three stars sweeping across.
const STAR_FRAMES: [&str; 14] = [
    "*     ", "**    ", "***   ", " ***  ", "  *** ", "   ***", "    **", "     *", "    **",
    "   ***", "  *** ", " ***  ", "***   ", "**    ",
];

/// A distribution's look: name, kernel, colour and login banner.
#[derive(Debug, Clone)]
struct Distro {
    id: &'static str,
    name: &'static str,
    kver: &'static str,
    kbuild: &'static str,
    color: Color,
    /// systemd 253+ prints `unit - description`; older ones only the description.
    unit_names: bool,
    banner: &'static str,
}

fn parse_distro(line: &'static str) -> Option<Distro> {
    let f: Vec<&str> = line.splitn(7, '|').collect();
    if f.len() != 7 {
        return None;
    }
    let color = match f[4] {
        "blue" => Color::Blue,
        "cyan" => Color::Cyan,
        _ => Color::Red,
    };
    Some(Distro {
        id: f[0],
        name: f[1],
        kver: f[2],
        kbuild: f[3],
        color,
        unit_names: f[5] == "yes",
        banner: f[6],
    })
}

/// The hardware being booted.
#[derive(Debug, Clone)]
struct Machine {
    vendor: &'static str,
    product: &'static str,
    bios: &'static str,
    bios_date: &'static str,
    cpu: &'static str,
    cpu_vendor: &'static str,
    threads: u32,
    mhz: f64,
    mem_gib: u64,
    disk: &'static str,
    tags: Vec<&'static str>,
}

fn parse_machine(line: &'static str) -> Option<Machine> {
    let f: Vec<&str> = line.split('|').collect();
    if f.len() != 11 {
        return None;
    }
    Some(Machine {
        vendor: f[0],
        product: f[1],
        bios: f[2],
        bios_date: f[3],
        cpu: f[4],
        cpu_vendor: f[5],
        threads: f[6].parse().ok()?,
        mhz: f[7].parse().ok()?,
        mem_gib: f[8].parse().ok()?,
        disk: f[9],
        tags: f[10].split_whitespace().collect(),
    })
}

impl Machine {
    /// Whether a data line tagged `tag` applies to this machine.
    fn has(&self, tag: &str) -> bool {
        tag == "all" || tag == self.cpu_vendor || self.tags.contains(&tag)
    }

    /// The root partition's block device.
    fn root_device(&self) -> &'static str {
        if self.has("nvme") {
            "nvme0n1p2"
        } else if self.has("virtio") {
            "vda1"
        } else {
            "sda2"
        }
    }
}

/// The kernel's `[    1.234567]` stamp for a time in microseconds.
fn stamp(us: u64) -> String {
    format!("[{:5}.{:06}]", us / 1_000_000, us % 1_000_000)
}

/// The stamp of the next kernel line: `delta` after the previous one, but
/// never before the clock (a line cannot be logged before it happens).
/// Stamps therefore never go backwards.
fn next_timestamp(prev_us: u64, delta_us: u64, clock_us: u64) -> u64 {
    (prev_us + delta_us).max(clock_us)
}

/// What systemd does with a unit, from `systemd_units.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Slice,
    Path,
    Automount,
    Target,
    Listen,
    Mount,
    Oneshot,
    Service,
    Timer,
    Device,
}

impl Kind {
    fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "slice" => Kind::Slice,
            "path" => Kind::Path,
            "automount" => Kind::Automount,
            "target" => Kind::Target,
            "listen" => Kind::Listen,
            "mount" => Kind::Mount,
            "oneshot" => Kind::Oneshot,
            "service" => Kind::Service,
            "timer" => Kind::Timer,
            "device" => Kind::Device,
            _ => return None,
        })
    }

    /// The verb of the "in progress" line, for units that have one.
    fn starting_verb(self) -> Option<&'static str> {
        match self {
            Kind::Mount => Some("Mounting"),
            Kind::Oneshot | Kind::Service => Some("Starting"),
            _ => None,
        }
    }

    /// The verb of the `[  OK  ]` line.
    fn done_verb(self) -> &'static str {
        match self {
            Kind::Slice => "Created slice",
            Kind::Path | Kind::Service | Kind::Timer => "Started",
            Kind::Automount => "Set up automount",
            Kind::Target => "Reached target",
            Kind::Listen => "Listening on",
            Kind::Mount => "Mounted",
            Kind::Oneshot => "Finished",
            Kind::Device => "Found device",
        }
    }
}

/// One unit line of `systemd_units.txt`.
#[derive(Debug, Clone)]
struct Unit {
    kind: Kind,
    name: String,
    description: String,
    ms: Option<u64>,
}

/// A unit that printed "Starting" and will print its OK line at `due_ms`.
#[derive(Debug, Clone)]
struct Pending {
    due_ms: u64,
    started_ms: u64,
    unit: Unit,
    fails: bool,
}

/// The boot.
pub struct Bootlog {
    rng: StdRng,
    distro: Distro,
    machine: Machine,
    hostname: &'static str,
    date: SimDate,
    root_uuid: String,
    efi_uuid: String,
    /// Stamp of the last kernel line, in microseconds.
    kernel_us: u64,
    /// How long the kernel part takes, in simulated milliseconds.
    kernel_ms: u64,
    /// Multiplies systemd's pauses: some machines boot slower.
    slowness: f64,
    late_lines: Vec<&'static str>,
}

impl Module for Bootlog {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let distros: Vec<Distro> = data_lines(DISTROS)
            .into_iter()
            .filter_map(parse_distro)
            .collect();
        let machines: Vec<Machine> = data_lines(MACHINES)
            .into_iter()
            .filter_map(parse_machine)
            .collect();
        let distro = distros
            .choose(&mut rng)
            .cloned()
            .ok_or("no distributions in the data")?;
        let machine = machines
            .choose(&mut rng)
            .cloned()
            .ok_or("no machines in the data")?;
        let hostname = data_lines(HOSTNAMES)
            .choose(&mut rng)
            .copied()
            .unwrap_or("localhost");
        let root_uuid = uuid(&mut rng);
        let efi_uuid = format!("{:04X}-{:04X}", rng.random::<u16>(), rng.random::<u16>());
        let late_lines = data_lines(KERNEL_LATE)
            .into_iter()
            .filter(|l| l.split_once('|').is_some_and(|(tag, _)| machine.has(tag)))
            .collect();
        Ok(Bootlog {
            date: SimDate::from_seed(seed),
            kernel_us: 0,
            kernel_ms: rng.random_range(3_000..10_000),
            slowness: rng.random_range(0.9..2.4),
            rng,
            distro,
            machine,
            hostname,
            root_uuid,
            efi_uuid,
            late_lines,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.kernel(host)?;
        self.systemd(host)?;
        self.login_prompt(host)?;
        Ok(())
    }
}

/// A random filesystem UUID.
fn uuid(rng: &mut StdRng) -> String {
    let b: [u8; 16] = rng.random();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl Bootlog {
    /// The kernel command line the boot loader passed.
    fn cmdline(&self) -> String {
        let root = format!("root=UUID={}", self.root_uuid);
        match self.distro.id {
            "arch" => format!("BOOT_IMAGE=/vmlinuz-linux {root} rw"),
            "fedora" => format!(
                "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-{} {root} ro",
                self.distro.kver
            ),
            _ => format!("BOOT_IMAGE=/boot/vmlinuz-{} {root} ro", self.distro.kver),
        }
    }

    /// Fills a data line's placeholders for the machine and the moment.
    fn fill(&self, text: &str, clock: Duration) -> String {
        let m = &self.machine;
        let mem_kb = m.mem_gib * 1024 * 1024;
        let top = 0x1_0000_0000u64 + m.mem_gib.saturating_sub(3) * (1 << 30) - 1;
        let bogomips = m.mhz * 2.0;
        let cpus: String = (1..m.threads)
            .map(|i| format!("{:>4}", format!("#{i}")))
            .collect();
        let when = self.date.datetime(clock);
        let (date, time) = when.split_once(' ').unwrap_or((&when, ""));
        let efi_escaped = self.efi_uuid.replace('-', "\\x2d");
        text.replace("{kver}", self.distro.kver)
            .replace("{kbuild}", self.distro.kbuild)
            .replace("{cmdline}", &self.cmdline())
            .replace("{cpu}", m.cpu)
            .replace("{ncpu}", &m.threads.to_string())
            .replace("{cpulist}", &cpus)
            .replace("{mhz}", &format!("{:.3}", m.mhz))
            .replace("{bogomips}", &format!("{bogomips:.2}"))
            .replace(
                "{bogototal}",
                &format!("{:.2}", bogomips * f64::from(m.threads)),
            )
            .replace("{lpj}", &format!("{}", (m.mhz * 1000.0) as u64))
            .replace("{memtotal}", &(mem_kb - 412_000).to_string())
            .replace("{memavail}", &(mem_kb - 1_010_000).to_string())
            .replace("{memtop}", &format!("0x{top:016x}"))
            .replace("{disk}", m.disk)
            .replace("{vendor}", m.vendor)
            .replace("{product}", m.product)
            .replace("{bios}", m.bios)
            .replace("{biosdate}", m.bios_date)
            .replace("{uuid}", &self.root_uuid)
            .replace("{rootdev}", m.root_device())
            .replace("{efiuuid}", &efi_escaped)
            .replace("{efiuuid2}", &self.efi_uuid)
            .replace("{host}", self.hostname)
            .replace("{rtcdate}", date)
            .replace("{rtctime}", time)
            .replace("{epoch}", &self.date.unix(clock).to_string())
    }

    /// Waits until the clock reaches the next stamp, then prints the line.
    fn kernel_line(&mut self, host: &Host, delta_us: u64, text: &str) -> Result<(), Stop> {
        // The clock only counts whole milliseconds; the kernel's stamps
        // have microseconds.
        let clock_us = host.clock().as_micros() as u64 + self.rng.random_range(0..1000);
        let target = next_timestamp(self.kernel_us, delta_us, clock_us);
        host.sleep_ms((target - clock_us) / 1000)?;
        self.kernel_us = target;
        let line = format!("{} {}", stamp(target), self.fill(text, host.clock()));
        host.println(&fit(&line, host.width()));
        host.check()
    }

    /// The ring buffer: the early lines all at 0.000000, then the rest with
    /// their typical gaps scaled to this boot's length.
    fn kernel(&mut self, host: &Host) -> Result<(), Stop> {
        for line in data_lines(KERNEL_EARLY) {
            if let Some((tag, text)) = line.split_once('|')
                && self.machine.has(tag)
            {
                self.kernel_line(host, 0, text)?;
            }
        }
        let lines: Vec<(u64, &str)> = data_lines(KERNEL_BOOT)
            .into_iter()
            .filter_map(|l| {
                let mut f = l.splitn(3, '|');
                let (tag, gap, text) = (f.next()?, f.next()?, f.next()?);
                self.machine.has(tag).then_some((gap.parse().ok()?, text))
            })
            .collect();
        let nominal: u64 = lines.iter().map(|(gap, _)| gap).sum();
        let scale = (self.kernel_ms * 1000) as f64 / nominal.max(1) as f64;
        for (gap, text) in lines {
            let delta = (gap as f64 * scale * self.rng.random_range(0.6..1.4)) as u64
                + self.rng.random_range(1..9);
            self.kernel_line(host, delta, text)?;
        }
        Ok(())
    }

    /// `[  OK  ] Started unit - Description.`, cut to the terminal width.
    fn status(&self, host: &Host, badge: (&str, Style), verb: &str, unit: &Unit) {
        let width = host.width();
        host.print("[");
        host.styled(badge.0, badge.1);
        host.print("] ");
        let mut used = badge.0.len() + 3;
        let verb_text = fit(&format!("{verb} "), width.saturating_sub(used));
        used += verb_text.chars().count();
        host.print(&verb_text);
        let rest = if self.distro.unit_names {
            let name = fit(&unit.name, width.saturating_sub(used));
            used += name.chars().count();
            host.styled(&name, UNIT);
            format!(" - {}.", unit.description)
        } else {
            format!("{}.", unit.description)
        };
        host.println(&fit(&rest, width.saturating_sub(used)));
    }

    /// `         Starting unit - Description...`
    fn starting(&self, host: &Host, verb: &str, unit: &Unit) {
        let width = host.width();
        let lead = fit(&format!("         {verb} "), width);
        let mut used = lead.chars().count();
        host.print(&lead);
        let rest = if self.distro.unit_names {
            let name = fit(&unit.name, width.saturating_sub(used));
            used += name.chars().count();
            host.styled(&name, UNIT);
            format!(" - {}...", unit.description)
        } else {
            format!("{}...", unit.description)
        };
        host.println(&fit(&rest, width.saturating_sub(used)));
    }

    /// Pauses between systemd lines, scaled by how slow this machine is.
    fn pause(&mut self, host: &Host, range: std::ops::Range<u64>) -> Result<(), Stop> {
        host.sleep_ms((self.rng.random_range(range) as f64 * self.slowness) as u64)
    }

    /// Now and then a kernel message lands between systemd's lines.
    fn maybe_kernel_message(&mut self, host: &Host) -> Result<(), Stop> {
        if !self.late_lines.is_empty() && self.rng.random_bool(0.18) {
            let line = self.late_lines.remove(0);
            let text = line.split_once('|').map_or(line, |(_, t)| t);
            let gap = self.rng.random_range(50..4000);
            self.kernel_line(host, gap, text)?;
        }
        Ok(())
    }

    /// The units this distribution starts, in order.
    fn units(&mut self) -> Vec<Unit> {
        let efi = self.efi_uuid.replace('-', "\\x2d");
        data_lines(SYSTEMD_UNITS)
            .into_iter()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                if f.len() < 4 || !(f[0] == "all" || f[0].split(',').any(|d| d == self.distro.id)) {
                    return None;
                }
                Some(Unit {
                    kind: Kind::parse(f[1])?,
                    name: f[2].replace("{efiuuid}", &efi),
                    description: f[3]
                        .replace("{efiuuid}", &efi)
                        .replace("{efiuuid2}", &self.efi_uuid)
                        .replace("{disk}", self.machine.disk),
                    ms: f.get(4).and_then(|m| m.parse().ok()),
                })
            })
            .collect()
    }

    /// systemd: the welcome line, then every unit, starting ones finishing
    /// later while others start; a target waits for everything before it.
    fn systemd(&mut self, host: &Host) -> Result<(), Stop> {
        self.pause(host, 300..1200)?;
        host.newline();
        host.print("Welcome to ");
        host.styled(self.distro.name, Style::fg(self.distro.color).bold());
        host.println("!");
        host.newline();
        self.pause(host, 200..700)?;

        let failing = if self.rng.random_bool(0.15) {
            [
                "docker.service",
                "NetworkManager-wait-online.service",
                "ModemManager.service",
            ]
            .choose(&mut self.rng)
            .copied()
        } else {
            None
        };
        let mut pending: Vec<Pending> = Vec::new();
        for unit in self.units() {
            self.finish_due(host, &mut pending)?;
            match unit.kind.starting_verb() {
                Some(verb) => {
                    self.starting(host, verb, &unit);
                    let now = host.clock().as_millis() as u64;
                    let ms = unit.ms.unwrap_or_else(|| self.rng.random_range(40..400));
                    let ms = (ms as f64 * self.slowness * self.rng.random_range(0.7..1.3)) as u64;
                    pending.push(Pending {
                        due_ms: now + ms,
                        started_ms: now,
                        fails: failing == Some(unit.name.as_str()),
                        unit,
                    });
                }
                None => {
                    if unit.kind == Kind::Target {
                        self.finish_all(host, &mut pending)?;
                    }
                    self.status(host, ("  OK  ", OK), unit.kind.done_verb(), &unit);
                }
            }
            self.maybe_kernel_message(host)?;
            self.pause(host, 20..260)?;
        }
        self.finish_all(host, &mut pending)
    }

    /// Prints the OK lines of units whose time has come.
    fn finish_due(&mut self, host: &Host, pending: &mut Vec<Pending>) -> Result<(), Stop> {
        let now = host.clock().as_millis() as u64;
        pending.sort_by_key(|p| p.due_ms);
        while pending.first().is_some_and(|p| p.due_ms <= now) {
            let p = pending.remove(0);
            self.done(host, &p);
        }
        Ok(())
    }

    /// Waits for every pending unit, showing systemd's start-job spinner
    /// when one keeps the boot waiting.
    fn finish_all(&mut self, host: &Host, pending: &mut Vec<Pending>) -> Result<(), Stop> {
        pending.sort_by_key(|p| p.due_ms);
        while !pending.is_empty() {
            let p = pending.remove(0);
            let now = host.clock().as_millis() as u64;
            if p.due_ms > p.started_ms + 4000 && host.is_terminal() {
                self.start_job(host, &p)?;
            } else if p.due_ms > now {
                host.sleep_ms(p.due_ms - now)?;
            }
            self.done(host, &p);
        }
        Ok(())
    }

    /// `[ ***  ] A start job is running for ... (7s / no limit)`, redrawn in
    /// place until the unit is done.
    fn start_job(&mut self, host: &Host, p: &Pending) -> Result<(), Stop> {
        // Oneshots wait forever by default; everything else for 90 s.
        let limit = if p.unit.kind == Kind::Oneshot {
            "no limit"
        } else {
            "1min 30s"
        };
        let mut frame = 0;
        loop {
            let now = host.clock().as_millis() as u64;
            if now >= p.due_ms {
                break;
            }
            // systemd only speaks up once a job has kept the boot waiting.
            if now < p.started_ms + 3000 {
                host.sleep_ms((p.started_ms + 3000 - now).min(p.due_ms - now).min(1000))?;
                continue;
            }
            let elapsed = (now - p.started_ms) / 1000;
            let text = fit(
                &format!(
                    " A start job is running for {} ({elapsed}s / {limit})",
                    p.unit.description
                ),
                host.width().saturating_sub(8),
            );
            host.erase_line();
            host.print("[");
            host.styled(STAR_FRAMES[frame % STAR_FRAMES.len()], STARS);
            host.print("]");
            host.print(&text);
            frame += 1;
            host.sleep_ms((p.due_ms - now).min(250))?;
        }
        if frame > 0 {
            host.erase_line();
        }
        Ok(())
    }

    /// The OK (or FAILED) line of a finished unit.
    fn done(&self, host: &Host, p: &Pending) {
        if p.fails {
            let verb = match p.unit.kind {
                Kind::Mount => "Failed to mount",
                _ => "Failed to start",
            };
            self.status(host, ("FAILED", FAILED), verb, &p.unit);
            let hint = format!("See 'systemctl status {}' for details.", p.unit.name);
            host.println(&fit(&hint, host.width()));
        } else {
            self.status(host, ("  OK  ", OK), p.unit.kind.done_verb(), &p.unit);
        }
    }

    /// agetty's banner and prompt; the machine then sits waiting for a user.
    fn login_prompt(&mut self, host: &Host) -> Result<(), Stop> {
        self.pause(host, 300..900)?;
        host.newline();
        for line in self.distro.banner.split("\\n") {
            host.println(&fit(&self.fill(line, host.clock()), host.width()));
        }
        host.newline();
        host.print(&fit(&format!("{} login: ", self.hostname), host.width()));
        host.sleep_ms(self.rng.random_range(3000..8000))?;
        host.newline();
        Ok(())
    }
}

plugin_api::export_module! {
    module: Bootlog,
    name: "bootlog",
    version: "0.1.0",
    description: "A Linux machine booting: kernel messages, systemd units, login prompt",
    signature: "qemu-system-x86_64 -nographic -serial mon:stdio ...",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_have_the_kernel_layout() {
        assert_eq!(stamp(0), "[    0.000000]");
        assert_eq!(stamp(1_234_567), "[    1.234567]");
        assert_eq!(stamp(75_000_001), "[   75.000001]");
    }

    #[test]
    fn timestamps_are_monotonic_and_follow_the_clock() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut prev = 0;
        let mut clock = 0;
        for _ in 0..10_000 {
            clock += rng.random_range(0..3000);
            let delta = rng.random_range(0..5000);
            let next = next_timestamp(prev, delta, clock);
            assert!(next >= prev, "went backwards");
            assert!(next >= clock, "stamped before it happened");
            assert!(next >= prev + delta);
            prev = next;
        }
    }

    #[test]
    fn data_files_parse() {
        assert!(
            data_lines(DISTROS)
                .into_iter()
                .all(|l| parse_distro(l).is_some())
        );
        assert!(
            data_lines(MACHINES)
                .into_iter()
                .all(|l| parse_machine(l).is_some())
        );
        for line in data_lines(KERNEL_BOOT) {
            let f: Vec<&str> = line.splitn(3, '|').collect();
            assert_eq!(f.len(), 3, "{line}");
            assert!(f[1].parse::<u64>().is_ok(), "{line}");
        }
        for line in data_lines(SYSTEMD_UNITS) {
            let f: Vec<&str> = line.split('|').collect();
            assert!(f.len() >= 4 && Kind::parse(f[1]).is_some(), "{line}");
        }
    }
}
