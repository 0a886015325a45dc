/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_TCGLOG_H
#define PCRSIM_TCGLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"

/* Event types of the TCG PC Client Platform Firmware Profile used by the
 * reader and the replay. */
#define PCRSIM_EV_NO_ACTION 0x00000003u
#define PCRSIM_EV_EFI_HCRTM_EVENT 0x80000010u

/* The signature that starts a crypto-agile log's Spec ID event. */
#define PCRSIM_SPEC_ID_EVENT03 "Spec ID Event03"

enum pcrsim_log_format {
        PCRSIM_LOG_SHA1,         /* TCG_PCClientPCREvent records only */
        PCRSIM_LOG_CRYPTO_AGILE, /* Spec ID event, then TCG_PCR_EVENT2 */
};

struct pcrsim_alg_size {
        uint16_t alg;
        uint16_t size;
};

/* TCG_EfiSpecIDEvent of a crypto-agile log (PC Client Platform Firmware
 * Profile, "Specification ID Version Event"). */
struct pcrsim_specid {
        uint32_t platform_class;
        uint8_t version_minor;
        uint8_t version_major;
        uint8_t errata;
        uint8_t uintn_size;
        uint32_t alg_count;
        struct pcrsim_alg_size algs[PCRSIM_MAX_ALGORITHMS];
        uint8_t vendor_info_size;
        uint8_t vendor_info[255];
        /* Vendor info bytes that follow the record because the event size
         * leaves them out; 0 for a well-formed header. */
        uint8_t vendor_info_after_record;
};

struct pcrsim_digest {
        uint16_t alg;
        uint16_t size;
        uint8_t bytes[PCRSIM_MAX_DIGEST_SIZE];
};

/*
 * One record of a TCG event log. `data` is borrowed from the walker and is
 * valid until the next call to pcrsim_tcglog_next() or _free(). Digests
 * appear in the order the record lists them.
 */
struct pcrsim_event {
        uint64_t index;  /* zero-based record index; the first record is 0 */
        uint64_t offset; /* input offset of the record's first byte */
        uint64_t size;   /* record size in bytes, header included */
        uint32_t pcr;
        uint32_t type;
        uint32_t digest_count;
        struct pcrsim_digest digests[PCRSIM_MAX_ALGORITHMS];
        uint64_t data_offset;
        uint32_t data_size;
        const uint8_t *data;
};

struct pcrsim_tcglog;

/*
 * Opens a walker over an event log held in memory. The caller keeps
 * `data` alive and unchanged until pcrsim_tcglog_free(). Reads the first
 * record to tell the format apart: a crypto-agile log starts with an
 * EV_NO_ACTION record whose data is a valid Spec ID event, anything else
 * is a SHA-1 log. A Spec ID signature with an invalid header is an error.
 */
enum pcrsim_error_code pcrsim_tcglog_open_memory(const void *data, size_t size,
                                                 struct pcrsim_tcglog **out,
                                                 struct pcrsim_error *err);

/*
 * Opens a walker that reads `file` sequentially through a window that
 * grows to the largest record, so memory does not grow with the number of
 * records. The caller keeps `file` open until pcrsim_tcglog_free() and
 * closes it afterwards.
 */
enum pcrsim_error_code pcrsim_tcglog_open_file(FILE *file,
                                               struct pcrsim_tcglog **out,
                                               struct pcrsim_error *err);

void pcrsim_tcglog_free(struct pcrsim_tcglog *log);

/*
 * Reads the next record into `*ev` and sets `*have_event`; at the end of
 * the log, sets `*have_event` to false. On error, `err` names the offset,
 * the record index and the field, and the walker must not be used again
 * except to free it.
 */
enum pcrsim_error_code pcrsim_tcglog_next(struct pcrsim_tcglog *log,
                                          struct pcrsim_event *ev,
                                          bool *have_event,
                                          struct pcrsim_error *err);

enum pcrsim_log_format pcrsim_tcglog_format(const struct pcrsim_tcglog *log);

/* Spec ID header of a crypto-agile log, NULL for a SHA-1 log. */
const struct pcrsim_specid *pcrsim_tcglog_specid(const struct pcrsim_tcglog *log);

/*
 * After the end of the log: whether it ended in a run of zero bytes that
 * is not a record (some firmware hands over its whole log buffer), and
 * where that run starts and how long it is.
 */
bool pcrsim_tcglog_zero_padding(const struct pcrsim_tcglog *log,
                                uint64_t *offset, uint64_t *size);

/* Returns the name of a PC Client event type, or NULL if it is unknown. */
const char *pcrsim_event_type_name(uint32_t type);

#endif
