#!/bin/bash -e
# pi-gen stage: start from the previous stage's root file system (Lite).
if [ ! -d "${ROOTFS_DIR}" ]; then
	copy_previous
fi
