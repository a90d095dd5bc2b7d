#!/bin/sh
# The steps behind `make check` and its parts.  Each step appends result
# lines (ok AREA/NAME | not ok AREA/NAME) to a file under build/check; the
# report at the end numbers them and prints "N passed, N failed".
# Usage: scripts/check.sh all|unit|install|build|style|fuzz|vm|debug
# "all" builds first, then starts the VM tests (one emulated host per core,
# selftests/emuhost/run-parallel.sh) in the background and runs the native
# steps meanwhile: the hosts' boots overlap them.  The VM output follows the
# native steps' output.  "vm" runs HVX_VM_TESTS (make check-vm TESTS=...),
# or every VM test; "debug" the same under the debug kernel (make
# check-debug, never part of "all").
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
# Make may have computed these before the headers package was installed.
if [ ! -d "$KDIR" ]; then
	KVER=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
		sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
	KDIR=/usr/src/linux-headers-$KVER
fi
OUT=$BUILD/check
AWK_KTAP=$TOP/selftests/ktap-to-results.awk
MAKE=${MAKE:-make}

mkdir -p "$OUT/logs"

# result FILE STATUS NAME [LOG]: record one result; print LOG when it failed.
result() {
	if [ "$2" = ok ]; then
		echo "ok $3" >>"$1"
	else
		echo "not ok $3" >>"$1"
		if [ -n "${4:-}" ] && [ -f "$4" ]; then
			echo "--- $3 failed; last lines of $4:"
			tail -n 40 "$4"
			echo "---"
		fi
	fi
}

# Debian's kernel as an uncompressed vmlinux, for the unit tests and the
# emulated host's guests: made once, before any step that reads it starts.
extract_vmlinux() {
	vmlinux=$BUILD/linux/vmlinux-$KVER
	if [ -f "/boot/vmlinuz-$KVER" ] && [ ! -f "$vmlinux" ]; then
		mkdir -p "$BUILD/linux"
		"$TOP/scripts/extract-vmlinux.sh" "/boot/vmlinuz-$KVER" "$vmlinux" || true
	fi
}

step_unit() {
	res=$OUT/unit.results
	: >"$res"
	log=$OUT/logs/unit-build.log
	if ! $MAKE -C "$TOP/selftests" unit >"$log" 2>&1; then
		result "$res" fail unit/build "$log"
	fi
	# The loader tests also read Debian's kernel in both of its formats.
	export HVX_TEST_BZIMAGE=/boot/vmlinuz-$KVER
	export HVX_TEST_VMLINUX=$BUILD/linux/vmlinux-$KVER
	extract_vmlinux
	# *_test.sh: tests in shell (the VM tests' orchestration), also TAP.
	for t in "$BUILD"/selftests/unit/*_test "$TOP"/selftests/unit/*_test.sh; do
		[ -x "$t" ] || continue
		name=$(basename "$t" .sh)
		log=$OUT/logs/unit-$name.log
		"$t" >"$log" 2>&1
		awk -v area=unit -v prog="$name" -f "$AWK_KTAP" "$log" >"$log.res"
		cat "$log.res" >>"$res"
		grep -q '^not ok' "$log.res" && { echo "--- unit test $name:"; cat "$log"; echo "---"; }
	done
}

# make install, make uninstall, make dkms-install and dkms.conf, on a copy
# of the tree with stand-ins for groupadd, udevadm, depmod and dkms (one
# build of hvx.ko, as DKMS runs it).
step_install() {
	res=$OUT/install.results
	: >"$res"
	"$TOP/selftests/install/install_test.sh" --results "$res" --kdir "$KDIR" \
		--log "$OUT/logs/install"
	# 0: all passed, 1: the failures are in $res; else it did not finish.
	[ $? -le 1 ] || result "$res" fail install/run
}

step_build() {
	res=$OUT/build.results
	: >"$res"
	log=$OUT/logs/module.log
	# make check starts the VM tests only after this step: all cores.
	j=-j$(nproc)
	# W=1 warnings fail the build step even though kbuild keeps going.
	if $MAKE $j -C "$KDIR" M="$TOP" W=1 modules >"$log" 2>&1 &&
	   ! grep -q 'warning:' "$log"; then
		result "$res" ok build/module-w1
	else
		result "$res" fail build/module-w1 "$log"
	fi
	log=$OUT/logs/user.log
	if $MAKE $j -C "$TOP/user" >"$log" 2>&1; then
		result "$res" ok build/user
	else
		result "$res" fail build/user "$log"
	fi
	log=$OUT/logs/selftests.log
	if $MAKE $j -C "$TOP/selftests" emuhost >"$log" 2>&1; then
		result "$res" ok build/selftests
	else
		result "$res" fail build/selftests "$log"
	fi
}

step_style() {
	res=$OUT/style.results
	: >"$res"
	log=$OUT/logs/checkpatch.log
	files=$(cd "$TOP" && find kmod guest-drivers -name '*.[ch]' \
		! -name '*.mod.c' 2>/dev/null | sort)
	# Exceptions, each justified, live in .checkpatch.conf at the top.
	if (cd "$TOP" && "$BUILD/linux-source/checkpatch/checkpatch.pl" \
		--no-tree --terse --show-types -f $files) >"$log" 2>&1; then
		result "$res" ok style/checkpatch
	else
		result "$res" fail style/checkpatch "$log"
	fi
	# Every shared header compiles on its own, in plain C11 userspace.
	for h in $(cd "$TOP" && ls kmod/uapi/*.h kmod/emulate/emulate.h \
			kmod/vmbus/ring.h kmod/vm_name.h 2>/dev/null); do
		name=$(echo "$h" | sed 's|^kmod/||; s|/|_|g')
		log=$OUT/logs/header-$name.log
		if printf '#include "%s"\n' "$TOP/$h" |
		   gcc -std=c11 -Wall -Wextra -Werror \
			-fsyntax-only -x c - >"$log" 2>&1; then
			result "$res" ok "style/header-$name"
		else
			result "$res" fail "style/header-$name" "$log"
		fi
	done
}

step_fuzz() {
	"$TOP/scripts/fuzz.sh" --short --results "$OUT/fuzz.results"
}

step_vm() {
	res=$OUT/vm.results
	: >"$res"
	if ! $MAKE -C "$KDIR" M="$TOP" W=1 modules >"$OUT/logs/vm-module.log" 2>&1 ||
	   ! $MAKE -C "$TOP/selftests" emuhost >"$OUT/logs/vm-selftests.log" 2>&1 ||
	   ! $MAKE -C "$TOP/user" >"$OUT/logs/vm-user.log" 2>&1; then
		result "$res" fail vm/build "$OUT/logs/vm-module.log"
		return
	fi
	# shellcheck disable=SC2086
	"$TOP/selftests/emuhost/run-parallel.sh" --results "$res" --log "$OUT/vm" \
		${HVX_VM_TESTS:-} || result "$res" fail emuhost/run
}

# make check-debug: the VM tests (HVX_VM_TESTS, or all) in emulated hosts
# that boot the debug kernel of scripts/debug-kernel.sh (built once per
# machine) with an hvx.ko built for it; init.sh then checks the kernel's
# boot log and kmemleak.  Every report that failed a test is printed after
# the results, with the test it came in.
step_debug() {
	res=$OUT/debug.results
	: >"$res"
	# Its progress (and why it failed) goes to stderr, the terminal.
	if ! dk=$("$TOP/scripts/debug-kernel.sh"); then
		result "$res" fail debug/kernel
		return
	fi
	# The guests still boot Debian's kernel: their modules and the test
	# programs are check-vm's.
	if ! $MAKE -C "$KDIR" M="$TOP" W=1 modules >"$OUT/logs/vm-module.log" 2>&1 ||
	   ! $MAKE -C "$TOP/selftests" emuhost >"$OUT/logs/vm-selftests.log" 2>&1 ||
	   ! $MAKE -C "$TOP/user" >"$OUT/logs/vm-user.log" 2>&1; then
		result "$res" fail vm/build "$OUT/logs/vm-module.log"
		return
	fi
	# hvx.ko for the debug kernel, from a copy of kmod/: kbuild (6.1)
	# writes an external module's objects beside its sources, where the
	# build for Debian's kernel keeps its own.  UBSAN_SANITIZE=y: the
	# debug kernel has UBSAN's handlers but checks only hvx.ko.
	ko=$BUILD/debug/kmod
	log=$OUT/logs/debug-module.log
	rm -rf "$ko"
	mkdir -p "$ko"
	(cd "$TOP/kmod" && find . -name '*.[chS]' -o -name Kbuild | cpio -pdm --quiet "$ko")
	if ! $MAKE -C "$dk/build" M="$ko" W=1 UBSAN_SANITIZE=y modules >"$log" 2>&1; then
		result "$res" fail debug/module "$log"
		return
	fi
	# KASAN's shadow (an eighth of RAM) and quarantine want more memory;
	# everything runs slower, the boot most: longer limits for the boot
	# (HVX_EMUHOST_TIMEOUT), each test (HVX_TEST_TIMEOUT) and a silent
	# fuzzer (HVX_EMUHOST_STALL).  log_buf_len: the tests' dmesg checks
	# count lines, which only works while the log has not wrapped, and
	# lockdep and kmemleak say a lot.
	# The rest of the command line keeps the boot from stopping or
	# failing for what is not hvx's, and the detectors armed for hvx:
	# - preempt=none: with PROVE_RCU (which PROVE_LOCKING selects) the
	#   kernel tests RCU Tasks early in the boot, and 6.1's
	#   synchronize_rcu_tasks() deadlocks there when init is preempted
	#   at its mutex_lock() by the RCU Tasks kthread it has just woken,
	#   which takes the mutex and sleeps holding it (upstream's "rcu-tasks:
	#   Fix boot-time RCU tasks debug-only deadlock", not in 6.1).  Under
	#   voluntary preemption Bochs hit that window in every boot; with
	#   none, init takes the mutex first.  Without preemption the boot's
	#   long loops (tracefs, the W+X check) look like a soft lockup and an
	#   RCU stall: nosoftlockup and rcu_cpu_stall_suppress until init.sh,
	#   which puts back voluntary preemption and both detectors
	#   (hvxpreempt, hvxsoftlockup, hvxrcustall) before it loads any
	#   module.  With rcu_cpu_stall_suppress_at_boot instead, one boot of
	#   two still reported the kthread that the W+X check starved.
	# - noxsave: Bochs's CPUID leaf 0xd gives a compacted XSAVE size that
	#   is not the sum of its features', so the kernel turns XSAVE off at
	#   boot (a WARN), as the stock kernel does, but keeps XCOMPACTED:
	#   every fpu_alloc_guest_fpstate() then writes the XSAVE header's
	#   xcomp_bv 8 bytes past its 576-byte fpstate.  That was KASAN's
	#   report in the first test to make a vCPU, and the taint of a KASAN
	#   report turns lockdep off for the rest of the boot.  noxsave is the
	#   same XSAVE-less host without the bad write.
	# - kasan_multi_shot: every KASAN report, not only the boot's first.
	append="hvxdebug=1 log_buf_len=16M"
	append="$append preempt=none nosoftlockup"
	append="$append rcupdate.rcu_cpu_stall_suppress=1"
	append="$append hvxpreempt=voluntary hvxsoftlockup=1 hvxrcustall=1"
	append="$append noxsave kasan_multi_shot"
	# shellcheck disable=SC2086
	HVX_EMUHOST_KERNEL=$dk HVX_EMUHOST_HVX_KO=$ko/hvx.ko \
	HVX_EMUHOST_MEGS=${HVX_EMUHOST_MEGS:-2048} \
	HVX_EMUHOST_TIMEOUT=${HVX_EMUHOST_TIMEOUT:-14400} \
	HVX_TEST_TIMEOUT=${HVX_TEST_TIMEOUT:-2700} \
	HVX_EMUHOST_STALL=${HVX_EMUHOST_STALL:-900} \
	HVX_EMUHOST_APPEND="$append${HVX_EMUHOST_APPEND:+ $HVX_EMUHOST_APPEND}" \
		"$TOP/selftests/emuhost/run-parallel.sh" --results "$res" \
		--log "$OUT/debug" ${HVX_VM_TESTS:-} || result "$res" fail emuhost/run
	. "$TOP/selftests/emuhost/splats.sh"
	for serial in "$OUT"/debug/h*/serial.txt; do
		[ -f "$serial" ] || continue
		reports=$(tr -d '\r' <"$serial" |
			sed -n '/^HVX-START: /p; s/^HVX-OUT: dmesg: //p' | splat_reports)
		leaks=$(tr -d '\r' <"$serial" | sed -n 's/^HVX-OUT: kmemleak: //p' | hvx_leaks)
		[ -z "$reports$leaks" ] && continue
		echo "# the debug kernel's reports in $serial:"
		[ -n "$reports" ] && printf '%s\n' "$reports"
		[ -n "$leaks" ] && printf '%s\n' "--- kmemleak, through hvx.ko:" "$leaks"
	done
}

# The report, with the five slowest VM tests of this run and the run's wall
# time just before its closing "N passed, N failed" line, which stays last.
finish() {
	"$TOP/selftests/report.sh" "$OUT"/*.results >"$OUT/report"
	rc=$?
	sed '$d' "$OUT/report"
	times=
	[ -f "$OUT/vm.results" ] &&
		times=$(cat "$OUT"/vm/h*/serial.txt 2>/dev/null | tr -d '\r' |
			sed -n 's/^HVX-TIME: //p' | sort -k 2 -n -r | head -n 5)
	if [ -n "$times" ]; then
		echo "# slowest VM tests (emulated seconds):"
		printf '%s\n' "$times" | awk '{ printf "#   %-20s %7.1f\n", $1, $2 }'
	fi
	took=$(( $(date +%s) - start ))
	echo "# check took $took s ($((took / 60)) min $((took % 60)) s) of wall time"
	tail -n 1 "$OUT/report"
	exit "$rc"
}

rm -f "$OUT"/*.results
start=$(date +%s)
case "${1:-all}" in
all)	"$TOP/scripts/deps.sh" build unit emuhost fuzz
	# What the VM step needs is built first (the build step builds it
	# all), so that nothing else writes it while the hosts' images are
	# made; the native steps then share the cores with the hosts.
	step_build
	extract_vmlinux
	# Bochs yields to the native steps while they run (niceness 5):
	# their CPU time is the same either way, but a unit test whose two
	# threads wait on each other (ring_stress_test) took 5 minutes when
	# two Bochs held the cores at the same priority.
	(export HVX_EMUHOST_NICE=5; step_vm) >"$OUT/logs/vm.out" 2>&1 &
	vm=$!
	echo "# VM tests started in the background (log: $OUT/logs/vm.out)"
	step_unit; step_install; step_style; step_fuzz
	echo "# native steps done after $(( $(date +%s) - start )) s; the VM tests' output:"
	# GNU tail: all of it so far, then as it comes, until the step ends.
	tail -n +1 -f --pid="$vm" "$OUT/logs/vm.out"
	wait "$vm" ;;
unit)	step_unit; step_install ;;
install) step_install ;;
build)	step_build ;;
style)	step_style ;;
fuzz)	step_fuzz ;;
vm)	"$TOP/scripts/deps.sh" emuhost; step_vm ;;
debug)	"$TOP/scripts/deps.sh" emuhost debug-kernel; step_debug ;;
*)	echo "usage: $0 all|unit|install|build|style|fuzz|vm|debug" >&2; exit 2 ;;
esac
finish
