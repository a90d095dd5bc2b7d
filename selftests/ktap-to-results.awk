# Turns the TAP that a kselftest-harness binary prints into hvx result lines:
#   ok AREA/NAME | not ok AREA/NAME | ok AREA/NAME # SKIP why
# Usage: BINARY | awk -v area=AREA -v prog=PROG -f ktap-to-results.awk
# Runs under gawk, mawk and busybox awk (the emulated host has only the last).
# A binary that dies before reporting every test in its plan gets one extra
# failing line, AREA/PROG.incomplete, so a crash can never pass silently.
BEGIN { planned = -1; seen = 0 }

/^1\.\.[0-9]+/ && planned < 0 { planned = substr($1, 4) + 0; next }

/^(not )?ok [0-9]+ / {
	failed = ($1 == "not")
	line = $0
	sub(/^(not )?ok [0-9]+ /, "", line)
	directive = ""
	hash = index(line, " # ")
	if (hash > 0) {
		directive = substr(line, hash)
		line = substr(line, 1, hash - 1)
	}
	# kselftest names tests FIXTURE.NAME; TEST() uses the fixture "global".
	sub(/^global\./, "", line)
	gsub(/[ \t]+/, "_", line)
	seen++
	if (directive ~ /# *SKIP/ && !failed)
		printf "ok %s/%s%s\n", area, line, directive
	else
		printf "%s %s/%s\n", failed ? "not ok" : "ok", area, line
	next
}

END {
	if (planned < 0 || seen < planned)
		printf "not ok %s/%s.incomplete\n", area, prog
}
