/*
 * planner_int.h - private contract between the binder (binder.c: names and
 * expressions), the planner (planner.c: queries, subquery.c: IN/EXISTS and
 * scalar subqueries, nodes.c: plan node construction and changelog modes)
 * and the DDL executor (ddl.c).  Not included outside src/sql.
 */
#ifndef WEIR_SQL_PLANNER_INT_H
#define WEIR_SQL_PLANNER_INT_H

#include "sql/planner.h"

/* Column references to the enclosing query, captured while binding the
 * WHERE of a correlated EXISTS/IN subquery, are EX_COL nodes whose col is
 * SQL_CORR_BASE + the outer column index.  They never reach a plan: the
 * decorrelation turns them into join keys or into the join condition. */
#define SQL_CORR_BASE (1 << 24)

/* Deepest nesting of views inside views (guards against cycles). */
#define SQL_MAX_VIEW_DEPTH 32

/* One visible column of a relation being built. */
typedef struct ScopeCol {
    const char *qualifier;       /* table alias / name; NULL = unqualified only */
    const char *name;
    SqlType type;
    int32_t index;               /* column of the relation's node */
    bool star_hidden;            /* skipped by an unqualified '*' */
    bool name_hidden;            /* only reachable as qualifier.name */
    PlanNode *rank_node;         /* row number of this RANK (limit pushdown) */
} ScopeCol;

/* A relation: the plan node producing it and the columns names can reach.
 * The node may carry more columns than the scope (hidden key columns,
 * scalar subquery results), always after the visible ones' indices are
 * fixed: extending a relation only appends columns. */
typedef struct Rel {
    PlanNode *node;
    int32_t ncols;
    ScopeCol *cols;
} Rel;

/* A CTE visible to the query being planned (a linked stack). */
typedef struct CteDef {
    const AstNode *cte;          /* AST_CTE */
    struct CteDef *next;         /* the CTEs defined before it / outside */
} CteDef;

struct ScalarCorr;

typedef struct Binder {
    Catalog *cat;
    WbArena *arena;              /* the plan arena: nodes, exprs, names */
    WbError *err;
    int32_t next_id;
    CteDef *ctes;
    int view_depth;
    /* Set by sql_bind_scalar_subquery for the SELECT it plans: correlated
     * equalities of its WHERE become grouping keys (taken by plan_select). */
    struct ScalarCorr *scorr;
    bool batch_mode;             /* planning for bounded inputs (SqlPlanOptions) */
    bool early_fire;             /* window aggregates update (SqlPlanOptions) */
    struct SubDomain *domain;    /* for the next plan_select (see SubDomain) */
    bool corr_failed;            /* an outer reference was refused (CORR_ERROR) */
    SqlEvalConstFn eval_const;   /* constant folding (SqlPlanOptions), or NULL */
    void *sink_ctx;              /* for sink_accepts_retractions (SqlPlanOptions) */
    /* The STATE_TTL hint of the SELECT block being planned (sql/hint.h),
     * or NULL: its joins and aggregate take their state TTL from it. */
    const struct AstNode *state_ttl;
} Binder;

/* One aggregate call collected from SELECT / HAVING / ORDER BY. */
typedef struct AggItem {
    AggKind kind;
    bool distinct;
    Expr *arg;                   /* over the pre-aggregation relation; NULL for COUNT(*) */
    Expr *arg2;                  /* LISTAGG separator or NULL */
    Expr *filter;                /* FILTER (WHERE ..) or NULL */
    SqlType type;
    int32_t line, column;        /* the (first) call's position, for runtime errors */
} AggItem;

typedef struct AggInfo {
    struct Env *pre;             /* binds expressions over the aggregate's input */
    int32_t ngroup;
    Expr **group;
    int32_t naggs, cap_aggs;
    AggItem *aggs;
    bool collecting;             /* phase 1: record aggregate calls */
} AggInfo;

typedef enum CorrMode {
    CORR_NONE,                   /* no enclosing query */
    CORR_CAPTURE,                /* outer refs become SQL_CORR_BASE + index */
    CORR_ERROR,                  /* outer refs are a 0A000 error */
    CORR_RECORD,                 /* outer refs are recorded (SubDomain.used), bound as NULL */
    CORR_DOMAIN                  /* outer refs are the domain's columns (SubDomain) */
} CorrMode;

/* A correlated subquery planned over the domain of the outer values it
 * reads (Neumann and Kemper): consumed by the next plan_select, that of
 * the subquery's top SELECT.  First `record`: a planning pass that only
 * finds which outer columns are read (used[]).  Then the real pass: D
 * (DISTINCT of those outer columns) is joined into the SELECT's FROM,
 * outer references are D's columns, the SELECT is computed per D row
 * (D's columns lead its GROUP BY, partition its LIMIT, ride along its
 * output), and sc->keys (NULL-safe pairs, left over the outer relation,
 * right over the subquery's output) join it back. */
typedef struct SubDomain {
    bool record;
    bool scalar;                 /* a scalar subquery: a plain value becomes SINGLE_VALUE */
    int32_t width;               /* the outer relation's node columns */
    bool *used;                  /* record: outer node columns read */
    PlanNode *node;              /* D */
    int32_t m;                   /* D's columns */
    int32_t *dmap;               /* outer node column -> D column */
    int32_t *dcols;              /* D column -> outer node column */
    struct ScalarCorr *sc;       /* the join-back keys, filled by plan_select */
} SubDomain;

/* A window call (ROW_NUMBER() OVER ..) already planned: its AST and the
 * column of the relation that holds its value. */
typedef struct WindowCol {
    const AstNode *call;
    int32_t col;
    SqlType type;
} WindowCol;

/* Where names are resolved and expressions are bound. */
/* A legacy group window (GROUP BY TUMBLE(ts, size) ...): the PN_WINDOW
 * placed over the FROM relation and its columns there, which
 * TUMBLE_START/_END/_ROWTIME (HOP_..., SESSION_...) of the query read. */
typedef struct GroupWindow {
    const char *func;            /* TUMBLE, HOP or SESSION, as written */
    int32_t start_col, end_col, time_col;
} GroupWindow;

typedef struct Env {
    Binder *b;
    const GroupWindow *gwin;     /* GROUP BY TUMBLE(...) of this SELECT, or NULL */
    Rel *rel;                    /* visible columns; rel->node NULL = no joins allowed */
    const struct Env *outer;     /* the enclosing query, for correlation */
    CorrMode corr;
    AggInfo *agg;                /* post-aggregation binding (phase 2) or collection */
    const char *clause;          /* "WHERE", "GROUP BY"...: aggregates are an error here */
    int32_t nwindows;
    WindowCol *windows;
    bool saw_corr;               /* an outer reference was captured */
    /* CORR_RECORD / CORR_DOMAIN: the subquery's domain; CORR_DOMAIN: where
     * D's columns start in rel's node */
    SubDomain *domain;
    int32_t domain_base;
} Env;

/* ---- binder.c ---- */
void env_init(Env *env, Binder *b, Rel *rel);
/* Binds an expression AST over env.  Returns NULL with b->err set. */
Expr *sql_bind_expr(Env *env, const AstNode *ast);
/* Binds and checks the result is BOOLEAN (or NULL) for `clause`. */
Expr *sql_bind_condition(Env *env, const AstNode *ast, const char *clause);
bool sql_expr_equal(const Expr *a, const Expr *b);
/* Whether an expression references a correlated outer column / only cols in
 * [lo, hi). */
bool sql_expr_has_corr(const Expr *e);
bool sql_expr_cols_within(const Expr *e, int32_t lo, int32_t hi);
bool sql_expr_has_cols(const Expr *e);
/* Copy of e with every EX_COL c (and correlated c) remapped: col >= from
 * gets col + delta; correlated refs become plain refs at corr_base + index. */
Expr *sql_expr_shift(WbArena *arena, const Expr *e, int32_t from, int32_t delta,
                     int32_t corr_base);
/* AST predicates. */
bool sql_ast_has_agg(const AstNode *ast);
bool sql_ast_has_count(const AstNode *ast);
bool sql_ast_has_subquery(const AstNode *ast);
bool sql_ast_has_window(const AstNode *ast);
bool sql_ast_is_agg_call(const AstNode *ast);
/* Calls fn on each direct child expression of ast (not into subqueries,
 * not into an OVER clause) until it returns false; returns false then. */
bool sql_ast_each_child(const AstNode *ast, bool (*fn)(const AstNode *child, void *ctx), void *ctx);
/* Walks ast (not into subqueries) recording aggregate calls in env->agg. */
int sql_collect_aggs(Env *env, const AstNode *ast);
/* Resolves a column by name in a relation's scope: index into rel->cols,
 * -1 absent, -2 ambiguous. */
int32_t sql_scope_find(const Rel *rel, const char *qualifier, const char *name);
/* A Value of a literal AST (strings copied into arena). */
int sql_literal_value(Binder *b, const AstNode *lit, Value *out);
/* Converts a constant to `to` when it can be done exactly here (numbers
 * widened, NULL typed); false otherwise. */
bool sql_const_convert(const Value *in, SqlType to, Value *out);
/* Casts e to `to` unless it already has that type. */
Expr *sql_coerce(WbArena *arena, Expr *e, SqlType to);

/* ---- nodes.c: plan nodes and changelog modes ---- */
PlanNode *sql_node_new(Binder *b, PlanKind kind, int32_t ncols, int32_t ninputs);
PlanNode *sql_node_scan(Binder *b, const TableDef *table);
PlanNode *sql_node_calc(Binder *b, PlanNode *input, const Expr *filter, int32_t nexprs,
                        Expr **exprs, char **names);
/* A CALC passing every input column through, with filter and extra columns. */
PlanNode *sql_node_filter_extend(Binder *b, PlanNode *input, const Expr *filter,
                                 int32_t nextra, Expr **extra);
PlanNode *sql_node_exchange(Binder *b, PlanNode *input, int32_t nkeys, const int32_t *keys);
PlanNode *sql_node_watermark(Binder *b, PlanNode *input, int32_t rowtime, const Expr *expr,
                             int64_t idle_timeout_us);
PlanNode *sql_node_window(Binder *b, PlanNode *input, const WindowSpec *spec);
PlanNode *sql_node_agg(Binder *b, PlanNode *input, int32_t ngroup, int32_t naggs,
                       const AggItem *aggs, const int32_t *arg_cols,
                       const int32_t *arg2_cols, const int32_t *filter_cols);
PlanNode *sql_node_join(Binder *b, JoinType type, PlanNode *left, PlanNode *right,
                        int32_t nkeys, const int32_t *left_keys,
                        const int32_t *right_keys, const Expr *cond);
/* Lowers a RANK's limit (rn <= N pushed from an outer WHERE); with limit 1
 * the partition columns become its upsert key and the modes of the
 * CALC/EXCHANGE chain from `top` down to it are derived again. */
void sql_node_rank_set_limit(Binder *b, PlanNode *top, PlanNode *rank, int64_t limit);
PlanNode *sql_node_rank(Binder *b, PlanNode *input, int32_t npartition,
                        const int32_t *partition, int32_t nsort, const SortKey *sort,
                        int64_t limit, int64_t offset, bool emit_rownum);
PlanNode *sql_node_union(Binder *b, int32_t ninputs, PlanNode **inputs);
/* EXCHANGE on every column then AGG grouping on all of them (DISTINCT). */
PlanNode *sql_node_distinct(Binder *b, PlanNode *input);
/* Derives node's changelog mode and upsert key from its inputs' modes. */
void sql_node_derive_mode(Binder *b, PlanNode *node);

/* ---- optimizer.c (see opt_int.h) ---- */
/* Rewrites a logical plan (as the planner built it) and returns the
 * physical plan: exchanges in place, modes derived.  Sets out's
 * logical_text and optimized_text. */
PlanNode *sql_optimize(Binder *b, PlanNode *root, QueryPlan *out);

/* ---- planner.c ---- */
/* Plans any query node; outer is the enclosing query's env for correlated
 * references (NULL: none).  Returns false with b->err set. */
bool sql_plan_query(Binder *b, const AstNode *query, const Env *outer, Rel *out);
bool sql_plan_from(Binder *b, const AstNode *from, const Env *outer, Rel *out);
/* A relation of one row and no visible column (SELECT without FROM). */
void sql_rel_single_row(Binder *b, Rel *out);
/* Renames a relation's visible columns (an alias's column list). */
bool sql_rel_rename(Binder *b, Rel *rel, const AstList *aliases, const AstNode *at);
ScopeCol *sql_scope_alloc(Binder *b, int32_t n);

/* ---- window.c: window table-valued functions ---- */
/* Plans TABLE(TUMBLE|HOP|CUMULATE(...)) in FROM (AST_TVF_REF). */
bool sql_plan_window_tvf(Binder *b, const AstNode *ast, Rel *out);
/* Whether a GROUP BY item is a legacy group window call TUMBLE(ts, ..),
 * HOP(ts, ..) or SESSION(ts, ..). */
bool sql_is_group_window(const AstNode *ast);
/* Plans it: a PN_WINDOW over from->node, its three columns appended to
 * from (hidden from names and *), described in *out. */
bool sql_plan_group_window(Binder *b, Rel *from, const AstNode *call, const AstList *group_by,
                           GroupWindow *out);
/* TUMBLE_START(..) and the like under a group window: a reference to
 * the window's column; NULL with *handled false when ast is no such call. */
Expr *sql_bind_group_window_fn(Env *env, const AstNode *ast, bool *handled);

/* One equi-join key: left over the left input, right over the right
 * input's own columns (either may be an expression). */
typedef struct KeyPair {
    Expr *left, *right;
} KeyPair;
/* Makes each key a plain column of its input (computed columns appended
 * below the join, both sides cast to a common type), then builds the join
 * behind its exchanges.  cond is over left ++ right at the inputs' widths
 * before this call.  Returns NULL with b->err set. */
PlanNode *sql_build_join(Binder *b, JoinType type, Rel *left, Rel *right, int32_t nkeys,
                         KeyPair *keys, Expr *cond, const AstNode *at);
/* AND-ed conjuncts of a bound condition; their AND (NULL when n == 0). */
int32_t sql_count_and(const Expr *e);
int32_t sql_split_and(Expr *e, Expr **out, int32_t cap);
Expr *sql_and_all(Binder *b, Expr **conds, int32_t n);

/* Correlation keys of a scalar subquery: left over the enclosing relation,
 * right over the subquery's FROM (after planning: over its output). */
typedef struct ScalarCorr {
    int32_t nkeys;
    KeyPair *keys;
} ScalarCorr;

/* ---- subquery.c ---- */
/* Keys and residual conditions of a correlated subquery's WHERE. */
typedef struct Decor {
    int32_t nkeys;
    KeyPair *keys;               /* left: outer expr (plain outer cols), right: inner expr */
    int32_t nres;
    Expr **res;                  /* over inner cols + correlated refs */
    int32_t joined;              /* the last `joined` of res are over the pair row */
} Decor;
/* SELECT .. FROM .. WHERE without aggregation, DISTINCT, LIMIT or CTEs. */
bool sql_subquery_is_simple(const AstNode *q);
/* Plans a simple subquery's FROM into sub with its local WHERE conjuncts
 * as a filter; `inner = outer` conjuncts become dc's keys, other
 * correlated conjuncts its residuals (room for extra_keys more keys). */
bool sql_subquery_decorrelate(Env *env, const AstNode *q, Rel *sub, Decor *dc, int32_t extra_keys);
/* The same, but when a subquery nested in q refers further out, sets
 * *simple false (q is then to be planned by sql_plan_subquery_any). */
bool sql_subquery_decorrelate_or_not(Env *env, const AstNode *q, Rel *sub, Decor *dc,
                                     int32_t extra_keys, bool *simple);
/* The subquery's side of an IN of `width` columns, over sub. */
bool sql_subquery_in_keys(Env *env, const AstNode *q, Rel *sub, bool simple, int32_t width,
                          Expr **keys);
/* subquery_mark.c: IN / EXISTS where a WHERE conjunct cannot take it
 * (under OR, NOT, CASE, in SELECT, HAVING, ON): its three-valued result as
 * a BOOLEAN column joined onto env->rel (Neumann and Kemper's domain
 * construction: the distinct outer values the subquery depends on, joined
 * with it and aggregated, then joined back NULL-safely). */
Expr *sql_bind_subquery_mark(Env *env, const AstNode *ast);
/* WHERE of a scalar subquery that may be correlated: `inner = outer`
 * conjuncts are moved into sc->keys, other correlated conjuncts are a
 * 0A000 error, the rest is planned as sql_plan_where does. */
bool sql_plan_where_corr(Env *env, const AstNode *where, ScalarCorr *sc);
/* Plans a subquery that may be correlated in any clause: as written when
 * it is not (or only as sql_plan_query supports), else over the domain of
 * the outer values it reads (SubDomain); then sc holds the join-back keys
 * (sc->nkeys 0 when uncorrelated).  scalar: a scalar subquery. */
bool sql_plan_subquery_any(Env *env, const AstNode *q, bool scalar, Rel *sub, struct ScalarCorr *sc);
/* Applies the WHERE clause `where` to env->rel: plain conjuncts become a
 * filter, EXISTS / IN subqueries semi or anti joins. */
bool sql_plan_where(Env *env, const AstNode *where);
/* Plans an uncorrelated scalar subquery and LEFT-joins it onto env->rel;
 * returns a reference to its value. */
Expr *sql_bind_scalar_subquery(Env *env, const AstNode *ast);

/* ---- errors ---- */
/* INSERT (planner.c) and DELETE / UPDATE rewritten as one (plan_dml.c):
 * out->root is the PN_SINK. */
bool sql_plan_insert(Binder *b, const AstNode *ast, SqlSinkRetractFn accepts, QueryPlan *out);
/* The index among the physical columns phys[0..nphys) of def of the
 * column ident names, or -1 with a bind error (42703) at ident. */
int32_t sql_find_physical(Binder *b, const TableDef *def, const int32_t *phys, int32_t nphys,
                          const AstNode *ident);
bool sql_plan_dml(Binder *b, const AstNode *ast, SqlSinkRetractFn accepts, QueryPlan *out);

/* ---- hints and time travel (plan_hint.c) ---- */
/* Applies the OPTIONS hints of a table reference (or an INSERT target)
 * to *def: a copy with the options merged replaces it.  *def NULL (a CTE)
 * or a view with OPTIONS is an error; `what` names it. */
bool sql_hint_apply_options(Binder *b, const AstList *hints, const char *what,
                            const TableDef **def);
/* Checks b->state_ttl (the block's STATE_TTL) against the FROM of sel. */
bool sql_hint_state_ttl_check(Binder *b, const AstNode *sel);
/* Sets the state TTL of the join planned for join_ast (found below
 * `planned`'s single-input wrapping) from b->state_ttl. */
void sql_hint_join_ttl(Binder *b, const AstNode *join_ast, PlanNode *planned);
/* Sets the aggregate's state TTL when sel's FROM is one named item. */
void sql_hint_agg_ttl(Binder *b, const AstNode *sel, PlanNode *agg);
/* FOR SYSTEM_TIME AS OF on a table reference: *def becomes a copy that
 * reads the snapshot of that time; an error unless it is a stored table
 * and a constant time. */
bool sql_time_travel(Binder *b, const AstNode *ref, const TableDef **def);

#define bind_error(b, ast, state, ...) \
    (wb_error((b)->err, (state), (ast) ? (ast)->line : 0, (ast) ? (ast)->column : 0, \
              __VA_ARGS__))

#endif
