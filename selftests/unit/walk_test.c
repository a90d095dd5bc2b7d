// SPDX-License-Identifier: GPL-2.0
/* The guest page-table walk over page tables built in a buffer. */
#include <string.h>

#include "kselftest_harness.h"
#include "emulate/emulate.h"

#define MEM_SIZE	(1 << 20)

static u8 guest[MEM_SIZE];

static int read_pte(void *ctx, u64 gpa, unsigned int size, u64 *pte)
{
	if (gpa + size > MEM_SIZE)
		return -1;
	*pte = 0;
	memcpy(pte, guest + gpa, size);
	return 0;
}

static void put64(u64 gpa, u64 v) { memcpy(guest + gpa, &v, 8); }
static void put32(u64 gpa, u32 v) { memcpy(guest + gpa, &v, 4); }

#define CR0_PE_PG	0x80000001ULL
#define CR0_WP		(1ULL << 16)
#define PAE		(1ULL << 5)
#define PSE		(1ULL << 4)
#define LMA		((1ULL << 10) | (1ULL << 8))
#define NXE		(1ULL << 11)

TEST(no_paging_is_identity)
{
	struct hvx_walk_regs r = { .cr0 = 1 };
	u64 gpa;

	ASSERT_EQ(0, hvx_guest_walk(&r, 0x12345678, 0, read_pte, NULL, &gpa));
	EXPECT_EQ(0x12345678, gpa);
}

TEST(four_level)
{
	struct hvx_walk_regs r = { .cr0 = CR0_PE_PG | CR0_WP, .cr3 = 0x1000,
				   .cr4 = PAE, .efer = LMA | NXE };
	u64 gla = 0x00007f1234567abcULL, gpa;

	memset(guest, 0, sizeof(guest));
	put64(0x1000 + ((gla >> 39) & 511) * 8, 0x2000 | 7);
	put64(0x2000 + ((gla >> 30) & 511) * 8, 0x3000 | 7);
	put64(0x3000 + ((gla >> 21) & 511) * 8, 0x4000 | 7);
	put64(0x4000 + ((gla >> 12) & 511) * 8, 0x9000 | 5 | (1ULL << 63));
	ASSERT_EQ(0, hvx_guest_walk(&r, gla, 0, read_pte, NULL, &gpa));
	EXPECT_EQ(0x9abcULL, gpa);
	/* Read-only page: writes fail with CR0.WP, fetches fail with NX. */
	EXPECT_EQ(-1, hvx_guest_walk(&r, gla, HVX_WALK_WRITE, read_pte, NULL, &gpa));
	EXPECT_EQ(-1, hvx_guest_walk(&r, gla, HVX_WALK_FETCH, read_pte, NULL, &gpa));
	r.cr0 &= ~CR0_WP;
	EXPECT_EQ(0, hvx_guest_walk(&r, gla, HVX_WALK_WRITE, read_pte, NULL, &gpa));
	EXPECT_EQ(-1, hvx_guest_walk(&r, gla, HVX_WALK_WRITE | HVX_WALK_USER,
				     read_pte, NULL, &gpa));
	/* Not present. */
	EXPECT_EQ(-1, hvx_guest_walk(&r, gla + 0x1000, 0, read_pte, NULL, &gpa));
}

TEST(large_pages_64)
{
	struct hvx_walk_regs r = { .cr0 = CR0_PE_PG, .cr3 = 0x1000, .cr4 = PAE, .efer = LMA };
	u64 gpa;

	memset(guest, 0, sizeof(guest));
	put64(0x1000, 0x2000 | 3);
	put64(0x2000, 0x40000000ULL | 0x83);		/* 1 GiB at 0 */
	put64(0x2008, 0x3000 | 3);
	put64(0x3000 + 5 * 8, 0x00a00000ULL | 0x83);	/* 2 MiB */
	ASSERT_EQ(0, hvx_guest_walk(&r, 0x12345678, 0, read_pte, NULL, &gpa));
	EXPECT_EQ(0x40000000ULL + 0x12345678, gpa);
	ASSERT_EQ(0, hvx_guest_walk(&r, 0x40000000ULL + 5 * 0x200000 + 0x1234, 0,
				    read_pte, NULL, &gpa));
	EXPECT_EQ(0x00a01234ULL, gpa);
	/* PS in the PML4 is reserved. */
	put64(0x1000, 0x2000 | 0x83);
	EXPECT_EQ(-1, hvx_guest_walk(&r, 0x1000, 0, read_pte, NULL, &gpa));
}

TEST(pae_and_32bit)
{
	struct hvx_walk_regs pae = { .cr0 = CR0_PE_PG, .cr3 = 0x1000, .cr4 = PAE };
	struct hvx_walk_regs flat = { .cr0 = CR0_PE_PG, .cr3 = 0x5000, .cr4 = PSE };
	u64 gpa;

	memset(guest, 0, sizeof(guest));
	put64(0x1000 + 3 * 8, 0x2000 | 1);			/* PDPTE 3 */
	put64(0x2000 + 2 * 8, 0x3000 | 3);
	put64(0x3000 + 1 * 8, 0x7000 | 3);
	ASSERT_EQ(0, hvx_guest_walk(&pae, 0xc0401123, 0, read_pte, NULL, &gpa));
	EXPECT_EQ(0x7123ULL, gpa);

	put32(0x5000 + 0x300 * 4, 0x6000 | 3);
	put32(0x6000 + 0x001 * 4, 0x8000 | 3);
	put32(0x5000 + 0x001 * 4, 0x00c00000 | 0x83);	/* 4 MiB page */
	ASSERT_EQ(0, hvx_guest_walk(&flat, 0xc0001456, 0, read_pte, NULL, &gpa));
	EXPECT_EQ(0x8456ULL, gpa);
	ASSERT_EQ(0, hvx_guest_walk(&flat, 0x00412345, 0, read_pte, NULL, &gpa));
	EXPECT_EQ(0x00c12345ULL, gpa);
	/* Without CR4.PSE the same entry points to a page table. */
	flat.cr4 = 0;
	EXPECT_EQ(-1, hvx_guest_walk(&flat, 0x00412345, 0, read_pte, NULL, &gpa));
}

TEST(unreadable_table)
{
	struct hvx_walk_regs r = { .cr0 = CR0_PE_PG, .cr3 = 0x7ffff000, .cr4 = PAE, .efer = LMA };
	u64 gpa;

	EXPECT_EQ(-1, hvx_guest_walk(&r, 0, 0, read_pte, NULL, &gpa));
}

TEST_HARNESS_MAIN
