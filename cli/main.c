/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef PCRSIM_VERSION
#define PCRSIM_VERSION "unknown"
#endif

static const char main_usage[] =
        "Usage: pcrsim COMMAND [OPTIONS] [ARGS]\n"
        "\n"
        "Offline TPM PCR simulator: recompute PCR values from TCG event logs.\n"
        "\n"
        "Commands:\n"
        "  replay         replay a TCG event log (and an IMA list) and print the PCRs\n"
        "  events         print every event with its decoded data and digest checks\n"
        "  compare        compare a replayed log with reference PCR values\n"
        "  verify-quote   check a TPM quote's signature, nonce and PCR digest\n"
        "  check-vectors  replay recorded vector folders and compare each with the\n"
        "                 values its MANIFEST.yaml expects\n"
        "  diff           list the events behind every PCR that differs between two\n"
        "                 boots\n"
        "  measurements   write the measurement config of a platform: expected\n"
        "                 values of the PCRs its policy enforces or warns on\n"
        "  explain        classify each PCR of several boots as identical or varying,\n"
        "                 and name the events behind each variation\n"
        "  predict        predict the PCRs of a new image (UKI, kernel for QEMU's direct\n"
        "                 boot, or kernel, grub.cfg and loaders for shim and GRUB) from a\n"
        "                 recorded boot of another image on the same platform\n"
        "  help           print help for a command\n"
        "\n"
        "Options:\n"
        "  -h, --help     print this help\n"
        "  -V, --version  print the version\n"
        "\n"
        "Run 'pcrsim COMMAND --help' for a command's options. Exit status:\n"
        "0 success, 1 a comparison or check found a difference or could not\n"
        "complete, 2 usage error or invalid input, 3 I/O or system error.\n";

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
} commands[] = {
        { "replay", cmd_replay },
        { "events", cmd_events },
        { "compare", cmd_compare },
        { "verify-quote", cmd_verify_quote },
        { "check-vectors", cmd_check_vectors },
        { "measurements", cmd_measurements },
        { "diff", cmd_diff },
        { "explain", cmd_explain },
        { "predict", cmd_predict },
};

static int run_command(const char *name, int argc, char **argv)
{
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                char prefix[64];

                if (strcmp(name, commands[i].name) != 0)
                        continue;
                /* getopt prefixes its messages with argv[0]. */
                snprintf(prefix, sizeof(prefix), "%s %s", PROGRAM_NAME, name);
                argv[0] = prefix;
                return commands[i].run(argc, argv);
        }
        cli_errorf("unknown command '%s'", name);
        fprintf(stderr, "Try 'pcrsim --help'.\n");
        return EXIT_INVALID;
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                fputs(main_usage, stderr);
                return EXIT_INVALID;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                fputs(main_usage, stdout);
                return EXIT_OK;
        }
        if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
                printf("pcrsim %s\n", PCRSIM_VERSION);
                return EXIT_OK;
        }
        if (strcmp(argv[1], "help") == 0) {
                char *help_argv[] = { argv[2], "--help", NULL };

                if (argc < 3 || strcmp(argv[2], "help") == 0 ||
                    strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
                        fputs(main_usage, stdout);
                        return EXIT_OK;
                }
                return run_command(argv[2], 2, help_argv);
        }
        if (argv[1][0] == '-') {
                cli_errorf("unknown option '%s'", argv[1]);
                fprintf(stderr, "Try 'pcrsim --help'.\n");
                return EXIT_INVALID;
        }
        return run_command(argv[1], argc - 1, argv + 1);
}
