/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "pcrsim/alg.h"
#include "pcrsim/decode.h"
#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/verify.h"

enum events_format { EVENTS_TEXT, EVENTS_YAML, EVENTS_JSON };

struct events_options {
        uint32_t pcr_mask;
        enum events_format format;
        bool verify;
        const char *output;
        const char *input;
        const char *name;
};

/* Counts of a dump, for the exit code. */
struct events_result {
        unsigned long events;
        unsigned long invalid_digests;
        uint64_t first_invalid;
};

static const char events_usage[] =
        "Usage: pcrsim events [OPTIONS] LOG\n"
        "\n"
        "Print every event of a TCG event log or IMA measurement list with its\n"
        "decoded data and, per bank, whether its digest is the hash of its data.\n"
        "LOG \"-\" reads standard input; the kind of log is detected.\n"
        "\n"
        "Options:\n"
        "  -p, --pcrs LIST        only events of these PCRs, such as 0-7,9\n"
        "  -f, --format FORMAT    text (default), yaml or json\n"
        "      --verify           exit with 1 if a checkable digest is invalid\n"
        "  -o, --output FILE      write to FILE instead of standard output\n"
        "  -h, --help             print this help\n"
        "\n"
        "Digest verdicts: valid, invalid, not-checkable (the digest covers\n"
        "bytes the log does not contain, such as a firmware volume or an EFI\n"
        "application) and known-deviation (a documented firmware or boot\n"
        "loader quirk, not tampering).\n"
        "\n"
        "Exit status: 0 success, 1 --verify found an invalid digest, 2 usage\n"
        "error or invalid input (the events before the error are printed, then\n"
        "an error record), 3 I/O or system error.\n";

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim events --help'.\n");
        return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, struct events_options *opt)
{
        enum { OPT_VERIFY = 256 };
        static const struct option longopts[] = {
                { "pcrs", required_argument, NULL, 'p' },
                { "format", required_argument, NULL, 'f' },
                { "verify", no_argument, NULL, OPT_VERIFY },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "p:f:o:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        if (!cli_parse_pcr_list(optarg, &opt->pcr_mask))
                                return usage_error();
                        break;
                case 'f':
                        if (strcmp(optarg, "text") == 0)
                                opt->format = EVENTS_TEXT;
                        else if (strcmp(optarg, "yaml") == 0)
                                opt->format = EVENTS_YAML;
                        else if (strcmp(optarg, "json") == 0)
                                opt->format = EVENTS_JSON;
                        else {
                                cli_errorf("invalid format '%s': expected text, yaml or json", optarg);
                                return usage_error();
                        }
                        break;
                case OPT_VERIFY:
                        opt->verify = true;
                        break;
                case 'o':
                        opt->output = optarg;
                        break;
                case 'h':
                        fputs(events_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        if (optind + 1 != argc) {
                cli_errorf(optind >= argc ? "missing LOG argument" : "more than one LOG argument");
                return usage_error();
        }
        opt->input = argv[optind];
        opt->name = cli_input_name(opt->input);
        if (opt->pcr_mask == 0)
                opt->pcr_mask = (1u << PCRSIM_PCR_COUNT) - 1;
        if (!cli_check_inputs(opt->output, &opt->input, 1))
                return EXIT_INVALID;
        return -1;
}


static bool pcr_selected(const struct events_options *opt, uint32_t pcr)
{
        return pcr >= PCRSIM_PCR_COUNT ? opt->pcr_mask == (1u << PCRSIM_PCR_COUNT) - 1 :
                                         (opt->pcr_mask & (1u << pcr)) != 0;
}

static json_t *tcg_record(const struct pcrsim_event *ev, const struct pcrsim_digest_check *checks,
                          struct events_result *result)
{
        const char *type = pcrsim_event_type_name(ev->type);
        json_t *rec = json_object(), *digests = json_array();

        json_object_set_new(rec, "EventNum", json_integer((json_int_t)ev->index));
        json_object_set_new(rec, "Offset", json_sprintf("0x%" PRIx64, ev->offset));
        json_object_set_new(rec, "PCRIndex", json_integer(ev->pcr));
        json_object_set_new(rec, "EventType", type ? json_string(type) : json_sprintf("0x%08x", ev->type));
        for (uint32_t i = 0; i < ev->digest_count; i++) {
                json_t *d = json_object();
                char name[24];

                pcrsim_alg_name(ev->digests[i].alg, name, sizeof(name));
                json_object_set_new(d, "AlgorithmId", json_string(name));
                json_object_set_new(d, "Digest", cli_digest_json(ev->digests[i].bytes, ev->digests[i].size));
                json_object_set_new(d, "Verdict", json_string(pcrsim_digest_verdict_name(checks[i].verdict)));
                if (checks[i].reason[0])
                        json_object_set_new(d, "Reason", json_string(checks[i].reason));
                if (checks[i].verdict == PCRSIM_DIGEST_INVALID && result->invalid_digests++ == 0)
                        result->first_invalid = ev->index;
                json_array_append_new(digests, d);
        }
        json_object_set_new(rec, "Digests", digests);
        json_object_set_new(rec, "EventSize", json_integer(ev->data_size));
        json_object_set_new(rec, "Event", pcrsim_event_decode(ev));
        return rec;
}

static json_t *error_record(const struct pcrsim_error *err, const char *name)
{
        json_t *rec = json_object();
        char message[512];

        pcrsim_error_format(err, name, message, sizeof(message));
        json_object_set_new(rec, "offset", err->offset == PCRSIM_NO_OFFSET ? json_null() :
                            json_sprintf("0x%" PRIx64, err->offset));
        json_object_set_new(rec, "event", err->record == PCRSIM_NO_RECORD ? json_null() :
                            json_integer((json_int_t)err->record));
        json_object_set_new(rec, "field", err->field[0] ? json_string(err->field) : json_null());
        json_object_set_new(rec, "message", json_string(message));
        return rec;
}

/* Walks a TCG event log into doc["events"]; returns the walk's result. */
static enum pcrsim_error_code dump_tcglog(struct pcrsim_tcglog *log, const struct events_options *opt,
                                          json_t *events, struct events_result *result,
                                          struct pcrsim_error *err)
{
        struct pcrsim_digest_check checks[PCRSIM_MAX_ALGORITHMS];
        struct pcrsim_verifier verifier;
        enum pcrsim_error_code rc;
        struct pcrsim_event ev;
        bool have;

        pcrsim_verifier_init(&verifier);
        for (;;) {
                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        return rc;
                rc = pcrsim_verify_event(&verifier, &ev, checks, err);
                if (rc)
                        return rc;
                if (!pcr_selected(opt, ev.pcr))
                        continue;
                result->events++;
                json_array_append_new(events, tcg_record(&ev, checks, result));
        }
}

static json_t *ima_record(const struct pcrsim_ima_entry *e, const struct pcrsim_digest_check *check,
                          uint16_t alg, struct events_result *result)
{
        json_t *rec = json_object(), *digest = json_object();
        char name[24];

        pcrsim_alg_name(alg, name, sizeof(name));
        json_object_set_new(rec, "EntryNum", json_integer((json_int_t)e->index));
        json_object_set_new(rec, "Offset", json_sprintf("0x%" PRIx64, e->offset));
        if (e->line)
                json_object_set_new(rec, "Line", json_integer((json_int_t)e->line));
        json_object_set_new(rec, "PCRIndex", json_integer(e->pcr));
        json_object_set_new(rec, "TemplateName", json_string(e->template_name));
        json_object_set_new(digest, "AlgorithmId", json_string(name));
        json_object_set_new(digest, "Digest", cli_digest_json(e->digest, e->digest_size));
        json_object_set_new(digest, "Verdict", json_string(pcrsim_digest_verdict_name(check->verdict)));
        if (check->reason[0])
                json_object_set_new(digest, "Reason", json_string(check->reason));
        if (check->verdict == PCRSIM_DIGEST_INVALID && result->invalid_digests++ == 0)
                result->first_invalid = e->index;
        json_object_set_new(rec, "TemplateDigest", digest);
        json_object_set_new(rec, "Event", pcrsim_ima_entry_decode(e));
        return rec;
}

static enum pcrsim_error_code dump_ima(struct pcrsim_ima_list *list, const struct events_options *opt,
                                       json_t *events, struct events_result *result,
                                       struct pcrsim_error *err)
{
        struct pcrsim_ima_entry *e = malloc(sizeof(*e));
        struct pcrsim_digest_check check;
        struct pcrsim_ima_list_info info;
        enum pcrsim_error_code rc;
        bool have;

        if (!e)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        for (;;) {
                rc = pcrsim_ima_list_next(list, e, &have, err);
                if (rc || !have)
                        break;
                pcrsim_ima_list_info(list, &info);
                rc = pcrsim_ima_check_entry(e, info.digest_alg, &check, err);
                if (rc)
                        break;
                if (!pcr_selected(opt, e->pcr))
                        continue;
                result->events++;
                json_array_append_new(events, ima_record(e, &check, info.digest_alg, result));
        }
        free(e);
        return rc;
}

static const char *verdict_tag(json_t *digests)
{
        bool invalid = false, valid = false, deviation = false;
        size_t i;
        json_t *d;

        json_array_foreach(digests, i, d) {
                const char *v = json_string_value(json_object_get(d, "Verdict"));

                invalid = invalid || strcmp(v, "invalid") == 0;
                valid = valid || strcmp(v, "valid") == 0;
                deviation = deviation || strcmp(v, "known-deviation") == 0;
        }
        if (invalid)
                return "INVALID";
        if (deviation)
                return "known deviation";
        return valid ? "valid" : "not checkable";
}

/*
 * Appends text from event data for a terminal: C0 and C1 control
 * characters and DEL become \xNN, so that data cannot forge lines or send
 * escape sequences.
 */
static void append_safe(struct pcrsim_strbuf *sb, const char *text)
{
        const unsigned char *p = (const unsigned char *)(text ? text : "");

        for (; *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        pcrsim_strbuf_printf(sb, "\\x%02x", *p);
                else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                        pcrsim_strbuf_printf(sb, "\\u%04x", *++p);
                else
                        pcrsim_strbuf_append(sb, (const char *)p, 1);
        }
}

static void text_record(json_t *rec, struct pcrsim_strbuf *sb)
{
        json_t *event = json_object_get(rec, "Event"), *num = json_object_get(rec, "EventNum");
        json_t *digests = json_object_get(rec, "Digests"), *diags;
        json_int_t pcr = json_integer_value(json_object_get(rec, "PCRIndex"));
        const char *type = json_string_value(json_object_get(rec, "EventType"));
        char pcr_text[16];
        size_t i;
        json_t *d;

        if (!num) {
                num = json_object_get(rec, "EntryNum");
                type = json_string_value(json_object_get(rec, "TemplateName"));
                digests = json_pack("[O]", json_object_get(rec, "TemplateDigest"));
        } else {
                json_incref(digests);
        }
        snprintf(pcr_text, sizeof(pcr_text), pcr == 0xFFFFFFFF ? "-" : "%lld", (long long)pcr);
        pcrsim_strbuf_printf(sb, "%6lld  PCR %2s  %-34s ", (long long)json_integer_value(num),
                             pcr_text, type);
        append_safe(sb, json_string_value(json_object_get(event, "summary")));
        pcrsim_strbuf_printf(sb, "  [%s]\n", verdict_tag(digests));
        json_array_foreach(digests, i, d) {
                const char *v = json_string_value(json_object_get(d, "Verdict"));

                if (strcmp(v, "invalid") == 0 || strcmp(v, "known-deviation") == 0)
                        pcrsim_strbuf_printf(sb, "        %s %s: %s\n",
                                             json_string_value(json_object_get(d, "AlgorithmId")), v,
                                             json_string_value(json_object_get(d, "Reason")));
        }
        json_decref(digests);
        diags = json_object_get(event, "diagnostics");
        json_array_foreach(diags, i, d) {
                pcrsim_strbuf_append(sb, "        ! ", 10);
                append_safe(sb, json_string_value(d));
                pcrsim_strbuf_append(sb, "\n", 1);
        }
}

static int write_document(json_t *doc, const struct events_options *opt, struct pcrsim_strbuf *sb)
{
        struct pcrsim_error err;
        json_t *rec, *error;
        size_t i;

        pcrsim_error_clear(&err);
        if (opt->format != EVENTS_TEXT) {
                if (pcrsim_format_document(doc, opt->format == EVENTS_YAML, sb, &err))
                        return cli_report(&err, NULL);
                return EXIT_OK;
        }
        json_array_foreach(json_object_get(doc, "events"), i, rec)
                text_record(rec, sb);
        error = json_object_get(doc, "error");
        if (json_is_object(error))
                pcrsim_strbuf_printf(sb, "error: %s\n", json_string_value(json_object_get(error, "message")));
        return sb->failed ? EXIT_SYSTEM : EXIT_OK;
}

/* Reads the whole input, because the dump document keeps every event in
 * memory anyway. */
static uint8_t *read_all(const struct events_options *opt, size_t *size, int *exit_code)
{
        FILE *in = cli_open_input(opt->input, exit_code);
        uint8_t *buf = NULL;
        size_t cap = 0, used = 0;

        if (!in)
                return NULL;
        for (;;) {
                size_t n;

                if (cap - used < 65536) {
                        uint8_t *grown = realloc(buf, cap ? cap * 2 : 1 << 20);

                        if (!grown) {
                                cli_errorf("out of memory reading %s", opt->name);
                                free(buf);
                                cli_close_input(in);
                                *exit_code = EXIT_SYSTEM;
                                return NULL;
                        }
                        buf = grown;
                        cap = cap ? cap * 2 : 1 << 20;
                }
                n = fread(buf + used, 1, cap - used, in);
                used += n;
                if (n == 0)
                        break;
        }
        if (ferror(in)) {
                cli_errorf("cannot read %s", opt->name);
                free(buf);
                buf = NULL;
                *exit_code = EXIT_SYSTEM;
        }
        cli_close_input(in);
        *size = used;
        return buf;
}

static bool looks_like_ima(const uint8_t *data, size_t size)
{
        return size >= 4 && ((data[0] >= 0x20 && data[0] < 0x7f) ||
                             (data[0] == 10 && data[1] == 0 && data[2] == 0 && data[3] == 0));
}

/* Dumps `data` as the kind of log it opens as, trying the likelier kind
 * first. Returns the error of the walk, with `doc` holding what was read. */
static enum pcrsim_error_code dump(const uint8_t *data, size_t size, const struct events_options *opt,
                                   json_t *doc, struct events_result *result, struct pcrsim_error *err)
{
        struct pcrsim_ima_options ima_opts = { 0 };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_tcglog *log = NULL;
        json_t *events = json_array();
        enum pcrsim_error_code rc, other;
        struct pcrsim_error ignored;
        bool ima = looks_like_ima(data, size);

        json_object_set_new(doc, "events", events);
        rc = ima ? pcrsim_ima_list_open_memory(data, size, &ima_opts, &list, err) :
                   pcrsim_tcglog_open_memory(data, size, &log, err);
        if (rc) {
                pcrsim_error_clear(&ignored);
                other = ima ? pcrsim_tcglog_open_memory(data, size, &log, &ignored) :
                              pcrsim_ima_list_open_memory(data, size, &ima_opts, &list, &ignored);
                if (other)
                        return rc;
                ima = !ima;
                rc = PCRSIM_OK;
        }
        json_object_set_new(doc, "kind", json_string(ima ? "ima" : "tcg"));
        if (ima)
                rc = dump_ima(list, opt, events, result, err);
        else
                rc = dump_tcglog(log, opt, events, result, err);
        pcrsim_ima_list_free(list);
        pcrsim_tcglog_free(log);
        return rc;
}

int cmd_events(int argc, char **argv)
{
        struct events_options opt = { 0 };
        struct events_result result = { 0 };
        struct pcrsim_error err;
        struct pcrsim_strbuf sb;
        enum pcrsim_error_code rc;
        int exit_code = EXIT_OK;
        uint8_t *data;
        json_t *doc;
        size_t size = 0;

        exit_code = parse_options(argc, argv, &opt);
        if (exit_code >= 0)
                return exit_code;
        data = read_all(&opt, &size, &exit_code);
        if (!data)
                return exit_code;
        doc = json_object();
        pcrsim_strbuf_init(&sb);
        pcrsim_error_clear(&err);
        json_object_set_new(doc, "file", json_string(opt.name));
        rc = dump(data, size, &opt, doc, &result, &err);
        json_object_set_new(doc, "error", rc ? error_record(&err, opt.name) : json_null());
        exit_code = write_document(doc, &opt, &sb);
        if (!exit_code)
                exit_code = cli_write_output(&sb, opt.output);
        if (!exit_code && rc)
                exit_code = cli_report(&err, opt.name);
        else if (!exit_code && opt.verify && result.invalid_digests) {
                cli_errorf("%s: %lu invalid digests, the first in event %" PRIu64, opt.name,
                           result.invalid_digests, result.first_invalid);
                exit_code = EXIT_DIFFERENCE;
        }
        pcrsim_strbuf_free(&sb);
        json_decref(doc);
        free(data);
        return exit_code;
}
