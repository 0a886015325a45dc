/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/format.h"

void pcrsim_strbuf_init(struct pcrsim_strbuf *sb)
{
        memset(sb, 0, sizeof(*sb));
}

void pcrsim_strbuf_free(struct pcrsim_strbuf *sb)
{
        free(sb->data);
        pcrsim_strbuf_init(sb);
}

static bool reserve(struct pcrsim_strbuf *sb, size_t extra)
{
        size_t cap;
        char *grown;

        if (sb->failed)
                return false;
        if (extra < sb->cap - sb->len)
                return true;
        if (extra > (SIZE_MAX - sb->len) / 2 - 1) {
                sb->failed = true;
                return false;
        }
        cap = sb->cap ? sb->cap : 256;
        while (cap - sb->len <= extra)
                cap *= 2;
        grown = realloc(sb->data, cap);
        if (!grown) {
                sb->failed = true;
                return false;
        }
        sb->data = grown;
        sb->cap = cap;
        return true;
}

void pcrsim_strbuf_append(struct pcrsim_strbuf *sb, const char *s, size_t n)
{
        if (!reserve(sb, n))
                return;
        memcpy(sb->data + sb->len, s, n);
        sb->len += n;
        sb->data[sb->len] = '\0';
}

void pcrsim_strbuf_printf(struct pcrsim_strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                sb->failed = true;
                return;
        }
        if (!reserve(sb, (size_t)n))
                return;
        va_start(ap, fmt);
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sb->len += (size_t)n;
}
