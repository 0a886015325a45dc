/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include <tss2/tss2_tpm2_types.h>

#include "pcrsim/alg.h"

/* Digest sizes from the TCG Algorithm Registry; ids from tpm2-tss. */
static const struct pcrsim_alg_info algs[] = {
        { TPM2_ALG_SHA1, 20, "sha1", "SHA1" },
        { TPM2_ALG_SHA256, 32, "sha256", "SHA256" },
        { TPM2_ALG_SHA384, 48, "sha384", "SHA384" },
        { TPM2_ALG_SHA512, 64, "sha512", "SHA512" },
        { TPM2_ALG_SM3_256, 32, "sm3_256", "SM3" },
        { TPM2_ALG_SHA3_256, 32, "sha3_256", "SHA3-256" },
        { TPM2_ALG_SHA3_384, 48, "sha3_384", "SHA3-384" },
        { TPM2_ALG_SHA3_512, 64, "sha3_512", "SHA3-512" },
};

const struct pcrsim_alg_info *pcrsim_alg_by_id(uint16_t id)
{
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
                if (algs[i].id == id)
                        return &algs[i];
        return NULL;
}

const struct pcrsim_alg_info *pcrsim_alg_by_name(const char *name)
{
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
                if (strcmp(algs[i].name, name) == 0)
                        return &algs[i];
        return NULL;
}

const struct pcrsim_alg_info *pcrsim_alg_table(size_t *count)
{
        *count = sizeof(algs) / sizeof(algs[0]);
        return algs;
}

void pcrsim_alg_name(uint16_t id, char *buf, size_t size)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(id);

        if (info)
                snprintf(buf, size, "%s", info->name);
        else
                snprintf(buf, size, "alg_0x%04x", id);
}
