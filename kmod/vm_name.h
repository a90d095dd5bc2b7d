/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a VM name may be (uapi/hvx_genl.h): the one rule that hvx.ko
 * enforces in HVX_SET_VM_NAME and the tool checks before it asks.
 * Header-only, like vmbus/ring.h, for the module and userspace alike.
 */
#ifndef HVX_VM_NAME_H
#define HVX_VM_NAME_H

#include "pure.h"
#include "uapi/hvx_genl.h"

/* ASCII only: the kernel's isalnum() takes Latin-1 letters too. */
static inline bool hvx_vm_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* The @len bytes at @name: 1 to HVX_NAME_MAX - 1 name characters. */
static inline bool hvx_vm_name_chars_valid(const char *name, size_t len)
{
	size_t i;

	if (len < 1 || len >= HVX_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!hvx_vm_name_char(name[i]))
			return false;
	return true;
}

/* All digits (and at least one): what tools read as a VM id, never a name. */
static inline bool hvx_vm_name_is_id(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return len > 0;
}

#endif /* HVX_VM_NAME_H */
