/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_PCRS_H
#define PCRSIM_PCRS_H

#include <stdbool.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"

/*
 * A set of PCR values per bank: what replay produces, what the writers
 * print, and later what reference readers return. A bank contains up to
 * 24 values, and `present` marks the PCRs that the set contains.
 */
struct pcrsim_pcr_value {
        bool present;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint32_t extend_count; /* events extended into this PCR by replay */
        /* Some events of this PCR lacked a digest in this bank, so the
         * value is not what a TPM would hold. */
        bool partial;
};

struct pcrsim_pcr_bank {
        uint16_t alg;
        uint16_t size;
        struct pcrsim_pcr_value pcrs[PCRSIM_PCR_COUNT];
};

struct pcrsim_pcr_set {
        uint32_t bank_count;
        struct pcrsim_pcr_bank banks[PCRSIM_MAX_ALGORITHMS];
};

/*
 * Sets `value` to a PCR's reset value as the TCG PC Client Platform TPM
 * Profile defines it: all zero for PCRs 0-16 and 23, all ones for PCRs
 * 17-22 (the D-RTM PCRs, which only a dynamic launch resets to zero).
 */
void pcrsim_pcr_reset_value(uint32_t pcr, uint8_t *value, uint16_t size);

/*
 * Extends `value` in place: value = H(value || digest), with H the hash of
 * algorithm `alg` and both inputs of the algorithm's digest size. Fails
 * with PCRSIM_ERR_UNSUPPORTED when OpenSSL does not provide the hash.
 */
enum pcrsim_error_code pcrsim_pcr_extend(uint16_t alg, uint8_t *value,
                                         const uint8_t *digest,
                                         struct pcrsim_error *err);

/* Tells whether OpenSSL provides the hash of `alg` in this process. */
bool pcrsim_alg_available(uint16_t alg);

#endif
