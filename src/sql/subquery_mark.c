/*
 * subquery_mark.c - IN / EXISTS as a value: `x IN (SELECT ..)`,
 * `EXISTS (SELECT ..)` and the quantified comparisons `x > ANY (..)`,
 * `x <= ALL (..)` anywhere an expression may stand (under OR, NOT or
 * CASE, in the select list, HAVING or ON), correlated or not.
 *
 * A WHERE conjunct becomes a semi or anti join (subquery.c); elsewhere the
 * predicate needs its three-valued result per outer row.  Following
 * Neumann and Kemper ("Unnesting Arbitrary Queries"), with O the outer
 * relation and S the subquery:
 *
 *   D = DISTINCT the outer columns the predicate reads (the correlation's
 *       and the IN operand's): the domain the subquery depends on;
 *   J = D LEFT JOIN (S, TRUE AS m) ON the correlation (keys and residual
 *       conditions, outer references now D's columns);
 *   A = per D row: EXISTS counts m; IN sums `x = y IS TRUE` and
 *       `x = y IS NULL` over S's rows (m not NULL);
 *   O LEFT JOIN A on the D columns, NULL-safely (a NULL outer value is a
 *       domain value like any other: keys are COALESCE(v, 0) and v IS NULL).
 *
 * The value is then EXISTS: count > 0; IN: TRUE when some comparison is
 * TRUE, else NULL when some is NULL, else FALSE (FALSE for an empty S), as
 * SQL's IN is defined.  Every operator used retracts, so the plan runs in
 * streaming mode as well.
 */
#include "sql/planner_int.h"

#include <string.h>

static Expr *call(Binder *b, FuncId fn, Expr **args, int32_t n, int32_t aux, const AstNode *at)
{
    Expr *e = sql_expr_call(b->arena, fn, args, n, at->line, at->column);
    e->aux = aux;
    if (sql_func_resolve(e, b->arena, b->err) != 0) return NULL;
    return e;
}

static Expr *int_const(Binder *b, int64_t v)
{
    Value val = {0};
    val.type = ty_make(TY_INT);
    val.type.nullable = 0;
    val.i64 = v;
    return sql_expr_const(b->arena, val);
}

static Expr *bool_const(Binder *b, int v)
{
    Value val = {0};
    val.type = ty_make(TY_BOOLEAN);
    if (v < 0) {
        val.is_null = true;
        val.type.nullable = 1;
    } else {
        val.type.nullable = 0;
        val.i64 = v;
    }
    return sql_expr_const(b->arena, val);
}

/* A non-NULL value of e's type (its zero) for NULL-safe keys. */
static Expr *zero_of(Binder *b, SqlType type)
{
    Value val = {0};
    val.type = type;
    val.type.nullable = 0;
    return sql_expr_const(b->arena, val);
}

/* NULL-safe key pair parts for column expression e: COALESCE(e, 0) and
 * e IS NULL. */
static bool null_safe(Binder *b, Expr *e, Expr **value, Expr **isnull, const AstNode *at)
{
    Expr *args[2] = {e, zero_of(b, e->type)};
    if (!(*value = call(b, FN_COALESCE, args, 2, 0, at))) return false;
    return (*isnull = call(b, FN_IS_NULL, &e, 1, 0, at)) != NULL;
}

/* Marks the outer columns an expression reads: plain columns (outer side
 * expressions) or correlated references (residuals), per `corr`. */
static void outer_cols(const Expr *e, bool corr, bool *used, int32_t width)
{
    if (e->kind == EX_COL) {
        int32_t c = corr ? e->col - SQL_CORR_BASE : e->col;
        if ((!corr || e->col >= SQL_CORR_BASE) && c >= 0 && c < width) used[c] = true;
        return;
    }
    for (int32_t i = 0; i < e->nargs; i++) outer_cols(e->args[i], corr, used, width);
}

/* Rewrites an expression over the outer relation (plain, or correlated
 * references when corr) onto D's columns, inner columns moved by shift. */
static Expr *onto_domain(Binder *b, const Expr *e, bool corr, const int32_t *dmap, int32_t shift)
{
    Expr *copy = wb_arena_alloc(b->arena, sizeof *copy);
    *copy = *e;
    if (e->kind == EX_COL) {
        if (corr && e->col >= SQL_CORR_BASE) copy->col = dmap[e->col - SQL_CORR_BASE];
        else if (!corr) copy->col = dmap[e->col];
        else copy->col = e->col + shift;
        return copy;
    }
    if (e->nargs > 0) {
        copy->args = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)e->nargs);
        for (int32_t i = 0; i < e->nargs; i++)
            copy->args[i] = onto_domain(b, e->args[i], corr, dmap, shift);
    }
    return copy;
}

/* The comparison of an IN (=) or a quantified comparison. */
static FuncId cmp_fn(const AstNode *ast)
{
    if (!ast->in.quantified) return FN_EQ;
    switch (ast->in.cmp) {
    case AOP_NE: return FN_NE;
    case AOP_LT: return FN_LT;
    case AOP_LE: return FN_LE;
    case AOP_GT: return FN_GT;
    case AOP_GE: return FN_GE;
    default: return FN_EQ;
    }
}

Expr *sql_bind_subquery_mark(Env *env, const AstNode *ast)
{
    Binder *b = env->b;
    if (!env->rel || !env->rel->node) {
        bind_error(b, ast, WB_SQLSTATE_FEATURE, "subqueries are not supported in %s",
                   env->clause ? env->clause : "this context");
        return NULL;
    }
    bool is_in = ast->kind == AST_IN_QUERY;
    bool all = is_in && ast->in.quantified && ast->in.all;
    const AstNode *q = is_in ? ast->in.query : ast->subquery.query;
    const AstNode *arg = is_in ? ast->in.arg : NULL;
    int32_t width = arg && arg->kind == AST_ROW ? arg->row.items.count : (is_in ? 1 : 0);
    PlanNode *outer = env->rel->node;
    int32_t W = outer->ncols;

    /* the subquery, decorrelated when simple */
    Rel sub;
    Decor dc;
    memset(&dc, 0, sizeof dc);
    bool simple = sql_subquery_is_simple(q);
    if (simple && !sql_subquery_decorrelate_or_not(env, q, &sub, &dc, 0, &simple)) return NULL;
    if (!simple) {
        ScalarCorr sc;
        if (!sql_plan_subquery_any(env, q, false, &sub, &sc)) return NULL;
        dc.keys = sc.keys;
        dc.nkeys = sc.nkeys;
    }
    Expr **xs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(width + 1));
    Expr **ys = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(width + 1));
    if (is_in) {
        if (!sql_subquery_in_keys(env, q, &sub, simple, width, ys)) return NULL;
        Env oenv = *env;
        for (int32_t k = 0; k < width; k++) {
            const AstNode *item = arg->kind == AST_ROW ? arg->row.items.items[k] : arg;
            if (!(xs[k] = sql_bind_expr(&oenv, item))) return NULL;
        }
        /* binding the operand may have joined more onto the outer side */
        outer = env->rel->node;
        W = outer->ncols;
    }

    /* D: the outer columns read */
    bool *used = wb_arena_calloc(b->arena, (size_t)W + 1);
    for (int32_t k = 0; k < dc.nkeys; k++) outer_cols(dc.keys[k].left, false, used, W);
    for (int32_t r = 0; r < dc.nres; r++) outer_cols(dc.res[r], true, used, W);
    for (int32_t k = 0; k < width; k++) outer_cols(xs[k], false, used, W);
    int32_t *dcols = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(W + 1));
    int32_t *dmap = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(W + 1));
    int32_t m = 0;
    for (int32_t c = 0; c < W; c++) {
        dmap[c] = -1;
        if (used[c]) {
            dmap[c] = m;
            dcols[m++] = c;
        }
    }
    Expr **dexprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(m + 1));
    for (int32_t j = 0; j < m; j++) dexprs[j] = sql_expr_col(b->arena, dcols[j], outer->types[dcols[j]]);
    PlanNode *domain = m > 0 ? sql_node_distinct(b, sql_node_calc(b, outer, NULL, m, dexprs, NULL))
                             : NULL;

    /* S with its marker column m */
    Expr *marker = bool_const(b, 1);
    PlanNode *subm = sql_node_filter_extend(b, sub.node, NULL, 1, &marker);
    int32_t mcol = sub.node->ncols;

    /* J = D LEFT JOIN S ON the correlation (no D: S itself) */
    PlanNode *joined;
    int32_t lw = 0;
    if (domain) {
        Rel lrel = {domain, 0, NULL}, rrel = {subm, 0, NULL};
        KeyPair *keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(dc.nkeys + 1));
        for (int32_t k = 0; k < dc.nkeys; k++) {
            keys[k].left = onto_domain(b, dc.keys[k].left, false, dmap, 0);
            keys[k].right = dc.keys[k].right;
        }
        Expr **res = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(dc.nres + 1));
        for (int32_t r = 0; r < dc.nres; r++) res[r] = onto_domain(b, dc.res[r], true, dmap, m);
        joined = sql_build_join(b, JT_LEFT, &lrel, &rrel, dc.nkeys, keys,
                                sql_and_all(b, res, dc.nres), ast);
        if (!joined) return NULL;
        lw = joined->inputs[0]->ncols;
    } else {
        joined = subm;
    }

    /* A: per D row, the counts */
    int32_t naggs = is_in ? 2 : 1;
    Expr **pre = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(m + 3));
    for (int32_t j = 0; j < m; j++) pre[j] = sql_expr_col(b->arena, j, joined->types[j]);
    Expr *mref = sql_expr_col(b->arena, lw + mcol, joined->types[lw + mcol]);
    if (is_in) {
        /* the row comparison: AND of the column comparisons */
        Expr **cmps = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)width);
        for (int32_t k = 0; k < width; k++) {
            Expr *pair[2] = {onto_domain(b, xs[k], false, dmap, 0),
                             sql_expr_shift(b->arena, ys[k], 0, lw, -1)};
            if (!(cmps[k] = call(b, cmp_fn(ast), pair, 2, 0, ast))) return NULL;
        }
        Expr *cmp = width == 1 ? cmps[0] : call(b, FN_AND, cmps, width, 0, ast);
        if (!cmp) return NULL;
        /* ALL counts the comparisons that are FALSE instead */
        Expr *is_true = call(b, all ? FN_IS_FALSE : FN_IS_TRUE, &cmp, 1, 0, ast);
        Expr *is_null = call(b, FN_IS_NULL, &cmp, 1, 0, ast);
        Expr *has_row = call(b, FN_IS_NOT_NULL, &mref, 1, 0, ast);
        if (!is_true || !is_null || !has_row) return NULL;
        Expr *both[2] = {is_null, has_row};
        Expr *unknown = call(b, FN_AND, both, 2, 0, ast);
        Expr *t_args[3] = {is_true, int_const(b, 1), int_const(b, 0)};
        Expr *u_args[3] = {unknown, int_const(b, 1), int_const(b, 0)};
        if (!unknown || !(pre[m] = call(b, FN_CASE, t_args, 3, 1, ast)) ||
            !(pre[m + 1] = call(b, FN_CASE, u_args, 3, 1, ast)))
            return NULL;
    } else {
        pre[m] = mref;
    }
    PlanNode *prenode = sql_node_calc(b, joined, NULL, m + naggs, pre, NULL);
    AggItem items[2];
    int32_t args[2], none[2] = {-1, -1};
    memset(items, 0, sizeof items);
    for (int32_t i = 0; i < naggs; i++) {
        items[i].kind = is_in ? AGG_SUM : AGG_COUNT;
        items[i].arg = pre[m + i];
        items[i].line = ast->line;
        items[i].column = ast->column;
        if (sql_agg_result_type(items[i].kind, pre[m + i]->type, &items[i].type, b->err) != 0)
            return NULL;
        args[i] = m + i;
    }
    PlanNode *agg = sql_node_agg(b, prenode, m, naggs, items, args, none, none);

    /* O LEFT JOIN A on the D columns, NULL-safely */
    Rel left = *env->rel, right = {agg, 0, NULL};
    left.node = outer;
    KeyPair *keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(2 * m + 1));
    for (int32_t j = 0; j < m; j++) {
        Expr *o = sql_expr_col(b->arena, dcols[j], outer->types[dcols[j]]);
        Expr *a = sql_expr_col(b->arena, j, agg->types[j]);
        if (!null_safe(b, o, &keys[2 * j].left, &keys[2 * j + 1].left, ast) ||
            !null_safe(b, a, &keys[2 * j].right, &keys[2 * j + 1].right, ast))
            return NULL;
    }
    PlanNode *join = sql_build_join(b, JT_LEFT, &left, &right, 2 * m, keys, NULL, ast);
    if (!join) return NULL;
    env->rel->node = join;
    int32_t at = join->inputs[0]->ncols + m;   /* A's first count */

    Expr *c0 = sql_expr_col(b->arena, at, join->types[at]);
    Expr *z0[2] = {c0, zero_of(b, c0->type)};
    Expr *n0 = call(b, FN_COALESCE, z0, 2, 0, ast);
    if (!n0) return NULL;
    Expr *gt[2] = {n0, zero_of(b, n0->type)};
    Expr *some = call(b, FN_GT, gt, 2, 0, ast);
    if (!some || !is_in) return some;
    Expr *c1 = sql_expr_col(b->arena, at + 1, join->types[at + 1]);
    Expr *z1[2] = {c1, zero_of(b, c1->type)};
    Expr *n1 = call(b, FN_COALESCE, z1, 2, 0, ast);
    if (!n1) return NULL;
    Expr *gt1[2] = {n1, zero_of(b, n1->type)};
    Expr *any_null = call(b, FN_GT, gt1, 2, 0, ast);
    if (!any_null) return NULL;
    /* IN / ANY: TRUE when one is TRUE, else NULL when one is NULL, else
     * FALSE.  ALL: FALSE when one is FALSE, else NULL when one is NULL,
     * else TRUE (also over no rows). */
    Expr *cases[5] = {some, bool_const(b, !all), any_null, bool_const(b, -1), bool_const(b, all)};
    Expr *value = call(b, FN_CASE, cases, 5, 1, ast);
    if (!value || !ast->in.negated) return value;
    return call(b, FN_NOT, &value, 1, 0, ast);
}
