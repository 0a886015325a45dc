/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/alg.h"
#include "pcrsim/reader.h"
#include "pcrsim/tcglog.h"
#include "eventlog/source.h"

#define READ_CHUNK PCRSIM_SOURCE_CHUNK

/* Largest record header: PCR index, type, digest count, one digest per
 * algorithm with its id, event size. */
#define MAX_RECORD_HEADER \
        (4u + 4u + 4u + PCRSIM_MAX_ALGORITHMS * (2u + PCRSIM_MAX_DIGEST_SIZE) + 4u)

/* Largest window a file walker keeps: one whole record, or a run of zero
 * bytes being checked as padding. */
#define MAX_WINDOW \
        (PCRSIM_MAX_EVENT_SIZE + MAX_RECORD_HEADER > PCRSIM_MAX_ZERO_PADDING ? \
         PCRSIM_MAX_EVENT_SIZE + MAX_RECORD_HEADER : PCRSIM_MAX_ZERO_PADDING + 1u)

#define SPEC_ID_SIGNATURE_SIZE 16u

struct pcrsim_tcglog {
        struct pcrsim_source src; /* src.pos: offset of the next record */
        uint64_t next_index;
        bool failed;
        bool done;

        enum pcrsim_log_format format;
        struct pcrsim_specid specid;
        size_t first_record_extra; /* vendor info bytes after record 0 */
        /* Offset of a non-zero byte that ended a run of zero bytes at a
         * record boundary, or 0. */
        uint64_t nonzero_after_zeros;

        bool padding;
        uint64_t padding_offset;
        uint64_t padding_size;
};

static size_t available(const struct pcrsim_tcglog *log)
{
        return pcrsim_source_available(&log->src);
}

static enum pcrsim_error_code fill(struct pcrsim_tcglog *log, size_t want,
                                   struct pcrsim_error *err)
{
        return pcrsim_source_fill(&log->src, want, err);
}

static enum pcrsim_error_code read_event_data(struct pcrsim_reader *r,
                                              struct pcrsim_event *ev,
                                              struct pcrsim_error *err)
{
        uint64_t size_offset = pcrsim_reader_offset(r);
        enum pcrsim_error_code rc;

        rc = pcrsim_reader_le32(r, &ev->data_size, "event size", err);
        if (rc)
                return rc;
        if (ev->data_size > PCRSIM_MAX_EVENT_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, size_offset,
                                        "event size",
                                        "event size %u exceeds the limit of %u bytes",
                                        ev->data_size, PCRSIM_MAX_EVENT_SIZE);
        ev->data_offset = pcrsim_reader_offset(r);
        return pcrsim_reader_bytes(r, ev->data_size, &ev->data, "event data", err);
}

/* Parses a TCG_PCClientPCREvent: PCR index, type, SHA-1 digest, data. */
static enum pcrsim_error_code parse_sha1_record(struct pcrsim_reader *r,
                                                struct pcrsim_event *ev,
                                                struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;

        rc = pcrsim_reader_le32(r, &ev->pcr, "PCR index", err);
        if (!rc)
                rc = pcrsim_reader_le32(r, &ev->type, "event type", err);
        if (rc)
                return rc;
        ev->digest_count = 1;
        ev->digests[0].alg = 0x0004;
        ev->digests[0].size = 20;
        rc = pcrsim_reader_copy(r, ev->digests[0].bytes, 20, "SHA-1 digest", err);
        if (rc)
                return rc;
        return read_event_data(r, ev, err);
}

static const struct pcrsim_alg_size *specid_find(const struct pcrsim_specid *s,
                                                 uint16_t alg)
{
        for (uint32_t i = 0; i < s->alg_count; i++)
                if (s->algs[i].alg == alg)
                        return &s->algs[i];
        return NULL;
}

static enum pcrsim_error_code parse_digest(struct pcrsim_reader *r,
                                           const struct pcrsim_specid *specid,
                                           struct pcrsim_event *ev, uint32_t i,
                                           struct pcrsim_error *err)
{
        uint64_t alg_offset = pcrsim_reader_offset(r);
        const struct pcrsim_alg_size *decl;
        enum pcrsim_error_code rc;
        char name[24];
        uint16_t alg;

        rc = pcrsim_reader_le16(r, &alg, "algorithm id", err);
        if (rc)
                return rc;
        pcrsim_alg_name(alg, name, sizeof(name));
        decl = specid_find(specid, alg);
        if (!decl)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, alg_offset,
                                        "algorithm id",
                                        "algorithm id 0x%04x (%s) of digest %u is not in the Spec ID header",
                                        alg, name, i);
        for (uint32_t j = 0; j < i; j++)
                if (ev->digests[j].alg == alg)
                        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, alg_offset,
                                                "algorithm id",
                                                "algorithm id 0x%04x (%s) appears twice in one record",
                                                alg, name);
        ev->digests[i].alg = alg;
        ev->digests[i].size = decl->size;
        return pcrsim_reader_copy(r, ev->digests[i].bytes, decl->size, "digest", err);
}

/* Parses a TCG_PCR_EVENT2 record with digest sizes from the Spec ID header. */
static enum pcrsim_error_code parse_agile_record(struct pcrsim_reader *r,
                                                 const struct pcrsim_specid *specid,
                                                 struct pcrsim_event *ev,
                                                 struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        uint64_t count_offset;

        rc = pcrsim_reader_le32(r, &ev->pcr, "PCR index", err);
        if (!rc)
                rc = pcrsim_reader_le32(r, &ev->type, "event type", err);
        if (rc)
                return rc;
        count_offset = pcrsim_reader_offset(r);
        rc = pcrsim_reader_le32(r, &ev->digest_count, "digest count", err);
        if (rc)
                return rc;
        if (ev->digest_count == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, count_offset,
                                        "digest count",
                                        "digest count is 0 but a record carries at least one digest");
        if (ev->digest_count > specid->alg_count)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, count_offset,
                                        "digest count",
                                        "digest count %u (0x%08x) exceeds the number of algorithms in the Spec ID header, %u",
                                        ev->digest_count, ev->digest_count, specid->alg_count);
        for (uint32_t i = 0; i < ev->digest_count; i++) {
                rc = parse_digest(r, specid, ev, i, err);
                if (rc)
                        return rc;
        }
        return read_event_data(r, ev, err);
}

static enum pcrsim_error_code parse_specid_alg(struct pcrsim_reader *r,
                                               struct pcrsim_specid *s, uint32_t i,
                                               struct pcrsim_error *err)
{
        uint64_t alg_offset = pcrsim_reader_offset(r);
        const struct pcrsim_alg_info *known;
        uint16_t alg, size;
        char name[24];

        if (pcrsim_reader_le16(r, &alg, "Spec ID algorithm id", err) ||
            pcrsim_reader_le16(r, &size, "Spec ID digest size", err))
                return err ? err->code : PCRSIM_ERR_TRUNCATED;
        pcrsim_alg_name(alg, name, sizeof(name));
        if (specid_find(s, alg))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, alg_offset,
                                        "Spec ID algorithm id",
                                        "algorithm %s is listed twice in the Spec ID header",
                                        name);
        known = pcrsim_alg_by_id(alg);
        if (known && known->digest_size != size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, alg_offset + 2,
                                        "Spec ID digest size",
                                        "digest size %u of %s disagrees with its standard size %u",
                                        size, name, known->digest_size);
        if (size == 0 || size > PCRSIM_MAX_DIGEST_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, alg_offset + 2,
                                        "Spec ID digest size",
                                        "digest size %u of %s is outside 1-%u",
                                        size, name, PCRSIM_MAX_DIGEST_SIZE);
        s->algs[i].alg = alg;
        s->algs[i].size = size;
        s->alg_count = i + 1;
        return PCRSIM_OK;
}

/*
 * Parses a TCG_EfiSpecIDEvent from the whole data of the first record.
 * Sets `*shortfall` to the number of vendor info bytes that lie beyond
 * the event data, zero when the structure fits.
 */
static enum pcrsim_error_code parse_specid(struct pcrsim_reader *r,
                                           struct pcrsim_specid *s,
                                           size_t *shortfall,
                                           struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        uint64_t offset;
        uint32_t count;

        memset(s, 0, sizeof(*s));
        *shortfall = 0;
        rc = pcrsim_reader_skip(r, SPEC_ID_SIGNATURE_SIZE, "Spec ID signature", err);
        if (!rc)
                rc = pcrsim_reader_le32(r, &s->platform_class, "platform class", err);
        if (!rc)
                rc = pcrsim_reader_u8(r, &s->version_minor, "spec version minor", err);
        if (!rc)
                rc = pcrsim_reader_u8(r, &s->version_major, "spec version major", err);
        if (!rc)
                rc = pcrsim_reader_u8(r, &s->errata, "spec errata", err);
        offset = pcrsim_reader_offset(r);
        if (!rc)
                rc = pcrsim_reader_u8(r, &s->uintn_size, "uintnSize", err);
        if (rc)
                return rc;
        /* 1 means a 32-bit UINTN, 2 a 64-bit one; nothing else is defined. */
        if (s->uintn_size != 1 && s->uintn_size != 2)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset, "uintnSize",
                                        "uintnSize %u is invalid: expected 1 (32-bit UINTN) or 2 (64-bit UINTN)",
                                        s->uintn_size);
        offset = pcrsim_reader_offset(r);
        rc = pcrsim_reader_le32(r, &count, "number of algorithms", err);
        if (rc)
                return rc;
        if (count == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, offset,
                                        "number of algorithms",
                                        "the Spec ID header lists no algorithms");
        if (count > PCRSIM_MAX_ALGORITHMS)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, offset,
                                        "number of algorithms",
                                        "the Spec ID header lists %u algorithms, more than the limit of %u",
                                        count, PCRSIM_MAX_ALGORITHMS);
        for (uint32_t i = 0; i < count; i++) {
                rc = parse_specid_alg(r, s, i, err);
                if (rc)
                        return rc;
        }
        rc = pcrsim_reader_u8(r, &s->vendor_info_size, "vendor info size", err);
        if (rc)
                return rc;
        /* The vendor info may run past the event data; the caller looks for
         * the rest right after the record. */
        if (s->vendor_info_size > pcrsim_reader_remaining(r)) {
                *shortfall = s->vendor_info_size - pcrsim_reader_remaining(r);
                return pcrsim_reader_copy(r, s->vendor_info, pcrsim_reader_remaining(r),
                                          "vendor info", err);
        }
        rc = pcrsim_reader_copy(r, s->vendor_info, s->vendor_info_size,
                                "vendor info", err);
        if (rc)
                return rc;
        if (pcrsim_reader_remaining(r) != 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(r),
                                        "Spec ID event",
                                        "%zu bytes follow the vendor info of the Spec ID event",
                                        pcrsim_reader_remaining(r));
        return PCRSIM_OK;
}

static bool is_specid_record(const struct pcrsim_event *ev)
{
        return ev->data_size >= SPEC_ID_SIGNATURE_SIZE &&
               memcmp(ev->data, PCRSIM_SPEC_ID_EVENT03, SPEC_ID_SIGNATURE_SIZE) == 0;
}

/*
 * Parses the record at the current position, reading more of the file
 * while the record is cut off by the end of the window.
 */
static enum pcrsim_error_code parse_record(struct pcrsim_tcglog *log, bool first,
                                           struct pcrsim_event *ev,
                                           size_t *consumed,
                                           struct pcrsim_error *err)
{
        for (;;) {
                struct pcrsim_reader r;
                enum pcrsim_error_code rc;
                size_t avail;

                pcrsim_source_reader(&log->src, &r);
                memset(ev, 0, offsetof(struct pcrsim_event, digests));
                if (first || log->format == PCRSIM_LOG_SHA1)
                        rc = parse_sha1_record(&r, ev, err);
                else
                        rc = parse_agile_record(&r, &log->specid, ev, err);
                if (rc == PCRSIM_OK) {
                        *consumed = r.pos;
                        return PCRSIM_OK;
                }
                avail = available(log);
                if (rc != PCRSIM_ERR_TRUNCATED || !pcrsim_source_more(&log->src) ||
                    avail >= MAX_WINDOW)
                        return rc;
                rc = fill(log, avail < READ_CHUNK ? READ_CHUNK : avail * 2, err);
                if (rc)
                        return rc;
        }
}

/*
 * Tells whether everything from the current position to the end of the
 * input is zero bytes. Reads the file as far as needed.
 */
static enum pcrsim_error_code rest_is_zero(struct pcrsim_tcglog *log, bool *zero,
                                           struct pcrsim_error *err)
{
        size_t checked = 0;

        for (;;) {
                const uint8_t *p = pcrsim_source_peek(&log->src);
                size_t avail = available(log);
                enum pcrsim_error_code rc;

                for (; checked < avail; checked++) {
                        if (p[checked] != 0) {
                                *zero = false;
                                log->nonzero_after_zeros = log->src.pos + checked;
                                return PCRSIM_OK;
                        }
                }
                if (avail > PCRSIM_MAX_ZERO_PADDING)
                        return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, log->src.pos,
                                                "zero padding",
                                                "the zero bytes from here on are longer than the limit of %u bytes for padding",
                                                PCRSIM_MAX_ZERO_PADDING);
                if (!pcrsim_source_more(&log->src)) {
                        *zero = true;
                        return PCRSIM_OK;
                }
                rc = fill(log, avail + READ_CHUNK, err);
                if (rc)
                        return rc;
        }
}

/*
 * Some firmware hands the OS its whole log buffer, so the records are
 * followed by zero bytes. Zero bytes from a record boundary to the end of
 * the input are taken as padding, not as records.
 * NOTE: in a SHA-1 log, 32 zero bytes also parse as a record (PCR 0, event
 * type 0 = EV_PREBOOT_CERT, zero digest, no data). Firmware does not log
 * that type, but such records at the very end would be lost here.
 */
static enum pcrsim_error_code check_padding(struct pcrsim_tcglog *log,
                                            struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        bool zero = false;
        size_t avail;

        rc = fill(log, 8, err);
        if (rc)
                return rc;
        avail = available(log);
        if (avail == 0) {
                log->done = true;
                return PCRSIM_OK;
        }
        if (memcmp(pcrsim_source_peek(&log->src), "\0\0\0\0\0\0\0\0",
                   avail < 8 ? avail : 8) != 0)
                return PCRSIM_OK;
        rc = rest_is_zero(log, &zero, err);
        if (rc || !zero)
                return rc;
        if (log->src.pos == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, NULL,
                                        "the input is %zu zero bytes and holds no records",
                                        available(log));
        log->padding = true;
        log->padding_offset = log->src.pos;
        log->padding_size = available(log);
        log->done = true;
        return PCRSIM_OK;
}

/*
 * Some Spec ID events leave their vendor info out of the event size, so
 * that it follows the record (a tpm2-tools test fixture does this). When
 * the missing bytes are exactly what is left of the input, they are read
 * from there and the first record is taken to end after them. The walker
 * reports this through the Spec ID header.
 */
static enum pcrsim_error_code read_vendor_info_tail(struct pcrsim_tcglog *log,
                                                    size_t record_size,
                                                    size_t shortfall,
                                                    struct pcrsim_error *err)
{
        struct pcrsim_specid *s = &log->specid;
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;

        rc = fill(log, record_size + shortfall + 1, err);
        if (rc)
                return rc;
        /* Accepted only when these bytes end the input: otherwise they
         * would be taken from the next record. */
        if (available(log) != record_size + shortfall)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                        log->src.pos + record_size -
                                                (s->vendor_info_size - shortfall) - 1,
                                        "vendor info size",
                                        "vendor info size %u exceeds the %zu bytes left in the Spec ID event",
                                        s->vendor_info_size,
                                        (size_t)(s->vendor_info_size - shortfall));
        pcrsim_source_reader(&log->src, &r);
        r.pos = record_size;
        rc = pcrsim_reader_copy(&r, s->vendor_info + (s->vendor_info_size - shortfall),
                                shortfall, "vendor info", err);
        if (rc)
                return rc;
        s->vendor_info_after_record = (uint8_t)shortfall;
        log->first_record_extra = shortfall;
        return PCRSIM_OK;
}

static enum pcrsim_error_code open_common(struct pcrsim_tcglog *log,
                                          struct pcrsim_error *err)
{
        struct pcrsim_event ev;
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;
        size_t consumed, shortfall;

        rc = fill(log, READ_CHUNK, err);
        if (rc)
                return rc;
        if (available(log) == 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, NULL,
                                        "empty input: an event log has at least one record");
        rc = check_padding(log, err);
        if (rc)
                return rc;
        rc = parse_record(log, true, &ev, &consumed, err);
        if (rc) {
                if (err)
                        err->record = 0;
                return rc;
        }
        log->format = PCRSIM_LOG_SHA1;
        if (!is_specid_record(&ev))
                return PCRSIM_OK;
        if (ev.type != PCRSIM_EV_NO_ACTION || ev.pcr != 0) {
                pcrsim_error_set(err, PCRSIM_ERR_INVALID, ev.pcr != 0 ? 0 : 4,
                                 ev.pcr != 0 ? "PCR index" : "event type",
                                 "the first record carries a Spec ID signature but has PCR index %u and event type 0x%x, expected PCR 0 and EV_NO_ACTION",
                                 ev.pcr, ev.type);
                if (err)
                        err->record = 0;
                return PCRSIM_ERR_INVALID;
        }
        pcrsim_reader_init(&r, ev.data, ev.data_size, ev.data_offset);
        rc = parse_specid(&r, &log->specid, &shortfall, err);
        /* A Spec ID event cut off by its own event size is malformed, not
         * a truncated file. */
        if (rc == PCRSIM_ERR_TRUNCATED) {
                rc = PCRSIM_ERR_INVALID;
                if (err)
                        err->code = rc;
        }
        if (!rc && shortfall)
                rc = read_vendor_info_tail(log, consumed, shortfall, err);
        if (rc) {
                if (err)
                        err->record = 0;
                return rc;
        }
        log->format = PCRSIM_LOG_CRYPTO_AGILE;
        return PCRSIM_OK;
}

static enum pcrsim_error_code open_walker(FILE *file, const void *data, size_t size,
                                          struct pcrsim_tcglog **out,
                                          struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = calloc(1, sizeof(*log));
        enum pcrsim_error_code rc;

        *out = NULL;
        if (!log)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate an event log walker");
        if (file)
                pcrsim_source_init_file(&log->src, file, MAX_WINDOW);
        else
                pcrsim_source_init_memory(&log->src, data, size);
        rc = open_common(log, err);
        if (rc) {
                pcrsim_tcglog_free(log);
                return rc;
        }
        *out = log;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_tcglog_open_memory(const void *data, size_t size,
                                                 struct pcrsim_tcglog **out,
                                                 struct pcrsim_error *err)
{
        return open_walker(NULL, data, size, out, err);
}

enum pcrsim_error_code pcrsim_tcglog_open_file(FILE *file,
                                               struct pcrsim_tcglog **out,
                                               struct pcrsim_error *err)
{
        return open_walker(file, NULL, 0, out, err);
}

void pcrsim_tcglog_free(struct pcrsim_tcglog *log)
{
        if (!log)
                return;
        pcrsim_source_release(&log->src);
        free(log);
}

/*
 * Adds the likely cause to a record's error: zero bytes that were not
 * padding because a non-zero byte followed them, or a second Spec ID
 * record where two logs were joined.
 */
static void explain_failure(const struct pcrsim_tcglog *log, struct pcrsim_error *err)
{
        const size_t specid_at = 32;
        size_t len;

        if (!err)
                return;
        len = strlen(err->message);
        if (log->nonzero_after_zeros > log->src.pos) {
                snprintf(err->message + len, sizeof(err->message) - len,
                         " (the record starts with zero bytes that are not padding, because the non-zero byte at offset 0x%" PRIx64 " follows them)",
                         log->nonzero_after_zeros);
        } else if (log->next_index > 0 &&
                   available(log) >= specid_at + sizeof(PCRSIM_SPEC_ID_EVENT03) &&
                   memcmp(pcrsim_source_peek(&log->src) + specid_at,
                          PCRSIM_SPEC_ID_EVENT03, sizeof(PCRSIM_SPEC_ID_EVENT03)) == 0) {
                snprintf(err->message + len, sizeof(err->message) - len,
                         " (a second Spec ID event starts here: the input may be two logs joined together)");
        }
}

enum pcrsim_error_code pcrsim_tcglog_next(struct pcrsim_tcglog *log,
                                          struct pcrsim_event *ev,
                                          bool *have_event,
                                          struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        size_t consumed;

        *have_event = false;
        if (log->failed)
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "event log walker used after an error");
        if (log->done)
                return PCRSIM_OK;
        if (log->next_index > 0) {
                rc = check_padding(log, err);
                if (rc) {
                        log->failed = true;
                        return rc;
                }
                if (log->done)
                        return PCRSIM_OK;
        }
        rc = parse_record(log, log->next_index == 0, ev, &consumed, err);
        if (rc) {
                explain_failure(log, err);
                goto fail;
        }
        if (log->next_index == 0)
                consumed += log->first_record_extra;
        if (log->src.pos + consumed > PCRSIM_MAX_TCG_LOG_SIZE) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_LIMIT, log->src.pos, "event log size",
                                      "the record ends at byte %" PRIu64 ", past the limit of %u bytes for an event log",
                                      (uint64_t)(log->src.pos + consumed), PCRSIM_MAX_TCG_LOG_SIZE);
                goto fail;
        }
        ev->index = log->next_index;
        ev->offset = log->src.pos;
        ev->size = consumed;
        log->src.pos += consumed;
        log->next_index++;
        *have_event = true;
        return PCRSIM_OK;

fail:
        log->failed = true;
        if (err && err->code != PCRSIM_ERR_IO && err->code != PCRSIM_ERR_NOMEM)
                err->record = log->next_index;
        return rc;
}

enum pcrsim_log_format pcrsim_tcglog_format(const struct pcrsim_tcglog *log)
{
        return log->format;
}

const struct pcrsim_specid *pcrsim_tcglog_specid(const struct pcrsim_tcglog *log)
{
        return log->format == PCRSIM_LOG_CRYPTO_AGILE ? &log->specid : NULL;
}

bool pcrsim_tcglog_zero_padding(const struct pcrsim_tcglog *log,
                                uint64_t *offset, uint64_t *size)
{
        if (!log->padding)
                return false;
        if (offset)
                *offset = log->padding_offset;
        if (size)
                *size = log->padding_size;
        return true;
}
