/* SPDX-License-Identifier: MIT */
/*
 * MsgKeyData(): a key over reply data, so that two privileged servers can
 * pass data through a common client and the second can check that the
 * client did not change it (MsgKeyData(3)).
 *
 * QNX does not document its algorithm; Axon's is SipHash-2-4 (Aumasson
 * and Bernstein, "SipHash: a fast short-input PRF", 2012) keyed with the
 * node's secret XOR the caller's key, over a fixed header naming the
 * client as the caller sees it (nd, pid, process start time) followed by
 * the data.  The 64-bit result is folded to 32 bits.  The node's secret
 * (16 random bytes) is the file keydata.secret in the run directory,
 * made by the first root caller, owned by root and mode 0600: a client
 * that is not root cannot read it, so it cannot compute keys even from
 * a 32-bit caller key it has guessed.  Keys therefore verify only on the
 * node (run directory) that made them, and never against QNX's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keydata.h"
#include "msg_int.h"

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(struct axon_sip *s)
{
	s->v[0] += s->v[1];
	s->v[1] = ROTL(s->v[1], 13);
	s->v[1] ^= s->v[0];
	s->v[0] = ROTL(s->v[0], 32);
	s->v[2] += s->v[3];
	s->v[3] = ROTL(s->v[3], 16);
	s->v[3] ^= s->v[2];
	s->v[0] += s->v[3];
	s->v[3] = ROTL(s->v[3], 21);
	s->v[3] ^= s->v[0];
	s->v[2] += s->v[1];
	s->v[1] = ROTL(s->v[1], 17);
	s->v[1] ^= s->v[2];
	s->v[2] = ROTL(s->v[2], 32);
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | p[i];
	}
	return v;
}

static void
sip_block(struct axon_sip *s, uint64_t m)
{
	s->v[3] ^= m;
	sip_round(s);
	sip_round(s);
	s->v[0] ^= m;
}

void
axon__sip_init(struct axon_sip *s, const uint8_t key[16])
{
	uint64_t k0 = le64(key);
	uint64_t k1 = le64(key + 8);

	s->v[0] = 0x736f6d6570736575ULL ^ k0;
	s->v[1] = 0x646f72616e646f6dULL ^ k1;
	s->v[2] = 0x6c7967656e657261ULL ^ k0;
	s->v[3] = 0x7465646279746573ULL ^ k1;
	s->len = 0;
	s->nbuf = 0;
}

void
axon__sip_update(struct axon_sip *s, const void *data, size_t n)
{
	const uint8_t *p = data;

	s->len += n;
	while (n > 0 && s->nbuf > 0 && s->nbuf < 8) {
		s->buf[s->nbuf++] = *p++;
		n--;
		if (s->nbuf == 8) {
			sip_block(s, le64(s->buf));
			s->nbuf = 0;
			break;
		}
	}
	while (n >= 8) {
		sip_block(s, le64(p));
		p += 8;
		n -= 8;
	}
	while (n > 0) {
		s->buf[s->nbuf++] = *p++;
		n--;
	}
}

uint64_t
axon__sip_final(struct axon_sip *s)
{
	uint64_t b = (uint64_t) (s->len & 0xff) << 56;

	for (unsigned i = 0; i < s->nbuf; i++) {
		b |= (uint64_t) s->buf[i] << (8 * i);
	}
	sip_block(s, b);
	s->v[2] ^= 0xff;
	for (int i = 0; i < 4; i++) {
		sip_round(s);
	}
	return s->v[0] ^ s->v[1] ^ s->v[2] ^ s->v[3];
}

/*
 * The node's secret: read from rundir/keydata.secret, made first (16
 * bytes of getrandom(), written to a private temporary file and linked
 * into place, so that a concurrent caller sees all of it or nothing) if
 * there is none.  A file that is not a regular file owned by root with
 * no permission for group or others is refused (-EACCES): whoever made
 * it could know it.
 */
static int
node_secret(uint8_t out[16])
{
	char dir[4096];
	char path[4200];
	char tmp[4200];
	struct stat st;
	ssize_t r;
	int fd, rc;

	rc = axon__rundir(dir, sizeof(dir));
	if (rc < 0) {
		return rc;
	}
	(void) snprintf(path, sizeof(path), "%s/keydata.secret", dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		uint8_t fresh[16];

		if (getrandom(fresh, sizeof(fresh), 0) !=
		    (ssize_t) sizeof(fresh)) {
			return -EAGAIN;
		}
		(void) snprintf(tmp, sizeof(tmp), "%s/.keydata.%ld", dir,
		    (long) axon__gettid());
		(void) unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd < 0) {
			return -errno;
		}
		r = write(fd, fresh, sizeof(fresh));
		rc = r < 0 ? -errno : r != (ssize_t) sizeof(fresh) ? -EIO : 0;
		(void) close(fd);
		if (rc == 0 && link(tmp, path) < 0 && errno != EEXIST) {
			rc = -errno; /* EEXIST: another caller's is there */
		}
		(void) unlink(tmp);
		memset(fresh, 0, sizeof(fresh));
		if (rc < 0) {
			return rc;
		}
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		return errno == ELOOP ? -EACCES : -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) != 0 || st.st_size != 16) {
		(void) close(fd);
		return -EACCES;
	}
	r = read(fd, out, 16);
	(void) close(fd);
	return r == 16 ? 0 : -EIO;
}

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++) {
		p[i] = (uint8_t) (v >> (8 * i));
	}
}

int
MsgKeyData_r(rcvid_t rcvid, int op, uint32_t key, uint32_t *newkey,
    const iov_t *msg, int parts)
{
	AXON_KEEP_ERRNO;

	static const char domain[16] = "axon-keydata-1";
	struct axon_sconn *sc;
	struct axon_sip sip;
	uint8_t secret[16];
	uint8_t who[16];
	uint32_t slot, k;
	uint64_t h;
	int rc;

	if (geteuid() != 0) {
		return -EPERM; /* QNX: the PROCMGR_AID_KEYDATA ability */
	}
	if (op != _NTO_KEYDATA_CALCULATE && op != _NTO_KEYDATA_VERIFY) {
		return -EINVAL;
	}
	if (parts < 0) {
		return -EINVAL;
	}
	if (newkey == NULL || (msg == NULL && parts > 0)) {
		return -EFAULT;
	}
	for (int i = 0; i < parts; i++) {
		if (msg[i].iov_base == NULL && msg[i].iov_len > 0) {
			return -EFAULT;
		}
	}
	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc; /* ESRCH: no message waiting for its reply */
	}
	put_le(who, sc->nd, 4);
	put_le(who + 4, (uint32_t) sc->pid, 4);
	put_le(who + 8, sc->start, 8);
	axon__rcvid_unlock(sc);
	rc = node_secret(secret);
	if (rc < 0) {
		return rc;
	}
	put_le(secret, le64(secret) ^ key, 8);
	axon__sip_init(&sip, secret);
	memset(secret, 0, sizeof(secret));
	axon__sip_update(&sip, domain, sizeof(domain));
	axon__sip_update(&sip, who, sizeof(who));
	for (int i = 0; i < parts; i++) {
		axon__sip_update(&sip, msg[i].iov_base, msg[i].iov_len);
	}
	h = axon__sip_final(&sip);
	k = (uint32_t) (h ^ (h >> 32));
	if (op == _NTO_KEYDATA_CALCULATE) {
		*newkey = k;
	} else {
		*newkey = *newkey == k ? 0 : 1;
	}
	return 0;
}

int
MsgKeyData(rcvid_t rcvid, int op, uint32_t key, uint32_t *newkey,
    const iov_t *msg, int parts)
{
	return axon__errno_ret(MsgKeyData_r(rcvid, op, key, newkey, msg,
	    parts));
}
