/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness for the VM tests.  They run in the emulated host,
 * where a second is 50 million emulated instructions (Bochs's TSC rate, see
 * selftests/emuhost/run.sh): the harness's 30-second default per test is
 * too tight for the tests that run many guests or KVM beside hvx there.
 */
#ifndef HVX_VM_HARNESS_H
#define HVX_VM_HARNESS_H

#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#endif
