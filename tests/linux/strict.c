/* Strict ISO C: no extensions may appear (compiled with -std=c11). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Names QNX's extras use are free for a strict program to define. */
static char *
strupr(char *s)
{
	return s;
}

static int
stricmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

int
main(void)
{
	char s[] = "ok";

	printf("%s %d %zu\n", strupr(s), stricmp("a", "a"), strlen(s));
	return 0;
}
