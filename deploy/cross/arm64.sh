#!/usr/bin/env bash
# Cross-builds LASR Kiosk for arm64 (Raspberry Pi 4/5, Raspberry Pi OS
# bookworm 64-bit) and runs the tests under qemu-user, inside a Debian
# bookworm chroot made with mmdebstrap, so the build machine's own packages
# are left alone (arm64 -dev packages and a foreign architecture are not
# something to add to a shared machine).
#
#   deploy/cross/arm64.sh [headless|gui]     (default: headless)
#
# headless  the core, lasr-kioskctl and their tests (preset "headless")
# gui       everything, including lasr-kiosk, plus the arm64 .deb
#
# Needs root (chroot), mmdebstrap and network access to the Debian mirror.
# The chroot is cached in build-cross/root (about 2 GB); delete it to start
# over. Output: build-cross/root/build/arm64-<what> (kept between runs, so a
# second run rebuilds only what changed), logs in build-cross/*.log, and
# for gui the arm64 .deb in build-cross/.
set -euo pipefail

WHAT=${1:-headless}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$HERE/build-cross
ROOT=$OUT/root
MIRROR=${LASR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${LASR_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

# Build machine (amd64) tools, and the arm64 libraries the build links.
HOST_PKGS=(build-essential cmake ninja-build pkg-config git g++-aarch64-linux-gnu qemu-user-static
  nlohmann-json3-dev libcli11-dev ffmpeg fonts-noto-core fonts-dejavu-core dpkg-dev file)
ARM_PKGS=(libc6-dev:arm64 libstdc++-12-dev:arm64 libtomlplusplus-dev:arm64 libsodium-dev:arm64 libsqlite3-dev:arm64
  libcurl4-openssl-dev:arm64 libmpv-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64 libsystemd-dev:arm64
  libjack-jackd2-dev:arm64)  # jackd2, as ffmpeg (amd64) has: jack1 for arm64 would conflict
ARM_GUI_PKGS=(libglfw3-dev:arm64 libimgui-dev:arm64 libstb-dev:arm64 libgl-dev:arm64 libegl-dev:arm64)

log() { echo "arm64: $*"; }

mkdir -p "$OUT"
if [[ ! -x $ROOT/usr/bin/aarch64-linux-gnu-g++ ]]; then
  log "creating the bookworm chroot (amd64 + arm64) in $ROOT"
  rm -rf "$ROOT"
  inc=$(IFS=,; echo "${HOST_PKGS[*]},${ARM_PKGS[*]}")
  mmdebstrap --mode=root --variant=apt --architectures=amd64,arm64 --include="$inc" bookworm "$ROOT" \
    "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" "deb $SECURITY bookworm-security main"
fi

in_root() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 bash -c "$1"
}
cleanup() { mountpoint -q "$ROOT/proc" && umount "$ROOT/proc" || true; }
trap cleanup EXIT

# The lists may have grown since the chroot was made: install what is missing.
want=("${HOST_PKGS[@]}" "${ARM_PKGS[@]}")
[[ $WHAT == gui ]] && want+=("${ARM_GUI_PKGS[@]}")
log "checking the chroot's packages"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
if ! ls "$ROOT"/var/lib/apt/lists/*Packages* >/dev/null 2>&1; then
  in_root "apt-get update -q" >"$OUT/apt-update.log" 2>&1 || { tail -5 "$OUT/apt-update.log"; exit 1; }
fi
in_root "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${want[*]}" \
  >"$OUT/apt-$WHAT.log" 2>&1 || { log "apt-get failed (see $OUT/apt-$WHAT.log):"; tail -20 "$OUT/apt-$WHAT.log"; exit 1; }

log "copying the source tree"
rm -rf "$ROOT/src"; mkdir -p "$ROOT/src"
(cd "$HERE" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$ROOT/src"

BUILD=/build/arm64-headless; GUI=OFF
[[ $WHAT == gui ]] && { BUILD=/build/arm64-gui; GUI=ON; }
log "configuring and building ($WHAT) in $BUILD"
t0=$(date +%s)
in_root "cd /src && cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLASR_WERROR=ON \
  -DLASR_BUILD_GUI=$GUI -DCMAKE_TOOLCHAIN_FILE=deploy/cross/aarch64-linux-gnu.cmake >/dev/null && cmake --build $BUILD -j \$(nproc)" \
  >"$OUT/build-$WHAT.log" 2>&1 || { log "build failed (see $OUT/build-$WHAT.log):"; tail -30 "$OUT/build-$WHAT.log"; exit 1; }
log "built in $(( $(date +%s) - t0 )) s:"
in_root "file $BUILD/bin/* | sed 's|, BuildID.*||'"

# qemu-user runs one arm64 process; without binfmt_misc (a container's
# kernel setting), an arm64 test cannot exec another arm64 program, so
# the tests that start lasr-kioskctl or a child process are excluded here.
EXCLUDE=${LASR_ARM64_CTEST_EXCLUDE:-'KioskCtl\.|ProvisionCommand\.|UsageLogKill|KioskEndToEnd|e2e_'}
if [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then EXCLUDE='^$'; fi
log "running the tests under qemu-aarch64 (excluding: $EXCLUDE)"
t0=$(date +%s)
set +e
in_root "cd $BUILD && ctest -j 2 --output-on-failure -E '$EXCLUDE'" >"$OUT/ctest-$WHAT.log" 2>&1
rc=$?
set -e
tail -5 "$OUT/ctest-$WHAT.log"
log "tests took $(( $(date +%s) - t0 )) s, ctest exit $rc (log: $OUT/ctest-$WHAT.log)"

if [[ $WHAT == gui && $rc -eq 0 ]]; then
  log "packaging the arm64 .deb"
  # dpkg-shlibdeps must look up arm64 libraries: tell it the host architecture.
  in_root "cd $BUILD && DEB_HOST_ARCH=arm64 DEB_HOST_MULTIARCH=aarch64-linux-gnu cpack -G DEB" >"$OUT/cpack-gui.log" 2>&1 || { tail -20 "$OUT/cpack-gui.log"; exit 1; }
  cp "$ROOT"$BUILD/*.deb "$OUT"/ && ls -l "$OUT"/*.deb
  command -v lintian >/dev/null && lintian --pedantic "$OUT"/lasr-kiosk_*_arm64.deb || true
fi
exit $rc
