/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader and replay tests on logs built byte by byte with logbuilder.
 * Expected PCR values were computed with the openssl command line:
 *   ABC = sha256("abc") = ba7816bf...15ad
 *   H(0x00 * 32 || ABC)          = 589f9ffe...ee8d
 *   H(0x00 * 31 || 0x03 || ABC)  = e2bf6737...a247  (StartupLocality 3)
 *   H(0x00 * 31 || 0x04 || ABC)  = 15703cc9...cc71  (H-CRTM)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "logbuilder.h"
#include "testutil.h"
#include "pcrsim/replay.h"
#include "pcrsim/tcglog.h"

#define EV_NO_ACTION 3u
#define EV_SEPARATOR 4u
#define EV_EFI_ACTION 0x80000007u
#define EV_EFI_HCRTM_EVENT 0x80000010u

static const char abc_sha256[] =
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

static struct lb_digest digest_from_hex(uint16_t alg, const char *hex)
{
        struct lb_digest d;

        memset(&d, 0, sizeof(d));
        d.alg = alg;
        d.size = (uint16_t)(strlen(hex) / 2);
        for (size_t i = 0; i < d.size; i++) {
                unsigned v;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
                d.bytes[i] = (uint8_t)v;
        }
        return d;
}

static void expect_hex(const uint8_t *value, size_t size, const char *hex)
{
        char got[129];

        for (size_t i = 0; i < size; i++)
                snprintf(got + 2 * i, 3, "%02x", value[i]);
        cr_expect_str_eq(got, hex);
}

/* Starts a crypto-agile log with sha1 and sha256 banks. */
static void agile_header(struct lb *b)
{
        static const uint16_t algs[] = { LB_SHA1, LB_SHA256 };
        static const uint16_t sizes[] = { 20, 32 };

        lb_init(b);
        lb_specid(b, algs, sizes, 2, 2, 0);
}

static void sha256_only_header(struct lb *b)
{
        static const uint16_t algs[] = { LB_SHA256 };
        static const uint16_t sizes[] = { 32 };

        lb_init(b);
        lb_specid(b, algs, sizes, 1, 2, 0);
}

static enum pcrsim_error_code replay_memory(const struct lb *b, struct pcrsim_replay *out,
                                            struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(err);
        rc = pcrsim_tcglog_open_memory(b->data, b->len, &log, err);
        if (!rc)
                rc = pcrsim_replay_tcglog(log, out, err);
        pcrsim_tcglog_free(log);
        return rc;
}

static struct pcrsim_replay *replay_ok(const struct lb *b)
{
        struct pcrsim_replay *out = calloc(1, sizeof(*out));
        struct pcrsim_error err;

        cr_assert_not_null(out);
        cr_assert_eq(replay_memory(b, out, &err), PCRSIM_OK, "replay failed: %s", err.message);
        return out;
}

Test(tcglog, crypto_agile_detected)
{
        struct pcrsim_tcglog *log = NULL;
        const struct pcrsim_specid *s;
        struct lb b;

        agile_header(&b);
        cr_assert_eq(pcrsim_tcglog_open_memory(b.data, b.len, &log, NULL), PCRSIM_OK);
        cr_expect_eq(pcrsim_tcglog_format(log), PCRSIM_LOG_CRYPTO_AGILE);
        s = pcrsim_tcglog_specid(log);
        cr_assert_not_null(s);
        cr_expect_eq(s->alg_count, 2);
        cr_expect_eq(s->algs[1].alg, LB_SHA256);
        cr_expect_eq(s->algs[1].size, 32);
        cr_expect_eq(s->uintn_size, 2);
        pcrsim_tcglog_free(log);
        lb_free(&b);
}

Test(tcglog, sha1_log_starting_with_no_action)
{
        struct lb_digest zero = lb_digest_fill(LB_SHA1, 20, 0);
        uint8_t locality[17] = "StartupLocality";
        struct pcrsim_tcglog *log = NULL;
        struct lb b;

        /* A StartupLocality EV_NO_ACTION first: a SHA-1 log, not crypto-agile. */
        locality[16] = 3;
        lb_init(&b);
        lb_sha1_record(&b, 0, EV_NO_ACTION, zero.bytes, locality, sizeof(locality));
        cr_assert_eq(pcrsim_tcglog_open_memory(b.data, b.len, &log, NULL), PCRSIM_OK);
        cr_expect_eq(pcrsim_tcglog_format(log), PCRSIM_LOG_SHA1);
        cr_expect_null(pcrsim_tcglog_specid(log));
        pcrsim_tcglog_free(log);
        lb_free(&b);
}

Test(tcglog, digests_in_any_order)
{
        struct lb_digest d[2] = { digest_from_hex(LB_SHA256, abc_sha256),
                                  lb_digest_fill(LB_SHA1, 20, 0x11) };
        struct pcrsim_replay *r;
        struct lb b;

        agile_header(&b);
        /* sha256 listed before sha1, the reverse of the header. */
        lb_agile_record(&b, 4, EV_EFI_ACTION, d, 2, "x", 1);
        r = replay_ok(&b);
        expect_hex(pcrsim_replay_bank(r, LB_SHA256)->values[4], 32,
                   "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d");
        cr_expect_eq(pcrsim_replay_bank(r, LB_SHA256)->extend_count[4], 1);
        cr_expect_eq(pcrsim_replay_bank(r, LB_SHA1)->extend_count[4], 1);
        free(r);
        lb_free(&b);
}

Test(tcglog, fewer_digests_than_banks)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        const struct pcrsim_replay_bank *sha1;
        struct pcrsim_replay *r;
        struct lb b;

        agile_header(&b);
        lb_agile_record(&b, 12, EV_EFI_ACTION, &d, 1, "x", 1);
        lb_agile_record(&b, 13, EV_EFI_ACTION, &d, 1, "x", 1);
        r = replay_ok(&b);
        sha1 = pcrsim_replay_bank(r, LB_SHA1);
        cr_expect_eq(sha1->missing_pcrs, (1u << 12) | (1u << 13));
        cr_expect_eq(sha1->first_missing_event[12], 1);
        cr_expect_eq(sha1->first_missing_event[13], 2);
        cr_expect(!pcrsim_replay_bank_complete(sha1, 1u << 12));
        cr_expect(pcrsim_replay_bank_complete(sha1, 0xff));
        cr_expect(pcrsim_replay_bank_complete(pcrsim_replay_bank(r, LB_SHA256), 0xffffff));
        free(r);
        lb_free(&b);
}

Test(tcglog, unknown_algorithm_walked)
{
        static const uint16_t algs[] = { 0x7777, LB_SHA256 };
        static const uint16_t sizes[] = { 24, 32 };
        struct lb_digest d[2] = { lb_digest_fill(0x7777, 24, 0x42),
                                  digest_from_hex(LB_SHA256, abc_sha256) };
        struct pcrsim_replay *r;
        struct lb b;

        lb_init(&b);
        lb_specid(&b, algs, sizes, 2, 2, 0);
        lb_agile_record(&b, 4, EV_EFI_ACTION, d, 2, "x", 1);
        r = replay_ok(&b);
        cr_expect(!pcrsim_replay_bank(r, 0x7777)->hashable);
        cr_expect_eq(pcrsim_replay_bank(r, 0x7777)->extend_count[4], 1);
        expect_hex(pcrsim_replay_bank(r, LB_SHA256)->values[4], 32,
                   "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d");
        free(r);
        lb_free(&b);
}

Test(tcglog, no_action_never_extended)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 4, EV_EFI_ACTION, &d, 1, "x", 1);
        lb_agile_record(&b, 4, EV_NO_ACTION, &d, 1, "not extended", 12);
        r = replay_ok(&b);
        expect_hex(pcrsim_replay_bank(r, LB_SHA256)->values[4], 32,
                   "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d");
        cr_expect_eq(r->no_action_count, 2, "the Spec ID record and the mid-log one");
        cr_expect_eq(r->extended_count, 1);
        free(r);
        lb_free(&b);
}

static void check_locality(const uint8_t *data, uint32_t size)
{
        struct lb_digest zero = lb_digest_fill(LB_SHA256, 32, 0);
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 0, EV_NO_ACTION, &zero, 1, data, size);
        lb_agile_record(&b, 0, EV_EFI_ACTION, &d, 1, "x", 1);
        r = replay_ok(&b);
        cr_expect_eq(r->pcr0_start, PCRSIM_PCR0_STARTUP_LOCALITY);
        cr_expect_eq(r->locality, 3);
        cr_expect_eq(r->locality_data_size, size);
        expect_hex(pcrsim_replay_bank(r, LB_SHA256)->values[0], 32,
                   "e2bf6737520fc19e9be2993af864834bfb33b00c3fa7e3da44509c90cfd6a247");
        free(r);
        lb_free(&b);
}

Test(tcglog, startup_locality_forms)
{
        uint8_t data[20] = "StartupLocality";

        data[16] = 3;
        check_locality(data, 17);
        check_locality(data, 20);
}

Test(tcglog, late_startup_locality_ignored)
{
        struct lb_digest zero = lb_digest_fill(LB_SHA256, 32, 0);
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        uint8_t data[17] = "StartupLocality";
        struct pcrsim_replay *r;
        struct lb b;

        data[16] = 3;
        sha256_only_header(&b);
        lb_agile_record(&b, 0, EV_EFI_ACTION, &d, 1, "x", 1);
        lb_agile_record(&b, 0, EV_NO_ACTION, &zero, 1, data, 17);
        r = replay_ok(&b);
        cr_expect_eq(r->pcr0_start, PCRSIM_PCR0_RESET);
        cr_expect_eq(r->ignored_start_events, 1);
        cr_expect_eq(r->first_ignored_start_event, 2);
        expect_hex(pcrsim_replay_bank(r, LB_SHA256)->values[0], 32,
                   "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d");
        free(r);
        lb_free(&b);
}

Test(tcglog, hcrtm_starts_at_four)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 0, EV_EFI_HCRTM_EVENT, &d, 1, "HCRTM", 5);
        r = replay_ok(&b);
        cr_expect_eq(r->pcr0_start, PCRSIM_PCR0_HCRTM);
        expect_hex(pcrsim_replay_bank(r, LB_SHA256)->values[0], 32,
                   "15703cc929081671c587dad9b09606521a35aa6bf4741df448d22c4b307acc71");
        free(r);
        lb_free(&b);
}

Test(tcglog, pcr_index_none_skipped)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 0xFFFFFFFFu, EV_EFI_ACTION, &d, 1, "x", 1);
        r = replay_ok(&b);
        cr_expect_eq(r->no_pcr_count, 1);
        cr_expect_eq(r->first_no_pcr_event, 1);
        cr_expect_eq(r->extended_count, 0);
        free(r);
        lb_free(&b);
}

Test(tcglog, zero_padding_not_records)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r;
        size_t end;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 4, EV_EFI_ACTION, &d, 1, "x", 1);
        end = b.len;
        lb_fill(&b, 0, 1000);
        r = replay_ok(&b);
        cr_expect(r->zero_padding);
        cr_expect_eq(r->padding_offset, end);
        cr_expect_eq(r->padding_size, 1000);
        cr_expect_eq(r->record_count, 2);
        free(r);
        lb_free(&b);
}

Test(tcglog, nonzero_after_zeros_rejected)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r = calloc(1, sizeof(*r));
        struct pcrsim_error err;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 4, EV_EFI_ACTION, &d, 1, "x", 1);
        lb_fill(&b, 0, 100);
        lb_u8(&b, 1);
        cr_expect_neq(replay_memory(&b, r, &err), PCRSIM_OK,
                      "zeros followed by a non-zero byte are not padding");
        cr_expect_neq(err.offset, PCRSIM_NO_OFFSET);
        free(r);
        lb_free(&b);
}

Test(tcglog, pcr_index_out_of_range)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_replay *r = calloc(1, sizeof(*r));
        struct pcrsim_error err;
        size_t at;
        struct lb b;

        sha256_only_header(&b);
        at = b.len;
        lb_agile_record(&b, 24, EV_EFI_ACTION, &d, 1, "x", 1);
        cr_expect_eq(replay_memory(&b, r, &err), PCRSIM_ERR_INVALID);
        cr_expect_eq(err.offset, at);
        cr_expect_eq(err.record, 1);
        cr_expect_str_eq(err.field, "PCR index");
        free(r);
        lb_free(&b);
}

/* Writes the log to a temporary file and replays it through the file
 * walker, which reads through a growing window. */
static enum pcrsim_error_code replay_file(const struct lb *b, struct pcrsim_replay *out,
                                          struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        enum pcrsim_error_code rc;
        FILE *f = tmpfile();

        cr_assert_not_null(f);
        if (b->len)
                cr_assert_eq(fwrite(b->data, 1, b->len, f), b->len);
        rewind(f);
        pcrsim_error_clear(err);
        rc = pcrsim_tcglog_open_file(f, &log, err);
        if (!rc)
                rc = pcrsim_replay_tcglog(log, out, err);
        pcrsim_tcglog_free(log);
        fclose(f);
        return rc;
}

Test(tcglog, file_walker_matches_memory)
{
        struct lb_digest d[2] = { lb_digest_fill(LB_SHA1, 20, 0x33),
                                  digest_from_hex(LB_SHA256, abc_sha256) };
        struct pcrsim_replay *a = calloc(1, sizeof(*a)), *m = calloc(1, sizeof(*m));
        static uint8_t big[300000];
        struct pcrsim_error err;
        struct lb b;

        agile_header(&b);
        /* Records larger than the walker's first window, and many small ones. */
        memset(big, 0x5c, sizeof(big));
        lb_agile_record(&b, 7, EV_EFI_ACTION, d, 2, big, sizeof(big));
        for (uint32_t i = 0; i < 5000; i++)
                lb_agile_record(&b, i % 16, EV_EFI_ACTION, d, 2, big, i % 97);
        lb_agile_record(&b, 7, EV_EFI_ACTION, d, 2, big, 200000);
        cr_assert_eq(replay_file(&b, a, &err), PCRSIM_OK, "%s", err.message);
        cr_assert_eq(replay_memory(&b, m, &err), PCRSIM_OK, "%s", err.message);
        cr_expect_eq(a->record_count, 5003);
        cr_expect_eq(memcmp(a->banks, m->banks, sizeof(a->banks)), 0);
        free(a);
        free(m);
        lb_free(&b);
}

Test(tcglog, file_walker_truncations_match)
{
        struct lb_digest d[2] = { lb_digest_fill(LB_SHA1, 20, 0x33),
                                  digest_from_hex(LB_SHA256, abc_sha256) };
        struct pcrsim_replay *a = calloc(1, sizeof(*a)), *m = calloc(1, sizeof(*m));
        struct pcrsim_error ea, em;
        struct lb b, cut;

        agile_header(&b);
        for (uint32_t i = 0; i < 6; i++)
                lb_agile_record(&b, i, EV_EFI_ACTION, d, 2, "abcdefgh", i);
        for (size_t len = 0; len <= b.len; len++) {
                enum pcrsim_error_code ra, rm;

                lb_init(&cut);
                lb_bytes(&cut, b.data, len);
                ra = replay_file(&cut, a, &ea);
                rm = replay_memory(&cut, m, &em);
                cr_expect_eq(ra, rm, "length %zu: file %d, memory %d", len, ra, rm);
                if (ra && rm) {
                        cr_expect_eq(ea.offset, em.offset, "length %zu", len);
                        cr_expect_eq(ea.record, em.record, "length %zu", len);
                        cr_expect_leq(ea.offset, len, "length %zu: offset past the end", len);
                }
                lb_free(&cut);
        }
        free(a);
        free(m);
        lb_free(&b);
}

static enum pcrsim_error_code replay_expect_error(const struct lb *b, struct pcrsim_error *err)
{
        struct pcrsim_replay *r = calloc(1, sizeof(*r));
        enum pcrsim_error_code rc;

        cr_assert_not_null(r);
        rc = replay_memory(b, r, err);
        free(r);
        return rc;
}

Test(tcglog, all_zero_input_rejected)
{
        struct pcrsim_error err;
        struct lb b;

        /* 32 zero bytes would parse as one SHA-1 record of type 0. */
        lb_init(&b);
        lb_fill(&b, 0, 32);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_ERR_INVALID);
        cr_expect_eq(err.offset, 0);
        cr_expect(strstr(err.message, "32 zero bytes") != NULL, "%s", err.message);
        lb_free(&b);
}

Test(tcglog, padding_limit_exact)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_error err;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 4, EV_EFI_ACTION, &d, 1, "x", 1);
        lb_fill(&b, 0, PCRSIM_MAX_ZERO_PADDING);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_OK, "%s", err.message);
        lb_u8(&b, 0);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_ERR_LIMIT);
        cr_expect_eq(err.record, PCRSIM_NO_RECORD, "padding is not an event");
        lb_free(&b);
}

Test(tcglog, vendor_info_after_record_only_at_end)
{
        static const uint16_t algs[] = { LB_SHA256 };
        static const uint16_t sizes[] = { 32 };
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        struct lb b;

        /* A Spec ID event whose event size leaves out its 4 vendor info
         * bytes, which end the file: accepted and reported. */
        lb_init(&b);
        lb_specid(&b, algs, sizes, 1, 2, 4);
        lb_put_u32(&b, 28, 16 + 4 + 4 + 4 + 4 + 1);
        cr_assert_eq(pcrsim_tcglog_open_memory(b.data, b.len, &log, &err), PCRSIM_OK,
                     "%s", err.message);
        cr_expect_eq(pcrsim_tcglog_specid(log)->vendor_info_after_record, 4);
        cr_expect_eq(pcrsim_tcglog_specid(log)->vendor_info[3], 0xAB);
        pcrsim_tcglog_free(log);

        /* The same with a record after it: the bytes would come from that
         * record, so the header is invalid. */
        lb_agile_record(&b, 4, EV_EFI_ACTION, &d, 1, "x", 1);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_ERR_INVALID);
        cr_expect_eq(err.offset, 0x40, "offset of vendorInfoSize: 0x%llx",
                     (unsigned long long)err.offset);
        cr_expect_str_eq(err.field, "vendor info size");
        lb_free(&b);
}

Test(tcglog, startup_locality_invalid)
{
        struct lb_digest zero = lb_digest_fill(LB_SHA256, 32, 0);
        uint8_t data[17] = "StartupLocality";
        struct pcrsim_error err;
        size_t at;
        struct lb b;

        data[16] = 255;
        sha256_only_header(&b);
        at = b.len;
        lb_agile_record(&b, 0, EV_NO_ACTION, &zero, 1, data, 17);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_ERR_INVALID);
        /* Record header 12 bytes, digest 2 + 32, event size 4, signature 16. */
        cr_expect_eq(err.offset, at + 12 + 34 + 4 + 16);
        cr_expect_eq(err.record, 1);
        lb_free(&b);

        sha256_only_header(&b);
        lb_agile_record(&b, 0, EV_NO_ACTION, &zero, 1, data, 16);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "no locality byte") != NULL, "%s", err.message);
        lb_free(&b);
}

Test(tcglog, joined_logs_explained)
{
        struct lb_digest d = digest_from_hex(LB_SHA256, abc_sha256);
        struct pcrsim_error err;
        uint8_t *first_copy;
        size_t second;
        struct lb b;

        sha256_only_header(&b);
        lb_agile_record(&b, 4, EV_EFI_ACTION, &d, 1, "x", 1);
        second = b.len;
        first_copy = malloc(second);
        cr_assert_not_null(first_copy);
        memcpy(first_copy, b.data, second);
        lb_bytes(&b, first_copy, second);
        free(first_copy);
        cr_expect_eq(replay_expect_error(&b, &err), PCRSIM_ERR_INVALID);
        cr_expect_eq(err.record, 2);
        cr_expect_eq(err.offset, second + 8, "the digest count of the second Spec ID record");
        cr_expect(strstr(err.message, "two logs joined") != NULL, "%s", err.message);
        lb_free(&b);
}

/*
 * A log of SHA-1 format records that each carry 16 MiB of zero event data
 * (the largest allowed) is written as a sparse file, so it takes no room.
 * Each record is 32 + 16 MiB bytes, so record 15 ends at
 * 16 * 16777248 = 268435968 bytes, past the 256 MiB (268435456-byte) limit,
 * and the walker stops there with a LIMIT error at its start.
 */
Test(tcglog, log_size_limit)
{
        const uint32_t data_size = 16u * 1024u * 1024u;
        const uint64_t record_size = 32u + data_size;
        char *dir = tu_tmpdir(), *path;
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_event ev;
        struct pcrsim_error err;
        enum pcrsim_error_code rc = PCRSIM_OK;
        uint64_t walked = 0;
        bool have = true;
        FILE *f;

        cr_assert_not_null(dir);
        path = tu_path_join(dir, "big.log");
        f = fopen(path, "w+b");
        cr_assert_not_null(f, "cannot create %s", path);
        for (uint64_t i = 0; i < 17; i++) {
                struct lb header;

                lb_init(&header);
                lb_u32(&header, 4);
                lb_u32(&header, 0x0D); /* EV_IPL */
                lb_fill(&header, 0, 20);
                lb_u32(&header, data_size);
                cr_assert_eq(fseeko(f, (off_t)(i * record_size), SEEK_SET), 0);
                cr_assert_eq(fwrite(header.data, 1, header.len, f), header.len);
                lb_free(&header);
        }
        /* The last record's data ends the file. */
        cr_assert_eq(fseeko(f, (off_t)(17 * record_size - 1), SEEK_SET), 0);
        cr_assert_eq(fputc(0, f), 0);
        cr_assert_eq(fflush(f), 0);
        rewind(f);

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_tcglog_open_file(f, &log, &err), PCRSIM_OK, "%s", err.message);
        while (have) {
                rc = pcrsim_tcglog_next(log, &ev, &have, &err);
                if (rc != PCRSIM_OK)
                        break;
                walked += have;
        }
        cr_expect_eq(rc, PCRSIM_ERR_LIMIT, "got %d: %s", rc, err.message);
        cr_expect_eq(walked, 15, "%llu records walked before the limit",
                     (unsigned long long)walked);
        cr_expect_eq(err.offset, 15 * record_size, "offset %llu",
                     (unsigned long long)err.offset);
        cr_expect_eq(err.record, 15);
        cr_expect_str_eq(err.field, "event log size");
        pcrsim_tcglog_free(log);
        fclose(f);
        free(path);
        tu_rmtree(dir);
}
