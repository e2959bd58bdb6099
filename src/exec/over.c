/*
 * over.c - PN_OVER: an aggregate OVER (PARTITION BY .. ORDER BY time
 * frame) for every row (plan.h).
 *
 * Rows wait in a timer service keyed by their time (the key holds an
 * arrival number and the encoded row): event-time rows until the
 * watermark passes them (a row at or behind the watermark on arrival is
 * late: dropped and counted), processing-time rows until the clock moves
 * past them (rows of one clock value are peers), all at the end of input.
 * Released rows are taken in (time, arrival) order, in chunks that never
 * split one time value.
 *
 * The aggregate itself is the group aggregate (agg.c) over the partition
 * columns, driven by this operator: each row of a chunk is assigned a
 * round (a row per partition per round; RANGE peers share one), and each
 * round is one batch into the aggregate: the rows entering their frames,
 * and the rows leaving them as retractions (ROWS n: the row n + 1 back;
 * RANGE d: rows older than d).  The aggregate's output row for a
 * partition is that partition's current value; the rows of the round are
 * emitted with it.  An aggregate that did not change emits nothing: the
 * partition keeps its last value.  So every aggregate function exists
 * once, with its retraction.
 */
#include "exec/op_int.h"

#include <stdlib.h>
#include <string.h>

#include "state/timers.h"

typedef struct FrameRow {
    int64_t ts;
    uint32_t off, len;           /* the projected row in Part.fbytes */
} FrameRow;

typedef struct Part {
    uint64_t epoch;              /* the chunk that last assigned a round */
    int32_t round;
    int64_t round_ts;
    bool has_last;
    WbBuf last;                  /* the aggregate's value, encoded */
    FrameRow *frame;             /* bounded frames: rows in the frame, oldest at head */
    int32_t head, count, cap;
    WbBuf fbytes;
} Part;

typedef struct OverOp OverOp;

typedef struct Capture {
    Operator base;
    OverOp *owner;
} Capture;

struct OverOp {
    Operator base;
    const OverSpec *spec;
    ExecContext inner_ctx;
    Operator *agg;               /* the group aggregate over the partitions */
    Capture *cap;
    StateTable *parts;           /* key: partition columns; payload: Part * */
    TimerService *pending;       /* time -> arrival number ++ row */
    uint64_t seq, epoch;
    int64_t pending_bytes;
    Batch *stage;                /* released rows (input schema) */
    int64_t *stage_ts;
    int32_t *round;
    Part **part_of;
    int32_t stage_cap;
    Batch *inner;                /* one round into the aggregate */
    WbBuf key, scratch;
    ExOut out;
};

static Part *part_payload(StateEntry *e)
{
    return *(Part **)st_payload(e);
}

static void part_free(Part *p)
{
    wb_buf_free(&p->last);
    wb_buf_free(&p->fbytes);
    free(p->frame);
    free(p);
}

/* ---- the aggregate's output: each partition's current value ---- */

static int capture_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    (void)err;
    OverOp *op = ((Capture *)base)->owner;
    int32_t np = op->spec->npartition;
    for (int32_t r = 0; r < batch->nrows; r++) {
        if (batch->weights[r] <= 0) continue;
        wb_buf_clear(&op->key);
        ty_row_encode(batch, r, NULL, np, &op->key);
        uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6f766572);
        StateEntry *e = st_table_find(op->parts, op->key.data, (uint32_t)op->key.len, hash);
        if (!e) continue;
        Part *p = part_payload(e);
        wb_buf_clear(&p->last);
        int32_t col = np;
        ty_row_encode(batch, r, &col, 1, &p->last);
        p->has_last = true;
    }
    return 0;
}

static const OpVTable capture_vt = {"OverCapture", capture_push, NULL, NULL, NULL, NULL, NULL, NULL};

/* ---- rounds ---- */

static void stage_reserve(OverOp *op, int32_t n)
{
    if (n <= op->stage_cap) return;
    op->stage_cap = n * 2;
    op->stage_ts = wb_realloc(op->stage_ts, sizeof(int64_t) * (size_t)op->stage_cap);
    op->round = wb_realloc(op->round, sizeof(int32_t) * (size_t)op->stage_cap);
    op->part_of = wb_realloc(op->part_of, sizeof(Part *) * (size_t)op->stage_cap);
    ty_batch_reserve(op->stage, op->stage_cap);
}

/* Appends the projected stage row r to the round batch with weight w. */
static void inner_add(OverOp *op, int32_t r, int64_t w)
{
    Batch *in = op->inner;
    if (in->nrows >= in->capacity) ty_batch_reserve(in, in->nrows * 2 + 16);
    int32_t row = in->nrows++;
    ty_batch_copy_cols(in, row, 0, op->stage, r, op->spec->proj, op->spec->nproj);
    in->weights[row] = w;
}

/* Appends an encoded projected row leaving a frame, as a retraction. */
static void inner_retract(OverOp *op, const uint8_t *bytes)
{
    Batch *in = op->inner;
    if (in->nrows >= in->capacity) ty_batch_reserve(in, in->nrows * 2 + 16);
    int32_t row = in->nrows++;
    ty_row_decode(bytes, op->spec->agg->inputs[0]->types, op->spec->nproj, in, row, 0);
    in->weights[row] = -1;
}

/* Bounded frames: row r enters its partition's frame; rows that fall out
 * of it go to the round batch as retractions. */
static void frame_enter(OverOp *op, Part *p, int32_t r, int64_t ts, bool evict)
{
    const OverSpec *os = op->spec;
    if (p->count == p->cap || p->head + p->count == p->cap) {
        if (p->head > 0) {
            memmove(p->frame, p->frame + p->head, sizeof(FrameRow) * (size_t)p->count);
            p->head = 0;
        }
        if (p->count == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 4;
            p->frame = wb_realloc(p->frame, sizeof(FrameRow) * (size_t)p->cap);
        }
    }
    FrameRow *fr = &p->frame[p->head + p->count++];
    fr->ts = ts;
    fr->off = (uint32_t)p->fbytes.len;
    ty_row_encode(op->stage, r, os->proj, os->nproj, &p->fbytes);
    fr->len = (uint32_t)(p->fbytes.len - fr->off);
    if (!evict) return;
    for (;;) {
        if (p->count == 0) break;
        FrameRow *old = &p->frame[p->head];
        bool out = os->rows ? p->count > os->preceding + 1 : old->ts < ts - os->preceding;
        if (!out) break;
        inner_retract(op, (const uint8_t *)p->fbytes.data + old->off);
        p->head++;
        p->count--;
    }
    /* reclaim the bytes of rows gone when they are most of the buffer */
    if (p->count > 0 && p->frame[p->head].off > p->fbytes.len / 2) {
        uint32_t base_off = p->frame[p->head].off;
        memmove(p->fbytes.data, p->fbytes.data + base_off, p->fbytes.len - base_off);
        p->fbytes.len -= base_off;
        for (int32_t i = 0; i < p->count; i++) p->frame[p->head + i].off -= base_off;
    } else if (p->count == 0) {
        wb_buf_clear(&p->fbytes);
        p->head = 0;
    }
}

/* Processes the staged rows (in time order): rounds into the aggregate,
 * each staged row out with its partition's value. */
static int run_stage(OverOp *op, WbError *err)
{
    const OverSpec *os = op->spec;
    Batch *st = op->stage;
    int32_t n = st->nrows;
    if (n == 0) return 0;
    op->epoch++;
    int32_t maxround = 0;
    for (int32_t r = 0; r < n; r++) {
        wb_buf_clear(&op->key);
        ty_row_encode(st, r, os->partition, os->npartition, &op->key);
        uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6f766572);
        bool created = false;
        StateEntry *e = st_table_upsert(op->parts, op->key.data, (uint32_t)op->key.len, hash, &created);
        if (created) *(Part **)st_payload(e) = wb_calloc(1, sizeof(Part));
        Part *p = part_payload(e);
        if (p->epoch != op->epoch) {
            p->epoch = op->epoch;
            p->round = -1;
            p->round_ts = INT64_MIN;
        }
        if (os->rows || op->stage_ts[r] != p->round_ts || p->round < 0) {
            p->round++;
            p->round_ts = op->stage_ts[r];
        }
        op->round[r] = p->round;
        op->part_of[r] = p;
        if (p->round > maxround) maxround = p->round;
    }
    int32_t nin = st->ncols;
    for (int32_t round = 0; round <= maxround; round++) {
        ty_batch_reset(op->inner);
        for (int32_t r = 0; r < n; r++) {
            if (op->round[r] != round) continue;
            Part *p = op->part_of[r];
            inner_add(op, r, 1);
            if (!os->unbounded) {
                /* evict once per partition and round (after its last peer) */
                bool last_peer = true;
                for (int32_t k = r + 1; k < n && last_peer; k++)
                    if (op->round[k] == round && op->part_of[k] == p) last_peer = false;
                frame_enter(op, p, r, op->stage_ts[r], last_peer);
            }
        }
        if (ex_push(op->agg, 0, op->inner, err) != 0) return -1;
        for (int32_t r = 0; r < n; r++) {
            if (op->round[r] != round) continue;
            Part *p = op->part_of[r];
            if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
            Batch *out = op->out.batch;
            int32_t row = out->nrows++;
            ty_batch_copy_cols(out, row, 0, st, r, NULL, nin);
            if (p->has_last) {
                ty_row_decode((const uint8_t *)p->last.data, &out->cols[nin].type, 1, out, row, nin);
            } else {
                out->cols[nin].nulls[row] = 1;
            }
            out->weights[row] = 1;
        }
    }
    ty_batch_reset(op->stage);
    return ex_out_flush(&op->base, &op->out, err);
}

/* Releases the rows due by `until`, chunk by chunk. */
static int release(OverOp *op, int64_t until, WbError *err)
{
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    const PlanNode *in = op->base.node->inputs[0];
    ty_batch_reset(op->stage);
    while (st_timers_pop(op->pending, until, &time, &key, &len)) {
        int32_t r = op->stage->nrows;
        stage_reserve(op, r + 1);
        ty_row_decode(key + 8, in->types, in->ncols, op->stage, r, 0);
        op->stage->weights[r] = 1;
        op->stage->nrows++;
        op->stage_ts[r] = time;
        op->pending_bytes -= len;
        if (op->stage->nrows >= EX_BATCH_ROWS && st_timers_next(op->pending) != time &&
            run_stage(op, err) != 0)
            return -1;
    }
    return run_stage(op, err);
}

static int over_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    (void)err;
    OverOp *op = (OverOp *)base;
    const ColumnVector *tc = &batch->cols[op->spec->order_col];
    for (int32_t r = 0; r < batch->nrows; r++) {
        if (batch->weights[r] <= 0) {
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                     "an OVER aggregate received a retraction: its input must be insert-only");
            return -1;
        }
        if (tc->nulls[r]) continue;
        int64_t ts = tc->i64[r];
        if (!op->spec->proctime && ts <= base->watermark) {
            ex_late_row(base, batch, r);
            continue;
        }
        for (int64_t w = batch->weights[r]; w > 0; w--) {
            wb_buf_clear(&op->scratch);
            uint8_t be[8];
            ex_put_be64(be, op->seq++);
            wb_buf_append(&op->scratch, be, 8);
            ty_row_encode(batch, r, NULL, batch->ncols, &op->scratch);
            st_timers_register(op->pending, ts, op->scratch.data, (uint32_t)op->scratch.len);
            op->pending_bytes += (int64_t)op->scratch.len;
        }
    }
    return 0;
}

static int over_watermark(Operator *base, int64_t wm, WbError *err)
{
    OverOp *op = (OverOp *)base;
    if (op->spec->proctime) return 0;
    return release(op, wm, err);
}

static int over_proctime(Operator *base, int64_t now, WbError *err)
{
    OverOp *op = (OverOp *)base;
    if (!op->spec->proctime) return 0;
    return release(op, now - 1, err);   /* rows of the current instant may get peers */
}

static int over_finish(Operator *base, WbError *err)
{
    return release((OverOp *)base, INT64_MAX, err);
}

static void over_destroy(Operator *base)
{
    OverOp *op = (OverOp *)base;
    StateIter it;
    st_iter_init(&it, op->parts);
    for (StateEntry *e; (e = st_iter_next(&it));) part_free(part_payload(e));
    st_table_free(op->parts);
    st_timers_free(op->pending);
    ex_op_free(op->agg);
    ex_op_free(&op->cap->base);
    ty_batch_free(op->stage);
    ty_batch_free(op->inner);
    free(op->stage_ts);
    free(op->round);
    free(op->part_of);
    wb_buf_free(&op->key);
    wb_buf_free(&op->scratch);
    ex_out_free(&op->out);
}

static int64_t over_state_bytes(const Operator *base)
{
    const OverOp *op = (const OverOp *)base;
    int64_t agg = op->agg->vt->state_bytes ? op->agg->vt->state_bytes(op->agg) : 0;
    return st_table_bytes(op->parts) + st_timers_bytes(op->pending) + agg;
}

static const OpVTable over_vt = {"OverAggregate", over_push, NULL, over_finish, over_destroy,
                                 over_state_bytes, over_watermark, over_proctime};

Operator *ex_over_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    OverOp *op = wb_calloc(1, sizeof *op);
    ex_op_init(&op->base, &over_vt, node, ctx);
    op->spec = &node->over;
    /* the inner aggregate emits its changes after every round */
    op->inner_ctx = *ctx;
    op->inner_ctx.batch_mode = false;
    op->agg = ex_agg_new(op->spec->agg, &op->inner_ctx, err);
    if (!op->agg) {
        free(op->base.input_watermarks);
        free(op);
        return NULL;
    }
    op->cap = wb_calloc(1, sizeof(Capture));
    ex_op_init(&op->cap->base, &capture_vt, NULL, ctx);
    op->cap->owner = op;
    ex_op_add_output(op->agg, &op->cap->base, 0);
    op->parts = st_table_new(sizeof(Part *));
    op->pending = st_timers_new();
    const PlanNode *in = node->inputs[0];
    op->stage = ty_batch_new(in->types, in->ncols, 64);
    op->inner = ty_batch_new(op->spec->agg->inputs[0]->types, op->spec->nproj, 64);
    wb_buf_reserve(&op->key, 64);
    wb_buf_reserve(&op->scratch, 64);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
