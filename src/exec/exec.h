/*
 * exec.h - the operator contract and the vectorized expression evaluator.
 *
 * Operators are push-based.  The runtime instantiates one Operator per plan
 * node (ex_op_new) and wires outputs to inputs.  Data and control travel in
 * order through the same calls:
 *
 *   push(op, port, batch)     a batch of changes on input `port`; the batch
 *                             is borrowed for the call, the operator copies
 *                             whatever it keeps into its state.
 *   control(op, port, msg)    watermark(t), checkpoint barrier(id) or
 *                             end-of-input on input `port`.
 *
 * An operator emits with ex_emit() (batches, any size up to EX_BATCH_ROWS
 * preferred) and ex_emit_control().  Each emitted row carries its kind
 * (Batch.updates), set from the operator's own semantics, and an update's
 * -U/+U rows travel adjacent in one batch (exec/README.md).  End of input: when every input port
 * has ended, the operator flushes what it holds back and then forwards END
 * exactly once.  Watermarks are forwarded as the minimum over the inputs.
 *
 * Batch mode (ctx->batch_mode) is the same operator fed a bounded input of
 * inserts: operators may skip intermediate emissions (an aggregate emits
 * only at end of input), never change the final result.
 *
 * Invariant the tests prove: for every split of the input into batches, the
 * consolidated output (sum of weights per distinct row) is the same, and in
 * batch mode equals it.
 */
#ifndef WEIR_EXEC_H
#define WEIR_EXEC_H

#include <stdio.h>

#include "sql/plan.h"

#define EX_BATCH_ROWS 2048

typedef enum ControlKind { CTL_WATERMARK, CTL_BARRIER, CTL_END } ControlKind;

typedef struct ControlMsg {
    ControlKind kind;
    int64_t value;               /* watermark (micros) or barrier id */
} ControlMsg;

typedef struct ExecContext {
    bool batch_mode;
    const WbClock *clock;        /* processing time (the job's one clock) */
    int64_t state_ttl_ms;        /* table.exec.state.ttl, 0 = forever */
    /* table.exec.emit.early-fire.enabled / .delay: window aggregates emit
     * their changing results every delay (0: after every batch) */
    bool early_fire;
    int64_t early_fire_delay_ms;
    /* table.exec.emit.late-fire.enabled / .delay and
     * table.exec.emit.allow-lateness: a fired window keeps its state for
     * the lateness, and late rows update its result */
    bool late_fire;
    int64_t late_fire_delay_ms, allow_lateness_ms;
    /* 'weir.late-rows.path': late rows are written here (one line per
     * row: the operator, then the row) instead of only counted */
    FILE *late_out;
    bool general_agg_only;       /* tests: never pick the flat aggregate */
} ExecContext;

typedef struct Operator Operator;

typedef struct OpVTable {
    const char *name;
    int (*push)(Operator *op, int32_t port, const Batch *batch, WbError *err);
    /* NULL means ex_op_default_control: track END/watermarks and forward. */
    int (*control)(Operator *op, int32_t port, const ControlMsg *msg, WbError *err);
    /* Called once when all inputs ended, before END is forwarded (flush). */
    int (*finish)(Operator *op, WbError *err);
    void (*destroy)(Operator *op);
    /* Bytes of state held, for metrics; NULL = stateless. */
    int64_t (*state_bytes)(const Operator *op);
    /* The operator's watermark (the minimum over its inputs) advanced to
     * wm: fire the event-time timers up to wm and emit what they produce.
     * Called before the watermark is forwarded, so rows a watermark
     * completes travel ahead of it.  NULL = nothing is driven by event
     * time.  wm is INT64_MAX at end of input (batch mode sees only that
     * one). */
    int (*watermark)(Operator *op, int64_t wm, WbError *err);
    /* The job's clock moved to now_us: fire processing-time timers.  NULL
     * = nothing is driven by processing time. */
    int (*proctime)(Operator *op, int64_t now_us, WbError *err);
} OpVTable;

typedef struct OpOutput {
    Operator *op;
    int32_t port;
} OpOutput;

struct Operator {
    const OpVTable *vt;
    const PlanNode *node;        /* read-only */
    const ExecContext *ctx;
    int32_t noutputs;
    OpOutput *outputs;
    int32_t ninputs;
    int32_t ended_inputs;
    int64_t *input_watermarks;   /* per port; INT64_MIN before the first */
    int64_t watermark;           /* last forwarded */
    int64_t rows_in, rows_out;   /* metrics */
    int64_t late_dropped;        /* rows behind the watermark, dropped */
    int64_t state_expired;       /* keys dropped by the state TTL */
    /* Barrier alignment (op.c): the barrier being collected and how many
     * inputs delivered it so far. */
    int64_t barrier_id;
    int32_t barrier_count;
};

/* Common initialisation for an operator struct embedding Operator first. */
void ex_op_init(Operator *op, const OpVTable *vt, const PlanNode *node,
                const ExecContext *ctx);
void ex_op_add_output(Operator *op, Operator *to, int32_t port);
/* Sends a batch (skipped when empty) or a control message downstream. */
int ex_emit(Operator *op, const Batch *batch, WbError *err);
int ex_emit_control(Operator *op, const ControlMsg *msg, WbError *err);
/* Entry points the runtime calls; they count rows and handle END. */
int ex_push(Operator *op, int32_t port, const Batch *batch, WbError *err);
int ex_control(Operator *op, int32_t port, const ControlMsg *msg, WbError *err);
int ex_op_default_control(Operator *op, int32_t port, const ControlMsg *msg,
                          WbError *err);
void ex_op_free(Operator *op);

/* Constructors, one per operator file.  Each returns a heap operator that
 * ex_op_free releases, or NULL with err set. */
Operator *ex_calc_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_agg_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_join_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_rank_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_union_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_exchange_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
/* node: a PN_WATERMARK, or a PN_SCAN with a pushed-down watermark (the
 * runtime feeds it the scan's rows) */
Operator *ex_watermark_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_window_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_over_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_session_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
Operator *ex_temporal_filter_new(const PlanNode *node, const ExecContext *ctx, WbError *err);
/* Dispatches on node->kind for CALC, AGG, JOIN, RANK, UNION, EXCHANGE. */
Operator *ex_op_new(const PlanNode *node, const ExecContext *ctx, WbError *err);

/* The operator running, whose time expressions see (NOW() reads its
 * clock, CURRENT_WATERMARK its watermark, when evaluated: nothing is read
 * per batch).  ex_push, ex_control and the runtime's clock ticks set it
 * around an operator's call (ex_time_enter / ex_time_leave), restoring the
 * caller's when a push returns. */
extern _Thread_local const Operator *ex_time_op;
static inline const Operator *ex_time_enter(const Operator *op)
{
    const Operator *outer = ex_time_op;
    ex_time_op = op;
    return outer;
}
static inline void ex_time_leave(const Operator *outer)
{
    ex_time_op = outer;
}

/* A row behind the watermark that the operator does not take: counted in
 * late_dropped, and written to ctx->late_out when there is one, as
 * "<operator>#<plan node id> <kind>[v1, v2, ...]" (the print connector's
 * row format). */
void ex_late_row(Operator *op, const Batch *batch, int32_t row);

/* Copies the rows keep[0..n) of every column of `in` into a new batch in
 * arena (strings still point at the input's bytes).  An update half whose
 * partner was dropped becomes a plain change (-U alone -> -D, +U alone ->
 * +I). */
Batch *ex_batch_compact(const Batch *in, const int32_t *keep, int32_t n, WbArena *arena);
/* The same for only the columns c with used[c] (used may be NULL: all);
 * the other columns of the result have their type and no rows (NULL
 * pointers): the caller must not read them. */
Batch *ex_batch_compact_cols(const Batch *in, const int32_t *keep, int32_t n,
                             const bool *used, WbArena *arena);

/* ---- vectorized evaluation (exec/eval.c) ----
 * Evaluates e over all rows of `in` into `out`, a vector of e->type with
 * capacity >= in->nrows whose memory (including string bytes) comes from
 * `arena`.  No per-row function-pointer calls: each node is one loop.
 * Returns 0, or -1 with err (overflow, division by zero, bad cast...)
 * positioned at the expression's line/column. */
int ex_eval(const Expr *e, const Batch *in, ColumnVector *out, WbArena *arena,
            WbError *err);
/* Evaluates a BOOLEAN filter over all rows of `in` and writes the rows
 * where it is TRUE (ascending) into keep (capacity >= in->nrows), their
 * number into *nkeep.  Same results and errors as ex_eval followed by
 * picking the TRUE rows (exec/eval_filter.c); scratch from `arena`. */
int ex_eval_filter(const Expr *e, const Batch *in, int32_t *keep, int32_t *nkeep,
                   WbArena *arena, WbError *err);
/* Allocates a vector of `type` for n rows in arena. */
void ex_vector_alloc(ColumnVector *vec, SqlType type, int32_t n, WbArena *arena);
/* Evaluates a constant-only expression to a Value (strings in arena). */
int ex_eval_const(const Expr *e, Value *out, WbArena *arena, WbError *err);

#endif
