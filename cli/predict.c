/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcrsim predict: the PCRs of an unreleased image, from a recorded boot of
 * another image on the same platform and the new image's files.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/boots.h"
#include "cli/cli.h"
#include "pcrsim/alg.h"
#include "pcrsim/manifest.h"
#include "pcrsim/predict.h"
#include "pcrsim/replay.h"

#define DEFAULT_STUB_VERSION 252u

static const char predict_usage[] =
        "Usage: pcrsim predict --base VECTOR_OR_EVENTLOG --uki FILE [OPTIONS]\n"
        "\n"
        "Predict the PCRs of a boot of the unified kernel image FILE from a recorded\n"
        "boot of another UKI on the same platform. The events that belong to the\n"
        "old image are replaced with the measurements of the new one, and every\n"
        "other event is kept: PCR 4's UKI and kernel digests (Authenticode),\n"
        "systemd-stub's PCR 11 section events, and the Linux EFI stub's PCR 9\n"
        "command line and initrd events. PCR 10 (IMA) depends on what runs after\n"
        "the boot and is not predicted.\n"
        "\n"
        "Options:\n"
        "      --base PATH            the recorded boot: a crypto-agile event log, or a\n"
        "                             vector folder whose MANIFEST.yaml names it\n"
        "      --uki FILE             the new unified kernel image\n"
        "      --systemd-stub-version N  the stub's systemd version (default 252)\n"
        "  -b, --bank BANK            sha256 (default), another bank, or all\n"
        "  -f, --format FORMAT        text (default), json, yaml or go\n"
        "      --explain              list on standard error each event replaced, with\n"
        "                             its old and new digests\n"
        "      --write-log FILE       also write the predicted event log to FILE\n"
        "  -o, --output FILE          write the values to FILE\n"
        "  -q, --quiet                no notes on standard error\n"
        "  -h, --help                 print this help\n"
        "\n"
        "Exit status: 0 success, 2 usage error, invalid input, or a base boot whose\n"
        "structure the new image does not fit, 3 I/O or system error.\n";

struct predict_options {
        const char *base, *uki, *bank, *output, *write_log;
        unsigned stub_version;
        bool explain, quiet, json, yaml, go;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim predict --help'.\n");
        return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, struct predict_options *opt)
{
        enum { OPT_BASE = 256, OPT_UKI, OPT_STUB, OPT_EXPLAIN, OPT_WRITE_LOG };
        static const struct option longopts[] = {
                { "base", required_argument, NULL, OPT_BASE },
                { "uki", required_argument, NULL, OPT_UKI },
                { "systemd-stub-version", required_argument, NULL, OPT_STUB },
                { "bank", required_argument, NULL, 'b' },
                { "format", required_argument, NULL, 'f' },
                { "explain", no_argument, NULL, OPT_EXPLAIN },
                { "write-log", required_argument, NULL, OPT_WRITE_LOG },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        char *end;
        int c;

        optind = 1;
        opt->stub_version = DEFAULT_STUB_VERSION;
        while ((c = getopt_long(argc, argv, "b:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_BASE:
                        opt->base = optarg;
                        break;
                case OPT_UKI:
                        opt->uki = optarg;
                        break;
                case OPT_STUB:
                        opt->stub_version = (unsigned)strtoul(optarg, &end, 10);
                        if (*optarg < '0' || *optarg > '9' || *end) {
                                cli_errorf("invalid systemd-stub version '%s': expected a number such as 252",
                                           optarg);
                                return usage_error();
                        }
                        break;
                case 'b':
                        if (strcmp(optarg, "all") != 0 && !cli_parse_bank(optarg))
                                return usage_error();
                        opt->bank = optarg;
                        break;
                case 'f':
                        opt->json = strcmp(optarg, "json") == 0;
                        opt->yaml = strcmp(optarg, "yaml") == 0;
                        opt->go = strcmp(optarg, "go") == 0;
                        if (!opt->json && !opt->yaml && !opt->go && strcmp(optarg, "text") != 0) {
                                cli_errorf("invalid format '%s': expected text, json, yaml or go", optarg);
                                return usage_error();
                        }
                        break;
                case OPT_EXPLAIN:
                        opt->explain = true;
                        break;
                case OPT_WRITE_LOG:
                        opt->write_log = optarg;
                        break;
                case 'o':
                        opt->output = optarg;
                        break;
                case 'q':
                        opt->quiet = true;
                        break;
                case 'h':
                        fputs(predict_usage, stdout);
                        return EXIT_OK;
                default:
                        return usage_error();
                }
        }
        if (optind < argc) {
                cli_errorf("unexpected argument '%s'", argv[optind]);
                return usage_error();
        }
        if (!opt->base || !opt->uki) {
                cli_errorf("predict needs --base and --uki");
                return usage_error();
        }
        if (opt->go && opt->bank && strcmp(opt->bank, "all") == 0) {
                cli_errorf("--format go writes one bank: choose it with --bank");
                return usage_error();
        }
        {
                const char *inputs[] = { opt->base, opt->uki };

                if (!cli_check_inputs(opt->output, inputs, 2) ||
                    (opt->write_log && !cli_check_inputs(opt->write_log, inputs, 2)))
                        return usage_error();
        }
        return -1;
}

/* Returns the event log of `base`: the file itself, or the one TCG log
 * that a vector folder's manifest lists. */
static char *base_log_path(const char *base)
{
        struct pcrsim_manifest m;
        struct pcrsim_error err;
        struct stat st;
        char *manifest, *path = NULL;
        size_t logs = 0;

        if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
                return strdup(base);
        manifest = malloc(strlen(base) + sizeof("/MANIFEST.yaml"));
        if (!manifest)
                return NULL;
        sprintf(manifest, "%s/MANIFEST.yaml", base);
        pcrsim_error_clear(&err);
        if (pcrsim_manifest_load(manifest, &m, &err)) {
                cli_report(&err, manifest);
                free(manifest);
                return NULL;
        }
        free(manifest);
        for (size_t i = 0; i < m.file_count; i++) {
                if (m.files[i].kind != PCRSIM_MANIFEST_TCG_LOG || m.files[i].expect_error || logs++)
                        continue;
                path = malloc(strlen(base) + strlen(m.files[i].name) + 2);
                if (path)
                        sprintf(path, "%s/%s", base, m.files[i].name);
        }
        if (logs != 1) {
                cli_errorf("%s: the manifest lists %zu TCG event logs; give --base the log file", base, logs);
                free(path);
                path = NULL;
        }
        pcrsim_manifest_free(&m);
        return path;
}

static const char *role_name(enum pcrsim_predict_role role)
{
        switch (role) {
        case PCRSIM_PREDICT_UKI:
                return "UKI Authenticode";
        case PCRSIM_PREDICT_KERNEL:
                return "kernel Authenticode";
        case PCRSIM_PREDICT_UKI_SECTION:
                return "systemd-stub section";
        case PCRSIM_PREDICT_LOAD_OPTIONS:
                return "kernel command line";
        case PCRSIM_PREDICT_INITRD:
                return "initrd";
        }
        return "unknown";
}

/* Prints the digest of the preferred bank of a change's side. */
static void print_digest(const char *label, const struct pcrsim_digest *digests, uint32_t count)
{
        const struct pcrsim_digest *d = NULL;
        char hex[2 * PCRSIM_MAX_DIGEST_SIZE + 1], name[24];

        for (uint32_t i = 0; i < count; i++)
                if (!d || digests[i].alg == 0x000B)
                        d = &digests[i];
        if (!d || !d->size)
                return;
        for (size_t i = 0; i < d->size; i++)
                snprintf(hex + 2 * i, 3, "%02x", d->bytes[i]);
        pcrsim_alg_name(d->alg, name, sizeof(name));
        fprintf(stderr, "    %s %s %s\n", label, name, hex);
}

static void print_explanation(const struct pcrsim_prediction *p)
{
        fprintf(stderr, "pcrsim: prediction: %zu events replaced, added or removed; %llu base events kept as they are\n",
                p->change_count, (unsigned long long)p->kept);
        for (size_t i = 0; i < p->change_count; i++) {
                const struct pcrsim_predict_change *c = &p->changes[i];

                if (c->base_index == PCRSIM_NO_RECORD)
                        fprintf(stderr, "  PCR %u, added: %s %s\n", c->pcr, role_name(c->role), c->detail);
                else
                        fprintf(stderr, "  PCR %u, base event %llu%s: %s %s\n", c->pcr,
                                (unsigned long long)c->base_index, c->removed ? ", removed" : "",
                                role_name(c->role), c->detail);
                if (c->base_index != PCRSIM_NO_RECORD)
                        print_digest("old", c->old_digests, c->digest_count);
                if (!c->removed)
                        print_digest("new", c->new_digests, c->digest_count);
        }
}

static int write_values(const struct predict_options *opt, const uint8_t *log, size_t size)
{
        struct pcrsim_replay *replay = calloc(1, sizeof(*replay));
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_tcglog *walker = NULL;
        struct pcrsim_strbuf sb;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;
        bool all = opt->bank && strcmp(opt->bank, "all") == 0;
        const struct pcrsim_alg_info *want = pcrsim_alg_by_name(opt->bank && !all ? opt->bank : "sha256");
        int exit_code;

        pcrsim_strbuf_init(&sb);
        pcrsim_error_clear(&err);
        if (!replay || !set) {
                free(replay);
                free(set);
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        rc = pcrsim_tcglog_open_memory(log, size, &walker, &err);
        if (!rc)
                rc = pcrsim_replay_tcglog(walker, replay, &err);
        pcrsim_tcglog_free(walker);
        for (uint32_t b = 0; !rc && b < replay->bank_count; b++) {
                const struct pcrsim_replay_bank *bank = &replay->banks[b];

                if (!all && bank->alg != want->id)
                        continue;
                if (!bank->hashable || !pcrsim_replay_bank_complete(bank, 0xFFFFFFu)) {
                        if (all)
                                continue;
                        rc = pcrsim_error_set(&err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                              "bank %s of the base log cannot be replayed completely",
                                              want->name);
                        break;
                }
                rc = pcrsim_replay_add_to_set(bank, 0xFFFFFFu, set, &err);
        }
        if (!rc && set->bank_count == 0)
                rc = pcrsim_error_set(&err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                      "the base log has no %s bank; choose one with --bank",
                                      all ? "complete" : want->name);
        if (!rc) {
                if (opt->json)
                        rc = pcrsim_format_json(set, all, &sb, &err);
                else if (opt->yaml)
                        rc = pcrsim_format_yaml(set, all, &sb, &err);
                else if (opt->go)
                        rc = pcrsim_format_go(set, "pcrs", "pcrs", &sb, &err);
                else
                        rc = pcrsim_format_text(set, &sb, &err);
        }
        exit_code = rc ? cli_report(&err, NULL) : cli_write_output(&sb, opt->output);
        pcrsim_strbuf_free(&sb);
        free(set);
        free(replay);
        return exit_code;
}

int cmd_predict(int argc, char **argv)
{
        struct predict_options opt = { 0 };
        struct pcrsim_prediction p;
        struct pcrsim_error err;
        uint8_t *base = NULL, *uki = NULL;
        size_t base_size = 0, uki_size = 0;
        char *log_path = NULL;
        int rc;

        memset(&p, 0, sizeof(p));
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                return rc;
        log_path = base_log_path(opt.base);
        if (!log_path)
                return EXIT_INVALID;
        rc = boot_read_file(log_path, &base, &base_size);
        if (!rc)
                rc = boot_read_file(opt.uki, &uki, &uki_size);
        if (rc)
                goto out;
        pcrsim_error_clear(&err);
        if (pcrsim_predict_uki(base, base_size, uki, uki_size, opt.stub_version, &p, &err)) {
                rc = cli_report(&err, err.offset == PCRSIM_NO_OFFSET ? NULL : log_path);
                goto out;
        }
        if (opt.explain)
                print_explanation(&p);
        cli_notef(opt.quiet, "PCR 10 is the base boot's firmware value: IMA extends it at run time, so it is not predicted");
        if (opt.write_log) {
                struct pcrsim_strbuf sb;

                pcrsim_strbuf_init(&sb);
                pcrsim_strbuf_append(&sb, (const char *)p.log, p.log_size);
                rc = cli_write_output(&sb, opt.write_log);
                pcrsim_strbuf_free(&sb);
                if (rc)
                        goto out;
        }
        rc = write_values(&opt, p.log, p.log_size);
out:
        pcrsim_prediction_free(&p);
        free(base);
        free(uki);
        free(log_path);
        return rc;
}
