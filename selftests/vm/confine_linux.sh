#!/bin/sh
# hvx run confines itself (user/confine.c), with Debian's stock kernel as
# the guest.  Run by root as sudo runs it (SUDO_UID, SUDO_GID) it becomes
# that user, keeps no capabilities, has no-new-privileges and a seccomp
# filter, and the guest's console, disk and network (a TAP it made with
# the CAP_NET_ADMIN it kept for that) work; it opens files as the user,
# so --disk /etc/shadow, a root-only kernel and --console file: on root's
# file are refused.  An ordinary user runs a guest on a persistent TAP of
# their own without any privilege, confined as well; asking that TAP for
# an MTU it does not have is refused with a message that says why.
# Prints kselftest-style TAP.
. /tests/lib/tap.sh
. /tests/lib/users.sh
G=/tests/guests/pvh_probe.elf
IP=/usr/lib/hvx-iproute2/ip
echo "1..10"

hvx_users
# What udev's default rules do on a real host; devtmpfs makes it 0600.
chmod 0666 /dev/net/tun

# field PID NAME: a line of /proc/PID/status, tabs as spaces.
field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' /proc/$1/status
}

# confined PID UID: 0 if hvx run PID is UID with no capabilities left,
# no-new-privileges and a seccomp filter; shows what it has.
confined() {
	echo "# pid $1: Uid $(field $1 Uid), Gid $(field $1 Gid), Groups $(field $1 Groups)," \
		"CapPrm $(field $1 CapPrm), CapEff $(field $1 CapEff), CapBnd $(field $1 CapBnd)," \
		"NoNewPrivs $(field $1 NoNewPrivs), Seccomp $(field $1 Seccomp)"
	[ "$(field $1 Uid)" = "$2 $2 $2 $2" ] &&
		[ "$(field $1 CapPrm)" = 0000000000000000 ] &&
		[ "$(field $1 CapEff)" = 0000000000000000 ] &&
		[ "$(field $1 NoNewPrivs)" = 1 ] && [ "$(field $1 Seccomp)" = 2 ]
}

# 1-4: as under sudo: a disk of the user's, a TAP hvx run makes.
rm -f /tmp/user-disk.img
truncate -s 16M /tmp/user-disk.img
chown 1000:1000 /tmp/user-disk.img
LOG=/tmp/confine.log ERR=/tmp/confine.err
export SUDO_UID=1000 SUDO_GID=1000
boot_guest --disk /tmp/user-disk.img --net tap=hvxc0
booted=$?
unset SUDO_UID SUDO_GID
ok sudo_guest_boots_with_disk_and_network $booted "$(tail -n 5 $LOG; cat $ERR)"

confined $pid 1000 && [ "$(field $pid CapBnd)" = 0000000000000000 ] &&
	[ "$(field $pid Gid)" = "1000 1000 1000 1000" ] &&
	echo " $(field $pid Groups) " | grep -q ' 900 ' &&
	! echo " $(field $pid Groups) " | grep -q ' 0 '
ok sudo_run_becomes_the_user_unprivileged $?

gcmd 60 'echo confined-disk | dd of=/dev/hvxda bs=512 count=1 conv=sync,fsync 2>/dev/null; dd if=/dev/hvxda bs=13 count=1 2>/dev/null; echo'
r=$(out)
[ "$(head -c 13 /tmp/user-disk.img)" = confined-disk ] && echo "$r" | grep -q '^confined-disk'
ok sudo_guest_disk_works $? "$r; host: $(head -c 13 /tmp/user-disk.img)"

ip addr add 10.79.0.1/24 dev hvxc0
gcmd 60 'ip addr add 10.79.0.2/24 dev eth0; ip link set eth0 up; ping -c 3 -q 10.79.0.1'
r=$(out)
echo "$r" | grep -q '3 packets transmitted, 3 packets received'
ok sudo_guest_network_works $? "$r"

guest_poweroff
[ $rc = 0 ] && ! grep -q 'forbidden' $ERR
ok sudo_guest_powers_off_status_0 $? "status $rc"

# 6-7: files the user may not open stay shut under sudo; root alone may.
[ -e /etc/shadow ] || { echo 'root:*:20000:0:99999:7:::' >/etc/shadow; chmod 0640 /etc/shadow; }
cp $G /tmp/root-only.elf
truncate -s 1M /tmp/root-only.img
chmod 0600 /tmp/root-only.elf /tmp/root-only.img
echo "root's file" >/tmp/root-file
chmod 0644 /tmp/root-file
SUDO_UID=1000 SUDO_GID=1000 hvx run --kernel $G --append 'halt now' --disk /etc/shadow \
	--console file:/tmp/c1 2>/tmp/e1
r1=$?
SUDO_UID=1000 SUDO_GID=1000 hvx run --kernel $G --append 'halt now' --console file:/tmp/root-file \
	2>/tmp/e2
r2=$?
SUDO_UID=1000 SUDO_GID=1000 hvx run --kernel /tmp/root-only.elf --append 'halt now' \
	--console file:/tmp/c3 2>/tmp/e3
r3=$?
sed 's/^/# stderr: /' /tmp/e1 /tmp/e2 /tmp/e3
[ $r1 = 2 ] && grep -q '/etc/shadow.*Permission denied' /tmp/e1 &&
	[ $r2 = 2 ] && grep -q 'root-file: Permission denied' /tmp/e2 &&
	[ "$(cat /tmp/root-file)" = "root's file" ] &&
	[ $r3 = 2 ] && grep -q 'root-only.elf.*Permission denied' /tmp/e3
ok sudo_run_opens_files_as_the_user $? "statuses $r1 $r2 $r3"
hvx run --kernel /tmp/root-only.elf --append 'halt now' --disk /tmp/root-only.img \
	--console file:/tmp/c4 2>/tmp/e4
r4=$?
[ $r4 = 0 ] && grep -q '^hvx guest: halt now$' /tmp/c4
ok root_alone_opens_them $? "status $r4: $(cat /tmp/e4)"

# 8-10: a persistent TAP of hvxuser's, up: no privilege needed.
$IP tuntap add hvxp0 mode tap user 1000
ip link set hvxp0 up
ip addr add 10.78.0.1/24 dev hvxp0
as hvxuser "hvx run --kernel $G --append 'halt now' --console file:/tmp/c5 \
	--net tap=hvxp0,mtu=9000" 2>/tmp/e5
r5=$?
sed 's/^/# stderr: /' /tmp/e5
[ $r5 = 2 ] && grep -q "'ip link set hvxp0 mtu 9000' needs CAP_NET_ADMIN" /tmp/e5
ok user_tap_change_needs_cap_net_admin $? "status $r5"

GFD=4 LOG=/tmp/user.log ERR=/tmp/user.err
rm -f /tmp/guest-in-4
mkfifo /tmp/guest-in-4
as hvxuser "exec timeout 2400 hvx run --kernel /tests/guests/vmlinux \
	--initrd /tests/guests/linux-initrd.cpio --mem 256M --append '$GUEST_APPEND' \
	--console stdio --net tap=hvxp0" </tmp/guest-in-4 >$LOG 2>$ERR &
pid=$!
exec 4>/tmp/guest-in-4
wait_for $LOG 'hvx-guest: shell ready' 240
booted=$?
# A guest that did not come up has no reader on fd 4: writing would end this shell.
if [ $booted = 0 ]; then
	gcmd 60 'ip addr add 10.78.0.2/24 dev eth0; ip link set eth0 up; ping -c 3 -q 10.78.0.1'
	r=$(out)
else
	r="no guest shell"
fi
[ $booted = 0 ] && echo "$r" | grep -q '3 packets transmitted, 3 packets received'
ok user_guest_on_own_persistent_tap $? "$r; $(cat $ERR)"
confined "$(pidof hvx)" 1000
ok user_run_is_confined $?
if [ $booted = 0 ]; then
	guest_poweroff
else
	wait $pid
	exec 4>&-
fi
$IP tuntap del hvxp0 mode tap
exit $fail
