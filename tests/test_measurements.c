/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of pcrsim measurements on the lab recording vectors/lab-uki. The
 * expected PCR set of each platform comes from its policies/ file, which
 * this test reads with libyaml. The expected values are the PCRs that the
 * guest read from its TPM (vectors/lab-uki/pcrs-BANK.json), read with
 * jansson. PCR 10 is among them because every run gives the recording's
 * ima.bin.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <yaml.h>

#include "testutil.h"

#define TIMEOUT 120
#define LAB "vectors/lab-uki"

/* What a policy file states, as this test reads it. */
struct policy_facts {
        uint32_t enforce, warn, omit; /* PCR masks by action */
        char first_bank[16];
};

/* The lab recording's TPM values of one bank, in lower-case hex. */
struct lab_values {
        bool present[24];
        char hex[24][129];
};

static char *source_path(const char *rel)
{
        char *p = tu_path_join(tu_source_root(), rel);

        cr_assert_not_null(p);
        return p;
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
        (void)doc;
        return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *lookup(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
        cr_assert(map && map->type == YAML_MAPPING_NODE, "not a mapping where '%s' is looked up", key);
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                const char *k = scalar(doc, yaml_document_get_node(doc, p->key));

                if (k && strcmp(k, key) == 0)
                        return yaml_document_get_node(doc, p->value);
        }
        return NULL;
}

/* Loads a YAML document from a string; the caller deletes it. */
static void load_yaml(const char *text, size_t len, yaml_document_t *doc)
{
        yaml_parser_t parser;

        cr_assert(yaml_parser_initialize(&parser));
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        cr_assert(yaml_parser_load(&parser, doc), "not YAML: %s\n%s", parser.problem, text);
        yaml_parser_delete(&parser);
}

/* Reads policies/NAME.yaml: the action of each PCR and the first bank. */
static void read_policy_facts(const char *name, struct policy_facts *out)
{
        char rel[256], *path;
        yaml_document_t doc;
        yaml_node_t *root, *pcrs, *banks;
        size_t len;
        char *text;

        memset(out, 0, sizeof(*out));
        snprintf(rel, sizeof(rel), "policies/%s.yaml", name);
        path = source_path(rel);
        text = tu_read_file(path, &len);
        cr_assert_not_null(text, "cannot read %s", path);
        load_yaml(text, len, &doc);
        root = yaml_document_get_root_node(&doc);
        banks = lookup(&doc, root, "banks");
        cr_assert(banks && banks->type == YAML_SEQUENCE_NODE, "%s: no banks", path);
        snprintf(out->first_bank, sizeof(out->first_bank), "%s",
                 scalar(&doc, yaml_document_get_node(&doc, banks->data.sequence.items.start[0])));
        pcrs = lookup(&doc, root, "pcrs");
        for (yaml_node_pair_t *p = pcrs->data.mapping.pairs.start; p < pcrs->data.mapping.pairs.top; p++) {
                int pcr = atoi(scalar(&doc, yaml_document_get_node(&doc, p->key)));
                const char *action = scalar(&doc, lookup(&doc, yaml_document_get_node(&doc, p->value), "action"));

                cr_assert(pcr >= 0 && pcr < 24 && action, "%s: PCR %d", path, pcr);
                if (strcmp(action, "enforce") == 0)
                        out->enforce |= 1u << pcr;
                else if (strcmp(action, "warn-only") == 0)
                        out->warn |= 1u << pcr;
                else
                        out->omit |= 1u << pcr;
        }
        cr_assert_eq(out->enforce | out->warn | out->omit, 0xFFFFFFu, "%s does not list every PCR", path);
        yaml_document_delete(&doc);
        free(text);
        free(path);
}

/* Reads vectors/lab-uki/pcrs-BANK.json; returns false when absent. */
static bool read_lab_values(const char *bank, struct lab_values *out)
{
        char rel[128], *path;
        json_error_t jerr;
        json_t *doc, *value;
        const char *key;

        memset(out, 0, sizeof(*out));
        snprintf(rel, sizeof(rel), LAB "/pcrs-%s.json", bank);
        path = source_path(rel);
        doc = json_load_file(path, 0, &jerr);
        free(path);
        if (!doc)
                return false;
        json_object_foreach(doc, key, value) {
                int pcr = atoi(key);

                cr_assert(pcr >= 0 && pcr < 24 && json_is_string(value));
                snprintf(out->hex[pcr], sizeof(out->hex[pcr]), "%s", json_string_value(value));
                for (char *c = out->hex[pcr]; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
                out->present[pcr] = true;
        }
        json_decref(doc);
        return true;
}

/* Calls `check` with each platform name of policies/; returns the count. */
static size_t for_each_platform(void (*check)(const char *name))
{
        char *dir = source_path("policies");
        struct dirent *e;
        size_t count = 0;
        DIR *d = opendir(dir);

        cr_assert_not_null(d, "cannot open %s", dir);
        while ((e = readdir(d)) != NULL) {
                size_t len = strlen(e->d_name);
                char name[256];

                if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
                        continue;
                snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
                check(name);
                count++;
        }
        closedir(d);
        free(dir);
        return count;
}

static void run(struct tu_result *res, const char *const *args)
{
        cr_assert(tu_run(res, args, TIMEOUT), "cannot start %s", tu_pcrsim_bin());
        cr_assert(!res->timed_out && res->signal == 0, "pcrsim %s: killed (signal %d%s); stderr: %s",
                  args[0], res->signal, res->timed_out ? ", timed out" : "", res->err);
}

/*
 * Runs measurements for `platform` on the lab boot in `format`, with the
 * `extra` options (NULL-terminated, at most 8). The caller frees `res`.
 */
static void run_lab(struct tu_result *res, const char *platform, const char *format,
                    const char *const *extra)
{
        char *log = source_path(LAB "/eventlog.bin"), *ima = source_path(LAB "/ima.bin");
        const char *args[24] = { "measurements", "--platform", platform, "--format", format };
        size_t n = 5;

        for (size_t i = 0; extra && extra[i]; i++)
                args[n++] = extra[i];
        args[n++] = "--ima";
        args[n++] = ima;
        args[n++] = log;
        run(res, args);
        free(log);
        free(ima);
}

/* Checks a Constellation-style JSON document field by field against the
 * PCR masks and the lab values. */
static void check_constellation_json(const char *platform, const char *text, uint32_t included,
                                     uint32_t warn, const struct lab_values *lab)
{
        json_error_t jerr;
        json_t *doc = json_loads(text, 0, &jerr), *entry;
        const char *key, *previous = NULL;
        uint32_t seen = 0;

        cr_assert_not_null(doc, "%s: not JSON (%s): %s", platform, jerr.text, text);
        cr_expect(strncmp(text, "{\n  \"", 5) == 0, "%s: not indented by two spaces: %s", platform, text);
        json_object_foreach(doc, key, entry) {
                int pcr = atoi(key);
                json_t *expected = json_object_get(entry, "expected");
                json_t *warn_only = json_object_get(entry, "warnOnly");

                cr_assert(pcr >= 0 && pcr < 24, "%s: key '%s'", platform, key);
                /* jansson keeps the order of the text: Go's string order. */
                cr_expect(!previous || strcmp(previous, key) < 0, "%s: key %s after %s", platform, key, previous);
                previous = key;
                seen |= 1u << pcr;
                cr_expect_eq(json_object_size(entry), 2, "%s PCR %d: not exactly expected and warnOnly", platform, pcr);
                cr_assert(json_is_string(expected), "%s PCR %d: expected is not a string", platform, pcr);
                cr_assert(json_is_boolean(warn_only), "%s PCR %d: warnOnly is not a boolean", platform, pcr);
                cr_expect_str_eq(json_string_value(expected), lab->hex[pcr], "%s PCR %d", platform, pcr);
                cr_expect_eq(json_is_true(warn_only), (warn >> pcr) & 1, "%s PCR %d: warnOnly", platform, pcr);
        }
        cr_expect_eq(seen, included, "%s: PCRs 0x%06x, the policy includes 0x%06x", platform, seen, included);
        json_decref(doc);
}

static void check_platform_constellation_json(const char *platform)
{
        struct policy_facts facts;
        struct lab_values lab;
        struct tu_result res;

        read_policy_facts(platform, &facts);
        run_lab(&res, platform, "constellation-json", (const char *const[]){ "-q", NULL });
        if (!read_lab_values(facts.first_bank, &lab)) {
                /* The recording has no such bank, so the replay cannot give it. */
                cr_expect_eq(res.exit_code, 2, "%s: bank %s: exit %d", platform, facts.first_bank, res.exit_code);
                cr_expect(strstr(res.err, "has no") != NULL, "%s: %s", platform, res.err);
                cr_expect_eq(res.out_len, 0, "%s: output after an error", platform);
                tu_result_free(&res);
                return;
        }
        cr_assert_eq(res.exit_code, 0, "%s: exit %d: %s", platform, res.exit_code, res.err);
        cr_expect_eq(res.err_len, 0, "%s: -q still printed: %s", platform, res.err);
        check_constellation_json(platform, res.out, facts.enforce | facts.warn, facts.warn, &lab);
        tu_result_free(&res);
}

Test(measurements, every_platform_constellation_json)
{
        cr_expect_geq(for_each_platform(check_platform_constellation_json), 7);
}

/* Checks the YAML shape: integer keys ascending, each a mapping of a
 * double-quoted expected and a plain warnOnly. */
static void check_platform_constellation_yaml(const char *platform)
{
        struct policy_facts facts;
        struct lab_values lab;
        struct tu_result res;
        yaml_document_t doc;
        yaml_node_t *root;
        uint32_t seen = 0;
        int previous = -1;

        read_policy_facts(platform, &facts);
        if (!read_lab_values(facts.first_bank, &lab))
                return;
        run_lab(&res, platform, "constellation-yaml", (const char *const[]){ "-q", NULL });
        cr_assert_eq(res.exit_code, 0, "%s: exit %d: %s", platform, res.exit_code, res.err);
        load_yaml(res.out, res.out_len, &doc);
        root = yaml_document_get_root_node(&doc);
        cr_assert(root && root->type == YAML_MAPPING_NODE, "%s: %s", platform, res.out);
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
                int pcr = atoi(scalar(&doc, yaml_document_get_node(&doc, p->key)));
                yaml_node_t *entry = yaml_document_get_node(&doc, p->value);
                yaml_node_t *expected = lookup(&doc, entry, "expected");
                yaml_node_t *warn_only = lookup(&doc, entry, "warnOnly");

                cr_expect_gt(pcr, previous, "%s: PCR %d after %d", platform, pcr, previous);
                previous = pcr;
                seen |= 1u << pcr;
                cr_assert(expected && warn_only, "%s PCR %d: missing field", platform, pcr);
                cr_expect_eq(expected->data.scalar.style, YAML_DOUBLE_QUOTED_SCALAR_STYLE, "%s PCR %d", platform, pcr);
                cr_expect_str_eq(scalar(&doc, expected), lab.hex[pcr], "%s PCR %d", platform, pcr);
                cr_expect_str_eq(scalar(&doc, warn_only), (facts.warn >> pcr) & 1 ? "true" : "false",
                                 "%s PCR %d", platform, pcr);
                cr_expect_eq(warn_only->data.scalar.style, YAML_PLAIN_SCALAR_STYLE, "%s PCR %d", platform, pcr);
        }
        cr_expect_eq(seen, facts.enforce | facts.warn, "%s", platform);
        yaml_document_delete(&doc);
        tu_result_free(&res);
}

Test(measurements, every_platform_constellation_yaml)
{
        cr_expect_geq(for_each_platform(check_platform_constellation_yaml), 7);
}

/* Formats a PCR mask as "0-7,9" the way --pcrs takes it. */
static void pcr_list(uint32_t mask, char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < 24; i++)
                if (mask & (1u << i))
                        used += (size_t)snprintf(buf + used, size - used, "%s%u", used ? "," : "", i);
}

/* json, yaml and go must be what replay prints for the same PCRs. */
static void check_platform_replay_shapes(const char *platform)
{
        static const char *const formats[] = { "json", "yaml", "go" };
        char *log = source_path(LAB "/eventlog.bin"), *ima = source_path(LAB "/ima.bin");
        struct policy_facts facts;
        struct lab_values lab;
        char list[96];

        read_policy_facts(platform, &facts);
        if (!read_lab_values(facts.first_bank, &lab))
                goto out;
        pcr_list(facts.enforce | facts.warn, list, sizeof(list));
        for (size_t f = 0; f < 3; f++) {
                const char *replay_args[] = { "replay", "-q", "--bank", facts.first_bank, "--pcrs", list,
                                              "--format", formats[f], "--ima", ima, log, NULL };
                struct tu_result got, want;

                run_lab(&got, platform, formats[f], NULL);
                run(&want, replay_args);
                cr_assert_eq(got.exit_code, 0, "%s %s: %s", platform, formats[f], got.err);
                cr_assert_eq(want.exit_code, 0, "replay %s: %s", formats[f], want.err);
                cr_expect_str_eq(got.out, want.out, "%s %s differs from replay's", platform, formats[f]);
                if (facts.warn)
                        cr_expect(strstr(got.err, "has no warnOnly flag") != NULL, "%s %s: %s", platform,
                                  formats[f], got.err);
                tu_result_free(&got);
                tu_result_free(&want);
        }
out:
        free(log);
        free(ima);
}

Test(measurements, replay_shapes_filtered_to_policy)
{
        cr_expect_geq(for_each_platform(check_platform_replay_shapes), 7);
}

/* The json output's base64 values equal the TPM's values. */
Test(measurements, json_values_are_tpm_values)
{
        struct policy_facts facts;
        struct lab_values lab;
        struct tu_result res;
        json_t *doc, *value;
        const char *key;
        uint32_t seen = 0;

        read_policy_facts("gcp-shielded-vm", &facts);
        cr_assert(read_lab_values(facts.first_bank, &lab));
        run_lab(&res, "gcp-shielded-vm", "json", (const char *const[]){ "-q", NULL });
        cr_assert_eq(res.exit_code, 0, "%s", res.err);
        doc = json_loads(res.out, 0, NULL);
        cr_assert_not_null(doc, "%s", res.out);
        json_object_foreach(doc, key, value) {
                unsigned char bytes[80];
                char hex[129];
                int pcr = atoi(key), n = EVP_DecodeBlock(bytes, (const unsigned char *)json_string_value(value),
                                                         (int)strlen(json_string_value(value)));

                cr_assert_eq(n, 33, "PCR %d: %d bytes decoded", pcr, n); /* 32 and a padding byte */
                for (int i = 0; i < 32; i++)
                        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
                cr_expect_str_eq(hex, lab.hex[pcr], "PCR %d", pcr);
                seen |= 1u << pcr;
        }
        cr_expect_eq(seen, facts.enforce | facts.warn);
        json_decref(doc);
        tu_result_free(&res);
}

Test(measurements, overrides_keep_warn_drop)
{
        struct policy_facts facts;
        struct lab_values lab;
        struct tu_result res;
        uint32_t keep = (1u << 0) | (1u << 5), warn = 1u << 4, drop = (1u << 1) | (1u << 14);
        uint32_t included, warn_only;

        read_policy_facts("azure-trustedlaunch", &facts);
        cr_assert(read_lab_values(facts.first_bank, &lab));
        run_lab(&res, "azure-trustedlaunch", "constellation-json",
                (const char *const[]){ "--keep", "0,5", "--warn", "4", "--drop", "1", "--drop", "14", NULL });
        cr_assert_eq(res.exit_code, 0, "%s", res.err);
        included = ((facts.enforce | facts.warn) | keep | warn) & ~drop;
        warn_only = (facts.warn | warn) & ~keep & ~drop;
        check_constellation_json("azure-trustedlaunch", res.out, included, warn_only, &lab);
        cr_expect(strstr(res.err, "PCR 0 enforced by --keep, where the policy says omit") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "PCR 4 warn-only by --warn, where the policy says enforce") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "PCR 1 omitted by --drop, where the policy says warn-only") != NULL, "%s", res.err);
        tu_result_free(&res);
}

Test(measurements, notes_name_omitted_and_warn_only)
{
        struct tu_result res;

        run_lab(&res, "azure-trustedlaunch", "constellation-json", NULL);
        cr_assert_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.err, "policy read from ") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "PCR 0 omitted (unusable): The measured firmware volume changes") != NULL, "%s",
                  res.err);
        cr_expect(strstr(res.err, "PCR 5 omitted (varies-per-vm, rule not confirmed)") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "PCR 7 warn-only (stable-per-image)") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "PCR 4 ") == NULL, "an enforced PCR got a note: %s", res.err);
        tu_result_free(&res);
}

/* --expected with the TPM's own values gives the same config as the
 * replay of the logs. */
static void check_platform_references(const char *platform)
{
        char *ref = source_path(LAB "/pcrs-sha256.json");
        const char *args[] = { "measurements", "-q", "--platform", platform, "--bank", "sha256",
                               "--expected", ref, NULL };
        struct tu_result from_refs, from_logs;

        run(&from_refs, args);
        run_lab(&from_logs, platform, "constellation-json", (const char *const[]){ "-q", "--bank", "sha256", NULL });
        cr_assert_eq(from_refs.exit_code, 0, "%s: %s", platform, from_refs.err);
        cr_assert_eq(from_logs.exit_code, 0, "%s: %s", platform, from_logs.err);
        cr_expect_str_eq(from_refs.out, from_logs.out, "%s", platform);
        tu_result_free(&from_refs);
        tu_result_free(&from_logs);
        free(ref);
}

Test(measurements, references_give_same_output)
{
        cr_expect_geq(for_each_platform(check_platform_references), 7);
}

Test(measurements, output_reads_back_in_compare)
{
        static const char *const formats[] = { "constellation-json", "constellation-yaml", "json", "yaml", "go" };
        char *log = source_path(LAB "/eventlog.bin"), *ima = source_path(LAB "/ima.bin");
        char *dir = tu_tmpdir();

        for (size_t f = 0; f < 5; f++) {
                char *out = tu_path_join(dir, formats[f]);
                const char *make[] = { "measurements", "-q", "--platform", "qemu-ovmf", "--format", formats[f],
                                       "-o", out, "--ima", ima, log, NULL };
                const char *check[] = { "compare", "-q", "--expected", out, "--ima", ima, log, NULL };
                struct tu_result res;

                run(&res, make);
                cr_expect_eq(res.exit_code, 0, "%s: %s", formats[f], res.err);
                cr_expect_eq(res.out_len, 0, "%s: -o still wrote to standard output", formats[f]);
                tu_result_free(&res);
                run(&res, check);
                cr_expect_eq(res.exit_code, 0, "compare of %s: %s%s", formats[f], res.out, res.err);
                tu_result_free(&res);
                free(out);
        }
        tu_rmtree(dir);
        free(log);
        free(ima);
}

/* Runs pcrsim and checks exit status 2, empty output and a message. */
static void expect_usage_error(const char *const *args, const char *message)
{
        struct tu_result res;

        run(&res, args);
        cr_expect_eq(res.exit_code, 2, "%s: exit %d: %s", message, res.exit_code, res.err);
        cr_expect_eq(res.out_len, 0, "%s: output after an error: %s", message, res.out);
        cr_expect(strstr(res.err, message) != NULL, "stderr lacks '%s': %s", message, res.err);
        tu_result_free(&res);
}

static char unknown_message[1024];

static void add_platform_name(const char *name)
{
        size_t used = strlen(unknown_message);

        snprintf(unknown_message + used, sizeof(unknown_message) - used, "%s%s", used ? ", " : "", name);
}

Test(measurements, unknown_platform_lists_platforms)
{
        char *log = source_path(LAB "/eventlog.bin");
        const char *args[] = { "measurements", "--platform", "no-such-cloud", log, NULL };
        struct tu_result res;

        run(&res, args);
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strstr(res.err, "unknown platform 'no-such-cloud'") != NULL, "%s", res.err);
        unknown_message[0] = '\0';
        for_each_platform(add_platform_name);
        /* Each name appears; the message sorts them, readdir() does not. */
        for (char *name = strtok(unknown_message, ", "); name; name = strtok(NULL, ", "))
                cr_expect(strstr(res.err, name) != NULL, "'%s' is not listed: %s", name, res.err);
        tu_result_free(&res);
        free(log);
}

Test(measurements, usage_errors)
{
        char *log = source_path(LAB "/eventlog.bin"), *ref = source_path(LAB "/pcrs-sha256.json");
        const char *const cases[][12] = {
                { "measurements", "--platform", "../policies/qemu-ovmf", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--keep", "4-5", "--drop", "2-5", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--warn", "3", "--drop", "2-5", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--keep", "0-23", "--warn", "9", log, NULL },
                { "measurements", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", NULL },
                { "measurements", "--platform", "qemu-ovmf", "--expected", ref, log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--expected", ref, "--ima", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--format", "xml", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--drop", "0-23", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--policy-dir", "/nonexistent-folder", log, NULL },
                { "measurements", "--platform", "qemu-ovmf", "--keep", "24", log, NULL },
        };
        static const char *const messages[] = {
                "invalid platform name '../policies/qemu-ovmf'",
                "PCRs 4-5 are named by both --keep and --drop",
                "PCR 3 is named by both --warn and --drop",
                "PCR 9 is named by both --keep and --warn",
                "missing --platform",
                "missing EVENTLOG argument",
                "both EVENTLOG and --expected given",
                "--ima needs EVENTLOG",
                "invalid format 'xml'",
                "leave no PCR to enforce or warn on",
                "invalid --policy-dir '/nonexistent-folder': not a folder",
                "PCR 24 is outside 0-23",
        };

        for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
                expect_usage_error(cases[i], messages[i]);
        free(log);
        free(ref);
}

Test(measurements, unreplayable_pcr_fails_without_output)
{
        char *log = source_path("vectors/synth-missing-digests/eventlog.bin");
        char *dir = tu_tmpdir();
        char *out = tu_path_join(dir, "config.json");
        const char *args[] = { "measurements", "--platform", "azure-cvm", "--bank", "sha1", "-o", out, log, NULL };
        const char *dropped[] = { "measurements", "-q", "--platform", "azure-cvm", "--bank", "sha1",
                                  "--drop", "11-14", log, NULL };
        struct tu_result res;
        size_t len;
        char *written;

        run(&res, args);
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strstr(res.err, "extends PCR 11 without a sha1 digest") != NULL, "%s", res.err);
        cr_expect(strstr(res.err, "leave them out with --drop 11-14") != NULL, "%s", res.err);
        written = tu_read_file(out, &len);
        cr_expect_null(written, "a config was written although PCRs 11-14 have no value");
        free(written);
        tu_result_free(&res);
        run(&res, dropped);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.out, "\"11\"") == NULL && strstr(res.out, "\"4\"") != NULL, "%s", res.out);
        tu_result_free(&res);
        tu_rmtree(dir);
        free(out);
        free(log);
}

Test(measurements, references_lacking_pcr_fail)
{
        static const char partial[] = "{\"0\": \"eaa650ae9b6b9c6d0ef4fab4dda3af9769f23c839ca3c98307a7a84831cbb472\",\n"
                                      " \"4\": \"720ca6ce215eb2d8a2ee3450c09dd1dfb488c7b32ce4fc94b45c16ca761e0a37\"}\n";
        char *dir = tu_tmpdir();
        char *ref = tu_write_file(dir, "partial.json", partial, sizeof(partial) - 1);
        const char *args[] = { "measurements", "--platform", "gcp-sev-snp", "--expected", ref, NULL };
        const char *kept[] = { "measurements", "-q", "--platform", "gcp-sev-snp", "--drop", "0-3,5-23",
                               "--expected", ref, NULL };
        struct tu_result res;

        expect_usage_error(args, "the references have no sha256 value for PCRs 1-3,6-9,11-14");
        run(&res, kept);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect_str_eq(res.out, "{\n  \"4\": {\n    \"expected\": \"720ca6ce215eb2d8a2ee3450c09dd1dfb488c7b32ce4fc94b45c16ca761e0a37\",\n"
                                  "    \"warnOnly\": false\n  }\n}\n");
        tu_result_free(&res);
        tu_rmtree(dir);
        free(ref);
}

Test(measurements, missing_bank_fails)
{
        char *log = source_path(LAB "/eventlog.bin");
        const char *args[] = { "measurements", "--platform", "aws-nitrotpm", "--bank", "sha384", log, NULL };

        expect_usage_error(args, "the log has no sha384 bank that pcrsim can compute (its banks: sha1, sha256)");
        free(log);
}

Test(measurements, pcr10_without_ima_warns)
{
        char *log = source_path(LAB "/eventlog.bin");
        const char *args[] = { "measurements", "-q", "--platform", "qemu-ovmf", "--keep", "10", log, NULL };
        struct tu_result res;

        run(&res, args);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.err, "warning: ") && strstr(res.err, "no --ima list was given"), "%s", res.err);
        tu_result_free(&res);
        free(log);
}

Test(measurements, sha1_constellation_output_warns)
{
        char *log = source_path(LAB "/eventlog.bin");
        const char *args[] = { "measurements", "-q", "--platform", "qemu-ovmf", "--bank", "sha1", log, NULL };
        struct lab_values lab;
        struct tu_result res;

        cr_assert(read_lab_values("sha1", &lab));
        run(&res, args);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.err, "Constellation reads only 32- and 48-byte expected values") != NULL, "%s",
                  res.err);
        cr_expect(strstr(res.out, lab.hex[4]) != NULL, "the sha1 value of PCR 4 is missing: %s", res.out);
        tu_result_free(&res);
        free(log);
}

/* A policy from --policy-dir or $PCRSIM_POLICY_DIR wins over the shipped
 * ones, and an invalid one is an error with its line. */
Test(measurements, policy_dir_and_environment)
{
        char *shipped = source_path("policies/qemu-ovmf.yaml"), *log = source_path(LAB "/eventlog.bin");
        char *dir = tu_tmpdir(), *text, *custom, *at, *broken;
        const char *by_option[] = { "measurements", "-q", "--platform", "my-lab", "--policy-dir", dir, log, NULL };
        const char *by_env[] = { "measurements", "-q", "--platform", "my-lab", log, NULL };
        const char *invalid[] = { "measurements", "--platform", "broken", "--policy-dir", dir, log, NULL };
        struct tu_result res;
        size_t len;

        text = tu_read_file(shipped, &len);
        cr_assert_not_null(text);
        at = strstr(text, "platform: qemu-ovmf\n");
        cr_assert_not_null(at);
        memcpy(at, "platform: my-lab   \n", 20);
        custom = tu_write_file(dir, "my-lab.yaml", text, len);
        memcpy(at, "platform: broken   \n", 20);
        at = strstr(text, "schema: 1");
        cr_assert_not_null(at);
        at[8] = '7';
        broken = tu_write_file(dir, "broken.yaml", text, len);
        run(&res, by_option);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strstr(res.out, "\"warnOnly\"") != NULL, "%s", res.out);
        tu_result_free(&res);
        setenv("PCRSIM_POLICY_DIR", dir, 1);
        run(&res, by_env);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        tu_result_free(&res);
        run(&res, invalid);
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strstr(res.err, "broken.yaml") && strstr(res.err, "line 1, column 9: schema '7' is not 1"),
                  "%s", res.err);
        tu_result_free(&res);
        unsetenv("PCRSIM_POLICY_DIR");
        tu_rmtree(dir);
        free(custom);
        free(broken);
        free(text);
        free(shipped);
        free(log);
}

Test(measurements, help_and_command_list)
{
        const char *help[] = { "measurements", "--help", NULL };
        const char *main_help[] = { "--help", NULL };
        struct tu_result res;

        run(&res, help);
        cr_expect_eq(res.exit_code, 0);
        cr_expect(strstr(res.out, "Usage: pcrsim measurements --platform NAME") != NULL, "%s", res.out);
        cr_expect(strstr(res.out, "$PCRSIM_POLICY_DIR") != NULL, "%s", res.out);
        tu_result_free(&res);
        run(&res, main_help);
        cr_expect(strstr(res.out, "  measurements   write the measurement config") != NULL, "%s", res.out);
        tu_result_free(&res);
}

/* Runs a shell command line; returns its exit status or -1. */
static int shell(const char *command)
{
        int status = system(command);

        return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(measurements, go_output_is_gofmt_clean)
{
        char *dir, *go_file, command[2048];
        struct tu_result res;

        if (shell("command -v gofmt >/dev/null 2>&1") != 0)
                cr_skip_test("gofmt is not installed (Debian package golang-go): the Go output was not checked");
        run_lab(&res, "azure-cvm", "go",
                (const char *const[]){ "-q", "--go-package", "measurements", "--go-var", "azureCVM", NULL });
        cr_assert_eq(res.exit_code, 0, "%s", res.err);
        cr_expect(strncmp(res.out, "package measurements\n\nvar azureCVM = map[uint32][]byte{\n", 55) == 0,
                  "%s", res.out);
        dir = tu_tmpdir();
        go_file = tu_write_file(dir, "pcrs.go", res.out, res.out_len);
        snprintf(command, sizeof(command), "test -z \"$(gofmt -l '%s')\"", go_file);
        cr_expect_eq(shell(command), 0, "gofmt would reformat the output:\n%s", res.out);
        tu_result_free(&res);
        free(go_file);
        tu_rmtree(dir);
}

/* The IMA list of another boot gives a PCR 10 that no node reports. */
Test(measurements, foreign_ima_list_rejected)
{
        char *log = source_path(LAB "/eventlog.bin");
        char *ima = source_path("vectors/lab-uki-smp2/ima.bin");
        const char *with_pcr10[] = { "measurements", "-q", "-P", "qemu-ovmf", "--keep", "10", "--ima", ima,
                                     log, NULL };
        const char *without[] = { "measurements", "-q", "-P", "qemu-ovmf", "--ima", ima, log, NULL };
        struct tu_result res;

        run(&res, with_pcr10);
        cr_expect_eq(res.exit_code, 2, "%s", res.err);
        cr_expect(strstr(res.err, "belongs to another boot") && strstr(res.err, "--drop 10"), "%s", res.err);
        cr_expect_eq(res.out_len, 0, "a config was written: %s", res.out);
        tu_result_free(&res);
        run(&res, without);
        cr_expect_eq(res.exit_code, 0, "%s", res.err);
        tu_result_free(&res);
        free(log);
        free(ima);
}
