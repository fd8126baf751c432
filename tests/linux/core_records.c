/*
 * An ordinary Linux program that uses glibc's <sys/procfs.h> (the
 * core-file records of debuggers and dump tools): with Axon's include
 * directory first it gets glibc's header, QNX's names added beside
 * (procfs(3)), and builds and behaves the same.
 */
#include <stdio.h>
#include <string.h>
#include <sys/procfs.h>
#include <unistd.h>

int
main(void)
{
	prstatus_t st;
	prpsinfo_t ps;

	memset(&st, 0, sizeof(st));
	memset(&ps, 0, sizeof(ps));
	st.pr_pid = 42;
	(void) snprintf(ps.pr_fname, sizeof(ps.pr_fname), "%s", "core");
	printf("prstatus %zu prpsinfo %zu gregs %zu pid %d fname %s\n",
	    sizeof(st), sizeof(ps), sizeof(elf_gregset_t) / sizeof(elf_greg_t),
	    (int) st.pr_pid, ps.pr_fname);
	return 0;
}
