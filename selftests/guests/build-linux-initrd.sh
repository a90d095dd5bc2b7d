#!/bin/sh
# Builds the Linux guests' initramfs: static busybox, linux-init.sh as /init
# and the pvpanic modules of Debian's kernel (how a guest panic reaches hvx
# run), uncompressed (the guest kernel need not decompress it).
# Usage: build-linux-initrd.sh OUT.cpio
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$here/linux-init.sh" "$root/init"
KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
mkdir -p "$root/lib/modules"
for m in pvpanic pvpanic-pci; do
	ko=/lib/modules/$KVER/kernel/drivers/misc/pvpanic/$m.ko
	if [ -f "$ko" ]; then
		cp "$ko" "$root/lib/modules/"
	elif [ -f "$ko.xz" ]; then
		xz -dc "$ko.xz" >"$root/lib/modules/$m.ko"
	fi
done
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
