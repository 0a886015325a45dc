/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_MANIFEST_H
#define PCRSIM_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"
#include "pcrsim/pcrs.h"

/*
 * Reader of a vector folder's MANIFEST.yaml: the files of one recorded
 * boot with their formats, and the values that the recording expects.
 * docs/vectors.md describes the schema. Only the keys below are read;
 * every other key is documentation for people and is ignored.
 */

/* Kind of file, from its `format`: the reader pcrsim gives it, if any. */
enum pcrsim_manifest_kind {
        PCRSIM_MANIFEST_UNKNOWN = 0, /* no format, or one pcrsim does not know */
        PCRSIM_MANIFEST_DATA,        /* a known format that is not replayed:
                                      * PCR values, consoles, quotes, keys */
        PCRSIM_MANIFEST_TCG_LOG,     /* tcg-crypto-agile, tcg-sha1 */
        PCRSIM_MANIFEST_IMA_LIST,    /* ima-binary, ima-ascii */
        PCRSIM_MANIFEST_NOT_A_LOG,   /* not-a-log: given to the TCG log reader */
};

/* One entry of `files:` or `derived_files:`. */
struct pcrsim_manifest_file {
        char *name;         /* path inside the vector folder */
        char *format;       /* NULL when absent */
        enum pcrsim_manifest_kind kind;
        char *expect_error; /* why a correct reader rejects it; NULL: it must parse */
        /* TPM_ALG_ID of the template digests of a per-bank IMA list, or 0. */
        uint16_t template_digest_alg;
        int64_t bytes;      /* size the manifest states, or -1 */
        bool has_sha256;
        uint8_t sha256[32];
        uint64_t line;        /* line of the entry in MANIFEST.yaml, from 1 */
        uint64_t bytes_line;  /* line of `bytes`, 0 when absent */
        uint64_t sha256_line; /* line of `sha256`, 0 when absent */
};

/* A `replay_check_during_curation.MISMATCH` entry "BANK:PCR": a value that a
 * plain replay of the log cannot reproduce, for a reason in `quirks`. */
struct pcrsim_manifest_mismatch {
        uint16_t alg;
        uint32_t pcr;
};

struct pcrsim_manifest {
        char *name; /* the `name:` key, or NULL */
        size_t file_count;
        struct pcrsim_manifest_file *files;
        /* `expected.banks`: the PCR values of the recording. */
        struct pcrsim_pcr_set expected;
        uint32_t expected_count;
        uint64_t expected_line; /* line of `expected.banks`, 0 when absent */
        /* `expected.boot_aggregate`: the value the kernel logged as the first
         * IMA entry, a hex string or a map whose keys start with the
         * algorithm name ("sha256 (...)": hex). */
        bool has_boot_aggregate;
        uint16_t boot_aggregate_alg;
        uint16_t boot_aggregate_size;
        uint8_t boot_aggregate[PCRSIM_MAX_DIGEST_SIZE];
        size_t mismatch_count;
        struct pcrsim_manifest_mismatch *mismatches;
        size_t quirk_count;
        char **quirks;
};

/*
 * Reads the manifest at `path`. On failure `err` gives the byte offset
 * and a message that starts with the line and column. A file over
 * PCRSIM_MAX_MANIFEST_SIZE fails with PCRSIM_ERR_LIMIT. On failure `out`
 * needs no pcrsim_manifest_free().
 */
enum pcrsim_error_code pcrsim_manifest_load(const char *path, struct pcrsim_manifest *out,
                                            struct pcrsim_error *err);

/* Same, from memory. */
enum pcrsim_error_code pcrsim_manifest_parse(const void *data, size_t size,
                                             struct pcrsim_manifest *out,
                                             struct pcrsim_error *err);

void pcrsim_manifest_free(struct pcrsim_manifest *m);

/* Tells whether MISMATCH lists PCR `pcr` of bank `alg`. */
bool pcrsim_manifest_lists_mismatch(const struct pcrsim_manifest *m, uint16_t alg,
                                    uint32_t pcr);

/*
 * Returns the first quirk that mentions "BANK:PCR" or "PCR N" (case
 * ignored, and "PCR 1" never matching "PCR 14"), or NULL.
 */
const char *pcrsim_manifest_quirk_for(const struct pcrsim_manifest *m, uint16_t alg,
                                      uint32_t pcr);

#endif
