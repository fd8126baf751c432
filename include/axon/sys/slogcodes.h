/* SPDX-License-Identifier: MIT */
/*
 * <sys/slogcodes.h> for Axon: the major codes of slogf()'s opcodes
 * (slog2_register(3)), which QNX keeps here and <sys/slog.h> includes.
 * QNX documents the private range, which programs of their own use, and
 * _SLOGC_TEST at its start; the codes of QNX's own drivers and servers
 * are not published, so they are not here.
 */
#ifndef AXON_SYS_SLOGCODES_H
#define AXON_SYS_SLOGCODES_H

#define _SLOGC_PRIVATE_START 10000
#define _SLOGC_PRIVATE_END   19999
#define _SLOGC_TEST          (_SLOGC_PRIVATE_START + 0)

#endif /* AXON_SYS_SLOGCODES_H */
