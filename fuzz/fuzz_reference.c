/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the reference value readers. The first byte picks the
 * format (detected or named) and the candidate banks; the rest is the
 * file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Candidate bank sets: none (the default), SHA-256, SHA-384, SHA-1 with
 * SHA-256. */
static const uint16_t bank_sets[4][2] = { { 0, 0 }, { 0x000B, 0 }, { 0x000C, 0 }, { 0x0004, 0x000B } };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcrsim_ref_options opts = { 0 };
        struct pcrsim_reference *ref;
        struct pcrsim_error err;
        unsigned format, banks;

        if (size < 1)
                return 0;
        format = (data[0] & 0x0F) % PCRSIM_REF_FORMAT_COUNT;
        banks = (data[0] >> 4) & 3;
        opts.format = format == PCRSIM_REF_SYSFS ? PCRSIM_REF_AUTO : (enum pcrsim_ref_format)format;
        for (unsigned i = 0; i < 2; i++)
                if (bank_sets[banks][i])
                        opts.banks[opts.bank_count++] = bank_sets[banks][i];
        ref = malloc(sizeof(*ref));
        if (!ref)
                return 0;
        pcrsim_error_clear(&err);
        if (pcrsim_reference_parse(data + 1, size - 1, &opts, ref, &err) == PCRSIM_OK &&
            (ref->value_count == 0 || ref->value_count > PCRSIM_MAX_REFERENCE_VALUES))
                __builtin_trap(); /* success means at least one value, within the limit */
        free(ref);
        return 0;
}
