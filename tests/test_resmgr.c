/* SPDX-License-Identifier: MIT */
/*
 * The resource-manager framework with real processes: managers written
 * as the QNX documentation writes them (extended OCB and attribute via
 * IOFUNC_OCB_T/IOFUNC_ATTR_T and the mount's ocb_calloc/ocb_free, the
 * read-a-string device, a device that keeps what is written, a devctl
 * device with the DCMD macros, a directory manager), reached as a QNX
 * client reaches them: the path resolved in the node's namespace,
 * ConnectAttach() and _IO_* messages (axon__io_*).
 */
#define _GNU_SOURCE
#include "resmgr_managers.h"

#include "iodirect.h"

/* ------------------------------------------------------------------ */
/* Tests                                                              */
/* ------------------------------------------------------------------ */

START_TEST(test_read_string)
{
	struct axt_child m = start_device("/dev/axtest/hello",
	    "Hello, world\n", "0444");
	char buf[64] = {0};
	struct stat st;
	int coid;

	coid = axon__io_open("/dev/axtest/hello", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_read(coid, buf, 5), 5);
	ck_assert_int_eq(axon__io_read(coid, buf + 5, sizeof(buf) - 6), 8);
	ck_assert_str_eq(buf, "Hello, world\n");
	ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)), 0); /* EOF */
	ck_assert_int_eq(axon__io_lseek(coid, 7, SEEK_SET), 7);
	ck_assert_int_eq(axon__io_read(coid, buf, 5), 5);
	ck_assert_int_eq(memcmp(buf, "world", 5), 0);
	ck_assert_int_eq(axon__io_lseek(coid, -1, SEEK_END), 12);
	ck_assert_int_eq(axon__io_lseek(coid, -100, SEEK_CUR), -EINVAL);
	ck_assert_int_eq(axon__io_stat(coid, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0444);
	ck_assert_int_eq(st.st_size, 13);
	ck_assert_int_eq(st.st_uid, getuid());
	/* Opened read-only: writes are refused by iofunc_write_verify. */
	ck_assert_int_eq(axon__io_write(coid, "x", 1), -EBADF);
	ck_assert_int_eq(axon__io_close(coid), 0);
	/* Not attached, or a path it does not serve (not a DIR). */
	ck_assert_int_eq(axon__io_open("/dev/axtest/nothing", O_RDONLY, 0),
	    -ENOENT);
	ck_assert_int_eq(axon__io_open("/dev/axtest/hello/x", O_RDONLY, 0),
	    -ENOENT);
	/* Its mode refuses writing, even to root?  No: root may. */
	coid = axon__io_open("/dev/axtest/hello", O_WRONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
	/* Its path goes with it. */
	ck_assert_int_eq(axon__io_open("/dev/axtest/hello", O_RDONLY, 0),
	    -ENOENT);
}
END_TEST

START_TEST(test_store_written)
{
	struct axt_child m = start_device("/dev/axtest/store", "", "0666");
	char buf[64] = {0};
	int w, r;

	w = axon__io_open("/dev/axtest/store", O_WRONLY, 0);
	r = axon__io_open("/dev/axtest/store", O_RDONLY, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_ne(w, r);
	ck_assert_int_eq(axon__io_write(w, "stored text", 11), 11);
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "stored text");
	/* Each open has its own offset (its own OCB). */
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 0);
	ck_assert_int_eq(axon__io_read(w, buf, sizeof(buf)), -EBADF);
	ck_assert_int_eq(axon__io_close(w), 0);
	ck_assert_int_eq(axon__io_close(r), 0);
	/* A closed coid is gone. */
	ck_assert_int_lt(axon__io_read(r, buf, 1), 0);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_devctl)
{
	struct axt_child m = start_device("/dev/axtest/ctl", "", "0666");
	union my_devctl d;
	int coid, val, info = 0, flags = 0;

	coid = axon__io_open("/dev/axtest/ctl", O_RDWR | O_NONBLOCK, 0);
	ck_assert_int_ge(coid, 0);
	val = 1234;
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_SETVAL, &val, sizeof(val),
	    &info), EOK);
	ck_assert_int_eq(info, 42);
	val = 0;
	info = 0;
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    &info), EOK);
	ck_assert_int_eq(val, 1234);
	ck_assert_int_eq(info, 42);
	d.in = 7;
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_SETGET, &d, sizeof(d), NULL),
	    EOK);
	ck_assert_int_eq(d.out, 1234);
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_RESET, NULL, 0, NULL), EOK);
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EOK);
	ck_assert_int_eq(val, 0);
	/* The DCMD_ALL ones come from iofunc_devctl_default(). */
	ck_assert_int_eq(devctl(coid, DCMD_ALL_GETFLAGS, &flags,
	    sizeof(flags), NULL), EOK);
	ck_assert_int_eq(flags & O_ACCMODE, O_RDWR);
	ck_assert(flags & O_NONBLOCK);
	/* Unknown commands: the manager's ENOSYS; bad fds. */
	ck_assert_int_eq(devctl(coid, __DION(_DCMD_MISC, 99), NULL, 0, NULL),
	    ENOSYS);
	ck_assert_int_eq(devctl(0, DCMD_ALL_GETFLAGS, &flags, sizeof(flags),
	    NULL), ENOTTY);
	ck_assert_int_eq(devctl(999, DCMD_ALL_GETFLAGS, &flags, sizeof(flags),
	    NULL), EBADF);
	ck_assert_int_eq(devctl(coid, DCMD_ALL_GETFLAGS, NULL, 4, NULL),
	    EFAULT);
	ck_assert_int_eq(axon__io_close(coid), 0);
	ck_assert_int_eq(devctl(coid, DCMD_ALL_GETFLAGS, &flags,
	    sizeof(flags), NULL), EBADF);
	axt_child_kill(&m);
}
END_TEST

/* _devctl(): the manager's dev_info value as the return (42 from this
 * device), 0 with _DEVCTL_FLAG_NORETVAL; errors as -1 and errno, ENOSYS
 * turned into ENOTTY by _DEVCTL_FLAG_NOTTY; unknown flags EINVAL. */
START_TEST(test_devctl_flags)
{
	struct axt_child m = start_device("/dev/axtest/ctl", "", "0666");
	int coid, val;

	coid = axon__io_open("/dev/axtest/ctl", O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	val = 77;
	ck_assert_int_eq(_devctl(coid, MY_DEVCTL_SETVAL, &val, sizeof(val), 0),
	    42);
	val = 0;
	ck_assert_int_eq(_devctl(coid, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    _DEVCTL_FLAG_NORETVAL), 0);
	ck_assert_int_eq(val, 77);
	errno = 0;
	ck_assert_int_eq(_devctl(coid, __DION(_DCMD_MISC, 99), NULL, 0, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	errno = 0;
	ck_assert_int_eq(_devctl(coid, __DION(_DCMD_MISC, 99), NULL, 0,
	    _DEVCTL_FLAG_NOTTY), -1);
	ck_assert_int_eq(errno, ENOTTY);
	errno = 0;
	ck_assert_int_eq(_devctl(coid, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    0x80u), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(_devctl(coid, MY_DEVCTL_GETVAL, NULL, sizeof(val),
	    0), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(_devctl(999, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    _DEVCTL_FLAG_NOTTY), -1);
	ck_assert_int_eq(errno, EBADF);
	/* A Linux file that is no manager's: devctl()'s ENOTTY. */
	errno = 0;
	ck_assert_int_eq(_devctl(0, DCMD_ALL_GETFLAGS, &val, sizeof(val), 0),
	    -1);
	ck_assert_int_eq(errno, ENOTTY);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/* iofunc_devctl_verify(): the device's io_devctl makes the checks
 * MY_DEVCTL_CHECKS last set, on real devctl() calls from opens of each
 * access; the sender checks also from another user (verify_sender). */
static int
set_checks(int coid, unsigned checks)
{
	return devctl(coid, MY_DEVCTL_CHECKS, &checks, sizeof(checks), NULL);
}

static int
reset(int coid)
{
	return devctl(coid, MY_DEVCTL_RESET, NULL, 0, NULL);
}

static void
verify_sender(int rep, void *arg)
{
	int coid, code = 0;

	(void) arg;
	axa_become();
	/* Its mode (0604) lets others read only; an open for no access is
	 * anyone's, and a devctl on it is judged by the checks. */
	coid = axon__io_open_ioflag("/dev/axtest/verify", 0, 0);
	if (coid < 0) {
		axt_report(rep, 1);
		_exit(1);
	}
	if (set_checks(coid, 0) != EOK || reset(coid) != EOK) {
		code = 2;
	} else if (set_checks(coid, _IO_DEVCTL_VERIFY_PRIV) != EOK ||
	    reset(coid) != EPERM) {
		code = 3;
	} else if (set_checks(coid, _IO_DEVCTL_VERIFY_ACC_ISUID) != EOK ||
	    reset(coid) != EPERM) {
		code = 4;
	} else if (set_checks(coid, _IO_DEVCTL_VERIFY_ACC_ISGID) != EOK ||
	    reset(coid) != EPERM) {
		code = 5;
	} else if (set_checks(coid, _IO_DEVCTL_VERIFY_ACC_IREAD) != EOK ||
	    reset(coid) != EOK) {
		code = 6;
	} else if (set_checks(coid, _IO_DEVCTL_VERIFY_ACC_IREAD |
	    _IO_DEVCTL_VERIFY_ACC_IWRITE) != EOK || reset(coid) != EACCES) {
		code = 7;
	} else if (set_checks(coid, _IO_DEVCTL_VERIFY_OCB_READ) != EOK ||
	    reset(coid) != EBADF) {
		code = 8;
	}
	(void) axon__io_close(coid);
	axt_report(rep, code);
	_exit(code);
}

START_TEST(test_devctl_verify)
{
	const char *path = "/dev/axtest/verify";
	struct axt_child m = start_device(path, "", "0604");
	union my_devctl d = {.in = 1};
	int rw, ro, wo, none, val = 5, big[2] = {0, 0};
	iov_t sv, rv;

	rw = axon__io_open(path, O_RDWR, 0);
	ro = axon__io_open(path, O_RDONLY, 0);
	wo = axon__io_open(path, O_WRONLY, 0);
	none = axon__io_open_ioflag(path, 0, 0);
	ck_assert_int_ge(rw, 0);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_ge(wo, 0);
	ck_assert_int_ge(none, 0);
	/* No checks (0): anything goes, a read-only open may set. */
	ck_assert_int_eq(devctl(ro, MY_DEVCTL_SETVAL, &val, sizeof(val),
	    NULL), EOK);
	ck_assert_int_eq(devctl(none, MY_DEVCTL_GETVAL, big, sizeof(big),
	    NULL), EOK);
	ck_assert_int_eq(big[0], 5);

	/* LEN: the size the command encodes is nbytes. */
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_LEN), EOK);
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EOK);
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_GETVAL, big, sizeof(big),
	    NULL), EINVAL);
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_GETVAL, &val, 2, NULL), EINVAL);
	ck_assert_int_eq(reset(rw), EOK); /* __DION: size 0 */
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_RESET, big, sizeof(big), NULL),
	    EINVAL);
	/* Two bytes sent for a four-byte __DIOT, four asked back: nbytes
	 * (the larger) is right, so LEN passes what MSG_LEN refuses. */
	val = 7;
	SETIOV(&sv, &val, 2);
	SETIOV(&rv, &val, sizeof(val));
	ck_assert_int_eq(devctlv(rw, MY_DEVCTL_SETVAL, 1, 1, &sv, &rv, NULL),
	    EOK);

	/* MSG_LEN: the data the command sends arrived. */
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_MSG_LEN), EOK);
	ck_assert_int_eq(devctlv(rw, MY_DEVCTL_SETVAL, 1, 1, &sv, &rv, NULL),
	    EBADMSG);
	val = 9;
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_SETVAL, &val, sizeof(val),
	    NULL), EOK);
	val = 0;
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EOK); /* __DIOF: nothing comes in */
	ck_assert_int_eq(val, 9);
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_SETGET, &d, sizeof(d), NULL),
	    EOK);

	/* DIR: __DIOT needs writing, __DIOF reading, __DIOTF both, __DION
	 * nothing. */
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_DIR), EOK);
	ck_assert_int_eq(devctl(ro, MY_DEVCTL_SETVAL, &val, sizeof(val),
	    NULL), EBADF);
	ck_assert_int_eq(devctl(ro, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EOK);
	ck_assert_int_eq(devctl(ro, MY_DEVCTL_SETGET, &d, sizeof(d), NULL),
	    EBADF);
	ck_assert_int_eq(devctl(wo, MY_DEVCTL_SETVAL, &val, sizeof(val),
	    NULL), EOK);
	ck_assert_int_eq(devctl(wo, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EBADF);
	ck_assert_int_eq(devctl(wo, MY_DEVCTL_SETGET, &d, sizeof(d), NULL),
	    EBADF);
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_SETGET, &d, sizeof(d), NULL),
	    EOK);
	ck_assert_int_eq(reset(none), EOK);
	ck_assert_int_eq(devctl(none, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EBADF);
	/* The DCMD_ALL ones are iofunc_devctl_default()'s, before it. */
	ck_assert_int_eq(devctl(none, DCMD_ALL_GETFLAGS, &val, sizeof(val),
	    NULL), EOK);

	/* OCB_READ, OCB_WRITE: the open's access, whatever the command. */
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_OCB_READ), EOK);
	ck_assert_int_eq(reset(ro), EOK);
	ck_assert_int_eq(reset(wo), EBADF);
	ck_assert_int_eq(reset(none), EBADF);
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_OCB_WRITE), EOK);
	ck_assert_int_eq(reset(ro), EBADF);
	ck_assert_int_eq(reset(wo), EOK);
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_OCB_READ |
	    _IO_DEVCTL_VERIFY_OCB_WRITE), EOK);
	ck_assert_int_eq(reset(ro), EBADF);
	ck_assert_int_eq(reset(wo), EBADF);
	ck_assert_int_eq(reset(rw), EOK);
	/* The form is judged before the open. */
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_LEN |
	    _IO_DEVCTL_VERIFY_OCB_WRITE), EOK);
	ck_assert_int_eq(devctl(ro, MY_DEVCTL_RESET, big, sizeof(big), NULL),
	    EINVAL);

	/* The sender: root (the manager's owner too) passes all but
	 * execute, which even root needs an x bit for. */
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_PRIV |
	    _IO_DEVCTL_VERIFY_ACC_ISUID | _IO_DEVCTL_VERIFY_ACC_ISGID |
	    _IO_DEVCTL_VERIFY_ACC_IREAD | _IO_DEVCTL_VERIFY_ACC_IWRITE),
	    EOK);
	ck_assert_int_eq(reset(none), geteuid() == 0 ? EOK : EPERM);
	ck_assert_int_eq(set_checks(rw, _IO_DEVCTL_VERIFY_ACC_IEXEC), EOK);
	ck_assert_int_eq(reset(rw), EACCES);

	/* Checks it does not know: EINVAL, for every command. */
	ck_assert_int_eq(set_checks(rw, 0x80000000u), EOK);
	ck_assert_int_eq(reset(rw), EINVAL);
	ck_assert_int_eq(devctl(rw, MY_DEVCTL_GETVAL, &val, sizeof(val),
	    NULL), EINVAL);

	/* Called wrong, in the manager's own code: nothing to judge. */
	{
		resmgr_context_t ctx;
		io_devctl_t dm;
		iofunc_ocb_t o;

		memset(&ctx, 0, sizeof(ctx));
		memset(&dm, 0, sizeof(dm));
		memset(&o, 0, sizeof(o));
		ck_assert_int_eq(iofunc_devctl_verify(NULL, &dm, &o, 0), EINVAL);
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, NULL, &o, 0),
		    EINVAL);
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm,
		    (iofunc_ocb_t *) NULL, 0), EINVAL);
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o, 0), EOK);
		/* An access check with no attribute to judge by. */
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o,
		    _IO_DEVCTL_VERIFY_ACC_IREAD), EINVAL);
		/* A header only, for a __DIOT command of 4 bytes. */
		dm.i.dcmd = MY_DEVCTL_SETVAL;
		dm.i.nbytes = sizeof(int);
		ctx.size = sizeof(dm.i);
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o,
		    _IO_DEVCTL_VERIFY_LEN), EOK);
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o,
		    _IO_DEVCTL_VERIFY_MSG_LEN), EBADMSG);
		ctx.size = sizeof(dm.i) + sizeof(int);
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o,
		    _IO_DEVCTL_VERIFY_MSG_LEN), EOK);
		/* An OCB of no open at all (ioflag 0) for a __DIOT. */
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o,
		    _IO_DEVCTL_VERIFY_DIR), EBADF);
		o.ioflag = _IO_FLAG_WR;
		ck_assert_int_eq(iofunc_devctl_verify(&ctx, &dm, &o,
		    _IO_DEVCTL_VERIFY_DIR), EOK);
	}

	/* Another user, on an open for no access. */
	if (axa_user("test_devctl_verify")) {
		struct axt_child c;

		axa_share_rundir(axt_rundir);
		c = axt_spawn(verify_sender, NULL);
		ck_assert_int_eq(c.val, 0);
		(void) axt_child_wait(&c, 5);
	}
	ck_assert_int_eq(axon__io_close(rw), 0);
	ck_assert_int_eq(axon__io_close(ro), 0);
	ck_assert_int_eq(axon__io_close(wo), 0);
	ck_assert_int_eq(axon__io_close(none), 0);
	axt_child_kill(&m);
}
END_TEST

/* <hw/i2c.h>'s commands to an I2C bus manager (the devctl device
 * answers them for an EEPROM at 0x50): a write that sets the address
 * pointer and stores, a combined write-then-read, a read going on, the
 * driver's info, a reset; a device that is not there NACKs (EIO). */
START_TEST(test_i2c_commands)
{
	struct axt_child m = start_device("/dev/axtest/i2c0", "", "0666");
	struct {
		i2c_send_t hdr;
		uint8_t data[5];
	} w = {{{EEPROM_ADDR, I2C_ADDRFMT_7BIT}, 5, 1},
	    {0x10, 'a', 'x', 'o', 'n'}};
	struct {
		i2c_sendrecv_t hdr;
		uint8_t data[4];
	} wr = {{{EEPROM_ADDR, I2C_ADDRFMT_7BIT}, 1, 4, 1}, {0x10}};
	struct {
		i2c_recv_t hdr;
		uint8_t data[3];
	} r = {{{EEPROM_ADDR, I2C_ADDRFMT_7BIT}, 3, 1}, {0}};
	i2c_driver_info_t info;
	int coid;

	ck_assert_int_eq(get_device_direction(DCMD_I2C_SEND),
	    _POSIX_DEVDIR_TO);
	ck_assert_int_eq(get_device_direction(DCMD_I2C_SENDRECV),
	    _POSIX_DEVDIR_TOFROM);
	ck_assert_int_eq(get_device_direction(DCMD_I2C_BUS_RESET),
	    _POSIX_DEVDIR_NONE);
	ck_assert_int_eq(sizeof(i2c_sendrecv_t), 20);
	coid = axon__io_open("/dev/axtest/i2c0", O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(devctl(coid, DCMD_I2C_SEND, &w, sizeof(w), NULL),
	    EOK);
	ck_assert_int_eq(devctl(coid, DCMD_I2C_SENDRECV, &wr, sizeof(wr),
			     NULL),
	    EOK);
	ck_assert_int_eq(memcmp(wr.data, "axon", 4), 0);
	/* The data came back over what was sent: the pointer again, then
	 * a plain read goes on from where that one stopped. */
	wr.data[0] = 0x10;
	wr.hdr.recv_len = 2;
	ck_assert_int_eq(devctl(coid, DCMD_I2C_SENDRECV, &wr, sizeof(wr),
			     NULL),
	    EOK);
	ck_assert_int_eq(memcmp(wr.data, "ax", 2), 0);
	ck_assert_int_eq(devctl(coid, DCMD_I2C_RECV, &r, sizeof(r), NULL),
	    EOK);
	ck_assert_int_eq(memcmp(r.data, "on\0", 3), 0);
	ck_assert_int_eq(r.hdr.len, 3); /* the header comes back as sent */
	ck_assert_int_eq(devctl(coid, DCMD_I2C_DRIVER_INFO, &info,
			     sizeof(info), NULL),
	    EOK);
	ck_assert_uint_eq(info.addr_mode, I2C_ADDRFMT_7BIT);
	ck_assert(info.speed_mode & I2C_SPEED_FAST);
	ck_assert_int_eq(devctl(coid, DCMD_I2C_BUS_RESET, NULL, 0, NULL),
	    EOK);
	/* Nobody at 0x51: a NACK; a header that says more than it has. */
	w.hdr.slave.addr = 0x51;
	ck_assert_int_eq(devctl(coid, DCMD_I2C_SEND, &w, sizeof(w), NULL),
	    EIO);
	w.hdr.slave.addr = EEPROM_ADDR;
	w.hdr.len = sizeof(w) - sizeof(w.hdr) + 1;
	ck_assert_int_eq(devctl(coid, DCMD_I2C_SEND, &w, sizeof(w), NULL),
	    EINVAL);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_dcmd_encoding)
{
	/* The documented layout: direction, size, class, command. */
	ck_assert_uint_eq((unsigned) __DIOT(_DCMD_MISC, 1, int),
	    0x80000000u | (4u << 16) | (_DCMD_MISC << 8) | 1u);
	ck_assert_uint_eq((unsigned) __DIOF(_DCMD_MISC, 2, int),
	    0x40000000u | (4u << 16) | (_DCMD_MISC << 8) | 2u);
	ck_assert_uint_eq((unsigned) __DIOTF(_DCMD_CHR, 3, double),
	    0xc0000000u | (8u << 16) | (3u << 8) | 3u);
	ck_assert_uint_eq((unsigned) __DION(_DCMD_MISC, 4),
	    (_DCMD_MISC << 8) | 4u);
	ck_assert_uint_eq(get_device_direction(MY_DEVCTL_SETGET),
	    _POSIX_DEVDIR_TOFROM);
	ck_assert_uint_eq(get_device_direction(MY_DEVCTL_RESET),
	    _POSIX_DEVDIR_NONE);
}
END_TEST

START_TEST(test_directory)
{
	struct axt_child m = axt_spawn(mgr_dir, NULL);
	char buf[32] = {0};
	struct stat st;
	int coid;

	ck_assert_int_ge(m.val, 0);
	for (int i = 0; i < 3; i++) {
		char path[64], want[16];

		snprintf(path, sizeof(path), "/axtest/dir/%c", 'a' + i);
		snprintf(want, sizeof(want), "file %c\n", 'a' + i);
		coid = axon__io_open(path, O_RDONLY, 0);
		ck_assert_int_ge(coid, 0);
		memset(buf, 0, sizeof(buf));
		ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)), 7);
		ck_assert_str_eq(buf, want);
		ck_assert_int_eq(axon__io_stat(coid, &st), 0);
		ck_assert(S_ISREG(st.st_mode));
		ck_assert_int_eq(st.st_ino, i + 2);
		ck_assert_int_eq(axon__io_close(coid), 0);
	}
	/* The mountpoint itself is the directory; names are normalised. */
	coid = axon__io_open("//axtest/./dir/", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_stat(coid, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(axon__io_close(coid), 0);
	ck_assert_int_eq(axon__io_open("/axtest/dir/../dir/b", O_RDONLY, 0) >=
	    0, 1);
	ck_assert_int_eq(axon__io_open("/axtest/dir/d", O_RDONLY, 0), -ENOENT);
	/* A directory cannot be opened for writing. */
	ck_assert_int_eq(axon__io_open("/axtest/dir", O_WRONLY, 0), -EISDIR);
	/* Read-only files refuse root nothing, but writes have no handler:
	 * the default write takes nothing from a file opened read-only. */
	axt_child_kill(&m);
}
END_TEST

/* A client dying in a blocking read releases its OCB. */
static void
dying_reader(int rep, void *arg)
{
	char buf[16];
	int coid = axon__io_open("/dev/axtest/block", O_RDONLY, 0);

	(void) arg;
	axt_report(rep, coid);
	(void) axon__io_read(coid, buf, sizeof(buf)); /* blocks */
	_exit(0);
}

START_TEST(test_client_dies_mid_read)
{
	int p[2];
	struct axt_child m, c;
	int freed = 0;
	char buf[16];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	/* The manager reports OCB frees on the pipe: start it with p[1]. */
	{
		static const char *a[3] = {"/dev/axtest/block", "", "0666"};
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			(void) close(p[0]);
			mgr_device(p[1], (void *) a);
			_exit(0);
		}
		m.pid = pid;
		(void) close(p[1]);
		ck_assert_int_eq(read(p[0], &m.val, sizeof(m.val)),
		    sizeof(m.val));
		ck_assert_int_ge(m.val, 0);
	}
	c = axt_spawn(dying_reader, NULL);
	ck_assert_int_ge(c.val, 0);
	/* It is in its read: REPLY-blocked, asleep (not a fixed delay: on
	 * a loaded machine it may not be there yet). */
	ck_assert(axt_wait_futex(c.pid));
	axt_child_kill(&c);
	/* The disconnect pulse closed its OCB: ocb_free ran. */
	ck_assert_int_eq(read(p[0], &freed, sizeof(freed)), sizeof(freed));
	ck_assert_int_eq(freed, 1000);
	/* And the manager still serves. */
	{
		int w = axon__io_open("/dev/axtest/block", O_RDWR, 0);

		ck_assert_int_ge(w, 0);
		ck_assert_int_eq(axon__io_write(w, "ok", 2), 2);
		ck_assert_int_eq(axon__io_read(w, buf, sizeof(buf)), 2);
		ck_assert_int_eq(axon__io_close(w), 0);
		ck_assert_int_eq(read(p[0], &freed, sizeof(freed)),
		    sizeof(freed));
		ck_assert_int_eq(freed, 1001); /* one read on that OCB */
	}
	(void) close(p[0]);
	axt_child_kill(&m);
}
END_TEST

/* resmgr_detach(): the path goes first (opens go on), then the link,
 * closing its opens; both from inside a handler of the link. */
START_TEST(test_detach)
{
	int p[2], freed = 0, flags;
	struct axt_child m;
	char buf[8];
	int a, b;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	{
		static const char *args[3] = {"/dev/axtest/det", "xy", "0666"};

		m.pid = fork();
		ck_assert_int_ge(m.pid, 0);
		if (m.pid == 0) {
			(void) close(p[0]);
			mgr_device(p[1], (void *) args);
			_exit(0);
		}
		(void) close(p[1]);
		ck_assert_int_eq(read(p[0], &m.val, sizeof(m.val)),
		    sizeof(m.val));
	}
	a = axon__io_open("/dev/axtest/det", O_RDWR, 0);
	b = axon__io_open("/dev/axtest/det", O_RDONLY, 0);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	flags = _RESMGR_DETACH_PATHNAME;
	ck_assert_int_eq(devctl(a, MY_DEVCTL_DETACH, &flags, sizeof(flags),
	    NULL), EOK);
	ck_assert_int_eq(axon__io_open("/dev/axtest/det", O_RDONLY, 0),
	    -ENOENT);
	ck_assert_int_eq(axon__io_read(b, buf, sizeof(buf)), 2); /* goes on */
	ck_assert_int_eq(devctl(a, MY_DEVCTL_DETACH, &flags, sizeof(flags),
	    NULL), EINVAL); /* the path is gone already */
	flags = 0;
	ck_assert_int_eq(devctl(a, MY_DEVCTL_DETACH, &flags, sizeof(flags),
	    NULL), EOK);
	/* Both opens were closed: close_ocb ran for each (b had read). */
	ck_assert_int_eq(read(p[0], &freed, sizeof(freed)), sizeof(freed));
	ck_assert_int_ge(freed, 1000);
	ck_assert_int_eq(read(p[0], &freed, sizeof(freed)), sizeof(freed));
	ck_assert_int_ge(freed, 1000);
	ck_assert_int_eq(axon__io_read(b, buf, sizeof(buf)), -EBADF);
	ck_assert_int_eq(axon__io_read(a, buf, sizeof(buf)), -EBADF);
	(void) axon__io_close(a);
	(void) axon__io_close(b);
	(void) close(p[0]);
	axt_child_kill(&m);
}
END_TEST

/* A reader that times out while the manager holds it: the unblock
 * pulse reaches the manager's unblock handler, whose EINTR ends the
 * read; with the default handler the read waits for the data. */
START_TEST(test_unblock)
{
	struct axt_child m = start_device("/dev/axtest/unblock", "", "0666");
	struct axt_child d = start_device("/dev/axtest/nounblock", "",
	    "0666");
	uint64_t ns = 100000000;
	char buf[16] = {0};
	double t0;
	int coid, w;

	coid = axon__io_open("/dev/axtest/unblock", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY,
	    NULL, &ns, NULL), 0);
	t0 = axt_now();
	ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)), -EINTR);
	/* (Nothing else would end it: the bound is not a measure.) */
	ck_assert_double_lt(axt_now() - t0, 10.0);
	ck_assert_int_eq(axon__io_close(coid), 0);
	/* The default unblock handler leaves the reader to the manager. */
	coid = axon__io_open("/dev/axtest/nounblock", O_RDONLY, 0);
	w = axon__io_open("/dev/axtest/nounblock", O_WRONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_ge(w, 0);
	{
		pid_t writer = fork();

		ck_assert_int_ge(writer, 0);
		if (writer == 0) {
			int ww;

			/* Once the reader is in its read and past its
			 * timeout (on a loaded machine it may not have got
			 * there within any fixed delay). */
			if (!axt_wait_futex(getppid())) {
				_exit(2);
			}
			axt_sleep_ms(400);
			ww = axon__io_open("/dev/axtest/nounblock", O_WRONLY,
			    0);
			_exit(axon__io_write(ww, "late", 4) == 4 ? 0 : 1);
		}
		ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_REPLY, NULL, &ns, NULL), 0);
		t0 = axt_now();
		ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)), 4);
		ck_assert_double_ge(axt_now() - t0, 0.3);
		ck_assert_str_eq(buf, "late");
		int st = -1;

		ck_assert_int_eq(waitpid(writer, &st, 0), writer);
		ck_assert_int_eq(st, 0);
	}
	ck_assert_int_eq(axon__io_close(coid), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
	axt_child_kill(&d);
}
END_TEST

/* Malformed messages get errors and the manager lives on. */
START_TEST(test_malformed)
{
	struct axt_child m = start_device("/dev/axtest/mal", "abc", "0666");
	struct axon_path_match mt[2];
	char norm[PATH_MAX];
	char big[256];
	struct _io_connect *c = (struct _io_connect *) big;
	struct _io_read rd = {.type = _IO_READ, .nbytes = 4};
	uint16_t type;
	int coid, ok;

	ck_assert_int_eq(axon__path_resolve("/dev/axtest/mal", _FTYPE_ANY, 0,
	    mt, 2, norm, sizeof(norm)), 1);
	coid = ConnectAttach(0, mt[0].e.pid, mt[0].e.chid, _NTO_SIDE_CHANNEL,
	    0);
	ck_assert_int_ge(coid, 0);
	/* One byte: not even a type. */
	ck_assert_int_eq(MsgSend(coid, "x", 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* A read header cut short. */
	ck_assert_int_eq(MsgSend(coid, &rd, 4, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* A whole read, but nothing is open on this connection. */
	ck_assert_int_eq(MsgSend(coid, &rd, sizeof(rd), NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	/* A type of the _IO_ range the library has no slot for. */
	type = 0x1f0;
	ck_assert_int_eq(MsgSend(coid, &type, sizeof(type), NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	/* Connects: path_len past the message; no NUL; NUL early; a bad
	 * subtype; an unknown handle; a path on a non-directory. */
	memset(big, 0, sizeof(big));
	c->type = _IO_CONNECT;
	c->subtype = _IO_CONNECT_OPEN;
	c->ioflag = _IO_FLAG_RD;
	c->handle = (uint32_t) mt[0].e.handle;
	c->path_len = 200;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 10, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->path_len = 4;
	memcpy(c->path, "abcd", 4);
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 4, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	memcpy(c->path, "a\0b\0", 4);
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 4, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->path_len = 1;
	c->path[0] = '\0';
	c->subtype = 8;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->subtype = _IO_CONNECT_OPEN;
	c->extra_len = 5; /* with no extra type */
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->extra_len = 0;
	c->handle = 77;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	c->handle = (uint32_t) mt[0].e.handle;
	c->path_len = 2;
	memcpy(c->path, "x", 2);
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 2, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* Combine messages are refused, not misread. */
	c->subtype = _IO_CONNECT_COMBINE_CLOSE;
	c->path_len = 1;
	c->path[0] = '\0';
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	/* A good open on the same connection, then a second one: EBUSY. */
	c->subtype = _IO_CONNECT_OPEN;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), 0);
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EBUSY);
	rd.combine_len = _IO_COMBINE_FLAG | sizeof(rd);
	ck_assert_int_eq(MsgSend(coid, &rd, sizeof(rd), NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	rd.combine_len = 0;
	ok = (int) MsgSend(coid, &rd, sizeof(rd), big, sizeof(big));
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(memcmp(big, "abc", 3), 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	/* Still alive and serving. */
	coid = axon__io_open("/dev/axtest/mal", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_read(coid, big, sizeof(big)), 3);
	ck_assert_int_eq(axon__io_close(coid), 0);
	ck_assert_int_eq(waitpid(m.pid, NULL, WNOHANG), 0);
	axt_child_kill(&m);
}
END_TEST

/* Another user may not open a 0600 device of root's, nor chmod it, nor
 * point the namespace at root's manager. */
static void
attacker(int rep, void *arg)
{
	char *dir = arg;
	char file[PATH_MAX];
	FILE *f;
	int coid;

	axa_become();
	coid = axon__io_open("/dev/axtest/secret", O_RDONLY, 0);
	if (coid != -EACCES) {
		axt_report(rep, 1);
		_exit(1);
	}
	coid = axon__io_open("/dev/axtest/open", O_RDONLY, 0);
	if (coid < 0 || axon__io_chmod(coid, 0777) != -EPERM ||
	    axon__io_chown(coid, getuid(), getgid()) != -EPERM) {
		axt_report(rep, 2);
		_exit(1);
	}
	(void) axon__io_close(coid);
	/* A forged entry naming the root manager's pid and chid for a new
	 * path: the resolver ignores it (its file is not that process's). */
	{
		struct axon_path_match mt[2];
		char norm[PATH_MAX];

		if (axon__path_resolve("/dev/axtest/secret", _FTYPE_ANY, 0,
		    mt, 2, norm, sizeof(norm)) != 1) {
			axt_report(rep, 3);
			_exit(1);
		}
		snprintf(file, sizeof(file), "%s/path/%d.%d", dir,
		    (int) mt[0].e.pid, 9);
		f = fopen(file, "w");
		if (f == NULL) {
			axt_report(rep, 4);
			_exit(1);
		}
		fprintf(f, "axon-path 1 %d %d 9 0 0 %llu 1 /forged\n",
		    (int) mt[0].e.pid, mt[0].e.chid, mt[0].e.start);
		fclose(f);
		if (axon__path_resolve("/forged", _FTYPE_ANY, 0, mt, 2, norm,
		    sizeof(norm)) != 0) {
			axt_report(rep, 5);
			_exit(1);
		}
	}
	axt_report(rep, 0);
	_exit(0);
}

START_TEST(test_permissions_attack)
{
	struct axt_child s, o, a;

	if (!axa_user("test_permissions_attack")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	s = start_device("/dev/axtest/secret", "root only", "0600");
	o = start_device("/dev/axtest/open", "anyone", "0644");
	/* Root reads it. */
	{
		int coid = axon__io_open("/dev/axtest/secret", O_RDONLY, 0);

		ck_assert_int_ge(coid, 0);
		ck_assert_int_eq(axon__io_close(coid), 0);
	}
	a = axt_spawn(attacker, axt_rundir);
	ck_assert_int_eq(a.val, 0);
	(void) axt_child_wait(&a, 5);
	axt_child_kill(&s);
	axt_child_kill(&o);
}
END_TEST

/* _IO_SYNC and _IO_PATHCONF by iofunc_func_init()'s defaults, _IO_SPACE
 * by a manager's io_space over iofunc_space_verify(). */
START_TEST(test_sync_space_pathconf)
{
	struct axt_child m = start_device("/dev/axtest/sp", "0123456789",
	    "0666");
	char buf[64] = {0};
	uint64_t size = 0;
	struct stat st;
	int w, r, n;

	w = axon__io_open("/dev/axtest/sp", O_RDWR, 0);
	r = axon__io_open("/dev/axtest/sp", O_RDONLY, 0);
	n = axon__io_open_ioflag("/dev/axtest/sp", 0, 0); /* no access */
	ck_assert_int_ge(w, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_ge(n, 0);
	/* sync: fsync and fdatasync on any descriptor with access. */
	ck_assert_int_eq(axon__io_sync(w, O_SYNC), 0);
	ck_assert_int_eq(axon__io_sync(w, O_DSYNC), 0);
	ck_assert_int_eq(axon__io_sync(r, O_SYNC), 0);
	ck_assert_int_eq(axon__io_sync(n, O_SYNC), -EBADF);
	ck_assert_int_eq(axon__io_sync(w, O_APPEND), -EINVAL);
	/* space: ftruncate down, up (zero-filled), freeing a middle range,
	 * allocating, whence forms. */
	ck_assert_int_eq(axon__io_space(w, F_FREESP64, SEEK_SET, 4, 0, &size),
	    0);
	ck_assert_int_eq(size, 4);
	ck_assert_int_eq(axon__io_stat(w, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "0123", 4), 0);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_SET, 6, 0, &size),
	    0);
	ck_assert_int_eq(size, 6);
	ck_assert_int_eq(axon__io_lseek(r, 0, SEEK_SET), 0);
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 6);
	ck_assert_int_eq(memcmp(buf, "0123\0\0", 6), 0);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_SET, 1, 2, &size),
	    0);
	ck_assert_int_eq(size, 6);
	ck_assert_int_eq(axon__io_lseek(r, 0, SEEK_SET), 0);
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 6);
	ck_assert_int_eq(memcmp(buf, "0\0\0" "3\0\0", 6), 0);
	ck_assert_int_eq(axon__io_space(w, F_ALLOCSP64, SEEK_END, 0, 10,
	    &size), 0);
	ck_assert_int_eq(size, 16);
	ck_assert_int_eq(axon__io_space(w, F_ALLOCSP, SEEK_SET, 0, 3, &size),
	    0);
	ck_assert_int_eq(size, 16); /* allocating never shrinks */
	ck_assert_int_eq(axon__io_lseek(w, 5, SEEK_SET), 5);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_CUR, 0, 0, &size),
	    0);
	ck_assert_int_eq(size, 5);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_END, -2, 0, NULL),
	    0);
	ck_assert_int_eq(axon__io_stat(r, &st), 0);
	ck_assert_int_eq(st.st_size, 3);
	/* Bad input: unknown subtype or whence, negative start or length,
	 * beyond the device; an open without write access. */
	ck_assert_int_eq(axon__io_space(w, 12, SEEK_SET, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, 7, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_SET, -1, 0, NULL),
	    -EINVAL);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_SET, 0, -1, NULL),
	    -EINVAL);
	ck_assert_int_eq(axon__io_space(w, F_FREESP, SEEK_END, -100, 0, NULL),
	    -EINVAL);
	ck_assert_int_eq(axon__io_space(w, F_ALLOCSP, SEEK_SET, 1 << 20, 0,
	    NULL), -EFBIG);
	ck_assert_int_eq(axon__io_space(r, F_FREESP, SEEK_SET, 0, 0, NULL),
	    -EBADF);
	ck_assert_int_eq(axon__io_space(n, F_FREESP, SEEK_SET, 0, 0, NULL),
	    -EBADF);
	ck_assert_int_eq(axon__io_stat(r, &st), 0);
	ck_assert_int_eq(st.st_size, 3);
	/* pathconf: documented limits; the mount (conf 0) decides the
	 * options; terminal limits are not a device's. */
	ck_assert_int_eq(axon__io_pathconf(r, _PC_NAME_MAX), NAME_MAX);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_PATH_MAX), PATH_MAX);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_LINK_MAX), 1);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_PIPE_BUF), PIPE_BUF);
	ck_assert_int_eq(axon__io_pathconf(n, _PC_FILESIZEBITS), 64);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_CHOWN_RESTRICTED), 0);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_NO_TRUNC), 0);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_SYNC_IO), 0);
	ck_assert_int_eq(axon__io_pathconf(r, _PC_MAX_CANON), -EINVAL);
	ck_assert_int_eq(axon__io_pathconf(r, -1), -EINVAL);
	ck_assert_int_eq(axon__io_pathconf(r, 9999), -EINVAL);
	ck_assert_int_eq(axon__io_close(n), 0);
	ck_assert_int_eq(axon__io_close(r), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	/* A manager that dies: the call fails, nothing hangs. */
	w = axon__io_open("/dev/axtest/sp", O_RDWR, 0);
	ck_assert_int_ge(w, 0);
	axt_child_kill(&m);
	ck_assert_int_lt(axon__io_sync(w, O_SYNC), 0);
	ck_assert_int_lt(axon__io_space(w, F_FREESP, SEEK_SET, 0, 0, NULL),
	    0);
	(void) axon__io_close(w);
}
END_TEST

/* Without the handlers (a manager that clears them; the directory
 * manager has no io_space): ENOSYS, as before the defaults. */
START_TEST(test_sync_space_absent)
{
	struct axt_child m = start_device("/dev/axtest/nosync", "x", "0666");
	struct axt_child d = axt_spawn(mgr_dir, NULL);
	int c;

	ck_assert_int_ge(d.val, 0);
	c = axon__io_open("/dev/axtest/nosync", O_RDWR, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(axon__io_sync(c, O_SYNC), -ENOSYS);
	ck_assert_int_eq(axon__io_pathconf(c, _PC_NAME_MAX), -ENOSYS);
	{
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

		ck_assert_int_eq(axon__io_lock(c, F_SETLK, &fl), -ENOSYS);
	}
	ck_assert_int_eq(axon__io_close(c), 0);
	c = axon__io_open("/axtest/dir/a", O_RDONLY, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(axon__io_space(c, F_FREESP, SEEK_SET, 0, 0, NULL),
	    -ENOSYS);
	ck_assert_int_eq(axon__io_sync(c, O_SYNC), 0); /* the default */
	ck_assert_int_eq(axon__io_close(c), 0);
	axt_child_kill(&d);
	axt_child_kill(&m);
}
END_TEST

/* Another user: a 0644 device of root's may be opened for reading only,
 * and that open may not truncate it; a 0666 one may be. */
static void
space_attacker(int rep, void *arg)
{
	uint64_t size = 0;
	int c;

	(void) arg;
	axa_become();
	if (axon__io_open("/dev/axtest/ro", O_WRONLY, 0) != -EACCES) {
		axt_report(rep, 1);
		_exit(1);
	}
	c = axon__io_open("/dev/axtest/ro", O_RDONLY, 0);
	if (c < 0 || axon__io_space(c, F_FREESP64, SEEK_SET, 0, 0, NULL) !=
	    -EBADF || axon__io_sync(c, O_SYNC) != 0) {
		axt_report(rep, 2);
		_exit(1);
	}
	(void) axon__io_close(c);
	c = axon__io_open("/dev/axtest/rw", O_WRONLY, 0);
	if (c < 0 || axon__io_space(c, F_FREESP64, SEEK_SET, 2, 0, &size) !=
	    0 || size != 2) {
		axt_report(rep, 3);
		_exit(1);
	}
	(void) axon__io_close(c);
	axt_report(rep, 0);
	_exit(0);
}

START_TEST(test_space_attack)
{
	struct axt_child ro, rw, a;
	struct stat st;
	int c;

	if (!axa_user("test_space_attack")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ro = start_device("/dev/axtest/ro", "keep me", "0644");
	rw = start_device("/dev/axtest/rw", "anyone", "0666");
	a = axt_spawn(space_attacker, NULL);
	ck_assert_int_eq(a.val, 0);
	(void) axt_child_wait(&a, 5);
	c = axon__io_open("/dev/axtest/ro", O_RDONLY, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(axon__io_stat(c, &st), 0);
	ck_assert_int_eq(st.st_size, 7); /* untouched */
	ck_assert_int_eq(axon__io_close(c), 0);
	c = axon__io_open("/dev/axtest/rw", O_RDONLY, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(axon__io_stat(c, &st), 0);
	ck_assert_int_eq(st.st_size, 2);
	ck_assert_int_eq(axon__io_close(c), 0);
	axt_child_kill(&ro);
	axt_child_kill(&rw);
}
END_TEST

/* ---- A client in many groups ---------------------------------------- */

/*
 * A user made for the test in MG_N supplementary groups, made for it too:
 * the one with the highest gid comes after the first __NGROUPS_MAX in
 * the sorted list the kernel shows, which is all a struct _client_info
 * holds.
 */
#define MG_N 10

struct mg_users {
	char user[32];
	char grp[MG_N][32];
	gid_t top; /* the highest of the groups */
	bool made_user;
	bool made_grp[MG_N];
};

static int
mg_run(const char *cmd)
{
	int st = system(cmd);

	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
mg_remove(struct mg_users *m)
{
	char cmd[512];

	if (m->made_user) {
		snprintf(cmd, sizeof(cmd), "userdel %s >/dev/null 2>&1",
		    m->user);
		(void) mg_run(cmd);
	}
	for (int i = 0; i < MG_N; i++) {
		if (m->made_grp[i]) {
			snprintf(cmd, sizeof(cmd),
			    "groupdel %s >/dev/null 2>&1", m->grp[i]);
			(void) mg_run(cmd);
		}
	}
}

static bool
mg_make(struct mg_users *m)
{
	char cmd[1024];
	char list[MG_N * 32];
	size_t at = 0;

	memset(m, 0, sizeof(*m));
	snprintf(m->user, sizeof(m->user), "axmg%d", (int) getpid());
	for (int i = 0; i < MG_N; i++) {
		struct group *gr;

		snprintf(m->grp[i], sizeof(m->grp[i]), "axmg%d%c",
		    (int) getpid(), 'a' + i);
		snprintf(cmd, sizeof(cmd), "groupadd %s >/dev/null 2>&1",
		    m->grp[i]);
		if (mg_run(cmd) < 0 || (gr = getgrnam(m->grp[i])) == NULL) {
			return false;
		}
		m->made_grp[i] = true;
		if (gr->gr_gid > m->top) {
			m->top = gr->gr_gid;
		}
		at += (size_t) snprintf(list + at, sizeof(list) - at, "%s%s",
		    i > 0 ? "," : "", m->grp[i]);
	}
	snprintf(cmd, sizeof(cmd),
	    "useradd --no-create-home --no-user-group --gid %s --groups %s "
	    "--shell /usr/sbin/nologin %s >/dev/null 2>&1",
	    m->grp[0], list, m->user);
	if (mg_run(cmd) < 0 || getpwnam(m->user) == NULL) {
		return false;
	}
	m->made_user = true;
	return true;
}

/* The member of the MG_N groups, as login makes it (initgroups). */
static void
mg_member(int rep, void *arg)
{
	struct mg_users *m = arg;
	struct passwd *pw = getpwnam(m->user);
	struct my_groups g;
	gid_t list[64];
	char buf[16];
	iov_t iov;
	int n;
	int c;

	if (pw == NULL || initgroups(m->user, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		axt_report(rep, 98);
		_exit(1);
	}
	/* The group is past the first __NGROUPS_MAX the kernel lists. */
	n = getgroups(64, list);
	if (n < MG_N || n <= __NGROUPS_MAX) {
		axt_report(rep, 1);
		_exit(1);
	}
	/* Its group may read a 0640 device. */
	c = axon__io_open("/dev/axtest/mg640", O_RDONLY, 0);
	if (c < 0 || axon__io_read(c, buf, sizeof(buf)) != 3 ||
	    memcmp(buf, "ten", 3) != 0) {
		axt_report(rep, 2);
		_exit(1);
	}
	/* ... and not write it. */
	if (axon__io_open("/dev/axtest/mg640", O_WRONLY, 0) != -EACCES) {
		axt_report(rep, 3);
		_exit(1);
	}
	/* The manager sees every group (iofunc_client_info_ext). */
	SETIOV(&iov, &g, sizeof(g));
	memset(&g, 0xff, sizeof(g));
	if (axon__io_devctl(c, MY_DEVCTL_GROUPS, &iov, 1, &iov, 1, NULL) !=
	    0 || g.err != 0 || g.pid != getpid() ||
	    g.ngroups != (uint32_t) n) {
		axt_report(rep, 4);
		_exit(1);
	}
	for (int i = 0; i < n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < g.ngroups; j++) {
			seen = seen || g.groups[j] == list[i];
		}
		if (!seen) {
			axt_report(rep, 5);
			_exit(1);
		}
	}
	/* A handler's own checks with a plain _client_info (ngroups says
	 * more than its grouplist holds): iofunc_devctl_verify(). */
	if (set_checks(c, _IO_DEVCTL_VERIFY_ACC_ISGID |
	    _IO_DEVCTL_VERIFY_ACC_IREAD) != EOK || reset(c) != EOK ||
	    set_checks(c, _IO_DEVCTL_VERIFY_ACC_IWRITE) != EOK ||
	    reset(c) != EACCES || set_checks(c, 0) != EOK) {
		axt_report(rep, 7);
		_exit(1);
	}
	(void) axon__io_close(c);
	/* A 0604 device of its group is closed to it, though open to
	 * others: the group's bits are the member's, all members'. */
	if (axon__io_open("/dev/axtest/mg604", O_RDONLY, 0) != -EACCES) {
		axt_report(rep, 6);
		_exit(1);
	}
	c = axon__io_open_ioflag("/dev/axtest/mg604", 0, 0);
	if (c < 0 || set_checks(c, _IO_DEVCTL_VERIFY_ACC_IREAD) != EOK ||
	    reset(c) != EACCES) {
		axt_report(rep, 8);
		_exit(1);
	}
	(void) axon__io_close(c);
	axt_report(rep, 0);
	_exit(0);
}

/* Another user, in none of the groups. */
static void
mg_other(int rep, void *arg)
{
	int c;

	(void) arg;
	axa_become();
	if (axon__io_open("/dev/axtest/mg640", O_RDONLY, 0) != -EACCES) {
		axt_report(rep, 1);
		_exit(1);
	}
	c = axon__io_open("/dev/axtest/mg604", O_RDONLY, 0);
	if (c < 0) {
		axt_report(rep, 2);
		_exit(1);
	}
	(void) axon__io_close(c);
	axt_report(rep, 0);
	_exit(0);
}

/* The group's owner: root gives the device to group gid. */
static int
mg_give(const char *path, gid_t gid)
{
	int c = axon__io_open(path, O_RDONLY, 0);
	int rc;

	if (c < 0) {
		return c;
	}
	rc = axon__io_chown(c, 0, gid);
	(void) axon__io_close(c);
	return rc;
}

START_TEST(test_many_groups_attack)
{
	struct axt_child d640, d604, mem, oth;
	struct mg_users m;
	int give640, give604;
	bool made;

	if (!axa_user("test_many_groups_attack")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	d640 = start_device("/dev/axtest/mg640", "ten", "0640");
	d604 = start_device("/dev/axtest/mg604", "ten", "0604");
	made = mg_make(&m);
	if (!made) {
		mg_remove(&m);
		axt_child_kill(&d640);
		axt_child_kill(&d604);
		fprintf(stderr, "test_many_groups_attack: skipped: cannot "
			"make users and groups (groupadd, useradd)\n");
		return;
	}
	give640 = mg_give("/dev/axtest/mg640", m.top);
	give604 = mg_give("/dev/axtest/mg604", m.top);
	mem = axt_spawn(mg_member, &m);
	(void) axt_child_wait(&mem, 10);
	oth = axt_spawn(mg_other, NULL);
	(void) axt_child_wait(&oth, 10);
	axt_child_kill(&d640);
	axt_child_kill(&d604);
	/* Cleaned up before any assertion can end the test. */
	mg_remove(&m);
	ck_assert_int_eq(give640, 0);
	ck_assert_int_eq(give604, 0);
	ck_assert_int_eq(mem.val, 0);
	ck_assert_int_eq(oth.val, 0);
	ck_assert_ptr_null(getpwnam(m.user));
}
END_TEST

/* A second process's view of the record locks: the parent holds a
 * write lock over [0, 10). */
static struct flock
lk(short type, short whence, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = whence,
	    .l_start = start, .l_len = len};

	return fl;
}

static void
lock_child(int rep, void *arg)
{
	struct flock fl;
	int c = axon__io_open("/dev/axtest/lk", O_RDWR, 0);

	(void) arg;
	fl = lk(F_WRLCK, SEEK_SET, 5, 1);
	if (c < 0 || axon__io_lock(c, F_SETLK, &fl) != -EAGAIN) {
		axt_report(rep, 1);
		_exit(1);
	}
	fl = lk(F_WRLCK, SEEK_SET, 0, 100);
	if (axon__io_lock(c, F_GETLK, &fl) != 0 || fl.l_type != F_WRLCK ||
	    fl.l_start != 0 || fl.l_len != 10 || fl.l_pid != getppid()) {
		axt_report(rep, 2);
		_exit(1);
	}
	fl = lk(F_RDLCK, SEEK_SET, 20, 5);
	if (axon__io_lock(c, F_SETLK, &fl) != 0) {
		axt_report(rep, 3);
		_exit(1);
	}
	axt_report(rep, 0);
	/* Waits for the parent's lock to go. */
	fl = lk(F_WRLCK, SEEK_SET, 0, 1);
	_exit(axon__io_lock(c, F_SETLKW, &fl) == 0 ? 0 : 4);
}

static void
on_alarm(int sig)
{
	(void) sig;
}

/* F_SETLKW interrupted by a signal: EINTR (the unblock). */
static void
lock_child_intr(int rep, void *arg)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct flock fl = lk(F_WRLCK, SEEK_SET, 0, 0);
	int c = axon__io_open("/dev/axtest/lk", O_RDWR, 0);

	(void) arg;
	(void) sigaction(SIGALRM, &sa, NULL);
	axt_report(rep, c >= 0 ? 0 : 1);
	(void) alarm(1);
	_exit(axon__io_lock(c, F_SETLKW, &fl) == -EINTR ? 0 : 5);
}

/* The waiting process's locks are gone once it is: polled (the manager
 * takes the disconnect in its own time). */
static bool
unlocked_within(int coid, struct flock want, double s)
{
	double end = axt_now() + s;

	while (axt_now() < end) {
		struct flock fl = want;

		if (axon__io_lock(coid, F_GETLK, &fl) == 0 &&
		    fl.l_type == F_UNLCK) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return false;
}

/* _IO_LOCK by iofunc_lock_default: POSIX record locks between
 * processes, F_SETLKW waiting and granted, interrupted, and a dead
 * holder's locks released. */
START_TEST(test_record_locks)
{
	struct axt_child m = start_device("/dev/axtest/lk", "0123456789",
	    "0666");
	struct axt_child c;
	struct flock fl;
	int w, r, wo, st;

	w = axon__io_open("/dev/axtest/lk", O_RDWR, 0);
	r = axon__io_open("/dev/axtest/lk", O_RDONLY, 0);
	wo = axon__io_open("/dev/axtest/lk", O_WRONLY, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_ge(wo, 0);
	fl = lk(F_WRLCK, SEEK_SET, 0, 10);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), 0);
	/* One's own locks never conflict. */
	fl = lk(F_WRLCK, SEEK_SET, 0, 0);
	ck_assert_int_eq(axon__io_lock(w, F_GETLK, &fl), 0);
	ck_assert_int_eq(fl.l_type, F_UNLCK);
	/* Bad input, and the access the lock type needs. */
	fl = lk(99, SEEK_SET, 0, 1);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), -EINVAL);
	fl = lk(F_RDLCK, 9, 0, 1);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), -EINVAL);
	fl = lk(F_RDLCK, SEEK_SET, -1, 1);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), -EINVAL);
	fl = lk(F_RDLCK, SEEK_SET, 0, 1);
	ck_assert_int_eq(axon__io_lock(w, 99, &fl), -EINVAL);
	fl = lk(F_UNLCK, SEEK_SET, 0, 1);
	ck_assert_int_eq(axon__io_lock(w, F_GETLK, &fl), -EINVAL);
	fl = lk(F_WRLCK, SEEK_SET, 0, 1);
	ck_assert_int_eq(axon__io_lock(r, F_SETLK, &fl), -EBADF);
	fl = lk(F_RDLCK, SEEK_SET, 0, 1);
	ck_assert_int_eq(axon__io_lock(wo, F_SETLK, &fl), -EBADF);
	/* Another process: conflicts, F_GETLK, a shared read lock, then a
	 * wait granted when the lock goes. */
	c = axt_spawn(lock_child, NULL);
	ck_assert_int_eq(c.val, 0);
	fl = lk(F_WRLCK, SEEK_END, 10, 5); /* [20, 25): the child's */
	ck_assert_int_eq(axon__io_lock(w, F_GETLK, &fl), 0);
	ck_assert_int_eq(fl.l_type, F_RDLCK);
	ck_assert_int_eq(fl.l_start, 20);
	ck_assert_int_eq(fl.l_len, 5);
	ck_assert_int_eq(fl.l_pid, c.pid);
	fl = lk(F_RDLCK, SEEK_SET, 22, 1);
	ck_assert_int_eq(axon__io_lock(r, F_SETLK, &fl), 0); /* shared */
	fl = lk(F_WRLCK, SEEK_SET, 22, 1);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), -EAGAIN);
	/* Unlocking the middle splits: [0, 3) and [4, 10) still held. */
	fl = lk(F_UNLCK, SEEK_SET, 3, 1);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), 0);
	fl = lk(F_UNLCK, SEEK_SET, 4, 0);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), 0);
	/* [0, 3) still held: the child still waits. */
	axt_sleep_ms(100);
	ck_assert_int_eq(waitpid(c.pid, &st, WNOHANG), 0);
	fl = lk(F_UNLCK, SEEK_SET, 0, 0);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), 0);
	st = axt_child_wait(&c, 10);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* It died holding [0, 1) and [20, 25): they went with it. */
	ck_assert(unlocked_within(w, lk(F_WRLCK, SEEK_SET, 0, 0), 10));
	/* A waiter a signal interrupts gets EINTR, and waits no more. */
	fl = lk(F_WRLCK, SEEK_SET, 0, 10);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), 0);
	c = axt_spawn(lock_child_intr, NULL);
	ck_assert_int_eq(c.val, 0);
	st = axt_child_wait(&c, 10);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fl = lk(F_UNLCK, SEEK_SET, 0, 0);
	ck_assert_int_eq(axon__io_lock(w, F_SETLK, &fl), 0);
	ck_assert_int_eq(axon__io_close(wo), 0);
	ck_assert_int_eq(axon__io_close(r), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_resolver)
{
	struct axon_path_match mt[8];
	char norm[PATH_MAX];
	dispatch_t *d1 = dispatch_create();
	resmgr_connect_funcs_t cf;
	resmgr_io_funcs_t iof;
	iofunc_attr_t at;
	int a, b, c, e, n;
	char junk[PATH_MAX];
	FILE *f;

	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cf, _RESMGR_IO_NFUNCS, &iof);
	iofunc_attr_init(&at, S_IFDIR | 0755, NULL, NULL);
	ck_assert_ptr_nonnull(d1);
	a = resmgr_attach(d1, NULL, "/r", _FTYPE_ANY, _RESMGR_FLAG_DIR, &cf,
	    &iof, (void *) &at);
	b = resmgr_attach(d1, NULL, "/r/x", _FTYPE_ANY, _RESMGR_FLAG_DIR, &cf,
	    &iof, (void *) &at);
	c = resmgr_attach(d1, NULL, "/r/x", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR | _RESMGR_FLAG_AFTER, &cf, &iof, (void *) &at);
	e = resmgr_attach(d1, NULL, "/r/x", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR | _RESMGR_FLAG_BEFORE, &cf, &iof, (void *) &at);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_ge(e, 0);
	/* Longest prefix first; at one mountpoint BEFORE, plain, AFTER. */
	n = axon__path_resolve("/r/x/y/z", _FTYPE_ANY, 0, mt, 8, norm,
	    sizeof(norm));
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(mt[0].e.handle, e);
	ck_assert_int_eq(mt[1].e.handle, b);
	ck_assert_int_eq(mt[2].e.handle, c);
	ck_assert_int_eq(mt[3].e.handle, a);
	ck_assert_str_eq(mt[0].rest, "y/z");
	ck_assert_str_eq(mt[3].rest, "x/y/z");
	ck_assert_int_eq(mt[0].e.pid, getpid());
	ck_assert_int_eq(mt[0].e.chid, d1->chid);
	/* Our own entries are skipped for ourselves (no _RESMGR_FLAG_SELF). */
	ck_assert_int_eq(axon__path_resolve("/r/x", _FTYPE_ANY, getpid(), mt,
	    8, norm, sizeof(norm)), 0);
	/* Type matching: FTYPEONLY managers only see their type. */
	ck_assert_int_eq(resmgr_detach(d1, e, 0), 0);
	ck_assert_int_eq(resmgr_detach(d1, e, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(resmgr_attach(d1, NULL, "/q", _FTYPE_NAME,
	    _RESMGR_FLAG_FTYPEONLY, &cf, &iof, (void *) &at), e);
	ck_assert_int_eq(axon__path_resolve("/q", _FTYPE_ANY, 0, mt, 8, norm,
	    sizeof(norm)), 0);
	ck_assert_int_eq(axon__path_resolve("/q", _FTYPE_NAME, 0, mt, 8, norm,
	    sizeof(norm)), 1);
	/* Garbage and entries of dead processes are ignored. */
	snprintf(junk, sizeof(junk), "%s/path/1.1", axt_rundir);
	f = fopen(junk, "w");
	fprintf(f, "axon-path 1 1 0 1 4 0 1 1 /r\n"); /* init: wrong start */
	fclose(f);
	snprintf(junk, sizeof(junk), "%s/path/junk", axt_rundir);
	f = fopen(junk, "w");
	fprintf(f, "garbage\n");
	fclose(f);
	snprintf(junk, sizeof(junk), "%s/path/%d.50", axt_rundir, getpid());
	f = fopen(junk, "w");
	fprintf(f, "axon-path 1 %d 0 51 4 0 1 1 /r\n", getpid());
	fclose(f);
	n = axon__path_resolve("/r/k", _FTYPE_ANY, 0, mt, 8, norm,
	    sizeof(norm));
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(mt[0].e.handle, a);
	/* Relative and over-long paths. */
	ck_assert_int_eq(axon__path_resolve("r", _FTYPE_ANY, 0, mt, 8, norm,
	    sizeof(norm)), -EINVAL);
	ck_assert_int_eq(axon__path_norm("/a/../../b/./c//", norm,
	    sizeof(norm)), 0);
	ck_assert_str_eq(norm, "/b/c");
	ck_assert_int_eq(axon__path_norm("/abc", norm, 3), -ENAMETOOLONG);
	/* dispatch_destroy takes every entry away. */
	ck_assert_int_eq(dispatch_destroy(d1), 0);
	ck_assert_int_eq(axon__path_resolve("/r/x", _FTYPE_ANY, 0, mt, 8,
	    norm, sizeof(norm)), 0);
}
END_TEST

/* ---- Dispatch API errors ------------------------------------------- */

static int
msg_handler(message_context_t *ctp, int code, unsigned flags, void *handle)
{
	return 0;
}

START_TEST(test_dispatch_errors)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	message_attr_t ma = {0};
	resmgr_connect_funcs_t cf;
	resmgr_io_funcs_t iof;
	int code, p[2];

	ck_assert_ptr_nonnull(dpp);
	/* Nothing attached: no context. */
	ck_assert_ptr_null(dispatch_context_alloc(dpp));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(dispatch_create_channel(-2, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(message_attach(dpp, NULL, 0x5000, 0x4000,
	    msg_handler, NULL), -1);
	ck_assert_int_eq(message_attach(dpp, NULL, 0x5000, 0x50ff,
	    msg_handler, NULL), 0);
	ck_assert_int_eq(message_attach(dpp, NULL, 0x5080, 0x5100,
	    msg_handler, NULL), -1); /* overlaps */
	ck_assert_int_eq(errno, EINVAL);
	code = pulse_attach(dpp, MSG_FLAG_ALLOC_PULSE, 0, msg_handler, NULL);
	ck_assert_int_eq(code, _PULSE_CODE_MINAVAIL);
	ck_assert_int_eq(pulse_attach(dpp, 0, code, msg_handler, NULL), -1);
	ck_assert_int_eq(pulse_attach(dpp, 0, 300, msg_handler, NULL), -1);
	ck_assert_int_eq(pulse_attach(dpp, 0, _PULSE_CODE_UNBLOCK, msg_handler,
	    NULL), _PULSE_CODE_UNBLOCK);
	/* The resmgr layer wants UNBLOCK for itself. */
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cf, _RESMGR_IO_NFUNCS, &iof);
	ck_assert_int_eq(resmgr_attach(dpp, NULL, "/e", _FTYPE_ANY, 0, &cf,
	    &iof, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pulse_detach(dpp, _PULSE_CODE_UNBLOCK, 0), 0);
	ck_assert_int_eq(pulse_detach(dpp, _PULSE_CODE_UNBLOCK, 0), -1);
	ck_assert_int_ge(resmgr_attach(dpp, NULL, "/e", _FTYPE_ANY, 0, &cf,
	    &iof, NULL), 0);
	ck_assert_int_eq(pulse_attach(dpp, 0, _PULSE_CODE_DISCONNECT,
	    msg_handler, NULL), -1);
	ck_assert_int_eq(resmgr_attach(dpp, NULL, "/e", _FTYPE_ANY, 0x80000,
	    &cf, &iof, NULL), -1);
	ck_assert_int_eq(select_attach(dpp, NULL, 9999, SELECT_FLAG_READ,
	    (int (*)(select_context_t *, int, unsigned, void *)) msg_handler,
	    NULL), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(select_attach(dpp, NULL, p[0], 0,
	    (int (*)(select_context_t *, int, unsigned, void *)) msg_handler,
	    NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ctp = dispatch_context_alloc(dpp);
	ck_assert_ptr_nonnull(ctp);
	/* Contexts exist: nothing may ask for bigger ones now. */
	ma.msg_max_size = 1 << 20;
	ck_assert_int_eq(message_attach(dpp, &ma, 0x6000, 0x6001, msg_handler,
	    NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(message_detach(dpp, 0x5000, 0x50ff, 0), 0);
	ck_assert_int_eq(message_detach(dpp, 0x5000, 0x50ff, 0), -1);
	ck_assert_int_eq(dispatch_timeout(dpp, &(struct timespec){0, -1}), -1);
	ck_assert_ptr_null(dispatch_block(NULL));
	ck_assert_int_eq(errno, EFAULT);
	/* A timeout: dispatch_block returns with rcvid -1. */
	ck_assert_int_eq(dispatch_timeout(dpp,
	    &(struct timespec){0, 20000000}), 0);
	ck_assert_ptr_eq(dispatch_block(ctp), ctp);
	ck_assert_int_eq(ctp->resmgr_context.rcvid, -1);
	ck_assert_int_eq(dispatch_handler(ctp), 0);
	dispatch_context_free(ctp);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
	ck_assert_int_eq(dispatch_destroy(NULL), -1);
	close(p[0]);
	close(p[1]);
}
END_TEST


/*
 * An alias (iodirect.h): a second connection bound to an open's OCB by
 * a grant and _IO_DUP.  Same OCB (its offset) both ways; the alias's
 * close keeps the OCB; the open's close closes it once and drops the
 * alias; a grant for another pid, a spent or garbled token, a dup that
 * is not Axon's, malformed grants: refused.
 */
static int
alias_int(int coid, int dcmd)
{
	int v = -1;
	iov_t iov;
	int rc;

	SETIOV(&iov, &v, sizeof(v));
	rc = axon__io_devctl(coid, dcmd, &iov, 1, &iov, 1, NULL);
	return rc == 0 ? v : rc;
}

START_TEST(test_alias)
{
	struct axt_child m = start_device("/dev/axtest/alias", "0123456789",
	    "0666");
	uint8_t tok[16];
	pid_t mp;
	int o, o2, a, ch;
	char buf[8];

	o = axon__io_open("/dev/axtest/alias", O_RDWR, 0);
	ck_assert_int_gt(o, 0);
	ck_assert_int_eq(axon__io_grant(o, getpid(), tok, &mp, &ch), 0);
	ck_assert_int_eq(mp, m.pid);
	a = axon__io_dup_token(mp, ch, tok);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(axon__io_dup_token(mp, ch, tok), -EPERM); /* spent */
	ck_assert_int_eq(alias_int(a, MY_DEVCTL_OCBS), 1);
	ck_assert_int_eq(axon__io_read(o, buf, 3), 3);
	ck_assert_int_eq(alias_int(a, MY_DEVCTL_OFFSET), 3);
	ck_assert_int_eq(axon__io_read(a, buf, 2), 2);
	ck_assert_int_eq(memcmp(buf, "34", 2), 0);
	ck_assert_int_eq(alias_int(o, MY_DEVCTL_OFFSET), 5);
	/* An alias grants nothing; its close is its own. */
	ck_assert_int_eq(axon__io_grant(a, getpid(), tok, &mp, &ch), -EPERM);
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(alias_int(o, MY_DEVCTL_OCBS), 1);
	ck_assert_int_eq(alias_int(o, MY_DEVCTL_OFFSET), 5);
	/* A grant for another process: not ours to redeem. */
	ck_assert_int_eq(axon__io_grant(o, getppid(), tok, &mp, &ch), 0);
	ck_assert_int_eq(axon__io_dup_token(mp, ch, tok), -EPERM);
	/* Garbled: one bit off. */
	ck_assert_int_eq(axon__io_grant(o, getpid(), tok, &mp, &ch), 0);
	tok[7] ^= 1;
	ck_assert_int_eq(axon__io_dup_token(mp, ch, tok), -EPERM);
	tok[7] ^= 1;
	/* (A wrong token spends nothing: the right one still works.) */
	a = axon__io_dup_token(mp, ch, tok);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(alias_int(a, MY_DEVCTL_OFFSET), 5);
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(alias_int(o, MY_DEVCTL_OCBS), 1);
	/* Malformed grants, a dup that is not Axon's, another mgrid. */
	{
		struct axon_io_grant g = {.hdr = {.type = _IO_MSG,
			.mgrid = AXON_IOMGR_DIRECT,
			.subtype = AXON_IOMSG_GRANT},
		    .magic = AXON_GRANT_MAGIC, .pid = 0};
		struct axon_io_dup d = {.hdr = {.type = _IO_DUP, .key = 1}};
		int c;

		ck_assert_int_eq(MsgSend_r(o, &g, sizeof(g), tok, sizeof(tok)),
		    -EINVAL);
		g.pid = getpid();
		g.magic = 0;
		ck_assert_int_eq(MsgSend_r(o, &g, sizeof(g), tok, sizeof(tok)),
		    -EINVAL);
		g.magic = AXON_GRANT_MAGIC;
		ck_assert_int_eq(MsgSend_r(o, &g, sizeof(g.hdr), tok,
		    sizeof(tok)), -EINVAL); /* short */
		g.hdr.mgrid = 0x1234;
		ck_assert_int_eq(MsgSend_r(o, &g, sizeof(g), tok, sizeof(tok)),
		    -ENOSYS); /* the manager's io_msg: none */
		c = ConnectAttach_r(0, mp, ch, _NTO_SIDE_CHANNEL, 0);
		ck_assert_int_gt(c, 0);
		ck_assert_int_eq(MsgSend_r(c, &d, sizeof(d), NULL, 0), -EBADF);
		d.hdr.key = AXON_DUP_KEY;
		ck_assert_int_eq(MsgSend_r(c, &d, sizeof(d.hdr), NULL, 0),
		    -EBADF); /* no token */
		ck_assert_int_eq(ConnectDetach_r(c), 0);
	}
	/* The open's close: the OCB goes, once, and the alias with it. */
	o2 = axon__io_open("/dev/axtest/alias", O_RDONLY, 0);
	ck_assert_int_gt(o2, 0);
	ck_assert_int_eq(axon__io_grant(o, getpid(), tok, &mp, &ch), 0);
	a = axon__io_dup_token(mp, ch, tok);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(alias_int(o2, MY_DEVCTL_OCBS), 2);
	ck_assert_int_eq(axon__io_close(o), 0);
	ck_assert_int_eq(alias_int(o2, MY_DEVCTL_OCBS), 1);
	ck_assert_int_eq(alias_int(a, MY_DEVCTL_OCBS), -EBADF);
	ck_assert_int_eq(axon__io_close(a), -EBADF);
	ck_assert_int_eq(axon__io_close(o2), 0);
	axt_child_kill(&m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Notification: ionotify() and iofunc_notify()                       */
/* ------------------------------------------------------------------ */

#define NOTIFY_CODE 5

/* A notification's pulse on chid within 10 s: its value, or -errno. */
static int
notify_wait(int chid)
{
	return pulse_wait(chid, NOTIFY_CODE);
}

#define notify_none pulse_none

static int
notify_armed(int coid)
{
	int armed = -1;

	ck_assert_int_eq(devctl(coid, MY_DEVCTL_ARMED, &armed, sizeof(armed),
	    NULL), EOK);
	return armed;
}

START_TEST(test_notify)
{
	struct axt_child m = start_device("/dev/axtest/notify", "", "0666");
	const int both = _NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT;
	struct sigevent ev;
	char buf[16];
	int chid, self, r, w;

	/* A value's conditions and the rest of it are apart. */
	ck_assert_uint_eq(_NOTIFY_DATA_MASK & _NOTIFY_COND_MASK, 0);
	ck_assert_uint_eq(_NOTIFY_DATA_MASK | _NOTIFY_COND_MASK, 0xffffffffu);

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 42);
	r = axon__io_open("/dev/axtest/notify", O_RDONLY, 0);
	w = axon__io_open("/dev/axtest/notify", O_WRONLY, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_ge(w, 0);

	/* POLL: output only (nothing written), nothing armed. */
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLL, both, &ev),
	    _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(notify_armed(r), 0);
	/* POLLARM on input: not met, armed; a write fires it, once. */
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(notify_armed(r), 1);
	notify_none(chid);
	ck_assert_int_eq(axon__io_write(w, "data", 4), 4);
	ck_assert_int_eq(notify_wait(chid), 42);
	ck_assert_int_eq(notify_armed(r), 0);
	ck_assert_int_eq(axon__io_write(w, "more", 4), 4);
	notify_none(chid);
	/* Met now: POLLARM answers so and arms nothing. */
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLLARM, both, &ev), both);
	ck_assert_int_eq(notify_armed(r), 0);
	/* TRANARM arms whatever holds: the next write fires it. */
	ck_assert_int_ge(ionotify(r, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(notify_armed(r), 1);
	ck_assert_int_eq(axon__io_write(w, "x", 1), 1);
	ck_assert_int_eq(notify_wait(chid), 42);
	/* Read all: input no longer met; re-arm twice = one entry; a NULL
	 * event disarms. */
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 1);
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLL, both, NULL),
	    _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_CONDARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, NULL), 0);
	ck_assert_int_eq(notify_armed(r), 0);
	/* Disarming works whatever holds (here output, asked with it). */
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(notify_armed(r), 1);
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLLARM, both, NULL),
	    _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(notify_armed(r), 0);
	ck_assert_int_eq(axon__io_write(w, "y", 1), 1);
	notify_none(chid);
	/* A signal as the event (SIGUSR1, blocked: taken with sigtimedwait). */
	{
		struct sigevent sev;
		sigset_t set;
		struct timespec ts = {10, 0};

		/* ("y" replaced "x" at the offset read: no input.) */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
		SIGEV_SIGNAL_INIT(&sev, SIGUSR1);
		ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLLARM,
		    _NOTIFY_COND_INPUT, &sev), 0);
		ck_assert_int_eq(axon__io_write(w, "z", 1), 1);
		ck_assert_int_eq(sigtimedwait(&set, NULL, &ts), SIGUSR1);
		ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
	}
	ck_assert_int_eq(axon__io_close(r), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

/* The lists themselves: entries of two clients (fake ctps: their
 * rcvids name nobody, so a delivery fails and only disarms), a strict
 * trigger takes only its client's, one with no ctp everyone's, one
 * under the count nobody's; bad lists are ignored. */
START_TEST(test_notify_trigger_strict_lists)
{
	iofunc_notify_t nop[IOFUNC_NOTIFY_NCOND];
	resmgr_context_t ctx1, c2, *c1 = &ctx1;
	io_notify_t msg;
	int armed;

	memset(&ctx1, 0, sizeof(ctx1));
	c1->rcvid = -1;
	c1->info.scoid = 1;
	c1->info.coid = 1;
	c2 = *c1;
	c2.info.coid = 2; /* the same process's other open */
	memset(nop, 0, sizeof(nop));
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 2; i++) {
			memset(&msg, 0, sizeof(msg));
			msg.i.type = _IO_NOTIFY;
			msg.i.action = _NOTIFY_ACTION_TRANARM;
			msg.i.flags = _NOTIFY_COND_INPUT;
			SIGEV_UNBLOCK_INIT(&msg.i.event);
			ck_assert_int_eq(iofunc_notify(i == 0 ? c1 : &c2, &msg,
			    nop, 0, NULL, &armed), _RESMGR_NPARTS(1));
			ck_assert_int_eq(armed, 1);
		}
		if (round == 1) {
			/* No ctp: everyone's. */
			iofunc_notify_trigger_strict(NULL, nop, 1,
			    IOFUNC_NOTIFY_INPUT);
			ck_assert_ptr_null(nop[IOFUNC_NOTIFY_INPUT].list);
			ck_assert_int_eq(nop[IOFUNC_NOTIFY_INPUT].cnt, 0);
			break;
		}
		/* Under the count (1 unit each), another list: nobody's. */
		iofunc_notify_trigger_strict(NULL, nop, 0, IOFUNC_NOTIFY_INPUT);
		iofunc_notify_trigger_strict(&c2, nop, 1, IOFUNC_NOTIFY_OUTPUT);
		/* c1's only: c2's stays, and is all that stays. */
		iofunc_notify_trigger_strict(c1, nop, 1, IOFUNC_NOTIFY_INPUT);
		ck_assert_ptr_nonnull(nop[IOFUNC_NOTIFY_INPUT].list);
		iofunc_notify_remove(&c2, nop);
		ck_assert_ptr_null(nop[IOFUNC_NOTIFY_INPUT].list);
	}
	/* Bad lists and indexes: nothing. */
	iofunc_notify_trigger_strict(c1, NULL, 1, IOFUNC_NOTIFY_INPUT);
	iofunc_notify_trigger_strict(c1, nop, 1, -1);
	iofunc_notify_trigger_strict(c1, nop, 1, IOFUNC_NOTIFY_NCOND);
}
END_TEST

/* iofunc_notify_trigger_strict(): a write fires only the entries armed
 * on the writer's own connection (here the manager's io_write uses it
 * for /dev/axtest/notify-strict); the others stay armed for their own. */
START_TEST(test_notify_trigger_strict)
{
	struct axt_child m = start_device("/dev/axtest/notify-strict", "",
	    "0666");
	struct sigevent ea, eb;
	int chid, self, a, b, w;

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	SIGEV_PULSE_INIT(&ea, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 1);
	SIGEV_PULSE_INIT(&eb, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 2);
	a = axon__io_open("/dev/axtest/notify-strict", O_RDWR, 0);
	b = axon__io_open("/dev/axtest/notify-strict", O_RDWR, 0);
	w = axon__io_open("/dev/axtest/notify-strict", O_WRONLY, 0);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_int_ge(ionotify(a, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ea), 0);
	ck_assert_int_ge(ionotify(b, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &eb), 0);
	/* A connection with nothing armed: nobody's fires. */
	ck_assert_int_eq(axon__io_write(w, "w", 1), 1);
	notify_none(chid);
	/* a's write: a's alone (b is this process's too, another open). */
	ck_assert_int_eq(axon__io_write(a, "a", 1), 1);
	ck_assert_int_eq(notify_wait(chid), 1);
	notify_none(chid);
	ck_assert_int_eq(notify_armed(b), 1);
	ck_assert_int_eq(axon__io_write(b, "b", 1), 1);
	ck_assert_int_eq(notify_wait(chid), 2);
	notify_none(chid);
	ck_assert_int_eq(notify_armed(a), 0);
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(axon__io_close(b), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_notify_errors)
{
	struct axt_child m = start_device("/dev/axtest/notify", "", "0666");
	struct axt_child h = start_device("/dev/axtest/plain", "x", "0444");
	struct _io_notify msg;
	struct _io_notify_reply rep;
	struct sigevent ev;
	int p[2], r, plain;

	r = axon__io_open("/dev/axtest/notify", O_RDONLY, 0);
	plain = axon__io_open("/dev/axtest/plain", O_RDONLY, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_ge(plain, 0);
	/* Bad action: refused by the client and by the manager. */
	errno = 0;
	ck_assert_int_eq(ionotify(r, 9, _NOTIFY_COND_INPUT, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(&msg, 0, sizeof(msg));
	msg.type = _IO_NOTIFY;
	msg.action = 0x7f;
	msg.flags = _NOTIFY_COND_INPUT;
	ck_assert_int_eq(MsgSend_r(r, &msg, sizeof(msg), &rep, sizeof(rep)),
	    -EINVAL);
	/* An event nobody can deliver: EINVAL when arming, not lost later. */
	msg.action = _NOTIFY_ACTION_POLLARM;
	SIGEV_SIGNAL_INIT(&msg.event, 0);
	ck_assert_int_eq(MsgSend_r(r, &msg, sizeof(msg), &rep, sizeof(rep)),
	    -EINVAL);
	msg.event.sigev_notify = 0x3f;
	ck_assert_int_eq(MsgSend_r(r, &msg, sizeof(msg), &rep, sizeof(rep)),
	    -EINVAL);
	SIGEV_PULSE_INIT(&msg.event, r, 10, 1000, 0);
	ck_assert_int_eq(MsgSend_r(r, &msg, sizeof(msg), &rep, sizeof(rep)),
	    -EINVAL);
	ck_assert_int_eq(notify_armed(r), 0);
	/* Short: the decoder refuses it before the handler. */
	ck_assert_int_eq(MsgSend_r(r, &msg, 10, &rep, sizeof(rep)), -EBADMSG);
	/* Unknown condition bits are not conditions. */
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLL, 0x0fffffff, NULL),
	    0);
	/* A manager without io_notify: ENOSYS. */
	SIGEV_UNBLOCK_INIT(&ev);
	errno = 0;
	ck_assert_int_eq(ionotify(plain, _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT, &ev), -1);
	ck_assert_int_eq(errno, ENOSYS);
	/* A Linux descriptor, and none. */
	ck_assert_int_eq(pipe(p), 0);
	errno = 0;
	ck_assert_int_eq(ionotify(p[0], _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT, NULL), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	(void) close(p[0]);
	(void) close(p[1]);
	errno = 0;
	ck_assert_int_eq(ionotify(p[0], _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT, NULL), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(axon__io_close(r), 0);
	errno = 0;
	ck_assert_int_eq(ionotify(r, _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT, NULL), -1);
	ck_assert_int_ne(errno, 0);
	ck_assert_int_eq(axon__io_close(plain), 0);
	axt_child_kill(&h);
	axt_child_kill(&m);
}
END_TEST

/* Opens the notify device, arms input with a pulse to its own channel,
 * says so (0), and waits to be killed. */
static void
armed_client(int rep, void *arg)
{
	struct sigevent ev;
	int chid, self, coid;

	(void) arg;
	chid = ChannelCreate(0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 1);
	coid = axon__io_open("/dev/axtest/notify", O_RDONLY, 0);
	/* (TRANARM: armed whether or not there is data already.) */
	axt_report(rep, coid < 0 ? coid : ionotify(coid,
	    _NOTIFY_ACTION_TRANARM, _NOTIFY_COND_INPUT, &ev) < 0 ? -errno : 0);
	for (;;) {
		pause();
	}
}

START_TEST(test_notify_client_dies)
{
	struct axt_child m = start_device("/dev/axtest/notify", "", "0666");
	struct axt_child c;
	double t0;
	int w;

	w = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	ck_assert_int_ge(w, 0);
	/* Dies armed: its close removes its entry. */
	c = axt_spawn(armed_client, NULL);
	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(notify_armed(w), 1);
	axt_child_kill(&c);
	t0 = axt_now();
	while (notify_armed(w) != 0 && axt_now() - t0 < 10) {
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(notify_armed(w), 0);
	ck_assert_int_eq(axon__io_write(w, "a", 1), 1);
	/* Dies armed and a trigger races its disconnect: the delivery to
	 * a gone client fails quietly, the manager serves on. */
	c = axt_spawn(armed_client, NULL);
	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(notify_armed(w), 1);
	(void) kill(c.pid, SIGKILL);
	ck_assert_int_eq(axon__io_write(w, "b", 1), 1);
	axt_child_kill(&c);
	ck_assert_int_eq(axon__io_write(w, "c", 1), 1);
	ck_assert_int_eq(notify_armed(w), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * An alias's notify entries and record locks go with the alias.  An
 * alias (a direct connection bound to an open's OCB, iodirect.h) arms
 * ionotify and takes a lock through it, then dies: its OCB lives on
 * (the open is the test's), so the manager's close_ocb, which removes
 * a closing client's entries, never ran for it; the entry stayed in the
 * attribute's list for good and a trigger sent its event on a dead
 * client's receive id, and the lock stayed until the open closed.  The
 * layer now removes the entries an _IO_NOTIFY on an alias armed when
 * the alias goes (its death, its own close, its open's close), and runs
 * close_dup for it, as QNX fakes an _IO_CLOSE for a dead client's
 * connections.
 */
struct alias_pipes {
	int tok[2];  /* test -> client: struct alias_grant */
	int done[2]; /* client -> test: 0 or -errno */
};

struct alias_grant {
	pid_t mp;
	int chid;
	uint8_t tok[16];
};

static void
alias_armed_client(int rep, void *arg)
{
	struct alias_pipes *p = arg;
	struct alias_grant g;
	struct sigevent ev;
	struct flock fl = lk(F_WRLCK, SEEK_SET, 0, 4);
	int chid, self, a, rc;

	axt_report(rep, 0);
	if (read(p->tok[0], &g, sizeof(g)) != (ssize_t) sizeof(g)) {
		_exit(1);
	}
	chid = ChannelCreate(0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 7);
	a = axon__io_dup_token(g.mp, g.chid, g.tok);
	if (a < 0) {
		rc = a;
	} else if (ionotify(a, _NOTIFY_ACTION_TRANARM, _NOTIFY_COND_INPUT,
	    &ev) < 0) {
		rc = -errno;
	} else {
		rc = axon__io_lock(a, F_SETLK, &fl);
	}
	if (write(p->done[1], &rc, sizeof(rc)) != (ssize_t) sizeof(rc)) {
		_exit(1);
	}
	for (;;) {
		pause();
	}
}

/* Waits (5 s at most) for the device's input list to be armed or not. */
static int
notify_armed_settle(int coid, int want)
{
	double t0 = axt_now();
	int n;

	while ((n = notify_armed(coid)) != want && axt_now() - t0 < 5) {
		axt_sleep_ms(5);
	}
	return n;
}

/* A grant for this process on o, redeemed: the alias, armed for input
 * with a pulse to chid's connection self. */
static int
alias_armed_here(int o, int self)
{
	struct sigevent ev;
	uint8_t tok[16];
	pid_t mp;
	int ch, a;

	ck_assert_int_eq(axon__io_grant(o, getpid(), tok, &mp, &ch), 0);
	a = axon__io_dup_token(mp, ch, tok);
	ck_assert_int_gt(a, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 8);
	/* (TRANARM: armed whether or not there is data already.) */
	ck_assert_int_ge(ionotify(a, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(notify_armed(o), 1);
	return a;
}

/*
 * A client that goes without closing gets the close QNX's layer fakes:
 * the manager's close_dup runs for its connection (before, only
 * close_ocb ran).  The manager here removes a connection's notify
 * entries in close_dup only, as iofunc_notify_remove(3) advises where
 * connections share an OCB: a client that armed and was killed left its
 * entry in the list for good, and a trigger sent its event on a dead
 * client's receive id.  A client that closes gets close_dup once, from
 * its own _IO_CLOSE.
 */
static void
dup_armed_client(int rep, void *arg)
{
	struct sigevent ev;
	bool close_it = arg != NULL;
	int chid, self, c;

	chid = ChannelCreate(0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 9);
	c = axon__io_open("/dev/axtest/notify-dup", O_RDONLY, 0);
	if (c < 0) {
		axt_report(rep, c);
		_exit(1);
	}
	if (ionotify(c, _NOTIFY_ACTION_TRANARM, _NOTIFY_COND_INPUT, &ev) < 0) {
		axt_report(rep, -errno);
		_exit(1);
	}
	if (close_it) {
		axt_report(rep, axon__io_close(c));
		_exit(0);
	}
	axt_report(rep, 0);
	for (;;) {
		pause();
	}
}

START_TEST(test_close_dup_faked)
{
	struct axt_child m = start_device("/dev/axtest/notify-dup", "", "0666");
	struct axt_child c;
	int o;

	o = axon__io_open("/dev/axtest/notify-dup", O_RDWR, 0);
	ck_assert_int_ge(o, 0);
	ck_assert_int_eq(notify_armed(o), 0);
	/* Killed while armed: its close_dup, faked, takes the entry. */
	c = axt_spawn(dup_armed_client, NULL);
	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(notify_armed(o), 1);
	axt_child_kill(&c);
	ck_assert_int_eq(notify_armed_settle(o, 0), 0);
	/* Closed while armed: its own _IO_CLOSE runs close_dup. */
	c = axt_spawn(dup_armed_client, (void *) 1);
	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(axt_child_wait(&c, 5), 0);
	ck_assert_int_eq(notify_armed(o), 0);
	ck_assert_int_eq(axon__io_close(o), 0);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_notify_alias_dies)
{
	struct axt_child m = start_device("/dev/axtest/notify", "", "0666");
	struct alias_pipes p;
	struct alias_grant g;
	struct axt_child c;
	struct pollfd pfd;
	struct flock fl;
	int o, o2, a, chid, self, rc = -1;

	o = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	ck_assert_int_ge(o, 0);
	ck_assert_int_eq(pipe2(p.tok, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(p.done, O_CLOEXEC), 0);
	/* Another process's alias arms and locks, then is killed. */
	c = axt_spawn(alias_armed_client, &p);
	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(axon__io_grant(o, c.pid, g.tok, &g.mp, &g.chid), 0);
	ck_assert_int_eq(write(p.tok[1], &g, sizeof(g)), sizeof(g));
	pfd = (struct pollfd){.fd = p.done[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(read(p.done[0], &rc, sizeof(rc)), sizeof(rc));
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(notify_armed(o), 1);
	fl = lk(F_WRLCK, SEEK_SET, 0, 4);
	ck_assert_int_eq(axon__io_lock(o, F_SETLK, &fl), -EAGAIN);
	axt_child_kill(&c);
	ck_assert_int_eq(notify_armed_settle(o, 0), 0);
	fl = lk(F_WRLCK, SEEK_SET, 0, 4);
	ck_assert_int_eq(axon__io_lock(o, F_SETLK, &fl), 0);
	fl = lk(F_UNLCK, SEEK_SET, 0, 4);
	ck_assert_int_eq(axon__io_lock(o, F_SETLK, &fl), 0);
	ck_assert_int_eq(alias_int(o, MY_DEVCTL_OCBS), 1); /* the open's */
	for (int i = 0; i < 2; i++) {
		(void) close(p.tok[i]);
		(void) close(p.done[i]);
	}

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	/* An alias that closes armed: its entry goes, a trigger sends
	 * nothing. */
	a = alias_armed_here(o, self);
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(notify_armed(o), 0);
	ck_assert_int_eq(axon__io_write(o, "x", 1), 1);
	notify_none(chid);
	/* An open that closes while its alias is armed: the alias goes
	 * with it, and its entry too. */
	o2 = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	ck_assert_int_ge(o2, 0);
	a = alias_armed_here(o2, self);
	ck_assert_int_eq(axon__io_close(o2), 0);
	ck_assert_int_eq(notify_armed(o), 0);
	ck_assert_int_eq(axon__io_write(o, "y", 1), 1);
	notify_none(chid);
	ck_assert_int_eq(axon__io_close(a), -EBADF);
	ck_assert_int_eq(alias_int(o, MY_DEVCTL_OCBS), 1);
	ck_assert_int_eq(axon__io_close(o), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

/* An alias arms in at most four lists (the layer keeps where, to clear
 * them when it goes): a fifth is disarmed and answered EAGAIN; the four
 * are cleared when it closes.  (The manager arms the next of five lists
 * of its own at each _IO_NOTIFY.) */
START_TEST(test_notify_alias_lists)
{
	struct axt_child m = start_device("/dev/axtest/notify-many", "",
	    "0666");
	struct sigevent ev;
	uint8_t tok[16];
	pid_t mp;
	int o, a, ch, chid, self;

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, NOTIFY_CODE, 9);
	o = axon__io_open("/dev/axtest/notify-many", O_RDWR, 0);
	ck_assert_int_ge(o, 0);
	ck_assert_int_eq(axon__io_grant(o, getpid(), tok, &mp, &ch), 0);
	a = axon__io_dup_token(mp, ch, tok);
	ck_assert_int_gt(a, 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_ge(ionotify(a, _NOTIFY_ACTION_TRANARM,
		    _NOTIFY_COND_INPUT, &ev), 0);
		ck_assert_int_eq(notify_armed(o), i + 1);
	}
	errno = 0;
	ck_assert_int_eq(ionotify(a, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(notify_armed(o), 4);
	/* The open's own connection keeps no such count. */
	ck_assert_int_ge(ionotify(o, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(notify_armed(o), 4); /* (the first list again) */
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(notify_armed(o), 1); /* the open's entry only */
	ck_assert_int_eq(axon__io_close(o), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("resmgr");
	TCase *tc = axt_tcase("resmgr", 20);

	tcase_add_test(tc, test_read_string);
	tcase_add_test(tc, test_store_written);
	tcase_add_test(tc, test_devctl);
	tcase_add_test(tc, test_devctl_flags);
	tcase_add_test(tc, test_devctl_verify);
	tcase_add_test(tc, test_i2c_commands);
	tcase_add_test(tc, test_dcmd_encoding);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_client_dies_mid_read);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_alias);
	tcase_add_test(tc, test_unblock);
	tcase_add_test(tc, test_detach);
	tcase_add_test(tc, test_permissions_attack);
	tcase_add_test(tc, test_resolver);
	tcase_add_test(tc, test_sync_space_pathconf);
	tcase_add_test(tc, test_sync_space_absent);
	tcase_add_test(tc, test_space_attack);
	tcase_add_test(tc, test_many_groups_attack);
	tcase_add_test(tc, test_record_locks);
	tcase_add_test(tc, test_dispatch_errors);
	tcase_add_test(tc, test_notify);
	tcase_add_test(tc, test_notify_trigger_strict);
	tcase_add_test(tc, test_notify_trigger_strict_lists);
	tcase_add_test(tc, test_notify_errors);
	tcase_add_test(tc, test_notify_client_dies);
	tcase_add_test(tc, test_notify_alias_dies);
	tcase_add_test(tc, test_close_dup_faked);
	tcase_add_test(tc, test_notify_alias_lists);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
