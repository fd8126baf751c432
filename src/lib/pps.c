/* SPDX-License-Identifier: MIT */
/*
 * <sys/pps.h>: QNX's PPS encoding and decoding API and ppsparse()
 * (pps(3)).  Pure text handling, no I/O but pps_decoder_dump_tree().
 *
 * The decoder parses a whole buffer into a tree before it answers
 * anything: a line or value that does not parse fails the parse and
 * leaves the decoder empty.  Strings stay in the caller's buffer,
 * unescaped in place (never longer than their escaped form).  JSON is
 * parsed without recursion, at most AXON_PPS_MAX_DEPTH deep; the
 * recursive walks (re-encoding, dumping) are bounded by that depth.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sys/pps.h"

enum { N_PPSOBJ = 0x80 };	/* node flag: an @object line's object */

struct axon_pps_node {
	const char *name;
	const char *str;
	double num;
	int64_t i64;
	int parent;
	int pos;		/* index within the parent */
	int kid0;		/* first of its children in __kids */
	int nkids;
	uint8_t type;
	uint8_t flags;
	uint8_t isint;
	uint8_t b;
};

typedef struct axon_pps_node node_t;

/* ------------------------------------------------------------------ */
/* Numbers in the C locale, whatever the program's. */

static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;

static void
c_loc_init(void)
{
	c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t) 0);
}

static locale_t
cloc(void)
{
	pthread_once(&c_loc_once, c_loc_init);
	return c_loc;
}

/* A JSON number at s (also the n encoding's syntax): its length, 0 if
 * none. */
static size_t
num_len(const char *s)
{
	const char *p = s;

	if (*p == '-') {
		p++;
	}
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9') {
			p++;
		}
	} else {
		return 0;
	}
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9')) {
			return 0;
		}
		while (*p >= '0' && *p <= '9') {
			p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-') {
			p++;
		}
		if (!(*p >= '0' && *p <= '9')) {
			return 0;
		}
		while (*p >= '0' && *p <= '9') {
			p++;
		}
	}
	return (size_t) (p - s);
}

/* The number of len bytes at s into n; 0, or -1 if out of a double's
 * range. */
static int
num_set(node_t *n, const char *s, size_t len)
{
	char tmp[64];
	char *copy = tmp;
	bool intsyntax = strcspn(s, ".eE") >= len;

	if (len >= sizeof(tmp)) {
		copy = malloc(len + 1);
		if (copy == NULL) {
			return -2;
		}
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	n->type = PPS_TYPE_NUMBER;
	n->num = strtod_l(copy, NULL, cloc());
	n->isint = 0;
	if (isinf(n->num)) {
		if (copy != tmp) {
			free(copy);
		}
		return -1;
	}
	if (intsyntax) {
		char *end;

		errno = 0;
		long long v = strtoll(copy, &end, 10);

		if (errno == 0 && *end == '\0') {
			n->i64 = v;
			n->isint = 1;
		}
	}
	if (!n->isint && n->num == floor(n->num) &&
	    n->num >= -9223372036854775808.0 &&
	    n->num < 9223372036854775808.0) {
		n->i64 = (int64_t) n->num;
		n->isint = 1;
	}
	if (copy != tmp) {
		free(copy);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The decoder's tree. */

static void
dec_clear(pps_decoder_t *d)
{
	free(d->__nodes);
	free(d->__kids);
	d->__nodes = NULL;
	d->__kids = NULL;
	d->__nnodes = 0;
	d->__cap = 0;
	d->__container = 0;
	d->__index = 0;
}

static int
dec_new(pps_decoder_t *d, int parent, uint8_t type, const char *name)
{
	if (d->__nnodes == d->__cap) {
		int cap = d->__cap == 0 ? 32 : d->__cap * 2;
		node_t *n;

		if (d->__cap > INT_MAX / 4) {
			return -1;
		}
		n = realloc(d->__nodes, (size_t) cap * sizeof(*n));
		if (n == NULL) {
			return -1;
		}
		d->__nodes = n;
		d->__cap = cap;
	}
	node_t *n = &d->__nodes[d->__nnodes];

	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->type = type;
	n->name = name;
	return d->__nnodes++;
}

/* Children made contiguous: counted, then placed in node order (which
 * keeps siblings in order, since a child always follows its parent). */
static int
dec_finish(pps_decoder_t *d)
{
	int n = d->__nnodes;
	node_t *nodes = d->__nodes;

	d->__kids = malloc((size_t) (n > 0 ? n : 1) * sizeof(int));
	if (d->__kids == NULL) {
		return -1;
	}
	for (int i = 0; i < n; i++) {
		nodes[i].nkids = 0;
	}
	for (int i = 1; i < n; i++) {
		nodes[nodes[i].parent].nkids++;
	}
	int off = 0;

	for (int i = 0; i < n; i++) {
		nodes[i].kid0 = off;
		off += nodes[i].nkids;
		nodes[i].nkids = 0;
	}
	for (int i = 1; i < n; i++) {
		node_t *p = &nodes[nodes[i].parent];

		nodes[i].pos = p->nkids;
		d->__kids[p->kid0 + p->nkids++] = i;
	}
	d->__container = 0;
	d->__index = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON, parsed in place at *pp into children of parent. */

static const char *
ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
		p++;
	}
	return p;
}

static int
hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char) p[i], h;

		if (c >= '0' && c <= '9') {
			h = c - '0';
		} else if (c >= 'a' && c <= 'f') {
			h = c - 'a' + 10;
		} else if (c >= 'A' && c <= 'F') {
			h = c - 'A' + 10;
		} else {
			return -1;
		}
		*v = *v << 4 | (unsigned) h;
	}
	return 0;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char) cp;
	} else if (cp < 0x800) {
		*o++ = (char) (0xc0 | cp >> 6);
		*o++ = (char) (0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char) (0xe0 | cp >> 12);
		*o++ = (char) (0x80 | (cp >> 6 & 0x3f));
		*o++ = (char) (0x80 | (cp & 0x3f));
	} else {
		*o++ = (char) (0xf0 | cp >> 18);
		*o++ = (char) (0x80 | (cp >> 12 & 0x3f));
		*o++ = (char) (0x80 | (cp >> 6 & 0x3f));
		*o++ = (char) (0x80 | (cp & 0x3f));
	}
	return o;
}

/* A JSON string at *pp (on its opening quote), unescaped in place; its
 * start, or NULL if malformed.  *pp ends past the closing quote. */
static char *
json_string(char **pp)
{
	char *p = *pp + 1, *o = p, *start = p;

	for (;;) {
		unsigned char c = (unsigned char) *p;

		if (c == '"') {
			break;
		}
		if (c < 0x20) {	/* controls, and the end of the text */
			return NULL;
		}
		if (c != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/':
			*o++ = *p++;
			break;
		case 'b': *o++ = '\b'; p++; break;
		case 'f': *o++ = '\f'; p++; break;
		case 'n': *o++ = '\n'; p++; break;
		case 'r': *o++ = '\r'; p++; break;
		case 't': *o++ = '\t'; p++; break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(p + 1, &cp) < 0) {
				return NULL;
			}
			p += 5;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				return NULL;	/* a lone low surrogate */
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[0] != '\\' || p[1] != 'u' ||
				    hex4(p + 2, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff) {
					return NULL;
				}
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0) {
				return NULL;	/* no NUL in a C string */
			}
			o = put_utf8(o, cp);
			break;
		}
		default:
			return NULL;
		}
	}
	*pp = p + 1;
	*o = '\0';	/* o <= p: the quote or earlier */
	return start;
}

/* Before a member's value: in an object the key and its colon (*key),
 * in an array nothing (*key NULL); -1 if malformed. */
static int
next_key(char **pp, bool obj, const char **key)
{
	char *p = *pp;

	*key = NULL;
	if (!obj) {
		return 0;
	}
	if (*p != '"' || (*key = json_string(&p)) == NULL) {
		return -1;
	}
	p = (char *) ws(p);
	if (*p != ':') {
		return -1;
	}
	*pp = p + 1;
	return 0;
}

/* One JSON value at *pp as a child of parent named name; no recursion:
 * open containers are the chain of parents from the node made. */
static int
json_value(pps_decoder_t *d, char **pp, int parent, const char *name)
{
	char *p = *pp;
	int cur = parent;	/* the innermost open container */
	int depth = 0;
	const char *key = name;

	for (;;) {
		int id;

		p = (char *) ws(p);
		/* A value, named key when cur is an object. */
		if (*p == '{' || *p == '[') {
			if (++depth > AXON_PPS_MAX_DEPTH) {
				return PPS_DECODER_PARSE_ERROR;
			}
			id = dec_new(d, cur, *p == '{' ? PPS_TYPE_OBJECT :
			    PPS_TYPE_ARRAY, key);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			bool obj = *p == '{';

			p = (char *) ws(p + 1);
			if (*p == (obj ? '}' : ']')) {
				p++;
				depth--;
				goto closed;
			}
			cur = id;
			if (next_key(&p, obj, &key) < 0) {
				return PPS_DECODER_PARSE_ERROR;
			}
			continue;
		}
		if (*p == '"') {
			char *s = json_string(&p);

			if (s == NULL) {
				return PPS_DECODER_PARSE_ERROR;
			}
			id = dec_new(d, cur, PPS_TYPE_STRING, key);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			d->__nodes[id].str = s;
		} else if (strncmp(p, "true", 4) == 0 ||
		    strncmp(p, "false", 5) == 0) {
			id = dec_new(d, cur, PPS_TYPE_BOOL, key);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			d->__nodes[id].b = *p == 't';
			p += *p == 't' ? 4 : 5;
		} else if (strncmp(p, "null", 4) == 0) {
			id = dec_new(d, cur, PPS_TYPE_NULL, key);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			p += 4;
		} else {
			size_t l = num_len(p);

			if (l == 0) {
				return PPS_DECODER_PARSE_ERROR;
			}
			id = dec_new(d, cur, PPS_TYPE_NUMBER, key);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			int rc = num_set(&d->__nodes[id], p, l);

			if (rc == -2) {
				return PPS_DECODER_NO_MEM;
			}
			if (rc < 0) {
				return PPS_DECODER_PARSE_ERROR;
			}
			p += l;
		}
closed:
		/* After a value: a separator, or closing brackets. */
		for (;;) {
			if (cur == parent) {
				*pp = p;
				return PPS_DECODER_OK;
			}
			bool obj = d->__nodes[cur].type == PPS_TYPE_OBJECT;

			p = (char *) ws(p);
			if (*p == ',') {
				p = (char *) ws(p + 1);
				if (next_key(&p, obj, &key) < 0) {
					return PPS_DECODER_PARSE_ERROR;
				}
				break;
			}
			if (*p != (obj ? '}' : ']')) {
				return PPS_DECODER_PARSE_ERROR;
			}
			p++;
			depth--;
			cur = d->__nodes[cur].parent;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The PPS text format, a line at a time. */

static bool
attr_name_ok(const char *s, size_t len)
{
	if (len == 0 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z'))) {
		return false;
	}
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (!(c == '_' || c == '.' || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
			return false;
		}
	}
	return true;
}

static int
name_index(const char *const *names, const char *name)
{
	if (names == NULL) {
		return -1;
	}
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], name) == 0) {
			return i;
		}
	}
	return -1;
}

/* One line at *pp; an incomplete last line (no newline) is PPS_END
 * unless whole_last.  Checks the whole line before it answers. */
static pps_status_t
parse_line(char **pp, const char *const *objnames,
    const char *const *attrnames, pps_attrib_t *info, bool whole_last)
{
	char *line = *pp, *p, *nl;

	info->attr_name = NULL;
	info->attr_index = -1;
	info->encoding = NULL;
	info->value = NULL;
	info->flags = 0;
	info->options = 0;
	info->option_mask = 0;
	if (*line == '\0') {
		return PPS_END;
	}
	info->line = line;
	nl = strchr(line, '\n');
	if (nl == NULL) {
		if (!whole_last) {
			info->flags = PPS_INCOMPLETE;
			return PPS_END;
		}
		*pp = line + strlen(line);
	} else {
		*nl = '\0';
		*pp = nl + 1;
	}
	p = line;
	if (*p == '[') {
		for (p++; *p != ']'; p++) {
			bool neg = *p == '-';
			int bit;

			if (neg) {
				p++;
			}
			if (*p == 'n') {
				bit = PPS_NOPERSIST;
			} else if (*p == 'i') {
				bit = PPS_ITEM;
			} else {
				return PPS_ERROR;
			}
			info->option_mask |= bit;
			if (neg) {
				info->options &= ~bit;
			} else {
				info->options |= bit;
			}
		}
		p++;
	}
	int flag = 0;
	pps_status_t st = PPS_OBJECT;

	switch (*p) {
	case '+': flag = PPS_CREATED; st = PPS_OBJECT_CREATED; break;
	case '-': flag = PPS_DELETED; st = PPS_OBJECT_DELETED; break;
	case '#': flag = PPS_TRUNCATED; st = PPS_OBJECT_TRUNCATED; break;
	case '*': flag = PPS_PURGED; st = PPS_OBJECT; break;
	default: break;
	}
	if (flag != 0) {
		p++;
	}
	if (*p == '@') {
		if (p[1] == '\0') {
			return PPS_ERROR;
		}
		info->obj_name = p + 1;
		info->obj_index = name_index(objnames, p + 1);
		info->flags = flag;
		return st;
	}
	if (flag == PPS_DELETED) {	/* -name, maybe with ignored rest */
		size_t l = strcspn(p, ":");

		if (!attr_name_ok(p, l)) {
			return PPS_ERROR;
		}
		p[l] = '\0';
		info->attr_name = p;
		info->attr_index = name_index(attrnames, p);
		info->flags = PPS_DELETED;
		return PPS_ATTRIBUTE_DELETED;
	}
	if (flag != 0) {
		return PPS_ERROR;
	}
	char *c1 = strchr(p, ':');
	char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;

	if (c2 == NULL || !attr_name_ok(p, (size_t) (c1 - p))) {
		return PPS_ERROR;
	}
	*c1 = '\0';
	*c2 = '\0';
	info->attr_name = p;
	info->attr_index = name_index(attrnames, p);
	info->encoding = c1 + 1;
	info->value = c2 + 1;
	return PPS_ATTRIBUTE;
}

AXON_EXPORT pps_status_t
ppsparse(char **ppsdata, const char *const *objnames,
    const char *const *attrnames, pps_attrib_t *info, int parse_flags)
{
	(void) parse_flags;
	if (ppsdata == NULL || *ppsdata == NULL || info == NULL) {
		return PPS_ERROR;
	}
	return parse_line(ppsdata, objnames, attrnames, info, false);
}

/* A c-encoded value, unescaped in place; -1 if malformed. */
static int
c_unescape(char *s)
{
	char *o = s;

	while (*s != '\0') {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		int v;

		switch (*s) {
		case 'a': v = '\a'; s++; break;
		case 'b': v = '\b'; s++; break;
		case 'f': v = '\f'; s++; break;
		case 'n': v = '\n'; s++; break;
		case 'r': v = '\r'; s++; break;
		case 't': v = '\t'; s++; break;
		case 'v': v = '\v'; s++; break;
		case '\\': case '\'': case '"': case '?':
			v = *s++;
			break;
		case 'x': {
			int k = 0;

			v = 0;
			for (s++; k < 2; k++, s++) {
				int c = *s;

				if (c >= '0' && c <= '9') {
					v = v * 16 + c - '0';
				} else if (c >= 'a' && c <= 'f') {
					v = v * 16 + c - 'a' + 10;
				} else if (c >= 'A' && c <= 'F') {
					v = v * 16 + c - 'A' + 10;
				} else {
					break;
				}
			}
			if (k == 0) {
				return -1;
			}
			break;
		}
		default:
			if (*s < '0' || *s > '7') {
				return -1;	/* and a lone last backslash */
			}
			v = 0;
			for (int k = 0; k < 3 && *s >= '0' && *s <= '7'; k++) {
				v = v * 8 + *s++ - '0';
			}
			if (v > 0xff) {
				return -1;
			}
			break;
		}
		if (v == 0) {
			return -1;
		}
		*o++ = (char) v;
	}
	*o = '\0';
	return 0;
}

/* An attribute's value by its encoding, as node id. */
static int
attr_value(pps_decoder_t *d, int id, char *enc, char *val)
{
	node_t *n = &d->__nodes[id];

	if (strcmp(enc, "") == 0) {
		n->type = PPS_TYPE_STRING;
		n->str = val;
	} else if (strcmp(enc, "c") == 0) {
		if (c_unescape(val) < 0) {
			return PPS_DECODER_PARSE_ERROR;
		}
		n->type = PPS_TYPE_STRING;
		n->str = val;
	} else if (strcmp(enc, "b") == 0) {
		if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
			return PPS_DECODER_PARSE_ERROR;
		}
		n->type = PPS_TYPE_BOOL;
		n->b = val[0] == 't';
	} else if (strcmp(enc, "n") == 0) {
		size_t l = num_len(val);
		int rc;

		if (l == 0 || val[l] != '\0') {
			return PPS_DECODER_PARSE_ERROR;
		}
		rc = num_set(n, val, l);
		if (rc != 0) {
			return rc == -2 ? PPS_DECODER_NO_MEM :
			    PPS_DECODER_PARSE_ERROR;
		}
	} else if (strcmp(enc, "json") == 0) {
		/* The value replaces the placeholder node id. */
		const char *name = n->name;
		int parent = n->parent;
		char *p = val;
		int rc;

		d->__nnodes--;
		rc = json_value(d, &p, parent, name);
		if (rc != PPS_DECODER_OK) {
			return rc;
		}
		if (*ws(p) != '\0') {
			return PPS_DECODER_PARSE_ERROR;
		}
	} else {
		n->type = PPS_TYPE_UNKNOWN;
		n->str = val;
	}
	return PPS_DECODER_OK;
}

static int
parse_pps(pps_decoder_t *d, char *str)
{
	pps_attrib_t info;
	int cont = 0, rc;

	memset(&info, 0, sizeof(info));
	if (dec_new(d, -1, PPS_TYPE_OBJECT, NULL) < 0) {
		return PPS_DECODER_NO_MEM;
	}
	for (;;) {
		pps_status_t st = parse_line(&str, NULL, NULL, &info, true);
		int id;

		switch (st) {
		case PPS_END:
			return PPS_DECODER_OK;
		case PPS_ERROR:
			return PPS_DECODER_PARSE_ERROR;
		case PPS_OBJECT:
		case PPS_OBJECT_CREATED:
		case PPS_OBJECT_DELETED:
		case PPS_OBJECT_TRUNCATED:
			id = dec_new(d, 0, PPS_TYPE_OBJECT, info.obj_name);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			d->__nodes[id].flags = (uint8_t) (info.flags |
			    N_PPSOBJ);
			cont = id;
			break;
		case PPS_ATTRIBUTE_DELETED:
			id = dec_new(d, cont, PPS_TYPE_DELETED,
			    info.attr_name);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			d->__nodes[id].flags = PPS_DELETED;
			break;
		default:	/* PPS_ATTRIBUTE */
			id = dec_new(d, cont, PPS_TYPE_NONE, info.attr_name);
			if (id < 0) {
				return PPS_DECODER_NO_MEM;
			}
			rc = attr_value(d, id, info.encoding, info.value);
			if (rc != PPS_DECODER_OK) {
				return rc;
			}
			break;
		}
	}
}

static pps_decoder_error_t
parse_common(pps_decoder_t *d, char *str, bool json)
{
	int rc;

	dec_clear(d);
	d->__status = PPS_DECODER_OK;
	if (str == NULL) {
		rc = PPS_DECODER_PARSE_ERROR;
	} else if (json) {
		char *p = str;

		rc = PPS_DECODER_NO_MEM;
		if (dec_new(d, -1, PPS_TYPE_OBJECT, NULL) >= 0) {
			rc = json_value(d, &p, 0, NULL);
			if (rc == PPS_DECODER_OK && *ws(p) != '\0') {
				rc = PPS_DECODER_PARSE_ERROR;
			}
		}
	} else {
		rc = parse_pps(d, str);
	}
	if (rc == PPS_DECODER_OK && dec_finish(d) < 0) {
		rc = PPS_DECODER_NO_MEM;
	}
	if (rc != PPS_DECODER_OK) {
		dec_clear(d);
		d->__status = rc;
	}
	return (pps_decoder_error_t) rc;
}

/* ------------------------------------------------------------------ */
/* The decoder's calls. */

AXON_EXPORT pps_decoder_error_t
pps_decoder_parse_pps_str(pps_decoder_t *decoder, char *str)
{
	return parse_common(decoder, str, false);
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_parse_json_str(pps_decoder_t *decoder, char *str)
{
	return parse_common(decoder, str, true);
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_initialize(pps_decoder_t *decoder, const char *str)
{
	memset(decoder, 0, sizeof(*decoder));
	if (str == NULL) {
		return PPS_DECODER_OK;
	}
	decoder->__own = strdup(str);
	if (decoder->__own == NULL) {
		decoder->__status = PPS_DECODER_NO_MEM;
		return PPS_DECODER_NO_MEM;
	}
	return parse_common(decoder, decoder->__own, false);
}

AXON_EXPORT void
pps_decoder_cleanup(pps_decoder_t *decoder)
{
	dec_clear(decoder);
	free(decoder->__own);
	decoder->__own = NULL;
	decoder->__status = PPS_DECODER_OK;
}

AXON_EXPORT void
pps_decoder_reset(pps_decoder_t *decoder)
{
	decoder->__container = 0;
	decoder->__index = 0;
	decoder->__status = PPS_DECODER_OK;
}

static int
fail(pps_decoder_t *d, int err)
{
	if (d->__status == PPS_DECODER_OK) {
		d->__status = err;
	}
	return err;
}

/* The element name names in the current container ("." the container
 * itself, NULL the current element): its node, or -1. */
static int
locate(pps_decoder_t *d, const char *name, int *pos)
{
	if (d->__nnodes == 0) {
		return -1;
	}
	node_t *c = &d->__nodes[d->__container];

	if (name == NULL) {
		if (d->__index >= c->nkids) {
			return -1;
		}
		*pos = d->__index;
		return d->__kids[c->kid0 + d->__index];
	}
	if (strcmp(name, ".") == 0) {
		*pos = -1;
		return d->__container;
	}
	if (c->type != PPS_TYPE_OBJECT) {
		return -1;
	}
	for (int i = 0; i < c->nkids; i++) {
		int id = d->__kids[c->kid0 + i];

		if (d->__nodes[id].name != NULL &&
		    strcmp(d->__nodes[id].name, name) == 0) {
			*pos = i;
			return id;
		}
	}
	return -1;
}

/* The element for a get: found, not deleted, of type want; moves past
 * it on success. */
static int
get_node(pps_decoder_t *d, const char *name, int want, node_t **out)
{
	int pos, id = locate(d, name, &pos);

	if (id < 0) {
		return fail(d, PPS_DECODER_NOT_FOUND);
	}
	node_t *n = &d->__nodes[id];

	if (n->type == PPS_TYPE_DELETED || (n->flags & PPS_DELETED)) {
		return fail(d, PPS_DECODER_DELETED);
	}
	if (n->type != want) {
		return fail(d, PPS_DECODER_BAD_TYPE);
	}
	*out = n;
	if (pos >= 0) {
		d->__index = pos + 1;
	}
	return PPS_DECODER_OK;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_get_bool(pps_decoder_t *decoder, const char *name, bool *value)
{
	node_t *n;
	int rc = get_node(decoder, name, PPS_TYPE_BOOL, &n);

	if (rc == PPS_DECODER_OK) {
		*value = n->b != 0;
	}
	return (pps_decoder_error_t) rc;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_get_double(pps_decoder_t *decoder, const char *name,
    double *value)
{
	node_t *n;
	int rc = get_node(decoder, name, PPS_TYPE_NUMBER, &n);

	if (rc == PPS_DECODER_OK) {
		*value = n->num;
	}
	return (pps_decoder_error_t) rc;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_get_string(pps_decoder_t *decoder, const char *name,
    const char **value)
{
	node_t *n;
	int rc = get_node(decoder, name, PPS_TYPE_STRING, &n);

	if (rc == PPS_DECODER_OK) {
		*value = n->str;
	}
	return (pps_decoder_error_t) rc;
}

/* An integer in [lo, hi]: checked before the position moves. */
static int
get_integer(pps_decoder_t *d, const char *name, int64_t lo, int64_t hi,
    int64_t *v)
{
	pps_decoder_state_t st;
	node_t *n;
	int rc;

	pps_decoder_get_state(d, &st);
	rc = get_node(d, name, PPS_TYPE_NUMBER, &n);
	if (rc != PPS_DECODER_OK) {
		return rc;
	}
	if (!n->isint || n->i64 < lo || n->i64 > hi) {
		pps_decoder_set_state(d, &st);
		return fail(d, PPS_DECODER_CONVERSION_FAILED);
	}
	*v = n->i64;
	return PPS_DECODER_OK;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_get_int(pps_decoder_t *decoder, const char *name, int *value)
{
	int64_t v;
	int rc = get_integer(decoder, name, INT_MIN, INT_MAX, &v);

	if (rc == PPS_DECODER_OK) {
		*value = (int) v;
	}
	return (pps_decoder_error_t) rc;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_get_int64(pps_decoder_t *decoder, const char *name,
    int64_t *value)
{
	return (pps_decoder_error_t) get_integer(decoder, name, INT64_MIN,
	    INT64_MAX, value);
}

AXON_EXPORT bool
pps_decoder_is_integer(pps_decoder_t *decoder, const char *name)
{
	int pos, id = locate(decoder, name, &pos);

	return id >= 0 && decoder->__nodes[id].type == PPS_TYPE_NUMBER &&
	    decoder->__nodes[id].isint;
}

AXON_EXPORT pps_node_type_t
pps_decoder_type(pps_decoder_t *decoder, const char *name)
{
	int pos, id = locate(decoder, name, &pos);

	return id < 0 ? PPS_TYPE_NONE :
	    (pps_node_type_t) decoder->__nodes[id].type;
}

AXON_EXPORT pps_attrib_flags_t
pps_decoder_flags(pps_decoder_t *decoder, const char *name)
{
	int pos, id = locate(decoder, name, &pos);

	return id < 0 ? (pps_attrib_flags_t) 0 :
	    (pps_attrib_flags_t) (decoder->__nodes[id].flags & ~N_PPSOBJ);
}

AXON_EXPORT int
pps_decoder_length(pps_decoder_t *decoder)
{
	if (decoder->__nnodes == 0) {
		return 0;
	}
	return decoder->__nodes[decoder->__container].nkids;
}

AXON_EXPORT const char *
pps_decoder_name(pps_decoder_t *decoder)
{
	int pos, id = locate(decoder, NULL, &pos);

	return id < 0 ? NULL : decoder->__nodes[id].name;
}

static int
push_as(pps_decoder_t *d, const char *name, int want)
{
	int pos, id = locate(d, name, &pos);

	if (id < 0) {
		return fail(d, PPS_DECODER_NOT_FOUND);
	}
	node_t *n = &d->__nodes[id];

	if (n->type == PPS_TYPE_DELETED || (n->flags & PPS_DELETED)) {
		return fail(d, PPS_DECODER_DELETED);
	}
	if ((n->type != PPS_TYPE_OBJECT && n->type != PPS_TYPE_ARRAY) ||
	    (want != PPS_TYPE_NONE && n->type != want)) {
		return fail(d, PPS_DECODER_BAD_TYPE);
	}
	d->__container = id;
	d->__index = 0;
	return PPS_DECODER_OK;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_push(pps_decoder_t *decoder, const char *name)
{
	return (pps_decoder_error_t) push_as(decoder, name, PPS_TYPE_NONE);
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_push_object(pps_decoder_t *decoder, const char *name)
{
	return (pps_decoder_error_t) push_as(decoder, name, PPS_TYPE_OBJECT);
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_push_array(pps_decoder_t *decoder, const char *name)
{
	return (pps_decoder_error_t) push_as(decoder, name, PPS_TYPE_ARRAY);
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_pop(pps_decoder_t *decoder)
{
	if (decoder->__nnodes == 0 || decoder->__container == 0) {
		return (pps_decoder_error_t) fail(decoder,
		    PPS_DECODER_POP_AT_ROOT);
	}
	node_t *c = &decoder->__nodes[decoder->__container];

	decoder->__index = c->pos + 1;
	decoder->__container = c->parent;
	return PPS_DECODER_OK;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_next(pps_decoder_t *decoder)
{
	if (decoder->__index >= pps_decoder_length(decoder)) {
		return (pps_decoder_error_t) fail(decoder,
		    PPS_DECODER_NOT_FOUND);
	}
	decoder->__index++;
	return PPS_DECODER_OK;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_goto_index(pps_decoder_t *decoder, unsigned int index)
{
	if (index > (unsigned) pps_decoder_length(decoder)) {
		return (pps_decoder_error_t) fail(decoder,
		    PPS_DECODER_NOT_FOUND);
	}
	decoder->__index = (int) index;
	return PPS_DECODER_OK;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_set_position(pps_decoder_t *decoder, const char *name)
{
	int pos, id = name != NULL && strcmp(name, ".") != 0 ?
	    locate(decoder, name, &pos) : -1;

	if (id < 0) {
		return (pps_decoder_error_t) fail(decoder,
		    PPS_DECODER_NOT_FOUND);
	}
	decoder->__index = pos;
	return PPS_DECODER_OK;
}

AXON_EXPORT void
pps_decoder_get_state(pps_decoder_t *decoder, pps_decoder_state_t *state)
{
	state->__container = decoder->__container;
	state->__index = decoder->__index;
	state->__nnodes = decoder->__nnodes;
	state->__reserved = 0;
}

AXON_EXPORT void
pps_decoder_set_state(pps_decoder_t *decoder, pps_decoder_state_t *state)
{
	int c = state->__container;

	/* Only a position inside this tree: a stale state is refused. */
	if (state->__nnodes != decoder->__nnodes || c < 0 ||
	    c >= decoder->__nnodes || (c == 0 && decoder->__nnodes == 0) ||
	    (decoder->__nodes[c].type != PPS_TYPE_OBJECT &&
	    decoder->__nodes[c].type != PPS_TYPE_ARRAY) ||
	    state->__index < 0 ||
	    state->__index > decoder->__nodes[c].nkids) {
		(void) fail(decoder, PPS_DECODER_NOT_FOUND);
		return;
	}
	decoder->__container = c;
	decoder->__index = state->__index;
}

AXON_EXPORT pps_decoder_error_t
pps_decoder_status(pps_decoder_t *decoder, bool clear)
{
	int st = decoder->__status;

	if (clear) {
		decoder->__status = PPS_DECODER_OK;
	}
	return (pps_decoder_error_t) st;
}

/* ------------------------------------------------------------------ */
/* The encoder.  Levels: the PPS top (attribute lines), an @object's
 * attribute lines, the JSON root (one value), JSON objects and arrays;
 * bit 7 marks a level that already holds something. */

enum { L_TOP = 1, L_PPSOBJ, L_JROOT, L_JOBJ, L_JARR, L_KIND = 0x7f,
	L_FULL = 0x80 };

static int
enc_fail(pps_encoder_t *e, int err)
{
	if (e->__error == PPS_ENCODER_OK) {
		e->__error = err;
	}
	return e->__error;
}

static int
enc_put(pps_encoder_t *e, const char *s, size_t n)
{
	if (e->__error != PPS_ENCODER_OK) {
		return e->__error;
	}
	if (n >= e->__cap - e->__len || e->__buf == NULL) {
		size_t cap = e->__cap == 0 ? 256 : e->__cap;
		char *b;

		while (n >= cap - e->__len) {
			if (cap > SIZE_MAX / 2 || cap > (size_t) INT_MAX) {
				return enc_fail(e, PPS_ENCODER_NO_MEM);
			}
			cap *= 2;
		}
		b = realloc(e->__buf, cap);
		if (b == NULL) {
			return enc_fail(e, PPS_ENCODER_NO_MEM);
		}
		e->__buf = b;
		e->__cap = cap;
	}
	memcpy(e->__buf + e->__len, s, n);
	e->__len += n;
	e->__buf[e->__len] = '\0';
	return PPS_ENCODER_OK;
}

static int
enc_str(pps_encoder_t *e, const char *s)
{
	return enc_put(e, s, strlen(s));
}

static int
kind(const pps_encoder_t *e)
{
	return e->__level[e->__depth] & L_KIND;
}

static bool
pps_ctx(const pps_encoder_t *e)
{
	return kind(e) == L_TOP || kind(e) == L_PPSOBJ;
}

static int
json_quoted(pps_encoder_t *e, const char *s)
{
	enc_put(e, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char) c;
			enc_put(e, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			enc_put(e, esc, 6);
		} else {
			enc_put(e, s, 1);
		}
	}
	return enc_put(e, "\"", 1);
}

static int
c_quoted(pps_encoder_t *e, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;
		char esc[8];

		if (c == '\\') {
			enc_put(e, "\\\\", 2);
		} else if (c == '\n') {
			enc_put(e, "\\n", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\%03o", c);
			enc_put(e, esc, 4);
		} else {
			enc_put(e, s, 1);
		}
	}
	return e->__error;
}

/* Starts a value of PPS encoding penc named name where the encoder is;
 * in a JSON level the encoding is not written. */
static int
value_head(pps_encoder_t *e, const char *name, const char *penc)
{
	if (e->__error != PPS_ENCODER_OK) {
		return e->__error;
	}
	switch (kind(e)) {
	case L_TOP:
	case L_PPSOBJ:
		if (name == NULL || *name == '\0') {
			return enc_fail(e, PPS_ENCODER_MISSING_ATTRIBUTE_NAME);
		}
		if (!attr_name_ok(name, strlen(name))) {
			return enc_fail(e, PPS_ENCODER_INVALID_VALUE);
		}
		enc_str(e, name);
		enc_put(e, ":", 1);
		enc_str(e, penc);
		return enc_put(e, ":", 1);
	case L_JROOT:
		if (e->__level[e->__depth] & L_FULL) {
			return enc_fail(e, PPS_ENCODER_BAD_NESTING);
		}
		break;
	case L_JOBJ:
		if (name == NULL) {
			return enc_fail(e, PPS_ENCODER_MISSING_ATTRIBUTE_NAME);
		}
		if (e->__level[e->__depth] & L_FULL) {
			enc_put(e, ",", 1);
		}
		json_quoted(e, name);
		enc_put(e, ":", 1);
		break;
	default:	/* L_JARR: a name is ignored */
		if (e->__level[e->__depth] & L_FULL) {
			enc_put(e, ",", 1);
		}
		break;
	}
	e->__level[e->__depth] |= L_FULL;
	return e->__error;
}

/* Ends a value written after value_head(). */
static int
value_tail(pps_encoder_t *e)
{
	return pps_ctx(e) ? enc_put(e, "\n", 1) : e->__error;
}

static int
enc_number(pps_encoder_t *e, const char *name, double d, bool isint,
    int64_t i)
{
	char txt[40];

	if (isint) {
		snprintf(txt, sizeof(txt), "%" PRId64, i);
	} else {
		if (!isfinite(d)) {
			return enc_fail(e, PPS_ENCODER_INVALID_VALUE);
		}
		locale_t old = uselocale(cloc());

		/* The shortest form that reads back as the same double. */
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(txt, sizeof(txt), "%.*g", prec, d);
			if (strtod_l(txt, NULL, cloc()) == d) {
				break;
			}
		}
		uselocale(old);
	}
	if (value_head(e, name, "n") != PPS_ENCODER_OK) {
		return e->__error;
	}
	enc_str(e, txt);
	return value_tail(e);
}

static int
enc_string(pps_encoder_t *e, const char *name, const char *s)
{
	if (s == NULL) {
		return enc_fail(e, PPS_ENCODER_INVALID_VALUE);
	}
	bool nl = strchr(s, '\n') != NULL;

	if (value_head(e, name, nl ? "c" : "") != PPS_ENCODER_OK) {
		return e->__error;
	}
	if (!pps_ctx(e)) {
		json_quoted(e, s);
	} else if (nl) {
		c_quoted(e, s);
	} else {
		enc_str(e, s);
	}
	return value_tail(e);
}

static int
enc_lit(pps_encoder_t *e, const char *name, const char *penc,
    const char *lit)
{
	if (value_head(e, name, penc) != PPS_ENCODER_OK) {
		return e->__error;
	}
	enc_str(e, lit);
	return value_tail(e);
}

static int
enc_start(pps_encoder_t *e, const char *name, bool obj)
{
	if (e->__error != PPS_ENCODER_OK) {
		return e->__error;
	}
	if (e->__depth + 1 >= (int) sizeof(e->__level) ||
	    e->__depth > AXON_PPS_MAX_DEPTH + 1) {
		return enc_fail(e, PPS_ENCODER_BAD_NESTING);
	}
	if (obj && kind(e) == L_TOP && name != NULL && name[0] == '@') {
		if (name[1] == '\0' || strchr(name, '\n') != NULL) {
			return enc_fail(e, PPS_ENCODER_INVALID_VALUE);
		}
		enc_str(e, name);
		enc_put(e, "\n", 1);
		e->__level[++e->__depth] = L_PPSOBJ;
		return e->__error;
	}
	if (value_head(e, name, "json") != PPS_ENCODER_OK) {
		return e->__error;
	}
	enc_put(e, obj ? "{" : "[", 1);
	e->__level[++e->__depth] = obj ? L_JOBJ : L_JARR;
	return e->__error;
}

static int
enc_end(pps_encoder_t *e, bool obj)
{
	if (e->__error != PPS_ENCODER_OK) {
		return e->__error;
	}
	int k = kind(e);

	if (obj && k == L_PPSOBJ) {
		e->__depth--;
		return PPS_ENCODER_OK;
	}
	if (k != (obj ? L_JOBJ : L_JARR)) {
		return enc_fail(e, PPS_ENCODER_BAD_NESTING);
	}
	enc_put(e, obj ? "}" : "]", 1);
	e->__depth--;
	return value_tail(e);
}

AXON_EXPORT void
pps_encoder_initialize(pps_encoder_t *encoder, bool encode_json)
{
	memset(encoder, 0, sizeof(*encoder));
	encoder->__json = encode_json;
	encoder->__level[0] = encode_json ? L_JROOT : L_TOP;
}

AXON_EXPORT void
pps_encoder_cleanup(pps_encoder_t *encoder)
{
	free(encoder->__buf);
	pps_encoder_initialize(encoder, encoder->__json);
}

AXON_EXPORT void
pps_encoder_reset(pps_encoder_t *encoder)
{
	encoder->__len = 0;
	if (encoder->__buf != NULL) {
		encoder->__buf[0] = '\0';
	}
	encoder->__error = PPS_ENCODER_OK;
	encoder->__depth = 0;
	encoder->__level[0] = encoder->__json ? L_JROOT : L_TOP;
}

AXON_EXPORT const char *
pps_encoder_buffer(const pps_encoder_t *encoder)
{
	int k = encoder->__level[encoder->__depth] & L_KIND;

	/* Nothing while failed or inside a JSON value not yet closed. */
	if (encoder->__error != PPS_ENCODER_OK ||
	    (k != L_TOP && k != L_PPSOBJ && k != L_JROOT)) {
		return NULL;
	}
	return encoder->__buf != NULL ? encoder->__buf : "";
}

AXON_EXPORT int
pps_encoder_length(const pps_encoder_t *encoder)
{
	return pps_encoder_buffer(encoder) == NULL ? 0 :
	    (int) encoder->__len;
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_error(const pps_encoder_t *encoder)
{
	return (pps_encoder_error_t) encoder->__error;
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_start_object(pps_encoder_t *encoder, const char *name)
{
	return (pps_encoder_error_t) enc_start(encoder, name, true);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_start_array(pps_encoder_t *encoder, const char *name)
{
	return (pps_encoder_error_t) enc_start(encoder, name, false);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_end_object(pps_encoder_t *encoder)
{
	return (pps_encoder_error_t) enc_end(encoder, true);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_end_array(pps_encoder_t *encoder)
{
	return (pps_encoder_error_t) enc_end(encoder, false);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_bool(pps_encoder_t *encoder, const char *name, bool value)
{
	return (pps_encoder_error_t) enc_lit(encoder, name, "b",
	    value ? "true" : "false");
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_null(pps_encoder_t *encoder, const char *name)
{
	return (pps_encoder_error_t) enc_lit(encoder, name, "json", "null");
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_int(pps_encoder_t *encoder, const char *name, int value)
{
	return (pps_encoder_error_t) enc_number(encoder, name, value, true,
	    value);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_int64(pps_encoder_t *encoder, const char *name,
    int64_t value)
{
	return (pps_encoder_error_t) enc_number(encoder, name,
	    (double) value, true, value);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_double(pps_encoder_t *encoder, const char *name,
    double value)
{
	return (pps_encoder_error_t) enc_number(encoder, name, value, false,
	    0);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_string(pps_encoder_t *encoder, const char *name,
    const char *value)
{
	return (pps_encoder_error_t) enc_string(encoder, name, value);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_delete_attribute(pps_encoder_t *encoder, const char *name)
{
	if (encoder->__error != PPS_ENCODER_OK) {
		return (pps_encoder_error_t) encoder->__error;
	}
	if (!pps_ctx(encoder)) {
		return (pps_encoder_error_t) enc_fail(encoder,
		    PPS_ENCODER_INVALID_VALUE);
	}
	if (name == NULL || *name == '\0') {
		return (pps_encoder_error_t) enc_fail(encoder,
		    PPS_ENCODER_MISSING_ATTRIBUTE_NAME);
	}
	if (!attr_name_ok(name, strlen(name))) {
		return (pps_encoder_error_t) enc_fail(encoder,
		    PPS_ENCODER_INVALID_VALUE);
	}
	enc_put(encoder, "-", 1);
	enc_str(encoder, name);
	return (pps_encoder_error_t) enc_put(encoder, "\n", 1);
}

/* Node id of decoder d and its subtree, named name; the recursion is as
 * deep as the tree, at most AXON_PPS_MAX_DEPTH + 2. */
static int
enc_node(pps_encoder_t *e, const pps_decoder_t *d, int id, const char *name)
{
	const node_t *n = &d->__nodes[id];
	int fl = n->flags;

	switch (n->type) {
	case PPS_TYPE_NULL:
		return enc_lit(e, name, "json", "null");
	case PPS_TYPE_BOOL:
		return enc_lit(e, name, "b", n->b ? "true" : "false");
	case PPS_TYPE_NUMBER:
		return enc_number(e, name, n->num, n->isint, n->i64);
	case PPS_TYPE_STRING:
		return enc_string(e, name, n->str);
	case PPS_TYPE_DELETED:
		return pps_encoder_delete_attribute(e, name);
	case PPS_TYPE_OBJECT:
	case PPS_TYPE_ARRAY:
		break;
	default:	/* PPS_TYPE_UNKNOWN: its encoding is gone */
		return enc_fail(e, PPS_ENCODER_INVALID_VALUE);
	}
	if ((fl & N_PPSOBJ) && kind(e) == L_TOP) {
		const char *pre = (fl & PPS_CREATED) ? "+@" :
		    (fl & PPS_DELETED) ? "-@" : (fl & PPS_TRUNCATED) ? "#@" :
		    (fl & PPS_PURGED) ? "*@" : "@";

		if (strchr(n->name, '\n') != NULL) {
			return enc_fail(e, PPS_ENCODER_INVALID_VALUE);
		}
		enc_str(e, pre);
		enc_str(e, n->name);
		if (enc_put(e, "\n", 1) != PPS_ENCODER_OK) {
			return e->__error;
		}
		if (e->__depth + 1 >= (int) sizeof(e->__level)) {
			return enc_fail(e, PPS_ENCODER_BAD_NESTING);
		}
		e->__level[++e->__depth] = L_PPSOBJ;
	} else if (enc_start(e, name, n->type == PPS_TYPE_OBJECT) !=
	    PPS_ENCODER_OK) {
		return e->__error;
	}
	for (int i = 0; i < n->nkids; i++) {
		int k = d->__kids[n->kid0 + i];

		if (enc_node(e, d, k, d->__nodes[k].name) != PPS_ENCODER_OK) {
			return e->__error;
		}
	}
	return enc_end(e, n->type == PPS_TYPE_OBJECT);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_from_decoder(pps_encoder_t *encoder, const char *name,
    pps_decoder_t *decoder)
{
	int pos, id;

	if (encoder->__error != PPS_ENCODER_OK) {
		return (pps_encoder_error_t) encoder->__error;
	}
	id = locate(decoder, name, &pos);
	if (id < 0) {
		return (pps_encoder_error_t) enc_fail(encoder,
		    PPS_ENCODER_NOT_FOUND);
	}
	return (pps_encoder_error_t) enc_node(encoder, decoder, id,
	    name != NULL && strcmp(name, ".") != 0 ? name :
	    decoder->__nodes[id].name);
}

AXON_EXPORT pps_encoder_error_t
pps_encoder_add_json(pps_encoder_t *encoder, const char *name,
    const char *value)
{
	pps_decoder_t d;
	char *copy;
	int rc;

	if (encoder->__error != PPS_ENCODER_OK) {
		return (pps_encoder_error_t) encoder->__error;
	}
	if (value == NULL) {
		return (pps_encoder_error_t) enc_fail(encoder,
		    PPS_ENCODER_INVALID_VALUE);
	}
	copy = strdup(value);
	if (copy == NULL) {
		return (pps_encoder_error_t) enc_fail(encoder,
		    PPS_ENCODER_NO_MEM);
	}
	memset(&d, 0, sizeof(d));
	rc = parse_common(&d, copy, true);
	if (rc == PPS_DECODER_OK) {
		rc = enc_node(encoder, &d, d.__kids[d.__nodes[0].kid0], name);
	} else {
		rc = enc_fail(encoder, rc == PPS_DECODER_NO_MEM ?
		    PPS_ENCODER_NO_MEM : PPS_ENCODER_INVALID_VALUE);
	}
	pps_decoder_cleanup(&d);
	free(copy);
	return (pps_encoder_error_t) rc;
}

/* ------------------------------------------------------------------ */

static void
dump(const pps_decoder_t *d, int id, FILE *fp, int indent)
{
	const node_t *n = &d->__nodes[id];

	fprintf(fp, "%*s", indent * 2, "");
	if (n->name != NULL) {
		fprintf(fp, "%s%s = ", (n->flags & N_PPSOBJ) ? "@" : "",
		    n->name);
	}
	if (n->flags & ~N_PPSOBJ) {
		int f = n->flags;

		fprintf(fp, "(%s) ", (f & PPS_DELETED) ? "deleted" :
		    (f & PPS_CREATED) ? "created" :
		    (f & PPS_TRUNCATED) ? "truncated" :
		    (f & PPS_PURGED) ? "purged" : "other");
	}
	switch (n->type) {
	case PPS_TYPE_NULL: fprintf(fp, "null\n"); return;
	case PPS_TYPE_BOOL: fprintf(fp, "%s\n", n->b ? "true" : "false");
		return;
	case PPS_TYPE_NUMBER:
		if (n->isint) {
			fprintf(fp, "%" PRId64 "\n", n->i64);
		} else {
			fprintf(fp, "%.17g\n", n->num);
		}
		return;
	case PPS_TYPE_STRING: fprintf(fp, "\"%s\"\n", n->str); return;
	case PPS_TYPE_DELETED: fprintf(fp, "\n"); return;
	case PPS_TYPE_UNKNOWN: fprintf(fp, "?%s\n", n->str); return;
	default: break;
	}
	bool obj = n->type == PPS_TYPE_OBJECT;

	fprintf(fp, "%s\n", obj ? "{" : "[");
	for (int i = 0; i < n->nkids; i++) {
		dump(d, d->__kids[n->kid0 + i], fp, indent + 1);
	}
	fprintf(fp, "%*s%s\n", indent * 2, "", obj ? "}" : "]");
}

AXON_EXPORT void
pps_decoder_dump_tree(pps_decoder_t *decoder, FILE *fp)
{
	if (decoder->__nnodes > 0) {
		dump(decoder, decoder->__container, fp, 0);
	}
}
