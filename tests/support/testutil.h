/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_TESTUTIL_H
#define PCRSIM_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Helpers shared by the test programs: paths from the environment that
 * meson sets, running the pcrsim binary, temporary files. */

/* Path of the pcrsim binary under test (PCRSIM_BIN). */
const char *tu_pcrsim_bin(void);

/* Root of the source tree (PCRSIM_SOURCE_ROOT). */
const char *tu_source_root(void);

/*
 * Folder of the shared real-world vectors: PCRSIM_SHARED_VECTORS if set,
 * else SOURCE_ROOT/../shared/vectors. Returns NULL when it does not exist.
 */
const char *tu_shared_vectors(void);

struct tu_result {
        int exit_code;  /* exit status, or -1 if killed by a signal */
        int signal;     /* the signal that ended it, or 0 */
        bool timed_out;
        char *out;      /* standard output, NUL-terminated */
        size_t out_len;
        char *err;      /* standard error, NUL-terminated */
        size_t err_len;
};

/*
 * Runs pcrsim with `args` (NULL-terminated, without the program name) and
 * collects its exit status and output. Kills it by PID after
 * `timeout_seconds`. Returns false if it could not be started. When
 * PCRSIM_TEST_WRAPPER is set, its space-separated words come first (for
 * example "valgrind -q --error-exitcode=99"), and the wrapper is looked up
 * in PATH.
 */
bool tu_run(struct tu_result *res, const char *const *args, unsigned timeout_seconds);

/* Runs pcrsim like tu_run(), with `input` on its standard input through a
 * pipe, which has no size to read from fstat(). */
bool tu_run_input(struct tu_result *res, const char *const *args, unsigned timeout_seconds,
                  const void *input, size_t input_len);

void tu_result_free(struct tu_result *res);

/* Creates a fresh temporary folder; the caller removes it with tu_rmtree(). */
char *tu_tmpdir(void);

/* Removes a folder made by tu_tmpdir() and the plain files in it. */
void tu_rmtree(char *dir);

/* Writes `len` bytes to DIR/NAME and returns the path (caller frees). */
char *tu_write_file(const char *dir, const char *name, const void *data, size_t len);

/* Reads a whole file; returns NULL if it cannot. Caller frees. The
 * buffer has one extra NUL byte after `*len` bytes. */
char *tu_read_file(const char *path, size_t *len);

/* Returns a newly allocated "A/B". */
char *tu_path_join(const char *a, const char *b);

#endif
