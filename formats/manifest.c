/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader of vector manifests (MANIFEST.yaml). libyaml builds the node
 * tree; this file walks the few keys that pcrsim uses and checks each
 * value's type. Scalars are read as raw text, so an all-digit hex value
 * stays hex whether or not the writer quoted it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "pcrsim/alg.h"
#include "pcrsim/manifest.h"
#include "text_internal.h"
#include "yaml_internal.h"

struct walker {
        yaml_document_t doc;
        const void *data;
        size_t size;
        struct pcrsim_manifest *m;
        struct pcrsim_error *err;
};

static enum pcrsim_error_code __attribute__((format(printf, 4, 5)))
fail_at(struct walker *w, const yaml_node_t *node, const char *field, const char *fmt, ...)
{
        enum pcrsim_error_code rc;
        va_list ap;

        va_start(ap, fmt);
        rc = pcrsim_yaml_failv(w->data, w->size, node, field, w->err, fmt, ap);
        va_end(ap);
        return rc;
}

static enum pcrsim_error_code nomem(struct walker *w)
{
        return pcrsim_error_set(w->err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                "out of memory reading the manifest");
}

static yaml_node_t *node(struct walker *w, int index)
{
        return yaml_document_get_node(&w->doc, index);
}

static const char *text_of(const yaml_node_t *n)
{
        return pcrsim_yaml_text(n);
}

/* An absent value, `key:`, `~` or `null`. */
static bool is_null(const yaml_node_t *n)
{
        const char *t = text_of(n);

        return !n || (t && (!t[0] || strcmp(t, "~") == 0 || strcmp(t, "null") == 0));
}

static yaml_node_t *get(struct walker *w, const yaml_node_t *map, const char *key)
{
        return pcrsim_yaml_get(&w->doc, map, key);
}

static enum pcrsim_error_code copy_text(struct walker *w, const yaml_node_t *n, const char *field,
                                        char **out)
{
        const char *t;

        *out = NULL;
        if (is_null(n))
                return PCRSIM_OK;
        t = text_of(n);
        if (!t)
                return fail_at(w, n, field, "%s is not a string", field);
        *out = strdup(t);
        return *out ? PCRSIM_OK : nomem(w);
}

/* Formats that vector folders use for files that are not replayed. */
static const char *const data_formats[] = {
        "pcr-values-hex-json", "pcr-values-base64-json", "pcr-values-text",
        "pcr-values-tpm2-binary", "sysfs-pcr-file", "measurements-bare-hex-json",
        "measurements-expected-warnonly-json", "measurements-expected-warnonly-yaml",
        "config-yaml-with-measurements", "go-source", "tpms-attest", "tpmt-signature",
        "tpm2b-public", "public-key-pem", "tpm2-tools-pcrs-file", "reference-output",
        "base64", "console-log",
};

static enum pcrsim_manifest_kind kind_of(const char *format)
{
        if (!format)
                return PCRSIM_MANIFEST_UNKNOWN;
        if (strcmp(format, "tcg-crypto-agile") == 0 || strcmp(format, "tcg-sha1") == 0)
                return PCRSIM_MANIFEST_TCG_LOG;
        if (strcmp(format, "ima-binary") == 0 || strcmp(format, "ima-ascii") == 0)
                return PCRSIM_MANIFEST_IMA_LIST;
        if (strcmp(format, "not-a-log") == 0)
                return PCRSIM_MANIFEST_NOT_A_LOG;
        for (size_t i = 0; i < sizeof(data_formats) / sizeof(data_formats[0]); i++)
                if (strcmp(format, data_formats[i]) == 0)
                        return PCRSIM_MANIFEST_DATA;
        return PCRSIM_MANIFEST_UNKNOWN;
}

/* Rejects names that leave the vector folder: absolute paths and "..". */
static bool safe_name(const char *name)
{
        const char *p = name;

        if (!name[0] || name[0] == '/')
                return false;
        while (*p) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return false;
                p += n;
                if (*p == '/')
                        p++;
        }
        return true;
}

static enum pcrsim_error_code read_bytes(struct walker *w, const yaml_node_t *n,
                                         struct pcrsim_manifest_file *f)
{
        const char *t = text_of(n);
        long long v;
        char *end;

        f->bytes = -1;
        if (is_null(n))
                return PCRSIM_OK;
        f->bytes_line = n->start_mark.line + 1;
        if (!t || !isdigit((unsigned char)t[0]))
                return fail_at(w, n, "bytes", "bytes of %s is not a non-negative integer", f->name);
        errno = 0;
        v = strtoll(t, &end, 10);
        if (errno || *end)
                return fail_at(w, n, "bytes", "bytes of %s is not a non-negative integer", f->name);
        f->bytes = v;
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_sha256(struct walker *w, const yaml_node_t *n,
                                          struct pcrsim_manifest_file *f)
{
        const char *t = text_of(n);

        if (is_null(n))
                return PCRSIM_OK;
        if (!t || pcrsim_decode_hex(t, strlen(t), f->sha256, sizeof(f->sha256)) != 32)
                return fail_at(w, n, "sha256", "sha256 of %s is not 64 hex digits", f->name);
        f->has_sha256 = true;
        f->sha256_line = n->start_mark.line + 1;
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_alg(struct walker *w, const yaml_node_t *n, const char *field,
                                       uint16_t *out)
{
        const char *t = text_of(n);
        const struct pcrsim_alg_info *info = t ? pcrsim_alg_by_name(t) : NULL;

        *out = 0;
        if (is_null(n))
                return PCRSIM_OK;
        if (!info)
                return fail_at(w, n, field, "%s '%s' is not a hash algorithm that pcrsim knows",
                               field, t ? t : "(not a string)");
        *out = info->id;
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_file(struct walker *w, const yaml_node_t *entry,
                                        struct pcrsim_manifest_file *f)
{
        yaml_node_t *name = get(w, entry, "file");
        enum pcrsim_error_code rc;

        if (entry->type != YAML_MAPPING_NODE)
                return fail_at(w, entry, "files", "a file entry is not a mapping");
        f->line = entry->start_mark.line + 1;
        /* `file: ~` is YAML's null, which copy_text() would leave as NULL. */
        if (is_null(name) || !text_of(name))
                return fail_at(w, entry, "file", "a file entry has no file name");
        if (!safe_name(text_of(name)))
                return fail_at(w, name, "file",
                               "file name '%s' leaves the vector folder (absolute or with ..)",
                               text_of(name));
        rc = copy_text(w, name, "file", &f->name);
        if (!rc)
                rc = copy_text(w, get(w, entry, "format"), "format", &f->format);
        if (!rc)
                rc = copy_text(w, get(w, entry, "expect_error"), "expect_error", &f->expect_error);
        if (!rc)
                rc = read_alg(w, get(w, entry, "template_digest_alg"), "template_digest_alg",
                              &f->template_digest_alg);
        if (!rc)
                rc = read_bytes(w, get(w, entry, "bytes"), f);
        if (!rc)
                rc = read_sha256(w, get(w, entry, "sha256"), f);
        f->kind = kind_of(f->format);
        return rc;
}

static enum pcrsim_error_code read_files(struct walker *w, const yaml_node_t *seq, const char *key)
{
        struct pcrsim_manifest *m = w->m;
        struct pcrsim_manifest_file *grown;
        size_t count;

        if (is_null(seq))
                return PCRSIM_OK;
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail_at(w, seq, key, "%s is not a list", key);
        count = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
        if (count > PCRSIM_MAX_MANIFEST_FILES - m->file_count)
                return pcrsim_error_set(w->err, PCRSIM_ERR_LIMIT,
                                        pcrsim_yaml_byte_offset(w->data, w->size, seq->start_mark), key,
                                        "line %zu: the manifest lists more than %u files",
                                        seq->start_mark.line + 1, PCRSIM_MAX_MANIFEST_FILES);
        grown = realloc(m->files, (m->file_count + count + 1) * sizeof(*m->files));
        if (!grown)
                return nomem(w);
        m->files = grown;
        for (size_t i = 0; i < count; i++) {
                struct pcrsim_manifest_file *f = &m->files[m->file_count];
                enum pcrsim_error_code rc;

                memset(f, 0, sizeof(*f));
                f->bytes = -1;
                m->file_count++;
                rc = read_file(w, node(w, seq->data.sequence.items.start[i]), f);
                if (rc)
                        return rc;
        }
        return PCRSIM_OK;
}

static bool parse_pcr(const char *t, uint32_t *out)
{
        return pcrsim_yaml_parse_pcr(t, out);
}

static enum pcrsim_error_code read_bank(struct walker *w, const yaml_node_t *key,
                                        const yaml_node_t *map)
{
        struct pcrsim_pcr_set *set = &w->m->expected;
        const struct pcrsim_alg_info *info = pcrsim_alg_by_name(text_of(key) ? text_of(key) : "");
        struct pcrsim_pcr_bank *bank;

        if (!info)
                return fail_at(w, key, "expected.banks", "bank '%s' is not a hash algorithm that pcrsim knows",
                               text_of(key) ? text_of(key) : "(not a string)");
        for (uint32_t b = 0; b < set->bank_count; b++)
                if (set->banks[b].alg == info->id)
                        return fail_at(w, key, "expected.banks", "bank %s is listed twice", info->name);
        if (set->bank_count >= PCRSIM_MAX_ALGORITHMS)
                return fail_at(w, key, "expected.banks", "more than %u banks", PCRSIM_MAX_ALGORITHMS);
        if (!map || map->type != YAML_MAPPING_NODE)
                return fail_at(w, map ? map : key, "expected.banks",
                               "expected.banks.%s is not a mapping of PCR index to hex", info->name);
        bank = &set->banks[set->bank_count++];
        bank->alg = info->id;
        bank->size = info->digest_size;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(w, p->key), *v = node(w, p->value);
                const char *hex = text_of(v);
                uint32_t pcr;

                if (!parse_pcr(text_of(k), &pcr))
                        return fail_at(w, k, "expected.banks", "%s: PCR index '%s' is not an integer from 0 to 23",
                                       info->name, text_of(k) ? text_of(k) : "(not a string)");
                if (bank->pcrs[pcr].present)
                        return fail_at(w, k, "expected.banks", "%s PCR %u is listed twice", info->name, pcr);
                if (!hex || pcrsim_decode_hex(hex, strlen(hex), bank->pcrs[pcr].digest,
                                              sizeof(bank->pcrs[pcr].digest)) != info->digest_size)
                        return fail_at(w, v, "expected.banks", "%s PCR %u: the value is not the hex of a %u-byte digest",
                                       info->name, pcr, info->digest_size);
                bank->pcrs[pcr].present = true;
                w->m->expected_count++;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_banks(struct walker *w, const yaml_node_t *map)
{
        if (is_null(map))
                return PCRSIM_OK;
        if (map->type != YAML_MAPPING_NODE)
                return fail_at(w, map, "expected.banks", "expected.banks is not a mapping of bank name to PCR values");
        w->m->expected_line = map->start_mark.line + 1;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                enum pcrsim_error_code rc = read_bank(w, node(w, p->key), node(w, p->value));

                if (rc)
                        return rc;
        }
        return PCRSIM_OK;
}

/* Stores a boot_aggregate value whose algorithm comes from `alg_text`: a
 * bank name, possibly followed by a space and a comment. */
static enum pcrsim_error_code store_boot_aggregate(struct walker *w, const yaml_node_t *at,
                                                   const char *alg_text, const char *hex)
{
        struct pcrsim_manifest *m = w->m;
        char name[16] = "";
        const struct pcrsim_alg_info *info;
        long n;

        sscanf(alg_text, "%15[a-z0-9_-]", name);
        info = pcrsim_alg_by_name(name);
        if (!info)
                return fail_at(w, at, "boot_aggregate", "boot_aggregate: '%s' does not start with a hash algorithm name",
                               alg_text);
        n = hex ? pcrsim_decode_hex(hex, strlen(hex), m->boot_aggregate, sizeof(m->boot_aggregate)) : -1;
        if (n != info->digest_size)
                return fail_at(w, at, "boot_aggregate", "boot_aggregate is not the hex of a %u-byte %s digest",
                               info->digest_size, info->name);
        m->has_boot_aggregate = true;
        m->boot_aggregate_alg = info->id;
        m->boot_aggregate_size = info->digest_size;
        return PCRSIM_OK;
}

/* A hex scalar ("ALG:HEX" or bare hex, SHA-1 by its length), or a map of
 * one "ALG ..." key to hex. */
static enum pcrsim_error_code read_boot_aggregate(struct walker *w, const yaml_node_t *n)
{
        const char *t = text_of(n);

        if (is_null(n))
                return PCRSIM_OK;
        if (t) {
                const char *colon = strchr(t, ':');

                if (colon)
                        return store_boot_aggregate(w, n, t, colon + 1);
                return store_boot_aggregate(w, n, strlen(t) == 40 ? "sha1" : "sha256", t);
        }
        if (n->type != YAML_MAPPING_NODE ||
            n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
                return fail_at(w, n, "boot_aggregate",
                               "boot_aggregate is neither hex nor a mapping of one algorithm to hex");
        return store_boot_aggregate(w, n, text_of(node(w, n->data.mapping.pairs.start->key)) ?
                                    text_of(node(w, n->data.mapping.pairs.start->key)) : "",
                                    text_of(node(w, n->data.mapping.pairs.start->value)));
}

static enum pcrsim_error_code read_mismatches(struct walker *w, const yaml_node_t *seq)
{
        struct pcrsim_manifest *m = w->m;
        size_t count;

        if (is_null(seq))
                return PCRSIM_OK;
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail_at(w, seq, "MISMATCH", "replay_check_during_curation.MISMATCH is not a list");
        count = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
        if (count > PCRSIM_MAX_REFERENCE_VALUES)
                return fail_at(w, seq, "MISMATCH", "MISMATCH lists more than %u values",
                               PCRSIM_MAX_REFERENCE_VALUES);
        m->mismatches = calloc(count + 1, sizeof(*m->mismatches));
        if (!m->mismatches)
                return nomem(w);
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *item = node(w, seq->data.sequence.items.start[i]);
                const char *t = text_of(item);
                const char *colon = t ? strchr(t, ':') : NULL;
                char bank[16];
                const struct pcrsim_alg_info *info = NULL;
                uint32_t pcr;

                if (colon && (size_t)(colon - t) < sizeof(bank)) {
                        memcpy(bank, t, (size_t)(colon - t));
                        bank[colon - t] = '\0';
                        info = pcrsim_alg_by_name(bank);
                }
                if (!info || !parse_pcr(colon + 1, &pcr))
                        return fail_at(w, item, "MISMATCH", "MISMATCH entry '%s' is not BANK:PCR, such as sha1:5",
                                       t ? t : "(not a string)");
                m->mismatches[m->mismatch_count].alg = info->id;
                m->mismatches[m->mismatch_count].pcr = pcr;
                m->mismatch_count++;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_quirks(struct walker *w, const yaml_node_t *seq)
{
        struct pcrsim_manifest *m = w->m;
        size_t count;

        if (is_null(seq))
                return PCRSIM_OK;
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail_at(w, seq, "quirks", "quirks is not a list");
        count = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
        m->quirks = calloc(count + 1, sizeof(*m->quirks));
        if (!m->quirks)
                return nomem(w);
        for (size_t i = 0; i < count; i++) {
                enum pcrsim_error_code rc = copy_text(w, node(w, seq->data.sequence.items.start[i]),
                                                      "quirks", &m->quirks[m->quirk_count]);

                if (rc)
                        return rc;
                if (m->quirks[m->quirk_count])
                        m->quirk_count++;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code walk(struct walker *w)
{
        yaml_node_t *root = yaml_document_get_root_node(&w->doc);
        yaml_node_t *expected, *check;
        enum pcrsim_error_code rc;

        if (!root)
                return pcrsim_error_set(w->err, PCRSIM_ERR_INVALID, 0, NULL, "the manifest is empty");
        if (root->type != YAML_MAPPING_NODE)
                return fail_at(w, root, NULL, "the manifest is not a mapping");
        rc = copy_text(w, get(w, root, "name"), "name", &w->m->name);
        if (!rc)
                rc = read_files(w, get(w, root, "files"), "files");
        if (!rc)
                rc = read_files(w, get(w, root, "derived_files"), "derived_files");
        expected = get(w, root, "expected");
        if (!rc && !is_null(expected) && expected->type != YAML_MAPPING_NODE)
                rc = fail_at(w, expected, "expected", "expected is not a mapping");
        if (!rc)
                rc = read_banks(w, get(w, expected, "banks"));
        if (!rc)
                rc = read_boot_aggregate(w, get(w, expected, "boot_aggregate"));
        check = get(w, root, "replay_check_during_curation");
        if (!rc && !is_null(check) && check->type != YAML_MAPPING_NODE)
                rc = fail_at(w, check, "replay_check_during_curation",
                             "replay_check_during_curation is not a mapping");
        if (!rc)
                rc = read_mismatches(w, get(w, check, "MISMATCH"));
        if (!rc)
                rc = read_quirks(w, get(w, root, "quirks"));
        return rc;
}

enum pcrsim_error_code pcrsim_manifest_parse(const void *data, size_t size,
                                             struct pcrsim_manifest *out,
                                             struct pcrsim_error *err)
{
        struct walker w = { .m = out, .err = err };
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        if (size > PCRSIM_MAX_MANIFEST_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_MAX_MANIFEST_SIZE, NULL,
                                        "the manifest is larger than %u bytes",
                                        PCRSIM_MAX_MANIFEST_SIZE);
        if (memchr(data, '\0', size))
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID,
                                        (uint64_t)((const char *)memchr(data, '\0', size) - (const char *)data),
                                        NULL, "the manifest contains a NUL byte, so it is not YAML text");
        w.data = data;
        w.size = size;
        rc = pcrsim_yaml_load(data, size, "YAML", &w.doc, err);
        if (rc)
                return rc;
        rc = walk(&w);
        yaml_document_delete(&w.doc);
        if (rc)
                pcrsim_manifest_free(out);
        return rc;
}

enum pcrsim_error_code pcrsim_manifest_load(const char *path, struct pcrsim_manifest *out,
                                            struct pcrsim_error *err)
{
        struct stat st;
        FILE *f;
        char *data;
        size_t size;
        enum pcrsim_error_code rc;
        int fd;

        memset(out, 0, sizeof(*out));
        /* O_NONBLOCK keeps open() from waiting for the writer of a FIFO. */
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return pcrsim_error_set(err, errno == ENOENT ? PCRSIM_ERR_INVALID : PCRSIM_ERR_IO,
                                        PCRSIM_NO_OFFSET, NULL, "cannot open: %s", strerror(errno));
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, PCRSIM_NO_OFFSET, NULL,
                                        "not a regular file");
        }
        f = fdopen(fd, "rb");
        if (!f) {
                close(fd);
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot open: %s", strerror(errno));
        }
        data = malloc(PCRSIM_MAX_MANIFEST_SIZE + 1);
        if (!data) {
                fclose(f);
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory reading the manifest");
        }
        size = fread(data, 1, PCRSIM_MAX_MANIFEST_SIZE + 1, f);
        if (ferror(f))
                rc = pcrsim_error_set(err, PCRSIM_ERR_IO, size, NULL, "read error: %s",
                                      strerror(errno));
        else
                rc = pcrsim_manifest_parse(data, size, out, err);
        free(data);
        fclose(f);
        return rc;
}

void pcrsim_manifest_free(struct pcrsim_manifest *m)
{
        for (size_t i = 0; i < m->file_count; i++) {
                free(m->files[i].name);
                free(m->files[i].format);
                free(m->files[i].expect_error);
        }
        for (size_t i = 0; i < m->quirk_count; i++)
                free(m->quirks[i]);
        free(m->files);
        free(m->mismatches);
        free(m->quirks);
        free(m->name);
        memset(m, 0, sizeof(*m));
}

bool pcrsim_manifest_lists_mismatch(const struct pcrsim_manifest *m, uint16_t alg, uint32_t pcr)
{
        for (size_t i = 0; i < m->mismatch_count; i++)
                if (m->mismatches[i].alg == alg && m->mismatches[i].pcr == pcr)
                        return true;
        return false;
}

/* Tells whether `text` contains `word` (case ignored) not followed by a
 * digit. */
static bool mentions(const char *text, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = text; *p; p++)
                if (strncasecmp(p, word, n) == 0 && !isdigit((unsigned char)p[n]))
                        return true;
        return false;
}

const char *pcrsim_manifest_quirk_for(const struct pcrsim_manifest *m, uint16_t alg, uint32_t pcr)
{
        char bank[24], entry[40], pcr_name[16];

        pcrsim_alg_name(alg, bank, sizeof(bank));
        snprintf(entry, sizeof(entry), "%s:%u", bank, pcr);
        snprintf(pcr_name, sizeof(pcr_name), "PCR %u", pcr);
        for (size_t i = 0; i < m->quirk_count; i++)
                if (mentions(m->quirks[i], entry) || mentions(m->quirks[i], pcr_name))
                        return m->quirks[i];
        return NULL;
}
