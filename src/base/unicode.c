/*
 * unicode.c - case mapping and display width of UTF-8 text, over ICU
 * (libicu, Debian's libicu-dev): the full mappings of UnicodeData.txt and
 * SpecialCasing.txt with the root locale, as Java's String.toUpperCase /
 * toLowerCase apply them, and East_Asian_Width (UAX #11) for columns.
 * ICU is called only for text that is not pure ASCII: callers test
 * wb_is_ascii first and keep their own ASCII loops.
 */
#include "base/base.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/utf8.h>

/* One UCaseMap for the process, opened on first use.  The UTF-8 upper and
 * lower functions take it as const, so threads share it. */
static pthread_once_t casemap_once = PTHREAD_ONCE_INIT;
static UCaseMap *casemap;

static void casemap_open(void)
{
    UErrorCode status = U_ZERO_ERROR;
    casemap = ucasemap_open("", 0, &status);   /* "": the root locale */
    if (U_FAILURE(status) || !casemap) {
        fprintf(stderr, "weir: fatal: ICU case mapping unavailable: %s\n", u_errorName(status));
        abort();
    }
}

bool wb_is_ascii(const char *s, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, s + i, 8);
        acc |= word;
    }
    for (; i < len; i++) acc |= (unsigned char)s[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

/* ICU's upper or lower mapping of src into dst; returns the full length. */
static size_t map_icu(bool upper, const char *src, size_t len, char *dst, size_t cap)
{
    UErrorCode status = U_ZERO_ERROR;
    int32_t cap32 = cap > WB_CASE_MAX_INPUT * 3 ? (int32_t)(WB_CASE_MAX_INPUT * 3) : (int32_t)cap;
    int32_t n = upper ? ucasemap_utf8ToUpper(casemap, dst, cap32, src, (int32_t)len, &status)
                      : ucasemap_utf8ToLower(casemap, dst, cap32, src, (int32_t)len, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(status)) return (size_t)n;
    /* Only a length over INT32_MAX gets here: the caller bounds the input. */
    fprintf(stderr, "weir: fatal: ICU case mapping failed: %s\n", u_errorName(status));
    abort();
}

/* Letters, marks and decimal digits make words for INITCAP (a combining
 * accent does not split "école" written with U+0301). */
static bool is_word_char(UChar32 c)
{
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

/* Copies n bytes to dst+at while there is room; returns at + n. */
static size_t put(char *dst, size_t cap, size_t at, const char *src, size_t n)
{
    if (at < cap) memcpy(dst + at, src, WB_MIN(n, cap - at));
    return at + n;
}

/* Maps into dst+at what fits there (ICU preflights with no room). */
static size_t map_at(bool upper, const char *src, size_t len, char *dst, size_t cap, size_t at)
{
    return at + map_icu(upper, src, len, at < cap ? dst + at : NULL, at < cap ? cap - at : 0);
}

/* Unicode's Final_Sigma condition for the Σ at rest[pos], when the word's
 * first code point (mapped apart from the rest) is cased: no cased letter
 * between it and Σ (only case-ignorable ones) and none after Σ.  Lowering
 * the rest alone cannot see that first code point, so it gave 'σ'. */
static bool final_sigma_after_first(const char *rest, int32_t n)
{
    int32_t i = 0;
    UChar32 c = 0;
    while (i < n) {
        U8_NEXT(rest, i, n, c);
        if (!u_hasBinaryProperty(c, UCHAR_CASE_IGNORABLE)) break;
    }
    if (c != 0x03A3) return false;
    while (i < n) {
        U8_NEXT(rest, i, n, c);
        if (c < 0 || !u_hasBinaryProperty(c, UCHAR_CASE_IGNORABLE))
            return c < 0 || !u_hasBinaryProperty(c, UCHAR_CASED);
    }
    return true;
}

/* INITCAP: in each word the first code point is mapped to upper case and
 * the rest to lower case; everything between words is copied. */
static size_t initcap_icu(const char *src, size_t len, char *dst, size_t cap)
{
    size_t at = 0;
    int32_t i = 0, n = (int32_t)len;
    while (i < n) {
        int32_t start = i;
        UChar32 first;
        U8_NEXT(src, i, n, first);
        if (first < 0 || !is_word_char(first)) {
            at = put(dst, cap, at, src + start, (size_t)(i - start));
            continue;
        }
        int32_t first_end = i, end = i;
        while (end < n) {
            int32_t next = end;
            UChar32 c;
            U8_NEXT(src, next, n, c);
            if (c < 0 || !is_word_char(c)) break;
            end = next;
        }
        at = map_at(true, src + start, (size_t)(first_end - start), dst, cap, at);
        size_t rest_at = at;
        at = map_at(false, src + first_end, (size_t)(end - first_end), dst, cap, at);
        if (at <= cap && u_hasBinaryProperty(first, UCHAR_CASED) &&
            final_sigma_after_first(src + first_end, end - first_end)) {
            /* the case-ignorable code points before Σ map to themselves, so
             * its 'σ' (CF 83) sits at the same offset as Σ (CE A3) */
            int32_t off = 0;
            while ((unsigned char)src[first_end + off] != 0xCE ||
                   (unsigned char)src[first_end + off + 1] != 0xA3)
                off++;
            char *sigma = dst + rest_at + off;
            if ((unsigned char)sigma[0] == 0xCF && (unsigned char)sigma[1] == 0x83) sigma[1] = (char)0x82;
        }
        i = end;
    }
    return at;
}

size_t wb_utf8_case(WbCaseMap map, const char *src, size_t len, char *dst, size_t cap)
{
    if (len > WB_CASE_MAX_INPUT) len = WB_CASE_MAX_INPUT;   /* callers check; never overrun */
    pthread_once(&casemap_once, casemap_open);
    if (map == WB_CASE_INITCAP) return initcap_icu(src, len, dst, cap);
    return map_icu(map == WB_CASE_UPPER, src, len, dst, cap);
}

size_t wb_utf8_width(const char *s, size_t len)
{
    size_t width = 0;
    int32_t i = 0, n = (int32_t)WB_MIN(len, (size_t)INT32_MAX);
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {   /* ASCII: controls take no column, the rest one */
            width += b >= 0x20 && b != 0x7f;
            i++;
            continue;
        }
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0) {   /* an ill-formed sequence: one column, as its escape would be wider */
            width++;
            continue;
        }
        int8_t type = u_charType(c);
        if (c == 0xAD) {   /* SOFT HYPHEN is shown */
            width++;
        } else if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR ||
                   type == U_CONTROL_CHAR) {
            /* combining marks, ZERO WIDTH SPACE/JOINER and friends, C1 controls */
        } else if (c >= 0x1160 && c <= 0x11FF) {
            /* Hangul medial vowels and final consonants join the syllable before */
        } else {
            int32_t eaw = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
            width += (eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH) ? 2 : 1;
        }
    }
    return width;
}
