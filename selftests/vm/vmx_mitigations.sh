#!/bin/sh
# hvx follows the host kernel's speculation mitigation settings as kvm_intel
# does (kmod/spec.c): the same L1D flush policy before VM entry.  Both
# modules are loaded in the emulated host.  Prints kselftest-style TAP.
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1 # $2"; fail=1; }

echo "1..2"
hvx=$(cat /sys/module/hvx/parameters/l1d_flush 2>/dev/null)
kvm=$(cat /sys/module/kvm_intel/parameters/vmentry_l1d_flush 2>/dev/null)
echo "# host l1tf: $(cat /sys/devices/system/cpu/vulnerabilities/l1tf 2>/dev/null)"
echo "# hvx l1d_flush '$hvx', kvm_intel vmentry_l1d_flush '$kvm'"
if [ -n "$hvx" ] && [ "$hvx" = "$kvm" ]; then
	ok l1d_flush_policy_matches_kvm_intel
else
	notok l1d_flush_policy_matches_kvm_intel "hvx '$hvx' kvm_intel '$kvm'"
fi
if dmesg | grep -q "hvx: loaded: .*L1D flush $hvx"; then
	ok load_message_names_policy
else
	notok load_message_names_policy "$(dmesg | grep 'hvx: loaded' | tail -n 1)"
fi
exit $fail
