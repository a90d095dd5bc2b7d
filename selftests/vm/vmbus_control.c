// SPDX-License-Identifier: GPL-2.0
/*
 * The channel bus's control plane, driven by hand: a backend's channel fd
 * on one side, a guest's hypercalls (guest_vmcall64) on the other.  Offer,
 * open with every kind of bad page list, signals both ways, close,
 * rescind and release, and the errors of each step.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "uapi/hvx_vmbus.h"
#include "vmbus/ring.h"
#include "vm.h"

#define MEM_SIZE	(16UL << 20)
#define EVENT_GPA	0x200000
#define MSG_GPA		0x201000
#define REQ_GPA		0x202000
#define RING_GPA	0x300000	/* out header, out data, in header, in data */
#define RESULT_PORT	0x14

static const uint8_t echo_class[16] = HVX_CLASS_ECHO;

/* One hypercall by the guest; its RAX, or LONG_MIN if the guest did not get there. */
static long hypercall(struct vm *vm, uint64_t nr, uint64_t arg)
{
	struct hvx_regs regs;
	struct vm_exit e;

	if (vm_set_gpr(vm, GPR_RAX, nr) || vm_set_gpr(vm, GPR_RBX, arg) ||
	    vm_run(vm, &e) || e.kind != VM_EXIT_IO || e.port != RESULT_PORT ||
	    ioctl(vm->vcpu_fd, HVX_GET_REGS, &regs))
		return LONG_MIN;
	return (long)regs.rax;
}

static struct vm *guest(void)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);

	if (!vm)
		return NULL;
	vm_load(vm, GUEST_CODE_GPA, guest_vmcall64, guest_vmcall64_end);
	if (vm_setup_long(vm, GUEST_CODE_GPA)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

static int create_channel(struct vm *vm, uint8_t instance)
{
	struct hvx_create_channel req = { 0 };

	memcpy(req.class_id, echo_class, 16);
	req.instance_id[0] = instance;
	return ioctl(vm->vm_fd, HVX_CREATE_CHANNEL, &req);
}

/* Writes an open request for @child at @gpa with the standard ring pages. */
static struct hvx_vmbus_open *open_request(struct vm *vm, uint64_t gpa, uint32_t child)
{
	struct hvx_vmbus_open *req = (void *)(vm->mem + gpa);
	unsigned int i;

	memset(req, 0, sizeof(*req) + 4 * 8);
	req->child_id = child;
	req->out_pages = 2;
	req->in_pages = 2;
	for (i = 0; i < 4; i++)
		req->gfns[i] = (RING_GPA >> 12) + i;
	return req;
}

static int read_event(int fd, struct hvx_channel_event *ev)
{
	return read(fd, ev, sizeof(*ev)) == sizeof(*ev) ? (int)ev->type : -errno;
}

TEST(channel_fd_errors)
{
	struct hvx_create_channel req = { 0 };
	struct hvx_channel_event ev;
	struct vm *vm = guest();
	int fd, fds[HVX_VMBUS_MAX_CHANNELS], i, n;

	ASSERT_NE(NULL, vm);
	req.flags = 1;
	EXPECT_EQ(-1, ioctl(vm->vm_fd, HVX_CREATE_CHANNEL, &req));
	EXPECT_EQ(EINVAL, errno);
	req.flags = 0;
	req.reserved = 1;
	EXPECT_EQ(-1, ioctl(vm->vm_fd, HVX_CREATE_CHANNEL, &req));
	EXPECT_EQ(EINVAL, errno);

	fd = create_channel(vm, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, create_channel(vm, 1));
	EXPECT_EQ(EEXIST, errno);
	/* Nothing opened it: no event, no rings to map, no one to signal. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, read_event(fd, &ev));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fd, HVX_CHANNEL_SIGNAL, 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, ioctl(fd, HVX_CHANNEL_SIGNAL, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(HVXIO, 0x3f), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
	/* Rescinded before the guest knew: the same device can come again. */
	fd = create_channel(vm, 1);
	EXPECT_LE(0, fd);
	close(fd);

	/* Child ids 1 to 255, then no more. */
	for (n = 0; n < HVX_VMBUS_MAX_CHANNELS; n++) {
		fds[n] = create_channel(vm, n);
		if (fds[n] < 0)
			break;
	}
	EXPECT_EQ(HVX_VMBUS_MAX_CHANNELS - 1, n);
	EXPECT_EQ(ENOSPC, errno);
	for (i = 0; i < n; i++)
		close(fds[i]);
	vm_destroy(vm);
}

TEST(offer_open_signal_close_rescind)
{
	struct hvx_vmbus_msg *msg;
	struct hvx_channel_event ev;
	struct hvx_vmbus_open *req;
	struct vm *vm = guest();
	uint8_t *map;
	int fd;

	ASSERT_NE(NULL, vm);
	msg = (void *)(vm->mem + MSG_GPA);
	fd = create_channel(vm, 7);
	ASSERT_LE(0, fd);
	fcntl(fd, F_SETFL, O_NONBLOCK);

	/* Before CONNECT the guest knows of nothing. */
	EXPECT_EQ(-ENOMSG, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));
	EXPECT_EQ(-EOPNOTSUPP, hypercall(vm, 0x1ff, 0));
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_CONNECT, EVENT_GPA + 8));
	EXPECT_EQ(-EFAULT, hypercall(vm, HVX_HC_VMBUS_CONNECT, MEM_SIZE));
	EXPECT_EQ(HVX_VMBUS_VERSION, hypercall(vm, HVX_HC_VMBUS_CONNECT, EVENT_GPA));
	/* The control bit says a message waits. */
	EXPECT_EQ(1, vm->mem[EVENT_GPA] & 1);
	vm->mem[EVENT_GPA] = 0;

	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA + 4));
	/* A message the guest cannot take stays queued. */
	EXPECT_EQ(-EFAULT, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MEM_SIZE - 8));
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));
	EXPECT_EQ(HVX_VMBUS_MSG_OFFER, msg->type);
	EXPECT_EQ(1, msg->child_id);
	EXPECT_EQ(0, memcmp(msg->class_id, echo_class, 16));
	EXPECT_EQ(7, msg->instance_id[0]);
	EXPECT_EQ(-ENOMSG, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));

	/* Page lists the host must refuse. */
	req = open_request(vm, REQ_GPA, 1);
	req->gfns[2] = MEM_SIZE >> 12;			/* beyond RAM */
	EXPECT_EQ(-EFAULT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	req->gfns[2] = 0xfee00;				/* the local APIC */
	EXPECT_EQ(-EFAULT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	req->gfns[2] = ~0ULL;				/* overflows as an address */
	EXPECT_EQ(-EFAULT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	req = open_request(vm, REQ_GPA, 1);
	req->out_pages = 0;
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	req->out_pages = 1 + 3;				/* not a power of two */
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	req->out_pages = 2 + HVX_VMBUS_MAX_RING_DATA_PAGES;
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	req = open_request(vm, REQ_GPA, 1);
	req->reserved = 1;
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	open_request(vm, REQ_GPA + 4096 - 16, 1);	/* crosses a page */
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA + 4096 - 16));
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA + 4));
	EXPECT_EQ(-EFAULT, hypercall(vm, HVX_HC_VMBUS_OPEN, MEM_SIZE));
	open_request(vm, REQ_GPA, 2);			/* never offered */
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	open_request(vm, REQ_GPA, 0);
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(-EAGAIN, read_event(fd, &ev));

	/* A good one: the backend maps the very pages the guest gave. */
	hvx_ring_header_init((void *)(vm->mem + RING_GPA));
	hvx_ring_header_init((void *)(vm->mem + RING_GPA + 2 * 4096));
	open_request(vm, REQ_GPA, 1);
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(-EBUSY, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(HVX_CHANNEL_EVENT_OPEN, read_event(fd, &ev));
	EXPECT_EQ(1, ev.child_id);
	EXPECT_EQ(2, ev.out_pages);
	EXPECT_EQ(2, ev.in_pages);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	map = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[3 * 4096 + 5] = 0x5a;
	EXPECT_EQ(0x5a, vm->mem[RING_GPA + 3 * 4096 + 5]);
	vm->mem[RING_GPA + 4096 + 9] = 0xa5;
	EXPECT_EQ(0xa5, map[4096 + 9]);

	/* Guest to host: signals add up until the backend reads them. */
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 1));
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 1));
	EXPECT_EQ(HVX_CHANNEL_EVENT_SIGNAL, read_event(fd, &ev));
	EXPECT_EQ(2, ev.signals);
	EXPECT_EQ(-EAGAIN, read_event(fd, &ev));
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 0));
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 2));
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 1000));
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_SIGNAL, ~0UL));

	/* Host to guest: the channel's bit in the event page. */
	EXPECT_EQ(0, ioctl(fd, HVX_CHANNEL_SIGNAL, 0));
	EXPECT_EQ(2, vm->mem[EVENT_GPA] & 2);

	/* Close: the backend hears of it; the mapping stays usable. */
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_CLOSE, 1));
	EXPECT_EQ(-ENOTCONN, hypercall(vm, HVX_HC_VMBUS_CLOSE, 1));
	EXPECT_EQ(-ENOTCONN, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 1));
	EXPECT_EQ(HVX_CHANNEL_EVENT_CLOSE, read_event(fd, &ev));
	EXPECT_EQ(-1, ioctl(fd, HVX_CHANNEL_SIGNAL, 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(0x5a, map[3 * 4096 + 5]);
	munmap(map, 4 * 4096);

	/* Open again, then the backend goes: the guest is told to let go. */
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(HVX_CHANNEL_EVENT_OPEN, read_event(fd, &ev));
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_RELEASE, 1));
	close(fd);
	EXPECT_EQ(-ENOTCONN, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 1));
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_RELEASE, 1));	/* not told yet */
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));
	EXPECT_EQ(HVX_VMBUS_MSG_RESCIND, msg->type);
	EXPECT_EQ(1, msg->child_id);
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_RELEASE, 1));
	EXPECT_EQ(-EINVAL, hypercall(vm, HVX_HC_VMBUS_RELEASE, 1));
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_SIGNAL, 1));
	EXPECT_EQ(-ENOMSG, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_DISCONNECT, 0));
	vm_destroy(vm);
}

/* A reconnect (the guest's bus driver reloaded) offers everything again. */
TEST(reconnect_offers_again_and_closes)
{
	struct hvx_vmbus_msg *msg;
	struct hvx_channel_event ev;
	struct vm *vm = guest();
	int fd;

	ASSERT_NE(NULL, vm);
	msg = (void *)(vm->mem + MSG_GPA);
	EXPECT_EQ(HVX_VMBUS_VERSION, hypercall(vm, HVX_HC_VMBUS_CONNECT, EVENT_GPA));
	fd = create_channel(vm, 3);
	ASSERT_LE(0, fd);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));
	hvx_ring_header_init((void *)(vm->mem + RING_GPA));
	hvx_ring_header_init((void *)(vm->mem + RING_GPA + 2 * 4096));
	open_request(vm, REQ_GPA, 1);
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(HVX_CHANNEL_EVENT_OPEN, read_event(fd, &ev));

	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_DISCONNECT, 0));
	EXPECT_EQ(HVX_CHANNEL_EVENT_CLOSE, read_event(fd, &ev));
	EXPECT_EQ(-ENOENT, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(HVX_VMBUS_VERSION, hypercall(vm, HVX_HC_VMBUS_CONNECT, EVENT_GPA));
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA));
	EXPECT_EQ(HVX_VMBUS_MSG_OFFER, msg->type);
	EXPECT_EQ(1, msg->child_id);
	EXPECT_EQ(0, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA));
	EXPECT_EQ(HVX_CHANNEL_EVENT_OPEN, read_event(fd, &ev));
	/* The VM fd goes first, with the channel open: the fd keeps it. */
	vm_destroy(vm);
	EXPECT_EQ(0, ioctl(fd, HVX_CHANNEL_SIGNAL, 0));
	close(fd);
}

/* The VMM's pinned memory in kB (VmPin of /proc/self/status), -1 if unknown. */
static long vm_pinned_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * The pages hvx.ko pins for the bus (the event page, each open's rings)
 * count against the VMM's RLIMIT_MEMLOCK, as RDMA and VFIO pins do; guest
 * RAM, which is not pinned, counts nothing.
 */
/* In a child: exits with the number of the first check that fails. */
#define CHILD_CHECK(step, cond) do {					\
	if (!(cond))							\
		_exit(step);						\
} while (0)

TEST(bus_pins_charged_to_memlock)
{
	int status;
	pid_t child;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* Room for the event page and three more: an open of four is too many. */
		struct rlimit lim = { 4 * 4096, 8 * 4096 };
		struct vm *vm = guest();
		int fd;

		CHILD_CHECK(1, vm);
		fd = create_channel(vm, 1);
		/* Without CAP_IPC_LOCK, like any member of group hvx. */
		CHILD_CHECK(2, fd >= 0 && !setrlimit(RLIMIT_MEMLOCK, &lim) &&
			    !setresgid(65534, 65534, 65534) && !setresuid(65534, 65534, 65534));
		CHILD_CHECK(3, vm_pinned_kb() == 0);
		CHILD_CHECK(4, hypercall(vm, HVX_HC_VMBUS_CONNECT, EVENT_GPA) == HVX_VMBUS_VERSION);
		CHILD_CHECK(5, vm_pinned_kb() == 4);
		CHILD_CHECK(6, hypercall(vm, HVX_HC_VMBUS_RECV_MSG, MSG_GPA) == 0);
		hvx_ring_header_init((void *)(vm->mem + RING_GPA));
		hvx_ring_header_init((void *)(vm->mem + RING_GPA + 2 * 4096));
		open_request(vm, REQ_GPA, 1);
		CHILD_CHECK(7, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA) == -ENOMEM);
		CHILD_CHECK(8, vm_pinned_kb() == 4);
		lim.rlim_cur = lim.rlim_max;
		CHILD_CHECK(9, !setrlimit(RLIMIT_MEMLOCK, &lim));
		CHILD_CHECK(10, hypercall(vm, HVX_HC_VMBUS_OPEN, REQ_GPA) == 0);
		CHILD_CHECK(11, vm_pinned_kb() == 20);
		/* Closing gives the rings' charge back, disconnecting the event page's. */
		CHILD_CHECK(12, hypercall(vm, HVX_HC_VMBUS_CLOSE, 1) == 0);
		CHILD_CHECK(13, vm_pinned_kb() == 4);
		CHILD_CHECK(14, hypercall(vm, HVX_HC_VMBUS_DISCONNECT, 0) == 0);
		CHILD_CHECK(15, vm_pinned_kb() == 0);
		close(fd);
		vm_destroy(vm);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/* Which check failed, if one did. */
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
