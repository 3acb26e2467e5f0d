#!/usr/bin/env bash
# Install test of the .deb in a clean Debian bookworm chroot (mmdebstrap, from
# the Debian mirror apt is configured with). Needs root. Not run by CI (it
# downloads a few hundred MB the first time); run it before a release:
#
#   make package && sudo deploy/test/install-test.sh [build/lasr-kiosk_*.deb]
#
# Checks: install with apt (Depends resolve), the lasr-kiosk system user and
# its directories, units enabled, systemd-analyze verify and security on the
# units, lasr-kioskctl --version / status (or verify-pack on a tiny pack),
# provisioning (good file with CRLF+BOM imported; bad file refused, config
# kept), conffile handling (remove + reinstall and upgrade keep an edited
# /etc/lasr-kiosk/kiosk.toml; purge deletes it, by definition), and a smoke
# run of the kiosk under a headless cage + Xwayland as the lasr-kiosk user,
# feeding READY=1 and WATCHDOG=1 to a notify socket.
#
# The base chroot (bookworm + systemd + the package's Depends) is cached as
# build-chroot/base-<hash>.tar; each run unpacks a fresh copy.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/../.." && pwd)
DEB=${1:-$(ls "$HERE"/build/lasr-kiosk_*_amd64.deb 2>/dev/null | head -1)}
[[ -f $DEB ]] || { echo "install-test: no .deb (run make package first)" >&2; exit 2; }
DEB=$(readlink -f "$DEB")
OUT=$HERE/build-chroot
ROOT=$OUT/root
MIRROR=${LASR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${LASR_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
T0=$(date +%s)
PASS=0 FAIL=0

say() { echo "install-test: $*"; }
ok() { PASS=$((PASS + 1)); echo "  ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "  FAIL $*"; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive bash -c "$1"; }
check_in() { local what=$1; shift; if in_root "$1" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- the base chroot ---------------------------------------------------------
# Depends with alternatives reduced to the first and versions dropped.
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$' | sort -u | paste -sd, -)
base=$OUT/base-$(echo "$deps" | sha256sum | cut -c1-12).tar
mkdir -p "$OUT"
if [[ ! -f $base ]]; then
  say "making the base chroot (bookworm + systemd + the package's Depends): $base"
  t=$(date +%s)
  mmdebstrap --mode=root --variant=apt --include="systemd,util-linux,$deps" bookworm "$base" \
    "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" "deb $SECURITY bookworm-security main" \
    >"$OUT/mmdebstrap.log" 2>&1 || { tail -20 "$OUT/mmdebstrap.log"; exit 1; }
  say "base chroot made in $(( $(date +%s) - t )) s"
fi
rm -rf "$ROOT"; mkdir -p "$ROOT"
tar -xf "$base" -C "$ROOT"
mount -t proc proc "$ROOT/proc"; mounts+=("$ROOT/proc")
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$ROOT/tmp/pkg"
cp "$DEB" "$ROOT/tmp/pkg/"
PKG=/tmp/pkg/$(basename "$DEB")
VERSION=$(dpkg-deb -f "$DEB" Version)

# --- install -----------------------------------------------------------------
say "installing $(basename "$DEB") with apt"
if in_root "apt-get install -y -q --no-install-recommends $PKG" >"$OUT/install.log" 2>&1; then
  ok "apt-get install $(basename "$DEB") (Depends resolve on bookworm)"
else
  bad "apt-get install (see $OUT/install.log)"; tail -20 "$OUT/install.log"; exit 1
fi
check_in "package is installed at $VERSION" "dpkg-query -W -f='\${Status} \${Version}' lasr-kiosk | grep -qx 'install ok installed $VERSION'"

say "user and directories"
check_in "system user lasr-kiosk (uid < 1000, nologin, home /var/lib/lasr-kiosk)" \
  "getent passwd lasr-kiosk | awk -F: '\$3 < 1000 && \$6 == \"/var/lib/lasr-kiosk\" && \$7 == \"/usr/sbin/nologin\" {ok=1} END {exit !ok}'"
check_in "group lasr-kiosk" "getent group lasr-kiosk"
# input and render are made by udev, which a chroot lacks: check the groups that exist.
for g in video audio input render; do
  if in_root "getent group $g" >/dev/null; then check_in "lasr-kiosk is in group $g" "id -nG lasr-kiosk | tr ' ' '\n' | grep -qx $g"; fi
done
for d in /var/lib/lasr-kiosk /var/cache/lasr-kiosk; do
  check_in "$d is lasr-kiosk:lasr-kiosk 0750" "[ \"\$(stat -c '%U:%G %a' $d)\" = 'lasr-kiosk:lasr-kiosk 750' ]"
done
check_in "/etc/lasr-kiosk/kiosk.toml is a conffile" "dpkg-query -W -f='\${Conffiles}' lasr-kiosk | grep -q '/etc/lasr-kiosk/kiosk.toml'"
check_in "/etc/pam.d/lasr-kiosk is a conffile" "dpkg-query -W -f='\${Conffiles}' lasr-kiosk | grep -q '/etc/pam.d/lasr-kiosk'"
check_in "lasr-kiosk.service enabled (multi-user.target.wants)" "test -L /etc/systemd/system/multi-user.target.wants/lasr-kiosk.service"
check_in "lasr-kiosk-provision.service enabled" "test -L /etc/systemd/system/multi-user.target.wants/lasr-kiosk-provision.service"
check_in "pam_systemd.so present (libpam-systemd)" "ls /lib/*/security/pam_systemd.so /usr/lib/*/security/pam_systemd.so 2>/dev/null | grep -q ."

say "systemd units"
units="/lib/systemd/system/lasr-kiosk.service /lib/systemd/system/lasr-kiosk-provision.service /lib/systemd/system/lasr-kiosk-retry.service /lib/systemd/system/lasr-kiosk-retry.timer"
if in_root "systemd-analyze verify $units" >"$OUT/verify.log" 2>&1 && ! grep -q . "$OUT/verify.log"; then
  ok "systemd-analyze verify: no findings on the 4 units"
else
  # verify prints findings for units it pulls in too; ours must be clean.
  if grep -q 'lasr-kiosk' "$OUT/verify.log"; then bad "systemd-analyze verify (see below)"; else ok "systemd-analyze verify: our units clean"; fi
  sed 's/^/    /' "$OUT/verify.log"
fi
for u in lasr-kiosk.service lasr-kiosk-provision.service; do
  score=$(in_root "systemd-analyze security --offline=yes /lib/systemd/system/$u" 2>&1 | grep 'Overall exposure' | sed 's/.*: //')
  say "  $u exposure: $score"
done
check_in "journald drop-in parses (systemd-analyze cat-config)" "systemd-analyze cat-config systemd/journald.conf | grep -q SystemMaxUse=200M"
check_in "tmpfiles.d entry applies cleanly" "systemd-tmpfiles --create lasr-kiosk.conf"

say "the executables"
in_root "lasr-kioskctl --version; lasr-kiosk --version" 2>&1 | sed 's/^/    /'
check_in "lasr-kioskctl --version" "lasr-kioskctl --version | grep -q '^lasr-kioskctl '"
check_in "lasr-kiosk --version (all its libraries resolve)" "lasr-kiosk --version | grep -q '^lasr-kiosk '"
check_in "no missing libraries (ldd)" "! ldd /usr/bin/lasr-kiosk /usr/bin/lasr-kioskctl | grep -q 'not found'"
# A tiny content pack, installed as the active content.
mkdir -p "$ROOT/var/lib/lasr-kiosk/content/current/media"
printf 'not a real video: only its hash is checked here\n' >"$ROOT/var/lib/lasr-kiosk/content/current/media/v1.mp4"
f=$ROOT/var/lib/lasr-kiosk/content/current/media/v1.mp4
cat >"$ROOT/var/lib/lasr-kiosk/content/current/manifest.json" <<JSON
{"format": "lasr-pack", "format_version": 1, "library_id": "demo-library", "library_name": "Install test",
 "version": 1, "issued": "2026-11-29T00:00:00Z", "languages": ["en"],
 "courses": [{"id": "c1", "title": {"en": "Install test course"},
   "videos": [{"id": "v1", "title": {"en": "Test video"}, "duration_s": 1,
     "file": {"path": "media/v1.mp4", "sha256": "$(sha256sum "$f" | cut -d' ' -f1)", "size": $(stat -c %s "$f")}}]}],
 "resources": [{"id": "r1", "name": "988 Suicide & Crisis Lifeline", "category": "crisis",
   "description": {"en": "Call or text 988"}, "phone": "988", "national": true}]}
JSON
in_root "chown -R lasr-kiosk:lasr-kiosk /var/lib/lasr-kiosk/content"
if in_root "lasr-kioskctl --help" 2>/dev/null | grep -q '^ *status'; then
  in_root "lasr-kioskctl status" 2>&1 | sed 's/^/    /'
  check_in "lasr-kioskctl status" "lasr-kioskctl status"
else
  say "  (lasr-kioskctl has no status command in this version: verify-pack instead)"
fi
check_in "lasr-kioskctl verify-pack on the installed pack" "lasr-kioskctl verify-pack /var/lib/lasr-kiosk/content/current | grep -q 'verify_pack ok'"
check_in "demo-pack finds its installed source" "lasr-kioskctl demo-pack --help | grep -q /usr/share/lasr-kiosk/demo/demo-content.json"

say "provisioning (as lasr-kiosk-provision.service runs it)"
cmd=$(sed -n 's/^ExecStart=//p' "$ROOT/lib/systemd/system/lasr-kiosk-provision.service")
mkdir -p "$ROOT/boot/firmware"
cp "$ROOT/etc/lasr-kiosk/kiosk.toml" "$OUT/kiosk.toml.shipped"
printf '\xef\xbb\xbf[kiosk]\r\nid = "branch-7"\r\nmode = "lobby"\r\n' >"$ROOT/boot/firmware/lasr-kiosk.toml"
check_in "a bad file (CRLF, BOM, mode = lobby) is refused" "! $cmd"
in_root "$cmd" 2>&1 | sed 's/^/    /' || true
check "  ... and the config is untouched" cmp "$ROOT/etc/lasr-kiosk/kiosk.toml" "$OUT/kiosk.toml.shipped"
printf '\xef\xbb\xbf[kiosk]\r\nid = "branch-7-lobby"\r\nlibrary_id = "demo-library"\r\n\r\n[player]\r\nhwdec = "drm-copy"\r\n' >"$ROOT/boot/firmware/lasr-kiosk.toml"
check_in "a good file (CRLF, BOM) is imported" "$cmd"
check_in "  ... the kiosk loads it (id branch-7-lobby)" "grep -q 'id = \"branch-7-lobby\"' /etc/lasr-kiosk/kiosk.toml && ! grep -q \$'\\r' /etc/lasr-kiosk/kiosk.toml"
check "  ... the old config is kept as kiosk.toml.previous" cmp "$ROOT/etc/lasr-kiosk/kiosk.toml.previous" "$OUT/kiosk.toml.shipped"
check_in "  ... and the next boot leaves it alone" "$cmd | grep -q 'imported before'"

say "the kiosk under a headless cage + Xwayland, as lasr-kiosk, with a notify socket"
cat >"$ROOT/tmp/smoke.script" <<'SCRIPT'
wait 3000
screenshot home
wait 2500
quit
SCRIPT
rm -f "$OUT/notify.sock"
python3 - "$ROOT/run/lasr-notify.sock" "$OUT/notify.txt" 25 <<'PY' &
import socket, sys, time, os
path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
try: os.unlink(path)
except FileNotFoundError: pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(path); os.chmod(path, 0o777)
s.settimeout(0.5); got = []; end = time.time() + secs
while time.time() < end:
    try: got.append(s.recv(4096).decode())
    except socket.timeout: pass
open(out, "w").write("\n".join(got) + "\n")
PY
listener=$!
sleep 1
# Under the unit, cage starts lasr-kiosk itself; here a shell in between
# records the exit code, so it stands in as the watchdog's main process.
cat >"$ROOT/tmp/smoke.sh" <<'SH'
#!/bin/sh
exec cage -d -- sh -c 'export WATCHDOG_PID=$$; lasr-kiosk --script /tmp/smoke.script --screenshot-dir /tmp/shots; echo kiosk_exit=$? >/tmp/shots/exit'
SH
chmod 0755 "$ROOT/tmp/smoke.sh"
in_root "install -d -o lasr-kiosk -g lasr-kiosk -m 0700 /tmp/xdg && install -d -o lasr-kiosk -m 0755 /tmp/shots && \
  setpriv --reuid lasr-kiosk --regid lasr-kiosk --init-groups env -i PATH=/usr/bin:/bin HOME=/var/lib/lasr-kiosk \
  XDG_RUNTIME_DIR=/tmp/xdg WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
  NOTIFY_SOCKET=/run/lasr-notify.sock WATCHDOG_USEC=4000000 timeout 20 /tmp/smoke.sh" >"$OUT/cage.log" 2>&1 || true
wait $listener || true
if grep -q 'kiosk_exit=0' "$ROOT/tmp/shots/exit" 2>/dev/null; then ok "lasr-kiosk ran under cage/Xwayland and exited 0"; else bad "lasr-kiosk under cage (see $OUT/cage.log)"; tail -15 "$OUT/cage.log"; fi
check "  ... it drew its home screen (screenshot)" test -s "$ROOT/tmp/shots/home.png"
check "  ... READY=1 reached the notify socket" grep -qx READY=1 "$OUT/notify.txt"
check "  ... WATCHDOG=1 reached it while it ran" grep -qx WATCHDOG=1 "$OUT/notify.txt"
cp "$ROOT/tmp/shots/home.png" "$OUT/cage-home.png" 2>/dev/null || true
say "  notify messages: $(sort "$OUT/notify.txt" 2>/dev/null | uniq -c | tr -s ' \n' ' ')"
grep -E 'first_frame|ready|notif|config=|pack=' "$OUT/cage.log" | sed 's/^/    /' | head -8

say "conffiles: remove + reinstall, upgrade, purge"
in_root "sed -i 's/^# idle_timeout_s = 90.*/idle_timeout_s = 120  # edited on site/' /etc/lasr-kiosk/kiosk.toml"
edited=$(sha256sum "$ROOT/etc/lasr-kiosk/kiosk.toml" | cut -d' ' -f1)
check_in "the edited config is valid" "lasr-kioskctl provision --check /etc/lasr-kiosk/kiosk.toml"
in_root "apt-get remove -y -q lasr-kiosk" >"$OUT/remove.log" 2>&1
check_in "remove: package is gone, config remains (state rc)" "dpkg-query -W -f='\${db:Status-Abbrev}' lasr-kiosk | grep -q '^rc'"
check "remove: the edited kiosk.toml is still there, unchanged" test "$(sha256sum "$ROOT/etc/lasr-kiosk/kiosk.toml" | cut -d' ' -f1)" = "$edited"
check_in "remove: data kept (/var/lib/lasr-kiosk/content)" "test -f /var/lib/lasr-kiosk/content/current/manifest.json"
in_root "apt-get install -y -q --no-install-recommends $PKG" >"$OUT/reinstall.log" 2>&1
check_in "reinstall: installed again" "dpkg-query -W -f='\${Status}' lasr-kiosk | grep -q 'install ok installed'"
check "reinstall: the edited kiosk.toml is kept" test "$(sha256sum "$ROOT/etc/lasr-kiosk/kiosk.toml" | cut -d' ' -f1)" = "$edited"

# Upgrades: the same package re-versioned (a) with the shipped kiosk.toml
# unchanged, (b) with a changed shipped kiosk.toml.
repack() {  # repack NEWREV CHANGE_CONFFILE -> path of the new .deb in the chroot
  local rev=$1 change=$2 d=$OUT/repack-$1
  rm -rf "$d"; dpkg-deb -R "$DEB" "$d"
  sed -i "s/^Version: .*/Version: ${VERSION%-*}-$rev/" "$d/DEBIAN/control"
  if [[ $change == yes ]]; then
    echo "# (a line added in package revision $rev)" >>"$d/etc/lasr-kiosk/kiosk.toml"
    (cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum >DEBIAN/md5sums)
  fi
  dpkg-deb --root-owner-group -Zxz -b "$d" "$ROOT/tmp/pkg/lasr-kiosk_${VERSION%-*}-${rev}_test.deb" >/dev/null
  echo "/tmp/pkg/lasr-kiosk_${VERSION%-*}-${rev}_test.deb"
}
up1=$(repack 90 no)
in_root "apt-get install -y -q --no-install-recommends $up1" >"$OUT/upgrade1.log" 2>&1
check_in "upgrade to ${VERSION%-*}-90 (same shipped conffile)" "dpkg-query -W -f='\${Version}' lasr-kiosk | grep -qx '${VERSION%-*}-90'"
check "  ... the edited kiosk.toml is kept, no prompt" test "$(sha256sum "$ROOT/etc/lasr-kiosk/kiosk.toml" | cut -d' ' -f1)" = "$edited"
up2=$(repack 91 yes)
in_root "apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $up2" >"$OUT/upgrade2.log" 2>&1
check_in "upgrade to ${VERSION%-*}-91 (shipped conffile changed, --force-confold)" "dpkg-query -W -f='\${Version}' lasr-kiosk | grep -qx '${VERSION%-*}-91'"
check "  ... the edited kiosk.toml is kept" test "$(sha256sum "$ROOT/etc/lasr-kiosk/kiosk.toml" | cut -d' ' -f1)" = "$edited"
check "  ... the new shipped one is beside it as kiosk.toml.dpkg-dist" test -f "$ROOT/etc/lasr-kiosk/kiosk.toml.dpkg-dist"
check_in "user still exists after upgrades" "getent passwd lasr-kiosk"

in_root "apt-get purge -y -q lasr-kiosk" >"$OUT/purge.log" 2>&1
check_in "purge: package and its config are gone" "! dpkg-query -W -f='\${db:Status-Abbrev}' lasr-kiosk 2>/dev/null | grep -q '^[ir]'"
check "purge: /etc/lasr-kiosk is gone (conffiles are deleted by purge)" test ! -e "$ROOT/etc/lasr-kiosk"
check "purge: /var/lib/lasr-kiosk and /var/cache/lasr-kiosk are gone" test ! -e "$ROOT/var/lib/lasr-kiosk" -a ! -e "$ROOT/var/cache/lasr-kiosk"
check_in "purge: the system user stays (Debian practice)" "getent passwd lasr-kiosk"
in_root "apt-get install -y -q --no-install-recommends $PKG" >"$OUT/reinstall2.log" 2>&1
check "install after purge: a fresh, shipped kiosk.toml" cmp "$ROOT/etc/lasr-kiosk/kiosk.toml" "$OUT/kiosk.toml.shipped"
check_in "install after purge: user reused, directories back" "test -d /var/lib/lasr-kiosk -a -d /var/cache/lasr-kiosk && getent passwd lasr-kiosk"

say "$PASS passed, $FAIL failed ($(( $(date +%s) - T0 )) s)"
echo "$PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
