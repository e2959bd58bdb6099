/*
 * watermark.c - PN_WATERMARK, the watermark assigner of a table with a
 * WATERMARK FOR declaration.  Rows pass through unchanged; the operator
 * tracks the largest value of the watermark expression seen so far and
 * emits it as a watermark after each input batch (streaming mode).  At end
 * of input the plumbing forwards +infinity (op.c), which is all batch mode
 * ever sees: batch mode is this same operator with no intermediate
 * watermark.
 *
 * Split independence.  Whether a row is late must not depend on how the
 * input was cut into batches, or a streaming run would disagree with
 * itself.  So the operator behaves as if a watermark followed every row:
 * before a row whose time is at or behind the watermark of the rows before
 * it (a row that may be late), it ends the batch there and emits that
 * watermark first.  Rows that cannot be late travel together.  The cut
 * never separates the two rows of an update.
 *
 * Push-down (sql/opt_watermark.c): the same operator serves a scan whose
 * plan carries the watermark (ScanSpec.watermark); the runtime puts it
 * right after the source, before the query's computed columns, filters
 * and projections, and a computed rowtime is then evaluated here
 * (WatermarkSpec.rowtime_expr).
 *
 * Idle sources ('scan.watermark.idle-timeout'): when no row arrived for
 * the timeout (job clock), the operator declares its watermark +infinity
 * for the operators downstream until a row arrives again (then the real
 * watermark resumes: a row behind it is late, as in Flink).
 */
#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

typedef struct WatermarkOp {
    Operator base;
    const WatermarkSpec *spec;   /* the node's, or its scan's (push-down) */
    int64_t current;             /* max of the expression so far */
    int64_t emitted;             /* last watermark sent downstream */
    int64_t last_row_us;         /* job clock at the last row (idle timeout) */
    bool idle;                   /* +infinity sent for idleness */
    WbArena scratch;
    ColumnVector *view_cols;
} WatermarkOp;

static int send(WatermarkOp *op, int64_t wm, WbError *err)
{
    op->emitted = wm;
    op->base.watermark = wm;
    ControlMsg msg = {CTL_WATERMARK, wm};
    return ex_emit_control(&op->base, &msg, err);
}

/* Rows [from, to) of batch as a view sharing its vectors. */
static int emit_range(WatermarkOp *op, const Batch *batch, int32_t from, int32_t to,
                      WbError *err)
{
    if (from == 0 && to == batch->nrows) return ex_emit(&op->base, batch, err);
    if (to <= from) return 0;
    Batch view = *batch;
    view.cols = op->view_cols;
    for (int32_t c = 0; c < batch->ncols; c++) {
        const ColumnVector *src = &batch->cols[c];
        ColumnVector *dst = &op->view_cols[c];
        dst->type = src->type;
        dst->nulls = src->nulls + from;
        switch (ty_phys(src->type)) {
        case PK_I64: dst->i64 = src->i64 + from; break;
        case PK_I128: dst->i128 = src->i128 + from; break;
        case PK_F64: dst->f64 = src->f64 + from; break;
        case PK_STR: dst->str = src->str + from; break;
        }
    }
    view.nrows = to - from;
    view.capacity = to - from;
    view.weights = batch->weights + from;
    view.updates = batch->updates ? batch->updates + from : NULL;
    view.owns_arena = false;
    return ex_emit(&op->base, &view, err);
}

static int wm_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    WatermarkOp *op = (WatermarkOp *)base;
    const WatermarkSpec *spec = op->spec;
    op->last_row_us = wb_clock_now(base->ctx->clock);
    if (op->idle) {
        /* active again: downstream holds our real watermark from here */
        op->idle = false;
        op->base.watermark = op->emitted = op->current;
    }
    if (base->ctx->batch_mode) return ex_emit(base, batch, err);
    wb_arena_reset(&op->scratch);
    ColumnVector wm;
    ex_vector_alloc(&wm, ty_timestamp(6), batch->nrows, &op->scratch);
    if (ex_eval(spec->expr, batch, &wm, &op->scratch, err) != 0) return -1;
    const ColumnVector *rt = &batch->cols[spec->rowtime >= 0 ? spec->rowtime : 0];
    ColumnVector computed;
    if (spec->rowtime_expr) {
        /* a computed rowtime, the watermark pushed below its CALC */
        ex_vector_alloc(&computed, spec->rowtime_expr->type, batch->nrows, &op->scratch);
        if (ex_eval(spec->rowtime_expr, batch, &computed, &op->scratch, err) != 0) return -1;
        rt = &computed;
    }
    int32_t from = 0;
    for (int32_t row = 0; row < batch->nrows; row++) {
        if (!rt->nulls[row] && rt->i64[row] <= op->current && op->current > op->emitted) {
            /* this row may be late: the watermark of the rows before it
             * goes first (before the -U when the row is an update's +U) */
            int32_t cut = row;
            if (batch->updates && batch->updates[row] && batch->weights[row] > 0 && row > from &&
                batch->updates[row - 1] && batch->weights[row - 1] < 0)
                cut = row - 1;
            if (emit_range(op, batch, from, cut, err) != 0) return -1;
            if (send(op, op->current, err) != 0) return -1;
            from = cut;
        }
        if (!wm.nulls[row] && wm.i64[row] > op->current) op->current = wm.i64[row];
    }
    if (emit_range(op, batch, from, batch->nrows, err) != 0) return -1;
    if (op->current > op->emitted) return send(op, op->current, err);
    return 0;
}

/* Idle timeout: the clock passed last row + timeout with no row. */
static int wm_proctime(Operator *base, int64_t now_us, WbError *err)
{
    WatermarkOp *op = (WatermarkOp *)base;
    int64_t timeout = ((WatermarkOp *)base)->spec->idle_timeout_us;
    if (timeout <= 0 || op->idle || base->ctx->batch_mode) return 0;
    if (base->ended_inputs > 0 || now_us - op->last_row_us < timeout) return 0;
    op->idle = true;
    op->base.watermark = INT64_MAX - 1;
    ControlMsg msg = {CTL_WATERMARK, INT64_MAX - 1};
    return ex_emit_control(base, &msg, err);
}

static int wm_control(Operator *base, int32_t port, const ControlMsg *msg, WbError *err)
{
    /* watermarks come from here, not from upstream */
    if (msg->kind == CTL_WATERMARK) return 0;
    return ex_op_default_control(base, port, msg, err);
}

static void wm_destroy(Operator *base)
{
    WatermarkOp *op = (WatermarkOp *)base;
    wb_arena_destroy(&op->scratch);
    free(op->view_cols);
}

static const OpVTable wm_vt = {"WatermarkAssigner", wm_push, wm_control, NULL, wm_destroy,
                               NULL, NULL, wm_proctime};

Operator *ex_watermark_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    (void)err;
    WatermarkOp *op = wb_calloc(1, sizeof *op);
    ex_op_init(&op->base, &wm_vt, node, ctx);
    op->spec = node->kind == PN_SCAN ? node->scan.watermark : &node->watermark;
    op->current = INT64_MIN;
    op->emitted = INT64_MIN;
    op->last_row_us = wb_clock_now(ctx->clock);
    wb_arena_init(&op->scratch, 1 << 16);
    op->view_cols = wb_calloc((size_t)node->ncols + 1, sizeof(ColumnVector));
    return &op->base;
}
