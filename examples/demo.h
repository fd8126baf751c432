/* SPDX-License-Identifier: MIT */
/* Messages of the Axon demo (examples/demo_server.c, demo_client.c). */
#ifndef AXON_EXAMPLES_DEMO_H
#define AXON_EXAMPLES_DEMO_H

#include <stdint.h>

#include <sys/neutrino.h>

#define DEMO_NAME "axon-demo"

enum { MSG_HELLO = 1, MSG_SUBSCRIBE = 2, MSG_QUIT = 3 };

struct demo_hdr {
	uint16_t type;
	uint16_t subtype;
};

union demo_msg {
	struct demo_hdr hdr;
	struct _pulse pulse;
	struct {
		struct demo_hdr hdr;
		int first;
		char who[32];
	} hello;
	struct {
		struct demo_hdr hdr;
		struct sigevent event;
	} sub;
};

#endif /* AXON_EXAMPLES_DEMO_H */
