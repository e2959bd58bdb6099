/*
 * batch.c - SQL type descriptors, column vectors and batches, the compact
 * row encoding for keys and state, value comparison and changelog row kinds.
 */
#include "types/types.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int64_t ty_pow10[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
    100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
    1000000000000LL, 10000000000000LL, 100000000000000LL,
    1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

SqlType ty_make(TypeId id)
{
    SqlType t = {(uint8_t)id, 1, -1, 0, 0, 0};
    if (id == TY_DECIMAL) { t.precision = 10; t.scale = 0; }
    if (id == TY_TIMESTAMP) t.precision = 6;
    if (id == TY_TIME) t.precision = 0;
    return t;
}

SqlType ty_decimal(int precision, int scale)
{
    SqlType t = {TY_DECIMAL, 1, (int16_t)precision, (int16_t)scale, 0, 0};
    return t;
}

SqlType ty_timestamp(int precision)
{
    SqlType t = {TY_TIMESTAMP, 1, (int16_t)precision, 0, 0, 0};
    return t;
}

bool ty_equal(SqlType a, SqlType b)
{
    if (a.id != b.id) return false;
    if (a.id == TY_DECIMAL) return a.precision == b.precision && a.scale == b.scale;
    if (a.id == TY_TIMESTAMP) return a.precision == b.precision && a.ltz == b.ltz;
    return true;
}

bool ty_is_numeric(TypeId id)
{
    return id == TY_INT || id == TY_BIGINT || id == TY_DECIMAL || id == TY_DOUBLE;
}

bool ty_is_integer(TypeId id) { return id == TY_INT || id == TY_BIGINT; }
bool ty_is_string(TypeId id) { return id == TY_STRING || id == TY_BYTES; }
bool ty_is_temporal(TypeId id) { return id == TY_DATE || id == TY_TIME || id == TY_TIMESTAMP; }

const char *ty_name(SqlType type, char *buf, size_t size)
{
    const char *suffix = type.nullable ? "" : " NOT NULL";
    switch ((TypeId)type.id) {
    case TY_NULL: snprintf(buf, size, "NULL"); break;
    case TY_BOOLEAN: snprintf(buf, size, "BOOLEAN%s", suffix); break;
    case TY_INT: snprintf(buf, size, "INT%s", suffix); break;
    case TY_BIGINT: snprintf(buf, size, "BIGINT%s", suffix); break;
    case TY_DECIMAL:
        snprintf(buf, size, "DECIMAL(%d, %d)%s", type.precision, type.scale, suffix);
        break;
    case TY_DOUBLE: snprintf(buf, size, "DOUBLE%s", suffix); break;
    case TY_STRING:
        if (type.precision > 0)
            snprintf(buf, size, "VARCHAR(%d)%s", type.precision, suffix);
        else
            snprintf(buf, size, "STRING%s", suffix);
        break;
    case TY_BYTES: snprintf(buf, size, "BYTES%s", suffix); break;
    case TY_DATE: snprintf(buf, size, "DATE%s", suffix); break;
    case TY_TIME: snprintf(buf, size, "TIME(%d)%s", type.precision, suffix); break;
    case TY_TIMESTAMP:
        snprintf(buf, size, "%s(%d)%s", type.ltz ? "TIMESTAMP_LTZ" : "TIMESTAMP", type.precision, suffix);
        break;
    case TY_INTERVAL_DT: snprintf(buf, size, "INTERVAL DAY TO SECOND%s", suffix); break;
    case TY_INTERVAL_YM: snprintf(buf, size, "INTERVAL YEAR TO MONTH%s", suffix); break;
    default: snprintf(buf, size, "?"); break;
    }
    return buf;
}

/* ---- batches ---- */

static size_t phys_size(SqlType type)
{
    switch (ty_phys(type)) {
    case PK_I64: return sizeof(int64_t);
    case PK_I128: return sizeof(ty_i128);
    case PK_F64: return sizeof(double);
    case PK_STR: return sizeof(WbStr);
    }
    return 8;
}

static void alloc_vectors(Batch *b, int32_t capacity)
{
    for (int32_t col = 0; col < b->ncols; col++) {
        ColumnVector *vec = &b->cols[col];
        vec->nulls = wb_arena_calloc(b->arena, (size_t)capacity);
        vec->data = wb_arena_alloc(b->arena, phys_size(vec->type) * (size_t)capacity);
    }
    b->weights = wb_arena_alloc(b->arena, sizeof(int64_t) * (size_t)capacity);
    b->updates = NULL;
    b->capacity = capacity;
}

Batch *ty_batch_new_in(WbArena *arena, const SqlType *types, int32_t ncols,
                       int32_t capacity)
{
    if (capacity < 1) capacity = 1;
    Batch *b = wb_arena_calloc(arena, sizeof(Batch));
    b->arena = arena;
    b->ncols = ncols;
    b->cols = wb_arena_calloc(arena, sizeof(ColumnVector) * (size_t)(ncols ? ncols : 1));
    for (int32_t col = 0; col < ncols; col++) b->cols[col].type = types[col];
    alloc_vectors(b, capacity);
    return b;
}

Batch *ty_batch_new(const SqlType *types, int32_t ncols, int32_t capacity)
{
    if (capacity < 1) capacity = 1;
    Batch *b = wb_calloc(1, sizeof(Batch));
    b->arena = wb_arena_new(0);
    b->owns_arena = true;
    b->ncols = ncols;
    b->cols = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(ColumnVector));
    for (int32_t col = 0; col < ncols; col++) b->cols[col].type = types[col];
    alloc_vectors(b, capacity);
    return b;
}

void ty_batch_reset(Batch *b)
{
    b->nrows = 0;
    b->updates = NULL;
    if (!b->owns_arena) {
        for (int32_t col = 0; col < b->ncols; col++)
            memset(b->cols[col].nulls, 0, (size_t)b->capacity);
        return;
    }
    wb_arena_reset(b->arena);
    alloc_vectors(b, b->capacity);
}

void ty_batch_reserve(Batch *b, int32_t capacity)
{
    if (capacity <= b->capacity) return;
    int32_t cap = b->capacity ? b->capacity : 1;
    while (cap < capacity) cap *= 2;
    for (int32_t col = 0; col < b->ncols; col++) {
        ColumnVector *vec = &b->cols[col];
        size_t width = phys_size(vec->type);
        uint8_t *nulls = wb_arena_calloc(b->arena, (size_t)cap);
        void *data = wb_arena_alloc(b->arena, width * (size_t)cap);
        memcpy(nulls, vec->nulls, (size_t)b->nrows);
        memcpy(data, vec->data, width * (size_t)b->nrows);
        vec->nulls = nulls;
        vec->data = data;
    }
    int64_t *weights = wb_arena_alloc(b->arena, sizeof(int64_t) * (size_t)cap);
    memcpy(weights, b->weights, sizeof(int64_t) * (size_t)b->nrows);
    b->weights = weights;
    if (b->updates) {
        uint8_t *updates = wb_arena_calloc(b->arena, (size_t)cap);
        memcpy(updates, b->updates, (size_t)b->nrows);
        b->updates = updates;
    }
    b->capacity = cap;
}

uint8_t *ty_batch_updates(Batch *b)
{
    if (!b->updates) b->updates = wb_arena_calloc(b->arena, (size_t)(b->capacity ? b->capacity : 1));
    return b->updates;
}

void ty_mark_update(Batch *b, int32_t first)
{
    assert(first + 1 < b->capacity && b->weights[first] < 0 && b->weights[first + 1] > 0);
    uint8_t *updates = ty_batch_updates(b);
    updates[first] = 1;
    updates[first + 1] = 1;
}

void ty_batch_free(Batch *b)
{
    if (!b || !b->owns_arena) return;
    wb_arena_free(b->arena);
    free(b->cols);
    free(b);
}

WbStr ty_batch_str(Batch *b, const char *ptr, uint32_t len)
{
    WbStr s;
    char *copy = wb_arena_alloc(b->arena, len ? len : 1);
    if (len) memcpy(copy, ptr, len);
    s.ptr = copy;
    s.len = len;
    return s;
}

static void copy_cell(Batch *dst, int32_t drow, int32_t dcol, const Batch *src,
                      int32_t srow, int32_t scol)
{
    const ColumnVector *sv = &src->cols[scol];
    ColumnVector *dv = &dst->cols[dcol];
    dv->nulls[drow] = sv->nulls[srow];
    if (sv->nulls[srow]) return;
    switch (ty_phys(sv->type)) {
    case PK_I64: dv->i64[drow] = sv->i64[srow]; break;
    case PK_I128: dv->i128[drow] = sv->i128[srow]; break;
    case PK_F64: dv->f64[drow] = sv->f64[srow]; break;
    case PK_STR:
        dv->str[drow] = src->arena == dst->arena
                            ? sv->str[srow]
                            : ty_batch_str(dst, sv->str[srow].ptr, sv->str[srow].len);
        break;
    }
}

void ty_batch_append_row(Batch *dst, const Batch *src, int32_t row, int64_t weight)
{
    if (dst->nrows >= dst->capacity) ty_batch_reserve(dst, dst->nrows + 1);
    int32_t drow = dst->nrows++;
    for (int32_t col = 0; col < src->ncols; col++) copy_cell(dst, drow, col, src, row, col);
    dst->weights[drow] = weight;
    uint8_t update = src->updates && src->updates[row] && (src->weights[row] < 0) == (weight < 0);
    if (update || dst->updates) ty_batch_updates(dst)[drow] = update;
}

void ty_batch_append_range(Batch *dst, const Batch *src, int32_t from, int32_t n, int32_t ncols)
{
    if (n <= 0) return;
    if (dst->nrows + n > dst->capacity) ty_batch_reserve(dst, dst->nrows + n);
    int32_t at = dst->nrows;
    for (int32_t col = 0; col < ncols; col++) {
        const ColumnVector *sv = &src->cols[col];
        ColumnVector *dv = &dst->cols[col];
        memcpy(dv->nulls + at, sv->nulls + from, (size_t)n);
        switch (ty_phys(sv->type)) {
        case PK_I64: memcpy(dv->i64 + at, sv->i64 + from, sizeof(int64_t) * (size_t)n); break;
        case PK_I128: memcpy(dv->i128 + at, sv->i128 + from, sizeof(ty_i128) * (size_t)n); break;
        case PK_F64: memcpy(dv->f64 + at, sv->f64 + from, sizeof(double) * (size_t)n); break;
        case PK_STR:
            if (src->arena == dst->arena) {
                memcpy(dv->str + at, sv->str + from, sizeof(WbStr) * (size_t)n);
                break;
            }
            for (int32_t i = 0; i < n; i++)
                if (!sv->nulls[from + i])
                    dv->str[at + i] = ty_batch_str(dst, sv->str[from + i].ptr, sv->str[from + i].len);
            break;
        }
    }
    memcpy(dst->weights + at, src->weights + from, sizeof(int64_t) * (size_t)n);
    if (src->updates || dst->updates) {
        uint8_t *flags = ty_batch_updates(dst);
        if (src->updates) memcpy(flags + at, src->updates + from, (size_t)n);
        else memset(flags + at, 0, (size_t)n);
    }
    dst->nrows += n;
}

void ty_batch_copy_cols(Batch *dst, int32_t dst_row, int32_t dst_col,
                        const Batch *src, int32_t src_row,
                        const int32_t *src_cols, int32_t ncols)
{
    for (int32_t i = 0; i < ncols; i++)
        copy_cell(dst, dst_row, dst_col + i, src, src_row, src_cols ? src_cols[i] : i);
}

/* ---- comparison ---- */

int ty_compare(const ColumnVector *a, int32_t arow, const ColumnVector *b, int32_t brow)
{
    switch (ty_phys(a->type)) {
    case PK_I64: {
        int64_t x = a->i64[arow], y = b->i64[brow];
        return x < y ? -1 : x > y;
    }
    case PK_I128: {
        ty_i128 x = a->i128[arow], y = b->i128[brow];
        return x < y ? -1 : x > y;
    }
    case PK_F64: {
        double x = a->f64[arow], y = b->f64[brow];
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);  /* NaN sorts last */
        return x < y ? -1 : x > y;
    }
    case PK_STR: {
        WbStr x = a->str[arow], y = b->str[brow];
        uint32_t n = x.len < y.len ? x.len : y.len;
        int c = n ? memcmp(x.ptr, y.ptr, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return x.len < y.len ? -1 : x.len > y.len;
    }
    }
    return 0;
}

/* ---- compact row encoding ---- */

static inline uint64_t normalized_double_bits(double d)
{
    if (d == 0.0) d = 0.0;          /* -0.0 -> 0.0 */
    if (isnan(d)) d = NAN;
    uint64_t bits;
    memcpy(&bits, &d, 8);
    return bits;
}

void ty_row_encode(const Batch *b, int32_t row, const int32_t *cols, int32_t ncols,
                   WbBuf *out)
{
    for (int32_t i = 0; i < ncols; i++) {
        const ColumnVector *vec = &b->cols[cols ? cols[i] : i];
        if (vec->nulls[row]) {
            wb_buf_putc(out, 0);
            continue;
        }
        uint8_t tmp[17];
        tmp[0] = 1;
        switch (ty_phys(vec->type)) {
        case PK_I64:
            wb_put_u64(tmp + 1, (uint64_t)vec->i64[row]);
            wb_buf_append(out, tmp, 9);
            break;
        case PK_I128: {
            ty_u128 v = (ty_u128)vec->i128[row];
            wb_put_u64(tmp + 1, (uint64_t)v);
            wb_put_u64(tmp + 9, (uint64_t)(v >> 64));
            wb_buf_append(out, tmp, 17);
            break;
        }
        case PK_F64:
            wb_put_u64(tmp + 1, normalized_double_bits(vec->f64[row]));
            wb_buf_append(out, tmp, 9);
            break;
        case PK_STR: {
            WbStr s = vec->str[row];
            wb_put_u32(tmp + 1, s.len);
            wb_buf_append(out, tmp, 5);
            wb_buf_append(out, s.ptr, s.len);
            break;
        }
        }
    }
}

size_t ty_row_decode(const uint8_t *data, const SqlType *types, int32_t ncols,
                     Batch *b, int32_t row, int32_t dst_col)
{
    const uint8_t *p = data;
    for (int32_t i = 0; i < ncols; i++) {
        ColumnVector *vec = &b->cols[dst_col + i];
        uint8_t tag = *p++;
        if (tag == 0) {
            vec->nulls[row] = 1;
            continue;
        }
        vec->nulls[row] = 0;
        switch (ty_phys(types[i])) {
        case PK_I64:
            vec->i64[row] = (int64_t)wb_get_u64(p);
            p += 8;
            break;
        case PK_I128:
            vec->i128[row] = (ty_i128)(((ty_u128)wb_get_u64(p + 8) << 64) | wb_get_u64(p));
            p += 16;
            break;
        case PK_F64: {
            uint64_t bits = wb_get_u64(p);
            memcpy(&vec->f64[row], &bits, 8);
            p += 8;
            break;
        }
        case PK_STR: {
            uint32_t len = wb_get_u32(p);
            p += 4;
            vec->str[row] = ty_batch_str(b, (const char *)p, len);
            p += len;
            break;
        }
        }
    }
    return (size_t)(p - data);
}

uint64_t ty_row_hash(const Batch *b, int32_t row, const int32_t *cols, int32_t ncols)
{
    uint64_t h = TY_ROW_HASH_SEED;
    for (int32_t i = 0; i < ncols; i++) {
        const ColumnVector *vec = &b->cols[cols ? cols[i] : i];
        uint64_t v;
        if (vec->nulls[row]) {
            v = TY_HASH_NULL;
        } else {
            switch (ty_phys(vec->type)) {
            case PK_I64: v = wb_hash_u64((uint64_t)vec->i64[row]); break;
            case PK_I128: {
                ty_u128 x = (ty_u128)vec->i128[row];
                v = wb_hash_combine(wb_hash_u64((uint64_t)x), wb_hash_u64((uint64_t)(x >> 64)));
                break;
            }
            case PK_F64: v = wb_hash_u64(normalized_double_bits(vec->f64[row])); break;
            default: v = wb_hash_bytes(vec->str[row].ptr, vec->str[row].len, 7); break;
            }
        }
        h = wb_hash_combine(h, v);
    }
    return h;
}

void ty_hash_i64_rows(const Batch *b, const int32_t *cols, int32_t ncols, uint64_t *hash)
{
    int32_t nrows = b->nrows;
    if (ncols == 0)
        for (int32_t row = 0; row < nrows; row++) hash[row] = TY_ROW_HASH_SEED;
    /* the first column combines with the constant seed (folded) */
    for (int32_t i = 0; i < ncols; i++) {
        const ColumnVector *vec = &b->cols[cols ? cols[i] : i];
        const int64_t *data = vec->i64;
        const uint8_t *nulls = vec->nulls;
        for (int32_t row = 0; row < nrows; row++) {
            uint64_t v = wb_hash_u64((uint64_t)data[row]);
            v = nulls[row] ? TY_HASH_NULL : v;
            hash[row] = wb_hash_combine(i == 0 ? TY_ROW_HASH_SEED : hash[row], v);
        }
    }
}

/* ---- row kinds ---- */

const char *ty_rowkind_short(RowKind kind)
{
    static const char *names[] = {"+I", "-U", "+U", "-D"};
    return names[kind & 3];
}
