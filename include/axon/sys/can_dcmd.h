/* SPDX-License-Identifier: MIT */
/*
 * <sys/can_dcmd.h> for Axon: the devctl() commands a client sends to a
 * QNX CAN driver's mailboxes (dev-can-*: /dev/canN/rxM, /dev/canN/txM)
 * and their data (resmgr_attach(3), "CAN").  A CAN driver written as an
 * Axon resource manager answers them in its io_devctl, and QNX clients
 * reach it by path, as on QNX; read() of a receive mailbox gives the
 * data of its next message, write() to a transmit mailbox sends one.
 *
 * Linux's own CAN interfaces are SocketCAN network devices, not QNX
 * managers, and Axon does not translate these commands to them: the
 * machine Axon is tested on has no CAN device and its kernel no vcan
 * module, so no translation could be tested.
 *
 * struct can_msg and struct can_msg_ext, their typedefs and
 * CAN_MSG_DATA_MAX are as QNX's documentation gives them, and so are
 * the command numbers of CAN_DEVCTL_WRITE_CANMSG_EXT,
 * CAN_DEVCTL_RX_FRAME_RAW_NOBLOCK (both CAN_CMD_CODE + 9) and
 * CAN_DEVCTL_TX_FRAME_RAW (+ 11).  CAN_CMD_CODE's value, the other
 * commands' numbers, and the info, statistics and error structures
 * (whose contents the documentation gives only as what canctl prints)
 * are Axon's own: source compatibility, not binary.
 */
#ifndef AXON_SYS_CAN_DCMD_H
#define AXON_SYS_CAN_DCMD_H

#include <stdint.h>

#include <devctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most data bytes in a CAN message (the CAN specification's). */
#define CAN_MSG_DATA_MAX 0x8

/* A message's extended information. */
typedef struct can_msg_ext {
	uint32_t timestamp;       /* the device's timestamp when it came */
	uint32_t is_extended_mid; /* 1: a 29-bit MID; 0: an 11-bit one */
	uint32_t is_remote_frame; /* 1: a remote frame request; 0: data */
} CAN_MSG_EXT;

/* A CAN message. */
typedef struct can_msg {
	uint8_t dat[CAN_MSG_DATA_MAX]; /* its data */
	uint8_t len;                   /* how many of dat's bytes */
	uint32_t mid;                  /* its message identifier */
	CAN_MSG_EXT ext;
} CAN_MSG;

/*
 * Message ids (MIDs) as canctl documents them: a standard 11-bit MID is
 * in bits 18 to 28, an extended 29-bit MID in bits 0 to 28.  A receive
 * mailbox takes a message whose MID agrees with its own in the bits its
 * filter (a mask) has set: filter 0 takes every message.
 */
#define CAN_MID_STD_SHIFT 18
#define CAN_MID_STD_MASK  (0x7ffu << CAN_MID_STD_SHIFT)
#define CAN_MID_EXT_MASK  0x1fffffffu

/* CAN_DEVCTL_GET_INFO: the device (canctl -i). */
#define CAN_MODE_IO        0u /* read()/write() and the _CANMSG_EXT ones */
#define CAN_MODE_RAW_FRAME 1u /* the _FRAME_RAW ones */
#define CAN_DEVCTL_INFO_DESC_MAX 64
struct can_devctl_info {
	char description[CAN_DEVCTL_INFO_DESC_MAX];
	uint32_t msgq_size;        /* messages a receive mailbox keeps */
	uint32_t waitq_size;       /* clients that may wait for one */
	uint32_t mode;             /* CAN_MODE_* */
	uint32_t bit_rate;         /* bit/s */
	uint32_t bit_rate_prescaler;
	uint32_t sync_jump_width;
	uint32_t time_segment_1;
	uint32_t time_segment_2;
	uint32_t num_tx_mboxes;
	uint32_t num_rx_mboxes;
	uint32_t loopback_external; /* 1: the bus is looped back outside */
	uint32_t loopback_internal; /* 1: transmit looped to receive (self
				     * test) */
	uint32_t autobus_on;
	uint32_t silent;            /* 1: listen only */
	uint32_t reserved[8];
};

/* CAN_DEVCTL_GET_STATS: counters since the driver started (canctl -s). */
struct can_devctl_stats {
	uint32_t transmitted_frames;
	uint32_t received_frames;
	uint32_t missing_ack;
	uint32_t total_frame_errors;
	uint32_t stuff_errors;
	uint32_t form_errors;
	uint32_t dom_bit_recess_errors; /* dominant bit read as recessive */
	uint32_t recess_bit_dom_errors; /* recessive bit read as dominant */
	uint32_t parity_errors;
	uint32_t crc_errors;
	uint32_t hw_receive_overflows;  /* the controller's FIFO */
	uint32_t sw_receive_q_full;     /* a mailbox's queue: dropped */
	uint32_t error_warning_state_count;
	uint32_t error_passive_state_count;
	uint32_t bus_off_state_count;
	uint32_t bus_idle_count;
	uint32_t power_down_count;
	uint32_t wake_up_count;
	uint32_t rx_interrupts;
	uint32_t tx_interrupts;
	uint32_t total_interrupts;
	uint32_t reserved[8];
};

/* CAN_DEVCTL_ERROR: the driver's own error information (canctl -e),
 * what each word means being the driver's. */
struct can_devctl_error {
	uint32_t drvr1;
	uint32_t drvr2;
	uint32_t drvr3;
	uint32_t drvr4;
};

#define CAN_CMD_CODE 0x40 /* Axon's choice: the documentation has none */

#define CAN_DEVCTL_GET_MID       __DIOF(_DCMD_MISC, CAN_CMD_CODE + 0, uint32_t)
#define CAN_DEVCTL_SET_MID       __DIOT(_DCMD_MISC, CAN_CMD_CODE + 1, uint32_t)
#define CAN_DEVCTL_GET_MFILTER   __DIOF(_DCMD_MISC, CAN_CMD_CODE + 2, uint32_t)
#define CAN_DEVCTL_SET_MFILTER   __DIOT(_DCMD_MISC, CAN_CMD_CODE + 3, uint32_t)
#define CAN_DEVCTL_GET_PRIO      __DIOF(_DCMD_MISC, CAN_CMD_CODE + 4, uint32_t)
#define CAN_DEVCTL_SET_PRIO      __DIOT(_DCMD_MISC, CAN_CMD_CODE + 5, uint32_t)
#define CAN_DEVCTL_GET_TIMESTAMP __DIOF(_DCMD_MISC, CAN_CMD_CODE + 6, uint32_t)
#define CAN_DEVCTL_SET_TIMESTAMP __DIOT(_DCMD_MISC, CAN_CMD_CODE + 7, uint32_t)
#define CAN_DEVCTL_READ_CANMSG_EXT \
	__DIOF(_DCMD_MISC, CAN_CMD_CODE + 8, struct can_msg)
#define CAN_DEVCTL_WRITE_CANMSG_EXT \
	__DIOT(_DCMD_MISC, CAN_CMD_CODE + 9, struct can_msg)
#define CAN_DEVCTL_RX_FRAME_RAW_NOBLOCK \
	__DIOF(_DCMD_MISC, CAN_CMD_CODE + 9, struct can_msg)
#define CAN_DEVCTL_RX_FRAME_RAW_BLOCK \
	__DIOF(_DCMD_MISC, CAN_CMD_CODE + 10, struct can_msg)
#define CAN_DEVCTL_TX_FRAME_RAW \
	__DIOT(_DCMD_MISC, CAN_CMD_CODE + 11, struct can_msg)
#define CAN_DEVCTL_ERROR \
	__DIOF(_DCMD_MISC, CAN_CMD_CODE + 12, struct can_devctl_error)
#define CAN_DEVCTL_DEBUG_INFO    __DION(_DCMD_MISC, CAN_CMD_CODE + 13)
#define CAN_DEVCTL_DEBUG_INFO2   __DIOT(_DCMD_MISC, CAN_CMD_CODE + 14, uint32_t)
#define CAN_DEVCTL_GET_INFO \
	__DIOF(_DCMD_MISC, CAN_CMD_CODE + 15, struct can_devctl_info)
#define CAN_DEVCTL_GET_STATS \
	__DIOF(_DCMD_MISC, CAN_CMD_CODE + 16, struct can_devctl_stats)

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_CAN_DCMD_H */
