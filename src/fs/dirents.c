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

/* FNV-1a of the len bytes at p. */
static size_t
name_hash(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++) {
		h = (h ^ (unsigned char) p[i]) * 1099511628211ull;
	}
	return (size_t) h;
}

/* The slot of s's set where name is, or the free one where it would go
 * (s->nslot > 0, and the set never full). */
static size_t
name_slot(const struct axon_fs_names *s, const char *name, size_t len)
{
	size_t mask = s->nslot - 1, i = name_hash(name, len) & mask;

	while (s->slot[i] != 0) {
		const char *v = s->v[s->slot[i] - 1];

		if (strncmp(v, name, len) == 0 && v[len] == '\0') {
			break;
		}
		i = (i + 1) & mask;
	}
	return i;
}

/* Makes room in s for one more name (the set at most half full). */
static int
names_grow(struct axon_fs_names *s)
{
	if (s->n == s->cap) {
		int ncap = s->cap == 0 ? 16 : s->cap * 2;
		char **v = realloc(s->v, (size_t) ncap * sizeof(*v));

		if (v == NULL) {
			return -ENOMEM;
		}
		s->v = v;
		s->cap = ncap;
	}
	if ((size_t) s->n + 1 > s->nslot / 2) {
		size_t nslot = s->nslot == 0 ? 32 : s->nslot * 2;
		int *old = s->slot;
		size_t oldn = s->nslot;

		s->slot = calloc(nslot, sizeof(*s->slot));
		if (s->slot == NULL) {
			s->slot = old;
			return -ENOMEM;
		}
		s->nslot = nslot;
		for (size_t i = 0; i < oldn; i++) {
			if (old[i] != 0) {
				const char *v = s->v[old[i] - 1];

				s->slot[name_slot(s, v, strlen(v))] = old[i];
			}
		}
		free(old);
	}
	return 0;
}

int
axon__fs_names_add(struct axon_fs_names *s, const char *name, size_t len)
{
	size_t at;
	char *c;
	int rc;

	if (len == 0 || len > NAME_MAX || memchr(name, '/', len) != NULL ||
	    memchr(name, '\0', len) != NULL || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.')) {
		return 0;
	}
	if (s->nslot > 0 && s->slot[name_slot(s, name, len)] != 0) {
		return 0; /* listed already */
	}
	if ((rc = names_grow(s)) < 0) {
		return rc;
	}
	c = strndup(name, len);
	if (c == NULL) {
		return -ENOMEM;
	}
	at = name_slot(s, name, len);
	s->v[s->n++] = c;
	s->slot[at] = s->n;
	return 0;
}

void
axon__fs_names_free(struct axon_fs_names *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->v[i]);
	}
	free(s->v);
	free(s->slot);
}

/*
 * A manager's directory stream, as its _IO_READ of a directory gives it:
 * records d_reclen long, d_ino (8 bytes), d_offset (8), d_reclen (2),
 * then one of two heads (dirents.h): QNX's, d_namelen (2) and the name
 * at byte 20, or glibc's as Axon's <sys/iofunc.h> lets a QNX manager fill
 * it, d_namelen in d_type's byte and the name at byte 19.  The 16 bits
 * at byte 18, in the host's order, tell them apart: QNX's d_namelen is
 * below 256 for every name a listing may hold (at most NAME_MAX, 255);
 * in glibc's layout its high byte is the name's first byte on a
 * little-endian host, the length in d_type's byte on a big-endian one
 * (where the manager must set it), never 0.
 * Each record is checked before its name is taken; a bad one ends the
 * listing with -EIO.
 */
static int
dirent_name(const unsigned char *p, size_t reclen, const char **name,
    size_t *len)
{
	uint16_t namelen;

	memcpy(&namelen, p + 18, sizeof(namelen));
	if ((namelen >> 8) == 0) {
		if (reclen < QNX_DIRENT_HDR + (size_t) namelen + 1 ||
		    p[QNX_DIRENT_HDR + namelen] != '\0' ||
		    memchr(p + QNX_DIRENT_HDR, '\0', namelen) != NULL) {
			return -EIO;
		}
		*name = (const char *) p + QNX_DIRENT_HDR;
		*len = namelen;
	} else {
		const unsigned char *nul = memchr(p + DIRENT_GLIBC_HDR, '\0',
		    reclen - DIRENT_GLIBC_HDR);

		if (nul == NULL) {
			return -EIO;
		}
		*name = (const char *) p + DIRENT_GLIBC_HDR;
		*len = (size_t) (nul - (p + DIRENT_GLIBC_HDR));
		/* d_namelen, if the manager set it, says the same. */
		if (p[18] != 0 && p[18] != (*len & 0xff)) {
			return -EIO;
		}
	}
	return 0;
}

int
axon__fs_dirents(const unsigned char *p, size_t n, struct axon_fs_names *s)
{
	while (n > 0) {
		uint16_t reclen;
		const char *name;
		size_t len;
		int rc;

		if (n < QNX_DIRENT_HDR) {
			return -EIO;
		}
		memcpy(&reclen, p + 16, sizeof(reclen));
		if (reclen < QNX_DIRENT_HDR || reclen > n) {
			return -EIO;
		}
		rc = dirent_name(p, reclen, &name, &len);
		if (rc < 0) {
			return rc;
		}
		rc = axon__fs_names_add(s, name, len);
		if (rc < 0) {
			return rc;
		}
		p += reclen;
		n -= reclen;
	}
	return 0;
}
