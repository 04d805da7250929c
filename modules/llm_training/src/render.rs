//! Drawing: styled lines cut to the terminal, tqdm bars, the GPU grid and
//! NCCL's log prefix. The grid and the line builders are pure (they return
//! text and styles), so tests can measure them; [`say`] prints a line (the
//! in-place status block is the kit's `LiveBlock`).

use plugin_api::kit::{fit, fit_spans, println_spans, width};
use plugin_api::{Color, Host, Style};

use crate::config::Plan;
use crate::format;
use crate::sim::{GpuState, Health};

/// A piece of a line and its style.
pub type Seg = (String, Style);
/// A line made of styled pieces.
pub type Line = Vec<Seg>;

pub const PLAIN: Style = Style::plain();
pub const DIM: Style = Style::plain().dim();
pub const BOLD: Style = Style::plain().bold();
pub const INFO: Style = Style::fg(Color::Cyan);
pub const GOOD: Style = Style::fg(Color::Green);
pub const WARN: Style = Style::fg(Color::Yellow);
pub const BAD: Style = Style::fg(Color::Red);

/// A one-piece line.
pub fn plain(text: impl Into<String>) -> Line {
    vec![(text.into(), PLAIN)]
}

/// A one-piece line in `style`.
pub fn styled(text: impl Into<String>, style: Style) -> Line {
    vec![(text.into(), style)]
}

/// Display width of a line.
pub fn line_width(line: &Line) -> usize {
    line.iter().map(|(t, _)| width(t)).sum()
}

/// `line` as borrowed spans, for the kit's span helpers.
fn spans(line: &Line) -> Vec<(&str, Style)> {
    line.iter().map(|(t, s)| (t.as_str(), *s)).collect()
}

/// The widest line the module lays out: one cell short of the terminal, so
/// that no terminal wraps it (but never under 20 cells, below which the
/// layouts give up; what is printed is still cut to the terminal).
pub fn max_width(host: &Host) -> usize {
    host.width().saturating_sub(1).max(20)
}

/// Print one line, cut to the terminal.
pub fn say(host: &Host, line: Line) {
    println_spans(host, &spans(&line));
}

/// Where a bar stands: items done of the total, seconds spent, seconds
/// left and seconds per item (unknown before the first item).
pub struct Progress {
    pub n: u64,
    pub total: u64,
    pub elapsed_s: f64,
    pub eta_s: Option<f64>,
    pub per_item_s: Option<f64>,
}

/// A tqdm line: `desc  37%|█████      | 296/800 [02:04<03:31,  2.38it/s]`,
/// the bar as wide as the terminal allows (within 10..=60 cells).
pub fn tqdm(host: &Host, desc: &str, p: &Progress, style: Style) -> Line {
    let frac = if p.total == 0 {
        1.0
    } else {
        p.n as f64 / p.total as f64
    };
    let left = format!("{desc}{:>3}%|", format::percent(p.n, p.total));
    let eta = p.eta_s.map_or("?".to_owned(), format::tqdm_time);
    let rate = p.per_item_s.map_or("?it/s".to_owned(), format::rate);
    let right = format!(
        "| {}/{} [{}<{eta}, {rate}]",
        p.n,
        p.total,
        format::tqdm_time(p.elapsed_s)
    );
    let room = max_width(host).saturating_sub(width(&left) + width(&right));
    let bar = host.progress_bar(frac, room.clamp(10, 60));
    vec![(left, style), (bar, GOOD), (right, PLAIN)]
}

/// `parts` packed greedily into lines no wider than `max`, joined by ` | `.
pub fn pack(parts: &[Seg], first_prefix: Line, max: usize, indent: usize) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut line = first_prefix;
    let mut fresh = line_width(&line) == 0;
    for (text, style) in parts {
        let sep = if fresh { "" } else { " | " };
        if !fresh && line_width(&line) + sep.len() + width(text) > max {
            lines.push(line);
            line = vec![(" ".repeat(indent), PLAIN)];
            fresh = true;
        }
        if !fresh {
            line.push((" | ".to_owned(), DIM));
        }
        line.push((text.clone(), *style));
        fresh = false;
    }
    lines.push(line);
    lines
}

/// The style of a GPU's cell.
pub fn health_style(h: Health) -> Style {
    match h {
        Health::Ok => GOOD,
        Health::Warm => WARN,
        Health::Throttled => BAD.bold(),
    }
}

/// The character that stands in for a health colour when colour is off.
pub fn health_marker(h: Health) -> &'static str {
    match h {
        Health::Ok => " ",
        Health::Warm => "~",
        Health::Throttled => "!",
    }
}

/// The GPU status grid for `width` columns: every GPU of every node, node by
/// node, as many per line as fit. Up to 16 nodes each GPU shows utilisation,
/// memory, temperature and power; beyond that each GPU shows its
/// temperature (in its health colour) and the node line adds the node's
/// utilisation, memory and power.
///
/// With `markers`, for output where colour is not shown (a log file, a
/// `--color never` terminal), a GPU that is not healthy also carries a
/// character: `~` when warm, `!` when throttling, so the grid still tells
/// the reader what the colour would have.
pub fn gpu_grid(
    plan: &Plan,
    title: &str,
    states: &[GpuState],
    width: usize,
    markers: bool,
) -> Vec<Line> {
    let g = &plan.gpu;
    let total_gib = g.mem_mib as f64 / 1024.0;
    let name_w = plan.hosts.iter().map(|h| h.len()).max().unwrap_or(8);
    let mut out = Vec::new();
    let legend_wide = format!(
        "{title}: {} x {}, util | mem used/{total_gib:.1} GiB | temp | power (cap {:.0} W)",
        plan.world(),
        g.name,
        g.power_cap
    );
    let legend = if plan.nodes > 16 {
        format!("{title}: temp C per GPU | node: util, max mem of {total_gib:.0} GiB, power")
    } else if legend_wide.len() <= width {
        legend_wide
    } else {
        format!("{title}: util% memGiB/{total_gib:.0} degC W")
    };
    out.push(styled(legend, BOLD));
    if plan.nodes <= 16 {
        let wide = width >= name_w + plan.gpn as usize * 26;
        // Each cell starts with a space that separates it from the last.
        let cell_w = if wide {
            26
        } else if g.power_cap >= 1000.0 {
            17
        } else {
            16
        };
        let per_line = ((width.saturating_sub(name_w)) / cell_w).max(1);
        for node in 0..plan.nodes {
            let gpus: Vec<&GpuState> = states.iter().filter(|s| s.node == node).collect();
            for (row, chunk) in gpus.chunks(per_line).enumerate() {
                let prefix = if row == 0 {
                    plan.hosts[node as usize].clone()
                } else {
                    String::new()
                };
                let mut line: Line = vec![(format!("{prefix:<name_w$}"), DIM)];
                for s in chunk {
                    let mem = s.mem_mib as f64 / 1024.0;
                    let text = if wide {
                        format!(
                            "{}:{:>3}% {mem:>4.1}/{total_gib:.0}G {:>2}C {:>4}W",
                            s.local, s.util, s.temp, s.power
                        )
                    } else {
                        let pw = cell_w - 13;
                        format!(" {:>3} {mem:>4.1} {:>2} {:>pw$}", s.util, s.temp, s.power)
                    };
                    let mut cell = format!("{text:<cell_w$}");
                    if markers && s.health != Health::Ok {
                        // Narrow cells start with a separating space, wide
                        // ones end with spare room: the marker takes it.
                        let at = if wide { cell_w - 1 } else { 0 };
                        cell.replace_range(at..at + 1, health_marker(s.health));
                    }
                    line.push((cell, health_style(s.health)));
                }
                out.push(line);
            }
        }
    } else {
        let block_w = name_w + 1 + plan.gpn as usize * 3 + 36;
        let per_line = (width / (block_w + 2)).max(1);
        let nodes: Vec<u32> = (0..plan.nodes).collect();
        for group in nodes.chunks(per_line) {
            let mut line: Line = Vec::new();
            for &node in group {
                let gpus: Vec<&GpuState> = states.iter().filter(|s| s.node == node).collect();
                line.push((format!("{:<name_w$} ", plan.hosts[node as usize]), DIM));
                for s in &gpus {
                    let mark = if markers {
                        health_marker(s.health)
                    } else {
                        " "
                    };
                    line.push((format!("{:>2}{mark}", s.temp), health_style(s.health)));
                }
                let util = gpus.iter().map(|s| s.util as f64).sum::<f64>() / gpus.len() as f64;
                let mem = gpus.iter().map(|s| s.mem_mib).max().unwrap_or(0) as f64 / 1024.0;
                let power: f64 = gpus.iter().map(|s| s.power as f64).sum();
                line.push((
                    format!("{util:>3.0}% {mem:>5.1}G {:>5.2}kW  ", power / 1000.0),
                    PLAIN,
                ));
            }
            out.push(line);
        }
    }
    out.iter().map(|l| fit_spans(&spans(l), width)).collect()
}

/// NCCL's log prefix for a rank: `host:pid:tid [cudaDev]`.
pub fn nccl_prefix(plan: &Plan, node: u32, local: u32) -> String {
    let pid = plan.pid_base + (node * 7717) % 30_000 + local * 3;
    let tid = pid + 171 + local * 11;
    format!("{}:{pid}:{tid} [{local}]", plan.hosts[node as usize])
}

/// PCI bus ids of the eight GPUs of a DGX-style node (NCCL prints `busId
/// 18000`, nvidia-smi `00000000:18:00.0`).
pub fn bus_id(plan: &Plan, local: u32) -> &'static str {
    const HOPPER: [&str; 8] = [
        "18000", "2a000", "3a000", "5d000", "9a000", "ab000", "ba000", "db000",
    ];
    const AMPERE: [&str; 8] = [
        "7000", "f000", "47000", "4e000", "87000", "90000", "b7000", "bd000",
    ];
    let table = if plan.gpu.key == "A100" {
        AMPERE
    } else {
        HOPPER
    };
    table[local as usize % 8]
}

/// NCCL's `Init COMPLETE` line for one rank: global rank = node x GPUs per
/// node + local rank, and the `[cudaDev]` of the prefix is the local rank.
/// On narrow terminals the optional fields go first, so that the line still
/// ends in `Init COMPLETE`.
pub fn init_complete_line(plan: &Plan, node: u32, local: u32, max: usize) -> String {
    let prefix = format!("{} NCCL INFO", nccl_prefix(plan, node, local));
    let (rank, world) = (plan.rank(node, local), plan.world());
    let comm = comm_ptr(plan, node, local);
    let bus = bus_id(plan, local);
    pick(
        max,
        &[
            format!(
                "{prefix} comm 0x{comm:x} rank {rank} nranks {world} cudaDev {local} nvmlDev {local} busId {bus} commId 0x{:016x} - Init COMPLETE",
                comm_id(plan)
            ),
            format!(
                "{prefix} comm 0x{comm:x} rank {rank} nranks {world} cudaDev {local} busId {bus} - Init COMPLETE"
            ),
            format!("{prefix} rank {rank} nranks {world} cudaDev {local} - Init COMPLETE"),
            format!("{prefix} rank {rank} nranks {world} - Init COMPLETE"),
        ],
    )
}

/// The first of `variants` (richest first) that fits in `max` cells, or the
/// last one.
pub fn pick(max: usize, variants: &[String]) -> String {
    variants
        .iter()
        .find(|v| width(v) <= max)
        .unwrap_or_else(|| variants.last().expect("variants"))
        .clone()
}

/// The address of a rank's communicator object (heap-looking).
pub fn comm_ptr(plan: &Plan, node: u32, local: u32) -> u64 {
    0x5550_0000_0000
        + (plan.seed.wrapping_mul(0x9E37) % 0x0fff_ffff) * 16
        + (node as u64 * 131 + local as u64) * 0x1_0000
}

/// The world communicator's id, the same on every rank.
pub fn comm_id(plan: &Plan) -> u64 {
    plan.seed.wrapping_mul(0xA24B_AED4_963E_E407) ^ 0x5AE7_0000_0000_0000
}

/// A path cut to `max` cells by eliding its middle, keeping the end (the
/// part that names the step or the file).
pub fn fit_path(path: &str, max: usize) -> String {
    if width(path) <= max {
        return path.to_owned();
    }
    let keep_tail = max.saturating_sub(8).max(4);
    let tail: String = path
        .chars()
        .rev()
        .take(keep_tail)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = match tail.find('/') {
        Some(i) if i + 10 < tail.len() => tail[i..].to_owned(),
        _ => tail,
    };
    let head_room = max.saturating_sub(width(&tail) + 1);
    let head: String = path.chars().take(head_room).collect();
    let head = match head.rfind('/') {
        Some(i) if i > 0 => head[..i].to_owned(),
        _ => head,
    };
    fit(&format!("{head}/…{tail}"), max)
}
