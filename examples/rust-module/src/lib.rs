//! `coffee`: a pour-over brewed by a pretend smart kettle. It grinds, heats
//! the water, blooms the grounds, pours in pulses, waits for the drawdown and
//! tastes the result.
//!
//! A complete third-party module for `host`, small on purpose: the authoring
//! guide quotes this file whole. Its C twin, `examples/c-module/coffee.c`,
//! prints the very same session for the same seed.

use plugin_api::kit::{self, data_lines};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};

/// The coffees on the shelf, `origin|process|roast|notes` per line. Embedded
/// at compile time: the module stays one self-contained file.
const BEANS: &str = include_str!("../data/beans.txt");

const LABEL: Style = Style::fg(Color::Cyan).bold();
const DONE: Style = Style::fg(Color::Green).bold();

/// One brewing session, decided entirely by `init` from the seed and options.
pub struct Coffee {
    rng: SplitMix64,
    cups: u64,
    origin: &'static str,
    process: &'static str,
    roast: &'static str,
    notes: &'static str,
    /// Ground coffee in decigrams: whole numbers print the same in Rust and C.
    dose_dg: u64,
    /// Water per gram of coffee, times ten (165 means 1:16.5).
    ratio10: u64,
    water_ml: u64,
    celsius: u64,
    pours: u64,
}

impl Module for Coffee {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        // The host has already checked the value against the declared range.
        let cups: u64 = options.parse("cups")?;
        let mut rng = SplitMix64(seed);
        let beans = data_lines(BEANS);
        let line = beans[rng.below(beans.len() as u64) as usize];
        let fields: Vec<&'static str> = line.split('|').collect();
        let [origin, process, roast, notes] = fields[..] else {
            return Err(format!(
                "beans.txt: `{line}` is not origin|process|roast|notes"
            ));
        };
        let dose_dg = cups * (140 + rng.below(21));
        let ratio10 = 160 + rng.below(11);
        Ok(Coffee {
            cups,
            origin,
            process,
            roast,
            notes,
            dose_dg,
            ratio10,
            water_ml: dose_dg * ratio10 / 100,
            celsius: match roast {
                "light" => 96,
                "medium" => 93,
                _ => 90,
            },
            pours: 3 + rng.below(3),
            rng,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        // Each phase returns Err(Stop) as soon as the host wants to stop; `?`
        // ends the session there, which the host counts as a normal end.
        self.introduce(host)?;
        self.grind(host)?;
        self.heat(host)?;
        self.bloom(host)?;
        self.pour(host)?;
        self.drain(host)?;
        self.serve(host)?;
        Ok(())
    }
}

impl Coffee {
    fn introduce(&mut self, host: &Host) -> Result<(), Stop> {
        let what = format!("{} of {}", cups(self.cups), self.origin);
        show(host, "Brewing", LABEL, None, &what, Style::plain());
        host.newline();
        let beans = format!("{}, {} roast: {}", self.process, self.roast, self.notes);
        show(host, "Beans", LABEL, None, &beans, Style::plain());
        host.newline();
        let recipe = format!(
            "{} g coffee, {} ml water (1:{}) at {} °C, {} pours",
            tenths(self.dose_dg),
            self.water_ml,
            tenths(self.ratio10),
            self.celsius,
            self.pours
        );
        show(host, "Recipe", LABEL, None, &recipe, Style::plain());
        host.newline();
        host.sleep_ms(800)
    }

    fn grind(&mut self, host: &Host) -> Result<(), Stop> {
        const STEPS: u64 = 12;
        for step in 1..=STEPS {
            host.sleep_ms(250 + self.rng.below(250))?;
            let ground = self.dose_dg * step / STEPS;
            let status = format!("{} / {} g", tenths(ground), tenths(self.dose_dg));
            progress(host, "Grinding", step, STEPS, &status);
        }
        Ok(())
    }

    fn heat(&mut self, host: &Host) -> Result<(), Stop> {
        let start = 18 + self.rng.below(6);
        let mut now = start;
        while now < self.celsius {
            host.sleep_ms(600 + self.rng.below(500))?;
            now = (now + 2 + self.rng.below(4)).min(self.celsius);
            let status = format!("{now} / {} °C", self.celsius);
            progress(host, "Heating", now - start, self.celsius - start, &status);
        }
        Ok(())
    }

    /// A first splash of twice the coffee's weight in water lets the grounds
    /// degas before the real pours.
    fn bloom(&mut self, host: &Host) -> Result<(), Stop> {
        let ml = self.dose_dg / 5;
        let seconds = 30 + self.rng.below(16);
        for s in 1..=seconds {
            host.sleep_ms(1000)?;
            progress(
                host,
                "Blooming",
                s,
                seconds,
                &format!("{ml} ml, {s} / {seconds} s"),
            );
        }
        Ok(())
    }

    fn pour(&mut self, host: &Host) -> Result<(), Stop> {
        const STEPS: u64 = 6;
        let bloom = self.dose_dg / 5;
        let rest = self.water_ml - bloom;
        for pour in 1..=self.pours {
            let from = bloom + rest * (pour - 1) / self.pours;
            let to = bloom + rest * pour / self.pours;
            for step in 1..=STEPS {
                host.sleep_ms(300 + self.rng.below(300))?;
                let poured = from + (to - from) * step / STEPS;
                let status = format!(
                    "{poured} / {} ml, pour {pour}/{}",
                    self.water_ml, self.pours
                );
                progress(host, "Pouring", poured, self.water_ml, &status);
            }
            if pour < self.pours {
                for _ in 0..10 + self.rng.below(11) {
                    host.sleep_ms(1000)?;
                }
            }
        }
        Ok(())
    }

    fn drain(&mut self, host: &Host) -> Result<(), Stop> {
        let seconds = 25 + self.rng.below(26);
        for s in 1..=seconds {
            host.sleep_ms(1000)?;
            progress(host, "Drawdown", s, seconds, &format!("{s} / {seconds} s"));
        }
        Ok(())
    }

    fn serve(&mut self, host: &Host) -> Result<(), Stop> {
        // Times come from the host's simulated clock, never the wall clock:
        // they stay right at any --speed-factor.
        let took = host.clock().as_secs();
        let done = format!(
            "{} of {} in {}:{:02}",
            cups(self.cups),
            self.origin,
            took / 60,
            took % 60
        );
        show(host, "Done", DONE, None, &done, Style::plain());
        host.newline();
        host.sleep_ms(600)?;

        let extraction = 170 + self.rng.below(60);
        let (style, verdict) = if extraction < 180 {
            (Style::fg(Color::Yellow), "under")
        } else if extraction > 220 {
            (Style::fg(Color::Red), "over")
        } else {
            (Style::fg(Color::Green), "ideal")
        };
        let mut status = format!("{} %", tenths(extraction));
        // The colour alone tells whether the cup is right. Without colour (a
        // file, NO_COLOR, or a host too old to say) tell it in words too.
        if host.color_enabled() != Some(true) {
            status.push_str(&format!(" ({verdict})"));
        }
        show(host, "Extraction", LABEL, None, &status, style);
        host.newline();
        host.sleep_ms(2000)
    }
}

/// One line, never wider than the terminal: an 11-cell label, a progress bar
/// when there is room for one, and a status cut to what is left. The line is
/// not ended, so that `progress` can redraw it.
fn show(
    host: &Host,
    label: &str,
    label_style: Style,
    bar: Option<f64>,
    status: &str,
    style: Style,
) {
    // Stay off the last column: some terminals wrap as soon as it is written.
    let mut room = host.width().saturating_sub(1);
    let label = kit::fit(&format!("{label:<11}"), room);
    room -= kit::width(&label);
    host.styled(&label, label_style);
    if let Some(fraction) = bar {
        let cells = room.saturating_sub(kit::width(status) + 2).min(24);
        if cells >= 6 {
            host.print(&host.progress_bar(fraction, cells));
            host.print("  ");
            room -= cells + 2;
        }
    }
    host.styled(&kit::fit(status, room), style);
}

/// Redraws a phase's line in place, and ends it when the phase is done. In a
/// file every redraw would become a line of its own, so there only the
/// finished state is printed.
fn progress(host: &Host, label: &str, done: u64, total: u64, status: &str) {
    if host.is_terminal() || done == total {
        host.erase_line();
        let fraction = done as f64 / total as f64;
        show(host, label, LABEL, Some(fraction), status, Style::plain());
    }
    if done == total {
        host.newline();
    }
}

fn cups(n: u64) -> String {
    if n == 1 {
        "1 cup".into()
    } else {
        format!("{n} cups")
    }
}

/// `305` decigrams as `30.5`.
fn tenths(n: u64) -> String {
    format!("{}.{}", n / 10, n % 10)
}

/// SplitMix64: a tiny seedable generator, here so that this module needs
/// nothing but plugin-api and its C twin can draw the same numbers. Any
/// seeded generator will do (`rand`'s `StdRng::seed_from_u64(seed)` is the
/// usual choice); what matters is that every choice comes from the seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (the modulo bias is far too small to see here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

plugin_api::export_module! {
    module: Coffee,
    name: "coffee",
    version: env!("CARGO_PKG_VERSION"),
    description: "A pour-over from a smart kettle: grind, heat, bloom, pour, drawdown",
    signature: "coffeectl brew --method pour-over",
    author: "The host authors <host@example.org>",
    options: [
        plugin_api::option::int(c"cups", c"how many cups to brew", c"2", 1, 8),
    ],
}
