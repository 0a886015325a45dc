/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_REPLAY_H
#define PCRSIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"
#include "pcrsim/pcrs.h"
#include "pcrsim/tcglog.h"

/* One hash bank of a replayed log. */
struct pcrsim_replay_bank {
        uint16_t alg;
        uint16_t size;
        bool hashable; /* OpenSSL provides the hash, so `values` are computed */
        uint8_t values[PCRSIM_PCR_COUNT][PCRSIM_MAX_DIGEST_SIZE];
        uint32_t extend_count[PCRSIM_PCR_COUNT];
        uint32_t touched; /* bit n: PCR n was extended */
        /* Bit n: an event for PCR n carried no digest for this bank, so PCR
         * n cannot be replayed in it. */
        uint32_t missing_pcrs;
        /* Per PCR, the first event without a digest for this bank, or
         * PCRSIM_NO_RECORD. */
        uint64_t first_missing_event[PCRSIM_PCR_COUNT];
        uint64_t first_missing_offset[PCRSIM_PCR_COUNT]; /* of that event */
};

/* Source of PCR 0's initial value. */
enum pcrsim_pcr0_start {
        PCRSIM_PCR0_RESET,            /* all zero */
        PCRSIM_PCR0_STARTUP_LOCALITY, /* 00..00 || locality */
        PCRSIM_PCR0_HCRTM,            /* 00..04, then the H-CRTM digest */
};

struct pcrsim_replay {
        enum pcrsim_log_format format;
        bool has_specid;
        struct pcrsim_specid specid; /* crypto-agile logs only */
        uint32_t bank_count;
        struct pcrsim_replay_bank banks[PCRSIM_MAX_ALGORITHMS];

        uint64_t record_count;
        uint64_t extended_count;  /* records extended into a PCR */
        uint64_t no_action_count; /* EV_NO_ACTION records, never extended */
        /* Records with PCR index 0xFFFFFFFF, which Windows logs for its own
         * bookkeeping and which no PCR receives. */
        uint64_t no_pcr_count;
        uint64_t first_no_pcr_event;

        enum pcrsim_pcr0_start pcr0_start;
        uint8_t locality;
        uint64_t pcr0_start_event; /* the event that set PCR 0's start */
        uint32_t locality_data_size; /* 17 in the standard form */
        /* A StartupLocality or H-CRTM event after PCR 0 was extended or
         * after another such event: the TPM cannot have applied it, so it
         * is not applied and only reported. */
        uint64_t ignored_start_events;
        uint64_t first_ignored_start_event;

        bool zero_padding;
        uint64_t padding_offset;
        uint64_t padding_size;
};

/*
 * Replays every record of `log` into the banks that its header declares
 * (one SHA-1 bank for a SHA-1 log). Initial values follow the TCG PC
 * Client Platform Firmware Profile; EV_NO_ACTION records are never
 * extended. A bank whose hash OpenSSL lacks is walked, not computed.
 * Fails on a malformed record, on a PCR index above 23 other than
 * 0xFFFFFFFF, or on a StartupLocality event without a valid locality.
 * `err` then names the event.
 */
enum pcrsim_error_code pcrsim_replay_tcglog(struct pcrsim_tcglog *log,
                                            struct pcrsim_replay *out,
                                            struct pcrsim_error *err);

/* Returns the bank of `alg`, or NULL if the log does not declare it. */
const struct pcrsim_replay_bank *
pcrsim_replay_bank(const struct pcrsim_replay *replay, uint16_t alg);

/*
 * Tells whether the PCRs in `pcr_mask` of `bank` can be reported as
 * complete: the hash is available and no event for those PCRs lacked a
 * digest in this bank.
 */
bool pcrsim_replay_bank_complete(const struct pcrsim_replay_bank *bank,
                                 uint32_t pcr_mask);

/*
 * Adds the PCRs in `pcr_mask` of `bank` to `set` as a new bank. Fails with
 * PCRSIM_ERR_LIMIT when `set` already contains the maximum number of banks.
 */
enum pcrsim_error_code pcrsim_replay_add_to_set(const struct pcrsim_replay_bank *bank,
                                                uint32_t pcr_mask,
                                                struct pcrsim_pcr_set *set,
                                                struct pcrsim_error *err);

#endif
