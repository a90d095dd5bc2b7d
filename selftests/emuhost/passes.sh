# The pass a VM test runs in, inside whichever emulated host runs it:
# "first" (most tests), "last" (tests that attack the host and could hang or
# crash it, so they cannot take the others' results with them; a hang still
# fails them by name) or "fuzz" (fuzz_*, last of all: what they find is
# new).  Sourced by init.sh in the host and by run-parallel.sh on the build
# machine, which lists merged results in this order.  POSIX sh, busybox too.
vm_pass() {
	case "$1" in
	fuzz_*) echo fuzz ;;
	vmx_hardening|hostile_zlast) echo last ;;
	*) echo first ;;
	esac
}
