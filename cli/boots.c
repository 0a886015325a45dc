/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/boots.h"
#include "cli/cli.h"
#include "cli/replay.h"
#include "pcrsim/alg.h"
#include "pcrsim/decode.h"
#include "pcrsim/manifest.h"

#define SHA256_ID 0x000B

static char *join(const char *dir, const char *name)
{
        size_t n = strlen(dir) + strlen(name) + 2;
        char *p = malloc(n);

        if (p)
                snprintf(p, n, "%s/%s", dir, name);
        return p;
}

/* Picks the folder's TCG log and IMA list from its manifest: the one TCG
 * log, and a binary IMA list before an ASCII one. */
static int resolve_folder(struct boot *b, const char *dir, bool want_ima)
{
        char *path = join(dir, "MANIFEST.yaml");
        struct pcrsim_manifest m;
        struct pcrsim_error err;
        const char *tcg = NULL, *ima = NULL;
        bool ima_binary = false;
        size_t logs = 0;
        int rc = EXIT_OK;

        if (!path) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        pcrsim_error_clear(&err);
        if (pcrsim_manifest_load(path, &m, &err)) {
                if (access(path, F_OK) != 0)
                        cli_errorf("%s is a folder without MANIFEST.yaml: give its event log file, or a vector folder",
                                   dir);
                else
                        cli_report(&err, path);
                rc = cli_exit_code(err.code);
                free(path);
                return rc;
        }
        free(path);
        for (size_t i = 0; i < m.file_count; i++) {
                const struct pcrsim_manifest_file *f = &m.files[i];

                if (f->expect_error)
                        continue;
                if (f->kind == PCRSIM_MANIFEST_TCG_LOG && logs++ == 0)
                        tcg = f->name;
                if (f->kind == PCRSIM_MANIFEST_IMA_LIST && (!ima || (!ima_binary &&
                                                                     strcmp(f->format, "ima-binary") == 0))) {
                        ima = f->name;
                        ima_binary = strcmp(f->format, "ima-binary") == 0;
                }
        }
        if (logs != 1) {
                cli_errorf("%s: the manifest lists %zu TCG event logs; name the log file instead of the folder",
                           dir, logs);
                rc = EXIT_INVALID;
        } else {
                b->tcg_path = join(dir, tcg);
                if (want_ima && ima)
                        b->ima_path = join(dir, ima);
                b->has_recorded = m.expected_count > 0;
                b->recorded = m.expected;
                if (!b->tcg_path || (want_ima && ima && !b->ima_path)) {
                        cli_errorf("out of memory");
                        rc = EXIT_SYSTEM;
                }
        }
        pcrsim_manifest_free(&m);
        return rc;
}

int boot_read_file(const char *path, uint8_t **data, size_t *size)
{
        FILE *f = fopen(path, "rb");
        size_t cap = 64 * 1024, used = 0;
        uint8_t *buf = NULL;

        *data = NULL;
        if (!f) {
                cli_errorf("cannot open %s: %s", path, strerror(errno));
                return EXIT_SYSTEM;
        }
        for (;;) {
                size_t n;

                if (!buf || used == cap) {
                        uint8_t *grown;

                        if (buf)
                                cap *= 2;
                        grown = cap <= (size_t)PCRSIM_MAX_TCG_LOG_SIZE + 1 ? realloc(buf, cap) : NULL;
                        if (!grown) {
                                free(buf);
                                fclose(f);
                                if (cap > (size_t)PCRSIM_MAX_TCG_LOG_SIZE + 1) {
                                        cli_errorf("%s: larger than %u bytes", path,
                                                   PCRSIM_MAX_TCG_LOG_SIZE);
                                        return EXIT_INVALID;
                                }
                                cli_errorf("out of memory");
                                return EXIT_SYSTEM;
                        }
                        buf = grown;
                }
                n = fread(buf + used, 1, cap - used, f);
                used += n;
                if (n == 0)
                        break;
        }
        if (ferror(f)) {
                cli_errorf("cannot read %s: %s", path, strerror(errno));
                free(buf);
                fclose(f);
                return EXIT_SYSTEM;
        }
        fclose(f);
        *data = buf;
        *size = used;
        return EXIT_OK;
}

static uint16_t default_bank(const struct pcrsim_replay *r)
{
        if (pcrsim_replay_bank(r, SHA256_ID))
                return SHA256_ID;
        return r->bank_count ? r->banks[0].alg : SHA256_ID;
}

int boot_load(struct boot *b, const char *arg, const char *ima, uint16_t *bank, bool quiet)
{
        struct pcrsim_ima_options opts = { 0 };
        struct pcrsim_error err;
        struct stat st;
        uint8_t *data = NULL;
        size_t size = 0;
        int rc;

        memset(b, 0, sizeof(*b));
        b->arg = arg;
        if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
                rc = resolve_folder(b, arg, ima == NULL);
                if (rc)
                        return rc;
        } else {
                b->tcg_path = strdup(arg);
        }
        if (ima)
                b->ima_path = strdup(ima);
        b->replay = calloc(1, sizeof(*b->replay));
        b->ima = b->ima_path ? calloc(1, sizeof(*b->ima)) : NULL;
        if (!b->tcg_path || (ima && !b->ima_path) || !b->replay || (b->ima_path && !b->ima)) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        rc = replay_log_and_ima(b->tcg_path, b->ima_path, quiet, b->replay, b->ima, NULL);
        if (rc)
                return rc;
        if (*bank == 0)
                *bank = default_bank(b->replay);
        pcrsim_error_clear(&err);
        rc = boot_read_file(b->tcg_path, &data, &size);
        if (rc)
                return rc;
        if (pcrsim_measurements_from_tcglog(data, size, *bank, &b->events, &err)) {
                free(data);
                return cli_report(&err, b->tcg_path);
        }
        free(data);
        if (!b->ima_path)
                return EXIT_OK;
        rc = boot_read_file(b->ima_path, &data, &size);
        if (rc)
                return rc;
        if (pcrsim_measurements_from_ima(data, size, &opts, &b->entries, &err)) {
                free(data);
                return cli_report(&err, b->ima_path);
        }
        free(data);
        return EXIT_OK;
}

void boot_free(struct boot *b)
{
        free(b->tcg_path);
        free(b->ima_path);
        free(b->replay);
        free(b->ima);
        pcrsim_measurement_list_free(&b->events);
        pcrsim_measurement_list_free(&b->entries);
        memset(b, 0, sizeof(*b));
}

const uint8_t *boot_value(const struct boot *b, uint16_t bank, uint32_t pcr)
{
        const struct pcrsim_replay_bank *rb = pcrsim_replay_bank(b->replay, bank);

        if (!rb || !rb->hashable || (rb->missing_pcrs & (1u << pcr)))
                return NULL;
        return rb->values[pcr];
}

bool boot_covers(const struct boot *b, uint32_t pcr)
{
        for (size_t i = 0; i < b->events.count; i++)
                if (b->events.items[i].pcr == pcr)
                        return true;
        for (size_t i = 0; i < b->entries.count; i++)
                if (b->entries.items[i].pcr == pcr)
                        return true;
        return false;
}

char *measurement_summary(const struct pcrsim_measurement *m)
{
        struct pcrsim_event ev;
        const char *type, *summary;
        json_t *doc;
        char *out;
        size_t n;

        if (m->ima_name)
                return strdup(m->ima_name);
        memset(&ev, 0, sizeof(ev));
        ev.index = m->index;
        ev.pcr = m->pcr;
        ev.type = m->type;
        ev.data = m->data;
        ev.data_size = m->data_size;
        doc = pcrsim_event_decode(&ev);
        type = pcrsim_event_type_name(m->type);
        summary = doc ? json_string_value(json_object_get(doc, "summary")) : NULL;
        n = 64 + (summary ? strlen(summary) : 0);
        out = malloc(n);
        if (out) {
                char unknown[24];

                snprintf(unknown, sizeof(unknown), "type 0x%08x", m->type);
                snprintf(out, n, "%s%s%s", type ? type : unknown, summary && summary[0] ? " " : "",
                         summary ? summary : "");
        }
        json_decref(doc);
        return out;
}

uint32_t boot_aggregate_pcrs(const struct boot *b)
{
        if (b->ima && b->ima->boot_aggregate.verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_7)
                return 0xFFu;
        return 0x3FFu;
}

bool boot_ima_mismatch(const struct boot *b)
{
        return b->ima && b->ima->boot_aggregate.verdict == PCRSIM_BOOT_AGGREGATE_MISMATCH;
}
