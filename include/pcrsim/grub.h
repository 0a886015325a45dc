/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_GRUB_H
#define PCRSIM_GRUB_H

#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"

/*
 * The measurements that GRUB 2 (2.06, the version Debian 12 signs) makes
 * while it runs a grub.cfg and boots its default entry. GRUB extends PCR 8
 * with each command it runs: "grub_cmd: " and the words of the command
 * after expansion, joined by spaces. It also extends PCR 8 with the kernel
 * command line ("kernel_cmdline: " and the kernel path with its
 * arguments), and PCR 9 with each file it reads.
 *
 * pcrsim models a subset of the GRUB script language: commands with
 * quoted and unquoted words, comments, variables set with `set`,
 * `menuentry` blocks, and in them `linux` and `initrd`. Whatever could
 * read files or depend on the machine (`if`, loops, functions, `source`,
 * `search`, variables that GRUB sets itself) is rejected with UNSUPPORTED
 * and the line, since its measurements cannot be known from the file.
 */

enum pcrsim_grub_step_kind {
        PCRSIM_GRUB_COMMAND,        /* PCR 8: "grub_cmd: TEXT" */
        PCRSIM_GRUB_KERNEL_FILE,    /* PCR 9: the kernel file at TEXT */
        PCRSIM_GRUB_KERNEL_IMAGE,   /* PCR 4: the kernel's Authenticode digest */
        PCRSIM_GRUB_KERNEL_CMDLINE, /* PCR 8: "kernel_cmdline: TEXT" */
        PCRSIM_GRUB_INITRD_FILE,    /* PCR 9: an initrd file at TEXT */
};

/* One measurement, in the order GRUB makes them. */
struct pcrsim_grub_step {
        enum pcrsim_grub_step_kind kind;
        char *text;      /* command text or file path, NUL-terminated */
        size_t length;   /* strlen(text) */
        uint32_t line;   /* line of grub.cfg that caused it */
};

struct pcrsim_grub_boot {
        size_t step_count;
        struct pcrsim_grub_step *steps;
        char *entry_title;  /* the entry that GRUB boots */
};

/*
 * Runs the grub.cfg of `size` bytes at `cfg` as GRUB would when it boots
 * the default entry without user input, and lists its measurements in
 * `*out`, which the caller frees with pcrsim_grub_boot_free(). The
 * default entry is the one that `set default=` names (by index, title or
 * --id), else the first. Errors name the line in err->record (noun
 * "line", counted from 1) and the byte offset.
 */
enum pcrsim_error_code pcrsim_grub_run_config(const char *cfg, size_t size, struct pcrsim_grub_boot *out,
                                              struct pcrsim_error *err);

void pcrsim_grub_boot_free(struct pcrsim_grub_boot *boot);

#endif
