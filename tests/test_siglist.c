/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the EFI_SIGNATURE_LIST decoder on lists built byte by byte and
 * on the PK, KEK, db and dbx variables in the real-world event logs of the
 * shared vector folder (see tu_shared_vectors()).
 *
 * The test certificate was made with
 *   openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=pcrsim test/O=Example" \
 *           -days 1 -outform DER
 * and its expected values were computed from the DER file with
 *   openssl x509 -inform DER -noout -subject -issuer -serial -nameopt RFC2253
 *   openssl dgst -sha256
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "eventlog/siglist.h"
#include "logbuilder.h"
#include "manifest.h"
#include "pcrsim/reader.h"
#include "pcrsim/tcglog.h"
#include "testutil.h"

#define EFI_CERT_X509 "a5c059a1-94e4-4aa7-87b5-ab155c2bf072"
#define EFI_CERT_SHA256 "c1c41626-504c-4092-aca9-41f936934328"
#define MICROSOFT_OWNER "77fa9abd-0359-4d32-bd60-28f4e78f784b"
/* GUIDs that pcrsim_guid_name() has no name for. */
#define PLAIN_OWNER "11223344-5566-7788-99aa-bbccddeeff00"
#define UNKNOWN_TYPE "01234567-89ab-cdef-0123-456789abcdef"

#define LIST_HEADER_SIZE 28u
#define OWNER_SIZE 16u

/* Input offset given to the decoder, so that error offsets are checked
 * relative to a non-zero start. */
#define BASE 0x1000u

static const uint8_t test_cert[] = {
        0x30, 0x82, 0x03, 0x31, 0x30, 0x82, 0x02, 0x19, 0xa0, 0x03, 0x02, 0x01,
        0x02, 0x02, 0x14, 0x5c, 0xe6, 0x59, 0x28, 0xe6, 0xe3, 0x75, 0xe8, 0xe3,
        0x45, 0x0a, 0xfc, 0xa7, 0x67, 0xb9, 0xad, 0xbc, 0x95, 0x01, 0x08, 0x30,
        0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
        0x05, 0x00, 0x30, 0x28, 0x31, 0x14, 0x30, 0x12, 0x06, 0x03, 0x55, 0x04,
        0x03, 0x0c, 0x0b, 0x70, 0x63, 0x72, 0x73, 0x69, 0x6d, 0x20, 0x74, 0x65,
        0x73, 0x74, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c,
        0x07, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x30, 0x1e, 0x17, 0x0d,
        0x32, 0x36, 0x31, 0x32, 0x30, 0x34, 0x32, 0x31, 0x34, 0x33, 0x30, 0x31,
        0x5a, 0x17, 0x0d, 0x32, 0x36, 0x31, 0x32, 0x30, 0x35, 0x32, 0x31, 0x34,
        0x33, 0x30, 0x31, 0x5a, 0x30, 0x28, 0x31, 0x14, 0x30, 0x12, 0x06, 0x03,
        0x55, 0x04, 0x03, 0x0c, 0x0b, 0x70, 0x63, 0x72, 0x73, 0x69, 0x6d, 0x20,
        0x74, 0x65, 0x73, 0x74, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04,
        0x0a, 0x0c, 0x07, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x30, 0x82,
        0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
        0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82,
        0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00, 0x9e, 0xd2, 0xe8, 0x7b, 0xf7,
        0x39, 0xd4, 0xeb, 0x57, 0x4f, 0x80, 0x07, 0xe8, 0x50, 0xf2, 0x19, 0xe1,
        0x95, 0x2f, 0x63, 0x3c, 0xb3, 0x60, 0x66, 0x1f, 0xec, 0x94, 0x1d, 0xe4,
        0xcc, 0xd6, 0x41, 0x6d, 0x43, 0xb7, 0x40, 0x65, 0xc0, 0x83, 0x3f, 0x86,
        0x1f, 0x33, 0xd1, 0xff, 0x60, 0xbb, 0xff, 0x2e, 0x72, 0x39, 0x6f, 0x39,
        0xe0, 0xcd, 0xca, 0x25, 0xad, 0xaf, 0x4f, 0x3d, 0x58, 0x31, 0x1c, 0x8e,
        0x5b, 0x0c, 0x9d, 0x7f, 0x46, 0x40, 0x27, 0x31, 0x34, 0xde, 0x33, 0xf6,
        0xbb, 0xd1, 0x83, 0x20, 0x58, 0xaf, 0xdd, 0x78, 0x66, 0x45, 0xe0, 0x8d,
        0xa7, 0x49, 0x0b, 0x24, 0x8d, 0xc8, 0xb8, 0xfc, 0xba, 0xa6, 0x5a, 0x22,
        0x14, 0x0c, 0x0c, 0x73, 0xd6, 0x63, 0x90, 0xed, 0xb1, 0xb4, 0xd8, 0x55,
        0x02, 0xf3, 0xdd, 0x44, 0xdf, 0xe1, 0xa3, 0x11, 0x5f, 0x9e, 0x32, 0x7d,
        0x4b, 0x21, 0x0b, 0x2c, 0xac, 0x26, 0xf1, 0x03, 0x3e, 0x63, 0x19, 0x01,
        0x57, 0x2e, 0x1f, 0x4a, 0x9c, 0x65, 0xdd, 0x5e, 0xda, 0xa7, 0x8e, 0xa5,
        0x1e, 0x13, 0xed, 0x96, 0x56, 0x2b, 0x72, 0xc7, 0x15, 0x0b, 0x05, 0x81,
        0x38, 0x05, 0x27, 0x99, 0x2b, 0x10, 0x6e, 0x7f, 0x71, 0xa5, 0x8e, 0xaa,
        0x0f, 0x07, 0x85, 0x0f, 0xb9, 0x67, 0xcb, 0xc4, 0xec, 0xaf, 0x4c, 0x62,
        0xf2, 0xc3, 0xf4, 0x2b, 0xf3, 0x36, 0x0f, 0xd5, 0x20, 0xb0, 0xf2, 0x2f,
        0x3c, 0xea, 0x26, 0xe2, 0x27, 0x92, 0x92, 0xe1, 0x21, 0xb8, 0x53, 0x98,
        0xb6, 0x26, 0x3b, 0xad, 0x81, 0x22, 0x17, 0x86, 0xd1, 0x8b, 0x72, 0x75,
        0x2c, 0x1d, 0xef, 0x3f, 0xed, 0x4d, 0x5f, 0x67, 0xea, 0x44, 0xbc, 0x57,
        0x20, 0xda, 0xd1, 0xd0, 0x03, 0xce, 0x88, 0x25, 0xd0, 0x92, 0xb7, 0x59,
        0xea, 0x27, 0xc7, 0x11, 0x87, 0x51, 0xe8, 0xff, 0x49, 0x12, 0x91, 0x02,
        0x03, 0x01, 0x00, 0x01, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03,
        0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0x24, 0x3b, 0x51, 0x21, 0xdc,
        0xdb, 0xaf, 0x07, 0xb3, 0xbc, 0x48, 0x27, 0x70, 0x56, 0xd1, 0x9d, 0xfd,
        0xf5, 0xb8, 0x94, 0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18,
        0x30, 0x16, 0x80, 0x14, 0x24, 0x3b, 0x51, 0x21, 0xdc, 0xdb, 0xaf, 0x07,
        0xb3, 0xbc, 0x48, 0x27, 0x70, 0x56, 0xd1, 0x9d, 0xfd, 0xf5, 0xb8, 0x94,
        0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05,
        0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
        0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, 0x03, 0x82, 0x01, 0x01,
        0x00, 0x94, 0x76, 0xd3, 0xeb, 0xe8, 0x8e, 0x89, 0x88, 0x2d, 0xc0, 0x88,
        0x30, 0xe3, 0x62, 0x9c, 0x95, 0x62, 0x96, 0xbc, 0x45, 0x73, 0xb1, 0x45,
        0xe1, 0xac, 0xa8, 0xcf, 0x09, 0x13, 0xac, 0xda, 0x8f, 0x8c, 0x4b, 0x35,
        0x8f, 0xd4, 0x33, 0xc4, 0x2b, 0x17, 0x46, 0x41, 0xbf, 0x94, 0xf8, 0x6e,
        0x78, 0x21, 0x88, 0x42, 0x83, 0xbd, 0x30, 0x09, 0x5c, 0xd1, 0x87, 0xbb,
        0xa3, 0x0d, 0x01, 0xbd, 0x1c, 0xd7, 0xf4, 0x05, 0x5a, 0x1c, 0xec, 0x98,
        0xf2, 0x1f, 0x02, 0x71, 0xe2, 0x7c, 0xee, 0xa6, 0x39, 0xc1, 0xda, 0x4b,
        0x05, 0xc0, 0xd1, 0x79, 0x1d, 0x25, 0x89, 0xc2, 0x88, 0x3d, 0x8a, 0x77,
        0xb5, 0x92, 0x0f, 0x74, 0x6b, 0x67, 0xf9, 0x27, 0x37, 0xd0, 0x6b, 0x5e,
        0xc6, 0x04, 0x74, 0x74, 0x43, 0x67, 0xad, 0x82, 0xf4, 0x91, 0x31, 0x00,
        0x8b, 0x59, 0xb3, 0x49, 0xf7, 0x2b, 0x97, 0xf5, 0x59, 0x83, 0x41, 0x2d,
        0xc4, 0x6f, 0x71, 0x6a, 0x25, 0x44, 0xef, 0xfb, 0xf1, 0x72, 0x5e, 0xe3,
        0x07, 0x4a, 0x6b, 0x23, 0xdb, 0xdf, 0x12, 0x48, 0x99, 0x42, 0x65, 0x25,
        0xaa, 0x21, 0x34, 0xf3, 0xbe, 0x1a, 0xde, 0x69, 0x29, 0x08, 0x3b, 0x3d,
        0x19, 0x0e, 0xf4, 0x4b, 0xc4, 0x8e, 0xe6, 0x22, 0xb7, 0x13, 0xbc, 0x0e,
        0xf9, 0xef, 0xde, 0x1c, 0xed, 0x37, 0x4a, 0x9f, 0xe3, 0x42, 0xb3, 0x36,
        0x8d, 0x4f, 0xab, 0xb9, 0x20, 0x38, 0xfb, 0x04, 0x12, 0x85, 0xa7, 0x7a,
        0xe9, 0xaa, 0xa1, 0x3f, 0x02, 0x08, 0x85, 0x69, 0x3b, 0x26, 0x57, 0xe8,
        0xd4, 0xbf, 0x02, 0x66, 0x3d, 0x89, 0xc4, 0x2e, 0x00, 0x4d, 0x34, 0x30,
        0x83, 0x4f, 0xd7, 0x22, 0x48, 0x30, 0x14, 0x5e, 0x39, 0xb5, 0xdb, 0x4b,
        0x73, 0xa8, 0x7e, 0xbe, 0xe0, 0x23, 0x7b, 0xad, 0x7f, 0x13, 0x44, 0xfa,
        0x10, 0x81, 0x62, 0x6b, 0xe9,
};

static const char test_cert_name[] = "O=Example,CN=pcrsim test";
static const char test_cert_serial[] = "5ce65928e6e375e8e3450afca767b9adbc950108";
static const char test_cert_sha256[] =
        "c0b08be090a0a3b409150035194e6e655b11f11f1272da8a86967935977200cd";

/* SHA-256 of "abc" and of the empty string (FIPS 180-4 examples). */
static const char abc_sha256[] =
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty_sha256[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* Writes a GUID given as text in the EFI byte order, in which the first
 * three fields are little-endian. */
static void guid_bytes(const char *text, uint8_t out[16])
{
        static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        unsigned v[16];
        int n;

        n = sscanf(text, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
                   &v[12], &v[13], &v[14], &v[15]);
        cr_assert_eq(n, 16, "invalid GUID text %s", text);
        for (int i = 0; i < 16; i++)
                out[i] = (uint8_t)v[order[i]];
}

static void hex_bytes(const char *hex, uint8_t *out, size_t size)
{
        cr_assert_eq(strlen(hex), 2 * size, "hex %s is not %zu bytes", hex, size);
        for (size_t i = 0; i < size; i++) {
                unsigned v;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1, "invalid hex %s", hex);
                out[i] = (uint8_t)v;
        }
}

static void put_guid(struct lb *b, const char *text)
{
        uint8_t guid[16];

        guid_bytes(text, guid);
        lb_bytes(b, guid, sizeof(guid));
}

static void put_list_header(struct lb *b, const char *type, uint32_t list_size,
                            uint32_t header_size, uint32_t signature_size)
{
        put_guid(b, type);
        lb_u32(b, list_size);
        lb_u32(b, header_size);
        lb_u32(b, signature_size);
}

/* Appends a list without a type-specific header and with `count` entries
 * owned by `owner`, whose data is `data_size` bytes each, taken in turn
 * from `data`. */
static void put_list(struct lb *b, const char *type, const char *owner, const void *data,
                     size_t data_size, size_t count)
{
        uint32_t signature_size = (uint32_t)(OWNER_SIZE + data_size);

        put_list_header(b, type, (uint32_t)(LIST_HEADER_SIZE + count * signature_size), 0,
                        signature_size);
        for (size_t i = 0; i < count; i++) {
                put_guid(b, owner);
                lb_bytes(b, (const uint8_t *)data + i * data_size, data_size);
        }
}

/* Appends a list containing the SHA-256 digests of "abc" and "". */
static void put_sha256_list(struct lb *b)
{
        uint8_t digests[64];

        hex_bytes(abc_sha256, digests, 32);
        hex_bytes(empty_sha256, digests + 32, 32);
        put_list(b, EFI_CERT_SHA256, PLAIN_OWNER, digests, 32, 2);
}

/* Decodes a copy of exactly `size` bytes, so that AddressSanitizer detects
 * any read past the end, and frees the copy before the result is used. */
static json_t *decode_copy(const uint8_t *data, size_t size, struct pcrsim_error *err)
{
        uint8_t *copy = NULL;
        json_t *lists;

        if (size > 0) {
                copy = malloc(size);
                cr_assert_not_null(copy, "out of memory");
                memcpy(copy, data, size);
        }
        pcrsim_error_clear(err);
        lists = pcrsim_signature_lists_decode(copy, size, BASE, err);
        free(copy);
        return lists;
}

static json_t *decode_ok(const struct lb *b)
{
        struct pcrsim_error err;
        json_t *lists = decode_copy(b->data, b->len, &err);

        cr_assert_not_null(lists, "decoding failed: %s", err.message);
        cr_assert(json_is_array(lists), "the result is not a JSON array");
        return lists;
}

static json_t *list_at(json_t *lists, size_t i)
{
        json_t *list = json_array_get(lists, i);

        cr_assert(json_is_object(list), "list %zu is missing", i);
        return list;
}

static json_t *signatures_of(json_t *list)
{
        json_t *signatures = json_object_get(list, "signatures");

        cr_assert(json_is_array(signatures), "the list has no \"signatures\" array");
        return signatures;
}

static json_t *signature_at(json_t *list, size_t i)
{
        json_t *sig = json_array_get(signatures_of(list), i);

        cr_assert(json_is_object(sig), "signature %zu is missing", i);
        return sig;
}

static const char *string_of(json_t *obj, const char *key)
{
        json_t *value = json_object_get(obj, key);

        cr_assert(json_is_string(value), "\"%s\" is missing or not a string", key);
        return json_string_value(value);
}

static json_int_t integer_of(json_t *obj, const char *key)
{
        json_t *value = json_object_get(obj, key);

        cr_assert(json_is_integer(value), "\"%s\" is missing or not an integer", key);
        return json_integer_value(value);
}

Test(siglist, empty_input_empty_array)
{
        static const uint8_t unused[1];
        struct pcrsim_error err;
        json_t *lists;

        pcrsim_error_clear(&err);
        lists = pcrsim_signature_lists_decode(NULL, 0, BASE, &err);
        cr_assert_not_null(lists, "decoding no data failed: %s", err.message);
        cr_expect(json_is_array(lists));
        cr_expect_eq(json_array_size(lists), 0);
        json_decref(lists);

        lists = pcrsim_signature_lists_decode(unused, 0, BASE, &err);
        cr_assert_not_null(lists, "decoding 0 bytes failed: %s", err.message);
        cr_expect_eq(json_array_size(lists), 0);
        json_decref(lists);
}

Test(siglist, x509_certificate)
{
        json_t *lists, *list, *sig;
        struct lb b;

        lb_init(&b);
        put_list(&b, EFI_CERT_X509, MICROSOFT_OWNER, test_cert, sizeof(test_cert), 1);
        lists = decode_ok(&b);
        cr_assert_eq(json_array_size(lists), 1);
        list = list_at(lists, 0);
        cr_expect_str_eq(string_of(list, "type"), "EFI_CERT_X509_GUID");
        cr_expect_eq(integer_of(list, "signature_size"), OWNER_SIZE + sizeof(test_cert));
        cr_assert_eq(json_array_size(signatures_of(list)), 1);

        sig = signature_at(list, 0);
        cr_expect_str_eq(string_of(sig, "owner"), MICROSOFT_OWNER);
        cr_expect_str_eq(string_of(sig, "owner_name"), "MICROSOFT_OWNER");
        cr_expect_str_eq(string_of(sig, "subject"), test_cert_name);
        cr_expect_str_eq(string_of(sig, "issuer"), test_cert_name);
        cr_expect_str_eq(string_of(sig, "serial"), test_cert_serial);
        cr_expect_str_eq(string_of(sig, "sha256"), test_cert_sha256);
        cr_expect_null(json_object_get(sig, "error"));
        cr_expect_null(json_object_get(sig, "der_size"));
        cr_expect_null(json_object_get(sig, "digest"));
        json_decref(lists);
        lb_free(&b);
}

Test(siglist, sha256_two_hashes)
{
        json_t *lists, *list, *sig;
        struct lb b;

        lb_init(&b);
        put_sha256_list(&b);
        lists = decode_ok(&b);
        cr_assert_eq(json_array_size(lists), 1);
        list = list_at(lists, 0);
        cr_expect_str_eq(string_of(list, "type"), "EFI_CERT_SHA256_GUID");
        cr_expect_eq(integer_of(list, "signature_size"), 48);
        cr_assert_eq(json_array_size(signatures_of(list)), 2);

        sig = signature_at(list, 0);
        cr_expect_str_eq(string_of(sig, "owner"), PLAIN_OWNER);
        cr_expect_null(json_object_get(sig, "owner_name"), "an unknown owner got a name");
        cr_expect_str_eq(string_of(sig, "digest"), abc_sha256);
        cr_expect_null(json_object_get(sig, "subject"));
        sig = signature_at(list, 1);
        cr_expect_str_eq(string_of(sig, "digest"), empty_sha256);
        json_decref(lists);
        lb_free(&b);
}

Test(siglist, two_lists_in_a_row)
{
        json_t *lists;
        struct lb b;

        lb_init(&b);
        put_list(&b, EFI_CERT_X509, MICROSOFT_OWNER, test_cert, sizeof(test_cert), 1);
        put_sha256_list(&b);
        lists = decode_ok(&b);
        cr_assert_eq(json_array_size(lists), 2);
        cr_expect_str_eq(string_of(list_at(lists, 0), "type"), "EFI_CERT_X509_GUID");
        cr_expect_str_eq(string_of(signature_at(list_at(lists, 0), 0), "sha256"),
                         test_cert_sha256);
        cr_expect_str_eq(string_of(list_at(lists, 1), "type"), "EFI_CERT_SHA256_GUID");
        cr_expect_eq(json_array_size(signatures_of(list_at(lists, 1))), 2);
        cr_expect_str_eq(string_of(signature_at(list_at(lists, 1), 1), "digest"), empty_sha256);
        json_decref(lists);
        lb_free(&b);
}

Test(siglist, header_skipped_and_empty_list)
{
        uint8_t digest[32];
        json_t *lists, *list;
        struct lb b;

        hex_bytes(abc_sha256, digest, sizeof(digest));
        lb_init(&b);
        /* No entries: the list is its header and an 8-byte SignatureHeader. */
        put_list_header(&b, EFI_CERT_SHA256, LIST_HEADER_SIZE + 8, 8, 48);
        lb_fill(&b, 0xee, 8);
        /* A 4-byte SignatureHeader before one entry. */
        put_list_header(&b, EFI_CERT_SHA256, LIST_HEADER_SIZE + 4 + 48, 4, 48);
        lb_fill(&b, 0xee, 4);
        put_guid(&b, PLAIN_OWNER);
        lb_bytes(&b, digest, sizeof(digest));

        lists = decode_ok(&b);
        cr_assert_eq(json_array_size(lists), 2);
        cr_expect_eq(json_array_size(signatures_of(list_at(lists, 0))), 0);
        list = list_at(lists, 1);
        cr_assert_eq(json_array_size(signatures_of(list)), 1);
        cr_expect_str_eq(string_of(signature_at(list, 0), "owner"), PLAIN_OWNER);
        cr_expect_str_eq(string_of(signature_at(list, 0), "digest"), abc_sha256);
        json_decref(lists);
        lb_free(&b);
}

Test(siglist, unknown_type_data_capped)
{
        enum { DATA_SIZE = 5000, HEX_CAP = 4096 };
        uint8_t *data = malloc(DATA_SIZE);
        json_t *lists, *list, *sig;
        const char *hex;
        struct lb b;

        cr_assert_not_null(data, "out of memory");
        for (size_t i = 0; i < DATA_SIZE; i++)
                data[i] = (uint8_t)i;
        lb_init(&b);
        put_list(&b, UNKNOWN_TYPE, PLAIN_OWNER, data, DATA_SIZE, 1);
        put_list(&b, UNKNOWN_TYPE, PLAIN_OWNER, data, 3, 1);
        lists = decode_ok(&b);
        cr_assert_eq(json_array_size(lists), 2);

        list = list_at(lists, 0);
        cr_expect_str_eq(string_of(list, "type"), UNKNOWN_TYPE);
        sig = signature_at(list, 0);
        hex = string_of(sig, "data");
        cr_expect_eq(strlen(hex), 2 * HEX_CAP, "hex of %zu characters", strlen(hex));
        cr_expect(strncmp(hex, "000102030405", 12) == 0, "hex starts %.12s", hex);
        cr_expect_eq(integer_of(sig, "data_size"), DATA_SIZE);

        sig = signature_at(list_at(lists, 1), 0);
        cr_expect_str_eq(string_of(sig, "data"), "000102");
        cr_expect_eq(integer_of(sig, "data_size"), 3);
        json_decref(lists);
        lb_free(&b);
        free(data);
}

Test(siglist, bad_der_is_not_failure)
{
        static const uint8_t garbage[40] = { 0x30, 0x82, 0x7f, 0xff, 0x01 };
        json_t *lists, *sig;
        struct lb b;

        lb_init(&b);
        put_list(&b, EFI_CERT_X509, PLAIN_OWNER, garbage, sizeof(garbage), 1);
        put_list(&b, EFI_CERT_X509, PLAIN_OWNER, garbage, 0, 1);
        lists = decode_ok(&b);
        cr_assert_eq(json_array_size(lists), 2);

        /* The reasons are OpenSSL 3.0 texts for ASN1_R_TOO_LONG and
         * ASN1_R_TOO_SMALL. */
        sig = signature_at(list_at(lists, 0), 0);
        cr_expect_str_eq(string_of(sig, "owner"), PLAIN_OWNER);
        cr_expect_str_eq(string_of(sig, "error"), "not a DER X.509 certificate (OpenSSL: too long)");
        cr_expect_eq(integer_of(sig, "der_size"), sizeof(garbage));
        cr_expect_null(json_object_get(sig, "subject"));
        cr_expect_null(json_object_get(sig, "sha256"));

        sig = signature_at(list_at(lists, 1), 0);
        cr_expect_str_eq(string_of(sig, "error"), "not a DER X.509 certificate (OpenSSL: too small)");
        cr_expect_eq(integer_of(sig, "der_size"), 0);
        json_decref(lists);
        lb_free(&b);
}

Test(siglist, der_with_trailing_bytes)
{
        uint8_t data[sizeof(test_cert) + 3];
        json_t *lists, *sig;
        struct lb b;

        memcpy(data, test_cert, sizeof(test_cert));
        memset(data + sizeof(test_cert), 0, 3);
        lb_init(&b);
        put_list(&b, EFI_CERT_X509, PLAIN_OWNER, data, sizeof(data), 1);
        lists = decode_ok(&b);

        sig = signature_at(list_at(lists, 0), 0);
        cr_expect_str_eq(string_of(sig, "subject"), test_cert_name);
        cr_expect_str_eq(string_of(sig, "sha256"), test_cert_sha256,
                         "the digest does not cover the certificate alone");
        cr_expect_str_eq(string_of(sig, "error"), "3 bytes follow the 821-byte DER certificate");
        cr_expect_eq(integer_of(sig, "der_size"), sizeof(data));
        json_decref(lists);
        lb_free(&b);
}

Test(siglist, hash_of_wrong_size)
{
        static const uint8_t short_digest[20] = { 0xab, 0xcd };
        json_t *lists, *sig;
        struct lb b;

        lb_init(&b);
        put_list(&b, EFI_CERT_SHA256, PLAIN_OWNER, short_digest, sizeof(short_digest), 1);
        lists = decode_ok(&b);

        sig = signature_at(list_at(lists, 0), 0);
        cr_expect_str_eq(string_of(sig, "error"),
                         "20 bytes of data, but a SHA-256 digest has 32");
        cr_expect_str_eq(string_of(sig, "data"), "abcd000000000000000000000000000000000000");
        cr_expect_eq(integer_of(sig, "data_size"), 20);
        cr_expect_null(json_object_get(sig, "digest"));
        json_decref(lists);
        lb_free(&b);
}

/* A list header with sizes that do not fit, followed by `body_size` bytes. */
struct malformed_case {
        const char *name;
        uint32_t list_size;
        uint32_t header_size;
        uint32_t signature_size;
        size_t body_size;
        unsigned field_offset; /* expected error offset from the list start */
        const char *field;
        /* The message must contain `before`, the list offset in hex and
         * `after`. */
        const char *before;
        const char *after;
};

static const struct malformed_case malformed_cases[] = {
        { "list size 27", 27, 0, 48, 48, 16, "SignatureListSize",
          "SignatureListSize 27 of the signature list at offset ", " is smaller than its 28-byte header" },
        { "list size 0", 0, 0, 48, 48, 16, "SignatureListSize",
          "SignatureListSize 0 of the signature list at offset ", " is smaller than its 28-byte header" },
        { "list size 1 byte past the end", 28 + 48 + 1, 0, 48, 48, 16, "SignatureListSize",
          "SignatureListSize 77 of the signature list at offset ", " runs past the end of the data, which has 76 bytes from the list on" },
        { "list size 0xffffffff", UINT32_MAX, 0, 48, 48, 16, "SignatureListSize",
          "SignatureListSize 4294967295 of the signature list at offset ", " runs past the end" },
        { "signature size 0", 28 + 48, 0, 0, 48, 24, "SignatureSize",
          "SignatureSize 0 of the signature list at offset ", " is smaller than the 16-byte SignatureOwner GUID" },
        { "signature size 15", 28 + 45, 0, 15, 45, 24, "SignatureSize",
          "SignatureSize 15 of the signature list at offset ", " is smaller than the 16-byte SignatureOwner GUID" },
        { "entries not a multiple", 28 + 50, 0, 48, 50, 0, "SignatureSize",
          "signature list at offset ", ": its 50 bytes of entries are not a multiple of SignatureSize 48" },
        { "header and entries not a multiple", 28 + 4 + 48, 3, 48, 52, 0, "SignatureSize",
          "signature list at offset ", ": its 49 bytes of entries are not a multiple of SignatureSize 48" },
        { "header past the list", 28 + 48, 49, 48, 48, 20, "SignatureHeaderSize",
          "SignatureHeaderSize 49 of the signature list at offset ", " runs past the list, which has 48 bytes after its 28-byte header" },
        { "header size 0xffffffff", 28 + 48, UINT32_MAX, 48, 48, 20, "SignatureHeaderSize",
          "SignatureHeaderSize 4294967295 of the signature list at offset ", " runs past the list" },
};

/* Decodes the case as the only list, or after a valid list when
 * `after_valid_list`, and checks the error. */
static void check_malformed(const struct malformed_case *c, bool after_valid_list)
{
        struct pcrsim_error err;
        uint64_t list_offset;
        char expected[256];
        struct lb b;

        lb_init(&b);
        if (after_valid_list)
                put_sha256_list(&b);
        list_offset = BASE + b.len;
        put_list_header(&b, EFI_CERT_SHA256, c->list_size, c->header_size, c->signature_size);
        lb_fill(&b, 0x5a, c->body_size);

        cr_expect_null(decode_copy(b.data, b.len, &err), "%s: decoding succeeded", c->name);
        cr_expect_eq(err.code, PCRSIM_ERR_INVALID, "%s: error code %d", c->name, err.code);
        cr_expect_eq(err.offset, list_offset + c->field_offset,
                     "%s: error offset 0x%" PRIx64 ", expected 0x%" PRIx64, c->name, err.offset,
                     list_offset + c->field_offset);
        cr_expect_str_eq(err.field, c->field, "%s: field %s", c->name, err.field);
        snprintf(expected, sizeof(expected), "%s0x%" PRIx64 "%s", c->before, list_offset,
                 c->after);
        cr_expect(strstr(err.message, expected) != NULL, "%s: message \"%s\", expected \"%s\"",
                  c->name, err.message, expected);
        lb_free(&b);
}

Test(siglist, malformed_lists_rejected)
{
        for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
                check_malformed(&malformed_cases[i], false);
                check_malformed(&malformed_cases[i], true);
        }
}

Test(siglist, short_list_header)
{
        struct pcrsim_error err;
        struct lb b;

        lb_init(&b);
        put_sha256_list(&b);
        put_list_header(&b, EFI_CERT_SHA256, 28, 0, 48);
        cr_expect_null(decode_copy(b.data, b.len - 1, &err), "a 27-byte list header was accepted");
        cr_expect_eq(err.code, PCRSIM_ERR_INVALID);
        cr_expect_eq(err.offset, BASE + 28 + 2 * 48);
        cr_expect_str_eq(err.field, "EFI_SIGNATURE_LIST");
        cr_expect(strstr(err.message, "needs a 28-byte header, but only 27 bytes remain") != NULL,
                  "message: %s", err.message);
        lb_free(&b);
}

/* Three lists (X.509, SHA-256, and an unknown type with a SignatureHeader)
 * and the offsets where each one ends. */
static void build_three_lists(struct lb *b, size_t ends[3])
{
        static const uint8_t other[5] = { 1, 2, 3, 4, 5 };

        lb_init(b);
        put_list(b, EFI_CERT_X509, MICROSOFT_OWNER, test_cert, sizeof(test_cert), 1);
        ends[0] = b->len;
        put_sha256_list(b);
        ends[1] = b->len;
        put_list_header(b, UNKNOWN_TYPE, LIST_HEADER_SIZE + 2 + 2 * (OWNER_SIZE + 5), 2,
                        OWNER_SIZE + 5);
        lb_fill(b, 0xee, 2);
        for (int i = 0; i < 2; i++) {
                put_guid(b, PLAIN_OWNER);
                lb_bytes(b, other, sizeof(other));
        }
        ends[2] = b->len;
}

Test(siglist, truncated_at_every_length)
{
        struct pcrsim_error err;
        size_t ends[3];
        struct lb b;

        build_three_lists(&b, ends);
        for (size_t len = 0; len <= b.len; len++) {
                json_t *lists = decode_copy(b.data, len, &err);
                size_t whole = 0;
                bool boundary = len == 0;

                for (size_t i = 0; i < 3; i++) {
                        if (ends[i] <= len)
                                whole = i + 1;
                        boundary = boundary || ends[i] == len;
                }
                if (boundary) {
                        cr_expect_not_null(lists, "length %zu: decoding failed: %s", len,
                                           err.message);
                        cr_expect_eq(json_array_size(lists), whole,
                                     "length %zu: %zu lists", len, json_array_size(lists));
                } else {
                        cr_expect_null(lists, "length %zu of %zu: decoding succeeded", len, b.len);
                        cr_expect_eq(err.code, PCRSIM_ERR_INVALID, "length %zu: error code %d",
                                     len, err.code);
                        cr_expect(err.offset >= BASE && err.offset <= BASE + len,
                                  "length %zu: error offset 0x%" PRIx64 " outside the data", len,
                                  err.offset);
                        cr_expect(err.message[0] != '\0', "length %zu: empty message", len);
                }
                json_decref(lists);
        }
        lb_free(&b);
}

Test(siglist, changed_bytes_never_crash)
{
        static const uint8_t replacements[] = { 0x00, 0xff, 0x7f, 0x80 };
        struct pcrsim_error err;
        size_t ends[3];
        struct lb b;

        build_three_lists(&b, ends);
        for (size_t pos = 0; pos < b.len; pos++) {
                uint8_t saved = b.data[pos];

                for (size_t k = 0; k < sizeof(replacements); k++) {
                        json_t *lists;

                        b.data[pos] = replacements[k];
                        lists = decode_copy(b.data, b.len, &err);
                        if (lists)
                                cr_expect(json_is_array(lists), "byte %zu set to 0x%02x", pos,
                                          replacements[k]);
                        else
                                cr_expect_eq(err.code, PCRSIM_ERR_INVALID,
                                             "byte %zu set to 0x%02x: error code %d", pos,
                                             replacements[k], err.code);
                        json_decref(lists);
                }
                b.data[pos] = saved;
        }
        lb_free(&b);
}

/* ---- Secure Boot variables of real event logs ---- */

#define EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001u

/* The run over the vector set that this test was written against decoded
 * 196 PK, KEK, db and dbx variables, so fewer means that logs went missing
 * or the event search stopped finding them. */
#define MIN_VARIABLES 196u

/* A certificate whose subject and SHA-256 were read with the openssl
 * command line from the DER bytes in the log, found independently of
 * pcrsim by searching the log for DER SEQUENCE headers. */
struct known_certificate {
        const char *vector;
        const char *variable;
        size_t list; /* index of the list whose first entry is checked */
        const char *subject;
        const char *sha256;
};

static const struct known_certificate known_certificates[] = {
        { "qemu-ovmf-shim-grub-sb-ms", "PK", 0,
          "emailAddress=debian-devel@lists.debian.org,CN=Debian UEFI Secure Boot (PK/KEK key),O=Debian",
          "5fb05ed84c5170d542ed6a7b7487dd57b8faedb02f7e107b0409e1d22cac4169" },
        { "qemu-ovmf-shim-grub-sb-ms", "KEK", 1,
          "CN=Microsoft Corporation KEK CA 2011,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US",
          "a1117f516a32cefcba3f2d1ace10a87972fd6bbe8fe0d0b996e09e65d802a503" },
        { "qemu-ovmf-shim-grub-sb-ms", "db", 0,
          "CN=Microsoft Windows Production PCA 2011,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US",
          "e8e95f0733a55e8bad7be0a1413ee23c51fcea64b3c8fa6a786935fddcc71961" },
        { "qemu-ovmf-shim-grub-sb-ms", "db", 1,
          "CN=Microsoft Corporation UEFI CA 2011,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US",
          "48e99b991f57fc52f76149599bff0a58c47154229b9f8d603ac40d3500248507" },
        { "qemu-ovmf-uki-sb-snakeoil", "PK", 0, "O=SnakeOil,L=Fort Collins,ST=Colorado,C=US",
          "282e8130b7070f107aaecc25d3992ca4440270860b09088792a5075fab0d13f8" },
        { "qemu-ovmf-uki-sb-snakeoil", "KEK", 0, "O=SnakeOil,L=Fort Collins,ST=Colorado,C=US",
          "282e8130b7070f107aaecc25d3992ca4440270860b09088792a5075fab0d13f8" },
        { "qemu-ovmf-uki-sb-snakeoil", "db", 0, "O=SnakeOil,L=Fort Collins,ST=Colorado,C=US",
          "282e8130b7070f107aaecc25d3992ca4440270860b09088792a5075fab0d13f8" },
};

#define KNOWN_COUNT (sizeof(known_certificates) / sizeof(known_certificates[0]))

struct variable_tally {
        unsigned logs;
        unsigned variables;
        unsigned empty;
        unsigned lists;
        bool known_seen[KNOWN_COUNT];
};

/* VariableData of an EV_EFI_VARIABLE_* event and its name in ASCII, with
 * '?' for characters outside ASCII. */
struct uefi_variable {
        char name[32];
        const uint8_t *data;
        size_t size;
        uint64_t offset;
};

/*
 * Splits UEFI_VARIABLE_DATA (TCG PC Client Platform Firmware Profile):
 * VariableName GUID, UnicodeNameLength and VariableDataLength as 64-bit
 * integers, UnicodeName in UTF-16LE, then VariableData.
 */
static enum pcrsim_error_code split_variable(const struct pcrsim_event *ev,
                                             struct uefi_variable *var,
                                             struct pcrsim_error *err)
{
        uint64_t name_length, data_length;
        struct pcrsim_reader r;
        enum pcrsim_error_code rc;

        memset(var, 0, sizeof(*var));
        pcrsim_reader_init(&r, ev->data, ev->data_size, ev->data_offset);
        rc = pcrsim_reader_skip(&r, 16, "VariableName", err);
        if (!rc)
                rc = pcrsim_reader_le64(&r, &name_length, "UnicodeNameLength", err);
        if (!rc)
                rc = pcrsim_reader_le64(&r, &data_length, "VariableDataLength", err);
        if (rc)
                return rc;
        if (name_length > pcrsim_reader_remaining(&r) / 2)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&r),
                                        "UnicodeNameLength", "UnicodeNameLength %" PRIu64 " runs past the event data",
                                        name_length);
        for (uint64_t i = 0; i < name_length; i++) {
                uint16_t c;

                rc = pcrsim_reader_le16(&r, &c, "UnicodeName", err);
                if (rc)
                        return rc;
                if (i < sizeof(var->name) - 1)
                        var->name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        if (data_length != pcrsim_reader_remaining(&r))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, pcrsim_reader_offset(&r),
                                        "VariableDataLength", "VariableDataLength %" PRIu64 " disagrees with the %zu bytes left in the event data",
                                        data_length, pcrsim_reader_remaining(&r));
        var->offset = pcrsim_reader_offset(&r);
        var->size = pcrsim_reader_remaining(&r);
        return pcrsim_reader_bytes(&r, var->size, &var->data, "VariableData", err);
}

static bool is_signature_database(const char *name)
{
        return strcmp(name, "PK") == 0 || strcmp(name, "KEK") == 0 || strcmp(name, "db") == 0 ||
               strcmp(name, "dbx") == 0;
}

static void check_known_certificates(const char *vector, const char *variable, json_t *lists,
                                     struct variable_tally *tally)
{
        for (size_t i = 0; i < KNOWN_COUNT; i++) {
                const struct known_certificate *k = &known_certificates[i];
                json_t *sig;

                if (strcmp(k->vector, vector) != 0 || strcmp(k->variable, variable) != 0)
                        continue;
                tally->known_seen[i] = true;
                cr_assert_gt(json_array_size(lists), k->list, "%s %s: list %zu is missing",
                             vector, variable, k->list);
                sig = signature_at(list_at(lists, k->list), 0);
                cr_expect_str_eq(string_of(sig, "subject"), k->subject, "%s %s list %zu",
                                 vector, variable, k->list);
                cr_expect_str_eq(string_of(sig, "sha256"), k->sha256, "%s %s list %zu", vector,
                                 variable, k->list);
        }
}

/* Decodes every PK, KEK, db and dbx variable of the event log at `path`. */
static void check_log_variables(const char *vector, const char *path,
                                struct variable_tally *tally)
{
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        struct pcrsim_event ev;
        enum pcrsim_error_code rc;
        bool have_event = true;
        char message[512];
        size_t size;
        char *data = tu_read_file(path, &size);

        cr_assert_not_null(data, "%s: cannot read %s: %s", vector, path, strerror(errno));
        pcrsim_error_clear(&err);
        rc = pcrsim_tcglog_open_memory(data, size, &log, &err);
        while (rc == PCRSIM_OK && have_event) {
                struct uefi_variable var;
                json_t *lists;

                rc = pcrsim_tcglog_next(log, &ev, &have_event, &err);
                if (rc || !have_event || ev.type != EV_EFI_VARIABLE_DRIVER_CONFIG)
                        continue;
                rc = split_variable(&ev, &var, &err);
                if (rc || !is_signature_database(var.name))
                        continue;
                lists = pcrsim_signature_lists_decode(var.data, var.size, var.offset, &err);
                if (!lists) {
                        pcrsim_error_format(&err, path, message, sizeof(message));
                        cr_expect_fail("%s: variable %s of event %" PRIu64 ": %s", vector,
                                       var.name, ev.index, message);
                        continue;
                }
                tally->variables++;
                tally->empty += var.size == 0;
                tally->lists += (unsigned)json_array_size(lists);
                cr_expect_eq(var.size == 0, json_array_size(lists) == 0,
                             "%s: variable %s of event %" PRIu64 " has %zu bytes but %zu lists",
                             vector, var.name, ev.index, var.size, json_array_size(lists));
                check_known_certificates(vector, var.name, lists, tally);
                json_decref(lists);
        }
        if (rc) {
                pcrsim_error_format(&err, path, message, sizeof(message));
                cr_expect_fail("%s: reading the event log failed: %s", vector, message);
        }
        pcrsim_tcglog_free(log);
        free(data);
        tally->logs++;
}

Test(siglist_vectors, secure_boot_variables_decode)
{
        const char *root = tu_shared_vectors();
        struct variable_tally tally = { 0 };
        char **names = NULL;
        long count;

        if (!root) {
                const char *env = getenv("PCRSIM_SHARED_VECTORS");

                if (env)
                        fprintf(stderr, "signature lists: folder %s (PCRSIM_SHARED_VECTORS) not found, so the test is skipped\n",
                                env);
                else
                        fprintf(stderr, "signature lists: ../shared/vectors is absent next to the source tree %s, so the test is skipped (set PCRSIM_SHARED_VECTORS to use another folder)\n",
                                tu_source_root());
                cr_skip_test("the shared vector folder is absent");
        }
        count = manifest_list_vectors(root, &names);
        cr_assert_geq(count, 0, "cannot read the shared vector folder %s: %s", root,
                      strerror(errno));
        for (long i = 0; i < count; i++) {
                char *dir = tu_path_join(root, names[i]);
                struct manifest m;
                char error[512];

                cr_assert_not_null(dir, "out of memory");
                if (!manifest_load(dir, &m, error, sizeof(error))) {
                        cr_expect_fail("%s", error);
                        free(dir);
                        continue;
                }
                for (size_t f = 0; f < m.file_count; f++) {
                        char *path;

                        if (!manifest_format_is_tcg_log(m.files[f].format) ||
                            m.files[f].expect_error)
                                continue;
                        path = tu_path_join(m.dir, m.files[f].name);
                        cr_assert_not_null(path, "out of memory");
                        check_log_variables(m.name, path, &tally);
                        free(path);
                }
                manifest_free(&m);
                free(dir);
        }
        manifest_free_names(names, count);

        fprintf(stderr, "signature lists: %u PK, KEK, db and dbx variables in %u event logs decoded into %u lists; %u variables are empty\n",
                tally.variables, tally.logs, tally.lists, tally.empty);
        cr_expect_geq(tally.variables, MIN_VARIABLES, "only %u variables found", tally.variables);
        for (size_t i = 0; i < KNOWN_COUNT; i++)
                cr_expect(tally.known_seen[i], "%s: variable %s not found",
                          known_certificates[i].vector, known_certificates[i].variable);
}
