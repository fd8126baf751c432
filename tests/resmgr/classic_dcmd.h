/*
 * The commands of the classic devctl device (dcmd.c), shared with its
 * clients as a QNX driver's header is: built with the DCMD macros of
 * <devctl.h>, each saying which way its data goes and how much of it.
 */
#ifndef CLASSIC_DCMD_H
#define CLASSIC_DCMD_H

#include <devctl.h>

struct classic_range {
	int lo;
	int hi;
};

#define CLASSIC_SET   __DIOT(_DCMD_MISC, 1, int)   /* value := *data */
#define CLASSIC_GET   __DIOF(_DCMD_MISC, 2, int)   /* *data := value */
#define CLASSIC_SWAP  __DIOTF(_DCMD_MISC, 3, int)  /* both at once */
#define CLASSIC_RESET __DION(_DCMD_MISC, 4)        /* value := 0 */
#define CLASSIC_RANGE __DIOF(_DCMD_MISC, 5, struct classic_range)

#endif /* CLASSIC_DCMD_H */
