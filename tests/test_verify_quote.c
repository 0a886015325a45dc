/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of pcrsim verify-quote on the quote that swtpm made after it was
 * extended with every digest of the qemu-ovmf-uki event log: sha256 PCRs
 * 0-9 and 11, nonce 0011223344556677, an RSA key. The quote must verify
 * against the replayed log and against the PCR file that tpm2_quote
 * wrote, and each tampered copy must fail the check it breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "testutil.h"

#define TIMEOUT 60
#define NONCE "0011223344556677"

struct quote_files {
        char *dir;   /* the vector folder */
        char *msg, *sig, *ak_tss, *ak_pem, *pcrs, *log;
        char *tmp;   /* a temporary folder for tampered copies */
};

static void open_quote(struct quote_files *q)
{
        const char *root = tu_shared_vectors();

        if (!root) {
                fprintf(stderr, "verify-quote: the shared vector folder is absent, so these tests are skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        q->dir = tu_path_join(root, "swtpm-quote-qemu-uki");
        q->msg = tu_path_join(q->dir, "quote.msg");
        q->sig = tu_path_join(q->dir, "quote.sig");
        q->ak_tss = tu_path_join(q->dir, "ak.tpm2b_public");
        q->ak_pem = tu_path_join(q->dir, "ak.pem");
        q->pcrs = tu_path_join(q->dir, "quote.pcrs");
        q->log = tu_path_join(root, "qemu-ovmf-uki/eventlog.bin");
        q->tmp = tu_tmpdir();
        cr_assert(q->msg && q->sig && q->ak_tss && q->ak_pem && q->pcrs && q->log && q->tmp);
}

static void close_quote(struct quote_files *q)
{
        free(q->dir);
        free(q->msg);
        free(q->sig);
        free(q->ak_tss);
        free(q->ak_pem);
        free(q->pcrs);
        free(q->log);
        tu_rmtree(q->tmp);
}

/* Writes a copy of `path` with byte `at` set to `value`. */
static char *tampered_copy(struct quote_files *q, const char *path, const char *name, size_t at,
                           uint8_t value)
{
        size_t size = 0;
        char *data = tu_read_file(path, &size), *out;

        cr_assert(data && at < size, "cannot read %s", path);
        data[at] = (char)value;
        out = tu_write_file(q->tmp, name, data, size);
        cr_assert_not_null(out);
        free(data);
        return out;
}

/* Runs verify-quote and expects `exit_code` and each of `lines` in the
 * report. */
static void expect_report(const char *const *args, int exit_code, const char *const *lines)
{
        struct tu_result res;

        cr_assert(tu_run(&res, args, TIMEOUT));
        cr_expect_eq(res.exit_code, exit_code, "exit %d, expected %d: %s\n%s", res.exit_code,
                     exit_code, res.err, res.out);
        for (size_t i = 0; lines[i]; i++)
                cr_expect(strstr(res.out, lines[i]) != NULL, "no line \"%s\" in:\n%s", lines[i], res.out);
        tu_result_free(&res);
}

Test(verify_quote, verifies_against_replayed_log)
{
        struct quote_files q;
        static const char *const lines[] = {
                "selection: sha256 PCRs 0-9,11\n", "magic       pass", "type        pass",
                "signature   pass", "nonce       pass", "pcr-digest  pass", "result: pass", NULL,
        };

        open_quote(&q);
        const char *args[] = { "verify-quote", "-q", "--attest", q.msg, "--signature", q.sig,
                               "--ak-public", q.ak_tss, "--nonce", NONCE, q.log, NULL };
        expect_report(args, 0, lines);
        close_quote(&q);
}

Test(verify_quote, verifies_against_pcr_file_and_pem_key)
{
        struct quote_files q;
        static const char *const lines[] = { "signature   pass", "pcr-digest  pass", "result: pass", NULL };

        open_quote(&q);
        const char *args[] = { "verify-quote", "-q", "-m", q.msg, "-s", q.sig, "-k", q.ak_pem,
                               "-n", NONCE, "--expected", q.pcrs, NULL };
        expect_report(args, 0, lines);
        close_quote(&q);
}

Test(verify_quote, changed_magic_fails)
{
        struct quote_files q;
        static const char *const lines[] = { "magic       fail", "signature   fail", "result: fail", NULL };

        open_quote(&q);
        /* The magic is the first field, big-endian ff 54 43 47. */
        char *msg = tampered_copy(&q, q.msg, "magic.msg", 0, 0xfe);
        const char *args[] = { "verify-quote", "-q", "-m", msg, "-s", q.sig, "-k", q.ak_tss,
                               "-n", NONCE, q.log, NULL };
        expect_report(args, 1, lines);
        free(msg);
        close_quote(&q);
}

Test(verify_quote, nv_type_fails)
{
        struct quote_files q;
        static const char *const lines[] = { "type        fail", "result: fail", NULL };

        open_quote(&q);
        /* The type follows the magic: 80 18 (TPM_ST_ATTEST_QUOTE) becomes
         * 80 14 (TPM_ST_ATTEST_NV). */
        char *msg = tampered_copy(&q, q.msg, "type.msg", 5, 0x14);
        const char *args[] = { "verify-quote", "-q", "-m", msg, "-s", q.sig, "-k", q.ak_tss,
                               "-n", NONCE, q.log, NULL };
        expect_report(args, 1, lines);
        free(msg);
        close_quote(&q);
}

Test(verify_quote, wrong_nonce_fails)
{
        struct quote_files q;
        static const char *const lines[] = { "signature   pass", "nonce       fail", "result: fail", NULL };

        open_quote(&q);
        const char *args[] = { "verify-quote", "-q", "-m", q.msg, "-s", q.sig, "-k", q.ak_tss,
                               "-n", "0011223344556678", q.log, NULL };
        expect_report(args, 1, lines);
        close_quote(&q);
}

Test(verify_quote, values_without_a_selected_pcr_fail)
{
        struct quote_files q;
        static const char *const lines[] = { "pcr-digest  fail", "PCR 11", "result: fail", NULL };
        char *ref;
        /* sha256 PCRs 0-9 of qemu-ovmf-uki, without the quoted PCR 11:
         * take them from the replay's JSON map. */
        const char *replay[] = { "replay", "-q", "--bank", "sha256", "--pcrs", "0-9", "--format",
                                 "json", NULL, NULL };
        struct tu_result res;

        open_quote(&q);
        replay[8] = q.log;
        cr_assert(tu_run(&res, replay, TIMEOUT));
        cr_assert_eq(res.exit_code, 0, "%s", res.err);
        ref = tu_write_file(q.tmp, "pcrs-0-9.json", res.out, res.out_len);
        tu_result_free(&res);
        const char *args[] = { "verify-quote", "-q", "-m", q.msg, "-s", q.sig, "-k", q.ak_tss,
                               "-n", NONCE, "--expected", ref, NULL };
        expect_report(args, 1, lines);
        free(ref);
        close_quote(&q);
}

Test(verify_quote, signature_from_another_key_fails)
{
        struct quote_files q;
        static const char *const lines[] = { "magic       pass", "signature   fail", "result: fail", NULL };
        EVP_PKEY *other = EVP_RSA_gen(2048);
        char *path;
        FILE *f;

        cr_assert_not_null(other, "cannot make an RSA key");
        open_quote(&q);
        path = tu_path_join(q.tmp, "other.pem");
        f = fopen(path, "w");
        cr_assert(f && PEM_write_PUBKEY(f, other) == 1 && fclose(f) == 0, "cannot write %s", path);
        const char *args[] = { "verify-quote", "-q", "-m", q.msg, "-s", q.sig, "-k", path,
                               "-n", NONCE, q.log, NULL };
        expect_report(args, 1, lines);
        EVP_PKEY_free(other);
        free(path);
        close_quote(&q);
}

Test(verify_quote, missing_inputs_are_usage_errors)
{
        struct quote_files q;
        struct tu_result res;

        open_quote(&q);
        const char *no_key[] = { "verify-quote", "-m", q.msg, "-s", q.sig, NULL };
        const char *both[] = { "verify-quote", "-m", q.msg, "-s", q.sig, "-k", q.ak_tss,
                               "--expected", q.pcrs, q.log, NULL };
        const char *bad_nonce[] = { "verify-quote", "-m", q.msg, "-s", q.sig, "-k", q.ak_tss,
                                    "-n", "0x123", NULL };

        cr_assert(tu_run(&res, no_key, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "missing --ak-public") != NULL, "%s", res.err);
        tu_result_free(&res);
        cr_assert(tu_run(&res, both, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "not both") != NULL, "%s", res.err);
        tu_result_free(&res);
        cr_assert(tu_run(&res, bad_nonce, TIMEOUT));
        cr_expect_eq(res.exit_code, 2);
        cr_expect(strstr(res.err, "invalid --nonce") != NULL, "%s", res.err);
        tu_result_free(&res);
        close_quote(&q);
}

Test(verify_quote, without_nonce_incomplete)
{
        struct quote_files q;
        static const char *const lines[] = { "signature   pass", "nonce       not checked",
                                             "pcr-digest  pass", "result: incomplete", NULL };

        open_quote(&q);
        const char *args[] = { "verify-quote", "-q", "-m", q.msg, "-s", q.sig, "-k", q.ak_tss,
                               q.log, NULL };
        expect_report(args, 1, lines);
        close_quote(&q);
}
