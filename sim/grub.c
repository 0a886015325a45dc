/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcrsim/grub.h"
#include "pcrsim/limits.h"

#define MAX_WORDS 1024u
#define MAX_VARIABLES 256u
#define MAX_ENTRIES 256u

struct text {
        char *data;
        size_t size, cap;
        bool failed;
};

struct command {
        char *words[MAX_WORDS];
        size_t count;
        bool has_block;       /* the last word is a { ... } block */
        uint32_t line;
        size_t offset;
};

struct variable {
        char *name, *value;
};

struct entry {
        char *title;          /* first positional argument */
        char *id;             /* --id, or NULL */
        char *params;         /* positional arguments joined by spaces */
        char *body;           /* the block without its braces */
        size_t body_offset;   /* offset of the body in grub.cfg */
        uint32_t body_line;
};

struct script {
        const char *cfg;
        size_t size;
        /* GRUB's line reader drops every carriage return. `map` gives the
         * offset in the file of each byte of `cfg` when it had any. */
        char *stripped;
        size_t *map;
        size_t file_size;
        /* The current source: the whole file, or an entry's body. */
        const char *src;
        size_t src_size, pos, base;
        uint32_t line;
        struct variable vars[MAX_VARIABLES];
        size_t var_count;
        struct entry entries[MAX_ENTRIES];
        size_t entry_count;
        struct pcrsim_grub_boot *out;
        size_t step_cap;
        bool kernel_loaded;
        struct pcrsim_error *err;
};

static const char *const keywords[] = {
        "if", "then", "elif", "else", "fi", "for", "while", "until", "do", "done", "function",
        "case", "esac", "select", "in", "[[", "]]", "!", "{", "}",
};

/* Commands that neither read files nor depend on the machine, so that
 * their only measurement is their own PCR 8 event. */
static const char *const plain_commands[] = {
        "set", "unset", "export", "echo", "insmod", "terminal_input", "terminal_output", "serial", "true",
};

static void text_add(struct text *t, const char *p, size_t n)
{
        if (t->failed)
                return;
        if (t->size + n + 1 > t->cap) {
                size_t cap = t->cap ? t->cap : 64;
                char *grown;

                while (cap < t->size + n + 1)
                        cap *= 2;
                grown = realloc(t->data, cap);
                if (!grown) {
                        t->failed = true;
                        return;
                }
                t->data = grown;
                t->cap = cap;
        }
        memcpy(t->data + t->size, p, n);
        t->size += n;
        t->data[t->size] = '\0';
}

static char *text_take(struct text *t)
{
        char *s;

        if (t->failed) {
                free(t->data);
                return NULL;
        }
        s = t->data ? t->data : strdup("");
        memset(t, 0, sizeof(*t));
        return s;
}

static enum pcrsim_error_code fail(struct script *s, enum pcrsim_error_code code, uint32_t line, size_t offset,
                                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sets the error with the line it is on. */
static enum pcrsim_error_code fail(struct script *s, enum pcrsim_error_code code, uint32_t line, size_t offset,
                                   const char *fmt, ...)
{
        va_list ap;
        enum pcrsim_error_code rc;

        if (s->map && offset != PCRSIM_NO_OFFSET)
                offset = offset < s->size ? s->map[offset] : s->file_size;
        va_start(ap, fmt);
        rc = pcrsim_error_setv(s->err, code, offset, NULL, fmt, ap);
        va_end(ap);

        /* Line 0 stands for the whole file. */
        if (s->err && line) {
                s->err->record = line;
                s->err->record_noun = "line";
        }
        return rc;
}

/* Copies `in` for an error message, with control bytes as '?'. */
static const char *shown(const char *in, char *out, size_t cap)
{
        size_t n = 0;

        for (; *in && n + 1 < cap; in++)
                out[n++] = (unsigned char)*in < 0x20 || *in == 0x7F ? '?' : *in;
        out[n] = '\0';
        return out;
}

static enum pcrsim_error_code nomem(struct script *s)
{
        return pcrsim_error_set(s->err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
}

static int peek(const struct script *s, size_t ahead)
{
        return s->pos + ahead < s->src_size ? (unsigned char)s->src[s->pos + ahead] : -1;
}

static size_t here(const struct script *s)
{
        return s->base + s->pos;
}

static const char *lookup(const struct script *s, const char *name, size_t len)
{
        for (size_t i = 0; i < s->var_count; i++)
                if (strlen(s->vars[i].name) == len && memcmp(s->vars[i].name, name, len) == 0)
                        return s->vars[i].value;
        return NULL;
}

static bool name_char(int c, bool first)
{
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/* Adds `n` bytes to a word and to its marks: 'S' for bytes of an unquoted
 * expansion, which GRUB splits into words at blanks, '-' for the others. */
static void word_add(struct text *word, struct text *marks, const char *p, size_t n, bool split)
{
        text_add(word, p, n);
        for (size_t i = 0; i < n; i++)
                text_add(marks, split ? "S" : "-", 1);
}

/* Expands the variable reference after a '$' at the current position. */
static enum pcrsim_error_code expand(struct script *s, struct text *word, struct text *marks, bool unquoted)
{
        size_t start, len;
        bool braced = peek(s, 0) == '{';
        const char *value;
        char name[64];

        if (braced)
                s->pos++;
        start = s->pos;
        if (!name_char(peek(s, 0), true)) {
                int c = peek(s, 0);

                if (!braced && c != '#' && c != '?' && c != '@' && c != '*' && !(c >= '0' && c <= '9')) {
                        word_add(word, marks, "$", 1, false);
                        return PCRSIM_OK;
                }
                return fail(s, PCRSIM_ERR_UNSUPPORTED, s->line, here(s),
                            "a positional or special parameter of GRUB: its value is not known from grub.cfg");
        }
        while (name_char(peek(s, 0), false))
                s->pos++;
        len = s->pos - start;
        if (braced) {
                if (peek(s, 0) != '}')
                        return fail(s, PCRSIM_ERR_INVALID, s->line, here(s), "a ${ without its closing }");
                s->pos++;
        }
        value = lookup(s, s->src + start, len);
        if (!value) {
                snprintf(name, sizeof(name), "%.*s", (int)(len < 48 ? len : 48), s->src + start);
                return fail(s, PCRSIM_ERR_UNSUPPORTED, s->line, s->base + start,
                            "variable '%s' is not set by an earlier command of grub.cfg (GRUB sets it, or another config), so its value is not known",
                            name);
        }
        word_add(word, marks, value, strlen(value), unquoted);
        return PCRSIM_OK;
}

/* Reads a { ... } block that starts at the current '{'. The word is the
 * block with its braces, as GRUB measures it. */
static enum pcrsim_error_code read_block(struct script *s, struct text *word, size_t *body_offset,
                                         uint32_t *body_line)
{
        size_t start = s->pos, depth = 0, quote_offset = 0;
        uint32_t line = s->line, quote_line = 0;
        char quote = 0;

        for (; s->pos < s->src_size; s->pos++) {
                char c = s->src[s->pos];
                bool word_start = s->pos == start || strchr(" \t\r\n;", s->src[s->pos - 1]);
                bool word_end = s->pos + 1 >= s->src_size || strchr(" \t\r\n;", s->src[s->pos + 1]);

                if (c == '\n')
                        s->line++;
                if (!quote && c == '#' && word_start) {
                        while (s->pos + 1 < s->src_size && s->src[s->pos + 1] != '\n')
                                s->pos++;
                        continue;
                }
                if (quote) {
                        if (c == '\\' && quote == '"' && s->pos + 1 < s->src_size)
                                s->pos++;
                        else if (c == quote)
                                quote = 0;
                        continue;
                }
                if (c == '\\' && s->pos + 1 < s->src_size) {
                        s->pos++;
                        continue;
                }
                if (c == '\'' || c == '"') {
                        quote = c;
                        quote_line = s->line;
                        quote_offset = s->pos;
                }
                else if (c == '{' && word_start && word_end)
                        depth++;
                else if (c == '}' && word_start && word_end && --depth == 0)
                        break;
        }
        if (s->pos >= s->src_size && quote)
                return fail(s, PCRSIM_ERR_INVALID, quote_line, s->base + quote_offset, "an unterminated %s quote",
                            quote == '"' ? "double" : "single");
        if (s->pos >= s->src_size)
                return fail(s, PCRSIM_ERR_INVALID, line, s->base + start, "a { block without its closing }");
        s->pos++;
        *body_offset = s->base + start + 1;
        *body_line = line;
        text_add(word, s->src + start, s->pos - start);
        return PCRSIM_OK;
}

/*
 * Adds the words that one source word gives to `cmd`: GRUB splits the
 * bytes of unquoted expansions at blanks and drops the empty words, but
 * keeps one empty word for quotes with nothing in them.
 */
static enum pcrsim_error_code add_words(struct script *s, struct command *cmd, const struct text *word,
                                        const struct text *marks, bool quoted)
{
        size_t start = 0, added = 0;
        /* A { ... } block has no marks: it is never split. */
        bool marked = marks->data && marks->size == word->size;

        if (word->failed || marks->failed)
                return nomem(s);
        for (size_t i = 0; i <= word->size; i++) {
                bool blank = marked && i < word->size && marks->data[i] == 'S' && strchr(" \t\n", word->data[i]);

                if (i < word->size && !blank)
                        continue;
                if (i > start || (quoted && added == 0 && i == word->size)) {
                        if (cmd->count == MAX_WORDS)
                                return fail(s, PCRSIM_ERR_LIMIT, s->line, here(s), "a command of more than 1024 words");
                        cmd->words[cmd->count] = strndup(word->size ? word->data + start : "", i - start);
                        if (!cmd->words[cmd->count])
                                return nomem(s);
                        cmd->count++;
                        added++;
                }
                start = i + 1;
        }
        return PCRSIM_OK;
}

/*
 * Reads the next command into `cmd`. Sets cmd->count to 0 at the end of
 * the source. `blocks` allows a { ... } word (menuentry).
 */
static enum pcrsim_error_code read_command(struct script *s, struct command *cmd, bool blocks,
                                           size_t *block_offset, uint32_t *block_line)
{
        enum pcrsim_error_code rc = PCRSIM_OK;

        memset(cmd, 0, sizeof(*cmd));
        /* Blank lines, separators and comments between commands. */
        for (;;) {
                int c = peek(s, 0);

                if (c == ' ' || c == '\t' || c == ';' || c == '\r') {
                        s->pos++;
                } else if (c == '\n') {
                        s->pos++;
                        s->line++;
                } else if (c == '#') {
                        while (peek(s, 0) != -1 && peek(s, 0) != '\n')
                                s->pos++;
                } else if (c == '\\' && peek(s, 1) == '\n') {
                        s->pos += 2;
                        s->line++;
                } else {
                        break;
                }
        }
        if (peek(s, 0) == -1)
                return PCRSIM_OK;
        cmd->line = s->line;
        cmd->offset = here(s);
        while (!rc) {
                struct text word = { 0 }, marks = { 0 };
                bool any = false, quoted = false;
                int c;

                for (;;) {
                        if (peek(s, 0) == ' ' || peek(s, 0) == '\t' || peek(s, 0) == '\r') {
                                s->pos++;
                        } else if (peek(s, 0) == '\\' && peek(s, 1) == '\n') {
                                s->pos += 2;
                                s->line++;
                        } else {
                                break;
                        }
                }
                c = peek(s, 0);
                if (c == -1 || c == '\n' || c == ';')
                        break;
                if (c == '#' && cmd->count > 0) {
                        while (peek(s, 0) != -1 && peek(s, 0) != '\n')
                                s->pos++;
                        break;
                }
                if (cmd->has_block)
                        return fail(s, PCRSIM_ERR_UNSUPPORTED, s->line, here(s),
                                    "words after a { ... } block");
                if (cmd->count == MAX_WORDS)
                        return fail(s, PCRSIM_ERR_LIMIT, s->line, here(s), "a command of more than 1024 words");
                if (c == '{' && (peek(s, 1) == -1 || strchr(" \t\r\n", peek(s, 1)))) {
                        if (!blocks)
                                return fail(s, PCRSIM_ERR_UNSUPPORTED, s->line, here(s),
                                            "a { ... } block outside menuentry");
                        rc = read_block(s, &word, block_offset, block_line);
                        cmd->has_block = true;
                        any = true;
                }
                while (!rc && !cmd->has_block) {
                        c = peek(s, 0);
                        if (c == -1 || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';')
                                break;
                        if (c == '\\' && peek(s, 1) == '\n') {
                                /* A line continuation joins lines and adds nothing. */
                                s->pos += 2;
                                s->line++;
                                continue;
                        }
                        any = true;
                        if (c == '|' || c == '&' || c == '<' || c == '>') {
                                char what[2] = { (char)c, 0 };

                                rc = fail(s, PCRSIM_ERR_UNSUPPORTED, s->line, here(s),
                                          "an unquoted '%s', which GRUB's parser treats as special: quote it", what);
                        } else if (c == '\\') {
                                if (peek(s, 1) == -1) {
                                        rc = fail(s, PCRSIM_ERR_INVALID, s->line, here(s),
                                                  "a backslash at the end of the file");
                                } else {
                                        word_add(&word, &marks, s->src + s->pos + 1, 1, false);
                                        quoted = true;
                                        s->pos += 2;
                                }
                        } else if (c == '\'') {
                                size_t start = ++s->pos;
                                uint32_t start_line = s->line;

                                while (peek(s, 0) != -1 && peek(s, 0) != '\'') {
                                        if (peek(s, 0) == '\n')
                                                s->line++;
                                        s->pos++;
                                }
                                if (peek(s, 0) == -1)
                                        rc = fail(s, PCRSIM_ERR_INVALID, start_line, s->base + start - 1,
                                                  "an unterminated single quote");
                                word_add(&word, &marks, s->src + start, s->pos - start, false);
                                quoted = true;
                                s->pos++;
                        } else if (c == '"') {
                                size_t start = s->pos++;
                                uint32_t start_line = s->line;

                                while (!rc && peek(s, 0) != -1 && peek(s, 0) != '"') {
                                        c = peek(s, 0);
                                        if (c == '\\' && peek(s, 1) != -1 && strchr("$\"\\\n", peek(s, 1))) {
                                                if (peek(s, 1) == '\n')
                                                        s->line++;
                                                else
                                                        word_add(&word, &marks, s->src + s->pos + 1, 1, false);
                                                s->pos += 2;
                                        } else if (c == '$') {
                                                s->pos++;
                                                rc = expand(s, &word, &marks, false);
                                        } else {
                                                if (c == '\n')
                                                        s->line++;
                                                word_add(&word, &marks, s->src + s->pos, 1, false);
                                                s->pos++;
                                        }
                                }
                                if (!rc && peek(s, 0) == -1)
                                        rc = fail(s, PCRSIM_ERR_INVALID, start_line, s->base + start,
                                                  "an unterminated double quote");
                                quoted = true;
                                s->pos++;
                        } else if (c == '$') {
                                s->pos++;
                                rc = expand(s, &word, &marks, true);
                        } else {
                                word_add(&word, &marks, s->src + s->pos, 1, false);
                                s->pos++;
                        }
                }
                if (any && !rc)
                        rc = add_words(s, cmd, &word, &marks, quoted || cmd->has_block);
                free(word.data);
                free(marks.data);
        }
        return rc;
}

static void command_free(struct command *cmd)
{
        for (size_t i = 0; i < cmd->count; i++)
                free(cmd->words[i]);
        cmd->count = 0;
}

/* Joins words [from, to) with spaces. */
static char *join(const struct command *cmd, size_t from, size_t to)
{
        struct text t = { 0 };

        for (size_t i = from; i < to; i++) {
                if (i > from)
                        text_add(&t, " ", 1);
                text_add(&t, cmd->words[i], strlen(cmd->words[i]));
        }
        return text_take(&t);
}

static enum pcrsim_error_code add_step(struct script *s, enum pcrsim_grub_step_kind kind, char *text,
                                       uint32_t line)
{
        struct pcrsim_grub_boot *out = s->out;

        if (!text)
                return nomem(s);
        if (out->step_count == PCRSIM_MAX_GRUB_STEPS) {
                free(text);
                return fail(s, PCRSIM_ERR_LIMIT, line, PCRSIM_NO_OFFSET, "more than 4096 GRUB measurements");
        }
        if (out->step_count == s->step_cap) {
                size_t cap = s->step_cap ? 2 * s->step_cap : 32;
                struct pcrsim_grub_step *grown = realloc(out->steps, cap * sizeof(*grown));

                if (!grown) {
                        free(text);
                        return nomem(s);
                }
                out->steps = grown;
                s->step_cap = cap;
        }
        out->steps[out->step_count].kind = kind;
        out->steps[out->step_count].text = text;
        out->steps[out->step_count].length = strlen(text);
        out->steps[out->step_count].line = line;
        out->step_count++;
        return PCRSIM_OK;
}

static enum pcrsim_error_code set_variable(struct script *s, const char *name, size_t len, const char *value)
{
        char *v = strdup(value);

        if (!v)
                return nomem(s);
        for (size_t i = 0; i < s->var_count; i++)
                if (strlen(s->vars[i].name) == len && memcmp(s->vars[i].name, name, len) == 0) {
                        free(s->vars[i].value);
                        s->vars[i].value = v;
                        return PCRSIM_OK;
                }
        if (s->var_count == MAX_VARIABLES) {
                free(v);
                return fail(s, PCRSIM_ERR_LIMIT, s->line, PCRSIM_NO_OFFSET, "more than 256 variables");
        }
        s->vars[s->var_count].name = strndup(name, len);
        s->vars[s->var_count].value = v;
        if (!s->vars[s->var_count].name) {
                free(v);
                return nomem(s);
        }
        s->var_count++;
        return PCRSIM_OK;
}

/*
 * Returns the command line that GRUB's linux loader builds from the words
 * after "linux" and logs as kernel_cmdline. The words are joined by
 * spaces, a word with a space is put in double quotes, and a backslash
 * goes before each backslash, single quote and double quote. A lab boot
 * of Debian's GRUB 2.06 logged this for words with spaces and quotes.
 */
static char *loader_cmdline(const struct command *cmd)
{
        struct text t = { 0 };

        for (size_t i = 1; i < cmd->count; i++) {
                const char *w = cmd->words[i];
                bool space = strchr(w, ' ') != NULL;

                if (i > 1)
                        text_add(&t, " ", 1);
                if (space)
                        text_add(&t, "\"", 1);
                for (; *w; w++) {
                        if (*w == '\\' || *w == '\'' || *w == '"')
                                text_add(&t, "\\", 1);
                        text_add(&t, w, 1);
                }
                if (space)
                        text_add(&t, "\"", 1);
        }
        return text_take(&t);
}

/* Carries out `set` and `unset`; the other plain commands change
 * nothing that a later measurement depends on. */
static enum pcrsim_error_code run_plain(struct script *s, const struct command *cmd)
{
        enum pcrsim_error_code rc = PCRSIM_OK;

        if (strcmp(cmd->words[0], "set") == 0) {
                for (size_t i = 1; !rc && i < cmd->count; i++) {
                        const char *eq = strchr(cmd->words[i], '=');

                        if (eq)
                                rc = set_variable(s, cmd->words[i], (size_t)(eq - cmd->words[i]), eq + 1);
                }
        } else if (strcmp(cmd->words[0], "unset") == 0) {
                for (size_t i = 1; i < cmd->count; i++)
                        for (size_t v = 0; v < s->var_count; v++)
                                if (strcmp(s->vars[v].name, cmd->words[i]) == 0) {
                                        free(s->vars[v].name);
                                        free(s->vars[v].value);
                                        s->vars[v] = s->vars[--s->var_count];
                                        break;
                                }
        }
        return rc;
}

static bool listed(const char *word, const char *const *list, size_t count)
{
        for (size_t i = 0; i < count; i++)
                if (strcmp(word, list[i]) == 0)
                        return true;
        return false;
}

static enum pcrsim_error_code unsupported_command(struct script *s, const struct command *cmd)
{
        char name[64];

        shown(cmd->words[0], name, sizeof(name));
        if (listed(cmd->words[0], keywords, sizeof(keywords) / sizeof(keywords[0])))
                return fail(s, PCRSIM_ERR_UNSUPPORTED, cmd->line, cmd->offset,
                            "'%s': pcrsim does not model GRUB's control flow, so it cannot know which commands run; predict without the grub.cfg to keep the base boot's GRUB measurements",
                            name);
        if (strchr(cmd->words[0], '=') != NULL)
                return fail(s, PCRSIM_ERR_UNSUPPORTED, cmd->line, cmd->offset,
                            "'%s': pcrsim models assignments made with set only", name);
        return fail(s, PCRSIM_ERR_UNSUPPORTED, cmd->line, cmd->offset,
                    "command '%s' is not modelled by pcrsim (it may read files or depend on the machine); predict without the grub.cfg to keep the base boot's GRUB measurements",
                    name);
}

/* Records a menuentry: its title, --id, other positional arguments, and
 * its body. */
static enum pcrsim_error_code add_entry(struct script *s, const struct command *cmd, size_t body_offset,
                                        uint32_t body_line)
{
        static const char *const with_value[] = { "--class", "--users", "--hotkey", "--id", "--source" };
        struct entry *e;
        struct text params = { 0 };
        const char *block = cmd->words[cmd->count - 1];
        size_t positional = 0;
        char option[64];

        if (!cmd->has_block)
                return fail(s, PCRSIM_ERR_INVALID, cmd->line, cmd->offset, "menuentry without a { ... } block");
        if (s->entry_count == MAX_ENTRIES)
                return fail(s, PCRSIM_ERR_LIMIT, cmd->line, cmd->offset, "more than 256 menu entries");
        e = &s->entries[s->entry_count];
        memset(e, 0, sizeof(*e));
        for (size_t i = 1; i + 1 < cmd->count; i++) {
                const char *w = cmd->words[i];

                if (listed(w, with_value, sizeof(with_value) / sizeof(with_value[0])) && i + 2 < cmd->count) {
                        if (strcmp(w, "--id") == 0 && !e->id)
                                e->id = strdup(cmd->words[i + 1]);
                        i++;
                } else if (strcmp(w, "--unrestricted") == 0) {
                        continue;
                } else if (strncmp(w, "--", 2) == 0 && w[2]) {
                        free(e->title);
                        free(e->id);
                        free(params.data);
                        memset(e, 0, sizeof(*e));
                        return fail(s, PCRSIM_ERR_UNSUPPORTED, cmd->line, cmd->offset,
                                    "menuentry option '%s' is not modelled by pcrsim", shown(w, option, sizeof(option)));
                } else {
                        if (positional++ == 0)
                                e->title = strdup(w);
                        if (params.size)
                                text_add(&params, " ", 1);
                        text_add(&params, w, strlen(w));
                }
        }
        if (!e->title) {
                free(e->id);
                free(params.data);
                e->id = NULL;
                return fail(s, PCRSIM_ERR_INVALID, cmd->line, cmd->offset, "menuentry without a title");
        }
        e->params = text_take(&params);
        e->body = strndup(block + 1, strlen(block) - 2);
        e->body_offset = body_offset;
        e->body_line = body_line;
        s->entry_count++;
        if (!e->params || !e->body)
                return nomem(s);
        return PCRSIM_OK;
}

/* Runs one command of an entry's body. */
static enum pcrsim_error_code run_entry_command(struct script *s, const struct command *cmd)
{
        enum pcrsim_error_code rc;

        if (listed(cmd->words[0], plain_commands, sizeof(plain_commands) / sizeof(plain_commands[0]))) {
                rc = add_step(s, PCRSIM_GRUB_COMMAND, join(cmd, 0, cmd->count), cmd->line);
                return rc ? rc : run_plain(s, cmd);
        }
        if (strcmp(cmd->words[0], "linux") == 0) {
                if (cmd->count < 2)
                        return fail(s, PCRSIM_ERR_INVALID, cmd->line, cmd->offset, "linux without a file");
                if (s->kernel_loaded)
                        return fail(s, PCRSIM_ERR_UNSUPPORTED, cmd->line, cmd->offset,
                                    "a second linux command in the entry");
                s->kernel_loaded = true;
                /* The order of a recorded boot: the command, the kernel
                 * file, the kernel's PCR 4 events, then the command line. */
                rc = add_step(s, PCRSIM_GRUB_COMMAND, join(cmd, 0, cmd->count), cmd->line);
                if (!rc)
                        rc = add_step(s, PCRSIM_GRUB_KERNEL_FILE, strdup(cmd->words[1]), cmd->line);
                if (!rc)
                        rc = add_step(s, PCRSIM_GRUB_KERNEL_IMAGE, strdup(cmd->words[1]), cmd->line);
                if (!rc)
                        rc = add_step(s, PCRSIM_GRUB_KERNEL_CMDLINE, loader_cmdline(cmd), cmd->line);
                return rc;
        }
        if (strcmp(cmd->words[0], "initrd") == 0) {
                if (cmd->count < 2)
                        return fail(s, PCRSIM_ERR_INVALID, cmd->line, cmd->offset, "initrd without a file");
                if (!s->kernel_loaded)
                        return fail(s, PCRSIM_ERR_INVALID, cmd->line, cmd->offset,
                                    "initrd before linux: GRUB rejects it");
                rc = add_step(s, PCRSIM_GRUB_COMMAND, join(cmd, 0, cmd->count), cmd->line);
                for (size_t i = 1; !rc && i < cmd->count; i++)
                        rc = add_step(s, PCRSIM_GRUB_INITRD_FILE, strdup(cmd->words[i]), cmd->line);
                return rc;
        }
        return unsupported_command(s, cmd);
}

/*
 * Returns the entry that GRUB boots, or NULL after setting the error. As
 * in GRUB, a `default` that starts with a digit is a number in C notation
 * (octal with a leading 0, hex with 0x), and text after the number is
 * ignored. Another value is a title or --id. A value that names no entry
 * boots the first.
 */
static const struct entry *default_entry(struct script *s)
{
        const char *def = lookup(s, "default", 7);

        if (s->entry_count == 0) {
                fail(s, PCRSIM_ERR_UNSUPPORTED, 0, PCRSIM_NO_OFFSET, "grub.cfg has no menuentry to boot");
                return NULL;
        }
        if (!def || !*def)
                return &s->entries[0];
        if (*def >= '0' && *def <= '9') {
                unsigned long n = strtoul(def, NULL, 0);

                return n < s->entry_count ? &s->entries[n] : &s->entries[0];
        }
        for (size_t i = 0; i < s->entry_count; i++)
                if (strcmp(s->entries[i].title, def) == 0 || (s->entries[i].id && strcmp(s->entries[i].id, def) == 0))
                        return &s->entries[i];
        return &s->entries[0];
}

/* Returns the line of `p` in `text`, counted from 1. */
static uint32_t line_of(const char *text, size_t size, const char *p)
{
        uint32_t line = 1;

        for (const char *q = text; q < p && q < text + size; q++)
                line += *q == '\n';
        return line;
}

/* Replaces the source with a copy without carriage returns. */
static enum pcrsim_error_code strip_returns(struct script *s)
{
        size_t n = 0;

        s->stripped = malloc(s->size ? s->size : 1);
        s->map = malloc((s->size + 1) * sizeof(*s->map));
        if (!s->stripped || !s->map)
                return nomem(s);
        for (size_t i = 0; i < s->size; i++) {
                if (s->cfg[i] == '\r')
                        continue;
                s->map[n] = i;
                s->stripped[n++] = s->cfg[i];
        }
        s->file_size = s->size;
        s->cfg = s->src = s->stripped;
        s->size = s->src_size = n;
        return PCRSIM_OK;
}

enum pcrsim_error_code pcrsim_grub_run_config(const char *cfg, size_t size, struct pcrsim_grub_boot *out,
                                              struct pcrsim_error *err)
{
        struct script *s = calloc(1, sizeof(*s));
        struct command cmd = { 0 };
        const struct entry *e;
        enum pcrsim_error_code rc = PCRSIM_OK;
        size_t block_offset = 0;
        uint32_t block_line = 0;
        char name[64];

        memset(out, 0, sizeof(*out));
        if (!s)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL, "out of memory");
        s->cfg = s->src = cfg;
        s->size = s->src_size = size;
        s->line = 1;
        s->out = out;
        s->err = err;
        if (size > PCRSIM_MAX_GRUB_CFG_SIZE)
                rc = pcrsim_error_set(err, PCRSIM_ERR_LIMIT, PCRSIM_NO_OFFSET, NULL,
                                      "grub.cfg has %zu bytes, more than the limit of %u", size,
                                      (unsigned)PCRSIM_MAX_GRUB_CFG_SIZE);
        else if (memchr(cfg, '\0', size))
                rc = fail(s, PCRSIM_ERR_INVALID, line_of(cfg, size, (const char *)memchr(cfg, '\0', size)),
                          (size_t)((const char *)memchr(cfg, '\0', size) - cfg), "a NUL byte: grub.cfg is text");
        else if (memchr(cfg, '\r', size))
                rc = strip_returns(s);

        /* The file: plain commands and menu entries, each measured. */
        while (!rc) {
                rc = read_command(s, &cmd, true, &block_offset, &block_line);
                if (rc || cmd.count == 0)
                        break;
                if (strcmp(cmd.words[0], "menuentry") == 0) {
                        rc = add_step(s, PCRSIM_GRUB_COMMAND, join(&cmd, 0, cmd.count), cmd.line);
                        if (!rc)
                                rc = add_entry(s, &cmd, block_offset, block_line);
                } else if (cmd.has_block) {
                        rc = fail(s, PCRSIM_ERR_UNSUPPORTED, cmd.line, cmd.offset,
                                  "a { ... } block after '%s': pcrsim models blocks of menuentry only",
                                  shown(cmd.words[0], name, sizeof(name)));
                } else if (listed(cmd.words[0], plain_commands, sizeof(plain_commands) / sizeof(plain_commands[0]))) {
                        rc = add_step(s, PCRSIM_GRUB_COMMAND, join(&cmd, 0, cmd.count), cmd.line);
                        if (!rc)
                                rc = run_plain(s, &cmd);
                } else {
                        rc = unsupported_command(s, &cmd);
                }
                command_free(&cmd);
        }
        command_free(&cmd);

        /* The default entry: GRUB runs "setparams" with its arguments,
         * then its body. */
        e = rc ? NULL : default_entry(s);
        if (!rc && !e)
                rc = s->err ? s->err->code : PCRSIM_ERR_INVALID;
        if (!rc) {
                struct text t = { 0 };

                text_add(&t, "setparams ", 10);
                text_add(&t, e->params, strlen(e->params));
                rc = add_step(s, PCRSIM_GRUB_COMMAND, text_take(&t), e->body_line);
                out->entry_title = strdup(e->title);
                if (!rc && !out->entry_title)
                        rc = nomem(s);
                s->src = e->body;
                s->src_size = strlen(e->body);
                s->pos = 0;
                s->base = e->body_offset;
                s->line = e->body_line;
        }
        while (!rc) {
                rc = read_command(s, &cmd, false, &block_offset, &block_line);
                if (rc || cmd.count == 0)
                        break;
                rc = run_entry_command(s, &cmd);
                command_free(&cmd);
        }
        command_free(&cmd);
        if (!rc && !s->kernel_loaded)
                rc = fail(s, PCRSIM_ERR_UNSUPPORTED, e->body_line, e->body_offset,
                          "the entry '%s' loads no kernel with linux", shown(e->title, name, sizeof(name)));

        for (size_t i = 0; i < s->var_count; i++) {
                free(s->vars[i].name);
                free(s->vars[i].value);
        }
        for (size_t i = 0; i < s->entry_count; i++) {
                free(s->entries[i].title);
                free(s->entries[i].id);
                free(s->entries[i].params);
                free(s->entries[i].body);
        }
        free(s->stripped);
        free(s->map);
        free(s);
        if (rc)
                pcrsim_grub_boot_free(out);
        return rc;
}

void pcrsim_grub_boot_free(struct pcrsim_grub_boot *boot)
{
        for (size_t i = 0; i < boot->step_count; i++)
                free(boot->steps[i].text);
        free(boot->steps);
        free(boot->entry_title);
        memset(boot, 0, sizeof(*boot));
}
