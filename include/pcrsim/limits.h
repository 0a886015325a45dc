/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PCRSIM_LIMITS_H
#define PCRSIM_LIMITS_H

/*
 * Caps on sizes and counts read from untrusted input. Each reader checks
 * against these before it allocates or loops, and exceeding one is a
 * PCRSIM_ERR_LIMIT error of its own. The values are far above anything
 * seen in real firmware logs, so a real log never reaches them.
 */

/* Largest TCG event log, counted up to the end of its last record. The
 * real firmware logs that pcrsim is tested with are below 100 KiB. IMA
 * lists have no total limit, because they are streamed. */
#define PCRSIM_MAX_TCG_LOG_SIZE (256u * 1024u * 1024u)

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

/* Most nodes of one EFI device path, over all its instances, and most
 * nodes in one instance. The boot device paths of the real logs that
 * pcrsim is tested with have fewer than 16 nodes. */
#define PCRSIM_MAX_DEVICE_PATH_NODES 1024u
#define PCRSIM_MAX_DEVICE_PATH_DEPTH 64u

/* Maximum size in input bytes of a string that the event decoders render
 * as text. Longer strings are cut there and end with a note giving their
 * size. */
#define PCRSIM_MAX_STRING_SIZE 65536u

/* Largest file of reference PCR values, and most values in one. A file
 * with every PCR of every bank has 24 values per bank. */
#define PCRSIM_MAX_REFERENCE_SIZE (4u * 1024u * 1024u)
#define PCRSIM_MAX_REFERENCE_VALUES (PCRSIM_PCR_COUNT * PCRSIM_MAX_ALGORITHMS)

/* Deepest nesting of mappings and sequences in a YAML or JSON input. The
 * formats pcrsim reads need fewer than 8 levels. */
#define PCRSIM_MAX_YAML_DEPTH 64u

/* Most cells of the table that aligns the events of one PCR of two boots
 * after their common start and end: 4M cells of 4 bytes. Past it, the
 * middle is paired by position. */
#define PCRSIM_MAX_DIFF_CELLS (4u * 1024u * 1024u)

/* Largest MANIFEST.yaml of a vector folder, and most files it may list.
 * The largest manifests seen are under 32 KiB and list under 100 files. */
#define PCRSIM_MAX_MANIFEST_SIZE (1024u * 1024u)
#define PCRSIM_MAX_MANIFEST_FILES 1024u

/* Largest platform policy file (policies/NAME.yaml). The policies that
 * pcrsim ships are under 25 KiB. */
#define PCRSIM_MAX_POLICY_SIZE (256u * 1024u)

/* Maximum number of sections of a PE/COFF image. systemd-stub 252 rejects
 * images with more than 96, and the lab's UKI, built with objcopy, has 12. */
#define PCRSIM_MAX_PE_SECTIONS 1024u

/* Maximum number of zero bytes that a UKI section measurement adds after
 * the section's raw data. The loader fills a section with zeros where its
 * VirtualSize exceeds its SizeOfRawData. objcopy stores each added section
 * with SizeOfRawData >= VirtualSize, so the lab's UKI needs none. */
#define PCRSIM_MAX_UKI_ZERO_FILL (64u * 1024u * 1024u)

/* Maximum size of a grub.cfg that predict runs. Debian's generated
 * configs are a few KiB. */
#define PCRSIM_MAX_GRUB_CFG_SIZE (1024u * 1024u)

/* Maximum number of measurements that one grub.cfg run makes. */
#define PCRSIM_MAX_GRUB_STEPS 4096u

/* Number of PCRs of a PC Client TPM. */
#define PCRSIM_PCR_COUNT 24u

/* Most selections of a TPML_PCR_SELECTION: TPM2_NUM_PCR_BANKS, 16 in the
 * tpm2-tss headers, which libtss2-mu enforces when it parses one. */
#define PCRSIM_MAX_PCR_SELECTIONS 16u

/* Largest TPMS_ATTEST, TPMT_SIGNATURE and public-key file (TPM2B_PUBLIC,
 * PEM or DER) accepted by the quote readers. A TPM2B_ATTEST has room for
 * 2304 bytes, and a TPMT_SIGNATURE of a 4096-bit RSA key is 518 bytes. A
 * quote over every PCR of 16 banks is under 400 bytes. */
#define PCRSIM_MAX_QUOTE_ATTEST_SIZE 4096u
#define PCRSIM_MAX_QUOTE_SIGNATURE_SIZE 4096u
#define PCRSIM_MAX_QUOTE_KEY_SIZE 16384u

/* Most value lists (TPML_DIGEST) in a tpm2-tools PCR file. tpm2-tools 5.x
 * keeps them in an array of TPM2_MAX_PCRS (32) entries. The file size
 * follows from the count: 136 bytes, then 532 bytes per list. */
#define PCRSIM_MAX_PCR_FILE_DIGEST_LISTS 32u
#define PCRSIM_MAX_PCR_FILE_SIZE (136u + 532u * PCRSIM_MAX_PCR_FILE_DIGEST_LISTS)

#endif
