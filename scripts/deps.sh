#!/bin/sh
# Installs the Debian 12 packages a make target needs, idempotently.
# Usage: scripts/deps.sh GROUP...
# (groups: build unit emuhost fuzz debug-kernel)
# Only packages that are missing are installed, so a ready machine pays
# one dpkg-query and nothing else.
set -eu

pkgs=""
for group in "$@"; do
	case "$group" in
	build)   pkgs="$pkgs gcc make libc6-dev linux-headers-amd64 libnl-3-dev libnl-genl-3-dev libnl-route-3-dev liburing-dev libseccomp-dev libcap-ng-dev pkg-config" ;;
	unit)    pkgs="$pkgs gcc make libc6-dev perl xz-utils" ;;
	emuhost) pkgs="$pkgs bochs bochsbios vgabios linux-image-amd64 linux-headers-amd64 busybox-static isolinux syslinux-common xorriso cpio xz-utils e2fsprogs ethtool iproute2 qemu-system-x86" ;;
	fuzz)    pkgs="$pkgs clang libclang-rt-14-dev" ;;
	# Building a kernel from linux-source (scripts/debug-kernel.sh).
	debug-kernel) pkgs="$pkgs gcc make bc bison flex libelf-dev libssl-dev xz-utils" ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
