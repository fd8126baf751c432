/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the `axon trace` text decoder (traceinfo.c),
 * which reads what other nodes' axonds send.  Properties: never crashes
 * or reads out of bounds; refuses with -EPROTO (or -ENOMEM) only, leaving
 * the list empty; and since the text form is canonical, whatever it
 * accepts encodes back to exactly the same bytes.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "traceinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axon_tr_list l;
	char *text = NULL;
	size_t len = 0;
	int rc = axon__tr_parse((const char *) data, size, &l);

	assert(rc == 0 || rc == -EPROTO || rc == -ENOMEM);
	if (rc < 0) {
		assert(l.procs == NULL && l.ev == NULL && l.nev == 0);
		return 0;
	}
	assert(l.nprocs <= AXON_TR_MAX_PROCS);
	for (size_t i = 0; i < l.nev; i++) {
		assert(axon__tr_type_name(l.ev[i].type) != NULL);
		assert(axon__tr_event_ok(&l.ev[i]));
		assert(l.ev[i].pid > 0 && l.ev[i].tid > 0);
	}
	rc = axon__tr_format(&l, &text, &len);
	assert(rc == 0 || rc == -ENOMEM);
	if (rc == 0) {
		assert(len == size && memcmp(text, data, size) == 0);
		free(text);
	}
	axon__tr_free(&l);
	return 0;
}
