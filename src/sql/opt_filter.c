/*
 * opt_filter.c - predicate push-down (see opt_int.h).
 *
 * push(node, preds) returns a plan equal to σ(AND preds)(node): each
 * conjunct goes as far down as its columns allow, and what cannot go
 * further becomes a filter (a CALC) right there.  The rules:
 *
 *   CALC   the conjuncts are rewritten over the CALC's input (column
 *          references replaced by their expressions) and join the CALC's
 *          own filter below it.
 *   AGG    conjuncts over grouping columns only go below (a global
 *          aggregate keeps all: its one row exists also over no input).
 *   RANK   conjuncts over partition columns only go below (they keep or
 *          drop whole partitions); a row-number filter stays.
 *   UNION  every conjunct goes into every input.
 *   JOIN   conjuncts over one side go into that side where the join type
 *          allows it (the preserved side of an outer join, the left side
 *          of SEMI/ANTI; ON conjuncts over the null-padded side go into
 *          that side).  An equality between an expression of each side
 *          becomes a join key (a computed key is a column appended below
 *          the join, and a CALC above it restores the layout).  A WHERE
 *          conjunct that is never TRUE on a null-padded row of a side
 *          (opt_null_rejecting) removes those rows, so LEFT becomes INNER,
 *          FULL becomes LEFT/RIGHT/INNER, as SQL's outer-join
 *          simplification says.
 */
#include "sql/opt_int.h"

#include <string.h>

typedef struct Preds {
    int32_t n, cap;
    Expr **e;
} Preds;

static void preds_add(Binder *b, Preds *p, Expr *e)
{
    if (e->kind == EX_CALL && e->fn == FN_AND) {
        for (int32_t i = 0; i < e->nargs; i++) preds_add(b, p, e->args[i]);
        return;
    }
    for (int32_t i = 0; i < p->n; i++)
        if (sql_expr_equal(p->e[i], e)) return;   /* once is enough */
    if (p->n == p->cap) {
        int32_t cap = p->cap ? p->cap * 2 : 8;
        Expr **grown = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        if (p->n) memcpy(grown, p->e, sizeof(Expr *) * (size_t)p->n);
        p->e = grown;
        p->cap = cap;
    }
    p->e[p->n++] = e;
}

static bool has_cols(const Expr *e)
{
    return sql_expr_has_cols(e);
}

static PlanNode *push(OptCtx *ctx, PlanNode *node, Preds *preds);


/* A copy of e with columns >= from moved by delta. */
static Expr *shift(Binder *b, const Expr *e, int32_t from, int32_t delta)
{
    return sql_expr_shift(b->arena, e, from, delta, -1);
}

static bool is_memo(const OptCtx *ctx, const PlanNode *node)
{
    for (int32_t i = 0; i < ctx->nids; i++)
        if (ctx->memo[i] == node) return true;
    return false;
}

static PlanNode *push_calc(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    Binder *b = ctx->b;
    Preds below = {0};
    if (node->calc.filter) preds_add(b, &below, (Expr *)node->calc.filter);
    for (int32_t i = 0; i < preds->n; i++)
        preds_add(b, &below, opt_expr_subst(b->arena, preds->e[i], node->calc.exprs));
    PlanNode *in = push(ctx, opt_input(node, 0), &below);
    Expr **exprs = (Expr **)node->calc.exprs;
    PlanNode *calc = sql_node_calc(b, in, NULL, node->calc.nexprs, exprs, node->names);
    if (calc != in && calc->kind == PN_CALC && in->kind == PN_CALC && !is_memo(ctx, in)) {
        PlanNode *merged = opt_calc_merge(b, calc, in);
        if (merged) return merged;
    }
    return calc;
}

/* Conjuncts whose columns all satisfy `ok[c]` (and that have a column)
 * go below, remapped by map; the rest stay above the rebuilt node. */
static PlanNode *push_keyed(OptCtx *ctx, PlanNode *node, Preds *preds, const bool *ok,
                            const int32_t *map)
{
    Binder *b = ctx->b;
    Preds below = {0}, above = {0};
    bool *used = wb_arena_alloc(b->arena, (size_t)node->ncols + 1);
    for (int32_t i = 0; i < preds->n; i++) {
        Expr *e = preds->e[i];
        memset(used, 0, (size_t)node->ncols + 1);
        opt_expr_cols(e, used);
        bool fits = has_cols(e);
        for (int32_t c = 0; c < node->ncols && fits; c++)
            if (used[c] && !ok[c]) fits = false;
        if (fits) preds_add(b, &below, opt_expr_remap(b->arena, e, map));
        else preds_add(b, &above, e);
    }
    PlanNode *copy = opt_copy(b, node);
    copy->inputs[0] = push(ctx, opt_input(node, 0), &below);
    return opt_filter(b, copy, above.e, above.n);
}

static PlanNode *push_agg(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    bool *ok = wb_arena_calloc(ctx->b->arena, (size_t)node->ncols + 1);
    int32_t *map = wb_arena_calloc(ctx->b->arena, sizeof(int32_t) * ((size_t)node->ncols + 1));
    for (int32_t i = 0; i < node->agg.ngroup; i++) {
        ok[i] = true;
        map[i] = node->agg.group[i];
    }
    return push_keyed(ctx, node, preds, ok, map);
}

static PlanNode *push_rank(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    bool *ok = wb_arena_calloc(ctx->b->arena, (size_t)node->ncols + 1);
    int32_t *map = wb_arena_calloc(ctx->b->arena, sizeof(int32_t) * ((size_t)node->ncols + 1));
    for (int32_t c = 0; c < node->ncols; c++) map[c] = c;
    for (int32_t i = 0; i < node->rank.npartition; i++) ok[node->rank.partition[i]] = true;
    return push_keyed(ctx, node, preds, ok, map);
}

/* Conditions on the input's columns go below a window TVF (it is per
 * row); conditions on the window columns stay above. */
static PlanNode *push_window(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    bool *ok = wb_arena_calloc(ctx->b->arena, (size_t)node->ncols + 1);
    int32_t *map = wb_arena_calloc(ctx->b->arena, sizeof(int32_t) * ((size_t)node->ncols + 1));
    for (int32_t c = 0; c < node->ncols; c++) map[c] = c;
    if (node->window.kind == WK_SESSION) {
        /* rows shape the sessions: only whole partitions may be filtered first */
        for (int32_t i = 0; i < node->window.npartition; i++) ok[node->window.partition[i]] = true;
    } else {
        for (int32_t c = 0; c < node->ncols - 3; c++) ok[c] = true;
    }
    return push_keyed(ctx, node, preds, ok, map);
}

static PlanNode *push_union(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    PlanNode *copy = opt_copy(ctx->b, node);
    for (int32_t i = 0; i < node->ninputs; i++) {
        Preds each = {0};
        for (int32_t k = 0; k < preds->n; k++) preds_add(ctx->b, &each, preds->e[k]);
        copy->inputs[i] = push(ctx, opt_input(node, i), &each);
    }
    return copy;
}

/* ---- joins ---- */

typedef struct JoinParts {
    Preds left, right;           /* into each side (right: over its own columns) */
    Preds cond;                  /* the join condition, over left ++ right */
    Preds above;                 /* stays above, over the join's output */
    int32_t nkeys, cap;
    Expr **lkey, **rkey;         /* key pairs, each over its own side */
} JoinParts;

static void add_key(Binder *b, JoinParts *jp, Expr *l, Expr *r)
{
    if (jp->nkeys == jp->cap) {
        int32_t cap = jp->cap ? jp->cap * 2 : 8;
        Expr **nl = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        Expr **nr = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        if (jp->nkeys) {
            memcpy(nl, jp->lkey, sizeof(Expr *) * (size_t)jp->nkeys);
            memcpy(nr, jp->rkey, sizeof(Expr *) * (size_t)jp->nkeys);
        }
        jp->lkey = nl;
        jp->rkey = nr;
        jp->cap = cap;
    }
    jp->lkey[jp->nkeys] = l;
    jp->rkey[jp->nkeys] = r;
    jp->nkeys++;
}

/* e = `a = b` with one side over [0, L) and the other over [L, L + R),
 * each with a column: the key pair (left's over the left side, right's
 * over the right side's own columns). */
static bool equi_key(Binder *b, const Expr *e, int32_t L, int32_t R, Expr **l, Expr **r)
{
    if (e->kind != EX_CALL || e->fn != FN_EQ || e->nargs != 2) return false;
    const Expr *x = e->args[0], *y = e->args[1];
    if (!has_cols(x) || !has_cols(y)) return false;
    if (opt_expr_within(y, 0, L) && opt_expr_within(x, L, L + R)) {
        const Expr *t = x;
        x = y;
        y = t;
    }
    if (!opt_expr_within(x, 0, L) || !opt_expr_within(y, L, L + R)) return false;
    if (!ty_equal(x->type, y->type)) return false;
    *l = (Expr *)x;
    *r = shift(b, y, L, -L);
    return true;
}

/* Sorts a conjunct of the join condition (over left ++ right). */
/* What an OR over both sides implies for the columns in [lo, hi): the
 * OR of each branch's conjuncts over those columns, or NULL when some
 * branch has none.  (n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY'
 * AND n2 = 'FRANCE') implies n1 = 'FRANCE' OR n1 = 'GERMANY' (TPC-H Q7):
 * a filter for that side, the OR itself staying where it was. */
static Expr *implied(Binder *b, const Expr *e, int32_t lo, int32_t hi)
{
    if (e->kind != EX_CALL || e->fn != FN_OR) return NULL;
    Expr **branches = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)e->nargs);
    for (int32_t i = 0; i < e->nargs; i++) {
        Preds parts = {0}, mine = {0};
        preds_add(b, &parts, e->args[i]);
        for (int32_t k = 0; k < parts.n; k++)
            if (has_cols(parts.e[k]) && opt_expr_within(parts.e[k], lo, hi))
                preds_add(b, &mine, parts.e[k]);
        if (mine.n == 0) return NULL;
        branches[i] = sql_and_all(b, mine.e, mine.n);
    }
    Expr *or = sql_expr_call(b->arena, FN_OR, branches, e->nargs, e->line, e->column);
    or->type = e->type;
    return or;
}

static void place_cond(Binder *b, JoinParts *jp, JoinType type, Expr *e, int32_t L, int32_t R)
{
    Expr *l, *r;
    if (equi_key(b, e, L, R, &l, &r)) {
        add_key(b, jp, l, r);
        return;
    }
    if (type == JT_INNER && !opt_expr_within(e, 0, L) && !opt_expr_within(e, L, L + R)) {
        Expr *li = implied(b, e, 0, L), *ri = implied(b, e, L, L + R);
        if (li) preds_add(b, &jp->left, li);
        if (ri) preds_add(b, &jp->right, shift(b, ri, L, -L));
    }
    bool lonly = has_cols(e) && opt_expr_within(e, 0, L);
    bool ronly = has_cols(e) && opt_expr_within(e, L, L + R);
    /* a side's own conjunct filters that side when its rows only ever
     * appear matched: both sides of INNER, the padded side of an outer
     * join, the left of SEMI (a failing row has no match either way), the
     * right of SEMI/ANTI (a failing row matches nothing) */
    bool into_left = type == JT_INNER || type == JT_RIGHT || type == JT_SEMI;
    bool into_right = type == JT_INNER || type == JT_LEFT || type == JT_SEMI || type == JT_ANTI;
    if (lonly && into_left) preds_add(b, &jp->left, e);
    else if (ronly && into_right) preds_add(b, &jp->right, shift(b, e, L, -L));
    else preds_add(b, &jp->cond, e);
}

/* Places a WHERE conjunct over the join's output. */
static void place_where(Binder *b, JoinParts *jp, JoinType type, Expr *e, int32_t L, int32_t R)
{
    bool semi = type == JT_SEMI || type == JT_ANTI || type == JT_ANTI_NULL_AWARE;
    if (semi) {
        preds_add(b, &jp->left, e);
        return;
    }
    if (type == JT_INNER) {
        if (!has_cols(e)) preds_add(b, &jp->left, e);
        else place_cond(b, jp, type, e, L, R);
        return;
    }
    bool lonly = !has_cols(e) || opt_expr_within(e, 0, L);
    bool ronly = has_cols(e) && opt_expr_within(e, L, L + R);
    if (lonly && type == JT_LEFT) preds_add(b, &jp->left, e);
    else if (ronly && type == JT_RIGHT) preds_add(b, &jp->right, shift(b, e, L, -L));
    else preds_add(b, &jp->above, e);
}

/* The join type after WHERE conjuncts that reject null-padded rows. */
static JoinType simplify_outer(JoinType type, const Preds *preds, int32_t L, int32_t R)
{
    if (type != JT_LEFT && type != JT_RIGHT && type != JT_FULL) return type;
    bool rej_left = false, rej_right = false;
    for (int32_t i = 0; i < preds->n; i++) {
        if (opt_null_rejecting(preds->e[i], 0, L)) rej_left = true;
        if (opt_null_rejecting(preds->e[i], L, L + R)) rej_right = true;
    }
    /* rejecting NULL right columns drops the left rows padded on the right */
    bool keep_left_padded = (type == JT_LEFT || type == JT_FULL) && !rej_right;
    bool keep_right_padded = (type == JT_RIGHT || type == JT_FULL) && !rej_left;
    if (keep_left_padded && keep_right_padded) return JT_FULL;
    if (keep_left_padded) return JT_LEFT;
    if (keep_right_padded) return JT_RIGHT;
    return JT_INNER;
}

static PlanNode *push_join(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    Binder *b = ctx->b;
    PlanNode *left = opt_input(node, 0), *right = opt_input(node, 1);
    int32_t L = left->ncols, R = right->ncols;
    const JoinSpec *js = &node->join;
    JoinType type = simplify_outer(js->type, preds, L, R);
    if (js->type == JT_ANTI_NULL_AWARE) {
        /* NOT IN's one key and its condition stay as they are */
        PlanNode *copy = opt_copy(b, node);
        Preds none = {0};
        copy->inputs[0] = push(ctx, left, preds);
        copy->inputs[1] = push(ctx, right, &none);
        return copy;
    }
    JoinParts jp;
    memset(&jp, 0, sizeof jp);
    for (int32_t k = 0; k < js->nkeys; k++)
        add_key(b, &jp, sql_expr_col(b->arena, js->left_keys[k], left->types[js->left_keys[k]]),
                sql_expr_col(b->arena, js->right_keys[k], right->types[js->right_keys[k]]));
    if (js->cond) {
        Preds conds = {0};
        preds_add(b, &conds, (Expr *)js->cond);
        for (int32_t i = 0; i < conds.n; i++) place_cond(b, &jp, type, conds.e[i], L, R);
    }
    for (int32_t i = 0; i < preds->n; i++) place_where(b, &jp, type, preds->e[i], L, R);

    PlanNode *nl = push(ctx, left, &jp.left);
    PlanNode *nr = push(ctx, right, &jp.right);
    /* keys as plain columns: computed ones appended to their side */
    int32_t nkeys = jp.nkeys;
    int32_t *lk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nkeys + 1));
    int32_t *rk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nkeys + 1));
    Expr **lx = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nkeys + 1));
    Expr **rx = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nkeys + 1));
    int32_t nlx = 0, nrx = 0;
    for (int32_t k = 0; k < nkeys; k++) {
        Expr *l = jp.lkey[k], *r = jp.rkey[k];
        if (l->kind == EX_COL) lk[k] = l->col;
        else { lk[k] = L + nlx; lx[nlx++] = l; }
        if (r->kind == EX_COL) rk[k] = r->col;
        else { rk[k] = R + nrx; rx[nrx++] = r; }
    }
    if (nlx) nl = sql_node_filter_extend(b, nl, NULL, nlx, lx);
    if (nrx) nr = sql_node_filter_extend(b, nr, NULL, nrx, rx);
    Expr *cond = sql_and_all(b, jp.cond.e, jp.cond.n);
    if (cond && nlx) cond = shift(b, cond, L, nlx);
    PlanNode *join = sql_node_join(b, type, nl, nr, nkeys, lk, rk, cond);
    join->inputs[0] = nl;   /* the logical plan has no exchanges */
    join->inputs[1] = nr;
    join->join.state_ttl_ms[0] = js->state_ttl_ms[0];
    join->join.state_ttl_ms[1] = js->state_ttl_ms[1];
    bool semi = type == JT_SEMI || type == JT_ANTI || type == JT_ANTI_NULL_AWARE;
    PlanNode *out = join;
    if (nlx || (nrx && !semi)) {
        int32_t width = semi ? L : L + R;
        int32_t *cols = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)width);
        for (int32_t c = 0; c < L; c++) cols[c] = c;
        for (int32_t c = L; c < width; c++) cols[c] = c + nlx;
        out = opt_project(b, join, cols, width);
        for (int32_t c = 0; c < width; c++) out->names[c] = node->names[c];
    }
    return opt_filter(b, out, jp.above.e, jp.above.n);
}

static PlanNode *push_none(OptCtx *ctx, PlanNode *node)
{
    Preds none = {0};
    return push(ctx, node, &none);
}

static PlanNode *push(OptCtx *ctx, PlanNode *node, Preds *preds)
{
    Binder *b = ctx->b;
    if (opt_shared(ctx, node))   /* optimized once inside, the same node for every parent */
        return opt_filter(b, opt_memo(ctx, node, push_none), preds->e, preds->n);
    switch (node->kind) {
    case PN_CALC: return push_calc(ctx, node, preds);
    case PN_AGG: return push_agg(ctx, node, preds);
    case PN_RANK: return push_rank(ctx, node, preds);
    case PN_WINDOW: return push_window(ctx, node, preds);
    case PN_OVER: {
        /* whole partitions may be filtered first */
        bool *ok = wb_arena_calloc(b->arena, (size_t)node->ncols + 1);
        int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * ((size_t)node->ncols + 1));
        for (int32_t c = 0; c < node->ncols; c++) map[c] = c;
        for (int32_t i = 0; i < node->over.npartition; i++) ok[node->over.partition[i]] = true;
        return push_keyed(ctx, node, preds, ok, map);
    }
    case PN_TEMPORAL_FILTER: {
        /* per-row conditions commute with it: they go below */
        bool *ok = wb_arena_alloc(b->arena, (size_t)node->ncols + 1);
        int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * ((size_t)node->ncols + 1));
        for (int32_t c = 0; c < node->ncols; c++) ok[c] = true, map[c] = c;
        return push_keyed(ctx, node, preds, ok, map);
    }
    case PN_UNION: return push_union(ctx, node, preds);
    case PN_JOIN: return push_join(ctx, node, preds);
    case PN_WATERMARK:   /* a filter below would change the watermark */
    case PN_SINK: {
        PlanNode *copy = opt_copy(b, node);
        Preds none = {0};
        copy->inputs[0] = push(ctx, opt_input(node, 0), &none);
        return opt_filter(b, copy, preds->e, preds->n);
    }
    case PN_EXCHANGE:
        return push(ctx, node->inputs[0], preds);
    case PN_SCAN:
    case PN_VALUES:
        break;
    }
    return opt_filter(b, node, preds->e, preds->n);
}

PlanNode *opt_push_filters(OptCtx *ctx, PlanNode *node)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    Preds none = {0};
    return push(ctx, node, &none);
}
