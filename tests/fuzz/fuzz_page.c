/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for status pages ($AXON_RUNDIR/ps/<pid>), which every
 * process writes about itself and `axon ps` (and axond, for other
 * nodes) reads: a hostile local user controls every byte of its own
 * process's page.  The input is laid over a page of this fuzzer's own
 * process (the header's identity fields made right, so that the page is
 * taken and its tables converted), written to a real page file in a
 * private run directory, and collected with axon__ps_collect(), the
 * reader `axon ps` uses.  Properties: never crashes or reads outside
 * the page; whatever it collects formats to a text that the strict
 * decoder (the one other nodes' answers go through) accepts, and that
 * text parses back to the same list.
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

static char rundir[64];
static int page_fd = -1;
static struct axon_psp page;

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
	struct axon_ps_list l = {NULL, 0}, back = {NULL, 0};
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (page_fd < 0) {
		setup();
	}
	memset(&page, 0, sizeof(page));
	memcpy(&page, data, size < sizeof(page) ? size : sizeof(page));
	page.hdr.magic = AXON_PS_MAGIC;
	page.hdr.version = AXON_PS_VERSION;
	page.hdr.size = sizeof(page);
	page.hdr.pid = (int32_t) getpid();
	page.hdr.start_time = axon__proc_start_time(getpid());
	page.hdr.gen &= ~1u;
	/* An odd seq only makes the reader try again (50 times, 100 us
	 * apart) and skip the record: tested in test_ps, too slow here. */
	for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
		page.thr[i].seq &= ~1u;
	}
	assert(pwrite(page_fd, &page, sizeof(page), 0) ==
	    (ssize_t) sizeof(page));
	rc = axon__ps_collect(rundir, (int) getpid(), &l);
	assert(rc == 0 || rc == -ENOMEM);
	if (rc < 0) {
		return 0;
	}
	rc = axon__ps_format(&l, &text, &len);
	assert(rc == 0 || rc == -ENOMEM || rc == -EMSGSIZE);
	if (rc == 0) {
		char *again = NULL;
		size_t len2 = 0;

		assert(axon__ps_parse((const uint8_t *) text, len, &back) == 0);
		assert(axon__ps_format(&back, &again, &len2) == 0);
		assert(len2 == len && memcmp(again, text, len) == 0);
		free(again);
		axon__ps_free(&back);
	}
	free(text);
	axon__ps_free(&l);
	return 0;
}
