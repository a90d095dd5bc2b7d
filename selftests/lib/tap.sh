# Sourced by the VM tests' shell scripts (from /tests/lib in the emulated
# host): kselftest-style TAP output and waiting on a guest's console.
n=0
fail=0

# uptime_cs: the emulated host's uptime in hundredths of a second, in
# $uptime_cs, with no fork: each fork and exec costs the guest CPU time
# (see wait_for).  /proc/uptime always has two decimals.
uptime_cs() {
	read -r uptime_cs _ </proc/uptime
	uptime_cs=${uptime_cs%.*}${uptime_cs#*.}
	uptime_cs=${uptime_cs#"${uptime_cs%%[!0]*}"}
	: "${uptime_cs:=0}"
}
uptime_cs
tap_last=$uptime_cs

ok() {	# ok NAME CONDITION_STATUS [DIAGNOSTIC]
	n=$((n + 1))
	# The emulated seconds since the last result: where a slow test's time
	# goes, for docs/testing.md's budget.
	uptime_cs
	tap_took=$(((uptime_cs - tap_last + 5) / 10))
	echo "# $((tap_took / 10)).$((tap_took % 10)) s"
	tap_last=$uptime_cs
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
# PATTERN.  Looks every POLL_US, or by default after 50 ms, then twice as
# long each time up to 800 ms: each look is a fork and exec of grep and
# usleep, and the emulated host has one CPU, which the guest needs: at a
# look every 100 ms, a Linux guest reached init 19.9 s after its boot, and
# 16.2 s now.
wait_for() {
	waited=0
	poll=${4:-50000}
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $waited -ge $(($3 * 1000000)) ] && return 1
		usleep $poll
		waited=$((waited + poll))
		[ -z "${4:-}" ] && [ $poll -lt 800000 ] && poll=$((poll * 2))
	done
	return 0
}

# The kernel command line of the Linux guests that the device tests boot.
# cryptomgr.notests: from `hvx run` to the guest's shell took 54 emulated
# seconds with the kernel's crypto self-tests and 29 without
# (initcall_debug: crypto_algapi_init 21.6 s, load_system_certificate_list
# 3.9 s, then 0.14 s).  They run once at boot, before any hvx device driver
# loads, and check that the guest's FPU and registers come through the
# host's exits intact: the boots of boot_linux.sh (PVH, bzImage, the
# shell, panic), which do not use this, keep them and their warnings check.
GUEST_APPEND="console=ttyS0 quiet cryptomgr.notests"

# A Linux guest's shell driven through its console.
# boot_guest HVX_RUN_OPTIONS...: boots Debian's kernel and the test
# initramfs under hvx run (256 MiB), console input on fd $GFD (3 unless
# set; 3 to 9), console output in $LOG, stderr in $ERR, hvx run's pid in
# $pid; 0 once the guest's shell is ready.  A test with two guests at once
# sets GFD, LOG and ERR for each before it talks to it.
boot_guest() {
	fifo=/tmp/guest-in-${GFD:-3}
	rm -f $fifo
	mkfifo $fifo
	timeout 2400 hvx run --kernel /tests/guests/vmlinux \
		--initrd /tests/guests/linux-initrd.cpio --mem 256M \
		--append "$GUEST_APPEND" --console stdio "$@" \
		<$fifo >"$LOG" 2>"$ERR" &
	pid=$!
	eval "exec ${GFD:-3}>$fifo"
	wait_for "$LOG" 'hvx-guest: shell ready' 240
}

# gcmd SECONDS COMMAND: runs COMMAND in the guest's shell; 0 once it ended
# in time.  out prints what it wrote.
seq=0
gcmd() {
	seq=$((seq + 1))
	echo "echo hvx-begin-$seq; $2; echo hvx-end-$seq" >&${GFD:-3}
	wait_for $LOG "^hvx-end-$seq" "$1"
}

out() {
	sed -n "/^hvx-begin-$seq/,/^hvx-end-$seq/p" $LOG | sed '1d;$d' | tr -d '\r'
}

# The emulated host's kernel log lines that mean trouble.
host_warnings() {
	dmesg | grep -c -E 'WARNING:|BUG:|Oops|general protection'
}

# guest_poweroff: powers the guest off and waits for hvx run, whose exit
# status lands in $rc; shows the console and stderr as TAP comments.
guest_poweroff() {
	echo 'poweroff -f' >&${GFD:-3}
	wait $pid
	rc=$?
	eval "exec ${GFD:-3}>&-"
	show $LOG
	sed 's/^/# stderr: /' $ERR
}

# guest_warnings: 0 if the guest's kernel log shows no WARN, BUG, segfault
# or general protection fault; warning_lines shows them from the console.
warning_lines() {
	grep -a -A3 -E 'WARNING: CPU|BUG:' $LOG | head -n 20
}

guest_warnings() {
	gcmd 60 "echo warnings \$(dmesg -s 1048576 | grep -c -E 'WARNING: CPU|BUG:|segfault|general protection')"
	out | grep -q '^warnings 0'
}
