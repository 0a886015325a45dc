/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim measurements: writes the measurement config of an OS image for
 * one platform. The platform's policy (policies/NAME.yaml) decides which
 * PCRs the config enforces, which it only warns on and which it leaves out.
 * The values come from a replay of the image's logs or from reference
 * files.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/policies.h"
#include "cli/references.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"
#include "pcrsim/policy.h"
#include "pcrsim/reference.h"

#define MAX_REFERENCES 8

/* The PCR that IMA extends unless its policy names others. */
#define IMA_PCR 10u

static const char measurements_usage[] =
        "Usage: pcrsim measurements --platform NAME [OPTIONS] EVENTLOG [--ima IMA_LOG]\n"
        "       pcrsim measurements --platform NAME [OPTIONS] --expected REF [--expected REF ...]\n"
        "\n"
        "Write the measurement config of an OS image for one platform: the expected\n"
        "value of each PCR that the platform's policy enforces or only warns on, and\n"
        "no entry for the PCRs that the policy omits. The values come from a replay\n"
        "of the image's TCG event log (and IMA list), or from reference values such\n"
        "as the PCRs that a node of the image reported. A note on standard error\n"
        "gives the policy's reason for each PCR that is omitted or only warned on.\n"
        "\n"
        "Options:\n"
        "  -P, --platform NAME        the platform whose policy applies, such as\n"
        "                             azure-trustedlaunch (required)\n"
        "      --policy-dir DIR       look for NAME.yaml in DIR first\n"
        "  -f, --format FORMAT        constellation-json (default), constellation-yaml,\n"
        "                             json, yaml or go\n"
        "  -b, --bank BANK            the bank of the values, such as sha256 (default:\n"
        "                             the first bank that the policy lists)\n"
        "      --keep LIST            enforce these PCRs, such as 0-7,9, whatever the\n"
        "                             policy says; may be repeated\n"
        "      --warn LIST            only warn on these PCRs; may be repeated\n"
        "      --drop LIST            leave these PCRs out; may be repeated\n"
        "  -e, --expected REF         take the values from reference values: a file, a\n"
        "                             sysfs-like folder or - for standard input; may be\n"
        "                             repeated. Their own warnOnly flags are ignored.\n"
        "      --expected-format FMT  the format of every REF, as pcrsim compare --help\n"
        "                             lists them, instead of detecting it\n"
        "      --ima FILE             replay this IMA list into PCR 10 after the log\n"
        "  -o, --output FILE          write to FILE, replaced only when complete;\n"
        "                             - is standard output\n"
        "      --go-package NAME      package of the Go output (default: pcrs)\n"
        "      --go-var NAME          variable of the Go output (default: pcrs)\n"
        "  -q, --quiet                no notes on standard error\n"
        "  -h, --help                 print this help\n"
        "\n"
        "Formats: constellation-json is an object that maps each PCR index to\n"
        "{\"expected\": lower-case hex, \"warnOnly\": true or false}, keys in string\n"
        "order (\"0\", \"1\", \"10\", ...) as Go's encoding/json writes them.\n"
        "constellation-yaml is the same mapping with keys in numeric order. json,\n"
        "yaml and go are the shapes of pcrsim replay. They have no warnOnly flag, so\n"
        "they hold the warn-only PCRs like the others, and a note names those PCRs.\n"
        "\n"
        "When the log or the references cannot give the value of a PCR that the\n"
        "config includes (the bank lacks a digest for one of its events, or the\n"
        "references lack the PCR), nothing is written: leave the PCR out with --drop.\n"
        "\n"
        "Exit status: 0 success, 2 usage error, invalid input or a PCR without a\n"
        "value, 3 I/O or system error.\n"
        "\n"
        "Policy folders, searched in this order for NAME.yaml:\n";

enum config_format { CONFIG_CONSTELLATION_JSON, CONFIG_CONSTELLATION_YAML, CONFIG_JSON, CONFIG_YAML, CONFIG_GO };

static const char *const config_format_names[] = {
        [CONFIG_CONSTELLATION_JSON] = "constellation-json",
        [CONFIG_CONSTELLATION_YAML] = "constellation-yaml",
        [CONFIG_JSON] = "json",
        [CONFIG_YAML] = "yaml",
        [CONFIG_GO] = "go",
};

struct measurements_options {
        const char *platform;
        const char *policy_dir;
        enum config_format format;
        const char *bank;
        uint32_t keep, warn, drop; /* PCR masks of --keep, --warn and --drop */
        const char *refs[MAX_REFERENCES];
        unsigned ref_count;
        enum pcrsim_ref_format ref_format;
        bool ref_format_given;
        const char *input; /* EVENTLOG, or NULL with --expected */
        const char *ima;
        const char *output;
        const char *go_package;
        const char *go_var;
        bool quiet;
};

/* Actions of the PCRs in the config, after the options. */
struct config_plan {
        enum pcrsim_pcr_action action[PCRSIM_PCR_COUNT];
        uint32_t overridden; /* bit n: an option set PCR n's action */
        uint32_t included;   /* enforce and warn-only */
        uint32_t warn_only;
        uint16_t alg;
        char bank_name[24];
};

enum {
        OPT_PLATFORM = 256,
        OPT_POLICY_DIR,
        OPT_KEEP,
        OPT_WARN,
        OPT_DROP,
        OPT_EXPECTED_FORMAT,
        OPT_IMA,
        OPT_GO_PACKAGE,
        OPT_GO_VAR,
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim measurements --help'.\n");
        return EXIT_INVALID;
}

static int print_help(const struct measurements_options *opt)
{
        fputs(measurements_usage, stdout);
        cli_print_policy_dirs(opt->policy_dir);
        return EXIT_OK;
}

static bool parse_config_format(const char *text, enum config_format *out)
{
        for (size_t i = 0; i < sizeof(config_format_names) / sizeof(config_format_names[0]); i++) {
                if (strcmp(text, config_format_names[i]) == 0) {
                        *out = (enum config_format)i;
                        return true;
                }
        }
        cli_errorf("invalid format '%s': expected constellation-json, constellation-yaml, json, yaml or go",
                   text);
        return false;
}

/* Handles the options that take a value and have no short form. Returns
 * -1 to go on, else an exit code. */
static int parse_long_option(int c, const char *arg, struct measurements_options *opt)
{
        switch (c) {
        case 'P':
                opt->platform = arg;
                return -1;
        case OPT_POLICY_DIR:
                opt->policy_dir = arg;
                return -1;
        case OPT_KEEP:
                return cli_parse_pcr_list(arg, &opt->keep) ? -1 : usage_error();
        case OPT_WARN:
                return cli_parse_pcr_list(arg, &opt->warn) ? -1 : usage_error();
        case OPT_DROP:
                return cli_parse_pcr_list(arg, &opt->drop) ? -1 : usage_error();
        case OPT_EXPECTED_FORMAT:
                opt->ref_format = pcrsim_ref_format_by_name(arg);
                opt->ref_format_given = true;
                if (opt->ref_format == PCRSIM_REF_FORMAT_COUNT) {
                        cli_errorf("unknown reference format '%s': see pcrsim compare --help", arg);
                        return usage_error();
                }
                return -1;
        case OPT_IMA:
                opt->ima = arg;
                return -1;
        case OPT_GO_PACKAGE:
                opt->go_package = arg;
                return -1;
        case OPT_GO_VAR:
                opt->go_var = arg;
                return -1;
        }
        return usage_error();
}

/* Rejects a PCR that two of --keep, --warn and --drop name. */
static bool check_override_lists(const struct measurements_options *opt)
{
        static const char *const names[] = { "--keep", "--warn", "--drop" };
        const uint32_t masks[] = { opt->keep, opt->warn, opt->drop };

        for (int a = 0; a < 3; a++) {
                for (int b = a + 1; b < 3; b++) {
                        uint32_t both = masks[a] & masks[b];
                        char list[96];

                        if (!both)
                                continue;
                        cli_format_pcr_list(both, list, sizeof(list));
                        cli_errorf("%s %s %s named by both %s and %s: give each PCR to only one of --keep, --warn and --drop",
                                   cli_pcr_word(both), list, both & (both - 1) ? "are" : "is", names[a],
                                   names[b]);
                        return false;
                }
        }
        return true;
}

/* Checks the options against each other once all are read. Returns -1
 * to go on, else an exit code. */
static int check_options(struct measurements_options *opt)
{
        const char *inputs[MAX_REFERENCES + 2] = { opt->input, opt->ima };

        if (!opt->platform) {
                cli_errorf("missing --platform: name the platform whose policy applies, such as azure-trustedlaunch");
                return usage_error();
        }
        if (opt->input && opt->ref_count) {
                cli_errorf("both EVENTLOG and --expected given: the values come from one of them");
                return usage_error();
        }
        if (!opt->input && !opt->ref_count) {
                cli_errorf("missing EVENTLOG argument (or --expected REF)");
                return usage_error();
        }
        if (opt->ima && !opt->input) {
                cli_errorf("--ima needs EVENTLOG: with --expected, PCR 10 comes from the references");
                return usage_error();
        }
        if (opt->ref_format_given && !opt->ref_count) {
                cli_errorf("--expected-format applies only to --expected");
                return usage_error();
        }
        if (opt->format != CONFIG_GO && (opt->go_package || opt->go_var)) {
                cli_errorf("--go-package and --go-var apply only to --format go");
                return usage_error();
        }
        if (!opt->go_package)
                opt->go_package = "pcrs";
        if (!opt->go_var)
                opt->go_var = "pcrs";
        if (!pcrsim_go_identifier_valid(opt->go_package) || !pcrsim_go_identifier_valid(opt->go_var)) {
                cli_errorf("invalid --go-package or --go-var: expected an ASCII Go identifier that is not a keyword");
                return usage_error();
        }
        if (!check_override_lists(opt))
                return usage_error();
        for (unsigned i = 0; i < opt->ref_count; i++)
                inputs[2 + i] = opt->refs[i];
        return cli_check_inputs(opt->output, inputs, 2 + opt->ref_count) ? -1 : EXIT_INVALID;
}

/* Parses the command line; returns -1 to go on, else an exit code. */
static int parse_options(int argc, char **argv, struct measurements_options *opt)
{
        static const struct option longopts[] = {
                { "platform", required_argument, NULL, 'P' },
                { "policy-dir", required_argument, NULL, OPT_POLICY_DIR },
                { "format", required_argument, NULL, 'f' },
                { "bank", required_argument, NULL, 'b' },
                { "keep", required_argument, NULL, OPT_KEEP },
                { "warn", required_argument, NULL, OPT_WARN },
                { "drop", required_argument, NULL, OPT_DROP },
                { "expected", required_argument, NULL, 'e' },
                { "expected-format", required_argument, NULL, OPT_EXPECTED_FORMAT },
                { "ima", required_argument, NULL, OPT_IMA },
                { "output", required_argument, NULL, 'o' },
                { "go-package", required_argument, NULL, OPT_GO_PACKAGE },
                { "go-var", required_argument, NULL, OPT_GO_VAR },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c, rc;

        optind = 1;
        while ((c = getopt_long(argc, argv, "P:f:b:e:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (!parse_config_format(optarg, &opt->format))
                                return usage_error();
                        break;
                case 'b':
                        if (!cli_parse_bank(optarg))
                                return usage_error();
                        opt->bank = optarg;
                        break;
                case 'e':
                        if (opt->ref_count == MAX_REFERENCES) {
                                cli_errorf("more than %d --expected options", MAX_REFERENCES);
                                return usage_error();
                        }
                        opt->refs[opt->ref_count++] = optarg;
                        break;
                case 'o':
                        if (optarg[0] == '\0') {
                                cli_errorf("invalid output file name '': expected a path, or - for standard output");
                                return usage_error();
                        }
                        opt->output = optarg;
                        break;
                case 'q':
                        opt->quiet = true;
                        break;
                case 'h':
                        return print_help(opt);
                default:
                        rc = parse_long_option(c, optarg, opt);
                        if (rc >= 0)
                                return rc;
                        break;
                }
        }
        if (optind + 1 < argc) {
                cli_errorf("more than one EVENTLOG argument");
                return usage_error();
        }
        if (optind < argc)
                opt->input = argv[optind];
        return check_options(opt);
}

/* Decides each PCR's action from the policy and the options, and the
 * bank. Returns -1 to go on, else an exit code. */
static int make_plan(const struct measurements_options *opt, const struct pcrsim_policy *policy,
                     struct config_plan *plan)
{
        const struct pcrsim_alg_info *info =
                opt->bank ? pcrsim_alg_by_name(opt->bank) : pcrsim_alg_by_id(policy->banks[0]);

        memset(plan, 0, sizeof(*plan));
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                uint32_t bit = 1u << pcr;

                plan->action[pcr] = policy->pcrs[pcr].action;
                if (opt->keep & bit)
                        plan->action[pcr] = PCRSIM_ACTION_ENFORCE;
                else if (opt->warn & bit)
                        plan->action[pcr] = PCRSIM_ACTION_WARN_ONLY;
                else if (opt->drop & bit)
                        plan->action[pcr] = PCRSIM_ACTION_OMIT;
                if (plan->action[pcr] != policy->pcrs[pcr].action)
                        plan->overridden |= bit;
                if (plan->action[pcr] != PCRSIM_ACTION_OMIT)
                        plan->included |= bit;
                if (plan->action[pcr] == PCRSIM_ACTION_WARN_ONLY)
                        plan->warn_only |= bit;
        }
        plan->alg = info->id;
        snprintf(plan->bank_name, sizeof(plan->bank_name), "%s", info->name);
        if (!plan->included) {
                cli_errorf("%s: the config would be empty: the policy and --drop leave no PCR to enforce or warn on",
                           policy->platform);
                return EXIT_INVALID;
        }
        return -1;
}

/*
 * Prints the error for included PCRs without a value. `cause` gives the
 * reason and ends in "no value for" or similar, and the message goes on
 * with the PCRs and how to leave them out. Returns the exit code.
 */
static int report_missing(const char *cause, uint32_t missing)
{
        char list[96];

        cli_format_pcr_list(missing, list, sizeof(list));
        cli_errorf("%s %s %s, which the config includes: leave %s out with --drop %s, or choose another bank with --bank",
                   cause, cli_pcr_word(missing), list, missing & (missing - 1) ? "them" : "it", list);
        return EXIT_INVALID;
}

/* Checks that the IMA replay computed the plan's bank when the config
 * includes an IMA PCR, because replay_ima_list() leaves a bank that it
 * cannot compute at the firmware log's value. */
static int check_ima_bank(const struct measurements_options *opt, const struct config_plan *plan,
                          const struct pcrsim_ima_replay *ima)
{
        const struct pcrsim_ima_bank *ib = pcrsim_ima_replay_bank(ima, plan->alg);
        uint32_t affected = ima->pcr_mask & plan->included;
        char cause[512];

        if (!affected || (ib && ib->hashable))
                return EXIT_OK;
        snprintf(cause, sizeof(cause), "%s: the IMA list cannot be replayed in bank %s, so it gives no value for",
                 cli_input_name(opt->ima), plan->bank_name);
        return report_missing(cause, affected);
}

/* Prints the error for a bank that the log lacks or pcrsim cannot
 * compute, with the log's banks. Returns the exit code. */
static int report_no_bank(const char *name, const struct pcrsim_replay *replay, const char *bank_name)
{
        char banks[PCRSIM_MAX_ALGORITHMS * 48] = "";
        size_t used = 0;

        for (uint32_t i = 0; i < replay->bank_count && used < sizeof(banks); i++) {
                char alg_name[24];

                pcrsim_alg_name(replay->banks[i].alg, alg_name, sizeof(alg_name));
                used += (size_t)snprintf(banks + used, sizeof(banks) - used, "%s%s%s", i ? ", " : "",
                                         alg_name, replay->banks[i].hashable ? "" : " (not computable)");
        }
        cli_errorf("%s: the log has no %s bank that pcrsim can compute (its banks: %s): choose one with --bank",
                   name, bank_name, banks);
        return EXIT_INVALID;
}

/* Copies the values of the included PCRs from the replay of EVENTLOG
 * and the IMA list into `out`. Returns an exit code. */
static int values_from_replay(const struct measurements_options *opt, const struct config_plan *plan,
                              struct pcrsim_replay *replay, struct pcrsim_ima_replay *ima,
                              struct pcrsim_pcr_bank *out)
{
        const char *name = cli_input_name(opt->input);
        const struct pcrsim_replay_bank *bank;
        uint32_t missing;
        char cause[512];
        int rc;

        rc = replay_log_and_ima(opt->input, opt->ima, opt->quiet, replay, ima, NULL);
        if (rc)
                return rc;
        bank = pcrsim_replay_bank(replay, plan->alg);
        if (!bank || !bank->hashable)
                return report_no_bank(name, replay, plan->bank_name);
        missing = bank->missing_pcrs & plan->included;
        if (missing) {
                uint32_t first = 0;

                while (!(missing & (1u << first)))
                        first++;
                snprintf(cause, sizeof(cause), "%s: event %" PRIu64 " at offset 0x%" PRIx64 ": extends PCR %u without a %s digest, so bank %s cannot be replayed for",
                         name, bank->first_missing_event[first], bank->first_missing_offset[first], first,
                         plan->bank_name, plan->bank_name);
                return report_missing(cause, missing);
        }
        if (opt->ima && (rc = check_ima_bank(opt, plan, ima)) != EXIT_OK)
                return rc;
        /* A list whose boot_aggregate the log does not reproduce belongs to
         * another boot, so the PCR 10 it gives is no node's value. */
        if (opt->ima && (plan->included & (1u << IMA_PCR)) &&
            ima->boot_aggregate.verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH) {
                cli_errorf("%s: the IMA list's boot_aggregate matches neither PCRs 0-7 nor 0-9 of %s, so the list belongs to another boot and its PCR %u would be wrong; give the matching list, or leave PCR %u out with --drop %u",
                           cli_input_name(opt->ima), name, IMA_PCR, IMA_PCR, IMA_PCR);
                return EXIT_INVALID;
        }
        if ((plan->included & (1u << IMA_PCR)) && !opt->ima)
                cli_warnf("%s: PCR %u is in the config, but no --ima list was given: its value is the firmware log's alone, while IMA extends PCR %u on a running system",
                          name, IMA_PCR, IMA_PCR);
        out->alg = bank->alg;
        out->size = bank->size;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                if (!(plan->included & (1u << pcr)))
                        continue;
                out->pcrs[pcr].present = true;
                out->pcrs[pcr].extend_count = bank->extend_count[pcr];
                memcpy(out->pcrs[pcr].digest, bank->values[pcr], bank->size);
        }
        return EXIT_OK;
}

/* Copies the values of the included PCRs from the --expected files into
 * `out`. Returns an exit code. */
static int values_from_references(const struct measurements_options *opt,
                                  const struct config_plan *plan,
                                  struct pcrsim_reference *merged, struct pcrsim_pcr_bank *out)
{
        struct pcrsim_ref_options ropt = { .format = opt->ref_format, .bank_count = 1 };
        const struct pcrsim_pcr_bank *bank = NULL;
        uint32_t missing = 0;
        char cause[256];
        int rc;

        ropt.banks[0] = plan->alg;
        rc = cli_read_references(opt->refs, opt->ref_count, &ropt, opt->quiet, merged, NULL);
        if (rc)
                return rc;
        for (uint32_t b = 0; b < merged->set.bank_count && !bank; b++)
                if (merged->set.banks[b].alg == plan->alg)
                        bank = &merged->set.banks[b];
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                if ((plan->included & (1u << pcr)) && !(bank && bank->pcrs[pcr].present))
                        missing |= 1u << pcr;
        if (missing) {
                snprintf(cause, sizeof(cause), "the references have no %s value for", plan->bank_name);
                return report_missing(cause, missing);
        }
        out->alg = bank->alg;
        out->size = bank->size;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                if (plan->included & (1u << pcr))
                        out->pcrs[pcr] = bank->pcrs[pcr];
        return EXIT_OK;
}

/* Gets the values from EVENTLOG or the references. Returns an exit code. */
static int collect_values(const struct measurements_options *opt, const struct config_plan *plan,
                          struct pcrsim_pcr_set *set)
{
        struct pcrsim_replay *replay = NULL;
        struct pcrsim_ima_replay *ima = NULL;
        struct pcrsim_reference *merged = NULL;
        int rc;

        memset(set, 0, sizeof(*set));
        set->bank_count = 1;
        if (opt->input) {
                replay = calloc(1, sizeof(*replay));
                ima = calloc(1, sizeof(*ima));
        } else {
                merged = calloc(1, sizeof(*merged));
        }
        if (opt->input ? !replay || !ima : !merged) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        if (opt->input)
                rc = values_from_replay(opt, plan, replay, ima, &set->banks[0]);
        else
                rc = values_from_references(opt, plan, merged, &set->banks[0]);
out:
        free(replay);
        free(ima);
        free(merged);
        return rc;
}

/* Copies the first sentence of `text` (up to a period followed by a space,
 * or the end) into `buf`, cut with "..." when it does not fit. */
static void first_sentence(const char *text, char *buf, size_t size)
{
        const char *end = strstr(text, ". ");
        size_t len = end ? (size_t)(end - text) + 1 : strlen(text);

        if (len < size) {
                snprintf(buf, size, "%.*s", (int)len, text);
                return;
        }
        snprintf(buf, size, "%.*s...", (int)(size - 4), text);
}

/* Prints a note for each PCR that the config omits or only warns on. */
static void print_plan_notes(const struct measurements_options *opt,
                             const struct pcrsim_policy *policy, const struct config_plan *plan)
{
        if (opt->quiet)
                return;
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                const struct pcrsim_policy_pcr *rule = &policy->pcrs[pcr];
                enum pcrsim_pcr_action action = plan->action[pcr];
                const char *word = action == PCRSIM_ACTION_OMIT ? "omitted" : "warn-only";
                char reason[320];

                if (action == PCRSIM_ACTION_ENFORCE)
                        continue;
                if (plan->overridden & (1u << pcr)) {
                        cli_notef(opt->quiet, "%s: PCR %u %s by %s, where the policy says %s (%s)",
                                  policy->platform, pcr, word,
                                  action == PCRSIM_ACTION_OMIT ? "--drop" : "--warn",
                                  pcrsim_pcr_action_name(rule->action),
                                  pcrsim_pcr_stability_name(rule->stability));
                        continue;
                }
                first_sentence(rule->reason, reason, sizeof(reason));
                cli_notef(opt->quiet, "%s: PCR %u %s (%s%s): %s", policy->platform, pcr, word,
                          pcrsim_pcr_stability_name(rule->stability),
                          rule->confirmed ? "" : ", rule not confirmed", reason);
        }
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                if ((plan->overridden & (1u << pcr)) && plan->action[pcr] == PCRSIM_ACTION_ENFORCE)
                        cli_notef(opt->quiet, "%s: PCR %u enforced by --keep, where the policy says %s (%s)",
                                  policy->platform, pcr, pcrsim_pcr_action_name(policy->pcrs[pcr].action),
                                  pcrsim_pcr_stability_name(policy->pcrs[pcr].stability));
        if (plan->warn_only && opt->format != CONFIG_CONSTELLATION_JSON &&
            opt->format != CONFIG_CONSTELLATION_YAML) {
                char list[96];

                cli_format_pcr_list(plan->warn_only, list, sizeof(list));
                cli_notef(opt->quiet, "the %s format has no warnOnly flag: %s %s %s warn-only, but a verifier that reads this output enforces every PCR in it",
                          config_format_names[opt->format], cli_pcr_word(plan->warn_only), list,
                          plan->warn_only & (plan->warn_only - 1) ? "are" : "is");
        }
}

/* Keys of Go's encoding/json for a map with integer keys: the decimal
 * strings in byte order. */
static const uint32_t json_key_order[PCRSIM_PCR_COUNT] = {
        0, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 2, 20, 21, 22, 23, 3, 4, 5, 6, 7, 8, 9,
};

/* Builds the Constellation-style document: each PCR index to its expected
 * value in lower-case hex and its warnOnly flag. */
static json_t *constellation_document(const struct pcrsim_pcr_bank *bank,
                                      const struct config_plan *plan, bool string_order)
{
        json_t *doc = json_object();

        for (uint32_t i = 0; doc && i < PCRSIM_PCR_COUNT; i++) {
                uint32_t pcr = string_order ? json_key_order[i] : i;
                json_t *entry;
                char key[4];

                if (!bank->pcrs[pcr].present)
                        continue;
                snprintf(key, sizeof(key), "%u", pcr);
                entry = json_object();
                if (!entry ||
                    json_object_set_new(entry, "expected", cli_digest_json(bank->pcrs[pcr].digest, bank->size)) ||
                    json_object_set_new(entry, "warnOnly", json_boolean(plan->warn_only & (1u << pcr))) ||
                    json_object_set_new(doc, key, entry)) {
                        json_decref(doc);
                        doc = NULL;
                }
        }
        return doc;
}

static int format_config(const struct measurements_options *opt, const struct config_plan *plan,
                         const struct pcrsim_pcr_set *set, struct pcrsim_strbuf *sb)
{
        enum pcrsim_error_code rc = PCRSIM_OK;
        struct pcrsim_error err;
        json_t *doc;

        pcrsim_error_clear(&err);
        switch (opt->format) {
        case CONFIG_CONSTELLATION_JSON:
        case CONFIG_CONSTELLATION_YAML:
                /* Constellation's measurements package (internal/attestation/
                 * measurements) rejects an expected value of another size. */
                if (set->banks[0].size != 32 && set->banks[0].size != 48)
                        cli_warnf("Constellation reads only 32- and 48-byte expected values, such as sha256 and sha384, but bank %s has %u-byte values",
                                  plan->bank_name, set->banks[0].size);
                doc = constellation_document(&set->banks[0], plan, opt->format == CONFIG_CONSTELLATION_JSON);
                if (!doc) {
                        cli_errorf("out of memory");
                        return EXIT_SYSTEM;
                }
                rc = pcrsim_format_document(doc, opt->format == CONFIG_CONSTELLATION_YAML, sb, &err);
                json_decref(doc);
                break;
        case CONFIG_JSON:
                rc = pcrsim_format_json(set, false, sb, &err);
                break;
        case CONFIG_YAML:
                rc = pcrsim_format_yaml(set, false, sb, &err);
                break;
        case CONFIG_GO:
                rc = pcrsim_format_go(set, opt->go_package, opt->go_var, sb, &err);
                break;
        }
        return rc ? cli_report(&err, NULL) : EXIT_OK;
}

/* Notes which policy file applies, and a bank that the policy does not
 * list. */
static void print_policy_notes(const struct measurements_options *opt,
                               const struct pcrsim_policy *policy, const char *path,
                               const struct config_plan *plan)
{
        bool listed = false;

        cli_notef(opt->quiet, "%s: policy read from %s", policy->platform, path);
        for (uint32_t b = 0; b < policy->bank_count; b++)
                listed = listed || policy->banks[b] == plan->alg;
        if (!listed)
                cli_notef(opt->quiet, "%s: bank %s is not among the banks that the policy says a verifier reads on this platform",
                          policy->platform, plan->bank_name);
}

int cmd_measurements(int argc, char **argv)
{
        struct measurements_options opt = { .format = CONFIG_CONSTELLATION_JSON };
        struct pcrsim_policy *policy = calloc(1, sizeof(*policy));
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct config_plan plan;
        struct pcrsim_strbuf sb;
        char path[4096];
        int rc;

        pcrsim_strbuf_init(&sb);
        if (!policy || !set) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                goto out;
        rc = cli_load_policy(opt.platform, opt.policy_dir, policy, path, sizeof(path));
        if (rc)
                goto out;
        rc = make_plan(&opt, policy, &plan);
        if (rc >= 0)
                goto out;
        print_policy_notes(&opt, policy, path, &plan);
        rc = collect_values(&opt, &plan, set);
        if (!rc)
                rc = format_config(&opt, &plan, set, &sb);
        if (!rc) {
                print_plan_notes(&opt, policy, &plan);
                rc = cli_write_output(&sb, opt.output);
        }
out:
        pcrsim_strbuf_free(&sb);
        if (policy)
                pcrsim_policy_free(policy);
        free(policy);
        free(set);
        return rc;
}
