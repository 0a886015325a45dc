/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of pcrsim check-vectors. The expected values come from the
 * manifests of the project's vectors (written by tools/mkvectors.py, an
 * independent replay, or recorded from a TPM by lab/record) and of the
 * shared real-world vectors; the verdicts that a test requires follow from
 * what those manifests state, read by the test's own manifest reader.
 * Damaged vectors are built in temporary folders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "manifest.h"
#include "testutil.h"

#define TIMEOUT 120

/* The synthetic vector the damaged copies start from. */
#define BASE_VECTOR "synth-agile-sha1-sha256"

/*
 * Files whose manifest says "truncated entry" although every entry is
 * complete and the last is an IMA violation (see test_ima_vectors.c);
 * tpm2-tss's own unit test reads both without error. check-vectors must
 * report each as a file that parses although marked expect_error.
 */
static const char *const complete_despite_manifest[] = {
        "tpm2tss-ima-legacy-template/sml-ima-sha1-invalidated.bin",
        "tpm2tss-ima-sig-sha256/sml-ima-sig-sha256-invalidated.bin",
};

static char *vector_path(const char *name)
{
        char *vectors = tu_path_join(tu_source_root(), "vectors");
        char *path = tu_path_join(vectors, name);

        free(vectors);
        cr_assert_not_null(path);
        return path;
}

static void run(struct tu_result *res, const char *const *args)
{
        cr_assert(tu_run(res, args, TIMEOUT), "cannot start %s", tu_pcrsim_bin());
        cr_assert(!res->timed_out && res->signal == 0, "pcrsim %s %s: killed (signal %d%s); stderr: %s",
                  args[0], args[1], res->signal, res->timed_out ? ", timed out" : "", res->err);
}

/* Returns the output line that reports vector path `path`, or NULL. */
static char *line_for(const char *out, const char *path, char *buf, size_t size)
{
        size_t plen = strlen(path);

        for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                const char *name = p + 21;
                size_t len = strcspn(p, "\n");

                if (len > 21 && strncmp(name, path, plen) == 0 && name[plen] == ':') {
                        snprintf(buf, size, "%.*s", (int)len, p);
                        return buf;
                }
        }
        return NULL;
}

/* Checks that the line of `path` starts with `verdict`. */
static void expect_verdict(const struct tu_result *res, const char *path, const char *verdict)
{
        char line[2048];
        const char *l = line_for(res->out, path, line, sizeof(line));

        cr_expect_not_null(l, "no output line for %s:\n%s", path, res->out);
        if (l)
                cr_expect(strncmp(l, verdict, strlen(verdict)) == 0 && l[strlen(verdict)] == ' ',
                          "%s: verdict should be '%s': %s", path, verdict, l);
}

/* ---- the project's own vectors ---- */

Test(check_vectors, project_vectors_match)
{
        char *root = tu_path_join(tu_source_root(), "vectors");
        const char *args[] = { "check-vectors", root, NULL };
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);
        struct tu_result res;

        cr_assert_geq(count, 7, "only %ld vector folders under %s", count, root);
        run(&res, args);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        for (long i = 0; i < count; i++) {
                char *dir = tu_path_join(root, names[i]);
                struct manifest m;
                char error[512];
                size_t len = strlen(dir);

                while (len > 1 && dir[len - 1] == '/')
                        dir[--len] = '\0';
                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                /* Every project vector has expected values for its one
                 * TCG log and lists no MISMATCH. */
                cr_expect_gt(m.bank_count, 0, "%s has no expected values", m.name);
                cr_expect_eq(m.mismatch_count, 0, "%s lists MISMATCH", m.name);
                expect_verdict(&res, dir, "match");
                manifest_free(&m);
                free(dir);
        }
        cr_expect(strstr(res.out, "vectors:") != NULL, "no summary line:\n%s", res.out);
        manifest_free_names(names, count);
        tu_result_free(&res);
        free(root);
}

Test(check_vectors, one_folder_and_json)
{
        char *dir = vector_path(BASE_VECTOR);
        const char *args[] = { "check-vectors", "--format", "json", dir, NULL };
        struct tu_result res;
        json_t *doc, *v, *pcrs;
        size_t i;
        json_t *p;
        unsigned matched = 0;

        run(&res, args);
        cr_expect_eq(res.exit_code, 0, "exit %d: %s", res.exit_code, res.err);
        doc = json_loads(res.out, 0, NULL);
        cr_assert(json_is_object(doc), "not JSON: %s", res.out);
        v = json_array_get(json_object_get(doc, "vectors"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(v, "verdict")), "match");
        pcrs = json_object_get(v, "pcrs");
        /* 24 PCRs in each of the SHA-1 and SHA-256 banks of the manifest. */
        cr_expect_eq(json_array_size(pcrs), 48, "%zu values", json_array_size(pcrs));
        json_array_foreach(pcrs, i, p) {
                const char *e = json_string_value(json_object_get(p, "expected"));
                const char *r = json_string_value(json_object_get(p, "replayed"));

                cr_expect(e && r && strcmp(e, r) == 0, "value %zu: expected %s, replayed %s", i, e, r);
                matched += e && r && strcmp(e, r) == 0;
        }
        cr_expect_eq(matched, 48);
        cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "summary"), "match")), 1);
        json_decref(doc);
        tu_result_free(&res);
        free(dir);
}

/* ---- damaged copies of a vector ---- */

/* The base vector's event log, its SHA-256 from its manifest, and the
 * manifest's sha256 PCR 4 value. */
struct base {
        char *log;
        size_t log_len;
        char sha256[65];
        char pcr4[65];
};

static void load_base(struct base *b)
{
        char *dir = vector_path(BASE_VECTOR);
        char *log = tu_path_join(dir, "eventlog.bin");
        char *mpath = tu_path_join(dir, "MANIFEST.yaml");
        char *text = tu_read_file(mpath, NULL);
        struct manifest m;
        char error[512];
        const char *s;

        b->log = tu_read_file(log, &b->log_len);
        cr_assert(b->log && text, "cannot read %s", dir);
        s = strstr(text, "sha256: \"");
        cr_assert_not_null(s, "no sha256 in %s", mpath);
        snprintf(b->sha256, sizeof(b->sha256), "%.64s", s + 9);
        cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
        b->pcr4[0] = '\0';
        for (size_t i = 0; i < m.bank_count; i++)
                for (size_t j = 0; strcmp(m.banks[i].name, "sha256") == 0 && j < m.banks[i].pcr_count; j++)
                        if (m.banks[i].pcrs[j].index == 4)
                                snprintf(b->pcr4, sizeof(b->pcr4), "%s", m.banks[i].pcrs[j].hex);
        cr_assert_eq(strlen(b->pcr4), 64, "no sha256 PCR 4 in %s", mpath);
        manifest_free(&m);
        free(text);
        free(mpath);
        free(log);
        free(dir);
}

static void free_base(struct base *b)
{
        free(b->log);
}

/* Writes MANIFEST.yaml and returns the path of the folder. */
static void write_manifest(const char *dir, const char *text)
{
        free(tu_write_file(dir, "MANIFEST.yaml", text, strlen(text)));
}

/* Returns `hex` with its first digit changed. */
static void flip_first(const char *hex, char *out, size_t size)
{
        snprintf(out, size, "%s", hex);
        out[0] = out[0] == '0' ? '1' : '0';
}

static void run_dir(struct tu_result *res, const char *dir)
{
        const char *args[] = { "check-vectors", dir, NULL };

        run(res, args);
}

Test(check_vectors, value_differs)
{
        struct base b;
        char *dir = tu_tmpdir(), manifest[1024], wrong[65];
        struct tu_result res;

        load_base(&b);
        flip_first(b.pcr4, wrong, sizeof(wrong));
        free(tu_write_file(dir, "eventlog.bin", b.log, b.log_len));
        snprintf(manifest, sizeof(manifest),
                 "files:\n- {file: eventlog.bin, format: tcg-crypto-agile, sha256: '%s'}\n"
                 "expected:\n  banks:\n    sha256:\n      4: '%s'\n",
                 b.sha256, wrong);
        write_manifest(dir, manifest);
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 1, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "differs");
        cr_expect(strstr(res.out, "differs in sha256 PCR 4") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, wrong) && strstr(res.out, b.pcr4),
                  "the detail line lacks the expected %s or the replayed %s:\n%s", wrong, b.pcr4,
                  res.out);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(dir);
}

Test(check_vectors, known_quirk)
{
        struct base b;
        char *dir = tu_tmpdir(), manifest[1024], wrong[65];
        struct tu_result res;

        load_base(&b);
        flip_first(b.pcr4, wrong, sizeof(wrong));
        free(tu_write_file(dir, "eventlog.bin", b.log, b.log_len));
        snprintf(manifest, sizeof(manifest),
                 "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                 "expected:\n  banks:\n    sha256:\n      4: '%s'\n      14: '%064d'\n"
                 "replay_check_during_curation:\n  MISMATCH: [sha256:4]\n"
                 "quirks:\n- PCR 14 is never extended.\n- The TPM extended PCR 4 once more than the log says.\n",
                 wrong, 0);
        write_manifest(dir, manifest);
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "known quirk");
        cr_expect(strstr(res.out, "The TPM extended PCR 4 once more") != NULL,
                  "the quirk that names PCR 4 is not printed:\n%s", res.out);
        cr_expect(strstr(res.out, "1 of 2 values match") != NULL, "%s", res.out);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(dir);
}

Test(check_vectors, expect_error_files)
{
        struct base b;
        char *good = tu_tmpdir(), *bad = tu_tmpdir();
        const char *manifest = "files:\n- {file: log.bin, format: tcg-crypto-agile, expect_error: cut short}\n";
        struct tu_result res;

        load_base(&b);
        /* A log cut inside its second record is rejected. */
        free(tu_write_file(good, "log.bin", b.log, 100));
        write_manifest(good, manifest);
        run_dir(&res, good);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, good, "rejected as expected");
        tu_result_free(&res);
        /* The whole log parses, so the manifest's claim fails. */
        free(tu_write_file(bad, "log.bin", b.log, b.log_len));
        write_manifest(bad, manifest);
        run_dir(&res, bad);
        cr_expect_eq(res.exit_code, 1, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, bad, "differs");
        cr_expect(strstr(res.out, "log.bin parses, yet MANIFEST.yaml expects an error (cut short)") != NULL,
                  "%s", res.out);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(good);
        tu_rmtree(bad);
}

Test(check_vectors, no_expected_and_nothing_to_replay)
{
        struct base b;
        char *logs = tu_tmpdir(), *none = tu_tmpdir();
        struct tu_result res;

        load_base(&b);
        free(tu_write_file(logs, "eventlog.bin", b.log, b.log_len));
        write_manifest(logs, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n");
        free(tu_write_file(none, "quote.bin", "\xff\x54\x43\x47", 4));
        write_manifest(none, "files:\n- {file: quote.bin, format: tpms-attest}\n");
        {
                const char *args[] = { "check-vectors", logs, none, NULL };

                run(&res, args);
        }
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, logs, "no expected values");
        expect_verdict(&res, none, "nothing to replay");
        cr_expect(strstr(res.out, "2 vectors: 0 match, 0 known quirk, 0 rejected as expected, 1 no expected values, 1 nothing to replay, 0 differs, 0 invalid") != NULL,
                  "summary:\n%s", res.out);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(logs);
        tu_rmtree(none);
}

#define NO_LOG SIZE_MAX
#define WHOLE_LOG 0

/* Runs check-vectors on a folder with `manifest` and the first `log_bytes`
 * bytes of the base log as eventlog.bin (all of it for WHOLE_LOG, no file
 * for NO_LOG), and requires exit 2 and `message` in the output. */
static void expect_invalid(const char *manifest, size_t log_bytes, const char *message)
{
        struct base b;
        char *dir = tu_tmpdir();
        struct tu_result res;

        load_base(&b);
        if (log_bytes != NO_LOG)
                free(tu_write_file(dir, "eventlog.bin", b.log,
                                   log_bytes == WHOLE_LOG ? b.log_len : log_bytes));
        write_manifest(dir, manifest);
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d for manifest:\n%s\n%s%s", res.exit_code, manifest,
                     res.out, res.err);
        expect_verdict(&res, dir, "invalid");
        cr_expect(strstr(res.out, message) != NULL, "no '%s' in:\n%s", message, res.out);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(dir);
}

Test(check_vectors, invalid_vectors)
{
        /* Cut inside the Spec ID event's record. */
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n", 40,
                       "eventlog.bin: event 0 at offset 0x");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n", NO_LOG,
                       "listed in MANIFEST.yaml but absent");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile, sha256: '"
                       "0000000000000000000000000000000000000000000000000000000000000000'}\n",
                       WHOLE_LOG, "SHA-256 differs from MANIFEST.yaml line 2");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile, bytes: 7}\n", WHOLE_LOG,
                       "MANIFEST.yaml line 2 says 7");
        expect_invalid("files:\n- {file: ../eventlog.bin, format: tcg-crypto-agile}\n", WHOLE_LOG,
                       "leaves the vector folder");
        expect_invalid("files: [\n", WHOLE_LOG, "line 2, column 1: not valid YAML");
        /* YAML reads ~ as null, so the entry has no name. */
        expect_invalid("files:\n- {file: ~, format: tcg-crypto-agile}\n", WHOLE_LOG,
                       "a file entry has no file name");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\nexpected:\n  banks:\n    sha256:\n      4: '00ff'\n",
                       WHOLE_LOG, "line 6, column 10: sha256 PCR 4: the value is not the hex of a 32-byte digest");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\nexpected:\n  banks:\n    sha256:\n      24: '00'\n",
                       WHOLE_LOG, "PCR index '24' is not an integer from 0 to 23");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n- {file: eventlog.bin, format: tcg-sha1}\n"
                       "expected:\n  banks:\n    sha1:\n      0: '0000000000000000000000000000000000000000'\n",
                       WHOLE_LOG, "belong to none of them alone");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                       "replay_check_during_curation:\n  MISMATCH: [pcr5]\n",
                       WHOLE_LOG, "MISMATCH entry 'pcr5' is not BANK:PCR");
        /* A reader would take only one of two equal keys, or one document
         * of two, and ignore the rest silently. */
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                       "files:\n- {file: absent.bin, format: tcg-crypto-agile}\n",
                       WHOLE_LOG, "line 3, column 1: key 'files' appears a second time in one mapping (first at line 1)");
        expect_invalid("files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n---\n"
                       "expected: {banks: {sha1: {1: '0000000000000000000000000000000000000000'}}}\n",
                       WHOLE_LOG, "line 3, column 1: a second document starts here");
        expect_invalid("files:\n- {file: \"eventlog.bin\\0x\", format: tcg-crypto-agile}\n",
                       WHOLE_LOG, "a string contains a NUL character");
        expect_invalid("replay_check_during_curation: [1]\n", WHOLE_LOG,
                       "replay_check_during_curation is not a mapping");
        /* Offsets count bytes: line 1 is 10 characters but 11 bytes, because
         * é is two, so the value at line 2, column 8 is at byte 0x12, where
         * libyaml's character index says 0x11. */
        expect_invalid("name: '\xc3\xa9'\nfiles: 3\n", WHOLE_LOG,
                       "offset 0x12: line 2, column 8: files is not a list");
}

/* A FIFO or a device under a listed name would block or never end, and
 * a link out of the folder would read files elsewhere. */
Test(check_vectors, special_files)
{
        char *dir = tu_tmpdir();
        char *fifo = tu_path_join(dir, "eventlog.bin"), *dev = tu_path_join(dir, "zero.bin");
        struct tu_result res;

        cr_assert(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
        cr_assert(symlink("/dev/zero", dev) == 0, "symlink: %s", strerror(errno));
        write_manifest(dir, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                            "- {file: zero.bin, format: tcg-sha1}\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "eventlog.bin: not a regular file") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "zero.bin: a symbolic link leads out of the vector folder, to /dev/zero") != NULL,
                  "%s", res.out);
        tu_result_free(&res);
        free(fifo);
        free(dev);
        tu_rmtree(dir);
}

Test(check_vectors, unreadable_folders)
{
        char *empty = tu_tmpdir();
        char *missing = tu_path_join(empty, "no-such-folder");
        const char *args[] = { "check-vectors", empty, missing, NULL };
        const char *no_args[] = { "check-vectors", NULL };
        const char *bad_format[] = { "check-vectors", "--format", "xml", empty, NULL };
        struct tu_result res;

        run(&res, args);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, empty, "invalid");
        expect_verdict(&res, missing, "invalid");
        cr_expect(strstr(res.out, "no MANIFEST.yaml in it or in any of its direct subfolders") != NULL, "%s",
                  res.out);
        tu_result_free(&res);
        run(&res, no_args);
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "no vector folder given") != NULL, "%s", res.err);
        tu_result_free(&res);
        run(&res, bad_format);
        cr_expect_eq(res.exit_code, 2);
        tu_result_free(&res);
        free(missing);
        tu_rmtree(empty);
}

Test(check_vectors, collection_folder)
{
        struct base b;
        char *root = tu_tmpdir();
        char *a = tu_path_join(root, "b-second"), *c = tu_path_join(root, "a-first");
        const char *args[] = { "check-vectors", root, NULL };
        struct tu_result res;
        char *first, *second;

        load_base(&b);
        cr_assert(mkdir(a, 0700) == 0 && mkdir(c, 0700) == 0, "mkdir: %s", strerror(errno));
        free(tu_write_file(a, "eventlog.bin", b.log, b.log_len));
        write_manifest(a, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n");
        free(tu_write_file(c, "eventlog.bin", b.log, b.log_len));
        write_manifest(c, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n");
        run(&res, args);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        first = strstr(res.out, "a-first");
        second = strstr(res.out, "b-second");
        cr_expect(first && second && first < second, "not in name order:\n%s", res.out);
        tu_result_free(&res);
        tu_rmtree(a);
        tu_rmtree(c);
        tu_rmtree(root);
        free_base(&b);
}

/* ---- files that are not replayed, formats, names ---- */

/* Copies files of vectors/lab-uki into `dir`. */
static void copy_lab_file(const char *dir, const char *name)
{
        char *src = vector_path("lab-uki");
        char *path = tu_path_join(src, name);
        size_t len = 0;
        char *data = tu_read_file(path, &len);

        cr_assert_not_null(data, "cannot read %s", path);
        free(tu_write_file(dir, name, data, len));
        free(data);
        free(path);
        free(src);
}

Test(check_vectors, data_files_and_formats)
{
        struct base b;
        char *dir = tu_tmpdir();
        const char *strict[] = { "check-vectors", "--strict", dir, NULL };
        struct tu_result res;

        load_base(&b);
        free(tu_write_file(dir, "eventlog.bin", b.log, b.log_len));
        free(tu_write_file(dir, "notes.txt", "x", 1));
        /* A format that pcrsim does not know is noted, and --strict makes
         * the vector invalid. */
        write_manifest(dir, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                            "- {file: notes.txt, format: tcg-cryptoagile}\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "note: notes.txt: format 'tcg-cryptoagile' is not one that pcrsim knows") != NULL,
                  "%s", res.out);
        tu_result_free(&res);
        run(&res, strict);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "invalid");
        tu_result_free(&res);
        /* A listed data file that is absent, or not the size stated. */
        write_manifest(dir, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                            "- {file: console.log, format: console-log}\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "console.log: listed in MANIFEST.yaml but absent") != NULL, "%s", res.out);
        tu_result_free(&res);
        write_manifest(dir, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                            "- file: notes.txt\n  format: pcr-values-text\n  bytes: 2\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "the file has 1 bytes, MANIFEST.yaml line 5 says 2") != NULL, "%s",
                  res.out);
        tu_result_free(&res);
        /* The log is crypto-agile, not the SHA-1 format the manifest names. */
        write_manifest(dir, "files:\n- {file: eventlog.bin, format: tcg-sha1}\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "says tcg-sha1, but the file is a crypto-agile log") != NULL, "%s",
                  res.out);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(dir);
}

Test(check_vectors, ima_only_vectors)
{
        char *dir = tu_tmpdir();
        struct tu_result res;

        free(tu_write_file(dir, "ima.txt", "garbage line\n", 13));
        write_manifest(dir, "files:\n- {file: ima.txt, format: ima-ascii, expect_error: not a list}\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "rejected as expected");
        tu_result_free(&res);
        write_manifest(dir, "files:\n- {file: ima.txt, format: ima-ascii}\n");
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "invalid");
        tu_result_free(&res);
        tu_rmtree(dir);
}

Test(check_vectors, boot_aggregate_from_manifest)
{
        char *dir = tu_tmpdir();
        const char *json_args[] = { "check-vectors", "--format", "json", dir, NULL };
        char manifest[512];
        struct tu_result res;
        json_t *doc, *agg;

        copy_lab_file(dir, "eventlog.bin");
        copy_lab_file(dir, "ima.bin");
        /* One wrong digit against the boot_aggregate that ima.bin logs. */
        snprintf(manifest, sizeof(manifest),
                 "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                 "- {file: ima.bin, format: ima-binary}\n"
                 "expected:\n  boot_aggregate: 'sha256:%064d'\n", 0);
        write_manifest(dir, manifest);
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 1, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "differs");
        cr_expect(strstr(res.out, "MANIFEST.yaml gives sha256:0000000000") != NULL, "%s", res.out);
        tu_result_free(&res);
        run(&res, json_args);
        doc = json_loads(res.out, 0, NULL);
        agg = json_array_get(json_object_get(json_array_get(json_object_get(doc, "vectors"), 0),
                                             "boot_aggregate"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(agg, "manifest_verdict")), "differs");
        cr_expect_str_eq(json_string_value(json_object_get(agg, "verdict")), "match-pcrs-0-9");
        json_decref(doc);
        tu_result_free(&res);
        tu_rmtree(dir);
}

/* Nesting deep enough to make libyaml's scanner slow stops at the limit. */
Test(check_vectors, deep_nesting_limited)
{
        char *dir = tu_tmpdir();
        size_t depth = 200000, len = 3 + 2 * depth + 1;
        char *text = malloc(len + 1);
        struct tu_result res;

        cr_assert_not_null(text);
        memcpy(text, "a: ", 3);
        memset(text + 3, '[', depth);
        memset(text + 3 + depth, ']', depth);
        text[len - 1] = '\n';
        text[len] = '\0';
        write_manifest(dir, text);
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 2, "exit %d\n%.300s%s", res.exit_code, res.out, res.err);
        /* The top mapping is level 1, so the 64th bracket, at column 67, is
         * level 65. */
        cr_expect(strstr(res.out, "offset 0x42: line 1, column 67: nested more than 64 levels deep") != NULL,
                  "%.300s", res.out);
        tu_result_free(&res);
        free(text);
        tu_rmtree(dir);
}

/* A boot_aggregate that the event log cannot confirm is not a match. */
Test(check_vectors, boot_aggregate_unconfirmed)
{
        char *dir = tu_tmpdir(), *sha1_dir = vector_path("synth-sha1-legacy");
        char *sha1_log = tu_path_join(sha1_dir, "eventlog.bin");
        size_t len = 0;
        char *log = tu_read_file(sha1_log, &len);
        const char *json_args[] = { "check-vectors", "--format", "json", dir, NULL };
        struct tu_result res;
        json_t *doc, *agg;
        const char *logged;
        char manifest[512];

        cr_assert_not_null(log);
        free(tu_write_file(dir, "eventlog.bin", log, len));
        copy_lab_file(dir, "ima.bin");
        write_manifest(dir, "files:\n- {file: eventlog.bin, format: tcg-sha1}\n"
                            "- {file: ima.bin, format: ima-binary}\n");
        run(&res, json_args);
        doc = json_loads(res.out, 0, NULL);
        agg = json_array_get(json_object_get(json_array_get(json_object_get(doc, "vectors"), 0),
                                             "boot_aggregate"), 0);
        logged = json_string_value(json_object_get(agg, "logged"));
        cr_assert_not_null(logged, "no logged boot_aggregate: %s", res.out);
        cr_expect_str_eq(json_string_value(json_object_get(agg, "verdict")), "no-bank");
        /* The manifest now gives the value the list logs. */
        snprintf(manifest, sizeof(manifest),
                 "files:\n- {file: eventlog.bin, format: tcg-sha1}\n- {file: ima.bin, format: ima-binary}\n"
                 "expected: {boot_aggregate: 'sha256:%s'}\n", logged);
        json_decref(doc);
        tu_result_free(&res);
        write_manifest(dir, manifest);
        run_dir(&res, dir);
        cr_expect_eq(res.exit_code, 1, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        expect_verdict(&res, dir, "differs");
        cr_expect(strstr(res.out, "the event log cannot confirm it") != NULL, "%s", res.out);
        tu_result_free(&res);
        free(log);
        free(sha1_log);
        free(sha1_dir);
        tu_rmtree(dir);
}

/* Names and notes with control characters or bytes that are not UTF-8
 * are escaped, and every vector stays in the JSON document. */
Test(check_vectors, odd_names_escaped)
{
        struct base b;
        char *root = tu_tmpdir();
        char *odd = tu_path_join(root, "bad\xff" "name");
        const char *text_args[] = { "check-vectors", odd, NULL };
        const char *json_args[] = { "check-vectors", "--format", "json", odd, root, NULL };
        struct tu_result res;
        json_t *doc;

        load_base(&b);
        cr_assert(mkdir(odd, 0700) == 0, "mkdir: %s", strerror(errno));
        free(tu_write_file(odd, "eventlog.bin", b.log, b.log_len));
        write_manifest(odd, "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                            "expected:\n  banks:\n    sha256:\n      4: '0000000000000000000000000000000000000000000000000000000000000000'\n"
                            "replay_check_during_curation:\n  MISMATCH: [sha256:4]\n"
                            "quirks:\n- \"PCR 4:\\nmatch                fake line \\e[2J\"\n");
        run(&res, text_args);
        cr_expect_eq(res.exit_code, 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "bad\\xffname") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "PCR 4:\\x0amatch                fake line \\x1b[2J") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "\nmatch                fake") == NULL, "%s", res.out);
        tu_result_free(&res);
        run(&res, json_args);
        doc = json_loads(res.out, 0, NULL);
        cr_assert(json_is_object(doc), "not JSON: %s", res.out);
        cr_expect_eq(json_array_size(json_object_get(doc, "vectors")),
                     (size_t)json_integer_value(json_object_get(json_object_get(doc, "summary"), "vectors")));
        cr_expect_eq(json_array_size(json_object_get(doc, "vectors")), 2);
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(doc, "vectors"), 0),
                                                           "verdict")), "known-quirk");
        json_decref(doc);
        tu_result_free(&res);
        free_base(&b);
        tu_rmtree(odd);
        tu_rmtree(root);
}

/* ---- the shared real-world vectors ---- */

static bool is_complete_despite_manifest(const char *vector, const char *file)
{
        char key[512];

        snprintf(key, sizeof(key), "%s/%s", vector, file);
        for (size_t i = 0; i < sizeof(complete_despite_manifest) / sizeof(complete_despite_manifest[0]); i++)
                if (strcmp(key, complete_despite_manifest[i]) == 0)
                        return true;
        return false;
}

/* The verdict that the manifest's contents call for. */
static const char *verdict_for(const struct manifest *m, bool *wrong_manifest)
{
        size_t logs = manifest_count_tcg_logs(m, NULL), ima = 0, negative = 0;

        *wrong_manifest = false;
        for (size_t i = 0; i < m->file_count; i++) {
                if (m->files[i].expect_error) {
                        negative++;
                        *wrong_manifest = *wrong_manifest ||
                                          is_complete_despite_manifest(m->name, m->files[i].name);
                } else if (manifest_format_is_ima(m->files[i].format)) {
                        ima++;
                }
        }
        if (*wrong_manifest)
                return "differs";
        if (m->mismatch_count)
                return "known quirk";
        if (m->bank_count)
                return "match";
        if (logs + ima)
                return NULL; /* "no expected values", or "match" with a boot_aggregate */
        return negative ? "rejected as expected" : "nothing to replay";
}

Test(check_vectors, shared_vectors)
{
        const char *root = tu_shared_vectors();
        char **names = NULL;
        long count;
        struct tu_result res;
        unsigned checked = 0, wrong = 0;

        if (!root) {
                fprintf(stderr, "check_vectors: the shared vector folder is absent, so the test is skipped\n");
                cr_skip_test("no shared vectors");
        }
        count = manifest_list_vectors(root, &names);
        cr_assert_gt(count, 0);
        {
                const char *args[] = { "check-vectors", root, NULL };

                run(&res, args);
        }
        for (long i = 0; i < count; i++) {
                char *dir = tu_path_join(root, names[i]);
                struct manifest m;
                char error[512];
                const char *want;
                bool wrong_manifest;

                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                want = verdict_for(&m, &wrong_manifest);
                if (want) {
                        expect_verdict(&res, dir, want);
                        checked++;
                } else {
                        char line[2048];
                        const char *l = line_for(res.out, dir, line, sizeof(line));

                        cr_expect(l && (strncmp(l, "no expected values ", 19) == 0 ||
                                        strncmp(l, "match ", 6) == 0),
                                  "%s: %s", dir, l ? l : "no line");
                }
                wrong += wrong_manifest;
                manifest_free(&m);
                free(dir);
        }
        /* The two lists that the manifest wrongly calls truncated make the
         * run exit 1; nothing else may differ or be invalid. */
        cr_expect_eq(res.exit_code, wrong ? 1 : 0, "exit %d\n%s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, " 0 invalid") != NULL, "%s", res.out);
        fprintf(stderr, "check_vectors: %u shared vectors with a verdict from their manifest, %u with a wrong expect_error\n",
                checked, wrong);
        manifest_free_names(names, count);
        tu_result_free(&res);
}
