#!/bin/sh
# Stands in for run.sh (HVX_EMUHOST_RUNNER) in the orchestration's tests:
# plays one emulated host that runs its tests in init.sh's passes and
# reports on "serial.txt" as init.sh does, in no time.  Usage as run.sh:
#   emuhost_stub.sh OUTDIR test TEST,TEST...
# Each test reports two cases, AREA/TEST.one and AREA/TEST.two.  Set:
#   STUB_FAIL="T..."   these tests report AREA/T.planted as failed
#   STUB_DIE="T"       the host dies (as Bochs would) once T has started
#   STUB_NOBOOT="T"    a host given T never reaches init
# The order it ran its tests in goes to OUTDIR/ran.
set -eu
here=$(cd "$(dirname "$0")/../emuhost" && pwd)
. "$here/passes.sh"
out=$1
tests=$(echo "$3" | tr ',' ' ')
serial=$out/serial.txt
: >"$serial"
: >"$out/ran"
for t in $tests; do
	case " ${STUB_NOBOOT:-} " in *" $t "*)
		echo "Kernel panic - not syncing: stub" >>"$serial"; exit 0 ;;
	esac
done
echo "HVX-BOOTED: 1.00" >>"$serial"
for pass in first last fuzz; do
	for t in $tests; do
		[ "$(vm_pass "$t")" = "$pass" ] || continue
		area=${t%%_*}
		echo "$t" >>"$out/ran"
		echo "HVX-START: $t" >>"$serial"
		echo "HVX-RESULT: ok $area/$t.one" >>"$serial"
		case " ${STUB_DIE:-} " in *" $t "*)
			echo "stub: host died in $t" >>"$serial"; exit 0 ;;
		esac
		case " ${STUB_FAIL:-} " in *" $t "*)
			echo "HVX-RESULT: not ok $area/$t.planted" >>"$serial" ;;
		esac
		echo "HVX-RESULT: ok $area/$t.two" >>"$serial"
		echo "HVX-TIME: $t 1.0" >>"$serial"
	done
done
echo "HVX-DONE" >>"$serial"
