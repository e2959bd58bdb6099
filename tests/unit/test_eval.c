/*
 * test_eval.c - unit tests of expression typing (sql_func_resolve, the
 * aggregate result types) and of the vectorized evaluator: values, NULLs,
 * positioned errors, lazy CASE/COALESCE/AND, LIKE/REGEXP and date/time.
 */
#include "check.h"
#include "exec/exec.h"

#include <stdarg.h>
#include <stdlib.h>

static WbArena *A;

/* ---- expression builders ---- */

static Expr *col(int32_t idx, SqlType t)
{
    return sql_expr_col(A, idx, t);
}

static Expr *lit_int(int64_t v)
{
    Value val = {ty_make(TY_INT), false, v, 0, {NULL, 0}, 0};
    val.type.nullable = 0;
    return sql_expr_const(A, val);
}

static Expr *lit_bigint(int64_t v)
{
    Value val = {ty_make(TY_BIGINT), false, v, 0, {NULL, 0}, 0};
    return sql_expr_const(A, val);
}

static Expr *lit_dec(int64_t scaled, int p, int s)
{
    Value val = {ty_decimal(p, s), false, scaled, 0, {NULL, 0}, 0};
    return sql_expr_const(A, val);
}

/* a DECIMAL literal of either width (the narrow form holds the low bits) */
static Expr *lit_dec128(ty_i128 scaled, int p, int s)
{
    Value val = {ty_decimal(p, s), false, (int64_t)scaled, 0, {NULL, 0}, scaled};
    val.type.nullable = 0;
    return sql_expr_const(A, val);
}

static Expr *lit_double(double d)
{
    Value val = {ty_make(TY_DOUBLE), false, 0, d, {NULL, 0}, 0};
    return sql_expr_const(A, val);
}

static Expr *lit_str(const char *s)
{
    Value val = {ty_make(TY_STRING), false, 0, 0, {s, (uint32_t)strlen(s)}, 0};
    return sql_expr_const(A, val);
}

static Expr *lit_null(void)
{
    Value val = {ty_make(TY_NULL), true, 0, 0, {NULL, 0}, 0};
    return sql_expr_const(A, val);
}

static Expr *lit_interval_ms(int64_t ms)
{
    Value val = {ty_make(TY_INTERVAL_DT), false, ms, 0, {NULL, 0}, 0};
    return sql_expr_const(A, val);
}

static Expr *lit_interval_months(int64_t m)
{
    Value val = {ty_make(TY_INTERVAL_YM), false, m, 0, {NULL, 0}, 0};
    return sql_expr_const(A, val);
}

static WbError last_err;

/* Builds and resolves a call at line 1, column 7; NULL on a typing error
 * (left in last_err). */
static Expr *callx(FuncId fn, int32_t aux, int nargs, ...)
{
    Expr *args[16];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) args[i] = va_arg(ap, Expr *);
    va_end(ap);
    Expr *e = sql_expr_call(A, fn, args, nargs, 1, 7);
    e->aux = aux;
    wb_error_clear(&last_err);
    if (sql_func_resolve(e, A, &last_err) != 0) return NULL;
    return e;
}

#define call(fn, ...) callx(fn, 0, __VA_ARGS__)

static Expr *cast_to(Expr *x, SqlType t, bool try_cast)
{
    Expr *e = sql_expr_call(A, try_cast ? FN_TRY_CAST : FN_CAST, &x, 1, 2, 3);
    e->type = t;
    wb_error_clear(&last_err);
    if (sql_func_resolve(e, A, &last_err) != 0) return NULL;
    return e;
}

/* ---- evaluation helpers ---- */

static const char *type_str(const Expr *e)
{
    static char buf[64];
    if (!e) return "(error)";
    return ty_name(e->type, buf, sizeof buf);
}

/* Evaluates e over `in` and returns the text of row `row` ("NULL" for
 * NULL, "ERR <sqlstate> <line>:<col> <message>" on an error). */
static const char *eval_row(const Expr *e, const Batch *in, int32_t row)
{
    static char text[1024];
    if (!e) {
        snprintf(text, sizeof text, "TYPE-ERR %s", last_err.message);
        return text;
    }
    ColumnVector out;
    ex_vector_alloc(&out, e->type, in->nrows, A);
    wb_error_clear(&last_err);
    if (ex_eval(e, in, &out, A, &last_err) != 0) {
        snprintf(text, sizeof text, "ERR %s %d:%d %s", last_err.sqlstate, last_err.line,
                 last_err.column, last_err.message);
        return text;
    }
    if (out.nulls[row]) return "NULL";
    WbBuf buf = {0};
    ty_format_value(&out, row, &buf);
    snprintf(text, sizeof text, "%s", wb_buf_cstr(&buf));
    wb_buf_free(&buf);
    return text;
}

static Batch *one_row;   /* no columns, one row: for constant expressions */

static const char *ev(const Expr *e)
{
    return eval_row(e, one_row, 0);
}

/* A 4-row batch: i INT, b BIGINT, d DECIMAL(10,2), s STRING, ts TIMESTAMP(3), x DOUBLE */
static Batch *sample;
static SqlType T_INT, T_BIGINT, T_DEC, T_STR, T_TS, T_DBL, T_DATE;

static void build_sample(void)
{
    SqlType types[7] = {T_INT, T_BIGINT, T_DEC, T_STR, T_TS, T_DBL, T_DATE};
    sample = ty_batch_new(types, 7, 8);
    sample->nrows = 4;
    int64_t ints[4] = {0, 5, -3, 0};
    int64_t bigs[4] = {10, 20, 30, 40};
    int64_t decs[4] = {1050, 299, -125, 0};          /* 10.50 2.99 -1.25 0.00 */
    const char *strs[4] = {"hello", "Ünïcode", "a_b%c", ""};
    const char *tss[4] = {"2024-01-31 23:59:59.123", "2024-02-29 00:00:00", "1969-12-31 12:30:00",
                          "2023-03-15 08:05:09.5"};
    double dbls[4] = {1.5, -2.5, 0.0, 1e10};
    for (int r = 0; r < 4; r++) {
        sample->cols[0].i64[r] = ints[r];
        sample->cols[1].i64[r] = bigs[r];
        sample->cols[2].i64[r] = decs[r];
        sample->cols[3].str[r] = ty_batch_str(sample, strs[r], (uint32_t)strlen(strs[r]));
        ty_parse_timestamp(tss[r], strlen(tss[r]), &sample->cols[4].i64[r]);
        sample->cols[5].f64[r] = dbls[r];
        sample->cols[6].i64[r] = sample->cols[4].i64[r] / 86400000000LL;
        for (int c = 0; c < 7; c++) sample->cols[c].nulls[r] = 0;
        sample->weights[r] = 1;
    }
    ty_parse_date("1969-12-31", 10, &sample->cols[6].i64[2]);
    sample->cols[0].nulls[3] = 1;   /* i is NULL in row 3 */
    sample->cols[3].nulls[3] = 0;
}

/* ---- typing ---- */

static void test_types(void)
{
    CHECK_STR(type_str(call(FN_ADD, 2, col(0, T_INT), lit_int(1))), "INT");
    CHECK_STR(type_str(call(FN_ADD, 2, col(0, T_INT), col(1, T_BIGINT))), "BIGINT");
    CHECK_STR(type_str(call(FN_ADD, 2, lit_dec(1, 10, 2), lit_dec(1, 5, 3))), "DECIMAL(12, 3)");
    CHECK_STR(type_str(call(FN_MUL, 2, lit_dec(1, 10, 2), lit_dec(1, 5, 3))), "DECIMAL(16, 5)");
    CHECK_STR(type_str(call(FN_DIV, 2, lit_dec(1, 10, 2), lit_dec(1, 5, 1))), "DECIMAL(17, 8)");
    /* Flink's division rule with its 38-digit cap */
    CHECK_STR(type_str(call(FN_DIV, 2, lit_dec(1, 38, 2), lit_bigint(1))), "DECIMAL(38, 6)");
    CHECK_STR(type_str(call(FN_DIV, 2, lit_dec(1, 10, 2), lit_bigint(1))), "DECIMAL(30, 22)");
    CHECK_STR(type_str(call(FN_DIV, 2, lit_int(1), lit_int(2))), "INT NOT NULL");
    CHECK_STR(type_str(call(FN_DIV, 2, col(0, T_INT), lit_int(2))), "INT");
    CHECK_STR(type_str(call(FN_ADD, 2, lit_int(1), lit_double(2))), "DOUBLE");
    CHECK_STR(type_str(call(FN_ADD, 2, col(0, T_INT), lit_dec(1, 5, 2))), "DECIMAL(13, 2)");
    CHECK_STR(type_str(call(FN_EQ, 2, col(4, T_TS), lit_str("2024-01-01"))), "BOOLEAN");
    Expr *cmp = call(FN_LT, 2, col(6, T_DATE), lit_str("2024-01-01"));
    CHECK(cmp && cmp->args[1]->kind == EX_CALL && cmp->args[1]->fn == FN_CAST &&
          cmp->args[1]->type.id == TY_DATE);
    CHECK_STR(type_str(call(FN_ADD, 2, col(4, T_TS), lit_interval_ms(1000))), "TIMESTAMP(3)");
    CHECK_STR(type_str(call(FN_SUB, 2, col(6, T_DATE), col(6, T_DATE))), "INT");
    CHECK_STR(type_str(call(FN_COALESCE, 2, lit_null(), lit_int(3))), "INT NOT NULL");
    CHECK_STR(type_str(call(FN_COALESCE, 2, col(0, T_INT), col(1, T_BIGINT))), "BIGINT");
    CHECK_STR(type_str(call(FN_CHAR_LENGTH, 1, lit_str("x"))), "INT");
    CHECK_STR(type_str(callx(FN_EXTRACT, TU_YEAR, 1, col(4, T_TS))), "BIGINT");
    CHECK_STR(type_str(call(FN_TO_TIMESTAMP, 1, lit_str("2024-01-01 00:00:00"))), "TIMESTAMP(3)");
    CHECK_STR(type_str(callx(FN_TIMESTAMPDIFF, TU_DAY, 2, col(4, T_TS), col(6, T_DATE))), "INT");
    CHECK_STR(type_str(call(FN_IS_NULL, 1, col(0, T_INT))), "BOOLEAN NOT NULL");

    /* Type errors name the function and the types, at the call position. */
    CHECK(call(FN_ADD, 2, lit_int(1), lit_str("x")) == NULL);
    CHECK_STR(last_err.sqlstate, WB_SQLSTATE_UNDEFINED_FUNC);
    CHECK(last_err.line == 1 && last_err.column == 7);
    CHECK(strstr(last_err.message, "INT") && strstr(last_err.message, "STRING"));
    CHECK(call(FN_UPPER, 1, lit_int(1)) == NULL);
    CHECK(call(FN_SUBSTRING, 1, lit_str("x")) == NULL);
    CHECK(cast_to(lit_interval_ms(1), ty_make(TY_DATE), false) == NULL);
    CHECK_STR(last_err.sqlstate, WB_SQLSTATE_DATATYPE);

    /* common type and casts */
    SqlType out;
    CHECK(sql_common_type(T_INT, T_DBL, &out) && out.id == TY_DOUBLE);
    CHECK(sql_common_type(T_DATE, T_TS, &out) && out.id == TY_TIMESTAMP && out.precision == 3);
    CHECK(!sql_common_type(T_INT, ty_make(TY_BOOLEAN), &out));
    CHECK(sql_cast_allowed(T_STR, T_DEC) && sql_cast_allowed(T_TS, T_STR));
    CHECK(!sql_cast_allowed(T_DATE, T_INT));

    /* function and aggregate catalogues */
    CHECK(sql_func_lookup("ifnull", 6) == FN_COALESCE);
    CHECK(sql_func_lookup("Substr", 6) == FN_SUBSTRING);
    CHECK(sql_func_lookup("nosuch", 6) == FN_NONE);
    CHECK(sql_agg_lookup("avg", 3) == AGG_AVG);
    CHECK(sql_agg_lookup("$SUM0", 5) == AGG_SUM0);
    CHECK(sql_agg_lookup("upper", 5) == -1);
    WbError err = {0};
    SqlType r;
    CHECK(sql_agg_result_type(AGG_COUNT, T_STR, &r, &err) == 0 && r.id == TY_BIGINT && !r.nullable);
    CHECK(sql_agg_result_type(AGG_SUM, T_INT, &r, &err) == 0 && r.id == TY_BIGINT && r.nullable);
    CHECK(sql_agg_result_type(AGG_SUM, T_DEC, &r, &err) == 0 && r.precision == 38 && r.scale == 2);
    CHECK(sql_agg_result_type(AGG_AVG, T_INT, &r, &err) == 0 && r.id == TY_INT);
    CHECK(sql_agg_result_type(AGG_AVG, T_DEC, &r, &err) == 0 && r.precision == 38 && r.scale == 6);
    CHECK(sql_agg_result_type(AGG_AVG, T_DBL, &r, &err) == 0 && r.id == TY_DOUBLE);
    CHECK(sql_agg_result_type(AGG_MAX, T_TS, &r, &err) == 0 && r.id == TY_TIMESTAMP);
    CHECK(sql_agg_result_type(AGG_LISTAGG, T_STR, &r, &err) == 0 && r.id == TY_STRING);
    CHECK(sql_agg_result_type(AGG_SUM, T_STR, &r, &err) == -1);
    CHECK(sql_agg_result_type(AGG_AVG, ty_make(TY_BOOLEAN), &r, &err) == -1);

    /* EXPLAIN text */
    WbBuf buf = {0};
    sql_expr_format(call(FN_GT, 2, call(FN_ADD, 2, col(0, T_INT), lit_int(1)), lit_int(10)), &buf);
    CHECK_STR(wb_buf_cstr(&buf), "(($0 + 1) > 10)");
    wb_buf_free(&buf);
}

/* ---- arithmetic ---- */

static void test_arith(void)
{
    CHECK_STR(ev(call(FN_ADD, 2, lit_int(2), lit_int(3))), "5");
    CHECK_STR(ev(call(FN_DIV, 2, lit_int(7), lit_int(2))), "3");
    CHECK_STR(ev(call(FN_DIV, 2, lit_int(-7), lit_int(2))), "-3");
    CHECK_STR(ev(call(FN_MOD, 2, lit_int(-7), lit_int(3))), "-1");
    CHECK_STR(ev(call(FN_ADD, 2, lit_int(1), lit_null())), "NULL");
    /* INT overflow is checked against 32 bits, at the operator's position */
    CHECK_STR(ev(call(FN_ADD, 2, lit_int(2147483647), lit_int(1))),
              "ERR 22003 1:7 integer out of range");
    CHECK_STR(ev(call(FN_ADD, 2, lit_bigint(2147483647), lit_int(1))), "2147483648");
    CHECK_STR(ev(call(FN_MUL, 2, lit_bigint(INT64_MAX / 2), lit_bigint(3))),
              "ERR 22003 1:7 integer out of range");
    CHECK_STR(ev(call(FN_NEG, 1, lit_int(INT32_MIN))), "ERR 22003 1:7 integer out of range");
    CHECK_STR(ev(call(FN_DIV, 2, lit_int(1), lit_int(0))), "ERR 22012 1:7 division by zero");
    CHECK_STR(ev(call(FN_MOD, 2, lit_bigint(1), lit_bigint(0))), "ERR 22012 1:7 division by zero");
    /* DOUBLE is IEEE 754, as in Flink */
    CHECK_STR(ev(call(FN_DIV, 2, lit_double(1), lit_double(0))), "Infinity");
    CHECK_STR(ev(call(FN_DIV, 2, lit_double(-1), lit_double(0))), "-Infinity");
    /* DECIMAL: exact, HALF_UP */
    CHECK_STR(ev(call(FN_ADD, 2, lit_dec(1050, 10, 2), lit_dec(1, 5, 3))), "10.501");
    CHECK_STR(ev(call(FN_SUB, 2, lit_dec(1050, 10, 2), lit_int(11))), "-0.50");
    CHECK_STR(ev(call(FN_MUL, 2, lit_dec(150, 10, 2), lit_dec(25, 5, 1))), "3.750");
    CHECK_STR(ev(call(FN_DIV, 2, lit_dec(100, 10, 2), lit_dec(30, 5, 1))), "0.33333333");
    CHECK_STR(ev(call(FN_DIV, 2, lit_dec(200, 10, 2), lit_dec(30, 5, 1))), "0.66666667");
    CHECK_STR(ev(call(FN_DIV, 2, lit_dec(100, 10, 2), lit_dec(0, 5, 1))),
              "ERR 22012 1:7 division by zero");
    /* DECIMAL(18, 0) * DECIMAL(5, 0) is DECIMAL(24, 0): past 64 bits, exact */
    CHECK_STR(ev(call(FN_MUL, 2, lit_dec(INT64_MAX / 10, 18, 0), lit_dec(100, 5, 0))),
              "92233720368547758000");
    CHECK_STR(ev(call(FN_ADD, 2, lit_double(0.5), lit_int(1))), "1.5");
    /* column arithmetic with NULL propagation */
    Expr *sum = call(FN_ADD, 2, col(0, T_INT), col(1, T_BIGINT));
    CHECK_STR(eval_row(sum, sample, 1), "25");
    CHECK_STR(eval_row(sum, sample, 3), "NULL");
    CHECK_STR(eval_row(call(FN_MUL, 2, col(2, T_DEC), col(0, T_INT)), sample, 2), "3.75");
    /* numeric functions */
    CHECK_STR(ev(call(FN_ROUND, 2, lit_dec(12345, 10, 3), lit_int(2))), "12.35");
    CHECK_STR(ev(call(FN_ROUND, 2, lit_dec(-12345, 10, 3), lit_int(2))), "-12.35");
    CHECK_STR(ev(call(FN_ROUND, 1, lit_double(2.5))), "3.0");
    CHECK_STR(ev(call(FN_TRUNCATE, 2, lit_dec(12345, 10, 3), lit_int(1))), "12.3");
    CHECK_STR(ev(call(FN_FLOOR, 1, lit_dec(-125, 10, 2))), "-2");
    CHECK_STR(ev(call(FN_CEIL, 1, lit_dec(-125, 10, 2))), "-1");
    CHECK_STR(ev(call(FN_CEIL, 1, lit_dec(101, 10, 2))), "2");
    CHECK_STR(ev(call(FN_ABS, 1, lit_int(-4))), "4");
    CHECK_STR(ev(call(FN_POWER, 2, lit_int(2), lit_int(10))), "1024.0");
    CHECK_STR(ev(call(FN_SQRT, 1, lit_int(-1))), "ERR 2201F 1:7 cannot take square root of a negative number");
    CHECK_STR(ev(call(FN_SIGN, 1, lit_dec(-125, 10, 2))), "-1.00");
}

/* ---- comparisons, logic, conditionals ---- */

static void test_logic(void)
{
    CHECK_STR(ev(call(FN_LT, 2, lit_int(1), lit_dec(150, 5, 2))), "TRUE");
    CHECK_STR(ev(call(FN_EQ, 2, lit_str("abc"), lit_str("abd"))), "FALSE");
    CHECK_STR(ev(call(FN_LT, 2, lit_str("ab"), lit_str("abc"))), "TRUE");
    CHECK_STR(ev(call(FN_EQ, 2, lit_int(1), lit_null())), "NULL");
    CHECK_STR(ev(call(FN_IS_DISTINCT, 2, lit_int(1), lit_null())), "TRUE");
    CHECK_STR(ev(call(FN_IS_NOT_DISTINCT, 2, lit_null(), lit_null())), "TRUE");
    /* three-valued AND/OR */
    Expr *t = call(FN_EQ, 2, lit_int(1), lit_int(1));
    Expr *f = call(FN_EQ, 2, lit_int(1), lit_int(2));
    Expr *nb = call(FN_EQ, 2, lit_int(1), lit_null());
    CHECK_STR(ev(call(FN_AND, 2, nb, f)), "FALSE");
    CHECK_STR(ev(call(FN_AND, 2, t, nb)), "NULL");
    CHECK_STR(ev(call(FN_OR, 2, nb, t)), "TRUE");
    CHECK_STR(ev(call(FN_OR, 2, f, nb)), "NULL");
    CHECK_STR(ev(call(FN_NOT, 1, nb)), "NULL");
    CHECK_STR(ev(call(FN_IS_NOT_TRUE, 1, nb)), "TRUE");
    CHECK_STR(ev(call(FN_IS_FALSE, 1, f)), "TRUE");
    /* IN with SQL's NULL rules */
    CHECK_STR(ev(call(FN_IN, 3, lit_int(2), lit_int(1), lit_int(2))), "TRUE");
    CHECK_STR(ev(call(FN_IN, 3, lit_int(3), lit_int(1), lit_null())), "NULL");
    CHECK_STR(ev(call(FN_IN, 3, lit_int(3), lit_int(1), lit_int(2))), "FALSE");
    CHECK_STR(ev(call(FN_IN, 3, lit_null(), lit_int(1), lit_int(2))), "NULL");
    CHECK_STR(eval_row(call(FN_IN, 3, col(3, T_STR), lit_str("x"), lit_str("hello")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_IN, 3, col(3, T_STR), lit_str("x"), lit_str("hello")), sample, 1), "FALSE");
    /* DECIMAL(10,2) column against a DECIMAL(5,3) literal: common scale 3 */
    CHECK_STR(eval_row(call(FN_GT, 2, col(2, T_DEC), lit_dec(2990, 5, 3)), sample, 1), "FALSE");
    CHECK_STR(eval_row(call(FN_GE, 2, col(2, T_DEC), lit_dec(2990, 5, 3)), sample, 1), "TRUE");
    CHECK_STR(eval_row(call(FN_LT, 2, col(5, T_DBL), col(2, T_DEC)), sample, 0), "TRUE");

    /* CASE WHEN i = 0 THEN 0 ELSE 10 / i END: no division by zero on the
     * rows that take the first branch. */
    Expr *i = col(0, T_INT);
    Expr *lazy = callx(FN_CASE, 1, 3, call(FN_EQ, 2, i, lit_int(0)), lit_int(0),
                       call(FN_DIV, 2, lit_int(10), i));
    CHECK_STR(eval_row(lazy, sample, 0), "0");
    CHECK_STR(eval_row(lazy, sample, 1), "2");
    CHECK_STR(eval_row(lazy, sample, 2), "-3");
    CHECK_STR(eval_row(lazy, sample, 3), "NULL");   /* NULL = 0 is not TRUE: ELSE 10/NULL */
    /* without the guard the division fails, positioned */
    CHECK_STR(eval_row(call(FN_DIV, 2, lit_int(10), i), sample, 1),
              "ERR 22012 1:7 division by zero");
    /* CASE without ELSE gives NULL */
    Expr *noelse = callx(FN_CASE, 0, 2, call(FN_GT, 2, i, lit_int(0)), lit_str("pos"));
    CHECK_STR(eval_row(noelse, sample, 1), "pos");
    CHECK_STR(eval_row(noelse, sample, 2), "NULL");
    /* AND short-circuits per row: i <> 0 AND 10 / i > 1 */
    Expr *guard = call(FN_AND, 2, call(FN_NE, 2, i, lit_int(0)),
                       call(FN_GT, 2, call(FN_DIV, 2, lit_int(10), i), lit_int(1)));
    CHECK_STR(eval_row(guard, sample, 0), "FALSE");
    CHECK_STR(eval_row(guard, sample, 1), "TRUE");
    /* IF and COALESCE are lazy too */
    Expr *iff = call(FN_IF, 3, call(FN_EQ, 2, i, lit_int(0)), lit_int(-1),
                     call(FN_DIV, 2, lit_int(100), i));
    CHECK_STR(eval_row(iff, sample, 0), "-1");
    CHECK_STR(eval_row(iff, sample, 1), "20");
    Expr *co = call(FN_COALESCE, 2, col(0, T_INT), call(FN_DIV, 2, lit_int(1), lit_int(0)));
    CHECK_STR(eval_row(co, sample, 3), "ERR 22012 1:7 division by zero");  /* row 3 needs it */
    Expr *co2 = call(FN_COALESCE, 3, lit_null(), col(0, T_INT), lit_int(7));
    CHECK_STR(eval_row(co2, sample, 2), "-3");
    CHECK_STR(eval_row(co2, sample, 3), "7");
    CHECK_STR(ev(call(FN_NULLIF, 2, lit_int(3), lit_int(3))), "NULL");
    CHECK_STR(ev(call(FN_NULLIF, 2, lit_int(3), lit_int(4))), "3");
}

/* ---- casts ---- */

static void test_cast(void)
{
    CHECK_STR(ev(cast_to(lit_str(" 42 "), T_INT, false)), "42");
    CHECK_STR(ev(cast_to(lit_str("abc"), T_INT, false)),
              "ERR 22P02 2:3 invalid input syntax for type INT: \"abc\"");
    CHECK_STR(ev(cast_to(lit_str("abc"), T_INT, true)), "NULL");
    CHECK_STR(ev(cast_to(lit_str("3000000000"), T_INT, false)), "ERR 22003 2:3 integer out of range");
    CHECK_STR(ev(cast_to(lit_str("3000000000"), T_BIGINT, false)), "3000000000");
    CHECK_STR(ev(cast_to(lit_str("1.005"), T_DEC, false)), "1.01");
    CHECK_STR(ev(cast_to(lit_double(-1.9), T_INT, false)), "-1");
    CHECK_STR(ev(cast_to(lit_double(1e12), T_INT, false)), "ERR 22003 2:3 integer out of range");
    CHECK_STR(ev(cast_to(lit_dec(-199, 10, 2), T_INT, false)), "-1");
    CHECK_STR(ev(cast_to(lit_dec(12345, 10, 3), T_DEC, false)), "12.35");
    CHECK_STR(ev(cast_to(lit_dec(12345, 10, 3), ty_decimal(2, 1), false)),
              "ERR 22003 2:3 numeric value out of range for type DECIMAL(2, 1)");
    CHECK_STR(ev(cast_to(lit_int(7), T_DEC, false)), "7.00");
    CHECK_STR(ev(cast_to(lit_double(2.345), T_DEC, false)), "2.35");
    CHECK_STR(ev(cast_to(lit_dec(125, 10, 2), T_DBL, false)), "1.25");
    CHECK_STR(ev(cast_to(lit_int(5), T_STR, false)), "5");
    CHECK_STR(ev(cast_to(lit_dec(-5, 10, 2), T_STR, false)), "-0.05");
    CHECK_STR(ev(cast_to(lit_str("2024-02-29"), T_DATE, false)), "2024-02-29");
    CHECK_STR(ev(cast_to(lit_str("2024-02-30"), T_DATE, false)),
              "ERR 22P02 2:3 invalid input syntax for type DATE: \"2024-02-30\"");
    CHECK_STR(ev(cast_to(lit_str("2024-01-31 10:11:12.98765"), T_TS, false)),
              "2024-01-31 10:11:12.987");
    CHECK_STR(ev(cast_to(lit_str("true"), ty_make(TY_BOOLEAN), false)), "TRUE");
    CHECK_STR(eval_row(cast_to(col(4, T_TS), T_DATE, false), sample, 2), "1969-12-31");
    CHECK_STR(eval_row(cast_to(col(6, T_DATE), T_TS, false), sample, 0), "2024-01-31 00:00:00.000");
    CHECK_STR(eval_row(cast_to(col(4, T_TS), T_STR, false), sample, 3), "2023-03-15 08:05:09.500");
    CHECK_STR(eval_row(cast_to(col(0, T_INT), T_STR, false), sample, 3), "NULL");
}

/* ---- strings ---- */

static void test_strings(void)
{
    Expr *s = col(3, T_STR);
    CHECK_STR(eval_row(call(FN_UPPER, 1, s), sample, 0), "HELLO");
    CHECK_STR(eval_row(call(FN_CHAR_LENGTH, 1, s), sample, 1), "7");
    CHECK_STR(eval_row(call(FN_CHAR_LENGTH, 1, s), sample, 3), "0");
    CHECK_STR(eval_row(call(FN_SUBSTRING, 3, s, lit_int(2), lit_int(3)), sample, 0), "ell");
    CHECK_STR(eval_row(call(FN_SUBSTRING, 3, s, lit_int(0), lit_int(2)), sample, 0), "h");
    CHECK_STR(eval_row(call(FN_SUBSTRING, 2, s, lit_int(4)), sample, 0), "lo");
    CHECK_STR(eval_row(call(FN_SUBSTRING, 3, s, lit_int(2), lit_int(2)), sample, 1), "nï");
    CHECK_STR(eval_row(call(FN_SUBSTRING, 3, s, lit_int(9), lit_int(2)), sample, 0), "");
    CHECK_STR(eval_row(call(FN_SUBSTRING, 3, s, lit_int(1), lit_int(-1)), sample, 0),
              "ERR 22011 1:7 negative substring length not allowed");
    CHECK_STR(ev(call(FN_CONCAT, 3, lit_str("a"), lit_str("b"), lit_int(1))), "ab1");
    CHECK_STR(ev(call(FN_CONCAT, 2, lit_str("a"), lit_null())), "NULL");
    CHECK_STR(ev(call(FN_CONCAT_WS, 4, lit_str("-"), lit_str("a"), lit_null(), lit_str("c"))), "a-c");
    CHECK_STR(ev(callx(FN_TRIM, 0, 2, lit_str(" "), lit_str("  x y  "))), "x y");
    CHECK_STR(ev(callx(FN_TRIM, 1, 2, lit_str("xy"), lit_str("xyaxy"))), "axy");
    CHECK_STR(ev(call(FN_RTRIM, 1, lit_str(" a "))), " a");
    CHECK_STR(ev(call(FN_TRIM, 1, lit_str("  b "))), "b");
    CHECK_STR(ev(call(FN_REPLACE, 3, lit_str("aXbXc"), lit_str("X"), lit_str("--"))), "a--b--c");
    CHECK_STR(ev(call(FN_SPLIT_INDEX, 3, lit_str("a,b,,d"), lit_str(","), lit_int(1))), "b");
    CHECK_STR(ev(call(FN_SPLIT_INDEX, 3, lit_str("a,b,,d"), lit_str(","), lit_int(2))), "");
    CHECK_STR(ev(call(FN_SPLIT_INDEX, 3, lit_str("a,b,,d"), lit_str(","), lit_int(4))), "NULL");
    CHECK_STR(ev(call(FN_POSITION, 2, lit_str("lo"), lit_str("hello"))), "4");
    CHECK_STR(ev(call(FN_POSITION, 2, lit_str("z"), lit_str("hello"))), "0");
    CHECK_STR(ev(call(FN_LPAD, 3, lit_str("7"), lit_int(3), lit_str("0"))), "007");
    CHECK_STR(ev(call(FN_RPAD, 3, lit_str("ab"), lit_int(5), lit_str("xy"))), "abxyx");
    CHECK_STR(ev(call(FN_LPAD, 3, lit_str("hello"), lit_int(2), lit_str("0"))), "he");
    CHECK_STR(ev(call(FN_INITCAP, 1, lit_str("hello wORLD-x"))), "Hello World-X");
    CHECK_STR(ev(call(FN_REVERSE, 1, lit_str("aé b"))), "b éa");
    CHECK_STR(ev(call(FN_REPEAT, 2, lit_str("ab"), lit_int(3))), "ababab");
    CHECK_STR(ev(call(FN_LEFT, 2, lit_str("hello"), lit_int(2))), "he");
    CHECK_STR(ev(call(FN_RIGHT, 2, lit_str("hello"), lit_int(3))), "llo");

    /* LIKE: % _ and escapes; '_' is one code point */
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("h%o")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("h_llo")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("_nïcode")), sample, 1), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%l")), sample, 0), "FALSE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%%")), sample, 3), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("a\\_b\\%c")), sample, 2), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("a\\_b\\%c")), sample, 0), "FALSE");
    CHECK_STR(eval_row(call(FN_LIKE, 3, s, lit_str("a!_b%"), lit_str("!")), sample, 2), "TRUE");
    CHECK_STR(ev(call(FN_LIKE, 2, lit_str("mississippi"), lit_str("%iss%ip%"))), "TRUE");
    /* the literal shapes take the memcmp/memmem path */
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("hello")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("hell")), sample, 0), "FALSE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("he%")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("el%")), sample, 0), "FALSE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%llo")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%ell%")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%xyz%")), sample, 0), "FALSE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("")), sample, 3), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("")), sample, 0), "FALSE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%b\\%%")), sample, 2), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%a\\_b%")), sample, 2), "TRUE");
    CHECK_STR(eval_row(call(FN_LIKE, 2, s, lit_str("%b\\_")), sample, 2), "FALSE");
    CHECK_STR(ev(call(FN_LIKE, 2, lit_str("abc"), lit_str("a\\"))),
              "ERR 22025 1:7 LIKE pattern must not end with escape character");
    CHECK_STR(ev(call(FN_SIMILAR, 2, lit_str("abc"), lit_str("(a|x)%"))), "TRUE");
    /* REGEXP family */
    CHECK_STR(eval_row(call(FN_REGEXP, 2, s, lit_str("l+")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_REGEXP, 2, s, lit_str("^l")), sample, 0), "FALSE");
    CHECK_STR(ev(call(FN_REGEXP_EXTRACT, 3, lit_str("foo123bar45"), lit_str("([a-z]+)([0-9]+)"),
                      lit_int(2))), "123");
    CHECK_STR(ev(call(FN_REGEXP_EXTRACT, 2, lit_str("abc"), lit_str("[0-9]+"))), "NULL");
    CHECK_STR(ev(call(FN_REGEXP_REPLACE, 3, lit_str("a1b22c"), lit_str("[0-9]+"), lit_str("#"))),
              "a#b#c");
    CHECK_STR(ev(call(FN_REGEXP_REPLACE, 3, lit_str("john smith"), lit_str("([a-z]+) ([a-z]+)"),
                      lit_str("$2, $1"))), "smith, john");
    CHECK(strncmp(ev(call(FN_REGEXP, 2, lit_str("x"), lit_str("(a"))), "ERR 2201B 1:7", 13) == 0);
}

/* ---- date and time ---- */

static void test_time(void)
{
    Expr *ts = col(4, T_TS), *d = col(6, T_DATE);
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_YEAR, 1, ts), sample, 0), "2024");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_QUARTER, 1, ts), sample, 3), "1");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_MONTH, 1, ts), sample, 1), "2");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_DAY, 1, ts), sample, 1), "29");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_HOUR, 1, ts), sample, 2), "12");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_MINUTE, 1, ts), sample, 3), "5");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_SECOND, 1, ts), sample, 3), "9");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_MILLISECOND, 1, ts), sample, 0), "59123");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_DOW, 1, ts), sample, 0), "4");   /* Wednesday */
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_DOY, 1, ts), sample, 1), "60");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_WEEK, 1, ts), sample, 0), "5");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_EPOCH, 1, ts), sample, 2), "-41400");
    CHECK_STR(eval_row(callx(FN_EXTRACT, TU_YEAR, 1, d), sample, 2), "1969");

    CHECK_STR(eval_row(callx(FN_FLOOR_TIME, TU_HOUR, 1, ts), sample, 0), "2024-01-31 23:00:00.000");
    CHECK_STR(eval_row(callx(FN_CEIL_TIME, TU_HOUR, 1, ts), sample, 0), "2024-02-01 00:00:00.000");
    CHECK_STR(eval_row(callx(FN_CEIL_TIME, TU_DAY, 1, ts), sample, 1), "2024-02-29 00:00:00.000");
    CHECK_STR(eval_row(callx(FN_FLOOR_TIME, TU_MONTH, 1, ts), sample, 3), "2023-03-01 00:00:00.000");
    CHECK_STR(eval_row(callx(FN_FLOOR_TIME, TU_YEAR, 1, ts), sample, 2), "1969-01-01 00:00:00.000");
    CHECK_STR(eval_row(callx(FN_FLOOR_TIME, TU_WEEK, 1, ts), sample, 0), "2024-01-29 00:00:00.000");
    CHECK_STR(eval_row(callx(FN_FLOOR_TIME, TU_MINUTE, 1, ts), sample, 2), "1969-12-31 12:30:00.000");

    CHECK_STR(eval_row(callx(FN_TIMESTAMPADD, TU_MONTH, 2, lit_int(1), ts), sample, 0),
              "2024-02-29 23:59:59.123");
    CHECK_STR(eval_row(callx(FN_TIMESTAMPADD, TU_HOUR, 2, lit_int(-13), ts), sample, 1),
              "2024-02-28 11:00:00.000");
    CHECK_STR(eval_row(callx(FN_TIMESTAMPADD, TU_DAY, 2, lit_int(1), d), sample, 0), "2024-02-01");
    Expr *t1 = cast_to(lit_str("2024-01-01 10:00:00"), T_TS, false);
    Expr *t2 = cast_to(lit_str("2024-03-01 09:59:59"), T_TS, false);
    CHECK_STR(ev(callx(FN_TIMESTAMPDIFF, TU_MONTH, 2, t1, t2)), "1");
    CHECK_STR(ev(callx(FN_TIMESTAMPDIFF, TU_MONTH, 2, t2, t1)), "-1");
    CHECK_STR(ev(callx(FN_TIMESTAMPDIFF, TU_DAY, 2, t1, t2)), "59");
    CHECK_STR(ev(callx(FN_TIMESTAMPDIFF, TU_HOUR, 2, t2, t1)), "-1439");
    CHECK_STR(ev(callx(FN_TIMESTAMPDIFF, TU_YEAR, 2, t1, t2)), "0");

    /* interval arithmetic */
    CHECK_STR(eval_row(call(FN_ADD, 2, ts, lit_interval_ms(3600000)), sample, 0),
              "2024-02-01 00:59:59.123");
    CHECK_STR(eval_row(call(FN_ADD, 2, lit_interval_months(12), ts), sample, 1),
              "2025-02-28 00:00:00.000");
    CHECK_STR(eval_row(call(FN_SUB, 2, d, lit_interval_ms(86400000)), sample, 0), "2024-01-30");
    CHECK_STR(eval_row(call(FN_SUB, 2, d, d), sample, 0), "0");

    /* formats */
    CHECK_STR(eval_row(call(FN_DATE_FORMAT, 2, ts, lit_str("yyyy-MM-dd HH:mm:ss")), sample, 0),
              "2024-01-31 23:59:59");
    CHECK_STR(eval_row(call(FN_DATE_FORMAT, 2, ts, lit_str("yy/M/d 'at' h a, SSS")), sample, 3),
              "23/3/15 at 8 AM, 500");
    CHECK_STR(eval_row(call(FN_DATE_FORMAT, 2, ts, lit_str("EEE dd MMM yyyy")), sample, 1),
              "Thu 29 Feb 2024");
    CHECK_STR(ev(call(FN_TO_TIMESTAMP, 1, lit_str("2024-05-06 07:08:09"))), "2024-05-06 07:08:09.000");
    CHECK_STR(ev(call(FN_TO_TIMESTAMP, 2, lit_str("06/05/2024 7:08"), lit_str("dd/MM/yyyy H:mm"))),
              "2024-05-06 07:08:00.000");
    CHECK_STR(ev(call(FN_TO_TIMESTAMP, 2, lit_str("20240506"), lit_str("yyyyMMdd"))),
              "2024-05-06 00:00:00.000");
    CHECK_STR(ev(call(FN_TO_TIMESTAMP, 1, lit_str("not a time"))), "NULL");
    CHECK_STR(ev(call(FN_TO_DATE, 1, lit_str("2024-05-06"))), "2024-05-06");
    CHECK_STR(ev(call(FN_UNIX_TIMESTAMP, 1, lit_str("1970-01-02 00:00:01"))), "86401");
    CHECK_STR(ev(call(FN_FROM_UNIXTIME, 1, lit_int(86401))), "1970-01-02 00:00:01");
    CHECK_STR(ev(call(FN_FROM_UNIXTIME, 2, lit_bigint(0), lit_str("yyyy"))), "1970");
    /* string literal compared with a TIMESTAMP column is cast to TIMESTAMP */
    CHECK_STR(eval_row(call(FN_GT, 2, ts, lit_str("2024-01-31 23:59:59")), sample, 0), "TRUE");
    CHECK_STR(eval_row(call(FN_GE, 2, d, lit_str("2024-02-29")), sample, 0), "FALSE");
}

/* ---- constants ---- */

static void test_const(void)
{
    Value v;
    WbError err = {0};
    CHECK(ex_eval_const(call(FN_MUL, 2, lit_int(6), lit_int(7)), &v, A, &err) == 0);
    CHECK(!v.is_null && v.i64 == 42 && v.type.id == TY_INT);
    CHECK(ex_eval_const(call(FN_UPPER, 1, lit_str("ab")), &v, A, &err) == 0);
    CHECK(v.str.len == 2 && memcmp(v.str.ptr, "AB", 2) == 0);
    CHECK(ex_eval_const(call(FN_DIV, 2, lit_int(1), lit_int(0)), &v, A, &err) == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_DIV_ZERO);
}

/* ---- the calc operator ---- */

typedef struct Collector {
    Operator base;
    Batch *got;
} Collector;

static int collect_push(Operator *op, int32_t port, const Batch *b, WbError *err)
{
    (void)port;
    (void)err;
    Collector *c = (Collector *)op;
    for (int32_t r = 0; r < b->nrows; r++) ty_batch_append_row(c->got, b, r, b->weights[r]);
    return 0;
}

static const OpVTable collect_vt = {"Collect", collect_push, NULL, NULL, NULL, NULL, NULL, NULL};

static const char *cell(const Batch *b, int32_t col_idx, int32_t row)
{
    static char text[256];
    if (b->cols[col_idx].nulls[row]) return "NULL";
    WbBuf buf = {0};
    ty_format_value(&b->cols[col_idx], row, &buf);
    snprintf(text, sizeof text, "%s", wb_buf_cstr(&buf));
    wb_buf_free(&buf);
    return text;
}

static void test_calc(void)
{
    /* SELECT s, 100 / i FROM sample WHERE i <> 0: the division must not see
     * row 0 (i = 0) or row 3 (i NULL), since filtered rows are dropped
     * before the projections run. */
    Expr *i = col(0, T_INT);
    const Expr *exprs[2] = {col(3, T_STR), call(FN_DIV, 2, lit_int(100), i)};
    SqlType out_types[2] = {T_STR, T_INT};
    PlanNode node;
    memset(&node, 0, sizeof node);
    node.kind = PN_CALC;
    node.ncols = 2;
    node.types = out_types;
    node.calc.filter = call(FN_NE, 2, i, lit_int(0));
    node.calc.nexprs = 2;
    node.calc.exprs = exprs;
    ExecContext ctx = {.batch_mode = false};
    WbError err = {0};
    Operator *calc = ex_calc_new(&node, &ctx, &err);
    CHECK(calc != NULL);
    if (!calc) return;
    Collector *sink = wb_calloc(1, sizeof *sink);
    ex_op_init(&sink->base, &collect_vt, NULL, &ctx);
    sink->got = ty_batch_new(out_types, 2, 4);
    ex_op_add_output(calc, &sink->base, 0);
    sample->weights[2] = -1;
    CHECK(ex_push(calc, 0, sample, &err) == 0);
    sample->weights[2] = 1;
    Batch *got = sink->got;
    CHECK(got->nrows == 2);
    if (got->nrows == 2) {
        CHECK_STR(cell(got, 0, 0), "Ünïcode");
        CHECK_STR(cell(got, 1, 0), "20");
        CHECK_STR(cell(got, 1, 1), "-33");
        CHECK(got->weights[0] == 1 && got->weights[1] == -1);
    }
    /* a projection error is returned, positioned */
    const Expr *bad[2] = {col(3, T_STR), call(FN_DIV, 2, lit_int(100), call(FN_SUB, 2, i, i))};
    node.calc.exprs = bad;
    Operator *calc2 = ex_calc_new(&node, &ctx, &err);
    ex_op_add_output(calc2, &sink->base, 0);
    CHECK(ex_push(calc2, 0, sample, &err) == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_DIV_ZERO);
    CHECK(err.line == 1 && err.column == 7);
    ex_op_free(calc);
    ex_op_free(calc2);
    ty_batch_free(sink->got);
    ex_op_free(&sink->base);
}

/* WHERE v < 10 over update pairs: a half whose partner the filter dropped
 * becomes -D / +I, a pair kept whole stays -U/+U, and a half whose partner
 * is not in the batch at all keeps its kind. */
static void test_calc_kinds(void)
{
    SqlType types[1] = {T_BIGINT};
    static const int64_t values[7] = {1, 50, 60, 2, 3, 4, 5};
    Batch *in = ty_batch_new(types, 1, 8);
    for (int32_t row = 0; row < 7; row++) {
        in->cols[0].i64[row] = values[row];
        in->weights[row] = row % 2 == 0 ? -1 : 1;
    }
    in->nrows = 7;
    for (int32_t row = 0; row < 6; row += 2) ty_mark_update(in, row);
    ty_batch_updates(in)[6] = 1;              /* a -U whose +U is elsewhere */
    const Expr *exprs[1] = {col(0, T_BIGINT)};
    PlanNode node;
    memset(&node, 0, sizeof node);
    node.kind = PN_CALC;
    node.ncols = 1;
    node.types = types;
    node.calc.filter = call(FN_LT, 2, col(0, T_BIGINT), lit_bigint(10));
    node.calc.nexprs = 1;
    node.calc.exprs = exprs;
    ExecContext ctx = {.batch_mode = false};
    WbError err = {0};
    Operator *calc = ex_calc_new(&node, &ctx, &err);
    Collector *sink = wb_calloc(1, sizeof *sink);
    ex_op_init(&sink->base, &collect_vt, NULL, &ctx);
    sink->got = ty_batch_new(types, 1, 8);
    ex_op_add_output(calc, &sink->base, 0);
    CHECK(ex_push(calc, 0, in, &err) == 0);
    const Batch *got = sink->got;
    static const RowKind want[5] = {RK_DELETE, RK_INSERT, RK_UPDATE_BEFORE, RK_UPDATE_AFTER,
                                    RK_UPDATE_BEFORE};
    CHECK(got->nrows == 5);
    for (int32_t row = 0; row < got->nrows && row < 5; row++) CHECK(ty_row_kind(got, row) == want[row]);
    ex_op_free(calc);
    ty_batch_free(sink->got);
    ex_op_free(&sink->base);
    ty_batch_free(in);
}

/* ---- fuzz: random DECIMAL(1..38) operands through + - * / % and CAST ----
 * Every result is a value that fits its type, printed with exactly its
 * scale, or a 22003 (out of range) / 22012 (division by zero) error; sums
 * and products that fit 128 bits without rounding equal the plain integer
 * result.  (tests/cli/test_decimal_oracle.sh checks the values against
 * Python's decimal module.) */

static ty_i128 rand_digits(WbRand *rng, int max_digits)
{
    int nd = (int)wb_rand_below(rng, (uint64_t)max_digits + 1);
    if (wb_rand_below(rng, 4) == 0) nd = max_digits;   /* often at the limit */
    ty_i128 v = 0;
    for (int i = 0; i < nd; i++) v = v * 10 + (ty_i128)wb_rand_below(rng, 10);
    return wb_rand_below(rng, 2) ? -v : v;
}

static void test_decimal_fuzz(void)
{
    static const FuncId ops[] = {FN_ADD, FN_SUB, FN_MUL, FN_DIV, FN_MOD};
    WbRand rng;
    wb_rand_seed(&rng, 38);
    int bad = 0, values = 0, errors = 0;
    const char *env = getenv("WEIR_FUZZ_ITERS");
    int iters = env ? atoi(env) : 20000;
    for (int iter = 0; iter < iters; iter++) {
        int p1 = 1 + (int)wb_rand_below(&rng, 38), p2 = 1 + (int)wb_rand_below(&rng, 38);
        int s1 = (int)wb_rand_below(&rng, (uint64_t)p1 + 1), s2 = (int)wb_rand_below(&rng, (uint64_t)p2 + 1);
        ty_i128 a = rand_digits(&rng, p1), b = rand_digits(&rng, p2);
        FuncId fn = ops[wb_rand_below(&rng, WB_ARRAY_LEN(ops))];
        Expr *e = call(fn, 2, lit_dec128(a, p1, s1), lit_dec128(b, p2, s2));
        if (wb_rand_below(&rng, 3) == 0 && e) {
            int p = 1 + (int)wb_rand_below(&rng, 38);
            e = cast_to(e, ty_decimal(p, (int)wb_rand_below(&rng, (uint64_t)p + 1)), false);
        }
        if (!e || e->type.id != TY_DECIMAL) {
            if (bad++ < 5) fprintf(stderr, "  typing failed: %s\n", last_err.message);
            continue;
        }
        const char *text = ev(e);
        int p = e->type.precision, s = e->type.scale;
        if (strncmp(text, "ERR ", 4) == 0) {
            errors++;
            bool ok = strncmp(text, "ERR 22003", 9) == 0 ||
                      (strncmp(text, "ERR 22012", 9) == 0 && b == 0);
            if (!ok && bad++ < 5) fprintf(stderr, "  unexpected: %s\n", text);
            continue;
        }
        values++;
        ty_i128 v;
        const char *dot = strchr(text, '.');
        int frac = dot ? (int)strlen(dot + 1) : 0;
        if (ty_parse_decimal128(text, strlen(text), p, s, &v) != 0 || frac != s) {
            if (bad++ < 5) fprintf(stderr, "  %s does not fit DECIMAL(%d, %d)\n", text, p, s);
            continue;
        }
        /* exact integer cross-checks where no rounding happened */
        if (e->fn != FN_CAST && (fn == FN_ADD || fn == FN_SUB) && s == (s1 > s2 ? s1 : s2)) {
            ty_i128 x, y, want;
            if (!__builtin_mul_overflow(a, ty_pow10_128(s - s1), &x) &&
                !__builtin_mul_overflow(b, ty_pow10_128(s - s2), &y) &&
                !(fn == FN_ADD ? __builtin_add_overflow(x, y, &want) : __builtin_sub_overflow(x, y, &want)) &&
                want != v && bad++ < 5)
                fprintf(stderr, "  %s: wrong sum\n", text);
        }
        if (e->fn != FN_CAST && fn == FN_MUL && s == s1 + s2) {
            ty_i128 want;
            if (!__builtin_mul_overflow(a, b, &want) && want != v && bad++ < 5)
                fprintf(stderr, "  %s: wrong product\n", text);
        }
    }
    CHECK(bad == 0);
    CHECK(values > iters / 3 && errors > 0);   /* both outcomes were exercised */
}

int main(void)
{
    A = wb_arena_new(0);
    T_INT = ty_make(TY_INT);
    T_BIGINT = ty_make(TY_BIGINT);
    T_DEC = ty_decimal(10, 2);
    T_STR = ty_make(TY_STRING);
    T_TS = ty_timestamp(3);
    T_DBL = ty_make(TY_DOUBLE);
    T_DATE = ty_make(TY_DATE);
    one_row = ty_batch_new(NULL, 0, 1);
    one_row->nrows = 1;
    build_sample();
    RUN(test_types);
    RUN(test_arith);
    RUN(test_decimal_fuzz);
    RUN(test_logic);
    RUN(test_cast);
    RUN(test_strings);
    RUN(test_time);
    RUN(test_const);
    RUN(test_calc);
    RUN(test_calc_kinds);
    ty_batch_free(sample);
    ty_batch_free(one_row);
    wb_arena_free(A);
    return check_done();
}
