#!/bin/sh
# The hvx disk as a Linux guest sees it: selftests/guests/blkbench.c in
# the guest (the patterns fio's randread and write jobs run; fio's Debian
# package would bring Ceph's and Gluster's libraries into the guest image),
# measured by the guest's clock, on a 256 MiB file in the emulated host's
# tmpfs (no disk under it: the cost is the path, not a medium).
#   blk_randread_4k_qd32_iops   4 KiB O_DIRECT random reads, 32 in flight
#   blk_seqwrite_1m_mbps        1 MiB O_DIRECT sequential writes, fdatasync
# (higher is better).  No KVM figure: no VMM here runs Debian's kernel
# under kvm_intel with virtio-blk on the same footing.
. /tests/lib/tap.sh
LOG=/tmp/bench-blk.log
ERR=/tmp/bench-blk.err

truncate -s 256M /tmp/bench-disk.img
if ! boot_guest --disk /tmp/bench-disk.img; then
	echo "# blk: the guest did not boot"
	sed 's/^/# /' $LOG $ERR | tail -n 20
	kill $pid
	exit 0
fi
gcmd 900 'blkbench seqwrite /dev/hvxda 64; blkbench randread /dev/hvxda 8192'
r=$(out)
echo "$r" | sed 's/^/# blk: /'
echo "$r" | awk '/^mbps / { printf "bench blk_seqwrite_1m_mbps hvx=%s\n", $2 }
		 /^iops / { printf "bench blk_randread_4k_qd32_iops hvx=%s\n", $2 }'
echo 'poweroff -f' >&3
wait $pid
exec 3>&-
rm -f /tmp/bench-disk.img
