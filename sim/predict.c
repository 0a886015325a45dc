/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "pcrsim/grub.h"
#include "pcrsim/pe.h"
#include "pcrsim/predict.h"
#include "pcrsim/qemu.h"
#include "pcrsim/reader.h"

#define EV_POST_CODE 0x00000001u
#define EV_SEPARATOR 0x00000004u
#define EV_ACTION 0x00000005u
#define EV_EVENT_TAG 0x00000006u
#define EV_S_CRTM_CONTENTS 0x00000007u
#define EV_S_CRTM_VERSION 0x00000008u
#define EV_CPU_MICROCODE 0x00000009u
#define EV_PLATFORM_CONFIG_FLAGS 0x0000000Au
#define EV_TABLE_OF_DEVICES 0x0000000Bu
#define EV_IPL 0x0000000Du
#define EV_NONHOST_CODE 0x0000000Fu
#define EV_NONHOST_CONFIG 0x00000010u
#define EV_NONHOST_INFO 0x00000011u
#define EV_OMIT_BOOT_DEVICE_EVENTS 0x00000012u
#define EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001u
#define EV_EFI_VARIABLE_BOOT 0x80000002u
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define EV_EFI_BOOT_SERVICES_DRIVER 0x80000004u
#define EV_EFI_RUNTIME_SERVICES_DRIVER 0x80000005u
#define EV_EFI_GPT_EVENT 0x80000006u
#define EV_EFI_ACTION 0x80000007u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB 0x80000008u
#define EV_EFI_HANDOFF_TABLES 0x80000009u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB2 0x8000000Au
#define EV_EFI_HANDOFF_TABLES2 0x8000000Bu
#define EV_EFI_VARIABLE_BOOT2 0x8000000Cu
#define EV_EFI_GPT_EVENT2 0x8000000Du
#define EV_EFI_VARIABLE_AUTHORITY 0x800000E0u
#define EV_EFI_SPDM_FIRMWARE_BLOB 0x800000E1u
#define EV_EFI_SPDM_FIRMWARE_CONFIG 0x800000E2u

/* Tags of the Linux EFI stub's PCR 9 events (TCG_PCClientTaggedEvent). */
#define LINUX_EVENT_ID_INITRD 0x8F3B22ECu
#define LINUX_EVENT_ID_LOAD_OPTIONS 0x8F3B22EDu

/* The new image's measurements, one digest per bank of the base log. */
struct image_digests {
        uint32_t bank_count;
        uint16_t banks[PCRSIM_MAX_ALGORITHMS];
        uint16_t sizes[PCRSIM_MAX_ALGORITHMS];
        uint8_t uki[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t kernel[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t load_options[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t initrd[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        bool has_cmdline, has_initrd;
        uint64_t uki_size, kernel_size;   /* ImageLengthInMemory of the new images */
        unsigned stub_version;
        bool stub_detected;   /* stub_version came from .sdmagic */
        bool signed_image;    /* the UKI has a certificate table */
        bool has_credentials; /* systemd-stub serves a credentials archive */
        uint8_t credentials[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        bool direct;          /* a QEMU direct kernel boot, not a UKI */
        bool has_qemu_kernel; /* the guest's RAM size was given */
        struct pcrsim_uki_measurements sections;
};

/* Counts of what the base log contains, taken before anything is written. */
struct base_survey {
        uint32_t apps_before_separator; /* PCR 4 applications */
        uint32_t apps_after_separator;
        uint64_t first_app_before;      /* event index */
        uint64_t first_app_before_offset;
        uint32_t stub_events;           /* PCR 11 EV_IPL */
        uint32_t load_options_events;   /* PCR 9 Linux tags */
        uint32_t initrd_events;
        bool secure_boot;               /* PCR 7 has an authority event */
        uint32_t global_credentials;    /* "Global credentials initrd" events */
        uint32_t stub_config_events;    /* other PCR 12 and 13 EV_IPL */
        uint64_t first_stub_config;
        uint32_t first_stub_config_pcr;
};

struct buffer {
        uint8_t *data;
        size_t size, cap;
        bool failed;
};

static void put(struct buffer *b, const void *p, size_t n)
{
        /* An empty part may come with a NULL pointer, which memcpy must
         * not get. */
        if (b->failed || n == 0)
                return;
        if (b->size + n > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                uint8_t *grown;

                while (cap < b->size + n)
                        cap *= 2;
                grown = realloc(b->data, cap);
                if (!grown) {
                        b->failed = true;
                        return;
                }
                b->data = grown;
                b->cap = cap;
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
}

static void put_u32(struct buffer *b, uint32_t v)
{
        uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

        put(b, le, 4);
}

static void put_u16(struct buffer *b, uint16_t v)
{
        uint8_t le[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

        put(b, le, 2);
}

/* Returns the section named `name`, or NULL. */
static const struct pcrsim_pe_section *section(const struct pcrsim_pe *pe, const char *name)
{
        for (uint32_t i = 0; i < pe->section_count; i++)
                if (strcmp(pe->sections[i].name, name) == 0)
                        return &pe->sections[i];
        return NULL;
}

/* Returns a copy of the section as the loader maps it: VirtualSize bytes,
 * its raw data followed by zeros. */
static uint8_t *loaded(const struct pcrsim_pe *pe, const struct pcrsim_pe_section *s)
{
        uint32_t raw = s->size_of_raw_data < s->virtual_size ? s->size_of_raw_data : s->virtual_size;
        uint8_t *copy;

        if (s->virtual_size - raw > PCRSIM_MAX_UKI_ZERO_FILL)
                return NULL;
        copy = calloc(s->virtual_size ? s->virtual_size : 1, 1);
        if (copy && raw)
                memcpy(copy, pe->data + s->pointer_to_raw_data, raw);
        return copy;
}

static enum pcrsim_error_code nomem(struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
}

/* Hashes `data` with every bank into `out`. */
static enum pcrsim_error_code hash_banks(const struct image_digests *d, const void *data, size_t size,
                                         uint8_t (*out)[PCRSIM_MAX_DIGEST_SIZE],
                                         struct pcrsim_error *err)
{
        enum pcrsim_error_code rc = PCRSIM_OK;

        for (uint32_t b = 0; !rc && b < d->bank_count; b++) {
                struct pcrsim_hasher h;

                rc = pcrsim_hasher_init(&h, d->banks[b], err);
                if (!rc && !h.md)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                              "OpenSSL cannot hash the base log's bank 0x%04x",
                                              d->banks[b]);
                if (!rc)
                        rc = pcrsim_hasher_digest(&h, data, size, out[b], err);
                pcrsim_hasher_free(&h);
        }
        return rc;
}

/* The kernel EFI stub measures the command line that systemd-stub passes
 * as LoadOptions: the .cmdline section up to its first NUL, widened to
 * UTF-16LE, with a NUL character. NOTE: checked only with a .cmdline that
 * has no trailing newline; whether stub 252 strips one is not verified. */
static enum pcrsim_error_code measure_cmdline(struct image_digests *d, const uint8_t *text, size_t size,
                                              struct pcrsim_error *err)
{
        size_t len = 0;
        uint8_t *wide;
        enum pcrsim_error_code rc;

        while (len < size && text[len])
                len++;
        wide = calloc(2 * len + 2, 1);
        if (!wide)
                return nomem(err);
        for (size_t i = 0; i < len; i++)
                wide[2 * i] = text[i];
        rc = hash_banks(d, wide, 2 * len + 2, d->load_options, err);
        free(wide);
        return rc;
}

/* Reads the systemd version from the stub's .sdmagic section, a string
 * such as "#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####". Returns
 * 0 when the UKI has none. */
static unsigned sdmagic_version(const struct pcrsim_pe *pe)
{
        static const char marker[] = "systemd-stub ";
        const struct pcrsim_pe_section *s = section(pe, ".sdmagic");
        uint32_t size;
        const char *text, *hit = NULL;
        unsigned version = 0;

        if (!s)
                return 0;
        size = s->size_of_raw_data < s->virtual_size ? s->size_of_raw_data : s->virtual_size;
        text = (const char *)pe->data + s->pointer_to_raw_data;
        for (uint32_t i = 0; i + sizeof(marker) - 1 < size && !hit; i++)
                if (memcmp(text + i, marker, sizeof(marker) - 1) == 0)
                        hit = text + i + sizeof(marker) - 1;
        for (; hit && hit < text + size && *hit >= '0' && *hit <= '9' && version < 100000; hit++)
                version = 10 * version + (unsigned)(*hit - '0');
        return version;
}

static void cpio_word(struct buffer *b, uint32_t v)
{
        char text[9];

        snprintf(text, sizeof(text), "%08x", v);
        put(b, text, 8);
}

static void cpio_pad(struct buffer *b)
{
        static const uint8_t zeros[4];

        put(b, zeros, (4 - b->size % 4) % 4);
}

/* Appends one newc record: the header, the name with its NUL, the data,
 * each padded to 4 bytes. */
static void cpio_record(struct buffer *b, uint32_t inode, uint32_t mode, const char *name,
                        const uint8_t *data, uint32_t size)
{
        put(b, "070701", 6);
        cpio_word(b, inode);
        cpio_word(b, mode);
        cpio_word(b, 0);                              /* uid */
        cpio_word(b, 0);                              /* gid */
        cpio_word(b, 1);                              /* nlink */
        cpio_word(b, 0);                              /* mtime */
        cpio_word(b, size);
        for (int i = 0; i < 4; i++)
                cpio_word(b, 0);                      /* devices */
        cpio_word(b, (uint32_t)strlen(name) + 1);
        cpio_word(b, 0);                              /* check */
        put(b, name, strlen(name) + 1);
        cpio_pad(b);
        put(b, data, size);
        cpio_pad(b);
}

static int credential_order(const void *a, const void *b)
{
        const struct pcrsim_predict_credential *x = *(const struct pcrsim_predict_credential *const *)a;
        const struct pcrsim_predict_credential *y = *(const struct pcrsim_predict_credential *const *)b;

        return strcmp(x->name, y->name);
}

/*
 * Builds the archive that systemd-stub makes of the global credentials: a
 * newc cpio with the folders .extra (mode 0555) and
 * .extra/global_credentials (0500), then each file (0400) in the order of
 * its name, inodes counted from 1, all times 0, and the trailer.
 */
static enum pcrsim_error_code pack_credentials(const struct pcrsim_predict_credential *creds, size_t count,
                                               struct buffer *b, struct pcrsim_error *err)
{
        static const char folder[] = ".extra/global_credentials";
        const struct pcrsim_predict_credential **sorted = calloc(count, sizeof(*sorted));
        uint32_t inode = 1;
        char path[sizeof(folder) + 256 + 1];

        if (!sorted)
                return nomem(err);
        for (size_t i = 0; i < count; i++) {
                const char *n = creds[i].name;
                size_t len = strlen(n);
                bool ascii = len > 0 && len <= 255 && n[0] != '.';

                for (size_t k = 0; k < len; k++)
                        ascii = ascii && n[k] > 0x20 && n[k] < 0x7F && n[k] != '/' && n[k] != '\\';
                if (!ascii || len < 5 || strcasecmp(n + len - 5, ".cred") != 0 || creds[i].size > UINT32_MAX) {
                        free(sorted);
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                "credential '%.64s': systemd-stub reads files whose ASCII names end in .cred, of at most 255 characters and 4 GiB",
                                                len ? n : "");
                }
                sorted[i] = &creds[i];
        }
        qsort(sorted, count, sizeof(*sorted), credential_order);
        /* FAT compares names without case, so one folder cannot hold both. */
        for (size_t i = 0; i < count; i++)
                for (size_t k = i + 1; k < count; k++)
                        if (strcasecmp(creds[i].name, creds[k].name) == 0) {
                                free(sorted);
                                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                                        "credential '%.64s' is given twice: one ESP folder holds one file of a name, in any case",
                                                        creds[k].name);
                        }
        cpio_record(b, inode++, 0040555, ".extra", NULL, 0);
        cpio_record(b, inode++, 0040500, folder, NULL, 0);
        for (size_t i = 0; i < count; i++) {
                snprintf(path, sizeof(path), "%s/%s", folder, sorted[i]->name);
                cpio_record(b, inode++, 0100400, path, sorted[i]->data, (uint32_t)sorted[i]->size);
        }
        /* The trailer, as systemd-stub writes it: inode 0, nlink 1, and
         * the name size in uppercase hex. */
        put(b, "070701", 6);
        for (int i = 0; i < 11; i++)
                cpio_word(b, i == 4 ? 1 : 0);
        put(b, "0000000B00000000", 16);
        put(b, "TRAILER!!!", 11);
        cpio_pad(b);
        free(sorted);
        return b->failed ? nomem(err) : PCRSIM_OK;
}

static enum pcrsim_error_code measure_image(const void *uki, size_t uki_size, unsigned stub_version,
                                            const struct pcrsim_predict_credential *creds, size_t cred_count,
                                            struct image_digests *d, struct pcrsim_error *err)
{
        struct pcrsim_pe *pe = NULL, *kernel = NULL;
        const struct pcrsim_pe_section *s;
        enum pcrsim_error_code rc;
        uint8_t *copy = NULL;
        unsigned detected;

        rc = pcrsim_pe_parse(uki, uki_size, &pe, err);
        if (!rc) {
                detected = sdmagic_version(pe);
                d->signed_image = pe->certificate_table_size > 0;
                if (stub_version && detected && stub_version != detected)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, ".sdmagic",
                                              "the UKI's stub is systemd-stub %u (its .sdmagic section), not the version %u given",
                                              detected, stub_version);
                d->stub_detected = !stub_version && detected;
                if (!stub_version)
                        stub_version = detected ? detected : 252;
                d->stub_version = stub_version;
        }
        for (uint32_t b = 0; !rc && b < d->bank_count; b++)
                rc = pcrsim_pe_authenticode(pe, d->banks[b], d->uki[b], &d->sizes[b], err);
        if (!rc)
                rc = pcrsim_uki_measure(pe, stub_version, d->banks, d->bank_count, &d->sections, err);
        d->uki_size = uki_size;
        s = rc ? NULL : section(pe, ".linux");
        if (s)
                d->kernel_size = s->virtual_size;
        if (!rc && !s)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                      "the UKI has no .linux section");
        if (!rc) {
                copy = loaded(pe, s);
                rc = copy ? pcrsim_pe_parse(copy, s->virtual_size, &kernel, err) : nomem(err);
                if (rc && rc != PCRSIM_ERR_NOMEM)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, ".linux",
                                              "the .linux section is not a PE image: %s", err->message);
        }
        for (uint32_t b = 0; !rc && b < d->bank_count; b++) {
                uint16_t size;

                rc = pcrsim_pe_authenticode(kernel, d->banks[b], d->kernel[b], &size, err);
        }
        pcrsim_pe_free(kernel);
        free(copy);
        copy = NULL;
        s = rc ? NULL : section(pe, ".cmdline");
        if (s) {
                size_t len = 0;

                copy = loaded(pe, s);
                while (copy && len < s->virtual_size && copy[len])
                        len++;
                /* NOTE: later stubs than 252 strip trailing whitespace from
                 * .cmdline; from which release on is not verified. */
                if (copy && stub_version > 252 && len && strchr(" \t\n\r", copy[len - 1]))
                        rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, ".cmdline",
                                              "the .cmdline section ends in whitespace, and whether systemd-stub %u passes it on is not modelled",
                                              stub_version);
                else
                        rc = copy ? measure_cmdline(d, copy, s->virtual_size, err) : nomem(err);
                d->has_cmdline = !rc;
                free(copy);
        }
        /* systemd-stub also appends credentials and system extensions from
         * the ESP to the initrd it serves, and measures them into PCRs 12
         * and 13. fits_uki() rejects a base boot that has such events. */
        s = rc ? NULL : section(pe, ".initrd");
        if (!rc && cred_count) {
                /* The kernel loads the .initrd padded to 4 bytes, then the
                 * credentials archive. */
                struct buffer all = { 0 }, archive = { 0 };
                static const uint8_t zeros[4];

                copy = s ? loaded(pe, s) : NULL;
                rc = s && !copy ? nomem(err) : pack_credentials(creds, cred_count, &archive, err);
                if (!rc)
                        rc = hash_banks(d, archive.data, archive.size, d->credentials, err);
                if (!rc && s) {
                        put(&all, copy, s->virtual_size);
                        put(&all, zeros, (4 - s->virtual_size % 4) % 4);
                }
                if (!rc)
                        put(&all, archive.data, archive.size);
                if (!rc && all.failed)
                        rc = nomem(err);
                if (!rc)
                        rc = hash_banks(d, all.data, all.size, d->initrd, err);
                d->has_credentials = d->has_initrd = !rc;
                free(all.data);
                free(archive.data);
                free(copy);
        } else if (s) {
                copy = loaded(pe, s);
                rc = copy ? hash_banks(d, copy, s->virtual_size, d->initrd, err) : nomem(err);
                d->has_initrd = !rc;
                free(copy);
        }
        pcrsim_pe_free(pe);
        return rc;
}

/* Writes one TCG_PCR_EVENT2 record with the digests of `digests`. */
static void put_record(struct buffer *b, uint32_t pcr, uint32_t type, const struct image_digests *d,
                       uint8_t (*digests)[PCRSIM_MAX_DIGEST_SIZE], const void *data, uint32_t size)
{
        put_u32(b, pcr);
        put_u32(b, type);
        put_u32(b, d->bank_count);
        for (uint32_t i = 0; i < d->bank_count; i++) {
                put_u16(b, d->banks[i]);
                put(b, digests[i], d->sizes[i]);
        }
        put_u32(b, size);
        put(b, data, size);
}

/* Makes room for one more item in `*items`, an array of `count` items of
 * `size` bytes with room for `*cap`. */
static bool grow(void **items, size_t count, size_t *cap, size_t size)
{
        size_t n = *cap ? 2 * *cap : 16;
        void *grown;

        if (count < *cap)
                return true;
        grown = realloc(*items, n * size);
        if (!grown)
                return false;
        *items = grown;
        *cap = n;
        return true;
}

static struct pcrsim_predict_change *add_change(struct pcrsim_prediction *out, size_t *cap,
                                                enum pcrsim_predict_role role, uint32_t pcr,
                                                const char *detail)
{
        struct pcrsim_predict_change *c;
        void *items = out->changes;

        if (!grow(&items, out->change_count, cap, sizeof(*c)))
                return NULL;
        out->changes = items;
        c = &out->changes[out->change_count++];
        memset(c, 0, sizeof(*c));
        c->role = role;
        c->pcr = pcr;
        c->base_index = PCRSIM_NO_RECORD;
        snprintf(c->detail, sizeof(c->detail), "%s", detail);
        return c;
}

static void set_new(struct pcrsim_predict_change *c, const struct image_digests *d,
                    uint8_t (*digests)[PCRSIM_MAX_DIGEST_SIZE])
{
        c->digest_count = d->bank_count;
        for (uint32_t i = 0; i < d->bank_count; i++) {
                c->new_digests[i].alg = d->banks[i];
                c->new_digests[i].size = d->sizes[i];
                memcpy(c->new_digests[i].bytes, digests[i], d->sizes[i]);
        }
}

static void set_old(struct pcrsim_predict_change *c, const struct pcrsim_event *ev)
{
        c->base_index = ev->index;
        c->digest_count = ev->digest_count;
        for (uint32_t i = 0; i < ev->digest_count && i < PCRSIM_MAX_ALGORITHMS; i++)
                c->old_digests[i] = ev->digests[i];
}

/* Tag id of a Linux EFI stub event, or 0. */
static uint32_t tag_id(const struct pcrsim_event *ev)
{
        if (ev->type != EV_EVENT_TAG || ev->data_size < 8)
                return 0;
        return (uint32_t)ev->data[0] | (uint32_t)ev->data[1] << 8 | (uint32_t)ev->data[2] << 16 |
               (uint32_t)ev->data[3] << 24;
}

/* The description of systemd-stub's event for the global credentials. */
#define GLOBAL_CREDENTIALS "Global credentials initrd"

/* Tells whether the event data is `text` in UTF-16LE with a NUL. */
static bool utf16_is(const struct pcrsim_event *ev, const char *text)
{
        size_t len = strlen(text);

        if (ev->data_size != 2 * len + 2 || ev->data[2 * len] || ev->data[2 * len + 1])
                return false;
        for (size_t i = 0; i < len; i++)
                if (ev->data[2 * i] != (uint8_t)text[i] || ev->data[2 * i + 1])
                        return false;
        return true;
}

/* Counts what the base log has, to reject a structure the prediction does
 * not fit before writing anything. */
static enum pcrsim_error_code survey(const void *base, size_t base_size, struct base_survey *sv,
                                     struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        bool have = true, separator4 = false;
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);

        memset(sv, 0, sizeof(*sv));
        if (!rc && pcrsim_tcglog_format(log) != PCRSIM_LOG_CRYPTO_AGILE)
                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, 0, NULL,
                                      "the base log is in the SHA-1 format; a prediction needs a crypto-agile log");
        while (!rc) {
                uint32_t tag;

                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                if (ev.pcr == 4 && ev.type == EV_SEPARATOR)
                        separator4 = true;
                if (ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                        if (separator4) {
                                sv->apps_after_separator++;
                        } else if (sv->apps_before_separator++ == 0) {
                                sv->first_app_before = ev.index;
                                sv->first_app_before_offset = ev.offset;
                        }
                }
                if (ev.pcr == 11 && ev.type == EV_IPL)
                        sv->stub_events++;
                if (ev.pcr == 7 && ev.type == EV_EFI_VARIABLE_AUTHORITY)
                        sv->secure_boot = true;
                if (ev.pcr == 12 && ev.type == EV_IPL && utf16_is(&ev, GLOBAL_CREDENTIALS)) {
                        sv->global_credentials++;
                } else if ((ev.pcr == 12 || ev.pcr == 13) && ev.type == EV_IPL && sv->stub_config_events++ == 0) {
                        sv->first_stub_config = ev.index;
                        sv->first_stub_config_pcr = ev.pcr;
                }
                tag = ev.pcr == 9 ? tag_id(&ev) : 0;
                if (tag == LINUX_EVENT_ID_LOAD_OPTIONS)
                        sv->load_options_events++;
                if (tag == LINUX_EVENT_ID_INITRD)
                        sv->initrd_events++;
        }
        pcrsim_tcglog_free(log);
        if (!rc && (sv->load_options_events > 1 || sv->initrd_events > 1))
                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                      "the base boot has %u Linux LoadOptions and %u initrd events in PCR 9; one kernel logs at most one of each",
                                      sv->load_options_events, sv->initrd_events);
        return rc;
}

/* Checks that the base boot is a UKI boot whose events a UKI replaces;
 * with `d` NULL, only the base boot's structure. */
static enum pcrsim_error_code fits_uki(const struct base_survey *sv, const struct image_digests *d,
                                       enum pcrsim_predict_input *failed, struct pcrsim_error *err)
{
        if (sv->apps_before_separator)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, sv->first_app_before_offset, NULL,
                                        "event %llu: the base boot loaded an application before the PCR 4 separator, as QEMU's direct kernel boot does; predict a direct boot with --kernel instead of --uki",
                                        (unsigned long long)sv->first_app_before);
        if (sv->apps_after_separator == 0 || sv->apps_after_separator > 2)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot started %u EFI applications after the PCR 4 separator; a UKI boot starts one (Secure Boot) or two (the UKI and its kernel), so the events cannot be attributed",
                                        sv->apps_after_separator);
        if (sv->stub_events == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot has no systemd-stub EV_IPL events in PCR 11, so it did not boot a UKI");
        /* A command line from the boot loader replaces .cmdline, and
         * credentials and system extensions join the initrd that the kernel
         * measures, so the PCR 9 events would not be those of the UKI. */
        if (sv->stub_config_events)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "event %llu: systemd-stub measured a command line from the boot loader, per-UKI credentials or system extensions into PCR %u; they change the kernel's command line or initrd in ways that pcrsim does not model",
                                        (unsigned long long)sv->first_stub_config, sv->first_stub_config_pcr);
        if (sv->global_credentials > 1)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot has %u \"" GLOBAL_CREDENTIALS "\" events; systemd-stub logs at most one",
                                        sv->global_credentials);
        if (!d)
                return PCRSIM_OK;
        if (sv->global_credentials && !d->has_credentials)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot read system credentials from the ESP (PCR 12 \"" GLOBAL_CREDENTIALS "\"), which change the kernel's initrd event; give the new boot's credentials with --credential");
        if (d->has_credentials && !sv->initrd_events)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "credentials join the initrd, but the base boot logged no Linux initrd event in PCR 9, so where the kernel logs it is not known");
        /* The last two compare the UKI's sections with the base boot. */
        if (failed && ((sv->load_options_events && !d->has_cmdline) || (!sv->initrd_events && d->has_initrd)))
                *failed = PCRSIM_PREDICT_INPUT_IMAGE;
        if (sv->load_options_events && !d->has_cmdline)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the new UKI has no .cmdline section: systemd-stub then passes the boot entry's command line, which pcrsim does not know");
        if (!sv->initrd_events && d->has_initrd)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the new UKI has an .initrd section, but the base boot logged no Linux initrd event in PCR 9, so where the kernel logs it is not known");
        return PCRSIM_OK;
}

/* Checks that the base boot is a QEMU direct kernel boot; with `d` NULL,
 * only the base boot's structure. */
static enum pcrsim_error_code fits_direct(const struct base_survey *sv, const struct image_digests *d,
                                          struct pcrsim_error *err)
{
        if (sv->apps_before_separator != 1 || sv->apps_after_separator || sv->stub_events)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot is not a QEMU direct kernel boot: it started %u EFI applications before the PCR 4 separator and %u after it (a direct boot: one before, none after) and has %u systemd-stub events in PCR 11",
                                        sv->apps_before_separator, sv->apps_after_separator, sv->stub_events);
        if (!sv->load_options_events)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot has no Linux LoadOptions event in PCR 9: its kernel does not measure the command line, so the prediction cannot place it");
        if (!d)
                return PCRSIM_OK;
        if (sv->initrd_events && !d->has_initrd)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot loaded an initrd and logged it in PCR 9; give the new one with --initrd");
        if (!sv->initrd_events && d->has_initrd)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot logged no Linux initrd event in PCR 9, so where the kernel logs one is not known; predict from a base boot with an initrd");
        return PCRSIM_OK;
}

/*
 * Returns the reason that makes a kept event an assumption, or NULL when
 * it belongs to the platform: firmware code and configuration, the boot variables, the
 * Secure Boot policy, separators, and the firmware's action strings.
 */
static const char *assumption(const struct pcrsim_event *ev)
{
        switch (ev->type) {
        case PCRSIM_EV_NO_ACTION:
        case EV_SEPARATOR:
                return NULL;
        case EV_EFI_VARIABLE_AUTHORITY:
                return "a Secure Boot authority (the certificate or SBAT level that let an image run): assumed the same for the new image";
        case EV_EFI_GPT_EVENT:
        case EV_EFI_GPT_EVENT2:
                return "the boot disk's partition table: assumed the same for the new image";
        case EV_EFI_BOOT_SERVICES_APPLICATION:
                return "an EFI application the prediction does not replace";
        }
        if (ev->pcr == 14 && ev->type == EV_IPL)
                return "shim's MOK lists: assumed unchanged";
        /* NOTE: systemd-stub's PCR 12 and 13 measurements (a command line
         * from the boot loader, credentials, system extensions) are not
         * modelled, so a prediction keeps them. */
        if ((ev->pcr == 12 || ev->pcr == 13) && (ev->type == EV_IPL || ev->type == EV_EVENT_TAG))
                return "systemd-stub's command line from the boot loader, credentials or system extensions: assumed unchanged, because pcrsim does not model them";
        if (ev->pcr <= 7) {
                switch (ev->type) {
                case EV_POST_CODE:
                case EV_ACTION:
                case EV_S_CRTM_CONTENTS:
                case EV_S_CRTM_VERSION:
                case EV_CPU_MICROCODE:
                case EV_PLATFORM_CONFIG_FLAGS:
                case EV_TABLE_OF_DEVICES:
                case EV_NONHOST_CODE:
                case EV_NONHOST_CONFIG:
                case EV_NONHOST_INFO:
                case EV_OMIT_BOOT_DEVICE_EVENTS:
                case EV_EFI_VARIABLE_DRIVER_CONFIG:
                case EV_EFI_VARIABLE_BOOT:
                case EV_EFI_VARIABLE_BOOT2:
                case EV_EFI_BOOT_SERVICES_DRIVER:
                case EV_EFI_RUNTIME_SERVICES_DRIVER:
                case EV_EFI_ACTION:
                case EV_EFI_PLATFORM_FIRMWARE_BLOB:
                case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
                case EV_EFI_HANDOFF_TABLES:
                case EV_EFI_HANDOFF_TABLES2:
                case EV_EFI_SPDM_FIRMWARE_BLOB:
                case EV_EFI_SPDM_FIRMWARE_CONFIG:
                        return NULL;
                }
        }
        return "not attributed to the platform or to the image's files: assumed unchanged";
}

/* Describes a kept event for a reviewer: the string of an EV_IPL event
 * (GRUB, shim), or the variable name of an authority event. */
static void event_detail(const struct pcrsim_event *ev, char *out, size_t cap)
{
        size_t n = 0;

        out[0] = '\0';
        if (ev->type == EV_IPL && (ev->pcr == 8 || ev->pcr == 9 || ev->pcr == 14)) {
                /* Control bytes stay for the caller to escape. */
                for (size_t i = 0; i < ev->data_size && ev->data[i] && n + 1 < cap; i++)
                        out[n++] = ev->data[i] < 0x7F ? (char)ev->data[i] : '?';
        } else if (ev->type == EV_EFI_VARIABLE_AUTHORITY && ev->data_size >= 32) {
                /* UEFI_VARIABLE_DATA: VariableName GUID, UnicodeNameLength
                 * (8 bytes), VariableDataLength (8 bytes), then the name. */
                uint64_t chars = 0;

                for (int i = 7; i >= 0; i--)
                        chars = chars << 8 | ev->data[16 + i];
                for (uint64_t i = 0; i < chars && 32 + 2 * i + 1 < ev->data_size && n + 1 < cap; i++) {
                        uint8_t c = ev->data[32 + 2 * i];

                        out[n++] = c >= 0x20 && c < 0x7F && !ev->data[33 + 2 * i] ? (char)c : '?';
                }
        }
        out[n] = '\0';
}

static bool add_assumption(struct pcrsim_prediction *out, size_t *cap, const struct pcrsim_event *ev,
                           const char *reason)
{
        struct pcrsim_predict_assumption *a;
        void *items = out->assumptions;

        if (!grow(&items, out->assumption_count, cap, sizeof(*a)))
                return false;
        out->assumptions = items;
        a = &out->assumptions[out->assumption_count++];
        a->base_index = ev->index;
        a->pcr = ev->pcr;
        a->type = ev->type;
        a->reason = reason;
        event_detail(ev, a->detail, sizeof(a->detail));
        return true;
}

/* Writes the new UKI's PCR 11 events where the base log had its first. */
static bool put_sections(struct buffer *b, struct pcrsim_prediction *out, size_t *cap,
                         const struct image_digests *d)
{
        for (uint32_t i = 0; i < d->sections.count; i++) {
                const struct pcrsim_uki_event *e = &d->sections.events[i];
                uint8_t digests[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
                uint8_t name[2 * 9 + 2] = { 0 };
                size_t len = strlen(e->section);
                struct pcrsim_predict_change *c;
                char detail[48];

                for (size_t k = 0; k < len; k++)
                        name[2 * k] = (uint8_t)e->section[k];
                for (uint32_t j = 0; j < d->bank_count; j++)
                        memcpy(digests[j], e->digests[j].bytes, e->digests[j].size);
                put_record(b, PCRSIM_UKI_PCR, EV_IPL, d, digests, name, (uint32_t)(2 * len + 2));
                snprintf(detail, sizeof(detail), "systemd-stub: %s %s", e->section,
                         e->part == PCRSIM_UKI_SECTION_NAME ? "name" : "data");
                c = add_change(out, cap, PCRSIM_PREDICT_UKI_SECTION, PCRSIM_UKI_PCR, detail);
                if (!c)
                        return false;
                set_new(c, d, digests);
        }
        return true;
}

typedef uint8_t (*digest_row)[PCRSIM_MAX_DIGEST_SIZE];

/* Copies a base event unchanged, and lists it as an assumption with
 * `reason` unless that is NULL. False when out of memory. */
static bool keep(struct buffer *b, const void *base, const struct pcrsim_event *ev,
                 struct pcrsim_prediction *out, size_t *assumption_cap, const char *reason)
{
        put(b, (const uint8_t *)base + ev->offset, ev->size);
        out->kept_count++;
        return !reason || add_assumption(out, assumption_cap, ev, reason);
}

/* Hands the written log to `out`, or frees it after an error. */
static enum pcrsim_error_code finish(struct buffer *b, struct pcrsim_prediction *out, enum pcrsim_error_code rc,
                                     struct pcrsim_error *err)
{
        if (!rc && b->failed)
                rc = nomem(err);
        if (rc) {
                free(b->data);
                return rc;
        }
        out->log = b->data;
        out->log_size = b->size;
        return PCRSIM_OK;
}

/* The part of a section that the base log's next stub event for `name`
 * measures: the stub logs the name first, then the data. */
static const char *stub_part(const struct pcrsim_prediction *out, const char *name)
{
        static const char prefix[] = "systemd-stub: ";
        size_t seen = 0, len = strlen(name);

        for (size_t i = 0; i < out->change_count; i++) {
                const struct pcrsim_predict_change *c = &out->changes[i];
                const char *rest = c->detail + sizeof(prefix) - 1;

                if (c->removed && c->role == PCRSIM_PREDICT_UKI_SECTION &&
                    strncmp(c->detail, prefix, sizeof(prefix) - 1) == 0 && strncmp(rest, name, len) == 0 &&
                    rest[len] == ' ')
                        seen++;
        }
        if (seen == 0)
                return "name";
        if (seen == 1)
                return "data";
        return "repeated";
}

/* Pairs each stub event of the new UKI with the base event that measured
 * the same part of the same section, so that --explain shows one
 * replacement instead of an addition and a removal. */
static void pair_sections(struct pcrsim_prediction *out)
{
        size_t remaining = 0;

        for (size_t i = 0; i < out->change_count; i++) {
                struct pcrsim_predict_change *added = &out->changes[i];

                if (added->role != PCRSIM_PREDICT_UKI_SECTION || added->base_index != PCRSIM_NO_RECORD)
                        continue;
                for (size_t j = 0; j < out->change_count; j++) {
                        struct pcrsim_predict_change *gone = &out->changes[j];

                        if (!gone->removed || gone->role != PCRSIM_PREDICT_UKI_SECTION ||
                            strcmp(gone->detail, added->detail) != 0)
                                continue;
                        added->base_index = gone->base_index;
                        memcpy(added->old_digests, gone->old_digests, sizeof(added->old_digests));
                        gone->role = PCRSIM_PREDICT_UKI_SECTION;
                        gone->removed = false;
                        gone->base_index = PCRSIM_NO_RECORD - 1; /* paired: dropped below */
                        break;
                }
        }
        for (size_t i = 0; i < out->change_count; i++)
                if (out->changes[i].base_index != PCRSIM_NO_RECORD - 1)
                        out->changes[remaining++] = out->changes[i];
        out->change_count = remaining;
}

/* Replaces one event of the base log with the same event and new
 * digests. */
static struct pcrsim_predict_change *replace(struct buffer *b, struct pcrsim_prediction *out, size_t *cap,
                                             const struct pcrsim_event *ev, enum pcrsim_predict_role role,
                                             const char *detail, const struct image_digests *d,
                                             digest_row digests)
{
        struct pcrsim_predict_change *c = add_change(out, cap, role, ev->pcr, detail);

        if (c) {
                set_old(c, ev);
                set_new(c, d, digests);
        }
        put_record(b, ev->pcr, ev->type, d, digests, ev->data, ev->data_size);
        return c;
}

/* Writes an application event's EFI_IMAGE_LOAD_EVENT with the new image's
 * ImageLengthInMemory, its second 64-bit field. The other fields, such as
 * where the firmware put the image, stay those of the base boot. */
static void put_image_event(struct buffer *b, const struct pcrsim_event *ev, const struct image_digests *d,
                            digest_row digests, uint64_t length)
{
        uint8_t *data = malloc(ev->data_size ? ev->data_size : 1);

        if (!data) {
                b->failed = true;
                return;
        }
        memcpy(data, ev->data, ev->data_size);
        for (int i = 0; ev->data_size >= 16 && i < 8; i++)
                data[8 + i] = (uint8_t)(length >> (8 * i));
        put_record(b, ev->pcr, ev->type, d, digests, data, ev->data_size);
        free(data);
}

/* Replaces an application event with the digests and length of a new
 * image. */
static struct pcrsim_predict_change *replace_image(struct buffer *b, struct pcrsim_prediction *out, size_t *cap,
                                                   const struct pcrsim_event *ev, enum pcrsim_predict_role role,
                                                   const char *detail, const struct image_digests *d,
                                                   digest_row digests, uint64_t length)
{
        struct pcrsim_predict_change *c = add_change(out, cap, role, ev->pcr, detail);

        if (c) {
                set_old(c, ev);
                set_new(c, d, digests);
        }
        put_image_event(b, ev, d, digests, length);
        return c;
}

static enum pcrsim_error_code rewrite(const void *base, size_t base_size, const struct image_digests *d,
                                      bool base_has_credentials, struct pcrsim_prediction *out,
                                      struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        struct buffer b = { 0 };
        bool have = true, first = true, sections_written = false, separator4 = false;
        uint32_t app = 0;
        size_t cap = 0, assumption_cap = 0;
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);

        while (!rc) {
                struct pcrsim_predict_change *c = NULL;
                uint32_t tag;

                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                tag = ev.pcr == 9 ? tag_id(&ev) : 0;
                if (ev.pcr == 4 && ev.type == EV_SEPARATOR)
                        separator4 = true;
                if (first) {
                        /* The Spec ID record stays as it is. */
                        put(&b, (const uint8_t *)base + ev.offset, ev.size);
                        first = false;
                        continue;
                } else if (d->direct && d->has_qemu_kernel && ev.pcr == 4 && !separator4 &&
                           ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                        c = replace_image(&b, out, &cap, &ev, PCRSIM_PREDICT_QEMU_KERNEL,
                                          "kernel as QEMU patches it (Authenticode)", d, (digest_row)d->kernel,
                                          d->kernel_size);
                } else if (!d->direct && ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                        bool kernel = app++ == 1;

                        c = replace_image(&b, out, &cap, &ev, kernel ? PCRSIM_PREDICT_KERNEL : PCRSIM_PREDICT_UKI,
                                          kernel ? "kernel in .linux (Authenticode)" : "UKI (Authenticode)", d,
                                          kernel ? (digest_row)d->kernel : (digest_row)d->uki,
                                          kernel ? d->kernel_size : d->uki_size);
                } else if (!d->direct && ev.pcr == PCRSIM_UKI_PCR && ev.type == EV_IPL) {
                        char name[16] = "";

                        if (!sections_written && !put_sections(&b, out, &cap, d))
                                rc = nomem(err);
                        /* systemd-stub logs the credentials archive after the
                         * sections; a base boot without one gets it there. */
                        if (!sections_written && d->has_credentials && !base_has_credentials) {
                                static const char description[] = GLOBAL_CREDENTIALS;
                                uint8_t data[2 * sizeof(description)] = { 0 };

                                for (size_t k = 0; k + 1 < sizeof(description); k++)
                                        data[2 * k] = (uint8_t)description[k];
                                put_record(&b, 12, EV_IPL, d, (digest_row)d->credentials, data, sizeof(data));
                                c = add_change(out, &cap, PCRSIM_PREDICT_CREDENTIALS, 12,
                                               "systemd-stub: " GLOBAL_CREDENTIALS);
                                if (c)
                                        set_new(c, d, (digest_row)d->credentials);
                                else
                                        rc = nomem(err);
                                c = NULL;
                        }
                        sections_written = true;
                        /* The event data is the section name in UTF-16LE. */
                        for (uint32_t k = 0; 2 * k + 1 < ev.data_size && k + 1 < sizeof(name); k++) {
                                uint8_t ch = ev.data[2 * k];

                                if (!ch)
                                        break;
                                name[k] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
                                name[k + 1] = '\0';
                        }
                        c = add_change(out, &cap, PCRSIM_PREDICT_UKI_SECTION, PCRSIM_UKI_PCR, "");
                        if (c) {
                                c->removed = true;
                                set_old(c, &ev);
                                snprintf(c->detail, sizeof(c->detail), "systemd-stub: %s %s", name,
                                         stub_part(out, name));
                        }
                } else if (!d->direct && ev.pcr == 12 && ev.type == EV_IPL && utf16_is(&ev, GLOBAL_CREDENTIALS)) {
                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_CREDENTIALS, "systemd-stub: " GLOBAL_CREDENTIALS,
                                    d, (digest_row)d->credentials);
                } else if (tag == LINUX_EVENT_ID_LOAD_OPTIONS && d->has_cmdline) {
                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_LOAD_OPTIONS,
                                    "Linux EFI stub: LoadOptions", d, (digest_row)d->load_options);
                } else if (tag == LINUX_EVENT_ID_INITRD && d->has_initrd) {
                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_INITRD, "Linux EFI stub: initrd", d,
                                    (digest_row)d->initrd);
                } else if (tag == LINUX_EVENT_ID_INITRD) {
                        /* Without an initrd the kernel logs no initrd event. */
                        c = add_change(out, &cap, PCRSIM_PREDICT_INITRD, 9, "Linux EFI stub: initrd");
                        if (c) {
                                c->removed = true;
                                set_old(c, &ev);
                        }
                } else {
                        const char *reason = assumption(&ev);

                        if (d->direct && !d->has_qemu_kernel && ev.pcr == 4 &&
                            ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                                /* Not an assumption: PCR 4 is left out. */
                                reason = NULL;
                                out->unpredicted_pcrs |= 1u << 4;
                        }
                        if (!keep(&b, base, &ev, out, &assumption_cap, reason))
                                rc = nomem(err);
                        continue;
                }
                if (!c && !rc)
                        rc = nomem(err);
        }
        pcrsim_tcglog_free(log);
        if (!rc)
                pair_sections(out);
        return finish(&b, out, rc, err);
}

/* Reads the banks of the base log's Spec ID event into `d`. */
static enum pcrsim_error_code base_banks(const void *base, size_t base_size, struct image_digests *d,
                                        struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);

        if (!rc) {
                const struct pcrsim_specid *spec = pcrsim_tcglog_specid(log);

                for (uint32_t i = 0; i < spec->alg_count && i < PCRSIM_MAX_ALGORITHMS; i++) {
                        d->banks[d->bank_count] = spec->algs[i].alg;
                        d->sizes[d->bank_count++] = spec->algs[i].size;
                }
        }
        pcrsim_tcglog_free(log);
        return rc;
}

enum pcrsim_error_code pcrsim_predict_uki(const void *base, size_t base_size, const void *uki,
                                          size_t uki_size, unsigned stub_version,
                                          const struct pcrsim_predict_credential *credentials,
                                          size_t credential_count,
                                          struct pcrsim_prediction *out, struct pcrsim_error *err)
{
        struct image_digests *d = calloc(1, sizeof(*d));
        enum pcrsim_predict_input failed = PCRSIM_PREDICT_INPUT_BASE;
        struct base_survey sv;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        if (!d)
                return nomem(err);
        rc = survey(base, base_size, &sv, err);
        if (!rc)
                rc = fits_uki(&sv, NULL, NULL, err);
        if (!rc)
                rc = base_banks(base, base_size, d, err);
        if (!rc && credential_count) {
                /* A credential's error names the credential. */
                struct buffer check = { 0 };

                failed = PCRSIM_PREDICT_INPUT_NONE;
                rc = pack_credentials(credentials, credential_count, &check, err);
                free(check.data);
        }
        if (!rc) {
                rc = measure_image(uki, uki_size, stub_version, credentials, credential_count, d, err);
                failed = PCRSIM_PREDICT_INPUT_IMAGE;
        }
        if (!rc) {
                failed = PCRSIM_PREDICT_INPUT_BASE;
                rc = fits_uki(&sv, d, &failed, err);
        }
        if (!rc)
                rc = rewrite(base, base_size, d, sv.global_credentials > 0, out, err);
        if (!rc) {
                out->stub_version = d->stub_version;
                out->stub_version_detected = d->stub_detected;
                out->unsigned_under_secure_boot = sv.secure_boot && !d->signed_image;
        }
        free(d);
        if (rc) {
                pcrsim_prediction_free(out);
                out->failed_input = failed;
        }
        return rc;
}

/* The command line OVMF passes to a directly booted kernel. */
static enum pcrsim_error_code direct_cmdline(struct image_digests *d, const struct pcrsim_predict_direct *in,
                                             struct pcrsim_error *err)
{
        static const char suffix[] = " initrd=initrd";
        size_t len = strlen(in->cmdline);
        char *text = malloc(len + sizeof(suffix));
        enum pcrsim_error_code rc;

        if (!text)
                return nomem(err);
        memcpy(text, in->cmdline, len + 1);
        if (in->initrd)
                memcpy(text + len, suffix, sizeof(suffix));
        rc = measure_cmdline(d, (const uint8_t *)text, strlen(text), err);
        d->has_cmdline = !rc;
        free(text);
        return rc;
}

enum pcrsim_error_code pcrsim_predict_direct(const void *base, size_t base_size,
                                             const struct pcrsim_predict_direct *in,
                                             struct pcrsim_prediction *out, struct pcrsim_error *err)
{
        struct image_digests *d = calloc(1, sizeof(*d));
        enum pcrsim_predict_input failed = PCRSIM_PREDICT_INPUT_BASE;
        struct pcrsim_pe *pe = NULL;
        struct base_survey sv;
        uint8_t *patched = NULL;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        if (!d)
                return nomem(err);
        d->direct = true;
        d->has_initrd = in->initrd != NULL;
        d->kernel_size = in->kernel_size;
        rc = survey(base, base_size, &sv, err);
        if (!rc)
                rc = fits_direct(&sv, NULL, err);
        if (!rc)
                rc = base_banks(base, base_size, d, err);
        /* The kernel must be a valid PE image even when PCR 4 is not
         * predicted: the EFI stub is what OVMF starts. */
        if (!rc) {
                rc = pcrsim_pe_parse(in->kernel, in->kernel_size, &pe, err);
                failed = PCRSIM_PREDICT_INPUT_IMAGE;
        }
        pcrsim_pe_free(pe);
        pe = NULL;
        if (!rc && in->ram_bytes) {
                struct pcrsim_qemu_direct q = {
                        .ram_bytes = in->ram_bytes,
                        .cmdline = in->cmdline,
                        .has_initrd = in->initrd != NULL,
                        .initrd_size = in->initrd_size,
                };

                rc = pcrsim_qemu_patch_kernel(in->kernel, in->kernel_size, &q, &patched, err);
                if (!rc)
                        rc = pcrsim_pe_parse(patched, in->kernel_size, &pe, err);
                for (uint32_t b = 0; !rc && b < d->bank_count; b++) {
                        uint16_t size;

                        rc = pcrsim_pe_authenticode(pe, d->banks[b], d->kernel[b], &size, err);
                }
                d->has_qemu_kernel = !rc;
        }
        pcrsim_pe_free(pe);
        free(patched);
        if (!rc)
                rc = direct_cmdline(d, in, err);
        if (!rc && in->initrd)
                rc = hash_banks(d, in->initrd, in->initrd_size, d->initrd, err);
        if (!rc) {
                rc = fits_direct(&sv, d, err);
                failed = PCRSIM_PREDICT_INPUT_BASE;
        }
        if (!rc)
                rc = rewrite(base, base_size, d, false, out, err);
        free(d);
        if (rc) {
                pcrsim_prediction_free(out);
                out->failed_input = failed;
        }
        return rc;
}

/* ---- boots through GRUB ---- */

#define GRUB_CMD_PREFIX "grub_cmd: "
#define GRUB_CMDLINE_PREFIX "kernel_cmdline: "

/* Survey of a GRUB base log, by event index. */
struct grub_survey {
        uint32_t loader_count;          /* applications before GRUB's first command */
        uint64_t loaders[2];            /* shim then GRUB, or GRUB alone */
        uint64_t first_command;
        uint64_t cfg_event;             /* PCR 9 event of the grub.cfg, or PCRSIM_NO_RECORD */
        uint64_t linux_command;
        uint32_t linux_commands;
        uint32_t kernel_files, initrd_files, initrd_words;
        uint32_t kernel_apps;
        uint64_t region_end;            /* last event that GRUB caused */
        uint64_t foreign;               /* first other event after the grub.cfg event */
        uint32_t foreign_pcr;
};

/* The string of a GRUB EV_IPL event, up to its NUL, in `out`. */
static void ipl_text(const struct pcrsim_event *ev, char *out, size_t cap)
{
        size_t n = 0;

        while (n < ev->data_size && n + 1 < cap && ev->data[n])
                n++;
        memcpy(out, ev->data, n);
        out[n] = '\0';
}

static bool starts_with(const char *text, const char *prefix)
{
        return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Tells whether `path` is one of the words after the first of `command`. */
static bool names_file(const char *command, const char *path)
{
        const char *p = strchr(command, ' ');
        size_t len = strlen(path);

        while (p) {
                p++;
                if (strncmp(p, path, len) == 0 && (p[len] == ' ' || p[len] == '\0'))
                        return true;
                p = strchr(p, ' ');
        }
        return false;
}

/* The second word of `command` (after the command name) equals `path`. */
static bool first_argument_is(const char *command, const char *path)
{
        const char *p = strchr(command, ' ');
        size_t len = strlen(path);

        return p && strncmp(p + 1, path, len) == 0 && (p[1 + len] == ' ' || p[1 + len] == '\0');
}

static enum pcrsim_error_code survey_grub(const void *base, size_t base_size, struct grub_survey *sv,
                                          struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        bool have = true, separator4 = false, after_linux = false;
        char last_command[4096], text[4096];
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);

        memset(sv, 0, sizeof(*sv));
        sv->first_command = sv->cfg_event = sv->linux_command = sv->foreign = PCRSIM_NO_RECORD;
        last_command[0] = '\0';
        if (!rc && pcrsim_tcglog_format(log) != PCRSIM_LOG_CRYPTO_AGILE)
                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, 0, NULL,
                                      "the base log is in the SHA-1 format; a prediction needs a crypto-agile log");
        while (!rc) {
                bool grub_event = false;

                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                if (ev.pcr == 4 && ev.type == EV_SEPARATOR)
                        separator4 = true;
                if (ev.pcr == 8 && ev.type == EV_IPL) {
                        ipl_text(&ev, text, sizeof(text));
                        if (starts_with(text, GRUB_CMD_PREFIX) || starts_with(text, GRUB_CMDLINE_PREFIX)) {
                                grub_event = true;
                                if (sv->first_command == PCRSIM_NO_RECORD)
                                        sv->first_command = ev.index;
                        }
                        if (starts_with(text, GRUB_CMD_PREFIX)) {
                                snprintf(last_command, sizeof(last_command), "%s", text + strlen(GRUB_CMD_PREFIX));
                                if (starts_with(last_command, "linux ")) {
                                        sv->linux_command = ev.index;
                                        sv->linux_commands++;
                                        after_linux = true;
                                }
                                if (starts_with(last_command, "initrd ")) {
                                        for (const char *p = strchr(last_command, ' '); p; p = strchr(p + 1, ' '))
                                                sv->initrd_words++;
                                }
                        }
                } else if (ev.pcr == 9 && ev.type == EV_IPL && sv->first_command != PCRSIM_NO_RECORD) {
                        grub_event = true;
                        ipl_text(&ev, text, sizeof(text));
                        if (sv->cfg_event == PCRSIM_NO_RECORD &&
                            (starts_with(last_command, "source ") || starts_with(last_command, "configfile ")) &&
                            first_argument_is(last_command, text))
                                sv->cfg_event = ev.index;
                        else if (starts_with(last_command, "linux ") && first_argument_is(last_command, text))
                                sv->kernel_files++;
                        else if (starts_with(last_command, "initrd ") && names_file(last_command, text))
                                sv->initrd_files++;
                } else if (ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION && separator4) {
                        if (sv->first_command == PCRSIM_NO_RECORD) {
                                if (sv->loader_count < 2)
                                        sv->loaders[sv->loader_count] = ev.index;
                                sv->loader_count++;
                        } else if (after_linux) {
                                grub_event = true;
                                sv->kernel_apps++;
                        }
                }
                if (grub_event) {
                        sv->region_end = ev.index;
                } else if (sv->cfg_event != PCRSIM_NO_RECORD && sv->foreign == PCRSIM_NO_RECORD &&
                           ev.type != PCRSIM_EV_NO_ACTION) {
                        sv->foreign = ev.index;
                        sv->foreign_pcr = ev.pcr;
                }
        }
        pcrsim_tcglog_free(log);
        /* Events of other PCRs after GRUB's last one do not interrupt it. */
        if (sv->foreign != PCRSIM_NO_RECORD && sv->foreign > sv->region_end)
                sv->foreign = PCRSIM_NO_RECORD;
        return rc;
}

bool pcrsim_predict_is_grub_boot(const void *base, size_t base_size)
{
        struct grub_survey sv;

        return survey_grub(base, base_size, &sv, NULL) == PCRSIM_OK && sv.first_command != PCRSIM_NO_RECORD;
}

static enum pcrsim_error_code fits_grub(const struct grub_survey *sv, const struct pcrsim_predict_grub *in,
                                        struct pcrsim_error *err)
{
        if (sv->first_command == PCRSIM_NO_RECORD)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot has no GRUB commands in PCR 8, so it did not boot through GRUB");
        if (sv->loader_count == 0 || sv->loader_count > 2)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot started %u EFI applications before GRUB's first command; a boot through GRUB starts GRUB, or shim then GRUB",
                                        sv->loader_count);
        if (in->shim && sv->loader_count != 2)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "--shim: the base boot started GRUB without shim");
        if (sv->linux_commands != 1 || sv->kernel_files != 1)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot ran %u linux commands and GRUB read %u kernel files; pcrsim predicts a boot of one kernel",
                                        sv->linux_commands, sv->kernel_files);
        if (sv->kernel_apps == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot logged no PCR 4 event for the kernel that GRUB loaded");
        if (sv->initrd_words > 1)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot's initrd command names %u files; pcrsim predicts one initrd",
                                        sv->initrd_words);
        if (!in->grub_cfg && !!sv->initrd_files != !!in->initrd)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        sv->initrd_files ? "the base boot loaded an initrd; give the new one with --initrd"
                                                         : "the base boot loaded no initrd, and without a new grub.cfg GRUB loads none");
        if (in->grub_cfg && sv->cfg_event == PCRSIM_NO_RECORD)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "the base boot has no PCR 9 event of a grub.cfg that a source or configfile command read, so the new grub.cfg has no place");
        if (in->grub_cfg && sv->foreign != PCRSIM_NO_RECORD)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "event %llu (PCR %u) lies between GRUB's events after the grub.cfg, so the new grub.cfg's events cannot be placed",
                                        (unsigned long long)sv->foreign, sv->foreign_pcr);
        return PCRSIM_OK;
}

/* Digests of the new GRUB boot's files, one per bank. */
struct grub_digests {
        struct image_digests d;   /* banks, and the kernel's Authenticode in d.kernel */
        uint8_t shim[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t grub[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t kernel_file[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t cfg[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t text[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        /* From the new shim's built-in certificate and revocation list. */
        bool has_vendor;
        uint8_t moklist[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t moklistx[PCRSIM_MAX_ALGORITHMS][PCRSIM_MAX_DIGEST_SIZE];
        uint8_t *vendor_cert;     /* the DER certificate */
        uint32_t vendor_cert_size;
};

/* SHIM_LOCK_GUID, the owner of shim's variables, and EFI_CERT_X509_GUID,
 * as stored (little-endian fields first). */
static const uint8_t shim_lock_guid[16] = { 0x50, 0xab, 0x5d, 0x60, 0x46, 0xe0, 0x00, 0x43,
                                            0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23 };
static const uint8_t cert_x509_guid[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
                                            0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };

static void le32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Returns the section named `name` when the section table stores it as
 * "/N", an offset into the COFF string table. binutils writes names longer
 * than 8 bytes so (shim's ".vendor_cert"). NULL when there is none.
 */
static const struct pcrsim_pe_section *long_section(const struct pcrsim_pe *pe, const char *name)
{
        struct pcrsim_reader r;
        uint32_t symbols = 0, count = 0;
        size_t len = strlen(name);

        pcrsim_reader_init(&r, pe->data, pe->size, 0);
        /* PointerToSymbolTable and NumberOfSymbols of the COFF header. */
        if (pcrsim_reader_skip(&r, (size_t)pe->pe_offset + 12, NULL, NULL) ||
            pcrsim_reader_le32(&r, &symbols, NULL, NULL) || pcrsim_reader_le32(&r, &count, NULL, NULL) ||
            !symbols)
                return NULL;
        for (uint32_t i = 0; i < pe->section_count; i++) {
                const struct pcrsim_pe_section *s = &pe->sections[i];
                uint64_t at = (uint64_t)symbols + 18u * (uint64_t)count;
                const uint8_t *text;
                uint32_t offset = 0;

                if (s->raw_name[0] != '/')
                        continue;
                for (int k = 1; k < 8 && s->raw_name[k] >= '0' && s->raw_name[k] <= '9'; k++)
                        offset = 10 * offset + (uint32_t)(s->raw_name[k] - '0');
                at += offset;
                pcrsim_reader_init(&r, pe->data, pe->size, 0);
                if (at > pe->size || pcrsim_reader_skip(&r, (size_t)at, NULL, NULL) ||
                    pcrsim_reader_bytes(&r, len + 1, &text, NULL, NULL))
                        continue;
                if (memcmp(text, name, len) == 0 && text[len] == '\0')
                        return s;
        }
        return NULL;
}

/*
 * Reads shim's .vendor_cert section and computes what shim extends into
 * PCR 14 when no machine owner key is enrolled. The section starts with
 * four 32-bit fields: the sizes of the built-in certificate and revocation
 * list, then their offsets in the section. MokList is then one
 * EFI_SIGNATURE_LIST with the certificate, owned by SHIM_LOCK_GUID, and
 * MokListX the revocation list as stored.
 */
static enum pcrsim_error_code shim_lists(struct grub_digests *g, const uint8_t *shim, size_t size,
                                         struct pcrsim_error *err)
{
        struct pcrsim_pe *pe = NULL;
        const struct pcrsim_pe_section *s;
        struct pcrsim_reader r, cert_r, dbx_r;
        uint32_t cert_size = 0, dbx_size = 0, cert_offset = 0, dbx_offset = 0, raw;
        const uint8_t *cert = NULL, *dbx = NULL;
        uint8_t *list = NULL;
        enum pcrsim_error_code rc = pcrsim_pe_parse(shim, size, &pe, err);

        s = rc ? NULL : section(pe, ".vendor_cert");
        if (!rc && !s)
                s = long_section(pe, ".vendor_cert");
        if (!s) {
                pcrsim_pe_free(pe);
                if (!rc)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, ".vendor_cert",
                                              "the image has no .vendor_cert section, so it is not a shim");
                return rc;
        }
        raw = s->size_of_raw_data < s->virtual_size ? s->size_of_raw_data : s->virtual_size;
        pcrsim_reader_init(&r, shim + s->pointer_to_raw_data, raw, s->pointer_to_raw_data);
        rc = pcrsim_reader_le32(&r, &cert_size, "vendor_authorized_size", err);
        if (!rc)
                rc = pcrsim_reader_le32(&r, &dbx_size, "vendor_deauthorized_size", err);
        if (!rc)
                rc = pcrsim_reader_le32(&r, &cert_offset, "vendor_authorized_offset", err);
        if (!rc)
                rc = pcrsim_reader_le32(&r, &dbx_offset, "vendor_deauthorized_offset", err);
        /* Each list lies inside the section. */
        pcrsim_reader_init(&cert_r, shim + s->pointer_to_raw_data, raw, s->pointer_to_raw_data);
        pcrsim_reader_init(&dbx_r, shim + s->pointer_to_raw_data, raw, s->pointer_to_raw_data);
        if (!rc)
                rc = pcrsim_reader_skip(&cert_r, cert_offset, "vendor_authorized_offset", err);
        if (!rc)
                rc = pcrsim_reader_bytes(&cert_r, cert_size, &cert, "vendor_authorized", err);
        if (!rc)
                rc = pcrsim_reader_skip(&dbx_r, dbx_offset, "vendor_deauthorized_offset", err);
        if (!rc)
                rc = pcrsim_reader_bytes(&dbx_r, dbx_size, &dbx, "vendor_deauthorized", err);
        if (!rc && cert_size) {
                list = malloc(16 + 12 + 16 + (size_t)cert_size);
                g->vendor_cert = malloc(cert_size);
                if (!list || !g->vendor_cert) {
                        rc = nomem(err);
                } else {
                        memcpy(list, cert_x509_guid, 16);
                        le32(list + 16, 16 + 12 + 16 + cert_size); /* SignatureListSize */
                        le32(list + 20, 0);                         /* SignatureHeaderSize */
                        le32(list + 24, 16 + cert_size);            /* SignatureSize */
                        memcpy(list + 28, shim_lock_guid, 16);      /* SignatureOwner */
                        memcpy(list + 44, cert, cert_size);
                        memcpy(g->vendor_cert, cert, cert_size);
                        g->vendor_cert_size = cert_size;
                        rc = hash_banks(&g->d, list, 44 + (size_t)cert_size, g->moklist, err);
                }
        }
        if (!rc && cert_size)
                rc = hash_banks(&g->d, dbx_size ? dbx : (const uint8_t *)"", dbx_size, g->moklistx, err);
        g->has_vendor = !rc && cert_size;
        free(list);
        pcrsim_pe_free(pe);
        return rc;
}

/* The ASCII name of an authority event's variable, as event_detail()
 * reads it, is `name`. */
static bool authority_named(const struct pcrsim_event *ev, const char *name)
{
        uint64_t chars = 0;
        char detail[32];

        if (ev->type != EV_EFI_VARIABLE_AUTHORITY || ev->data_size < 32)
                return false;
        for (int i = 7; i >= 0; i--)
                chars = chars << 8 | ev->data[16 + i];
        /* The whole name lies inside the event data. */
        if (chars != strlen(name) || 32 + 2 * chars > ev->data_size)
                return false;
        event_detail(ev, detail, sizeof(detail));
        return strcmp(detail, name) == 0;
}

/*
 * Writes shim's MokListRT authority event (PCR 7) for the new vendor
 * certificate: the base event's UEFI_VARIABLE_DATA header and name, with
 * the certificate as one EFI_SIGNATURE_DATA owned by SHIM_LOCK_GUID. The
 * digest is that of the whole event data.
 */
static struct pcrsim_predict_change *put_vendor_authority(struct buffer *b, struct pcrsim_prediction *out,
                                                          size_t *cap, const struct pcrsim_event *ev,
                                                          struct grub_digests *g, struct pcrsim_error *err)
{
        uint64_t name_chars = 0;
        size_t header, size;
        uint8_t *data;
        struct pcrsim_predict_change *c = NULL;

        for (int i = 7; i >= 0; i--)
                name_chars = name_chars << 8 | ev->data[16 + i];
        header = 32 + 2 * (size_t)name_chars;
        size = header + 16 + g->vendor_cert_size;
        data = malloc(size);
        if (!data) {
                nomem(err);
                return NULL;
        }
        memcpy(data, ev->data, header);
        for (int i = 0; i < 8; i++)
                data[24 + i] = (uint8_t)((uint64_t)(16 + g->vendor_cert_size) >> (8 * i));
        memcpy(data + header, shim_lock_guid, 16);
        memcpy(data + header + 16, g->vendor_cert, g->vendor_cert_size);
        if (hash_banks(&g->d, data, size, g->text, err) == PCRSIM_OK) {
                put_record(b, ev->pcr, ev->type, &g->d, g->text, data, (uint32_t)size);
                c = add_change(out, cap, PCRSIM_PREDICT_SHIM, ev->pcr, "shim's certificate: MokListRT authority");
                if (c) {
                        set_old(c, ev);
                        set_new(c, &g->d, g->text);
                } else {
                        nomem(err);
                }
        }
        free(data);
        return c;
}

/* Sets `out` to the Authenticode digests of a PE image in every bank. */
static enum pcrsim_error_code authenticode_banks(const struct image_digests *d, const uint8_t *image,
                                                 size_t size, uint8_t (*out)[PCRSIM_MAX_DIGEST_SIZE],
                                                 struct pcrsim_error *err)
{
        struct pcrsim_pe *pe = NULL;
        enum pcrsim_error_code rc = pcrsim_pe_parse(image, size, &pe, err);

        for (uint32_t b = 0; !rc && b < d->bank_count; b++) {
                uint16_t digest_size;

                rc = pcrsim_pe_authenticode(pe, d->banks[b], out[b], &digest_size, err);
        }
        pcrsim_pe_free(pe);
        return rc;
}

/* A generated GRUB event and the class it pairs with in --explain. */
enum grub_class { CLASS_COMMAND, CLASS_FILE, CLASS_IMAGE };

static enum grub_class class_of(uint32_t pcr)
{
        if (pcr == 8)
                return CLASS_COMMAND;
        if (pcr == 9)
                return CLASS_FILE;
        return CLASS_IMAGE;
}

/* Writes one event for a step of the new grub.cfg. */
static enum pcrsim_error_code put_step(struct buffer *b, struct grub_digests *g, const struct pcrsim_grub_step *st,
                                       const struct pcrsim_event *kernel_app, uint32_t kernel_apps, uint64_t kernel_size,
                                       struct pcrsim_prediction *out, size_t *cap, struct pcrsim_error *err)
{
        struct image_digests *d = &g->d;
        const char *prefix = st->kind == PCRSIM_GRUB_COMMAND ? GRUB_CMD_PREFIX :
                             st->kind == PCRSIM_GRUB_KERNEL_CMDLINE ? GRUB_CMDLINE_PREFIX : "";
        size_t data_size = strlen(prefix) + st->length + 1;
        char *data;
        struct pcrsim_predict_change *c;
        enum pcrsim_error_code rc = PCRSIM_OK;
        digest_row digests = (digest_row)g->text;
        uint32_t pcr = 8, repeat = 1;
        enum pcrsim_predict_role role = PCRSIM_PREDICT_GRUB_COMMAND;

        switch (st->kind) {
        case PCRSIM_GRUB_COMMAND:
        case PCRSIM_GRUB_KERNEL_CMDLINE:
                rc = hash_banks(d, st->text, st->length, g->text, err);
                break;
        case PCRSIM_GRUB_KERNEL_FILE:
                pcr = 9;
                role = PCRSIM_PREDICT_GRUB_FILE;
                digests = (digest_row)g->kernel_file;
                break;
        case PCRSIM_GRUB_INITRD_FILE:
                pcr = 9;
                role = PCRSIM_PREDICT_GRUB_FILE;
                digests = (digest_row)d->initrd;
                break;
        case PCRSIM_GRUB_KERNEL_IMAGE:
                /* As many application events as the base boot logged for
                 * its kernel, with the same event data. */
                pcr = 4;
                role = PCRSIM_PREDICT_KERNEL;
                digests = (digest_row)d->kernel;
                repeat = kernel_apps;
                break;
        }
        if (rc)
                return rc;
        for (uint32_t i = 0; i < repeat; i++) {
                char detail[48];

                if (pcr == 4) {
                        put_image_event(b, kernel_app, d, digests, kernel_size);
                        snprintf(detail, sizeof(detail), "kernel %.20s (Authenticode)", st->text);
                } else if (pcr == 9) {
                        data = malloc(data_size);
                        if (!data)
                                return nomem(err);
                        snprintf(data, data_size, "%s", st->text);
                        put_record(b, pcr, EV_IPL, d, digests, data, (uint32_t)data_size);
                        snprintf(detail, sizeof(detail), "%s file %s",
                                 st->kind == PCRSIM_GRUB_KERNEL_FILE ? "kernel" : "initrd", data);
                        free(data);
                } else {
                        data = malloc(data_size);
                        if (!data)
                                return nomem(err);
                        snprintf(data, data_size, "%s%s", prefix, st->text);
                        put_record(b, pcr, EV_IPL, d, digests, data, (uint32_t)data_size);
                        snprintf(detail, sizeof(detail), "%s", data);
                        free(data);
                }
                if (strlen(detail) == sizeof(detail) - 1)
                        memcpy(detail + sizeof(detail) - 4, "...", 3);
                c = add_change(out, cap, role, pcr, detail);
                if (!c)
                        return nomem(err);
                set_new(c, d, digests);
        }
        return PCRSIM_OK;
}

/* Pairs each generated GRUB event with the replaced base event of the
 * same class, in order, for --explain. `olds` are the base events that the
 * grub.cfg's events replaced; changes from `first` on are the new ones. */
static enum pcrsim_error_code pair_grub_events(struct pcrsim_prediction *out, size_t *cap, size_t first,
                                               const struct pcrsim_event *olds, size_t old_count,
                                               struct pcrsim_error *err)
{
        size_t new_end = out->change_count;
        bool *used = calloc(old_count ? old_count : 1, sizeof(*used));

        if (!used)
                return nomem(err);
        /* First the events whose digests did not change, in order; then the
         * others of the same PCR, in order. */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = first; i < new_end; i++) {
                        struct pcrsim_predict_change *c = &out->changes[i];

                        if (c->base_index != PCRSIM_NO_RECORD)
                                continue;
                        for (size_t k = 0; k < old_count; k++) {
                                bool same = olds[k].digest_count == c->digest_count;

                                for (uint32_t b = 0; same && b < c->digest_count; b++)
                                        same = olds[k].digests[b].size == c->new_digests[b].size &&
                                               memcmp(olds[k].digests[b].bytes, c->new_digests[b].bytes,
                                                      c->new_digests[b].size) == 0;
                                if (used[k] || class_of(olds[k].pcr) != class_of(c->pcr) || (pass == 0 && !same))
                                        continue;
                                used[k] = true;
                                set_old(c, &olds[k]);
                                break;
                        }
                }
        }
        /* Base events left without a partner were removed. */
        {
                for (size_t k = 0; k < old_count; k++) {
                        struct pcrsim_predict_change *c;
                        char text[48];

                        if (used[k])
                                continue;
                        if (olds[k].pcr == 4)
                                snprintf(text, sizeof(text), "kernel");
                        else
                                ipl_text(&olds[k], text, sizeof(text));
                        c = add_change(out, cap,
                                       olds[k].pcr == 8 ? PCRSIM_PREDICT_GRUB_COMMAND :
                                       olds[k].pcr == 9 ? PCRSIM_PREDICT_GRUB_FILE : PCRSIM_PREDICT_KERNEL,
                                       olds[k].pcr, text);
                        if (!c) {
                                free(used);
                                return nomem(err);
                        }
                        c->removed = true;
                        set_old(c, &olds[k]);
                }
        }
        free(used);
        return PCRSIM_OK;
}

/* The string of a PCR 14 EV_IPL event in `out`, which it returns. */
static const char *text14(const struct pcrsim_event *ev, char *out, size_t cap)
{
        ipl_text(ev, out, cap);
        return out;
}

static enum pcrsim_error_code rewrite_grub(const void *base, size_t base_size, const struct grub_survey *sv,
                                           struct grub_digests *g, const struct pcrsim_grub_boot *cfg,
                                           const struct pcrsim_predict_grub *in, struct pcrsim_prediction *out,
                                           struct pcrsim_error *err)
{
        struct image_digests *d = &g->d;
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev, kernel_app;
        struct pcrsim_event *olds = NULL;
        struct buffer b = { 0 };
        bool have = true, first = true, after_linux = false;
        size_t cap = 0, assumption_cap = 0, old_count = 0, first_new = 0;
        char command[4096], text[4096];
        enum pcrsim_error_code rc;

        memset(&kernel_app, 0, sizeof(kernel_app));
        /* The base kernel's first application event gives the event data
         * of the new one. */
        rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);
        while (!rc) {
                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                if (ev.index > sv->linux_command && ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                        kernel_app = ev;
                        break;
                }
        }
        pcrsim_tcglog_free(log);
        log = NULL;
        if (!rc && cfg) {
                olds = calloc(sv->region_end - sv->cfg_event + 1, sizeof(*olds));
                if (!olds)
                        rc = nomem(err);
        }
        command[0] = '\0';
        if (!rc)
                rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);
        while (!rc) {
                struct pcrsim_predict_change *c = NULL;
                const char *reason;

                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                if (first) {
                        put(&b, (const uint8_t *)base + ev.offset, ev.size);
                        first = false;
                        continue;
                }
                if (cfg && ev.index > sv->cfg_event && ev.index <= sv->region_end) {
                        /* Replaced by the events of the new grub.cfg. */
                        olds[old_count++] = ev;
                        continue;
                }
                text[0] = '\0';
                if ((ev.pcr == 8 || ev.pcr == 9) && ev.type == EV_IPL)
                        ipl_text(&ev, text, sizeof(text));
                if (ev.pcr == 8 && ev.type == EV_IPL) {
                        if (starts_with(text, GRUB_CMD_PREFIX))
                                snprintf(command, sizeof(command), "%s", text + strlen(GRUB_CMD_PREFIX));
                        if (starts_with(command, "linux "))
                                after_linux = true;
                }
                if (g->has_vendor && ev.pcr == 14 && ev.type == EV_IPL &&
                    (strcmp(text14(&ev, text, sizeof(text)), "MokList") == 0 || strcmp(text, "MokListX") == 0)) {
                        bool x = strcmp(text, "MokListX") == 0;

                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_SHIM,
                                    x ? "shim's revocation list: MokListX" : "shim's certificate: MokList", d,
                                    x ? (digest_row)g->moklistx : (digest_row)g->moklist);
                        if (c && !add_assumption(out, &assumption_cap, &ev,
                                                 "recomputed from the new shim, assuming that no machine owner key is enrolled"))
                                rc = nomem(err);
                } else if (g->has_vendor && ev.pcr == 7 && authority_named(&ev, "MokListRT")) {
                        c = put_vendor_authority(&b, out, &cap, &ev, g, err);
                        if (!c) {
                                rc = err && err->code ? err->code : PCRSIM_ERR_NOMEM;
                                break;
                        }
                } else if (ev.type == EV_EFI_BOOT_SERVICES_APPLICATION && ev.pcr == 4 && sv->loader_count &&
                    ev.index == sv->loaders[0] && sv->loader_count == 2 && in->shim) {
                        c = replace_image(&b, out, &cap, &ev, PCRSIM_PREDICT_SHIM, "shim (Authenticode)", d,
                                          (digest_row)g->shim, in->shim_size);
                } else if (ev.type == EV_EFI_BOOT_SERVICES_APPLICATION && ev.pcr == 4 &&
                           ev.index == sv->loaders[sv->loader_count - 1] && in->grub) {
                        c = replace_image(&b, out, &cap, &ev, PCRSIM_PREDICT_GRUB, "GRUB (Authenticode)", d,
                                          (digest_row)g->grub, in->grub_size);
                } else if (ev.type == EV_EFI_BOOT_SERVICES_APPLICATION && ev.pcr == 4 && after_linux) {
                        c = replace_image(&b, out, &cap, &ev, PCRSIM_PREDICT_KERNEL,
                                          "kernel that GRUB loaded (Authenticode)", d, (digest_row)d->kernel,
                                          in->kernel_size);
                } else if (ev.pcr == 9 && ev.type == EV_IPL && ev.index == sv->cfg_event && cfg) {
                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_GRUB_FILE, "file grub.cfg", d, (digest_row)g->cfg);
                        if (c) {
                                first_new = out->change_count;
                                for (size_t i = 0; !rc && i < cfg->step_count; i++)
                                        rc = put_step(&b, g, &cfg->steps[i], &kernel_app, sv->kernel_apps,
                                                      in->kernel_size, out, &cap, err);
                        }
                } else if (ev.pcr == 9 && ev.type == EV_IPL && sv->first_command != PCRSIM_NO_RECORD &&
                           ev.index > sv->first_command && starts_with(command, "linux ") &&
                           first_argument_is(command, text)) {
                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_GRUB_FILE, "kernel file", d,
                                    (digest_row)g->kernel_file);
                        if (c)
                                snprintf(c->detail, sizeof(c->detail), "kernel file %.35s", text);
                } else if (ev.pcr == 9 && ev.type == EV_IPL && starts_with(command, "initrd ") &&
                           names_file(command, text)) {
                        c = replace(&b, out, &cap, &ev, PCRSIM_PREDICT_GRUB_FILE, "initrd file", d,
                                    (digest_row)d->initrd);
                        if (c)
                                snprintf(c->detail, sizeof(c->detail), "initrd file %.35s", text);
                } else {
                        reason = assumption(&ev);
                        if (ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION)
                                reason = sv->loader_count == 2 && ev.index == sv->loaders[0] ?
                                              "shim: assumed unchanged (give --shim)" :
                                              "GRUB: assumed unchanged (give --grub)";
                        else if (ev.pcr == 8 && ev.type == EV_IPL && sv->cfg_event != PCRSIM_NO_RECORD &&
                                 ev.index < sv->cfg_event)
                                reason = "a command of GRUB's built-in configuration: assumed unchanged";
                        else if (ev.pcr == 8 && ev.type == EV_IPL)
                                reason = "a GRUB command: assumed unchanged (give --grub-cfg)";
                        else if (ev.pcr == 9 && ev.type == EV_IPL && ev.index == sv->cfg_event)
                                reason = "the grub.cfg: assumed unchanged (give --grub-cfg)";
                        else if (ev.pcr == 9 && ev.type == EV_IPL)
                                reason = "a file that GRUB read: assumed unchanged";
                        if (!keep(&b, base, &ev, out, &assumption_cap, reason))
                                rc = nomem(err);
                        continue;
                }
                if (!c && !rc)
                        rc = nomem(err);
        }
        pcrsim_tcglog_free(log);
        if (!rc && cfg)
                rc = pair_grub_events(out, &cap, first_new, olds, old_count, err);
        free(olds);
        return finish(&b, out, rc, err);
}

enum pcrsim_error_code pcrsim_predict_grub(const void *base, size_t base_size,
                                           const struct pcrsim_predict_grub *in,
                                           struct pcrsim_prediction *out, struct pcrsim_error *err)
{
        struct grub_digests *g = calloc(1, sizeof(*g));
        struct pcrsim_grub_boot cfg;
        bool have_cfg = false;
        enum pcrsim_predict_input failed = PCRSIM_PREDICT_INPUT_BASE;
        struct grub_survey sv;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        memset(&cfg, 0, sizeof(cfg));
        if (!g)
                return nomem(err);
        rc = survey_grub(base, base_size, &sv, err);
        if (!rc)
                rc = fits_grub(&sv, in, err);
        if (!rc)
                rc = base_banks(base, base_size, &g->d, err);
        if (!rc) {
                failed = PCRSIM_PREDICT_INPUT_IMAGE;
                rc = authenticode_banks(&g->d, in->kernel, in->kernel_size, g->d.kernel, err);
        }
        if (!rc)
                rc = hash_banks(&g->d, in->kernel, in->kernel_size, g->kernel_file, err);
        if (!rc && in->initrd)
                rc = hash_banks(&g->d, in->initrd, in->initrd_size, g->d.initrd, err);
        if (!rc && in->shim) {
                failed = PCRSIM_PREDICT_INPUT_SHIM;
                rc = authenticode_banks(&g->d, in->shim, in->shim_size, g->shim, err);
                if (!rc)
                        rc = shim_lists(g, in->shim, in->shim_size, err);
        }
        if (!rc && in->grub) {
                failed = PCRSIM_PREDICT_INPUT_GRUB;
                rc = authenticode_banks(&g->d, in->grub, in->grub_size, g->grub, err);
        }
        if (!rc && in->grub_cfg) {
                size_t initrds = 0;

                failed = PCRSIM_PREDICT_INPUT_GRUB_CFG;
                rc = pcrsim_grub_run_config(in->grub_cfg, in->grub_cfg_size, &cfg, err);
                have_cfg = !rc;
                for (size_t i = 0; !rc && i < cfg.step_count; i++)
                        initrds += cfg.steps[i].kind == PCRSIM_GRUB_INITRD_FILE;
                if (!rc && initrds > 1) {
                        uint32_t line = 0;

                        for (size_t i = 0; i < cfg.step_count; i++)
                                if (cfg.steps[i].kind == PCRSIM_GRUB_INITRD_FILE)
                                        line = cfg.steps[i].line;
                        rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                              "the grub.cfg loads %zu initrd files; pcrsim predicts one", initrds);
                        if (err) {
                                err->record = line;
                                err->record_noun = "line";
                        }
                }
                if (!rc && !!initrds != !!in->initrd)
                        rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                              initrds ? "the grub.cfg loads an initrd; give it with --initrd"
                                                      : "--initrd: the grub.cfg loads no initrd");
                if (!rc)
                        rc = hash_banks(&g->d, in->grub_cfg, in->grub_cfg_size, g->cfg, err);
        }
        if (!rc) {
                failed = PCRSIM_PREDICT_INPUT_BASE;
                rc = rewrite_grub(base, base_size, &sv, g, have_cfg ? &cfg : NULL, in, out, err);
        }
        pcrsim_grub_boot_free(&cfg);
        if (g)
                free(g->vendor_cert);
        free(g);
        if (rc) {
                pcrsim_prediction_free(out);
                out->failed_input = failed;
        }
        return rc;
}

void pcrsim_prediction_free(struct pcrsim_prediction *p)
{
        free(p->log);
        free(p->changes);
        free(p->assumptions);
        memset(p, 0, sizeof(*p));
}
