/*
 * eval_math.c - arithmetic operators with overflow checks (INT is checked
 * against 32 bits, BIGINT and DECIMAL against 64), DECIMAL scaling with
 * HALF_UP rounding, and the numeric functions (ABS, ROUND, FLOOR, ...).
 *
 * The binder has already cast both operands to the types the result rule
 * needs (same scale for DECIMAL +, -, %), so each loop works on raw values.
 */
#include "exec/eval_int.h"

#include <math.h>

static int overflow(EvalCtx *cx, const Expr *e)
{
    if (ty_is_integer(e->type.id))
        return ev_error(cx, e, WB_SQLSTATE_OVERFLOW, "integer out of range");
    if (e->type.id == TY_DECIMAL) {
        char tname[64];
        SqlType shown = e->type;
        shown.nullable = 1;
        return ev_error(cx, e, WB_SQLSTATE_OVERFLOW, "numeric value out of range for type %s",
                        ty_name(shown, tname, sizeof tname));
    }
    return ev_error(cx, e, WB_SQLSTATE_OVERFLOW, "numeric value out of range");
}

static int div_zero(EvalCtx *cx, const Expr *e)
{
    return ev_error(cx, e, WB_SQLSTATE_DIV_ZERO, "division by zero");
}

/* Loop over the selected rows where both operands are non-NULL. */
#define BIN_LOOP(...)                                                           \
    for (int32_t k = 0; k < n; k++) {                                         \
        int32_t r = sel[k];                                                   \
        if (a.nulls[r] | b.nulls[r]) { out->nulls[r] = 1; continue; }        \
        out->nulls[r] = 0;                                                    \
        __VA_ARGS__                                                           \
    }

static int arith_i64(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                     ColumnVector a, ColumnVector b, ColumnVector *out)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (e->type.id == TY_INT) { lo = INT32_MIN; hi = INT32_MAX; }
    switch ((FuncId)e->fn) {
    case FN_ADD:
        BIN_LOOP({
            int64_t v;
            if (__builtin_add_overflow(a.i64[r], b.i64[r], &v) || v < lo || v > hi)
                return overflow(cx, e);
            out->i64[r] = v;
        })
        break;
    case FN_SUB:
        BIN_LOOP({
            int64_t v;
            if (__builtin_sub_overflow(a.i64[r], b.i64[r], &v) || v < lo || v > hi)
                return overflow(cx, e);
            out->i64[r] = v;
        })
        break;
    case FN_MUL:
        BIN_LOOP({
            int64_t v;
            if (__builtin_mul_overflow(a.i64[r], b.i64[r], &v) || v < lo || v > hi)
                return overflow(cx, e);
            out->i64[r] = v;
        })
        break;
    case FN_DIV:
        /* Integer division truncates toward zero (Flink/Java). */
        BIN_LOOP({
            int64_t y = b.i64[r];
            if (y == 0) return div_zero(cx, e);
            if (y == -1) {
                if (a.i64[r] == INT64_MIN || -a.i64[r] > hi) return overflow(cx, e);
                out->i64[r] = -a.i64[r];
            } else {
                out->i64[r] = a.i64[r] / y;
            }
        })
        break;
    case FN_MOD:
        /* Sign of the dividend, as Java's % and PostgreSQL's mod. */
        BIN_LOOP({
            int64_t y = b.i64[r];
            if (y == 0) return div_zero(cx, e);
            out->i64[r] = y == -1 ? 0 : a.i64[r] % y;
        })
        break;
    default:
        break;
    }
    return 0;
}

/* DECIMAL arithmetic where an operand or the result has 19..38 digits:
 * 128-bit values, exact intermediates (decimal.c), the result checked
 * against its precision. */
static int arith_decimal_wide(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                              ColumnVector a, ColumnVector b, ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    int s1 = e->args[0]->type.scale, s2 = e->args[1]->type.scale, rs = e->type.scale;
    /* an INT/BIGINT result is DECIMAL % integer: smaller than the divisor */
    int precision = e->type.id == TY_DECIMAL ? e->type.precision : 19;
    ev_i128 bound = ty_pow10_128(precision);
    BIN_LOOP({
        ev_i128 x = ty_dec_get(&a, r), y = ty_dec_get(&b, r), v = 0;
        int rc = 0;
        switch (fn) {
        case FN_ADD:
        case FN_SUB:
            if (fn == FN_SUB) y = -y;
            if (s1 == rs && s2 == rs) rc = __builtin_add_overflow(x, y, &v) || v >= bound || v <= -bound;
            else rc = ty_dec_add(x, s1, y, s2, rs, precision, &v);   /* a result scale cut to fit 38 digits */
            break;
        case FN_MUL: rc = ty_dec_mul(x, y, s1 + s2 - rs, precision, &v); break;
        case FN_DIV:
            if (y == 0) return div_zero(cx, e);
            rc = ty_dec_div(x, y, rs - s1 + s2, precision, &v);
            break;
        case FN_MOD:
            if (y == 0) return div_zero(cx, e);
            /* the sign of the dividend, as BigDecimal.remainder */
            if (s1 == rs && s2 == rs) v = x % y;
            else rc = ty_dec_mod(x, s1, y, s2, precision, &v);   /* operands too wide to align */
            break;
        default:
            break;
        }
        if (rc) return overflow(cx, e);
        ty_dec_set(out, r, v);
    })
    return 0;
}

static int arith_decimal(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                         ColumnVector a, ColumnVector b, ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    int s1 = e->args[0]->type.scale, s2 = e->args[1]->type.scale, rs = e->type.scale;
    if (ty_phys(a.type) == PK_I128 || ty_phys(b.type) == PK_I128 || ty_phys(e->type) == PK_I128)
        return arith_decimal_wide(cx, e, sel, n, a, b, out);
    if (fn == FN_ADD || fn == FN_SUB || fn == FN_MOD) return arith_i64(cx, e, sel, n, a, b, out);
    if (fn == FN_MUL) {
        int shift = s1 + s2 - rs;   /* > 0 only when the result scale was capped */
        if (shift == 0) return arith_i64(cx, e, sel, n, a, b, out);
        ev_i128 den = ty_pow10_128(shift);
        BIN_LOOP({
            ev_i128 v = ty_dec_div_half_up((ev_i128)a.i64[r] * b.i64[r], den);
            if (v > INT64_MAX || v < INT64_MIN) return overflow(cx, e);
            out->i64[r] = (int64_t)v;
        })
        return 0;
    }
    /* Division: a / 10^s1 / (b / 10^s2) * 10^rs = a * 10^(rs - s1 + s2) / b. */
    int shift = rs - s1 + s2;
    ev_i128 up = shift >= 0 ? ty_pow10_128(shift) : 1;
    ev_i128 down = shift < 0 ? ty_pow10_128(-shift) : 1;
    BIN_LOOP({
        if (b.i64[r] == 0) return div_zero(cx, e);
        ev_i128 num = (ev_i128)a.i64[r] * up;
        ev_i128 v = ty_dec_div_half_up(num, (ev_i128)b.i64[r] * down);
        if (v > INT64_MAX || v < INT64_MIN) return overflow(cx, e);
        out->i64[r] = (int64_t)v;
    })
    return 0;
}

static int arith_double(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                        ColumnVector a, ColumnVector b, ColumnVector *out)
{
    switch ((FuncId)e->fn) {
    case FN_ADD: BIN_LOOP(out->f64[r] = a.f64[r] + b.f64[r];) break;
    case FN_SUB: BIN_LOOP(out->f64[r] = a.f64[r] - b.f64[r];) break;
    case FN_MUL: BIN_LOOP(out->f64[r] = a.f64[r] * b.f64[r];) break;
    (void)cx;
    /* DOUBLE follows IEEE 754 as Flink (Java) does: x / 0.0 is
     * +-Infinity or NaN, not an error; exact types raise 22012. */
    case FN_DIV: BIN_LOOP(out->f64[r] = a.f64[r] / b.f64[r];) break;
    case FN_MOD: BIN_LOOP(out->f64[r] = fmod(a.f64[r], b.f64[r]);) break;
    default:
        break;
    }
    return 0;
}

int ev_arith(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    TypeId t0 = (TypeId)e->args[0]->type.id;
    if (t0 == TY_DATE || t0 == TY_TIMESTAMP || t0 == TY_INTERVAL_DT || t0 == TY_INTERVAL_YM)
        return ev_time_arith(cx, e, sel, n, out);
    ColumnVector a, b;
    if (ev_arg(cx, e->args[0], sel, n, &a)) return -1;
    if (e->fn == FN_NEG) {
        int64_t hi = e->type.id == TY_INT ? INT32_MAX : INT64_MAX;
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            out->nulls[r] = a.nulls[r];
            if (a.nulls[r]) continue;
            if (e->type.id == TY_DOUBLE) { out->f64[r] = -a.f64[r]; continue; }
            if (ty_phys(e->type) == PK_I128) { ty_dec_set(out, r, -ty_dec_get(&a, r)); continue; }
            if (a.i64[r] == INT64_MIN || -a.i64[r] > hi) return overflow(cx, e);
            out->i64[r] = -a.i64[r];
        }
        return 0;
    }
    if (ev_arg(cx, e->args[1], sel, n, &b)) return -1;
    switch ((TypeId)e->type.id) {
    case TY_INT:
    case TY_BIGINT:
        if (e->args[0]->type.id == TY_DECIMAL) return arith_decimal_wide(cx, e, sel, n, a, b, out);
        return arith_i64(cx, e, sel, n, a, b, out);
    case TY_DECIMAL: return arith_decimal(cx, e, sel, n, a, b, out);
    case TY_DOUBLE: return arith_double(cx, e, sel, n, a, b, out);
    default: break;
    }
    return ev_error(cx, e, WB_SQLSTATE_FEATURE, "arithmetic on this type is not supported");
}

/* ---- numeric functions ---- */

/* ABS, SIGN, FLOOR, CEIL, ROUND and TRUNCATE of a DECIMAL of either width;
 * out's scale is the result's (ROUND(x, d) keeps max(d, 0) digits). */
static int math_decimal(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n,
                        const ColumnVector *a, const ColumnVector *b, ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    int in_scale = a->type.scale, out_scale = e->type.scale;
    ev_i128 unit = ty_pow10_128(in_scale);
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        if (out->nulls[r]) continue;
        ev_i128 v = ty_dec_get(a, r);
        switch (fn) {
        case FN_ABS: if (v < 0) v = -v; break;
        case FN_SIGN: v = ((v > 0) - (v < 0)) * unit; break;
        case FN_FLOOR:
        case FN_CEIL: {
            ev_i128 q = v / unit;
            if (q * unit != v && (fn == FN_FLOOR ? v < 0 : v > 0)) q += fn == FN_FLOOR ? -1 : 1;
            v = q;
            break;
        }
        default: {   /* ROUND, TRUNCATE */
            int64_t digits = b ? b->i64[r] : 0;
            bool half_up = fn == FN_ROUND;
            /* to the result's scale, then zero the integer digits that a
             * negative count drops (ROUND(x, -2)) */
            int drop = in_scale - out_scale;
            if (digits < 0) drop += digits < -38 ? 39 : (int)-digits;
            if (drop > 38) {
                v = 0;
            } else if (drop > 0) {
                ev_i128 p = ty_pow10_128(drop);
                ev_i128 q = half_up ? ty_dec_div_half_up(v, p) : v / p;
                v = q;
                if (digits < 0 && __builtin_mul_overflow(q, ty_pow10_128((int)-digits), &v))
                    return overflow(cx, e);
            }
            break;
        }
        }
        if (!ty_decimal_fits(v, e->type.precision)) return overflow(cx, e);
        ty_dec_set(out, r, v);
    }
    return 0;
}

static double round_half_up(double x, int64_t digits, bool truncate)
{
    if (digits > 300 || digits < -300 || !isfinite(x)) return x;
    double p = pow(10.0, (double)digits);
    double scaled = x * p;
    double r = truncate ? trunc(scaled) : round(scaled);  /* round(): half away from zero */
    return r / p;
}

int ev_math(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    ColumnVector a, b;
    if (ev_arg(cx, e->args[0], sel, n, &a)) return -1;
    bool has_b = e->nargs > 1;
    if (has_b && ev_arg(cx, e->args[1], sel, n, &b)) return -1;
    TypeId in_t = (TypeId)e->args[0]->type.id;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a.nulls[r] || (has_b && b.nulls[r]);
    }
    if (in_t == TY_DECIMAL && e->type.id == TY_DECIMAL &&
        (fn == FN_ABS || fn == FN_SIGN || fn == FN_FLOOR || fn == FN_CEIL || fn == FN_ROUND ||
         fn == FN_TRUNCATE))
        return math_decimal(cx, e, sel, n, &a, has_b ? &b : NULL, out);
    switch (fn) {
    case FN_ABS:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            if (in_t == TY_DOUBLE) { out->f64[r] = fabs(a.f64[r]); continue; }
            if (a.i64[r] == INT64_MIN || (in_t == TY_INT && a.i64[r] == INT32_MIN))
                return overflow(cx, e);
            out->i64[r] = a.i64[r] < 0 ? -a.i64[r] : a.i64[r];
        }
        return 0;
    case FN_SIGN:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            if (in_t == TY_DOUBLE) {
                out->f64[r] = (a.f64[r] > 0) - (a.f64[r] < 0);
            } else {
                out->i64[r] = (a.i64[r] > 0) - (a.i64[r] < 0);
            }
        }
        return 0;
    case FN_FLOOR:
    case FN_CEIL:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            if (in_t == TY_DOUBLE) {
                out->f64[r] = fn == FN_FLOOR ? floor(a.f64[r]) : ceil(a.f64[r]);
            } else {
                out->i64[r] = a.i64[r];
            }
        }
        return 0;
    case FN_ROUND:
    case FN_TRUNCATE:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            int64_t digits = has_b ? b.i64[r] : 0;
            bool half_up = fn == FN_ROUND;
            if (in_t == TY_DOUBLE) {
                out->f64[r] = round_half_up(a.f64[r], digits, !half_up);
            } else {
                int64_t v = a.i64[r];
                if (digits < 0 && digits > -19) {
                    int64_t p = ty_pow10[-digits];
                    int64_t q = v / p, rem = v % p;
                    if (half_up && (rem >= 0 ? rem : -rem) * 2 >= p) q += v < 0 ? -1 : 1;
                    if (__builtin_mul_overflow(q, p, &v)) return overflow(cx, e);
                    if (in_t == TY_INT && (v > INT32_MAX || v < INT32_MIN)) return overflow(cx, e);
                } else if (digits <= -19) {
                    v = 0;
                }
                out->i64[r] = v;
            }
        }
        return 0;
    case FN_POWER:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (!out->nulls[r]) out->f64[r] = pow(a.f64[r], b.f64[r]);
        }
        return 0;
    case FN_SQRT:
    case FN_LN:
    case FN_LOG10:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (out->nulls[r]) continue;
            double x = a.f64[r];
            /* PostgreSQL raises on these; Flink returns NaN.  weir raises
             * with PostgreSQL's SQLSTATE 2201F (invalid argument). */
            if (fn == FN_SQRT ? x < 0 : x <= 0)
                return ev_error(cx, e, "2201F", "cannot take %s of %s",
                                fn == FN_SQRT ? "square root" : "logarithm",
                                x < 0 ? "a negative number" : "zero");
            out->f64[r] = fn == FN_SQRT ? sqrt(x) : fn == FN_LN ? log(x) : log10(x);
        }
        return 0;
    case FN_EXP:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (!out->nulls[r]) out->f64[r] = exp(a.f64[r]);
        }
        return 0;
    default:
        break;
    }
    return ev_error(cx, e, WB_SQLSTATE_FEATURE, "function %s cannot be evaluated",
                    sql_func_name(fn));
}
