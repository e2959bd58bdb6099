/*
 * eval_int.h - private contract between the evaluator's files (eval.c core,
 * eval_math.c arithmetic and numbers, eval_cast.c, eval_string.c,
 * eval_time.c).
 *
 * Every evaluation function has the shape
 *     int ev_xxx(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
 *                ColumnVector *out)
 * and writes out->nulls[r] and the value slot for exactly the rows r listed
 * in sel[0..n) (ascending row numbers of the input batch); other rows of out
 * are left untouched.  Vectors are row-positional (slot r is input row r),
 * so a conditional writes each branch's rows straight into the shared
 * output without any scatter step.  An error can only come from a row in
 * sel, which is how CASE/IF/COALESCE/AND/OR avoid errors in branches not
 * taken.
 */
#ifndef WEIR_EXEC_EVAL_INT_H
#define WEIR_EXEC_EVAL_INT_H

#include "exec/exec.h"

#include <string.h>

typedef struct EvalCtx {
    const Batch *in;      /* the input batch; column refs index it */
    int32_t nrows;        /* in->nrows (>= 1 for constant evaluation) */
    WbArena *arena;       /* scratch vectors and result strings */
    WbError *err;
} EvalCtx;

int ev_node(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
/* SQL's order of two strings: bytewise (unsigned), a prefix first. */
static inline int str_cmp(WbStr x, WbStr y)
{
    uint32_t len = x.len < y.len ? x.len : y.len;
    int c = len ? memcmp(x.ptr, y.ptr, len) : 0;
    if (c) return c;
    return (x.len > y.len) - (x.len < y.len);
}
/* Evaluates an argument over sel into a vector of its own: input columns
 * are aliased (no copy), anything else gets a fresh vector from the arena. */
int ev_arg(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
/* A vector for all rows of the batch, from the arena. */
void ev_vec(EvalCtx *cx, ColumnVector *vec, SqlType type);
int32_t *ev_sel_alloc(EvalCtx *cx, int32_t n);
/* Sets cx->err positioned at e; returns -1. */
int ev_error(EvalCtx *cx, const Expr *e, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
WbStr ev_str(EvalCtx *cx, const char *ptr, size_t len);

/* Whether evaluating e can raise an error on some row (conservative: only
 * nodes known not to, over arguments that do not, answer false). */
bool ev_may_fail(const Expr *e);
/* A comparison of an expression with a constant, without filling the
 * constant (eval_filter.c): sets *done and evaluates when e has that shape,
 * else leaves e to the caller (*done false). */
int ev_compare_const(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                     ColumnVector *out, bool *done);

/* Families, dispatched by ev_node on e->fn. */
int ev_arith(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
int ev_math(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
int ev_cast(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
int ev_string(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
int ev_like(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
int ev_regex(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
int ev_time(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out);
/* DATE/TIMESTAMP/INTERVAL arithmetic (+, -, *, / with an interval). */
int ev_time_arith(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                  ColumnVector *out);

/* Shared numeric helpers. */
__extension__ typedef __int128 ev_i128;
/* 10^exp and HALF_UP division: ty_pow10_128, ty_dec_div_half_up (types.h) */
/* Floor division and modulo for calendar arithmetic. */
static inline int64_t ev_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

#define EV_MICROS_PER_DAY 86400000000LL

#endif
