/* SPDX-License-Identifier: MIT */
/*
 * axon-pps(8)'s decoder of what publishers write (pure: no resource
 * manager in it, so that tests/fuzz/fuzz_ppsline.c can take it alone).
 * docs/design/pps.md, "Writes".
 */
#ifndef AXON_PPSLINE_H
#define AXON_PPSLINE_H

#include <stdbool.h>
#include <stddef.h>

#define PPS_NAME_MAX 255 /* object, directory and attribute names */
#define PPS_ENC_MAX  16	 /* an encoding's name */

/* One attribute of an object, as "[n]name:enc:val\n" reads. */
struct pps_line {
	struct pps_line *next;
	bool nopersist;		/* [n] */
	char *name;
	char *enc;
	char *val;
};

/* A growing text (a change group). */
struct pps_text {
	char *p;
	size_t len, cap;
	bool bad;		/* out of memory on the way */
};

void pps_lines_free(struct pps_line *l);
/* The bytes l takes in a read. */
size_t pps_line_size(const struct pps_line *l);
/* An attribute's name: a letter or '_', then letters, digits, '_', '.'
 * (1 to PPS_NAME_MAX bytes). */
bool pps_attr_name_ok(const char *s, size_t len);
void pps_text_add(struct pps_text *t, const char *s, size_t len);

/*
 * Applies a write (buf, len bytes: any bytes) to a copy of the list cur
 * of the object objname, all or nothing.  The lines (split at '\n', the
 * last one may lack it): "name:enc:value" sets (and creates, last),
 * "-name" deletes, an optional "[n]" or "[-n]" before either sets or
 * clears the nonpersistence qualifier, "@objname" and empty lines do
 * nothing.  Returns 0 with *out the new list (the caller's) and *group
 * the change group ("@objname\n" and each change as a delta read shows
 * it, *any whether there is a change), or EINVAL (anything else, a NUL,
 * a name or encoding out of the syntax, "[i]") or ENOMEM, with *out
 * NULL and *group empty.
 */
int pps_lines_apply(const struct pps_line *cur, const char *objname,
    const char *buf, size_t len, struct pps_line **out,
    struct pps_text *group, bool *any);

#endif
