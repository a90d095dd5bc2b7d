#!/bin/sh
# make fuzz: builds the libFuzzer targets in selftests/fuzz with ASan and
# UBSan and runs each for a while (60 s, or 10 s with --short for make
# check).  Seeds: small valid images (the head of Debian's bzImage and a
# synthetic PVH vmlinux header) so the fuzzer starts past the magic checks.
# Then, unless --short, the ioctl fuzzer (selftests/fuzz/hvx_ioctl_fuzz.c)
# against hvx.ko in one boot of the emulated host, through the VM test
# vm/fuzz_ioctl.sh: HVX_FUZZ_SECONDS (default 600), HVX_FUZZ_SEED
# (default: a new one each time, printed), HVX_FUZZ_THREADS (default 3) and
# HVX_FUZZ_AVOID (the fuzzer's --avoid list, default none).
# make check runs the same test for 60 s with a fixed seed among the VM
# tests.  With --results FILE, writes "ok fuzz/NAME" or "not ok fuzz/NAME"
# there.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
seconds=60
results=
emuhost=1
while [ $# -gt 0 ]; do
	case "$1" in
	--short) seconds=10; emuhost=0; shift ;;
	--seconds) seconds=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
"$TOP/scripts/deps.sh" fuzz
out=$BUILD/fuzz
mkdir -p "$out"
status=0

record() {
	[ -n "$results" ] && echo "$1 fuzz/$2" >>"$results"
	[ "$1" = ok ] || status=1
}

for src in "$TOP"/selftests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=$out/$name
	corpus=$out/$name.corpus
	log=$out/$name.log
	if ! clang -g -O1 -std=gnu11 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I"$TOP/user" -I"$TOP/kmod" -o "$bin" "$src" \
		"$TOP"/user/loader.c "$TOP"/user/loader_pvh.c "$TOP"/user/loader_bzimage.c \
		"$TOP"/user/loader_mptable.c \
		>"$log" 2>&1; then
		cat "$log"
		record "not ok" "$name"
		continue
	fi
	mkdir -p "$corpus"
	kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$kernel" ] && head -c 16384 "$kernel" >"$corpus/seed-bzimage"
	vmlinux=$(ls "$BUILD"/linux/vmlinux-* 2>/dev/null | tail -n 1)
	[ -n "$vmlinux" ] && head -c 65536 "$vmlinux" >"$corpus/seed-vmlinux"
	echo "# fuzzing $name for $seconds s"
	if "$bin" -max_total_time="$seconds" -rss_limit_mb=1024 -print_final_stats=0 \
		"$corpus" >"$log" 2>&1; then
		record ok "$name"
	else
		tail -n 40 "$log"
		record "not ok" "$name"
	fi
done

# The ioctl fuzzer, in the emulated host.
if [ "$emuhost" = 1 ]; then
	fz_seconds=${HVX_FUZZ_SECONDS:-600}
	fz_seed=${HVX_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	fz_threads=${HVX_FUZZ_THREADS:-3}
	KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
		sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
	KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
	log=$out/hvx_ioctl_fuzz.build.log
	"$TOP/scripts/deps.sh" emuhost
	if make -C "$KDIR" M="$TOP" W=1 modules >"$log" 2>&1 &&
	   make -C "$TOP/selftests" ioctl-fuzz "$BUILD/selftests/vm/fuzz_ioctl.sh" >>"$log" 2>&1; then
		echo "# ioctl fuzzer in the emulated host: --seed $fz_seed --seconds $fz_seconds --threads $fz_threads"
		echo "# (replay: HVX_FUZZ_SEED=$fz_seed HVX_FUZZ_SECONDS=$fz_seconds make fuzz)"
		fz_results=$out/hvx_ioctl_fuzz.results
		# Per test: the run, a 5 s warm-up and a minute of slack for each;
		# for the boot: Bochs's start, the kernel and the initramfs.
		HVX_EMUHOST_APPEND="hvxfuzzseconds=$fz_seconds hvxfuzzseed=$fz_seed hvxfuzzthreads=$fz_threads${HVX_FUZZ_AVOID:+ hvxfuzzavoid=$HVX_FUZZ_AVOID}" \
		HVX_TEST_TIMEOUT=$((fz_seconds + 300)) \
		HVX_EMUHOST_TIMEOUT=$((fz_seconds + 900)) \
			"$TOP/selftests/emuhost/run-tests.sh" --results "$fz_results" \
			--log "$out/emuhost-ioctl" fuzz_ioctl
		sed 's/^/# /' "$fz_results"
		grep -q '^ok fuzz/' "$fz_results" || echo "not ok fuzz/ioctl.no-results" >>"$fz_results"
		[ -n "$results" ] && cat "$fz_results" >>"$results"
		grep -q '^not ok' "$fz_results" && status=1
		echo "# serial log: $out/emuhost-ioctl/serial.txt"
	else
		tail -n 40 "$log"
		record "not ok" hvx_ioctl_fuzz.build
	fi
fi
exit $status
