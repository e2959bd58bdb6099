/*
 * parquet_write.c - the Parquet writer: buffers a row group column by
 * column (dense values plus one definition level per row), then writes
 * each column chunk as an optional dictionary page and data pages v1, and
 * at close the footer (parquet.h describes the file).
 *
 * States: OPEN --write*--> OPEN --close--> (freed); any error -> FAILED,
 * which refuses writes; close of a FAILED writer and abort remove the file.
 */
#include "store/parquet_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PQ_OUT_FLUSH ((size_t)1 << 20)
#define PQ_STAT_MAX_BYTES 64           /* string min/max longer than this are cut */

/* A column chunk as written, kept for the footer. */
typedef struct ChunkOut {
    int64_t start;                     /* first byte (dictionary or data page) */
    int64_t dict_offset;               /* -1: none */
    int64_t data_offset;
    int64_t num_values;
    int64_t uncompressed, compressed;
    int64_t null_count;
    bool dict;
    bool has_min_max, min_exact, max_exact;
    uint8_t *min, *max;                /* PLAIN bytes in the writer's meta arena */
    uint32_t min_len, max_len;
} ChunkOut;

typedef struct RowGroupOut {
    int64_t num_rows;
    int64_t start, bytes, raw_bytes;
    ChunkOut *chunks;
} RowGroupOut;

typedef struct WCol {
    const char *name;
    SqlType type;
    PhysKind kind;
    int32_t ptype;                     /* Parquet physical type */
    int32_t type_len;                  /* FIXED_LEN_BYTE_ARRAY length */
    bool required;
    /* the open row group: levels[0..rows) (1 = present) and the present
     * values densely in [0..nvalues) */
    uint8_t *levels;
    int64_t nvalues, cap_values;
    int64_t *i64;
    double *f64;
    ty_i128 *i128;
    int64_t *str_off;                  /* nvalues + 1 offsets into str_bytes */
    WbBuf str_bytes;
    int64_t raw_bytes;
    /* file-level statistics */
    int64_t file_nulls;
    bool file_has_min_max;
    PqValue file_min, file_max;
    WbBuf file_min_str, file_max_str;
} WCol;

struct PqWriter {
    char *path;
    int fd;
    bool failed;
    PqWriteOptions opts;
    int codec;
    int32_t ncols;
    WCol *cols;
    int64_t rg_rows, cap_rows;
    int64_t total_rows;
    int64_t offset;                    /* bytes written to the file so far */
    WbBuf out;                         /* pending bytes */
    WbBuf page, comp, header, scratch;
    uint32_t *idx;                     /* dictionary indices of a chunk */
    int64_t cap_idx;
    RowGroupOut *rgs;
    int32_t nrg, cap_rg;
    WbArena meta;                      /* names, kv, statistics bytes */
    WbArena page_stats;                /* the current page's statistics bytes */
    PqKeyValue *kv;
    int32_t nkv;
};

void pq_write_options_default(PqWriteOptions *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->compression = PQ_COMPRESS_SNAPPY;
    opts->row_group_rows = (int64_t)1 << 20;
    opts->row_group_bytes = (int64_t)128 << 20;
    opts->page_bytes = 1 << 20;
    opts->dictionary = true;
    opts->dictionary_page_bytes = 1 << 20;
}

int pq_compression_parse(const char *name, PqCompression *out)
{
    size_t len = strlen(name);
    if (wb_ieq(name, len, "none") || wb_ieq(name, len, "uncompressed")) *out = PQ_COMPRESS_NONE;
    else if (wb_ieq(name, len, "snappy")) *out = PQ_COMPRESS_SNAPPY;
    else if (wb_ieq(name, len, "zstd")) *out = PQ_COMPRESS_ZSTD;
    else if (wb_ieq(name, len, "gzip")) *out = PQ_COMPRESS_GZIP;
    else return -1;
    return 0;
}

static int io_fail(PqWriter *w, const char *what, WbError *err)
{
    int saved = errno;
    w->failed = true;
    wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot %s Parquet file \"%s\": %s", what, w->path,
             strerror(saved));
    snprintf(err->source, sizeof err->source, "%s", w->path);
    return -1;
}

static int flush_out(PqWriter *w, WbError *err)
{
    const char *p = w->out.data;
    size_t left = w->out.len;
    while (left > 0) {
        ssize_t n = write(w->fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_fail(w, "write", err);
        p += n;
        left -= (size_t)n;
    }
    wb_buf_clear(&w->out);
    return 0;
}

static int emit(PqWriter *w, const void *data, size_t len, WbError *err)
{
    wb_buf_append(&w->out, data, len);
    w->offset += (int64_t)len;
    if (w->out.len >= PQ_OUT_FLUSH) return flush_out(w, err);
    return 0;
}

/* ---- the type mapping ---- */

static int map_type(SqlType type, int32_t *ptype, int32_t *type_len)
{
    *type_len = 0;
    switch (type.id) {
    case TY_BOOLEAN: *ptype = PQT_BOOLEAN; return 0;
    case TY_INT: case TY_DATE: case TY_TIME: *ptype = PQT_INT32; return 0;
    case TY_BIGINT: case TY_TIMESTAMP: *ptype = PQT_INT64; return 0;
    case TY_DOUBLE: *ptype = PQT_DOUBLE; return 0;
    case TY_STRING: case TY_BYTES: *ptype = PQT_BYTE_ARRAY; return 0;
    case TY_DECIMAL:
        if (type.precision < 1 || type.precision > TY_DECIMAL_MAX_PRECISION) return -1;
        if (type.precision <= 9) *ptype = PQT_INT32;
        else if (type.precision <= 18) *ptype = PQT_INT64;
        else {
            *ptype = PQT_FIXED_LEN_BYTE_ARRAY;
            *type_len = pq_decimal_bytes(type.precision);
        }
        return 0;
    case TY_INTERVAL_DT: case TY_INTERVAL_YM:
        *ptype = PQT_FIXED_LEN_BYTE_ARRAY;
        *type_len = 12;
        return 0;
    default:
        return -1;
    }
}

/* ---- buffering rows ---- */

static void reserve_values(WCol *col, int64_t more)
{
    if (col->nvalues + more <= col->cap_values) return;
    int64_t cap = col->cap_values ? col->cap_values : 1024;
    while (cap < col->nvalues + more) cap *= 2;
    switch (col->kind) {
    case PK_I64: col->i64 = wb_realloc(col->i64, sizeof(int64_t) * (size_t)cap); break;
    case PK_F64: col->f64 = wb_realloc(col->f64, sizeof(double) * (size_t)cap); break;
    case PK_I128: col->i128 = wb_realloc(col->i128, sizeof(ty_i128) * (size_t)cap); break;
    case PK_STR: col->str_off = wb_realloc(col->str_off, sizeof(int64_t) * (size_t)(cap + 1)); break;
    }
    col->cap_values = cap;
}

static void reserve_rows(PqWriter *w, int64_t more)
{
    if (w->rg_rows + more <= w->cap_rows) return;
    int64_t cap = w->cap_rows ? w->cap_rows : 1024;
    while (cap < w->rg_rows + more) cap *= 2;
    for (int32_t c = 0; c < w->ncols; c++)
        w->cols[c].levels = wb_realloc(w->cols[c].levels, (size_t)cap);
    w->cap_rows = cap;
}

/* Appends rows sel[from..from+n) (or from..from+n) of vec to col. */
static int append_column(PqWriter *w, WCol *col, const ColumnVector *vec, const int32_t *sel,
                         int32_t from, int32_t n, WbError *err)
{
    uint8_t *levels = col->levels + w->rg_rows;
    int64_t present = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t row = sel ? sel[from + i] : from + i;
        levels[i] = vec->nulls[row] ? 0 : 1;
        present += levels[i];
    }
    if (col->required && present < n) {
        w->failed = true;
        wb_error(err, WB_SQLSTATE_NOT_NULL, 0, 0,
                 "NULL value in NOT NULL column \"%s\" of Parquet file \"%s\"", col->name, w->path);
        return -1;
    }
    reserve_values(col, present + 1);   /* the branch-free loops store one slot past the last value */
    int64_t at = col->nvalues;
    switch (col->kind) {
    case PK_I64:
        for (int32_t i = 0; i < n; i++) {
            int32_t row = sel ? sel[from + i] : from + i;
            col->i64[at] = vec->i64[row];
            at += levels[i];
        }
        col->raw_bytes += present * (col->ptype == PQT_INT32 ? 4 : 8);
        break;
    case PK_F64:
        for (int32_t i = 0; i < n; i++) {
            int32_t row = sel ? sel[from + i] : from + i;
            col->f64[at] = vec->f64[row];
            at += levels[i];
        }
        col->raw_bytes += present * 8;
        break;
    case PK_I128:
        for (int32_t i = 0; i < n; i++) {
            int32_t row = sel ? sel[from + i] : from + i;
            col->i128[at] = vec->i128[row];
            at += levels[i];
        }
        col->raw_bytes += present * col->type_len;
        break;
    case PK_STR: {
        if (col->nvalues == 0) col->str_off[0] = 0;
        for (int32_t i = 0; i < n; i++) {
            if (!levels[i]) continue;
            int32_t row = sel ? sel[from + i] : from + i;
            WbStr s = vec->str[row];
            wb_buf_append(&col->str_bytes, s.ptr, s.len);
            col->str_off[++at] = (int64_t)col->str_bytes.len;
        }
        col->raw_bytes += present * 4 + (col->str_off[at] - col->str_off[col->nvalues]);
        at = col->nvalues + present;
        break;
    }
    }
    col->nvalues = at;
    return 0;
}

/* ---- PLAIN encoding of dense values ---- */

static void put_be(uint8_t *p, ty_i128 v, int32_t n)
{
    ty_u128 u = (ty_u128)v;
    for (int32_t i = n - 1; i >= 0; i--) {
        p[i] = (uint8_t)u;
        u >>= 8;
    }
}

/* The 12 bytes of an INTERVAL (months, days, millis as u32 LE). */
static void put_interval(uint8_t *p, SqlType type, int64_t v)
{
    int64_t months = 0, days = 0, ms = 0;
    if (type.id == TY_INTERVAL_YM) {
        months = v;
    } else {
        /* floor division: the milliseconds stay in [0, 86400000), as
         * readers (DuckDB) take that field unsigned */
        days = v / 86400000;
        ms = v % 86400000;
        if (ms < 0) {
            days--;
            ms += 86400000;
        }
    }
    wb_put_u32(p, (uint32_t)months);
    wb_put_u32(p + 4, (uint32_t)days);
    wb_put_u32(p + 8, (uint32_t)ms);
}

/* Appends values idx[i] (i in [0, n); idx NULL: first..first+n) PLAIN. */
static void encode_plain(const WCol *col, const uint32_t *idx, int64_t first, int64_t n, WbBuf *out)
{
    switch (col->ptype) {
    case PQT_BOOLEAN: {
        wb_buf_reserve(out, (size_t)(n + 7) / 8);
        uint8_t *p = (uint8_t *)out->data + out->len;
        memset(p, 0, (size_t)(n + 7) / 8);
        for (int64_t i = 0; i < n; i++) {
            int64_t v = col->i64[idx ? idx[i] : first + i];
            if (v) p[i >> 3] |= (uint8_t)(1u << (i & 7));
        }
        out->len += (size_t)(n + 7) / 8;
        return;
    }
    case PQT_INT32: {
        wb_buf_reserve(out, (size_t)n * 4);
        uint8_t *p = (uint8_t *)out->data + out->len;
        for (int64_t i = 0; i < n; i++) wb_put_u32(p + 4 * i, (uint32_t)col->i64[idx ? idx[i] : first + i]);
        out->len += (size_t)n * 4;
        return;
    }
    case PQT_INT64:
    case PQT_DOUBLE: {
        wb_buf_reserve(out, (size_t)n * 8);
        uint8_t *p = (uint8_t *)out->data + out->len;
        if (col->kind == PK_F64) {
            for (int64_t i = 0; i < n; i++) {
                uint64_t bits;
                memcpy(&bits, &col->f64[idx ? idx[i] : first + i], 8);
                wb_put_u64(p + 8 * i, bits);
            }
        } else {
            for (int64_t i = 0; i < n; i++) wb_put_u64(p + 8 * i, (uint64_t)col->i64[idx ? idx[i] : first + i]);
        }
        out->len += (size_t)n * 8;
        return;
    }
    case PQT_BYTE_ARRAY: {
        for (int64_t i = 0; i < n; i++) {
            int64_t k = idx ? idx[i] : first + i;
            int64_t len = col->str_off[k + 1] - col->str_off[k];
            uint8_t lb[4];
            wb_put_u32(lb, (uint32_t)len);
            wb_buf_append(out, lb, 4);
            wb_buf_append(out, col->str_bytes.data + col->str_off[k], (size_t)len);
        }
        return;
    }
    case PQT_FIXED_LEN_BYTE_ARRAY: {
        size_t width = (size_t)col->type_len;
        wb_buf_reserve(out, (size_t)n * width);
        uint8_t *p = (uint8_t *)out->data + out->len;
        for (int64_t i = 0; i < n; i++) {
            int64_t k = idx ? idx[i] : first + i;
            if (col->kind == PK_I128) put_be(p + width * (size_t)i, col->i128[k], col->type_len);
            else put_interval(p + width * (size_t)i, col->type, col->i64[k]);
        }
        out->len += (size_t)n * width;
        return;
    }
    }
}

/* ---- dictionary ---- */

static uint64_t value_hash(const WCol *col, int64_t k)
{
    switch (col->kind) {
    case PK_I64: return wb_hash_u64((uint64_t)col->i64[k]);
    case PK_F64: {
        uint64_t bits;
        memcpy(&bits, &col->f64[k], 8);
        return wb_hash_u64(bits);
    }
    case PK_I128: {
        ty_u128 u = (ty_u128)col->i128[k];
        return wb_hash_combine(wb_hash_u64((uint64_t)u), (uint64_t)(u >> 64));
    }
    case PK_STR:
        return wb_hash_bytes(col->str_bytes.data + col->str_off[k],
                             (size_t)(col->str_off[k + 1] - col->str_off[k]), 0x9e3779b9);
    }
    return 0;
}

static bool value_eq(const WCol *col, int64_t a, int64_t b)
{
    switch (col->kind) {
    case PK_I64: return col->i64[a] == col->i64[b];
    case PK_F64: return memcmp(&col->f64[a], &col->f64[b], 8) == 0;
    case PK_I128: return col->i128[a] == col->i128[b];
    case PK_STR: {
        int64_t la = col->str_off[a + 1] - col->str_off[a];
        int64_t lb = col->str_off[b + 1] - col->str_off[b];
        return la == lb && memcmp(col->str_bytes.data + col->str_off[a],
                                  col->str_bytes.data + col->str_off[b], (size_t)la) == 0;
    }
    }
    return false;
}

static int64_t plain_size(const WCol *col, int64_t k)
{
    switch (col->ptype) {
    case PQT_INT32: return 4;
    case PQT_BYTE_ARRAY: return 4 + col->str_off[k + 1] - col->str_off[k];
    case PQT_FIXED_LEN_BYTE_ARRAY: return col->type_len;
    default: return 8;
    }
}

/* Builds the chunk's dictionary: w->idx[i] = entry of value i, *entries =
 * the value index of each entry's first occurrence (malloc'ed).  Returns
 * the entry count, or -1 when the dictionary would pass the limit. */
static int64_t build_dictionary(PqWriter *w, const WCol *col, uint32_t **entries)
{
    int64_t n = col->nvalues;
    if (w->cap_idx < n) {
        w->idx = wb_realloc(w->idx, sizeof(uint32_t) * (size_t)n);
        w->cap_idx = n;
    }
    /* entries are bounded by the byte limit (each takes at least 4) */
    int64_t most = WB_MIN(n, (int64_t)w->opts.dictionary_page_bytes / 4 + 1);
    size_t slots = 1024;
    while (slots < (size_t)most * 2) slots *= 2;
    uint32_t *table = wb_calloc(slots, sizeof(uint32_t));   /* entry + 1, 0 = empty */
    uint32_t *first = wb_malloc(sizeof(uint32_t) * 1024);
    int64_t nentries = 0, cap_entries = 1024, bytes = 0;
    int64_t limit = w->opts.dictionary_page_bytes;
    for (int64_t k = 0; k < n; k++) {
        size_t s = (size_t)value_hash(col, k) & (slots - 1);
        for (;;) {
            uint32_t e = table[s];
            if (e == 0) {
                bytes += plain_size(col, k);
                if (bytes > limit || nentries >= (int64_t)INT32_MAX) {
                    free(table);
                    free(first);
                    return -1;
                }
                if (nentries == cap_entries) {
                    cap_entries *= 2;
                    first = wb_realloc(first, sizeof(uint32_t) * (size_t)cap_entries);
                }
                first[nentries] = (uint32_t)k;
                table[s] = (uint32_t)++nentries;
                w->idx[k] = (uint32_t)(nentries - 1);
                break;
            }
            if (value_eq(col, first[e - 1], k)) {
                w->idx[k] = e - 1;
                break;
            }
            s = (s + 1) & (slots - 1);
        }
        if ((size_t)nentries * 2 > slots) {
            /* grow: rehash the entries */
            slots *= 2;
            free(table);
            table = wb_calloc(slots, sizeof(uint32_t));
            for (int64_t e = 0; e < nentries; e++) {
                size_t t = (size_t)value_hash(col, first[e]) & (slots - 1);
                while (table[t]) t = (t + 1) & (slots - 1);
                table[t] = (uint32_t)(e + 1);
            }
        }
    }
    free(table);
    *entries = first;
    return nentries;
}

/* ---- statistics ---- */

static int cmp_str(const char *a, int64_t alen, const char *b, int64_t blen)
{
    int c = memcmp(a, b, (size_t)WB_MIN(alen, blen));
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

/* The min/max of values [from, from + n) of col (NaN ignored, zeros as
 * the spec says) as PLAIN bytes in arena, into co's statistics; mn, mx
 * get the exact values (strings point into col).  False when there is no
 * bound (no values, only NaN, an INTERVAL, a string max that cannot be
 * cut short). */
static bool range_stats(WCol *col, int64_t from, int64_t n, ChunkOut *co, WbArena *arena, PqValue *mn,
                        PqValue *mx)
{
    co->has_min_max = false;
    co->min_exact = co->max_exact = true;
    if (n == 0 || col->type.id == TY_INTERVAL_DT || col->type.id == TY_INTERVAL_YM) return false;
    memset(mn, 0, sizeof *mn);
    memset(mx, 0, sizeof *mx);
    switch (col->kind) {
    case PK_I64: {
        int64_t lo = col->i64[from], hi = col->i64[from];
        for (int64_t k = from + 1; k < from + n; k++) {
            int64_t v = col->i64[k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        mn->i64 = lo;
        mx->i64 = hi;
        co->min_len = co->max_len = col->ptype == PQT_INT32 ? 4 : col->ptype == PQT_BOOLEAN ? 1 : 8;
        co->min = wb_arena_alloc(arena, 8);
        co->max = wb_arena_alloc(arena, 8);
        if (co->min_len == 1) {
            co->min[0] = (uint8_t)(lo != 0);
            co->max[0] = (uint8_t)(hi != 0);
        } else if (co->min_len == 4) {
            wb_put_u32(co->min, (uint32_t)lo);
            wb_put_u32(co->max, (uint32_t)hi);
        } else {
            wb_put_u64(co->min, (uint64_t)lo);
            wb_put_u64(co->max, (uint64_t)hi);
        }
        break;
    }
    case PK_F64: {
        bool any = false;
        double lo = 0, hi = 0;
        for (int64_t k = from; k < from + n; k++) {
            double v = col->f64[k];
            if (isnan(v)) continue;
            if (!any) lo = hi = v, any = true;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (!any) return false;
        /* the spec's rule for zeros: -0.0 as min, +0.0 as max */
        if (lo == 0) lo = -0.0;
        if (hi == 0) hi = 0.0;
        mn->f64 = lo;
        mx->f64 = hi;
        co->min_len = co->max_len = 8;
        co->min = wb_arena_alloc(arena, 8);
        co->max = wb_arena_alloc(arena, 8);
        uint64_t bits;
        memcpy(&bits, &lo, 8);
        wb_put_u64(co->min, bits);
        memcpy(&bits, &hi, 8);
        wb_put_u64(co->max, bits);
        break;
    }
    case PK_I128: {
        ty_i128 lo = col->i128[from], hi = col->i128[from];
        for (int64_t k = from + 1; k < from + n; k++) {
            ty_i128 v = col->i128[k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        mn->i128 = lo;
        mx->i128 = hi;
        co->min_len = co->max_len = (uint32_t)col->type_len;
        co->min = wb_arena_alloc(arena, 16);
        co->max = wb_arena_alloc(arena, 16);
        put_be(co->min, lo, col->type_len);
        put_be(co->max, hi, col->type_len);
        break;
    }
    case PK_STR: {
        const char *base = col->str_bytes.data;
        int64_t lo = from, hi = from;
        for (int64_t k = from + 1; k < from + n; k++) {
            const char *p = base + col->str_off[k];
            int64_t len = col->str_off[k + 1] - col->str_off[k];
            if (cmp_str(p, len, base + col->str_off[lo], col->str_off[lo + 1] - col->str_off[lo]) < 0) lo = k;
            if (cmp_str(p, len, base + col->str_off[hi], col->str_off[hi + 1] - col->str_off[hi]) > 0) hi = k;
        }
        int64_t lo_len = col->str_off[lo + 1] - col->str_off[lo];
        int64_t hi_len = col->str_off[hi + 1] - col->str_off[hi];
        mn->str = (WbStr){base + col->str_off[lo], (uint32_t)lo_len};
        mx->str = (WbStr){base + col->str_off[hi], (uint32_t)hi_len};
        /* in the file: cut to PQ_STAT_MAX_BYTES, the max raised so that it
         * stays an upper bound (dropped when it is all 0xff bytes) */
        co->min_len = (uint32_t)WB_MIN(lo_len, PQ_STAT_MAX_BYTES);
        co->min = wb_arena_alloc(arena, co->min_len + 1);
        memcpy(co->min, mn->str.ptr, co->min_len);
        co->min_exact = co->min_len == lo_len;
        if (hi_len <= PQ_STAT_MAX_BYTES) {
            co->max_len = (uint32_t)hi_len;
            co->max = wb_arena_alloc(arena, co->max_len + 1);
            memcpy(co->max, mx->str.ptr, co->max_len);
        } else {
            int64_t cut = PQ_STAT_MAX_BYTES;
            while (cut > 0 && (uint8_t)mx->str.ptr[cut - 1] == 0xff) cut--;
            if (cut == 0) return false;   /* no short upper bound: no min/max */
            co->max_len = (uint32_t)cut;
            co->max = wb_arena_alloc(arena, (size_t)cut);
            memcpy(co->max, mx->str.ptr, (size_t)cut);
            co->max[cut - 1]++;
            co->max_exact = false;
        }
        break;
    }
    }
    co->has_min_max = true;
    return true;
}

/* Computes the chunk's min/max and PLAIN bytes into co; merges into the
 * file's statistics.  Fails for an INT32 column given a value outside 32
 * bits (an INT that was not range-checked). */
static int chunk_stats(PqWriter *w, WCol *col, ChunkOut *co, WbError *err)
{
    PqValue mn, mx;
    if (!range_stats(col, 0, col->nvalues, co, &w->meta, &mn, &mx)) return 0;
    if (col->kind == PK_I64 && col->ptype == PQT_INT32 && (mn.i64 < INT32_MIN || mx.i64 > INT32_MAX)) {
        w->failed = true;
        co->has_min_max = false;
        wb_error(err, WB_SQLSTATE_OVERFLOW, 0, 0,
                 "value %lld of column \"%s\" does not fit its 32-bit Parquet type",
                 (long long)(mn.i64 < INT32_MIN ? mn.i64 : mx.i64), col->name);
        return -1;
    }
    /* the file's statistics (exact values) */
    if (!col->file_has_min_max) {
        col->file_min = mn;
        col->file_max = mx;
        col->file_has_min_max = true;
        if (col->kind == PK_STR) {
            wb_buf_clear(&col->file_min_str);
            wb_buf_append(&col->file_min_str, mn.str.ptr, mn.str.len);
            wb_buf_clear(&col->file_max_str);
            wb_buf_append(&col->file_max_str, mx.str.ptr, mx.str.len);
        }
    } else {
        switch (col->kind) {
        case PK_I64:
            if (mn.i64 < col->file_min.i64) col->file_min.i64 = mn.i64;
            if (mx.i64 > col->file_max.i64) col->file_max.i64 = mx.i64;
            break;
        case PK_F64:
            if (mn.f64 < col->file_min.f64) col->file_min.f64 = mn.f64;
            if (mx.f64 > col->file_max.f64) col->file_max.f64 = mx.f64;
            break;
        case PK_I128:
            if (mn.i128 < col->file_min.i128) col->file_min.i128 = mn.i128;
            if (mx.i128 > col->file_max.i128) col->file_max.i128 = mx.i128;
            break;
        case PK_STR:
            if (cmp_str(mn.str.ptr, mn.str.len, col->file_min_str.data, (int64_t)col->file_min_str.len) < 0) {
                wb_buf_clear(&col->file_min_str);
                wb_buf_append(&col->file_min_str, mn.str.ptr, mn.str.len);
            }
            if (cmp_str(mx.str.ptr, mx.str.len, col->file_max_str.data, (int64_t)col->file_max_str.len) > 0) {
                wb_buf_clear(&col->file_max_str);
                wb_buf_append(&col->file_max_str, mx.str.ptr, mx.str.len);
            }
            break;
        }
    }
    return 0;
}

/* ---- pages ---- */

static int write_page(PqWriter *w, PqPageHeader *ph, ChunkOut *co, WbError *err)
{
    ph->uncompressed_size = (int32_t)w->page.len;
    if (w->page.len > (size_t)INT32_MAX) {
        w->failed = true;
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "a Parquet page of column chunk in \"%s\" exceeds 2 GiB", w->path);
        return -1;
    }
    if (pq_compress(w->codec, w->opts.compression_level, (const uint8_t *)w->page.data, w->page.len,
                    &w->comp, err) != 0) {
        w->failed = true;
        return -1;
    }
    ph->compressed_size = (int32_t)w->comp.len;
    wb_buf_clear(&w->header);
    pq_put_page_header(&w->header, ph);
    co->uncompressed += (int64_t)(w->header.len + w->page.len);
    co->compressed += (int64_t)(w->header.len + w->comp.len);
    if (emit(w, w->header.data, w->header.len, err) != 0) return -1;
    return emit(w, w->comp.data, w->comp.len, err);
}

static int bit_width_of(uint64_t max_value)
{
    int bw = 0;
    while (max_value) {
        bw++;
        max_value >>= 1;
    }
    return bw;
}

static int write_chunk(PqWriter *w, WCol *col, ChunkOut *co, WbError *err)
{
    int64_t rows = w->rg_rows;
    co->start = w->offset;
    co->dict_offset = -1;
    co->num_values = rows;
    co->null_count = rows - col->nvalues;
    col->file_nulls += co->null_count;
    if (chunk_stats(w, col, co, err) != 0) return -1;
    uint32_t *entries = NULL;
    int64_t nentries = -1;
    if (w->opts.dictionary && col->ptype != PQT_BOOLEAN && col->nvalues > 0)
        nentries = build_dictionary(w, col, &entries);
    PqPageHeader ph;
    if (nentries > 0) {
        co->dict = true;
        co->dict_offset = w->offset;
        wb_buf_clear(&w->page);
        encode_plain(col, entries, 0, nentries, &w->page);
        memset(&ph, 0, sizeof ph);
        ph.type = PQP_DICTIONARY_PAGE;
        ph.num_values = (int32_t)nentries;
        ph.encoding = PQE_PLAIN;
        int rc = write_page(w, &ph, co, err);
        free(entries);
        if (rc != 0) return -1;
    }
    co->data_offset = w->offset;
    int bw = nentries > 0 ? WB_MAX(1, bit_width_of((uint64_t)(nentries - 1))) : 0;
    /* rows per page from the column's raw size */
    int64_t per_row = rows ? WB_MAX((int64_t)1, col->raw_bytes / rows) : 1;
    int64_t page_rows = WB_MAX((int64_t)1, (int64_t)w->opts.page_bytes / per_row);
    int64_t value_at = 0;
    for (int64_t row = 0; row < rows; row += page_rows) {
        int64_t n = WB_MIN(page_rows, rows - row);
        wb_buf_clear(&w->page);
        int64_t present = n;
        if (!col->required) {
            present = 0;
            for (int64_t i = 0; i < n; i++) present += col->levels[row + i];
            wb_buf_reserve(&w->page, 4);
            w->page.len = 4;
            pq_rle_encode_u8(&w->page, col->levels + row, n, 1);
            wb_put_u32((uint8_t *)w->page.data, (uint32_t)(w->page.len - 4));
        }
        memset(&ph, 0, sizeof ph);
        ph.type = PQP_DATA_PAGE;
        ph.num_values = (int32_t)n;
        /* the page's own statistics: readers skip pages by them */
        ChunkOut ps;
        PqValue lo, hi;
        wb_arena_reset(&w->page_stats);
        ph.has_stats = true;
        ph.stats.null_count = n - present;
        if (range_stats(col, value_at, present, &ps, &w->page_stats, &lo, &hi)) {
            ph.stats.min = ps.min;
            ph.stats.max = ps.max;
            ph.stats.min_len = ps.min_len;
            ph.stats.max_len = ps.max_len;
            ph.stats.min_exact = ps.min_exact;
            ph.stats.max_exact = ps.max_exact;
        }
        if (nentries > 0) {
            ph.encoding = PQE_RLE_DICTIONARY;
            wb_buf_putc(&w->page, (char)bw);
            pq_rle_encode(&w->page, w->idx + value_at, present, bw);
        } else {
            ph.encoding = PQE_PLAIN;
            encode_plain(col, NULL, value_at, present, &w->page);
        }
        value_at += present;
        if (write_page(w, &ph, co, err) != 0) return -1;
    }
    return 0;
}

static int flush_row_group(PqWriter *w, WbError *err)
{
    if (w->rg_rows == 0) return 0;
    if (w->nrg == w->cap_rg) {
        w->cap_rg = w->cap_rg ? w->cap_rg * 2 : 8;
        w->rgs = wb_realloc(w->rgs, sizeof(RowGroupOut) * (size_t)w->cap_rg);
    }
    RowGroupOut *rg = &w->rgs[w->nrg];
    memset(rg, 0, sizeof *rg);
    rg->num_rows = w->rg_rows;
    rg->start = w->offset;
    rg->chunks = wb_arena_calloc(&w->meta, sizeof(ChunkOut) * (size_t)w->ncols);
    for (int32_t c = 0; c < w->ncols; c++) {
        WCol *col = &w->cols[c];
        if (write_chunk(w, col, &rg->chunks[c], err) != 0) return -1;
        rg->raw_bytes += rg->chunks[c].uncompressed;
        col->nvalues = 0;
        col->raw_bytes = 0;
        wb_buf_clear(&col->str_bytes);
    }
    rg->bytes = w->offset - rg->start;
    w->nrg++;
    w->rg_rows = 0;
    return 0;
}

static int64_t buffered_bytes(const PqWriter *w)
{
    int64_t bytes = 0;
    for (int32_t c = 0; c < w->ncols; c++) bytes += w->cols[c].raw_bytes;
    return bytes;
}

/* ---- API ---- */

PqWriter *pq_writer_open(const char *path, int32_t ncols, const char *const *names,
                         const SqlType *types, const PqWriteOptions *opts,
                         const PqKeyValue *kv, int32_t nkv, WbError *err)
{
    PqWriteOptions o;
    if (opts) o = *opts;
    else pq_write_options_default(&o);
    if (ncols < 1 || o.row_group_rows < 1 || o.row_group_bytes < 1 || o.page_bytes < 1 ||
        o.dictionary_page_bytes < 1 || (int)o.compression < 0 || o.compression > PQ_COMPRESS_GZIP ||
        (o.compression == PQ_COMPRESS_ZSTD && (o.compression_level < 0 || o.compression_level > 22)) ||
        (o.compression == PQ_COMPRESS_GZIP && (o.compression_level < 0 || o.compression_level > 9))) {
        wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "invalid Parquet writer options for \"%s\"", path);
        wb_error_detail(err, "Columns, row-group and page sizes must be positive; a zstd level is "
                             "1..22, a gzip level 1..9.");
        return NULL;
    }
    for (int32_t c = 0; c < ncols; c++) {
        int32_t pt, tl;
        if (map_type(types[c], &pt, &tl) != 0) {
            char tbuf[64];
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "column \"%s\" of type %s cannot be written to Parquet",
                     names[c], ty_name(types[c], tbuf, sizeof tbuf));
            return NULL;
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot create Parquet file \"%s\": %s", path, strerror(errno));
        snprintf(err->source, sizeof err->source, "%s", path);
        return NULL;
    }
    PqWriter *w = wb_calloc(1, sizeof *w);
    w->path = wb_strdup(path);
    w->fd = fd;
    w->opts = o;
    static const int codecs[] = {PQZ_UNCOMPRESSED, PQZ_SNAPPY, PQZ_ZSTD, PQZ_GZIP};
    w->codec = codecs[o.compression];
    wb_arena_init(&w->meta, 0);
    wb_arena_init(&w->page_stats, 0);
    w->ncols = ncols;
    w->cols = wb_calloc((size_t)ncols, sizeof(WCol));
    for (int32_t c = 0; c < ncols; c++) {
        WCol *col = &w->cols[c];
        col->name = wb_arena_strdup(&w->meta, names[c]);
        col->type = types[c];
        col->kind = ty_phys(types[c]);
        map_type(types[c], &col->ptype, &col->type_len);
        col->required = !types[c].nullable;
    }
    w->nkv = nkv;
    w->kv = wb_arena_calloc(&w->meta, sizeof(PqKeyValue) * (size_t)(nkv ? nkv : 1));
    for (int32_t i = 0; i < nkv; i++) {
        w->kv[i].key = wb_arena_strdup(&w->meta, kv[i].key);
        w->kv[i].value = kv[i].value ? wb_arena_strdup(&w->meta, kv[i].value) : NULL;
    }
    if (emit(w, "PAR1", 4, err) != 0) {
        pq_writer_abort(w);
        return NULL;
    }
    return w;
}

int pq_writer_write_vectors(PqWriter *w, const ColumnVector *const *cols, const int32_t *sel,
                            int32_t nrows, WbError *err)
{
    if (w->failed) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "Parquet writer of \"%s\" failed earlier", w->path);
        return -1;
    }
    for (int32_t c = 0; c < w->ncols; c++) {
        if (ty_phys(cols[c]->type) != w->cols[c].kind) {
            w->failed = true;
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                     "column \"%s\" given to the Parquet writer of \"%s\" has the wrong representation",
                     w->cols[c].name, w->path);
            return -1;
        }
    }
    int32_t done = 0;
    while (done < nrows) {
        int32_t n = (int32_t)WB_MIN((int64_t)(nrows - done), w->opts.row_group_rows - w->rg_rows);
        reserve_rows(w, n);
        for (int32_t c = 0; c < w->ncols; c++)
            if (append_column(w, &w->cols[c], cols[c], sel, done, n, err) != 0) return -1;
        w->rg_rows += n;
        w->total_rows += n;
        done += n;
        if (w->rg_rows >= w->opts.row_group_rows || buffered_bytes(w) >= w->opts.row_group_bytes)
            if (flush_row_group(w, err) != 0) return -1;
    }
    return 0;
}

int pq_writer_write(PqWriter *w, const Batch *batch, WbError *err)
{
    if (batch->ncols < w->ncols) {
        w->failed = true;
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "a batch of %d columns for the %d of Parquet file \"%s\"",
                 (int)batch->ncols, (int)w->ncols, w->path);
        return -1;
    }
    const ColumnVector **cols = wb_malloc(sizeof(ColumnVector *) * (size_t)w->ncols);
    for (int32_t c = 0; c < w->ncols; c++) cols[c] = &batch->cols[c];
    int rc = pq_writer_write_vectors(w, cols, NULL, batch->nrows, err);
    free(cols);
    return rc;
}

int64_t pq_writer_rows(const PqWriter *w)
{
    return w->total_rows;
}

int64_t pq_writer_bytes(const PqWriter *w)
{
    return w->offset + buffered_bytes(w);
}

/* ---- the footer ---- */

static void put_schema_elem(TOut *o, const WCol *col)
{
    tco_struct_begin(o);
    tco_i32(o, 1, col->ptype);
    if (col->ptype == PQT_FIXED_LEN_BYTE_ARRAY) tco_i32(o, 2, col->type_len);
    tco_i32(o, 3, col->required ? PQ_REQUIRED : PQ_OPTIONAL);
    tco_binary(o, 4, col->name, strlen(col->name));
    int converted = -1;
    switch (col->type.id) {
    case TY_STRING: converted = PQC_UTF8; break;
    case TY_DECIMAL: converted = PQC_DECIMAL; break;
    case TY_DATE: converted = PQC_DATE; break;
    case TY_TIMESTAMP: if (col->type.ltz) converted = PQC_TIMESTAMP_MICROS; break;
    case TY_INTERVAL_DT: case TY_INTERVAL_YM: converted = PQC_INTERVAL; break;
    default: break;
    }
    if (converted >= 0) tco_i32(o, 6, converted);
    if (col->type.id == TY_DECIMAL) {
        tco_i32(o, 7, col->type.scale);
        tco_i32(o, 8, col->type.precision);
    }
    int logical = -1;
    switch (col->type.id) {
    case TY_STRING: logical = PQL_STRING; break;
    case TY_DECIMAL: logical = PQL_DECIMAL; break;
    case TY_DATE: logical = PQL_DATE; break;
    case TY_TIME: logical = PQL_TIME; break;
    case TY_TIMESTAMP: logical = PQL_TIMESTAMP; break;
    default: break;
    }
    if (logical >= 0) {
        tco_field(o, 10, TC_STRUCT);
        tco_struct_begin(o);
        tco_field(o, (int16_t)logical, TC_STRUCT);
        tco_struct_begin(o);
        if (logical == PQL_DECIMAL) {
            tco_i32(o, 1, col->type.scale);
            tco_i32(o, 2, col->type.precision);
        } else if (logical == PQL_TIME || logical == PQL_TIMESTAMP) {
            tco_bool(o, 1, logical == PQL_TIMESTAMP && col->type.ltz);
            tco_field(o, 2, TC_STRUCT);
            tco_struct_begin(o);
            tco_field(o, logical == PQL_TIME ? PQU_MILLIS : PQU_MICROS, TC_STRUCT);
            tco_struct_begin(o);
            tco_struct_end(o);
            tco_struct_end(o);
        }
        tco_struct_end(o);
        tco_struct_end(o);
    }
    tco_struct_end(o);
}

static void put_chunk(TOut *o, const WCol *col, const ChunkOut *co, int codec)
{
    tco_struct_begin(o);                       /* ColumnChunk */
    tco_i64(o, 2, co->start);
    tco_field(o, 3, TC_STRUCT);
    tco_struct_begin(o);                       /* ColumnMetaData */
    tco_i32(o, 1, col->ptype);
    int32_t encs[3];
    int32_t nenc = 0;
    encs[nenc++] = PQE_PLAIN;
    encs[nenc++] = PQE_RLE;
    if (co->dict) encs[nenc++] = PQE_RLE_DICTIONARY;
    tco_list_begin(o, 2, TC_I32, (uint32_t)nenc);
    for (int32_t i = 0; i < nenc; i++) tco_raw_i32(o, encs[i]);
    tco_list_begin(o, 3, TC_BINARY, 1);
    tco_raw_binary(o, col->name, strlen(col->name));
    tco_i32(o, 4, codec);
    tco_i64(o, 5, co->num_values);
    tco_i64(o, 6, co->uncompressed);
    tco_i64(o, 7, co->compressed);
    tco_i64(o, 9, co->data_offset);
    if (co->dict) tco_i64(o, 11, co->dict_offset);
    tco_field(o, 12, TC_STRUCT);
    tco_struct_begin(o);                       /* Statistics */
    tco_i64(o, 3, co->null_count);
    if (co->has_min_max) {
        tco_binary(o, 5, co->max, co->max_len);
        tco_binary(o, 6, co->min, co->min_len);
        tco_bool(o, 7, co->max_exact);
        tco_bool(o, 8, co->min_exact);
    }
    tco_struct_end(o);
    tco_struct_end(o);
    tco_struct_end(o);
}

static void put_footer(PqWriter *w, WbBuf *buf)
{
    TOut o = {buf, {0}, 0};
    tco_i32(&o, 1, 1);
    tco_list_begin(&o, 2, TC_STRUCT, (uint32_t)(w->ncols + 1));
    tco_struct_begin(&o);
    tco_binary(&o, 4, "schema", 6);
    tco_i32(&o, 5, w->ncols);
    tco_struct_end(&o);
    for (int32_t c = 0; c < w->ncols; c++) put_schema_elem(&o, &w->cols[c]);
    tco_i64(&o, 3, w->total_rows);
    tco_list_begin(&o, 4, TC_STRUCT, (uint32_t)w->nrg);
    for (int32_t g = 0; g < w->nrg; g++) {
        const RowGroupOut *rg = &w->rgs[g];
        tco_struct_begin(&o);
        tco_list_begin(&o, 1, TC_STRUCT, (uint32_t)w->ncols);
        for (int32_t c = 0; c < w->ncols; c++) put_chunk(&o, &w->cols[c], &rg->chunks[c], w->codec);
        tco_i64(&o, 2, rg->raw_bytes);
        tco_i64(&o, 3, rg->num_rows);
        tco_i64(&o, 5, rg->start);
        tco_i64(&o, 6, rg->bytes);
        tco_struct_end(&o);
    }
    if (w->nkv > 0) {
        tco_list_begin(&o, 5, TC_STRUCT, (uint32_t)w->nkv);
        for (int32_t i = 0; i < w->nkv; i++) {
            tco_struct_begin(&o);
            tco_binary(&o, 1, w->kv[i].key, strlen(w->kv[i].key));
            if (w->kv[i].value) tco_binary(&o, 2, w->kv[i].value, strlen(w->kv[i].value));
            tco_struct_end(&o);
        }
    }
    tco_binary(&o, 6, "weir", 4);
    tco_list_begin(&o, 7, TC_STRUCT, (uint32_t)w->ncols);
    for (int32_t c = 0; c < w->ncols; c++) {
        tco_struct_begin(&o);                  /* ColumnOrder */
        tco_field(&o, 1, TC_STRUCT);           /* TYPE_ORDER */
        tco_struct_begin(&o);
        tco_struct_end(&o);
        tco_struct_end(&o);
    }
    wb_buf_putc(buf, 0);
}

static void free_writer(PqWriter *w)
{
    for (int32_t c = 0; c < w->ncols; c++) {
        WCol *col = &w->cols[c];
        free(col->levels);
        free(col->i64);
        free(col->f64);
        free(col->i128);
        free(col->str_off);
        wb_buf_free(&col->str_bytes);
        wb_buf_free(&col->file_min_str);
        wb_buf_free(&col->file_max_str);
    }
    free(w->cols);
    free(w->rgs);
    free(w->idx);
    wb_buf_free(&w->out);
    wb_buf_free(&w->page);
    wb_buf_free(&w->comp);
    wb_buf_free(&w->header);
    wb_buf_free(&w->scratch);
    wb_arena_destroy(&w->meta);
    wb_arena_destroy(&w->page_stats);
    free(w->path);
    free(w);
}

void pq_writer_abort(PqWriter *w)
{
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    unlink(w->path);
    free_writer(w);
}

int pq_writer_close(PqWriter *w, WbArena *arena, PqFileStats *stats, WbError *err)
{
    if (w->failed) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "Parquet writer of \"%s\" failed earlier", w->path);
        pq_writer_abort(w);
        return -1;
    }
    if (flush_row_group(w, err) != 0) {
        pq_writer_abort(w);
        return -1;
    }
    WbBuf footer = {0};
    put_footer(w, &footer);
    uint8_t tail[8];
    wb_put_u32(tail, (uint32_t)footer.len);
    memcpy(tail + 4, "PAR1", 4);
    int rc = emit(w, footer.data, footer.len, err);
    wb_buf_free(&footer);
    if (rc == 0) rc = emit(w, tail, 8, err);
    if (rc == 0) rc = flush_out(w, err);
    if (rc == 0 && fsync(w->fd) != 0) rc = io_fail(w, "sync", err);
    if (rc == 0 && close(w->fd) != 0) rc = io_fail(w, "close", err);
    else if (rc != 0) close(w->fd);
    w->fd = -1;
    if (rc != 0) {
        pq_writer_abort(w);
        return -1;
    }
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->num_rows = w->total_rows;
        stats->file_size = w->offset;
        stats->num_row_groups = w->nrg;
        stats->ncols = w->ncols;
        stats->cols = wb_arena_calloc(arena, sizeof(PqColumnStats) * (size_t)w->ncols);
        for (int32_t c = 0; c < w->ncols; c++) {
            WCol *col = &w->cols[c];
            PqColumnStats *cs = &stats->cols[c];
            cs->null_count = col->file_nulls;
            cs->has_min_max = col->file_has_min_max;
            cs->min_exact = cs->max_exact = true;
            cs->min = col->file_min;
            cs->max = col->file_max;
            if (col->kind == PK_STR && cs->has_min_max) {
                cs->min.str.len = (uint32_t)col->file_min_str.len;
                cs->min.str.ptr = wb_arena_strndup(arena, col->file_min_str.data ? col->file_min_str.data : "",
                                                   col->file_min_str.len);
                cs->max.str.len = (uint32_t)col->file_max_str.len;
                cs->max.str.ptr = wb_arena_strndup(arena, col->file_max_str.data ? col->file_max_str.data : "",
                                                   col->file_max_str.len);
            }
        }
    }
    free_writer(w);
    return 0;
}
