/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs damaged copies of every TCG event log and IMA list through the CLI.
 * Each file is cut at the record boundaries of its first 50 records and at
 * 64 random lengths, and gets one byte flipped at those boundaries. Every
 * run must end with exit status 0 or 2, never a signal, and an exit status
 * 2 must come with a message that names an offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "manifest.h"
#include "pcrsim/ima.h"
#include "pcrsim/tcglog.h"
#include "testutil.h"

#define RECORDS 50
#define RANDOM_LENGTHS 64
#define TIMEOUT 30

/* Offsets where the first records start, from a walk of the whole file. */
static size_t boundaries(const uint8_t *data, size_t size, bool ima, size_t *out, size_t max)
{
        struct pcrsim_ima_options opts = { 0 };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_tcglog *log = NULL;
        struct pcrsim_ima_entry *e = malloc(sizeof(*e));
        struct pcrsim_event ev;
        size_t n = 0;
        bool have = true;

        cr_assert_not_null(e);
        if (ima && pcrsim_ima_list_open_memory(data, size, &opts, &list, NULL) == PCRSIM_OK) {
                while (n < max && pcrsim_ima_list_next(list, e, &have, NULL) == PCRSIM_OK && have)
                        out[n++] = (size_t)e->offset;
        } else if (!ima && pcrsim_tcglog_open_memory(data, size, &log, NULL) == PCRSIM_OK) {
                while (n + 1 < max && pcrsim_tcglog_next(log, &ev, &have, NULL) == PCRSIM_OK && have) {
                        out[n++] = (size_t)ev.offset;
                        out[n++] = (size_t)ev.data_offset;
                }
        }
        pcrsim_ima_list_free(list);
        pcrsim_tcglog_free(log);
        free(e);
        return n;
}

static void run_copy(const char *dir, const uint8_t *data, size_t size, bool ima,
                     const char *origin, const char *what, unsigned long *runs)
{
        char *path = tu_write_file(dir, "copy", data, size);
        const char *tcg_args[] = { "replay", "-q", "--bank", "all", "--partial", "--format", "json",
                                   path, NULL };
        const char *ima_args[] = { "replay", "-q", "--ima", path, "--format", "json", NULL };
        struct tu_result res;

        cr_assert_not_null(path);
        cr_assert(tu_run(&res, ima ? ima_args : tcg_args, TIMEOUT));
        cr_expect(!res.timed_out && res.signal == 0, "%s %s: killed by signal %d (timeout %d)",
                  origin, what, res.signal, res.timed_out);
        cr_expect(res.exit_code == 0 || res.exit_code == 2, "%s %s: exit %d: %s", origin, what,
                  res.exit_code, res.err);
        if (res.exit_code == 2)
                cr_expect(strstr(res.err, "offset 0x") != NULL, "%s %s: no offset in: %s", origin,
                          what, res.err);
        (*runs)++;
        tu_result_free(&res);
        free(path);
}

static void sweep_file(const char *path, bool ima, unsigned *seed, unsigned long *runs)
{
        size_t size = 0, marks[2 * RECORDS], n;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size);
        char *dir = tu_tmpdir(), what[64];

        cr_assert(data && dir, "cannot read %s", path);
        n = boundaries(data, size, ima, marks, 2 * RECORDS);
        for (size_t i = 0; i < n; i++) {
                snprintf(what, sizeof(what), "cut at %zu", marks[i]);
                run_copy(dir, data, marks[i], ima, path, what, runs);
                if (marks[i] < size) {
                        data[marks[i]] ^= 0x5a;
                        snprintf(what, sizeof(what), "byte %zu flipped", marks[i]);
                        run_copy(dir, data, size, ima, path, what, runs);
                        data[marks[i]] ^= 0x5a;
                }
        }
        for (int i = 0; i < RANDOM_LENGTHS && size; i++) {
                size_t len = (size_t)rand_r(seed) % size;

                snprintf(what, sizeof(what), "cut at %zu", len);
                run_copy(dir, data, len, ima, path, what, runs);
        }
        free(data);
        tu_rmtree(dir);
}

Test(cli_sweep, damaged_logs_end_cleanly, .timeout = 1500)
{
        const char *root = tu_shared_vectors();
        unsigned long runs = 0;
        unsigned seed = 2026;
        char **names = NULL;
        long count;

        if (!root) {
                fprintf(stderr, "cli_sweep: ../shared/vectors is absent, so the test is skipped\n");
                cr_skip_test("the shared vector folder is absent");
        }
        count = manifest_list_vectors(root, &names);
        cr_assert_gt(count, 0);
        for (long v = 0; v < count; v++) {
                char *dir = tu_path_join(root, names[v]), error[256];
                struct manifest m;

                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                for (size_t f = 0; f < m.file_count; f++) {
                        bool ima = manifest_format_is_ima(m.files[f].format);
                        char *path;

                        if (!ima && !manifest_format_is_tcg_log(m.files[f].format))
                                continue;
                        path = tu_path_join(dir, m.files[f].name);
                        sweep_file(path, ima, &seed, &runs);
                        free(path);
                }
                manifest_free(&m);
                free(dir);
        }
        manifest_free_names(names, count);
        fprintf(stderr, "cli_sweep: %lu runs\n", runs);
        cr_expect_gt(runs, 1000, "only %lu runs", runs);
}
