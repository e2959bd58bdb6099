/*
 * lookup.c - point lookups and key-range scans by primary key.  A table
 * handle caches the merged state of each bucket it has looked into, for the
 * snapshot it read; a new snapshot drops the cache (the lookup join's
 * "cache", read again when the table changes).  The cache pins its
 * snapshot (expire.c) so that a concurrent compaction and expiry never
 * delete the files of a bucket it has yet to load; the pin's lease is
 * renewed as lookups go on, and removed with the cache.  A key range of
 * a bucket not cached is read as a stream (merge_stream.c) over the files
 * and row groups the range's first key column may be in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

typedef struct LookupCache {
    int64_t snapshot;
    WbArena arena;              /* the snapshot's files */
    StoreFile **ptrs;
    int32_t *bounds;
    int32_t ngroups;
    Batch **states;             /* per group, NULL until loaded */
    char *pin;                  /* NULL for snapshot 0 */
    int64_t pin_renewed_ms;
} LookupCache;

static void cache_free(LookupCache *c)
{
    if (!c) return;
    for (int32_t g = 0; g < c->ngroups; g++)
        if (c->states[g]) ty_batch_free(c->states[g]);
    store_pin_remove(c->pin);
    free(c->states);
    free(c->ptrs);
    free(c->bounds);
    wb_arena_destroy(&c->arena);
    free(c);
}

/* The cache of a snapshot, pinned; NULL with err (*gone set when the
 * snapshot no longer exists). */
static LookupCache *cache_load(StoreTableCtx *ctx, int64_t snapshot, bool *gone, WbError *err)
{
    *gone = false;
    LookupCache *c = wb_calloc(1, sizeof(LookupCache));
    wb_arena_init(&c->arena, 0);
    c->snapshot = snapshot;
    if (snapshot > 0) {
        /* pinned first, then read: it still exists once pinned */
        c->pin = store_pin_create(ctx, snapshot, ctx->opts.pin_lease_ms, err);
        if (!c->pin) {
            cache_free(c);
            return NULL;
        }
        c->pin_renewed_ms = wb_now_millis();
        StoreSnapshot snap;
        StoreFile *files;
        int32_t n;
        int r = store_snapshot_read(ctx->dir, snapshot, &c->arena, &snap, err);
        if (r == 1) {
            *gone = true;
            wb_error(err, WB_SQLSTATE_DATA, 0, 0, "snapshot %lld of table %s does not exist",
                     (long long)snapshot, ctx->name);
        }
        if (r != 0 || store_snapshot_files(ctx->dir, &snap, false, &c->arena, &files, &n, err) != 0) {
            cache_free(c);
            return NULL;
        }
        c->ptrs = wb_malloc(sizeof(StoreFile *) * (size_t)(n + 1));
        for (int32_t i = 0; i < n; i++) c->ptrs[i] = &files[i];
        c->ngroups = store_group_files(c->ptrs, n, &c->bounds);
    }
    c->states = wb_calloc((size_t)(c->ngroups + 1), sizeof(Batch *));
    return c;
}

static Batch *group_state(StoreTableCtx *ctx, LookupCache *c, int32_t g, WbError *err)
{
    if (!c->states[g]) {
        Batch *b = store_row_batch(ctx, 1024);
        if (store_bucket_state(ctx, c->ptrs + c->bounds[g], c->bounds[g + 1] - c->bounds[g], b, err) != 0) {
            ty_batch_free(b);
            return NULL;
        }
        c->states[g] = b;
    }
    return c->states[g];
}

static int32_t find_group(const LookupCache *c, const char *part, int32_t bucket)
{
    for (int32_t g = 0; g < c->ngroups; g++) {
        const StoreFile *f = c->ptrs[c->bounds[g]];
        if (f->bucket == bucket && strcmp(f->partition, part) == 0) return g;
    }
    return -1;
}

/* key row kr of keys (pk order) vs row r of a row batch */
static int key_vs_row(const StoreTableCtx *ctx, const Batch *keys, int32_t kr, const Batch *b, int32_t r)
{
    for (int32_t i = 0; i < ctx->schema.npk; i++) {
        const ColumnVector *kv = &keys->cols[i], *bv = &b->cols[ctx->schema.pk[i]];
        bool kn = kv->nulls[kr], bn = bv->nulls[r];
        if (kn || bn) { if (kn != bn) return (int)bn - (int)kn; continue; }
        int c = ty_compare(kv, kr, bv, r);
        if (c) return c;
    }
    return 0;
}

/* ctx->lookup cache lives beside the table: kept in a static map keyed by
 * the table pointer would be global state; the table struct holds it. */
static LookupCache **cache_slot(StoreTable *t)
{
    return (LookupCache **)&t->lookup_cache;
}

static LookupCache *current_cache(StoreTable *t, int64_t snapshot, bool *gone, WbError *err)
{
    *gone = false;
    LookupCache **slot = cache_slot(t);
    LookupCache *c = *slot;
    if (c && c->snapshot == snapshot) {
        int64_t now = wb_now_millis();
        if (c->pin && now - c->pin_renewed_ms > t->ctx.opts.pin_lease_ms / 2) {
            if (store_pin_update(&t->ctx, c->pin, snapshot, t->ctx.opts.pin_lease_ms, err) != 0) return NULL;
            c->pin_renewed_ms = now;
        }
        return c;
    }
    cache_free(*slot);
    *slot = cache_load(&t->ctx, snapshot, gone, err);
    return *slot;
}

void store_lookup_cache_free(StoreTable *t)
{
    cache_free(*cache_slot(t));
    *cache_slot(t) = NULL;
}

int store_lookup(StoreTable *t, const Batch *keys, Batch *out, int32_t *found, WbError *err)
{
    StoreTableCtx *ctx = &t->ctx;
    if (!ctx->pk_table) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "table %s has no primary key to look up", ctx->name);
        return -1;
    }
    /* the latest snapshot; one that a concurrent expiry removed before it
     * was pinned is passed over for the newer one */
    LookupCache *c = NULL;
    bool gone = true;
    for (int attempt = 0; !c && gone && attempt < 3; attempt++) {
        int64_t latest;
        if (store_snapshot_latest(ctx->dir, &latest, err) != 0) return -1;
        if (attempt > 0) wb_error_clear(err);
        c = current_cache(t, latest, &gone, err);
    }
    if (!c) return -1;
    /* a row batch holding each key in its columns, for partition/bucket */
    Batch *probe = store_row_batch(ctx, 1);
    WbBuf part = {0};
    int rc = 0;
    for (int32_t kr = 0; kr < keys->nrows && rc == 0; kr++) {
        found[kr] = -1;
        ty_batch_reset(probe);
        probe->nrows = 1;
        for (int32_t col = 0; col < ctx->nrow_cols; col++) probe->cols[col].nulls[0] = 1;
        for (int32_t i = 0; i < ctx->schema.npk; i++)
            ty_batch_copy_cols(probe, 0, ctx->schema.pk[i], keys, kr, &i, 1);
        wb_buf_clear(&part);
        store_partition_path(ctx, probe, 0, &part);
        int32_t g = find_group(c, wb_buf_cstr(&part), store_row_bucket(ctx, probe, 0));
        if (g < 0) continue;
        Batch *state = group_state(ctx, c, g, err);
        if (!state) { rc = -1; break; }
        int32_t lo = 0, hi = state->nrows - 1;
        while (lo <= hi) {
            int32_t mid = lo + (hi - lo) / 2;
            int cmp = key_vs_row(ctx, keys, kr, state, mid);
            if (cmp == 0) {
                found[kr] = out->nrows;
                if (out->nrows >= out->capacity) ty_batch_reserve(out, out->nrows + 1);
                int32_t d = out->nrows++;
                ty_batch_copy_cols(out, d, 0, state, mid, NULL, ctx->schema.ncols);
                out->weights[d] = 1;
                if (out->updates) out->updates[d] = 0;
                break;
            }
            if (cmp < 0) hi = mid - 1;
            else lo = mid + 1;
        }
    }
    wb_buf_free(&part);
    ty_batch_free(probe);
    return rc;
}

typedef struct RangeSort {
    const StoreTableCtx *ctx;
    const Batch *b;
} RangeSort;

static int range_cmp(const void *pa, const void *pb, void *arg)
{
    const RangeSort *rs = arg;
    return store_key_cmp(rs->ctx, rs->b, *(const int32_t *)pa, rs->b, *(const int32_t *)pb);
}

/* `first key column op bound` for skipping files and row groups: false
 * when the bound is NULL there. */
static bool bound_pred(const StoreTableCtx *ctx, const Batch *bound, PqOp op, PqPredicate *out)
{
    const ColumnVector *v = &bound->cols[0];
    if (v->nulls[0]) return false;
    memset(out, 0, sizeof *out);
    out->col = ctx->schema.pk[0];
    out->op = op;
    out->value = pq_pred_value(v, 0);
    return true;
}

int store_scan_range(StoreTable *t, int64_t snapshot_id, const Batch *lo, const Batch *hi,
                     Batch *out, WbError *err)
{
    StoreTableCtx *ctx = &t->ctx;
    if (!ctx->pk_table) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "table %s has no primary key to scan by", ctx->name);
        return -1;
    }
    int64_t snap = snapshot_id;
    if (snap <= 0 && store_snapshot_latest(ctx->dir, &snap, err) != 0) return -1;
    bool gone;
    LookupCache *c = snapshot_id > 0 ? cache_load(ctx, snap, &gone, err) : current_cache(t, snap, &gone, err);
    if (!c) return -1;
    Batch *hits = store_row_batch(ctx, 1024);
    /* buckets not cached are streamed over the files and row groups the
     * first key column's bounds allow */
    StoreTableCtx rctx = *ctx;
    PqPredicate preds[2];
    rctx.nkey_preds = 0;
    if (lo && bound_pred(ctx, lo, PQ_OP_GE, &preds[rctx.nkey_preds])) rctx.nkey_preds++;
    if (hi && bound_pred(ctx, hi, PQ_OP_LE, &preds[rctx.nkey_preds])) rctx.nkey_preds++;
    rctx.key_preds = rctx.nkey_preds ? preds : NULL;
    Batch *slice = store_row_batch(ctx, 1024);
    int rc = 0;
    for (int32_t g = 0; g < c->ngroups && rc == 0; g++) {
        StoreMergeStream *m = NULL;
        if (!c->states[g]) m = store_merge_stream_open(&rctx, c->ptrs + c->bounds[g], c->bounds[g + 1] - c->bounds[g], true);
        for (;;) {
            const Batch *state = c->states[g];
            if (m) {
                ty_batch_reset(slice);
                int32_t got = store_merge_stream_next(m, slice, err);
                if (got < 0) rc = -1;
                if (got <= 0) break;
                state = slice;
            }
            for (int32_t r = 0; r < state->nrows; r++) {
                if (lo && key_vs_row(ctx, lo, 0, state, r) > 0) continue;
                if (hi && key_vs_row(ctx, hi, 0, state, r) < 0) continue;
                store_row_copy(hits, state, r);
            }
            if (!m) break;
        }
        store_merge_stream_close(m);
    }
    ty_batch_free(slice);
    if (rc == 0) {
        int32_t *order = wb_malloc(sizeof(int32_t) * (size_t)(hits->nrows + 1));
        for (int32_t i = 0; i < hits->nrows; i++) order[i] = i;
        RangeSort rs = {ctx, hits};
        qsort_r(order, (size_t)hits->nrows, sizeof(int32_t), range_cmp, &rs);
        ty_batch_reserve(out, out->nrows + hits->nrows + 1);
        for (int32_t i = 0; i < hits->nrows; i++) {
            int32_t d = out->nrows++;
            ty_batch_copy_cols(out, d, 0, hits, order[i], NULL, ctx->schema.ncols);
            out->weights[d] = 1;
            if (out->updates) out->updates[d] = 0;
        }
        free(order);
    }
    ty_batch_free(hits);
    if (snapshot_id > 0) cache_free(c);
    return rc;
}
