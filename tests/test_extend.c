/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Known-answer tests for PCR reset values and extend. Every expected value
 * below was computed with the openssl command line, not with pcrsim:
 *   printf '\0\0\0\0' > sep; openssl dgst -sha256 -binary sep   (the digest)
 *   cat zeros32 <(openssl dgst -sha256 -binary sep) | openssl dgst -sha256
 * and likewise for the other algorithms ("zeros32" is the all-zero PCR).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pcrsim/alg.h"
#include "pcrsim/pcrs.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t size)
{
        cr_assert_eq(strlen(hex), size * 2, "hex string of wrong length");
        for (size_t i = 0; i < size; i++) {
                unsigned v;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
                out[i] = (uint8_t)v;
        }
}

struct extend_case {
        const char *bank;
        const char *digest;   /* hash of the 4-byte EV_SEPARATOR data 00000000 */
        const char *extended; /* H(00..00 || digest) */
};

static const struct extend_case separator_cases[] = {
        { "sha1", "9069ca78e7450a285173431b3e52c5c25299e473",
          "b2a83b0ebf2f8374299a5b2bdfc31ea955ad7236" },
        { "sha256", "df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119",
          "3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969" },
        { "sha384",
          "394341b7182cd227c5c6b07ef8000cdfd86136c4292b8e576573ad7ed9ae41019f5818b4b971c9effc60e1ad9f1289f0",
          "518923b0f955d08da077c96aaba522b9decede61c599cea6c41889cfbea4ae4d50529d96fe4d1afdafb65e7f95bf23c4" },
        { "sha512",
          "ec2d57691d9b2d40182ac565032054b7d784ba96b18bcb5be0bb4e70e3fb041eff582c8af66ee50256539f2181d7f9e53627c0189da7e75a4d5ef10ea93b20b3",
          "27ec091533c4b9eea38dd14c3a3ecdef0a99c1e564cbe66dfe008250154e7839b0b75228fe8debcc4ca330e6aebc1abc74070bc9c9c1e26b939c9d916e45e13c" },
        { "sm3_256", "afcc870fa20c507995499794371e8c25e3a7310fa72200c109379973ae236845",
          "0d72b0164e4fa67d6b43d3cb8ead734737e479767e0d545eff22c6fe6275b357" },
};

Test(extend, separator_every_bank)
{
        for (size_t i = 0; i < sizeof(separator_cases) / sizeof(separator_cases[0]); i++) {
                const struct extend_case *c = &separator_cases[i];
                const struct pcrsim_alg_info *alg = pcrsim_alg_by_name(c->bank);
                uint8_t value[64], digest[64], expected[64];
                struct pcrsim_error err;

                cr_assert_not_null(alg, "bank %s unknown", c->bank);
                pcrsim_error_clear(&err);
                hex_to_bytes(c->digest, digest, alg->digest_size);
                hex_to_bytes(c->extended, expected, alg->digest_size);
                pcrsim_pcr_reset_value(4, value, alg->digest_size);
                cr_assert_eq(pcrsim_pcr_extend(alg->id, value, digest, &err), PCRSIM_OK,
                             "%s: %s", c->bank, err.message);
                cr_expect_arr_eq(value, expected, alg->digest_size, "%s extend differs",
                                 c->bank);
        }
}

Test(extend, from_locality_three)
{
        /* 31 zero bytes and 0x03, extended with sha256("abc"). */
        const char *abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        const char *want = "e2bf6737520fc19e9be2993af864834bfb33b00c3fa7e3da44509c90cfd6a247";
        uint8_t value[32] = { 0 }, digest[32], expected[32];

        value[31] = 3;
        hex_to_bytes(abc, digest, 32);
        hex_to_bytes(want, expected, 32);
        cr_assert_eq(pcrsim_pcr_extend(0x000B, value, digest, NULL), PCRSIM_OK);
        cr_expect_arr_eq(value, expected, 32);
}

Test(extend, from_all_ones)
{
        /* PCR 17 starts at all ones; extended with sha256("abc"). */
        const char *abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        const char *want = "ded4cee9953bb84c83278424b1e8256ee3483023f4ae5730affa51aad0063efb";
        uint8_t value[32], digest[32], expected[32];

        pcrsim_pcr_reset_value(17, value, 32);
        hex_to_bytes(abc, digest, 32);
        hex_to_bytes(want, expected, 32);
        cr_assert_eq(pcrsim_pcr_extend(0x000B, value, digest, NULL), PCRSIM_OK);
        cr_expect_arr_eq(value, expected, 32);
}

Test(extend, reset_values)
{
        uint8_t value[64];

        for (uint32_t pcr = 0; pcr < 24; pcr++) {
                uint8_t fill = pcr >= 17 && pcr <= 22 ? 0xff : 0x00;

                memset(value, 0x5a, sizeof(value));
                pcrsim_pcr_reset_value(pcr, value, 48);
                for (size_t b = 0; b < 48; b++)
                        cr_assert_eq(value[b], fill, "PCR %u byte %zu", pcr, b);
                cr_assert_eq(value[48], 0x5a, "PCR %u: wrote past the digest size", pcr);
        }
}

Test(extend, unknown_algorithm_rejected)
{
        uint8_t value[32] = { 0 }, digest[32] = { 0 };
        struct pcrsim_error err;

        pcrsim_error_clear(&err);
        cr_expect_eq(pcrsim_pcr_extend(0x7777, value, digest, &err), PCRSIM_ERR_UNSUPPORTED);
        cr_expect(strstr(err.message, "alg_0x7777") != NULL, "message: %s", err.message);
        cr_expect(!pcrsim_alg_available(0x7777));
        cr_expect(pcrsim_alg_available(0x000B));
}
