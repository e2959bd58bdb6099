/*
 * result.h - a query's result as the session hands it to a front end: the
 * changes as they reach the root of the plan, and the final consolidated
 * rows (a multiset: each distinct row with how many times it occurs), in
 * ORDER BY order or in order of first arrival.  The CLI prints them as a
 * table, CSV or changelog; a server sends them as rows.
 *
 * Two ways to the final rows:
 *   direct       batch mode, a plan that can only produce insertions there
 *                (ses_result_new says when): every row that reaches the root
 *                is final and is handed on as it arrives (no ORDER BY), or
 *                kept as it came and sorted at the end (ORDER BY);
 *   consolidated otherwise: weights are summed per distinct row and the
 *                rows are handed on at the end.
 * A row whose final weight is negative, or a retraction reaching a result
 * planned as insert-only, means an operator retracted what it never
 * emitted: that is reported as an internal error (XX000), never hidden.
 */
#ifndef WEIR_SESSION_RESULT_H
#define WEIR_SESSION_RESULT_H

#include "runtime/runtime.h"

/* Where a result's rows go.  Every callback returns 0, or -1 with err to
 * fail the query.  A Batch passed in is valid only during the call; its
 * first `ncols` columns (SesResultInfo.ncols) are the visible ones.
 *
 *   changes*  (each batch of changes, when `changes` is set and the result
 *              is not direct)
 *   begin     (once, before the first final row, or at the end when there
 *              are none; not called for a result of changes only)
 *   row*      (each final row)
 *   end       (once, after the last final row)
 */
typedef struct SesRowSink {
    void *ctx;
    /* A batch of changes as it reached the root, rows with their kinds
     * (ty_row_kind) and weights; NULL: changes are not wanted. */
    int (*changes)(void *ctx, const Batch *batch, WbError *err);
    /* The final rows begin.  total: how many rows follow, weights summed
     * (-1 for a direct result without ORDER BY, whose rows are handed on
     * as they arrive). */
    int (*begin)(void *ctx, int64_t total, WbError *err);
    /* One final row (`row` of `batch`), occurring `times` (>= 1) times. */
    int (*row)(void *ctx, const Batch *batch, int32_t row, int64_t times, WbError *err);
    int (*end)(void *ctx, WbError *err);
} SesRowSink;

/* The columns of a query's result: names and types of the visible columns
 * (QueryPlan.nvisible; hidden ORDER BY columns are left out).  Pointers
 * into the plan, valid while the statement runs. */
typedef struct SesResultInfo {
    int32_t ncols;
    char *const *names;
    const SqlType *types;
    bool streaming;              /* the job runs in streaming mode */
} SesResultInfo;

typedef struct SesResultOptions {
    bool streaming;              /* streaming mode (never direct) */
    bool final;                  /* consolidate and hand on the final rows;
                                  * false: changes only */
    bool general_only;           /* tests: consolidate on the general path
                                  * even when rows fit the flat one */
} SesResultOptions;

typedef struct SesResult SesResult;

/* A collector for the result of `plan` (a query, not an INSERT), handing
 * its rows to *sink (copied).  plan must outlive it. */
SesResult *ses_result_new(const QueryPlan *plan, const SesResultOptions *opts,
                          const SesRowSink *sink);
/* The visible columns of plan's result (see SesResultInfo). */
void ses_result_describe(const QueryPlan *plan, bool streaming, SesResultInfo *info);
/* ResultFn for rt_job_run (ctx = the SesResult). */
int ses_result_batch(void *res, const Batch *batch, WbError *err);
/* After the job: hands on the final rows (begin, rows, end). */
int ses_result_finish(SesResult *res, WbError *err);
void ses_result_free(SesResult *res);

/* For tests: how the rows were consolidated so far. */
typedef struct SesResultPath {
    bool flat;                   /* in a FlatTable */
    int32_t nhash;               /* flat: columns hashed */
    uint64_t capacity;           /* flat: slots */
    int64_t tombstones;          /* flat */
} SesResultPath;
void ses_result_path(const SesResult *res, SesResultPath *out);

#endif
