/*
 * op.c - the operator plumbing: initialisation and wiring, emitting to
 * every output, counting rows, end-of-input and watermark/barrier handling
 * shared by all operators, the constructor dispatch, and the output buffer
 * and value encodings of op_int.h.
 */
#include "exec/op_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- lifecycle and wiring ---- */

void ex_op_init(Operator *op, const OpVTable *vt, const PlanNode *node,
                const ExecContext *ctx)
{
    op->vt = vt;
    op->node = node;
    op->ctx = ctx;
    op->noutputs = 0;
    op->outputs = NULL;
    op->ninputs = node ? node->ninputs : 0;
    op->ended_inputs = 0;
    int32_t slots = op->ninputs > 0 ? op->ninputs : 1;
    op->input_watermarks = wb_malloc(sizeof(int64_t) * (size_t)slots);
    for (int32_t port = 0; port < slots; port++) op->input_watermarks[port] = INT64_MIN;
    op->watermark = INT64_MIN;
    op->rows_in = op->rows_out = 0;
    op->late_dropped = 0;
    op->state_expired = 0;
    op->barrier_id = 0;
    op->barrier_count = 0;
}

/* Wiring happens before any data flows, so the downstream operator's
 * per-port arrays can be (re)sized here: the runtime may give an operator
 * more inputs than its plan node lists (the result collector). */
void ex_op_add_output(Operator *op, Operator *to, int32_t port)
{
    op->outputs = wb_realloc(op->outputs, sizeof(OpOutput) * (size_t)(op->noutputs + 1));
    op->outputs[op->noutputs].op = to;
    op->outputs[op->noutputs].port = port;
    op->noutputs++;
    int32_t needed = WB_MAX(to->ninputs, port + 1);
    to->ninputs = needed;
    to->input_watermarks = wb_realloc(to->input_watermarks, sizeof(int64_t) * (size_t)needed);
    for (int32_t i = 0; i < needed; i++) to->input_watermarks[i] = INT64_MIN;
}

void ex_op_free(Operator *op)
{
    if (!op) return;
    if (op->vt && op->vt->destroy) op->vt->destroy(op);
    free(op->outputs);
    free(op->input_watermarks);
    free(op);
}

/* ---- data and control flow ---- */

int ex_emit(Operator *op, const Batch *batch, WbError *err)
{
    if (!batch || batch->nrows == 0) return 0;
    op->rows_out += batch->nrows;
    for (int32_t i = 0; i < op->noutputs; i++)
        if (ex_push(op->outputs[i].op, op->outputs[i].port, batch, err) != 0) return -1;
    return 0;
}

int ex_emit_control(Operator *op, const ControlMsg *msg, WbError *err)
{
    for (int32_t i = 0; i < op->noutputs; i++)
        if (ex_control(op->outputs[i].op, op->outputs[i].port, msg, err) != 0) return -1;
    return 0;
}

int ex_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    if (batch->nrows == 0) return 0;
    op->rows_in += batch->nrows;
    const Operator *outer = ex_time_enter(op);
    int rc = op->vt->push(op, port, batch, err);
    ex_time_leave(outer);
    return rc;
}

int ex_control(Operator *op, int32_t port, const ControlMsg *msg, WbError *err)
{
    const Operator *outer = ex_time_enter(op);
    int rc = op->vt->control ? op->vt->control(op, port, msg, err)
                             : ex_op_default_control(op, port, msg, err);
    ex_time_leave(outer);
    return rc;
}

static int64_t min_input_watermark(const Operator *op)
{
    int64_t wm = INT64_MAX;
    for (int32_t port = 0; port < op->ninputs; port++)
        wm = WB_MIN(wm, op->input_watermarks[port]);
    return wm;
}

/* Forwards the operator's watermark when the minimum over its inputs has
 * advanced past what was forwarded last. */
static int advance_watermark(Operator *op, WbError *err)
{
    int64_t wm = min_input_watermark(op);
    if (wm <= op->watermark) return 0;
    op->watermark = wm;
    if (op->vt->watermark && op->vt->watermark(op, wm, err) != 0) return -1;
    ControlMsg out = {CTL_WATERMARK, wm};
    return ex_emit_control(op, &out, err);
}

/* Control state machine per operator:
 *   WATERMARK(t) on port p: p's watermark = max(old, t); forward the
 *       minimum over all inputs when it advanced.
 *   BARRIER(id): counted per id; forwarded once every input that has not
 *       ended delivered it (a barrier with a new id restarts the count).
 *   END on port p: p counts as ended and its watermark as +infinity; when
 *       the last input ends, the +infinity watermark is forwarded, then
 *       vt->finish flushes, then END is forwarded exactly once. */
int ex_op_default_control(Operator *op, int32_t port, const ControlMsg *msg,
                          WbError *err)
{
    if (port < 0 || port >= op->ninputs) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                 "operator %s received a control message on unknown input %d",
                 op->vt->name, (int)port);
        return -1;
    }
    switch (msg->kind) {
    case CTL_WATERMARK:
        if (msg->value > op->input_watermarks[port]) op->input_watermarks[port] = msg->value;
        return advance_watermark(op, err);
    case CTL_BARRIER: {
        if (op->barrier_count == 0 || msg->value != op->barrier_id) {
            op->barrier_id = msg->value;
            op->barrier_count = 0;
        }
        op->barrier_count++;
        if (op->barrier_count + op->ended_inputs < op->ninputs) return 0;
        op->barrier_count = 0;
        return ex_emit_control(op, msg, err);
    }
    case CTL_END:
        if (op->ended_inputs >= op->ninputs) return 0;
        op->ended_inputs++;
        op->input_watermarks[port] = INT64_MAX;
        if (op->ended_inputs < op->ninputs) return advance_watermark(op, err);
        if (advance_watermark(op, err) != 0) return -1;
        if (op->vt->finish && op->vt->finish(op, err) != 0) return -1;
        return ex_emit_control(op, msg, err);
    }
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "unknown control message kind %d",
             (int)msg->kind);
    return -1;
}

/* ---- constructors ---- */

Operator *ex_op_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    switch (node->kind) {
    case PN_CALC: return ex_calc_new(node, ctx, err);
    case PN_AGG: return ex_agg_new(node, ctx, err);
    case PN_JOIN: return ex_join_new(node, ctx, err);
    case PN_RANK: return ex_rank_new(node, ctx, err);
    case PN_UNION: return ex_union_new(node, ctx, err);
    case PN_EXCHANGE: return ex_exchange_new(node, ctx, err);
    case PN_WATERMARK: return ex_watermark_new(node, ctx, err);
    case PN_WINDOW: return ex_window_new(node, ctx, err);
    case PN_TEMPORAL_FILTER: return ex_temporal_filter_new(node, ctx, err);
    case PN_OVER: return ex_over_new(node, ctx, err);
    case PN_SCAN:
    case PN_VALUES:
    case PN_SINK:
        break;
    }
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
             "plan node %d (%s) is instantiated by the runtime, not by ex_op_new",
             (int)node->id, sql_plan_kind_name(node->kind));
    return NULL;
}

/* ---- late rows ---- */

void ex_late_row(Operator *op, const Batch *batch, int32_t row)
{
    op->late_dropped++;
    FILE *f = op->ctx ? op->ctx->late_out : NULL;
    if (!f) return;
    WbBuf line = {0};
    static const char *const kinds[] = {"+I", "-U", "+U", "-D"};
    wb_buf_printf(&line, "%s#%d %s[", op->vt->name, op->node ? (int)op->node->id : -1,
                  kinds[ty_row_kind(batch, row)]);
    for (int32_t c = 0; c < batch->ncols; c++) {
        if (c) wb_buf_puts(&line, ", ");
        if (batch->cols[c].nulls[row]) wb_buf_puts(&line, "null");
        else ty_format_value(&batch->cols[c], row, &line);
    }
    wb_buf_puts(&line, "]\n");
    fwrite(line.data, 1, line.len, f);
    wb_buf_free(&line);
}

/* ---- selecting rows ---- */

/* Copies the rows listed in keep[0..n) of every column of `in` into a new
 * batch in arena (strings still point at the input's bytes, which outlive
 * this push call). */
Batch *ex_batch_compact(const Batch *in, const int32_t *keep, int32_t n, WbArena *arena)
{
    return ex_batch_compact_cols(in, keep, n, NULL, arena);
}

Batch *ex_batch_compact_cols(const Batch *in, const int32_t *keep, int32_t n,
                             const bool *used, WbArena *arena)
{
    Batch *b = wb_arena_calloc(arena, sizeof *b);
    b->ncols = in->ncols;
    b->nrows = n;
    b->capacity = n;
    b->arena = arena;
    b->cols = wb_arena_alloc(arena, sizeof(ColumnVector) * (size_t)(in->ncols ? in->ncols : 1));
    b->weights = wb_arena_alloc(arena, sizeof(int64_t) * (size_t)(n ? n : 1));
    for (int32_t k = 0; k < n; k++) b->weights[k] = in->weights[keep[k]];
    if (in->updates) {
        /* A pair is a -U row directly followed by its +U row (types.h):
         * a half whose partner was in the input and was dropped becomes a
         * plain change.  (A half without its partner in the batch keeps
         * its kind: the filter did not drop the partner.) */
        b->updates = wb_arena_calloc(arena, (size_t)(n ? n : 1));
        for (int32_t k = 0; k < n; k++) {
            int32_t row = keep[k];
            bool before = in->weights[row] < 0;
            int32_t other = before ? row + 1 : row - 1;
            bool partner_in = other >= 0 && other < in->nrows && in->updates[other] &&
                              (in->weights[other] < 0) != before;
            bool partner_kept = before ? k + 1 < n && keep[k + 1] == other
                                       : k > 0 && keep[k - 1] == other;
            b->updates[k] = in->updates[row] && (!partner_in || partner_kept);
        }
    }
    size_t rows = (size_t)(n ? n : 1);
    for (int32_t c = 0; c < in->ncols; c++) {
        const ColumnVector *src = &in->cols[c];
        ColumnVector *dst = &b->cols[c];
        if (used && !used[c]) {
            memset(dst, 0, sizeof *dst);
            dst->type = src->type;
            continue;
        }
        /* Every slot is written below: no zeroing. */
        dst->type = src->type;
        dst->nulls = wb_arena_alloc(arena, rows);
        for (int32_t k = 0; k < n; k++) dst->nulls[k] = src->nulls[keep[k]];
        switch (ty_phys(src->type)) {
        case PK_I64:
            dst->i64 = wb_arena_alloc(arena, rows * sizeof(int64_t));
            for (int32_t k = 0; k < n; k++) dst->i64[k] = src->i64[keep[k]];
            break;
        case PK_I128:
            dst->i128 = wb_arena_alloc(arena, rows * sizeof(ty_i128));
            for (int32_t k = 0; k < n; k++) dst->i128[k] = src->i128[keep[k]];
            break;
        case PK_F64:
            dst->f64 = wb_arena_alloc(arena, rows * sizeof(double));
            for (int32_t k = 0; k < n; k++) dst->f64[k] = src->f64[keep[k]];
            break;
        case PK_STR:
            dst->str = wb_arena_alloc(arena, rows * sizeof(WbStr));
            for (int32_t k = 0; k < n; k++) dst->str[k] = src->str[keep[k]];
            break;
        }
    }
    return b;
}

/* ---- the output buffer ---- */

void ex_out_init(ExOut *out, const SqlType *types, int32_t ncols)
{
    out->batch = ty_batch_new(types, ncols, 64);
}

void ex_out_free(ExOut *out)
{
    ty_batch_free(out->batch);
    out->batch = NULL;
}

int ex_out_flush(Operator *op, ExOut *out, WbError *err)
{
    if (out->batch->nrows == 0) return 0;
    int rc = ex_emit(op, out->batch, err);
    /* downstream copied what it keeps: recycle the arena (string bytes
     * would otherwise accumulate), keep the capacity */
    ty_batch_reset(out->batch);
    return rc;
}

int ex_out_reserve(Operator *op, ExOut *out, int32_t nrows, WbError *err)
{
    if (out->batch->nrows > 0 && out->batch->nrows + nrows > EX_BATCH_ROWS)
        if (ex_out_flush(op, out, err) != 0) return -1;
    ty_batch_reserve(out->batch, out->batch->nrows + nrows);
    return 0;
}

int32_t ex_out_null_row(ExOut *out, int64_t weight)
{
    Batch *b = out->batch;
    if (b->nrows >= b->capacity) ty_batch_reserve(b, b->nrows + 1);
    int32_t row = b->nrows++;
    for (int32_t col = 0; col < b->ncols; col++) b->cols[col].nulls[row] = 1;
    b->weights[row] = weight;
    return row;
}

bool ex_rows_equal(const Batch *a, int32_t ra, const Batch *b, int32_t rb)
{
    for (int32_t col = 0; col < a->ncols; col++) {
        const ColumnVector *va = &a->cols[col], *vb = &b->cols[col];
        if (va->nulls[ra] != vb->nulls[rb]) return false;
        if (!va->nulls[ra] && ty_compare(va, ra, vb, rb) != 0) return false;
    }
    return true;
}

/* ---- order-preserving single values ---- */

void ex_value_order_encode(const ColumnVector *col, int32_t row, WbBuf *out)
{
    uint8_t tmp[16];
    switch (ty_phys(col->type)) {
    case PK_I64:
        ex_put_be64(tmp, ex_order_bits_i64(col->i64[row]));
        wb_buf_append(out, tmp, 8);
        break;
    case PK_I128: {
        ty_u128 v = (ty_u128)col->i128[row];
        ex_put_be64(tmp, ex_order_bits_i64((int64_t)(uint64_t)(v >> 64)));
        ex_put_be64(tmp + 8, (uint64_t)v);
        wb_buf_append(out, tmp, 16);
        break;
    }
    case PK_F64:
        ex_put_be64(tmp, ex_order_bits_f64(col->f64[row]));
        wb_buf_append(out, tmp, 8);
        break;
    case PK_STR:
        wb_buf_append(out, col->str[row].ptr, col->str[row].len);
        break;
    }
}

void ex_value_order_decode(const uint8_t *data, uint32_t len, Batch *batch,
                           int32_t col, int32_t row)
{
    ColumnVector *vec = &batch->cols[col];
    vec->nulls[row] = 0;
    switch (ty_phys(vec->type)) {
    case PK_I64: vec->i64[row] = ex_order_unbits_i64(ex_get_be64(data)); break;
    case PK_I128: {
        ty_u128 hi = (uint64_t)ex_order_unbits_i64(ex_get_be64(data));
        vec->i128[row] = (ty_i128)((hi << 64) | ex_get_be64(data + 8));
        break;
    }
    case PK_F64: vec->f64[row] = ex_order_unbits_f64(ex_get_be64(data)); break;
    case PK_STR: vec->str[row] = ty_batch_str(batch, (const char *)data, len); break;
    }
}
