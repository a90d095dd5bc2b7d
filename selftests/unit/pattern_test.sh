#!/bin/sh
# Tests of netbench's pattern (selftests/guests/netbench.c), by which the
# network VM tests find data changed in transit: it must pass what came
# whole and name the first wrong byte of what did not.  Over loopback, on
# this machine.  Prints TAP.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
nb=$BUILD/selftests/guests/netbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$((20000 + $$ % 20000))
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; shift; echo "# $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else notok "$name" "failed: $*"; sed 's/^/# /' "$tmp/recv.err"; fi; }

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
	while ! grep -q '^listening' "$tmp/recv.err" && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	"$nb" send 127.0.0.1 $port "$@" 2>"$tmp/send.err"
	wait $recv
	recv_rc=$?
}

echo "1..6"
if [ ! -x "$nb" ]; then
	echo "# $nb is not built (make -C selftests unit)"
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
