/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "boundaries.h"
#include "pcrsim/ima.h"
#include "pcrsim/tcglog.h"

/* Header of a SHA-1 format record: PCR, type, SHA-1 digest, event size. */
#define SHA1_HEADER_SIZE 32u
#define SPECID_SIGNATURE "Spec ID Event03"
#define SPECID_ALGS_OFFSET 28u
#define EV_NO_ACTION 3u

/* Offsets in a Spec ID event of the platform class, the three version
 * bytes, the UINTN size, the algorithm count and the first algorithm. */
static const size_t specid_fields[] = { 16, 20, 21, 22, 23, 24, SPECID_ALGS_OFFSET };

static bool add(struct tu_bounds *b, size_t *cap, size_t at)
{
        if (b->count == *cap) {
                size_t n = *cap ? *cap * 2 : 256;
                size_t *grown = realloc(b->at, n * sizeof(*grown));

                if (!grown)
                        return false;
                b->at = grown;
                *cap = n;
        }
        b->at[b->count++] = at;
        return true;
}

static bool add_record(struct tu_bounds *b, size_t *cap, size_t start, size_t end)
{
        if (b->record_count == *cap) {
                size_t n = *cap ? *cap * 2 : 256;
                struct tu_record_bounds *grown = realloc(b->records, n * sizeof(*grown));

                if (!grown)
                        return false;
                b->records = grown;
                *cap = n;
        }
        b->records[b->record_count].start = start;
        b->records[b->record_count].end = end;
        b->record_count++;
        return true;
}

static int compare_size(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;

        return x < y ? -1 : x > y;
}

/* Sorts the boundaries, drops duplicates and those past `size`. */
static void finish(struct tu_bounds *b, size_t size)
{
        size_t unique = 0;

        qsort(b->at, b->count, sizeof(*b->at), compare_size);
        for (size_t i = 0; i < b->count; i++) {
                if (b->at[i] > size || (unique && b->at[unique - 1] == b->at[i]))
                        continue;
                b->at[unique++] = b->at[i];
        }
        b->count = unique;
}

/* Adds the fields inside a Spec ID event: platform class, the version
 * bytes, the UINTN size, the algorithm count, each algorithm entry, the
 * vendor information size and the vendor information. */
static bool add_specid(struct tu_bounds *b, size_t *cap, const struct pcrsim_event *ev)
{
        size_t base = (size_t)ev->data_offset;
        uint32_t algs;
        size_t vendor;

        if (ev->data_size < SPECID_ALGS_OFFSET ||
            memcmp(ev->data, SPECID_SIGNATURE, sizeof(SPECID_SIGNATURE)) != 0)
                return true;
        for (size_t i = 0; i < sizeof(specid_fields) / sizeof(specid_fields[0]); i++)
                if (!add(b, cap, base + specid_fields[i]))
                        return false;
        algs = (uint32_t)ev->data[24] | (uint32_t)ev->data[25] << 8 |
               (uint32_t)ev->data[26] << 16 | (uint32_t)ev->data[27] << 24;
        for (uint32_t i = 0; i <= algs && SPECID_ALGS_OFFSET + 4u * i <= ev->data_size; i++) {
                size_t entry = SPECID_ALGS_OFFSET + 4u * i;

                if (!add(b, cap, base + entry) || !add(b, cap, base + entry + 2))
                        return false;
        }
        vendor = SPECID_ALGS_OFFSET + 4u * (size_t)algs;
        return vendor + 1 > ev->data_size || add(b, cap, base + vendor + 1);
}

static bool add_tcg_record(struct tu_bounds *b, size_t *cap, const struct pcrsim_event *ev)
{
        size_t start = (size_t)ev->offset, pos;

        if (!add(b, cap, start) || !add(b, cap, start + 4) || !add(b, cap, start + 8))
                return false;
        if (ev->data_offset - ev->offset == SHA1_HEADER_SIZE && ev->digest_count == 1 &&
            ev->digests[0].size == 20) {
                pos = start + 28;
        } else {
                pos = start + 12;
                for (uint32_t i = 0; i < ev->digest_count; i++) {
                        if (!add(b, cap, pos) || !add(b, cap, pos + 2))
                                return false;
                        pos += 2u + ev->digests[i].size;
                }
        }
        if (!add(b, cap, pos) || !add(b, cap, (size_t)ev->data_offset) ||
            !add(b, cap, start + (size_t)ev->size))
                return false;
        if (ev->index == 0 && ev->type == EV_NO_ACTION)
                return add_specid(b, cap, ev);
        return true;
}

bool tu_tcg_bounds(const uint8_t *data, size_t size, size_t max_records, struct tu_bounds *b)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        size_t cap = 0, record_cap = 0;
        uint64_t pad_offset, pad_size;
        bool have = true, ok = true;

        memset(b, 0, sizeof(*b));
        if (pcrsim_tcglog_open_memory(data, size, &log, NULL) != PCRSIM_OK)
                return false;
        b->walked = size;
        while (ok && have) {
                ok = pcrsim_tcglog_next(log, &ev, &have, NULL) == PCRSIM_OK;
                if (!ok || !have)
                        break;
                ok = add_record(b, &record_cap, (size_t)ev.offset,
                                (size_t)(ev.offset + ev.size));
                if (ok && (max_records == 0 || ev.index < max_records))
                        ok = add_tcg_record(b, &cap, &ev);
        }
        if (ok && pcrsim_tcglog_zero_padding(log, &pad_offset, &pad_size)) {
                b->walked = (size_t)pad_offset;
                ok = add(b, &cap, (size_t)pad_offset);
        }
        pcrsim_tcglog_free(log);
        finish(b, size);
        return ok;
}

/* Returns the offset of `p` inside data[0..size), or SIZE_MAX when it
 * points elsewhere, such as into a copy that the walker made. */
static size_t offset_in(const uint8_t *data, size_t size, const uint8_t *p)
{
        uintptr_t base = (uintptr_t)data, at = (uintptr_t)p;

        return p && at >= base && at <= base + size ? (size_t)(at - base) : SIZE_MAX;
}

static bool add_binary_entry(struct tu_bounds *b, size_t *cap, const uint8_t *data, size_t size,
                             const struct pcrsim_ima_entry *e)
{
        size_t start = (size_t)e->offset;
        size_t name = start + 8 + e->digest_size;
        size_t template_data = offset_in(data, size, e->data);

        if (!add(b, cap, start) || !add(b, cap, start + 4) ||
            !add(b, cap, start + 4 + e->digest_size) || !add(b, cap, name) ||
            !add(b, cap, name + strlen(e->template_name)))
                return false;
        if (template_data == SIZE_MAX)
                return true;
        if (!add(b, cap, template_data) || !add(b, cap, template_data + e->data_size))
                return false;
        for (uint32_t i = 0; i < e->field_count; i++) {
                size_t field = offset_in(data, size, e->fields[i].data);

                if (field == SIZE_MAX)
                        continue;
                if ((!e->legacy_ima && field >= 4 && !add(b, cap, field - 4)) ||
                    !add(b, cap, field) || !add(b, cap, field + e->fields[i].size))
                        return false;
        }
        return true;
}

/* Adds the boundaries of an ASCII entry, which is one line: columns split
 * by spaces, and values such as "sha256:..." split by a colon. */
static bool add_ascii_entry(struct tu_bounds *b, size_t *cap, const uint8_t *data, size_t start,
                            size_t end)
{
        if (!add(b, cap, start))
                return false;
        for (size_t i = start; i < end; i++) {
                if ((data[i] == ' ' || data[i] == ':') && !add(b, cap, i + 1))
                        return false;
                if (data[i] == '\n' && (!add(b, cap, i) || !add(b, cap, i + 1)))
                        return false;
        }
        return true;
}

bool tu_ima_bounds(const uint8_t *data, size_t size, size_t max_records, struct tu_bounds *b)
{
        struct pcrsim_ima_options opts = { .allow_partial_tail = true };
        struct pcrsim_ima_entry *e = calloc(1, sizeof(*e));
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_ima_list_info info;
        size_t cap = 0, record_cap = 0;
        bool have = true, ok = e != NULL, ascii;

        memset(b, 0, sizeof(*b));
        if (!ok || pcrsim_ima_list_open_memory(data, size, &opts, &list, NULL) != PCRSIM_OK) {
                free(e);
                return false;
        }
        pcrsim_ima_list_info(list, &info);
        ascii = info.format == PCRSIM_IMA_ASCII;
        while (ok && have) {
                ok = pcrsim_ima_list_next(list, e, &have, NULL) == PCRSIM_OK;
                if (!ok || !have)
                        break;
                if (b->record_count)
                        b->records[b->record_count - 1].end = (size_t)e->offset;
                ok = add_record(b, &record_cap, (size_t)e->offset, size);
                if (ok && !ascii && (max_records == 0 || e->index < max_records))
                        ok = add_binary_entry(b, &cap, data, size, e);
        }
        b->walked = size;
        if (ok) {
                pcrsim_ima_list_info(list, &info);
                if (info.partial_tail_size)
                        b->walked = (size_t)info.partial_tail_offset;
                if (b->record_count)
                        b->records[b->record_count - 1].end = b->walked;
                ok = add(b, &cap, b->walked);
        }
        for (size_t i = 0; ok && ascii && i < b->record_count; i++)
                if (max_records == 0 || i < max_records)
                        ok = add_ascii_entry(b, &cap, data, b->records[i].start,
                                             b->records[i].end);
        pcrsim_ima_list_free(list);
        free(e);
        finish(b, size);
        return ok;
}

void tu_bounds_free(struct tu_bounds *b)
{
        free(b->at);
        free(b->records);
        memset(b, 0, sizeof(*b));
}
