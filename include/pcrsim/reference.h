/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_REFERENCE_H
#define PCRSIM_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/pcrs.h"

/*
 * Readers of reference PCR values: the values that real nodes report or
 * that verifiers expect, in the shapes they come in. Every reader returns
 * a struct pcrsim_reference.
 */

enum pcrsim_ref_format {
        PCRSIM_REF_AUTO = 0,
        /* JSON or YAML map of PCR index to base64, as Constellation's
         * pcr-reader prints it. */
        PCRSIM_REF_PCR_READER_JSON,
        PCRSIM_REF_PCR_READER_YAML,
        /* JSON or YAML map of PCR index to {"expected": hex, "warnOnly":
         * bool} or to a bare hex string, which is enforced. */
        PCRSIM_REF_MEASUREMENTS_JSON,
        PCRSIM_REF_MEASUREMENTS_YAML,
        /* A larger YAML document with the values in its first
         * `measurements:` mapping, in any of the encodings above. */
        PCRSIM_REF_CONFIG_YAML,
        /* tpm2_pcrread output: bank names mapping PCR indices to 0x hex. */
        PCRSIM_REF_TPM2_PCRREAD_YAML,
        /* A folder laid out like /sys/class/tpm/tpm0, or one of its
         * pcr-BANK folders: one file per PCR holding its value in hex. */
        PCRSIM_REF_SYSFS,
        /* Lines of "BANK INDEX HEX", with '#' comments. */
        PCRSIM_REF_TEXT,
        /* Go source with a map[uint32][]byte literal. */
        PCRSIM_REF_GO,
        /* The binary PCR file of tpm2_quote -o (pcrsim_quote_pcr_file_parse). */
        PCRSIM_REF_TPM2_PCRS,
        PCRSIM_REF_FORMAT_COUNT,
};

/* Encoding of the values of a JSON or YAML map. */
enum pcrsim_ref_encoding {
        PCRSIM_REF_ENCODING_NONE = 0, /* not a text encoding (Go, binary) */
        PCRSIM_REF_ENCODING_HEX,
        PCRSIM_REF_ENCODING_BASE64,
};

struct pcrsim_reference {
        struct pcrsim_pcr_set set;
        /* warn_only[b][pcr]: a difference in this PCR is only a warning.
         * `b` indexes set.banks. */
        bool warn_only[PCRSIM_MAX_ALGORITHMS][PCRSIM_PCR_COUNT];
        enum pcrsim_ref_format format;
        bool format_detected;      /* false when the caller named it */
        enum pcrsim_ref_encoding encoding;
        uint32_t value_count;
};

struct pcrsim_ref_options {
        enum pcrsim_ref_format format; /* PCRSIM_REF_AUTO detects it */
        /*
         * Banks that the values may belong to, as TPM_ALG_IDs. A value
         * whose bank the file does not name is read as the bank of these
         * whose digest size fits its length. With none given, every known
         * bank is a candidate. A value that fits two candidates (64
         * characters are SHA-256 in hex or SHA-384 in base64) is an error
         * whose message requests --bank or --expected-format.
         */
        uint32_t bank_count;
        uint16_t banks[PCRSIM_MAX_ALGORITHMS];
};

/*
 * Reads reference values from `path`: a file, a sysfs-like folder, or "-"
 * for standard input. `err` gets the byte offset of the offending value
 * and a message with its line and column where the format has lines.
 */
enum pcrsim_error_code pcrsim_reference_read(const char *path, const struct pcrsim_ref_options *opts,
                                             struct pcrsim_reference *out,
                                             struct pcrsim_error *err);

/* Reads reference values from a buffer; the format cannot be a folder. */
enum pcrsim_error_code pcrsim_reference_parse(const void *data, size_t size,
                                              const struct pcrsim_ref_options *opts,
                                              struct pcrsim_reference *out,
                                              struct pcrsim_error *err);

/* Returns the name of a format as --expected-format takes it, such as
 * "pcr-reader-json", or NULL. */
const char *pcrsim_ref_format_name(enum pcrsim_ref_format format);

/* Returns the format named `name`, or PCRSIM_REF_FORMAT_COUNT. */
enum pcrsim_ref_format pcrsim_ref_format_by_name(const char *name);

#endif
