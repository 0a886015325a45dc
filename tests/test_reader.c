/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <criterion/criterion.h>

#include "pcrsim/reader.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

Test(reader, little_endian_reads)
{
        struct pcrsim_reader r;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;

        pcrsim_reader_init(&r, bytes, sizeof(bytes), 0);
        cr_assert_eq(pcrsim_reader_u8(&r, &u8, "a", NULL), PCRSIM_OK);
        cr_expect_eq(u8, 0x01);
        cr_assert_eq(pcrsim_reader_le16(&r, &u16, "b", NULL), PCRSIM_OK);
        cr_expect_eq(u16, 0x0302);
        cr_assert_eq(pcrsim_reader_le32(&r, &u32, "c", NULL), PCRSIM_OK);
        cr_expect_eq(u32, 0x07060504u);
        cr_expect_eq(pcrsim_reader_remaining(&r), 2);
        pcrsim_reader_init(&r, bytes, sizeof(bytes), 0);
        cr_assert_eq(pcrsim_reader_le64(&r, &u64, "d", NULL), PCRSIM_OK);
        cr_expect_eq(u64, 0x0807060504030201ull);
}

Test(reader, short_read_leaves_state)
{
        struct pcrsim_reader r;
        struct pcrsim_error err;
        uint32_t v = 0xdeadbeef;

        pcrsim_reader_init(&r, bytes, 3, 0x100);
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_reader_le32(&r, &v, "event size", &err), PCRSIM_ERR_TRUNCATED);
        cr_expect_eq(v, 0xdeadbeef, "output changed by a failed read");
        cr_expect_eq(r.pos, 0, "position moved by a failed read");
        cr_expect_eq(err.offset, 0x100);
        cr_expect_str_eq(err.field, "event size");
        cr_expect(strstr(err.message, "needs 4 bytes but only 3 remain") != NULL, "%s",
                  err.message);
}

Test(reader, huge_length_does_not_wrap)
{
        struct pcrsim_reader r;
        const uint8_t *p = NULL;

        pcrsim_reader_init(&r, bytes, sizeof(bytes), 0);
        r.pos = 5;
        cr_expect_eq(pcrsim_reader_bytes(&r, SIZE_MAX, &p, "x", NULL), PCRSIM_ERR_TRUNCATED);
        cr_expect_eq(pcrsim_reader_skip(&r, SIZE_MAX - 3, "x", NULL), PCRSIM_ERR_TRUNCATED);
        cr_expect_null(p);
        cr_expect_eq(r.pos, 5);
}

Test(reader, sub_reader_keeps_offsets)
{
        struct pcrsim_reader r, sub;
        struct pcrsim_error err;
        uint32_t v;

        pcrsim_reader_init(&r, bytes, sizeof(bytes), 1000);
        cr_assert_eq(pcrsim_reader_skip(&r, 2, "pad", NULL), PCRSIM_OK);
        cr_assert_eq(pcrsim_reader_sub(&r, 3, &sub, "inner", NULL), PCRSIM_OK);
        cr_expect_eq(pcrsim_reader_offset(&sub), 1002);
        cr_expect_eq(pcrsim_reader_offset(&r), 1005);
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_reader_le32(&sub, &v, "inner value", &err), PCRSIM_ERR_TRUNCATED,
                     "sub-reader read past its own end");
        cr_expect_eq(err.offset, 1002);
}

Test(reader, empty_reader)
{
        struct pcrsim_reader r;
        const uint8_t *p;

        pcrsim_reader_init(&r, NULL, 0, 0);
        cr_expect_eq(pcrsim_reader_remaining(&r), 0);
        cr_expect_eq(pcrsim_reader_bytes(&r, 0, &p, "x", NULL), PCRSIM_OK);
        cr_expect_eq(pcrsim_reader_u8(&r, (uint8_t[1]){ 0 }, "x", NULL), PCRSIM_ERR_TRUNCATED);
}

Test(error, format_with_location)
{
        struct pcrsim_error err;
        char line[256];

        pcrsim_error_clear(&err);
        pcrsim_error_set(&err, PCRSIM_ERR_INVALID, 0x1a2c, "digest count",
                         "digest count %u exceeds the %u algorithms in the Spec ID header", 5, 3);
        err.record = 37;
        pcrsim_error_format(&err, "eventlog.bin", line, sizeof(line));
        cr_expect_str_eq(line, "eventlog.bin: event 37 at offset 0x1a2c: digest count 5 exceeds the 3 algorithms in the Spec ID header");
        err.record = PCRSIM_NO_RECORD;
        pcrsim_error_format(&err, NULL, line, sizeof(line));
        cr_expect_str_eq(line, "offset 0x1a2c: digest count 5 exceeds the 3 algorithms in the Spec ID header");
}
