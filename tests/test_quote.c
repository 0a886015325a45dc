/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the TPM 2.0 quote readers and checks.
 *
 * Expected values come from outside pcrsim. They are the MANIFEST.yaml of
 * each shared vector folder and the text that tpm2_pcrread and tpm2_quote
 * 5.4 printed for the same quote (pcrread.yaml, quote.yaml). Others are
 * hashes computed here with OpenSSL over buffers built by hand, and
 * structures built with libtss2-mu's marshalling functions. Signatures of
 * other keys are made here with OpenSSL. The last test makes fresh quotes with swtpm and
 * tpm2-tools when both are installed, and checks them against the
 * digest that tpm2_quote itself prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <yaml.h>

/* tss2_mu.h declares functions on a type that tpm2-tss 3.2 deprecates. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <tss2/tss2_mu.h>
#pragma GCC diagnostic pop

#include "pcrsim/alg.h"
#include "pcrsim/quote.h"
#include "testutil.h"

extern char **environ;

#define QUOTE_VECTOR "swtpm-quote-qemu-uki"
#define ATTEST_VECTOR "quote-swtpm-attest"

#define SHA1 0x0004u
#define SHA256 0x000bu
#define SHA384 0x000cu

/* Layout of the tpm2-tools PCR file, from the sizes of the tpm2-tss 3.2
 * structures on x86-64. TPML_PCR_SELECTION is 132 bytes and a 4-byte
 * count follows. Each TPML_DIGEST list is 532 bytes: a 4-byte count and
 * eight 66-byte TPM2B_DIGEST. */
#define FILE_LISTS_OFFSET 136u
#define FILE_LIST_SIZE 532u
#define FILE_DIGEST_SIZE 66u

static void quiet_tss2(void)
{
        /* libtss2-mu prints the values it rejects unless TSS2_LOG turns it off. */
        setenv("TSS2_LOG", "all+none", 1);
}

TestSuite(quote, .init = quiet_tss2);

static void hex_to_bytes(const char *hex, uint8_t *out, size_t size)
{
        cr_assert_eq(strlen(hex), size * 2, "hex string %s is not %zu bytes", hex, size);
        for (size_t i = 0; i < size; i++) {
                unsigned v;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1, "bad hex in %s", hex);
                out[i] = (uint8_t)v;
        }
}

/* Returns the path of a shared vector folder, or skips the test with a
 * note on standard error when the folder is absent. The caller frees. */
static char *vector_dir(const char *name)
{
        const char *root = tu_shared_vectors();
        struct stat st;
        char *dir;

        if (!root) {
                fprintf(stderr, "test_quote: SKIP: the shared vector folder is absent "
                        "(set PCRSIM_SHARED_VECTORS to use it)\n");
                cr_skip_test("shared vectors absent");
        }
        dir = tu_path_join(root, name);
        cr_assert_not_null(dir);
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
                fprintf(stderr, "test_quote: SKIP: vector folder %s is absent\n", dir);
                free(dir);
                cr_skip_test("vector folder absent");
        }
        return dir;
}

/* Reads a file of a shared vector folder; skips when the folder is
 * absent, fails when the file is. */
static uint8_t *read_vector(const char *folder, const char *name, size_t *size)
{
        char *dir = vector_dir(folder);
        char *path = tu_path_join(dir, name);
        uint8_t *data;

        cr_assert_not_null(path);
        data = (uint8_t *)tu_read_file(path, size);
        cr_assert_not_null(data, "cannot read %s", path);
        free(path);
        free(dir);
        return data;
}

/* Returns the scalar at SECTION.KEY (or at KEY when `section` is NULL) of
 * a vector's MANIFEST.yaml, newly allocated. Fails the test if absent. */
static char *manifest_scalar(const char *folder, const char *section, const char *key)
{
        char *dir = vector_dir(folder);
        char *path = tu_path_join(dir, "MANIFEST.yaml");
        yaml_parser_t parser;
        yaml_document_t doc;
        yaml_node_t *node;
        char *value = NULL;
        FILE *f = fopen(path, "rb");

        cr_assert_not_null(f, "cannot open %s", path);
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_file(&parser, f);
        cr_assert(yaml_parser_load(&parser, &doc), "cannot parse %s", path);
        node = yaml_document_get_root_node(&doc);
        for (int depth = section ? 0 : 1; depth < 2 && node; depth++) {
                const char *want = depth == 0 ? section : key;
                yaml_node_t *found = NULL;

                if (node->type != YAML_MAPPING_NODE)
                        break;
                for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
                     p < node->data.mapping.pairs.top; p++) {
                        yaml_node_t *k = yaml_document_get_node(&doc, p->key);

                        if (k && k->type == YAML_SCALAR_NODE &&
                            strcmp((const char *)k->data.scalar.value, want) == 0)
                                found = yaml_document_get_node(&doc, p->value);
                }
                node = found;
        }
        if (node && node->type == YAML_SCALAR_NODE)
                value = strdup((const char *)node->data.scalar.value);
        cr_assert_not_null(value, "%s has no %s.%s", path, section ? section : "", key);
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        fclose(f);
        free(path);
        free(dir);
        return value;
}

/*
 * Loads the values of one bank from tpm2_pcrread or tpm2_quote text output
 * ("  sha256:" followed by "    N : 0xHEX" lines) into `set`.
 */
static void load_pcr_text(const char *text, const char *bank, struct pcrsim_pcr_set *set)
{
        const struct pcrsim_alg_info *alg = pcrsim_alg_by_name(bank);
        struct pcrsim_pcr_bank *b;
        char header[32];
        const char *line;
        unsigned found = 0;

        cr_assert_not_null(alg);
        snprintf(header, sizeof(header), "\n  %s:\n", bank);
        line = strstr(text, header);
        cr_assert_not_null(line, "no %s section in the PCR text", bank);
        line += strlen(header);
        cr_assert_lt(set->bank_count, PCRSIM_MAX_ALGORITHMS);
        b = &set->banks[set->bank_count++];
        b->alg = alg->id;
        b->size = alg->digest_size;
        while (strncmp(line, "    ", 4) == 0) {
                char hex[2 * PCRSIM_MAX_DIGEST_SIZE + 1];
                unsigned pcr;

                cr_assert_eq(sscanf(line, "%u : 0x%128s", &pcr, hex), 2, "bad line %.40s",
                             line);
                cr_assert_lt(pcr, PCRSIM_PCR_COUNT);
                hex_to_bytes(hex, b->pcrs[pcr].digest, alg->digest_size);
                b->pcrs[pcr].present = true;
                found++;
                line = strchr(line, '\n');
                if (!line)
                        break;
                line++;
        }
        cr_assert_gt(found, 0, "no values under %s", bank);
}

/* Removes every PCR of `bank` from `set` except those in `keep`. */
static void keep_only(struct pcrsim_pcr_set *set, uint16_t alg, const unsigned *keep, size_t n)
{
        for (uint32_t i = 0; i < set->bank_count; i++) {
                if (set->banks[i].alg != alg)
                        continue;
                for (unsigned pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        bool wanted = false;

                        for (size_t k = 0; k < n; k++)
                                wanted |= keep[k] == pcr;
                        set->banks[i].pcrs[pcr].present &= wanted;
                }
        }
}

static struct pcrsim_pcr_bank *bank_of(struct pcrsim_pcr_set *set, uint16_t alg)
{
        for (uint32_t i = 0; i < set->bank_count; i++)
                if (set->banks[i].alg == alg)
                        return &set->banks[i];
        return NULL;
}

/* The parsed real quote and what its MANIFEST.yaml and tpm2-tools
 * output give for it. */
struct real_quote {
        struct pcrsim_quote_attest *attest;
        struct pcrsim_quote_signature *sig;
        struct pcrsim_quote_key *pem_key;
        struct pcrsim_quote_key *tpm2b_key;
        uint8_t *msg;
        size_t msg_size;
        uint8_t nonce[8];
        struct pcrsim_pcr_set pcrs; /* sha256 PCRs 0-9 and 11 from pcrread.yaml */
        uint8_t calc_digest[32];    /* "calcDigest" that tpm2_quote printed */
};

static void parse_ok(enum pcrsim_error_code rc, const struct pcrsim_error *err, const char *what)
{
        cr_assert_eq(rc, PCRSIM_OK, "%s: %s", what, err->message);
}

static void load_real_quote(struct real_quote *q)
{
        static const unsigned selected[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11 };
        struct pcrsim_error err;
        uint8_t *sig, *pem, *tpm2b;
        size_t sig_size, pem_size, tpm2b_size, text_size;
        char *nonce, *text, *calc;

        memset(q, 0, sizeof(*q));
        pcrsim_error_clear(&err);
        q->msg = read_vector(QUOTE_VECTOR, "quote.msg", &q->msg_size);
        sig = read_vector(QUOTE_VECTOR, "quote.sig", &sig_size);
        pem = read_vector(QUOTE_VECTOR, "ak.pem", &pem_size);
        tpm2b = read_vector(QUOTE_VECTOR, "ak.tpm2b_public", &tpm2b_size);
        parse_ok(pcrsim_quote_attest_parse(q->msg, q->msg_size, &q->attest, &err), &err,
                 "quote.msg");
        parse_ok(pcrsim_quote_signature_parse(sig, sig_size, &q->sig, &err), &err, "quote.sig");
        parse_ok(pcrsim_quote_key_parse(pem, pem_size, &q->pem_key, &err), &err, "ak.pem");
        parse_ok(pcrsim_quote_key_parse(tpm2b, tpm2b_size, &q->tpm2b_key, &err), &err,
                 "ak.tpm2b_public");

        nonce = manifest_scalar(QUOTE_VECTOR, "expected", "nonce");
        cr_assert_not_null(nonce, "the manifest gives no expected.nonce");
        hex_to_bytes(nonce, q->nonce, sizeof(q->nonce));

        text = (char *)read_vector(QUOTE_VECTOR, "pcrread.yaml", &text_size);
        load_pcr_text(text, "sha256", &q->pcrs);
        keep_only(&q->pcrs, SHA256, selected, sizeof(selected) / sizeof(selected[0]));
        free(text);

        text = (char *)read_vector(QUOTE_VECTOR, "quote.yaml", &text_size);
        calc = strstr(text, "calcDigest: ");
        cr_assert_not_null(calc, "quote.yaml has no calcDigest");
        calc[strlen("calcDigest: ") + 64] = '\0';
        hex_to_bytes(calc + strlen("calcDigest: "), q->calc_digest, sizeof(q->calc_digest));
        free(text);
        free(nonce);
        free(sig);
        free(pem);
        free(tpm2b);
}

static void free_real_quote(struct real_quote *q)
{
        pcrsim_quote_attest_free(q->attest);
        pcrsim_quote_signature_free(q->sig);
        pcrsim_quote_key_free(q->pem_key);
        pcrsim_quote_key_free(q->tpm2b_key);
        free(q->msg);
}

static void verify_ok(const struct pcrsim_quote_attest *attest,
                      const struct pcrsim_quote_signature *sig,
                      const struct pcrsim_quote_key *key,
                      const struct pcrsim_quote_expect *expect,
                      struct pcrsim_quote_result *result)
{
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_quote_verify(attest, sig, key, expect, result, &err), PCRSIM_OK,
                     "verify: %s", err.message);
}

static void expect_verdict(const struct pcrsim_quote_result *result,
                           enum pcrsim_quote_check_id id, enum pcrsim_quote_verdict verdict)
{
        const struct pcrsim_quote_check *check = &result->checks[id];

        cr_expect_eq(check->verdict, verdict, "%s check is \"%s\", not \"%s\": %s",
                     pcrsim_quote_check_name(id), pcrsim_quote_verdict_name(check->verdict),
                     pcrsim_quote_verdict_name(verdict), check->message);
}

static void expect_all_pass(const struct pcrsim_quote_result *result)
{
        for (int id = 0; id < PCRSIM_QUOTE_CHECK_COUNT; id++)
                expect_verdict(result, id, PCRSIM_QUOTE_PASS);
        cr_expect_not(pcrsim_quote_result_failed(result));
}

/* Fails unless `rc` is an error of class `code` whose message contains
 * `needle` (when not NULL). */
static void expect_error(enum pcrsim_error_code rc, enum pcrsim_error_code code,
                         const struct pcrsim_error *err, const char *needle)
{
        cr_expect_eq(rc, code, "error %s, not %s: %s", pcrsim_error_code_name(rc),
                     pcrsim_error_code_name(code), err->message);
        if (needle)
                cr_expect_not_null(strstr(err->message, needle), "message \"%s\" lacks \"%s\"",
                                   err->message, needle);
}

Test(quote, real_quote_fields)
{
        static const uint8_t want_pcrs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11 };
        struct pcrsim_quote_attest_info info;
        struct pcrsim_quote_selection sel;
        struct pcrsim_error err;
        struct real_quote q;
        TPMS_ATTEST direct;
        size_t off = 0;
        char *selection;

        load_real_quote(&q);
        pcrsim_error_clear(&err);
        pcrsim_quote_attest_get_info(q.attest, &info);
        cr_expect_eq(info.magic, 0xff544347u);
        cr_expect_eq(info.type, 0x8018);
        cr_expect(info.is_quote);
        cr_expect_eq(info.size, q.msg_size);
        cr_assert_eq(info.extra_data_size, sizeof(q.nonce));
        cr_expect_arr_eq(info.extra_data, q.nonce, sizeof(q.nonce));
        cr_assert_eq(info.pcr_digest_size, 32);
        cr_expect_arr_eq(info.pcr_digest, q.calc_digest, 32, "pcrDigest is not calcDigest");

        /* The manifest's selection is written "sha256:0,1,...,11". */
        selection = manifest_scalar(QUOTE_VECTOR, "expected", "pcr_selection");
        cr_assert_not_null(selection);
        cr_expect_str_eq(selection, "sha256:0,1,2,3,4,5,6,7,8,9,11");
        free(selection);
        parse_ok(pcrsim_quote_attest_selection(q.attest, &sel, &err), &err, "selection");
        cr_assert_eq(sel.count, 1);
        cr_expect_eq(sel.banks[0].alg, SHA256);
        cr_assert_eq(sel.banks[0].pcr_count, sizeof(want_pcrs));
        cr_expect_arr_eq(sel.banks[0].pcrs, want_pcrs, sizeof(want_pcrs));

        /* libtss2-mu's whole-structure reader agrees with the field walk. */
        cr_assert_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(q.msg, q.msg_size, &off, &direct), 0);
        cr_expect_eq(off, q.msg_size);
        cr_expect_eq(direct.clockInfo.clock, info.clock);
        cr_expect_eq(direct.clockInfo.resetCount, info.reset_count);
        cr_expect_eq(direct.clockInfo.restartCount, info.restart_count);
        cr_expect_eq(direct.firmwareVersion, info.firmware_version);
        cr_expect_eq(direct.qualifiedSigner.size, info.qualified_signer_size);
        free_real_quote(&q);
}

Test(quote, real_quote_verifies)
{
        struct pcrsim_quote_expect expect;
        struct pcrsim_quote_result result;
        struct real_quote q;

        load_real_quote(&q);
        expect = (struct pcrsim_quote_expect){ q.nonce, sizeof(q.nonce), &q.pcrs };
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_all_pass(&result);
        cr_expect_eq(result.digest_alg, SHA256);
        cr_assert(result.has_expected_digest);
        cr_assert_eq(result.expected_digest_size, 32);
        cr_expect_arr_eq(result.expected_digest, q.calc_digest, 32);

        verify_ok(q.attest, q.sig, q.tpm2b_key, &expect, &result);
        expect_all_pass(&result);
        free_real_quote(&q);
}

Test(quote, real_key_info)
{
        struct pcrsim_quote_key_info info;
        struct pcrsim_quote_signature_info sig_info;
        struct real_quote q;

        load_real_quote(&q);
        pcrsim_quote_key_get_info(q.tpm2b_key, &info);
        cr_expect_eq(info.format, PCRSIM_QUOTE_KEY_TPM2B_PUBLIC);
        cr_expect_eq(info.type, 0x0001);
        cr_expect_eq(info.bits, 2048);
        cr_expect_eq(info.scheme, 0x0014, "the manifest names an RSASSA-SHA256 key");
        cr_expect_eq(info.scheme_hash, SHA256);
        cr_expect(info.has_attributes);
        cr_expect(info.attributes & 0x00010000u, "restricted");
        cr_expect(info.attributes & 0x00040000u, "sign");

        pcrsim_quote_key_get_info(q.pem_key, &info);
        cr_expect_eq(info.format, PCRSIM_QUOTE_KEY_PEM);
        cr_expect_eq(info.type, 0x0001);
        cr_expect_eq(info.bits, 2048);
        cr_expect_eq(info.scheme, 0x0010);
        cr_expect_not(info.has_attributes);

        pcrsim_quote_signature_get_info(q.sig, &sig_info);
        cr_expect_eq(sig_info.sig_alg, 0x0014);
        cr_expect_eq(sig_info.hash_alg, SHA256);
        free_real_quote(&q);
}

Test(quote, real_pcr_files)
{
        struct pcrsim_pcr_set from_file, from_values;
        struct pcrsim_quote_selection sel;
        struct pcrsim_pcr_bank *got, *want;
        struct pcrsim_error err;
        struct real_quote q;
        uint8_t *data;
        size_t size;

        load_real_quote(&q);
        pcrsim_error_clear(&err);
        data = read_vector(QUOTE_VECTOR, "quote.pcrs", &size);
        parse_ok(pcrsim_quote_pcr_file_parse(data, size, &from_file, &err), &err, "quote.pcrs");
        free(data);
        parse_ok(pcrsim_quote_attest_selection(q.attest, &sel, &err), &err, "selection");
        data = read_vector(QUOTE_VECTOR, "pcrread-sha256-0-9-11.bin", &size);
        parse_ok(pcrsim_quote_pcr_values_parse(data, size, &sel, &from_values, &err), &err,
                 "pcrread-sha256-0-9-11.bin");
        free(data);

        want = bank_of(&q.pcrs, SHA256);
        for (int which = 0; which < 2; which++) {
                struct pcrsim_pcr_set *set = which ? &from_values : &from_file;

                cr_assert_eq(set->bank_count, 1);
                got = bank_of(set, SHA256);
                cr_assert_not_null(got);
                cr_expect_eq(got->size, 32);
                for (unsigned pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        cr_expect_eq(got->pcrs[pcr].present, want->pcrs[pcr].present,
                                     "PCR %u presence", pcr);
                        if (want->pcrs[pcr].present)
                                cr_expect_arr_eq(got->pcrs[pcr].digest, want->pcrs[pcr].digest,
                                                 32, "PCR %u differs from pcrread.yaml", pcr);
                }
        }
        free_real_quote(&q);
}

Test(quote, issue_attest_fields)
{
        struct pcrsim_quote_attest_info info;
        struct pcrsim_quote_selection sel;
        struct pcrsim_quote_attest *attest;
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_pcr_set set;
        struct pcrsim_error err;
        uint8_t want_digest[32], digest[PCRSIM_MAX_DIGEST_SIZE], extra[3];
        uint16_t digest_size = 0;
        char *text;
        uint8_t *data;
        size_t size;

        pcrsim_error_clear(&err);
        data = read_vector(ATTEST_VECTOR, "quote.attest", &size);
        parse_ok(pcrsim_quote_attest_parse(data, size, &attest, &err), &err, "quote.attest");
        pcrsim_quote_attest_get_info(attest, &info);

        text = manifest_scalar(ATTEST_VECTOR, "decoded", "magic");
        cr_expect_eq(info.magic, strtoull(text, NULL, 10));
        free(text);
        text = manifest_scalar(ATTEST_VECTOR, "decoded", "type");
        cr_expect_eq(info.type, strtoull(text, NULL, 10));
        free(text);
        text = manifest_scalar(ATTEST_VECTOR, "decoded", "qualified_signer_bytes");
        cr_expect_eq(info.qualified_signer_size, strtoull(text, NULL, 10));
        free(text);
        text = manifest_scalar(ATTEST_VECTOR, "decoded", "clock");
        cr_expect_eq(info.clock, strtoull(text, NULL, 10));
        free(text);
        text = manifest_scalar(ATTEST_VECTOR, "decoded", "firmware_version");
        cr_expect_eq(info.firmware_version, strtoull(text, NULL, 10));
        free(text);
        text = manifest_scalar(ATTEST_VECTOR, "decoded", "extra_data");
        hex_to_bytes(text, extra, sizeof(extra));
        free(text);
        cr_assert_eq(info.extra_data_size, sizeof(extra));
        cr_expect_arr_eq(info.extra_data, extra, sizeof(extra));
        text = manifest_scalar(ATTEST_VECTOR, "decoded", "pcr_digest");
        hex_to_bytes(text, want_digest, sizeof(want_digest));
        free(text);
        cr_assert_eq(info.pcr_digest_size, 32);
        cr_expect_arr_eq(info.pcr_digest, want_digest, 32);

        /* The manifest: bitmap 00 80 41, PCRs 15, 16 and 22 of sha256. */
        parse_ok(pcrsim_quote_attest_selection(attest, &sel, &err), &err, "selection");
        cr_assert_eq(sel.count, 1);
        cr_expect_eq(sel.banks[0].alg, SHA256);
        cr_assert_eq(sel.banks[0].pcr_count, 3);
        cr_expect_eq(sel.banks[0].pcrs[0], 15);
        cr_expect_eq(sel.banks[0].pcrs[1], 16);
        cr_expect_eq(sel.banks[0].pcrs[2], 22);

        /* The manifest: SHA256(PCR15 || PCR16 || PCR22) with 15 and 16 zero
         * and 22 all ones, its reset value. */
        memset(&set, 0, sizeof(set));
        set.bank_count = 1;
        set.banks[0].alg = SHA256;
        set.banks[0].size = 32;
        set.banks[0].pcrs[15].present = true;
        set.banks[0].pcrs[16].present = true;
        set.banks[0].pcrs[22].present = true;
        memset(set.banks[0].pcrs[22].digest, 0xff, 32);
        parse_ok(pcrsim_quote_pcr_digest(&sel, SHA256, &set, digest, &digest_size, &err), &err,
                 "digest");
        cr_assert_eq(digest_size, 32);
        cr_expect_arr_eq(digest, want_digest, 32);

        /* Without a signature, the digest's hash is unknown. */
        expect = (struct pcrsim_quote_expect){ extra, sizeof(extra), &set };
        verify_ok(attest, NULL, NULL, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_MAGIC, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_TYPE, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_SIGNATURE, PCRSIM_QUOTE_NOT_CHECKED);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_NOT_CHECKED);
        cr_expect_not(pcrsim_quote_result_failed(&result));
        pcrsim_quote_attest_free(attest);
        free(data);
}

/* Parses a changed copy of the real quote's TPMS_ATTEST. */
static struct pcrsim_quote_attest *parse_changed(const struct real_quote *q, size_t at,
                                                 const uint8_t *bytes, size_t n)
{
        struct pcrsim_quote_attest *attest;
        struct pcrsim_error err;
        uint8_t *copy = malloc(q->msg_size);

        cr_assert_not_null(copy);
        memcpy(copy, q->msg, q->msg_size);
        memcpy(copy + at, bytes, n);
        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_attest_parse(copy, q->msg_size, &attest, &err), &err, "changed");
        free(copy);
        return attest;
}

Test(quote, reject_changed_magic)
{
        static const uint8_t magic[] = { 0xff, 0x54, 0x43, 0x48 };
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_quote_attest *attest;
        struct real_quote q;

        load_real_quote(&q);
        attest = parse_changed(&q, 0, magic, sizeof(magic));
        expect = (struct pcrsim_quote_expect){ q.nonce, sizeof(q.nonce), &q.pcrs };
        verify_ok(attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_MAGIC, PCRSIM_QUOTE_FAIL);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_TYPE, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_SIGNATURE, PCRSIM_QUOTE_FAIL);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_PASS);
        cr_expect(pcrsim_quote_result_failed(&result));
        cr_expect_not_null(strstr(result.checks[0].message, "0xff544348"));
        pcrsim_quote_attest_free(attest);
        free_real_quote(&q);
}

Test(quote, reject_nv_certify_type)
{
        static const uint8_t type[] = { 0x80, 0x14 };
        struct pcrsim_quote_selection sel;
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_quote_attest *attest;
        struct pcrsim_error err;
        struct real_quote q;

        load_real_quote(&q);
        pcrsim_error_clear(&err);
        attest = parse_changed(&q, 4, type, sizeof(type));
        expect = (struct pcrsim_quote_expect){ q.nonce, sizeof(q.nonce), &q.pcrs };
        verify_ok(attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_MAGIC, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_TYPE, PCRSIM_QUOTE_FAIL);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_SIGNATURE, PCRSIM_QUOTE_FAIL);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_NOT_CHECKED);
        cr_expect(pcrsim_quote_result_failed(&result));
        cr_expect_not_null(strstr(result.checks[PCRSIM_QUOTE_CHECK_TYPE].message,
                                  "TPM_ST_ATTEST_NV"));
        expect_error(pcrsim_quote_attest_selection(attest, &sel, &err), PCRSIM_ERR_INVALID,
                     &err, "not TPM_ST_ATTEST_QUOTE");
        pcrsim_quote_attest_free(attest);
        free_real_quote(&q);
}

Test(quote, reject_wrong_nonce)
{
        static const uint8_t other[] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78 };
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct real_quote q;

        load_real_quote(&q);
        expect = (struct pcrsim_quote_expect){ other, sizeof(other), &q.pcrs };
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_SIGNATURE, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_FAIL);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_PASS);
        cr_expect_not_null(strstr(result.checks[PCRSIM_QUOTE_CHECK_NONCE].message,
                                  "0011223344556678"));

        /* A prefix of the right nonce is not the nonce. */
        expect.nonce = q.nonce;
        expect.nonce_size = sizeof(q.nonce) - 1;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_FAIL);

        /* No nonce given: not checked, and not a failure. */
        expect.nonce = NULL;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_NOT_CHECKED);
        cr_expect_not(pcrsim_quote_result_failed(&result));
        free_real_quote(&q);
}

Test(quote, reject_other_pcr_values)
{
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_pcr_set set;
        struct real_quote q;
        const char *message;

        load_real_quote(&q);
        expect = (struct pcrsim_quote_expect){ q.nonce, sizeof(q.nonce), &set };

        /* PCR 11 is selected by the quote, so its absence fails. */
        set = q.pcrs;
        bank_of(&set, SHA256)->pcrs[11].present = false;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_FAIL);
        message = result.checks[PCRSIM_QUOTE_CHECK_PCR_DIGEST].message;
        cr_expect_not_null(strstr(message, "sha256 PCR 11"), "%s", message);

        /* One changed value. */
        set = q.pcrs;
        bank_of(&set, SHA256)->pcrs[4].digest[31] ^= 1;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_FAIL);
        cr_expect(result.has_expected_digest);
        cr_expect_arr_neq(result.expected_digest, q.calc_digest, 32);

        /* A PCR that the quote does not select changes nothing. */
        set = q.pcrs;
        bank_of(&set, SHA256)->pcrs[10].present = true;
        memset(bank_of(&set, SHA256)->pcrs[10].digest, 0xab, 32);
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_all_pass(&result);

        /* Values in another bank only: the selected bank is missing. */
        set = q.pcrs;
        set.banks[0].alg = SHA1;
        set.banks[0].size = 20;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_FAIL);
        message = result.checks[PCRSIM_QUOTE_CHECK_PCR_DIGEST].message;
        cr_expect_not_null(strstr(message, "no sha256 bank"), "%s", message);

        /* A sha256 bank of 20-byte values. */
        set = q.pcrs;
        set.banks[0].size = 20;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_FAIL);

        /* No values given: not checked. */
        expect.pcrs = NULL;
        verify_ok(q.attest, q.sig, q.pem_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_NOT_CHECKED);
        cr_expect_arr_eq(result.quoted_digest, q.calc_digest, 32);
        free_real_quote(&q);
}

/* Writes a public key of `pkey` as PEM and parses it. */
static struct pcrsim_quote_key *pem_key_of(EVP_PKEY *pkey)
{
        struct pcrsim_quote_key *key;
        struct pcrsim_error err;
        BIO *bio = BIO_new(BIO_s_mem());
        char *pem;
        long size;

        cr_assert_not_null(bio);
        cr_assert_eq(PEM_write_bio_PUBKEY(bio, pkey), 1);
        size = BIO_get_mem_data(bio, &pem);
        cr_assert_gt(size, 0);
        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_key_parse(pem, (size_t)size, &key, &err), &err, "PEM key");
        BIO_free(bio);
        return key;
}

/* Writes a public key of `pkey` as DER into a new buffer. */
static uint8_t *der_of(EVP_PKEY *pkey, size_t *size)
{
        unsigned char *der = NULL;
        int len = i2d_PUBKEY(pkey, &der);
        uint8_t *copy;

        cr_assert_gt(len, 0);
        copy = malloc((size_t)len + 1);
        cr_assert_not_null(copy);
        memcpy(copy, der, (size_t)len);
        OPENSSL_free(der);
        *size = (size_t)len;
        return copy;
}

/* Builds a TPM2B_PUBLIC of `pkey` with the signing scheme `scheme` and
 * `hash` (TPM_ALG_NULL for none), marshals it with libtss2-mu and parses
 * it. */
static struct pcrsim_quote_key *tpm2b_key_of(EVP_PKEY *pkey, uint16_t scheme, uint16_t hash,
                                             uint32_t attributes)
{
        struct pcrsim_quote_key *key;
        struct pcrsim_error err;
        TPM2B_PUBLIC pub;
        TPMT_PUBLIC *area = &pub.publicArea;
        uint8_t buf[1024];
        size_t off = 0;

        memset(&pub, 0, sizeof(pub));
        area->nameAlg = SHA256;
        area->objectAttributes = attributes;
        if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
                BIGNUM *n = NULL;

                area->type = TPM2_ALG_RSA;
                area->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
                area->parameters.rsaDetail.scheme.scheme = scheme;
                area->parameters.rsaDetail.scheme.details.anySig.hashAlg = hash;
                area->parameters.rsaDetail.keyBits = (uint16_t)EVP_PKEY_get_bits(pkey);
                cr_assert_eq(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n), 1);
                area->unique.rsa.size = (uint16_t)BN_num_bytes(n);
                BN_bn2bin(n, area->unique.rsa.buffer);
                BN_free(n);
        } else {
                uint8_t point[65];
                size_t point_size = 0;

                area->type = TPM2_ALG_ECC;
                area->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
                area->parameters.eccDetail.scheme.scheme = scheme;
                area->parameters.eccDetail.scheme.details.anySig.hashAlg = hash;
                area->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
                area->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
                cr_assert_eq(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                                             point, sizeof(point),
                                                             &point_size), 1);
                cr_assert_eq(point_size, 65);
                area->unique.ecc.x.size = 32;
                memcpy(area->unique.ecc.x.buffer, point + 1, 32);
                area->unique.ecc.y.size = 32;
                memcpy(area->unique.ecc.y.buffer, point + 33, 32);
        }
        cr_assert_eq(Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, buf, sizeof(buf), &off), 0);
        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_key_parse(buf, off, &key, &err), &err, "TPM2B_PUBLIC key");
        return key;
}

#define RESTRICTED_SIGNING 0x00050072u /* fixedTPM|fixedParent|sensitiveDataOrigin|
                                          userWithAuth|restricted|sign */

/*
 * Signs `msg` with `pkey` in scheme `sig_alg` and hash `md`, converts the
 * signature into a TPMT_SIGNATURE with libtss2-mu and parses it.
 */
static struct pcrsim_quote_signature *sign_tpm(EVP_PKEY *pkey, uint16_t sig_alg, uint16_t hash,
                                               const uint8_t *msg, size_t msg_size)
{
        const struct pcrsim_alg_info *alg = pcrsim_alg_by_id(hash);
        struct pcrsim_quote_signature *sig;
        struct pcrsim_error err;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        TPMT_SIGNATURE t;
        uint8_t raw[512], buf[1024];
        size_t raw_size = sizeof(raw), off = 0;

        cr_assert_not_null(ctx);
        cr_assert_not_null(alg);
        cr_assert_eq(EVP_DigestSignInit_ex(ctx, &pctx, alg->openssl_name, NULL, NULL, pkey,
                                           NULL), 1);
        if (sig_alg == TPM2_ALG_RSAPSS) {
                cr_assert_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
                cr_assert_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
        }
        cr_assert_eq(EVP_DigestSign(ctx, raw, &raw_size, msg, msg_size), 1);
        EVP_MD_CTX_free(ctx);

        memset(&t, 0, sizeof(t));
        t.sigAlg = sig_alg;
        if (sig_alg == TPM2_ALG_ECDSA) {
                const uint8_t *p = raw;
                ECDSA_SIG *ecdsa = d2i_ECDSA_SIG(NULL, &p, (long)raw_size);
                const BIGNUM *r, *s;

                cr_assert_not_null(ecdsa);
                ECDSA_SIG_get0(ecdsa, &r, &s);
                t.signature.ecdsa.hash = hash;
                t.signature.ecdsa.signatureR.size = 32;
                t.signature.ecdsa.signatureS.size = 32;
                BN_bn2binpad(r, t.signature.ecdsa.signatureR.buffer, 32);
                BN_bn2binpad(s, t.signature.ecdsa.signatureS.buffer, 32);
                ECDSA_SIG_free(ecdsa);
        } else {
                t.signature.rsassa.hash = hash;
                t.signature.rsassa.sig.size = (uint16_t)raw_size;
                memcpy(t.signature.rsassa.sig.buffer, raw, raw_size);
        }
        cr_assert_eq(Tss2_MU_TPMT_SIGNATURE_Marshal(&t, buf, sizeof(buf), &off), 0);
        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_signature_parse(buf, off, &sig, &err), &err, "signature");
        return sig;
}

static void expect_signature(const struct pcrsim_quote_attest *attest,
                             const struct pcrsim_quote_signature *sig,
                             const struct pcrsim_quote_key *key,
                             enum pcrsim_quote_verdict verdict, const char *needle)
{
        struct pcrsim_quote_result result;

        verify_ok(attest, sig, key, NULL, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_SIGNATURE, verdict);
        if (needle)
                cr_expect_not_null(strstr(result.checks[PCRSIM_QUOTE_CHECK_SIGNATURE].message,
                                          needle), "\"%s\" lacks \"%s\"",
                                   result.checks[PCRSIM_QUOTE_CHECK_SIGNATURE].message, needle);
}

Test(quote, reject_other_key)
{
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_quote_key *other_pem, *other_tpm2b;
        struct real_quote q;
        EVP_PKEY *other = EVP_RSA_gen(2048);

        cr_assert_not_null(other);
        load_real_quote(&q);
        other_pem = pem_key_of(other);
        other_tpm2b = tpm2b_key_of(other, TPM2_ALG_RSASSA, SHA256, RESTRICTED_SIGNING);
        expect = (struct pcrsim_quote_expect){ q.nonce, sizeof(q.nonce), &q.pcrs };
        verify_ok(q.attest, q.sig, other_pem, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_SIGNATURE, PCRSIM_QUOTE_FAIL);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_PASS);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_PCR_DIGEST, PCRSIM_QUOTE_PASS);
        cr_expect(pcrsim_quote_result_failed(&result));
        expect_signature(q.attest, q.sig, other_tpm2b, PCRSIM_QUOTE_FAIL, "does not verify");
        pcrsim_quote_key_free(other_pem);
        pcrsim_quote_key_free(other_tpm2b);
        EVP_PKEY_free(other);
        free_real_quote(&q);
}

Test(quote, own_signatures_every_scheme)
{
        struct pcrsim_quote_signature *rsassa, *rsapss, *ecdsa, *ecdsa384;
        struct pcrsim_quote_key *rsa_pem, *rsa_tpm2b, *rsa_pss_tpm2b, *ec_pem, *ec_tpm2b;
        struct pcrsim_quote_key *rsa_unrestricted;
        EVP_PKEY *rsa = EVP_RSA_gen(2048);
        EVP_PKEY *ec = EVP_EC_gen("P-256");
        struct real_quote q;

        cr_assert_not_null(rsa);
        cr_assert_not_null(ec);
        load_real_quote(&q);
        rsassa = sign_tpm(rsa, TPM2_ALG_RSASSA, SHA256, q.msg, q.msg_size);
        rsapss = sign_tpm(rsa, TPM2_ALG_RSAPSS, SHA256, q.msg, q.msg_size);
        ecdsa = sign_tpm(ec, TPM2_ALG_ECDSA, SHA256, q.msg, q.msg_size);
        ecdsa384 = sign_tpm(ec, TPM2_ALG_ECDSA, SHA384, q.msg, q.msg_size);
        rsa_pem = pem_key_of(rsa);
        ec_pem = pem_key_of(ec);
        rsa_tpm2b = tpm2b_key_of(rsa, TPM2_ALG_RSASSA, SHA256, RESTRICTED_SIGNING);
        rsa_pss_tpm2b = tpm2b_key_of(rsa, TPM2_ALG_RSAPSS, SHA256, RESTRICTED_SIGNING);
        rsa_unrestricted = tpm2b_key_of(rsa, TPM2_ALG_NULL, TPM2_ALG_NULL, 0x00040072u);
        ec_tpm2b = tpm2b_key_of(ec, TPM2_ALG_ECDSA, SHA256, RESTRICTED_SIGNING);

        expect_signature(q.attest, rsassa, rsa_pem, PCRSIM_QUOTE_PASS, "rsassa");
        expect_signature(q.attest, rsapss, rsa_pem, PCRSIM_QUOTE_PASS, "rsapss");
        expect_signature(q.attest, ecdsa, ec_pem, PCRSIM_QUOTE_PASS, "ecdsa");
        expect_signature(q.attest, ecdsa384, ec_pem, PCRSIM_QUOTE_PASS, "sha384");
        expect_signature(q.attest, rsassa, rsa_tpm2b, PCRSIM_QUOTE_PASS, NULL);
        expect_signature(q.attest, rsapss, rsa_pss_tpm2b, PCRSIM_QUOTE_PASS, NULL);
        expect_signature(q.attest, ecdsa, ec_tpm2b, PCRSIM_QUOTE_PASS, NULL);
        expect_signature(q.attest, rsassa, rsa_unrestricted, PCRSIM_QUOTE_PASS, "not restricted");
        for (int i = 0; i < 2; i++) {
                struct pcrsim_quote_key_info info;
                struct pcrsim_quote_key *key;
                struct pcrsim_error err;
                size_t size;
                uint8_t *der = der_of(i ? ec : rsa, &size);

                pcrsim_error_clear(&err);
                parse_ok(pcrsim_quote_key_parse(der, size, &key, &err), &err, "DER key");
                pcrsim_quote_key_get_info(key, &info);
                cr_expect_eq(info.format, PCRSIM_QUOTE_KEY_DER);
                cr_expect_eq(info.curve, i ? TPM2_ECC_NIST_P256 : 0);
                expect_signature(q.attest, i ? ecdsa : rsassa, key, PCRSIM_QUOTE_PASS, NULL);
                pcrsim_quote_key_free(key);
                for (size_t len = 0; len < size; len++) {
                        cr_expect_neq(pcrsim_quote_key_parse(der, len, &key, &err), PCRSIM_OK,
                                      "a %zu-byte DER prefix parses", len);
                }
                der[size] = 0;
                expect_error(pcrsim_quote_key_parse(der, size + 1, &key, &err),
                             PCRSIM_ERR_INVALID, &err, "follow the end of the DER");
                free(der);
        }

        /* The key's scheme binds the signature's scheme and hash. */
        expect_signature(q.attest, rsapss, rsa_tpm2b, PCRSIM_QUOTE_FAIL, "bound to scheme rsassa");
        expect_signature(q.attest, rsassa, rsa_pss_tpm2b, PCRSIM_QUOTE_FAIL, "bound to scheme");
        expect_signature(q.attest, ecdsa384, ec_tpm2b, PCRSIM_QUOTE_FAIL, "sha384");
        /* A scheme of the other key type, and a signature of the other key. */
        expect_signature(q.attest, ecdsa, rsa_pem, PCRSIM_QUOTE_FAIL, "RSA key");
        expect_signature(q.attest, rsassa, ec_pem, PCRSIM_QUOTE_FAIL, "EC key");
        expect_signature(q.attest, rsassa, q.pem_key, PCRSIM_QUOTE_FAIL, "does not verify");
        expect_signature(q.attest, q.sig, rsa_pem, PCRSIM_QUOTE_FAIL, "does not verify");

        pcrsim_quote_signature_free(rsassa);
        pcrsim_quote_signature_free(rsapss);
        pcrsim_quote_signature_free(ecdsa);
        pcrsim_quote_signature_free(ecdsa384);
        pcrsim_quote_key_free(rsa_pem);
        pcrsim_quote_key_free(ec_pem);
        pcrsim_quote_key_free(rsa_tpm2b);
        pcrsim_quote_key_free(rsa_pss_tpm2b);
        pcrsim_quote_key_free(rsa_unrestricted);
        pcrsim_quote_key_free(ec_tpm2b);
        EVP_PKEY_free(rsa);
        EVP_PKEY_free(ec);
        free_real_quote(&q);
}

/* Marshals a quote TPMS_ATTEST over `selection` with `digest`. */
static size_t build_attest(const TPML_PCR_SELECTION *selection, const uint8_t *digest,
                           uint16_t digest_size, uint8_t *out, size_t out_size)
{
        TPMS_ATTEST a;
        size_t off = 0;

        memset(&a, 0, sizeof(a));
        a.magic = 0xff544347u;
        a.type = 0x8018;
        a.extraData.size = 4;
        memcpy(a.extraData.buffer, "\x01\x02\x03\x04", 4);
        a.clockInfo.clock = 1000;
        a.clockInfo.safe = 1;
        a.attested.quote.pcrSelect = *selection;
        a.attested.quote.pcrDigest.size = digest_size;
        memcpy(a.attested.quote.pcrDigest.buffer, digest, digest_size);
        cr_assert_eq(Tss2_MU_TPMS_ATTEST_Marshal(&a, out, out_size, &off), 0);
        return off;
}

/* PCR value of `pcr` in a test bank: every byte is the PCR index plus
 * `salt`, so that each value differs. */
static void fill_bank(struct pcrsim_pcr_bank *bank, uint16_t alg, uint16_t size, uint8_t salt)
{
        bank->alg = alg;
        bank->size = size;
        for (unsigned pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                memset(bank->pcrs[pcr].digest, (int)(pcr + salt), size);
                bank->pcrs[pcr].present = true;
        }
}

Test(quote, digest_follows_selection_order)
{
        /* sha1 PCRs 3, 0, 12 (the bitmap orders them 0, 3, 12), then
         * sha256 PCRs 1, 8, 9, 10, 16, 17, 18, 23: more than 8 PCRs. */
        static const unsigned sha1_pcrs[] = { 0, 3, 12 };
        static const unsigned sha256_pcrs[] = { 1, 8, 9, 10, 16, 17, 18, 23 };
        TPML_PCR_SELECTION tpml;
        struct pcrsim_quote_selection sel;
        struct pcrsim_quote_attest *attest;
        struct pcrsim_quote_signature *sig;
        struct pcrsim_quote_key *key;
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_pcr_set set;
        struct pcrsim_error err;
        uint8_t concat[3 * 20 + 8 * 32], want[32], digest[PCRSIM_MAX_DIGEST_SIZE], msg[512];
        size_t concat_size = 0, msg_size;
        uint16_t digest_size;
        EVP_PKEY *rsa = EVP_RSA_gen(2048);

        cr_assert_not_null(rsa);
        memset(&set, 0, sizeof(set));
        set.bank_count = 2;
        fill_bank(&set.banks[0], SHA256, 32, 0x40);
        fill_bank(&set.banks[1], SHA1, 20, 0x80);

        /* The hand computation: the values in selection order. */
        for (size_t i = 0; i < 3; i++) {
                memset(concat + concat_size, (int)(sha1_pcrs[i] + 0x80), 20);
                concat_size += 20;
        }
        for (size_t i = 0; i < 8; i++) {
                memset(concat + concat_size, (int)(sha256_pcrs[i] + 0x40), 32);
                concat_size += 32;
        }
        cr_assert_eq(EVP_Digest(concat, concat_size, want, NULL, EVP_sha256(), NULL), 1);

        memset(&tpml, 0, sizeof(tpml));
        tpml.count = 2;
        tpml.pcrSelections[0].hash = SHA1;
        tpml.pcrSelections[0].sizeofSelect = 3;
        tpml.pcrSelections[0].pcrSelect[0] = 0x09;        /* PCRs 0, 3 */
        tpml.pcrSelections[0].pcrSelect[1] = 0x10;        /* PCR 12 */
        tpml.pcrSelections[1].hash = SHA256;
        tpml.pcrSelections[1].sizeofSelect = 3;
        tpml.pcrSelections[1].pcrSelect[0] = 0x02;        /* PCR 1 */
        tpml.pcrSelections[1].pcrSelect[1] = 0x07;        /* PCRs 8, 9, 10 */
        tpml.pcrSelections[1].pcrSelect[2] = 0x87;        /* PCRs 16, 17, 18, 23 */
        msg_size = build_attest(&tpml, want, 32, msg, sizeof(msg));

        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_attest_parse(msg, msg_size, &attest, &err), &err, "attest");
        parse_ok(pcrsim_quote_attest_selection(attest, &sel, &err), &err, "selection");
        cr_assert_eq(sel.count, 2);
        cr_expect_eq(sel.banks[0].alg, SHA1);
        cr_assert_eq(sel.banks[0].pcr_count, 3);
        cr_expect_eq(sel.banks[0].pcrs[0], 0);
        cr_expect_eq(sel.banks[0].pcrs[1], 3);
        cr_expect_eq(sel.banks[0].pcrs[2], 12);
        cr_expect_eq(sel.banks[1].alg, SHA256);
        cr_assert_eq(sel.banks[1].pcr_count, 8);
        for (size_t i = 0; i < 8; i++)
                cr_expect_eq(sel.banks[1].pcrs[i], sha256_pcrs[i]);
        parse_ok(pcrsim_quote_pcr_digest(&sel, SHA256, &set, digest, &digest_size, &err), &err,
                 "digest");
        cr_assert_eq(digest_size, 32);
        cr_expect_arr_eq(digest, want, 32);

        /* The other order of the same two selections gives another digest. */
        {
                struct pcrsim_quote_selection swapped = sel;

                swapped.banks[0] = sel.banks[1];
                swapped.banks[1] = sel.banks[0];
                parse_ok(pcrsim_quote_pcr_digest(&swapped, SHA256, &set, digest, &digest_size,
                                                 &err), &err, "swapped");
                cr_expect_arr_neq(digest, want, 32);
        }

        /* End to end, with a signature made here over the built quote. */
        sig = sign_tpm(rsa, TPM2_ALG_RSASSA, SHA256, msg, msg_size);
        key = pem_key_of(rsa);
        expect = (struct pcrsim_quote_expect){ (const uint8_t *)"\x01\x02\x03\x04", 4, &set };
        verify_ok(attest, sig, key, &expect, &result);
        expect_all_pass(&result);
        pcrsim_quote_signature_free(sig);
        pcrsim_quote_key_free(key);
        pcrsim_quote_attest_free(attest);
        EVP_PKEY_free(rsa);
}

Test(quote, digest_input_errors)
{
        struct pcrsim_quote_selection sel;
        struct pcrsim_pcr_set set;
        struct pcrsim_error err;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint16_t size;

        memset(&sel, 0, sizeof(sel));
        memset(&set, 0, sizeof(set));
        set.bank_count = 1;
        fill_bank(&set.banks[0], SHA256, 32, 0);
        sel.count = 1;
        sel.banks[0].alg = SHA256;
        sel.banks[0].pcr_count = 1;
        sel.banks[0].pcrs[0] = 7;
        pcrsim_error_clear(&err);

        expect_error(pcrsim_quote_pcr_digest(&sel, 0x1234, &set, digest, &size, &err),
                     PCRSIM_ERR_UNSUPPORTED, &err, "alg_0x1234");
        sel.banks[0].alg = 0x1234;
        expect_error(pcrsim_quote_pcr_digest(&sel, SHA256, &set, digest, &size, &err),
                     PCRSIM_ERR_UNSUPPORTED, &err, "alg_0x1234");
        sel.banks[0].alg = SHA256;
        set.banks[0].size = 20;
        expect_error(pcrsim_quote_pcr_digest(&sel, SHA256, &set, digest, &size, &err),
                     PCRSIM_ERR_INVALID, &err, "20-byte");
        set.banks[0].size = 32;
        set.banks[0].pcrs[7].present = false;
        expect_error(pcrsim_quote_pcr_digest(&sel, SHA256, &set, digest, &size, &err),
                     PCRSIM_ERR_INVALID, &err, "sha256 PCR 7");
        sel.banks[0].pcrs[0] = 24;
        expect_error(pcrsim_quote_pcr_digest(&sel, SHA256, &set, digest, &size, &err),
                     PCRSIM_ERR_INVALID, &err, "PCR 24");
}

Test(quote, selection_above_pcr_23)
{
        TPML_PCR_SELECTION tpml;
        struct pcrsim_quote_selection sel;
        struct pcrsim_quote_attest *attest;
        struct pcrsim_error err;
        uint8_t msg[512], digest[32] = { 0 };
        size_t size;

        memset(&tpml, 0, sizeof(tpml));
        tpml.count = 1;
        tpml.pcrSelections[0].hash = SHA256;
        tpml.pcrSelections[0].sizeofSelect = 4;
        tpml.pcrSelections[0].pcrSelect[3] = 0x01; /* PCR 24 */
        size = build_attest(&tpml, digest, sizeof(digest), msg, sizeof(msg));
        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_attest_parse(msg, size, &attest, &err), &err, "attest");
        expect_error(pcrsim_quote_attest_selection(attest, &sel, &err), PCRSIM_ERR_UNSUPPORTED,
                     &err, "sha256 PCR 24");
        pcrsim_quote_attest_free(attest);
}

Test(quote, attest_truncated_and_long)
{
        struct pcrsim_quote_attest *attest;
        struct pcrsim_error err;
        struct real_quote q;
        uint8_t *longer;

        load_real_quote(&q);
        for (size_t len = 0; len < q.msg_size; len++) {
                pcrsim_error_clear(&err);
                cr_expect_eq(pcrsim_quote_attest_parse(q.msg, len, &attest, &err),
                             PCRSIM_ERR_INVALID, "a %zu-byte prefix parses", len);
                cr_expect_null(attest);
                cr_expect_leq(err.offset, len, "offset %" PRIu64 " beyond %zu", err.offset,
                              len);
                cr_expect_neq(err.field[0], '\0', "no field named for %zu bytes", len);
        }
        /* The first cut inside a field names it. */
        pcrsim_error_clear(&err);
        pcrsim_quote_attest_parse(q.msg, 3, &attest, &err);
        cr_expect_str_eq(err.field, "magic");
        pcrsim_quote_attest_parse(q.msg, 0x4e, &attest, &err);
        cr_expect_str_eq(err.field, "pcrSelect");
        cr_expect_eq(err.offset, 0x4d);

        longer = malloc(PCRSIM_MAX_QUOTE_ATTEST_SIZE + 1);
        cr_assert_not_null(longer);
        memset(longer, 0, PCRSIM_MAX_QUOTE_ATTEST_SIZE + 1);
        memcpy(longer, q.msg, q.msg_size);
        expect_error(pcrsim_quote_attest_parse(longer, q.msg_size + 1, &attest, &err),
                     PCRSIM_ERR_INVALID, &err, "1 bytes follow");
        cr_expect_eq(err.offset, q.msg_size);
        expect_error(pcrsim_quote_attest_parse(longer, PCRSIM_MAX_QUOTE_ATTEST_SIZE + 1, &attest,
                                               &err), PCRSIM_ERR_LIMIT, &err, NULL);
        free(longer);
        free_real_quote(&q);
}

Test(quote, signature_truncated_and_long)
{
        struct pcrsim_quote_signature *sig;
        struct pcrsim_error err;
        uint8_t *data, *longer;
        size_t size;

        data = read_vector(QUOTE_VECTOR, "quote.sig", &size);
        for (size_t len = 0; len < size; len++) {
                pcrsim_error_clear(&err);
                cr_expect_eq(pcrsim_quote_signature_parse(data, len, &sig, &err),
                             PCRSIM_ERR_INVALID, "a %zu-byte prefix parses", len);
                cr_expect_null(sig);
                cr_expect_leq(err.offset, len);
        }
        /* sigAlg (2 bytes) and hash (2 bytes) come before the RSA signature. */
        pcrsim_quote_signature_parse(data, 5, &sig, &err);
        cr_expect_str_eq(err.field, "sig");
        cr_expect_eq(err.offset, 4);
        longer = malloc(size + 1);
        cr_assert_not_null(longer);
        memcpy(longer, data, size);
        longer[size] = 0;
        expect_error(pcrsim_quote_signature_parse(longer, size + 1, &sig, &err),
                     PCRSIM_ERR_INVALID, &err, "follow");
        cr_expect_eq(err.offset, size);
        /* sigAlg 0x9999 is no scheme. */
        longer[0] = 0x99;
        longer[1] = 0x99;
        expect_error(pcrsim_quote_signature_parse(longer, size, &sig, &err), PCRSIM_ERR_INVALID,
                     &err, "0x9999");
        cr_expect_str_eq(err.field, "sigAlg");
        expect_error(pcrsim_quote_signature_parse(data, PCRSIM_MAX_QUOTE_SIGNATURE_SIZE + 1, &sig,
                                                  &err), PCRSIM_ERR_LIMIT, &err, NULL);
        free(longer);
        free(data);
}

Test(quote, key_truncated_and_long)
{
        struct pcrsim_quote_key *key;
        struct pcrsim_error err;
        uint8_t *tpm2b, *pem, *changed;
        size_t tpm2b_size, pem_size;
        static const char cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

        tpm2b = read_vector(QUOTE_VECTOR, "ak.tpm2b_public", &tpm2b_size);
        pem = read_vector(QUOTE_VECTOR, "ak.pem", &pem_size);
        for (size_t len = 0; len < tpm2b_size; len++) {
                pcrsim_error_clear(&err);
                cr_expect_eq(pcrsim_quote_key_parse(tpm2b, len, &key, &err), PCRSIM_ERR_INVALID,
                             "a %zu-byte TPM2B_PUBLIC prefix parses", len);
                cr_expect_null(key);
        }
        /* Cut the PEM inside its base64 and inside its END line. */
        expect_error(pcrsim_quote_key_parse(pem, pem_size / 2, &key, &err), PCRSIM_ERR_INVALID,
                     &err, "PEM");
        expect_error(pcrsim_quote_key_parse(pem, pem_size - 10, &key, &err), PCRSIM_ERR_INVALID,
                     &err, "PEM");

        changed = malloc(pem_size + 16);
        cr_assert_not_null(changed);
        memcpy(changed, tpm2b, tpm2b_size);
        changed[tpm2b_size] = 0;
        expect_error(pcrsim_quote_key_parse(changed, tpm2b_size + 1, &key, &err),
                     PCRSIM_ERR_INVALID, &err, "follow");
        cr_expect_eq(err.offset, tpm2b_size);

        /* White space after the PEM block is fine, other text is not. */
        memcpy(changed, pem, pem_size);
        memcpy(changed + pem_size, "\n\n \t\n", 5);
        parse_ok(pcrsim_quote_key_parse(changed, pem_size + 5, &key, &err), &err, "PEM + space");
        pcrsim_quote_key_free(key);
        memcpy(changed + pem_size, "junk\n", 5);
        expect_error(pcrsim_quote_key_parse(changed, pem_size + 5, &key, &err),
                     PCRSIM_ERR_INVALID, &err, "follow the END line");
        cr_expect_eq(err.offset, pem_size);

        expect_error(pcrsim_quote_key_parse(cert, strlen(cert), &key, &err),
                     PCRSIM_ERR_UNSUPPORTED, &err, "PUBLIC KEY");
        expect_error(pcrsim_quote_key_parse(pem, PCRSIM_MAX_QUOTE_KEY_SIZE + 1, &key, &err),
                     PCRSIM_ERR_LIMIT, &err, NULL);
        free(changed);
        free(pem);
        free(tpm2b);
}

Test(quote, key_other_types)
{
        EVP_PKEY *k1 = EVP_EC_gen("secp256k1");
        EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        struct pcrsim_quote_key *key;
        struct pcrsim_error err;
        EVP_PKEY *pkeys[2] = { k1, ed };

        cr_assert_not_null(k1);
        cr_assert_not_null(ed);
        pcrsim_error_clear(&err);
        for (int i = 0; i < 2; i++) {
                BIO *bio = BIO_new(BIO_s_mem());
                size_t der_size;
                uint8_t *der = der_of(pkeys[i], &der_size);
                char *pem;
                long size;

                cr_assert_not_null(bio);
                cr_assert_eq(PEM_write_bio_PUBKEY(bio, pkeys[i]), 1);
                size = BIO_get_mem_data(bio, &pem);
                expect_error(pcrsim_quote_key_parse(pem, (size_t)size, &key, &err),
                             PCRSIM_ERR_UNSUPPORTED, &err, i ? "ED25519" : "NIST P");
                expect_error(pcrsim_quote_key_parse(der, der_size, &key, &err),
                             PCRSIM_ERR_UNSUPPORTED, &err, NULL);
                free(der);
                BIO_free(bio);
        }
        EVP_PKEY_free(k1);
        EVP_PKEY_free(ed);
}

/* Parses a changed copy of the real quote.pcrs and checks the error. */
static void expect_pcr_file_error(const uint8_t *data, size_t size, size_t new_size,
                                  size_t at, const uint8_t *bytes, size_t n,
                                  enum pcrsim_error_code code, const char *needle)
{
        uint8_t *copy = calloc(1, new_size > size ? new_size : size);
        struct pcrsim_pcr_set set;
        struct pcrsim_error err;

        cr_assert_not_null(copy);
        memcpy(copy, data, size);
        if (n)
                memcpy(copy + at, bytes, n);
        pcrsim_error_clear(&err);
        expect_error(pcrsim_quote_pcr_file_parse(copy, new_size, &set, &err), code, &err,
                     needle);
        free(copy);
}

Test(quote, pcr_file_rejects)
{
        /* The real file: 11 sha256 values in two lists of 8 and 3. */
        const size_t second_count = FILE_LISTS_OFFSET + FILE_LIST_SIZE;
        const size_t slot3 = second_count + 4 + 3 * FILE_DIGEST_SIZE;
        static const uint8_t two[] = { 2, 0, 0, 0 }, four[] = { 4, 0, 0, 0 };
        static const uint8_t one[] = { 1, 0, 0, 0 }, three[] = { 3, 0, 0, 0 };
        static const uint8_t size20[] = { 20, 0 }, size32[] = { 32, 0 };
        static const uint8_t big_endian_one[] = { 0, 0, 0, 1 };
        static const uint8_t lists33[] = { 33, 0, 0, 0 };
        static const uint8_t unknown_alg[] = { 0x34, 0x12 };
        static const uint8_t select5[] = { 5 };
        static const uint8_t pcr_beyond[] = { 0x01 };
        static const uint8_t zero[] = { 0, 0, 0, 0 };
        struct pcrsim_pcr_set set;
        struct pcrsim_error err;
        uint8_t *data;
        size_t size;

        data = read_vector(QUOTE_VECTOR, "quote.pcrs", &size);
        cr_assert_eq(size, FILE_LISTS_OFFSET + 2 * FILE_LIST_SIZE);

        /* One PCR value short, one long, one list short, one list long. */
        expect_pcr_file_error(data, size, size, second_count, two, 4, PCRSIM_ERR_INVALID,
                              "lacks values for 1 of");
        {
                uint8_t *copy = malloc(size);

                cr_assert_not_null(copy);
                memcpy(copy, data, size);
                memcpy(copy + second_count, four, 4);
                memcpy(copy + slot3, size32, 2);
                pcrsim_error_clear(&err);
                expect_error(pcrsim_quote_pcr_file_parse(copy, size, &set, &err),
                             PCRSIM_ERR_INVALID, &err, "more values than selected PCRs");
                cr_expect_eq(err.offset, slot3);
                free(copy);
        }
        expect_pcr_file_error(data, size, size - FILE_LIST_SIZE, FILE_LISTS_OFFSET - 4, one, 4,
                              PCRSIM_ERR_INVALID, "lacks values for 3 of");
        {
                uint8_t *copy = calloc(1, size + FILE_LIST_SIZE);

                cr_assert_not_null(copy);
                memcpy(copy, data, size);
                memcpy(copy + FILE_LISTS_OFFSET - 4, three, 4);
                memcpy(copy + size, one, 4);
                memcpy(copy + size + 4, size32, 2);
                pcrsim_error_clear(&err);
                expect_error(pcrsim_quote_pcr_file_parse(copy, size + FILE_LIST_SIZE, &set, &err),
                             PCRSIM_ERR_INVALID, &err, "more values than selected PCRs");
                cr_expect_eq(err.offset, size + 4);
                free(copy);
        }

        /* Wrong digest size for the bank. */
        expect_pcr_file_error(data, size, size, FILE_LISTS_OFFSET + 4, size20, 2,
                              PCRSIM_ERR_INVALID, "sha256 PCR 0 is 20 bytes");
        /* Big-endian counts, an unknown bank, too many lists. */
        expect_pcr_file_error(data, size, size, 0, big_endian_one, 4, PCRSIM_ERR_INVALID,
                              "little-endian");
        expect_pcr_file_error(data, size, size, 4, unknown_alg, 2, PCRSIM_ERR_UNSUPPORTED,
                              "alg_0x1234");
        expect_pcr_file_error(data, size, size, FILE_LISTS_OFFSET - 4, lists33, 4,
                              PCRSIM_ERR_LIMIT, NULL);
        expect_pcr_file_error(data, size, size, 6, select5, 1, PCRSIM_ERR_INVALID,
                              "sizeofSelect");
        expect_pcr_file_error(data, size, size, 10, pcr_beyond, 1, PCRSIM_ERR_INVALID,
                              "beyond its sizeofSelect");
        expect_pcr_file_error(data, size, size, 0, zero, 4, PCRSIM_ERR_INVALID, NULL);
        expect_pcr_file_error(data, size, size, second_count, zero, 4, PCRSIM_ERR_INVALID,
                              "count is 0");

        /* Every cut is an error, and so is one more byte. */
        for (size_t len = 0; len < size; len++) {
                pcrsim_error_clear(&err);
                cr_expect_neq(pcrsim_quote_pcr_file_parse(data, len, &set, &err), PCRSIM_OK,
                              "a %zu-byte prefix parses", len);
                cr_expect_leq(err.offset, len);
        }
        expect_pcr_file_error(data, size, size + 1, 0, NULL, 0, PCRSIM_ERR_INVALID,
                              "1 bytes follow");
        expect_pcr_file_error(data, size, PCRSIM_MAX_PCR_FILE_SIZE + 1, 0, NULL, 0,
                              PCRSIM_ERR_LIMIT, NULL);
        free(data);
}

Test(quote, pcr_values_file_rejects)
{
        struct pcrsim_quote_selection sel;
        struct pcrsim_pcr_set set;
        struct pcrsim_error err;
        struct real_quote q;
        uint8_t *data, *longer;
        size_t size;

        load_real_quote(&q);
        pcrsim_error_clear(&err);
        parse_ok(pcrsim_quote_attest_selection(q.attest, &sel, &err), &err, "selection");
        data = read_vector(QUOTE_VECTOR, "pcrread-sha256-0-9-11.bin", &size);
        cr_assert_eq(size, 11 * 32);
        expect_error(pcrsim_quote_pcr_values_parse(data, size - 32, &sel, &set, &err),
                     PCRSIM_ERR_TRUNCATED, &err, NULL);
        cr_expect_eq(err.offset, size - 32);
        longer = malloc(size + 1);
        cr_assert_not_null(longer);
        memcpy(longer, data, size);
        longer[size] = 0;
        expect_error(pcrsim_quote_pcr_values_parse(longer, size + 1, &sel, &set, &err),
                     PCRSIM_ERR_INVALID, &err, "follow");
        sel.banks[0].alg = 0x1234;
        expect_error(pcrsim_quote_pcr_values_parse(data, size, &sel, &set, &err),
                     PCRSIM_ERR_UNSUPPORTED, &err, NULL);
        free(longer);
        free(data);
        free_real_quote(&q);
}

Test(quote, names)
{
        char buf[24];

        cr_expect_str_eq(pcrsim_quote_check_name(PCRSIM_QUOTE_CHECK_MAGIC), "magic");
        cr_expect_str_eq(pcrsim_quote_check_name(PCRSIM_QUOTE_CHECK_PCR_DIGEST), "pcr-digest");
        cr_expect_str_eq(pcrsim_quote_check_name(PCRSIM_QUOTE_CHECK_COUNT), "unknown");
        cr_expect_str_eq(pcrsim_quote_verdict_name(PCRSIM_QUOTE_NOT_CHECKED), "not checked");
        pcrsim_quote_sig_alg_name(0x0016, buf, sizeof(buf));
        cr_expect_str_eq(buf, "rsapss");
        pcrsim_quote_sig_alg_name(0x7777, buf, sizeof(buf));
        cr_expect_str_eq(buf, "alg_0x7777");
}

/*
 * Fresh quotes from swtpm and tpm2-tools. swtpm listens on loopback
 * ports only, runs as a child of the test process with PR_SET_PDEATHSIG
 * (so it dies with a test that crashes), and is stopped by its PID on
 * every path before any assertion runs.
 */

#define TOOL_TIMEOUT_SECONDS 20.0
#define SWTPM_START_SECONDS 5.0
#define SWTPM_STOP_SECONDS 5.0
#define LAB_NONCE "0badcafe5eed"
#define LAB_PATH_SIZE 4200

struct lab {
        char *dir; /* --tpmstate folder, and the folder of the tool outputs */
        pid_t swtpm;
        int port;
        char failure[1024];
};

/* Keys made as in tpm2-tools without a resource manager: tpm2_create
 * under a persistent primary, tpm2_load, then made persistent. */
static const struct lab_key {
        const char *name;
        const char *alg;    /* tpm2_create -G */
        const char *scheme; /* tpm2_quote --scheme */
        const char *handle;
} lab_keys[] = {
        { "rsa", "rsa2048:rsassa-sha256:null", "rsassa", "0x81000002" },
        { "ecc", "ecc256:ecdsa-sha256:null", "ecdsa", "0x81000003" },
        { "rsapss", "rsa2048:rsapss-sha256:null", "rsapss", "0x81000004" },
};

static const struct lab_selection {
        const char *text;          /* tpm2-tools -l syntax */
        const char *banks[3];      /* bank names in selection order */
        unsigned pcr_count;
} lab_selections[] = {
        { "sha256:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23",
          { "sha256" }, 24 },
        { "sha1:0,5,16,23+sha256:0,5,10,16,23", { "sha1", "sha256" }, 9 },
        { "sha256:23,0+sha1:7+sha384:1,2", { "sha256", "sha1", "sha384" }, 5 },
};

#define LAB_KEYS (sizeof(lab_keys) / sizeof(lab_keys[0]))
#define LAB_SELECTIONS (sizeof(lab_selections) / sizeof(lab_selections[0]))

static bool in_path(const char *program)
{
        const char *path = getenv("PATH");
        char *copy, *save = NULL;
        bool found = false;

        if (!path)
                return false;
        copy = strdup(path);
        for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
             dir = strtok_r(NULL, ":", &save)) {
                char *full = tu_path_join(dir, program);

                found = full && access(full, X_OK) == 0;
                free(full);
        }
        free(copy);
        return found;
}

static double monotonic_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void lab_fail(struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lab_fail(struct lab *lab, const char *fmt, ...)
{
        va_list ap;

        if (lab->failure[0])
                return;
        va_start(ap, fmt);
        vsnprintf(lab->failure, sizeof(lab->failure), fmt, ap);
        va_end(ap);
}

/* Waits for `pid` for at most `seconds`, then kills it with SIGKILL.
 * Returns its wait status, or -1 when it had to be killed. */
static int wait_child(pid_t pid, double seconds)
{
        double deadline = monotonic_now() + seconds;
        struct timespec pause = { 0, 5 * 1000 * 1000 };
        int status = 0;

        for (;;) {
                pid_t r = waitpid(pid, &status, WNOHANG);

                if (r == pid)
                        return status;
                if (r < 0 && errno != EINTR)
                        return -1;
                if (monotonic_now() > deadline) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return -1;
                }
                nanosleep(&pause, NULL);
        }
}

static int bind_loopback(int port)
{
        struct sockaddr_in addr = { .sin_family = AF_INET };
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((uint16_t)port);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
                close(fd);
                fd = -1;
        }
        return fd;
}

/* Finds a free loopback port P whose neighbour P + 1 is free too. */
static int pick_port(void)
{
        for (int attempt = 0; attempt < 20; attempt++) {
                struct sockaddr_in addr;
                socklen_t len = sizeof(addr);
                int fd = bind_loopback(0), next = -1, port = -1;

                if (fd >= 0 && getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
                        port = ntohs(addr.sin_port);
                if (port > 0 && port < 65535)
                        next = bind_loopback(port + 1);
                if (fd >= 0)
                        close(fd);
                if (next >= 0) {
                        close(next);
                        return port;
                }
        }
        return -1;
}

static bool port_accepts(int port)
{
        struct sockaddr_in addr = { .sin_family = AF_INET };
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        bool ok;

        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((uint16_t)port);
        ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
        if (fd >= 0)
                close(fd);
        return ok;
}

static bool start_swtpm(struct lab *lab)
{
        char server[80], ctrl[80], state[LAB_PATH_SIZE + 8];
        char *argv[] = { "swtpm", "socket", "--tpm2", "--server", server, "--ctrl", ctrl,
                         "--tpmstate", state, "--flags", "not-need-init,startup-clear", NULL };
        char *log = tu_path_join(lab->dir, "swtpm.log");
        struct timespec pause = { 0, 25 * 1000 * 1000 };
        pid_t parent = getpid();
        double deadline;

        lab->port = pick_port();
        if (lab->port < 0 || !log) {
                free(log);
                lab_fail(lab, "no free pair of loopback ports for swtpm");
                return false;
        }
        snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", lab->port);
        snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", lab->port + 1);
        snprintf(state, sizeof(state), "dir=%s", lab->dir);
        fflush(NULL);
        lab->swtpm = fork();
        if (lab->swtpm == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

                /* Dies with the test process, even if that one crashes. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(127);
                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        free(log);
        if (lab->swtpm < 0) {
                lab->swtpm = 0;
                lab_fail(lab, "fork failed: %s", strerror(errno));
                return false;
        }
        deadline = monotonic_now() + SWTPM_START_SECONDS;
        while (monotonic_now() < deadline) {
                int status;

                if (port_accepts(lab->port))
                        return true;
                if (waitpid(lab->swtpm, &status, WNOHANG) == lab->swtpm) {
                        lab->swtpm = 0;
                        lab_fail(lab, "swtpm exited at start with status %d, see swtpm.log",
                                 status);
                        return false;
                }
                nanosleep(&pause, NULL);
        }
        lab_fail(lab, "swtpm did not listen on 127.0.0.1:%d within %.0f s", lab->port,
                 SWTPM_START_SECONDS);
        return false;
}

static void stop_swtpm(struct lab *lab)
{
        if (lab->swtpm <= 0)
                return;
        kill(lab->swtpm, SIGTERM);
        wait_child(lab->swtpm, SWTPM_STOP_SECONDS);
        lab->swtpm = 0;
}

/* Runs a tpm2-tools command with its standard output in DIR/`out_name`
 * (or DIR/tool.out) and records a failure with its standard error. */
static bool run_tool(struct lab *lab, const char *const *argv, const char *out_name)
{
        char *out = tu_path_join(lab->dir, out_name ? out_name : "tool.out");
        char *err = tu_path_join(lab->dir, "tool.err");
        posix_spawn_file_actions_t actions;
        int rc = -1, status = -1;
        pid_t pid;

        if (lab->failure[0])
                goto out;
        if (out && err && posix_spawn_file_actions_init(&actions) == 0) {
                rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
                if (!rc)
                        rc = posix_spawn_file_actions_addopen(&actions, 1, out,
                                                              O_WRONLY | O_CREAT | O_TRUNC, 0600);
                if (!rc)
                        rc = posix_spawn_file_actions_addopen(&actions, 2, err,
                                                              O_WRONLY | O_CREAT | O_TRUNC, 0600);
                if (!rc)
                        rc = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv,
                                          environ);
                posix_spawn_file_actions_destroy(&actions);
        }
        if (rc == 0)
                status = wait_child(pid, TOOL_TIMEOUT_SECONDS);
        if (rc != 0 || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                size_t len = 0;
                char *text = err ? tu_read_file(err, &len) : NULL;
                const char *why = "non-zero exit";
                char command[300] = "";

                for (size_t i = 0; argv[i]; i++) {
                        strncat(command, argv[i], sizeof(command) - strlen(command) - 1);
                        strncat(command, " ", sizeof(command) - strlen(command) - 1);
                }
                if (rc)
                        why = "cannot start";
                else if (status == -1)
                        why = "timed out";
                lab_fail(lab, "%s failed (%s): %.600s", command, why, text ? text : "");
                free(text);
        }
out:
        free(out);
        free(err);
        return !lab->failure[0];
}

static bool make_key(struct lab *lab, const struct lab_key *key)
{
        char pub[LAB_PATH_SIZE], priv[LAB_PATH_SIZE], ctx[LAB_PATH_SIZE], pem[LAB_PATH_SIZE];
        const char *create[] = { "tpm2_create", "-C", "0x81000001", "-g", "sha256", "-G",
                                 key->alg, "-a", "fixedtpm|fixedparent|sensitivedataorigin|"
                                 "userwithauth|restricted|sign", "-u", pub, "-r", priv, NULL };
        const char *load[] = { "tpm2_load", "-C", "0x81000001", "-u", pub, "-r", priv, "-c",
                               ctx, NULL };
        const char *persist[] = { "tpm2_evictcontrol", "-C", "o", "-c", ctx, key->handle, NULL };
        const char *readpublic[] = { "tpm2_readpublic", "-c", key->handle, "-f", "pem", "-o",
                                     pem, NULL };
        const char *flush[] = { "tpm2_flushcontext", "-t", NULL };

        snprintf(pub, sizeof(pub), "%s/%s.pub", lab->dir, key->name);
        snprintf(priv, sizeof(priv), "%s/%s.priv", lab->dir, key->name);
        snprintf(ctx, sizeof(ctx), "%s/%s.ctx", lab->dir, key->name);
        snprintf(pem, sizeof(pem), "%s/%s.pem", lab->dir, key->name);
        return run_tool(lab, create, NULL) && run_tool(lab, flush, NULL) &&
               run_tool(lab, load, NULL) && run_tool(lab, persist, NULL) &&
               run_tool(lab, flush, NULL) && run_tool(lab, readpublic, NULL);
}

static bool make_quotes(struct lab *lab)
{
        const char *extend[] = { "tpm2_pcrextend",
                "0:sha1=0101010101010101010101010101010101010101,"
                "sha256=0202020202020202020202020202020202020202020202020202020202020202",
                "5:sha256=0303030303030303030303030303030303030303030303030303030303030303",
                "16:sha1=0404040404040404040404040404040404040404",
                "2:sha384=05050505050505050505050505050505050505050505050505050505050505050505"
                "0505050505050505050505050505", NULL };
        const char *primary[] = { "tpm2_createprimary", "-C", "o", "-G", "ecc256", "-g", "sha256",
                                  "-c", NULL, NULL };
        const char *persist[] = { "tpm2_evictcontrol", "-C", "o", "-c", NULL, "0x81000001", NULL };
        const char *flush[] = { "tpm2_flushcontext", "-t", NULL };
        char primary_ctx[LAB_PATH_SIZE];
        bool ok;

        snprintf(primary_ctx, sizeof(primary_ctx), "%s/primary.ctx", lab->dir);
        primary[8] = primary_ctx;
        persist[4] = primary_ctx;
        ok = run_tool(lab, extend, NULL) && run_tool(lab, primary, NULL) &&
             run_tool(lab, persist, NULL) && run_tool(lab, flush, NULL);
        for (size_t k = 0; k < LAB_KEYS && ok; k++)
                ok = make_key(lab, &lab_keys[k]);
        for (size_t k = 0; k < LAB_KEYS && ok; k++) {
                for (size_t s = 0; s < LAB_SELECTIONS && ok; s++) {
                        char msg[LAB_PATH_SIZE], sig[LAB_PATH_SIZE], pcrs[LAB_PATH_SIZE], out[64];
                        const char *quote[] = { "tpm2_quote", "-c", lab_keys[k].handle, "-l",
                                                lab_selections[s].text, "-q", LAB_NONCE, "-m",
                                                msg, "-s", sig, "-o", pcrs, "-g", "sha256",
                                                "--scheme", lab_keys[k].scheme, NULL };

                        snprintf(msg, sizeof(msg), "%s/%s-%zu.msg", lab->dir, lab_keys[k].name, s);
                        snprintf(sig, sizeof(sig), "%s/%s-%zu.sig", lab->dir, lab_keys[k].name, s);
                        snprintf(pcrs, sizeof(pcrs), "%s/%s-%zu.pcrs", lab->dir, lab_keys[k].name,
                                 s);
                        snprintf(out, sizeof(out), "%s-%zu.out", lab_keys[k].name, s);
                        ok = run_tool(lab, quote, out);
                }
        }
        for (size_t s = 0; s < LAB_SELECTIONS && ok; s++) {
                char values[LAB_PATH_SIZE];
                const char *pcrread[] = { "tpm2_pcrread", "-o", values, lab_selections[s].text,
                                          NULL };

                snprintf(values, sizeof(values), "%s/values-%zu.bin", lab->dir, s);
                ok = run_tool(lab, pcrread, NULL);
        }
        return ok;
}

static uint8_t *read_lab_file(const struct lab *lab, const char *name, size_t *size)
{
        char *path = tu_path_join(lab->dir, name);
        uint8_t *data = (uint8_t *)tu_read_file(path, size);

        cr_assert_not_null(data, "cannot read %s", path);
        free(path);
        return data;
}

/* Checks one fresh quote of key `k` over selection `s`. */
static void check_lab_quote(const struct lab *lab, size_t k, size_t s)
{
        const struct lab_selection *want = &lab_selections[s];
        struct pcrsim_quote_attest *attest;
        struct pcrsim_quote_signature *sig;
        struct pcrsim_quote_key *pem_key, *tpm2b_key;
        struct pcrsim_quote_selection sel;
        struct pcrsim_quote_result result;
        struct pcrsim_quote_expect expect;
        struct pcrsim_pcr_set from_file, from_values, from_text;
        struct pcrsim_error err;
        uint8_t nonce[6], calc[32], *data;
        char name[64], *text, *line;
        unsigned count = 0;
        size_t size;

        pcrsim_error_clear(&err);
        hex_to_bytes(LAB_NONCE, nonce, sizeof(nonce));
        snprintf(name, sizeof(name), "%s-%zu.msg", lab_keys[k].name, s);
        data = read_lab_file(lab, name, &size);
        parse_ok(pcrsim_quote_attest_parse(data, size, &attest, &err), &err, name);
        free(data);
        snprintf(name, sizeof(name), "%s-%zu.sig", lab_keys[k].name, s);
        data = read_lab_file(lab, name, &size);
        parse_ok(pcrsim_quote_signature_parse(data, size, &sig, &err), &err, name);
        free(data);
        snprintf(name, sizeof(name), "%s.pem", lab_keys[k].name);
        data = read_lab_file(lab, name, &size);
        parse_ok(pcrsim_quote_key_parse(data, size, &pem_key, &err), &err, name);
        free(data);
        snprintf(name, sizeof(name), "%s.pub", lab_keys[k].name);
        data = read_lab_file(lab, name, &size);
        parse_ok(pcrsim_quote_key_parse(data, size, &tpm2b_key, &err), &err, name);
        free(data);
        snprintf(name, sizeof(name), "%s-%zu.pcrs", lab_keys[k].name, s);
        data = read_lab_file(lab, name, &size);
        parse_ok(pcrsim_quote_pcr_file_parse(data, size, &from_file, &err), &err, name);
        free(data);

        /* The selection of the signed quote is the one requested. */
        parse_ok(pcrsim_quote_attest_selection(attest, &sel, &err), &err, "selection");
        for (uint32_t b = 0; b < sel.count; b++) {
                cr_assert_lt(b, 3);
                cr_expect_eq(sel.banks[b].alg, pcrsim_alg_by_name(want->banks[b])->id,
                             "%s: selection %u is not %s", want->text, b, want->banks[b]);
                count += sel.banks[b].pcr_count;
        }
        cr_expect_eq(count, want->pcr_count, "%s: %u PCRs selected", want->text, count);

        /* tpm2_quote printed the PCR values and the digest it computed. */
        snprintf(name, sizeof(name), "%s-%zu.out", lab_keys[k].name, s);
        text = (char *)read_lab_file(lab, name, &size);
        memset(&from_text, 0, sizeof(from_text));
        for (size_t b = 0; b < 3 && want->banks[b]; b++)
                load_pcr_text(text, want->banks[b], &from_text);
        line = strstr(text, "calcDigest: ");
        cr_assert_not_null(line, "%s has no calcDigest", name);
        line[strlen("calcDigest: ") + 64] = '\0';
        hex_to_bytes(line + strlen("calcDigest: "), calc, sizeof(calc));
        free(text);

        snprintf(name, sizeof(name), "values-%zu.bin", s);
        data = read_lab_file(lab, name, &size);
        parse_ok(pcrsim_quote_pcr_values_parse(data, size, &sel, &from_values, &err), &err,
                 name);
        free(data);
        for (uint32_t b = 0; b < from_text.bank_count; b++) {
                struct pcrsim_pcr_bank *t = &from_text.banks[b];
                struct pcrsim_pcr_bank *f = bank_of(&from_file, t->alg);
                struct pcrsim_pcr_bank *v = bank_of(&from_values, t->alg);

                cr_assert_not_null(f);
                cr_assert_not_null(v);
                for (unsigned pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        cr_expect_eq(f->pcrs[pcr].present, t->pcrs[pcr].present);
                        cr_expect_eq(v->pcrs[pcr].present, t->pcrs[pcr].present);
                        if (!t->pcrs[pcr].present)
                                continue;
                        cr_expect_arr_eq(f->pcrs[pcr].digest, t->pcrs[pcr].digest, t->size,
                                         "%s: PCR file differs at PCR %u", want->text, pcr);
                        cr_expect_arr_eq(v->pcrs[pcr].digest, t->pcrs[pcr].digest, t->size,
                                         "%s: values file differs at PCR %u", want->text, pcr);
                }
        }

        expect = (struct pcrsim_quote_expect){ nonce, sizeof(nonce), &from_file };
        verify_ok(attest, sig, pem_key, &expect, &result);
        expect_all_pass(&result);
        cr_assert(result.has_expected_digest);
        cr_expect_arr_eq(result.expected_digest, calc, sizeof(calc),
                         "%s over %s: digest differs from calcDigest", lab_keys[k].name,
                         want->text);
        verify_ok(attest, sig, tpm2b_key, &expect, &result);
        expect_all_pass(&result);

        nonce[0] ^= 1;
        verify_ok(attest, sig, tpm2b_key, &expect, &result);
        expect_verdict(&result, PCRSIM_QUOTE_CHECK_NONCE, PCRSIM_QUOTE_FAIL);
        pcrsim_quote_attest_free(attest);
        pcrsim_quote_signature_free(sig);
        pcrsim_quote_key_free(pem_key);
        pcrsim_quote_key_free(tpm2b_key);
}

Test(quote, swtpm_fresh_quotes, .timeout = 60)
{
        static const char *const programs[] = {
                "swtpm", "tpm2_createprimary", "tpm2_create", "tpm2_load", "tpm2_evictcontrol",
                "tpm2_flushcontext", "tpm2_readpublic", "tpm2_pcrextend", "tpm2_pcrread",
                "tpm2_quote",
        };
        struct lab lab;
        char tcti[64];
        bool ok;

        for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
                if (!in_path(programs[i])) {
                        fprintf(stderr, "test_quote: SKIP swtpm_fresh_quotes: %s is not in "
                                "PATH (install swtpm and tpm2-tools to run it)\n", programs[i]);
                        cr_skip_test("%s not installed", programs[i]);
                }
        }
        memset(&lab, 0, sizeof(lab));
        lab.dir = tu_tmpdir();
        cr_assert_not_null(lab.dir);
        /* The tools' own error messages go to tool.err. */
        unsetenv("TSS2_LOG");

        ok = start_swtpm(&lab);
        if (ok) {
                snprintf(tcti, sizeof(tcti), "swtpm:host=127.0.0.1,port=%d", lab.port);
                setenv("TPM2TOOLS_TCTI", tcti, 1);
                ok = make_quotes(&lab);
        }
        stop_swtpm(&lab);
        if (!ok) {
                fprintf(stderr, "test_quote: swtpm_fresh_quotes: %s\n", lab.failure);
                tu_rmtree(lab.dir);
                cr_assert_fail("swtpm and tpm2-tools: %s", lab.failure);
        }
        quiet_tss2();
        for (size_t k = 0; k < LAB_KEYS; k++)
                for (size_t s = 0; s < LAB_SELECTIONS; s++)
                        check_lab_quote(&lab, k, s);
        tu_rmtree(lab.dir);
}
