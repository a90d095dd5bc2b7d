#!/bin/sh
# Builds the emulated host's boot medium: Debian's stock kernel and an
# uncompressed busybox initramfs holding hvx.ko, kvm_intel, the VM tests and
# benchmarks.  Usage: build-image.sh OUTDIR "KERNEL CMDLINE"
# Result: OUTDIR/boot.iso
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
out=$1
cmdline=$2

kernel=/boot/vmlinuz-$KVER
[ -f "$kernel" ] || { echo "build-image: $kernel missing (linux-image-amd64)" >&2; exit 1; }
moddir=/lib/modules/$KVER/kernel

root=$out/root
rm -rf "$root" "$out/iso"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/lib/hvx" "$root/tests/vm" "$root/tests/lib" "$root/tests/bench" "$out/iso/isolinux"

cp /bin/busybox "$root/bin/busybox"
install -m 755 "$TOP/selftests/emuhost/init.sh" "$root/init"
cp "$TOP/selftests/ktap-to-results.awk" "$root/tests/"

# Modules: hvx.ko, the KVM peer (kvm_intel needs kvm and irqbypass), and
# TAP and bridge for the network tests; with QEMU, vhost-net (it needs tap,
# macvtap's library, beside tun) for QEMU's in-kernel network backend.
[ -f "$TOP/kmod/hvx.ko" ] && cp "$TOP/kmod/hvx.ko" "$root/lib/hvx/"
mods="arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko virt/lib/irqbypass.ko
      drivers/net/tun.ko net/llc/llc.ko net/802/stp.ko net/bridge/bridge.ko"
[ "${HVX_EMUHOST_QEMU:-0}" = 1 ] && mods="$mods drivers/net/tap.ko
	drivers/vhost/vhost_iotlb.ko drivers/vhost/vhost.ko drivers/vhost/vhost_net.ko"
for m in $mods; do
	if [ -f "$moddir/$m" ]; then
		cp "$moddir/$m" "$root/lib/hvx/"
	elif [ -f "$moddir/$m.xz" ]; then
		xz -dc "$moddir/$m.xz" >"$root/lib/hvx/$(basename "$m")"
	fi
done

for f in "$BUILD"/selftests/vm/*; do
	[ -f "$f" ] && install -m 755 "$f" "$root/tests/vm/"
done
# Programs the VM tests run but that are no tests themselves (the ioctl
# fuzzer, which vm/fuzz_ioctl.sh drives).
mkdir -p "$root/tests/fuzz"
for f in "$BUILD"/selftests/fuzz/*; do
	[ -f "$f" ] && install -m 755 "$f" "$root/tests/fuzz/"
done
mkdir -p "$root/tests/guests"
for f in "$BUILD"/selftests/guests/*.elf "$BUILD"/selftests/guests/*.cpio; do
	[ -f "$f" ] && install -m 644 "$f" "$root/tests/guests/"
done
# Debian's own kernel as the Linux guest, in both formats hvx run loads.
vmlinux=$BUILD/linux/vmlinux-$KVER
[ -f "$vmlinux" ] || "$TOP/scripts/extract-vmlinux.sh" "$kernel" "$vmlinux"
cp "$vmlinux" "$root/tests/guests/vmlinux"
cp "$kernel" "$root/tests/guests/bzImage"
install -m 644 "$TOP"/selftests/lib/*.sh "$root/tests/lib/"
for f in "$BUILD"/selftests/bench/*; do
	[ -f "$f" ] && install -m 755 "$f" "$root/tests/bench/"
done
[ -f "$TOP/selftests/emuhost/demo.sh" ] && install -m 755 "$TOP/selftests/emuhost/demo.sh" "$root/tests/"
# The storage tests check guest disk images from the host side, with
# Debian's e2fsprogs (busybox has applets of the same names).
"$TOP/selftests/emuhost/copy-binaries.sh" "$root" usr/lib/hvx-e2fsprogs e2fsck debugfs mke2fs
# The confinement test makes a user's persistent TAP with iproute2's ip
# (busybox's has no tuntap).
"$TOP/selftests/emuhost/copy-binaries.sh" "$root" usr/lib/hvx-iproute2 /usr/sbin/ip
# QEMU, the network benchmark's KVM peer (HVX_EMUHOST_QEMU=1, set by
# run.sh in bench mode only: with its libraries it adds about 46 MB to the
# initramfs, which the emulated kernel unpacks in about 1.7 s of emulated
# time).  Its microvm machine needs only its firmware, qboot as
# bios-microvm.bin, and pvh.bin, the option ROM QEMU loads for a kernel
# with a PVH entry.
if [ "${HVX_EMUHOST_QEMU:-0}" = 1 ]; then
	"$TOP/selftests/emuhost/copy-binaries.sh" "$root" usr/bin qemu-system-x86_64
	mkdir -p "$root/usr/share/qemu"
	for f in bios-microvm.bin pvh.bin; do
		cp -L "/usr/share/qemu/$f" "$root/usr/share/qemu/"
	done
fi
# The network tests' and benchmarks' TCP program runs on both ends.
[ -x "$BUILD/selftests/guests/netbench" ] && install -m 755 "$BUILD/selftests/guests/netbench" "$root/bin/"
for f in "$BUILD"/user/hvx-static; do
	[ -f "$f" ] && install -m 755 "$f" "$root/bin/hvx"
done

# Extra files for exploratory runs: HVX_EMUHOST_EXTRA="FILE..." -> /extra/.
if [ -n "${HVX_EMUHOST_EXTRA:-}" ]; then
	mkdir -p "$root/extra"
	for f in $HVX_EMUHOST_EXTRA; do
		cp "$f" "$root/extra/"
	done
fi

(cd "$root" && find . | cpio -o -H newc --quiet) >"$out/iso/initrd"
cp "$kernel" "$out/iso/vmlinuz"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	"$out/iso/isolinux/"
# SERIAL: isolinux reports on the serial console too, so its stages
# show in serial.txt (boot-times.sh times the boot by them).
cat >"$out/iso/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT hvx
PROMPT 0
TIMEOUT 0
LABEL hvx
  KERNEL /vmlinuz
  INITRD /initrd
  APPEND $cmdline
CFG
xorriso -as mkisofs -quiet -o "$out/boot.iso" -b isolinux/isolinux.bin \
	-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	"$out/iso" 2>/dev/null
