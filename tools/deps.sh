#!/bin/sh
# Install the Debian packages the build and the emulator need, once.
# Called by the Makefile before any target that builds or boots, so that
# `make run` and `make test` work as the first command on a fresh machine.
set -e

PKGS="gcc clang make binutils nasm qemu-system-x86 xorriso grub-pc-bin grub-efi-amd64-bin grub-common mtools ovmf"
# The QEMU window needs the GUI build, only worth installing with a display.
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && PKGS="$PKGS qemu-system-gui"
[ -n "${MICA_EXTRA_PKGS:-}" ] && PKGS="$PKGS $MICA_EXTRA_PKGS"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
