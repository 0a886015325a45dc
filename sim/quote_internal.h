/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_SIM_QUOTE_INTERNAL_H
#define PCRSIM_SIM_QUOTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* tss2_mu.h declares functions on TPMS_ALGORITHM_DESCRIPTION, which the
 * tpm2-tss 3.2 headers mark deprecated, so including it warns. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <tss2/tss2_mu.h>
#pragma GCC diagnostic pop

#include <openssl/evp.h>

#include "pcrsim/error.h"
#include "pcrsim/quote.h"

/* Internal to the quote module: the parsed inputs. */

struct pcrsim_quote_attest {
        uint8_t *bytes; /* the input, which the signature covers */
        size_t size;
        /* attested.quote is set only when is_quote is true. */
        TPMS_ATTEST attest;
        bool is_quote;
        size_t pcr_select_offset; /* input offset of attested.quote.pcrSelect */
};

struct pcrsim_quote_signature {
        TPMT_SIGNATURE sig;
};

struct pcrsim_quote_key {
        enum pcrsim_quote_key_format format;
        EVP_PKEY *pkey;
        /* Set only for PCRSIM_QUOTE_KEY_TPM2B_PUBLIC. */
        TPMT_PUBLIC public_area;
};

/*
 * Fills `err` for a libtss2-mu failure `rc` on `field`, which starts at
 * `offset` of the structure `structure`, and returns PCRSIM_ERR_INVALID.
 */
enum pcrsim_error_code pcrsim_quote_mu_failed(TSS2_RC rc, const char *structure,
                                              const char *field, size_t offset,
                                              struct pcrsim_error *err);

/* Converts one TPMS_PCR_SELECTION bitmap into a PCR list. Fails with
 * PCRSIM_ERR_UNSUPPORTED, at `offset`, for a PCR above 23. */
enum pcrsim_error_code pcrsim_quote_bank_from_bitmap(uint16_t alg, const uint8_t *bitmap,
                                                     uint8_t bitmap_size,
                                                     struct pcrsim_quote_bank_selection *bank,
                                                     uint64_t offset,
                                                     struct pcrsim_error *err);

/* Stores a verdict and a message in `check`. */
void pcrsim_quote_set_check(struct pcrsim_quote_check *check,
                            enum pcrsim_quote_verdict verdict, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Checks the signature of `attest` with `key` and stores the verdict in
 * `check`. Fails only when memory runs out or OpenSSL breaks. */
enum pcrsim_error_code pcrsim_quote_check_signature(const struct pcrsim_quote_attest *attest,
                                                    const struct pcrsim_quote_signature *sig,
                                                    const struct pcrsim_quote_key *key,
                                                    struct pcrsim_quote_check *check,
                                                    struct pcrsim_error *err);

#endif
