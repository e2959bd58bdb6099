/*
 * fmt_csv.c - the csv format (RFC 4180): decoding a window of file bytes
 * into batch rows, and the value writer the filesystem sink uses.
 *
 * Decoding runs in two passes per window so that the per-value work is a
 * loop per column with the type switch outside it:
 *   1. tokenize: split complete records into field spans (offset, length,
 *      kind) without copying; only quoted fields with doubled quotes are
 *      unescaped, into a scratch buffer;
 *   2. convert: per column, parse every span of the window into the batch
 *      vector.  Strings point into one copy of the window made in the
 *      batch arena, so there is no allocation per field.
 * A record cut by the end of the window is left unconsumed; the source
 * refills the window and the record is tokenized again from its start.
 *
 * Weir's conventions: an unquoted empty field is NULL, a quoted empty field
 * ("") is the empty string; 'csv.null-literal' matches unquoted fields
 * only (a quoted field is always its text).  Blank lines are skipped,
 * except in one-column tables, where a blank line is a NULL row.
 */
#include "connect/connect_int.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { CELL_NULL = 0, CELL_BUF = 1, CELL_SCRATCH = 2 };

typedef struct CsvSpan {
    uint32_t off, len;
} CsvSpan;

struct CsvDecoder {
    CsvOptions opts;
    size_t null_len;
    int32_t ncols;
    SqlType *types;
    const char **names;
    bool has_strings;
    /* per window: spans[row * ncols + col], kinds likewise */
    int32_t cap_rows;
    CsvSpan *spans;
    uint8_t *kinds;
    int64_t *row_line;
    int64_t *row_offset;
    uint8_t *row_bad;
    WbBuf scratch;
};

int cn_csv_options(const TableDef *table, CsvOptions *opts, WbError *err)
{
    memset(opts, 0, sizeof *opts);
    opts->delimiter = ',';
    opts->quote = '"';
    const char *v = sql_table_option(table, "csv.field-delimiter");
    if (v) {
        if (strcmp(v, "\\t") == 0) opts->delimiter = '\t';
        else if (strlen(v) == 1 && v[0] != '\n' && v[0] != '\r') opts->delimiter = v[0];
        else {
            cn_table_error(err, table, "invalid value \"%s\" for 'csv.field-delimiter'; expected a single character (or \\t)", v);
            return -1;
        }
    }
    v = sql_table_option(table, "csv.quote-character");
    if (v) {
        if (strlen(v) != 1 || v[0] == '\n' || v[0] == '\r') {
            cn_table_error(err, table, "invalid value \"%s\" for 'csv.quote-character'; expected a single character", v);
            return -1;
        }
        opts->quote = (unsigned char)v[0];
    }
    bool no_quote;
    if (cn_opt_bool(table, "csv.disable-quote-character", false, &no_quote, err) != 0) return -1;
    if (no_quote) opts->quote = -1;
    if (opts->quote == (unsigned char)opts->delimiter) {
        cn_table_error(err, table, "'csv.quote-character' and 'csv.field-delimiter' must differ");
        return -1;
    }
    if (cn_opt_bool(table, "csv.allow-comments", false, &opts->allow_comments, err) != 0) return -1;
    if (cn_opt_bool(table, "csv.ignore-parse-errors", false, &opts->ignore_errors, err) != 0) return -1;
    opts->null_literal = sql_table_option(table, "csv.null-literal");
    return 0;
}

CsvDecoder *cn_csv_decoder_new(const TableDef *table, const CsvOptions *opts)
{
    CsvDecoder *d = wb_calloc(1, sizeof *d);
    d->opts = *opts;
    d->null_len = opts->null_literal ? strlen(opts->null_literal) : 0;
    d->names = cn_physical_names(table, &d->ncols);
    d->types = wb_malloc(sizeof(SqlType) * (size_t)(d->ncols ? d->ncols : 1));
    sql_table_physical(table, d->types, NULL);
    for (int32_t col = 0; col < d->ncols; col++)
        if (ty_phys(d->types[col]) == PK_STR) d->has_strings = true;
    return d;
}

void cn_csv_decoder_free(CsvDecoder *d)
{
    if (!d) return;
    free(d->types);
    free(d->names);
    free(d->spans);
    free(d->kinds);
    free(d->row_line);
    free(d->row_offset);
    free(d->row_bad);
    wb_buf_free(&d->scratch);
    free(d);
}

static void reserve_rows(CsvDecoder *d, int32_t rows)
{
    if (rows <= d->cap_rows) return;
    size_t cells = (size_t)rows * (size_t)(d->ncols ? d->ncols : 1);
    d->spans = wb_realloc(d->spans, sizeof(CsvSpan) * cells);
    d->kinds = wb_realloc(d->kinds, cells);
    d->row_line = wb_realloc(d->row_line, sizeof(int64_t) * (size_t)rows);
    d->row_offset = wb_realloc(d->row_offset, sizeof(int64_t) * (size_t)rows);
    d->row_bad = wb_realloc(d->row_bad, (size_t)rows);
    d->cap_rows = rows;
}

static int64_t count_newlines(const char *s, size_t len)
{
    int64_t n = 0;
    const char *end = s + len;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* A bad record: skipped and counted, or the error. */
static int bad_record(CsvDecoder *d, RecordInput *in, int64_t line, int64_t offset,
                      const char *reason, int64_t a, int64_t b, WbError *err)
{
    if (d->opts.ignore_errors) {
        in->dirty++;
        return 0;
    }
    if (a >= 0) cn_record_error(err, WB_SQLSTATE_BAD_VALUE, in, line, offset, reason, (long long)a, (long long)b);
    else cn_record_error(err, WB_SQLSTATE_BAD_VALUE, in, line, offset, "%s", reason);
    return -1;
}

/* Index of the first delimiter, LF or CR at or after p (e if none).  Eight
 * bytes at a time: a byte equal to the target makes (x - 0x01..) & ~x have
 * its high bit set, and the lowest flagged byte is always a true match. */
static inline size_t scan_plain(const char *s, size_t p, size_t e, char delim)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t dmask = ones * (uint8_t)delim, lf = ones * '\n', cr = ones * '\r';
    while (p + 8 <= e) {
        uint64_t w;
        memcpy(&w, s + p, 8);
        uint64_t a = w ^ dmask, b = w ^ lf, c = w ^ cr;
        uint64_t z = (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c)) & highs;
        if (z) return p + ((size_t)__builtin_ctzll(z) >> 3);
        p += 8;
    }
#endif
    while (p < e && s[p] != delim && s[p] != '\n' && s[p] != '\r') p++;
    return p;
}

/* Set to false (tests only) to send every record through the general
 * tokenizer, so that the two can be compared. */
bool cn_csv_plain_fast_path = true;

/* Bit i set when byte b + i is a delimiter, LF, CR or the quote character:
 * the bytes the plain-record path must stop at.  Bytes at or after e are
 * never flagged. */
static inline uint64_t stop_mask(const char *s, size_t b, size_t e, char delim, char quote)
{
    uint64_t m = 0;
#if defined(__SSE2__)
    if (b + 64 <= e) {
        const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8(quote);
        const __m128i vlf = _mm_set1_epi8('\n'), vcr = _mm_set1_epi8('\r');
        for (int part = 0; part < 4; part++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + b + 16 * part));
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vq)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, vlf), _mm_cmpeq_epi8(v, vcr)));
            m |= (uint64_t)(uint16_t)_mm_movemask_epi8(hit) << (16 * part);
        }
        return m;
    }
#endif
    size_t n = e - b < 64 ? e - b : 64;
    for (size_t i = 0; i < n; i++) {
        char c = s[b + i];
        if (c == delim || c == quote || c == '\n' || c == '\r') m |= (uint64_t)1 << i;
    }
    return m;
}

/* The fast path of pass 1 for the common record: ncols unquoted fields,
 * no CR, ended by LF.  The window is scanned 64 bytes at a time into a
 * bit mask of stop bytes (delimiter, LF, CR, quote), and each field ends at
 * the next set bit, so there is no byte loop and no branch per byte.  A
 * record that is anything else (blank line, comment, quote, CR, wrong field
 * count, cut by the end of the window) is left to the general tokenizer:
 * the fast path stops at its first byte.  Returns the records taken. */
static int32_t tokenize_plain(CsvDecoder *d, RecordInput *in, size_t *pp, int64_t *pline,
                              int32_t nrec, int32_t want)
{
    const char *s = in->data;
    const size_t e = in->len;
    const char delim = d->opts.delimiter;
    /* with quoting disabled the quote slot repeats the delimiter */
    const char quote = d->opts.quote >= 0 ? (char)d->opts.quote : delim;
    const int32_t ncols = d->ncols;
    const bool comments = d->opts.allow_comments;
    const char *null_lit = d->opts.null_literal;
    const size_t null_len = d->null_len;
    size_t p = *pp;
    int64_t line = *pline;
    int32_t taken = 0;
    size_t block = p;
    uint64_t mask = stop_mask(s, block, e, delim, quote);
    while (nrec + taken < want && p < e) {
        const size_t rec_start = p;
        if (s[p] == '\n' || (comments && s[p] == '#')) break;
        CsvSpan *spans = &d->spans[(size_t)(nrec + taken) * (size_t)ncols];
        uint8_t *kinds = &d->kinds[(size_t)(nrec + taken) * (size_t)ncols];
        bool ok = true;
        for (int32_t col = 0; col < ncols; col++) {
            while (mask == 0) {
                block += 64;
                if (block >= e) break;
                mask = stop_mask(s, block, e, delim, quote);
            }
            if (mask == 0) { ok = false; break; }
            size_t stop = block + (size_t)__builtin_ctzll(mask);
            mask &= mask - 1;
            char t = s[stop];
            if (t != (col + 1 < ncols ? delim : '\n')) { ok = false; break; }
            uint32_t len = (uint32_t)(stop - p);
            spans[col].off = (uint32_t)p;
            spans[col].len = len;
            kinds[col] = len ? CELL_BUF : CELL_NULL;
            if (null_lit && len == null_len && memcmp(s + p, null_lit, len) == 0) kinds[col] = CELL_NULL;
            p = stop + 1;
        }
        if (!ok) {
            p = rec_start;
            break;
        }
        d->row_line[nrec + taken] = line;
        d->row_offset[nrec + taken] = in->base_offset + (int64_t)rec_start;
        d->row_bad[nrec + taken] = 0;
        line++;
        in->records++;
        taken++;
    }
    *pp = p;
    *pline = line;
    return taken;
}

/* Pass 1.  Tokenizes up to `want` complete records from the window into
 * spans; returns CN_FULL, CN_NEED_MORE or -1. */
static int tokenize(CsvDecoder *d, RecordInput *in, int32_t want, int32_t *nrec, WbError *err)
{
    const char *s = in->data;
    const size_t e = in->len;
    const bool eof = in->eof;
    const char delim = d->opts.delimiter;
    const int quote = d->opts.quote;
    const int32_t ncols = d->ncols;
    size_t p = in->pos;
    int64_t line = in->line;
    int status = CN_FULL;
    *nrec = 0;

    while (*nrec < want) {
        if (cn_csv_plain_fast_path && ncols > 0 && p < e) {
            *nrec += tokenize_plain(d, in, &p, &line, *nrec, want);
            if (*nrec == want) break;
        }
        if (p >= e) {
            status = CN_NEED_MORE;
            break;
        }
        const size_t rec_start = p;
        const int64_t rec_line = line;
        char c = s[p];
        /* A blank line is skipped, except in a one-column table where it
         * is a NULL row (what the sink writes for one). */
        if (c == '\n' && ncols != 1) {
            p++;
            line++;
            continue;
        }
        if (c == '\r' && ncols != 1 && (p + 1 < e || eof)) {
            if (p + 1 == e) { p++; continue; }
            if (s[p + 1] == '\n') { p += 2; line++; continue; }
        } else if (c == '\r' && p + 1 == e && !eof) {
            status = CN_NEED_MORE;
            break;
        }
        if (d->opts.allow_comments && c == '#') {
            const char *nl = memchr(s + p, '\n', e - p);
            if (!nl && !eof) { status = CN_NEED_MORE; break; }
            p = nl ? (size_t)(nl - s) + 1 : e;
            line++;
            continue;
        }

        const size_t scratch_mark = d->scratch.len;
        CsvSpan *spans = &d->spans[(size_t)*nrec * (size_t)ncols];
        uint8_t *kinds = &d->kinds[(size_t)*nrec * (size_t)ncols];
        int32_t nfields = 0;
        int64_t newlines = 0;
        bool incomplete = false;
        const char *bad = NULL;
        for (;;) {
            uint32_t off, len;
            uint8_t kind;
            if (quote >= 0 && p < e && s[p] == (char)quote) {
                size_t content = ++p;
                size_t close = 0;
                bool doubled = false;
                size_t sc_start = d->scratch.len;
                for (;;) {
                    const char *q = memchr(s + p, quote, e - p);
                    if (!q) { incomplete = true; break; }
                    size_t qp = (size_t)(q - s);
                    newlines += count_newlines(s + p, qp - p);
                    if (qp + 1 < e && s[qp + 1] == (char)quote) {
                        /* "" inside quotes: one quote character */
                        doubled = true;
                        wb_buf_append(&d->scratch, s + p, qp + 1 - p);
                        p = qp + 2;
                        continue;
                    }
                    if (qp + 1 >= e && !eof) { incomplete = true; break; }
                    if (doubled) wb_buf_append(&d->scratch, s + p, qp - p);
                    close = qp;
                    p = qp + 1;
                    break;
                }
                if (incomplete) break;
                if (doubled) {
                    kind = CELL_SCRATCH;
                    off = (uint32_t)sc_start;
                    len = (uint32_t)(d->scratch.len - sc_start);
                } else {
                    kind = CELL_BUF;
                    off = (uint32_t)content;
                    len = (uint32_t)(close - content);
                }
            } else {
                size_t f = p;
                for (;;) {
                    p = scan_plain(s, p, e, delim);
                    if (p >= e || s[p] != '\r') break;
                    /* CR ends the field only as part of CRLF (or at EOF) */
                    if (p + 1 < e) {
                        if (s[p + 1] == '\n') break;
                        p++;
                        continue;
                    }
                    if (!eof) incomplete = true;
                    break;
                }
                if (incomplete) break;
                off = (uint32_t)f;
                len = (uint32_t)(p - f);
                kind = len ? CELL_BUF : CELL_NULL;
                if (d->opts.null_literal && len == d->null_len &&
                    memcmp(s + f, d->opts.null_literal, len) == 0)
                    kind = CELL_NULL;
            }
            if (nfields < ncols) {
                spans[nfields].off = off;
                spans[nfields].len = len;
                kinds[nfields] = kind;
            }
            nfields++;
            /* the field's terminator */
            if (p >= e) {
                if (!eof) incomplete = true;
                break;
            }
            char t = s[p];
            if (t == delim) { p++; continue; }
            if (t == '\n') { p++; newlines++; break; }
            if (t == '\r') {
                if (p + 1 < e && s[p + 1] == '\n') { p += 2; newlines++; break; }
                if (p + 1 >= e) {
                    if (!eof) { incomplete = true; break; }
                    p++;
                    break;
                }
            }
            /* Only reachable after a closing quote: skip to the line end. */
            bad = "unexpected character after a closing quote";
            const char *nl = memchr(s + p, '\n', e - p);
            if (!nl && !eof) { incomplete = true; break; }
            if (nl) newlines++;
            p = nl ? (size_t)(nl - s) + 1 : e;
            break;
        }
        if (incomplete && !eof) {
            d->scratch.len = scratch_mark;
            p = rec_start;
            status = CN_NEED_MORE;
            break;
        }
        in->records++;
        int64_t offset = in->base_offset + (int64_t)rec_start;
        if (incomplete) {
            /* an opening quote never closed before the end of the file */
            p = e;
            line += newlines;
            d->scratch.len = scratch_mark;
            if (bad_record(d, in, rec_line, offset, "unterminated quoted field", -1, -1, err) != 0) return -1;
            continue;
        }
        line += newlines;
        if (bad || nfields != ncols) {
            d->scratch.len = scratch_mark;
            int rc = bad ? bad_record(d, in, rec_line, offset, bad, -1, -1, err)
                         : bad_record(d, in, rec_line, offset, "expected %lld fields, found %lld",
                                      ncols, nfields, err);
            if (rc != 0) return -1;
            continue;
        }
        d->row_line[*nrec] = rec_line;
        d->row_offset[*nrec] = offset;
        d->row_bad[*nrec] = 0;
        (*nrec)++;
    }
    in->pos = p;
    in->line = line;
    return status;
}

static int bad_value(CsvDecoder *d, RecordInput *in, int32_t rec, int32_t col, int rc,
                     const char *text, uint32_t len, WbError *err)
{
    if (d->opts.ignore_errors) {
        if (!d->row_bad[rec]) in->dirty++;
        d->row_bad[rec] = 1;
        return 0;
    }
    char tname[64];
    ty_name(d->types[col], tname, sizeof tname);
    int shown = len > 64 ? 64 : (int)len;
    const char *more = len > 64 ? "..." : "";
    if (rc == -2)
        cn_record_error(err, WB_SQLSTATE_OVERFLOW, in, d->row_line[rec], d->row_offset[rec],
                        "value \"%.*s\"%s is out of range for column %s %s", shown, text, more,
                        d->names[col], tname);
    else
        cn_record_error(err, WB_SQLSTATE_BAD_VALUE, in, d->row_line[rec], d->row_offset[rec],
                        "invalid value \"%.*s\"%s for column %s %s", shown, text, more,
                        d->names[col], tname);
    return -1;
}

/* Eight ASCII digits (byte 0 the most significant) as a number, or false
 * if one is not a digit.  SWAR: a byte is a digit when its high nibble is 3
 * and adding 6 keeps it so; then neighbouring digits merge pairwise, 1+1,
 * 2+2, 4+4, one multiply each. */
static inline bool digits8(uint64_t w, uint64_t *out)
{
    const uint64_t nibbles = 0xF0F0F0F0F0F0F0F0ULL, threes = 0x3030303030303030ULL;
    if ((w & nibbles) != threes || ((w + 0x0606060606060606ULL) & nibbles) != threes) return false;
    w -= threes;
    w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFULL;
    w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFULL;
    w = (w * 10000 + (w >> 32)) & 0xFFFFFFFFULL;
    *out = w;
    return true;
}

/* Integers straight from the bytes: the common "-?digits" case (up to 19
 * digits, the whole BIGINT range) without a call and without a loop per
 * digit: a head of (digits mod 8) digits, read as eight bytes with the
 * bytes after it replaced by leading '0's, then whole groups of eight.
 * That reads up to 8 bytes from the first digit, so it needs `end` (the
 * end of the readable buffer); near it, one digit at a time.  Anything
 * else (blanks, '+', longer text, bad bytes) goes through ty_parse_int64,
 * which also decides between "invalid" (-1) and "out of range" (-2). */
static inline int parse_int_fast(const char *t, uint32_t len, const char *end, int64_t *out)
{
    uint32_t neg = len && t[0] == '-';
    const char *dig = t + neg;
    uint32_t ndig = len - neg;
    if (ndig >= 1 && ndig <= 19) {
        uint64_t v = 0;   /* 19 digits < 10^19 < 2^64: cannot wrap */
        bool ok = true;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if ((size_t)(end - dig) >= 8) {
            uint32_t head = ndig & 7, j = head;
            if (head) {
                uint64_t w;
                memcpy(&w, dig, 8);
                w = (w << (8 * (8 - head))) | (0x3030303030303030ULL >> (8 * head));
                ok = digits8(w, &v);
            }
            for (; ok && j < ndig; j += 8) {
                uint64_t w, eight;
                memcpy(&w, dig + j, 8);
                ok = digits8(w, &eight);
                v = v * 100000000 + eight;
            }
        } else
#endif
        {
            (void)end;
            for (uint32_t j = 0; ok && j < ndig; j++) {
                unsigned d = (unsigned)(dig[j] - '0');
                ok = d <= 9;
                v = v * 10 + d;
            }
        }
        if (ok && v <= (uint64_t)INT64_MAX + neg) {
            *out = neg ? (int64_t)(0 - v) : (int64_t)v;
            return 0;
        }
    }
    return ty_parse_int64(t, len, out);
}

/* DECIMAL(p,s) from "-?digits[.digits]" with at most s fraction digits and
 * 18 digits in all, exactly; anything else (exponents, rounding, blanks)
 * through ty_parse_decimal. */
static inline int parse_decimal_fast(const char *t, uint32_t len, int precision, int scale,
                                     int64_t *out)
{
    uint32_t i = len && t[0] == '-';
    uint64_t v = 0;   /* wraps harmlessly past 19 digits: those go the slow way */
    int digits = 0, frac = -1;
    for (; i < len; i++) {
        unsigned dig = (unsigned)(t[i] - '0');
        if (dig <= 9) {
            v = v * 10 + dig;
            digits++;
            if (frac >= 0) frac++;
        } else if (t[i] == '.' && frac < 0) {
            frac = 0;
        } else {
            break;
        }
    }
    if (i != len || digits == 0 || digits > 18 || frac == 0 || frac > scale || scale > 18)
        return ty_parse_decimal(t, len, precision, scale, out);
    int shift = scale - (frac < 0 ? 0 : frac);
    if (digits + shift > 18) return ty_parse_decimal(t, len, precision, scale, out);
    int64_t scaled = (int64_t)v * ty_pow10[shift];   /* at most 18 digits */
    if (precision > 0 && precision < 19 && scaled >= ty_pow10[precision]) return -2;
    *out = len && t[0] == '-' ? -scaled : scaled;
    return 0;
}

/* Pass 2: rows [0, n) of the window into out rows [base, base + n). */
/* A DATE written 'YYYY-MM-DD' (ten bytes, a valid day): its day number. */
static inline bool date_fast(const char *t, uint32_t len, int64_t *days)
{
    if (len != 10 || t[4] != '-' || t[7] != '-') return false;
    int v[8];
    static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 8; i++) {
        v[i] = t[at[i]] - '0';
        if ((unsigned)v[i] > 9) return false;
    }
    int year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int month = v[4] * 10 + v[5], day = v[6] * 10 + v[7];
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1]) return false;
    if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return false;   /* the shared parser reports it */
    *days = ty_days_from_civil(year, month, day);
    return true;
}

static int convert(CsvDecoder *d, RecordInput *in, Batch *out, size_t window_start,
                   int32_t n, const uint8_t *unread, WbError *err)
{
    const int32_t ncols = d->ncols;
    const int32_t base = out->nrows;
    const char *buf_text = in->data;
    const char *scratch_text = d->scratch.data;
    bool strings = d->has_strings;
    if (strings && unread) {
        strings = false;
        for (int32_t col = 0; col < ncols && !strings; col++)
            strings = !unread[col] && ty_phys(d->types[col]) == PK_STR;
    }
    if (strings) {
        /* One copy of the window and the scratch in the batch arena; string
         * values point into it. */
        size_t wlen = in->pos - window_start;
        char *copy = wb_arena_alloc(out->arena, wlen + d->scratch.len + 1);
        memcpy(copy, in->data + window_start, wlen);
        if (d->scratch.len) memcpy(copy + wlen, d->scratch.data, d->scratch.len);
        buf_text = copy - window_start;
        scratch_text = copy + wlen;
    }
    /* ends of the readable bytes, for parsers that read ahead */
    const char *buf_end = in->data + in->len;
    const char *scratch_end = d->scratch.data + d->scratch.len;
    for (int32_t col = 0; col < ncols; col++) {
        if (unread && unread[col]) continue;   /* nobody reads it: not decoded */
        ColumnVector *vec = &out->cols[col];
        const TypeId id = (TypeId)d->types[col].id;
        const CsvSpan *span = &d->spans[col];
        const uint8_t *kind = &d->kinds[col];
        switch (id) {
        case TY_INT:
        case TY_BIGINT:
            for (int32_t r = 0; r < n; r++, span += ncols, kind += ncols) {
                int32_t row = base + r;
                if (*kind == CELL_NULL) { vec->nulls[row] = 1; continue; }
                vec->nulls[row] = 0;
                const char *t = (*kind == CELL_BUF ? in->data : d->scratch.data) + span->off;
                const char *end = *kind == CELL_BUF ? buf_end : scratch_end;
                int rc = parse_int_fast(t, span->len, end, &vec->i64[row]);
                if (rc == 0 && id == TY_INT && (vec->i64[row] > INT32_MAX || vec->i64[row] < INT32_MIN))
                    rc = -2;
                if (rc != 0 && bad_value(d, in, r, col, rc, t, span->len, err) != 0) return -1;
            }
            break;
        case TY_DOUBLE:
            for (int32_t r = 0; r < n; r++, span += ncols, kind += ncols) {
                int32_t row = base + r;
                if (*kind == CELL_NULL) { vec->nulls[row] = 1; continue; }
                vec->nulls[row] = 0;
                const char *t = (*kind == CELL_BUF ? in->data : d->scratch.data) + span->off;
                if (ty_parse_double(t, span->len, &vec->f64[row]) != 0 &&
                    bad_value(d, in, r, col, -1, t, span->len, err) != 0)
                    return -1;
            }
            break;
        case TY_STRING:
        case TY_BYTES:
            for (int32_t r = 0; r < n; r++, span += ncols, kind += ncols) {
                int32_t row = base + r;
                if (*kind == CELL_NULL) { vec->nulls[row] = 1; continue; }
                vec->nulls[row] = 0;
                vec->str[row].ptr = (*kind == CELL_BUF ? buf_text : scratch_text) + span->off;
                vec->str[row].len = span->len;
            }
            break;
        case TY_DECIMAL: {
            const int precision = d->types[col].precision, scale = d->types[col].scale;
            for (int32_t r = 0; r < n; r++, span += ncols, kind += ncols) {
                int32_t row = base + r;
                if (*kind == CELL_NULL) { vec->nulls[row] = 1; continue; }
                vec->nulls[row] = 0;
                const char *t = (*kind == CELL_BUF ? in->data : d->scratch.data) + span->off;
                int rc;
                if (precision <= TY_DECIMAL_NARROW_PRECISION) {
                    rc = parse_decimal_fast(t, span->len, precision, scale, &vec->i64[row]);
                } else {
                    /* DECIMAL(19..38): the 64-bit reader first, the exact
                     * 128-bit one for what it cannot hold. */
                    int64_t small;
                    rc = parse_decimal_fast(t, span->len, TY_DECIMAL_NARROW_PRECISION, scale, &small);
                    if (rc == 0) vec->i128[row] = small;
                    else if (rc == -2)
                        rc = ty_parse_decimal128(t, span->len, precision, scale, &vec->i128[row]);
                }
                if (rc != 0 && bad_value(d, in, r, col, rc, t, span->len, err) != 0) return -1;
            }
            break;
        }
        default: {
            /* BOOLEAN, DATE, TIME, TIMESTAMP, intervals: the shared parser
             * (a DATE written YYYY-MM-DD directly).  The local error is
             * cleared only after a failure: clearing costs more than
             * parsing. */
            WbError local;
            wb_error_clear(&local);
            const bool date = id == TY_DATE;
            for (int32_t r = 0; r < n; r++, span += ncols, kind += ncols) {
                int32_t row = base + r;
                if (*kind == CELL_NULL) { vec->nulls[row] = 1; continue; }
                const char *t = (*kind == CELL_BUF ? in->data : d->scratch.data) + span->off;
                if (date && date_fast(t, span->len, &vec->i64[row])) {
                    vec->nulls[row] = 0;
                    continue;
                }
                if (ty_parse_value(out, col, row, t, span->len, &local) != 0) {
                    int rc = strcmp(local.sqlstate, WB_SQLSTATE_OVERFLOW) == 0 ? -2 : -1;
                    wb_error_clear(&local);
                    if (bad_value(d, in, r, col, rc, t, span->len, err) != 0) return -1;
                }
            }
            break;
        }
        }
    }
    /* Drop rows with a bad value (only with ignore-parse-errors). */
    int32_t kept = 0;
    for (int32_t r = 0; r < n; r++) {
        if (d->row_bad[r]) continue;
        int32_t from = base + r, to = base + kept;
        if (from != to) {
            for (int32_t col = 0; col < ncols; col++) {
                if (unread && unread[col]) continue;
                ColumnVector *vec = &out->cols[col];
                vec->nulls[to] = vec->nulls[from];
                switch (ty_phys(vec->type)) {
                case PK_I64: vec->i64[to] = vec->i64[from]; break;
                case PK_I128: vec->i128[to] = vec->i128[from]; break;
                case PK_F64: vec->f64[to] = vec->f64[from]; break;
                case PK_STR: vec->str[to] = vec->str[from]; break;
                }
            }
        }
        out->weights[to] = 1;
        kept++;
    }
    out->nrows = base + kept;
    return 0;
}

int cn_csv_decode(CsvDecoder *d, RecordInput *in, Batch *out, int32_t max_rows,
                  const uint8_t *unread, WbError *err)
{
    for (;;) {
        int32_t want = max_rows - out->nrows;
        if (want <= 0) return CN_FULL;
        reserve_rows(d, want);
        size_t window_start = in->pos;
        wb_buf_clear(&d->scratch);
        int32_t n;
        int status = tokenize(d, in, want, &n, err);
        if (status < 0) return -1;
        if (n > 0 && convert(d, in, out, window_start, n, unread, err) != 0) return -1;
        if (status == CN_NEED_MORE) return CN_NEED_MORE;
    }
}

/* ---- writing ---- */

void cn_csv_write_value(const CsvOptions *opts, const ColumnVector *col, int32_t row, WbBuf *out)
{
    if (col->nulls[row]) {
        if (opts->null_literal) wb_buf_puts(out, opts->null_literal);
        return;
    }
    bool is_str = ty_phys(col->type) == PK_STR;
    if (is_str && col->str[row].len == 0) {
        if (opts->quote >= 0) {
            wb_buf_putc(out, (char)opts->quote);
            wb_buf_putc(out, (char)opts->quote);
        }
        return;
    }
    size_t start = out->len;
    ty_format_value(col, row, out);
    if (opts->quote < 0) return;
    const char q = (char)opts->quote;
    size_t len = out->len - start;
    bool need = is_str && opts->null_literal && strlen(opts->null_literal) == len &&
                memcmp(out->data + start, opts->null_literal, len) == 0;
    size_t quotes = 0;
    for (size_t i = start; i < out->len; i++) {
        char c = out->data[i];
        if (c == q) quotes++;
        if (c == q || c == opts->delimiter || c == '\n' || c == '\r') need = true;
    }
    /* a leading '#' would read back as a comment line */
    if (opts->allow_comments && len && out->data[start] == '#') need = true;
    if (!need) return;
    /* Quote in place, back to front: doubled quotes grow the text. */
    wb_buf_reserve(out, quotes + 2);
    char *text = out->data + start;
    size_t src = len, dst = len + quotes + 2;
    text[--dst] = q;
    while (src > 0) {
        char c = text[--src];
        text[--dst] = c;
        if (c == q) text[--dst] = q;
    }
    text[0] = q;
    out->len += quotes + 2;
}
