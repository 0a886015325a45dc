/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
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

static bool parse_pcr_number(const char **p, unsigned *out)
{
        unsigned v = 0;
        int digits = 0;

        while (**p >= '0' && **p <= '9' && digits < 3) {
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
                if (lo > hi || hi >= PCRSIM_PCR_COUNT) {
                        cli_errorf("invalid PCR list '%s': range %u-%u is outside 0-%u or reversed",
                                   text, lo, hi, PCRSIM_PCR_COUNT - 1);
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
        *mask = m;
        return true;

invalid:
        cli_errorf("invalid PCR list '%s': expected numbers and ranges such as 0-7,9",
                   text);
        return false;
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

int cli_write_output(const struct pcrsim_strbuf *sb, const char *path)
{
        size_t tmp_size;
        mode_t mask;
        char *tmp;
        bool ok;
        FILE *f;
        int fd;

        if (!path || strcmp(path, "-") == 0) {
                if (write_all(stdout, sb) != 0) {
                        cli_errorf("cannot write to standard output: %s", strerror(errno));
                        return EXIT_SYSTEM;
                }
                return EXIT_OK;
        }
        tmp_size = strlen(path) + sizeof(".XXXXXX");
        tmp = malloc(tmp_size);
        if (!tmp) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        snprintf(tmp, tmp_size, "%s.XXXXXX", path);
        fd = mkstemp(tmp);
        if (fd < 0) {
                cli_errorf("cannot create a temporary file next to %s: %s", path,
                           strerror(errno));
                free(tmp);
                return EXIT_SYSTEM;
        }
        /* mkstemp() creates the file with mode 0600; give the output the
         * mode a plain open() would. */
        mask = umask(0);
        umask(mask);
        ok = fchmod(fd, 0666 & ~mask) == 0;
        f = ok ? fdopen(fd, "w") : NULL;
        if (!f) {
                close(fd);
                ok = false;
        } else {
                ok = write_all(f, sb) == 0;
                ok = fclose(f) == 0 && ok;
        }
        if (!ok || rename(tmp, path) != 0) {
                cli_errorf("cannot write %s: %s", path, strerror(errno));
                unlink(tmp);
                free(tmp);
                return EXIT_SYSTEM;
        }
        free(tmp);
        return EXIT_OK;
}

FILE *cli_open_input(const char *path)
{
        FILE *f;

        if (strcmp(path, "-") == 0)
                return stdin;
        f = fopen(path, "rb");
        if (!f)
                cli_errorf("cannot open %s: %s", path, strerror(errno));
        return f;
}

void cli_close_input(FILE *f)
{
        if (f && f != stdin)
                fclose(f);
}
