/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <yaml.h>

#include "manifest.h"
#include "testutil.h"

/* Subfolders that manifest_list_vectors() reads at most, so that a wrong
 * root folder cannot make a test run for long. */
#define MAX_VECTORS 4096

#define PCR_COUNT 24u

struct loader {
        yaml_document_t *doc;
        const char *path;
        char *error;
        size_t error_size;
};

/* Allocation failure aborts the test program, as in the other helpers. */
static void *xcalloc(size_t count, size_t size)
{
        void *p = calloc(count ? count : 1, size);

        if (!p)
                abort();
        return p;
}

static char *xstrdup(const char *s)
{
        char *p = strdup(s);

        if (!p)
                abort();
        return p;
}

/* Writes "PATH: MESSAGE" into the loader's error buffer and returns false. */
static bool __attribute__((format(printf, 2, 3))) fail(struct loader *ld, const char *fmt, ...)
{
        size_t used;
        va_list ap;

        snprintf(ld->error, ld->error_size, "%s: ", ld->path);
        used = strlen(ld->error);
        va_start(ap, fmt);
        vsnprintf(ld->error + used, ld->error_size - used, fmt, ap);
        va_end(ap);
        return false;
}

static yaml_node_t *node_at(struct loader *ld, int index)
{
        return yaml_document_get_node(ld->doc, index);
}

/* Returns the raw text of a scalar node, or NULL for any other node. */
static const char *scalar_text(const yaml_node_t *node)
{
        if (!node || node->type != YAML_SCALAR_NODE)
                return NULL;
        return (const char *)node->data.scalar.value;
}

/* Tells whether a node is absent or an empty scalar such as `key:` or `~`. */
static bool is_null(const yaml_node_t *node)
{
        const char *text = scalar_text(node);

        if (!node)
                return true;
        return text && (text[0] == '\0' || strcmp(text, "~") == 0 ||
                        strcmp(text, "null") == 0);
}

static yaml_node_t *map_get(struct loader *ld, yaml_node_t *map, const char *key)
{
        yaml_node_pair_t *pair;

        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
                const char *text = scalar_text(node_at(ld, pair->key));

                if (text && strcmp(text, key) == 0)
                        return node_at(ld, pair->value);
        }
        return NULL;
}

static char *optional_text(struct loader *ld, yaml_node_t *map, const char *key)
{
        const char *text = scalar_text(map_get(ld, map, key));

        return text ? xstrdup(text) : NULL;
}

static bool parse_bytes(struct loader *ld, yaml_node_t *entry, struct manifest_file *f)
{
        yaml_node_t *node = map_get(ld, entry, "bytes");
        const char *text = scalar_text(node);
        char *end;

        f->bytes = -1;
        if (!node)
                return true;
        errno = 0;
        f->bytes = text ? strtoll(text, &end, 10) : -1;
        if (!text || errno || end == text || *end != '\0' || f->bytes < 0)
                return fail(ld, "file %s: bytes is not a non-negative integer", f->name);
        return true;
}

/* Appends the entries of the `files:` or `derived_files:` list `seq`. */
static bool load_files(struct loader *ld, yaml_node_t *seq, const char *key,
                       struct manifest *m)
{
        size_t count;

        if (is_null(seq))
                return true;
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail(ld, "%s is not a list", key);
        count = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
        m->files = realloc(m->files, (m->file_count + count + 1) * sizeof(*m->files));
        if (!m->files)
                abort();
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *entry = node_at(ld, seq->data.sequence.items.start[i]);
                const char *name = scalar_text(map_get(ld, entry, "file"));
                struct manifest_file *f = &m->files[m->file_count];

                if (!name || !name[0])
                        return fail(ld, "%s entry %zu has no file name", key, i);
                memset(f, 0, sizeof(*f));
                m->file_count++;
                f->name = xstrdup(name);
                f->format = optional_text(ld, entry, "format");
                f->expect_error = optional_text(ld, entry, "expect_error");
                if (!parse_bytes(ld, entry, f))
                        return false;
        }
        return true;
}

static bool parse_pcr_index(const char *text, uint32_t *index)
{
        unsigned long value;
        char *end;

        if (!text || !isdigit((unsigned char)text[0]))
                return false;
        errno = 0;
        value = strtoul(text, &end, 10);
        if (errno || *end != '\0' || value >= PCR_COUNT)
                return false;
        *index = (uint32_t)value;
        return true;
}

/* Loads one bank of `expected.banks`: a mapping of PCR index to hex. */
static bool load_bank(struct loader *ld, yaml_node_pair_t *pair, struct manifest_bank *bank)
{
        const char *name = scalar_text(node_at(ld, pair->key));
        yaml_node_t *map = node_at(ld, pair->value);
        size_t count;

        if (!name || !name[0])
                return fail(ld, "expected.banks has a bank without a name");
        bank->name = xstrdup(name);
        if (!map || map->type != YAML_MAPPING_NODE)
                return fail(ld, "expected.banks.%s is not a mapping of PCR index to hex", name);
        count = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
        bank->pcrs = xcalloc(count, sizeof(*bank->pcrs));
        for (size_t i = 0; i < count; i++) {
                yaml_node_pair_t *entry = &map->data.mapping.pairs.start[i];
                const char *key = scalar_text(node_at(ld, entry->key));
                const char *hex = scalar_text(node_at(ld, entry->value));
                struct manifest_pcr *pcr = &bank->pcrs[bank->pcr_count];

                if (!parse_pcr_index(key, &pcr->index))
                        return fail(ld, "expected.banks.%s: PCR index '%s' is not an integer from 0 to 23",
                                    name, key ? key : "(not a scalar)");
                if (!hex)
                        return fail(ld, "expected.banks.%s PCR %u: the value is not a scalar",
                                    name, pcr->index);
                pcr->hex = xstrdup(hex);
                bank->pcr_count++;
        }
        return true;
}

static bool load_banks(struct loader *ld, yaml_node_t *map, struct manifest *m)
{
        size_t count;

        if (is_null(map))
                return true;
        if (map->type != YAML_MAPPING_NODE)
                return fail(ld, "expected.banks is not a mapping of bank name to PCR values");
        count = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
        m->banks = xcalloc(count, sizeof(*m->banks));
        for (size_t i = 0; i < count; i++) {
                m->bank_count++;
                if (!load_bank(ld, &map->data.mapping.pairs.start[i], &m->banks[i]))
                        return false;
        }
        return true;
}

/* Loads a list of scalars. An absent or empty value gives an empty list. */
static bool load_strings(struct loader *ld, yaml_node_t *seq, const char *key,
                         char ***items, size_t *count)
{
        size_t n;

        if (is_null(seq))
                return true;
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail(ld, "%s is not a list", key);
        n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
        *items = xcalloc(n, sizeof(**items));
        for (size_t i = 0; i < n; i++) {
                const char *text = scalar_text(node_at(ld, seq->data.sequence.items.start[i]));

                if (!text)
                        return fail(ld, "%s entry %zu is not a string", key, i);
                (*items)[(*count)++] = xstrdup(text);
        }
        return true;
}

static bool load_document(struct loader *ld, const char *dir, struct manifest *m)
{
        yaml_node_t *root = yaml_document_get_root_node(ld->doc);
        yaml_node_t *expected, *check;
        const char *slash;
        size_t len = strlen(dir);

        while (len > 1 && dir[len - 1] == '/')
                len--;
        m->dir = strndup(dir, len);
        if (!m->dir)
                abort();
        slash = strrchr(m->dir, '/');
        m->name = xstrdup(slash ? slash + 1 : m->dir);

        if (!root || root->type != YAML_MAPPING_NODE)
                return fail(ld, "the document is not a mapping");
        if (!load_files(ld, map_get(ld, root, "files"), "files", m) ||
            !load_files(ld, map_get(ld, root, "derived_files"), "derived_files", m))
                return false;
        expected = map_get(ld, root, "expected");
        if (!load_banks(ld, map_get(ld, expected, "banks"), m))
                return false;
        check = map_get(ld, root, "replay_check_during_curation");
        if (!load_strings(ld, map_get(ld, check, "MISMATCH"),
                          "replay_check_during_curation.MISMATCH",
                          &m->mismatches, &m->mismatch_count))
                return false;
        return load_strings(ld, map_get(ld, root, "quirks"), "quirks", &m->quirks,
                            &m->quirk_count);
}

bool manifest_load(const char *dir, struct manifest *m, char *error, size_t error_size)
{
        char *path = tu_path_join(dir, "MANIFEST.yaml");
        struct loader ld = { NULL, path, error, error_size };
        yaml_parser_t parser;
        yaml_document_t doc;
        bool ok;
        FILE *f;

        memset(m, 0, sizeof(*m));
        if (!path)
                abort();
        f = fopen(path, "rb");
        if (!f) {
                ok = fail(&ld, "cannot open: %s", strerror(errno));
                free(path);
                return ok;
        }
        if (!yaml_parser_initialize(&parser))
                abort();
        yaml_parser_set_input_file(&parser, f);
        if (!yaml_parser_load(&parser, &doc)) {
                ok = fail(&ld, "line %zu, column %zu: invalid YAML: %s",
                          parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                          parser.problem ? parser.problem : "unknown error");
        } else {
                ld.doc = &doc;
                ok = load_document(&ld, dir, m);
                yaml_document_delete(&doc);
        }
        yaml_parser_delete(&parser);
        fclose(f);
        free(path);
        if (!ok)
                manifest_free(m);
        return ok;
}

void manifest_free(struct manifest *m)
{
        for (size_t i = 0; i < m->file_count; i++) {
                free(m->files[i].name);
                free(m->files[i].format);
                free(m->files[i].expect_error);
        }
        for (size_t i = 0; i < m->bank_count; i++) {
                for (size_t j = 0; j < m->banks[i].pcr_count; j++)
                        free(m->banks[i].pcrs[j].hex);
                free(m->banks[i].pcrs);
                free(m->banks[i].name);
        }
        for (size_t i = 0; i < m->mismatch_count; i++)
                free(m->mismatches[i]);
        for (size_t i = 0; i < m->quirk_count; i++)
                free(m->quirks[i]);
        free(m->files);
        free(m->banks);
        free(m->mismatches);
        free(m->quirks);
        free(m->dir);
        free(m->name);
        memset(m, 0, sizeof(*m));
}

bool manifest_format_is_tcg_log(const char *format)
{
        return format && (strcmp(format, "tcg-crypto-agile") == 0 ||
                          strcmp(format, "tcg-sha1") == 0);
}

bool manifest_format_is_ima(const char *format)
{
        return format && (strcmp(format, "ima-binary") == 0 ||
                          strcmp(format, "ima-ascii") == 0);
}

size_t manifest_count_tcg_logs(const struct manifest *m, const struct manifest_file **first)
{
        size_t count = 0;

        if (first)
                *first = NULL;
        for (size_t i = 0; i < m->file_count; i++) {
                if (!manifest_format_is_tcg_log(m->files[i].format))
                        continue;
                if (first && count == 0)
                        *first = &m->files[i];
                count++;
        }
        return count;
}

bool manifest_lists_mismatch(const struct manifest *m, const char *bank, uint32_t pcr)
{
        char entry[64];

        snprintf(entry, sizeof(entry), "%s:%u", bank, pcr);
        for (size_t i = 0; i < m->mismatch_count; i++)
                if (strcmp(m->mismatches[i], entry) == 0)
                        return true;
        return false;
}

/* Tells whether `text` contains `word` (case ignored) not followed by a
 * digit, so that "PCR 1" does not match "PCR 14". */
static bool mentions(const char *text, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = text; *p; p++) {
                if (strncasecmp(p, word, n) == 0 && !isdigit((unsigned char)p[n]))
                        return true;
        }
        return false;
}

const char *manifest_quirk_for(const struct manifest *m, const char *bank, uint32_t pcr)
{
        char entry[64], pcr_name[16];

        snprintf(entry, sizeof(entry), "%s:%u", bank, pcr);
        snprintf(pcr_name, sizeof(pcr_name), "PCR %u", pcr);
        for (size_t i = 0; i < m->quirk_count; i++)
                if (mentions(m->quirks[i], entry) || mentions(m->quirks[i], pcr_name))
                        return m->quirks[i];
        return NULL;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_manifest(const char *root, const char *name)
{
        char *dir = tu_path_join(root, name);
        char *path = dir ? tu_path_join(dir, "MANIFEST.yaml") : NULL;
        struct stat st;
        bool found;

        if (!path)
                abort();
        found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
        free(path);
        free(dir);
        return found;
}

long manifest_list_vectors(const char *root, char ***names)
{
        DIR *d = opendir(root);
        struct dirent *e;
        long count = 0;

        *names = NULL;
        if (!d)
                return -1;
        *names = xcalloc(MAX_VECTORS, sizeof(**names));
        while (count < MAX_VECTORS && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.' || !has_manifest(root, e->d_name))
                        continue;
                (*names)[count++] = xstrdup(e->d_name);
        }
        closedir(d);
        qsort(*names, (size_t)count, sizeof(**names), compare_names);
        return count;
}

void manifest_free_names(char **names, long count)
{
        for (long i = 0; i < count; i++)
                free(names[i]);
        free(names);
}
