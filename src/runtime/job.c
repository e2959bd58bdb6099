/*
 * job.c - instantiates a plan into operators and drives its sources.
 * Single worker for now: stateful operators sit behind EXCHANGE nodes, so
 * a multi-worker runtime partitions there without changing operators.
 */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connect/connect.h"

volatile sig_atomic_t rt_stop_requested;

/* An operator the runtime owns: source stand-ins (SCAN, VALUES) that only
 * emit, the sink writer, and the result collector at the root. */
typedef struct EdgeOp {
    Operator base;
    Sink *sink;                  /* PN_SINK */
    int64_t *neg_weights;        /* SinkSpec.deletes: the batch's weights negated */
    int32_t neg_cap;
    ResultFn on_result;          /* result collector */
    void *result_ctx;
} EdgeOp;

static int sink_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    EdgeOp *op = (EdgeOp *)base;
    const SinkSpec *spec = &base->node->sink;
    if (spec->check_not_null) {
        /* a NULL (an insertion or a retraction alike) into a NOT NULL
         * column fails the job before the sink sees the batch */
        for (int32_t c = 0; c < batch->ncols; c++) {
            if (!spec->check_not_null[c]) continue;
            const uint8_t *nulls = batch->cols[c].nulls;
            uint8_t any = 0;
            for (int32_t r = 0; r < batch->nrows; r++) any |= nulls[r];
            if (!any) continue;
            wb_error(err, WB_SQLSTATE_NOT_NULL, 0, 0,
                     "column \"%s\" of table %s is NOT NULL, but the query wrote a NULL into it",
                     base->node->names[c], spec->table->name);
            wb_error_hint(err, "Filter the NULL rows out, or give them a value with COALESCE.");
            return -1;
        }
    }
    if (spec->deletes) {
        /* DELETE FROM: every row the query finds is written as a deletion */
        if (op->neg_cap < batch->nrows) {
            free(op->neg_weights);
            op->neg_cap = batch->capacity > batch->nrows ? batch->capacity : batch->nrows;
            op->neg_weights = wb_malloc(sizeof(int64_t) * (size_t)op->neg_cap);
        }
        Batch neg = *batch;
        for (int32_t r = 0; r < batch->nrows; r++) op->neg_weights[r] = -batch->weights[r];
        neg.weights = op->neg_weights;
        neg.updates = NULL;
        return op->sink->vt->write(op->sink, &neg, err);
    }
    return op->sink->vt->write(op->sink, batch, err);
}

static int sink_finish(Operator *base, WbError *err)
{
    EdgeOp *op = (EdgeOp *)base;
    return op->sink->vt->prepare ? op->sink->vt->prepare(op->sink, err) : 0;
}

static int result_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    EdgeOp *op = (EdgeOp *)base;
    return op->on_result(op->result_ctx, batch, err);
}

static void edge_destroy(Operator *base)
{
    EdgeOp *op = (EdgeOp *)base;
    if (op->sink) cn_sink_close(op->sink);
    free(op->neg_weights);
}

static int no_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    (void)op; (void)port; (void)batch;
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "a source operator received input");
    return -1;
}

static const OpVTable scan_vt = {"Scan", no_push, NULL, NULL, edge_destroy, NULL, NULL, NULL};
static const OpVTable values_vt = {"Values", no_push, NULL, NULL, edge_destroy, NULL, NULL, NULL};
static const OpVTable sink_vt = {"Sink", sink_push, NULL, sink_finish, edge_destroy, NULL, NULL, NULL};
static const OpVTable result_vt = {"Result", result_push, NULL, NULL, edge_destroy, NULL, NULL, NULL};

typedef struct SourceSlot {
    Source *source;
    Operator *op;
    Batch *batch;
    bool done;
    /* projection push-down: the scan's columns out of the source's batch
     * (vectors shared, not copied); nread 0 = all columns */
    int32_t nread;
    const int32_t *read;
    uint8_t *unread;              /* per physical column, for the source */
    bool rows_only;               /* the scan's one column is a placeholder */
    ColumnVector *view_cols;
    Batch view;
} SourceSlot;

typedef struct Job {
    const JobOptions *opts;
    ExecContext ctx;
    WbClock clock;               /* the job's processing time */
    /* node -> operator map (plans are small: linear search is fine) */
    const PlanNode **nodes;
    Operator **ops;
    int32_t nops, cap_ops;
    SourceSlot *sources;
    int32_t nsources, cap_sources;
    Operator **values;           /* VALUES ops, emitted at start */
    int32_t nvalues, cap_values;
    Operator **timed;            /* operators with a processing-time hook */
    int32_t ntimed, cap_timed;
} Job;

static void job_track(Job *job, const PlanNode *node, Operator *op)
{
    if (job->nops == job->cap_ops) {
        job->cap_ops = job->cap_ops ? job->cap_ops * 2 : 16;
        job->nodes = wb_realloc(job->nodes, sizeof(*job->nodes) * (size_t)job->cap_ops);
        job->ops = wb_realloc(job->ops, sizeof(*job->ops) * (size_t)job->cap_ops);
    }
    job->nodes[job->nops] = node;
    job->ops[job->nops++] = op;
}

static Operator *job_build(Job *job, const PlanNode *node, WbError *err);

static Operator *build_edge(Job *job, const PlanNode *node, const OpVTable *vt)
{
    EdgeOp *op = wb_calloc(1, sizeof(EdgeOp));
    ex_op_init(&op->base, vt, node, &job->ctx);
    return &op->base;
}

static Operator *job_build(Job *job, const PlanNode *node, WbError *err)
{
    for (int32_t i = 0; i < job->nops; i++)
        if (job->nodes[i] == node) return job->ops[i];

    Operator *op = NULL;
    switch (node->kind) {
    case PN_SCAN: {
        CnReadOptions read_opts = {.batch_mode = job->opts->batch_mode};
        Source *src = cn_source_open_with(node->scan.table, &read_opts, err);
        if (!src) return NULL;
        if (job->opts->batch_mode && !src->bounded) {
            wb_error(err, WB_SQLSTATE_FEATURE, node->scan.table->line, node->scan.table->column,
                     "table \"%s\" is unbounded and cannot be read in batch mode",
                     node->scan.table->name);
            wb_error_hint(err, "Run in streaming mode (SET 'execution.runtime-mode' = 'streaming'), "
                               "or bound the source (e.g. datagen's 'number-of-rows').");
            cn_source_close(src);
            return NULL;
        }
        op = build_edge(job, node, &scan_vt);
        if (job->nsources == job->cap_sources) {
            job->cap_sources = job->cap_sources ? job->cap_sources * 2 : 4;
            job->sources = wb_realloc(job->sources, sizeof(SourceSlot) * (size_t)job->cap_sources);
        }
        SourceSlot *slot = &job->sources[job->nsources++];
        memset(slot, 0, sizeof *slot);
        slot->source = src;
        slot->op = op;
        src->filter = node->scan.filter;
        src->clock = &job->clock;
        if (node->scan.read) {
            slot->nread = node->scan.nread;
            slot->read = node->scan.read;
            slot->unread = wb_malloc((size_t)src->ncols + 1);
            memset(slot->unread, 1, (size_t)src->ncols + 1);
            /* a row count from a source that can: not even its placeholder */
            slot->rows_only = node->scan.rows_only && src->rows_without_columns;
            for (int32_t i = 0; i < slot->nread && !slot->rows_only; i++) slot->unread[slot->read[i]] = 0;
            src->unread = slot->unread;
            slot->view_cols = wb_calloc((size_t)slot->nread + 1, sizeof(ColumnVector));
        }
        if (node->scan.watermark) {
            /* the pushed-down watermark assigner runs at the source: the
             * scan feeds it and the scan's readers read from it */
            Operator *wm = ex_watermark_new(node, &job->ctx, err);
            if (!wm) return NULL;
            job_track(job, NULL, op);
            ex_op_add_output(op, wm, 0);
            op = wm;
        }
        break;
    }
    case PN_VALUES:
        op = build_edge(job, node, &values_vt);
        if (job->nvalues == job->cap_values) {
            job->cap_values = job->cap_values ? job->cap_values * 2 : 4;
            job->values = wb_realloc(job->values, sizeof(Operator *) * (size_t)job->cap_values);
        }
        job->values[job->nvalues++] = op;
        break;
    case PN_SINK: {
        CnWriteOptions write_opts = {
            .overwrite = node->sink.overwrite, .out = job->opts->print_out,
            .nstatic = node->sink.nstatic, .static_cols = node->sink.static_cols,
            .static_values = node->sink.static_values};
        Sink *sink = cn_sink_open_with(node->sink.table, &write_opts, err);
        if (!sink) return NULL;
        EdgeOp *edge = (EdgeOp *)build_edge(job, node, &sink_vt);
        edge->sink = sink;
        op = &edge->base;
        break;
    }
    default:
        op = ex_op_new(node, &job->ctx, err);
        if (!op) return NULL;
        break;
    }
    job_track(job, node, op);
    /* A batch job drains its sources in the order they are found here (a
     * streaming job takes them round robin in that order).  A join's left
     * input comes first (its hash table: exec/join.c), unless the planner
     * chose the right one (JoinSpec.right_first: a SEMI/ANTI join whose
     * right side is the smaller; its left rows are then decided as they
     * arrive and never kept). */
    bool right_first = job->opts->batch_mode && node->kind == PN_JOIN && node->join.right_first;
    for (int32_t i = 0; i < node->ninputs; i++) {
        int32_t port = right_first ? node->ninputs - 1 - i : i;
        Operator *in = job_build(job, node->inputs[port], err);
        if (!in) return NULL;
        ex_op_add_output(in, op, port);
    }
    /* processing-time hooks run inputs first (post order), so that what
     * an operator emits on a tick reaches the operators above it before
     * their own hooks run on the same tick */
    if (op->vt->proctime) {
        if (job->ntimed == job->cap_timed) {
            job->cap_timed = job->cap_timed ? job->cap_timed * 2 : 4;
            job->timed = wb_realloc(job->timed, sizeof(Operator *) * (size_t)job->cap_timed);
        }
        job->timed[job->ntimed++] = op;
    }
    return op;
}

static int emit_values(Operator *op, WbError *err)
{
    const PlanNode *node = op->node;
    Batch *batch = ty_batch_new(node->types, node->ncols, node->values.nrows);
    for (int32_t row = 0; row < node->values.nrows; row++) {
        for (int32_t col = 0; col < node->ncols; col++) {
            const Value *v = &node->values.rows[row * node->ncols + col];
            ColumnVector *vec = &batch->cols[col];
            vec->nulls[row] = v->is_null;
            if (v->is_null) continue;
            switch (ty_phys(vec->type)) {
            case PK_I64: vec->i64[row] = v->i64; break;
            case PK_I128: vec->i128[row] = v->i128; break;
            case PK_F64: vec->f64[row] = v->f64; break;
            case PK_STR: vec->str[row] = v->str; break;
            }
        }
        batch->weights[row] = 1;
    }
    batch->nrows = node->values.nrows;
    int rc = ex_emit(op, batch, err);
    ty_batch_free(batch);
    if (rc != 0) return rc;
    ControlMsg end = {CTL_END, 0};
    return ex_emit_control(op, &end, err);
}

static int64_t job_state_bytes(Job *job)
{
    int64_t total = 0;
    for (int32_t i = 0; i < job->nops; i++)
        if (job->ops[i]->vt->state_bytes) total += job->ops[i]->vt->state_bytes(job->ops[i]);
    return total;
}

static int64_t now_us(void)
{
    return wb_monotonic_us();
}

int32_t rt_latency_bucket(int64_t us)
{
    if (us < 16) return us < 0 ? 0 : (int32_t)us;
    int lg = 63 - __builtin_clzll((uint64_t)us);          /* >= 4 */
    int32_t sub = (int32_t)((us >> (lg - 4)) & 15);       /* next 4 bits */
    int32_t b = (lg - 3) * 16 + sub;
    return b < RT_LAT_BUCKETS ? b : RT_LAT_BUCKETS - 1;
}

int64_t rt_latency_bucket_high(int32_t b)
{
    if (b < 16) return b;
    int lg = b / 16 + 3, sub = b % 16;
    return ((int64_t)(16 + sub + 1) << (lg - 4)) - 1;
}

int64_t rt_latency_quantile(const int64_t *hist, int64_t rows, double q)
{
    if (rows <= 0) return 0;
    int64_t want = (int64_t)((double)rows * q + 0.5), seen = 0;
    if (want < 1) want = 1;
    for (int32_t b = 0; b < RT_LAT_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= want) return rt_latency_bucket_high(b);
    }
    return rt_latency_bucket_high(RT_LAT_BUCKETS - 1);
}

/* Tells the operators with processing-time timers what time it is. */
static int tick(Job *job, WbError *err)
{
    if (job->ntimed == 0) return 0;
    int64_t now = wb_clock_now(&job->clock);
    for (int32_t i = 0; i < job->ntimed; i++) {
        const Operator *outer = ex_time_enter(job->timed[i]);
        int rc = job->timed[i]->vt->proctime(job->timed[i], now, err);
        ex_time_leave(outer);
        if (rc != 0) return -1;
    }
    return 0;
}

/* Reads one batch from a source and pushes it.  Returns 1 if rows were
 * produced, 0 if none, -1 on error. */
static int pump(Job *job, SourceSlot *slot, WbRand *rng, JobStats *stats, WbError *err)
{
    int32_t max_rows = job->opts->max_batch_rows > 0 ? job->opts->max_batch_rows : EX_BATCH_ROWS;
    int32_t rows = max_rows;
    if (job->opts->random_split && max_rows > 1)
        rows = 1 + (int32_t)wb_rand_below(rng, (uint64_t)max_rows);
    if (!slot->batch) slot->batch = ty_batch_new(slot->source->types, slot->source->ncols, max_rows);
    ty_batch_reset(slot->batch);
    int rc = slot->source->vt->next(slot->source, slot->batch, rows, err);
    if (rc < 0) return -1;
    int produced = slot->batch->nrows > 0;
    Batch *out = slot->batch;
    if (produced && slot->read) {
        /* the scan's columns: a view over the source's vectors */
        Batch *all = slot->batch;
        for (int32_t i = 0; i < slot->nread; i++) slot->view_cols[i] = all->cols[slot->read[i]];
        slot->view = *all;
        slot->view.ncols = slot->nread;
        slot->view.cols = slot->view_cols;
        slot->view.owns_arena = false;
        out = &slot->view;
        if (slot->rows_only) memset(slot->view_cols[0].nulls, 1, (size_t)out->nrows);
    }
    if (produced && ex_emit(slot->op, out, err) != 0) return -1;
    if (produced && stats && slot->source->due_us > 0) {
        /* the batch went through every operator: its rows are out */
        int64_t lat = wb_clock_now(&job->clock) - slot->source->due_us;
        stats->lat_hist[rt_latency_bucket(lat)] += out->nrows;
        stats->lat_rows += out->nrows;
    }
    if (slot->source->has_clock_mark) {
        /* a manual clock mark after the rows before it */
        slot->source->has_clock_mark = false;
        if (slot->source->clock_mark_us > job->clock.manual_us)
            job->clock.manual_us = slot->source->clock_mark_us;
        if (tick(job, err) != 0) return -1;
        produced = 1;
    }
    if (rc == 0) {
        slot->done = true;
        ControlMsg end = {CTL_END, 0};
        if (ex_emit_control(slot->op, &end, err) != 0) return -1;
    }
    return produced;
}

static int64_t progress_interval(const JobOptions *opts)
{
    return opts->progress_interval_us > 0 ? opts->progress_interval_us : 250000;
}

/* Calls the progress callback when its interval has passed since the last
 * call (one clock read per batch; nothing when there is no callback). */
static void report_progress(Job *job, int64_t start_us, int64_t *next_us)
{
    const JobOptions *opts = job->opts;
    if (!opts->progress) return;
    int64_t now = now_us();
    if (now < *next_us) return;
    *next_us = now + progress_interval(opts);
    RtSourceProgress stack[8];
    RtSourceProgress *list = job->nsources <= 8 ? stack
                                                : wb_malloc(sizeof *list * (size_t)job->nsources);
    for (int32_t i = 0; i < job->nsources; i++) {
        list[i].table = job->sources[i].source->table->name;
        list[i].records_read = job->sources[i].source->records_read;
        list[i].done = job->sources[i].done;
    }
    opts->progress(opts->progress_ctx, list, job->nsources, now - start_us);
    if (list != stack) free(list);
}

/* A stop request: an unbounded job ends normally (END flows behind what was
 * read, so operators flush and sinks commit it); a job whose inputs are all
 * bounded was cut short, so it fails and commits nothing. */
static int stop_job(Job *job, JobStats *stats, WbError *err)
{
    bool bounded = true;
    int64_t read = 0;
    for (int32_t i = 0; i < job->nsources; i++) {
        bounded &= job->sources[i].source->bounded;
        read += job->sources[i].source->records_read;
    }
    if (bounded) {
        wb_error(err, RT_SQLSTATE_STOPPED, 0, 0,
                 "the job was stopped before its input ended: the result is partial "
                 "(%lld records read) and nothing was committed",
                 (long long)read);
        return -1;
    }
    for (int32_t i = 0; i < job->nsources; i++) {
        SourceSlot *slot = &job->sources[i];
        if (slot->done) continue;
        slot->done = true;
        ControlMsg end = {CTL_END, 0};
        if (ex_emit_control(slot->op, &end, err) != 0) return -1;
    }
    if (stats) stats->stopped = true;
    return 0;
}

static int drive(Job *job, JobStats *stats, WbError *err)
{
    WbRand rng;
    wb_rand_seed(&rng, job->opts->seed);
    for (int32_t i = 0; i < job->nvalues; i++)
        if (emit_values(job->values[i], err) != 0) return -1;

    int64_t start = now_us();
    int64_t next_progress = start + progress_interval(job->opts);
    int64_t pumps = 0;
    int32_t next = 0;
    for (;;) {
        int32_t active = 0;
        for (int32_t i = 0; i < job->nsources; i++) active += !job->sources[i].done;
        if (active == 0) break;
        if (rt_stop_requested) return stop_job(job, stats, err);
        report_progress(job, start, &next_progress);
        SourceSlot *slot;
        if (job->opts->random_split) {
            int32_t pick = (int32_t)wb_rand_below(&rng, (uint64_t)active);
            int32_t i = 0;
            for (;; i++) {
                if (job->sources[i].done) continue;
                if (pick-- == 0) break;
            }
            slot = &job->sources[i];
        } else if (job->opts->batch_mode) {
            /* one source after another */
            while (job->sources[next].done) next++;
            slot = &job->sources[next];
        } else {
            /* round robin */
            while (job->sources[next % job->nsources].done) next++;
            slot = &job->sources[next % job->nsources];
            next++;
        }
        int rc = pump(job, slot, &rng, stats, err);
        if (rc < 0) return -1;
        if (!job->clock.manual && tick(job, err) != 0) return -1;
        if (rc == 0 && !slot->done) {
            /* an unbounded source with nothing ready: do not spin; a
             * paced source says when its next row is due */
            int64_t wait = 1000;
            int64_t next = slot->source->next_due_us;
            if (next > 0 && !job->clock.manual) {
                int64_t until = next - wb_clock_now(&job->clock);
                if (until < wait) wait = until > 100 ? until : 100;   /* batches of >= 0.1 ms */
            }
            struct timespec pause = {0, wait * 1000};
            nanosleep(&pause, NULL);
        }
        if ((++pumps & 63) == 0 && stats) {
            int64_t bytes = job_state_bytes(job);
            if (bytes > stats->state_bytes) stats->state_bytes = bytes;
        }
    }
    return 0;
}

int rt_job_run(const QueryPlan *plan, const JobOptions *opts, ResultFn on_result,
               void *result_ctx, JobStats *stats, WbError *err)
{
    Job job;
    memset(&job, 0, sizeof job);
    job.opts = opts;
    job.ctx.batch_mode = opts->batch_mode;
    job.ctx.state_ttl_ms = opts->state_ttl_ms;
    job.ctx.early_fire = opts->early_fire;
    job.ctx.early_fire_delay_ms = opts->early_fire_delay_ms;
    job.ctx.late_fire = opts->late_fire;
    job.ctx.late_fire_delay_ms = opts->late_fire_delay_ms;
    job.ctx.allow_lateness_ms = opts->allow_lateness_ms;
    if (opts->late_rows_path) {
        /* late rows are appended: every job of a script adds to the file */
        job.ctx.late_out = fopen(opts->late_rows_path, "a");
        if (!job.ctx.late_out) {
            wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot open the late-rows file \"%s\": %s",
                     opts->late_rows_path, strerror(errno));
            return -1;
        }
    }
    job.clock = opts->clock;
    job.ctx.clock = &job.clock;
    int64_t start = now_us();
    int rc = -1;

    Operator *root = job_build(&job, plan->root, err);
    if (root) {
        if (plan->root->kind != PN_SINK) {
            EdgeOp *result = (EdgeOp *)build_edge(&job, plan->root, &result_vt);
            result->on_result = on_result;
            result->result_ctx = result_ctx;
            result->base.ninputs = 1;
            job_track(&job, NULL, &result->base);
            ex_op_add_output(root, &result->base, 0);
        }
        rc = drive(&job, stats, err);
    }
    /* Every input ended (or an unbounded job was stopped) and every
     * operator flushed: the sinks make their output visible.  On failure
     * they are closed uncommitted below, which takes back what they wrote. */
    for (int32_t i = 0; rc == 0 && i < job.nops; i++) {
        if (job.ops[i]->vt != &sink_vt) continue;
        Sink *sink = ((EdgeOp *)job.ops[i])->sink;
        int64_t commit_id = opts->commit_id > 0 ? opts->commit_id : 1;
        if (sink->vt->commit && sink->vt->commit(sink, commit_id, err) != 0) rc = -1;
    }

    if (stats) {
        int64_t bytes = job_state_bytes(&job);
        if (bytes > stats->state_bytes) stats->state_bytes = bytes;
        for (int32_t i = 0; i < job.nops; i++) {
            stats->late_dropped += job.ops[i]->late_dropped;
            stats->state_expired += job.ops[i]->state_expired;
        }
        for (int32_t i = 0; i < job.nsources; i++) {
            stats->records_in += job.sources[i].source->records_read;
            stats->records_dirty += job.sources[i].source->records_dirty;
        }
        stats->elapsed_us = now_us() - start;
    }
    for (int32_t i = 0; i < job.nsources; i++) {
        cn_source_close(job.sources[i].source);
        ty_batch_free(job.sources[i].batch);
        free(job.sources[i].unread);
        free(job.sources[i].view_cols);
    }
    for (int32_t i = 0; i < job.nops; i++) ex_op_free(job.ops[i]);
    free(job.sources);
    free(job.nodes);
    free(job.ops);
    free(job.values);
    free(job.timed);
    if (job.ctx.late_out) fclose(job.ctx.late_out);
    return rc;
}
