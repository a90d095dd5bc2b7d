# What in the emulated host's kernel log fails a VM test, whatever the test
# said, and how the reports are picked out.  Sourced by init.sh in the host
# (busybox) and by scripts/check.sh on the build machine.  POSIX sh.
#
# The debug kernel's detectors (make check-debug) print through the same
# words: KASAN and UBSAN by name, KFENCE as "BUG: KFENCE:", lockdep as
# "WARNING: possible circular locking dependency", "WARNING: inconsistent
# lock state" and "BUG: sleeping function called from invalid context".
SPLAT='Oops|BUG:|WARNING:|general protection fault|soft lockup|hung_task|blocked for more than|KASAN|UBSAN|Call Trace|kernel BUG'

# What the emulated host's kernel prints at every boot about the CPU that
# Bochs emulates, not about anything hvx did, though $SPLAT matches it:
# the RETBleed line (a Skylake without the microcode's mitigations).
# Only init.sh's check of the boot log, the one place it appears, leaves
# it out (known_splats_drop).
KNOWN_SPLAT='RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable'

# known_splats_drop: stdin without the lines matching $KNOWN_SPLAT.
known_splats_drop() {
	grep -vE "$KNOWN_SPLAT"
}

# splat_reports [MAX]: from each line of stdin that matches $SPLAT, the
# report up to 40 lines on (enough for its first frames), at most MAX lines
# in all (default 400).  A line "HVX-START: NAME" names the test the lines
# after it belong to: it is printed before that test's first report.
splat_reports() {
	awk -v re="$SPLAT" -v max="${1:-400}" '
		/^HVX-START: / { test = $2; left = 0; next }
		$0 ~ re { left = 40
			  if (test != "" && test != named) { print "--- in " test ":"; named = test } }
		left > 0 && shown < max { print; left--; shown++ }'
}

# hvx_leaks: the records of a kmemleak report (stdin) allocated through
# hvx.ko: an [hvx] frame in the backtrace, or a module address without a
# symbol, an hvx.ko that a test unloaded since (the emulated host unloads
# no other module).
hvx_leaks() {
	awk '/^unreferenced object/ { if (ours) printf "%s", rec; rec = ""; ours = 0 }
		{ rec = rec $0 "\n" }
		/\[hvx\]$/ || /\] 0xffffffffc[0-9a-f]*$/ { ours = 1 }
		END { if (ours) printf "%s", rec }'
}
