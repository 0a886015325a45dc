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
#include <yaml.h>

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
                "PCR  7  EV_EFI_VARIABLE_AUTHORITY          authority /C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=Microsoft Corporation UEFI CA 2011",
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
