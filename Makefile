# SPDX-License-Identifier: GPL-2.0
#
# hvx top-level Makefile.
#
#   make             hvx.ko, the hvx tool and the test programs
#   make check       every test: unit, build, style, VM tests; last line
#                    "N passed, N failed"
#   make check-unit  native unit tests only (seconds)
#   make check-vm    VM tests only, in one emulated VT-x host per core;
#                    TESTS="a b" runs just those (names in selftests/vm)
#   make check-debug the VM tests (TESTS= too) under a debug kernel with
#                    KASAN, KFENCE, lockdep and kmemleak, built from
#                    Debian's linux-source once per machine (an hour or
#                    more) and cached in /var/cache/hvx; not in make check
#   make vm-durations  rewrites selftests/vm/durations, by which the VM
#                    tests are shared out among the hosts, from the last
#                    VM run (make check never rewrites it)
#   make bench       benchmarks in the emulated host, hvx against KVM
#   make fuzz        the libFuzzer targets, 60 s each (make check runs 10 s),
#                    then the ioctl fuzzer in the emulated host for 600 s
#                    (HVX_FUZZ_SECONDS, HVX_FUZZ_SEED; make check runs it
#                    60 s with a fixed seed, as the last VM test)
#   make demo        boots the emulated host and shows an hvx guest
#   make install     the tool, the udev rule, the hvx group and hvx.ko for
#                    the running kernel (make uninstall takes them away)
#   make dkms-install  hvx.ko through DKMS instead (dkms-uninstall)
#
# Every target but the install targets installs the Debian packages it
# needs (scripts/deps.sh).

TOP     := $(CURDIR)
BUILD   := $(TOP)/build

# Build against Debian's linux-headers-amd64 tree (never `uname -r`: the
# machine may run another kernel).  The emulated host boots the matching
# linux-image-amd64.
KVER    ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
		sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR    ?= /usr/src/linux-headers-$(KVER)

export TOP BUILD KVER KDIR

.PHONY: all deps module user selftests check check-unit check-build \
	check-style check-vm check-debug check-install vm-durations bench demo fuzz clean \
	install install-tool install-udev install-module uninstall \
	dkms-install dkms-uninstall

all: module user selftests

deps:
	@scripts/deps.sh build unit

$(BUILD)/linux-source/.linux-source-tools.done: scripts/linux-source-tools.sh
	@scripts/linux-source-tools.sh $(BUILD)/linux-source

module: deps
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

user: deps
	$(MAKE) -C user

selftests: deps $(BUILD)/linux-source/.linux-source-tools.done
	$(MAKE) -C selftests

check: deps $(BUILD)/linux-source/.linux-source-tools.done
	@scripts/check.sh all

check-unit: deps $(BUILD)/linux-source/.linux-source-tools.done
	@scripts/check.sh unit

check-build: deps
	@scripts/check.sh build

check-style: deps $(BUILD)/linux-source/.linux-source-tools.done
	@scripts/check.sh style

check-vm: deps $(BUILD)/linux-source/.linux-source-tools.done
	@HVX_VM_TESTS="$(TESTS)" scripts/check.sh vm

check-debug: deps $(BUILD)/linux-source/.linux-source-tools.done
	@HVX_VM_TESTS="$(TESTS)" scripts/check.sh debug

vm-durations:
	@scripts/vm-durations.sh

check-install: deps
	@scripts/check.sh install

fuzz: deps
	@scripts/fuzz.sh

bench: deps $(BUILD)/linux-source/.linux-source-tools.done
	@scripts/bench.sh

demo: deps
	@scripts/demo.sh

# --- installation on a real host (README: "On a real VT-x host") -----------
# make install installs what make built and builds nothing itself, so that
# `sudo make install` leaves no root-owned files in the tree:
#   user/hvx                  -> $(DESTDIR)$(BINDIR)/hvx
#   dist/udev/60-hvx.rules    -> $(DESTDIR)$(UDEVRULESDIR)/ (/dev/hvx 0660,
#                                group hvx)
#   kmod/hvx.ko               -> $(DESTDIR)/lib/modules/KREL/$(INSTALL_MOD_DIR)/
#                                through kbuild's modules_install; KREL is the
#                                release of INSTALL_KDIR, which must be the
#                                kernel kmod/hvx.ko was built for
# Only without DESTDIR (a real install, as root): the system group hvx is
# created if missing, udev reloads its rules and applies them to a /dev/hvx
# that exists, and depmod runs.  With DESTDIR (staging, packaging) nothing
# outside DESTDIR changes and root is not needed; the package's scripts
# create the group.  INSTALL_MODULE=0 installs without hvx.ko (for DKMS,
# or a staged install with no kernel headers).
#
# The rule goes to /etc/udev/rules.d: it is the administrator's directory,
# as /usr/local is for the tool; distribution packages would use
# UDEVRULESDIR=/usr/lib/udev/rules.d instead.
PREFIX          ?= /usr/local
BINDIR          ?= $(PREFIX)/bin
UDEVRULESDIR    ?= /etc/udev/rules.d
INSTALL_MOD_DIR ?= extra
INSTALL_MODULE  ?= 1
HVX_VERSION     := $(shell sed -n 's/.*HVX_TOOL_VERSION[[:space:]]*"\(.*\)".*/\1/p' \
			$(TOP)/user/hvx.h)

# make and make check build against Debian's newest headers (above); the
# module is installed for the running kernel unless KDIR or KVER was given.
ifeq ($(origin KDIR)$(origin KVER),filefile)
INSTALL_KDIR    := /lib/modules/$(shell uname -r)/build
else
INSTALL_KDIR    := $(KDIR)
endif
INSTALL_KREL     = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' \
			$(INSTALL_KDIR)/include/generated/utsrelease.h 2>/dev/null)

install: install-module install-tool install-udev

install-tool:
	@test -x user/hvx || { echo "make install: user/hvx is not built; run make first" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 user/hvx $(DESTDIR)$(BINDIR)/hvx

# The group exists before udev reads the rule, or udev ignores GROUP.
install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 dist/udev/60-hvx.rules $(DESTDIR)$(UDEVRULESDIR)/60-hvx.rules
ifeq ($(DESTDIR),)
	@if ! getent group hvx >/dev/null; then \
		echo "groupadd --system hvx"; groupadd --system hvx; fi
	@$(udev_reload)
endif

# depmod is ours to run (kbuild's skips itself when the headers have no
# System.map, as Debian's do, and would run on DESTDIR otherwise).
# Debian's headers set CONFIG_MODULE_SIG_ALL but ship no signing key:
# kbuild's attempt to sign (which it lets fail for external modules) would
# only print SSL errors, so it is skipped when the key is missing.
install-module:
ifneq ($(INSTALL_MODULE),0)
	@test -f $(INSTALL_KDIR)/include/generated/utsrelease.h || { \
		echo "make install: no kernel build tree at $(INSTALL_KDIR)" >&2; \
		echo "  (for the running kernel: apt install linux-headers-$$(uname -r); or give KDIR=DIR, or INSTALL_MODULE=0 to install without hvx.ko)" >&2; \
		exit 1; }
	@built=$$(PATH=$$PATH:/usr/sbin:/sbin modinfo -F vermagic kmod/hvx.ko 2>/dev/null | \
		cut -d' ' -f1); \
	if [ -z "$$built" ] || [ ! -f kmod/modules.order ]; then \
		echo "make install: kmod/hvx.ko is not built; run make KDIR=$(INSTALL_KDIR) first" >&2; exit 1; \
	elif [ "$$built" != "$(INSTALL_KREL)" ]; then \
		echo "make install: kmod/hvx.ko was built for $$built, not $(INSTALL_KREL); run make KDIR=$(INSTALL_KDIR) first" >&2; exit 1; \
	fi
	@key=$$(sed -n 's/^CONFIG_MODULE_SIG_KEY=//p' $(INSTALL_KDIR)/include/config/auto.conf | tr -d '"'); \
	nosign=; \
	case "$$key" in \
	""|pkcs11:*) ;; \
	/*) [ -f "$$key" ] || nosign=CONFIG_MODULE_SIG_ALL= ;; \
	*) [ -f "$(INSTALL_KDIR)/$$key" ] || nosign=CONFIG_MODULE_SIG_ALL= ;; \
	esac; \
	set -- $(MAKE) -C $(INSTALL_KDIR) M=$(TOP)/kmod INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) DEPMOD=true $$nosign modules_install; \
	echo "$$@"; "$$@"
	@ls $(DESTDIR)/lib/modules/$(INSTALL_KREL)/$(INSTALL_MOD_DIR)/hvx.ko* >/dev/null
ifeq ($(DESTDIR),)
	depmod -a $(INSTALL_KREL)
endif
endif

# Takes hvx.ko out of every kernel's $(INSTALL_MOD_DIR); leaves the group
# (groupdel hvx, once nobody needs it) and DKMS's hvx.ko (dkms-uninstall).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hvx $(DESTDIR)$(UDEVRULESDIR)/60-hvx.rules
ifneq ($(INSTALL_MODULE),0)
	@for ko in $(DESTDIR)/lib/modules/*/$(INSTALL_MOD_DIR)/hvx.ko*; do \
		[ -e "$$ko" ] || continue; \
		echo "rm -f $$ko"; rm -f "$$ko"; \
		krel=$${ko#$(DESTDIR)/lib/modules/}; krel=$${krel%%/*}; \
		if [ -z "$(DESTDIR)" ]; then echo "depmod -a $$krel"; depmod -a "$$krel"; fi; \
	done
endif
ifeq ($(DESTDIR),)
	@$(udev_reload)
endif

udev_reload = if command -v udevadm >/dev/null; then \
		echo "udevadm control --reload-rules"; \
		udevadm control --reload-rules && \
		udevadm trigger --subsystem-match=misc --sysname-match=hvx || \
		echo "make: udevadm could not reload the rules; they apply from the next boot" >&2; \
	fi

# DKMS: the source DKMS needs (dkms.conf and kmod/, no build products) goes
# to $(DESTDIR)/usr/src/hvx-$(HVX_VERSION); without DESTDIR, dkms then adds,
# builds and installs it for the running kernel (an earlier add of the same
# version is removed first), and rebuilds it for every kernel installed later.
DKMS_SRC = $(DESTDIR)/usr/src/hvx-$(HVX_VERSION)

dkms-install:
ifeq ($(DESTDIR),)
	@command -v dkms >/dev/null || { echo "make dkms-install: no dkms (apt install dkms)" >&2; exit 1; }
	@if dkms status -m hvx -v $(HVX_VERSION) | grep -q .; then \
		echo "dkms remove -m hvx -v $(HVX_VERSION) --all"; dkms remove -m hvx -v $(HVX_VERSION) --all; fi
endif
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	install -m 0644 dkms.conf $(DKMS_SRC)/dkms.conf
	find kmod \( -name '*.[chS]' -o -name Kbuild \) ! -name '*.mod.c' \
		-exec install -D -m 0644 {} $(DKMS_SRC)/{} \;
ifeq ($(DESTDIR),)
	dkms add -m hvx -v $(HVX_VERSION)
	dkms build -m hvx -v $(HVX_VERSION)
	dkms install -m hvx -v $(HVX_VERSION)
endif

dkms-uninstall:
ifeq ($(DESTDIR),)
	@if command -v dkms >/dev/null && dkms status -m hvx -v $(HVX_VERSION) | grep -q .; then \
		echo "dkms remove -m hvx -v $(HVX_VERSION) --all"; dkms remove -m hvx -v $(HVX_VERSION) --all; fi
endif
	rm -rf $(DKMS_SRC)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	-$(MAKE) -C user clean
	-$(MAKE) -C selftests clean
	rm -rf $(BUILD)
