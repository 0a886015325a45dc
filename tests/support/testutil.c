/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

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

        templ = tu_path_join(base && base[0] ? base : "/tmp", "pcrsim-test.XXXXXX");
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

/* Waits for `pid` at most `timeout_seconds`, then kills it by PID. */
static int wait_bounded(pid_t pid, unsigned timeout_seconds, bool *timed_out)
{
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        unsigned long waited_ms = 0;
        int status = 0;

        *timed_out = false;
        for (;;) {
                pid_t r = waitpid(pid, &status, WNOHANG);

                if (r == pid)
                        return status;
                if (r < 0 && errno != EINTR)
                        return -1;
                if (waited_ms >= timeout_seconds * 1000ul) {
                        *timed_out = true;
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return status;
                }
                nanosleep(&pause, NULL);
                waited_ms += 10;
        }
}

bool tu_run(struct tu_result *res, const char *const *args, unsigned timeout_seconds)
{
        char *dir = tu_tmpdir();
        char *out_path = NULL, *err_path = NULL;
        const char *argv[64];
        size_t argc = 0;
        int status;
        pid_t pid;

        memset(res, 0, sizeof(*res));
        if (!dir)
                return false;
        out_path = tu_path_join(dir, "stdout");
        err_path = tu_path_join(dir, "stderr");
        argv[argc++] = tu_pcrsim_bin();
        for (size_t i = 0; args[i] && argc < 63; i++)
                argv[argc++] = args[i];
        argv[argc] = NULL;

        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                int in = open("/dev/null", O_RDONLY);
                int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
                int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

                if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 ||
                    dup2(out, 1) < 0 || dup2(err, 2) < 0)
                        _exit(127);
                execv(argv[0], (char *const *)argv);
                _exit(127);
        }
        if (pid < 0) {
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
