#!/bin/sh
# The hvx network interface end to end with Debian's stock kernel as the
# guest (its driver hvx_net.ko, hvx run's TAP backend): ping both ways,
# 64 MiB over TCP both ways, checked byte for byte, MTU changes and jumbo frames,
# the TAP's link going down and up, an announcement after the VM was
# stopped and continued, a hostile guest's frames dropped and counted, and
# two guests on one bridge.  Prints kselftest-style TAP.
. /tests/lib/meminfo.sh
. /tests/lib/tap.sh
LOG=/tmp/net.log
ERR=/tmp/net.err
HOST=10.77.0.1
GUEST=10.77.0.2
MAC=02:48:56:00:00:02
echo "1..18"

ethstat() {	# ethstat NAME: a counter of the guest's ethtool -S output ($r)
	echo "$r" | awk -v n="$1:" '$1 == n { print $2 }'
}

BYTES=67108864
warn0=$(host_warnings)

boot_guest --mem 320M --net tap=hvxt0,mac=$MAC
booted=$?
ip addr add $HOST/24 dev hvxt0
ok guest_boots_with_a_network_interface $booted "$(tail -n 5 $LOG; cat $ERR)"

gcmd 30 "ip addr add $GUEST/24 dev eth0; ip link set eth0 up; cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu; ethtool -i eth0 | grep driver"
r=$(out)
echo "$r" | grep -q "^$MAC\$" && echo "$r" | grep -q '^1500$' && echo "$r" | grep -q 'driver: hvx_net'
ok interface_has_mac_mtu_and_driver $? "$r"

gcmd 120 "ping -c 100 -i 0.05 -q $HOST"
r=$(out)
echo "$r" | grep -q '100 packets transmitted, 100 packets received, 0% packet loss'
ok ping_guest_to_host_100_no_loss $? "$r"
r=$(ping -c 100 -i 0.05 -q $GUEST 2>&1)
echo "$r" | grep -q '100 packets transmitted, 100 packets received, 0% packet loss'
ok ping_host_to_guest_100_no_loss $? "$r"

# 64 MiB each way, netbench's pattern at both ends: every byte is checked
# against its offset, so anything lost, repeated or changed in transit
# fails, at the byte.  The tests used to send /dev/urandom and compare
# md5sums: four passes of a digest and two of urandom over 64 MiB cost
# about 100 of this test's 495 emulated seconds.
gcmd 10 "netbench recv 5001 check $BYTES 2>/tmp/h2g.txt & true"
sleep 2
netbench send $GUEST 5001 $BYTES pattern 2>/tmp/h2g-host.txt
gcmd 300 'wait; cat /tmp/h2g.txt'
r=$(out)
echo "$r" | grep -q '^pattern ok$'
ok tcp_64mib_host_to_guest_intact $? "guest: $r; host: $(cat /tmp/h2g-host.txt)"

netbench recv 5002 check $BYTES 2>/tmp/g2h.txt &
listener=$!
sleep 1
gcmd 600 "netbench send $HOST 5002 $BYTES pattern"
r=$(out)
# A guest that never connected leaves the receiver waiting.
echo "$r" | grep -q '^bytes ' || kill $listener 2>/dev/null
wait $listener
grep -q '^pattern ok$' /tmp/g2h.txt
ok tcp_64mib_guest_to_host_intact $? "host: $(cat /tmp/g2h.txt); guest: $r"

# Jumbo frames, then an MTU the host does not allow, then a small one.
ip link set hvxt0 mtu 9000
gcmd 60 "ip link set eth0 mtu 9000 && ping -c 3 -s 8900 -q $HOST; ip link set eth0 mtu 9001 2>&1; echo rc=\$?; ip link set eth0 mtu 1280 && cat /sys/class/net/eth0/mtu && ping -c 3 -s 1200 -q $HOST"
r=$(out)
jumbo=$(ping -c 3 -s 8900 -q $GUEST 2>&1)
echo "$r" | grep -q '3 packets transmitted, 3 packets received' && echo "$r" | grep -q '^rc=[1-9]' &&
	echo "$r" | grep -q '^1280$' && [ "$(echo "$r" | grep -c ', 0% packet loss')" = 2 ]
ok mtu_changes_and_jumbo_frames $? "$r"
echo "$jumbo" | grep -q '3 packets transmitted, 3 packets received'
ok jumbo_ping_host_to_guest $? "$jumbo"
ip link set hvxt0 mtu 1500
gcmd 10 'ip link set eth0 mtu 1500'

# The TAP's link goes down and up: the guest's carrier follows.
ip link set hvxt0 down
gcmd 20 'for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(cat /sys/class/net/eth0/carrier)" = 0 ] && break; sleep 0.5; done; echo carrier $(cat /sys/class/net/eth0/carrier)'
r=$(out)
ip link set hvxt0 up
ip addr add $HOST/24 dev hvxt0 2>/dev/null
gcmd 60 'for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(cat /sys/class/net/eth0/carrier)" = 1 ] && break; sleep 0.5; done; echo carrier $(cat /sys/class/net/eth0/carrier); ip link set eth0 down; ip link set eth0 up; sleep 1; ping -c 3 -q '$HOST
r="$r
$(out)"
echo "$r" | grep -q '^carrier 0' && echo "$r" | grep -q '^carrier 1' &&
	echo "$r" | grep -q '3 packets transmitted, 3 packets received'
ok link_down_and_up_reach_the_guest $? "$r"

# Stopped and continued (a pause): the guest announces itself, which puts
# right a neighbour entry that went wrong meanwhile.
arp -i hvxt0 -s $GUEST 02:00:00:00:00:99 temp
sleep 2
kill -STOP $pid
sleep 1
kill -CONT $pid
wait_for /proc/net/arp "^$GUEST .* $MAC " 10
ok announce_after_the_vm_was_continued $? "$(cat /proc/net/arp)"

gcmd 30 'ethtool -S eth0'
r=$(out)
[ "$(ethstat rx_bytes)" -gt 67108864 ] && [ "$(ethstat tx_bytes)" -gt 67108864 ] &&
	[ "$(ethstat link_changes)" -ge 2 ] && [ "$(ethstat announces)" -ge 1 ] &&
	[ "$(ethstat rx_malformed)" = 0 ]
ok ethtool_statistics $? "$r"

# A hostile guest: hvx_hostile takes the device from hvx_net and sends what
# the host must drop; then hvx_net has it back and works.
gcmd 120 'd=$(ls /sys/bus/hvx_vmbus/drivers/hvx_net | grep hvx-); insmod /lib/modules/hvx_hostile.ko; echo $d >/sys/bus/hvx_vmbus/drivers/hvx_net/unbind; echo $d >/sys/bus/hvx_vmbus/drivers/hvx_hostile/bind; echo netframes >/sys/bus/hvx_vmbus/devices/$d/attack; cat /sys/bus/hvx_vmbus/devices/$d/attack_result; echo $d >/sys/bus/hvx_vmbus/drivers/hvx_hostile/unbind; echo $d >/sys/bus/hvx_vmbus/drivers/hvx_net/bind; rmmod hvx_hostile; sleep 1; ip addr add '$GUEST'/24 dev eth0; ip link set eth0 up; sleep 2; ping -c 3 -q '$HOST
r=$(out)
echo "$r" | grep -q 'short=0 reserved=0 vnet_flags=0 gso_type=0 oversized=0 csum_start=0 unknown=0 short_msg=0 frame_request=0 garbage=2000' &&
	echo "$r" | grep -q '3 packets transmitted, 3 packets received'
ok hostile_frames_then_the_driver_works_again $? "$r"

guest_warnings
ok no_guest_warnings $? "$(warning_lines)"
guest_poweroff
counts=$(grep 'hvx run: net hvxt0:' $ERR)
# At least one of each bad frame, the random garbage on top.  The
# virtio-net header is checked field by field before the TAP sees a frame,
# so what the TAP used to refuse is counted as malformed by hvx run now.
echo "$counts" | awk '{
	for (i = 1; i <= NF; i++) v[$(i + 1)] = $i
	exit !(v["malformed"] >= 4 && v["oversized"] >= 1 && v["unknown"] >= 3)
}'
ok host_counts_what_it_dropped $? "$counts"
ip link show hvxt0 >/dev/null 2>&1
ok tap_gone_with_the_vm $((!$?)) "$(ip link show hvxt0 2>&1)"

# Two guests on one bridge, the second with its own console fd.  The
# first VM warmed the host's network caches: the leak check starts here.
# It ends after the bridge is gone, which takes the forwarding entries the
# guests left with it (they would age out in 5 minutes).
mem_baseline
ip link add br-hvx type bridge && ip link set br-hvx up
LOG=/tmp/net-a.log ERR=/tmp/net-a.err
boot_guest --mem 160M --net tap=hvxa,bridge=br-hvx,mac=02:48:56:00:00:0a,mtu=9000
a_booted=$?
pid_a=$pid
GFD=4 LOG=/tmp/net-b.log ERR=/tmp/net-b.err
boot_guest --mem 160M --net tap=hvxb,bridge=br-hvx,mac=02:48:56:00:00:0b,mtu=9000
b_booted=$?
gcmd 30 'ip addr add 10.78.0.2/24 dev eth0; ip link set eth0 up; cat /sys/class/net/eth0/mtu'
rb=$(out)
GFD=3 LOG=/tmp/net-a.log ERR=/tmp/net-a.err pid=$pid_a
gcmd 60 'ip addr add 10.78.0.1/24 dev eth0; ip link set eth0 up; sleep 1; ping -c 5 -s 8000 -q 10.78.0.2'
r=$(out)
[ $a_booted = 0 ] && [ $b_booted = 0 ] && echo "$rb" | grep -q '^9000$' &&
	echo "$r" | grep -q '5 packets transmitted, 5 packets received'
ok two_guests_on_one_bridge $? "$r $rb $(brctl show br-hvx)"
guest_poweroff
GFD=4 LOG=/tmp/net-b.log ERR=/tmp/net-b.err
guest_poweroff
GFD=3

ip link del br-hvx
[ "$(host_warnings)" = "$warn0" ]
ok no_host_warnings $? "$(dmesg | tail -n 30)"
mem_no_leak
ok vms_leave_no_memory_behind $?
exit $fail
