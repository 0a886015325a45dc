/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "pcrsim/alg.h"
#include "sim/hash.h"
#include "sim/ima_internal.h"

#define BOOT_AGGREGATE_NAME "boot_aggregate"

bool pcrsim_is_boot_aggregate(const struct pcrsim_ima_entry *entry)
{
        for (uint32_t i = 0; i < entry->field_count; i++) {
                const struct pcrsim_ima_field *f = &entry->fields[i];
                size_t len = strlen(BOOT_AGGREGATE_NAME);

                if (strcmp(f->id, "n-ng") != 0 && strcmp(f->id, "n") != 0)
                        continue;
                /* n-ng ends in a NUL, n does not. */
                return (f->size == len || (f->size == len + 1 && f->data[len] == '\0')) &&
                       memcmp(f->data, BOOT_AGGREGATE_NAME, len) == 0;
        }
        return false;
}

/* Maps a kernel hash algorithm name (crypto/hash_info.c) to a TPM_ALG_ID. */
static uint16_t alg_from_kernel_name(const char *name)
{
        const struct pcrsim_alg_info *info;

        if (strcmp(name, "sm3") == 0)
                name = "sm3_256";
        info = pcrsim_alg_by_name(name);
        return info ? info->id : 0;
}

/* Finds the entry's digest: the d-ng field's algorithm and digest, or the
 * SHA-1 d field of the "ima" template. */
static bool entry_digest(const struct pcrsim_ima_entry *entry, struct pcrsim_boot_aggregate *out)
{
        const uint8_t *digest = NULL;
        uint32_t size = 0;

        for (uint32_t i = 0; i < entry->field_count && !digest; i++) {
                const struct pcrsim_ima_field *f = &entry->fields[i];

                if (strcmp(f->id, "d") == 0) {
                        strcpy(out->algo, "sha1");
                        digest = f->data;
                        size = f->size;
                } else if (strcmp(f->id, "d-ng") == 0 || strcmp(f->id, "d-ngv2") == 0) {
                        if (!pcrsim_ima_digest_field(f, out->algo, sizeof(out->algo), &digest,
                                                     &size))
                                return false;
                }
        }
        if (!digest || size == 0 || size > PCRSIM_MAX_DIGEST_SIZE)
                return false;
        out->alg = alg_from_kernel_name(out->algo);
        out->size = (uint16_t)size;
        memcpy(out->logged, digest, size);
        return true;
}

static bool all_zero(const uint8_t *p, size_t size)
{
        for (size_t i = 0; i < size; i++)
                if (p[i])
                        return false;
        return true;
}

/* PCRs 0-9 whose replayed value cannot be trusted: never extended by the
 * firmware log (0-7 always are on a UEFI boot, 8-9 are in non-SHA-1
 * aggregates), or lacking digests in this bank. */
static uint32_t suspect_pcrs(const struct pcrsim_replay_bank *bank, bool with_8_9)
{
        uint32_t range = with_8_9 ? 0x3ffu : 0xffu;

        return (~bank->touched | bank->missing_pcrs) & range;
}

enum pcrsim_error_code pcrsim_check_boot_aggregate(const struct pcrsim_ima_entry *entry,
                                                   const struct pcrsim_replay *firmware,
                                                   struct pcrsim_boot_aggregate *out,
                                                   struct pcrsim_error *err)
{
        const struct pcrsim_replay_bank *bank;
        struct pcrsim_hasher h;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        if (!pcrsim_is_boot_aggregate(entry)) {
                out->verdict = PCRSIM_BOOT_AGGREGATE_NO_ENTRY;
                return PCRSIM_OK;
        }
        if (!entry_digest(entry, out)) {
                out->verdict = PCRSIM_BOOT_AGGREGATE_UNDECODABLE;
                return PCRSIM_OK;
        }
        if (all_zero(out->logged, out->size)) {
                out->verdict = PCRSIM_BOOT_AGGREGATE_NO_TPM;
                return PCRSIM_OK;
        }
        if (!firmware) {
                out->verdict = PCRSIM_BOOT_AGGREGATE_NOT_CHECKED;
                return PCRSIM_OK;
        }
        bank = out->alg ? pcrsim_replay_bank(firmware, out->alg) : NULL;
        if (!bank || !bank->hashable || bank->size != out->size) {
                out->verdict = PCRSIM_BOOT_AGGREGATE_NO_BANK;
                return PCRSIM_OK;
        }
        rc = pcrsim_hasher_init(&h, bank->alg, err);
        if (!rc)
                rc = pcrsim_hasher_concat(&h, bank->values, 8, out->over_0_7, err);
        if (!rc)
                rc = pcrsim_hasher_concat(&h, bank->values, 10, out->over_0_9, err);
        pcrsim_hasher_free(&h);
        if (rc)
                return rc;
        if (memcmp(out->over_0_9, out->logged, out->size) == 0)
                out->verdict = PCRSIM_BOOT_AGGREGATE_MATCH_0_9;
        else if (memcmp(out->over_0_7, out->logged, out->size) == 0)
                out->verdict = PCRSIM_BOOT_AGGREGATE_MATCH_0_7;
        else
                out->verdict = PCRSIM_BOOT_AGGREGATE_MISMATCH;
        if (out->verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH)
                out->suspect_pcrs = suspect_pcrs(bank, out->alg != 0x0004);
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_boot_aggregate_value(const struct pcrsim_replay *firmware, uint16_t alg,
                                                   uint32_t last_pcr, uint8_t *out, uint16_t *size,
                                                   struct pcrsim_error *err)
{
        const struct pcrsim_replay_bank *bank = pcrsim_replay_bank(firmware, alg);
        uint32_t range = (1u << (last_pcr + 1)) - 1;
        struct pcrsim_hasher h;
        enum pcrsim_error_code rc;

        if (last_pcr != 7 && last_pcr != 9)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "a boot_aggregate covers PCRs 0-7 or 0-9, not 0-%u", last_pcr);
        if (!bank || !bank->hashable || !pcrsim_replay_bank_complete(bank, range))
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the boot has no complete bank 0x%04x for PCRs 0-%u", alg, last_pcr);
        rc = pcrsim_hasher_init(&h, alg, err);
        if (!rc)
                rc = pcrsim_hasher_concat(&h, bank->values, last_pcr + 1, out, err);
        pcrsim_hasher_free(&h);
        if (!rc)
                *size = bank->size;
        return rc;
}
