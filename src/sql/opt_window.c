/*
 * opt_window.c - window operators from the logical plan (see opt_int.h).
 *
 * An aggregate whose grouping columns include the window_start and the
 * window_end of one window table function (PN_WINDOW, reached through
 * projections that pass the columns on), over a rowtime attribute,
 * becomes a window aggregate (AggSpec.window): it emits each group's row
 * once, when the watermark (or, over a processing-time attribute, the
 * job's clock) passes the window's end, and drops its state
 * then, instead of updating an unbounded result.  This is Flink's rule
 * for window aggregation: without both columns in GROUP BY the query is a
 * regular (updating) aggregate over the window columns.
 */
#include "sql/opt_int.h"

/* The PN_WINDOW producing column `col` of `node` and which of its three
 * window columns it is (0 start, 1 end, 2 time), or NULL. */
static const PlanNode *trace_window_col(const PlanNode *node, int32_t col, int32_t *which)
{
    for (;;) {
        switch (node->kind) {
        case PN_WINDOW: {
            int32_t n = node->inputs[0]->ncols;
            if (col < n) return NULL;
            *which = col - n;
            return node;
        }
        case PN_CALC: {
            const Expr *e = node->calc.exprs[col];
            if (e->kind != EX_COL) return NULL;
            col = e->col;
            node = node->inputs[0];
            break;
        }
        case PN_EXCHANGE:
            node = node->inputs[0];
            break;
        default:
            return NULL;
        }
    }
}

static PlanNode *window_agg(OptCtx *ctx, PlanNode *node)
{
    const AggSpec *spec = &node->agg;
    const PlanNode *win = NULL;
    int32_t start = -1, end = -1;
    for (int32_t i = 0; i < spec->ngroup; i++) {
        int32_t which;
        const PlanNode *w = trace_window_col(node->inputs[0], spec->group[i], &which);
        if (!w || (win && w != win)) continue;
        if (which == 0 && start < 0) { start = i; win = w; }
        if (which == 1 && end < 0) { end = i; win = w; }
    }
    if (start < 0 || end < 0) return node;
    uint8_t attr = win->inputs[0]->types[win->window.time_col].time_attr;
    if (attr != TY_ROWTIME && attr != TY_PROCTIME) return node;
    PlanNode *copy = opt_copy(ctx->b, node);
    copy->agg.window = true;
    copy->agg.window_end = spec->group[end];
    copy->agg.window_proctime = attr == TY_PROCTIME;
    return copy;
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    if (copy->kind == PN_AGG && !copy->agg.window) return window_agg(ctx, copy);
    return copy;
}

PlanNode *opt_window_operators(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
