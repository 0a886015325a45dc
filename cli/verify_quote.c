/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim verify-quote: checks a TPM quote offline against its attestation
 * key, a nonce, and PCR values from reference files or from a replayed
 * event log.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/references.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"
#include "pcrsim/quote.h"
#include "pcrsim/reference.h"

/* Largest nonce: a TPM2B_DATA is at most the size of a TPMT_HA. */
#define MAX_NONCE 66u

static const char verify_quote_usage[] =
        "Usage: pcrsim verify-quote --attest FILE --signature FILE --ak-public FILE\n"
        "                           [--nonce HEX] [--expected REF | EVENTLOG [--ima IMA_LOG]]\n"
        "\n"
        "Check a TPM 2.0 quote as tpm2_quote writes it: the magic and type of the\n"
        "signed TPMS_ATTEST, its signature by the attestation key, the nonce, and\n"
        "the PCR digest against PCR values from reference files or from a replay\n"
        "of the event log. The PCR selection comes only from the signed quote.\n"
        "\n"
        "Options:\n"
        "  -m, --attest FILE          the TPMS_ATTEST (tpm2_quote -m)\n"
        "  -s, --signature FILE       the TPMT_SIGNATURE (tpm2_quote -s)\n"
        "  -k, --ak-public FILE       the attestation key: TPM2B_PUBLIC, PEM or DER\n"
        "  -n, --nonce HEX            the qualifying data the quote must carry\n"
        "  -e, --expected REF         PCR values, in any format pcrsim compare reads,\n"
        "                             or the PCR file of tpm2_quote -o; may be repeated\n"
        "      --expected-format FMT  the format of every REF (see pcrsim compare)\n"
        "      --ima FILE             replay this IMA list into PCR 10 after EVENTLOG\n"
        "  -f, --format FORMAT        text (default), json or yaml\n"
        "  -o, --output FILE          write the report to FILE\n"
        "  -q, --quiet                no notes on standard error\n"
        "  -h, --help                 print this help\n"
        "\n"
        "Each check prints one line: pass, fail, or not checked when its input is\n"
        "missing. The result is pass, fail, or incomplete when no check failed but\n"
        "one was not checked. Exit status: 0 pass, 1 fail or incomplete, 2 usage\n"
        "error or invalid input, 3 I/O or system error.\n";

struct verify_options {
        const char *attest, *signature, *key;
        uint8_t nonce[MAX_NONCE];
        size_t nonce_size;
        bool has_nonce;
        const char *refs[8];
        unsigned ref_count;
        enum pcrsim_ref_format ref_format;
        const char *input, *ima;
        bool json, yaml, quiet;
        const char *output;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim verify-quote --help'.\n");
        return EXIT_INVALID;
}

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Parses hex with an optional 0x prefix into at most `cap` bytes. */
static bool parse_hex(const char *text, uint8_t *out, size_t cap, size_t *size)
{
        size_t len = strlen(text);

        if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
                text += 2;
                len -= 2;
        }
        if (len % 2 || len / 2 > cap)
                return false;
        for (size_t i = 0; i < len; i += 2) {
                int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);

                if (hi < 0 || lo < 0)
                        return false;
                out[i / 2] = (uint8_t)(hi << 4 | lo);
        }
        *size = len / 2;
        return true;
}

static int parse_options(int argc, char **argv, struct verify_options *opt)
{
        enum { OPT_FORMAT_REF = 256, OPT_IMA };
        static const struct option longopts[] = {
                { "attest", required_argument, NULL, 'm' },
                { "signature", required_argument, NULL, 's' },
                { "ak-public", required_argument, NULL, 'k' },
                { "nonce", required_argument, NULL, 'n' },
                { "expected", required_argument, NULL, 'e' },
                { "expected-format", required_argument, NULL, OPT_FORMAT_REF },
                { "ima", required_argument, NULL, OPT_IMA },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "m:s:k:n:e:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'm':
                        opt->attest = optarg;
                        break;
                case 's':
                        opt->signature = optarg;
                        break;
                case 'k':
                        opt->key = optarg;
                        break;
                case 'n':
                        if (!parse_hex(optarg, opt->nonce, sizeof(opt->nonce), &opt->nonce_size)) {
                                cli_errorf("invalid --nonce '%s': expected an even number of hex digits, at most %u bytes",
                                           optarg, MAX_NONCE);
                                return usage_error();
                        }
                        opt->has_nonce = true;
                        break;
                case 'e':
                        if (opt->ref_count == sizeof(opt->refs) / sizeof(opt->refs[0])) {
                                cli_errorf("more than %zu --expected options",
                                           sizeof(opt->refs) / sizeof(opt->refs[0]));
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
                        fputs(verify_quote_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        if (!opt->attest || !opt->signature || !opt->key) {
                const char *missing = "--ak-public";

                if (!opt->attest)
                        missing = "--attest";
                else if (!opt->signature)
                        missing = "--signature";
                cli_errorf("missing %s: a quote needs --attest, --signature and --ak-public", missing);
                return usage_error();
        }
        if (optind < argc)
                opt->input = argv[optind++];
        if (optind < argc) {
                cli_errorf("more than one EVENTLOG argument");
                return usage_error();
        }
        if (opt->input && opt->ref_count) {
                cli_errorf("give PCR values either with --expected or as an EVENTLOG to replay, not both");
                return usage_error();
        }
        if (opt->ima && !opt->input) {
                cli_errorf("--ima needs the EVENTLOG that it continues");
                return usage_error();
        }
        {
                const char *inputs[13] = { opt->attest, opt->signature, opt->key, opt->input, opt->ima };

                for (unsigned i = 0; i < opt->ref_count; i++)
                        inputs[5 + i] = opt->refs[i];
                if (!cli_check_inputs(opt->output, inputs, 5 + opt->ref_count))
                        return EXIT_INVALID;
        }
        return -1;
}

/* Reads a whole file of at most `max` bytes. */
static int read_file(const char *path, size_t max, uint8_t **data, size_t *size)
{
        int exit_code = EXIT_OK;
        FILE *f = cli_open_input(path, &exit_code);
        size_t cap = 4096, len = 0;
        uint8_t *buf;

        if (!f)
                return exit_code;
        buf = malloc(cap);
        while (buf) {
                size_t n = fread(buf + len, 1, cap - len, f);
                uint8_t *grown;

                len += n;
                if (len < cap || len > max)
                        break;
                cap *= 2;
                grown = realloc(buf, cap);
                if (!grown)
                        free(buf);
                buf = grown;
        }
        if (!buf) {
                cli_close_input(f);
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        if (ferror(f)) {
                cli_errorf("%s: read failed: %s", cli_input_name(path), strerror(errno));
                exit_code = EXIT_SYSTEM;
        } else if (len > max) {
                cli_errorf("%s: larger than %zu bytes, the limit for this input", cli_input_name(path), max);
                exit_code = EXIT_INVALID;
        }
        cli_close_input(f);
        if (exit_code) {
                free(buf);
                return exit_code;
        }
        *data = buf;
        *size = len;
        return EXIT_OK;
}

/* Reads the PCR values from the references, in any format that pcrsim
 * compare reads, the tpm2-tools PCR file included. Values without a bank
 * name belong to a bank that the quote selects. */
static int read_references(const struct verify_options *opt,
                           const struct pcrsim_quote_selection *sel, struct pcrsim_pcr_set *set)
{
        struct pcrsim_reference *merged = malloc(sizeof(*merged));
        struct pcrsim_ref_options ropt = { .format = opt->ref_format };
        int exit_code;

        if (!merged) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        for (uint32_t i = 0; i < sel->count && ropt.bank_count < PCRSIM_MAX_ALGORITHMS; i++) {
                bool seen = false;

                for (uint32_t j = 0; j < ropt.bank_count; j++)
                        seen |= ropt.banks[j] == sel->banks[i].alg;
                if (!seen)
                        ropt.banks[ropt.bank_count++] = sel->banks[i].alg;
        }
        exit_code = cli_read_references(opt->refs, opt->ref_count, &ropt, opt->quiet, merged, NULL);
        *set = merged->set;
        free(merged);
        return exit_code;
}

/* Replays the event log and turns its computable banks into a PCR set. */
static int replay_values(const struct verify_options *opt, struct pcrsim_pcr_set *set)
{
        struct pcrsim_replay *replay = calloc(1, sizeof(*replay));
        struct pcrsim_ima_replay *ima = calloc(1, sizeof(*ima));
        int rc;

        if (!replay || !ima) {
                free(replay);
                free(ima);
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        rc = replay_log_and_ima(opt->input, opt->ima, opt->quiet, replay, ima, NULL);
        memset(set, 0, sizeof(*set));
        for (uint32_t b = 0; !rc && b < replay->bank_count; b++) {
                const struct pcrsim_replay_bank *bank = &replay->banks[b];
                struct pcrsim_pcr_bank *out = &set->banks[set->bank_count];

                if (!bank->hashable)
                        continue;
                set->bank_count++;
                out->alg = bank->alg;
                out->size = bank->size;
                /* A PCR with an event that lacks this bank's digest has no
                 * value, and a quote that selects it fails the digest check. */
                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        if (bank->missing_pcrs & (1u << pcr))
                                continue;
                        out->pcrs[pcr].present = true;
                        memcpy(out->pcrs[pcr].digest, bank->values[pcr], bank->size);
                }
        }
        free(replay);
        free(ima);
        return rc;
}

static json_t *selection_json(const struct pcrsim_quote_selection *sel)
{
        json_t *list = json_array();

        for (uint32_t i = 0; i < sel->count; i++) {
                char bank[24], pcrs[96];
                uint32_t mask = 0;

                for (uint32_t j = 0; j < sel->banks[i].pcr_count; j++)
                        mask |= 1u << sel->banks[i].pcrs[j];
                pcrsim_alg_name(sel->banks[i].alg, bank, sizeof(bank));
                cli_format_pcr_list(mask, pcrs, sizeof(pcrs));
                json_array_append_new(list, json_pack("{s:s, s:s}", "bank", bank, "pcrs", pcrs));
        }
        return list;
}

static void append_text(struct pcrsim_strbuf *sb, json_t *doc)
{
        json_t *item;
        size_t i;

        json_array_foreach(json_object_get(doc, "selection"), i, item)
                pcrsim_strbuf_printf(sb, "selection: %s PCRs %s\n",
                                     json_string_value(json_object_get(item, "bank")),
                                     json_string_value(json_object_get(item, "pcrs")));
        json_array_foreach(json_object_get(doc, "checks"), i, item)
                pcrsim_strbuf_printf(sb, "%-11s %-12s %s\n",
                                     json_string_value(json_object_get(item, "check")),
                                     json_string_value(json_object_get(item, "verdict")),
                                     json_string_value(json_object_get(item, "message")));
        pcrsim_strbuf_printf(sb, "result: %s\n", json_string_value(json_object_get(doc, "result")));
}

/* Parses the three quote files. */
static int load_quote(const struct verify_options *opt, struct pcrsim_quote_attest **attest,
                      struct pcrsim_quote_signature **sig, struct pcrsim_quote_key **key)
{
        const char *paths[3] = { opt->attest, opt->signature, opt->key };
        const size_t limits[3] = { PCRSIM_MAX_QUOTE_ATTEST_SIZE, PCRSIM_MAX_QUOTE_SIGNATURE_SIZE,
                                   PCRSIM_MAX_QUOTE_KEY_SIZE };

        for (int i = 0; i < 3; i++) {
                struct pcrsim_error err;
                enum pcrsim_error_code rc;
                uint8_t *data = NULL;
                size_t size = 0;
                int exit_code = read_file(paths[i], limits[i], &data, &size);

                if (exit_code)
                        return exit_code;
                pcrsim_error_clear(&err);
                if (i == 0)
                        rc = pcrsim_quote_attest_parse(data, size, attest, &err);
                else if (i == 1)
                        rc = pcrsim_quote_signature_parse(data, size, sig, &err);
                else
                        rc = pcrsim_quote_key_parse(data, size, key, &err);
                free(data);
                if (rc)
                        return cli_report(&err, cli_input_name(paths[i]));
        }
        return EXIT_OK;
}

int cmd_verify_quote(int argc, char **argv)
{
        struct verify_options opt = { 0 };
        struct pcrsim_quote_attest *attest = NULL;
        struct pcrsim_quote_signature *sig = NULL;
        struct pcrsim_quote_key *key = NULL;
        struct pcrsim_quote_selection sel = { 0 };
        struct pcrsim_quote_expect expect = { 0 };
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_quote_result result;
        struct pcrsim_strbuf sb;
        json_t *doc = NULL, *checks;
        bool any_fail = false, any_unchecked = false;
        const char *verdict;
        int rc;

        pcrsim_strbuf_init(&sb);
        /* libtss2-mu logs some parse failures itself; pcrsim reports them. */
        setenv("TSS2_LOG", "all+none", 0);
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                goto out;
        if (!set) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        rc = load_quote(&opt, &attest, &sig, &key);
        if (rc)
                goto out;
        if (pcrsim_quote_attest_selection(attest, &sel, NULL) != PCRSIM_OK)
                sel.count = 0; /* not a quote: the type check reports it */
        if (opt.ref_count)
                rc = read_references(&opt, &sel, set);
        else if (opt.input)
                rc = replay_values(&opt, set);
        if (rc)
                goto out;
        if (opt.has_nonce) {
                expect.nonce = opt.nonce;
                expect.nonce_size = opt.nonce_size;
        }
        if (opt.ref_count || opt.input)
                expect.pcrs = set;
        {
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (pcrsim_quote_verify(attest, sig, key, &expect, &result, &err)) {
                        rc = cli_report(&err, NULL);
                        goto out;
                }
        }
        doc = json_object();
        checks = json_array();
        for (int i = 0; i < PCRSIM_QUOTE_CHECK_COUNT; i++) {
                any_fail |= result.checks[i].verdict == PCRSIM_QUOTE_FAIL;
                any_unchecked |= result.checks[i].verdict == PCRSIM_QUOTE_NOT_CHECKED;
                json_array_append_new(checks, json_pack("{s:s, s:s, s:s}", "check",
                                                        pcrsim_quote_check_name((enum pcrsim_quote_check_id)i),
                                                        "verdict",
                                                        pcrsim_quote_verdict_name(result.checks[i].verdict),
                                                        "message", result.checks[i].message));
        }
        json_object_set_new(doc, "selection", selection_json(&sel));
        json_object_set_new(doc, "checks", checks);
        verdict = "pass";
        if (any_fail)
                verdict = "fail";
        else if (any_unchecked)
                verdict = "incomplete";
        json_object_set_new(doc, "result", json_string(verdict));
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
        if (!rc && strcmp(verdict, "pass") != 0)
                rc = EXIT_DIFFERENCE;
out:
        json_decref(doc);
        pcrsim_strbuf_free(&sb);
        pcrsim_quote_attest_free(attest);
        pcrsim_quote_signature_free(sig);
        pcrsim_quote_key_free(key);
        free(set);
        return rc;
}
