#!/bin/bash -e
# Installs LASR Kiosk into the image: the arm64 .deb from files/ (with its
# Depends from the Raspberry Pi OS / Debian archives), the hardware watchdog,
# and an example provisioning file on the boot partition.
shopt -s nullglob
debs=(files/lasr-kiosk_*_arm64.deb)
if [ "${#debs[@]}" -ne 1 ]; then
	echo "stage-lasr-kiosk: put exactly one lasr-kiosk_*_arm64.deb in $(pwd)/files/" >&2
	exit 1
fi
install -m 644 "${debs[0]}" "${ROOTFS_DIR}/tmp/lasr-kiosk.deb"

on_chroot << CHEOF
apt-get install -y --no-install-recommends /tmp/lasr-kiosk.deb
rm -f /tmp/lasr-kiosk.deb
# The kiosk owns tty7 and the screen; boot to the console, not a desktop.
systemctl set-default multi-user.target
systemctl enable lasr-kiosk.service lasr-kiosk-provision.service
CHEOF

# Hardware watchdog: the board resets if the system itself hangs.
install -d "${ROOTFS_DIR}/etc/systemd/system.conf.d"
install -m 644 "${ROOTFS_DIR}/usr/share/lasr-kiosk/systemd/hardware-watchdog.conf" \
	"${ROOTFS_DIR}/etc/systemd/system.conf.d/lasr-kiosk-watchdog.conf"
BOOT="${ROOTFS_DIR}/boot/firmware"
[ -d "${BOOT}" ] || BOOT="${ROOTFS_DIR}/boot"
if ! grep -q '^dtparam=watchdog=on' "${BOOT}/config.txt"; then
	printf '\n# LASR Kiosk: the hardware watchdog\ndtparam=watchdog=on\n' >> "${BOOT}/config.txt"
fi

# An example for IT staff: edit, rename to lasr-kiosk.toml, boot.
install -m 644 files/lasr-kiosk.toml.example "${BOOT}/lasr-kiosk.toml.example"
