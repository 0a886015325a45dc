/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Damages every TCG event log and IMA list of vectors/ and of the shared
 * vector folder, and replays each damaged copy in-process through the
 * library. Run under AddressSanitizer and UndefinedBehaviorSanitizer, this
 * is where an out-of-bounds read or an overflow on damaged input shows.
 *
 * - Truncations: every length from 0 to the full size.
 * - Mutations: the byte at each field boundary (tests/support/boundaries.h)
 *   and the byte before it are set to 0x00, to 0xFF, and to themselves with
 *   the top bit flipped. The byte before a boundary is the last byte of the
 *   previous field, which is the high byte of a little-endian size.
 *
 * Each copy is replayed from a buffer of exactly its size. Every replay
 * must end in success or in an input error whose code matches and whose
 * offset lies inside the input. A cut where a record ends must succeed.
 *
 * The systemd-stub EFI image of the machine is cut at every length up to
 * the end of its headers and around each section's raw data. Each header
 * byte is mutated the same way, and every copy that parses is hashed.
 *
 * Large IMA lists are not replayed whole for each case, which would take
 * hours under the sanitizers. Entries of a list do not depend on each
 * other, only on what the reader learns from the first entry (byte order,
 * digest size, ASCII or binary), so a cut or a mutation inside entry K is
 * replayed on entry 0 followed by entry K (and K+1). The reader is in the
 * same state there as in the whole list.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "boundaries.h"
#include "manifest.h"
#include "pcrsim/error.h"
#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/manifest.h"
#include "pcrsim/pe.h"
#include "pcrsim/reference.h"
#include "pcrsim/replay.h"
#include "pcrsim/tcglog.h"
#include "testutil.h"

#define SHA1_ID 0x0004
#define SHA256_ID 0x000B

/* IMA lists up to this size are cut and mutated whole. */
#define IMA_WHOLE_MAX 16384u

/* Each sweep stops and fails after this long, inside the timeout that
 * tests/meson.build sets, so that a hang in a reader shows as one. */
#define SWEEP_TIME_LIMIT_SECONDS 900.0

/* Failures reported one by one per file. Further ones are only counted. */
#define MAX_REPORTED_FAILURES 5u

struct tally {
        const char *path;
        unsigned long cases;
        unsigned long failures;
        double deadline;
        bool out_of_time;
};

static double seconds_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool out_of_time(struct tally *t)
{
        if (!t->out_of_time && seconds_now() > t->deadline) {
                t->out_of_time = true;
                cr_expect_fail("%s: the sweep exceeded %.0f s and stopped", t->path,
                               SWEEP_TIME_LIMIT_SECONDS);
        }
        return t->out_of_time;
}

static void report(struct tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct tally *t, const char *fmt, ...)
{
        char message[768];
        va_list ap;

        if (t->failures++ >= MAX_REPORTED_FAILURES)
                return;
        va_start(ap, fmt);
        vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        cr_expect_fail("%s: %s", t->path, message);
}

/* Tells whether `rc` is an input error with the same code in `err` and an
 * offset inside the `len` bytes read. */
static bool input_error(enum pcrsim_error_code rc, const struct pcrsim_error *err, size_t len)
{
        if (rc != PCRSIM_ERR_INVALID && rc != PCRSIM_ERR_TRUNCATED && rc != PCRSIM_ERR_LIMIT &&
            rc != PCRSIM_ERR_UNSUPPORTED)
                return false;
        return err->code == rc && err->offset != PCRSIM_NO_OFFSET && err->offset <= len;
}

static const char *describe(enum pcrsim_error_code rc, const struct pcrsim_error *err,
                            char *buf, size_t size)
{
        if (rc == PCRSIM_OK)
                return "success";
        pcrsim_error_format(err, "input", buf, size);
        return buf;
}

/* ---- TCG event logs ---- */

/* Replays `len` bytes that the caller passes in a buffer of exactly that
 * size. */
static enum pcrsim_error_code tcg_replay(const uint8_t *exact, size_t len,
                                         struct pcrsim_replay *out, struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(err);
        rc = pcrsim_tcglog_open_memory(exact, len, &log, err);
        if (rc == PCRSIM_OK)
                rc = pcrsim_replay_tcglog(log, out, err);
        pcrsim_tcglog_free(log);
        return rc;
}

static void tcg_truncations(const uint8_t *data, size_t size, const struct tu_bounds *b,
                            struct pcrsim_replay *out, struct tally *t)
{
        uint8_t *record_end = calloc(size + 1, 1);
        char reason[512];

        cr_assert_not_null(record_end, "out of memory");
        for (size_t i = 0; i < b->record_count; i++)
                record_end[b->records[i].end] = 1;
        for (size_t len = 0; len <= size && !out_of_time(t); len++) {
                uint8_t *copy = malloc(len ? len : 1);
                struct pcrsim_error err;
                enum pcrsim_error_code rc;

                cr_assert_not_null(copy, "out of memory");
                memcpy(copy, data, len);
                rc = tcg_replay(copy, len, out, &err);
                free(copy);
                t->cases++;
                if (rc == PCRSIM_OK)
                        continue;
                if (record_end[len])
                        report(t, "cut to %zu of %zu bytes where a record ends: %s, expected success",
                               len, size, describe(rc, &err, reason, sizeof(reason)));
                else if (!input_error(rc, &err, len))
                        report(t, "cut to %zu of %zu bytes: %s (code %d, err.code %d), expected success or an input error at an offset inside the input",
                               len, size, describe(rc, &err, reason, sizeof(reason)), (int)rc,
                               (int)err.code);
        }
        free(record_end);
}

static const int mutation_values[] = { 0x00, 0xFF, -1 /* the top bit flipped */ };

static uint8_t mutated(uint8_t orig, int value)
{
        return value < 0 ? (uint8_t)(orig ^ 0x80u) : (uint8_t)value;
}

static void tcg_mutations(const uint8_t *data, size_t size, const struct tu_bounds *b,
                          struct pcrsim_replay *out, struct tally *t)
{
        uint8_t *copy = malloc(size ? size : 1);
        uint8_t *done = calloc(size + 1, 1);
        char reason[512];

        cr_assert(copy && done, "out of memory");
        memcpy(copy, data, size);
        for (size_t i = 0; i < b->count && !out_of_time(t); i++) {
                for (size_t back = 0; back < 2; back++) {
                        size_t pos = b->at[i] - back;

                        if (b->at[i] < back || pos >= size || done[pos])
                                continue;
                        done[pos] = 1;
                        for (size_t v = 0; v < sizeof(mutation_values) / sizeof(int); v++) {
                                struct pcrsim_error err;
                                enum pcrsim_error_code rc;

                                copy[pos] = mutated(data[pos], mutation_values[v]);
                                if (copy[pos] == data[pos])
                                        continue;
                                rc = tcg_replay(copy, size, out, &err);
                                t->cases++;
                                if (rc != PCRSIM_OK && !input_error(rc, &err, size))
                                        report(t, "byte %zu set from 0x%02x to 0x%02x: %s (code %d), expected success or an input error at an offset inside the input",
                                               pos, data[pos], copy[pos],
                                               describe(rc, &err, reason, sizeof(reason)), (int)rc);
                        }
                        copy[pos] = data[pos];
                }
        }
        free(done);
        free(copy);
}

/* Sweeps one event log. Returns false when it was skipped. */
static bool sweep_tcg(const char *path, bool damaged, double deadline, unsigned long *cases)
{
        struct pcrsim_replay *out = calloc(1, sizeof(*out));
        struct tally t = { .path = path, .deadline = deadline };
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size);
        struct tu_bounds b;

        cr_assert(out && data, "cannot read %s or out of memory", path);
        if (!tu_tcg_bounds(data, size, 0, &b)) {
                cr_expect(damaged, "%s: the whole log does not walk", path);
                tu_bounds_free(&b);
                free(data);
                free(out);
                return false;
        }
        tcg_truncations(data, size, &b, out, &t);
        tcg_mutations(data, size, &b, out, &t);
        cr_expect_eq(t.failures, 0, "%s: %lu of %lu damaged copies gave a wrong result", path,
                     t.failures, t.cases);
        *cases += t.cases;
        tu_bounds_free(&b);
        free(data);
        free(out);
        return true;
}

/* ---- IMA lists ---- */

static enum pcrsim_error_code ima_replay(const uint8_t *exact, size_t len, bool partial,
                                         struct pcrsim_ima_replay *out,
                                         struct pcrsim_error *err)
{
        struct pcrsim_ima_options lopts = { .allow_partial_tail = partial };
        struct pcrsim_ima_replay_options ropts;
        struct pcrsim_ima_list *list = NULL;
        enum pcrsim_error_code rc;

        memset(&ropts, 0, sizeof(ropts));
        ropts.bank_count = 2;
        ropts.banks[0] = SHA1_ID;
        ropts.banks[1] = SHA256_ID;
        pcrsim_error_clear(err);
        rc = pcrsim_ima_list_open_memory(exact, len, &lopts, &list, err);
        if (rc == PCRSIM_OK)
                rc = pcrsim_replay_ima(list, &ropts, out, err);
        pcrsim_ima_list_free(list);
        return rc;
}

/* A copy of the bytes that the sweep replays, and the whole entries of the
 * original list that it contains. */
struct window {
        uint8_t *bytes;
        size_t size;
        size_t complete;  /* whole entries at its start */
        size_t last_end;  /* end of the last of them, in the window */
};

static void window_append(struct window *w, const uint8_t *p, size_t n)
{
        uint8_t *grown = realloc(w->bytes, w->size + n ? w->size + n : 1);

        cr_assert_not_null(grown, "out of memory");
        memcpy(grown + w->size, p, n);
        w->bytes = grown;
        w->size += n;
}

/* Fills `w` with the first `len` bytes of the list, or, for a large list
 * cut inside entry K > 0, with entry 0 and the first part of entry K. */
static void cut_window(const uint8_t *data, size_t size, const struct tu_bounds *b, size_t len,
                       struct window *w)
{
        size_t k = 0;

        memset(w, 0, sizeof(*w));
        while (k < b->record_count && b->records[k].end <= len)
                k++;
        if (size <= IMA_WHOLE_MAX || k == 0 || k >= b->record_count ||
            len == b->records[k].start) {
                window_append(w, data, len);
                w->complete = k;
                w->last_end = k ? b->records[k - 1].end : 0;
                return;
        }
        window_append(w, data, b->records[0].end);
        window_append(w, data + b->records[k].start, len - b->records[k].start);
        w->complete = 1;
        w->last_end = b->records[0].end;
}

static void ima_cut(const uint8_t *data, size_t size, const struct tu_bounds *b, size_t len,
                    bool ascii, struct pcrsim_ima_replay *out, struct tally *t)
{
        struct window w;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char reason[512];
        bool whole;

        cut_window(data, size, b, len, &w);
        whole = w.size > 0 && w.size == w.last_end;
        rc = ima_replay(w.bytes, w.size, false, out, &err);
        t->cases++;
        if (whole && rc != PCRSIM_OK)
                report(t, "cut at %zu, where an entry ends: %s, expected success", len,
                       describe(rc, &err, reason, sizeof(reason)));
        else if (rc != PCRSIM_OK && !input_error(rc, &err, w.size))
                report(t, "cut at %zu: %s (code %d), expected success or an input error at an offset inside the input",
                       len, describe(rc, &err, reason, sizeof(reason)), (int)rc);
        if (w.complete > 0) {
                rc = ima_replay(w.bytes, w.size, true, out, &err);
                t->cases++;
                if (rc != PCRSIM_OK) {
                        report(t, "cut at %zu, with a partial tail allowed: %s, expected success",
                               len, describe(rc, &err, reason, sizeof(reason)));
                } else if (out->entry_count == w.complete &&
                           out->info.partial_tail_size == w.size - w.last_end) {
                        /* the whole entries, and the rest left out as the tail */
                } else if (!(ascii && out->entry_count == w.complete + 1 &&
                             out->info.partial_tail_size == 0 && w.bytes[w.size - 1] != '\n')) {
                        /* An ASCII line that lacks only its newline is whole. */
                        report(t, "cut at %zu, with a partial tail allowed: %" PRIu64 " entries and a %" PRIu64 "-byte tail, expected %zu entries and a %zu-byte tail",
                               len, out->entry_count, out->info.partial_tail_size, w.complete,
                               w.size - w.last_end);
                }
        }
        free(w.bytes);
}

/* Returns the index of the record that contains byte `pos`. */
static size_t record_of(const struct tu_bounds *b, size_t pos)
{
        size_t low = 0, high = b->record_count;

        while (high - low > 1) {
                size_t mid = low + (high - low) / 2;

                if (b->records[mid].start <= pos)
                        low = mid;
                else
                        high = mid;
        }
        return low;
}

/* Fills `w` with the whole list, or for a large list with entry 0 and
 * the entries K and K+1 around byte `pos`, and returns where `pos` lies in
 * the window. */
static size_t mutation_window(const uint8_t *data, size_t size, const struct tu_bounds *b,
                              size_t pos, struct window *w)
{
        size_t k = record_of(b, pos), last, at;

        memset(w, 0, sizeof(*w));
        if (size <= IMA_WHOLE_MAX) {
                window_append(w, data, size);
                return pos;
        }
        last = k + 1 < b->record_count ? k + 1 : k;
        if (k > 0)
                window_append(w, data, b->records[0].end);
        at = w->size + (pos - b->records[k].start);
        window_append(w, data + b->records[k].start, b->records[last].end - b->records[k].start);
        return at;
}

static void ima_mutations(const uint8_t *data, size_t size, const struct tu_bounds *b,
                          struct pcrsim_ima_replay *out, struct tally *t)
{
        uint8_t *done = calloc(size + 1, 1);
        char reason[512];

        cr_assert_not_null(done, "out of memory");
        for (size_t i = 0; i < b->count && !out_of_time(t); i++) {
                for (size_t back = 0; back < 2; back++) {
                        size_t pos = b->at[i] - back, at;
                        struct window w;

                        if (b->at[i] < back || pos >= b->walked || done[pos])
                                continue;
                        done[pos] = 1;
                        at = mutation_window(data, size, b, pos, &w);
                        for (size_t v = 0; v < sizeof(mutation_values) / sizeof(int); v++) {
                                struct pcrsim_error err;
                                enum pcrsim_error_code rc;

                                w.bytes[at] = mutated(data[pos], mutation_values[v]);
                                if (w.bytes[at] == data[pos])
                                        continue;
                                rc = ima_replay(w.bytes, w.size, false, out, &err);
                                t->cases++;
                                if (rc != PCRSIM_OK && !input_error(rc, &err, w.size))
                                        report(t, "byte %zu set from 0x%02x to 0x%02x: %s (code %d), expected success or an input error at an offset inside the input",
                                               pos, data[pos], w.bytes[at],
                                               describe(rc, &err, reason, sizeof(reason)), (int)rc);
                        }
                        free(w.bytes);
                }
        }
        free(done);
}

static bool sweep_ima(const char *path, bool damaged, double deadline, unsigned long *cases)
{
        struct pcrsim_ima_replay *out = calloc(1, sizeof(*out));
        struct tally t = { .path = path, .deadline = deadline };
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size);
        struct tu_bounds b;
        bool ascii;

        cr_assert(out && data, "cannot read %s or out of memory", path);
        if (!tu_ima_bounds(data, size, 0, &b) || b.record_count == 0) {
                cr_expect(damaged, "%s: the whole list does not walk", path);
                tu_bounds_free(&b);
                free(data);
                free(out);
                return false;
        }
        ascii = data[0] == ' ' || (data[0] >= '0' && data[0] <= '9');
        for (size_t len = 0; len <= size && !out_of_time(&t); len++)
                ima_cut(data, size, &b, len, ascii, out, &t);
        ima_mutations(data, size, &b, out, &t);
        cr_expect_eq(t.failures, 0, "%s: %lu of %lu damaged copies gave a wrong result", path,
                     t.failures, t.cases);
        *cases += t.cases;
        tu_bounds_free(&b);
        free(data);
        free(out);
        return true;
}

/* ---- reference values ---- */

/* Manifest formats of reference value files. */
static const char *const reference_formats[] = {
        "pcr-values-base64-json", "pcr-values-hex-json", "pcr-values-text",
        "measurements-bare-hex-json", "measurements-expected-warnonly-json",
        "measurements-expected-warnonly-yaml", "config-yaml-with-measurements", "go-source",
};

static bool is_reference_format(const char *format)
{
        for (size_t i = 0; format && i < sizeof(reference_formats) / sizeof(reference_formats[0]); i++)
                if (strcmp(format, reference_formats[i]) == 0)
                        return true;
        return false;
}

static void reference_case(const uint8_t *exact, size_t len, const char *what, size_t at,
                           struct pcrsim_reference *ref, struct tally *t)
{
        /* Both banks of the lab logs, so that 64 hex digits read as SHA-256. */
        struct pcrsim_ref_options opts = { .bank_count = 2, .banks = { SHA1_ID, SHA256_ID } };
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char reason[512];

        pcrsim_error_clear(&err);
        rc = pcrsim_reference_parse(exact, len, &opts, ref, &err);
        t->cases++;
        if (rc == PCRSIM_OK ? ref->value_count == 0 : !input_error(rc, &err, len))
                report(t, "%s %zu: %s (code %d), expected values or an input error at an offset inside the input",
                       what, at, describe(rc, &err, reason, sizeof(reason)), (int)rc);
}

/* Cuts a reference file at every length and sets every byte to 0x00, 0xFF
 * and itself with the top bit flipped: the files are a few KiB. */
static void sweep_reference(const char *path, double deadline, unsigned long *cases)
{
        struct pcrsim_reference *ref = malloc(sizeof(*ref));
        struct tally t = { .path = path, .deadline = deadline };
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size), *copy;

        cr_assert(ref && data, "cannot read %s or out of memory", path);
        for (size_t len = 0; len <= size && !out_of_time(&t); len++) {
                copy = malloc(len ? len : 1);
                cr_assert_not_null(copy, "out of memory");
                memcpy(copy, data, len);
                reference_case(copy, len, "cut at", len, ref, &t);
                free(copy);
        }
        copy = malloc(size ? size : 1);
        cr_assert_not_null(copy, "out of memory");
        memcpy(copy, data, size);
        for (size_t pos = 0; pos < size && !out_of_time(&t); pos++) {
                for (size_t v = 0; v < sizeof(mutation_values) / sizeof(int); v++) {
                        copy[pos] = mutated(data[pos], mutation_values[v]);
                        if (copy[pos] != data[pos])
                                reference_case(copy, size, "byte changed at", pos, ref, &t);
                }
                copy[pos] = data[pos];
        }
        cr_expect_eq(t.failures, 0, "%s: %lu of %lu damaged copies gave a wrong result", path,
                     t.failures, t.cases);
        *cases += t.cases;
        free(copy);
        free(data);
        free(ref);
}

/* Every test of this program has the same timeout: Criterion 2.4 leaks a
 * timer record when tests with different timeouts run in parallel. */
Test(sweeps, reference_files, .timeout = 1200)
{
        const char *root = tu_shared_vectors();
        double start = seconds_now();
        unsigned long cases = 0;
        unsigned files = 0;
        char **names = NULL;
        long count;

        if (!root) {
                fprintf(stderr, "sweeps: the shared vector folder is absent, so no reference file is swept\n");
                cr_skip_test("the shared vector folder is absent");
        }
        count = manifest_list_vectors(root, &names);
        cr_assert_gt(count, 0);
        for (long v = 0; v < count; v++) {
                char *dir = tu_path_join(root, names[v]), error[256];
                struct manifest m;

                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                for (size_t f = 0; f < m.file_count; f++) {
                        char *path;

                        if (!is_reference_format(m.files[f].format) || m.files[f].expect_error)
                                continue;
                        path = tu_path_join(dir, m.files[f].name);
                        sweep_reference(path, start + SWEEP_TIME_LIMIT_SECONDS, &cases);
                        free(path);
                        files++;
                }
                manifest_free(&m);
                free(dir);
        }
        manifest_free_names(names, count);
        fprintf(stderr, "sweeps: %lu damaged copies of %u reference files read in %.1f s\n", cases,
                files, seconds_now() - start);
        cr_expect_gt(files, 0, "no reference file found");
}

/* ---- vector manifests ---- */

/* Manifests up to this size are cut at every length and changed at every
 * byte; larger ones around each line end and at each YAML structure byte. */
#define MANIFEST_FULL_SWEEP_SIZE 4096

static void manifest_case(const uint8_t *exact, size_t len, const char *what, size_t at,
                          struct tally *t)
{
        struct pcrsim_manifest m;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char reason[512];

        pcrsim_error_clear(&err);
        rc = pcrsim_manifest_parse(exact, len, &m, &err);
        t->cases++;
        if (rc == PCRSIM_OK)
                pcrsim_manifest_free(&m);
        else if (!input_error(rc, &err, len))
                report(t, "%s %zu: %s (code %d), expected a manifest or an input error at an offset inside the input",
                       what, at, describe(rc, &err, reason, sizeof(reason)), (int)rc);
}

static bool manifest_position(const uint8_t *data, size_t size, size_t pos)
{
        if (size <= MANIFEST_FULL_SWEEP_SIZE)
                return true;
        if (pos < size && strchr(":-{}[]'\"# ", data[pos]) && data[pos])
                return true;
        return (pos < size && data[pos] == '\n') || (pos + 1 < size && data[pos + 1] == '\n') ||
               (pos > 0 && data[pos - 1] == '\n');
}

static void sweep_manifest(const char *path, double deadline, unsigned long *cases)
{
        struct tally t = { .path = path, .deadline = deadline };
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size), *copy;

        cr_assert_not_null(data, "cannot read %s", path);
        for (size_t len = 0; len <= size && !out_of_time(&t); len++) {
                if (!manifest_position(data, size, len))
                        continue;
                copy = malloc(len ? len : 1);
                cr_assert_not_null(copy, "out of memory");
                memcpy(copy, data, len);
                manifest_case(copy, len, "cut at", len, &t);
                free(copy);
        }
        copy = malloc(size ? size : 1);
        cr_assert_not_null(copy, "out of memory");
        memcpy(copy, data, size);
        for (size_t pos = 0; pos < size && !out_of_time(&t); pos++) {
                if (!manifest_position(data, size, pos))
                        continue;
                for (size_t v = 0; v < sizeof(mutation_values) / sizeof(int); v++) {
                        copy[pos] = mutated(data[pos], mutation_values[v]);
                        if (copy[pos] != data[pos])
                                manifest_case(copy, size, "byte changed at", pos, &t);
                }
                copy[pos] = data[pos];
        }
        cr_expect_eq(t.failures, 0, "%s: %lu of %lu damaged copies gave a wrong result", path,
                     t.failures, t.cases);
        *cases += t.cases;
        free(copy);
        free(data);
}

/* Sweeps the MANIFEST.yaml of every vector folder under `root`. */
static unsigned sweep_manifests(const char *root, double deadline, unsigned long *cases)
{
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);
        unsigned files = 0;

        cr_assert_geq(count, 0, "cannot read %s", root);
        for (long v = 0; v < count; v++) {
                char *dir = tu_path_join(root, names[v]);
                char *path = tu_path_join(dir, "MANIFEST.yaml");

                sweep_manifest(path, deadline, cases);
                files++;
                free(path);
                free(dir);
        }
        manifest_free_names(names, count);
        return files;
}

Test(sweeps, vector_manifests, .timeout = 1200)
{
        char *own = tu_path_join(tu_source_root(), "vectors");
        const char *shared = tu_shared_vectors();
        double start = seconds_now();
        unsigned long cases = 0;
        unsigned files;

        files = sweep_manifests(own, start + SWEEP_TIME_LIMIT_SECONDS, &cases);
        if (shared)
                files += sweep_manifests(shared, start + SWEEP_TIME_LIMIT_SECONDS, &cases);
        else
                fprintf(stderr, "sweeps: the shared vector folder is absent, so only the project's manifests are swept\n");
        fprintf(stderr, "sweeps: %lu damaged copies of %u manifests read in %.1f s\n", cases, files,
                seconds_now() - start);
        cr_expect_gt(files, 0, "no MANIFEST.yaml found");
        free(own);
}

/* ---- PE images ---- */

#define PE_SWEEP_IMAGE "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

/* Parses `len` bytes that the caller passes in a buffer of exactly that
 * size and, when they parse, computes their Authenticode digest and the
 * systemd-stub 252 measurements. */
static void pe_case(const uint8_t *exact, size_t len, const char *what, size_t at,
                    struct tally *t)
{
        static const uint16_t algs[] = { SHA256_ID };
        struct pcrsim_uki_measurements *m = malloc(sizeof(*m));
        struct pcrsim_pe *pe = NULL;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        uint8_t digest[PCRSIM_MAX_DIGEST_SIZE];
        uint16_t size = 0;
        char reason[512];

        cr_assert_not_null(m, "out of memory");
        pcrsim_error_clear(&err);
        rc = pcrsim_pe_parse(exact, len, &pe, &err);
        if (rc == PCRSIM_OK) {
                rc = pcrsim_pe_authenticode(pe, SHA256_ID, digest, &size, &err);
                if (rc == PCRSIM_OK && pcrsim_uki_measure(pe, 252, algs, 1, m, &err) ==
                                               PCRSIM_ERR_NOMEM)
                        rc = PCRSIM_ERR_NOMEM;
        }
        t->cases++;
        if (rc != PCRSIM_OK && !input_error(rc, &err, len))
                report(t, "%s %zu: %s (code %d), expected success or an input error at an offset inside the input",
                       what, at, describe(rc, &err, reason, sizeof(reason)), (int)rc);
        pcrsim_pe_free(pe);
        free(m);
}

/* Lengths to cut at: every length up to SizeOfHeaders, and each
 * section's raw data start and end and the bytes around them. */
static bool pe_cut_here(const struct pcrsim_pe *pe, size_t len)
{
        if (len <= pe->size_of_headers + 1u || len == pe->size)
                return true;
        for (uint32_t i = 0; i < pe->section_count; i++) {
                uint64_t start = pe->sections[i].pointer_to_raw_data;
                uint64_t end = start + pe->sections[i].size_of_raw_data;

                if (len + 1 >= start && len <= start + 1)
                        return true;
                if (len + 1 >= end && len <= end + 1)
                        return true;
        }
        return false;
}

Test(sweeps, pe_image, .timeout = 1200)
{
        struct tally t = { .path = PE_SWEEP_IMAGE, .deadline = seconds_now() + SWEEP_TIME_LIMIT_SECONDS };
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(PE_SWEEP_IMAGE, &size), *copy;
        struct pcrsim_pe *whole = NULL;
        struct pcrsim_error err;
        double start = seconds_now();

        if (!data) {
                fprintf(stderr, "sweeps: %s is absent (Debian package systemd-boot-efi), so no PE image is swept\n",
                        PE_SWEEP_IMAGE);
                cr_skip_test("no PE image to sweep");
        }
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_pe_parse(data, size, &whole, &err), PCRSIM_OK, "%s: %s",
                     PE_SWEEP_IMAGE, err.message);
        for (size_t len = 0; len <= size && !out_of_time(&t); len++) {
                if (!pe_cut_here(whole, len))
                        continue;
                copy = malloc(len ? len : 1);
                cr_assert_not_null(copy, "out of memory");
                memcpy(copy, data, len);
                pe_case(copy, len, "cut at", len, &t);
                free(copy);
        }
        copy = malloc(size);
        cr_assert_not_null(copy, "out of memory");
        memcpy(copy, data, size);
        for (size_t pos = 0; pos < whole->size_of_headers && !out_of_time(&t); pos++) {
                for (size_t v = 0; v < sizeof(mutation_values) / sizeof(int); v++) {
                        copy[pos] = mutated(data[pos], mutation_values[v]);
                        if (copy[pos] != data[pos])
                                pe_case(copy, size, "header byte changed at", pos, &t);
                }
                copy[pos] = data[pos];
        }
        cr_expect_eq(t.failures, 0, "%s: %lu of %lu damaged copies gave a wrong result",
                     PE_SWEEP_IMAGE, t.failures, t.cases);
        fprintf(stderr, "sweeps: %lu damaged copies of %s parsed in %.1f s\n", t.cases,
                PE_SWEEP_IMAGE, seconds_now() - start);
        pcrsim_pe_free(whole);
        free(copy);
        free(data);
}

/* ---- drivers ---- */

/* Sweeps every TCG log (ima false) or IMA list (ima true) of the vector
 * folders under `root`, and returns how many files were swept. */
static unsigned sweep_root(const char *root, bool ima, double deadline, unsigned long *cases)
{
        unsigned swept = 0;
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);

        cr_assert_gt(count, 0, "no vector folder under %s", root);
        for (long v = 0; v < count; v++) {
                char *dir = tu_path_join(root, names[v]), error[256];
                struct manifest m;

                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                for (size_t f = 0; f < m.file_count; f++) {
                        const char *format = m.files[f].format;
                        bool damaged = m.files[f].expect_error != NULL;
                        char *path;

                        if (ima ? !manifest_format_is_ima(format) :
                                  !manifest_format_is_tcg_log(format))
                                continue;
                        path = tu_path_join(dir, m.files[f].name);
                        cr_assert_not_null(path, "out of memory");
                        if (ima ? sweep_ima(path, damaged, deadline, cases) :
                                  sweep_tcg(path, damaged, deadline, cases))
                                swept++;
                        else
                                fprintf(stderr, "sweeps: %s is not swept: it does not walk as a whole or has no complete record (the manifest expects: %s)\n",
                                        path, m.files[f].expect_error);
                        free(path);
                }
                manifest_free(&m);
                free(dir);
        }
        manifest_free_names(names, count);
        return swept;
}

static void sweep_all(bool ima)
{
        const char *kind = ima ? "IMA lists" : "event logs";
        char *own = tu_path_join(tu_source_root(), "vectors");
        const char *shared = tu_shared_vectors();
        double start = seconds_now();
        unsigned long cases = 0;
        unsigned files = 0;

        cr_assert_not_null(own, "out of memory");
        if (!ima)
                files += sweep_root(own, false, start + SWEEP_TIME_LIMIT_SECONDS, &cases);
        if (shared)
                files += sweep_root(shared, ima, start + SWEEP_TIME_LIMIT_SECONDS, &cases);
        else
                fprintf(stderr, "sweeps: the shared vector folder is absent (looked in %s/../shared/vectors and $PCRSIM_SHARED_VECTORS), so only the project's own %s are swept\n",
                        tu_source_root(), kind);
        fprintf(stderr, "sweeps: %lu damaged copies of %u %s replayed in %.1f s\n", cases, files,
                kind, seconds_now() - start);
        if (ima && !shared)
                cr_skip_test("no IMA list without the shared vectors");
        cr_expect_gt(files, 0, "no %s found", kind);
        free(own);
}

Test(sweeps, event_logs, .timeout = 1200)
{
        sweep_all(false);
}

Test(sweeps, ima_lists, .timeout = 1200)
{
        sweep_all(true);
}
