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
        case PN_WATERMARK:
        case PN_TEMPORAL_FILTER:
            node = node->inputs[0];
            break;
        case PN_AGG:
            /* a window aggregate's window columns are group columns */
            if (!node->agg.window || col >= node->agg.ngroup) return NULL;
            col = node->agg.group[col];
            node = node->inputs[0];
            break;
        case PN_RANK:
            if (col >= node->inputs[0]->ncols) return NULL;
            node = node->inputs[0];
            break;
        default:
            return NULL;
        }
    }
}

static bool rowtime_window(const PlanNode *win)
{
    return win->inputs[0]->types[win->window.time_col].time_attr == TY_ROWTIME;
}

/* A top-N or deduplication partitioned by a window's start and end (Flink's
 * window top-N) emits each window's rows once, at its end. */
static PlanNode *window_rank(OptCtx *ctx, PlanNode *node)
{
    const RankSpec *rs = &node->rank;
    const PlanNode *win = NULL;
    int32_t start = -1, end = -1;
    for (int32_t i = 0; i < rs->npartition; i++) {
        int32_t which;
        const PlanNode *w = trace_window_col(node->inputs[0], rs->partition[i], &which);
        if (!w || (win && w != win)) continue;
        if (which == 0 && start < 0) { start = i; win = w; }
        if (which == 1 && end < 0) { end = i; win = w; }
    }
    if (start < 0 || end < 0 || !rowtime_window(win) || rs->limit < 0) return node;
    PlanNode *copy = opt_copy(ctx->b, node);
    copy->rank.window = true;
    copy->rank.window_end = rs->partition[end];
    copy->rank.window_ltz = win->inputs[0]->types[win->window.time_col].ltz;
    return copy;
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
    copy->agg.window_ltz = win->inputs[0]->types[win->window.time_col].ltz;
    return copy;
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    if (copy->kind == PN_AGG && !copy->agg.window) return window_agg(ctx, copy);
    if (copy->kind == PN_RANK && !copy->rank.window) return window_rank(ctx, copy);
    return copy;
}

/* ---- interval joins ---- */

/* e = a column (+|- a constant interval): its column and offset. */
static bool col_plus(const Expr *e, int32_t *col, int64_t *off)
{
    *off = 0;
    while (e->kind == EX_CALL && e->fn == FN_CAST && e->type.id == TY_TIMESTAMP) e = e->args[0];
    if (e->kind == EX_COL) {
        *col = e->col;
        return true;
    }
    if (e->kind != EX_CALL || (e->fn != FN_ADD && e->fn != FN_SUB) || e->nargs != 2) return false;
    const Expr *c = e->args[1];
    if (c->kind != EX_CONST || c->value.is_null || c->type.id != TY_INTERVAL_DT) return false;
    int64_t inner;
    if (!col_plus(e->args[0], col, &inner)) return false;
    *off = inner + (e->fn == FN_ADD ? 1 : -1) * c->value.i64 * 1000;
    return true;
}

static bool rowtime_window(const PlanNode *win);

/* A rowtime attribute, or the window_end of an event-time window: rows
 * carrying it never arrive behind the watermark (a window's rows come out
 * before the watermark that closes it), which is what expiring join state
 * by the watermark needs. */
static bool is_rowtime(const PlanNode *join, int32_t col, int32_t L)
{
    const PlanNode *in = col < L ? join->inputs[0] : join->inputs[1];
    int32_t c = col < L ? col : col - L;
    if (in->types[c].id != TY_TIMESTAMP) return false;
    if (in->types[c].time_attr == TY_ROWTIME) return true;
    int32_t which;
    const PlanNode *w = trace_window_col(in, c, &which);
    return w && which >= 1 && rowtime_window(w);
}

/* Tightens [*lo, *hi] (bounds of l.ts - r.ts) by one conjunct. */
static void bound_of(const PlanNode *join, const Expr *e, int32_t L, int32_t *lt, int32_t *rt,
                     int64_t *lo, int64_t *hi)
{
    if (e->kind != EX_CALL || e->nargs != 2) return;
    FuncId fn = (FuncId)e->fn;
    if (fn != FN_LT && fn != FN_LE && fn != FN_GT && fn != FN_GE && fn != FN_EQ) return;
    int32_t ca, cb;
    int64_t oa, ob;
    if (!col_plus(e->args[0], &ca, &oa) || !col_plus(e->args[1], &cb, &ob)) return;
    if ((ca < L) == (cb < L) || !is_rowtime(join, ca, L) || !is_rowtime(join, cb, L)) return;
    /* a + oa op b + ob, with l, r the left and right columns */
    bool a_left = ca < L;
    int32_t l = a_left ? ca : cb, r = a_left ? cb : ca;
    if ((*lt >= 0 && *lt != l) || (*rt >= 0 && *rt != r)) return;
    *lt = l;
    *rt = r;
    /* l - r compared with d = ob - oa (a on the left), or mirrored */
    int64_t d = a_left ? ob - oa : oa - ob;
    bool less = fn == FN_LT || fn == FN_LE;
    if (!a_left && fn != FN_EQ) less = !less;
    int64_t strict = (fn == FN_LT || fn == FN_GT) ? 1 : 0;
    if (fn == FN_EQ || less) { if (d - (fn == FN_EQ ? 0 : strict) < *hi) *hi = d - (fn == FN_EQ ? 0 : strict); }
    if (fn == FN_EQ || !less) { if (d + (fn == FN_EQ ? 0 : strict) > *lo) *lo = d + (fn == FN_EQ ? 0 : strict); }
}

/* l_col = r_col where both are the window_end of event-time windows
 * (Flink's window join: equal window_start and window_end): the rows of a
 * window can be dropped when the window ends, as an interval join of
 * bounds 0. */
static void window_join_bound(const PlanNode *join, const Expr *e, int32_t L, int32_t *lt,
                              int32_t *rt, int64_t *lo, int64_t *hi)
{
    if (e->kind != EX_CALL || e->fn != FN_EQ || e->nargs != 2 || e->args[0]->kind != EX_COL ||
        e->args[1]->kind != EX_COL)
        return;
    int32_t a = e->args[0]->col, b = e->args[1]->col;
    if ((a < L) == (b < L)) return;
    int32_t l = a < L ? a : b, r = a < L ? b : a;
    int32_t wl, wr;
    const PlanNode *x = trace_window_col(join->inputs[0], l, &wl);
    const PlanNode *y = trace_window_col(join->inputs[1], r - L, &wr);
    if (!x || !y || wl != 1 || wr != 1 || !rowtime_window(x) || !rowtime_window(y)) return;
    if ((*lt >= 0 && *lt != l) || (*rt >= 0 && *rt != r)) return;
    *lt = l;
    *rt = r;
    *lo = *hi = 0;
}

/* Whether a logical plan's output only inserts (the modes the planner set
 * predate the window rules, so they are worked out again here). */
static bool inserts_only(const Binder *b, const PlanNode *node)
{
    switch (node->kind) {
    case PN_SCAN:
        return node->mode == CM_INSERT_ONLY;
    case PN_VALUES:
    case PN_OVER:
        return true;
    case PN_AGG:
        return (node->agg.window && !b->early_fire) || b->batch_mode;
    case PN_RANK:
        return node->rank.window || b->batch_mode;
    case PN_JOIN:
        if (!inserts_only(b, node->inputs[0]) || !inserts_only(b, node->inputs[1])) return false;
        return node->join.type == JT_INNER || node->join.type == JT_SEMI || node->join.interval ||
               b->batch_mode;
    case PN_TEMPORAL_FILTER:
        for (int32_t i = 0; i < node->temporal.nbounds; i++)
            if (!node->temporal.bounds[i].lower) return false;
        return inserts_only(b, node->inputs[0]);
    default:
        for (int32_t i = 0; i < node->ninputs; i++)
            if (!inserts_only(b, node->inputs[i])) return false;
        return true;
    }
}

static PlanNode *interval_join(OptCtx *ctx, PlanNode *node)
{
    const JoinSpec *js = &node->join;
    if (js->interval || js->type == JT_SEMI || js->type == JT_ANTI ||
        js->type == JT_ANTI_NULL_AWARE)
        return node;
    if (!inserts_only(ctx->b, node->inputs[0]) || !inserts_only(ctx->b, node->inputs[1]))
        return node;
    int32_t L = node->inputs[0]->ncols;
    int32_t n = js->cond ? sql_count_and(js->cond) : 0;
    Expr **conds = wb_arena_alloc(ctx->b->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (js->cond) n = sql_split_and((Expr *)js->cond, conds, n);
    int32_t lt = -1, rt = -1;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    for (int32_t i = 0; i < n; i++) bound_of(node, conds[i], L, &lt, &rt, &lo, &hi);
    /* window join: the keys hold the window_end equality */
    for (int32_t k = 0; k < js->nkeys && lt < 0; k++) {
        const PlanNode *ln = node->inputs[0], *rn = node->inputs[1];
        Expr *lc = sql_expr_col(ctx->b->arena, js->left_keys[k], ln->types[js->left_keys[k]]);
        Expr *rc = sql_expr_col(ctx->b->arena, L + js->right_keys[k], rn->types[js->right_keys[k]]);
        Expr *args[2] = {lc, rc};
        Expr *eq = sql_expr_call(ctx->b->arena, FN_EQ, args, 2, 0, 0);
        window_join_bound(node, eq, L, &lt, &rt, &lo, &hi);
    }
    if (lt < 0 || lo == INT64_MIN || hi == INT64_MAX || lo > hi) return node;
    PlanNode *copy = opt_copy(ctx->b, node);
    copy->join.interval = true;
    copy->join.ltime = lt;
    copy->join.rtime = rt - L;
    copy->join.lower = lo;
    copy->join.upper = hi;
    return copy;
}

static PlanNode *visit_joins(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit_joins);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit_joins);
    if (copy->kind == PN_JOIN) return interval_join(ctx, copy);
    return copy;
}

PlanNode *opt_interval_joins(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit_joins(ctx, root);
}

PlanNode *opt_window_operators(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
