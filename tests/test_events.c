/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `pcrsim events` on the real-world vectors: decoding, digest checks and
 * exit codes. The expected texts come from the boots recorded in the
 * vectors' manifests (GRUB commands, shim and GRUB paths, Secure Boot
 * certificates), not from pcrsim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <yaml.h>

#include "logbuilder.h"
#include "manifest.h"
#include "testutil.h"

#define TIMEOUT 120

/* Finds `needle` in `data`; memmem() is a GNU extension. */
static char *find_bytes(char *data, size_t size, const char *needle)
{
        size_t len = strlen(needle);

        for (size_t i = 0; len <= size && i <= size - len; i++)
                if (memcmp(data + i, needle, len) == 0)
                        return data + i;
        return NULL;
}

static const char *vectors_or_skip(void)
{
        const char *root = tu_shared_vectors();

        if (!root) {
                fprintf(stderr, "events: ../shared/vectors is absent, so the test is skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        return root;
}

static char *vector_path(const char *vector, const char *file)
{
        char *dir = tu_path_join(vectors_or_skip(), vector);
        char *path = tu_path_join(dir, file);

        free(dir);
        return path;
}

Test(events, shim_grub_boot_verifies)
{
        char *log = vector_path("qemu-ovmf-shim-grub-sb-ms", "eventlog.bin");
        const char *args[] = { "events", "--verify", log, NULL };
        static const char *const expected[] = {
                "PCR  8  EV_IPL                             grub_cmd: linux /vmlinuz",
                "PCR  8  EV_IPL                             kernel_cmdline: /vmlinuz console=ttyS0",
                "PCR  4  EV_EFI_BOOT_SERVICES_APPLICATION   image of 1048504 bytes from PciRoot(0x0)/Pci(0x1,0x0)/File(\\EFI\\BOOT\\BOOTX64.EFI)",
                "File(\\EFI\\BOOT\\grubx64.efi)",
                "empty device path",
                "PCR  7  EV_EFI_VARIABLE_AUTHORITY          authority CN=Microsoft Corporation UEFI CA 2011,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US",
                "PCR 14  EV_IPL                             MokList  ",
                "PCR 14  EV_IPL                             MokListX  ",
                "PCR 14  EV_IPL                             MokListTrusted  ",
        };
        struct tu_result res;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "exit %d: %s", res.exit_code, res.err);
        for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
                cr_expect(strstr(res.out, expected[i]) != NULL, "missing '%s' in:\n%s", expected[i],
                          res.out);
        cr_expect(strstr(res.out, "INVALID") == NULL, "%s", res.out);
        tu_result_free(&res);
        free(log);
}

Test(events, flipped_byte_fails_verify)
{
        char *log = vector_path("qemu-ovmf-shim-grub-sb-ms", "eventlog.bin");
        char *dir = tu_tmpdir(), *copy;
        size_t size;
        char *data = tu_read_file(log, &size);
        char *at = data ? find_bytes(data, size, "grub_cmd: set timeout=0") : NULL;
        const char *args[] = { "events", "--verify", NULL, NULL };
        struct tu_result res;

        cr_assert_not_null(at, "the GRUB command is not in %s", log);
        at[20] ^= 1;
        copy = tu_write_file(dir, "flipped.bin", data, size);
        args[2] = copy;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 1, "exit %d: %s", res.exit_code, res.err);
        cr_expect(strstr(res.err, "the first in event 35") != NULL, "%s", res.err);
        cr_expect(strstr(res.out, "    35  PCR  8") != NULL && strstr(res.out, "[INVALID]") != NULL,
                  "%s", res.out);
        tu_result_free(&res);
        free(copy);
        free(data);
        free(log);
        tu_rmtree(dir);
}

Test(events, uki_sections_checked)
{
        char *log = vector_path("qemu-ovmf-uki", "eventlog.bin");
        const char *args[] = { "events", "--pcrs", "11", "--format", "json", log, NULL };
        struct tu_result res;
        const char *p;
        int valid = 0, unchecked = 0;

        /* systemd-stub 252 logs .linux, .osrel, .cmdline and .initrd as two
         * events each: the name (checkable) and the contents (not). */
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        for (p = res.out; (p = strstr(p, "\"Verdict\": \"valid\"")) != NULL; p++)
                valid++;
        for (p = res.out; (p = strstr(p, "UKI section's contents")) != NULL; p++)
                unchecked++;
        cr_expect_eq(valid, 8, "4 sections x 2 banks of valid name digests, got %d", valid);
        cr_expect_eq(unchecked, 8, "4 sections x 2 banks of content digests, got %d", unchecked);
        tu_result_free(&res);
        free(log);
}

static bool yaml_parses(const char *text, size_t size)
{
        yaml_parser_t parser;
        yaml_document_t doc;
        bool ok;

        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, size);
        ok = yaml_parser_load(&parser, &doc) && yaml_document_get_root_node(&doc);
        if (ok)
                yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        return ok;
}

/* Lists whose manifest states "truncated entry" although every entry is
 * complete; the last one is an IMA violation (see test_ima_vectors.c). */
static bool complete_despite_manifest(const char *path)
{
        return strstr(path, "sml-ima-sha1-invalidated.bin") ||
               strstr(path, "sml-ima-sig-sha256-invalidated.bin");
}

static void check_file(const char *path, bool expect_error)
{
        const char *args[] = { "events", "--format", "yaml", path, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect(yaml_parses(res.out, res.out_len), "%s: the YAML does not parse", path);
        if (expect_error) {
                cr_expect_eq(res.exit_code, 2, "%s: exit %d", path, res.exit_code);
                cr_expect(strstr(res.out, "offset: \"0x") != NULL, "%s: no error record with an offset:\n%s",
                          path, res.out);
        } else {
                cr_expect_eq(res.exit_code, 0, "%s: exit %d: %s", path, res.exit_code, res.err);
        }
        tu_result_free(&res);
}

static unsigned check_vector(const char *root, const char *name)
{
        char *dir = tu_path_join(root, name), error[256];
        unsigned checked = 0;
        struct manifest m;

        cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s: %s", dir, error);
        for (size_t f = 0; f < m.file_count; f++) {
                const struct manifest_file *file = &m.files[f];
                char *path;

                if (!manifest_format_is_tcg_log(file->format) &&
                    !manifest_format_is_ima(file->format) && !file->expect_error)
                        continue;
                path = tu_path_join(dir, file->name);
                check_file(path, file->expect_error && !complete_despite_manifest(path));
                checked++;
                free(path);
        }
        manifest_free(&m);
        free(dir);
        return checked;
}

Test(events, every_log_dumps)
{
        const char *root = vectors_or_skip();
        unsigned checked = 0;
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);

        cr_assert_gt(count, 0, "no vectors under %s", root);
        for (long i = 0; i < count; i++)
                checked += check_vector(root, names[i]);
        manifest_free_names(names, count);
        fprintf(stderr, "events: %u logs dumped\n", checked);
        cr_expect_geq(checked, 80, "only %u logs found", checked);
}

/*
 * Diagnostics that real logs give because their data really is malformed:
 * - shim logs the kernel it loads with an empty device path followed by 8
 *   or 9 stray bytes;
 * - older shim releases log 6 stray bytes after the UEFI_VARIABLE_DATA of
 *   their authority events.
 */
static const char *const expected_diagnostics[] = {
        "after the UEFI_IMAGE_LOAD_EVENT structure",
        "after the UEFI_VARIABLE_DATA structure",
};

static void check_diagnostics(const char *path)
{
        const char *args[] = { "events", "--format", "json", path, NULL };
        json_t *doc, *events, *ev, *diag;
        struct tu_result res;
        size_t i, j;

        cr_assert(tu_run(&res, args, TIMEOUT));
        doc = json_loads(res.out, 0, NULL);
        events = json_object_get(doc, "events");
        json_array_foreach(events, i, ev) {
                json_array_foreach(json_object_get(json_object_get(ev, "Event"), "diagnostics"), j, diag) {
                        const char *text = json_string_value(diag);
                        bool known = false;

                        for (size_t k = 0; k < sizeof(expected_diagnostics) / sizeof(expected_diagnostics[0]); k++)
                                known = known || strstr(text, expected_diagnostics[k]) != NULL;
                        cr_expect(known, "%s: event %zu: unexpected diagnostic: %s", path, i, text);
                }
        }
        json_decref(doc);
        tu_result_free(&res);
}

Test(events, only_known_diagnostics)
{
        const char *root = vectors_or_skip();
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);

        cr_assert_gt(count, 0);
        for (long i = 0; i < count; i++) {
                char *dir = tu_path_join(root, names[i]), error[256];
                struct manifest m;

                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                for (size_t f = 0; f < m.file_count; f++) {
                        char *path;

                        if (!manifest_format_is_tcg_log(m.files[f].format) || m.files[f].expect_error)
                                continue;
                        path = tu_path_join(dir, m.files[f].name);
                        check_diagnostics(path);
                        free(path);
                }
                manifest_free(&m);
                free(dir);
        }
        manifest_free_names(names, count);
}

/* Golden outputs, written by tests/tools/regen-events-golden.sh and
 * reviewed when written; the first line, the input's path, is left out. */
Test(events, golden_yaml)
{
        static const char *const logs[][2] = {
                { "qemu-ovmf-shim-grub-sb-ms", "eventlog.bin" },
                { "ibmtss-dell-windows", "dell1.log" },
                { "gotpmtools-archlinux-systemd-boot", "arch-linux-workstation.bin" },
                { "gotpmtools-rhel8-gce-secureboot", "rhel8-uefi.bin" },
        };

        for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
                char *log = vector_path(logs[i][0], logs[i][1]), name[128], *golden_path, *golden;
                const char *args[] = { "events", "--format", "yaml", log, NULL };
                struct tu_result res;
                const char *body;
                size_t len;

                snprintf(name, sizeof(name), "tests/golden/events/%s.yaml", logs[i][0]);
                golden_path = tu_path_join(tu_source_root(), name);
                golden = tu_read_file(golden_path, &len);
                cr_assert_not_null(golden, "missing %s", golden_path);
                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 0, "%s: %s", log, res.err);
                body = strchr(res.out, '\n');
                cr_assert_not_null(body);
                body++;
                cr_expect(strlen(body) == len && memcmp(body, golden, len) == 0,
                          "%s: the output differs from %s", log, golden_path);
                tu_result_free(&res);
                free(golden);
                free(golden_path);
                free(log);
        }
}

/* Counts digests of one event type and PCR by verdict. */
static void count_verdicts(json_t *events, const char *type, long pcr, unsigned *valid,
                           unsigned *other)
{
        json_t *ev, *d;
        size_t i, j;

        json_array_foreach(events, i, ev) {
                if (strcmp(json_string_value(json_object_get(ev, "EventType")), type) != 0 ||
                    json_integer_value(json_object_get(ev, "PCRIndex")) != pcr)
                        continue;
                json_array_foreach(json_object_get(ev, "Digests"), j, d) {
                        if (strcmp(json_string_value(json_object_get(d, "Verdict")), "valid") == 0)
                                (*valid)++;
                        else
                                (*other)++;
                }
        }
}

Test(events, lab_boots_digests)
{
        static const char *const boots[] = {
                "qemu-ovmf-direct", "qemu-ovmf-direct-mem2g", "qemu-ovmf-shim-grub-sb-ms",
                "qemu-ovmf-uki", "qemu-ovmf-uki-cmdline-b", "qemu-ovmf-uki-ima-violations",
                "qemu-ovmf-uki-sb-snakeoil", "qemu-ovmf-uki-sha256only", "qemu-ovmf-uki-smp2",
        };

        for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++) {
                char *log = vector_path(boots[i], "eventlog.bin");
                const char *args[] = { "events", "--verify", "--format", "json", log, NULL };
                unsigned sb_valid = 0, sb_other = 0, ipl_valid = 0, ipl_other = 0;
                struct tu_result res;
                json_t *doc;

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 0, "%s: exit %d: %s", log, res.exit_code, res.err);
                doc = json_loads(res.out, 0, NULL);
                cr_assert_not_null(doc, "%s: the JSON does not parse", log);
                /* Secure Boot variables are always checkable and valid. */
                count_verdicts(json_object_get(doc, "events"), "EV_EFI_VARIABLE_DRIVER_CONFIG", 7,
                               &sb_valid, &sb_other);
                cr_expect(sb_valid >= 5 && sb_other == 0, "%s: PCR 7 variables: %u valid, %u not",
                          log, sb_valid, sb_other);
                /* GRUB commands (PCR 8) are all valid; UKI sections (PCR 11)
                 * are half valid names, half unchecked contents. */
                count_verdicts(json_object_get(doc, "events"), "EV_IPL", 8, &ipl_valid, &ipl_other);
                cr_expect_eq(ipl_other, 0, "%s: %u GRUB digests are not valid", log, ipl_other);
                ipl_valid = ipl_other = 0;
                count_verdicts(json_object_get(doc, "events"), "EV_IPL", 11, &ipl_valid, &ipl_other);
                cr_expect_eq(ipl_valid, ipl_other, "%s: PCR 11: %u valid, %u other", log, ipl_valid,
                             ipl_other);
                json_decref(doc);
                tu_result_free(&res);
                free(log);
        }
}

/* Appends a UEFI_VARIABLE_DATA with an ASCII name given as UTF-16 (the
 * name may contain NULs, so its length is explicit). */
static void put_variable(struct lb *b, const char *name, size_t name_len, const void *data,
                         size_t size)
{
        static const uint8_t global_variable[16] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
                                                     0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };

        lb_bytes(b, global_variable, 16);
        lb_u32(b, (uint32_t)name_len);
        lb_u32(b, 0);
        lb_u32(b, (uint32_t)size);
        lb_u32(b, 0);
        for (size_t i = 0; i < name_len; i++)
                lb_u16(b, (uint8_t)name[i]);
        lb_bytes(b, data, size);
}

static char *write_log_with_event(const char *dir, uint32_t pcr, uint32_t type, const struct lb *data)
{
        static const uint16_t algs[] = { LB_SHA256 };
        static const uint16_t sizes[] = { 32 };
        struct lb_digest d = lb_digest_fill(LB_SHA256, 32, 0x5a);
        struct lb b;
        char *path;

        lb_init(&b);
        lb_specid(&b, algs, sizes, 1, 2, 0);
        lb_agile_record(&b, pcr, type, &d, 1, data->data, (uint32_t)data->len);
        path = tu_write_file(dir, "log.bin", b.data, b.len);
        lb_free(&b);
        return path;
}

Test(events, text_cannot_be_forged)
{
        static const char description[] = "x\n     2  PCR  7  EV_EFI_VARIABLE_DRIVER_CONFIG  SecureBoot enabled  [valid]\n\x1b[8m";
        char *dir = tu_tmpdir(), *path;
        const char *args[] = { "events", NULL, NULL };
        struct tu_result res;
        struct lb option, var;

        /* A Boot0000 load option whose description carries a newline, a
         * forged event line and an escape sequence. */
        lb_init(&option);
        lb_u32(&option, 1);
        lb_u16(&option, 4);
        for (size_t i = 0; i < sizeof(description); i++)
                lb_u16(&option, (uint8_t)description[i]);
        lb_bytes(&option, "\x7f\xff\x04\x00", 4);
        lb_init(&var);
        put_variable(&var, "Boot0000", 8, option.data, option.len);
        path = write_log_with_event(dir, 1, 0x80000002, &var);
        args[1] = path;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strchr(res.out, '\x1b') == NULL, "an escape byte reached the output");
        cr_expect(strstr(res.out, "\n     2  PCR") == NULL, "a forged line appears:\n%s", res.out);
        cr_expect(strstr(res.out, "\\x0a") != NULL, "the newline is not shown escaped:\n%s", res.out);
        tu_result_free(&res);
        lb_free(&option);
        lb_free(&var);
        free(path);
        tu_rmtree(dir);
}

Test(events, nul_in_variable_name_reported)
{
        char *dir = tu_tmpdir(), *path;
        const char *args[] = { "events", NULL, NULL };
        struct tu_result res;
        struct lb var;

        /* "SecureBoot\0Evil" must not be shown as SecureBoot. */
        lb_init(&var);
        put_variable(&var, "SecureBoot\0Evil", 15, "\x01", 1);
        path = write_log_with_event(dir, 7, 0x80000001, &var);
        args[1] = path;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.out, "SecureBoot enabled") == NULL, "%s", res.out);
        cr_expect(strstr(res.out, "has a NUL at character 10") != NULL, "%s", res.out);
        tu_result_free(&res);
        lb_free(&var);
        free(path);
        tu_rmtree(dir);
}

Test(events, long_strings_cut_with_note)
{
        enum { TEXT_SIZE = 70000, NAME_CHARS = 40000 };
        char *dir = tu_tmpdir(), *path, *text = malloc(TEXT_SIZE), *name = malloc(NAME_CHARS);
        const char *args[] = { "events", "--format", "json", NULL, NULL };
        struct tu_result res;
        struct lb data;

        cr_assert(dir && text && name, "out of memory");

        /* An EV_IPL event of 70000 ASCII bytes renders its first 65536. */
        memset(text, 'a', TEXT_SIZE);
        lb_init(&data);
        lb_bytes(&data, text, TEXT_SIZE);
        path = write_log_with_event(dir, 8, 0x0000000D, &data);
        args[3] = path;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.out, "a... [cut at 65536 of 70000 bytes]") != NULL,
                  "no cut note in %zu bytes of output", res.out_len);
        text[65536] = '\0';
        cr_expect(strstr(res.out, text) != NULL, "the first 65536 bytes are not shown");
        tu_result_free(&res);
        lb_free(&data);
        free(path);

        /* A variable name of 40000 UTF-16 characters (80000 bytes) renders
         * its first 32768 characters. */
        memset(name, 'B', NAME_CHARS);
        lb_init(&data);
        put_variable(&data, name, NAME_CHARS, "\x01", 1);
        path = write_log_with_event(dir, 7, 0x80000001, &data);
        args[3] = path;
        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.out, "B... [cut at 65536 of 80000 bytes]") != NULL,
                  "no cut note in %zu bytes of output", res.out_len);
        tu_result_free(&res);
        lb_free(&data);
        free(path);

        free(name);
        free(text);
        tu_rmtree(dir);
}
