/* SPDX-License-Identifier: MIT */
/*
 * axon-pps(8)'s decoder of what publishers write: ppsline.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ppsline.h"

void
pps_lines_free(struct pps_line *l)
{
	while (l != NULL) {
		struct pps_line *n = l->next;

		free(l->name);
		free(l->enc);
		free(l->val);
		free(l);
		l = n;
	}
}

size_t
pps_line_size(const struct pps_line *l)
{
	return (l->nopersist ? 3 : 0) + strlen(l->name) + 1 + strlen(l->enc) +
	    1 + strlen(l->val) + 1;
}

bool
pps_attr_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > PPS_NAME_MAX ||
	    !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	    s[0] == '_')) {
		return false;
	}
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.')) {
			return false;
		}
	}
	return true;
}

static bool
enc_ok(const char *s, size_t len)
{
	if (len > PPS_ENC_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_')) {
			return false;
		}
	}
	return true;
}

static struct pps_line *
line_dup(const struct pps_line *l)
{
	struct pps_line *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return NULL;
	}
	c->nopersist = l->nopersist;
	c->name = strdup(l->name);
	c->enc = strdup(l->enc);
	c->val = strdup(l->val);
	if (c->name == NULL || c->enc == NULL || c->val == NULL) {
		pps_lines_free(c);
		return NULL;
	}
	return c;
}

void
pps_text_add(struct pps_text *t, const char *s, size_t len)
{
	if (t->bad) {
		return;
	}
	if (t->len + len + 1 > t->cap) {
		size_t cap = t->cap == 0 ? 256 : t->cap;
		char *p;

		while (cap < t->len + len + 1) {
			cap *= 2;
		}
		if ((p = realloc(t->p, cap)) == NULL) {
			t->bad = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, len);
	t->len += len;
	t->p[t->len] = '\0';
}

/* The line named name (len bytes) in the list, and where it is held. */
static struct pps_line **
line_find(struct pps_line **pp, const char *name, size_t len)
{
	while (*pp != NULL && !(strlen((*pp)->name) == len &&
	    memcmp((*pp)->name, name, len) == 0)) {
		pp = &(*pp)->next;
	}
	return pp;
}

/* One "attr:enc:value" line (s, ll bytes) set in the list; the
 * qualifier qual (1 [n], -1 [-n], 0 none).  EINVAL when it is not one. */
static int
line_set(struct pps_line **list, const char *s, size_t ll, int qual,
    struct pps_text *group)
{
	const char *c1 = memchr(s, ':', ll), *c2 = NULL;
	struct pps_line **pp, *l;
	size_t nl, el;

	if (c1 != NULL) {
		c2 = memchr(c1 + 1, ':', ll - (size_t) (c1 + 1 - s));
	}
	if (c2 == NULL) {
		return EINVAL;
	}
	nl = (size_t) (c1 - s);
	el = (size_t) (c2 - c1 - 1);
	if (!pps_attr_name_ok(s, nl) || !enc_ok(c1 + 1, el)) {
		return EINVAL;
	}
	pp = line_find(list, s, nl);
	if ((l = *pp) == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL ||
		    (l->name = strndup(s, nl)) == NULL) {
			free(l);
			return ENOMEM;
		}
		*pp = l; /* at the end: the list's order is creation's */
	}
	free(l->enc);
	free(l->val);
	l->enc = strndup(c1 + 1, el);
	l->val = strndup(c2 + 1, ll - (size_t) (c2 + 1 - s));
	if (l->enc == NULL || l->val == NULL) {
		return ENOMEM;
	}
	if (qual != 0) {
		l->nopersist = qual > 0;
	}
	if (l->nopersist) {
		pps_text_add(group, "[n]", 3);
	}
	pps_text_add(group, s, ll);
	pps_text_add(group, "\n", 1);
	return 0;
}

int
pps_lines_apply(const struct pps_line *cur, const char *objname,
    const char *buf, size_t len, struct pps_line **out,
    struct pps_text *group, bool *any)
{
	struct pps_line *copy = NULL, **tail = &copy;
	size_t onl = strlen(objname);
	int rc = 0;

	*out = NULL;
	*any = false;
	memset(group, 0, sizeof(*group));
	if (memchr(buf, '\0', len) != NULL) {
		return EINVAL;
	}
	for (const struct pps_line *l = cur; l != NULL; l = l->next) {
		if ((*tail = line_dup(l)) == NULL) {
			pps_lines_free(copy);
			return ENOMEM;
		}
		tail = &(*tail)->next;
	}
	pps_text_add(group, "@", 1);
	pps_text_add(group, objname, onl);
	pps_text_add(group, "\n", 1);
	for (size_t i = 0; i < len && rc == 0;) {
		const char *s = buf + i, *e = memchr(s, '\n', len - i);
		size_t ll = e != NULL ? (size_t) (e - s) : len - i;
		int qual = 0; /* 1: [n], -1: [-n] */

		i += ll + 1;
		if (ll == 0) {
			continue;
		}
		if (s[0] == '[') {
			if (ll >= 3 && memcmp(s, "[n]", 3) == 0) {
				qual = 1;
				s += 3;
				ll -= 3;
			} else if (ll >= 4 && memcmp(s, "[-n]", 4) == 0) {
				qual = -1;
				s += 4;
				ll -= 4;
			} else {
				rc = EINVAL; /* [i] (sets) is not done here */
				break;
			}
		}
		if (ll > 0 && s[0] == '@') {
			/* The object's own name (a qualifier on it is
			 * accepted: nothing persists here). */
			if (ll - 1 != onl || memcmp(s + 1, objname, onl) != 0) {
				rc = EINVAL;
			}
			continue;
		}
		if (ll > 0 && s[0] == '-') {
			struct pps_line **pp, *d;

			if (qual != 0 || !pps_attr_name_ok(s + 1, ll - 1)) {
				rc = EINVAL;
				break;
			}
			pp = line_find(&copy, s + 1, ll - 1);
			if ((d = *pp) != NULL) {
				*pp = d->next;
				d->next = NULL;
				pps_lines_free(d);
				pps_text_add(group, s, ll);
				pps_text_add(group, "\n", 1);
				*any = true;
			}
			continue;
		}
		if (ll == 0) {
			rc = EINVAL; /* a qualifier alone */
			break;
		}
		rc = line_set(&copy, s, ll, qual, group);
		*any = true;
	}
	if (rc == 0 && group->bad) {
		rc = ENOMEM;
	}
	if (rc != 0) {
		pps_lines_free(copy);
		free(group->p);
		memset(group, 0, sizeof(*group));
		*any = false;
		return rc;
	}
	*out = copy;
	return 0;
}
