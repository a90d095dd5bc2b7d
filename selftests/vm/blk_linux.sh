#!/bin/sh
# The hvx disk end to end with Debian's stock kernel as the guest (its
# driver hvx_blk.ko, hvx run's io_uring backend): four disks at once, a
# read-only one, discard reaching the host file, online resize, a backing
# file on a full file system, an ext4 tree checked from the host side with
# e2fsck and for its known content, and writes acknowledged before hvx run is killed
# still in the image.  Prints kselftest-style TAP.
. /tests/lib/meminfo.sh
. /tests/lib/tap.sh
LOG=/tmp/blk.log
ERR=/tmp/blk.err
echo "1..14"

blocks() {	# allocated 512-byte blocks of a file
	stat -c %b "$1"
}

warn0=$(host_warnings)
rm -rf /tmp/*.img /tmp/blk-tree /tmp/small
truncate -s 64M /tmp/d1.img
truncate -s 16M /tmp/d2.img
truncate -s 8M /tmp/ro.img
# Debian's e2fsprogs, not busybox's applets of the same names.
E2=/usr/lib/hvx-e2fsprogs
echo "made on the host" >/tmp/hello
$E2/mke2fs -q -t ext4 /tmp/ro.img && $E2/debugfs -w -R "write /tmp/hello hello" /tmp/ro.img >/dev/null 2>&1
# A disk bigger than the file system under it: writes fill it, then fail.
mkdir -p /tmp/small
mount -t tmpfs -o size=1m tmpfs /tmp/small
truncate -s 16M /tmp/small/full.img

boot_guest --disk /tmp/d1.img,serial=HVXD1 --disk /tmp/d2.img --disk /tmp/ro.img,ro \
	--disk /tmp/small/full.img
ok guest_boots_with_four_disks $? "$(tail -n 5 $LOG)"

gcmd 60 'ls /sys/block | grep hvxd | tr "\n" " "; echo; cat /sys/block/hvxda/size /sys/block/hvxdc/ro; cat /sys/bus/hvx_vmbus/devices/*/serial'
r=$(out)
echo "$r" | grep -q '^hvxda hvxdb hvxdc hvxdd' && echo "$r" | grep -q '^131072$' &&
	echo "$r" | grep -q '^1$' && echo "$r" | grep -q '^HVXD1$'
ok disks_sizes_ro_flag_and_serial $? "$r"

# The read-only disk: the file system mounts read-only and writes fail.
gcmd 120 'for m in crc32c_generic crc16 mbcache jbd2 ext4; do insmod /lib/modules/$m.ko; done; mkdir -p /mnt /ro; mount -t ext4 /dev/hvxdc /ro 2>&1; cat /ro/hello; touch /ro/new 2>&1'
r=$(out)
echo "$r" | grep -q 'Read-only file system' && echo "$r" | grep -q '^made on the host'
ok read_only_disk_refuses_writes_erofs $? "$r"

# Discard: the host file gives its blocks back.
gcmd 120 'dd if=/dev/urandom of=/dev/hvxdb bs=64k count=64 conv=fsync 2>&1 | tail -n 1'
b0=$(blocks /tmp/d2.img)
gcmd 120 'cat /sys/block/hvxdb/queue/discard_max_bytes; blkdiscard /dev/hvxdb 2>&1; sync'
r=$(out)
b1=$(blocks /tmp/d2.img)
echo "# d2.img blocks: $b0 after writing 4 MiB, $b1 after discard"
[ "$b0" -ge 8192 ] && [ "$b1" -lt $((b0 - 4096)) ]
ok discard_frees_host_blocks $? "$r; blocks $b0 -> $b1"

# Online resize of the second disk, seen by the guest within seconds.
truncate -s 32M /tmp/d2.img
gcmd 60 'i=0; while [ $(cat /sys/block/hvxdb/size) != 65536 ] && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done; echo size $(cat /sys/block/hvxdb/size)'
r=$(out)
echo "$r" | grep -q '^size 65536'
ok online_resize_reaches_guest $? "$r"

# The backing file's file system is full: I/O errors, and the VM lives.
gcmd 300 'dd if=/dev/urandom of=/dev/hvxdd bs=64k count=64 conv=fsync 2>&1 | tail -n 1; echo "dd-status $?"; dd if=/dev/urandom of=/dev/hvxdd bs=64k count=64 conv=fsync >/dev/null 2>&1; echo "dd-again $?"; echo alive'
r=$(out)
echo "$r" | grep -q '^alive' && ! echo "$r" | grep -q 'dd-again 0'
ok full_host_fs_gives_io_errors $? "$r"

# An ext4 tree of known content: 30 MiB in 40 files, file i holding
# stream i of selftests/lib/pattern.h, which the host checks after the
# guest is gone: a block of one file found in another, or at another
# offset, fails.  (It was /dev/urandom and md5sum at both ends: 60 and 14
# emulated seconds for these two steps.)
gcmd 600 'mkfs.ext4 -q /dev/hvxda && mount -t ext4 /dev/hvxda /mnt && for i in $(seq 1 40); do mkdir -p /mnt/d$((i % 5)); pattern fill $i $((i * 37 * 1024)) >/mnt/d$((i % 5))/f$i; done; cd /; sync; umount /mnt; echo tree-done'
r=$(out)
echo "$r" | grep -q 'tree-done'
ok ext4_tree_written $? "$r"
# Hot-unplug while a write is in flight: it fails, the disks go, and
# they come back when plugged in again.
echo 'umount /ro; while dd if=/dev/zero of=/dev/hvxdb bs=64k count=512 oflag=direct 2>/dev/null; do :; done; echo dd-ended' >&3
sleep 3
! grep -q '^dd-ended' $LOG
early=$?
kill -USR2 $pid
wait_for $ERR 'rescinded 4 devices' 30 && wait_for $LOG '^dd-ended' 60
r=$?
kill -USR2 $pid
wait_for $ERR 'offered 4 devices' 30 &&
	gcmd 60 'sleep 2; ls /sys/block | grep -c hvxd'
r2=$(out)
[ "$early" = 0 ] && [ "$r" = 0 ] && [ "$r2" = 4 ]
ok unplug_during_io_fails_requests_and_replug $? "writes stopped before the unplug: $early (0: no), stopped after it: $r (0: yes), disks after replug: $r2"
guest_warnings
ok guest_kernel_without_warnings $? "$(warning_lines)"
guest_poweroff
[ "$rc" = 0 ]
ok poweroff_status_0 $? "status $rc"

$E2/e2fsck -fn /tmp/d1.img >/tmp/fsck.log 2>&1
rc=$?
sed 's/^/# /' /tmp/fsck.log | tail -n 5
mkdir -p /tmp/blk-tree
$E2/debugfs -R "rdump / /tmp/blk-tree" /tmp/d1.img >/dev/null 2>&1
files=0
for i in $(seq 1 40); do
	f=/tmp/blk-tree/d$((i % 5))/f$i
	echo "pattern $i missing" >/tmp/pattern.out
	[ -f "$f" ] && pattern check $i $((i * 37 * 1024)) <"$f" >/tmp/pattern.out && files=$((files + 1))
	grep -v ' ok$' /tmp/pattern.out 2>/dev/null | sed "s|^|# $f: |"
done
[ "$rc" = 0 ] && [ "$files" = 40 ]
ok host_fsck_clean_and_40_files_intact $? "e2fsck $rc, $files files intact"
umount /tmp/small
rm -rf /tmp/blk-tree /tmp/ro.img /tmp/d1.img /tmp/hello

# From here on the host's caches are warm (io_uring, tmpfs, the files
# above): what the next VM leaves behind is a leak.
mem_baseline

# Durability: each block the guest's dd saw on disk (conv=fsync) is in the
# image after hvx run is killed without warning.
boot_guest --disk /tmp/d2.img
echo 'i=1; while true; do printf "hvx-block-%06d" $i | dd of=/dev/hvxda bs=4096 seek=$i conv=fsync,sync 2>/dev/null && echo "acked $i"; i=$((i + 1)); done' >&3
wait_for $LOG '^acked 30' 300
kill -9 $pid
wait $pid
exec 3>&-
last=$(grep -a '^acked ' $LOG | tail -n 1 | tr -d '\r' | cut -d' ' -f2)
bad=0
for i in $(seq 1 "${last:-0}"); do
	[ "$(dd if=/tmp/d2.img bs=4096 skip=$i count=1 2>/dev/null | head -c 16)" = "$(printf 'hvx-block-%06d' $i)" ] ||
		bad=$((bad + 1))
done
echo "# $last blocks acknowledged before the kill, $bad missing"
[ "${last:-0}" -ge 30 ] && [ "$bad" = 0 ]
ok acknowledged_writes_survive_sigkill $? "$last acknowledged, $bad missing"
rm -f /tmp/d2.img

[ "$(host_warnings)" = "$warn0" ]
ok host_without_warnings $? "host warnings $warn0 -> $(host_warnings)"
mem_no_leak
ok vm_killed_with_disk_no_leak $?
exit $fail
