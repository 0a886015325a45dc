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

#define MAX_CREDENTIALS 256u

static const char predict_usage[] =
        "Usage: pcrsim predict --base VECTOR_OR_EVENTLOG --uki FILE [OPTIONS]\n"
        "       pcrsim predict --base VECTOR_OR_EVENTLOG --kernel FILE [--initrd FILE]\n"
        "                      --cmdline STRING [--qemu-memory SIZE] [OPTIONS]\n"
        "       pcrsim predict --base VECTOR_OR_EVENTLOG --kernel FILE [--initrd FILE]\n"
        "                      [--grub-cfg FILE] [--shim FILE] [--grub FILE] [OPTIONS]\n"
        "\n"
        "Predict the PCRs of a boot of a new image from a recorded boot of another\n"
        "image on the same platform. The events that belong to the old image are\n"
        "replaced with the measurements of the new one, and every other event is\n"
        "kept. The base boot decides which measurements apply:\n"
        "\n"
        "- a unified kernel image from the ESP (--uki): PCR 4's UKI and kernel\n"
        "  digests (Authenticode), systemd-stub's PCR 11 section events, and the\n"
        "  Linux EFI stub's PCR 9 command line and initrd events; with\n"
        "  --credential, systemd-stub's PCR 12 credentials archive;\n"
        "- QEMU's direct kernel boot (--kernel, --cmdline): the PCR 9 events, and\n"
        "  PCR 4's kernel digest when --qemu-memory gives the guest's RAM size,\n"
        "  since QEMU writes the initrd address into the kernel image that the\n"
        "  firmware measures; without it, PCR 4 is left out of the output;\n"
        "- a boot through GRUB, with or without shim (--kernel): PCR 4's kernel\n"
        "  digests and PCR 9's kernel and initrd files; with --grub-cfg, PCR 9's\n"
        "  grub.cfg and the PCR 8 commands that running it logs; with --shim and\n"
        "  --grub, their PCR 4 digests, and with --shim shim's PCR 14 and 7 MOK\n"
        "  list events.\n"
        "\n"
        "PCR 10 (IMA) depends on what runs after the boot and is left out of the\n"
        "output. When the base boot has an IMA list, the boot_aggregate that IMA\n"
        "will log as its first entry is predicted and printed on standard error.\n"
        "\n"
        "Options:\n"
        "      --base PATH            the recorded boot: a crypto-agile event log, or a\n"
        "                             vector folder whose MANIFEST.yaml names it\n"
        "      --base-ima FILE        the base boot's IMA list (for a folder, instead of\n"
        "                             the one its manifest names)\n"
        "      --uki FILE             the new unified kernel image\n"
        "      --systemd-stub-version N  the stub's systemd version (default: the one\n"
        "                             in the stub's .sdmagic section, else 252)\n"
        "      --credential FILE      a system credential (*.cred) in \\loader\\credentials\n"
        "                             on the ESP of the new boot; may be repeated\n"
        "      --kernel FILE          the new kernel (bzImage with an EFI stub)\n"
        "      --initrd FILE          the new initrd\n"
        "      --cmdline STRING       direct boot: the new -append string (\"\" for none)\n"
        "      --qemu-memory SIZE     direct boot: the guest's RAM (-m) in MiB, or a\n"
        "                             whole number with the suffix M or G\n"
        "      --grub-cfg FILE        GRUB boot: the new grub.cfg\n"
        "      --shim FILE            GRUB boot: the new shim\n"
        "      --grub FILE            GRUB boot: the new GRUB EFI binary\n"
        "  -b, --bank BANK            sha256 (default), another bank, or all\n"
        "  -f, --format FORMAT        text (default), json, yaml or go\n"
        "      --explain              list on standard error each event recomputed,\n"
        "                             added or removed, with its old and new digests,\n"
        "                             each kept event that the prediction assumes\n"
        "                             unchanged, and the base and new boot_aggregate\n"
        "      --write-log FILE       also write the predicted event log to FILE\n"
        "      --boot-aggregate FILE  also write the predicted boot_aggregate to FILE, as\n"
        "                             ALGO:HEX and a newline\n"
        "      --go-package NAME      package of the Go output (default: pcrs)\n"
        "      --go-var NAME          variable of the Go output (default: pcrs)\n"
        "  -o, --output FILE          write the values to FILE\n"
        "  -q, --quiet                no notes on standard error\n"
        "  -h, --help                 print this help\n"
        "\n"
        "Exit status: 0 success, 2 usage error, invalid input, or a base boot whose\n"
        "structure the new image does not fit, 3 I/O or system error.\n";

struct predict_options {
        const char *base, *base_ima, *uki, *bank, *output, *write_log, *boot_aggregate;
        const char *go_package, *go_var;
        const char *credentials[MAX_CREDENTIALS];
        size_t credential_count;
        const char *kernel, *initrd, *cmdline, *shim, *grub, *grub_cfg;
        uint64_t ram_bytes;
        unsigned stub_version;
        bool explain, quiet, json, yaml, go;
};

static int usage_error(void)
{
        fprintf(stderr, "Try 'pcrsim predict --help'.\n");
        return EXIT_INVALID;
}

/* Sets an option that may be given once. */
static bool once(const char **field, const char *value, const char *name)
{
        if (*field) {
                cli_errorf("%s is given twice", name);
                return false;
        }
        *field = value;
        return true;
}

/* Parses a RAM size in MiB, or with the suffix M or G as QEMU's -m takes
 * it. */
static bool parse_memory(const char *text, uint64_t *bytes)
{
        char *end;
        unsigned long long n;
        unsigned shift = 20;

        if (*text < '0' || *text > '9') {
                cli_errorf("invalid memory size '%s': expected MiB, or a number with the suffix M or G", text);
                return false;
        }
        n = strtoull(text, &end, 10);
        if ((*end == 'M' || *end == 'm') && end[1] == '\0')
                end++;
        else if ((*end == 'G' || *end == 'g') && end[1] == '\0')
                shift = 30, end++;
        if (*end || n == 0 || n > (UINT64_MAX >> shift)) {
                cli_errorf("invalid memory size '%s': expected MiB, or a number with the suffix M or G", text);
                return false;
        }
        *bytes = (uint64_t)n << shift;
        return true;
}

static int parse_options(int argc, char **argv, struct predict_options *opt)
{
        enum {
                OPT_BASE = 256, OPT_BASE_IMA, OPT_UKI, OPT_STUB, OPT_EXPLAIN, OPT_WRITE_LOG, OPT_KERNEL,
                OPT_INITRD, OPT_CMDLINE, OPT_MEMORY, OPT_SHIM, OPT_GRUB, OPT_GRUB_CFG, OPT_BOOT_AGGREGATE,
                OPT_GO_PACKAGE, OPT_GO_VAR, OPT_CREDENTIAL
        };
        static const struct option longopts[] = {
                { "base", required_argument, NULL, OPT_BASE },
                { "base-ima", required_argument, NULL, OPT_BASE_IMA },
                { "uki", required_argument, NULL, OPT_UKI },
                { "kernel", required_argument, NULL, OPT_KERNEL },
                { "initrd", required_argument, NULL, OPT_INITRD },
                { "cmdline", required_argument, NULL, OPT_CMDLINE },
                { "qemu-memory", required_argument, NULL, OPT_MEMORY },
                { "shim", required_argument, NULL, OPT_SHIM },
                { "grub", required_argument, NULL, OPT_GRUB },
                { "grub-cfg", required_argument, NULL, OPT_GRUB_CFG },
                { "boot-aggregate", required_argument, NULL, OPT_BOOT_AGGREGATE },
                { "go-package", required_argument, NULL, OPT_GO_PACKAGE },
                { "go-var", required_argument, NULL, OPT_GO_VAR },
                { "credential", required_argument, NULL, OPT_CREDENTIAL },
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
        opt->stub_version = 0; /* read from the stub */
        while ((c = getopt_long(argc, argv, "b:f:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_BASE:
                        if (!once(&opt->base, optarg, "--base"))
                                return usage_error();
                        break;
                case OPT_BASE_IMA:
                        if (!once(&opt->base_ima, optarg, "--base-ima"))
                                return usage_error();
                        break;
                case OPT_UKI:
                        if (!once(&opt->uki, optarg, "--uki"))
                                return usage_error();
                        break;
                case OPT_KERNEL:
                        if (!once(&opt->kernel, optarg, "--kernel"))
                                return usage_error();
                        break;
                case OPT_INITRD:
                        if (!once(&opt->initrd, optarg, "--initrd"))
                                return usage_error();
                        break;
                case OPT_CMDLINE:
                        if (!once(&opt->cmdline, optarg, "--cmdline"))
                                return usage_error();
                        break;
                case OPT_SHIM:
                        if (!once(&opt->shim, optarg, "--shim"))
                                return usage_error();
                        break;
                case OPT_GRUB:
                        if (!once(&opt->grub, optarg, "--grub"))
                                return usage_error();
                        break;
                case OPT_GRUB_CFG:
                        if (!once(&opt->grub_cfg, optarg, "--grub-cfg"))
                                return usage_error();
                        break;
                case OPT_BOOT_AGGREGATE:
                        if (!once(&opt->boot_aggregate, optarg, "--boot-aggregate"))
                                return usage_error();
                        break;
                case OPT_GO_PACKAGE:
                        opt->go_package = optarg;
                        break;
                case OPT_GO_VAR:
                        opt->go_var = optarg;
                        break;
                case OPT_CREDENTIAL:
                        if (opt->credential_count == MAX_CREDENTIALS) {
                                cli_errorf("more than %u --credential options", MAX_CREDENTIALS);
                                return usage_error();
                        }
                        opt->credentials[opt->credential_count++] = optarg;
                        break;
                case OPT_MEMORY:
                        if (!parse_memory(optarg, &opt->ram_bytes))
                                return usage_error();
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
                        if (!once(&opt->write_log, optarg, "--write-log"))
                                return usage_error();
                        break;
                case 'o':
                        if (!once(&opt->output, optarg, "--output"))
                                return usage_error();
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
        if (opt->credential_count && !opt->uki) {
                cli_errorf("--credential goes with --uki: systemd-stub reads the credentials");
                return usage_error();
        }
        if (opt->uki && opt->kernel) {
                cli_errorf("--uki and --kernel exclude each other: give the new UKI, or the new kernel");
                return usage_error();
        }
        if (!opt->base || (!opt->uki && !opt->kernel)) {
                cli_errorf("predict needs --base, and either --uki or --kernel");
                return usage_error();
        }
        if ((opt->go_package || opt->go_var) && !opt->go) {
                cli_errorf("--go-package and --go-var apply only to --format go");
                return usage_error();
        }
        if (!opt->go_package)
                opt->go_package = "pcrs";
        if (!opt->go_var)
                opt->go_var = "pcrs";
        if (!pcrsim_go_identifier_valid(opt->go_package) || !pcrsim_go_identifier_valid(opt->go_var)) {
                cli_errorf("invalid Go name '%s': expected a Go identifier",
                           pcrsim_go_identifier_valid(opt->go_package) ? opt->go_var : opt->go_package);
                return usage_error();
        }
        if (opt->uki && (opt->initrd || opt->cmdline || opt->ram_bytes || opt->shim || opt->grub || opt->grub_cfg)) {
                cli_errorf("--initrd, --cmdline, --qemu-memory, --shim, --grub and --grub-cfg go with --kernel: a UKI carries its own");
                return usage_error();
        }
        if (opt->go && opt->bank && strcmp(opt->bank, "all") == 0) {
                cli_errorf("--format go writes one bank: choose it with --bank");
                return usage_error();
        }
        {
                const char *inputs[7] = { opt->base, opt->uki ? opt->uki : opt->kernel };
                size_t n = 2;

                if (opt->initrd)
                        inputs[n++] = opt->initrd;
                if (opt->shim)
                        inputs[n++] = opt->shim;
                if (opt->grub)
                        inputs[n++] = opt->grub;
                if (opt->grub_cfg)
                        inputs[n++] = opt->grub_cfg;
                if (opt->base_ima)
                        inputs[n++] = opt->base_ima;
                if (!cli_check_inputs(opt->output, inputs, n) ||
                    (opt->write_log && !cli_check_inputs(opt->write_log, inputs, n)) ||
                    (opt->boot_aggregate && !cli_check_inputs(opt->boot_aggregate, inputs, n)))
                        return usage_error();
        }
        return -1;
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
        case PCRSIM_PREDICT_QEMU_KERNEL:
                return "kernel Authenticode";
        case PCRSIM_PREDICT_SHIM:
                return "shim Authenticode";
        case PCRSIM_PREDICT_GRUB:
                return "GRUB Authenticode";
        case PCRSIM_PREDICT_GRUB_COMMAND:
                return "GRUB measurement";
        case PCRSIM_PREDICT_GRUB_FILE:
                return "GRUB file";
        case PCRSIM_PREDICT_CREDENTIALS:
                return "systemd-stub credentials";
        }
        return "unknown";
}

static void print_hex(const char *label, uint16_t alg, const uint8_t *bytes, size_t size)
{
        char hex[2 * PCRSIM_MAX_DIGEST_SIZE + 1], name[24];

        for (size_t i = 0; i < size; i++)
                snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
        pcrsim_alg_name(alg, name, sizeof(name));
        fprintf(stderr, "    %s %s %s\n", label, name, hex);
}

/* Prints the digest of bank `alg` of a change's side, or of its first
 * bank when it has none of `alg`. */
static void print_digest(const char *label, const struct pcrsim_digest *digests, uint32_t count, uint16_t alg)
{
        const struct pcrsim_digest *d = NULL;

        for (uint32_t i = 0; i < count; i++)
                if (!d || digests[i].alg == alg)
                        d = &digests[i];
        if (d && d->size)
                print_hex(label, d->alg, d->bytes, d->size);
}

/* Tells whether a replaced event keeps its digests in every bank. */
static bool same_digests(const struct pcrsim_predict_change *c)
{
        if (c->removed)
                return false;
        for (uint32_t i = 0; i < c->digest_count && i < PCRSIM_MAX_ALGORITHMS; i++)
                if (c->old_digests[i].size != c->new_digests[i].size ||
                    memcmp(c->old_digests[i].bytes, c->new_digests[i].bytes, c->new_digests[i].size) != 0)
                        return false;
        return c->digest_count > 0;
}

/* Copies `text` into `out` with control bytes escaped as \\xNN: GRUB
 * commands may span lines. */
static void escape(const char *text, char *out, size_t cap)
{
        size_t n = 0;

        for (const char *q = text; *q && n + 5 < cap; q++) {
                if ((unsigned char)*q < 0x20 || *q == 0x7F)
                        n += (size_t)snprintf(out + n, cap - n, "\\x%02x", (unsigned char)*q);
                else
                        out[n++] = *q;
        }
        out[n] = '\0';
}

static void print_explanation(const struct pcrsim_prediction *p, uint16_t alg, bool given_stub,
                              uint64_t ram_bytes)
{
        size_t changed = 0;

        for (size_t i = 0; i < p->change_count; i++)
                changed += !same_digests(&p->changes[i]);
        fprintf(stderr, "pcrsim: prediction: %zu events recomputed, %zu of them changed, added or removed; %llu base events kept as they are\n",
                p->change_count, changed, (unsigned long long)p->kept_count);
        if (p->stub_version && p->stub_version_detected)
                fprintf(stderr, "pcrsim: systemd-stub %u measurements (the version in the stub's .sdmagic section)\n",
                        p->stub_version);
        else if (p->stub_version && given_stub)
                fprintf(stderr, "pcrsim: systemd-stub %u measurements (the version given)\n", p->stub_version);
        else if (p->stub_version)
                fprintf(stderr, "pcrsim: systemd-stub %u measurements (the stub names no version; 252 is assumed)\n",
                        p->stub_version);
        for (size_t i = 0; i < p->change_count; i++) {
                const struct pcrsim_predict_change *c = &p->changes[i];
                char detail[4 * sizeof(c->detail)];

                escape(c->detail[0] ? c->detail : role_name(c->role), detail, sizeof(detail));
                if (c->base_index == PCRSIM_NO_RECORD)
                        fprintf(stderr, "  PCR %u, added: %s\n", c->pcr, detail);
                else
                        fprintf(stderr, "  PCR %u, base event %llu%s: %s%s\n", c->pcr,
                                (unsigned long long)c->base_index, c->removed ? ", removed" : "", detail,
                                same_digests(c) ? " (unchanged)" : "");
                if (c->base_index != PCRSIM_NO_RECORD)
                        print_digest("old", c->old_digests, c->digest_count, alg);
                if (!c->removed)
                        print_digest("new", c->new_digests, c->digest_count, alg);
        }
        if (p->assumption_count == 0)
                fprintf(stderr, "pcrsim: kept events that the prediction assumes unchanged: none (the others belong to the platform)\n");
        else
                fprintf(stderr, "pcrsim: kept events that the prediction assumes unchanged: %zu\n",
                        p->assumption_count);
        if (ram_bytes)
                fprintf(stderr, "pcrsim: assumed: the base boot had the %llu MiB of RAM given with --qemu-memory, because OVMF's PCR 0 depends on the RAM size\n",
                        (unsigned long long)(ram_bytes >> 20));
        for (size_t i = 0; i < p->assumption_count; i++) {
                const struct pcrsim_predict_assumption *a = &p->assumptions[i];
                const char *type = pcrsim_event_type_name(a->type);
                char name[40], detail[4 * sizeof(a->detail)];

                if (type)
                        snprintf(name, sizeof(name), "%s", type);
                else
                        snprintf(name, sizeof(name), "type 0x%08x", a->type);
                escape(a->detail, detail, sizeof(detail));
                if (detail[0])
                        fprintf(stderr, "  PCR %u, base event %llu %s \"%s\": %s\n", a->pcr,
                                (unsigned long long)a->base_index, name, detail, a->reason);
                else
                        fprintf(stderr, "  PCR %u, base event %llu %s: %s\n", a->pcr,
                                (unsigned long long)a->base_index, name, a->reason);
        }
}

/* Replays the predicted log. */
static int replay_prediction(const struct pcrsim_prediction *p, struct pcrsim_replay *replay)
{
        struct pcrsim_tcglog *walker = NULL;
        struct pcrsim_error err;
        enum pcrsim_error_code rc;

        pcrsim_error_clear(&err);
        rc = pcrsim_tcglog_open_memory(p->log, p->log_size, &walker, &err);
        if (!rc)
                rc = pcrsim_replay_tcglog(walker, replay, &err);
        pcrsim_tcglog_free(walker);
        return rc ? cli_report(&err, NULL) : EXIT_OK;
}

/* Formats the predicted values of the PCRs in `mask` into `*out`. */
static int format_values(const struct predict_options *opt, const struct pcrsim_replay *replay, uint32_t mask,
                         struct pcrsim_strbuf *out)
{
        struct pcrsim_pcr_set *set = calloc(1, sizeof(*set));
        struct pcrsim_strbuf sb;
        struct pcrsim_error err;
        enum pcrsim_error_code rc = PCRSIM_OK;
        bool all = opt->bank && strcmp(opt->bank, "all") == 0;
        const struct pcrsim_alg_info *want = pcrsim_alg_by_name(opt->bank && !all ? opt->bank : "sha256");
        int exit_code;

        pcrsim_strbuf_init(&sb);
        pcrsim_error_clear(&err);
        if (!set) {
                cli_errorf("out of memory");
                return EXIT_SYSTEM;
        }
        for (uint32_t b = 0; !rc && b < replay->bank_count; b++) {
                const struct pcrsim_replay_bank *bank = &replay->banks[b];

                if (!all && bank->alg != want->id)
                        continue;
                if (!bank->hashable || !pcrsim_replay_bank_complete(bank, mask)) {
                        if (all)
                                continue;
                        rc = pcrsim_error_set(&err, PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_OFFSET, NULL,
                                              "bank %s of the base log cannot be replayed completely",
                                              want->name);
                        break;
                }
                rc = pcrsim_replay_add_to_set(bank, mask, set, &err);
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
                        rc = pcrsim_format_go(set, opt->go_package, opt->go_var, &sb, &err);
                else
                        rc = pcrsim_format_text(set, &sb, &err);
        }
        exit_code = rc ? cli_report(&err, NULL) : EXIT_OK;
        if (rc)
                pcrsim_strbuf_free(&sb);
        else
                *out = sb;
        free(set);
        return exit_code;
}

/*
 * Predicts the boot_aggregate, IMA's first entry, under the rule that the
 * base boot's IMA list follows (PCRs 0-7 or 0-9 of the bank its entry
 * names), and prints it with the base boot's value.
 */
static int print_boot_aggregate(const struct predict_options *opt, const struct boot *base,
                                const struct pcrsim_replay *predicted, uint32_t unpredicted,
                                struct pcrsim_strbuf *text)
{
        const struct pcrsim_boot_aggregate *ba = base->ima ? &base->ima->boot_aggregate : NULL;
        uint8_t value[PCRSIM_MAX_DIGEST_SIZE];
        char hex[2 * PCRSIM_MAX_DIGEST_SIZE + 1];
        uint32_t last;
        uint16_t size = 0;
        struct pcrsim_error err;

        const char *unpredicted_reason = NULL;

        if (!ba)
                unpredicted_reason = base->tcg_path && strcmp(base->tcg_path, base->arg) == 0 ?
                              "the base boot has no IMA list, so the boot_aggregate is not predicted (give it with --base-ima)" :
                              "the base boot has no IMA list, so the boot_aggregate is not predicted";
        else if (ba->verdict != PCRSIM_BOOT_AGGREGATE_MATCH_0_7 && ba->verdict != PCRSIM_BOOT_AGGREGATE_MATCH_0_9)
                unpredicted_reason = "the base boot's boot_aggregate matches neither PCRs 0-7 nor PCRs 0-9 of its event log, so the rule for the new one is not known and it is not predicted";
        else if (unpredicted & ((1u << (ba->verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_7 ? 8 : 10)) - 1))
                unpredicted_reason = "the boot_aggregate covers PCR 4, which is not predicted, so neither is the boot_aggregate";
        if (unpredicted_reason && opt->boot_aggregate) {
                cli_errorf("--boot-aggregate: %s", unpredicted_reason);
                return EXIT_INVALID;
        }
        if (unpredicted_reason) {
                cli_notef(opt->quiet, "%s", unpredicted_reason);
                return EXIT_OK;
        }
        last = ba->verdict == PCRSIM_BOOT_AGGREGATE_MATCH_0_7 ? 7 : 9;
        pcrsim_error_clear(&err);
        if (pcrsim_boot_aggregate_value(predicted, ba->alg, last, value, &size, &err))
                return cli_report(&err, NULL);
        for (uint16_t i = 0; i < size; i++)
                snprintf(hex + 2 * i, 3, "%02x", value[i]);
        cli_notef(opt->quiet, "predicted boot_aggregate (%s over PCRs 0-%u, as in the base boot): %s:%s",
                  ba->algo, last, ba->algo, hex);
        if (opt->explain) {
                fprintf(stderr, "pcrsim: boot_aggregate (%s over PCRs 0-%u):\n", ba->algo, last);
                print_hex("base", ba->alg, ba->logged, ba->size);
                print_hex("new", ba->alg, value, size);
        }
        pcrsim_strbuf_printf(text, "%s:%s\n", ba->algo, hex);
        return EXIT_OK;
}

/* The contents of an optional input: NULL when the option is absent, and
 * a valid pointer for an empty file, whose data boot_read_file() may leave
 * NULL. */
static const uint8_t *present(const char *option, const uint8_t *data)
{
        static const uint8_t empty[1];

        if (!option)
                return NULL;
        if (!data)
                return empty;
        return data;
}

int cmd_predict(int argc, char **argv)
{
        struct predict_options opt = { 0 };
        struct pcrsim_prediction p;
        struct pcrsim_replay *replay = NULL;
        struct pcrsim_strbuf aggregate, values;
        struct pcrsim_error err;
        struct boot base;
        uint8_t *log = NULL, *image = NULL, *initrd = NULL, *shim = NULL, *grub = NULL, *grub_cfg = NULL;
        uint8_t *credential_data[MAX_CREDENTIALS] = { 0 };
        size_t log_size = 0, image_size = 0, initrd_size = 0, shim_size = 0, grub_size = 0, grub_cfg_size = 0;
        uint16_t bank = 0;
        uint32_t mask;
        int rc;

        memset(&p, 0, sizeof(p));
        memset(&base, 0, sizeof(base));
        pcrsim_strbuf_init(&aggregate);
        pcrsim_strbuf_init(&values);
        rc = parse_options(argc, argv, &opt);
        if (rc >= 0)
                return rc;
        rc = boot_load(&base, opt.base, opt.base_ima, &bank, true);
        if (!rc)
                rc = boot_read_file(base.tcg_path, &log, &log_size);
        if (!rc)
                rc = boot_read_file(opt.uki ? opt.uki : opt.kernel, &image, &image_size);
        if (!rc && opt.initrd)
                rc = boot_read_file(opt.initrd, &initrd, &initrd_size);
        if (!rc && opt.shim)
                rc = boot_read_file(opt.shim, &shim, &shim_size);
        if (!rc && opt.grub)
                rc = boot_read_file(opt.grub, &grub, &grub_size);
        if (!rc && opt.grub_cfg)
                rc = boot_read_file(opt.grub_cfg, &grub_cfg, &grub_cfg_size);
        if (rc)
                goto out;
        pcrsim_error_clear(&err);
        if (opt.uki) {
                struct pcrsim_predict_credential creds[MAX_CREDENTIALS];
                size_t n = 0;

                for (; !rc && n < opt.credential_count; n++) {
                        const char *slash = strrchr(opt.credentials[n], '/');

                        creds[n].name = slash ? slash + 1 : opt.credentials[n];
                        rc = boot_read_file(opt.credentials[n], &credential_data[n], &creds[n].size);
                        creds[n].data = present(opt.credentials[n], credential_data[n]);
                }
                if (rc)
                        goto out;
                rc = pcrsim_predict_uki(log, log_size, image, image_size, opt.stub_version, creds, n, &p, &err);
        } else if (pcrsim_predict_is_grub_boot(log, log_size)) {
                struct pcrsim_predict_grub in = {
                        .kernel = image,
                        .kernel_size = image_size,
                        .initrd = present(opt.initrd, initrd),
                        .initrd_size = initrd_size,
                        .grub_cfg = (const char *)present(opt.grub_cfg, grub_cfg),
                        .grub_cfg_size = grub_cfg_size,
                        .shim = shim,
                        .shim_size = shim_size,
                        .grub = grub,
                        .grub_size = grub_size,
                };

                if (opt.cmdline) {
                        cli_errorf("%s booted through GRUB, which takes the kernel command line from grub.cfg: give --grub-cfg instead of --cmdline",
                                   opt.base);
                        rc = EXIT_INVALID;
                        goto out;
                }
                if (opt.ram_bytes) {
                        cli_errorf("%s booted through GRUB: --qemu-memory applies to QEMU's direct kernel boot only",
                                   opt.base);
                        rc = EXIT_INVALID;
                        goto out;
                }
                rc = pcrsim_predict_grub(log, log_size, &in, &p, &err);
        } else {
                struct pcrsim_predict_direct in = {
                        .kernel = image,
                        .kernel_size = image_size,
                        .initrd = present(opt.initrd, initrd),
                        .initrd_size = initrd_size,
                        .cmdline = opt.cmdline,
                        .ram_bytes = opt.ram_bytes,
                };

                if (opt.shim || opt.grub || opt.grub_cfg) {
                        cli_errorf("%s did not boot through GRUB: --shim, --grub and --grub-cfg do not apply",
                                   opt.base);
                        rc = EXIT_INVALID;
                        goto out;
                }
                if (!opt.cmdline) {
                        cli_errorf("a direct kernel boot needs --cmdline, the -append string (\"\" for none)");
                        rc = EXIT_INVALID;
                        goto out;
                }
                rc = pcrsim_predict_direct(log, log_size, &in, &p, &err);
        }
        if (rc) {
                const char *name = base.tcg_path;

                switch (p.failed_input) {
                case PCRSIM_PREDICT_INPUT_IMAGE:
                        name = opt.uki ? opt.uki : opt.kernel;
                        break;
                case PCRSIM_PREDICT_INPUT_SHIM:
                        name = opt.shim;
                        break;
                case PCRSIM_PREDICT_INPUT_GRUB:
                        name = opt.grub;
                        break;
                case PCRSIM_PREDICT_INPUT_GRUB_CFG:
                        name = opt.grub_cfg;
                        break;
                case PCRSIM_PREDICT_INPUT_NONE:
                        /* The message names what it is about. */
                        name = NULL;
                        break;
                case PCRSIM_PREDICT_INPUT_BASE:
                        break;
                }
                rc = cli_report(&err, name);
                goto out;
        }
        if (opt.explain) {
                const struct pcrsim_alg_info *info = pcrsim_alg_by_name(opt.bank && strcmp(opt.bank, "all") != 0 ?
                                                                                opt.bank : "sha256");

                print_explanation(&p, info ? info->id : 0x000B, opt.stub_version != 0, opt.ram_bytes);
        }
        mask = 0xFFFFFFu & ~(1u << 10) & ~p.unpredicted_pcrs;
        if (p.unpredicted_pcrs & (1u << 4))
                cli_notef(opt.quiet, "PCR 4 is not predicted: the kernel image that OVMF measures in a direct boot depends on the guest's RAM size; give it with --qemu-memory");
        if (opt.ram_bytes)
                cli_notef(opt.quiet, "the prediction assumes that the base boot had %llu MiB of RAM too: OVMF's PCR 0 depends on the RAM size",
                          (unsigned long long)(opt.ram_bytes >> 20));
        if (p.unsigned_under_secure_boot)
                cli_warnf("the base boot ran under Secure Boot, and %s is not signed: the firmware would not start it",
                          opt.uki ? opt.uki : opt.kernel);
        cli_notef(opt.quiet, "PCR 10 is not predicted: IMA extends it at run time");
        if (opt.write_log && p.unpredicted_pcrs) {
                cli_errorf("--write-log: the predicted log would keep the base boot's PCR 4 event, which the prediction leaves out; give --qemu-memory");
                rc = EXIT_INVALID;
                goto out;
        }
        /* Every output is computed before the first is written. */
        replay = calloc(1, sizeof(*replay));
        if (!replay) {
                cli_errorf("out of memory");
                rc = EXIT_SYSTEM;
                goto out;
        }
        rc = replay_prediction(&p, replay);
        if (!rc)
                rc = print_boot_aggregate(&opt, &base, replay, p.unpredicted_pcrs, &aggregate);
        if (!rc)
                rc = format_values(&opt, replay, mask, &values);
        if (!rc && opt.write_log) {
                struct pcrsim_strbuf sb;

                pcrsim_strbuf_init(&sb);
                pcrsim_strbuf_append(&sb, (const char *)p.log, p.log_size);
                rc = cli_write_output(&sb, opt.write_log);
                pcrsim_strbuf_free(&sb);
        }
        if (!rc && opt.boot_aggregate)
                rc = cli_write_output(&aggregate, opt.boot_aggregate);
        if (!rc)
                rc = cli_write_output(&values, opt.output);
out:
        pcrsim_strbuf_free(&aggregate);
        pcrsim_strbuf_free(&values);
        pcrsim_prediction_free(&p);
        boot_free(&base);
        free(replay);
        free(log);
        free(image);
        free(initrd);
        free(shim);
        free(grub);
        free(grub_cfg);
        for (size_t i = 0; i < MAX_CREDENTIALS; i++)
                free(credential_data[i]);
        return rc;
}
