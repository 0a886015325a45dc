/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "pcrsim/pe.h"
#include "pcrsim/predict.h"

#define EV_SEPARATOR 0x00000004u
#define EV_EVENT_TAG 0x00000006u
#define EV_IPL 0x0000000Du
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u

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
        struct pcrsim_uki_measurements sections;
};

struct buffer {
        uint8_t *data;
        size_t size, cap;
        bool failed;
};

static void put(struct buffer *b, const void *p, size_t n)
{
        if (b->failed)
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

static enum pcrsim_error_code measure_image(const void *uki, size_t uki_size, unsigned stub_version,
                                            struct image_digests *d, struct pcrsim_error *err)
{
        struct pcrsim_pe *pe = NULL, *kernel = NULL;
        const struct pcrsim_pe_section *s;
        enum pcrsim_error_code rc;
        uint8_t *copy = NULL;

        rc = pcrsim_pe_parse(uki, uki_size, &pe, err);
        for (uint32_t b = 0; !rc && b < d->bank_count; b++)
                rc = pcrsim_pe_authenticode(pe, d->banks[b], d->uki[b], &d->sizes[b], err);
        if (!rc)
                rc = pcrsim_uki_measure(pe, stub_version, d->banks, d->bank_count, &d->sections, err);
        s = rc ? NULL : section(pe, ".linux");
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
                copy = loaded(pe, s);
                rc = copy ? measure_cmdline(d, copy, s->virtual_size, err) : nomem(err);
                d->has_cmdline = !rc;
                free(copy);
        }
        /* NOTE: systemd-stub 252 also appends credential and system
         * extension images from the ESP to the initrd it serves. The
         * prediction assumes that the ESP has none, as in the lab boots. */
        s = rc ? NULL : section(pe, ".initrd");
        if (s) {
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

static struct pcrsim_predict_change *add_change(struct pcrsim_prediction *out, size_t *cap,
                                                enum pcrsim_predict_role role, uint32_t pcr,
                                                const char *detail)
{
        struct pcrsim_predict_change *c;

        if (out->change_count == *cap) {
                size_t n = *cap ? 2 * *cap : 16;
                struct pcrsim_predict_change *grown = realloc(out->changes, n * sizeof(*grown));

                if (!grown)
                        return NULL;
                out->changes = grown;
                *cap = n;
        }
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

/* Counts what the base log has, to refuse a structure the prediction does
 * not fit before writing anything. */
static enum pcrsim_error_code survey(const void *base, size_t base_size, uint32_t *apps,
                                     uint32_t *ipl, struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        bool have = true, separator4 = false;
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);

        *apps = *ipl = 0;
        if (!rc && pcrsim_tcglog_format(log) != PCRSIM_LOG_CRYPTO_AGILE)
                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, 0, NULL,
                                      "the base log is in the SHA-1 format; a prediction needs a crypto-agile log");
        while (!rc) {
                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                if (ev.pcr == 4 && ev.type == EV_SEPARATOR)
                        separator4 = true;
                if (ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                        if (!separator4)
                                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, ev.offset, NULL,
                                                      "event %llu: the base boot loaded an application before the PCR 4 separator, as QEMU's direct kernel boot does, so its PCR 4 is not the digest of a file and cannot be predicted",
                                                      (unsigned long long)ev.index);
                        (*apps)++;
                }
                if (ev.pcr == 11 && ev.type == EV_IPL)
                        (*ipl)++;
        }
        pcrsim_tcglog_free(log);
        if (!rc && (*apps == 0 || *apps > 2))
                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                      "the base boot started %u EFI applications after the PCR 4 separator; a UKI boot starts one (Secure Boot) or two (the UKI and its kernel), so the events cannot be attributed",
                                      *apps);
        if (!rc && *ipl == 0)
                rc = pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                      "the base boot has no systemd-stub EV_IPL events in PCR 11, so it did not boot a UKI");
        return rc;
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
                snprintf(detail, sizeof(detail), "%s %s", e->section,
                         e->part == PCRSIM_UKI_SECTION_NAME ? "name" : "data");
                c = add_change(out, cap, PCRSIM_PREDICT_UKI_SECTION, PCRSIM_UKI_PCR, detail);
                if (!c)
                        return false;
                set_new(c, d, digests);
        }
        return true;
}

static enum pcrsim_error_code rewrite(const void *base, size_t base_size, const struct image_digests *d,
                                      struct pcrsim_prediction *out, struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        struct buffer b = { 0 };
        bool have = true, first = true, sections_written = false;
        uint32_t app = 0;
        size_t cap = 0;
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);

        while (!rc) {
                struct pcrsim_predict_change *c = NULL;
                uint32_t tag;

                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                tag = ev.pcr == 9 ? tag_id(&ev) : 0;
                if (first) {
                        /* The Spec ID record stays as it is. */
                        put(&b, (const uint8_t *)base + ev.offset, ev.size);
                        first = false;
                        continue;
                } else if (ev.pcr == 4 && ev.type == EV_EFI_BOOT_SERVICES_APPLICATION) {
                        bool kernel = app++ == 1;

                        c = add_change(out, &cap, kernel ? PCRSIM_PREDICT_KERNEL : PCRSIM_PREDICT_UKI, 4,
                                       kernel ? "kernel in .linux" : "UKI");
                        if (c) {
                                set_old(c, &ev);
                                set_new(c, d, kernel ? (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->kernel :
                                                       (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->uki);
                        }
                        put_record(&b, ev.pcr, ev.type, d,
                                   kernel ? (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->kernel :
                                            (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->uki,
                                   ev.data, ev.data_size);
                } else if (ev.pcr == PCRSIM_UKI_PCR && ev.type == EV_IPL) {
                        if (!sections_written && !put_sections(&b, out, &cap, d))
                                rc = nomem(err);
                        sections_written = true;
                        char name[16] = "";

                        /* The event data is the section name in UTF-16LE. */
                        for (uint32_t k = 0; 2 * k + 1 < ev.data_size && k + 1 < sizeof(name); k++) {
                                uint8_t ch = ev.data[2 * k];

                                if (!ch)
                                        break;
                                name[k] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
                                name[k + 1] = '\0';
                        }
                        c = add_change(out, &cap, PCRSIM_PREDICT_UKI_SECTION, PCRSIM_UKI_PCR, name);
                        if (c) {
                                c->removed = true;
                                set_old(c, &ev);
                        }
                } else if (tag == LINUX_EVENT_ID_LOAD_OPTIONS && d->has_cmdline) {
                        c = add_change(out, &cap, PCRSIM_PREDICT_LOAD_OPTIONS, 9, "LOADED_IMAGE::LoadOptions");
                        if (c) {
                                set_old(c, &ev);
                                set_new(c, d, (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->load_options);
                        }
                        put_record(&b, ev.pcr, ev.type, d,
                                   (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->load_options, ev.data,
                                   ev.data_size);
                } else if (tag == LINUX_EVENT_ID_INITRD && d->has_initrd) {
                        c = add_change(out, &cap, PCRSIM_PREDICT_INITRD, 9, "Linux initrd");
                        if (c) {
                                set_old(c, &ev);
                                set_new(c, d, (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->initrd);
                        }
                        put_record(&b, ev.pcr, ev.type, d,
                                   (uint8_t (*)[PCRSIM_MAX_DIGEST_SIZE])d->initrd, ev.data, ev.data_size);
                } else {
                        put(&b, (const uint8_t *)base + ev.offset, ev.size);
                        out->kept++;
                        continue;
                }
                if (!c && !rc)
                        rc = nomem(err);
        }
        pcrsim_tcglog_free(log);
        if (!rc && b.failed)
                rc = nomem(err);
        if (rc) {
                free(b.data);
                return rc;
        }
        out->log = b.data;
        out->log_size = b.size;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_predict_uki(const void *base, size_t base_size, const void *uki,
                                          size_t uki_size, unsigned stub_version,
                                          struct pcrsim_prediction *out, struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        struct image_digests *d = calloc(1, sizeof(*d));
        uint32_t apps = 0, ipl = 0;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        if (!d)
                return nomem(err);
        rc = survey(base, base_size, &apps, &ipl, err);
        if (!rc)
                rc = pcrsim_tcglog_open_memory(base, base_size, &log, err);
        if (!rc) {
                const struct pcrsim_specid *spec = pcrsim_tcglog_specid(log);

                for (uint32_t i = 0; i < spec->alg_count && i < PCRSIM_MAX_ALGORITHMS; i++) {
                        d->banks[d->bank_count] = spec->algs[i].alg;
                        d->sizes[d->bank_count++] = spec->algs[i].size;
                }
        }
        pcrsim_tcglog_free(log);
        if (!rc)
                rc = measure_image(uki, uki_size, stub_version, d, err);
        if (!rc)
                rc = rewrite(base, base_size, d, out, err);
        free(d);
        if (rc)
                pcrsim_prediction_free(out);
        return rc;
}

void pcrsim_prediction_free(struct pcrsim_prediction *p)
{
        free(p->log);
        free(p->changes);
        memset(p, 0, sizeof(*p));
}
