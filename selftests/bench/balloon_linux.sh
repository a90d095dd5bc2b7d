#!/bin/sh
# The balloon's speed as a Linux guest sees it: 256 MiB inflated out of a
# 512 MiB guest whose memory was all touched before (so the host really
# frees it), then deflated, timed by the guest's clock from the moment the
# driver saw the new target to the moment its balloon held it (polled every
# 20 ms).  MiB per second, higher is better.  No KVM figure: virtio-balloon
# under QEMU would need the guest's and QEMU's balloon statistics lined up,
# which this benchmark does not do yet.
#   balloon_inflate_256m_mibps
#   balloon_deflate_256m_mibps
. /tests/lib/tap.sh
LOG=/tmp/bench-balloon.log
ERR=/tmp/bench-balloon.err
B=/sys/bus/hvx_vmbus/drivers/hvx_balloon
VM=bench-balloon	# hvx run --name: what hvx balloon calls the guest

if ! boot_guest --mem 512M --device balloon --name $VM; then
	echo "# balloon: the guest did not boot"
	sed 's/^/# /' $LOG $ERR | tail -n 20
	kill $pid
	exit 0
fi
# time_to TARGET_PAGES: the guest's seconds from seeing the target to holding it.
watch='b=$(ls -d '$B'/hvx-*); while [ $(cat $b/target_pages) != $1 ]; do sleep 0.02; done; t0=$(cut -d" " -f1 /proc/uptime); while [ $(cat $b/balloon_pages) != $1 ]; do sleep 0.02; done; t1=$(cut -d" " -f1 /proc/uptime); echo "balloon-time $1 $t0 $t1"'
echo "time_to() { $watch; }" >&3
gcmd 120 "rmmod hvx_balloon; insmod /lib/modules/hvx_balloon.ko free_page_reporting=0; memhog 400 >/dev/null"
for step in "65536 256M inflate" "0 512M deflate"; do
	set -- $step
	gcmd 10 "time_to $1 >/tmp/balloon-time & true"
	hvx balloon $VM $2 >/dev/null
	gcmd 300 'wait; cat /tmp/balloon-time'
	out | sed 's/^/# balloon: /'
	out | awk -v n="balloon_$3_256m_mibps" '/^balloon-time/ && $4 > $3 {
		printf "bench %s hvx=%.0f\n", n, 256 / ($4 - $3) }'
done
echo 'poweroff -f' >&3
wait $pid
exec 3>&-
