/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_IMA_H
#define PCRSIM_IMA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"

/*
 * Linux IMA measurement lists: the binary form of
 * /sys/kernel/security/ima/binary_runtime_measurements (and its per-bank
 * variants binary_runtime_measurements_sha256 and so on) and the ASCII
 * form of ascii_runtime_measurements.
 */

enum pcrsim_ima_list_format {
        PCRSIM_IMA_BINARY,
        PCRSIM_IMA_ASCII,
};

enum pcrsim_byte_order {
        PCRSIM_BYTE_ORDER_AUTO, /* detect from the first entry */
        PCRSIM_BYTE_ORDER_LITTLE,
        PCRSIM_BYTE_ORDER_BIG,
};

struct pcrsim_ima_options {
        /* TPM_ALG_ID of the template digests of a binary list, 0 to detect
         * it from the first entry. ASCII lists give it by the digest's
         * length (SHA-1 in the kernel's ASCII output). */
        uint16_t digest_alg;
        enum pcrsim_byte_order byte_order;
        /* Replay the complete entries of a list that ends in a partial one
         * instead of failing. */
        bool allow_partial_tail;
};

/* One field of a template, borrowed from the entry's template data. */
struct pcrsim_ima_field {
        char id[16];        /* "d-ng", "n-ng", "sig", ... */
        const uint8_t *data;
        uint32_t size;
};

/*
 * One IMA entry. `data` is the template data as the kernel hashes it, and
 * is borrowed from the walker until the next call:
 * - for the legacy "ima" template, the 20-byte digest and the file name
 *   padded with zero bytes to 256 bytes;
 * - for other templates of a binary list, the template data as logged;
 * - for an ASCII list, the template data rebuilt from the fields, with
 *   little-endian field lengths.
 */
struct pcrsim_ima_entry {
        uint64_t index;    /* zero-based entry number */
        uint64_t offset;   /* input offset of the entry's first byte */
        uint64_t line;     /* ASCII lists: one-based line number */
        uint32_t pcr;
        uint16_t digest_size;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE]; /* template digest as logged */
        char template_name[PCRSIM_MAX_IMA_TEMPLATE_NAME + 1];
        bool legacy_ima;   /* the "ima" template */
        /* The template name is neither a known template nor a field list
         * that pcrsim can decode, so `fields` is empty. */
        bool unknown_template;
        const uint8_t *data;
        uint32_t data_size;
        /* Why the fields do not decode, empty when they do. The template
         * hash is over the raw data either way. */
        char field_error[128];
        uint32_t field_count;
        struct pcrsim_ima_field fields[PCRSIM_MAX_IMA_FIELDS];
};

struct pcrsim_ima_list;

/*
 * Opens a walker over a binary or ASCII IMA list, telling the two apart by
 * the first byte: an ASCII list starts with its PCR index in decimal,
 * right-aligned in two columns (" 9" or "10"). For a binary list it detects the template digest size and the
 * byte order from the first entry unless `opts` gives them. The caller
 * keeps `file` open, or `data` alive, until pcrsim_ima_list_free().
 */
enum pcrsim_error_code pcrsim_ima_list_open_file(FILE *file,
                                                 const struct pcrsim_ima_options *opts,
                                                 struct pcrsim_ima_list **out,
                                                 struct pcrsim_error *err);
enum pcrsim_error_code pcrsim_ima_list_open_memory(const void *data, size_t size,
                                                   const struct pcrsim_ima_options *opts,
                                                   struct pcrsim_ima_list **out,
                                                   struct pcrsim_error *err);
void pcrsim_ima_list_free(struct pcrsim_ima_list *list);

/*
 * Reads the next entry into `*entry` and sets `*have_entry`, or sets it to
 * false at the end of the list. On error `err` names the offset (and the
 * line of an ASCII list), the entry index and the field.
 */
enum pcrsim_error_code pcrsim_ima_list_next(struct pcrsim_ima_list *list,
                                            struct pcrsim_ima_entry *entry,
                                            bool *have_entry,
                                            struct pcrsim_error *err);

/* Format facts that the walker detected or took from the options, for
 * reports. */
struct pcrsim_ima_list_info {
        enum pcrsim_ima_list_format format;
        uint16_t digest_alg;       /* TPM_ALG_ID of the template digests */
        bool digest_alg_detected;  /* false when the options gave it */
        enum pcrsim_byte_order byte_order; /* LITTLE or BIG */
        bool byte_order_detected;
        /* After the end: bytes of a partial last entry that were left out
         * because of allow_partial_tail, and where they start. */
        uint64_t partial_tail_size;
        uint64_t partial_tail_offset;
};

void pcrsim_ima_list_info(const struct pcrsim_ima_list *list,
                          struct pcrsim_ima_list_info *info);

/*
 * Returns the field list of a known template name ("ima-ng" gives
 * "d-ng|n-ng"), the name itself when it is a field list of known fields,
 * or NULL.
 */
const char *pcrsim_ima_template_fields(const char *template_name);

/*
 * Decodes a d-ng, d-ngv2 or d-modsig field into its hash algorithm name
 * (such as "sha256", written to `algo`) and digest. Returns false when the
 * field has no "algo:" prefix and NUL before the digest.
 */
bool pcrsim_ima_digest_field(const struct pcrsim_ima_field *field, char *algo,
                             size_t algo_size, const uint8_t **digest,
                             uint32_t *digest_size);

#endif
