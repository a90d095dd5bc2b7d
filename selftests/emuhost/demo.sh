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
echo "== echo device, a 64 MiB disk, a network interface (TAP hvx0 on the"
echo "== host, 10.80.0.1), time sync and a balloon on the hvx channel bus:"
truncate -s 64M /tmp/demo-disk.img
(for i in $(seq 100); do ip addr add 10.80.0.1/24 dev hvx0 2>/dev/null && break; sleep 0.1; done) &
hvx run --kernel /tests/guests/vmlinux --initrd /tests/guests/linux-initrd.cpio \
	--mem 256M --append "console=ttyS0 quiet hvx.action=demo" --console stdio \
	--device echo --disk /tmp/demo-disk.img,serial=DEMO-DISK --net tap=hvx0 \
	--device timesync --device balloon --name demo </dev/null >/tmp/demo-console.log 2>&1 &
pid=$!
tail -f /tmp/demo-console.log &
tailer=$!
# The guest asks for the balloon when it is ready: it keeps 128 MiB.
while kill -0 $pid 2>/dev/null && ! grep -q '^hvx-demo: balloon please' /tmp/demo-console.log; do
	sleep 1
done
rss() { awk '/^VmRSS:/ { print int($2 / 1024) " MiB" }' /proc/$pid/status; }
echo "host# hvx ps"
hvx ps
echo "host# hvx stats demo"
hvx stats demo
echo "host# hvx run's RSS: $(rss)"
echo "host# hvx balloon demo 128M"
hvx balloon demo 128M
while kill -0 $pid 2>/dev/null && ! hvx balloon demo | grep -q ', balloon 128 MiB,'; do
	sleep 1
done
echo "host# hvx balloon demo"
hvx balloon demo
echo "host# hvx run's RSS: $(rss)"
wait $pid
status=$?
sleep 1
kill $tailer
echo "== hvx run ended with status $status (0: the guest powered off)"
echo "== The guest's disk image, checked on the host: $(/usr/lib/hvx-e2fsprogs/e2fsck -fn /tmp/demo-disk.img 2>&1 | tail -n 1)"
rm -f /tmp/demo-disk.img
echo "== Exit costs in guest TSC ticks, hvx against kvm_intel on the same host"
/tests/bench/exits 2>&1
