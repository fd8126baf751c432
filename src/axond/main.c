/* SPDX-License-Identifier: MIT */
/*
 * axond: the network manager of the node whose AXON_RUNDIR is in its
 * environment.  See axond(8) and docs/design/axond.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <sys/neutrino.h>

#include "axond.h"
#include "session.h"
#include "link.h"
#include "module.h"

#define TAG_LISTEN (1ull << 63)
#define TAG_TICK   (1ull << 62)
#define TAG_SIG    (1ull << 61)

/* The command line, parsed again (with the file of --config) on SIGHUP. */
static int saved_argc;
static char **saved_argv;

static int
listen_on(const struct axond_addr *a)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	struct addrinfo *ai = NULL;
	int fd = -1;
	int one = 1;
	int rc;

	rc = getaddrinfo(a->host[0] ? a->host : NULL, a->port, &hints, &ai);
	if (rc != 0) {
		axd_log(AXD_ERR, "listen %s:%s: %s", a->host, a->port,
		    gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *p = ai; p != NULL; p = p->ai_next) {
		fd = socket(p->ai_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			continue;
		}
		(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (p->ai_family == AF_INET6) {
			(void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		}
		if (bind(fd, p->ai_addr, p->ai_addrlen) == 0 &&
		    listen(fd, 128) == 0) {
			break;
		}
		axd_log(AXD_ERR, "listen %s:%s: %s", a->host, a->port,
		    strerror(errno));
		(void) close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void
signal_ready(void)
{
	if (g.cfg.ready_fd >= 0) {
		(void) !write(g.cfg.ready_fd, "ready\n", 6);
		(void) close(g.cfg.ready_fd);
		g.cfg.ready_fd = -1;
	}
	if (g.cfg.ready_file[0] != '\0') {
		char tmp[sizeof(g.cfg.ready_file) + 16];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", g.cfg.ready_file);
		f = axon__tmp_fopen(tmp);
		if (f == NULL || fprintf(f, "%d\n", (int) getpid()) < 0 ||
		    fclose(f) != 0 || rename(tmp, g.cfg.ready_file) < 0) {
			axd_log(AXD_WARN, "cannot write %s: %s",
			    g.cfg.ready_file, strerror(errno));
		}
	}
	/* systemd's Type=notify: sd_notify() does nothing (returns 0)
	 * unless NOTIFY_SOCKET is in the environment.  Commands run for
	 * `axon on` get their caller's environment, not ours, so the
	 * variable stays here. */
	if (sd_notifyf(0, "READY=1\nSTATUS=node %s, %d peer(s), rundir %s",
		g.cfg.node, g.cfg.npeers, g.rundir) < 0) {
		axd_log(AXD_WARN, "cannot notify the service manager");
	}
	axd_log(AXD_INFO, "ready: node %s, %d peer(s), rundir %s", g.cfg.node,
	    g.cfg.npeers, g.rundir);
}

int
axd_start(void)
{
	struct epoll_event ev;
	struct itimerspec its = {
		.it_interval = {0, 100000000},
		.it_value = {0, 100000000},
	};
	sigset_t ss;

	if (g.cfg.ready_file[0] != '\0') {
		(void) unlink(g.cfg.ready_file); /* a stale one says nothing */
	}
	g.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g.epfd < 0) {
		return -1;
	}
	/* The node's network channel: every message and pulse of a local
	 * client for another node comes here.  UNBLOCK: timeouts and
	 * signals become pulses, so that the remote server's channel decides
	 * what they do; DISCONNECT: clients that go away. */
	g.chid = ChannelCreate_r(_NTO_CHF_NET_MSG | _NTO_CHF_UNBLOCK |
	    _NTO_CHF_DISCONNECT);
	if (g.chid < 0) {
		axd_log(AXD_ERR, "cannot own the node's network channel: %s",
		    g.chid == -EAGAIN
			? "another axond runs for this AXON_RUNDIR"
			: strerror(-g.chid));
		return -1;
	}
	/* (The library's, which the channel above made it find.) */
	if (axon__rundir(g.rundir, sizeof(g.rundir)) < 0) {
		axd_log(AXD_ERR, "no run directory");
		return -1;
	}
	for (int i = 0; i < g.cfg.nlisten; i++) {
		int fd = listen_on(&g.cfg.listen[i]);

		if (fd < 0) {
			return -1;
		}
		g.listen_fd[g.nlisten] = fd;
		ev.events = EPOLLIN;
		ev.data.u64 = TAG_LISTEN | (uint64_t) g.nlisten;
		(void) epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev);
		g.nlisten++;
	}
	if (axd_resolve_start() < 0) {
		axd_log(AXD_ERR, "cannot watch resolutions: %s",
		    strerror(errno));
		return -1;
	}
	for (int i = 0; i < g.cfg.npeers; i++) {
		if (axd_peer_add(g.cfg.peer[i].name, &g.cfg.peer[i].addr) ==
		    NULL) {
			return -1;
		}
	}
	g.tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK);
	if (g.tick_fd < 0 || timerfd_settime(g.tick_fd, 0, &its, NULL) < 0) {
		return -1;
	}
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_TICK;
	(void) epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.tick_fd, &ev);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	g.sig_fd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_SIG;
	(void) epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.sig_fd, &ev);
	signal(SIGPIPE, SIG_IGN);
	axd_nodes_write();
	if (axd_mod_init() < 0 || axd_mod_start() < 0) {
		return -1;
	}
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		axd_dial(g.peers[nd]);
	}
	signal_ready();
	return 0;
}

/*
 * SIGHUP: the configuration is read again, as at start (the command line
 * with the file of --config), and every peer in it that this axond does
 * not know yet is added and dialled.  A known peer whose address changed
 * gets the new one, used from its next connection.  Nothing else
 * changes: peers no longer listed stay known, and every other setting
 * (listen addresses, the secret, limits) needs a restart, which is
 * logged.  A configuration that does not parse or validate changes
 * nothing.  Called from the main loop.
 */
static void
reload(void)
{
	struct axond_config *nc = malloc(sizeof(*nc));
	char err[512];
	int added = 0, moved = 0;

	(void) sd_notify(0, "RELOADING=1");
	if (nc == NULL) {
		axd_log(AXD_ERR, "reload: %s", strerror(ENOMEM));
		goto out;
	}
	axond_config_defaults(nc);
	if (axond_config_parse(nc, saved_argc, saved_argv, err,
		sizeof(err)) != 0 ||
	    axond_config_validate(nc, err, sizeof(err)) < 0) {
		axd_log(AXD_ERR, "reload: %s; configuration unchanged", err);
		goto out;
	}
	if (strcmp(nc->node, g.cfg.node) != 0) {
		axd_log(AXD_WARN, "reload: the node name changes only with a "
				  "restart");
	}
	for (int i = 0; i < nc->npeers; i++) {
		const struct axond_peer *cp = &nc->peer[i];
		struct axd_peer *p = axd_peer_by_name(cp->name);
		char was[300], now[300];

		if (p == NULL) {
			p = axd_peer_add(cp->name, &cp->addr);
			if (p == NULL) {
				axd_log(AXD_ERR, "reload: cannot add peer %s: "
						 "too many nodes", cp->name);
				continue;
			}
			axd_dial(p);
			added++;
			continue;
		}
		axd_peer_addr(p, was, sizeof(was));
		bool was_configured = p->found == FOUND_STATIC ||
		    p->found == FOUND_DNS;
		axd_peer_set_addr(p, &cp->addr); /* configured from now on */
		if (p->hidden) {
			p->hidden = false;
			g.nodes_dirty = true;
		}
		axd_peer_addr(p, now, sizeof(now));
		if (!was_configured) {
			g.nodes_dirty = true;
		}
		if (strcmp(was, now) != 0) {
			axd_log(AXD_INFO, "reload: peer %s: address %s (was "
					  "%s), from its next connection",
			    p->name, now, was);
			g.nodes_dirty = true;
			moved++;
		}
	}
	axd_log(AXD_INFO, "reload: %d new peer(s), %d new address(es); "
			  "other settings change only with a restart",
	    added, moved);
out:
	free(nc);
	(void) sd_notifyf(0, "READY=1\nSTATUS=node %s, reloaded", g.cfg.node);
}

/* Every this many ticks, the entries of processes killed without a
 * chance to remove them (SIGKILL) are reclaimed: tmpfs is memory. */
#define SWEEP_TICKS 20

/*
 * The loop: one epoll_wait, every event of it handled, then the output
 * of every session that got frames written once (axd_flush_all), dead
 * sessions freed, files rewritten.  A session whose TLS holds input, or
 * a channel with more waiting than one batch, brings it back at once.
 */
/*
 * Adaptive polling (docs/design/axond.md, "Polling"): when the loop's
 * last wait was short (work came within poll_ns of it starting to wait),
 * the next wait polls its descriptors (epoll_wait without sleeping) for
 * up to poll_ns before it sleeps, so that a reply or a message that is
 * due finds the loop awake: no wake-up for its sender to pay, no sleep
 * and wake-up (on a virtual machine, a halted CPU) for us.  It polls
 * too while a local server's reply is due (the modules' due, module.h),
 * looking at the watched slots in memory (scan), and asks for their
 * REPLIED notices only when it is about to sleep (arm).  Between polls
 * the thread yields its CPU, so that polling never holds up a thread that
 * has work on it (our clients and servers, on the same CPU).  A wait
 * longer than poll_ns turns polling off until a wait is short again, so
 * an idle or a slow node sleeps at once.  AXOND_POLL_US sets poll_ns (0:
 * never poll).
 */
static uint64_t poll_ns = 50000;
static bool poll_next;

static int
loop_wait(struct epoll_event *evs, int max, bool now)
{
	uint64_t t0;
	int n;

	if (now) {
		return epoll_wait(g.epfd, evs, max, 0);
	}
	t0 = axd_now();
	if (poll_ns > 0 && (poll_next || axd_mod_due())) {
		do {
			n = epoll_wait(g.epfd, evs, max, 0);
			if (n != 0) {
				return n; /* (still short: poll_next stays) */
			}
			(void) sched_yield();
			if (axd_mod_scan()) {
				return 0; /* a server replied */
			}
		} while (axd_now() - t0 < poll_ns);
	}
	if (axd_mod_arm()) {
		return 0; /* replied meanwhile: no sleep */
	}
	n = epoll_wait(g.epfd, evs, max, -1);
	poll_next = poll_ns > 0 && axd_now() - t0 <= poll_ns;
	return n;
}

int
axd_run(void)
{
	struct epoll_event evs[64];
	unsigned ticks = 0;
	bool late_again = false;
	const char *pu = getenv("AXOND_POLL_US");

	if (pu != NULL) {
		poll_ns = strtoull(pu, NULL, 10) * 1000u;
	}


	while (!g.stop) {
		bool sweep = false;
		int n = loop_wait(evs, 64, g.sess_again || late_again);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			axd_log(AXD_ERR, "epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			uint32_t e = evs[i].events;

			if (tag & TAG_LISTEN) {
				axd_accept(g.listen_fd[tag & 0xff]);
			} else if (tag == TAG_TICK) {
				uint64_t x;

				(void) !read(g.tick_fd, &x, sizeof(x));
				axd_tick();
				sweep = ++ticks % SWEEP_TICKS == 0;
			} else if (tag == TAG_SIG) {
				struct signalfd_siginfo si;

				while (read(g.sig_fd, &si, sizeof(si)) ==
				    sizeof(si)) {
					if (si.ssi_signo == SIGHUP) {
						reload();
					} else {
						g.stop = 1;
					}
				}
			} else if (tag == AXD_TAG_RESOLVED) {
				axd_resolve_event();
			} else if (axd_mod_event(tag, e)) {
				/* a module's descriptor */
			} else {
				struct axd_sess *s = axd_sess_by_id(tag);

				if (s != NULL && s->state != S_DEAD &&
				    (e & (EPOLLOUT | EPOLLERR))) {
					axd_sess_writable(s);
				}
				if (s != NULL && s->state != S_DEAD &&
				    s->state != S_CONNECTING &&
				    (e & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
					axd_sess_readable(s);
				}
			}
		}
		/* Replies that came meanwhile (sent in late(), after the
		 * network channel's pulses: module.h); later ones are seen
		 * by the next wait's polling or arm(). */
		(void) axd_mod_scan();
		late_again = axd_mod_late(); /* the network channel */
		if (g.sess_again) {
			g.sess_again = false;
			for (struct axd_sess *s = g.sessions; s != NULL;
			     s = s->next) {
				if (s->again && s->state != S_DEAD) {
					axd_sess_readable(s);
				}
			}
		}
		axd_flush_all();
		axd_reap();
		if (g.nodes_dirty) {
			axd_nodes_write();
		}
		axd_mod_flush(); /* the names file */
		axd_flush_all(); /* what reaping queued for other sessions */
		if (sweep) {
			/* Files and /proc only. */
			(void) axon__rundir_sweep(g.rundir, 0, 0);
		}
	}
	return 0;
}

void
axd_shutdown(void)
{
	char path[PATH_MAX];

	axd_log(AXD_INFO, "shutting down");
	(void) sd_notify(0, "STOPPING=1");
	/* In reverse registry order: axon-fs unmounted before the node
	 * goes, commands get SIGHUP and the control socket goes, messages
	 * waiting for a session fail, the network channel is not watched. */
	axd_mod_stop();
	axd_sess_shutdown_all();
	axd_mod_fini(); /* the names file */
	axd_flush_all();
	/* Clients still blocked on us are released (ESRCH), and the node
	 * has no network manager from now on. */
	(void) ChannelDestroy_r(g.chid);
	snprintf(path, sizeof(path), "%s/nodes", g.rundir);
	(void) unlink(path);
	if (g.cfg.ready_file[0] != '\0') {
		(void) unlink(g.cfg.ready_file);
	}
}

int
main(int argc, char **argv)
{
	char err[512];
	int rc;

	saved_argc = argc;
	saved_argv = argv;
	axond_config_defaults(&g.cfg);
	rc = axond_config_parse(&g.cfg, argc, argv, err, sizeof(err));
	if (rc == 1) {
		return 0;
	}
	if (rc < 0 || axond_config_validate(&g.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "axond: %s\n", err);
		fprintf(stderr, "Try 'axond --help'.\n");
		return 2;
	}
	if (g.cfg.secret_file[0] != '\0') {
		long n = axond_secret_load(g.cfg.secret_file, g.secret,
		    sizeof(g.secret), err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "axond: %s\n", err);
			return 2;
		}
		g.secret_len = (size_t) n;
	}
	if (!axd_link_tls()) {
		axd_log(AXD_WARN, "--insecure: sessions are plain TCP, which "
				  "anyone on the path can read and alter%s",
		    g.secret_len == 0 ? ", and peers are not authenticated"
				      : "");
	} else if (axd_link_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "axond: %s\n", err);
		return 2;
	}
	if (axd_start() < 0) {
		return 1;
	}
	rc = axd_run();
	axd_shutdown();
	axd_link_fini();
	return rc < 0 ? 1 : 0;
}
