/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types and errno values for the pure-C parts of hvx (EPT table engine,
 * instruction decoder, guest page walk): the module and the native unit
 * tests compile the same files, with the kernel's headers or libc's.
 */
#ifndef HVX_PURE_H
#define HVX_PURE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
#endif

#endif /* HVX_PURE_H */
