//! Seeded draws that several modules make the same way (feature `rand`).
//!
//! Every helper takes the module's own generator, any [`rand::Rng`], so the
//! kit imposes no generator and the same seed still reproduces a session.
//! Each one documents the draws it makes, in order: switching a module to a
//! helper keeps its output byte for byte.

use std::ops::{Range, RangeInclusive};
use std::time::Duration;

use rand::{Rng, RngExt};

/// How long a session lasts: one time in ten `short`, one in ten `long`,
/// otherwise `typical`, each a whole number of seconds drawn uniformly from
/// its range.
///
/// Draws an `i32` in `0..10`, then the seconds (`u64`) from the chosen range.
///
/// ```
/// use plugin_api::kit::random::session_length;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(7);
/// let session = session_length(&mut rng, 20..50, 50..150, 150..200);
/// assert!((20..200).contains(&session.as_secs()));
/// ```
///
/// # Panics
///
/// If the range it picks is empty.
pub fn session_length<R: Rng + ?Sized>(
    rng: &mut R,
    short: Range<u64>,
    typical: Range<u64>,
    long: Range<u64>,
) -> Duration {
    let secs = match rng.random_range(0..10_i32) {
        0 => rng.random_range(short),
        1 => rng.random_range(long),
        _ => rng.random_range(typical),
    };
    Duration::from_secs(secs)
}

/// One step of a random walk: `value` moved by up to `step` either way, then
/// held within `bounds`. For a link's speed factor that wanders around 1.
///
/// Draws one `f64` in `-step..step`.
///
/// ```
/// use plugin_api::kit::random::drift;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(7);
/// let mut speed = 1.0;
/// for _ in 0..1000 {
///     speed = drift(&mut rng, speed, 0.1, 0.6..=1.35);
///     assert!((0.6..=1.35).contains(&speed));
/// }
/// ```
///
/// # Panics
///
/// If `step` is not positive or `bounds` is empty.
pub fn drift<R: Rng + ?Sized>(
    rng: &mut R,
    value: f64,
    step: f64,
    bounds: RangeInclusive<f64>,
) -> f64 {
    (value + rng.random_range(-step..step)).clamp(*bounds.start(), *bounds.end())
}

/// A random id in UUID form, `8-4-4-4-12` lowercase hex digits, with no
/// version or variant bits set (a subscription id, an object key).
///
/// Draws 32 `u32`s in `0..16`, one per digit, left to right.
///
/// ```
/// use plugin_api::kit::random::uuid;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let id = uuid(&mut SmallRng::seed_from_u64(7));
/// let groups: Vec<usize> = id.split('-').map(str::len).collect();
/// assert_eq!(groups, [8, 4, 4, 4, 12]);
/// assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
/// ```
pub fn uuid<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut group = |len| super::hex_digits(len, || rng.random_range(0..16));
    format!(
        "{}-{}-{}-{}-{}",
        group(8),
        group(4),
        group(4),
        group(4),
        group(12)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    /// The helpers make exactly the draws the modules made inline before.
    #[test]
    fn draws_match_the_inline_code() {
        let mut a = SmallRng::seed_from_u64(3);
        let mut b = a.clone();
        for _ in 0..200 {
            let secs = match b.random_range(0..10) {
                0 => b.random_range(20..50),
                1 => b.random_range(150..200),
                _ => b.random_range(50..150),
            };
            assert_eq!(
                session_length(&mut a, 20..50, 50..150, 150..200),
                Duration::from_secs(secs)
            );
            let speed = (1.0_f64 + b.random_range(-0.12..0.12)).clamp(0.55, 1.4);
            assert_eq!(drift(&mut a, 1.0, 0.12, 0.55..=1.4), speed);
            let id = format!(
                "{}-{}-{}-{}-{}",
                crate::kit::hex_digits(8, || b.random_range(0..16)),
                crate::kit::hex_digits(4, || b.random_range(0..16)),
                crate::kit::hex_digits(4, || b.random_range(0..16)),
                crate::kit::hex_digits(4, || b.random_range(0..16)),
                crate::kit::hex_digits(12, || b.random_range(0..16))
            );
            assert_eq!(uuid(&mut a), id);
        }
    }

    #[test]
    fn works_with_unsized_generators() {
        let mut rng = SmallRng::seed_from_u64(1);
        let dyn_rng: &mut dyn rand::Rng = &mut rng;
        assert_eq!(uuid(dyn_rng).len(), 36);
    }
}
