/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for axond's configuration: the file parser (a stream
 * over the input, axond_config_load_stream, which the file loader runs)
 * and the command-line parser (the input cut at NULs into arguments).
 * The first byte chooses.  Properties: never crashes, hangs or leaks;
 * an error is one line; whatever parses can be validated, and a
 * configuration that validates has its documented invariants.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct axond_config *c, int rc, const char *err)
{
	char e[512];

	if (rc < 0) {
		assert(strchr(err, '\n') == NULL);
		return;
	}
	if (axond_config_validate(c, e, sizeof(e)) < 0) {
		assert(strchr(e, '\n') == NULL);
		return;
	}
	assert(c->node[0] != '\0' && axond_name_valid(c->node));
	assert(c->nlisten >= 1 && c->nlisten <= AXOND_MAX_LISTEN);
	assert(c->npeers >= 0 && c->npeers <= AXOND_MAX_PEERS);
	assert(c->dead_after_ms > c->keepalive_ms);
	assert(c->tls == 0 || c->tls == 1);
	assert(!c->tls || c->secret_file[0] != '\0' || c->tls_cert[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axond_config c;
	char err[512] = "";
	int rc;

	if (size < 1) {
		return 0;
	}
	if (data[0] & 1) {
		FILE *f = size > 1 ? fmemopen((void *) (data + 1), size - 1, "r")
				   : NULL;

		if (f == NULL) {
			return 0;
		}
		axond_config_defaults(&c);
		rc = axond_config_load_stream(&c, f, "fuzz.conf", err,
		    sizeof(err));
		fclose(f);
		check(&c, rc, err);
	} else {
		/* Arguments: the bytes cut at NULs, at most 64 of them. */
		static char buf[8192];
		char *argv[66];
		int argc = 0;
		size_t n = size - 1 < sizeof(buf) - 1 ? size - 1 : sizeof(buf) - 1;

		memcpy(buf, data + 1, n);
		buf[n] = '\0';
		argv[argc++] = "axond";
		for (size_t i = 0; i < n && argc < 65;) {
			argv[argc++] = buf + i;
			i += strlen(buf + i) + 1;
		}
		argv[argc] = NULL;
		/* --help and --version print, and --config reads another
		 * file: keep them out of the way. */
		for (int i = 1; i < argc; i++) {
			if (strncmp(argv[i], "--h", 3) == 0 ||
			    strncmp(argv[i], "--conf", 6) == 0 ||
			    strncmp(argv[i], "--v", 3) == 0 ||
			    (argv[i][0] == '-' && argv[i][1] != '-' &&
				strchr(argv[i], 'h') != NULL)) {
				return 0;
			}
		}
		rc = axond_config_parse(&c, argc, argv, err, sizeof(err));
		check(&c, rc, err);
	}
	return 0;
}
