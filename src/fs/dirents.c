/* SPDX-License-Identifier: MIT */
/*
 * Directory listings of axon-fs: names and QNX's directory records
 * (dirents.h).  Pure: no I/O.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dirents.h"

int
axon__fs_names_add(struct axon_fs_names *s, const char *name, size_t len)
{
	char *c;

	if (len == 0 || len > NAME_MAX || memchr(name, '/', len) != NULL ||
	    (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.')) {
		return 0;
	}
	for (int i = 0; i < s->n; i++) {
		if (strlen(s->v[i]) == len && memcmp(s->v[i], name, len) == 0) {
			return 0;
		}
	}
	if (s->n == s->cap) {
		int ncap = s->cap == 0 ? 16 : s->cap * 2;
		char **v = realloc(s->v, (size_t) ncap * sizeof(*v));

		if (v == NULL) {
			return -ENOMEM;
		}
		s->v = v;
		s->cap = ncap;
	}
	c = strndup(name, len);
	if (c == NULL) {
		return -ENOMEM;
	}
	s->v[s->n++] = c;
	return 0;
}

void
axon__fs_names_free(struct axon_fs_names *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->v[i]);
	}
	free(s->v);
}

/*
 * QNX's directory stream, as a manager's _IO_READ of a directory gives
 * it: records of d_ino (8 bytes), d_offset (8), d_reclen (2), d_namelen
 * (2) and the name with its NUL, d_reclen long.  Each is checked before
 * its name is taken; a bad one ends the listing with -EIO.
 */
int
axon__fs_dirents(const unsigned char *p, size_t n, struct axon_fs_names *s)
{
	while (n > 0) {
		uint16_t reclen, namelen;
		int rc;

		if (n < QNX_DIRENT_HDR) {
			return -EIO;
		}
		memcpy(&reclen, p + 16, sizeof(reclen));
		memcpy(&namelen, p + 18, sizeof(namelen));
		if (reclen < QNX_DIRENT_HDR + (size_t) namelen + 1 ||
		    reclen > n || p[QNX_DIRENT_HDR + namelen] != '\0' ||
		    memchr(p + QNX_DIRENT_HDR, '\0', namelen) != NULL) {
			return -EIO;
		}
		rc = axon__fs_names_add(s, (const char *) p + QNX_DIRENT_HDR,
		    namelen);
		if (rc < 0) {
			return rc;
		}
		p += reclen;
		n -= reclen;
	}
	return 0;
}
