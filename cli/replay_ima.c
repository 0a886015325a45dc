/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"

/* Banks of an IMA replay without a firmware log: the one --bank names, or
 * sha1, sha256 and the list's own template digest algorithm. */
static void choose_banks(const struct replay_options *opt, uint16_t list_alg,
                         struct pcrsim_ima_replay_options *ropts)
{
        const struct pcrsim_alg_info *given =
                opt->bank && strcmp(opt->bank, "all") != 0 ? pcrsim_alg_by_name(opt->bank) : NULL;

        if (given) {
                ropts->banks[ropts->bank_count++] = given->id;
                return;
        }
        ropts->banks[ropts->bank_count++] = pcrsim_alg_by_name("sha1")->id;
        ropts->banks[ropts->bank_count++] = pcrsim_alg_by_name("sha256")->id;
        if (list_alg && list_alg != ropts->banks[0] && list_alg != ropts->banks[1])
                ropts->banks[ropts->bank_count++] = list_alg;
}

/* Gives `replay` the IMA banks, at their reset values, when no firmware
 * log was replayed. */
static void init_empty_banks(struct pcrsim_replay *replay, const struct pcrsim_ima_replay *ima)
{
        memset(replay, 0, sizeof(*replay));
        replay->first_no_pcr_event = PCRSIM_NO_RECORD;
        replay->pcr0_start_event = PCRSIM_NO_RECORD;
        replay->first_ignored_start_event = PCRSIM_NO_RECORD;
        replay->bank_count = ima->bank_count;
        for (uint32_t i = 0; i < ima->bank_count; i++) {
                struct pcrsim_replay_bank *bank = &replay->banks[i];

                bank->alg = ima->banks[i].alg;
                bank->size = ima->banks[i].size;
                bank->hashable = ima->banks[i].hashable;
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        pcrsim_pcr_reset_value(pcr, bank->values[pcr], bank->size);
                        bank->first_missing_event[pcr] = PCRSIM_NO_RECORD;
                }
        }
}

/* Copies the IMA PCRs of every bank into the firmware replay's banks. */
static void merge(struct pcrsim_replay *replay, const struct pcrsim_ima_replay *ima)
{
        for (uint32_t i = 0; i < replay->bank_count; i++) {
                struct pcrsim_replay_bank *bank = &replay->banks[i];
                const struct pcrsim_ima_bank *ib = pcrsim_ima_replay_bank(ima, bank->alg);

                if (!ib || !ib->hashable || !bank->hashable)
                        continue;
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        if (!(ima->pcr_mask & (1u << pcr)))
                                continue;
                        memcpy(bank->values[pcr], pcrsim_ima_replay_value(ima, ib, pcr),
                               bank->size);
                        bank->extend_count[pcr] += ima->extend_count[pcr];
                        bank->touched |= 1u << pcr;
                }
        }
}

int replay_ima_list(const struct replay_options *opt, struct pcrsim_replay *replay,
                    bool have_firmware, struct pcrsim_ima_replay *ima)
{
        struct pcrsim_ima_replay_options ropts = { 0 };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_ima_list_info info;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        int exit_code = EXIT_OK;
        FILE *in;

        pcrsim_error_clear(&err);
        in = cli_open_input(opt->ima, &exit_code);
        if (!in)
                return exit_code;
        rc = pcrsim_ima_list_open_file(in, &opt->ima_opts, &list, &err);
        if (!rc) {
                pcrsim_ima_list_info(list, &info);
                ropts.rule = opt->ima_rule;
                ropts.expected = opt->ima_expected;
                ropts.firmware = have_firmware ? replay : NULL;
                if (!have_firmware)
                        choose_banks(opt, info.digest_alg, &ropts);
                rc = pcrsim_replay_ima(list, &ropts, ima, &err);
        }
        pcrsim_ima_list_free(list);
        cli_close_input(in);
        if (rc)
                return cli_report(&err, opt->ima_name);
        if (!have_firmware)
                init_empty_banks(replay, ima);
        merge(replay, ima);
        return EXIT_OK;
}

struct verdict_line {
        bool warning;
        char text[400];
};

#define MAX_VERDICT_LINES 16

static const char *byte_order_name(enum pcrsim_byte_order order)
{
        return order == PCRSIM_BYTE_ORDER_BIG ? "big-endian" : "little-endian";
}

static const char *rule_text(const struct pcrsim_ima_replay *ima)
{
        return ima->rule == PCRSIM_IMA_EXTEND_SHA1_PADDED ?
               "SHA-1 template digest zero-padded into every bank (kernels before Linux 5.8)" :
               "template data hashed by each bank's algorithm (Linux 5.8 and later)";
}

static const char *rule_reason_text(enum pcrsim_ima_rule_reason reason)
{
        switch (reason) {
        case PCRSIM_IMA_RULE_GIVEN:
                return "as --ima-extend requests";
        case PCRSIM_IMA_RULE_EXPECTED_VALUE:
                return "because it reproduces the expected PCR values";
        case PCRSIM_IMA_RULE_BOOT_AGGREGATE:
                return "because the boot_aggregate shows that kernel era";
        case PCRSIM_IMA_RULE_DEFAULT:
                return "because nothing shows the kernel era, so the current rule applies; --ima-extend sets it";
        }
        return "";
}

static void add_line(struct verdict_line *lines, size_t *n, bool warning, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void add_line(struct verdict_line *lines, size_t *n, bool warning, const char *fmt, ...)
{
        va_list ap;

        if (*n >= MAX_VERDICT_LINES)
                return;
        lines[*n].warning = warning;
        va_start(ap, fmt);
        vsnprintf(lines[*n].text, sizeof(lines[*n].text), fmt, ap);
        va_end(ap);
        (*n)++;
}

static void boot_aggregate_line(const struct pcrsim_ima_replay *ima, struct verdict_line *lines,
                                size_t *n)
{
        const struct pcrsim_boot_aggregate *ba = &ima->boot_aggregate;
        char pcrs[64];

        switch (ba->verdict) {
        case PCRSIM_BOOT_AGGREGATE_MATCH_0_9:
                add_line(lines, n, false, "boot_aggregate matches %s over PCRs 0-9 of the firmware log (the rule of Linux 5.8 and later)", ba->algo);
                break;
        case PCRSIM_BOOT_AGGREGATE_MATCH_0_7:
                add_line(lines, n, false, "boot_aggregate matches %s over PCRs 0-7 of the firmware log (the rule of SHA-1 aggregates, and of all aggregates before Linux 5.8)", ba->algo);
                break;
        case PCRSIM_BOOT_AGGREGATE_MISMATCH:
                cli_format_pcr_list(ba->suspect_pcrs, pcrs, sizeof(pcrs));
                add_line(lines, n, true, "boot_aggregate (%s) matches neither PCRs 0-7 nor PCRs 0-9 of the firmware log, so the IMA list may not belong to this boot",
                         ba->algo);
                if (ba->suspect_pcrs)
                        add_line(lines, n, true, "suspect: %s %s of bank %s, which the firmware log never extends or lacks digests for",
                                 cli_pcr_word(ba->suspect_pcrs), pcrs, ba->algo);
                break;
        case PCRSIM_BOOT_AGGREGATE_NO_TPM:
                add_line(lines, n, false, "boot_aggregate is all zero: IMA found no TPM when it started");
                break;
        case PCRSIM_BOOT_AGGREGATE_NO_ENTRY:
                add_line(lines, n, true, "the first entry is not boot_aggregate, so the list does not start at boot");
                break;
        case PCRSIM_BOOT_AGGREGATE_NO_BANK:
                add_line(lines, n, true, "boot_aggregate uses %s, a bank that the firmware log lacks, so it was not checked", ba->algo);
                break;
        case PCRSIM_BOOT_AGGREGATE_NOT_CHECKED:
                add_line(lines, n, false, "boot_aggregate was not checked: no firmware event log was given");
                break;
        case PCRSIM_BOOT_AGGREGATE_UNDECODABLE:
                add_line(lines, n, true, "boot_aggregate's digest field does not decode, so it was not checked");
                break;
        }
}

static void list_line(const struct pcrsim_ima_replay *ima, struct verdict_line *lines, size_t *n)
{
        const struct pcrsim_ima_list_info *info = &ima->info;
        char alg[24];

        pcrsim_alg_name(info->digest_alg, alg, sizeof(alg));
        if (info->format == PCRSIM_IMA_ASCII)
                add_line(lines, n, false, "%" PRIu64 " entries in an ASCII list, template digests %s",
                         ima->entry_count, alg);
        else
                add_line(lines, n, false, "%" PRIu64 " entries in a binary list, template digests %s (%s), %s (%s)",
                         ima->entry_count, alg,
                         info->digest_alg_detected ? "detected from the first entry" : "as given",
                         byte_order_name(info->byte_order),
                         info->byte_order_detected ? "detected from the first entry" : "as given");
        if (info->partial_tail_size)
                add_line(lines, n, true, "left out the partial last entry at offset 0x%" PRIx64 " (%" PRIu64 " %s)",
                         info->partial_tail_offset, info->partial_tail_size,
                         info->partial_tail_size == 1 ? "byte" : "bytes");
}

static void findings_lines(const struct pcrsim_ima_replay *ima, struct verdict_line *lines,
                           size_t *n)
{
        if (ima->digest_mismatches)
                add_line(lines, n, true, "the template digest of %" PRIu64 " entries does not match their template data (first: entry %" PRIu64 "), so the list was altered or corrupted; the logged digests were extended",
                         ima->digest_mismatches, ima->first_digest_mismatch);
        if (ima->violations)
                add_line(lines, n, false, "violation entries (all-zero template digest) were extended as all ones: %" PRIu64 ", the first is entry %" PRIu64,
                         ima->violations, ima->first_violation);
        if (ima->unknown_templates)
                add_line(lines, n, true, "%" PRIu64 " entries have a template that pcrsim cannot decode (first: entry %" PRIu64 "); their raw template data was hashed",
                         ima->unknown_templates, ima->first_unknown_template);
        if (ima->field_errors)
                add_line(lines, n, true, "%" PRIu64 " entries have template fields that do not decode (first: entry %" PRIu64 ": %s); their raw template data was hashed",
                         ima->field_errors, ima->first_field_error, ima->first_field_error_text);
}

/* Says how many entries reproduce each expected PCR value. */
static void expected_lines(const struct pcrsim_ima_replay *ima, const struct pcrsim_pcr_set *expected,
                           struct verdict_line *lines, size_t *n)
{
        for (uint32_t s = 0; expected && s < expected->bank_count; s++) {
                const struct pcrsim_pcr_bank *want = &expected->banks[s];
                const struct pcrsim_ima_bank *bank = pcrsim_ima_replay_bank(ima, want->alg);
                char name[24];

                pcrsim_alg_name(want->alg, name, sizeof(name));
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        uint64_t prefix = bank ? bank->matching_prefix[pcr] : PCRSIM_NO_RECORD;

                        if (!want->pcrs[pcr].present)
                                continue;
                        if (prefix == ima->entry_count)
                                add_line(lines, n, false, "the expected %s PCR %u equals the replay of the whole list", name, pcr);
                        else if (prefix != PCRSIM_NO_RECORD)
                                add_line(lines, n, false, "the expected %s PCR %u equals the replay of the first %" PRIu64 " of %" PRIu64 " entries, so the list grew after the PCR was read",
                                         name, pcr, prefix, ima->entry_count);
                        else
                                add_line(lines, n, true, "the expected %s PCR %u equals the replay of no prefix of the list", name, pcr);
                }
        }
}

static size_t verdict_lines(const struct pcrsim_ima_replay *ima, const struct pcrsim_pcr_set *expected,
                            struct verdict_line *lines)
{
        size_t n = 0;

        list_line(ima, lines, &n);
        add_line(lines, &n, false, "extend rule: %s, %s", rule_text(ima),
                 rule_reason_text(ima->rule_reason));
        boot_aggregate_line(ima, lines, &n);
        expected_lines(ima, expected, lines, &n);
        findings_lines(ima, lines, &n);
        return n;
}

int ima_expectation_exit_code(const struct pcrsim_ima_replay *ima, const struct pcrsim_pcr_set *expected)
{
        for (uint32_t s = 0; expected && s < expected->bank_count; s++) {
                const struct pcrsim_ima_bank *bank = pcrsim_ima_replay_bank(ima, expected->banks[s].alg);

                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                        if (expected->banks[s].pcrs[pcr].present &&
                            (!bank || bank->matching_prefix[pcr] == PCRSIM_NO_RECORD))
                                return EXIT_DIFFERENCE;
        }
        return EXIT_OK;
}

void print_ima_notes(const struct pcrsim_ima_replay *ima, const struct replay_options *opt)
{
        struct verdict_line lines[MAX_VERDICT_LINES];
        size_t n = verdict_lines(ima, opt->ima_expected, lines);

        for (size_t i = 0; i < n; i++) {
                if (lines[i].warning)
                        cli_warnf("%s: %s", opt->ima_name, lines[i].text);
                else
                        cli_notef(opt->quiet, "%s: %s", opt->ima_name, lines[i].text);
        }
}

void append_ima_text(const struct pcrsim_ima_replay *ima, const struct replay_options *opt,
                     struct pcrsim_strbuf *sb)
{
        struct verdict_line lines[MAX_VERDICT_LINES];
        size_t n = verdict_lines(ima, opt->ima_expected, lines);

        pcrsim_strbuf_printf(sb, "\nIMA\n");
        for (size_t i = 0; i < n; i++)
                pcrsim_strbuf_printf(sb, "%s%s\n", lines[i].warning ? "warning: " : "",
                                     lines[i].text);
}
