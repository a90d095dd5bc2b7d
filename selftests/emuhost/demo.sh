#!/bin/sh
# What `make demo` shows inside the emulated host.
echo "== The emulated VT-x host: $(uname -sr), $(grep -c ^processor /proc/cpuinfo) CPU"
grep -o -w -E 'vmx|ept|vpid|unrestricted_guest' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
echo "== hvx.ko"
dmesg | grep 'hvx:' | grep -v taint
ls -l /dev/hvx
hvx version
echo "== A real-mode guest doing 10,000 OUTs, seen one by one by its VMM"
/tests/vm/vmx_out 2>&1 | grep -E '^(ok|not ok)'
echo "== A 64-bit guest doing MMIO of every size"
/tests/vm/vmx_mmio 2>&1 | grep -E '^(ok|not ok)'
echo "== Debian's own kernel booted by hvx run (PVH, busybox initramfs) with an"
echo "== echo device and a 64 MiB disk on the hvx channel bus, its console:"
truncate -s 64M /tmp/demo-disk.img
hvx run --kernel /tests/guests/vmlinux --initrd /tests/guests/linux-initrd.cpio \
	--mem 256M --append "console=ttyS0 quiet hvx.action=demo" --console stdio \
	--device echo --disk /tmp/demo-disk.img,serial=DEMO-DISK </dev/null
echo "== hvx run ended with status $? (0: the guest powered off)"
echo "== The guest's disk image, checked on the host: $(/usr/lib/hvx-e2fsprogs/e2fsck -fn /tmp/demo-disk.img 2>&1 | tail -n 1)"
rm -f /tmp/demo-disk.img
echo "== Exit costs in guest TSC ticks, hvx against kvm_intel on the same host"
/tests/bench/exits 2>&1
