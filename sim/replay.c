/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <openssl/evp.h>

#include "pcrsim/replay.h"
#include "sim/hash.h"

/* No PCR: Windows logs records with this index that extend nothing. */
#define PCR_INDEX_NONE 0xFFFFFFFFu

/* StartupLocality event data: this 16-byte signature, then the locality
 * byte (TCG PC Client Platform Firmware Profile, "Startup Locality
 * Event"). Some firmware pads the structure. */
#define STARTUP_LOCALITY_SIGNATURE "StartupLocality"
#define STARTUP_LOCALITY_SIZE 17u

/* PCR 0 starts at 00..04 when an H-CRTM sequence ran before TPM2_Startup:
 * the locality-4 indicator of TPM 2.0 Part 1, "PCR Initialization". */
#define HCRTM_LOCALITY 4u

static enum pcrsim_error_code init_banks(struct pcrsim_replay *out,
                                         const struct pcrsim_tcglog *log,
                                         struct pcrsim_hasher *hashers,
                                         struct pcrsim_error *err)
{
        const struct pcrsim_specid *specid = pcrsim_tcglog_specid(log);

        if (specid) {
                out->has_specid = true;
                out->specid = *specid;
                out->bank_count = specid->alg_count;
                for (uint32_t i = 0; i < specid->alg_count; i++) {
                        out->banks[i].alg = specid->algs[i].alg;
                        out->banks[i].size = specid->algs[i].size;
                }
        } else {
                out->bank_count = 1;
                out->banks[0].alg = 0x0004;
                out->banks[0].size = 20;
        }
        for (uint32_t i = 0; i < out->bank_count; i++) {
                struct pcrsim_replay_bank *bank = &out->banks[i];

                /* One context per bank, reused for every extend. */
                if (pcrsim_hasher_init(&hashers[i], bank->alg, err))
                        return PCRSIM_ERR_NOMEM;
                bank->hashable = hashers[i].md != NULL;
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        pcrsim_pcr_reset_value(pcr, bank->values[pcr], bank->size);
                        bank->first_missing_event[pcr] = PCRSIM_NO_RECORD;
                }
        }
        return PCRSIM_OK;
}

static bool pcr0_extended(const struct pcrsim_replay *out)
{
        for (uint32_t i = 0; i < out->bank_count; i++)
                if (out->banks[i].touched & 1u)
                        return true;
        return false;
}

/* Sets PCR 0's initial value in every bank, if nothing has set or
 * extended it yet; otherwise reports the event as ignored. */
static bool set_pcr0_start(struct pcrsim_replay *out, const struct pcrsim_event *ev,
                           enum pcrsim_pcr0_start how, uint8_t locality)
{
        if (out->pcr0_start != PCRSIM_PCR0_RESET || pcr0_extended(out)) {
                if (out->ignored_start_events++ == 0)
                        out->first_ignored_start_event = ev->index;
                return false;
        }
        out->pcr0_start = how;
        out->locality = locality;
        out->pcr0_start_event = ev->index;
        for (uint32_t i = 0; i < out->bank_count; i++) {
                struct pcrsim_replay_bank *bank = &out->banks[i];

                memset(bank->values[0], 0, bank->size);
                bank->values[0][bank->size - 1] = locality;
        }
        return true;
}

static enum pcrsim_error_code check_startup_locality(struct pcrsim_replay *out,
                                                     const struct pcrsim_event *ev,
                                                     struct pcrsim_error *err)
{
        uint64_t at = ev->data_offset + sizeof(STARTUP_LOCALITY_SIGNATURE);
        uint8_t locality;

        if (ev->pcr != 0 || ev->data_size < sizeof(STARTUP_LOCALITY_SIGNATURE) ||
            memcmp(ev->data, STARTUP_LOCALITY_SIGNATURE,
                   sizeof(STARTUP_LOCALITY_SIGNATURE)) != 0)
                return PCRSIM_OK;
        if (ev->data_size < STARTUP_LOCALITY_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "StartupLocality",
                                        "the StartupLocality event has no locality byte");
        /* A TPM has localities 0-4; anything else cannot be PCR 0's start. */
        locality = ev->data[STARTUP_LOCALITY_SIZE - 1];
        if (locality > 4)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "StartupLocality",
                                        "StartupLocality %u is not a TPM locality (0-4)",
                                        locality);
        if (set_pcr0_start(out, ev, PCRSIM_PCR0_STARTUP_LOCALITY, locality))
                out->locality_data_size = ev->data_size;
        return PCRSIM_OK;
}

static const struct pcrsim_digest *find_digest(const struct pcrsim_event *ev,
                                               uint16_t alg)
{
        for (uint32_t i = 0; i < ev->digest_count; i++)
                if (ev->digests[i].alg == alg)
                        return &ev->digests[i];
        return NULL;
}

static enum pcrsim_error_code extend_event(struct pcrsim_replay *out,
                                           struct pcrsim_hasher *hashers,
                                           const struct pcrsim_event *ev,
                                           struct pcrsim_error *err)
{
        for (uint32_t i = 0; i < out->bank_count; i++) {
                struct pcrsim_replay_bank *bank = &out->banks[i];
                const struct pcrsim_digest *d = find_digest(ev, bank->alg);
                enum pcrsim_error_code rc;

                if (!d) {
                        if (!(bank->missing_pcrs & (1u << ev->pcr))) {
                                bank->first_missing_event[ev->pcr] = ev->index;
                                bank->first_missing_offset[ev->pcr] = ev->offset;
                        }
                        bank->missing_pcrs |= 1u << ev->pcr;
                        continue;
                }
                bank->touched |= 1u << ev->pcr;
                bank->extend_count[ev->pcr]++;
                if (!hashers[i].md)
                        continue;
                rc = pcrsim_hasher_extend(&hashers[i], bank->values[ev->pcr], d->bytes, err);
                if (rc) {
                        if (err)
                                err->record = ev->index;
                        return rc;
                }
        }
        out->extended_count++;
        return PCRSIM_OK;
}

static enum pcrsim_error_code replay_event(struct pcrsim_replay *out,
                                           struct pcrsim_hasher *hashers,
                                           const struct pcrsim_event *ev,
                                           struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;

        out->record_count++;
        if (ev->type == PCRSIM_EV_NO_ACTION) {
                out->no_action_count++;
                rc = check_startup_locality(out, ev, err);
                if (rc && err)
                        err->record = ev->index;
                return rc;
        }
        if (ev->pcr == PCR_INDEX_NONE) {
                if (out->no_pcr_count++ == 0)
                        out->first_no_pcr_event = ev->index;
                return PCRSIM_OK;
        }
        if (ev->pcr >= PCRSIM_PCR_COUNT) {
                pcrsim_error_set(err, PCRSIM_ERR_INVALID, ev->offset, "PCR index",
                                 "PCR index %u is outside 0-%u", ev->pcr,
                                 PCRSIM_PCR_COUNT - 1);
                if (err)
                        err->record = ev->index;
                return PCRSIM_ERR_INVALID;
        }
        if (ev->type == PCRSIM_EV_EFI_HCRTM_EVENT && ev->pcr == 0)
                set_pcr0_start(out, ev, PCRSIM_PCR0_HCRTM, HCRTM_LOCALITY);
        return extend_event(out, hashers, ev, err);
}

enum pcrsim_error_code pcrsim_replay_tcglog(struct pcrsim_tcglog *log,
                                            struct pcrsim_replay *out,
                                            struct pcrsim_error *err)
{
        struct pcrsim_hasher hashers[PCRSIM_MAX_ALGORITHMS] = { 0 };
        enum pcrsim_error_code rc;
        struct pcrsim_event ev;
        bool have_event;

        memset(out, 0, sizeof(*out));
        out->format = pcrsim_tcglog_format(log);
        out->first_no_pcr_event = PCRSIM_NO_RECORD;
        out->pcr0_start_event = PCRSIM_NO_RECORD;
        out->first_ignored_start_event = PCRSIM_NO_RECORD;
        rc = init_banks(out, log, hashers, err);
        while (!rc) {
                rc = pcrsim_tcglog_next(log, &ev, &have_event, err);
                if (rc || !have_event)
                        break;
                rc = replay_event(out, hashers, &ev, err);
                if (rc)
                        break;
        }
        if (!rc)
                out->zero_padding = pcrsim_tcglog_zero_padding(log, &out->padding_offset,
                                                               &out->padding_size);
        for (uint32_t i = 0; i < PCRSIM_MAX_ALGORITHMS; i++)
                pcrsim_hasher_free(&hashers[i]);
        return rc;
}

const struct pcrsim_replay_bank *
pcrsim_replay_bank(const struct pcrsim_replay *replay, uint16_t alg)
{
        for (uint32_t i = 0; i < replay->bank_count; i++)
                if (replay->banks[i].alg == alg)
                        return &replay->banks[i];
        return NULL;
}

bool pcrsim_replay_bank_complete(const struct pcrsim_replay_bank *bank,
                                 uint32_t pcr_mask)
{
        return bank->hashable && (bank->missing_pcrs & pcr_mask) == 0;
}

enum pcrsim_error_code pcrsim_replay_add_to_set(const struct pcrsim_replay_bank *bank,
                                                uint32_t pcr_mask,
                                                struct pcrsim_pcr_set *set,
                                                struct pcrsim_error *err)
{
        struct pcrsim_pcr_bank *dst;

        if (set->bank_count >= PCRSIM_MAX_ALGORITHMS)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                        "a PCR set holds at most %u banks",
                                        PCRSIM_MAX_ALGORITHMS);
        dst = &set->banks[set->bank_count++];
        memset(dst, 0, sizeof(*dst));
        dst->alg = bank->alg;
        dst->size = bank->size;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                if (!(pcr_mask & (1u << pcr)))
                        continue;
                dst->pcrs[pcr].present = true;
                dst->pcrs[pcr].partial = (bank->missing_pcrs & (1u << pcr)) != 0;
                dst->pcrs[pcr].extend_count = bank->extend_count[pcr];
                memcpy(dst->pcrs[pcr].digest, bank->values[pcr], bank->size);
        }
        return PCRSIM_OK;
}
