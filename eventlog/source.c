/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog/source.h"

void pcrsim_source_init_memory(struct pcrsim_source *s, const void *data, size_t size)
{
        memset(s, 0, sizeof(*s));
        s->win = data;
        s->win_len = data ? size : 0;
        s->eof = true;
}

void pcrsim_source_init_file(struct pcrsim_source *s, FILE *file, size_t max_window)
{
        memset(s, 0, sizeof(*s));
        s->file = file;
        s->max_window = max_window;
}

void pcrsim_source_release(struct pcrsim_source *s)
{
        free(s->buf);
        s->buf = NULL;
        s->win = NULL;
}

static enum pcrsim_error_code grow(struct pcrsim_source *s, size_t want,
                                   struct pcrsim_error *err)
{
        size_t cap = s->buf_cap ? s->buf_cap : PCRSIM_SOURCE_CHUNK;
        uint8_t *grown;

        while (cap < want)
                cap = cap > s->max_window / 2 ? s->max_window : cap * 2;
        grown = realloc(s->buf, cap);
        if (!grown)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, s->pos, NULL,
                                        "cannot allocate a %zu-byte read window", cap);
        s->buf = grown;
        s->buf_cap = cap;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_source_fill(struct pcrsim_source *s, size_t want,
                                          struct pcrsim_error *err)
{
        size_t keep, start;

        if (!pcrsim_source_more(s) || pcrsim_source_available(s) >= want)
                return PCRSIM_OK;
        if (want > s->max_window)
                want = s->max_window;

        start = (size_t)(s->pos - s->win_offset);
        keep = s->win_len - start;
        if (keep && start)
                memmove(s->buf, s->buf + start, keep);
        s->win_len = keep;
        s->win_offset = s->pos;
        if (want > s->buf_cap) {
                enum pcrsim_error_code rc = grow(s, want, err);

                if (rc)
                        return rc;
        }
        s->win = s->buf;

        while (s->win_len < s->buf_cap) {
                size_t n = fread(s->buf + s->win_len, 1, s->buf_cap - s->win_len, s->file);

                s->win_len += n;
                if (n == 0) {
                        if (ferror(s->file))
                                return pcrsim_error_set(err, PCRSIM_ERR_IO,
                                                        s->win_offset + s->win_len, NULL,
                                                        "read failed: %s", strerror(errno));
                        s->eof = true;
                        break;
                }
                if (s->win_len >= want)
                        break;
        }
        return PCRSIM_OK;
}

void pcrsim_source_reader(const struct pcrsim_source *s, struct pcrsim_reader *r)
{
        pcrsim_reader_init(r, pcrsim_source_peek(s), pcrsim_source_available(s), s->pos);
}
