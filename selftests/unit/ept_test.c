// SPDX-License-Identifier: GPL-2.0
/* The EPT table engine with fake physical memory. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ept/ept_format.h"

/* Table pages live in a pool; "physical" addresses are pool offsets + base. */
#define POOL_PAGES	64
#define PHYS_BASE	0x40000000ULL

struct pool {
	u8 *mem;
	bool used[POOL_PAGES];
	unsigned int live;
};

static void *pool_alloc(void *ctx, u64 *phys)
{
	struct pool *p = ctx;
	unsigned int i;

	for (i = 0; i < POOL_PAGES; i++) {
		if (!p->used[i]) {
			p->used[i] = true;
			p->live++;
			memset(p->mem + i * 4096, 0, 4096);
			*phys = PHYS_BASE + i * 4096;
			return p->mem + i * 4096;
		}
	}
	return NULL;
}

static void pool_free(void *ctx, void *table)
{
	struct pool *p = ctx;

	p->used[((u8 *)table - p->mem) / 4096] = false;
	p->live--;
}

static void *pool_virt(void *ctx, u64 phys)
{
	return ((struct pool *)ctx)->mem + (phys - PHYS_BASE);
}

static const struct hvx_pt_mem_ops pool_ops = { pool_alloc, pool_free, pool_virt };

struct leaves {
	unsigned int count;
	u64 phys_sum;
};

static void count_leaf(void *arg, u64 phys, unsigned int level, unsigned int prot)
{
	struct leaves *l = arg;

	l->count++;
	l->phys_sum += phys;
}

FIXTURE(pt) {
	struct pool pool;
	struct hvx_pt pt;
};

FIXTURE_SETUP(pt)
{
	self->pool.mem = aligned_alloc(4096, POOL_PAGES * 4096);
	ASSERT_NE(NULL, self->pool.mem);
	memset(self->pool.used, 0, sizeof(self->pool.used));
	self->pool.live = 0;
	ASSERT_EQ(0, hvx_pt_init(&self->pt, &pool_ops, &hvx_ept_format, &self->pool));
}

FIXTURE_TEARDOWN(pt)
{
	hvx_pt_destroy(&self->pt, NULL, NULL);
	free(self->pool.mem);
}

TEST_F(pt, map_lookup_4k)
{
	unsigned int level = 0;
	u64 e;

	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x12345000, 0xabcd000, 1,
				HVX_PT_READ | HVX_PT_WRITE | HVX_PT_EXEC));
	e = hvx_pt_lookup(&self->pt, 0x12345fff, &level);
	EXPECT_EQ(1, level);
	EXPECT_EQ(0xabcd000ULL, e & EPT_ADDR_MASK);
	EXPECT_EQ(EPT_READ | EPT_WRITE | EPT_EXEC, e & 7);
	EXPECT_EQ(EPT_MT_WB, e & (7 << 3));
	EXPECT_EQ(0, hvx_pt_lookup(&self->pt, 0x12346000, NULL));
	/* Root + PDPT + PD + PT. */
	EXPECT_EQ(4, self->pool.live);
}

TEST_F(pt, read_only_leaf)
{
	u64 e;

	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x1000, 0x2000, 1, HVX_PT_READ | HVX_PT_EXEC));
	e = hvx_pt_lookup(&self->pt, 0x1000, NULL);
	EXPECT_EQ(EPT_READ | EPT_EXEC, e & 7);
}

TEST_F(pt, large_leaf_and_conflicts)
{
	unsigned int level = 0;

	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x200000, 0x40000000, 2, HVX_PT_READ));
	EXPECT_EQ(0x40000000ULL | 0x12345, (hvx_pt_lookup(&self->pt, 0x212345, &level) &
					   EPT_ADDR_MASK) | 0x12345);
	EXPECT_EQ(2, level);
	EXPECT_NE(0, hvx_pt_lookup(&self->pt, 0x212345, NULL) & EPT_LARGE);
	/* Nothing may be mapped inside or over it. */
	EXPECT_EQ(-EEXIST, hvx_pt_map(&self->pt, 0x201000, 0x1000, 1, HVX_PT_READ));
	EXPECT_EQ(-EEXIST, hvx_pt_map(&self->pt, 0x200000, 0x200000, 2, HVX_PT_READ));
	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x400000, 0x1000, 1, HVX_PT_READ));
	EXPECT_EQ(-EEXIST, hvx_pt_map(&self->pt, 0x400000, 0x200000, 2, HVX_PT_READ));
}

TEST_F(pt, block_empty_before_a_large_leaf)
{
	EXPECT_TRUE(hvx_pt_block_empty(&self->pt, 0x600000, 2));
	EXPECT_TRUE(hvx_pt_block_empty(&self->pt, 0x7fffffffffffULL, 2));
	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x7ff000, 0x1000, 1, HVX_PT_READ));
	/* One 4 KiB page anywhere in the block fills it. */
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 0x600000, 2));
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 0x7ff000, 1));
	EXPECT_TRUE(hvx_pt_block_empty(&self->pt, 0x7fe000, 1));
	EXPECT_TRUE(hvx_pt_block_empty(&self->pt, 0x800000, 2));
	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x800000, 0x40000000, 2, HVX_PT_READ));
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 0x9ff000, 2));
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 0x9ff000, 1));
	/* Out of range or a level the walk does not have. */
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 1ULL << 48, 2));
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 0, 0));
	EXPECT_FALSE(hvx_pt_block_empty(&self->pt, 0, 5));
}

TEST_F(pt, bad_arguments)
{
	EXPECT_EQ(-EINVAL, hvx_pt_map(&self->pt, 0x1001, 0x1000, 1, HVX_PT_READ));
	EXPECT_EQ(-EINVAL, hvx_pt_map(&self->pt, 0x1000, 0x1800, 1, HVX_PT_READ));
	EXPECT_EQ(-EINVAL, hvx_pt_map(&self->pt, 0x201000, 0x200000, 2, HVX_PT_READ));
	EXPECT_EQ(-EINVAL, hvx_pt_map(&self->pt, 1ULL << 48, 0x1000, 1, HVX_PT_READ));
	EXPECT_EQ(-EINVAL, hvx_pt_map(&self->pt, 0x1000, 0x1000, 3, HVX_PT_READ));
	EXPECT_EQ(-EINVAL, hvx_pt_map(&self->pt, 0x1000, 0x1000, 1, 0));
	EXPECT_EQ(0, hvx_pt_lookup(&self->pt, ~0ULL, NULL));
}

TEST_F(pt, unmap_range_calls_back)
{
	struct leaves l = { 0 };
	u64 a;

	for (a = 0; a < 16 * 4096; a += 4096)
		ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x100000 + a, 0x800000 + a, 1, HVX_PT_READ));
	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x600000, 0xa00000, 2, HVX_PT_READ));
	/* Pages 4..7 only. */
	EXPECT_EQ(4, hvx_pt_unmap(&self->pt, 0x104000, 4 * 4096, count_leaf, &l));
	EXPECT_EQ(4, l.count);
	EXPECT_EQ(4 * 0x800000ULL + (4 + 5 + 6 + 7) * 4096ULL, l.phys_sum);
	EXPECT_NE(0, hvx_pt_lookup(&self->pt, 0x103000, NULL));
	EXPECT_EQ(0, hvx_pt_lookup(&self->pt, 0x104000, NULL));
	EXPECT_NE(0, hvx_pt_lookup(&self->pt, 0x108000, NULL));
	/* A large leaf that overlaps the range goes whole. */
	l = (struct leaves){ 0 };
	EXPECT_EQ(1, hvx_pt_unmap(&self->pt, 0x700000, 4096, count_leaf, &l));
	EXPECT_EQ(0xa00000ULL, l.phys_sum);
	/* A range that wraps is clamped, not looped on. */
	EXPECT_EQ(12, hvx_pt_unmap(&self->pt, 0, ~0ULL, NULL, NULL));
}

TEST_F(pt, destroy_reports_every_leaf_and_frees_tables)
{
	struct leaves l = { 0 };

	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x1000, 0x1000, 1, HVX_PT_READ));
	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x7fff00000000ULL, 0x2000, 1, HVX_PT_READ));
	ASSERT_EQ(0, hvx_pt_map(&self->pt, 0x40000000, 0x200000, 2, HVX_PT_READ));
	hvx_pt_destroy(&self->pt, count_leaf, &l);
	EXPECT_EQ(3, l.count);
	EXPECT_EQ(0, self->pool.live);
}

TEST_F(pt, out_of_memory)
{
	u64 a;
	int err = 0;

	/* Each 1 GiB step needs new tables; the pool runs dry. */
	for (a = 0; a < (1ULL << 47) && !err; a += 1ULL << 30)
		err = hvx_pt_map(&self->pt, a, 0x1000, 1, HVX_PT_READ);
	EXPECT_EQ(-ENOMEM, err);
}

TEST(eptp_encoding)
{
	EXPECT_EQ(0x12345000ULL | 0x18 | 6, hvx_ept_pointer(0x12345000));
}

TEST_HARNESS_MAIN
