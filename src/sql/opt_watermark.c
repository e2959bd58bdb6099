/*
 * opt_watermark.c - watermark push-down into sources (see opt_int.h).
 *
 * The planner puts a table's watermark assigner (PN_WATERMARK) above its
 * scan and the CALC of its computed columns.  This rule moves it into the
 * scan (ScanSpec.watermark), as Flink pushes the WatermarkAssigner into a
 * source that supports it: the watermark is generated where rows leave
 * the source, from all of them, before any filter or projection of the
 * query.  The runtime runs the same assigner (exec/watermark.c) right at
 * the source.  With the node gone, the query's filters and projections
 * reach the scan (filter push-down stops at a PN_WATERMARK, whose
 * watermark a filter below would change).
 *
 * It applies to PN_WATERMARK over the scan, or over a CALC without filter
 * over the scan (the computed columns): the watermark expression and the
 * rowtime are then rewritten over the scan's columns (a computed rowtime
 * becomes WatermarkSpec.rowtime_expr).  A shared scan or CALC keeps its
 * assigner node: its other readers must not change.
 */
#include "sql/opt_int.h"

static PlanNode *visit(OptCtx *ctx, PlanNode *node);

static PlanNode *push(OptCtx *ctx, PlanNode *wm)
{
    Binder *b = ctx->b;
    PlanNode *in = wm->inputs[0];
    if (opt_shared(ctx, in)) return wm;
    WatermarkSpec *spec = wb_arena_alloc(b->arena, sizeof(WatermarkSpec));
    *spec = wm->watermark;
    if (in->kind == PN_SCAN && !in->scan.watermark) {
        PlanNode *scan = opt_copy(b, in);
        scan->types = wm->types;   /* the rowtime column is marked there */
        scan->scan.watermark = spec;
        return scan;
    }
    if (in->kind != PN_CALC || in->calc.filter) return wm;
    PlanNode *below = in->inputs[0];
    if (below->kind != PN_SCAN || below->scan.watermark || opt_shared(ctx, below)) return wm;
    spec->expr = opt_expr_subst(b->arena, wm->watermark.expr, in->calc.exprs);
    const Expr *rowtime = in->calc.exprs[wm->watermark.rowtime];
    if (rowtime->kind == EX_COL) {
        spec->rowtime = rowtime->col;
    } else {
        spec->rowtime = -1;
        spec->rowtime_expr = rowtime;
    }
    PlanNode *scan = opt_copy(b, below);
    scan->scan.watermark = spec;
    PlanNode *calc = opt_copy(b, in);
    calc->inputs[0] = scan;
    calc->types = wm->types;
    return calc;
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    return copy->kind == PN_WATERMARK ? push(ctx, copy) : copy;
}

PlanNode *opt_push_watermarks(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
