/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_ALG_H
#define PCRSIM_ALG_H

#include <stddef.h>
#include <stdint.h>

/*
 * TPM hash algorithms as the TCG Algorithm Registry numbers them
 * (TPM_ALG_ID). `openssl_name` is the name OpenSSL 3 fetches the digest
 * by, NULL when pcrsim does not hash with it.
 */
struct pcrsim_alg_info {
        uint16_t id;
        uint16_t digest_size;
        const char *name;         /* pcrsim's bank name, e.g. "sha256" */
        const char *openssl_name; /* e.g. "SHA256" */
};

/* Returns the entry for a TPM_ALG_ID, or NULL if pcrsim does not know it. */
const struct pcrsim_alg_info *pcrsim_alg_by_id(uint16_t id);

/* Returns the entry for a bank name such as "sha256", or NULL. */
const struct pcrsim_alg_info *pcrsim_alg_by_name(const char *name);

/* Returns the table of known algorithms and stores its length in `*count`. */
const struct pcrsim_alg_info *pcrsim_alg_table(size_t *count);

/*
 * Writes the bank name of `id` into `buf`: the known name, or
 * "alg_0x%04x" for an unknown id. Always NUL-terminates.
 */
void pcrsim_alg_name(uint16_t id, char *buf, size_t size);

#endif
