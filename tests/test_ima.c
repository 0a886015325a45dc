/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IMA list reader and replay tests on lists built byte by byte in memory.
 *
 * The layout follows the kernel's binary_runtime_measurements. Each entry
 * is a u32 PCR index, the template digest, a u32 template name length and
 * the name, then a u32 template data length and the template data. Every
 * u32 is in the byte order of the kernel that wrote the list. The legacy
 * "ima" template has no template data length: the 20-byte file digest
 * follows the name, then a u32 file name length and the file name without
 * its NUL.
 *
 * Every digest and PCR value below was computed with Python's hashlib by
 * tests/tools/ima-known-answers.py, which builds the same bytes with
 * struct.pack:
 *   template digest = sha1(template data), or for "ima"
 *                     sha1(file digest || file name zero-padded to 256)
 *   per-bank rule:    PCR = H(PCR || H(template data)), violations 0xff * size
 *   SHA-1 padded:     PCR = H(PCR || sha1(template data) || zeros),
 *                     violations 0xff * 20 || zeros
 * with PCR 10 starting at zero.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "logbuilder.h"
#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/replay.h"
#include "pcrsim/tcglog.h"

#define IMA_PCR 10u
#define EV_EFI_ACTION 0x80000007u

/* Field offsets inside an entry with a 20-byte template digest. */
#define ENTRY_NAME_LENGTH 24u
#define ENTRY_NAME 28u

/* Template digests of the entries: sha1 of the little-endian template
 * data, unless the constant's name contains "big" or "sha256". */
static const char boot_sha1[] = "4c68b17f29b5b18e86b4cdfc8cce464b3053c558";
static const char boot_sha256[] = "f68a3cf2158858375e26c6688fdbb941448d07926c0f8ae694c13286bbc1a515";
static const char sh_sha1[] = "7e254fbaa9d38c2bdea89f7ec7ec8380da8da6cd";
static const char sh_sha256[] = "baa6257947b08303c76458089f84d73016ff6b510eab3dbc2f41decea08fe247";
static const char passwd_sha1[] = "88846cab0976ee1f0ae4c10d2db918f1c6d5e0d4";
static const char boot_big_sha1[] = "950629cbac1901d42b2a840fb113223d0e1bc611";
static const char sh_big_sha1[] = "8cb9df25e5b3a00d9a317e20dcccf109bd21da39";
static const char passwd_big_sha1[] = "39a38847fc199b14f20358ff0e1ec166c69a8cc7";
static const char true_legacy_sha1[] = "87bf68a9b62c958869bf6990f5d6ebf63565fcd3";
static const char false_legacy_sha1[] = "83a5f6f48631098c4a7da31a85ab1ca71ad175d7";
static const char foo_sha1[] = "e9b9f5293a0b965732e5266ed1c644bed7a0fb34";
static const char ls_sig_sha1[] = "773d7a237744a79b8098a94d715fa4d41360122b";
static const char cat_sig_sha1[] = "7181c34b1bac540dcaa8368064e49b02999752ee";
static const char buf_sha1[] = "a6d7bb18af0648ecc2ccbbcb2919475ad0ed5734";
static const char zero_sha1[] = "0000000000000000000000000000000000000000";

/* sha256("6.1.0"), the d-ng digest of the ima-buf entry. */
static const char kernel_version_sha256[] =
        "95daeef1bfc6c23cb7ed2b7a0a8d6b2498eb63185d3d7a8b409908af330da4ef";

/* PCR 10 of the three-entry list [boot_aggregate, /bin/sh, /etc/passwd]. */
static const char three_sha1[] = "9082d4882e6b5948fdebb9961184f0b59ff8e0fc";
static const char three_sha256[] =
        "6bcdb3e4f6cf2cb4c717b3f0d3704e90f18de692cfb6c41d3d72d4fc52326ad4";
static const char three_sha256_padded[] =
        "23264eb364267b8660350bc4a0131073aeea3acdd30b436693033e24d9a3eb53";
/* The same after its first two entries. */
static const char two_sha1[] = "d66ea275b7bb02e99f673603392219eaa170b177";
static const char two_sha256[] =
        "2c23135696fc04b6dadf05aa3765ac7916a206d6762fb191d631e86f8c0c72f8";
/* The three-entry list written by a big-endian kernel. */
static const char three_big_sha1[] = "4ea7dd193abdb3da43c6052b238af7c30a5c10c7";
static const char three_big_sha256[] =
        "067d16b4d6ddea2cfe9915dd9795fb650d1e4d33a9101ef4a35cd0c38350cc0a";
/* The legacy list ["/usr/bin/true", "/usr/bin/false"], either byte order. */
static const char legacy_sha1[] = "8ab7bf643aec8a947fed2bb083f3307e5a5ca58c";
static const char legacy_sha256[] =
        "6570c509d4a38f29b06cd9eb55ce31cd852071f71ee4ff4da2ac74c7ce963bd1";
/* [boot_aggregate, violation]. Under SHA-1 both rules agree. */
static const char violation_sha1[] = "fa1931cd0847ed112156b1faaa1a19e6f28737a7";
static const char violation_sha256[] =
        "fa6775a94350de2b7b08cb29f5ebf218e80148c582c80c061ffde5e6ba757520";
static const char violation_sha256_padded[] =
        "1fcbbdd8cd3531c3a09a1e0ae61e0ed3ef2afe19c5491d07d17524bf6a6ebc19";
/* ["d-ng|n-ng" /bin/sh, "foo" with raw data]. */
static const char custom_foo_sha1[] = "189e6cc4a62dd31afe898b46e88816dcab760f04";
static const char custom_foo_sha256[] =
        "863d7f95a53abd14332e49e3d8444ec236f26649d703b3e7d4574dadcff279f3";
/* The ASCII list [ima, ima-ng, ima-sig, ima-sig without signature, ima-buf]. */
static const char kinds_sha1[] = "53997e37494792b6f2b6aba8c1770d49fea63a09";
static const char kinds_sha256[] =
        "f1e32439d907b696278c4879a425f6ada26bb7b205ff4271ebd8566d9f525be8";

/*
 * boot_aggregate over a firmware log with one EV_EFI_ACTION event in each
 * of PCRs 0-9, whose digests are the byte i + 1 repeated, so PCR i is
 * H(zeros || (i + 1) * size). Template digests are sha1 of the ima-ng
 * template data with the name "boot_aggregate".
 */
static const char aggregate_0_9[] =
        "8e863f325c776a6419a00fef0fba9189201206a5c66331296feaca96bb212def";
static const char aggregate_0_7[] =
        "5623d876168dcc7ddc9d4a8b85ddf27637aab440b1a1a0dfd2797d46a0d36ca0";
static const char aggregate_sha1_0_7[] = "97268cb4a32dfaa86bb79fe784bee99c785be514";
static const char aggregate_0_9_entry_sha1[] = "5a6e5292bb31efcb8f289c7f723b4b3e768515e9";
static const char aggregate_0_7_entry_sha1[] = "705ae3bc3650aafd55665da2d884c21cbaf48d4e";
static const char aggregate_zero_entry_sha1[] = "0adefe762c149c7cec19da62f0da1297fcfbffff";
static const char aggregate_wrong_entry_sha1[] = "61bc97c983ac20fe880a2bd33e087f50f99a725b";
static const char aggregate_legacy_entry_sha1[] = "4ec52a101bf68f8a8afbc8204c3aabe945de1d16";
/* PCR 10 after [boot_aggregate over 0-9, /bin/sh] in the sha256 bank. */
static const char aggregate_then_sh_sha256[] =
        "bb32042c48515000389fbe9248852c97951d25903631685f3ba70ec901b925fa";

static const char foo_data[] = "not a field list";

/* ---- building lists ---- */

static void put_u32(struct lb *b, uint32_t v, bool big)
{
        uint8_t p[4];

        if (big) {
                p[0] = (uint8_t)(v >> 24);
                p[1] = (uint8_t)(v >> 16);
                p[2] = (uint8_t)(v >> 8);
                p[3] = (uint8_t)v;
        } else {
                p[0] = (uint8_t)v;
                p[1] = (uint8_t)(v >> 8);
                p[2] = (uint8_t)(v >> 16);
                p[3] = (uint8_t)(v >> 24);
        }
        lb_bytes(b, p, 4);
}

static void put_field(struct lb *b, const void *data, size_t size, bool big)
{
        put_u32(b, (uint32_t)size, big);
        lb_bytes(b, data, size);
}

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
        size_t n = strlen(hex) / 2;

        cr_assert_leq(n, cap, "hex constant '%s' is longer than %zu bytes", hex, cap);
        for (size_t i = 0; i < n; i++) {
                unsigned v;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1, "invalid hex constant '%s'", hex);
                out[i] = (uint8_t)v;
        }
        return n;
}

static void bytes_to_hex(const uint8_t *bytes, size_t size, char *out)
{
        for (size_t i = 0; i < size; i++)
                snprintf(out + 2 * i, 3, "%02x", bytes[i]);
        out[2 * size] = '\0';
}

/* Appends a d-ng field "sha256:" NUL digest, where `digest_hex` is NULL
 * for 32 bytes of `fill`. */
static void put_dng(struct lb *d, const char *digest_hex, uint8_t fill, bool big)
{
        uint8_t field[7 + 1 + 32];

        memcpy(field, "sha256:", 7);
        field[7] = '\0';
        if (digest_hex)
                hex_to_bytes(digest_hex, field + 8, 32);
        else
                memset(field + 8, fill, 32);
        put_field(d, field, sizeof(field), big);
}

/* Appends an n-ng field: the name and its NUL. */
static void put_nng(struct lb *d, const char *name, bool big)
{
        put_field(d, name, strlen(name) + 1, big);
}

/* Writes the ima-ng template data of a file whose sha256 digest is 32
 * bytes of `fill`. */
static void ng_data(struct lb *d, uint8_t fill, const char *name, bool big)
{
        lb_init(d);
        put_dng(d, NULL, fill, big);
        put_nng(d, name, big);
}

static void put_entry(struct lb *b, bool big, uint32_t pcr, const char *digest_hex,
                      const char *template_name, const void *data, size_t size)
{
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        size_t n = hex_to_bytes(digest_hex, digest, sizeof(digest));

        put_u32(b, pcr, big);
        lb_bytes(b, digest, n);
        put_field(b, template_name, strlen(template_name), big);
        put_field(b, data, size, big);
}

static void put_ng_entry(struct lb *b, bool big, const char *digest_hex, uint8_t fill,
                         const char *name)
{
        struct lb d;

        ng_data(&d, fill, name, big);
        put_entry(b, big, IMA_PCR, digest_hex, "ima-ng", d.data, d.len);
        lb_free(&d);
}

/* Appends a legacy "ima" entry for a file whose SHA-1 digest is `digest`. */
static void put_legacy_entry(struct lb *b, bool big, const char *template_digest_hex,
                             const uint8_t digest[20], const char *name)
{
        uint8_t template_digest[20];

        hex_to_bytes(template_digest_hex, template_digest, sizeof(template_digest));
        put_u32(b, IMA_PCR, big);
        lb_bytes(b, template_digest, sizeof(template_digest));
        put_field(b, "ima", 3, big);
        lb_bytes(b, digest, 20);
        put_field(b, name, strlen(name), big);
}

static void put_legacy_fill_entry(struct lb *b, bool big, const char *template_digest_hex,
                                  uint8_t fill, const char *name)
{
        uint8_t digest[20];

        memset(digest, fill, sizeof(digest));
        put_legacy_entry(b, big, template_digest_hex, digest, name);
}

/* Writes the list [boot_aggregate, /bin/sh, /etc/passwd] with SHA-1
 * template digests. `offsets` receives the start of each entry and the end. */
static void three_entry_list(struct lb *b, bool big, size_t offsets[4])
{
        lb_init(b);
        offsets[0] = b->len;
        put_ng_entry(b, big, big ? boot_big_sha1 : boot_sha1, 0x11, "boot_aggregate");
        offsets[1] = b->len;
        put_ng_entry(b, big, big ? sh_big_sha1 : sh_sha1, 0x22, "/bin/sh");
        offsets[2] = b->len;
        put_ng_entry(b, big, big ? passwd_big_sha1 : passwd_sha1, 0x33, "/etc/passwd");
        offsets[3] = b->len;
}

static void legacy_list(struct lb *b, bool big)
{
        lb_init(b);
        put_legacy_fill_entry(b, big, true_legacy_sha1, 0x44, "/usr/bin/true");
        put_legacy_fill_entry(b, big, false_legacy_sha1, 0x45, "/usr/bin/false");
}

static void text_append(struct lb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_append(struct lb *b, const char *fmt, ...)
{
        char line[1024];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        cr_assert(n > 0 && (size_t)n < sizeof(line), "ASCII line too long");
        lb_bytes(b, line, (size_t)n);
}

/* Returns `byte_hex` repeated `count` times in a static buffer. */
static const char *repeat_hex(const char *byte_hex, size_t count)
{
        static char out[2 * PCRSIM_MAX_DIGEST_SIZE + 1];

        cr_assert_leq(count, PCRSIM_MAX_DIGEST_SIZE);
        for (size_t i = 0; i < count; i++)
                memcpy(out + 2 * i, byte_hex, 2);
        out[2 * count] = '\0';
        return out;
}

/* ---- walking and replaying ---- */

static struct pcrsim_ima_list *open_ok(const struct lb *b, const struct pcrsim_ima_options *opts)
{
        struct pcrsim_ima_options defaults = { 0 };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_ima_list_open_memory(b->data, b->len, opts ? opts : &defaults,
                                                 &list, &err),
                     PCRSIM_OK, "opening the list failed: %s", err.message);
        cr_assert_not_null(list);
        return list;
}

static void next_ok(struct pcrsim_ima_list *list, struct pcrsim_ima_entry *entry)
{
        struct pcrsim_error err;
        bool have = false;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_ima_list_next(list, entry, &have, &err), PCRSIM_OK,
                     "reading an entry failed at offset %llu: %s",
                     (unsigned long long)err.offset, err.message);
        cr_assert(have, "the list ended early");
}

static void expect_end(struct pcrsim_ima_list *list)
{
        struct pcrsim_ima_entry entry;
        struct pcrsim_error err;
        bool have = true;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_ima_list_next(list, &entry, &have, &err), PCRSIM_OK,
                     "reading past the last entry failed: %s", err.message);
        cr_expect(!have, "an entry after the last one");
}

static void replay_options(struct pcrsim_ima_replay_options *opts,
                           enum pcrsim_ima_extend_rule rule)
{
        memset(opts, 0, sizeof(*opts));
        opts->rule = rule;
        opts->bank_count = 2;
        opts->banks[0] = LB_SHA1;
        opts->banks[1] = LB_SHA256;
}

/* Opens and replays a list, returning the first failure. */
static enum pcrsim_error_code replay_list(const struct lb *b, const struct pcrsim_ima_options *lopts,
                                          const struct pcrsim_ima_replay_options *ropts,
                                          struct pcrsim_ima_replay *out, struct pcrsim_error *err)
{
        struct pcrsim_ima_options defaults = { 0 };
        struct pcrsim_ima_list *list = NULL;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(err);
        rc = pcrsim_ima_list_open_memory(b->data, b->len, lopts ? lopts : &defaults, &list, err);
        if (rc == PCRSIM_OK)
                rc = pcrsim_replay_ima(list, ropts, out, err);
        pcrsim_ima_list_free(list);
        return rc;
}

static struct pcrsim_ima_replay *replay_ok(const struct lb *b, const struct pcrsim_ima_options *lopts,
                                           const struct pcrsim_ima_replay_options *ropts)
{
        struct pcrsim_ima_replay *r = calloc(1, sizeof(*r));
        struct pcrsim_error err;
        char message[512];
        enum pcrsim_error_code rc;

        cr_assert_not_null(r);
        rc = replay_list(b, lopts, ropts, r, &err);
        pcrsim_error_format(&err, "list", message, sizeof(message));
        cr_assert_eq(rc, PCRSIM_OK, "replay failed: %s", message);
        return r;
}

static struct pcrsim_ima_replay *replay_rule_ok(const struct lb *b, enum pcrsim_ima_extend_rule rule)
{
        struct pcrsim_ima_replay_options opts;

        replay_options(&opts, rule);
        return replay_ok(b, NULL, &opts);
}

/* Fails unless the replay failed with one of `codes` (terminated by
 * PCRSIM_OK) at an offset in [low, high]. */
static void expect_failure(const struct lb *b, const struct pcrsim_ima_options *lopts,
                           const enum pcrsim_error_code *codes, uint64_t low, uint64_t high,
                           struct pcrsim_error *err)
{
        struct pcrsim_ima_replay *r = calloc(1, sizeof(*r));
        struct pcrsim_ima_replay_options ropts;
        enum pcrsim_error_code rc;
        char message[512];
        bool listed = false;

        cr_assert_not_null(r);
        replay_options(&ropts, PCRSIM_IMA_EXTEND_AUTO);
        rc = replay_list(b, lopts, &ropts, r, err);
        pcrsim_error_format(err, "list", message, sizeof(message));
        for (size_t i = 0; codes[i] != PCRSIM_OK; i++)
                listed = listed || rc == codes[i];
        cr_expect(listed, "replay returned %s (%d): %s", pcrsim_error_code_name(rc), (int)rc,
                  message);
        cr_expect_eq(err->code, rc, "err.code %d differs from the returned code %d",
                     (int)err->code, (int)rc);
        cr_expect(err->offset >= low && err->offset <= high,
                  "error offset %llu is outside [%llu, %llu]: %s",
                  (unsigned long long)err->offset, (unsigned long long)low,
                  (unsigned long long)high, message);
        free(r);
}

static void expect_hex(const uint8_t *value, size_t size, const char *hex, const char *label)
{
        char got[2 * PCRSIM_MAX_DIGEST_SIZE + 1];

        cr_assert_not_null(value, "%s: no value", label);
        bytes_to_hex(value, size, got);
        cr_expect_str_eq(got, hex, "%s: got %s, expected %s", label, got, hex);
}

/* Checks PCR 10 of `alg` under the rule that the replay chose. */
static void expect_pcr10(const struct pcrsim_ima_replay *r, uint16_t alg, const char *hex)
{
        const struct pcrsim_ima_bank *bank = pcrsim_ima_replay_bank(r, alg);
        char label[64];

        cr_assert_not_null(bank, "no bank 0x%04x in the replay", alg);
        snprintf(label, sizeof(label), "PCR 10 of bank 0x%04x", alg);
        expect_hex(pcrsim_ima_replay_value(r, bank, IMA_PCR), bank->size, hex, label);
}

/* Checks PCR 10 of `alg` as computed under rule index 0 (per bank) or 1
 * (SHA-1 padded). */
static void expect_rule_value(const struct pcrsim_ima_replay *r, uint16_t alg, int rule,
                              const char *hex)
{
        const struct pcrsim_ima_bank *bank = pcrsim_ima_replay_bank(r, alg);
        char label[80];

        cr_assert_not_null(bank, "no bank 0x%04x in the replay", alg);
        snprintf(label, sizeof(label), "PCR 10 of bank 0x%04x under %s", alg,
                 rule ? "the SHA-1 padded rule" : "the per-bank rule");
        expect_hex(bank->values[rule][IMA_PCR], bank->size, hex, label);
}

static void expect_digest_field(const struct pcrsim_ima_field *field, const char *algo,
                                uint8_t fill)
{
        uint8_t expected[32];
        const uint8_t *digest = NULL;
        uint32_t size = 0;
        char name[16];

        memset(expected, fill, sizeof(expected));
        cr_assert(pcrsim_ima_digest_field(field, name, sizeof(name), &digest, &size),
                  "the %s field does not decode as a digest", field->id);
        cr_expect_str_eq(name, algo);
        cr_assert_eq(size, 32);
        cr_expect_arr_eq(digest, expected, 32);
}

static void expect_name_field(const struct pcrsim_ima_field *field, const char *name)
{
        cr_expect_str_eq(field->id, "n-ng");
        cr_assert_eq(field->size, strlen(name) + 1, "n-ng field of %u bytes, expected %zu",
                     field->size, strlen(name) + 1);
        cr_expect_arr_eq(field->data, name, strlen(name) + 1);
}

static void expect_ng_entry(const struct pcrsim_ima_entry *e, uint8_t fill, const char *name)
{
        cr_expect_eq(e->pcr, IMA_PCR);
        cr_expect_str_eq(e->template_name, "ima-ng");
        cr_expect(!e->legacy_ima);
        cr_expect(!e->unknown_template);
        cr_expect_str_eq(e->field_error, "");
        cr_assert_eq(e->field_count, 2);
        cr_expect_str_eq(e->fields[0].id, "d-ng");
        expect_digest_field(&e->fields[0], "sha256", fill);
        expect_name_field(&e->fields[1], name);
}

/* ---- binary lists ---- */

Test(ima_binary, ima_ng_entries_decode)
{
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_entry e;
        size_t offsets[4];
        struct lb b;
        struct lb data;

        three_entry_list(&b, false, offsets);
        list = open_ok(&b, NULL);
        next_ok(list, &e);
        cr_expect_eq(e.index, 0);
        cr_expect_eq(e.offset, 0);
        cr_assert_eq(e.digest_size, 20);
        expect_hex(e.digest, 20, boot_sha1, "template digest of entry 0");
        expect_ng_entry(&e, 0x11, "boot_aggregate");
        ng_data(&data, 0x11, "boot_aggregate", false);
        cr_assert_eq(e.data_size, data.len);
        cr_expect_arr_eq(e.data, data.data, data.len);
        lb_free(&data);

        next_ok(list, &e);
        cr_expect_eq(e.index, 1);
        cr_expect_eq(e.offset, offsets[1]);
        expect_ng_entry(&e, 0x22, "/bin/sh");
        next_ok(list, &e);
        cr_expect_eq(e.index, 2);
        cr_expect_eq(e.offset, offsets[2]);
        expect_ng_entry(&e, 0x33, "/etc/passwd");
        expect_end(list);

        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.format, PCRSIM_IMA_BINARY);
        cr_expect_eq(info.digest_alg, LB_SHA1);
        cr_expect(info.digest_alg_detected);
        cr_expect_eq(info.byte_order, PCRSIM_BYTE_ORDER_LITTLE);
        cr_expect(info.byte_order_detected);
        pcrsim_ima_list_free(list);
        lb_free(&b);
}

Test(ima_binary, ima_ng_replay_values)
{
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, false, offsets);
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->entry_count, 3);
        cr_expect_eq(r->pcr_mask, 1u << IMA_PCR);
        cr_expect_eq(r->extend_count[IMA_PCR], 3);
        cr_expect_eq(r->digest_mismatches, 0);
        cr_expect_eq(r->violations, 0);
        cr_expect_eq(r->unknown_templates, 0);
        cr_expect_eq(r->field_errors, 0);
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->rule_reason, PCRSIM_IMA_RULE_GIVEN);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_NOT_CHECKED);
        expect_pcr10(r, LB_SHA1, three_sha1);
        expect_pcr10(r, LB_SHA256, three_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_binary, flipped_data_byte_mismatch)
{
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, false, offsets);
        /* The last byte of entry 1's file digest, inside its d-ng field,
         * so the fields still decode. */
        b.data[offsets[1] + 4 + 20 + 4 + 6 + 4 + 4 + 39] ^= 0x01;
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->digest_mismatches, 1);
        cr_expect_eq(r->first_digest_mismatch, 1);
        cr_expect_eq(r->field_errors, 0);
        free(r);
        lb_free(&b);
}

Test(ima_binary, legacy_ima_template)
{
        struct pcrsim_ima_replay *r;
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_entry e;
        uint8_t blob[20 + 256];
        struct lb b;

        legacy_list(&b, false);
        list = open_ok(&b, NULL);
        next_ok(list, &e);
        cr_expect_str_eq(e.template_name, "ima");
        cr_expect(e.legacy_ima);
        cr_expect(!e.unknown_template);
        expect_hex(e.digest, e.digest_size, true_legacy_sha1, "template digest");
        /* The data is what the kernel hashes: digest, name padded to 256. */
        memset(blob, 0, sizeof(blob));
        memset(blob, 0x44, 20);
        memcpy(blob + 20, "/usr/bin/true", strlen("/usr/bin/true"));
        cr_assert_eq(e.data_size, sizeof(blob));
        cr_expect_arr_eq(e.data, blob, sizeof(blob));
        next_ok(list, &e);
        cr_expect_eq(e.offset, 4 + 20 + 4 + 3 + 20 + 4 + strlen("/usr/bin/true"),
                     "the second entry starts at %llu", (unsigned long long)e.offset);
        expect_end(list);
        pcrsim_ima_list_free(list);

        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->digest_mismatches, 0);
        expect_pcr10(r, LB_SHA1, legacy_sha1);
        expect_pcr10(r, LB_SHA256, legacy_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_binary, template_field_lists)
{
        cr_expect_str_eq(pcrsim_ima_template_fields("ima-ng"), "d-ng|n-ng");
        cr_expect_str_eq(pcrsim_ima_template_fields("ima-sig"), "d-ng|n-ng|sig");
        cr_expect_str_eq(pcrsim_ima_template_fields("ima-buf"), "d-ng|n-ng|buf");
        cr_expect_str_eq(pcrsim_ima_template_fields("d-ng|n-ng"), "d-ng|n-ng");
        cr_expect_null(pcrsim_ima_template_fields("foo"));
}

/* ---- byte order ---- */

Test(ima_byte_order, big_endian_detected)
{
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_replay *r;
        struct pcrsim_ima_entry e;
        size_t offsets[4];
        struct lb b;

        /* A big-endian kernel writes every length in its own byte order,
         * including the field lengths inside the template data, and hashes
         * the template data in that form. */
        three_entry_list(&b, true, offsets);
        list = open_ok(&b, NULL);
        next_ok(list, &e);
        expect_ng_entry(&e, 0x11, "boot_aggregate");
        next_ok(list, &e);
        cr_expect_eq(e.offset, offsets[1]);
        expect_ng_entry(&e, 0x22, "/bin/sh");
        next_ok(list, &e);
        expect_ng_entry(&e, 0x33, "/etc/passwd");
        expect_end(list);
        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.byte_order, PCRSIM_BYTE_ORDER_BIG);
        cr_expect(info.byte_order_detected);
        pcrsim_ima_list_free(list);

        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->info.byte_order, PCRSIM_BYTE_ORDER_BIG);
        cr_expect_eq(r->digest_mismatches, 0);
        cr_expect_eq(r->field_errors, 0);
        expect_pcr10(r, LB_SHA1, three_big_sha1);
        expect_pcr10(r, LB_SHA256, three_big_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_byte_order, legacy_same_values_both_orders)
{
        struct pcrsim_ima_replay *little, *big;
        struct lb lb_little, lb_big;

        /* The "ima" template hashes no lengths, so both orders give the
         * same template digests and PCR values. */
        legacy_list(&lb_little, false);
        legacy_list(&lb_big, true);
        little = replay_rule_ok(&lb_little, PCRSIM_IMA_EXTEND_PER_BANK);
        big = replay_rule_ok(&lb_big, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(little->info.byte_order, PCRSIM_BYTE_ORDER_LITTLE);
        cr_expect_eq(big->info.byte_order, PCRSIM_BYTE_ORDER_BIG);
        cr_expect_eq(big->entry_count, 2);
        cr_expect_eq(big->digest_mismatches, 0);
        expect_pcr10(little, LB_SHA1, legacy_sha1);
        expect_pcr10(big, LB_SHA1, legacy_sha1);
        expect_pcr10(little, LB_SHA256, legacy_sha256);
        expect_pcr10(big, LB_SHA256, legacy_sha256);
        free(little);
        free(big);
        lb_free(&lb_little);
        lb_free(&lb_big);
}

Test(ima_byte_order, forced_order_used)
{
        struct pcrsim_ima_options opts = { .byte_order = PCRSIM_BYTE_ORDER_BIG };
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, true, offsets);
        list = open_ok(&b, &opts);
        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.byte_order, PCRSIM_BYTE_ORDER_BIG);
        cr_expect(!info.byte_order_detected);
        pcrsim_ima_list_free(list);
        lb_free(&b);
}

Test(ima_byte_order, wrong_forced_order_fails)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_ERR_LIMIT,
                                                        PCRSIM_OK };
        struct pcrsim_ima_options as_big = { .byte_order = PCRSIM_BYTE_ORDER_BIG };
        struct pcrsim_ima_options as_little = { .byte_order = PCRSIM_BYTE_ORDER_LITTLE };
        struct pcrsim_error err;
        size_t offsets[4];
        struct lb little, big;

        /* Read in the wrong order, the PCR index 10 becomes 0x0a000000
         * and the name length 0x06000000. */
        three_entry_list(&little, false, offsets);
        three_entry_list(&big, true, offsets);
        expect_failure(&little, &as_big, codes, 0, ENTRY_NAME, &err);
        expect_failure(&big, &as_little, codes, 0, ENTRY_NAME, &err);
        lb_free(&little);
        lb_free(&big);
}

/* ---- template digest size ---- */

/* [boot_aggregate, /bin/sh] as in binary_runtime_measurements_sha256. */
static void sha256_digest_list(struct lb *b)
{
        lb_init(b);
        put_ng_entry(b, false, boot_sha256, 0x11, "boot_aggregate");
        put_ng_entry(b, false, sh_sha256, 0x22, "/bin/sh");
}

Test(ima_digest_size, sha256_list_detected)
{
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_replay *r;
        struct pcrsim_ima_entry e;
        struct lb b;

        sha256_digest_list(&b);
        list = open_ok(&b, NULL);
        next_ok(list, &e);
        cr_expect_eq(e.digest_size, 32);
        expect_hex(e.digest, 32, boot_sha256, "template digest of entry 0");
        expect_ng_entry(&e, 0x11, "boot_aggregate");
        next_ok(list, &e);
        expect_ng_entry(&e, 0x22, "/bin/sh");
        expect_end(list);
        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.digest_alg, LB_SHA256);
        cr_expect(info.digest_alg_detected);
        pcrsim_ima_list_free(list);

        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->digest_mismatches, 0);
        expect_pcr10(r, LB_SHA256, two_sha256);
        expect_pcr10(r, LB_SHA1, two_sha1);
        free(r);
        lb_free(&b);
}

Test(ima_digest_size, forced_digest_alg_used)
{
        struct pcrsim_ima_options opts = { .digest_alg = LB_SHA256 };
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        struct lb b;

        sha256_digest_list(&b);
        list = open_ok(&b, &opts);
        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.digest_alg, LB_SHA256);
        cr_expect(!info.digest_alg_detected);
        pcrsim_ima_list_free(list);
        lb_free(&b);
}

Test(ima_digest_size, wrong_forced_digest_alg_fails)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_ERR_LIMIT,
                                                        PCRSIM_ERR_TRUNCATED, PCRSIM_OK };
        struct pcrsim_ima_options as_sha1 = { .digest_alg = LB_SHA1 };
        struct pcrsim_ima_options as_sha256 = { .digest_alg = LB_SHA256 };
        struct pcrsim_error err;
        size_t offsets[4];
        struct lb sha1_list, sha256_list;

        three_entry_list(&sha1_list, false, offsets);
        sha256_digest_list(&sha256_list);
        expect_failure(&sha256_list, &as_sha1, codes, 0, sha256_list.len, &err);
        expect_failure(&sha1_list, &as_sha256, codes, 0, sha1_list.len, &err);
        lb_free(&sha1_list);
        lb_free(&sha256_list);
}

/* ---- violations and extend rules ---- */

/* Sets `set` to one bank with only PCR 10 present. */
static void expected_pcr10(struct pcrsim_pcr_set *set, uint16_t alg, const char *hex)
{
        struct pcrsim_pcr_bank *bank = &set->banks[set->bank_count++];

        memset(bank, 0, sizeof(*bank));
        bank->alg = alg;
        bank->size = (uint16_t)hex_to_bytes(hex, bank->pcrs[IMA_PCR].digest, PCRSIM_MAX_DIGEST_SIZE);
        bank->pcrs[IMA_PCR].present = true;
}

static void violation_list(struct lb *b)
{
        lb_init(b);
        put_ng_entry(b, false, boot_sha1, 0x11, "boot_aggregate");
        /* The kernel logs a violation with a zero file digest and a zero
         * template digest. */
        put_ng_entry(b, false, zero_sha1, 0x00, "/tmp/writer");
}

Test(ima_rules, violation_per_bank)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        violation_list(&b);
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->violations, 1);
        cr_expect_eq(r->first_violation, 1);
        cr_expect_eq(r->digest_mismatches, 0, "a violation is not a digest mismatch");
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_PER_BANK);
        expect_pcr10(r, LB_SHA1, violation_sha1);
        expect_pcr10(r, LB_SHA256, violation_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_rules, violation_sha1_padded)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        violation_list(&b);
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_SHA1_PADDED);
        cr_expect_eq(r->violations, 1);
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_SHA1_PADDED);
        cr_expect_eq(r->rule_reason, PCRSIM_IMA_RULE_GIVEN);
        expect_pcr10(r, LB_SHA1, violation_sha1);
        expect_pcr10(r, LB_SHA256, violation_sha256_padded);
        free(r);
        lb_free(&b);
}

Test(ima_rules, violation_both_rules_with_expected)
{
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_ima_replay *r;
        struct lb b;

        /* With expected values, AUTO computes both rules to compare them. */
        cr_assert_not_null(set);
        violation_list(&b);
        expected_pcr10(set, LB_SHA256, violation_sha256);
        replay_options(&opts, PCRSIM_IMA_EXTEND_AUTO);
        opts.expected = set;
        r = replay_ok(&b, NULL, &opts);
        cr_expect_eq(r->violations, 1);
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->rule_reason, PCRSIM_IMA_RULE_EXPECTED_VALUE);
        expect_rule_value(r, LB_SHA1, 0, violation_sha1);
        expect_rule_value(r, LB_SHA1, 1, violation_sha1);
        expect_rule_value(r, LB_SHA256, 0, violation_sha256);
        expect_rule_value(r, LB_SHA256, 1, violation_sha256_padded);
        free(r);
        free(set);
        lb_free(&b);
}

Test(ima_rules, auto_rule_defaults_to_per_bank)
{
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, false, offsets);
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_AUTO);
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->rule_reason, PCRSIM_IMA_RULE_DEFAULT);
        expect_pcr10(r, LB_SHA256, three_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_rules, auto_rule_from_expected_value)
{
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        cr_assert_not_null(set);
        three_entry_list(&b, false, offsets);
        expected_pcr10(set, LB_SHA256, three_sha256_padded);
        replay_options(&opts, PCRSIM_IMA_EXTEND_AUTO);
        opts.expected = set;
        r = replay_ok(&b, NULL, &opts);
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_SHA1_PADDED);
        cr_expect_eq(r->rule_reason, PCRSIM_IMA_RULE_EXPECTED_VALUE);
        expect_pcr10(r, LB_SHA256, three_sha256_padded);
        expect_rule_value(r, LB_SHA256, 0, three_sha256);
        expect_rule_value(r, LB_SHA1, 1, three_sha1);
        free(r);
        free(set);
        lb_free(&b);
}

Test(ima_rules, matching_prefix_found)
{
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        cr_assert_not_null(set);
        three_entry_list(&b, false, offsets);
        expected_pcr10(set, LB_SHA1, two_sha1);
        expected_pcr10(set, LB_SHA256, two_sha256);
        replay_options(&opts, PCRSIM_IMA_EXTEND_PER_BANK);
        opts.expected = set;
        r = replay_ok(&b, NULL, &opts);
        cr_expect_eq(pcrsim_ima_replay_bank(r, LB_SHA1)->matching_prefix[IMA_PCR], 2);
        cr_expect_eq(pcrsim_ima_replay_bank(r, LB_SHA256)->matching_prefix[IMA_PCR], 2);
        /* The replay still covers the whole list. */
        expect_pcr10(r, LB_SHA256, three_sha256);
        free(r);
        free(set);
        lb_free(&b);
}

Test(ima_rules, matching_prefix_whole_and_none)
{
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        cr_assert_not_null(set);
        three_entry_list(&b, false, offsets);
        expected_pcr10(set, LB_SHA1, three_sha1);
        expected_pcr10(set, LB_SHA256, repeat_hex("99", 32));
        replay_options(&opts, PCRSIM_IMA_EXTEND_PER_BANK);
        opts.expected = set;
        r = replay_ok(&b, NULL, &opts);
        cr_expect_eq(pcrsim_ima_replay_bank(r, LB_SHA1)->matching_prefix[IMA_PCR], 3);
        cr_expect_eq(pcrsim_ima_replay_bank(r, LB_SHA256)->matching_prefix[IMA_PCR],
                     PCRSIM_NO_RECORD);
        free(r);
        free(set);
        lb_free(&b);
}

/* ---- partial tail and malformed entries ---- */

static const uint8_t stray_bytes[5] = { 0x0a, 0x00, 0x00, 0x00, 0x4c };

Test(ima_malformed, partial_tail_rejected)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_ERR_TRUNCATED,
                                                        PCRSIM_OK };
        struct pcrsim_error err;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, false, offsets);
        lb_bytes(&b, stray_bytes, sizeof(stray_bytes));
        expect_failure(&b, NULL, codes, offsets[3], b.len, &err);
        cr_expect_eq(err.record, 3, "error names entry %llu", (unsigned long long)err.record);
        lb_free(&b);
}

Test(ima_malformed, partial_tail_allowed)
{
        struct pcrsim_ima_options lopts = { .allow_partial_tail = true };
        struct pcrsim_ima_replay_options ropts;
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, false, offsets);
        lb_bytes(&b, stray_bytes, sizeof(stray_bytes));
        replay_options(&ropts, PCRSIM_IMA_EXTEND_PER_BANK);
        r = replay_ok(&b, &lopts, &ropts);
        cr_expect_eq(r->entry_count, 3);
        cr_expect_eq(r->info.partial_tail_size, 5);
        cr_expect_eq(r->info.partial_tail_offset, offsets[3]);
        expect_pcr10(r, LB_SHA1, three_sha1);
        expect_pcr10(r, LB_SHA256, three_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_malformed, whole_list_no_partial_tail)
{
        struct pcrsim_ima_options lopts = { .allow_partial_tail = true };
        struct pcrsim_ima_replay_options ropts;
        struct pcrsim_ima_replay *r;
        size_t offsets[4];
        struct lb b;

        three_entry_list(&b, false, offsets);
        replay_options(&ropts, PCRSIM_IMA_EXTEND_PER_BANK);
        r = replay_ok(&b, &lopts, &ropts);
        cr_expect_eq(r->info.partial_tail_size, 0);
        free(r);
        lb_free(&b);
}

/*
 * As in TCG logs, a length that runs past the end is reported at the
 * field it cuts off, and a length above a limit at the length itself.
 */

/* Starts a list with one valid entry and returns the offset where the
 * second entry starts. */
static size_t one_good_entry(struct lb *b)
{
        lb_init(b);
        put_ng_entry(b, false, boot_sha1, 0x11, "boot_aggregate");
        return b->len;
}

/* Appends the fixed part of an entry up to its template name. */
static void put_entry_head(struct lb *b, uint32_t pcr, uint32_t name_length)
{
        lb_u32(b, pcr);
        lb_fill(b, 0x5a, 20);
        lb_u32(b, name_length);
}

Test(ima_malformed, data_length_past_end)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_ERR_TRUNCATED,
                                                        PCRSIM_OK };
        struct pcrsim_error err;
        size_t second;
        struct lb b;

        second = one_good_entry(&b);
        put_entry_head(&b, IMA_PCR, 6);
        lb_bytes(&b, "ima-ng", 6);
        lb_u32(&b, 1000);
        lb_fill(&b, 0x01, 10);
        expect_failure(&b, NULL, codes, second + ENTRY_NAME + 6 + 4, second + ENTRY_NAME + 6 + 4,
                       &err);
        cr_expect_eq(err.record, 1);
        lb_free(&b);
}

Test(ima_malformed, name_length_past_end)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_ERR_TRUNCATED,
                                                        PCRSIM_OK };
        struct pcrsim_error err;
        size_t second;
        struct lb b;

        second = one_good_entry(&b);
        put_entry_head(&b, IMA_PCR, 200);
        lb_bytes(&b, "ima-ng", 6);
        expect_failure(&b, NULL, codes, second + ENTRY_NAME, second + ENTRY_NAME, &err);
        cr_expect_eq(err.record, 1);
        lb_free(&b);
}

Test(ima_malformed, name_length_above_limit)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_LIMIT, PCRSIM_OK };
        struct pcrsim_error err;
        size_t second;
        struct lb b;

        second = one_good_entry(&b);
        put_entry_head(&b, IMA_PCR, PCRSIM_MAX_IMA_TEMPLATE_NAME + 1);
        lb_fill(&b, 'a', PCRSIM_MAX_IMA_TEMPLATE_NAME + 1);
        lb_u32(&b, 0);
        expect_failure(&b, NULL, codes, second + ENTRY_NAME_LENGTH, second + ENTRY_NAME_LENGTH,
                       &err);
        lb_free(&b);
}

Test(ima_malformed, data_length_above_limit)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_LIMIT, PCRSIM_OK };
        struct pcrsim_error err;
        size_t second;
        struct lb b;

        second = one_good_entry(&b);
        put_entry_head(&b, IMA_PCR, 6);
        lb_bytes(&b, "ima-ng", 6);
        lb_u32(&b, 0xFFFFFFFFu);
        lb_fill(&b, 0x01, 64);
        expect_failure(&b, NULL, codes, second + ENTRY_NAME + 6, second + ENTRY_NAME + 6, &err);
        cr_expect_eq(err.record, 1);
        lb_free(&b);
}

Test(ima_malformed, pcr_index_out_of_range)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_OK };
        struct pcrsim_error err;
        size_t second;
        struct lb b;
        struct lb data;

        second = one_good_entry(&b);
        ng_data(&data, 0x22, "/bin/sh", false);
        put_entry(&b, false, 24, sh_sha1, "ima-ng", data.data, data.len);
        expect_failure(&b, NULL, codes, second, second, &err);
        cr_expect_eq(err.record, 1);
        lb_free(&data);
        lb_free(&b);
}

/* ---- custom and unknown templates ---- */

static void custom_and_unknown_list(struct lb *b)
{
        struct lb data;

        lb_init(b);
        ng_data(&data, 0x22, "/bin/sh", false);
        put_entry(b, false, IMA_PCR, sh_sha1, "d-ng|n-ng", data.data, data.len);
        lb_free(&data);
        put_entry(b, false, IMA_PCR, foo_sha1, "foo", foo_data, strlen(foo_data));
}

Test(ima_templates, custom_field_list_decodes)
{
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_entry e;
        struct lb b;

        custom_and_unknown_list(&b);
        list = open_ok(&b, NULL);
        next_ok(list, &e);
        cr_expect_str_eq(e.template_name, "d-ng|n-ng");
        cr_expect(!e.unknown_template);
        cr_assert_eq(e.field_count, 2);
        cr_expect_str_eq(e.fields[0].id, "d-ng");
        expect_digest_field(&e.fields[0], "sha256", 0x22);
        expect_name_field(&e.fields[1], "/bin/sh");

        next_ok(list, &e);
        cr_expect_str_eq(e.template_name, "foo");
        cr_expect(e.unknown_template);
        cr_expect_eq(e.field_count, 0);
        cr_assert_eq(e.data_size, strlen(foo_data));
        cr_expect_arr_eq(e.data, foo_data, strlen(foo_data));
        expect_end(list);
        pcrsim_ima_list_free(list);
        lb_free(&b);
}

Test(ima_templates, unknown_template_replayed_raw)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        custom_and_unknown_list(&b);
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->unknown_templates, 1);
        cr_expect_eq(r->first_unknown_template, 1);
        cr_expect_eq(r->digest_mismatches, 0);
        expect_pcr10(r, LB_SHA1, custom_foo_sha1);
        expect_pcr10(r, LB_SHA256, custom_foo_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_templates, undecodable_fields_counted)
{
        struct pcrsim_ima_replay *r;
        static const uint8_t data[] = { 0x40, 0x00, 0x00, 0x00, 's', 'h', 'a' };
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_entry e;
        struct lb b;

        /* An ima-ng entry whose first field length (64) runs past its
         * 7 bytes of template data. The template digest is all 0x5a, so
         * the entry also counts as a digest mismatch. */
        lb_init(&b);
        put_entry(&b, false, IMA_PCR, repeat_hex("5a", 20), "ima-ng", data, sizeof(data));
        list = open_ok(&b, NULL);
        next_ok(list, &e);
        cr_expect_neq(e.field_error[0], '\0', "no field error for a field past the data");
        pcrsim_ima_list_free(list);
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->field_errors, 1);
        cr_expect_eq(r->first_field_error, 0);
        cr_expect_neq(r->first_field_error_text[0], '\0');
        free(r);
        lb_free(&b);
}

/* ---- ASCII lists ---- */

/* Template data of the ima-sig, ima-sig without signature and ima-buf
 * entries of kinds_ascii_list(). */
static void sig_data(struct lb *d, bool with_signature)
{
        static const uint8_t signature[] = { 0x03, 0x02, 0x04, 0xab, 0xcd, 0xef, 0x01, 0x23 };

        lb_init(d);
        put_dng(d, NULL, with_signature ? 0x55 : 0x66, false);
        put_nng(d, with_signature ? "/usr/bin/ls" : "/usr/bin/cat", false);
        put_field(d, signature, with_signature ? sizeof(signature) : 0, false);
}

static void buf_data(struct lb *d)
{
        lb_init(d);
        put_dng(d, kernel_version_sha256, 0, false);
        put_nng(d, "kernel_version", false);
        put_field(d, "6.1.0", 5, false);
}

/* One line of each template kind, as ascii_runtime_measurements prints
 * them. The kernel prints a space before each field, also before an empty
 * signature. */
static void kinds_ascii_list(struct lb *b, const char *empty_sig_end)
{
        lb_init(b);
        text_append(b, "10 %s ima %s /usr/bin/true\n", true_legacy_sha1, repeat_hex("44", 20));
        text_append(b, "10 %s ima-ng sha256:%s /bin/sh\n", sh_sha1, repeat_hex("22", 32));
        text_append(b, "10 %s ima-sig sha256:%s /usr/bin/ls 030204abcdef0123\n", ls_sig_sha1,
                    repeat_hex("55", 32));
        text_append(b, "10 %s ima-sig sha256:%s /usr/bin/cat%s\n", cat_sig_sha1,
                    repeat_hex("66", 32), empty_sig_end);
        text_append(b, "10 %s ima-buf sha256:%s kernel_version 362e312e30\n", buf_sha1,
                    kernel_version_sha256);
}

static void expect_entry_data(const struct pcrsim_ima_entry *e, const struct lb *data)
{
        cr_assert_eq(e->data_size, data->len, "line %llu (%s): %u bytes of template data, expected %zu",
                     (unsigned long long)e->line, e->template_name, e->data_size, data->len);
        cr_expect_arr_eq(e->data, data->data, data->len, "line %llu (%s): template data differs",
                         (unsigned long long)e->line, e->template_name);
}

Test(ima_ascii, kinds_rebuild_binary_data)
{
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        struct pcrsim_ima_entry e;
        uint8_t legacy_blob[20 + 256];
        struct lb b, data;

        kinds_ascii_list(&b, " ");
        list = open_ok(&b, NULL);
        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.format, PCRSIM_IMA_ASCII);

        next_ok(list, &e);
        cr_expect_eq(e.line, 1);
        cr_expect(e.legacy_ima);
        expect_hex(e.digest, e.digest_size, true_legacy_sha1, "line 1 template digest");
        memset(legacy_blob, 0, sizeof(legacy_blob));
        memset(legacy_blob, 0x44, 20);
        memcpy(legacy_blob + 20, "/usr/bin/true", strlen("/usr/bin/true"));
        cr_assert_eq(e.data_size, sizeof(legacy_blob));
        cr_expect_arr_eq(e.data, legacy_blob, sizeof(legacy_blob));

        next_ok(list, &e);
        cr_expect_eq(e.line, 2);
        ng_data(&data, 0x22, "/bin/sh", false);
        expect_entry_data(&e, &data);
        lb_free(&data);

        next_ok(list, &e);
        sig_data(&data, true);
        expect_entry_data(&e, &data);
        cr_expect_eq(e.field_count, 3);
        lb_free(&data);

        next_ok(list, &e);
        sig_data(&data, false);
        expect_entry_data(&e, &data);
        lb_free(&data);

        next_ok(list, &e);
        cr_expect_eq(e.line, 5);
        buf_data(&data);
        expect_entry_data(&e, &data);
        lb_free(&data);
        expect_end(list);
        pcrsim_ima_list_free(list);
        lb_free(&b);
}

Test(ima_ascii, kinds_replay_values)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        kinds_ascii_list(&b, " ");
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->entry_count, 5);
        cr_expect_eq(r->digest_mismatches, 0);
        cr_expect_eq(r->field_errors, 0);
        cr_expect_eq(r->unknown_templates, 0);
        expect_pcr10(r, LB_SHA1, kinds_sha1);
        expect_pcr10(r, LB_SHA256, kinds_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_ascii, empty_signature_without_space)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        /* A list written by hand may drop the space before an empty field. */
        kinds_ascii_list(&b, "");
        r = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_eq(r->digest_mismatches, 0);
        expect_pcr10(r, LB_SHA256, kinds_sha256);
        free(r);
        lb_free(&b);
}

/* Returns PCR 10 of `alg` under the chosen rule, failing if the bank is
 * missing. */
static const uint8_t *chosen_pcr10(const struct pcrsim_ima_replay *r, uint16_t alg)
{
        const struct pcrsim_ima_bank *bank = pcrsim_ima_replay_bank(r, alg);

        cr_assert_not_null(bank, "no bank 0x%04x in the replay", alg);
        return pcrsim_ima_replay_value(r, bank, IMA_PCR);
}

Test(ima_ascii, same_values_as_binary)
{
        struct pcrsim_ima_replay *ascii, *binary;
        struct lb text, b, data;

        lb_init(&text);
        text_append(&text, "10 %s ima %s /usr/bin/true\n", true_legacy_sha1, repeat_hex("44", 20));
        text_append(&text, "10 %s ima-ng sha256:%s /bin/sh\n", sh_sha1, repeat_hex("22", 32));
        lb_init(&b);
        put_legacy_fill_entry(&b, false, true_legacy_sha1, 0x44, "/usr/bin/true");
        ng_data(&data, 0x22, "/bin/sh", false);
        put_entry(&b, false, IMA_PCR, sh_sha1, "ima-ng", data.data, data.len);
        lb_free(&data);

        ascii = replay_rule_ok(&text, PCRSIM_IMA_EXTEND_PER_BANK);
        binary = replay_rule_ok(&b, PCRSIM_IMA_EXTEND_PER_BANK);
        cr_expect_arr_eq(chosen_pcr10(ascii, LB_SHA256), chosen_pcr10(binary, LB_SHA256), 32,
                         "ASCII and binary forms give different sha256 PCR 10 values");
        cr_expect_arr_eq(chosen_pcr10(ascii, LB_SHA1), chosen_pcr10(binary, LB_SHA1), 20,
                         "ASCII and binary forms give different sha1 PCR 10 values");
        free(ascii);
        free(binary);
        lb_free(&text);
        lb_free(&b);
}

static void unknown_template_ascii_list(struct lb *b)
{
        lb_init(b);
        text_append(b, "10 %s ima-ng sha256:%s /bin/sh\n", sh_sha1, repeat_hex("22", 32));
        text_append(b, "10 %s foo 6e6f74\n", foo_sha1);
}

Test(ima_ascii, unknown_template_rejected)
{
        struct pcrsim_ima_replay *r = calloc(1, sizeof(*r));
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char message[512];
        struct lb b;

        cr_assert_not_null(r);
        unknown_template_ascii_list(&b);
        memset(&opts, 0, sizeof(opts));
        opts.bank_count = 1;
        opts.banks[0] = LB_SHA256;
        rc = replay_list(&b, NULL, &opts, r, &err);
        pcrsim_error_format(&err, "list", message, sizeof(message));
        cr_expect_neq(rc, PCRSIM_OK, "an unknown ASCII template replayed into sha256");
        cr_expect(rc == PCRSIM_ERR_INVALID || rc == PCRSIM_ERR_UNSUPPORTED,
                  "replay returned %s: %s", pcrsim_error_code_name(rc), message);
        cr_expect(strstr(message, "line 2") != NULL, "the error does not name line 2: %s",
                  message);
        free(r);
        lb_free(&b);
}

Test(ima_ascii, unknown_template_sha1_only)
{
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_ima_replay *r;
        struct lb b;

        /* The sha1 bank extends the logged template digest, so the
         * template data is not needed. */
        unknown_template_ascii_list(&b);
        memset(&opts, 0, sizeof(opts));
        opts.rule = PCRSIM_IMA_EXTEND_PER_BANK;
        opts.bank_count = 1;
        opts.banks[0] = LB_SHA1;
        r = replay_ok(&b, NULL, &opts);
        cr_expect_eq(r->unknown_templates, 1);
        expect_pcr10(r, LB_SHA1, custom_foo_sha1);
        free(r);
        lb_free(&b);
}

Test(ima_ascii, malformed_hash_names_line)
{
        static const enum pcrsim_error_code codes[] = { PCRSIM_ERR_INVALID, PCRSIM_OK };
        struct pcrsim_error err;
        char message[512];
        struct lb b;
        size_t second;

        lb_init(&b);
        text_append(&b, "10 %s ima-ng sha256:%s /bin/sh\n", sh_sha1, repeat_hex("22", 32));
        second = b.len;
        text_append(&b, "10 xyz ima-ng sha256:%s /bin/sh\n", repeat_hex("22", 32));
        expect_failure(&b, NULL, codes, second, b.len, &err);
        pcrsim_error_format(&err, "list", message, sizeof(message));
        cr_expect(strstr(message, "line 2") != NULL, "the error does not name line 2: %s",
                  message);
        lb_free(&b);
}

/* ---- boot_aggregate ---- */

/* Replays a crypto-agile firmware log with sha1 and sha256 banks and one
 * event in each of PCRs 0-9, whose digests are the byte i + 1. */
static struct pcrsim_replay *firmware_replay(void)
{
        static const uint16_t algs[] = { LB_SHA1, LB_SHA256 };
        static const uint16_t sizes[] = { 20, 32 };
        struct pcrsim_replay *fw = calloc(1, sizeof(*fw));
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_error err;
        struct lb b;

        cr_assert_not_null(fw);
        lb_init(&b);
        lb_specid(&b, algs, sizes, 2, 2, 0);
        for (uint32_t pcr = 0; pcr < 10; pcr++) {
                struct lb_digest d[2] = { lb_digest_fill(LB_SHA1, 20, (uint8_t)(pcr + 1)),
                                          lb_digest_fill(LB_SHA256, 32, (uint8_t)(pcr + 1)) };

                lb_agile_record(&b, pcr, EV_EFI_ACTION, d, 2, "x", 1);
        }
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_tcglog_open_memory(b.data, b.len, &log, &err), PCRSIM_OK,
                     "firmware log: %s", err.message);
        cr_assert_eq(pcrsim_replay_tcglog(log, fw, &err), PCRSIM_OK, "firmware log: %s",
                     err.message);
        pcrsim_tcglog_free(log);
        lb_free(&b);
        return fw;
}

/* Replays a list on top of the firmware log, with the firmware's banks. */
static struct pcrsim_ima_replay *replay_on_firmware(const struct lb *b)
{
        struct pcrsim_replay *fw = firmware_replay();
        struct pcrsim_ima_replay_options opts;
        struct pcrsim_ima_replay *r;

        memset(&opts, 0, sizeof(opts));
        opts.firmware = fw;
        r = replay_ok(b, NULL, &opts);
        free(fw);
        return r;
}

static void aggregate_list(struct lb *b, const char *entry_sha1, const char *aggregate_hex)
{
        struct lb data;

        lb_init(b);
        lb_init(&data);
        put_dng(&data, aggregate_hex, 0, false);
        put_nng(&data, "boot_aggregate", false);
        put_entry(b, false, IMA_PCR, entry_sha1, "ima-ng", data.data, data.len);
        lb_free(&data);
}

Test(ima_boot_aggregate, matches_pcrs_0_9)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        aggregate_list(&b, aggregate_0_9_entry_sha1, aggregate_0_9);
        put_ng_entry(&b, false, sh_sha1, 0x22, "/bin/sh");
        r = replay_on_firmware(&b);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_MATCH_0_9,
                     "verdict %d", (int)r->boot_aggregate.verdict);
        cr_expect_str_eq(r->boot_aggregate.algo, "sha256");
        cr_expect_eq(r->boot_aggregate.alg, LB_SHA256);
        cr_expect_eq(r->boot_aggregate.size, 32);
        expect_hex(r->boot_aggregate.logged, 32, aggregate_0_9, "logged boot_aggregate");
        expect_hex(r->boot_aggregate.over_0_9, 32, aggregate_0_9, "boot_aggregate over PCRs 0-9");
        expect_hex(r->boot_aggregate.over_0_7, 32, aggregate_0_7, "boot_aggregate over PCRs 0-7");
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_PER_BANK);
        expect_pcr10(r, LB_SHA256, aggregate_then_sh_sha256);
        free(r);
        lb_free(&b);
}

Test(ima_boot_aggregate, matches_pcrs_0_7)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        aggregate_list(&b, aggregate_0_7_entry_sha1, aggregate_0_7);
        r = replay_on_firmware(&b);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_MATCH_0_7,
                     "verdict %d", (int)r->boot_aggregate.verdict);
        /* A sha256 boot_aggregate over PCRs 0-7 comes from a kernel older
         * than 5.8, which extends SHA-1 padded digests. */
        cr_expect_eq(r->rule, PCRSIM_IMA_EXTEND_SHA1_PADDED);
        cr_expect_eq(r->rule_reason, PCRSIM_IMA_RULE_BOOT_AGGREGATE);
        free(r);
        lb_free(&b);
}

Test(ima_boot_aggregate, legacy_sha1_matches)
{
        struct pcrsim_ima_replay *r;
        uint8_t digest[20];
        struct lb b;

        hex_to_bytes(aggregate_sha1_0_7, digest, sizeof(digest));
        lb_init(&b);
        put_legacy_entry(&b, false, aggregate_legacy_entry_sha1, digest, "boot_aggregate");
        r = replay_on_firmware(&b);
        cr_expect_eq(r->digest_mismatches, 0);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_MATCH_0_7,
                     "verdict %d", (int)r->boot_aggregate.verdict);
        cr_expect_eq(r->boot_aggregate.alg, LB_SHA1);
        expect_hex(r->boot_aggregate.logged, 20, aggregate_sha1_0_7, "logged boot_aggregate");
        free(r);
        lb_free(&b);
}

Test(ima_boot_aggregate, other_verdicts)
{
        struct pcrsim_ima_replay *r;
        struct lb b;

        aggregate_list(&b, aggregate_zero_entry_sha1, repeat_hex("00", 32));
        r = replay_on_firmware(&b);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_NO_TPM,
                     "all-zero boot_aggregate: verdict %d", (int)r->boot_aggregate.verdict);
        free(r);
        lb_free(&b);

        aggregate_list(&b, aggregate_wrong_entry_sha1, repeat_hex("77", 32));
        r = replay_on_firmware(&b);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_MISMATCH,
                     "wrong boot_aggregate: verdict %d", (int)r->boot_aggregate.verdict);
        free(r);
        lb_free(&b);

        lb_init(&b);
        put_ng_entry(&b, false, sh_sha1, 0x22, "/bin/sh");
        r = replay_on_firmware(&b);
        cr_expect_eq(r->boot_aggregate.verdict, PCRSIM_BOOT_AGGREGATE_NO_ENTRY,
                     "first entry /bin/sh: verdict %d", (int)r->boot_aggregate.verdict);
        free(r);
        lb_free(&b);
}

/* ---- inputs that a malformed-input run showed were mishandled ---- */

Test(ima_regressions, corrupted_length_not_a_partial_tail)
{
        static const enum pcrsim_error_code truncated[] = { PCRSIM_ERR_TRUNCATED, PCRSIM_OK };
        struct pcrsim_ima_options opts = { .allow_partial_tail = true };
        struct pcrsim_error err;
        size_t offsets[4];
        struct lb b;

        /* A data length of 0xFFFFFF in the middle leaves far more bytes
         * than one partial entry: a corrupted list, not a growing one. */
        three_entry_list(&b, false, offsets);
        for (int i = 0; i < 100; i++)
                put_ng_entry(&b, false, passwd_sha1, 0x33, "/etc/passwd");
        lb_put_u32(&b, offsets[1] + 4 + 20 + 4 + 6, 0xFFFFFF);
        expect_failure(&b, &opts, truncated, offsets[1], b.len, &err);
        cr_expect(strstr(err.message, "corrupted") != NULL, "%s", err.message);
        lb_free(&b);
}

Test(ima_regressions, ascii_digest_sizes_checked)
{
        static const enum pcrsim_error_code invalid[] = { PCRSIM_ERR_INVALID, PCRSIM_OK };
        struct pcrsim_error err;
        struct lb b;

        lb_init(&b);
        text_append(&b, "10 %s ima-ng sha256:%s boot_aggregate\n", boot_sha1, repeat_hex("11", 32));
        text_append(&b, "10 00 ima-ng sha256:%s /bin/sh\n", repeat_hex("22", 32));
        expect_failure(&b, NULL, invalid, 0, b.len, &err);
        cr_expect(strstr(err.message, "line 2") != NULL, "%s", err.message);
        cr_expect(strstr(err.message, "20, 32, 48 or 64") != NULL, "%s", err.message);
        lb_free(&b);
}

Test(ima_regressions, ascii_template_name_checked)
{
        static const enum pcrsim_error_code invalid[] = { PCRSIM_ERR_INVALID, PCRSIM_OK };
        struct pcrsim_error err;
        struct lb b;

        lb_init(&b);
        text_append(&b, "10 %s ima\x1b[31m sha256:%s boot_aggregate\n", boot_sha1,
                    repeat_hex("11", 32));
        expect_failure(&b, NULL, invalid, 0, b.len, &err);
        cr_expect(strchr(err.message, '\x1b') == NULL, "control byte echoed: %s", err.message);
        lb_free(&b);

        lb_init(&b);
        text_append(&b, "10 %s sha256:%s boot_aggregate\n", boot_sha1, repeat_hex("11", 32));
        expect_failure(&b, NULL, invalid, 0, b.len, &err);
        cr_expect(strstr(err.message, "template name is missing") != NULL, "%s", err.message);
        lb_free(&b);
}

Test(ima_regressions, ascii_pcr_error_names_line)
{
        static const enum pcrsim_error_code invalid[] = { PCRSIM_ERR_INVALID, PCRSIM_OK };
        struct pcrsim_error err;
        struct lb b;

        lb_init(&b);
        text_append(&b, "10 %s ima-ng sha256:%s boot_aggregate\n", boot_sha1, repeat_hex("11", 32));
        text_append(&b, "24 %s ima-ng sha256:%s /bin/sh\n", sh_sha1, repeat_hex("22", 32));
        expect_failure(&b, NULL, invalid, 0, b.len, &err);
        cr_expect(strstr(err.message, "line 2") != NULL, "%s", err.message);
        lb_free(&b);
}

Test(ima_regressions, ascii_digest_alg_known_at_open)
{
        struct pcrsim_ima_options opts = { 0 };
        struct pcrsim_ima_list_info info;
        struct pcrsim_ima_list *list;
        struct lb b;

        char template_digest[2 * 48 + 1];

        /* The CLI chooses its banks before the first entry is read.
         * repeat_hex() returns one static buffer, hence the copy. */
        snprintf(template_digest, sizeof(template_digest), "%s", repeat_hex("ab", 48));
        lb_init(&b);
        text_append(&b, "10 %s ima-ng sha256:%s boot_aggregate\n", template_digest,
                    repeat_hex("11", 32));
        cr_assert_eq(pcrsim_ima_list_open_memory(b.data, b.len, &opts, &list, NULL), PCRSIM_OK);
        pcrsim_ima_list_info(list, &info);
        cr_expect_eq(info.digest_alg, LB_SHA384);
        pcrsim_ima_list_free(list);
        lb_free(&b);
}

Test(ima_regressions, ascii_last_line_without_newline)
{
        static const enum pcrsim_error_code truncated[] = { PCRSIM_ERR_TRUNCATED, PCRSIM_OK };
        struct pcrsim_ima_options opts = { .allow_partial_tail = true };
        struct pcrsim_ima_replay_options ropts;
        struct pcrsim_ima_replay *r;
        struct pcrsim_error err;
        size_t first;
        struct lb b;

        /* The kernel ends every line with a newline: a last line without
         * one is a list cut off while it was copied. */
        lb_init(&b);
        text_append(&b, "10 %s ima-ng sha256:%s boot_aggregate\n", boot_sha1, repeat_hex("11", 32));
        first = b.len;
        text_append(&b, "10 %s ima-ng sha256:%s /bin/s", sh_sha1, repeat_hex("22", 32));
        expect_failure(&b, NULL, truncated, b.len, b.len, &err);
        cr_expect(strstr(err.message, "line 2 has no newline") != NULL, "%s", err.message);

        replay_options(&ropts, PCRSIM_IMA_EXTEND_PER_BANK);
        r = replay_ok(&b, &opts, &ropts);
        cr_expect_eq(r->entry_count, 1);
        cr_expect_eq(r->info.partial_tail_offset, first);
        cr_expect_eq(r->info.partial_tail_size, b.len - first);
        free(r);
        lb_free(&b);
}
