/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the event alignment (sim/diff.c) and of pcrsim diff and pcrsim
 * explain. The alignment cases are built by hand with known results. The
 * CLI cases use the project's lab recordings, whose PCR values the TPM
 * reported: which PCRs differ between two boots comes from those
 * recorded values, not from pcrsim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "logbuilder.h"
#include "pcrsim/diff.h"
#include "testutil.h"

#define TIMEOUT 120

#define EV_SEPARATOR 0x00000004u
#define EV_EFI_ACTION 0x80000007u
#define EV_IPL 0x0000000Du

/* ---- alignment, on hand-built logs ---- */

struct spec_event {
        uint32_t pcr, type;
        const char *data;
        uint8_t digest_byte;
};

static void build_log(struct lb *b, const struct spec_event *events, size_t n)
{
        static const uint16_t algs[] = { LB_SHA256 }, sizes[] = { 32 };

        lb_init(b);
        lb_specid(b, algs, sizes, 1, 2, 0);
        for (size_t i = 0; i < n; i++) {
                struct lb_digest d = lb_digest_fill(LB_SHA256, 32, events[i].digest_byte);

                lb_agile_record(b, events[i].pcr, events[i].type, &d, 1, events[i].data,
                                (uint32_t)strlen(events[i].data));
        }
}

static void align(const struct spec_event *a, size_t na, const struct spec_event *b, size_t nb,
                  uint32_t pcr, struct pcrsim_measurement_list *la,
                  struct pcrsim_measurement_list *lbl, struct pcrsim_diff_pcr *d)
{
        struct lb ba, bb;
        struct pcrsim_error err;

        build_log(&ba, a, na);
        build_log(&bb, b, nb);
        cr_assert_eq(pcrsim_measurements_from_tcglog(ba.data, ba.len, LB_SHA256, la, &err), PCRSIM_OK,
                     "%s", err.message);
        cr_assert_eq(pcrsim_measurements_from_tcglog(bb.data, bb.len, LB_SHA256, lbl, &err), PCRSIM_OK,
                     "%s", err.message);
        cr_assert_eq(pcrsim_diff_align(la, lbl, pcr, d, &err), PCRSIM_OK, "%s", err.message);
        lb_free(&ba);
        lb_free(&bb);
}

Test(diff, inserted_event_shifts_nothing)
{
        /* B inserts one event after the first; the third event's digest
         * changes. Index by index, every later event would differ. */
        static const struct spec_event a[] = {
                { 4, EV_EFI_ACTION, "one", 1 },
                { 4, EV_IPL, "two", 2 },
                { 4, EV_IPL, "three", 3 },
                { 4, EV_SEPARATOR, "four", 4 },
        };
        static const struct spec_event b[] = {
                { 4, EV_EFI_ACTION, "one", 1 },
                { 4, EV_IPL, "inserted", 9 },
                { 4, EV_IPL, "two", 2 },
                { 4, EV_IPL, "three", 7 },
                { 4, EV_SEPARATOR, "four", 4 },
        };
        static const enum pcrsim_diff_op want[] = {
                PCRSIM_DIFF_SAME, PCRSIM_DIFF_ADDED, PCRSIM_DIFF_SAME, PCRSIM_DIFF_CHANGED,
                PCRSIM_DIFF_SAME,
        };
        struct pcrsim_measurement_list la, lbl;
        struct pcrsim_diff_pcr d;

        align(a, 4, b, 5, 4, &la, &lbl, &d);
        cr_assert_eq(d.step_count, 5, "%zu steps", d.step_count);
        for (size_t i = 0; i < 5; i++)
                cr_expect_eq(d.steps[i].op, want[i], "step %zu: op %d, expected %d", i, d.steps[i].op,
                             want[i]);
        cr_expect_eq(d.steps[3].parts, PCRSIM_DIFF_DIGEST);
        /* The added event is B's record 2: record 0 is the Spec ID event. */
        cr_expect_eq(lbl.items[d.steps[1].b].index, 2);
        cr_expect(d.changed == 1 && d.added == 1 && d.removed == 0);
        pcrsim_diff_pcr_free(&d);
        pcrsim_measurement_list_free(&la);
        pcrsim_measurement_list_free(&lbl);
}

Test(diff, removed_and_changed_data)
{
        /* A's second event is gone in B, and the third has other data of
         * the same type, so it pairs as a change of data and digest. */
        static const struct spec_event a[] = {
                { 9, EV_IPL, "kernel", 1 },
                { 9, EV_IPL, "gone", 2 },
                { 9, EV_SEPARATOR, "cmdline a", 3 },
                { 8, EV_IPL, "other pcr", 5 },
        };
        static const struct spec_event b[] = {
                { 9, EV_IPL, "kernel", 1 },
                { 9, EV_SEPARATOR, "cmdline b", 4 },
                { 8, EV_IPL, "other pcr", 6 },
        };
        struct pcrsim_measurement_list la, lbl;
        struct pcrsim_diff_pcr d;

        align(a, 4, b, 3, 9, &la, &lbl, &d);
        cr_assert_eq(d.step_count, 3, "%zu steps", d.step_count);
        cr_expect_eq(d.steps[0].op, PCRSIM_DIFF_SAME);
        cr_expect_eq(d.steps[1].op, PCRSIM_DIFF_REMOVED);
        cr_expect_eq(d.steps[2].op, PCRSIM_DIFF_CHANGED);
        cr_expect_eq(d.steps[2].parts, PCRSIM_DIFF_DATA | PCRSIM_DIFF_DIGEST);
        cr_expect(d.removed == 1 && d.changed == 1 && d.added == 0);
        pcrsim_diff_pcr_free(&d);
        pcrsim_measurement_list_free(&la);
        pcrsim_measurement_list_free(&lbl);
}

/* ---- pcrsim diff and explain on the lab recordings ---- */

static char *lab(const char *name)
{
        char *vectors = tu_path_join(tu_source_root(), "vectors");
        char *dir = tu_path_join(vectors, name);

        free(vectors);
        return dir;
}

/* Returns the mask of PCRs whose recorded sha256 values differ between
 * two vector folders. */
static uint32_t recorded_difference(const char *a, const char *b)
{
        char *pa = tu_path_join(a, "pcrs-sha256.json"), *pb = tu_path_join(b, "pcrs-sha256.json");
        json_t *ja = json_load_file(pa, 0, NULL), *jb = json_load_file(pb, 0, NULL);
        uint32_t mask = 0;

        cr_assert(ja && jb, "cannot read %s or %s", pa, pb);
        for (uint32_t pcr = 0; pcr < 24; pcr++) {
                char key[4];
                const char *va, *vb;

                snprintf(key, sizeof(key), "%u", pcr);
                va = json_string_value(json_object_get(ja, key));
                vb = json_string_value(json_object_get(jb, key));
                cr_assert(va && vb, "PCR %u missing", pcr);
                if (strcmp(va, vb) != 0)
                        mask |= 1u << pcr;
        }
        json_decref(ja);
        json_decref(jb);
        free(pa);
        free(pb);
        return mask;
}

static json_t *run_json(const char *const *args, int want_exit)
{
        struct tu_result res;
        json_t *doc;

        cr_assert(tu_run(&res, args, TIMEOUT), "cannot start %s", tu_pcrsim_bin());
        cr_assert_eq(res.exit_code, want_exit, "pcrsim %s: exit %d, expected %d\n%s", args[0],
                     res.exit_code, want_exit, res.err);
        doc = json_loads(res.out, 0, NULL);
        cr_assert(json_is_object(doc), "not JSON: %s", res.out);
        tu_result_free(&res);
        return doc;
}

/* Returns the mask of PCRs listed in a diff document. */
static uint32_t diff_mask(const json_t *doc)
{
        const json_t *rows = json_object_get(doc, "pcrs"), *row;
        uint32_t mask = 0;
        size_t i;

        json_array_foreach(rows, i, row)
                mask |= 1u << json_integer_value(json_object_get(row, "pcr"));
        return mask;
}

static const json_t *diff_row(const json_t *doc, uint32_t pcr)
{
        const json_t *rows = json_object_get(doc, "pcrs"), *row;
        size_t i;

        json_array_foreach(rows, i, row)
                if ((uint32_t)json_integer_value(json_object_get(row, "pcr")) == pcr)
                        return row;
        return NULL;
}

/* Tells whether PCR `pcr`'s events include one with `op` whose summary
 * contains `needle` and whose differing parts are `what` (NULL: any). */
static bool has_event(const json_t *doc, uint32_t pcr, const char *op, const char *needle,
                      const char *what)
{
        const json_t *row = diff_row(doc, pcr), *events, *e;
        size_t i;

        if (!row)
                return false;
        events = json_object_get(row, "events");
        json_array_foreach(events, i, e) {
                const json_t *side = json_object_get(e, json_is_null(json_object_get(e, "a")) ? "b" : "a");
                const char *summary = json_string_value(json_object_get(side, "summary"));
                const json_t *differs = json_object_get(e, "differs");
                char joined[32] = "";

                if (json_array_size(differs) == 2)
                        snprintf(joined, sizeof(joined), "data+digest");
                else if (json_array_size(differs) == 1)
                        snprintf(joined, sizeof(joined), "%s", json_string_value(json_array_get(differs, 0)));
                if (strcmp(json_string_value(json_object_get(e, "op")), op) == 0 && summary &&
                    strstr(summary, needle) && (!what || strcmp(joined, what) == 0))
                        return true;
        }
        return false;
}

static void check_against_smp2(const char *root, const char *uki, const char *smp2)
{
        char *a = tu_path_join(root, uki), *b = tu_path_join(root, smp2);
        const char *args[] = { "diff", "--format", "json", "-q", a, b, NULL };
        json_t *doc = run_json(args, 1);

        cr_expect_eq(diff_mask(doc), recorded_difference(a, b), "diff lists PCRs 0x%x, the TPM 0x%x",
                     diff_mask(doc), recorded_difference(a, b));
        cr_expect_eq(diff_mask(doc), (1u << 0) | (1u << 10));
        /* Only the first firmware volume's digest differs. */
        cr_expect(has_event(doc, 0, "changed", "EV_EFI_PLATFORM_FIRMWARE_BLOB base 0x820000", "digest"),
                  "PCR 0: no changed firmware blob");
        cr_expect(!has_event(doc, 0, "changed", "base 0x900000", NULL), "PCR 0: the DXE volume differs");
        cr_expect(has_event(doc, 10, "changed", "boot_aggregate", "data+digest"), "PCR 10: no boot_aggregate");
        cr_expect_str_eq(json_string_value(json_object_get(diff_row(doc, 10), "boot_aggregate_depends_on")),
                         "0");
        json_decref(doc);
        free(a);
        free(b);
}

static void check_against_cmdline(const char *root, const char *uki, const char *cmdline)
{
        char *a = tu_path_join(root, uki), *b = tu_path_join(root, cmdline);
        const char *args[] = { "diff", "--format", "json", "-q", a, b, NULL };
        json_t *doc = run_json(args, 1);

        cr_expect_eq(diff_mask(doc), recorded_difference(a, b));
        cr_expect_eq(diff_mask(doc), (1u << 4) | (1u << 9) | (1u << 10) | (1u << 11));
        cr_expect(has_event(doc, 4, "changed", "EV_EFI_BOOT_SERVICES_APPLICATION", "digest"),
                  "PCR 4: the UKI's application event");
        cr_expect(has_event(doc, 9, "changed", "LoadOptions", "digest"), "PCR 9: LoadOptions");
        cr_expect(!has_event(doc, 9, "changed", "initrd", NULL), "PCR 9: the initrd changed");
        cr_expect(has_event(doc, 11, "changed", ".cmdline", "digest"), "PCR 11: .cmdline");
        cr_expect(!has_event(doc, 11, "changed", ".linux", NULL), "PCR 11: .linux changed");
        cr_expect(has_event(doc, 10, "changed", "boot_aggregate", NULL), "PCR 10: boot_aggregate");
        json_decref(doc);
        free(a);
        free(b);
}

Test(diff, lab_uki_against_smp2)
{
        char *root = tu_path_join(tu_source_root(), "vectors");

        check_against_smp2(root, "lab-uki", "lab-uki-smp2");
        free(root);
}

Test(diff, lab_uki_against_other_cmdline)
{
        char *root = tu_path_join(tu_source_root(), "vectors");

        check_against_cmdline(root, "lab-uki", "lab-uki-cmdline-b");
        free(root);
}

Test(diff, shared_uki_boots)
{
        const char *root = tu_shared_vectors();
        char *a;
        const char *args[] = { "diff", "-q", NULL, NULL, NULL };
        struct tu_result res;

        if (!root) {
                fprintf(stderr, "diff: the shared vector folder is absent, so the test is skipped\n");
                cr_skip_test("no shared vectors");
        }
        check_against_smp2(root, "qemu-ovmf-uki", "qemu-ovmf-uki-smp2");
        check_against_cmdline(root, "qemu-ovmf-uki", "qemu-ovmf-uki-cmdline-b");
        a = tu_path_join(root, "qemu-ovmf-uki");
        args[2] = a;
        args[3] = a;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "diff against itself: exit %d: %s", res.exit_code, res.out);
        tu_result_free(&res);
        free(a);
}

Test(diff, uki_against_direct_boot)
{
        char *a = lab("lab-uki"), *b = lab("lab-direct");
        const char *args[] = { "diff", "--format", "json", "-q", a, b, NULL };
        json_t *doc = run_json(args, 1);
        const json_t *row11;

        cr_expect_eq(diff_mask(doc), recorded_difference(a, b));
        /* A direct boot has no UKI, so every PCR 11 event of A is removed. */
        row11 = diff_row(doc, 11);
        cr_assert_not_null(row11);
        cr_expect_eq(json_array_size(json_object_get(row11, "events")), 8);
        cr_expect(has_event(doc, 11, "removed", ".linux", NULL));
        json_decref(doc);
        free(a);
        free(b);
}

Test(diff, same_boot_no_difference)
{
        char *a = lab("lab-uki");
        const char *args[] = { "diff", "-q", a, a, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "exit %d: %s%s", res.exit_code, res.out, res.err);
        cr_expect(strstr(res.out, "no PCR differs in sha256") != NULL, "%s", res.out);
        tu_result_free(&res);
        free(a);
}

Test(diff, usage_errors)
{
        char *a = lab("lab-uki");
        const char *one[] = { "diff", a, NULL };
        const char *bank[] = { "diff", "--bank", "sha384", a, a, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, one, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        tu_result_free(&res);
        cr_assert(tu_run(&res, bank, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "bank sha384 is not in both event logs") != NULL, "%s", res.err);
        tu_result_free(&res);
        free(a);
}

/* Returns the class of PCR `pcr` in an explain document. */
static const char *explain_class(const json_t *doc, uint32_t pcr)
{
        return json_string_value(json_object_get(json_array_get(json_object_get(doc, "pcrs"), pcr), "class"));
}

static void check_three_uki_boots(const char *root, const char *uki, const char *smp2,
                                  const char *cmdline)
{
        char *a = tu_path_join(root, uki), *b = tu_path_join(root, smp2), *c = tu_path_join(root, cmdline);
        const char *args[] = { "explain", "--format", "json", "-q", a, b, c, NULL };
        json_t *doc = run_json(args, 0);
        uint32_t varying = recorded_difference(a, b) | recorded_difference(a, c);
        const json_t *row10;
        char *dumped;

        cr_expect_eq(varying, (1u << 0) | (1u << 4) | (1u << 9) | (1u << 10) | (1u << 11),
                     "the recorded values vary in 0x%x", varying);
        for (uint32_t pcr = 0; pcr < 24; pcr++)
                cr_expect_str_eq(explain_class(doc, pcr), (varying & (1u << pcr)) ? "varying" : "identical",
                                 "PCR %u", pcr);
        row10 = json_array_get(json_object_get(doc, "pcrs"), 10);
        cr_expect_str_eq(json_string_value(json_object_get(row10, "because_of")), "0,4,9");
        dumped = json_dumps(row10, 0);
        cr_expect(dumped && strstr(dumped, "boot_aggregate") != NULL, "%s", dumped);
        free(dumped);
        json_decref(doc);
        free(a);
        free(b);
        free(c);
}

Test(explain, three_lab_uki_boots)
{
        char *root = tu_path_join(tu_source_root(), "vectors");

        check_three_uki_boots(root, "lab-uki", "lab-uki-smp2", "lab-uki-cmdline-b");
        free(root);
}

Test(explain, three_shared_uki_boots)
{
        const char *root = tu_shared_vectors();

        if (!root) {
                fprintf(stderr, "explain: the shared vector folder is absent, so the test is skipped\n");
                cr_skip_test("no shared vectors");
        }
        check_three_uki_boots(root, "qemu-ovmf-uki", "qemu-ovmf-uki-smp2", "qemu-ovmf-uki-cmdline-b");
}

Test(explain, text_names_events)
{
        char *a = lab("lab-uki"), *b = lab("lab-uki-smp2");
        const char *args[] = { "explain", "-q", a, b, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s%s", res.out, res.err);
        cr_expect(strstr(res.out, "PCR 0 varies\n  event 2 EV_EFI_PLATFORM_FIRMWARE_BLOB base 0x820000 length 0xe0000: digest differs, in boot 2") != NULL,
                  "%s", res.out);
        cr_expect(strstr(res.out, "PCR 10 varies because the boot_aggregate entry hashes PCRs 0-9, and PCR 0 varies") != NULL,
                  "%s", res.out);
        tu_result_free(&res);
        free(a);
        free(b);
}

Test(explain, usage_errors)
{
        char *a = lab("lab-uki");
        const char *one[] = { "explain", a, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, one, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "two or more boots, or one boot and --platform") != NULL, "%s", res.err);
        tu_result_free(&res);
        free(a);
}

Test(explain, platform_policy)
{
        char *a = lab("lab-uki"), *b = lab("lab-uki-cmdline-b"), *c = lab("lab-uki-smp2");
        const char *contradicted[] = { "explain", "--format", "json", "-q", "--platform", "qemu-ovmf",
                                       a, b, NULL };
        const char *agreed[] = { "explain", "--format", "json", "-q", "--platform", "qemu-ovmf", a, c,
                                 NULL };
        const char *one[] = { "explain", "-q", "--platform", "qemu-ovmf", a, NULL };
        const char *unknown[] = { "explain", "-q", "--platform", "no-such-cloud", a, NULL };
        json_t *doc, *rows;
        struct tu_result res;

        /* Another command line is another image: the kernel command line
         * PCRs vary although the policy calls them stable per image. */
        doc = run_json(contradicted, 1);
        rows = json_object_get(doc, "pcrs");
        cr_expect_not_null(json_object_get(json_array_get(rows, 4), "contradiction"));
        cr_expect_null(json_object_get(json_array_get(rows, 10), "contradiction"));
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(rows, 0), "policy"),
                                                           "stability")), "varies-per-vm");
        json_decref(doc);
        /* Two vCPUs change PCR 0, which varies per VM in the policy. */
        doc = run_json(agreed, 0);
        cr_expect_eq(json_integer_value(json_object_get(doc, "contradictions")), 0);
        json_decref(doc);
        cr_assert(tu_run(&res, one, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s%s", res.out, res.err);
        cr_expect(strstr(res.out, "\nPCR 23\n  measures: ") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "  policy: unused, omit: ") != NULL, "%s", res.out);
        tu_result_free(&res);
        cr_assert(tu_run(&res, unknown, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "qemu-ovmf") != NULL, "the error does not list the platforms: %s", res.err);
        tu_result_free(&res);
        free(a);
        free(b);
        free(c);
}

/* An IMA list that belongs to another boot, or a boot without one, leaves
 * PCR 10 uncompared instead of explained by the wrong PCRs. */
Test(explain, foreign_or_missing_ima_list)
{
        char *uki = lab("lab-uki"), *smp2 = lab("lab-uki-smp2");
        char *dir = tu_tmpdir(), *log = tu_path_join(smp2, "eventlog.bin"), *ima = tu_path_join(uki, "ima.bin");
        size_t log_len = 0, ima_len = 0;
        char *log_data = tu_read_file(log, &log_len), *ima_data = tu_read_file(ima, &ima_len);
        const char *mixed[] = { "explain", "--format", "json", "-q", uki, dir, NULL };
        const char *plain[] = { "explain", "--format", "json", "-q", uki, log, NULL };
        const char *diff_args[] = { "diff", "-q", "--ima-b", ima, uki, log, NULL };
        const char *manifest = "files:\n- {file: eventlog.bin, format: tcg-crypto-agile}\n"
                               "- {file: ima.bin, format: ima-binary}\n";
        struct tu_result res;
        json_t *doc;
        const char *why;

        cr_assert(log_data && ima_data);
        free(tu_write_file(dir, "eventlog.bin", log_data, log_len));
        free(tu_write_file(dir, "ima.bin", ima_data, ima_len));
        free(tu_write_file(dir, "MANIFEST.yaml", manifest, strlen(manifest)));
        doc = run_json(mixed, 0);
        cr_expect_str_eq(explain_class(doc, 10), "not-covered");
        why = json_string_value(json_object_get(json_array_get(json_object_get(doc, "pcrs"), 10),
                                                "not_compared_because"));
        cr_expect(why && strstr(why, "the IMA list of boot 2 does not belong to its event log"), "%s", why);
        cr_expect_str_eq(explain_class(doc, 0), "varying");
        json_decref(doc);
        doc = run_json(plain, 0);
        why = json_string_value(json_object_get(json_array_get(json_object_get(doc, "pcrs"), 10),
                                                "not_compared_because"));
        cr_expect(why && strstr(why, "boot 2 has no IMA list"), "%s", why);
        json_decref(doc);
        cr_assert(tu_run(&res, diff_args, TIMEOUT));
        cr_expect_eq(res.exit_code, 1, "%s%s", res.out, res.err);
        cr_expect(strstr(res.out, "warning: B's IMA list does not belong to its event log") != NULL, "%s",
                  res.out);
        tu_result_free(&res);
        free(log_data);
        free(ima_data);
        free(log);
        free(ima);
        free(uki);
        free(smp2);
        tu_rmtree(dir);
}
