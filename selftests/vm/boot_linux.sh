#!/bin/sh
# Debian's stock kernel (the one this emulated host runs) booted by hvx run:
# through PVH from its extracted vmlinux and through the bzImage's 64-bit
# protocol, to the busybox init of selftests/guests/linux-init.sh.  Checks
# what the guest sees (hypervisor flag, the hvx platform in dmesg), its
# timers against the host's clock, a shell driven through the console, the
# exit statuses of poweroff, reboot, panic and the escape key, and that the boots
# leave no memory behind.  Prints kselftest-style TAP.
. /tests/lib/meminfo.sh
. /tests/lib/tap.sh
K=/tests/guests/vmlinux
BZ=/tests/guests/bzImage
INITRD=/tests/guests/linux-initrd.cpio
uptime_s() {
	cut -d' ' -f1 /proc/uptime
}
echo "1..15"

mem_baseline

# 1: PVH, to init, then power-off.
timeout 300 hvx run --kernel $K --initrd $INITRD --mem 256M \
	--append "console=ttyS0 hvx.action=poweroff" --console file:/tmp/pvh.log </dev/null
rc=$?
show /tmp/pvh.log
grep -q 'hvx-guest: init reached' /tmp/pvh.log
ok pvh_boot_reaches_init $? "status $rc"
grep -q 'hvx-guest: kernel warnings 0' /tmp/pvh.log
ok guest_kernel_without_warnings $? "$(grep -a 'kernel warnings' /tmp/pvh.log)"
grep -q 'hvx-guest: clocksource tsc' /tmp/pvh.log
ok guest_keeps_tsc_clocksource $? "$(grep 'hvx-guest: clocksource' /tmp/pvh.log)"
grep -q 'hvx-guest: cpuinfo has the hypervisor flag' /tmp/pvh.log &&
	grep -q 'hvx-guest: dmesg names the hvx platform' /tmp/pvh.log
ok guest_sees_hypervisor_flag_and_hvx_platform $?
[ "$rc" = 0 ]
ok poweroff_status_0 $? "status $rc"
# The guest's wall clock came from the CMOS RTC: the host's time, give or
# take the seconds between the guest's `date` and ours.
g=$(sed -n 's/^hvx-guest: epoch \([0-9]*\).*/\1/p' /tmp/pvh.log)
h=$(date +%s)
[ -n "$g" ] && [ $((h - g)) -ge -1 ] && [ $((h - g)) -le 15 ]
ok guest_clock_from_rtc $? "guest epoch ${g:-none}, host $h"

# 2: bzImage, to init, then reboot.  Boots 1 and 3 run the guest's crypto
# self-tests, which warn if its FPU registers came back wrong from an exit,
# and check its warnings; 2 and 4 check neither, so they skip the 22
# emulated seconds of self-tests.
timeout 300 hvx run --kernel $BZ --initrd $INITRD --mem 256M \
	--append "console=ttyS0 cryptomgr.notests hvx.action=reboot" --console file:/tmp/bz.log </dev/null
rc=$?
show /tmp/bz.log
grep -q 'hvx-guest: init reached' /tmp/bz.log && [ "$rc" = 3 ]
ok bzimage_boot_reaches_init_reboot_status_3 $? "status $rc"

# 3: an interactive shell on the console, driven through hvx run's stdin.
rm -f /tmp/in /tmp/sh.log
mkfifo /tmp/in
timeout 300 hvx run --kernel $K --initrd $INITRD --mem 256M \
	--append "console=ttyS0" --console stdio </tmp/in >/tmp/sh.log 2>&1 &
pid=$!
exec 3>/tmp/in
wait_for /tmp/sh.log 'hvx-guest: shell ready' 120
echo 'echo "hvx-cmd: $((6 * 7))"' >&3
wait_for /tmp/sh.log 'hvx-cmd: 42' 60
ok console_shell_runs_commands $?
# Other host tasks ran while the guest slept in HLT (this script's polls):
# the guest's FPU registers and memory must come through intact.
grep -q 'hvx-guest: kernel warnings 0' /tmp/sh.log
ok guest_intact_across_host_tasks $? "$(grep -a 'kernel warnings' /tmp/sh.log)"

# 4: sleep 2 in the guest: 2 s +- 10% by the guest's clock and by ours,
# which looks every 20 ms for the two lines around the sleep.
echo 'a=$(cut -d" " -f1 /proc/uptime); echo hvx-t0; sleep 2; echo hvx-t1; b=$(cut -d" " -f1 /proc/uptime); echo "hvx-slept: $a $b"' >&3
wait_for /tmp/sh.log '^hvx-t0' 60 20000
h0=$(uptime_s)
wait_for /tmp/sh.log '^hvx-t1' 10 20000
h1=$(uptime_s)
wait_for /tmp/sh.log '^hvx-slept: [0-9]' 60
g=$(sed -n 's/^hvx-slept: \([0-9.]*\) \([0-9.]*\).*/\1 \2/p' /tmp/sh.log | tr -d '\r')
echo "# guest uptime $g, host uptime $h0 $h1"
echo "$g $h0 $h1" | awk '{ g = $2 - $1; h = $4 - $3;
	exit !(g >= 1.8 && g <= 2.2 && h >= 1.8 && h <= 2.2) }'
ok sleep_2_takes_2s_by_guest_and_host_clocks $? "guest $g host $h0 $h1"

# 5: Ctrl-C reaches the guest's foreground process.
echo 'echo hvx-sleeping; sleep 600' >&3
wait_for /tmp/sh.log '^hvx-sleeping' 60
usleep 500000	# for the shell to start sleep
printf '\003' >&3
echo 'echo "hvx-after-intr: $?"' >&3
# A shell's $? for a child that SIGINT killed is 128 + 2.
wait_for /tmp/sh.log 'hvx-after-intr: 130' 60
ok ctrl_c_interrupts_guest_command $? "$(grep hvx-after-intr /tmp/sh.log)"

# 6: the escape key (Ctrl-A x) ends the VM with status 6.
printf '\001x' >&3
wait $pid
rc=$?
exec 3>&-
show /tmp/sh.log
[ "$rc" = 6 ]
ok escape_key_status_6 $? "status $rc"

# 7: a kernel panic, reported through pvpanic, is the crash status.
timeout 300 hvx run --kernel $K --initrd $INITRD --mem 256M \
	--append "console=ttyS0 quiet cryptomgr.notests hvx.action=panic" --console file:/tmp/panic.log \
	</dev/null 2>/tmp/err
rc=$?
[ "$rc" = 4 ] && grep -q 'Kernel panic' /tmp/panic.log && grep -q panicked /tmp/err
ok panic_status_4 $? "status $rc: $(cat /tmp/err)"

# 8: bad images and impossible options for a Linux boot.
hvx run --kernel $K --initrd /nonexistent 2>/tmp/err
rc=$?
[ "$rc" = 2 ] && grep -q nonexistent /tmp/err
ok missing_initrd_status_2 $? "status $rc: $(cat /tmp/err)"

# 9: four Linux boots left no memory pinned or allocated behind.
mem_no_leak
ok linux_boots_no_leak $?
exit $fail
