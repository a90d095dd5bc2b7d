#!/bin/sh
# Where the emulated host's boot goes: boots it once with no tests and
# prints the wall time at which each boot stage first shows on its serial
# console (sampled every half second), with the emulated kernel's own clock
# where the line carries one.  Usage: boot-times.sh [OUTDIR]
# The loader (isolinux) and the kernel's decompressor write to the serial
# port too (SERIAL in isolinux.cfg, earlyprintk here), and loglevel=7 shows
# the initramfs unpacking: the extra lines cost a little emulated time.
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
out=${1:-$BUILD/emuhost-boot-times}
mkdir -p "$out"
serial=$out/serial.txt
rm -f "$serial"
start=$(date +%s.%N)
HVX_EMUHOST_APPEND="earlyprintk=serial,ttyS0,115200 loglevel=7${HVX_EMUHOST_APPEND:+ $HVX_EMUHOST_APPEND}" \
	"$TOP/selftests/emuhost/run.sh" "$out" test none &
runner=$!

# stage label, then the pattern that marks its start in the serial log
stages='bios-done|ISOLINUX
kernel-loaded|Loading /initrd
initrd-loaded|Loading /initrd.*ok
setup-done|Probing EDD.*ok
kernel-start|^\[ *0\.0
unpack-start|unpack rootfs image
unpack-done|Freeing initrd memory
init|Run /init
tests-start|HVX-BOOTED'
seen=
while kill -0 "$runner" 2>/dev/null; do
	sleep 0.5
	[ -f "$serial" ] || continue
	now=$(date +%s.%N)
	printf '%s\n' "$stages" | while IFS='|' read -r label pat; do
		case " $seen " in *" $label "*) continue ;; esac
		line=$(grep -a -m1 "$pat" "$serial" 2>/dev/null | tr -d '\r') || continue
		[ -n "$line" ] || continue
		printf '%s %s %s\n' "$label" "$now" "$line"
	done >"$out/new-stages"
	while read -r label t line; do
		seen="$seen $label"
		printf '%-14s %6.1f s wall   %s\n' "$label" \
			"$(awk -v a="$start" -v b="$t" 'BEGIN { print b - a }')" "$(echo "$line" | cut -c1-70)"
	done <"$out/new-stages"
done
wait "$runner"
printf '%-14s %6.1f s wall\n' bochs-exit "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
