/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader of platform PCR policies (policies/NAME.yaml, schema 1, as
 * docs/policies.md describes it). libyaml builds the node tree, and this
 * file checks every key: a key that the schema does not define is an
 * error, so that a misspelt optional key such as depends_on is not
 * silently ignored. Scalars are read as raw text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "pcrsim/alg.h"
#include "pcrsim/policy.h"
#include "yaml_internal.h"

struct walker {
        yaml_document_t doc;
        const void *data;
        size_t size;
        struct pcrsim_policy *p;
        struct pcrsim_error *err;
};

static const char *const stability_names[] = {
        [PCRSIM_STABLE_PER_IMAGE] = "stable-per-image",
        [PCRSIM_VARIES_PER_VM] = "varies-per-vm",
        [PCRSIM_VARIES_PER_BOOT] = "varies-per-boot",
        [PCRSIM_UNUSABLE] = "unusable",
        [PCRSIM_UNUSED] = "unused",
};

static const char *const action_names[] = {
        [PCRSIM_ACTION_ENFORCE] = "enforce",
        [PCRSIM_ACTION_WARN_ONLY] = "warn-only",
        [PCRSIM_ACTION_OMIT] = "omit",
};

static const char *const source_kinds[] = {
        "documentation", "measurement-list", "recorded-log", "source-code",
};

static const char *const top_keys[] = {
        "schema", "platform", "title", "description", "banks", "sources", "pcrs", NULL,
};

static const char *const source_keys[] = { "id", "kind", "title", "where", "accessed", NULL };

static const char *const rule_keys[] = {
        "meaning", "stability", "reason", "action", "depends_on", "sources", "confirmed", NULL,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *pcrsim_pcr_stability_name(enum pcrsim_pcr_stability s)
{
        return (size_t)s < COUNT(stability_names) ? stability_names[s] : "unknown";
}

const char *pcrsim_pcr_action_name(enum pcrsim_pcr_action a)
{
        return (size_t)a < COUNT(action_names) ? action_names[a] : "unknown";
}

bool pcrsim_policy_name_valid(const char *name)
{
        size_t len = name ? strlen(name) : 0;

        if (len == 0 || len > PCRSIM_MAX_POLICY_NAME)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '-'))
                        return false;
        return true;
}

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
                                "out of memory reading the policy");
}

static yaml_node_t *node(struct walker *w, int index)
{
        return yaml_document_get_node(&w->doc, index);
}

static const char *text_of(const yaml_node_t *n)
{
        return pcrsim_yaml_text(n);
}

/* A plain (unquoted) scalar, which YAML resolves as a number or a boolean
 * where its text is one. */
static const char *plain_text_of(const yaml_node_t *n)
{
        return text_of(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? text_of(n) : NULL;
}


static yaml_node_t *get(struct walker *w, const yaml_node_t *map, const char *key)
{
        return pcrsim_yaml_get(&w->doc, map, key);
}

static bool listed(const char *const *names, size_t count, const char *t)
{
        for (size_t i = 0; t && i < count; i++)
                if (names[i] && strcmp(names[i], t) == 0)
                        return true;
        return false;
}

/* Rejects a key of `map` that `allowed` (NULL-terminated) does not list. */
static enum pcrsim_error_code check_keys(struct walker *w, const yaml_node_t *map,
                                         const char *const *allowed, const char *subject,
                                         const char *field)
{
        size_t count = 0;

        while (allowed[count])
                count++;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(w, p->key);

                if (!listed(allowed, count, text_of(k)))
                        return fail_at(w, k, field, "%s has a key '%.60s' that schema 1 does not define",
                                       subject, text_of(k) ? text_of(k) : "(not a string)");
        }
        return PCRSIM_OK;
}

/*
 * Copies the required non-empty string `key` of `map` into `*out`. `subject`
 * names the mapping in messages, such as "PCR 4".
 */
static enum pcrsim_error_code copy_required(struct walker *w, const yaml_node_t *map,
                                            const char *key, const char *subject,
                                            const char *field, char **out)
{
        yaml_node_t *v = get(w, map, key);
        const char *t = text_of(v);

        if (!v)
                return fail_at(w, map, field, "%s has no %s", subject, key);
        if (!t || !t[0] || (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                            (strcmp(t, "~") == 0 || strcmp(t, "null") == 0)))
                return fail_at(w, v, field, "%s: %s is not a non-empty string", subject, key);
        *out = strdup(t);
        return *out ? PCRSIM_OK : nomem(w);
}

/* Reads a plain scalar that must be one of `names`, and returns its
 * index through `*out`. */
static enum pcrsim_error_code read_enum(struct walker *w, const yaml_node_t *map, const char *key,
                                        const char *const *names, size_t count,
                                        const char *subject, const char *field, size_t *out)
{
        yaml_node_t *v = get(w, map, key);
        const char *t = plain_text_of(v);
        char choices[160] = "";
        size_t used = 0;

        if (!v)
                return fail_at(w, map, field, "%s has no %s", subject, key);
        for (size_t i = 0; i < count; i++) {
                const char *separator = ", ";

                if (t && strcmp(t, names[i]) == 0) {
                        *out = i;
                        return PCRSIM_OK;
                }
                if (i == 0)
                        separator = "";
                else if (i + 1 == count)
                        separator = " or ";
                used += (size_t)snprintf(choices + used, sizeof(choices) - used, "%s%s", separator,
                                         names[i]);
                if (used >= sizeof(choices))
                        used = sizeof(choices) - 1;
        }
        return fail_at(w, v, field, "%s: %s '%.40s' is not %s", subject, key,
                       text_of(v) ? text_of(v) : "(not a string)", choices);
}

static bool parse_pcr(const char *t, uint32_t *out)
{
        return pcrsim_yaml_parse_pcr(t, out);
}

static enum pcrsim_error_code read_schema(struct walker *w, const yaml_node_t *root)
{
        yaml_node_t *v = get(w, root, "schema");
        const char *t = plain_text_of(v);

        if (!v)
                return fail_at(w, root, "schema", "the policy has no schema key: expected schema: 1");
        if (!t || strcmp(t, "1") != 0)
                return fail_at(w, v, "schema", "schema '%.40s' is not 1, the only version pcrsim reads",
                               text_of(v) ? text_of(v) : "(not a number)");
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_platform(struct walker *w, const yaml_node_t *root,
                                            const char *expected)
{
        enum pcrsim_error_code rc = copy_required(w, root, "platform", "the policy", "platform",
                                                  &w->p->platform);

        if (rc)
                return rc;
        if (!pcrsim_policy_name_valid(w->p->platform))
                return fail_at(w, get(w, root, "platform"), "platform",
                               "platform '%.60s' is not a name of lower-case letters, digits and hyphens (at most %u)",
                               w->p->platform, PCRSIM_MAX_POLICY_NAME);
        if (expected && strcmp(w->p->platform, expected) != 0)
                return fail_at(w, get(w, root, "platform"), "platform",
                               "platform '%.60s' differs from '%.60s', the name of the file without .yaml",
                               w->p->platform, expected);
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_banks(struct walker *w, const yaml_node_t *root)
{
        yaml_node_t *seq = get(w, root, "banks");
        struct pcrsim_policy *p = w->p;

        if (!seq)
                return fail_at(w, root, "banks", "the policy has no banks list, such as banks: [sha256]");
        if (seq->type != YAML_SEQUENCE_NODE || pcrsim_yaml_items(seq) == 0)
                return fail_at(w, seq, "banks", "banks is not a non-empty list of bank names");
        if (pcrsim_yaml_items(seq) > PCRSIM_MAX_ALGORITHMS)
                return fail_at(w, seq, "banks", "banks lists more than %u banks", PCRSIM_MAX_ALGORITHMS);
        for (size_t i = 0; i < pcrsim_yaml_items(seq); i++) {
                yaml_node_t *item = node(w, seq->data.sequence.items.start[i]);
                const struct pcrsim_alg_info *info = text_of(item) ? pcrsim_alg_by_name(text_of(item)) : NULL;

                if (!info)
                        return fail_at(w, item, "banks",
                                       "bank '%.40s' is not a hash algorithm that pcrsim knows: expected sha1, sha256, sha384, sha512 or sm3_256",
                                       text_of(item) ? text_of(item) : "(not a string)");
                for (uint32_t b = 0; b < p->bank_count; b++)
                        if (p->banks[b] == info->id)
                                return fail_at(w, item, "banks", "bank %s is listed twice", info->name);
                p->banks[p->bank_count++] = info->id;
        }
        return PCRSIM_OK;
}

/* An ISO 8601 calendar date, YYYY-MM-DD. */
static bool is_date(const char *t)
{
        static const char shape[] = "dddd-dd-dd";

        if (!t || strlen(t) != sizeof(shape) - 1)
                return false;
        for (size_t i = 0; i < sizeof(shape) - 1; i++)
                if (shape[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != '-')
                        return false;
        return true;
}

static enum pcrsim_error_code read_source(struct walker *w, const yaml_node_t *entry, size_t index)
{
        struct pcrsim_policy_source *s = &w->p->sources[index];
        enum pcrsim_error_code rc;
        char subject[48];
        yaml_node_t *accessed;
        size_t kind = 0;

        snprintf(subject, sizeof(subject), "source %zu", index + 1);
        if (entry->type != YAML_MAPPING_NODE)
                return fail_at(w, entry, "sources", "%s is not a mapping", subject);
        rc = check_keys(w, entry, source_keys, subject, "sources");
        if (!rc)
                rc = copy_required(w, entry, "id", subject, "sources.id", &s->id);
        for (size_t i = 0; !rc && i < index; i++)
                if (strcmp(w->p->sources[i].id, s->id) == 0)
                        rc = fail_at(w, get(w, entry, "id"), "sources.id",
                                     "source id '%.60s' is listed twice (sources %zu and %zu)", s->id,
                                     i + 1, index + 1);
        if (!rc)
                rc = read_enum(w, entry, "kind", source_kinds, COUNT(source_kinds), subject,
                               "sources.kind", &kind);
        if (!rc)
                s->kind = strdup(source_kinds[kind]);
        if (!rc && !s->kind)
                rc = nomem(w);
        if (!rc)
                rc = copy_required(w, entry, "title", subject, "sources.title", &s->title);
        if (!rc)
                rc = copy_required(w, entry, "where", subject, "sources.where", &s->where);
        accessed = rc ? NULL : get(w, entry, "accessed");
        if (accessed && !is_date(text_of(accessed)))
                rc = fail_at(w, accessed, "sources.accessed",
                             "%s: accessed '%.40s' is not a date such as \"2026-12-05\"", subject,
                             text_of(accessed) ? text_of(accessed) : "(not a string)");
        return rc;
}

static enum pcrsim_error_code read_sources(struct walker *w, const yaml_node_t *root)
{
        yaml_node_t *seq = get(w, root, "sources");
        size_t count;

        if (!seq)
                return fail_at(w, root, "sources", "the policy has no sources list");
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail_at(w, seq, "sources", "sources is not a list");
        count = pcrsim_yaml_items(seq);
        /* calloc(0) may return NULL; one spare entry keeps the result valid. */
        w->p->sources = calloc(count + 1, sizeof(*w->p->sources));
        if (!w->p->sources)
                return nomem(w);
        for (size_t i = 0; i < count; i++) {
                enum pcrsim_error_code rc;

                w->p->source_count = i + 1;
                rc = read_source(w, node(w, seq->data.sequence.items.start[i]), i);
                if (rc)
                        return rc;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_depends_on(struct walker *w, const yaml_node_t *rule,
                                              uint32_t pcr, struct pcrsim_policy_pcr *r)
{
        yaml_node_t *seq = get(w, rule, "depends_on");

        if (!seq)
                return PCRSIM_OK;
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail_at(w, seq, "depends_on", "PCR %u: depends_on is not a list of PCR indices", pcr);
        for (size_t i = 0; i < pcrsim_yaml_items(seq); i++) {
                yaml_node_t *item = node(w, seq->data.sequence.items.start[i]);
                uint32_t dep;

                if (!parse_pcr(plain_text_of(item), &dep))
                        return fail_at(w, item, "depends_on",
                                       "PCR %u: depends_on entry '%.40s' is not a PCR index from 0 to 23",
                                       pcr, text_of(item) ? text_of(item) : "(not a number)");
                if (r->depends_on & (1u << dep))
                        return fail_at(w, item, "depends_on", "PCR %u: depends_on lists PCR %u twice",
                                       pcr, dep);
                r->depends_on |= 1u << dep;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_rule_sources(struct walker *w, const yaml_node_t *rule,
                                                uint32_t pcr, struct pcrsim_policy_pcr *r)
{
        yaml_node_t *seq = get(w, rule, "sources");

        if (!seq)
                return fail_at(w, rule, "sources", "PCR %u has no sources list (write sources: [] and confirmed: false for a rule without sources)",
                               pcr);
        if (seq->type != YAML_SEQUENCE_NODE)
                return fail_at(w, seq, "sources", "PCR %u: sources is not a list of source ids", pcr);
        r->sources = calloc(pcrsim_yaml_items(seq) + 1, sizeof(*r->sources));
        if (!r->sources)
                return nomem(w);
        for (size_t i = 0; i < pcrsim_yaml_items(seq); i++) {
                yaml_node_t *item = node(w, seq->data.sequence.items.start[i]);
                const char *id = text_of(item);
                size_t s = 0;

                while (id && s < w->p->source_count && strcmp(w->p->sources[s].id, id) != 0)
                        s++;
                if (!id || s == w->p->source_count)
                        return fail_at(w, item, "sources",
                                       "PCR %u cites source '%.60s', which the policy's sources list does not define",
                                       pcr, id ? id : "(not a string)");
                for (size_t j = 0; j < r->source_count; j++)
                        if (r->sources[j] == s)
                                return fail_at(w, item, "sources", "PCR %u cites source '%.60s' twice", pcr, id);
                r->sources[r->source_count++] = s;
        }
        return PCRSIM_OK;
}

static enum pcrsim_error_code read_confirmed(struct walker *w, const yaml_node_t *rule,
                                             uint32_t pcr, struct pcrsim_policy_pcr *r)
{
        yaml_node_t *v = get(w, rule, "confirmed");
        const char *t = plain_text_of(v);

        if (!v)
                return fail_at(w, rule, "confirmed", "PCR %u has no confirmed: true or false", pcr);
        if (t && (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0))
                r->confirmed = true;
        else if (!t || (strcmp(t, "false") != 0 && strcmp(t, "False") != 0 && strcmp(t, "FALSE") != 0))
                return fail_at(w, v, "confirmed", "PCR %u: confirmed '%.40s' is not true or false", pcr,
                               text_of(v) ? text_of(v) : "(not a boolean)");
        if (r->confirmed && r->source_count == 0)
                return fail_at(w, v, "confirmed",
                               "PCR %u has no sources, so it must have confirmed: false", pcr);
        return PCRSIM_OK;
}

/*
 * Checks the pairing that docs/policies.md prescribes: only a
 * stable-per-image PCR may be enforced, and every other stability is
 * omitted.
 */
static enum pcrsim_error_code check_action(struct walker *w, const yaml_node_t *rule,
                                           uint32_t pcr, const struct pcrsim_policy_pcr *r)
{
        if (r->stability == PCRSIM_STABLE_PER_IMAGE || r->action == PCRSIM_ACTION_OMIT)
                return PCRSIM_OK;
        return fail_at(w, get(w, rule, "action"), "action",
                       "PCR %u: action %s does not fit stability %s, which requires action: omit", pcr,
                       pcrsim_pcr_action_name(r->action), pcrsim_pcr_stability_name(r->stability));
}

static enum pcrsim_error_code read_rule(struct walker *w, const yaml_node_t *rule, uint32_t pcr)
{
        struct pcrsim_policy_pcr *r = &w->p->pcrs[pcr];
        enum pcrsim_error_code rc;
        char subject[16];
        size_t value = 0;

        snprintf(subject, sizeof(subject), "PCR %u", pcr);
        if (rule->type != YAML_MAPPING_NODE)
                return fail_at(w, rule, "pcrs", "%s is not a mapping of meaning, stability, reason, action, sources and confirmed",
                               subject);
        rc = check_keys(w, rule, rule_keys, subject, "pcrs");
        if (!rc)
                rc = copy_required(w, rule, "meaning", subject, "meaning", &r->meaning);
        if (!rc)
                rc = read_enum(w, rule, "stability", stability_names, COUNT(stability_names), subject,
                               "stability", &value);
        r->stability = (enum pcrsim_pcr_stability)value;
        if (!rc)
                rc = copy_required(w, rule, "reason", subject, "reason", &r->reason);
        if (!rc)
                rc = read_enum(w, rule, "action", action_names, COUNT(action_names), subject, "action",
                               &value);
        r->action = (enum pcrsim_pcr_action)value;
        if (!rc)
                rc = check_action(w, rule, pcr, r);
        if (!rc)
                rc = read_depends_on(w, rule, pcr, r);
        if (!rc)
                rc = read_rule_sources(w, rule, pcr, r);
        if (!rc)
                rc = read_confirmed(w, rule, pcr, r);
        return rc;
}

static enum pcrsim_error_code read_pcrs(struct walker *w, const yaml_node_t *root)
{
        yaml_node_t *map = get(w, root, "pcrs");
        uint32_t seen = 0;

        if (!map)
                return fail_at(w, root, "pcrs", "the policy has no pcrs mapping");
        if (map->type != YAML_MAPPING_NODE)
                return fail_at(w, map, "pcrs", "pcrs is not a mapping of PCR index to rule");
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = node(w, p->key);
                enum pcrsim_error_code rc;
                uint32_t pcr;

                if (!parse_pcr(plain_text_of(k), &pcr))
                        return fail_at(w, k, "pcrs", "PCR index '%.40s' is not an integer from 0 to 23",
                                       text_of(k) ? text_of(k) : "(not a number)");
                /* pcrsim_yaml_load() rejects two equal keys; "4" and "04"
                 * cannot both pass parse_pcr(). */
                if (seen & (1u << pcr))
                        return fail_at(w, k, "pcrs", "PCR %u is listed twice", pcr);
                seen |= 1u << pcr;
                rc = read_rule(w, node(w, p->value), pcr);
                if (rc)
                        return rc;
        }
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                if (!(seen & (1u << pcr)))
                        return fail_at(w, map, "pcrs", "pcrs has no rule for PCR %u: a policy lists every PCR from 0 to 23",
                                       pcr);
        return PCRSIM_OK;
}

static enum pcrsim_error_code walk(struct walker *w, const char *expected_platform)
{
        yaml_node_t *root = yaml_document_get_root_node(&w->doc);
        enum pcrsim_error_code rc;

        if (!root)
                return pcrsim_error_set(w->err, PCRSIM_ERR_INVALID, 0, NULL, "the policy is empty");
        if (root->type != YAML_MAPPING_NODE)
                return fail_at(w, root, NULL, "the policy is not a mapping");
        rc = check_keys(w, root, top_keys, "the policy", NULL);
        if (!rc)
                rc = read_schema(w, root);
        if (!rc)
                rc = read_platform(w, root, expected_platform);
        if (!rc)
                rc = copy_required(w, root, "title", "the policy", "title", &w->p->title);
        if (!rc)
                rc = copy_required(w, root, "description", "the policy", "description",
                                   &w->p->description);
        if (!rc)
                rc = read_banks(w, root);
        if (!rc)
                rc = read_sources(w, root);
        if (!rc)
                rc = read_pcrs(w, root);
        return rc;
}

enum pcrsim_error_code pcrsim_policy_parse(const void *data, size_t size,
                                           const char *expected_platform,
                                           struct pcrsim_policy *out, struct pcrsim_error *err)
{
        struct walker w = { .p = out, .err = err, .data = data, .size = size };
        const char *nul;
        enum pcrsim_error_code rc;

        memset(out, 0, sizeof(*out));
        if (size > PCRSIM_MAX_POLICY_SIZE)
                return pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_MAX_POLICY_SIZE, NULL,
                                        "the policy is larger than %u bytes", PCRSIM_MAX_POLICY_SIZE);
        nul = memchr(data, '\0', size);
        if (nul)
                return pcrsim_error_set(err, PCRSIM_ERR_INVALID, (uint64_t)(nul - (const char *)data),
                                        NULL, "the policy contains a NUL byte, so it is not YAML text");
        rc = pcrsim_yaml_load(data, size, "YAML", &w.doc, err);
        if (rc)
                return rc;
        rc = walk(&w, expected_platform);
        yaml_document_delete(&w.doc);
        if (rc)
                pcrsim_policy_free(out);
        return rc;
}

enum pcrsim_error_code pcrsim_policy_load(const char *path, const char *expected_platform,
                                          struct pcrsim_policy *out, struct pcrsim_error *err)
{
        enum pcrsim_error_code rc;
        struct stat st;
        size_t size;
        char *data;
        FILE *f;
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
        /* One byte more than the limit, so that a larger file is noticed. */
        data = malloc(PCRSIM_MAX_POLICY_SIZE + 1);
        if (!data) {
                fclose(f);
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "out of memory reading the policy");
        }
        size = fread(data, 1, PCRSIM_MAX_POLICY_SIZE + 1, f);
        if (ferror(f))
                rc = pcrsim_error_set(err, PCRSIM_ERR_IO, size, NULL, "read error: %s", strerror(errno));
        else
                rc = pcrsim_policy_parse(data, size, expected_platform, out, err);
        free(data);
        fclose(f);
        return rc;
}

void pcrsim_policy_free(struct pcrsim_policy *p)
{
        for (size_t i = 0; p->sources && i < p->source_count; i++) {
                free(p->sources[i].id);
                free(p->sources[i].kind);
                free(p->sources[i].title);
                free(p->sources[i].where);
        }
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                free(p->pcrs[pcr].meaning);
                free(p->pcrs[pcr].reason);
                free(p->pcrs[pcr].sources);
        }
        free(p->sources);
        free(p->platform);
        free(p->title);
        free(p->description);
        memset(p, 0, sizeof(*p));
}
