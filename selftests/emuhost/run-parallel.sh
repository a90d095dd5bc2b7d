#!/bin/sh
# Runs the VM tests in several emulated hosts at once, one per core (each
# Bochs through bochs-slot.sh, in run.sh), and merges their results into one
# stream as if one host had run them all.  Usage:
#   run-parallel.sh [--results FILE] [--log DIR] [TEST...]
# TESTs as for run-tests.sh (default: every built VM test).  Hosts:
# HVX_EMUHOST_HOSTS, default nproc; one host is exactly run-tests.sh.  The
# tests are shared out by selftests/vm/durations (split.sh); host I logs
# under DIR/hI and its progress lines carry "hI:".  Each host keeps the
# passes of init.sh (its "last" and fuzz tests after its others), and has
# its own fuzz stall guard and serial tail when it fails.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
here=$TOP/selftests/emuhost
results=$BUILD/emuhost/results
log=$BUILD/emuhost/test
while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run-parallel.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
. "$here/passes.sh"

tests=$(echo "$*")
[ -n "$tests" ] || tests=$("$here/run-tests.sh" --list) || exit 2
hosts=${HVX_EMUHOST_HOSTS:-$(nproc)}
durations=${HVX_VM_DURATIONS:-$TOP/selftests/vm/durations}

mkdir -p "$log" "$(dirname "$results")"
rm -rf "$log"/h[0-9]*
start=$(date +%s)
# shellcheck disable=SC2086
"$here/split.sh" "$hosts" "$durations" $tests >"$log/split"
nh=$(grep -c . "$log/split")
if [ "$nh" -le 1 ]; then
	"$here/run-tests.sh" --results "$results" --log "$log/h1" $tests
	exit $?
fi

# Every host at once; each line a host prints says which host it is.
i=0
pids=
while read -r est list; do
	i=$((i + 1))
	echo "# h$i: about $est s of tests: $list"
	# shellcheck disable=SC2086
	{ "$here/run-tests.sh" --host "h$i" --results "$log/h$i.results" \
		--log "$log/h$i" $list 2>&1 || echo "# run-tests.sh failed: $?"; } |
		sed -u "s/^# /# h$i: /; /^# h$i: /! s/^/# h$i: /" &
	pids="$pids $!"
done <"$log/split"
# shellcheck disable=SC2086
wait $pids

# One stream, in the order one host would have given: init.sh's passes,
# tests in name order within each, then what belongs to no test (a host
# that did not boot).
for t in $tests; do
	case $(vm_pass "$t") in first) r=1 ;; last) r=2 ;; *) r=3 ;; esac
	printf '%s\t%s\n' "$r" "$t"
done | LC_ALL=C sort >"$log/order"
cat "$log"/h*.results.bytest 2>/dev/null | awk -F '\t' '
	NR == FNR { rank[$2] = FNR; next }
	{ k = ($1 in rank) ? rank[$1] : 1000000
	  printf "%07d\t%07d\t%s\n", k, FNR, substr($0, length($1) + 2) }' \
	"$log/order" - | LC_ALL=C sort | cut -f 3- >"$results"
# A host that produced no results file at all still fails by name.
i=0
while read -r est list; do
	i=$((i + 1))
	[ -f "$log/h$i.results.bytest" ] || echo "not ok emuhost/h$i.run" >>"$results"
done <"$log/split"
echo "# $nh emulated hosts took $(( $(date +%s) - start )) s of wall time"
exit 0
