#!/bin/sh
# Tests of the VM tests' data pattern (selftests/lib/pattern.h), by which
# they find data changed in transit or on disk: netbench over loopback and
# the pattern program on files, on this machine.  What came whole must
# pass; for what did not, the first wrong byte or the end must be named.
# Prints TAP.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
nb=$BUILD/selftests/guests/netbench
pat=$BUILD/selftests/guests/pattern
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$((20000 + $$ % 20000))
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; shift; echo "# $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else notok "$name" "failed: $*"; cat "$tmp/recv.err" "$tmp/check.out" 2>/dev/null | sed 's/^/# /'; fi; }

# transfer RECV_ARGS -- SEND_ARGS [< INPUT]: one connection over loopback;
# the receiver's stdout in $tmp/recv.out, its stderr in $tmp/recv.err and
# its exit status in $recv_rc.
transfer() {
	port=$((port + 1))
	recv_args=
	while [ "$1" != -- ]; do recv_args="$recv_args $1"; shift; done
	shift
	# shellcheck disable=SC2086
	"$nb" recv $port $recv_args >"$tmp/recv.out" 2>"$tmp/recv.err" &
	recv=$!
	i=0
	# This port's line: recv.err may still hold the last receiver's.
	while ! grep -q "^listening $port\$" "$tmp/recv.err" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	"$nb" send 127.0.0.1 $port "$@" 2>"$tmp/send.err"
	wait $recv
	recv_rc=$?
}

echo "1..12"
if [ ! -x "$nb" ] || [ ! -x "$pat" ]; then
	echo "# $nb or $pat is not built (make -C selftests unit)"
	exit 1
fi

transfer check 1000003 -- 1000003 pattern
check pattern_whole_passes [ $recv_rc = 0 ]
check says_pattern_ok grep -q '^pattern ok$' "$tmp/recv.err"

transfer check 2000 -- 1000 pattern
check short_stream_fails [ $recv_rc != 0 ]
check says_where_it_ended grep -q '^pattern ended after 1000 of 2000 bytes$' "$tmp/recv.err"

# The pattern as it came, one byte of it changed, sent again from stdin.
transfer -- 300000 pattern
cp "$tmp/recv.out" "$tmp/changed"
printf 'x' | dd of="$tmp/changed" bs=1 seek=123457 conv=notrunc 2>/dev/null
# A byte that happened to be 'x' already would not be a change.
if cmp -s "$tmp/recv.out" "$tmp/changed"; then
	printf 'y' | dd of="$tmp/changed" bs=1 seek=123457 conv=notrunc 2>/dev/null
fi
transfer check 300000 -- 300000 <"$tmp/changed"
check changed_byte_fails [ $recv_rc != 0 ]
check names_the_changed_byte grep -q '^pattern wrong at byte 123457$' "$tmp/recv.err"

# Files: a stream read back whole, with another seed, short, and with a
# block moved (the same bytes at another offset).  pcheck SEED FILE: the
# pattern program's verdict in $tmp/check.out, its exit status in $rc.
pcheck() {
	"$pat" check "$1" 100000 <"$2" >"$tmp/check.out"
	rc=$?
}
"$pat" fill 7 100000 >"$tmp/f7"
pcheck 7 "$tmp/f7"
check file_of_its_own_seed_passes [ $rc = 0 ]
pcheck 8 "$tmp/f7"
check another_seed_fails [ $rc != 0 ]
check says_the_other_seed_differs_at_byte_0 grep -q '^pattern 8 wrong at byte 0$' "$tmp/check.out"
head -c 99999 "$tmp/f7" >"$tmp/short"
pcheck 7 "$tmp/short"
check short_file_says_where_it_ended grep -q '^pattern 7 ended after 99999 of 100000 bytes$' "$tmp/check.out"
# Bytes 4096..8191 again at 8192: a block written to the wrong place.
{ head -c 8192 "$tmp/f7"; tail -c +4097 "$tmp/f7" | head -c 4096; tail -c +12289 "$tmp/f7"; } >"$tmp/moved"
pcheck 7 "$tmp/moved"
check moved_block_fails [ $rc != 0 ]
check names_the_moved_block grep -q '^pattern 7 wrong at byte 819[2-9]$' "$tmp/check.out"
