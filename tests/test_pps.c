/* SPDX-License-Identifier: MIT */
/*
 * <sys/pps.h> (pps(3)): the documented examples of QNX's PPS encoder
 * and decoder (a GPS object encoded, then decoded; the "all or nothing"
 * status; iterating an array; object and attribute flags), ppsparse()
 * line by line, round trips of nested data, and each error path.
 */
#define _GNU_SOURCE
#include <sys/pps.h>

#include "axon_test.h"

/* The GPS object of QNX's encoding example, written our own way. */
START_TEST(test_encode_gps)
{
	pps_encoder_t e;

	pps_encoder_initialize(&e, false);
	pps_encoder_start_object(&e, "@gps");
	pps_encoder_add_double(&e, "speed", 65.412);
	pps_encoder_add_string(&e, "city", "Ottawa");
	pps_encoder_start_object(&e, "position");
	pps_encoder_add_double(&e, "latitude", 45.6512);
	pps_encoder_add_double(&e, "longitude", -75.9041);
	pps_encoder_end_object(&e);
	pps_encoder_end_object(&e);
	ck_assert_int_eq(pps_encoder_error(&e), PPS_ENCODER_OK);
	const char *want = "@gps\nspeed:n:65.412\ncity::Ottawa\n"
	    "position:json:{\"latitude\":45.6512,\"longitude\":-75.9041}\n";

	ck_assert_str_eq(pps_encoder_buffer(&e), want);
	ck_assert_int_eq(pps_encoder_length(&e), (int) strlen(want));
	/* The simplest encodings: c only for a newline, b, json null. */
	pps_encoder_reset(&e);
	pps_encoder_add_string(&e, "msg", "two\nlines\\");
	pps_encoder_add_bool(&e, "on", true);
	pps_encoder_add_int(&e, "n", -3);
	pps_encoder_add_int64(&e, "big", INT64_MAX);
	pps_encoder_add_null(&e, "nothing");
	pps_encoder_delete_attribute(&e, "old");
	pps_encoder_start_array(&e, "list");
	pps_encoder_add_string(&e, NULL, "a\"b");
	pps_encoder_add_bool(&e, NULL, false);
	pps_encoder_end_array(&e);
	ck_assert_str_eq(pps_encoder_buffer(&e),
	    "msg:c:two\\nlines\\\\\non:b:true\nn:n:-3\n"
	    "big:n:9223372036854775807\nnothing:json:null\n-old\n"
	    "list:json:[\"a\\\"b\",false]\n");
	pps_encoder_cleanup(&e);
}
END_TEST

/* QNX's decoding example: the same data, read back field by field. */
START_TEST(test_decode_gps)
{
	char buf[] = "@gps\ncity::Ottawa\nspeed:n:65.412\n"
	    "position:json:{\"latitude\":45.6512,\"longitude\":-75.9041}\n";
	pps_decoder_t d;
	const char *city = NULL;
	double lat = 0, lon = 0, speed = 0;

	ck_assert_int_eq(pps_decoder_initialize(&d, NULL), PPS_DECODER_OK);
	ck_assert_int_eq(pps_decoder_parse_pps_str(&d, buf), PPS_DECODER_OK);
	ck_assert_str_eq(pps_decoder_name(&d), "gps");
	ck_assert_int_eq(pps_decoder_push(&d, NULL), PPS_DECODER_OK);
	pps_decoder_get_double(&d, "speed", &speed);
	pps_decoder_get_string(&d, "city", &city);
	pps_decoder_push(&d, "position");
	pps_decoder_get_double(&d, "latitude", &lat);
	pps_decoder_get_double(&d, "longitude", &lon);
	pps_decoder_pop(&d);
	pps_decoder_pop(&d);
	ck_assert_int_eq(pps_decoder_status(&d, false), PPS_DECODER_OK);
	ck_assert_str_eq(city, "Ottawa");
	ck_assert(speed == 65.412 && lat == 45.6512 && lon == -75.9041);
	/* The strings are in buf: modified in place, as documented. */
	ck_assert(city >= buf && city < buf + sizeof(buf));
	ck_assert_int_eq(pps_decoder_pop(&d), PPS_DECODER_POP_AT_ROOT);
	pps_decoder_cleanup(&d);
}
END_TEST

/* "All or nothing": one status at the end; pre-initialised variables
 * keep their values for what is missing or of another type. */
START_TEST(test_status)
{
	char buf[] = "@msg\nname::widget\nsize:n:12\n";
	pps_decoder_t d;
	const char *name = NULL, *serial = "unset";
	int size = -1;
	bool b = false;

	pps_decoder_initialize(&d, NULL);
	pps_decoder_parse_pps_str(&d, buf);
	pps_decoder_push(&d, NULL);
	pps_decoder_get_string(&d, "name", &name);
	pps_decoder_get_int(&d, "size", &size);
	ck_assert_int_eq(pps_decoder_status(&d, false), PPS_DECODER_OK);
	ck_assert_int_eq(pps_decoder_get_string(&d, "serial_no", &serial),
	    PPS_DECODER_NOT_FOUND);
	ck_assert_int_eq(pps_decoder_get_bool(&d, "size", &b),
	    PPS_DECODER_BAD_TYPE);
	ck_assert_str_eq(serial, "unset");
	ck_assert_str_eq(name, "widget");
	ck_assert_int_eq(size, 12);
	/* The first error is kept; clearing forgets it. */
	ck_assert_int_eq(pps_decoder_status(&d, true), PPS_DECODER_NOT_FOUND);
	ck_assert_int_eq(pps_decoder_status(&d, false), PPS_DECODER_OK);
	pps_decoder_cleanup(&d);
}
END_TEST

/* Iterating an array with pps_decoder_type() until PPS_TYPE_NONE;
 * unknown data with ".", names, lengths, indices and saved states. */
START_TEST(test_walk)
{
	char buf[] = "{\"v\":[1,2.5,-3e2],\"o\":{\"k\":\"s\"},\"z\":null}";
	pps_decoder_t d;
	pps_decoder_state_t st;
	double vals[4];
	int i = 0;

	pps_decoder_initialize(&d, NULL);
	ck_assert_int_eq(pps_decoder_parse_json_str(&d, buf), PPS_DECODER_OK);
	ck_assert_int_eq(pps_decoder_push(&d, NULL), PPS_DECODER_OK);
	ck_assert_int_eq(pps_decoder_type(&d, "."), PPS_TYPE_OBJECT);
	ck_assert_int_eq(pps_decoder_length(&d), 3);
	ck_assert_int_eq(pps_decoder_push_array(&d, "v"), PPS_DECODER_OK);
	while (pps_decoder_type(&d, NULL) != PPS_TYPE_NONE && i < 4) {
		pps_decoder_get_double(&d, NULL, &vals[i++]);
	}
	ck_assert_int_eq(i, 3);
	ck_assert(vals[0] == 1 && vals[1] == 2.5 && vals[2] == -300);
	pps_decoder_goto_index(&d, 0);
	ck_assert(pps_decoder_is_integer(&d, NULL));
	pps_decoder_get_state(&d, &st);
	pps_decoder_next(&d);
	ck_assert(!pps_decoder_is_integer(&d, NULL));
	int iv = 0;

	ck_assert_int_eq(pps_decoder_get_int(&d, NULL, &iv),
	    PPS_DECODER_CONVERSION_FAILED);
	pps_decoder_set_state(&d, &st);
	ck_assert_int_eq(pps_decoder_get_int(&d, NULL, &iv), PPS_DECODER_OK);
	ck_assert_int_eq(iv, 1);
	ck_assert_int_eq(pps_decoder_goto_index(&d, 4), PPS_DECODER_NOT_FOUND);
	pps_decoder_pop(&d);
	/* After a pop, the element after the array. */
	ck_assert_str_eq(pps_decoder_name(&d), "o");
	ck_assert_int_eq(pps_decoder_push_array(&d, NULL),
	    PPS_DECODER_BAD_TYPE);
	ck_assert_int_eq(pps_decoder_push_object(&d, NULL), PPS_DECODER_OK);
	const char *s = NULL;

	ck_assert_int_eq(pps_decoder_get_string(&d, "k", &s), PPS_DECODER_OK);
	ck_assert_str_eq(s, "s");
	pps_decoder_pop(&d);
	ck_assert_int_eq(pps_decoder_type(&d, "z"), PPS_TYPE_NULL);
	ck_assert_int_eq(pps_decoder_set_position(&d, "v"), PPS_DECODER_OK);
	ck_assert_str_eq(pps_decoder_name(&d), "v");
	ck_assert_int_eq(pps_decoder_push(&d, "nope"), PPS_DECODER_NOT_FOUND);
	ck_assert_int_eq(pps_decoder_push(&d, "z"), PPS_DECODER_BAD_TYPE);
	pps_decoder_reset(&d);
	ck_assert_int_eq(pps_decoder_type(&d, "."), PPS_TYPE_OBJECT);
	ck_assert_int_eq(pps_decoder_pop(&d), PPS_DECODER_POP_AT_ROOT);
	pps_decoder_cleanup(&d);
}
END_TEST

/* Flags: +@ created, -@ deleted, #@ truncated, *@ purged, -attr; the
 * server example reads a client's name and its state. */
START_TEST(test_flags)
{
	char buf[] = "+@client1\n[n]x::1\n-@client2\n#@t\n*@p\n@o\n-gone\n"
	    "[-i]keep:c:a\\tb\n";
	pps_decoder_t d;

	pps_decoder_initialize(&d, NULL);
	ck_assert_int_eq(pps_decoder_parse_pps_str(&d, buf), PPS_DECODER_OK);
	ck_assert_str_eq(pps_decoder_name(&d), "client1");
	ck_assert(pps_decoder_flags(&d, NULL) & PPS_CREATED);
	ck_assert(pps_decoder_flags(&d, "client2") & PPS_DELETED);
	ck_assert_int_eq(pps_decoder_push(&d, "client2"),
	    PPS_DECODER_DELETED);
	ck_assert(pps_decoder_flags(&d, "t") & PPS_TRUNCATED);
	ck_assert(pps_decoder_flags(&d, "p") & PPS_PURGED);
	ck_assert_int_eq(pps_decoder_flags(&d, "o"), 0);
	pps_decoder_push(&d, "o");
	ck_assert_int_eq(pps_decoder_type(&d, "gone"), PPS_TYPE_DELETED);
	ck_assert(pps_decoder_flags(&d, "gone") & PPS_DELETED);
	const char *s;

	ck_assert_int_eq(pps_decoder_get_string(&d, "gone", &s),
	    PPS_DECODER_DELETED);
	ck_assert_int_eq(pps_decoder_get_string(&d, "keep", &s),
	    PPS_DECODER_OK);
	ck_assert_str_eq(s, "a\tb");
	pps_decoder_cleanup(&d);
	/* initialize() with a string parses a copy of it. */
	ck_assert_int_eq(pps_decoder_initialize(&d, "@a\nb:b:false\n"),
	    PPS_DECODER_OK);
	pps_decoder_push(&d, "a");
	bool b = true;

	ck_assert_int_eq(pps_decoder_get_bool(&d, "b", &b), PPS_DECODER_OK);
	ck_assert(!b);
	pps_decoder_cleanup(&d);
}
END_TEST

START_TEST(test_ppsparse)
{
	char buf[] = "@obj\n[n-i]a::x:y\n+@new\n-attr\nbad line\nlast:n:1";
	const char *const objs[] = {"other", "new", NULL};
	const char *const attrs[] = {"a", NULL};
	char *p = buf;
	pps_attrib_t info;

	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(ppsparse(&p, objs, attrs, &info, 0), PPS_OBJECT);
	ck_assert_str_eq(info.obj_name, "obj");
	ck_assert_int_eq(info.obj_index, -1);
	ck_assert_int_eq(ppsparse(&p, objs, attrs, &info, 0), PPS_ATTRIBUTE);
	ck_assert_str_eq(info.attr_name, "a");
	ck_assert_int_eq(info.attr_index, 0);
	ck_assert_str_eq(info.encoding, "");
	ck_assert_str_eq(info.value, "x:y");	/* later colons are data */
	ck_assert_int_eq(info.options, PPS_NOPERSIST);
	ck_assert_int_eq(info.option_mask, PPS_NOPERSIST | PPS_ITEM);
	ck_assert_int_eq(ppsparse(&p, objs, attrs, &info, 0),
	    PPS_OBJECT_CREATED);
	ck_assert_int_eq(info.obj_index, 1);
	ck_assert(info.flags & PPS_CREATED);
	ck_assert_int_eq(ppsparse(&p, objs, attrs, &info, 0),
	    PPS_ATTRIBUTE_DELETED);
	ck_assert_str_eq(info.attr_name, "attr");
	ck_assert_int_eq(ppsparse(&p, objs, attrs, &info, 0), PPS_ERROR);
	ck_assert_str_eq(info.line, "bad line");
	/* The last line has no newline: incomplete, left in place. */
	ck_assert_int_eq(ppsparse(&p, objs, attrs, &info, 0), PPS_END);
	ck_assert(info.flags & PPS_INCOMPLETE);
	ck_assert_str_eq(p, "last:n:1");
}
END_TEST

static void
check_same(pps_decoder_t *a, pps_decoder_t *b)
{
	int n = pps_decoder_length(a);

	ck_assert_int_eq(n, pps_decoder_length(b));
	for (int i = 0; i < n; i++) {
		pps_decoder_goto_index(a, (unsigned) i);
		pps_decoder_goto_index(b, (unsigned) i);
		pps_node_type_t t = pps_decoder_type(a, NULL);
		const char *na = pps_decoder_name(a), *nb = pps_decoder_name(b);

		ck_assert_int_eq(t, pps_decoder_type(b, NULL));
		ck_assert(na == nb || (na && nb && strcmp(na, nb) == 0));
		if (t == PPS_TYPE_ARRAY || t == PPS_TYPE_OBJECT) {
			pps_decoder_push(a, NULL);
			pps_decoder_push(b, NULL);
			check_same(a, b);
			pps_decoder_pop(a);
			pps_decoder_pop(b);
		} else if (t == PPS_TYPE_STRING) {
			const char *sa, *sb;

			pps_decoder_get_string(a, NULL, &sa);
			pps_decoder_get_string(b, NULL, &sb);
			ck_assert_str_eq(sa, sb);
		} else if (t == PPS_TYPE_NUMBER) {
			double x, y;

			pps_decoder_get_double(a, NULL, &x);
			pps_decoder_get_double(b, NULL, &y);
			ck_assert(x == y);
		}
	}
}

/* decode(encode(x)) == x for nested arrays and objects, both forms. */
START_TEST(test_round_trip)
{
	char json[] = "[{\"a\":[[],{},[1,[2,[3,{\"b\":\"\\u00e9\\ud83d\\ude00\\n\"}]]]],"
	    "\"t\":true,\"f\":false,\"n\":null,\"x\":0.1,\"y\":-1e-300,"
	    "\"i\":-9223372036854775808,\"s\":\"q\\\"\\\\/\\t\"}]";
	char pps[] = "@o\ns:c:line1\\nline2\nj:json:{\"k\":[1,{\"m\":null}]}\n"
	    "-del\nnum:n:123456789012345678\n";
	char *srcs[2] = {json, pps};

	for (int k = 0; k < 2; k++) {
		pps_decoder_t a, b;
		pps_encoder_t e;

		pps_decoder_initialize(&a, NULL);
		pps_decoder_initialize(&b, NULL);
		pps_encoder_initialize(&e, k == 0);
		ck_assert_int_eq(k == 0 ? pps_decoder_parse_json_str(&a, srcs[k])
		    : pps_decoder_parse_pps_str(&a, srcs[k]), PPS_DECODER_OK);
		for (int i = 0; i < pps_decoder_length(&a); i++) {
			pps_decoder_goto_index(&a, (unsigned) i);
			ck_assert_int_eq(pps_encoder_add_from_decoder(&e, NULL, &a),
			    PPS_ENCODER_OK);
		}
		char *out = strdup(pps_encoder_buffer(&e));

		ck_assert_int_eq(k == 0 ? pps_decoder_parse_json_str(&b, out)
		    : pps_decoder_parse_pps_str(&b, out), PPS_DECODER_OK);
		pps_decoder_reset(&a);
		check_same(&a, &b);
		free(out);
		pps_decoder_cleanup(&a);
		pps_decoder_cleanup(&b);
		pps_encoder_cleanup(&e);
	}
	/* \u escapes become UTF-8. */
	char u[] = "\"\\u00e9\\ud83d\\ude00\"";
	pps_decoder_t d;
	const char *s;

	pps_decoder_initialize(&d, NULL);
	ck_assert_int_eq(pps_decoder_parse_json_str(&d, u), PPS_DECODER_OK);
	ck_assert_int_eq(pps_decoder_get_string(&d, NULL, &s), PPS_DECODER_OK);
	ck_assert_str_eq(s, "\xc3\xa9\xf0\x9f\x98\x80");
	pps_decoder_cleanup(&d);
}
END_TEST

/* Parses a copy of text; a failure leaves the decoder empty. */
static int
parse_text(const char *text, bool json)
{
	pps_decoder_t d;
	char *copy = strdup(text);
	int rc;

	pps_decoder_initialize(&d, NULL);
	rc = json ? pps_decoder_parse_json_str(&d, copy) :
	    pps_decoder_parse_pps_str(&d, copy);
	if (rc != PPS_DECODER_OK) {
		ck_assert_int_eq(pps_decoder_length(&d), 0);
		ck_assert_int_eq(pps_decoder_type(&d, NULL), PPS_TYPE_NONE);
	}
	pps_decoder_cleanup(&d);
	free(copy);
	return rc;
}

#define parse_json(t) parse_text((t), true)
#define parse_pps(t) parse_text((t), false)

START_TEST(test_decode_errors)
{
	static const char *const bad_json[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-",
		"tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\u0000\"", "\"a\tb\"", "[1] 2", "1e999",
		"{1:2}", "[\"a\" \"b\"]",
	};
	for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		ck_assert_msg(parse_json(bad_json[i]) == PPS_DECODER_PARSE_ERROR,
		    "%s", bad_json[i]);
	}
	static const char *const bad_pps[] = {
		"@\n", "a:b\n", "1a::x\n", "a:b:maybe\n", "a:n:12x\n",
		"a:c:x\\q\n", "a:c:x\\\n", "a:c:\\0\n", "a:json:{\n",
		"a:json:1 2\n", "[z]a::1\n", "+a::1\n", "%@o\n", "-1a\n",
	};
	for (size_t i = 0; i < sizeof(bad_pps) / sizeof(bad_pps[0]); i++) {
		ck_assert_msg(parse_pps(bad_pps[i]) == PPS_DECODER_PARSE_ERROR,
		    "%s", bad_pps[i]);
	}
	/* An unknown encoding is data of unknown type, not an error. */
	char unk[] = "@o\nimg:b64:AAAA\n";
	pps_decoder_t d;
	const char *s;

	pps_decoder_initialize(&d, NULL);
	ck_assert_int_eq(pps_decoder_parse_pps_str(&d, unk), PPS_DECODER_OK);
	pps_decoder_push(&d, NULL);
	ck_assert_int_eq(pps_decoder_type(&d, "img"), PPS_TYPE_UNKNOWN);
	ck_assert_int_eq(pps_decoder_get_string(&d, "img", &s),
	    PPS_DECODER_BAD_TYPE);
	ck_assert_int_eq(pps_decoder_parse_pps_str(&d, NULL),
	    PPS_DECODER_PARSE_ERROR);
	pps_decoder_cleanup(&d);
	/* Integers out of range. */
	char big[] = "[3000000000, 1.5, 9223372036854775807]";
	int iv = 7;
	int64_t lv = 0;

	pps_decoder_initialize(&d, NULL);
	pps_decoder_parse_json_str(&d, big);
	pps_decoder_push(&d, NULL);
	ck_assert_int_eq(pps_decoder_get_int(&d, NULL, &iv),
	    PPS_DECODER_CONVERSION_FAILED);
	ck_assert_int_eq(iv, 7);
	ck_assert_int_eq(pps_decoder_get_int64(&d, NULL, &lv), PPS_DECODER_OK);
	ck_assert(lv == 3000000000LL);
	pps_decoder_next(&d);
	ck_assert_int_eq(pps_decoder_get_int64(&d, NULL, &lv), PPS_DECODER_OK);
	ck_assert(lv == INT64_MAX);
	ck_assert_int_eq(pps_decoder_next(&d), PPS_DECODER_NOT_FOUND);
	pps_decoder_cleanup(&d);
}
END_TEST

/* The depth limit: AXON_PPS_MAX_DEPTH levels parse, one more fails;
 * a megabyte-deep nesting fails without exhausting the stack. */
START_TEST(test_depth)
{
	size_t big = 1 << 20;
	char *s = malloc(2 * big + 1);

	for (int depth = AXON_PPS_MAX_DEPTH; depth <= AXON_PPS_MAX_DEPTH + 1;
	    depth++) {
		memset(s, '[', (size_t) depth);
		memset(s + depth, ']', (size_t) depth);
		s[2 * depth] = '\0';
		ck_assert_int_eq(parse_json(s), depth <= AXON_PPS_MAX_DEPTH ?
		    PPS_DECODER_OK : PPS_DECODER_PARSE_ERROR);
	}
	memset(s, '[', big);
	memset(s + big, ']', big);
	s[2 * big] = '\0';
	ck_assert_int_eq(parse_json(s), PPS_DECODER_PARSE_ERROR);
	free(s);
}
END_TEST

START_TEST(test_encode_errors)
{
	pps_encoder_t e;

	pps_encoder_initialize(&e, false);
	ck_assert_int_eq(pps_encoder_add_int(&e, NULL, 1),
	    PPS_ENCODER_MISSING_ATTRIBUTE_NAME);
	/* Sticky until reset. */
	ck_assert_int_eq(pps_encoder_add_int(&e, "ok", 1),
	    PPS_ENCODER_MISSING_ATTRIBUTE_NAME);
	ck_assert_ptr_null(pps_encoder_buffer(&e));
	pps_encoder_reset(&e);
	ck_assert_int_eq(pps_encoder_end_object(&e), PPS_ENCODER_BAD_NESTING);
	pps_encoder_reset(&e);
	pps_encoder_start_array(&e, "a");
	ck_assert_ptr_null(pps_encoder_buffer(&e));	/* not closed yet */
	ck_assert_int_eq(pps_encoder_end_object(&e), PPS_ENCODER_BAD_NESTING);
	pps_encoder_reset(&e);
	ck_assert_int_eq(pps_encoder_add_double(&e, "x", NAN),
	    PPS_ENCODER_INVALID_VALUE);
	pps_encoder_reset(&e);
	ck_assert_int_eq(pps_encoder_add_json(&e, "j", "{\"a\":"),
	    PPS_ENCODER_INVALID_VALUE);
	pps_encoder_reset(&e);
	ck_assert_int_eq(pps_encoder_add_json(&e, "j", " [1, {\"b\" : 2}]\n"),
	    PPS_ENCODER_OK);
	ck_assert_str_eq(pps_encoder_buffer(&e), "j:json:[1,{\"b\":2}]\n");
	pps_encoder_reset(&e);
	ck_assert_int_eq(pps_encoder_add_string(&e, "bad name", "x"),
	    PPS_ENCODER_INVALID_VALUE);
	pps_encoder_reset(&e);
	pps_decoder_t d;

	pps_decoder_initialize(&d, "@o\na::1\n");
	pps_decoder_push(&d, NULL);
	ck_assert_int_eq(pps_encoder_add_from_decoder(&e, "zz", &d),
	    PPS_ENCODER_NOT_FOUND);
	pps_decoder_cleanup(&d);
	pps_encoder_reset(&e);
	for (int i = 0; i < AXON_PPS_MAX_DEPTH + 8; i++) {
		pps_encoder_start_array(&e, i == 0 ? "deep" : NULL);
	}
	ck_assert_int_eq(pps_encoder_error(&e), PPS_ENCODER_BAD_NESTING);
	pps_encoder_cleanup(&e);
	/* JSON: one root value; deletions cannot be said. */
	pps_encoder_initialize(&e, true);
	pps_encoder_add_int(&e, NULL, 1);
	ck_assert_int_eq(pps_encoder_add_int(&e, NULL, 2),
	    PPS_ENCODER_BAD_NESTING);
	pps_encoder_reset(&e);
	ck_assert_int_eq(pps_encoder_delete_attribute(&e, "x"),
	    PPS_ENCODER_INVALID_VALUE);
	pps_encoder_reset(&e);
	pps_encoder_start_object(&e, NULL);
	ck_assert_int_eq(pps_encoder_add_int(&e, NULL, 2),
	    PPS_ENCODER_MISSING_ATTRIBUTE_NAME);
	pps_encoder_cleanup(&e);
}
END_TEST

/* A long encoding grows the buffer: 100 000 attributes, all there. */
START_TEST(test_growth)
{
	pps_encoder_t e;
	char name[32];

	pps_encoder_initialize(&e, false);
	pps_encoder_start_object(&e, "@big");
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		pps_encoder_add_int(&e, name, i);
	}
	pps_encoder_end_object(&e);
	ck_assert_int_eq(pps_encoder_error(&e), PPS_ENCODER_OK);
	char *copy = strdup(pps_encoder_buffer(&e));
	pps_decoder_t d;
	int v = -1;

	ck_assert_int_gt(pps_encoder_length(&e), 1000000);
	pps_decoder_initialize(&d, NULL);
	ck_assert_int_eq(pps_decoder_parse_pps_str(&d, copy), PPS_DECODER_OK);
	pps_decoder_push(&d, "big");
	ck_assert_int_eq(pps_decoder_length(&d), 100000);
	ck_assert_int_eq(pps_decoder_get_int(&d, "a99999", &v), PPS_DECODER_OK);
	ck_assert_int_eq(v, 99999);
	pps_decoder_cleanup(&d);
	pps_encoder_cleanup(&e);
	free(copy);
}
END_TEST

static Suite *
pps_suite(void)
{
	Suite *s = suite_create("pps");
	TCase *t = axt_tcase("pps", 30);

	tcase_add_test(t, test_encode_gps);
	tcase_add_test(t, test_decode_gps);
	tcase_add_test(t, test_status);
	tcase_add_test(t, test_walk);
	tcase_add_test(t, test_flags);
	tcase_add_test(t, test_ppsparse);
	tcase_add_test(t, test_round_trip);
	tcase_add_test(t, test_decode_errors);
	tcase_add_test(t, test_depth);
	tcase_add_test(t, test_encode_errors);
	tcase_add_test(t, test_growth);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(pps_suite());
}
