#!/bin/sh
# Runs VM tests in one boot of the emulated VT-x host and collects their
# results.  Usage:
#   run-tests.sh [--results FILE] [--log DIR] [--host NAME] [TEST...]
#   run-tests.sh --list      prints the default TESTs and exits
# TEST names are file names in selftests/vm without extension (default: all
# that are built in build/selftests/vm).  Result lines (ok/not ok AREA/NAME)
# go to FILE, and to FILE.bytest with the test's name and a tab before each
# (run-parallel.sh merges several hosts' results by it); each test's wall
# time is printed as it finishes.  A test that did not report (Bochs died or
# hit the time limit) counts as failed, with the tail of the serial log
# shown.  --host names this host when several run at once: its boot failure
# is then emuhost/NAME.boot.  HVX_EMUHOST_RUNNER replaces run.sh (the
# orchestration's own tests give a stub that plays the host).  Exits 0 when
# results were produced.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
results=$BUILD/emuhost/results
log=$BUILD/emuhost/test
host=
list=0
runner_cmd=${HVX_EMUHOST_RUNNER:-$TOP/selftests/emuhost/run.sh}
poll=${HVX_EMUHOST_POLL:-5}
while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--host) host=$2; shift 2 ;;
	--list) list=1; shift ;;
	--) shift; break ;;
	-*) echo "run-tests.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

tests="$*"
if [ -z "$tests" ]; then
	for f in "$BUILD"/selftests/vm/*; do
		[ -x "$f" ] || continue
		n=${f##*/}
		tests="$tests ${n%.sh}"
	done
fi
tests=$(echo $tests)
[ -n "$tests" ] || { echo "run-tests.sh: no VM tests built" >&2; exit 2; }
[ "$list" = 0 ] || { echo "$tests"; exit 0; }

# The host's own name reaches init.sh, whose results about the host itself
# (make check-debug's kernel checks) carry it.
[ -n "$host" ] && export HVX_EMUHOST_APPEND="${HVX_EMUHOST_APPEND:+$HVX_EMUHOST_APPEND }hvxhost=$host"
mkdir -p "$log" "$(dirname "$results")"
rm -f "$log/serial.txt"
start=$(date +%s)
echo "# emulated host: booting Bochs for: $tests"
"$runner_cmd" "$log" test "$(echo "$tests" | tr ' ' ',')" &
runner=$!

# Show progress while Bochs runs: each test's results and time.  A fuzz_*
# test prints to the serial console at least every 30 s and its kernel's
# messages go there as they come: if the log stops growing for
# HVX_EMUHOST_STALL seconds (default 300) of wall time while one runs, the
# host is wedged, and Bochs is stopped rather than left to the time limit.
stall=${HVX_EMUHOST_STALL:-300}
shown=0
last_size=-1
last_change=$(date +%s)
while kill -0 "$runner" 2>/dev/null; do
	sleep "$poll"
	[ -f "$log/serial.txt" ] || continue
	size=$(wc -c <"$log/serial.txt")
	if [ "$size" != "$last_size" ]; then
		last_size=$size
		last_change=$(date +%s)
	elif grep -a '^HVX-START: ' "$log/serial.txt" | tail -n 1 | grep -q 'HVX-START: fuzz_' &&
	     [ $(( $(date +%s) - last_change )) -ge "$stall" ] && [ -f "$log/bochs.pid" ]; then
		echo "# the serial log has not grown for $stall s during a fuzz test: stopping Bochs"
		kill "$(cat "$log/bochs.pid")" 2>/dev/null
		last_change=$(date +%s)
	fi
	lines=$(grep -a -E '^HVX-(RESULT|TIME|BOOTED)' "$log/serial.txt" | tr -d '\r')
	count=$(printf '%s\n' "$lines" | grep -c . )
	if [ "$count" -gt "$shown" ]; then
		printf '%s\n' "$lines" | tail -n +"$((shown + 1))" |
			sed "s/^HVX-RESULT: /#   /; s/^HVX-TIME: \(.*\) \(.*\)/# vm test \1 took \2 s of emulated time (done at $(( $(date +%s) - start )) s wall)/; s/^HVX-BOOTED: \(.*\)/# emulated host booted after $(( $(date +%s) - start )) s wall (kernel clock \1 s)/"
		shown=$count
	fi
done
wait "$runner"

serial=$log/serial.txt
# Each result line goes under the test whose HVX-START it follows.
cat "$serial" 2>/dev/null | tr -d '\r' | awk '
	/^HVX-START: / { cur = $2 }
	/^HVX-RESULT: / { sub(/^HVX-RESULT: /, ""); printf "%s\t%s\n", cur, $0 }' >"$results.bytest"
unfinished=
for t in $tests; do
	if ! grep -a -q "^HVX-TIME: $t " "$serial" 2>/dev/null; then
		area=${t%%_*}
		printf '%s\tnot ok %s\n' "$t" "$area/$t.timeout" >>"$results.bytest"
		unfinished="$unfinished $t"
	fi
done
if [ -n "$unfinished" ]; then
	echo "# vm tests that did not finish:$unfinished; last serial lines${host:+ of $host}:"
	tail -n 30 "$serial" 2>/dev/null | sed 's/^/#   /'
fi
if ! grep -a -q '^HVX-BOOTED' "$serial" 2>/dev/null; then
	printf '~boot\tnot ok emuhost/%s\n' "${host:+$host.}boot" >>"$results.bytest"
fi
cut -f 2- "$results.bytest" >"$results"
echo "# emulated host run took $(( $(date +%s) - start )) s of wall time"
exit 0
