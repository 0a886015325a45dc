/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CLI output tests on the project's own vectors. The golden files in
 * vectors/ were written by tools/mkvectors.py, which builds each
 * log and replays it with Python's hashlib, independently of pcrsim.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "testutil.h"

struct golden_case {
        const char *args[8]; /* options before the log path */
        const char *suffix;  /* golden file: PREFIX + suffix, or a fixed name */
        bool fixed_name;
};

static const struct golden_case golden_cases[] = {
        { { NULL }, ".txt", false },
        { { "--format", "json", NULL }, ".json", false },
        { { "--format", "yaml", NULL }, ".yaml", false },
        { { "--format", "go", NULL }, ".go", false },
        { { "--pcrs", "0-7,9", "--format", "go", NULL }, "-pcrs-0-7-9.go", false },
        { { "--bank", "all", "--format", "json", NULL }, "replay-all.json", true },
        { { "--bank", "all", "--format", "yaml", NULL }, "replay-all.yaml", true },
};

static char *vectors_dir(void)
{
        return tu_path_join(tu_source_root(), "vectors");
}

/* Returns the golden file prefix of a vector: "replay" when the default
 * bank is sha256 or sha1, else "replay-BANK". */
static const char *golden_prefix(const char *dir, char *buf, size_t size)
{
        char *path = tu_path_join(dir, "replay.json");
        struct stat st;
        DIR *d;
        struct dirent *e;

        if (stat(path, &st) == 0) {
                free(path);
                snprintf(buf, size, "replay");
                return buf;
        }
        free(path);
        buf[0] = '\0';
        d = opendir(dir);
        while (d && (e = readdir(d)) != NULL) {
                size_t n = strlen(e->d_name);

                if (strncmp(e->d_name, "replay-", 7) == 0 && n > 5 &&
                    strcmp(e->d_name + n - 5, ".json") == 0 &&
                    strcmp(e->d_name, "replay-all.json") != 0)
                        snprintf(buf, size, "%.*s", (int)(n - 5), e->d_name);
        }
        if (d)
                closedir(d);
        return buf[0] ? buf : NULL;
}

/* Tells whether the generator marked a bank of the vector as incomplete
 * by writing an expected-partial-BANK.json file. */
static bool has_incomplete_bank(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        bool found = false;

        while (d && (e = readdir(d)) != NULL)
                if (strncmp(e->d_name, "expected-partial-", 17) == 0)
                        found = true;
        if (d)
                closedir(d);
        return found;
}

static void run_case(const char *dir, const char *prefix, bool incomplete,
                     const struct golden_case *c)
{
        char name[128], *golden_path, *log;
        const char *args[12];
        struct tu_result res;
        size_t n = 0, golden_len;
        char *golden;

        snprintf(name, sizeof(name), "%s%s", c->fixed_name ? "" : prefix, c->suffix);
        golden_path = tu_path_join(dir, name);
        log = tu_path_join(dir, "eventlog.bin");
        args[n++] = "replay";
        for (size_t i = 0; c->args[i]; i++)
                args[n++] = c->args[i];
        args[n++] = log;
        args[n] = NULL;

        cr_assert(tu_run(&res, args, 60));
        if (c->fixed_name && incomplete) {
                /* `--bank all` includes the incomplete bank, so it fails. */
                cr_expect_eq(res.exit_code, 2, "%s: exit %d", name, res.exit_code);
                cr_expect_eq(res.out_len, 0, "%s: values printed", name);
                tu_result_free(&res);
                free(golden_path);
                free(log);
                return;
        }
        golden = tu_read_file(golden_path, &golden_len);
        cr_assert_not_null(golden, "missing golden file %s", golden_path);
        cr_expect_eq(res.exit_code, 0, "%s: exit %d: %s", golden_path, res.exit_code, res.err);
        cr_expect_eq(res.out_len, golden_len, "%s: output length %zu, golden %zu",
                     golden_path, res.out_len, golden_len);
        cr_expect(res.out_len == golden_len && memcmp(res.out, golden, golden_len) == 0,
                  "%s: output differs from the golden file:\n%s", golden_path, res.out);
        tu_result_free(&res);
        free(golden);
        free(golden_path);
        free(log);
}

Test(golden, every_vector_every_format)
{
        char *root = vectors_dir();
        DIR *d = opendir(root);
        struct dirent *e;
        unsigned vectors = 0;

        cr_assert_not_null(d, "cannot open %s", root);
        while ((e = readdir(d)) != NULL) {
                char prefix[64], *dir;

                if (strncmp(e->d_name, "synth-", 6) != 0)
                        continue;
                dir = tu_path_join(root, e->d_name);
                cr_assert_not_null(golden_prefix(dir, prefix, sizeof(prefix)),
                                   "%s has no golden files", dir);
                for (size_t i = 0; i < sizeof(golden_cases) / sizeof(golden_cases[0]); i++)
                        run_case(dir, prefix, has_incomplete_bank(dir), &golden_cases[i]);
                vectors++;
                free(dir);
        }
        closedir(d);
        free(root);
        cr_expect_geq(vectors, 7, "only %u vectors found", vectors);
}

/* Decodes standard base64 into `out`; returns the decoded length. */
static size_t unbase64(const char *text, uint8_t *out)
{
        size_t len = strlen(text);
        int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)len);

        cr_assert_geq(n, 0, "invalid base64 %s", text);
        while (len > 0 && text[len - 1] == '=') {
                len--;
                n--;
        }
        return (size_t)n;
}

static void hex(const uint8_t *bytes, size_t len, char *out)
{
        for (size_t i = 0; i < len; i++)
                snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* Checks that a pcr-reader JSON map contains exactly the hex values of
 * `expected` (an object of "0".."23" to hex). */
static void expect_same_values(const char *json_text, json_t *expected, const char *what)
{
        json_error_t jerr;
        json_t *got = json_loads(json_text, 0, &jerr);
        const char *key;
        json_t *value;

        cr_assert_not_null(got, "%s: output is not JSON: %s", what, jerr.text);
        cr_expect_eq(json_object_size(got), json_object_size(expected), "%s", what);
        json_object_foreach(expected, key, value) {
                json_t *b64 = json_object_get(got, key);
                uint8_t bytes[96];
                char text[200];
                size_t n;

                cr_assert(json_is_string(b64), "%s: PCR %s missing", what, key);
                n = unbase64(json_string_value(b64), bytes);
                hex(bytes, n, text);
                cr_expect_str_eq(text, json_string_value(value), "%s: PCR %s", what, key);
        }
        json_decref(got);
}

Test(golden, expected_json_every_bank)
{
        char *root = vectors_dir();
        DIR *d = opendir(root);
        struct dirent *e;

        cr_assert_not_null(d);
        while ((e = readdir(d)) != NULL) {
                char *dir, *path, *log;
                json_t *expected, *values;
                const char *bank;

                if (strncmp(e->d_name, "synth-", 6) != 0)
                        continue;
                dir = tu_path_join(root, e->d_name);
                path = tu_path_join(dir, "expected.json");
                log = tu_path_join(dir, "eventlog.bin");
                expected = json_load_file(path, 0, NULL);
                cr_assert_not_null(expected, "cannot read %s", path);
                json_object_foreach(expected, bank, values) {
                        const char *args[] = { "replay", "-q", "--bank", bank, "--format",
                                               "json", log, NULL };
                        struct tu_result res;

                        cr_assert(tu_run(&res, args, 60));
                        cr_expect_eq(res.exit_code, 0, "%s %s: %s", log, bank, res.err);
                        expect_same_values(res.out, values, path);
                        tu_result_free(&res);
                }
                json_decref(expected);
                free(dir);
                free(path);
                free(log);
        }
        closedir(d);
        free(root);
}

static char *vector_file(const char *vector, const char *file)
{
        char *root = vectors_dir(), *dir = tu_path_join(root, vector);
        char *path = tu_path_join(dir, file);

        free(root);
        free(dir);
        return path;
}

Test(golden, incomplete_bank_refused)
{
        char *log = vector_file("synth-missing-digests", "eventlog.bin");
        const char *args[] = { "replay", "--bank", "sha1", "--format", "json", log, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 2, "exit %d", res.exit_code);
        cr_expect_eq(res.out_len, 0, "values printed although the bank is incomplete");
        cr_expect(strstr(res.err, "without a sha1 digest") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "--partial") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "PCRs affected: 11-14") != NULL, "%s", res.err);
        tu_result_free(&res);
        free(log);
}

Test(golden, partial_bank_with_warning)
{
        char *log = vector_file("synth-missing-digests", "eventlog.bin");
        char *partial = vector_file("synth-missing-digests", "expected-partial-sha1.json");
        const char *args[] = { "replay", "--partial", "--bank", "sha1", "--format", "json",
                               log, NULL };
        json_t *expected = json_load_file(partial, 0, NULL);
        struct tu_result res;

        cr_assert_not_null(expected, "cannot read %s", partial);
        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 0, "exit %d: %s", res.exit_code, res.err);
        cr_expect(strstr(res.err, "warning") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "11-14") != NULL, "%s", res.err);
        expect_same_values(res.out, json_object_get(expected, "sha1"), partial);
        json_decref(expected);
        tu_result_free(&res);
        free(partial);
        free(log);
}

Test(golden, pcr_subset_excludes_incomplete)
{
        char *log = vector_file("synth-missing-digests", "eventlog.bin");
        const char *args[] = { "replay", "--bank", "sha1", "--pcrs", "0-7", log, NULL };
        struct tu_result res;

        /* PCRs 0-7 of the sha1 bank are complete, so no --partial is needed. */
        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 0, "exit %d: %s", res.exit_code, res.err);
        cr_expect(strstr(res.out, "\n7    sha1") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "\n8 ") == NULL, "PCR 8 printed: %s", res.out);
        tu_result_free(&res);
        free(log);
}

Test(golden, output_file_written_whole)
{
        char *log = vector_file("synth-agile-sha1-sha256", "eventlog.bin");
        char *golden = vector_file("synth-agile-sha1-sha256", "replay.json");
        char *dir = tu_tmpdir(), *out = tu_path_join(dir, "pcrs.json");
        const char *args[] = { "replay", "--format", "json", "-o", out, log, NULL };
        size_t got_len, want_len;
        char *got, *want = tu_read_file(golden, &want_len);
        struct tu_result res;

        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect_eq(res.out_len, 0, "standard output used although -o was given");
        got = tu_read_file(out, &got_len);
        cr_assert_not_null(got, "%s not written", out);
        cr_expect(got_len == want_len && memcmp(got, want, want_len) == 0);
        tu_result_free(&res);
        free(got);
        free(want);
        free(out);
        free(golden);
        free(log);
        tu_rmtree(dir);
}

Test(golden, output_file_absent_on_error)
{
        char *dir = tu_tmpdir(), *out = tu_path_join(dir, "pcrs.json");
        char *bad = tu_write_file(dir, "bad.bin", "\x01\x02\x03", 3);
        const char *args[] = { "replay", "--format", "json", "-o", out, bad, NULL };
        struct tu_result res;
        struct stat st;

        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 2, "exit %d", res.exit_code);
        cr_expect_neq(stat(out, &st), 0, "%s was created by a failed replay", out);
        tu_result_free(&res);
        free(out);
        free(bad);
        tu_rmtree(dir);
}

/* Runs a shell command line; returns its exit status or -1. */
static int shell(const char *command)
{
        int status = system(command);

        return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(golden, go_output_is_gofmt_clean_and_builds)
{
        char *log = vector_file("synth-agile-sha1-sha256", "eventlog.bin");
        char *dir, *go_file, *mod_file, command[2048];
        const char *args[] = { "replay", "--format", "go", "--go-package", "measurements",
                               "--go-var", "expectedPCRs", "--pcrs", "0-9,11", NULL, NULL };
        struct tu_result res;

        if (shell("command -v go >/dev/null 2>&1 && command -v gofmt >/dev/null 2>&1") != 0)
                cr_skip_test("go and gofmt are not installed (Debian package golang-go): the Go output was not compiled");
        args[9] = log;
        cr_assert(tu_run(&res, args, 60));
        cr_assert_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strncmp(res.out, "package measurements\n\nvar expectedPCRs = map[uint32][]byte{\n", 60) == 0,
                  "%s", res.out);
        dir = tu_tmpdir();
        go_file = tu_write_file(dir, "pcrs.go", res.out, res.out_len);
        mod_file = tu_write_file(dir, "go.mod", "module example.com/m\n\ngo 1.19\n", 30);
        cr_assert_not_null(mod_file);
        snprintf(command, sizeof(command), "test -z \"$(gofmt -l '%s')\"", go_file);
        cr_expect_eq(shell(command), 0, "gofmt would reformat the output:\n%s", res.out);
        snprintf(command, sizeof(command),
                 "cd '%s' && GOFLAGS=-mod=mod GOPROXY=off GOCACHE='%s/cache' GOPATH='%s/gopath' go build ./... && rm -rf cache gopath",
                 dir, dir, dir);
        cr_expect_eq(shell(command), 0, "go build failed on:\n%s", res.out);
        snprintf(command, sizeof(command), "rm -rf '%s/cache' '%s/gopath'", dir, dir);
        shell(command);
        tu_result_free(&res);
        free(go_file);
        free(mod_file);
        free(log);
        tu_rmtree(dir);
}

struct usage_case {
        const char *args[8];
        int exit_code;
        const char *stderr_contains;
        const char *stdout_contains;
};

static const struct usage_case usage_cases[] = {
        { { "--help", NULL }, 0, NULL, "Usage: pcrsim COMMAND" },
        { { "--version", NULL }, 0, NULL, "pcrsim " },
        { { "replay", "--help", NULL }, 0, NULL, "Usage: pcrsim replay" },
        { { "help", "replay", NULL }, 0, NULL, "Usage: pcrsim replay" },
        { { NULL }, 2, "Usage: pcrsim COMMAND", NULL },
        { { "frobnicate", NULL }, 2, "unknown command 'frobnicate'", NULL },
        { { "replay", NULL }, 2, "missing EVENTLOG", NULL },
        { { "replay", "--format", "xml", "x", NULL }, 2, "invalid format 'xml'", NULL },
        { { "replay", "--bank", "md5", "x", NULL }, 2, "invalid bank 'md5'", NULL },
        { { "replay", "--pcrs", "3-1", "x", NULL }, 2, "invalid PCR list", NULL },
        { { "replay", "--pcrs", "0,,1", "x", NULL }, 2, "invalid PCR list", NULL },
        { { "replay", "--format", "go", "--bank", "all", "x", NULL }, 2, "one bank", NULL },
        { { "replay", "--format", "go", "--go-var", "func", "x", NULL }, 2, "invalid --go-var 'func'", NULL },
        { { "replay", "--format", "go", "--go-package", "1x", "x", NULL }, 2, "invalid --go-package '1x'", NULL },
        { { "replay", "--format", "go", "--go-package", "_", "x", NULL }, 2, "invalid --go-package '_'", NULL },
        { { "replay", "--format", "go", "--go-var", "init", "x", NULL }, 2, "invalid --go-var 'init'", NULL },
        { { "replay", "--format", "json", "--go-var", "x", "x", NULL }, 2, "apply only to --format go", NULL },
        { { "replay", "--pcrs", "24", "x", NULL }, 2, "PCR 24 is outside 0-23", NULL },
        { { "replay", "-o", "", "x", NULL }, 2, "invalid output file name", NULL },
        { { "replay", "/nonexistent/eventlog.bin", NULL }, 3, "cannot open /nonexistent/eventlog.bin", NULL },
        { { "replay", "/", NULL }, 2, "/ is a directory", NULL },
        { { "--bogus", NULL }, 2, "unknown option '--bogus'", NULL },
        { { "help", "help", NULL }, 0, NULL, "Usage: pcrsim COMMAND" },
};

Test(golden, usage_and_exit_codes)
{
        for (size_t i = 0; i < sizeof(usage_cases) / sizeof(usage_cases[0]); i++) {
                const struct usage_case *c = &usage_cases[i];
                struct tu_result res;

                cr_assert(tu_run(&res, c->args, 30));
                cr_expect_eq(res.exit_code, c->exit_code, "case %zu (%s): exit %d, stderr: %s",
                             i, c->args[0] ? c->args[0] : "no arguments", res.exit_code, res.err);
                if (c->stderr_contains)
                        cr_expect(strstr(res.err, c->stderr_contains) != NULL,
                                  "case %zu: stderr lacks '%s': %s", i, c->stderr_contains, res.err);
                if (c->stdout_contains)
                        cr_expect(strstr(res.out, c->stdout_contains) != NULL,
                                  "case %zu: stdout lacks '%s': %s", i, c->stdout_contains, res.out);
                tu_result_free(&res);
        }
}

Test(golden, repeated_pcrs_options_add_up)
{
        char *log = vector_file("synth-sha1-legacy", "eventlog.bin");
        const char *args[] = { "replay", "-q", "-p", "3", "-p", "4", log, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.out, "\n3    sha1") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "\n4    sha1") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "\n5 ") == NULL, "%s", res.out);
        tu_result_free(&res);
        free(log);
}

Test(golden, partial_values_marked_in_text)
{
        char *log = vector_file("synth-missing-digests", "eventlog.bin");
        const char *args[] = { "replay", "-q", "--partial", "--bank", "sha1", "-p", "10-11", log,
                               NULL };
        struct tu_result res;

        char line10[160] = "", line11[160] = "";
        const char *p10, *p11;

        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        p10 = strstr(res.out, "\n10 ");
        p11 = strstr(res.out, "\n11 ");
        cr_assert(p10 && p11, "%s", res.out);
        sscanf(p10 + 1, "%159[^\n]", line10);
        sscanf(p11 + 1, "%159[^\n]", line11);
        /* Only PCRs 11-14 have events without a sha1 digest. */
        cr_expect(strstr(line10, "(partial)") == NULL, "PCR 10 marked: %s", line10);
        cr_expect(strstr(line11, "(partial)") != NULL, "PCR 11 not marked: %s", line11);
        tu_result_free(&res);
        free(log);
}

Test(golden, wrong_kind_of_file_named)
{
        char *dir = tu_tmpdir();
        static const char ascii_ima[] =
                "10 d3c214f52356cee64c486663eb70e9fd93fc1189 ima-ng sha256:00 boot_aggregate\n";
        char *path = tu_write_file(dir, "ascii_runtime_measurements", ascii_ima,
                                   sizeof(ascii_ima) - 1);
        const char *args[] = { "replay", path, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "ASCII IMA measurement list") != NULL, "%s", res.err);
        tu_result_free(&res);
        free(path);
        tu_rmtree(dir);
}

Test(golden, output_through_symlink_keeps_mode)
{
        char *log = vector_file("synth-sha1-legacy", "eventlog.bin");
        char *dir = tu_tmpdir();
        char *target = tu_write_file(dir, "target.json", "old\n", 4);
        char *link = tu_path_join(dir, "link.json");
        const char *args[] = { "replay", "-q", "--format", "json", "-o", link, log, NULL };
        struct tu_result res;
        struct stat st;
        size_t len;
        char *text;

        cr_assert(target && link);
        cr_assert_eq(chmod(target, 0600), 0);
        cr_assert_eq(symlink("target.json", link), 0);
        cr_assert(tu_run(&res, args, 60));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_assert_eq(lstat(link, &st), 0);
        cr_expect(S_ISLNK(st.st_mode), "the symbolic link was replaced by a file");
        cr_assert_eq(stat(target, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0600, "mode 0%o, expected 0600", st.st_mode & 07777);
        text = tu_read_file(target, &len);
        cr_expect(text && strncmp(text, "{\n  \"0\": ", 9) == 0, "target not written: %s", text);
        free(text);
        unlink(link);
        tu_result_free(&res);
        free(link);
        free(target);
        free(log);
        tu_rmtree(dir);
}
