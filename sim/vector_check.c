/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "pcrsim/alg.h"
#include "pcrsim/ima.h"
#include "pcrsim/ima_replay.h"
#include "pcrsim/replay.h"
#include "pcrsim/tcglog.h"
#include "pcrsim/vector_check.h"

/* Everything the check keeps while it runs. */
struct checker {
        const char *dir;
        const struct pcrsim_manifest *m;
        struct pcrsim_vector_options opts;
        struct pcrsim_vector_result *out;
        size_t pcr_capacity;
        /* The one TCG event log whose replay the IMA lists continue. */
        size_t tcg_file;
        size_t tcg_count;
        struct pcrsim_replay *tcg;
        /* One IMA replay per file of the manifest; NULL where none. */
        struct pcrsim_ima_replay **ima;
};

static bool is_invalid_input(enum pcrsim_error_code code)
{
        return code == PCRSIM_ERR_INVALID || code == PCRSIM_ERR_TRUNCATED ||
               code == PCRSIM_ERR_LIMIT || code == PCRSIM_ERR_UNSUPPORTED;
}

static bool fatal(enum pcrsim_error_code code)
{
        return code == PCRSIM_ERR_NOMEM || code == PCRSIM_ERR_INTERNAL;
}

/*
 * Opens `path` for reading only when it is a regular file. A FIFO, a
 * device or a folder under a vector folder's name would block or never
 * end, so it is invalid input. O_NONBLOCK keeps open() from waiting for a
 * FIFO's writer; reads of a regular file ignore it.
 */
/* Tells whether an open() error comes from the name that the manifest
 * gives rather than from the system: then the vector is invalid. */
static bool name_error(int e)
{
        return e == ENOENT || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG || e == EISDIR;
}

static FILE *open_regular(const char *path, const struct pcrsim_manifest_file *entry,
                          struct pcrsim_error *err)
{
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        FILE *f;

        if (fd < 0) {
                pcrsim_error_set(err, name_error(errno) ? PCRSIM_ERR_INVALID : PCRSIM_ERR_IO,
                                 PCRSIM_NO_OFFSET, NULL, "%s: %s",
                                 errno == ENOENT ? "listed in MANIFEST.yaml but absent" : "cannot open",
                                 strerror(errno));
                return NULL;
        }
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                 "not a regular file");
                return NULL;
        }
        /* The size is known before reading, so a wrong or huge file costs
         * nothing to reject. */
        if (entry->bytes >= 0 && (uint64_t)st.st_size != (uint64_t)entry->bytes) {
                close(fd);
                pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                 "the file has %lld bytes, MANIFEST.yaml line %llu says %lld",
                                 (long long)st.st_size, (unsigned long long)entry->bytes_line,
                                 (long long)entry->bytes);
                return NULL;
        }
        if ((uint64_t)st.st_size > PCRSIM_MAX_TCG_LOG_SIZE) {
                close(fd);
                pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                 "the file has %lld bytes, more than the %u bytes that check-vectors reads",
                                 (long long)st.st_size, PCRSIM_MAX_TCG_LOG_SIZE);
                return NULL;
        }
        f = fdopen(fd, "rb");
        if (!f) {
                close(fd);
                pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "cannot open: %s",
                                 strerror(errno));
        }
        return f;
}

/* Reads a whole file into memory, up to the TCG log limit, which is the
 * largest input any of the readers takes. */
static enum pcrsim_error_code slurp(const char *path, const struct pcrsim_manifest_file *entry,
                                    uint8_t **data, size_t *size, struct pcrsim_error *err)
{
        size_t cap = 64 * 1024, used = 0;
        uint8_t *buf = NULL;
        FILE *f = open_regular(path, entry, err);

        *data = NULL;
        *size = 0;
        if (!f)
                return err->code;
        for (;;) {
                uint8_t *grown;
                size_t n;

                if (used == cap || !buf) {
                        if (buf)
                                cap *= 2;
                        if (cap > (size_t)PCRSIM_MAX_TCG_LOG_SIZE + 1)
                                cap = (size_t)PCRSIM_MAX_TCG_LOG_SIZE + 1;
                        grown = realloc(buf, cap);
                        if (!grown) {
                                free(buf);
                                fclose(f);
                                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET,
                                                        NULL, "out of memory reading the file");
                        }
                        buf = grown;
                }
                n = fread(buf + used, 1, cap - used, f);
                used += n;
                if (n == 0 || used > PCRSIM_MAX_TCG_LOG_SIZE)
                        break;
        }
        if (ferror(f)) {
                int e = errno;

                free(buf);
                fclose(f);
                return pcrsim_error_set(err, e == EISDIR ? PCRSIM_ERR_INVALID : PCRSIM_ERR_IO, used,
                                        NULL, "read error: %s", strerror(e));
        }
        fclose(f);
        if (used > PCRSIM_MAX_TCG_LOG_SIZE) {
                free(buf);
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_MAX_TCG_LOG_SIZE, NULL,
                                        "the file is larger than %u bytes",
                                        PCRSIM_MAX_TCG_LOG_SIZE);
        }
        *data = buf;
        *size = used;
        return PCRSIM_OK;
}

/* Checks the file's size and SHA-256 against the manifest. */
static enum pcrsim_error_code check_identity(const struct pcrsim_manifest_file *f,
                                             const uint8_t *data, size_t size,
                                             struct pcrsim_error *err)
{
        uint8_t digest[32];
        unsigned len = 0;

        if (f->bytes >= 0 && (uint64_t)f->bytes != size)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the file has %zu bytes, MANIFEST.yaml line %llu says %lld",
                                        size, (unsigned long long)f->bytes_line, (long long)f->bytes);
        if (!f->has_sha256)
                return PCRSIM_OK;
        if (!EVP_Digest(data, size, digest, &len, EVP_sha256(), NULL) || len != sizeof(digest))
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "OpenSSL failed to compute SHA-256");
        if (memcmp(digest, f->sha256, sizeof(digest)) != 0)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "the file's SHA-256 differs from MANIFEST.yaml line %llu: the file changed since it was recorded",
                                        (unsigned long long)f->sha256_line);
        return PCRSIM_OK;
}

static char *join(const char *dir, const char *name)
{
        size_t n = strlen(dir) + strlen(name) + 2;
        char *path = malloc(n);

        if (path)
                snprintf(path, n, "%s/%s", dir, name);
        return path;
}

/*
 * Checks that `path`, with symbolic links resolved, is inside the folder
 * `dir`: a vector folder is self-contained, and a link must not make the
 * check read files elsewhere on the machine.
 */
static enum pcrsim_error_code inside_folder(const char *dir, const char *path,
                                            struct pcrsim_error *err)
{
        char *real_dir = realpath(dir, NULL), *real_path;
        enum pcrsim_error_code rc = PCRSIM_OK;
        size_t n;

        if (!real_dir)
                return pcrsim_error_set(err, name_error(errno) ? PCRSIM_ERR_INVALID : PCRSIM_ERR_IO,
                                        PCRSIM_NO_OFFSET, NULL, "cannot resolve the vector folder: %s",
                                        strerror(errno));
        real_path = realpath(path, NULL);
        if (!real_path) {
                rc = pcrsim_error_set(err, name_error(errno) ? PCRSIM_ERR_INVALID : PCRSIM_ERR_IO,
                                      PCRSIM_NO_OFFSET, NULL, "%s: %s",
                                      errno == ENOENT ? "listed in MANIFEST.yaml but absent" :
                                      "cannot resolve the name", strerror(errno));
                free(real_dir);
                return rc;
        }
        n = strlen(real_dir);
        if (strncmp(real_path, real_dir, n) != 0 || (real_path[n] != '/' && n > 1))
                rc = pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                      "a symbolic link leads out of the vector folder, to %s",
                                      real_path);
        free(real_path);
        free(real_dir);
        return rc;
}

static enum pcrsim_error_code read_listed(struct checker *c, size_t index, uint8_t **data,
                                          size_t *size, struct pcrsim_error *err)
{
        char *path = join(c->dir, c->m->files[index].name);
        enum pcrsim_error_code rc;

        if (!path)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory");
        rc = inside_folder(c->dir, path, err);
        if (!rc)
                rc = slurp(path, &c->m->files[index], data, size, err);
        free(path);
        if (!rc)
                rc = check_identity(&c->m->files[index], *data, *size, err);
        if (rc) {
                free(*data);
                *data = NULL;
        }
        return rc;
}

static enum pcrsim_error_code replay_tcg(const uint8_t *data, size_t size,
                                         struct pcrsim_replay *out, struct pcrsim_error *err)
{
        struct pcrsim_tcglog *log = NULL;
        enum pcrsim_error_code rc = pcrsim_tcglog_open_memory(data, size, &log, err);

        if (!rc)
                rc = pcrsim_replay_tcglog(log, out, err);
        pcrsim_tcglog_free(log);
        return rc;
}

/*
 * Banks for an IMA list: the firmware log's when there is one, else the
 * expected banks that OpenSSL can hash, else the list's own algorithm.
 */
static void ima_banks(const struct checker *c, uint16_t list_alg,
                      struct pcrsim_ima_replay_options *ropts)
{
        const struct pcrsim_pcr_set *want = &c->m->expected;

        if (ropts->firmware)
                return;
        for (uint32_t b = 0; b < want->bank_count; b++)
                if (pcrsim_alg_available(want->banks[b].alg))
                        ropts->banks[ropts->bank_count++] = want->banks[b].alg;
        if (ropts->bank_count == 0 && list_alg && pcrsim_alg_available(list_alg))
                ropts->banks[ropts->bank_count++] = list_alg;
        if (ropts->bank_count == 0) {
                /* The list's algorithm is unknown until its first entry is
                 * read: the two banks that every TPM 2.0 has. */
                ropts->banks[ropts->bank_count++] = 0x0004;
                ropts->banks[ropts->bank_count++] = 0x000B;
        }
}

static enum pcrsim_error_code replay_ima_format(const struct checker *c, size_t index,
                                                const uint8_t *data, size_t size,
                                                const struct pcrsim_replay *firmware,
                                                struct pcrsim_ima_replay *out,
                                                enum pcrsim_ima_list_format *format,
                                                struct pcrsim_error *err)
{
        struct pcrsim_ima_options opts = { 0 };

        *format = PCRSIM_IMA_BINARY;
        struct pcrsim_ima_replay_options ropts = { 0 };
        struct pcrsim_ima_list *list = NULL;
        struct pcrsim_ima_list_info info;
        enum pcrsim_error_code rc;

        opts.digest_alg = c->m->files[index].template_digest_alg;
        rc = pcrsim_ima_list_open_memory(data, size, &opts, &list, err);
        if (!rc) {
                pcrsim_ima_list_info(list, &info);
                *format = info.format;
                ropts.rule = PCRSIM_IMA_EXTEND_AUTO;
                ropts.firmware = firmware;
                ima_banks(c, info.digest_alg, &ropts);
                rc = pcrsim_replay_ima(list, &ropts, out, err);
        }
        pcrsim_ima_list_free(list);
        return rc;
}

/* Checks that a TCG log is in the format its manifest entry names. */
static enum pcrsim_error_code check_tcg_format(const struct pcrsim_manifest_file *f,
                                               enum pcrsim_log_format found,
                                               struct pcrsim_error *err)
{
        bool agile = strcmp(f->format, "tcg-crypto-agile") == 0;

        if (agile == (found == PCRSIM_LOG_CRYPTO_AGILE))
                return PCRSIM_OK;
        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, NULL,
                                "MANIFEST.yaml line %llu says %s, but the file is a %s log",
                                (unsigned long long)f->line, f->format,
                                found == PCRSIM_LOG_CRYPTO_AGILE ? "crypto-agile" : "SHA-1 format");
}

/* Checks that an IMA list is binary or ASCII as its manifest entry states. */
static enum pcrsim_error_code check_ima_format(const struct pcrsim_manifest_file *f,
                                               enum pcrsim_ima_list_format found,
                                               struct pcrsim_error *err)
{
        bool ascii = strcmp(f->format, "ima-ascii") == 0;

        if (ascii == (found == PCRSIM_IMA_ASCII))
                return PCRSIM_OK;
        return pcrsim_error_set(err, PCRSIM_ERR_INVALID, 0, NULL,
                                "MANIFEST.yaml line %llu says %s, but the file is an %s IMA list",
                                (unsigned long long)f->line, f->format,
                                found == PCRSIM_IMA_ASCII ? "ASCII" : "binary");
}

/* Reads a file that is not replayed and checks its size and SHA-256. */
static enum pcrsim_error_code run_data_file(struct checker *c, size_t index,
                                            struct pcrsim_error *err)
{
        struct pcrsim_vector_file_result *res = &c->out->files[index];
        uint8_t *data = NULL;
        size_t size = 0;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&res->error);
        rc = read_listed(c, index, &data, &size, &res->error);
        free(data);
        if (fatal(rc)) {
                *err = res->error;
                return rc;
        }
        if (rc)
                res->outcome = PCRSIM_VECTOR_FILE_FAILED;
        else if (c->m->files[index].kind == PCRSIM_MANIFEST_UNKNOWN)
                res->outcome = PCRSIM_VECTOR_FILE_UNKNOWN_FORMAT;
        else
                res->outcome = PCRSIM_VECTOR_FILE_CHECKED;
        return PCRSIM_OK;
}

/* Replays a TCG event log held in memory into a new `*out`, which the
 * caller frees, and counts its records into `res`. */
static enum pcrsim_error_code replay_tcg_file(const uint8_t *data, size_t size,
                                              struct pcrsim_vector_file_result *res,
                                              struct pcrsim_replay **out)
{
        struct pcrsim_replay *r = calloc(1, sizeof(*r));
        enum pcrsim_error_code rc;

        *out = r;
        if (!r)
                return pcrsim_error_set(&res->error, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory");
        rc = replay_tcg(data, size, r, &res->error);
        if (!rc)
                res->records = r->record_count;
        return rc;
}

/* Replays an IMA list held in memory, after `firmware` when not NULL,
 * into a new `*out`, which the caller frees, and counts its entries and
 * violations into `res`. */
static enum pcrsim_error_code replay_ima_file(const struct checker *c, size_t index,
                                             const uint8_t *data, size_t size,
                                             const struct pcrsim_replay *firmware,
                                             struct pcrsim_vector_file_result *res,
                                             enum pcrsim_ima_list_format *format,
                                             struct pcrsim_ima_replay **out)
{
        struct pcrsim_ima_replay *r = calloc(1, sizeof(*r));
        enum pcrsim_error_code rc;

        *out = r;
        *format = PCRSIM_IMA_BINARY;
        if (!r)
                return pcrsim_error_set(&res->error, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory");
        rc = replay_ima_format(c, index, data, size, firmware, r, format, &res->error);
        if (!rc) {
                res->records = r->entry_count;
                res->violations = r->violations;
        }
        return rc;
}

/* Reads and replays one file that must parse. */
static enum pcrsim_error_code run_file(struct checker *c, size_t index, struct pcrsim_error *err)
{
        const struct pcrsim_manifest_file *f = &c->m->files[index];
        struct pcrsim_vector_file_result *res = &c->out->files[index];
        uint8_t *data = NULL;
        size_t size = 0;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&res->error);
        rc = read_listed(c, index, &data, &size, &res->error);
        if (!rc && f->kind == PCRSIM_MANIFEST_TCG_LOG) {
                struct pcrsim_replay *r = NULL;

                rc = replay_tcg_file(data, size, res, &r);
                if (!rc)
                        rc = check_tcg_format(f, r->format, &res->error);
                if (!rc && c->tcg_count == 1 && !c->tcg) {
                        c->tcg = r;
                        r = NULL;
                }
                free(r);
        } else if (!rc && f->kind == PCRSIM_MANIFEST_IMA_LIST) {
                struct pcrsim_ima_replay *r = NULL;
                enum pcrsim_ima_list_format format;

                rc = replay_ima_file(c, index, data, size, c->tcg, res, &format, &r);
                if (!rc)
                        rc = check_ima_format(f, format, &res->error);
                if (!rc)
                        c->ima[index] = r;
                else
                        free(r);
        }
        free(data);
        if (fatal(rc)) {
                *err = res->error;
                return rc;
        }
        res->outcome = rc ? PCRSIM_VECTOR_FILE_FAILED : PCRSIM_VECTOR_FILE_REPLAYED;
        return PCRSIM_OK;
}

/* Reads one expect_error file with the reader its format names. */
static enum pcrsim_error_code run_negative(struct checker *c, size_t index,
                                           struct pcrsim_error *err)
{
        const struct pcrsim_manifest_file *f = &c->m->files[index];
        struct pcrsim_vector_file_result *res = &c->out->files[index];
        uint8_t *data = NULL;
        size_t size = 0;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&res->error);
        rc = read_listed(c, index, &data, &size, &res->error);
        if (rc) {
                free(data);
                if (fatal(rc)) {
                        *err = res->error;
                        return rc;
                }
                res->outcome = PCRSIM_VECTOR_FILE_FAILED;
                return PCRSIM_OK;
        }
        if (f->kind == PCRSIM_MANIFEST_IMA_LIST) {
                struct pcrsim_ima_replay *r = NULL;
                enum pcrsim_ima_list_format format;

                rc = replay_ima_file(c, index, data, size, NULL, res, &format, &r);
                free(r);
        } else {
                struct pcrsim_replay *r = NULL;

                rc = replay_tcg_file(data, size, res, &r);
                free(r);
        }
        free(data);
        if (fatal(rc)) {
                *err = res->error;
                return rc;
        }
        if (!rc)
                res->outcome = PCRSIM_VECTOR_FILE_ACCEPTED;
        else if (is_invalid_input(rc))
                res->outcome = PCRSIM_VECTOR_FILE_REJECTED;
        else
                res->outcome = PCRSIM_VECTOR_FILE_FAILED;
        return PCRSIM_OK;
}

static struct pcrsim_vector_pcr_result *add_pcr(struct checker *c, const struct pcrsim_pcr_bank *bank,
                                                uint32_t pcr)
{
        struct pcrsim_vector_result *out = c->out;
        struct pcrsim_vector_pcr_result *p;

        if (out->pcr_count == c->pcr_capacity) {
                size_t cap = c->pcr_capacity ? 2 * c->pcr_capacity : 64;
                struct pcrsim_vector_pcr_result *grown = realloc(out->pcrs, cap * sizeof(*grown));

                if (!grown)
                        return NULL;
                out->pcrs = grown;
                c->pcr_capacity = cap;
        }
        p = &out->pcrs[out->pcr_count++];
        memset(p, 0, sizeof(*p));
        p->alg = bank->alg;
        p->size = bank->size;
        p->pcr = pcr;
        p->source = SIZE_MAX;
        p->listed_as_mismatch = pcrsim_manifest_lists_mismatch(c->m, bank->alg, pcr);
        memcpy(p->expected, bank->pcrs[pcr].digest, bank->size);
        return p;
}

static void set_actual(struct checker *c, struct pcrsim_vector_pcr_result *p, const uint8_t *value)
{
        memcpy(p->actual, value, p->size);
        if (memcmp(p->expected, p->actual, p->size) == 0) {
                p->verdict = PCRSIM_VECTOR_PCR_MATCH;
                return;
        }
        p->verdict = p->listed_as_mismatch ? PCRSIM_VECTOR_PCR_KNOWN_QUIRK : PCRSIM_VECTOR_PCR_DIFFERS;
        p->quirk = pcrsim_manifest_quirk_for(c->m, p->alg, p->pcr);
}

static void not_replayed(struct pcrsim_vector_pcr_result *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void not_replayed(struct pcrsim_vector_pcr_result *p, const char *fmt, ...)
{
        va_list ap;

        p->verdict = PCRSIM_VECTOR_PCR_NOT_REPLAYED;
        va_start(ap, fmt);
        vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
        va_end(ap);
}

/* Compares one expected value with the TCG log's replay. */
static void compare_tcg(struct checker *c, struct pcrsim_vector_pcr_result *p)
{
        const struct pcrsim_replay_bank *bank;
        char name[24];

        pcrsim_alg_name(p->alg, name, sizeof(name));
        p->source = c->tcg_file;
        if (!c->tcg) {
                not_replayed(p, "the event log %s was not replayed",
                             c->m->files[c->tcg_file].name);
                return;
        }
        bank = pcrsim_replay_bank(c->tcg, p->alg);
        if (!bank)
                not_replayed(p, "the event log has no %s bank", name);
        else if (!bank->hashable)
                not_replayed(p, "OpenSSL does not provide %s", name);
        else if (bank->missing_pcrs & (1u << p->pcr))
                not_replayed(p, "event %llu extends it without a %s digest",
                             (unsigned long long)bank->first_missing_event[p->pcr], name);
        else
                set_actual(c, p, bank->values[p->pcr]);
}

/* Compares one expected value of a PCR that IMA extends with each IMA
 * list. Returns false when out of memory. */
static bool compare_ima(struct checker *c, const struct pcrsim_pcr_bank *want, uint32_t pcr,
                        bool *compared)
{
        for (size_t i = 0; i < c->m->file_count; i++) {
                const struct pcrsim_ima_replay *r = c->ima[i];
                const struct pcrsim_ima_bank *bank;
                struct pcrsim_vector_pcr_result *p;
                char name[24];

                if (!r || !(r->pcr_mask & (1u << pcr)))
                        continue;
                p = add_pcr(c, want, pcr);
                if (!p)
                        return false;
                *compared = true;
                p->source = i;
                bank = pcrsim_ima_replay_bank(r, want->alg);
                pcrsim_alg_name(want->alg, name, sizeof(name));
                if (!bank || !bank->hashable)
                        not_replayed(p, "the IMA list was not replayed into the %s bank%s", name,
                                     c->tcg ? ", which the event log lacks" : "");
                else
                        set_actual(c, p, pcrsim_ima_replay_value(r, bank, pcr));
        }
        return true;
}

static bool compare_expected(struct checker *c)
{
        const struct pcrsim_pcr_set *want = &c->m->expected;

        for (uint32_t b = 0; b < want->bank_count; b++) {
                const struct pcrsim_pcr_bank *bank = &want->banks[b];

                for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                        struct pcrsim_vector_pcr_result *p;
                        bool from_ima = false;

                        if (!bank->pcrs[pcr].present)
                                continue;
                        if (!compare_ima(c, bank, pcr, &from_ima))
                                return false;
                        if (from_ima)
                                continue;
                        p = add_pcr(c, bank, pcr);
                        if (!p)
                                return false;
                        if (c->tcg_count == 1)
                                compare_tcg(c, p);
                        else
                                not_replayed(p, "the vector has no TCG event log, and no IMA list extends PCR %u",
                                             pcr);
                }
        }
        return true;
}

static bool check_aggregates(struct checker *c)
{
        const struct pcrsim_manifest *m = c->m;

        if (!c->tcg)
                return true;
        for (size_t i = 0; i < m->file_count; i++) {
                struct pcrsim_vector_aggregate_result *a;
                const struct pcrsim_boot_aggregate *ba;

                if (!c->ima[i])
                        continue;
                a = &c->out->aggregates[c->out->aggregate_count++];
                ba = &c->ima[i]->boot_aggregate;
                a->ima_file = i;
                a->check = *ba;
                if (m->has_boot_aggregate)
                        a->differs_from_manifest =
                                ba->verdict == PCRSIM_BOOT_AGGREGATE_NO_ENTRY ||
                                ba->verdict == PCRSIM_BOOT_AGGREGATE_UNDECODABLE ||
                                ba->alg != m->boot_aggregate_alg ||
                                memcmp(ba->logged, m->boot_aggregate, m->boot_aggregate_size) != 0;
                /* A boot_aggregate that the manifest gives must also be one
                 * that the event log reproduces; NO_BANK and NO_TPM leave it
                 * unchecked, which is not a match. */
                a->unconfirmed = m->has_boot_aggregate && !a->differs_from_manifest &&
                                 ba->verdict != PCRSIM_BOOT_AGGREGATE_MATCH_0_7 &&
                                 ba->verdict != PCRSIM_BOOT_AGGREGATE_MATCH_0_9;
        }
        return true;
}

static bool aggregate_failed(const struct pcrsim_vector_aggregate_result *a)
{
        return a->differs_from_manifest || a->unconfirmed ||
               a->check.verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH;
}

static void tally(struct checker *c)
{
        struct pcrsim_vector_result *out = c->out;
        bool has_logs = false, aggregate_bad = false;

        for (size_t i = 0; i < out->file_count; i++) {
                switch (out->files[i].outcome) {
                case PCRSIM_VECTOR_FILE_REPLAYED:
                        out->replayed_files++;
                        has_logs = true;
                        break;
                case PCRSIM_VECTOR_FILE_REJECTED:
                        out->rejected_files++;
                        break;
                case PCRSIM_VECTOR_FILE_ACCEPTED:
                        out->accepted_files++;
                        break;
                case PCRSIM_VECTOR_FILE_FAILED:
                        out->failed_files++;
                        break;
                case PCRSIM_VECTOR_FILE_CHECKED:
                        out->checked_files++;
                        break;
                case PCRSIM_VECTOR_FILE_UNKNOWN_FORMAT:
                        out->unknown_format_files++;
                        break;
                case PCRSIM_VECTOR_FILE_SKIPPED:
                        break;
                }
        }
        for (size_t i = 0; i < out->pcr_count; i++) {
                switch (out->pcrs[i].verdict) {
                case PCRSIM_VECTOR_PCR_MATCH:
                        out->matched++;
                        break;
                case PCRSIM_VECTOR_PCR_DIFFERS:
                        out->differing++;
                        break;
                case PCRSIM_VECTOR_PCR_KNOWN_QUIRK:
                        out->known++;
                        break;
                case PCRSIM_VECTOR_PCR_NOT_REPLAYED:
                        out->not_replayed++;
                        break;
                }
        }
        for (size_t i = 0; i < out->aggregate_count; i++)
                aggregate_bad = aggregate_bad || aggregate_failed(&out->aggregates[i]);

        if (out->failed_files || out->problem[0] ||
            (c->opts.strict && out->unknown_format_files))
                out->verdict = PCRSIM_VECTOR_INVALID;
        else if (out->differing || out->not_replayed || out->accepted_files || aggregate_bad)
                out->verdict = PCRSIM_VECTOR_DIFFERS;
        else if (out->known)
                out->verdict = PCRSIM_VECTOR_KNOWN_QUIRK;
        else if (out->matched || (c->m->has_boot_aggregate && out->aggregate_count))
                out->verdict = PCRSIM_VECTOR_MATCH;
        else if (has_logs)
                out->verdict = PCRSIM_VECTOR_NO_EXPECTED;
        else if (out->rejected_files)
                out->verdict = PCRSIM_VECTOR_REJECTED_AS_EXPECTED;
        else
                out->verdict = PCRSIM_VECTOR_NOTHING_TO_REPLAY;
}

/* Problems of the manifest as a whole, found before any file is read. */
static void check_shape(struct checker *c)
{
        const struct pcrsim_manifest *m = c->m;
        bool has_ima = false;

        for (size_t i = 0; i < m->file_count; i++)
                has_ima = has_ima || (m->files[i].kind == PCRSIM_MANIFEST_IMA_LIST &&
                                      !m->files[i].expect_error);
        if (m->expected_count && c->tcg_count > 1)
                snprintf(c->out->problem, sizeof(c->out->problem),
                         "MANIFEST.yaml line %llu gives expected values, and the vector has %zu TCG event logs, so they belong to none of them alone",
                         (unsigned long long)m->expected_line, c->tcg_count);
        else if (m->has_boot_aggregate && (c->tcg_count != 1 || !has_ima))
                snprintf(c->out->problem, sizeof(c->out->problem),
                         "MANIFEST.yaml gives a boot_aggregate, which needs one TCG event log and an IMA list; the vector has %zu logs and %s IMA list",
                         c->tcg_count, has_ima ? "an" : "no");
}

enum pcrsim_error_code pcrsim_vector_check(const char *dir, const struct pcrsim_manifest *m,
                                           const struct pcrsim_vector_options *opts,
                                           struct pcrsim_vector_result *out,
                                           struct pcrsim_error *err)
{
        struct checker c = { .dir = dir, .m = m, .out = out, .tcg_file = SIZE_MAX };
        enum pcrsim_error_code rc = PCRSIM_OK;
        bool failed = false;

        memset(out, 0, sizeof(*out));
        if (opts)
                c.opts = *opts;
        out->file_count = m->file_count;
        out->files = calloc(m->file_count + 1, sizeof(*out->files));
        out->aggregates = calloc(m->file_count + 1, sizeof(*out->aggregates));
        c.ima = calloc(m->file_count + 1, sizeof(*c.ima));
        if (!out->files || !out->aggregates || !c.ima) {
                rc = pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
                goto done;
        }
        for (size_t i = 0; i < m->file_count; i++) {
                if (m->files[i].kind == PCRSIM_MANIFEST_TCG_LOG && !m->files[i].expect_error) {
                        if (c.tcg_count++ == 0)
                                c.tcg_file = i;
                }
        }
        check_shape(&c);
        /* The TCG logs first, so that the IMA lists continue their replay. */
        for (size_t i = 0; !rc && i < m->file_count; i++)
                if (m->files[i].kind == PCRSIM_MANIFEST_TCG_LOG && !m->files[i].expect_error)
                        rc = run_file(&c, i, err);
        for (size_t i = 0; !rc && i < m->file_count; i++)
                if (m->files[i].kind == PCRSIM_MANIFEST_IMA_LIST && !m->files[i].expect_error)
                        rc = run_file(&c, i, err);
        for (size_t i = 0; !rc && i < m->file_count; i++)
                if (m->files[i].expect_error)
                        rc = run_negative(&c, i, err);
        for (size_t i = 0; !rc && i < m->file_count; i++)
                if ((m->files[i].kind == PCRSIM_MANIFEST_DATA ||
                     m->files[i].kind == PCRSIM_MANIFEST_NOT_A_LOG ||
                     m->files[i].kind == PCRSIM_MANIFEST_UNKNOWN) && !m->files[i].expect_error)
                        rc = run_data_file(&c, i, err);
        for (size_t i = 0; i < m->file_count; i++)
                failed = failed || out->files[i].outcome == PCRSIM_VECTOR_FILE_FAILED;
        /* With a file that failed the vector is invalid, and comparing
         * would only repeat that failure for every value. */
        if (!rc && !out->problem[0] && !failed && (!compare_expected(&c) || !check_aggregates(&c)))
                rc = pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        if (!rc)
                tally(&c);
done:
        for (size_t i = 0; c.ima && i < m->file_count; i++)
                free(c.ima[i]);
        free(c.ima);
        free(c.tcg);
        if (rc)
                pcrsim_vector_result_free(out);
        return rc;
}

void pcrsim_vector_result_free(struct pcrsim_vector_result *r)
{
        free(r->files);
        free(r->pcrs);
        free(r->aggregates);
        memset(r, 0, sizeof(*r));
}

const char *pcrsim_vector_verdict_name(enum pcrsim_vector_verdict verdict)
{
        switch (verdict) {
        case PCRSIM_VECTOR_INVALID:
                return "invalid";
        case PCRSIM_VECTOR_DIFFERS:
                return "differs";
        case PCRSIM_VECTOR_KNOWN_QUIRK:
                return "known quirk";
        case PCRSIM_VECTOR_MATCH:
                return "match";
        case PCRSIM_VECTOR_REJECTED_AS_EXPECTED:
                return "rejected as expected";
        case PCRSIM_VECTOR_NO_EXPECTED:
                return "no expected values";
        case PCRSIM_VECTOR_NOTHING_TO_REPLAY:
                return "nothing to replay";
        }
        return "unknown";
}
