/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "pcrsim/diff.h"
#include "pcrsim/tcglog.h"

#define EV_NO_ACTION 0x00000003u

static enum pcrsim_error_code nomem(struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
}

/* Appends an empty measurement to `list`, doubling its room as needed. */
static struct pcrsim_measurement *append(struct pcrsim_measurement_list *list, size_t *cap)
{
        struct pcrsim_measurement *m;

        if (list->count == *cap) {
                size_t grown_cap = *cap ? 2 * *cap : 256;
                struct pcrsim_measurement *grown = realloc(list->items, grown_cap * sizeof(*grown));

                if (!grown)
                        return NULL;
                list->items = grown;
                *cap = grown_cap;
        }
        m = &list->items[list->count++];
        memset(m, 0, sizeof(*m));
        return m;
}

static bool copy_data(struct pcrsim_measurement *m, const uint8_t *data, uint32_t size)
{
        m->data = malloc(size ? size : 1);
        if (!m->data)
                return false;
        if (size)
                memcpy(m->data, data, size);
        m->data_size = size;
        return true;
}

enum pcrsim_error_code pcrsim_measurements_from_tcglog(const void *data, size_t size,
                                                       uint16_t bank,
                                                       struct pcrsim_measurement_list *out,
                                                       struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        enum pcrsim_error_code rc;
        struct pcrsim_event ev;
        bool have = true;
        size_t cap = 0;

        memset(out, 0, sizeof(*out));
        out->bank = bank;
        rc = pcrsim_tcglog_open_memory(data, size, &log, err);
        while (!rc) {
                struct pcrsim_measurement *m;

                rc = pcrsim_tcglog_next(log, &ev, &have, err);
                if (rc || !have)
                        break;
                if (ev.type == EV_NO_ACTION)
                        continue;
                m = append(out, &cap);
                if (!m || !copy_data(m, ev.data, ev.data_size)) {
                        rc = nomem(err);
                        break;
                }
                m->index = ev.index;
                m->pcr = ev.pcr;
                m->type = ev.type;
                for (uint32_t i = 0; i < ev.digest_count; i++) {
                        if (ev.digests[i].alg != bank)
                                continue;
                        m->has_digest = true;
                        m->digest_size = ev.digests[i].size;
                        memcpy(m->digest, ev.digests[i].bytes, ev.digests[i].size);
                }
        }
        pcrsim_tcglog_free(log);
        if (rc)
                pcrsim_measurement_list_free(out);
        return rc;
}

/* Returns the file or buffer name of an IMA entry: its n-ng or n field. */
static const struct pcrsim_ima_field *name_field(const struct pcrsim_ima_entry *e)
{
        for (uint32_t i = 0; i < e->field_count; i++)
                if (strcmp(e->fields[i].id, "n-ng") == 0 || strcmp(e->fields[i].id, "n") == 0)
                        return &e->fields[i];
        return NULL;
}

/* Sets `m->ima_name` to "TEMPLATE NAME", the identity of an IMA entry. */
static bool set_ima_name(struct pcrsim_measurement *m, const struct pcrsim_ima_entry *e)
{
        const struct pcrsim_ima_field *name = name_field(e);
        size_t tlen = strlen(e->template_name), nlen = 0;

        if (name) {
                nlen = name->size;
                /* n-ng names end in a NUL that is not part of the name. */
                while (nlen && name->data[nlen - 1] == '\0')
                        nlen--;
        }
        m->ima_name = malloc(tlen + 1 + nlen + 1);
        if (!m->ima_name)
                return false;
        memcpy(m->ima_name, e->template_name, tlen);
        m->ima_name[tlen] = ' ';
        if (nlen)
                memcpy(m->ima_name + tlen + 1, name->data, nlen);
        m->ima_name[tlen + 1 + nlen] = '\0';
        return true;
}

enum pcrsim_error_code pcrsim_measurements_from_ima(const void *data, size_t size,
                                                    const struct pcrsim_ima_options *opts,
                                                    struct pcrsim_measurement_list *out,
                                                    struct pcrsim_error *err)
{
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_ima_entry entry;
        enum pcrsim_error_code rc;
        bool have = true;
        size_t cap = 0;

        memset(out, 0, sizeof(*out));
        out->ima = true;
        rc = pcrsim_ima_list_open_memory(data, size, opts, &list, err);
        while (!rc) {
                struct pcrsim_measurement *m;

                rc = pcrsim_ima_list_next(list, &entry, &have, err);
                if (rc || !have)
                        break;
                m = append(out, &cap);
                if (!m || !copy_data(m, entry.data, entry.data_size) || !set_ima_name(m, &entry)) {
                        rc = nomem(err);
                        break;
                }
                m->index = entry.index;
                m->pcr = entry.pcr;
                m->has_digest = true;
                m->digest_size = entry.digest_size;
                memcpy(m->digest, entry.digest, entry.digest_size);
        }
        pcrsim_ima_list_free(list);
        if (rc)
                pcrsim_measurement_list_free(out);
        return rc;
}

void pcrsim_measurement_list_free(struct pcrsim_measurement_list *list)
{
        for (size_t i = 0; i < list->count; i++) {
                free(list->items[i].data);
                free(list->items[i].ima_name);
        }
        free(list->items);
        memset(list, 0, sizeof(*list));
}

/* ---- alignment ---- */

/* Measurements of one PCR of one boot, as indices into its list. */
struct side {
        const struct pcrsim_measurement_list *list;
        size_t *idx;
        size_t n;
};

static const struct pcrsim_measurement *at(const struct side *s, size_t i)
{
        return &s->list->items[s->idx[i]];
}

/* Two measurements are the same event when their identity is equal: type
 * and data for TCG records, template and file name for IMA entries. */
static bool same_identity(const struct pcrsim_measurement *x, const struct pcrsim_measurement *y)
{
        if (x->ima_name || y->ima_name)
                return x->ima_name && y->ima_name && strcmp(x->ima_name, y->ima_name) == 0;
        return x->type == y->type && x->data_size == y->data_size &&
               memcmp(x->data, y->data, x->data_size) == 0;
}

static unsigned differences(const struct pcrsim_measurement *x, const struct pcrsim_measurement *y)
{
        unsigned what = 0;

        if (x->data_size != y->data_size || memcmp(x->data, y->data, x->data_size) != 0)
                what |= PCRSIM_DIFF_DATA;
        if (x->has_digest != y->has_digest || x->digest_size != y->digest_size ||
            memcmp(x->digest, y->digest, x->digest_size) != 0)
                what |= PCRSIM_DIFF_DIGEST;
        return what;
}

/* Whether two unaligned events may be reported as one changed event:
 * the same TCG type, or the same IMA template. */
static bool same_kind(const struct pcrsim_measurement *x, const struct pcrsim_measurement *y)
{
        if (x->ima_name || y->ima_name) {
                size_t lx = strcspn(x->ima_name ? x->ima_name : "", " ");
                size_t ly = strcspn(y->ima_name ? y->ima_name : "", " ");

                return x->ima_name && y->ima_name && lx == ly &&
                       memcmp(x->ima_name, y->ima_name, lx) == 0;
        }
        return x->type == y->type;
}

struct builder {
        struct pcrsim_diff_pcr *out;
        size_t cap;
        const struct side *a, *b;
};

static bool add_step(struct builder *bl, enum pcrsim_diff_op op, size_t ai, size_t bi)
{
        struct pcrsim_diff_pcr *d = bl->out;
        struct pcrsim_diff_step *s;

        if (d->step_count == bl->cap) {
                size_t cap = bl->cap ? 2 * bl->cap : 32;
                struct pcrsim_diff_step *grown = realloc(d->steps, cap * sizeof(*grown));

                if (!grown)
                        return false;
                d->steps = grown;
                bl->cap = cap;
        }
        s = &d->steps[d->step_count++];
        s->op = op;
        s->a = ai == SIZE_MAX ? SIZE_MAX : bl->a->idx[ai];
        s->b = bi == SIZE_MAX ? SIZE_MAX : bl->b->idx[bi];
        s->parts = 0;
        if (op == PCRSIM_DIFF_SAME || op == PCRSIM_DIFF_CHANGED) {
                s->parts = differences(at(bl->a, ai), at(bl->b, bi));
                s->op = s->parts ? PCRSIM_DIFF_CHANGED : PCRSIM_DIFF_SAME;
        }
        d->changed += s->op == PCRSIM_DIFF_CHANGED;
        d->removed += s->op == PCRSIM_DIFF_REMOVED;
        d->added += s->op == PCRSIM_DIFF_ADDED;
        return true;
}

/*
 * Emits a gap: events a[a0..a1) that the alignment left unmatched against
 * b[b0..b1). Events of the same kind are paired in order as changed ones,
 * the rest are removed or added, in the order they appear.
 */
static bool emit_gap(struct builder *bl, size_t a0, size_t a1, size_t b0, size_t b1)
{
        size_t i = a0, j = b0;

        while (i < a1 || j < b1) {
                size_t k;

                if (i < a1 && j < b1 && same_kind(at(bl->a, i), at(bl->b, j))) {
                        if (!add_step(bl, PCRSIM_DIFF_CHANGED, i++, j++))
                                return false;
                        continue;
                }
                /* Look for a partner of a[i] further on in b. */
                for (k = j; i < a1 && k < b1 && !same_kind(at(bl->a, i), at(bl->b, k)); k++)
                        ;
                if (i < a1 && k < b1) {
                        while (j < k)
                                if (!add_step(bl, PCRSIM_DIFF_ADDED, SIZE_MAX, j++))
                                        return false;
                        continue;
                }
                if (i < a1) {
                        if (!add_step(bl, PCRSIM_DIFF_REMOVED, i++, SIZE_MAX))
                                return false;
                } else if (!add_step(bl, PCRSIM_DIFF_ADDED, SIZE_MAX, j++)) {
                        return false;
                }
        }
        return true;
}

/* Longest common subsequence of a[a0..a1) and b[b0..b1) by identity, with
 * a table of (n + 1) * (m + 1) lengths. */
static bool emit_lcs(struct builder *bl, size_t a0, size_t a1, size_t b0, size_t b1)
{
        size_t n = a1 - a0, m = b1 - b0, i = 0, j = 0, gi = 0, gj = 0;
        uint32_t *len = calloc((n + 1) * (m + 1), sizeof(*len));
        bool ok = true;

        if (!len)
                return false;
        /* len[i][j]: LCS length of a[a0 + i..a1) and b[b0 + j..b1). */
        for (size_t x = n; x-- > 0;)
                for (size_t y = m; y-- > 0;) {
                        uint32_t *cell = &len[x * (m + 1) + y];

                        if (same_identity(at(bl->a, a0 + x), at(bl->b, b0 + y)))
                                *cell = len[(x + 1) * (m + 1) + y + 1] + 1;
                        else
                                *cell = len[(x + 1) * (m + 1) + y] > len[x * (m + 1) + y + 1] ?
                                        len[(x + 1) * (m + 1) + y] : len[x * (m + 1) + y + 1];
                }
        while (ok && i < n && j < m) {
                if (same_identity(at(bl->a, a0 + i), at(bl->b, b0 + j)) &&
                    len[i * (m + 1) + j] == len[(i + 1) * (m + 1) + j + 1] + 1) {
                        ok = emit_gap(bl, a0 + gi, a0 + i, b0 + gj, b0 + j) &&
                             add_step(bl, PCRSIM_DIFF_SAME, a0 + i, b0 + j);
                        i++;
                        j++;
                        gi = i;
                        gj = j;
                } else if (len[(i + 1) * (m + 1) + j] >= len[i * (m + 1) + j + 1]) {
                        i++;
                } else {
                        j++;
                }
        }
        if (ok)
                ok = emit_gap(bl, a0 + gi, a1, b0 + gj, b1);
        free(len);
        return ok;
}

static bool collect(const struct pcrsim_measurement_list *list, uint32_t pcr, struct side *s)
{
        s->list = list;
        s->n = 0;
        s->idx = malloc((list->count ? list->count : 1) * sizeof(*s->idx));
        if (!s->idx)
                return false;
        for (size_t i = 0; i < list->count; i++)
                if (list->items[i].pcr == pcr)
                        s->idx[s->n++] = i;
        return true;
}

enum pcrsim_error_code pcrsim_diff_align(const struct pcrsim_measurement_list *a,
                                         const struct pcrsim_measurement_list *b, uint32_t pcr,
                                         struct pcrsim_diff_pcr *out, struct pcrsim_error *err)
{
        struct side sa = { 0 }, sb = { 0 };
        struct builder bl = { .out = out, .a = &sa, .b = &sb };
        size_t head = 0, tail = 0;
        bool ok;

        memset(out, 0, sizeof(*out));
        out->pcr = pcr;
        if (!collect(a, pcr, &sa) || !collect(b, pcr, &sb)) {
                free(sa.idx);
                free(sb.idx);
                return nomem(err);
        }
        /* The common start and end are aligned directly, so the table only
         * covers the part in between. */
        while (head < sa.n && head < sb.n && same_identity(at(&sa, head), at(&sb, head)))
                head++;
        while (tail < sa.n - head && tail < sb.n - head &&
               same_identity(at(&sa, sa.n - 1 - tail), at(&sb, sb.n - 1 - tail)))
                tail++;
        ok = true;
        for (size_t i = 0; ok && i < head; i++)
                ok = add_step(&bl, PCRSIM_DIFF_SAME, i, i);
        if (ok) {
                size_t n = sa.n - head - tail, m = sb.n - head - tail;

                if (n && m && (n + 1) * (m + 1) > PCRSIM_MAX_DIFF_CELLS) {
                        out->positional = true;
                        ok = emit_gap(&bl, head, sa.n - tail, head, sb.n - tail);
                } else {
                        ok = emit_lcs(&bl, head, sa.n - tail, head, sb.n - tail);
                }
        }
        for (size_t i = 0; ok && i < tail; i++)
                ok = add_step(&bl, PCRSIM_DIFF_SAME, sa.n - tail + i, sb.n - tail + i);
        free(sa.idx);
        free(sb.idx);
        if (!ok) {
                pcrsim_diff_pcr_free(out);
                return nomem(err);
        }
        return PCRSIM_OK;
}

void pcrsim_diff_pcr_free(struct pcrsim_diff_pcr *d)
{
        free(d->steps);
        memset(d, 0, sizeof(*d));
}
