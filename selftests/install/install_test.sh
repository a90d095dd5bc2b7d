#!/bin/sh
# make install, make uninstall, make dkms-install and dkms.conf, natively and
# without changing this machine: everything runs on a copy of the files
# those targets use (Makefile, dkms.conf, dist/, kmod/, user/hvx.h and a
# stand-in user/hvx), and groupadd, getent, udevadm, depmod and dkms are
# stand-ins on PATH that only record how they were called.
# Usage: install_test.sh --results FILE [--kdir DIR] [--log DIR]
# Writes "ok install/NAME" or "not ok install/NAME" lines to FILE.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
results=
kdir=${KDIR:-}
logdir=$BUILD/check/logs/install
while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--log) logdir=$2; shift 2 ;;
	*) echo "install_test.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$results" ] || { echo "usage: $0 --results FILE [--kdir DIR] [--log DIR]" >&2; exit 2; }
MAKE=${MAKE:-make}
# Settings of a make that runs us must not leak into the makes we run.
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR PREFIX BINDIR UDEVRULESDIR \
	INSTALL_MOD_DIR INSTALL_MODULE KVER KDIR

# modinfo lives in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
mkdir -p "$logdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hvx-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

# record NAME LOG: ok when the current test's failure list is empty.
fails=
fail() { fails="$fails
  $*"; }
record() {
	if [ -z "$fails" ]; then
		echo "ok install/$1" >>"$results"
	else
		echo "not ok install/$1" >>"$results"
		status=1
		echo "--- install/$1 failed:$fails"
		if [ -n "${2:-}" ] && [ -f "$2" ]; then
			echo "--- last lines of $2:"
			tail -n 30 "$2"
		fi
		echo "---"
	fi
	fails=
}

version=$(sed -n 's/.*HVX_TOOL_VERSION[[:space:]]*"\(.*\)".*/\1/p' "$TOP/user/hvx.h")
krel=$(sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' "$kdir/include/generated/utsrelease.h" 2>/dev/null)
rule='SUBSYSTEM=="misc", KERNEL=="hvx", GROUP="hvx", MODE="0660"'

# --- the stand-ins ------------------------------------------------------------
fake=$tmp/bin
calls=$tmp/calls
mkdir -p "$fake"
for cmd in groupadd udevadm depmod dkms; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$cmd" "$calls" >"$fake/$cmd"
done
# getent: group hvx exists when $tmp/group-exists does.
printf '#!/bin/sh\necho "getent $*" >>"%s"\n[ -e "%s" ]\n' "$calls" "$tmp/group-exists" \
	>"$fake/getent"
chmod +x "$fake"/*
FAKEPATH=$fake:$PATH

# --- the staged source --------------------------------------------------------
src=$tmp/src
mkdir -p "$src/user"
cp "$TOP/Makefile" "$TOP/dkms.conf" "$src/" && cp -r "$TOP/dist" "$src/" &&
	cp "$TOP/user/hvx.h" "$src/user/" &&
	(cd "$TOP" && find kmod \( -name '*.[chS]' -o -name Kbuild \) ! -name '*.mod.c' \
		-exec install -D -m 0644 {} "$src/{}" \;) ||
	fail "could not copy the source"
printf '#!/bin/sh\necho "hvx stand-in"\n' >"$src/user/hvx"
chmod 0700 "$src/user/hvx"

# --- dkms.conf ----------------------------------------------------------------
# dkms sources dkms.conf with bash, with these variables set.
log=$logdir/dkms-conf.log
dkms_tree=$tmp/dkms
build=$dkms_tree/hvx/$version/build
conf() {
	kernelver=$krel kernel_source_dir=$kdir dkms_tree=$dkms_tree bash -c '
		set -u; . "$1"
		printf "%s\n" "$PACKAGE_NAME" "$PACKAGE_VERSION" "${BUILT_MODULE_NAME[0]}" \
			"${BUILT_MODULE_LOCATION[0]}" "${DEST_MODULE_LOCATION[0]}" \
			"$AUTOINSTALL" "${MAKE[0]}" "$CLEAN"' sh "$TOP/dkms.conf" | sed -n "${1}p"
}
if ! conf 1 >"$log" 2>&1; then
	fail "bash cannot source dkms.conf with set -u"
else
	[ "$(conf 1)" = hvx ] || fail "PACKAGE_NAME is '$(conf 1)', not hvx"
	[ -n "$version" ] || fail "no HVX_TOOL_VERSION in user/hvx.h"
	[ "$(conf 2)" = "$version" ] ||
		fail "PACKAGE_VERSION is '$(conf 2)', HVX_TOOL_VERSION is '$version'"
	[ "$(conf 3)" = hvx ] || fail "BUILT_MODULE_NAME[0] is '$(conf 3)', not hvx"
	loc=$(conf 4)
	case "$loc" in */) ;; *) fail "BUILT_MODULE_LOCATION[0] '$loc' lacks its trailing / (dkms appends the name)" ;; esac
	grep -qs '^obj-m[[:space:]]*+\?=[[:space:]]*hvx\.o' "$TOP/$loc/Kbuild" ||
		fail "BUILT_MODULE_LOCATION[0] '$loc' has no Kbuild building hvx.o"
	case "$(conf 5)" in /*) ;; *) fail "DEST_MODULE_LOCATION[0] '$(conf 5)' is not absolute" ;; esac
	[ "$(conf 6)" = yes ] || fail "AUTOINSTALL is '$(conf 6)', not yes"
	case "$(conf 7)" in
	"make -C $kdir M=$build/${loc%/} modules") ;;
	*) fail "MAKE[0] is '$(conf 7)'" ;;
	esac
fi
record dkms-conf "$log"

# --- make dkms-install DESTDIR= copies the source and runs no dkms -----------
log=$logdir/dkms-install.log
: >"$calls"
if ! PATH=$FAKEPATH $MAKE -C "$src" dkms-install DESTDIR="$tmp/dkmsroot" >"$log" 2>&1; then
	fail "make dkms-install DESTDIR=... failed"
fi
dsrc=$tmp/dkmsroot/usr/src/hvx-$version
[ -f "$dsrc/dkms.conf" ] || fail "no $dsrc/dkms.conf"
[ -f "$dsrc/kmod/Kbuild" ] || fail "no $dsrc/kmod/Kbuild"
[ -z "$(find "$dsrc" -name '*.o' -o -name '*.ko' -o -name '*.cmd')" ] ||
	fail "build products were copied"
for f in $(cd "$src" && find kmod -type f); do
	cmp -s "$src/$f" "$dsrc/$f" || fail "$f not copied"
done
[ -s "$calls" ] && fail "with DESTDIR it ran: $(cat "$calls")"
record dkms-install-destdir "$log"

# make dkms-install with no DESTDIR: dkms add, build and install.
log=$logdir/dkms-install-root.log
: >"$calls"
mkdir -p "$tmp/usr-src"
# DKMS_SRC is the Makefile's name for /usr/src/hvx-VERSION, moved here.
if ! PATH=$FAKEPATH $MAKE -C "$src" dkms-install DKMS_SRC="$tmp/usr-src/hvx-$version" >"$log" 2>&1; then
	fail "make dkms-install failed"
fi
want="dkms status -m hvx -v $version
dkms add -m hvx -v $version
dkms build -m hvx -v $version
dkms install -m hvx -v $version"
[ "$(grep -v '^getent' "$calls")" = "$want" ] || fail "dkms calls were: $(cat "$calls")"
[ -f "$tmp/usr-src/hvx-$version/kmod/Kbuild" ] || fail "source not copied"
record dkms-install "$log"

# --- make install refuses an unbuilt or mismatched module ---------------------
log=$logdir/refuse.log
if PATH=$FAKEPATH $MAKE -C "$src" install DESTDIR="$tmp/r0" KDIR="$kdir" >"$log" 2>&1; then
	fail "make install passed with kmod/hvx.ko not built"
fi
grep -q 'kmod/hvx.ko is not built' "$log" || fail "no 'kmod/hvx.ko is not built' message"
[ -e "$tmp/r0" ] && fail "it installed something: $(find "$tmp/r0" -type f)"
if PATH=$FAKEPATH $MAKE -C "$src" install DESTDIR="$tmp/r0" KDIR="$tmp/no-such-kdir" >>"$log" 2>&1; then
	fail "make install passed with no kernel build tree"
fi
grep -q 'no kernel build tree' "$log" || fail "no 'no kernel build tree' message"
record install-refuses-unbuilt "$log"

# --- the DKMS build, as dkms runs it ------------------------------------------
# dkms copies the source to its build directory, runs CLEAN, then MAKE[0]
# with "make" turned into "make -jN KERNELRELEASE=$kernelver", and looks
# for BUILT_MODULE_LOCATION BUILT_MODULE_NAME .ko.
log=$logdir/dkms-build.log
mkdir -p "$(dirname "$build")"
cp -r "$dsrc" "$build"
if [ -z "$krel" ]; then
	fail "no kernel build tree at '$kdir'"
else
	clean=$(conf 8)
	make0=$(conf 7 | sed "s/^make /make -j$(nproc) KERNELRELEASE=$krel /")
	start=$(date +%s)
	(cd "$build" && eval "$clean" && eval "$make0") >"$log" 2>&1 ||
		fail "MAKE[0] failed"
	echo "# took $(( $(date +%s) - start )) s" >>"$log"
	ko=$build/$(conf 4)hvx.ko
	[ -f "$ko" ] || fail "no $ko"
	grep -q 'warning:' "$log" && fail "warnings"
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	[ "$vm" = "$krel" ] || fail "hvx.ko is for '$vm', not '$krel'"
fi
record dkms-build "$log"

# --- make install DESTDIR=... / make uninstall DESTDIR=... ----------------------
# On the DKMS build directory, where kmod/hvx.ko was just built with
# M=.../kmod as `make install` wants it.
cp -r "$src/Makefile" "$src/dist" "$src/user" "$build/"
log=$logdir/install-destdir.log
dest=$tmp/root
: >"$calls"
PATH=$FAKEPATH $MAKE -C "$build" install DESTDIR="$dest" PREFIX=/usr KDIR="$kdir" >"$log" 2>&1 ||
	fail "make install DESTDIR=... failed"
[ -x "$dest/usr/bin/hvx" ] || fail "no executable $dest/usr/bin/hvx"
[ "$(stat -c %a "$dest/usr/bin/hvx" 2>/dev/null)" = 755 ] || fail "bin/hvx is not mode 755"
cmp -s "$dest/usr/bin/hvx" "$src/user/hvx" || fail "bin/hvx is not user/hvx"
r=$dest/etc/udev/rules.d/60-hvx.rules
cmp -s "$r" "$TOP/dist/udev/60-hvx.rules" || fail "no $r, or not dist/udev/60-hvx.rules"
[ "$(grep -v '^#' "$r" 2>/dev/null | grep -v '^$')" = "$rule" ] || fail "the rule is not: $rule"
ko=$dest/lib/modules/$krel/extra/hvx.ko
[ -f "$ko" ] || fail "no $ko"
[ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$krel" ] || fail "$ko is not for $krel"
[ -e "$dest/lib/modules/$krel/modules.dep" ] && fail "depmod ran on DESTDIR"
[ -s "$calls" ] && fail "with DESTDIR it ran: $(cat "$calls")"
grep -q 'SSL error' "$log" && fail "kbuild tried to sign with a key the headers do not have"
record install-destdir "$log"

log=$logdir/uninstall-destdir.log
: >"$calls"
PATH=$FAKEPATH $MAKE -C "$build" uninstall DESTDIR="$dest" PREFIX=/usr >"$log" 2>&1 ||
	fail "make uninstall DESTDIR=... failed"
left=$(find "$dest" -type f)
[ -z "$left" ] && [ -d "$dest" ] || fail "left behind: $left"
[ -s "$calls" ] && fail "with DESTDIR it ran: $(cat "$calls")"
record uninstall-destdir "$log"

# A module built for another kernel is refused.
log=$logdir/refuse-mismatch.log
other=$tmp/other-kdir
mkdir -p "$other/include/generated"
echo '#define UTS_RELEASE "0.0.0-not-this-one"' >"$other/include/generated/utsrelease.h"
if PATH=$FAKEPATH $MAKE -C "$build" install DESTDIR="$tmp/r1" KDIR="$other" >"$log" 2>&1; then
	fail "make install passed with hvx.ko built for another kernel"
fi
grep -q "was built for $krel, not 0.0.0-not-this-one" "$log" || fail "no 'was built for' message"
record install-refuses-mismatch "$log"

# --- make install with no DESTDIR: group, udev, depmod -------------------------
# As root on a real host, but with every directory moved under $tmp and
# the module part off (it would write to /lib/modules).
log=$logdir/install-root.log
p=$tmp/sys
: >"$calls"
rm -f "$tmp/group-exists"
PATH=$FAKEPATH $MAKE -C "$build" install PREFIX="$p/usr/local" UDEVRULESDIR="$p/etc/udev/rules.d" \
	INSTALL_MODULE=0 >"$log" 2>&1 || fail "make install failed"
[ -x "$p/usr/local/bin/hvx" ] || fail "no $p/usr/local/bin/hvx"
[ -f "$p/etc/udev/rules.d/60-hvx.rules" ] || fail "no rule"
want="getent group hvx
groupadd --system hvx
udevadm control --reload-rules
udevadm trigger --subsystem-match=misc --sysname-match=hvx"
[ "$(cat "$calls")" = "$want" ] || fail "calls were: $(cat "$calls") (want: $want)"
# Once the group exists it is left alone.
: >"$calls"
touch "$tmp/group-exists"
PATH=$FAKEPATH $MAKE -C "$build" install PREFIX="$p/usr/local" UDEVRULESDIR="$p/etc/udev/rules.d" \
	INSTALL_MODULE=0 >>"$log" 2>&1 || fail "make install (group exists) failed"
grep -q groupadd "$calls" && fail "groupadd ran with the group there"
: >"$calls"
PATH=$FAKEPATH $MAKE -C "$build" uninstall PREFIX="$p/usr/local" UDEVRULESDIR="$p/etc/udev/rules.d" \
	INSTALL_MODULE=0 >>"$log" 2>&1 || fail "make uninstall failed"
left=$(find "$p" -type f)
[ -z "$left" ] || fail "left behind: $left"
grep -q 'udevadm control --reload-rules' "$calls" || fail "uninstall did not reload udev rules"
record install-root "$log"

# --- CLEAN, as dkms runs it before and after a build -----------------------------
log=$logdir/dkms-clean.log
if [ -n "$krel" ]; then
	(cd "$build" && eval "$(conf 8)") >"$log" 2>&1 || fail "CLEAN failed"
	[ -e "$build/$(conf 4)hvx.ko" ] && fail "CLEAN left hvx.ko"
else
	fail "no kernel build tree at '$kdir'"
fi
record dkms-clean "$log"

exit $status
