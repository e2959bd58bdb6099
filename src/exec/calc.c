/*
 * calc.c - the PN_CALC operator: an optional filter, then projections.
 * Stateless.  Rows whose filter is not TRUE are dropped before any
 * projection is evaluated (compact first, then project), so a projection
 * never raises an error for a row the WHERE clause removed.  Row kinds pass
 * through; a kept half of an update pair whose other half the filter
 * dropped becomes a plain change (-U alone -> -D, +U alone -> +I).
 */
#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

typedef struct CalcOp {
    Operator base;
    /* Scratch for one batch: the filter vector, the compacted input, the
     * output vectors and their strings.  Reset at the start of each push,
     * so the emitted batch is valid for the duration of ex_emit only. */
    WbArena scratch;
    /* Input columns the projections read (NULL: all, or no filter): only
     * these are compacted after the filter. */
    bool *used;
    int32_t ncols_in;
} CalcOp;

static void mark_cols(const Expr *e, bool *used, int32_t ncols)
{
    if (e->kind == EX_COL) {
        if (e->col >= 0 && e->col < ncols) used[e->col] = true;
        return;
    }
    for (int32_t i = 0; i < e->nargs; i++) mark_cols(e->args[i], used, ncols);
}

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
        int32_t *keep = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)batch->nrows);
        int32_t nkeep;
        if (ex_eval_filter(spec->filter, batch, keep, &nkeep, arena, err) != 0) return -1;
        if (nkeep == 0) return 0;
        if (nkeep < batch->nrows) {
            const bool *used = batch->ncols == calc->ncols_in ? calc->used : NULL;
            src = ex_batch_compact_cols(batch, keep, nkeep, used, arena);
        }
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
    free(calc->used);
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
    if (node->calc.filter && node->ninputs > 0 && node->inputs[0]->ncols > 0) {
        int32_t ncols_in = node->inputs[0]->ncols;
        calc->used = wb_calloc((size_t)ncols_in, sizeof(bool));
        calc->ncols_in = ncols_in;
        for (int32_t i = 0; i < node->calc.nexprs; i++)
            mark_cols(node->calc.exprs[i], calc->used, ncols_in);
    }
    return &calc->base;
}
