# Sourced by the VM tests' shell scripts (from /tests/lib in the emulated
# host): memory figures for leak checks.

# Free memory in kB, counting the pages that wait on the page allocator's
# per-CPU lists (/proc/zoneinfo "count:"), which MemFree leaves out: those
# lists hold up to a few hundred kB and change with every allocation.
free_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^MemFree:/ { print $2 + pcp * 4 }' /proc/meminfo
}

slab_kb() {
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# Settles the kernel's caches before a reading.
settle_memory() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# mem_baseline, then mem_no_leak later: 0 if since the baseline slab grew
# by less than 256 kB and free memory shrank by less than 1 MiB (noise of
# the caches); prints both figures as a TAP comment.
mem_baseline() {
	settle_memory
	slab0=$(slab_kb)
	free0=$(free_kb)
}

mem_no_leak() {
	settle_memory
	slab1=$(slab_kb)
	free1=$(free_kb)
	echo "# Slab ${slab0} -> ${slab1} kB, free ${free0} -> ${free1} kB"
	[ $((slab1 - slab0)) -lt 256 ] && [ $((free0 - free1)) -lt 1024 ]
}
