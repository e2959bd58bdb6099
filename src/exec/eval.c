/*
 * eval.c - the vectorized expression evaluator: entry points, column and
 * constant nodes, comparisons, three-valued logic, IN, and the lazy
 * conditionals (CASE, IF, COALESCE, NULLIF).
 *
 * Laziness works on row selections (see eval_int.h): a conditional first
 * evaluates its condition over the rows it was given, splits those rows by
 * the outcome, and evaluates each branch only over the rows that take it.
 * So `CASE WHEN x = 0 THEN 0 ELSE 10 / x END` never divides by the zero, and
 * AND/OR skip their later operands on rows the earlier ones decided.
 */
#include "exec/eval_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- shared helpers ---- */

void ev_vec(EvalCtx *cx, ColumnVector *vec, SqlType type)
{
    ex_vector_alloc(vec, type, cx->nrows, cx->arena);
}

int32_t *ev_sel_alloc(EvalCtx *cx, int32_t n)
{
    return wb_arena_alloc(cx->arena, sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
}

int ev_error(EvalCtx *cx, const Expr *e, const char *sqlstate, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wb_error(cx->err, sqlstate, e->line, e->column, "%s", msg);
    return -1;
}

WbStr ev_str(EvalCtx *cx, const char *ptr, size_t len)
{
    WbStr s;
    char *copy = wb_arena_alloc(cx->arena, len ? len : 1);
    if (len) memcpy(copy, ptr, len);
    s.ptr = copy;
    s.len = (uint32_t)len;
    return s;
}

void ex_vector_alloc(ColumnVector *vec, SqlType type, int32_t n, WbArena *arena)
{
    size_t rows = (size_t)(n > 0 ? n : 1);
    vec->type = type;
    vec->nulls = wb_arena_calloc(arena, rows);
    switch (ty_phys(type)) {
    case PK_I64: vec->i64 = wb_arena_calloc(arena, rows * sizeof(int64_t)); break;
    case PK_I128: vec->i128 = wb_arena_calloc(arena, rows * sizeof(ty_i128)); break;
    case PK_F64: vec->f64 = wb_arena_calloc(arena, rows * sizeof(double)); break;
    case PK_STR: vec->str = wb_arena_calloc(arena, rows * sizeof(WbStr)); break;
    }
}

/* ---- leaves ---- */

static void copy_rows(const ColumnVector *src, const int32_t *sel, int32_t n, ColumnVector *out)
{
    switch (ty_phys(out->type)) {
    case PK_I64:
        for (int32_t k = 0; k < n; k++) out->i64[sel[k]] = src->i64[sel[k]];
        break;
    case PK_I128:
        for (int32_t k = 0; k < n; k++) out->i128[sel[k]] = src->i128[sel[k]];
        break;
    case PK_F64:
        for (int32_t k = 0; k < n; k++) out->f64[sel[k]] = src->f64[sel[k]];
        break;
    case PK_STR:
        for (int32_t k = 0; k < n; k++) out->str[sel[k]] = src->str[sel[k]];
        break;
    }
    for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = src->nulls[sel[k]];
}

static void fill_const(const Value *v, const int32_t *sel, int32_t n, ColumnVector *out)
{
    if (v->is_null || v->type.id == TY_NULL) {
        for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = 1;
        return;
    }
    switch (ty_phys(out->type)) {
    case PK_I64:
        for (int32_t k = 0; k < n; k++) out->i64[sel[k]] = v->i64;
        break;
    case PK_I128:
        for (int32_t k = 0; k < n; k++) out->i128[sel[k]] = v->i128;
        break;
    case PK_F64:
        for (int32_t k = 0; k < n; k++) out->f64[sel[k]] = v->f64;
        break;
    case PK_STR:
        for (int32_t k = 0; k < n; k++) out->str[sel[k]] = v->str;
        break;
    }
    for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = 0;
}

int ev_arg(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    if (e->kind == EX_COL) {
        *out = cx->in->cols[e->col];
        out->type = e->type;
        return 0;
    }
    ev_vec(cx, out, e->type);
    return ev_node(cx, e, sel, n, out);
}

/* ---- comparisons ---- */

/* One loop per (physical kind, operator); the switch picks the loop.
 * Numbers compare every row without a branch (the value of a NULL row is
 * unspecified, its slot is allocated); strings skip NULL rows, whose slot
 * is not a valid string. */
#define CMP_LOOP_NUM(FIELD, EXPR)                                             \
    for (int32_t k = 0; k < n; k++) {                                         \
        int32_t r = sel[k];                                                   \
        out->nulls[r] = a.nulls[r] | b.nulls[r];                              \
        __typeof__(a.FIELD[r]) x = a.FIELD[r], y = b.FIELD[r];                \
        out->i64[r] = (EXPR);                                                 \
    }

#define CMP_LOOP_STR(FIELD, EXPR)                                             \
    for (int32_t k = 0; k < n; k++) {                                         \
        int32_t r = sel[k];                                                   \
        if (a.nulls[r] | b.nulls[r]) { out->nulls[r] = 1; continue; }        \
        out->nulls[r] = 0;                                                    \
        __typeof__(a.FIELD[r]) x = a.FIELD[r], y = b.FIELD[r];                \
        out->i64[r] = (EXPR);                                                 \
    }

#define CMP_ALL(LOOP, FIELD, CMP)                                              \
    switch (fn) {                                                             \
    case FN_EQ: LOOP(FIELD, CMP(x, y) == 0) break;                            \
    case FN_NE: LOOP(FIELD, CMP(x, y) != 0) break;                            \
    case FN_LT: LOOP(FIELD, CMP(x, y) < 0) break;                             \
    case FN_LE: LOOP(FIELD, CMP(x, y) <= 0) break;                            \
    case FN_GT: LOOP(FIELD, CMP(x, y) > 0) break;                             \
    case FN_GE: LOOP(FIELD, CMP(x, y) >= 0) break;                            \
    default: break;                                                           \
    }

#define NUM_CMP(x, y) (((x) > (y)) - ((x) < (y)))

static inline bool str_eq(WbStr x, WbStr y)
{
    return x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
}

static int ev_compare(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                      ColumnVector *out)
{
    bool done;
    if (ev_compare_const(cx, e, sel, n, out, &done) != 0) return -1;
    if (done) return 0;
    ColumnVector a, b;
    if (ev_arg(cx, e->args[0], sel, n, &a) || ev_arg(cx, e->args[1], sel, n, &b)) return -1;
    FuncId fn = (FuncId)e->fn;
    PhysKind kind = ty_phys(e->args[0]->type);
    if (fn == FN_IS_DISTINCT || fn == FN_IS_NOT_DISTINCT) {
        int64_t want_distinct = fn == FN_IS_DISTINCT;
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            bool same;
            if (a.nulls[r] || b.nulls[r]) same = a.nulls[r] && b.nulls[r];
            else if (kind == PK_I64) same = a.i64[r] == b.i64[r];
            else if (kind == PK_I128) same = a.i128[r] == b.i128[r];
            else if (kind == PK_F64) same = a.f64[r] == b.f64[r];
            else same = str_eq(a.str[r], b.str[r]);
            out->nulls[r] = 0;
            out->i64[r] = same ? !want_distinct : want_distinct;
        }
        return 0;
    }
    switch (kind) {
    case PK_I64: CMP_ALL(CMP_LOOP_NUM, i64, NUM_CMP) break;
    case PK_I128: CMP_ALL(CMP_LOOP_NUM, i128, NUM_CMP) break;
    case PK_F64: CMP_ALL(CMP_LOOP_NUM, f64, NUM_CMP) break;
    case PK_STR: CMP_ALL(CMP_LOOP_STR, str, str_cmp) break;
    }
    return 0;
}

/* ---- logic ---- */

/* AND/OR: operand i is evaluated only over rows that operands 0..i-1 left
 * undecided (AND: not yet FALSE; OR: not yet TRUE).  Result per row follows
 * SQL's three-valued tables: FALSE dominates AND, TRUE dominates OR, else
 * NULL if any operand was NULL. */
/* AND/OR whose operands cannot fail: evaluating every operand on every row
 * gives the same result as the lazy loop below and no error, so each
 * operand runs over the whole selection and the three-valued tables are
 * applied without a branch: per row, "decided" (some operand equals the
 * decisive value) and "all not NULL". */
static int ev_andor_eager(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                          ColumnVector *out)
{
    int64_t decisive = e->fn == FN_AND ? 0 : 1;
    bool dense = n == cx->nrows;
    ColumnVector v;
    for (int32_t i = 0; i < e->nargs; i++) {
        if (ev_arg(cx, e->args[i], sel, n, &v)) return -1;
        /* out->i64[r]: 1 once decided; out->nulls[r]: 1 once a NULL came. */
        if (i == 0) {
            for (int32_t k = 0; k < n; k++) {
                int32_t r = dense ? k : sel[k];
                uint8_t is_null = v.nulls[r] != 0;
                out->i64[r] = !is_null & ((v.i64[r] != 0) == decisive);
                out->nulls[r] = is_null;
            }
        } else {
            for (int32_t k = 0; k < n; k++) {
                int32_t r = dense ? k : sel[k];
                uint8_t is_null = v.nulls[r] != 0;
                out->i64[r] |= !is_null & ((v.i64[r] != 0) == decisive);
                out->nulls[r] |= is_null;
            }
        }
    }
    /* Decided rows take the decisive value; the others are NULL if a NULL
     * came, else the other value. */
    for (int32_t k = 0; k < n; k++) {
        int32_t r = dense ? k : sel[k];
        int64_t decided = out->i64[r];
        out->nulls[r] = (uint8_t)(out->nulls[r] & !decided);
        out->i64[r] = decided ? decisive : !decisive;
    }
    return 0;
}

static int ev_andor(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                    ColumnVector *out)
{
    bool may_fail = false;
    for (int32_t i = 1; i < e->nargs && !may_fail; i++) may_fail = ev_may_fail(e->args[i]);
    if (!may_fail) return ev_andor_eager(cx, e, sel, n, out);
    int64_t decisive = e->fn == FN_AND ? 0 : 1;
    if (ev_node(cx, e->args[0], sel, n, out)) return -1;
    int32_t *rest = ev_sel_alloc(cx, n);
    ColumnVector tmp;
    ev_vec(cx, &tmp, ty_make(TY_BOOLEAN));
    const int32_t *cur = sel;
    int32_t ncur = n;
    for (int32_t i = 1; i < e->nargs; i++) {
        int32_t nrest = 0;
        for (int32_t k = 0; k < ncur; k++) {
            int32_t r = cur[k];
            if (out->nulls[r] || out->i64[r] != decisive) rest[nrest++] = r;
        }
        if (nrest == 0) break;
        if (ev_node(cx, e->args[i], rest, nrest, &tmp)) return -1;
        for (int32_t k = 0; k < nrest; k++) {
            int32_t r = rest[k];
            if (!tmp.nulls[r] && tmp.i64[r] == decisive) {
                out->nulls[r] = 0;
                out->i64[r] = decisive;
            } else if (tmp.nulls[r]) {
                out->nulls[r] = 1;
            }
        }
        cur = rest;
        ncur = nrest;
        if (i + 1 < e->nargs) rest = ev_sel_alloc(cx, nrest);
    }
    return 0;
}

static int ev_logic(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                    ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    ColumnVector a;
    if (ev_arg(cx, e->args[0], sel, n, &a)) return -1;
    switch (fn) {
    case FN_NOT:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            out->nulls[r] = a.nulls[r];
            out->i64[r] = !a.i64[r];
        }
        break;
    case FN_IS_NULL:
    case FN_IS_NOT_NULL: {
        int64_t want = fn == FN_IS_NULL;
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            out->nulls[r] = 0;
            out->i64[r] = a.nulls[r] ? want : !want;
        }
        break;
    }
    case FN_IS_TRUE:
    case FN_IS_NOT_TRUE:
    case FN_IS_FALSE:
    case FN_IS_NOT_FALSE: {
        int64_t target = (fn == FN_IS_TRUE || fn == FN_IS_NOT_TRUE) ? 1 : 0;
        int64_t negate = (fn == FN_IS_NOT_TRUE || fn == FN_IS_NOT_FALSE) ? 1 : 0;
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            int64_t hit = !a.nulls[r] && (a.i64[r] != 0) == target;
            out->nulls[r] = 0;
            out->i64[r] = hit ^ negate;
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

/* x IN (v1, ..., vn): TRUE if some vi equals x; else NULL if x or some vi
 * is NULL; else FALSE. */
static int ev_in(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    ColumnVector x, v;
    if (ev_arg(cx, e->args[0], sel, n, &x)) return -1;
    PhysKind kind = ty_phys(e->args[0]->type);
    int32_t *live = ev_sel_alloc(cx, n);
    int32_t nlive = 0;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = x.nulls[r];
        out->i64[r] = 0;
        if (!x.nulls[r]) live[nlive++] = r;
    }
    for (int32_t i = 1; i < e->nargs && nlive > 0; i++) {
        if (ev_arg(cx, e->args[i], live, nlive, &v)) return -1;
        int32_t keep = 0;
        for (int32_t k = 0; k < nlive; k++) {
            int32_t r = live[k];
            if (v.nulls[r]) { out->nulls[r] = 1; live[keep++] = r; continue; }
            bool eq = kind == PK_I64 ? x.i64[r] == v.i64[r]
                    : kind == PK_I128 ? x.i128[r] == v.i128[r]
                    : kind == PK_F64 ? x.f64[r] == v.f64[r]
                    : str_eq(x.str[r], v.str[r]);
            if (eq) { out->nulls[r] = 0; out->i64[r] = 1; }
            else live[keep++] = r;
        }
        nlive = keep;
    }
    return 0;
}

/* ---- conditionals ---- */

static int ev_case(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    bool has_else = e->aux != 0;
    int32_t pairs = (e->nargs - (has_else ? 1 : 0)) / 2;
    ColumnVector cond;
    ev_vec(cx, &cond, ty_make(TY_BOOLEAN));
    int32_t *taken = ev_sel_alloc(cx, n);
    int32_t *rest = ev_sel_alloc(cx, n);
    /* `remaining` holds the rows no earlier WHEN matched; it shrinks. */
    int32_t *remaining = ev_sel_alloc(cx, n);
    memcpy(remaining, sel, sizeof(int32_t) * (size_t)n);
    int32_t nremaining = n;
    for (int32_t i = 0; i < pairs && nremaining > 0; i++) {
        if (ev_node(cx, e->args[2 * i], remaining, nremaining, &cond)) return -1;
        int32_t ntaken = 0, nrest = 0;
        for (int32_t k = 0; k < nremaining; k++) {
            int32_t r = remaining[k];
            if (!cond.nulls[r] && cond.i64[r]) taken[ntaken++] = r;
            else rest[nrest++] = r;
        }
        if (ntaken && ev_node(cx, e->args[2 * i + 1], taken, ntaken, out)) return -1;
        int32_t *swap = remaining;
        remaining = rest;
        rest = swap;
        nremaining = nrest;
    }
    if (nremaining == 0) return 0;
    if (has_else) return ev_node(cx, e->args[e->nargs - 1], remaining, nremaining, out);
    for (int32_t k = 0; k < nremaining; k++) out->nulls[remaining[k]] = 1;
    return 0;
}

static int ev_if(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    ColumnVector cond;
    if (ev_arg(cx, e->args[0], sel, n, &cond)) return -1;
    int32_t *yes = ev_sel_alloc(cx, n), *no = ev_sel_alloc(cx, n);
    int32_t nyes = 0, nno = 0;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        if (!cond.nulls[r] && cond.i64[r]) yes[nyes++] = r;
        else no[nno++] = r;
    }
    if (nyes && ev_node(cx, e->args[1], yes, nyes, out)) return -1;
    if (nno && ev_node(cx, e->args[2], no, nno, out)) return -1;
    return 0;
}

static int ev_coalesce(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                       ColumnVector *out)
{
    if (ev_node(cx, e->args[0], sel, n, out)) return -1;
    int32_t *rest = ev_sel_alloc(cx, n);
    const int32_t *cur = sel;
    int32_t ncur = n;
    for (int32_t i = 1; i < e->nargs; i++) {
        int32_t nrest = 0;
        for (int32_t k = 0; k < ncur; k++)
            if (out->nulls[cur[k]]) rest[nrest++] = cur[k];
        if (nrest == 0) break;
        if (ev_node(cx, e->args[i], rest, nrest, out)) return -1;
        cur = rest;
        ncur = nrest;
        if (i + 1 < e->nargs) rest = ev_sel_alloc(cx, nrest);
    }
    return 0;
}

static int ev_nullif(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                     ColumnVector *out)
{
    if (ev_node(cx, e->args[0], sel, n, out)) return -1;
    int32_t *live = ev_sel_alloc(cx, n);
    int32_t nlive = 0;
    for (int32_t k = 0; k < n; k++)
        if (!out->nulls[sel[k]]) live[nlive++] = sel[k];
    if (nlive == 0) return 0;
    ColumnVector b;
    if (ev_arg(cx, e->args[1], live, nlive, &b)) return -1;
    PhysKind kind = ty_phys(e->type);
    for (int32_t k = 0; k < nlive; k++) {
        int32_t r = live[k];
        if (b.nulls[r]) continue;
        bool eq = kind == PK_I64 ? out->i64[r] == b.i64[r]
                : kind == PK_I128 ? out->i128[r] == b.i128[r]
                : kind == PK_F64 ? out->f64[r] == b.f64[r]
                : str_eq(out->str[r], b.str[r]);
        if (eq) out->nulls[r] = 1;
    }
    return 0;
}

/* ---- dispatch ---- */

int ev_node(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    if (n == 0) return 0;
    if (e->kind == EX_COL) {
        copy_rows(&cx->in->cols[e->col], sel, n, out);
        return 0;
    }
    if (e->kind == EX_CONST) {
        fill_const(&e->value, sel, n, out);
        return 0;
    }
    switch ((FuncId)e->fn) {
    case FN_ADD: case FN_SUB: case FN_MUL: case FN_DIV: case FN_MOD: case FN_NEG:
        return ev_arith(cx, e, sel, n, out);
    case FN_EQ: case FN_NE: case FN_LT: case FN_LE: case FN_GT: case FN_GE:
    case FN_IS_DISTINCT: case FN_IS_NOT_DISTINCT:
        return ev_compare(cx, e, sel, n, out);
    case FN_AND: case FN_OR:
        return ev_andor(cx, e, sel, n, out);
    case FN_NOT: case FN_IS_NULL: case FN_IS_NOT_NULL: case FN_IS_TRUE:
    case FN_IS_NOT_TRUE: case FN_IS_FALSE: case FN_IS_NOT_FALSE:
        return ev_logic(cx, e, sel, n, out);
    case FN_IN:
        return ev_in(cx, e, sel, n, out);
    case FN_CASE:
        return ev_case(cx, e, sel, n, out);
    case FN_IF:
        return ev_if(cx, e, sel, n, out);
    case FN_COALESCE:
        return ev_coalesce(cx, e, sel, n, out);
    case FN_NULLIF:
        return ev_nullif(cx, e, sel, n, out);
    case FN_CAST: case FN_TRY_CAST:
        return ev_cast(cx, e, sel, n, out);
    case FN_LIKE: case FN_SIMILAR:
        return ev_like(cx, e, sel, n, out);
    case FN_REGEXP: case FN_REGEXP_REPLACE: case FN_REGEXP_EXTRACT:
        return ev_regex(cx, e, sel, n, out);
    case FN_UPPER: case FN_LOWER: case FN_TRIM: case FN_LTRIM: case FN_RTRIM:
    case FN_SUBSTRING: case FN_CONCAT: case FN_CONCAT_WS: case FN_CHAR_LENGTH:
    case FN_REPLACE: case FN_SPLIT_INDEX: case FN_POSITION: case FN_LPAD: case FN_RPAD:
    case FN_INITCAP: case FN_REVERSE: case FN_REPEAT: case FN_LEFT: case FN_RIGHT:
        return ev_string(cx, e, sel, n, out);
    case FN_ABS: case FN_ROUND: case FN_FLOOR: case FN_CEIL: case FN_POWER:
    case FN_SQRT: case FN_LN: case FN_LOG10: case FN_EXP: case FN_SIGN: case FN_TRUNCATE:
        return ev_math(cx, e, sel, n, out);
    case FN_EXTRACT: case FN_DATE_FORMAT: case FN_TO_TIMESTAMP: case FN_TO_DATE:
    case FN_FLOOR_TIME: case FN_CEIL_TIME: case FN_TIMESTAMPADD: case FN_TIMESTAMPDIFF:
    case FN_UNIX_TIMESTAMP: case FN_FROM_UNIXTIME: case FN_NOW: case FN_CURRENT_WATERMARK:
        return ev_time(cx, e, sel, n, out);
    default:
        break;
    }
    return ev_error(cx, e, WB_SQLSTATE_FEATURE, "function %s cannot be evaluated",
                    sql_func_name((FuncId)e->fn));
}

/* ---- entry points ---- */

int ex_eval(const Expr *e, const Batch *in, ColumnVector *out, WbArena *arena, WbError *err)
{
    EvalCtx cx = {in, in->nrows, arena, err};
    if (in->nrows == 0) return 0;
    int32_t *sel = ev_sel_alloc(&cx, in->nrows);
    for (int32_t r = 0; r < in->nrows; r++) sel[r] = r;
    out->type = e->type;
    return ev_node(&cx, e, sel, in->nrows, out);
}

int ex_eval_const(const Expr *e, Value *out, WbArena *arena, WbError *err)
{
    Batch one;
    memset(&one, 0, sizeof one);
    one.nrows = 1;
    one.capacity = 1;
    one.arena = arena;
    ColumnVector vec;
    ex_vector_alloc(&vec, e->type, 1, arena);
    if (ex_eval(e, &one, &vec, arena, err) != 0) return -1;
    memset(out, 0, sizeof *out);
    out->type = e->type;
    out->is_null = vec.nulls[0] != 0;
    if (!out->is_null) {
        switch (ty_phys(e->type)) {
        case PK_I64: out->i64 = vec.i64[0]; break;
        case PK_I128: out->i128 = vec.i128[0]; break;
        case PK_F64: out->f64 = vec.f64[0]; break;
        case PK_STR: out->str = vec.str[0]; break;
        }
    }
    return 0;
}
