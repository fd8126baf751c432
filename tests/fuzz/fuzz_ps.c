/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the `axon ps` text decoder, which reads what
 * other nodes' axonds send.  Properties: never crashes or reads out of
 * bounds; refuses with -EPROTO only; and since the text form is
 * canonical, whatever it accepts encodes back to exactly the same bytes.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "psinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axon_ps_list l = {NULL, 0};
	char *text = NULL;
	size_t len = 0;
	int rc = axon__ps_parse(data, size, &l);

	assert(rc == 0 || rc == -EPROTO || rc == -ENOMEM);
	if (rc < 0) {
		assert(l.procs == NULL && l.n == 0);
		return 0;
	}
	assert(l.n <= AXON_PS_MAX_PROCS);
	rc = axon__ps_format(&l, &text, &len);
	assert(rc == 0 || rc == -ENOMEM);
	if (rc == 0) {
		assert(len == size && memcmp(text, data, size) == 0);
		free(text);
	}
	axon__ps_free(&l);
	return 0;
}
