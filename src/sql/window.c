/*
 * window.c - planning of the window table-valued functions in FROM:
 * TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])), HOP (slide,
 * size [, offset]), CUMULATE (step, size [, offset]), with positional or
 * named arguments (DATA, TIMECOL, SIZE, SLIDE, STEP, OFFSET), as Flink
 * defines them.  The result is a PN_WINDOW node over the data: its columns,
 * then window_start, window_end and window_time.  The time column must be
 * a time attribute; after windowing it is a plain TIMESTAMP and
 * window_time is the time attribute (Flink's rule).  Which aggregates,
 * top-Ns and joins over the windows become window operators is decided
 * by the optimizer (opt_window.c).
 */
#include "sql/planner_int.h"

#include <string.h>
#include <strings.h>

typedef struct TvfSig {
    const char *name;
    WindowKind kind;
    int32_t nrequired;
    const char *args[3];         /* the duration arguments, in order */
} TvfSig;

static const TvfSig sigs[] = {
    {"TUMBLE", WK_TUMBLE, 1, {"SIZE", "OFFSET", NULL}},
    {"HOP", WK_HOP, 2, {"SLIDE", "SIZE", "OFFSET"}},
    {"CUMULATE", WK_CUMULATE, 2, {"STEP", "SIZE", "OFFSET"}},
    {"SESSION", WK_SESSION, 1, {"GAP", NULL, NULL}},
};

/* An INTERVAL DAY TO SECOND literal, in microseconds. */
static bool duration_of(Binder *b, const AstNode *arg, const char *func, const char *what,
                        bool positive, int64_t *out)
{
    const AstNode *a = arg;
    bool negate = false;
    if (a->kind == AST_UNARY && a->op.op == AOP_NEG) {
        negate = true;
        a = a->op.left;
    }
    if (a->kind != AST_LITERAL || a->literal.type.id != TY_INTERVAL_DT) {
        bind_error(b, arg, WB_SQLSTATE_DATATYPE,
                   "the %s of %s must be an INTERVAL literal of days to seconds, e.g. INTERVAL '10' MINUTES",
                   what, func);
        return false;
    }
    int64_t ms = negate ? -a->literal.i64 : a->literal.i64;
    if (positive && ms <= 0) {
        bind_error(b, arg, WB_SQLSTATE_DATA, "the %s of %s must be positive", what, func);
        return false;
    }
    *out = ms * 1000;
    return true;
}

/* The time column of a window function: a rowtime attribute of rel. */
static bool window_time_col(Binder *b, const Rel *rel, const char *func, const char *name,
                            int line, int column, int32_t *out)
{
    int32_t idx = sql_scope_find(rel, NULL, name);
    if (idx < 0) {
        wb_error(b->err, idx == -2 ? WB_SQLSTATE_AMBIGUOUS_COL : WB_SQLSTATE_UNDEFINED_COL, line,
                 column,
                 idx == -2 ? "column reference \"%s\" is ambiguous" : "column \"%s\" does not exist",
                 name);
        return false;
    }
    SqlType tt = rel->cols[idx].type;
    if (tt.id != TY_TIMESTAMP || !tt.time_attr) {
        char tbuf[64];
        wb_error(b->err, WB_SQLSTATE_DATATYPE, line, column,
                 "the window function %s requires its time column to be a time attribute, "
                 "but \"%s\" is %s",
                 func, name, ty_name(tt, tbuf, sizeof tbuf));
        wb_error_hint(b->err, "Declare WATERMARK FOR %s AS ... in the table, or use a PROCTIME() column.",
                      name);
        return false;
    }
    *out = idx;
    return true;
}

bool sql_plan_window_tvf(Binder *b, const AstNode *ast, Rel *out)
{
    const TvfSig *sig = NULL;
    for (size_t i = 0; i < WB_ARRAY_LEN(sigs); i++)
        if (strcasecmp(sigs[i].name, ast->tvf.func) == 0) sig = &sigs[i];
    if (!sig) {
        bind_error(b, ast, WB_SQLSTATE_UNDEFINED_FUNC, "unknown window function %s", ast->tvf.func);
        return false;
    }
    if (ast->tvf.partition.count && sig->kind != WK_SESSION) {
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "PARTITION BY is only for SESSION windows");
        return false;
    }
    /* arguments into their slots: positional first, then by name */
    const AstNode *slot[3] = {NULL, NULL, NULL};
    int32_t nslots = 0;
    while (nslots < 3 && sig->args[nslots]) nslots++;
    int32_t pos = 0;
    for (int32_t i = 0; i < ast->tvf.args.count; i++) {
        const AstNode *arg = ast->tvf.args.items[i];
        const char *name = ast->tvf.arg_names[i];
        int32_t k = -1;
        if (name) {
            for (int32_t j = 0; j < nslots; j++)
                if (strcasecmp(sig->args[j], name) == 0) k = j;
            if (k < 0) {
                bind_error(b, arg, WB_SQLSTATE_SYNTAX, "%s has no parameter named %s", sig->name, name);
                return false;
            }
        } else {
            k = pos++;
            if (k >= nslots) {
                bind_error(b, arg, WB_SQLSTATE_SYNTAX, "too many arguments for %s", sig->name);
                return false;
            }
        }
        if (slot[k]) {
            bind_error(b, arg, WB_SQLSTATE_SYNTAX, "the %s of %s is given twice", sig->args[k], sig->name);
            return false;
        }
        slot[k] = arg;
    }
    for (int32_t k = 0; k < sig->nrequired; k++) {
        if (!slot[k]) {
            bind_error(b, ast, WB_SQLSTATE_SYNTAX, "%s needs its %s argument", sig->name, sig->args[k]);
            return false;
        }
    }
    WindowSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.kind = sig->kind;
    if (sig->kind == WK_SESSION) {
        if (!duration_of(b, slot[0], sig->name, "GAP", true, &spec.size)) return false;
    } else if (sig->kind == WK_TUMBLE) {
        if (!duration_of(b, slot[0], sig->name, "SIZE", true, &spec.size)) return false;
        if (slot[1] && !duration_of(b, slot[1], sig->name, "OFFSET", false, &spec.offset)) return false;
    } else {
        if (!duration_of(b, slot[0], sig->name, sig->args[0], true, &spec.slide)) return false;
        if (!duration_of(b, slot[1], sig->name, "SIZE", true, &spec.size)) return false;
        if (slot[2] && !duration_of(b, slot[2], sig->name, "OFFSET", false, &spec.offset)) return false;
        if (spec.size % spec.slide != 0) {
            bind_error(b, slot[1], WB_SQLSTATE_DATA,
                       "the SIZE of %s must be an integral multiple of its %s, but got size %lld ms and %s %lld ms",
                       sig->name, sig->args[0], (long long)(spec.size / 1000),
                       sig->kind == WK_HOP ? "slide" : "step", (long long)(spec.slide / 1000));
            return false;
        }
    }

    Rel in;
    if (!sql_plan_from(b, ast->tvf.data, NULL, &in)) return false;
    int32_t idx;
    if (!window_time_col(b, &in, sig->name, ast->tvf.timecol, ast->tvf.timecol_line,
                         ast->tvf.timecol_column, &idx))
        return false;
    spec.time_col = in.cols[idx].index;
    spec.npartition = ast->tvf.partition.count;
    spec.partition = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(spec.npartition + 1));
    for (int32_t i = 0; i < spec.npartition; i++) {
        const AstNode *pc = ast->tvf.partition.items[i];
        int32_t k = sql_scope_find(&in, NULL, pc->ident.name);
        if (k < 0) {
            bind_error(b, pc, k == -2 ? WB_SQLSTATE_AMBIGUOUS_COL : WB_SQLSTATE_UNDEFINED_COL,
                       k == -2 ? "column reference \"%s\" is ambiguous" : "column \"%s\" does not exist",
                       pc->ident.name);
            return false;
        }
        spec.partition[i] = in.cols[k].index;
    }
    PlanNode *w = sql_node_window(b, in.node, &spec);
    int32_t n = in.node->ncols;
    out->node = w;
    out->ncols = in.ncols + 3;
    out->cols = sql_scope_alloc(b, out->ncols);
    for (int32_t i = 0; i < in.ncols; i++) {
        out->cols[i] = in.cols[i];
        out->cols[i].type.time_attr = 0;
    }
    const char *qualifier = ast->tvf.alias;
    for (int32_t k = 0; k < 3; k++) {
        ScopeCol *col = &out->cols[in.ncols + k];
        memset(col, 0, sizeof *col);
        col->qualifier = qualifier;
        col->name = w->names[n + k];
        col->type = w->types[n + k];
        col->index = n + k;
    }
    if (qualifier)
        for (int32_t i = 0; i < out->ncols; i++) out->cols[i].qualifier = qualifier;
    return sql_rel_rename(b, out, &ast->tvf.col_aliases, ast);
}

/* ---- legacy group windows ---- */

bool sql_is_group_window(const AstNode *ast)
{
    if (ast->kind != AST_CALL || ast->call.over || ast->call.star) return false;
    const char *n = ast->call.name;
    return strcasecmp(n, "TUMBLE") == 0 || strcasecmp(n, "HOP") == 0 ||
           strcasecmp(n, "SESSION") == 0;
}

bool sql_plan_group_window(Binder *b, Rel *from, const AstNode *call, const AstList *group_by,
                           GroupWindow *out)
{
    const char *func = call->call.name;
    const AstList *args = &call->call.args;
    WindowSpec spec;
    memset(&spec, 0, sizeof spec);
    int32_t want_min, want_max;
    if (strcasecmp(func, "TUMBLE") == 0) {
        spec.kind = WK_TUMBLE;
        want_min = 2, want_max = 3;
    } else if (strcasecmp(func, "HOP") == 0) {
        spec.kind = WK_HOP;
        want_min = 3, want_max = 4;
    } else {
        spec.kind = WK_SESSION;
        want_min = 2, want_max = 2;
    }
    if (args->count < want_min || args->count > want_max) {
        bind_error(b, call, WB_SQLSTATE_SYNTAX, "%s takes %d to %d arguments: the time column, %s",
                   func, (int)want_min, (int)want_max,
                   spec.kind == WK_TUMBLE ? "the size [, the offset]"
                   : spec.kind == WK_HOP ? "the slide, the size [, the offset]" : "the gap");
        return false;
    }
    const AstNode *tc = args->items[0];
    if (tc->kind != AST_COLUMN_REF) {
        bind_error(b, tc, WB_SQLSTATE_SYNTAX, "the first argument of %s must be a time column", func);
        return false;
    }
    int32_t idx;
    if (!window_time_col(b, from, func, tc->column_ref.name, tc->line, tc->column, &idx))
        return false;
    if (spec.kind == WK_SESSION) {
        if (!duration_of(b, args->items[1], func, "gap", true, &spec.size)) return false;
    } else if (spec.kind == WK_TUMBLE) {
        if (!duration_of(b, args->items[1], func, "size", true, &spec.size)) return false;
        if (args->count > 2 && !duration_of(b, args->items[2], func, "offset", false, &spec.offset))
            return false;
    } else {
        if (!duration_of(b, args->items[1], func, "slide", true, &spec.slide)) return false;
        if (!duration_of(b, args->items[2], func, "size", true, &spec.size)) return false;
        if (args->count > 3 && !duration_of(b, args->items[3], func, "offset", false, &spec.offset))
            return false;
        if (spec.size % spec.slide != 0) {
            bind_error(b, args->items[2], WB_SQLSTATE_DATA,
                       "the size of HOP must be an integral multiple of its slide");
            return false;
        }
    }
    spec.time_col = from->cols[idx].index;
    if (spec.kind == WK_SESSION) {
        /* sessions are per group: the other GROUP BY items partition them */
        spec.partition = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(group_by->count + 1));
        for (int32_t g = 0; g < group_by->count; g++) {
            const AstNode *item = group_by->items[g];
            if (item == call) continue;
            int32_t k = item->kind == AST_COLUMN_REF
                            ? sql_scope_find(from, item->column_ref.qualifier, item->column_ref.name)
                            : -1;
            if (k < 0) {
                bind_error(b, item, WB_SQLSTATE_FEATURE,
                           "with a SESSION group window, the other GROUP BY items must be columns");
                return false;
            }
            spec.partition[spec.npartition++] = from->cols[k].index;
        }
    }
    PlanNode *w = sql_node_window(b, from->node, &spec);
    int32_t n = from->node->ncols;
    ScopeCol *cols = sql_scope_alloc(b, from->ncols + 3);
    memcpy(cols, from->cols, sizeof(ScopeCol) * (size_t)from->ncols);
    for (int32_t k = 0; k < 3; k++) {
        ScopeCol *col = &cols[from->ncols + k];
        memset(col, 0, sizeof *col);
        col->name = w->names[n + k];
        col->type = w->types[n + k];
        col->index = n + k;
        col->star_hidden = true;
        col->name_hidden = true;
    }
    from->node = w;
    from->cols = cols;
    from->ncols += 3;
    out->func = func;
    out->start_col = n;
    out->end_col = n + 1;
    out->time_col = n + 2;
    return true;
}

Expr *sql_bind_group_window_fn(Env *env, const AstNode *ast, bool *handled)
{
    *handled = false;
    const char *name = ast->call.name;
    const char *us = strchr(name, '_');
    if (!us) return NULL;
    size_t plen = (size_t)(us - name);
    static const char *const families[] = {"TUMBLE", "HOP", "SESSION"};
    bool family = false;
    for (size_t i = 0; i < WB_ARRAY_LEN(families); i++)
        family |= strlen(families[i]) == plen && strncasecmp(families[i], name, plen) == 0;
    const char *part = us + 1;
    int which = strcasecmp(part, "START") == 0 ? 0 : strcasecmp(part, "END") == 0 ? 1
              : strcasecmp(part, "ROWTIME") == 0 ? 2 : -1;
    if (!family || which < 0) return NULL;
    *handled = true;
    const GroupWindow *gw = env->gwin;
    if (!gw || strlen(gw->func) != plen || strncasecmp(gw->func, name, plen) != 0) {
        bind_error(env->b, ast, WB_SQLSTATE_GROUPING, "%s needs GROUP BY %.*s(...) in the same query",
                   name, (int)plen, name);
        return NULL;
    }
    int32_t col = which == 0 ? gw->start_col : which == 1 ? gw->end_col : gw->time_col;
    PlanNode *node = env->rel->node;
    Expr *e = sql_expr_col(env->b->arena, col, node->types[col]);
    e->line = ast->line;
    e->column = ast->column;
    return e;
}
