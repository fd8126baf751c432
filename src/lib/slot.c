/* SPDX-License-Identifier: MIT */
/*
 * A client connection's slots (msg_int.h): taking one, handing it back or
 * leaving it abandoned, its big buffer, and the notices about a slot the
 * client sends its server.  Used by send.c and netmgr_msg.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "msg_int.h"

/* Takes a free slot, reclaiming those the server has handed back;
 * -EAGAIN if every slot is busy.  With cc->lock held iff locked. */
int
axon__slot_try(struct axon_cconn *cc, bool locked)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t m = atomic_load(&cc->free_mask);

		while (m != 0) {
			int i = __builtin_ctzll(m);

			if (atomic_compare_exchange_weak(&cc->free_mask, &m,
				m & ~(1ull << i))) {
				return i;
			}
		}
		if (pass == 1) {
			break;
		}
		if (!locked) {
			pthread_mutex_lock(&cc->lock);
		}
		for (unsigned i = 0; i < AXON_SLOTS; i++) {
			if ((cc->abandoned_mask & (1ull << i)) &&
			    AXON_ST_PHASE(atomic_load(&cc->rgn->slot[i].state)) ==
				AXON_PH_FREE) {
				cc->abandoned_mask &= ~(1ull << i);
				atomic_fetch_or(&cc->free_mask, 1ull << i);
			}
		}
		if (!locked) {
			pthread_mutex_unlock(&cc->lock);
		}
	}
	return -EAGAIN;
}

void
axon__slot_free(struct axon_cconn *cc, int i)
{
	atomic_store(&cc->cancel[i], 0);
	cc->slot_tid[i] = 0;
	/* (Dekker with slot_alloc(): we publish the slot, then look for
	 * waiters; a waiter counts itself, then looks for slots.) */
	atomic_fetch_or(&cc->free_mask, 1ull << i);
	if (atomic_load(&cc->slot_waiters) > 0) {
		atomic_fetch_add(&cc->slot_seq, 1);
		axon__futex_wake(&cc->slot_seq, 1);
	}
}

void
axon__slot_abandoned(struct axon_cconn *cc, int i)
{
	atomic_store(&cc->cancel[i], 0);
	cc->slot_tid[i] = 0;
	pthread_mutex_lock(&cc->lock);
	cc->abandoned_mask |= 1ull << i;
	pthread_mutex_unlock(&cc->lock);
}

/* Makes sure slot i has a big buffer of at least need bytes, shared with
 * the server.  Returns the data pointer. */
int
axon__big_ensure(struct axon_cconn *cc, int i, uint64_t need,
    uint8_t **ret_data)
{
	struct axon_ctl m;
	uint64_t size = 64 * 1024;
	void *map;
	int fd;
	int rc;

	if (cc->big[i].map != NULL && cc->big[i].size >= need) {
		*ret_data = cc->big[i].map;
		return 0;
	}
	while (size < need) {
		if (size > (UINT64_MAX >> 2)) {
			return -EOVERFLOW;
		}
		size <<= 1;
	}
	fd = memfd_create("axon-msg", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		return -ENOMEM;
	}
	if (ftruncate(fd, (off_t) size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		0) {
		(void) close(fd);
		return -ENOMEM;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		(void) close(fd);
		return -ENOMEM;
	}
	pthread_mutex_lock(&cc->lock);
	uint32_t gen = ++cc->next_gen;
	if (gen == 0) {
		gen = ++cc->next_gen;
	}
	pthread_mutex_unlock(&cc->lock);
	axon__ctl_init(&m, AXON_CTL_BUF);
	m.u.buf.slot = (uint32_t) i;
	m.u.buf.gen = gen;
	m.u.buf.size = size;
	rc = axon__cconn_sendctl(cc, &m, fd);
	if (rc < 0) {
		(void) munmap(map, size);
		(void) close(fd);
		return rc == -EPIPE || rc == -ECONNRESET ? -ESRCH : rc;
	}
	if (cc->big[i].map != NULL) {
		(void) munmap(cc->big[i].map, cc->big[i].size);
		(void) close(cc->big[i].fd);
	}
	cc->big[i].map = map;
	cc->big[i].size = size;
	cc->big[i].fd = fd;
	cc->big[i].gen = gen;
	*ret_data = map;
	return 0;
}

/* Tells the server about slot i: ABANDON, or UNBLOCK with its reason. */
void
axon__slot_ctl(struct axon_cconn *cc, enum axon_ctl_type type, int i,
    uint32_t seq, int reason)
{
	struct axon_ctl m;

	axon__ctl_init(&m, type);
	m.u.slot.slot = (uint32_t) i;
	m.u.slot.seq = seq;
	if (type == AXON_CTL_UNBLOCK) {
		m.u.slot.reason = reason == ETIMEDOUT ||
			reason == (ETIMEDOUT | AXON_UNBLOCK_SENDONLY)
		    ? reason
		    : EINTR;
	}
	(void) axon__cconn_sendctl(cc, &m, -1);
}
