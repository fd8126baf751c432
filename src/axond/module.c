/* SPDX-License-Identifier: MIT */
/* axond's registry of modules (module.h). */
#include <stddef.h>

#include "module.h"

/*
 * The modules, in the order they start, come up with a session, are
 * told of one gone, tick and run late(); they stop in the reverse
 * order.  Adding a module is one line here (X(name) for its
 * axd_mod_name).  fwd_client stays before fwd_server: its late() reads
 * the network channel (a local server's pulses) before fwd_server's
 * ships that server's replies (docs/design/axond.md, "Order of a
 * server's pulses and its reply").
 */
#define AXD_MODULES(X) \
	X(fwd_client) \
	X(fwd_server) \
	X(metrics) \
	X(names) \
	X(services) \
	X(discovery) \
	X(fs)

#define DECLARE(n) extern const struct axd_module axd_mod_##n;
#define ENTRY(n)   &axd_mod_##n,

AXD_MODULES(DECLARE)

static const struct axd_module *const axd_modules[] = {AXD_MODULES(ENTRY)};

#define NMOD (sizeof(axd_modules) / sizeof(axd_modules[0]))
#define EACH(m) \
	for (size_t i_ = 0; i_ < NMOD; i_++) \
		for (const struct axd_module *m = axd_modules[i_]; m != NULL; \
		     m = NULL)
#define EACH_REV(m) \
	for (size_t i_ = NMOD; i_-- > 0;) \
		for (const struct axd_module *m = axd_modules[i_]; m != NULL; \
		     m = NULL)

static const struct axd_module *by_type[256];

int
axd_mod_table(const struct axd_module *const *mods, size_t n,
    const struct axd_module *table[256])
{
	for (size_t i = 0; i < n; i++) {
		const struct axd_module *m = mods[i];

		for (size_t k = 0; k < AXD_MOD_TYPES && m->types[k] != 0;
		     k++) {
			uint8_t t = m->types[k];

			if (table[t] != NULL && table[t] != m) {
				axd_log(AXD_ERR, "modules %s and %s both "
						 "claim frame type %u",
				    table[t]->name, m->name, t);
				return -1;
			}
			if (m->frame == NULL) {
				axd_log(AXD_ERR, "module %s claims frame type "
						 "%u but has no frame()",
				    m->name, t);
				return -1;
			}
			table[t] = m;
		}
	}
	return 0;
}

int
axd_mod_init(void)
{
	return axd_mod_table(axd_modules, NMOD, by_type);
}

const struct axd_module *
axd_mod_owner(uint8_t t)
{
	return by_type[t];
}

int
axd_mod_start(void)
{
	EACH(m) {
		if (m->start != NULL && m->start() < 0) {
			return -1;
		}
	}
	return 0;
}

void
axd_mod_stop(void)
{
	EACH_REV(m) {
		if (m->stop != NULL) {
			m->stop();
		}
	}
}

void
axd_mod_fini(void)
{
	EACH_REV(m) {
		if (m->fini != NULL) {
			m->fini();
		}
	}
}

void
axd_mod_session_up(struct axd_sess *s)
{
	EACH(m) {
		if (m->session_up != NULL) {
			m->session_up(s);
		}
	}
}

void
axd_mod_session_lost(struct axd_sess *s)
{
	EACH(m) {
		if (m->session_lost != NULL) {
			m->session_lost(s);
		}
	}
}

void
axd_mod_session_gone(struct axd_sess *s, int err)
{
	EACH(m) {
		if (m->session_gone != NULL) {
			m->session_gone(s, err);
		}
	}
}

void
axd_mod_tick(uint64_t now)
{
	EACH(m) {
		if (m->tick != NULL) {
			m->tick(now);
		}
	}
}

bool
axd_mod_event(uint64_t tag, uint32_t events)
{
	EACH(m) {
		if ((tag & m->tags) != 0 && m->event != NULL) {
			m->event(tag, events);
			return true;
		}
	}
	return false;
}

bool
axd_mod_late(void)
{
	bool again = false;

	EACH(m) {
		if (m->late != NULL && m->late()) {
			again = true;
		}
	}
	return again;
}

bool
axd_mod_due(void)
{
	EACH(m) {
		if (m->due != NULL && m->due()) {
			return true;
		}
	}
	return false;
}

bool
axd_mod_scan(void)
{
	bool any = false;

	EACH(m) {
		if (m->scan != NULL && m->scan()) {
			any = true;
		}
	}
	return any;
}

bool
axd_mod_arm(void)
{
	bool any = false;

	EACH(m) {
		if (m->arm != NULL && m->arm()) {
			any = true;
		}
	}
	return any;
}

void
axd_mod_flush(void)
{
	EACH(m) {
		if (m->flush != NULL) {
			m->flush();
		}
	}
}
