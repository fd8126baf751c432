/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the control-message decoder, the one decoder of
 * packets a client (or server) process sends over a connection socket.
 * Properties: never crashes, and whatever it accepts re-encodes to the
 * same bytes and satisfies the documented ranges.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ctl.h"
#include "shm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axon_ctl m;
	int rc;

	memset(&m, 0xa5, sizeof(m));
	rc = axon__ctl_decode(data, size, &m);
	if (rc != 0) {
		assert(rc == -EPROTO);
		return 0;
	}
	assert(size == sizeof(m));
	assert(memcmp(&m, data, sizeof(m)) == 0);
	assert(m.magic == AXON_CTL_MAGIC);
	assert(m.type >= AXON_CTL_CONNECT && m.type < AXON_CTL_TYPE_COUNT);
	switch (m.type) {
	case AXON_CTL_BUF:
		assert(m.u.buf.slot < AXON_SLOTS && m.u.buf.gen != 0);
		break;
	case AXON_CTL_UNBLOCK:
		assert(m.u.slot.slot < AXON_SLOTS);
		assert(m.u.slot.reason == EINTR || m.u.slot.reason == ETIMEDOUT ||
		    m.u.slot.reason == (ETIMEDOUT | AXON_UNBLOCK_SENDONLY));
		break;
	case AXON_CTL_TOKEN:
	case AXON_CTL_ABANDON:
	case AXON_CTL_RECEIVED:
		assert(m.u.slot.slot < AXON_SLOTS);
		break;
	case AXON_CTL_PULSE:
		assert(m.u.pulse.code >= -128 && m.u.pulse.code <= 127);
		break;
	default:
		break;
	}
	return 0;
}
