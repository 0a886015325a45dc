/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"


static json_t *index_or_null(uint64_t index)
{
        return index == PCRSIM_NO_RECORD ? json_null() : json_integer((json_int_t)index);
}

static json_t *pcr_array(uint32_t mask)
{
        json_t *a = json_array();

        for (uint32_t pcr = 0; a && pcr < PCRSIM_PCR_COUNT; pcr++)
                if (mask & (1u << pcr))
                        json_array_append_new(a, json_integer(pcr));
        return a;
}

static json_t *pcr_values(const struct pcrsim_pcr_set *set)
{
        json_t *doc = json_object();

        for (uint32_t b = 0; doc && b < set->bank_count; b++) {
                const struct pcrsim_pcr_bank *bank = &set->banks[b];
                json_t *values = json_object();
                char name[24];

                for (uint32_t pcr = 0; values && pcr < PCRSIM_PCR_COUNT; pcr++) {
                        char key[8];

                        if (!bank->pcrs[pcr].present)
                                continue;
                        snprintf(key, sizeof(key), "%u", pcr);
                        json_object_set_new(values, key, cli_digest_json(bank->pcrs[pcr].digest, bank->size));
                }
                pcrsim_alg_name(bank->alg, name, sizeof(name));
                json_object_set_new(doc, name, values);
        }
        return doc;
}

static const char *pcr0_start_name(enum pcrsim_pcr0_start start)
{
        switch (start) {
        case PCRSIM_PCR0_RESET:
                return "reset";
        case PCRSIM_PCR0_STARTUP_LOCALITY:
                return "startup-locality";
        case PCRSIM_PCR0_HCRTM:
                return "h-crtm";
        }
        return "reset";
}

static json_t *firmware_section(const struct replay_options *opt, const struct pcrsim_replay *r)
{
        json_t *doc = json_object(), *banks = json_array();

        json_object_set_new(doc, "file", json_string(opt->name));
        json_object_set_new(doc, "format", json_string(r->format == PCRSIM_LOG_SHA1 ?
                                                       "sha1" : "crypto-agile"));
        json_object_set_new(doc, "records", json_integer((json_int_t)r->record_count));
        json_object_set_new(doc, "extended_records", json_integer((json_int_t)r->extended_count));
        json_object_set_new(doc, "pcr0_start", json_string(pcr0_start_name(r->pcr0_start)));
        json_object_set_new(doc, "startup_locality", r->pcr0_start == PCRSIM_PCR0_RESET ?
                            json_null() : json_integer(r->locality));
        json_object_set_new(doc, "records_without_pcr", json_integer((json_int_t)r->no_pcr_count));
        json_object_set_new(doc, "zero_padding_bytes",
                            json_integer((json_int_t)(r->zero_padding ? r->padding_size : 0)));
        for (uint32_t i = 0; i < r->bank_count; i++) {
                json_t *bank = json_object();
                char name[24];

                pcrsim_alg_name(r->banks[i].alg, name, sizeof(name));
                json_object_set_new(bank, "bank", json_string(name));
                json_object_set_new(bank, "computable", json_boolean(r->banks[i].hashable));
                json_object_set_new(bank, "pcrs_lacking_digests", pcr_array(r->banks[i].missing_pcrs));
                json_array_append_new(banks, bank);
        }
        json_object_set_new(doc, "banks", banks);
        return doc;
}

static const char *verdict_name(enum pcrsim_boot_aggregate_verdict v)
{
        switch (v) {
        case PCRSIM_BOOT_AGGREGATE_NOT_CHECKED:
                return "not-checked";
        case PCRSIM_BOOT_AGGREGATE_NO_ENTRY:
                return "no-entry";
        case PCRSIM_BOOT_AGGREGATE_NO_TPM:
                return "no-tpm";
        case PCRSIM_BOOT_AGGREGATE_NO_BANK:
                return "no-bank";
        case PCRSIM_BOOT_AGGREGATE_MATCH_0_7:
                return "match-pcrs-0-7";
        case PCRSIM_BOOT_AGGREGATE_MATCH_0_9:
                return "match-pcrs-0-9";
        case PCRSIM_BOOT_AGGREGATE_MISMATCH:
                return "mismatch";
        case PCRSIM_BOOT_AGGREGATE_UNDECODABLE:
                return "undecodable";
        }
        return "not-checked";
}

static const char *rule_reason_name(enum pcrsim_ima_rule_reason reason)
{
        switch (reason) {
        case PCRSIM_IMA_RULE_GIVEN:
                return "given";
        case PCRSIM_IMA_RULE_EXPECTED_VALUE:
                return "expected-value";
        case PCRSIM_IMA_RULE_BOOT_AGGREGATE:
                return "boot-aggregate";
        case PCRSIM_IMA_RULE_DEFAULT:
                return "default";
        }
        return "default";
}

static json_t *boot_aggregate_section(const struct pcrsim_boot_aggregate *ba)
{
        json_t *doc = json_object();
        bool computed = ba->verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_7 ||
                        ba->verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_9 ||
                        ba->verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH;

        json_object_set_new(doc, "verdict", json_string(verdict_name(ba->verdict)));
        json_object_set_new(doc, "algorithm", ba->algo[0] ? json_string(ba->algo) : json_null());
        json_object_set_new(doc, "logged", ba->size ? cli_digest_json(ba->logged, ba->size) : json_null());
        json_object_set_new(doc, "over_pcrs_0_7", computed ? cli_digest_json(ba->over_0_7, ba->size) : json_null());
        json_object_set_new(doc, "over_pcrs_0_9", computed ? cli_digest_json(ba->over_0_9, ba->size) : json_null());
        json_object_set_new(doc, "suspect_pcrs", pcr_array(ba->suspect_pcrs));
        return doc;
}

/* Per --ima-expected value: how many entries reproduce it, or null. */
static json_t *expected_section(const struct pcrsim_ima_replay *ima,
                                const struct pcrsim_pcr_set *expected)
{
        json_t *a = json_array();

        for (uint32_t s = 0; a && expected && s < expected->bank_count; s++) {
                const struct pcrsim_pcr_bank *want = &expected->banks[s];
                const struct pcrsim_ima_bank *bank = pcrsim_ima_replay_bank(ima, want->alg);
                char name[24];

                pcrsim_alg_name(want->alg, name, sizeof(name));
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        json_t *e;

                        if (!want->pcrs[pcr].present)
                                continue;
                        e = json_object();
                        json_object_set_new(e, "bank", json_string(name));
                        json_object_set_new(e, "pcr", json_integer(pcr));
                        json_object_set_new(e, "value", cli_digest_json(want->pcrs[pcr].digest, want->size));
                        json_object_set_new(e, "matching_prefix",
                                            index_or_null(bank ? bank->matching_prefix[pcr] :
                                                                 PCRSIM_NO_RECORD));
                        json_array_append_new(a, e);
                }
        }
        return a;
}

static json_t *ima_section(const struct replay_options *opt, const struct pcrsim_ima_replay *ima)
{
        const struct pcrsim_ima_list_info *info = &ima->info;
        json_t *doc = json_object();
        char alg[24];

        pcrsim_alg_name(info->digest_alg, alg, sizeof(alg));
        json_object_set_new(doc, "file", json_string(opt->ima_name));
        json_object_set_new(doc, "format", json_string(info->format == PCRSIM_IMA_ASCII ?
                                                       "ascii" : "binary"));
        json_object_set_new(doc, "entries", json_integer((json_int_t)ima->entry_count));
        json_object_set_new(doc, "template_digest_alg", json_string(alg));
        json_object_set_new(doc, "template_digest_alg_detected", json_boolean(info->digest_alg_detected));
        json_object_set_new(doc, "byte_order", json_string(info->byte_order == PCRSIM_BYTE_ORDER_BIG ?
                                                           "big" : "little"));
        json_object_set_new(doc, "byte_order_detected", json_boolean(info->byte_order_detected));
        json_object_set_new(doc, "partial_tail_bytes", json_integer((json_int_t)info->partial_tail_size));
        json_object_set_new(doc, "pcrs", pcr_array(ima->pcr_mask));
        json_object_set_new(doc, "extend_rule", json_string(ima->rule == PCRSIM_IMA_EXTEND_SHA1_PADDED ?
                                                            "sha1-padded" : "per-bank"));
        json_object_set_new(doc, "extend_rule_reason", json_string(rule_reason_name(ima->rule_reason)));
        json_object_set_new(doc, "violations", json_integer((json_int_t)ima->violations));
        json_object_set_new(doc, "first_violation", index_or_null(ima->first_violation));
        json_object_set_new(doc, "template_digest_mismatches",
                            json_integer((json_int_t)ima->digest_mismatches));
        json_object_set_new(doc, "first_template_digest_mismatch",
                            index_or_null(ima->first_digest_mismatch));
        json_object_set_new(doc, "unknown_templates", json_integer((json_int_t)ima->unknown_templates));
        json_object_set_new(doc, "first_unknown_template", index_or_null(ima->first_unknown_template));
        json_object_set_new(doc, "field_errors", json_integer((json_int_t)ima->field_errors));
        json_object_set_new(doc, "first_field_error", index_or_null(ima->first_field_error));
        json_object_set_new(doc, "boot_aggregate", boot_aggregate_section(&ima->boot_aggregate));
        json_object_set_new(doc, "expected", expected_section(ima, opt->ima_expected));
        return doc;
}

int write_report(const struct replay_options *opt, const struct pcrsim_replay *replay,
                 const struct pcrsim_ima_replay *ima, const struct pcrsim_pcr_set *set,
                 struct pcrsim_strbuf *sb)
{
        json_t *doc = json_object();
        struct pcrsim_error err;
        enum pcrsim_error_code rc;

        if (!doc) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        pcrsim_error_clear(&err);
        json_object_set_new(doc, "pcrs", pcr_values(set));
        json_object_set_new(doc, "firmware_log", opt->input ? firmware_section(opt, replay) : json_null());
        json_object_set_new(doc, "ima", ima ? ima_section(opt, ima) : json_null());
        rc = pcrsim_format_document(doc, opt->report == REPORT_YAML, sb, &err);
        json_decref(doc);
        return rc ? cli_report(&err, NULL) : EXIT_OK;
}
