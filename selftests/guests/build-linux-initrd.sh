#!/bin/sh
# Builds the Linux guests' initramfs: static busybox, linux-init.sh as /init,
# the pvpanic modules of Debian's kernel (how a guest panic reaches hvx
# run), ext4 and Debian's mke2fs and e2fsck (for the disk tests), ethtool
# (the network tests read the driver's statistics), virtio-net over
# virtio-mmio (the network benchmark boots the same guest under QEMU and
# KVM for its comparison), hvx's
# guest drivers and the guest modules of the VM tests (built by `make
# module`, if they are), uncompressed (the guest kernel need not decompress
# it).
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
for m in drivers/misc/pvpanic/pvpanic drivers/misc/pvpanic/pvpanic-pci \
	 crypto/crc32c_generic lib/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 \
	 drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_mmio \
	 net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	ko=/lib/modules/$KVER/kernel/$m.ko
	m=$(basename "$m")
	if [ -f "$ko" ]; then
		cp "$ko" "$root/lib/modules/"
	elif [ -f "$ko.xz" ]; then
		xz -dc "$ko.xz" >"$root/lib/modules/$m.ko"
	fi
done
top=$(cd "$here/../.." && pwd)
"$top/selftests/emuhost/copy-binaries.sh" "$root" bin mke2fs e2fsck ethtool
ln -s mke2fs "$root/bin/mkfs.ext4"
mkdir -p "$root/etc"
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
# The guest programs the Makefile built next to the initramfs, and hvx's
# modules, without their debug information (as INSTALL_MOD_STRIP=1 does;
# the symbols stay, for the guest's own backtraces): it was 8 of the
# initramfs's 20 MB, which every Linux guest boot unpacks.
for c in "$here"/*.c; do
	prog=$(dirname "$out")/$(basename "$c" .c)
	[ -x "$prog" ] || continue
	"$top/selftests/emuhost/copy-binaries.sh" "$root" bin "$prog"
	strip --strip-debug "$root/bin/$(basename "$prog")"
done
for ko in "$top"/guest-drivers/*/*.ko "$top"/selftests/guest-modules/*.ko; do
	[ -f "$ko" ] && strip --strip-debug -o "$root/lib/modules/$(basename "$ko")" "$ko"
done
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
