#!/bin/sh
# Builds the debug emulated host's kernel once per machine: Debian's
# linux-source with Debian's config trimmed to the modules the emulated
# host loads (localmodconfig), plus KASAN, KFENCE, lockdep, kmemleak and
# UBSAN (selftests/emuhost/debug-kernel.config).  `make check-debug` runs
# the VM tests under it; nothing else uses it.
#
# Usage: scripts/debug-kernel.sh
# Prints the cache directory on stdout (progress goes to stderr):
#   DIR/vmlinux, DIR/bzImage   the kernel (build-image.sh boots vmlinux by PVH)
#   DIR/modules/               lib/modules/RELEASE of the modules it needs
#   DIR/build/                 the kbuild tree (KDIR) for hvx.ko
# DIR is $HVX_DEBUG_KERNEL_CACHE (/var/cache/hvx) /debug-kernel-VERSION-HASH,
# HASH over Debian's config, the fragment and the module list: outside the
# tree, so that a clean checkout or another clone finds it, and a changed
# fragment builds a new kernel rather than patching an old one.
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
KVER=${KVER:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
cache=${HVX_DEBUG_KERNEL_CACHE:-/var/cache/hvx}
fragment=$TOP/selftests/emuhost/debug-kernel.config
say() { echo "debug-kernel: $*" >&2; }

# The modules the emulated host insmods (build-image.sh, init.sh): the KVM
# peer, TAP and the bridge.  Everything else Debian builds as a module is
# left out; what Debian builds in stays in.
modules="kvm kvm_intel irqbypass tun llc stp bridge"

debconfig=/boot/config-$KVER
[ -f "$debconfig" ] || { say "$debconfig missing (linux-image-amd64)"; exit 1; }
# Debian's package for this kernel series (6.1.0-NN-amd64 -> linux-source-6.1).
series=$(echo "$KVER" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
pkg=linux-source-$series
version=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	version=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
fi
case "$version" in
'' | '(none)') say "no $pkg package"; exit 1 ;;
esac

hash=$( { cat "$debconfig" "$fragment"; echo "$modules"; } | sha256sum | cut -c1-12)
dir=$cache/debug-kernel-$version-$hash
if [ -f "$dir/.done" ]; then
	say "cached: $dir"
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
# The source, once per version: the package holds one tarball of the tree.
src=$cache/src/linux-source-$version
if [ ! -f "$src/.done" ]; then
	say "fetching $pkg $version"
	rm -rf "$src" "$cache/src/deb"
	mkdir -p "$cache/src/deb"
	chmod 755 "$cache/src/deb"	# apt-get download drops to the _apt user
	(cd "$cache/src/deb" && apt-get download -q "$pkg=$version" >/dev/null)
	dpkg-deb -x "$cache/src/deb/${pkg}_"*.deb "$cache/src/deb/x"
	mkdir -p "$src"
	tar -xf "$cache/src/deb/x/usr/src/$pkg.tar.xz" -C "$src" --strip-components=1
	rm -rf "$cache/src/deb"
	touch "$src/.done"
fi

build=$dir/build
mkdir -p "$build"
"$TOP/scripts/deps.sh" debug-kernel >&2

say "configuring in $build"
cp "$debconfig" "$build/.config"
# localmodconfig reads lsmod's format: a header line, then NAME SIZE USED.
lsmod_file=$build/hvx-lsmod
{ echo "Module Size Used by"; for m in $modules; do echo "$m 0 0"; done; } >"$lsmod_file"
# yes '': take the default for any question Debian's config leaves open
# (Kconfig's questions and answers go to config.log).
yes '' | make -s -C "$src" O="$build" LSMOD="$lsmod_file" localmodconfig >"$build/config.log" 2>&1
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$fragment" >>"$build/config.log"
make -s -C "$src" O="$build" olddefconfig >>"$build/config.log" 2>&1
# merge_config.sh only warns when Kconfig drops an option (an unmet
# dependency): a debug kernel without its detectors must not pass silently.
grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while IFS= read -r line; do
	opt=${line%%=*}
	want=${line#*=}
	got=$(grep "^$opt=" "$build/.config" || true)
	case "$want" in
	n)	[ -z "$got" ] ;;
	'""')	[ -z "$got" ] || [ "$got" = "$line" ] ;;
	*)	[ "$got" = "$line" ] ;;
	esac || { say "$opt did not take: ${got:-unset}"; exit 1; }
done

start=$(date +%s)
say "building with $(nproc) jobs, nice 10 (an hour or more on two cores)"
nice -n 10 make -s -C "$src" O="$build" -j"$(nproc)" bzImage modules >&2
rm -rf "$dir/modules.tmp"
make -s -C "$src" O="$build" INSTALL_MOD_PATH="$dir/modules.tmp" modules_install >&2
release=$(cat "$build/include/config/kernel.release")
rm -rf "$dir/modules"
mv "$dir/modules.tmp/lib/modules/$release" "$dir/modules"
rm -rf "$dir/modules.tmp"
cp "$build/vmlinux" "$dir/vmlinux"
cp "$build/arch/x86/boot/bzImage" "$dir/bzImage"
echo "$release" >"$dir/release"
touch "$dir/.done"
say "built $release in $(( ($(date +%s) - start) / 60 )) minutes: $dir"
echo "$dir"
