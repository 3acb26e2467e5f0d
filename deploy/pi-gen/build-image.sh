#!/usr/bin/env bash
# Builds a Raspberry Pi OS (bookworm, arm64, Lite) image with LASR Kiosk,
# using the official pi-gen and this stage. Run on a Debian machine with
# network access to the Raspberry Pi OS and Debian archives; pi-gen needs
# root (or its Docker wrapper).
#
#   LASR_ADMIN_PASS=... [LASR_ADMIN_SSH_KEY="ssh-ed25519 ..."] \
#     deploy/pi-gen/build-image.sh PI_GEN_DIR LASR_KIOSK_ARM64_DEB
#
# PI_GEN_DIR: a checkout of pi-gen's "arm64" branch. The image lands in
# PI_GEN_DIR/deploy/ as *-lasr-kiosk.img.xz.
set -euo pipefail
PIGEN=$(readlink -f "${1:?pi-gen checkout (arm64 branch)}")
DEB=$(readlink -f "${2:?lasr-kiosk_*_arm64.deb}")
STAGE=$(cd "$(dirname "$0")" && pwd)/stage-lasr-kiosk

rm -f "$STAGE"/00-install-kiosk/files/lasr-kiosk_*_arm64.deb
cp "$DEB" "$STAGE/00-install-kiosk/files/"
# Only Lite (stage0-2) and our stage; no desktop.
touch "$PIGEN/stage2/SKIP_IMAGES"
cat >"$PIGEN/config" <<CFG
IMG_NAME=lasr-kiosk
RELEASE=bookworm
TARGET_HOSTNAME=lasr-kiosk
ENABLE_SSH=1
# An admin account for IT (ssh); the kiosk itself never logs anyone in.
FIRST_USER_NAME=${LASR_ADMIN_USER:-kioskadmin}
DISABLE_FIRST_BOOT_USER_RENAME=1
STAGE_LIST="stage0 stage1 stage2 $STAGE"
CFG
# pi-gen needs the admin account's password when the first-boot wizard is
# off; with an SSH key, password logins over ssh are off too.
: "${LASR_ADMIN_PASS:?set LASR_ADMIN_PASS, the password of the admin account (and LASR_ADMIN_SSH_KEY, a public key, is recommended)}"
echo "FIRST_USER_PASS='$LASR_ADMIN_PASS'" >>"$PIGEN/config"
if [[ -n ${LASR_ADMIN_SSH_KEY:-} ]]; then
  printf 'PUBKEY_SSH_FIRST_USER="%s"\nPUBKEY_ONLY_SSH=1\n' "$LASR_ADMIN_SSH_KEY" >>"$PIGEN/config"
fi
cd "$PIGEN"
./build.sh
ls -l deploy/
