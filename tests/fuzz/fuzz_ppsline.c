/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for axon-pps's decoder of what publishers write
 * (src/pps/ppsline.c): the bytes any process that may write a PPS
 * object sends.  The input is two writes (split at the first 0xff
 * byte, or one write), applied in turn to an object's empty list, as
 * two write() calls would.  Properties: never crashes or reads outside
 * the write; answers 0, EINVAL or ENOMEM only; on an error the list
 * given back is NULL and the group empty; on 0 every attribute has a
 * name of the syntax, an encoding of letters, digits and '_', a value
 * without '\n' or NUL, no two the same name, and the change group
 * begins "@obj\n"; the list read back as text ("name:enc:value" lines,
 * as a full read gives them) and written to an empty object gives the
 * same list again.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppsline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_list(const struct pps_line *l)
{
	for (; l != NULL; l = l->next) {
		assert(pps_attr_name_ok(l->name, strlen(l->name)));
		assert(strlen(l->enc) <= PPS_ENC_MAX);
		assert(strchr(l->val, '\n') == NULL);
		for (const struct pps_line *m = l->next; m != NULL;
		    m = m->next) {
			assert(strcmp(l->name, m->name) != 0);
		}
	}
}

static char *
render(const struct pps_line *l, size_t *len)
{
	size_t n = 1;
	char *buf, *p;

	for (const struct pps_line *m = l; m != NULL; m = m->next) {
		n += pps_line_size(m);
	}
	p = buf = malloc(n);
	assert(buf != NULL);
	for (; l != NULL; l = l->next) {
		p += sprintf(p, "%s%s:%s:%s\n", l->nopersist ? "[n]" : "",
		    l->name, l->enc, l->val);
	}
	*len = (size_t) (p - buf);
	return buf;
}

static bool
same(const struct pps_line *a, const struct pps_line *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		if (strcmp(a->name, b->name) != 0 ||
		    strcmp(a->enc, b->enc) != 0 ||
		    strcmp(a->val, b->val) != 0 ||
		    a->nopersist != b->nopersist) {
			return false;
		}
	}
	return a == NULL && b == NULL;
}

/* Applies one write to *list; whether it was taken. */
static bool
one(struct pps_line **list, const char *in, size_t size)
{
	struct pps_line *out = (struct pps_line *) 1;
	struct pps_text g;
	bool any;
	int rc = pps_lines_apply(*list, "obj", in, size, &out, &g, &any);

	assert(rc == 0 || rc == EINVAL || rc == ENOMEM);
	if (rc != 0) {
		assert(out == NULL && g.p == NULL && g.len == 0 && !any);
		return false;
	}
	assert(g.len >= 5 && memcmp(g.p, "@obj\n", 5) == 0);
	check_list(out);
	free(g.p);
	pps_lines_free(*list);
	*list = out;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0xff, size);
	size_t first = cut != NULL ? (size_t) (cut - data) : size;
	struct pps_line *list = NULL, *again = NULL;
	char *in = malloc(size > 0 ? size : 1), *text;
	size_t tlen;

	assert(in != NULL);
	memcpy(in, data, size); /* exactly size bytes: ASan sees more */
	(void) one(&list, in, first);
	if (cut != NULL) {
		(void) one(&list, in + first + 1, size - first - 1);
	}
	text = render(list, &tlen);
	assert(one(&again, text, tlen));
	assert(same(list, again));
	free(text);
	pps_lines_free(list);
	pps_lines_free(again);
	free(in);
	return 0;
}
