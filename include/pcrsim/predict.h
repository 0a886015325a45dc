/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_PREDICT_H
#define PCRSIM_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/limits.h"
#include "pcrsim/tcglog.h"

/*
 * Prediction of the event log of an unreleased image: the events of a
 * recorded boot that belong to the old image are replaced with the
 * measurements of the new image's files, and every other event is kept.
 */

enum pcrsim_predict_role {
        PCRSIM_PREDICT_UKI,          /* PCR 4: the UKI's Authenticode digest */
        PCRSIM_PREDICT_KERNEL,       /* PCR 4: the kernel that the stub loads */
        PCRSIM_PREDICT_UKI_SECTION,  /* PCR 11: systemd-stub's section events */
        PCRSIM_PREDICT_LOAD_OPTIONS, /* PCR 9: the EFI stub's command line event */
        PCRSIM_PREDICT_INITRD,       /* PCR 9: the EFI stub's initrd event */
        PCRSIM_PREDICT_QEMU_KERNEL,  /* PCR 4: the kernel QEMU hands to OVMF */
        PCRSIM_PREDICT_SHIM,         /* PCR 4: shim's Authenticode digest */
        PCRSIM_PREDICT_GRUB,         /* PCR 4: GRUB's Authenticode digest */
        PCRSIM_PREDICT_GRUB_COMMAND, /* PCR 8: a command GRUB ran, or the kernel command line */
        PCRSIM_PREDICT_GRUB_FILE,    /* PCR 9: a file GRUB read */
        PCRSIM_PREDICT_CREDENTIALS,  /* PCR 12: systemd-stub's credentials archive */
};

/* A kept event of the base log that the prediction cannot tie to the
 * platform: the prediction assumes that the new image leaves it as it
 * is, and a reviewer should check that. */
struct pcrsim_predict_assumption {
        uint64_t base_index;
        uint32_t pcr;
        uint32_t type;
        const char *reason;   /* static text */
        char detail[64];      /* the event's string (GRUB, shim), or "" */
};

/* One event of the base log that the prediction replaced, removed, or
 * added. */
struct pcrsim_predict_change {
        enum pcrsim_predict_role role;
        uint64_t base_index;  /* event in the base log, PCRSIM_NO_RECORD if added */
        uint32_t pcr;
        bool removed;         /* in the base log, and not in the prediction */
        char detail[48];      /* such as ".cmdline name" or "LOADED_IMAGE::LoadOptions" */
        uint32_t digest_count;
        struct pcrsim_digest old_digests[PCRSIM_MAX_ALGORITHMS]; /* none if added */
        struct pcrsim_digest new_digests[PCRSIM_MAX_ALGORITHMS]; /* none if removed */
};

/* The input that a failed prediction could not use, so that errors name
 * the right file. */
enum pcrsim_predict_input {
        PCRSIM_PREDICT_INPUT_NONE,
        PCRSIM_PREDICT_INPUT_BASE,   /* the base event log */
        PCRSIM_PREDICT_INPUT_IMAGE,  /* the UKI or the kernel */
        PCRSIM_PREDICT_INPUT_SHIM,
        PCRSIM_PREDICT_INPUT_GRUB,
        PCRSIM_PREDICT_INPUT_GRUB_CFG,
};

struct pcrsim_prediction {
        uint8_t *log;         /* the predicted crypto-agile event log */
        size_t log_size;
        size_t change_count;
        struct pcrsim_predict_change *changes;
        uint64_t kept_count;  /* base events copied unchanged */
        size_t assumption_count;
        struct pcrsim_predict_assumption *assumptions;
        /* PCRs whose predicted value is the base boot's, because the
         * inputs do not determine them (PCR 4 of a direct boot without the
         * guest's RAM size). Never print them as predicted. */
        uint32_t unpredicted_pcrs;
        /* After a failure: the input that the error's offset refers to. */
        enum pcrsim_predict_input failed_input;
        /* UKI: the systemd-stub version whose measurements were used, and
         * whether it came from the stub's own .sdmagic string. */
        unsigned stub_version;
        bool stub_version_detected;
        /* The base boot verified images with Secure Boot (PCR 7 has an
         * authority event), and the new UKI or kernel carries no
         * signature, so the firmware would not start it. */
        bool unsigned_under_secure_boot;
};

/*
 * Predicts the event log of a boot of the unified kernel image `uki` from
 * `base`, the crypto-agile event log of a recorded boot of another UKI on
 * the same platform, with systemd-stub version `stub_version`, or with 0
 * the version that the stub's .sdmagic section names (252 when it names
 * none). A given version that differs from the .sdmagic one is an
 * UNSUPPORTED error. It
 * replaces, in every bank of the base log:
 * - in PCR 4, the first EV_EFI_BOOT_SERVICES_APPLICATION event after the
 *   separator with the UKI's Authenticode digest and, when the base boot
 *   logged a second one (a boot without Secure Boot, where the stub loads
 *   the kernel with LoadImage), that one with the Authenticode digest of
 *   the UKI's .linux section;
 * - in PCR 11, systemd-stub's EV_IPL events with those of the new UKI;
 * - in PCR 9, the Linux EFI stub's LoadOptions and initrd events with the
 *   digests of the .cmdline section in UTF-16LE with its NUL, and of the
 *   .initrd section.
 * Fails with UNSUPPORTED, naming what is missing, when the base boot does
 * not have that structure (a SHA-1 format log, a kernel loaded before the
 * PCR 4 separator as in a direct boot, more than two applications, no
 * systemd-stub events).
 */
/* A system credential that systemd-stub reads from \loader\credentials
 * on the ESP: a file whose name ends in ".cred". */
struct pcrsim_predict_credential {
        const char *name;        /* the file name, ASCII, without a folder */
        const uint8_t *data;
        size_t size;
};

/*
 * With `credentials` (global system credentials on the ESP), systemd-stub
 * packs them into a cpio archive ("Global credentials initrd", PCR 12) and
 * serves it after the UKI's .initrd, so that the kernel's PCR 9 initrd
 * event covers both. A base boot with that event needs the credentials of
 * the new boot. A base boot with other PCR 12 or 13 events of the stub is
 * rejected: a command line from the boot loader, per-UKI credentials or
 * system extensions.
 */
enum pcrsim_error_code pcrsim_predict_uki(const void *base, size_t base_size, const void *uki,
                                          size_t uki_size, unsigned stub_version,
                                          const struct pcrsim_predict_credential *credentials,
                                          size_t credential_count,
                                          struct pcrsim_prediction *out, struct pcrsim_error *err);

/* The new image of a QEMU direct kernel boot (-kernel, -initrd, -append). */
struct pcrsim_predict_direct {
        const uint8_t *kernel;
        size_t kernel_size;
        const uint8_t *initrd;   /* NULL: the boot has no initrd */
        size_t initrd_size;
        const char *cmdline;     /* the -append string, "" for none */
        /* The guest's RAM size in bytes (-m), which the kernel image that
         * OVMF measures depends on; 0 when unknown, and then PCR 4 is not
         * predicted. */
        uint64_t ram_bytes;
};

/*
 * Predicts the event log of a QEMU direct kernel boot of `in` from `base`,
 * the crypto-agile log of a recorded direct boot on the same platform
 * (OVMF). Three events change:
 * - the PCR 4 application event before the separator gets the
 *   Authenticode digest of the kernel as QEMU patches it (pcrsim/qemu.h);
 * - the Linux EFI stub's LoadOptions event gets the UTF-16LE command line
 *   that OVMF passes: the -append string, then " initrd=initrd" when there
 *   is an initrd, then a NUL;
 * - its initrd event gets the digest of the initrd file.
 * Fails with UNSUPPORTED when the base is not such a boot, or when its
 * initrd and `in` disagree on whether there is one.
 */
enum pcrsim_error_code pcrsim_predict_direct(const void *base, size_t base_size,
                                             const struct pcrsim_predict_direct *in,
                                             struct pcrsim_prediction *out, struct pcrsim_error *err);

/* The new files of a boot through GRUB, with or without shim. */
struct pcrsim_predict_grub {
        const uint8_t *kernel;
        size_t kernel_size;
        const uint8_t *initrd;   /* NULL: the boot has no initrd */
        size_t initrd_size;
        const char *grub_cfg;    /* NULL: GRUB's commands are the base boot's */
        size_t grub_cfg_size;
        const uint8_t *shim;     /* NULL: the base boot's shim */
        size_t shim_size;
        const uint8_t *grub;     /* NULL: the base boot's GRUB */
        size_t grub_size;
};

/*
 * Predicts the event log of a boot through GRUB 2.06 (after shim, when the
 * base boot started one) from `base`, a recorded boot of another kernel
 * with the same loaders:
 * - PCR 4: shim's and GRUB's application events get the Authenticode
 *   digests of the new binaries when given, the kernel's events (those
 *   after GRUB's linux command) that of the new kernel;
 * - PCR 9: the files GRUB read for the linux and initrd commands get the
 *   digests of the new kernel and initrd;
 * - with a grub.cfg: the file's PCR 9 event gets its digest, and the PCR
 *   8, 9 and 4 events after it are those that running it makes
 *   (pcrsim/grub.h), with the kernel and initrd paths it names.
 * Without a grub.cfg, GRUB's commands are kept, and the kernel and initrd
 * are the files at the base boot's paths.
 */
enum pcrsim_error_code pcrsim_predict_grub(const void *base, size_t base_size,
                                           const struct pcrsim_predict_grub *in,
                                           struct pcrsim_prediction *out, struct pcrsim_error *err);

/* Tells whether the base log is a boot through GRUB: it has GRUB's PCR 8
 * command events. */
bool pcrsim_predict_is_grub_boot(const void *base, size_t base_size);

void pcrsim_prediction_free(struct pcrsim_prediction *p);

#endif
