/* SPDX-License-Identifier: MIT */
/*
 * <sys/dcmd_chr.h> for Axon: QNX's devctl() commands for character
 * devices (devctl(3) of resmgr_attach(3), "Terminals and serial ports").
 * glibc has no such header.  devctl() on a Linux terminal descriptor (a
 * serial port, a pseudo-terminal) carries them out with the kernel's
 * termios and modem-line calls.
 *
 * Command numbers, classes and data types are QNX's documented ones
 * (__DIOT(_DCMD_CHR, 20, int) for DCMD_CHR_SERCTL, ...); the data types
 * are Linux's own (struct termios, struct winsize), as a program built
 * here uses them.  The _LINESTATUS_SER_* bits are the TIOCM_* ones, as
 * QNX documents them; the SERCTL bits' values are Axon's own.
 */
#ifndef AXON_SYS_DCMD_CHR_H
#define AXON_SYS_DCMD_CHR_H

#include <devctl.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _CMD_IOCTL_TTY
#define _CMD_IOCTL_TTY 't'
#endif

/* Commands with no ioctl of their own: class _DCMD_CHR. */
#define DCMD_CHR_TCSETSID  __DIOT(_DCMD_CHR, 8, pid_t)
#define DCMD_CHR_SERCTL    __DIOT(_DCMD_CHR, 20, int)
#define DCMD_CHR_TCINJECTC __DIOT(_DCMD_CHR, 22, int)
#define DCMD_CHR_TCINJECTR __DIOT(_DCMD_CHR, 23, int)
#define DCMD_CHR_FORCE_RTS __DIOT(_DCMD_CHR, 34, int)

/* Commands that are ioctls too: their classes and numbers. */
#define DCMD_CHR_TCFLOW     __DIOT('T', 6, int)
#define DCMD_CHR_TCFLUSH    __DIOT(_CMD_IOCTL_TTY, 16, int)
#define DCMD_CHR_TCGETATTR  __DIOF(_CMD_IOCTL_TTY, 19, struct termios)
#define DCMD_CHR_TCSETATTR  __DIOT(_CMD_IOCTL_TTY, 20, struct termios)
#define DCMD_CHR_TCSETATTRD __DIOT(_CMD_IOCTL_TTY, 21, struct termios)
#define DCMD_CHR_TCSETATTRF __DIOT(_CMD_IOCTL_TTY, 22, struct termios)
#define DCMD_CHR_TCDRAIN    __DION(_CMD_IOCTL_TTY, 94)
#define DCMD_CHR_SETSIZE    __DIOT(_CMD_IOCTL_TTY, 103, struct winsize)
#define DCMD_CHR_GETSIZE    __DIOF(_CMD_IOCTL_TTY, 104, struct winsize)
#define DCMD_CHR_LINESTATUS __DIOF(_CMD_IOCTL_TTY, 106, int)
#define DCMD_CHR_OSCHARS    __DIOF(_CMD_IOCTL_TTY, 115, unsigned)
#define DCMD_CHR_TCSETPGRP  __DIOT(_CMD_IOCTL_TTY, 118, pid_t)
#define DCMD_CHR_TCGETPGRP  __DIOF(_CMD_IOCTL_TTY, 119, pid_t)
#define DCMD_CHR_ISCHARS    __DIOF('f', 127, unsigned)

/*
 * DCMD_CHR_SERCTL: each _CHG bit selects a line to change, the bit
 * without _CHG is its new state (set: on).  DTR, RTS, break and loopback
 * are carried out; the others (lines that are inputs of a serial port,
 * the timed and mask controls) fail with ENOTSUP.
 */
#define _CTL_DTR       0x0001
#define _CTL_RTS       0x0002
#define _CTL_BRK       0x0004
#define _CTL_TIMED     0x0008
#define _CTL_DSR       0x0010
#define _CTL_DCD       0x0020
#define _CTL_CTS       0x0040
#define _CTL_MASK      0x0080
#define _CTL_DTR_CHG   0x0100
#define _CTL_RTS_CHG   0x0200
#define _CTL_BRK_CHG   0x0400
#define _CTL_TIMED_CHG 0x0800
#define _CTL_DSR_CHG   0x1000
#define _CTL_DCD_CHG   0x2000
#define _CTL_CTS_CHG   0x4000
#define _CTL_MASK_CHG  0x8000

#define _SERCTL_DTR      _CTL_DTR
#define _SERCTL_RTS      _CTL_RTS
#define _SERCTL_BRK      _CTL_BRK
#define _SERCTL_DSR      _CTL_DSR
#define _SERCTL_DCD      _CTL_DCD
#define _SERCTL_CTS      _CTL_CTS
#define _SERCTL_DTR_CHG  _CTL_DTR_CHG
#define _SERCTL_RTS_CHG  _CTL_RTS_CHG
#define _SERCTL_BRK_CHG  _CTL_BRK_CHG
#define _SERCTL_DSR_CHG  _CTL_DSR_CHG
#define _SERCTL_DCD_CHG  _CTL_DCD_CHG
#define _SERCTL_CTS_CHG  _CTL_CTS_CHG
#define _SERCTL_LOOP     0x00010000
#define _SERCTL_LOOP_CHG 0x00020000

/* DCMD_CHR_LINESTATUS of a serial port: the modem lines. */
#define _LINESTATUS_SER_DTR TIOCM_DTR
#define _LINESTATUS_SER_RTS TIOCM_RTS
#define _LINESTATUS_SER_CTS TIOCM_CTS
#define _LINESTATUS_SER_DSR TIOCM_DSR
#define _LINESTATUS_SER_RI  TIOCM_RI
#define _LINESTATUS_SER_CD  TIOCM_CD

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_DCMD_CHR_H */
