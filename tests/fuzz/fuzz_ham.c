/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for axon-ham's request decoder (src/lib/hammsg.c):
 * the bytes any local process may send /proc/ham in a DCMD_AXON_HAM
 * devctl.  Properties: never crashes or reads outside the request;
 * answers 0, -EBADMSG, -EINVAL or -ENAMETOOLONG only, and leaves the
 * output untouched on failure; on 0, every string is NUL-terminated
 * within its field, the names hold no '/' nor control character and
 * together fit AXON_HAM_NAME_MAX, the op and (for an action) the kind
 * are known, and encoding the result gives the input back byte for
 * byte (the format has one encoding).
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hammsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		assert(*p != '/' && (unsigned char) *p >= 0x20 && *p != 0x7f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct axon_ham_req r, untouched;
	static uint8_t out[AXON_HAM_MSG_MAX];
	uint8_t *in = malloc(size > 0 ? size : 1);
	int rc;

	assert(in != NULL);
	memcpy(in, data, size); /* exactly size bytes: ASan sees more */
	memset(&r, 0xa5, sizeof(r));
	memset(&untouched, 0xa5, sizeof(untouched));
	rc = axon__ham_decode(in, size, &r);
	assert(rc == 0 || rc == -EBADMSG || rc == -EINVAL ||
	    rc == -ENAMETOOLONG);
	if (rc != 0) {
		assert(memcmp(&r, &untouched, sizeof(r)) == 0);
		free(in);
		return 0;
	}
	assert(r.op >= 1 && r.op <= AXON_HAM_OP_MAX);
	assert(memchr(r.ename, '\0', sizeof(r.ename)) != NULL);
	assert(memchr(r.cname, '\0', sizeof(r.cname)) != NULL);
	assert(memchr(r.aname, '\0', sizeof(r.aname)) != NULL);
	assert(memchr(r.text, '\0', sizeof(r.text)) != NULL);
	check_name(r.ename);
	check_name(r.cname);
	check_name(r.aname);
	assert(strlen(r.ename) + strlen(r.cname) + strlen(r.aname) <=
	    AXON_HAM_NAME_MAX);
	if (r.op == AXON_HAM_ACTION) {
		assert(r.arg[0] >= 1 && r.arg[0] <= AXON_HAM_A_MAX);
		assert(r.ename[0] && r.cname[0] && r.aname[0]);
	}
	assert(axon__ham_encode(&r, out, sizeof(out)) == (int) size);
	assert(memcmp(out, in, size) == 0);
	free(in);
	return 0;
}
