#!/bin/sh
# Copies dynamically linked programs of this machine, with the shared
# libraries and the loader they need, into a root file system for the
# emulated host or a Linux guest (both run Debian's userland, so Debian's
# binaries run there as they are).
# Usage: copy-binaries.sh ROOT DIR PROGRAM...   (the programs go to ROOT/DIR)
set -eu
root=$1
dir=$2
shift 2
mkdir -p "$root/$dir" "$root/lib64" "$root/lib/x86_64-linux-gnu"
for prog in "$@"; do
	path=$(command -v "$prog" 2>/dev/null || echo "$prog")
	[ -x "$path" ] || { echo "copy-binaries: $prog not found" >&2; exit 1; }
	cp "$path" "$root/$dir/"
	ldd "$path" | awk '/=> \// { print $3 } /^\t\/lib64\// { print $1 }' |
	while read -r lib; do
		case "$lib" in
		/lib64/*) cp -L "$lib" "$root/lib64/" ;;
		*) cp -L "$lib" "$root/lib/x86_64-linux-gnu/" ;;
		esac
	done
done
