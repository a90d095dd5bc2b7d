#!/bin/sh
# `make vm-durations`: rewrites selftests/vm/durations, the measured cost of
# each VM test that split.sh shares out among the emulated hosts, from the
# last VM run.  The cost is wall seconds, from the last `make check`'s
# build/check/logs/vm.out (each test's "done at N s wall" less the one
# before it in its host, the first less the host's boot): the hosts run
# side by side and end when their wall time is spent, and an emulated
# second of a test that moves much data (net_linux) costs more wall time
# than one of the others.  Without that log (a make check-vm run), the
# tests' emulated seconds (HVX-TIME lines of the serial logs) stand in.
# Tests the run did not reach keep their old figure.  Only this target
# writes the file: make check reads it, so a run's noise never changes the
# next run's split behind anyone's back.
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
file=$TOP/selftests/vm/durations
out=$BUILD/check/logs/vm.out
logs=$(ls "$BUILD"/check/vm/h*/serial.txt 2>/dev/null || true)
[ -f "$out" ] || [ -n "$logs" ] ||
	{ echo "vm-durations: no VM run under $BUILD/check (make check or make check-vm first)" >&2; exit 1; }

# "new NAME SECONDS" for each test the last run reached.
measured() {
	if [ -f "$out" ]; then
		sed -n 's/^# \(h[0-9]*: \)\{0,1\}emulated host booted after \([0-9]*\) s wall.*/\1 boot \2/p
			s/^# \(h[0-9]*: \)\{0,1\}vm test \([^ ]*\) took .* (done at \([0-9]*\) s wall)$/\1 \2 \3/p' "$out" |
		awk 'NF == 2 { $0 = "h: " $0 }
		     $2 == "boot" { last[$1] = $3; next }
		     { d = $3 - last[$1]; last[$1] = $3; printf "new %s %d\n", $2, d < 1 ? 1 : d }'
	else
		# The serial logs' paths have no spaces: split them.
		# shellcheck disable=SC2086
		cat $logs | tr -d '\r' | sed -n 's/^HVX-TIME: /new /p'
	fi
}

if [ -f "$out" ]; then
	unit="Wall seconds per VM test (in a make check, its host beside the other)"
	from=$out
else
	unit="Emulated seconds per VM test (no make check log: a make check-vm run)"
	# shellcheck disable=SC2086,SC2116
	from=$(echo $logs)
fi
tmp=$file.new
{
	echo "# $unit, for sharing the tests out among the"
	echo "# emulated hosts (selftests/emuhost/split.sh).  Written by"
	echo "# \`make vm-durations\` from the last run; NAME SECONDS."
	{
		grep -v '^#' "$file" 2>/dev/null | sed 's/^/old /' || true
		measured
	} | awk '$1 == "old" && !($2 in s) { s[$2] = $3 }
		 $1 == "new" { s[$2] = int($3 + 0.999) }
		 END { for (t in s) printf "%s %d\n", t, s[t] }' | sort
} >"$tmp"
mv "$tmp" "$file"
echo "vm-durations: wrote $file from $from"
