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

# Settles the kernel's caches before a reading.
settle_memory() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
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
	[ $((slab1 - slab0)) -lt 256 ] && [ $((free0 - free1)) -lt 1024 ] && return 0
	slab_growth
	return 1
}
