//! Where modules are searched, which files are considered, and the registry
//! of what loaded and what did not.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::cli::MODULE_PATH_ENV;
use crate::loader::{self, Loaded};

/// Why a directory is searched; shown by `--list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--module-path`.
    Flag,
    /// `$HOST_MODULE_PATH`.
    Env,
    /// The user's data directory.
    User,
    /// `<exe dir>/../lib/host/modules`.
    Install,
    /// The executable's own directory.
    ExeDir,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Flag => "--module-path",
            Origin::Env => MODULE_PATH_ENV,
            Origin::User => "user data dir",
            Origin::Install => "install prefix",
            Origin::ExeDir => "beside the host",
        })
    }
}

/// The search path, in order: flags, environment, user, install prefix,
/// the executable's directory. Never the current directory; relative entries
/// of the environment variable are ignored for that reason.
pub fn search_dirs(flag_dirs: &[PathBuf], env: Option<&std::ffi::OsStr>) -> Vec<(PathBuf, Origin)> {
    let mut dirs: Vec<(PathBuf, Origin)> = flag_dirs
        .iter()
        .map(|d| (d.clone(), Origin::Flag))
        .collect();
    if let Some(env) = env {
        dirs.extend(
            std::env::split_paths(env)
                .filter(|p| p.is_absolute())
                .map(|p| (p, Origin::Env)),
        );
    }
    if let Some(data) = dirs::data_dir() {
        dirs.push((data.join("host").join("modules"), Origin::User));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        if let Some(prefix) = exe_dir.parent() {
            dirs.push((
                prefix.join("lib").join("host").join("modules"),
                Origin::Install,
            ));
        }
        dirs.push((exe_dir, Origin::ExeDir));
    }
    dirs
}

/// A loaded module and where it came from.
#[derive(Debug)]
pub struct Entry {
    /// The library's path.
    pub path: PathBuf,
    /// Which search-path entry found it.
    pub origin: Origin,
    /// The checked module.
    pub module: Loaded,
}

/// Everything discovery found.
#[derive(Debug, Default)]
pub struct Registry {
    /// Usable modules, in search order, unique by name.
    pub modules: Vec<Entry>,
    /// Files that could not be used, with the reason.
    pub failures: Vec<(PathBuf, String)>,
    /// Non-fatal problems (a name shadowed by an earlier module).
    pub warnings: Vec<String>,
}

impl Registry {
    /// The module called `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.modules.iter().find(|e| e.module.info.name == name)
    }
}

/// Searches `dirs` and loads every candidate. Bad files never stop the good
/// ones from loading.
pub fn discover(dirs: &[(PathBuf, Origin)]) -> Registry {
    let mut registry = Registry::default();
    let mut seen_files: HashSet<(u64, u64)> = HashSet::new();
    let mut seen_dirs: HashSet<(u64, u64)> = HashSet::new();
    for (dir, origin) in dirs {
        let Ok(meta) = fs::metadata(dir) else {
            continue; // A missing default directory is normal.
        };
        if !meta.is_dir() || !seen_dirs.insert((meta.dev(), meta.ino())) {
            continue;
        }
        if let Err(why) = check_permissions(&meta) {
            registry
                .failures
                .push((dir.clone(), format!("directory skipped: {why}")));
            continue;
        }
        for path in candidates(dir) {
            let Ok(meta) = fs::metadata(&path) else {
                continue;
            };
            if !meta.is_file() || !seen_files.insert((meta.dev(), meta.ino())) {
                continue; // The same file reached twice loads once.
            }
            if let Err(why) = check_permissions(&meta) {
                registry.failures.push((path, why));
                continue;
            }
            match loader::load(&path) {
                Ok(module) => add(
                    &mut registry,
                    Entry {
                        path,
                        origin: *origin,
                        module,
                    },
                ),
                Err(e) => registry.failures.push((path, e.to_string())),
            }
        }
    }
    registry
}

/// Adds a module unless its name is taken: the first in search order wins.
fn add(registry: &mut Registry, entry: Entry) {
    let name = &entry.module.info.name;
    if let Some(first) = registry.get(name).map(|e| e.path.display().to_string()) {
        registry.warnings.push(format!(
            "module `{name}` in {} is shadowed by the one in {first} (the first in search order wins)",
            entry.path.display(),
        ));
        registry.failures.push((
            entry.path,
            format!("duplicate module name `{name}`, already loaded from {first}"),
        ));
        return;
    }
    registry.modules.push(entry);
}

/// Library files in `dir`, sorted by name so the search order is stable.
fn candidates(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(std::env::consts::DLL_SUFFIX) && !n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Opening a library runs its code, so, like sudo, refuse files and
/// directories that someone else could have written.
pub fn check_permissions(meta: &fs::Metadata) -> Result<(), String> {
    let mode = meta.permissions().mode();
    let what = if meta.is_dir() { "directory" } else { "file" };
    if mode & 0o002 != 0 {
        return Err(format!(
            "{what} is writable by others (mode {:o}): anyone could replace the module; run `chmod o-w` on it",
            mode & 0o7777
        ));
    }
    if mode & 0o020 != 0 {
        return Err(format!(
            "{what} is writable by its group (mode {:o}): the group could replace the module; run `chmod g-w` on it",
            mode & 0o7777
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order_is_flags_env_then_defaults() {
        let env = std::env::join_paths(["/opt/a", "relative/b", "/opt/c"]).unwrap();
        let dirs = search_dirs(&[PathBuf::from("/flag")], Some(&env));
        let origins: Vec<Origin> = dirs.iter().map(|d| d.1).collect();
        assert_eq!(dirs[0], (PathBuf::from("/flag"), Origin::Flag));
        assert_eq!(dirs[1], (PathBuf::from("/opt/a"), Origin::Env));
        // Relative entries would search the current directory: dropped.
        assert_eq!(dirs[2], (PathBuf::from("/opt/c"), Origin::Env));
        assert_eq!(origins.last(), Some(&Origin::ExeDir));
        assert!(origins.contains(&Origin::Install));
        let cwd = std::env::current_dir().unwrap();
        assert!(dirs.iter().all(|(d, o)| d != &cwd || *o == Origin::ExeDir));
    }
}
