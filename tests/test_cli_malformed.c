/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "logbuilder.h"
#include "testutil.h"

/*
 * Runs `pcrsim replay` on malformed TCG event logs and checks the exit
 * code and the error line "pcrsim: FILE: event N at offset 0xHEX: MESSAGE".
 * N is the zero-based record index, and the offset is that of the field
 * that is wrong or cut off, counted from the start of the file.
 */

#define EV_POST_CODE 0x00000001u
#define EV_SEPARATOR 0x00000004u
#define EV_S_CRTM_VERSION 0x00000008u

#define EXIT_INVALID 2
#define EXIT_SYSTEM 3

/* Seconds one pcrsim run may take before tu_run() kills it. */
#define RUN_TIMEOUT 20

/* Room for an expected error prefix: a path of up to 4096 bytes and the
 * "pcrsim: ...: event N at offset 0xHEX: " text around it. */
#define PREFIX_SIZE 4200

/*
 * Layout of the base log that build_base_log() writes, computed by hand.
 * Record 0 is the Spec ID record: a 32-byte SHA-1 record header and 37
 * bytes of Spec ID data (signature 16, platform class 4, version, errata
 * and uintnSize 4, algorithm count 4, two algorithms 8, vendor info size
 * 1). Records 1 and 2 are TCG_PCR_EVENT2 records with a SHA-1 and a
 * SHA-256 digest and 4 bytes of event data each.
 */
#define SPECID_NUM_ALGS_OFFSET 0x38    /* numberOfAlgorithms */
#define SPECID_UINTN_SIZE_OFFSET 0x37  /* uintnSize */
#define SPECID_FIRST_ALG_OFFSET 0x3c   /* first algorithmId */
#define SPECID_RECORD_SIZE 69u
#define AGILE_RECORD_SIZE 76u          /* 12 + (2 + 20) + (2 + 32) + 4 + 4 */
#define RECORD1_OFFSET SPECID_RECORD_SIZE
#define RECORD2_OFFSET (RECORD1_OFFSET + AGILE_RECORD_SIZE)
#define BASE_LOG_SIZE (RECORD2_OFFSET + AGILE_RECORD_SIZE)

/* Field offsets inside a TCG_PCR_EVENT2 record of the base log. */
#define AGILE_DIGEST_COUNT 8u
#define AGILE_FIRST_ALG 12u
#define AGILE_EVENT_SIZE 68u
#define AGILE_EVENT_DATA 72u

/* Field offsets inside a SHA-1 format record. */
#define SHA1_RECORD_DIGEST 8u

struct replay_run {
        char *path;             /* the log file, already removed */
        struct tu_result res;
};

static const uint16_t sha1_sha256_algs[] = { LB_SHA1, LB_SHA256 };
static const uint16_t sha1_sha256_sizes[] = { 20, 32 };

/* Appends a TCG_PCR_EVENT2 record with a SHA-1 and a SHA-256 digest whose
 * bytes are all `fill`, and 4 bytes of event data. */
static void append_two_digest_record(struct lb *b, uint32_t pcr, uint32_t type,
                                     uint8_t fill)
{
        struct lb_digest digests[2];

        digests[0] = lb_digest_fill(LB_SHA1, 20, fill);
        digests[1] = lb_digest_fill(LB_SHA256, 32, fill);
        lb_agile_record(b, pcr, type, digests, 2, "\x01\x02\x03\x04", 4);
}

/*
 * Writes a well-formed crypto-agile log with sha1 and sha256 banks: the
 * Spec ID record, an EV_POST_CODE record for PCR 0 and an EV_SEPARATOR
 * record for PCR 7. The malformed cases mutate it or append to it.
 */
static void build_base_log(struct lb *b)
{
        lb_init(b);
        lb_specid(b, sha1_sha256_algs, sha1_sha256_sizes, 2, 2, 0);
        append_two_digest_record(b, 0, EV_POST_CODE, 0x21);
        append_two_digest_record(b, 7, EV_SEPARATOR, 0x31);
}

/* Writes a well-formed SHA-1 format log of two 36-byte records. */
static void build_sha1_log(struct lb *b)
{
        uint8_t digest[20];

        lb_init(b);
        memset(digest, 0x41, sizeof(digest));
        lb_sha1_record(b, 0, EV_S_CRTM_VERSION, digest, "v1.0", 4);
        memset(digest, 0x42, sizeof(digest));
        lb_sha1_record(b, 7, EV_SEPARATOR, digest, "\0\0\0\0", 4);
}

static void put_u16(struct lb *b, size_t offset, uint16_t v)
{
        cr_assert_leq(offset + 2, b->len, "put_u16 at 0x%zx is past the log end", offset);
        b->data[offset] = (uint8_t)v;
        b->data[offset + 1] = (uint8_t)(v >> 8);
}

/*
 * Writes `len` bytes to a file in a fresh temporary folder, runs
 * `pcrsim replay OPTIONS... FILE` and removes the folder before any
 * assertion, so that a failing test leaves no files behind. `options` is
 * NULL-terminated and may be NULL. With `create` false the file is not
 * written, which tests a missing input.
 */
static void run_replay(const void *data, size_t len, bool create,
                       const char *const *options, struct replay_run *run)
{
        const char *args[16];
        size_t argc = 0;
        bool started = false;
        char *dir;

        args[argc++] = "replay";
        for (size_t i = 0; options && options[i]; i++) {
                cr_assert_lt(argc, 14, "too many options");
                args[argc++] = options[i];
        }

        dir = tu_tmpdir();
        cr_assert_not_null(dir, "cannot create a temporary folder");
        if (create)
                run->path = tu_write_file(dir, "event.log", data, len);
        else
                run->path = tu_path_join(dir, "missing.log");
        args[argc++] = run->path;
        args[argc] = NULL;
        if (run->path)
                started = tu_run(&run->res, args, RUN_TIMEOUT);
        tu_rmtree(dir);

        cr_assert_not_null(run->path, "cannot write the log file");
        cr_assert(started, "cannot start %s", tu_pcrsim_bin());
        cr_assert_not(run->res.timed_out, "pcrsim ran longer than %d s", RUN_TIMEOUT);
        cr_assert_eq(run->res.signal, 0, "pcrsim was killed by signal %d",
                     run->res.signal);
}

static void run_log(const struct lb *b, const char *const *options,
                    struct replay_run *run)
{
        run_replay(b->data, b->len, true, options, run);
}

static void free_run(struct replay_run *run)
{
        free(run->path);
        tu_result_free(&run->res);
}

/* Asserts that pcrsim succeeded and printed PCR values. */
static void assert_replayed(const struct replay_run *run)
{
        cr_assert_eq(run->res.exit_code, 0, "exit code %d, stderr: %s",
                     run->res.exit_code, run->res.err);
        cr_assert_gt(run->res.out_len, 0, "no output on stdout");
}

/* Asserts exit code 2, an empty stdout, and a single stderr line that
 * names the log file. */
static void assert_invalid_input(const struct replay_run *run)
{
        const char *err = run->res.err;

        cr_assert_eq(run->res.exit_code, EXIT_INVALID, "exit code %d, stderr: %s",
                     run->res.exit_code, err);
        cr_assert_str_empty(run->res.out, "stdout is not empty: %s", run->res.out);
        cr_assert(strstr(err, run->path) != NULL,
                  "stderr does not name the file %s: %s", run->path, err);
        cr_assert_gt(run->res.err_len, 0, "stderr is empty");
        cr_assert_eq(strchr(err, '\n'), err + run->res.err_len - 1,
                     "stderr is not exactly one line: %s", err);
}

/*
 * Asserts that pcrsim rejected the log with the line
 * "pcrsim: FILE: event EVENT at offset 0xOFFSET: ..." whose message
 * contains `word`.
 */
static void assert_rejected_at(const struct replay_run *run, unsigned event,
                               size_t offset, const char *word)
{
        char prefix[PREFIX_SIZE];

        assert_invalid_input(run);
        snprintf(prefix, sizeof(prefix), "pcrsim: %s: event %u at offset 0x%zx: ",
                 run->path, event, offset);
        cr_assert(strncmp(run->res.err, prefix, strlen(prefix)) == 0,
                  "expected stderr to start with \"%s\", got: %s", prefix, run->res.err);
        cr_assert(strstr(run->res.err + strlen(prefix), word) != NULL,
                  "the message does not mention \"%s\": %s", word, run->res.err);
}

/* Runs the log and asserts the error line, then frees everything. */
static void expect_rejected_at(struct lb *b, unsigned event, size_t offset,
                               const char *word)
{
        struct replay_run run;

        run_log(b, NULL, &run);
        assert_rejected_at(&run, event, offset, word);
        free_run(&run);
        lb_free(b);
}

/* Returns the value after "offset 0x" in `text`, or UINT64_MAX. */
static uint64_t parse_error_offset(const char *text)
{
        const char *p = strstr(text, "offset 0x");

        if (!p)
                return UINT64_MAX;
        return strtoull(p + strlen("offset 0x"), NULL, 16);
}

Test(wellformed, base_log_layout)
{
        struct lb b;

        build_base_log(&b);
        cr_assert_eq(b.len, BASE_LOG_SIZE, "base log is %zu bytes", b.len);
        cr_assert_eq(b.data[SPECID_UINTN_SIZE_OFFSET], 2);
        cr_assert_eq(b.data[SPECID_NUM_ALGS_OFFSET], 2);
        cr_assert_eq(b.data[SPECID_FIRST_ALG_OFFSET], LB_SHA1);
        cr_assert_eq(b.data[RECORD2_OFFSET], 7, "record 2 is not at 0x%x", RECORD2_OFFSET);
        cr_assert_eq(b.data[RECORD2_OFFSET + AGILE_DIGEST_COUNT], 2);
        cr_assert_eq(b.data[RECORD2_OFFSET + AGILE_FIRST_ALG], LB_SHA1);
        cr_assert_eq(b.data[RECORD2_OFFSET + AGILE_EVENT_SIZE], 4);
        cr_assert_eq(b.data[RECORD2_OFFSET + AGILE_EVENT_DATA], 0x01);
        lb_free(&b);
}

Test(wellformed, base_log_replays)
{
        static const char *const sha1_bank[] = { "--bank", "sha1", NULL };
        struct replay_run run;
        struct lb b;

        build_base_log(&b);
        run_log(&b, NULL, &run);
        assert_replayed(&run);
        free_run(&run);

        run_log(&b, sha1_bank, &run);
        assert_replayed(&run);
        free_run(&run);
        lb_free(&b);
}

Test(wellformed, sha1_log_replays)
{
        struct replay_run run;
        struct lb b;

        build_sha1_log(&b);
        run_log(&b, NULL, &run);
        assert_replayed(&run);
        free_run(&run);
        lb_free(&b);
}

/* Zero bytes after the last record are padding, unlike the non-zero
 * garbage of malformed/trailing_garbage. */
Test(wellformed, zero_padding_accepted)
{
        struct replay_run run;
        struct lb b;

        build_base_log(&b);
        lb_fill(&b, 0, 5);
        run_log(&b, NULL, &run);
        assert_replayed(&run);
        free_run(&run);
        lb_free(&b);
}

Test(wellformed, options_accepted)
{
        static const char *const options[] = { "--bank", "sha256", "--pcrs", "0-23",
                                               "--format", "json", NULL };
        struct replay_run run;
        struct lb b;

        build_base_log(&b);
        run_log(&b, options, &run);
        assert_replayed(&run);
        free_run(&run);
        lb_free(&b);
}

Test(malformed, empty_file)
{
        struct replay_run run;
        char prefix[PREFIX_SIZE];

        run_replay("", 0, true, NULL, &run);
        assert_invalid_input(&run);
        snprintf(prefix, sizeof(prefix), "pcrsim: %s: offset 0x0: ", run.path);
        cr_assert(strncmp(run.res.err, prefix, strlen(prefix)) == 0,
                  "expected stderr to start with \"%s\", got: %s", prefix, run.res.err);
        cr_assert(strstr(run.res.err, "empty input") != NULL, "%s", run.res.err);
        free_run(&run);
}

/* 40 bytes end inside the Spec ID signature, so the event data of record
 * 0, which starts at 0x20, is cut off. */
Test(malformed, truncated_specid)
{
        struct lb b;

        build_base_log(&b);
        b.len = 40;
        expect_rejected_at(&b, 0, 0x20, "event data");
}

Test(malformed, specid_no_algorithms)
{
        struct lb b;

        lb_init(&b);
        lb_specid(&b, NULL, NULL, 0, 2, 0);
        expect_rejected_at(&b, 0, SPECID_NUM_ALGS_OFFSET, "algorithms");
}

Test(malformed, specid_duplicate_algorithm)
{
        static const uint16_t algs[] = { LB_SHA256, LB_SHA256 };
        static const uint16_t sizes[] = { 32, 32 };
        struct lb b;

        lb_init(&b);
        lb_specid(&b, algs, sizes, 2, 2, 0);
        expect_rejected_at(&b, 0, SPECID_FIRST_ALG_OFFSET + 4, "twice");
}

Test(malformed, specid_wrong_digest_size)
{
        static const uint16_t sizes[] = { 20, 20 };
        struct lb b;

        lb_init(&b);
        lb_specid(&b, sha1_sha256_algs, sizes, 2, 2, 0);
        /* The digest size of the second algorithm, sha256. */
        expect_rejected_at(&b, 0, SPECID_FIRST_ALG_OFFSET + 4 + 2, "digest size");
}

Test(malformed, specid_invalid_uintn_size)
{
        struct lb b;

        lb_init(&b);
        lb_specid(&b, sha1_sha256_algs, sha1_sha256_sizes, 2, 3, 0);
        expect_rejected_at(&b, 0, SPECID_UINTN_SIZE_OFFSET, "uintnSize");
}

Test(malformed, zero_digest_count)
{
        struct lb b;

        build_base_log(&b);
        lb_put_u32(&b, RECORD2_OFFSET + AGILE_DIGEST_COUNT, 0);
        expect_rejected_at(&b, 2, RECORD2_OFFSET + AGILE_DIGEST_COUNT, "digest count");
}

Test(malformed, digest_count_above_header)
{
        struct lb b;

        build_base_log(&b);
        lb_put_u32(&b, RECORD2_OFFSET + AGILE_DIGEST_COUNT, 3);
        expect_rejected_at(&b, 2, RECORD2_OFFSET + AGILE_DIGEST_COUNT, "digest count");
}

Test(malformed, algorithm_not_in_header)
{
        struct lb b;

        build_base_log(&b);
        put_u16(&b, RECORD2_OFFSET + AGILE_FIRST_ALG, LB_SHA384);
        expect_rejected_at(&b, 2, RECORD2_OFFSET + AGILE_FIRST_ALG, "algorithm id");
}

Test(malformed, duplicate_algorithm_in_record)
{
        struct lb_digest digests[2];
        struct lb b;

        build_base_log(&b);
        digests[0] = lb_digest_fill(LB_SHA256, 32, 0x51);
        digests[1] = lb_digest_fill(LB_SHA256, 32, 0x52);
        lb_agile_record(&b, 4, EV_SEPARATOR, digests, 2, "\0\0\0\0", 4);
        /* The second algorithm id follows the first id and its 32-byte digest. */
        expect_rejected_at(&b, 3, BASE_LOG_SIZE + AGILE_FIRST_ALG + 2 + 32, "twice");
}

Test(malformed, event_data_past_end)
{
        struct lb b;

        build_base_log(&b);
        lb_put_u32(&b, RECORD2_OFFSET + AGILE_EVENT_SIZE, 4 + 100);
        expect_rejected_at(&b, 2, RECORD2_OFFSET + AGILE_EVENT_DATA, "event data");
}

Test(malformed, event_size_above_limit)
{
        struct lb b;

        build_base_log(&b);
        lb_put_u32(&b, RECORD2_OFFSET + AGILE_EVENT_SIZE, 0xFFFFFFF0u);
        expect_rejected_at(&b, 2, RECORD2_OFFSET + AGILE_EVENT_SIZE, "exceeds the limit");
}

/* A crypto-agile reader takes bytes 8-11 of a SHA-1 format record, the
 * start of its SHA-1 digest, as the digest count 0x11111111. */
Test(malformed, sha1_record_in_agile_log)
{
        uint8_t digest[20];
        struct lb b;

        build_base_log(&b);
        memset(digest, 0x11, sizeof(digest));
        lb_sha1_record(&b, 4, EV_SEPARATOR, digest, "\0\0\0\0", 4);
        expect_rejected_at(&b, 3, BASE_LOG_SIZE + 8, "digest count");
}

Test(malformed, trailing_garbage)
{
        struct replay_run run;
        uint64_t offset;
        char prefix[PREFIX_SIZE];
        struct lb b;

        build_base_log(&b);
        lb_bytes(&b, "\x01\x02\x03\x04\x05", 5);
        run_log(&b, NULL, &run);
        assert_invalid_input(&run);

        /* pcrsim reads the garbage as record 3, so the error may point at
         * any offset from the start of the garbage to the end of the file. */
        snprintf(prefix, sizeof(prefix), "pcrsim: %s: event 3 at offset 0x", run.path);
        cr_assert(strncmp(run.res.err, prefix, strlen(prefix)) == 0,
                  "expected stderr to start with \"%s\", got: %s", prefix, run.res.err);
        offset = parse_error_offset(run.res.err);
        cr_assert_geq(offset, BASE_LOG_SIZE, "offset before the garbage: %s", run.res.err);
        cr_assert_leq(offset, BASE_LOG_SIZE + 5, "offset past the file end: %s",
                      run.res.err);
        free_run(&run);
        lb_free(&b);
}

Test(malformed, pcr_index_out_of_range)
{
        struct lb b;

        build_base_log(&b);
        lb_put_u32(&b, RECORD2_OFFSET, 24);
        expect_rejected_at(&b, 2, RECORD2_OFFSET, "PCR index");
}

/* Cut 10 bytes into the SHA-1 digest of record 1, which starts at 36. */
Test(malformed, sha1_log_truncated_digest)
{
        struct lb b;

        build_sha1_log(&b);
        b.len = 36 + SHA1_RECORD_DIGEST + 10;
        expect_rejected_at(&b, 1, 36 + SHA1_RECORD_DIGEST, "SHA-1 digest");
}

Test(usage, missing_file)
{
        struct replay_run run;

        run_replay(NULL, 0, false, NULL, &run);
        cr_assert_eq(run.res.exit_code, EXIT_SYSTEM, "exit code %d, stderr: %s",
                     run.res.exit_code, run.res.err);
        cr_assert_str_empty(run.res.out, "stdout is not empty: %s", run.res.out);
        cr_assert(strstr(run.res.err, run.path) != NULL,
                  "stderr does not name the file %s: %s", run.path, run.res.err);
        free_run(&run);
}

Test(usage, unknown_option)
{
        static const char *const options[] = { "--no-such-option", NULL };
        struct replay_run run;
        struct lb b;

        build_base_log(&b);
        run_log(&b, options, &run);
        cr_assert_eq(run.res.exit_code, EXIT_INVALID, "exit code %d, stderr: %s",
                     run.res.exit_code, run.res.err);
        cr_assert_str_empty(run.res.out, "stdout is not empty: %s", run.res.out);
        cr_assert(strstr(run.res.err, "no-such-option") != NULL,
                  "stderr does not name the option: %s", run.res.err);
        free_run(&run);
        lb_free(&b);
}

Test(usage, pcr_list_out_of_range)
{
        static const char *const options[] = { "--pcrs", "0-24", NULL };
        struct replay_run run;
        struct lb b;

        build_base_log(&b);
        run_log(&b, options, &run);
        cr_assert_eq(run.res.exit_code, EXIT_INVALID, "exit code %d, stderr: %s",
                     run.res.exit_code, run.res.err);
        cr_assert_str_empty(run.res.out, "stdout is not empty: %s", run.res.out);
        cr_assert(strstr(run.res.err, "0-24") != NULL,
                  "stderr does not name the PCR list: %s", run.res.err);
        free_run(&run);
        lb_free(&b);
}

Test(usage, bank_not_in_log)
{
        static const char *const options[] = { "--bank", "sha384", NULL };
        struct replay_run run;
        struct lb b;

        build_base_log(&b);
        run_log(&b, options, &run);
        assert_invalid_input(&run);
        cr_assert(strstr(run.res.err, "sha384") != NULL,
                  "stderr does not name the requested bank: %s", run.res.err);
        cr_assert(strstr(run.res.err, "sha1") != NULL,
                  "stderr does not name the sha1 bank: %s", run.res.err);
        cr_assert(strstr(run.res.err, "sha256") != NULL,
                  "stderr does not name the sha256 bank: %s", run.res.err);
        free_run(&run);
        lb_free(&b);
}

/* ---- Standard input ---- */

/* Returns `text` after its first line. */
static const char *after_first_line(const char *text)
{
        const char *nl = strchr(text, '\n');

        return nl ? nl + 1 : text;
}

/* Runs `args` once on `path` and once with "-" and the file's bytes on a
 * pipe, whose size fstat() cannot tell, and expects the same result. With
 * `names_file`, the first line of the output names the input and is left
 * out of the comparison. */
static void expect_pipe_equals_file(const char *const *args_file, const char *const *args_pipe,
                                    const char *path, bool names_file)
{
        struct tu_result from_file, from_pipe;
        size_t size = 0;
        char *data = tu_read_file(path, &size);

        cr_assert_not_null(data, "cannot read %s", path);
        cr_assert(tu_run(&from_file, args_file, RUN_TIMEOUT));
        cr_assert(tu_run_input(&from_pipe, args_pipe, RUN_TIMEOUT, data, size));
        cr_expect_eq(from_file.exit_code, 0, "%s: %s", path, from_file.err);
        cr_expect_eq(from_pipe.exit_code, 0, "%s from a pipe: %s", path, from_pipe.err);
        cr_expect_gt(from_pipe.out_len, 0);
        if (names_file) {
                cr_expect(strstr(from_pipe.out, "standard input") != NULL, "%.200s",
                          from_pipe.out);
                cr_expect(strcmp(after_first_line(from_pipe.out),
                                 after_first_line(from_file.out)) == 0,
                          "output differs:\n%.2000s\n---\n%.2000s", from_pipe.out, from_file.out);
        } else {
                cr_expect(strcmp(from_pipe.out, from_file.out) == 0,
                          "output differs:\n%.2000s\n---\n%.2000s", from_pipe.out, from_file.out);
        }
        tu_result_free(&from_file);
        tu_result_free(&from_pipe);
        free(data);
}

Test(stdin, event_log_from_pipe)
{
        char *path = tu_path_join(tu_source_root(), "vectors/synth-agile-sha1-sha256/eventlog.bin");
        const char *replay_file[] = { "replay", "-q", "--bank", "all", "--format", "json", path, NULL };
        const char *replay_pipe[] = { "replay", "-q", "--bank", "all", "--format", "json", "-", NULL };
        const char *events_file[] = { "events", "--format", "yaml", path, NULL };
        const char *events_pipe[] = { "events", "--format", "yaml", "-", NULL };

        cr_assert_not_null(path);
        expect_pipe_equals_file(replay_file, replay_pipe, path, false);
        expect_pipe_equals_file(events_file, events_pipe, path, true);
        free(path);
}

Test(stdin, ima_list_from_pipe)
{
        const char *shared = tu_shared_vectors();
        const char *replay_file[] = { "replay", "-q", "--format", "json", "--ima", NULL, NULL };
        const char *replay_pipe[] = { "replay", "-q", "--format", "json", "--ima", "-", NULL };
        char *path;

        if (!shared) {
                fprintf(stderr, "stdin: the shared vector folder is absent, so the IMA pipe test is skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        path = tu_path_join(shared, "qemu-ovmf-uki/ima.bin");
        cr_assert_not_null(path);
        replay_file[5] = path;
        expect_pipe_equals_file(replay_file, replay_pipe, path, false);
        free(path);
}

Test(stdin, truncated_log_from_pipe_names_offset)
{
        char *path = tu_path_join(tu_source_root(), "vectors/synth-agile-sha1-sha256/eventlog.bin");
        const char *args[] = { "replay", "-q", "-", NULL };
        struct tu_result res;
        size_t size = 0;
        char *data;

        cr_assert_not_null(path);
        data = tu_read_file(path, &size);
        cr_assert(data && size > 100, "cannot read %s", path);
        cr_assert(tu_run_input(&res, args, RUN_TIMEOUT, data, size - 3));
        cr_expect_eq(res.exit_code, EXIT_INVALID, "%s", res.err);
        cr_expect_eq(res.out_len, 0, "values printed for a truncated log: %s", res.out);
        cr_expect(strstr(res.err, "standard input") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "offset 0x") != NULL, "%s", res.err);
        tu_result_free(&res);
        free(data);
        free(path);
}
