#!/bin/sh
# Time sync end to end with Debian's stock kernel as the guest (its driver
# hvx_timesync.ko, hvx run's timesync device): a guest clock an hour wrong
# is stepped right within 5 s, the PTP clock reads the host's time (an hour
# away from a guest clock that is not stepped; within 1 ms of one that
# was), and after the VM was stopped for 30 s the guest hears of it and
# its clocks still agree with the host's.  Prints kselftest-style TAP.
. /tests/lib/tap.sh
LOG=/tmp/timesync.log
ERR=/tmp/timesync.err
DEV=/sys/bus/hvx_vmbus/drivers/hvx_timesync
PARAM=/sys/module/hvx_timesync/parameters/step_threshold_ms
echo "1..8"

# How far the guest's clock is from the host's, in seconds, as the guest
# sees it (the console's latency, well under a second, on top), in $s (not
# in a subshell: gcmd counts its commands).
skew() {
	gcmd 30 "echo skew \$((\$(date +%s) - $(date +%s)))"
	s=$(out | sed -n 's/^skew //p')
}

abs() { [ "$1" -lt 0 ] && echo $((-$1)) || echo "$1"; }

warn0=$(host_warnings)
boot_guest --device timesync
ok guest_boots_with_timesync $? "$(tail -n 5 $LOG; cat $ERR)"

gcmd 30 "d=$DEV/\$(ls $DEV | grep hvx-); echo ptp \$(cat \$d/ptp_index); ls /dev/ptp*; cat /sys/class/ptp/ptp*/clock_name"
r=$(out)
echo "$r" | grep -q '^ptp 0' && echo "$r" | grep -q '^/dev/ptp0' && echo "$r" | grep -q '^hvx'
ok ptp_clock_registered $? "$r"

# An hour behind: a sample comes every second and steps it.
gcmd 30 "d=$DEV/\$(ls $DEV | grep hvx-); date -s @\$((\$(date +%s) - 3600)) >/dev/null; t0=\$(cut -d' ' -f1 /proc/uptime); for i in \$(seq 100); do [ \$(date +%s) -ge $(($(date +%s) - 60)) ] && break; sleep 0.1; done; echo stepped after \$t0 \$(cut -d' ' -f1 /proc/uptime); dmesg | grep 'stepped the clock' | tail -n 1"
r=$(out)
skew
echo "$r" | awk '/^stepped after/ { ok = $4 - $3 < 5 } END { exit !ok }' &&
	echo "$r" | grep -q 'stepped the clock by +3[56][0-9][0-9]' && [ "$(abs "${s:-99}")" -le 1 ]
ok hour_behind_corrected_within_5s $? "$r skew $s"

gcmd 30 'ptpcheck /dev/ptp0'
r=$(out)
echo "$r" | awk '/^offset_ns/ { ok = $2 < 1000000 && $2 > -1000000 } END { exit !ok }'
ok ptp_within_1ms_of_a_synced_clock $? "$r"

# Stepping off, an hour behind: the PTP clock still says the host's time.
gcmd 30 "echo 0 >$PARAM; date -s @\$((\$(date +%s) - 3600)) >/dev/null; sleep 2; ptpcheck /dev/ptp0; echo 1000 >$PARAM"
r=$(out)
echo "$r" | awk '/^offset_ns/ { d = $2 / 1e9 - 3600; ok = d < 1 && d > -1 } END { exit !ok }'
ok ptp_reads_the_host_clock $? "$r"

# Stopped for 30 s: the guest gets a sample that says so, and agrees.
gcmd 30 "sleep 2; d=$DEV/\$(ls $DEV | grep hvx-); echo resumed \$(cat \$d/resumed)"
before=$(out | sed -n 's/^resumed //p')
kill -STOP $pid
sleep 30
kill -CONT $pid
gcmd 30 "sleep 2; d=$DEV/\$(ls $DEV | grep hvx-); echo resumed \$(cat \$d/resumed); ptpcheck /dev/ptp0"
r=$(out)
skew
after=$(echo "$r" | sed -n 's/^resumed //p')
[ "${after:-0}" -gt "${before:-0}" ] && [ "$(abs "${s:-99}")" -le 1 ] &&
	echo "$r" | awk '/^offset_ns/ { ok = $2 < 1000000 && $2 > -1000000 } END { exit !ok }'
ok paused_30s_then_in_sync $? "resumed $before -> $after, skew $s; $r"

guest_warnings
ok no_guest_warnings $? "$(warning_lines)"
guest_poweroff
[ "$(host_warnings)" = "$warn0" ]
ok no_host_warnings $? "$(dmesg | tail -n 30)"
exit $fail
