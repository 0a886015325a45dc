/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of pcrsim compare on the lab recordings of the shared vectors. The
 * PCRs that the qemu-ovmf-uki guest read from its TPM must match the
 * replay of its own logs. The qemu-ovmf-uki-smp2 guest, booted with two
 * vCPUs, differs in PCR 0 and so in PCR 10, whose first IMA entry hashes
 * PCR 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "testutil.h"

#define TIMEOUT 60

static const char *shared_or_skip(void)
{
        const char *root = tu_shared_vectors();

        if (!root) {
                fprintf(stderr, "compare: the shared vector folder is absent, so these tests are skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        return root;
}

static char *vec(const char *root, const char *rel)
{
        char *p = tu_path_join(root, rel);

        cr_assert_not_null(p);
        return p;
}

/* Runs compare with JSON output and returns the parsed report. */
static json_t *run_json(const char *const *args, int expected_exit)
{
        struct tu_result res;
        json_error_t jerr;
        json_t *doc;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_assert_eq(res.exit_code, expected_exit, "exit %d, expected %d: %s", res.exit_code,
                     expected_exit, res.err);
        doc = json_loads(res.out, 0, &jerr);
        cr_assert_not_null(doc, "not JSON (%s): %s", jerr.text, res.out);
        tu_result_free(&res);
        return doc;
}

/* Returns the PCRs whose rows have verdict `verdict`, as a bit mask. */
static uint32_t pcrs_with(json_t *doc, const char *verdict, size_t *rows)
{
        json_t *row;
        uint32_t mask = 0;
        size_t i;

        *rows = json_array_size(json_object_get(doc, "pcrs"));
        json_array_foreach(json_object_get(doc, "pcrs"), i, row)
                if (strcmp(json_string_value(json_object_get(row, "verdict")), verdict) == 0)
                        mask |= 1u << json_integer_value(json_object_get(row, "pcr"));
        return mask;
}

Test(compare, own_tpm_values_all_match)
{
        const char *root = shared_or_skip();
        char *ref = vec(root, "qemu-ovmf-uki/pcr-reader.json");
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        char *ima = vec(root, "qemu-ovmf-uki/ima.bin");
        const char *args[] = { "compare", "-q", "--format", "json", "--expected", ref, log,
                               "--ima", ima, NULL };
        json_t *doc = run_json(args, 0);
        size_t rows;

        cr_expect_eq(pcrs_with(doc, "match", &rows), 0xFFFFFFu);
        cr_expect_eq(rows, 24);
        cr_expect_str_eq(json_string_value(json_object_get(doc, "result")), "match");
        json_decref(doc);
        free(ref);
        free(log);
        free(ima);
}

Test(compare, two_vcpus_differ_in_pcr0_and_pcr10)
{
        const char *root = shared_or_skip();
        char *ref = vec(root, "qemu-ovmf-uki-smp2/pcr-reader.json");
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        char *ima = vec(root, "qemu-ovmf-uki/ima.bin");
        const char *args[] = { "compare", "-q", "--format", "json", "--expected", ref, log,
                               "--ima", ima, NULL };
        json_t *doc = run_json(args, 1), *row;
        size_t rows, i;

        cr_expect_eq(pcrs_with(doc, "differs", &rows), (1u << 0) | (1u << 10));
        json_array_foreach(json_object_get(doc, "pcrs"), i, row) {
                char *text;

                if (json_integer_value(json_object_get(row, "pcr")) != 10)
                        continue;
                text = json_dumps(json_object_get(row, "explanation"), 0);
                cr_assert_not_null(text, "PCR 10 has no explanation");
                cr_expect(strstr(text, "PCR 0 differs here") != NULL,
                          "PCR 10 is not explained by PCR 0: %s", text);
                free(text);
        }
        json_decref(doc);
        free(ref);
        free(log);
        free(ima);
}

Test(compare, unlogged_exit_boot_services_explained)
{
        const char *root = shared_or_skip();
        char *log = vec(root, "goattest-ebs-event-missing/ebs_event_missing_eventlog");
        char *dir = tu_tmpdir(), *ref;
        /* The PCR 5 value that the machine's TPM reported, from the
         * vector's manifest. */
        static const char text[] = "sha1 5 31245808d6d35849bc394f6343f2b3ff908ed5e3\n";
        const char *args[] = { "compare", "-q", "--expected", NULL, "--pcrs", "5", log, NULL };
        struct tu_result res;

        ref = tu_write_file(dir, "pcr5.txt", text, strlen(text));
        args[3] = ref;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 1, "%s", res.err);
        cr_expect(strstr(res.out, "5    sha1     differs") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "matches if the two ExitBootServices EV_EFI_ACTION events") != NULL,
                  "%s", res.out);
        tu_result_free(&res);
        free(ref);
        tu_rmtree(dir);
        free(log);
}

Test(compare, warn_only_difference_passes)
{
        const char *root = shared_or_skip();
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        char *dir = tu_tmpdir(), *ref;
        /* PCR 0 is wrong but warnOnly; PCR 4 is the guest's TPM value. */
        static const char text[] =
                "{\"0\": {\"expected\": \"1111111111111111111111111111111111111111111111111111111111111111\", \"warnOnly\": true},\n"
                " \"4\": {\"expected\": \"27e6c871f536ce829f0219ad4a95c58ee5134d2442bf8ff1b641bac074d030e4\", \"warnOnly\": false}}\n";
        const char *args[] = { "compare", "-q", "--format", "json", "--expected", NULL, log, NULL };
        json_t *doc;
        size_t rows;

        ref = tu_write_file(dir, "m.json", text, strlen(text));
        args[5] = ref;
        doc = run_json(args, 0);
        cr_expect_eq(pcrs_with(doc, "warn-only-differs", &rows), 1u << 0);
        cr_expect_eq(pcrs_with(doc, "match", &rows), 1u << 4);
        cr_expect_eq(pcrs_with(doc, "not-in-reference", &rows), 0xFFFFFFu & ~0x11u);
        json_decref(doc);
        free(ref);
        tu_rmtree(dir);
        free(log);
}

Test(compare, two_references_two_banks)
{
        const char *root = shared_or_skip();
        char *sha1 = vec(root, "qemu-ovmf-uki/pcrs-sha1.json");
        char *sha256 = vec(root, "reference-formats/sysfs-tpm0/pcr-sha256");
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        const char *args[] = { "compare", "-q", "--format", "json", "--pcrs", "0-9", "--expected", sha1,
                               "--expected", sha256, log, NULL };
        json_t *doc = run_json(args, 0);
        size_t rows;

        cr_expect_eq(pcrs_with(doc, "match", &rows), 0x3FFu);
        cr_expect_eq(rows, 20, "10 PCRs in each of two banks");
        json_decref(doc);
        free(sha1);
        free(sha256);
        free(log);
}

Test(compare, usage_and_input_errors)
{
        const char *root = shared_or_skip();
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        char *dir = tu_tmpdir(), *bad;
        static const char text[] = "{\"0\": \"zz\"}";
        const char *no_ref[] = { "compare", log, NULL };
        const char *bad_format[] = { "compare", "--expected-format", "xml", "--expected", log, log, NULL };
        const char *bad_ref[] = { "compare", "--expected", NULL, log, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, no_ref, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "missing --expected") != NULL, "%s", res.err);
        tu_result_free(&res);
        cr_assert(tu_run(&res, bad_format, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "unknown reference format 'xml'") != NULL, "%s", res.err);
        tu_result_free(&res);
        bad = tu_write_file(dir, "bad.json", text, strlen(text));
        bad_ref[2] = bad;
        cr_assert(tu_run(&res, bad_ref, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "bad.json: offset 0x6: line 1, column 7") != NULL, "%s", res.err);
        cr_expect_eq(res.out_len, 0, "a report printed after an input error: %s", res.out);
        tu_result_free(&res);

        /* PCRs 16-23 are not in a measurement config of PCRs 4-12. */
        {
                char *m = vec(root, "reference-formats/measurements-bare-hex.json");
                const char *none[] = { "compare", "--pcrs", "16-23", "--expected-format",
                                       "measurements-json", "--expected", m, log, NULL };
                const char *twice[] = { "compare", "--expected", "-", "-", NULL };
                const char *self[] = { "compare", "--expected", m, "-o", m, log, NULL };

                cr_assert(tu_run(&res, none, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.out);
                cr_expect(strstr(res.err, "nothing was compared") != NULL, "%s", res.err);
                tu_result_free(&res);
                cr_assert(tu_run(&res, twice, TIMEOUT));
                cr_expect_eq(res.exit_code, 2);
                cr_expect(strstr(res.err, "can be read only once") != NULL, "%s", res.err);
                tu_result_free(&res);
                cr_assert(tu_run(&res, self, TIMEOUT));
                cr_expect_eq(res.exit_code, 2);
                cr_expect(strstr(res.err, "would overwrite the input") != NULL, "%s", res.err);
                tu_result_free(&res);
                free(m);
        }
        free(bad);
        tu_rmtree(dir);
        free(log);
}

Test(compare, ima_list_of_another_boot_named)
{
        const char *root = shared_or_skip();
        char *ref = vec(root, "qemu-ovmf-uki/pcr-reader.json");
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        char *ima = vec(root, "qemu-ovmf-uki-smp2/ima.bin");
        const char *args[] = { "compare", "-q", "--pcrs", "10", "--expected", ref, log, "--ima", ima,
                               NULL };
        struct tu_result res;

        /* The two-vCPU guest's IMA list starts with a boot_aggregate over
         * its own PCR 0, which the one-vCPU log does not give. */
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 1, "%s", res.err);
        cr_expect(strstr(res.out, "comes from another boot than the log") != NULL, "%s", res.out);
        tu_result_free(&res);
        free(ref);
        free(log);
        free(ima);
}

Test(compare, conflicting_references_rejected)
{
        const char *root = shared_or_skip();
        char *log = vec(root, "qemu-ovmf-uki/eventlog.bin");
        char *dir = tu_tmpdir(), *a, *b;
        static const char first[] = "sha256 4 0000000000000000000000000000000000000000000000000000000000000000\n";
        static const char second[] = "sha256 4 1111111111111111111111111111111111111111111111111111111111111111\n";
        const char *args[] = { "compare", "--expected", NULL, "--expected", NULL, log, NULL };
        struct tu_result res;

        a = tu_write_file(dir, "first.txt", first, strlen(first));
        b = tu_write_file(dir, "second.txt", second, strlen(second));
        args[2] = a;
        args[4] = b;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 2, "%s", res.out);
        cr_expect(strstr(res.err, "second.txt: sha256 PCR 4 differs from the same PCR in") != NULL &&
                  strstr(res.err, "first.txt") != NULL, "%s", res.err);
        tu_result_free(&res);
        free(a);
        free(b);
        tu_rmtree(dir);
        free(log);
}
