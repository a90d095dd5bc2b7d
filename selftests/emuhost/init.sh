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

# The patterns that fail a test whatever the test said.
BAD='Oops|BUG:|WARNING:|general protection fault|soft lockup|hung_task|blocked for more than|KASAN|UBSAN|Call Trace|kernel BUG'

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
	if grep -qE "$BAD" /tmp/dmesg; then
		sed -i 's/^ok /not ok /' /tmp/res
		echo "not ok $area/$name.dmesg" >>/tmp/res
		sed 's/^/HVX-OUT: dmesg: /' /tmp/dmesg
	fi
	sed 's/^/HVX-RESULT: /' /tmp/res
	echo "HVX-TIME: $name $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
}

echo "HVX-BOOTED: $(now)"
grep -q ' vmx' /proc/cpuinfo || echo "HVX-OUT: no vmx in /proc/cpuinfo"
# The KVM peer and hvx.ko, both loaded: VMX goes to whichever has VMs;
# TAP and bridge for the network tests; vhost-net for QEMU in bench images.
for m in irqbypass kvm kvm-intel hvx tun llc stp bridge tap vhost_iotlb vhost vhost_net; do
	[ -f /lib/hvx/$m.ko ] || continue
	insmod /lib/hvx/$m.ko 2>&1 | sed "s/^/HVX-OUT: insmod $m: /"
done
dmesg | grep 'hvx:' | sed 's/^/HVX-OUT: /'

case "$mode" in
test)
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
