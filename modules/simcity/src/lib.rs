//! SimCity-style loading screens: a city (or region) loads while quips such
//! as "Reticulating splines..." spin, each ending in "done"; some show a
//! progress bar instead of a spinner. Loading screens follow one another
//! until the session's length is used up.

use std::time::Duration;

use plugin_api::kit::{self, SPINNER};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

const QUIPS: &str = include_str!("../data/quips.txt");
const CITIES: &str = include_str!("../data/cities.txt");
const REGIONS: &str = include_str!("../data/regions.txt");

/// How often a spinner frame changes, like the game's little hourglass.
const FRAME_MS: u64 = 100;

const TITLE: Style = Style::fg(Color::BrightCyan).bold();
const DONE: Style = Style::fg(Color::Green);
const DEFERRED: Style = Style::fg(Color::Yellow);
const SPIN: Style = Style::fg(Color::Cyan);

/// One session of loading screens.
pub struct SimCity {
    rng: StdRng,
    /// Simulated time after which no new quip starts.
    session: Duration,
    /// Quips in a seeded order, dealt from the front so repeats are rare.
    quips: Vec<&'static str>,
    next_quip: usize,
    cities: Vec<&'static str>,
    regions: Vec<&'static str>,
}

impl Module for SimCity {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut quips = kit::data_lines(QUIPS);
        quips.shuffle(&mut rng);
        let session = session_length(&mut rng);
        Ok(SimCity {
            rng,
            session,
            quips,
            next_quip: 0,
            cities: kit::data_lines(CITIES),
            regions: kit::data_lines(REGIONS),
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        while host.clock() < self.session {
            self.loading_screen(host)?;
        }
        Ok(())
    }
}

/// A session of 20 s to 5 min, usually one to three minutes.
fn session_length(rng: &mut StdRng) -> Duration {
    kit::random::session_length(rng, 20..60, 60..180, 180..285)
}

impl SimCity {
    /// One loading screen: a title, a run of quips, and a closing line.
    fn loading_screen(&mut self, host: &Host) -> RunResult {
        let started = host.clock();
        let city = *self.cities.choose(&mut self.rng).unwrap_or(&"Llamaville");
        let region = *self.regions.choose(&mut self.rng).unwrap_or(&"Timbuktu");
        let (title, closing) = match self.rng.random_range(0..4) {
            0 => (
                format!("Loading region: {region}"),
                format!("Region {region} ready"),
            ),
            1 => (format!("Saving city: {city}"), format!("{city} saved")),
            _ => (
                format!("Loading city: {city} ({region})"),
                format!("Welcome to {city}, Mayor"),
            ),
        };
        host.println_styled(&kit::fit(&title, host.width() - 1), TITLE);
        host.sleep_ms(self.rng.random_range(300..900))?;

        let count = self.rng.random_range(6..=18);
        for _ in 0..count {
            if host.clock() >= self.session {
                break;
            }
            let quip = self.next_quip();
            if self.rng.random_bool(0.25) {
                self.quip_with_bar(host, quip)?;
            } else {
                self.quip_with_spinner(host, quip)?;
            }
            host.sleep_ms(self.rng.random_range(40..250))?;
        }

        let took = (host.clock() - started).as_secs_f64();
        let population = self.rng.random_range(800..2_500_000u64);
        let line = format!(
            "{closing}. Loaded in {took:.1}s, population {}.",
            thousands(population)
        );
        host.println_styled(&kit::fit(&line, host.width() - 1), Style::plain().bold());
        host.newline();
        host.sleep_ms(self.rng.random_range(800..2000))?;
        Ok(())
    }

    fn next_quip(&mut self) -> &'static str {
        if self.next_quip >= self.quips.len() {
            self.quips.shuffle(&mut self.rng);
            self.next_quip = 0;
        }
        self.next_quip += 1;
        self.quips[self.next_quip - 1]
    }

    /// "Quip... ⠋" with the spinner turning until the work is done.
    fn quip_with_spinner(&mut self, host: &Host, quip: &str) -> RunResult {
        let text = format!("{quip}... ");
        let max = host.width() - 1;
        let frames = self.rng.random_range(3..25u64);
        if host.is_terminal() {
            for frame in 0..frames {
                host.erase_line();
                host.print(&kit::fit(&text, max.saturating_sub(2)));
                host.styled(SPINNER[frame as usize % SPINNER.len()], SPIN);
                host.sleep_ms(FRAME_MS)?;
            }
            host.erase_line();
        } else {
            host.print(&kit::fit(&text, max.saturating_sub(9)));
            host.sleep_ms(frames * FRAME_MS)?;
            // On a file the line goes on where it stopped: no redraw.
            return self.finish_quip(host, None);
        }
        self.finish_quip(host, Some(&text))
    }

    /// "Quip... [#####     ]  50%": a bar that fills in uneven steps.
    fn quip_with_bar(&mut self, host: &Host, quip: &str) -> RunResult {
        let text = format!("{quip}... ");
        let max = host.width() - 1;
        let bar_width = max.saturating_sub(kit::width(&text) + 7).min(30);
        if bar_width < 10 {
            return self.quip_with_spinner(host, quip);
        }
        let steps = self.rng.random_range(8..30u32);
        let mut drawn_quarter = 0;
        let mut done = 0.0f64;
        for step in 1..=steps {
            // Uneven progress: some steps jump, some crawl.
            done = (done + self.rng.random_range(0.3..1.7) / f64::from(steps)).min(1.0);
            if step == steps {
                done = 1.0;
            }
            let quarter = (done * 4.0).floor() as u32;
            if host.is_terminal() || quarter > drawn_quarter {
                drawn_quarter = quarter;
                host.erase_line();
                host.print(&text);
                host.styled(&host.progress_bar(done, bar_width), SPIN);
                host.print(&format!(" {:>3}%", (done * 100.0).round() as u32));
            }
            host.sleep_ms(self.rng.random_range(60..220))?;
        }
        host.erase_line();
        self.finish_quip(host, Some(&text))
    }

    /// Ends a quip's line with its verdict; `text` is reprinted after a redraw.
    fn finish_quip(&mut self, host: &Host, text: Option<&str>) -> RunResult {
        if let Some(text) = text {
            host.print(&kit::fit(text, host.width().saturating_sub(10)));
        }
        if self.rng.random_bool(0.03) {
            host.println_styled("deferred", DEFERRED);
        } else {
            host.println_styled("done", DONE);
        }
        Ok(())
    }
}

/// `2_500_000` as `2,500,000`, the way the game shows population.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

plugin_api::export_module! {
    module: SimCity,
    name: "simcity",
    version: env!("CARGO_PKG_VERSION"),
    description: "SimCity-style loading screens: reticulating splines and more",
    signature: "simcity --load-city",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(2_500_000), "2,500,000");
    }

    #[test]
    fn sessions_stay_within_bounds() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..1000 {
            let s = session_length(&mut rng).as_secs();
            assert!((20..300).contains(&s));
        }
    }

    #[test]
    fn data_has_many_quips() {
        assert!(kit::data_lines(QUIPS).len() > 150);
        assert!(kit::data_lines(QUIPS).iter().all(|q| !q.ends_with("...")));
    }
}
