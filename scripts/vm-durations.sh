#!/bin/sh
# `make vm-durations`: rewrites selftests/vm/durations, the measured
# emulated seconds of each VM test that split.sh shares out among the
# emulated hosts, from the HVX-TIME lines of the last VM run (every host's
# serial log under build/check/vm).  Tests that run did not reach keep their
# old figure.  Only this target writes the file: make check reads it, so a
# run's noise never changes the next run's split behind anyone's back.
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
file=$TOP/selftests/vm/durations
logs=$(ls "$BUILD"/check/vm/h*/serial.txt 2>/dev/null || true)
[ -n "$logs" ] || { echo "vm-durations: no VM run under $BUILD/check/vm (make check or make check-vm first)" >&2; exit 1; }
tmp=$file.new
{
	echo "# Emulated seconds per VM test, for sharing the tests out among the"
	echo "# emulated hosts (selftests/emuhost/split.sh).  Written by"
	echo "# \`make vm-durations\` from the last run; NAME SECONDS."
	{
		grep -v '^#' "$file" 2>/dev/null | sed 's/^/old /' || true
		cat $logs | tr -d '\r' | sed -n 's/^HVX-TIME: /new /p'
	} | awk '$1 == "old" && !($2 in s) { s[$2] = $3 }
		 $1 == "new" { s[$2] = int($3 + 0.999) }
		 END { for (t in s) printf "%s %d\n", t, s[t] }' | sort
} >"$tmp"
mv "$tmp" "$file"
echo "vm-durations: wrote $file from $(echo $logs)"
