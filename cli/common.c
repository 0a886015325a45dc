/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "pcrsim/alg.h"
#include "pcrsim/limits.h"

int cli_exit_code(enum pcrsim_error_code code)
{
        switch (code) {
        case PCRSIM_OK:
                return EXIT_OK;
        case PCRSIM_ERR_INVALID:
        case PCRSIM_ERR_TRUNCATED:
        case PCRSIM_ERR_LIMIT:
        case PCRSIM_ERR_UNSUPPORTED:
                return EXIT_INVALID;
        case PCRSIM_ERR_IO:
        case PCRSIM_ERR_NOMEM:
        case PCRSIM_ERR_INTERNAL:
                return EXIT_SYSTEM;
        }
        return EXIT_SYSTEM;
}

int cli_report(const struct pcrsim_error *err, const char *name)
{
        char line[512];

        pcrsim_error_format(err, name, line, sizeof(line));
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, line);
        return cli_exit_code(err->code);
}

void cli_errorf(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: ", PROGRAM_NAME);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void cli_warnf(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: warning: ", PROGRAM_NAME);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void cli_notef(bool quiet, const char *fmt, ...)
{
        va_list ap;

        if (quiet)
                return;
        fprintf(stderr, "%s: note: ", PROGRAM_NAME);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* Reads a decimal number of at most 9 digits, so it cannot overflow. */
static bool parse_pcr_number(const char **p, unsigned *out)
{
        unsigned v = 0;
        int digits = 0;

        while (**p >= '0' && **p <= '9' && digits < 9) {
                v = v * 10 + (unsigned)(**p - '0');
                (*p)++;
                digits++;
        }
        *out = v;
        return digits > 0 && !(**p >= '0' && **p <= '9');
}

bool cli_parse_pcr_list(const char *text, uint32_t *mask)
{
        const char *p = text;
        uint32_t m = 0;

        while (*p) {
                unsigned lo, hi;

                if (!parse_pcr_number(&p, &lo))
                        goto invalid;
                hi = lo;
                if (*p == '-') {
                        p++;
                        if (!parse_pcr_number(&p, &hi))
                                goto invalid;
                }
                if (hi >= PCRSIM_PCR_COUNT) {
                        cli_errorf("invalid PCR list '%s': PCR %u is outside 0-%u", text, hi,
                                   PCRSIM_PCR_COUNT - 1);
                        return false;
                }
                if (lo > hi) {
                        cli_errorf("invalid PCR list '%s': range %u-%u is reversed", text, lo, hi);
                        return false;
                }
                for (unsigned i = lo; i <= hi; i++)
                        m |= 1u << i;
                if (*p == ',' && p[1] != '\0')
                        p++;
                else if (*p != '\0')
                        goto invalid;
        }
        if (m == 0)
                goto invalid;
        *mask |= m;
        return true;

invalid:
        cli_errorf("invalid PCR list '%s': expected numbers and ranges such as 0-7,9",
                   text);
        return false;
}

const char *cli_pcr_word(uint32_t mask)
{
        return (mask & (mask - 1)) ? "PCRs" : "PCR";
}

const char *cli_input_name(const char *path)
{
        return strcmp(path, "-") == 0 ? "standard input" : path;
}

void cli_format_pcr_list(uint32_t mask, char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < PCRSIM_PCR_COUNT && used < size; i++) {
                unsigned j = i;
                int n;

                if (!(mask & (1u << i)))
                        continue;
                while (j + 1 < PCRSIM_PCR_COUNT && (mask & (1u << (j + 1))))
                        j++;
                if (j == i)
                        n = snprintf(buf + used, size - used, "%s%u", used ? "," : "", i);
                else
                        n = snprintf(buf + used, size - used, "%s%u-%u", used ? "," : "", i, j);
                if (n < 0)
                        return;
                used += (size_t)n;
                i = j;
        }
}

static int write_all(FILE *f, const struct pcrsim_strbuf *sb)
{
        if (sb->len && fwrite(sb->data, 1, sb->len, f) != sb->len)
                return -1;
        return fflush(f);
}

/* Writes straight into `path`, truncating it: for device nodes, FIFOs
 * and files in folders where no temporary file can be created. */
static int write_in_place(const struct pcrsim_strbuf *sb, const char *path)
{
        FILE *f = fopen(path, "w");
        bool ok;

        if (!f) {
                cli_errorf("cannot open '%s' for writing: %s", path, strerror(errno));
                return EXIT_SYSTEM;
        }
        ok = write_all(f, sb) == 0;
        ok = fclose(f) == 0 && ok;
        if (!ok) {
                cli_errorf("cannot write '%s': %s", path, strerror(errno));
                return EXIT_SYSTEM;
        }
        return EXIT_OK;
}

/*
 * Writes into a temporary file next to `path` and renames it over `path`.
 * The new file gets the mode and, where allowed, the owner of the file it
 * replaces. Returns -1 when no temporary file can be created, so that the
 * caller can write in place instead.
 */
static int write_by_rename(const struct pcrsim_strbuf *sb, const char *path,
                           const struct stat *old)
{
        size_t tmp_size = strlen(path) + sizeof(".XXXXXX");
        char *tmp = malloc(tmp_size);
        mode_t mask, mode;
        bool ok;
        FILE *f;
        int fd;

        if (!tmp) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        snprintf(tmp, tmp_size, "%s.XXXXXX", path);
        fd = mkstemp(tmp);
        if (fd < 0) {
                free(tmp);
                return -1;
        }
        mask = umask(0);
        umask(mask);
        mode = old ? old->st_mode & 07777 : 0666 & ~mask;
        ok = fchmod(fd, mode) == 0;
        /* Only root can give a file away; others keep their own owner. */
        if (ok && old && (old->st_uid != geteuid() || old->st_gid != getegid()))
                (void)fchown(fd, old->st_uid, old->st_gid);
        f = ok ? fdopen(fd, "w") : NULL;
        if (!f) {
                close(fd);
                ok = false;
        } else {
                ok = write_all(f, sb) == 0;
                ok = fclose(f) == 0 && ok;
        }
        if (!ok || rename(tmp, path) != 0) {
                cli_errorf("cannot write '%s': %s", path, strerror(errno));
                unlink(tmp);
                free(tmp);
                return EXIT_SYSTEM;
        }
        free(tmp);
        return EXIT_OK;
}

int cli_write_output(const struct pcrsim_strbuf *sb, const char *path)
{
        char *target = NULL;
        struct stat st;
        bool exists;
        int rc;

        if (!path || strcmp(path, "-") == 0) {
                if (write_all(stdout, sb) != 0) {
                        cli_errorf("cannot write to standard output: %s", strerror(errno));
                        return EXIT_SYSTEM;
                }
                return EXIT_OK;
        }
        /* Write through a symbolic link to the file it names. */
        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
                target = realpath(path, NULL);
                if (!target) {
                        cli_errorf("cannot resolve the symbolic link '%s': %s", path,
                                   strerror(errno));
                        return EXIT_SYSTEM;
                }
                path = target;
        }
        exists = stat(path, &st) == 0;
        if (exists && S_ISDIR(st.st_mode)) {
                cli_errorf("cannot write '%s': it is a directory, and -o needs a file name",
                           path);
                free(target);
                return EXIT_SYSTEM;
        }
        if (exists && !S_ISREG(st.st_mode)) {
                rc = write_in_place(sb, path);
        } else {
                rc = write_by_rename(sb, path, exists ? &st : NULL);
                if (rc < 0)
                        rc = write_in_place(sb, path);
        }
        free(target);
        return rc;
}

FILE *cli_open_input(const char *path, int *exit_code)
{
        struct stat st;
        FILE *f;

        if (strcmp(path, "-") == 0)
                return stdin;
        f = fopen(path, "rb");
        if (!f) {
                cli_errorf("cannot open %s: %s", path, strerror(errno));
                *exit_code = EXIT_SYSTEM;
                return NULL;
        }
        if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
                cli_errorf("%s is a directory: expected an event log file", path);
                fclose(f);
                *exit_code = EXIT_INVALID;
                return NULL;
        }
        return f;
}

void cli_close_input(FILE *f)
{
        if (f && f != stdin)
                fclose(f);
}

json_t *cli_digest_json(const uint8_t *bytes, size_t size)
{
        char text[2 * PCRSIM_MAX_DIGEST_SIZE + 1];

        if (size > PCRSIM_MAX_DIGEST_SIZE)
                size = PCRSIM_MAX_DIGEST_SIZE;
        for (size_t i = 0; i < size; i++)
                snprintf(text + 2 * i, 3, "%02x", bytes[i]);
        text[2 * size] = '\0';
        return json_string(text);
}

bool cli_check_inputs(const char *output, const char *const *inputs, size_t count)
{
        struct stat out_st, in_st;
        size_t stdin_uses = 0;
        bool have_output = output && strcmp(output, "-") != 0 && stat(output, &out_st) == 0;

        for (size_t i = 0; i < count; i++) {
                if (!inputs[i])
                        continue;
                if (strcmp(inputs[i], "-") == 0) {
                        if (++stdin_uses > 1) {
                                cli_errorf("standard input (-) is named for more than one input, but can be read only once");
                                return false;
                        }
                        continue;
                }
                if (have_output && stat(inputs[i], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
                    in_st.st_ino == out_st.st_ino) {
                        cli_errorf("-o %s would overwrite the input %s", output, inputs[i]);
                        return false;
                }
        }
        return true;
}

bool cli_parse_report_format(const char *name, bool *json, bool *yaml)
{
        *json = strcmp(name, "json") == 0;
        *yaml = strcmp(name, "yaml") == 0;
        if (*json || *yaml || strcmp(name, "text") == 0)
                return true;
        cli_errorf("invalid format '%s': expected text, json or yaml", name);
        return false;
}

const struct pcrsim_alg_info *cli_parse_bank(const char *name)
{
        const struct pcrsim_alg_info *info = pcrsim_alg_by_name(name);

        if (!info)
                cli_errorf("unknown bank '%s': expected sha1, sha256, sha384, sha512 or sm3_256",
                           name);
        return info;
}
