#!/bin/sh
# Extracts the uncompressed vmlinux (ELF, with its PVH note) from a bzImage
# whose payload is XZ-compressed, as Debian's are.
# Usage: extract-vmlinux.sh BZIMAGE OUT
set -eu
in=$1
out=$2
# The XZ stream starts with FD 37 7A 58 5A 00; the first one is the payload.
offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$in" | head -n 1 | cut -d: -f1)
[ -n "$offset" ] || { echo "extract-vmlinux: no XZ payload in $in" >&2; exit 1; }
# make demo and make check-vm get here on a fresh machine before anything
# else made the directory.
mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
# xz stops at the end of the stream; the bzImage's trailer follows it.
tail -c +"$((offset + 1))" "$in" | xz -dc --single-stream >"$tmp" 2>/dev/null || true
if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" != 7f454c46 ]; then
	rm -f "$tmp"
	echo "extract-vmlinux: payload of $in is not an ELF" >&2
	exit 1
fi
mv "$tmp" "$out"
