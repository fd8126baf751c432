/*
 * mem_info: how a QNX program learns the machine's memory: a _MEM_INFO
 * message to the memory manager's connection, MEMMGR_COID, which every
 * process has (<sys/memmsg.h>).  A side-channel connection of its own
 * is never that one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/memmsg.h>
#include <sys/neutrino.h>

int
main(void)
{
	mem_info_t msg;
	int chid, coid;

	memset(&msg, 0, sizeof(msg));
	msg.i.type = _MEM_INFO;
	msg.i.fd = NOFD;
	if (MsgSend(MEMMGR_COID, &msg.i, sizeof(msg.i), &msg.o,
		sizeof(msg.o)) != 0) {
		perror("MsgSend(MEMMGR_COID)");
		return 1;
	}
	printf("total memory known: %s\n",
	    msg.o.info.__posix_tmi_total > 0 ? "yes" : "no");
	printf("available within total: %s\n",
	    msg.o.info.posix_tmi_length > 0 &&
		    msg.o.info.posix_tmi_length <= msg.o.info.__posix_tmi_total
		? "yes"
		: "no");

	msg.i.type = 0x7ffe; /* a type the manager does not know */
	if (MsgSend(SYSMGR_COID, &msg.i, sizeof(msg.i), NULL, 0) == -1) {
		printf("unknown message: %s\n", strerror(errno));
	}

	chid = ChannelCreate(0);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	printf("own side channel after SYSMGR_COID: %s\n",
	    coid > SYSMGR_COID ? "yes" : "no");
	ConnectDetach(coid);
	ChannelDestroy(chid);
	return 0;
}
