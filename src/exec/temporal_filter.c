/*
 * temporal_filter.c - PN_TEMPORAL_FILTER: each row passes while the time
 * is within its bounds (plan.h).  For a row the bounds give an interval
 * [enter, leave) of times (microseconds; a strict bound moves by one): it
 * is emitted when the time reaches enter and retracted when it reaches
 * leave.  The time is the job's processing time (the clock, ticked by the
 * runtime) or, for event-time bounds, the operator's watermark.
 *
 * State: one StateTable entry per distinct (enter, leave, row) holding the
 * row's net count, keyed by those bytes, and one timer per entry: at enter
 * while the row waits, then at leave while it is visible.  A row arriving
 * inside its interval is emitted at once; one arriving after it is
 * dropped, as is a row whose bound is NULL (the comparison is unknown).
 * A retraction finds the row where its insertion went: still waiting
 * (the count drops, nothing is emitted), visible (the retraction is
 * emitted), or gone (nothing).  Output kinds are plain -D/+I.
 */
#include "exec/op_int.h"

#include <stdlib.h>
#include <string.h>

#include "state/timers.h"

typedef struct TemporalOp {
    Operator base;
    const TemporalFilterSpec *spec;
    StateTable *rows;            /* key: be64 enter, be64 leave, row; payload: count */
    TimerService *timers;        /* key: the same bytes */
    int64_t now;                 /* the time last seen */
    int64_t expired;             /* rows that arrived after their interval */
    WbArena scratch;
    ColumnVector *bound_vals;
    WbBuf key;
    ExOut out;
} TemporalOp;

static uint64_t key_hash(const WbBuf *key)
{
    return wb_hash_bytes(key->data, key->len, 0x74656d70);
}

/* Emits the row encoded after the 16-byte interval prefix with weight w. */
static int emit_row(TemporalOp *op, const uint8_t *key, int64_t w, WbError *err)
{
    if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
    Batch *b = op->out.batch;
    int32_t row = b->nrows++;
    ty_row_decode(key + 16, op->base.node->types, op->base.node->ncols, b, row, 0);
    b->weights[row] = w;
    return 0;
}

/* The clock as the bounds read it: an instant, or the session zone's wall
 * time when they compare wall times (TemporalFilterSpec.local). */
static int64_t clock_time(const TemporalOp *op, int64_t now)
{
    return op->spec->local ? wb_tz_to_local(now) : now;
}

/* Moves the time to `now`: fires the timers up to it. */
static int advance(TemporalOp *op, int64_t now, WbError *err)
{
    if (now <= op->now) return 0;
    op->now = now;
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->timers, now, &time, &key, &len)) {
        uint64_t hash = wb_hash_bytes(key, len, 0x74656d70);
        StateEntry *e = st_table_find(op->rows, key, len, hash);
        if (!e) continue;
        int64_t count = *(int64_t *)st_payload(e);
        int64_t enter = ex_order_unbits_i64(ex_get_be64(key));
        int64_t leave = ex_order_unbits_i64(ex_get_be64(key + 8));
        if (time == enter) {
            if (leave != INT64_MAX && now >= leave) {
                /* entered and left within one step of time: never seen */
                st_table_remove(op->rows, e);
                continue;
            }
            if (count != 0 && emit_row(op, key, count, err) != 0) return -1;
            if (leave == INT64_MAX) {
                st_table_remove(op->rows, e);
            } else {
                st_timers_register(op->timers, leave, key, len);
            }
        } else {
            /* time == leave: visible since enter, it leaves */
            if (count != 0 && emit_row(op, key, -count, err) != 0) return -1;
            st_table_remove(op->rows, e);
        }
    }
    return ex_out_flush(&op->base, &op->out, err);
}

/* The interval [enter, leave) of row r from the evaluated bounds; false
 * when a bound is NULL. */
static bool interval_of(const TemporalOp *op, int32_t r, int64_t *enter, int64_t *leave)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    for (int32_t i = 0; i < op->spec->nbounds; i++) {
        const TimeBound *tb = &op->spec->bounds[i];
        const ColumnVector *v = &op->bound_vals[i];
        if (v->nulls[r]) return false;
        int64_t at = v->i64[r] + tb->offset_us;
        if (tb->lower) {
            int64_t from = tb->inclusive ? at : at + 1;   /* time >= from */
            if (from > lo) lo = from;
        } else {
            int64_t until = tb->inclusive ? at + 1 : at;  /* time < until */
            if (until < hi) hi = until;
        }
    }
    *enter = lo;
    *leave = hi;
    return true;
}

static int tf_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    TemporalOp *op = (TemporalOp *)base;
    if (!op->spec->event_time && advance(op, clock_time(op, wb_clock_now(base->ctx->clock)), err) != 0)
        return -1;
    int64_t now = op->now;
    wb_arena_reset(&op->scratch);
    for (int32_t i = 0; i < op->spec->nbounds; i++) {
        ColumnVector *v = &op->bound_vals[i];
        ex_vector_alloc(v, op->spec->bounds[i].expr->type, batch->nrows, &op->scratch);
        if (ex_eval(op->spec->bounds[i].expr, batch, v, &op->scratch, err) != 0) return -1;
    }
    for (int32_t r = 0; r < batch->nrows; r++) {
        int64_t enter, leave;
        if (!interval_of(op, r, &enter, &leave) || enter >= leave ||
            (leave != INT64_MAX && now >= leave)) {
            op->expired++;
            continue;
        }
        int64_t w = batch->weights[r];
        if (now >= enter) {
            if (ex_out_reserve(base, &op->out, 1, err) != 0) return -1;
            ty_batch_append_row(op->out.batch, batch, r, w);
            if (leave == INT64_MAX) continue;
        }
        /* kept: waiting for enter, or visible until leave */
        wb_buf_clear(&op->key);
        uint8_t be[16];
        ex_put_be64(be, ex_order_bits_i64(enter));
        ex_put_be64(be + 8, ex_order_bits_i64(leave));
        wb_buf_append(&op->key, be, 16);
        ty_row_encode(batch, r, NULL, batch->ncols, &op->key);
        bool created = false;
        StateEntry *e = st_table_upsert(op->rows, op->key.data, (uint32_t)op->key.len,
                                        key_hash(&op->key), &created);
        int64_t *count = st_payload(e);
        *count += w;
        if (created)
            st_timers_register(op->timers, now >= enter ? leave : enter, op->key.data,
                               (uint32_t)op->key.len);
        if (*count == 0) st_table_remove(op->rows, e);
    }
    /* plain changes: update pairs may split (one half visible) */
    if (op->out.batch->updates) memset(op->out.batch->updates, 0, (size_t)op->out.batch->capacity);
    return ex_out_flush(base, &op->out, err);
}

static int tf_watermark(Operator *base, int64_t wm, WbError *err)
{
    TemporalOp *op = (TemporalOp *)base;
    if (!op->spec->event_time) return 0;
    return advance(op, wm, err);
}

static int tf_proctime(Operator *base, int64_t now, WbError *err)
{
    TemporalOp *op = (TemporalOp *)base;
    if (op->spec->event_time) return 0;
    return advance(op, clock_time(op, now), err);
}

static void tf_destroy(Operator *base)
{
    TemporalOp *op = (TemporalOp *)base;
    st_table_free(op->rows);
    st_timers_free(op->timers);
    wb_arena_destroy(&op->scratch);
    free(op->bound_vals);
    wb_buf_free(&op->key);
    ex_out_free(&op->out);
}

static int64_t tf_state_bytes(const Operator *base)
{
    const TemporalOp *op = (const TemporalOp *)base;
    return st_table_bytes(op->rows) + st_timers_bytes(op->timers);
}

static const OpVTable tf_vt = {"TemporalFilter", tf_push, NULL, NULL, tf_destroy,
                               tf_state_bytes, tf_watermark, tf_proctime};

Operator *ex_temporal_filter_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    (void)err;
    TemporalOp *op = wb_calloc(1, sizeof *op);
    ex_op_init(&op->base, &tf_vt, node, ctx);
    op->spec = &node->temporal;
    op->rows = st_table_new(sizeof(int64_t));
    op->timers = st_timers_new();
    op->now = node->temporal.event_time ? INT64_MIN : clock_time(op, wb_clock_now(ctx->clock));
    wb_arena_init(&op->scratch, 1 << 14);
    op->bound_vals = wb_calloc((size_t)node->temporal.nbounds + 1, sizeof(ColumnVector));
    wb_buf_reserve(&op->key, 64);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
