#!/bin/sh
# The channel bus across its real path in the emulated host: a guest
# driver (hvx_echo_test.ko) sends packets through the guest-to-host ring,
# VMCALL signals, hvx run's echo backend sends them back, and the event
# page plus MSI signals the guest.  Guest TSC ticks per packet (lower is
# better), measured by the guest driver from its first send to its last
# verified echo:
#   vmbus_echo_rtt_ticks   64-byte packets, one in flight: a round trip
#   vmbus_echo_4k_ticks    4 KiB packets, up to 64 in flight (64 KiB rings)
#   vmbus_echo_32k_ticks   32 KiB packets, up to 64 in flight
# No KVM figure: KVM has no channel bus to compare with.
. /tests/lib/tap.sh
LOG=/tmp/bench-vmbus.log
ERR=/tmp/bench-vmbus.err
DRV=/sys/bus/hvx_vmbus/drivers/hvx_echo_test

if ! boot_guest --device echo; then
	echo "# vmbus: the guest did not boot"
	sed 's/^/# /' $LOG $ERR | tail -n 20
	kill $pid
	exit 0
fi
echo "insmod /lib/modules/hvx_echo_test.ko ring_kb=64; sleep 1; d=$DRV/\$(ls $DRV | grep hvx-)" >&3

run() {	# run NAME "COUNT MIN MAX WINDOW SEED"
	echo "echo \"$2\" >\$d/run; while [ \"\$(cat \$d/result)\" = running ]; do sleep 1; done; echo \"bench-$1: \$(cat \$d/result)\"" >&3
	if ! wait_for $LOG "^bench-$1: " 1200; then
		echo "# vmbus $1: no result"
		return
	fi
	r=$(grep -a "^bench-$1: " $LOG | tr -d '\r')
	echo "# $r"
	count=${2%% *}
	echo "$r" | awk -v name="$1" -v count="$count" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { if (v["packets"] == count && v["error"] == 0 && v["mismatches"] == 0)
			printf "bench vmbus_echo_%s_ticks hvx=%d\n", name, v["tsc"] / count
		      else
			printf "# vmbus %s: failed\n", name }'
}
# Seed 0: a fixed payload, only its ends checked (the channel, not the
# driver's generator, is measured).
run rtt "20000 64 64 1 0"
run 4k "20000 4096 4096 64 0"
run 32k "4000 32768 32768 64 0"
echo 'poweroff -f' >&3
wait $pid
exec 3>&-
