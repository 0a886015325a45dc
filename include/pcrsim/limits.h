/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_LIMITS_H
#define PCRSIM_LIMITS_H

/*
 * Caps on sizes and counts read from untrusted input. Each reader checks
 * against these before it allocates or loops, and exceeding one is a
 * PCRSIM_ERR_LIMIT error of its own. The values are far above anything
 * seen in real firmware logs, so a real log never reaches them.
 */

/* Largest event data of one TCG event log record. The largest records in
 * real logs are Secure Boot databases and option ROM images, well under
 * 1 MiB. */
#define PCRSIM_MAX_EVENT_SIZE (16u * 1024u * 1024u)

/* Largest digest that any TPM algorithm produces (SHA-512, SHA3-512). */
#define PCRSIM_MAX_DIGEST_SIZE 64u

/* Most algorithms a Spec ID event may declare. TPM 2.0 defines fewer than
 * ten hash algorithms. */
#define PCRSIM_MAX_ALGORITHMS 16u

/* Largest run of zero bytes accepted as padding after the last record. */
#define PCRSIM_MAX_ZERO_PADDING (16u * 1024u * 1024u)

/* Longest IMA template name: a template such as "ima-ng", or the field
 * list of a custom ima_template_fmt such as "d-ng|n-ng|sig". */
#define PCRSIM_MAX_IMA_TEMPLATE_NAME 255u

/* Largest template data of one IMA entry. File signatures and ima-buf
 * buffers keep real entries below a few kilobytes. */
#define PCRSIM_MAX_IMA_TEMPLATE_DATA (16u * 1024u * 1024u)

/* Maximum length of a line of an ASCII IMA list: the template data in hex, plus the
 * other columns. */
#define PCRSIM_MAX_IMA_LINE (2u * PCRSIM_MAX_IMA_TEMPLATE_DATA + 4096u)

/* Most fields of one IMA template. */
#define PCRSIM_MAX_IMA_FIELDS 16u

/* Number of PCRs of a PC Client TPM. */
#define PCRSIM_PCR_COUNT 24u

#endif
