#!/bin/sh
# Boots the emulated VT-x host once in Bochs and leaves its serial log.
# Usage: run.sh OUTDIR MODE [TESTS] -> OUTDIR/serial.txt, OUTDIR/bochs.log
# MODE is test, bench or demo; TESTS an optional comma-separated list of
# VM tests or benchmarks to run (file names without .sh).
# The whole boot is bounded by HVX_EMUHOST_TIMEOUT seconds of wall time
# (default 4200: a host's share of make check's VM tests takes about 25 minutes
# here): a hung guest can never wedge the caller.  Bochs runs at niceness
# HVX_EMUHOST_NICE (default 0).
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$TOP/selftests/emuhost
out=$1
mode=$2
tests=${3:-}
limit=${HVX_EMUHOST_TIMEOUT:-4200}

mkdir -p "$out"
out=$(cd "$out" && pwd)
# Bochs's TSC counts emulated instructions: it runs at IPS ticks per second
# of emulated time, whatever CPUID says (3.5 GHz for this CPU model).  Linux
# must know, or every timer it sets fires ~70 times early and it spends
# most of its time re-arming them (and hvx guests with it).
ips=50000000
cmdline="console=ttyS0,115200 loglevel=4 panic=-1 tsc_early_khz=$((ips / 1000))"
# cryptomgr.notests: the self-tests of the kernel's crypto algorithms took
# 15 emulated seconds of every boot (crypto_algapi_init, seen with
# initcall_debug); they test Debian's kernel, not hvx.
cmdline="$cmdline cryptomgr.notests"
cmdline="$cmdline hvxmode=$mode${HVX_TEST_TIMEOUT:+ hvxtimeout=$HVX_TEST_TIMEOUT}"
# More for the emulated host's kernel, when exploring.
cmdline="$cmdline${HVX_EMUHOST_APPEND:+ $HVX_EMUHOST_APPEND}"
[ -n "$tests" ] && cmdline="$cmdline hvxtests=$tests"
# QEMU, the KVM peer of the network benchmark, goes into bench images only:
# the tests have no use for its 46 MB (see build-image.sh).
[ "$mode" = bench ] && export HVX_EMUHOST_QEMU=${HVX_EMUHOST_QEMU:-1}
"$here/build-image.sh" "$out" "$cmdline"

# HVX_EMUHOST_MEGS: the debug kernel's KASAN shadow (an eighth of RAM)
# and quarantine need more than the default.
cat >"$out/bochsrc" <<RC
megs: ${HVX_EMUHOST_MEGS:-1024}
# Debian's Bochs aborts in its ALSA output without these two lines.
sound: waveoutdrv=dummy, waveout=none
speaker: enabled=0
cpu: model=corei7_skylake_x, count=${HVX_EMUHOST_CPUS:-1}, ips=$ips, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$out/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$out/serial.txt
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
log: $out/bochs.log
error: action=report
panic: action=fatal
RC
echo c >"$out/cmds"
: >"$out/serial.txt"
# Debian's Bochs carries its debugger: -rc feeds it "continue".
# OUTDIR/bochs.pid names the timeout(1) around Bochs while it runs: a TERM
# to it ends Bochs (run-tests.sh does, when a fuzzer wedged the host).
rm -f "$out/bochs.pid"
"$here/bochs-slot.sh" sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$out/bochs.pid" \
	nice -n "${HVX_EMUHOST_NICE:-0}" timeout -k 10 "$limit" \
	bochs -q -f "$out/bochsrc" -rc "$out/cmds" </dev/null >"$out/bochs.out" 2>&1 || true
rm -f "$out/bochs.pid"
