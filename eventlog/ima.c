/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog/ima_internal.h"
#include "pcrsim/alg.h"
#include "pcrsim/reader.h"

/* Largest binary entry: PCR index, digest, name, data, three lengths. */
#define MAX_ENTRY \
        (4u + PCRSIM_MAX_DIGEST_SIZE + 4u + PCRSIM_MAX_IMA_TEMPLATE_NAME + 4u + \
         PCRSIM_MAX_IMA_TEMPLATE_DATA)

/* Largest file window: one binary entry, or one ASCII line and its
 * newline. */
#define MAX_WINDOW (MAX_ENTRY > PCRSIM_MAX_IMA_LINE + 2u ? MAX_ENTRY : PCRSIM_MAX_IMA_LINE + 2u)

/* Maximum number of bytes that --allow-partial-tail leaves out. A list copied while the
 * kernel appended to it ends in at most one partial entry, and real
 * entries are far smaller; more bytes mean a corrupted length field.
 * NOTE: the bound is a judgement, not a kernel limit. */
#define MAX_PARTIAL_TAIL 8192u

/* Template digest sizes tried when the options name none: SHA-1 in
 * binary_runtime_measurements, the bank's size in the per-bank lists. */
static const uint16_t digest_sizes[] = { 20, 32, 48, 64 };

enum pcrsim_error_code pcrsim_ima_scratch(struct pcrsim_ima_list *list, size_t size,
                                          struct pcrsim_error *err)
{
        uint8_t *grown;

        if (size <= list->scratch_cap)
                return PCRSIM_OK;
        grown = realloc(list->scratch, size);
        if (!grown)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate %zu bytes for template data", size);
        list->scratch = grown;
        list->scratch_cap = size;
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_u32(struct pcrsim_reader *r, enum pcrsim_byte_order order,
                                       uint32_t *out, const char *field,
                                       struct pcrsim_error *err)
{
        const uint8_t *p;
        enum pcrsim_error_code rc = pcrsim_reader_bytes(r, 4, &p, field, err);

        if (rc)
                return rc;
        if (order == PCRSIM_BYTE_ORDER_BIG)
                *out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        else
                *out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_name(struct pcrsim_reader *r, enum pcrsim_byte_order order,
                                        struct pcrsim_ima_entry *e, struct pcrsim_error *err)
{
        uint64_t at = pcrsim_reader_offset(r);
        const uint8_t *name;
        enum pcrsim_error_code rc;
        uint32_t len;

        rc = read_u32(r, order, &len, "template name length", err);
        if (rc)
                return rc;
        if (len == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "template name length",
                                        "template name length is 0");
        if (len > PCRSIM_MAX_IMA_TEMPLATE_NAME)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, at, "template name length",
                                        "template name length %u exceeds the limit of %u bytes",
                                        len, PCRSIM_MAX_IMA_TEMPLATE_NAME);
        rc = pcrsim_reader_bytes(r, len, &name, "template name", err);
        if (rc)
                return rc;
        if (!pcrsim_ima_template_name_valid(name, len))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at + 4, "template name",
                                        "the template name contains bytes other than letters, digits, '-', '_' and '|'");
        memcpy(e->template_name, name, len);
        e->template_name[len] = '\0';
        return PCRSIM_OK;
}

/* Reads the "ima" template's file digest and name, and lays them out as
 * the kernel hashes them: the name zero-padded to 256 bytes. */
static enum pcrsim_error_code read_legacy(struct pcrsim_ima_list *list, struct pcrsim_reader *r,
                                          struct pcrsim_ima_entry *e, struct pcrsim_error *err)
{
        enum pcrsim_byte_order order = list->info.byte_order;
        const uint8_t *digest, *name;
        enum pcrsim_error_code rc;
        uint64_t at;
        uint32_t len;

        rc = pcrsim_reader_bytes(r, IMA_LEGACY_DIGEST_SIZE, &digest, "file digest", err);
        if (rc)
                return rc;
        at = pcrsim_reader_offset(r);
        rc = read_u32(r, order, &len, "file name length", err);
        if (rc)
                return rc;
        if (len >= IMA_LEGACY_NAME_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, at, "file name length",
                                        "file name length %u of an \"ima\" template entry exceeds %u",
                                        len, IMA_LEGACY_NAME_SIZE - 1);
        rc = pcrsim_reader_bytes(r, len, &name, "file name", err);
        if (!rc)
                rc = pcrsim_ima_scratch(list, IMA_LEGACY_DIGEST_SIZE + IMA_LEGACY_NAME_SIZE, err);
        if (rc)
                return rc;
        memset(list->scratch, 0, IMA_LEGACY_DIGEST_SIZE + IMA_LEGACY_NAME_SIZE);
        memcpy(list->scratch, digest, IMA_LEGACY_DIGEST_SIZE);
        if (len)
                memcpy(list->scratch + IMA_LEGACY_DIGEST_SIZE, name, len);
        e->legacy_ima = true;
        e->data = list->scratch;
        e->data_size = IMA_LEGACY_DIGEST_SIZE + IMA_LEGACY_NAME_SIZE;
        e->fields[0] = (struct pcrsim_ima_field){ "d", e->data, IMA_LEGACY_DIGEST_SIZE };
        e->fields[1] = (struct pcrsim_ima_field){ "n", e->data + IMA_LEGACY_DIGEST_SIZE, len };
        e->field_count = 2;
        return PCRSIM_OK;
}

/* Parses one binary entry from `r` with the list's digest size and order. */
static enum pcrsim_error_code parse_binary(struct pcrsim_ima_list *list, struct pcrsim_reader *r,
                                           struct pcrsim_ima_entry *e, struct pcrsim_error *err)
{
        enum pcrsim_byte_order order = list->info.byte_order;
        enum pcrsim_error_code rc;
        uint64_t at;

        rc = read_u32(r, order, &e->pcr, "PCR index", err);
        if (!rc)
                rc = pcrsim_reader_copy(r, e->digest, list->digest_size, "template digest", err);
        if (!rc)
                rc = read_name(r, order, e, err);
        if (rc)
                return rc;
        e->digest_size = list->digest_size;
        if (strcmp(e->template_name, "ima") == 0)
                return read_legacy(list, r, e, err);
        at = pcrsim_reader_offset(r);
        rc = read_u32(r, order, &e->data_size, "template data length", err);
        if (rc)
                return rc;
        if (e->data_size > PCRSIM_MAX_IMA_TEMPLATE_DATA)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, at, "template data length",
                                        "template data length %u exceeds the limit of %u bytes",
                                        e->data_size, PCRSIM_MAX_IMA_TEMPLATE_DATA);
        rc = pcrsim_reader_bytes(r, e->data_size, &e->data, "template data", err);
        if (rc)
                return rc;
        pcrsim_ima_decode_fields(e, order);
        return PCRSIM_OK;
}

/* Parses the entry at the current position, reading more of the file while
 * it is cut off by the end of the window. */
static enum pcrsim_error_code parse_entry(struct pcrsim_ima_list *list,
                                          struct pcrsim_ima_entry *e, size_t *consumed,
                                          struct pcrsim_error *err)
{
        for (;;) {
                size_t avail = pcrsim_source_available(&list->src);
                struct pcrsim_reader r;
                enum pcrsim_error_code rc;

                memset(e, 0, offsetof(struct pcrsim_ima_entry, fields));
                pcrsim_source_reader(&list->src, &r);
                rc = parse_binary(list, &r, e, err);
                if (rc == PCRSIM_OK) {
                        *consumed = r.pos;
                        return PCRSIM_OK;
                }
                if (rc != PCRSIM_ERR_TRUNCATED || !pcrsim_source_more(&list->src) ||
                    avail >= MAX_ENTRY)
                        return rc;
                rc = pcrsim_source_fill(&list->src,
                                        avail < PCRSIM_SOURCE_CHUNK ? PCRSIM_SOURCE_CHUNK : avail * 2,
                                        err);
                if (rc)
                        return rc;
        }
}

/*
 * Tells whether the first entry parses with this digest size and byte
 * order: a PCR index of 0-23, then a valid template name after the digest.
 */
static enum pcrsim_error_code check_first_entry(struct pcrsim_ima_list *list, uint16_t size,
                                                enum pcrsim_byte_order order,
                                                struct pcrsim_error *err)
{
        struct pcrsim_ima_entry e;
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;

        list->digest_size = size;
        list->info.byte_order = order;
        pcrsim_source_reader(&list->src, &r);
        memset(&e, 0, offsetof(struct pcrsim_ima_entry, fields));
        rc = read_u32(&r, order, &e.pcr, "PCR index", err);
        if (rc)
                return rc;
        if (e.pcr >= PCRSIM_PCR_COUNT)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "PCR index",
                                        "PCR index %u is outside 0-%u", e.pcr,
                                        PCRSIM_PCR_COUNT - 1);
        rc = pcrsim_reader_skip(&r, size, "template digest", err);
        if (!rc)
                rc = read_name(&r, order, &e, err);
        return rc;
}

static bool first_entry_fits(struct pcrsim_ima_list *list, uint16_t size,
                             enum pcrsim_byte_order order)
{
        return check_first_entry(list, size, order, NULL) == PCRSIM_OK;
}

/* Explains why the first entry fits no digest size and byte order: the
 * error of the most common layout (SHA-1, little-endian) or of the one
 * the options name. */
static enum pcrsim_error_code explain_no_fit(struct pcrsim_ima_list *list,
                                             const struct pcrsim_alg_info *given,
                                             struct pcrsim_error *err)
{
        enum pcrsim_byte_order order = list->opts.byte_order == PCRSIM_BYTE_ORDER_BIG ?
                                       PCRSIM_BYTE_ORDER_BIG : PCRSIM_BYTE_ORDER_LITTLE;
        enum pcrsim_error_code rc;
        size_t len;

        rc = check_first_entry(list, given ? given->digest_size : 20, order, err);
        if (rc == PCRSIM_OK)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, 0, NULL,
                                        "the first entry fits, yet detection found no layout");
        if (err) {
                len = strlen(err->message);
                snprintf(err->message + len, sizeof(err->message) - len,
                         " (read as %s template digests, %s; no other layout%s fits either)",
                         given ? given->name : "sha1",
                         order == PCRSIM_BYTE_ORDER_BIG ? "big-endian" : "little-endian",
                         given || list->opts.byte_order != PCRSIM_BYTE_ORDER_AUTO ?
                         " the options allow" : "");
        }
        return rc == PCRSIM_ERR_TRUNCATED ? PCRSIM_ERR_INVALID : rc;
}

/* Finds the template digest size and byte order from the first entry,
 * within what the options allow. Exactly one combination must fit. */
static enum pcrsim_error_code detect_binary(struct pcrsim_ima_list *list,
                                            struct pcrsim_error *err)
{
        static const enum pcrsim_byte_order orders[] = { PCRSIM_BYTE_ORDER_LITTLE,
                                                         PCRSIM_BYTE_ORDER_BIG };
        const struct pcrsim_alg_info *given = pcrsim_alg_by_id(list->opts.digest_alg);
        uint16_t found_size = 0;
        enum pcrsim_byte_order found_order = PCRSIM_BYTE_ORDER_LITTLE;
        enum pcrsim_error_code rc;
        unsigned matches = 0;

        if (list->opts.digest_alg && !given)
                return pcrsim_error_set(err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                        "unknown template digest algorithm 0x%04x",
                                        list->opts.digest_alg);
        for (size_t o = 0; o < 2; o++) {
                if (list->opts.byte_order != PCRSIM_BYTE_ORDER_AUTO &&
                    list->opts.byte_order != orders[o])
                        continue;
                for (size_t i = 0; i < sizeof(digest_sizes) / sizeof(digest_sizes[0]); i++) {
                        uint16_t size = given ? given->digest_size : digest_sizes[i];

                        if (first_entry_fits(list, size, orders[o])) {
                                matches++;
                                found_size = size;
                                found_order = orders[o];
                        }
                        if (given)
                                break;
                }
        }
        if (matches == 0) {
                rc = explain_no_fit(list, given, err);
                if (err)
                        err->code = rc;
                return rc;
        }
        if (matches > 1)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, "template digest",
                                        "the first entry parses with more than one template digest size or byte order; set them with --ima-digest-alg and --ima-byte-order");
        list->digest_size = found_size;
        list->info.byte_order = found_order;
        list->info.digest_alg = given ? given->id : pcrsim_ima_alg_for_size(found_size);
        list->info.digest_alg_detected = !given;
        list->info.byte_order_detected = list->opts.byte_order == PCRSIM_BYTE_ORDER_AUTO;
        return PCRSIM_OK;
}

static enum pcrsim_error_code open_list(FILE *file, const void *data, size_t size,
                                        const struct pcrsim_ima_options *opts,
                                        struct pcrsim_ima_list **out, struct pcrsim_error *err)
{
        struct pcrsim_ima_list *list = calloc(1, sizeof(*list));
        enum pcrsim_error_code rc;
        const uint8_t *head;

        *out = NULL;
        if (!list)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate an IMA list walker");
        if (opts)
                list->opts = *opts;
        if (file)
                pcrsim_source_init_file(&list->src, file, MAX_WINDOW);
        else
                pcrsim_source_init_memory(&list->src, data, size);
        list->next_line = 1;
        rc = pcrsim_source_fill(&list->src, PCRSIM_SOURCE_CHUNK, err);
        if (!rc && pcrsim_source_available(&list->src) == 0)
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, NULL,
                                      "empty input: an IMA list has at least its boot_aggregate entry");
        if (rc)
                goto fail;
        head = pcrsim_source_peek(&list->src);
        /* A binary list starts with a u32 PCR index below 24, so its first
         * byte is below 0x18 in either byte order. An ASCII list starts
         * with printable text: the PCR index, right-aligned. */
        if (head[0] >= 0x20 && head[0] < 0x7f) {
                list->info.format = PCRSIM_IMA_ASCII;
                list->info.byte_order = PCRSIM_BYTE_ORDER_LITTLE;
                list->info.digest_alg = pcrsim_ima_ascii_digest_alg(head,
                                                pcrsim_source_available(&list->src));
                list->info.digest_alg_detected = true;
        } else {
                list->info.format = PCRSIM_IMA_BINARY;
                rc = detect_binary(list, err);
                if (rc)
                        goto fail;
        }
        *out = list;
        return PCRSIM_OK;
fail:
        if (err && err->code != PCRSIM_ERR_IO && err->code != PCRSIM_ERR_NOMEM &&
            err->offset != PCRSIM_NO_OFFSET) {
                err->record = 0;
                err->record_noun = "entry";
        }
        pcrsim_ima_list_free(list);
        return rc;
}

enum pcrsim_error_code pcrsim_ima_list_open_file(FILE *file,
                                                 const struct pcrsim_ima_options *opts,
                                                 struct pcrsim_ima_list **out,
                                                 struct pcrsim_error *err)
{
        return open_list(file, NULL, 0, opts, out, err);
}

enum pcrsim_error_code pcrsim_ima_list_open_memory(const void *data, size_t size,
                                                   const struct pcrsim_ima_options *opts,
                                                   struct pcrsim_ima_list **out,
                                                   struct pcrsim_error *err)
{
        return open_list(NULL, data, size, opts, out, err);
}

void pcrsim_ima_list_free(struct pcrsim_ima_list *list)
{
        if (!list)
                return;
        pcrsim_source_release(&list->src);
        free(list->scratch);
        free(list);
}

/* Ends the list at a partial last entry when the options allow it. */
static bool take_partial_tail(struct pcrsim_ima_list *list, enum pcrsim_error_code rc)
{
        if (rc != PCRSIM_ERR_TRUNCATED || !list->opts.allow_partial_tail ||
            pcrsim_source_more(&list->src) ||
            pcrsim_source_available(&list->src) > MAX_PARTIAL_TAIL)
                return false;
        list->info.partial_tail_offset = list->src.pos;
        list->info.partial_tail_size = pcrsim_source_available(&list->src);
        list->done = true;
        return true;
}

static enum pcrsim_error_code binary_next(struct pcrsim_ima_list *list,
                                          struct pcrsim_ima_entry *entry, bool *have_entry,
                                          struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        size_t consumed;

        rc = pcrsim_source_fill(&list->src, 64, err);
        if (rc)
                return rc;
        if (pcrsim_source_available(&list->src) == 0) {
                list->done = true;
                return PCRSIM_OK;
        }
        rc = parse_entry(list, entry, &consumed, err);
        if (rc) {
                if (take_partial_tail(list, rc))
                        return PCRSIM_OK;
                if (rc == PCRSIM_ERR_TRUNCATED && err) {
                        size_t len = strlen(err->message);
                        bool small = pcrsim_source_available(&list->src) <= MAX_PARTIAL_TAIL;

                        snprintf(err->message + len, sizeof(err->message) - len,
                                 small ? " (the list ends in a partial entry; --allow-partial-tail replays the complete ones)" :
                                         " (the %zu bytes from this entry on are more than a partial last entry, so a length field is likely corrupted)",
                                 pcrsim_source_available(&list->src));
                }
                return rc;
        }
        entry->index = list->next_index;
        entry->offset = list->src.pos;
        list->src.pos += consumed;
        *have_entry = true;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_ima_list_next(struct pcrsim_ima_list *list,
                                            struct pcrsim_ima_entry *entry,
                                            bool *have_entry,
                                            struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;

        *have_entry = false;
        if (list->failed)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "IMA list walker used after an error");
        if (list->done)
                return PCRSIM_OK;
        if (list->info.format == PCRSIM_IMA_ASCII)
                rc = pcrsim_ima_ascii_next(list, entry, have_entry, err);
        else
                rc = binary_next(list, entry, have_entry, err);
        if (rc) {
                list->failed = true;
                if (err && err->code != PCRSIM_ERR_IO && err->code != PCRSIM_ERR_NOMEM) {
                        err->record = list->next_index;
                        err->record_noun = "entry";
                }
                return rc;
        }
        if (*have_entry)
                list->next_index++;
        return PCRSIM_OK;
}

void pcrsim_ima_list_info(const struct pcrsim_ima_list *list,
                          struct pcrsim_ima_list_info *info)
{
        *info = list->info;
}
