/*
 * driver_probe: the start of a QNX driver that takes an interrupt as an
 * event and reads a port (<hw/inout.h>), written to go on without the
 * hardware when it is not allowed: on Linux every step reports QNX's
 * error for a process without I/O privileges.
 */
#include <errno.h>
#include <hw/inout.h>
#include <stdio.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/siginfo.h>

#define IRQ  7
#define PORT 0x378

int
main(void)
{
	struct sigevent event;
	int id;

	if (ThreadCtl(_NTO_TCTL_IO, 0) == -1) {
		printf("ThreadCtl(_NTO_TCTL_IO): %s\n",
		    errno == EPERM ? "EPERM" : strerror(errno));
	} else {
		printf("status port: %02x\n", in8(PORT + 1));
	}
	SIGEV_INTR_INIT(&event);
	id = InterruptAttachEvent(IRQ, &event, _NTO_INTR_FLAGS_TRK_MSK);
	if (id == -1) {
		printf("InterruptAttachEvent: %s\n",
		    errno == EPERM ? "EPERM" : strerror(errno));
	} else {
		InterruptWait(0, NULL);
		InterruptUnmask(IRQ, id);
		InterruptDetach(id);
	}
	/* QNX 8: this thread as the interrupt's service thread. */
	id = InterruptAttachThread(IRQ, 0);
	if (id == -1) {
		printf("InterruptAttachThread: %s\n",
		    errno == EPERM ? "EPERM" : strerror(errno));
	} else {
		InterruptWait(_NTO_INTR_WAIT_FLAGS_FAST, NULL);
		InterruptDetach(id);
	}
	id = InterruptMask(IRQ, -1);
	printf("InterruptMask: %d %s\n", id,
	    errno == EPERM ? "EPERM" : strerror(errno));
	id = InterruptDetach(0);
	printf("InterruptDetach: %d %s\n", id,
	    errno == EINVAL ? "EINVAL" : strerror(errno));
	return 0;
}
