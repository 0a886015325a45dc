/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_TEST_MANIFEST_H
#define PCRSIM_TEST_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Reader of the MANIFEST.yaml files that describe the shared real-world
 * vectors. Every scalar is kept as the raw text that libyaml returns, so a
 * plain all-digit hex value such as 0000... stays a hex string and never
 * becomes a number.
 */

/* One entry of `files:` or `derived_files:`. */
struct manifest_file {
        char *name;         /* file name inside the vector folder */
        char *format;       /* such as "tcg-crypto-agile", or NULL if absent */
        char *expect_error; /* why a correct reader rejects it, or NULL if it must parse */
        long long bytes;    /* size the manifest states, or -1 if absent */
};

/* One value of `expected.banks.BANK`. */
struct manifest_pcr {
        uint32_t index;
        char *hex;
};

/* One bank of `expected.banks`, PCRs in manifest order. */
struct manifest_bank {
        char *name; /* bank name, such as "sha256" */
        size_t pcr_count;
        struct manifest_pcr *pcrs;
};

struct manifest {
        char *dir;  /* path of the vector folder */
        char *name; /* folder name */
        size_t file_count;
        struct manifest_file *files;
        size_t bank_count;
        struct manifest_bank *banks;
        /* `replay_check_during_curation.MISMATCH`: entries such as "sha1:5"
         * naming PCRs that a plain replay of the log cannot reproduce. */
        size_t mismatch_count;
        char **mismatches;
        size_t quirk_count;
        char **quirks;
};

/*
 * Loads DIR/MANIFEST.yaml into `m`, whose `name` is the last component of
 * `dir`. On failure, writes the reason into `error` and returns false, and
 * `m` then needs no manifest_free().
 */
bool manifest_load(const char *dir, struct manifest *m, char *error, size_t error_size);

void manifest_free(struct manifest *m);

/* Tells whether `format` names a TCG event log: tcg-crypto-agile or tcg-sha1. */
bool manifest_format_is_tcg_log(const char *format);

/* Tells whether `format` names an IMA measurement list: ima-binary or ima-ascii. */
bool manifest_format_is_ima(const char *format);

/* Counts the files of `m` that are TCG event logs, and stores the first
 * in `*first` when `first` is not NULL. */
size_t manifest_count_tcg_logs(const struct manifest *m, const struct manifest_file **first);

/* Tells whether MISMATCH lists BANK:PCR. */
bool manifest_lists_mismatch(const struct manifest *m, const char *bank, uint32_t pcr);

/*
 * Returns the first quirk that mentions BANK:PCR or "PCR N" (case
 * ignored), or NULL if no quirk does.
 */
const char *manifest_quirk_for(const struct manifest *m, const char *bank, uint32_t pcr);

/*
 * Lists the subfolders of `root` that contain a MANIFEST.yaml, sorted by
 * name, as newly allocated names in `*names`. Returns how many, or -1 if
 * `root` cannot be read. Free with manifest_free_names().
 */
long manifest_list_vectors(const char *root, char ***names);

void manifest_free_names(char **names, long count);

#endif
