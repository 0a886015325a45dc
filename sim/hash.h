/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_SIM_HASH_H
#define PCRSIM_SIM_HASH_H

#include <stdint.h>

#include <openssl/evp.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"

/* Internal to the engine: hashing through OpenSSL. */

/* Fetches the OpenSSL digest of a TPM algorithm, NULL if unavailable.
 * The caller frees it with EVP_MD_free(). */
EVP_MD *pcrsim_hash_fetch(uint16_t alg);

/* value = H(value || digest), both of H's size. */
enum pcrsim_error_code pcrsim_hash_extend(EVP_MD *md, uint8_t *value,
                                          const uint8_t *digest,
                                          struct pcrsim_error *err);

/* A hash function with a reusable context, for hashing many inputs. */
struct pcrsim_hasher {
        EVP_MD *md;       /* NULL when OpenSSL lacks the algorithm */
        EVP_MD_CTX *ctx;
        uint16_t size;
};

/* Prepares `h` for algorithm `alg`. Leaves h->md NULL, and succeeds, when
 * OpenSSL lacks it; fails only when memory runs out. */
enum pcrsim_error_code pcrsim_hasher_init(struct pcrsim_hasher *h, uint16_t alg,
                                          struct pcrsim_error *err);
void pcrsim_hasher_free(struct pcrsim_hasher *h);

/* out = H(data); `out` has room for h->size bytes. */
enum pcrsim_error_code pcrsim_hasher_digest(struct pcrsim_hasher *h, const void *data,
                                            size_t size, uint8_t *out,
                                            struct pcrsim_error *err);

/* value = H(value || digest), both h->size bytes. */
enum pcrsim_error_code pcrsim_hasher_extend(struct pcrsim_hasher *h, uint8_t *value,
                                            const uint8_t *digest,
                                            struct pcrsim_error *err);

/* out = H(values[0] || ... || values[count - 1]), each h->size bytes. */
enum pcrsim_error_code pcrsim_hasher_concat(struct pcrsim_hasher *h,
                                            const uint8_t (*values)[PCRSIM_MAX_DIGEST_SIZE],
                                            uint32_t count, uint8_t *out,
                                            struct pcrsim_error *err);

#endif
