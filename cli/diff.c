/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim diff: replays two boots and, for each PCR whose final value
 * differs, aligns their events and lists what was added, removed or
 * changed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/boots.h"
#include "cli/cli.h"
#include "pcrsim/alg.h"

#define IMA_PCR 10u

static const char diff_usage[] =
        "Usage: pcrsim diff [OPTIONS] A B\n"
        "\n"
        "Replay two boots and explain every PCR whose final value differs: the\n"
        "events that B added, removed or changed compared with A, aligned per PCR\n"
        "on their type and data (an IMA entry on its template and file name).\n"
        "A and B are TCG event logs or vector folders; a folder's MANIFEST.yaml\n"
        "names its event log and its IMA list.\n"
        "\n"
        "Options:\n"
        "      --ima-a FILE     replay this IMA list into PCR 10 after A's log\n"
        "      --ima-b FILE     the same for B\n"
        "  -b, --bank BANK      compare this bank (default: sha256 if both logs have it)\n"
        "  -f, --format FORMAT  text (default), json or yaml\n"
        "  -o, --output FILE    write the report to FILE\n"
        "  -q, --quiet          no notes on standard error\n"
        "  -h, --help           print this help\n"
        "\n"
        "Exit status: 0 no PCR differs, 1 a PCR differs, 2 usage error or invalid\n"
        "input, 3 I/O or system error.\n";

struct diff_options {
        const char *ima_a, *ima_b, *output;
        uint16_t bank;
        bool json, yaml, quiet;
        const char *a, *b;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim diff --help'.\n");
        return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, struct diff_options *opt)
{
        enum { OPT_IMA_A = 256, OPT_IMA_B };
        static const struct option longopts[] = {
                { "ima-a", required_argument, NULL, OPT_IMA_A },
                { "ima-b", required_argument, NULL, OPT_IMA_B },
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
        while ((c = getopt_long(argc, argv, "b:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_IMA_A:
                        opt->ima_a = optarg;
                        break;
                case OPT_IMA_B:
                        opt->ima_b = optarg;
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
                        fputs(diff_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        if (argc - optind != 2) {
                cli_errorf("expected two boots, A and B, got %d", argc - optind);
                return usage_error();
        }
        opt->a = argv[optind];
        opt->b = argv[optind + 1];
        {
                const char *inputs[] = { opt->a, opt->b, opt->ima_a, opt->ima_b };

                if (!cli_check_inputs(opt->output, inputs, 4))
                        return usage_error();
        }
        return -1;
}

static json_t *hex_json(const uint8_t *bytes, size_t size)
{
        return bytes ? cli_digest_json(bytes, size) : json_null();
}

static json_t *side_json(const struct pcrsim_measurement_list *list, size_t i)
{
        const struct pcrsim_measurement *m;
        json_t *o;
        char *summary;

        if (i == SIZE_MAX)
                return json_null();
        m = &list->items[i];
        summary = measurement_summary(m);
        o = json_pack("{s:I, s:s}", list->ima ? "entry" : "event", (json_int_t)m->index, "summary",
                      summary ? summary : "");
        free(summary);
        if (!list->ima && pcrsim_event_type_name(m->type))
                json_object_set_new(o, "type", json_string(pcrsim_event_type_name(m->type)));
        if (list->ima) {
                static const uint8_t zero[PCRSIM_MAX_DIGEST_SIZE];

                /* The list's own template digest, not the bank's: IMA logs
                 * it in its template hash algorithm, SHA-1 by default. */
                json_object_set_new(o, "template_digest", cli_digest_json(m->digest, m->digest_size));
                if (memcmp(m->digest, zero, m->digest_size) == 0)
                        json_object_set_new(o, "violation", json_true());
        } else {
                json_object_set_new(o, "digest", m->has_digest ? cli_digest_json(m->digest, m->digest_size) :
                                                 json_null());
        }
        return o;
}

static const char *op_name(enum pcrsim_diff_op op)
{
        switch (op) {
        case PCRSIM_DIFF_SAME:
                return "same";
        case PCRSIM_DIFF_CHANGED:
                return "changed";
        case PCRSIM_DIFF_REMOVED:
                return "removed";
        case PCRSIM_DIFF_ADDED:
                return "added";
        }
        return "unknown";
}

/* Returns the events that differ in PCR `pcr`, as a JSON array. */
static json_t *events_json(const struct pcrsim_measurement_list *a,
                           const struct pcrsim_measurement_list *b, const struct pcrsim_diff_pcr *d)
{
        json_t *events = json_array();

        for (size_t i = 0; i < d->step_count; i++) {
                const struct pcrsim_diff_step *s = &d->steps[i];
                json_t *what;

                if (s->op == PCRSIM_DIFF_SAME)
                        continue;
                what = json_array();
                if (s->parts & PCRSIM_DIFF_DATA)
                        json_array_append_new(what, json_string("data"));
                if (s->parts & PCRSIM_DIFF_DIGEST)
                        json_array_append_new(what, json_string("digest"));
                json_array_append_new(events, json_pack("{s:s, s:o, s:o, s:o}", "op", op_name(s->op),
                                                        "differs", what, "a", side_json(a, s->a),
                                                        "b", side_json(b, s->b)));
        }
        return events;
}

/* Returns the PCRs among those that A's boot_aggregate covers whose
 * values differ. */
static uint32_t differing_aggregate_pcrs(const struct boot *a, const struct boot *b, uint16_t bank,
                                         size_t size)
{
        uint32_t covered = boot_aggregate_pcrs(a), mask = 0;

        for (uint32_t pcr = 0; pcr < IMA_PCR; pcr++) {
                const uint8_t *va = boot_value(a, bank, pcr), *vb = boot_value(b, bank, pcr);

                if ((covered & (1u << pcr)) && (!va || !vb || memcmp(va, vb, size) != 0))
                        mask |= 1u << pcr;
        }
        return mask;
}

static int compare_pcr(const struct boot *a, const struct boot *b, uint16_t bank, size_t size,
                       uint32_t pcr, json_t *rows, uint32_t *equal)
{
        const uint8_t *va = boot_value(a, bank, pcr), *vb = boot_value(b, bank, pcr);
        const struct pcrsim_measurement_list *la = &a->events, *lb = &b->events;
        struct pcrsim_diff_pcr d;
        struct pcrsim_error err;
        json_t *row;

        if (pcr == IMA_PCR && !a->ima_path != !b->ima_path)
                return EXIT_OK; /* reported as not compared */
        if (va && vb && memcmp(va, vb, size) == 0) {
                *equal |= 1u << pcr;
                return EXIT_OK;
        }
        /* PCR 10's events are the IMA entries when both boots have a list. */
        if (pcr == IMA_PCR && a->ima_path && b->ima_path) {
                la = &a->entries;
                lb = &b->entries;
        }
        pcrsim_error_clear(&err);
        if (pcrsim_diff_align(la, lb, pcr, &d, &err))
                return cli_report(&err, NULL);
        row = json_pack("{s:i, s:o, s:o, s:o}", "pcr", (int)pcr, "a", hex_json(va, size), "b",
                        hex_json(vb, size), "events", events_json(la, lb, &d));
        if (d.positional)
                json_object_set_new(row, "aligned_by_position", json_true());
        if (pcr == IMA_PCR && la == &a->entries) {
                uint32_t mask = differing_aggregate_pcrs(a, b, bank, size);
                char list[64];

                cli_format_pcr_list(boot_aggregate_pcrs(a), list, sizeof(list));
                json_object_set_new(row, "boot_aggregate_covers", json_string(list));
                if (mask) {
                        cli_format_pcr_list(mask, list, sizeof(list));
                        json_object_set_new(row, "boot_aggregate_depends_on", json_string(list));
                }
        }
        json_array_append_new(rows, row);
        pcrsim_diff_pcr_free(&d);
        return EXIT_OK;
}

static void append_side(struct pcrsim_strbuf *sb, const char *label, const json_t *side, bool ima)
{
        const char *digest = json_string_value(json_object_get(side, ima ? "template_digest" : "digest"));

        pcrsim_strbuf_printf(sb, "      %s %s %lld: %s\n", label, ima ? "entry" : "event",
                             (long long)json_integer_value(json_object_get(side, ima ? "entry" : "event")),
                             json_string_value(json_object_get(side, "summary")));
        if (ima && json_is_true(json_object_get(side, "violation")))
                pcrsim_strbuf_printf(sb, "        template digest all zero: a violation, which extends all ones\n");
        else if (ima)
                pcrsim_strbuf_printf(sb, "        template digest %s\n", digest);
        else
                pcrsim_strbuf_printf(sb, "        digest %s\n", digest ? digest : "(none in this bank)");
}

static void append_text(const json_t *doc, struct pcrsim_strbuf *sb)
{
        const json_t *rows = json_object_get(doc, "pcrs"), *row;
        size_t i;

        pcrsim_strbuf_printf(sb, "A: %s\nB: %s\nbank: %s\n",
                             json_string_value(json_object_get(doc, "a")),
                             json_string_value(json_object_get(doc, "b")),
                             json_string_value(json_object_get(doc, "bank")));
        json_array_foreach(rows, i, row) {
                const json_t *events = json_object_get(row, "events"), *ev;
                const char *va = json_string_value(json_object_get(row, "a"));
                const char *vb = json_string_value(json_object_get(row, "b"));
                size_t j;

                pcrsim_strbuf_printf(sb, "\nPCR %lld differs\n  A %s\n  B %s\n",
                                     (long long)json_integer_value(json_object_get(row, "pcr")),
                                     va ? va : "(cannot be replayed)", vb ? vb : "(cannot be replayed)");
                if (json_is_true(json_object_get(row, "aligned_by_position")))
                        pcrsim_strbuf_printf(sb, "  note: too many events to align, so they are paired by position and type\n");
                json_array_foreach(events, j, ev) {
                        const json_t *a = json_object_get(ev, "a"), *b = json_object_get(ev, "b");
                        const json_t *what = json_object_get(ev, "differs");
                        const char *op = json_string_value(json_object_get(ev, "op"));
                        bool ima = json_object_get(json_is_null(a) ? b : a, "entry") != NULL;
                        const json_t *first = json_is_null(a) ? b : a;

                        pcrsim_strbuf_printf(sb, "  %s %s %lld: %s", ima ? "entry" : "event",
                                             json_is_null(a) ? "B" : "A",
                                             (long long)json_integer_value(json_object_get(first, ima ? "entry" : "event")),
                                             json_string_value(json_object_get(first, "summary")));
                        if (strcmp(op, "changed") == 0 && json_array_size(what) == 1 &&
                            strcmp(json_string_value(json_array_get(what, 0)), "data") == 0)
                                pcrsim_strbuf_printf(sb, ": data differs, digest the same (no effect on the PCR)\n");
                        else if (strcmp(op, "changed") == 0)
                                pcrsim_strbuf_printf(sb, ": %s differ%s\n",
                                                     json_array_size(what) == 2 ? "data and digest" :
                                                     json_string_value(json_array_get(what, 0)),
                                                     json_array_size(what) == 2 ? "" : "s");
                        else
                                pcrsim_strbuf_printf(sb, ": %s in B\n", op);
                        if (!json_is_null(a))
                                append_side(sb, "A", a, ima);
                        if (!json_is_null(b))
                                append_side(sb, "B", b, ima);
                }
                if (json_object_get(row, "boot_aggregate_depends_on")) {
                        const char *dep = json_string_value(json_object_get(row, "boot_aggregate_depends_on"));

                        pcrsim_strbuf_printf(sb, "  the boot_aggregate entry hashes PCRs %s, and %s %s differ%s\n",
                                             json_string_value(json_object_get(row, "boot_aggregate_covers")),
                                             strpbrk(dep, ",-") ? "PCRs" : "PCR", dep,
                                             strpbrk(dep, ",-") ? "" : "s");
                }
        }
        json_array_foreach(json_object_get(doc, "warnings"), i, row)
                pcrsim_strbuf_printf(sb, "\nwarning: %s", json_string_value(row));
        pcrsim_strbuf_printf(sb, "\n%s\n", json_string_value(json_object_get(doc, "summary")));
}

int cmd_diff(int argc, char **argv)
{
        struct diff_options opt = { 0 };
        struct boot a, b;
        struct pcrsim_strbuf sb;
        json_t *doc = NULL, *rows;
        uint32_t equal = 0, differing = 0;
        const struct pcrsim_alg_info *info;
        char name[24], list[96], summary[160];
        uint16_t bank;
        int rc;

        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        pcrsim_strbuf_init(&sb);
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                return rc;
        bank = opt.bank;
        rc = boot_load(&a, opt.a, opt.ima_a, &bank, opt.quiet);
        if (!rc)
                rc = boot_load(&b, opt.b, opt.ima_b, &bank, opt.quiet);
        info = pcrsim_alg_by_id(bank);
        if (!rc && (!info || !pcrsim_replay_bank(a.replay, bank) || !pcrsim_replay_bank(b.replay, bank))) {
                pcrsim_alg_name(bank, name, sizeof(name));
                cli_errorf("bank %s is not in both event logs; choose one with --bank", name);
                rc = EXIT_INVALID;
        }
        if (rc)
                goto out;
        rows = json_array();
        doc = json_object();
        pcrsim_alg_name(bank, name, sizeof(name));
        json_object_set_new(doc, "a", json_string(opt.a));
        json_object_set_new(doc, "b", json_string(opt.b));
        json_object_set_new(doc, "bank", json_string(name));
        for (uint32_t pcr = 0; !rc && pcr < PCRSIM_PCR_COUNT; pcr++)
                rc = compare_pcr(&a, &b, bank, info->digest_size, pcr, rows, &equal);
        if (rc)
                goto out;
        differing = (uint32_t)json_array_size(rows);
        {
                json_t *warnings = json_array();

                if (!a.ima_path != !b.ima_path)
                        json_array_append_new(warnings, json_pack("s+", !a.ima_path ? "only B" : "only A",
                                                                  " has an IMA list, so PCR 10 is not compared"));
                if (boot_ima_mismatch(&a))
                        json_array_append_new(warnings, json_string("A's IMA list does not belong to its event log: its boot_aggregate matches neither PCRs 0-7 nor 0-9"));
                if (boot_ima_mismatch(&b))
                        json_array_append_new(warnings, json_string("B's IMA list does not belong to its event log: its boot_aggregate matches neither PCRs 0-7 nor 0-9"));
                json_object_set_new(doc, "warnings", warnings);
        }
        cli_format_pcr_list(equal, list, sizeof(list));
        if (differing == 0)
                snprintf(summary, sizeof(summary), "no PCR differs in %s", name);
        else
                snprintf(summary, sizeof(summary), "%u PCR%s differ%s; equal: %s%s", differing,
                         differing == 1 ? "" : "s", differing == 1 ? "s" : "",
                         equal ? list : "none",
                         !a.ima_path != !b.ima_path ? "; not compared: 10" : "");
        json_object_set_new(doc, "pcrs", rows);
        json_object_set_new(doc, "equal", json_string(equal ? list : ""));
        json_object_set_new(doc, "summary", json_string(summary));
        if (opt.json || opt.yaml) {
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (pcrsim_format_document(doc, opt.yaml, &sb, &err)) {
                        rc = cli_report(&err, NULL);
                        goto out;
                }
        } else {
                append_text(doc, &sb);
        }
        rc = cli_write_output(&sb, opt.output);
        if (!rc && differing)
                rc = EXIT_DIFFERENCE;
out:
        json_decref(doc);
        pcrsim_strbuf_free(&sb);
        boot_free(&a);
        boot_free(&b);
        return rc;
}
