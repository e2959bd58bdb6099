/*
 * rank.c - PN_RANK: ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) with
 * rn in (offset, offset + limit]: top-N and deduplication, retracting.
 *
 * State: `parts` maps a partition key to a sorted array of the partition's
 * rows (pointers to entries of `rows`); `rows` maps partition key ++ sort
 * key ++ row to the row's multiplicity and arrival sequence.  The sort key
 * is an order-preserving byte string (memcmp order = ORDER BY order), and
 * the arrival sequence breaks ties, so the array order is one memcmp per
 * comparison.  Identical rows share one entry (their relative order cannot
 * be observed); an entry with count c occupies c consecutive row numbers.
 *
 * Beside each array entry sits its sort key's first 8 bytes, so the binary
 * search compares numbers and touches an entry only on equal prefixes.
 * Cost: insertion and removal are a binary search plus a memmove of the
 * array tail (O(partition size) moves, cheap for the small partitions of
 * top-N and dedup); each touched partition costs O(offset + limit) per
 * input batch to diff its old and new top rows.
 *
 * Over an insert-only input (the plan's changelog mode: a source without
 * retractions, and in batch mode any aggregate) with a finite window, a
 * partition keeps at most offset + limit entries: a row pushed past the
 * window can never return, so it is dropped (Flink's AppendOnlyTopN).
 * Deduplication (limit 1) keeps one row per key.
 *
 * Window top-N (RankSpec.window): a partition (its window_end among its
 * columns) gets an event-time timer at window_end - 1 ms when created;
 * nothing is emitted per batch; when the watermark passes the timer the
 * partition's top rows go out once, as insertions, and the partition is
 * dropped.  Rows of a window that has fired are late: dropped, counted.
 */
#include "exec/op_int.h"

#include <assert.h>
#include <stdlib.h>

#include "state/timers.h"

#define PART_INLINE 2        /* entries held in the partition itself (dedup, top-2) */

typedef struct RankPart {
    StateEntry **arr;       /* entries with count > 0, in rank order */
    uint64_t *pre;          /* beside each: its sort key's first 8 bytes, big-endian */
    int32_t n, cap;
    /* the first PART_INLINE entries: no allocation for the partitions of
     * a deduplication (the payload never moves, so arr may point here) */
    StateEntry *inl_arr[PART_INLINE];
    uint64_t inl_pre[PART_INLINE];
    uint64_t epoch;         /* the batch that last touched the partition */
    int32_t touched_idx;
    uint8_t ttl_timer;      /* state TTL: a timer is pending */
    int64_t used_us;        /* state TTL: processing time of the last row */
} RankPart;

typedef struct RankRow {
    int64_t count;          /* copies of the row; <= 0 means not in arr */
    uint64_t seq;           /* arrival of the copies in arr */
    uint32_t sort_off, sort_len, row_off;
} RankRow;

typedef struct RankOp {
    Operator base;
    const RankSpec *spec;
    const SqlType *in_types;
    int32_t in_ncols;
    bool passthrough;       /* unlimited, no offset, no row number */
    /* the input only inserts and the window is finite: a row ranked past
     * offset + limit can never come back into it, so it is not kept */
    bool append_only;
    int64_t window;         /* offset + limit */
    StateTable *parts, *rows, *diff;
    uint64_t epoch, seq;
    WbBuf key;
    /* touched partitions of the current batch and their old/new top rows */
    int32_t ntouched, touched_cap;
    StateEntry **touched;
    int32_t *old_start, *old_n;
    Batch *olds, *news;
    TimerService *timers;   /* window mode: key = the partition key */
    TimerService *ttl;      /* state TTL: key = the partition key */
    int64_t ttl_us, now_us;
    ExOut out;
} RankOp;

static inline RankPart *part_of(StateEntry *e) { return st_payload(e); }
static inline RankRow *row_of(StateEntry *e) { return st_payload(e); }

/* ---- sort keys ----
 * Per sort column: a marker byte (NULL: 0x00 when NULLS FIRST, 0x02 when
 * LAST; a value: 0x01), then the value: numbers as in op_int.h, strings
 * with 0x00 escaped as 0x00 0xFF and ended by 0x00 0x00 (prefix-free, so
 * the next column never compares against string bytes).  DESC inverts the
 * value bytes, not the marker, so NULLS FIRST/LAST hold in both orders. */
static void sort_key_encode(const RankSpec *spec, const Batch *batch, int32_t row, WbBuf *out)
{
    for (int32_t k = 0; k < spec->nsort; k++) {
        const SortKey *sk = &spec->sort[k];
        const ColumnVector *col = &batch->cols[sk->col];
        if (col->nulls[row]) {
            wb_buf_putc(out, sk->nulls_first ? 0x00 : 0x02);
            continue;
        }
        wb_buf_putc(out, 0x01);
        size_t start = out->len;
        if (ty_phys(col->type) == PK_STR) {
            WbStr str = col->str[row];
            for (uint32_t i = 0; i < str.len; i++) {
                wb_buf_putc(out, str.ptr[i]);
                if (str.ptr[i] == 0) wb_buf_putc(out, (char)0xFF);
            }
            wb_buf_putc(out, 0x00);
            wb_buf_putc(out, 0x00);
        } else {
            ex_value_order_encode(col, row, out);   /* fixed width: prefix-free */
        }
        if (sk->desc)
            for (size_t i = start; i < out->len; i++) out->data[i] = (char)~out->data[i];
    }
}

/* Rank order: sort key bytes, then arrival. */
static int rank_cmp(StateEntry *a, StateEntry *b)
{
    RankRow *ra = row_of(a), *rb = row_of(b);
    int c = ex_value_order_cmp(a->key + ra->sort_off, ra->sort_len, b->key + rb->sort_off,
                               rb->sort_len);
    if (c) return c;
    return ra->seq < rb->seq ? -1 : ra->seq > rb->seq;
}

/* The first 8 bytes of e's sort key as a big-endian number (zero-padded):
 * sort keys compare as byte strings, so a smaller prefix ranks first and
 * only equal prefixes need the entries themselves. */
static uint64_t sort_prefix(StateEntry *e)
{
    const RankRow *r = row_of(e);
    const uint8_t *k = e->key + r->sort_off;
    uint32_t n = r->sort_len < 8 ? r->sort_len : 8;
    uint64_t v = 0;
    for (uint32_t i = 0; i < 8; i++) v = (v << 8) | (i < n ? k[i] : 0);
    return v;
}

/* First index whose entry ranks at or after e (prefix: e's sort_prefix).
 * The search reads the prefixes beside the entries, not the entries. */
static int32_t lower_bound(RankPart *part, StateEntry *e, uint64_t prefix)
{
    int32_t lo = 0, hi = part->n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        uint64_t p = part->pre[mid];
        bool before = p != prefix ? p < prefix : rank_cmp(part->arr[mid], e) < 0;
        if (before) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void part_free(RankPart *part)
{
    if (part->arr != part->inl_arr) free(part->arr);
    if (part->pre != part->inl_pre) free(part->pre);
    part->arr = NULL;
    part->pre = NULL;
}

static void part_insert(RankPart *part, StateEntry *e)
{
    if (part->cap == 0) {
        part->arr = part->inl_arr;
        part->pre = part->inl_pre;
        part->cap = PART_INLINE;
    }
    if (part->n == part->cap) {
        int32_t cap = part->cap * 4;
        StateEntry **arr = wb_malloc(sizeof(StateEntry *) * (size_t)cap);
        uint64_t *pre = wb_malloc(sizeof(uint64_t) * (size_t)cap);
        memcpy(arr, part->arr, sizeof(StateEntry *) * (size_t)part->n);
        memcpy(pre, part->pre, sizeof(uint64_t) * (size_t)part->n);
        part_free(part);
        part->arr = arr;
        part->pre = pre;
        part->cap = cap;
    }
    uint64_t prefix = sort_prefix(e);
    int32_t pos = lower_bound(part, e, prefix);
    size_t tail = (size_t)(part->n - pos);
    memmove(&part->arr[pos + 1], &part->arr[pos], sizeof(StateEntry *) * tail);
    memmove(&part->pre[pos + 1], &part->pre[pos], sizeof(uint64_t) * tail);
    part->arr[pos] = e;
    part->pre[pos] = prefix;
    part->n++;
}

static void part_remove(RankPart *part, StateEntry *e)
{
    int32_t pos = lower_bound(part, e, sort_prefix(e));
    assert(pos < part->n && part->arr[pos] == e);
    size_t tail = (size_t)(part->n - pos - 1);
    memmove(&part->arr[pos], &part->arr[pos + 1], sizeof(StateEntry *) * tail);
    memmove(&part->pre[pos], &part->pre[pos + 1], sizeof(uint64_t) * tail);
    part->n--;
}

/* ---- top rows ---- */

static void put_row(RankOp *op, StateEntry *e, Batch *dst, int64_t rn, int64_t weight)
{
    if (dst->nrows >= dst->capacity) ty_batch_reserve(dst, dst->nrows + 1);
    int32_t row = dst->nrows++;
    ty_row_decode(e->key + row_of(e)->row_off, op->in_types, op->in_ncols, dst, row, 0);
    if (op->spec->emit_rownum) {
        dst->cols[op->in_ncols].nulls[row] = 0;
        dst->cols[op->in_ncols].i64[row] = rn;
    }
    dst->weights[row] = weight;
}

/* Appends the partition's rows with rn in (offset, offset + limit] to dst:
 * one row per rn when the row number is emitted, else one row per entry
 * weighted by its copies inside the window. */
static void top_rows(RankOp *op, RankPart *part, Batch *dst)
{
    const RankSpec *spec = op->spec;
    int64_t lo = spec->offset, hi = spec->limit < 0 ? INT64_MAX : spec->offset + spec->limit;
    int64_t rn = 0;   /* row numbers used so far */
    for (int32_t i = 0; i < part->n && rn < hi; i++) {
        StateEntry *e = part->arr[i];
        int64_t count = row_of(e)->count;
        int64_t first = rn + 1, last = rn + count;   /* this entry's rn range */
        rn = last;
        if (last <= lo) continue;
        int64_t from = WB_MAX(first, lo + 1), to = WB_MIN(last, hi);
        if (spec->emit_rownum) {
            for (int64_t r = from; r <= to; r++) put_row(op, e, dst, r, 1);
        } else {
            put_row(op, e, dst, 0, to - from + 1);
        }
    }
}

static int emit_copy(RankOp *op, const Batch *src, int32_t row, int64_t weight, WbError *err)
{
    if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
    ty_batch_append_row(op->out.batch, src, row, weight);
    return 0;
}

/* Emits the difference between a partition's old top rows (olds[os..os+on))
 * and its new ones (news[ns..ns+nn)). */

/* The scratch multiset entry of a whole row (created when asked). */
static StateEntry *diff_entry(RankOp *op, const Batch *batch, int32_t row, int32_t ncols,
                              bool create)
{
    wb_buf_clear(&op->key);
    ty_row_encode(batch, row, NULL, ncols, &op->key);
    uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6469);
    if (create)
        return st_table_upsert(op->diff, op->key.data, (uint32_t)op->key.len, hash, NULL);
    return st_table_find(op->diff, op->key.data, (uint32_t)op->key.len, hash);
}

static int emit_diff(RankOp *op, int32_t os, int32_t on, int32_t ns, int32_t nn, WbError *err)
{
    Batch *olds = op->olds, *news = op->news;
    const bool one_per_part = op->spec->limit == 1 && op->spec->offset == 0;
    if (op->spec->emit_rownum) {
        /* both lists hold rn = offset+1, offset+2, ... in order: compare
         * position by position; a changed position is an update pair */
        for (int32_t i = 0; i < WB_MAX(on, nn); i++) {
            if (i < on && i < nn && ex_rows_equal(olds, os + i, news, ns + i)) continue;
            if (ex_out_reserve(&op->base, &op->out, 2, err) != 0) return -1;
            if (i < on) ty_batch_append_row(op->out.batch, olds, os + i, -1);
            if (i < nn) ty_batch_append_row(op->out.batch, news, ns + i, 1);
            /* a row number taken by another row: its update, where the
             * query shows row numbers or has one row per partition */
            if (i < on && i < nn && (!op->spec->rownum_hidden || one_per_part))
                ty_mark_update(op->out.batch, op->out.batch->nrows - 2);
        }
        return 0;
    }
    if (one_per_part && on == 1 && nn == 1) {
        /* one row per partition (its upsert key): a new first row is
         * the partition's update */
        if (ex_rows_equal(olds, os, news, ns)) return 0;
        if (ex_out_reserve(&op->base, &op->out, 2, err) != 0) return -1;
        ty_batch_append_row(op->out.batch, olds, os, -1);
        ty_batch_append_row(op->out.batch, news, ns, 1);
        ty_mark_update(op->out.batch, op->out.batch->nrows - 2);
        return 0;
    }
    /* a multiset difference through a scratch table keyed by the row */
    int32_t ncols = op->in_ncols;
    for (int pass = 0; pass < 2; pass++) {
        Batch *b = pass ? news : olds;
        int32_t start = pass ? ns : os, n = pass ? nn : on;
        for (int32_t row = start; row < start + n; row++) {
            StateEntry *e = diff_entry(op, b, row, ncols, true);
            *(int64_t *)st_payload(e) += pass ? b->weights[row] : -b->weights[row];
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        Batch *b = pass ? news : olds;
        int32_t start = pass ? ns : os, n = pass ? nn : on;
        for (int32_t row = start; row < start + n; row++) {
            StateEntry *e = diff_entry(op, b, row, ncols, false);
            if (!e) continue;
            int64_t net = *(int64_t *)st_payload(e);
            /* retractions while walking the old rows, insertions while
             * walking the new ones; each key is emitted once */
            if (pass == 0 && net > 0) continue;
            if (net != 0 && emit_copy(op, b, row, net, err) != 0) return -1;
            st_table_remove(op->diff, e);
        }
    }
    return 0;
}

/* ---- the operator ---- */

/* Window mode: the instant row's window ends (its last millisecond). */
static int64_t window_fire(const RankOp *op, const Batch *batch, int32_t row)
{
    int64_t end = batch->cols[op->spec->window_end].i64[row];
    return (op->spec->window_ltz ? wb_tz_to_utc(end) : end) - 1000;
}

static StateEntry *find_part(RankOp *op, const Batch *batch, int32_t row)
{
    wb_buf_clear(&op->key);
    ty_row_encode(batch, row, op->spec->partition, op->spec->npartition, &op->key);
    uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x7061);
    bool created = false;
    StateEntry *pe = st_table_upsert(op->parts, op->key.data, (uint32_t)op->key.len, hash, &created);
    if (created && op->timers)
        st_timers_register(op->timers, window_fire(op, batch, row), op->key.data, (uint32_t)op->key.len);
    if (op->ttl) {
        RankPart *part = part_of(pe);
        part->used_us = op->now_us;
        if (!part->ttl_timer) {
            part->ttl_timer = 1;
            st_timers_register(op->ttl, op->now_us + op->ttl_us, op->key.data, (uint32_t)op->key.len);
        }
    }
    return pe;
}

static void touch(RankOp *op, StateEntry *pe)
{
    RankPart *part = part_of(pe);
    part->epoch = op->epoch;
    if (op->ntouched == op->touched_cap) {
        op->touched_cap = op->touched_cap ? op->touched_cap * 2 : 64;
        size_t cap = (size_t)op->touched_cap;
        op->touched = wb_realloc(op->touched, sizeof(StateEntry *) * cap);
        op->old_start = wb_realloc(op->old_start, sizeof(int32_t) * cap);
        op->old_n = wb_realloc(op->old_n, sizeof(int32_t) * cap);
    }
    int32_t idx = op->ntouched++;
    part->touched_idx = idx;
    op->touched[idx] = pe;
    op->old_start[idx] = op->olds->nrows;
    top_rows(op, part, op->olds);
    op->old_n[idx] = op->olds->nrows - op->old_start[idx];
}

/* Applies weight w of batch row `row` to partition pe. */
static void apply_row(RankOp *op, StateEntry *pe, const Batch *batch, int32_t row, int64_t w)
{
    WbBuf *key = &op->key;   /* holds the partition key (find_part) */
    uint32_t sort_off = (uint32_t)key->len;
    sort_key_encode(op->spec, batch, row, key);
    uint32_t row_off = (uint32_t)key->len;
    ty_row_encode(batch, row, NULL, op->in_ncols, key);
    uint64_t hash = wb_hash_bytes(key->data, key->len, 0x726f);
    bool created;
    StateEntry *e = st_table_upsert(op->rows, key->data, (uint32_t)key->len, hash, &created);
    RankRow *r = row_of(e);
    if (created) {
        r->sort_off = sort_off;
        r->sort_len = row_off - sort_off;
        r->row_off = row_off;
    }
    RankPart *part = part_of(pe);
    int64_t before = r->count, after = before + w;
    if (before > 0 && after <= 0) part_remove(part, e);
    r->count = after;
    if (before <= 0 && after > 0) {
        r->seq = op->seq++;
        part_insert(part, e);
    }
    if (after == 0) st_table_remove(op->rows, e);
    if (op->append_only) {
        /* every entry holds a row at least: entries past the window's
         * end hold rows it will never show again */
        while (part->n > op->window) {
            StateEntry *last = part->arr[--part->n];
            row_of(last)->count = 0;
            st_table_remove(op->rows, last);
        }
    }
}

static void drop_part_if_empty(RankOp *op, StateEntry *pe)
{
    RankPart *part = part_of(pe);
    if (part->n > 0) return;
    part_free(part);
    part->arr = NULL;
    part->pre = NULL;
    st_table_remove(op->parts, pe);
}

static int rank_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    RankOp *op = (RankOp *)base;
    if (op->passthrough) return ex_emit(base, batch, err);
    bool streaming = !base->ctx->batch_mode && !op->timers;
    if (op->ttl) op->now_us = wb_clock_now(base->ctx->clock);
    op->epoch++;
    op->ntouched = 0;
    ty_batch_reset(op->olds);
    for (int32_t row = 0; row < batch->nrows; row++) {
        if (op->append_only && batch->weights[row] < 0) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                     "top-N over an insert-only input received a retraction");
            return -1;
        }
        if (op->timers && window_fire(op, batch, row) <= base->watermark) {
            ex_late_row(base, batch, row);
            continue;
        }
        StateEntry *pe = find_part(op, batch, row);
        if (streaming && part_of(pe)->epoch != op->epoch) touch(op, pe);
        /* op->key still holds the partition key (touch does not use it) */
        apply_row(op, pe, batch, row, batch->weights[row]);
    }
    if (!streaming) return 0;
    for (int32_t idx = 0; idx < op->ntouched; idx++) {
        StateEntry *pe = op->touched[idx];
        ty_batch_reset(op->news);
        top_rows(op, part_of(pe), op->news);
        if (emit_diff(op, op->old_start[idx], op->old_n[idx], 0, op->news->nrows, err) != 0)
            return -1;
        drop_part_if_empty(op, pe);
    }
    return ex_out_flush(base, &op->out, err);
}

/* Window mode: the windows the watermark passed emit their top rows. */
static int rank_watermark(Operator *base, int64_t wm, WbError *err)
{
    RankOp *op = (RankOp *)base;
    if (!op->timers) return 0;
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->timers, wm, &time, &key, &len)) {
        uint64_t hash = wb_hash_bytes(key, len, 0x7061);
        StateEntry *pe = st_table_find(op->parts, key, len, hash);
        if (!pe) continue;
        RankPart *part = part_of(pe);
        ty_batch_reset(op->news);
        top_rows(op, part, op->news);
        for (int32_t row = 0; row < op->news->nrows; row++)
            if (emit_copy(op, op->news, row, op->news->weights[row], err) != 0) return -1;
        for (int32_t i = 0; i < part->n; i++) st_table_remove(op->rows, part->arr[i]);
        part->n = 0;
        drop_part_if_empty(op, pe);
    }
    return ex_out_flush(base, &op->out, err);
}

/* State TTL: partitions without a row for the TTL are dropped silently
 * (Flink's state TTL). */
static int rank_proctime(Operator *base, int64_t now, WbError *err)
{
    (void)err;
    RankOp *op = (RankOp *)base;
    if (!op->ttl) return 0;
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->ttl, now, &time, &key, &len)) {
        uint64_t hash = wb_hash_bytes(key, len, 0x7061);
        StateEntry *pe = st_table_find(op->parts, key, len, hash);
        if (!pe) continue;
        RankPart *part = part_of(pe);
        if (!ex_ttl_expired(op->ttl, now, part->used_us, op->ttl_us, key, len)) continue;
        base->state_expired++;
        for (int32_t i = 0; i < part->n; i++) st_table_remove(op->rows, part->arr[i]);
        part->n = 0;
        drop_part_if_empty(op, pe);
    }
    return 0;
}

static int rank_finish(Operator *base, WbError *err)
{
    RankOp *op = (RankOp *)base;
    if (op->passthrough || !base->ctx->batch_mode || op->timers) return ex_out_flush(base, &op->out, err);
    StateIter it;
    st_iter_init(&it, op->parts);
    for (StateEntry *pe; (pe = st_iter_next(&it));) {
        ty_batch_reset(op->news);
        top_rows(op, part_of(pe), op->news);
        for (int32_t row = 0; row < op->news->nrows; row++)
            if (emit_copy(op, op->news, row, op->news->weights[row], err) != 0) return -1;
    }
    return ex_out_flush(base, &op->out, err);
}

static void rank_destroy(Operator *base)
{
    RankOp *op = (RankOp *)base;
    StateIter it;
    st_iter_init(&it, op->parts);
    for (StateEntry *pe; (pe = st_iter_next(&it));) {
        part_free(part_of(pe));
    }
    st_table_free(op->parts);
    st_table_free(op->rows);
    st_table_free(op->diff);
    wb_buf_free(&op->key);
    free(op->touched);
    free(op->old_start);
    free(op->old_n);
    ty_batch_free(op->olds);
    ty_batch_free(op->news);
    st_timers_free(op->timers);
    st_timers_free(op->ttl);
    ex_out_free(&op->out);
}

static int64_t rank_state_bytes(const Operator *base)
{
    const RankOp *op = (const RankOp *)base;
    /* the arrays hang off `parts`: 8 bytes per row */
    return st_table_bytes(op->parts) + st_table_bytes(op->rows) +
           (int64_t)sizeof(StateEntry *) * st_table_count(op->rows);
}

static const OpVTable rank_vt = {"Rank", rank_push, NULL, rank_finish, rank_destroy,
                                 rank_state_bytes, rank_watermark, rank_proctime};

Operator *ex_rank_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    const RankSpec *spec = &node->rank;
    if (node->ninputs != 1) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "RANK needs exactly one input");
        return NULL;
    }
    const PlanNode *in = node->inputs[0];
    if (node->ncols != in->ncols + (spec->emit_rownum ? 1 : 0) || spec->offset < 0) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "malformed RANK plan node %d", (int)node->id);
        return NULL;
    }
    for (int32_t i = 0; i < spec->npartition; i++)
        if (spec->partition[i] < 0 || spec->partition[i] >= in->ncols) goto bad_col;
    for (int32_t i = 0; i < spec->nsort; i++)
        if (spec->sort[i].col < 0 || spec->sort[i].col >= in->ncols) goto bad_col;

    RankOp *op = wb_calloc(1, sizeof(RankOp));
    ex_op_init(&op->base, &rank_vt, node, ctx);
    op->spec = spec;
    op->in_types = in->types;
    op->in_ncols = in->ncols;
    op->passthrough = spec->limit < 0 && spec->offset == 0 && !spec->emit_rownum;
    op->append_only = spec->limit >= 0 && in->mode == CM_INSERT_ONLY;
    if (spec->window) op->timers = st_timers_new();
    if (ctx->state_ttl_ms > 0 && !ctx->batch_mode && !spec->window && spec->limit >= 0) {
        op->ttl_us = ctx->state_ttl_ms * 1000;
        op->ttl = st_timers_new();
    }
    op->window = spec->limit >= 0 ? spec->offset + spec->limit : INT64_MAX;
    op->parts = st_table_new(sizeof(RankPart));
    op->rows = st_table_new(sizeof(RankRow));
    op->diff = st_table_new(sizeof(int64_t));
    wb_buf_reserve(&op->key, 64);
    op->olds = ty_batch_new(node->types, node->ncols, 64);
    op->news = ty_batch_new(node->types, node->ncols, 64);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;

bad_col:
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "RANK column out of range");
    return NULL;
}
