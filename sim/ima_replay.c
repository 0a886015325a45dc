/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/alg.h"
#include "sim/hash.h"
#include "sim/ima_internal.h"

#define RULE_PER_BANK 0
#define RULE_SHA1_PADDED 1
#define SHA1_SIZE 20u

/* Working state of one replay. */
struct ima_context {
        const struct pcrsim_ima_replay_options *opts;
        struct pcrsim_ima_replay *out;
        struct pcrsim_hasher bank_hash[PCRSIM_MAX_ALGORITHMS];
        struct pcrsim_hasher list_hash;  /* the list's template digest algorithm */
        struct pcrsim_hasher sha1;       /* for the SHA-1 padded rule */
        bool rules[2];                   /* which rules are being computed */
        bool decided;
        uint64_t prefix[2][PCRSIM_MAX_ALGORITHMS][PCRSIM_PCR_COUNT];
};

static bool all_zero(const uint8_t *p, size_t size)
{
        for (size_t i = 0; i < size; i++)
                if (p[i])
                        return false;
        return true;
}

static enum pcrsim_error_code add_bank(struct ima_context *c, uint16_t alg,
                                       struct pcrsim_error *err)
{
        struct pcrsim_ima_replay *out = c->out;
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(alg);
        const struct pcrsim_replay_bank *fw = c->opts->firmware ?
                pcrsim_replay_bank(c->opts->firmware, alg) : NULL;
        struct pcrsim_ima_bank *bank = &out->banks[out->bank_count];
        struct pcrsim_hasher *h = &c->bank_hash[out->bank_count];
        enum pcrsim_error_code rc;

        rc = pcrsim_hasher_init(h, alg, err);
        if (rc)
                return rc;
        bank->alg = alg;
        bank->size = info ? info->digest_size : (fw ? fw->size : 0);
        bank->hashable = h->md != NULL;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                uint8_t start[PCRSIM_MAX_DIGEST_SIZE];

                if (fw)
                        memcpy(start, fw->values[pcr], fw->size);
                else
                        pcrsim_pcr_reset_value(pcr, start, bank->size);
                memcpy(bank->values[RULE_PER_BANK][pcr], start, bank->size);
                memcpy(bank->values[RULE_SHA1_PADDED][pcr], start, bank->size);
                bank->matching_prefix[pcr] = PCRSIM_NO_RECORD;
                c->prefix[0][out->bank_count][pcr] = PCRSIM_NO_RECORD;
                c->prefix[1][out->bank_count][pcr] = PCRSIM_NO_RECORD;
        }
        out->bank_count++;
        return PCRSIM_OK;
}

static enum pcrsim_error_code init_banks(struct ima_context *c, struct pcrsim_error *err)
{
        const struct pcrsim_ima_replay_options *opts = c->opts;
        enum pcrsim_error_code rc = PCRSIM_OK;

        if (opts->bank_count) {
                for (uint32_t i = 0; !rc && i < opts->bank_count && i < PCRSIM_MAX_ALGORITHMS; i++)
                        rc = add_bank(c, opts->banks[i], err);
        } else if (opts->firmware) {
                for (uint32_t i = 0; !rc && i < opts->firmware->bank_count; i++)
                        rc = add_bank(c, opts->firmware->banks[i].alg, err);
        } else {
                rc = pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                      "an IMA replay needs banks or a firmware log");
        }
        if (!rc)
                rc = pcrsim_hasher_init(&c->list_hash, c->out->info.digest_alg, err);
        if (!rc)
                rc = pcrsim_hasher_init(&c->sha1, 0x0004, err);
        return rc;
}

/* The digest the SHA-1 padded rule extends: the logged SHA-1 template
 * digest, or SHA-1 of the data for a list of another algorithm. */
static enum pcrsim_error_code sha1_template_digest(struct ima_context *c,
                                                   const struct pcrsim_ima_entry *e,
                                                   bool violation, uint8_t *out,
                                                   struct pcrsim_error *err)
{
        if (violation) {
                memset(out, 0xff, SHA1_SIZE);
                return PCRSIM_OK;
        }
        if (c->out->info.digest_alg == 0x0004) {
                memcpy(out, e->digest, SHA1_SIZE);
                return PCRSIM_OK;
        }
        if (!e->data)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, e->offset, "template name",
                                        "line %" PRIu64 ": template \"%s\" cannot be rebuilt from an ASCII list, so its SHA-1 digest is unknown",
                                        e->line, e->template_name);
        return pcrsim_hasher_digest(&c->sha1, e->data, e->data_size, out, err);
}

/* The digest the per-bank rule extends into `bank`. */
static enum pcrsim_error_code bank_digest(struct ima_context *c, uint32_t b,
                                          const struct pcrsim_ima_entry *e, bool violation,
                                          uint8_t *out, struct pcrsim_error *err)
{
        struct pcrsim_ima_bank *bank = &c->out->banks[b];
        char name[24];

        if (violation) {
                memset(out, 0xff, bank->size);
                return PCRSIM_OK;
        }
        /* The bank of the list's own algorithm gets what was logged, as
         * the TPM did; other banks get the data hashed by their hash. */
        if (bank->alg == c->out->info.digest_alg && e->digest_size == bank->size) {
                memcpy(out, e->digest, bank->size);
                return PCRSIM_OK;
        }
        if (!e->data) {
                pcrsim_alg_name(bank->alg, name, sizeof(name));
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, e->offset, "template name",
                                        "line %" PRIu64 ": template \"%s\" cannot be rebuilt from an ASCII list, so bank %s cannot be replayed",
                                        e->line, e->template_name, name);
        }
        return pcrsim_hasher_digest(&c->bank_hash[b], e->data, e->data_size, out, err);
}

static enum pcrsim_error_code extend_entry(struct ima_context *c,
                                           const struct pcrsim_ima_entry *e, bool violation,
                                           struct pcrsim_error *err)
{
        uint8_t sha1[SHA1_SIZE], digest[PCRSIM_MAX_DIGEST_SIZE];
        struct pcrsim_ima_replay *out = c->out;
        enum pcrsim_error_code rc;

        if (c->rules[RULE_SHA1_PADDED]) {
                rc = sha1_template_digest(c, e, violation, sha1, err);
                if (rc)
                        return rc;
        }
        for (uint32_t b = 0; b < out->bank_count; b++) {
                struct pcrsim_ima_bank *bank = &out->banks[b];

                if (!bank->hashable)
                        continue;
                if (c->rules[RULE_PER_BANK]) {
                        rc = bank_digest(c, b, e, violation, digest, err);
                        if (!rc)
                                rc = pcrsim_hasher_extend(&c->bank_hash[b],
                                                          bank->values[RULE_PER_BANK][e->pcr],
                                                          digest, err);
                        if (rc)
                                return rc;
                }
                if (c->rules[RULE_SHA1_PADDED]) {
                        memset(digest, 0, bank->size);
                        memcpy(digest, sha1, SHA1_SIZE < bank->size ? SHA1_SIZE : bank->size);
                        rc = pcrsim_hasher_extend(&c->bank_hash[b],
                                                  bank->values[RULE_SHA1_PADDED][e->pcr],
                                                  digest, err);
                        if (rc)
                                return rc;
                }
        }
        return PCRSIM_OK;
}

/* Compares the logged template digest with the hash of the data. */
static enum pcrsim_error_code check_template_digest(struct ima_context *c,
                                                    const struct pcrsim_ima_entry *e,
                                                    struct pcrsim_error *err)
{
        struct pcrsim_ima_replay *out = c->out;
        uint8_t computed[PCRSIM_MAX_DIGEST_SIZE];
        enum pcrsim_error_code rc;

        if (!c->list_hash.md || !e->data || e->digest_size != c->list_hash.size)
                return PCRSIM_OK;
        rc = pcrsim_hasher_digest(&c->list_hash, e->data, e->data_size, computed, err);
        if (rc)
                return rc;
        if (memcmp(computed, e->digest, e->digest_size) != 0 && out->digest_mismatches++ == 0)
                out->first_digest_mismatch = e->index;
        return PCRSIM_OK;
}

static void note_findings(struct pcrsim_ima_replay *out, const struct pcrsim_ima_entry *e)
{
        if (e->unknown_template && out->unknown_templates++ == 0)
                out->first_unknown_template = e->index;
        if (e->field_error[0] && out->field_errors++ == 0) {
                out->first_field_error = e->index;
                snprintf(out->first_field_error_text, sizeof(out->first_field_error_text),
                         "%s", e->field_error);
        }
}

/* Records, per rule, the first entry count after which a PCR equals its
 * expected value. */
static void track_prefix(struct ima_context *c, uint32_t pcr)
{
        const struct pcrsim_pcr_set *expected = c->opts->expected;
        struct pcrsim_ima_replay *out = c->out;

        for (uint32_t b = 0; b < out->bank_count; b++) {
                const struct pcrsim_ima_bank *bank = &out->banks[b];

                for (uint32_t s = 0; s < expected->bank_count; s++) {
                        const struct pcrsim_pcr_bank *want = &expected->banks[s];

                        if (want->alg != bank->alg || !want->pcrs[pcr].present)
                                continue;
                        for (int rule = 0; rule < 2; rule++)
                                if (c->rules[rule] && c->prefix[rule][b][pcr] == PCRSIM_NO_RECORD &&
                                    memcmp(bank->values[rule][pcr], want->pcrs[pcr].digest,
                                           bank->size) == 0)
                                        c->prefix[rule][b][pcr] = out->entry_count;
                }
        }
}

/* Chooses the rule from the boot_aggregate: PCRs 0-9 are hashed by Linux
 * 5.8 and later, which extend per bank. A non-SHA-1 aggregate over PCRs
 * 0-7 comes from an older kernel, which pads SHA-1. */
static void decide_from_boot_aggregate(struct ima_context *c)
{
        const struct pcrsim_boot_aggregate *ba = &c->out->boot_aggregate;

        c->out->rule = PCRSIM_IMA_EXTEND_PER_BANK;
        c->out->rule_reason = PCRSIM_IMA_RULE_DEFAULT;
        if (ba->verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_9) {
                c->out->rule_reason = PCRSIM_IMA_RULE_BOOT_AGGREGATE;
        } else if (ba->verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_7 && ba->alg != 0x0004) {
                c->out->rule = PCRSIM_IMA_EXTEND_SHA1_PADDED;
                c->out->rule_reason = PCRSIM_IMA_RULE_BOOT_AGGREGATE;
        }
}

/* Tells whether every expected value of an IMA PCR equals the final value
 * under `rule`. */
static bool rule_matches_expected(struct ima_context *c, int rule)
{
        const struct pcrsim_pcr_set *expected = c->opts->expected;
        struct pcrsim_ima_replay *out = c->out;
        bool compared = false;

        for (uint32_t b = 0; b < out->bank_count; b++) {
                for (uint32_t s = 0; s < expected->bank_count; s++) {
                        const struct pcrsim_pcr_bank *want = &expected->banks[s];

                        if (want->alg != out->banks[b].alg)
                                continue;
                        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                                if (!(out->pcr_mask & (1u << pcr)) || !want->pcrs[pcr].present)
                                        continue;
                                compared = true;
                                if (memcmp(out->banks[b].values[rule][pcr], want->pcrs[pcr].digest,
                                           out->banks[b].size) != 0)
                                        return false;
                        }
                }
        }
        return compared;
}

static void finish_rule(struct ima_context *c)
{
        struct pcrsim_ima_replay *out = c->out;
        int rule;

        if (c->opts->expected && c->opts->rule == PCRSIM_IMA_EXTEND_AUTO) {
                if (rule_matches_expected(c, RULE_PER_BANK)) {
                        out->rule = PCRSIM_IMA_EXTEND_PER_BANK;
                        out->rule_reason = PCRSIM_IMA_RULE_EXPECTED_VALUE;
                } else if (rule_matches_expected(c, RULE_SHA1_PADDED)) {
                        out->rule = PCRSIM_IMA_EXTEND_SHA1_PADDED;
                        out->rule_reason = PCRSIM_IMA_RULE_EXPECTED_VALUE;
                } else {
                        decide_from_boot_aggregate(c);
                }
        }
        rule = out->rule == PCRSIM_IMA_EXTEND_SHA1_PADDED ? RULE_SHA1_PADDED : RULE_PER_BANK;
        for (uint32_t b = 0; b < out->bank_count; b++)
                memcpy(out->banks[b].matching_prefix, c->prefix[rule][b],
                       sizeof(out->banks[b].matching_prefix));
}

static void start_rules(struct ima_context *c)
{
        struct pcrsim_ima_replay *out = c->out;

        out->rule_reason = PCRSIM_IMA_RULE_GIVEN;
        switch (c->opts->rule) {
        case PCRSIM_IMA_EXTEND_PER_BANK:
        case PCRSIM_IMA_EXTEND_SHA1_PADDED:
                out->rule = c->opts->rule;
                c->rules[out->rule == PCRSIM_IMA_EXTEND_SHA1_PADDED] = true;
                c->decided = true;
                break;
        case PCRSIM_IMA_EXTEND_AUTO:
                out->rule = PCRSIM_IMA_EXTEND_PER_BANK;
                out->rule_reason = PCRSIM_IMA_RULE_DEFAULT;
                c->rules[RULE_PER_BANK] = true;
                c->rules[RULE_SHA1_PADDED] = true;
                break;
        }
}

static enum pcrsim_error_code replay_entry(struct ima_context *c,
                                           const struct pcrsim_ima_entry *e,
                                           struct pcrsim_error *err)
{
        struct pcrsim_ima_replay *out = c->out;
        bool violation = all_zero(e->digest, e->digest_size);
        enum pcrsim_error_code rc = PCRSIM_OK;

        if (e->pcr >= PCRSIM_PCR_COUNT && e->line)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, e->offset, "PCR index",
                                        "line %" PRIu64 ": PCR index %u is outside 0-%u",
                                        e->line, e->pcr, PCRSIM_PCR_COUNT - 1);
        if (e->pcr >= PCRSIM_PCR_COUNT)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, e->offset, "PCR index",
                                        "PCR index %u is outside 0-%u", e->pcr,
                                        PCRSIM_PCR_COUNT - 1);
        note_findings(out, e);
        if (violation) {
                if (out->violations++ == 0)
                        out->first_violation = e->index;
        } else {
                rc = check_template_digest(c, e, err);
        }
        if (!rc && e->index == 0)
                rc = pcrsim_check_boot_aggregate(e, c->opts->firmware, &out->boot_aggregate, err);
        if (!rc)
                rc = extend_entry(c, e, violation, err);
        if (rc)
                return rc;
        out->pcr_mask |= 1u << e->pcr;
        out->extend_count[e->pcr]++;
        out->entry_count++;
        if (c->opts->expected)
                track_prefix(c, e->pcr);
        if (!c->decided && !c->opts->expected) {
                /* The boot_aggregate is the first entry, so from here on
                 * only the chosen rule is computed. */
                decide_from_boot_aggregate(c);
                c->rules[RULE_PER_BANK] = out->rule == PCRSIM_IMA_EXTEND_PER_BANK;
                c->rules[RULE_SHA1_PADDED] = out->rule == PCRSIM_IMA_EXTEND_SHA1_PADDED;
                c->decided = true;
        }
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_replay_ima(struct pcrsim_ima_list *list,
                                        const struct pcrsim_ima_replay_options *opts,
                                        struct pcrsim_ima_replay *out,
                                        struct pcrsim_error *err)
{
        struct ima_context *c = calloc(1, sizeof(*c));
        struct pcrsim_ima_entry *e = malloc(sizeof(*e));
        enum pcrsim_error_code rc;
        bool have = false;

        memset(out, 0, sizeof(*out));
        if (!c || !e) {
                free(c);
                free(e);
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate the IMA replay state");
        }
        c->opts = opts;
        c->out = out;
        out->first_violation = out->first_digest_mismatch = PCRSIM_NO_RECORD;
        out->first_unknown_template = out->first_field_error = PCRSIM_NO_RECORD;
        pcrsim_ima_list_info(list, &out->info);
        start_rules(c);
        rc = init_banks(c, err);
        while (!rc) {
                rc = pcrsim_ima_list_next(list, e, &have, err);
                if (rc || !have)
                        break;
                /* An ASCII list gives its digest algorithm with the first
                 * entry. */
                if (!c->list_hash.md && out->info.digest_alg == 0) {
                        pcrsim_ima_list_info(list, &out->info);
                        rc = pcrsim_hasher_init(&c->list_hash, out->info.digest_alg, err);
                        if (rc)
                                break;
                }
                rc = replay_entry(c, e, err);
                if (rc && err && err->record == PCRSIM_NO_RECORD) {
                        err->record = e->index;
                        err->record_noun = "entry";
                }
        }
        if (!rc) {
                pcrsim_ima_list_info(list, &out->info);
                finish_rule(c);
        }
        for (uint32_t b = 0; b < PCRSIM_MAX_ALGORITHMS; b++)
                pcrsim_hasher_free(&c->bank_hash[b]);
        pcrsim_hasher_free(&c->list_hash);
        pcrsim_hasher_free(&c->sha1);
        free(c);
        free(e);
        return rc;
}

const struct pcrsim_ima_bank *pcrsim_ima_replay_bank(const struct pcrsim_ima_replay *r,
                                                     uint16_t alg)
{
        for (uint32_t i = 0; i < r->bank_count; i++)
                if (r->banks[i].alg == alg)
                        return &r->banks[i];
        return NULL;
}

const uint8_t *pcrsim_ima_replay_value(const struct pcrsim_ima_replay *r,
                                       const struct pcrsim_ima_bank *bank, uint32_t pcr)
{
        return bank->values[r->rule == PCRSIM_IMA_EXTEND_SHA1_PADDED][pcr];
}

enum pcrsim_error_code pcrsim_ima_check_entry(const struct pcrsim_ima_entry *e, uint16_t alg,
                                              struct pcrsim_digest_check *out,
                                              struct pcrsim_error *err)
{
        uint8_t computed[PCRSIM_MAX_DIGEST_SIZE];
        struct pcrsim_hasher h;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        out->verdict = PCRSIM_DIGEST_NOT_CHECKABLE;
        if (all_zero(e->digest, e->digest_size)) {
                snprintf(out->reason, sizeof(out->reason),
                         "violation: an all-zero template digest, extended as all ones");
                return PCRSIM_OK;
        }
        if (!e->data) {
                snprintf(out->reason, sizeof(out->reason),
                         "the template data cannot be rebuilt from an ASCII list");
                return PCRSIM_OK;
        }
        rc = pcrsim_hasher_init(&h, alg, err);
        if (rc)
                return rc;
        if (!h.md || h.size != e->digest_size) {
                snprintf(out->reason, sizeof(out->reason), "no hash function for this digest");
                pcrsim_hasher_free(&h);
                return PCRSIM_OK;
        }
        rc = pcrsim_hasher_digest(&h, e->data, e->data_size, computed, err);
        pcrsim_hasher_free(&h);
        if (rc)
                return rc;
        out->verdict = memcmp(computed, e->digest, e->digest_size) == 0 ? PCRSIM_DIGEST_VALID :
                                                                          PCRSIM_DIGEST_INVALID;
        if (out->verdict == PCRSIM_DIGEST_INVALID)
                snprintf(out->reason, sizeof(out->reason),
                         "the template digest is not the hash of the template data");
        return PCRSIM_OK;
}
