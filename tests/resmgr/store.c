/*
 * store: a device that keeps what is written to it (up to 4 KiB), as
 * the QNX documentation's write example does, and gives it back on
 * read.  Writes land at the open's offset (at the end with O_APPEND)
 * and grow the device; an open with O_TRUNC empties it; lseek and
 * fstat are the iofunc defaults, which see the size in attr.nbytes.
 *
 * Usage: store [PATH]   (default /dev/classic/store)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <unistd.h>

#define STORE_MAX 4096

static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;
static iofunc_attr_t attr;
static char data[STORE_MAX];

static int
io_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	int status;

	if ((status = iofunc_open_default(ctp, msg, handle, extra)) != EOK) {
		return status;
	}
	if ((msg->connect.ioflag & O_TRUNC) && (msg->connect.ioflag &
	    _IO_FLAG_WR)) {
		handle->nbytes = 0;
		handle->flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	}
	return EOK;
}

static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	size_t nleft;
	size_t nbytes;
	int status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
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
		SETIOV(ctp->iov, data + ocb->offset, nbytes);
		_IO_SET_READ_NBYTES(ctp, nbytes);
		ocb->offset += nbytes;
		ocb->attr->flags |= IOFUNC_ATTR_ATIME;
		return _RESMGR_NPARTS(1);
	}
	_IO_SET_READ_NBYTES(ctp, 0);
	return _RESMGR_NPARTS(0);
}

static int
io_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb)
{
	size_t nbytes = msg->i.nbytes;
	off_t at;
	int status;

	if ((status = iofunc_write_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	at = (ocb->ioflag & O_APPEND) ? ocb->attr->nbytes : ocb->offset;
	if (at < 0 || at > STORE_MAX || nbytes > STORE_MAX - (size_t) at) {
		return ENOSPC;
	}
	if (resmgr_msgread(ctp, data + at, nbytes, sizeof(msg->i)) !=
	    (ssize_t) nbytes) {
		return EFAULT;
	}
	ocb->offset = at + (off_t) nbytes;
	if (ocb->offset > ocb->attr->nbytes) {
		ocb->attr->nbytes = ocb->offset;
	}
	_IO_SET_WRITE_NBYTES(ctp, nbytes);
	if (nbytes > 0) {
		ocb->attr->flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	}
	return _RESMGR_NPARTS(0);
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/classic/store";
	resmgr_attr_t resmgr_attr;
	dispatch_context_t *ctp;
	dispatch_t *dpp;

	if ((dpp = dispatch_create()) == NULL) {
		perror("dispatch_create");
		return EXIT_FAILURE;
	}
	memset(&resmgr_attr, 0, sizeof(resmgr_attr));
	resmgr_attr.nparts_max = 1;
	resmgr_attr.msg_max_size = 2048;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	connect_funcs.open = io_open;
	io_funcs.read = io_read;
	io_funcs.write = io_write;
	iofunc_attr_init(&attr, S_IFNAM | 0666, 0, 0);
	if (resmgr_attach(dpp, &resmgr_attr, path, _FTYPE_ANY, 0,
	    &connect_funcs, &io_funcs, &attr) == -1) {
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
