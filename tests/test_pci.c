/* SPDX-License-Identifier: MIT */
/*
 * QNX's PCI calls (<pci/pci.h>, <hw/pci.h>; pci_device_find(3)) on this
 * machine's real PCI functions: what they say is checked against the
 * kernel's own sysfs files, read here independently; attachments are
 * checked between threads and between processes (a dead process's
 * attachment goes with it); an unprivileged user gets what Linux lets it
 * have (the first 64 bytes of configuration space, no writes).  Nothing
 * is written to a device except its command register's own value.
 *
 * A machine without PCI (no /sys/bus/pci/devices entries) skips the
 * tests that need a device, saying so.
 */
#include "attack.h"

#include <dirent.h>
#include <inttypes.h>
#include <hw/pci.h>
/* Axon's own, which a system <pci/pci.h> (pciutils') would hide: it is
 * in the after directory (pci_device_find(3)). */
#include <after/pci/pci.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>

#define SYS "/sys/bus/pci/devices"

struct dev {
	char name[256];
	pci_bdf_t bdf;
	bool bound;   /* a Linux driver drives it */
};

static struct dev *devs;
static size_t ndevs;

static int
cmp_dev(const void *a, const void *b)
{
	const struct dev *x = a, *y = b;

	return x->bdf < y->bdf ? -1 : x->bdf > y->bdf;
}

/* The machine's functions, listed here without the library: those a
 * pci_bdf_t can name (a domain of four hex digits up to 0x7fff). */
static size_t
scan(void)
{
	DIR *d = opendir(SYS);
	struct dirent *e;
	size_t cap = 0;

	ndevs = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		unsigned dom, bus, dv, fn;
		char link[1024];

		if (strlen(e->d_name) != 12 ||
		    sscanf(e->d_name, "%x:%x:%x.%x", &dom, &bus, &dv, &fn) !=
			4 ||
		    dom > 0x7fff) {
			continue;
		}
		if (ndevs == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			devs = realloc(devs, cap * sizeof(*devs));
			ck_assert_ptr_nonnull(devs);
		}
		struct dev *v = &devs[ndevs++];

		snprintf(v->name, sizeof(v->name), "%s", e->d_name);
		v->bdf = (pci_bdf_t) dom << 17 | bus << 8 | dv << 3 | fn;
		snprintf(link, sizeof(link), SYS "/%.200s/driver", e->d_name);
		v->bound = access(link, F_OK) == 0;
	}
	if (d != NULL) {
		closedir(d);
	}
	if (ndevs > 0) {
		qsort(devs, ndevs, sizeof(devs[0]), cmp_dev);
	} else {
		fprintf(stderr, "test_pci: skipped: no PCI functions in " SYS
				"\n");
	}
	return ndevs;
}

/* Attachments are the machine's: one test_pci at a time (a sanitizer
 * build's run beside another), held until the test's process ends. */
static void
serial(void)
{
	int fd = open("/tmp/axon-test-pci.lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
}

/* A number file of dev (vendor, class, irq, ...). */
static unsigned long long
num(const struct dev *v, const char *file)
{
	char path[1024], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), SYS "/%.200s/%s", v->name, file);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	return strtoull(buf, NULL, 0);
}

/* Bytes of dev's configuration space as this process may read them. */
static ssize_t
config(const struct dev *v, uint8_t *buf, size_t len)
{
	char path[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYS "/%.200s/config", v->name);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = pread(fd, buf, len, 0);
	close(fd);
	return n;
}

START_TEST(test_find_and_read)
{
	if (scan() == 0) {
		return;
	}
	for (size_t i = 0; i < ndevs; i++) {
		const struct dev *v = &devs[i];
		pci_vid_t vid;
		pci_did_t did;
		pci_ssvid_t ssvid;
		pci_ssid_t ssid;
		pci_revid_t rev;
		pci_ccode_t cc;
		pci_hdrType_t ht;
		pci_cmd_t cmd;
		uint8_t cfg[64];

		ck_assert_uint_eq(pci_device_find((uint_t) i, PCI_VID_ANY,
				      PCI_DID_ANY, PCI_CCODE_ANY),
		    v->bdf);
		ck_assert_int_eq(pci_device_read_vid(v->bdf, &vid), PCI_ERR_OK);
		ck_assert_uint_eq(vid, num(v, "vendor"));
		ck_assert_int_eq(pci_device_read_did(v->bdf, &did), PCI_ERR_OK);
		ck_assert_uint_eq(did, num(v, "device"));
		ck_assert_int_eq(pci_device_read_ssvid(v->bdf, &ssvid),
		    PCI_ERR_OK);
		ck_assert_uint_eq(ssvid, num(v, "subsystem_vendor"));
		ck_assert_int_eq(pci_device_read_ssid(v->bdf, &ssid),
		    PCI_ERR_OK);
		ck_assert_uint_eq(ssid, num(v, "subsystem_device"));
		ck_assert_int_eq(pci_device_read_revid(v->bdf, &rev),
		    PCI_ERR_OK);
		ck_assert_uint_eq(rev, num(v, "revision"));
		ck_assert_int_eq(pci_device_read_ccode(v->bdf, &cc),
		    PCI_ERR_OK);
		ck_assert_uint_eq(cc, num(v, "class"));
		ck_assert_int_eq(config(v, cfg, sizeof(cfg)), 64);
		ck_assert_int_eq(pci_device_read_hdrType(v->bdf, &ht),
		    PCI_ERR_OK);
		ck_assert_uint_eq(ht, cfg[0x0e]);
		ck_assert_int_eq(pci_device_read_cmd(v->bdf, &cmd), PCI_ERR_OK);
		ck_assert_uint_eq(cmd, cfg[4] | cfg[5] << 8);

		/* Found by its IDs and by its class, among its twins. */
		uint_t twins = 0, cls = 0;

		for (size_t j = 0; j < i; j++) {
			pci_vid_t v2;
			pci_did_t d2;
			pci_ccode_t c2;

			pci_device_read_vid(devs[j].bdf, &v2);
			pci_device_read_did(devs[j].bdf, &d2);
			pci_device_read_ccode(devs[j].bdf, &c2);
			twins += v2 == vid && d2 == did;
			cls += c2 == cc;
		}
		ck_assert_uint_eq(pci_device_find(twins, vid, did,
				      PCI_CCODE_ANY),
		    v->bdf);
		ck_assert_uint_eq(pci_device_find(cls, PCI_VID_ANY,
				      PCI_DID_ANY, cc),
		    v->bdf);
	}
	ck_assert_uint_eq(pci_device_find((uint_t) ndevs, PCI_VID_ANY,
			      PCI_DID_ANY, PCI_CCODE_ANY),
	    PCI_BDF_NONE);
	ck_assert_uint_eq(pci_device_find(0, 0x0000, PCI_DID_ANY,
			      PCI_CCODE_ANY),
	    PCI_BDF_NONE); /* vendor 0 is no vendor */

	/* Errors: no such device, a bdf no device can have, NULL. */
	pci_bdf_t none = PCI_BDF(0xff, 0x1f, 7) | 0x7ffeu << 17;
	pci_vid_t vid;
	uint8_t b;
	uint16_t w;

	ck_assert_int_eq(pci_device_read_vid(none, &vid), PCI_ERR_ENODEV);
	ck_assert_int_eq(pci_device_read_vid(PCI_BDF_NONE, &vid),
	    PCI_ERR_EINVAL);
	ck_assert_int_eq(pci_device_read_vid(devs[0].bdf | 1u << 16, &vid),
	    PCI_ERR_EINVAL);
	ck_assert_int_eq(pci_device_read_vid(devs[0].bdf, NULL),
	    PCI_ERR_EINVAL);
	ck_assert_int_eq(pci_device_cfg_rd16(devs[0].bdf, 1, &w),
	    PCI_ERR_EINVAL); /* not aligned */
	ck_assert_int_eq(pci_device_cfg_rd8(devs[0].bdf, 4096, &b),
	    PCI_ERR_EINVAL); /* beyond the space */
	ck_assert_int_eq(pci_device_cfg_rd8(none, 0, &b), PCI_ERR_ENODEV);
	errno = 1234;
	ck_assert_int_eq(pci_device_read_ssid(none, &w), PCI_ERR_ENODEV);
	ck_assert_int_eq(errno, 1234); /* errno is kept */
}
END_TEST

START_TEST(test_config_space)
{
	if (scan() == 0) {
		return;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "test_config_space: skipped: needs root (all "
				"of configuration space)\n");
		return;
	}
	for (size_t i = 0; i < ndevs; i++) {
		const struct dev *v = &devs[i];
		uint8_t cfg[4096];
		ssize_t n = config(v, cfg, sizeof(cfg));
		uint8_t b;
		uint16_t w;
		uint32_t d;
		uint64_t q;

		ck_assert_int_ge(n, 256); /* root reads it all */
		for (unsigned off = 0; off < (unsigned) n; off += 8) {
			ck_assert_int_eq(pci_device_cfg_rd8(v->bdf, off, &b),
			    PCI_ERR_OK);
			ck_assert_uint_eq(b, cfg[off]);
			ck_assert_int_eq(pci_device_cfg_rd16(v->bdf, off, &w),
			    PCI_ERR_OK);
			ck_assert_uint_eq(w, cfg[off] | cfg[off + 1] << 8);
			ck_assert_int_eq(pci_device_cfg_rd32(v->bdf, off, &d),
			    PCI_ERR_OK);
			ck_assert_int_eq(memcmp(&d, cfg + off, 4), 0);
			ck_assert_int_eq(pci_device_cfg_rd64(v->bdf, off, &q),
			    PCI_ERR_OK);
			ck_assert_int_eq(memcmp(&q, cfg + off, 8), 0);
		}

		/* The capability list, walked here from the bytes. */
		pci_capid_t want[48];
		uint_t nwant = 0;

		if (cfg[6] & 0x10) {
			for (unsigned p = cfg[0x34] & 0xfc; p != 0 && nwant < 48;
			     p = cfg[p + 1] & 0xfc) {
				want[nwant++] = cfg[p];
			}
		}
		for (uint_t k = 0; k < nwant; k++) {
			pci_capid_t c;

			ck_assert_int_eq(pci_device_read_capid(v->bdf, &c, k),
			    PCI_ERR_OK);
			ck_assert_uint_eq(c, want[k]);
			/* find_capid gives the first of its kind. */
			int_t first = -1;

			for (uint_t j = 0; j < nwant && first < 0; j++) {
				if (want[j] == want[k]) {
					first = (int_t) j;
				}
			}
			ck_assert_int_eq(pci_device_find_capid(v->bdf,
					     want[k]),
			    first);
			int_t nx = pci_device_find_capid_next(v->bdf, want[k],
			    (int_t) k);
			int_t expect = -1;

			for (uint_t j = k + 1; j < nwant && expect < 0; j++) {
				if (want[j] == want[k]) {
					expect = (int_t) j;
				}
			}
			ck_assert_int_eq(nx, expect);
		}
		pci_capid_t c;

		ck_assert_int_eq(pci_device_read_capid(v->bdf, &c, nwant),
		    PCI_ERR_ENOENT);
		ck_assert_int_eq(pci_device_read_capid(v->bdf, NULL, 0),
		    PCI_ERR_EINVAL);
		ck_assert_int_eq(pci_device_find_capid(v->bdf, 0xfe), -1);
		/* No chassis slots on this machine's firmware, or the one
		 * whose address is this device's. */
		pci_cs_t cs = pci_device_chassis_slot(v->bdf);

		if (cs != 0) {
			char path[1024], addr[32] = "";
			FILE *f;

			snprintf(path, sizeof(path),
			    "/sys/bus/pci/slots/%u/address",
			    (unsigned) PCI_SLOT(cs));
			f = fopen(path, "r");
			ck_assert_ptr_nonnull(f);
			ck_assert_ptr_nonnull(fgets(addr, sizeof(addr), f));
			fclose(f);
			ck_assert_int_eq(strncmp(addr, v->name, 10), 0);
		}
	}
}
END_TEST

/* A device the tests may attach as owner: one no driver drives, or
 * any with AXON_PCI_ALLOW_BOUND=1 (attachments only take locks). */
static const struct dev *
ownable_dev(void)
{
	for (size_t i = 0; i < ndevs; i++) {
		if (!devs[i].bound && (devs[i].bdf >> 17) == 0) {
			return &devs[i];
		}
	}
	setenv("AXON_PCI_ALLOW_BOUND", "1", 1);
	for (size_t i = 0; i < ndevs; i++) {
		if ((devs[i].bdf >> 17) == 0) {
			return &devs[i];
		}
	}
	return &devs[0];
}

static pci_devhdl_t
att(pci_bdf_t bdf, pci_attachFlags_t fl, pci_err_t want)
{
	pci_err_t err = 12345;
	pci_devhdl_t h = pci_device_attach(bdf, fl, &err);

	ck_assert_msg(err == want, "attach %#x: %d, not %d", fl, err, want);
	if (want == PCI_ERR_OK) {
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(pci_bdf(h), bdf);
	} else {
		ck_assert_ptr_null(h);
	}
	return h;
}

static void
holder(int fd, void *arg)
{
	pci_bdf_t bdf = *(pci_bdf_t *) arg;
	pci_err_t err;
	pci_devhdl_t h = pci_device_attach(bdf,
	    pci_attachFlags_EXCLUSIVE_OWNER, &err);

	axt_report(fd, h != NULL ? 0 : err);
	pause();
}

START_TEST(test_attach)
{
	if (scan() == 0) {
		return;
	}
	serial();
	const struct dev *v = ownable_dev();
	pci_bdf_t bdf = v->bdf;
	pci_devhdl_t a, b;
	int local;

	/* Flags: one of EXCLUSIVE and SHARED; MULTI only with OWNER, not
	 * with EXCLUSIVE; nothing else. */
	att(bdf, 0, PCI_ERR_EINVAL);
	att(bdf, pci_attachFlags_e_EXCLUSIVE | pci_attachFlags_e_SHARED,
	    PCI_ERR_EINVAL);
	att(bdf, pci_attachFlags_e_SHARED | pci_attachFlags_e_MULTI,
	    PCI_ERR_EINVAL);
	att(bdf, pci_attachFlags_EXCLUSIVE_OWNER | pci_attachFlags_e_MULTI,
	    PCI_ERR_EINVAL);
	att(bdf, pci_attachFlags_e_SHARED | 0x100, PCI_ERR_EINVAL);
	att(PCI_BDF(0xff, 0x1f, 7) | 0x7ffeu << 17, pci_attachFlags_e_SHARED,
	    PCI_ERR_ENODEV);
	att(PCI_BDF_NONE, pci_attachFlags_e_SHARED, PCI_ERR_EINVAL);
	ck_assert_ptr_null(pci_device_attach(bdf, 0, NULL)); /* err NULL */

	/* Shared, shared; exclusive refused while they last. */
	a = att(bdf, pci_attachFlags_e_SHARED, PCI_ERR_OK);
	b = att(bdf, pci_attachFlags_e_SHARED, PCI_ERR_OK);
	att(bdf, pci_attachFlags_e_EXCLUSIVE, PCI_ERR_ATTACH_SHARED);
	ck_assert_int_eq(pci_device_detach(a), PCI_ERR_OK);
	ck_assert_int_eq(pci_device_detach(a), PCI_ERR_EINVAL);
	ck_assert_uint_eq(pci_bdf(a), PCI_BDF_NONE);
	att(bdf, pci_attachFlags_EXCLUSIVE_OWNER, PCI_ERR_ATTACH_SHARED);
	ck_assert_int_eq(pci_device_detach(b), PCI_ERR_OK);
	a = att(bdf, pci_attachFlags_e_EXCLUSIVE, PCI_ERR_OK);
	att(bdf, pci_attachFlags_e_SHARED, PCI_ERR_ATTACH_EXCLUSIVE);
	att(bdf, pci_attachFlags_e_EXCLUSIVE, PCI_ERR_ATTACH_EXCLUSIVE);
	ck_assert_int_eq(pci_device_detach(a), PCI_ERR_OK);

	/* One owner, unless every owner says MULTI. */
	a = att(bdf, pci_attachFlags_OWNER, PCI_ERR_OK);
	att(bdf, pci_attachFlags_OWNER, PCI_ERR_ATTACH_OWNED);
	att(bdf, pci_attachFlags_MULTI_OWNER, PCI_ERR_ATTACH_OWNED);
	b = att(bdf, pci_attachFlags_e_SHARED, PCI_ERR_OK); /* not owner */
	ck_assert_int_eq(pci_device_detach(a), PCI_ERR_OK);
	a = att(bdf, pci_attachFlags_MULTI_OWNER, PCI_ERR_OK);
	pci_devhdl_t c = att(bdf, pci_attachFlags_MULTI_OWNER, PCI_ERR_OK);

	att(bdf, pci_attachFlags_OWNER, PCI_ERR_ATTACH_OWNED);
	ck_assert_int_eq(pci_device_detach(a), PCI_ERR_OK);
	ck_assert_int_eq(pci_device_detach(b), PCI_ERR_OK);
	ck_assert_int_eq(pci_device_detach(c), PCI_ERR_OK);

	/* Handles that are none. */
	ck_assert_int_eq(pci_device_detach(NULL), PCI_ERR_EINVAL);
	ck_assert_int_eq(pci_device_detach((pci_devhdl_t) &local),
	    PCI_ERR_EINVAL);

	/* Between processes, and a dead holder lets go. */
	struct axt_child ch = axt_spawn(holder, &bdf);

	ck_assert_int_eq(ch.val, 0);
	att(bdf, pci_attachFlags_e_SHARED, PCI_ERR_ATTACH_EXCLUSIVE);
	axt_child_kill(&ch);
	a = att(bdf, pci_attachFlags_EXCLUSIVE_OWNER, PCI_ERR_OK);
	ck_assert_int_eq(pci_device_detach(a), PCI_ERR_OK);
	unsetenv("AXON_PCI_ALLOW_BOUND");
}
END_TEST

/* The address spaces in dev's resource file, read here. */
static int
resource_lines(const struct dev *v, uint64_t start[7], uint64_t end[7],
    uint64_t flags[7])
{
	char path[1024];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), SYS "/%.200s/resource", v->name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (n < 7 && fscanf(f, "%" SCNx64 " %" SCNx64 " %" SCNx64,
			    &start[n], &end[n], &flags[n]) == 3) {
		n++;
	}
	fclose(f);
	return n;
}

START_TEST(test_spaces_and_irqs)
{
	if (scan() == 0) {
		return;
	}
	serial();
	for (size_t i = 0; i < ndevs; i++) {
		const struct dev *v = &devs[i];
		uint64_t start[7], end[7], flags[7];
		int lines = resource_lines(v, start, end, flags), used = 0;
		pci_ba_t ba[8];
		int_t n = 8;
		pci_devhdl_t h;
		pci_err_t err;

		/* A driven device has an owner already: the kernel. */
		h = pci_device_attach(v->bdf, pci_attachFlags_OWNER, &err);
		if (v->bound) {
			ck_assert_ptr_null(h);
			ck_assert_int_eq(err, PCI_ERR_ATTACH_OWNED);
			setenv("AXON_PCI_ALLOW_BOUND", "1", 1);
			h = pci_device_attach(v->bdf, pci_attachFlags_OWNER,
			    &err);
			unsetenv("AXON_PCI_ALLOW_BOUND");
		}
		ck_assert_ptr_nonnull(h);
		ck_assert_int_eq(pci_device_read_ba(h, &n, ba,
				     pci_reqType_e_UNSPECIFIED),
		    PCI_ERR_OK);
		for (int l = 0; l < lines; l++) {
			if (end[l] == 0) {
				continue;
			}
			ck_assert_int_lt(used, n);
			ck_assert_uint_eq(ba[used].addr, start[l]);
			ck_assert_uint_eq(ba[used].size, end[l] - start[l] + 1);
			ck_assert_int_eq(ba[used].bar_num, l < 6 ? l : -1);
			ck_assert_int_eq(ba[used].type,
			    (flags[l] & 0x100) ? pci_asType_e_IO
					       : pci_asType_e_MEM);
			ck_assert_int_eq(!!(ba[used].attr &
					     pci_asAttr_e_64BIT),
			    !!(flags[l] & 0x100000));
			used++;
		}
		ck_assert_int_eq(n, used);
		int_t count = 0;

		ck_assert_int_eq(pci_device_read_ba(h, &count, NULL,
				     pci_reqType_e_MANDATORY),
		    PCI_ERR_OK);
		ck_assert_int_eq(count, used);
		if (used > 1) {
			n = 1;
			ck_assert_int_eq(pci_device_read_ba(h, &n, ba,
					     pci_reqType_e_ADVISORY),
			    PCI_ERR_OK);
			ck_assert_int_eq(n, 1);
		}
		ck_assert_int_eq(pci_device_read_ba(h, NULL, ba,
				     pci_reqType_e_MANDATORY),
		    PCI_ERR_EINVAL);
		ck_assert_int_eq(pci_device_read_ba(h, &n, ba, 99),
		    PCI_ERR_EINVAL);

		/* Interrupts: the MSI vectors, or the INTx line. */
		char path[1024];
		int want = 0;
		DIR *d;

		snprintf(path, sizeof(path), SYS "/%.200s/msi_irqs", v->name);
		d = opendir(path);
		for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
			want += e->d_name[0] != '.';
		}
		if (d != NULL) {
			closedir(d);
		}
		if (want == 0) {
			want = num(v, "irq") != 0;
		}
		pci_irq_t *irq = calloc((size_t) want + 1, sizeof(*irq));
		int_t ni = want + 1;

		ck_assert_ptr_nonnull(irq);
		ck_assert_int_eq(pci_device_read_irq(h, &ni, irq), PCI_ERR_OK);
		ck_assert_int_eq(ni, want);
		for (int_t k = 1; k < ni; k++) {
			ck_assert_int_lt(irq[k - 1], irq[k]);
		}
		ni = 0;
		ck_assert_int_eq(pci_device_read_irq(h, &ni, NULL), PCI_ERR_OK);
		ck_assert_int_eq(ni, want);
		ck_assert_int_eq(pci_device_read_irq(h, NULL, NULL),
		    PCI_ERR_EINVAL);
		ck_assert_int_eq(pci_device_detach(h), PCI_ERR_OK);

		/* Not the owner, or not attached: no spaces, no IRQs. */
		h = pci_device_attach(v->bdf, pci_attachFlags_e_SHARED, &err);
		ck_assert_ptr_nonnull(h);
		n = 8;
		ck_assert_int_eq(pci_device_read_ba(h, &n, ba,
				     pci_reqType_e_UNSPECIFIED),
		    PCI_ERR_EPERM);
		ck_assert_int_eq(pci_device_read_irq(h, &ni, irq),
		    PCI_ERR_EPERM);
		ck_assert_int_eq(pci_device_detach(h), PCI_ERR_OK);
		ck_assert_int_eq(pci_device_read_ba(h, &n, ba,
				     pci_reqType_e_UNSPECIFIED),
		    PCI_ERR_EINVAL);
		free(irq);
	}
}
END_TEST

START_TEST(test_config_write)
{
	if (scan() == 0) {
		return;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "test_config_write: skipped: needs root\n");
		return;
	}
	serial();
	const struct dev *v = ownable_dev();
	pci_devhdl_t own, shared;
	pci_cmd_t cmd;
	uint16_t rb = 0;

	ck_assert_int_eq(pci_device_read_cmd(v->bdf, &cmd), PCI_ERR_OK);
	own = att(v->bdf, pci_attachFlags_OWNER, PCI_ERR_OK);
	/* The command register's own value back: nothing changes.  Some
	 * kernels refuse every configuration write, root's too (lockdown,
	 * a virtual machine's PCI): then the call says so, as the kernel
	 * says it here. */
	char path[1024];
	int fd;
	bool writable;

	snprintf(path, sizeof(path), SYS "/%.200s/config", v->name);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	writable = pwrite(fd, &cmd, 2, 4) == 2;
	ck_assert(writable || errno == EPERM);
	close(fd);
	if (writable) {
		ck_assert_int_eq(pci_device_cfg_wr16(own, 0x04, cmd, &rb),
		    PCI_ERR_OK);
		ck_assert_uint_eq(rb, cmd);
		ck_assert_int_eq(pci_device_cfg_wr16(own, 0x04, cmd, NULL),
		    PCI_ERR_OK);
	} else {
		fprintf(stderr, "test_config_write: this kernel refuses "
				"configuration writes, root's too\n");
		ck_assert_int_eq(pci_device_cfg_wr16(own, 0x04, cmd, &rb),
		    PCI_ERR_EPERM);
	}
	ck_assert_int_eq(pci_device_cfg_wr16(own, 0x05, cmd, NULL),
	    PCI_ERR_EINVAL);
	ck_assert_int_eq(pci_device_cfg_wr32(own, 4096, 0, NULL),
	    PCI_ERR_EINVAL);
	shared = att(v->bdf, pci_attachFlags_e_SHARED, PCI_ERR_OK);
	ck_assert_int_eq(pci_device_cfg_wr16(shared, 0x04, cmd, NULL),
	    PCI_ERR_EPERM);
	ck_assert_int_eq(pci_device_detach(shared), PCI_ERR_OK);
	ck_assert_int_eq(pci_device_detach(own), PCI_ERR_OK);
	ck_assert_int_eq(pci_device_cfg_wr16(own, 0x04, cmd, NULL),
	    PCI_ERR_EINVAL);
	unsetenv("AXON_PCI_ALLOW_BOUND");
}
END_TEST

/* As the unprivileged user: the first 64 bytes (128 of a CardBus
 * bridge), no more; no owner's or exclusive attachment (no record that
 * could keep root's drivers out); a shared one, which writes nothing. */
static void
unprivileged(int fd, void *arg)
{
	const struct dev *v = arg;
	pci_vid_t vid;
	pci_hdrType_t ht = 0;
	uint8_t b;
	pci_capid_t c;
	uint16_t status = 0;
	pci_err_t err = 0;
	unsigned first_hidden;
	int bad = 0;

	axa_become();
	pci_device_read_hdrType(v->bdf, &ht);
	first_hidden = (ht & 0x7f) == 2 ? 0x80 : 0x40;
	bad |= (pci_device_read_vid(v->bdf, &vid) != PCI_ERR_OK) << 0;
	bad |= (pci_device_cfg_rd8(v->bdf, 0x3f, &b) != PCI_ERR_OK) << 1;
	bad |= (pci_device_cfg_rd8(v->bdf, first_hidden, &b) !=
		   PCI_ERR_EPERM) << 2;
	pci_device_read_status(v->bdf, &status);
	if ((status & 0x10) && (ht & 0x7f) != 2) {
		bad |= (pci_device_read_capid(v->bdf, &c, 0) !=
			   PCI_ERR_EPERM) << 3;
	}
	setenv("AXON_PCI_ALLOW_BOUND", "1", 1);
	bad |= (pci_device_attach(v->bdf, pci_attachFlags_OWNER, &err) !=
		       NULL ||
		   err != PCI_ERR_EPERM) << 4;
	bad |= (pci_device_attach(v->bdf, pci_attachFlags_e_EXCLUSIVE,
		    &err) != NULL ||
		   err != PCI_ERR_EPERM) << 5;
	pci_devhdl_t h = pci_device_attach(v->bdf, pci_attachFlags_e_SHARED,
	    &err);

	bad |= (h == NULL) << 6;
	bad |= (pci_device_cfg_wr16(h, 0x04, 0, NULL) != PCI_ERR_EPERM) << 7;
	bad |= (pci_read_config8(PCI_BUS(v->bdf), v->bdf & 0xff, first_hidden,
		    1, (char *) &b) != -1 ||
		   errno != EPERM) << 8;
	axt_report(fd, bad);
	pause(); /* holding the shared attachment */
}

START_TEST(test_unprivileged)
{
	if (scan() == 0 || !axa_user("test_unprivileged")) {
		return;
	}
	serial();
	for (size_t i = 0; i < ndevs; i++) {
		if ((devs[i].bdf >> 17) != 0) {
			continue;
		}
		struct axt_child ch = axt_spawn(unprivileged, &devs[i]);
		pci_devhdl_t h;

		ck_assert_msg(ch.val == 0, "%s: failed checks %#x",
		    devs[i].name, ch.val);
		/* Its shared attachment keeps root out of nothing. */
		setenv("AXON_PCI_ALLOW_BOUND", "1", 1);
		h = att(devs[i].bdf, pci_attachFlags_EXCLUSIVE_OWNER,
		    PCI_ERR_OK);
		ck_assert_int_eq(pci_device_detach(h), PCI_ERR_OK);
		unsetenv("AXON_PCI_ALLOW_BOUND");
		axt_child_kill(&ch);
	}
}
END_TEST

/* pci_rescan_bus(): Linux's rescan, root's alone.  The same functions
 * are there after it (nothing was hot-plugged); another user gets
 * EACCES, from the rescan file's mode. */
static void
rescan_unprivileged(int fd, void *arg)
{
	int rc;

	(void) arg;
	axa_become();
	errno = 0;
	rc = pci_rescan_bus();
	axt_report(fd, rc == -1 && errno == EACCES ? 0 : 1);
}

START_TEST(test_rescan)
{
	int fd = open("/sys/bus/pci/rescan", O_WRONLY | O_CLOEXEC);
	int err = errno;
	size_t before;

	if (fd < 0) {
		/* No rescan here (no PCI bus, read-only sysfs, not root):
		 * its error, as open's. */
		errno = 0;
		ck_assert_int_eq(pci_rescan_bus(), -1);
		ck_assert_int_eq(errno, err);
		return;
	}
	(void) close(fd);
	before = scan();
	ck_assert_int_eq(pci_rescan_bus(), PCI_SUCCESS);
	ck_assert_uint_eq(scan(), before);
	if (axa_user("test_rescan")) {
		struct axt_child ch = axt_spawn(rescan_unprivileged, NULL);

		ck_assert_int_eq(ch.val, 0);
		axt_child_kill(&ch);
	}
}
END_TEST

START_TEST(test_legacy)
{
	if (scan() == 0) {
		return;
	}
	serial();
	const struct dev *v = ownable_dev();
	unsigned bus = 99, devfn = 99, last = 0, ver, hw;
	struct pci_dev_info info;
	uint32_t id = 0, id2[2] = {0};
	int fd = pci_attach(0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pci_present(&last, &ver, &hw), PCI_SUCCESS);
	ck_assert_uint_ge(last, PCI_BUS(devs[ndevs - 1].bdf) *
		((devs[ndevs - 1].bdf >> 17) == 0));
	ck_assert_int_eq(pci_present(NULL, NULL, NULL), PCI_SUCCESS);
	ck_assert_int_eq(pci_read_config32(PCI_BUS(v->bdf), v->bdf & 0xff, 0,
			     1, (char *) &id),
	    PCI_SUCCESS);
	ck_assert_uint_eq(id & 0xffff, num(v, "vendor"));
	ck_assert_uint_eq(id >> 16, num(v, "device"));
	ck_assert_int_eq(pci_read_config16(PCI_BUS(v->bdf), v->bdf & 0xff, 0,
			     2, (char *) id2),
	    PCI_SUCCESS);
	ck_assert_uint_eq(id2[0], id);
	ck_assert_int_eq(pci_read_config32(PCI_BUS(v->bdf), v->bdf & 0xff, 2,
			     1, (char *) &id),
	    PCI_BAD_REGISTER_NUMBER);
	ck_assert_int_eq(pci_read_config8(PCI_BUS(v->bdf), v->bdf & 0xff,
			     4095, 2, (char *) &id),
	    PCI_BAD_REGISTER_NUMBER);
	ck_assert_int_eq(pci_read_config8(0xff, 0xff, 0, 1, (char *) &id),
	    PCI_DEVICE_NOT_FOUND);
	ck_assert_int_eq(pci_read_config8(256, 0, 0, 1, (char *) &id),
	    PCI_DEVICE_NOT_FOUND);

	/* Found by device and vendor (device first, as QNX has it), and
	 * by class. */
	unsigned vid = (unsigned) num(v, "vendor"), did =
	    (unsigned) num(v, "device");
	unsigned twins = 0;

	for (const struct dev *w = devs; w < v; w++) {
		twins += num(w, "vendor") == vid && num(w, "device") == did;
	}
	ck_assert_int_eq(pci_find_device(did, vid, twins, &bus, &devfn),
	    PCI_SUCCESS);
	ck_assert_uint_eq(bus, PCI_BUS(v->bdf));
	ck_assert_uint_eq(devfn, v->bdf & 0xff);
	ck_assert_int_eq(pci_find_device(did, vid, 256, &bus, &devfn),
	    PCI_DEVICE_NOT_FOUND);
	ck_assert_int_eq(pci_find_device(did, 0xffff, 0, &bus, &devfn),
	    PCI_BAD_VENDOR_ID);
	ck_assert_int_eq(pci_find_class(num(v, "class"), 0, &bus, &devfn),
	    PCI_SUCCESS);
	ck_assert_int_eq(pci_find_class(0x1000000ul, 0, &bus, &devfn),
	    PCI_DEVICE_NOT_FOUND);

	/* Attached by its IDs, with no search flag (as QNX programs do). */
	uint64_t start[7], end[7], flags[7];
	int lines = resource_lines(v, start, end, flags);
	void *h, *h2;

	memset(&info, 0, sizeof(info));
	info.VendorId = (uint16_t) vid;
	info.DeviceId = (uint16_t) did;
	h = pci_attach_device(NULL, PCI_INIT_ALL, (uint16_t) twins, &info);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(info.BusNumber, PCI_BUS(v->bdf));
	ck_assert_uint_eq(info.DevFunc, v->bdf & 0xff);
	ck_assert_uint_eq(info.Class, num(v, "class"));
	ck_assert_uint_eq(info.Revision, num(v, "revision"));
	ck_assert_uint_eq(info.Irq, num(v, "irq"));
	for (int l = 0; l < lines && l < 6; l++) {
		if (end[l] == 0) {
			ck_assert_uint_eq(info.CpuBaseAddress[l], 0);
			continue;
		}
		ck_assert_uint_eq(PCI_IS_IO(info.CpuBaseAddress[l]),
		    (flags[l] & 0x100) != 0);
		ck_assert_uint_eq(PCI_IS_IO(info.CpuBaseAddress[l])
			? PCI_IO_ADDR(info.CpuBaseAddress[l])
			: PCI_MEM_ADDR(info.CpuBaseAddress[l]),
		    start[l]);
		/* (A size that needs more than 32 bits: 0.) */
		ck_assert_uint_eq(info.BaseAddressSize[l],
		    end[l] - start[l] + 1 > UINT32_MAX ? 0
						       : end[l] - start[l] + 1);
	}
	/* Exclusive (no PCI_SHARE): a second attach is refused. */
	struct pci_dev_info again = info;

	errno = 0;
	ck_assert_ptr_null(pci_attach_device(NULL, PCI_SEARCH_BUSDEV, 0,
	    &again));
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_ptr_eq(pci_attach_device(h, PCI_INIT_IRQ, 0, &again), h);
	ck_assert_int_eq(pci_read_config(h, 0, 1, 4, &id), PCI_SUCCESS);
	ck_assert_uint_eq(id & 0xffff, vid);
	ck_assert_int_eq(pci_read_config(h, 0, 1, 3, &id),
	    PCI_BAD_REGISTER_NUMBER);
	ck_assert_int_eq(pci_detach_device(h), PCI_SUCCESS);
	ck_assert_int_eq(pci_detach_device(h), PCI_DEVICE_NOT_FOUND);
	ck_assert_int_eq(pci_read_config(h, 0, 1, 4, &id),
	    PCI_DEVICE_NOT_FOUND);

	/* Shared twice; pci_detach() lets go of what was not PERSIST. */
	h = pci_attach_device(NULL, PCI_SHARE | PCI_SEARCH_BUSDEV, 0, &again);
	ck_assert_ptr_nonnull(h);
	h2 = pci_attach_device(NULL, PCI_SHARE | PCI_PERSIST |
		PCI_SEARCH_BUSDEV, 0, &again);
	ck_assert_ptr_nonnull(h2);
	ck_assert_int_eq(pci_detach(fd), PCI_SUCCESS);
	ck_assert_int_eq(pci_detach_device(h), PCI_DEVICE_NOT_FOUND);
	ck_assert_int_eq(pci_detach_device(h2), PCI_SUCCESS);

	/* Nothing matches; bad arguments. */
	memset(&info, 0, sizeof(info));
	info.VendorId = 0x0000;
	errno = 0;
	ck_assert_ptr_null(pci_attach_device(NULL, PCI_SEARCH_VEND, 0,
	    &info));
	ck_assert_int_eq(errno, ENODEV);
	ck_assert_ptr_null(pci_attach_device(NULL, 0x80000000u, 0, &info));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(pci_attach_device(NULL, 0, 0, NULL));
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(pci_detach_device(NULL), PCI_DEVICE_NOT_FOUND);
	ck_assert_int_eq(pci_detach(-1), -1);
	ck_assert_int_eq(errno, EBADF);
	/* Not pci_attach()'s descriptor: refused, and left open. */
	ck_assert_int_eq(pci_detach(1), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_ge(fcntl(1, F_GETFD), 0);
	unsetenv("AXON_PCI_ALLOW_BOUND");
}
END_TEST

static Suite *
pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *t = axt_tcase("pci", 30);

	tcase_add_test(t, test_find_and_read);
	tcase_add_test(t, test_config_space);
	tcase_add_test(t, test_attach);
	tcase_add_test(t, test_spaces_and_irqs);
	tcase_add_test(t, test_config_write);
	tcase_add_test(t, test_unprivileged);
	tcase_add_test(t, test_legacy);
	tcase_add_test(t, test_rescan);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(pci_suite());
}
