#!/bin/sh
# VM test: hvx_ioctl_fuzz (selftests/fuzz/hvx_ioctl_fuzz.c) against hvx.ko,
# racing threads, a fixed seed.  Passes when the fuzzer's own checks pass
# (enough ops, every ioctl succeeded once, the guest exits were reached,
# the documented errors held), it ended in time, dmesg stayed clean, hvx.ko
# unloads and loads again afterwards, and nothing leaked.  Prints
# kselftest-style TAP.  init.sh runs fuzz_* tests after all the others: a
# kernel bug found here can wedge the emulated host.
#
# The kernel command line may set hvxfuzzseconds= (default 60),
# hvxfuzzseed= (default 16), hvxfuzzthreads= (default 3) and hvxfuzzavoid=
# (the fuzzer's --avoid, to get past known bugs): scripts/fuzz.sh passes
# them through HVX_EMUHOST_APPEND.
. /tests/lib/meminfo.sh
. /tests/lib/tap.sh
FUZZ=/tests/fuzz/hvx_ioctl_fuzz
KO=/lib/hvx/hvx.ko
OUT=/tmp/fuzz_ioctl.out
ERR=/tmp/fuzz_ioctl.err
# What fails the test in dmesg, beyond init.sh's list: the divide error and
# hvx's own "failed" messages do not always come with a BUG or an Oops.
BAD='BUG|WARNING|Oops|general protection|divide error|hvx:.*failed|Call Trace|soft lockup|blocked for more than'

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
seconds=$(arg hvxfuzzseconds)
seed=$(arg hvxfuzzseed)
threads=$(arg hvxfuzzthreads)
avoid=$(arg hvxfuzzavoid)
: "${seconds:=60}" "${seed:=16}" "${threads:=3}"

# console LINE...: straight to the serial log, for when the host wedges
# before init.sh prints this test's output.
console() {
	echo "HVX-OUT: fuzz_ioctl: $*" >/dev/console
}

echo "1..8"
grep -q '^hvx ' /proc/modules || insmod $KO
# Every kernel message to the serial console as it happens (the emulated
# host's loglevel=4 holds back warnings): an oops here often wedges the
# host before dmesg can be read.
printk=$(cut -f1 /proc/sys/kernel/printk)
echo 8 >/proc/sys/kernel/printk

before=$(dmesg | wc -l)
hung=0

# run_fuzz SEED SECONDS: the fuzzer in the background, watched; output in
# $OUT and $ERR, exit status in $rc, hung=1 if it did not end in time
# (a minute more than SECONDS, for a slow teardown).
run_fuzz() {
	$FUZZ --seed "$1" --seconds "$2" --threads "$threads" ${avoid:+--avoid "$avoid"} \
		>$OUT 2>$ERR &
	pid=$!
	limit=$(($2 + 60))
	elapsed=0
	reported=0
	while kill -0 $pid 2>/dev/null && [ $elapsed -lt $limit ]; do
		sleep 5
		elapsed=$((elapsed + 5))
		# At the first bad line, the workers' last ops and the oops go to
		# the console at once: the host may not live to the end.
		if [ $reported = 0 ] && dmesg | tail -n +"$((before + 1))" | grep -qE "$BAD"; then
			reported=1
			kill -USR2 $pid 2>/dev/null
			sleep 1
			dmesg | tail -n +"$((before + 1))" |
				sed 's/^/HVX-OUT: fuzz_ioctl: dmesg: /' >/dev/console
			sed 's/^/HVX-OUT: fuzz_ioctl: /' $ERR >/dev/console
		fi
		[ $((elapsed % 30)) = 0 ] && console "seed $1: running for $elapsed s"
	done
	rc=
	if kill -0 $pid 2>/dev/null; then
		hung=1
		echo "# seed $1: the fuzzer did not end within $limit s; its threads' kernel stacks:"
		kill -USR2 $pid 2>/dev/null
		sleep 1
		for t in /proc/$pid/task/*; do
			echo "# task ${t##*/} ($(cat $t/wchan 2>/dev/null)):"
			sed 's/^/#   /' $t/stack 2>/dev/null
		done
		echo w >/proc/sysrq-trigger 2>/dev/null
		kill -KILL $pid 2>/dev/null
		sleep 5
	fi
	# A task stuck in the kernel survives SIGKILL: then do not wait for it.
	kill -0 $pid 2>/dev/null || { wait $pid; rc=$?; }
}

# Warm the host: the first VMs, vCPUs, channels and forks leave slab pages
# cached, not leaked (another seed, so this is also a little more fuzzing).
# The warm-up's VMs get APIC virtualization where the CPU has it (hvx.ko's
# apicv, off by default), so that the racing threads also meet its pages'
# set-up and teardown; its dmesg is checked with the main run's.
apicv=/sys/module/hvx/parameters/apicv
apicv_was=$(cat $apicv)
echo Y 2>/dev/null >$apicv
console "warming up: seed $((seed + 1000)), 5 s, apicv $(cat $apicv)"
run_fuzz $((seed + 1000)) 5
echo "$apicv_was" >$apicv
grep -E '^check|ops in all' $OUT | sed 's/^/# warm-up: /'
mem_baseline

console "seed $seed, $seconds s, $threads threads${avoid:+, avoiding $avoid}"
run_fuzz "$seed" "$seconds"
echo "# the fuzzer's exit status: ${rc:-none, it did not end}"
sed 's/^check /# check /' $OUT
sed 's/^\([^#]\)/# \1/' $ERR

for c in enough_ops every_ioctl_succeeded guest_exits_io_mmio_hlt_shutdown documented_errors; do
	grep -q "^check ok $c\$" $OUT
	ok "ioctl_$c" $?
done
[ $hung = 0 ]
ok "ioctl_ended_in_time" $? "rc $rc"

dmesg | tail -n +"$((before + 1))" >/tmp/fuzz_ioctl.dmesg
! grep -qE "$BAD" /tmp/fuzz_ioctl.dmesg
ok "ioctl_dmesg_clean" $? "$(grep -E "$BAD" /tmp/fuzz_ioctl.dmesg | head -n 5)"
grep -E "$BAD" /tmp/fuzz_ioctl.dmesg >/dev/null && sed 's/^/# dmesg: /' /tmp/fuzz_ioctl.dmesg | head -n 150

# Every fd is closed: the module must go, and come back for what follows.
rmmod hvx && insmod $KO
ok "ioctl_module_reloads" $?
mem_no_leak
ok "ioctl_no_leak" $?
echo "$printk" >/proc/sys/kernel/printk
exit $fail
