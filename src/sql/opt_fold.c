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
 * and collapse on their absorbing ones, NOT of a constant is folded, and a
 * filter that is constant TRUE disappears.
 */
#include "sql/opt_int.h"

#include <string.h>

static bool foldable_fn(const Expr *e)
{
    return e->fn != FN_UNIX_TIMESTAMP;   /* without arguments: the current time */
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
    }
    return copy;
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    Binder *b = ctx->b;
    if (opt_shared(ctx, node)) {
        if (!ctx->memo[node->id]) {
            ctx->parents[node->id] = 1;
            ctx->memo[node->id] = visit(ctx, node);
            ctx->parents[node->id] = 2;
        }
        return ctx->memo[node->id];
    }
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_copy(b, node);
    for (int32_t i = 0; i < node->ninputs; i++) copy->inputs[i] = visit(ctx, opt_input(node, i));
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
