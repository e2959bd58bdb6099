/*
 * runtime.h - runs a planned query as a job: instantiates one operator per
 * plan node, opens sources and sinks, and drives the sources until every
 * bounded input has ended (or the job is stopped).
 *
 * Job lifecycle:
 *
 *     created --rt_job_run--> running --all inputs ended--> finished
 *                               |  |--stop requested, some input unbounded--> finished (stopped)
 *                               |  \--stop requested, all inputs bounded---> failed (57014)
 *                               \--error--> failed
 *
 * finished: every sink was committed (its output is visible).  failed:
 * no sink was committed; transactional sinks (filesystem) leave nothing.
 *
 * A stop request (rt_stop_requested, set from a signal handler) is checked
 * once per source batch.  On a job reading an unbounded source a stop is
 * the normal end: every source is treated as ended, operators flush, sinks
 * commit, and the result is complete for the records read
 * (JobStats.stopped).  A job whose inputs are all bounded was cut short: it
 * fails with SQLSTATE 57014 (RT_SQLSTATE_STOPPED) and commits nothing, so
 * no partial result passes for a whole one.
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

/* One source's progress, for JobOptions.progress. */
typedef struct RtSourceProgress {
    const char *table;           /* the table's name (catalog-owned) */
    int64_t records_read;
    bool done;                   /* its input ended */
} RtSourceProgress;

/* Called from the driving loop, between batches, at most once per
 * progress_interval_us (default 250 ms); the array is valid during the
 * call only. */
typedef void (*ProgressFn)(void *ctx, const RtSourceProgress *sources, int32_t nsources,
                           int64_t elapsed_us);

typedef struct JobOptions {
    bool batch_mode;
    int32_t max_batch_rows;      /* 0 = default */
    bool random_split;
    uint64_t seed;
    int64_t state_ttl_ms;
    bool early_fire;             /* table.exec.emit.early-fire.* */
    const char *late_rows_path;  /* weir.late-rows.path, or NULL */
    int64_t early_fire_delay_ms;
    bool late_fire;              /* table.exec.emit.late-fire.*, allow-lateness */
    int64_t late_fire_delay_ms, allow_lateness_ms;
    FILE *print_out;             /* where the print connector writes */
    ProgressFn progress;         /* NULL: no progress reports */
    void *progress_ctx;
    int64_t progress_interval_us;
    /* The job's processing-time clock as it starts (SET 'weir.clock'):
     * system, or manual at a start time, moved by the sources' clock
     * marks.  The job keeps its own copy; operators and sources read it. */
    WbClock clock;
    /* The id the sinks commit under (SinkVTable.commit): 0 = 1, the job's
     * one end-of-input commit */
    int64_t commit_id;
} JobOptions;

/* Receives every batch of changes reaching the root of a query (not for
 * INSERT plans); its rows carry their kinds (ty_row_kind).  Return -1
 * (with err) to fail. */
typedef int (*ResultFn)(void *ctx, const Batch *batch, WbError *err);

/* Latency histogram buckets: 16 per power of two of microseconds. */
#define RT_LAT_BUCKETS (40 * 16)
int32_t rt_latency_bucket(int64_t us);
int64_t rt_latency_bucket_high(int32_t bucket);   /* its upper bound, us */
/* The q-quantile (0..1) of a histogram, microseconds (bucket upper bound). */
int64_t rt_latency_quantile(const int64_t *hist, int64_t rows, double q);

typedef struct JobStats {
    int64_t records_in;
    int64_t records_dirty;
    int64_t records_out;
    int64_t state_bytes;         /* peak over the run */
    int64_t late_dropped;        /* rows behind the watermark, dropped */
    int64_t state_expired;       /* keys dropped by table.exec.state.ttl */
    /* End-to-end latency of the rows of paced sources (Source.due_us):
     * from when a row was due to when the runtime finished pushing its
     * batch through every operator into the sinks, per row; a histogram
     * of RT_LAT_BUCKETS buckets (rt_latency_bucket). */
    int64_t lat_rows;
    int64_t lat_hist[RT_LAT_BUCKETS];
    int64_t elapsed_us;
    bool stopped;                /* an unbounded job ended by a stop request */
} JobStats;

/* Runs the plan to completion.  Returns 0, or -1 with err. */
int rt_job_run(const QueryPlan *plan, const JobOptions *opts, ResultFn on_result,
               void *result_ctx, JobStats *stats, WbError *err);

/* Set (non-zero, e.g. to the signal number) from a signal handler: asks
 * the running job to stop (see the lifecycle above). */
extern volatile sig_atomic_t rt_stop_requested;

/* PostgreSQL's query_canceled: a bounded job stopped before its end. */
#define RT_SQLSTATE_STOPPED "57014"

#endif
