/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_EVENTLOG_IMA_INTERNAL_H
#define PCRSIM_EVENTLOG_IMA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "eventlog/source.h"
#include "pcrsim/ima.h"

/* Internal to the IMA readers. */

/* The legacy "ima" template hashes the file name padded to this size:
 * IMA_EVENT_NAME_LEN_MAX + 1 in the kernel. */
#define IMA_LEGACY_NAME_SIZE 256u
#define IMA_LEGACY_DIGEST_SIZE 20u

struct pcrsim_ima_list {
        struct pcrsim_source src;
        struct pcrsim_ima_options opts;
        struct pcrsim_ima_list_info info;
        uint16_t digest_size;   /* template digest size of a binary list */
        uint64_t next_index;
        uint64_t next_line;     /* ASCII lists */
        bool failed;
        bool done;
        uint8_t *scratch;       /* rebuilt or padded template data */
        size_t scratch_cap;
};

/* Makes `list->scratch` hold at least `size` bytes. */
enum pcrsim_error_code pcrsim_ima_scratch(struct pcrsim_ima_list *list, size_t size,
                                          struct pcrsim_error *err);

/*
 * Splits the template data of a non-legacy entry into fields by the
 * template's field list, reading each field's u32 length in `order`.
 * Sets unknown_template or field_error on the entry instead of failing.
 */
void pcrsim_ima_decode_fields(struct pcrsim_ima_entry *entry,
                              enum pcrsim_byte_order order);

/* Reads the next ASCII entry; see pcrsim_ima_list_next(). */
enum pcrsim_error_code pcrsim_ima_ascii_next(struct pcrsim_ima_list *list,
                                             struct pcrsim_ima_entry *entry,
                                             bool *have_entry,
                                             struct pcrsim_error *err);

/* Returns the TPM_ALG_ID of the template digest on the first line of an
 * ASCII list (from the length of its hex column), or 0. */
uint16_t pcrsim_ima_ascii_digest_alg(const uint8_t *text, size_t size);

/* Tells whether a template name has only letters, digits, '-', '_' and
 * '|', as built-in names and field lists do. */
bool pcrsim_ima_template_name_valid(const uint8_t *name, size_t len);

/* Returns the TPM_ALG_ID of a template digest size, or 0. */
uint16_t pcrsim_ima_alg_for_size(uint32_t size);

#endif
