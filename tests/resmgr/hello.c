/*
 * hello: the resource manager the QNX documentation begins with, a
 * device whose read returns a string.  It attaches PATH (default
 * /dev/classic/hello) and answers each read with the part of TEXT
 * (default "Hello, world\n") from the open's offset on; every other
 * message gets the iofunc layer's default (stat, lseek, close...).
 *
 * Usage: hello [PATH [TEXT]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <unistd.h>

static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;
static iofunc_attr_t attr;
static const char *text = "Hello, world\n";

static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	size_t nleft;
	size_t nbytes;
	int nonblock;
	int status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, &nonblock)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	nleft = 0;
	if (ocb->offset < ocb->attr->nbytes) {
		nleft = (size_t) (ocb->attr->nbytes - ocb->offset);
	}
	nbytes = nleft < msg->i.nbytes ? nleft : msg->i.nbytes;
	if (nbytes > 0) {
		SETIOV(ctp->iov, text + ocb->offset, nbytes);
		_IO_SET_READ_NBYTES(ctp, nbytes);
		ocb->offset += nbytes;
		ocb->attr->flags |= IOFUNC_ATTR_ATIME;
		return _RESMGR_NPARTS(1);
	}
	_IO_SET_READ_NBYTES(ctp, 0);
	return _RESMGR_NPARTS(0);
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/classic/hello";
	resmgr_attr_t resmgr_attr;
	dispatch_context_t *ctp;
	dispatch_t *dpp;
	int id;

	if (argc > 2) {
		text = argv[2];
	}
	if ((dpp = dispatch_create()) == NULL) {
		perror("dispatch_create");
		return EXIT_FAILURE;
	}
	memset(&resmgr_attr, 0, sizeof(resmgr_attr));
	resmgr_attr.nparts_max = 1;
	resmgr_attr.msg_max_size = 2048;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	io_funcs.read = io_read;
	iofunc_attr_init(&attr, S_IFNAM | 0444, 0, 0);
	attr.nbytes = strlen(text);
	id = resmgr_attach(dpp, &resmgr_attr, path, _FTYPE_ANY, 0,
	    &connect_funcs, &io_funcs, &attr);
	if (id == -1) {
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
