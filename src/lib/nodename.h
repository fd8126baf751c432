/* SPDX-License-Identifier: MIT */
/*
 * The rule for node names, the one every part of Axon that reads or
 * writes them applies (libaxon's node table and names file, axond's
 * configuration and sessions, the status pages' text, `axon nodes`):
 * 1 to AXON_NODE_NAME_MAX bytes of [A-Za-z0-9_-], the same bytes in
 * every locale, since names travel between nodes.  Header-only and
 * pure, so that the decoders fuzzed on their own still link alone.
 */
#ifndef AXON_LIB_NODENAME_H
#define AXON_LIB_NODENAME_H

#include <stdbool.h>
#include <stddef.h>

#define AXON_NODE_NAME_MAX 63 /* bytes, without a NUL */

/* Whether the len bytes at s (no NUL needed) are a node name. */
static inline bool
axon__node_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > AXON_NODE_NAME_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-')) {
			return false;
		}
	}
	return true;
}

#endif /* AXON_LIB_NODENAME_H */
