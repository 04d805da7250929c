//! A memory dump of a running process: its `/proc/<pid>/maps`, then
//! region after region through `hexdump -C` — ELF headers, machine code,
//! string tables, heap chunks, stack frames — with repeated lines squeezed
//! to `*` as hexdump does, in bursts as pages are read.
//!
//! The bytes are generated per region kind so that each looks like what it
//! is: little-endian pointers into the right address ranges, x86-64
//! instruction sequences, NUL-separated strings from a data file.

use plugin_api::kit::{data_lines, fit, width};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

const PROCESSES: &str = include_str!("../data/processes.txt");
const LIBRARIES: &str = include_str!("../data/libraries.txt");
const STRINGS: &str = include_str!("../data/strings.txt");

const PAGE: u64 = 0x1000;
const INFO: Style = Style::fg(Color::Green).bold();
const HEADER: Style = Style::fg(Color::Cyan).bold();
const ZERO: Style = Style::plain().dim();

/// Common x86-64 instruction encodings; `..` bytes are filled at random
/// (displacements, call targets, immediates).
const CODE: [&str; 40] = [
    "f3 0f 1e fa",
    "55",
    "48 89 e5",
    "41 57",
    "41 56",
    "41 55",
    "41 54",
    "53",
    "48 83 ec 28",
    "48 83 ec 18",
    "48 8b 05 .. .. .. 00",
    "e8 .. .. .. ff",
    "e8 .. .. 00 00",
    "48 89 c7",
    "31 c0",
    "c3",
    "0f 1f 44 00 00",
    "66 0f 1f 84 00 00 00 00 00",
    "90",
    "48 85 c0",
    "74 ..",
    "75 ..",
    "0f 84 .. .. 00 00",
    "48 8d 3d .. .. .. 00",
    "48 8d 35 .. .. .. 00",
    "ff 15 .. .. .. 00",
    "5b",
    "5d",
    "41 5c",
    "41 5d",
    "41 5e",
    "41 5f",
    "c9",
    "48 8b 44 24 ..",
    "48 89 44 24 ..",
    "89 c2",
    "e9 .. .. .. ff",
    "eb ..",
    "48 8b 7d ..",
    "b8 .. 00 00 00",
];

/// What a mapping holds, which decides what its bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    ElfHeader,
    Code,
    Rodata,
    Data,
    Heap,
    Stack,
    Anon,
}

/// One line of `/proc/<pid>/maps`.
#[derive(Debug, Clone)]
struct Region {
    start: u64,
    end: u64,
    perms: &'static str,
    offset: u64,
    dev: &'static str,
    inode: u64,
    path: String,
    content: Content,
}

impl Region {
    /// The maps line, path aligned at column 73 as the kernel pads it; on
    /// a narrow terminal the padding goes so that the path stays visible.
    fn maps_line(&self, max: usize) -> String {
        let head = format!(
            "{:x}-{:x} {} {:08x} {} {}",
            self.start, self.end, self.perms, self.offset, self.dev, self.inode
        );
        if self.path.is_empty() {
            return head;
        }
        let padded = format!("{head:<72} {}", self.path);
        if padded.len() <= max {
            padded
        } else {
            format!("{head} {}", self.path)
        }
    }

    fn size(&self) -> u64 {
        self.end - self.start
    }
}

/// How dump lines are laid out, by terminal width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `hexdump -C` with the full 12-digit virtual address (82 columns).
    Absolute,
    /// `hexdump -C` with the offset in the region (78 columns).
    Relative,
    /// `xxd` style, for narrow terminals (67 columns).
    Compact,
}

impl Layout {
    fn for_width(width: usize) -> Layout {
        if width >= 82 {
            Layout::Absolute
        } else if width >= 78 {
            Layout::Relative
        } else {
            Layout::Compact
        }
    }
}

fn printable(b: u8) -> char {
    if (0x20..0x7f).contains(&b) {
        b as char
    } else {
        '.'
    }
}

/// One dump line as styled pieces: the offset, sixteen bytes (zero bytes
/// dimmed) and the ASCII column.
fn dump_line(layout: Layout, address: u64, bytes: &[u8; 16]) -> Vec<(String, Style)> {
    let ascii: String = bytes.iter().map(|&b| printable(b)).collect();
    let mut out = Vec::new();
    match layout {
        Layout::Absolute | Layout::Relative => {
            out.push((format!("{address:08x}  "), Style::plain()));
            for (i, b) in bytes.iter().enumerate() {
                let style = if *b == 0 { ZERO } else { Style::plain() };
                out.push((format!("{b:02x}"), style));
                out.push((if i == 7 { "  " } else { " " }.to_string(), Style::plain()));
            }
            out.push((format!(" |{ascii}|"), Style::plain()));
        }
        Layout::Compact => {
            out.push((format!("{address:08x}: "), Style::plain()));
            for pair in bytes.chunks(2) {
                let style = if pair == [0, 0] { ZERO } else { Style::plain() };
                out.push((format!("{:02x}{:02x}", pair[0], pair[1]), style));
                out.push((" ".to_string(), Style::plain()));
            }
            out.push((format!(" {ascii}"), Style::plain()));
        }
    }
    out
}

/// Which of a dump's lines hexdump prints: a line equal to the one before
/// it is replaced by a single `*` for the whole run (`None` marks the `*`).
fn squeeze(lines: &[[u8; 16]]) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut starred = false;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 && lines[i - 1] == *line {
            if !starred {
                out.push(None);
                starred = true;
            }
        } else {
            out.push(Some(i));
            starred = false;
        }
    }
    out
}

fn push_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(&v.to_le_bytes());
}

fn push_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// The process being dumped.
pub struct Memdump {
    rng: StdRng,
    pid: u32,
    command: &'static str,
    regions: Vec<Region>,
    strings: Vec<&'static str>,
    session_ms: u64,
}

impl Module for Memdump {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let process = data_lines(PROCESSES)
            .choose(&mut rng)
            .copied()
            .unwrap_or("-bash|/usr/bin/bash");
        let (command, exe) = process
            .split_once('|')
            .unwrap_or((process, "/usr/bin/bash"));
        let regions = build_maps(&mut rng, exe);
        Ok(Memdump {
            pid: rng.random_range(400..64_000),
            session_ms: rng.random_range(30_000..180_000),
            command,
            regions,
            strings: data_lines(STRINGS),
            rng,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        self.attach(host)?;
        while host.clock().as_millis() < u128::from(self.session_ms) {
            self.dump_region(host)?;
        }
        host.newline();
        host.styled("[*] ", INFO);
        host.println(&fit(
            &format!("detached from {}", self.pid),
            host.width().saturating_sub(4),
        ));
        Ok(())
    }
}

/// A mapping layout like the kernel's: the executable low (PIE base), heap
/// after it, libraries counting down from near the top, the stack at the top.
fn build_maps(rng: &mut StdRng, exe: &str) -> Vec<Region> {
    let dev = *["103:02", "08:02", "fd:01", "259:3"]
        .choose(rng)
        .unwrap_or(&"103:02");
    let mut regions = Vec::new();
    let exe_base = rng.random_range(0x5_5550_0000u64..0x5_6ff0_0000) * PAGE;
    let exe_end = map_file(rng, exe_base, exe, dev, &mut regions);
    let heap = exe_end + rng.random_range(1..0x2000) * PAGE;
    let heap_pages = rng.random_range(33..8000);
    regions.push(anon(heap, heap_pages, "[heap]", Content::Heap));

    let mut libs = data_lines(LIBRARIES);
    libs.retain(|l| !l.ends_with("ld-linux-x86-64.so.2"));
    libs.shuffle(rng);
    let count = rng.random_range(4..10);
    let mut at = rng.random_range(0x7_f000_0000u64..0x7_fa00_0000) * PAGE;
    for _ in 0..rng.random_range(1..3) {
        let pages = rng.random_range(32..2048);
        regions.push(anon(at, pages, "", Content::Anon));
        at += pages * PAGE;
    }
    for lib in libs.iter().take(count) {
        at = map_file(rng, at, lib, dev, &mut regions);
        if rng.random_bool(0.3) {
            let pages = rng.random_range(1..16);
            regions.push(anon(at, pages, "", Content::Anon));
            at += pages * PAGE;
        }
    }
    map_file(
        rng,
        at + 2 * PAGE,
        "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        dev,
        &mut regions,
    );
    let stack_end = rng.random_range(0x7_ffc0_0000u64..0x7_fffe_0000) * PAGE;
    regions.push(anon(stack_end - 33 * PAGE, 33, "[stack]", Content::Stack));
    regions.push(Region {
        perms: "r--p",
        ..anon(stack_end + 0x40 * PAGE, 4, "[vvar]", Content::Anon)
    });
    regions.push(Region {
        perms: "r-xp",
        ..anon(stack_end + 0x44 * PAGE, 2, "[vdso]", Content::ElfHeader)
    });
    regions
}

/// Maps an ELF file the way ld.so does: headers, code, read-only data,
/// RELRO, writable data, back to back. Returns where the mapping ends.
fn map_file(
    rng: &mut StdRng,
    base: u64,
    path: &str,
    dev: &'static str,
    regions: &mut Vec<Region>,
) -> u64 {
    let inode = rng.random_range(100_000..9_000_000);
    let parts = [
        ("r--p", Content::ElfHeader, rng.random_range(2..48)),
        ("r-xp", Content::Code, rng.random_range(16..600)),
        ("r--p", Content::Rodata, rng.random_range(8..200)),
        ("r--p", Content::Rodata, rng.random_range(1..12)),
        ("rw-p", Content::Data, rng.random_range(1..10)),
    ];
    let (mut at, mut offset) = (base, 0);
    for (perms, content, pages) in parts {
        let size = pages * PAGE;
        regions.push(Region {
            start: at,
            end: at + size,
            perms,
            offset,
            dev,
            inode,
            path: path.to_string(),
            content,
        });
        at += size;
        offset += size;
    }
    at
}

/// An anonymous mapping (heap, stack, mmap'd memory).
fn anon(start: u64, pages: u64, path: &str, content: Content) -> Region {
    Region {
        start,
        end: start + pages * PAGE,
        perms: "rw-p",
        offset: 0,
        dev: "00:00",
        inode: 0,
        path: path.to_string(),
        content,
    }
}

impl Memdump {
    /// A pointer into the first region whose path matches, as a program's
    /// data would hold it.
    fn pointer_into(&mut self, content: Content) -> u64 {
        let candidates: Vec<&Region> = self
            .regions
            .iter()
            .filter(|r| r.content == content)
            .collect();
        match candidates.choose(&mut self.rng) {
            Some(r) => r.start + self.rng.random_range(0..r.size()) / 8 * 8,
            None => 0,
        }
    }

    /// A NUL-terminated string from the data file.
    fn push_string(&mut self, buf: &mut Vec<u8>) {
        let s = self.strings.choose(&mut self.rng).copied().unwrap_or("");
        buf.extend_from_slice(s.as_bytes());
        buf.push(0);
    }

    /// `len` bytes of what `region` holds at `offset`.
    fn bytes(&mut self, region: &Region, offset: u64, len: usize) -> Vec<u8> {
        let mut buf = Vec::with_capacity(len + 64);
        if region.content == Content::ElfHeader && offset == 0 {
            self.elf_header(&mut buf);
        }
        while buf.len() < len {
            match region.content {
                Content::ElfHeader | Content::Rodata => self.rodata(&mut buf),
                Content::Code => self.code(&mut buf),
                Content::Data => self.data(&mut buf),
                Content::Heap => self.heap_chunk(&mut buf),
                Content::Stack => self.stack_slot(&mut buf),
                Content::Anon => self.anon(&mut buf),
            }
        }
        buf.truncate(len);
        buf
    }

    /// The ELF file header and program headers of a mapped binary, the
    /// interpreter path and the build-id note.
    fn elf_header(&mut self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        buf.extend_from_slice(&[3, 0, 0x3e, 0, 1, 0, 0, 0]); // ET_DYN, x86-64, version 1
        push_u64(buf, self.rng.random_range(0x4000u64..0x40000) & !0xf); // e_entry
        push_u64(buf, 0x40); // e_phoff
        push_u64(buf, self.rng.random_range(0x20000u64..0x400000)); // e_shoff
        push_u32(buf, 0);
        buf.extend_from_slice(&[0x40, 0, 0x38, 0, 13, 0, 0x40, 0, 31, 0, 30, 0]);
        let types: [u32; 13] = [
            6,
            3,
            1,
            1,
            1,
            1,
            2,
            4,
            4,
            0x6474_e553,
            0x6474_e550,
            0x6474_e551,
            0x6474_e552,
        ];
        let mut offset = 0u64;
        for (i, t) in types.iter().enumerate() {
            let flags = match i {
                3 => 5,
                5 | 6 => 6,
                _ => 4,
            };
            let size = self.rng.random_range(0x40u64..0x9000) & !0x7;
            push_u32(buf, *t);
            push_u32(buf, flags);
            push_u64(buf, offset);
            push_u64(buf, offset);
            push_u64(buf, offset);
            push_u64(buf, size);
            push_u64(buf, size);
            push_u64(buf, if *t == 1 { 0x1000 } else { 8 });
            offset += size;
        }
        buf.resize(0x318, 0);
        buf.extend_from_slice(b"/lib64/ld-linux-x86-64.so.2\0");
        buf.resize(0x338, 0);
        buf.extend_from_slice(&[4, 0, 0, 0, 0x20, 0, 0, 0, 5, 0, 0, 0, b'G', b'N', b'U', 0]);
        buf.extend_from_slice(&[2, 0, 0, 0xc0, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
        buf.extend_from_slice(&[4, 0, 0, 0, 0x14, 0, 0, 0, 3, 0, 0, 0, b'G', b'N', b'U', 0]);
        let build_id: [u8; 20] = self.rng.random();
        buf.extend_from_slice(&build_id);
        // .dynsym: 24-byte symbols, mostly undefined imports.
        for i in 0..self.rng.random_range(8..40u32) {
            push_u32(buf, i * 11 + 1);
            buf.extend_from_slice(&[0x12, 0, 0, 0]);
            push_u64(buf, 0);
            push_u64(buf, 0);
        }
    }

    /// Strings, sometimes padded to 8 or 16 bytes, and jump tables.
    fn rodata(&mut self, buf: &mut Vec<u8>) {
        match self.rng.random_range(0..10) {
            0 => {
                // A switch jump table: negative 32-bit offsets.
                for _ in 0..self.rng.random_range(4..24) {
                    push_u32(buf, self.rng.random_range(0xffff_d000u32..0xffff_ff00) & !3);
                }
            }
            1 => buf.resize(buf.len() + 16 * self.rng.random_range(1..6), 0),
            _ => {
                self.push_string(buf);
                if self.rng.random_bool(0.3) {
                    let pad = (8 - buf.len() % 8) % 8;
                    buf.resize(buf.len() + pad, 0);
                }
            }
        }
    }

    /// A function: endbr64, prologue, body, ret, padding to 16.
    fn code(&mut self, buf: &mut Vec<u8>) {
        for _ in 0..self.rng.random_range(6..40) {
            let insn = CODE.choose(&mut self.rng).copied().unwrap_or("90");
            for byte in insn.split(' ') {
                let b = u8::from_str_radix(byte, 16).unwrap_or_else(|_| self.rng.random());
                buf.push(b);
            }
        }
        buf.push(0xc3);
        while !buf.len().is_multiple_of(16) {
            buf.push(0xcc);
        }
    }

    /// Globals: pointers into code and heap, counters, zeros.
    fn data(&mut self, buf: &mut Vec<u8>) {
        match self.rng.random_range(0..6) {
            0 | 1 => {
                let p = self.pointer_into(Content::Code);
                push_u64(buf, p);
            }
            2 => {
                let p = self.pointer_into(Content::Heap);
                push_u64(buf, p);
            }
            3 => push_u64(buf, self.rng.random_range(0..4096)),
            _ => push_u64(buf, 0),
        }
    }

    /// A malloc chunk: size field with PREV_INUSE, then the payload.
    fn heap_chunk(&mut self, buf: &mut Vec<u8>) {
        let size = 16 * self.rng.random_range(2..24u64);
        push_u64(buf, size | 1);
        let end = buf.len() + size as usize - 8;
        match self.rng.random_range(0..5) {
            0 | 1 => self.push_string(buf),
            2 => {
                // A free chunk: fd/bk pointers into the heap.
                let fd = self.pointer_into(Content::Heap);
                let bk = self.pointer_into(Content::Heap);
                push_u64(buf, fd);
                push_u64(buf, bk);
            }
            3 => {
                while buf.len() + 8 <= end {
                    let p = self.pointer_into(Content::Heap);
                    push_u64(buf, p);
                }
            }
            _ => {}
        }
        buf.resize(end.max(buf.len()), 0);
    }

    /// Stack slots: saved frame pointers, return addresses, locals.
    fn stack_slot(&mut self, buf: &mut Vec<u8>) {
        match self.rng.random_range(0..8) {
            0 | 1 => {
                let p = self.pointer_into(Content::Code);
                push_u64(buf, p);
            }
            2 => {
                let p = self.pointer_into(Content::Stack);
                push_u64(buf, p);
            }
            3 => {
                self.push_string(buf);
                let pad = (8 - buf.len() % 8) % 8;
                buf.resize(buf.len() + pad, 0);
            }
            4 => push_u64(buf, self.rng.random_range(0..0x10000)),
            _ => push_u64(buf, 0),
        }
    }

    /// mmap'd memory: mostly untouched zero pages, some arena data.
    fn anon(&mut self, buf: &mut Vec<u8>) {
        if self.rng.random_bool(0.85) {
            buf.resize(buf.len() + 16 * self.rng.random_range(8..200), 0);
        } else {
            self.heap_chunk(buf);
        }
    }

    /// Attaching and the maps listing, printed in one go like `cat`.
    fn attach(&mut self, host: &Host) -> Result<(), Stop> {
        let width = host.width();
        host.styled("[*] ", INFO);
        host.println(&fit(
            &format!("attaching to pid {} ({})", self.pid, self.command),
            width.saturating_sub(4),
        ));
        host.sleep_ms(self.rng.random_range(300..900))?;
        let total: u64 = self.regions.iter().map(Region::size).sum();
        host.styled("[*] ", INFO);
        host.println(&fit(
            &format!(
                "reading /proc/{}/maps: {} regions, {:.1} MiB mapped",
                self.pid,
                self.regions.len(),
                total as f64 / 1_048_576.0
            ),
            width.saturating_sub(4),
        ));
        host.sleep_ms(self.rng.random_range(200..600))?;
        for region in &self.regions {
            host.println(&fit(&region.maps_line(width), width));
        }
        host.sleep_ms(self.rng.random_range(600..1500))?;
        Ok(())
    }

    /// One region (or a stretch of a large one) through hexdump.
    fn dump_region(&mut self, host: &Host) -> Result<(), Stop> {
        let weights = |c: Content| match c {
            Content::Heap | Content::Rodata => 4,
            Content::ElfHeader | Content::Stack | Content::Code => 3,
            Content::Data => 2,
            Content::Anon => 1,
        };
        let region = self
            .regions
            .choose_weighted(&mut self.rng, |r| weights(r.content))
            .cloned()
            .map_err(|_| Stop)?;
        let len = *[0x200u64, 0x400, 0x800, 0x1000, 0x2000]
            .choose(&mut self.rng)
            .unwrap_or(&0x400);
        let len = len.min(region.size());
        let offset = if region.content == Content::ElfHeader || region.size() <= len {
            0
        } else {
            self.rng.random_range(0..(region.size() - len) / PAGE + 1) * PAGE
        };
        let layout = Layout::for_width(host.width());

        host.newline();
        let name = match region.path.rsplit_once('/') {
            Some((_, file)) => file,
            None if region.path.is_empty() => "[anon]",
            None => &region.path,
        };
        let header = format!(
            "==> {:x}-{:x} {} {name} +0x{offset:x} ({len} bytes)",
            region.start, region.end, region.perms,
        );
        host.println_styled(&fit(&header, host.width()), HEADER);
        host.sleep_ms(self.rng.random_range(100..400))?;

        let bytes = self.bytes(&region, offset, len as usize);
        let lines: Vec<[u8; 16]> = bytes
            .chunks_exact(16)
            .map(|c| c.try_into().unwrap_or([0; 16]))
            .collect();
        let base = match layout {
            Layout::Absolute => region.start + offset,
            Layout::Relative | Layout::Compact => offset,
        };
        let mut burst = self.rng.random_range(12..64);
        for entry in squeeze(&lines) {
            match entry {
                None => host.println("*"),
                Some(i) => {
                    let pieces = dump_line(layout, base + 16 * i as u64, &lines[i]);
                    let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
                    if width(&text) > host.width() {
                        // Narrower than even xxd's layout: cut the line.
                        host.println(&fit(&text, host.width()));
                    } else {
                        for (piece, style) in pieces {
                            host.styled(&piece, style);
                        }
                        host.newline();
                    }
                }
            }
            burst -= 1;
            if burst == 0 {
                host.sleep_ms(self.rng.random_range(120..700))?;
                burst = self.rng.random_range(12..64);
            } else {
                host.sleep_ms(self.rng.random_range(4..18))?;
            }
        }
        host.println(&format!("{:08x}", base + len));
        host.sleep_ms(self.rng.random_range(300..1200))?;
        Ok(())
    }
}

plugin_api::export_module! {
    module: Memdump,
    name: "memdump",
    version: "0.1.0",
    description: "Hex dump of a live process's memory regions",
    signature: "sudo ./memdump --pid $(pgrep -o nginx) | hexdump -C",
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pieces: &[(String, Style)]) -> String {
        pieces.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn hexdump_lines_have_hexdumps_layout() {
        let bytes = *b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        let line = text(&dump_line(Layout::Relative, 0, &bytes));
        assert_eq!(
            line,
            "00000000  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  |.ELF............|"
        );
        assert_eq!(width(&line), 78);
        let line = text(&dump_line(Layout::Absolute, 0x55d4_c8a3_e010, &bytes));
        assert_eq!(width(&line), 82);
        assert!(line.starts_with("55d4c8a3e010  7f 45"));
        let line = text(&dump_line(Layout::Compact, 0x10, &bytes));
        assert_eq!(
            line,
            "00000010: 7f45 4c46 0201 0100 0000 0000 0000 0000  .ELF............"
        );
        assert_eq!(width(&line), 67);
    }

    #[test]
    fn every_byte_value_keeps_the_width() {
        for start in (0u8..=240).step_by(16) {
            let bytes: [u8; 16] = std::array::from_fn(|i| start + i as u8);
            assert_eq!(
                width(&text(&dump_line(Layout::Relative, 0xfff0, &bytes))),
                78
            );
        }
    }

    #[test]
    fn repeated_lines_squeeze_to_one_star() {
        let z = [0u8; 16];
        let a = [1u8; 16];
        assert_eq!(
            squeeze(&[a, z, z, z, a]),
            vec![Some(0), Some(1), None, Some(4)]
        );
        assert_eq!(squeeze(&[z, z]), vec![Some(0), None]);
        assert_eq!(squeeze(&[a, z, a]), vec![Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn maps_are_ordered_and_page_aligned() {
        let mut rng = StdRng::seed_from_u64(7);
        let regions = build_maps(&mut rng, "/usr/sbin/nginx");
        for pair in regions.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "{:x} > {:x}",
                pair[0].end,
                pair[1].start
            );
        }
        for r in &regions {
            assert_eq!(r.start % PAGE, 0);
            assert_eq!(r.end % PAGE, 0);
            assert!(r.end > r.start);
        }
        assert!(regions.iter().any(|r| r.path == "[heap]"));
        assert!(regions.iter().any(|r| r.path == "[stack]"));
    }
}
