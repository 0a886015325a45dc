/*
 * Runs cut copies of every TCG event log and IMA list through the CLI:
 * each file is cut at every field boundary of its first 50 records and at
 * 64 random lengths. Every run must end with exit status 0 or 2, never a
 * signal, and an exit status 2 must come with a message that names an
 * offset. Byte mutations at every field boundary run in-process, through
 * the library, in test_shared_vectors.c and test_ima_vectors.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "boundaries.h"
#include "manifest.h"
#include "testutil.h"

#define RECORDS 50
#define RANDOM_LENGTHS 64
#define TIMEOUT 30

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

static void sweep_file(const char *path, bool ima, bool damaged, unsigned *seed,
                       unsigned long *runs)
{
        size_t size = 0;
        uint8_t *data = (uint8_t *)tu_read_file(path, &size);
        char *dir = tu_tmpdir(), what[64];
        struct tu_bounds b;
        bool walked;

        cr_assert(data && dir, "cannot read %s", path);
        walked = ima ? tu_ima_bounds(data, size, RECORDS, &b) : tu_tcg_bounds(data, size, RECORDS, &b);
        /* A file that the manifest marks as damaged walks up to its
         * damage, and is cut at the boundaries before it. */
        cr_expect(walked || damaged, "%s: the whole file does not walk", path);
        cr_expect_gt(b.count, 0, "%s: no field boundary found", path);
        for (size_t i = 0; i < b.count; i++) {
                snprintf(what, sizeof(what), "cut at %zu", b.at[i]);
                run_copy(dir, data, b.at[i], ima, path, what, runs);
        }
        for (int i = 0; i < RANDOM_LENGTHS && size; i++) {
                size_t len = (size_t)rand_r(seed) % size;

                snprintf(what, sizeof(what), "cut at %zu", len);
                run_copy(dir, data, len, ima, path, what, runs);
        }
        tu_bounds_free(&b);
        free(data);
        tu_rmtree(dir);
}

/* Sweeps every TCG event log (ima false) or every IMA list (ima true) of
 * the vector folders under `root`, and adds the runs to `runs`. */
static void sweep_root(const char *root, bool ima, unsigned *seed, unsigned long *runs)
{
        char **names = NULL;
        long count = manifest_list_vectors(root, &names);

        cr_assert_gt(count, 0, "no vector folder under %s", root);
        for (long v = 0; v < count; v++) {
                char *dir = tu_path_join(root, names[v]), error[256];
                struct manifest m;

                cr_assert(manifest_load(dir, &m, error, sizeof(error)), "%s", error);
                for (size_t f = 0; f < m.file_count; f++) {
                        const char *format = m.files[f].format;
                        char *path;

                        if (ima ? !manifest_format_is_ima(format) :
                                  !manifest_format_is_tcg_log(format))
                                continue;
                        path = tu_path_join(dir, m.files[f].name);
                        sweep_file(path, ima, m.files[f].expect_error != NULL, seed, runs);
                        free(path);
                }
                manifest_free(&m);
                free(dir);
        }
        manifest_free_names(names, count);
}

/* Sweeps the project's own vectors and the shared ones. */
static unsigned long sweep_vectors(bool ima)
{
        const char *shared = tu_shared_vectors();
        char *own = tu_path_join(tu_source_root(), "vectors");
        unsigned long runs = 0;
        unsigned seed = ima ? 2027 : 2026;

        cr_assert_not_null(own, "out of memory");
        if (!ima)
                sweep_root(own, false, &seed, &runs);
        free(own);
        if (shared) {
                sweep_root(shared, ima, &seed, &runs);
        } else {
                fprintf(stderr, "cli_sweep: the shared vector folder is absent, so only the project's own vectors are swept\n");
                if (ima)
                        cr_skip_test("no IMA list without the shared vectors");
        }
        return runs;
}

Test(cli_sweep, event_logs, .timeout = 1500)
{
        unsigned long runs = sweep_vectors(false);

        fprintf(stderr, "cli_sweep: %lu runs on event logs\n", runs);
        cr_expect_gt(runs, tu_shared_vectors() ? 1000 : 100, "only %lu runs", runs);
}

Test(cli_sweep, ima_lists, .timeout = 1500)
{
        unsigned long runs = sweep_vectors(true);

        fprintf(stderr, "cli_sweep: %lu runs on IMA lists\n", runs);
        cr_expect_gt(runs, 1000, "only %lu runs", runs);
}
