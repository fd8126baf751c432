/* SPDX-License-Identifier: MIT */
/*
 * Scale, the short part (issue 11, item 5): what `make bench-scale`
 * (bench/scale.c) shows at full size, kept small enough for `make check`.
 * Real axonds on loopback (net_test.h), a server on beta.
 */
#include "net_srv.h"

#include <pthread.h>

static void
scale_setup(void)
{
	axn_setup(2);
}

static void
scale_teardown(void)
{
	axn_teardown();
}

#define BURST 256

struct burst {
	pthread_barrier_t go;
	int coid[BURST];
	long rc[BURST];
	int err[BURST];
};

struct burst_arg {
	struct burst *b;
	int k;
};

static void *
burst_thread(void *arg)
{
	struct burst_arg *a = arg;
	struct burst *b = a->b;
	struct srv_cmd cmd = {.op = OP_ECHO, .a = a->k};
	struct srv_cmd back = {0};

	pthread_barrier_wait(&b->go);
	errno = 0;
	b->rc[a->k] = MsgSend(b->coid[a->k], &cmd, sizeof(cmd), &back,
	    sizeof(back));
	b->err[a->k] = errno;
	if (b->rc[a->k] == (long) sizeof(cmd) && back.a != a->k) {
		b->rc[a->k] = -2; /* someone else's reply */
	}
	return NULL;
}

/* A burst of new remote clients: 256 connections of their own
 * (_NTO_COF_NOSHARE) send their first message at once, so the server's
 * axond gets 256 connects in a few frames, more than the 64 local
 * handshakes it makes at once.  The rest wait for a thread and every
 * one is served; none is refused with EAGAIN (as they were before). */
START_TEST(test_connect_burst)
{
	static struct burst b;
	struct burst_arg arg[BURST];
	pthread_t th[BURST];
	struct axn_srv s;
	char log[300], line[512];
	int refused = 0;
	FILE *f;

	axn[1].log_file = true;
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	s = srv_start(1, 0);
	axn_enter(0);
	for (int k = 0; k < BURST; k++) {
		b.coid[k] = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
		    _NTO_SIDE_CHANNEL, _NTO_COF_NOSHARE);
		ck_assert_int_ge(b.coid[k], 0);
	}
	ck_assert_int_eq(pthread_barrier_init(&b.go, NULL, BURST), 0);
	for (int k = 0; k < BURST; k++) {
		arg[k].b = &b;
		arg[k].k = k;
		ck_assert_int_eq(pthread_create(&th[k], NULL, burst_thread,
				     &arg[k]),
		    0);
	}
	for (int k = 0; k < BURST; k++) {
		pthread_join(th[k], NULL);
	}
	for (int k = 0; k < BURST; k++) {
		ck_assert_msg(b.rc[k] == (long) sizeof(struct srv_cmd),
		    "client %d: %ld (%s)", k, b.rc[k], strerror(b.err[k]));
	}
	/* 256 distinct connections at the server: one more message on
	 * each, answered by scoid. */
	for (int k = 0; k < BURST; k++) {
		struct srv_cmd cmd = {.op = OP_INFO};
		struct who w;

		ck_assert_int_eq(MsgSend(b.coid[k], &cmd, sizeof(cmd), &w,
				     sizeof(w)),
		    0);
		for (int j = 0; j < k; j++) {
			if (b.rc[j] == w.info.scoid) {
				ck_abort_msg("clients %d and %d share scoid "
					     "%d",
				    j, k, w.info.scoid);
			}
		}
		b.rc[k] = w.info.scoid;
	}
	snprintf(log, sizeof(log), "%s/axond.log", axn[1].rundir);
	f = fopen(log, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		refused += strstr(line, "connection refused") != NULL;
	}
	if (f != NULL) {
		fclose(f);
	}
	ck_assert_int_eq(refused, 0);
	for (int k = 0; k < BURST; k++) {
		ck_assert_int_eq(ConnectDetach(b.coid[k]), 0);
	}
	pthread_barrier_destroy(&b.go);
	axn_srv_stop(&s);
}
END_TEST

/* The limit still holds: with --max-conns 8, the 9th connection of the
 * peer is refused, queued handshakes or not, the first 8 are served, and
 * a refused client's send fails with EAGAIN, as axond(8) says (it was
 * EBADF, as if sent on a connection the server's node never heard of). */
START_TEST(test_connect_burst_limit)
{
	int coid[12];
	struct axn_srv s;
	int ok = 0, again = 0;

	snprintf(axn[1].extra, sizeof(axn[1].extra), "--max-conns 8");
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	s = srv_start(1, 0);
	axn_enter(0);
	for (int k = 0; k < 12; k++) {
		struct srv_cmd cmd = {.op = OP_ECHO};

		coid[k] = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
		    _NTO_SIDE_CHANNEL, _NTO_COF_NOSHARE);
		ck_assert_int_ge(coid[k], 0);
		errno = 0;
		if (MsgSend(coid[k], &cmd, sizeof(cmd), NULL, 0) >= 0) {
			ok++;
		} else {
			ck_assert_msg(errno == EAGAIN, "connection %d: %s", k,
			    strerror(errno));
			again++;
		}
	}
	ck_assert_int_eq(ok, 8);
	ck_assert_int_eq(again, 4);
	for (int k = 0; k < 12; k++) {
		(void) ConnectDetach(coid[k]);
	}
	axn_srv_stop(&s);
}
END_TEST

/* bench/scale at a size for `make check`: 8 nodes on loopback in a full
 * mesh within 5 s of start (times AXON_TEST_TIMEOUT_MULTIPLIER), a round
 * trip both ways between every pair, then traffic between 7 of them
 * without a single error while the 8th leaves (SIGTERM), joins and leaves
 * again (SIGKILL).  `make bench-scale` runs it with 32. */
START_TEST(test_mesh_churn)
{
	const char *ax = axn_bin();
	char bin[512], out[8192];
	const char *slash = strrchr(ax, '/');
	int p[2], st = -1;
	size_t len = 0;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%.*s/bench/scale",
	    slash != NULL ? (int) (slash - ax) : 1, slash != NULL ? ax : ".");
	if (getenv("SCALE_BIN") != NULL) {
		snprintf(bin, sizeof(bin), "%s", getenv("SCALE_BIN"));
	}
	ck_assert_msg(access(bin, X_OK) == 0, "%s: %s", bin, strerror(errno));
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		setenv("AXOND", ax, 1);
		setenv("SCALE_PHASE_MS", "500", 1);
		setenv("SCALE_TIMEOUT", "100", 1);
		execl(bin, bin, "mesh", "8", "churn", (char *) NULL);
		_exit(127);
	}
	close(p[1]);
	for (int t = 0; t < 1200; t++) { /* bounded: 120 s */
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 100) == 1) {
			n = read(p[0], out + len, sizeof(out) - 1 - len);
			if (n <= 0) {
				break;
			}
			len += (size_t) n;
		}
	}
	out[len] = '\0';
	close(p[0]);
	for (int t = 0; t < 100 && waitpid(pid, &st, WNOHANG) == 0; t++) {
		axt_sleep_ms(100);
	}
	if (st == -1) {
		kill(pid, SIGTERM); /* it cleans up after itself */
		waitpid(pid, &st, 0);
	}
	fprintf(stderr, "%s", out);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "scale: %s", out);
	ck_assert_ptr_nonnull(strstr(out, "scale_mesh nodes=8 "));
	ck_assert_ptr_nonnull(strstr(out, "pairs=56 pairs_ok=56 "));
	ck_assert_ptr_nonnull(strstr(out, "phase=leave_kill"));
	ck_assert_ptr_null(strstr(out, "FAIL"));
}
END_TEST

static Suite *
scale_suite(void)
{
	Suite *s = suite_create("scale");
	TCase *tc = axt_tcase("scale", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, scale_setup, scale_teardown);
	tcase_add_test(tc, test_connect_burst);
	tcase_add_test(tc, test_connect_burst_limit);
	tcase_add_test(tc, test_mesh_churn);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(scale_suite());
}
