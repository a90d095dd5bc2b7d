#!/bin/sh
# Tests of how make check shares the VM tests out among emulated hosts and
# merges their results (split.sh, run-parallel.sh, run-tests.sh), with
# emuhost_stub.sh playing the hosts.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
emu=$TOP/selftests/emuhost
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HVX_EMUHOST_RUNNER=$here/emuhost_stub.sh HVX_EMUHOST_POLL=0.1
export HVX_VM_DURATIONS=$tmp/durations
printf '%s\n' '# comment' 'a_big 300' 'b_big 290' 'c_mid 100' 'd_mid 90' \
	'vmx_hardening 3' 'hostile_zlast 3' 'fuzz_x 60' 'e_small 5' >"$HVX_VM_DURATIONS"
# new_one is in no durations file: it counts the default 60 s.
tests="a_big b_big c_mid d_mid e_small fuzz_x hostile_zlast new_one vmx_hardening"
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; shift; echo "# $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi; }

# run NAME HOSTS [ENV=VALUE...]: one orchestrated run into $tmp/NAME
run() {
	rn=$1 rh=$2; shift 2
	env HVX_EMUHOST_HOSTS="$rh" "$@" "$emu/run-parallel.sh" \
		--results "$tmp/$rn.results" --log "$tmp/$rn" $tests >"$tmp/$rn.out" 2>&1
}
# host_of NAME TEST: the host (h1, h2) that ran TEST in run NAME
host_of() { awk -v t="$2" '{ for (i = 2; i <= NF; i++) if ($i == t) print "h" NR }' "$tmp/$1/split"; }
count() { grep -c "$2" "$tmp/$1.results"; }

echo "1..14"

# --- the split -----------------------------------------------------------
"$emu/split.sh" 2 "$HVX_VM_DURATIONS" $tests >"$tmp/split2"
check split_gives_every_test_to_exactly_one_host \
	[ "$(cut -d' ' -f2- "$tmp/split2" | tr ' ' '\n' | sort | tr '\n' ' ')" = "$(echo $tests | tr ' ' '\n' | sort | tr '\n' ' ')" ]
check split_longest_first_balances_the_hosts \
	[ "$(cut -d' ' -f1 "$tmp/split2" | sort -n | tr '\n' ' ')" = "455 456 " ]
check split_two_longest_go_to_different_hosts \
	[ "$(grep -c 'a_big.*b_big\|b_big.*a_big' "$tmp/split2")" = 0 ]
check split_on_one_core_is_one_host \
	[ "$("$emu/split.sh" 1 "$HVX_VM_DURATIONS" $tests | wc -l)" = 1 ]

# --- merging -----------------------------------------------------------------
run one 1
run two 2
check one_host_reports_every_case [ "$(count one '^ok ')" = 18 ]
two_ran() { [ -s "$tmp/two/h1/ran" ] && [ -s "$tmp/two/h2/ran" ] && [ ! -e "$tmp/two/h3" ]; }
check two_hosts_ran_two_hosts two_ran
check two_hosts_merge_as_one_host_would cmp -s "$tmp/one.results" "$tmp/two.results"
# In each host, "last" tests after the others and fuzz_* after those.
passes_in_order() {
	for h in "$tmp"/two/h*/ran; do
		. "$emu/passes.sh"
		seq=$(while read -r t; do vm_pass "$t"; done <"$h" | uniq | tr '\n' ' ')
		case "$seq" in "first last fuzz "|"first last "|"first fuzz "|"first ") ;; *) return 1 ;; esac
	done
}
check each_host_keeps_last_and_fuzz_passes_last passes_in_order

# --- failures --------------------------------------------------------------
planted() {	# planted HOST: a test planted to fail in that host fails the run by name
	t=$(awk -v h="$1" 'NR == substr(h, 2) { print $2 }' "$tmp/two/split")
	run "plant$1" 2 STUB_FAIL="$t"
	[ "$(count "plant$1" '^not ok ')" = 1 ] &&
	grep -q "^not ok ${t%%_*}/$t.planted\$" "$tmp/plant$1.results" &&
	! "$TOP/selftests/report.sh" "$tmp/plant$1.results" >"$tmp/report" &&
	tail -n 1 "$tmp/report" | grep -q '^18 passed, 1 failed$'
}
check planted_failure_in_host_1_fails_the_run_by_name planted h1
check planted_failure_in_host_2_fails_the_run_by_name planted h2

dead() {	# a host that dies fails its unreported tests by name, shows its serial
	h=$(host_of two c_mid)
	run dead 2 STUB_DIE=c_mid
	# c_mid and every later test of that host: .timeout; the others: ok.
	late=$(sed -n '/^c_mid$/,$p' "$tmp/two/$h/ran")
	for t in $late; do
		grep -q "^not ok ${t%%_*}/$t.timeout\$" "$tmp/dead.results" || return 1
	done
	[ "$(count dead '^not ok ')" = "$(echo $late | wc -w)" ] &&
	grep -q "^# $h: .*stub: host died in c_mid" "$tmp/dead.out" &&
	! grep -q "host died" "$tmp/dead.results"
}
check dead_host_fails_its_unreported_tests_by_name dead

noboot() {	# a host that never boots: every test of it, and its boot
	h=$(host_of two a_big)
	run noboot 2 STUB_NOBOOT=a_big
	grep -q "^not ok emuhost/$h.boot\$" "$tmp/noboot.results" &&
	for t in $(awk -v h="${h#h}" 'NR == h { $1 = ""; print }' "$tmp/two/split"); do
		grep -q "^not ok ${t%%_*}/$t.timeout\$" "$tmp/noboot.results" || return 1
	done && grep -q "^# $h: .*Kernel panic" "$tmp/noboot.out"
}
check host_that_never_boots_fails_by_name noboot
check one_host_boot_failure_keeps_its_old_name sh -c '
	env HVX_EMUHOST_HOSTS=1 STUB_NOBOOT=a_big "$1/run-parallel.sh" --results "$2/nb1.results" \
		--log "$2/nb1" a_big >/dev/null 2>&1
	grep -q "^not ok emuhost/boot\$" "$2/nb1.results"' sh "$emu" "$tmp"
check durations_default_for_unlisted_tests \
	[ "$("$emu/split.sh" 1 "$HVX_VM_DURATIONS" new_one other | cut -d' ' -f1)" = 120 ]
