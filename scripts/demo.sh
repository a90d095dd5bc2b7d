#!/bin/sh
# make demo: boots the emulated VT-x host (Bochs), loads hvx.ko and shows
# guests running on it.  On a real VT-x host, see the README instead.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
"$TOP/scripts/deps.sh" build unit emuhost
[ -f "$BUILD/linux-source/.linux-source-tools.done" ] ||
	"$TOP/scripts/linux-source-tools.sh" "$BUILD/linux-source"
KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 | sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
make -s -C "/usr/src/linux-headers-$KVER" M="$TOP" modules >/dev/null
make -s -C "$TOP/user" >/dev/null
make -s -C "$TOP/selftests" emuhost >/dev/null

out=$BUILD/emuhost/demo
echo "Booting the emulated VT-x host in Bochs (about two minutes)..."
"$TOP/selftests/emuhost/run.sh" "$out" demo &
runner=$!
shown=0
while kill -0 "$runner" 2>/dev/null || [ "$shown" -eq 0 ]; do
	sleep 3
	[ -f "$out/serial.txt" ] || continue
	n=$(wc -l <"$out/serial.txt")
	if [ "$n" -gt "$shown" ]; then
		tail -n +"$((shown + 1))" "$out/serial.txt" | head -n "$((n - shown))" |
			grep -a -v -E '^\[ *[0-9]+\.[0-9]+\]|^HVX-(BOOTED|DONE)' | sed 's/^HVX-OUT: //' || true
		shown=$n
	fi
	kill -0 "$runner" 2>/dev/null || break
done
wait "$runner"
