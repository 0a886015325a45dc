/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the reference value readers. Real shapes come from the shared
 * vectors: the PCR values that the qemu-ovmf-uki guest read from its TPM
 * (pcrs-sha1.json and pcrs-sha256.json, read here with jansson) are the
 * expected values for every other shape of the same boot. Malformed
 * inputs are written in the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "pcrsim/alg.h"
#include "pcrsim/reference.h"
#include "testutil.h"

#define SHA1_ID 0x0004
#define SHA256_ID 0x000B
#define SHA384_ID 0x000C

/* PCR values of one bank from a JSON object of index to hex. */
struct bank_values {
        bool present[24];
        uint8_t digest[24][64];
        size_t size;
};

static const char *shared_or_skip(void)
{
        const char *root = tu_shared_vectors();

        if (!root) {
                fprintf(stderr, "reference: the shared vector folder is absent, so the tests on real shapes are skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        return root;
}

static void hex_to_bytes(const char *hex, uint8_t *out, size_t *size)
{
        size_t n = strlen(hex) / 2;

        for (size_t i = 0; i < n; i++) {
                unsigned v;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1, "bad hex in %s", hex);
                out[i] = (uint8_t)v;
        }
        *size = n;
}

/* Loads qemu-ovmf-uki/pcrs-BANK.json. */
static void load_lab_bank(const char *root, const char *bank, struct bank_values *out)
{
        char path[4096];
        json_error_t jerr;
        json_t *doc, *value;
        const char *key;

        memset(out, 0, sizeof(*out));
        snprintf(path, sizeof(path), "%s/qemu-ovmf-uki/pcrs-%s.json", root, bank);
        doc = json_load_file(path, 0, &jerr);
        cr_assert_not_null(doc, "%s: %s", path, jerr.text);
        json_object_foreach(doc, key, value) {
                int pcr = atoi(key);

                cr_assert(pcr >= 0 && pcr < 24 && json_is_string(value), "%s: %s", path, key);
                hex_to_bytes(json_string_value(value), out->digest[pcr], &out->size);
                out->present[pcr] = true;
        }
        json_decref(doc);
}

static const struct pcrsim_pcr_bank *find_bank(const struct pcrsim_reference *ref, uint16_t alg)
{
        for (uint32_t b = 0; b < ref->set.bank_count; b++)
                if (ref->set.banks[b].alg == alg)
                        return &ref->set.banks[b];
        return NULL;
}

/* Expects every value of `ref` in bank `alg` to equal the lab value, and
 * returns how many values the bank has. */
static unsigned expect_lab_values(const char *what, const struct pcrsim_reference *ref,
                                  uint16_t alg, const struct bank_values *lab)
{
        const struct pcrsim_pcr_bank *bank = find_bank(ref, alg);
        unsigned count = 0;

        cr_assert_not_null(bank, "%s: no bank 0x%04x", what, alg);
        cr_expect_eq(bank->size, lab->size, "%s: digest size", what);
        for (int pcr = 0; pcr < 24; pcr++) {
                if (!bank->pcrs[pcr].present)
                        continue;
                count++;
                cr_expect(lab->present[pcr], "%s: PCR %d is not in the lab values", what, pcr);
                cr_expect(memcmp(bank->pcrs[pcr].digest, lab->digest[pcr], lab->size) == 0,
                          "%s: PCR %d differs from the value the TPM reported", what, pcr);
        }
        return count;
}

static void read_ok(const char *path, const struct pcrsim_ref_options *opts,
                    struct pcrsim_reference *ref)
{
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_reference_read(path, opts, ref, &err), PCRSIM_OK,
                     "%s: %s (offset %llu)", path, err.message, (unsigned long long)err.offset);
}

static char *vector_path(const char *root, const char *rel)
{
        char *p = tu_path_join(root, rel);

        cr_assert_not_null(p);
        return p;
}

Test(reference, pcr_reader_json_base64)
{
        const char *root = shared_or_skip();
        char *path = vector_path(root, "qemu-ovmf-uki/pcr-reader.json");
        struct bank_values lab;
        struct pcrsim_reference ref;

        load_lab_bank(root, "sha256", &lab);
        read_ok(path, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_PCR_READER_JSON);
        cr_expect(ref.format_detected);
        cr_expect_eq(ref.encoding, PCRSIM_REF_ENCODING_BASE64);
        cr_expect_eq(expect_lab_values(path, &ref, SHA256_ID, &lab), 24);
        free(path);
}

Test(reference, hex_json_both_banks)
{
        const char *root = shared_or_skip();
        static const char *const banks[] = { "sha1", "sha256" };
        static const uint16_t ids[] = { SHA1_ID, SHA256_ID };
        /* The banks of a log with SHA-1 and SHA-256, as compare passes
         * them: 64 hex digits are then SHA-256, not SHA-384 in base64. */
        struct pcrsim_ref_options log_banks = { .bank_count = 2, .banks = { SHA1_ID, SHA256_ID } };

        for (int i = 0; i < 2; i++) {
                char rel[64];
                char *path;
                struct bank_values lab;
                struct pcrsim_reference ref;

                snprintf(rel, sizeof(rel), "qemu-ovmf-uki/pcrs-%s.json", banks[i]);
                path = vector_path(root, rel);
                load_lab_bank(root, banks[i], &lab);
                read_ok(path, &log_banks, &ref);
                cr_expect_eq(ref.format, PCRSIM_REF_MEASUREMENTS_JSON, "%s", path);
                cr_expect_eq(ref.encoding, PCRSIM_REF_ENCODING_HEX, "%s", path);
                cr_expect_eq(expect_lab_values(path, &ref, ids[i], &lab), 24, "%s", path);
                free(path);
        }
}

/* Expects the warnOnly flags of `ref` to be those of the JSON file. */
static void expect_warn_only_flags(const char *json_path, const struct pcrsim_reference *ref)
{
        json_error_t jerr;
        json_t *doc = json_load_file(json_path, 0, &jerr), *value;
        const char *key;

        cr_assert_not_null(doc, "%s: %s", json_path, jerr.text);
        cr_assert_eq(ref->set.banks[0].alg, SHA256_ID);
        json_object_foreach(doc, key, value) {
                int pcr = atoi(key);
                bool warn = json_is_true(json_object_get(value, "warnOnly"));

                cr_expect_eq(ref->warn_only[0][pcr], warn, "PCR %d warnOnly", pcr);
        }
        json_decref(doc);
}

Test(reference, measurements_json_and_yaml)
{
        const char *root = shared_or_skip();
        char *json = vector_path(root, "reference-formats/measurements-expected-warnonly.json");
        char *yaml = vector_path(root, "reference-formats/measurements-expected-warnonly.yaml");
        char *bare = vector_path(root, "reference-formats/measurements-bare-hex.json");
        struct bank_values lab;
        struct pcrsim_reference ref;
        unsigned n;

        load_lab_bank(root, "sha256", &lab);
        read_ok(json, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_MEASUREMENTS_JSON);
        n = expect_lab_values(json, &ref, SHA256_ID, &lab);
        cr_expect_gt(n, 0);
        expect_warn_only_flags(json, &ref);

        read_ok(yaml, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_MEASUREMENTS_YAML);
        cr_expect_eq(expect_lab_values(yaml, &ref, SHA256_ID, &lab), n);
        expect_warn_only_flags(json, &ref);

        /* Bare strings alone are ambiguous in length, so name the format. */
        read_ok(bare, &(struct pcrsim_ref_options){ .format = PCRSIM_REF_MEASUREMENTS_JSON }, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_MEASUREMENTS_JSON);
        cr_expect_gt(expect_lab_values(bare, &ref, SHA256_ID, &lab), 0);
        for (int pcr = 0; pcr < 24; pcr++)
                cr_expect(!ref.warn_only[0][pcr], "a bare hex string is enforced (PCR %d)", pcr);
        free(json);
        free(yaml);
        free(bare);
}

Test(reference, config_yaml_measurements_section)
{
        const char *root = shared_or_skip();
        char *path = vector_path(root, "reference-formats/config-with-measurements-base64.yaml");
        struct bank_values lab;
        struct pcrsim_reference ref;

        load_lab_bank(root, "sha256", &lab);
        read_ok(path, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_CONFIG_YAML);
        cr_expect_eq(ref.encoding, PCRSIM_REF_ENCODING_BASE64);
        /* The file lists PCRs 4, 8, 9, 11 and 12. */
        cr_expect_eq(expect_lab_values(path, &ref, SHA256_ID, &lab), 5);
        free(path);
}

Test(reference, sysfs_folder_and_bank_folder)
{
        const char *root = shared_or_skip();
        char *tpm0 = vector_path(root, "reference-formats/sysfs-tpm0");
        char *bank = vector_path(root, "reference-formats/sysfs-tpm0/pcr-sha1");
        struct bank_values sha1, sha256;
        struct pcrsim_reference ref;

        load_lab_bank(root, "sha1", &sha1);
        load_lab_bank(root, "sha256", &sha256);
        read_ok(tpm0, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_SYSFS);
        cr_expect_eq(ref.set.bank_count, 2);
        cr_expect_eq(expect_lab_values(tpm0, &ref, SHA1_ID, &sha1), 24);
        cr_expect_eq(expect_lab_values(tpm0, &ref, SHA256_ID, &sha256), 24);
        read_ok(bank, NULL, &ref);
        cr_expect_eq(ref.set.bank_count, 1);
        cr_expect_eq(expect_lab_values(bank, &ref, SHA1_ID, &sha1), 24);
        free(tpm0);
        free(bank);
}

Test(reference, go_source_old_shape)
{
        const char *root = shared_or_skip();
        char *path = vector_path(root, "reference-formats/pcr-reader-old-shape.go");
        struct bank_values lab;
        struct pcrsim_reference ref;

        load_lab_bank(root, "sha256", &lab);
        read_ok(path, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_GO);
        cr_expect_eq(expect_lab_values(path, &ref, SHA256_ID, &lab), 24);
        free(path);
}

Test(reference, tpm2_pcrread_yaml)
{
        const char *root = shared_or_skip();
        char *path = vector_path(root, "swtpm-quote-qemu-uki/pcrread.yaml");
        struct bank_values sha1, sha256;
        struct pcrsim_reference ref;

        /* swtpm was extended with the digests of qemu-ovmf-uki's log, so
         * its PCRs 0-9 hold the same values as the guest's TPM. */
        load_lab_bank(root, "sha1", &sha1);
        load_lab_bank(root, "sha256", &sha256);
        read_ok(path, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_TPM2_PCRREAD_YAML);
        cr_expect_eq(ref.set.bank_count, 2);
        for (int pcr = 0; pcr <= 9; pcr++) {
                cr_expect(memcmp(find_bank(&ref, SHA256_ID)->pcrs[pcr].digest, sha256.digest[pcr], 32) == 0,
                          "sha256 PCR %d", pcr);
                cr_expect(memcmp(find_bank(&ref, SHA1_ID)->pcrs[pcr].digest, sha1.digest[pcr], 20) == 0,
                          "sha1 PCR %d", pcr);
        }
        free(path);
}

/* ---- hand-written inputs ---- */

static const char sha256_zero_hex[] =
        "0000000000000000000000000000000000000000000000000000000000000000";
static const char sha256_ones_b64[] = "//////////////////////////////////////////8=";

static enum pcrsim_error_code parse_text(const char *text, const struct pcrsim_ref_options *opts,
                                         struct pcrsim_reference *ref, struct pcrsim_error *err)
{
        char *copy = malloc(strlen(text) + 1);
        enum pcrsim_error_code rc;

        cr_assert_not_null(copy);
        memcpy(copy, text, strlen(text));
        pcrsim_error_clear(err);
        rc = pcrsim_reference_parse(copy, strlen(text), opts, ref, err);
        free(copy);
        return rc;
}

/* Expects `text` to be rejected with a LIMIT error whose message contains
 * `needle` and whose offset is `offset`. */
static void expect_limit(const char *text, const char *needle, unsigned long long offset)
{
        struct pcrsim_reference ref;
        struct pcrsim_error err;
        enum pcrsim_error_code rc = parse_text(text, NULL, &ref, &err);

        cr_expect_eq(rc, PCRSIM_ERR_LIMIT, "accepted or wrong code %d: %s", rc, text);
        cr_expect(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  needle);
        cr_expect_eq(err.offset, offset, "offset %llu, expected %llu: %s",
                     (unsigned long long)err.offset, offset, err.message);
}

/* Expects `text` to be rejected with an error whose message contains
 * `needle` and whose offset is `offset`. */
static void expect_rejected(const char *text, const struct pcrsim_ref_options *opts,
                            const char *needle, unsigned long long offset)
{
        struct pcrsim_reference ref;
        struct pcrsim_error err;
        enum pcrsim_error_code rc = parse_text(text, opts, &ref, &err);

        cr_expect_eq(rc, PCRSIM_ERR_INVALID, "accepted or wrong code %d: %s", rc, text);
        cr_expect(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  needle);
        cr_expect_eq(err.offset, offset, "offset %llu, expected %llu: %s",
                     (unsigned long long)err.offset, offset, err.message);
}

Test(reference, malformed_values_rejected)
{
        char text[512];

        /* Offsets point at the value's opening quote: byte 6 after
         * {"0": and byte 7 after {"24": . */
        snprintf(text, sizeof(text), "{\"0\": \"%s\"}", "not*base64*at*all=");
        expect_rejected(text, NULL, "line 1, column 7: the value of PCR 0 is not hex or base64", 6);
        snprintf(text, sizeof(text), "{\"0\": \"%s\"}", "AAAA");
        expect_rejected(text, NULL, "is hex of 2 bytes, which is the digest size of no bank considered (sha1, sha256, sha384, sha512)", 6);
        snprintf(text, sizeof(text), "{\"0\": \"%s\"}", "AAAAAA==");
        expect_rejected(text, NULL, "is not hex or base64 of a digest", 6);
        snprintf(text, sizeof(text), "{\"24\": \"%s\"}", sha256_ones_b64);
        expect_rejected(text, NULL, "PCR index 24 is out of range", 7);
        snprintf(text, sizeof(text), "{\"1\": \"%s\",\n \"1\": \"%s\"}", sha256_ones_b64,
                 sha256_ones_b64);
        /* Line 1 is 53 bytes and its newline, so the second key's quote is
         * at byte 55. */
        expect_rejected(text, NULL, "line 2, column 2: key '1' appears a second time in one mapping (first at line 1)",
                        55);
        /* 70 nested arrays: the top object is level 1 and the first bracket,
         * at byte 6, level 2, so the bracket at byte 69 is level 65. */
        snprintf(text, sizeof(text), "{\"0\": %.70s%.70s}",
                 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                 "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
        expect_limit(text, "line 1, column 70: nested more than 64 levels deep", 69);
        snprintf(text, sizeof(text), "{\"0\": \"%s\",\n \"1\": \"%s\"}", sha256_ones_b64,
                 sha256_zero_hex);
        expect_rejected(text, NULL, "another length or encoding", 60);
        /* Cut before the closing brace: the error is at the end, byte 52. */
        snprintf(text, sizeof(text), "{\"0\": \"%s\"", sha256_ones_b64);
        expect_rejected(text, NULL, "did not find expected ',' or '}'", 52);
        expect_rejected("{\"x\": \"AAAA\"}", NULL, "neither PCR indices nor bank names", 0);
        expect_rejected("{\"0\": {\"warnOnly\": true}}", NULL, "has no \"expected\" member", 6);
        /* No values would make every comparison pass. */
        expect_rejected("{}", NULL, "the map holds no PCR values", 0);
        expect_rejected("package p\nvar v = map[uint32][]byte{\n}\n", NULL,
                        "the go input holds no PCR values", 0);
        expect_rejected("sha256: {}\n", NULL, "the tpm2-pcrread-yaml input holds no PCR values", 0);
        expect_rejected("{\"0\": {\"expected\": \"00\", \"warn\": true}}", NULL,
                        "unexpected member", 25);
}

Test(reference, hex_digits_read_as_hex)
{
        struct pcrsim_ref_options opts = { 0 };
        struct pcrsim_reference ref;
        struct pcrsim_error err;
        char text[256];

        /* 64 hex digits are also valid base64 of 48 bytes, but values made
         * only of hex digits are read as hex: SHA-256 here. */
        snprintf(text, sizeof(text), "{\"7\": \"%s\"}", sha256_zero_hex);
        cr_assert_eq(parse_text(text, NULL, &ref, &err), PCRSIM_OK, "%s", err.message);
        cr_expect_eq(ref.encoding, PCRSIM_REF_ENCODING_HEX);
        cr_expect_eq(ref.set.banks[0].alg, SHA256_ID);
        cr_expect(ref.set.banks[0].pcrs[7].present);

        /* With only SHA-384 considered, the hex reading fits no bank, and
         * reading the digits as base64 would invent a value. */
        opts.bank_count = 1;
        opts.banks[0] = SHA384_ID;
        expect_rejected(text, &opts, "if they are base64, name the format with --expected-format", 0);

        /* Named as base64, the same digits are a SHA-384 value. */
        opts.format = PCRSIM_REF_PCR_READER_JSON;
        cr_assert_eq(parse_text(text, &opts, &ref, &err), PCRSIM_OK, "%s", err.message);
        cr_expect_eq(ref.encoding, PCRSIM_REF_ENCODING_BASE64);
        cr_expect_eq(ref.set.banks[0].size, 48);
        /* base64 "0000" decodes to d3 4d 34. */
        cr_expect_eq(ref.set.banks[0].pcrs[7].digest[0], 0xd3);
        cr_expect(!ref.format_detected);
}

Test(reference, same_size_banks_need_bank)
{
        struct pcrsim_ref_options opts = { .bank_count = 2, .banks = { SHA256_ID, 0x0012 } };
        char text[256];

        /* SHA-256 and SM3-256 digests have the same size. */
        snprintf(text, sizeof(text), "{\"7\": \"%s\"}", sha256_zero_hex);
        expect_rejected(text, &opts, "fit more than one bank or encoding", 0);
}

Test(reference, text_list_and_pcrread_variants)
{
        struct pcrsim_reference ref;
        struct pcrsim_error err;
        char text[512];

        snprintf(text, sizeof(text), "# bank index value\nsha256 0 %s\n\nsha1 10 0x%s\n",
                 sha256_zero_hex, "ffffffffffffffffffffffffffffffffffffffff");
        cr_assert_eq(parse_text(text, NULL, &ref, &err), PCRSIM_OK, "%s", err.message);
        cr_expect_eq(ref.format, PCRSIM_REF_TEXT);
        cr_expect_eq(ref.value_count, 2);
        cr_expect_eq(find_bank(&ref, SHA1_ID)->pcrs[10].digest[19], 0xff);

        /* Older tpm2-tools put a space before the colon and print no 0x. */
        snprintf(text, sizeof(text), "sha256 :\n  0  : %s\n  23 : 0x%s\n", sha256_zero_hex,
                 sha256_zero_hex);
        cr_assert_eq(parse_text(text, NULL, &ref, &err), PCRSIM_OK, "%s", err.message);
        cr_expect_eq(ref.format, PCRSIM_REF_TPM2_PCRREAD_YAML);
        cr_expect(find_bank(&ref, SHA256_ID)->pcrs[23].present);

        /* "sha256:\n" is 8 bytes and "  0 : " 6 more, so the value is at 14. */
        snprintf(text, sizeof(text), "sha256:\n  0 : 0x%s\n", "00ff");
        expect_rejected(text, NULL, "has 2 bytes, but a sha256 value has 32", 14);
        snprintf(text, sizeof(text), "sha256 24 %s\n", sha256_zero_hex);
        expect_rejected(text, NULL, "line 1: PCR index 24 is out of range", 10);
}

Test(reference, go_output_of_replay_reads_back)
{
        char *log = tu_path_join(tu_source_root(), "vectors/synth-agile-sha1-sha256/eventlog.bin");
        const char *go_args[] = { "replay", "-q", "--format", "go", log, NULL };
        const char *json_args[] = { "replay", "-q", "--format", "json", log, NULL };
        struct tu_result go, json;
        struct pcrsim_reference from_go, from_json;
        struct pcrsim_error err;

        cr_assert(tu_run(&go, go_args, 30) && tu_run(&json, json_args, 30));
        cr_assert_eq(go.exit_code, 0, "%s", go.err);
        cr_assert_eq(pcrsim_reference_parse(go.out, go.out_len, NULL, &from_go, &err), PCRSIM_OK,
                     "%s", err.message);
        cr_assert_eq(pcrsim_reference_parse(json.out, json.out_len, NULL, &from_json, &err),
                     PCRSIM_OK, "%s", err.message);
        cr_expect_eq(from_go.format, PCRSIM_REF_GO);
        cr_expect_eq(from_json.format, PCRSIM_REF_PCR_READER_JSON);
        cr_expect_eq(from_go.value_count, 24);
        cr_expect(memcmp(&from_go.set.banks[0], &from_json.set.banks[0], sizeof(from_go.set.banks[0])) == 0,
                  "the Go and JSON outputs read back differently");
        tu_result_free(&go);
        tu_result_free(&json);
        free(log);
}

/* Every bank of "replay --bank all" in JSON and YAML (base64 in a map of
 * banks) reads back as the values of the single-bank outputs. */
Test(reference, all_banks_output_of_replay_reads_back)
{
        char *log = tu_path_join(tu_source_root(), "vectors/synth-agile-sha1-sha256/eventlog.bin");
        static const char *const formats[] = { "json", "yaml" };

        for (size_t f = 0; f < 2; f++) {
                const char *all_args[] = { "replay", "-q", "-b", "all", "--format", formats[f], log, NULL };
                struct tu_result all;
                struct pcrsim_reference from_all;
                struct pcrsim_error err;

                cr_assert(tu_run(&all, all_args, 30));
                cr_assert_eq(all.exit_code, 0, "%s", all.err);
                pcrsim_error_clear(&err);
                cr_assert_eq(pcrsim_reference_parse(all.out, all.out_len, NULL, &from_all, &err), PCRSIM_OK,
                             "%s: %s", formats[f], err.message);
                cr_expect_eq(from_all.encoding, PCRSIM_REF_ENCODING_BASE64);
                cr_expect_eq(from_all.value_count, 48, "%s: %zu values", formats[f],
                             (size_t)from_all.value_count);
                for (size_t b = 0; b < 2; b++) {
                        const char *bank = b ? "sha256" : "sha1";
                        const char *one_args[] = { "replay", "-q", "-b", bank, "--format", "json", log, NULL };
                        struct tu_result one;
                        struct pcrsim_reference from_one;
                        const struct pcrsim_pcr_bank *x = NULL;

                        cr_assert(tu_run(&one, one_args, 30));
                        cr_assert_eq(pcrsim_reference_parse(one.out, one.out_len, NULL, &from_one, &err),
                                     PCRSIM_OK, "%s", err.message);
                        for (uint32_t k = 0; k < from_all.set.bank_count; k++)
                                if (from_all.set.banks[k].alg == from_one.set.banks[0].alg)
                                        x = &from_all.set.banks[k];
                        cr_assert_not_null(x, "%s: bank %s missing", formats[f], bank);
                        cr_expect(memcmp(x, &from_one.set.banks[0], sizeof(*x)) == 0,
                                  "%s: bank %s reads back differently", formats[f], bank);
                        tu_result_free(&one);
                }
                tu_result_free(&all);
        }
        free(log);
}

Test(reference, tpm2_quote_pcr_file)
{
        const char *root = shared_or_skip();
        char *path = vector_path(root, "swtpm-quote-qemu-uki/quote.pcrs");
        struct bank_values lab;
        struct pcrsim_reference ref;

        /* The quote covers sha256 PCRs 0-9 and 11, and swtpm held the
         * values of the qemu-ovmf-uki guest's TPM in them. */
        load_lab_bank(root, "sha256", &lab);
        read_ok(path, NULL, &ref);
        cr_expect_eq(ref.format, PCRSIM_REF_TPM2_PCRS);
        cr_expect(ref.format_detected);
        cr_expect_eq(expect_lab_values(path, &ref, SHA256_ID, &lab), 11);
        cr_expect(!find_bank(&ref, SHA256_ID)->pcrs[10].present);
        free(path);
}
