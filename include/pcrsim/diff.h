/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_DIFF_H
#define PCRSIM_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/ima.h"
#include "pcrsim/limits.h"

/*
 * Alignment of the measurements of two boots, PCR by PCR: which events the
 * second boot added, removed or changed. The alignment is a longest common
 * subsequence over each event's identity (its type and data, or for an IMA
 * entry its template and file name), so an inserted event does not shift
 * every later one into a difference.
 */

/* One measurement: a TCG event log record or an IMA entry. */
struct pcrsim_measurement {
        uint64_t index;     /* event index in its log, or IMA entry index */
        uint32_t pcr;
        uint32_t type;      /* TCG event type; 0 for an IMA entry */
        uint8_t *data;      /* event data or IMA template data (owned) */
        uint32_t data_size;
        char *ima_name;     /* IMA: "template name" (owned); NULL for TCG */
        bool has_digest;    /* the record has a digest in the compared bank */
        uint16_t digest_size;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
};

struct pcrsim_measurement_list {
        bool ima;           /* IMA entries, else TCG records */
        uint16_t bank;      /* TPM_ALG_ID of the digests (TCG lists) */
        size_t count;
        struct pcrsim_measurement *items;
};

/*
 * Reads every record of a TCG event log except EV_NO_ACTION ones, keeping
 * the digest of bank `bank`. Fails like pcrsim_replay_tcglog() on a
 * malformed log. Free with pcrsim_measurement_list_free().
 */
enum pcrsim_error_code pcrsim_measurements_from_tcglog(const void *data, size_t size,
                                                       uint16_t bank,
                                                       struct pcrsim_measurement_list *out,
                                                       struct pcrsim_error *err);

/* Reads every entry of an IMA list, keeping its template digest. */
enum pcrsim_error_code pcrsim_measurements_from_ima(const void *data, size_t size,
                                                    const struct pcrsim_ima_options *opts,
                                                    struct pcrsim_measurement_list *out,
                                                    struct pcrsim_error *err);

void pcrsim_measurement_list_free(struct pcrsim_measurement_list *list);

enum pcrsim_diff_op {
        PCRSIM_DIFF_SAME,
        PCRSIM_DIFF_CHANGED, /* aligned, and the data or the digest differs */
        PCRSIM_DIFF_REMOVED, /* only in the first boot */
        PCRSIM_DIFF_ADDED,   /* only in the second boot */
};

/* Parts that differ in a CHANGED step. */
#define PCRSIM_DIFF_DATA 1u
#define PCRSIM_DIFF_DIGEST 2u

struct pcrsim_diff_step {
        enum pcrsim_diff_op op;
        size_t a;        /* index into the first list, or SIZE_MAX */
        size_t b;        /* index into the second list, or SIZE_MAX */
        unsigned parts;  /* what differs: PCRSIM_DIFF_DATA and PCRSIM_DIFF_DIGEST bits */
};

struct pcrsim_diff_pcr {
        uint32_t pcr;
        size_t step_count;
        struct pcrsim_diff_step *steps;
        /* The PCR had more than PCRSIM_MAX_DIFF_CELLS pairs of events to
         * align after the common start and end, so the middle was paired by
         * position and type instead. */
        bool positional;
        uint32_t changed, removed, added;
};

/*
 * Aligns the measurements of PCR `pcr` of `a` and `b`. Fails only on
 * PCRSIM_ERR_NOMEM. Free with pcrsim_diff_pcr_free().
 */
enum pcrsim_error_code pcrsim_diff_align(const struct pcrsim_measurement_list *a,
                                         const struct pcrsim_measurement_list *b, uint32_t pcr,
                                         struct pcrsim_diff_pcr *out, struct pcrsim_error *err);

void pcrsim_diff_pcr_free(struct pcrsim_diff_pcr *d);

#endif
