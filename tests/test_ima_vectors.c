/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks IMA replay against the real-world IMA lists of the shared vector
 * folder (see tu_shared_vectors()). Expected values come from the vector
 * files themselves. The QEMU guests read their PCR values from the TPM
 * (pcr-reader.json, pcrs-sha1.json, pcrs-sha256.json). The per-bank lists
 * come with their recorded PCR 10 (MANIFEST.yaml and imakvtpcr10.txt).
 * The kernel logged its boot_aggregate in the first IMA entry.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "manifest.h"
#include "pcrsim/error.h"
#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"
#include "testutil.h"

#define SHA1_ID 0x0004
#define SHA256_ID 0x000B

#define CLI_TIMEOUT_SECONDS 60

/* The vector set this test was written against has nine qemu-ovmf-*
 * recordings with IMA lists, and 22 IMA list files in all. */
#define MIN_QEMU_VECTORS 9
#define MIN_IMA_FILES 22

#define HEX_SIZE (2 * PCRSIM_MAX_DIGEST_SIZE + 1)

struct vector_set {
        long count;
        struct manifest *manifests;
        bool *loaded; /* false where MANIFEST.yaml could not be read */
};

static const char *shared_vectors_or_skip(void)
{
        const char *root = tu_shared_vectors();

        if (root)
                return root;
        fprintf(stderr, "IMA vectors: the shared vector folder is absent (looked in %s/../shared/vectors and $PCRSIM_SHARED_VECTORS), so the test is skipped\n",
                tu_source_root());
        cr_skip_test("the shared vector folder is absent");
}

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

/* Loads one vector by folder name, or fails the test. */
static void load_vector(const char *name, struct manifest *m)
{
        char *dir = tu_path_join(shared_vectors_or_skip(), name);
        char error[512];

        cr_assert_not_null(dir, "out of memory");
        cr_assert(manifest_load(dir, m, error, sizeof(error)), "%s", error);
        free(dir);
}

static const struct manifest_file *find_file(const struct manifest *m, const char *name)
{
        for (size_t i = 0; i < m->file_count; i++)
                if (strcmp(m->files[i].name, name) == 0)
                        return &m->files[i];
        return NULL;
}

/* Returns the manifest's expected hex of BANK:PCR, or NULL. */
static const char *expected_hex(const struct manifest *m, const char *bank, uint32_t pcr)
{
        for (size_t i = 0; i < m->bank_count; i++) {
                if (strcmp(m->banks[i].name, bank) != 0)
                        continue;
                for (size_t j = 0; j < m->banks[i].pcr_count; j++)
                        if (m->banks[i].pcrs[j].index == pcr)
                                return m->banks[i].pcrs[j].hex;
        }
        return NULL;
}

static void hex_encode(const uint8_t *bytes, size_t size, char out[HEX_SIZE])
{
        size_t n = size < PCRSIM_MAX_DIGEST_SIZE ? size : PCRSIM_MAX_DIGEST_SIZE;

        for (size_t i = 0; i < n; i++)
                snprintf(out + 2 * i, 3, "%02x", bytes[i]);
        out[2 * n] = '\0';
}

static void lowercase(char *s)
{
        for (; *s; s++)
                *s = (char)tolower((unsigned char)*s);
}

/*
 * Decodes standard base64 with padding into hex. EVP_DecodeBlock() counts
 * the bytes that the '=' padding stands for, so they are taken off again.
 * Returns false if `text` is not base64 of at most 64 bytes.
 */
static bool base64_to_hex(const char *text, char out[HEX_SIZE])
{
        uint8_t bytes[PCRSIM_MAX_DIGEST_SIZE + 3];
        size_t n = strlen(text), padding = 0;
        int decoded;

        if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof(bytes))
                return false;
        if (text[n - 1] == '=')
                padding++;
        if (text[n - 2] == '=')
                padding++;
        decoded = EVP_DecodeBlock(bytes, (const unsigned char *)text, (int)n);
        if (decoded < 0 || (size_t)decoded < padding)
                return false;
        hex_encode(bytes, (size_t)decoded - padding, out);
        return true;
}

/* Runs pcrsim, fails the test unless it exits 0, and returns its standard
 * output parsed as JSON. The caller frees `res` and the JSON. */
static json_t *run_json(struct tu_result *res, const char *const *args, const char *label)
{
        json_error_t error;
        json_t *doc;

        cr_assert(tu_run(res, args, CLI_TIMEOUT_SECONDS), "%s: cannot start %s", label,
                  tu_pcrsim_bin());
        cr_assert_eq(res->exit_code, 0, "%s: exit code %d (signal %d%s), stderr: %s", label,
                     res->exit_code, res->signal, res->timed_out ? ", timed out" : "", res->err);
        doc = json_loads(res->out, 0, &error);
        cr_assert_not_null(doc, "%s: standard output is not JSON (%s, line %d): %s", label,
                           error.text, error.line, res->out);
        return doc;
}

static json_t *load_json_file(const char *dir, const char *name)
{
        char *path = tu_path_join(dir, name);
        json_error_t error;
        json_t *doc;

        cr_assert_not_null(path, "out of memory");
        doc = json_load_file(path, 0, &error);
        cr_assert_not_null(doc, "cannot read %s: %s", path, error.text);
        free(path);
        return doc;
}

/* Returns PCR `key` of a pcr-reader JSON map (index to base64) as hex. */
static bool json_base64_pcr(json_t *map, const char *key, char out[HEX_SIZE])
{
        const char *text = json_string_value(json_object_get(map, key));

        return text && base64_to_hex(text, out);
}

/* Returns a string member of nested objects: path "a.b.c". */
static const char *json_path_string(json_t *doc, const char *path)
{
        char buf[128];
        char *save = NULL;
        json_t *node = doc;

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *key = strtok_r(buf, ".", &save); key && node;
             key = strtok_r(NULL, ".", &save))
                node = json_object_get(node, key);
        return json_string_value(node);
}

static json_int_t json_path_integer(json_t *doc, const char *object, const char *key)
{
        json_t *node = json_object_get(json_object_get(doc, object), key);

        cr_assert(json_is_integer(node), "report: %s.%s is missing or not an integer", object,
                  key);
        return json_integer_value(node);
}

/* Counts the lines of an ASCII IMA list and those whose template hash is
 * all zero (violations). */
static void count_ascii_entries(const char *path, long *entries, long *violations)
{
        size_t size = 0;
        char *text = tu_read_file(path, &size);
        char *save = NULL;

        cr_assert_not_null(text, "cannot read %s", path);
        *entries = 0;
        *violations = 0;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char hash[160] = "";

                if (sscanf(line, "%*u %159s", hash) != 1)
                        continue;
                (*entries)++;
                if (strspn(hash, "0") == strlen(hash))
                        (*violations)++;
        }
        free(text);
}

/* ---- QEMU recordings: every PCR against the guest's TPM ---- */

/* Compares `--bank sha256 --format json` with pcr-reader.json. */
static void check_sha256_json(const struct manifest *m, const char *ima_name)
{
        char *log = tu_path_join(m->dir, "eventlog.bin");
        char *ima = tu_path_join(m->dir, ima_name);
        const char *args[] = { "replay", log, "--ima", ima, "--bank", "sha256", "--format",
                               "json", NULL };
        json_t *expected = load_json_file(m->dir, "pcr-reader.json");
        struct tu_result res;
        json_t *actual = run_json(&res, args, m->name);
        const char *key;
        json_t *value;

        cr_expect_eq(json_object_size(actual), 24, "%s with %s: %zu PCRs printed, expected 24",
                     m->name, ima_name, json_object_size(actual));
        json_object_foreach(expected, key, value) {
                const char *got = json_string_value(json_object_get(actual, key));

                cr_expect(got && strcmp(got, json_string_value(value)) == 0,
                          "%s with %s: sha256 PCR %s is %s, the TPM had %s", m->name, ima_name,
                          key, got ? got : "(missing)", json_string_value(value));
        }
        cr_expect(strstr(res.err, "boot_aggregate matches sha256 over PCRs 0-9") != NULL,
                  "%s with %s: no note that the boot_aggregate matches over PCRs 0-9: %s",
                  m->name, ima_name, res.err);
        json_decref(expected);
        json_decref(actual);
        tu_result_free(&res);
        free(log);
        free(ima);
}

/* Compares `--bank sha1 --format json` with pcrs-sha1.json (hex). */
static void check_sha1_json(const struct manifest *m, const char *ima_name)
{
        char *log = tu_path_join(m->dir, "eventlog.bin");
        char *ima = tu_path_join(m->dir, ima_name);
        const char *args[] = { "replay", log, "--ima", ima, "--bank", "sha1", "--format",
                               "json", NULL };
        json_t *expected = load_json_file(m->dir, "pcrs-sha1.json");
        struct tu_result res;
        json_t *actual = run_json(&res, args, m->name);
        const char *key;
        json_t *value;

        cr_expect_eq(json_object_size(expected), 24, "%s: pcrs-sha1.json has %zu PCRs", m->name,
                     json_object_size(expected));
        json_object_foreach(expected, key, value) {
                char want[HEX_SIZE], got[HEX_SIZE] = "(missing or not base64)";

                snprintf(want, sizeof(want), "%s", json_string_value(value));
                lowercase(want);
                json_base64_pcr(actual, key, got);
                cr_expect_str_eq(got, want, "%s with %s: sha1 PCR %s is %s, the TPM had %s",
                                 m->name, ima_name, key, got, want);
        }
        json_decref(expected);
        json_decref(actual);
        tu_result_free(&res);
        free(log);
        free(ima);
}

/* Checks the verdicts and counts of `--report json`. */
static void check_report(const struct manifest *m, const char *ima_name)
{
        char *log = tu_path_join(m->dir, "eventlog.bin");
        char *ima = tu_path_join(m->dir, ima_name);
        char *txt = tu_path_join(m->dir, "ima.txt");
        const char *args[] = { "replay", log, "--ima", ima, "--report", "json", NULL };
        json_t *tpm = load_json_file(m->dir, "pcrs-sha256.json");
        struct tu_result res;
        json_t *doc = run_json(&res, args, m->name);
        const char *verdict = json_path_string(doc, "ima.boot_aggregate.verdict");
        const char *pcr10 = json_path_string(doc, "pcrs.sha256.10");
        char want[HEX_SIZE];
        long entries, violations;

        cr_expect(verdict && strcmp(verdict, "match-pcrs-0-9") == 0,
                  "%s with %s: boot_aggregate verdict %s, expected match-pcrs-0-9", m->name,
                  ima_name, verdict ? verdict : "(missing)");
        snprintf(want, sizeof(want), "%s", json_string_value(json_object_get(tpm, "10")));
        lowercase(want);
        cr_expect(pcr10 && strcmp(pcr10, want) == 0,
                  "%s with %s: report gives sha256 PCR 10 %s, the TPM had %s", m->name,
                  ima_name, pcr10 ? pcr10 : "(missing)", want);
        count_ascii_entries(txt, &entries, &violations);
        cr_expect_eq(json_path_integer(doc, "ima", "entries"), entries,
                     "%s with %s: report counts %" JSON_INTEGER_FORMAT " entries, ima.txt has %ld",
                     m->name, ima_name, json_path_integer(doc, "ima", "entries"), entries);
        cr_expect_eq(json_path_integer(doc, "ima", "violations"), violations,
                     "%s with %s: report counts %" JSON_INTEGER_FORMAT " violations, ima.txt has %ld",
                     m->name, ima_name, json_path_integer(doc, "ima", "violations"), violations);
        cr_expect_eq(json_path_integer(doc, "ima", "template_digest_mismatches"), 0,
                     "%s with %s: template digest mismatches reported", m->name, ima_name);
        json_decref(tpm);
        json_decref(doc);
        tu_result_free(&res);
        free(log);
        free(ima);
        free(txt);
}

static bool is_qemu_ima_vector(const struct manifest *m)
{
        return strncmp(m->name, "qemu-ovmf-", 10) == 0 && find_file(m, "eventlog.bin") &&
               find_file(m, "ima.bin") && find_file(m, "ima.txt") &&
               find_file(m, "pcr-reader.json");
}

Test(ima_vectors, qemu_pcrs_match_tpm)
{
        static const char *const ima_names[] = { "ima.bin", "ima.txt" };
        const char *root = shared_vectors_or_skip();
        unsigned vectors = 0, sha1_checked = 0;
        struct vector_set set;

        load_vector_set(root, &set);
        for (long i = 0; i < set.count; i++) {
                const struct manifest *m = &set.manifests[i];

                if (!set.loaded[i] || !is_qemu_ima_vector(m))
                        continue;
                for (size_t k = 0; k < 2; k++) {
                        check_sha256_json(m, ima_names[k]);
                        check_report(m, ima_names[k]);
                        if (find_file(m, "pcrs-sha1.json")) {
                                check_sha1_json(m, ima_names[k]);
                                sha1_checked++;
                        }
                }
                vectors++;
        }
        fprintf(stderr, "IMA vectors: %u QEMU recordings compared on all 24 PCRs (%u sha1 runs)\n",
                vectors, sha1_checked);
        cr_expect_geq(vectors, MIN_QEMU_VECTORS, "only %u qemu-ovmf-* vectors with IMA lists found",
                      vectors);
        free_vector_set(&set);
}

/* Returns PCR 10 of `pcrsim replay ARGS --bank BANK --format json` as hex. */
static void replay_pcr10(const char *const *args, const char *label, char out[HEX_SIZE])
{
        struct tu_result res;
        json_t *doc = run_json(&res, args, label);

        cr_expect(json_base64_pcr(doc, "10", out), "%s: no base64 PCR 10 in the output: %s",
                  label, res.out);
        json_decref(doc);
        tu_result_free(&res);
}

Test(ima_vectors, violations_pcr10_both_banks)
{
        static const char *const banks[] = { "sha1", "sha256" };
        struct manifest m;
        char *log, *ima;

        load_vector("qemu-ovmf-uki-ima-violations", &m);
        log = tu_path_join(m.dir, "eventlog.bin");
        ima = tu_path_join(m.dir, "ima.bin");
        for (size_t i = 0; i < 2; i++) {
                const char *with_log[] = { "replay", log, "--ima", ima, "--bank", banks[i],
                                           "--format", "json", NULL };
                const char *ima_only[] = { "replay", "--ima", ima, "--bank", banks[i],
                                           "--format", "json", NULL };
                const char *want = expected_hex(&m, banks[i], 10);
                char got[HEX_SIZE] = "";

                cr_assert_not_null(want, "the manifest has no %s PCR 10", banks[i]);
                replay_pcr10(with_log, "violations with the event log", got);
                cr_expect_str_eq(got, want, "%s PCR 10 with the event log: %s, the TPM had %s",
                                 banks[i], got, want);
                replay_pcr10(ima_only, "violations, IMA list alone", got);
                cr_expect_str_eq(got, want, "%s PCR 10 of the IMA list alone: %s, the TPM had %s",
                                 banks[i], got, want);
        }
        free(log);
        free(ima);
        manifest_free(&m);
}

/* ---- per-bank lists ---- */

/* Reads the PCR 10 line of imakvtpcr10.txt whose value has `size` bytes:
 * lines such as " PCR 10: 9b e6 ba ...". */
static bool kvt_pcr10(const char *dir, size_t size, char out[HEX_SIZE])
{
        char *path = tu_path_join(dir, "imakvtpcr10.txt");
        char *text = tu_read_file(path, NULL);
        char *save = NULL;
        bool found = false;

        cr_assert_not_null(text, "cannot read %s", path);
        for (char *line = strtok_r(text, "\n", &save); line && !found;
             line = strtok_r(NULL, "\n", &save)) {
                const char *colon = strchr(line, ':');
                size_t n = 0;

                if (!colon)
                        continue;
                for (const char *p = colon + 1; *p && n < 2 * PCRSIM_MAX_DIGEST_SIZE; p++)
                        if (isxdigit((unsigned char)*p))
                                out[n++] = (char)tolower((unsigned char)*p);
                out[n] = '\0';
                found = n == 2 * size;
        }
        free(text);
        free(path);
        return found;
}

Test(ima_vectors, perbank_lists_recorded_pcr10)
{
        static const char *const algs[] = { "sha1", "sha256", "sha384", "sha512" };
        static const size_t sizes[] = { 20, 32, 48, 64 };
        struct manifest m;

        load_vector("ibmtss-ima-perbank-lists", &m);
        for (size_t i = 0; i < 4; i++) {
                char file[32], *path, kvt[HEX_SIZE], got[HEX_SIZE] = "";
                const char *want = expected_hex(&m, algs[i], 10);

                snprintf(file, sizeof(file), "%s.log", algs[i]);
                path = tu_path_join(m.dir, file);
                cr_assert_not_null(want, "the manifest has no %s PCR 10", algs[i]);
                cr_expect(kvt_pcr10(m.dir, sizes[i], kvt) && strcmp(kvt, want) == 0,
                          "imakvtpcr10.txt and MANIFEST.yaml disagree on %s PCR 10", algs[i]);
                {
                        const char *detected[] = { "replay", "--bank", algs[i], "--ima", path,
                                                   "--format", "json", NULL };
                        const char *given[] = { "replay", "--bank", algs[i], "--ima", path,
                                                "--ima-digest-alg", algs[i], "--format", "json",
                                                NULL };

                        replay_pcr10(detected, file, got);
                        cr_expect_str_eq(got, want, "%s, digest size detected: PCR 10 is %s, recorded %s",
                                         file, got, want);
                        replay_pcr10(given, file, got);
                        cr_expect_str_eq(got, want, "%s with --ima-digest-alg %s: PCR 10 is %s, recorded %s",
                                         file, algs[i], got, want);
                }
                free(path);
        }
        manifest_free(&m);
}

Test(ima_vectors, perbank_values_from_sha1_list)
{
        static const char *const algs[] = { "sha256", "sha384", "sha512" };
        struct manifest m;
        char *sha1_log;

        /* Linux 5.8 and later extend each bank with the template data
         * hashed by the bank's algorithm, so the SHA-1 list gives every
         * bank's value, and the SHA-1 padded rule gives none of them. */
        load_vector("ibmtss-ima-perbank-lists", &m);
        sha1_log = tu_path_join(m.dir, "sha1.log");
        for (size_t i = 0; i < 3; i++) {
                const char *per_bank[] = { "replay", "--bank", algs[i], "--ima", sha1_log,
                                           "--format", "json", NULL };
                const char *padded[] = { "replay", "--bank", algs[i], "--ima", sha1_log,
                                         "--ima-extend", "sha1-padded", "--format", "json",
                                         NULL };
                const char *want = expected_hex(&m, algs[i], 10);
                char got[HEX_SIZE] = "";

                cr_assert_not_null(want, "the manifest has no %s PCR 10", algs[i]);
                replay_pcr10(per_bank, "sha1.log per bank", got);
                cr_expect_str_eq(got, want, "sha1.log into %s: PCR 10 is %s, recorded %s", algs[i],
                                 got, want);
                replay_pcr10(padded, "sha1.log SHA-1 padded", got);
                cr_expect_str_neq(got, want, "sha1.log into %s with sha1-padded gives the recorded value",
                                  algs[i]);
        }
        free(sha1_log);
        manifest_free(&m);
}

/* ---- boot_aggregate of a kernel before 5.8 ---- */

/* Returns the digest of the first line of an ASCII list, the hex after
 * "sha256:" in "10 HASH ima-ng sha256:HEX boot_aggregate". */
static void first_line_digest(const char *path, char out[HEX_SIZE])
{
        char *text = tu_read_file(path, NULL);
        char field[200] = "";
        const char *colon;

        cr_assert_not_null(text, "cannot read %s", path);
        cr_assert_eq(sscanf(text, "%*u %*s %*s %199s", field), 1,
                     "cannot read the first line of %s", path);
        colon = strchr(field, ':');
        cr_assert_lt(strlen(colon ? colon + 1 : field), HEX_SIZE, "digest too long in %s", path);
        strcpy(out, colon ? colon + 1 : field);
        free(text);
}

Test(ima_vectors, boot_aggregate_pre58)
{
        struct manifest m;
        struct tu_result res;
        char *log, *ima, logged[HEX_SIZE];
        json_t *doc;
        const char *verdict, *algorithm, *reported, *rule;

        load_vector("imaevmutils-boot-aggregate-pre58", &m);
        log = tu_path_join(m.dir, "test_binary_bios_measurements");
        ima = tu_path_join(m.dir, "test_ascii_runtime_measurements");
        first_line_digest(ima, logged);
        {
                const char *args[] = { "replay", log, "--ima", ima, "--report", "json", NULL };

                doc = run_json(&res, args, m.name);
        }
        verdict = json_path_string(doc, "ima.boot_aggregate.verdict");
        algorithm = json_path_string(doc, "ima.boot_aggregate.algorithm");
        reported = json_path_string(doc, "ima.boot_aggregate.logged");
        rule = json_path_string(doc, "ima.extend_rule");
        cr_expect(verdict && strcmp(verdict, "match-pcrs-0-7") == 0,
                  "boot_aggregate verdict %s, expected match-pcrs-0-7", verdict ? verdict : "(missing)");
        cr_expect(algorithm && strcmp(algorithm, "sha256") == 0, "boot_aggregate algorithm %s",
                  algorithm ? algorithm : "(missing)");
        cr_expect(reported && strcmp(reported, logged) == 0,
                  "report gives the logged boot_aggregate %s, the list has %s",
                  reported ? reported : "(missing)", logged);
        /* A kernel that hashes PCRs 0-7 only also extends SHA-1 padded digests. */
        cr_expect(rule && strcmp(rule, "sha1-padded") == 0, "extend rule %s, expected sha1-padded",
                  rule ? rule : "(missing)");
        json_decref(doc);
        tu_result_free(&res);
        free(log);
        free(ima);
        manifest_free(&m);
}

/* ---- every IMA list of the vector set ---- */

/* Walks a list file through the library. Returns the walker's result and
 * counts the entries. */
static enum pcrsim_error_code walk_file(const char *path, bool allow_partial_tail,
                                        uint64_t *entries, struct pcrsim_ima_list_info *info,
                                        struct pcrsim_error *err)
{
        struct pcrsim_ima_options opts = { .allow_partial_tail = allow_partial_tail };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_ima_entry *entry = calloc(1, sizeof(*entry));
        enum pcrsim_error_code rc;
        bool have = true;
        FILE *f = fopen(path, "rb");

        cr_assert(f && entry, "cannot open %s: %s", path, strerror(errno));
        *entries = 0;
        pcrsim_error_clear(err);
        rc = pcrsim_ima_list_open_file(f, &opts, &list, err);
        while (rc == PCRSIM_OK && have) {
                rc = pcrsim_ima_list_next(list, entry, &have, err);
                if (rc == PCRSIM_OK && have)
                        (*entries)++;
        }
        if (rc == PCRSIM_OK)
                pcrsim_ima_list_info(list, info);
        pcrsim_ima_list_free(list);
        fclose(f);
        free(entry);
        return rc;
}

static void check_list_accepted(const struct manifest *m, const char *path)
{
        const char *args[] = { "replay", "--ima", path, "--format", "json", NULL };
        struct pcrsim_ima_list_info info;
        struct pcrsim_error err;
        struct tu_result res;
        uint64_t entries;
        enum pcrsim_error_code rc;
        char message[512];

        rc = walk_file(path, false, &entries, &info, &err);
        pcrsim_error_format(&err, path, message, sizeof(message));
        cr_expect_eq(rc, PCRSIM_OK, "%s: the library rejects %s: %s", m->name, path, message);
        cr_expect(rc != PCRSIM_OK || entries > 0, "%s: no entries read from %s", m->name, path);
        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 0, "%s: pcrsim replay --ima %s exits %d (signal %d): %s",
                     m->name, path, res.exit_code, res.signal, res.err);
        tu_result_free(&res);
}

/* Tells whether an expect_error reason describes a list that ends in a
 * few bytes outside any complete entry. */
static bool reason_is_partial_tail(const char *reason)
{
        return strstr(reason, "stray") != NULL || strstr(reason, "further entry") != NULL;
}

/*
 * Lists whose manifest states "truncated entry" although their bytes are
 * complete: every entry ends exactly at the end of the file (checked with
 * a separate Python parser), and the "invalidated" entry only has an
 * all-zero template digest, which IMA uses for violations. They must be
 * accepted, with the violation reported.
 */
static const char *const complete_despite_manifest[] = {
        "tpm2tss-ima-legacy-template/sml-ima-sha1-invalidated.bin",
        "tpm2tss-ima-sig-sha256/sml-ima-sig-sha256-invalidated.bin",
};

static bool is_complete_despite_manifest(const struct manifest *m, const char *file)
{
        char key[512];

        snprintf(key, sizeof(key), "%s/%s", m->name, file);
        for (size_t i = 0; i < sizeof(complete_despite_manifest) / sizeof(complete_despite_manifest[0]); i++)
                if (strcmp(key, complete_despite_manifest[i]) == 0)
                        return true;
        return false;
}

static void check_violation_list_accepted(const struct manifest *m, const char *path)
{
        const char *args[] = { "replay", "--ima", path, "--report", "json", NULL };
        struct tu_result res;
        json_t *doc;

        fprintf(stderr, "%s: %s is marked expect_error, but its entries are complete and the last one is a violation, so it must be accepted\n",
                m->name, path);
        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 0, "%s: %s exits %d: %s", m->name, path, res.exit_code, res.err);
        doc = json_loads(res.out, 0, NULL);
        cr_expect(doc && json_integer_value(json_object_get(json_object_get(doc, "ima"),
                                                            "violations")) >= 1,
                  "%s: %s: no violation reported: %s", m->name, path, res.out);
        json_decref(doc);
        tu_result_free(&res);
}

static void check_list_rejected(const struct manifest *m, const struct manifest_file *file,
                                const char *path)
{
        const char *args[] = { "replay", "--ima", path, "--format", "json", NULL };
        const char *tail_args[] = { "replay", "--ima", path, "--allow-partial-tail", "--format",
                                    "json", NULL };
        struct pcrsim_ima_list_info info;
        struct pcrsim_error err;
        struct tu_result res;
        uint64_t entries;

        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 2, "%s: %s (%s) exits %d, expected 2: %s", m->name, path,
                     file->expect_error, res.exit_code, res.err);
        cr_expect(strstr(res.err, path) != NULL, "%s: the error does not name %s: %s", m->name,
                  path, res.err);
        cr_expect(strstr(res.err, "offset 0x") != NULL, "%s: the error for %s has no offset: %s",
                  m->name, path, res.err);
        tu_result_free(&res);
        if (!reason_is_partial_tail(file->expect_error))
                return;

        cr_assert(tu_run(&res, tail_args, CLI_TIMEOUT_SECONDS), "cannot start %s",
                  tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 0, "%s: %s (%s) with --allow-partial-tail exits %d: %s",
                     m->name, path, file->expect_error, res.exit_code, res.err);
        tu_result_free(&res);
        cr_expect_eq(walk_file(path, true, &entries, &info, &err), PCRSIM_OK,
                     "%s: the library rejects %s with allow_partial_tail: %s", m->name, path,
                     err.message);
        cr_expect_gt(info.partial_tail_size, 0, "%s: no partial tail reported for %s", m->name,
                     path);
        cr_expect_eq(info.partial_tail_offset + info.partial_tail_size, (uint64_t)file->bytes,
                     "%s: partial tail of %s at %" PRIu64 " (%" PRIu64 " bytes) does not reach the end",
                     m->name, path, info.partial_tail_offset, info.partial_tail_size);
        if (strstr(file->expect_error, "one stray"))
                cr_expect_eq(info.partial_tail_size, 1, "%s: %s: tail of %" PRIu64 " bytes, expected 1",
                             m->name, path, info.partial_tail_size);
}

Test(ima_vectors, every_list_parses)
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

                        if (!manifest_format_is_ima(file->format))
                                continue;
                        path = tu_path_join(m->dir, file->name);
                        cr_assert_not_null(path, "out of memory");
                        if (file->expect_error && is_complete_despite_manifest(m, file->name)) {
                                check_violation_list_accepted(m, path);
                                accepted++;
                        } else if (file->expect_error) {
                                check_list_rejected(m, file, path);
                                rejected++;
                        } else {
                                check_list_accepted(m, path);
                                accepted++;
                        }
                        free(path);
                }
        }
        fprintf(stderr, "IMA vectors: %u lists checked for acceptance, %u for rejection\n", accepted,
                rejected);
        cr_expect_geq(accepted + rejected, MIN_IMA_FILES, "only %u IMA lists found",
                      accepted + rejected);
        cr_expect_gt(rejected, 0, "no IMA list with expect_error found");
        free_vector_set(&set);
}

/* ---- 32-bit ARM lists ---- */

static json_int_t report_entries(const char *path, const char *byte_order)
{
        const char *args[] = { "replay", "--ima", path, "--report", "json", NULL };
        struct tu_result res;
        json_t *doc = run_json(&res, args, path);
        const char *order = json_path_string(doc, "ima.byte_order");
        json_int_t entries = json_path_integer(doc, "ima", "entries");

        if (byte_order)
                cr_expect(order && strcmp(order, byte_order) == 0, "%s: byte order %s, expected %s",
                          path, order ? order : "(missing)", byte_order);
        json_decref(doc);
        tu_result_free(&res);
        return entries;
}

/* Reading a little-endian list as big-endian must fail with an offset. */
static void check_wrong_byte_order(const char *path)
{
        const char *args[] = { "replay", "--ima", path, "--ima-byte-order", "big", "--format",
                               "json", NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, CLI_TIMEOUT_SECONDS), "cannot start %s", tu_pcrsim_bin());
        cr_expect_eq(res.exit_code, 2, "%s read as big-endian exits %d, expected 2: %s", path,
                     res.exit_code, res.err);
        cr_expect(strstr(res.err, "offset 0x") != NULL,
                  "the error for %s read as big-endian has no offset: %s", path, res.err);
        tu_result_free(&res);
}

Test(ima_vectors, arm32_ascii_equals_binary)
{
        static const char *const banks[] = { "sha1", "sha256" };
        struct manifest m;
        char *binary, *ascii;

        load_vector("embrave-ima-arm32", &m);
        binary = tu_path_join(m.dir, "binary_runtime_measurements");
        ascii = tu_path_join(m.dir, "ascii_runtime_measurements");
        for (size_t i = 0; i < 2; i++) {
                const char *binary_args[] = { "replay", "--ima", binary, "--bank", banks[i],
                                              "--format", "json", NULL };
                const char *ascii_args[] = { "replay", "--ima", ascii, "--bank", banks[i],
                                             "--format", "json", NULL };
                char from_binary[HEX_SIZE] = "", from_ascii[HEX_SIZE] = "";

                replay_pcr10(binary_args, "32-bit ARM binary list", from_binary);
                replay_pcr10(ascii_args, "32-bit ARM ASCII list", from_ascii);
                cr_expect_str_eq(from_binary, from_ascii,
                                 "%s PCR 10: the binary list gives %s, the ASCII list %s", banks[i],
                                 from_binary, from_ascii);
        }
        cr_expect_eq(report_entries(binary, "little"), 922);
        cr_expect_eq(report_entries(ascii, NULL), 922);
        check_wrong_byte_order(binary);
        free(binary);
        free(ascii);
        manifest_free(&m);
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
                fprintf(stderr, "IMA vectors: the shared vector folder is absent (looked in %s/../shared/vectors and $PCRSIM_SHARED_VECTORS), so these tests are skipped\n",
                        tu_source_root());
                return 77;
        }
        tests = criterion_initialize();
        if (criterion_handle_args(argc, argv, true))
                result = !criterion_run_all_tests(tests);
        criterion_finalize(tests);
        return result;
}
