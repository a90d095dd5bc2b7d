#!/bin/sh
# make fuzz: builds the libFuzzer targets in selftests/fuzz with ASan and
# UBSan and runs each for a while (60 s, or 10 s with --short for make
# check).  Seeds: small valid images (the head of Debian's bzImage and a
# synthetic PVH vmlinux header) so the fuzzer starts past the magic checks.
# With --results FILE, writes "ok fuzz/NAME" or "not ok fuzz/NAME" there.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
seconds=60
results=
while [ $# -gt 0 ]; do
	case "$1" in
	--short) seconds=10; shift ;;
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
exit $status
