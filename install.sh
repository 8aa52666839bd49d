#!/bin/sh
# Installs portctl on Linux and macOS from a GitHub release, after checking its SHA-256.
#
#   curl -fsSL https://github.com/portctl/portctl/releases/latest/download/install.sh | sh
#   sh install.sh [DIR]                 # install into DIR instead of ~/.local/bin
#
# Environment:
#   PORTCTL_INSTALL_DIR   where to put portctl (default ~/.local/bin; an argument wins)
#   PORTCTL_VERSION       a release tag such as v0.1.0 (default: the latest release)
#   PORTCTL_DOWNLOAD_URL  a base URL holding the archives and SHA256SUMS (a mirror, a local test
#                         server); overrides PORTCTL_VERSION
#   PORTCTL_REPO          owner/name of the GitHub repository (default portctl/portctl)
#   PORTCTL_DOWNLOADER    curl or wget (default: whichever is installed, curl first)
#
# Exit codes: 0 installed; 1 failed (unsupported system, download, checksum), nothing installed;
# 2 bad usage.
set -eu

say() { printf '%s\n' "$*"; }
die() {
  printf 'portctl install: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'USAGE'
usage: install.sh [DIR]

Installs portctl from a GitHub release into DIR (default: $PORTCTL_INSTALL_DIR, else
~/.local/bin) after checking the archive's SHA-256 against the release's SHA256SUMS.

Environment: PORTCTL_INSTALL_DIR, PORTCTL_VERSION (tag, default latest), PORTCTL_DOWNLOAD_URL
(base URL of a release or mirror), PORTCTL_REPO (owner/name), PORTCTL_DOWNLOADER (curl|wget)
Exit codes: 0 installed, 1 failed (nothing installed), 2 bad usage
USAGE
}

dir_arg=""
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      printf 'portctl install: unknown option "%s": the only argument is a folder to install into\n' "$arg" >&2
      exit 2
      ;;
    *)
      if [ -n "$dir_arg" ]; then
        printf 'portctl install: give at most one folder (got "%s" and "%s")\n' "$dir_arg" "$arg" >&2
        exit 2
      fi
      dir_arg=$arg
      ;;
  esac
done

# --- which release asset fits this machine --------------------------------------------------
detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no prebuilt portctl for the $arch processor; build it from source (see the README)" ;;
  esac
  case "$os" in
    Linux)
      if ldd --version 2>&1 | grep -qi musl; then
        die "the prebuilt portctl needs glibc and this system uses musl; build it from source (see the README)"
      fi
      printf '%s-unknown-linux-gnu\n' "$arch"
      ;;
    Darwin)
      # An x86_64 shell under Rosetta still gets the native arm64 binary.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
        arch=aarch64
      fi
      printf '%s-apple-darwin\n' "$arch"
      ;;
    *) die "install.sh is for Linux and macOS; on Windows use install.ps1 (see the README)" ;;
  esac
}

# --- downloads ------------------------------------------------------------------------------
downloader=${PORTCTL_DOWNLOADER:-}
if [ -z "$downloader" ]; then
  if command -v curl >/dev/null 2>&1; then
    downloader=curl
  elif command -v wget >/dev/null 2>&1; then
    downloader=wget
  else
    die "needs curl or wget to download portctl"
  fi
fi

fetch() { # fetch URL FILE
  case "$downloader" in
    curl) curl --fail --silent --show-error --location --retry 2 --output "$2" "$1" 2>/dev/null ;;
    wget) wget --quiet --output-document="$2" "$1" 2>/dev/null ;;
    *) die "PORTCTL_DOWNLOADER must be curl or wget, not \"$downloader\"" ;;
  esac || die "could not download $1"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "needs sha256sum or shasum to check the download"
  fi
}

# --- main -----------------------------------------------------------------------------------
target=$(detect_target)
archive="portctl-$target.tar.gz"
repo=${PORTCTL_REPO:-portctl/portctl}
if [ -n "${PORTCTL_DOWNLOAD_URL:-}" ]; then
  base=${PORTCTL_DOWNLOAD_URL%/}
elif [ -n "${PORTCTL_VERSION:-}" ]; then
  base="https://github.com/$repo/releases/download/$PORTCTL_VERSION"
else
  base="https://github.com/$repo/releases/latest/download"
fi
if [ -n "$dir_arg" ]; then
  install_dir=$dir_arg
elif [ -n "${PORTCTL_INSTALL_DIR:-}" ]; then
  install_dir=$PORTCTL_INSTALL_DIR
else
  [ -n "${HOME:-}" ] || die "HOME is not set: give the folder to install into as an argument"
  install_dir="$HOME/.local/bin"
fi

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t portctl)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

say "downloading $base/$archive"
fetch "$base/$archive" "$tmp/$archive"
fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS"

expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS has no line for $archive; nothing installed"
actual=$(sha256_of "$tmp/$archive")
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for $archive (expected $expected, got $actual); nothing installed"
fi
say "checksum ok ($actual)"

mkdir "$tmp/unpacked"
tar -xzf "$tmp/$archive" -C "$tmp/unpacked" || die "could not unpack $archive; nothing installed"
[ -f "$tmp/unpacked/portctl" ] || die "$archive has no portctl binary; nothing installed"

mkdir -p "$install_dir" || die "cannot create $install_dir"
# Copy next to the destination, then rename: a running portctl is never half-overwritten.
cp "$tmp/unpacked/portctl" "$install_dir/.portctl.tmp.$$" || die "cannot write to $install_dir"
chmod 755 "$install_dir/.portctl.tmp.$$"
mv -f "$install_dir/.portctl.tmp.$$" "$install_dir/portctl" || die "cannot write to $install_dir"

version=$("$install_dir/portctl" --version 2>/dev/null || true)
say "installed ${version:-portctl} to $install_dir/portctl"
case ":${PATH:-}:" in
  *":$install_dir:"*) ;;
  *) say "note: $install_dir is not on your PATH; add it, e.g. export PATH=\"$install_dir:\$PATH\"" ;;
esac
