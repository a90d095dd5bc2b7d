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

# The guests always boot Debian's kernel; the emulated host boots it too,
# or the kernel in HVX_EMUHOST_KERNEL (a directory of
# scripts/debug-kernel.sh: vmlinux, bzImage, modules/) with the hvx.ko in
# HVX_EMUHOST_HVX_KO built for it (make check-debug).
kernel=/boot/vmlinuz-$KVER
[ -f "$kernel" ] || { echo "build-image: $kernel missing (linux-image-amd64)" >&2; exit 1; }
host_kernel=$kernel
moddir=/lib/modules/$KVER/kernel
hvx_ko=${HVX_EMUHOST_HVX_KO:-$TOP/kmod/hvx.ko}
if [ -n "${HVX_EMUHOST_KERNEL:-}" ]; then
	host_kernel=$HVX_EMUHOST_KERNEL/bzImage
	host_vmlinux=$HVX_EMUHOST_KERNEL/vmlinux
	moddir=$HVX_EMUHOST_KERNEL/modules/kernel
	[ -f "$host_kernel" ] && [ -f "$host_vmlinux" ] ||
		{ echo "build-image: no kernel in $HVX_EMUHOST_KERNEL" >&2; exit 1; }
	[ -f "$hvx_ko" ] || { echo "build-image: $hvx_ko missing" >&2; exit 1; }
fi

# The PVH boot (default): isolinux loads OUTDIR/iso/vmlinuz as any
# bzImage, but its protected-mode part is pvhboot.S's page followed by
# Debian's kernel uncompressed (its segments laid out flat from their
# lowest physical address), behind Debian's own real-mode setup code.
# Bochs never runs the XZ decompressor, which took a minute of every boot.
# HVX_EMUHOST_LOADER=isolinux boots Debian's bzImage itself.
pvh_image() {	# VMLINUX BZIMAGE OUT
	readelf -lW "$1" | awk '$1 == "LOAD" { print $2, $4, $5 }' >"$out/phdrs"
	kbase=$(sort -k 2 "$out/phdrs" | head -n 1 | cut -d' ' -f2)
	rm -f "$out/kernel.flat"
	kend=0
	while read -r off paddr filesz; do
		dd if="$1" of="$out/kernel.flat" bs=1M iflag=skip_bytes,count_bytes \
			oflag=seek_bytes conv=notrunc skip=$((off)) \
			seek=$((paddr - kbase)) count=$((filesz)) status=none
		[ $((paddr + filesz)) -gt "$kend" ] && kend=$((paddr + filesz))
	done <"$out/phdrs"
	klen=$(( (kend - kbase + 3) / 4 * 4 ))
	truncate -s "$klen" "$out/kernel.flat"
	# The entry: XEN_ELFNOTE_PHYS32_ENTRY (type 0x12), 8 bytes, little endian.
	entry=$(readelf -nW "$1" | sed -n 's/.*(0x00000012).*description data: \(.*\)/\1/p' |
		awk '{ for (i = 4; i >= 1; i--) printf "%s", $i }')
	[ -n "$entry" ] || { echo "build-image: no PVH entry note in $1" >&2; exit 1; }
	mkdir -p "$out/pvh"
	gcc -m32 -c -o "$out/pvh/pvhboot.o" \
		-Wa,--defsym,KBASE=$((kbase)),--defsym,KLEN=$klen,--defsym,KENTRY=0x"$entry" \
		"$TOP/selftests/emuhost/pvhboot.S"
	ld -m elf_i386 -Ttext=0x100000 --oformat binary \
		-o "$out/pvh/pvhboot.bin" "$out/pvh/pvhboot.o"
	[ "$(wc -c <"$out/pvh/pvhboot.bin")" -le 4096 ] ||
		{ echo "build-image: pvhboot.S is over a page" >&2; exit 1; }
	truncate -s 4096 "$out/pvh/pvhboot.bin"
	# Debian's setup code: setup_sects (byte 0x1f1) sectors after the boot
	# sector.  Its header then says: syssize (0x1f4, 16-byte units) of
	# protected-mode code, not relocatable (0x234: isolinux loads it at
	# 0x100000, where pvhboot.S is linked), and init_size (0x260) up to
	# the kernel's end, so that the initramfs goes elsewhere.
	sects=$(od -An -tu1 -j $((0x1f1)) -N 1 "$2" | tr -d ' ')
	[ "$sects" -ne 0 ] || sects=4
	head -c $(( (sects + 1) * 512 )) "$2" >"$3"
	le32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
		$((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"; }
	le32 $(( (4096 + klen + 15) / 16 )) | dd of="$3" bs=1 seek=$((0x1f4)) conv=notrunc status=none
	printf '\000' | dd of="$3" bs=1 seek=$((0x234)) conv=notrunc status=none
	le32 $((kend - 0x100000)) | dd of="$3" bs=1 seek=$((0x260)) conv=notrunc status=none
	cat "$out/pvh/pvhboot.bin" "$out/kernel.flat" >>"$3"
	rm -f "$out/kernel.flat"
}

root=$out/root
rm -rf "$root" "$out/iso" "$out/pvh"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/lib/hvx" "$root/tests/vm" "$root/tests/lib" "$root/tests/bench" "$out/iso/isolinux"

cp /bin/busybox "$root/bin/busybox"
install -m 755 "$TOP/selftests/emuhost/init.sh" "$root/init"
cp "$TOP/selftests/ktap-to-results.awk" "$TOP/selftests/emuhost/passes.sh" \
	"$TOP/selftests/emuhost/splats.sh" "$root/tests/"

# Modules: hvx.ko, the KVM peer (kvm_intel needs kvm and irqbypass), and
# TAP and bridge for the network tests; with QEMU, vhost-net (it needs tap,
# macvtap's library, beside tun) for QEMU's in-kernel network backend.
# Programs and modules go in without their debug information (symbols
# stay, for backtraces; build/ keeps the full ones for decoding): it was
# 17 MB of the initramfs, which the host reads off the CD and unpacks.
[ -f "$hvx_ko" ] && strip --strip-debug -o "$root/lib/hvx/hvx.ko" "$hvx_ko"
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

# install_prog FILE DIR: a script as it is, a program without its debug
# information (install -s would strip the symbols too).
install_prog() {
	case "$1" in
	*.sh) install -m 755 "$1" "$2/" ;;
	*) strip --strip-debug -o "$2/$(basename "$1")" "$1" && chmod 755 "$2/$(basename "$1")" ;;
	esac
}
for f in "$BUILD"/selftests/vm/*; do
	[ -f "$f" ] && install_prog "$f" "$root/tests/vm"
done
# Programs the VM tests run but that are no tests themselves (the ioctl
# fuzzer, which vm/fuzz_ioctl.sh drives).
mkdir -p "$root/tests/fuzz"
for f in "$BUILD"/selftests/fuzz/*; do
	[ -f "$f" ] && install_prog "$f" "$root/tests/fuzz"
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
: "${host_vmlinux:=$vmlinux}"
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
# The network tests' and benchmarks' TCP program runs on both ends, and
# the disk test checks on the host the files its guest made.
for f in netbench pattern; do
	[ -x "$BUILD/selftests/guests/$f" ] &&
		"$TOP/selftests/emuhost/copy-binaries.sh" "$root" bin "$BUILD/selftests/guests/$f"
done
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
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	"$out/iso/isolinux/"
# The debug kernel boots as a bzImage: its PVH entry runs KASAN-instrumented
# code that writes the stack's shadow before KASAN maps any (a triple fault
# at "mov dword ptr [rax], 0xf1f1f1f1" right after isolinux).
loader=${HVX_EMUHOST_LOADER:-pvh}
[ -n "${HVX_EMUHOST_KERNEL:-}" ] && loader=${HVX_EMUHOST_LOADER:-isolinux}
if [ "$loader" = pvh ]; then
	pvh_image "$host_vmlinux" "$host_kernel" "$out/iso/vmlinuz"
else
	cp "$host_kernel" "$out/iso/vmlinuz"
fi
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
