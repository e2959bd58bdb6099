/*
 * ast.h - the abstract syntax tree the parser (sql/parser.c) produces and the
 * binder consumes: statements, queries, FROM items and unbound expressions.
 *
 * Memory: every node, list and string is allocated in the WbArena given to
 * the parser and lives until that arena is reset or freed.  The tree is
 * read-only once parsed.
 *
 * Names: identifiers keep their source spelling.  Unquoted words are not
 * case-folded (matching is case-insensitive, the binder's job); quoted
 * identifiers (`x` or "x") are stored without quotes, case kept.  A
 * qualified table name (cat.db.t) is stored joined with '.'.
 *
 * Positions: line/column (1-based, columns count UTF-8 characters) of the
 * node's first token; src_start/src_end are byte offsets into the parsed
 * script text ([start, end)), so the exact source text of any expression,
 * query or statement can be sliced out (computed columns, views, EXPLAIN).
 */
#ifndef WEIR_SQL_AST_H
#define WEIR_SQL_AST_H

#include "sql/expr.h"

typedef struct AstNode AstNode;

/* A list of nodes; items[0..count). count == 0 and items == NULL if empty. */
typedef struct AstList {
    int32_t count;
    AstNode **items;
} AstList;

typedef enum AstKind {
    /* ---- statements ---- */
    AST_CREATE_TABLE,  /* create_table: CREATE [TEMPORARY] TABLE [IF NOT EXISTS] */
    AST_CREATE_VIEW,   /* create_view: CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(cols)] AS query */
    AST_DROP,          /* drop: DROP [TEMPORARY] TABLE|VIEW [IF EXISTS] name */
    AST_ALTER_TABLE,   /* alter: ALTER TABLE [IF EXISTS] name ADD|MODIFY|DROP|RENAME|SET|RESET ... */
    AST_SHOW,          /* show: SHOW TABLES | VIEWS | FUNCTIONS | CREATE TABLE x ... */
    AST_DESCRIBE,      /* describe: DESCRIBE name / DESC name */
    AST_EXPLAIN,       /* explain: EXPLAIN [PLAN FOR] statement (a query or INSERT) */
    AST_SET,           /* set: SET 'k' = 'v' / SET k = v; bare SET has key == NULL */
    AST_RESET,         /* set: RESET 'k' (key set) / bare RESET (key == NULL), value NULL */
    AST_INSERT,        /* insert: INSERT INTO|OVERWRITE name [PARTITION (..)] [(cols)] query */
    AST_DELETE,        /* dml: DELETE FROM name [[AS] alias] [WHERE cond] */
    AST_UPDATE,        /* dml: UPDATE name [[AS] alias] SET col = expr, .. [WHERE cond] */
    AST_CALL_PROC,     /* call_proc: CALL name(args) (Paimon's sys.* procedures) */

    /* ---- queries (any of these three is "a query") ---- */
    AST_SELECT,        /* select: SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... */
    AST_SETOP,         /* setop: left UNION|INTERSECT|EXCEPT [ALL] right */
    AST_VALUES,        /* values: VALUES (..), (..); rows are AST_ROW nodes */

    /* ---- FROM items ---- */
    AST_TABLE_REF,     /* table_ref: name [FOR SYSTEM_TIME AS OF e] [[AS] alias [(cols)]] */
    AST_SUBQUERY_REF,  /* subquery_ref: (query) [AS] alias [(cols)] */
    AST_JOIN,          /* join: left JOIN right ON cond / USING (cols); comma = CROSS */
    AST_TVF_REF,       /* tvf: TABLE(func(TABLE t, DESCRIPTOR(c), ...)) [AS] alias [(cols)] */

    /* ---- expressions ---- */
    AST_LITERAL,       /* literal: numbers, strings, booleans, NULL, DATE/TIME/TIMESTAMP, INTERVAL */
    AST_COLUMN_REF,    /* column_ref: [qualifier.]name */
    AST_STAR,          /* star: * or t.* (select list and COUNT(*) only) */
    AST_UNARY,         /* unary: - x, NOT x (unary + is dropped) */
    AST_BINARY,        /* binary: arithmetic, ||, comparison, AND, OR, IS [NOT] DISTINCT FROM */
    AST_IS,            /* is: x IS [NOT] NULL | TRUE | FALSE | UNKNOWN */
    AST_BETWEEN,       /* between: x [NOT] BETWEEN [SYMMETRIC] low AND high */
    AST_IN_LIST,       /* in_list: x [NOT] IN (e1, e2, ...) */
    AST_IN_QUERY,      /* in_query: x [NOT] IN (query) */
    AST_LIKE,          /* like: x [NOT] LIKE|SIMILAR TO pattern [ESCAPE c] */
    AST_EXISTS,        /* exists: EXISTS (query) (NOT EXISTS is AST_UNARY NOT over it) */
    AST_SUBQUERY,      /* subquery: (query) as a scalar value */
    AST_CASE,          /* case_: CASE [operand] WHEN .. THEN .. [ELSE ..] END */
    AST_CAST,          /* cast: CAST(x AS type) / TRY_CAST(x AS type) */
    AST_CALL,          /* call: f(args), aggregates, window calls, special forms */

    /* ---- helper nodes ---- */
    AST_COLUMN_DEF,    /* column_def: one column of CREATE TABLE */
    AST_OPTION,        /* option: 'key' = 'value' of WITH (...) */
    AST_SELECT_ITEM,   /* select_item: expr [[AS] alias] (expr may be AST_STAR) */
    AST_ORDER_ITEM,    /* order_item: expr [ASC|DESC] [NULLS FIRST|LAST] */
    AST_CTE,           /* cte: name [(cols)] AS (query) */
    AST_ROW,           /* row: one row of VALUES: items */
    AST_WINDOW,        /* window: OVER (PARTITION BY .. ORDER BY .. [frame]) */
    AST_IDENT,         /* ident: a bare name in a column list (PK, USING, INSERT, view cols) */
    AST_HINT,          /* hint: NAME(args) of a hint comment (slash-star-plus) */
    AST__COUNT
} AstKind;

typedef enum AstBinOp {
    AOP_ADD, AOP_SUB, AOP_MUL, AOP_DIV, AOP_MOD, AOP_CONCAT,
    AOP_EQ, AOP_NE, AOP_LT, AOP_LE, AOP_GT, AOP_GE,
    AOP_IS_DISTINCT, AOP_IS_NOT_DISTINCT,
    AOP_AND, AOP_OR,
    /* unary */
    AOP_NEG, AOP_NOT
} AstBinOp;

typedef enum AstJoinType {
    AJ_INNER, AJ_LEFT, AJ_RIGHT, AJ_FULL, AJ_CROSS
} AstJoinType;

typedef enum AstSetOp { ASO_UNION, ASO_INTERSECT, ASO_EXCEPT } AstSetOp;

typedef enum AstIsWhat { AIS_NULL, AIS_TRUE, AIS_FALSE, AIS_UNKNOWN } AstIsWhat;

typedef enum AstShowWhat {
    ASH_TABLES, ASH_VIEWS, ASH_FUNCTIONS, ASH_CREATE_TABLE, ASH_CREATE_VIEW
} AstShowWhat;

/* What ALTER TABLE does (Flink's forms, and Paimon's). */
typedef enum AstAlterAction {
    AALT_ADD,              /* ADD [COLUMN] col | ADD (col, ...) [FIRST | AFTER c] */
    AALT_MODIFY,           /* MODIFY [COLUMN] col | MODIFY (col, ...): new types */
    AALT_DROP,             /* DROP [COLUMN] c | DROP (c, ...) */
    AALT_RENAME_COLUMN,    /* RENAME [COLUMN] old TO new */
    AALT_RENAME_TABLE,     /* RENAME TO new */
    AALT_SET,              /* SET ('k' = 'v', ...) */
    AALT_RESET             /* RESET ('k', ...) */
} AstAlterAction;

typedef enum AstTrimMode { ATRIM_BOTH = 0, ATRIM_LEADING = 1, ATRIM_TRAILING = 2 } AstTrimMode;

/* Window frame bound kinds (OVER (... ROWS BETWEEN a AND b)). */
typedef enum AstFrameBound {
    AFB_NONE = 0,              /* no frame given */
    AFB_UNBOUNDED_PRECEDING,
    AFB_PRECEDING,             /* offset expr PRECEDING */
    AFB_CURRENT_ROW,
    AFB_FOLLOWING,             /* offset expr FOLLOWING */
    AFB_UNBOUNDED_FOLLOWING
} AstFrameBound;

/* Fields shared by the three query kinds (AST_SELECT, AST_SETOP,
 * AST_VALUES).  They belong to the outermost query expression they were
 * written on: in `SELECT .. UNION SELECT .. ORDER BY x LIMIT 3`, order_by and
 * limit are on the AST_SETOP node, as SQL scopes them.  A parenthesized query
 * with its own ORDER BY/LIMIT keeps them on the inner node. */
typedef struct AstQueryTail {
    AstList ctes;              /* AST_CTE, from WITH */
    AstList order_by;          /* AST_ORDER_ITEM */
    AstNode *limit;            /* expression or NULL (LIMIT n / FETCH FIRST n ROWS ONLY) */
    AstNode *offset;           /* expression or NULL */
} AstQueryTail;

struct AstNode {
    AstKind kind;
    int line, column;          /* first token, 1-based */
    int32_t src_start, src_end;/* byte span in the script text */
    union {
        /* AST_CREATE_TABLE.  as_query is set for CREATE TABLE .. AS query. */
        struct {
            const char *name;
            bool if_not_exists, temporary;
            AstList columns;       /* AST_COLUMN_DEF */
            AstList primary_key;   /* AST_IDENT (table constraint or the column-level one) */
            const char *watermark_col;   /* NULL if no WATERMARK */
            AstNode *watermark;          /* the expression after AS */
            int watermark_line, watermark_column;
            const char *comment;         /* NULL if none */
            AstList partitioned_by;      /* AST_IDENT */
            AstList options;             /* AST_OPTION */
            AstNode *as_query;           /* NULL unless CTAS */
        } create_table;

        /* AST_CREATE_VIEW */
        struct {
            const char *name;
            bool if_not_exists, temporary;
            AstList columns;       /* AST_IDENT; empty if not given */
            AstNode *query;
        } create_view;

        /* AST_DROP */
        struct {
            const char *name;
            bool is_view, if_exists, temporary;
        } drop;

        /* AST_ALTER_TABLE.  columns: AST_COLUMN_DEF (ADD, MODIFY); names:
         * AST_IDENT (DROP: columns, RESET: option keys); options:
         * AST_OPTION (SET); old_name/new_name (RENAME).  ADD places the
         * columns last, FIRST, or after column `after`. */
        struct {
            const char *name;
            bool if_exists;
            AstAlterAction action;
            AstList columns;
            AstList names;
            AstList options;
            const char *old_name, *new_name;
            bool first;
            const char *after;
        } alter;

        /* AST_SHOW (name is set for SHOW CREATE TABLE/VIEW x) */
        struct {
            AstShowWhat what;
            const char *name;
        } show;

        /* AST_DESCRIBE */
        struct {
            const char *name;
        } describe;

        /* AST_EXPLAIN: stmt is a query or an AST_INSERT */
        struct {
            AstNode *stmt;
        } explain;

        /* AST_SET / AST_RESET: key and value unquoted, with '' unescaped. */
        struct {
            const char *key;       /* NULL: bare SET (list) or bare RESET (all) */
            const char *value;     /* NULL for RESET and bare SET */
        } set;

        /* AST_INSERT.  table_line/table_column: where the target name is
         * (for "table does not exist" errors). */
        struct {
            const char *table;
            bool overwrite;
            AstList columns;       /* AST_IDENT; empty if not given */
            AstNode *query;
            AstList table_hints;   /* AST_HINT after the table name (OPTIONS) */
            /* PARTITION (col = value, ..): a static partition; the
             * columns (AST_IDENT) and their values (literals), in order */
            AstList partition_cols;
            AstList partition_values;
            int table_line, table_column;
        } insert;

        /* AST_DELETE / AST_UPDATE: the target (a table reference, with its
         * alias) and, for UPDATE, the assignments col = expr: set_cols
         * (AST_IDENT) and set_values (expressions), in order */
        struct {
            AstNode *target;       /* AST_TABLE_REF */
            AstList set_cols;
            AstList set_values;
            AstNode *where;        /* NULL: every row */
        } dml;

        /* AST_CALL_PROC: CALL name(args); an argument may be named
         * (`table` => 't'): arg_names[i] is then its name, else NULL */
        struct {
            const char *name;
            AstList args;          /* expressions */
            const char **arg_names;
        } call_proc;

        /* AST_SELECT.  from is NULL for SELECT without FROM; several comma-
         * separated FROM items are folded left-deep into AST_JOIN (AJ_CROSS,
         * implicit set). */
        struct {
            AstQueryTail tail;
            bool distinct;
            AstList items;         /* AST_SELECT_ITEM */
            AstList hints;         /* AST_HINT after SELECT (query hints) */
            AstNode *from;
            AstNode *where;
            AstList group_by;      /* expressions */
            AstNode *having;
        } select;

        /* AST_SETOP.  INTERSECT binds tighter than UNION/EXCEPT; same
         * precedence associates left. */
        struct {
            AstQueryTail tail;
            AstSetOp op;
            bool all;              /* UNION ALL; false for UNION [DISTINCT] */
            AstNode *left, *right;
        } setop;

        /* AST_VALUES: rows are AST_ROW (all the same width is the binder's check) */
        struct {
            AstQueryTail tail;
            AstList rows;
        } values;

        /* AST_TABLE_REF */
        struct {
            const char *name;
            const char *alias;     /* NULL if none */
            AstList col_aliases;   /* AST_IDENT */
            AstNode *system_time;  /* FOR SYSTEM_TIME AS OF expr, or NULL */
            AstList hints;         /* AST_HINT after the name (OPTIONS) */
        } table_ref;

        /* AST_SUBQUERY_REF: alias may be NULL (Flink allows it) */
        struct {
            AstNode *query;
            const char *alias;
            AstList col_aliases;   /* AST_IDENT */
        } subquery_ref;

        /* AST_TVF_REF: a window table-valued function in FROM.  data is
         * the AST_TABLE_REF or AST_SUBQUERY_REF after TABLE (or a
         * parenthesized query); partition: SESSION's PARTITION BY columns
         * (AST_IDENT); timecol: the DESCRIPTOR's column; args: the other
         * arguments in the order written, arg_names[i] the name of a named
         * argument (SIZE => ...) or NULL. */
        struct {
            const char *func;
            AstNode *data;
            AstList partition;
            const char *timecol;
            int timecol_line, timecol_column;
            AstList args;
            const char **arg_names;
            const char *alias;
            AstList col_aliases;
        } tvf;

        /* AST_JOIN: at most one of on / using is set; neither for CROSS
         * (implicit = true when written as a comma). */
        struct {
            AstJoinType type;
            bool implicit;
            AstNode *left, *right;
            AstNode *on;
            AstList using_cols;    /* AST_IDENT */
        } join;

        /* AST_LITERAL.  type is the literal's SQL type (Flink's typing):
         *   integers: INT if it fits 32 bits, else BIGINT, else DECIMAL(p,0)
         *             (p <= 38; such a value does not fit i64: value_ok false)
         *   1.5     : DECIMAL(2,1), i64 = 15 (unscaled) when it fits 18 digits
         *   1e3     : DOUBLE, f64
         *   'abc'   : STRING, precision = -1 (not CHAR(n)); str/str_len
         *             unescaped (may contain NUL bytes)
         *   TRUE/FALSE: BOOLEAN, i64 0/1;  NULL: TY_NULL
         *   DATE '..': DATE, i64 days; TIME '..': TIME, i64 ms of day
         *   TIMESTAMP '..': TIMESTAMP(p) with p = written fractional digits
         *             (0..9), i64 microseconds
         *   INTERVAL '..' unit [TO unit]: INTERVAL_DT (i64 ms) or
         *             INTERVAL_YM (i64 months), already converted; the
         *             units are kept for printing.
         * text is the literal's source text (with quotes, for strings the
         * whole 'x'); a negative number folded from unary minus has text
         * starting with '-'. */
        struct {
            SqlType type;
            bool value_ok;         /* false only for a DECIMAL literal out of range */
            int64_t i64;
            ty_i128 i128;          /* DECIMAL(19..38) */
            double f64;
            const char *str;       /* NUL-terminated too; str_len counts bytes */
            int32_t str_len;
            const char *text;
            TimeUnit interval_from, interval_to;  /* INTERVAL only; to == from if single */
        } literal;

        /* AST_COLUMN_REF: qualifier NULL for a bare column */
        struct {
            const char *qualifier;
            const char *name;
        } column_ref;

        /* AST_STAR: qualifier NULL for plain * */
        struct {
            const char *qualifier;
        } star;

        /* AST_UNARY (op AOP_NEG / AOP_NOT) and AST_BINARY */
        struct {
            AstBinOp op;
            AstNode *left;         /* the operand of a unary */
            AstNode *right;        /* NULL for unary */
        } op;

        /* AST_IS */
        struct {
            AstNode *arg;
            AstIsWhat what;
            bool negated;
        } is;

        /* AST_BETWEEN */
        struct {
            AstNode *arg, *low, *high;
            bool negated, symmetric;
        } between;

        /* AST_IN_LIST (list) and AST_IN_QUERY (query).  A quantified
         * comparison `arg cmp ANY|SOME|ALL (query)` is an AST_IN_QUERY
         * with `quantified` set (= ANY is written as IN, <> ALL as NOT IN
         * by the parser, so quantified ones are the other comparisons). */
        struct {
            AstNode *arg;
            bool negated;
            AstList list;
            AstNode *query;
            bool quantified, all;
            AstBinOp cmp;
        } in;

        /* AST_LIKE */
        struct {
            AstNode *arg, *pattern, *escape;   /* escape NULL if absent */
            bool negated, similar;             /* similar: SIMILAR TO */
        } like;

        /* AST_EXISTS and AST_SUBQUERY */
        struct {
            AstNode *query;
        } subquery;

        /* AST_CASE: whens[i] -> thens[i]; operand NULL for searched CASE,
         * else_expr NULL if absent. */
        struct {
            AstNode *operand;
            AstList whens, thens;
            AstNode *else_expr;
        } case_;

        /* AST_CAST: type is the target; ltz set for TIMESTAMP_LTZ (kept as
         * TY_TIMESTAMP, see README). */
        struct {
            AstNode *arg;
            SqlType type;
            bool ltz;
            bool try_cast;
        } cast;

        /* AST_CALL.  name as written (f, COUNT, CURRENT_TIMESTAMP ...).
         * Special forms are normalized into plain argument lists:
         *   COUNT(*)                       star = true, args empty
         *   COUNT(DISTINCT x)              distinct = true
         *   EXTRACT(unit FROM x)           has_unit, unit; args [x]
         *   FLOOR(x TO unit) / CEIL(..)    has_unit, unit; args [x]
         *   TIMESTAMPADD(unit, n, ts)      has_unit, unit; args [n, ts]
         *   TIMESTAMPDIFF(unit, a, b)      has_unit, unit; args [a, b]
         *   SUBSTRING(s FROM a [FOR b])    args [s, a] or [s, a, b]
         *   TRIM([mode] [chars] FROM s)    trim_mode; args [chars, s]
         *                                  (chars is the literal ' ' if omitted)
         *   POSITION(a IN b)               args [a, b]
         *   CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE, CURRENT_TIME
         *   (no parentheses)               args empty, no_parens = true
         * filter: FILTER (WHERE cond) or NULL; over: AST_WINDOW or NULL. */
        struct {
            const char *name;
            AstList args;
            bool distinct, star, has_unit, no_parens;
            TimeUnit unit;
            AstTrimMode trim_mode;
            AstNode *filter;
            AstNode *over;
        } call;

        /* AST_COLUMN_DEF.  Exactly one shape:
         *   physical:  type set, computed NULL, is_metadata false
         *   computed:  `name AS expr`: computed set (type unknown: id TY_NULL)
         *   metadata:  `name TYPE METADATA [FROM 'key'] [VIRTUAL]`
         * primary_key: the column-level PRIMARY KEY NOT ENFORCED (also added
         * to create_table.primary_key). */
        struct {
            const char *name;
            SqlType type;
            bool ltz;
            AstNode *computed;
            bool is_metadata, is_virtual, primary_key;
            const char *metadata_key;   /* NULL if no FROM */
            const char *comment;        /* NULL if none */
        } column_def;

        /* AST_OPTION: both unquoted */
        struct {
            const char *key;
            const char *value;
        } option;

        /* AST_SELECT_ITEM: alias NULL if none */
        struct {
            AstNode *expr;
            const char *alias;
        } select_item;

        /* AST_ORDER_ITEM.  nulls_first/nulls_last both false = default. */
        struct {
            AstNode *expr;
            bool desc, nulls_first, nulls_last;
        } order_item;

        /* AST_CTE */
        struct {
            const char *name;
            AstList columns;       /* AST_IDENT */
            AstNode *query;
        } cte;

        /* AST_ROW */
        struct {
            AstList items;
        } row;

        /* AST_WINDOW.  frame_rows: ROWS (true) or RANGE (false) when
         * frame_start != AFB_NONE; frame_end AFB_NONE = single bound form
         * (`ROWS 5 PRECEDING` means BETWEEN 5 PRECEDING AND CURRENT ROW). */
        struct {
            AstList partition_by;  /* expressions */
            AstList order_by;      /* AST_ORDER_ITEM */
            bool frame_rows;
            AstFrameBound frame_start, frame_end;
            AstNode *start_offset, *end_offset;
        } window;

        /* AST_IDENT */
        struct {
            const char *name;
        } ident;

        /* AST_HINT: NAME(args) in a hint comment; args are AST_OPTION ('k' = 'v')
         * or AST_IDENT (a bare name or string), in the order written.
         * The name is as written; sql/hint.c says which are known. */
        struct {
            const char *name;
            AstList args;
        } hint;
    };
};

/* The shared query fields of a query node (AST_SELECT/AST_SETOP/AST_VALUES);
 * NULL for other kinds. */
AstQueryTail *sql_ast_query_tail(AstNode *node);
static inline bool sql_ast_is_query(const AstNode *node)
{
    return node && (node->kind == AST_SELECT || node->kind == AST_SETOP ||
                    node->kind == AST_VALUES);
}

/* "SELECT", "COLUMN_REF", ... for debugging. */
const char *sql_ast_kind_name(AstKind kind);
/* "+", "=", "AND", "IS DISTINCT FROM", "-", "NOT" */
const char *sql_ast_op_name(AstBinOp op);
/* "SECOND", "DAY", ... (the keyword of a TimeUnit) */
const char *sql_time_unit_name(TimeUnit unit);

/* Appends a canonical, fully parenthesized SQL text of the node (any kind:
 * statement, query, expression) to out: binary operators are wrapped in
 * parentheses, keywords are upper case, identifiers as stored (quoted with
 * backticks when they are not plain words), literals in their normalized
 * form (strings re-escaped, numbers as written).  Deterministic: the parser
 * tests compare against it, and EXPLAIN prints it. */
void sql_ast_format(const AstNode *node, WbBuf *out);

#endif
