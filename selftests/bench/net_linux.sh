#!/bin/sh
# The hvx network interface as a Linux guest sees it, against virtio-net
# under KVM: TCP throughput both ways between the guest and the emulated
# host over a TAP, timed by the guest's clock (selftests/guests/netbench.c
# at both ends: a fixed byte count, no iperf3 needed), with offloads and
# without, and the ping round trip.
#   net_tcp_host_to_guest_mbps      64 MiB, the guest receiving
#   net_tcp_guest_to_host_mbps      64 MiB, the guest sending
#   net_tcp_guest_to_host_nooffload_mbps  the same, without checksum or
#                                   segmentation offload on the guest's
#                                   transmit side
#   net_ping_rtt_us                 ping's average round trip, guest to host
# (MB/s of 10^6 bytes, higher is better; microseconds for the round trip,
# lower is better).  Lines read "bench NAME hvx=A kvm=B ratio=A/B
# kvm_vhost=C".  The KVM peer is the same Debian kernel and initramfs under
# QEMU's microvm machine (PVH from the same vmlinux, kvm_intel, virtio-net
# over virtio-mmio on a TAP): kvm= with QEMU's own userspace backend
# (vhost=off), like hvx run's; kvm_vhost= with vhost-net in the emulated
# host's kernel.  QEMU is in the emulated host's image in bench mode only
# (selftests/emuhost/run.sh); without it the lines carry hvx= alone.
# Guest clocks: both VMMs give the guest the emulated host's TSC rate
# (hvx through CPUID, KVM through kvmclock); the emulated host's own view of
# each transfer follows as "# ... host:" comments, as a check.
. /tests/lib/tap.sh
LOG=/tmp/bench-net.log
ERR=/tmp/bench-net.err
HOST=10.79.0.1
GUEST=10.79.0.2
BYTES=$((64 * 1024 * 1024))
QEMU=/usr/bin/qemu-system-x86_64
# Without checksum offload a virtio-net guest also loses segmentation
# offload; the host_* ones go as well so the device offers nothing it
# could not use (hvx run's offload=off offers neither).
NOOFFLOAD=csum=off,gso=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off

# boot_qemu VHOST DEVICE_OPTIONS: boot_guest's counterpart under QEMU and
# KVM (256 MiB, the same kernel, initramfs and command line), the TAP
# qtap0 on the host.  QEMU takes longer than hvx run to start in the
# emulated host: up to 600 s.
boot_qemu() {
	rm -f /tmp/guest-in-3
	mkfifo /tmp/guest-in-3
	timeout 2400 $QEMU -L /usr/share/qemu -M microvm -enable-kvm -cpu host -m 256M \
		-nodefaults -no-user-config -nographic -serial stdio \
		-kernel /tests/guests/vmlinux -initrd /tests/guests/linux-initrd.cpio \
		-append "console=ttyS0 quiet" \
		-netdev tap,id=n0,ifname=qtap0,script=no,downscript=no,vhost="$1" \
		-device virtio-net-device,netdev=n0"$2" \
		</tmp/guest-in-3 >"$LOG" 2>"$ERR" &
	pid=$!
	exec 3>/tmp/guest-in-3
	wait_for "$LOG" 'hvx-guest: shell ready' 600
}

# A figure for the report: set KEY VMM VALUE.
set_fig() {
	[ -n "$3" ] && eval "fig_$2_$1=$3"
}

# measure VMM TAP SUFFIX: ping and both transfers with the booted guest
# (only the guest-to-host transfer for a SUFFIX run), then power-off.
measure() {
	vmm=$1
	ip addr add $HOST/24 dev "$2"
	ip link set "$2" up
	# One ping first, so the ARP lookups are not in the round trip.
	gcmd 60 "ip addr add $GUEST/24 dev eth0; ip link set eth0 up; sleep 1; ping -c 1 -W 5 $HOST >/dev/null; ping -c 20 -i 0.05 -q $HOST; ethtool -i eth0 | grep ^driver; ethtool -k eth0 | grep -E '^(tx-checksumming|tcp-segmentation-offload|generic-receive-offload):'"
	out | sed "s/^/# net $vmm$3: /"
	[ -z "$3" ] && set_fig ping_rtt_us "$vmm" \
		"$(out | awk -F'[ /]+' '/round-trip/ { printf "%d", $7 * 1000 }')"
	if [ -z "$3" ]; then
		# "& echo": a command line cannot go on after "&;".
		gcmd 10 'netbench recv 5003 >/dev/null 2>/tmp/h2g.txt & echo started'
		sleep 2
		timeout 600 netbench send $GUEST 5003 $BYTES </dev/zero 2>/tmp/h2g-host.txt
		gcmd 600 'wait; cat /tmp/h2g.txt'
		out | sed "s/^/# net $vmm h2g: /"
		sed "s/^/# net $vmm h2g host: /" /tmp/h2g-host.txt
		set_fig tcp_host_to_guest_mbps "$vmm" "$(out | awk '/^bytes / { print $6 }')"
	fi
	netbench recv 5004 >/dev/null 2>/tmp/g2h-host.txt &
	recv=$!
	sleep 1
	gcmd 600 "netbench send $HOST 5004 $BYTES </dev/zero"
	r=$(out)
	echo "$r" | sed "s/^/# net $vmm g2h$3: /"
	# A guest that never connected leaves the receiver waiting.
	echo "$r" | grep -q '^bytes ' || kill $recv 2>/dev/null
	wait $recv
	sed "s/^/# net $vmm g2h$3 host: /" /tmp/g2h-host.txt
	set_fig "tcp_guest_to_host${3}_mbps" "$vmm" "$(echo "$r" | awk '/^bytes / { print $6 }')"
	echo 'poweroff -f' >&3
	# QEMU's microvm powers off through ACPI; never hang on a VMM that
	# did not.
	for i in $(seq 60); do
		kill -0 $pid 2>/dev/null || break
		sleep 1
	done
	kill $pid 2>/dev/null
	wait $pid
	exec 3>&-
}

# run VMM TAP SUFFIX BOOT_COMMAND...: boots, measures, reports a failed boot.
run() {
	vmm=$1 tap=$2 suffix=$3
	shift 3
	if ! "$@"; then
		echo "# net $vmm$suffix: the guest did not boot"
		sed 's/^/# /' $LOG $ERR | tr -d '\r' | tail -n 20
		kill $pid 2>/dev/null
		wait $pid
		exec 3>&-
		return
	fi
	measure "$vmm" "$tap" "$suffix"
}

run hvx hvxbench "" boot_guest --net tap=hvxbench
run hvx hvxbench _nooffload boot_guest --net tap=hvxbench,offload=off
if [ -x $QEMU ] && [ -c /dev/kvm ]; then
	run kvm qtap0 "" boot_qemu off ""
	run kvm qtap0 _nooffload boot_qemu off ",$NOOFFLOAD"
	if [ -c /dev/vhost-net ]; then
		run kvm_vhost qtap0 "" boot_qemu on ""
	else
		echo "# net: no /dev/vhost-net in the emulated host, no kvm_vhost figures"
	fi
else
	echo "# net: no QEMU or no /dev/kvm in the emulated host, no KVM figures"
fi

# report KEY: one line per figure, the KVM ones beside hvx's.
report() {
	eval "h=\${fig_hvx_$1:-} k=\${fig_kvm_$1:-} v=\${fig_kvm_vhost_$1:-}"
	if [ -z "$h" ]; then
		echo "# bench net_$1: hvx could not run${k:+ (kvm=$k)}${v:+ (kvm_vhost=$v)}"
		return
	fi
	line="bench net_$1 hvx=$h"
	[ -n "$k" ] && line="$line kvm=$k$(awk -v a="$h" -v b="$k" 'BEGIN { if (b > 0) printf " ratio=%.2f", a / b }')"
	[ -n "$v" ] && line="$line kvm_vhost=$v"
	echo "$line"
}
report tcp_host_to_guest_mbps
report tcp_guest_to_host_mbps
report tcp_guest_to_host_nooffload_mbps
report ping_rtt_us
