#!/bin/busybox sh
# /init of the emulated host: runs the VM tests (or benchmarks, or the demo)
# and reports over the serial console, then powers off so Bochs exits.
# Lines for the build machine carry a prefix:
#   HVX-RESULT: ok AREA/NAME       one result (hvx result format)
#   HVX-TIME: NAME SECONDS         wall time of one test (emulated clock)
#   HVX-OUT: ...                   a test's own output, for the log
#   HVX-BENCH: bench ...           a benchmark figure
#   HVX-DONE                       everything ran
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
mode=$(arg hvxmode)
only=$(arg hvxtests | tr ',' ' ')
timeout_s=$(arg hvxtimeout)
: "${timeout_s:=900}"

# The patterns that fail a test whatever the test said ($SPLAT).
. /tests/splats.sh

now() { cut -d' ' -f1 /proc/uptime; }

run_one() {
	path=$1
	file=${path##*/}
	name=${file%.sh}
	area=${name%%_*}
	before=$(dmesg | wc -l)
	start=$(now)
	echo "HVX-START: $name"
	timeout "$timeout_s" "$path" >/tmp/out 2>&1
	rc=$?
	end=$(now)
	sed 's/^/HVX-OUT: /' /tmp/out
	awk -v area="$area" -v prog="$name" -f /tests/ktap-to-results.awk /tmp/out >/tmp/res
	dmesg | tail -n +"$((before + 1))" >/tmp/dmesg
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 143 ]; then
		echo "not ok $area/$name.timeout" >>/tmp/res
	fi
	if grep -qE "$SPLAT" /tmp/dmesg; then
		sed -i 's/^ok /not ok /' /tmp/res
		echo "not ok $area/$name.dmesg" >>/tmp/res
		sed 's/^/HVX-OUT: dmesg: /' /tmp/dmesg
	fi
	sed 's/^/HVX-RESULT: /' /tmp/res
	echo "HVX-TIME: $name $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
}

# After the boot, before any module: hvxpreempt=MODE, the preemption
# model, and hvxsoftlockup=1 and hvxrcustall=1, the soft-lockup detector
# and RCU's stall warnings back on (the debug kernel boots with
# preempt=none nosoftlockup rcupdate.rcu_cpu_stall_suppress=1, see
# scripts/check.sh).
preempt=$(arg hvxpreempt)
if [ -n "$preempt" ]; then
	echo "$preempt" >/sys/kernel/debug/sched/preempt ||
		echo "HVX-OUT: cannot set preemption to $preempt"
fi
if [ "$(arg hvxsoftlockup)" = 1 ]; then
	echo 1 >/proc/sys/kernel/soft_watchdog ||
		echo "HVX-OUT: cannot turn the soft-lockup detector on"
fi
if [ "$(arg hvxrcustall)" = 1 ]; then
	echo 0 >/sys/module/rcupdate/parameters/rcu_cpu_stall_suppress ||
		echo "HVX-OUT: cannot turn RCU's stall warnings on"
fi
echo "HVX-BOOTED: $(now)"
grep -q ' vmx' /proc/cpuinfo || echo "HVX-OUT: no vmx in /proc/cpuinfo"
# The KVM peer and hvx.ko, both loaded: VMX goes to whichever has VMs;
# TAP and bridge for the network tests; vhost-net for QEMU in bench images.
for m in irqbypass kvm kvm-intel hvx tun llc stp bridge tap vhost_iotlb vhost vhost_net; do
	[ -f /lib/hvx/$m.ko ] || continue
	insmod /lib/hvx/$m.ko 2>&1 | sed "s/^/HVX-OUT: insmod $m: /"
done
dmesg | grep 'hvx:' | sed 's/^/HVX-OUT: /'

# The debug kernel (make check-debug, hvxdebug=1) after the tests: what
# its detectors printed before the first test (the boot, and loading kvm
# and hvx.ko: run_one checks each test's own lines), and the leaks
# kmemleak finds.  Results go under the pseudo-test ~kernel, one per host.
KMEMLEAK=/sys/kernel/debug/kmemleak
check_debug_kernel() {
	host=$(arg hvxhost)
	host=${host:+$host.}
	echo "HVX-START: ~kernel"
	dmesg | head -n "$boot_lines" | known_splats_drop >/tmp/dmesg
	if grep -qE "$SPLAT" /tmp/dmesg; then
		splat_reports </tmp/dmesg | sed 's/^/HVX-OUT: dmesg: /'
		echo "HVX-RESULT: not ok kernel/${host}boot.dmesg"
	else
		echo "HVX-RESULT: ok kernel/${host}boot.dmesg"
	fi
	if [ ! -w $KMEMLEAK ]; then
		echo "HVX-OUT: no $KMEMLEAK"
		echo "HVX-RESULT: not ok kernel/${host}kmemleak"
		return
	fi
	# kmemleak reports an object only when a scan found no reference to
	# it and it is older than 5 s; a second scan, later, drops the
	# transient ones (Documentation/dev-tools/kmemleak.rst).
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/leaks
	dmesg | grep 'kmemleak:' | tail -n 2 | sed 's/^/HVX-OUT: /'
	# Every leak is shown, but only those allocated through hvx.ko fail
	# (hvx_leaks): the others are Debian's.
	sed 's/^/HVX-OUT: kmemleak: /' /tmp/leaks
	ours=$(hvx_leaks </tmp/leaks | grep -c '^unreferenced object')
	echo "HVX-OUT: kmemleak: $(grep -c '^unreferenced object' /tmp/leaks) leaks, $ours through hvx.ko"
	if [ "$ours" -gt 0 ]; then
		echo "HVX-RESULT: not ok kernel/${host}kmemleak"
	else
		echo "HVX-RESULT: ok kernel/${host}kmemleak"
	fi
}

case "$mode" in
test)
	boot_lines=$(dmesg | wc -l)
	# Tests that attack the host run after the others, the fuzzers last
	# of all (passes.sh, which run-parallel.sh orders results by).
	. /tests/passes.sh
	for pass in first last fuzz; do
		for t in /tests/vm/*; do
			[ -x "$t" ] || continue
			n=${t##*/}; n=${n%.sh}
			if [ -n "$only" ]; then
				case " $only " in *" $n "*) ;; *) continue ;; esac
			fi
			[ "$(vm_pass "$n")" = $pass ] || continue
			run_one "$t"
		done
	done
	[ "$(arg hvxdebug)" = 1 ] && check_debug_kernel
	;;
bench)
	for b in /tests/bench/*; do
		[ -x "$b" ] || continue
		n=${b##*/}; n=${n%.sh}
		if [ -n "$only" ]; then
			case " $only " in *" $n "*) ;; *) continue ;; esac
		fi
		echo "HVX-START: ${b##*/}"
		timeout "$timeout_s" "$b" 2>&1 | sed 's/^bench /HVX-BENCH: bench /; t; s/^/HVX-OUT: /'
	done
	;;
demo)
	[ -x /tests/demo.sh ] && /tests/demo.sh 2>&1
	;;
shell)
	setsid cttyhack sh
	;;
esac
echo "HVX-DONE"
sleep 1
poweroff -f
