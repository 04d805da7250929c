//! Pure helpers for the composer module: package sets, versions and the
//! counted phrases composer prints, kept apart from printing so the numbers
//! can be tested.

/// An installed (or about to be installed) package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: &'static str,
    pub version: String,
}

/// What an operation does to one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Install(Package),
    Upgrade {
        name: &'static str,
        from: String,
        to: String,
    },
    Remove(Package),
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Install(p) | Op::Remove(p) => p.name,
            Op::Upgrade { name, .. } => name,
        }
    }
}

/// The `(installs, updates, removals)` counts of a list of operations.
pub fn tally(ops: &[Op]) -> (usize, usize, usize) {
    let installs = ops.iter().filter(|o| matches!(o, Op::Install(_))).count();
    let updates = ops
        .iter()
        .filter(|o| matches!(o, Op::Upgrade { .. }))
        .count();
    let removals = ops.iter().filter(|o| matches!(o, Op::Remove(_))).count();
    (installs, updates, removals)
}

/// "42 installs, 1 update, 0 removals", pluralised the way composer does.
pub fn operations_phrase(ops: &[Op]) -> String {
    let (i, u, r) = tally(ops);
    format!(
        "{i} install{}, {u} update{}, {r} removal{}",
        plural(i),
        plural(u),
        plural(r)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A plausible previous release of `version`: `v7.1.5` -> `v7.1.4`,
/// `2.0` -> `1.9`, `3.0.0` -> `2.9.<n>`. `n` picks a patch level where one
/// has to be made up.
pub fn older_version(version: &str, n: u32) -> String {
    let (prefix, digits) = match version.strip_prefix('v') {
        Some(rest) => ("v", rest),
        None => ("", version),
    };
    let mut parts: Vec<u64> = digits.split('.').filter_map(|p| p.parse().ok()).collect();
    if parts.is_empty() {
        return version.to_owned();
    }
    // Find the last non-zero component, decrement it, and fill the rest
    // below it with a made-up but plausible number.
    match parts.iter().rposition(|&p| p > 0) {
        Some(i) => {
            parts[i] -= 1;
            for (k, p) in parts.iter_mut().enumerate().skip(i + 1) {
                *p = u64::from(if k == i + 1 { n % 10 } else { n % 5 });
            }
        }
        None => return version.to_owned(),
    }
    let text: Vec<String> = parts.iter().map(u64::to_string).collect();
    format!("{prefix}{}", text.join("."))
}

/// Whether a package belongs with a Laravel application rather than a
/// Symfony one (and the other way round), so that projects look coherent.
pub fn flavour_of(name: &str) -> Option<Flavour> {
    const LARAVEL: [&str; 12] = [
        "laravel/",
        "illuminate/",
        "spatie/laravel",
        "barryvdh/laravel",
        "livewire/",
        "inertiajs/",
        "tightenco/",
        "larastan/",
        "maatwebsite/",
        "sentry/sentry-laravel",
        "pestphp/pest-plugin-laravel",
        "nunomaduro/",
    ];
    const SYMFONY: [&str; 12] = [
        "-bundle",
        "symfony/flex",
        "symfony/runtime",
        "api-platform/",
        "sonata-project/",
        "easycorp/",
        "knplabs/",
        "doctrine/orm",
        "doctrine/migrations",
        "jms/",
        "liip/",
        "vich/",
    ];
    if LARAVEL.iter().any(|k| name.contains(k)) {
        Some(Flavour::Laravel)
    } else if SYMFONY.iter().any(|k| name.contains(k)) {
        Some(Flavour::Symfony)
    } else {
        None
    }
}

/// The kind of project a session works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Laravel,
    Symfony,
    Library,
}

/// Whether `name` may appear in a project of `flavour`.
pub fn fits(name: &str, flavour: Flavour) -> bool {
    match flavour_of(name) {
        None => true,
        Some(f) => f == flavour,
    }
}

/// The lines of composer's audit verdict for `advisories` affecting
/// `packages` distinct packages.
pub fn audit_message(advisories: usize, packages: usize) -> String {
    if advisories == 0 {
        "No security vulnerability advisories found.".to_owned()
    } else {
        format!(
            "Found {advisories} security vulnerability advisor{} affecting {packages} package{}.",
            if advisories == 1 { "y" } else { "ies" },
            plural(packages)
        )
    }
}

/// `(advisories, packages)` for an audit: every advisory whose package is
/// vulnerable counts, and each such package counts once.
pub fn audit_counts(advisories: &[&str], vulnerable: impl Fn(&str) -> bool) -> (usize, usize) {
    let hits: Vec<&str> = advisories
        .iter()
        .copied()
        .filter(|n| vulnerable(n))
        .collect();
    let mut packages = hits.clone();
    packages.sort_unstable();
    packages.dedup();
    (hits.len(), packages.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &'static str) -> Package {
        Package {
            name,
            version: "1.0.0".into(),
        }
    }

    #[test]
    fn phrase_counts_each_kind() {
        let ops = vec![
            Op::Install(pkg("a/a")),
            Op::Install(pkg("b/b")),
            Op::Upgrade {
                name: "c/c",
                from: "1.0".into(),
                to: "1.1".into(),
            },
        ];
        assert_eq!(operations_phrase(&ops), "2 installs, 1 update, 0 removals");
        assert_eq!(
            operations_phrase(&[Op::Remove(pkg("a/a"))]),
            "0 installs, 0 updates, 1 removal"
        );
    }

    #[test]
    fn older_versions_are_older() {
        assert_eq!(older_version("v7.1.5", 3), "v7.1.4");
        assert_eq!(older_version("2.0", 7), "1.7");
        assert_eq!(older_version("3.0.0", 12), "2.2.2");
        assert_eq!(older_version("v1.31.0", 4), "v1.30.4");
        assert_eq!(older_version("0.0.0", 4), "0.0.0");
    }

    #[test]
    fn flavours_keep_projects_coherent() {
        assert!(fits("laravel/framework", Flavour::Laravel));
        assert!(!fits("laravel/framework", Flavour::Symfony));
        assert!(!fits("symfony/framework-bundle", Flavour::Laravel));
        assert!(fits("symfony/console", Flavour::Laravel));
        assert!(fits("guzzlehttp/guzzle", Flavour::Library));
        assert!(!fits("doctrine/doctrine-bundle", Flavour::Library));
    }

    #[test]
    fn audit_counts_each_package_once() {
        let list = ["a/a", "b/b", "a/a", "c/c"];
        assert_eq!(audit_counts(&list, |n| n != "c/c"), (3, 2));
        assert_eq!(audit_counts(&list, |_| false), (0, 0));
    }

    #[test]
    fn audit_wording() {
        assert_eq!(
            audit_message(0, 0),
            "No security vulnerability advisories found."
        );
        assert_eq!(
            audit_message(1, 1),
            "Found 1 security vulnerability advisory affecting 1 package."
        );
        assert_eq!(
            audit_message(3, 2),
            "Found 3 security vulnerability advisories affecting 2 packages."
        );
    }
}
