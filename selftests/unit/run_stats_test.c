// SPDX-License-Identifier: GPL-2.0
/* hvx run --stats-at: finding the console marker and printing the figures. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run_stats.h"
#include "kselftest_harness.h"

static void feed(struct run_stats *s, const char *text)
{
	while (*text)
		run_stats_console_byte(s, (uint8_t)*text++);
}

TEST(marker_found_after_a_partial_match)
{
	struct run_stats s;

	ASSERT_EQ(0, run_stats_init(&s, "init reached"));
	feed(&s, "boot: init init reache");
	EXPECT_FALSE(s.marker_hit);
	feed(&s, "d");
	EXPECT_TRUE(s.marker_hit);
	EXPECT_NE(0, s.hit_tsc);
}

TEST(first_hit_keeps_its_time)
{
	struct run_stats s;
	uint64_t first;

	ASSERT_EQ(0, run_stats_init(&s, "x"));
	feed(&s, "x");
	first = s.hit_tsc;
	feed(&s, "yyyyx");
	EXPECT_EQ(first, s.hit_tsc);
}

/* Whether @marker shows in @text, fed byte by byte. */
static bool seen(const char *marker, const char *text)
{
	struct run_stats s;

	if (run_stats_init(&s, marker))
		return false;
	feed(&s, text);
	return s.marker_hit;
}

TEST(marker_matching)
{
	EXPECT_TRUE(seen("aab", "aaab"));	/* a marker that overlaps itself */
	EXPECT_TRUE(seen("init", "init"));
	EXPECT_FALSE(seen("hvx-guest: init", "hvx-guest: ini\nt\n"));
	EXPECT_FALSE(seen("init", "ini"));
}

TEST(bad_markers)
{
	struct run_stats s;
	char longer[RUN_STATS_MAX_MARKER + 2];

	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	EXPECT_EQ(-EINVAL, run_stats_init(&s, ""));
	EXPECT_FALSE(run_stats_wanted(&s));
	EXPECT_EQ(-EINVAL, run_stats_init(&s, longer));
	longer[RUN_STATS_MAX_MARKER] = '\0';
	EXPECT_EQ(0, run_stats_init(&s, longer));
	EXPECT_TRUE(run_stats_wanted(&s));
}

TEST(exit_names)
{
	EXPECT_STREQ("EXTERNAL_INTERRUPT", run_stats_exit_name(1));
	EXPECT_STREQ("IO_INSTRUCTION", run_stats_exit_name(30));
	EXPECT_STREQ("EPT_VIOLATION", run_stats_exit_name(48));
	EXPECT_EQ(NULL, run_stats_exit_name(35));	/* reserved */
}

/* The lines the boot_ benchmark parses, with ticks from the first entry. */
TEST(printed_figures)
{
	static struct run_stats s;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	ASSERT_EQ(0, run_stats_init(&s, "init"));
	feed(&s, "init");
	s.hit_tsc = 1500;
	s.vcpu.first_entry_tsc = 1000;
	s.vcpu.exits[30] = 7;
	s.vcpu.exits[48] = 3;
	s.vcpu.exits[79] = 1;
	run_stats_io(&s, 0x3f8);
	run_stats_io(&s, 0x3fd);
	run_stats_io(&s, 0x3fd);
	run_stats_io(&s, 0x70);
	run_stats_io(&s, 0x0);
	out = open_memstream(&text, &len);
	ASSERT_NE(NULL, out);
	run_stats_print(&s, out);	/* not taken: prints nothing */
	fflush(out);
	EXPECT_EQ(0, len);
	s.taken = true;
	run_stats_print(&s, out);
	fclose(out);
	EXPECT_STREQ("hvx run: stats: ticks 500 to \"init\"\n"
		     "hvx run: stats: exits 11\n"
		     "hvx run: stats: exit IO_INSTRUCTION 7\n"
		     "hvx run: stats: exit EPT_VIOLATION 3\n"
		     "hvx run: stats: exit 79 1\n"
		     "hvx run: stats: io port 0x3fd 2\n"
		     "hvx run: stats: io port 0 1\n"
		     "hvx run: stats: io port 0x70 1\n"
		     "hvx run: stats: io port 0x3f8 1\n", text);
	free(text);
}

TEST_HARNESS_MAIN
