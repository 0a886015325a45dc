/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PE/COFF parsing, Authenticode digests and systemd-stub PCR 11
 * measurements.
 *
 * - Real EFI images on this machine (systemd-stub, systemd-boot, the lab
 *   kernel, a copy of the stub signed with sbsign) against
 *   `pesign -h -d sha256|sha1`, run at test time.
 * - The lab UKI, rebuilt with lab/mkinitrd and lab/mkuki from the cached
 *   kernel, against its boot in vectors/lab-uki. The test compares the
 *   PCR 4 application digests that OVMF logged, the PCR 11 events of
 *   systemd-stub 252 and the PCR 11 values that the TPM reported.
 * - Images built here field by field: every header cut short, and every
 *   inconsistency the parser must reject, each with its field name.
 * - Expected digests of small images, computed from byte ranges listed by
 *   hand and hashed with OpenSSL, not with the code under test.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "pcrsim/error.h"
#include "pcrsim/pe.h"
#include "pcrsim/tcglog.h"
#include "testutil.h"

extern char **environ;

#define SHA1_ID 0x0004
#define SHA256_ID 0x000B

#define STUB_PATH "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"
#define SYSTEMD_BOOT_PATH "/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
#define SNAKEOIL_KEY "/usr/share/ovmf/PkKek-1-snakeoil.key"
#define SNAKEOIL_CERT "/usr/share/ovmf/PkKek-1-snakeoil.pem"

/* Time limit of each external command (pesign, sbsign, the lab scripts). */
#define COMMAND_TIMEOUT_SECONDS 120.0

/* ---- helpers ---- */

static char *hex(const uint8_t *bytes, size_t size, char *buf)
{
        for (size_t i = 0; i < size; i++)
                sprintf(buf + 2 * i, "%02x", bytes[i]);
        buf[2 * size] = '\0';
        return buf;
}

static const EVP_MD *md_of(uint16_t alg)
{
        return alg == SHA1_ID ? EVP_sha1() : EVP_sha256();
}

static void digest_bytes(uint16_t alg, const void *data, size_t size, uint8_t *out,
                         unsigned *out_size)
{
        cr_assert_eq(EVP_Digest(data, size, out, out_size, md_of(alg), NULL), 1);
}

static bool file_sha256_hex(const char *path, char *out)
{
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size);
        uint8_t digest[32];
        unsigned n = 0;

        if (!data)
                return false;
        digest_bytes(SHA256_ID, data, size, digest, &n);
        free(data);
        hex(digest, n, out);
        return true;
}

static double seconds_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs `argv` with standard output in `out_path` and standard error in
 * `err_path` (both may be NULL for /dev/null). Kills it by PID after
 * COMMAND_TIMEOUT_SECONDS. Returns the exit status, or -1 if it could not
 * run, was killed or timed out. */
static int run_command(const char *const *argv, const char *out_path, const char *err_path)
{
        posix_spawn_file_actions_t actions;
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        double deadline;
        pid_t pid;
        int status = 0;

        cr_assert_eq(posix_spawn_file_actions_init(&actions), 0);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, out_path ? out_path : "/dev/null",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 2, err_path ? err_path : "/dev/null",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&actions);
                return -1;
        }
        posix_spawn_file_actions_destroy(&actions);
        deadline = seconds_now() + COMMAND_TIMEOUT_SECONDS;
        for (;;) {
                pid_t done = waitpid(pid, &status, WNOHANG);

                if (done == pid)
                        break;
                if (done < 0 && errno != EINTR)
                        return -1;
                if (seconds_now() > deadline) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        cr_log_warn("%s timed out after %.0f s and was killed", argv[0],
                                    COMMAND_TIMEOUT_SECONDS);
                        return -1;
                }
                nanosleep(&pause, NULL);
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Tells whether `name` is an executable in PATH or an absolute path. */
static bool have_program(const char *name)
{
        const char *path = getenv("PATH");
        char *copy, *save = NULL;
        bool found = false;

        if (name[0] == '/')
                return access(name, X_OK) == 0;
        copy = strdup(path ? path : "/usr/bin:/bin");
        cr_assert_not_null(copy);
        for (char *dir = strtok_r(copy, ":", &save); dir && !found;
             dir = strtok_r(NULL, ":", &save)) {
                char *p = tu_path_join(dir, name);

                found = p && access(p, X_OK) == 0;
                free(p);
        }
        free(copy);
        return found;
}

static struct pcrsim_pe *parse_ok(const void *data, size_t size, const char *what)
{
        struct pcrsim_pe *pe = NULL;
        struct pcrsim_error err;
        char msg[512];

        pcrsim_error_clear(&err);
        if (pcrsim_pe_parse(data, size, &pe, &err) != PCRSIM_OK) {
                pcrsim_error_format(&err, what, msg, sizeof(msg));
                cr_assert_fail("%s does not parse: %s", what, msg);
        }
        return pe;
}

static void authenticode_hex(const struct pcrsim_pe *pe, uint16_t alg, char *out)
{
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint16_t size = 0;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_pe_authenticode(pe, alg, digest, &size, &err), PCRSIM_OK, "%s",
                     err.message);
        cr_assert_eq(size, alg == SHA1_ID ? 20 : 32);
        hex(digest, size, out);
}

/* ---- images built field by field ---- */

#define MAX_LAYOUT_FIELDS 1100

/* One header field that the builder wrote: where, how long, its name in
 * the PE/COFF specification, and its section (-1 outside the section
 * table). */
struct layout_field {
        size_t offset;
        size_t size;
        char name[48];
        int section;
};

struct image {
        uint8_t *bytes;
        size_t size;
        struct layout_field fields[MAX_LAYOUT_FIELDS];
        size_t field_count;
};

struct section_spec {
        const char *name; /* up to 8 characters */
        uint32_t virtual_size;
        uint32_t virtual_address;
        uint32_t raw_size;
        uint32_t raw_pointer;
};

struct image_spec {
        bool pe32;           /* PE32 instead of PE32+ */
        uint32_t rva_count;  /* NumberOfRvaAndSizes */
        uint32_t size_of_headers;
        const struct section_spec *sections;
        size_t section_count;
        size_t trailing;     /* bytes after the last section's raw data */
        uint32_t cert_size;  /* Certificate Table appended at the end; 0 for none */
};

struct header_field_spec {
        const char *name;
        size_t size;
};

/* Optional header fields after Magic (PE/COFF specification, "Optional
 * Header Standard Fields" and "Windows-Specific Fields"). */
static const struct header_field_spec pe32_plus_spec[] = {
        { "MajorLinkerVersion", 1 }, { "MinorLinkerVersion", 1 }, { "SizeOfCode", 4 },
        { "SizeOfInitializedData", 4 }, { "SizeOfUninitializedData", 4 },
        { "AddressOfEntryPoint", 4 }, { "BaseOfCode", 4 }, { "ImageBase", 8 },
        { "SectionAlignment", 4 }, { "FileAlignment", 4 },
        { "MajorOperatingSystemVersion", 2 }, { "MinorOperatingSystemVersion", 2 },
        { "MajorImageVersion", 2 }, { "MinorImageVersion", 2 },
        { "MajorSubsystemVersion", 2 }, { "MinorSubsystemVersion", 2 },
        { "Win32VersionValue", 4 }, { "SizeOfImage", 4 }, { "SizeOfHeaders", 4 },
        { "CheckSum", 4 }, { "Subsystem", 2 }, { "DllCharacteristics", 2 },
        { "SizeOfStackReserve", 8 }, { "SizeOfStackCommit", 8 }, { "SizeOfHeapReserve", 8 },
        { "SizeOfHeapCommit", 8 }, { "LoaderFlags", 4 }, { "NumberOfRvaAndSizes", 4 },
};

static const struct header_field_spec pe32_spec[] = {
        { "MajorLinkerVersion", 1 }, { "MinorLinkerVersion", 1 }, { "SizeOfCode", 4 },
        { "SizeOfInitializedData", 4 }, { "SizeOfUninitializedData", 4 },
        { "AddressOfEntryPoint", 4 }, { "BaseOfCode", 4 }, { "BaseOfData", 4 },
        { "ImageBase", 4 }, { "SectionAlignment", 4 }, { "FileAlignment", 4 },
        { "MajorOperatingSystemVersion", 2 }, { "MinorOperatingSystemVersion", 2 },
        { "MajorImageVersion", 2 }, { "MinorImageVersion", 2 },
        { "MajorSubsystemVersion", 2 }, { "MinorSubsystemVersion", 2 },
        { "Win32VersionValue", 4 }, { "SizeOfImage", 4 }, { "SizeOfHeaders", 4 },
        { "CheckSum", 4 }, { "Subsystem", 2 }, { "DllCharacteristics", 2 },
        { "SizeOfStackReserve", 4 }, { "SizeOfStackCommit", 4 }, { "SizeOfHeapReserve", 4 },
        { "SizeOfHeapCommit", 4 }, { "LoaderFlags", 4 }, { "NumberOfRvaAndSizes", 4 },
};

static void put(struct image *im, size_t *pos, const char *name, size_t size, uint64_t value,
                int section)
{
        struct layout_field *f;

        cr_assert_lt(im->field_count, MAX_LAYOUT_FIELDS);
        cr_assert_leq(*pos + size, im->size);
        f = &im->fields[im->field_count++];
        f->offset = *pos;
        f->size = size;
        f->section = section;
        snprintf(f->name, sizeof(f->name), "%s", name);
        for (size_t i = 0; i < size && i < 8; i++)
                im->bytes[*pos + i] = (uint8_t)(value >> (8 * i));
        *pos += size;
}

/* A value for each optional header field; CheckSum is nonzero so that a
 * digest that fails to leave it out differs. */
static uint64_t optional_field_value(const char *name, const struct image_spec *spec)
{
        if (strcmp(name, "SizeOfHeaders") == 0)
                return spec->size_of_headers;
        if (strcmp(name, "CheckSum") == 0)
                return 0x12345678;
        if (strcmp(name, "NumberOfRvaAndSizes") == 0)
                return spec->rva_count;
        if (strcmp(name, "Subsystem") == 0)
                return 10; /* EFI application */
        if (strcmp(name, "SizeOfImage") == 0)
                return 0x10000;
        if (strcmp(name, "SectionAlignment") == 0 || strcmp(name, "FileAlignment") == 0)
                return 0x200;
        return 0;
}

static void put_optional_header(struct image *im, size_t *pos, const struct image_spec *spec,
                                size_t cert_offset)
{
        const struct header_field_spec *fields = spec->pe32 ? pe32_spec : pe32_plus_spec;
        size_t count = spec->pe32 ? sizeof(pe32_spec) / sizeof(pe32_spec[0]) :
                                    sizeof(pe32_plus_spec) / sizeof(pe32_plus_spec[0]);

        put(im, pos, "Magic", 2, spec->pe32 ? 0x10B : 0x20B, -1);
        for (size_t i = 0; i < count; i++)
                put(im, pos, fields[i].name, fields[i].size,
                    optional_field_value(fields[i].name, spec), -1);
        for (uint32_t i = 0; i < spec->rva_count; i++) {
                char name[48];
                uint32_t address = 0, size = 0;

                if (i == 4) {
                        snprintf(name, sizeof(name), "Certificate Table");
                        address = spec->cert_size ? (uint32_t)cert_offset : 0;
                        size = spec->cert_size;
                } else {
                        snprintf(name, sizeof(name), "DataDirectory[%u]", i);
                        if (i == 5) { /* a base relocation table, hashed like any header byte */
                                address = 0x3000;
                                size = 0x40;
                        }
                }
                put(im, pos, name, 4, address, -1);
                put(im, pos, name, 4, size, -1);
        }
}

static void put_section_header(struct image *im, size_t *pos, const struct section_spec *s,
                               int index)
{
        uint64_t name = 0;

        for (size_t i = 0; i < strlen(s->name) && i < 8; i++)
                name |= (uint64_t)(uint8_t)s->name[i] << (8 * i);
        put(im, pos, "Name", 8, name, index);
        put(im, pos, "VirtualSize", 4, s->virtual_size, index);
        put(im, pos, "VirtualAddress", 4, s->virtual_address, index);
        put(im, pos, "SizeOfRawData", 4, s->raw_size, index);
        put(im, pos, "PointerToRawData", 4, s->raw_pointer, index);
        put(im, pos, "PointerToRelocations", 4, 0, index);
        put(im, pos, "PointerToLinenumbers", 4, 0, index);
        put(im, pos, "NumberOfRelocations", 2, 0, index);
        put(im, pos, "NumberOfLinenumbers", 2, 0, index);
        put(im, pos, "Characteristics", 4, 0x40000040, index);
}

/* Builds an image: headers at 0 (e_lfanew 0x40), section data where the
 * spec puts it, then `trailing` bytes, then the Certificate Table. Bytes
 * that no header field covers hold a pattern, so that a range left out
 * of a digest or hashed twice changes it. */
static void build_image(const struct image_spec *spec, struct image *im)
{
        size_t end = spec->size_of_headers, pos = 0, cert_offset;

        for (size_t i = 0; i < spec->section_count; i++) {
                size_t e = (size_t)spec->sections[i].raw_pointer + spec->sections[i].raw_size;

                if (spec->sections[i].raw_size > 0 && e > end)
                        end = e;
        }
        cert_offset = end + spec->trailing;
        memset(im, 0, sizeof(*im));
        im->size = cert_offset + spec->cert_size;
        im->bytes = malloc(im->size);
        cr_assert_not_null(im->bytes);
        for (size_t i = 0; i < im->size; i++)
                im->bytes[i] = (uint8_t)(i * 7 + 3);

        put(im, &pos, "e_magic", 2, 0x5A4D, -1);
        put(im, &pos, "DOS header", 0x3A, 0, -1);
        put(im, &pos, "e_lfanew", 4, 0x40, -1);
        put(im, &pos, "Signature", 4, 0x00004550, -1);
        put(im, &pos, "Machine", 2, 0x8664, -1);
        put(im, &pos, "NumberOfSections", 2, spec->section_count, -1);
        put(im, &pos, "TimeDateStamp", 4, 0x5EADBEEF, -1);
        put(im, &pos, "PointerToSymbolTable", 4, 0, -1);
        put(im, &pos, "NumberOfSymbols", 4, 0, -1);
        put(im, &pos, "SizeOfOptionalHeader", 2, (spec->pe32 ? 96 : 112) + 8 * spec->rva_count,
            -1);
        put(im, &pos, "Characteristics", 2, 0x0022, -1);
        put_optional_header(im, &pos, spec, cert_offset);
        for (size_t i = 0; i < spec->section_count; i++)
                put_section_header(im, &pos, &spec->sections[i], (int)i);
}

static void image_free(struct image *im)
{
        free(im->bytes);
        im->bytes = NULL;
}

/* Overwrites the little-endian field `name` of section `section` (-1:
 * outside the section table), `nth` occurrence counted from 0. */
static void patch(struct image *im, const char *name, int section, int nth, uint64_t value)
{
        for (size_t i = 0; i < im->field_count; i++) {
                struct layout_field *f = &im->fields[i];

                if (strcmp(f->name, name) != 0 || f->section != section || nth-- > 0)
                        continue;
                for (size_t b = 0; b < f->size && b < 8; b++)
                        im->bytes[f->offset + b] = (uint8_t)(value >> (8 * b));
                return;
        }
        cr_assert_fail("no field %s in section %d", name, section);
}

static size_t field_at(const struct image *im, const char *name, int section)
{
        for (size_t i = 0; i < im->field_count; i++)
                if (strcmp(im->fields[i].name, name) == 0 && im->fields[i].section == section)
                        return im->fields[i].offset;
        cr_assert_fail("no field %s in section %d", name, section);
        return 0;
}

/*
 * The contiguous layout used by most cases: PE32+, 16 data directories,
 * SizeOfHeaders 0x200. The optional header starts at 0x58, CheckSum at
 * 0x98, the data directories at 0xC8, the Certificate Table entry at
 * 0xE8-0xF0 and the section table at 0x148. The section table lists .data
 * before .text, so that the digest must sort them by PointerToRawData.
 */
static const struct section_spec contiguous_sections[] = {
        { ".data", 0x100, 0x2000, 0x100, 0x400 },
        { ".text", 0x1F0, 0x1000, 0x200, 0x200 },
};

static struct image_spec contiguous_spec(void)
{
        return (struct image_spec){ .rva_count = 16, .size_of_headers = 0x200,
                                    .sections = contiguous_sections, .section_count = 2,
                                    .trailing = 0x40 };
}

/* Expects `pcrsim_pe_parse` of `len` bytes of `im` to fail with `code`,
 * `field`, and, unless it is -1, `offset` and `section`. */
static void expect_reject(const struct image *im, size_t len, enum pcrsim_error_code code,
                          const char *field, long long offset, int section, const char *what)
{
        uint8_t *copy = malloc(len ? len : 1);
        struct pcrsim_pe *pe = NULL;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char msg[512];

        cr_assert_not_null(copy);
        memcpy(copy, im->bytes, len);
        pcrsim_error_clear(&err);
        rc = pcrsim_pe_parse(copy, len, &pe, &err);
        pcrsim_error_format(&err, "image", msg, sizeof(msg));
        cr_expect_eq(rc, code, "%s: code %d, expected %d (%s)", what, rc, code, msg);
        cr_expect_eq(err.code, rc, "%s: err.code %d differs from the return value", what,
                     err.code);
        cr_expect_null(pe, "%s: an output image despite the error", what);
        cr_expect_str_eq(err.field, field, "%s: field \"%s\", expected \"%s\" (%s)", what,
                         err.field, field, msg);
        if (offset >= 0)
                cr_expect_eq(err.offset, (uint64_t)offset,
                             "%s: offset 0x%llx, expected 0x%llx (%s)", what,
                             (unsigned long long)err.offset, offset, msg);
        if (section >= 0) {
                cr_expect_eq(err.record, (uint64_t)section, "%s: record %llu, expected %d (%s)",
                             what, (unsigned long long)err.record, section, msg);
                cr_expect_str_eq(err.record_noun ? err.record_noun : "", "section", "%s", what);
        }
        pcrsim_pe_free(pe);
        free(copy);
}

/* ---- (c) malformed images ---- */

/* Cuts the contiguous image at every byte of every header field: the
 * parser must name that field and its offset. Past the headers, it must
 * name SizeOfHeaders, then the section whose raw data is cut. */
Test(pe, truncated_header_names_field)
{
        struct image_spec spec = contiguous_spec();
        struct image im;
        size_t table_end, size_of_headers_at, cases = 0;

        build_image(&spec, &im);
        for (size_t i = 0; i < im.field_count; i++) {
                const struct layout_field *f = &im.fields[i];

                for (size_t cut = f->offset; cut < f->offset + f->size; cut++, cases++) {
                        char what[96];

                        snprintf(what, sizeof(what), "cut at 0x%zx inside %s", cut, f->name);
                        if (cut == 0x40) /* e_lfanew points at the end of the cut file */
                                expect_reject(&im, cut, PCRSIM_ERR_INVALID, "e_lfanew", 0x3C, -1,
                                              what);
                        else
                                expect_reject(&im, cut, PCRSIM_ERR_TRUNCATED, f->name,
                                              (long long)f->offset, f->section, what);
                }
        }
        table_end = im.fields[im.field_count - 1].offset + im.fields[im.field_count - 1].size;
        cr_assert_eq(table_end, 0x148 + 2 * 40);
        size_of_headers_at = field_at(&im, "SizeOfHeaders", -1);
        for (size_t cut = table_end; cut < 0x200; cut++, cases++)
                expect_reject(&im, cut, PCRSIM_ERR_INVALID, "SizeOfHeaders",
                              (long long)size_of_headers_at, -1, "cut between the section table and SizeOfHeaders");
        /* Section 0 (.data, raw data 0x400-0x500) is checked first. */
        for (size_t cut = 0x200; cut <= 0x400; cut++, cases++)
                expect_reject(&im, cut, PCRSIM_ERR_INVALID, "PointerToRawData",
                              (long long)field_at(&im, "PointerToRawData", 0), 0,
                              "cut before the raw data of .data");
        for (size_t cut = 0x401; cut < 0x500; cut++, cases++)
                expect_reject(&im, cut, PCRSIM_ERR_INVALID, "SizeOfRawData",
                              (long long)field_at(&im, "SizeOfRawData", 0), 0,
                              "cut inside the raw data of .data");
        /* Data after the sections may be cut anywhere. */
        for (size_t cut = 0x500; cut <= im.size; cut++, cases++) {
                struct pcrsim_pe *pe = parse_ok(im.bytes, cut, "image cut after its sections");

                pcrsim_pe_free(pe);
        }
        cr_log_info("%zu cuts checked", cases);
        image_free(&im);
}

struct reject_case {
        const char *what;
        const char *field_to_patch;
        int section;        /* of the patched field; -1 outside the section table */
        int nth;            /* occurrence of the patched field name */
        uint64_t value;
        enum pcrsim_error_code code;
        const char *field;  /* expected in the error */
        int error_section;  /* expected err.record; -1 for none */
};

/* Each case patches one field of the contiguous image with a Certificate
 * Table of 0x20 bytes at 0x540-0x560 (file size 0x560). */
static const struct reject_case reject_cases[] = {
        { "e_magic not MZ", "e_magic", -1, 0, 0x4D5A, PCRSIM_ERR_INVALID, "e_magic", -1 },
        { "e_lfanew at the end", "e_lfanew", -1, 0, 0x560, PCRSIM_ERR_INVALID, "e_lfanew", -1 },
        { "e_lfanew far out", "e_lfanew", -1, 0, 0xFFFFFFFF, PCRSIM_ERR_INVALID, "e_lfanew", -1 },
        { "e_lfanew too close to the end", "e_lfanew", -1, 0, 0x55E, PCRSIM_ERR_TRUNCATED,
          "Signature", -1 },
        { "signature PX", "Signature", -1, 0, 0x00005850, PCRSIM_ERR_INVALID, "Signature", -1 },
        { "too many sections", "NumberOfSections", -1, 0, PCRSIM_MAX_PE_SECTIONS + 1,
          PCRSIM_ERR_LIMIT, "NumberOfSections", -1 },
        { "optional header size too large", "SizeOfOptionalHeader", -1, 0, 248,
          PCRSIM_ERR_INVALID, "SizeOfOptionalHeader", -1 },
        { "optional header size too small", "SizeOfOptionalHeader", -1, 0, 239,
          PCRSIM_ERR_INVALID, "SizeOfOptionalHeader", -1 },
        { "optional header magic unknown", "Magic", -1, 0, 0x10C, PCRSIM_ERR_INVALID, "Magic",
          -1 },
        { "17 data directories", "NumberOfRvaAndSizes", -1, 0, 17, PCRSIM_ERR_INVALID,
          "NumberOfRvaAndSizes", -1 },
        { "SizeOfHeaders past the end", "SizeOfHeaders", -1, 0, 0x561, PCRSIM_ERR_INVALID,
          "SizeOfHeaders", -1 },
        { "SizeOfHeaders before the end of the section table", "SizeOfHeaders", -1, 0, 0x100,
          PCRSIM_ERR_INVALID, "SizeOfHeaders", -1 },
        { "section data starts past the end", "PointerToRawData", 0, 0, 0x660,
          PCRSIM_ERR_INVALID, "PointerToRawData", 0 },
        { "section data runs past the end", "SizeOfRawData", 0, 0, 0x1000, PCRSIM_ERR_INVALID,
          "SizeOfRawData", 0 },
        { "section data size wraps", "SizeOfRawData", 0, 0, 0xFFFFFF00, PCRSIM_ERR_INVALID,
          "SizeOfRawData", 0 },
        { "sections overlap", "PointerToRawData", 0, 0, 0x300, PCRSIM_ERR_INVALID,
          "PointerToRawData", 0 },
        { "section overlaps the headers", "PointerToRawData", 1, 0, 0x100, PCRSIM_ERR_INVALID,
          "PointerToRawData", 1 },
        { "certificate table past the end", "Certificate Table", -1, 1, 0x40,
          PCRSIM_ERR_INVALID, "Certificate Table", -1 },
        { "certificate table not at the end", "Certificate Table", -1, 1, 0x10,
          PCRSIM_ERR_INVALID, "Certificate Table", -1 },
        { "certificate table far out", "Certificate Table", -1, 0, 0xFFFFFFF0,
          PCRSIM_ERR_INVALID, "Certificate Table", -1 },
};

Test(pe, malformed_rejected_with_field)
{
        for (size_t i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
                const struct reject_case *c = &reject_cases[i];
                struct image_spec spec = contiguous_spec();
                struct image im;
                long long offset;

                spec.cert_size = 0x20;
                build_image(&spec, &im);
                cr_assert_eq(im.size, 0x560);
                patch(&im, c->field_to_patch, c->section, c->nth, c->value);
                offset = (long long)field_at(&im, c->field, c->error_section);
                if (strcmp(c->field, "Signature") == 0 && c->code == PCRSIM_ERR_TRUNCATED)
                        offset = (long long)c->value;
                expect_reject(&im, im.size, c->code, c->field, offset, c->error_section, c->what);
                image_free(&im);
        }
}

/* A Certificate Table that ends at the end of the file but starts inside
 * the raw data of .data (0x400-0x500). */
Test(pe, certificate_table_over_sections)
{
        struct image_spec spec = contiguous_spec();
        struct image im;

        spec.cert_size = 0x20;
        build_image(&spec, &im);
        patch(&im, "Certificate Table", -1, 0, 0x4F0);
        patch(&im, "Certificate Table", -1, 1, 0x560 - 0x4F0);
        expect_reject(&im, im.size, PCRSIM_ERR_INVALID, "Certificate Table",
                      (long long)field_at(&im, "Certificate Table", -1), -1,
                      "certificate table over the section data");
        image_free(&im);
}

/* A section without raw data may point anywhere: it is not hashed. */
Test(pe, empty_section_pointer_ignored)
{
        static const struct section_spec sections[] = {
                { ".text", 0x1F0, 0x1000, 0x200, 0x200 },
                { ".bss", 0x800, 0x2000, 0, 0xFFFFFF00 },
        };
        struct image_spec spec = contiguous_spec();
        struct image im;
        struct pcrsim_pe *pe;

        spec.sections = sections;
        build_image(&spec, &im);
        pe = parse_ok(im.bytes, im.size, "image with an empty .bss");
        cr_assert_eq(pe->section_count, 2);
        cr_expect_str_eq(pe->sections[1].name, ".bss");
        cr_expect_eq(pe->sections[1].pointer_to_raw_data, 0xFFFFFF00);
        pcrsim_pe_free(pe);
        image_free(&im);
}

/* ---- (d) expected digests from byte ranges listed by hand ---- */

struct range {
        size_t start, end;
};

/* Hashes the listed ranges of `im` with OpenSSL, in order. */
static void hand_digest(const struct image *im, uint16_t alg, const struct range *ranges,
                        size_t count, char *out)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        uint8_t digest[EVP_MAX_MD_SIZE];
        unsigned size = 0;

        cr_assert_not_null(ctx);
        cr_assert_eq(EVP_DigestInit_ex(ctx, md_of(alg), NULL), 1);
        for (size_t i = 0; i < count; i++) {
                cr_assert_leq(ranges[i].end, im->size);
                cr_assert_eq(EVP_DigestUpdate(ctx, im->bytes + ranges[i].start,
                                              ranges[i].end - ranges[i].start), 1);
        }
        cr_assert_eq(EVP_DigestFinal_ex(ctx, digest, &size), 1);
        EVP_MD_CTX_free(ctx);
        hex(digest, size, out);
}

static void expect_known_answer(const struct image_spec *spec, const struct range *ranges,
                                size_t count, const char *what)
{
        static const uint16_t algs[] = { SHA1_ID, SHA256_ID };
        struct image im;
        struct pcrsim_pe *pe;

        build_image(spec, &im);
        pe = parse_ok(im.bytes, im.size, what);
        for (size_t a = 0; a < 2; a++) {
                char expected[129], actual[129];

                hand_digest(&im, algs[a], ranges, count, expected);
                authenticode_hex(pe, algs[a], actual);
                cr_expect_str_eq(actual, expected, "%s, %s: Authenticode %s, expected %s", what,
                                 algs[a] == SHA1_ID ? "sha1" : "sha256", actual, expected);
        }
        pcrsim_pe_free(pe);
        image_free(&im);
}

/* The headers without CheckSum (0x98-0x9C) and the Certificate Table
 * entry (0xE8-0xF0), .text, .data, then the 0x40 bytes after them. */
static const struct range contiguous_ranges[] = {
        { 0x000, 0x098 }, { 0x09C, 0x0E8 }, { 0x0F0, 0x200 },
        { 0x200, 0x400 }, { 0x400, 0x500 }, { 0x500, 0x540 },
};

Test(pe, known_answer_pe32_plus)
{
        struct image_spec spec = contiguous_spec();

        expect_known_answer(&spec, contiguous_ranges,
                            sizeof(contiguous_ranges) / sizeof(contiguous_ranges[0]),
                            "PE32+ image");
}

/* The same image with a Certificate Table at 0x540-0x560: the table and
 * its directory entry are left out, so the digest is the same. */
Test(pe, known_answer_certificate_table)
{
        struct image_spec spec = contiguous_spec();
        struct image plain, signed_image;
        struct pcrsim_pe *a, *b;
        char digest_plain[65], digest_signed[65];

        spec.cert_size = 0x20;
        expect_known_answer(&spec, contiguous_ranges,
                            sizeof(contiguous_ranges) / sizeof(contiguous_ranges[0]),
                            "PE32+ image with a certificate table");

        build_image(&spec, &signed_image);
        spec.cert_size = 0;
        build_image(&spec, &plain);
        a = parse_ok(plain.bytes, plain.size, "image without certificate table");
        b = parse_ok(signed_image.bytes, signed_image.size, "image with certificate table");
        cr_expect_eq(b->certificate_table_offset, 0x540);
        cr_expect_eq(b->certificate_table_size, 0x20);
        authenticode_hex(a, SHA256_ID, digest_plain);
        authenticode_hex(b, SHA256_ID, digest_signed);
        cr_expect_str_eq(digest_signed, digest_plain);
        pcrsim_pe_free(a);
        pcrsim_pe_free(b);
        image_free(&plain);
        image_free(&signed_image);
}

/* PE32: the data directories start at 0x58 + 96 = 0xB8, so the
 * Certificate Table entry is 0xD8-0xE0; CheckSum is still at 0x98. */
Test(pe, known_answer_pe32)
{
        static const struct range ranges[] = {
                { 0x000, 0x098 }, { 0x09C, 0x0D8 }, { 0x0E0, 0x200 },
                { 0x200, 0x400 }, { 0x400, 0x500 }, { 0x500, 0x540 },
        };
        struct image_spec spec = contiguous_spec();

        spec.pe32 = true;
        expect_known_answer(&spec, ranges, sizeof(ranges) / sizeof(ranges[0]), "PE32 image");
}

/* With 4 data directories there is no Certificate Table entry: only
 * CheckSum is left out of the headers. */
Test(pe, known_answer_four_directories)
{
        static const struct range ranges[] = {
                { 0x000, 0x098 }, { 0x09C, 0x200 },
                { 0x200, 0x400 }, { 0x400, 0x500 }, { 0x500, 0x540 },
        };
        struct image_spec spec = contiguous_spec();

        spec.rva_count = 4;
        expect_known_answer(&spec, ranges, sizeof(ranges) / sizeof(ranges[0]),
                            "image with 4 data directories");
}

/*
 * A gap between .text (0x200-0x400) and .data (0x600-0x700). edk2 and
 * pesign start the data after the sections at SizeOfHeaders plus the sum
 * of SizeOfRawData, 0x200 + 0x200 + 0x100 = 0x500, not at the end of the
 * last section, so 0x500-0x750 is hashed last: the gap and .data again,
 * then the 0x50 bytes after the sections.
 */
Test(pe, known_answer_gap_between_sections)
{
        static const struct section_spec sections[] = {
                { ".text", 0x1F0, 0x1000, 0x200, 0x200 },
                { ".data", 0x100, 0x2000, 0x100, 0x600 },
        };
        static const struct range ranges[] = {
                { 0x000, 0x098 }, { 0x09C, 0x0E8 }, { 0x0F0, 0x200 },
                { 0x200, 0x400 }, { 0x600, 0x700 }, { 0x500, 0x750 },
        };
        struct image_spec spec = contiguous_spec();

        spec.sections = sections;
        spec.trailing = 0x50;
        expect_known_answer(&spec, ranges, sizeof(ranges) / sizeof(ranges[0]),
                            "image with a gap between its sections");
}

Test(pe, section_table_exposed)
{
        struct image_spec spec = contiguous_spec();
        struct image im;
        struct pcrsim_pe *pe;

        build_image(&spec, &im);
        pe = parse_ok(im.bytes, im.size, "PE32+ image");
        cr_expect_eq(pe->magic, PCRSIM_PE32_PLUS_MAGIC);
        cr_expect_eq(pe->machine, 0x8664);
        cr_expect_eq(pe->pe_offset, 0x40);
        cr_expect_eq(pe->size_of_headers, 0x200);
        cr_expect_eq(pe->checksum_offset, 0x98);
        cr_expect_eq(pe->number_of_rva_and_sizes, 16);
        cr_expect_eq(pe->certificate_table_size, 0);
        cr_assert_eq(pe->section_count, 2);
        cr_expect_str_eq(pe->sections[0].name, ".data");
        cr_expect_eq(pe->sections[0].virtual_size, 0x100);
        cr_expect_eq(pe->sections[0].virtual_address, 0x2000);
        cr_expect_eq(pe->sections[0].size_of_raw_data, 0x100);
        cr_expect_eq(pe->sections[0].pointer_to_raw_data, 0x400);
        cr_expect_eq(pe->sections[0].header_offset, 0x148);
        cr_expect_str_eq(pe->sections[1].name, ".text");
        cr_expect_eq(pe->sections[1].pointer_to_raw_data, 0x200);
        pcrsim_pe_free(pe);
        image_free(&im);
}

Test(pe, unknown_algorithm_unsupported)
{
        struct image_spec spec = contiguous_spec();
        struct image im;
        struct pcrsim_pe *pe;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint16_t size = 0;
        struct pcrsim_error err;

        build_image(&spec, &im);
        pe = parse_ok(im.bytes, im.size, "PE32+ image");
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_pe_authenticode(pe, 0x7777, digest, &size, &err),
                     PCRSIM_ERR_UNSUPPORTED);
        cr_expect_eq(err.code, PCRSIM_ERR_UNSUPPORTED);
        pcrsim_pe_free(pe);
        image_free(&im);
}

/* ---- UKI measurements of hand-built images ---- */

/* Contents of a small UKI, in section table order: .cmdline, .linux
 * (VirtualSize 0x100 bytes above its raw data, which the loader fills
 * with zeros), .osrel, .sbat. */
static const struct section_spec uki_sections[] = {
        { ".cmdline", 5, 0x30000, 0x200, 0x200 },
        { ".linux", 0x300, 0x2000000, 0x200, 0x400 },
        { ".osrel", 0x10, 0x20000, 0x200, 0x600 },
        { ".sbat", 0x20, 0x40000, 0x200, 0x800 },
};

static struct image_spec uki_spec(const struct section_spec *sections, size_t count)
{
        return (struct image_spec){ .rva_count = 16, .size_of_headers = 0x200,
                                    .sections = sections, .section_count = count };
}

static void expect_name_digest(const struct pcrsim_uki_event *ev, const char *name,
                               uint32_t index, const char *what)
{
        static const uint16_t algs[] = { SHA1_ID, SHA256_ID };

        cr_expect_eq(ev->pcr, 11, "%s", what);
        cr_expect_str_eq(ev->section, name, "%s", what);
        cr_expect_eq(ev->part, PCRSIM_UKI_SECTION_NAME, "%s", what);
        cr_expect_eq(ev->section_index, index, "%s", what);
        cr_assert_eq(ev->digest_count, 2, "%s", what);
        for (size_t a = 0; a < 2; a++) {
                uint8_t expected[32];
                unsigned size = 0;

                digest_bytes(algs[a], name, strlen(name) + 1, expected, &size);
                cr_expect_eq(ev->digests[a].alg, algs[a], "%s", what);
                cr_expect_eq(ev->digests[a].size, size, "%s", what);
                cr_expect_arr_eq(ev->digests[a].bytes, expected, size, "%s: name digest", what);
        }
}

/* Expects the data digest of `ev` to be the hash of `im` bytes
 * [start, start + from_file) followed by `zeros` zero bytes. */
static void expect_data_digest(const struct pcrsim_uki_event *ev, const struct image *im,
                               size_t start, size_t from_file, size_t zeros, uint32_t index,
                               const char *what)
{
        static const uint16_t algs[] = { SHA1_ID, SHA256_ID };
        uint8_t *buf = calloc(from_file + zeros + 1, 1);

        cr_assert_not_null(buf);
        memcpy(buf, im->bytes + start, from_file);
        cr_expect_eq(ev->part, PCRSIM_UKI_SECTION_DATA, "%s", what);
        cr_expect_eq(ev->section_index, index, "%s", what);
        for (size_t a = 0; a < 2; a++) {
                uint8_t expected[32];
                unsigned size = 0;

                digest_bytes(algs[a], buf, from_file + zeros, expected, &size);
                cr_expect_arr_eq(ev->digests[a].bytes, expected, size, "%s: data digest", what);
        }
        free(buf);
}

static enum pcrsim_error_code measure(const struct image *im, unsigned version,
                                      struct pcrsim_uki_measurements *out,
                                      struct pcrsim_error *err)
{
        static const uint16_t algs[] = { SHA1_ID, SHA256_ID };
        struct pcrsim_pe *pe = parse_ok(im->bytes, im->size, "UKI");
        enum pcrsim_error_code rc;

        pcrsim_error_clear(err);
        rc = pcrsim_uki_measure(pe, version, algs, 2, out, err);
        pcrsim_pe_free(pe);
        return rc;
}

/* 252 measures .linux, .osrel, .cmdline in its order, whatever the
 * section table order, and not .sbat; 254 adds .sbat after them. */
Test(pe, uki_canonical_order)
{
        struct image_spec spec = uki_spec(uki_sections, 4);
        struct pcrsim_uki_measurements *m = calloc(1, sizeof(*m));
        struct pcrsim_error err;
        struct image im;

        cr_assert_not_null(m);
        build_image(&spec, &im);
        cr_assert_eq(measure(&im, 252, m, &err), PCRSIM_OK, "%s", err.message);
        cr_assert_eq(m->count, 6);
        expect_name_digest(&m->events[0], ".linux", 1, "252 event 0");
        expect_data_digest(&m->events[1], &im, 0x400, 0x200, 0x100, 1, "252 .linux data");
        expect_name_digest(&m->events[2], ".osrel", 2, "252 event 2");
        expect_data_digest(&m->events[3], &im, 0x600, 0x10, 0, 2, "252 .osrel data");
        expect_name_digest(&m->events[4], ".cmdline", 0, "252 event 4");
        expect_data_digest(&m->events[5], &im, 0x200, 5, 0, 0, "252 .cmdline data");

        cr_assert_eq(measure(&im, 254, m, &err), PCRSIM_OK, "%s", err.message);
        cr_assert_eq(m->count, 8);
        expect_name_digest(&m->events[6], ".sbat", 3, "254 event 6");
        expect_data_digest(&m->events[7], &im, 0x800, 0x20, 0, 3, "254 .sbat data");
        free(m);
        image_free(&im);
}

/* systemd-stub 252 matches ".osrelX" as .osrel (name prefix) and, of two
 * .cmdline sections, measures the last. The versions after 252 are not
 * known to do the same, so they reject such an image. */
Test(pe, uki_252_name_matching)
{
        static const struct section_spec sections[] = {
                { ".cmdline", 5, 0x30000, 0x200, 0x200 },
                { ".linux", 0x200, 0x2000000, 0x200, 0x400 },
                { ".osrelX", 0x10, 0x20000, 0x200, 0x600 },
                { ".cmdline", 7, 0x50000, 0x200, 0x800 },
        };
        struct image_spec spec = uki_spec(sections, 4);
        struct pcrsim_uki_measurements *m = calloc(1, sizeof(*m));
        struct pcrsim_error err;
        struct image im;

        cr_assert_not_null(m);
        build_image(&spec, &im);
        cr_assert_eq(measure(&im, 252, m, &err), PCRSIM_OK, "%s", err.message);
        cr_assert_eq(m->count, 6);
        expect_name_digest(&m->events[2], ".osrel", 2, ".osrelX measured as .osrel");
        expect_data_digest(&m->events[3], &im, 0x600, 0x10, 0, 2, ".osrelX data");
        expect_name_digest(&m->events[4], ".cmdline", 3, "the last .cmdline");
        expect_data_digest(&m->events[5], &im, 0x800, 7, 0, 3, "the last .cmdline data");

        cr_expect_eq(measure(&im, 253, m, &err), PCRSIM_ERR_UNSUPPORTED);
        cr_expect_str_eq(err.field, "Name");
        free(m);
        image_free(&im);
}

Test(pe, uki_rejections)
{
        static const struct section_spec no_linux[] = {
                { ".cmdline", 5, 0x30000, 0x200, 0x200 },
                { ".linux", 0, 0x2000000, 0x200, 0x400 }, /* VirtualSize 0: absent */
        };
        static const struct section_spec huge_fill[] = {
                { ".linux", 0x200 + PCRSIM_MAX_UKI_ZERO_FILL + 1, 0x2000000, 0x200, 0x200 },
        };
        struct image_spec spec = uki_spec(no_linux, 2);
        struct pcrsim_uki_measurements *m = calloc(1, sizeof(*m));
        struct pcrsim_error err;
        struct image im;

        cr_assert_not_null(m);
        build_image(&spec, &im);
        cr_expect_eq(measure(&im, 252, m, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, ".linux") != NULL, "%s", err.message);
        image_free(&im);

        spec = uki_spec(uki_sections, 4);
        build_image(&spec, &im);
        cr_expect_eq(measure(&im, 251, m, &err), PCRSIM_ERR_UNSUPPORTED);
        cr_expect_eq(measure(&im, 257, m, &err), PCRSIM_ERR_UNSUPPORTED);
        image_free(&im);

        spec = uki_spec(huge_fill, 1);
        build_image(&spec, &im);
        cr_expect_eq(measure(&im, 252, m, &err), PCRSIM_ERR_LIMIT);
        cr_expect_str_eq(err.field, "VirtualSize");
        cr_expect_eq(err.record, 0);
        image_free(&im);
        free(m);
}

/* systemd-stub 252 refuses images with more than 96 sections. */
Test(pe, uki_252_section_count)
{
        struct section_spec sections[97];
        struct image_spec spec;
        struct pcrsim_uki_measurements *m = calloc(1, sizeof(*m));
        struct pcrsim_error err;
        struct image im;

        cr_assert_not_null(m);
        sections[0] = (struct section_spec){ ".linux", 0x200, 0x2000000, 0x200, 0x1200 };
        for (size_t i = 1; i < 97; i++)
                sections[i] = (struct section_spec){ ".pad", 0x10, (uint32_t)(0x1000 * i), 0, 0 };
        spec = uki_spec(sections, 97);
        spec.size_of_headers = 0x1200; /* the table ends at 0x148 + 97 * 40 = 0x1090 */
        build_image(&spec, &im);
        cr_expect_eq(measure(&im, 252, m, &err), PCRSIM_ERR_INVALID);
        cr_expect_str_eq(err.field, "NumberOfSections");
        image_free(&im);

        spec.section_count = 96;
        build_image(&spec, &im);
        cr_expect_eq(measure(&im, 252, m, &err), PCRSIM_OK, "%s", err.message);
        cr_expect_eq(m->count, 2);
        image_free(&im);
        free(m);
}

/* ---- (a) real images against pesign ---- */

/* Runs `pesign -h -d ALG -i PATH` and stores the hex digest it prints
 * ("hash: HEX"). */
static bool pesign_digest(const char *dir, const char *path, const char *alg, char *out)
{
        const char *argv[] = { "pesign", "-h", "-d", alg, "-i", path, NULL };
        char *out_path = tu_path_join(dir, "pesign.out");
        char *err_path = tu_path_join(dir, "pesign.err");
        char *text = NULL, *p;
        size_t len = 0;
        int status;
        bool ok = false;

        cr_assert(out_path && err_path);
        status = run_command(argv, out_path, err_path);
        text = tu_read_file(out_path, &len);
        p = text ? strstr(text, "hash: ") : NULL;
        if (status == 0 && p && sscanf(p + 6, "%128[0-9a-fA-F]", out) == 1)
                ok = true;
        else
                cr_log_warn("pesign -h -d %s -i %s failed with status %d", alg, path, status);
        free(text);
        free(out_path);
        free(err_path);
        return ok;
}

static void compare_with_pesign(const char *dir, const char *path, unsigned *compared)
{
        static const struct {
                uint16_t alg;
                const char *name;
        } algs[] = { { SHA1_ID, "sha1" }, { SHA256_ID, "sha256" } };
        size_t size = 0;
        char *data;
        struct pcrsim_pe *pe;

        data = tu_read_file(path, &size);
        if (!data) {
                fprintf(stderr, "pe: %s is absent, so it is not compared with pesign\n", path);
                return;
        }
        pe = parse_ok(data, size, path);
        for (size_t a = 0; a < 2; a++) {
                char expected[129], actual[129];

                cr_assert(pesign_digest(dir, path, algs[a].name, expected),
                          "pesign could not hash %s", path);
                authenticode_hex(pe, algs[a].alg, actual);
                for (char *c = expected; *c; c++)
                        *c = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
                cr_expect_str_eq(actual, expected, "%s, %s: pcrsim %s, pesign %s", path,
                                 algs[a].name, actual, expected);
        }
        fprintf(stderr, "pe: %s: Authenticode sha1 and sha256 compared with pesign\n", path);
        (*compared)++;
        pcrsim_pe_free(pe);
        free(data);
}

/* Folder of the lab's kernel cache, as lab/record finds it. */
static char *lab_cache_dir(void)
{
        const char *env = getenv("PCRSIM_LAB_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
        const char *home = getenv("HOME");

        if (env && env[0])
                return strdup(env);
        if (xdg && xdg[0])
                return tu_path_join(xdg, "pcrsim-lab");
        if (home && home[0]) {
                char *cache = tu_path_join(home, ".cache");
                char *dir = cache ? tu_path_join(cache, "pcrsim-lab") : NULL;

                free(cache);
                return dir;
        }
        return NULL;
}

/* Calls `fn` with the path of every CACHE/ENTRY/vmlinuz; stops when it
 * returns true. */
static bool for_each_cached_kernel(bool (*fn)(const char *path, void *ctx), void *ctx)
{
        char *cache = lab_cache_dir();
        DIR *d = cache ? opendir(cache) : NULL;
        struct dirent *e;
        bool stop = false;

        while (d && !stop && (e = readdir(d)) != NULL) {
                char *entry, *path;
                struct stat st;

                if (e->d_name[0] == '.')
                        continue;
                entry = tu_path_join(cache, e->d_name);
                path = entry ? tu_path_join(entry, "vmlinuz") : NULL;
                if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
                        stop = fn(path, ctx);
                free(path);
                free(entry);
        }
        if (d)
                closedir(d);
        free(cache);
        return stop;
}

struct pesign_run {
        const char *dir;
        unsigned *compared;
        unsigned kernels;
};

static bool compare_cached_kernel(const char *path, void *ctx)
{
        struct pesign_run *run = ctx;

        compare_with_pesign(run->dir, path, run->compared);
        run->kernels++;
        return false;
}

/* Signs the stub with OVMF's snakeoil key into DIR/signed.efi, which
 * then ends in a Certificate Table. Returns its path, or NULL when a
 * tool or the key is missing. */
static char *sign_stub(const char *dir)
{
        char *key = tu_path_join(dir, "snakeoil.key");
        char *signed_path = tu_path_join(dir, "signed.efi");
        const char *rsa[] = { "openssl", "rsa", "-in", SNAKEOIL_KEY, "-passin", "pass:snakeoil",
                              "-out", key, NULL };
        const char *sign[] = { "sbsign", "--key", key, "--cert", SNAKEOIL_CERT, "--output",
                               signed_path, STUB_PATH, NULL };

        cr_assert(key && signed_path);
        if (!have_program("sbsign") || !have_program("openssl") ||
            access(SNAKEOIL_KEY, R_OK) != 0 || access(SNAKEOIL_CERT, R_OK) != 0 ||
            access(STUB_PATH, R_OK) != 0) {
                fprintf(stderr, "pe: sbsign, openssl, the stub or OVMF's snakeoil key is missing, so no signed image is compared with pesign\n");
                free(key);
                free(signed_path);
                return NULL;
        }
        cr_assert_eq(run_command(rsa, NULL, NULL), 0, "openssl rsa failed on %s", SNAKEOIL_KEY);
        cr_assert_eq(run_command(sign, NULL, NULL), 0, "sbsign failed on %s", STUB_PATH);
        free(key);
        return signed_path;
}

Test(pe, authenticode_matches_pesign)
{
        char *dir, *signed_path;
        unsigned compared = 0;
        struct pesign_run run;

        if (!have_program("pesign")) {
                fprintf(stderr, "pe: pesign is not installed (Debian package pesign), so no image is compared with it\n");
                cr_skip_test("pesign not found");
        }
        dir = tu_tmpdir();
        cr_assert_not_null(dir);
        run = (struct pesign_run){ .dir = dir, .compared = &compared };
        compare_with_pesign(dir, STUB_PATH, &compared);
        compare_with_pesign(dir, SYSTEMD_BOOT_PATH, &compared);
        for_each_cached_kernel(compare_cached_kernel, &run);
        if (run.kernels == 0)
                fprintf(stderr, "pe: no kernel in the lab cache (run lab/fetch-kernel ~/.cache/pcrsim-lab)\n");
        signed_path = sign_stub(dir);
        if (signed_path) {
                size_t size = 0;
                char *data = tu_read_file(signed_path, &size);
                struct pcrsim_pe *pe = parse_ok(data, size, "signed stub");

                cr_expect_gt(pe->certificate_table_size, 0, "sbsign wrote no Certificate Table");
                pcrsim_pe_free(pe);
                free(data);
                compare_with_pesign(dir, signed_path, &compared);
                free(signed_path);
        }
        tu_rmtree(dir);
        if (compared == 0)
                cr_skip_test("no EFI image found to compare with pesign");
}

/* The hand-built images, whose digests the known-answer tests list by
 * hand, agree with pesign too: with a Certificate Table, as PE32, and
 * with a gap between the sections. */
Test(pe, hand_built_matches_pesign)
{
        static const struct section_spec gap_sections[] = {
                { ".text", 0x1F0, 0x1000, 0x200, 0x200 },
                { ".data", 0x100, 0x2000, 0x100, 0x600 },
        };
        struct image_spec specs[4];
        unsigned compared = 0;
        char *dir;

        if (!have_program("pesign"))
                cr_skip_test("pesign not found");
        for (size_t i = 0; i < 4; i++)
                specs[i] = contiguous_spec();
        specs[1].cert_size = 0x20;
        specs[2].pe32 = true;
        specs[3].sections = gap_sections;
        specs[3].trailing = 0x50;
        dir = tu_tmpdir();
        cr_assert_not_null(dir);
        for (size_t i = 0; i < 4; i++) {
                struct image im;
                char name[32], *path;

                build_image(&specs[i], &im);
                snprintf(name, sizeof(name), "hand-%zu.efi", i);
                path = tu_write_file(dir, name, im.bytes, im.size);
                cr_assert_not_null(path);
                compare_with_pesign(dir, path, &compared);
                free(path);
                image_free(&im);
        }
        tu_rmtree(dir);
        cr_expect_eq(compared, 4);
}

/* ---- (b) the lab UKI against its recorded boot ---- */

/* Values of vectors/lab-uki/MANIFEST.yaml: the inputs' SHA-256 (section
 * "inputs"), the kernel command line, and the Authenticode and section
 * digests under lab.uki. */
#define LAB_KERNEL_SHA256 "85667e6c72245133bd7e3e80bac7d16b26fda15c0a3c68faa4b713850ea526cd"
#define LAB_INITRD_SHA256 "04b7797349dbcbdcded7c3075f1b2d9033b5c039df015a98449212e67850fb05"
#define LAB_STUB_SHA256 "c62ae56ffaf49d1a61de4434f4f531dd1d4ed3b5aee46c934c56e3f809b22cc4"
#define LAB_UKI_SHA256 "e44dfa5724b0678c6fd78023bbd020faf16a0170f665def2526e681f6255eeec"
#define LAB_UKI_AUTHENTICODE "060ae72a4132d8e7c645ceb9c9062c39fd94afe92003500fe190898f58098dec"
#define LAB_KERNEL_AUTHENTICODE "61e79ca0acd7e9f18984bea7b44650801ed54fd95a8786c16c583b86acf9d538"
#define LAB_CMDLINE \
        "console=ttyS0 panic=-1 ima_policy=tcb|critical_data ima_template=ima-ng ima_hash=sha256"

static const struct {
        const char *section;
        const char *name_nul;
        const char *data;
} lab_sections[] = {
        { ".linux", "0da293e37ad5511c59be47993769aacb91b243f7d010288e118dc90e95aaef5a",
          "85667e6c72245133bd7e3e80bac7d16b26fda15c0a3c68faa4b713850ea526cd" },
        { ".osrel", "3fb9e4e3cc810d4326b5c13cef18aee1f9df8c5f4f7f5b96665724fa3b846e08",
          "9c83e6db775a38275d195bc7cbd8513c40d7463359627f8231c8cefbfc7ef99e" },
        { ".cmdline", "461203a89f23e36c3a4dc817f905b00484d2cf7e7d9376f13df91c41d84abe46",
          "5ea7aec2e0933ba2b98a20a590ac8af5675d87d3779661ad05816cd9d3cdc2e2" },
        { ".initrd", "15ee37e75f1e8d42080e91fdbbd2560780918c81fe3687ae6d15c472bbdaac75",
          "04b7797349dbcbdcded7c3075f1b2d9033b5c039df015a98449212e67850fb05" },
};

#define EV_IPL 0x0000000Du
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define MAX_LOGGED 16

/* The events of the lab log that the test compares: the application
 * digests of PCR 4 and the EV_IPL events of PCR 11, per bank. */
struct logged {
        size_t apps, ipl;
        struct pcrsim_digest app[MAX_LOGGED][2];
        struct pcrsim_digest ipl_digest[MAX_LOGGED][2];
};

static void copy_banks(const struct pcrsim_event *ev, struct pcrsim_digest *out)
{
        for (uint32_t i = 0; i < ev->digest_count; i++) {
                if (ev->digests[i].alg == SHA1_ID)
                        out[0] = ev->digests[i];
                if (ev->digests[i].alg == SHA256_ID)
                        out[1] = ev->digests[i];
        }
        cr_assert(out[0].size == 20 && out[1].size == 32, "event %llu lacks a sha1 or sha256 digest",
                  (unsigned long long)ev->index);
}

static void read_lab_log(const char *vector_dir, struct logged *out)
{
        char *path = tu_path_join(vector_dir, "eventlog.bin");
        size_t size = 0;
        char *data = tu_read_file(path, &size);
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        struct pcrsim_error err;
        bool have = true;

        cr_assert_not_null(data, "cannot read %s", path);
        memset(out, 0, sizeof(*out));
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_tcglog_open_memory(data, size, &log, &err), PCRSIM_OK, "%s",
                     err.message);
        while (have) {
                cr_assert_eq(pcrsim_tcglog_next(log, &ev, &have, &err), PCRSIM_OK, "%s",
                             err.message);
                if (!have)
                        break;
                if (ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION &&
                    out->apps < MAX_LOGGED)
                        copy_banks(&ev, out->app[out->apps++]);
                if (ev.pcr == 11 && ev.type == EV_IPL && out->ipl < MAX_LOGGED)
                        copy_banks(&ev, out->ipl_digest[out->ipl++]);
        }
        pcrsim_tcglog_free(log);
        free(data);
        free(path);
}

/* Reads PCR 11 from vectors/lab-uki/pcrs-BANK.json, a map of PCR index
 * to hex. */
static void read_recorded_pcr11(const char *vector_dir, const char *bank, char *out)
{
        char name[32], *path;
        json_error_t jerr;
        json_t *root, *value;

        snprintf(name, sizeof(name), "pcrs-%s.json", bank);
        path = tu_path_join(vector_dir, name);
        root = json_load_file(path, 0, &jerr);
        cr_assert_not_null(root, "%s: %s", path, jerr.text);
        value = json_object_get(root, "11");
        cr_assert(json_is_string(value), "%s has no PCR 11", path);
        snprintf(out, 129, "%s", json_string_value(value));
        json_decref(root);
        free(path);
}

static bool find_lab_kernel(const char *path, void *ctx)
{
        char digest[65];

        if (!file_sha256_hex(path, digest) || strcmp(digest, LAB_KERNEL_SHA256) != 0)
                return false;
        snprintf(ctx, 4096, "%s", path);
        return true;
}

/* Rebuilds the lab UKI into DIR/uki.efi as lab/record does. Returns
 * false, with the reason on standard error, when an input differs from
 * the recording. */
static bool rebuild_lab_uki(const char *dir, const char *kernel)
{
        char *root = strdup(tu_source_root());
        char *lab = tu_path_join(root, "lab");
        char *mkinitrd = tu_path_join(lab, "mkinitrd"), *mkuki = tu_path_join(lab, "mkuki");
        char *osrel = tu_path_join(lab, "os-release"), *initrd = tu_path_join(dir, "initrd.cpio.gz");
        char *cmdline = tu_write_file(dir, "cmdline.txt", LAB_CMDLINE, strlen(LAB_CMDLINE));
        char *uki = tu_path_join(dir, "uki.efi"), *log = tu_path_join(dir, "build.log");
        const char *initrd_argv[] = { mkinitrd, initrd, "/bin/busybox", NULL };
        const char *uki_argv[] = { mkuki, STUB_PATH, kernel, initrd, cmdline, osrel, uki, NULL };
        char digest[65];
        bool same = true;

        cr_assert(root && lab && mkinitrd && mkuki && osrel && initrd && cmdline && uki && log);
        cr_assert_eq(run_command(initrd_argv, log, log), 0, "lab/mkinitrd failed, see %s", log);
        cr_assert(file_sha256_hex(initrd, digest));
        if (strcmp(digest, LAB_INITRD_SHA256) != 0) {
                fprintf(stderr, "pe: the rebuilt initrd has SHA-256 %s, not the recorded %s (another busybox-static?)\n",
                        digest, LAB_INITRD_SHA256);
                same = false;
        }
        cr_assert_eq(run_command(uki_argv, log, log), 0, "lab/mkuki failed, see %s", log);
        cr_assert(file_sha256_hex(uki, digest));
        if (strcmp(digest, LAB_UKI_SHA256) != 0) {
                fprintf(stderr, "pe: the rebuilt UKI has SHA-256 %s, not the recorded %s\n", digest,
                        LAB_UKI_SHA256);
                same = false;
        }
        free(root); free(lab); free(mkinitrd); free(mkuki); free(osrel); free(initrd);
        free(cmdline); free(uki); free(log);
        return same;
}

static void expect_digest_hex(const struct pcrsim_digest *d, const char *expected,
                              const char *what)
{
        char actual[129];

        hex(d->bytes, d->size, actual);
        cr_expect_str_eq(actual, expected, "%s: %s, expected %s", what, actual, expected);
}

static void expect_same_digest(const uint8_t *actual, const struct pcrsim_digest *logged,
                               const char *what)
{
        char a[129], l[129];

        hex(actual, logged->size, a);
        hex(logged->bytes, logged->size, l);
        cr_expect_str_eq(a, l, "%s: pcrsim %s, logged %s", what, a, l);
}

/* PCR 4: the UKI's and the embedded kernel's Authenticode digests are the
 * two application digests that OVMF logged. */
static void check_pcr4(const struct pcrsim_pe *uki, const struct logged *log)
{
        const struct pcrsim_pe_section *linux_section = NULL;
        struct pcrsim_pe *kernel;
        static const uint16_t algs[] = { SHA1_ID, SHA256_ID };

        cr_assert_eq(log->apps, 2, "the lab log has %zu PCR 4 application events, expected 2",
                     log->apps);
        for (uint32_t i = 0; i < uki->section_count; i++)
                if (strcmp(uki->sections[i].name, ".linux") == 0)
                        linux_section = &uki->sections[i];
        cr_assert_not_null(linux_section);
        /* The stub hands VirtualSize bytes of .linux to LoadImage. */
        kernel = parse_ok(uki->data + linux_section->pointer_to_raw_data,
                          linux_section->virtual_size, ".linux section");
        for (size_t a = 0; a < 2; a++) {
                uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
                uint16_t size = 0;
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                cr_assert_eq(pcrsim_pe_authenticode(uki, algs[a], digest, &size, &err), PCRSIM_OK);
                expect_same_digest(digest, &log->app[0][a], "UKI Authenticode");
                if (algs[a] == SHA256_ID)
                        expect_digest_hex(&log->app[0][a], LAB_UKI_AUTHENTICODE, "manifest");
                cr_assert_eq(pcrsim_pe_authenticode(kernel, algs[a], digest, &size, &err),
                             PCRSIM_OK);
                expect_same_digest(digest, &log->app[1][a], "kernel Authenticode");
                if (algs[a] == SHA256_ID)
                        expect_digest_hex(&log->app[1][a], LAB_KERNEL_AUTHENTICODE, "manifest");
        }
        pcrsim_pe_free(kernel);
}

/* PCR 11: the stub's measurements equal the logged EV_IPL events and the
 * manifest's section digests, and replaying them gives the PCR 11 value
 * that the TPM reported. */
static void check_pcr11(const struct pcrsim_pe *uki, const struct logged *log,
                        const char *vector_dir)
{
        static const uint16_t algs[] = { SHA1_ID, SHA256_ID };
        static const char *const banks[] = { "sha1", "sha256" };
        struct pcrsim_uki_measurements *m = calloc(1, sizeof(*m));
        struct pcrsim_error err;

        cr_assert_not_null(m);
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_uki_measure(uki, 252, algs, 2, m, &err), PCRSIM_OK, "%s",
                     err.message);
        cr_assert_eq(m->count, 8);
        cr_assert_eq(log->ipl, m->count, "the lab log has %zu PCR 11 EV_IPL events", log->ipl);
        for (size_t a = 0; a < 2; a++) {
                uint8_t pcr[32] = { 0 }, buf[64];
                unsigned size = 0;
                char replayed[129], recorded[129];

                for (uint32_t i = 0; i < m->count; i++) {
                        const struct pcrsim_digest *d = &m->events[i].digests[a];
                        char what[64];

                        snprintf(what, sizeof(what), "PCR 11 event %u (%s %s, %s)", i,
                                 m->events[i].section,
                                 m->events[i].part == PCRSIM_UKI_SECTION_NAME ? "name" : "data",
                                 banks[a]);
                        expect_same_digest(d->bytes, &log->ipl_digest[i][a], what);
                        if (algs[a] == SHA256_ID)
                                expect_digest_hex(d, m->events[i].part == PCRSIM_UKI_SECTION_NAME ?
                                                  lab_sections[i / 2].name_nul :
                                                  lab_sections[i / 2].data, what);
                        memcpy(buf, pcr, d->size);
                        memcpy(buf + d->size, d->bytes, d->size);
                        digest_bytes(algs[a], buf, 2u * d->size, pcr, &size);
                }
                read_recorded_pcr11(vector_dir, banks[a], recorded);
                cr_expect_str_eq(hex(pcr, size, replayed), recorded,
                                 "PCR 11 %s replayed %s, the TPM reported %s", banks[a], replayed,
                                 recorded);
        }
        free(m);
}

Test(pe, lab_uki_matches_recorded_boot)
{
        static const char *const tools[] = { "objcopy", "objdump", "cpio", "gzip",
                                             "/bin/busybox" };
        char kernel[4096] = "", stub_digest[65], *vector_dir, *dir, *uki_path;
        struct logged *log = calloc(1, sizeof(*log));
        struct pcrsim_pe *uki;
        size_t size = 0;
        char *data;

        cr_assert_not_null(log);
        if (!for_each_cached_kernel(find_lab_kernel, kernel)) {
                fprintf(stderr, "pe: the lab kernel (SHA-256 %s) is not in the lab cache; run lab/fetch-kernel ~/.cache/pcrsim-lab to check the UKI against vectors/lab-uki\n",
                        LAB_KERNEL_SHA256);
                cr_skip_test("lab kernel not cached");
        }
        if (!file_sha256_hex(STUB_PATH, stub_digest) || strcmp(stub_digest, LAB_STUB_SHA256) != 0) {
                fprintf(stderr, "pe: %s is absent or not the stub of the recording (systemd-boot-efi 252.39-1~deb12u2), so the lab UKI is not rebuilt\n",
                        STUB_PATH);
                cr_skip_test("lab stub absent");
        }
        for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
                if (!have_program(tools[i])) {
                        fprintf(stderr, "pe: %s is missing, so the lab UKI is not rebuilt (tools/install-deps --with-lab-packages installs it)\n",
                                tools[i]);
                        cr_skip_test("a lab tool is missing");
                }
        dir = tu_tmpdir();
        cr_assert_not_null(dir);
        if (!rebuild_lab_uki(dir, kernel)) {
                tu_rmtree(dir);
                cr_skip_test("the rebuilt UKI differs from the recorded one");
        }
        uki_path = tu_path_join(dir, "uki.efi");
        data = tu_read_file(uki_path, &size);
        cr_assert_not_null(data);
        uki = parse_ok(data, size, "lab UKI");
        vector_dir = tu_path_join(tu_source_root(), "vectors/lab-uki");
        read_lab_log(vector_dir, log);
        check_pcr4(uki, log);
        check_pcr11(uki, log, vector_dir);
        fprintf(stderr, "pe: the rebuilt lab UKI matches the PCR 4 and PCR 11 events and values of vectors/lab-uki\n");
        pcrsim_pe_free(uki);
        free(data);
        free(uki_path);
        free(vector_dir);
        free(log);
        tu_rmtree(dir);
}
