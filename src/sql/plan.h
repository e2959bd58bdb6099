/*
 * plan.h - the physical plan: a DAG of PlanNodes produced by the planner
 * (sql/planner.c) and instantiated into operators by the runtime.
 *
 * The plan and everything it points to live in the plan arena and are
 * read-only while a job runs; each operator keeps its runtime state in its
 * own struct (plan tree vs state tree, as in PostgreSQL's executor).  A node
 * may be the input of several nodes (a CTE or view used twice); the runtime
 * instantiates it once and fans its output out.
 *
 * Every node states its changelog mode, derived bottom-up by the planner:
 *   insert-only  only +1 weights reach the output
 *   retract      inserts and retractions (-1), updates as retract + insert
 *   upsert       like retract, and the output has a unique key (upsert_key):
 *                an update of a key is a -U row immediately followed by the
 *                +U row of the same key in the same batch.
 * Row kinds themselves are not derived from the plan: rows carry them
 * (Batch.kinds), set by the sources and by each operator's semantics.
 * Stateful nodes (AGG, JOIN, RANK) receive their inputs through EXCHANGE
 * nodes that name the partitioning key, so that a multi-threaded runtime can
 * split keys between workers; a single-threaded runtime passes batches on.
 */
#ifndef WEIR_SQL_PLAN_H
#define WEIR_SQL_PLAN_H

#include "sql/catalog.h"
#include "sql/expr.h"

typedef enum PlanKind {
    PN_SCAN,        /* read a table through its connector */
    PN_VALUES,      /* constant rows */
    PN_CALC,        /* optional filter, then projections */
    PN_AGG,         /* group aggregate, retracting */
    PN_JOIN,        /* regular hash join, all join types, retracting */
    PN_RANK,        /* ROW_NUMBER() top-N / dedup per partition, retracting */
    PN_UNION,       /* UNION ALL of n inputs with the same schema */
    PN_EXCHANGE,    /* repartition by key (identity with one worker) */
    PN_WATERMARK,   /* event time: generates watermarks from a rowtime column */
    PN_WINDOW,      /* window TVF: appends window_start, window_end, window_time */
    PN_TEMPORAL_FILTER, /* rows pass while the time is within bounds of theirs */
    PN_OVER,        /* aggregate OVER (PARTITION BY .. ORDER BY time frame) */
    PN_SINK         /* write to a table's connector (INSERT INTO) */
} PlanKind;

typedef enum ChangelogMode { CM_INSERT_ONLY, CM_RETRACT, CM_UPSERT } ChangelogMode;

typedef struct ScanSpec {
    const TableDef *table;       /* reads the table's physical columns */
    /* The physical columns the query reads, in order: the node's columns
     * (projection push-down).  NULL: all of them. */
    int32_t nread;
    int32_t *read;
    /* Filter push-down into the source: the conjuncts the query applies
     * right above the scan, over the scan's columns (NULL: none).  A
     * connector may use them to skip data; the CALC above still applies
     * them, so a connector that ignores them loses nothing. */
    const Expr *filter;
    /* Watermark push-down (opt_watermark.c): the table's watermark,
     * generated where the rows leave the source, over the scan's columns;
     * NULL when none (or when it stays a PN_WATERMARK node) */
    const struct WatermarkSpec *watermark;
    /* No column's values are needed above (a row count): the one column
     * kept (every relation has one) is a placeholder that the source is
     * told not to read (Source.unread) and that reads as NULL. */
    bool rows_only;
} ScanSpec;

typedef struct ValuesSpec {
    int32_t nrows;
    Value *rows;                 /* nrows * node->ncols, row-major */
} ValuesSpec;

typedef struct CalcSpec {
    const Expr *filter;          /* NULL = keep all; else BOOLEAN, keep TRUE */
    int32_t nexprs;              /* == node->ncols */
    const Expr **exprs;          /* over the input's columns */
} CalcSpec;

typedef struct AggCall {
    AggKind kind;
    bool distinct;               /* COUNT(DISTINCT x), SUM(DISTINCT x) ... */
    int32_t arg;                 /* input column, -1 for COUNT(*) */
    int32_t arg2;                /* LISTAGG separator column (constant), -1 = ',' */
    int32_t filter;              /* BOOLEAN input column of FILTER (WHERE ..), -1 */
    SqlType type;                /* result type */
    int32_t line, column;        /* the call in the SQL text (0: unknown), for errors */
} AggCall;

/* Output: the group columns, then one column per aggregate.  A global
 * aggregate (ngroup == 0) always has exactly one output row, also over
 * empty or fully retracted input (COUNT 0, others NULL), as SQL says. */
typedef struct AggSpec {
    int32_t ngroup;
    int32_t *group;              /* input columns */
    int32_t naggs;
    AggCall *aggs;
    /* A window aggregate (window TVF aggregation, legacy group windows):
     * the group includes the window_end input column `window_end`; each
     * group's row is emitted once, when the watermark passes its window's
     * end (window_end - 1 ms), and its state is then dropped.  Rows of a
     * window that has fired are late: dropped and counted.  Insert-only
     * output. */
    bool window;
    int32_t window_end;
    /* ... over processing time: the windows fire as the job's clock
     * passes their ends, and all remaining ones at the end of input */
    bool window_proctime;
    /* the window's time is a TIMESTAMP_LTZ: window_end is a wall time of
     * the session zone, the instant it ends is wb_tz_to_utc of it */
    bool window_ltz;
    /* The STATE_TTL hint for this aggregate's groups: 0 = the job's
     * table.exec.state.ttl, -1 = never expire, > 0 = milliseconds */
    int64_t state_ttl_ms;
} AggSpec;

/* PN_WATERMARK: the input's columns unchanged; after each input batch a
 * watermark of max(expr) over the rows so far (the WATERMARK FOR
 * declaration), and +infinity at end of input.  rowtime is the column the
 * watermark is declared for.  idle_timeout_us > 0: an input with no rows
 * for that long (processing time) stops holding back the watermark of the
 * operators downstream ('scan.watermark.idle-timeout'). */
typedef struct WatermarkSpec {
    int32_t rowtime;
    const Expr *expr;
    int64_t idle_timeout_us;
    /* Pushed into a scan whose rowtime is a computed column: the rowtime
     * as an expression over the scan's columns (rowtime is then -1) */
    const Expr *rowtime_expr;
} WatermarkSpec;

/* One bound of a temporal filter: the condition "time > expr + offset"
 * (lower) or "time < expr + offset" (upper), >= / <= when inclusive. */
typedef struct TimeBound {
    const Expr *expr;            /* over the input row, a TIMESTAMP */
    int64_t offset_us;
    bool lower;
    bool inclusive;
} TimeBound;

/* PN_TEMPORAL_FILTER: the input's rows, each while the time (the job's
 * processing time, or with event_time the operator's watermark) is
 * within all its bounds: a row enters the result when its lower bounds
 * pass and leaves (is retracted) when its upper bounds pass, driven by
 * timers.  This is how WHERE ts < NOW() - INTERVAL '6' HOUR keeps acting
 * after the row arrived. */
typedef struct TemporalFilterSpec {
    bool event_time;
    bool local;                  /* the bounds compare the session zone's wall time */
    int32_t nbounds;
    TimeBound *bounds;
} TemporalFilterSpec;

/* PN_OVER: AGG(..) OVER (PARTITION BY p ORDER BY t [ROWS|RANGE BETWEEN
 * .. PRECEDING AND CURRENT ROW]) with t a time attribute.  Output: the
 * input's columns, then the aggregate's value for each row over its
 * frame.  The rows of a partition are ordered by t, then by their encoded
 * bytes (a deterministic tie-break); a row's frame is, in that order, the
 * rows up to it (RANGE: with its peers, the rows of equal time), the last
 * preceding+1 of them (ROWS) or those not older than preceding
 * microseconds (RANGE), or all of them (unbounded).  Over event time, rows
 * wait until the watermark passes them and are then taken in time order;
 * later rows are late (dropped).  Batch mode: every row at the end of input.
 *
 * Insert-only input: insert-only output.  An updating input (event time
 * only; the binder rejects processing time) gives a retract output that
 * is a function of the current multiset of input rows: every row present
 * has its value over its frame; when a row is inserted or retracted, the
 * row itself is emitted +I / -D and every row whose value changes -U old,
 * +U new.  A retraction of a row still waiting for the watermark cancels
 * it; one of a row the watermark passed applies at once, and so does the
 * +U half of an update behind the watermark (an update, not a late row).
 *
 * `agg` is an AGG node (not part of the
 * plan DAG) grouping its input's first npartition columns, over the
 * input projected by proj[0..nproj): the operator keeps the aggregate's
 * state through that very operator, adding each row of a frame and
 * retracting each row that leaves it (exec/over.c). */
typedef struct OverSpec {
    int32_t npartition;
    int32_t *partition;
    int32_t order_col;
    bool proctime;
    bool rows;                   /* ROWS, else RANGE */
    bool unbounded;              /* UNBOUNDED PRECEDING */
    int64_t preceding;           /* ROWS: rows; RANGE: microseconds */
    int32_t nproj;
    int32_t *proj;
    struct PlanNode *agg;
} OverSpec;

typedef enum WindowKind { WK_TUMBLE, WK_HOP, WK_CUMULATE, WK_SESSION } WindowKind;

/* PN_WINDOW: a window table-valued function.  Output: the input columns,
 * then window_start, window_end (TIMESTAMP(3)) and window_time (the
 * window's last instant, window_end - 1 ms, a rowtime attribute when the
 * time column is one).  TUMBLE: one row per input row; HOP (size, slide)
 * and CUMULATE (size, step) one row per window containing the row.
 * Windows are aligned to 1970-01-01 plus offset.  Durations in
 * microseconds.  SESSION (gap in `size`): per partition (the partition
 * columns), rows closer than the gap form one window [first, last + gap);
 * the operator keeps a session's rows until the watermark passes its end,
 * then emits them with their window, so that the window aggregate above
 * sees each session once, complete.  Rows of a closed session are late. */
typedef struct WindowSpec {
    WindowKind kind;
    int32_t time_col;
    int64_t size;                /* TUMBLE/HOP/CUMULATE size; SESSION gap */
    int64_t slide;               /* HOP slide, CUMULATE step */
    int64_t offset;
    int32_t npartition;          /* SESSION */
    int32_t *partition;
} WindowSpec;

typedef enum JoinType {
    JT_INNER, JT_LEFT, JT_RIGHT, JT_FULL,
    JT_SEMI,                     /* EXISTS / IN: left rows with a match */
    JT_ANTI,                     /* NOT EXISTS: left rows without a match */
    JT_ANTI_NULL_AWARE           /* NOT IN: also no row when the right side has
                                    a NULL key, or the left key is NULL and the
                                    right side is not empty (single key only) */
} JoinType;

/* Output of INNER/LEFT/RIGHT/FULL: the left columns then the right columns
 * (null-padded on the outer side).  SEMI/ANTI output the left columns.
 * `cond` is evaluated over the concatenated row (left ++ right) and a pair
 * matches when the keys are equal (NULL never equals) and cond is TRUE.
 * nkeys may be 0 (a cross join, or a join on a non-equi condition only). */
typedef struct JoinSpec {
    JoinType type;
    int32_t nkeys;
    int32_t *left_keys;
    int32_t *right_keys;
    const Expr *cond;            /* NULL = true */
    /* Batch: the right input is read before the left one (a SEMI/ANTI
     * join whose right side is the smaller: left rows then only probe) */
    bool right_first;
    /* An interval join: cond bounds the left rowtime column ltime and the
     * right one rtime (both insert-only inputs) so that lower <= l.ltime -
     * r.rtime <= upper (microseconds).  A row is dropped from state once
     * the watermark shows no row of the other side can match it any more;
     * an outer join's unmatched row is emitted then, NULL-padded, once:
     * the output is insert-only. */
    bool interval;
    int32_t ltime, rtime;
    int64_t lower, upper;
    /* The STATE_TTL hint for each side's rows (left, right), as
     * AggSpec.state_ttl_ms: 0 = the job's, -1 = never, > 0 = ms */
    int64_t state_ttl_ms[2];
} JoinSpec;

typedef struct SortKey {
    int32_t col;
    bool desc;
    bool nulls_first;            /* default: NULLS FIRST for ASC, LAST for DESC (Flink) */
} SortKey;

/* ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) with a filter rn <= limit
 * (rn = 1 is limit 1).  Output: the input columns, plus the row number as a
 * BIGINT last column when emit_rownum.  Ties in the order keys are broken by
 * arrival (earlier first), which also gives deduplication "keep first row"
 * for ORDER BY proctime ASC and "keep last row" for DESC (Flink's idiom).
 * offset skips the first rows (LIMIT n OFFSET m).  limit < 0 = unlimited. */
typedef struct RankSpec {
    int32_t npartition;
    int32_t *partition;
    int32_t nsort;
    SortKey *sort;               /* nsort == 0: arrival order */
    int64_t limit;
    int64_t offset;
    bool emit_rownum;
    /* The query drops the row number (it served a filter only): a changed
     * position is -D / +I, as Flink's top-N without row numbers emits,
     * except for one row per partition (its upsert key): -U / +U. */
    bool rownum_hidden;
    /* Window top-N / deduplication: the partition includes the window_end
     * input column `window_end` of an event-time window; each partition's
     * rows are emitted once, when the watermark passes the window's end,
     * then dropped (insert-only output). */
    bool window;
    int32_t window_end;
    bool window_ltz;             /* as AggSpec.window_ltz */
} RankSpec;

typedef struct ExchangeSpec {
    int32_t nkeys;               /* 0 = everything to one worker (global) */
    int32_t *keys;
} ExchangeSpec;

typedef struct SinkSpec {
    const TableDef *table;
    bool overwrite;              /* INSERT OVERWRITE: replace the contents */
    /* per column: NOT NULL in the table while the query's value may be
     * NULL, so the rows are checked as they arrive (Flink's default
     * table.exec.sink.not-null-enforcer = ERROR); NULL when none is */
    uint8_t *check_not_null;
    /* DELETE FROM: the rows reaching the sink are the rows to delete;
     * each is written as a deletion (-D) */
    bool deletes;
    /* INSERT .. PARTITION (col = value, ..): the static partition, as
     * physical column indices of the sink's row and their values as text
     * (ty_format_value); INSERT OVERWRITE replaces that partition only */
    int32_t nstatic;
    int32_t *static_cols;
    const char **static_values;
} SinkSpec;

typedef struct PlanNode {
    PlanKind kind;
    int32_t id;                  /* unique in the plan, for EXPLAIN and metrics */
    int32_t ncols;
    SqlType *types;
    char **names;
    ChangelogMode mode;
    int32_t nupsert_key;
    int32_t *upsert_key;         /* output columns forming a unique key */
    int32_t ninputs;
    struct PlanNode **inputs;
    union {
        ScanSpec scan;
        ValuesSpec values;
        CalcSpec calc;
        AggSpec agg;
        JoinSpec join;
        RankSpec rank;
        ExchangeSpec exchange;
        SinkSpec sink;
        WatermarkSpec watermark;
        WindowSpec window;
        TemporalFilterSpec temporal;
        OverSpec over;
    };
} PlanNode;

/* The result of planning one query statement.  The root of a query shows
 * its first nvisible columns; the columns after them exist only for the
 * presentation order (ORDER BY an expression that is not selected), so the
 * printer consolidates and sorts on whole rows and prints the visible part.
 * nvisible == 0 means all of root's columns (INSERT INTO, hand-made plans). */
typedef struct QueryPlan {
    PlanNode *root;              /* PN_SINK for INSERT INTO, else the query */
    int32_t norder;              /* final ORDER BY, applied when printing; */
    SortKey *order;              /* its cols may be hidden columns of root */
    int64_t limit;               /* presentation limit (already enforced by RANK) */
    int32_t nvisible;            /* leading columns shown; 0 = all */
    /* EXPLAIN's first two sections (sql_optimize): the plan as the query
     * is written, and after the rewrite rules (both without exchanges and
     * modes), for INSERT the query feeding the sink */
    const char *logical_text;
    const char *optimized_text;
} QueryPlan;

const char *sql_plan_kind_name(PlanKind kind);
const char *sql_changelog_mode_name(ChangelogMode mode);
/* EXPLAIN text: one line per node, indented, with its changelog mode. */
void sql_plan_explain(const PlanNode *root, WbBuf *out);
/* The same without changelog modes (a logical plan has none yet). */
void sql_plan_explain_logical(const PlanNode *root, WbBuf *out);

#endif
