/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture "apic" runs each of its tests twice: with the guest's local
 * APIC virtualized by the CPU (hvx.ko's default where the CPU can), and
 * emulated, every access an exit (apicv=0, the path of CPUs without APIC
 * virtualization).  Include once, after vm_harness.h.
 */
#ifndef HVX_SELFTESTS_APIC_VARIANTS_H
#define HVX_SELFTESTS_APIC_VARIANTS_H

#include <errno.h>

#include "vm_harness.h"
#include "vm.h"

FIXTURE(apic) {
	int apicv_before;
};

FIXTURE_VARIANT(apic) {
	int virtualized;
};

FIXTURE_VARIANT_ADD(apic, virtualized) {
	.virtualized = 1,
};

FIXTURE_VARIANT_ADD(apic, emulated) {
	.virtualized = 0,
};

FIXTURE_SETUP(apic)
{
	self->apicv_before = vm_hvx_set_apicv(variant->virtualized);
	if (self->apicv_before < 0 && errno == ENODEV)
		SKIP(return, "this CPU cannot virtualize the APIC");
	ASSERT_LE(0, self->apicv_before);
}

FIXTURE_TEARDOWN(apic)
{
	vm_hvx_set_apicv(self->apicv_before);
}

#endif
