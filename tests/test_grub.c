/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the GRUB script model: the measurements that GRUB makes for a
 * grub.cfg. The expected texts are written by hand from GRUB's rules: each
 * command's words after quote removal and expansion, joined by spaces. The
 * lab config's texts are those that GRUB 2.06 logged in PCR 8 when the lab
 * booted it.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pcrsim/grub.h"

struct step {
        enum pcrsim_grub_step_kind kind;
        const char *text;
};

static void run_ok(const char *cfg, struct pcrsim_grub_boot *boot)
{
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_grub_run_config(cfg, strlen(cfg), boot, &err), PCRSIM_OK, "line %llu: %s",
                     (unsigned long long)err.record, err.message);
}

static void expect_steps(const struct pcrsim_grub_boot *boot, const struct step *want, size_t count)
{
        cr_assert_eq(boot->step_count, count, "%zu steps, expected %zu", boot->step_count, count);
        for (size_t i = 0; i < count; i++) {
                cr_expect_eq(boot->steps[i].kind, want[i].kind, "step %zu kind %d", i, boot->steps[i].kind);
                cr_expect_str_eq(boot->steps[i].text, want[i].text, "step %zu", i);
                cr_expect_eq(boot->steps[i].length, strlen(want[i].text));
        }
}

static void expect_rejected(const char *cfg, enum pcrsim_error_code code, uint64_t line, const char *message)
{
        struct pcrsim_grub_boot boot;
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_assert_eq(pcrsim_grub_run_config(cfg, strlen(cfg), &boot, &err), code, "%s: %s", cfg, err.message);
        if (line != PCRSIM_NO_RECORD)
                cr_expect_str_eq(err.record_noun, "line");
        cr_expect_eq(err.record, line, "%s: line %llu", cfg, (unsigned long long)err.record);
        cr_expect(strstr(err.message, message) != NULL, "%s: %s", cfg, err.message);
        cr_expect_eq(boot.step_count, 0u);
}

/* The grub.cfg of the lab's shim and GRUB boot. */
#define LAB_CMDLINE "console=ttyS0 panic=-1 ima_policy=tcb|critical_data ima_template=ima-ng ima_hash=sha256"
#define LAB_CFG                                                                                       \
        "set timeout=0\n"                                                                             \
        "set default=0\n"                                                                             \
        "menuentry measured-boot-lab {\n"                                                             \
        "  linux /vmlinuz console=ttyS0 panic=-1 \"ima_policy=tcb|critical_data\" ima_template=ima-ng " \
        "ima_hash=sha256\n"                                                                           \
        "  initrd /initrd.cpio.gz\n"                                                                  \
        "}\n"

Test(grub, lab_config)
{
        static const struct step want[] = {
                { PCRSIM_GRUB_COMMAND, "set timeout=0" },
                { PCRSIM_GRUB_COMMAND, "set default=0" },
                /* menuentry's block is measured as it is written. */
                { PCRSIM_GRUB_COMMAND,
                  "menuentry measured-boot-lab {\n  linux /vmlinuz console=ttyS0 panic=-1 "
                  "\"ima_policy=tcb|critical_data\" ima_template=ima-ng ima_hash=sha256\n"
                  "  initrd /initrd.cpio.gz\n}" },
                { PCRSIM_GRUB_COMMAND, "setparams measured-boot-lab" },
                { PCRSIM_GRUB_COMMAND, "linux /vmlinuz " LAB_CMDLINE },
                { PCRSIM_GRUB_KERNEL_FILE, "/vmlinuz" },
                { PCRSIM_GRUB_KERNEL_IMAGE, "/vmlinuz" },
                { PCRSIM_GRUB_KERNEL_CMDLINE, "/vmlinuz " LAB_CMDLINE },
                { PCRSIM_GRUB_COMMAND, "initrd /initrd.cpio.gz" },
                { PCRSIM_GRUB_INITRD_FILE, "/initrd.cpio.gz" },
        };
        struct pcrsim_grub_boot boot;

        run_ok(LAB_CFG, &boot);
        expect_steps(&boot, want, sizeof(want) / sizeof(want[0]));
        cr_expect_str_eq(boot.entry_title, "measured-boot-lab");
        pcrsim_grub_boot_free(&boot);
}

Test(grub, quoting_and_variables)
{
        static const char cfg[] =
                "# a comment\n"
                "set ver=6.1.0-57-amd64 ; set opts=\"quiet splash\"\n"
                "menuentry 'Debian GNU/Linux' --class debian --id deb-$ver {\n"
                "\tinsmod gzio\n"
                "\tlinux\t/boot/vmlinuz-${ver} root=UUID=1234 ro $opts 'a b' x\\ y \\\n"
                "   \"d\\$e\\\\f\" # trailing comment\n"
                "\tinitrd /boot/initrd.img-$ver /boot/extra.img\n"
                "}\n";
        static const struct step want[] = {
                { PCRSIM_GRUB_COMMAND, "set ver=6.1.0-57-amd64" },
                { PCRSIM_GRUB_COMMAND, "set opts=quiet splash" },
                { PCRSIM_GRUB_COMMAND,
                  "menuentry Debian GNU/Linux --class debian --id deb-6.1.0-57-amd64 {\n\tinsmod gzio\n"
                  "\tlinux\t/boot/vmlinuz-${ver} root=UUID=1234 ro $opts 'a b' x\\ y \\\n"
                  "   \"d\\$e\\\\f\" # trailing comment\n"
                  "\tinitrd /boot/initrd.img-$ver /boot/extra.img\n}" },
                { PCRSIM_GRUB_COMMAND, "setparams Debian GNU/Linux" },
                { PCRSIM_GRUB_COMMAND, "insmod gzio" },
                { PCRSIM_GRUB_COMMAND,
                  "linux /boot/vmlinuz-6.1.0-57-amd64 root=UUID=1234 ro quiet splash a b x y d$e\\f" },
                { PCRSIM_GRUB_KERNEL_FILE, "/boot/vmlinuz-6.1.0-57-amd64" },
                { PCRSIM_GRUB_KERNEL_IMAGE, "/boot/vmlinuz-6.1.0-57-amd64" },
                /* The loader quotes words with spaces and escapes \\ ' ". */
                { PCRSIM_GRUB_KERNEL_CMDLINE,
                  "/boot/vmlinuz-6.1.0-57-amd64 root=UUID=1234 ro quiet splash \"a b\" \"x y\" d$e\\\\f" },
                { PCRSIM_GRUB_COMMAND, "initrd /boot/initrd.img-6.1.0-57-amd64 /boot/extra.img" },
                { PCRSIM_GRUB_INITRD_FILE, "/boot/initrd.img-6.1.0-57-amd64" },
                { PCRSIM_GRUB_INITRD_FILE, "/boot/extra.img" },
        };
        struct pcrsim_grub_boot boot;

        run_ok(cfg, &boot);
        expect_steps(&boot, want, sizeof(want) / sizeof(want[0]));
        pcrsim_grub_boot_free(&boot);
}

/* GRUB's line reader drops every carriage return, also inside words. */
Test(grub, crlf_line_ends)
{
        static const struct step want[] = {
                { PCRSIM_GRUB_COMMAND, "set timeout=0" },
                { PCRSIM_GRUB_COMMAND, "menuentry a {\n linux /v console=ttyS0\n}" },
                { PCRSIM_GRUB_COMMAND, "setparams a" },
                { PCRSIM_GRUB_COMMAND, "linux /v console=ttyS0" },
                { PCRSIM_GRUB_KERNEL_FILE, "/v" },
                { PCRSIM_GRUB_KERNEL_IMAGE, "/v" },
                { PCRSIM_GRUB_KERNEL_CMDLINE, "/v console=ttyS0" },
        };
        struct pcrsim_grub_boot boot;

        run_ok("set timeout=0\r\nmenuentry a {\r\n linux /v console=tty\rS0\r\n}\r\n", &boot);
        expect_steps(&boot, want, sizeof(want) / sizeof(want[0]));
        pcrsim_grub_boot_free(&boot);
}

/* Unquoted expansions are split at blanks, and an empty one gives no
 * word. */
Test(grub, unquoted_expansions_split)
{
        static const char cfg[] = "set e=\nset o=\"a  b\tc \"\n"
                                  "menuentry x {\n linux /v $e console=ttyS0 $o \"$e\" x$e\n}\n";
        struct pcrsim_grub_boot boot;

        run_ok(cfg, &boot);
        cr_expect_str_eq(boot.steps[4].text, "linux /v console=ttyS0 a b c  x");
        cr_expect_str_eq(boot.steps[7].text, "/v console=ttyS0 a b c  x");
        pcrsim_grub_boot_free(&boot);
}

/* A line continuation may stand before the block, and the entry's lines
 * count from the line of its '{'. */
Test(grub, continuation_and_body_lines)
{
        struct pcrsim_grub_boot boot;

        run_ok("menuentry x \\\n{\n linux /v\n}\n", &boot);
        cr_expect_str_eq(boot.entry_title, "x");
        pcrsim_grub_boot_free(&boot);
        expect_rejected("set a=1\nmenuentry 'long\ntitle' {\n\n bogus\n}\n", PCRSIM_ERR_UNSUPPORTED, 5,
                        "command 'bogus'");
        /* Control bytes of the file are not printed. */
        expect_rejected("menuentry x {\n \x1b[31m\n}\n", PCRSIM_ERR_UNSUPPORTED, 2, "command '?[31m'");
}

Test(grub, default_entry_by_index_title_and_id)
{
        static const char *const defaults[] = { "1", "second", "\"second entry id\"", "'second'" };
        struct pcrsim_grub_boot boot;

        for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
                char cfg[512];

                snprintf(cfg, sizeof(cfg),
                         "set default=%s\n"
                         "menuentry first { linux /a\n}\n"
                         "menuentry second --id 'second entry id' {\n linux /b\n}\n",
                         defaults[i]);
                run_ok(cfg, &boot);
                cr_expect_str_eq(boot.entry_title, "second", "default=%s", defaults[i]);
                cr_expect_str_eq(boot.steps[boot.step_count - 2].text, "/b", "default=%s", defaults[i]);
                pcrsim_grub_boot_free(&boot);
        }
        run_ok("menuentry first {\n linux /a\n}\nmenuentry second {\n linux /b\n}\n", &boot);
        cr_expect_str_eq(boot.entry_title, "first");
        pcrsim_grub_boot_free(&boot);
        {
                /* GRUB reads a number in C notation, ignores text after it,
                 * and boots the first entry for a value that names none. */
                static const struct { const char *def; const char *title; } cases[] = {
                        { "010", "e8" }, { "0x2", "e2" }, { "1st", "e1" }, { "11", "e0" },
                        { "nothing", "e0" }, { "-1", "e0" },
                };
                char cfg[2048];

                for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                        size_t n = (size_t)snprintf(cfg, sizeof(cfg), "set default=%s\n", cases[i].def);

                        for (int k = 0; k < 10; k++)
                                n += (size_t)snprintf(cfg + n, sizeof(cfg) - n, "menuentry e%d {\n linux /v%d\n}\n", k, k);
                        run_ok(cfg, &boot);
                        cr_expect_str_eq(boot.entry_title, cases[i].title, "default=%s", cases[i].def);
                        pcrsim_grub_boot_free(&boot);
                }
        }
}

Test(grub, unsupported_configs)
{
        expect_rejected("set a=1\nif [ -e /x ]; then\n echo x\nfi\n", PCRSIM_ERR_UNSUPPORTED, 2, "'if'");
        expect_rejected("source /boot/grub/other.cfg\n", PCRSIM_ERR_UNSUPPORTED, 1, "command 'source'");
        expect_rejected("search --no-floppy --fs-uuid --set=root 1234\n", PCRSIM_ERR_UNSUPPORTED, 1,
                        "command 'search'");
        expect_rejected("menuentry a {\n linux ($root)/vmlinuz\n}\n", PCRSIM_ERR_UNSUPPORTED, 2,
                        "variable 'root' is not set");
        expect_rejected("menuentry a {\n linux /vmlinuz $1\n}\n", PCRSIM_ERR_UNSUPPORTED, 2, "positional");
        expect_rejected("menuentry a {\n linux /vmlinuz a|b\n}\n", PCRSIM_ERR_UNSUPPORTED, 2, "unquoted '|'");
        expect_rejected("submenu a {\n menuentry b {\n linux /v\n }\n}\n", PCRSIM_ERR_UNSUPPORTED, 1,
                        "block after 'submenu'");
        expect_rejected("menuentry a {\n chainloader /efi/x.efi\n}\n", PCRSIM_ERR_UNSUPPORTED, 2,
                        "command 'chainloader'");
        expect_rejected("menuentry a {\n echo no kernel\n}\n", PCRSIM_ERR_UNSUPPORTED, 1, "loads no kernel");
        expect_rejected("set timeout=0\n", PCRSIM_ERR_UNSUPPORTED, PCRSIM_NO_RECORD, "no menuentry");
        expect_rejected("x=1\nmenuentry a {\n linux /v\n}\n", PCRSIM_ERR_UNSUPPORTED, 1, "with set only");
        expect_rejected("menuentry a --foo {\n linux /v\n}\n", PCRSIM_ERR_UNSUPPORTED, 1, "option '--foo'");
}

Test(grub, malformed_configs)
{
        expect_rejected("set a='1\n\n", PCRSIM_ERR_INVALID, 1, "unterminated single quote");
        expect_rejected("\nset a=\"1\n", PCRSIM_ERR_INVALID, 2, "unterminated double quote");
        expect_rejected("menuentry a {\n linux /v\n", PCRSIM_ERR_INVALID, 1, "without its closing }");
        expect_rejected("menuentry a {\n linux /v \"x\n}\n", PCRSIM_ERR_INVALID, 2, "unterminated double quote");
        expect_rejected("menuentry {\n linux /v\n}\n", PCRSIM_ERR_INVALID, 1, "without a title");
        expect_rejected("menuentry a {\n initrd /i\n linux /v\n}\n", PCRSIM_ERR_INVALID, 2, "initrd before linux");
        {
                static const char with_nul[] = "set a=1\n\0menuentry a {\n linux /v\n}\n";
                struct pcrsim_grub_boot boot;
                struct pcrsim_error err;

                pcrsim_error_clear(&err);
                cr_expect_eq(pcrsim_grub_run_config(with_nul, sizeof(with_nul) - 1, &boot, &err),
                             PCRSIM_ERR_INVALID);
                cr_expect_eq(err.offset, 8u);
        }
}
