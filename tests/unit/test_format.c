/*
 * test_format.c - the printf-free value formatting and the integer parsers
 * against reference conversions (snprintf, strtoll): the canonical text of
 * integers, DECIMAL, DATE, TIME and TIMESTAMP must not change by a byte, and
 * "invalid" (-1) / "out of range" (-2) must stay what they were.  Random
 * values plus the edges (0, +-1, INT64_MIN/MAX, digit-count boundaries,
 * years before 0 and after 9999).
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "connect/connect_int.h"
#include "types/types.h"

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t next_rand(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A value with a random number of digits, so short and long texts both
 * occur often. */
static int64_t rand_value(void)
{
    uint64_t r = next_rand();
    int shift = (int)(next_rand() % 64);
    int64_t v = (int64_t)(r >> shift);
    return (next_rand() & 1) ? v : (int64_t)(0 - (uint64_t)v);
}

static const char *fmt1(SqlType type, int64_t v, WbBuf *buf)
{
    Batch *b = ty_batch_new(&type, 1, 1);
    b->cols[0].nulls[0] = 0;
    if (type.id == TY_DECIMAL) ty_dec_set(&b->cols[0], 0, v);
    else b->cols[0].i64[0] = v;
    b->nrows = 1;
    wb_buf_clear(buf);
    ty_format_value(&b->cols[0], 0, buf);
    ty_batch_free(b);
    return wb_buf_cstr(buf);
}

/* The conversions the formatter used to make with printf. */
static void ref_decimal(int64_t v, int scale, char *out, size_t n)
{
    if (scale <= 0) {
        snprintf(out, n, "%lld", (long long)v);
        return;
    }
    /* the digits of |v|, zero-padded to scale + 1, with the point put in */
    char digits[64];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int width = scale > 40 ? 41 : scale + 1;   /* bounds the text for -Wformat-truncation */
    int len = snprintf(digits, sizeof digits, "%0*llu", width, (unsigned long long)mag);
    snprintf(out, n, "%s%.*s.%s", v < 0 ? "-" : "", len - scale, digits, digits + len - scale);
}

static void ref_timestamp(int64_t micros, int precision, char *out, size_t n)
{
    int64_t days = micros / 86400000000LL;
    if (micros % 86400000000LL != 0 && micros < 0) days--;
    int64_t rem = micros - days * 86400000000LL;
    int64_t year;
    int month, day;
    ty_civil_from_days(days, &year, &month, &day);
    int64_t secs = rem / 1000000;
    int len = snprintf(out, n, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)year, month, day,
                       (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (precision > 0) {
        char digits[16];
        snprintf(digits, sizeof digits, "%06lld000", (long long)(rem % 1000000));
        snprintf(out + len, n - (size_t)len, ".%.*s", precision > 9 ? 9 : precision, digits);
    }
}

static void test_integers(void)
{
    WbBuf buf = {0};
    char want[64];
    const int64_t edges[] = {0, 1, -1, 9, 10, -10, 99, 100, 999, 1000, 12345678, INT64_MAX,
                             INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, 999999999999999999LL,
                             1000000000000000000LL, -1000000000000000000LL};
    int bad = 0;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        snprintf(want, sizeof want, "%lld", (long long)edges[i]);
        if (strcmp(fmt1(ty_make(TY_BIGINT), edges[i], &buf), want) != 0) bad++;
    }
    for (int i = 0; i < 200000; i++) {
        int64_t v = rand_value();
        snprintf(want, sizeof want, "%lld", (long long)v);
        if (strcmp(fmt1(ty_make(TY_BIGINT), v, &buf), want) != 0 && bad++ < 5)
            fprintf(stderr, "BIGINT %lld: got %s\n", (long long)v, buf.data);
    }
    CHECK(bad == 0);
    wb_buf_free(&buf);
}

static void test_decimals(void)
{
    WbBuf buf = {0};
    char want[96];
    int bad = 0;
    /* both layouts: int64 (precision up to 18, so scale too) and 128-bit
     * (precision 19..38) */
    const int scales[] = {0, 1, 2, 3, 6, 9, 17, 18, 20, 38};
    const size_t nscales = sizeof scales / sizeof scales[0];
    for (size_t s = 0; s < 2 * nscales; s++) {
        int scale = scales[s % nscales];
        bool narrow = s < nscales;
        if (narrow && scale > 18) continue;
        SqlType type = ty_decimal(narrow ? 18 : 38, scale);
        const int64_t edges[] = {0, 1, -1, 5, -5, 100, -100, INT64_MAX, INT64_MIN};
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
            ref_decimal(edges[i], scale, want, sizeof want);
            if (strcmp(fmt1(type, edges[i], &buf), want) != 0 && bad++ < 5)
                fprintf(stderr, "DECIMAL(%d,%d) %lld: got %s want %s\n", type.precision,
                        scale, (long long)edges[i], buf.data, want);
        }
        for (int i = 0; i < 20000; i++) {
            int64_t v = rand_value();
            ref_decimal(v, scale, want, sizeof want);
            if (strcmp(fmt1(type, v, &buf), want) != 0 && bad++ < 5)
                fprintf(stderr, "DECIMAL(%d,%d) %lld: got %s want %s\n", type.precision, scale,
                        (long long)v, buf.data, want);
        }
    }
    CHECK(bad == 0);
    CHECK_STR(fmt1(ty_decimal(10, 2), -1, &buf), "-0.01");
    CHECK_STR(fmt1(ty_decimal(10, 2), 1050, &buf), "10.50");
    wb_buf_free(&buf);
}

static void test_temporal(void)
{
    WbBuf buf = {0};
    char want[96];
    int bad = 0;
    /* dates: years -9999 .. 99999 and the edges of the 4-digit padding */
    for (int i = 0; i < 50000; i++) {
        int64_t days = (int64_t)(next_rand() % 40000000) - 4400000;
        int64_t year;
        int month, day;
        ty_civil_from_days(days, &year, &month, &day);
        snprintf(want, sizeof want, "%04lld-%02d-%02d", (long long)year, month, day);
        if (strcmp(fmt1(ty_make(TY_DATE), days, &buf), want) != 0 && bad++ < 5)
            fprintf(stderr, "DATE %lld: got %s want %s\n", (long long)days, buf.data, want);
    }
    CHECK_STR(fmt1(ty_make(TY_DATE), ty_days_from_civil(-5, 3, 1), &buf), "-005-03-01");
    CHECK_STR(fmt1(ty_make(TY_DATE), ty_days_from_civil(7, 1, 2), &buf), "0007-01-02");
    CHECK_STR(fmt1(ty_make(TY_DATE), ty_days_from_civil(12345, 12, 31), &buf), "12345-12-31");
    /* timestamps of every precision, before and after 1970 */
    for (int i = 0; i < 50000; i++) {
        int64_t micros = (int64_t)(next_rand() % 20000000000000000ULL) - 10000000000000000LL;
        int precision = (int)(next_rand() % 10);
        ref_timestamp(micros, precision, want, sizeof want);
        if (strcmp(fmt1(ty_timestamp(precision), micros, &buf), want) != 0 && bad++ < 5)
            fprintf(stderr, "TIMESTAMP(%d) %lld: got %s want %s\n", precision,
                    (long long)micros, buf.data, want);
    }
    CHECK_STR(fmt1(ty_timestamp(3), ((int64_t)19753 * 86400 + 86399) * 1000000 + 123000, &buf),
              "2024-01-31 23:59:59.123");
    CHECK_STR(fmt1(ty_timestamp(0), -1, &buf), "1969-12-31 23:59:59");
    /* TIME(p): milliseconds of the day */
    for (int i = 0; i < 20000; i++) {
        int64_t ms = (int64_t)(next_rand() % 86400000);
        int precision = (int)(next_rand() % 4);
        int len = snprintf(want, sizeof want, "%02d:%02d:%02d", (int)(ms / 3600000),
                           (int)(ms / 60000 % 60), (int)(ms / 1000 % 60));
        if (precision > 0) snprintf(want + len, sizeof want - (size_t)len, ".%03d", (int)(ms % 1000));
        want[len + (precision > 0 ? 1 + precision : 0)] = '\0';
        SqlType type = ty_make(TY_TIME);
        type.precision = (int8_t)precision;
        if (strcmp(fmt1(type, ms, &buf), want) != 0 && bad++ < 5)
            fprintf(stderr, "TIME(%d) %lld: got %s want %s\n", precision, (long long)ms, buf.data,
                    want);
    }
    CHECK(bad == 0);
    wb_buf_free(&buf);
}

/* What ty_parse_int64 returned before it was made faster: strtoll's value
 * after trimming, -1 for bad text, -2 for a valid but too long number
 * (the first digit that overflows decides, before any later bad byte). */
static int ref_parse(const char *s, size_t len, int64_t *out)
{
    while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                   s[len - 1] == '\r'))
        len--;
    if (!len) return -1;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    if (i == len) return -1;
    uint64_t v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return -1;
        if (v > (UINT64_MAX - d) / 10) return -2;
        v = v * 10 + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return -2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static void test_parse_int(void)
{
    const char *cases[] = {"0", "-0", "+7", " 42 ", "\t-13\r\n", "9223372036854775807",
                           "-9223372036854775808", "9223372036854775808",
                           "-9223372036854775809", "18446744073709551615",
                           "18446744073709551616", "99999999999999999999x", "00000000000000000000001",
                           "1x", "", " ", "-", "+", "12 3", "1e3", "0x10", "１"};
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = 0, want = 0;
        int rg = ty_parse_int64(cases[i], strlen(cases[i]), &got);
        int rw = ref_parse(cases[i], strlen(cases[i]), &want);
        if ((rg != rw || (rw == 0 && got != want)) && bad++ < 5)
            fprintf(stderr, "parse \"%s\": got %d/%lld want %d/%lld\n", cases[i], rg,
                    (long long)got, rw, (long long)want);
    }
    /* random texts: numbers of 1..22 digits with an occasional bad byte */
    char text[40];
    for (int i = 0; i < 300000; i++) {
        size_t len = 0;
        uint64_t r = next_rand();
        if (r & 1) text[len++] = (r & 2) ? '-' : '+';
        size_t ndig = 1 + (size_t)((r >> 8) % 22);
        for (size_t d = 0; d < ndig; d++) text[len++] = (char)('0' + next_rand() % 10);
        if ((r >> 16) % 16 == 0) text[(r >> 20) % len] = (char)(' ' + (r >> 28) % 64);
        int64_t got = 0, want = 0;
        int rg = ty_parse_int64(text, len, &got);
        int rw = ref_parse(text, len, &want);
        if ((rg != rw || (rw == 0 && got != want)) && bad++ < 5)
            fprintf(stderr, "parse \"%.*s\": got %d/%lld want %d/%lld\n", (int)len, text, rg,
                    (long long)got, rw, (long long)want);
    }
    CHECK(bad == 0);
    CHECK(ref_parse("9223372036854775807", 19, &(int64_t){0}) == 0);
}

/* The csv decoder's inline BIGINT path (up to 19 digits) agrees with the
 * shared parser on value, "invalid" and "out of range", and keeps the
 * record's position in the error. */
static void test_csv_bigint(void)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    TableDef def;
    memset(&def, 0, sizeof def);
    ColumnDef col;
    memset(&col, 0, sizeof col);
    col.name = "k";
    col.type = ty_make(TY_BIGINT);
    def.name = "t";
    def.ncols = 1;
    def.cols = &col;
    def.watermark_col = -1;
    CsvOptions opts = {',', '"', false, false, NULL};
    CsvDecoder *dec = cn_csv_decoder_new(&def, &opts);
    SqlType type = ty_make(TY_BIGINT);
    Batch *out = ty_batch_new(&type, 1, 4);
    char text[48];
    int bad = 0;
    for (int i = 0; i < 100000; i++) {
        size_t len = 0;
        uint64_t r = next_rand();
        if ((r & 7) == 0) text[len++] = '-';
        size_t ndig = 1 + (size_t)((r >> 8) % 21);
        for (size_t d = 0; d < ndig; d++) text[len++] = (char)('0' + next_rand() % 10);
        if ((r >> 16) % 32 == 0) text[(r >> 21) % len] = 'x';
        if ((r >> 26) % 64 == 0) {   /* INT64_MIN / INT64_MAX and one past */
            const char *edge[] = {"-9223372036854775808", "9223372036854775807",
                                  "-9223372036854775809", "9223372036854775808"};
            len = strlen(edge[(r >> 32) % 4]);
            memcpy(text, edge[(r >> 32) % 4], len);
        }
        int64_t want = 0;
        int rw = ref_parse(text, len, &want);
        text[len] = '\n';
        RecordInput in = {text, len + 1, 0, true, 7, 100, "f.csv", 0, 0};
        WbError err;
        wb_error_clear(&err);
        ty_batch_reset(out);
        int rc = cn_csv_decode(dec, &in, out, 4, NULL, &err);
        bool ok = rw == 0 ? rc == CN_NEED_MORE && out->nrows == 1 && out->cols[0].i64[0] == want
                          : rc == -1 && err.line == 7 && err.offset == 100 &&
                                strstr(err.message, rw == -2 ? "out of range" : "invalid value");
        if (!ok && bad++ < 5)
            fprintf(stderr, "csv \"%.*s\": rc %d rw %d msg %s\n", (int)len, text, rc, rw,
                    err.message);
    }
    CHECK(bad == 0);
    ty_batch_free(out);
    cn_csv_decoder_free(dec);
    wb_arena_destroy(&arena);
}

int main(void)
{
    RUN(test_integers);
    RUN(test_decimals);
    RUN(test_temporal);
    RUN(test_parse_int);
    RUN(test_csv_bigint);
    return check_done();
}
