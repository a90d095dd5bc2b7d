#!/bin/sh
# Shares VM tests out among N emulated hosts by their measured durations:
# longest first, each to the host with the least work so far (greedy
# longest-processing-time; within a few percent of the best split for
# these numbers).  Usage: split.sh N DURATIONS TEST...
# DURATIONS holds "NAME SECONDS" lines (selftests/vm/durations, rewritten
# by `make vm-durations`); a test it does not list counts
# HVX_VM_DEFAULT_SECONDS (default 60: a new test is assumed slow-ish rather
# than free).  Prints one line per host: its estimated seconds, then its
# tests, in a fixed order; hosts with no test print nothing.
set -eu
n=$1
durations=$2
shift 2
default=${HVX_VM_DEFAULT_SECONDS:-60}
for t in "$@"; do
	echo "$t"
done | awk -v n="$n" -v def="$default" -v dfile="$durations" '
BEGIN {
	while ((getline line < dfile) > 0) {
		split(line, f, " ")
		if (f[1] != "" && f[1] !~ /^#/) secs[f[1]] = f[2] + 0
	}
}
{ name[++m] = $1; cost[m] = ($1 in secs) ? secs[$1] : def }
END {
	# Longest first; ties by name, so the split is the same every run.
	for (i = 1; i <= m; i++) order[i] = i
	for (i = 2; i <= m; i++)
		for (j = i; j > 1; j--) {
			a = order[j - 1]; b = order[j]
			if (cost[a] > cost[b] || (cost[a] == cost[b] && name[a] < name[b])) break
			order[j - 1] = b; order[j] = a
		}
	for (h = 1; h <= n; h++) load[h] = 0
	for (i = 1; i <= m; i++) {
		t = order[i]; best = 1
		for (h = 2; h <= n; h++) if (load[h] < load[best]) best = h
		load[best] += cost[t]
		tests[best] = tests[best] " " name[t]
	}
	for (h = 1; h <= n; h++)
		if (tests[h] != "") printf "%d%s\n", load[h], tests[h]
}'
