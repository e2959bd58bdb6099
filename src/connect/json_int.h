/*
 * json_int.h - the single-pass JSON record scanner that fmt_json.c decodes
 * records with (json.c holds the out-of-line parts).  Private to json.c,
 * fmt_json.c and their unit tests.
 *
 * The scanner walks a record once, left to right, with a pointer and an end
 * pointer; it builds no tree.  Every function returns the pointer just past
 * what it scanned, or NULL when the text is not valid JSON there.  It
 * accepts exactly what the tree parser (cn_json_parse) accepts, and decodes
 * strings to the same bytes (both use one escape decoder), but it never
 * explains a failure: the record decoder then hands the record to the tree
 * parser, which produces the positioned error message.  So the scanner only
 * has to be right about *whether* text is valid, never about why not.
 */
#ifndef WEIR_CONNECT_JSON_INT_H
#define WEIR_CONNECT_JSON_INT_H

#include "connect/connect_int.h"

#include <string.h>

/* Values nested deeper than this are errors (the root is depth 0). */
#define CN_JSON_MAX_DEPTH 256

/* Test knob: false makes the record decoders use only the tree parser, so
 * that a unit test can compare the two paths on the same input. */
extern bool cn_json_fast_enabled;
/* How many records the decoder's scanner took without the tree parser. */
int64_t cn_json_decoder_fast_records(const JsonDecoder *dec);

static inline bool cn_json_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline const char *cn_json_blanks(const char *p, const char *end)
{
    /* compact JSON has no blanks: one compare settles the common case */
    while (p < end && (unsigned char)*p <= ' ' && cn_json_is_blank(*p)) p++;
    return p;
}

/* The first byte at or after p that ends a run of plain string bytes: a
 * quote, a backslash or a control byte (below 0x20), or end.  Eight bytes
 * at a time (SWAR: the classic "has a zero byte" test on x ^ '"', x ^ '\\'
 * and "has a byte below 0x20"; each test's lowest flagged byte is exact, so
 * their lowest is the first stop byte). */
static inline const char *cn_json_str_run(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\');
        uint64_t hits = ((quote - ones) & ~quote) | ((slash - ones) & ~slash) | ((x - ones * 0x20) & ~x);
        hits &= highs;
        if (hits) return p + (__builtin_ctzll(hits) >> 3);
        p += 8;
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
    return p;
}

/* Decodes the rest of a string with escapes.  body: the first byte after the
 * opening quote; bs: the first backslash (body <= bs < end).  Writes the
 * value to out, which needs room for (closing quote - body) bytes (a
 * decoded string is never longer than its text); sets *out_len.  Returns
 * the pointer past the closing quote, or NULL if the string is malformed. */
const char *cn_json_unescape(const char *body, const char *bs, const char *end, char *out,
                             size_t *out_len);

/* Skips one value at p (leading blanks allowed) at nesting depth `depth`,
 * checking it fully.  Returns the pointer past it, or NULL. */
const char *cn_json_skip(const char *p, const char *end, int depth);

/* Scans a number token at p (it must start with '-' or a digit) by the JSON
 * grammar -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.  Returns the
 * pointer past it, or NULL. */
static inline const char *cn_json_number_end(const char *p, const char *end)
{
    if (p < end && *p == '-') p++;
    if (p >= end || (unsigned)(*p - '0') > 9) return NULL;
    if (*p == '0') p++;
    else
        while (p < end && (unsigned)(*p - '0') <= 9) p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || (unsigned)(*p - '0') > 9) return NULL;
        while (p < end && (unsigned)(*p - '0') <= 9) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || (unsigned)(*p - '0') > 9) return NULL;
        while (p < end && (unsigned)(*p - '0') <= 9) p++;
    }
    return p;
}

/* Matches the literal word (true, false, null) at p. */
static inline const char *cn_json_literal(const char *p, const char *end, const char *word,
                                          size_t len)
{
    if ((size_t)(end - p) < len || memcmp(p, word, len) != 0) return NULL;
    return p + len;
}

#endif
