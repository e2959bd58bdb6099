/*
 * opt_share.c - a subplan written twice is computed once (see opt_int.h).
 *
 * The planner expands a view or CTE at each reference, so a query that
 * reads one twice holds two equal subtrees.  After the other rules, equal
 * subtrees are merged bottom-up: two nodes are equal when they have the
 * same kind, output columns (types and names), specification and the same
 * (already merged) inputs.  The runtime then runs the merged node once and
 * feeds its output to every reader.  Running last, the merge never stops a
 * filter from being pushed into one reader's copy: what differs after the
 * push-down stays separate, what is still equal is shared.  Only subtrees
 * with a stateful operator are shared (see has_state).
 */
#include "sql/opt_int.h"

#include <string.h>

static bool ints_equal(const int32_t *a, const int32_t *b, int32_t n)
{
    return n == 0 || memcmp(a, b, sizeof(int32_t) * (size_t)n) == 0;
}

static bool expr_equal(const Expr *a, const Expr *b)
{
    if (!a || !b) return a == b;
    return sql_expr_equal(a, b);
}

static bool spec_equal(const PlanNode *a, const PlanNode *b)
{
    switch (a->kind) {
    case PN_SCAN:
        if (!a->scan.watermark != !b->scan.watermark) return false;
        if (a->scan.watermark &&
            (a->scan.watermark->rowtime != b->scan.watermark->rowtime ||
             a->scan.watermark->idle_timeout_us != b->scan.watermark->idle_timeout_us ||
             !expr_equal(a->scan.watermark->expr, b->scan.watermark->expr) ||
             !expr_equal(a->scan.watermark->rowtime_expr, b->scan.watermark->rowtime_expr)))
            return false;
        return a->scan.table == b->scan.table;
    case PN_CALC:
        if (!expr_equal(a->calc.filter, b->calc.filter) || a->calc.nexprs != b->calc.nexprs)
            return false;
        for (int32_t i = 0; i < a->calc.nexprs; i++)
            if (!sql_expr_equal(a->calc.exprs[i], b->calc.exprs[i])) return false;
        return true;
    case PN_AGG:
        if (a->agg.ngroup != b->agg.ngroup || a->agg.naggs != b->agg.naggs ||
            a->agg.state_ttl_ms != b->agg.state_ttl_ms ||
            !ints_equal(a->agg.group, b->agg.group, a->agg.ngroup))
            return false;
        for (int32_t j = 0; j < a->agg.naggs; j++) {
            const AggCall *x = &a->agg.aggs[j], *y = &b->agg.aggs[j];
            if (a->agg.window != b->agg.window || a->agg.window_end != b->agg.window_end ||
            a->agg.window_proctime != b->agg.window_proctime || a->agg.window_ltz != b->agg.window_ltz)
            return false;
        if (x->kind != y->kind || x->distinct != y->distinct || x->arg != y->arg ||
                x->arg2 != y->arg2 || x->filter != y->filter || !ty_equal(x->type, y->type))
                return false;
        }
        return true;
    case PN_JOIN:
        return a->join.type == b->join.type && a->join.nkeys == b->join.nkeys &&
               ints_equal(a->join.left_keys, b->join.left_keys, a->join.nkeys) &&
               ints_equal(a->join.right_keys, b->join.right_keys, a->join.nkeys) &&
               a->join.interval == b->join.interval && a->join.ltime == b->join.ltime &&
               a->join.rtime == b->join.rtime && a->join.lower == b->join.lower &&
               a->join.upper == b->join.upper &&
               a->join.state_ttl_ms[0] == b->join.state_ttl_ms[0] &&
               a->join.state_ttl_ms[1] == b->join.state_ttl_ms[1] &&
               expr_equal(a->join.cond, b->join.cond);
    case PN_RANK: {
        const RankSpec *x = &a->rank, *y = &b->rank;
        if (x->npartition != y->npartition || x->nsort != y->nsort || x->limit != y->limit ||
            x->offset != y->offset || x->emit_rownum != y->emit_rownum ||
            x->rownum_hidden != y->rownum_hidden || x->window != y->window ||
            x->window_end != y->window_end ||
            !ints_equal(x->partition, y->partition, x->npartition))
            return false;
        for (int32_t i = 0; i < x->nsort; i++)
            if (x->sort[i].col != y->sort[i].col || x->sort[i].desc != y->sort[i].desc ||
                x->sort[i].nulls_first != y->sort[i].nulls_first)
                return false;
        return true;
    }
    case PN_UNION:
        return true;
    case PN_WATERMARK:
        return a->watermark.rowtime == b->watermark.rowtime &&
               a->watermark.idle_timeout_us == b->watermark.idle_timeout_us &&
               expr_equal(a->watermark.expr, b->watermark.expr);
    case PN_WINDOW: {
        const WindowSpec *x = &a->window, *y = &b->window;
        return x->kind == y->kind && x->time_col == y->time_col && x->size == y->size &&
               x->slide == y->slide && x->offset == y->offset && x->npartition == y->npartition &&
               ints_equal(x->partition, y->partition, x->npartition);
    }
    case PN_TEMPORAL_FILTER:
    case PN_OVER:
        return false;   /* state, but rarely written twice: not worth comparing */
    case PN_VALUES:     /* cheap: not worth comparing rows */
    case PN_EXCHANGE:
    case PN_SINK:
        return false;
    }
    return false;
}

static bool has_state(const PlanNode *node);

/* Inputs are the same when already merged (one node), or when both are
 * stateless chains (never merged themselves) that are equal. */
static bool node_equal(const PlanNode *a, const PlanNode *b);
static bool same_input(const PlanNode *a, const PlanNode *b)
{
    return a == b || (!has_state(a) && !has_state(b) && node_equal(a, b));
}

static bool node_equal(const PlanNode *a, const PlanNode *b)
{
    if (a->kind != b->kind || a->ncols != b->ncols || a->ninputs != b->ninputs) return false;
    for (int32_t i = 0; i < a->ninputs; i++)
        if (!same_input(a->inputs[i], b->inputs[i])) return false;
    for (int32_t c = 0; c < a->ncols; c++) {
        if (!ty_equal(a->types[c], b->types[c]) ||
            a->types[c].nullable != b->types[c].nullable)
            return false;
        const char *x = a->names[c], *y = b->names[c];
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)) return false;
    }
    return spec_equal(a, b);
}

/* Whether a stateful operator (aggregate, join, top-N) is in the subtree:
 * only such work is worth sharing.  Two readers of one scan would have to
 * take its rows together, which in batch mode stops a join from reading
 * its build side to the end before its probe side (opt_build_side.c). */
static bool has_state(const PlanNode *node)
{
    if (node->kind == PN_AGG || node->kind == PN_JOIN || node->kind == PN_RANK ||
        node->kind == PN_TEMPORAL_FILTER || node->kind == PN_OVER)
        return true;
    for (int32_t i = 0; i < node->ninputs; i++)
        if (has_state(node->inputs[i])) return true;
    return false;
}

typedef struct Done {
    PlanNode *from, *to;         /* a visited node and what it became */
} Done;

typedef struct Seen {
    int32_t n, cap;
    PlanNode **nodes;            /* the distinct nodes so far */
    int32_t ndone, done_cap;
    Done *done;
} Seen;

static PlanNode *share(Binder *b, Seen *seen, PlanNode *node)
{
    for (int32_t i = 0; i < seen->ndone; i++)
        if (seen->done[i].from == node) return seen->done[i].to;
    PlanNode *self = node;
    for (int32_t i = 0; i < node->ninputs; i++) {
        PlanNode *in = share(b, seen, node->inputs[i]);
        if (in != node->inputs[i]) {
            if (self == node) self = opt_copy(b, node);
            self->inputs[i] = in;
        }
    }
    PlanNode *out = NULL;
    if (has_state(self))   /* a stateless chain over a source is cheaper read twice */
        for (int32_t i = 0; i < seen->n && !out; i++)
            if (node_equal(seen->nodes[i], self)) out = seen->nodes[i];
    if (!out) {
        out = self;
        if (seen->n == seen->cap) {
            seen->cap = seen->cap ? seen->cap * 2 : 32;
            PlanNode **grown = wb_arena_alloc(b->arena, sizeof(PlanNode *) * (size_t)seen->cap);
            if (seen->n) memcpy(grown, seen->nodes, sizeof(PlanNode *) * (size_t)seen->n);
            seen->nodes = grown;
        }
        seen->nodes[seen->n++] = out;
    }
    if (seen->ndone == seen->done_cap) {
        seen->done_cap = seen->done_cap ? seen->done_cap * 2 : 32;
        Done *grown = wb_arena_alloc(b->arena, sizeof(Done) * (size_t)seen->done_cap);
        if (seen->ndone) memcpy(grown, seen->done, sizeof(Done) * (size_t)seen->ndone);
        seen->done = grown;
    }
    seen->done[seen->ndone++] = (Done){node, out};
    return out;
}

PlanNode *opt_share_subplans(OptCtx *ctx, PlanNode *root)
{
    Seen seen;
    memset(&seen, 0, sizeof seen);
    return share(ctx->b, &seen, root);
}
