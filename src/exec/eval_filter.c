/*
 * eval_filter.c - comparisons of a vector against a constant, and filters
 * evaluated straight into a selection (ex_eval_filter): the hot path of a
 * WHERE clause such as `k >= 5000000 AND k < 8000000` or `s = 'ab'`.
 *
 * Two shapes of the same comparison kernels:
 *   - value form (ev_compare_const): writes a BOOLEAN vector, for a
 *     comparison used as a value or under a generic node;
 *   - selection form (select_cmp): writes the rows where the comparison is
 *     TRUE (or FALSE, when negated by an enclosing NOT) as a selection.
 * Neither fills the constant into a vector.  When the selection is dense
 * (sel is 0..n-1, which is the case exactly when n == cx->nrows, since a
 * selection is ascending and duplicate-free) the loops index rows directly;
 * NULL flags are combined arithmetically (no branch per row) except for
 * strings, whose data slot of a NULL row is not a valid string.
 *
 * The comparison semantics are those of ev_compare (eval.c): a three-way
 * compare (x > c) - (x < c) tested against 0.  For DOUBLE this makes NaN
 * "equal" to everything (neither less nor greater) and -0.0 equal to 0.0,
 * so each operator is written in terms of < and > only:
 *     =   !(x < c) && !(x > c)      <   x < c       >   x > c
 *     <>  (x < c) || (x > c)        <=  !(x > c)    >=  !(x < c)
 * For integers these are the ordinary operators.  Strings compare bytewise,
 * a prefix first.
 *
 * Laziness in the selection form keeps eval.c's contract exactly (an error
 * can only come from a row the expression would evaluate there):
 *   - AND evaluates operand i over the rows operands 0..i-1 left not FALSE
 *     (NULL rows included), OR over the rows they left not TRUE;
 *   - a filter only needs the TRUE rows, so once no later operand of an AND
 *     can fail (ev_may_fail) the NULL rows are dropped and each operand only
 *     narrows the selection in place; before that, rows that were NULL are
 *     carried along with a flag and dropped after the last operand that can
 *     fail;
 *   - NOT is pushed down (De Morgan, exact in three-valued logic, and with
 *     the same rows evaluated: NOT(a AND b) evaluates b where a is not
 *     FALSE, as NOT a OR NOT b does) until it reaches a comparison, whose
 *     operator it flips (NOT x < c is x >= c: the three-way compare is a
 *     total order even with NaN), or a generic node.
 */
#include "exec/eval_int.h"

#include <string.h>

/* ---- helpers ---- */

/* Whether evaluating e on some row can raise an error.  Conservative: only
 * columns, constants, comparisons, the logical connectives, IS tests, IN,
 * COALESCE and casts that only widen are known safe (when their arguments
 * are). */
static bool cast_widens(const Expr *e)
{
    SqlType from = e->args[0]->type, to = e->type;
    if (from.id == to.id && from.id != TY_DECIMAL && from.id != TY_STRING &&
        from.id != TY_BYTES && from.id != TY_TIMESTAMP && from.id != TY_TIME)
        return true;
    if (from.id == TY_INT && (to.id == TY_BIGINT || to.id == TY_DOUBLE)) return true;
    if ((from.id == TY_INT || from.id == TY_BIGINT) && to.id == TY_DOUBLE) return true;
    if (from.id == TY_DECIMAL && to.id == TY_DECIMAL)
        return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
    return false;
}

bool ev_may_fail(const Expr *e)
{
    if (e->kind == EX_COL || e->kind == EX_CONST) return false;
    switch ((FuncId)e->fn) {
    case FN_CAST:
        if (!cast_widens(e)) return true;
        break;
    case FN_EQ: case FN_NE: case FN_LT: case FN_LE: case FN_GT: case FN_GE:
    case FN_IS_DISTINCT: case FN_IS_NOT_DISTINCT:
    case FN_AND: case FN_OR: case FN_NOT:
    case FN_IS_NULL: case FN_IS_NOT_NULL: case FN_IS_TRUE: case FN_IS_NOT_TRUE:
    case FN_IS_FALSE: case FN_IS_NOT_FALSE:
    case FN_IN: case FN_COALESCE:
        break;
    default:
        return true;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        if (ev_may_fail(e->args[i])) return true;
    return false;
}

/* Whether any of n NULL flags is set, eight bytes at a time. */
static bool any_null(const uint8_t *nulls, int32_t n)
{
    uint64_t acc = 0;
    int32_t r = 0;
    for (; r + 8 <= n; r += 8) {
        uint64_t word;
        memcpy(&word, nulls + r, 8);
        acc |= word;
    }
    for (; r < n; r++) acc |= nulls[r];
    return acc != 0;
}

/* The same against a constant, deciding most rows on the first byte
 * without a call (memcmp orders bytes as unsigned char, as here). */
static inline bool str_eq_const(WbStr x, WbStr c)
{
    if (x.len != c.len) return false;
    if (c.len == 0) return true;
    return x.ptr[0] == c.ptr[0] && memcmp(x.ptr + 1, c.ptr + 1, c.len - 1) == 0;
}

static inline int str_cmp_const(WbStr x, WbStr c)
{
    if (x.len && c.len && x.ptr[0] != c.ptr[0])
        return (int)(uint8_t)x.ptr[0] - (int)(uint8_t)c.ptr[0];
    return str_cmp(x, c);
}

/* The operator that gives TRUE exactly where fn gives FALSE (NULL stays
 * NULL), and the one that gives the same result with the operands swapped. */
static FuncId cmp_negate(FuncId fn)
{
    switch (fn) {
    case FN_EQ: return FN_NE;
    case FN_NE: return FN_EQ;
    case FN_LT: return FN_GE;
    case FN_GE: return FN_LT;
    case FN_LE: return FN_GT;
    default: return FN_LE;   /* FN_GT */
    }
}

static FuncId cmp_swap(FuncId fn)
{
    switch (fn) {
    case FN_LT: return FN_GT;
    case FN_GT: return FN_LT;
    case FN_LE: return FN_GE;
    case FN_GE: return FN_LE;
    default: return fn;      /* = and <> are symmetric */
    }
}

static bool is_cmp(FuncId fn)
{
    return fn == FN_EQ || fn == FN_NE || fn == FN_LT || fn == FN_LE || fn == FN_GT || fn == FN_GE;
}

/* A comparison of some expression with a constant, normalised to
 * `x fn c`.  Returns false when e is not of that shape. */
typedef struct CmpConst {
    const Expr *x;
    const Value *c;
    FuncId fn;
} CmpConst;

static bool cmp_const_shape(const Expr *e, CmpConst *out)
{
    if (e->kind != EX_CALL || !is_cmp((FuncId)e->fn) || e->nargs != 2) return false;
    const Expr *l = e->args[0], *r = e->args[1];
    if (r->kind == EX_CONST && l->kind != EX_CONST) {
        out->x = l;
        out->c = &r->value;
        out->fn = (FuncId)e->fn;
    } else if (l->kind == EX_CONST && r->kind != EX_CONST) {
        out->x = r;
        out->c = &l->value;
        out->fn = cmp_swap((FuncId)e->fn);
    } else {
        return false;
    }
    /* The binder coerces both sides to one type; make sure of the layout. */
    if (!(out->c->is_null || out->c->type.id == TY_NULL) &&
        ty_phys(out->c->type) != ty_phys(out->x->type))
        return false;
    return true;
}

static bool const_is_null(const Value *c)
{
    return c->is_null || c->type.id == TY_NULL;
}

/* ---- the kernels ---- */

/* Predicates in terms of < and > (see the header comment). */
#define P_EQ(x, c) (!((x) < (c)) & !((x) > (c)))
#define P_NE(x, c) (((x) < (c)) | ((x) > (c)))
#define P_LT(x, c) ((x) < (c))
#define P_LE(x, c) (!((x) > (c)))
#define P_GT(x, c) ((x) > (c))
#define P_GE(x, c) (!((x) < (c)))

#define SWITCH_FN(LOOP, FIELD)                                                \
    switch (fn) {                                                             \
    case FN_EQ: LOOP(FIELD, P_EQ) break;                                      \
    case FN_NE: LOOP(FIELD, P_NE) break;                                      \
    case FN_LT: LOOP(FIELD, P_LT) break;                                      \
    case FN_LE: LOOP(FIELD, P_LE) break;                                      \
    case FN_GT: LOOP(FIELD, P_GT) break;                                      \
    default: LOOP(FIELD, P_GE) break;                                         \
    }

/* Value form, numbers: the result of a NULL row is computed from its
 * (unspecified but allocated) slot and masked by the copied NULL flag. */
#define VAL_LOOP(FIELD, PRED)                                                 \
    {                                                                         \
        __typeof__(a->FIELD[0]) cv = c->FIELD;                               \
        if (dense) {                                                          \
            for (int32_t r = 0; r < n; r++) res[r] = PRED(a->FIELD[r], cv);   \
        } else {                                                              \
            for (int32_t k = 0; k < n; k++) {                                 \
                int32_t r = sel[k];                                           \
                res[r] = PRED(a->FIELD[r], cv);                               \
            }                                                                 \
        }                                                                     \
    }

static void cmp_values(const ColumnVector *a, const Value *c, FuncId fn, bool dense,
                       const int32_t *sel, int32_t n, ColumnVector *out)
{
    int64_t *res = out->i64;
    if (dense) {
        memcpy(out->nulls, a->nulls, (size_t)n);
    } else {
        for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = a->nulls[sel[k]];
    }
    switch (ty_phys(a->type)) {
    case PK_I64: SWITCH_FN(VAL_LOOP, i64) break;
    case PK_I128: SWITCH_FN(VAL_LOOP, i128) break;
    case PK_F64: SWITCH_FN(VAL_LOOP, f64) break;
    case PK_STR: {
        WbStr cs = c->str;
        for (int32_t k = 0; k < n; k++) {
            int32_t r = dense ? k : sel[k];
            if (a->nulls[r]) continue;
            int64_t v;
            if (fn == FN_EQ || fn == FN_NE) {
                v = str_eq_const(a->str[r], cs) == (fn == FN_EQ);
            } else {
                int cmp = str_cmp_const(a->str[r], cs);
                v = fn == FN_LT ? cmp < 0 : fn == FN_LE ? cmp <= 0 : fn == FN_GT ? cmp > 0 : cmp >= 0;
            }
            res[r] = v;
        }
        break;
    }
    }
}

/* Selection form, numbers: out[m] = r is written for every row and m
 * advances only where the predicate holds, so the loop has no branch.
 * out may be sel itself (m <= k). */
#define SEL_LOOP(FIELD, PRED)                                                 \
    {                                                                         \
        __typeof__(a->FIELD[0]) cv = c->FIELD;                               \
        if (dense && !nulls) {                                                \
            for (int32_t r = 0; r < n; r++) {                                 \
                out[m] = r;                                                   \
                m += PRED(a->FIELD[r], cv);                                   \
            }                                                                 \
        } else if (dense) {                                                   \
            for (int32_t r = 0; r < n; r++) {                                 \
                out[m] = r;                                                   \
                m += PRED(a->FIELD[r], cv) & !a->nulls[r];                    \
            }                                                                 \
        } else {                                                              \
            for (int32_t k = 0; k < n; k++) {                                 \
                int32_t r = sel[k];                                           \
                out[m] = r;                                                   \
                m += PRED(a->FIELD[r], cv) & !a->nulls[r];                    \
            }                                                                 \
        }                                                                     \
    }

static int32_t cmp_select(const ColumnVector *a, const Value *c, FuncId fn, bool dense,
                          const int32_t *sel, int32_t n, int32_t *out)
{
    int32_t m = 0;
    bool nulls = !dense || any_null(a->nulls, n);
    switch (ty_phys(a->type)) {
    case PK_I64: SWITCH_FN(SEL_LOOP, i64) break;
    case PK_I128: SWITCH_FN(SEL_LOOP, i128) break;
    case PK_F64: SWITCH_FN(SEL_LOOP, f64) break;
    case PK_STR: {
        WbStr cs = c->str;
        for (int32_t k = 0; k < n; k++) {
            int32_t r = dense ? k : sel[k];
            if (a->nulls[r]) continue;
            bool keep;
            if (fn == FN_EQ || fn == FN_NE) {
                keep = str_eq_const(a->str[r], cs) == (fn == FN_EQ);
            } else {
                int cmp = str_cmp_const(a->str[r], cs);
                keep = fn == FN_LT ? cmp < 0 : fn == FN_LE ? cmp <= 0 : fn == FN_GT ? cmp > 0 : cmp >= 0;
            }
            out[m] = r;
            m += keep;
        }
        break;
    }
    }
    return m;
}

/* Selection form, two vectors (a column against a column, say). */
#define SEL2_LOOP(FIELD, PRED)                                                \
    for (int32_t k = 0; k < n; k++) {                                         \
        int32_t r = dense ? k : sel[k];                                       \
        out[m] = r;                                                           \
        m += PRED(a->FIELD[r], b->FIELD[r]) & !(a->nulls[r] | b->nulls[r]);   \
    }

static int32_t cmp_select2(const ColumnVector *a, const ColumnVector *b, FuncId fn, bool dense,
                           const int32_t *sel, int32_t n, int32_t *out)
{
    int32_t m = 0;
    switch (ty_phys(a->type)) {
    case PK_I64: SWITCH_FN(SEL2_LOOP, i64) break;
    case PK_I128: SWITCH_FN(SEL2_LOOP, i128) break;
    case PK_F64: SWITCH_FN(SEL2_LOOP, f64) break;
    case PK_STR:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = dense ? k : sel[k];
            if (a->nulls[r] | b->nulls[r]) continue;
            int cmp = str_cmp(a->str[r], b->str[r]);
            bool keep = fn == FN_EQ ? cmp == 0 : fn == FN_NE ? cmp != 0 : fn == FN_LT ? cmp < 0
                      : fn == FN_LE ? cmp <= 0 : fn == FN_GT ? cmp > 0 : cmp >= 0;
            out[m] = r;
            m += keep;
        }
        break;
    }
    return m;
}

/* ---- value form ---- */

int ev_compare_const(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                     ColumnVector *out, bool *done)
{
    CmpConst cc;
    *done = false;
    if (!cmp_const_shape(e, &cc)) return 0;
    *done = true;
    if (const_is_null(cc.c)) {
        for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = 1;
        return 0;
    }
    ColumnVector a;
    if (ev_arg(cx, cc.x, sel, n, &a)) return -1;
    cmp_values(&a, cc.c, cc.fn, n == cx->nrows, sel, n, out);
    return 0;
}

/* ---- selection form ---- */

static int32_t select_expr(EvalCtx *cx, const Expr *e, bool neg, const int32_t *sel,
                           int32_t n, int32_t *out);

/* Any node: evaluated as a value, then the rows that are TRUE (FALSE if
 * neg) picked. */
static int32_t select_generic(EvalCtx *cx, const Expr *e, bool neg, const int32_t *sel,
                              int32_t n, int32_t *out)
{
    ColumnVector v;
    if (ev_arg(cx, e, sel, n, &v)) return -1;
    int32_t m = 0;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out[m] = r;
        m += !v.nulls[r] & ((v.i64[r] != 0) != neg);
    }
    return m;
}

/* A conjunction (AND, or a negated OR): the rows where every operand is
 * TRUE (FALSE if neg), evaluating each over the rows the earlier ones left
 * not FALSE (not TRUE). */
static int32_t select_conj(EvalCtx *cx, const Expr *e, bool neg, const int32_t *sel,
                           int32_t n, int32_t *out)
{
    int32_t last_fallible = -1;
    for (int32_t i = 0; i < e->nargs; i++)
        if (ev_may_fail(e->args[i])) last_fallible = i;
    const int32_t *cur = sel;
    int32_t ncur = n;
    uint8_t *was_null = NULL;   /* per batch row: an earlier operand was NULL */
    int32_t i = 0;
    /* Operands before the last one that can fail keep their NULL rows. */
    for (; i < last_fallible; i++) {
        ColumnVector v;
        if (ev_arg(cx, e->args[i], cur, ncur, &v)) return -1;
        if (!was_null) was_null = wb_arena_calloc(cx->arena, (size_t)cx->nrows);
        int32_t m = 0;
        for (int32_t k = 0; k < ncur; k++) {
            int32_t r = cur[k];
            int is_null = v.nulls[r] != 0;
            int is_true = !is_null & ((v.i64[r] != 0) != neg);
            out[m] = r;
            m += is_null | is_true;
            was_null[r] |= (uint8_t)is_null;
        }
        cur = out;
        ncur = m;
        if (ncur == 0) return 0;
    }
    /* From there on only TRUE rows matter: narrow in place. */
    for (; i < e->nargs; i++) {
        ncur = select_expr(cx, e->args[i], neg, cur, ncur, out);
        if (ncur < 0) return -1;
        cur = out;
        if (was_null) {
            int32_t m = 0;
            for (int32_t k = 0; k < ncur; k++) {
                out[m] = out[k];
                m += !was_null[out[k]];
            }
            ncur = m;
            was_null = NULL;
        }
        if (ncur == 0) return 0;
    }
    return ncur;
}

/* A disjunction (OR, or a negated AND): the rows where some operand is
 * TRUE (FALSE if neg), evaluating each over the rows no earlier one made
 * TRUE (FALSE). */
static int32_t select_disj(EvalCtx *cx, const Expr *e, bool neg, const int32_t *sel,
                           int32_t n, int32_t *out)
{
    uint8_t *taken = wb_arena_calloc(cx->arena, (size_t)cx->nrows);
    int32_t *rest = ev_sel_alloc(cx, n);
    int32_t *hits = ev_sel_alloc(cx, n);
    memcpy(rest, sel, sizeof(int32_t) * (size_t)n);
    int32_t nrest = n;
    for (int32_t i = 0; i < e->nargs && nrest > 0; i++) {
        int32_t nhits = select_expr(cx, e->args[i], neg, rest, nrest, hits);
        if (nhits < 0) return -1;
        if (nhits == 0) continue;
        for (int32_t k = 0; k < nhits; k++) taken[hits[k]] = 1;
        if (i + 1 < e->nargs) {
            int32_t m = 0;
            for (int32_t k = 0; k < nrest; k++) {
                rest[m] = rest[k];
                m += !taken[rest[k]];
            }
            nrest = m;
        }
    }
    int32_t m = 0;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out[m] = r;
        m += taken[r];
    }
    return m;
}

/* The rows of sel where e is TRUE (FALSE if neg), ascending, into out
 * (which may be sel).  Returns their number, or -1 with cx->err set. */
static int32_t select_expr(EvalCtx *cx, const Expr *e, bool neg, const int32_t *sel,
                           int32_t n, int32_t *out)
{
    if (n == 0) return 0;
    if (e->kind == EX_CALL) {
        FuncId fn = (FuncId)e->fn;
        CmpConst cc;
        if (cmp_const_shape(e, &cc)) {
            if (const_is_null(cc.c)) return 0;
            ColumnVector a;
            if (ev_arg(cx, cc.x, sel, n, &a)) return -1;
            return cmp_select(&a, cc.c, neg ? cmp_negate(cc.fn) : cc.fn, n == cx->nrows, sel, n, out);
        }
        if (is_cmp(fn) && e->nargs == 2 &&
            ty_phys(e->args[0]->type) == ty_phys(e->args[1]->type)) {
            ColumnVector a, b;
            if (ev_arg(cx, e->args[0], sel, n, &a) || ev_arg(cx, e->args[1], sel, n, &b)) return -1;
            return cmp_select2(&a, &b, neg ? cmp_negate(fn) : fn, n == cx->nrows, sel, n, out);
        }
        if (fn == FN_NOT && e->nargs == 1) return select_expr(cx, e->args[0], !neg, sel, n, out);
        if (fn == FN_AND || fn == FN_OR) {
            bool conj = (fn == FN_AND) != neg;
            return conj ? select_conj(cx, e, neg, sel, n, out) : select_disj(cx, e, neg, sel, n, out);
        }
    }
    return select_generic(cx, e, neg, sel, n, out);
}

int ex_eval_filter(const Expr *e, const Batch *in, int32_t *keep, int32_t *nkeep,
                   WbArena *arena, WbError *err)
{
    EvalCtx cx = {in, in->nrows, arena, err};
    *nkeep = 0;
    if (in->nrows == 0) return 0;
    for (int32_t r = 0; r < in->nrows; r++) keep[r] = r;
    int32_t m = select_expr(&cx, e, false, keep, in->nrows, keep);
    if (m < 0) return -1;
    *nkeep = m;
    return 0;
}
