/* Strict ISO C: no extensions may appear (compiled with -std=c11). */
#include <errno.h>
#include <pthread.h>
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

/* No extension of QNX's in strict C: glibc's pthread_join(), not
 * Axon's TimerTimeout-aware one. */
#ifdef pthread_join
#error "pthread_join is mapped in strict ISO C"
#endif

int
main(void)
{
	char s[] = "ok";

	errno = ERANGE;
	printf("%s %d %zu %d\n", strupr(s), stricmp("a", "a"), strlen(s),
	    errno == ERANGE);
	return 0;
}
