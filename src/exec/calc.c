/*
 * calc.c - the PN_CALC operator: an optional filter, then projections.
 * Stateless.  Rows whose filter is not TRUE are dropped before any
 * projection is evaluated (compact first, then project), so a projection
 * never raises an error for a row the WHERE clause removed.  Row kinds pass
 * through; a kept half of an update pair whose other half the filter
 * dropped becomes a plain change (-U alone -> -D, +U alone -> +I).
 */
#include "exec/exec.h"

#include <string.h>

typedef struct CalcOp {
    Operator base;
    /* Scratch for one batch: the filter vector, the compacted input, the
     * output vectors and their strings.  Reset at the start of each push,
     * so the emitted batch is valid for the duration of ex_emit only. */
    WbArena scratch;
} CalcOp;

static int calc_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    CalcOp *calc = (CalcOp *)op;
    const CalcSpec *spec = &op->node->calc;
    WbArena *arena = &calc->scratch;
    wb_arena_reset(arena);
    if (batch->nrows == 0) return 0;

    const Batch *src = batch;
    if (spec->filter) {
        ColumnVector keep_vec;
        ex_vector_alloc(&keep_vec, spec->filter->type, batch->nrows, arena);
        if (ex_eval(spec->filter, batch, &keep_vec, arena, err) != 0) return -1;
        int32_t *keep = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)batch->nrows);
        int32_t nkeep = 0;
        for (int32_t r = 0; r < batch->nrows; r++) {
            keep[nkeep] = r;
            nkeep += !keep_vec.nulls[r] && keep_vec.i64[r] != 0;
        }
        if (nkeep == 0) return 0;
        if (nkeep < batch->nrows) src = ex_batch_compact(batch, keep, nkeep, arena);
    }

    const PlanNode *node = op->node;
    Batch *out = wb_arena_calloc(arena, sizeof *out);
    out->ncols = node->ncols;
    out->nrows = src->nrows;
    out->capacity = src->nrows;
    out->arena = arena;
    out->weights = src->weights;
    out->updates = src->updates;
    out->cols = wb_arena_alloc(arena, sizeof(ColumnVector) * (size_t)(node->ncols ? node->ncols : 1));
    for (int32_t i = 0; i < spec->nexprs; i++) {
        const Expr *e = spec->exprs[i];
        if (e->kind == EX_COL) {
            /* A plain column reference shares the input's vector. */
            out->cols[i] = src->cols[e->col];
        } else {
            ex_vector_alloc(&out->cols[i], e->type, src->nrows, arena);
            if (ex_eval(e, src, &out->cols[i], arena, err) != 0) return -1;
        }
        out->cols[i].type = node->types[i];
    }
    return ex_emit(op, out, err);
}

static void calc_destroy(Operator *op)
{
    CalcOp *calc = (CalcOp *)op;
    wb_arena_destroy(&calc->scratch);
}

static const OpVTable calc_vtable = {
    .name = "Calc",
    .push = calc_push,
    .control = NULL,
    .finish = NULL,
    .destroy = calc_destroy,
    .state_bytes = NULL,
};

Operator *ex_calc_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    if (node->kind != PN_CALC || node->calc.nexprs != node->ncols) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "calc operator built from a malformed plan node");
        return NULL;
    }
    CalcOp *calc = wb_calloc(1, sizeof *calc);
    ex_op_init(&calc->base, &calc_vtable, node, ctx);
    wb_arena_init(&calc->scratch, 0);
    return &calc->base;
}
