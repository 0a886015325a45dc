/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of pcrsim predict against recorded boots. The lab recorded the same
 * UKI with two kernel command lines (vectors/lab-uki and
 * vectors/lab-uki-cmdline-b). This test rebuilds both UKIs from the same
 * inputs with lab/mkinitrd and lab/mkuki, predicts each boot from the other
 * boot's event log and the UKI file, and requires the values that the TPM
 * reported for every PCR but 10, which IMA extends after the boot. It is in
 * the lab suite because it downloads Debian's kernel package.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
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

#define TIMEOUT 120
#define STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

/* SHA-256 of the lab kernel and of the two UKIs, from the inputs section
 * of the vectors' manifests. */
#define LAB_KERNEL "85667e6c72245133bd7e3e80bac7d16b26fda15c0a3c68faa4b713850ea526cd"
#define UKI_A "e44dfa5724b0678c6fd78023bbd020faf16a0170f665def2526e681f6255eeec"
#define UKI_B "bb46ed851f78634f6201f0b11a64e26d867adc718029f415a9199fa06dab6d13"
#define CMDLINE_A \
        "console=ttyS0 panic=-1 ima_policy=tcb|critical_data ima_template=ima-ng ima_hash=sha256"
#define CMDLINE_B CMDLINE_A " lab.variant=b"

extern char **environ;

static int run_program(const char *const *argv, const char *out_path)
{
        posix_spawn_file_actions_t actions;
        pid_t pid;
        int status = -1;

        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        if (posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ) == 0)
                waitpid(pid, &status, 0);
        posix_spawn_file_actions_destroy(&actions);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool sha256_hex(const char *path, char out[65])
{
        size_t size = 0;
        char *data = tu_read_file(path, &size);
        unsigned char digest[32];
        unsigned len = 0;

        if (!data)
                return false;
        EVP_Digest(data, size, digest, &len, EVP_sha256(), NULL);
        free(data);
        for (unsigned i = 0; i < 32; i++)
                snprintf(out + 2 * i, 3, "%02x", digest[i]);
        return true;
}

static char *source(const char *rel)
{
        return tu_path_join(tu_source_root(), rel);
}

/* The kernel that build_ukis() fetched. */
static char lab_vmlinuz[4096];

/* Fetches the kernel as lab/record does and builds the two UKIs into
 * `dir`, with the initrd as initrd.cpio.gz. Skips the test when the kernel or a lab input differs from the
 * recording, since then the recorded values cannot be expected. */
static void build_ukis(const char *dir)
{
        char *fetch = source("lab/fetch-kernel"), *mkinitrd = source("lab/mkinitrd");
        char *mkuki = source("lab/mkuki"), *osrel = source("lab/os-release");
        const char *home = getenv("HOME");
        char cache[4096], vmlinuz[4096] = "", digest[65];
        char *log = tu_path_join(dir, "build.log"), *initrd = tu_path_join(dir, "initrd.cpio.gz");
        char *a = tu_write_file(dir, "cmdline-a.txt", CMDLINE_A, strlen(CMDLINE_A));
        char *b = tu_write_file(dir, "cmdline-b.txt", CMDLINE_B, strlen(CMDLINE_B));
        char *uki_a = tu_path_join(dir, "uki-a.efi"), *uki_b = tu_path_join(dir, "uki-b.efi");
        char *text;

        if (access(STUB, R_OK) != 0)
                cr_skip_test("predict: %s is missing (package systemd-boot-efi)", STUB);
        snprintf(cache, sizeof(cache), "%s/.cache/pcrsim-lab", home ? home : "/tmp");
        if (getenv("PCRSIM_LAB_CACHE"))
                snprintf(cache, sizeof(cache), "%s", getenv("PCRSIM_LAB_CACHE"));
        {
                const char *argv[] = { fetch, cache, NULL };

                if (run_program(argv, log) != 0) {
                        fprintf(stderr, "predict: Debian's kernel package could not be fetched, so the test is skipped\n");
                        cr_skip_test("no kernel");
                }
        }
        text = tu_read_file(log, NULL);
        if (text && strstr(text, "vmlinuz="))
                sscanf(strstr(text, "vmlinuz=") + 8, "%4095s", vmlinuz);
        free(text);
        cr_assert(vmlinuz[0], "lab/fetch-kernel printed no vmlinuz= line");
        snprintf(lab_vmlinuz, sizeof(lab_vmlinuz), "%s", vmlinuz);
        cr_assert(sha256_hex(vmlinuz, digest));
        if (strcmp(digest, LAB_KERNEL) != 0) {
                fprintf(stderr, "predict: Debian's kernel is now %s, not the recorded %s, so the recorded values do not apply and the test is skipped\n",
                        digest, LAB_KERNEL);
                cr_skip_test("another kernel");
        }
        {
                const char *argv_i[] = { mkinitrd, initrd, "/bin/busybox", NULL };
                const char *argv_a[] = { mkuki, STUB, vmlinuz, initrd, a, osrel, uki_a, NULL };
                const char *argv_b[] = { mkuki, STUB, vmlinuz, initrd, b, osrel, uki_b, NULL };

                cr_assert_eq(run_program(argv_i, log), 0, "lab/mkinitrd failed, see %s", log);
                cr_assert_eq(run_program(argv_a, log), 0, "lab/mkuki failed, see %s", log);
                cr_assert_eq(run_program(argv_b, log), 0, "lab/mkuki failed, see %s", log);
        }
        cr_assert(sha256_hex(uki_a, digest));
        if (strcmp(digest, UKI_A) != 0)
                cr_skip_test("predict: the rebuilt UKI is %s, not the recorded %s (another busybox-static or systemd-boot-efi?)",
                             digest, UKI_A);
        cr_assert(sha256_hex(uki_b, digest));
        cr_assert_str_eq(digest, UKI_B, "UKI B rebuilt as %s, UKI A as recorded", digest);
        free(fetch); free(mkinitrd); free(mkuki); free(osrel); free(log); free(initrd);
        free(a); free(b); free(uki_a); free(uki_b);
}

/* Requires the predicted JSON (--bank all) to equal the recorded values
 * of `vector` in both banks for every PCR but 10. */
static void expect_recorded(const char *json, const char *vector)
{
        static const char *const banks[] = { "sha1", "sha256" };
        json_t *doc = json_loads(json, 0, NULL);

        cr_assert(json_is_object(doc), "not JSON: %s", json);
        for (size_t i = 0; i < 2; i++) {
                char name[64], *path;
                json_t *recorded, *predicted = json_object_get(doc, banks[i]);

                snprintf(name, sizeof(name), "vectors/%s/pcrs-%s.json", vector, banks[i]);
                path = source(name);
                recorded = json_load_file(path, 0, NULL);
                cr_assert(recorded && predicted, "%s or the %s bank is missing", path, banks[i]);
                for (unsigned pcr = 0; pcr < 24; pcr++) {
                        char key[4], hex[129] = "";
                        const char *b64;
                        unsigned char raw[64];
                        int n;

                        if (pcr == 10)
                                continue;
                        snprintf(key, sizeof(key), "%u", pcr);
                        b64 = json_string_value(json_object_get(predicted, key));
                        cr_assert_not_null(b64, "%s PCR %u not predicted", banks[i], pcr);
                        n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
                        n -= (int)(strlen(b64) > 1 && b64[strlen(b64) - 1] == '=') +
                             (int)(strlen(b64) > 2 && b64[strlen(b64) - 2] == '=');
                        for (int k = 0; k < n && k < 64; k++)
                                snprintf(hex + 2 * k, 3, "%02x", raw[k]);
                        cr_expect_str_eq(hex, json_string_value(json_object_get(recorded, key)),
                                         "%s PCR %u: predicted %s, the TPM reported %s", banks[i], pcr,
                                         hex, json_string_value(json_object_get(recorded, key)));
                }
                json_decref(recorded);
                free(path);
        }
        json_decref(doc);
}

/* Requires the file at `path` to equal the event log of `vector`, byte for
 * byte. */
static void expect_same_log(const char *path, const char *vector)
{
        char rel[128], *recorded_path, *predicted, *recorded;
        size_t predicted_size = 0, recorded_size = 0;

        snprintf(rel, sizeof(rel), "vectors/%s/eventlog.bin", vector);
        recorded_path = source(rel);
        predicted = tu_read_file(path, &predicted_size);
        recorded = tu_read_file(recorded_path, &recorded_size);
        cr_assert(predicted && recorded, "%s or %s is missing", path, recorded_path);
        cr_expect(predicted_size == recorded_size && memcmp(predicted, recorded, recorded_size) == 0,
                  "the predicted log %s differs from %s", path, recorded_path);
        free(predicted);
        free(recorded);
        free(recorded_path);
}

/* Predicts `vector` from the boot `base` and the UKI file, and requires
 * the TPM's values and, since both boots put the UKIs at the same place,
 * the recorded event log itself. */
static void predict(const char *base, const char *uki, const char *vector, const char *dir)
{
        char *base_dir = source(base), *log = tu_path_join(dir, "predicted.log");
        const char *args[] = { "predict", "--base", base_dir, "--uki", uki, "--bank", "all",
                               "--format", "json", "-q", "--write-log", log, NULL };
        struct tu_result res;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_assert_eq(res.exit_code, 0, "predict from %s: exit %d: %s", base, res.exit_code, res.err);
        expect_recorded(res.out, vector);
        expect_same_log(log, vector);
        tu_result_free(&res);
        free(base_dir);
        free(log);
}

/* Writes `dir`/NAME: the event log of vectors/lab-uki with one more
 * EV_IPL record in `pcr` (sha1 and sha256 digests of zeros, and the event
 * data "x" in UTF-16 with its NUL). */
static char *log_with_extra_event(const char *dir, const char *name, uint32_t pcr)
{
        char *src = source("vectors/lab-uki/eventlog.bin"), *path;
        size_t size = 0;
        char *log = tu_read_file(src, &size);
        unsigned char extra[4 + 4 + 4 + 2 + 20 + 2 + 32 + 4 + 4] = { 0 };
        char *all;

        cr_assert_not_null(log, "%s", src);
        extra[0] = (unsigned char)pcr;
        extra[4] = 0x0D;        /* EV_IPL */
        extra[8] = 2;           /* two digests */
        extra[12] = 0x04;       /* sha1 */
        extra[34] = 0x0B;       /* sha256 */
        extra[68] = 4;          /* event size */
        extra[72] = 'x';
        all = malloc(size + sizeof(extra));
        cr_assert_not_null(all);
        memcpy(all, log, size);
        memcpy(all + size, extra, sizeof(extra));
        path = tu_write_file(dir, name, all, size + sizeof(extra));
        free(all);
        free(log);
        free(src);
        return path;
}

Test(predict, other_cmdline_from_recorded_boot, .timeout = 300)
{
        char *dir = tu_tmpdir(), *uki_a = tu_path_join(dir, "uki-a.efi");
        char *uki_b = tu_path_join(dir, "uki-b.efi");

        build_ukis(dir);
        /* Each boot from the other's event log. */
        predict("vectors/lab-uki", uki_b, "lab-uki-cmdline-b", dir);
        predict("vectors/lab-uki-cmdline-b", uki_a, "lab-uki", dir);
        {
                /* The stub names its version in .sdmagic: 252.39 in Debian 12. */
                char *base = source("vectors/lab-uki");
                const char *detect[] = { "predict", "--base", base, "--uki", uki_b, "--explain", NULL };
                const char *other[] = { "predict", "--base", base, "--uki", uki_b, "--systemd-stub-version", "254",
                                        NULL };
                struct tu_result res;

                cr_assert(tu_run(&res, detect, TIMEOUT));
                cr_expect_eq(res.exit_code, 0, "%s", res.err);
                cr_expect(strstr(res.err, "systemd-stub 252 measurements (the version in the stub's .sdmagic section)") != NULL,
                          "%s", res.err);
                tu_result_free(&res);
                cr_assert(tu_run(&res, other, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "not the version 254 given") != NULL, "%s", res.err);
                tu_result_free(&res);
                free(base);
        }
        /* A command line from the boot loader (PCR 12) or a system
         * extension (PCR 13) replaces .cmdline or joins the initrd. */
        for (uint32_t pcr = 12; pcr <= 13; pcr++) {
                char *log = log_with_extra_event(dir, pcr == 12 ? "pcr12.log" : "pcr13.log", pcr);
                const char *args[] = { "predict", "--base", log, "--uki", uki_b, NULL };
                struct tu_result res;
                char want[64];

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                snprintf(want, sizeof(want), "into PCR %u;", pcr);
                cr_expect(strstr(res.err, "systemd-stub measured a command line") != NULL, "%s", res.err);
                cr_expect(strstr(res.err, want) != NULL, "%s", res.err);
                tu_result_free(&res);
                free(log);
        }
        free(uki_a);
        free(uki_b);
        tu_rmtree(dir);
}

Test(predict, refuses_other_boot_structures, .timeout = 300)
{
        char *direct = source("vectors/lab-direct"), *busybox = strdup("/bin/busybox");
        char *uki = source("vectors/lab-uki/eventlog.bin"), *base = source("vectors/lab-uki");
        const char *from_direct[] = { "predict", "--base", direct, "--uki", uki, NULL };
        const char *not_pe[] = { "predict", "--base", base, "--uki", busybox, NULL };
        const char *missing[] = { "predict", "--base", base, NULL };
        struct tu_result res;

        /* The direct boot's kernel was loaded before the separator, and its
         * digest is not a file's, so predict rejects the base boot. */
        cr_assert(tu_run(&res, from_direct, TIMEOUT));
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strstr(res.err, "direct kernel boot") != NULL && strstr(res.err, "--kernel") != NULL,
                  "%s", res.err);
        tu_result_free(&res);
        /* The error names the file that is not a PE image. */
        cr_assert(tu_run(&res, not_pe, TIMEOUT));
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strncmp(res.err, "pcrsim: /bin/busybox: offset 0x0: e_magic", 41) == 0, "%s", res.err);
        tu_result_free(&res);
        cr_assert(tu_run(&res, missing, TIMEOUT));
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strstr(res.err, "needs --base, and either --uki or --kernel") != NULL, "%s", res.err);
        tu_result_free(&res);
        {
                const char *both[] = { "predict", "--base", base, "--uki", uki, "--kernel", uki, NULL };
                const char *absent[] = { "predict", "--base", base, "--uki", "/nonexistent/uki.efi", NULL };

                const char *repeated[] = { "predict", "--base", base, "--uki", uki, "--uki", uki, NULL };

                cr_assert(tu_run(&res, both, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "--uki and --kernel exclude each other") != NULL, "%s", res.err);
                tu_result_free(&res);
                cr_assert(tu_run(&res, repeated, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "--uki is given twice") != NULL, "%s", res.err);
                tu_result_free(&res);
                /* A file that cannot be read is an I/O error. */
                cr_assert(tu_run(&res, absent, TIMEOUT));
                cr_expect_eq(res.exit_code, 3, "%s", res.err);
                cr_expect(strstr(res.err, "cannot open /nonexistent/uki.efi") != NULL, "%s", res.err);
        }
        tu_result_free(&res);
        free(direct);
        free(busybox);
        free(uki);
        free(base);
}

/* Writes the predicted values of lab-direct from its own recording and
 * the same files; `memory` NULL leaves out --qemu-memory. */
static void predict_direct(const char *dir, const char *memory, struct tu_result *res)
{
        char *base = source("vectors/lab-direct"), *initrd = tu_path_join(dir, "initrd.cpio.gz");
        const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                               "--cmdline", CMDLINE_A, "--bank", "all", "--format", "json", "--explain",
                               memory ? "--qemu-memory" : NULL, memory, NULL };

        cr_assert(tu_run(res, args, TIMEOUT));
        cr_assert_eq(res->exit_code, 0, "predict: exit %d: %s", res->exit_code, res->err);
        free(base);
        free(initrd);
}

/* vectors/lab-direct booted 1 GiB; the TPM's PCR 4 contains the digest of
 * the kernel that QEMU patched with the initrd's address. */
Test(predict, direct_boot_with_memory_size, .timeout = 300)
{
        char *dir = tu_tmpdir();
        struct tu_result res;

        build_ukis(dir);
        predict_direct(dir, "1024", &res);
        expect_recorded(res.out, "lab-direct");
        /* sha256 of the manifest's boot_aggregate, from the guest's IMA list. */
        cr_expect(strstr(res.err, "sha256:d966484c6d3259208058b3c7f181b1b4f3f6178faed97395f1f3b2075fdca35e"),
                  "%s", res.err);
        tu_result_free(&res);
        {
                /* The same files give the recorded log back, byte for byte. */
                char *base = source("vectors/lab-direct"), *initrd = tu_path_join(dir, "initrd.cpio.gz");
                char *log = tu_path_join(dir, "direct.log");
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--cmdline", CMDLINE_A, "--qemu-memory", "1024", "-q", "--write-log", log,
                                       "-o", "/dev/null", NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                expect_same_log(log, "lab-direct");
                tu_result_free(&res);
                free(base);
                free(initrd);
                free(log);
        }
        /* The same amount in GiB. */
        predict_direct(dir, "1G", &res);
        expect_recorded(res.out, "lab-direct");
        tu_result_free(&res);
        {
                char *base = source("vectors/lab-direct"), *initrd = tu_path_join(dir, "initrd.cpio.gz");
                char *ba = tu_path_join(dir, "boot_aggregate.txt"), *text;
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--cmdline", CMDLINE_A, "--qemu-memory", "1024", "-q",
                                       "--boot-aggregate", ba, NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                cr_expect_str_eq(res.err, "", "-q printed %s", res.err);
                text = tu_read_file(ba, NULL);
                cr_expect_str_eq(text, "sha256:d966484c6d3259208058b3c7f181b1b4f3f6178faed97395f1f3b2075fdca35e\n");
                free(text);
                tu_result_free(&res);
                free(base);
                free(initrd);
                free(ba);
        }
        tu_rmtree(dir);
}

Test(predict, direct_boot_omits_pcr_4, .timeout = 300)
{
        char *dir = tu_tmpdir();
        struct tu_result res;
        json_t *doc;

        build_ukis(dir);
        predict_direct(dir, NULL, &res);
        doc = json_loads(res.out, 0, NULL);
        cr_assert_not_null(doc, "%s", res.out);
        cr_expect_null(json_object_get(json_object_get(doc, "sha256"), "4"), "PCR 4 was printed");
        cr_expect_not_null(json_object_get(json_object_get(doc, "sha256"), "9"));
        cr_expect(strstr(res.err, "PCR 4 is not predicted") != NULL, "%s", res.err);
        /* Left out, PCR 4 is not listed as an assumption. */
        cr_expect(strstr(res.err, "base event 10 EV_EFI_BOOT_SERVICES_APPLICATION") == NULL, "%s", res.err);
        /* The boot_aggregate covers PCR 4, so it is not predicted either. */
        cr_expect(strstr(res.err, "covers PCR 4, which is not predicted") != NULL, "%s", res.err);
        json_decref(doc);
        tu_result_free(&res);
        {
                /* A log with the base boot's PCR 4 would not be a prediction. */
                char *base = source("vectors/lab-direct"), *initrd = tu_path_join(dir, "initrd.cpio.gz");
                char *log = tu_path_join(dir, "predicted.log");
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--cmdline", CMDLINE_A, "--write-log", log, NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "--write-log") != NULL, "%s", res.err);
                cr_expect(access(log, F_OK) != 0, "%s was written", log);
                tu_result_free(&res);
                free(base);
                free(initrd);
                free(log);
        }
        tu_rmtree(dir);
}

Test(predict, kernel_needs_a_direct_boot_base, .timeout = 300)
{
        char *base = source("vectors/lab-uki"), *dir = tu_tmpdir(), *initrd;
        struct tu_result res;

        build_ukis(dir);
        initrd = tu_path_join(dir, "initrd.cpio.gz");
        {
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd",
                                       initrd, "--cmdline", "", NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "not a QEMU direct kernel boot") != NULL, "%s", res.err);
                tu_result_free(&res);
        }
        {
                /* lab-direct loaded an initrd: leaving it out is an error. */
                char *direct = source("vectors/lab-direct");
                const char *args[] = { "predict", "--base", direct, "--kernel", lab_vmlinuz, "--cmdline", "",
                                       NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "give the new one with --initrd") != NULL, "%s", res.err);
                tu_result_free(&res);
                free(direct);
        }
        free(initrd);
        free(base);
        tu_rmtree(dir);
}

/* The grub.cfg that the lab's shim and GRUB boot ran, as GRUB logged it
 * in PCR 8 (event "menuentry ..."). The file's own bytes were not kept. */
static const char lab_grub_cfg[] =
        "set timeout=0\n"
        "set default=0\n"
        "menuentry measured-boot-lab {\n"
        "  linux /vmlinuz console=ttyS0 panic=-1 \"ima_policy=tcb|critical_data\" ima_template=ima-ng "
        "ima_hash=sha256\n"
        "  initrd /initrd.cpio.gz\n"
        "}\n";

/* Requires the predicted values of `pcrs` (hex in the JSON of predict
 * --bank all) to equal the TPM values in folder `vector`. */
static void expect_pcrs(const char *json, const char *vector, const unsigned *pcrs, size_t count)
{
        static const char *const banks[] = { "sha1", "sha256" };
        json_t *doc = json_loads(json, 0, NULL);

        cr_assert(json_is_object(doc), "not JSON: %s", json);
        for (size_t i = 0; i < 2; i++) {
                char name[64], *path;
                json_t *recorded;

                snprintf(name, sizeof(name), "pcrs-%s.json", banks[i]);
                path = tu_path_join(vector, name);
                recorded = json_load_file(path, 0, NULL);
                cr_assert_not_null(recorded, "%s", path);
                for (size_t k = 0; k < count; k++) {
                        char key[4], hex[129] = "";
                        const char *b64;
                        unsigned char raw[64];
                        int n;

                        snprintf(key, sizeof(key), "%u", pcrs[k]);
                        b64 = json_string_value(json_object_get(json_object_get(doc, banks[i]), key));
                        cr_assert_not_null(b64, "%s PCR %u not predicted", banks[i], pcrs[k]);
                        n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
                        n -= (int)(b64[strlen(b64) - 1] == '=') + (int)(b64[strlen(b64) - 2] == '=');
                        for (int j = 0; j < n && j < 64; j++)
                                snprintf(hex + 2 * j, 3, "%02x", raw[j]);
                        cr_expect_str_eq(hex, json_string_value(json_object_get(recorded, key)),
                                         "%s PCR %u: predicted %s", banks[i], pcrs[k], hex);
                }
                json_decref(recorded);
                free(path);
        }
        json_decref(doc);
}

/* The shared vector qemu-ovmf-shim-grub-sb-ms booted the lab kernel through
 * Debian's shim and GRUB. Its initrd was another build, so PCR 9 differs;
 * PCR 8 comes from running the grub.cfg and must match what GRUB logged. */
Test(predict, grub_boot_from_its_config, .timeout = 300)
{
        const char *shared = tu_shared_vectors();
        static const unsigned pcrs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 };
        char *dir, *base, *initrd, *cfg;
        struct tu_result res;

        if (!shared) {
                fprintf(stderr, "predict: the shared vectors are absent, so the GRUB boot is not predicted\n");
                cr_skip_test("no shared vectors");
        }
        dir = tu_tmpdir();
        build_ukis(dir);
        base = tu_path_join(shared, "qemu-ovmf-shim-grub-sb-ms");
        initrd = tu_path_join(dir, "initrd.cpio.gz");
        cfg = tu_write_file(dir, "grub.cfg", lab_grub_cfg, strlen(lab_grub_cfg));
        {
                const char *with_cfg[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                           "--grub-cfg", cfg, "-b", "all", "-f", "json", "--explain", NULL };
                const char *without_cfg[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd",
                                              initrd, "-b", "all", "-f", "json", "--explain", NULL };

                cr_assert(tu_run(&res, with_cfg, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                expect_pcrs(res.out, base, pcrs, sizeof(pcrs) / sizeof(pcrs[0]));
                cr_expect(strstr(res.err, "PCR 9, base event 34: file grub.cfg") != NULL, "%s", res.err);
                tu_result_free(&res);

                /* Without the grub.cfg, GRUB's logged commands are kept. */
                cr_assert(tu_run(&res, without_cfg, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                expect_pcrs(res.out, base, pcrs, sizeof(pcrs) / sizeof(pcrs[0]));
                cr_expect(strstr(res.err, "a GRUB command: assumed unchanged (give --grub-cfg)") != NULL, "%s",
                          res.err);
                cr_expect(strstr(res.err, "shim: assumed unchanged (give --shim)") != NULL, "%s", res.err);
                tu_result_free(&res);
        }
        {
                /* GRUB takes the command line from grub.cfg. */
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--cmdline", "quiet", NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "give --grub-cfg instead of --cmdline") != NULL, "%s", res.err);
                tu_result_free(&res);
        }
        {
                /* A config that pcrsim cannot run names the file and line. */
                static const char with_if[] = "set timeout=0\nif [ -e /x ]; then\n echo\nfi\n";
                char *bad = tu_write_file(dir, "bad.cfg", with_if, strlen(with_if));
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--grub-cfg", bad, NULL };
                char prefix[4200];

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                snprintf(prefix, sizeof(prefix), "pcrsim: %s: line 2", bad);
                cr_expect(strncmp(res.err, prefix, strlen(prefix)) == 0, "%s", res.err);
                cr_expect(strstr(res.err, "'if'") != NULL, "%s", res.err);
                tu_result_free(&res);
                free(bad);
        }
        {
                /* --shim must be a PE image: the error names it. */
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--shim", cfg, NULL };
                char prefix[4200];

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                snprintf(prefix, sizeof(prefix), "pcrsim: %s: offset 0x0: e_magic", cfg);
                cr_expect(strncmp(res.err, prefix, strlen(prefix)) == 0, "%s", res.err);
                tu_result_free(&res);
        }
        free(base);
        free(initrd);
        free(cfg);
        tu_rmtree(dir);
}

/* SHA-256 of Debian's shimx64.efi.signed 1.51~1+deb12u1+16.1-2~deb12u1, from
 * the inputs of vectors/lab-shim-grub, and where its .vendor_cert section
 * keeps the certificate (objdump -h: file offset 0xbb000, then the four
 * 32-bit fields of the section header). */
#define LAB_SHIM "0fc347af103ec1dfac6e3f184c0a5241a2ce756a0932b359c404d39c45423806"
#define SHIM_CERT_OFFSET (0xbb000 + 16)
#define SHIM_CERT_SIZE 930

/* Fetches shim and GRUB as lab/record does into `shim` and `grub`. */
static void fetch_boot_chain(const char *dir, char *shim, char *grub, size_t cap)
{
        char *fetch = source("lab/fetch-boot-chain"), *log = tu_path_join(dir, "fetch.log"), *text;
        const char *home = getenv("HOME");
        char cache[4096];
        const char *argv[] = { fetch, cache, NULL };

        snprintf(cache, sizeof(cache), "%s/.cache/pcrsim-lab", home ? home : "/tmp");
        if (getenv("PCRSIM_LAB_CACHE"))
                snprintf(cache, sizeof(cache), "%s", getenv("PCRSIM_LAB_CACHE"));
        if (run_program(argv, log) != 0) {
                fprintf(stderr, "predict: Debian's shim and GRUB could not be fetched, so the test is skipped\n");
                cr_skip_test("no shim");
        }
        text = tu_read_file(log, NULL);
        cr_assert(text && strstr(text, "\nshim=") && strstr(text, "\ngrub="), "%s", text ? text : "");
        sscanf(strstr(text, "\nshim=") + 6, "%4095s", shim);
        sscanf(strstr(text, "\ngrub=") + 6, "%4095s", grub);
        (void)cap;
        free(text);
        free(fetch);
        free(log);
}

/* Returns the value of the "new sha256" line after `label` in --explain. */
static void explained_new_digest(const char *err, const char *label, char hex[65])
{
        const char *at = strstr(err, label), *line;

        cr_assert_not_null(at, "%s not in %s", label, err);
        line = strstr(at, "new sha256 ");
        cr_assert_not_null(line, "%s", at);
        snprintf(hex, 65, "%.64s", line + 11);
}

/* shim's PCR 14 lists and PCR 7 MokListRT event come from its built-in
 * certificate. The lab's shim reproduces the recorded events. A copy with
 * one certificate byte changed gives the list computed here by hand: an
 * EFI_SIGNATURE_LIST with EFI_CERT_X509_GUID, sizes 974, 0 and 946, then
 * SHIM_LOCK_GUID as owner and the certificate. */
Test(predict, shim_lists_from_vendor_certificate, .timeout = 300)
{
        static const unsigned char x509[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
                                                0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };
        static const unsigned char owner[16] = { 0x50, 0xab, 0x5d, 0x60, 0x46, 0xe0, 0x00, 0x43,
                                                 0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23 };
        static const unsigned char sizes[12] = { 0xce, 0x03, 0, 0, 0, 0, 0, 0, 0xb2, 0x03, 0, 0 };
        static const unsigned pcrs[] = { 7, 14 };
        char *dir = tu_tmpdir(), *base = source("vectors/lab-shim-grub"), *initrd, *changed;
        char shim[4096] = "", grub[4096] = "", digest[65], hex[65], expected[65];
        unsigned char list[44 + SHIM_CERT_SIZE], md[32];
        unsigned len = 0;
        size_t size = 0;
        char *data;
        struct tu_result res;

        build_ukis(dir);
        fetch_boot_chain(dir, shim, grub, sizeof(shim));
        cr_assert(sha256_hex(shim, digest));
        if (strcmp(digest, LAB_SHIM) != 0)
                cr_skip_test("predict: Debian's shim is now %s, not the recorded %s", digest, LAB_SHIM);
        initrd = tu_path_join(dir, "initrd.cpio.gz");
        {
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--shim", shim, "--grub", grub, "-b", "all", "-f", "json", "--explain",
                                       NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                expect_pcrs(res.out, base, pcrs, 2);
                cr_expect(strstr(res.err, "shim's certificate: MokList (unchanged)") != NULL, "%s", res.err);
                cr_expect(strstr(res.err, "shim's revocation list: MokListX (unchanged)") != NULL, "%s", res.err);
                cr_expect(strstr(res.err, "shim's certificate: MokListRT authority (unchanged)") != NULL, "%s",
                          res.err);
                tu_result_free(&res);
        }
        data = tu_read_file(shim, &size);
        cr_assert(data && size > SHIM_CERT_OFFSET + SHIM_CERT_SIZE);
        data[SHIM_CERT_OFFSET + 100] ^= 0x01;
        changed = tu_write_file(dir, "shim-changed.efi", data, size);
        memcpy(list, x509, 16);
        memcpy(list + 16, sizes, 12);
        memcpy(list + 28, owner, 16);
        memcpy(list + 44, data + SHIM_CERT_OFFSET, SHIM_CERT_SIZE);
        EVP_Digest(list, sizeof(list), md, &len, EVP_sha256(), NULL);
        for (unsigned i = 0; i < 32; i++)
                snprintf(expected + 2 * i, 3, "%02x", md[i]);
        {
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--shim", changed, "-q", "--explain", NULL };

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                explained_new_digest(res.err, "shim's certificate: MokList\n", hex);
                cr_expect_str_eq(hex, expected);
                cr_expect(strstr(res.err, "shim's revocation list: MokListX (unchanged)") != NULL, "%s", res.err);
                cr_expect(strstr(res.err, "shim's certificate: MokListRT authority\n") != NULL, "%s", res.err);
                tu_result_free(&res);
        }
        {
                /* GRUB is no shim: it has no built-in certificate. */
                const char *args[] = { "predict", "--base", base, "--kernel", lab_vmlinuz, "--initrd", initrd,
                                       "--shim", grub, NULL };
                char prefix[4200];

                cr_assert(tu_run(&res, args, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                snprintf(prefix, sizeof(prefix), "pcrsim: %s:", grub);
                cr_expect(strncmp(res.err, prefix, strlen(prefix)) == 0, "%s", res.err);
                cr_expect(strstr(res.err, "no .vendor_cert section, so it is not a shim") != NULL, "%s", res.err);
                tu_result_free(&res);
        }
        free(data);
        free(changed);
        free(initrd);
        free(base);
        tu_rmtree(dir);
}

/* vectors/lab-uki-credentials booted UKI A with two system credentials in
 * \loader\credentials; their contents are in its manifest. */
Test(predict, global_credentials, .timeout = 300)
{
        char *dir = tu_tmpdir(), *uki_a = tu_path_join(dir, "uki-a.efi");
        char *hello = tu_write_file(dir, "hello.cred", "hello credential\n", 17);
        char *abc = tu_write_file(dir, "abc.cred", "second\n", 7);
        char *bad = tu_write_file(dir, "notes.txt", "x", 1);
        char *plain = source("vectors/lab-uki"), *with = source("vectors/lab-uki-credentials");
        struct tu_result res;

        build_ukis(dir);
        {
                /* Added to a boot without credentials, and replaced in one
                 * with them; the order of the options does not matter. */
                const char *from_plain[] = { "predict", "--base", plain, "--uki", uki_a, "--credential", hello,
                                             "--credential", abc, "-b", "all", "-f", "json", "-q", NULL };
                const char *from_itself[] = { "predict", "--base", with, "--uki", uki_a, "--credential", abc,
                                              "--credential", hello, "-b", "all", "-f", "json", "-q", NULL };

                cr_assert(tu_run(&res, from_plain, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                expect_recorded(res.out, "lab-uki-credentials");
                tu_result_free(&res);
                cr_assert(tu_run(&res, from_itself, TIMEOUT));
                cr_assert_eq(res.exit_code, 0, "%s", res.err);
                expect_recorded(res.out, "lab-uki-credentials");
                tu_result_free(&res);
        }
        {
                const char *missing[] = { "predict", "--base", with, "--uki", uki_a, NULL };
                const char *wrong_name[] = { "predict", "--base", plain, "--uki", uki_a, "--credential", bad, NULL };

                cr_assert(tu_run(&res, missing, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "give the new boot's credentials with --credential") != NULL, "%s",
                          res.err);
                tu_result_free(&res);
                cr_assert(tu_run(&res, wrong_name, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strncmp(res.err, "pcrsim: credential 'notes.txt'", 30) == 0, "%s", res.err);
                tu_result_free(&res);
        }
        {
                /* One ESP folder cannot hold two files of one name. */
                char *sub = tu_path_join(dir, "other"), *again;
                const char *twice[] = { "predict", "--base", plain, "--uki", uki_a, "--credential", abc,
                                        "--credential", NULL, NULL };

                cr_assert(mkdir(sub, 0700) == 0);
                again = tu_write_file(sub, "ABC.cred", "x", 1);
                twice[8] = again;
                cr_assert(tu_run(&res, twice, TIMEOUT));
                cr_expect_eq(res.exit_code, 2, "%s", res.err);
                cr_expect(strstr(res.err, "is given twice") != NULL, "%s", res.err);
                tu_result_free(&res);
                free(again);
                free(sub);
        }
        free(uki_a);
        free(hello);
        free(abc);
        free(bad);
        free(plain);
        free(with);
        tu_rmtree(dir);
}
