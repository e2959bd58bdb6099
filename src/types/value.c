/*
 * value.c - values as text: the canonical formatting weir prints (CSV,
 * CAST to STRING, the print connector) and the parsers every text input
 * (CSV, JSON, CAST from STRING, literals) goes through.
 */
#include "types/types.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- calendar (days from civil, Howard Hinnant's public-domain algorithm
 * description: eras of 400 years starting in March) ---- */

int64_t ty_days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ty_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = y + (m <= 2);
    *month = m;
    *day = d;
}

static int days_in_month(int64_t year, int month)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
    return dim[month - 1];
}

/* ---- formatting ----
 * Integers go into the buffer through a hand-written conversion (two digits
 * per division, from a 200-byte table) rather than snprintf: printing a
 * million-row result is mostly this.  Each helper matches the printf
 * conversion it replaces byte for byte (`%lld`, `%0Nd`), which
 * tests/unit/test_format.c checks against snprintf. */

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes v in decimal into the bytes just before `end` (at most 20, no
 * NUL) and returns how many it wrote: the text is end - n .. end. */
static inline size_t u64_digits_right(uint64_t v, char *end)
{
    char *p = end;
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = digit_pairs[pair + 1];
        *--p = digit_pairs[pair];
    }
    if (v >= 10) {
        unsigned pair = (unsigned)v * 2;
        *--p = digit_pairs[pair + 1];
        *--p = digit_pairs[pair];
    } else {
        *--p = (char)('0' + v);
    }
    return (size_t)(end - p);
}

/* Appends v as printf's "%0*lld" with the given width (0 = "%lld"). */
static void put_int(WbBuf *out, int64_t v, int width)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = u64_digits_right(mag, end);
    size_t sign = v < 0;
    size_t pad = (size_t)width > n + sign ? (size_t)width - n - sign : 0;
    wb_buf_reserve(out, sign + pad + n);
    char *dst = out->data + out->len;
    if (sign) *dst++ = '-';
    if (pad) memset(dst, '0', pad);
    memcpy(dst + pad, end - n, n);
    out->len += sign + pad + n;
}

/* Two digits of a value known to be in [0, 99]. */
static inline void put2(char *dst, int v)
{
    dst[0] = digit_pairs[v * 2];
    dst[1] = digit_pairs[v * 2 + 1];
}

void ty_format_date(int64_t days, WbBuf *out)
{
    int64_t year;
    int month, day;
    ty_civil_from_days(days, &year, &month, &day);
    put_int(out, year, 4);
    wb_buf_reserve(out, 6);
    char *dst = out->data + out->len;
    dst[0] = '-';
    put2(dst + 1, month);
    dst[3] = '-';
    put2(dst + 4, day);
    out->len += 6;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static void format_fraction(int64_t micros_of_second, int precision, WbBuf *out)
{
    if (precision <= 0) return;
    char digits[16];
    /* micros as 6 digits, then nanosecond places are zeros */
    if (micros_of_second >= 0 && micros_of_second < 1000000) {
        int v = (int)micros_of_second;
        put2(digits, v / 10000);
        put2(digits + 2, v / 100 % 100);
        put2(digits + 4, v % 100);
        memcpy(digits + 6, "000", 3);
    } else {
        snprintf(digits, sizeof digits, "%06lld000", (long long)micros_of_second);
    }
    if (precision > 9) precision = 9;
    wb_buf_reserve(out, (size_t)precision + 1);
    out->data[out->len++] = '.';
    memcpy(out->data + out->len, digits, (size_t)precision);
    out->len += (size_t)precision;
}

/* " HH:MM:SS" (or "HH:MM:SS" without the space) for a time of day in
 * seconds, [0, 86400): the %02d fields without printf. */
static void put_hms(WbBuf *out, int64_t secs, bool space)
{
    wb_buf_reserve(out, 9);
    char *dst = out->data + out->len;
    if (space) *dst++ = ' ';
    put2(dst, (int)(secs / 3600));
    dst[2] = ':';
    put2(dst + 3, (int)(secs / 60 % 60));
    dst[5] = ':';
    put2(dst + 6, (int)(secs % 60));
    out->len += 8 + space;
}

void ty_format_timestamp(int64_t micros, int precision, WbBuf *out)
{
    int64_t days = floor_div(micros, 86400000000LL);
    int64_t rem = micros - days * 86400000000LL;
    ty_format_date(days, out);
    put_hms(out, rem / 1000000, true);   /* rem is in [0, one day) */
    format_fraction(rem % 1000000, precision, out);
}

static void format_double(double d, WbBuf *out)
{
    if (isnan(d)) { wb_buf_puts(out, "NaN"); return; }
    if (isinf(d)) { wb_buf_puts(out, d > 0 ? "Infinity" : "-Infinity"); return; }
    char buf[40];
    double mag = fabs(d);
    if (d == 0 || (mag >= 1e-3 && mag < 1e7)) {
        /* Plain notation with the fewest significant digits that read back
         * to the same double, always with a fraction part (Java's
         * Double.toString style: 3.0, 0.020000000000000004). */
        if (d == 0) {
            wb_buf_puts(out, signbit(d) ? "-0.0" : "0.0");
            return;
        }
        int digits = 1;
        for (; digits < 17; digits++) {
            snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
            if (strtod(buf, NULL) == d) break;
        }
        int exp10 = (int)floor(log10(mag));
        int decimals = digits - 1 - exp10;
        if (decimals < 1) decimals = 1;
        snprintf(buf, sizeof buf, "%.*f", decimals, d);
        if (strtod(buf, NULL) != d) snprintf(buf, sizeof buf, "%.*f", decimals + 1, d);
        size_t len = strlen(buf);
        while (len > 2 && buf[len - 1] == '0' && buf[len - 2] != '.') buf[--len] = '\0';
        wb_buf_puts(out, buf);
        return;
    }
    /* Scientific: 1.0E10, 1.234E-5 */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d) break;
    }
    char *e = strchr(buf, 'e');
    int exponent = atoi(e + 1);
    *e = '\0';
    if (!strchr(buf, '.')) strcat(buf, ".0");
    wb_buf_printf(out, "%sE%d", buf, exponent);
}

static void format_decimal(int64_t v, int scale, WbBuf *out)
{
    if (scale <= 0) {
        put_int(out, v, 0);
        return;
    }
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t p = (uint64_t)ty_pow10[scale > 18 ? 18 : scale];
    /* "%s%llu.%0*llu": sign, integer part, then the fraction zero-padded to
     * `scale` digits (more digits than that only if scale > 18). */
    char tmp[24];
    char *end = tmp + sizeof tmp;
    size_t nint = u64_digits_right(mag / p, end);
    wb_buf_reserve(out, (size_t)(v < 0) + nint + 1 + (size_t)scale + 20);
    char *dst = out->data + out->len;
    if (v < 0) *dst++ = '-';
    memcpy(dst, end - nint, nint);
    dst += nint;
    *dst++ = '.';
    size_t nfrac = u64_digits_right(mag % p, end);
    if ((size_t)scale > nfrac) {
        memset(dst, '0', (size_t)scale - nfrac);
        dst += (size_t)scale - nfrac;
    }
    memcpy(dst, end - nfrac, nfrac);
    dst += nfrac;
    out->len = (size_t)(dst - out->data);
}

static void format_interval_dt(int64_t ms, WbBuf *out)
{
    /* Flink: +2 03:04:05.000 style */
    uint64_t mag = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    uint64_t days = mag / 86400000, rem = mag % 86400000;
    wb_buf_printf(out, "%c%llu %02llu:%02llu:%02llu.%03llu", ms < 0 ? '-' : '+',
                  (unsigned long long)days, (unsigned long long)(rem / 3600000),
                  (unsigned long long)(rem / 60000 % 60), (unsigned long long)(rem / 1000 % 60),
                  (unsigned long long)(rem % 1000));
}

void ty_format_value(const ColumnVector *col, int32_t row, WbBuf *out)
{
    switch ((TypeId)col->type.id) {
    case TY_BOOLEAN: wb_buf_puts(out, col->i64[row] ? "TRUE" : "FALSE"); break;
    case TY_INT:
    case TY_BIGINT: put_int(out, col->i64[row], 0); break;
    case TY_DECIMAL:
        if (ty_phys(col->type) == PK_I128) ty_format_decimal(col->i128[row], col->type.scale, out);
        else format_decimal(col->i64[row], col->type.scale, out);
        break;
    case TY_DOUBLE: format_double(col->f64[row], out); break;
    case TY_STRING:
    case TY_BYTES: wb_buf_append(out, col->str[row].ptr, col->str[row].len); break;
    case TY_DATE: ty_format_date(col->i64[row], out); break;
    case TY_TIME: {
        int64_t ms = col->i64[row];
        if (ms >= 0 && ms < 86400000)
            put_hms(out, ms / 1000, false);
        else
            wb_buf_printf(out, "%02d:%02d:%02d", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                          (int)(ms / 1000 % 60));
        if (col->type.precision > 0) format_fraction((ms % 1000) * 1000, WB_MIN(col->type.precision, 3), out);
        break;
    }
    case TY_TIMESTAMP:
        ty_format_timestamp(col->type.ltz ? wb_tz_to_local(col->i64[row]) : col->i64[row],
                            col->type.precision, out);
        break;
    case TY_INTERVAL_DT: format_interval_dt(col->i64[row], out); break;
    case TY_INTERVAL_YM: {
        int64_t m = col->i64[row];
        uint64_t mag = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
        wb_buf_printf(out, "%c%llu-%02llu", m < 0 ? '-' : '+', (unsigned long long)(mag / 12),
                      (unsigned long long)(mag % 12));
        break;
    }
    default: wb_buf_puts(out, "?"); break;
    }
}

/* ---- parsing ---- */

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) { (*s)++; (*len)--; }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
                    (*s)[*len - 1] == '\n' || (*s)[*len - 1] == '\r'))
        (*len)--;
}

int ty_parse_int64(const char *s, size_t len, int64_t *out)
{
    /* Trimming is rare: test the two ends before calling trim(). */
    if (len && (s[0] <= ' ' || s[len - 1] <= ' ')) trim(&s, &len);
    if (!len) return -1;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    if (i == len) return -1;
    /* 19 digits always fit in a uint64_t (< 10^19 < 2^64): no overflow test
     * until the 20th digit. */
    uint64_t v = 0;
    size_t safe = i + 19 < len ? i + 19 : len;
    for (; i < safe; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return -1;
        v = v * 10 + d;
    }
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return -1;
        if (v > (UINT64_MAX - d) / 10) return -2;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return -2;
        *out = (int64_t)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return -2;
        *out = (int64_t)v;
    }
    return 0;
}

int ty_parse_double(const char *s, size_t len, double *out)
{
    trim(&s, &len);
    if (!len || len > 400) return -1;
    char buf[401];
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (wb_ieq(buf, len, "NaN")) { *out = NAN; return 0; }
    if (wb_ieq(buf, len, "Infinity") || wb_ieq(buf, len, "+Infinity")) { *out = INFINITY; return 0; }
    if (wb_ieq(buf, len, "-Infinity")) { *out = -INFINITY; return 0; }
    /* reject hex floats, "inf", "nan(...)": only digits, sign, point, exponent */
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'))
            return -1;
    }
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (end != buf + len) return -1;
    *out = d;
    return 0;
}

int ty_parse_decimal(const char *s, size_t len, int precision, int scale, int64_t *out)
{
    ty_i128 v;
    int rc = ty_parse_decimal128(s, len, precision, scale, &v);
    if (rc) return rc;
    if (v > INT64_MAX || v < INT64_MIN) return -2;
    *out = (int64_t)v;
    return 0;
}

int ty_parse_bool(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    if (wb_ieq(s, len, "true") || wb_ieq(s, len, "t") || wb_ieq(s, len, "1") ||
        wb_ieq(s, len, "yes") || wb_ieq(s, len, "y") || wb_ieq(s, len, "on")) {
        *out = 1;
        return 0;
    }
    if (wb_ieq(s, len, "false") || wb_ieq(s, len, "f") || wb_ieq(s, len, "0") ||
        wb_ieq(s, len, "no") || wb_ieq(s, len, "n") || wb_ieq(s, len, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Reads exactly `width` digits (or 1..width when min < width). */
static bool read_num(const char *s, size_t len, size_t *pos, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (*pos < len && n < max && s[*pos] >= '0' && s[*pos] <= '9') {
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
        n++;
    }
    if (n < min) return false;
    *out = v;
    return true;
}

static int parse_date_at(const char *s, size_t len, size_t *pos, int64_t *days)
{
    int64_t year, month, day;
    bool neg = false;
    if (*pos < len && s[*pos] == '-') { neg = true; (*pos)++; }
    if (!read_num(s, len, pos, 1, 6, &year)) return -1;
    if (neg) year = -year;
    if (*pos >= len || s[*pos] != '-') return -1;
    (*pos)++;
    if (!read_num(s, len, pos, 1, 2, &month)) return -1;
    if (*pos >= len || s[*pos] != '-') return -1;
    (*pos)++;
    if (!read_num(s, len, pos, 1, 2, &day)) return -1;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, (int)month)) return -1;
    *days = ty_days_from_civil(year, (int)month, (int)day);
    return 0;
}

/* HH:MM[:SS[.fffffffff]] -> micros of day */
static int parse_time_at(const char *s, size_t len, size_t *pos, int64_t *micros)
{
    int64_t hour, minute, second = 0, frac = 0;
    if (!read_num(s, len, pos, 1, 2, &hour)) return -1;
    if (*pos >= len || s[*pos] != ':') return -1;
    (*pos)++;
    if (!read_num(s, len, pos, 2, 2, &minute)) return -1;
    if (*pos < len && s[*pos] == ':') {
        (*pos)++;
        if (!read_num(s, len, pos, 2, 2, &second)) return -1;
        if (*pos < len && s[*pos] == '.') {
            (*pos)++;
            int digits = 0;
            while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
                if (digits < 6) frac = frac * 10 + (s[*pos] - '0');
                digits++;
                (*pos)++;
            }
            if (digits == 0) return -1;
            for (int d = digits; d < 6; d++) frac *= 10;
        }
    }
    if (hour > 23 || minute > 59 || second > 59) return -1;
    *micros = ((hour * 60 + minute) * 60 + second) * 1000000 + frac;
    return 0;
}

int ty_parse_date(const char *s, size_t len, int64_t *days)
{
    trim(&s, &len);
    size_t pos = 0;
    if (parse_date_at(s, len, &pos, days) != 0 || pos != len) return -1;
    return 0;
}

int ty_parse_time(const char *s, size_t len, int64_t *millis)
{
    trim(&s, &len);
    size_t pos = 0;
    int64_t micros;
    if (parse_time_at(s, len, &pos, &micros) != 0 || pos != len) return -1;
    *millis = micros / 1000;
    return 0;
}

int ty_parse_timestamp(const char *s, size_t len, int64_t *micros)
{
    trim(&s, &len);
    size_t pos = 0;
    int64_t days, tod = 0;
    if (parse_date_at(s, len, &pos, &days) != 0) return -1;
    if (pos < len) {
        if (s[pos] != ' ' && s[pos] != 'T') return -1;
        pos++;
        if (parse_time_at(s, len, &pos, &tod) != 0) return -1;
        if (pos < len && s[pos] == 'Z') pos++;
    }
    if (pos != len) return -1;
    *micros = days * 86400000000LL + tod;
    return 0;
}

int ty_parse_value(Batch *b, int32_t col, int32_t row, const char *text, size_t len,
                   WbError *err)
{
    ColumnVector *vec = &b->cols[col];
    SqlType type = vec->type;
    vec->nulls[row] = 0;
    int rc = 0;
    switch ((TypeId)type.id) {
    case TY_STRING:
    case TY_BYTES:
        vec->str[row] = ty_batch_str(b, text, (uint32_t)len);
        return 0;
    case TY_BOOLEAN: rc = ty_parse_bool(text, len, &vec->i64[row]); break;
    case TY_INT:
        rc = ty_parse_int64(text, len, &vec->i64[row]);
        if (rc == 0 && (vec->i64[row] > INT32_MAX || vec->i64[row] < INT32_MIN)) rc = -2;
        break;
    case TY_BIGINT: rc = ty_parse_int64(text, len, &vec->i64[row]); break;
    case TY_DECIMAL: rc = ty_parse_decimal_cell(vec, row, text, len); break;
    case TY_DOUBLE: rc = ty_parse_double(text, len, &vec->f64[row]); break;
    case TY_DATE: rc = ty_parse_date(text, len, &vec->i64[row]); break;
    case TY_TIME: rc = ty_parse_time(text, len, &vec->i64[row]); break;
    case TY_TIMESTAMP: {
        rc = ty_parse_timestamp(text, len, &vec->i64[row]);
        if (rc == 0 && type.ltz) vec->i64[row] = wb_tz_to_utc(vec->i64[row]);
        if (rc == 0 && type.precision < 6) {
            int64_t unit = ty_pow10[6 - (type.precision < 0 ? 0 : type.precision)];
            vec->i64[row] = floor_div(vec->i64[row], unit) * unit;
        }
        break;
    }
    default:
        rc = -1;
        break;
    }
    if (rc != 0) {
        char tname[64];
        int shown = len > 64 ? 64 : (int)len;
        if (rc == -2)
            wb_error(err, WB_SQLSTATE_OVERFLOW, 0, 0, "value \"%.*s\"%s is out of range for type %s",
                     shown, text, len > 64 ? "..." : "", ty_name(type, tname, sizeof tname));
        else
            wb_error(err, WB_SQLSTATE_BAD_VALUE, 0, 0, "invalid value \"%.*s\"%s for type %s",
                     shown, text, len > 64 ? "..." : "", ty_name(type, tname, sizeof tname));
        return -1;
    }
    return 0;
}
