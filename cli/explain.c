/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim explain: replays several boots of one image and classifies each
 * PCR as identical, varying or not covered by the logs, naming the events
 * behind each variation and the PCRs that a variation reaches.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/boots.h"
#include "cli/cli.h"
#include "cli/policies.h"
#include "pcrsim/alg.h"
#include "pcrsim/policy.h"

#define IMA_PCR 10u
#define MAX_BOOTS 64

static const char explain_usage[] =
        "Usage: pcrsim explain [OPTIONS] LOG_OR_DIR...\n"
        "\n"
        "Replay two or more boots of the same image and classify each PCR as\n"
        "identical across the boots, varying, or not covered by the logs. For each\n"
        "varying PCR, name the events that differ from the first boot and the\n"
        "PCRs whose variation reaches it (PCR 10 through IMA's boot_aggregate).\n"
        "A vector folder is one boot: its event log, its IMA list and the PCR\n"
        "values it recorded, which cover the PCRs no log extends. A plain file is\n"
        "an event log without an IMA list.\n"
        "\n"
        "With --platform, also give each PCR's rule from the platform policy and\n"
        "say where the boots contradict it; with one boot and --platform, list\n"
        "the platform's rules.\n"
        "\n"
        "Options:\n"
        "  -P, --platform NAME  a platform policy, such as azure-trustedlaunch\n"
        "      --policy-dir DIR look for NAME.yaml in DIR first\n"
        "  -b, --bank BANK      compare this bank (default: the policy's first bank\n"
        "                       with --platform, else sha256 if the logs have it)\n"
        "  -f, --format FORMAT  text (default), json or yaml\n"
        "  -o, --output FILE    write the report to FILE\n"
        "  -q, --quiet          no notes on standard error\n"
        "  -h, --help           print this help\n"
        "\n"
        "Exit status: 0 success, 1 a PCR varies although the policy says it is\n"
        "stable per image, 2 usage error or invalid input, 3 I/O or system error.\n";

struct explain_options {
        const char *platform, *policy_dir, *output;
        uint16_t bank;
        bool json, yaml, quiet;
        char **boots;
        int boot_count;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim explain --help'.\n");
        return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, struct explain_options *opt)
{
        enum { OPT_POLICY_DIR = 256 };
        static const struct option longopts[] = {
                { "platform", required_argument, NULL, 'P' },
                { "policy-dir", required_argument, NULL, OPT_POLICY_DIR },
                { "bank", required_argument, NULL, 'b' },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const struct pcrsim_alg_info *info;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "P:b:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'P':
                        opt->platform = optarg;
                        break;
                case OPT_POLICY_DIR:
                        opt->policy_dir = optarg;
                        break;
                case 'b':
                        info = cli_parse_bank(optarg);
                        if (!info)
                                return usage_error();
                        opt->bank = info->id;
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
                        fputs(explain_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        opt->boots = argv + optind;
        opt->boot_count = argc - optind;
        if (opt->boot_count == 0 || (opt->boot_count == 1 && !opt->platform)) {
                cli_errorf("explain needs two or more boots, or one boot and --platform");
                return usage_error();
        }
        if (opt->boot_count > MAX_BOOTS) {
                cli_errorf("more than %d boots", MAX_BOOTS);
                return usage_error();
        }
        if (!cli_check_inputs(opt->output, (const char *const *)opt->boots, (size_t)opt->boot_count))
                return usage_error();
        return -1;
}

/* The recorded value of `pcr` in `bank`, or NULL. */
static const uint8_t *recorded_value(const struct boot *b, uint16_t bank, uint32_t pcr)
{
        if (!b->has_recorded)
                return NULL;
        for (uint32_t i = 0; i < b->recorded.bank_count; i++)
                if (b->recorded.banks[i].alg == bank && b->recorded.banks[i].pcrs[pcr].present)
                        return b->recorded.banks[i].pcrs[pcr].digest;
        return NULL;
}

enum class_kind { IDENTICAL, VARYING, NOT_COVERED };

static const char *class_name(enum class_kind k)
{
        if (k == IDENTICAL)
                return "identical";
        if (k == VARYING)
                return "varying";
        return "not-covered";
}

struct pcr_class {
        enum class_kind kind;
        bool from_recorded;  /* no log covers it; the recorded values decide */
        bool unreplayable;   /* a boot cannot give its value */
        /* Why a PCR that the logs cover is NOT_COVERED: an IMA list that
         * belongs to another boot, or a boot without an IMA list. */
        enum { WHY_NONE, WHY_IMA_MISMATCH, WHY_IMA_MISSING } why;
        int boot;            /* the boot that `why` names, from 1 */
};

static struct pcr_class classify(struct boot *boots, int n, uint16_t bank, size_t size, uint32_t pcr)
{
        struct pcr_class c = { IDENTICAL, false, false, WHY_NONE, 0 };
        bool covered = false, all_recorded = true;
        int with_ima = 0;

        /* PCR 10 compares only when every boot has an IMA list that belongs
         * to its event log. */
        for (int i = 0; pcr == IMA_PCR && i < n; i++) {
                with_ima += boots[i].ima_path != NULL;
                if (boot_ima_mismatch(&boots[i]) && !c.why) {
                        c.why = WHY_IMA_MISMATCH;
                        c.boot = i + 1;
                }
        }
        if (pcr == IMA_PCR && with_ima && with_ima < n && !c.why) {
                for (int i = 0; i < n && !c.why; i++)
                        if (!boots[i].ima_path) {
                                c.why = WHY_IMA_MISSING;
                                c.boot = i + 1;
                        }
        }
        if (c.why) {
                c.kind = NOT_COVERED;
                return c;
        }

        for (int i = 0; i < n; i++) {
                covered = covered || boot_covers(&boots[i], pcr);
                all_recorded = all_recorded && recorded_value(&boots[i], bank, pcr);
        }
        if (!covered && !all_recorded) {
                c.kind = NOT_COVERED;
                return c;
        }
        c.from_recorded = !covered;
        for (int i = 0; i < n; i++) {
                const uint8_t *v0 = covered ? boot_value(&boots[0], bank, pcr) :
                                    recorded_value(&boots[0], bank, pcr);
                const uint8_t *vi = covered ? boot_value(&boots[i], bank, pcr) :
                                    recorded_value(&boots[i], bank, pcr);

                if (!v0 || !vi) {
                        c.unreplayable = true;
                        c.kind = VARYING;
                } else if (memcmp(v0, vi, size) != 0) {
                        c.kind = VARYING;
                }
        }
        return c;
}

/* Adds the events of PCR `pcr` that differ between boot 0 and boot `i`
 * to `events`, merging the ones already listed for another boot. */
static int collect_events(struct boot *boots, int i, uint32_t pcr, json_t *events)
{
        const struct pcrsim_measurement_list *la = &boots[0].events, *lb = &boots[i].events;
        struct pcrsim_diff_pcr d;
        struct pcrsim_error err;

        if (pcr == IMA_PCR && boots[0].ima_path && boots[i].ima_path) {
                la = &boots[0].entries;
                lb = &boots[i].entries;
        }
        pcrsim_error_clear(&err);
        if (pcrsim_diff_align(la, lb, pcr, &d, &err))
                return cli_report(&err, NULL);
        for (size_t s = 0; s < d.step_count; s++) {
                const struct pcrsim_diff_step *st = &d.steps[s];
                const struct pcrsim_measurement *m = st->a != SIZE_MAX ? &la->items[st->a] :
                                                     &lb->items[st->b];
                char *summary = measurement_summary(m);
                const char *op = st->op == PCRSIM_DIFF_CHANGED ? "changed" :
                                 st->op == PCRSIM_DIFF_REMOVED ? "missing" : "added";
                const char *what = st->parts == (PCRSIM_DIFF_DATA | PCRSIM_DIFF_DIGEST) ?
                                   "data and digest differ" :
                                   st->parts == PCRSIM_DIFF_DATA ? "data differs" : "digest differs";
                json_t *entry = NULL, *e;
                size_t k;

                /* An event whose data differs but whose digest does not
                 * leaves the PCR as it is, so it explains nothing. */
                if (st->op == PCRSIM_DIFF_SAME ||
                    (st->op == PCRSIM_DIFF_CHANGED && !(st->parts & PCRSIM_DIFF_DIGEST))) {
                        free(summary);
                        continue;
                }
                json_array_foreach(events, k, e) {
                        const char *was = json_string_value(json_object_get(e, "differs"));

                        if (strcmp(json_string_value(json_object_get(e, "op")), op) == 0 &&
                            strcmp(json_string_value(json_object_get(e, "summary")), summary ? summary : "") == 0 &&
                            json_integer_value(json_object_get(e, "index")) == (json_int_t)m->index &&
                            (st->op != PCRSIM_DIFF_CHANGED || (was && strcmp(was, what) == 0)))
                                entry = e;
                }
                if (!entry) {
                        entry = json_pack("{s:s, s:s, s:I, s:s, s:[]}", "op", op, "kind",
                                          la->ima ? "entry" : "event", "index", (json_int_t)m->index,
                                          "summary", summary ? summary : "", "boots");
                        if (st->op == PCRSIM_DIFF_CHANGED)
                                json_object_set_new(entry, "differs", json_string(what));
                        json_array_append_new(events, entry);
                }
                json_array_append_new(json_object_get(entry, "boots"), json_integer(i + 1));
                free(summary);
        }
        pcrsim_diff_pcr_free(&d);
        return EXIT_OK;
}

static bool stable_rule(const struct pcrsim_policy *p, uint32_t pcr)
{
        return p && p->pcrs[pcr].stability == PCRSIM_STABLE_PER_IMAGE;
}

static bool varying_rule(const struct pcrsim_policy *p, uint32_t pcr)
{
        return p && (p->pcrs[pcr].stability == PCRSIM_VARIES_PER_VM ||
                     p->pcrs[pcr].stability == PCRSIM_VARIES_PER_BOOT);
}

static json_t *policy_json(const struct pcrsim_policy *p, uint32_t pcr)
{
        const struct pcrsim_policy_pcr *r = &p->pcrs[pcr];

        json_t *sources = json_array();

        for (size_t i = 0; i < r->source_count; i++)
                json_array_append_new(sources, json_string(p->sources[r->sources[i]].id));
        return json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "stability",
                         pcrsim_pcr_stability_name(r->stability), "action",
                         pcrsim_pcr_action_name(r->action), "meaning", r->meaning ? r->meaning : "",
                         "reason", r->reason ? r->reason : "", "confirmed", r->confirmed,
                         "sources", sources);
}

/* Explains PCR `pcr` into a JSON row. Counts policy contradictions. */
static int explain_pcr(struct boot *boots, int n, uint16_t bank, size_t size, uint32_t pcr,
                       uint32_t varying_mask, const struct pcrsim_policy *policy, json_t *row,
                       unsigned *contradictions)
{
        struct pcr_class c = classify(boots, n, bank, size, pcr);
        int rc = EXIT_OK;

        json_object_set_new(row, "pcr", json_integer(pcr));
        json_object_set_new(row, "class", json_string(class_name(c.kind)));
        if (c.from_recorded)
                json_object_set_new(row, "from_recorded_values", json_true());
        if (c.unreplayable)
                json_object_set_new(row, "unreplayable", json_true());
        if (c.why) {
                char why[256];

                if (c.why == WHY_IMA_MISMATCH)
                        snprintf(why, sizeof(why), "the IMA list of boot %d does not belong to its event log: its boot_aggregate matches neither PCRs 0-7 nor 0-9",
                                 c.boot);
                else
                        snprintf(why, sizeof(why), "boot %d has no IMA list, and other boots have one",
                                 c.boot);
                json_object_set_new(row, "not_compared_because", json_string(why));
        }
        if (c.kind == VARYING && !c.from_recorded) {
                json_t *events = json_array();

                for (int i = 1; !rc && i < n; i++)
                        rc = collect_events(boots, i, pcr, events);
                json_object_set_new(row, "events", events);
        }
        if (c.kind == VARYING && pcr == IMA_PCR && (varying_mask & boot_aggregate_pcrs(&boots[0]))) {
                char list[64];

                cli_format_pcr_list(boot_aggregate_pcrs(&boots[0]), list, sizeof(list));
                json_object_set_new(row, "boot_aggregate_covers", json_string(list));
                cli_format_pcr_list(varying_mask & boot_aggregate_pcrs(&boots[0]), list, sizeof(list));
                json_object_set_new(row, "because_of", json_string(list));
        }
        if (policy) {
                json_object_set_new(row, "policy", policy_json(policy, pcr));
                if (c.kind == VARYING && stable_rule(policy, pcr)) {
                        json_object_set_new(row, "contradiction",
                                            json_string("it varies, and the policy says it is stable per image"));
                        (*contradictions)++;
                } else if (c.kind == IDENTICAL && varying_rule(policy, pcr) && n > 1) {
                        json_object_set_new(row, "note",
                                            json_string("the policy says it varies, and it did not vary in these boots"));
                }
        }
        return rc;
}

/* Returns the PCRs of `mask` as a JSON array of integers. */
static json_t *mask_json(uint32_t mask)
{
        json_t *a = json_array();

        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                if (mask & (1u << pcr))
                        json_array_append_new(a, json_integer(pcr));
        return a;
}

static void append_text(const json_t *doc, bool one_boot, struct pcrsim_strbuf *sb)
{
        const json_t *rows = json_object_get(doc, "pcrs"), *row, *boots = json_object_get(doc, "boots");
        uint32_t identical = 0, uncovered = 0;
        size_t i;

        json_array_foreach(boots, i, row)
                pcrsim_strbuf_printf(sb, "boot %zu: %s\n", i + 1, json_string_value(row));
        pcrsim_strbuf_printf(sb, "bank: %s\n", json_string_value(json_object_get(doc, "bank")));
        if (json_object_get(doc, "platform"))
                pcrsim_strbuf_printf(sb, "platform: %s\n", json_string_value(json_object_get(doc, "platform")));
        json_array_foreach(rows, i, row) {
                const char *cls = json_string_value(json_object_get(row, "class"));
                const json_t *policy = json_object_get(row, "policy"), *events, *e;
                uint32_t pcr = (uint32_t)json_integer_value(json_object_get(row, "pcr"));
                size_t j;

                if (!one_boot && strcmp(cls, "identical") == 0 && !json_object_get(row, "note")) {
                        identical |= 1u << pcr;
                        continue;
                }
                if (!one_boot && strcmp(cls, "not-covered") == 0 && !policy) {
                        uncovered |= 1u << pcr;
                        continue;
                }
                if (one_boot)
                        pcrsim_strbuf_printf(sb, "\nPCR %u", pcr);
                else
                        pcrsim_strbuf_printf(sb, "\nPCR %u %s", pcr, strcmp(cls, "varying") == 0 ? "varies" :
                                             strcmp(cls, "identical") == 0 ? "is identical" :
                                             "is not covered by the logs");
                if (json_object_get(row, "because_of")) {
                        const char *dep = json_string_value(json_object_get(row, "because_of"));
                        bool many = strpbrk(dep, ",-") != NULL;

                        pcrsim_strbuf_printf(sb, " because the boot_aggregate entry hashes PCRs %s, and %s %s var%s",
                                             json_string_value(json_object_get(row, "boot_aggregate_covers")),
                                             many ? "PCRs" : "PCR", dep, many ? "y" : "ies");
                }
                if (json_object_get(row, "not_compared_because"))
                        pcrsim_strbuf_printf(sb, ": %s",
                                             json_string_value(json_object_get(row, "not_compared_because")));
                if (!one_boot && json_is_true(json_object_get(row, "from_recorded_values")))
                        pcrsim_strbuf_printf(sb, " (no log extends it; the recorded values decide)");
                pcrsim_strbuf_printf(sb, "\n");
                events = json_object_get(row, "events");
                json_array_foreach(events, j, e) {
                        const json_t *nums = json_object_get(e, "boots"), *num;
                        size_t k;

                        pcrsim_strbuf_printf(sb, "  %s %lld %s: %s, in boot%s ",
                                             json_string_value(json_object_get(e, "kind")),
                                             (long long)json_integer_value(json_object_get(e, "index")),
                                             json_string_value(json_object_get(e, "summary")),
                                             json_object_get(e, "differs") ?
                                             json_string_value(json_object_get(e, "differs")) :
                                             json_string_value(json_object_get(e, "op")),
                                             json_array_size(nums) == 1 ? "" : "s");
                        json_array_foreach(nums, k, num)
                                pcrsim_strbuf_printf(sb, "%s%lld", k ? ", " : "", (long long)json_integer_value(num));
                        pcrsim_strbuf_printf(sb, "\n");
                }
                if (json_is_true(json_object_get(row, "unreplayable")))
                        pcrsim_strbuf_printf(sb, "  a boot cannot give this PCR's value in this bank\n");
                if (policy) {
                        pcrsim_strbuf_printf(sb, "  measures: %s\n",
                                             json_string_value(json_object_get(policy, "meaning")));
                        pcrsim_strbuf_printf(sb, "  policy: %s, %s%s: %s\n",
                                             json_string_value(json_object_get(policy, "stability")),
                                             json_string_value(json_object_get(policy, "action")),
                                             json_is_true(json_object_get(policy, "confirmed")) ? "" :
                                             " (unconfirmed)",
                                             json_string_value(json_object_get(policy, "reason")));
                }
                if (json_object_get(row, "contradiction"))
                        pcrsim_strbuf_printf(sb, "  CONTRADICTION: %s\n",
                                             json_string_value(json_object_get(row, "contradiction")));
                if (json_object_get(row, "note"))
                        pcrsim_strbuf_printf(sb, "  note: %s\n", json_string_value(json_object_get(row, "note")));
        }
        (void)identical;
        if (!one_boot && json_string_value(json_object_get(doc, "identical"))[0])
                pcrsim_strbuf_printf(sb, "\nidentical in every boot: %s\n",
                                     json_string_value(json_object_get(doc, "identical")));
        if (uncovered) {
                char list[96];

                cli_format_pcr_list(uncovered, list, sizeof(list));
                pcrsim_strbuf_printf(sb, "not covered by the logs: %s\n", list);
        }
        pcrsim_strbuf_printf(sb, "%s\n", json_string_value(json_object_get(doc, "summary")));
}

int cmd_explain(int argc, char **argv)
{
        struct explain_options opt = { 0 };
        struct boot *boots = NULL;
        struct pcrsim_policy policy;
        bool have_policy = false;
        struct pcrsim_strbuf sb;
        json_t *doc = NULL, *rows, *names;
        const struct pcrsim_alg_info *info;
        uint32_t varying = 0, identical = 0, uncovered = 0;
        unsigned contradictions = 0;
        char name[24], summary[512], l1[96], l2[96], l3[96];
        uint16_t bank;
        int rc, loaded = 0;

        pcrsim_strbuf_init(&sb);
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                return rc;
        rc = EXIT_OK;
        if (opt.platform) {
                char path[4096];

                rc = cli_load_policy(opt.platform, opt.policy_dir, &policy, path, sizeof(path));
                if (rc)
                        return rc;
                have_policy = true;
        }
        boots = calloc((size_t)opt.boot_count, sizeof(*boots));
        if (!boots) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        bank = opt.bank ? opt.bank : (have_policy && policy.bank_count ? policy.banks[0] : 0);
        for (; !rc && loaded < opt.boot_count; loaded++)
                rc = boot_load(&boots[loaded], opt.boots[loaded], NULL, &bank, opt.quiet);
        info = pcrsim_alg_by_id(bank);
        for (int i = 0; !rc && i < opt.boot_count; i++) {
                if (!info || !pcrsim_replay_bank(boots[i].replay, bank)) {
                        pcrsim_alg_name(bank, name, sizeof(name));
                        cli_errorf("%s: the event log has no %s bank; choose one with --bank",
                                   opt.boots[i], name);
                        rc = EXIT_INVALID;
                }
        }
        if (rc)
                goto out;
        doc = json_object();
        rows = json_array();
        names = json_array();
        for (int i = 0; i < opt.boot_count; i++)
                json_array_append_new(names, json_string(opt.boots[i]));
        pcrsim_alg_name(bank, name, sizeof(name));
        json_object_set_new(doc, "boots", names);
        json_object_set_new(doc, "bank", json_string(name));
        if (have_policy)
                json_object_set_new(doc, "platform", json_string(policy.platform));
        /* PCRs 0-9 first, so that PCR 10 can name the ones that vary. */
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                struct pcr_class c = classify(boots, opt.boot_count, bank, info->digest_size, pcr);


                if (c.kind == VARYING)
                        varying |= 1u << pcr;
                else if (c.kind == IDENTICAL)
                        identical |= 1u << pcr;
                else
                        uncovered |= 1u << pcr;
        }
        for (uint32_t pcr = 0; !rc && pcr < PCRSIM_PCR_COUNT; pcr++) {
                json_t *row = json_object();

                rc = explain_pcr(boots, opt.boot_count, bank, info->digest_size, pcr, varying,
                                 have_policy ? &policy : NULL, row, &contradictions);
                json_array_append_new(rows, row);
        }
        if (rc)
                goto out;
        cli_format_pcr_list(varying, l1, sizeof(l1));
        cli_format_pcr_list(identical, l2, sizeof(l2));
        cli_format_pcr_list(uncovered, l3, sizeof(l3));
        if (opt.boot_count == 1)
                snprintf(summary, sizeof(summary), "one boot: the rules of platform %s", policy.platform);
        else
                snprintf(summary, sizeof(summary), "%d boots: varying %s; identical %s; not covered %s%s",
                         opt.boot_count, varying ? l1 : "none", identical ? l2 : "none",
                         uncovered ? l3 : "none",
                         contradictions ? "; the policy is contradicted" : "");
        json_object_set_new(doc, "pcrs", rows);
        json_object_set_new(doc, "varying", json_string(varying ? l1 : ""));
        json_object_set_new(doc, "identical", json_string(identical ? l2 : ""));
        json_object_set_new(doc, "not_covered", json_string(uncovered ? l3 : ""));
        json_object_set_new(doc, "varying_pcrs", mask_json(varying));
        json_object_set_new(doc, "identical_pcrs", mask_json(identical));
        json_object_set_new(doc, "not_covered_pcrs", mask_json(uncovered));
        json_object_set_new(doc, "contradictions", json_integer(contradictions));
        json_object_set_new(doc, "summary", json_string(summary));
        if (opt.json || opt.yaml) {
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (pcrsim_format_document(doc, opt.yaml, &sb, &err)) {
                        rc = cli_report(&err, NULL);
                        goto out;
                }
        } else {
                append_text(doc, opt.boot_count == 1, &sb);
        }
        rc = cli_write_output(&sb, opt.output);
        if (!rc && contradictions)
                rc = EXIT_DIFFERENCE;
out:
        json_decref(doc);
        pcrsim_strbuf_free(&sb);
        for (int i = 0; boots && i < loaded; i++)
                boot_free(&boots[i]);
        free(boots);
        if (have_policy)
                pcrsim_policy_free(&policy);
        return rc;
}
