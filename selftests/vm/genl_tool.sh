#!/bin/sh
# hvx ps, hvx stats and hvx events with Debian's stock kernel as the guest,
# two VMs at once: g1 run by root with an echo and a time sync device, g2
# run by an ordinary user who may use /dev/hvx (group hvx, mode 0660, as
# dist/udev/60-hvx.rules sets it).  Both are listed, their counters move,
# the guest that breaks a ring is reported, creation and destruction are
# events, and only a VM's owner or root reads its counters.  Prints
# kselftest-style TAP.
. /tests/lib/meminfo.sh
. /tests/lib/tap.sh
. /tests/lib/users.sh
EV=/tmp/genl-events.txt
READY=/tmp/genl-events.ready
BUS=/sys/bus/hvx_vmbus
echo "1..12"

# stat_of FILE KEY: the value of a "KEY VALUE" line of hvx stats's output.
stat_of() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}

# channel_of FILE CLASS FIELD: FIELD's value on the channel line of CLASS.
channel_of() {
	awk -v c="$2" -v f="$3" '$1 == "channel" && $3 == c {
		for (i = 4; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' "$1"
}

# Users and the group a real host gets from `make install`.
hvx_users

# Warm the host (see vmbus_linux.sh): hvx.ko's first VMs and channels,
# and the first generic netlink sockets, users and fork()s, leave slab
# pages cached, not leaked.
/tests/vm/vmbus_control >/dev/null 2>&1
/tests/vm/genl_family >/dev/null 2>&1
hvx ps >/dev/null 2>&1
as other 'hvx ps' >/dev/null 2>&1
# Two VMs at once, one of them a user's, with the devices g1 and g2 get
# below.  Tiny PVH guests (pvh_probe.elf, which opens no channel) do:
# before mem_no_leak flushed SLUB's per-CPU slabs they left 157 kB of
# slab that read as live, and two Linux guests warmed the host instead
# (the test took 121 emulated seconds then, 72 now; 27 kB of slab left).
warm="hvx run --kernel /tests/guests/pvh_probe.elf --mem 16M --device echo \
	--device timesync --console file:/tmp/warm"
as hvxuser "timeout 60 $warm-user.console" >/dev/null 2>&1 &
timeout 60 sh -c "$warm-root.console" >/dev/null 2>&1
wait
mem_baseline
warn0=$(host_warnings)

rm -f $READY
hvx events --ready-file $READY >$EV 2>/tmp/genl-events.err &
evpid=$!
wait_for_file() { i=0; while [ ! -e "$1" ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done; [ -e "$1" ]; }
wait_for_file $READY
ok events_listener_subscribed $? "$(cat /tmp/genl-events.err)"

# g1: root's.
GFD=3 LOG=/tmp/g1.log ERR=/tmp/g1.err
boot_guest --name g1 --device echo --device timesync
r1=$?
pid1=$pid

# g2: hvxuser's, started by hand as boot_guest runs hvx as root.
GFD=4 LOG=/tmp/g2.log ERR=/tmp/g2.err
rm -f /tmp/guest-in-4
mkfifo /tmp/guest-in-4
as hvxuser "exec timeout 2400 hvx run --name g2 --kernel /tests/guests/vmlinux \
	--initrd /tests/guests/linux-initrd.cpio --mem 128M --append '$GUEST_APPEND' \
	--console stdio --device timesync" </tmp/guest-in-4 >$LOG 2>$ERR &
pid2=$!
exec 4>/tmp/guest-in-4
wait_for $LOG 'hvx-guest: shell ready' 240
r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ]
ok two_guests_boot $? "g1 $r1, g2 $r2: $(tail -n 3 /tmp/g1.err /tmp/g2.err)"

# 1: hvx ps lists both, running, with their owners' processes.  A VM is
# "stopped" while its vCPU is out in the VMM for an exit: a few samples.
for try in 1 2 3 4 5 6 7 8 9 10; do
	hvx ps >/tmp/ps.txt 2>&1
	awk -v p="$pid1" '$2 == "g1" && $3 == p && $4 == "running"' /tmp/ps.txt | grep -q . &&
		awk '$2 == "g2" && $4 == "running" && $6 == "128M"' /tmp/ps.txt | grep -q . &&
		break
	sleep 0.5
done
cat /tmp/ps.txt | sed 's/^/# /'
awk -v p="$pid1" '$2 == "g1" && $3 == p && $4 == "running"' /tmp/ps.txt | grep -q . &&
	awk '$2 == "g2" && $4 == "running" && $6 == "128M"' /tmp/ps.txt | grep -q . &&
	as other 'hvx ps' | grep -q ' g2 '
ok ps_lists_two_running_vms $? "sample $try: $(cat /tmp/ps.txt)"

# 2: counters move as the guests run: exits, time in the guest,
# interrupts, and the time sync channel's samples (one a second).
hvx stats g1 >/tmp/s1.txt 2>&1
sleep 4
hvx stats g1 >/tmp/s2.txt 2>&1
sed 's/^/# /' /tmp/s2.txt
e1=$(stat_of /tmp/s1.txt exits) e2=$(stat_of /tmp/s2.txt exits)
g1=$(stat_of /tmp/s1.txt guest_ms) g2=$(stat_of /tmp/s2.txt guest_ms)
i1=$(stat_of /tmp/s1.txt irqs_injected) i2=$(stat_of /tmp/s2.txt irqs_injected)
t1=$(channel_of /tmp/s1.txt timesync to_guest_packets)
t2=$(channel_of /tmp/s2.txt timesync to_guest_packets)
echo "# 4 s apart: exits $e1 -> $e2, guest_ms $g1 -> $g2, irqs $i1 -> $i2, timesync samples $t1 -> $t2"
[ -n "$e1" ] && [ "$e2" -gt "$e1" ] &&
	awk -v a="$g1" -v b="$g2" 'BEGIN { exit !(b > a) }' &&
	[ "$i2" -gt "$i1" ] && [ "$t2" -ge $((t1 + 2)) ] &&
	grep -q '^exit HLT ' /tmp/s2.txt
ok counters_move_as_the_guest_runs $? "exits $e1 -> $e2, guest_ms $g1 -> $g2, irqs $i1 -> $i2, timesync samples $t1 -> $t2"

# 3: --watch prints what changed each interval.
timeout -s INT 3 hvx stats g1 --watch 1 >/tmp/watch.txt 2>&1
[ "$(grep -c '^interval_s ' /tmp/watch.txt)" -ge 1 ] && grep -q '^exits_per_s ' /tmp/watch.txt
ok stats_watch_prints_rates $? "$(tail -n 12 /tmp/watch.txt)"

# 4: the counters are their owner's and root's only.
as other 'hvx stats g1' >/tmp/deny.txt 2>&1
rd=$?
as hvxuser 'hvx stats g1' >>/tmp/deny.txt 2>&1
rd2=$?
as hvxuser 'hvx stats g2' >/tmp/own.txt 2>&1
ro=$?
hvx stats g2 >/tmp/root.txt 2>&1
rr=$?
[ $rd = 1 ] && [ $rd2 = 1 ] && grep -q 'permission denied' /tmp/deny.txt &&
	[ $ro = 0 ] && [ "$(stat_of /tmp/own.txt uid)" = 1000 ] &&
	[ $rr = 0 ] && [ "$(stat_of /tmp/root.txt uid)" = 1000 ]
ok only_owner_or_root_reads_counters $? "other $rd, hvxuser on g1 $rd2, owner $ro, root $rr: $(cat /tmp/deny.txt) $(head -n 3 /tmp/own.txt)"

# 5: a guest module breaks the echo channel's ring; the host rescinds it,
# the event names the VM and the channel, and its traffic stays counted.
GFD=3 LOG=/tmp/g1.log ERR=/tmp/g1.err
gcmd 120 "insmod /lib/modules/hvx_hostile.ko; sleep 1; d=\$(ls $BUS/drivers/hvx_hostile | grep hvx- | head -n 1); echo indices >$BUS/devices/\$d/attack; echo attacked \$d"
wait_for $ERR 'broke the' 30
wait_for $EV '^channel-broken vm .* name g1 ' 30
rb=$?
hvx stats g1 >/tmp/s3.txt 2>&1
[ $rb = 0 ] && grep -q '^channel gone ' /tmp/s3.txt
ok broken_channel_is_an_event $rb "$(out); $(grep broke $ERR); $(grep -E '^channel' /tmp/s3.txt)"

# 6: a third VM that lives for a moment and crashes (a triple fault):
# created, named, its vCPU shut down, destroyed.
timeout 60 hvx run --name g3 --kernel /tests/guests/pvh_probe.elf --append crash \
	--console file:/tmp/g3.console >/tmp/g3.txt 2>&1
r3=$?
wait_for $EV '^destroyed vm .* name g3 ' 10
id3=$(awk '$1 == "named" && $5 == "g3" { print $3 }' $EV)
[ $r3 = 4 ] && [ -n "$id3" ] && grep -q "^created vm $id3 " $EV &&
	grep -q "^vcpu-shutdown vm $id3 name g3 .* vcpu 0 reason 4" $EV
ok created_named_shutdown_destroyed_events $? "hvx run $r3: $(cat /tmp/g3.txt); $(cat $EV)"

# 7: both guests power off; they leave hvx ps, with events.
guest_poweroff
rc1=$rc
GFD=4 LOG=/tmp/g2.log ERR=/tmp/g2.err pid=$pid2
guest_poweroff
rc2=$rc
wait_for $EV '^destroyed vm .* name g2 ' 10
grep -q '^destroyed vm .* name g1 ' $EV && grep -q '^destroyed vm .* name g2 ' $EV &&
	[ $rc1 = 0 ] && [ $rc2 = 0 ]
ok destroyed_events_for_both $? "rc $rc1 $rc2; $(cat $EV)"
sed 's/^/# event: /' $EV

hvx ps >/tmp/ps2.txt 2>&1
hvx stats g1 >/tmp/gone.txt 2>&1
rg=$?
! grep -q ' g[12] ' /tmp/ps2.txt && [ $rg = 1 ] && grep -q "no VM named 'g1'" /tmp/gone.txt
ok gone_from_ps_and_stats $? "$(cat /tmp/ps2.txt /tmp/gone.txt)"

# 8: errors name the problem in one line.
hvx stats >/tmp/e1.txt 2>&1; u1=$?
hvx stats g1 --bogus >/tmp/e2.txt 2>&1; u2=$?
hvx run --name 'bad name' --kernel /tests/guests/pvh_probe.elf >/tmp/e3.txt 2>&1; u3=$?
[ $u1 = 2 ] && [ $u2 = 2 ] && [ $u3 = 2 ] &&
	[ "$(cat /tmp/e1.txt /tmp/e2.txt /tmp/e3.txt | wc -l)" = 3 ]
ok bad_arguments_are_one_line_errors $? "$u1 $u2 $u3: $(cat /tmp/e1.txt /tmp/e2.txt /tmp/e3.txt)"

kill $evpid 2>/dev/null
wait $evpid 2>/dev/null
[ "$(host_warnings)" = "$warn0" ]
ok no_host_warnings $? "$(dmesg | grep -A5 -E 'WARNING:|BUG:' | head -n 20)"
mem_no_leak
ok no_memory_left_behind $?
exit $fail
