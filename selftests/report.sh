#!/bin/sh
# Prints the collected results of a check run as numbered TAP lines and the
# summary line that CI reads, then exits non-zero on any failure (or when no
# test ran at all: a check that ran nothing has not passed).
# Usage: selftests/report.sh RESULTS_FILE...
set -u
cat "$@" 2>/dev/null | awk '
/^ok / || /^not ok / {
	n++
	failed = ($1 == "not")
	rest = $0
	sub(/^(not )?ok /, "", rest)
	if (failed) { nfail++; printf "not ok %d - %s\n", n, rest }
	else if (rest ~ /# *SKIP/) { nskip++; printf "ok %d - %s\n", n, rest }
	else { npass++; printf "ok %d - %s\n", n, rest }
}
END {
	printf "1..%d\n", n
	line = sprintf("%d passed, %d failed", npass, nfail)
	if (nskip) line = line sprintf(", %d skipped", nskip)
	print line
	exit (nfail > 0 || n == 0) ? 1 : 0
}'
