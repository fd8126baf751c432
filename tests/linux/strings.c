/* An ordinary Linux program: string.h, its own strlcpy as many carry. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HAVE_STRLCPY
size_t strlcpy(char *dst, const char *src, size_t size);

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n + 1000; /* ours: so the output shows whose ran */
}
#endif

struct names {
	int strupr; /* a member named like a QNX extra */
	int index;
};

int
main(void)
{
	char buf[8];
	char *d = strdup("Linux");
	struct names n = {1, 2};

	printf("%zu %s\n", strlcpy(buf, "abcdefghij", sizeof(buf)), buf);
	printf("%s %d %d\n", d, strcasecmp("A", "a"), n.strupr + n.index);
	printf("%d\n", memmem("hello", 5, "ll", 2) != NULL);
	free(d);
	return 0;
}
