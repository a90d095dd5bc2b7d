/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types, errno values and memory-ordering primitives for the pure-C parts
 * of hvx (EPT table engine, instruction decoder, guest page walk, channel
 * ring): the module, the guest drivers and the native tests compile the
 * same files, with the kernel's headers or libc's.
 */
#ifndef HVX_PURE_H
#define HVX_PURE_H

#ifdef __KERNEL__
#include <asm/barrier.h>
#include <linux/compiler.h>
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

/* The kernel's names, with the C11 orderings they stand for. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
/* Later loads and stores stay after it. */
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
/* Earlier loads and stores stay before it. */
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Nothing crosses it, stores to later loads included (MFENCE on x86). */
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#endif /* HVX_PURE_H */
