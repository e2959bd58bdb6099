/*
 * expr.c - bound expression nodes: constructors, EXPLAIN text, the common
 * supertype and cast rules shared by the binder and sql_func_resolve, and
 * the aggregate catalogue (names and Flink's result-type rules).
 */
#include "sql/ast.h"
#include "sql/expr.h"

#include <string.h>

/* ---- constructors ---- */

Expr *sql_expr_col(WbArena *arena, int32_t col, SqlType type)
{
    Expr *e = wb_arena_calloc(arena, sizeof *e);
    e->kind = EX_COL;
    e->col = col;
    e->type = type;
    return e;
}

Expr *sql_expr_const(WbArena *arena, Value value)
{
    Expr *e = wb_arena_calloc(arena, sizeof *e);
    e->kind = EX_CONST;
    e->value = value;
    e->type = value.type;
    if (value.is_null) e->type.nullable = 1;
    return e;
}

Expr *sql_expr_call(WbArena *arena, FuncId fn, Expr **args, int32_t nargs,
                    int line, int column)
{
    Expr *e = wb_arena_calloc(arena, sizeof *e);
    e->kind = EX_CALL;
    e->fn = (uint16_t)fn;
    e->nargs = nargs;
    e->line = line;
    e->column = column;
    e->type = ty_make(TY_NULL);
    if (nargs > 0) {
        e->args = wb_arena_alloc(arena, sizeof(Expr *) * (size_t)nargs);
        memcpy(e->args, args, sizeof(Expr *) * (size_t)nargs);
    }
    return e;
}

Expr *sql_expr_cast(WbArena *arena, Expr *arg, SqlType to)
{
    Expr *e = sql_expr_call(arena, FN_CAST, &arg, 1, arg->line, arg->column);
    to.nullable = arg->type.nullable;
    e->type = to;
    return e;
}

/* ---- common supertype ---- */

/* Integer digits and scale of an exact numeric type as a DECIMAL. */
static void as_decimal(SqlType t, int *precision, int *scale)
{
    switch ((TypeId)t.id) {
    case TY_INT: *precision = 10; *scale = 0; break;
    case TY_BIGINT: *precision = 19; *scale = 0; break;
    default: *precision = t.precision; *scale = t.scale; break;
    }
}

static int numeric_rank(TypeId id)
{
    switch (id) {
    case TY_INT: return 1;
    case TY_BIGINT: return 2;
    case TY_DECIMAL: return 3;
    case TY_DOUBLE: return 4;
    default: return 0;
    }
}

bool sql_common_type(SqlType a, SqlType b, SqlType *out)
{
    uint8_t nullable = a.nullable || b.nullable;
    if (a.id == TY_NULL) { *out = b; out->nullable = 1; return true; }
    if (b.id == TY_NULL) { *out = a; out->nullable = 1; return true; }
    if (ty_is_numeric(a.id) && ty_is_numeric(b.id)) {
        int ra = numeric_rank(a.id), rb = numeric_rank(b.id);
        if (ra == 4 || rb == 4) {
            *out = ty_make(TY_DOUBLE);
        } else if (ra == 3 || rb == 3) {
            int pa, sa, pb, sb;
            as_decimal(a, &pa, &sa);
            as_decimal(b, &pb, &sb);
            int scale = WB_MAX(sa, sb);
            int int_digits = WB_MAX(pa - sa, pb - sb);
            int precision = int_digits + scale;
            if (precision > 38) {
                /* Flink keeps the integer digits and gives up scale, so
                 * that every value of both types fits (rounded) */
                precision = 38;
                scale = WB_MAX(0, 38 - int_digits);
            }
            *out = ty_decimal(precision, scale);
        } else {
            *out = ty_make(ra >= rb ? a.id : b.id);
        }
        out->nullable = nullable;
        return true;
    }
    if (ty_is_string(a.id) && ty_is_string(b.id)) {
        *out = ty_make(a.id == b.id ? a.id : TY_STRING);
        out->nullable = nullable;
        return true;
    }
    /* A string meets a date/time: the string is the side that is cast
     * (Flink and PostgreSQL compare '2024-01-01' with a DATE as a DATE). */
    if (ty_is_string(a.id) && ty_is_temporal(b.id)) { *out = b; out->nullable = nullable; return true; }
    if (ty_is_temporal(a.id) && ty_is_string(b.id)) { *out = a; out->nullable = nullable; return true; }
    if ((a.id == TY_DATE || a.id == TY_TIMESTAMP) && (b.id == TY_DATE || b.id == TY_TIMESTAMP)) {
        if (a.id == TY_DATE && b.id == TY_DATE) {
            *out = a;
        } else {
            int pa = a.id == TY_TIMESTAMP ? a.precision : 0;
            int pb = b.id == TY_TIMESTAMP ? b.precision : 0;
            *out = ty_timestamp(WB_MAX(pa, pb));
            /* two instants stay instants; an instant meeting a wall time
             * is read as the session zone's wall time (Flink) */
            out->ltz = a.id == TY_TIMESTAMP && b.id == TY_TIMESTAMP && a.ltz && b.ltz;
        }
        out->nullable = nullable;
        return true;
    }
    if (a.id == b.id) {
        *out = a;
        if (a.id == TY_TIME) out->precision = WB_MAX(a.precision, b.precision);
        out->nullable = nullable;
        return true;
    }
    return false;
}

bool sql_implicit_cast_allowed(SqlType from, SqlType to)
{
    TypeId f = (TypeId)from.id, t = (TypeId)to.id;
    if (f == TY_NULL) return true;
    if (ty_is_numeric(f) && ty_is_numeric(t)) {
        if (t == TY_DOUBLE) return true;
        if (f == TY_DOUBLE) return false;
        if (t == TY_DECIMAL) {
            int pf, sf;
            as_decimal(from, &pf, &sf);
            return to.scale >= sf && to.precision - to.scale >= pf - sf;
        }
        return f != TY_DECIMAL && numeric_rank(f) <= numeric_rank(t);
    }
    switch (t) {
    case TY_DATE:
    case TY_TIME: return f == t || f == TY_TIMESTAMP;
    default: return f == t;
    }
}

bool sql_cast_allowed(SqlType from, SqlType to)
{
    TypeId f = (TypeId)from.id, t = (TypeId)to.id;
    if (f == TY_NULL || f == t) return true;
    if (t == TY_NULL) return false;
    if (ty_is_string(f) || ty_is_string(t)) {
        /* Everything has a text form; text parses into everything except
         * the interval types, which have no literal text syntax here. */
        if (ty_is_string(f) && (t == TY_INTERVAL_DT || t == TY_INTERVAL_YM)) return false;
        return true;
    }
    bool f_num = ty_is_numeric(f) || f == TY_BOOLEAN;
    bool t_num = ty_is_numeric(t) || t == TY_BOOLEAN;
    if (f_num && t_num) return true;
    if ((f == TY_DATE || f == TY_TIMESTAMP) && (t == TY_DATE || t == TY_TIMESTAMP)) return true;
    if (f == TY_TIMESTAMP && t == TY_TIME) return true;
    if (f == TY_TIME && t == TY_TIMESTAMP) return true;
    /* Intervals to exact numbers of their unit (ms or months), like Flink's
     * CAST(INTERVAL .. AS BIGINT). */
    if ((f == TY_INTERVAL_DT || f == TY_INTERVAL_YM) && ty_is_integer(t)) return true;
    return false;
}

/* ---- EXPLAIN text ---- */

/* Infix operators print with their symbol (sql_func_name gives it). */
static const char *binop_text(FuncId fn)
{
    switch (fn) {
    case FN_MOD: return "%";
    case FN_ADD: case FN_SUB: case FN_MUL: case FN_DIV:
    case FN_EQ: case FN_NE: case FN_LT: case FN_LE: case FN_GT: case FN_GE:
    case FN_AND: case FN_OR: case FN_IS_DISTINCT: case FN_IS_NOT_DISTINCT:
        return sql_func_name(fn);
    default:
        return NULL;
    }
}

/* Postfix predicates print as their name after the operand. */
static const char *postfix_text(FuncId fn)
{
    switch (fn) {
    case FN_IS_NULL: case FN_IS_NOT_NULL: case FN_IS_TRUE: case FN_IS_NOT_TRUE:
    case FN_IS_FALSE: case FN_IS_NOT_FALSE:
        return sql_func_name(fn);
    default:
        return NULL;
    }
}

static void format_const(const Value *v, WbBuf *out)
{
    if (v->is_null) { wb_buf_puts(out, "NULL"); return; }
    ColumnVector vec;
    uint8_t null = 0;
    int64_t i64 = v->i64;
    ty_i128 i128 = v->i128;
    double f64 = v->f64;
    WbStr str = v->str;
    vec.type = v->type;
    vec.nulls = &null;
    switch (ty_phys(v->type)) {
    case PK_I64: vec.i64 = &i64; break;
    case PK_I128: vec.i128 = &i128; break;
    case PK_F64: vec.f64 = &f64; break;
    case PK_STR: vec.str = &str; break;
    }
    if (v->type.id == TY_NULL) { wb_buf_puts(out, "NULL"); return; }
    bool quoted = ty_is_string(v->type.id) || ty_is_temporal(v->type.id);
    if (quoted) {
        if (v->type.id == TY_DATE) wb_buf_puts(out, "DATE ");
        if (v->type.id == TY_TIMESTAMP) wb_buf_puts(out, "TIMESTAMP ");
        if (v->type.id == TY_TIME) wb_buf_puts(out, "TIME ");
        wb_buf_putc(out, '\'');
    }
    ty_format_value(&vec, 0, out);
    if (quoted) wb_buf_putc(out, '\'');
}

void sql_expr_format(const Expr *e, WbBuf *out)
{
    char tbuf[64];
    if (e->kind == EX_COL) { wb_buf_printf(out, "$%d", (int)e->col); return; }
    if (e->kind == EX_CONST) { format_const(&e->value, out); return; }
    FuncId fn = (FuncId)e->fn;
    const char *op = binop_text(fn);
    if (op && e->nargs >= 2) {
        wb_buf_putc(out, '(');
        for (int32_t i = 0; i < e->nargs; i++) {
            if (i) wb_buf_printf(out, " %s ", op);
            sql_expr_format(e->args[i], out);
        }
        wb_buf_putc(out, ')');
        return;
    }
    const char *post = postfix_text(fn);
    if (post) {
        wb_buf_putc(out, '(');
        sql_expr_format(e->args[0], out);
        wb_buf_printf(out, " %s)", post);
        return;
    }
    switch (fn) {
    case FN_NEG:
        wb_buf_puts(out, "-");
        sql_expr_format(e->args[0], out);
        return;
    case FN_NOT:
        wb_buf_puts(out, "NOT ");
        sql_expr_format(e->args[0], out);
        return;
    case FN_CAST:
    case FN_TRY_CAST:
        wb_buf_puts(out, fn == FN_CAST ? "CAST(" : "TRY_CAST(");
        sql_expr_format(e->args[0], out);
        wb_buf_printf(out, " AS %s)", ty_name(e->type, tbuf, sizeof tbuf));
        return;
    case FN_CASE: {
        wb_buf_puts(out, "CASE");
        int32_t pairs = (e->nargs - (e->aux ? 1 : 0)) / 2;
        for (int32_t i = 0; i < pairs; i++) {
            wb_buf_puts(out, " WHEN ");
            sql_expr_format(e->args[2 * i], out);
            wb_buf_puts(out, " THEN ");
            sql_expr_format(e->args[2 * i + 1], out);
        }
        if (e->aux) {
            wb_buf_puts(out, " ELSE ");
            sql_expr_format(e->args[e->nargs - 1], out);
        }
        wb_buf_puts(out, " END");
        return;
    }
    case FN_IN:
        sql_expr_format(e->args[0], out);
        wb_buf_puts(out, " IN (");
        for (int32_t i = 1; i < e->nargs; i++) {
            if (i > 1) wb_buf_puts(out, ", ");
            sql_expr_format(e->args[i], out);
        }
        wb_buf_putc(out, ')');
        return;
    case FN_LIKE:
    case FN_SIMILAR:
        wb_buf_putc(out, '(');
        sql_expr_format(e->args[0], out);
        wb_buf_puts(out, fn == FN_LIKE ? " LIKE " : " SIMILAR TO ");
        sql_expr_format(e->args[1], out);
        if (e->nargs > 2) {
            wb_buf_puts(out, " ESCAPE ");
            sql_expr_format(e->args[2], out);
        }
        wb_buf_putc(out, ')');
        return;
    case FN_EXTRACT:
        wb_buf_printf(out, "EXTRACT(%s FROM ", sql_time_unit_name((TimeUnit)e->aux));
        sql_expr_format(e->args[0], out);
        wb_buf_putc(out, ')');
        return;
    case FN_FLOOR_TIME:
    case FN_CEIL_TIME:
        wb_buf_puts(out, fn == FN_FLOOR_TIME ? "FLOOR(" : "CEIL(");
        sql_expr_format(e->args[0], out);
        wb_buf_printf(out, " TO %s)", sql_time_unit_name((TimeUnit)e->aux));
        return;
    case FN_TIMESTAMPADD:
    case FN_TIMESTAMPDIFF:
        wb_buf_printf(out, "%s(%s", sql_func_name(fn), sql_time_unit_name((TimeUnit)e->aux));
        for (int32_t i = 0; i < e->nargs; i++) {
            wb_buf_puts(out, ", ");
            sql_expr_format(e->args[i], out);
        }
        wb_buf_putc(out, ')');
        return;
    default:
        break;
    }
    wb_buf_printf(out, "%s(", sql_func_name(fn));
    for (int32_t i = 0; i < e->nargs; i++) {
        if (i) wb_buf_puts(out, ", ");
        sql_expr_format(e->args[i], out);
    }
    wb_buf_putc(out, ')');
}

/* ---- aggregates ---- */

static const struct {
    const char *name;
    AggKind kind;
} agg_names[] = {
    {"COUNT", AGG_COUNT}, {"SUM", AGG_SUM}, {"$SUM0", AGG_SUM0}, {"SUM0", AGG_SUM0},
    {"AVG", AGG_AVG}, {"MIN", AGG_MIN}, {"MAX", AGG_MAX},
    {"FIRST_VALUE", AGG_FIRST_VALUE}, {"LAST_VALUE", AGG_LAST_VALUE},
    {"LISTAGG", AGG_LISTAGG},
    /* internal (a correlated scalar subquery's one value), as $SUM0 */
    {"$SINGLE_VALUE", AGG_SINGLE_VALUE},
};

int sql_agg_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < WB_ARRAY_LEN(agg_names); i++)
        if (wb_ieq(name, len, agg_names[i].name)) return (int)agg_names[i].kind;
    return -1;
}

const char *sql_agg_name(AggKind kind)
{
    switch (kind) {
    case AGG_COUNT_STAR: return "COUNT(*)";
    case AGG_COUNT: return "COUNT";
    case AGG_SUM: return "SUM";
    case AGG_SUM0: return "$SUM0";
    case AGG_AVG: return "AVG";
    case AGG_MIN: return "MIN";
    case AGG_MAX: return "MAX";
    case AGG_FIRST_VALUE: return "FIRST_VALUE";
    case AGG_LAST_VALUE: return "LAST_VALUE";
    case AGG_LISTAGG: return "LISTAGG";
    case AGG_SINGLE_VALUE: return "SINGLE_VALUE";
    default: return "?";
    }
}

int sql_agg_result_type(AggKind kind, SqlType arg, SqlType *out, WbError *err)
{
    char tbuf[64];
    TypeId id = (TypeId)arg.id;
    switch (kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        *out = ty_make(TY_BIGINT);
        out->nullable = 0;
        return 0;
    case AGG_SUM:
    case AGG_SUM0:
        if (id == TY_INT || id == TY_BIGINT || id == TY_NULL) *out = ty_make(TY_BIGINT);
        else if (id == TY_DECIMAL) *out = ty_decimal(38, arg.scale);
        else if (id == TY_DOUBLE) *out = ty_make(TY_DOUBLE);
        else if (id == TY_INTERVAL_DT || id == TY_INTERVAL_YM) *out = ty_make(id);
        else break;
        /* SUM over no rows is NULL; $SUM0 is 0 (Flink's COUNT-like sum). */
        out->nullable = kind == AGG_SUM;
        return 0;
    case AGG_AVG:
        if (id == TY_INT || id == TY_BIGINT) *out = ty_make(id);
        else if (id == TY_DECIMAL) *out = ty_decimal(38, WB_MAX(arg.scale, 6));
        else if (id == TY_DOUBLE) *out = ty_make(TY_DOUBLE);
        else if (id == TY_NULL) *out = ty_make(TY_DOUBLE);
        else break;
        out->nullable = 1;
        return 0;
    case AGG_MIN:
    case AGG_MAX:
    case AGG_FIRST_VALUE:
    case AGG_LAST_VALUE:
    case AGG_SINGLE_VALUE:
        *out = arg;
        out->nullable = 1;
        return 0;
    case AGG_LISTAGG:
        if (!ty_is_string(id) && id != TY_NULL) break;
        *out = ty_make(TY_STRING);
        return 0;
    default:
        break;
    }
    wb_error(err, WB_SQLSTATE_UNDEFINED_FUNC, 0, 0,
             "function %s does not accept an argument of type %s", sql_agg_name(kind),
             ty_name(arg, tbuf, sizeof tbuf));
    return -1;
}
