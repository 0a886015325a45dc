/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim compare: replays an event log (and an IMA list), compares the
 * result with reference values PCR by PCR, and explains each PCR that
 * differs from the events of the log.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "cli/references.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"
#include "pcrsim/reference.h"

#define MAX_REFERENCES 8
#define EV_EFI_ACTION 0x80000007u

/* The strings of the two EV_EFI_ACTION events that the TCG PC Client
 * Platform Firmware Profile has firmware extend into PCR 5 around
 * ExitBootServices(). */
static const char ebs_invocation[] = "Exit Boot Services Invocation";
static const char ebs_success[] = "Exit Boot Services Returned with Success";

static const char compare_usage[] =
        "Usage: pcrsim compare --expected REF [--expected REF ...] [OPTIONS] EVENTLOG\n"
        "\n"
        "Replay a TCG event log, and an IMA list with --ima, and compare each PCR\n"
        "with reference values: the values real nodes report or verifiers expect.\n"
        "For every PCR that differs, say what the log tells about it.\n"
        "\n"
        "Options:\n"
        "  -e, --expected REF         reference values: a file, a sysfs-like folder\n"
        "                             or - for standard input; may be repeated\n"
        "      --expected-format FMT  the format of every REF, instead of detecting it:\n"
        "                             pcr-reader-json, pcr-reader-yaml, measurements-json,\n"
        "                             measurements-yaml, config-yaml, tpm2-pcrread-yaml,\n"
        "                             sysfs, text, go or tpm2-pcrs\n"
        "  -b, --bank BANK            compare only this bank, such as sha256\n"
        "  -p, --pcrs LIST            compare only these PCRs, such as 0-7,9\n"
        "      --ima FILE             replay this IMA list into PCR 10 after the log\n"
        "  -f, --format FORMAT        text (default), json or yaml\n"
        "  -o, --output FILE          write the report to FILE\n"
        "  -q, --quiet                no notes on standard error\n"
        "  -h, --help                 print this help\n"
        "\n"
        "Verdicts: match, differs, warn-only-differs (the reference marks the PCR\n"
        "warnOnly), not-in-reference, not-replayed (the log cannot give this\n"
        "PCR's value in this bank).\n"
        "\n"
        "The result is differs when an enforced PCR differs, incomplete when one\n"
        "cannot be replayed, and match otherwise; warn-only differences are\n"
        "counted but do not change it. Exit status: 0 match, 1 differs or\n"
        "incomplete, 2 usage error, invalid input or no PCR of the references\n"
        "among those compared, 3 I/O or system error.\n";

enum verdict { MATCH, DIFFERS, WARN_ONLY_DIFFERS, NOT_IN_REFERENCE, NOT_REPLAYED };

static const char *const verdict_names[] = {
        "match", "differs", "warn-only-differs", "not-in-reference", "not-replayed",
};

struct compare_options {
        const char *refs[MAX_REFERENCES];
        unsigned ref_count;
        enum pcrsim_ref_format ref_format;
        const char *bank;
        uint32_t pcr_mask;
        bool json, yaml;
        const char *output;
        bool quiet;
        const char *input;
        const char *name;
        const char *ima;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim compare --help'.\n");
        return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, struct compare_options *opt)
{
        enum { OPT_FORMAT_REF = 256, OPT_IMA };
        static const struct option longopts[] = {
                { "expected", required_argument, NULL, 'e' },
                { "expected-format", required_argument, NULL, OPT_FORMAT_REF },
                { "bank", required_argument, NULL, 'b' },
                { "pcrs", required_argument, NULL, 'p' },
                { "ima", required_argument, NULL, OPT_IMA },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "e:b:p:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'e':
                        if (opt->ref_count == MAX_REFERENCES) {
                                cli_errorf("more than %d --expected options", MAX_REFERENCES);
                                return usage_error();
                        }
                        opt->refs[opt->ref_count++] = optarg;
                        break;
                case OPT_FORMAT_REF:
                        opt->ref_format = pcrsim_ref_format_by_name(optarg);
                        if (opt->ref_format == PCRSIM_REF_FORMAT_COUNT) {
                                cli_errorf("unknown reference format '%s': see pcrsim compare --help",
                                           optarg);
                                return usage_error();
                        }
                        break;
                case 'b':
                        if (!cli_parse_bank(optarg))
                                return usage_error();
                        opt->bank = optarg;
                        break;
                case 'p':
                        if (!cli_parse_pcr_list(optarg, &opt->pcr_mask))
                                return usage_error();
                        break;
                case OPT_IMA:
                        opt->ima = optarg;
                        break;
                case 'f':
                        if (!cli_parse_report_format(optarg, &opt->json, &opt->yaml))
                                return usage_error();
                        break;
                case 'o':
                        opt->output = optarg;
                        break;
                case 'q':
                        opt->quiet = true;
                        break;
                case 'h':
                        fputs(compare_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        if (optind + 1 != argc) {
                cli_errorf(optind >= argc ? "missing EVENTLOG argument" : "more than one EVENTLOG argument");
                return usage_error();
        }
        if (opt->ref_count == 0) {
                cli_errorf("missing --expected: name the reference values to compare with");
                return usage_error();
        }
        opt->input = argv[optind];
        opt->name = cli_input_name(opt->input);
        if (opt->pcr_mask == 0)
                opt->pcr_mask = (1u << PCRSIM_PCR_COUNT) - 1;
        {
                const char *inputs[MAX_REFERENCES + 2] = { opt->input, opt->ima };

                for (unsigned i = 0; i < opt->ref_count; i++)
                        inputs[2 + i] = opt->refs[i];
                if (!cli_check_inputs(opt->output, inputs, 2 + opt->ref_count))
                        return EXIT_INVALID;
        }
        return -1;
}

int replay_log_and_ima(const char *input, const char *ima_path, bool quiet,
                       struct pcrsim_replay *replay, struct pcrsim_ima_replay *ima,
                       struct pcr_events *events)
{
        const char *name = cli_input_name(input);
        struct replay_options ropt = { 0 };
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        int exit_code = EXIT_OK;
        bool have = true;
        FILE *in;

        pcrsim_error_clear(&err);
        in = cli_open_input(input, &exit_code);
        if (!in)
                return exit_code;
        rc = pcrsim_tcglog_open_file(in, &log, &err);
        if (!rc)
                rc = pcrsim_replay_tcglog(log, replay, &err);
        pcrsim_tcglog_free(log);
        log = NULL;
        /* A second walk notes each PCR's events. A pipe is read once, so
         * only a file can be walked again. */
        if (!rc && events && in != stdin && fseek(in, 0, SEEK_SET) == 0) {
                rc = pcrsim_tcglog_open_file(in, &log, &err);
                while (!rc && have) {
                        struct pcrsim_event ev;

                        rc = pcrsim_tcglog_next(log, &ev, &have, &err);
                        if (rc || !have || ev.pcr >= PCRSIM_PCR_COUNT || ev.type == 3)
                                continue;
                        events[ev.pcr].count++;
                        events[ev.pcr].last_index = ev.index;
                        events[ev.pcr].last_type = ev.type;
                }
                pcrsim_tcglog_free(log);
        }
        cli_close_input(in);
        if (rc)
                return cli_report(&err, name);
        if (!ima_path)
                return EXIT_OK;
        ropt.ima = ima_path;
        ropt.ima_name = cli_input_name(ima_path);
        ropt.name = name;
        ropt.quiet = quiet;
        ropt.ima_rule = PCRSIM_IMA_EXTEND_AUTO;
        exit_code = replay_ima_list(&ropt, replay, true, ima);
        if (!exit_code)
                print_ima_notes(ima, &ropt);
        return exit_code;
}

/* Reads every reference into one set; the same PCR twice must agree. */
/* Reads every reference into one set. Values without a bank name are
 * read as a bank of the log. */
static int read_references(const struct compare_options *opt, const struct pcrsim_replay *replay,
                           struct pcrsim_reference *merged, json_t *sources)
{
        struct pcrsim_ref_options ropt = { .format = opt->ref_format };

        if (opt->bank) {
                ropt.banks[ropt.bank_count++] = pcrsim_alg_by_name(opt->bank)->id;
        } else {
                for (uint32_t b = 0; b < replay->bank_count; b++)
                        if (pcrsim_alg_by_id(replay->banks[b].alg))
                                ropt.banks[ropt.bank_count++] = replay->banks[b].alg;
        }
        return cli_read_references(opt->refs, opt->ref_count, &ropt, opt->quiet, merged, sources);
}

static void hex(const uint8_t *bytes, size_t size, char *out)
{
        for (size_t i = 0; i < size; i++)
                snprintf(out + 2 * i, 3, "%02x", bytes[i]);
        out[2 * size] = '\0';
}

/* Tells whether PCR 5 equals `expected` once the ExitBootServices events
 * are extended after the logged ones: both of them (`both`) or only the
 * invocation. */
static bool ebs_explains(const struct pcrsim_replay_bank *bank, const uint8_t *expected, bool both)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_id(bank->alg);
        uint8_t value[PCRSIM_MAX_DIGEST_SIZE], digest[EVP_MAX_MD_SIZE];
        const char *strings[2] = { ebs_invocation, ebs_success };
        unsigned int size;
        EVP_MD *md;

        if (!info || !info->openssl_name || !(md = EVP_MD_fetch(NULL, info->openssl_name, NULL)))
                return false;
        memcpy(value, bank->values[5], bank->size);
        for (int i = 0; i < (both ? 2 : 1); i++) {
                if (!EVP_Digest(strings[i], strlen(strings[i]), digest, &size, md, NULL) ||
                    pcrsim_pcr_extend(bank->alg, value, digest, NULL)) {
                        EVP_MD_free(md);
                        return false;
                }
        }
        EVP_MD_free(md);
        return memcmp(value, expected, bank->size) == 0;
}

static const char *os_pcr_note(uint32_t pcr)
{
        if (pcr >= 11 && pcr <= 15)
                return "PCRs 11-15 are extended by the operating system (systemd-stub, systemd-pcrphase, other boot components), outside the firmware event log";
        if (pcr >= 16)
                return "PCRs 16-23 are for debug, dynamic launch and applications, outside the firmware event log";
        return NULL;
}

/* Returns the explanation lines for a PCR that differs. */
static json_t *explain(const struct compare_options *opt, const struct pcrsim_replay_bank *bank,
                       uint32_t pcr, const uint8_t *expected, const struct pcr_events *ev,
                       uint32_t boot_differs, const struct pcrsim_ima_replay *ima)
{
        enum pcrsim_boot_aggregate_verdict ba = ima ? ima->boot_aggregate.verdict :
                                                      PCRSIM_BOOT_AGGREGATE_NOT_CHECKED;
        json_t *lines = json_array();
        char line[512];

        if (ev->count) {
                snprintf(line, sizeof(line), "the log extends PCR %" PRIu32 " with %" PRIu32 " event%s, the last event %" PRIu64 " (%s)",
                         pcr, ev->count, ev->count == 1 ? "" : "s", ev->last_index,
                         pcrsim_event_type_name(ev->last_type) ? pcrsim_event_type_name(ev->last_type) : "unknown type");
                json_array_append_new(lines, json_string(line));
        } else if (bank->extend_count[pcr] == 0 && pcr != 10) {
                snprintf(line, sizeof(line), "no event of the log extends PCR %" PRIu32 ", so the replay gives its reset value", pcr);
                json_array_append_new(lines, json_string(line));
        }
        if (pcr == 10 && !opt->ima)
                json_array_append_new(lines, json_string("PCR 10 holds the IMA measurements: pass the IMA list with --ima"));
        if (pcr == 10 && opt->ima && ba == PCRSIM_BOOT_AGGREGATE_MISMATCH) {
                json_array_append_new(lines, json_string("the IMA list's boot_aggregate matches neither PCRs 0-7 nor PCRs 0-9 of the replayed log, so the list comes from another boot than the log"));
        } else if (pcr == 10 && opt->ima && ba == PCRSIM_BOOT_AGGREGATE_NO_TPM) {
                json_array_append_new(lines, json_string("the IMA list's boot_aggregate is all zero: IMA found no TPM on the machine that wrote the list"));
        } else if (pcr == 10 && opt->ima && (boot_differs & 0x3FFu)) {
                char list[64];
                uint32_t mask = boot_differs & 0x3FFu;

                cli_format_pcr_list(mask, list, sizeof(list));
                snprintf(line, sizeof(line), "the first IMA entry, boot_aggregate, hashes PCRs 0-7 or 0-9 of the machine that booted, and %s %s %s here, so PCR 10 differs too",
                         cli_pcr_word(mask), list, (mask & (mask - 1)) ? "differ" : "differs");
                json_array_append_new(lines, json_string(line));
        } else if (pcr == 10 && opt->ima) {
                json_array_append_new(lines, json_string("the IMA list replays to another PCR 10, although its boot_aggregate fits the log: the node may have measured more files after the list was read, or the list is from another node of the same image"));
        }
        if (ev->count == 0 && os_pcr_note(pcr))
                json_array_append_new(lines, json_string(os_pcr_note(pcr)));
        if (pcr == 5 && bank->hashable) {
                if (ebs_explains(bank, expected, true))
                        json_array_append_new(lines, json_pack("s", "matches if the two ExitBootServices EV_EFI_ACTION events (\"Exit Boot Services Invocation\" and \"Exit Boot Services Returned with Success\") were extended but not logged"));
                else if (ebs_explains(bank, expected, false))
                        json_array_append_new(lines, json_pack("s", "matches if the EV_EFI_ACTION event \"Exit Boot Services Invocation\" was extended but not logged"));
        }
        return lines;
}

/* Counts of the verdicts, for the result line and the exit status. */
struct tally {
        unsigned counts[5]; /* indexed by enum verdict */
        bool enforced_differs, enforced_not_replayed;
};

/* Compares one bank and appends a row per PCR. */
static void compare_bank(const struct compare_options *opt, const struct pcrsim_replay *replay,
                         const struct pcrsim_reference *ref, uint32_t b, const struct pcr_events *events,
                         const struct pcrsim_ima_replay *ima, json_t *rows, struct tally *t)
{
        const struct pcrsim_pcr_bank *rb = &ref->set.banks[b];
        const struct pcrsim_replay_bank *bank = pcrsim_replay_bank(replay, rb->alg);
        char bank_name[24];
        uint32_t differs = 0;

        pcrsim_alg_name(rb->alg, bank_name, sizeof(bank_name));
        /* The PCRs that differ, for the explanation of PCR 10. */
        for (uint32_t pcr = 0; bank && bank->hashable && pcr < PCRSIM_PCR_COUNT; pcr++)
                if (rb->pcrs[pcr].present && !(bank->missing_pcrs & (1u << pcr)) &&
                    memcmp(bank->values[pcr], rb->pcrs[pcr].digest, rb->size) != 0)
                        differs |= 1u << pcr;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                bool replayed = bank && bank->hashable && !(bank->missing_pcrs & (1u << pcr));
                bool in_ref = rb->pcrs[pcr].present, warn = ref->warn_only[b][pcr];
                char replayed_hex[2 * PCRSIM_MAX_DIGEST_SIZE + 1] = "";
                char expected_hex[2 * PCRSIM_MAX_DIGEST_SIZE + 1] = "";
                enum verdict v;
                json_t *row;

                if (!(opt->pcr_mask & (1u << pcr)))
                        continue;
                if (replayed)
                        hex(bank->values[pcr], bank->size, replayed_hex);
                if (in_ref)
                        hex(rb->pcrs[pcr].digest, rb->size, expected_hex);
                if (!in_ref)
                        v = NOT_IN_REFERENCE;
                else if (!replayed)
                        v = NOT_REPLAYED;
                else if (memcmp(bank->values[pcr], rb->pcrs[pcr].digest, rb->size) == 0)
                        v = MATCH;
                else
                        v = warn ? WARN_ONLY_DIFFERS : DIFFERS;
                t->counts[v]++;
                t->enforced_differs |= v == DIFFERS;
                t->enforced_not_replayed |= v == NOT_REPLAYED && !warn;
                row = json_pack("{s:i, s:s, s:s, s:s, s:s, s:b}", "pcr", (json_int_t)pcr, "bank", bank_name,
                                "verdict", verdict_names[v], "replayed", replayed_hex, "expected",
                                expected_hex, "warnOnly", warn);
                if (v == DIFFERS || v == WARN_ONLY_DIFFERS)
                        json_object_set_new(row, "explanation",
                                            explain(opt, bank, pcr, rb->pcrs[pcr].digest, &events[pcr],
                                                    differs, ima));
                if (v == NOT_REPLAYED) {
                        char why[256];

                        if (!bank)
                                snprintf(why, sizeof(why), "the log has no %s bank", bank_name);
                        else if (!bank->hashable)
                                snprintf(why, sizeof(why), "pcrsim cannot compute %s hashes here", bank_name);
                        else
                                snprintf(why, sizeof(why), "event %" PRIu64 " of PCR %" PRIu32 " has no %s digest in the log",
                                         bank->first_missing_event[pcr], pcr, bank_name);
                        json_object_set_new(row, "explanation", json_pack("[s]", why));
                }
                json_array_append_new(rows, row);
        }
}

static void append_text(struct pcrsim_strbuf *sb, json_t *doc)
{
        json_t *rows = json_object_get(doc, "pcrs"), *row, *src, *counts;
        size_t i, j;

        json_array_foreach(json_object_get(doc, "references"), i, src)
                pcrsim_strbuf_printf(sb, "reference: %s (%s, %s)\n",
                                     json_string_value(json_object_get(src, "file")),
                                     json_string_value(json_object_get(src, "format")),
                                     json_is_true(json_object_get(src, "detected")) ? "detected" : "named");
        pcrsim_strbuf_printf(sb, "%-4s %-8s %-18s %s\n", "PCR", "BANK", "VERDICT", "REPLAYED / EXPECTED");
        json_array_foreach(rows, i, row) {
                const char *verdict = json_string_value(json_object_get(row, "verdict"));
                const char *replayed = json_string_value(json_object_get(row, "replayed"));
                const char *expected = json_string_value(json_object_get(row, "expected"));
                json_t *line;

                pcrsim_strbuf_printf(sb, "%-4" JSON_INTEGER_FORMAT " %-8s %-18s %s\n",
                                     json_integer_value(json_object_get(row, "pcr")),
                                     json_string_value(json_object_get(row, "bank")), verdict,
                                     replayed[0] ? replayed : "-");
                if (strcmp(verdict, "match") != 0)
                        pcrsim_strbuf_printf(sb, "%-32s %s\n", "", expected[0] ? expected : "-");
                json_array_foreach(json_object_get(row, "explanation"), j, line)
                        pcrsim_strbuf_printf(sb, "     - %s\n", json_string_value(line));
        }
        counts = json_object_get(doc, "counts");
        pcrsim_strbuf_printf(sb, "result: %s (%" JSON_INTEGER_FORMAT " match, %" JSON_INTEGER_FORMAT " differ, %" JSON_INTEGER_FORMAT " differ but are warn-only, %" JSON_INTEGER_FORMAT " not replayed, %" JSON_INTEGER_FORMAT " not in the reference)\n",
                             json_string_value(json_object_get(doc, "result")),
                             json_integer_value(json_object_get(counts, "match")),
                             json_integer_value(json_object_get(counts, "differs")),
                             json_integer_value(json_object_get(counts, "warn-only-differs")),
                             json_integer_value(json_object_get(counts, "not-replayed")),
                             json_integer_value(json_object_get(counts, "not-in-reference")));
}

int cmd_compare(int argc, char **argv)
{
        struct compare_options opt = { 0 };
        struct pcrsim_replay *replay = calloc(1, sizeof(*replay));
        struct pcrsim_ima_replay *ima = calloc(1, sizeof(*ima));
        struct pcrsim_reference *ref = calloc(1, sizeof(*ref));
        struct pcr_events events[PCRSIM_PCR_COUNT];
        json_t *doc = json_object(), *sources = json_array(), *rows = json_array();
        struct pcrsim_strbuf sb;
        struct tally tally = { { 0 }, false, false };
        const char *result;
        uint32_t compared = 0;
        int rc;

        pcrsim_strbuf_init(&sb);
        memset(events, 0, sizeof(events));
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                goto out;
        if (!replay || !ima || !ref || !doc || !sources || !rows) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        rc = replay_log_and_ima(opt.input, opt.ima, opt.quiet, replay, ima, events);
        if (!rc)
                rc = read_references(&opt, replay, ref, sources);
        for (uint32_t b = 0; !rc && b < ref->set.bank_count; b++) {
                char name[24];

                pcrsim_alg_name(ref->set.banks[b].alg, name, sizeof(name));
                if (opt.bank && strcmp(opt.bank, name) != 0)
                        continue;
                compare_bank(&opt, replay, ref, b, events, opt.ima ? ima : NULL, rows, &tally);
                compared++;
        }
        if (!rc && compared == 0) {
                cli_errorf("the references hold no value of bank %s", opt.bank);
                rc = EXIT_INVALID;
        }
        if (!rc && tally.counts[NOT_IN_REFERENCE] == json_array_size(rows)) {
                cli_errorf("none of the PCRs compared is in the references, so nothing was compared: check --pcrs and --bank");
                rc = EXIT_INVALID;
        }
        if (rc)
                goto out;
        json_object_set_new(doc, "eventlog", json_string(opt.name));
        if (opt.ima)
                json_object_set_new(doc, "ima", json_string(cli_input_name(opt.ima)));
        json_object_set(doc, "references", sources);
        json_object_set(doc, "pcrs", rows);
        /* "differs" when an enforced PCR differs, "incomplete" when one
         * cannot be replayed, "match" otherwise, warn-only differences
         * included and counted. */
        result = "match";
        if (tally.enforced_differs)
                result = "differs";
        else if (tally.enforced_not_replayed)
                result = "incomplete";
        json_object_set_new(doc, "result", json_string(result));
        json_object_set_new(doc, "counts",
                            json_pack("{s:i, s:i, s:i, s:i, s:i}", "match", tally.counts[MATCH],
                                      "differs", tally.counts[DIFFERS], "warn-only-differs",
                                      tally.counts[WARN_ONLY_DIFFERS], "not-in-reference",
                                      tally.counts[NOT_IN_REFERENCE], "not-replayed",
                                      tally.counts[NOT_REPLAYED]));
        if (opt.json || opt.yaml) {
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (pcrsim_format_document(doc, opt.yaml, &sb, &err)) {
                        rc = cli_report(&err, NULL);
                        goto out;
                }
        } else {
                append_text(&sb, doc);
        }
        rc = cli_write_output(&sb, opt.output);
        if (!rc && strcmp(result, "match") != 0)
                rc = EXIT_DIFFERENCE;
out:
        json_decref(doc);
        json_decref(sources);
        json_decref(rows);
        pcrsim_strbuf_free(&sb);
        free(ref);
        free(ima);
        free(replay);
        return rc;
}
