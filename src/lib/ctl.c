/* SPDX-License-Identifier: MIT */
/* Control-message codec: decode fully, then the caller applies. */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "shm.h"

void
axon__ctl_init(struct axon_ctl *msg, enum axon_ctl_type type)
{
	memset(msg, 0, sizeof(*msg));
	msg->magic = AXON_CTL_MAGIC;
	msg->version = AXON_CTL_VERSION;
	msg->type = (uint16_t) type;
}

int
axon__ctl_decode(const void *buf, size_t len, struct axon_ctl *ret_msg)
{
	struct axon_ctl m;

	if (buf == NULL || len != sizeof(m)) {
		return -EPROTO;
	}
	memcpy(&m, buf, sizeof(m));
	if (m.magic != AXON_CTL_MAGIC || m.version != AXON_CTL_VERSION) {
		return -EPROTO;
	}
	switch (m.type) {
	case AXON_CTL_CONNECT:
		if (m.u.connect.chid < 0 ||
		    m.u.connect.region_size != AXON_REGION_SIZE ||
		    (m.u.connect.flags & ~AXON_CONNF_NET) != 0 ||
		    ((m.u.connect.flags & AXON_CONNF_NET) &&
			(m.u.connect.net.ngroups > AXON_CTL_NGROUPS ||
			    m.u.connect.net.nd == 0 ||
			    m.u.connect.net.pid <= 0))) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_NETCRED:
		if (m.u.netcred.ngroups > AXON_CTL_NGROUPS ||
		    m.u.netcred.nd == 0 || m.u.netcred.pid <= 0) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_CONNECTED:
		if (m.u.connected.err < 0 || m.u.connected.err > 4095) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_BUF:
		if (m.u.buf.slot >= AXON_SLOTS || m.u.buf.gen == 0 ||
		    m.u.buf.size == 0 || m.u.buf.size > AXON_BIG_MAX) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_TOKEN:
	case AXON_CTL_ABANDON:
	case AXON_CTL_REPLIED:
	case AXON_CTL_READ:
	case AXON_CTL_RECEIVED:
		if (m.u.slot.slot >= AXON_SLOTS) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_UNBLOCK:
		if (m.u.slot.slot >= AXON_SLOTS ||
		    (m.u.slot.reason != EINTR &&
			m.u.slot.reason != ETIMEDOUT &&
			m.u.slot.reason !=
			    (ETIMEDOUT | AXON_UNBLOCK_SENDONLY))) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_PULSE:
		if (m.u.pulse.code < -128 || m.u.pulse.code > 127 ||
		    m.u.pulse.prio < 0 || m.u.pulse.prio > 255) {
			return -EPROTO;
		}
		break;
	case AXON_CTL_EVENT:
		if (m.u.event.code < -128 || m.u.event.code > 127 ||
		    !AXON_EVENT_MSG_OK(m.u.event.msg)) {
			return -EPROTO;
		}
		break;
	default:
		return -EPROTO;
	}
	*ret_msg = m;
	return 0;
}
