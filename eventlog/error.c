/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pcrsim/error.h"

void pcrsim_error_clear(struct pcrsim_error *err)
{
        if (!err)
                return;
        memset(err, 0, sizeof(*err));
        err->code = PCRSIM_OK;
        err->offset = PCRSIM_NO_OFFSET;
        err->record = PCRSIM_NO_RECORD;
}

enum pcrsim_error_code pcrsim_error_setv(struct pcrsim_error *err,
                                         enum pcrsim_error_code code,
                                         uint64_t offset, const char *field,
                                         const char *fmt, va_list ap)
{
        if (!err)
                return code;
        pcrsim_error_clear(err);
        err->code = code;
        err->offset = offset;
        if (field)
                snprintf(err->field, sizeof(err->field), "%s", field);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        return code;
}

enum pcrsim_error_code pcrsim_error_set(struct pcrsim_error *err,
                                        enum pcrsim_error_code code,
                                        uint64_t offset, const char *field,
                                        const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        pcrsim_error_setv(err, code, offset, field, fmt, ap);
        va_end(ap);
        return code;
}

void pcrsim_error_format(const struct pcrsim_error *err, const char *name,
                         char *buf, size_t size)
{
        char where[96] = "";
        size_t used = 0;

        if (size == 0)
                return;
        if (err->record != PCRSIM_NO_RECORD)
                used += (size_t)snprintf(where, sizeof(where), "%s %" PRIu64,
                                         err->record_noun ? err->record_noun : "event",
                                         err->record);
        if (err->offset != PCRSIM_NO_OFFSET)
                snprintf(where + used, sizeof(where) - used, "%soffset 0x%" PRIx64,
                         used ? " at " : "", err->offset);

        snprintf(buf, size, "%s%s%s%s%s", name ? name : "", name ? ": " : "",
                 where, where[0] ? ": " : "", err->message);
}

const char *pcrsim_error_code_name(enum pcrsim_error_code code)
{
        switch (code) {
        case PCRSIM_OK:
                return "success";
        case PCRSIM_ERR_INVALID:
                return "invalid input";
        case PCRSIM_ERR_TRUNCATED:
                return "truncated input";
        case PCRSIM_ERR_LIMIT:
                return "limit exceeded";
        case PCRSIM_ERR_UNSUPPORTED:
                return "unsupported input";
        case PCRSIM_ERR_IO:
                return "I/O error";
        case PCRSIM_ERR_NOMEM:
                return "out of memory";
        case PCRSIM_ERR_INTERNAL:
                return "internal error";
        }
        return "unknown error";
}
