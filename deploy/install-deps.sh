#!/usr/bin/env bash
# Installs exactly the Debian 12 / Raspberry Pi OS bookworm packages that
# building, testing and running the demo need. Idempotent: packages that are
# already installed are skipped, and apt is not touched when nothing is missing.
#
#   deploy/install-deps.sh            build + test + demo packages
#   deploy/install-deps.sh --package  ... and what `make package` needs (lintian)
#   deploy/install-deps.sh --chroot   ... and the install test's tools (mmdebstrap)
#   deploy/install-deps.sh --print    list the packages, install nothing
# (--package/--chroot combine with --print.) `make test` installs only the
# first group: CI never pulls in lintian or mmdebstrap.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries (each used by exactly one library target, see README)
  libmpv-dev libimgui-dev libstb-dev libglfw3-dev libgl-dev libegl-dev
  libsqlite3-dev libcurl4-openssl-dev libsodium-dev libssl-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libqrencode-dev libsystemd-dev
  libcsv-dev                     # RFC 4180 CSV (partner directories from spreadsheets and 211 exports)
  # tests (nginx: a real HTTP server on 127.0.0.1; clang: the libFuzzer target)
  libgtest-dev libgmock-dev nginx clang
  libcpp-httplib-dev             # the local xAPI endpoint of the usage-sync tests
  # content signing (Debian's minisign signs and verifies our packs too)
  minisign
  # fonts for the UI and for captions (libass)
  fonts-noto-core fonts-dejavu-core fontconfig
  # demo content generation and headless display
  ffmpeg xvfb xauth libgl1-mesa-dri mesa-utils
  # benchmarks: plain mpv is the peer the kiosk's playback is measured against;
  # Xlib: the playback bench watches the screen for each first frame
  mpv libx11-dev
)

# make package: build the .deb (CPack runs dpkg-shlibdeps and file) and lint it.
PACKAGE_PACKAGES=(dpkg-dev file lintian)
# deploy/test/install-test.sh: a bookworm chroot, and systemd-analyze.
CHROOT_PACKAGES=(mmdebstrap systemd)

print=0
for arg in "$@"; do
  case "$arg" in
    --print) print=1 ;;
    --package) PACKAGES+=("${PACKAGE_PACKAGES[@]}") ;;
    --chroot) PACKAGES+=("${PACKAGE_PACKAGES[@]}" "${CHROOT_PACKAGES[@]}") ;;
    *) echo "install-deps: unknown option $arg (try --print, --package, --chroot)" >&2; exit 2 ;;
  esac
done

if [[ $print -eq 1 ]]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
