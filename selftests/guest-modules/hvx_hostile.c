// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that misbehaves on purpose, to test the host's checks.  A class
 * driver for the echo, network and balloon channels that opens nothing by
 * itself (the others are their drivers' until a test unbinds them): a test
 * binds a
 * device to it, writes an attack's name to the attack file and reads what
 * the host answered from attack_result, one line of name=value.
 *
 *   gfns     OPEN requests that must each fail, then a good open
 *   indices  an out-of-range write index in an open channel
 *   length   a descriptor longer than what was published
 *   signals  floods of SIGNAL for ids valid and not
 *   netframes  (a network device) frames and messages the host must drop:
 *	      each kind once, then random garbage
 *   balloon  (a balloon device) requests the host must refuse whole, then
 *	      a good inflate and deflate of one page
 *
 * indices and length leave the channel open and broken: the host is
 * expected to rescind the device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "../../guest-drivers/vmbus/hvx_vmbus.h"
#include "../../guest-drivers/vmbus/hypercall.h"
#include "../../kmod/uapi/hvx_balloon.h"
#include "../../kmod/uapi/hvx_net.h"

#define HOSTILE_SIGNALS		10000
#define HOSTILE_RESULT_SIZE	256

struct hostile {
	struct hvx_vmbus_device *hdev;
	struct mutex lock;		/* one attack at a time; guards result */
	char result[HOSTILE_RESULT_SIZE];
};

/* The bad OPEN requests: each is the good one with one thing wrong. */
enum hostile_open_case {
	BEYOND_RAM, LAPIC, OUT_PAGES_0, NOT_POW2, TOO_MANY, CROSS_PAGE,
	CHILD_0, CHILD_9999, REQ_OUTSIDE_RAM, RESERVED, NR_OPEN_CASES
};

static const char * const hostile_open_names[NR_OPEN_CASES] = {
	[BEYOND_RAM]		= "beyond_ram",
	[LAPIC]			= "lapic",
	[OUT_PAGES_0]		= "out_pages_0",
	[NOT_POW2]		= "not_pow2",
	[TOO_MANY]		= "too_many",
	[CROSS_PAGE]		= "cross_page",
	[CHILD_0]		= "child_0",
	[CHILD_9999]		= "child_9999",
	[REQ_OUTSIDE_RAM]	= "req_outside_ram",
	[RESERVED]		= "reserved",
};

#define HOSTILE_OUTSIDE_RAM	(1ULL << 40)

static void hostile_on_signal(void *ctx)
{
}

/*
 * A request for rings made of @ring's four pages (out header, out data,
 * in header, in data), the out data page repeated @out_data times.
 */
static void hostile_fill(struct hvx_vmbus_open *req, u32 child, u64 ring, u32 out_data)
{
	u32 i, n = 0;

	req->child_id = child;
	req->out_pages = 1 + out_data;
	req->in_pages = 2;
	req->reserved = 0;
	req->gfns[n++] = ring;
	for (i = 0; i < out_data; i++)
		req->gfns[n++] = ring + 1;
	req->gfns[n++] = ring + 2;
	req->gfns[n++] = ring + 3;
}

static long hostile_open_case(struct hostile *h, enum hostile_open_case c, void *buf, u64 ring)
{
	struct hvx_vmbus_open *req = buf;
	u64 gpa;
	long ret;

	if (c == CROSS_PAGE)
		req = buf + PAGE_SIZE - sizeof(*req);
	hostile_fill(req, h->hdev->child_id, ring, c == NOT_POW2 ? 3 :
		     c == TOO_MANY ? 2 * HVX_VMBUS_MAX_RING_DATA_PAGES : 1);
	gpa = virt_to_phys(req);
	switch (c) {
	case BEYOND_RAM:
		req->gfns[1] = HOSTILE_OUTSIDE_RAM >> PAGE_SHIFT;
		break;
	case LAPIC:
		req->gfns[1] = 0xfee00;
		break;
	case OUT_PAGES_0:
		req->out_pages = 0;
		break;
	case CHILD_0:
		req->child_id = 0;
		break;
	case CHILD_9999:
		req->child_id = 9999;
		break;
	case REQ_OUTSIDE_RAM:
		gpa = HOSTILE_OUTSIDE_RAM;
		break;
	case RESERVED:
		req->reserved = 1;
		break;
	default:
		break;
	}
	ret = hvx_hypercall(HVX_HC_VMBUS_OPEN, gpa);
	/* A host that took it anyway must let go before the next case. */
	if (ret >= 0)
		hvx_hypercall(HVX_HC_VMBUS_CLOSE, h->hdev->child_id);
	return ret;
}

static int hostile_gfns(struct hostile *h)
{
	int c, open, len = 0, err = -ENOMEM;
	unsigned long ring, buf;
	u64 gfn;

	hvx_channel_close(h->hdev);
	/* Two pages, so that a request can straddle them. */
	buf = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!buf)
		return err;
	ring = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 2);
	if (!ring)
		goto free_buf;
	hvx_ring_header_init((void *)ring);
	hvx_ring_header_init((void *)(ring + 2 * PAGE_SIZE));
	gfn = virt_to_phys((void *)ring) >> PAGE_SHIFT;

	for (c = 0; c < NR_OPEN_CASES; c++)
		len += scnprintf(h->result + len, sizeof(h->result) - len, "%s=%ld ",
				 hostile_open_names[c],
				 hostile_open_case(h, c, (void *)buf, gfn));
	/* The host's state survived all that: a good open still works. */
	open = hvx_channel_open(h->hdev, PAGE_SIZE, PAGE_SIZE, hostile_on_signal, NULL);
	scnprintf(h->result + len, sizeof(h->result) - len, "open=%d", open);
	hvx_channel_close(h->hdev);
	err = 0;

	free_pages(ring, 2);
free_buf:
	free_pages(buf, 1);
	return err;
}

/* A fresh channel, as the attacks on an open one start from. */
static int hostile_open(struct hostile *h)
{
	int err;

	hvx_channel_close(h->hdev);
	err = hvx_channel_open(h->hdev, PAGE_SIZE, PAGE_SIZE, hostile_on_signal, NULL);
	scnprintf(h->result, sizeof(h->result), "open=%d", err);
	return err;
}

static int hostile_indices(struct hostile *h)
{
	u64 payload = 0x1122334455667788ULL;
	struct hvx_channel *ch;
	struct hvx_ring *out;
	int sent;

	if (hostile_open(h))
		return 0;
	ch = h->hdev->channel;
	out = &ch->out;
	sent = hvx_channel_send(ch, HVX_PACKET_DATA, 1, &payload, sizeof(payload));
	/* Aligned, so that only the range gives it away. */
	WRITE_ONCE(out->hdr->write_index, READ_ONCE(out->hdr->read_index) + out->size + 8);
	scnprintf(h->result, sizeof(h->result), "open=0 sent=%d signal=%ld", sent,
		  hvx_hypercall(HVX_HC_VMBUS_SIGNAL, h->hdev->child_id));
	return 0;
}

static int hostile_length(struct hostile *h)
{
	struct hvx_packet_desc desc = { .type = HVX_PACKET_DATA, .len = 3000, .trans_id = 1 };
	u64 payload = 0;
	struct hvx_ring *out;
	u32 at;

	if (hostile_open(h))
		return 0;
	out = &h->hdev->channel->out;
	at = out->index;
	hvx_ring_copy_in(out, at, &desc, sizeof(desc));
	hvx_ring_copy_in(out, at + sizeof(desc), &payload, sizeof(payload));
	/* Release: the descriptor is in place before the host sees the index. */
	smp_store_release(&out->hdr->write_index, at + sizeof(desc) + sizeof(payload));
	scnprintf(h->result, sizeof(h->result), "open=0 published=%zu signal=%ld",
		  sizeof(desc) + sizeof(payload),
		  hvx_hypercall(HVX_HC_VMBUS_SIGNAL, h->hdev->child_id));
	return 0;
}

/* SIGNAL for @id, many times over; what the last one returned. */
static long hostile_flood(u64 id)
{
	unsigned int n;
	long ret = 0;

	for (n = 0; n < HOSTILE_SIGNALS; n++) {
		ret = hvx_hypercall(HVX_HC_VMBUS_SIGNAL, id);
		if (!(n % 1024))
			cond_resched();
	}
	return ret;
}

static int hostile_signals(struct hostile *h)
{
	static const u64 ids[] = { 0, 1, 255, HVX_VMBUS_MAX_CHANNELS, 9999, U64_MAX };
	unsigned int i;
	int len = 0;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		len += scnprintf(h->result + len, sizeof(h->result) - len, "id%llu=%ld ",
				 ids[i], hostile_flood(ids[i]));
	scnprintf(h->result + len, sizeof(h->result) - len, "own=%ld",
		  hostile_flood(h->hdev->child_id));
	return 0;
}

#define HOSTILE_NET_RING	(64 * 1024)
#define HOSTILE_NET_GARBAGE	2000
#define HOSTILE_NET_BUF		(9100 + HVX_NET_FRAME_HDR)

/* One bad network frame: a good header and frame with one thing wrong. */
struct hostile_frame_case {
	const char *name;
	u32 len;		/* frame bytes after the header */
	u16 reserved;
	u8 vnet_flags, gso_type;
	u16 csum_start;
};

static const struct hostile_frame_case hostile_frame_cases[] = {
	{ "short",	 .len = 10 },
	{ "reserved",	 .len = 60, .reserved = 1 },
	{ "vnet_flags",	 .len = 60, .vnet_flags = 0x80 },
	{ "gso_type",	 .len = 60, .gso_type = 0x33 },
	{ "oversized",	 .len = 9100 },
	/* The host's TAP checks the offload header: a checksum beyond the frame. */
	{ "csum_start",	 .len = 60, .vnet_flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			 .csum_start = 60000 },
};

static int hostile_send(struct hostile *h, u16 type, const void *buf, u32 len)
{
	unsigned int tries = 0;
	int err;

	/*
	 * The host drains the ring as fast as we fill it, unless it waits
	 * for room to answer a request we sent and do not read: then give up.
	 */
	while ((err = hvx_channel_send(h->hdev->channel, type, 0, buf, len)) == -EAGAIN &&
	       ++tries < 1000)
		usleep_range(1000, 2000);
	return err;
}

static int hostile_netframes(struct hostile *h)
{
	struct hvx_net_frame *f;
	struct hvx_net_msg msg;
	unsigned int i, sent = 0;
	int err, len = 0;
	u8 *buf;

	hvx_channel_close(h->hdev);
	err = hvx_channel_open(h->hdev, HOSTILE_NET_RING, PAGE_SIZE, hostile_on_signal, NULL);
	if (err) {
		scnprintf(h->result, sizeof(h->result), "open=%d", err);
		return 0;
	}
	buf = kzalloc(HOSTILE_NET_BUF, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	f = (void *)buf;
	for (i = 0; i < ARRAY_SIZE(hostile_frame_cases); i++) {
		const struct hostile_frame_case *c = &hostile_frame_cases[i];

		memset(buf, 0, HOSTILE_NET_BUF);
		f->msg.type = HVX_NET_MSG_FRAME;
		f->reserved = c->reserved;
		f->vnet.flags = c->vnet_flags;
		f->vnet.gso_type = c->gso_type;
		f->vnet.csum_start = c->csum_start;
		/* A broadcast frame of an experimental ethertype. */
		memset(buf + HVX_NET_FRAME_HDR, 0xff, 6);
		buf[HVX_NET_FRAME_HDR + 12] = 0x88;
		buf[HVX_NET_FRAME_HDR + 13] = 0xb5;
		err = hostile_send(h, HVX_PACKET_DATA, buf, HVX_NET_FRAME_HDR + c->len);
		len += scnprintf(h->result + len, sizeof(h->result) - len, "%s=%d ",
				 c->name, err);
	}
	/* Messages: unknown, too short, a frame sent as a request. */
	msg = (struct hvx_net_msg){ .type = 99 };
	err = hostile_send(h, HVX_PACKET_DATA, &msg, sizeof(msg));
	len += scnprintf(h->result + len, sizeof(h->result) - len, "unknown=%d ", err);
	err = hostile_send(h, HVX_PACKET_DATA, &msg, 2);
	len += scnprintf(h->result + len, sizeof(h->result) - len, "short_msg=%d ", err);
	msg.type = HVX_NET_MSG_FRAME;
	err = hostile_send(h, HVX_PACKET_REQUEST, &msg, sizeof(msg));
	len += scnprintf(h->result + len, sizeof(h->result) - len, "frame_request=%d ", err);
	/* Then garbage of every kind: random types, lengths and bytes. */
	for (i = 0; i < HOSTILE_NET_GARBAGE; i++) {
		u32 n = get_random_u32() % 2048;

		get_random_bytes(buf, n);
		if (i & 1)	/* a frame header more often than chance gives */
			f->msg.type = HVX_NET_MSG_FRAME;
		if (!hostile_send(h, 1 + get_random_u32() % 3, buf, n))
			sent++;
		if (!(i % 64))
			cond_resched();
	}
	scnprintf(h->result + len, sizeof(h->result) - len, "garbage=%u", sent);
	kfree(buf);
	return 0;
}

#define HOSTILE_BALLOON_BUF	(sizeof(struct hvx_balloon_pages) + \
				 (HVX_BALLOON_MAX_PFNS + 1) * sizeof(u64))

/* A balloon request: INFLATE, DEFLATE or REPORT, and what it names. */
static int hostile_balloon_send(struct hostile *h, void *buf, u16 type, u32 count,
				const u64 *words, u32 nwords)
{
	struct hvx_balloon_pages *p = buf;

	p->msg.type = type;
	p->msg.reserved = 0;
	p->count = count;
	memcpy(p->pfns, words, nwords * sizeof(u64));
	return hostile_send(h, HVX_PACKET_REQUEST, buf, sizeof(*p) + nwords * sizeof(u64));
}

static int hostile_balloon(struct hostile *h)
{
	struct page *page;
	u64 pfn, words[4];
	int err, len = 0;
	void *buf;

	hvx_channel_close(h->hdev);
	err = hvx_channel_open(h->hdev, 16 * 1024, PAGE_SIZE, hostile_on_signal, NULL);
	if (err) {
		scnprintf(h->result, sizeof(h->result), "open=%d", err);
		return 0;
	}
	buf = kzalloc(HOSTILE_BALLOON_BUF, GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	if (!buf || !page) {
		kfree(buf);
		if (page)
			__free_page(page);
		return -ENOMEM;
	}
	pfn = page_to_pfn(page);
#define BALLOON_CASE(name, type, count, ...) do {				\
		u64 w[] = { __VA_ARGS__ };					\
		err = hostile_balloon_send(h, buf, HVX_BALLOON_MSG_##type, count,	\
					   w, ARRAY_SIZE(w));			\
		len += scnprintf(h->result + len, sizeof(h->result) - len,	\
				 name "=%d ", err);				\
	} while (0)
	BALLOON_CASE("count_0", INFLATE, 0, pfn);
	BALLOON_CASE("beyond_ram", INFLATE, 1, 1ULL << 40);
	BALLOON_CASE("twice", INFLATE, 2, pfn, pfn);
	BALLOON_CASE("short", INFLATE, 10, pfn, pfn + 1);
	BALLOON_CASE("deflate_not_in", DEFLATE, 1, pfn);
	/* REPORT: a range is two words, address and size. */
	BALLOON_CASE("report_unaligned", REPORT, 1, (pfn << PAGE_SHIFT) + 8, PAGE_SIZE);
	BALLOON_CASE("report_beyond_ram", REPORT, 1, 1ULL << 40, PAGE_SIZE);
	BALLOON_CASE("report_size_0", REPORT, 1, pfn << PAGE_SHIFT, 0);
	words[0] = pfn;
	err = hostile_balloon_send(h, buf, HVX_BALLOON_MSG_INFLATE, HVX_BALLOON_MAX_PFNS + 1,
				   words, 1);
	len += scnprintf(h->result + len, sizeof(h->result) - len, "count_501=%d ", err);
	/* Then what is right: the page goes into the balloon and comes back. */
	BALLOON_CASE("inflate", INFLATE, 1, pfn);
	BALLOON_CASE("deflate", DEFLATE, 1, pfn);
#undef BALLOON_CASE
	/* The host answered the deflate once it is read: give it time. */
	msleep(500);
	__free_page(page);
	kfree(buf);
	return 0;
}

static const struct {
	const char *name;
	int (*attack)(struct hostile *h);
} hostile_attacks[] = {
	{ "balloon", hostile_balloon },
	{ "netframes", hostile_netframes },
	{ "gfns", hostile_gfns },
	{ "indices", hostile_indices },
	{ "length", hostile_length },
	{ "signals", hostile_signals },
};

static ssize_t attack_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct hostile *h = dev_get_drvdata(dev);
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(hostile_attacks); i++)
		if (sysfs_streq(buf, hostile_attacks[i].name))
			break;
	if (i == ARRAY_SIZE(hostile_attacks))
		return -EINVAL;

	mutex_lock(&h->lock);
	h->result[0] = '\0';
	err = hostile_attacks[i].attack(h);
	mutex_unlock(&h->lock);
	return err ?: count;
}
static DEVICE_ATTR_WO(attack);

static ssize_t attack_result_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct hostile *h = dev_get_drvdata(dev);
	ssize_t len;

	mutex_lock(&h->lock);
	len = sysfs_emit(buf, "%s\n", h->result);
	mutex_unlock(&h->lock);
	return len;
}
static DEVICE_ATTR_RO(attack_result);

static struct attribute *hostile_attrs[] = {
	&dev_attr_attack.attr,
	&dev_attr_attack_result.attr,
	NULL
};
ATTRIBUTE_GROUPS(hostile);

static int hostile_probe(struct hvx_vmbus_device *hdev)
{
	struct hostile *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->hdev = hdev;
	mutex_init(&h->lock);
	dev_set_drvdata(&hdev->dev, h);
	return 0;
}

static void hostile_remove(struct hvx_vmbus_device *hdev)
{
	struct hostile *h = dev_get_drvdata(&hdev->dev);

	hvx_channel_close(hdev);
	mutex_destroy(&h->lock);
	kfree(h);
}

static const guid_t hostile_class_ids[] = {
	{ .b = HVX_CLASS_ECHO },
	{ .b = HVX_CLASS_NET },
	{ .b = HVX_CLASS_BALLOON },
	{ }
};

static struct hvx_vmbus_driver hostile_driver = {
	.name		= "hvx_hostile",
	.class_ids	= hostile_class_ids,
	.probe		= hostile_probe,
	.remove		= hostile_remove,
	.driver		= {
		.dev_groups = hostile_groups,
	},
};
module_hvx_vmbus_driver(hostile_driver);

MODULE_DESCRIPTION("hvx guest that attacks the host's channel checks");
MODULE_LICENSE("GPL");
