// SPDX-License-Identifier: GPL-2.0
/* The direct-boot loader: synthetic images, damaged ones, Debian's kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "loader.h"
#include "uapi/hvx.h"

#define RAM_SIZE	(64ULL << 20)
#define KERNEL_PADDR	0x1000000ULL

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* ELF64 with one PT_LOAD (0x100 bytes of file, 0x200 in memory) and a PVH note. */
static size_t make_elf(uint8_t *buf, uint64_t entry)
{
	uint8_t *ph = buf + 64;
	uint8_t *note = buf + 0x100;
	size_t i;

	memset(buf, 0, 0x400);
	memcpy(buf, "\177ELF", 4);
	buf[4] = 2;
	buf[5] = 1;
	buf[6] = 1;
	put16(buf + 16, 2);
	put16(buf + 18, 62);
	put64(buf + 32, 64);
	put16(buf + 54, 56);
	put16(buf + 56, 2);
	/* PT_LOAD */
	put32(ph, 1);
	put64(ph + 8, 0x200);
	put64(ph + 24, KERNEL_PADDR);
	put64(ph + 32, 0x100);
	put64(ph + 40, 0x200);
	/* PT_NOTE */
	put32(ph + 56, 4);
	put64(ph + 56 + 8, 0x100);
	put64(ph + 56 + 32, 24);
	put32(note, 4);
	put32(note + 4, 8);
	put32(note + 8, 18);
	memcpy(note + 12, "Xen", 4);
	put64(note + 16, entry);
	for (i = 0; i < 0x100; i++)
		buf[0x200 + i] = i;
	return 0x300;
}

/* bzImage: one setup sector after the boot sector, 8 KiB of payload. */
static size_t make_bzimage(uint8_t *buf, uint16_t version, uint16_t xloadflags)
{
	size_t size = 1024 + 8192, i;

	memset(buf, 0, size);
	buf[0x1f1] = 1;
	put32(buf + 0x1f4, 8192 / 16);
	put16(buf + 0x1fe, 0xaa55);
	buf[0x200] = 0xeb;
	buf[0x201] = 0x264 - 0x202;
	memcpy(buf + 0x202, "HdrS", 4);
	put16(buf + 0x206, version);
	buf[0x211] = 1;
	put32(buf + 0x22c, 0x7fffffff);
	put32(buf + 0x230, 0x200000);
	buf[0x234] = 1;
	put16(buf + 0x236, xloadflags);
	put32(buf + 0x238, 64);
	put64(buf + 0x258, KERNEL_PADDR);
	put32(buf + 0x260, 0x10000);
	for (i = 1024; i < size; i++)
		buf[i] = i * 7;
	return size;
}

FIXTURE(guest) {
	uint8_t *ram;
	uint8_t image[0x4000];
	struct loader_result res;
};

FIXTURE_SETUP(guest)
{
	self->ram = calloc(1, RAM_SIZE);
	ASSERT_NE(NULL, self->ram);
}

FIXTURE_TEARDOWN(guest)
{
	free(self->ram);
}

TEST_F(guest, pvh_loads_segments_and_start_info)
{
	static const uint8_t initrd[5000] = { 1, 2, 3 };
	size_t n = make_elf(self->image, KERNEL_PADDR + 0x40);
	uint32_t magic, nr_modules, memmap_entries;
	uint64_t cmdline, mod_paddr, mod_size;

	ASSERT_EQ(LOADER_OK, loader_load(self->ram, RAM_SIZE, self->image, n, initrd,
					 sizeof(initrd), "console=ttyS0", &self->res));
	EXPECT_EQ(LOADER_PVH, self->res.kind);
	EXPECT_EQ(KERNEL_PADDR + 0x40, self->res.entry);
	EXPECT_EQ(0, memcmp(self->ram + KERNEL_PADDR, self->image + 0x200, 0x100));
	EXPECT_EQ(0, self->ram[KERNEL_PADDR + 0x1ff]);	/* bss zeroed */

	memcpy(&magic, self->ram + self->res.boot_info, 4);
	EXPECT_EQ(0x336ec578, magic);
	memcpy(&nr_modules, self->ram + self->res.boot_info + 12, 4);
	memcpy(&cmdline, self->ram + self->res.boot_info + 24, 8);
	memcpy(&memmap_entries, self->ram + self->res.boot_info + 48, 4);
	EXPECT_EQ(1, nr_modules);
	EXPECT_EQ(4, memmap_entries);
	EXPECT_STREQ("console=ttyS0", (char *)self->ram + cmdline);
	memcpy(&mod_paddr, self->ram + LOADER_MODLIST_GPA, 8);
	memcpy(&mod_size, self->ram + LOADER_MODLIST_GPA + 8, 8);
	EXPECT_EQ(sizeof(initrd), mod_size);
	EXPECT_EQ(0, mod_paddr & 0xfff);
	EXPECT_LE(mod_paddr + mod_size, RAM_SIZE);
	EXPECT_GE(mod_paddr, self->res.kernel_end);
	EXPECT_EQ(0, memcmp(self->ram + mod_paddr, initrd, sizeof(initrd)));
}

TEST_F(guest, pvh_damaged_images)
{
	size_t n = make_elf(self->image, KERNEL_PADDR + 0x40);
	uint8_t *ph = self->image + 64;

	/* Every truncation fails cleanly. */
	for (size_t cut = 0; cut < n; cut += 7)
		EXPECT_NE(LOADER_OK, loader_load(self->ram, RAM_SIZE, self->image, cut,
						 NULL, 0, NULL, &self->res));
	n = make_elf(self->image, KERNEL_PADDR + 0x40);
	self->image[18] = 3;			/* not x86-64 */
	EXPECT_EQ(LOADER_E_ELF, loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0,
					    NULL, &self->res));
	n = make_elf(self->image, KERNEL_PADDR + 0x40);
	put32(self->image + 0x100 + 8, 17);	/* no PVH note */
	EXPECT_EQ(LOADER_E_NO_PVH, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
					       0, NULL, &self->res));
	n = make_elf(self->image, 0x10);	/* entry outside the kernel */
	EXPECT_EQ(LOADER_E_ELF, loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0,
					    NULL, &self->res));
	n = make_elf(self->image, KERNEL_PADDR + 0x40);
	put64(ph + 24, 0x8000);			/* over the boot structures */
	EXPECT_EQ(LOADER_E_OVERLAP, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
						0, NULL, &self->res));
	put64(ph + 24, RAM_SIZE - 0x100);	/* past the end of RAM */
	EXPECT_EQ(LOADER_E_RAM, loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0,
					    NULL, &self->res));
	put64(ph + 24, ~0ULL - 0x10);		/* wraps */
	EXPECT_EQ(LOADER_E_RAM, loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0,
					    NULL, &self->res));
	n = make_elf(self->image, KERNEL_PADDR + 0x40);
	put64(ph + 8, ~0ULL);			/* segment offset past the file */
	EXPECT_EQ(LOADER_E_TRUNCATED, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
						  0, NULL, &self->res));
	n = make_elf(self->image, KERNEL_PADDR + 0x40);
	put16(self->image + 56, 0xffff);	/* more headers than the file holds */
	EXPECT_EQ(LOADER_E_TRUNCATED, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
						  0, NULL, &self->res));
}

TEST_F(guest, bzimage_zero_page)
{
	static const uint8_t initrd[100] = { 9 };
	size_t n = make_bzimage(self->image, 0x20f, 3);
	uint8_t *bp = self->ram + LOADER_BOOT_INFO_GPA;
	uint32_t v;

	ASSERT_EQ(LOADER_OK, loader_load(self->ram, RAM_SIZE, self->image, n, initrd,
					 sizeof(initrd), "quiet", &self->res));
	EXPECT_EQ(LOADER_BZIMAGE, self->res.kind);
	EXPECT_EQ(KERNEL_PADDR + 0x200, self->res.entry);
	EXPECT_EQ(0, memcmp(self->ram + KERNEL_PADDR, self->image + 1024, 8192));
	EXPECT_EQ(0, memcmp(bp + 0x202, "HdrS", 4));
	EXPECT_EQ(0xff, bp[0x210]);
	memcpy(&v, bp + 0x228, 4);
	EXPECT_STREQ("quiet", (char *)self->ram + v);
	memcpy(&v, bp + 0x21c, 4);
	EXPECT_EQ(sizeof(initrd), v);
	memcpy(&v, bp + 0x218, 4);
	EXPECT_EQ(0, memcmp(self->ram + v, initrd, sizeof(initrd)));
	EXPECT_GE(v, KERNEL_PADDR + 0x10000);	/* above init_size */
	EXPECT_EQ(4, bp[0x1e8]);
}

TEST_F(guest, bzimage_refused)
{
	char longline[200];
	size_t n;

	n = make_bzimage(self->image, 0x20b, 3);	/* protocol 2.11 */
	EXPECT_EQ(LOADER_E_PROTOCOL, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
						 0, NULL, &self->res));
	n = make_bzimage(self->image, 0x20f, 0);	/* no 64-bit entry */
	EXPECT_EQ(LOADER_E_PROTOCOL, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
						 0, NULL, &self->res));
	n = make_bzimage(self->image, 0x20f, 3);
	EXPECT_EQ(LOADER_E_TRUNCATED, loader_load(self->ram, RAM_SIZE, self->image, 2000,
						  NULL, 0, NULL, &self->res));
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;	/* over the image's cmdline_size */
	EXPECT_EQ(LOADER_E_CMDLINE, loader_load(self->ram, RAM_SIZE, self->image, n, NULL,
						0, longline, &self->res));
	EXPECT_EQ(LOADER_E_RAM, loader_load(self->ram, 1 << 20, self->image, n, NULL, 0,
					    NULL, &self->res));
	EXPECT_EQ(LOADER_E_INITRD, loader_load(self->ram, RAM_SIZE, self->image, n,
					       self->ram, RAM_SIZE - (1 << 20), NULL,
					       &self->res));
	EXPECT_EQ(LOADER_E_FORMAT, loader_load(self->ram, RAM_SIZE, (const uint8_t *)"MZ",
					       2, NULL, 0, NULL, &self->res));
	EXPECT_STRNE("unknown loader error", loader_error_name(LOADER_E_INITRD));
}

static uint8_t sum_bytes(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Finds the MP floating pointer where Linux's smp_scan_config() looks. */
static const uint8_t *find_mpf(const uint8_t *ram)
{
	uint64_t gpa;

	for (gpa = 0xf0000; gpa < 0x100000; gpa += 16)
		if (!memcmp(ram + gpa, "_MP_", 4))
			return ram + gpa;
	return NULL;
}

/* The MP tables, checked the way a guest parses them. */
static void check_mptable(struct __test_metadata *_metadata, const uint8_t *ram)
{
	const uint8_t *mpf = find_mpf(ram), *mpc, *p, *end;
	unsigned int i, count, bsps = 0, cpus = 0, ioapics = 0, isa_irqs = 0;
	int isa_bus = -1, pci_bus = -1, irq4_pin = -1, lint0 = -1, lint1 = -1;
	uint32_t addr, lapic;
	uint16_t len;

	ASSERT_NE(NULL, mpf);
	EXPECT_EQ(0, (mpf - ram) & 15);
	EXPECT_EQ(0, sum_bytes(mpf, 16));
	EXPECT_EQ(1, mpf[8]);			/* 16 bytes */
	EXPECT_EQ(4, mpf[9]);			/* spec 1.4 */
	EXPECT_EQ(0, mpf[11]);			/* a table, not a default config */
	memcpy(&addr, mpf + 4, 4);
	ASSERT_GE(addr, 0xf0000);
	ASSERT_LT(addr, 0x100000 - 44);
	mpc = ram + addr;
	ASSERT_EQ(0, memcmp(mpc, "PCMP", 4));
	memcpy(&len, mpc + 4, 2);
	ASSERT_LE(addr + len, 0x100000);
	EXPECT_EQ(0, sum_bytes(mpc, len));
	EXPECT_EQ(4, mpc[6]);
	memcpy(&lapic, mpc + 36, 4);
	EXPECT_EQ(HVX_LAPIC_GPA, lapic);
	EXPECT_EQ(0, mpc[40] | mpc[41]);	/* no extended table */

	/* Walk the entries: the count must end exactly at the length. */
	count = mpc[34] | mpc[35] << 8;
	p = mpc + 44;
	end = mpc + len;
	for (i = 0; i < count; i++) {
		ASSERT_LT(p, end);
		switch (p[0]) {
		case 0:		/* processor */
			ASSERT_LE(p + 20, end);
			cpus++;
			EXPECT_EQ(0, p[1]);
			EXPECT_EQ(0x14, p[2]);
			EXPECT_TRUE(p[3] & 1);
			if (p[3] & 2)
				bsps++;
			p += 20;
			continue;
		case 1:		/* bus */
			if (!memcmp(p + 2, "ISA   ", 6))
				isa_bus = p[1];
			if (!memcmp(p + 2, "PCI   ", 6))
				pci_bus = p[1];
			break;
		case 2:		/* I/O APIC */
			ioapics++;
			EXPECT_EQ(HVX_IOAPIC_ID, p[1]);
			EXPECT_EQ(HVX_IOAPIC_VERSION, p[2]);
			EXPECT_EQ(1, p[3] & 1);
			memcpy(&addr, p + 4, 4);
			EXPECT_EQ(HVX_IOAPIC_GPA, addr);
			break;
		case 3:		/* I/O interrupt */
			ASSERT_EQ(1, isa_bus) TH_LOG("buses come before interrupts");
			EXPECT_EQ(HVX_IOAPIC_ID, p[6]);
			EXPECT_LT(p[7], HVX_IOAPIC_PINS);
			if (p[4] == isa_bus && p[1] == 0) {
				isa_irqs++;
				if (p[5] == 4)
					irq4_pin = p[7];
			}
			break;
		case 4:		/* local interrupt */
			EXPECT_EQ(0xff, p[6]);
			if (p[1] == 3)
				lint0 = p[7];
			if (p[1] == 1)
				lint1 = p[7];
			break;
		default:
			ASSERT_TRUE(0) TH_LOG("unknown entry type %u", p[0]);
		}
		ASSERT_LE(p + 8, end);
		p += 8;
	}
	EXPECT_EQ(end, p);
	EXPECT_EQ(1, cpus);
	EXPECT_EQ(1, bsps);
	EXPECT_EQ(0, pci_bus);
	EXPECT_EQ(1, ioapics);
	EXPECT_EQ(16, isa_irqs);
	EXPECT_EQ(4, irq4_pin);
	EXPECT_EQ(0, lint0);
	EXPECT_EQ(1, lint1);
}

TEST_F(guest, mptable_for_both_formats)
{
	uint8_t *mpf;
	size_t n;

	n = make_elf(self->image, KERNEL_PADDR + 0x40);
	ASSERT_EQ(LOADER_OK, loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0,
					 NULL, &self->res));
	check_mptable(_metadata, self->ram);

	memset(self->ram, 0, RAM_SIZE);
	n = make_bzimage(self->image, 0x20f, 3);
	ASSERT_EQ(LOADER_OK, loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0,
					 NULL, &self->res));
	check_mptable(_metadata, self->ram);

	/* Inside the range the E820 map keeps from the guest's allocator. */
	mpf = (uint8_t *)find_mpf(self->ram);
	ASSERT_NE(NULL, mpf);
	EXPECT_EQ(LOADER_MPTABLE_GPA, mpf - self->ram);
	EXPECT_EQ(LOADER_E_RAM, loader_mptable(self->ram, 0x80000));
}

TEST(mptable_inside_reserved_e820)
{
	struct loader_e820 map[4];
	unsigned int i, n = loader_e820(RAM_SIZE, map), covered = 0;

	for (i = 0; i < n; i++)
		if (map[i].type == LOADER_E820_RESERVED && map[i].addr <= LOADER_MPTABLE_GPA &&
		    LOADER_MPTABLE_GPA + LOADER_MPTABLE_MAX <= map[i].addr + map[i].size)
			covered++;
	EXPECT_EQ(1, covered);
}

/* Random damage to both formats: the loader must stay in bounds (ASan). */
TEST_F(guest, random_damage)
{
	uint8_t good[2][0x4000];
	size_t sizes[2] = { make_elf(good[0], KERNEL_PADDR + 8),
			    make_bzimage(good[1], 0x20f, 3) };
	int i, j;

	srand(2);
	for (i = 0; i < 20000; i++) {
		int which = i & 1;
		size_t n = sizes[which] - (rand() % 64 ? 0 : rand() % sizes[which]);

		memcpy(self->image, good[which], sizes[which]);
		for (j = rand() % 8; j >= 0; j--)
			self->image[rand() % 0x300] = rand();
		loader_load(self->ram, RAM_SIZE, self->image, n, NULL, 0, "x", &self->res);
	}
}

static uint8_t *map_file(const char *path, size_t *size)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	uint8_t *p;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !(p = malloc(st.st_size))) {
		fclose(f);
		return NULL;
	}
	*size = fread(p, 1, st.st_size, f);
	fclose(f);
	return p;
}

TEST(debian_kernel_both_formats)
{
	const char *bz = getenv("HVX_TEST_BZIMAGE");
	const char *elf = getenv("HVX_TEST_VMLINUX");
	struct loader_result res;
	uint8_t *ram, *img;
	size_t size;

	if (!bz || !elf || access(bz, R_OK) || access(elf, R_OK))
		SKIP(return, "HVX_TEST_BZIMAGE/HVX_TEST_VMLINUX not set or unreadable");
	ram = mmap(NULL, 512 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, ram);

	img = map_file(bz, &size);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(LOADER_OK, loader_load(ram, 512 << 20, img, size, img, 4096,
					 "console=ttyS0", &res)) TH_LOG("%s", bz);
	EXPECT_EQ(LOADER_BZIMAGE, res.kind);
	EXPECT_EQ(res.kernel_start + 0x200, res.entry);
	free(img);

	img = map_file(elf, &size);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(LOADER_OK, loader_load(ram, 512 << 20, img, size, NULL, 0,
					 "console=ttyS0", &res)) TH_LOG("%s", elf);
	EXPECT_EQ(LOADER_PVH, res.kind);
	EXPECT_GE(res.entry, 0x1000000);
	EXPECT_LT(res.entry, res.kernel_end);
	free(img);
	munmap(ram, 512 << 20);
}

TEST_HARNESS_MAIN
