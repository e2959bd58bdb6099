/*
 * test_unicode.c - case mapping (wb_utf8_case: UPPER, LOWER, INITCAP over
 * all of Unicode, Java's full mappings) and display width (wb_utf8_width).
 */
#include "check.h"

#include <stdlib.h>

#include "base/base.h"

/* The mapping of a C string, through the grow-and-retry protocol with a
 * deliberately small first buffer. */
static char *mapped(WbCaseMap map, const char *src)
{
    size_t len = strlen(src), cap = 1;
    char *dst = wb_malloc(cap + 1);
    size_t got = wb_utf8_case(map, src, len, dst, cap);
    if (got > cap) {
        free(dst);
        dst = wb_malloc(got + 1);
        size_t again = wb_utf8_case(map, src, len, dst, got);
        if (again != got) got = 0;   /* must be stable: fails the CHECK_STR below */
    }
    dst[got] = '\0';
    return dst;
}

static void check_map(WbCaseMap map, const char *src, const char *want)
{
    char *got = mapped(map, src);
    CHECK_STR(got, want);
    free(got);
}

static void test_upper_full_mappings(void)
{
    check_map(WB_CASE_UPPER, "straße", "STRASSE");              /* ß -> SS */
    check_map(WB_CASE_UPPER, "ﬁx", "FIX");                      /* ligature -> two letters */
    check_map(WB_CASE_UPPER, "héllo wörld", "HÉLLO WÖRLD");
    check_map(WB_CASE_UPPER, "ǆ", "Ǆ");
    check_map(WB_CASE_UPPER, "ΐ", "\xce\x99\xcc\x88\xcc\x81");            /* one code point -> three (6 bytes from 2) */
    check_map(WB_CASE_UPPER, "привет", "ПРИВЕТ");
    check_map(WB_CASE_UPPER, "日本", "日本");                    /* caseless stays */
}

static void test_lower_full_mappings(void)
{
    check_map(WB_CASE_LOWER, "İSTANBUL", "i̇stanbul");  /* İ -> i + COMBINING DOT ABOVE */
    check_map(WB_CASE_LOWER, "ΟΔΟΣ", "οδος");                   /* final sigma at the end */
    check_map(WB_CASE_LOWER, "ΟΔΟΣ ΣΑ", "οδος σα");             /* word-final only */
    check_map(WB_CASE_LOWER, "ΣΑ.", "σα.");
    check_map(WB_CASE_LOWER, "ÀÉÎ", "àéî");
    check_map(WB_CASE_LOWER, "Ⱥ", "ⱥ");                          /* 2 bytes -> 3 bytes */
}

static void test_initcap(void)
{
    check_map(WB_CASE_INITCAP, "élan VITAL", "Élan Vital");
    check_map(WB_CASE_INITCAP, "ΟΔΟΣ ΩΣ ωσ ΣΣ", "Οδος Ως Ωσ Σς");     /* rest lowered with final sigma */
    check_map(WB_CASE_INITCAP, "straße", "Straße");
    check_map(WB_CASE_INITCAP, "ßa", "SSa");                     /* first letter: full upper */
    check_map(WB_CASE_INITCAP, "1abc don't x-ray", "1abc Don'T X-Ray");
    check_map(WB_CASE_INITCAP, "e\xcc\x81" "COLE", "E\xcc\x81" "cole");  /* a combining mark does not split */
    check_map(WB_CASE_INITCAP, "日本語 tokyo", "日本語 Tokyo");
    check_map(WB_CASE_INITCAP, "İSTANBUL", "İstanbul");
    check_map(WB_CASE_INITCAP, "", "");
}

static void test_invalid_utf8_passes_through(void)
{
    /* a lone continuation byte, a truncated sequence, an overlong form */
    check_map(WB_CASE_UPPER, "a\x80" "b\xc3", "A\x80" "B\xc3");
    check_map(WB_CASE_LOWER, "\xc0\xaf" "É\xff", "\xc0\xaf" "é\xff");
    check_map(WB_CASE_INITCAP, "\xff" "abc \xe2\x82", "\xff" "Abc \xe2\x82");
}

static void test_ascii_detection(void)
{
    CHECK(wb_is_ascii("", 0));
    CHECK(wb_is_ascii("hello, world: 0123456789", 24));
    CHECK(!wb_is_ascii("0123456789abcdé", strlen("0123456789abcdé")));
    CHECK(!wb_is_ascii("\x80", 1));
}

static void test_display_width(void)
{
    CHECK(wb_utf8_width("abc", 3) == 3);
    CHECK(wb_utf8_width("日本", strlen("日本")) == 4);               /* Wide */
    CHECK(wb_utf8_width("ＡＢ", strlen("ＡＢ")) == 4);               /* Fullwidth */
    CHECK(wb_utf8_width("ｱｲ", strlen("ｱｲ")) == 2);                   /* Halfwidth katakana */
    CHECK(wb_utf8_width("e\xcc\x81", 3) == 1);                        /* e + COMBINING ACUTE */
    CHECK(wb_utf8_width("a\xe2\x80\x8b" "b", 5) == 2);                /* ZERO WIDTH SPACE */
    CHECK(wb_utf8_width("한국", strlen("한국")) == 4);
    CHECK(wb_utf8_width("\xe1\x84\x80\xe1\x85\xa1", 6) == 2);         /* conjoining jamo: one syllable */
    CHECK(wb_utf8_width("héllo", strlen("héllo")) == 5);
    CHECK(wb_utf8_width("\xff", 1) == 1);
}

/* ASCII text maps the same through ICU as through eval_string.c's loop
 * (the SQL case case_unicode.test checks that loop on the same words). */
static void test_ascii_agrees(void)
{
    check_map(WB_CASE_INITCAP, "don't X-RAY 1st", "Don'T X-Ray 1st");
    check_map(WB_CASE_UPPER, "don't X-RAY 1st", "DON'T X-RAY 1ST");
    check_map(WB_CASE_LOWER, "don't X-RAY 1st", "don't x-ray 1st");
}

/* Random bytes, mostly UTF-8 of many scripts with garbage mixed in: no
 * crash (the ASan build runs this too), the reported length is the length
 * written, and a text of ill-formed bytes only comes back unchanged. */
static void test_random_text(void)
{
    static const char *const pieces[] = {"a", "Z", " ", "ß", "İ", "Σ", "σ", "ΐ", "ﬃ", "日",
                                         "\xcc\x81", "ǅ", "Ⱥ", "'", "9", "\xf0\x9f\x98\x80"};
    /* never part of a well-formed sequence: continuation bytes with no
     * lead, and bytes that never lead; then truncated leads (mixed rounds) */
    static const unsigned char bad[] = {0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF, 0xC3, 0xE2, 0xF0};
    WbRand rng;
    wb_rand_seed(&rng, 7);
    int stable = 0, garbage_kept = 0, rounds = 2000;
    char src[256], out[1024];
    for (int round = 0; round < rounds; round++) {
        size_t len = 0;
        bool only_bad = round % 4 == 0;
        while (len < 200) {
            if (only_bad) {
                src[len++] = (char)bad[wb_rand_below(&rng, 6)];
            } else if (wb_rand_below(&rng, 8) == 0) {
                src[len++] = (char)bad[wb_rand_below(&rng, sizeof bad)];
            } else {
                const char *p = pieces[wb_rand_below(&rng, WB_ARRAY_LEN(pieces))];
                memcpy(src + len, p, strlen(p));
                len += strlen(p);
            }
        }
        WbCaseMap map = (WbCaseMap)(round % 3);
        size_t need = wb_utf8_case(map, src, len, NULL, 0);
        size_t got = need <= sizeof out ? wb_utf8_case(map, src, len, out, sizeof out) : 0;
        stable += got == need;
        if (only_bad) garbage_kept += got == len && memcmp(out, src, len) == 0;
    }
    CHECK(stable == rounds);
    CHECK(garbage_kept == rounds / 4);
}

int main(void)
{
    RUN(test_upper_full_mappings);
    RUN(test_lower_full_mappings);
    RUN(test_initcap);
    RUN(test_invalid_utf8_passes_through);
    RUN(test_ascii_detection);
    RUN(test_display_width);
    RUN(test_ascii_agrees);
    RUN(test_random_text);
    return check_done();
}
