// SPDX-License-Identifier: GPL-2.0
/*
 * A class driver for the host's echo channel that checks and times it.
 * Writing "COUNT MINLEN MAXLEN WINDOW SEED" to a device's run file starts
 * a thread that sends COUNT packets of random sizes and contents, at most
 * WINDOW of them unanswered, and checks every echo; the result file says
 * how it went.  Packet n can be made again from (SEED, n) alone, so the
 * check needs no copy of what was sent; SEED 0 sends a fixed pattern and
 * checks only lengths, ids and the payload's ends (for benchmarks).  Writing "COUNT LEN" to requests
 * makes COUNT requests of LEN bytes, one at a time, through
 * hvx_channel_request(): the host answers each with a completion that
 * carries the same bytes, which the write checks (-EIO if one differs).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/msr.h>

#include "../../guest-drivers/vmbus/hvx_vmbus.h"

static unsigned int ring_kb = 4;
module_param(ring_kb, uint, 0444);
MODULE_PARM_DESC(ring_kb, "data KiB of each ring (a power of two, 4 to 512)");

#define ECHO_TIMEOUT	(10 * HZ)

struct echo_params {
	u64 count;
	u32 minlen, maxlen, window;
	u64 seed;
};

struct echo_result {
	u64 packets;		/* echoes received and checked */
	u64 bytes;		/* payload bytes sent */
	u64 mismatches;
	u64 tsc;		/* from the start to the last echo */
	int error;
};

/* What the run's thread keeps to itself. */
struct echo_run {
	struct echo_params p;
	struct echo_result r;
	u64 sent;
	u32 staged;		/* nonzero: tx holds packet @sent, this long */
	u64 start;
};

struct echo_dev {
	struct hvx_vmbus_device *hdev;
	struct hvx_channel *ch;
	wait_queue_head_t wq;
	atomic_t signalled;
	u8 *tx, *rx;
	u32 buf_size;
	/* While requests run, this receives and hands completions over. */
	bool requesting;
	struct work_struct rx_work;
	struct mutex lock;	/* guards the fields below */
	struct task_struct *task;
	bool running;
	struct echo_params params;
	struct echo_result result;
};

/* xorshift64, seeded by mixing (seed, seq) so that neighbours differ. */
static u64 echo_prng_seed(u64 seed, u64 seq)
{
	u64 x = seed ^ ((seq + 1) * 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 31)) * 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x ?: 1;
}

static u64 echo_prng_next(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The length of packet @seq; leaves @x where its payload starts. */
static u32 echo_len(const struct echo_params *p, u64 seq, u64 *x)
{
	*x = echo_prng_seed(p->seed, seq);
	return p->minlen + echo_prng_next(x) % (p->maxlen - p->minlen + 1);
}

/*
 * Seed 0 is for benchmarks: the payload is the pattern echo_thread() laid
 * down once, and only its ends are checked, so that the figures measure
 * the channel and not the generator.
 */
#define ECHO_BENCH_BYTE	0xa5

static u32 echo_fill(const struct echo_params *p, u64 seq, u8 *buf)
{
	u32 i, len;
	u64 x, v;

	len = echo_len(p, seq, &x);
	if (!p->seed)
		return len;
	for (i = 0; i < len; i += sizeof(v)) {
		v = echo_prng_next(&x);
		memcpy(buf + i, &v, min_t(u32, sizeof(v), len - i));
	}
	return len;
}

static bool echo_check(const struct echo_params *p, u64 seq, const u8 *buf, u32 len)
{
	u64 x, v;
	u32 i;

	if (len != echo_len(p, seq, &x))
		return false;
	if (!p->seed)
		return buf[0] == ECHO_BENCH_BYTE && buf[len - 1] == ECHO_BENCH_BYTE;
	for (i = 0; i < len; i += sizeof(v)) {
		v = echo_prng_next(&x);
		if (memcmp(buf + i, &v, min_t(u32, sizeof(v), len - i)))
			return false;
	}
	return true;
}

static void echo_signal(void *ctx)
{
	struct echo_dev *ed = ctx;

	if (READ_ONCE(ed->requesting))
		schedule_work(&ed->rx_work);
	atomic_set(&ed->signalled, 1);
	wake_up(&ed->wq);
}

static int echo_stopping(struct echo_dev *ed)
{
	if (READ_ONCE(ed->hdev->rescinded) || kthread_should_stop())
		return -ENODEV;
	return 0;
}

static bool echo_woken(struct echo_dev *ed)
{
	return atomic_read(&ed->signalled) || echo_stopping(ed);
}

/* Sends until the window is full, the ring is, or everything is sent. */
static int echo_send(struct echo_dev *ed, struct echo_run *run, bool *progress)
{
	int err;

	while (run->sent < run->p.count && run->sent - run->r.packets < run->p.window) {
		if (!run->staged)
			run->staged = echo_fill(&run->p, run->sent, ed->tx);
		err = hvx_channel_send(ed->ch, HVX_PACKET_DATA, run->sent, ed->tx, run->staged);
		if (err == -EAGAIN)
			return 0;	/* the host signals when it has made room */
		if (err)
			return err;
		run->r.bytes += run->staged;
		run->staged = 0;
		run->sent++;
		*progress = true;
	}
	return 0;
}

static void echo_verify(struct echo_run *run, const struct hvx_packet_desc *desc, u32 len,
			const u8 *buf)
{
	u64 seq = run->r.packets++;

	if (desc->type != HVX_PACKET_DATA || desc->trans_id != seq ||
	    !echo_check(&run->p, seq, buf, len))
		run->r.mismatches++;
	run->r.tsc = rdtsc_ordered() - run->start;
}

/*
 * Drains the echoes of what was sent, no more: a host that sends more
 * than it was asked to cannot keep us here.
 */
static int echo_receive(struct echo_dev *ed, struct echo_run *run, bool *progress)
{
	struct hvx_packet_desc desc;
	s64 len;

	hvx_ring_mask_signals(&ed->ch->in);
	while (run->r.packets < run->sent) {
		len = hvx_channel_recv(ed->ch, &desc, ed->rx, ed->buf_size);
		if (len == -EAGAIN) {
			if (hvx_channel_recv_done(ed->ch))
				continue;
			return 0;
		}
		if (len < 0)
			return len;
		echo_verify(run, &desc, len, ed->rx);
		*progress = true;
	}
	hvx_channel_recv_done(ed->ch);
	return 0;
}

/* Echoes that a run which gave up left behind would spoil this one. */
static void echo_discard(struct echo_dev *ed)
{
	struct hvx_packet_desc desc;
	u32 n;

	for (n = 0; n < ed->ch->in.size / HVX_RING_DESC_SIZE; n++)
		if (hvx_channel_recv(ed->ch, &desc, ed->rx, ed->buf_size) < 0)
			break;
}

static int echo_thread(void *arg)
{
	struct echo_dev *ed = arg;
	struct echo_run run = { };
	bool progress;
	int err = 0;

	mutex_lock(&ed->lock);
	run.p = ed->params;
	mutex_unlock(&ed->lock);

	echo_discard(ed);
	if (!run.p.seed)
		memset(ed->tx, ECHO_BENCH_BYTE, ed->buf_size);
	run.start = rdtsc_ordered();
	while (run.r.packets < run.p.count) {
		/* Fully ordered: a signal after this is seen by the wait below. */
		atomic_xchg(&ed->signalled, 0);
		err = echo_stopping(ed);
		if (err)
			break;
		progress = false;
		err = echo_send(ed, &run, &progress);
		if (!err)
			err = echo_receive(ed, &run, &progress);
		if (err)
			break;
		if (!progress && !wait_event_timeout(ed->wq, echo_woken(ed), ECHO_TIMEOUT)) {
			err = -ETIMEDOUT;
			break;
		}
		/* A host that keeps up never lets us sleep above. */
		cond_resched();
	}

	run.r.error = err;
	mutex_lock(&ed->lock);
	ed->result = run.r;
	ed->running = false;
	mutex_unlock(&ed->lock);
	dev_info(&ed->hdev->dev, "packets=%llu bytes=%llu mismatches=%llu error=%d tsc=%llu\n",
		 run.r.packets, run.r.bytes, run.r.mismatches, run.r.error, run.r.tsc);
	return 0;
}

/* Waits for the thread to end; it ends at once when stopped. */
static void echo_reap(struct echo_dev *ed)
{
	if (!ed->task)
		return;
	kthread_stop(ed->task);
	put_task_struct(ed->task);
	ed->task = NULL;
}

static ssize_t run_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct echo_dev *ed = dev_get_drvdata(dev);
	struct task_struct *task;
	struct echo_params p;
	int err;

	if (sscanf(buf, "%llu %u %u %u %llu", &p.count, &p.minlen, &p.maxlen, &p.window,
		   &p.seed) != 5)
		return -EINVAL;
	if (!p.maxlen)
		p.maxlen = hvx_ring_max_payload(&ed->ch->out);
	if (!p.minlen || p.minlen > p.maxlen || p.maxlen > hvx_ring_max_payload(&ed->ch->out) ||
	    !p.window)
		return -EINVAL;

	mutex_lock(&ed->lock);
	err = -EBUSY;
	if (ed->running)
		goto unlock;
	/* Only a finished thread is left: this does not wait on it. */
	echo_reap(ed);
	task = kthread_create(echo_thread, ed, "hvx_echo/%u", ed->hdev->child_id);
	err = PTR_ERR_OR_ZERO(task);
	if (err)
		goto unlock;
	/* Ours to stop even after it has ended by itself. */
	get_task_struct(task);
	ed->task = task;
	ed->params = p;
	ed->running = true;
	wake_up_process(task);
unlock:
	mutex_unlock(&ed->lock);
	return err ?: count;
}
static DEVICE_ATTR_WO(run);

static ssize_t result_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct echo_dev *ed = dev_get_drvdata(dev);
	struct echo_result r;
	bool running;

	mutex_lock(&ed->lock);
	running = ed->running;
	r = ed->result;
	mutex_unlock(&ed->lock);

	if (running)
		return sysfs_emit(buf, "running\n");
	return sysfs_emit(buf, "packets=%llu bytes=%llu mismatches=%llu error=%d tsc=%llu\n",
			  r.packets, r.bytes, r.mismatches, r.error, r.tsc);
}
static DEVICE_ATTR_RO(result);

/* The receive side while requests wait: completions go to their waiters. */
static void echo_rx_work(struct work_struct *work)
{
	struct echo_dev *ed = container_of(work, struct echo_dev, rx_work);
	struct hvx_packet_desc desc;
	s64 len;

	do {
		hvx_ring_mask_signals(&ed->ch->in);
		while ((len = hvx_channel_recv(ed->ch, &desc, ed->rx, ed->buf_size)) >= 0)
			hvx_channel_complete(ed->ch, &desc, ed->rx);
	} while (len == -EAGAIN && hvx_channel_recv_done(ed->ch));
}

static ssize_t requests_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct echo_dev *ed = dev_get_drvdata(dev);
	u32 n, len, i, j;
	s64 got;
	u8 *resp;
	int err = 0;

	if (sscanf(buf, "%u %u", &n, &len) != 2 || !len ||
	    len > hvx_ring_max_payload(&ed->ch->out))
		return -EINVAL;
	resp = kvmalloc(len, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;

	mutex_lock(&ed->lock);
	if (ed->running) {
		err = -EBUSY;
		goto unlock;
	}
	WRITE_ONCE(ed->requesting, true);
	/* Echoes a stopped run left behind go first. */
	schedule_work(&ed->rx_work);
	for (i = 0; i < n && !err; i++) {
		for (j = 0; j < len; j++)
			ed->tx[j] = i + j;
		memset(resp, 0, len);
		got = hvx_channel_request(ed->ch, ed->tx, len, resp, len, ECHO_TIMEOUT);
		if (got < 0)
			err = got;
		else if (got != len || memcmp(resp, ed->tx, len))
			err = -EIO;
	}
	WRITE_ONCE(ed->requesting, false);
	flush_work(&ed->rx_work);
unlock:
	mutex_unlock(&ed->lock);
	kvfree(resp);
	return err ?: count;
}
static DEVICE_ATTR_WO(requests);

static struct attribute *echo_attrs[] = {
	&dev_attr_run.attr,
	&dev_attr_result.attr,
	&dev_attr_requests.attr,
	NULL
};
ATTRIBUTE_GROUPS(echo);

static int echo_probe(struct hvx_vmbus_device *hdev)
{
	struct echo_dev *ed;
	u32 size;
	int err;

	/* hvx_channel_open() checks the rest; this keeps the product in range. */
	if (!ring_kb || ring_kb > HVX_VMBUS_MAX_RING_DATA_PAGES * (PAGE_SIZE / SZ_1K))
		return -EINVAL;
	size = ring_kb * SZ_1K;

	ed = kzalloc(sizeof(*ed), GFP_KERNEL);
	if (!ed)
		return -ENOMEM;
	ed->hdev = hdev;
	init_waitqueue_head(&ed->wq);
	mutex_init(&ed->lock);
	INIT_WORK(&ed->rx_work, echo_rx_work);
	ed->buf_size = size;

	err = -ENOMEM;
	ed->tx = kvmalloc(size, GFP_KERNEL);
	if (!ed->tx)
		goto free_ed;
	ed->rx = kvmalloc(size, GFP_KERNEL);
	if (!ed->rx)
		goto free_tx;
	err = hvx_channel_open(hdev, size, size, echo_signal, ed);
	if (err)
		goto free_rx;
	ed->ch = hdev->channel;
	dev_set_drvdata(&hdev->dev, ed);
	return 0;

free_rx:
	kvfree(ed->rx);
free_tx:
	kvfree(ed->tx);
free_ed:
	mutex_destroy(&ed->lock);
	kfree(ed);
	return err;
}

static void echo_remove(struct hvx_vmbus_device *hdev)
{
	struct echo_dev *ed = dev_get_drvdata(&hdev->dev);

	/*
	 * The sysfs files are gone, so no new run starts.  Not under ed->lock:
	 * a thread that is finishing takes it.
	 */
	echo_reap(ed);
	/* The requests file is gone, so signals no longer queue the work. */
	cancel_work_sync(&ed->rx_work);
	hvx_channel_close(hdev);
	kvfree(ed->rx);
	kvfree(ed->tx);
	mutex_destroy(&ed->lock);
	kfree(ed);
}

static const guid_t echo_class_ids[] = {
	{ .b = HVX_CLASS_ECHO },
	{ }
};

static struct hvx_vmbus_driver echo_driver = {
	.name		= "hvx_echo_test",
	.class_ids	= echo_class_ids,
	.probe		= echo_probe,
	.remove		= echo_remove,
	.driver		= {
		.dev_groups = echo_groups,
	},
};
module_hvx_vmbus_driver(echo_driver);

MODULE_DESCRIPTION("hvx echo channel test driver");
MODULE_LICENSE("GPL");
