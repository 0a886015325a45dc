/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"
#include "pcrsim/replay.h"

static const char replay_usage[] =
        "Usage: pcrsim replay [OPTIONS] EVENTLOG [--ima IMA_LOG]\n"
        "       pcrsim replay [OPTIONS] --ima IMA_LOG\n"
        "\n"
        "Replay a TCG event log (SHA-1 or crypto-agile format, such as\n"
        "/sys/kernel/security/tpm0/binary_bios_measurements) and print the\n"
        "PCR values it produces. With --ima, also replay a Linux IMA list\n"
        "into PCR 10 and check its boot_aggregate against the event log;\n"
        "with --ima alone, print only the PCRs of the IMA list. A file\n"
        "\"-\" reads standard input.\n"
        "\n"
        "Options:\n"
        "  -b, --bank BANK        sha1, sha256, sha384, sha512, sm3_256 or all\n"
        "                         (default: sha256 if the log has it, else sha1,\n"
        "                         else the first bank of the log's header)\n"
        "  -p, --pcrs LIST        PCRs to print, such as 0-7,9; may be repeated\n"
        "                         (default: 0-23, or the IMA PCRs with --ima alone)\n"
        "  -f, --format FORMAT    text, json, yaml or go (default: text)\n"
        "  -o, --output FILE      write to FILE, replaced only when complete;\n"
        "                         - is standard output\n"
        "      --partial          print a bank even if some events lack its digest,\n"
        "                         with a warning naming the PCRs affected\n"
        "      --go-package NAME  package of the Go output (default: pcrs)\n"
        "      --go-var NAME      variable of the Go output (default: pcrs)\n"
        "      --report FORMAT    json or yaml: print one document with the values\n"
        "                         and every verdict instead of the values alone\n"
        "  -q, --quiet            do not print notes on standard error\n"
        "  -h, --help             print this help\n"
        "\n"
        "IMA options:\n"
        "      --ima IMA_LOG      binary_runtime_measurements (or a per-bank list\n"
        "                         such as binary_runtime_measurements_sha256) or\n"
        "                         ascii_runtime_measurements\n"
        "      --ima-digest-alg ALG  template digest algorithm of a binary list\n"
        "                         (default: detected from the first entry)\n"
        "      --ima-byte-order ORDER  little or big (default: detected)\n"
        "      --ima-extend RULE  per-bank (Linux 5.8 and later), sha1-padded\n"
        "                         (older kernels) or auto (default: the rule the\n"
        "                         boot_aggregate shows, else per-bank)\n"
        "      --allow-partial-tail  replay the complete entries of a list that ends\n"
        "                         in a partial entry, and report the bytes left out\n"
        "      --ima-expected BANK:HEX  PCR 10 as a TPM reported it, such as\n"
        "                         sha256:2de3...; reports how many entries of the\n"
        "                         list reproduce it, and exits with 1 if none do;\n"
        "                         may be repeated, one per bank\n"
        "\n"
        "Formats: json is the pcr-reader map of PCR index to base64; with\n"
        "--bank all it is keyed by bank. yaml is the same mapping. go is a\n"
        "gofmt-formatted Go map. text is a table with the hex value and the\n"
        "number of events extended into each PCR, then the IMA verdicts. With\n"
        "json, yaml and go the IMA verdicts go to standard error.\n"
        "\n"
        "Exit status: 0 success, 1 an --ima-expected value that no prefix of the\n"
        "list reproduces, 2 usage error or invalid input, 3 I/O or system error.\n";

static bool parse_format(const char *text, enum output_format *out)
{
        static const struct {
                const char *name;
                enum output_format format;
        } formats[] = {
                { "text", FORMAT_TEXT },
                { "json", FORMAT_JSON },
                { "yaml", FORMAT_YAML },
                { "go", FORMAT_GO },
        };

        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
                if (strcmp(text, formats[i].name) == 0) {
                        *out = formats[i].format;
                        return true;
                }
        }
        cli_errorf("invalid format '%s': expected text, json, yaml or go", text);
        return false;
}

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim replay --help'.\n");
        return EXIT_INVALID;
}

/* Checks the options of the Go output; returns -1 to go on, else an exit
 * code. */
static int check_go_options(struct replay_options *opt)
{
        if (opt->format != FORMAT_GO) {
                if (opt->go_package || opt->go_var) {
                        cli_errorf("--go-package and --go-var apply only to --format go");
                        return usage_error();
                }
                return -1;
        }
        if (opt->bank && strcmp(opt->bank, "all") == 0) {
                cli_errorf("--format go writes one bank: choose it with --bank");
                return usage_error();
        }
        if (!opt->go_package)
                opt->go_package = "pcrs";
        if (!opt->go_var)
                opt->go_var = "pcrs";
        if (!pcrsim_go_identifier_valid(opt->go_package)) {
                cli_errorf("invalid --go-package '%s': expected an ASCII Go identifier that is not a keyword",
                           opt->go_package);
                return usage_error();
        }
        if (!pcrsim_go_identifier_valid(opt->go_var)) {
                cli_errorf("invalid --go-var '%s': expected an ASCII Go identifier that is not a keyword",
                           opt->go_var);
                return usage_error();
        }
        return -1;
}

/* The PCR that IMA extends unless its policy names others. */
#define IMA_PCR 10u

enum {
        OPT_PARTIAL = 256,
        OPT_GO_PACKAGE,
        OPT_GO_VAR,
        OPT_IMA,
        OPT_IMA_DIGEST_ALG,
        OPT_IMA_BYTE_ORDER,
        OPT_IMA_EXTEND,
        OPT_ALLOW_PARTIAL_TAIL,
        OPT_REPORT,
        OPT_IMA_EXPECTED,
};

/*
 * Parses --ima-expected BANK:HEX, the value of the IMA PCR (10) that a TPM
 * reported, into opt->ima_expected. Returns -1 to go on, else an exit code.
 */
static int parse_ima_expected(const char *arg, struct replay_options *opt)
{
        const char *colon = strchr(arg, ':');
        const struct pcrsim_alg_info *alg = NULL;
        struct pcrsim_pcr_bank *bank;
        char name[24];
        size_t hex_len;

        if (colon && (size_t)(colon - arg) < sizeof(name)) {
                snprintf(name, sizeof(name), "%.*s", (int)(colon - arg), arg);
                alg = pcrsim_alg_by_name(name);
        }
        hex_len = colon ? strlen(colon + 1) : 0;
        if (!alg || hex_len != 2u * alg->digest_size) {
                cli_errorf("invalid --ima-expected '%s': expected BANK:HEX such as sha256: and 64 hex digits",
                           arg);
                return usage_error();
        }
        if (!opt->ima_expected)
                opt->ima_expected = calloc(1, sizeof(*opt->ima_expected));
        if (!opt->ima_expected || opt->ima_expected->bank_count >= PCRSIM_MAX_ALGORITHMS) {
                cli_errorf("cannot store --ima-expected '%s'", arg);
                return EXIT_SYSTEM;
        }
        bank = &opt->ima_expected->banks[opt->ima_expected->bank_count];
        memset(bank, 0, sizeof(*bank));
        bank->alg = alg->id;
        bank->size = alg->digest_size;
        for (size_t i = 0; i < alg->digest_size; i++) {
                unsigned v;

                if (sscanf(colon + 1 + 2 * i, "%2x", &v) != 1 ||
                    !strchr("0123456789abcdefABCDEF", colon[2 + 2 * i]) ||
                    !strchr("0123456789abcdefABCDEF", colon[1 + 2 * i])) {
                        cli_errorf("invalid --ima-expected '%s': the value is not hex", arg);
                        return usage_error();
                }
                bank->pcrs[IMA_PCR].digest[i] = (uint8_t)v;
        }
        bank->pcrs[IMA_PCR].present = true;
        opt->ima_expected->bank_count++;
        return -1;
}

/* Handles the IMA and report options; returns -1 to go on, else an exit
 * code. */
static int parse_ima_option(int c, const char *arg, struct replay_options *opt)
{
        const struct pcrsim_alg_info *alg;

        switch (c) {
        case OPT_IMA:
                opt->ima = arg;
                opt->ima_name = cli_input_name(arg);
                return -1;
        case OPT_IMA_DIGEST_ALG:
                alg = pcrsim_alg_by_name(arg);
                if (!alg) {
                        cli_errorf("invalid --ima-digest-alg '%s': expected sha1, sha256, sha384, sha512 or sm3_256",
                                   arg);
                        return usage_error();
                }
                opt->ima_opts.digest_alg = alg->id;
                return -1;
        case OPT_IMA_BYTE_ORDER:
                if (strcmp(arg, "little") == 0)
                        opt->ima_opts.byte_order = PCRSIM_BYTE_ORDER_LITTLE;
                else if (strcmp(arg, "big") == 0)
                        opt->ima_opts.byte_order = PCRSIM_BYTE_ORDER_BIG;
                else {
                        cli_errorf("invalid --ima-byte-order '%s': expected little or big", arg);
                        return usage_error();
                }
                return -1;
        case OPT_IMA_EXTEND:
                if (strcmp(arg, "auto") == 0)
                        opt->ima_rule = PCRSIM_IMA_EXTEND_AUTO;
                else if (strcmp(arg, "per-bank") == 0)
                        opt->ima_rule = PCRSIM_IMA_EXTEND_PER_BANK;
                else if (strcmp(arg, "sha1-padded") == 0)
                        opt->ima_rule = PCRSIM_IMA_EXTEND_SHA1_PADDED;
                else {
                        cli_errorf("invalid --ima-extend '%s': expected auto, per-bank or sha1-padded",
                                   arg);
                        return usage_error();
                }
                return -1;
        case OPT_ALLOW_PARTIAL_TAIL:
                opt->ima_opts.allow_partial_tail = true;
                return -1;
        case OPT_IMA_EXPECTED:
                return parse_ima_expected(arg, opt);
        case OPT_REPORT:
                if (strcmp(arg, "json") == 0)
                        opt->report = REPORT_JSON;
                else if (strcmp(arg, "yaml") == 0)
                        opt->report = REPORT_YAML;
                else {
                        cli_errorf("invalid --report '%s': expected json or yaml", arg);
                        return usage_error();
                }
                return -1;
        }
        return usage_error();
}

/* Parses the command line; returns -1 to go on, else an exit code. */
static int parse_options(int argc, char **argv, struct replay_options *opt)
{
        static const struct option longopts[] = {
                { "bank", required_argument, NULL, 'b' },
                { "pcrs", required_argument, NULL, 'p' },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "partial", no_argument, NULL, OPT_PARTIAL },
                { "go-package", required_argument, NULL, OPT_GO_PACKAGE },
                { "go-var", required_argument, NULL, OPT_GO_VAR },
                { "ima", required_argument, NULL, OPT_IMA },
                { "ima-digest-alg", required_argument, NULL, OPT_IMA_DIGEST_ALG },
                { "ima-byte-order", required_argument, NULL, OPT_IMA_BYTE_ORDER },
                { "ima-extend", required_argument, NULL, OPT_IMA_EXTEND },
                { "allow-partial-tail", no_argument, NULL, OPT_ALLOW_PARTIAL_TAIL },
                { "report", required_argument, NULL, OPT_REPORT },
                { "ima-expected", required_argument, NULL, OPT_IMA_EXPECTED },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c, rc;

        opt->pcr_mask = 0;
        opt->go_package = NULL;
        opt->go_var = NULL;
        optind = 1;
        while ((c = getopt_long(argc, argv, "b:p:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'b':
                        if (strcmp(optarg, "all") != 0 && !pcrsim_alg_by_name(optarg)) {
                                cli_errorf("invalid bank '%s': expected sha1, sha256, sha384, sha512, sm3_256 or all",
                                           optarg);
                                return usage_error();
                        }
                        opt->bank = optarg;
                        break;
                case 'p':
                        if (!cli_parse_pcr_list(optarg, &opt->pcr_mask))
                                return usage_error();
                        opt->pcrs_given = true;
                        break;
                case 'f':
                        if (!parse_format(optarg, &opt->format))
                                return usage_error();
                        break;
                case 'o':
                        if (optarg[0] == '\0') {
                                cli_errorf("invalid output file name '': expected a path, or - for standard output");
                                return usage_error();
                        }
                        opt->output = optarg;
                        break;
                case OPT_PARTIAL:
                        opt->partial = true;
                        break;
                case OPT_GO_PACKAGE:
                        opt->go_package = optarg;
                        break;
                case OPT_GO_VAR:
                        opt->go_var = optarg;
                        break;
                case 'q':
                        opt->quiet = true;
                        break;
                case 'h':
                        fputs(replay_usage, stdout);
                        return EXIT_OK;
                default:
                        rc = parse_ima_option(c, optarg, opt);
                        if (rc >= 0)
                                return rc;
                        break;
                }
        }
        if (optind + 1 < argc || (optind == argc && !opt->ima)) {
                cli_errorf(optind >= argc ? "missing EVENTLOG argument (or --ima IMA_LOG)"
                                          : "more than one EVENTLOG argument");
                return usage_error();
        }
        if (optind < argc) {
                opt->input = argv[optind];
                opt->name = cli_input_name(opt->input);
        }
        if (opt->pcr_mask == 0)
                opt->pcr_mask = (1u << PCRSIM_PCR_COUNT) - 1;
        {
                const char *inputs[] = { opt->input, opt->ima };

                if (!cli_check_inputs(opt->output, inputs, 2))
                        return EXIT_INVALID;
        }
        return check_go_options(opt);
}

static void list_banks(const struct pcrsim_replay *replay, char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (uint32_t i = 0; i < replay->bank_count && used < size; i++) {
                char name[24];
                int n;

                pcrsim_alg_name(replay->banks[i].alg, name, sizeof(name));
                n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name);
                if (n < 0)
                        return;
                used += (size_t)n;
        }
}

/* Returns the default bank: sha256, else sha1, else the first bank of the
 * header that pcrsim can compute. */
static const struct pcrsim_replay_bank *default_bank(const struct pcrsim_replay *replay)
{
        const struct pcrsim_replay_bank *bank;

        bank = pcrsim_replay_bank(replay, pcrsim_alg_by_name("sha256")->id);
        if (!bank)
                bank = pcrsim_replay_bank(replay, pcrsim_alg_by_name("sha1")->id);
        for (uint32_t i = 0; !bank && i < replay->bank_count; i++)
                if (replay->banks[i].hashable)
                        bank = &replay->banks[i];
        return bank ? bank : &replay->banks[0];
}

static uint64_t first_missing(const struct pcrsim_replay_bank *bank, uint32_t mask,
                              uint32_t *pcr_out)
{
        uint64_t first = PCRSIM_NO_RECORD;

        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                if ((mask & (1u << pcr)) && bank->first_missing_event[pcr] < first) {
                        first = bank->first_missing_event[pcr];
                        *pcr_out = pcr;
                }
        }
        return first;
}

/* Says why pcrsim cannot compute a bank of algorithm `alg`. */
static const char *unhashable_reason(uint16_t alg)
{
        if (!pcrsim_alg_by_id(alg))
                return "pcrsim knows no hash function for this algorithm id";
        return "the OpenSSL library in use does not provide this hash";
}

/* Checks that a selected bank can be printed; returns an exit code. */
static int check_bank(const struct pcrsim_replay_bank *bank,
                      const struct replay_options *opt, const char *name)
{
        uint32_t affected = bank->missing_pcrs & opt->pcr_mask;
        char bank_name[24], pcrs[96];
        uint32_t pcr = 0;
        uint64_t event;

        pcrsim_alg_name(bank->alg, bank_name, sizeof(bank_name));
        if (!bank->hashable) {
                cli_errorf("%s: cannot compute bank %s: %s", name, bank_name,
                           unhashable_reason(bank->alg));
                return EXIT_INVALID;
        }
        if (!affected)
                return EXIT_OK;
        cli_format_pcr_list(affected, pcrs, sizeof(pcrs));
        event = first_missing(bank, opt->pcr_mask, &pcr);
        if (!opt->partial) {
                cli_errorf("%s: event %" PRIu64 " at offset 0x%" PRIx64 ": extends PCR %u without a %s digest, so bank %s cannot be replayed completely (PCRs affected: %s); choose another bank with --bank, or print the values anyway with --partial",
                           name, event, bank->first_missing_offset[pcr], pcr, bank_name,
                           bank_name, pcrs);
                return EXIT_INVALID;
        }
        cli_warnf("%s: bank %s is incomplete: event %" PRIu64 " is the first that lacks a %s digest, so the values of %s %s are partial, not what a TPM would hold",
                  name, bank_name, event, bank_name, cli_pcr_word(affected), pcrs);
        return EXIT_OK;
}

/* Fills `set` with the banks to print; returns an exit code. */
static int select_banks(const struct pcrsim_replay *replay,
                        const struct replay_options *opt, struct pcrsim_pcr_set *set)
{
        const struct pcrsim_replay_bank *selected[PCRSIM_MAX_ALGORITHMS];
        uint32_t count = 0;
        char banks[PCRSIM_MAX_ALGORITHMS * 24];
        int rc;

        if (!opt->bank) {
                selected[count++] = default_bank(replay);
        } else if (strcmp(opt->bank, "all") == 0) {
                for (uint32_t i = 0; i < replay->bank_count; i++) {
                        char name[24];

                        pcrsim_alg_name(replay->banks[i].alg, name, sizeof(name));
                        if (replay->banks[i].hashable)
                                selected[count++] = &replay->banks[i];
                        else
                                cli_notef(opt->quiet, "%s: bank %s is walked but not replayed: %s",
                                          opt->name, name,
                                          unhashable_reason(replay->banks[i].alg));
                }
        } else {
                const struct pcrsim_replay_bank *bank =
                        pcrsim_replay_bank(replay, pcrsim_alg_by_name(opt->bank)->id);

                if (!bank && replay->format == PCRSIM_LOG_SHA1) {
                        cli_errorf("%s: the log has no %s bank: it is in the SHA-1 format, whose only bank is sha1",
                                   opt->name, opt->bank);
                        return EXIT_INVALID;
                }
                if (!bank) {
                        list_banks(replay, banks, sizeof(banks));
                        cli_errorf("%s: event 0: the log has no %s bank: its Spec ID header lists %s",
                                   opt->name, opt->bank, banks);
                        return EXIT_INVALID;
                }
                selected[count++] = bank;
        }
        if (count == 0) {
                list_banks(replay, banks, sizeof(banks));
                cli_errorf("%s: event 0: no bank of this log can be computed: its Spec ID header lists %s",
                           opt->name, banks);
                return EXIT_INVALID;
        }
        for (uint32_t i = 0; i < count; i++) {
                rc = check_bank(selected[i], opt, opt->name);
                if (rc)
                        return rc;
        }
        for (uint32_t i = 0; i < count; i++) {
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (pcrsim_replay_add_to_set(selected[i], opt->pcr_mask, set, &err))
                        return cli_report(&err, opt->name);
        }
        return EXIT_OK;
}

/* Prints what the replay assumed or skipped, so that nothing is guessed
 * silently. */
static void print_notes(const struct pcrsim_replay *r, const struct replay_options *opt)
{
        const char *name = opt->name;

        if (r->has_specid && r->specid.vendor_info_after_record)
                cli_notef(opt->quiet, "%s: event 0: the Spec ID event's event size leaves out %u of its %u vendor info bytes; they were read from after the record",
                          name, r->specid.vendor_info_after_record, r->specid.vendor_info_size);
        if (r->pcr0_start == PCRSIM_PCR0_STARTUP_LOCALITY)
                cli_notef(opt->quiet, "%s: event %" PRIu64 ": StartupLocality %u (%s form, %u bytes) sets PCR 0's initial value",
                          name, r->pcr0_start_event, r->locality,
                          r->locality_data_size == 17 ? "standard" : "padded",
                          r->locality_data_size);
        if (r->pcr0_start == PCRSIM_PCR0_HCRTM)
                cli_notef(opt->quiet, "%s: event %" PRIu64 ": H-CRTM event: PCR 0 starts at locality 4",
                          name, r->pcr0_start_event);
        if (r->ignored_start_events)
                cli_notef(opt->quiet, "%s: event %" PRIu64 ": StartupLocality and H-CRTM events after PCR 0 was set or extended are not applied (%" PRIu64 " in this log)",
                          name, r->first_ignored_start_event, r->ignored_start_events);
        if (r->no_pcr_count)
                cli_notef(opt->quiet, "%s: event %" PRIu64 ": records with PCR index 0xFFFFFFFF extend no PCR (%" PRIu64 " in this log)",
                          name, r->first_no_pcr_event, r->no_pcr_count);
        if (r->zero_padding)
                cli_notef(opt->quiet, "%s: offset 0x%" PRIx64 ": the log ends in zero padding, which is not records (%" PRIu64 " %s)",
                          name, r->padding_offset, r->padding_size,
                          r->padding_size == 1 ? "byte" : "bytes");
        for (uint32_t i = 0; i < r->bank_count; i++) {
                const struct pcrsim_replay_bank *bank = &r->banks[i];
                char bank_name[24], pcrs[96];

                if (!bank->missing_pcrs)
                        continue;
                pcrsim_alg_name(bank->alg, bank_name, sizeof(bank_name));
                cli_format_pcr_list(bank->missing_pcrs, pcrs, sizeof(pcrs));
                cli_notef(opt->quiet, "%s: bank %s lacks digests for some events, so it cannot replay %s %s",
                          name, bank_name, cli_pcr_word(bank->missing_pcrs), pcrs);
        }
}

static int format_output(const struct pcrsim_pcr_set *set,
                         const struct replay_options *opt, struct pcrsim_strbuf *sb)
{
        bool by_bank = opt->bank && strcmp(opt->bank, "all") == 0;
        struct pcrsim_error err;
        enum pcrsim_error_code rc = PCRSIM_OK;

        pcrsim_error_clear(&err);
        switch (opt->format) {
        case FORMAT_TEXT:
                rc = pcrsim_format_text(set, sb, &err);
                break;
        case FORMAT_JSON:
                rc = pcrsim_format_json(set, by_bank, sb, &err);
                break;
        case FORMAT_YAML:
                rc = pcrsim_format_yaml(set, by_bank, sb, &err);
                break;
        case FORMAT_GO:
                rc = pcrsim_format_go(set, opt->go_package, opt->go_var, sb, &err);
                break;
        }
        return rc ? cli_report(&err, NULL) : EXIT_OK;
}

/*
 * Tells what other kind of file `in` looks like when it failed to parse
 * as an event log near its start, or returns NULL. Reads the first bytes
 * again, so it works only on seekable input.
 */
static const char *guess_other_format(FILE *in)
{
        uint8_t head[64];
        size_t n, printable = 0;

        if (fseek(in, 0, SEEK_SET) != 0)
                return NULL;
        n = fread(head, 1, sizeof(head), in);
        if (n >= 4 && memcmp(head, "10 ", 3) == 0)
                return "an ASCII IMA measurement list (ascii_runtime_measurements), not a firmware event log";
        /* Binary IMA entry: PCR 10, a 20-byte digest, then a short name. */
        if (n >= 31 && head[0] == 10 && head[1] == 0 && head[2] == 0 && head[3] == 0 &&
            head[24] > 0 && head[24] < 64 && head[25] == 0 && memcmp(head + 28, "ima", 3) == 0)
                return "a binary IMA measurement list (binary_runtime_measurements), not a firmware event log (binary_bios_measurements)";
        for (size_t i = 0; i < n; i++)
                if (head[i] == '\n' || head[i] == '\r' || head[i] == '\t' ||
                    (head[i] >= 0x20 && head[i] < 0x7f))
                        printable++;
        if (n > 0 && printable == n)
                return "text, not a binary event log; if it is base64, decode it first";
        return NULL;
}

static int replay_input(const struct replay_options *opt, struct pcrsim_replay *replay)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        const char *guess = NULL;
        int exit_code = EXIT_OK;
        FILE *in;

        pcrsim_error_clear(&err);
        in = cli_open_input(opt->input, &exit_code);
        if (!in)
                return exit_code;
        rc = pcrsim_tcglog_open_file(in, &log, &err);
        if (!rc)
                rc = pcrsim_replay_tcglog(log, replay, &err);
        pcrsim_tcglog_free(log);
        if (rc && cli_exit_code(rc) == EXIT_INVALID && err.record != PCRSIM_NO_RECORD &&
            err.record <= 1)
                guess = guess_other_format(in);
        cli_close_input(in);
        if (!rc)
                return EXIT_OK;
        exit_code = cli_report(&err, opt->name);
        if (guess)
                fprintf(stderr, "%s: the input looks like %s\n", PROGRAM_NAME, guess);
        return exit_code;
}

/* Replays the firmware log and the IMA list that the options name. */
static int replay_all(struct replay_options *opt, struct pcrsim_replay *replay,
                      struct pcrsim_ima_replay *ima)
{
        bool pcrs_given = opt->pcrs_given;
        int rc = EXIT_OK;

        if (opt->input)
                rc = replay_input(opt, replay);
        if (!rc && opt->ima)
                rc = replay_ima_list(opt, replay, opt->input != NULL, ima);
        if (rc)
                return rc;
        if (!opt->input) {
                /* Without a firmware log only the IMA PCRs have values. */
                opt->name = opt->ima_name;
                if (!pcrs_given)
                        opt->pcr_mask = ima->pcr_mask;
        }
        return EXIT_OK;
}

static int write_results(const struct replay_options *opt, const struct pcrsim_replay *replay,
                         const struct pcrsim_ima_replay *ima, struct pcrsim_pcr_set *set,
                         struct pcrsim_strbuf *sb)
{
        int rc = select_banks(replay, opt, set);

        if (rc)
                return rc;
        if (opt->input)
                print_notes(replay, opt);
        if (opt->report != REPORT_NONE)
                return write_report(opt, replay, ima, set, sb);
        if (opt->ima && opt->format != FORMAT_TEXT)
                print_ima_notes(ima, opt);
        rc = format_output(set, opt, sb);
        if (!rc && opt->ima && opt->format == FORMAT_TEXT)
                append_ima_text(ima, opt, sb);
        return rc;
}

int cmd_replay(int argc, char **argv)
{
        struct replay_options opt = { 0 };
        struct pcrsim_replay *replay = NULL;
        struct pcrsim_ima_replay *ima = NULL;
        struct pcrsim_pcr_set *set = NULL;
        struct pcrsim_strbuf sb;
        int rc;

        pcrsim_strbuf_init(&sb);
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                return rc;
        replay = calloc(1, sizeof(*replay));
        ima = calloc(1, sizeof(*ima));
        set = calloc(1, sizeof(*set));
        if (!replay || !ima || !set) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        rc = replay_all(&opt, replay, ima);
        if (!rc)
                rc = write_results(&opt, replay, opt.ima ? ima : NULL, set, &sb);
        if (!rc)
                rc = cli_write_output(&sb, opt.output);
        if (!rc && opt.ima)
                rc = ima_expectation_exit_code(ima, opt.ima_expected);
out:
        pcrsim_strbuf_free(&sb);
        free(set);
        free(ima);
        free(replay);
        free(opt.ima_expected);
        return rc;
}
