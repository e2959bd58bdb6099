/*
 * subquery.c - the WHERE clause: plain conjuncts become a filter, EXISTS /
 * IN subqueries become semi and anti joins (decorrelated when they refer to
 * the enclosing query through equalities), scalar subqueries become a LEFT
 * join on no keys; and the rn <= N filter over a ROW_NUMBER column sets the
 * limit of its RANK node (top-N pushdown).
 */
#include "sql/planner_int.h"

#include <string.h>

/* Splits an AST condition on AND into its conjuncts. */
static int32_t ast_conjuncts(const AstNode *ast, const AstNode **out, int32_t cap)
{
    if (ast->kind == AST_BINARY && ast->op.op == AOP_AND) {
        int32_t n = ast_conjuncts(ast->op.left, out, cap);
        return n + ast_conjuncts(ast->op.right, out + n, cap - n);
    }
    if (cap <= 0) return 0;
    out[0] = ast;
    return 1;
}

static int32_t ast_count_conjuncts(const AstNode *ast)
{
    if (ast->kind == AST_BINARY && ast->op.op == AOP_AND)
        return ast_count_conjuncts(ast->op.left) + ast_count_conjuncts(ast->op.right);
    return 1;
}

/* EXISTS / IN (query) / their negations; *negated set.  NULL otherwise. */
static const AstNode *subquery_predicate(const AstNode *ast, bool *negated)
{
    bool neg = false;
    while (ast->kind == AST_UNARY && ast->op.op == AOP_NOT) {
        neg = !neg;
        ast = ast->op.left;
    }
    if (ast->kind == AST_EXISTS) {
        *negated = neg;
        return ast;
    }
    if (ast->kind == AST_IN_QUERY && !ast->in.quantified) {
        *negated = neg != ast->in.negated;
        return ast;
    }
    return NULL;
}

/* rn <= N, rn < N, rn = N, N >= rn, N > rn over a ROW_NUMBER column sets
 * the RANK's limit.  The filter itself stays (it is then always true for
 * rows the RANK emits), so this is only an optimisation of state size. */
static void push_rank_limit(Env *env, const AstNode *c)
{
    if (c->kind != AST_BINARY) return;
    AstBinOp op = c->op.op;
    const AstNode *col = c->op.left, *lit = c->op.right;
    if (col->kind == AST_LITERAL) {
        col = c->op.right;
        lit = c->op.left;
        switch (op) {
        case AOP_GE: op = AOP_LE; break;
        case AOP_GT: op = AOP_LT; break;
        case AOP_LE: op = AOP_GE; break;
        case AOP_LT: op = AOP_GT; break;
        default: break;
        }
    }
    if (col->kind != AST_COLUMN_REF || lit->kind != AST_LITERAL ||
        !ty_is_integer((TypeId)lit->literal.type.id))
        return;
    int32_t idx = sql_scope_find(env->rel, col->column_ref.qualifier, col->column_ref.name);
    if (idx < 0 || !env->rel->cols[idx].rank_node) return;
    int64_t n = lit->literal.i64, limit;
    switch (op) {
    case AOP_LE: limit = n; break;
    case AOP_LT: limit = n - 1; break;
    case AOP_EQ: limit = n; break;
    default: return;
    }
    if (limit < 0) limit = 0;
    PlanNode *rank = env->rel->cols[idx].rank_node;
    sql_node_rank_set_limit(env->b, env->rel->node, rank, limit);
}

bool sql_subquery_is_simple(const AstNode *q)
{
    if (q->kind != AST_SELECT) return false;
    const AstQueryTail *tail = &q->select.tail;
    if (q->select.group_by.count || q->select.having || q->select.distinct || tail->limit ||
        tail->offset || tail->ctes.count)
        return false;
    for (int32_t i = 0; i < q->select.items.count; i++)
        if (sql_ast_has_agg(q->select.items.items[i]) || sql_ast_has_window(q->select.items.items[i]))
            return false;
    return true;
}

static bool plan_subquery_pred(Env *env, const AstNode *pred, bool negated);


/* Decorrelates a simple subquery (SELECT .. FROM .. WHERE ..): local
 * conjuncts filter the subquery's input, `inner = outer` conjuncts become
 * join keys, other correlated conjuncts the join condition. */
bool sql_subquery_decorrelate_or_not(Env *env, const AstNode *q, Rel *sub, Decor *dc,
                                     int32_t extra_keys, bool *simple)
{
    Binder *b = env->b;
    bool failed_before = b->corr_failed;
    b->corr_failed = false;
    bool ok = sql_subquery_decorrelate(env, q, sub, dc, extra_keys);
    bool refused = b->corr_failed;
    b->corr_failed = failed_before;
    if (ok || !refused) return ok;
    /* a reference further out (from a subquery nested in this one): plan
     * it over its domain instead (sql_plan_subquery_any) */
    wb_error_clear(b->err);
    memset(dc, 0, sizeof *dc);
    *simple = false;
    return true;
}

bool sql_subquery_decorrelate(Env *env, const AstNode *q, Rel *sub, Decor *dc, int32_t extra_keys)
{
    Binder *b = env->b;
    if (q->select.from) {
        if (!sql_plan_from(b, q->select.from, NULL, sub)) return false;
    } else {
        sql_rel_single_row(b, sub);
    }
    int32_t n = q->select.where ? ast_count_conjuncts(q->select.where) : 0;
    const AstNode **conj = wb_arena_alloc(b->arena, sizeof(AstNode *) * (size_t)(n + 1));
    if (n) n = ast_conjuncts(q->select.where, conj, n);
    dc->keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(n + extra_keys + 1));
    dc->res = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    dc->nkeys = dc->nres = 0;
    Expr **local = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    int32_t nlocal = 0;
    Env senv;
    env_init(&senv, b, sub);
    senv.outer = env;
    senv.corr = CORR_CAPTURE;
    for (int32_t i = 0; i < n; i++) {
        bool neg;
        if (subquery_predicate(conj[i], &neg)) continue;   /* after the filter */
        Expr *e = sql_bind_condition(&senv, conj[i], "WHERE");
        if (!e) return false;
        if (!sql_expr_has_corr(e)) {
            local[nlocal++] = e;
            continue;
        }
        if (e->kind == EX_CALL && e->fn == FN_EQ) {
            Expr *a = e->args[0], *z = e->args[1];
            bool a_in = sql_expr_has_cols(a) && !sql_expr_has_corr(a);
            bool z_in = sql_expr_has_cols(z) && !sql_expr_has_corr(z);
            bool a_out = sql_expr_has_cols(a) && sql_expr_cols_within(a, SQL_CORR_BASE, INT32_MAX);
            bool z_out = sql_expr_has_cols(z) && sql_expr_cols_within(z, SQL_CORR_BASE, INT32_MAX);
            if ((a_in && z_out) || (a_out && z_in)) {
                Expr *outer = a_out ? a : z, *inner = a_out ? z : a;
                dc->keys[dc->nkeys].left = sql_expr_shift(b->arena, outer, 0, 0, 0);
                dc->keys[dc->nkeys].right = inner;
                dc->nkeys++;
                continue;
            }
        }
        dc->res[dc->nres++] = e;
    }
    if (nlocal) sub->node = sql_node_filter_extend(b, sub->node, sql_and_all(b, local, nlocal), 0, NULL);
    for (int32_t i = 0; i < n; i++) {
        bool neg;
        const AstNode *inner = subquery_predicate(conj[i], &neg);
        if (inner && !plan_subquery_pred(&senv, inner, neg)) return false;
    }
    return true;
}

/* The semi / anti join of a subquery predicate: the correlation's equality
 * keys (and an IN's key) as join keys, the residual conjuncts as the join
 * condition.  A residual marked `joined` (the last one, from NOT IN) is
 * already over the join's pair row; the others have their inner columns
 * moved after the left input and correlated references made the left
 * input's columns. */
static bool finish_subquery_join(Env *env, JoinType type, Rel *sub, Decor *dc, const AstNode *pred)
{
    Binder *b = env->b;
    int32_t lwidth = env->rel->node->ncols;
    Expr *cond = NULL;
    if (dc->nres > 0) {
        for (int32_t i = 0; i < dc->nres - dc->joined; i++)
            dc->res[i] = sql_expr_shift(b->arena, dc->res[i], 0, lwidth, 0);
        cond = sql_and_all(b, dc->res, dc->nres);
    }
    Rel left = *env->rel;
    PlanNode *join = sql_build_join(b, type, &left, sub, dc->nkeys, dc->keys, cond, pred);
    if (!join) return false;
    env->rel->node = join;
    return true;
}

/* NOT IN's per-row test over the join's pair row (left columns first, the
 * subquery's after them): `a = x OR a IS NULL OR x IS NULL`, i.e. the
 * comparison is not FALSE.  A left row passes NOT IN (in WHERE, where NULL
 * filters like FALSE) exactly when no row of its correlation group gives
 * TRUE here: TRUE when the group is empty, filtered when a is NULL and the
 * group is not, or when the group holds x NULL or x = a. */
static Expr *nin_not_false(Binder *b, Expr *outer, Expr *inner, int32_t lwidth, const AstNode *at)
{
    Expr *x = sql_expr_shift(b->arena, inner, 0, lwidth, -1);
    Expr *pair[2] = {outer, x};
    Expr *parts[3];
    parts[0] = sql_expr_call(b->arena, FN_EQ, pair, 2, at->line, at->column);
    parts[1] = sql_expr_call(b->arena, FN_IS_NULL, &pair[0], 1, at->line, at->column);
    parts[2] = sql_expr_call(b->arena, FN_IS_NULL, &pair[1], 1, at->line, at->column);
    for (int i = 0; i < 3; i++)
        if (sql_func_resolve(parts[i], b->arena, b->err) != 0) return NULL;
    Expr *any = sql_expr_call(b->arena, FN_OR, parts, 3, at->line, at->column);
    if (sql_func_resolve(any, b->arena, b->err) != 0) return NULL;
    return any;
}

/* The subquery's side of an IN: its `width` columns (the select items of
 * a simple subquery, bound over it, or its output columns). */
bool sql_subquery_in_keys(Env *env, const AstNode *q, Rel *sub, bool simple, int32_t width,
                          Expr **keys)
{
    Binder *b = env->b;
    const AstList *items = &q->select.items;
    bool star = simple && items->count == 1 && items->items[0]->select_item.expr->kind == AST_STAR;
    int32_t have = simple && !star ? items->count : sub->ncols;
    if (have != width) {
        bind_error(b, q, WB_SQLSTATE_SYNTAX, "subquery has too %s columns", have > width ? "many" : "few");
        return false;
    }
    for (int32_t k = 0; k < width; k++) {
        if (!simple || star) {
            keys[k] = sql_expr_col(b->arena, sub->cols[k].index, sub->cols[k].type);
            continue;
        }
        const AstNode *item = items->items[k]->select_item.expr;
        if (item->kind == AST_STAR) {
            bind_error(b, item, WB_SQLSTATE_SYNTAX, "* is not allowed in a row IN subquery");
            return false;
        }
        Env senv;
        env_init(&senv, b, sub);
        senv.outer = env;
        senv.corr = CORR_ERROR;
        senv.clause = "SELECT";
        if (!(keys[k] = sql_bind_expr(&senv, item))) return false;
    }
    return true;
}

static bool plan_subquery_pred(Env *env, const AstNode *pred, bool negated)
{
    Binder *b = env->b;
    bool is_in = pred->kind == AST_IN_QUERY;
    const AstNode *q = is_in ? pred->in.query : pred->subquery.query;
    if (!env->rel->node) {
        bind_error(b, pred, WB_SQLSTATE_FEATURE, "subqueries are not supported here");
        return false;
    }
    /* (a, b) IN (SELECT x, y ...): one key per column */
    const AstNode *arg = is_in ? pred->in.arg : NULL;
    int32_t width = arg && arg->kind == AST_ROW ? arg->row.items.count : 1;
    Rel sub;
    Decor dc;
    memset(&dc, 0, sizeof dc);
    bool simple = sql_subquery_is_simple(q);
    if (simple && !sql_subquery_decorrelate_or_not(env, q, &sub, &dc, width, &simple)) return false;
    if (!simple) {
        ScalarCorr sc;
        if (!sql_plan_subquery_any(env, q, false, &sub, &sc)) return false;
        dc.keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(width + sc.nkeys + 1));
        if (sc.nkeys) memcpy(dc.keys, sc.keys, sizeof(KeyPair) * (size_t)sc.nkeys);
        dc.nkeys = sc.nkeys;
        dc.res = wb_arena_alloc(b->arena, sizeof(Expr *) * 2);
    }
    JoinType type = negated ? JT_ANTI : JT_SEMI;
    if (is_in) {
        Expr **inner = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)width);
        Expr **outer = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)width);
        if (!sql_subquery_in_keys(env, q, &sub, simple, width, inner)) return false;
        Env oenv = *env;
        oenv.clause = "WHERE";
        bool nullable = false;
        for (int32_t k = 0; k < width; k++) {
            const AstNode *item = arg->kind == AST_ROW ? arg->row.items.items[k] : arg;
            if (!(outer[k] = sql_bind_expr(&oenv, item))) return false;
            SqlType common;
            char t1[64], t2[64];
            if (!sql_common_type(outer[k]->type, inner[k]->type, &common)) {
                bind_error(b, pred, WB_SQLSTATE_DATATYPE, "IN types %s and %s cannot be matched",
                           ty_name(outer[k]->type, t1, sizeof t1), ty_name(inner[k]->type, t2, sizeof t2));
                return false;
            }
            nullable |= outer[k]->type.nullable || inner[k]->type.nullable;
        }
        if (negated && nullable && (dc.nkeys > 0 || dc.nres > 0 || width > 1)) {
            /* correlated or a row: an ANTI join on the correlation, whose
             * rows of the left row's group "match" unless the comparison
             * is FALSE (no row of the group doing so is NOT IN's TRUE) */
            Expr **parts = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)width);
            for (int32_t k = 0; k < width; k++)
                if (!(parts[k] = nin_not_false(b, outer[k], inner[k], env->rel->node->ncols, pred)))
                    return false;
            dc.res[dc.nres++] = sql_and_all(b, parts, width);
            dc.joined = 1;
            return finish_subquery_join(env, JT_ANTI, &sub, &dc, pred);
        }
        if (negated && nullable) type = JT_ANTI_NULL_AWARE;
        /* the IN keys first: a null-aware anti join has exactly that one key */
        memmove(&dc.keys[width], &dc.keys[0], sizeof(KeyPair) * (size_t)dc.nkeys);
        for (int32_t k = 0; k < width; k++) {
            dc.keys[k].left = outer[k];
            dc.keys[k].right = inner[k];
        }
        dc.nkeys += width;
    }
    return finish_subquery_join(env, type, &sub, &dc, pred);
}

/* The end of a WHERE: one filter over the plain conjuncts, then a semi or
 * anti join per IN / EXISTS conjunct. */
static bool finish_where(Env *env, Expr **filters, int32_t nfilters,
                         const AstNode **conj, int32_t n)
{
    Binder *b = env->b;
    if (nfilters)
        env->rel->node = sql_node_filter_extend(b, env->rel->node, sql_and_all(b, filters, nfilters),
                                                0, NULL);
    for (int32_t i = 0; i < n; i++) {
        bool neg;
        const AstNode *pred = subquery_predicate(conj[i], &neg);
        if (pred && !plan_subquery_pred(env, pred, neg)) return false;
    }
    return true;
}

bool sql_plan_where(Env *env, const AstNode *where)
{
    Binder *b = env->b;
    int32_t n = ast_count_conjuncts(where);
    const AstNode **conj = wb_arena_alloc(b->arena, sizeof(AstNode *) * (size_t)n);
    n = ast_conjuncts(where, conj, n);
    Expr **filters = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    int32_t nfilters = 0;
    for (int32_t i = 0; i < n; i++) {
        bool neg;
        push_rank_limit(env, conj[i]);
        if (subquery_predicate(conj[i], &neg)) continue;
        Expr *e = sql_bind_condition(env, conj[i], "WHERE");
        if (!e) return false;
        filters[nfilters++] = e;
    }
    return finish_where(env, filters, nfilters, conj, n);
}

/* Marks the outer columns a correlated condition reads. */
static void corr_cols(const Expr *e, bool *used, int32_t width)
{
    if (e->kind == EX_COL) {
        if (e->col >= SQL_CORR_BASE && e->col - SQL_CORR_BASE < width) used[e->col - SQL_CORR_BASE] = true;
        return;
    }
    for (int32_t i = 0; i < e->nargs; i++) corr_cols(e->args[i], used, width);
}

/* Correlated references onto the domain's columns (at `base` + dmap). */
static Expr *corr_onto(Binder *b, const Expr *e, const int32_t *dmap, int32_t base)
{
    Expr *copy = wb_arena_alloc(b->arena, sizeof *copy);
    *copy = *e;
    if (e->kind == EX_COL) {
        if (e->col >= SQL_CORR_BASE) copy->col = base + dmap[e->col - SQL_CORR_BASE];
        return copy;
    }
    if (e->nargs > 0) {
        copy->args = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)e->nargs);
        for (int32_t i = 0; i < e->nargs; i++) copy->args[i] = corr_onto(b, e->args[i], dmap, base);
    }
    return copy;
}

static Expr *resolved(Binder *b, FuncId fn, Expr **args, int32_t n, const AstNode *at)
{
    Expr *e = sql_expr_call(b->arena, fn, args, n, at->line, at->column);
    if (sql_func_resolve(e, b->arena, b->err) != 0) return NULL;
    return e;
}

/* A NULL-safe key over column expression e: COALESCE(e, 0), e IS NULL. */
static bool null_safe_key(Binder *b, Expr *e, Expr **value, Expr **isnull, const AstNode *at)
{
    Value zero = {0};
    zero.type = e->type;
    zero.type.nullable = 0;
    Expr *args[2] = {e, sql_expr_const(b->arena, zero)};
    if (!(*value = resolved(b, FN_COALESCE, args, 2, at))) return false;
    return (*isnull = resolved(b, FN_IS_NULL, &e, 1, at)) != NULL;
}

/* A scalar subquery correlated through more than equalities (Neumann and
 * Kemper's domain construction): D = the distinct outer values its
 * correlated conditions read is joined into the subquery's FROM with those
 * conditions (the optimizer makes the equalities keys), so the subquery is
 * evaluated once per domain value; its aggregate is grouped by D's
 * columns, and the outer row joins back on them NULL-safely. */
static bool join_domain(Env *env, Expr **corr, int32_t ncorr, ScalarCorr *sc, const AstNode *at)
{
    Binder *b = env->b;
    const Env *outer = env->outer;
    if (!outer || !outer->rel || !outer->rel->node) {
        bind_error(b, at, WB_SQLSTATE_FEATURE, "this correlated subquery is not supported here");
        return false;
    }
    PlanNode *o = outer->rel->node;
    int32_t W = o->ncols;
    bool *used = wb_arena_calloc(b->arena, (size_t)W + 1);
    for (int32_t i = 0; i < ncorr; i++) corr_cols(corr[i], used, W);
    int32_t *dmap = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(W + 1));
    Expr **dexprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(W + 1));
    int32_t m = 0;
    for (int32_t c = 0; c < W; c++) {
        dmap[c] = -1;
        if (used[c]) {
            dmap[c] = m;
            dexprs[m++] = sql_expr_col(b->arena, c, o->types[c]);
        }
    }
    PlanNode *domain = sql_node_distinct(b, sql_node_calc(b, o, NULL, m, dexprs, NULL));
    PlanNode *sub = env->rel->node;
    int32_t base = sub->ncols;
    Expr **conds = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(ncorr + 1));
    for (int32_t i = 0; i < ncorr; i++) conds[i] = corr_onto(b, corr[i], dmap, base);
    env->rel->node = sql_node_join(b, JT_INNER, sub, domain, 0, NULL, NULL,
                                   sql_and_all(b, conds, ncorr));
    sc->nkeys = 0;
    sc->keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(2 * m + 1));
    for (int32_t j = 0; j < m; j++) {
        Expr *oc = dexprs[j];
        Expr *dc = sql_expr_col(b->arena, base + j, domain->types[j]);
        KeyPair *v = &sc->keys[sc->nkeys], *nul = &sc->keys[sc->nkeys + 1];
        if (!null_safe_key(b, oc, &v->left, &nul->left, at) ||
            !null_safe_key(b, dc, &v->right, &nul->right, at))
            return false;
        sc->nkeys += 2;
    }
    return true;
}

bool sql_plan_where_corr(Env *env, const AstNode *where, ScalarCorr *sc)
{
    Binder *b = env->b;
    int32_t n = ast_count_conjuncts(where);
    const AstNode **conj = wb_arena_alloc(b->arena, sizeof(AstNode *) * (size_t)n);
    n = ast_conjuncts(where, conj, n);
    Expr **filters = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    Expr **corr = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    int32_t ncorr = 0;
    bool equi_only = true;
    sc->keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)n);
    sc->nkeys = 0;
    int32_t nfilters = 0;
    CorrMode saved = env->corr;
    env->corr = CORR_CAPTURE;
    for (int32_t i = 0; i < n; i++) {
        bool neg;
        if (subquery_predicate(conj[i], &neg)) continue;
        Expr *e = sql_bind_condition(env, conj[i], "WHERE");
        if (!e) return false;
        if (!sql_expr_has_corr(e)) {
            filters[nfilters++] = e;
            continue;
        }
        Expr *a = e->kind == EX_CALL && e->fn == FN_EQ ? e->args[0] : NULL;
        Expr *z = a ? e->args[1] : NULL;
        bool a_in = a && sql_expr_has_cols(a) && !sql_expr_has_corr(a);
        bool z_in = z && sql_expr_has_cols(z) && !sql_expr_has_corr(z);
        bool a_out = a && sql_expr_has_cols(a) && sql_expr_cols_within(a, SQL_CORR_BASE, INT32_MAX);
        bool z_out = z && sql_expr_has_cols(z) && sql_expr_cols_within(z, SQL_CORR_BASE, INT32_MAX);
        corr[ncorr++] = e;
        if (!((a_in && z_out) || (a_out && z_in))) {
            equi_only = false;
            continue;
        }
        sc->keys[sc->nkeys].left = sql_expr_shift(b->arena, a_out ? a : z, 0, 0, 0);
        sc->keys[sc->nkeys].right = a_out ? z : a;
        sc->nkeys++;
    }
    env->corr = saved;
    if (!equi_only && !join_domain(env, corr, ncorr, sc, where)) return false;
    return finish_where(env, filters, nfilters, conj, n);
}

/* A correlated scalar subquery `(SELECT agg(..) FROM t WHERE t.k = outer.k)`
 * is planned as an aggregate grouped by t.k, LEFT-joined on k; COUNT gives
 * 0 rather than NULL for outer rows without a group (the "count bug"). */
static Expr *join_correlated_scalar(Env *env, const AstNode *ast, Rel *sub, ScalarCorr *sc)
{
    Binder *b = env->b;
    const AstNode *q = ast->subquery.query;
    const AstNode *item = q->select.items.items[0]->select_item.expr;
    /* an outer row without a group gets NULL; that is the aggregate's
     * value over no rows except for COUNT, which is 0: a bare COUNT is
     * coalesced below, a COUNT inside an expression cannot be */
    if (!sql_ast_is_agg_call(item) && sql_ast_has_count(item)) {
        bind_error(b, item, WB_SQLSTATE_FEATURE,
                   "a correlated scalar subquery may use COUNT only as its whole select item");
        return NULL;
    }
    Rel left = *env->rel;
    PlanNode *join = sql_build_join(b, JT_LEFT, &left, sub, sc->nkeys, sc->keys, NULL, ast);
    if (!join) return NULL;
    env->rel->node = join;
    SqlType type = sub->cols[0].type;
    type.nullable = 1;
    Expr *e = sql_expr_col(b->arena, left.node->ncols + sub->cols[0].index, type);
    e->line = ast->line;
    e->column = ast->column;
    if (sql_ast_is_agg_call(item) && wb_ieq(item->call.name, strlen(item->call.name), "COUNT")) {
        Value zero = {0};
        zero.type = sub->cols[0].type;
        zero.type.nullable = 0;
        Expr *args[2] = {e, sql_expr_const(b->arena, zero)};
        Expr *co = sql_expr_call(b->arena, FN_COALESCE, args, 2, ast->line, ast->column);
        if (sql_func_resolve(co, b->arena, b->err) != 0) return NULL;
        return co;
    }
    return e;
}

Expr *sql_bind_scalar_subquery(Env *env, const AstNode *ast)
{
    Binder *b = env->b;
    if (!env->rel || !env->rel->node) {
        bind_error(b, ast, WB_SQLSTATE_FEATURE, "scalar subqueries are not supported in %s",
                   env->clause ? env->clause : "this context");
        return NULL;
    }
    Rel sub;
    ScalarCorr sc;
    memset(&sc, 0, sizeof sc);
    const AstNode *q = ast->subquery.query;
    if (!sql_plan_subquery_any(env, q, true, &sub, &sc)) return NULL;
    if (sub.ncols != 1) {
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "subquery must return only one column");
        return NULL;
    }
    if (sc.nkeys > 0) return join_correlated_scalar(env, ast, &sub, &sc);
    /* A global SINGLE_VALUE aggregate turns the subquery into exactly one
     * row (NULL when it is empty) and raises 21000 when it holds more, in
     * both modes; the LEFT join on no keys then attaches that row. */
    SqlType type = sub.cols[0].type;
    type.nullable = 1;
    Expr *val = sql_expr_col(b->arena, sub.cols[0].index, sub.cols[0].type);
    char *vname = sub.node->names[sub.cols[0].index];
    PlanNode *one = sql_node_calc(b, sub.node, NULL, 1, &val, &vname);
    AggItem item;
    memset(&item, 0, sizeof item);
    item.kind = AGG_SINGLE_VALUE;
    item.arg = val;
    if (sql_agg_result_type(AGG_SINGLE_VALUE, sub.cols[0].type, &item.type, b->err) != 0)
        return NULL;
    int32_t arg_col = 0, none = -1;
    PlanNode *single = sql_node_agg(b, one, 0, 1, &item, &arg_col, &none, &none);
    PlanNode *left = env->rel->node;
    PlanNode *join = sql_node_join(b, JT_LEFT, left, single, 0, NULL, NULL, NULL);
    env->rel->node = join;
    Expr *e = sql_expr_col(b->arena, left->ncols, type);
    e->line = ast->line;
    e->column = ast->column;
    return e;
}

/* Each key `l = r` as the NULL-safe pair COALESCE(l, 0) = COALESCE(r, 0),
 * l IS NULL = r IS NULL (a domain value NULL is a value like any other). */
static bool null_safe_keys(Binder *b, ScalarCorr *sc, const AstNode *at)
{
    KeyPair *keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(2 * sc->nkeys + 1));
    for (int32_t k = 0; k < sc->nkeys; k++)
        if (!null_safe_key(b, sc->keys[k].left, &keys[2 * k].left, &keys[2 * k + 1].left, at) ||
            !null_safe_key(b, sc->keys[k].right, &keys[2 * k].right, &keys[2 * k + 1].right, at))
            return false;
    sc->keys = keys;
    sc->nkeys *= 2;
    return true;
}

bool sql_plan_subquery_any(Env *env, const AstNode *q, bool scalar, Rel *sub, ScalarCorr *sc)
{
    Binder *b = env->b;
    memset(sc, 0, sizeof *sc);
    /* as written (a scalar SELECT may be correlated through its WHERE) */
    bool failed_before = b->corr_failed;
    b->corr_failed = false;
    b->scorr = scalar && q->kind == AST_SELECT ? sc : NULL;
    bool ok = sql_plan_query(b, q, env, sub);
    b->scorr = NULL;
    bool refused = b->corr_failed;
    b->corr_failed = failed_before;
    if (ok || !refused || q->kind != AST_SELECT || !env->rel || !env->rel->node) return ok;

    /* over the domain: first find the outer columns it reads */
    WbError first = *b->err;
    wb_error_clear(b->err);
    PlanNode *o = env->rel->node;
    SubDomain dom;
    memset(&dom, 0, sizeof dom);
    dom.record = true;
    dom.scalar = scalar;
    dom.width = o->ncols;
    dom.used = wb_arena_calloc(b->arena, (size_t)o->ncols + 1);
    memset(sc, 0, sizeof *sc);
    b->domain = &dom;
    Rel scratch;
    ok = sql_plan_query(b, q, env, &scratch);
    b->domain = NULL;
    int32_t m = 0;
    for (int32_t c = 0; c < o->ncols; c++) m += dom.used[c];
    if (!ok || m == 0) {
        /* deeper than one level, or another error: the first error */
        if (ok || m == 0) *b->err = first;
        return false;
    }
    dom.record = false;
    dom.m = m;
    dom.dmap = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(o->ncols + 1));
    dom.dcols = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(m + 1));
    Expr **dexprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(m + 1));
    for (int32_t c = 0, j = 0; c < o->ncols; c++) {
        dom.dmap[c] = -1;
        if (!dom.used[c]) continue;
        dom.dmap[c] = j;
        dom.dcols[j] = c;
        dexprs[j] = sql_expr_col(b->arena, c, o->types[c]);
        j++;
    }
    dom.node = sql_node_distinct(b, sql_node_calc(b, o, NULL, m, dexprs, NULL));
    dom.sc = sc;
    memset(sc, 0, sizeof *sc);
    b->domain = &dom;
    ok = sql_plan_query(b, q, env, sub);
    b->domain = NULL;
    if (!ok) return false;
    return null_safe_keys(b, sc, q);
}
