#!/bin/sh
# /init of the busybox initramfs that the Linux boot tests and the demo give
# to Debian's stock kernel under hvx.  It prints what the guest sees, with a
# "hvx-guest:" prefix that the tests look for, then does what the kernel
# command line's hvx.action= asks (the kernel leaves dotted parameters to
# us): poweroff, reboot, panic, demo (a few commands, then power-off), or
# by default a shell on the console.
/bin/busybox --install -s /bin
# The whole kernel log: busybox's dmesg reads only the last 16 kB unless told.
klog() {
	dmesg -s 1048576
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in pvpanic pvpanic-pci hvx_vmbus hvx_blk hvx_net hvx_timesync hvx_balloon; do
	insmod /lib/modules/$m.ko 2>/dev/null
done
# virtio-net over virtio-mmio, when QEMU's microvm machine (the network
# benchmark's KVM peer) announces a transport in its ACPI tables (LNRO0005;
# Debian's kernel does not take them from the command line).  hvx has no
# ACPI: its guests skip this and their boot costs stay as they were.
if ls /sys/bus/acpi/devices/LNRO0005:* >/dev/null 2>&1; then
	for m in virtio_ring virtio virtio_mmio failover net_failover virtio_net; do
		insmod /lib/modules/$m.ko 2>/dev/null
	done
fi
echo "hvx-guest: init reached, $(cut -d' ' -f1 /proc/uptime) s after boot"
grep -qw hypervisor /proc/cpuinfo && echo "hvx-guest: cpuinfo has the hypervisor flag"
klog | grep -q 'MPTABLE: OEM ID: HVX' && echo "hvx-guest: dmesg names the hvx platform"
echo "hvx-guest: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "hvx-guest: clockevent $(grep '^Clock Event Device' /proc/timer_list | grep -v NULL | head -n 1 | cut -d' ' -f4)"
echo "hvx-guest: epoch $(date +%s)"
# WARN() splats and crashed processes: a guest whose registers or memory
# the host disturbed shows them (a failed crypto self-test, a segfault).
echo "hvx-guest: kernel warnings $(klog | grep -c -E 'WARNING: CPU|segfault|general protection')"
action=$(sed -n 's/.*hvx\.action=\([a-z]*\).*/\1/p' /proc/cmdline)
case "$action" in
poweroff) sleep 1; poweroff -f ;;
reboot) sleep 1; reboot -f ;;
panic) echo c >/proc/sysrq-trigger ;;
demo)
	for cmd in "uname -a" "date -u" "grep -m1 -o -w hypervisor /proc/cpuinfo" \
		   "cat /proc/interrupts" "free -m" "cat /sys/devices/system/clocksource/clocksource0/current_clocksource" \
		   "ls /sys/bus/hvx_vmbus/devices" "cat /sys/bus/hvx_vmbus/devices/*/class_id" \
		   "insmod /lib/modules/hvx_echo_test.ko; sleep 1; cd /sys/bus/hvx_vmbus/drivers/hvx_echo_test/hvx-*; echo '1000 1 0 8 1' >run; while grep -q running result; do sleep 1; done; cat result" \
		   "cat /sys/block/hvxda/size /sys/block/hvxda/serial" \
		   "for m in crc32c_generic crc16 mbcache jbd2 ext4; do insmod /lib/modules/\$m.ko; done; mkfs.ext4 -q /dev/hvxda && mkdir -p /mnt && mount /dev/hvxda /mnt && echo 'written by the guest' >/mnt/hello && df -h /mnt && cat /mnt/hello && umount /mnt" \
		   "ip addr add 10.80.0.2/24 dev eth0 && ip link set eth0 up && ip addr show eth0" \
		   "ethtool -i eth0 | head -n 2" \
		   "ping -c 3 10.80.0.1" \
		   "ls /dev/ptp*; cat /sys/class/ptp/ptp0/clock_name; date -s @\$((\$(date +%s) - 3600)) >/dev/null; date -u; sleep 3; date -u; echo steps \$(cat /sys/bus/hvx_vmbus/drivers/hvx_timesync/hvx-*/steps)" \
		   "grep MemTotal /proc/meminfo; memhog 100; echo 'hvx-demo: balloon please'; b=/sys/bus/hvx_vmbus/drivers/hvx_balloon/hvx-*; while [ \$(cat \$b/balloon_pages) -lt 32768 ]; do sleep 1; done; grep MemTotal /proc/meminfo"; do
		echo "guest# $cmd"
		sh -c "$cmd"
	done
	sleep 1
	poweroff -f ;;
esac
echo "hvx-guest: shell ready"
exec setsid cttyhack sh
