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

int main(void)
{
    test_upper_full_mappings();
    test_lower_full_mappings();
    test_initcap();
    test_invalid_utf8_passes_through();
    test_ascii_detection();
    test_display_width();
    return check_done();
}
