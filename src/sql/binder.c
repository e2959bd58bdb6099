/*
 * binder.c - name resolution and expression binding: turns expression ASTs
 * into typed Expr trees (expr.h) over the columns of a relation, following
 * SQL's scoping (qualified and unqualified names, correlation to the
 * enclosing query) and Flink's typing (through sql_func_resolve).
 *
 * Aggregates are bound in two phases: sql_collect_aggs records every
 * aggregate call of SELECT / HAVING / ORDER BY with its arguments bound over
 * the aggregate's input; afterwards expressions are bound over the
 * aggregate's output, where a sub-expression equal to a GROUP BY expression
 * becomes a reference to its group column and an aggregate call a reference
 * to its result column; any other column is a grouping error.
 */
#include "sql/planner_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void env_init(Env *env, Binder *b, Rel *rel)
{
    memset(env, 0, sizeof *env);
    env->b = b;
    env->rel = rel;
    env->corr = CORR_NONE;
}

/* ---- AST walking ---- */

bool sql_ast_each_child(const AstNode *ast, bool (*fn)(const AstNode *child, void *ctx), void *ctx)
{
    const AstNode *kids[4] = {NULL, NULL, NULL, NULL};
    const AstList *list = NULL, *list2 = NULL;
    switch (ast->kind) {
    case AST_UNARY: kids[0] = ast->op.left; break;
    case AST_BINARY: kids[0] = ast->op.left; kids[1] = ast->op.right; break;
    case AST_IS: kids[0] = ast->is.arg; break;
    case AST_BETWEEN:
        kids[0] = ast->between.arg; kids[1] = ast->between.low; kids[2] = ast->between.high;
        break;
    case AST_IN_LIST: kids[0] = ast->in.arg; list = &ast->in.list; break;
    case AST_IN_QUERY: kids[0] = ast->in.arg; break;
    case AST_ROW: list = &ast->row.items; break;
    case AST_LIKE:
        kids[0] = ast->like.arg; kids[1] = ast->like.pattern; kids[2] = ast->like.escape;
        break;
    case AST_CASE:
        kids[0] = ast->case_.operand; kids[1] = ast->case_.else_expr;
        list = &ast->case_.whens; list2 = &ast->case_.thens;
        break;
    case AST_CAST: kids[0] = ast->cast.arg; break;
    case AST_CALL: kids[0] = ast->call.filter; list = &ast->call.args; break;
    case AST_ORDER_ITEM: kids[0] = ast->order_item.expr; break;
    case AST_SELECT_ITEM: kids[0] = ast->select_item.expr; break;
    default: break;
    }
    for (int i = 0; i < 4; i++)
        if (kids[i] && !fn(kids[i], ctx)) return false;
    for (int32_t i = 0; list && i < list->count; i++)
        if (list->items[i] && !fn(list->items[i], ctx)) return false;
    for (int32_t i = 0; list2 && i < list2->count; i++)
        if (list2->items[i] && !fn(list2->items[i], ctx)) return false;
    return true;
}

typedef bool (*AstPred)(const AstNode *ast);

/* Whether pred holds for ast or any expression below it.  Does not look
 * into the queries of subqueries. */
static bool ast_any(const AstNode *ast, AstPred pred)
{
    if (!ast) return false;
    if (pred(ast)) return true;
    switch (ast->kind) {
    case AST_UNARY:
        return ast_any(ast->op.left, pred);
    case AST_BINARY:
        return ast_any(ast->op.left, pred) || ast_any(ast->op.right, pred);
    case AST_IS:
        return ast_any(ast->is.arg, pred);
    case AST_BETWEEN:
        return ast_any(ast->between.arg, pred) || ast_any(ast->between.low, pred) ||
               ast_any(ast->between.high, pred);
    case AST_IN_LIST:
        if (ast_any(ast->in.arg, pred)) return true;
        for (int32_t i = 0; i < ast->in.list.count; i++)
            if (ast_any(ast->in.list.items[i], pred)) return true;
        return false;
    case AST_IN_QUERY:
        return ast_any(ast->in.arg, pred);
    case AST_ROW:
        for (int32_t i = 0; i < ast->row.items.count; i++)
            if (ast_any(ast->row.items.items[i], pred)) return true;
        return false;
    case AST_LIKE:
        return ast_any(ast->like.arg, pred) || ast_any(ast->like.pattern, pred) ||
               ast_any(ast->like.escape, pred);
    case AST_CASE:
        if (ast_any(ast->case_.operand, pred) || ast_any(ast->case_.else_expr, pred))
            return true;
        for (int32_t i = 0; i < ast->case_.whens.count; i++)
            if (ast_any(ast->case_.whens.items[i], pred) ||
                ast_any(ast->case_.thens.items[i], pred))
                return true;
        return false;
    case AST_CAST:
        return ast_any(ast->cast.arg, pred);
    case AST_CALL:
        for (int32_t i = 0; i < ast->call.args.count; i++)
            if (ast_any(ast->call.args.items[i], pred)) return true;
        return ast_any(ast->call.filter, pred) || ast_any(ast->call.over, pred);
    case AST_WINDOW:
        for (int32_t i = 0; i < ast->window.partition_by.count; i++)
            if (ast_any(ast->window.partition_by.items[i], pred)) return true;
        for (int32_t i = 0; i < ast->window.order_by.count; i++)
            if (ast_any(ast->window.order_by.items[i], pred)) return true;
        return false;
    case AST_ORDER_ITEM:
        return ast_any(ast->order_item.expr, pred);
    case AST_SELECT_ITEM:
        return ast_any(ast->select_item.expr, pred);
    default:
        return false;
    }
}

bool sql_ast_is_agg_call(const AstNode *ast)
{
    if (ast->kind != AST_CALL || ast->call.over) return false;
    const char *name = ast->call.name;
    return sql_agg_lookup(name, strlen(name)) >= 0;
}

static bool is_subquery_node(const AstNode *ast)
{
    return ast->kind == AST_SUBQUERY || ast->kind == AST_EXISTS || ast->kind == AST_IN_QUERY;
}

static bool is_window_call(const AstNode *ast)
{
    return ast->kind == AST_CALL && ast->call.over != NULL;
}

bool sql_ast_has_agg(const AstNode *ast) { return ast_any(ast, sql_ast_is_agg_call); }

static bool is_count_call(const AstNode *ast)
{
    return sql_ast_is_agg_call(ast) && wb_ieq(ast->call.name, strlen(ast->call.name), "COUNT");
}

bool sql_ast_has_count(const AstNode *ast) { return ast_any(ast, is_count_call); }
bool sql_ast_has_subquery(const AstNode *ast) { return ast_any(ast, is_subquery_node); }
bool sql_ast_has_window(const AstNode *ast) { return ast_any(ast, is_window_call); }

/* ---- Expr utilities ---- */

static bool value_equal(const Value *a, const Value *b)
{
    if (a->is_null != b->is_null || !ty_equal(a->type, b->type)) return false;
    if (a->is_null) return true;
    switch (ty_phys(a->type)) {
    case PK_I64: return a->i64 == b->i64;
    case PK_I128: return a->i128 == b->i128;
    case PK_F64: return a->f64 == b->f64;
    case PK_STR: return a->str.len == b->str.len &&
                        (a->str.len == 0 || memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0);
    }
    return false;
}

bool sql_expr_equal(const Expr *a, const Expr *b)
{
    if (a == b) return true;
    if (!a || !b) return false;
    if (a->kind != b->kind || !ty_equal(a->type, b->type)) return false;
    switch ((ExprKind)a->kind) {
    case EX_COL: return a->col == b->col;
    case EX_CONST: return value_equal(&a->value, &b->value);
    case EX_CALL:
        if (a->fn != b->fn || a->aux != b->aux || a->nargs != b->nargs) return false;
        for (int32_t i = 0; i < a->nargs; i++)
            if (!sql_expr_equal(a->args[i], b->args[i])) return false;
        return true;
    }
    return false;
}

bool sql_expr_has_corr(const Expr *e)
{
    if (e->kind == EX_COL) return e->col >= SQL_CORR_BASE;
    for (int32_t i = 0; i < e->nargs; i++)
        if (sql_expr_has_corr(e->args[i])) return true;
    return false;
}

bool sql_expr_cols_within(const Expr *e, int32_t lo, int32_t hi)
{
    if (e->kind == EX_COL) return e->col >= lo && e->col < hi;
    for (int32_t i = 0; i < e->nargs; i++)
        if (!sql_expr_cols_within(e->args[i], lo, hi)) return false;
    return true;
}

bool sql_expr_has_cols(const Expr *e)
{
    if (e->kind == EX_COL) return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (sql_expr_has_cols(e->args[i])) return true;
    return false;
}

Expr *sql_expr_shift(WbArena *arena, const Expr *e, int32_t from, int32_t delta,
                     int32_t corr_base)
{
    Expr *copy = wb_arena_alloc(arena, sizeof *copy);
    *copy = *e;
    if (e->kind == EX_COL) {
        if (e->col >= SQL_CORR_BASE) {
            if (corr_base >= 0) copy->col = corr_base + (e->col - SQL_CORR_BASE);
        } else if (e->col >= from) {
            copy->col = e->col + delta;
        }
        return copy;
    }
    if (e->nargs > 0) {
        copy->args = wb_arena_alloc(arena, sizeof(Expr *) * (size_t)e->nargs);
        for (int32_t i = 0; i < e->nargs; i++)
            copy->args[i] = sql_expr_shift(arena, e->args[i], from, delta, corr_base);
    }
    return copy;
}

Expr *sql_coerce(WbArena *arena, Expr *e, SqlType to)
{
    if (ty_equal(e->type, to)) return e;
    return sql_expr_cast(arena, e, to);
}

/* ---- constants ---- */

int sql_literal_value(Binder *b, const AstNode *lit, Value *out)
{
    memset(out, 0, sizeof *out);
    out->type = lit->literal.type;
    if (lit->literal.type.id == TY_NULL) {
        out->is_null = true;
        out->type.nullable = 1;
        return 0;
    }
    if (!lit->literal.value_ok) {
        bind_error(b, lit, WB_SQLSTATE_OVERFLOW, "numeric literal %s is out of range",
                   lit->literal.text ? lit->literal.text : "");
        return -1;
    }
    out->type.nullable = 0;
    switch (ty_phys(out->type)) {
    case PK_I64: out->i64 = lit->literal.i64; break;
    case PK_I128: out->i128 = lit->literal.i128; break;
    case PK_F64: out->f64 = lit->literal.f64; break;
    case PK_STR: {
        uint32_t len = (uint32_t)lit->literal.str_len;
        out->str.ptr = wb_arena_strndup(b->arena, lit->literal.str ? lit->literal.str : "", len);
        out->str.len = len;
        break;
    }
    }
    return 0;
}

bool sql_const_convert(const Value *in, SqlType to, Value *out)
{
    *out = *in;
    out->type = to;
    out->type.nullable = in->is_null ? 1 : to.nullable;
    if (in->is_null) return true;
    TypeId from = (TypeId)in->type.id;
    if (ty_equal(in->type, to)) return true;
    if (ty_is_string(from) && ty_is_string((TypeId)to.id) && from == to.id) return true;
    int from_scale = from == TY_DECIMAL ? in->type.scale : 0;
    switch ((TypeId)to.id) {
    case TY_INT:
    case TY_BIGINT:
        if (!ty_is_integer(from)) return false;
        if (to.id == TY_INT && (in->i64 < INT32_MIN || in->i64 > INT32_MAX)) return false;
        return true;
    case TY_DECIMAL: {
        if (!ty_is_integer(from) && from != TY_DECIMAL) return false;
        if (to.scale < from_scale) return false;
        ty_i128 v = ty_phys(in->type) == PK_I128 ? in->i128 : in->i64, scaled;
        if (ty_dec_rescale(v, from_scale, to.scale, to.precision, &scaled) != 0) return false;
        if (ty_phys(to) == PK_I128) out->i128 = scaled;
        else out->i64 = (int64_t)scaled;
        return true;
    }
    case TY_DOUBLE:
        if (from == TY_DOUBLE) return true;
        if (!ty_is_integer(from) && from != TY_DECIMAL) return false;
        out->f64 = (ty_phys(in->type) == PK_I128 ? (double)in->i128 : (double)in->i64) /
                   (double)ty_pow10_128(from_scale);
        return true;
    case TY_TIMESTAMP:
        return from == TY_TIMESTAMP;
    default:
        return false;
    }
}

/* ---- name resolution ---- */

int32_t sql_scope_find(const Rel *rel, const char *qualifier, const char *name)
{
    int32_t found = -1;
    for (int32_t i = 0; i < rel->ncols; i++) {
        const ScopeCol *col = &rel->cols[i];
        if (qualifier) {
            if (!col->qualifier || strcasecmp(col->qualifier, qualifier) != 0) continue;
        } else if (col->name_hidden) {
            continue;
        }
        if (strcasecmp(col->name, name) != 0) continue;
        if (found >= 0) return -2;
        found = i;
    }
    return found;
}

static bool qualifier_known(const Env *env, const char *qualifier)
{
    for (; env; env = env->outer)
        for (int32_t i = 0; i < env->rel->ncols; i++)
            if (env->rel->cols[i].qualifier &&
                strcasecmp(env->rel->cols[i].qualifier, qualifier) == 0)
                return true;
    return false;
}

/* Levenshtein distance, case-insensitive, capped for long names. */
static int name_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 60 || lb > 60) return 99;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            int best = prev + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

static void hint_close_name(Env *env, const char *name)
{
    const ScopeCol *best = NULL;
    int best_dist = 3;
    for (const Env *e = env; e; e = e->outer) {
        for (int32_t i = 0; i < e->rel->ncols; i++) {
            int d = name_distance(e->rel->cols[i].name, name);
            if (d < best_dist) {
                best_dist = d;
                best = &e->rel->cols[i];
            }
        }
    }
    if (!best) return;
    if (best->qualifier)
        wb_error_hint(env->b->err, "Perhaps you meant to reference the column \"%s.%s\".",
                      best->qualifier, best->name);
    else
        wb_error_hint(env->b->err, "Perhaps you meant to reference the column \"%s\".",
                      best->name);
}

/* CORR_RECORD's stand-in for an outer column: a NULL of its type (the
 * recording pass only learns which columns are read). */
static Expr *recorded_ref(Binder *b, const AstNode *ast, SqlType type)
{
    Value null = {0};
    null.type = type;
    null.type.nullable = 1;
    null.is_null = true;
    Expr *e = sql_expr_const(b->arena, null);
    e->line = ast->line;
    e->column = ast->column;
    return e;
}

static Expr *bind_column(Env *env, const AstNode *ast)
{
    Binder *b = env->b;
    const char *qualifier = ast->column_ref.qualifier;
    const char *name = ast->column_ref.name;
    char full[300];
    snprintf(full, sizeof full, "%s%s%s", qualifier ? qualifier : "", qualifier ? "." : "", name);
    int32_t idx = sql_scope_find(env->rel, qualifier, name);
    if (idx == -1 && qualifier) {
        /* a field of a flattened ROW column (row.field names the column
         * "row.field"), also as t.row.field */
        idx = sql_scope_find(env->rel, NULL, full);
        const char *dot = strchr(qualifier, '.');
        if (idx == -1 && dot) {
            char table[128];
            snprintf(table, sizeof table, "%.*s", (int)(dot - qualifier), qualifier);
            idx = sql_scope_find(env->rel, table, full + (dot - qualifier) + 1);
        }
    }
    if (idx == -2) {
        bind_error(b, ast, WB_SQLSTATE_AMBIGUOUS_COL, "column reference \"%s\" is ambiguous", full);
        wb_error_hint(b->err, "Qualify the column with its table name or alias.");
        return NULL;
    }
    if (idx >= 0) {
        Expr *e = sql_expr_col(b->arena, env->rel->cols[idx].index, env->rel->cols[idx].type);
        e->line = ast->line;
        e->column = ast->column;
        return e;
    }
    int depth = 0;
    const Env *inner = env;   /* the query directly inside `outer` */
    for (const Env *outer = env->outer; outer; inner = outer, outer = outer->outer, depth++) {
        int32_t oidx = sql_scope_find(outer->rel, qualifier, name);
        if (oidx == -2) {
            bind_error(b, ast, WB_SQLSTATE_AMBIGUOUS_COL, "column reference \"%s\" is ambiguous", full);
            return NULL;
        }
        if (oidx < 0) continue;
        if (depth > 0 && inner->corr == CORR_RECORD &&
            outer->rel->cols[oidx].index < inner->domain->width) {
            /* a subquery deeper down reads this column two levels out:
             * the query in between, recording, takes it into its domain
             * (then its scope holds it, and the reference is one level) */
            inner->domain->used[outer->rel->cols[oidx].index] = true;
            return recorded_ref(b, ast, outer->rel->cols[oidx].type);
        }
        if (depth == 0 && env->corr == CORR_CAPTURE) {
            env->saw_corr = true;
            Expr *e = sql_expr_col(b->arena, SQL_CORR_BASE + outer->rel->cols[oidx].index,
                                   outer->rel->cols[oidx].type);
            e->line = ast->line;
            e->column = ast->column;
            return e;
        }
        int32_t ocol = outer->rel->cols[oidx].index;
        if (depth == 0 && env->corr == CORR_RECORD && ocol < env->domain->width) {
            env->domain->used[ocol] = true;
            return recorded_ref(b, ast, outer->rel->cols[oidx].type);
        }
        if (depth == 0 && env->corr == CORR_DOMAIN && ocol < env->domain->width &&
            env->domain->dmap[ocol] >= 0) {
            SqlType t = outer->rel->cols[oidx].type;
            Expr *e = sql_expr_col(b->arena, env->domain_base + env->domain->dmap[ocol], t);
            e->line = ast->line;
            e->column = ast->column;
            return e;
        }
        b->corr_failed = true;
        bind_error(b, ast, WB_SQLSTATE_FEATURE,
                   "correlated reference to column \"%s\" is not supported here", full);
        wb_error_hint(b->err, "A subquery may refer to the columns of the query directly "
                              "around it, not to a query further out.");
        return NULL;
    }
    if (qualifier && !qualifier_known(env, qualifier)) {
        bind_error(b, ast, WB_SQLSTATE_UNDEFINED_TABLE,
                   "missing FROM-clause entry for table \"%s\"", qualifier);
        return NULL;
    }
    bind_error(b, ast, WB_SQLSTATE_UNDEFINED_COL, "column \"%s\" does not exist", full);
    hint_close_name(env, name);
    return NULL;
}

/* ---- calls ---- */

static Expr *make_call(Env *env, FuncId fn, Expr **args, int32_t nargs, int32_t aux,
                       const AstNode *at)
{
    Expr *call = sql_expr_call(env->b->arena, fn, args, nargs, at->line, at->column);
    call->aux = aux;
    if (sql_func_resolve(call, env->b->arena, env->b->err) != 0) return NULL;
    return call;
}

static Expr *make_cast(Env *env, FuncId fn, Expr *arg, SqlType to, const AstNode *at)
{
    Expr *call = sql_expr_call(env->b->arena, fn, &arg, 1, at->line, at->column);
    call->type = to;
    if (sql_func_resolve(call, env->b->arena, env->b->err) != 0) return NULL;
    return call;
}

/* AND/OR with nested calls of the same function flattened (n-ary). */
static Expr *make_logic(Env *env, FuncId fn, Expr *left, Expr *right, const AstNode *at)
{
    int32_t n = 0;
    Expr *parts[2] = {left, right};
    for (int i = 0; i < 2; i++)
        n += parts[i]->kind == EX_CALL && parts[i]->fn == fn ? parts[i]->nargs : 1;
    Expr **args = wb_arena_alloc(env->b->arena, sizeof(Expr *) * (size_t)n);
    int32_t k = 0;
    for (int i = 0; i < 2; i++) {
        if (parts[i]->kind == EX_CALL && parts[i]->fn == fn) {
            for (int32_t j = 0; j < parts[i]->nargs; j++) args[k++] = parts[i]->args[j];
        } else {
            args[k++] = parts[i];
        }
    }
    return make_call(env, fn, args, n, 0, at);
}

static Expr *bind_list(Env *env, const AstList *list, Expr **out)
{
    for (int32_t i = 0; i < list->count; i++) {
        out[i] = sql_bind_expr(env, list->items[i]);
        if (!out[i]) return NULL;
    }
    return (Expr *)1;
}

/* Binds the arguments of aggregate call `ast` over the aggregate's input
 * into item (without adding it anywhere). */
static int bind_agg_item(Env *env, const AstNode *ast, AggItem *item)
{
    Binder *b = env->b;
    Env pre = *env->agg->pre;
    pre.clause = "an aggregate function's argument";
    pre.agg = NULL;
    memset(item, 0, sizeof *item);
    const char *name = ast->call.name;
    int kind = sql_agg_lookup(name, strlen(name));
    int32_t nargs = ast->call.args.count;
    if (ast->call.star) {
        if (kind != AGG_COUNT) {
            bind_error(b, ast, WB_SQLSTATE_SYNTAX, "%s(*) is not allowed; only COUNT(*)", name);
            return -1;
        }
        kind = AGG_COUNT_STAR;
    } else if (kind == AGG_LISTAGG ? (nargs < 1 || nargs > 2) : nargs != 1) {
        bind_error(b, ast, WB_SQLSTATE_UNDEFINED_FUNC,
                   "function %s does not take %d arguments", name, (int)nargs);
        return -1;
    }
    item->kind = (AggKind)kind;
    item->distinct = ast->call.distinct;
    if (kind != AGG_COUNT_STAR) {
        item->arg = sql_bind_expr(&pre, ast->call.args.items[0]);
        if (!item->arg) return -1;
        if (item->arg->type.id == TY_NULL) item->arg = sql_coerce(b->arena, item->arg, ty_make(TY_STRING));
        if (nargs == 2) {
            item->arg2 = sql_bind_expr(&pre, ast->call.args.items[1]);
            if (!item->arg2) return -1;
            if (item->arg2->kind != EX_CONST || !ty_is_string((TypeId)item->arg2->type.id)) {
                bind_error(b, ast->call.args.items[1], WB_SQLSTATE_DATATYPE,
                           "the separator of LISTAGG must be a string literal");
                return -1;
            }
        }
    }
    if (ast->call.filter) {
        Env fenv = pre;
        fenv.clause = "FILTER";
        item->filter = sql_bind_condition(&fenv, ast->call.filter, "FILTER");
        if (!item->filter) return -1;
    }
    SqlType arg_type = item->arg ? item->arg->type : ty_make(TY_BIGINT);
    if (sql_agg_result_type(item->kind, arg_type, &item->type, b->err) != 0) {
        if (b->err->line == 0) {
            b->err->line = ast->line;
            b->err->column = ast->column;
        }
        return -1;
    }
    /* COUNT is never NULL; every other aggregate is NULL over no rows. */
    if (item->kind == AGG_COUNT_STAR || item->kind == AGG_COUNT) item->type.nullable = 0;
    else item->type.nullable = 1;
    return 0;
}

static bool agg_item_equal(const AggItem *a, const AggItem *b)
{
    return a->kind == b->kind && a->distinct == b->distinct &&
           (a->arg ? b->arg && sql_expr_equal(a->arg, b->arg) : !b->arg) &&
           (a->arg2 ? b->arg2 && sql_expr_equal(a->arg2, b->arg2) : !b->arg2) &&
           (a->filter ? b->filter && sql_expr_equal(a->filter, b->filter) : !b->filter);
}

static int32_t agg_find(const AggInfo *agg, const AggItem *item)
{
    for (int32_t j = 0; j < agg->naggs; j++)
        if (agg_item_equal(&agg->aggs[j], item)) return j;
    return -1;
}

int sql_collect_aggs(Env *env, const AstNode *ast)
{
    if (!ast) return 0;
    if (sql_ast_is_agg_call(ast)) {
        AggItem item;
        if (bind_agg_item(env, ast, &item) != 0) return -1;
        item.line = ast->line;
        item.column = ast->column;
        AggInfo *agg = env->agg;
        if (agg_find(agg, &item) >= 0) return 0;
        if (agg->naggs == agg->cap_aggs) {
            int32_t cap = agg->cap_aggs ? agg->cap_aggs * 2 : 8;
            AggItem *grown = wb_arena_alloc(env->b->arena, sizeof(AggItem) * (size_t)cap);
            if (agg->naggs) memcpy(grown, agg->aggs, sizeof(AggItem) * (size_t)agg->naggs);
            agg->aggs = grown;
            agg->cap_aggs = cap;
        }
        agg->aggs[agg->naggs++] = item;
        return 0;
    }
    switch (ast->kind) {
    case AST_UNARY:
        return sql_collect_aggs(env, ast->op.left);
    case AST_BINARY:
        return sql_collect_aggs(env, ast->op.left) || sql_collect_aggs(env, ast->op.right) ? -1 : 0;
    case AST_IS:
        return sql_collect_aggs(env, ast->is.arg);
    case AST_BETWEEN:
        return sql_collect_aggs(env, ast->between.arg) || sql_collect_aggs(env, ast->between.low) ||
               sql_collect_aggs(env, ast->between.high) ? -1 : 0;
    case AST_IN_LIST:
        if (sql_collect_aggs(env, ast->in.arg)) return -1;
        for (int32_t i = 0; i < ast->in.list.count; i++)
            if (sql_collect_aggs(env, ast->in.list.items[i])) return -1;
        return 0;
    case AST_IN_QUERY:
        return sql_collect_aggs(env, ast->in.arg);
    case AST_ROW:
        for (int32_t i = 0; i < ast->row.items.count; i++)
            if (sql_collect_aggs(env, ast->row.items.items[i])) return -1;
        return 0;
    case AST_LIKE:
        return sql_collect_aggs(env, ast->like.arg) || sql_collect_aggs(env, ast->like.pattern) ||
               sql_collect_aggs(env, ast->like.escape) ? -1 : 0;
    case AST_CASE:
        if (sql_collect_aggs(env, ast->case_.operand) || sql_collect_aggs(env, ast->case_.else_expr))
            return -1;
        for (int32_t i = 0; i < ast->case_.whens.count; i++)
            if (sql_collect_aggs(env, ast->case_.whens.items[i]) ||
                sql_collect_aggs(env, ast->case_.thens.items[i]))
                return -1;
        return 0;
    case AST_CAST:
        return sql_collect_aggs(env, ast->cast.arg);
    case AST_CALL:
        for (int32_t i = 0; i < ast->call.args.count; i++)
            if (sql_collect_aggs(env, ast->call.args.items[i])) return -1;
        return sql_collect_aggs(env, ast->call.filter) || sql_collect_aggs(env, ast->call.over) ? -1 : 0;
    case AST_WINDOW:
        for (int32_t i = 0; i < ast->window.partition_by.count; i++)
            if (sql_collect_aggs(env, ast->window.partition_by.items[i])) return -1;
        for (int32_t i = 0; i < ast->window.order_by.count; i++)
            if (sql_collect_aggs(env, ast->window.order_by.items[i])) return -1;
        return 0;
    case AST_ORDER_ITEM:
        return sql_collect_aggs(env, ast->order_item.expr);
    case AST_SELECT_ITEM:
        return sql_collect_aggs(env, ast->select_item.expr);
    default:
        return 0;
    }
}

/* Phase 2: an aggregate call over the aggregate's output. */
static Expr *bind_agg_ref(Env *env, const AstNode *ast)
{
    AggItem item;
    if (bind_agg_item(env, ast, &item) != 0) return NULL;
    int32_t j = agg_find(env->agg, &item);
    if (j < 0) {
        bind_error(env->b, ast, WB_SQLSTATE_GROUPING,
                   "aggregate function %s is not allowed here", ast->call.name);
        return NULL;
    }
    Expr *e = sql_expr_col(env->b->arena, env->agg->ngroup + j, item.type);
    e->line = ast->line;
    e->column = ast->column;
    return e;
}

static Expr *bind_time_unit_call(Env *env, const AstNode *ast)
{
    const char *name = ast->call.name;
    size_t len = strlen(name);
    FuncId fn;
    if (wb_ieq(name, len, "EXTRACT")) fn = FN_EXTRACT;
    else if (wb_ieq(name, len, "FLOOR")) fn = FN_FLOOR_TIME;
    else if (wb_ieq(name, len, "CEIL") || wb_ieq(name, len, "CEILING")) fn = FN_CEIL_TIME;
    else if (wb_ieq(name, len, "TIMESTAMPADD")) fn = FN_TIMESTAMPADD;
    else if (wb_ieq(name, len, "TIMESTAMPDIFF")) fn = FN_TIMESTAMPDIFF;
    else {
        bind_error(env->b, ast, WB_SQLSTATE_UNDEFINED_FUNC, "function %s does not take a time unit", name);
        return NULL;
    }
    int32_t n = ast->call.args.count;
    Expr **args = wb_arena_alloc(env->b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    if (!bind_list(env, &ast->call.args, args)) return NULL;
    return make_call(env, fn, args, n, (int32_t)ast->call.unit, ast);
}

static Expr *bind_call(Env *env, const AstNode *ast)
{
    Binder *b = env->b;
    const char *name = ast->call.name;
    size_t len = strlen(name);
    if (ast->call.over) {
        for (int32_t i = 0; i < env->nwindows; i++) {
            if (env->windows[i].call == ast)
                return sql_expr_col(b->arena, env->windows[i].col, env->windows[i].type);
        }
        bind_error(b, ast, WB_SQLSTATE_FEATURE, "window function %s is not supported here", name);
        wb_error_hint(b->err, "ROW_NUMBER() OVER (..) and aggregates OVER (..) are supported in "
                              "the select list.");
        return NULL;
    }
    if (sql_agg_lookup(name, len) >= 0 || ast->call.star) {
        if (env->agg && !env->agg->collecting) return bind_agg_ref(env, ast);
        if (env->clause && strcmp(env->clause, "an aggregate function's argument") == 0)
            bind_error(b, ast, WB_SQLSTATE_GROUPING, "aggregate function calls cannot be nested");
        else
            bind_error(b, ast, WB_SQLSTATE_GROUPING, "aggregate functions are not allowed in %s",
                       env->clause ? env->clause : "this context");
        return NULL;
    }
    bool handled;
    Expr *gw = sql_bind_group_window_fn(env, ast, &handled);
    if (handled) return gw;
    if (ast->call.distinct || ast->call.filter) {
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "DISTINCT and FILTER are only allowed in aggregate "
                   "functions, not in %s", name);
        return NULL;
    }
    if (ast->call.has_unit) return bind_time_unit_call(env, ast);
    if (ast->call.no_parens) {
        /* CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIME */
        int32_t aux = -1;
        if (wb_ieq(name, len, "CURRENT_TIMESTAMP")) aux = 0;
        else if (wb_ieq(name, len, "LOCALTIMESTAMP")) aux = 3;
        else if (wb_ieq(name, len, "CURRENT_DATE")) aux = 1;
        else if (wb_ieq(name, len, "CURRENT_TIME") || wb_ieq(name, len, "LOCALTIME")) aux = 2;
        if (aux < 0) {
            bind_error(b, ast, WB_SQLSTATE_FEATURE, "%s is not supported yet", name);
            return NULL;
        }
        return make_call(env, FN_NOW, NULL, 0, aux, ast);
    }
    /* Flink's single-field extractors: HOUR(ts) is EXTRACT(HOUR FROM ts) */
    static const struct { const char *name; TimeUnit unit; } fields[] = {
        {"YEAR", TU_YEAR}, {"QUARTER", TU_QUARTER}, {"MONTH", TU_MONTH}, {"WEEK", TU_WEEK},
        {"DAYOFYEAR", TU_DOY}, {"DAYOFMONTH", TU_DAY}, {"DAYOFWEEK", TU_DOW},
        {"HOUR", TU_HOUR}, {"MINUTE", TU_MINUTE}, {"SECOND", TU_SECOND},
    };
    for (size_t i = 0; i < WB_ARRAY_LEN(fields); i++) {
        if (!wb_ieq(name, len, fields[i].name) || ast->call.args.count != 1) continue;
        Expr *arg = sql_bind_expr(env, ast->call.args.items[0]);
        if (!arg) return NULL;
        return make_call(env, FN_EXTRACT, &arg, 1, (int32_t)fields[i].unit, ast);
    }
    FuncId fn = sql_func_lookup(name, len);
    if (fn == FN_NONE) {
        bind_error(b, ast, WB_SQLSTATE_UNDEFINED_FUNC, "function %s does not exist", name);
        if (wb_ieq(name, len, "ROW_NUMBER") || wb_ieq(name, len, "RANK"))
            wb_error_hint(b->err, "%s needs an OVER (...) clause.", name);
        return NULL;
    }
    int32_t n = ast->call.args.count;
    Expr **args = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    if (!bind_list(env, &ast->call.args, args)) return NULL;
    int32_t aux = fn == FN_TRIM ? (int32_t)ast->call.trim_mode : 0;
    Expr *call = make_call(env, fn, args, n, aux, ast);
    if (call && wb_ieq(name, len, "PROCTIME")) call->type.time_attr = TY_PROCTIME;
    return call;
}

static FuncId binop_fn(AstBinOp op)
{
    switch (op) {
    case AOP_ADD: return FN_ADD;
    case AOP_SUB: return FN_SUB;
    case AOP_MUL: return FN_MUL;
    case AOP_DIV: return FN_DIV;
    case AOP_MOD: return FN_MOD;
    case AOP_CONCAT: return FN_CONCAT;
    case AOP_EQ: return FN_EQ;
    case AOP_NE: return FN_NE;
    case AOP_LT: return FN_LT;
    case AOP_LE: return FN_LE;
    case AOP_GT: return FN_GT;
    case AOP_GE: return FN_GE;
    case AOP_IS_DISTINCT: return FN_IS_DISTINCT;
    case AOP_IS_NOT_DISTINCT: return FN_IS_NOT_DISTINCT;
    case AOP_AND: return FN_AND;
    case AOP_OR: return FN_OR;
    case AOP_NEG: return FN_NEG;
    case AOP_NOT: return FN_NOT;
    }
    return FN_NONE;
}

static Expr *bind_case(Env *env, const AstNode *ast)
{
    Binder *b = env->b;
    int32_t nwhen = ast->case_.whens.count;
    int32_t n = nwhen * 2 + (ast->case_.else_expr ? 1 : 0);
    Expr **args = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    Expr *operand = NULL;
    if (ast->case_.operand && !(operand = sql_bind_expr(env, ast->case_.operand))) return NULL;
    for (int32_t i = 0; i < nwhen; i++) {
        const AstNode *when = ast->case_.whens.items[i];
        Expr *cond = sql_bind_expr(env, when);
        if (!cond) return NULL;
        if (operand) {
            Expr *pair[2] = {operand, cond};
            if (!(cond = make_call(env, FN_EQ, pair, 2, 0, when))) return NULL;
        }
        args[2 * i] = cond;
        if (!(args[2 * i + 1] = sql_bind_expr(env, ast->case_.thens.items[i]))) return NULL;
    }
    if (ast->case_.else_expr && !(args[n - 1] = sql_bind_expr(env, ast->case_.else_expr)))
        return NULL;
    return make_call(env, FN_CASE, args, n, ast->case_.else_expr ? 1 : 0, ast);
}

static Expr *bind_between(Env *env, const AstNode *ast)
{
    Expr *x = sql_bind_expr(env, ast->between.arg);
    Expr *low = x ? sql_bind_expr(env, ast->between.low) : NULL;
    Expr *high = low ? sql_bind_expr(env, ast->between.high) : NULL;
    if (!high) return NULL;
    bool neg = ast->between.negated;
    /* x BETWEEN a AND b  ==  x >= a AND x <= b;  NOT: x < a OR x > b */
    Expr *lo_args[2] = {x, low}, *hi_args[2] = {x, high};
    Expr *lo = make_call(env, neg ? FN_LT : FN_GE, lo_args, 2, 0, ast);
    Expr *hi = lo ? make_call(env, neg ? FN_GT : FN_LE, hi_args, 2, 0, ast) : NULL;
    if (!hi) return NULL;
    Expr *result = make_logic(env, neg ? FN_OR : FN_AND, lo, hi, ast);
    if (!result || !ast->between.symmetric) return result;
    Expr *lo2_args[2] = {x, high}, *hi2_args[2] = {x, low};
    Expr *lo2 = make_call(env, neg ? FN_LT : FN_GE, lo2_args, 2, 0, ast);
    Expr *hi2 = lo2 ? make_call(env, neg ? FN_GT : FN_LE, hi2_args, 2, 0, ast) : NULL;
    Expr *swapped = hi2 ? make_logic(env, neg ? FN_OR : FN_AND, lo2, hi2, ast) : NULL;
    if (!swapped) return NULL;
    return make_logic(env, neg ? FN_AND : FN_OR, result, swapped, ast);
}

/* Post-aggregation: a sub-expression equal to a GROUP BY expression is a
 * reference to its group column.  Returns NULL with *handled false when the
 * expression must be bound structurally. */
static Expr *match_group(Env *env, const AstNode *ast, bool *handled)
{
    *handled = false;
    if (ast->kind == AST_LITERAL || sql_ast_has_agg(ast) || sql_ast_has_subquery(ast) ||
        sql_ast_has_window(ast))
        return NULL;
    Env pre = *env->agg->pre;
    pre.agg = NULL;
    pre.clause = "GROUP BY";
    Expr *e = sql_bind_expr(&pre, ast);
    *handled = true;
    if (!e) return NULL;
    for (int32_t g = 0; g < env->agg->ngroup; g++) {
        if (sql_expr_equal(e, env->agg->group[g])) {
            Expr *ref = sql_expr_col(env->b->arena, g, env->agg->group[g]->type);
            ref->line = ast->line;
            ref->column = ast->column;
            return ref;
        }
    }
    if (ast->kind == AST_COLUMN_REF && e->kind == EX_CONST) return e;   /* CORR_RECORD's stand-in */
    if (ast->kind == AST_COLUMN_REF && !sql_expr_has_corr(e)) {
        const char *q = ast->column_ref.qualifier;
        bind_error(env->b, ast, WB_SQLSTATE_GROUPING,
                   "column \"%s%s%s\" must appear in the GROUP BY clause or be used in an "
                   "aggregate function", q ? q : "", q ? "." : "", ast->column_ref.name);
        return NULL;
    }
    if (ast->kind == AST_COLUMN_REF) return e;   /* a correlated outer column */
    *handled = false;
    return NULL;
}

Expr *sql_bind_expr(Env *env, const AstNode *ast)
{
    Binder *b = env->b;
    if (env->agg && !env->agg->collecting) {
        bool handled;
        Expr *e = match_group(env, ast, &handled);
        if (handled) return e;
    }
    switch (ast->kind) {
    case AST_LITERAL: {
        Value v;
        if (sql_literal_value(b, ast, &v) != 0) return NULL;
        Expr *e = sql_expr_const(b->arena, v);
        e->line = ast->line;
        e->column = ast->column;
        return e;
    }
    case AST_COLUMN_REF:
        return bind_column(env, ast);
    case AST_STAR:
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "* is only allowed in the select list and in COUNT(*)");
        return NULL;
    case AST_UNARY: {
        Expr *arg = sql_bind_expr(env, ast->op.left);
        if (!arg) return NULL;
        return make_call(env, binop_fn(ast->op.op), &arg, 1, 0, ast);
    }
    case AST_BINARY: {
        Expr *left = sql_bind_expr(env, ast->op.left);
        Expr *right = left ? sql_bind_expr(env, ast->op.right) : NULL;
        if (!right) return NULL;
        FuncId fn = binop_fn(ast->op.op);
        if (fn == FN_AND || fn == FN_OR) return make_logic(env, fn, left, right, ast);
        Expr *args[2] = {left, right};
        return make_call(env, fn, args, 2, 0, ast);
    }
    case AST_IS: {
        Expr *arg = sql_bind_expr(env, ast->is.arg);
        if (!arg) return NULL;
        bool neg = ast->is.negated;
        FuncId fn;
        switch (ast->is.what) {
        case AIS_TRUE: fn = neg ? FN_IS_NOT_TRUE : FN_IS_TRUE; break;
        case AIS_FALSE: fn = neg ? FN_IS_NOT_FALSE : FN_IS_FALSE; break;
        default: fn = neg ? FN_IS_NOT_NULL : FN_IS_NULL; break;
        }
        return make_call(env, fn, &arg, 1, 0, ast);
    }
    case AST_BETWEEN:
        return bind_between(env, ast);
    case AST_IN_LIST: {
        int32_t n = ast->in.list.count + 1;
        Expr **args = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        if (!(args[0] = sql_bind_expr(env, ast->in.arg))) return NULL;
        for (int32_t i = 1; i < n; i++)
            if (!(args[i] = sql_bind_expr(env, ast->in.list.items[i - 1]))) return NULL;
        Expr *in = make_call(env, FN_IN, args, n, 0, ast);
        if (!in || !ast->in.negated) return in;
        return make_call(env, FN_NOT, &in, 1, 0, ast);
    }
    case AST_LIKE: {
        Expr *args[3];
        int32_t n = ast->like.escape ? 3 : 2;
        if (!(args[0] = sql_bind_expr(env, ast->like.arg))) return NULL;
        if (!(args[1] = sql_bind_expr(env, ast->like.pattern))) return NULL;
        if (n == 3 && !(args[2] = sql_bind_expr(env, ast->like.escape))) return NULL;
        Expr *like = make_call(env, ast->like.similar ? FN_SIMILAR : FN_LIKE, args, n, 0, ast);
        if (!like || !ast->like.negated) return like;
        return make_call(env, FN_NOT, &like, 1, 0, ast);
    }
    case AST_IN_QUERY:
    case AST_EXISTS:
        return sql_bind_subquery_mark(env, ast);
    case AST_SUBQUERY:
        return sql_bind_scalar_subquery(env, ast);
    case AST_CASE:
        return bind_case(env, ast);
    case AST_CAST: {
        Expr *arg = sql_bind_expr(env, ast->cast.arg);
        if (!arg) return NULL;
        SqlType to = ast->cast.type;
        if (ast->cast.ltz && to.id == TY_TIMESTAMP) to.ltz = 1;
        return make_cast(env, ast->cast.try_cast ? FN_TRY_CAST : FN_CAST, arg, to, ast);
    }
    case AST_CALL:
        return bind_call(env, ast);
    default:
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "%s is not an expression",
                   sql_ast_kind_name(ast->kind));
        return NULL;
    }
}

Expr *sql_bind_condition(Env *env, const AstNode *ast, const char *clause)
{
    const char *saved = env->clause;
    env->clause = clause;
    Expr *e = sql_bind_expr(env, ast);
    env->clause = saved;
    if (!e) return NULL;
    if (e->type.id == TY_NULL) return sql_expr_cast(env->b->arena, e, ty_make(TY_BOOLEAN));
    if (e->type.id != TY_BOOLEAN) {
        char tbuf[64];
        bind_error(env->b, ast, WB_SQLSTATE_DATATYPE, "argument of %s must be type BOOLEAN, not type %s",
                   clause, ty_name(e->type, tbuf, sizeof tbuf));
        return NULL;
    }
    return e;
}
