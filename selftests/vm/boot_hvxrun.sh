#!/bin/sh
# hvx run end to end on a tiny PVH guest (selftests/guests/pvh_probe.S):
# the loader, the boot CPU state, the serial console and the exit statuses
# that `hvx run --help` documents.  Prints kselftest-style TAP.
. /tests/lib/meminfo.sh
G=/tests/guests/pvh_probe.elf
n=0
fail=0
check() {	# check NAME EXPECTED_STATUS ACTUAL_STATUS [EXTRA_CONDITION_RESULT]
	n=$((n + 1))
	if [ "$2" = "$3" ] && [ "${4:-0}" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		echo "# wanted status $2, got $3"
		fail=1
	fi
}
echo "1..9"

hvx run --kernel $G --append "halt now" --console file:/tmp/console
rc=$?
grep -q '^hvx guest: halt now$' /tmp/console
check poweroff_status_0_and_console $rc 0 $?
sed 's/^/# console: /' /tmp/console

hvx run --kernel $G --append reboot --console file:/tmp/console
check reboot_status_3 3 $?

# The chipset's reset control register, inside the PCI configuration ports.
hvx run --kernel $G --append pcireset --console file:/tmp/console
check pci_reset_status_3 3 $?

# A console file holds at most --console-max bytes; stderr says what went.
hvx run --kernel $G --append "halt now" --console file:/tmp/console --console-max 8 2>/tmp/err
rc=$?
[ "$(head -n 1 /tmp/console)" = "hvx gues" ] && grep -q 'past 8 bytes dropped' /tmp/console &&
	grep -q 'bytes of output past --console-max 8 dropped' /tmp/err
check console_max_status_0_and_truncated 0 $rc $?
sed 's/^/# console: /' /tmp/console /tmp/err

hvx run --kernel $G --append crash --console file:/tmp/console 2>/tmp/err
rc=$?
grep -q 'crashed' /tmp/err
check crash_status_4 4 $rc $?

hvx run --kernel /tests/ktap-to-results.awk 2>/tmp/err
rc=$?
grep -q 'not a kernel image' /tmp/err
check malformed_kernel_status_2 2 $rc $?

head -c 100 $G >/tmp/truncated.elf
hvx run --kernel /tmp/truncated.elf 2>/tmp/err
check truncated_kernel_status_2 2 $?

hvx run --kernel $G --mem 1T 2>/tmp/err
check impossible_memory_status_2 2 $?

# Ten VMs created, run and destroyed: no memory may stay behind.  Two runs
# first let the kernel make its one-time allocations (a 4 MiB drop in
# MemFree was seen once without them); a leak of the pages a run pins
# (16 kB or more per run) would then show past the 128 kB bound.
bad=0
for i in 1 2; do
	hvx run --kernel $G --append halt --mem 64M --console file:/tmp/console || bad=1
done
settle_memory
slab0=$(slab_kb)
free0=$(free_kb)
i=0
while [ $i -lt 10 ]; do
	hvx run --kernel $G --append halt --mem 64M --console file:/tmp/console || bad=1
	i=$((i + 1))
done
settle_memory
slab1=$(slab_kb)
free1=$(free_kb)
echo "# live slab objects ${slab0} -> ${slab1} kB, free ${free0} -> ${free1} kB"
[ $((slab1 - slab0)) -lt 64 ] && [ $((free0 - free1)) -lt 128 ] || bad=1
check ten_runs_no_leak 0 $bad
exit $fail
