/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_IMA_REPLAY_H
#define PCRSIM_IMA_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/ima.h"
#include "pcrsim/limits.h"
#include "pcrsim/pcrs.h"
#include "pcrsim/replay.h"
#include "pcrsim/verify.h"

/*
 * Rule by which the kernel extends IMA entries into the PCR banks. Linux
 * 5.8 and later extend each bank with the template data hashed by the
 * bank's own algorithm. Older kernels extend every bank with the SHA-1
 * template digest, zero-padded to the bank's size.
 */
enum pcrsim_ima_extend_rule {
        PCRSIM_IMA_EXTEND_AUTO,
        PCRSIM_IMA_EXTEND_PER_BANK,
        PCRSIM_IMA_EXTEND_SHA1_PADDED,
};

/* Reason for the rule that AUTO chose. */
enum pcrsim_ima_rule_reason {
        PCRSIM_IMA_RULE_GIVEN,            /* the options named the rule */
        PCRSIM_IMA_RULE_EXPECTED_VALUE,   /* it reproduces the expected PCR values */
        PCRSIM_IMA_RULE_BOOT_AGGREGATE,   /* the kernel era the boot_aggregate shows */
        PCRSIM_IMA_RULE_DEFAULT,          /* no evidence: the current kernels' rule */
};

enum pcrsim_boot_aggregate_verdict {
        PCRSIM_BOOT_AGGREGATE_NOT_CHECKED, /* no firmware log was given */
        PCRSIM_BOOT_AGGREGATE_NO_ENTRY,    /* the first entry is not boot_aggregate */
        PCRSIM_BOOT_AGGREGATE_NO_TPM,      /* all zero: IMA found no TPM */
        PCRSIM_BOOT_AGGREGATE_NO_BANK,     /* the firmware log lacks its bank */
        PCRSIM_BOOT_AGGREGATE_MATCH_0_7,
        PCRSIM_BOOT_AGGREGATE_MATCH_0_9,
        PCRSIM_BOOT_AGGREGATE_MISMATCH,
        PCRSIM_BOOT_AGGREGATE_UNDECODABLE, /* its digest field does not decode */
};

struct pcrsim_boot_aggregate {
        enum pcrsim_boot_aggregate_verdict verdict;
        char algo[16];     /* hash algorithm name from the entry, e.g. "sha256" */
        uint16_t alg;      /* its TPM_ALG_ID, 0 if unknown */
        uint16_t size;
        uint8_t logged[PCRSIM_MAX_DIGEST_SIZE];
        uint8_t over_0_7[PCRSIM_MAX_DIGEST_SIZE];  /* H(PCR 0 || ... || PCR 7) */
        uint8_t over_0_9[PCRSIM_MAX_DIGEST_SIZE];  /* H(PCR 0 || ... || PCR 9) */
        /* On a mismatch: PCRs 0-9 whose replayed value is suspect because
         * the firmware log never extended them or lacks digests for them. */
        uint32_t suspect_pcrs;
};

struct pcrsim_ima_bank {
        uint16_t alg;
        uint16_t size;
        bool hashable;
        /* Values under the per-bank rule [0] and the SHA-1 padded rule [1].
         * Use pcrsim_ima_replay_value(): the row of the rule not chosen is
         * complete only when both were computed to the end, which happens
         * when expected values were given to an AUTO replay. */
        uint8_t values[2][PCRSIM_PCR_COUNT][PCRSIM_MAX_DIGEST_SIZE];
        /* Shortest prefix of the list (entry count) whose replay equals the
         * expected value of each IMA PCR under the chosen rule, or
         * PCRSIM_NO_RECORD. Set only when expected values were given. */
        uint64_t matching_prefix[PCRSIM_PCR_COUNT];
};

struct pcrsim_ima_replay_options {
        enum pcrsim_ima_extend_rule rule;
        /* The replayed firmware log: IMA continues from its PCR values and
         * checks the boot_aggregate against it. NULL when there is none. */
        const struct pcrsim_replay *firmware;
        /* Banks to replay: TPM_ALG_IDs. With a firmware log and no banks
         * given, its banks. */
        uint32_t bank_count;
        uint16_t banks[PCRSIM_MAX_ALGORITHMS];
        /* Expected PCR values (a PCR 10 read from a TPM, say), or NULL. */
        const struct pcrsim_pcr_set *expected;
};

struct pcrsim_ima_replay {
        struct pcrsim_ima_list_info info;
        uint64_t entry_count;
        uint32_t pcr_mask;        /* PCRs that IMA entries extended */
        uint32_t extend_count[PCRSIM_PCR_COUNT];

        enum pcrsim_ima_extend_rule rule; /* PER_BANK or SHA1_PADDED */
        enum pcrsim_ima_rule_reason rule_reason;

        uint32_t bank_count;
        struct pcrsim_ima_bank banks[PCRSIM_MAX_ALGORITHMS];

        uint64_t violations;      /* entries with an all-zero template digest */
        uint64_t first_violation;
        uint64_t digest_mismatches; /* template digest differs from its data */
        uint64_t first_digest_mismatch;
        uint64_t unknown_templates;
        uint64_t first_unknown_template;
        uint64_t field_errors;
        uint64_t first_field_error;
        char first_field_error_text[160];

        struct pcrsim_boot_aggregate boot_aggregate;
};

/*
 * Replays every entry of `list` into the banks of `opts`, checks each
 * template digest against its data, and checks the boot_aggregate against
 * the firmware log when one is given. Fails on a malformed entry, a PCR
 * index above 23, or when a requested bank's hash is unavailable.
 */
enum pcrsim_error_code pcrsim_replay_ima(struct pcrsim_ima_list *list,
                                        const struct pcrsim_ima_replay_options *opts,
                                        struct pcrsim_ima_replay *out,
                                        struct pcrsim_error *err);

/* Returns the bank of `alg`, or NULL. */
const struct pcrsim_ima_bank *pcrsim_ima_replay_bank(const struct pcrsim_ima_replay *r,
                                                     uint16_t alg);

/* Returns the value of `pcr` in `bank` under the rule that the replay
 * chose. */
const uint8_t *pcrsim_ima_replay_value(const struct pcrsim_ima_replay *r,
                                       const struct pcrsim_ima_bank *bank, uint32_t pcr);

/*
 * Computes the boot_aggregate that IMA logs as its first entry after the
 * boot that `firmware` replays: the hash `alg` over the values of PCRs 0
 * to `last_pcr` (7 or 9) in the bank of `alg`, concatenated. Sets `*size`
 * to the digest size. Fails with UNSUPPORTED when the replay has no
 * complete bank of `alg` for those PCRs.
 */
enum pcrsim_error_code pcrsim_boot_aggregate_value(const struct pcrsim_replay *firmware, uint16_t alg,
                                                   uint32_t last_pcr, uint8_t *out, uint16_t *size,
                                                   struct pcrsim_error *err);

/*
 * Checks one entry's template digest against its template data hashed by
 * `alg` (the list's template digest algorithm). Violations (all-zero
 * digests) and ASCII entries whose data cannot be rebuilt are
 * NOT_CHECKABLE, with the reason.
 */
enum pcrsim_error_code pcrsim_ima_check_entry(const struct pcrsim_ima_entry *entry, uint16_t alg,
                                              struct pcrsim_digest_check *out,
                                              struct pcrsim_error *err);

#endif
