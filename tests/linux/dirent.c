/*
 * An ordinary Linux program: lists a directory with readdir(), using
 * d_type and d_off, and has structures of its own whose members are
 * named like QNX's struct dirent extras next to glibc's (d_type and
 * d_namelen, d_off and d_offset), which Axon's headers must leave alone
 * (only <sys/iofunc.h> names QNX's, for resource managers).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
	char name[256];
	unsigned char d_type;
	int d_namelen; /* named like QNX's, its own */
	long d_off;
	long d_offset;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *) a)->name,
	    ((const struct entry *) b)->name);
}

int
main(void)
{
	char dir[] = "/tmp/axon-linux-dirent-XXXXXX";
	char path[300];
	struct entry v[8];
	struct dirent *e;
	int n = 0, offs = 0;
	DIR *d;

	if (mkdtemp(dir) == NULL) {
		return 1;
	}
	snprintf(path, sizeof(path), "%s/file", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/link", dir);
	if (symlink("file", path) != 0 || (d = opendir(dir)) == NULL) {
		return 1;
	}
	while ((e = readdir(d)) != NULL && n < 8) {
		snprintf(v[n].name, sizeof(v[n].name), "%s", e->d_name);
		v[n].d_type = e->d_type;
		v[n].d_off = (long) e->d_off;
		v[n].d_namelen = (int) strlen(e->d_name);
		v[n].d_offset = (long) e->d_off;
		offs += v[n].d_off == v[n].d_offset &&
		    e->d_reclen >= sizeof(e->d_ino);
		n++;
	}
	closedir(d);
	qsort(v, (size_t) n, sizeof(v[0]), by_name);
	for (int i = 0; i < n; i++) {
		printf("%s type %s length %d\n", v[i].name,
		    v[i].d_type == DT_DIR ? "dir" : v[i].d_type == DT_REG ?
		    "file" : v[i].d_type == DT_LNK ? "link" : "other",
		    v[i].d_namelen);
	}
	printf("%d entries, %d with an offset, sizeof(struct dirent) %zu\n",
	    n, offs, sizeof(struct dirent));
	unlink(path);
	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}
