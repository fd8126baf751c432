/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the PPS decoder (src/lib/pps.c): text a PPS
 * object's publisher or a JSON peer controls.  The first byte picks
 * the parser ('J' pps_decoder_parse_json_str, else
 * pps_decoder_parse_pps_str), the rest is the text.  Properties: never
 * crashes or reads outside the text; answers OK, PARSE_ERROR or NO_MEM
 * only, and an empty decoder on failure; every element of the tree
 * answers the getters as its type says; re-encoded with
 * pps_encoder_add_from_decoder() (failing only for data of an unknown
 * encoding, which may hide in a deleted object) and decoded again, the tree is the same: types, names,
 * flags, strings, numbers and booleans.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sys/pps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int unknown;

/* Every element of the current container, checked against its type. */
static void
walk(pps_decoder_t *d, int depth)
{
	int n = pps_decoder_length(d);

	assert(depth <= AXON_PPS_MAX_DEPTH + 2);
	for (int i = 0; i < n; i++) {
		assert(pps_decoder_goto_index(d, (unsigned) i) == PPS_DECODER_OK);
		pps_node_type_t t = pps_decoder_type(d, NULL);
		const char *s;
		double x;
		bool b;
		int64_t v;

		assert(t != PPS_TYPE_NONE);
		(void) pps_decoder_name(d);
		(void) pps_decoder_flags(d, NULL);
		unknown |= t == PPS_TYPE_UNKNOWN;
		assert((pps_decoder_get_string(d, NULL, &s) == PPS_DECODER_OK) ==
		    (t == PPS_TYPE_STRING));
		pps_decoder_goto_index(d, (unsigned) i);
		assert((pps_decoder_get_double(d, NULL, &x) == PPS_DECODER_OK) ==
		    (t == PPS_TYPE_NUMBER));
		pps_decoder_goto_index(d, (unsigned) i);
		assert((pps_decoder_get_bool(d, NULL, &b) == PPS_DECODER_OK) ==
		    (t == PPS_TYPE_BOOL));
		pps_decoder_goto_index(d, (unsigned) i);
		bool isint = pps_decoder_is_integer(d, NULL);

		assert((pps_decoder_get_int64(d, NULL, &v) == PPS_DECODER_OK) ==
		    isint);
		pps_decoder_goto_index(d, (unsigned) i);
		if (t == PPS_TYPE_ARRAY || t == PPS_TYPE_OBJECT) {
			if (pps_decoder_push(d, NULL) != PPS_DECODER_OK) {
				/* A deleted object: its content is not
				 * walked, so may hold an unknown one. */
				assert(pps_decoder_flags(d, NULL) & PPS_DELETED);
				unknown = 1;
				continue;
			}
			walk(d, depth + 1);
			assert(pps_decoder_pop(d) == PPS_DECODER_OK);
			assert(pps_decoder_goto_index(d, (unsigned) i) ==
			    PPS_DECODER_OK);
		}
	}
	assert(pps_decoder_goto_index(d, (unsigned) n) == PPS_DECODER_OK);
	assert(pps_decoder_type(d, NULL) == PPS_TYPE_NONE);
}

static void
same(pps_decoder_t *a, pps_decoder_t *b)
{
	int n = pps_decoder_length(a);

	assert(n == pps_decoder_length(b));
	for (int i = 0; i < n; i++) {
		pps_decoder_goto_index(a, (unsigned) i);
		pps_decoder_goto_index(b, (unsigned) i);
		pps_node_type_t t = pps_decoder_type(a, NULL);
		const char *na = pps_decoder_name(a), *nb = pps_decoder_name(b);

		assert(t == pps_decoder_type(b, NULL));
		assert(na == nb || (na != NULL && nb != NULL &&
		    strcmp(na, nb) == 0));
		assert(pps_decoder_flags(a, NULL) == pps_decoder_flags(b, NULL));
		assert(pps_decoder_is_integer(a, NULL) ==
		    pps_decoder_is_integer(b, NULL));
		if (t == PPS_TYPE_STRING) {
			const char *sa, *sb;

			pps_decoder_get_string(a, NULL, &sa);
			pps_decoder_get_string(b, NULL, &sb);
			assert(strcmp(sa, sb) == 0);
		} else if (t == PPS_TYPE_NUMBER) {
			double x, y;
			int64_t p, q;

			pps_decoder_get_double(a, NULL, &x);
			pps_decoder_get_double(b, NULL, &y);
			assert(x == y);
			pps_decoder_goto_index(a, (unsigned) i);
			pps_decoder_goto_index(b, (unsigned) i);
			if (pps_decoder_get_int64(a, NULL, &p) == PPS_DECODER_OK) {
				assert(pps_decoder_get_int64(b, NULL, &q) ==
				    PPS_DECODER_OK && p == q);
			}
		} else if (t == PPS_TYPE_BOOL) {
			bool x, y;

			pps_decoder_get_bool(a, NULL, &x);
			pps_decoder_get_bool(b, NULL, &y);
			assert(x == y);
		} else if ((t == PPS_TYPE_ARRAY || t == PPS_TYPE_OBJECT) &&
		    pps_decoder_push(a, NULL) == PPS_DECODER_OK) {
			assert(pps_decoder_push(b, NULL) == PPS_DECODER_OK);
			same(a, b);
			pps_decoder_pop(a);
			pps_decoder_pop(b);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool json = size > 0 && data[0] == 'J';
	size_t len = size > 0 ? size - 1 : 0;
	char *in = malloc(len + 1);
	pps_decoder_t a, b;
	pps_encoder_t e;
	int rc;

	assert(in != NULL);
	memcpy(in, data + (size > 0), len);
	in[len] = '\0';
	pps_decoder_initialize(&a, NULL);
	rc = json ? pps_decoder_parse_json_str(&a, in) :
	    pps_decoder_parse_pps_str(&a, in);
	assert(rc == PPS_DECODER_OK || rc == PPS_DECODER_PARSE_ERROR ||
	    rc == PPS_DECODER_NO_MEM);
	if (rc != PPS_DECODER_OK) {
		assert(pps_decoder_length(&a) == 0);
		assert(pps_decoder_status(&a, false) == rc);
		pps_decoder_cleanup(&a);
		free(in);
		return 0;
	}
	unknown = 0;
	walk(&a, 0);
	pps_decoder_reset(&a);
	pps_encoder_initialize(&e, json);
	for (int i = 0; i < pps_decoder_length(&a); i++) {
		pps_decoder_goto_index(&a, (unsigned) i);
		pps_encoder_add_from_decoder(&e, NULL, &a);
	}
	if (pps_encoder_error(&e) != PPS_ENCODER_OK) {
		assert(pps_encoder_error(&e) == PPS_ENCODER_INVALID_VALUE &&
		    unknown);
	} else {
		char *out = strdup(pps_encoder_buffer(&e));

		assert(out != NULL);
		pps_decoder_initialize(&b, NULL);
		rc = json ? pps_decoder_parse_json_str(&b, out) :
		    pps_decoder_parse_pps_str(&b, out);
		assert(rc == PPS_DECODER_OK);
		pps_decoder_reset(&a);
		same(&a, &b);
		pps_decoder_cleanup(&b);
		free(out);
	}
	pps_encoder_cleanup(&e);
	pps_decoder_cleanup(&a);
	free(in);
	return 0;
}
