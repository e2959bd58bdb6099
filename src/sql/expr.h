/*
 * expr.h - bound, typed scalar expressions (the IR between the binder and
 * the vectorized evaluator in exec/eval.c), the function catalogue and the
 * aggregate catalogue.
 *
 * An Expr tree is built by the binder in the plan arena and is read-only
 * afterwards.  Column references are indices into the input batch of the
 * operator that evaluates the expression.  Every node has its final type:
 * the binder asks sql_func_resolve() to check arguments, insert implicit
 * casts and set the result type, so the evaluator never coerces.
 */
#ifndef WEIR_SQL_EXPR_H
#define WEIR_SQL_EXPR_H

#include "types/types.h"

/* A constant.  Strings point into the plan arena. */
typedef struct Value {
    SqlType type;
    bool is_null;
    int64_t i64;      /* PK_I64 types */
    double f64;       /* DOUBLE */
    WbStr str;        /* STRING, BYTES */
    ty_i128 i128;     /* PK_I128: DECIMAL(19..38) */
} Value;

typedef enum ExprKind {
    EX_COL,           /* input column `col` */
    EX_CONST,         /* `value` */
    EX_CALL           /* function `fn` over args */
} ExprKind;

/* Built-in scalar functions and operators.  Calls with special shapes:
 *   FN_CASE      args: cond1, val1, cond2, val2, ..., [else]  (aux = 1 if else present)
 *   FN_CAST      args: x; target type is the node's type
 *   FN_IN        args: x, v1, v2, ...   (x IN (v1, v2, ...), SQL NULL rules)
 *   FN_AND/FN_OR n-ary, three-valued
 *   FN_EXTRACT   aux = TimeUnit; args: ts
 *   FN_FLOOR_TIME / FN_CEIL_TIME aux = TimeUnit; args: ts
 *   FN_TIMESTAMPADD aux = TimeUnit; args: n, ts
 *   FN_TIMESTAMPDIFF aux = TimeUnit; args: ts1, ts2
 *   FN_TRIM      aux = 0 both, 1 leading, 2 trailing; args: chars, s
 *   FN_LIKE      args: s, pattern [, escape]
 */
typedef enum FuncId {
    FN_NONE = 0,
    /* arithmetic (overflow is an error, SQLSTATE 22003) */
    FN_ADD, FN_SUB, FN_MUL, FN_DIV, FN_MOD, FN_NEG,
    /* comparison, three-valued */
    FN_EQ, FN_NE, FN_LT, FN_LE, FN_GT, FN_GE,
    FN_IS_DISTINCT, FN_IS_NOT_DISTINCT,
    FN_AND, FN_OR, FN_NOT,
    FN_IS_NULL, FN_IS_NOT_NULL, FN_IS_TRUE, FN_IS_NOT_TRUE, FN_IS_FALSE, FN_IS_NOT_FALSE,
    FN_IN, FN_LIKE, FN_SIMILAR,
    FN_CASE, FN_COALESCE, FN_NULLIF, FN_IF, FN_CAST, FN_TRY_CAST,
    /* strings */
    FN_UPPER, FN_LOWER, FN_TRIM, FN_LTRIM, FN_RTRIM, FN_SUBSTRING, FN_CONCAT,
    FN_CONCAT_WS, FN_CHAR_LENGTH, FN_REPLACE, FN_SPLIT_INDEX, FN_REGEXP,
    FN_REGEXP_REPLACE, FN_REGEXP_EXTRACT, FN_POSITION, FN_LPAD, FN_RPAD,
    FN_INITCAP, FN_REVERSE, FN_REPEAT, FN_LEFT, FN_RIGHT, FN_MD5_RESERVED,
    /* numbers */
    FN_ABS, FN_ROUND, FN_FLOOR, FN_CEIL, FN_POWER, FN_SQRT, FN_LN, FN_LOG10,
    FN_EXP, FN_SIGN, FN_TRUNCATE,
    /* date and time */
    FN_EXTRACT, FN_DATE_FORMAT, FN_TO_TIMESTAMP, FN_TO_DATE, FN_FLOOR_TIME,
    FN_CEIL_TIME, FN_TIMESTAMPADD, FN_TIMESTAMPDIFF, FN_UNIX_TIMESTAMP,
    FN_FROM_UNIXTIME, FN_DATE_ADD_RESERVED,
    /* processing time and event time (exec reads them from the operator
     * evaluating the call: the job's clock, the operator's watermark) */
    FN_NOW,              /* aux 0: TIMESTAMP(3) now, 1: DATE today, 2: TIME now */
    FN_CURRENT_WATERMARK,/* args: a rowtime column; the watermark or NULL */
    FN__COUNT
} FuncId;

typedef enum TimeUnit {
    TU_MICROSECOND, TU_MILLISECOND, TU_SECOND, TU_MINUTE, TU_HOUR, TU_DAY,
    TU_WEEK, TU_MONTH, TU_QUARTER, TU_YEAR, TU_DOW, TU_DOY, TU_EPOCH
} TimeUnit;

typedef struct Expr {
    uint8_t kind;            /* ExprKind */
    uint16_t fn;             /* FuncId, for EX_CALL */
    SqlType type;            /* result type */
    int32_t col;             /* EX_COL */
    int32_t aux;             /* function-specific parameter, see FuncId */
    int32_t nargs;
    struct Expr **args;
    Value value;             /* EX_CONST */
    int line, column;        /* position in the SQL text, for runtime errors */
} Expr;

/* Named scalar functions: "UPPER" -> FN_UPPER (case-insensitive); FN_NONE if
 * unknown.  Operators and special forms (CASE, CAST, EXTRACT, ...) are mapped
 * by the binder directly. */
FuncId sql_func_lookup(const char *name, size_t len);
const char *sql_func_name(FuncId fn);

/* Type-checks a call node whose args are already bound: validates argument
 * count and types, wraps arguments in FN_CAST nodes (allocated in arena)
 * where an implicit coercion applies (INT -> BIGINT -> DECIMAL -> DOUBLE,
 * STRING literals to DATE/TIMESTAMP in comparisons, NULL literal to any
 * type), and sets call->type.  On error returns -1 with err positioned at
 * the call (call->line/column) naming the function and the offending types. */
int sql_func_resolve(Expr *call, WbArena *arena, WbError *err);

/* The common supertype of two types for comparisons, UNION, CASE and
 * COALESCE; returns false if there is none. */
bool sql_common_type(SqlType a, SqlType b, SqlType *out);
/* Whether CAST(from AS to) is allowed. */
bool sql_cast_allowed(SqlType from, SqlType to);
/* Flink's implicit casts (what INSERT applies to each query column without a
 * CAST): widening only.  NULL to anything; INT -> BIGINT; an integer to a
 * DECIMAL with enough integer digits (INT 10, BIGINT 19); DECIMAL(p,s) to
 * DECIMAL(p',s') with s' >= s and p'-s' >= p-s; any exact numeric or DOUBLE
 * to DOUBLE; a string to a string and bytes to bytes (lengths are not
 * enforced, as Flink's default); DATE from DATE or TIMESTAMP, TIME from
 * TIME or TIMESTAMP, TIMESTAMP(p) from any TIMESTAMP (Flink's rules);
 * each other type from itself only. */
bool sql_implicit_cast_allowed(SqlType from, SqlType to);

/* Constructors (nodes in arena). */
Expr *sql_expr_col(WbArena *arena, int32_t col, SqlType type);
Expr *sql_expr_const(WbArena *arena, Value value);
Expr *sql_expr_call(WbArena *arena, FuncId fn, Expr **args, int32_t nargs,
                    int line, int column);
Expr *sql_expr_cast(WbArena *arena, Expr *arg, SqlType to);
/* Text for EXPLAIN, e.g. "($0 + 1) > 10", appended to out. */
void sql_expr_format(const Expr *e, WbBuf *out);

/* ---- aggregates ---- */
typedef enum AggKind {
    AGG_COUNT_STAR, AGG_COUNT, AGG_SUM, AGG_SUM0, AGG_AVG, AGG_MIN, AGG_MAX,
    AGG_FIRST_VALUE, AGG_LAST_VALUE, AGG_LISTAGG,
    /* The value of the group's only row (NULL without rows); a group of
     * more than one row is an error (SQLSTATE 21000).  Not callable from
     * SQL: the planner uses it for scalar subqueries, as Flink does. */
    AGG_SINGLE_VALUE,
    AGG__COUNT
} AggKind;

/* "COUNT" -> AGG_COUNT, ...; -1 if the name is not an aggregate. */
int sql_agg_lookup(const char *name, size_t len);
const char *sql_agg_name(AggKind kind);
/* Result type of an aggregate over an argument type (Flink's rules: COUNT
 * BIGINT NOT NULL; SUM of INT/BIGINT BIGINT, of DECIMAL(p,s) DECIMAL(38,s),
 * of DOUBLE DOUBLE; AVG keeps the argument type (DECIMAL widened); MIN/MAX/
 * FIRST_VALUE/LAST_VALUE/SINGLE_VALUE the argument type, nullable; LISTAGG
 * STRING).  -1 with err on
 * an argument type the aggregate does not accept. */
int sql_agg_result_type(AggKind kind, SqlType arg, SqlType *out, WbError *err);

#endif
