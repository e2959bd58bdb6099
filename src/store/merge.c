/*
 * merge.c - merge-on-read for primary-key tables: sorting rows by key and
 * sequence, the k-way merge of sorted runs over row indices, the merge
 * engines (deduplicate, partial-update, aggregation, first-row) folding the
 * rows of one key, and the difference of two merged states (the exact
 * changelog between them).
 *
 * A fold sees the rows of one key oldest first (by sequence.field, then
 * _SEQUENCE_NUMBER) and produces one row whose _VALUE_KIND says how it
 * combines with anything older (store_int.h, SK_*):
 *
 *   state      row +I       row -D        row +U (overlay)     row -U (retract)
 *   NONE       COMPLETE     ABSENT        OVERLAY              RETRACTED
 *   ABSENT     COMPLETE     ABSENT        COMPLETE (row)       COMPLETE (negated)
 *   COMPLETE   COMPLETE     ABSENT        COMPLETE (combined)  COMPLETE (retracted)
 *   OVERLAY    COMPLETE     ABSENT        OVERLAY (combined)   OVERLAY (retracted)
 *   RETRACTED  COMPLETE     ABSENT        OVERLAY (row - ret)  RETRACTED (summed)
 *
 * and the output kind is +I (COMPLETE), -D (ABSENT), +U (OVERLAY) or -U
 * (RETRACTED).  With nothing older (bottom), +U and -U become rows and -D
 * disappears.  Deduplicate and first-row only ever see +I and -D.  Because
 * folding is associative over consecutive runs, compaction may merge any
 * run of newest sorted runs and read still gives the same rows.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

Batch *store_row_batch(const StoreTableCtx *ctx, int32_t capacity)
{
    return ty_batch_new(ctx->row_types, ctx->nrow_cols, capacity > 0 ? capacity : 16);
}

void store_row_copy(Batch *dst, const Batch *src, int32_t r)
{
    if (dst->nrows >= dst->capacity) ty_batch_reserve(dst, dst->nrows + 1);
    int32_t d = dst->nrows++;
    ty_batch_copy_cols(dst, d, 0, src, r, NULL, src->ncols < dst->ncols ? src->ncols : dst->ncols);
    dst->weights[d] = 1;
    if (dst->updates) dst->updates[d] = 0;
}

static int cmp_cell(const ColumnVector *a, int32_t ra, const ColumnVector *b, int32_t rb)
{
    bool na = a->nulls[ra], nb = b->nulls[rb];
    if (na || nb) return (int)nb - (int)na;   /* NULL first */
    return ty_compare(a, ra, b, rb);
}

/* store_key_cmp, inline for the merges' inner loops: one integer key
 * compares without a call */
static inline int key_cmp(const StoreTableCtx *ctx, const Batch *ba, int32_t a, const Batch *bb,
                          int32_t b)
{
    if (ctx->int_key >= 0) {
        const ColumnVector *x = &ba->cols[ctx->int_key], *y = &bb->cols[ctx->int_key];
        bool na = x->nulls[a], nb = y->nulls[b];
        if (na || nb) return (int)nb - (int)na;
        int64_t u = x->i64[a], v = y->i64[b];
        return u < v ? -1 : u > v;
    }
    return store_key_cmp(ctx, ba, a, bb, b);
}

int store_key_cmp(const StoreTableCtx *ctx, const Batch *ba, int32_t a, const Batch *bb,
                  int32_t b)
{
    const StoreSchema *s = &ctx->schema;
    for (int32_t i = 0; i < s->npk; i++) {
        int32_t col = s->pk[i];
        int c = cmp_cell(&ba->cols[col], a, &bb->cols[col], b);
        if (c) return c;
    }
    return 0;
}

/* (sequence.field, _SEQUENCE_NUMBER) order of two rows of one batch */
static int seq_cmp(const StoreTableCtx *ctx, const Batch *b, int32_t x, int32_t y)
{
    for (int32_t i = 0; i < ctx->opts.nseq_fields; i++) {
        const ColumnVector *v = &b->cols[ctx->opts.seq_fields[i]];
        int c = cmp_cell(v, x, v, y);
        if (c) return c;
    }
    int64_t sx = b->cols[ctx->seq_col].i64[x], sy = b->cols[ctx->seq_col].i64[y];
    return sx < sy ? -1 : sx > sy;
}

typedef struct SortCtx {
    const StoreTableCtx *ctx;
    const Batch *b;
} SortCtx;

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
    const SortCtx *sc = arg;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    int c = store_key_cmp(sc->ctx, sc->b, a, sc->b, b);
    if (c) return c;
    return seq_cmp(sc->ctx, sc->b, a, b);
}

void store_sort_rows(const StoreTableCtx *ctx, const Batch *src, int32_t *order)
{
    for (int32_t i = 0; i < src->nrows; i++) order[i] = i;
    SortCtx sc = {ctx, src};
    qsort_r(order, (size_t)src->nrows, sizeof(int32_t), sort_cmp, &sc);
}

bool store_rows_equal(const StoreTableCtx *ctx, const Batch *ba, int32_t a, const Batch *bb,
                      int32_t b)
{
    for (int32_t col = 0; col < ctx->schema.ncols; col++) {
        const ColumnVector *va = &ba->cols[col], *vb = &bb->cols[col];
        if (va->nulls[a] != vb->nulls[b]) return false;
        if (va->nulls[a]) continue;
        if (ty_phys(va->type) == PK_F64) {
            if (memcmp(&va->f64[a], &vb->f64[b], sizeof(double)) != 0 && va->f64[a] != vb->f64[b])
                return false;
        } else if (ty_compare(va, a, vb, b) != 0) {
            return false;
        }
    }
    return true;
}

/* ---- the aggregation functions on cells ---- */

static void cell_copy(Batch *dst, int32_t d, const Batch *src, int32_t r, int32_t col)
{
    ty_batch_copy_cols(dst, d, col, src, r, &col, 1);
}

/* dst[d] (+|-)= src[r] for a sum or count cell; null src: nothing. */
static void cell_add(Batch *dst, int32_t d, const Batch *src, int32_t r, int32_t col, int sign)
{
    ColumnVector *dv = &dst->cols[col];
    const ColumnVector *sv = &src->cols[col];
    if (sv->nulls[r]) return;
    if (dv->nulls[d]) {
        dv->nulls[d] = 0;
        switch (ty_phys(dv->type)) {
        case PK_I64: dv->i64[d] = 0; break;
        case PK_I128: dv->i128[d] = 0; break;
        case PK_F64: dv->f64[d] = 0; break;
        default: break;
        }
    }
    switch (ty_phys(dv->type)) {
    case PK_I64: dv->i64[d] = (int64_t)((uint64_t)dv->i64[d] + (uint64_t)(sign * sv->i64[r])); break;
    case PK_I128: dv->i128[d] += sign * sv->i128[r]; break;
    case PK_F64: dv->f64[d] += sign * sv->f64[r]; break;
    default: break;
    }
}

static void cell_negate(Batch *b, int32_t d, int32_t col)
{
    ColumnVector *v = &b->cols[col];
    if (v->nulls[d]) return;
    switch (ty_phys(v->type)) {
    case PK_I64: v->i64[d] = (int64_t)(0 - (uint64_t)v->i64[d]); break;
    case PK_I128: v->i128[d] = -v->i128[d]; break;
    case PK_F64: v->f64[d] = -v->f64[d]; break;
    default: break;
    }
}

/* Combines a new contribution (src row r) into the accumulator row d. */
static void agg_combine(const StoreTableCtx *ctx, Batch *dst, int32_t d, const Batch *src,
                        int32_t r)
{
    const StoreOptions *o = &ctx->opts;
    for (int32_t col = 0; col < ctx->schema.ncols; col++) {
        ColumnVector *dv = &dst->cols[col];
        const ColumnVector *sv = &src->cols[col];
        bool snull = sv->nulls[r], dnull = dv->nulls[d];
        switch ((AggFunc)o->agg[col]) {
        case AGG_PRIMARY_KEY: break;
        case AGG_SUM: case AGG_COUNT: cell_add(dst, d, src, r, col, 1); break;
        case AGG_MAX: case AGG_MIN:
            if (snull) break;
            if (dnull) { cell_copy(dst, d, src, r, col); break; }
            {
                int c = ty_compare(sv, r, dv, d);
                if ((o->agg[col] == AGG_MAX && c > 0) || (o->agg[col] == AGG_MIN && c < 0))
                    cell_copy(dst, d, src, r, col);
            }
            break;
        case AGG_LAST_VALUE: cell_copy(dst, d, src, r, col); break;
        case AGG_LAST_NON_NULL: if (!snull) cell_copy(dst, d, src, r, col); break;
        case AGG_FIRST_VALUE: break;
        case AGG_FIRST_NON_NULL: if (dnull && !snull) cell_copy(dst, d, src, r, col); break;
        case AGG_LISTAGG:
            if (snull) break;
            if (dnull) { cell_copy(dst, d, src, r, col); break; }
            {
                const char *delim = o->listagg_delim[col];
                size_t dl = strlen(delim);
                WbStr a = dv->str[d], b = sv->str[r];
                size_t len = (size_t)a.len + dl + b.len;
                char *buf = wb_arena_alloc(dst->arena, len ? len : 1);
                memcpy(buf, a.ptr, a.len);
                memcpy(buf + a.len, delim, dl);
                memcpy(buf + a.len + dl, b.ptr, b.len);
                dv->str[d].ptr = buf;
                dv->str[d].len = (uint32_t)len;
            }
            break;
        case AGG_BOOL_AND: case AGG_BOOL_OR:
            if (snull) break;
            if (dnull) { cell_copy(dst, d, src, r, col); break; }
            dv->i64[d] = o->agg[col] == AGG_BOOL_AND ? (dv->i64[d] && sv->i64[r]) : (dv->i64[d] || sv->i64[r]);
            break;
        }
    }
}

/* Applies a retraction (src row r) to accumulator row d: sum and count
 * subtract (add when acc holds retractions too); others are unchanged
 * (retractions reach them only with ignore-retract). */
static void agg_retract(const StoreTableCtx *ctx, Batch *dst, int32_t d, const Batch *src,
                        int32_t r, int sign)
{
    for (int32_t col = 0; col < ctx->schema.ncols; col++) {
        AggFunc fn = (AggFunc)ctx->opts.agg[col];
        if (fn == AGG_SUM || fn == AGG_COUNT) cell_add(dst, d, src, r, col, sign);
    }
}

/* Row d becomes a row from retraction amounts alone: sums and counts
 * negated, the other value columns NULL. */
static void agg_negate_row(const StoreTableCtx *ctx, Batch *b, int32_t d)
{
    for (int32_t col = 0; col < ctx->schema.ncols; col++) {
        AggFunc fn = (AggFunc)ctx->opts.agg[col];
        if (fn == AGG_SUM || fn == AGG_COUNT) cell_negate(b, d, col);
        else if (fn != AGG_PRIMARY_KEY) b->cols[col].nulls[d] = 1;
    }
}

enum { ST_NONE, ST_ABSENT, ST_COMPLETE, ST_OVERLAY, ST_RETRACTED };

/* Folds rows g[0..m) of src (oldest first) into a new row of dst. */
static void fold_group(const StoreTableCtx *ctx, const Batch *src, const int32_t *g, int32_t m,
                       bool bottom, Batch *dst)
{
    const StoreOptions *o = &ctx->opts;
    const int64_t *kinds = src->cols[ctx->kind_col].i64;
    if (dst->nrows >= dst->capacity) ty_batch_reserve(dst, dst->nrows + 1);
    int32_t d = dst->nrows;
    if (o->merge_engine == ME_DEDUPLICATE || o->merge_engine == ME_FIRST_ROW) {
        int32_t win = o->merge_engine == ME_DEDUPLICATE ? g[m - 1] : g[0];
        if (bottom && kinds[win] == SK_DELETE) return;
        store_row_copy(dst, src, win);
        dst->cols[ctx->kind_col].i64[d] = kinds[win] == SK_DELETE ? SK_DELETE : SK_INSERT;
        return;
    }
    int state = ST_NONE;
    bool agg = o->merge_engine == ME_AGGREGATION;
    store_row_copy(dst, src, g[0]);   /* the key and a starting point */
    for (int32_t i = 0; i < m; i++) {
        int32_t r = g[i];
        switch (kinds[r]) {
        case SK_INSERT:
            ty_batch_copy_cols(dst, d, 0, src, r, NULL, ctx->schema.ncols);
            state = ST_COMPLETE;
            break;
        case SK_DELETE:
            state = ST_ABSENT;
            break;
        case SK_OVERLAY:
            if (state == ST_NONE || state == ST_ABSENT) {
                ty_batch_copy_cols(dst, d, 0, src, r, NULL, ctx->schema.ncols);
                state = state == ST_NONE ? ST_OVERLAY : ST_COMPLETE;
            } else if (state == ST_RETRACTED) {
                /* overlay minus what was retracted before it */
                for (int32_t col = 0; col < ctx->schema.ncols; col++) {
                    AggFunc fn = (AggFunc)o->agg[col];
                    if (fn == AGG_SUM || fn == AGG_COUNT) {
                        cell_negate(dst, d, col);
                        cell_add(dst, d, src, r, col, 1);
                    } else if (fn != AGG_PRIMARY_KEY) {
                        cell_copy(dst, d, src, r, col);
                    }
                }
                state = ST_OVERLAY;
            } else if (agg) {
                agg_combine(ctx, dst, d, src, r);
            } else {
                for (int32_t col = 0; col < ctx->schema.ncols; col++)
                    if (!src->cols[col].nulls[r]) cell_copy(dst, d, src, r, col);
            }
            break;
        case SK_RETRACT:
            if (state == ST_NONE) {
                ty_batch_copy_cols(dst, d, 0, src, r, NULL, ctx->schema.ncols);
                state = ST_RETRACTED;
            } else if (state == ST_ABSENT) {
                ty_batch_copy_cols(dst, d, 0, src, r, NULL, ctx->schema.ncols);
                agg_negate_row(ctx, dst, d);
                state = ST_COMPLETE;
            } else {
                agg_retract(ctx, dst, d, src, r, state == ST_RETRACTED ? 1 : -1);
            }
            break;
        }
    }
    /* the newest row's sequence stands for the merged row */
    dst->cols[ctx->seq_col].i64[d] = src->cols[ctx->seq_col].i64[g[m - 1]];
    int64_t kind = state == ST_COMPLETE ? SK_INSERT : state == ST_ABSENT ? SK_DELETE
                 : state == ST_OVERLAY ? SK_OVERLAY : SK_RETRACT;
    if (bottom) {
        if (kind == SK_DELETE) { dst->nrows--; return; }
        if (kind == SK_RETRACT) agg_negate_row(ctx, dst, d);
        kind = SK_INSERT;
    }
    dst->cols[ctx->kind_col].i64[d] = kind;
}

/* ---- k-way merge ---- */

typedef struct Heap {
    int32_t *pos;      /* per run: next row */
    int32_t *end;
    int32_t *heap;     /* run indices */
    int32_t n;
} Heap;

static bool heap_less(const StoreTableCtx *ctx, const Batch *src, const Heap *h, int32_t x, int32_t y)
{
    int c = key_cmp(ctx, src, h->pos[x], src, h->pos[y]);
    return c < 0 || (c == 0 && x < y);
}

static void sift_down(const StoreTableCtx *ctx, const Batch *src, Heap *h, int32_t i)
{
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && heap_less(ctx, src, h, h->heap[l], h->heap[m])) m = l;
        if (r < h->n && heap_less(ctx, src, h, h->heap[r], h->heap[m])) m = r;
        if (m == i) return;
        int32_t t = h->heap[i];
        h->heap[i] = h->heap[m];
        h->heap[m] = t;
        i = m;
    }
}

int store_merge_runs(const StoreTableCtx *ctx, const Batch *src, const int32_t *starts,
                     int32_t nruns, bool bottom, Batch *dst, WbError *err)
{
    (void)err;
    Heap h;
    h.pos = wb_malloc(sizeof(int32_t) * (size_t)(3 * nruns + 1));
    h.end = h.pos + nruns;
    h.heap = h.end + nruns;
    h.n = 0;
    for (int32_t r = 0; r < nruns; r++) {
        h.pos[r] = starts[r];
        h.end[r] = starts[r + 1];
        if (h.pos[r] < h.end[r]) h.heap[h.n++] = r;
    }
    for (int32_t i = h.n / 2 - 1; i >= 0; i--) sift_down(ctx, src, &h, i);
    int32_t gcap = 16, m = 0;
    int32_t *group = wb_malloc(sizeof(int32_t) * (size_t)gcap);
    while (h.n > 0) {
        int32_t run = h.heap[0];
        int32_t row = h.pos[run];
        if (m > 0 && key_cmp(ctx, src, group[0], src, row) != 0) {
            fold_group(ctx, src, group, m, bottom, dst);
            m = 0;
        }
        /* insert in (sequence.field, sequence) order: groups are small */
        if (m == gcap) { gcap *= 2; group = wb_realloc(group, sizeof(int32_t) * (size_t)gcap); }
        int32_t at = m;
        while (at > 0 && seq_cmp(ctx, src, group[at - 1], row) > 0) { group[at] = group[at - 1]; at--; }
        group[at] = row;
        m++;
        if (++h.pos[run] >= h.end[run]) h.heap[0] = h.heap[--h.n];
        if (h.n > 0) sift_down(ctx, src, &h, 0);
    }
    if (m > 0) fold_group(ctx, src, group, m, bottom, dst);
    free(group);
    free(h.pos);
    return 0;
}

/* ---- differences ---- */

static void append_change(Batch *out, const Batch *src, int32_t r, int64_t weight, int32_t ncols)
{
    if (out->nrows >= out->capacity) ty_batch_reserve(out, out->nrows + 2);
    int32_t d = out->nrows++;
    ty_batch_copy_cols(out, d, 0, src, r, NULL, ncols);
    out->weights[d] = weight;
    if (out->updates) out->updates[d] = 0;
}

void store_diff_states(const StoreTableCtx *ctx, const Batch *a, const Batch *b, Batch *out)
{
    int32_t ncols = ctx->schema.ncols;
    int32_t i = 0, j = 0;
    while (i < a->nrows || j < b->nrows) {
        int c = i >= a->nrows ? 1 : j >= b->nrows ? -1 : key_cmp(ctx, a, i, b, j);
        if (c < 0) {
            append_change(out, a, i++, -1, ncols);
        } else if (c > 0) {
            append_change(out, b, j++, 1, ncols);
        } else {
            if (!store_rows_equal(ctx, a, i, b, j)) {
                if (out->nrows + 2 > out->capacity) ty_batch_reserve(out, out->nrows + 2);
                int32_t first = out->nrows;
                append_change(out, a, i, -1, ncols);
                append_change(out, b, j, 1, ncols);
                ty_mark_update(out, first);
            }
            i++;
            j++;
        }
    }
}
