//! Arch Linux's `mkinitcpio -P`: every installed kernel's preset builds a
//! `default` image (autodetect keeps it small) and a `fallback` image
//! (every module, so it takes longer and complains about firmware).
//!
//! Messages follow mkinitcpio's own helpers: `==>` in bold green for steps,
//! `  ->` in bold blue for details and `==> WARNING:` in bold yellow, each
//! followed by the message in bold.

use plugin_api::kit::{data_lines, wrap};
use plugin_api::{Color, Host, Module, Options, RunResult, Stop, Style};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

const KERNELS: &str = include_str!("../data/kernels.txt");
const HOOKS: &str = include_str!("../data/hooks.txt");
const FIRMWARE_MODULES: &str = include_str!("../data/firmware_modules.txt");

const STEP: Style = Style::fg(Color::Green).bold();
const DETAIL: Style = Style::fg(Color::Blue).bold();
const WARN: Style = Style::fg(Color::Yellow).bold();
const TEXT: Style = Style::plain().bold();

/// One installed kernel package.
#[derive(Debug, Clone, Copy)]
struct Kernel {
    pkgbase: &'static str,
    release: &'static str,
}

/// The two images of a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preset {
    Default,
    Fallback,
}

impl Preset {
    fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::Fallback => "fallback",
        }
    }
}

/// The image file a preset writes.
fn image_path(pkgbase: &str, preset: Preset) -> String {
    match preset {
        Preset::Default => format!("/boot/initramfs-{pkgbase}.img"),
        Preset::Fallback => format!("/boot/initramfs-{pkgbase}-fallback.img"),
    }
}

/// The options line mkinitcpio echoes for a preset.
fn preset_options(pkgbase: &str, preset: Preset) -> String {
    let base = format!(
        "-k /boot/vmlinuz-{pkgbase} -g {}",
        image_path(pkgbase, preset)
    );
    match preset {
        Preset::Default => base,
        Preset::Fallback => format!("{base} -S autodetect"),
    }
}

/// The session.
pub struct Mkinitcpio {
    rng: StdRng,
    kernels: Vec<Kernel>,
    hooks: Vec<&'static str>,
    compression: &'static str,
    /// No FONT= in vconsole.conf: the consolefont hook warns every time.
    missing_font: bool,
    firmware_modules: Vec<&'static str>,
}

impl Module for Mkinitcpio {
    fn init(_host: &Host, seed: u64, _options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        // One release per package: a system has one `linux`, one `linux-lts`...
        let mut packages: Vec<Kernel> = Vec::new();
        let mut all: Vec<Kernel> = data_lines(KERNELS)
            .into_iter()
            .filter_map(|l| l.split_once(' '))
            .map(|(pkgbase, release)| Kernel { pkgbase, release })
            .collect();
        all.shuffle(&mut rng);
        for k in all {
            if !packages.iter().any(|p| p.pkgbase == k.pkgbase) {
                packages.push(k);
            }
        }
        // Most machines have `linux` and maybe one or two more.
        let count = match rng.random_range(0..100) {
            0..45 => 1,
            45..80 => 2,
            80..95 => 3,
            _ => 4,
        };
        let mut kernels: Vec<Kernel> = Vec::new();
        if let Some(main) = packages.iter().find(|k| k.pkgbase == "linux") {
            kernels.push(*main);
        }
        for k in &packages {
            if kernels.len() >= count {
                break;
            }
            if k.pkgbase != "linux" {
                kernels.push(*k);
            }
        }
        // mkinitcpio -P walks the presets in alphabetical order.
        kernels.sort_by_key(|k| k.pkgbase);

        let hook_lines = data_lines(HOOKS);
        let hooks = hook_lines
            .choose(&mut rng)
            .map(|l| l.split_whitespace().collect())
            .unwrap_or_default();
        let compression = *["zstd", "zstd", "zstd", "zstd", "lz4", "xz", "gzip"]
            .choose(&mut rng)
            .unwrap_or(&"zstd");
        Ok(Mkinitcpio {
            missing_font: rng.random_bool(0.4),
            firmware_modules: data_lines(FIRMWARE_MODULES),
            rng,
            kernels,
            hooks,
            compression,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        for kernel in self.kernels.clone() {
            for preset in [Preset::Default, Preset::Fallback] {
                self.build_image(host, kernel, preset)?;
            }
        }
        Ok(())
    }
}

impl Mkinitcpio {
    /// `==> message`
    fn msg(&self, host: &Host, text: &str) {
        self.line(host, "==>", STEP, text);
    }

    /// `  -> message`
    fn msg2(&self, host: &Host, text: &str) {
        self.line(host, "  ->", DETAIL, text);
    }

    /// `==> WARNING: message`
    fn warning(&self, host: &Host, text: &str) {
        self.line(host, "==> WARNING:", WARN, text);
    }

    /// A message line; one too long for the terminal continues on the next
    /// line at a space, as the terminal itself would show it.
    fn line(&self, host: &Host, prefix: &str, style: Style, text: &str) {
        for (i, line) in wrap(&format!("{prefix} {text}"), host.width())
            .iter()
            .enumerate()
        {
            match line.strip_prefix(prefix) {
                Some(message) if i == 0 => {
                    host.styled(prefix, style);
                    host.println_styled(message, TEXT);
                }
                _ => host.println_styled(line, TEXT),
            }
        }
    }

    /// Sleeps a random time from `range`.
    fn busy(&mut self, host: &Host, range: std::ops::Range<u64>) -> Result<(), Stop> {
        host.sleep_ms(self.rng.random_range(range))
    }

    /// How long a hook takes: the fallback image adds every module, so the
    /// module-heavy hooks take several times longer there.
    fn hook_time(hook: &str, preset: Preset) -> std::ops::Range<u64> {
        let fallback = preset == Preset::Fallback;
        match hook {
            "base" => 150..400,
            "udev" | "systemd" => 300..900,
            "autodetect" => 400..1500,
            "microcode" => 150..500,
            "modconf" => 100..300,
            "kms" if fallback => 2500..6000,
            "kms" => 600..2500,
            "keyboard" if fallback => 1000..2500,
            "keyboard" => 300..900,
            "block" if fallback => 3000..9000,
            "block" => 400..1500,
            "filesystems" if fallback => 1500..4000,
            "filesystems" => 400..1500,
            "encrypt" | "sd-encrypt" => 500..1500,
            "lvm2" => 600..1800,
            "plymouth" => 1500..4000,
            "mdadm_udev" => 300..900,
            _ => 100..500,
        }
    }

    /// One image: the hooks, the module dependencies, the compressed cpio.
    fn build_image(&mut self, host: &Host, kernel: Kernel, preset: Preset) -> Result<(), Stop> {
        self.msg(
            host,
            &format!(
                "Building image from preset: /etc/mkinitcpio.d/{}.preset: '{}'",
                kernel.pkgbase,
                preset.name()
            ),
        );
        self.msg(
            host,
            "Using default configuration file: '/etc/mkinitcpio.conf'",
        );
        self.msg2(host, &preset_options(kernel.pkgbase, preset));
        host.sleep_ms(self.rng.random_range(200..700))?;
        self.msg(host, &format!("Starting build: '{}'", kernel.release));

        for hook in self.hooks.clone() {
            if preset == Preset::Fallback && hook == "autodetect" {
                continue;
            }
            self.msg2(host, &format!("Running build hook: [{hook}]"));
            self.busy(host, Self::hook_time(hook, preset))?;
            match hook {
                "block" => self.firmware_warnings(host, preset)?,
                "consolefont" if self.missing_font => {
                    self.warning(host, "consolefont: no font found in configuration");
                }
                _ => {}
            }
        }

        self.msg(host, "Generating module dependencies");
        match preset {
            Preset::Default => self.busy(host, 300..900)?,
            Preset::Fallback => self.busy(host, 1500..4000)?,
        }
        self.msg(
            host,
            &format!(
                "Creating {}-compressed initcpio image: '{}'",
                self.compression,
                image_path(kernel.pkgbase, preset)
            ),
        );
        match preset {
            Preset::Default => self.busy(host, 1000..3500)?,
            Preset::Fallback => self.busy(host, 4000..12000)?,
        }
        if self.hooks.contains(&"microcode") {
            self.msg2(host, "Early uncompressed CPIO image generation successful");
        }
        self.msg(host, "Initcpio image generation successful");
        host.sleep_ms(self.rng.random_range(100..400))?;
        Ok(())
    }

    /// The block hook adds storage drivers; without autodetect that includes
    /// SCSI HBAs whose firmware lives in packages nobody installs.
    fn firmware_warnings(&mut self, host: &Host, preset: Preset) -> Result<(), Stop> {
        let modules = self.firmware_modules.clone();
        for module in modules {
            let show = match preset {
                Preset::Fallback => self.rng.random_bool(0.6),
                Preset::Default => module == "xhci_pci" && self.rng.random_bool(0.3),
            };
            if show {
                self.warning(
                    host,
                    &format!("Possibly missing firmware for module: '{module}'"),
                );
                host.sleep_ms(self.rng.random_range(20..150))?;
            }
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: Mkinitcpio,
    name: "mkinitcpio",
    version: "0.1.0",
    description: "Regenerate Arch Linux initramfs images for every kernel preset",
    signature: "sudo mkinitcpio -P",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_name_their_images() {
        assert_eq!(
            image_path("linux", Preset::Default),
            "/boot/initramfs-linux.img"
        );
        assert_eq!(
            image_path("linux-lts", Preset::Fallback),
            "/boot/initramfs-linux-lts-fallback.img"
        );
        assert_eq!(
            preset_options("linux", Preset::Fallback),
            "-k /boot/vmlinuz-linux -g /boot/initramfs-linux-fallback.img -S autodetect"
        );
    }

    #[test]
    fn hook_lines_start_with_base() {
        for line in data_lines(HOOKS) {
            assert!(line.starts_with("base "), "{line}");
        }
    }

    #[test]
    fn kernels_have_a_release_per_package() {
        for line in data_lines(KERNELS) {
            let (pkgbase, release) = line.split_once(' ').expect(line);
            assert!(pkgbase.starts_with("linux"));
            assert!(release.starts_with(char::is_numeric), "{release}");
        }
    }
}
