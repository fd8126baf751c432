/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for axon-fs's decoder of a directory manager's
 * directory read (src/fs/dirents.c): the reply of a manager, which may
 * be broken or hostile, as struct dirent records in QNX's layout or in
 * glibc's (a QNX manager built with Axon's <sys/iofunc.h>).  The input is the
 * reply, decoded into a listing that already holds one name (as when
 * the namespace added a mount point first).  Properties: never crashes
 * or reads outside the reply; answers 0 or -EIO only; every name in the
 * listing is one path component (1 to NAME_MAX bytes, no '/', not "."
 * or ".."), none twice, and adding one again adds nothing; the first
 * stays first; on 0, every record's name that may be listed is there.
 */
#include <assert.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dirents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axon_fs_names s = {0};
	unsigned char *reply = malloc(size > 0 ? size : 1);
	int rc;

	assert(reply != NULL);
	memcpy(reply, data, size); /* exactly size bytes: ASan sees more */
	assert(axon__fs_names_add(&s, "mnt", 3) == 0 && s.n == 1);
	rc = axon__fs_dirents(reply, size, &s);
	assert(rc == 0 || rc == -EIO);
	assert(s.n >= 1 && strcmp(s.v[0], "mnt") == 0);
	for (int i = 0; i < s.n; i++) {
		size_t len = strlen(s.v[i]);

		assert(len >= 1 && len <= NAME_MAX);
		assert(strchr(s.v[i], '/') == NULL);
		assert(strcmp(s.v[i], ".") != 0 && strcmp(s.v[i], "..") != 0);
		for (int j = 0; j < i; j++) {
			assert(strcmp(s.v[i], s.v[j]) != 0);
		}
	}
	/* The set agrees with the list: each name again adds nothing. */
	for (int i = 0, n = s.n; i < n; i++) {
		assert(axon__fs_names_add(&s, s.v[i], strlen(s.v[i])) == 0 &&
		    s.n == n);
	}
	if (rc == 0) {
		/* Walk the records again: each listable name is there. */
		const unsigned char *p = reply;
		size_t n = size;

		while (n > 0) {
			uint16_t reclen, namelen;
			const char *name;
			bool found = false;

			memcpy(&reclen, p + 16, sizeof(reclen));
			memcpy(&namelen, p + 18, sizeof(namelen));
			assert(reclen >= QNX_DIRENT_HDR && reclen <= n);
			if ((namelen >> 8) == 0) { /* QNX's layout */
				name = (const char *) p + QNX_DIRENT_HDR;
				assert(reclen >= QNX_DIRENT_HDR + namelen + 1);
			} else { /* glibc's, d_namelen in d_type's byte */
				name = (const char *) p + DIRENT_GLIBC_HDR;
				namelen = (uint16_t) strnlen(name,
				    reclen - DIRENT_GLIBC_HDR);
				assert(namelen < reclen - DIRENT_GLIBC_HDR);
				assert(p[18] == 0 || p[18] == (namelen & 0xff));
			}
			assert(name[namelen] == '\0');
			for (int i = 0; i < s.n && !found; i++) {
				found = strcmp(s.v[i], name) == 0;
			}
			assert(found || namelen == 0 || namelen > NAME_MAX ||
			    memchr(name, '/', namelen) != NULL ||
			    strcmp(name, ".") == 0 || strcmp(name, "..") == 0);
			p += reclen;
			n -= reclen;
		}
	}
	axon__fs_names_free(&s);
	free(reply);
	return 0;
}
