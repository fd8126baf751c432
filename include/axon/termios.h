/* SPDX-License-Identifier: MIT */
/*
 * <termios.h> for Axon: the system header, plus QNX's c_cflag bits for
 * hardware flow control: IHFLOW (input flow control by the hardware
 * handshaking lines: the port drops RTS when it can take no more) and
 * OHFLOW (output flow control: it sends only while the other end holds
 * CTS up).
 *
 * Linux has one bit for both directions, CRTSCTS, and no way to ask for
 * one direction alone, so IHFLOW and OHFLOW are both CRTSCTS: setting
 * either (or both) turns RTS/CTS flow control on in both directions,
 * reading back shows both set or both clear, and clearing either clears
 * both.  A QNX program that sets or clears the two together (the usual
 * IHFLOW | OHFLOW) gets what it asked for; one that wants a single
 * direction gets both.  See qnx-libc(3).
 *
 * Nothing else changes for a Linux program: glibc's <termios.h> comes in
 * by #include_next, and the two names are defined only where the system
 * has not defined them (POSIX reserves names beginning with I and O for
 * <termios.h>).  Where glibc hides CRTSCTS (a strict -std=c11 build),
 * the bit is Linux's value for it, the same on every architecture.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <termios.h>

#ifndef AXON_TERMIOS_H
#define AXON_TERMIOS_H

#ifdef CRTSCTS
#define AXON_HWFLOW_ CRTSCTS
#else
#define AXON_HWFLOW_ 020000000000
#endif

#ifndef IHFLOW
#define IHFLOW AXON_HWFLOW_
#endif
#ifndef OHFLOW
#define OHFLOW AXON_HWFLOW_
#endif

#endif /* AXON_TERMIOS_H */
