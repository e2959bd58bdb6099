/*
 * opt_semi.c - semi and anti joins go down (see opt_int.h).
 *
 * A SEMI or ANTI join (IN, EXISTS and their negations) only keeps or drops
 * left rows by their own values, so it commutes with what passes those
 * values through: a projection (when the columns it reads are plain
 * references) and an inner join (when they all come from one of its
 * inputs).  Pushed into the input that has them when the join's other
 * input is estimated at least as large (the join does not shrink it), it
 * filters before the join instead of after: TPC-H Q18's IN over lineitem
 * then keeps 57 orders instead of holding six million joined rows.
 */
#include "sql/opt_int.h"

#include <string.h>

/* The left columns the semi join reads (keys and its condition's). */
static void left_reads(Binder *b, const PlanNode *join, int32_t L, bool *used)
{
    const JoinSpec *js = &join->join;
    for (int32_t k = 0; k < js->nkeys; k++) used[js->left_keys[k]] = true;
    if (js->cond) {
        bool *all = wb_arena_calloc(b->arena, (size_t)(L + join->inputs[1]->ncols + 1));
        opt_expr_cols(js->cond, all);
        for (int32_t c = 0; c < L; c++) used[c] |= all[c];
    }
}

/* The semi join `join` with its left input replaced by `left`, whose
 * column map[c] holds the old left column c (for the columns it reads). */
static PlanNode *rebuild(Binder *b, const PlanNode *join, PlanNode *left, const int32_t *map)
{
    const JoinSpec *js = &join->join;
    PlanNode *right = join->inputs[1];
    int32_t L = join->inputs[0]->ncols, R = right->ncols, NL = left->ncols;
    int32_t *lk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(js->nkeys + 1));
    for (int32_t k = 0; k < js->nkeys; k++) lk[k] = map[js->left_keys[k]];
    Expr *cond = NULL;
    if (js->cond) {
        int32_t *cmap = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(L + R + 1));
        for (int32_t c = 0; c < L; c++) cmap[c] = map[c];
        for (int32_t c = 0; c < R; c++) cmap[L + c] = NL + c;
        cond = opt_expr_remap(b->arena, js->cond, cmap);
    }
    PlanNode *out = sql_node_join(b, js->type, left, right, js->nkeys, lk, js->right_keys, cond);
    out->inputs[0] = left;
    out->inputs[1] = right;
    out->join.state_ttl_ms[0] = js->state_ttl_ms[0];
    out->join.state_ttl_ms[1] = js->state_ttl_ms[1];
    return out;
}

static PlanNode *sink(OptCtx *ctx, PlanNode *join);

/* Tries to move the semi join below its left input; NULL when it stays. */
static PlanNode *push_once(OptCtx *ctx, PlanNode *join)
{
    Binder *b = ctx->b;
    PlanNode *left = join->inputs[0];
    if (opt_shared(ctx, left)) return NULL;
    int32_t L = left->ncols;
    bool *used = wb_arena_calloc(b->arena, (size_t)L + 1);
    left_reads(b, join, L, used);
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(L + 1));
    if (left->kind == PN_CALC && !left->calc.filter) {
        /* through a projection of plain references (not below a filter:
         * the filter would then come after it, on more rows) */
        PlanNode *in = left->inputs[0];
        for (int32_t c = 0; c < L; c++) {
            map[c] = -1;
            if (!used[c]) continue;
            const Expr *e = left->calc.exprs[c];
            if (e->kind != EX_COL) return NULL;
            map[c] = e->col;
        }
        PlanNode *below = sink(ctx, rebuild(b, join, in, map));
        PlanNode *calc = opt_copy(b, left);
        calc->inputs[0] = below;
        return calc;
    }
    if (left->kind == PN_JOIN && left->join.type == JT_INNER) {
        /* into the inner join's input that has every column it reads */
        PlanNode *a = left->inputs[0], *c = left->inputs[1];
        int32_t A = a->ncols;
        bool in_a = true, in_c = true;
        for (int32_t k = 0; k < L; k++) {
            if (!used[k]) continue;
            if (k >= A) in_a = false;
            else in_c = false;
        }
        if (!in_a && !in_c) return NULL;
        /* only when the join does not shrink that input anyway: below a
         * selective join (a filtered dimension) the semi join would test
         * rows the join drops (TPC-H Q21); above a growing one it would
         * test rows the join multiplies (Q18) */
        double here = opt_estimate_rows(in_a ? a : c), other = opt_estimate_rows(in_a ? c : a);
        if (other < here) return NULL;
        for (int32_t k = 0; k < L; k++) map[k] = in_a ? k : k - A;
        PlanNode *side = sink(ctx, rebuild(b, join, in_a ? a : c, map));
        PlanNode *inner = opt_copy(b, left);
        inner->inputs[in_a ? 0 : 1] = side;
        return inner;
    }
    return NULL;
}

static PlanNode *sink(OptCtx *ctx, PlanNode *join)
{
    PlanNode *pushed = push_once(ctx, join);
    return pushed ? pushed : join;
}

static bool is_semi(const PlanNode *node)
{
    return node->kind == PN_JOIN && (node->join.type == JT_SEMI || node->join.type == JT_ANTI ||
                                     node->join.type == JT_ANTI_NULL_AWARE);
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    return is_semi(copy) ? sink(ctx, copy) : copy;
}

PlanNode *opt_push_semi_joins(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
