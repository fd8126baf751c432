/* SPDX-License-Identifier: MIT */
/* <slog2.h>: where QNX 6.6 declared slog2; the same as <sys/slog2.h>. */
#include <sys/slog2.h>
