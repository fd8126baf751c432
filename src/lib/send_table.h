/* SPDX-License-Identifier: MIT */
/*
 * The MsgSend*() family, one row a form (expanded in send.c).  Columns:
 * the name; how the message is given, BUF (const void *smsg, size_t
 * sbytes) or IOV (const iov_t *siov, size_t sparts); how the reply
 * buffer is, BUF (void *rmsg, size_t rbytes) or IOV (const iov_t *riov,
 * size_t rparts); and whether the call is a cancellation point (the
 * "nc" forms are not).  Each row makes two functions with the
 * prototypes of <sys/neutrino.h>: NAME, which returns the server's
 * status or -1 with errno, and NAME_r, which returns the status or
 * -errno and leaves errno alone.
 */
#ifndef AXON_LIB_SEND_TABLE_H
#define AXON_LIB_SEND_TABLE_H

#define AXON_SEND_TABLE(X)                  \
	X(MsgSend, BUF, BUF, true)          \
	X(MsgSendnc, BUF, BUF, false)       \
	X(MsgSendv, IOV, IOV, true)         \
	X(MsgSendvnc, IOV, IOV, false)      \
	X(MsgSendsv, BUF, IOV, true)        \
	X(MsgSendsvnc, BUF, IOV, false)     \
	X(MsgSendvs, IOV, BUF, true)        \
	X(MsgSendvsnc, IOV, BUF, false)

#endif /* AXON_LIB_SEND_TABLE_H */
