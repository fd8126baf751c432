/* SPDX-License-Identifier: MIT */
/*
 * <hw/i2c.h> for Axon: QNX's I2C master interface, the devctl()
 * commands a client sends to an I2C bus's resource manager (/dev/i2cN)
 * and their data (resmgr_attach(3), "I2C").  An Axon resource manager
 * that drives a bus takes these commands in its io_devctl, and QNX
 * clients reach it by path, as on QNX.  Linux's own I2C buses
 * (/dev/i2c-N, i2c-dev) are not QNX managers: devctl() on them is
 * ENOTTY.
 *
 * The members are QNX's documented ones.  DCMD_I2C_SEND, _RECV,
 * _SENDRECV and _SENDS have the command numbers QNX's documentation
 * gives (5, 6, 7, 11: the low byte of the code); the class, the other
 * commands' numbers and the flag values, which it does not give, are
 * Axon's own: source compatibility, not binary.
 */
#ifndef AXON_HW_I2C_H
#define AXON_HW_I2C_H

#include <stdint.h>

#include <devctl.h>

#ifdef __cplusplus
extern "C" {
#endif

#define _DCMD_I2C 0x1a

/* An address: 7 or 10 bits. */
#define I2C_ADDRFMT_7BIT  0x0001u
#define I2C_ADDRFMT_10BIT 0x0002u
typedef uint32_t i2c_addrfmt_t;

typedef struct {
	uint32_t addr;
	uint32_t fmt;  /* I2C_ADDRFMT_* */
} i2c_addr_t;

/* Followed by len bytes to send. */
typedef struct {
	i2c_addr_t slave;
	uint32_t len;
	uint32_t stop;  /* 1: a STOP after it; 0: the next starts again */
} i2c_send_t;

/* Followed by room for len bytes, which the reply fills. */
typedef struct {
	i2c_addr_t slave;
	uint32_t len;
	uint32_t stop;
} i2c_recv_t;

/* Followed by max(send_len, recv_len) bytes: those to send, then those
 * received over them (a repeated START between the two). */
typedef struct {
	i2c_addr_t slave;
	uint32_t send_len;
	uint32_t recv_len;
	uint32_t stop;
} i2c_sendrecv_t;

/* DCMD_I2C_MASTER_SEND/RECV: to the address DCMD_I2C_SET_SLAVE_ADDR set
 * for the connection. */
typedef struct {
	uint32_t len;
	uint32_t stop;
} i2c_masterhdr_t;

/* Speeds: standard (100 kbit/s), fast (400 kbit/s), high (3.4 Mbit/s). */
#define I2C_SPEED_STANDARD 0x0001u
#define I2C_SPEED_FAST     0x0002u
#define I2C_SPEED_HIGH     0x0004u
typedef uint32_t i2c_speed_mode_t;

typedef struct {
	uint32_t speed_mode; /* I2C_SPEED_* the bus can do */
	uint32_t addr_mode;  /* I2C_ADDRFMT_* it takes */
	uint32_t verbosity;
	uint32_t reserved[1];
} i2c_driver_info_t;

/* What a transfer ended with (a driver's i2c_status_t). */
#define I2C_STATUS_DONE  0x0001u
#define I2C_STATUS_ERROR 0x0002u
#define I2C_STATUS_NACK  0x0004u
#define I2C_STATUS_ARBL  0x0008u /* arbitration lost */
#define I2C_STATUS_BUSY  0x0010u /* timed out */
#define I2C_STATUS_ABORT 0x0020u
typedef uint32_t i2c_status_t;

#define DCMD_I2C_SET_SLAVE_ADDR __DIOT(_DCMD_I2C, 1, i2c_addr_t)
#define DCMD_I2C_SET_BUS_SPEED  __DIOT(_DCMD_I2C, 2, uint32_t) /* in Hz */
#define DCMD_I2C_MASTER_SEND    __DIOT(_DCMD_I2C, 3, i2c_masterhdr_t)
#define DCMD_I2C_MASTER_RECV    __DIOTF(_DCMD_I2C, 4, i2c_masterhdr_t)
#define DCMD_I2C_SEND           __DIOT(_DCMD_I2C, 5, i2c_send_t)
#define DCMD_I2C_RECV           __DIOTF(_DCMD_I2C, 6, i2c_recv_t)
#define DCMD_I2C_SENDRECV       __DIOTF(_DCMD_I2C, 7, i2c_sendrecv_t)
#define DCMD_I2C_DRIVER_INFO    __DIOF(_DCMD_I2C, 8, i2c_driver_info_t)
#define DCMD_I2C_LOCK           __DION(_DCMD_I2C, 9)
#define DCMD_I2C_UNLOCK         __DION(_DCMD_I2C, 10)
#define DCMD_I2C_SENDS          __DIOT(_DCMD_I2C, 11, i2c_send_t)
#define DCMD_I2C_BUS_RESET      __DION(_DCMD_I2C, 12)
#define DCMD_I2C_STATUS         __DIOF(_DCMD_I2C, 13, i2c_status_t)

#ifdef __cplusplus
}
#endif

#endif /* AXON_HW_I2C_H */
