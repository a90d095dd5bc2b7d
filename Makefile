# SPDX-License-Identifier: GPL-2.0
#
# hvx top-level Makefile.
#
#   make             hvx.ko, the hvx tool and the test programs
#   make check       every test: unit, build, style, VM tests; last line
#                    "N passed, N failed"
#   make check-unit  native unit tests only (seconds)
#   make check-vm    VM tests only (boots the emulated VT-x host once)
#   make bench       benchmarks in the emulated host, hvx against KVM
#   make fuzz        the libFuzzer targets, 60 s each (make check runs 10 s)
#   make demo        boots the emulated host and shows an hvx guest
#
# Every target installs the Debian packages it needs (scripts/deps.sh).

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
	check-style check-vm bench demo fuzz clean

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
	@scripts/check.sh vm

fuzz: deps
	@scripts/fuzz.sh

bench: deps $(BUILD)/linux-source/.linux-source-tools.done
	@scripts/bench.sh

demo: deps
	@scripts/demo.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	-$(MAKE) -C user clean
	-$(MAKE) -C selftests clean
	rm -rf $(BUILD)
