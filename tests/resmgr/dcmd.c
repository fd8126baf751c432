/*
 * dcmd: the QNX documentation's devctl device.  It holds one integer,
 * read and changed with the commands of classic_dcmd.h; io_devctl
 * first gives iofunc_devctl_default its turn (the DCMD_ALL_* commands),
 * then answers its own, returning data in place with dev_info (ret_val)
 * set to the value before the command.  So that any program can see it
 * too, a read gives "value N\n" and writing a number sets it.
 *
 * Usage: dcmd [PATH]   (default /dev/classic/dcmd)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <unistd.h>

#include "classic_dcmd.h"

static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;
static iofunc_attr_t attr;
static int value;

static int
io_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	int nbytes = 0;
	int old = value;
	int status;
	void *rx_data;

	if ((status = iofunc_devctl_default(ctp, msg, ocb)) !=
	    _RESMGR_DEFAULT) {
		return status;
	}
	/* What the command says comes in must have come. */
	if ((get_device_direction(msg->i.dcmd) & _POSIX_DEVDIR_TO) &&
	    msg->i.nbytes < sizeof(int)) {
		return EINVAL;
	}
	rx_data = _DEVCTL_DATA(msg->i);
	switch (msg->i.dcmd) {
	case CLASSIC_SET:
		value = *(int *) rx_data;
		break;
	case CLASSIC_GET:
		*(int *) rx_data = value;
		nbytes = sizeof(int);
		break;
	case CLASSIC_SWAP:
		value = *(int *) rx_data;
		*(int *) rx_data = old;
		nbytes = sizeof(int);
		break;
	case CLASSIC_RESET:
		value = 0;
		break;
	case CLASSIC_RANGE: {
		struct classic_range *r = rx_data;

		r->lo = -1000;
		r->hi = 1000;
		nbytes = sizeof(*r);
		break;
	}
	default:
		return ENOSYS;
	}
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.ret_val = old;
	msg->o.nbytes = nbytes;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + nbytes);
}

static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	char buf[32];
	size_t len;
	size_t nbytes;
	int status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	len = (size_t) snprintf(buf, sizeof(buf), "value %d\n", value);
	nbytes = 0;
	if (ocb->offset < (off_t) len) {
		nbytes = len - (size_t) ocb->offset;
	}
	if (nbytes > msg->i.nbytes) {
		nbytes = msg->i.nbytes;
	}
	MsgReply(ctp->rcvid, nbytes, buf + ocb->offset, nbytes);
	ocb->offset += nbytes;
	return _RESMGR_NOREPLY;
}

static int
io_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb)
{
	char buf[32];
	char *end;
	size_t nbytes = msg->i.nbytes;
	long v;
	int status;

	if ((status = iofunc_write_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if (nbytes == 0 || nbytes >= sizeof(buf)) {
		return EINVAL;
	}
	if (resmgr_msgread(ctp, buf, nbytes, sizeof(msg->i)) !=
	    (ssize_t) nbytes) {
		return EFAULT;
	}
	buf[nbytes] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n') ||
	    v < -1000 || v > 1000) {
		return EINVAL;
	}
	value = (int) v;
	_IO_SET_WRITE_NBYTES(ctp, nbytes);
	return _RESMGR_NPARTS(0);
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/classic/dcmd";
	dispatch_context_t *ctp;
	dispatch_t *dpp;

	if ((dpp = dispatch_create()) == NULL) {
		perror("dispatch_create");
		return EXIT_FAILURE;
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	io_funcs.devctl = io_devctl;
	io_funcs.read = io_read;
	io_funcs.write = io_write;
	iofunc_attr_init(&attr, S_IFCHR | 0666, 0, 0);
	if (resmgr_attach(dpp, NULL, path, _FTYPE_ANY, 0, &connect_funcs,
	    &io_funcs, &attr) == -1) {
		perror("resmgr_attach");
		return EXIT_FAILURE;
	}
	ctp = dispatch_context_alloc(dpp);
	while (1) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			perror("dispatch_block");
			return EXIT_FAILURE;
		}
		dispatch_handler(ctp);
	}
}
