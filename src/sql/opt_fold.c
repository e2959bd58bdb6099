/*
 * opt_fold.c - constant folding and boolean simplification (see
 * opt_int.h).
 *
 * A call whose arguments reference no column is computed once at planning
 * time by the evaluator itself (SqlPlanOptions.eval_const, the runtime's
 * ex_eval_const: the planner does not link the evaluator, and there is
 * one implementation of every function), so `DATE '1998-12-01' - INTERVAL
 * '90' DAY` is a DATE constant, not a computation per row.  A call that
 * fails (1 / 0, a bad cast) is left as it is: it fails at run time, and
 * only if a row reaches it.  Then AND and OR drop their neutral constants
 * and collapse on their absorbing ones, conjuncts common to every branch
 * of an OR are factored out of it, and a filter that is constant TRUE
 * disappears.
 */
#include "sql/opt_int.h"

#include <string.h>

static bool foldable_fn(const Expr *e)
{
    /* the current time and watermark change while a job runs */
    return e->fn != FN_UNIX_TIMESTAMP && e->fn != FN_NOW && e->fn != FN_CURRENT_WATERMARK;
}

static bool is_bool_const(const Expr *e, int64_t v)
{
    return e->kind == EX_CONST && !e->value.is_null && e->type.id == TY_BOOLEAN && e->value.i64 == v;
}

static Expr *bool_expr(Binder *b, bool v, const Expr *at)
{
    Value val = {0};
    val.type = ty_make(TY_BOOLEAN);
    val.type.nullable = 0;
    val.i64 = v;
    Expr *c = sql_expr_const(b->arena, val);
    c->line = at->line;
    c->column = at->column;
    return c;
}

/* Conjuncts of e (AND split, one level deep is enough after folding). */
static int32_t conjuncts(Expr *e, Expr **out)
{
    if (e->kind == EX_CALL && e->fn == FN_AND) {
        for (int32_t i = 0; i < e->nargs; i++) out[i] = e->args[i];
        return e->nargs;
    }
    out[0] = e;
    return 1;
}

static int32_t count_conjuncts(const Expr *e)
{
    return e->kind == EX_CALL && e->fn == FN_AND ? e->nargs : 1;
}

static Expr *logic(Binder *b, FuncId fn, Expr **args, int32_t n, const Expr *at)
{
    if (n == 1) return args[0];
    Expr *e = sql_expr_call(b->arena, fn, args, n, at->line, at->column);
    e->type = ty_make(TY_BOOLEAN);
    for (int32_t i = 0; i < n; i++)
        if (args[i]->type.nullable) e->type.nullable = 1;
    return e;
}

/* (A AND B) OR (A AND C) is A AND (B OR C), and (A) OR (A AND B) is A,
 * in SQL's three-valued logic too: a join condition written in every
 * branch of an OR (TPC-H Q19) becomes a conjunct, and so a join key. */
static Expr *factor_or(Binder *b, Expr *e)
{
    int32_t nb = e->nargs;
    Expr ***parts = wb_arena_alloc(b->arena, sizeof(Expr **) * (size_t)nb);
    int32_t *np = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)nb);
    for (int32_t i = 0; i < nb; i++) {
        parts[i] = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)count_conjuncts(e->args[i]));
        np[i] = conjuncts(e->args[i], parts[i]);
    }
    Expr **common = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)np[0]);
    int32_t ncommon = 0;
    for (int32_t k = 0; k < np[0]; k++) {
        bool everywhere = true;
        for (int32_t i = 1; i < nb && everywhere; i++) {
            bool found = false;
            for (int32_t j = 0; j < np[i] && !found; j++) found = sql_expr_equal(parts[0][k], parts[i][j]);
            everywhere = found;
        }
        if (everywhere) common[ncommon++] = parts[0][k];
    }
    if (ncommon == 0) return e;
    Expr **rest = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)nb);
    for (int32_t i = 0; i < nb; i++) {
        Expr **keep = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(np[i] + 1));
        int32_t nk = 0;
        for (int32_t j = 0; j < np[i]; j++) {
            bool is_common = false;
            for (int32_t k = 0; k < ncommon && !is_common; k++)
                is_common = sql_expr_equal(parts[i][j], common[k]);
            if (!is_common) keep[nk++] = parts[i][j];
        }
        if (nk == 0) return logic(b, FN_AND, common, ncommon, e);   /* absorption */
        rest[i] = logic(b, FN_AND, keep, nk, e);
    }
    Expr **all = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(ncommon + 1));
    memcpy(all, common, sizeof(Expr *) * (size_t)ncommon);
    all[ncommon] = logic(b, FN_OR, rest, nb, e);
    return logic(b, FN_AND, all, ncommon + 1, e);
}

static Expr *fold(Binder *b, const Expr *e)
{
    if (e->kind != EX_CALL) return (Expr *)e;
    Expr *copy = wb_arena_alloc(b->arena, sizeof *copy);
    *copy = *e;
    if (e->nargs > 0) {
        copy->args = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)e->nargs);
        for (int32_t i = 0; i < e->nargs; i++) copy->args[i] = fold(b, e->args[i]);
    }
    if (b->eval_const && foldable_fn(copy) && !sql_expr_has_cols(copy)) {
        bool args_const = true;
        for (int32_t i = 0; i < copy->nargs && args_const; i++)
            args_const = copy->args[i]->kind == EX_CONST;
        Value v;
        WbError scratch;
        memset(&scratch, 0, sizeof scratch);
        if (args_const && b->eval_const(copy, &v, b->arena, &scratch) == 0) {
            Expr *c = sql_expr_const(b->arena, v);
            c->type = copy->type;
            c->type.nullable = v.is_null;
            c->line = copy->line;
            c->column = copy->column;
            return c;
        }
    }
    if (copy->fn == FN_AND || copy->fn == FN_OR) {
        int64_t absorbing = copy->fn == FN_AND ? 0 : 1;
        int32_t n = 0;
        for (int32_t i = 0; i < copy->nargs; i++) {
            if (is_bool_const(copy->args[i], absorbing)) return bool_expr(b, absorbing, copy);
            if (is_bool_const(copy->args[i], !absorbing)) continue;
            copy->args[n++] = copy->args[i];
        }
        if (n == 0) return bool_expr(b, !absorbing, copy);
        if (n == 1 && copy->args[0]->type.id == TY_BOOLEAN) return copy->args[0];
        copy->nargs = n;
        if (copy->fn == FN_OR) return factor_or(b, copy);
    }
    return copy;
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    Binder *b = ctx->b;
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    if (copy->kind == PN_CALC) {
        const Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(copy->calc.nexprs + 1));
        for (int32_t i = 0; i < copy->calc.nexprs; i++) exprs[i] = fold(b, copy->calc.exprs[i]);
        copy->calc.exprs = exprs;
        if (copy->calc.filter) {
            Expr *f = fold(b, copy->calc.filter);
            copy->calc.filter = is_bool_const(f, 1) ? NULL : f;
        }
    } else if (copy->kind == PN_JOIN && copy->join.cond) {
        Expr *c = fold(b, copy->join.cond);
        copy->join.cond = is_bool_const(c, 1) ? NULL : c;
    }
    return copy;
}

PlanNode *opt_fold_constants(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
