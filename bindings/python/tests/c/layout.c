/* SPDX-License-Identifier: MIT */
/*
 * Prints the layout of the structures the Python bindings declare with
 * ctypes (axon/_lib.py), one "struct field offset size" line each and a
 * "struct - 0 sizeof" line per structure; tests/test_layout.py compares.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/dispatch.h>
#include <sys/ftype.h>
#include <sys/neutrino.h>

#define F(s, ps, f) \
	printf("%s %s %zu %zu\n", ps, #f, offsetof(s, f), sizeof(((s *) 0)->f))
#define S(s, ps) printf("%s - 0 %zu\n", ps, sizeof(s))

int
main(void)
{
	S(struct _msg_info, "MsgInfo");
	F(struct _msg_info, "MsgInfo", nd);
	F(struct _msg_info, "MsgInfo", srcnd);
	F(struct _msg_info, "MsgInfo", pid);
	F(struct _msg_info, "MsgInfo", tid);
	F(struct _msg_info, "MsgInfo", chid);
	F(struct _msg_info, "MsgInfo", scoid);
	F(struct _msg_info, "MsgInfo", coid);
	F(struct _msg_info, "MsgInfo", msglen);
	F(struct _msg_info, "MsgInfo", srcmsglen);
	F(struct _msg_info, "MsgInfo", dstmsglen);
	F(struct _msg_info, "MsgInfo", priority);
	F(struct _msg_info, "MsgInfo", flags);
	F(struct _msg_info, "MsgInfo", type_id);
#if UINTPTR_MAX > 0xffffffffu
	F(struct _msg_info, "MsgInfo", reserved);
#endif

	S(struct _cred_info, "CredInfo");
	F(struct _cred_info, "CredInfo", ruid);
	F(struct _cred_info, "CredInfo", euid);
	F(struct _cred_info, "CredInfo", suid);
	F(struct _cred_info, "CredInfo", rgid);
	F(struct _cred_info, "CredInfo", egid);
	F(struct _cred_info, "CredInfo", sgid);
	F(struct _cred_info, "CredInfo", ngroups);
	F(struct _cred_info, "CredInfo", grouplist);

	S(struct _client_info, "ClientInfo");
	F(struct _client_info, "ClientInfo", nd);
	F(struct _client_info, "ClientInfo", pid);
	F(struct _client_info, "ClientInfo", sid);
	F(struct _client_info, "ClientInfo", flags);
	F(struct _client_info, "ClientInfo", cred);

	S(union sigval, "Sigval");
	F(union sigval, "Sigval", sival_int);
	F(union sigval, "Sigval", sival_ptr);
	F(union sigval, "Sigval", sival_long);

	S(struct _pulse, "RawPulse");
	F(struct _pulse, "RawPulse", type);
	F(struct _pulse, "RawPulse", subtype);
	F(struct _pulse, "RawPulse", code);
	F(struct _pulse, "RawPulse", zero);
	F(struct _pulse, "RawPulse", value);
	F(struct _pulse, "RawPulse", scoid);

	/* The QNX fields of struct sigevent are glibc's under other names
	 * (<sys/siginfo.h>): printed under the names _lib.py reaches them
	 * by, sigev_signo and the _pad array's first two ints. */
	S(struct sigevent, "RawSigevent");
	F(struct sigevent, "RawSigevent", sigev_value);
	F(struct sigevent, "RawSigevent", sigev_signo);
	F(struct sigevent, "RawSigevent", sigev_notify);
	printf("RawSigevent _pad %zu %zu\n", offsetof(struct sigevent, _sigev_un),
	    sizeof(((struct sigevent *) 0)->_sigev_un));
	printf("RawSigevent.qnx sigev_coid %zu %zu\n",
	    offsetof(struct sigevent, sigev_coid),
	    sizeof(((struct sigevent *) 0)->sigev_coid));
	printf("RawSigevent.qnx sigev_priority %zu %zu\n",
	    offsetof(struct sigevent, sigev_priority),
	    sizeof(((struct sigevent *) 0)->sigev_priority));
	printf("RawSigevent.qnx sigev_code %zu %zu\n",
	    offsetof(struct sigevent, sigev_code),
	    sizeof(((struct sigevent *) 0)->sigev_code));

	S(name_attach_t, "NameAttach");
	F(name_attach_t, "NameAttach", dpp);
	F(name_attach_t, "NameAttach", chid);
	F(name_attach_t, "NameAttach", mntid);
	F(name_attach_t, "NameAttach", zero);

	/* Constants the bindings spell out. */
	printf("const _IO_CONNECT %d 0\n", _IO_CONNECT);
	printf("const _IO_CONNECT_OPEN %d 0\n", _IO_CONNECT_OPEN);
	printf("const _FTYPE_NAME %d 0\n", _FTYPE_NAME);
	printf("const SIGEV_PULSE %d 0\n", SIGEV_PULSE);
	printf("const SIGEV_SIGNAL %d 0\n", SIGEV_SIGNAL);
	printf("const SIGEV_SIGNAL_THREAD %d 0\n", SIGEV_SIGNAL_THREAD);
	printf("const SIGEV_NONE %d 0\n", SIGEV_NONE);
	printf("const SIGEV_UNBLOCK %d 0\n", SIGEV_UNBLOCK);
	printf("const NAME_FLAG_ATTACH_GLOBAL %d 0\n", NAME_FLAG_ATTACH_GLOBAL);
	printf("const _NTO_SIDE_CHANNEL %d 0\n", _NTO_SIDE_CHANNEL);
	printf("const _NTO_CHF_DISCONNECT %d 0\n", _NTO_CHF_DISCONNECT);
	printf("const _NTO_CHF_UNBLOCK %d 0\n", _NTO_CHF_UNBLOCK);
	printf("const _NTO_TIMEOUT_RECEIVE %d 0\n", _NTO_TIMEOUT_RECEIVE);
	printf("const _NTO_TIMEOUT_SEND %d 0\n", _NTO_TIMEOUT_SEND);
	printf("const _NTO_TIMEOUT_REPLY %d 0\n", _NTO_TIMEOUT_REPLY);
	printf("const _PULSE_CODE_DISCONNECT %d 0\n", _PULSE_CODE_DISCONNECT);
	printf("const _PULSE_CODE_UNBLOCK %d 0\n", _PULSE_CODE_UNBLOCK);
	printf("const CLOCK_MONOTONIC %d 0\n", CLOCK_MONOTONIC);
	printf("const ENOREMOTE %d 0\n", ENOREMOTE);
	printf("const ESRVRFAULT %d 0\n", ESRVRFAULT);
	printf("const EENDIAN %d 0\n", EENDIAN);
	return 0;
}
