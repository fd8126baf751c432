/* SPDX-License-Identifier: MIT */
/*
 * The system manager's connection (MsgSend(3), "The system manager"):
 * on QNX every process has a connection to the process manager,
 * SYSMGR_COID (_NTO_SIDE_CHANNEL itself; the side-channel connections a
 * program makes come after it), and libraries send it messages of the
 * process, memory and path managers.  libaxon answers the ones that
 * have a meaning on Linux in the sending thread, as a message with an
 * immediate reply; the rest get ENOSYS, as a manager that does not
 * know a message type answers.
 *
 *   _MEM_INFO (<sys/memmsg.h>), fd NOFD: the machine's memory, total
 *   and available (/proc/meminfo's MemTotal and MemAvailable, else
 *   sysinfo(2)).  Linux has no typed memory: any other fd is EINVAL.
 *
 * The message is copied out of the sender's parts and checked whole
 * before it is acted on; the reply is cut to the sender's reply parts,
 * as a server's MsgReply() is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <sys/memmsg.h>

#include "internal.h"

/* Bytes of memory there are, and that can be had now: 0 or -errno. */
static int
memory(uint64_t *total, uint64_t *avail)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	int have = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long long kb;

		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
			*total = (uint64_t) kb * 1024;
			have |= 1;
		} else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			*avail = (uint64_t) kb * 1024;
			have |= 2;
		}
	}
	if (f != NULL) {
		(void) fclose(f);
	}
	if (have != 3) {
		struct sysinfo si;

		if (sysinfo(&si) < 0) {
			return -errno;
		}
		*total = (uint64_t) si.totalram * si.mem_unit;
		*avail = (uint64_t) si.freeram * si.mem_unit;
	}
	return 0;
}

static int
mem_info(const struct _mem_info *m, const iov_t *riov, size_t rparts)
{
	struct _mem_info_reply r;
	uint64_t total = 0, avail = 0;
	int rc;

	if (m->zero != 0 || m->flags != 0 || m->reserved != 0) {
		return -EINVAL;
	}
	if (m->fd != NOFD) {
		return -EINVAL; /* no typed memory on Linux */
	}
	rc = memory(&total, &avail);
	if (rc < 0) {
		return rc;
	}
	memset(&r, 0, sizeof(r));
	r.info.posix_tmi_length = avail > SIZE_MAX ? SIZE_MAX : (size_t) avail;
	r.info.__posix_tmi_total = total > SIZE_MAX ? SIZE_MAX : (size_t) total;
	(void) axon__iov_copy_out(riov, rparts, 0, &r, sizeof(r));
	return 0;
}

int
axon__sysmgr_send(const iov_t *siov, size_t sparts, const iov_t *riov,
    size_t rparts, long *ret_status)
{
	union {
		uint16_t type;
		struct _mem_info mem;
	} m;
	size_t len = axon__iov_total(siov, sparts);
	int rc;

	if (len == SIZE_MAX) {
		return -EOVERFLOW;
	}
	memset(&m, 0, sizeof(m));
	(void) axon__iov_copy_in(&m, siov, sparts, 0,
	    len < sizeof(m) ? len : sizeof(m));
	if (len < sizeof(m.type)) {
		return -EINVAL;
	}
	switch (m.type) {
	case _MEM_INFO:
		if (len < sizeof(m.mem)) {
			return -EINVAL;
		}
		rc = mem_info(&m.mem, riov, rparts);
		if (rc == 0) {
			*ret_status = 0;
		}
		return rc;
	default:
		return -ENOSYS;
	}
}

/* QNX's sysmgr_reboot(): a message to the system manager there, the
 * kernel's reboot here.  Data written reaches the disks first. */
int
sysmgr_reboot(void)
{
	sync();
	return reboot(RB_AUTOBOOT);
}
