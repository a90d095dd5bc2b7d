# Sourced by the VM tests' shell scripts (from /tests/lib in the emulated
# host): memory figures for leak checks.

# Free memory in kB, counting the pages that wait on the page allocator's
# per-CPU lists (/proc/zoneinfo "count:"), which MemFree leaves out: those
# lists hold up to a few hundred kB and change with every allocation.
free_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^MemFree:/ { print $2 + pcp * 4 }' /proc/meminfo
}

# Bytes held by live slab objects (active objects times object size over
# every cache), in kB.  Meminfo's Slab: also counts the free room in slab
# pages, which grows after any burst of allocations (tasks, sockets) and
# shrinks only under pressure: fragmentation, not a leak.  A leaked object
# stays active and counts here; without /proc/slabinfo, Slab: it is.
slab_kb() {
	if [ -r /proc/slabinfo ]; then
		awk 'FNR > 2 { n += $2 * $4 } END { printf "%d\n", n / 1024 }' /proc/slabinfo
	else
		awk '/^Slab:/ { print $2 }' /proc/meminfo
	fi
}

# Settles the kernel's caches before a reading.  Dropped dentries and
# inodes, and the tasks and pids of processes that ended, are freed after
# an RCU grace period: the second above lets that happen.  SLUB counts an
# object freed to a CPU's own slabs as active until they are flushed to the
# node's lists, which writing "shrink" does: without it, the same work left
# 170 to 250 kB of "live" task_struct, signal_cache, pid and proc inodes
# behind, against the 256 kB that fails mem_no_leak.
settle_memory() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	for shrink in /sys/kernel/slab/*/shrink; do
		echo 1 >"$shrink"
	done 2>/dev/null
}

# mem_baseline, then mem_no_leak later: 0 if since the baseline live slab
# objects grew by less than 256 kB and free memory shrank by less than 1 MiB (noise of
# the caches); prints both figures as a TAP comment.
mem_baseline() {
	settle_memory
	slab0=$(slab_kb)
	free0=$(free_kb)
	cat /proc/slabinfo >/tmp/slabinfo.baseline 2>/dev/null
}

# The slab caches that grew most since mem_baseline (active objects times
# object size), as TAP comments: where to look when mem_no_leak fails.
slab_growth() {
	[ -s /tmp/slabinfo.baseline ] || return 0
	awk 'NR == FNR { if (FNR > 2) before[$1] = $2 * $4; next }
	     FNR > 2 && $2 * $4 - before[$1] >= 8192 {
		printf "%d %s\n", ($2 * $4 - before[$1]) / 1024, $1 }' \
		/tmp/slabinfo.baseline /proc/slabinfo | sort -rn | head -n 8 |
		sed 's/^\([0-9]*\) \(.*\)/# slab cache \2 grew by \1 kB/'
}

mem_no_leak() {
	settle_memory
	slab1=$(slab_kb)
	free1=$(free_kb)
	echo "# live slab objects ${slab0} -> ${slab1} kB, free ${free0} -> ${free1} kB"
	# Where the growth is, passed or not: how close a pass came, and where.
	slab_growth
	[ $((slab1 - slab0)) -lt 256 ] && [ $((free0 - free1)) -lt 1024 ]
}
