/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks pcrsim against the real-world event logs of the shared vector
 * folder (see tu_shared_vectors()). Each vector folder has a
 * MANIFEST.yaml that lists its files and, for many vectors, the PCR values
 * that the source recorded or computed. The tests replay every log through
 * the library and the CLI, compare the replayed values with the manifest,
 * and check that every log is accepted and every non-log rejected.
 * test_sweeps.c replays damaged copies of the same logs.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "manifest.h"
#include "pcrsim/alg.h"
#include "pcrsim/error.h"
#include "pcrsim/replay.h"
#include "pcrsim/tcglog.h"
#include "testutil.h"

/* IMA extends PCR 10, and no firmware event log records those
 * measurements. Its expected values wait for IMA replay. */
#define IMA_PCR 10u

/*
 * Vectors with expected.banks and exactly one TCG event log. The vector
 * set this test was written against has 28 of them, so fewer means that
 * vectors went missing or the selection below stopped finding them.
 */
#define MIN_VECTORS_COMPARED 28

#define CLI_TIMEOUT_SECONDS 60

/* Hex of the largest digest plus the NUL. */
#define HEX_SIZE (2 * PCRSIM_MAX_DIGEST_SIZE + 1)

/* A PCR that MISMATCH lists and that the replay compared. */
struct known_quirk {
        const char *bank;
        uint32_t pcr;
};

#define MAX_KNOWN_QUIRKS 16

/* Outcome of comparing one vector's expected PCRs, for its table row. */
struct vector_tally {
        char banks[64];         /* banks compared, comma-separated */
        unsigned compared;      /* PCRs compared, without PCR 10 and MISMATCH */
        unsigned matched;
        unsigned ima_left_out;  /* PCR 10 values left out */
        unsigned known_count;   /* MISMATCH values seen */
        struct known_quirk known[MAX_KNOWN_QUIRKS];
};

struct vector_set {
        long count;
        struct manifest *manifests;
        bool *loaded; /* false where MANIFEST.yaml could not be read */
};

/* Returns the shared vector folder, or skips the test with a message on
 * standard error when it is absent. */
static const char *shared_vectors_or_skip(void)
{
        const char *root = tu_shared_vectors();
        const char *env = getenv("PCRSIM_SHARED_VECTORS");

        if (root)
                return root;
        if (env)
                fprintf(stderr, "shared vectors: folder %s (PCRSIM_SHARED_VECTORS) not found, so the test is skipped\n",
                        env);
        else
                fprintf(stderr, "shared vectors: ../shared/vectors is absent next to the source tree %s, so the test is skipped (set PCRSIM_SHARED_VECTORS to use another folder)\n",
                        tu_source_root());
        cr_skip_test("the shared vector folder is absent");
}

/* Loads every MANIFEST.yaml under `root`. Each one that cannot be read
 * fails the test with its reason. */
static void load_vector_set(const char *root, struct vector_set *set)
{
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);

        cr_assert_geq(count, 0, "cannot read the shared vector folder %s: %s", root,
                      strerror(errno));
        set->count = count;
        set->manifests = calloc((size_t)count + 1, sizeof(*set->manifests));
        set->loaded = calloc((size_t)count + 1, sizeof(*set->loaded));
        cr_assert(set->manifests && set->loaded, "out of memory");
        for (long i = 0; i < count; i++) {
                char *dir = tu_path_join(root, names[i]);
                char error[512];

                cr_assert_not_null(dir, "out of memory");
                set->loaded[i] = manifest_load(dir, &set->manifests[i], error, sizeof(error));
                cr_expect(set->loaded[i], "%s", error);
                free(dir);
        }
        manifest_free_names(names, count);
}

static void free_vector_set(struct vector_set *set)
{
        for (long i = 0; i < set->count; i++)
                if (set->loaded[i])
                        manifest_free(&set->manifests[i]);
        free(set->manifests);
        free(set->loaded);
}

/* Returns the one TCG event log of a vector that has expected PCR values,
 * or NULL when the vector has no expected values or not exactly one log. */
static const struct manifest_file *comparable_log(const struct manifest *m)
{
        const struct manifest_file *log;

        if (m->bank_count == 0)
                return NULL;
        return manifest_count_tcg_logs(m, &log) == 1 ? log : NULL;
}

static void explain_left_out(const struct manifest *m)
{
        size_t logs = manifest_count_tcg_logs(m, NULL);
        bool has_ima = false;

        for (size_t i = 0; i < m->file_count; i++)
                has_ima = has_ima || manifest_format_is_ima(m->files[i].format);
        if (logs == 0 && has_ima)
                fprintf(stderr, "%s: left out: it contains IMA measurement lists and no TCG event log, so its expected values need IMA replay\n",
                        m->name);
        else if (logs == 0)
                fprintf(stderr, "%s: left out: it has expected values but no TCG event log\n",
                        m->name);
        else
                fprintf(stderr, "%s: left out: it has %zu TCG event logs, so the expected values belong to none of them alone\n",
                        m->name, logs);
}

/* Decodes hex (either case) into `out`. Returns false if `hex` is not hex
 * or longer than `cap` bytes. */
static bool hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
        size_t n = strlen(hex);

        if (n == 0 || n % 2 != 0 || n / 2 > cap)
                return false;
        for (size_t i = 0; i < n; i += 2) {
                unsigned value;

                if (!isxdigit((unsigned char)hex[i]) || !isxdigit((unsigned char)hex[i + 1]))
                        return false;
                if (sscanf(hex + i, "%2x", &value) != 1)
                        return false;
                out[i / 2] = (uint8_t)value;
        }
        *len = n / 2;
        return true;
}

static void hex_encode(const uint8_t *bytes, size_t size, char out[HEX_SIZE])
{
        for (size_t i = 0; i < size && i < PCRSIM_MAX_DIGEST_SIZE; i++)
                snprintf(out + 2 * i, 3, "%02x", bytes[i]);
        out[2 * (size < PCRSIM_MAX_DIGEST_SIZE ? size : PCRSIM_MAX_DIGEST_SIZE)] = '\0';
}

/*
 * Decodes standard base64 with padding. EVP_DecodeBlock() counts the
 * bytes that the '=' padding stands for, so they are taken off again.
 */
static bool base64_decode(const char *text, uint8_t *out, size_t cap, size_t *len)
{
        size_t n = strlen(text), padding = 0;
        int decoded;

        if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
                return false;
        if (text[n - 1] == '=')
                padding++;
        if (text[n - 2] == '=')
                padding++;
        decoded = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
        if (decoded < 0 || (size_t)decoded < padding)
                return false;
        *len = (size_t)decoded - padding;
        return true;
}

/* Replays the log at `path` in-process. On failure, fails the test with
 * the library's message and returns false. */
static bool replay_file(const char *vector, const char *path, struct pcrsim_replay *replay)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char message[512];
        FILE *f = fopen(path, "rb");

        if (!f) {
                cr_expect_fail("%s: cannot open %s: %s", vector, path, strerror(errno));
                return false;
        }
        pcrsim_error_clear(&err);
        rc = pcrsim_tcglog_open_file(f, &log, &err);
        if (rc == PCRSIM_OK)
                rc = pcrsim_replay_tcglog(log, replay, &err);
        pcrsim_tcglog_free(log);
        fclose(f);
        if (rc == PCRSIM_OK)
                return true;
        pcrsim_error_format(&err, path, message, sizeof(message));
        cr_expect_fail("%s: replay failed: %s", vector, message);
        return false;
}

static void note_known_quirk(struct vector_tally *t, const char *bank, uint32_t pcr)
{
        if (t->known_count < MAX_KNOWN_QUIRKS) {
                t->known[t->known_count].bank = bank;
                t->known[t->known_count].pcr = pcr;
        }
        t->known_count++;
}

/* Compares one expected PCR value with the replayed bank. */
static void check_library_pcr(const struct manifest *m, const char *bank_name,
                              const struct manifest_pcr *p,
                              const struct pcrsim_replay_bank *bank, struct vector_tally *t)
{
        bool known = manifest_lists_mismatch(m, bank_name, p->index);
        uint8_t expected[PCRSIM_MAX_DIGEST_SIZE];
        char actual[HEX_SIZE];
        size_t len = 0;
        bool same;

        if (known)
                note_known_quirk(t, bank_name, p->index);
        else
                t->compared++;
        if (!hex_decode(p->hex, expected, sizeof(expected), &len) || len != bank->size) {
                cr_expect_fail("%s: expected %s PCR %u is '%s', not the hex of a %u-byte digest",
                               m->name, bank_name, p->index, p->hex, bank->size);
                return;
        }
        if (bank->missing_pcrs & (1u << p->index)) {
                cr_expect_fail("%s: %s PCR %u cannot be replayed: event %" PRIu64 " extends it without a %s digest (expected %s)",
                               m->name, bank_name, p->index,
                               bank->first_missing_event[p->index], bank_name, p->hex);
                return;
        }
        hex_encode(bank->values[p->index], bank->size, actual);
        same = memcmp(expected, bank->values[p->index], bank->size) == 0;
        if (known) {
                cr_expect(!same, "%s: MISMATCH lists %s:%u because a plain replay cannot reproduce it, but the replay gives the expected value %s",
                          m->name, bank_name, p->index, p->hex);
                return;
        }
        if (same)
                t->matched++;
        cr_expect(same, "%s: %s PCR %u: expected %s, replay gives %s",
                  m->name, bank_name, p->index, p->hex, actual);
}

static void check_library_bank(const struct manifest *m, const struct manifest_bank *mb,
                               const struct pcrsim_replay *replay, struct vector_tally *t)
{
        const struct pcrsim_alg_info *alg = pcrsim_alg_by_name(mb->name);
        const struct pcrsim_replay_bank *bank = alg ? pcrsim_replay_bank(replay, alg->id) : NULL;
        size_t used = strlen(t->banks);
        const char *reason = NULL;

        snprintf(t->banks + used, sizeof(t->banks) - used, "%s%s", used ? "," : "", mb->name);
        if (!alg)
                reason = "pcrsim does not know this bank name";
        else if (!bank)
                reason = "the log does not declare this bank";
        else if (!bank->hashable)
                reason = "OpenSSL does not provide this hash";
        if (reason) {
                cr_expect_fail("%s: the manifest lists expected %s values, but pcrsim cannot replay that bank: %s",
                               m->name, mb->name, reason);
                return;
        }
        for (size_t i = 0; i < mb->pcr_count; i++) {
                if (mb->pcrs[i].index == IMA_PCR) {
                        t->ima_left_out++;
                        continue;
                }
                check_library_pcr(m, mb->name, &mb->pcrs[i], bank, t);
        }
}

static void print_table_header(void)
{
        fprintf(stderr, "%-40s %-30s %-12s %-9s %s\n", "vector", "log file", "banks",
                "matched", "known quirks");
}

static void print_table_row(const struct manifest *m, const struct manifest_file *log,
                            const struct vector_tally *t)
{
        char ratio[32], known[128] = "-";
        size_t used = 0;
        unsigned stored = t->known_count < MAX_KNOWN_QUIRKS ? t->known_count : MAX_KNOWN_QUIRKS;

        snprintf(ratio, sizeof(ratio), "%u/%u", t->matched, t->compared);
        for (unsigned i = 0; i < stored && used < sizeof(known); i++)
                used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s:%u",
                                         i ? "," : "", t->known[i].bank, t->known[i].pcr);
        fprintf(stderr, "%-40s %-30s %-12s %-9s %s\n", m->name, log->name, t->banks, ratio,
                known);
        if (t->ima_left_out)
                fprintf(stderr, "    PCR 10 left out in %u bank(s): IMA measures into it, and IMA replay is not implemented yet\n",
                        t->ima_left_out);
        for (unsigned i = 0; i < stored; i++) {
                const char *quirk = manifest_quirk_for(m, t->known[i].bank, t->known[i].pcr);

                if (quirk) {
                        fprintf(stderr, "    known quirk %s:%u: %s\n", t->known[i].bank,
                                t->known[i].pcr, quirk);
                        continue;
                }
                fprintf(stderr, "    known quirk %s:%u; no quirk names it, all quirks:\n",
                        t->known[i].bank, t->known[i].pcr);
                for (size_t q = 0; q < m->quirk_count; q++)
                        fprintf(stderr, "      - %s\n", m->quirks[q]);
        }
}

/* Replays one vector's log and compares it with the manifest. */
static void check_vector_library(const struct manifest *m, const struct manifest_file *log,
                                 struct vector_tally *t)
{
        struct pcrsim_replay *replay = calloc(1, sizeof(*replay));
        char *path = tu_path_join(m->dir, log->name);

        cr_assert(replay && path, "out of memory");
        if (replay_file(m->name, path, replay))
                for (size_t i = 0; i < m->bank_count; i++)
                        check_library_bank(m, &m->banks[i], replay, t);
        free(path);
        free(replay);
}

Test(shared_vectors, expected_pcrs)
{
        const char *root = shared_vectors_or_skip();
        unsigned vectors = 0, compared = 0, matched = 0, known = 0;
        struct vector_set set;

        load_vector_set(root, &set);
        print_table_header();
        for (long i = 0; i < set.count; i++) {
                const struct manifest *m = &set.manifests[i];
                const struct manifest_file *log;
                struct vector_tally t = { 0 };

                if (!set.loaded[i] || m->bank_count == 0)
                        continue;
                log = comparable_log(m);
                if (!log) {
                        explain_left_out(m);
                        continue;
                }
                check_vector_library(m, log, &t);
                print_table_row(m, log, &t);
                vectors++;
                compared += t.compared;
                matched += t.matched;
                known += t.known_count;
        }
        fprintf(stderr, "%u vectors: %u of %u PCR values matched, %u known quirks\n",
                vectors, matched, compared, known);
        cr_expect_geq(vectors, MIN_VECTORS_COMPARED,
                      "only %u vectors with expected values were compared; expected at least %d",
                      vectors, MIN_VECTORS_COMPARED);
        free_vector_set(&set);
}

/* Compares one expected PCR value with the CLI's JSON output. */
static void check_cli_pcr(const struct manifest *m, const char *bank_name,
                          const struct manifest_pcr *p, json_t *root)
{
        uint8_t expected[PCRSIM_MAX_DIGEST_SIZE], actual[PCRSIM_MAX_DIGEST_SIZE + 3];
        size_t expected_len = 0, actual_len = 0;
        char key[12], actual_hex[HEX_SIZE];
        const char *text;

        snprintf(key, sizeof(key), "%u", p->index);
        text = json_string_value(json_object_get(root, key));
        if (!text) {
                cr_expect_fail("%s: %s: the JSON output has no string for PCR %u", m->name,
                               bank_name, p->index);
                return;
        }
        if (!base64_decode(text, actual, sizeof(actual), &actual_len)) {
                cr_expect_fail("%s: %s PCR %u: the JSON value '%s' is not standard base64",
                               m->name, bank_name, p->index, text);
                return;
        }
        if (!hex_decode(p->hex, expected, sizeof(expected), &expected_len)) {
                cr_expect_fail("%s: expected %s PCR %u is '%s', not hex", m->name, bank_name,
                               p->index, p->hex);
                return;
        }
        hex_encode(actual, actual_len, actual_hex);
        cr_expect(actual_len == expected_len && memcmp(actual, expected, actual_len) == 0,
                  "%s: %s PCR %u: expected %s, the CLI prints %s (base64 %s)",
                  m->name, bank_name, p->index, p->hex, actual_hex, text);
}

/* Runs `pcrsim replay --bank BANK --format json LOG` and compares its
 * output with one bank of the manifest. Returns the PCRs compared. */
static unsigned check_cli_bank(const struct manifest *m, const char *path,
                               const struct manifest_bank *mb)
{
        const char *args[] = { "replay", "--bank", mb->name, "--format", "json", path, NULL };
        struct tu_result res;
        json_error_t jerr;
        json_t *root;
        unsigned compared = 0;

        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 0,
                     "%s: pcrsim replay --bank %s --format json %s exited with %d (signal %d%s); stderr: %s",
                     m->name, mb->name, path, res.exit_code, res.signal,
                     res.timed_out ? ", timed out" : "", res.err);
        root = res.exit_code == 0 ? json_loads(res.out, 0, &jerr) : NULL;
        if (res.exit_code == 0)
                cr_expect(json_is_object(root), "%s: %s: the output is not a JSON object: %s: %s",
                          m->name, mb->name, root ? "another JSON type" : jerr.text, res.out);
        for (size_t i = 0; json_is_object(root) && i < mb->pcr_count; i++) {
                const struct manifest_pcr *p = &mb->pcrs[i];

                if (p->index == IMA_PCR || manifest_lists_mismatch(m, mb->name, p->index))
                        continue;
                check_cli_pcr(m, mb->name, p, root);
                compared++;
        }
        json_decref(root);
        tu_result_free(&res);
        return compared;
}

Test(shared_vectors, cli_json_matches)
{
        const char *root = shared_vectors_or_skip();
        unsigned vectors = 0, compared = 0;
        struct vector_set set;

        load_vector_set(root, &set);
        for (long i = 0; i < set.count; i++) {
                const struct manifest *m = &set.manifests[i];
                const struct manifest_file *log = set.loaded[i] ? comparable_log(m) : NULL;
                char *path;

                if (!log)
                        continue;
                path = tu_path_join(m->dir, log->name);
                cr_assert_not_null(path, "out of memory");
                for (size_t b = 0; b < m->bank_count; b++)
                        compared += check_cli_bank(m, path, &m->banks[b]);
                free(path);
                vectors++;
        }
        fprintf(stderr, "CLI: %u vectors, %u PCR values compared\n", vectors, compared);
        cr_expect_geq(vectors, MIN_VECTORS_COMPARED,
                      "only %u vectors with expected values were compared; expected at least %d",
                      vectors, MIN_VECTORS_COMPARED);
        free_vector_set(&set);
}

static void check_log_accepted(const char *vector, const char *path)
{
        const char *args[] = { "replay", "--bank", "all", "--partial", "--format", "json",
                               path, NULL };
        struct tu_result res;
        json_error_t jerr;
        json_t *root;

        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 0,
                     "%s: pcrsim replay --bank all --partial --format json %s exited with %d (signal %d%s); stderr: %s",
                     vector, path, res.exit_code, res.signal, res.timed_out ? ", timed out" : "",
                     res.err);
        if (res.exit_code == 0) {
                root = json_loads(res.out, 0, &jerr);
                cr_expect(json_is_object(root), "%s: %s: the output is not a JSON object: %s",
                          vector, path, root ? "another JSON type" : jerr.text);
                json_decref(root);
        }
        tu_result_free(&res);
}

static void check_file_rejected(const char *vector, const char *path, const char *reason)
{
        const char *args[] = { "replay", "--bank", "all", "--partial", "--format", "json",
                               path, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 2,
                     "%s: %s (%s) must be rejected with exit code 2, but pcrsim replay exited with %d (signal %d%s); stderr: %s",
                     vector, path, reason, res.exit_code, res.signal,
                     res.timed_out ? ", timed out" : "", res.err);
        cr_expect(strstr(res.err, path) != NULL,
                  "%s: the error message for %s does not name the file: %s", vector, path, res.err);
        cr_expect(strstr(res.err, "offset 0x") != NULL,
                  "%s: the error message for %s does not give an offset: %s", vector, path,
                  res.err);
        tu_result_free(&res);
}

Test(shared_vectors, every_log_parses)
{
        const char *root = shared_vectors_or_skip();
        unsigned accepted = 0, rejected = 0;
        struct vector_set set;

        load_vector_set(root, &set);
        for (long i = 0; i < set.count; i++) {
                const struct manifest *m = &set.manifests[i];

                for (size_t f = 0; set.loaded[i] && f < m->file_count; f++) {
                        const struct manifest_file *file = &m->files[f];
                        char *path;

                        if (!manifest_format_is_tcg_log(file->format) && !file->expect_error)
                                continue;
                        if (file->expect_error && manifest_format_is_ima(file->format)) {
                                fprintf(stderr, "%s: %s left out: an IMA measurement list (%s), which pcrsim replay does not read\n",
                                        m->name, file->name, file->expect_error);
                                continue;
                        }
                        path = tu_path_join(m->dir, file->name);
                        cr_assert_not_null(path, "out of memory");
                        if (file->expect_error) {
                                check_file_rejected(m->name, path, file->expect_error);
                                rejected++;
                        } else {
                                check_log_accepted(m->name, path);
                                accepted++;
                        }
                        free(path);
                }
        }
        fprintf(stderr, "%u event logs replayed, %u files checked for rejection\n", accepted,
                rejected);
        cr_expect_geq(accepted, MIN_VECTORS_COMPARED, "only %u TCG event logs found", accepted);
        cr_expect_gt(rejected, 0, "no file with expect_error found");
        free_vector_set(&set);
}

Test(shared_vectors, manifest_files_exist)
{
        const char *root = shared_vectors_or_skip();
        unsigned checked = 0;
        struct vector_set set;

        load_vector_set(root, &set);
        for (long i = 0; i < set.count; i++) {
                const struct manifest *m = &set.manifests[i];

                for (size_t f = 0; set.loaded[i] && f < m->file_count; f++) {
                        const struct manifest_file *file = &m->files[f];
                        char *path;
                        struct stat st;
                        bool found;

                        if (!manifest_format_is_tcg_log(file->format))
                                continue;
                        path = tu_path_join(m->dir, file->name);
                        cr_assert_not_null(path, "out of memory");
                        errno = 0;
                        found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
                        cr_expect(found, "%s: %s is listed in MANIFEST.yaml but is not a file: %s",
                                  m->name, path, errno ? strerror(errno) : "not a regular file");
                        if (found && file->bytes >= 0)
                                cr_expect_eq((long long)st.st_size, file->bytes,
                                             "%s: %s has %lld bytes, MANIFEST.yaml says %lld",
                                             m->name, path, (long long)st.st_size, file->bytes);
                        checked++;
                        free(path);
                }
        }
        fprintf(stderr, "%u TCG event logs listed in the manifests exist\n", checked);
        cr_expect_gt(checked, 0, "no TCG event log is listed in any MANIFEST.yaml");
        free_vector_set(&set);
}

/*
 * Own main, so that meson reports the program as skipped (exit status 77)
 * instead of passed when the shared vectors are absent.
 */
int main(int argc, char *argv[])
{
        struct criterion_test_set *tests;
        int result = 0;

        if (!tu_shared_vectors()) {
                fprintf(stderr, "shared vectors: the folder is absent (looked in %s/../shared/vectors and $PCRSIM_SHARED_VECTORS), so these tests are skipped\n",
                        tu_source_root());
                return 77;
        }
        tests = criterion_initialize();
        if (criterion_handle_args(argc, argv, true))
                result = !criterion_run_all_tests(tests);
        criterion_finalize(tests);
        return result;
}
