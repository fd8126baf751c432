/* SPDX-License-Identifier: MIT */
/*
 * The system manager's connection (MsgSend(3), "The system manager"):
 * _MEM_INFO to MEMMGR_COID answered with the machine's memory, checked
 * against /proc/meminfo read here; the reply cut to the sender's
 * buffer; bad messages refused; SYSMGR_COID never handed to a
 * program's own ConnectAttach().
 */
#include "attack.h"

#include <sched.h>
#include <sys/wait.h>

#include <sys/memmsg.h>

static uint64_t
meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb = 0;
	size_t n = strlen(key);

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			kb = strtoull(line + n + 1, NULL, 10);
		}
	}
	fclose(f);
	ck_assert_uint_gt(kb, 0);
	return (uint64_t) kb * 1024;
}

START_TEST(test_mem_info)
{
	mem_info_t msg;

	memset(&msg, 0, sizeof(msg));
	msg.i.type = _MEM_INFO;
	msg.i.fd = NOFD;
	errno = 77;
	ck_assert_int_eq(MsgSend(MEMMGR_COID, &msg.i, sizeof(msg.i), &msg.o,
			     sizeof(msg.o)),
	    0);
	ck_assert_int_eq(errno, 77); /* success leaves errno */
	ck_assert_uint_eq(msg.o.info.__posix_tmi_total, meminfo("MemTotal"));
	ck_assert_uint_gt(msg.o.info.posix_tmi_length, 0);
	ck_assert_uint_le(msg.o.info.posix_tmi_length,
	    msg.o.info.__posix_tmi_total);

	/* In parts, both ways; a reply buffer too short gets its start. */
	struct _mem_info in = {.type = _MEM_INFO, .fd = NOFD};
	struct _mem_info_reply out;
	size_t total_off = offsetof(struct _mem_info_reply,
	    info.__posix_tmi_total);
	iov_t s[2], r[2];

	SETIOV(&s[0], &in, 3);
	SETIOV(&s[1], (char *) &in + 3, sizeof(in) - 3);
	memset(&out, 0xee, sizeof(out));
	SETIOV(&r[0], &out, total_off);
	SETIOV(&r[1], (char *) &out + total_off, sizeof(out) - total_off);
	ck_assert_int_eq(MsgSendv(MEMMGR_COID, s, 2, r, 2), 0);
	ck_assert_uint_eq(out.info.__posix_tmi_total, meminfo("MemTotal"));
	memset(&out, 0xee, sizeof(out));
	ck_assert_int_eq(MsgSend_r(SYSMGR_COID, &in, sizeof(in), &out,
			     total_off),
	    0);
	ck_assert_uint_gt(out.info.posix_tmi_length, 0);
	ck_assert_uint_eq(out.info.__posix_tmi_total,
	    (size_t) 0xeeeeeeeeeeeeeeeeull);
}
END_TEST

START_TEST(test_bad_messages)
{
	struct _mem_info in = {.type = _MEM_INFO, .fd = NOFD};
	mem_info_t msg;
	uint16_t other = 0x7ffe;

	in.fd = 0; /* no typed memory on Linux */
	errno = 0;
	ck_assert_int_eq(MsgSend(MEMMGR_COID, &in, sizeof(in), &msg.o,
			     sizeof(msg.o)),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	in.fd = NOFD;
	in.flags = 1;
	ck_assert_int_eq(MsgSend_r(MEMMGR_COID, &in, sizeof(in), &msg.o,
			     sizeof(msg.o)),
	    -EINVAL);
	in.flags = 0;
	in.zero = 1;
	ck_assert_int_eq(MsgSend_r(MEMMGR_COID, &in, sizeof(in), &msg.o,
			     sizeof(msg.o)),
	    -EINVAL);
	in.zero = 0;
	in.reserved = 1;
	ck_assert_int_eq(MsgSend_r(MEMMGR_COID, &in, sizeof(in), &msg.o,
			     sizeof(msg.o)),
	    -EINVAL);
	in.reserved = 0;
	ck_assert_int_eq(MsgSend_r(MEMMGR_COID, &in, 6, &msg.o,
			     sizeof(msg.o)),
	    -EINVAL); /* cut short */
	ck_assert_int_eq(MsgSend_r(MEMMGR_COID, &in, 1, NULL, 0), -EINVAL);
	ck_assert_int_eq(MsgSend_r(SYSMGR_COID, &other, sizeof(other), NULL,
			     0),
	    -ENOSYS);
	/* Not a channel: no pulses; the next side-channel id is no
	 * manager. */
	ck_assert_int_eq(MsgSendPulse_r(SYSMGR_COID, 10, 1, 0), -EBADF);
	ck_assert_int_eq(MsgSend_r(SYSMGR_COID + 1, &in, sizeof(in), NULL, 0),
	    -EBADF);
}
END_TEST

START_TEST(test_coid_not_given)
{
	int chid = ChannelCreate(0);
	int coids[3];

	ck_assert_int_ge(chid, 0);
	for (int i = 0; i < 3; i++) {
		coids[i] = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
		ck_assert_int_gt(coids[i], SYSMGR_COID);
	}
	ck_assert_int_eq(coids[0], SYSMGR_COID + 1); /* the lowest free */
	ck_assert_int_eq(ConnectDetach(SYSMGR_COID), -1);
	ck_assert_int_eq(errno, EINVAL); /* not the program's to detach */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(ConnectDetach(coids[i]), 0);
	}
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* sysmgr_reboot(), without rebooting anything: as a user without
 * CAP_SYS_BOOT (EPERM), and as the first process of a pid namespace of
 * its own, which Linux's reboot(2) ends instead (SIGHUP for a restart).
 * The call is made only once the namespace is seen to be its own. */
static void
reboot_unprivileged(int fd, void *arg)
{
	(void) arg;
	axa_become();
	if (geteuid() == 0) {
		_exit(97); /* never as root here */
	}
	axt_report(fd, sysmgr_reboot() == -1 ? errno : 0);
}

static void
reboot_in_namespace(int fd, void *arg)
{
	pid_t init;
	int st;

	(void) arg;
	if (unshare(CLONE_NEWPID) < 0) {
		axt_report(fd, -1000);
		return;
	}
	init = fork();
	if (init < 0) {
		axt_report(fd, -1001);
		return;
	}
	if (init == 0) {
		if (getpid() != 1) {
			_exit(77); /* not a namespace of its own: no call */
		}
		(void) sysmgr_reboot();
		_exit(78); /* it returned */
	}
	if (waitpid(init, &st, 0) != init) {
		axt_report(fd, -1002);
		return;
	}
	axt_report(fd, WIFSIGNALED(st) ? WTERMSIG(st) : 1000 + WEXITSTATUS(st));
}

START_TEST(test_reboot)
{
	if (geteuid() != 0 || !axa_user("test_reboot")) {
		fprintf(stderr, "test_reboot: skipped: needs root\n");
		return;
	}
	struct axt_child c = axt_spawn(reboot_unprivileged, NULL);

	ck_assert_int_eq(c.val, EPERM);
	ck_assert_int_eq(axt_child_wait(&c, 10), 0);
	c = axt_spawn(reboot_in_namespace, NULL);
	if (c.val == -1000) {
		fprintf(stderr, "test_reboot: no pid namespace here: only the "
				"refusal was checked\n");
	} else {
		ck_assert_int_eq(c.val, SIGHUP);
	}
	ck_assert_int_eq(axt_child_wait(&c, 10), 0);
}
END_TEST

static Suite *
sysmgr_suite(void)
{
	Suite *s = suite_create("sysmgr");
	TCase *t = axt_tcase("sysmgr", 20);

	tcase_add_checked_fixture(t, axt_setup, axt_teardown);
	tcase_add_test(t, test_mem_info);
	tcase_add_test(t, test_bad_messages);
	tcase_add_test(t, test_coid_not_given);
	tcase_add_test(t, test_reboot);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(sysmgr_suite());
}
