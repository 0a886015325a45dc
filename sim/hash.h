/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_SIM_HASH_H
#define PCRSIM_SIM_HASH_H

#include <stdint.h>

#include <openssl/evp.h>

#include "pcrsim/error.h"

/* Internal to the engine: hashing through OpenSSL. */

/* Fetches the OpenSSL digest of a TPM algorithm, NULL if unavailable.
 * The caller frees it with EVP_MD_free(). */
EVP_MD *pcrsim_hash_fetch(uint16_t alg);

/* value = H(value || digest), both of H's size. */
enum pcrsim_error_code pcrsim_hash_extend(EVP_MD *md, uint8_t *value,
                                          const uint8_t *digest,
                                          struct pcrsim_error *err);

#endif
