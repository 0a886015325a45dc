/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog/ima_internal.h"

/*
 * The kernel prints each entry as "%2d " PCR, the SHA-1 template digest in
 * hex, " " and the template name, then " " and each field, so empty fields
 * leave empty columns (security/integrity/ima/ima_fs.c).
 */

struct line {
        const char *text;
        size_t len;
        uint64_t offset; /* input offset of text[0] */
        uint64_t number;
};

struct column {
        const char *text;
        size_t len;
};

static enum pcrsim_error_code line_error(const struct line *l, const char *at,
                                         const char *field, const char *message,
                                         struct pcrsim_error *err)
{
        return pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                l->offset + (uint64_t)(at - l->text), field,
                                "line %" PRIu64 ": %s", l->number, message);
}

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Decodes hex into `out` (room for len / 2 bytes); false if not hex. */
static bool decode_hex(const char *text, size_t len, uint8_t *out)
{
        if (len % 2)
                return false;
        for (size_t i = 0; i < len; i += 2) {
                int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);

                if (hi < 0 || lo < 0)
                        return false;
                out[i / 2] = (uint8_t)(hi << 4 | lo);
        }
        return true;
}

/* Splits `text` at single spaces into at most `max` columns; the last
 * column keeps any further spaces. Returns the number of columns. */
static size_t split(const char *text, size_t len, struct column *cols, size_t max)
{
        size_t n = 0, start = 0;

        for (size_t i = 0; i <= len && n < max; i++) {
                if (i < len && (text[i] != ' ' || n == max - 1))
                        continue;
                cols[n].text = text + start;
                cols[n].len = i - start;
                n++;
                start = i + 1;
        }
        return n;
}

enum field_kind { KIND_HEX, KIND_DIGEST, KIND_STRING_NUL, KIND_STRING, KIND_U32, KIND_U16 };

/*
 * Kind of each field: how the kernel prints it and stores it. NOTE: the decimal forms of iuid,
 * igid and imode, and xattrnames without a NUL, follow a reading of the
 * kernel's field code that no recorded evm-sig list has confirmed yet.
 */
static enum field_kind field_kind(const char *id)
{
        if (strcmp(id, "d-ng") == 0 || strcmp(id, "d-ngv2") == 0 || strcmp(id, "d-modsig") == 0)
                return KIND_DIGEST;
        if (strcmp(id, "n-ng") == 0)
                return KIND_STRING_NUL;
        if (strcmp(id, "n") == 0 || strcmp(id, "xattrnames") == 0)
                return KIND_STRING;
        if (strcmp(id, "iuid") == 0 || strcmp(id, "igid") == 0)
                return KIND_U32;
        if (strcmp(id, "imode") == 0)
                return KIND_U16;
        return KIND_HEX;
}

/* Returns the byte size of a field rebuilt from its column, or SIZE_MAX. */
static size_t field_size(enum field_kind kind, const struct column *c)
{
        const char *colon = NULL;

        switch (kind) {
        case KIND_HEX:
                return c->len % 2 ? SIZE_MAX : c->len / 2;
        case KIND_DIGEST:
                if (c->len == 0)
                        return 0;
                for (size_t i = 0; i < c->len; i++)
                        if (c->text[i] == ':')
                                colon = c->text + i;
                if (!colon || (size_t)(c->text + c->len - colon - 1) % 2)
                        return SIZE_MAX;
                return (size_t)(colon - c->text) + 2 + (size_t)(c->text + c->len - colon - 1) / 2;
        case KIND_STRING_NUL:
                return c->len + 1;
        case KIND_STRING:
                return c->len;
        case KIND_U32:
                return 4;
        case KIND_U16:
                return 2;
        }
        return SIZE_MAX;
}

static bool parse_decimal(const struct column *c, uint32_t max, uint32_t *out)
{
        uint64_t v = 0;

        if (c->len == 0 || c->len > 10)
                return false;
        for (size_t i = 0; i < c->len; i++) {
                if (c->text[i] < '0' || c->text[i] > '9')
                        return false;
                v = v * 10 + (uint64_t)(c->text[i] - '0');
        }
        if (v > max)
                return false;
        *out = (uint32_t)v;
        return true;
}

/* Writes a field's bytes; the column was checked by field_size(). */
static bool write_field(enum field_kind kind, const struct column *c, uint8_t *out)
{
        const char *colon = NULL;
        uint32_t v;
        size_t prefix;

        switch (kind) {
        case KIND_HEX:
                return decode_hex(c->text, c->len, out);
        case KIND_DIGEST:
                if (c->len == 0)
                        return true;
                for (size_t i = 0; i < c->len; i++)
                        if (c->text[i] == ':')
                                colon = c->text + i;
                prefix = (size_t)(colon - c->text) + 1;
                memcpy(out, c->text, prefix);
                out[prefix] = '\0';
                return decode_hex(colon + 1, c->len - prefix, out + prefix + 1);
        case KIND_STRING_NUL:
                memcpy(out, c->text, c->len);
                out[c->len] = '\0';
                return true;
        case KIND_STRING:
                memcpy(out, c->text, c->len);
                return true;
        case KIND_U32:
                if (!parse_decimal(c, UINT32_MAX, &v))
                        return false;
                out[0] = (uint8_t)v;
                out[1] = (uint8_t)(v >> 8);
                out[2] = (uint8_t)(v >> 16);
                out[3] = (uint8_t)(v >> 24);
                return true;
        case KIND_U16:
                if (!parse_decimal(c, UINT16_MAX, &v))
                        return false;
                out[0] = (uint8_t)v;
                out[1] = (uint8_t)(v >> 8);
                return true;
        }
        return false;
}

#define MAX_COLUMNS (4u * PCRSIM_MAX_IMA_FIELDS)

uint16_t pcrsim_ima_ascii_digest_alg(const uint8_t *text, size_t size)
{
        size_t i = 0, start;

        while (i < size && text[i] == ' ')
                i++;
        while (i < size && text[i] >= '0' && text[i] <= '9')
                i++;
        if (i >= size || text[i] != ' ')
                return 0;
        start = ++i;
        while (i < size && hex_value((char)text[i]) >= 0)
                i++;
        return (i - start) % 2 ? 0 : pcrsim_ima_alg_for_size((uint32_t)((i - start) / 2));
}

/* Joins columns first..last back into one (a file name with spaces). */
static struct column join_columns(const struct column *cols, size_t first, size_t last)
{
        struct column c = cols[first];

        c.len = (size_t)(cols[last].text + cols[last].len - c.text);
        return c;
}

/*
 * Maps the columns after the template name to the template's fields. A
 * file name may contain spaces, so surplus columns belong to the name
 * field; missing trailing columns are empty fields.
 */
static enum pcrsim_error_code map_columns(const struct line *l, const char *fields,
                                          struct column *cols, size_t count,
                                          struct column *out, char ids[][16], size_t *n_out,
                                          struct pcrsim_error *err)
{
        size_t n = 0, name_field = SIZE_MAX, surplus, c = 0;
        const char *p = fields;

        while (*p && n < PCRSIM_MAX_IMA_FIELDS) {
                size_t len = strcspn(p, "|");

                snprintf(ids[n], 16, "%.*s", (int)len, p);
                if (strcmp(ids[n], "n-ng") == 0 || strcmp(ids[n], "n") == 0)
                        name_field = n;
                n++;
                p += len;
                if (*p == '|')
                        p++;
        }
        surplus = count > n ? count - n : 0;
        if (surplus && name_field == SIZE_MAX)
                return line_error(l, cols[n].text, "template data",
                                  "more columns than the template has fields", err);
        for (size_t i = 0; i < n; i++) {
                if (c >= count) {
                        out[i] = (struct column){ l->text + l->len, 0 };
                        continue;
                }
                if (i == name_field && surplus) {
                        out[i] = join_columns(cols, c, c + surplus);
                        c += surplus + 1;
                } else {
                        out[i] = cols[c++];
                }
        }
        *n_out = n;
        return PCRSIM_OK;
}

static enum pcrsim_error_code rebuild_legacy(struct pcrsim_ima_list *list, const struct line *l,
                                             const struct column *f,
                                             struct pcrsim_ima_entry *e,
                                             struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;

        if (f[0].len != 2 * IMA_LEGACY_DIGEST_SIZE)
                return line_error(l, f[0].text, "file digest",
                                  "the file digest of an \"ima\" entry is not 40 hex digits", err);
        if (f[1].len >= IMA_LEGACY_NAME_SIZE)
                return line_error(l, f[1].text, "file name",
                                  "the file name of an \"ima\" entry is longer than 255 bytes", err);
        rc = pcrsim_ima_scratch(list, IMA_LEGACY_DIGEST_SIZE + IMA_LEGACY_NAME_SIZE, err);
        if (rc)
                return rc;
        memset(list->scratch, 0, IMA_LEGACY_DIGEST_SIZE + IMA_LEGACY_NAME_SIZE);
        if (!decode_hex(f[0].text, f[0].len, list->scratch))
                return line_error(l, f[0].text, "file digest", "the file digest is not hex", err);
        memcpy(list->scratch + IMA_LEGACY_DIGEST_SIZE, f[1].text, f[1].len);
        e->legacy_ima = true;
        e->data = list->scratch;
        e->data_size = IMA_LEGACY_DIGEST_SIZE + IMA_LEGACY_NAME_SIZE;
        e->fields[0] = (struct pcrsim_ima_field){ "d", e->data, IMA_LEGACY_DIGEST_SIZE };
        e->fields[1] = (struct pcrsim_ima_field){ "n", e->data + IMA_LEGACY_DIGEST_SIZE,
                                                  (uint32_t)f[1].len };
        e->field_count = 2;
        return PCRSIM_OK;
}

/* Reports a column that does not decode as its field. */
static enum pcrsim_error_code field_error(const struct line *l, const struct column *c,
                                          const char *id, struct pcrsim_error *err)
{
        const char *why;
        char message[160];

        switch (field_kind(id)) {
        case KIND_DIGEST:
                why = "expected ALGORITHM:HEX with an even number of hex digits";
                break;
        case KIND_U32:
        case KIND_U16:
                why = "expected a decimal number in range";
                break;
        default:
                why = "expected an even number of hex digits";
                break;
        }
        snprintf(message, sizeof(message), "field %.15s: %s", id, why);
        return line_error(l, c->text, id, message, err);
}

/* Rebuilds the template data of a non-legacy entry: per field a
 * little-endian u32 length and the field's bytes. */
static enum pcrsim_error_code rebuild_fields(struct pcrsim_ima_list *list, const struct line *l,
                                             const struct column *f, char ids[][16], size_t n,
                                             struct pcrsim_ima_entry *e,
                                             struct pcrsim_error *err)
{
        size_t total = 0, pos = 0;
        enum pcrsim_error_code rc;

        for (size_t i = 0; i < n; i++) {
                size_t size = field_size(field_kind(ids[i]), &f[i]);

                if (size == SIZE_MAX)
                        return field_error(l, &f[i], ids[i], err);
                if (size > PCRSIM_MAX_IMA_TEMPLATE_DATA - total)
                        return pcrsim_error_set(err, PCRSIM_ERR_LIMIT,
                                                l->offset + (uint64_t)(f[i].text - l->text), ids[i],
                                                "line %" PRIu64 ": the template data exceeds the limit of %u bytes",
                                                l->number, PCRSIM_MAX_IMA_TEMPLATE_DATA);
                total += 4 + size;
        }
        rc = pcrsim_ima_scratch(list, total ? total : 1, err);
        if (rc)
                return rc;
        for (size_t i = 0; i < n; i++) {
                size_t size = field_size(field_kind(ids[i]), &f[i]);

                list->scratch[pos] = (uint8_t)size;
                list->scratch[pos + 1] = (uint8_t)(size >> 8);
                list->scratch[pos + 2] = (uint8_t)(size >> 16);
                list->scratch[pos + 3] = (uint8_t)(size >> 24);
                if (!write_field(field_kind(ids[i]), &f[i], list->scratch + pos + 4))
                        return field_error(l, &f[i], ids[i], err);
                pos += 4 + size;
        }
        e->data = list->scratch;
        e->data_size = (uint32_t)total;
        pcrsim_ima_decode_fields(e, PCRSIM_BYTE_ORDER_LITTLE);
        return PCRSIM_OK;
}

static enum pcrsim_error_code parse_header(const struct line *l, const struct column *cols,
                                           size_t count, struct pcrsim_ima_entry *e,
                                           struct pcrsim_error *err)
{
        if (count < 3)
                return line_error(l, l->text, "line",
                                  "expected a PCR index, a template digest and a template name",
                                  err);
        if (!parse_decimal(&cols[0], UINT32_MAX, &e->pcr))
                return line_error(l, cols[0].text, "PCR index", "the PCR index is not a number",
                                  err);
        if (cols[1].len > 2 * PCRSIM_MAX_DIGEST_SIZE ||
            !decode_hex(cols[1].text, cols[1].len, e->digest))
                return line_error(l, cols[1].text, "template digest",
                                  "the template digest is not hex of at most 64 bytes", err);
        e->digest_size = (uint16_t)(cols[1].len / 2);
        if (!pcrsim_ima_alg_for_size(e->digest_size))
                return line_error(l, cols[1].text, "template digest",
                                  "the template digest is not 20, 32, 48 or 64 bytes long", err);
        if (cols[2].len > PCRSIM_MAX_IMA_TEMPLATE_NAME ||
            !pcrsim_ima_template_name_valid((const uint8_t *)cols[2].text, cols[2].len))
                return line_error(l, cols[2].text, "template name",
                                  memchr(cols[2].text, ':', cols[2].len) ?
                                  "the template name column holds a digest, so the template name is missing" :
                                  "the template name is empty, too long, or has characters other than letters, digits, '-', '_' and '|'",
                                  err);
        memcpy(e->template_name, cols[2].text, cols[2].len);
        e->template_name[cols[2].len] = '\0';
        return PCRSIM_OK;
}

static enum pcrsim_error_code parse_line(struct pcrsim_ima_list *list, const struct line *l,
                                         struct pcrsim_ima_entry *e, struct pcrsim_error *err)
{
        struct column cols[MAX_COLUMNS], f[PCRSIM_MAX_IMA_FIELDS];
        char ids[PCRSIM_MAX_IMA_FIELDS][16];
        const char *text = l->text, *fields;
        size_t len = l->len, count, n = 0;
        enum pcrsim_error_code rc;

        /* PCRs below 10 are printed right-aligned: " 9". */
        while (len && *text == ' ') {
                text++;
                len--;
        }
        count = split(text, len, cols, MAX_COLUMNS);
        rc = parse_header(l, cols, count, e, err);
        if (rc)
                return rc;
        if (list->info.digest_alg && pcrsim_ima_alg_for_size(e->digest_size) != list->info.digest_alg)
                return line_error(l, cols[1].text, "template digest",
                                  "the template digest differs in size from the first line's", err);
        fields = pcrsim_ima_template_fields(e->template_name);
        if (!fields) {
                /* Without its field list the data cannot be rebuilt; the
                 * replay can still extend the logged SHA-1 digest. */
                e->unknown_template = true;
                return PCRSIM_OK;
        }
        rc = map_columns(l, fields, cols + 3, count - 3, f, ids, &n, err);
        if (rc)
                return rc;
        if (strcmp(e->template_name, "ima") == 0)
                return rebuild_legacy(list, l, f, e, err);
        return rebuild_fields(list, l, f, ids, n, e, err);
}

/* Finds the end of the current line, reading more of the file as needed.
 * Sets `*len` to the line's length without its newline, `*consumed` to the
 * bytes to skip, or both to 0 at the end of the input. */
static enum pcrsim_error_code find_line(struct pcrsim_ima_list *list, size_t *len,
                                        size_t *consumed, struct pcrsim_error *err)
{
        size_t searched = 0;

        for (;;) {
                size_t avail = pcrsim_source_available(&list->src);
                const uint8_t *p = pcrsim_source_peek(&list->src);
                const uint8_t *nl = avail > searched ? memchr(p + searched, '\n', avail - searched) : NULL;
                enum pcrsim_error_code rc;

                if (nl) {
                        *len = (size_t)(nl - p);
                        *consumed = *len + 1;
                        return PCRSIM_OK;
                }
                if (avail > PCRSIM_MAX_IMA_LINE)
                        return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, list->src.pos, "line",
                                                "line %" PRIu64 " is longer than the limit of %u bytes",
                                                list->next_line, PCRSIM_MAX_IMA_LINE);
                if (!pcrsim_source_more(&list->src) && avail == 0) {
                        *len = 0;
                        *consumed = 0;
                        return PCRSIM_OK;
                }
                if (!pcrsim_source_more(&list->src)) {
                        /* The kernel ends every line with a newline, so a
                         * last line without one was cut off. */
                        if (list->opts.allow_partial_tail && avail <= PCRSIM_MAX_IMA_LINE) {
                                list->info.partial_tail_offset = list->src.pos;
                                list->info.partial_tail_size = avail;
                                *len = 0;
                                *consumed = 0;
                                return PCRSIM_OK;
                        }
                        return pcrsim_error_set(err, PCRSIM_ERR_TRUNCATED, list->src.pos + avail,
                                                "line",
                                                "line %" PRIu64 " has no newline, so the list ends in a partial line; --allow-partial-tail replays the complete ones",
                                                list->next_line);
                }
                searched = avail;
                rc = pcrsim_source_fill(&list->src, avail < PCRSIM_SOURCE_CHUNK ?
                                                    PCRSIM_SOURCE_CHUNK : avail * 2, err);
                if (rc)
                        return rc;
                /* The window cannot grow further: never loop without reading. */
                if (pcrsim_source_available(&list->src) == avail && pcrsim_source_more(&list->src))
                        return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, list->src.pos, "line",
                                                "line %" PRIu64 " is longer than the limit of %u bytes",
                                                list->next_line, PCRSIM_MAX_IMA_LINE);
        }
}

enum pcrsim_error_code pcrsim_ima_ascii_next(struct pcrsim_ima_list *list,
                                             struct pcrsim_ima_entry *entry,
                                             bool *have_entry,
                                             struct pcrsim_error *err)
{
        struct line l;
        enum pcrsim_error_code rc;
        size_t len = 0, consumed = 0;

        rc = find_line(list, &len, &consumed, err);
        if (rc)
                return rc;
        if (consumed == 0) {
                list->done = true;
                return PCRSIM_OK;
        }
        l.text = (const char *)pcrsim_source_peek(&list->src);
        l.len = len && l.text[len - 1] == '\r' ? len - 1 : len;
        l.offset = list->src.pos;
        l.number = list->next_line;
        if (memchr(l.text, '\0', l.len))
                return line_error(&l, memchr(l.text, '\0', l.len), "line",
                                  "the line contains a NUL byte, so the list is not ASCII", err);
        memset(entry, 0, offsetof(struct pcrsim_ima_entry, fields));
        rc = parse_line(list, &l, entry, err);
        if (rc)
                return rc;
        entry->index = list->next_index;
        entry->offset = l.offset;
        entry->line = l.number;
        if (list->next_index == 0) {
                list->info.digest_alg = pcrsim_ima_alg_for_size(entry->digest_size);
                list->info.digest_alg_detected = true;
        }
        list->src.pos += consumed;
        list->next_line++;
        *have_entry = true;
        return PCRSIM_OK;
}
