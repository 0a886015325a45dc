/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pcrsim/format.h"

/* Reserved words of the Go specification, "Keywords". */
static const char *const go_keywords[] = {
        "break", "case", "chan", "const", "continue", "default", "defer",
        "else", "fallthrough", "for", "func", "go", "goto", "if", "import",
        "interface", "map", "package", "range", "return", "select", "struct",
        "switch", "type", "var",
};

/* Accepts ASCII identifiers only: Go allows Unicode letters too, but a
 * generated file has no need for them. */
bool pcrsim_go_identifier_valid(const char *name)
{
        if (!name || !name[0] || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
                return false;
        for (const char *p = name; *p; p++)
                if (!(isalnum((unsigned char)*p) || *p == '_'))
                        return false;
        for (size_t i = 0; i < sizeof(go_keywords) / sizeof(go_keywords[0]); i++)
                if (strcmp(name, go_keywords[i]) == 0)
                        return false;
        /* "_" names no package and declares nothing; a package-level
         * variable cannot be called init. */
        return strcmp(name, "_") != 0 && strcmp(name, "init") != 0;
}

static int decimal_width(uint32_t n)
{
        return n >= 10 ? 2 : 1;
}

enum pcrsim_error_code pcrsim_format_go(const struct pcrsim_pcr_set *set,
                                        const char *package, const char *var,
                                        struct pcrsim_strbuf *out,
                                        struct pcrsim_error *err)
{
        const struct pcrsim_pcr_bank *bank;
        int key_width = 0;

        if (set->bank_count != 1 || !pcrsim_go_identifier_valid(package) ||
            !pcrsim_go_identifier_valid(var))
                return pcrsim_error_set(err, PCRSIM_ERR_INTERNAL, PCRSIM_NO_OFFSET, NULL,
                                        "Go output needs one bank and valid identifiers");
        bank = &set->banks[0];
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++)
                if (bank->pcrs[pcr].present && decimal_width(pcr) > key_width)
                        key_width = decimal_width(pcr);

        pcrsim_strbuf_printf(out, "package %s\n\nvar %s = map[uint32][]byte{\n",
                             package, var);
        for (uint32_t pcr = 0; pcr < PCRSIM_PCR_COUNT; pcr++) {
                if (!bank->pcrs[pcr].present)
                        continue;
                /* gofmt aligns the values of a key-value list in one column,
                 * one space after the widest "key:". */
                pcrsim_strbuf_printf(out, "\t%u:%*s{", pcr,
                                     key_width - decimal_width(pcr) + 1, "");
                for (uint16_t b = 0; b < bank->size; b++)
                        pcrsim_strbuf_printf(out, "%s0x%02X", b ? ", " : "",
                                             bank->pcrs[pcr].digest[b]);
                pcrsim_strbuf_append(out, "},\n", 3);
        }
        pcrsim_strbuf_append(out, "}\n", 2);
        if (out->failed)
                return pcrsim_error_set(err, PCRSIM_ERR_NOMEM, PCRSIM_NO_OFFSET, NULL,
                                        "cannot allocate the Go output");
        return PCRSIM_OK;
}
