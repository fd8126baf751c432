/*
 * dir: a directory manager in the manner of the QNX documentation's.
 * It attaches PATH (default /dev/classic/dir) with _RESMGR_FLAG_DIR,
 * so that it is asked for PATH itself and for every path below it:
 * its io_open looks the rest of the path up among three files (one,
 * two, three) and opens the matching attribute; a read of the
 * directory returns directory records, one per file, from the OCB's
 * offset (an entry index), as many as fit; a read of a file returns
 * its text.
 *
 * The records are struct dirent from <dirent.h>, filled as a QNX
 * manager fills them (d_ino, d_offset, d_reclen, d_namelen, d_name),
 * each sizeof(struct dirent) less the d_name[1] QNX declares plus the
 * name's bytes, rounded up to 8.
 *
 * Usage: dir [PATH]
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <unistd.h>

#define NFILES 3

static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;
static iofunc_attr_t dir_attr;
static iofunc_attr_t file_attr[NFILES];
static const char *const names[NFILES] = {"one", "two", "three"};
static const char *const texts[NFILES] = {
	"the first file\n",
	"the second file, a little longer\n",
	"the third\n",
};

static int
io_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	const char *p = msg->connect.path;

	if (p[0] == '\0') {
		return iofunc_open_default(ctp, msg, &dir_attr, extra);
	}
	for (int i = 0; i < NFILES; i++) {
		if (strcmp(p, names[i]) == 0) {
			return iofunc_open_default(ctp, msg, &file_attr[i],
			    extra);
		}
	}
	return ENOENT;
}

/* The bytes a record for name takes, 8-byte aligned. */
static size_t
dirent_size(const char *name)
{
	return (sizeof(struct dirent) - 4 + strlen(name) + 7) & ~(size_t) 7;
}

static struct dirent *
dirent_fill(struct dirent *dp, int ino, int offset, const char *name)
{
	dp->d_ino = ino;
	dp->d_offset = offset;
	strcpy(dp->d_name, name);
	dp->d_namelen = strlen(dp->d_name);
	dp->d_reclen = dirent_size(name);
	return (struct dirent *) ((char *) dp + dp->d_reclen);
}

static int
read_dir(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	char *reply = calloc(1, msg->i.nbytes + 1);
	struct dirent *dp = (struct dirent *) reply;
	size_t left = msg->i.nbytes;

	if (reply == NULL) {
		return ENOMEM;
	}
	while (ocb->offset >= 0 && ocb->offset < NFILES) {
		const char *name = names[ocb->offset];

		if (dirent_size(name) > left) {
			break;
		}
		left -= dirent_size(name);
		dp = dirent_fill(dp, file_attr[ocb->offset].inode,
		    ocb->offset, name);
		ocb->offset++;
	}
	ocb->attr->flags |= IOFUNC_ATTR_ATIME;
	MsgReply(ctp->rcvid, (char *) dp - reply, reply, (char *) dp - reply);
	free(reply);
	return _RESMGR_NOREPLY;
}

static int
read_file(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	const char *text = texts[ocb->attr - file_attr];
	size_t nbytes = 0;

	if (ocb->offset < ocb->attr->nbytes) {
		nbytes = (size_t) (ocb->attr->nbytes - ocb->offset);
	}
	if (nbytes > msg->i.nbytes) {
		nbytes = msg->i.nbytes;
	}
	SETIOV(ctp->iov, text + ocb->offset, nbytes);
	_IO_SET_READ_NBYTES(ctp, nbytes);
	ocb->offset += nbytes;
	return _RESMGR_NPARTS(nbytes > 0 ? 1 : 0);
}

static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	int status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (S_ISDIR(ocb->attr->mode)) {
		return read_dir(ctp, msg, ocb);
	}
	return read_file(ctp, msg, ocb);
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/classic/dir";
	dispatch_context_t *ctp;
	dispatch_t *dpp;

	if ((dpp = dispatch_create()) == NULL) {
		perror("dispatch_create");
		return EXIT_FAILURE;
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	connect_funcs.open = io_open;
	io_funcs.read = io_read;
	iofunc_attr_init(&dir_attr, S_IFDIR | 0555, NULL, NULL);
	dir_attr.inode = 1;
	for (int i = 0; i < NFILES; i++) {
		iofunc_attr_init(&file_attr[i], S_IFREG | 0444, &dir_attr,
		    NULL);
		file_attr[i].inode = i + 2;
		file_attr[i].nbytes = strlen(texts[i]);
	}
	if (resmgr_attach(dpp, NULL, path, _FTYPE_ANY, _RESMGR_FLAG_DIR,
	    &connect_funcs, &io_funcs, &dir_attr) == -1) {
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
