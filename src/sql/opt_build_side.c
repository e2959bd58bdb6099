/*
 * opt_build_side.c - in batch mode, the smaller input of an inner join is
 * its left input (see opt_int.h).
 *
 * A batch job reads its sources one after the other, depth first from the
 * root, so a join's left input has ended before its right input starts.
 * The join keeps the left rows as its hash table and, once the left side
 * has ended, only probes with the right rows (exec/join.c).  So the input
 * estimated smaller (opt_estimate_rows) goes left; a CALC above the
 * swapped join restores the column order.  Streaming jobs keep the
 * written order: both sides are kept there anyway, and the order of the
 * changes a join emits follows its inputs.  A SEMI or ANTI join keeps its
 * sides (they mean different things) but, when its right input is the
 * smaller, is marked to read that one first (JoinSpec.right_first): its
 * left rows then only probe.
 */
#include "sql/opt_int.h"

#include <string.h>

static PlanNode *swap_sides(OptCtx *ctx, PlanNode *node);

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    if (copy->kind == PN_JOIN && copy->join.type == JT_INNER) return swap_sides(ctx, copy);
    if (copy->kind == PN_JOIN && (copy->join.type == JT_SEMI || copy->join.type == JT_ANTI ||
                                  copy->join.type == JT_ANTI_NULL_AWARE))
        copy->join.right_first =
            opt_estimate_rows(copy->inputs[1]) < opt_estimate_rows(copy->inputs[0]);
    return copy;
}

static PlanNode *swap_sides(OptCtx *ctx, PlanNode *node)
{
    Binder *b = ctx->b;
    PlanNode *left = node->inputs[0], *right = node->inputs[1];
    if (opt_estimate_rows(left) <= opt_estimate_rows(right)) return node;
    int32_t L = left->ncols, R = right->ncols;
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(L + R));
    for (int32_t c = 0; c < L; c++) map[c] = R + c;
    for (int32_t c = 0; c < R; c++) map[L + c] = c;
    const JoinSpec *js = &node->join;
    Expr *cond = js->cond ? opt_expr_remap(b->arena, js->cond, map) : NULL;
    PlanNode *join = sql_node_join(b, JT_INNER, right, left, js->nkeys, js->right_keys,
                                   js->left_keys, cond);
    join->inputs[0] = right;
    join->inputs[1] = left;
    join->join.state_ttl_ms[0] = js->state_ttl_ms[1];
    join->join.state_ttl_ms[1] = js->state_ttl_ms[0];
    PlanNode *out = opt_project(b, join, map, L + R);
    for (int32_t c = 0; c < L + R; c++) out->names[c] = node->names[c];
    return out;
}

PlanNode *opt_batch_build_side(OptCtx *ctx, PlanNode *root)
{
    if (!ctx->b->batch_mode) return root;
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
