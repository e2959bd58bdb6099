/*
 * eval_cast.c - CAST and TRY_CAST between all SQL types.  Text conversions
 * go through the canonical parsers and formatter of types/value.c, so CAST
 * agrees with what CSV input reads and output prints.  A failing CAST
 * raises 22P02 (bad text) or 22003 (out of range) naming the value;
 * TRY_CAST gives NULL instead.
 *
 * Numeric rules (Flink): DOUBLE and DECIMAL to an integer truncate toward
 * zero; to DECIMAL rounds HALF_UP; BOOLEAN converts to 0/1 and back by
 * "non-zero is TRUE".
 */
#include "exec/eval_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct CastCtx {
    EvalCtx *cx;
    const Expr *e;
    ColumnVector *out;
    bool try_cast;
} CastCtx;

/* Records a failed row: NULL for TRY_CAST, else the error.  Returns -1 when
 * evaluation must stop. */
static int cast_fail(CastCtx *cc, int32_t row, bool range, const char *text, size_t len)
{
    if (cc->try_cast) {
        cc->out->nulls[row] = 1;
        return 0;
    }
    char tname[64];
    SqlType shown = cc->out->type;
    shown.nullable = 1;   /* name the type without NOT NULL */
    ty_name(shown, tname, sizeof tname);
    if (range) {
        if (ty_is_integer(cc->out->type.id))
            return ev_error(cc->cx, cc->e, WB_SQLSTATE_OVERFLOW, "integer out of range");
        return ev_error(cc->cx, cc->e, WB_SQLSTATE_OVERFLOW,
                        "numeric value out of range for type %s", tname);
    }
    if (len > 200) len = 200;
    return ev_error(cc->cx, cc->e, WB_SQLSTATE_BAD_VALUE,
                    "invalid input syntax for type %s: \"%.*s\"", tname, (int)len, text);
}

/* Truncates micros to a TIMESTAMP(p) precision (toward negative infinity,
 * so that the truncated time is never later than the original). */
static int64_t ts_truncate(int64_t micros, int precision)
{
    if (precision >= 6 || precision < 0) return micros;
    int64_t unit = ty_pow10[6 - precision];
    return ev_floor_div(micros, unit) * unit;
}

static int from_string(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    SqlType t = out->type;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a->nulls[r];
        if (a->nulls[r]) continue;
        const char *s = a->str[r].ptr;
        size_t len = a->str[r].len;
        int rc = 0;
        switch ((TypeId)t.id) {
        case TY_STRING:
        case TY_BYTES:
            out->str[r] = a->str[r];
            if (t.precision > 0 && len > (size_t)t.precision) {
                /* VARCHAR(n): Flink truncates on explicit CAST. */
                out->str[r].len = (uint32_t)t.precision;
            }
            break;
        case TY_BOOLEAN: rc = ty_parse_bool(s, len, &out->i64[r]); break;
        case TY_INT:
        case TY_BIGINT:
            rc = ty_parse_int64(s, len, &out->i64[r]);
            if (rc == 0 && t.id == TY_INT && (out->i64[r] > INT32_MAX || out->i64[r] < INT32_MIN))
                rc = -2;
            if (rc == -1) {
                /* '12.0' is not an INT in Flink either: keep it an error. */
            }
            break;
        case TY_DECIMAL: rc = ty_parse_decimal_cell(out, r, s, len); break;
        case TY_DOUBLE: rc = ty_parse_double(s, len, &out->f64[r]); break;
        case TY_DATE:
            rc = ty_parse_date(s, len, &out->i64[r]);
            if (rc != 0) {
                int64_t micros;
                rc = ty_parse_timestamp(s, len, &micros);
                if (rc == 0) out->i64[r] = ev_floor_div(micros, EV_MICROS_PER_DAY);
            }
            break;
        case TY_TIME: rc = ty_parse_time(s, len, &out->i64[r]); break;
        case TY_TIMESTAMP:
            rc = ty_parse_timestamp(s, len, &out->i64[r]);
            /* a TIMESTAMP_LTZ text is the session zone's wall time */
            if (rc == 0 && t.ltz) out->i64[r] = wb_tz_to_utc(out->i64[r]);
            if (rc == 0) out->i64[r] = ts_truncate(out->i64[r], t.precision);
            break;
        default:
            rc = -1;
            break;
        }
        if (rc != 0 && cast_fail(cc, r, rc == -2, s, len) != 0) return -1;
    }
    return 0;
}

static int to_string(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    WbBuf buf = {0};
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a->nulls[r];
        if (a->nulls[r]) continue;
        wb_buf_clear(&buf);
        ty_format_value(a, r, &buf);
        size_t len = buf.len;
        if (out->type.precision > 0 && len > (size_t)out->type.precision)
            len = (size_t)out->type.precision;
        out->str[r] = ev_str(cc->cx, buf.data, len);
    }
    wb_buf_free(&buf);
    return 0;
}

static int to_integer(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    TypeId from = (TypeId)a->type.id;
    int64_t lo = out->type.id == TY_INT ? INT32_MIN : INT64_MIN;
    int64_t hi = out->type.id == TY_INT ? INT32_MAX : INT64_MAX;
    for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = a->nulls[sel[k]];
    switch (from) {
    case TY_DOUBLE:
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (a->nulls[r]) continue;
            double d = trunc(a->f64[r]);
            if (!(d >= (double)lo && d < -(double)lo) || d > (double)hi) {
                if (cast_fail(cc, r, true, NULL, 0)) return -1;
                continue;
            }
            out->i64[r] = (int64_t)d;
        }
        return 0;
    case TY_DECIMAL: {
        ev_i128 p = ty_pow10_128(a->type.scale);
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (a->nulls[r]) continue;
            ev_i128 v = ty_dec_get(a, r) / p;
            if (v < lo || v > hi) { if (cast_fail(cc, r, true, NULL, 0)) return -1; continue; }
            out->i64[r] = (int64_t)v;
        }
        return 0;
    }
    default:   /* INT, BIGINT, BOOLEAN, intervals */
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            if (a->nulls[r]) continue;
            int64_t v = a->i64[r];
            if (v < lo || v > hi) { if (cast_fail(cc, r, true, NULL, 0)) return -1; continue; }
            out->i64[r] = v;
        }
        return 0;
    }
}

/* DOUBLE to DECIMAL as Flink does it (BigDecimal.valueOf): from the
 * double's shortest round-trip text, so 0.145 is 0.145 and rounds HALF_UP
 * to 0.15, never 0.14 from the binary value's 0.14499... */
static int double_to_decimal(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    WbBuf text = {0};
    int rc = 0;
    for (int32_t k = 0; k < n && rc == 0; k++) {
        int32_t r = sel[k];
        if (a->nulls[r]) continue;
        wb_buf_clear(&text);
        if (isfinite(a->f64[r])) ty_format_value(a, r, &text);
        if (!isfinite(a->f64[r]) || ty_parse_decimal_cell(out, r, text.data, text.len) != 0)
            rc = cast_fail(cc, r, true, NULL, 0);
    }
    wb_buf_free(&text);
    return rc;
}

static int to_decimal(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    TypeId from = (TypeId)a->type.id;
    int scale = out->type.scale, precision = out->type.precision;
    for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = a->nulls[sel[k]];
    if (from == TY_DOUBLE) return double_to_decimal(cc, a, sel, n);
    /* INT, BIGINT, BOOLEAN (0/1) or a DECIMAL of either width */
    int from_scale = from == TY_DECIMAL ? a->type.scale : 0;
    int shift = scale - from_scale;
    bool wide_in = ty_phys(a->type) == PK_I128;
    ev_i128 bound = ty_pow10_128(precision);
    ev_i128 up = shift > 0 ? ty_pow10_128(shift) : 1;
    ev_i128 down = shift < 0 ? ty_pow10_128(-shift) : 1;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        if (a->nulls[r]) continue;
        ev_i128 v = wide_in ? a->i128[r] : (ev_i128)a->i64[r];
        if (down != 1) v = ty_dec_div_half_up(v, down);
        if (__builtin_mul_overflow(v, up, &v) || v >= bound || v <= -bound) {
            if (cast_fail(cc, r, true, NULL, 0)) return -1;
            continue;
        }
        ty_dec_set(out, r, v);
    }
    return 0;
}

/* A DECIMAL as the nearest double: one correctly rounded division when
 * both operands are exact doubles, else through the exact text (written
 * into `text`, the caller's buffer, reused from row to row). */
static double decimal_to_double(ev_i128 v, int scale, WbBuf *text)
{
    if (v < ((ev_i128)1 << 53) && v > -((ev_i128)1 << 53) && scale <= 22)
        return (double)(int64_t)v / (double)ty_pow10_128(scale);
    wb_buf_clear(text);
    ty_format_decimal(v, scale, text);
    return strtod(wb_buf_cstr(text), NULL);
}

static int to_double(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    bool dec = a->type.id == TY_DECIMAL;
    WbBuf text = {0};
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a->nulls[r];
        if (a->nulls[r]) continue;
        out->f64[r] = dec ? decimal_to_double(ty_dec_get(a, r), a->type.scale, &text)
                          : (double)a->i64[r];
    }
    wb_buf_free(&text);
    return 0;
}

static int to_boolean(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    bool dbl = a->type.id == TY_DOUBLE;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a->nulls[r];
        if (a->nulls[r]) continue;
        if (dbl) out->i64[r] = a->f64[r] != 0;
        else if (a->type.id == TY_DECIMAL) out->i64[r] = ty_dec_get(a, r) != 0;
        else out->i64[r] = a->i64[r] != 0;
    }
    return 0;
}

static int temporal(CastCtx *cc, const ColumnVector *a, const int32_t *sel, int32_t n)
{
    ColumnVector *out = cc->out;
    TypeId from = (TypeId)a->type.id, to = (TypeId)out->type.id;
    int64_t mul = 1, div = 1, mod = 0;
    if (from == TY_DATE && to == TY_TIMESTAMP) mul = EV_MICROS_PER_DAY;
    else if (from == TY_TIMESTAMP && to == TY_DATE) div = EV_MICROS_PER_DAY;
    else if (from == TY_TIMESTAMP && to == TY_TIME) { mod = EV_MICROS_PER_DAY; div = 1000; }
    else if (from == TY_TIME && to == TY_TIMESTAMP) mul = 1000;
    int precision = to == TY_TIMESTAMP ? out->type.precision : 6;
    /* TIMESTAMP_LTZ is an instant: other temporal types are the session
     * zone's wall time */
    bool from_ltz = from == TY_TIMESTAMP && a->type.ltz;
    bool to_ltz = to == TY_TIMESTAMP && out->type.ltz;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a->nulls[r];
        if (a->nulls[r]) continue;
        int64_t v = a->i64[r];
        if (from_ltz && !to_ltz) v = wb_tz_to_local(v);
        if (mod) v -= ev_floor_div(v, mod) * mod;
        if (__builtin_mul_overflow(v, mul, &v)) {
            if (cast_fail(cc, r, true, NULL, 0)) return -1;
            continue;
        }
        v = ev_floor_div(v, div);
        if (to_ltz && !from_ltz) v = wb_tz_to_utc(v);
        if (to == TY_TIMESTAMP) v = ts_truncate(v, precision);
        out->i64[r] = v;
    }
    return 0;
}

int ev_cast(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    ColumnVector a;
    if (ev_arg(cx, e->args[0], sel, n, &a)) return -1;
    CastCtx cc = {cx, e, out, e->fn == FN_TRY_CAST};
    TypeId from = (TypeId)a.type.id, to = (TypeId)e->type.id;
    if (from == TY_NULL) {
        for (int32_t k = 0; k < n; k++) out->nulls[sel[k]] = 1;
        return 0;
    }
    if (ty_is_string(from)) return from_string(&cc, &a, sel, n);
    if (ty_is_string(to)) return to_string(&cc, &a, sel, n);
    switch (to) {
    case TY_INT:
    case TY_BIGINT: return to_integer(&cc, &a, sel, n);
    case TY_DECIMAL: return to_decimal(&cc, &a, sel, n);
    case TY_DOUBLE:
        if (from == TY_DOUBLE) break;
        return to_double(&cc, &a, sel, n);
    case TY_BOOLEAN: return to_boolean(&cc, &a, sel, n);
    case TY_DATE:
    case TY_TIME:
    case TY_TIMESTAMP: return temporal(&cc, &a, sel, n);
    default: break;
    }
    /* Same physical representation (DOUBLE to DOUBLE, intervals): copy. */
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = a.nulls[r];
        if (to == TY_DOUBLE) out->f64[r] = a.f64[r];
        else out->i64[r] = a.i64[r];
    }
    return 0;
}
