//! Numbers as the training frameworks print them. Pure functions, shared by
//! the printer and the tests, so the tests check the very strings a watcher
//! reads.

use crate::config::Plan;
use crate::sim::StepRecord;

/// Megatron's `%E`: `4.213456E+00`.
pub fn sci(x: f64, digits: usize) -> String {
    if x == 0.0 {
        return format!("{:.digits$}E+00", 0.0);
    }
    let mut exp = x.abs().log10().floor() as i32;
    let mut mantissa = x / 10f64.powi(exp);
    // Rounding can carry into the next power of ten (9.9999996 -> 10.000000).
    if format!("{mantissa:.digits$}")
        .trim_start_matches('-')
        .starts_with("10")
    {
        exp += 1;
        mantissa = x / 10f64.powi(exp);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa:.digits$}E{sign}{:02}", exp.abs())
}

/// A training loss: four decimals.
pub fn loss(x: f64) -> String {
    format!("{x:.4}")
}

/// Decimals a perplexity is printed with: fewer as it grows.
pub fn ppl_decimals(ppl: f64) -> usize {
    if ppl < 1000.0 {
        2
    } else if ppl < 10_000.0 {
        1
    } else {
        0
    }
}

/// Perplexity of a loss, e^loss, computed from the loss as printed so that
/// the two printed numbers agree exactly.
pub fn ppl(loss_value: f64) -> String {
    let shown: f64 = loss(loss_value).parse().unwrap_or(loss_value);
    let p = shown.exp();
    format!("{p:.*}", ppl_decimals(p))
}

/// Three significant digits with k/M/B/T: `719`, `1.87k`, `3.84M`.
pub fn si(x: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in UNITS {
        if x.abs() >= scale * 0.9995 {
            return format!("{}{unit}", three_digits(x / scale));
        }
    }
    three_digits(x)
}

fn three_digits(v: f64) -> String {
    if v.abs() >= 99.95 {
        format!("{v:.0}")
    } else if v.abs() >= 9.995 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Reads back what [`si`] printed.
#[cfg(test)]
pub fn parse_si(s: &str) -> Option<f64> {
    let (num, scale) = match s.chars().last()? {
        'k' => (&s[..s.len() - 1], 1e3),
        'M' => (&s[..s.len() - 1], 1e6),
        'B' => (&s[..s.len() - 1], 1e9),
        'T' => (&s[..s.len() - 1], 1e12),
        _ => (s, 1.0),
    };
    num.parse::<f64>().ok().map(|v| v * scale)
}

/// tqdm's clock: `mm:ss`, or `h:mm:ss` past an hour (hours past 24 too).
pub fn tqdm_time(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// tqdm's rate from a step time: `2.38it/s`, or `1.42s/it` when slower
/// than one step a second.
pub fn rate(step_seconds: f64) -> String {
    if step_seconds <= 1.0 {
        format!("{:.2}it/s", 1.0 / step_seconds)
    } else {
        format!("{step_seconds:.2}s/it")
    }
}

/// tqdm's percentage: floor(100 n / total).
pub fn percent(n: u64, total: u64) -> u64 {
    (100 * n).checked_div(total).unwrap_or(0)
}

/// Decimal gigabytes, as storage is sold and HF prints shard sizes.
pub fn gb(bytes: f64) -> String {
    if bytes >= 1e12 {
        format!("{:.2} TB", bytes / 1e12)
    } else {
        format!("{:.2} GB", bytes / 1e9)
    }
}

/// A learning rate in the bar: `2.871e-04`.
pub fn lr(x: f64) -> String {
    sci(x, 3).replace('E', "e")
}

/// `1,234,567`.
pub fn grouped(n: u64) -> String {
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

/// A parameter count the way model cards say it: `1.24B`, `361.8M`.
pub fn params(n: u64) -> String {
    if n >= 1_000_000_000 {
        format!("{:.2}B", n as f64 / 1e9)
    } else {
        format!("{:.1}M", n as f64 / 1e6)
    }
}

/// A step time in ms with one decimal, as Megatron prints it.
pub fn ms(time_ms: u64) -> String {
    format!("{:.1}", time_ms as f64)
}

/// The fields of a Megatron-LM iteration line, in Megatron's order, each
/// with its priority (0 = always shown; higher numbers are dropped first on
/// narrow terminals).
pub fn megatron_fields(plan: &Plan, r: &StepRecord) -> Vec<(u8, String)> {
    let w = plan.steps.to_string().len() + 2;
    vec![
        (0, format!("iteration {:>w$}/{:>w$}", r.step, plan.steps)),
        (6, format!("consumed samples: {:>10}", r.consumed_samples)),
        (
            4,
            format!("elapsed time per iteration (ms): {}", ms(r.time_ms)),
        ),
        (
            5,
            format!("throughput per GPU (TFLOP/s/GPU): {:.1}", r.tflops_gpu),
        ),
        (3, format!("learning rate: {}", sci(r.lr, 6))),
        (7, format!("global batch size: {:>5}", plan.global_batch())),
        (1, format!("lm loss: {}", sci(r.loss, 6))),
        (8, "loss scale: 1.0".to_owned()),
        (2, format!("grad norm: {:.3}", r.grad_norm)),
        (9, "number of skipped iterations:   0".to_owned()),
        (9, "number of nan iterations:   0".to_owned()),
    ]
}

/// A Megatron-LM iteration line cut down to `width` columns by dropping
/// the least important fields (never cutting one in half); `stamp` is the
/// `[date time]` prefix, shown when there is room.
pub fn megatron_line(plan: &Plan, r: &StepRecord, stamp: &str, width: usize) -> String {
    let fields = megatron_fields(plan, r);
    let render = |max_prio: u8, with_stamp: bool| -> String {
        let mut line = String::from(" ");
        if with_stamp {
            line.push_str(&format!("[{stamp}] "));
        }
        for (prio, text) in &fields {
            if *prio <= max_prio {
                line.push_str(text);
                line.push_str(" | ");
            }
        }
        line.trim_end().to_owned()
    };
    let mut best = render(0, false);
    for prio in 0..=9 {
        let candidate = render(prio, false);
        if candidate.chars().count() <= width {
            best = candidate;
        }
    }
    let stamped = render(9, true);
    if best == render(9, false) && stamped.chars().count() <= width {
        return stamped;
    }
    best
}

/// Megatron's validation line: loss and perplexity in `%E`, or with plain
/// decimals when the terminal is too narrow for the full line.
pub fn validation_line(step: u32, loss_value: f64, width: usize) -> String {
    let shown = sci(loss_value, 6);
    let exact: f64 = shown.parse().unwrap_or(loss_value);
    let full = format!(
        " validation loss at iteration {step} | lm loss value: {shown} | lm loss PPL: {} |",
        sci(exact.exp(), 6)
    );
    if full.chars().count() <= width {
        return full;
    }
    format!(
        " validation loss at iteration {step} | lm loss: {} | PPL: {} |",
        loss(loss_value),
        ppl(loss_value)
    )
}
