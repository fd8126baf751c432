/* SPDX-License-Identifier: MIT */
/*
 * <sys/pps.h> for Axon: QNX's PPS encoding and decoding API (libpps on
 * QNX, in libaxon here: a -lpps in a build finds nothing to link, leave
 * it out) and ppsparse(), the line parser of the PPS text format
 * (pps(3)).  Pure text handling: there is no PPS server (/pps) in Axon.
 *
 * The names, prototypes and documented behaviour are QNX's; the numeric
 * values of the enumerations (beyond PPS_DECODER_OK and PPS_ENCODER_OK
 * being 0 and the errors at least 1) and the layouts of pps_encoder_t,
 * pps_decoder_t and pps_decoder_state_t, whose members programs do not
 * touch, are Axon's own: source compatibility, not binary.
 */
#ifndef AXON_SYS_PPS_H
#define AXON_SYS_PPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* Deepest nesting of JSON arrays and objects the decoder accepts and
 * the encoder produces (Axon's limit; deeper input is a parse error). */
#define AXON_PPS_MAX_DEPTH 64

/* ppsparse()'s answer for one line. */
typedef enum {
	PPS_ERROR = -1,		/* the line is not valid PPS data */
	PPS_END = 0,		/* end of data, or an incomplete last line */
	PPS_OBJECT,		/* @name: data for this object follows */
	PPS_OBJECT_CREATED,	/* +@name */
	PPS_OBJECT_DELETED,	/* -@name */
	PPS_OBJECT_TRUNCATED,	/* #@name */
	PPS_ATTRIBUTE,		/* name:encoding:value */
	PPS_ATTRIBUTE_DELETED,	/* -name */
	PPS_OBJECT_OVERFLOWED	/* never returned: see pps(3) */
} pps_status_t;

/* States of objects and attributes (pps_attrib_t's flags,
 * pps_decoder_flags()). */
typedef enum {
	PPS_INCOMPLETE = 0x01,
	PPS_DELETED = 0x02,
	PPS_CREATED = 0x04,
	PPS_TRUNCATED = 0x08,
	PPS_PURGED = 0x10,
	PPS_OVERFLOWED = 0x20
} pps_attrib_flags_t;

/* Qualifiers in square brackets before a line ([n], [-i], ...). */
typedef enum {
	PPS_NOPERSIST = 0x01,	/* n */
	PPS_ITEM = 0x02		/* i */
} pps_options_t;

/* One parsed line (ppsparse()); the members and their order are
 * QNX's documented ones. */
typedef struct {
	char *obj_name;
	int obj_index;
	char *attr_name;
	int attr_index;
	char *encoding;
	char *value;
	int flags;
	int options;
	int option_mask;
	int quality;
	char *line;
	int reserved[3];
} pps_attrib_t;

typedef enum {
	PPS_TYPE_NONE = 0,	/* no element: off the end, or not found */
	PPS_TYPE_NULL,
	PPS_TYPE_BOOL,
	PPS_TYPE_NUMBER,
	PPS_TYPE_STRING,
	PPS_TYPE_ARRAY,
	PPS_TYPE_OBJECT,
	PPS_TYPE_UNKNOWN,	/* an encoding the decoder does not know */
	PPS_TYPE_DELETED	/* a deleted attribute (-name) */
} pps_node_type_t;

typedef enum {
	PPS_DECODER_OK = 0,
	PPS_DECODER_NOT_FOUND,
	PPS_DECODER_BAD_TYPE,
	PPS_DECODER_DELETED,
	PPS_DECODER_POP_AT_ROOT,
	PPS_DECODER_CONVERSION_FAILED,	/* not an integer, or out of range */
	PPS_DECODER_PARSE_ERROR,
	PPS_DECODER_NO_MEM
} pps_decoder_error_t;

typedef enum {
	PPS_ENCODER_OK = 0,
	PPS_ENCODER_NO_MEM,
	PPS_ENCODER_BAD_NESTING,
	PPS_ENCODER_INVALID_VALUE,
	PPS_ENCODER_MISSING_ATTRIBUTE_NAME,
	PPS_ENCODER_NOT_FOUND
} pps_encoder_error_t;

struct axon_pps_node;

/* Opaque: declare one, pass its address, never touch its members. */
typedef struct {
	struct axon_pps_node *__nodes;
	int *__kids;
	char *__own;
	int __nnodes;
	int __cap;
	int __container;
	int __index;
	int __status;
	int __reserved;
} pps_decoder_t;

typedef struct {
	int __container;
	int __index;
	int __nnodes;
	int __reserved;
} pps_decoder_state_t;

typedef struct {
	char *__buf;
	size_t __len;
	size_t __cap;
	int __error;
	int __json;
	int __depth;
	unsigned char __level[AXON_PPS_MAX_DEPTH + 4];
} pps_encoder_t;

AXON_EXPORT pps_status_t ppsparse(char **ppsdata,
    const char *const *objnames, const char *const *attrnames,
    pps_attrib_t *info, int parse_flags);

AXON_EXPORT void pps_encoder_initialize(pps_encoder_t *encoder,
    bool encode_json);
AXON_EXPORT void pps_encoder_cleanup(pps_encoder_t *encoder);
AXON_EXPORT void pps_encoder_reset(pps_encoder_t *encoder);
AXON_EXPORT const char *pps_encoder_buffer(const pps_encoder_t *encoder);
AXON_EXPORT int pps_encoder_length(const pps_encoder_t *encoder);
AXON_EXPORT pps_encoder_error_t pps_encoder_error(
    const pps_encoder_t *encoder);
AXON_EXPORT pps_encoder_error_t pps_encoder_start_object(
    pps_encoder_t *encoder, const char *name);
AXON_EXPORT pps_encoder_error_t pps_encoder_end_object(
    pps_encoder_t *encoder);
AXON_EXPORT pps_encoder_error_t pps_encoder_start_array(
    pps_encoder_t *encoder, const char *name);
AXON_EXPORT pps_encoder_error_t pps_encoder_end_array(
    pps_encoder_t *encoder);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_bool(pps_encoder_t *encoder,
    const char *name, bool value);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_int(pps_encoder_t *encoder,
    const char *name, int value);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_int64(
    pps_encoder_t *encoder, const char *name, int64_t value);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_double(
    pps_encoder_t *encoder, const char *name, double value);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_string(
    pps_encoder_t *encoder, const char *name, const char *value);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_null(pps_encoder_t *encoder,
    const char *name);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_json(pps_encoder_t *encoder,
    const char *name, const char *value);
AXON_EXPORT pps_encoder_error_t pps_encoder_add_from_decoder(
    pps_encoder_t *encoder, const char *name, pps_decoder_t *decoder);
AXON_EXPORT pps_encoder_error_t pps_encoder_delete_attribute(
    pps_encoder_t *encoder, const char *name);

AXON_EXPORT pps_decoder_error_t pps_decoder_initialize(
    pps_decoder_t *decoder, const char *str);
AXON_EXPORT void pps_decoder_cleanup(pps_decoder_t *decoder);
AXON_EXPORT void pps_decoder_reset(pps_decoder_t *decoder);
AXON_EXPORT pps_decoder_error_t pps_decoder_parse_pps_str(
    pps_decoder_t *decoder, char *str);
AXON_EXPORT pps_decoder_error_t pps_decoder_parse_json_str(
    pps_decoder_t *decoder, char *str);
AXON_EXPORT pps_decoder_error_t pps_decoder_push(pps_decoder_t *decoder,
    const char *name);
AXON_EXPORT pps_decoder_error_t pps_decoder_push_object(
    pps_decoder_t *decoder, const char *name);
AXON_EXPORT pps_decoder_error_t pps_decoder_push_array(
    pps_decoder_t *decoder, const char *name);
AXON_EXPORT pps_decoder_error_t pps_decoder_pop(pps_decoder_t *decoder);
AXON_EXPORT pps_decoder_error_t pps_decoder_get_bool(pps_decoder_t *decoder,
    const char *name, bool *value);
AXON_EXPORT pps_decoder_error_t pps_decoder_get_int(pps_decoder_t *decoder,
    const char *name, int *value);
AXON_EXPORT pps_decoder_error_t pps_decoder_get_int64(
    pps_decoder_t *decoder, const char *name, int64_t *value);
AXON_EXPORT pps_decoder_error_t pps_decoder_get_double(
    pps_decoder_t *decoder, const char *name, double *value);
AXON_EXPORT pps_decoder_error_t pps_decoder_get_string(
    pps_decoder_t *decoder, const char *name, const char **value);
AXON_EXPORT bool pps_decoder_is_integer(pps_decoder_t *decoder,
    const char *name);
AXON_EXPORT pps_node_type_t pps_decoder_type(pps_decoder_t *decoder,
    const char *name);
AXON_EXPORT pps_attrib_flags_t pps_decoder_flags(pps_decoder_t *decoder,
    const char *name);
AXON_EXPORT int pps_decoder_length(pps_decoder_t *decoder);
AXON_EXPORT const char *pps_decoder_name(pps_decoder_t *decoder);
AXON_EXPORT pps_decoder_error_t pps_decoder_next(pps_decoder_t *decoder);
AXON_EXPORT pps_decoder_error_t pps_decoder_goto_index(
    pps_decoder_t *decoder, unsigned int index);
AXON_EXPORT pps_decoder_error_t pps_decoder_set_position(
    pps_decoder_t *decoder, const char *name);
AXON_EXPORT void pps_decoder_get_state(pps_decoder_t *decoder,
    pps_decoder_state_t *state);
AXON_EXPORT void pps_decoder_set_state(pps_decoder_t *decoder,
    pps_decoder_state_t *state);
AXON_EXPORT pps_decoder_error_t pps_decoder_status(pps_decoder_t *decoder,
    bool clear);
AXON_EXPORT void pps_decoder_dump_tree(pps_decoder_t *decoder, FILE *fp);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_PPS_H */
