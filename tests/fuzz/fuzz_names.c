/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the names-file scanner (name.c), which
 * name_open(NAME_FLAG_ATTACH_GLOBAL) runs over $AXON_RUNDIR/names, a
 * file another process writes.  Input: one byte that says where to cut
 * the rest, then the name wanted up to a NUL, then the file.
 * Properties: never crashes or reads out of bounds; the answer does not
 * depend on how the bytes are cut into reads; a claim found is in range
 * (nd within the node mask, pid > 0, chid >= 0) and has a start time
 * whenever it names this node (nd 0).  The file's first line, parsed on
 * its own as a claim line (axon__names_line, which `axon names` uses
 * too), gives fields in range that lie within the line.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axon_names_scan one, two;
	char want[80];
	const uint8_t *nul;
	size_t cut, wl, flen;
	const char *file;

	if (size < 2) {
		return 0;
	}
	nul = memchr(data + 1, 0, size - 1 < sizeof(want) ? size - 1
							 : sizeof(want));
	if (nul == NULL) {
		return 0;
	}
	wl = (size_t) (nul - (data + 1));
	memcpy(want, data + 1, wl);
	want[wl] = '\0';
	file = (const char *) nul + 1;
	flen = size - (size_t) (nul + 1 - data);
	cut = flen == 0 ? 0 : data[0] % (flen + 1);

	axon__names_scan_init(&one, want);
	(void) axon__names_scan_feed(&one, file, flen);
	axon__names_scan_init(&two, want);
	(void) axon__names_scan_feed(&two, file, cut);
	(void) axon__names_scan_feed(&two, file + cut, flen - cut);
	assert(one.found == two.found);
	if (one.found) {
		assert(memcmp(&one.claim, &two.claim, sizeof(one.claim)) == 0);
		assert(one.claim.nd <= 0xffff);
		assert(one.claim.pid > 0);
		assert(one.claim.chid >= 0);
		assert(one.claim.nd != 0 || one.claim.start != 0 ||
		    one.v == 2);
	}
	for (int v = 1; v <= 2; v++) {
		const char *nl = memchr(file, '\n', flen);
		size_t ll = nl != NULL ? (size_t) (nl - file) : flen;
		struct axon_names_line l;

		if (!axon__names_line(file, ll, v, &l)) {
			continue;
		}
		assert(l.state == '+' || l.state == '-' || l.state == '~');
		assert(l.nd <= 0xffff && l.pid > 0 && l.chid >= 0);
		assert(v == 2 || l.start == 0);
		assert(l.node > file && l.node + l.node_len < l.name);
		assert(l.name_len > 0 && l.name + l.name_len == file + ll);
	}
	return 0;
}
