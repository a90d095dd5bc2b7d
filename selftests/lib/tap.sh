# Sourced by the VM tests' shell scripts (from /tests/lib in the emulated
# host): kselftest-style TAP output and waiting on a guest's console.
n=0
fail=0

ok() {	# ok NAME CONDITION_STATUS [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		[ -n "${3:-}" ] && echo "# $3"
		fail=1
	fi
}

show() {	# show FILE: the guest's console as TAP comments
	sed 's/^/# console: /' "$1" | tail -n 60
	echo	# the console may end without a newline
}

# wait_for FILE PATTERN SECONDS [POLL_US]: 0 once FILE has a line matching
# PATTERN.  Looks every 100 ms by default: the emulated host has one CPU,
# which the guest needs.
wait_for() {
	i=0
	poll=${4:-100000}
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $i -ge $(($3 * 1000000 / poll)) ] && return 1
		usleep $poll
		i=$((i + 1))
	done
}
