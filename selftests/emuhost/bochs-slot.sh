#!/bin/sh
# Runs a command while holding one of the machine's emulated-host slots, so
# that no more Bochs instances run than there are cores (one per core).
# Usage: bochs-slot.sh COMMAND [ARG...]
set -eu
slots=$(nproc)
while :; do
	i=0
	while [ "$i" -lt "$slots" ]; do
		lock="${TMPDIR:-/tmp}/hvx-bochs-slot.$i"
		# flock -n fails at once when the slot is taken; -E 75 tells that
		# apart from the command's own exit status.
		if flock -n -E 75 "$lock" "$@"; then
			exit 0
		else
			rc=$?
			[ "$rc" -eq 75 ] || exit "$rc"
		fi
		i=$((i + 1))
	done
	sleep 5
done
