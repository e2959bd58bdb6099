/*
 * runtime.h - runs a planned query as a job: instantiates one operator per
 * plan node, opens sources and sinks, and drives the sources until every
 * bounded input has ended (or the job is stopped).
 *
 * Job lifecycle:
 *
 *     created --rt_job_run--> running --all inputs ended--> finished
 *                                |  \--stop requested (SIGINT)--> finished
 *                                \--error--> failed
 *
 * A stop request is a clean end: every source is treated as ended, so the
 * operators flush and the result is complete for the input read so far.
 *
 * Splitting: each source batch holds up to max_batch_rows rows; with a seed
 * (random_split) the size of each batch is drawn uniformly from
 * 1..max_batch_rows and the next source to read is drawn at random, so tests
 * exercise many interleavings reproducibly.  In batch mode the sources are
 * read one after another in plan order, in large batches.
 */
#ifndef WEIR_RUNTIME_H
#define WEIR_RUNTIME_H

#include <signal.h>
#include <stdio.h>
#include "exec/exec.h"

typedef struct JobOptions {
    bool batch_mode;
    int32_t max_batch_rows;      /* 0 = default */
    bool random_split;
    uint64_t seed;
    int64_t state_ttl_ms;
    FILE *print_out;             /* where the print connector writes */
} JobOptions;

/* Receives every batch of changes reaching the root of a query (not for
 * INSERT plans); its rows carry their kinds (ty_row_kind).  Return -1
 * (with err) to fail. */
typedef int (*ResultFn)(void *ctx, const Batch *batch, WbError *err);

typedef struct JobStats {
    int64_t records_in;
    int64_t records_dirty;
    int64_t records_out;
    int64_t state_bytes;         /* peak over the run */
    int64_t elapsed_us;
} JobStats;

/* Runs the plan to completion.  Returns 0, or -1 with err. */
int rt_job_run(const QueryPlan *plan, const JobOptions *opts, ResultFn on_result,
               void *result_ctx, JobStats *stats, WbError *err);

/* Set from a signal handler: asks the running job to stop cleanly. */
extern volatile sig_atomic_t rt_stop_requested;

#endif
