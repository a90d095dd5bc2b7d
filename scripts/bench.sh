#!/bin/sh
# make bench: runs selftests/bench/native/* on this machine, then
# selftests/bench/* in one boot of the emulated VT-x host, where kvm_intel
# runs beside hvx.ko, and prints one line per figure:
#   bench NAME hvx=N kvm=N ratio=R    (or memcpy=N for the ring; the
#   network figures add kvm_vhost=N, QEMU with vhost-net)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
"$TOP/scripts/deps.sh" build unit emuhost
KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 | sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
make -s -C "/usr/src/linux-headers-$KVER" M="$TOP" modules >/dev/null
make -s -C "$TOP/selftests" emuhost native-bench >/dev/null
# Native figures first, while this machine is otherwise idle.
for b in "$BUILD"/selftests/bench-native/*; do
	[ -x "$b" ] && "$b"
done
out=$BUILD/emuhost/bench
echo "# booting the emulated host for the benchmarks (a few minutes)"
"$TOP/selftests/emuhost/run.sh" "$out" bench
grep -a '^HVX-OUT: #' "$out/serial.txt" | sed 's/^HVX-OUT: //' || true
if ! grep -a '^HVX-BENCH: ' "$out/serial.txt" | sed 's/^HVX-BENCH: //'; then
	echo "bench: no figures; serial log tail:" >&2
	tail -n 30 "$out/serial.txt" >&2
	exit 1
fi
