/*
 * functions.c - the scalar function catalogue: names, and type checking of
 * calls (sql_func_resolve) following Flink SQL's rules, which inserts the
 * implicit casts so that the evaluator never has to coerce anything.
 */
#include "sql/expr.h"

#include <string.h>

static const struct {
    const char *name;
    FuncId fn;
} func_names[] = {
    {"UPPER", FN_UPPER}, {"LOWER", FN_LOWER}, {"TRIM", FN_TRIM}, {"LTRIM", FN_LTRIM},
    {"RTRIM", FN_RTRIM}, {"SUBSTRING", FN_SUBSTRING}, {"SUBSTR", FN_SUBSTRING},
    {"CONCAT", FN_CONCAT}, {"CONCAT_WS", FN_CONCAT_WS}, {"CHAR_LENGTH", FN_CHAR_LENGTH},
    {"CHARACTER_LENGTH", FN_CHAR_LENGTH}, {"LENGTH", FN_CHAR_LENGTH},
    {"REPLACE", FN_REPLACE}, {"SPLIT_INDEX", FN_SPLIT_INDEX}, {"REGEXP", FN_REGEXP},
    {"REGEXP_REPLACE", FN_REGEXP_REPLACE}, {"REGEXP_EXTRACT", FN_REGEXP_EXTRACT},
    {"POSITION", FN_POSITION}, {"LOCATE", FN_POSITION}, {"LPAD", FN_LPAD},
    {"RPAD", FN_RPAD}, {"INITCAP", FN_INITCAP}, {"REVERSE", FN_REVERSE},
    {"REPEAT", FN_REPEAT}, {"LEFT", FN_LEFT}, {"RIGHT", FN_RIGHT},
    {"ABS", FN_ABS}, {"ROUND", FN_ROUND}, {"FLOOR", FN_FLOOR}, {"CEIL", FN_CEIL},
    {"CEILING", FN_CEIL}, {"POWER", FN_POWER}, {"POW", FN_POWER}, {"SQRT", FN_SQRT},
    {"LN", FN_LN}, {"LOG10", FN_LOG10}, {"EXP", FN_EXP}, {"SIGN", FN_SIGN},
    {"TRUNCATE", FN_TRUNCATE}, {"MOD", FN_MOD},
    {"COALESCE", FN_COALESCE}, {"IFNULL", FN_COALESCE}, {"NULLIF", FN_NULLIF},
    {"IF", FN_IF},
    {"DATE_FORMAT", FN_DATE_FORMAT}, {"TO_TIMESTAMP", FN_TO_TIMESTAMP},
    {"TO_DATE", FN_TO_DATE}, {"UNIX_TIMESTAMP", FN_UNIX_TIMESTAMP},
    {"FROM_UNIXTIME", FN_FROM_UNIXTIME}, {"TIMESTAMPADD", FN_TIMESTAMPADD},
    {"TIMESTAMPDIFF", FN_TIMESTAMPDIFF},
    {"NOW", FN_NOW}, {"PROCTIME", FN_NOW}, {"CURRENT_ROW_TIMESTAMP", FN_NOW},
    {"CURRENT_WATERMARK", FN_CURRENT_WATERMARK},
};

FuncId sql_func_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < WB_ARRAY_LEN(func_names); i++)
        if (wb_ieq(name, len, func_names[i].name)) return func_names[i].fn;
    return FN_NONE;
}

const char *sql_func_name(FuncId fn)
{
    switch (fn) {
    case FN_ADD: return "+";
    case FN_SUB: return "-";
    case FN_MUL: return "*";
    case FN_DIV: return "/";
    case FN_NEG: return "-";
    case FN_EQ: return "=";
    case FN_NE: return "<>";
    case FN_LT: return "<";
    case FN_LE: return "<=";
    case FN_GT: return ">";
    case FN_GE: return ">=";
    case FN_IS_DISTINCT: return "IS DISTINCT FROM";
    case FN_IS_NOT_DISTINCT: return "IS NOT DISTINCT FROM";
    case FN_AND: return "AND";
    case FN_OR: return "OR";
    case FN_NOT: return "NOT";
    case FN_IS_NULL: return "IS NULL";
    case FN_IS_NOT_NULL: return "IS NOT NULL";
    case FN_IS_TRUE: return "IS TRUE";
    case FN_IS_NOT_TRUE: return "IS NOT TRUE";
    case FN_IS_FALSE: return "IS FALSE";
    case FN_IS_NOT_FALSE: return "IS NOT FALSE";
    case FN_IN: return "IN";
    case FN_LIKE: return "LIKE";
    case FN_SIMILAR: return "SIMILAR TO";
    case FN_CASE: return "CASE";
    case FN_CAST: return "CAST";
    case FN_TRY_CAST: return "TRY_CAST";
    case FN_EXTRACT: return "EXTRACT";
    case FN_FLOOR_TIME: return "FLOOR";
    case FN_CEIL_TIME: return "CEIL";
    default: break;
    }
    for (size_t i = 0; i < WB_ARRAY_LEN(func_names); i++)
        if (func_names[i].fn == fn) return func_names[i].name;
    return "?";
}

/* ---- helpers ---- */

static int type_error(Expr *call, WbError *err)
{
    WbBuf types = {0};
    char tbuf[64];
    for (int32_t i = 0; i < call->nargs; i++) {
        if (i) wb_buf_puts(&types, ", ");
        SqlType shown = call->args[i]->type;
        shown.nullable = 1;   /* nullability is not part of the mismatch */
        wb_buf_puts(&types, ty_name(shown, tbuf, sizeof tbuf));
    }
    wb_error(err, WB_SQLSTATE_UNDEFINED_FUNC, call->line, call->column,
             "cannot apply %s to arguments of type (%s)", sql_func_name((FuncId)call->fn),
             wb_buf_cstr(&types));
    wb_buf_free(&types);
    return -1;
}

static int arity_error(Expr *call, WbError *err, const char *expected)
{
    wb_error(err, WB_SQLSTATE_UNDEFINED_FUNC, call->line, call->column,
             "function %s takes %s, not %d", sql_func_name((FuncId)call->fn), expected,
             (int)call->nargs);
    return -1;
}

/* Makes args[idx] of type `to`: retypes a NULL literal in place, wraps
 * anything else of another type in an implicit CAST. */
static void coerce(WbArena *arena, Expr *call, int32_t idx, SqlType to)
{
    Expr *arg = call->args[idx];
    if (arg->type.id != TY_NULL && ty_equal(arg->type, to)) return;
    if (arg->kind == EX_CONST && arg->value.is_null) {
        Expr *copy = sql_expr_const(arena, arg->value);
        copy->line = arg->line;
        copy->column = arg->column;
        copy->value.type = to;
        copy->value.type.nullable = 1;
        copy->type = copy->value.type;
        call->args[idx] = copy;
        return;
    }
    call->args[idx] = sql_expr_cast(arena, arg, to);
}

static bool any_nullable(const Expr *call, int32_t from)
{
    for (int32_t i = from; i < call->nargs; i++)
        if (call->args[i]->type.nullable) return true;
    return false;
}

static bool is_type(const Expr *arg, TypeId id)
{
    return arg->type.id == id;
}

static bool stringish(const Expr *arg)
{
    return ty_is_string(arg->type.id) || arg->type.id == TY_NULL;
}

static bool integerish(const Expr *arg)
{
    return ty_is_integer(arg->type.id) || arg->type.id == TY_NULL;
}

static bool numericish(const Expr *arg)
{
    return ty_is_numeric(arg->type.id) || arg->type.id == TY_NULL;
}

/* Flink's SQL-Server-style rule for a DECIMAL whose precision exceeds the
 * maximum: keep the integer digits, give up scale but keep at least
 * min(scale, 6) fractional digits. */
static SqlType adjust_decimal(int precision, int scale, int max_precision)
{
    if (precision > max_precision) {
        int int_digits = precision - scale;
        int min_scale = WB_MIN(scale, 6);
        scale = WB_MAX(max_precision - int_digits, min_scale);
        precision = max_precision;
    }
    return ty_decimal(precision, scale);
}

static void decimal_of(SqlType t, int *p, int *s)
{
    if (t.id == TY_INT) { *p = 10; *s = 0; }
    else if (t.id == TY_BIGINT) { *p = 19; *s = 0; }
    else { *p = t.precision; *s = t.scale; }
}

/* Casts every arg in [from, nargs) to their common type; -1 if none. */
static int unify_args(Expr *call, int32_t from, int32_t step, WbArena *arena, SqlType *out,
                      WbError *err)
{
    SqlType common = ty_make(TY_NULL);
    common.nullable = 0;
    for (int32_t i = from; i < call->nargs; i += step) {
        SqlType next;
        if (!sql_common_type(common, call->args[i]->type, &next)) return type_error(call, err);
        common = next;
    }
    for (int32_t i = from; i < call->nargs; i += step) coerce(arena, call, i, common);
    *out = common;
    return 0;
}

/* ---- arithmetic ---- */

static int resolve_arith(Expr *call, WbArena *arena, WbError *err)
{
    FuncId fn = (FuncId)call->fn;
    if (fn == FN_NEG) {
        if (call->nargs != 1) return arity_error(call, err, "1 argument");
        TypeId id = (TypeId)call->args[0]->type.id;
        if (!ty_is_numeric(id) && id != TY_INTERVAL_DT && id != TY_INTERVAL_YM)
            return type_error(call, err);
        call->type = call->args[0]->type;
        return 0;
    }
    if (call->nargs != 2) return arity_error(call, err, "2 arguments");
    Expr *a = call->args[0], *b = call->args[1];
    TypeId ta = (TypeId)a->type.id, tb = (TypeId)b->type.id;
    uint8_t nullable = a->type.nullable || b->type.nullable;

    /* Date and time arithmetic. */
    bool a_iv = ta == TY_INTERVAL_DT || ta == TY_INTERVAL_YM;
    bool b_iv = tb == TY_INTERVAL_DT || tb == TY_INTERVAL_YM;
    if (fn == FN_ADD && a_iv && (tb == TY_DATE || tb == TY_TIMESTAMP)) {
        /* INTERVAL + ts: put the point in time first. */
        call->args[0] = b;
        call->args[1] = a;
        Expr *t = a; a = b; b = t;
        TypeId tt = ta; ta = tb; tb = tt;
        a_iv = false;
        b_iv = true;
    }
    if ((fn == FN_ADD || fn == FN_SUB) && (ta == TY_DATE || ta == TY_TIMESTAMP) && b_iv) {
        call->type = a->type;
        call->type.nullable = nullable;
        return 0;
    }
    if (fn == FN_SUB && ta == TY_DATE && tb == TY_DATE) {
        /* PostgreSQL: the number of days between two dates. */
        call->type = ty_make(TY_INT);
        call->type.nullable = nullable;
        return 0;
    }
    if (fn == FN_SUB && (ta == TY_TIMESTAMP || ta == TY_DATE) &&
        (tb == TY_TIMESTAMP || tb == TY_DATE)) {
        SqlType ts;
        if (!sql_common_type(a->type, b->type, &ts)) return type_error(call, err);
        coerce(arena, call, 0, ts);
        coerce(arena, call, 1, ts);
        call->type = ty_make(TY_INTERVAL_DT);
        call->type.nullable = nullable;
        return 0;
    }
    if ((fn == FN_ADD || fn == FN_SUB) && a_iv && ta == tb) {
        call->type = a->type;
        call->type.nullable = nullable;
        return 0;
    }
    if ((fn == FN_MUL || fn == FN_DIV) && a_iv && (ty_is_integer(tb) || tb == TY_NULL)) {
        coerce(arena, call, 1, ty_make(TY_BIGINT));
        call->type = a->type;
        call->type.nullable = nullable;
        return 0;
    }
    if (fn == FN_MUL && b_iv && ty_is_integer(ta)) {
        call->args[0] = b;
        call->args[1] = a;
        coerce(arena, call, 1, ty_make(TY_BIGINT));
        call->type = b->type;
        call->type.nullable = nullable;
        return 0;
    }

    if (!numericish(a) || !numericish(b)) return type_error(call, err);
    if (ta == TY_NULL && tb == TY_NULL) {
        coerce(arena, call, 0, ty_make(TY_INT));
        coerce(arena, call, 1, ty_make(TY_INT));
        call->type = ty_make(TY_INT);
        return 0;
    }
    SqlType common;
    if (!sql_common_type(a->type, b->type, &common)) return type_error(call, err);
    common.nullable = 1;
    if (common.id != TY_DECIMAL) {
        coerce(arena, call, 0, common);
        coerce(arena, call, 1, common);
        call->type = common;
        call->type.nullable = nullable;
        return 0;
    }
    /* DECIMAL results: Flink's LogicalTypeMerging rules. */
    if (ta == TY_NULL) { coerce(arena, call, 0, b->type); a = call->args[0]; }
    if (tb == TY_NULL) { coerce(arena, call, 1, a->type); b = call->args[1]; }
    int p1, s1, p2, s2;
    decimal_of(a->type, &p1, &s1);
    decimal_of(b->type, &p2, &s2);
    SqlType result;
    switch (fn) {
    case FN_ADD:
    case FN_SUB: {
        int scale = WB_MAX(s1, s2);
        result = adjust_decimal(WB_MAX(p1 - s1, p2 - s2) + scale + 1, scale, 38);
        if (WB_MAX(p1 - s1, p2 - s2) + scale + 1 > 38) {
            /* the 38-digit cap applies: an operand cast to the result type
             * could overflow or lose digits, so the evaluator adds the
             * exact operands and rounds the sum once, as Flink's
             * BigDecimal does */
            coerce(arena, call, 0, ty_decimal(p1, s1));
            coerce(arena, call, 1, ty_decimal(p2, s2));
            break;
        }
        /* Both operands at the result scale, so the evaluator adds raw
         * scaled integers. */
        coerce(arena, call, 0, ty_decimal(WB_MIN(38, p1 - s1 + result.scale), result.scale));
        coerce(arena, call, 1, ty_decimal(WB_MIN(38, p2 - s2 + result.scale), result.scale));
        break;
    }
    case FN_MUL:
        coerce(arena, call, 0, ty_decimal(p1, s1));
        coerce(arena, call, 1, ty_decimal(p2, s2));
        result = adjust_decimal(p1 + p2 + 1, s1 + s2, 38);
        break;
    case FN_DIV: {
        /* Flink: scale max(6, s1 + p2 + 1), precision p1 - s1 + s2 + scale */
        int scale = WB_MAX(6, s1 + p2 + 1);
        result = adjust_decimal(p1 - s1 + s2 + scale, scale, 38);
        coerce(arena, call, 0, ty_decimal(p1, s1));
        coerce(arena, call, 1, ty_decimal(p2, s2));
        break;
    }
    case FN_MOD: {
        /* Flink: the remainder is no larger than either operand, so
         * min(p1 - s1, p2 - s2) integer digits; with both scales 0 the
         * divisor's precision */
        int scale = WB_MAX(s1, s2);
        if (s1 == 0 && s2 == 0 && ty_is_integer(tb)) {
            /* DECIMAL(p, 0) % INT is an INT (BIGINT: BIGINT), as Flink:
             * the remainder is smaller than the divisor */
            coerce(arena, call, 0, ty_decimal(p1, 0));
            coerce(arena, call, 1, ty_decimal(p2, 0));
            result = ty_make(tb);
            break;
        }
        if (s1 == 0 && s2 == 0) result = ty_decimal(p2, 0);
        else result = ty_decimal(WB_MIN(38, WB_MIN(p1 - s1, p2 - s2) + scale), scale);
        if (WB_MAX(p1 - s1, p2 - s2) + scale > 38) {
            /* an operand at the common scale would pass 38 digits: the
             * evaluator aligns them exactly (ty_dec_mod) */
            coerce(arena, call, 0, ty_decimal(p1, s1));
            coerce(arena, call, 1, ty_decimal(p2, s2));
            break;
        }
        coerce(arena, call, 0, ty_decimal(p1 - s1 + scale, scale));
        coerce(arena, call, 1, ty_decimal(p2 - s2 + scale, scale));
        break;
    }
    default:
        return type_error(call, err);
    }
    call->type = result;
    call->type.nullable = nullable;
    return 0;
}

/* ---- comparisons and logic ---- */

static int resolve_compare(Expr *call, WbArena *arena, WbError *err)
{
    if (call->nargs != 2) return arity_error(call, err, "2 arguments");
    SqlType common;
    if (!sql_common_type(call->args[0]->type, call->args[1]->type, &common))
        return type_error(call, err);
    if (common.id == TY_NULL) common = ty_make(TY_BOOLEAN);
    bool distinct = call->fn == FN_IS_DISTINCT || call->fn == FN_IS_NOT_DISTINCT;
    uint8_t nullable = any_nullable(call, 0);
    coerce(arena, call, 0, common);
    coerce(arena, call, 1, common);
    call->type = ty_make(TY_BOOLEAN);
    call->type.nullable = distinct ? 0 : nullable;
    return 0;
}

static int resolve_bool_args(Expr *call, WbArena *arena, WbError *err)
{
    for (int32_t i = 0; i < call->nargs; i++) {
        if (!is_type(call->args[i], TY_BOOLEAN) && !is_type(call->args[i], TY_NULL))
            return type_error(call, err);
        coerce(arena, call, i, ty_make(TY_BOOLEAN));
    }
    return 0;
}

/* ---- conditionals ---- */

static int resolve_case(Expr *call, WbArena *arena, WbError *err)
{
    bool has_else = call->aux != 0;
    int32_t pairs = (call->nargs - (has_else ? 1 : 0)) / 2;
    if (pairs < 1 || pairs * 2 + (has_else ? 1 : 0) != call->nargs)
        return arity_error(call, err, "WHEN/THEN pairs");
    SqlType common = ty_make(TY_NULL);
    common.nullable = 0;
    for (int32_t i = 0; i < pairs; i++) {
        Expr *cond = call->args[2 * i];
        if (!is_type(cond, TY_BOOLEAN) && !is_type(cond, TY_NULL)) return type_error(call, err);
        coerce(arena, call, 2 * i, ty_make(TY_BOOLEAN));
        SqlType next;
        if (!sql_common_type(common, call->args[2 * i + 1]->type, &next))
            return type_error(call, err);
        common = next;
    }
    if (has_else) {
        SqlType next;
        if (!sql_common_type(common, call->args[call->nargs - 1]->type, &next))
            return type_error(call, err);
        common = next;
    } else {
        common.nullable = 1;
    }
    if (common.id == TY_NULL) common = ty_make(TY_STRING);
    uint8_t nullable = common.nullable;
    for (int32_t i = 0; i < pairs; i++) coerce(arena, call, 2 * i + 1, common);
    if (has_else) coerce(arena, call, call->nargs - 1, common);
    call->type = common;
    call->type.nullable = nullable;
    return 0;
}

static int resolve_coalesce(Expr *call, WbArena *arena, WbError *err)
{
    if (call->nargs < 1) return arity_error(call, err, "at least 1 argument");
    SqlType common;
    if (unify_args(call, 0, 1, arena, &common, err) != 0) return -1;
    bool all_nullable = true;
    for (int32_t i = 0; i < call->nargs; i++)
        if (!call->args[i]->type.nullable) all_nullable = false;
    if (common.id == TY_NULL) common = ty_make(TY_STRING);
    for (int32_t i = 0; i < call->nargs; i++) coerce(arena, call, i, common);
    call->type = common;
    call->type.nullable = all_nullable;
    return 0;
}

static int resolve_in(Expr *call, WbArena *arena, WbError *err)
{
    if (call->nargs < 2) return arity_error(call, err, "a value and a list");
    SqlType common;
    uint8_t nullable = any_nullable(call, 0);
    if (unify_args(call, 0, 1, arena, &common, err) != 0) return -1;
    if (common.id == TY_NULL) {
        for (int32_t i = 0; i < call->nargs; i++) coerce(arena, call, i, ty_make(TY_BOOLEAN));
    }
    call->type = ty_make(TY_BOOLEAN);
    call->type.nullable = nullable;
    return 0;
}

/* ---- strings ---- */

/* Casts args[i] to STRING (used by CONCAT and ||, which accept any type in
 * weir as a convenience; Flink requires strings there). */
static void to_string(Expr *call, int32_t i, WbArena *arena)
{
    if (!ty_is_string(call->args[i]->type.id)) coerce(arena, call, i, ty_make(TY_STRING));
}

static int check_strings(Expr *call, int32_t from, int32_t to, WbArena *arena, WbError *err)
{
    for (int32_t i = from; i < to && i < call->nargs; i++) {
        if (!stringish(call->args[i])) return type_error(call, err);
        if (call->args[i]->type.id == TY_NULL) coerce(arena, call, i, ty_make(TY_STRING));
    }
    return 0;
}

static int check_integers(Expr *call, int32_t from, int32_t to, WbArena *arena, WbError *err)
{
    for (int32_t i = from; i < to && i < call->nargs; i++) {
        if (!integerish(call->args[i])) return type_error(call, err);
        if (call->args[i]->type.id == TY_NULL) coerce(arena, call, i, ty_make(TY_INT));
    }
    return 0;
}

static int resolve_string(Expr *call, WbArena *arena, WbError *err)
{
    FuncId fn = (FuncId)call->fn;
    int32_t n = call->nargs;
    SqlType result = ty_make(TY_STRING);
    switch (fn) {
    case FN_UPPER: case FN_LOWER: case FN_INITCAP: case FN_REVERSE:
    case FN_LTRIM: case FN_RTRIM:
        if (n != 1) return arity_error(call, err, "1 argument");
        if (check_strings(call, 0, 1, arena, err)) return -1;
        break;
    case FN_TRIM:
        if (n == 1) {
            /* TRIM(s) called as a plain function: trim blanks. */
            Value blank = {.type = ty_make(TY_STRING), .str = {" ", 1}};
            blank.type.nullable = 0;
            Expr **args = wb_arena_alloc(arena, sizeof(Expr *) * 2);
            args[0] = sql_expr_const(arena, blank);
            args[1] = call->args[0];
            call->args = args;
            call->nargs = n = 2;
        }
        if (n != 2) return arity_error(call, err, "1 or 2 arguments");
        if (check_strings(call, 0, 2, arena, err)) return -1;
        break;
    case FN_CHAR_LENGTH:
        if (n != 1) return arity_error(call, err, "1 argument");
        if (check_strings(call, 0, 1, arena, err)) return -1;
        result = ty_make(TY_INT);
        break;
    case FN_SUBSTRING:
        if (n != 2 && n != 3) return arity_error(call, err, "2 or 3 arguments");
        if (check_strings(call, 0, 1, arena, err) || check_integers(call, 1, n, arena, err))
            return -1;
        break;
    case FN_LEFT: case FN_RIGHT: case FN_REPEAT:
        if (n != 2) return arity_error(call, err, "2 arguments");
        if (check_strings(call, 0, 1, arena, err) || check_integers(call, 1, 2, arena, err))
            return -1;
        break;
    case FN_LPAD: case FN_RPAD:
        if (n != 3) return arity_error(call, err, "3 arguments");
        if (check_strings(call, 0, 1, arena, err) || check_integers(call, 1, 2, arena, err) ||
            check_strings(call, 2, 3, arena, err))
            return -1;
        break;
    case FN_CONCAT:
        if (n < 1) return arity_error(call, err, "at least 1 argument");
        for (int32_t i = 0; i < n; i++) to_string(call, i, arena);
        break;
    case FN_CONCAT_WS:
        if (n < 2) return arity_error(call, err, "at least 2 arguments");
        for (int32_t i = 0; i < n; i++) to_string(call, i, arena);
        /* NULL values are skipped; only a NULL separator gives NULL. */
        call->type = result;
        call->type.nullable = call->args[0]->type.nullable;
        return 0;
    case FN_REPLACE: case FN_REGEXP_REPLACE:
        if (n != 3) return arity_error(call, err, "3 arguments");
        if (check_strings(call, 0, 3, arena, err)) return -1;
        break;
    case FN_SPLIT_INDEX:
        if (n != 3) return arity_error(call, err, "3 arguments");
        if (check_strings(call, 0, 2, arena, err) || check_integers(call, 2, 3, arena, err))
            return -1;
        /* NULL also when the index is out of range. */
        call->type = result;
        return 0;
    case FN_REGEXP: case FN_LIKE: case FN_SIMILAR:
        if (n != 2 && !(fn == FN_LIKE && n == 3)) return arity_error(call, err, "2 arguments");
        if (check_strings(call, 0, n, arena, err)) return -1;
        result = ty_make(TY_BOOLEAN);
        break;
    case FN_REGEXP_EXTRACT:
        if (n != 2 && n != 3) return arity_error(call, err, "2 or 3 arguments");
        if (check_strings(call, 0, 2, arena, err) || check_integers(call, 2, 3, arena, err))
            return -1;
        call->type = result;   /* NULL when there is no match */
        return 0;
    case FN_POSITION:
        if (n != 2 && n != 3) return arity_error(call, err, "2 or 3 arguments");
        if (check_strings(call, 0, 2, arena, err) || check_integers(call, 2, 3, arena, err))
            return -1;
        result = ty_make(TY_INT);
        break;
    default:
        return type_error(call, err);
    }
    call->type = result;
    call->type.nullable = any_nullable(call, 0);
    return 0;
}

/* ---- numbers ---- */

static bool const_int(const Expr *arg, int64_t *out)
{
    if (arg->kind != EX_CONST || arg->value.is_null || !ty_is_integer(arg->type.id)) return false;
    *out = arg->value.i64;
    return true;
}

static int resolve_math(Expr *call, WbArena *arena, WbError *err)
{
    FuncId fn = (FuncId)call->fn;
    int32_t n = call->nargs;
    if (n < 1) return arity_error(call, err, "at least 1 argument");
    if (!numericish(call->args[0])) return type_error(call, err);
    if (call->args[0]->type.id == TY_NULL) coerce(arena, call, 0, ty_make(TY_DOUBLE));
    SqlType t = call->args[0]->type;
    switch (fn) {
    case FN_ABS: case FN_SIGN:
        if (n != 1) return arity_error(call, err, "1 argument");
        call->type = t;
        break;
    case FN_FLOOR: case FN_CEIL:
        if (n != 1) return arity_error(call, err, "1 argument");
        call->type = t;
        /* Flink: DECIMAL(p, 0) (the carry digit fits where the fraction was) */
        if (t.id == TY_DECIMAL) call->type = ty_decimal(t.precision, 0);
        break;
    case FN_ROUND: case FN_TRUNCATE: {
        if (n != 1 && n != 2) return arity_error(call, err, "1 or 2 arguments");
        int64_t digits = 0;
        if (n == 2) {
            if (check_integers(call, 1, 2, arena, err)) return -1;
            if (t.id == TY_DECIMAL && !const_int(call->args[1], &digits)) {
                wb_error(err, WB_SQLSTATE_FEATURE, call->line, call->column,
                         "%s of a DECIMAL needs a constant number of digits",
                         sql_func_name(fn));
                return -1;
            }
        }
        call->type = t;
        if (t.id == TY_DECIMAL && digits < t.scale) {
            /* Flink: ROUND(DECIMAL(p, s), d < s) is DECIMAL(p - s + d + 1,
             * d), one integer digit for the carry (TRUNCATE needs none);
             * d >= s keeps the type */
            int scale = (int)WB_MAX(0, digits);
            int int_digits = t.precision - t.scale + (fn == FN_ROUND ? 1 : 0);
            call->type = ty_decimal(WB_MIN(38, int_digits + scale), scale);
        }
        break;
    }
    case FN_POWER:
        if (n != 2) return arity_error(call, err, "2 arguments");
        if (!numericish(call->args[1])) return type_error(call, err);
        coerce(arena, call, 0, ty_make(TY_DOUBLE));
        coerce(arena, call, 1, ty_make(TY_DOUBLE));
        call->type = ty_make(TY_DOUBLE);
        break;
    case FN_SQRT: case FN_LN: case FN_LOG10: case FN_EXP:
        if (n != 1) return arity_error(call, err, "1 argument");
        coerce(arena, call, 0, ty_make(TY_DOUBLE));
        call->type = ty_make(TY_DOUBLE);
        break;
    default:
        return type_error(call, err);
    }
    call->type.nullable = any_nullable(call, 0);
    return 0;
}

/* ---- date and time ---- */

static bool datetimeish(const Expr *arg)
{
    TypeId id = (TypeId)arg->type.id;
    return id == TY_DATE || id == TY_TIMESTAMP || id == TY_NULL;
}

static int resolve_time(Expr *call, WbArena *arena, WbError *err)
{
    FuncId fn = (FuncId)call->fn;
    int32_t n = call->nargs;
    /* the fields, formats and calendar units of a TIMESTAMP_LTZ are those
     * of its wall time in the session zone (TIMESTAMPDIFF of two instants
     * too: across a zone change the wall times tell the calendar) */
    if (fn != FN_NOW && fn != FN_CURRENT_WATERMARK)
        for (int32_t i = 0; i < n; i++)
            if (call->args[i]->type.id == TY_TIMESTAMP && call->args[i]->type.ltz)
                coerce(arena, call, i, ty_timestamp(call->args[i]->type.precision));
    switch (fn) {
    case FN_EXTRACT: {
        if (n != 1) return arity_error(call, err, "1 argument");
        TypeId id = (TypeId)call->args[0]->type.id;
        if (ty_is_string(id)) coerce(arena, call, 0, ty_timestamp(6));
        else if (id == TY_NULL) coerce(arena, call, 0, ty_timestamp(6));
        else if (!ty_is_temporal(id) && id != TY_INTERVAL_DT && id != TY_INTERVAL_YM)
            return type_error(call, err);
        call->type = ty_make(TY_BIGINT);
        break;
    }
    case FN_FLOOR_TIME: case FN_CEIL_TIME:
        if (n != 1) return arity_error(call, err, "1 argument");
        if (!datetimeish(call->args[0])) return type_error(call, err);
        if (call->args[0]->type.id == TY_NULL) coerce(arena, call, 0, ty_timestamp(3));
        if (call->args[0]->type.id == TY_DATE && call->aux < TU_DAY) {
            coerce(arena, call, 0, ty_timestamp(0));
        }
        call->type = call->args[0]->type;
        break;
    case FN_TIMESTAMPADD:
        if (n != 2) return arity_error(call, err, "2 arguments");
        if (check_integers(call, 0, 1, arena, err)) return -1;
        if (!datetimeish(call->args[1])) return type_error(call, err);
        if (call->args[1]->type.id == TY_NULL) coerce(arena, call, 1, ty_timestamp(3));
        /* A DATE stays a DATE for whole days or more (Flink). */
        if (call->args[1]->type.id == TY_DATE && call->aux < TU_DAY)
            coerce(arena, call, 1, ty_timestamp(0));
        call->type = call->args[1]->type;
        break;
    case FN_TIMESTAMPDIFF: {
        if (n != 2) return arity_error(call, err, "2 arguments");
        if (!datetimeish(call->args[0]) || !datetimeish(call->args[1]))
            return type_error(call, err);
        SqlType ts = ty_timestamp(6);
        coerce(arena, call, 0, ts);
        coerce(arena, call, 1, ts);
        call->type = ty_make(TY_INT);
        break;
    }
    case FN_DATE_FORMAT:
        if (n != 2) return arity_error(call, err, "2 arguments");
        if (stringish(call->args[0]) || call->args[0]->type.id == TY_DATE)
            coerce(arena, call, 0, ty_timestamp(6));
        if (call->args[0]->type.id != TY_TIMESTAMP) return type_error(call, err);
        if (check_strings(call, 1, 2, arena, err)) return -1;
        call->type = ty_make(TY_STRING);
        break;
    case FN_TO_TIMESTAMP: case FN_TO_DATE: case FN_UNIX_TIMESTAMP:
        if (n != 1 && n != 2) return arity_error(call, err, "1 or 2 arguments");
        if (check_strings(call, 0, n, arena, err)) return -1;
        call->type = fn == FN_TO_TIMESTAMP ? ty_timestamp(3)
                   : fn == FN_TO_DATE ? ty_make(TY_DATE) : ty_make(TY_BIGINT);
        /* Unparseable text gives NULL, as in Flink. */
        call->type.nullable = 1;
        return 0;
    case FN_FROM_UNIXTIME:
        if (n != 1 && n != 2) return arity_error(call, err, "1 or 2 arguments");
        if (check_integers(call, 0, 1, arena, err) || check_strings(call, 1, n, arena, err))
            return -1;
        coerce(arena, call, 0, ty_make(TY_BIGINT));
        call->type = ty_make(TY_STRING);
        break;
    case FN_NOW:
        if (n != 0) return arity_error(call, err, "no arguments");
        /* NOW(), CURRENT_TIMESTAMP, PROCTIME(): TIMESTAMP_LTZ(3), an instant;
         * LOCALTIMESTAMP, CURRENT_DATE, CURRENT_TIME: the session zone's */
        call->type = call->aux == 1 ? ty_make(TY_DATE)
                   : call->aux == 2 ? ty_make(TY_TIME) : ty_timestamp(3);
        call->type.ltz = call->aux == 0;
        call->type.nullable = 0;
        return 0;
    case FN_CURRENT_WATERMARK:
        if (n != 1) return arity_error(call, err, "1 argument (a rowtime attribute)");
        if (call->args[0]->type.id != TY_TIMESTAMP || call->args[0]->type.time_attr != TY_ROWTIME) {
            wb_error(err, WB_SQLSTATE_DATATYPE, call->line, call->column,
                     "CURRENT_WATERMARK needs a rowtime attribute (a column with a WATERMARK) as its argument");
            return -1;
        }
        call->type = ty_timestamp(3);
        call->type.nullable = 1;   /* no watermark yet */
        return 0;
    default:
        return type_error(call, err);
    }
    call->type.nullable = any_nullable(call, 0);
    return 0;
}

/* ---- entry point ---- */

int sql_func_resolve(Expr *call, WbArena *arena, WbError *err)
{
    if (call->kind != EX_CALL) return 0;
    FuncId fn = (FuncId)call->fn;
    switch (fn) {
    case FN_ADD: case FN_SUB: case FN_MUL: case FN_DIV: case FN_MOD: case FN_NEG:
        if (fn == FN_MOD && call->nargs == 2 &&
            !(numericish(call->args[0]) && numericish(call->args[1])))
            return type_error(call, err);
        return resolve_arith(call, arena, err);
    case FN_EQ: case FN_NE: case FN_LT: case FN_LE: case FN_GT: case FN_GE:
    case FN_IS_DISTINCT: case FN_IS_NOT_DISTINCT:
        return resolve_compare(call, arena, err);
    case FN_AND: case FN_OR:
        if (call->nargs < 2) return arity_error(call, err, "at least 2 arguments");
        if (resolve_bool_args(call, arena, err)) return -1;
        call->type = ty_make(TY_BOOLEAN);
        call->type.nullable = any_nullable(call, 0);
        return 0;
    case FN_NOT:
        if (call->nargs != 1) return arity_error(call, err, "1 argument");
        if (resolve_bool_args(call, arena, err)) return -1;
        call->type = ty_make(TY_BOOLEAN);
        call->type.nullable = any_nullable(call, 0);
        return 0;
    case FN_IS_NULL: case FN_IS_NOT_NULL:
        if (call->nargs != 1) return arity_error(call, err, "1 argument");
        call->type = ty_make(TY_BOOLEAN);
        call->type.nullable = 0;
        return 0;
    case FN_IS_TRUE: case FN_IS_NOT_TRUE: case FN_IS_FALSE: case FN_IS_NOT_FALSE:
        if (call->nargs != 1) return arity_error(call, err, "1 argument");
        if (resolve_bool_args(call, arena, err)) return -1;
        call->type = ty_make(TY_BOOLEAN);
        call->type.nullable = 0;
        return 0;
    case FN_IN:
        return resolve_in(call, arena, err);
    case FN_CASE:
        return resolve_case(call, arena, err);
    case FN_COALESCE:
        return resolve_coalesce(call, arena, err);
    case FN_NULLIF: {
        if (call->nargs != 2) return arity_error(call, err, "2 arguments");
        SqlType common;
        if (unify_args(call, 0, 1, arena, &common, err) != 0) return -1;
        if (common.id == TY_NULL) {
            common = ty_make(TY_STRING);
            coerce(arena, call, 0, common);
            coerce(arena, call, 1, common);
        }
        call->type = common;
        call->type.nullable = 1;
        return 0;
    }
    case FN_IF: {
        if (call->nargs != 3) return arity_error(call, err, "3 arguments");
        Expr *cond = call->args[0];
        if (!is_type(cond, TY_BOOLEAN) && !is_type(cond, TY_NULL)) return type_error(call, err);
        coerce(arena, call, 0, ty_make(TY_BOOLEAN));
        SqlType common;
        if (unify_args(call, 1, 1, arena, &common, err) != 0) return -1;
        if (common.id == TY_NULL) {
            common = ty_make(TY_STRING);
            coerce(arena, call, 1, common);
            coerce(arena, call, 2, common);
        }
        call->type = common;
        call->type.nullable = call->args[1]->type.nullable || call->args[2]->type.nullable;
        return 0;
    }
    case FN_CAST: case FN_TRY_CAST: {
        if (call->nargs != 1) return arity_error(call, err, "1 argument");
        char from[64], to[64];
        if (!sql_cast_allowed(call->args[0]->type, call->type)) {
            SqlType f = call->args[0]->type, t = call->type;
            f.nullable = t.nullable = 1;
            wb_error(err, WB_SQLSTATE_DATATYPE, call->line, call->column,
                     "cannot cast type %s to %s", ty_name(f, from, sizeof from),
                     ty_name(t, to, sizeof to));
            return -1;
        }
        call->type.nullable = fn == FN_TRY_CAST ? 1 : call->args[0]->type.nullable;
        return 0;
    }
    case FN_UPPER: case FN_LOWER: case FN_TRIM: case FN_LTRIM: case FN_RTRIM:
    case FN_SUBSTRING: case FN_CONCAT: case FN_CONCAT_WS: case FN_CHAR_LENGTH:
    case FN_REPLACE: case FN_SPLIT_INDEX: case FN_REGEXP: case FN_REGEXP_REPLACE:
    case FN_REGEXP_EXTRACT: case FN_POSITION: case FN_LPAD: case FN_RPAD:
    case FN_INITCAP: case FN_REVERSE: case FN_REPEAT: case FN_LEFT: case FN_RIGHT:
    case FN_LIKE: case FN_SIMILAR:
        return resolve_string(call, arena, err);
    case FN_ABS: case FN_ROUND: case FN_FLOOR: case FN_CEIL: case FN_POWER:
    case FN_SQRT: case FN_LN: case FN_LOG10: case FN_EXP: case FN_SIGN: case FN_TRUNCATE:
        return resolve_math(call, arena, err);
    case FN_EXTRACT: case FN_DATE_FORMAT: case FN_TO_TIMESTAMP: case FN_TO_DATE:
    case FN_FLOOR_TIME: case FN_CEIL_TIME: case FN_TIMESTAMPADD: case FN_TIMESTAMPDIFF:
    case FN_UNIX_TIMESTAMP: case FN_FROM_UNIXTIME: case FN_NOW: case FN_CURRENT_WATERMARK:
        return resolve_time(call, arena, err);
    default:
        break;
    }
    wb_error(err, WB_SQLSTATE_UNDEFINED_FUNC, call->line, call->column,
             "function %s is not supported", sql_func_name(fn));
    return -1;
}
