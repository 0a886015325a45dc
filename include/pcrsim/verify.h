/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_VERIFY_H
#define PCRSIM_VERIFY_H

#include <stdint.h>

#include "pcrsim/error.h"
#include "pcrsim/tcglog.h"

/* Whether an event's logged digest is the hash of its data. */
enum pcrsim_digest_verdict {
        PCRSIM_DIGEST_VALID,
        PCRSIM_DIGEST_INVALID,
        /* The digest covers bytes that the log does not contain (a firmware
         * volume, an EFI application, a file), so it cannot be checked. */
        PCRSIM_DIGEST_NOT_CHECKABLE,
        /* The digest differs from the specification's rule in a way that
         * known firmware or boot loaders do; not a sign of tampering. */
        PCRSIM_DIGEST_KNOWN_DEVIATION,
};

struct pcrsim_digest_check {
        enum pcrsim_digest_verdict verdict;
        char reason[192];
};

/* State carried from event to event: systemd-stub logs each UKI section
 * as two events with the same data. */
struct pcrsim_verifier {
        uint32_t last_pcr11_size;
        uint8_t last_pcr11_data[64];
        bool last_pcr11_was_name;
};

void pcrsim_verifier_init(struct pcrsim_verifier *v);

/*
 * Checks every digest of `ev` against its data, by the rule that the TCG
 * PC Client Platform Firmware Profile, GRUB, systemd-stub or shim define
 * for the event, and fills checks[i] for ev->digests[i]. A bank whose hash
 * OpenSSL lacks is NOT_CHECKABLE. Fails only when OpenSSL fails.
 */
enum pcrsim_error_code pcrsim_verify_event(struct pcrsim_verifier *v,
                                           const struct pcrsim_event *ev,
                                           struct pcrsim_digest_check *checks,
                                           struct pcrsim_error *err);

/* Returns "valid", "invalid", "not-checkable" or "known-deviation". */
const char *pcrsim_digest_verdict_name(enum pcrsim_digest_verdict verdict);

#endif
