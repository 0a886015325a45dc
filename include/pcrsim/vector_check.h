/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_VECTOR_CHECK_H
#define PCRSIM_VECTOR_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/limits.h"
#include "pcrsim/manifest.h"

/*
 * Regression check of one vector folder: replays its TCG event log and
 * IMA lists as its manifest describes them, compares the result with the
 * manifest's expected values, and checks that every file marked
 * expect_error is rejected.
 */

/* Verdict of a whole vector, from the most to the least severe. */
enum pcrsim_vector_verdict {
        /* A file that must parse was rejected, a listed file is absent or
         * differs from its size or SHA-256, or the expected values belong
         * to no single log. */
        PCRSIM_VECTOR_INVALID,
        /* An expected value differs, cannot be replayed, or a file marked
         * expect_error parses. */
        PCRSIM_VECTOR_DIFFERS,
        /* Every difference is listed under MISMATCH. */
        PCRSIM_VECTOR_KNOWN_QUIRK,
        PCRSIM_VECTOR_MATCH,
        /* Only expect_error files, and each was rejected. */
        PCRSIM_VECTOR_REJECTED_AS_EXPECTED,
        /* Logs parsed, and the manifest gives nothing to compare. */
        PCRSIM_VECTOR_NO_EXPECTED,
        /* No TCG event log, IMA list or expect_error file. */
        PCRSIM_VECTOR_NOTHING_TO_REPLAY,
};

enum pcrsim_vector_file_outcome {
        PCRSIM_VECTOR_FILE_SKIPPED = 0, /* not read */
        PCRSIM_VECTOR_FILE_CHECKED,     /* a format that is not replayed: its
                                         * size and SHA-256 were checked */
        PCRSIM_VECTOR_FILE_UNKNOWN_FORMAT, /* checked like CHECKED, and its format
                                            * is missing or unknown to pcrsim */
        PCRSIM_VECTOR_FILE_REPLAYED,
        PCRSIM_VECTOR_FILE_REJECTED,    /* expect_error, and the reader failed */
        PCRSIM_VECTOR_FILE_ACCEPTED,    /* expect_error, yet the reader accepted it */
        PCRSIM_VECTOR_FILE_FAILED,      /* must parse, and did not; unreadable; or
                                         * not the size, SHA-256 or format that
                                         * the manifest states */
};

struct pcrsim_vector_file_result {
        enum pcrsim_vector_file_outcome outcome;
        /* The reader's error for REJECTED and FAILED. */
        struct pcrsim_error error;
        /* For REPLAYED and ACCEPTED: events or entries read, and for an IMA
         * list the entries with an all-zero template digest (violations). */
        uint64_t records;
        uint64_t violations;
};

enum pcrsim_vector_pcr_verdict {
        PCRSIM_VECTOR_PCR_MATCH,
        PCRSIM_VECTOR_PCR_DIFFERS,
        PCRSIM_VECTOR_PCR_KNOWN_QUIRK,  /* differs, and MISMATCH lists it */
        PCRSIM_VECTOR_PCR_NOT_REPLAYED, /* the files cannot give this value */
};

/* One expected value compared with one source: the TCG log, or an IMA
 * list for the PCRs that IMA extends. */
struct pcrsim_vector_pcr_result {
        uint16_t alg;
        uint16_t size;
        uint32_t pcr;
        enum pcrsim_vector_pcr_verdict verdict;
        size_t source; /* index into the manifest's files, or SIZE_MAX */
        bool listed_as_mismatch;
        uint8_t expected[PCRSIM_MAX_DIGEST_SIZE];
        uint8_t actual[PCRSIM_MAX_DIGEST_SIZE];
        const char *quirk;   /* borrowed from the manifest, or NULL */
        char reason[160];    /* why NOT_REPLAYED */
};

/* The boot_aggregate of one IMA list, checked against the TCG log. */
struct pcrsim_vector_aggregate_result {
        size_t ima_file;
        struct pcrsim_boot_aggregate check;
        /* The manifest gives a boot_aggregate, and this list logs another
         * value or another algorithm. */
        bool differs_from_manifest;
        /* The manifest gives a boot_aggregate that this list logs, but the
         * event log cannot confirm it (no such bank, or no TPM). */
        bool unconfirmed;
};

struct pcrsim_vector_result {
        enum pcrsim_vector_verdict verdict;
        size_t file_count; /* as in the manifest */
        struct pcrsim_vector_file_result *files;
        size_t pcr_count;
        struct pcrsim_vector_pcr_result *pcrs;
        size_t aggregate_count;
        struct pcrsim_vector_aggregate_result *aggregates;
        uint32_t matched, differing, known, not_replayed;
        uint32_t replayed_files, rejected_files, accepted_files, failed_files;
        uint32_t checked_files, unknown_format_files;
        /* Why the vector is INVALID beyond one file's failure, or "". */
        char problem[256];
};

struct pcrsim_vector_options {
        /* A file whose format is missing or unknown makes the vector
         * invalid, instead of being only noted. */
        bool strict;
};

/*
 * Checks the vector in folder `dir` whose manifest is `m`, with `opts` or
 * the defaults when it is NULL. Fails only on PCRSIM_ERR_NOMEM or
 * PCRSIM_ERR_INTERNAL; everything wrong with the vector's files is part
 * of `out`. Release `out` with pcrsim_vector_result_free().
 */
enum pcrsim_error_code pcrsim_vector_check(const char *dir, const struct pcrsim_manifest *m,
                                           const struct pcrsim_vector_options *opts,
                                           struct pcrsim_vector_result *out,
                                           struct pcrsim_error *err);

void pcrsim_vector_result_free(struct pcrsim_vector_result *r);

/* Returns the verdict's name as the CLI prints it, such as "known quirk". */
const char *pcrsim_vector_verdict_name(enum pcrsim_vector_verdict verdict);

#endif
