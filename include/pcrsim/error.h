/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_ERROR_H
#define PCRSIM_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Error classes. The CLI maps INVALID, TRUNCATED, LIMIT and UNSUPPORTED
 * to exit code 2, IO and NOMEM to exit code 3. TRUNCATED is a kind of
 * invalid input that a streaming reader may cure by reading more. */
enum pcrsim_error_code {
        PCRSIM_OK = 0,
        PCRSIM_ERR_INVALID,     /* malformed input */
        PCRSIM_ERR_TRUNCATED,   /* input ends inside a field */
        PCRSIM_ERR_LIMIT,       /* input exceeds a limit from limits.h */
        PCRSIM_ERR_UNSUPPORTED, /* well-formed input pcrsim cannot process */
        PCRSIM_ERR_IO,          /* read or write failure */
        PCRSIM_ERR_NOMEM,       /* allocation failure */
        PCRSIM_ERR_INTERNAL,    /* OpenSSL failure or a broken invariant */
};

#define PCRSIM_NO_OFFSET UINT64_MAX
#define PCRSIM_NO_RECORD UINT64_MAX

/*
 * Description of one failure. Library functions fill it only when they
 * fail, and leave it untouched on success. `offset` is the byte offset of
 * the offending field from the start of the input. `record` is the
 * zero-based index of the record (event) that contains it, and `field` the
 * name of that field. Each is absent when it does not apply.
 */
struct pcrsim_error {
        enum pcrsim_error_code code;
        uint64_t offset;
        uint64_t record;
        const char *record_noun; /* "entry" for IMA lists; NULL means "event" */
        char field[48];
        char message[320];
};

/* Resets an error to "no error, no location". */
void pcrsim_error_clear(struct pcrsim_error *err);

/*
 * Fills `err` (if not NULL) and returns `code`, so that callers can write
 * `return pcrsim_error_set(err, ...)`. `field` may be NULL.
 */
enum pcrsim_error_code pcrsim_error_set(struct pcrsim_error *err,
                                        enum pcrsim_error_code code,
                                        uint64_t offset, const char *field,
                                        const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* Same as pcrsim_error_set() with a va_list. */
enum pcrsim_error_code pcrsim_error_setv(struct pcrsim_error *err,
                                         enum pcrsim_error_code code,
                                         uint64_t offset, const char *field,
                                         const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));

/*
 * Writes "NAME: event N at offset 0xHEX: MESSAGE" into `buf` ("entry N"
 * for IMA lists), leaving out the parts that are absent. `name` (the input's file name) may be NULL.
 * Always NUL-terminates when `size` > 0.
 */
void pcrsim_error_format(const struct pcrsim_error *err, const char *name,
                         char *buf, size_t size);

/* Returns a short lower-case name for an error code, e.g. "invalid input". */
const char *pcrsim_error_code_name(enum pcrsim_error_code code);

#endif
