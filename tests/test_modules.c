/* SPDX-License-Identifier: MIT */
/*
 * axond's module registry (src/axond/module.h): which module owns each
 * frame type, that no two own one, that the epoll tags of the modules do
 * not overlap, and that a registry that breaks those rules is refused.
 * The modules' behaviour itself is tested through real axonds (test_net,
 * test_names, test_svc, test_discover, ...).
 */
#include "axon_test.h"

#include <string.h>

#include "module.h"
#include "wire.h"

static const char *
owner_name(uint8_t t)
{
	const struct axd_module *m = axd_mod_owner(t);

	return m != NULL ? m->name : "";
}

START_TEST(test_owners)
{
	static const uint8_t server[] = {AXON_W_CONNECT_CRED,
	    AXON_W_DISCONNECT, AXON_W_MSGSEND, AXON_W_MSGSEND_CRED,
	    AXON_W_UNBLOCK, AXON_W_PULSE, AXON_W_MSGREAD_SUCCESS,
	    AXON_W_MSGREAD_FAIL};
	static const uint8_t client[] = {AXON_W_CONNECT_SUCCESS,
	    AXON_W_CONNECT_FAIL, AXON_W_MSGREPLY, AXON_W_MSGREAD,
	    AXON_W_MSGWRITE, AXON_W_SERVER_GONE, AXON_W_EVENT,
	    AXON_W_RECEIVED};

	ck_assert_int_eq(axd_mod_init(), 0);
	/* The session's own frames are nobody's. */
	for (unsigned t = 0; t <= AXON_W_NODEINFO; t++) {
		ck_assert_ptr_null(axd_mod_owner((uint8_t) t));
	}
	ck_assert_str_eq(owner_name(AXON_W_NAMES), "names");
	for (size_t i = 0; i < sizeof(server); i++) {
		ck_assert_str_eq(owner_name(server[i]), "forward-server");
	}
	for (size_t i = 0; i < sizeof(client); i++) {
		ck_assert_str_eq(owner_name(client[i]), "forward-client");
	}
	/* Every forwarding type has one of the two. */
	for (unsigned t = AXON_W_CONNECT_CRED; t <= AXON_W_RECEIVED; t++) {
		ck_assert_ptr_nonnull(axd_mod_owner((uint8_t) t));
	}
	for (unsigned t = AXON_W_PS_REQ; t <= AXON_W_TRACE_ANS; t++) {
		ck_assert_str_eq(owner_name((uint8_t) t), "services");
	}
	/* Unknown types: no owner, so the session ends (EPROTO). */
	for (unsigned t = AXON_W_TRACE_ANS + 1; t < 256; t++) {
		ck_assert_ptr_null(axd_mod_owner((uint8_t) t));
	}
	for (unsigned t = AXON_W_RECEIVED + 1; t < AXON_W_PS_REQ; t++) {
		ck_assert_ptr_null(axd_mod_owner((uint8_t) t));
	}
	/* Receiving in place: only forwarding's large data frames. */
	ck_assert_ptr_nonnull(axd_mod_owner(AXON_W_MSGSEND)->sink);
	ck_assert_ptr_nonnull(axd_mod_owner(AXON_W_MSGREPLY)->sink_done);
	ck_assert_ptr_null(axd_mod_owner(AXON_W_NAMES)->sink);
	ck_assert_ptr_null(axd_mod_owner(AXON_W_SPAWN)->sink);
	/* Again: the same table. */
	ck_assert_int_eq(axd_mod_init(), 0);
	ck_assert_str_eq(owner_name(AXON_W_MSGSEND), "forward-server");
}
END_TEST

/* The tags of the modules are distinct bits, none of main.c's (63 to
 * 61) or the session layer's (AXD_TAG_RESOLVED). */
START_TEST(test_tags)
{
	const struct axd_module *mods[4];
	uint64_t seen = AXD_TAG_RESOLVED | (7ull << 61);

	ck_assert_int_eq(axd_mod_init(), 0);
	mods[0] = axd_mod_owner(AXON_W_MSGSEND);
	mods[1] = axd_mod_owner(AXON_W_MSGREPLY);
	mods[2] = axd_mod_owner(AXON_W_NAMES);
	mods[3] = axd_mod_owner(AXON_W_PS_REQ);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(mods[i]);
		ck_assert_uint_eq(mods[i]->tags & seen, 0);
		ck_assert(mods[i]->tags == 0 || mods[i]->event != NULL);
		seen |= mods[i]->tags;
	}
	ck_assert_uint_eq(mods[0]->tags, AXD_TAG_CONND | AXD_TAG_VCONN);
	ck_assert_uint_eq(mods[1]->tags, AXD_TAG_CHAN);
	ck_assert_uint_eq(mods[3]->tags & AXD_TAG_DISC, 0);
}
END_TEST

static int
fake_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	(void) s;
	(void) f;
	return 0;
}

/* A registry that breaks the rules is refused, whole. */
START_TEST(test_conflicts)
{
	static const struct axd_module a = {.name = "a",
	    .types = {60, 61}, .frame = fake_frame};
	static const struct axd_module b = {.name = "b",
	    .types = {62, 61}, .frame = fake_frame};
	static const struct axd_module c = {.name = "c",
	    .types = {63}};
	static const struct axd_module none = {.name = "none"};
	const struct axd_module *table[256];
	const struct axd_module *ab[] = {&a, &b};
	const struct axd_module *aa[] = {&a, &none, &a};
	const struct axd_module *cc[] = {&c};

	memset(table, 0, sizeof(table));
	ck_assert_int_eq(axd_mod_table(ab, 2, table), -1);
	memset(table, 0, sizeof(table));
	ck_assert_int_eq(axd_mod_table(aa, 3, table), 0); /* same module */
	ck_assert_ptr_eq(table[60], &a);
	ck_assert_ptr_eq(table[61], &a);
	ck_assert_ptr_null(table[62]);
	ck_assert_ptr_null(table[0]);
	/* A type claimed without frame() to take it. */
	memset(table, 0, sizeof(table));
	ck_assert_int_eq(axd_mod_table(cc, 1, table), -1);
	/* A type taken already (by the registry, say). */
	memset(table, 0, sizeof(table));
	table[62] = &c;
	const struct axd_module *bb[] = {&b};
	ck_assert_int_eq(axd_mod_table(bb, 1, table), -1);
}
END_TEST

static Suite *
modules_suite(void)
{
	Suite *s = suite_create("modules");
	TCase *tc = axt_tcase("registry", 10);

	tcase_add_test(tc, test_owners);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_conflicts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(modules_suite());
}
