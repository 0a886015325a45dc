/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim check-vectors: replays recorded vector folders and compares each
 * with the values its MANIFEST.yaml expects, one line per vector.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/cli.h"
#include "pcrsim/alg.h"
#include "pcrsim/manifest.h"
#include "pcrsim/vector_check.h"

/* Maximum number of subfolders read from one collection folder. */
#define MAX_COLLECTION 4096

#define VERDICT_COUNT (PCRSIM_VECTOR_NOTHING_TO_REPLAY + 1)

static const char check_vectors_usage[] =
        "Usage: pcrsim check-vectors [OPTIONS] DIR...\n"
        "\n"
        "Replay each vector folder: the TCG event log and IMA lists that its\n"
        "MANIFEST.yaml lists, by their format fields. Compare the result with the\n"
        "manifest's expected values, and check that every file marked expect_error\n"
        "is rejected. A DIR without MANIFEST.yaml is a collection: each of its\n"
        "subfolders that contains one is checked, in name order.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT  text (default), json or yaml\n"
        "  -o, --output FILE    write the report to FILE\n"
        "  -v, --verbose        list every value compared and every file read\n"
        "      --strict         a file whose format is missing or unknown makes its\n"
        "                       vector invalid (by default it is only noted)\n"
        "  -h, --help           print this help\n"
        "\n"
        "Verdicts: match; differs (the PCRs and banks that differ or cannot be\n"
        "replayed, or an expect_error file that parses); known quirk (every\n"
        "difference is listed under MISMATCH, printed with its reason); rejected as\n"
        "expected; no expected values; nothing to replay; invalid (a file that must\n"
        "parse is rejected, or a listed file is absent, not a regular file, or not\n"
        "the size, SHA-256 or format that the manifest states).\n"
        "\n"
        "Exit status: 0 no difference, 1 a vector differs, 2 usage error, an invalid\n"
        "vector or a folder that does not exist, 3 I/O or system error (a file that\n"
        "exists but cannot be read, memory exhausted).\n";

struct options {
        bool json, yaml, verbose, strict;
        const char *output;
        char **dirs;
        int dir_count;
};

/* Results of the whole run, for the summary and the exit code. */
struct run {
        unsigned counts[VERDICT_COUNT];
        unsigned total;
        bool system_error;
        json_t *vectors;
        struct pcrsim_strbuf *text;
        const struct options *opt;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim check-vectors --help'.\n");
        return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
        enum { OPT_STRICT = 256 };
        static const struct option longopts[] = {
                { "format", required_argument, NULL, 'f' },
                { "strict", no_argument, NULL, OPT_STRICT },
                { "output", required_argument, NULL, 'o' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "f:o:vh", longopts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (!cli_parse_report_format(optarg, &opt->json, &opt->yaml))
                                return usage_error();
                        break;
                case 'o':
                        opt->output = optarg;
                        break;
                case 'v':
                        opt->verbose = true;
                        break;
                case OPT_STRICT:
                        opt->strict = true;
                        break;
                case 'h':
                        fputs(check_vectors_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        if (optind >= argc) {
                cli_errorf("no vector folder given");
                return usage_error();
        }
        opt->dirs = argv + optind;
        opt->dir_count = argc - optind;
        return -1;
}

static const char *bank_name(uint16_t alg, char *buf, size_t size)
{
        pcrsim_alg_name(alg, buf, size);
        return buf;
}

static void hex(const uint8_t *bytes, size_t size, char *out)
{
        for (size_t i = 0; i < size; i++)
                snprintf(out + 2 * i, 3, "%02x", bytes[i]);
        out[2 * size] = '\0';
}

/* Returns the length of the UTF-8 sequence at `p`, or 0 when it is not
 * valid UTF-8 (overlong forms and surrogates included). */
static size_t utf8_length(const unsigned char *p)
{
        size_t n;
        uint32_t cp;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xC2 && p[0] <= 0xDF)
                n = 2, cp = p[0] & 0x1Fu;
        else if (p[0] >= 0xE0 && p[0] <= 0xEF)
                n = 3, cp = p[0] & 0x0Fu;
        else if (p[0] >= 0xF0 && p[0] <= 0xF4)
                n = 4, cp = p[0] & 0x07u;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3Fu);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return n;
}

/* Strings that escaped() allocated for the vector being printed. */
struct escapes {
        char *items[64];
        size_t count;
};

/*
 * Returns `text` with control characters and bytes that are not UTF-8
 * written as \xNN, so that a folder name or a manifest note can neither
 * break the one line per item of the text output nor reach the terminal
 * as a control sequence. Returns `text` itself when nothing needs
 * escaping, and "(out of memory)" when the copy fails.
 */
static const char *escaped(struct escapes *pool, const char *text)
{
        const unsigned char *p = (const unsigned char *)text;
        struct pcrsim_strbuf sb;
        bool clean = true;

        if (!text)
                return "";
        for (size_t i = 0; p[i] && clean;) {
                size_t n = utf8_length(p + i);

                clean = n > 0 && p[i] >= 0x20 && p[i] != 0x7F;
                i += n ? n : 1;
        }
        if (clean)
                return text;
        if (pool->count == sizeof(pool->items) / sizeof(pool->items[0]))
                return "(too many names to escape)";
        pcrsim_strbuf_init(&sb);
        for (size_t i = 0; p[i];) {
                size_t n = utf8_length(p + i);

                if (n == 0 || p[i] < 0x20 || p[i] == 0x7F) {
                        pcrsim_strbuf_printf(&sb, "\\x%02x", p[i]);
                        i++;
                } else {
                        pcrsim_strbuf_append(&sb, text + i, n);
                        i += n;
                }
        }
        if (sb.failed || !sb.data) {
                pcrsim_strbuf_free(&sb);
                return "(out of memory)";
        }
        pool->items[pool->count++] = sb.data;
        return sb.data;
}

static void free_escapes(struct escapes *pool)
{
        for (size_t i = 0; i < pool->count; i++)
                free(pool->items[i]);
        pool->count = 0;
}

/* Returns `text` as a JSON string: as it is when it is UTF-8, which
 * jansson requires, else with escaped(). */
static json_t *json_text(struct escapes *pool, const char *text)
{
        json_t *s = json_string(text ? text : "");

        return s ? s : json_string(escaped(pool, text));
}

/* The verdict as a word for JSON and YAML, such as "known-quirk". */
static const char *verdict_id(enum pcrsim_vector_verdict verdict)
{
        switch (verdict) {
        case PCRSIM_VECTOR_INVALID:
                return "invalid";
        case PCRSIM_VECTOR_DIFFERS:
                return "differs";
        case PCRSIM_VECTOR_KNOWN_QUIRK:
                return "known-quirk";
        case PCRSIM_VECTOR_MATCH:
                return "match";
        case PCRSIM_VECTOR_REJECTED_AS_EXPECTED:
                return "rejected-as-expected";
        case PCRSIM_VECTOR_NO_EXPECTED:
                return "no-expected-values";
        case PCRSIM_VECTOR_NOTHING_TO_REPLAY:
                return "nothing-to-replay";
        }
        return "unknown";
}

static const char *file_outcome_name(enum pcrsim_vector_file_outcome outcome)
{
        switch (outcome) {
        case PCRSIM_VECTOR_FILE_SKIPPED:
                return "not-read";
        case PCRSIM_VECTOR_FILE_CHECKED:
                return "checked";
        case PCRSIM_VECTOR_FILE_UNKNOWN_FORMAT:
                return "unknown-format";
        case PCRSIM_VECTOR_FILE_REPLAYED:
                return "replayed";
        case PCRSIM_VECTOR_FILE_REJECTED:
                return "rejected-as-expected";
        case PCRSIM_VECTOR_FILE_ACCEPTED:
                return "parsed-but-expect-error";
        case PCRSIM_VECTOR_FILE_FAILED:
                return "failed";
        }
        return "unknown";
}

static const char *pcr_verdict_name(enum pcrsim_vector_pcr_verdict v)
{
        switch (v) {
        case PCRSIM_VECTOR_PCR_MATCH:
                return "match";
        case PCRSIM_VECTOR_PCR_DIFFERS:
                return "differs";
        case PCRSIM_VECTOR_PCR_KNOWN_QUIRK:
                return "known-quirk";
        case PCRSIM_VECTOR_PCR_NOT_REPLAYED:
                return "not-replayed";
        }
        return "unknown";
}

static const char *aggregate_verdict_name(enum pcrsim_boot_aggregate_verdict v)
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
        return "unknown";
}

/* The first file error, as "FILE: message", for the problem of an
 * invalid vector. */
static void first_file_error(const struct pcrsim_manifest *m, const struct pcrsim_vector_result *r,
                             char *buf, size_t size)
{
        buf[0] = '\0';
        for (size_t i = 0; i < r->file_count; i++) {
                if (r->files[i].outcome != PCRSIM_VECTOR_FILE_FAILED)
                        continue;
                pcrsim_error_format(&r->files[i].error, m->files[i].name, buf, size);
                return;
        }
}

static json_t *aggregate_json(struct escapes *pool, const struct pcrsim_manifest *m,
                              const struct pcrsim_vector_aggregate_result *a)
{
        const struct pcrsim_boot_aggregate *ba = &a->check;
        char text[2 * PCRSIM_MAX_DIGEST_SIZE + 1];
        json_t *entry = json_object();

        json_object_set_new(entry, "ima", json_text(pool, m->files[a->ima_file].name));
        json_object_set_new(entry, "verdict", json_string(aggregate_verdict_name(ba->verdict)));
        if (ba->size && ba->verdict != PCRSIM_BOOT_AGGREGATE_NO_ENTRY &&
            ba->verdict != PCRSIM_BOOT_AGGREGATE_UNDECODABLE) {
                json_object_set_new(entry, "algorithm", json_text(pool, ba->algo));
                hex(ba->logged, ba->size, text);
                json_object_set_new(entry, "logged", json_string(text));
        }
        if (ba->verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH) {
                hex(ba->over_0_7, ba->size, text);
                json_object_set_new(entry, "replayed_pcrs_0_7", json_string(text));
                hex(ba->over_0_9, ba->size, text);
                json_object_set_new(entry, "replayed_pcrs_0_9", json_string(text));
        }
        if (m->has_boot_aggregate) {
                hex(m->boot_aggregate, m->boot_aggregate_size, text);
                json_object_set_new(entry, "manifest", json_string(text));
                json_object_set_new(entry, "manifest_verdict",
                                    json_string(a->differs_from_manifest ? "differs" :
                                                a->unconfirmed ? "unconfirmed" : "match"));
        }
        return entry;
}

static json_t *vector_json(struct escapes *pool, const char *path, const struct pcrsim_manifest *m,
                           const struct pcrsim_vector_result *r)
{
        json_t *v = json_object(), *files = json_array(), *pcrs = json_array();
        json_t *aggregates = json_array();
        char name[24], text[2 * PCRSIM_MAX_DIGEST_SIZE + 1], line[512];

        json_object_set_new(v, "path", json_text(pool, path));
        json_object_set_new(v, "verdict", json_string(verdict_id(r->verdict)));
        if (r->problem[0]) {
                json_object_set_new(v, "problem", json_text(pool, r->problem));
        } else if (r->verdict == PCRSIM_VECTOR_INVALID) {
                first_file_error(m, r, line, sizeof(line));
                json_object_set_new(v, "problem", json_text(pool, line[0] ? line :
                                    "a file's format is missing or unknown, and --strict is given"));
        }
        for (size_t i = 0; i < r->file_count; i++) {
                const struct pcrsim_manifest_file *f = &m->files[i];
                const struct pcrsim_vector_file_result *fr = &r->files[i];
                json_t *entry = json_object();

                json_object_set_new(entry, "file", json_text(pool, f->name));
                if (f->format)
                        json_object_set_new(entry, "format", json_text(pool, f->format));
                json_object_set_new(entry, "outcome", json_string(file_outcome_name(fr->outcome)));
                if (f->expect_error)
                        json_object_set_new(entry, "expect_error", json_text(pool, f->expect_error));
                if (fr->outcome == PCRSIM_VECTOR_FILE_REPLAYED ||
                    fr->outcome == PCRSIM_VECTOR_FILE_ACCEPTED) {
                        json_object_set_new(entry, "records", json_integer((json_int_t)fr->records));
                        if (f->kind == PCRSIM_MANIFEST_IMA_LIST)
                                json_object_set_new(entry, "violations",
                                                    json_integer((json_int_t)fr->violations));
                }
                if (fr->outcome == PCRSIM_VECTOR_FILE_REJECTED ||
                    fr->outcome == PCRSIM_VECTOR_FILE_FAILED) {
                        pcrsim_error_format(&fr->error, NULL, line, sizeof(line));
                        json_object_set_new(entry, "error", json_text(pool, line));
                        json_object_set_new(entry, "error_class",
                                            json_string(pcrsim_error_code_name(fr->error.code)));
                }
                json_array_append_new(files, entry);
        }
        for (size_t i = 0; i < r->pcr_count; i++) {
                const struct pcrsim_vector_pcr_result *p = &r->pcrs[i];
                json_t *entry = json_object();

                json_object_set_new(entry, "bank", json_string(bank_name(p->alg, name, sizeof(name))));
                json_object_set_new(entry, "pcr", json_integer(p->pcr));
                json_object_set_new(entry, "verdict", json_string(pcr_verdict_name(p->verdict)));
                if (p->source != SIZE_MAX)
                        json_object_set_new(entry, "source", json_text(pool, m->files[p->source].name));
                hex(p->expected, p->size, text);
                json_object_set_new(entry, "expected", json_string(text));
                if (p->verdict != PCRSIM_VECTOR_PCR_NOT_REPLAYED) {
                        hex(p->actual, p->size, text);
                        json_object_set_new(entry, "replayed", json_string(text));
                } else {
                        json_object_set_new(entry, "reason", json_text(pool, p->reason));
                }
                if (p->listed_as_mismatch)
                        json_object_set_new(entry, "listed_as_mismatch", json_true());
                if (p->quirk)
                        json_object_set_new(entry, "quirk", json_text(pool, p->quirk));
                json_array_append_new(pcrs, entry);
        }
        for (size_t i = 0; i < r->aggregate_count; i++)
                json_array_append_new(aggregates, aggregate_json(pool, m, &r->aggregates[i]));
        json_object_set_new(v, "files", files);
        json_object_set_new(v, "pcrs", pcrs);
        json_object_set_new(v, "boot_aggregate", aggregates);
        json_object_set_new(v, "counts",
                            json_pack("{s:i, s:i, s:i, s:i}", "match", r->matched, "differs",
                                      r->differing, "known-quirk", r->known, "not-replayed",
                                      r->not_replayed));
        return v;
}

/* Lists the files of `outcome` as "a, b". */
static void list_files(struct escapes *pool, const struct pcrsim_manifest *m,
                       const struct pcrsim_vector_result *r,
                       enum pcrsim_vector_file_outcome outcome, struct pcrsim_strbuf *sb)
{
        bool first = true;

        for (size_t i = 0; i < r->file_count; i++) {
                if (r->files[i].outcome != outcome)
                        continue;
                pcrsim_strbuf_printf(sb, "%s%s", first ? "" : ", ", escaped(pool, m->files[i].name));
                first = false;
        }
}

/* Appends the banks of the compared values, as "sha1, sha256". */
static void list_banks(const struct pcrsim_vector_result *r, struct pcrsim_strbuf *sb)
{
        uint16_t seen[PCRSIM_MAX_ALGORITHMS];
        size_t count = 0;
        char name[24];

        for (size_t i = 0; i < r->pcr_count; i++) {
                size_t j = 0;

                while (j < count && seen[j] != r->pcrs[i].alg)
                        j++;
                if (j < count || count == PCRSIM_MAX_ALGORITHMS)
                        continue;
                seen[count++] = r->pcrs[i].alg;
                pcrsim_strbuf_printf(sb, "%s%s", count > 1 ? ", " : "",
                                     bank_name(r->pcrs[i].alg, name, sizeof(name)));
        }
}

/* Appends "sha256 PCR 4, 9; sha1 PCR 4" for the values of `verdict`. */
static void list_pcrs(const struct pcrsim_vector_result *r, enum pcrsim_vector_pcr_verdict verdict,
                      struct pcrsim_strbuf *sb)
{
        uint32_t masks[PCRSIM_MAX_ALGORITHMS] = { 0 };
        uint16_t algs[PCRSIM_MAX_ALGORITHMS];
        size_t count = 0;

        for (size_t i = 0; i < r->pcr_count; i++) {
                size_t j = 0;

                if (r->pcrs[i].verdict != verdict)
                        continue;
                while (j < count && algs[j] != r->pcrs[i].alg)
                        j++;
                if (j == count && count < PCRSIM_MAX_ALGORITHMS)
                        algs[count++] = r->pcrs[i].alg;
                if (j < count)
                        masks[j] |= 1u << r->pcrs[i].pcr;
        }
        for (size_t j = 0; j < count; j++) {
                char name[24], list[96];

                cli_format_pcr_list(masks[j], list, sizeof(list));
                pcrsim_strbuf_printf(sb, "%s%s %s %s", j ? "; " : "",
                                     bank_name(algs[j], name, sizeof(name)),
                                     cli_pcr_word(masks[j]), list);
        }
}

static void append_pcr_detail(struct escapes *pool, const struct pcrsim_manifest *m,
                              const struct pcrsim_vector_pcr_result *p, struct pcrsim_strbuf *sb)
{
        char name[24], expected[2 * PCRSIM_MAX_DIGEST_SIZE + 1], actual[2 * PCRSIM_MAX_DIGEST_SIZE + 1];
        const char *source = p->source != SIZE_MAX ? escaped(pool, m->files[p->source].name) :
                             "no file";

        bank_name(p->alg, name, sizeof(name));
        hex(p->expected, p->size, expected);
        if (p->verdict == PCRSIM_VECTOR_PCR_NOT_REPLAYED) {
                pcrsim_strbuf_printf(sb, "    %s PCR %u from %s: not replayed: %s\n", name, p->pcr,
                                     source, escaped(pool, p->reason));
                return;
        }
        hex(p->actual, p->size, actual);
        pcrsim_strbuf_printf(sb, "    %s PCR %u from %s: %s: expected %s, replay gives %s\n", name,
                             p->pcr, source, pcr_verdict_name(p->verdict), expected, actual);
        if (p->verdict == PCRSIM_VECTOR_PCR_KNOWN_QUIRK)
                pcrsim_strbuf_printf(sb, "      listed under MISMATCH; quirk: %s\n",
                                     p->quirk ? escaped(pool, p->quirk) : "no quirk names this PCR");
}

static void append_file_lines(struct escapes *pool, const struct pcrsim_manifest *m,
                              const struct pcrsim_vector_result *r, bool verbose,
                              struct pcrsim_strbuf *sb)
{
        char line[512];

        for (size_t i = 0; i < r->file_count; i++) {
                const struct pcrsim_vector_file_result *f = &r->files[i];
                const char *name = escaped(pool, m->files[i].name);
                bool ima = m->files[i].kind == PCRSIM_MANIFEST_IMA_LIST;

                switch (f->outcome) {
                case PCRSIM_VECTOR_FILE_FAILED:
                        pcrsim_error_format(&f->error, m->files[i].name, line, sizeof(line));
                        pcrsim_strbuf_printf(sb, "    %s\n", escaped(pool, line));
                        break;
                case PCRSIM_VECTOR_FILE_ACCEPTED:
                        pcrsim_strbuf_printf(sb, "    %s parses, yet MANIFEST.yaml expects an error (%s): %llu complete %s",
                                             name, escaped(pool, m->files[i].expect_error),
                                             (unsigned long long)f->records,
                                             ima ? (f->records == 1 ? "entry" : "entries") :
                                             (f->records == 1 ? "event" : "events"));
                        if (f->violations)
                                pcrsim_strbuf_printf(sb, ", %llu with an all-zero template digest, which IMA logs for a violation",
                                                     (unsigned long long)f->violations);
                        pcrsim_strbuf_printf(sb, "\n");
                        break;
                case PCRSIM_VECTOR_FILE_UNKNOWN_FORMAT:
                        if (m->files[i].format)
                                pcrsim_strbuf_printf(sb, "    note: %s: format '%s' is not one that pcrsim knows, so only its size and SHA-256 were checked\n",
                                                     name, escaped(pool, m->files[i].format));
                        else
                                pcrsim_strbuf_printf(sb, "    note: %s has no format, so only its size and SHA-256 were checked\n",
                                                     name);
                        break;
                case PCRSIM_VECTOR_FILE_REJECTED:
                        if (!verbose)
                                break;
                        pcrsim_error_format(&f->error, m->files[i].name, line, sizeof(line));
                        pcrsim_strbuf_printf(sb, "    rejected as expected: %s\n", escaped(pool, line));
                        break;
                case PCRSIM_VECTOR_FILE_REPLAYED:
                        if (verbose)
                                pcrsim_strbuf_printf(sb, "    replayed %s: %llu %s\n", name,
                                                     (unsigned long long)f->records,
                                                     ima ? (f->records == 1 ? "entry" : "entries") :
                                                     (f->records == 1 ? "event" : "events"));
                        break;
                case PCRSIM_VECTOR_FILE_CHECKED:
                        if (verbose)
                                pcrsim_strbuf_printf(sb, "    checked %s: present%s\n", name,
                                                     m->files[i].has_sha256 ? ", SHA-256 as stated" :
                                                     m->files[i].bytes >= 0 ? ", size as stated" : "");
                        break;
                case PCRSIM_VECTOR_FILE_SKIPPED:
                        break;
                }
        }
}

static void append_aggregates(struct escapes *pool, const struct pcrsim_manifest *m,
                              const struct pcrsim_vector_result *r, bool verbose,
                              struct pcrsim_strbuf *sb)
{
        char logged[2 * PCRSIM_MAX_DIGEST_SIZE + 1], other[2 * PCRSIM_MAX_DIGEST_SIZE + 1];

        for (size_t i = 0; i < r->aggregate_count; i++) {
                const struct pcrsim_vector_aggregate_result *a = &r->aggregates[i];
                const struct pcrsim_boot_aggregate *ba = &a->check;
                bool bad = a->differs_from_manifest || a->unconfirmed ||
                           ba->verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH;

                if (!bad && !verbose)
                        continue;
                pcrsim_strbuf_printf(sb, "    boot_aggregate of %s: %s\n",
                                     escaped(pool, m->files[a->ima_file].name),
                                     aggregate_verdict_name(ba->verdict));
                hex(ba->logged, ba->size, logged);
                if (ba->verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH) {
                        pcrsim_strbuf_printf(sb, "      logged %s:%s\n", escaped(pool, ba->algo), logged);
                        hex(ba->over_0_7, ba->size, other);
                        pcrsim_strbuf_printf(sb, "      the event log's PCRs 0-7 give %s\n", other);
                        hex(ba->over_0_9, ba->size, other);
                        pcrsim_strbuf_printf(sb, "      the event log's PCRs 0-9 give %s\n", other);
                }
                if (a->unconfirmed)
                        pcrsim_strbuf_printf(sb, "      MANIFEST.yaml gives the logged value, but the event log cannot confirm it\n");
                if (a->differs_from_manifest) {
                        char name[24];

                        hex(m->boot_aggregate, m->boot_aggregate_size, other);
                        pcrsim_strbuf_printf(sb, "      the list logs %s:%s, MANIFEST.yaml gives %s:%s\n",
                                             escaped(pool, ba->algo), logged,
                                             bank_name(m->boot_aggregate_alg, name, sizeof(name)), other);
                }
        }
}

static void append_summary_of(struct escapes *pool, const struct pcrsim_manifest *m,
                              const struct pcrsim_vector_result *r, struct pcrsim_strbuf *sb)
{
        switch (r->verdict) {
        case PCRSIM_VECTOR_INVALID:
                if (r->problem[0]) {
                        pcrsim_strbuf_printf(sb, "%s", escaped(pool, r->problem));
                } else if (r->failed_files) {
                        pcrsim_strbuf_printf(sb, "%s: ", r->failed_files == 1 ? "a file failed" :
                                             "files failed");
                        list_files(pool, m, r, PCRSIM_VECTOR_FILE_FAILED, sb);
                } else {
                        pcrsim_strbuf_printf(sb, "--strict, and the format of ");
                        list_files(pool, m, r, PCRSIM_VECTOR_FILE_UNKNOWN_FORMAT, sb);
                        pcrsim_strbuf_printf(sb, " is missing or unknown");
                }
                break;
        case PCRSIM_VECTOR_DIFFERS:
                if (r->differing) {
                        pcrsim_strbuf_printf(sb, "differs in ");
                        list_pcrs(r, PCRSIM_VECTOR_PCR_DIFFERS, sb);
                }
                if (r->not_replayed) {
                        pcrsim_strbuf_printf(sb, "%scannot replay ", r->differing ? "; " : "");
                        list_pcrs(r, PCRSIM_VECTOR_PCR_NOT_REPLAYED, sb);
                }
                if (r->accepted_files) {
                        pcrsim_strbuf_printf(sb, "%s", r->differing || r->not_replayed ? "; " : "");
                        list_files(pool, m, r, PCRSIM_VECTOR_FILE_ACCEPTED, sb);
                        pcrsim_strbuf_printf(sb, " parses, yet is marked expect_error");
                }
                if (!r->differing && !r->not_replayed && !r->accepted_files)
                        pcrsim_strbuf_printf(sb, "the boot_aggregate differs");
                break;
        case PCRSIM_VECTOR_KNOWN_QUIRK:
                pcrsim_strbuf_printf(sb, "%u of %u values match; listed under MISMATCH: ", r->matched,
                                     r->matched + r->known);
                list_pcrs(r, PCRSIM_VECTOR_PCR_KNOWN_QUIRK, sb);
                break;
        case PCRSIM_VECTOR_MATCH:
                if (r->matched) {
                        pcrsim_strbuf_printf(sb, "%u %s in ", r->matched,
                                             r->matched == 1 ? "value matches" : "values match");
                        list_banks(r, sb);
                }
                if (r->aggregate_count)
                        pcrsim_strbuf_printf(sb, "%sboot_aggregate checked", r->matched ? ", " : "");
                break;
        case PCRSIM_VECTOR_REJECTED_AS_EXPECTED:
                list_files(pool, m, r, PCRSIM_VECTOR_FILE_REJECTED, sb);
                pcrsim_strbuf_printf(sb, " rejected");
                break;
        case PCRSIM_VECTOR_NO_EXPECTED:
                list_files(pool, m, r, PCRSIM_VECTOR_FILE_REPLAYED, sb);
                pcrsim_strbuf_printf(sb, " replayed; the manifest gives no value to compare");
                break;
        case PCRSIM_VECTOR_NOTHING_TO_REPLAY:
                pcrsim_strbuf_printf(sb, "no TCG event log, IMA list or expect_error file");
                break;
        }
        if (r->verdict != PCRSIM_VECTOR_REJECTED_AS_EXPECTED && r->verdict != PCRSIM_VECTOR_INVALID &&
            r->rejected_files)
                pcrsim_strbuf_printf(sb, "; %u file%s rejected as expected", r->rejected_files,
                                     r->rejected_files == 1 ? "" : "s");
}

static void append_text(struct escapes *pool, const char *path, const struct pcrsim_manifest *m,
                        const struct pcrsim_vector_result *r, bool verbose, struct pcrsim_strbuf *sb)
{
        pcrsim_strbuf_printf(sb, "%-20s %s: ", pcrsim_vector_verdict_name(r->verdict),
                             escaped(pool, path));
        append_summary_of(pool, m, r, sb);
        pcrsim_strbuf_printf(sb, "\n");
        append_file_lines(pool, m, r, verbose, sb);
        for (size_t i = 0; i < r->pcr_count; i++)
                if (verbose || r->pcrs[i].verdict != PCRSIM_VECTOR_PCR_MATCH)
                        append_pcr_detail(pool, m, &r->pcrs[i], sb);
        append_aggregates(pool, m, r, verbose, sb);
}

/* Records a folder that could not be checked at all. */
static void add_unreadable(struct run *run, const char *path, const char *message)
{
        struct escapes pool = { .count = 0 };

        run->counts[PCRSIM_VECTOR_INVALID]++;
        run->total++;
        json_array_append_new(run->vectors,
                              json_pack("{s:o, s:s, s:o}", "path", json_text(&pool, path), "verdict",
                                        "invalid", "problem", json_text(&pool, message)));
        pcrsim_strbuf_printf(run->text, "%-20s %s: %s\n", "invalid", escaped(&pool, path),
                             escaped(&pool, message));
        free_escapes(&pool);
}

static void check_one(struct run *run, const char *path)
{
        struct pcrsim_vector_options vopts = { .strict = run->opt->strict };
        struct escapes pool = { .count = 0 };
        struct pcrsim_manifest m;
        struct pcrsim_vector_result r;
        struct pcrsim_error err;
        char *manifest = malloc(strlen(path) + sizeof("/MANIFEST.yaml"));
        char line[600];

        if (!manifest) {
                cli_errorf("out of memory");
                run->system_error = true;
                return;
        }
        sprintf(manifest, "%s/MANIFEST.yaml", path);
        pcrsim_error_clear(&err);
        if (pcrsim_manifest_load(manifest, &m, &err)) {
                pcrsim_error_format(&err, manifest, line, sizeof(line));
                run->system_error = run->system_error || cli_exit_code(err.code) == EXIT_SYSTEM;
                add_unreadable(run, path, line);
                free(manifest);
                return;
        }
        free(manifest);
        if (pcrsim_vector_check(path, &m, &vopts, &r, &err)) {
                cli_report(&err, path);
                run->system_error = true;
                pcrsim_manifest_free(&m);
                return;
        }
        for (size_t i = 0; i < r.file_count; i++)
                if (r.files[i].outcome == PCRSIM_VECTOR_FILE_FAILED &&
                    cli_exit_code(r.files[i].error.code) == EXIT_SYSTEM)
                        run->system_error = true;
        run->counts[r.verdict]++;
        run->total++;
        json_array_append_new(run->vectors, vector_json(&pool, path, &m, &r));
        append_text(&pool, path, &m, &r, run->opt->verbose, run->text);
        free_escapes(&pool);
        pcrsim_vector_result_free(&r);
        pcrsim_manifest_free(&m);
}

/* Tells whether `dir` has an entry named MANIFEST.yaml, of any type, so
 * that one that is not a regular file is reported by the manifest reader. */
static bool has_manifest(const char *dir)
{
        char *path = malloc(strlen(dir) + sizeof("/MANIFEST.yaml"));
        struct stat st;
        bool found;

        if (!path)
                return false;
        sprintf(path, "%s/MANIFEST.yaml", dir);
        found = lstat(path, &st) == 0;
        free(path);
        return found;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks the direct subfolders of `dir` that contain a MANIFEST.yaml. */
static void check_collection(struct run *run, const char *dir)
{
        char **paths = calloc(MAX_COLLECTION, sizeof(*paths));
        size_t count = 0;
        struct dirent *e;
        DIR *d;

        if (!paths) {
                cli_errorf("out of memory");
                run->system_error = true;
                return;
        }
        d = opendir(dir);
        if (!d) {
                char message[400];
                int error = errno;

                snprintf(message, sizeof(message), "cannot read the folder: %s", strerror(error));
                run->system_error = run->system_error ||
                                    (error != ENOENT && error != ENOTDIR && error != ELOOP &&
                                     error != ENAMETOOLONG);
                add_unreadable(run, dir, message);
                free(paths);
                return;
        }
        while ((e = readdir(d)) != NULL) {
                char *sub;

                if (e->d_name[0] == '.')
                        continue;
                if (count == MAX_COLLECTION) {
                        char message[160];

                        snprintf(message, sizeof(message),
                                 "more than %d vector folders in one collection; pass its subfolders in smaller groups",
                                 MAX_COLLECTION);
                        closedir(d);
                        for (size_t i = 0; i < count; i++)
                                free(paths[i]);
                        free(paths);
                        add_unreadable(run, dir, message);
                        return;
                }
                sub = malloc(strlen(dir) + strlen(e->d_name) + 2);
                if (!sub)
                        break;
                sprintf(sub, "%s/%s", dir, e->d_name);
                if (has_manifest(sub))
                        paths[count++] = sub;
                else
                        free(sub);
        }
        closedir(d);
        qsort(paths, count, sizeof(*paths), compare_names);
        if (count == 0)
                add_unreadable(run, dir,
                               "no MANIFEST.yaml in it or in any of its direct subfolders");
        for (size_t i = 0; i < count; i++) {
                check_one(run, paths[i]);
                free(paths[i]);
        }
        free(paths);
}

static void append_summary(const struct run *run, struct pcrsim_strbuf *sb)
{
        static const enum pcrsim_vector_verdict order[] = {
                PCRSIM_VECTOR_MATCH, PCRSIM_VECTOR_KNOWN_QUIRK,
                PCRSIM_VECTOR_REJECTED_AS_EXPECTED, PCRSIM_VECTOR_NO_EXPECTED,
                PCRSIM_VECTOR_NOTHING_TO_REPLAY, PCRSIM_VECTOR_DIFFERS, PCRSIM_VECTOR_INVALID,
        };

        pcrsim_strbuf_printf(sb, "%u vector%s:", run->total, run->total == 1 ? "" : "s");
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
                pcrsim_strbuf_printf(sb, "%s %u %s", i ? "," : "", run->counts[order[i]],
                                     pcrsim_vector_verdict_name(order[i]));
        pcrsim_strbuf_printf(sb, "\n");
}

static json_t *summary_json(const struct run *run)
{
        json_t *s = json_object();

        json_object_set_new(s, "vectors", json_integer(run->total));
        for (int v = 0; v < VERDICT_COUNT; v++)
                json_object_set_new(s, verdict_id((enum pcrsim_vector_verdict)v),
                                    json_integer(run->counts[v]));
        return s;
}

int cmd_check_vectors(int argc, char **argv)
{
        struct options opt = { 0 };
        struct pcrsim_strbuf text, out;
        struct run run = { .opt = &opt, .text = &text };
        int rc;

        pcrsim_strbuf_init(&text);
        pcrsim_strbuf_init(&out);
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                return rc;
        run.vectors = json_array();
        if (!run.vectors) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        for (int i = 0; i < opt.dir_count; i++) {
                char *dir = strdup(opt.dirs[i]);
                size_t len = dir ? strlen(dir) : 0;

                if (!dir) {
                        run.system_error = true;
                        break;
                }
                while (len > 1 && dir[len - 1] == '/')
                        dir[--len] = '\0';
                if (has_manifest(dir))
                        check_one(&run, dir);
                else
                        check_collection(&run, dir);
                free(dir);
        }
        if (opt.json || opt.yaml) {
                json_t *doc = json_pack("{s:O, s:o}", "vectors", run.vectors, "summary",
                                        summary_json(&run));
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                if (!doc || pcrsim_format_document(doc, opt.yaml, &out, &err)) {
                        json_decref(doc);
                        json_decref(run.vectors);
                        pcrsim_strbuf_free(&text);
                        pcrsim_strbuf_free(&out);
                        return doc ? cli_report(&err, NULL) : EXIT_SYSTEM;
                }
                json_decref(doc);
        } else {
                pcrsim_strbuf_append(&out, text.data ? text.data : "", text.len);
                append_summary(&run, &out);
        }
        rc = cli_write_output(&out, opt.output);
        json_decref(run.vectors);
        pcrsim_strbuf_free(&text);
        pcrsim_strbuf_free(&out);
        if (rc)
                return rc;
        if (run.system_error)
                return EXIT_SYSTEM;
        if (run.counts[PCRSIM_VECTOR_INVALID])
                return EXIT_INVALID;
        return run.counts[PCRSIM_VECTOR_DIFFERS] ? EXIT_DIFFERENCE : EXIT_OK;
}
