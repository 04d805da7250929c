#!/usr/bin/env bash
# Builds the host and every workspace module, and installs them under a
# prefix: the binary to PREFIX/bin/host, the modules to
# PREFIX/lib/host/modules, where the installed host finds them on its own.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/install.sh [OPTIONS]

Build the host and its modules and install them:
  PREFIX/bin/host                  the binary (mode 0755)
  PREFIX/lib/host/modules/lib*.so  every workspace module (mode 0644)
The installed host finds those modules by itself (<exe dir>/../lib/host/modules).

Options:
  --prefix DIR       install under DIR (default: ~/.local)
  --profile NAME     release (default) or debug: which build to make and install
  --target-dir DIR   cargo's target directory (default: $CARGO_TARGET_DIR,
                     else target/ in the repository)
  --no-build         install what is already built; do not run cargo
  --uninstall        remove what an earlier install under the prefix put there
  -h, --help         show this help

Examples:
  scripts/install.sh                          build in release mode, install to ~/.local
  scripts/install.sh --prefix /opt/host       another prefix (needs write access)
  scripts/install.sh --uninstall              undo the first example
EOF
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

# Paths given relative are taken from where the script was started.
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${HOME:?HOME is not set}/.local"
profile=release
target_dir="${CARGO_TARGET_DIR:-}"
build=1
uninstall=0

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --profile) [ $# -ge 2 ] || die "--profile needs release or debug"; profile="$2"; shift 2 ;;
    --profile=*) profile="${1#*=}"; shift ;;
    --target-dir) [ $# -ge 2 ] || die "--target-dir needs a directory"; target_dir="$2"; shift 2 ;;
    --target-dir=*) target_dir="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument \`$1\` (see --help)" ;;
  esac
done

case "$profile" in
  release) cargo_profile=(--release) ;;
  debug) cargo_profile=() ;;
  *) die "--profile must be release or debug, not \`$profile\`" ;;
esac
[ -n "$prefix" ] || die "--prefix must not be empty"
prefix="$(absolute "$prefix")"
target_dir="$(absolute "${target_dir:-$root/target}")"

bin_dir="$prefix/bin"
module_dir="$prefix/lib/host/modules"
# What this script installed, one path per line: --uninstall removes exactly
# these files and nothing else (other modules may live in the same place).
manifest="$prefix/lib/host/installed-files"

if [ "$uninstall" = 1 ]; then
  [ -f "$manifest" ] || die "nothing to uninstall: no $manifest (was it installed with --prefix $prefix?)"
  while IFS= read -r file; do
    case "$file" in
      "$prefix"/*) ;;
      *) echo "skipped $file: not under $prefix" >&2; continue ;;
    esac
    if [ -e "$file" ] || [ -L "$file" ]; then
      rm -f -- "$file"
      echo "removed $file"
    fi
  done <"$manifest"
  rm -f -- "$manifest"
  # Remove the directories only if nothing else lives there.
  rmdir -- "$module_dir" "$prefix/lib/host" 2>/dev/null || true
  echo "uninstalled from $prefix"
  exit 0
fi

# The workspace modules: one crate per directory of modules/. The library
# of crate `foo-bar` is libfoo_bar.so; only those files are installed, never
# any other .so that happens to be in the target directory.
modules=()
for manifest_toml in "$root"/modules/*/Cargo.toml; do
  [ -f "$manifest_toml" ] || continue
  name="$(basename "$(dirname "$manifest_toml")")"
  modules+=("${name//-/_}")
done
[ ${#modules[@]} -gt 0 ] || die "no module crates found in $root/modules"

if [ "$build" = 1 ]; then
  command -v cargo >/dev/null || die "cargo not found: install Rust from https://rustup.rs"
  echo "building the host and ${#modules[@]} modules ($profile) ..."
  (cd "$root" && CARGO_TARGET_DIR="$target_dir" cargo build "${cargo_profile[@]}")
fi

built="$target_dir/$profile"
[ -x "$built/host" ] || die "$built/host is missing: build first (or drop --no-build)"
for m in "${modules[@]}"; do
  [ -f "$built/lib$m.so" ] || die "$built/lib$m.so is missing: build first (or drop --no-build)"
done

# New directories get mode 0755; an existing bin directory keeps its mode.
# The module directory is always 0755: the host refuses module files and
# directories that group or others can write.
for dir in "$bin_dir" "$prefix/lib/host" "$module_dir"; do
  [ -d "$dir" ] || install -d -m 0755 "$dir"
done
chmod 0755 "$prefix/lib/host" "$module_dir"

# `install` removes the old file before writing the new one, so a host that
# is running keeps its own copy of the old libraries mapped.
installed=("$bin_dir/host")
install -m 0755 "$built/host" "$bin_dir/host"
echo "installed $bin_dir/host"
for m in "${modules[@]}"; do
  install -m 0644 "$built/lib$m.so" "$module_dir/lib$m.so"
  installed+=("$module_dir/lib$m.so")
done
echo "installed ${#modules[@]} modules to $module_dir: ${modules[*]}"

# Keep the entries of an earlier install that this one did not replace, so
# --uninstall still finds a module that has since left the workspace.
{
  [ -f "$manifest" ] && cat "$manifest"
  printf '%s\n' "${installed[@]}"
} | sort -u >"$manifest.new"
mv -f "$manifest.new" "$manifest"
chmod 0644 "$manifest"

echo
echo "run it:"
echo "  $bin_dir/host --list      the installed modules"
echo "  $bin_dir/host             busy work, until Ctrl-C"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "($bin_dir is not in your PATH; add it to call plain \`host\`)" ;;
esac
printf 'undo it: scripts/install.sh --uninstall --prefix %q\n' "$prefix"
