/* SPDX-License-Identifier: MIT */
/*
 * QNX's PCI client calls (pci_device_find(3)): QNX 7's <pci/pci.h> and
 * QNX 6's <hw/pci.h>, both answered from Linux's sysfs.  On QNX a
 * pci-server process owns the bus and the calls are messages to it; on
 * Linux the kernel owns it and shows it under /sys/bus/pci/devices, one
 * directory per function (DDDD:BB:DD.F) with its configuration space
 * (config: anyone may read the first 64 bytes, root all of it and write
 * it), its IDs, its address spaces (resource) and its interrupts.
 *
 * Attachments: QNX's server records who attached a device and how; here
 * a record is a flock(2) on the device's sysfs files, which holds
 * between every process of the machine and goes with the process:
 *   config    shared lock: a SHARED attachment; exclusive: EXCLUSIVE;
 *   resource  exclusive lock: the OWNER; shared: an OWNER with MULTI.
 * A device that a Linux driver drives already has an owner: the kernel.
 * Attaching it as owner fails (PCI_ERR_ATTACH_OWNED) unless its driver
 * is one that hands the device to user space (uio_pci_generic, vfio-pci,
 * pci-stub) or AXON_PCI_ALLOW_BOUND=1 says the operator knows.
 *
 * Every public call checks its arguments and handle fully before it acts
 * and keeps errno (the QNX 7 calls return their result; the QNX 6 ones
 * set errno where they return -1 or NULL, as QNX's do).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hw/pci.h>
/* Axon's own, which a system <pci/pci.h> (pciutils') would hide: it is
 * in the after directory (pci_device_find(3)). */
#include <after/pci/pci.h>

#include "internal.h"

#define SYSFS_DEVICES "/sys/bus/pci/devices"
#define SYSFS_SLOTS   "/sys/bus/pci/slots"
#define MAX_DOMAIN    0x7fffu /* what fits bits 17-31 of a pci_bdf_t */
#define MAX_CAPS      48      /* (256 - 64) / 4: a longer list loops */

/* ---- sysfs ---- */

/* The sysfs path of bdf's file name (NULL: the directory). */
static void
dev_path(char *buf, size_t len, pci_bdf_t bdf, const char *name)
{
	snprintf(buf, len, SYSFS_DEVICES "/%04x:%02x:%02x.%x%s%s",
	    (unsigned) (bdf >> 17), (unsigned) PCI_BUS(bdf),
	    (unsigned) ((bdf & 0xffu) >> 3), (unsigned) (bdf & 7u),
	    name != NULL ? "/" : "", name != NULL ? name : "");
}

/* A directory name DDDD:BB:DD.F (lower-case hex, as the kernel writes
 * it) as a pci_bdf_t, or PCI_BDF_NONE. */
static pci_bdf_t
name_bdf(const char *s)
{
	unsigned dom, bus, dev, fn;
	int n = -1;

	if (strlen(s) != 12 ||
	    sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) != 4 ||
	    n != 12 || dom > MAX_DOMAIN || dev > 0x1f || fn > 7) {
		return PCI_BDF_NONE;
	}
	return (pci_bdf_t) dom << 17 | PCI_BDF(bus, dev, fn);
}

/* A bdf this code could have made: no ARI bit, a domain that fits. */
static bool
bdf_ok(pci_bdf_t bdf)
{
	return bdf != PCI_BDF_NONE && !PCI_IS_ARI(bdf);
}

/* Reads a small sysfs file of bdf whole (NUL-terminated): bytes, or
 * -errno (-ENODEV when there is no such device). */
static ssize_t
read_small(pci_bdf_t bdf, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	dev_path(path, sizeof(path), bdf, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? -ENODEV : -errno;
	}
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
	} else {
		buf[n] = '\0';
	}
	(void) close(fd);
	return n;
}

/* A sysfs number file ("0x8086\n", "11\n") of bdf: 0 or -errno. */
static int
read_num(pci_bdf_t bdf, const char *name, uint64_t *ret)
{
	char buf[64], *end;
	ssize_t n = read_small(bdf, name, buf, sizeof(buf));

	if (n < 0) {
		return (int) n;
	}
	errno = 0;
	*ret = strtoull(buf, &end, 0);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0')) {
		return -EIO;
	}
	return 0;
}

/* Configuration space: 0, -EINVAL (not naturally aligned, or beyond
 * the space), -EPERM (beyond what this user may read), -ENODEV. */
static int
cfg_read(pci_bdf_t bdf, unsigned off, void *val, unsigned size)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	if (!bdf_ok(bdf)) {
		return -EINVAL;
	}
	if (off % size != 0) {
		return -EINVAL;
	}
	dev_path(path, sizeof(path), bdf, "config");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? -ENODEV : -errno;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if ((uint64_t) off + size > (uint64_t) st.st_size) {
		rc = -EINVAL;
	} else if ((n = pread(fd, val, size, off)) < 0) {
		rc = -errno;
	} else if ((size_t) n != size) {
		rc = -EPERM; /* the kernel cuts unprivileged reads short */
	}
	(void) close(fd);
	return rc;
}

static int
cfg_write(pci_bdf_t bdf, unsigned off, const void *val, unsigned size)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	if (off % size != 0) {
		return -EINVAL;
	}
	dev_path(path, sizeof(path), bdf, "config");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? -ENODEV
		    : errno == EACCES  ? -EPERM
				       : -errno;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if ((uint64_t) off + size > (uint64_t) st.st_size) {
		rc = -EINVAL;
	} else if ((n = pwrite(fd, val, size, off)) < 0) {
		rc = errno == EACCES ? -EPERM : -errno;
	} else if ((size_t) n != size) {
		rc = -EIO;
	}
	(void) close(fd);
	return rc;
}

static int
cmp_bdf(const void *a, const void *b)
{
	pci_bdf_t x = *(const pci_bdf_t *) a, y = *(const pci_bdf_t *) b;

	return x < y ? -1 : x > y;
}

/* Every function on the machine, sorted (the first domain first):
 * a malloc'd array and its length in *ret_n, or NULL with *ret_n 0
 * (no sysfs, no memory). */
static pci_bdf_t *
list_all(size_t *ret_n)
{
	DIR *d = opendir(SYSFS_DEVICES);
	pci_bdf_t *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;

	*ret_n = 0;
	if (d == NULL) {
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		pci_bdf_t bdf = name_bdf(e->d_name);

		if (bdf == PCI_BDF_NONE) {
			continue;
		}
		if (n == cap) {
			size_t nc = cap == 0 ? 32 : cap * 2;
			pci_bdf_t *nv = realloc(v, nc * sizeof(*v));

			if (nv == NULL) {
				free(v);
				(void) closedir(d);
				return NULL;
			}
			v = nv;
			cap = nc;
		}
		v[n++] = bdf;
	}
	(void) closedir(d);
	if (n > 0) {
		qsort(v, n, sizeof(*v), cmp_bdf);
	}
	*ret_n = n;
	return v;
}

/* The name of the Linux driver bound to bdf, "" for none. */
static void
driver_name(pci_bdf_t bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	dev_path(path, sizeof(path), bdf, "driver");
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		const char *slash = strrchr(link, '/');
		const char *name = slash != NULL ? slash + 1 : link;
		size_t n2 = strnlen(name, len - 1);

		memcpy(buf, name, n2);
		buf[n2] = '\0';
	}
}

/* May this process own bdf (no Linux driver drives it)? */
static bool
ownable(pci_bdf_t bdf)
{
	const char *allow = getenv("AXON_PCI_ALLOW_BOUND");
	char drv[NAME_MAX + 1];

	driver_name(bdf, drv, sizeof(drv));
	return drv[0] == '\0' || strcmp(drv, "uio_pci_generic") == 0 ||
	    strcmp(drv, "vfio-pci") == 0 || strcmp(drv, "pci-stub") == 0 ||
	    (allow != NULL && strcmp(allow, "1") == 0);
}

/* ---- attachments ---- */

struct axon_pci_attach {
	struct axon_pci_attach *next;
	pci_bdf_t bdf;
	uint32_t flags;     /* pci_attachFlags_e_* */
	int cfg_fd;         /* the SHARED or EXCLUSIVE record */
	int own_fd;         /* the OWNER record, or -1 */
	bool legacy;        /* made by pci_attach_device() */
	bool persist;       /* ...with PCI_PERSIST: pci_detach() keeps it */
};

static pthread_mutex_t att_lock = PTHREAD_MUTEX_INITIALIZER;
static struct axon_pci_attach *att_list;

/* Takes h off the list if it is there, of kind legacy: true if it
 * was (the caller then frees it). */
static bool
att_unlink(const void *h, bool legacy)
{
	bool found = false;

	pthread_mutex_lock(&att_lock);
	for (struct axon_pci_attach **pp = &att_list; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == h && (*pp)->legacy == legacy) {
			*pp = (*pp)->next;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&att_lock);
	return found;
}

/* Copies what h says if h is a live attachment of kind legacy. */
static bool
att_find(const void *h, bool legacy, struct axon_pci_attach *ret)
{
	bool found = false;

	if (h == NULL) {
		return false;
	}
	pthread_mutex_lock(&att_lock);
	for (struct axon_pci_attach *a = att_list; a != NULL; a = a->next) {
		if (a == h && a->legacy == legacy) {
			*ret = *a;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&att_lock);
	return found;
}

static void
att_free(struct axon_pci_attach *a)
{
	if (a->own_fd >= 0) {
		(void) close(a->own_fd);
	}
	if (a->cfg_fd >= 0) {
		(void) close(a->cfg_fd);
	}
	free(a);
}

/* The records of attachments: root's own directory, so that nobody
 * else can hold a record (and keep root's drivers out). */
#define LOCK_DIR "/run/axon-pci"

/* A lock of kind op on the record file bdf.kind: the descriptor,
 * -EWOULDBLOCK if another attachment holds it, -EPERM for other than
 * root (or a directory that is not root's alone), or -errno. */
static int
lock_file(pci_bdf_t bdf, const char *kind, int op)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (geteuid() != 0) {
		return -EPERM;
	}
	if (mkdir(LOCK_DIR, 0700) < 0 && errno != EEXIST) {
		return -errno;
	}
	if (lstat(LOCK_DIR, &st) < 0) {
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022) != 0) {
		return -EPERM;
	}
	snprintf(path, sizeof(path), LOCK_DIR "/%04x:%02x:%02x.%x.%s",
	    (unsigned) (bdf >> 17), (unsigned) PCI_BUS(bdf),
	    (unsigned) ((bdf & 0xffu) >> 3), (unsigned) (bdf & 7u), kind);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) {
		(void) close(fd);
		return -EPERM;
	}
	if (flock(fd, op | LOCK_NB) < 0) {
		int err = errno;

		(void) close(fd);
		return err == EWOULDBLOCK ? -EWOULDBLOCK : -err;
	}
	return fd;
}

/* A pci_err_t for a lock_file() error. */
static pci_err_t
lock_err(int rc)
{
	return rc == -EPERM ? PCI_ERR_EPERM
	    : rc == -ENOMEM ? PCI_ERR_ENOMEM
			    : PCI_ERR_LOCK_FAILURE;
}

/*
 * Records an attachment of bdf: 0 with *ret, or a pci_err_t.  Only root
 * records one; another user's SHARED attachment (which only reads what
 * sysfs shows everyone) is made without a record, and cannot keep root
 * from attaching exclusively; an owner's or an exclusive one is
 * PCI_ERR_EPERM for it.
 */
static pci_err_t
attach(pci_bdf_t bdf, uint32_t flags, bool legacy, bool persist,
    struct axon_pci_attach **ret)
{
	bool excl = flags & pci_attachFlags_e_EXCLUSIVE;
	bool owner = excl || (flags & pci_attachFlags_e_OWNER);
	bool record = geteuid() == 0;
	struct axon_pci_attach *a;
	int fd;

	if (owner && !record) {
		return PCI_ERR_EPERM;
	}
	if (owner && !ownable(bdf)) {
		return PCI_ERR_ATTACH_OWNED;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		return PCI_ERR_ENOMEM;
	}
	a->bdf = bdf;
	a->flags = flags | (owner ? pci_attachFlags_e_OWNER : 0);
	a->legacy = legacy;
	a->persist = persist;
	a->cfg_fd = -1;
	a->own_fd = -1;
	if (record) {
		fd = lock_file(bdf, "config", excl ? LOCK_EX : LOCK_SH);
		if (fd == -EWOULDBLOCK && excl) {
			/* Held shared by others, or exclusively by one? */
			int probe = lock_file(bdf, "config", LOCK_SH);

			if (probe >= 0) {
				(void) close(probe);
			}
			free(a);
			return probe >= 0 ? PCI_ERR_ATTACH_SHARED
					  : PCI_ERR_ATTACH_EXCLUSIVE;
		}
		if (fd < 0) {
			free(a);
			return fd == -EWOULDBLOCK ? PCI_ERR_ATTACH_EXCLUSIVE
						  : lock_err(fd);
		}
		a->cfg_fd = fd;
	}
	if (owner) {
		fd = lock_file(bdf, "owner",
		    (flags & pci_attachFlags_e_MULTI) ? LOCK_SH : LOCK_EX);
		if (fd < 0) {
			att_free(a);
			return fd == -EWOULDBLOCK ? PCI_ERR_ATTACH_OWNED
						  : lock_err(fd);
		}
		a->own_fd = fd;
	}
	pthread_mutex_lock(&att_lock);
	a->next = att_list;
	att_list = a;
	pthread_mutex_unlock(&att_lock);
	*ret = a;
	return PCI_ERR_OK;
}

/* ---- QNX 7: <pci/pci.h> ---- */

/* Does bdf match the filters? */
static bool
matches(pci_bdf_t bdf, pci_vid_t vid, pci_did_t did, pci_ccode_t cc)
{
	uint32_t id;
	uint32_t rc;

	if (vid != PCI_VID_ANY || did != PCI_DID_ANY) {
		if (cfg_read(bdf, 0, &id, 4) < 0) {
			return false;
		}
		if ((vid != PCI_VID_ANY && (id & 0xffffu) != vid) ||
		    (did != PCI_DID_ANY && (id >> 16) != did)) {
			return false;
		}
	}
	if (cc != PCI_CCODE_ANY) {
		if (cfg_read(bdf, 8, &rc, 4) < 0 || (rc >> 8) != cc) {
			return false;
		}
	}
	return true;
}

pci_bdf_t
pci_device_find(const uint_t idx, const pci_vid_t vid, const pci_did_t did,
    const pci_ccode_t classcode)
{
	AXON_KEEP_ERRNO;

	size_t n;
	pci_bdf_t *all = list_all(&n), found = PCI_BDF_NONE;
	uint_t seen = 0;

	for (size_t i = 0; i < n; i++) {
		if (matches(all[i], vid, did, classcode) && seen++ == idx) {
			found = all[i];
			break;
		}
	}
	free(all);
	return found;
}

pci_devhdl_t
pci_device_attach(pci_bdf_t bdf, pci_attachFlags_t flags, pci_err_t *err)
{
	AXON_KEEP_ERRNO;

	const uint32_t known = pci_attachFlags_e_EXCLUSIVE |
	    pci_attachFlags_e_SHARED | pci_attachFlags_e_OWNER |
	    pci_attachFlags_e_MULTI;
	bool excl = flags & pci_attachFlags_e_EXCLUSIVE;
	bool shared = flags & pci_attachFlags_e_SHARED;
	struct axon_pci_attach *a = NULL;
	pci_err_t rc;

	if ((flags & ~known) != 0 || excl == shared ||
	    ((flags & pci_attachFlags_e_MULTI) &&
		(excl || !(flags & pci_attachFlags_e_OWNER))) ||
	    !bdf_ok(bdf)) {
		rc = PCI_ERR_EINVAL;
	} else {
		char path[PATH_MAX];

		dev_path(path, sizeof(path), bdf, NULL);
		rc = access(path, F_OK) == 0 ? attach(bdf, flags, false, false, &a)
					     : PCI_ERR_ENODEV;
	}
	if (err != NULL) {
		*err = rc;
	}
	return rc == PCI_ERR_OK ? a : NULL;
}

pci_err_t
pci_device_detach(pci_devhdl_t hdl)
{
	AXON_KEEP_ERRNO;

	if (!att_unlink(hdl, false)) {
		return PCI_ERR_EINVAL;
	}
	att_free(hdl);
	return PCI_ERR_OK;
}

pci_bdf_t
pci_bdf(pci_devhdl_t hdl)
{
	struct axon_pci_attach copy;

	return att_find(hdl, false, &copy) ? copy.bdf : PCI_BDF_NONE;
}

/* A pci_err_t of a -errno. */
static pci_err_t
perr(int rc)
{
	return rc == 0 ? PCI_ERR_OK
	    : rc == -EINVAL || rc == -ENODEV || rc == -EPERM || rc == -EIO ||
		rc == -ENOMEM
	    ? -rc
	    : rc == -ENOENT ? PCI_ERR_ENODEV
			    : PCI_ERR_EIO;
}

/* The read_* of one register of size bytes at off. */
#define PCI_READ_REG(name, type, off)                                    \
	pci_err_t pci_device_read_##name(pci_bdf_t bdf, type *val)       \
	{                                                                \
		AXON_KEEP_ERRNO;                                         \
		type v;                                                  \
		int rc;                                                  \
                                                                         \
		if (val == NULL) {                                       \
			return PCI_ERR_EINVAL;                           \
		}                                                        \
		rc = cfg_read(bdf, (off), &v, sizeof(v));                \
		if (rc == 0) {                                           \
			*val = v;                                        \
		}                                                        \
		return perr(rc);                                         \
	}

PCI_READ_REG(vid, pci_vid_t, 0x00)
PCI_READ_REG(did, pci_did_t, 0x02)
PCI_READ_REG(cmd, pci_cmd_t, 0x04)
PCI_READ_REG(status, pci_stat_t, 0x06)
PCI_READ_REG(revid, pci_revid_t, 0x08)
PCI_READ_REG(clsize, pci_clsize_t, 0x0c)
PCI_READ_REG(latency, pci_latency_t, 0x0d)
PCI_READ_REG(hdrType, pci_hdrType_t, 0x0e)

pci_err_t
pci_device_read_ccode(pci_bdf_t bdf, pci_ccode_t *ccode)
{
	AXON_KEEP_ERRNO;

	uint32_t v;
	int rc;

	if (ccode == NULL) {
		return PCI_ERR_EINVAL;
	}
	rc = cfg_read(bdf, 0x08, &v, 4);
	if (rc == 0) {
		*ccode = v >> 8;
	}
	return perr(rc);
}

/* The subsystem IDs sit at 0x2c in a type 0 header only; the kernel's
 * files have them for bridges too. */
static pci_err_t
read_sub(pci_bdf_t bdf, const char *name, uint16_t *ret)
{
	uint64_t v;
	int rc;

	if (ret == NULL || !bdf_ok(bdf)) {
		return PCI_ERR_EINVAL;
	}
	rc = read_num(bdf, name, &v);
	if (rc == 0 && v > 0xffffu) {
		rc = -EIO;
	}
	if (rc == 0) {
		*ret = (uint16_t) v;
	}
	return perr(rc);
}

pci_err_t
pci_device_read_ssvid(pci_bdf_t bdf, pci_ssvid_t *ssvid)
{
	AXON_KEEP_ERRNO;

	return read_sub(bdf, "subsystem_vendor", ssvid);
}

pci_err_t
pci_device_read_ssid(pci_bdf_t bdf, pci_ssid_t *ssid)
{
	AXON_KEEP_ERRNO;

	return read_sub(bdf, "subsystem_device", ssid);
}

/* The address spaces of bdf from its resource file (BARs 0-5, then the
 * ROM): how many in *ret_n, the first max of them in v (NULL: none). */
static int
spaces(pci_bdf_t bdf, pci_ba_t *v, size_t max, size_t *ret_n)
{
	char buf[4096], *line, *save = NULL;
	ssize_t len = read_small(bdf, "resource", buf, sizeof(buf));
	size_t n = 0;
	int i = 0;

	if (len < 0) {
		return (int) len;
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL && i < 7;
	     line = strtok_r(NULL, "\n", &save), i++) {
		uint64_t start, end, flags;
		pci_ba_t b = {0};
		int used = -1;

		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64 "%n",
			&start, &end, &flags, &used) != 3 ||
		    line[used] != '\0') {
			return -EIO;
		}
		if (end == 0 || end < start) {
			continue; /* unused */
		}
		b.addr = start;
		b.size = end - start + 1;
		b.bar_num = i < 6 ? i : -1;
		b.type = (flags & 0x100u) ? pci_asType_e_IO
		    : (flags & 0x200u)	  ? pci_asType_e_MEM
					  : pci_asType_e_NONE;
		b.attr = ((flags & 0x2000u) ? pci_asAttr_e_PREFETCH : 0) |
		    ((flags & 0x100000u) ? pci_asAttr_e_64BIT : 0) |
		    (i == 6 ? pci_asAttr_e_EXPANSION_ROM : 0);
		if (v != NULL && n < max) {
			v[n] = b;
		}
		n++;
	}
	*ret_n = n;
	return 0;
}

/* h, an owner's attachment of this process, copied into *ret. */
static pci_err_t
owner_of(pci_devhdl_t h, struct axon_pci_attach *ret)
{
	if (!att_find(h, false, ret)) {
		return PCI_ERR_EINVAL;
	}
	return (ret->flags & pci_attachFlags_e_OWNER) ? PCI_ERR_OK
						       : PCI_ERR_EPERM;
}

pci_err_t
pci_device_read_ba(pci_devhdl_t hdl, int_t *nba, pci_ba_t *ba,
    pci_reqType_t reqType)
{
	AXON_KEEP_ERRNO;

	struct axon_pci_attach a;
	size_t n;
	pci_err_t rc = owner_of(hdl, &a);
	int err;

	if (rc != PCI_ERR_OK) {
		return rc;
	}
	if (nba == NULL || *nba < 0 ||
	    (reqType != pci_reqType_e_MANDATORY &&
		reqType != pci_reqType_e_ADVISORY &&
		reqType != pci_reqType_e_UNSPECIFIED)) {
		return PCI_ERR_EINVAL;
	}
	err = spaces(a.bdf, ba, ba != NULL ? (size_t) *nba : 0, &n);
	if (err < 0) {
		return perr(err);
	}
	*nba = ba == NULL || n < (size_t) *nba ? (int_t) n : *nba;
	return PCI_ERR_OK;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return x < y ? -1 : x > y;
}

/* The interrupts of bdf: its MSI or MSI-X vectors where the kernel
 * enabled them (msi_irqs/), else its INTx line (irq) if it has one. */
static int
irqs(pci_bdf_t bdf, pci_irq_t *v, size_t max, size_t *ret_n)
{
	char path[PATH_MAX];
	int *tmp = NULL;
	size_t n = 0, cap = 0;
	DIR *d;

	dev_path(path, sizeof(path), bdf, "msi_irqs");
	d = opendir(path);
	if (d != NULL) {
		struct dirent *e;

		while ((e = readdir(d)) != NULL) {
			char *end;
			long x;

			errno = 0;
			x = strtol(e->d_name, &end, 10);
			if (!isdigit((unsigned char) e->d_name[0]) ||
			    *end != '\0' || errno != 0 || x < 0 ||
			    x > INT32_MAX) {
				continue;
			}
			if (n == cap) {
				size_t nc = cap == 0 ? 64 : cap * 2;
				int *nt = realloc(tmp, nc * sizeof(*tmp));

				if (nt == NULL) {
					free(tmp);
					(void) closedir(d);
					return -ENOMEM;
				}
				tmp = nt;
				cap = nc;
			}
			tmp[n++] = (int) x;
		}
		(void) closedir(d);
		if (n > 0) {
			qsort(tmp, n, sizeof(tmp[0]), cmp_int);
		}
	}
	if (n == 0) {
		/* No MSI vectors: the INTx line, if it has one. */
		uint64_t line;
		int rc = read_num(bdf, "irq", &line);

		free(tmp);
		if (rc < 0) {
			return rc;
		}
		n = line != 0 && line <= INT32_MAX;
		if (n == 1 && v != NULL && max > 0) {
			v[0] = (pci_irq_t) line;
		}
		*ret_n = n;
		return 0;
	}
	for (size_t i = 0; v != NULL && i < n && i < max; i++) {
		v[i] = tmp[i];
	}
	free(tmp);
	*ret_n = n;
	return 0;
}

pci_err_t
pci_device_read_irq(pci_devhdl_t hdl, int_t *nirq, pci_irq_t *irq)
{
	AXON_KEEP_ERRNO;

	struct axon_pci_attach a;
	int_t one = 1;
	size_t n;
	pci_err_t rc = owner_of(hdl, &a);
	int err;

	if (rc != PCI_ERR_OK) {
		return rc;
	}
	if (nirq == NULL) {
		if (irq == NULL) {
			return PCI_ERR_EINVAL;
		}
		nirq = &one;
	}
	if (*nirq < 0) {
		return PCI_ERR_EINVAL;
	}
	err = irqs(a.bdf, irq, irq != NULL ? (size_t) *nirq : 0, &n);
	if (err < 0) {
		return perr(err);
	}
	*nirq = irq == NULL || n < (size_t) *nirq ? (int_t) n : *nirq;
	return PCI_ERR_OK;
}

/* The idx-th capability of bdf: 0 with its ID, or a pci_err_t. */
static pci_err_t
capability(pci_bdf_t bdf, uint_t idx, pci_capid_t *ret)
{
	uint16_t status;
	uint8_t ptr;
	int rc;

	rc = cfg_read(bdf, 0x06, &status, 2);
	if (rc < 0) {
		return perr(rc);
	}
	if (!(status & 0x10u)) {
		return PCI_ERR_ENOENT; /* no capability list */
	}
	rc = cfg_read(bdf, 0x34, &ptr, 1);
	for (unsigned i = 0; rc == 0; i++) {
		uint8_t cap[2];

		ptr &= 0xfcu;
		if (ptr == 0) {
			return PCI_ERR_ENOENT;
		}
		if (ptr < 0x40u || i >= MAX_CAPS) {
			return PCI_ERR_EIO; /* malformed, or a loop */
		}
		rc = cfg_read(bdf, ptr, &cap[0], 1);
		if (rc == 0) {
			rc = cfg_read(bdf, ptr + 1u, &cap[1], 1);
		}
		if (rc == 0 && i == idx) {
			*ret = cap[0];
			return PCI_ERR_OK;
		}
		ptr = cap[1];
	}
	return perr(rc);
}

pci_err_t
pci_device_read_capid(pci_bdf_t bdf, pci_capid_t *capid, uint_t idx)
{
	AXON_KEEP_ERRNO;

	if (capid == NULL) {
		return PCI_ERR_EINVAL;
	}
	return capability(bdf, idx, capid);
}

int_t
pci_device_find_capid_next(pci_bdf_t bdf, pci_capid_t capid, int_t idx)
{
	AXON_KEEP_ERRNO;

	for (uint_t i = idx < 0 ? 0 : (uint_t) idx + 1; i < MAX_CAPS; i++) {
		pci_capid_t c;

		if (capability(bdf, i, &c) != PCI_ERR_OK) {
			return -1;
		}
		if (c == capid) {
			return (int_t) i;
		}
	}
	return -1;
}

int_t
pci_device_find_capid(pci_bdf_t bdf, pci_capid_t capid)
{
	AXON_KEEP_ERRNO;

	return pci_device_find_capid_next(bdf, capid, -1);
}

/* The slot the firmware says bdf sits in (/sys/bus/pci/slots/N/address
 * is DDDD:BB:DD), in chassis 0; 0 for none. */
pci_cs_t
pci_device_chassis_slot(pci_bdf_t bdf)
{
	AXON_KEEP_ERRNO;

	char want[16];
	pci_cs_t cs = 0;
	struct dirent *e;
	DIR *d;

	if (!bdf_ok(bdf)) {
		return 0;
	}
	snprintf(want, sizeof(want), "%04x:%02x:%02x", (unsigned) (bdf >> 17),
	    (unsigned) PCI_BUS(bdf), (unsigned) ((bdf & 0xffu) >> 3));
	d = opendir(SYSFS_SLOTS);
	while (d != NULL && (e = readdir(d)) != NULL && cs == 0) {
		char path[PATH_MAX], addr[32] = "", *end;
		unsigned long slot;
		FILE *f;

		errno = 0;
		slot = strtoul(e->d_name, &end, 10);
		if (!isdigit((unsigned char) e->d_name[0]) || *end != '\0' ||
		    errno != 0 || slot == 0 || slot > 0x1fff) {
			continue;
		}
		snprintf(path, sizeof(path), SYSFS_SLOTS "/%s/address",
		    e->d_name);
		f = fopen(path, "re");
		if (f == NULL) {
			continue;
		}
		if (fgets(addr, sizeof(addr), f) != NULL) {
			addr[strcspn(addr, "\n")] = '\0';
			if (strcmp(addr, want) == 0) {
				cs = PCI_CS(0, slot);
			}
		}
		(void) fclose(f);
	}
	if (d != NULL) {
		(void) closedir(d);
	}
	return cs;
}

#define PCI_CFG_RD(bits)                                                 \
	pci_err_t pci_device_cfg_rd##bits(pci_bdf_t bdf, uint_t offset,  \
	    uint##bits##_t *val)                                         \
	{                                                                \
		AXON_KEEP_ERRNO;                                         \
		uint##bits##_t v;                                        \
		int rc;                                                  \
                                                                         \
		if (val == NULL) {                                       \
			return PCI_ERR_EINVAL;                           \
		}                                                        \
		rc = cfg_read(bdf, offset, &v, sizeof(v));               \
		if (rc == 0) {                                           \
			*val = v;                                        \
		}                                                        \
		return perr(rc);                                         \
	}

PCI_CFG_RD(8)
PCI_CFG_RD(16)
PCI_CFG_RD(32)
PCI_CFG_RD(64)

/* The write, and what the register holds after it if val_rb asks. */
static pci_err_t
cfg_wr(pci_devhdl_t hdl, uint_t offset, const void *val, void *val_rb,
    unsigned size)
{
	struct axon_pci_attach a;
	pci_err_t rc = owner_of(hdl, &a);
	int err;

	if (rc != PCI_ERR_OK) {
		return rc;
	}
	err = cfg_write(a.bdf, offset, val, size);
	if (err == 0 && val_rb != NULL) {
		err = cfg_read(a.bdf, offset, val_rb, size);
	}
	return perr(err);
}

#define PCI_CFG_WR(bits)                                                 \
	pci_err_t pci_device_cfg_wr##bits(pci_devhdl_t hdl, uint_t offset,  \
	    uint##bits##_t val, uint##bits##_t *val_rb)                  \
	{                                                                \
		AXON_KEEP_ERRNO;                                         \
                                                                         \
		return cfg_wr(hdl, offset, &val, val_rb, sizeof(val));   \
	}

PCI_CFG_WR(8)
PCI_CFG_WR(16)
PCI_CFG_WR(32)
PCI_CFG_WR(64)

/* ---- QNX 6: <hw/pci.h> ---- */

/* The first domain's bus and devfn as a bdf, or PCI_BDF_NONE. */
static pci_bdf_t
legacy_bdf(unsigned bus, unsigned dev_func)
{
	return bus > 0xff || dev_func > 0xff ? PCI_BDF_NONE
					     : PCI_BDF(bus, dev_func >> 3,
						   dev_func & 7u);
}

/* The descriptors pci_attach() gave (under att_lock). */
#define MAX_HANDLES 16
static int handles[MAX_HANDLES];
static int nhandles;

int
pci_attach(unsigned flags)
{
	int fd;

	(void) flags; /* QNX defines none */
	fd = open(SYSFS_DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	pthread_mutex_lock(&att_lock);
	if (nhandles == MAX_HANDLES) {
		pthread_mutex_unlock(&att_lock);
		(void) close(fd);
		errno = EMFILE;
		return -1;
	}
	handles[nhandles++] = fd;
	pthread_mutex_unlock(&att_lock);
	return fd;
}

/* QNX's pci_detach() closes the descriptor to the server, which lets
 * go of what pci_attach_device() attached without PCI_PERSIST once the
 * process has no other. */
int
pci_detach(unsigned handle)
{
	struct axon_pci_attach *drop = NULL;
	bool known = false;

	pthread_mutex_lock(&att_lock);
	for (int i = 0; i < nhandles; i++) {
		if ((unsigned) handles[i] == handle) {
			handles[i] = handles[--nhandles];
			known = true;
			break;
		}
	}
	if (!known) {
		pthread_mutex_unlock(&att_lock);
		errno = EBADF; /* not pci_attach()'s: not closed */
		return -1;
	}
	for (struct axon_pci_attach **pp = &att_list;
	     nhandles == 0 && *pp != NULL;) {
		struct axon_pci_attach *a = *pp;

		if (a->legacy && !a->persist) {
			*pp = a->next;
			a->next = drop;
			drop = a;
		} else {
			pp = &a->next;
		}
	}
	pthread_mutex_unlock(&att_lock);
	(void) close((int) handle);
	while (drop != NULL) {
		struct axon_pci_attach *next = drop->next;

		att_free(drop);
		drop = next;
	}
	return PCI_SUCCESS;
}

/*
 * QNX 6's rescan of the bus for hot-plugged functions: Linux's own, by
 * writing 1 to /sys/bus/pci/rescan (root only: EACCES, or EROFS where
 * sysfs is read-only, as in a container; the write's own error if the
 * kernel's scan fails).  Done when the write returns.
 */
#ifndef SYSFS_PCI_RESCAN
#define SYSFS_PCI_RESCAN "/sys/bus/pci/rescan"
#endif

int
pci_rescan_bus(void)
{
	int fd = open(SYSFS_PCI_RESCAN, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0) {
		return -1;
	}
	n = write(fd, "1", 1);
	err = errno;
	(void) close(fd);
	if (n != 1) {
		errno = n < 0 ? err : EIO;
		return -1;
	}
	return PCI_SUCCESS;
}

int
pci_present(unsigned *lastbus, unsigned *version, unsigned *hardware)
{
	size_t n;
	pci_bdf_t *all = list_all(&n);
	unsigned last = 0;

	if (n == 0) {
		free(all);
		errno = ENODEV;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((all[i] >> 17) == 0 && PCI_BUS(all[i]) > last) {
			last = PCI_BUS(all[i]);
		}
	}
	free(all);
	if (lastbus != NULL) {
		*lastbus = last;
	}
	if (version != NULL) {
		*version = 0x0300; /* PCI 3.0, as BCD */
	}
	if (hardware != NULL) {
		*hardware = 0x01; /* configuration mechanism #1 */
	}
	return PCI_SUCCESS;
}

/* The index-th device of the first domain that keep() accepts. */
static int
legacy_find(unsigned index, pci_vid_t vid, pci_did_t did, pci_ccode_t cc,
    unsigned *bus, unsigned *dev_func)
{
	size_t n;
	pci_bdf_t *all = list_all(&n);
	unsigned seen = 0;
	int rc = PCI_DEVICE_NOT_FOUND;

	for (size_t i = 0; i < n && (all[i] >> 17) == 0; i++) {
		if (matches(all[i], vid, did, cc) && seen++ == index) {
			if (bus != NULL) {
				*bus = PCI_BUS(all[i]);
			}
			if (dev_func != NULL) {
				*dev_func = all[i] & 0xffu;
			}
			rc = PCI_SUCCESS;
			break;
		}
	}
	free(all);
	return rc;
}

int
pci_find_device(unsigned device, unsigned vendor, unsigned index,
    unsigned *bus, unsigned *dev_func)
{
	if (vendor >= 0xffff || device > 0xffff) {
		return PCI_BAD_VENDOR_ID;
	}
	return legacy_find(index, (pci_vid_t) vendor,
	    device == 0xffff ? PCI_DID_ANY : (pci_did_t) device, PCI_CCODE_ANY,
	    bus, dev_func);
}

int
pci_find_class(unsigned long class_code, unsigned index, unsigned *bus,
    unsigned *dev_func)
{
	if (class_code > 0xffffffu) {
		return PCI_DEVICE_NOT_FOUND;
	}
	return legacy_find(index, PCI_VID_ANY, PCI_DID_ANY,
	    (pci_ccode_t) class_code, bus, dev_func);
}

/* cnt registers of size bytes from offset on: a PCI_* result; -1 with
 * errno for a device that is not there or may not be touched. */
static int
legacy_rw(pci_bdf_t bdf, unsigned offset, unsigned cnt, unsigned size,
    void *buf, bool write)
{
	if (bdf == PCI_BDF_NONE) {
		return PCI_DEVICE_NOT_FOUND;
	}
	if (buf == NULL && cnt > 0) {
		errno = EFAULT;
		return -1;
	}
	if (cnt > 4096 || offset % size != 0) {
		return PCI_BAD_REGISTER_NUMBER;
	}
	for (unsigned i = 0; i < cnt; i++) {
		char *p = (char *) buf + (size_t) i * size;
		int rc = write ? cfg_write(bdf, offset + i * size, p, size)
			       : cfg_read(bdf, offset + i * size, p, size);

		if (rc == -EINVAL) {
			return PCI_BAD_REGISTER_NUMBER;
		}
		if (rc == -ENODEV) {
			return PCI_DEVICE_NOT_FOUND;
		}
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
	}
	return PCI_SUCCESS;
}

#define PCI_LEGACY_RW(bits)                                              \
	int pci_read_config##bits(unsigned bus, unsigned dev_func,       \
	    unsigned offset, unsigned cnt, char *bufptr)                 \
	{                                                                \
		return legacy_rw(legacy_bdf(bus, dev_func), offset, cnt, \
		    (bits) / 8, bufptr, false);                          \
	}                                                                \
                                                                         \
	int pci_write_config##bits(unsigned bus, unsigned dev_func,      \
	    unsigned offset, unsigned cnt, const char *bufptr)           \
	{                                                                \
		return legacy_rw(legacy_bdf(bus, dev_func), offset, cnt, \
		    (bits) / 8, (void *) bufptr, true);                  \
	}

PCI_LEGACY_RW(8)
PCI_LEGACY_RW(16)
PCI_LEGACY_RW(32)

/* Fills info with what the kernel says of bdf: 0 or -errno. */
static int
fill_info(pci_bdf_t bdf, struct pci_dev_info *info)
{
	struct pci_dev_info in = {0};
	uint8_t hdr[64];
	pci_ba_t ba[7];
	uint64_t irq;
	size_t n;
	int rc;

	rc = cfg_read(bdf, 0, hdr, 4);
	for (unsigned off = 4; rc == 0 && off < 64; off += 4) {
		rc = cfg_read(bdf, off, hdr + off, 4);
	}
	if (rc == 0) {
		rc = spaces(bdf, ba, 7, &n);
	}
	if (rc == 0) {
		rc = read_num(bdf, "irq", &irq);
	}
	if (rc < 0) {
		return rc;
	}
	in.VendorId = (uint16_t) (hdr[0] | hdr[1] << 8);
	in.DeviceId = (uint16_t) (hdr[2] | hdr[3] << 8);
	in.Revision = hdr[8];
	in.Class = (uint32_t) hdr[9] | (uint32_t) hdr[10] << 8 |
	    (uint32_t) hdr[11] << 16;
	if ((hdr[0x0e] & 0x7fu) == 0) { /* a type 0 header */
		in.SubsystemVendorId = (uint16_t) (hdr[0x2c] | hdr[0x2d] << 8);
		in.SubsystemId = (uint16_t) (hdr[0x2e] | hdr[0x2f] << 8);
	}
	in.BusNumber = (uint8_t) PCI_BUS(bdf);
	in.DevFunc = (uint8_t) (bdf & 0xffu);
	in.Irq = irq <= UINT32_MAX ? (uint32_t) irq : 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = ba[i].addr;

		if (ba[i].bar_num < 0) {
			in.PciRom = in.CpuRom = a;
			in.RomSize = ba[i].size <= UINT32_MAX
			    ? (uint32_t) ba[i].size : 0;
			continue;
		}
		/* The BAR's own low bits, which PCI_IS_IO() and
		 * PCI_IO_ADDR() read and strip. */
		if (ba[i].type == pci_asType_e_IO) {
			a |= 1u;
		} else {
			a |= (ba[i].attr & pci_asAttr_e_64BIT) ? 4u : 0u;
			a |= (ba[i].attr & pci_asAttr_e_PREFETCH) ? 8u : 0u;
		}
		in.PciBaseAddress[ba[i].bar_num] = a;
		in.CpuBaseAddress[ba[i].bar_num] = a;
		in.BaseAddressSize[ba[i].bar_num] = ba[i].size <= UINT32_MAX
		    ? (uint32_t) ba[i].size : 0;
	}
	*info = in;
	return 0;
}

/* The device info names: the search flags say by what, or, with none,
 * the vendor and device IDs it holds. */
static pci_bdf_t
legacy_search(uint32_t flags, uint16_t idx, const struct pci_dev_info *in)
{
	unsigned bus, devfn;
	int rc;

	if (flags & PCI_SEARCH_BUSDEV) {
		return idx == 0 ? legacy_bdf(in->BusNumber, in->DevFunc)
				: PCI_BDF_NONE;
	}
	if (flags & PCI_SEARCH_CLASS) {
		rc = legacy_find(idx, PCI_VID_ANY, PCI_DID_ANY,
		    in->Class & 0xffffffu, &bus, &devfn);
	} else if (flags & PCI_SEARCH_VEND) {
		rc = legacy_find(idx, in->VendorId, PCI_DID_ANY, PCI_CCODE_ANY,
		    &bus, &devfn);
	} else {
		rc = legacy_find(idx, in->VendorId, in->DeviceId,
		    PCI_CCODE_ANY, &bus, &devfn);
	}
	return rc == PCI_SUCCESS ? legacy_bdf(bus, devfn) : PCI_BDF_NONE;
}

void *
pci_attach_device(void *handle, uint32_t flags, uint16_t idx,
    struct pci_dev_info *info)
{
	const uint32_t known = PCI_SHARE | PCI_PERSIST | PCI_MASTER_ENABLE |
	    PCI_INIT_ALL | PCI_SEARCH_VEND | PCI_SEARCH_VENDEV |
	    PCI_SEARCH_CLASS | PCI_SEARCH_BUSDEV | PCI_USE_MSI;
	struct axon_pci_attach *a = NULL, copy;
	pci_bdf_t bdf;
	int rc;

	if (info == NULL) {
		errno = EFAULT;
		return NULL;
	}
	if ((flags & ~known) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (handle != NULL) {
		/* Again, for more of the same device's resources: the
		 * kernel assigned them all already. */
		if (!att_find(handle, true, &copy)) {
			errno = EINVAL;
			return NULL;
		}
		bdf = copy.bdf;
		a = handle;
	} else {
		bdf = legacy_search(flags, idx, info);
		if (bdf == PCI_BDF_NONE) {
			errno = ENODEV;
			return NULL;
		}
		rc = attach(bdf, ((flags & PCI_SHARE)
			       ? pci_attachFlags_OWNER | pci_attachFlags_e_MULTI
			       : pci_attachFlags_EXCLUSIVE_OWNER),
		    true, (flags & PCI_PERSIST) != 0, &a);
		if (rc != PCI_ERR_OK) {
			errno = rc == PCI_ERR_ENOMEM ? ENOMEM
			    : rc == PCI_ERR_ENODEV   ? ENODEV
			    : rc == PCI_ERR_EPERM    ? EPERM
			    : rc == PCI_ERR_LOCK_FAILURE ? EIO
						     : EBUSY;
			return NULL;
		}
	}
	if (flags & PCI_MASTER_ENABLE) {
		uint16_t cmd;

		rc = cfg_read(bdf, 0x04, &cmd, 2);
		if (rc == 0 && !(cmd & 0x4u)) {
			cmd |= 0x4u;
			rc = cfg_write(bdf, 0x04, &cmd, 2);
		}
	} else {
		rc = 0;
	}
	if (rc == 0) {
		rc = fill_info(bdf, info);
	}
	if (rc < 0) {
		if (handle == NULL && att_unlink(a, true)) {
			att_free(a);
		}
		errno = -rc;
		return NULL;
	}
	return a;
}

int
pci_detach_device(void *handle)
{
	if (!att_unlink(handle, true)) {
		return PCI_DEVICE_NOT_FOUND;
	}
	att_free(handle);
	return PCI_SUCCESS;
}

int
pci_read_config(void *handle, unsigned offset, unsigned cnt, size_t size,
    void *bufptr)
{
	struct axon_pci_attach copy;

	if (!att_find(handle, true, &copy)) {
		return PCI_DEVICE_NOT_FOUND;
	}
	if (size != 1 && size != 2 && size != 4) {
		return PCI_BAD_REGISTER_NUMBER;
	}
	return legacy_rw(copy.bdf, offset, cnt, (unsigned) size, bufptr,
	    false);
}

int
pci_write_config(void *handle, unsigned offset, unsigned cnt, size_t size,
    const void *bufptr)
{
	struct axon_pci_attach copy;

	if (!att_find(handle, true, &copy)) {
		return PCI_DEVICE_NOT_FOUND;
	}
	if (size != 1 && size != 2 && size != 4) {
		return PCI_BAD_REGISTER_NUMBER;
	}
	return legacy_rw(copy.bdf, offset, cnt, (unsigned) size,
	    (void *) bufptr, true);
}
