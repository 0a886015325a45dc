/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the platform policy reader. Every file in policies/ must load.
 * The negative cases start from a valid policy that the test writes from a
 * table of 24 rules and change one spot. Each checks the error code, the
 * message and its line. Damaged copies of a shipped policy must fail
 * cleanly.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pcrsim/alg.h"
#include "pcrsim/policy.h"
#include "testutil.h"

#define SHA256_ID 0x000B

/* The rules of the test policy: stability and action per PCR. */
static const struct {
        const char *stability;
        const char *action;
} base_rules[24] = {
        { "unusable", "omit" },           { "stable-per-image", "warn-only" },
        { "stable-per-image", "warn-only" }, { "stable-per-image", "warn-only" },
        { "stable-per-image", "enforce" }, { "varies-per-vm", "omit" },
        { "varies-per-vm", "omit" },       { "stable-per-image", "warn-only" },
        { "stable-per-image", "enforce" }, { "stable-per-image", "enforce" },
        { "varies-per-boot", "omit" },     { "stable-per-image", "enforce" },
        { "stable-per-image", "enforce" }, { "stable-per-image", "enforce" },
        { "stable-per-image", "warn-only" }, { "varies-per-vm", "omit" },
        { "unused", "omit" },              { "unused", "omit" },
        { "unused", "omit" },              { "unused", "omit" },
        { "unused", "omit" },              { "unused", "omit" },
        { "unused", "omit" },              { "unused", "omit" },
};

/* Writes the valid test policy into a new string. PCR 10 depends on
 * 0-9, and PCR 5 has no sources and confirmed: false. */
static char *base_policy(void)
{
        size_t cap = 16384, used = 0;
        char *text = malloc(cap);

        cr_assert_not_null(text);
        used += (size_t)snprintf(text + used, cap - used,
                                 "schema: 1\n"
                                 "platform: test-platform\n"
                                 "title: \"A platform for tests\"\n"
                                 "description: >-\n"
                                 "  Written by the test.\n"
                                 "banks: [sha256, sha384]\n"
                                 "sources:\n"
                                 "  - id: doc-a\n"
                                 "    kind: documentation\n"
                                 "    title: \"A document\"\n"
                                 "    where: \"https://example.com/a\"\n"
                                 "    accessed: \"2026-12-05\"\n"
                                 "  - id: log-b\n"
                                 "    kind: recorded-log\n"
                                 "    title: \"A recorded boot\"\n"
                                 "    where: \"lab-uki\"\n"
                                 "pcrs:\n");
        for (int pcr = 0; pcr < 24; pcr++) {
                used += (size_t)snprintf(text + used, cap - used,
                                         "  %d:\n"
                                         "    meaning: \"meaning of PCR %d\"\n"
                                         "    stability: %s\n"
                                         "    reason: \"reason for PCR %d. More.\"\n"
                                         "    action: %s\n"
                                         "%s"
                                         "    sources: %s\n"
                                         "    confirmed: %s\n",
                                         pcr, pcr, base_rules[pcr].stability, pcr, base_rules[pcr].action,
                                         pcr == 10 ? "    depends_on: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n" : "",
                                         pcr == 5 ? "[]" : "[doc-a, log-b]", pcr == 5 ? "false" : "true");
                cr_assert_lt(used, cap);
        }
        return text;
}

/* Returns `text` with the first `old` replaced by `new`. */
static char *replace(const char *text, const char *old, const char *new)
{
        const char *at = strstr(text, old);
        size_t len;
        char *out;

        cr_assert_not_null(at, "the test policy has no '%s'", old);
        len = strlen(text) - strlen(old) + strlen(new);
        out = malloc(len + 1);
        cr_assert_not_null(out);
        snprintf(out, len + 1, "%.*s%s%s", (int)(at - text), text, new, at + strlen(old));
        return out;
}

/* Returns the 1-based line of the first `marker` in `text`. */
static size_t line_of(const char *text, const char *marker)
{
        const char *at = strstr(text, marker);
        size_t line = 1;

        cr_assert_not_null(at, "no '%s' in the changed policy", marker);
        for (const char *p = text; p < at; p++)
                line += *p == '\n';
        return line;
}

/* Returns the byte offset where 1-based line `line` starts. */
static size_t line_start(const char *text, size_t line)
{
        size_t offset = 0;

        for (size_t l = 1; l < line; l++)
                offset += strcspn(text + offset, "\n") + 1;
        return offset;
}

Test(policy, base_policy_is_valid)
{
        char *text = base_policy();
        struct pcrsim_policy p;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_policy_parse(text, strlen(text), "test-platform", &p, &err), PCRSIM_OK,
                     "%s", err.message);
        cr_expect_str_eq(p.platform, "test-platform");
        cr_expect_str_eq(p.title, "A platform for tests");
        cr_expect_str_eq(p.description, "Written by the test.");
        cr_expect_eq(p.bank_count, 2);
        cr_expect_eq(p.banks[0], SHA256_ID);
        cr_expect_eq(p.banks[1], pcrsim_alg_by_name("sha384")->id);
        cr_assert_eq(p.source_count, 2);
        cr_expect_str_eq(p.sources[0].id, "doc-a");
        cr_expect_str_eq(p.sources[0].kind, "documentation");
        cr_expect_str_eq(p.sources[1].where, "lab-uki");
        for (uint32_t pcr = 0; pcr < 24; pcr++) {
                const struct pcrsim_policy_pcr *r = &p.pcrs[pcr];

                cr_expect_str_eq(pcrsim_pcr_stability_name(r->stability), base_rules[pcr].stability,
                                 "PCR %u", pcr);
                cr_expect_str_eq(pcrsim_pcr_action_name(r->action), base_rules[pcr].action, "PCR %u", pcr);
                cr_expect_eq(r->confirmed, pcr != 5, "PCR %u", pcr);
                cr_expect_eq(r->source_count, pcr == 5 ? 0u : 2u, "PCR %u", pcr);
                cr_expect_eq(r->depends_on, pcr == 10 ? 0x3FFu : 0u, "PCR %u", pcr);
        }
        cr_expect_eq(p.pcrs[4].sources[0], 0);
        cr_expect_eq(p.pcrs[4].sources[1], 1);
        cr_expect_str_eq(p.pcrs[9].reason, "reason for PCR 9. More.");
        pcrsim_policy_free(&p);
        free(text);
}

struct negative_case {
        const char *name;
        const char *old, *new; /* the change to the test policy */
        const char *expected_platform;
        enum pcrsim_error_code code;
        const char *message;   /* part of the error message */
        const char *at_line;   /* text whose line the error must name */
};

static const struct negative_case negative_cases[] = {
        { "PCR index not a number", "  7:\n", "  7x:\n", NULL,
          PCRSIM_ERR_INVALID, "PCR index '7x' is not an integer from 0 to 23", "  7x:" },
        { "PCR index with a leading zero", "  7:\n", "  07:\n", NULL,
          PCRSIM_ERR_INVALID, "PCR index '07' is not an integer from 0 to 23", "  07:" },
        { "duplicate PCR", "  5:\n", "  4:\n", NULL,
          PCRSIM_ERR_INVALID, "key '4' appears a second time in one mapping", "  4:\n    meaning: \"meaning of PCR 5\"" },
        { "bad stability", "stability: varies-per-boot", "stability: sometimes", NULL,
          PCRSIM_ERR_INVALID, "PCR 10: stability 'sometimes' is not stable-per-image, varies-per-vm, varies-per-boot, unusable or unused",
          "stability: sometimes" },
        { "bad action", "action: enforce", "action: block", NULL,
          PCRSIM_ERR_INVALID, "PCR 4: action 'block' is not enforce, warn-only or omit", "action: block" },
        { "quoted enum", "stability: unusable", "stability: \"unusable\"", NULL,
          PCRSIM_ERR_INVALID, "PCR 0: stability 'unusable' is not", "stability: \"unusable\"" },
        { "unknown source id", "    sources: [doc-a, log-b]\n    confirmed: true\n  9:",
          "    sources: [doc-a, nowhere]\n    confirmed: true\n  9:", NULL,
          PCRSIM_ERR_INVALID, "PCR 8 cites source 'nowhere', which the policy's sources list does not define",
          "nowhere" },
        { "unsourced rule confirmed", "    sources: []\n    confirmed: false", "    sources: []\n    confirmed: true",
          NULL, PCRSIM_ERR_INVALID, "PCR 5 has no sources, so it must have confirmed: false",
          "    confirmed: true\n  6:" },
        { "platform name with capitals", "platform: test-platform", "platform: Test_Platform", NULL,
          PCRSIM_ERR_INVALID, "platform 'Test_Platform' is not a name of lower-case letters, digits and hyphens",
          "platform:" },
        { "platform differs from file name", "platform: test-platform", "platform: test-platform", "other-platform",
          PCRSIM_ERR_INVALID, "platform 'test-platform' differs from 'other-platform'", "platform:" },
        { "deep nesting", "description: >-\n  Written by the test.",
          "description: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
          NULL, PCRSIM_ERR_LIMIT, "nested more than 64 levels deep", "description:" },
        { "duplicate key in a rule", "    reason: \"reason for PCR 3. More.\"\n",
          "    reason: \"reason for PCR 3. More.\"\n    meaning: \"again\"\n", NULL,
          PCRSIM_ERR_INVALID, "key 'meaning' appears a second time in one mapping", "    meaning: \"again\"" },
        { "duplicate top-level key", "title: \"A platform for tests\"\n",
          "title: \"A platform for tests\"\ntitle: \"twice\"\n", NULL,
          PCRSIM_ERR_INVALID, "key 'title' appears a second time", "title: \"twice\"" },
        { "schema 2", "schema: 1", "schema: 2", NULL,
          PCRSIM_ERR_INVALID, "schema '2' is not 1", "schema:" },
        { "no schema", "schema: 1\n", "", NULL,
          PCRSIM_ERR_INVALID, "the policy has no schema key", "platform:" },
        { "unknown bank", "banks: [sha256, sha384]", "banks: [sha256, sha999]", NULL,
          PCRSIM_ERR_INVALID, "bank 'sha999' is not a hash algorithm that pcrsim knows", "banks:" },
        { "bank twice", "banks: [sha256, sha384]", "banks: [sha256, sha256]", NULL,
          PCRSIM_ERR_INVALID, "bank sha256 is listed twice", "banks:" },
        { "empty banks", "banks: [sha256, sha384]", "banks: []", NULL,
          PCRSIM_ERR_INVALID, "banks is not a non-empty list of bank names", "banks:" },
        { "misspelt rule key", "    depends_on: [0,", "    depend_on: [0,", NULL,
          PCRSIM_ERR_INVALID, "PCR 10 has a key 'depend_on' that schema 1 does not define", "depend_on" },
        { "unknown top-level key", "pcrs:\n", "extra: 1\npcrs:\n", NULL,
          PCRSIM_ERR_INVALID, "the policy has a key 'extra' that schema 1 does not define", "extra:" },
        { "depends_on out of range", "depends_on: [0, 1,", "depends_on: [0, 24,", NULL,
          PCRSIM_ERR_INVALID, "PCR 10: depends_on entry '24' is not a PCR index from 0 to 23", "depends_on:" },
        { "depends_on twice", "depends_on: [0, 1,", "depends_on: [0, 0,", NULL,
          PCRSIM_ERR_INVALID, "PCR 10: depends_on lists PCR 0 twice", "depends_on:" },
        { "enforce of a varying PCR", "stability: varies-per-boot\n    reason: \"reason for PCR 10. More.\"\n    action: omit",
          "stability: varies-per-boot\n    reason: \"reason for PCR 10. More.\"\n    action: enforce", NULL,
          PCRSIM_ERR_INVALID, "PCR 10: action enforce does not fit stability varies-per-boot, which requires action: omit",
          "    action: enforce\n    depends_on" },
        { "missing reason", "    reason: \"reason for PCR 12. More.\"\n", "", NULL,
          PCRSIM_ERR_INVALID, "PCR 12 has no reason", "meaning of PCR 12" },
        { "empty meaning", "meaning: \"meaning of PCR 2\"", "meaning: \"\"", NULL,
          PCRSIM_ERR_INVALID, "PCR 2: meaning is not a non-empty string", "meaning: \"\"" },
        { "confirmed not boolean", "    confirmed: true\n  1:", "    confirmed: yes\n  1:", NULL,
          PCRSIM_ERR_INVALID, "PCR 0: confirmed 'yes' is not true or false", "confirmed: yes" },
        { "duplicate source id", "  - id: log-b", "  - id: doc-a", NULL,
          PCRSIM_ERR_INVALID, "source id 'doc-a' is listed twice (sources 1 and 2)", "  - id: doc-a\n    kind: recorded-log" },
        { "unknown source kind", "kind: recorded-log", "kind: rumour", NULL,
          PCRSIM_ERR_INVALID, "source 2: kind 'rumour' is not documentation, measurement-list, recorded-log or source-code",
          "kind: rumour" },
        { "bad accessed date", "accessed: \"2026-12-05\"", "accessed: \"December\"", NULL,
          PCRSIM_ERR_INVALID, "source 1: accessed 'December' is not a date", "accessed:" },
        { "rule not a mapping", "  13:\n    meaning: \"meaning of PCR 13\"\n    stability: stable-per-image\n    reason: \"reason for PCR 13. More.\"\n    action: enforce\n    sources: [doc-a, log-b]\n    confirmed: true\n",
          "  13: enforce\n", NULL, PCRSIM_ERR_INVALID, "PCR 13 is not a mapping", "  13: enforce" },
        { "syntax error", "pcrs:\n", "pcrs: [\n", NULL,
          PCRSIM_ERR_INVALID, "not valid YAML", NULL },
};

static void check_negative_case(const struct negative_case *c)
{
        char *base = base_policy();
        char *text = replace(base, c->old, c->new);
        struct pcrsim_policy p;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        char prefix[48];

        pcrsim_error_clear(&err);
        rc = pcrsim_policy_parse(text, strlen(text), c->expected_platform, &p, &err);
        cr_assert_eq(rc, c->code, "%s: code %d, expected %d (%s)", c->name, rc, c->code, err.message);
        cr_expect(strstr(err.message, c->message) != NULL, "%s: message '%s' lacks '%s'", c->name,
                  err.message, c->message);
        cr_expect(strncmp(err.message, "line ", 5) == 0, "%s: '%s' does not start with the line", c->name,
                  err.message);
        if (c->at_line) {
                size_t line = line_of(text, c->at_line);
                size_t start = line_start(text, line), end = start + strcspn(text + start, "\n");

                snprintf(prefix, sizeof(prefix), "line %zu, column ", line);
                cr_expect(strncmp(err.message, prefix, strlen(prefix)) == 0, "%s: '%s' does not start with '%s'",
                          c->name, err.message, prefix);
                cr_expect(err.offset >= start && err.offset <= end,
                          "%s: offset %llu is not on line %zu (bytes %zu-%zu)", c->name,
                          (unsigned long long)err.offset, line, start, end);
        }
        /* A failed parse leaves nothing allocated and the struct zeroed. */
        cr_expect_null(p.platform, "%s", c->name);
        cr_expect_null(p.sources, "%s", c->name);
        free(text);
        free(base);
}

Test(policy, negative_cases_rejected_with_line)
{
        for (size_t i = 0; i < sizeof(negative_cases) / sizeof(negative_cases[0]); i++)
                check_negative_case(&negative_cases[i]);
}

Test(policy, missing_pcr_named)
{
        char *base = base_policy();
        const char *from = strstr(base, "  17:\n"), *to = strstr(base, "  18:\n");
        char *text = malloc(strlen(base) + 1);
        struct pcrsim_policy p;
        struct pcrsim_error err;

        cr_assert(from && to && text);
        snprintf(text, strlen(base) + 1, "%.*s%s", (int)(from - base), base, to);
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_policy_parse(text, strlen(text), NULL, &p, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "pcrs has no rule for PCR 17: a policy lists every PCR from 0 to 23") != NULL,
                  "%s", err.message);
        /* The error points at the pcrs mapping, whose first key is PCR 0. */
        cr_expect(strncmp(err.message, "line ", 5) == 0 && (size_t)atoi(err.message + 5) == line_of(text, "  0:\n"),
                  "%s", err.message);
        free(text);
        free(base);
}

Test(policy, size_limit_and_nul_byte)
{
        size_t size = PCRSIM_MAX_POLICY_SIZE + 1;
        char *big = malloc(size);
        char text[] = "schema: 1\nplatform: x\0y\n";
        struct pcrsim_policy p;
        struct pcrsim_error err;

        cr_assert_not_null(big);
        memset(big, '#', size);
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_parse(big, size, NULL, &p, &err), PCRSIM_ERR_LIMIT);
        cr_expect(strstr(err.message, "larger than 262144 bytes") != NULL, "%s", err.message);
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_parse(text, sizeof(text) - 1, NULL, &p, &err), PCRSIM_ERR_INVALID);
        cr_expect_eq(err.offset, 21);
        cr_expect(strstr(err.message, "NUL byte") != NULL, "%s", err.message);
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_parse("", 0, NULL, &p, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "empty") != NULL, "%s", err.message);
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_parse("- a\n- b\n", 8, NULL, &p, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "line 1, column 1: the policy is not a mapping") != NULL, "%s", err.message);
        free(big);
}

/* Calls `check` with the path and platform name of each policies/ file.
 * Returns the number of files. */
static size_t for_each_policy(void (*check)(const char *path, const char *name, void *ctx), void *ctx)
{
        char *dir = tu_path_join(tu_source_root(), "policies");
        struct dirent *e;
        size_t count = 0;
        DIR *d = opendir(dir);

        cr_assert_not_null(d, "cannot open %s", dir);
        while ((e = readdir(d)) != NULL) {
                size_t len = strlen(e->d_name);
                char name[256], *path;

                if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
                        continue;
                snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
                path = tu_path_join(dir, e->d_name);
                check(path, name, ctx);
                free(path);
                count++;
        }
        closedir(d);
        free(dir);
        return count;
}

static void check_shipped(const char *path, const char *name, void *ctx)
{
        struct pcrsim_policy p;
        struct pcrsim_error err;

        (void)ctx;
        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_policy_load(path, name, &p, &err), PCRSIM_OK, "%s: %s", path, err.message);
        cr_expect_str_eq(p.platform, name);
        cr_expect(pcrsim_policy_name_valid(p.platform), "%s", path);
        cr_expect(p.title && p.title[0] && p.description && p.description[0], "%s", path);
        cr_expect_geq(p.bank_count, 1, "%s", path);
        for (uint32_t pcr = 0; pcr < 24; pcr++) {
                const struct pcrsim_policy_pcr *r = &p.pcrs[pcr];

                cr_expect(r->meaning && r->meaning[0] && r->reason && r->reason[0], "%s PCR %u", path, pcr);
                cr_expect(r->confirmed ? r->source_count > 0 : true, "%s PCR %u", path, pcr);
                for (size_t s = 0; s < r->source_count; s++)
                        cr_expect_lt(r->sources[s], p.source_count, "%s PCR %u", path, pcr);
        }
        pcrsim_policy_free(&p);
        cr_expect_null(p.platform);
}

Test(policy, every_shipped_policy_loads)
{
        cr_expect_geq(for_each_policy(check_shipped, NULL), 7, "policies/ has fewer files than the 7 platforms");
}

/* meson.build lists the files to install by name, because meson has no
 * glob; a new policy must be added there. */
static void check_installed(const char *path, const char *name, void *ctx)
{
        char entry[300];

        (void)path;
        snprintf(entry, sizeof(entry), "'policies/%s.yaml'", name);
        cr_expect(strstr((const char *)ctx, entry) != NULL, "meson.build does not install %s", entry);
}

Test(policy, every_shipped_policy_installed)
{
        char *path = tu_path_join(tu_source_root(), "meson.build");
        char *meson = tu_read_file(path, NULL);

        cr_assert_not_null(meson, "cannot read %s", path);
        for_each_policy(check_installed, meson);
        free(meson);
        free(path);
}

Test(policy, expected_platform_checked_on_load)
{
        char *path = tu_path_join(tu_source_root(), "policies/qemu-ovmf.yaml");
        struct pcrsim_policy p;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_load(path, "azure-cvm", &p, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "platform 'qemu-ovmf' differs from 'azure-cvm'") != NULL, "%s",
                  err.message);
        cr_expect(strncmp(err.message, "line 2, column 11: ", 19) == 0, "%s", err.message);
        free(path);
}

Test(policy, load_rejects_missing_file_and_folder)
{
        char *dir = tu_path_join(tu_source_root(), "policies");
        char *missing = tu_path_join(dir, "no-such-platform.yaml");
        struct pcrsim_policy p;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_load(missing, NULL, &p, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "cannot open") != NULL, "%s", err.message);
        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_policy_load(dir, NULL, &p, &err), PCRSIM_ERR_INVALID);
        cr_expect(strstr(err.message, "not a regular file") != NULL, "%s", err.message);
        free(missing);
        free(dir);
}

/* Parses every cut of a shipped policy and copies with one byte changed;
 * each must fail cleanly or give a policy that can be freed. */
Test(policy, damaged_copies_fail_cleanly, .timeout = 240)
{
        char *path = tu_path_join(tu_source_root(), "policies/azure-trustedlaunch.yaml");
        size_t size;
        char *data = tu_read_file(path, &size);
        static const char replacements[] = { ':', '-', '[', '{', '"', '\n', ' ', 'x', '0', '&', '*', '\t' };

        cr_assert_not_null(data);
        /* A cut that leaves out only the final newline is still complete. */
        while (size > 0 && data[size - 1] == '\n')
                size--;
        for (size_t len = 0; len < size; len += len < 600 ? 1 : 37) {
                struct pcrsim_policy p;
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                cr_expect_neq(pcrsim_policy_parse(data, len, "azure-trustedlaunch", &p, &err), PCRSIM_OK,
                              "a cut at %zu bytes parses", len);
                cr_expect_null(p.platform);
        }
        for (size_t i = 0; i < size; i += 53) {
                char saved = data[i];
                struct pcrsim_policy p;
                struct pcrsim_error err;

                data[i] = replacements[i % sizeof(replacements)];
                pcrsim_error_clear(&err);
                if (pcrsim_policy_parse(data, size, NULL, &p, &err) == PCRSIM_OK)
                        pcrsim_policy_free(&p);
                else
                        cr_expect(err.message[0] != '\0', "byte %zu: an error without a message", i);
                data[i] = saved;
        }
        free(data);
        free(path);
}

Test(policy, names_of_enums_and_platforms)
{
        static const char *const valid[] = { "azure-cvm", "a", "qemu-ovmf-2", "0" };
        static const char *const invalid[] = { "", "Azure", "a/b", "..", ".", "a_b", "a.yaml", "a b",
                                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };

        cr_expect_str_eq(pcrsim_pcr_stability_name(PCRSIM_VARIES_PER_VM), "varies-per-vm");
        cr_expect_str_eq(pcrsim_pcr_stability_name(PCRSIM_UNUSED), "unused");
        cr_expect_str_eq(pcrsim_pcr_action_name(PCRSIM_ACTION_WARN_ONLY), "warn-only");
        cr_expect_str_eq(pcrsim_pcr_action_name(PCRSIM_ACTION_OMIT), "omit");
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
                cr_expect(pcrsim_policy_name_valid(valid[i]), "'%s' is rejected", valid[i]);
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
                cr_expect(!pcrsim_policy_name_valid(invalid[i]), "'%s' is accepted", invalid[i]);
        cr_expect(!pcrsim_policy_name_valid(NULL));
}

Test(policy, free_of_zeroed_policy)
{
        struct pcrsim_policy p;

        memset(&p, 0, sizeof(p));
        pcrsim_policy_free(&p);
        pcrsim_policy_free(&p);
        cr_expect_null(p.sources);
}
