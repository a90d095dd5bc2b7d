#!/bin/sh
# Boot cost of Debian's stock kernel under hvx run, through PVH (extracted
# vmlinux) and through bzImage: guest TSC ticks from the first VM entry to
# the busybox init's first line, and the VM exits on the way, by reason.
# Prints "bench boot_FORMAT_ticks hvx=N" and "bench boot_FORMAT_exits hvx=N"
# (lower is better), and the PVH boot again with the local APIC virtualized.
# No KVM figure: the hvx tool is the only VMM here that boots Linux with
# these devices.
INITRD=/tests/guests/linux-initrd.cpio
MARKER='hvx-guest: init reached'

boot() {	# boot NAME KERNEL
	if ! timeout 900 hvx run --kernel "$2" --initrd $INITRD --mem 256M \
		--append "console=ttyS0 quiet hvx.action=poweroff" \
		--console file:/tmp/bench-$1.log --stats-at "$MARKER" \
		</dev/null 2>/tmp/bench-$1.stats; then
		echo "# $1: hvx run failed:"
		sed 's/^/# /' /tmp/bench-$1.stats /tmp/bench-$1.log | tail -n 20
		return
	fi
	ticks=$(sed -n 's/^hvx run: stats: ticks \([0-9]*\) .*/\1/p' /tmp/bench-$1.stats)
	exits=$(sed -n 's/^hvx run: stats: exits \([0-9]*\)$/\1/p' /tmp/bench-$1.stats)
	if [ -z "$ticks" ] || [ -z "$exits" ]; then
		echo "# $1: the guest never printed '$MARKER':"
		sed 's/^/# /' /tmp/bench-$1.stats /tmp/bench-$1.log | tail -n 20
		return
	fi
	echo "bench boot_${1}_ticks hvx=$ticks"
	echo "bench boot_${1}_exits hvx=$exits"
	# Exits by reason, and the busiest I/O ports.
	sed -n "s/^hvx run: stats: \(exit\|io port\) /# boot_$1 \1 /p" /tmp/bench-$1.stats
}

boot pvh /tests/guests/vmlinux
# The same boot with the local APIC virtualized by the CPU (hvx.ko's
# apicv=1, off by default): what virtualizing it saves.
apicv=/sys/module/hvx/parameters/apicv
was=$(cat $apicv 2>/dev/null)
if echo Y 2>/dev/null >$apicv; then
	boot pvh_apic_virtualized /tests/guests/vmlinux
	echo "$was" >$apicv
fi
boot bzimage /tests/guests/bzImage
