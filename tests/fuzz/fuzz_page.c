/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for status pages ($AXON_RUNDIR/ps/<pid>), which every
 * process writes about itself and `axon ps` (and axond, for other
 * nodes) reads: a hostile local user controls every byte of its own
 * process's page, and the name in /proc/<pid>/comm.
 *
 * The input describes a page sparsely, so that short inputs reach every
 * table of its 51 KB:
 *
 *	bytes 0-63   the header (zero-padded if shorter); unless bit 0 of
 *	             its pad[0] is set, its identity fields (magic,
 *	             version, size, pid, start time) are made right, so
 *	             that the page is taken; pad[1] % 20 bytes of pad[2..]
 *	             are the process's comm
 *	then records, each 1 byte k, 2 bytes index (little-endian), then
 *	             the record's bytes (zero-padded at the end): k % 3 is
 *	             the table (threads, channels, connections), the index
 *	             is taken modulo the table's size
 *
 * A thread record whose seq is odd was torn by the reader's two reads.
 *
 * The default build fuzzes the page conversion itself:
 * axon__ps_page_decode() and axon__ps_page_proc() (src/common/psinfo.c,
 * pure), with lookups that name nodes and answer "held" from the input,
 * and some of whose names are not node names.  Built with
 * -DFUZZ_PAGE_COLLECT (fuzz_page_collect), it goes end to end as the
 * first version of this fuzzer did: writes the page to a real page file
 * in a private run directory and collects it with axon__ps_collect(), the
 * reader `axon ps` uses (about 1 500 executions a second; it found the
 * nodes-file bug of nd.c).
 *
 * Properties: never crashes or reads outside the page; the header is
 * refused exactly when its identity is wrong; lookups are asked only
 * within their contract; what is converted formats to a text that the
 * strict decoder (the one other nodes' answers go through) accepts, and
 * that text parses back to the same list.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "psinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PID   4242
#define FUZZ_START 123456789ull

static struct axon_psp page;
static bool untorn[AXON_PS_THREADS];
/* The records the last input wrote, cleared by the next: cheaper than
 * clearing the whole page each time (most of an execution's cost). */
static struct {
	uint8_t *rec;
	size_t len;
} dirty[2048];
static size_t ndirty;
static bool dirty_over = true;

/* Builds page from the input; returns whether the identity was kept as
 * given (else it was made right), and the comm bytes. */
static bool
build(const uint8_t *data, size_t size, int pid, uint64_t start,
    char comm[AXON_PS_NAME_LEN], size_t *comm_len)
{
	size_t hl = size < sizeof(page.hdr) ? size : sizeof(page.hdr);
	bool raw;
	size_t pos = hl;

	if (dirty_over) {
		memset(&page, 0, sizeof(page));
	} else {
		memset(&page.hdr, 0, sizeof(page.hdr));
		for (size_t i = 0; i < ndirty; i++) {
			memset(dirty[i].rec, 0, dirty[i].len);
		}
	}
	ndirty = 0;
	dirty_over = false;
	memcpy(&page.hdr, data, hl);
	raw = (page.hdr.pad[0] & 1u) != 0;
	*comm_len = page.hdr.pad[1] % 20u;
	if (*comm_len > sizeof(page.hdr.pad) - 2) {
		*comm_len = sizeof(page.hdr.pad) - 2;
	}
	memcpy(comm, &page.hdr.pad[2], *comm_len);
	if (!raw) {
		page.hdr.magic = AXON_PS_MAGIC;
		page.hdr.version = AXON_PS_VERSION;
		page.hdr.size = sizeof(page);
		page.hdr.pid = pid;
		page.hdr.start_time = start;
	}
	while (pos + 3 <= size) {
		unsigned k = data[pos];
		unsigned idx = data[pos + 1] | (unsigned) data[pos + 2] << 8;
		uint8_t *rec;
		size_t rlen;

		pos += 3;
		switch (k % 3) {
		case 0:
			rec = (uint8_t *) &page.thr[idx % AXON_PS_THREADS];
			rlen = sizeof(page.thr[0]);
			break;
		case 1:
			rec = (uint8_t *) &page.chan[idx % AXON_PS_CHANS];
			rlen = sizeof(page.chan[0]);
			break;
		default:
			rec = (uint8_t *) &page.conn[idx % AXON_PS_CONNS];
			rlen = sizeof(page.conn[0]);
			break;
		}
		memset(rec, 0, rlen);
		if (ndirty < sizeof(dirty) / sizeof(dirty[0])) {
			dirty[ndirty].rec = rec;
			dirty[ndirty].len = rlen;
			ndirty++;
		} else {
			dirty_over = true;
		}
		if (rlen > size - pos) {
			rlen = size - pos;
		}
		memcpy(rec, data + pos, rlen);
		pos += rlen;
	}
	for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
		untorn[i] = (page.thr[i].seq & 1u) == 0;
	}
	return raw;
}

/* l must format (unless memory runs out), and its text parse back to
 * the same list. */
static void
check_text(const struct axon_ps_list *l)
{
	struct axon_ps_list back = {NULL, 0};
	char *text = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	int rc = axon__ps_format(l, &text, &len);

	assert(rc == 0 || rc == -ENOMEM);
	if (rc < 0) {
		return;
	}
	rc = axon__ps_parse((const uint8_t *) text, len, &back);
	assert(rc == 0 || rc == -ENOMEM);
	if (rc == 0) {
		rc = axon__ps_format(&back, &again, &len2);
		assert(rc == 0 || rc == -ENOMEM);
		assert(rc < 0 || (len2 == len && memcmp(again, text, len) == 0));
		free(again);
		axon__ps_free(&back);
	}
	free(text);
}

#ifndef FUZZ_PAGE_COLLECT

/* ---- The pure conversion (fuzz_page) ---- */

static struct axon_ps_page dec;

/* Names of every kind, some of them not node names. */
static void
fz_node(void *arg, uint32_t nd, char out[AXON_PS_NAME_LEN])
{
	(void) arg;
	switch (nd % 8) {
	case 0:
		snprintf(out, AXON_PS_NAME_LEN, "local");
		break;
	case 1:
		snprintf(out, AXON_PS_NAME_LEN, "n%u", (unsigned) nd);
		break;
	case 2: /* the longest node name */
		memset(out, 'a' + (int) (nd % 26), AXON_PS_NAME_LEN - 1);
		out[AXON_PS_NAME_LEN - 1] = '\0';
		break;
	case 3: /* no NUL at all */
		memset(out, 'b', AXON_PS_NAME_LEN);
		break;
	case 4:
		snprintf(out, AXON_PS_NAME_LEN, "bad name");
		break;
	case 5: /* nothing written */
		break;
	case 6:
		snprintf(out, AXON_PS_NAME_LEN, "?");
		break;
	default:
		snprintf(out, AXON_PS_NAME_LEN, "node-%u\n", (unsigned) nd);
		break;
	}
}

static bool
fz_held(void *arg, int srv_pid, int scoid, int pid, int slot)
{
	(void) arg;
	/* Asked only within the contract. */
	assert(srv_pid > 0 && scoid != 0 && pid == FUZZ_PID);
	assert(slot >= 0 && slot < (int) AXON_PS_SLOTS);
	return (((unsigned) srv_pid ^ (unsigned) scoid) >> (slot & 7)) & 1u;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct axon_ps_lookup lk = {fz_node, fz_held, NULL};
	struct axon_ps_proc pr;
	struct axon_ps_list l = {&pr, 1};
	char comm[AXON_PS_NAME_LEN];
	size_t clen;
	bool ident;
	int rc;

	(void) build(data, size, FUZZ_PID, FUZZ_START, comm, &clen);
	ident = page.hdr.magic == AXON_PS_MAGIC &&
	    page.hdr.version == AXON_PS_VERSION &&
	    page.hdr.size == sizeof(page) && page.hdr.pid == FUZZ_PID &&
	    page.hdr.start_time == FUZZ_START;
	rc = axon__ps_page_decode(&page, sizeof(page), FUZZ_PID, FUZZ_START,
	    untorn, &dec);
	assert(rc == (ident ? 0 : -EPROTO));
	/* Another length or process, or no start time, is refused. */
	assert(axon__ps_page_decode(&page, sizeof(page) - 1, FUZZ_PID,
		   FUZZ_START, untorn, &dec) == -EPROTO);
	assert(axon__ps_page_decode(&page, sizeof(page), FUZZ_PID, 0, untorn,
		   &dec) == -EPROTO);
	if (rc < 0) {
		return 0;
	}
	/* (The refusals above left dec untouched.) */
	assert(dec.nthreads <= AXON_PS_THREADS &&
	    dec.nchans <= AXON_PS_CHANS && dec.nconns <= AXON_PS_CONNS);
	assert(dec.truncated == (page.hdr.flags != 0));
	rc = axon__ps_page_proc(&dec, FUZZ_PID, 1000, comm, clen,
	    size % 2 ? &lk : NULL, &pr);
	assert(rc == 0 || rc == -ENOMEM);
	if (rc < 0) {
		return 0;
	}
	assert(pr.pid == FUZZ_PID && pr.nthreads == dec.nthreads &&
	    pr.nchans == dec.nchans && pr.nconns == dec.nconns);
	check_text(&l);
	free(pr.threads);
	free(pr.chans);
	free(pr.conns);
	return 0;
}

#else /* FUZZ_PAGE_COLLECT */

/* ---- End to end, through a page file (fuzz_page_collect) ---- */

#include "axon_spi.h" /* axon__proc_start_time */

static char rundir[64];
static int page_fd = -1;

static void
cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/ps/%d", rundir, (int) getpid());
	(void) unlink(path);
	snprintf(path, sizeof(path), "%s/ps", rundir);
	(void) rmdir(path);
	(void) rmdir(rundir);
}

static void
setup(void)
{
	char path[128];
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	snprintf(rundir, sizeof(rundir), "/tmp/axon-fuzz-page-XXXXXX");
	assert(mkdtemp(rundir) != NULL);
	snprintf(path, sizeof(path), "%s/ps", rundir);
	assert(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/ps/%d", rundir, (int) getpid());
	page_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert(page_fd >= 0);
	assert(ftruncate(page_fd, sizeof(page)) == 0);
	/* Its process holds a lock on a live page (ps.c). */
	assert(fcntl(page_fd, F_OFD_SETLK, &fl) == 0);
	atexit(cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axon_ps_list l = {NULL, 0};
	char comm[AXON_PS_NAME_LEN];
	size_t clen;
	int rc;

	if (page_fd < 0) {
		setup();
	}
	(void) build(data, size, (int) getpid(),
	    axon__proc_start_time(getpid()), comm, &clen);
	/* An odd seq only makes the reader try again (50 times, 100 us
	 * apart) and skip the record: tested in test_ps, too slow here. */
	for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
		page.thr[i].seq &= ~1u;
	}
	page.hdr.gen &= ~1u;
	assert(pwrite(page_fd, &page, sizeof(page), 0) ==
	    (ssize_t) sizeof(page));
	rc = axon__ps_collect(rundir, (int) getpid(), &l);
	assert(rc == 0 || rc == -ENOMEM);
	if (rc < 0) {
		return 0;
	}
	assert(l.n <= 1);
	check_text(&l);
	axon__ps_free(&l);
	return 0;
}

#endif /* FUZZ_PAGE_COLLECT */
