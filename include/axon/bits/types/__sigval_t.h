/* SPDX-License-Identifier: MIT */
/*
 * union sigval with QNX 7.1/8.0's sival_long, for programs built with
 * Axon's include directory first on the include path.
 *
 * glibc defines union sigval in this one internal header, which every
 * header that needs it (<signal.h>, <time.h>'s sigevent, <mqueue.h>,
 * <aio.h>) includes by this name; Axon's copy is found first whatever the
 * order of the program's #includes, and its guard keeps glibc's out.  It
 * is glibc's definition (the same guard macro, the same two members under
 * the same feature test) plus one member:
 *
 *   long sival_long: QNX's name for the value as a long; a pulse's value
 *   (an UNBLOCK pulse carries the rcvid there, a MsgSendPulse its value).
 *
 * The layout does not change: long has the size and alignment of void *
 * on every Linux ABI (LP64 and ILP32), so the union keeps its size,
 * alignment and argument-passing class, and a union sigval passed to or
 * from glibc (sigqueue, timer_create, si_value) means the same bytes.
 * The checks below stop the build if that ever stops holding.
 * Programs built without Axon's flags see glibc's own header.
 */
#ifndef ____sigval_t_defined
#define ____sigval_t_defined

#ifdef __USE_POSIX199309
union sigval {
	int sival_int;
	void *sival_ptr;
	long sival_long;
};

typedef union sigval __sigval_t;
#else
union __sigval {
	int __sival_int;
	void *__sival_ptr;
	long __sival_long;
};

typedef union __sigval __sigval_t;
#endif

#if defined(__cplusplus) && __cplusplus >= 201103L
static_assert(sizeof(long) == sizeof(void *) &&
    alignof(long) == alignof(void *), "union sigval layout");
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(long) == sizeof(void *) &&
    _Alignof(long) == _Alignof(void *), "union sigval layout");
#endif

#endif
