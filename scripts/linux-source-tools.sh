#!/bin/sh
# Extracts what hvx needs from Debian's linux-source package, once:
# the kselftest harness headers and scripts/checkpatch.pl with its data files.
# Usage: scripts/linux-source-tools.sh OUTDIR
# Result: OUTDIR/kselftest/{kselftest.h,kselftest_harness.h}
#         OUTDIR/checkpatch/{checkpatch.pl,spelling.txt,const_structs.checkpatch}
set -eu
out=$1
stamp="$out/.linux-source-tools.done"
[ -f "$stamp" ] && exit 0

mkdir -p "$out"
work=$(mktemp -d "$out/tmp.XXXXXX")
chmod 755 "$work"	# apt-get download drops to the _apt user
trap 'rm -rf "$work"' EXIT

# The package name carries the kernel series; take the newest 6.x on offer.
pkg=$(apt-cache search --names-only '^linux-source-[0-9.]+$' 2>/dev/null |
	awk '{print $1}' | sort -V | tail -n 1)
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(apt-cache search --names-only '^linux-source-[0-9.]+$' |
		awk '{print $1}' | sort -V | tail -n 1)
fi
[ -n "$pkg" ] || { echo "linux-source-tools: no linux-source package found" >&2; exit 1; }

(cd "$work" && apt-get download -q "$pkg" >/dev/null)
dpkg-deb -x "$work"/"$pkg"_*.deb "$work/pkg"
tarball=$(ls "$work"/pkg/usr/src/linux-source-*.tar.* | head -n 1)
top=$(basename "$tarball" | sed 's/\.tar\..*//')

tar -xf "$tarball" -C "$work" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch"

mkdir -p "$out/kselftest" "$out/checkpatch"
cp "$work/$top"/tools/testing/selftests/kselftest*.h "$out/kselftest/"
cp "$work/$top"/scripts/checkpatch.pl "$work/$top"/scripts/spelling.txt \
	"$work/$top"/scripts/const_structs.checkpatch "$out/checkpatch/"
chmod +x "$out/checkpatch/checkpatch.pl"
touch "$stamp"
