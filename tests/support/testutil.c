/* SPDX-License-Identifier: Apache-2.0 */
/* syscall() for pidfd_open */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

extern char **environ;

const char *tu_pcrsim_bin(void)
{
        const char *bin = getenv("PCRSIM_BIN");

        return bin ? bin : "pcrsim";
}

const char *tu_source_root(void)
{
        const char *root = getenv("PCRSIM_SOURCE_ROOT");

        return root ? root : ".";
}

const char *tu_shared_vectors(void)
{
        static char path[4096];
        const char *env = getenv("PCRSIM_SHARED_VECTORS");
        struct stat st;

        if (env)
                snprintf(path, sizeof(path), "%s", env);
        else
                snprintf(path, sizeof(path), "%s/../shared/vectors", tu_source_root());
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
                return NULL;
        return path;
}

char *tu_path_join(const char *a, const char *b)
{
        size_t n = strlen(a) + strlen(b) + 2;
        char *p = malloc(n);

        if (p)
                snprintf(p, n, "%s/%s", a, b);
        return p;
}

char *tu_read_file(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        size_t cap = 0, used = 0;

        if (!f)
                return NULL;
        for (;;) {
                size_t n;

                if (cap - used < 4096) {
                        char *grown = realloc(buf, cap ? cap * 2 : 8192);

                        if (!grown) {
                                free(buf);
                                fclose(f);
                                return NULL;
                        }
                        buf = grown;
                        cap = cap ? cap * 2 : 8192;
                }
                n = fread(buf + used, 1, cap - used - 1, f);
                used += n;
                if (n == 0)
                        break;
        }
        fclose(f);
        buf[used] = '\0';
        if (len)
                *len = used;
        return buf;
}

char *tu_tmpdir(void)
{
        const char *base = getenv("TMPDIR");
        char *templ;

        /* Without TMPDIR, prefer the memory file system: the CLI tests
         * create and remove thousands of small files, which costs
         * milliseconds each on a journaling disk file system. */
        if (!base || !base[0])
                base = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
        templ = tu_path_join(base, "pcrsim-test.XXXXXX");
        if (templ && !mkdtemp(templ)) {
                free(templ);
                return NULL;
        }
        return templ;
}

void tu_rmtree(char *dir)
{
        DIR *d;
        struct dirent *e;

        if (!dir)
                return;
        d = opendir(dir);
        while (d && (e = readdir(d)) != NULL) {
                char *p;

                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                p = tu_path_join(dir, e->d_name);
                if (p)
                        unlink(p);
                free(p);
        }
        if (d)
                closedir(d);
        rmdir(dir);
        free(dir);
}

char *tu_write_file(const char *dir, const char *name, const void *data, size_t len)
{
        char *path = tu_path_join(dir, name);
        FILE *f;

        if (!path)
                return NULL;
        f = fopen(path, "wb");
        if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
                free(path);
                return NULL;
        }
        return path;
}

static double monotonic_seconds(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Opens a descriptor that becomes readable when `pid` exits, or returns
 * -1 where the kernel lacks pidfd_open (before Linux 5.3). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
        return (int)syscall(SYS_pidfd_open, pid, 0);
#else
        (void)pid;
        return -1;
#endif
}

/*
 * Waits for `pid` at most `timeout_seconds`, then kills it by PID. Blocks
 * in poll() on a pidfd, so a short run costs no more than its own time.
 * Without a pidfd it checks every millisecond.
 */
static int wait_bounded(pid_t pid, unsigned timeout_seconds, bool *timed_out)
{
        double deadline = monotonic_seconds() + timeout_seconds;
        int pidfd = open_pidfd(pid);
        int status = 0;

        *timed_out = false;
        for (;;) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                double left = deadline - monotonic_seconds();

                if (r == pid)
                        break;
                if (r < 0 && errno != EINTR) {
                        status = -1;
                        break;
                }
                if (left <= 0) {
                        *timed_out = true;
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        break;
                }
                if (pidfd >= 0) {
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };

                        poll(&p, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
                } else {
                        struct timespec pause = { 0, 1000 * 1000 };

                        nanosleep(&pause, NULL);
                }
        }
        if (pidfd >= 0)
                close(pidfd);
        return status;
}

/* Writes `input` to the pipe `fd` and closes it. A child that exits
 * before it has read everything ends the write early with EPIPE. */
static void feed_pipe(int fd, const void *input, size_t len)
{
        const char *p = input;
        struct sigaction ignore = { .sa_handler = SIG_IGN }, old;

        sigaction(SIGPIPE, &ignore, &old);
        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                p += n;
                len -= (size_t)n;
        }
        close(fd);
        sigaction(SIGPIPE, &old, NULL);
}

bool tu_run(struct tu_result *res, const char *const *args, unsigned timeout_seconds)
{
        return tu_run_input(res, args, timeout_seconds, NULL, 0);
}

bool tu_run_input(struct tu_result *res, const char *const *args, unsigned timeout_seconds,
                  const void *input, size_t input_len)
{
        char *dir = tu_tmpdir();
        char *out_path = NULL, *err_path = NULL;
        const char *argv[64];
        size_t argc = 0;
        posix_spawn_file_actions_t actions;
        const char *wrapper;
        char *wrapper_copy = NULL, *save = NULL;
        int status, spawn_rc, fds[2] = { -1, -1 };
        pid_t pid;

        memset(res, 0, sizeof(*res));
        if (!dir)
                return false;
        if (input && pipe(fds) != 0) {
                tu_rmtree(dir);
                return false;
        }
        out_path = tu_path_join(dir, "stdout");
        err_path = tu_path_join(dir, "stderr");
        wrapper = getenv("PCRSIM_TEST_WRAPPER");
        if (wrapper && wrapper[0]) {
                wrapper_copy = strdup(wrapper);
                for (char *word = wrapper_copy ? strtok_r(wrapper_copy, " ", &save) : NULL;
                     word && argc < 16; word = strtok_r(NULL, " ", &save))
                        argv[argc++] = word;
        }
        argv[argc++] = tu_pcrsim_bin();
        for (size_t i = 0; args[i] && argc < 63; i++)
                argv[argc++] = args[i];
        argv[argc] = NULL;

        fflush(NULL);
        /* posix_spawn, because fork is slow in a sanitizer build with
         * its large address space. */
        if (posix_spawn_file_actions_init(&actions) != 0) {
                if (input) {
                        close(fds[0]);
                        close(fds[1]);
                }
                free(wrapper_copy);
                free(out_path);
                free(err_path);
                tu_rmtree(dir);
                return false;
        }
        if (input) {
                spawn_rc = posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
                if (spawn_rc == 0)
                        spawn_rc = posix_spawn_file_actions_addclose(&actions, fds[0]);
                if (spawn_rc == 0)
                        spawn_rc = posix_spawn_file_actions_addclose(&actions, fds[1]);
        } else {
                spawn_rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null",
                                                            O_RDONLY, 0);
        }
        if (spawn_rc == 0)
                spawn_rc = posix_spawn_file_actions_addopen(&actions, 1, out_path,
                                                            O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (spawn_rc == 0)
                spawn_rc = posix_spawn_file_actions_addopen(&actions, 2, err_path,
                                                            O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (spawn_rc == 0)
                spawn_rc = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv,
                                       environ);
        posix_spawn_file_actions_destroy(&actions);
        free(wrapper_copy);
        if (input) {
                close(fds[0]);
                if (spawn_rc == 0)
                        feed_pipe(fds[1], input, input_len);
                else
                        close(fds[1]);
        }
        if (spawn_rc != 0) {
                free(out_path);
                free(err_path);
                tu_rmtree(dir);
                return false;
        }
        status = wait_bounded(pid, timeout_seconds, &res->timed_out);
        if (WIFEXITED(status)) {
                res->exit_code = WEXITSTATUS(status);
        } else {
                res->exit_code = -1;
                res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        }
        res->out = tu_read_file(out_path, &res->out_len);
        res->err = tu_read_file(err_path, &res->err_len);
        if (!res->out)
                res->out = calloc(1, 1);
        if (!res->err)
                res->err = calloc(1, 1);
        free(out_path);
        free(err_path);
        tu_rmtree(dir);
        return true;
}

void tu_result_free(struct tu_result *res)
{
        free(res->out);
        free(res->err);
        memset(res, 0, sizeof(*res));
}
