/*
 * agg_bench.c - throughput of weir's group aggregate operator alone, fed
 * in-memory batches, so the figure measures the engine and not a text parser:
 * SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k over the change stream of
 * bench_gen.h, in streaming mode (with retractions) or batch mode (inserts);
 * with --global, SELECT COUNT(*), SUM(v) FROM t (no GROUP BY) over the same
 * stream.
 *
 * usage: agg_bench [--rows N] [--keys K] [--seed S] [--retract-pct P]
 *                  [--batch-rows B] [--mode streaming|batch] [--global 1]
 * Prints one line of key=value pairs; exits 1 if the consolidated output
 * disagrees with the generator's own checksums.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "exec/exec.h"

#include "bench_gen.h"
#include "bench_plan.h"

/* The downstream of the aggregate: counts what arrives and folds it into the
 * checksums of the consolidated result.  Summing weight * value over the
 * changelog is exactly the consolidated sum, because consolidation is the
 * sum of weights per distinct row. */
typedef struct CountSink {
    Operator base;
    int32_t count_col, sum_col;     /* c and s in the output */
    int64_t rows, batches;
    int64_t groups, sum_c, sum_s;
} CountSink;

static int count_sink_push(Operator *op, int32_t port, const Batch *batch,
                           WbError *err)
{
    (void)port;
    (void)err;
    CountSink *sink = (CountSink *)op;
    const int64_t *weights = batch->weights;
    const int64_t *counts = batch->cols[sink->count_col].i64;
    const int64_t *sums = batch->cols[sink->sum_col].i64;
    const uint8_t *sum_nulls = batch->cols[sink->sum_col].nulls;
    int64_t groups = 0, sum_c = 0, sum_s = 0;
    for (int32_t row = 0; row < batch->nrows; row++) {
        groups += weights[row];
        sum_c += weights[row] * counts[row];
        sum_s += sum_nulls[row] ? 0 : weights[row] * sums[row];
    }
    sink->groups += groups;
    sink->sum_c += sum_c;
    sink->sum_s += sum_s;
    sink->rows += batch->nrows;
    sink->batches++;
    return 0;
}

static const OpVTable count_sink_vt = {
    .name = "CountSink",
    .push = count_sink_push,
};

static void usage(void)
{
    fprintf(stderr, "usage: agg_bench [--rows N] [--keys K] [--seed S] [--retract-pct P]\n"
                    "                 [--batch-rows B] [--mode streaming|batch] [--global 1]\n");
    exit(2);
}

static int64_t arg_count(const char *text)
{
    char *end;
    intmax_t value = strtoimax(text, &end, 10);
    if (*end || value <= 0) usage();
    return (int64_t)value;
}

/* User and system CPU seconds and page faults of the process so far. */
static void rusage_seconds(double *user, double *sys, int64_t *faults)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    *faults = (int64_t)ru.ru_minflt + (int64_t)ru.ru_majflt;
}

static double seconds_of(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t peak_rss_kb(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (int64_t)usage.ru_maxrss;
}

int main(int argc, char **argv)
{
    int64_t rows = 10000000, keys = 1000000, batch_rows = EX_BATCH_ROWS;
    uint64_t seed = 42;
    double retract_pct = 10;
    bool batch_mode = false, global = false;
    for (int arg_idx = 1; arg_idx < argc; arg_idx++) {
        const char *arg = argv[arg_idx];
        if (arg_idx + 1 >= argc) usage();
        const char *value = argv[++arg_idx];
        if (strcmp(arg, "--rows") == 0) rows = arg_count(value);
        else if (strcmp(arg, "--keys") == 0) keys = arg_count(value);
        else if (strcmp(arg, "--seed") == 0) seed = (uint64_t)arg_count(value);
        else if (strcmp(arg, "--batch-rows") == 0) batch_rows = arg_count(value);
        else if (strcmp(arg, "--retract-pct") == 0) retract_pct = atof(value);
        else if (strcmp(arg, "--global") == 0) global = arg_count(value) == 1;
        else if (strcmp(arg, "--mode") == 0 && strcmp(value, "batch") == 0) batch_mode = true;
        else if (strcmp(arg, "--mode") == 0 && strcmp(value, "streaming") == 0) batch_mode = false;
        else usage();
    }
    if (batch_mode) retract_pct = 0;   /* batch mode is inserts only (DESIGN) */
    if (retract_pct < 0 || retract_pct >= 100 || keys > UINT32_MAX) usage();

    /* ---- the input, generated before the clock starts ---- */
    SqlType in_types[2] = {ty_make(TY_BIGINT), ty_make(TY_BIGINT)};
    int64_t nbatches = (rows + batch_rows - 1) / batch_rows;
    Batch **batches = wb_malloc(sizeof(Batch *) * (size_t)nbatches);
    WbArena *input_arena = wb_arena_new(8 << 20);
    BenchGen gen;
    bench_gen_init(&gen, seed, (uint64_t)keys, retract_pct, rows);
    for (int64_t batch_idx = 0; batch_idx < nbatches; batch_idx++) {
        int32_t nrows = (int32_t)WB_MIN(batch_rows, rows - batch_idx * batch_rows);
        Batch *batch = ty_batch_new_in(input_arena, in_types, 2, nrows);
        for (int32_t row = 0; row < nrows; row++) {
            BenchRow change;
            batch->weights[row] = bench_gen_next(&gen, &change);
            batch->cols[0].i64[row] = change.k;
            batch->cols[1].i64[row] = change.v;
            batch->cols[0].nulls[row] = 0;
            batch->cols[1].nulls[row] = 0;
        }
        batch->nrows = nrows;
        batches[batch_idx] = batch;
    }
    /* the global aggregate's one row holds the sums over all groups */
    int64_t expect_groups = global ? 1 : gen.groups, expect_c = gen.sum_c, expect_s = gen.sum_s;
    int64_t inserts = gen.inserts, retracts = gen.retracts;
    bench_gen_free(&gen);
    int64_t input_rss_kb = peak_rss_kb();

    /* ---- the plan: EXCHANGE(k) -> AGG(k; COUNT(*), SUM(v)), or no k ---- */
    BenchPlan plan;
    if (global) bench_plan_init_global(&plan, retract_pct > 0);
    else bench_plan_init(&plan, retract_pct > 0);

    ExecContext ctx = {.batch_mode = batch_mode, .state_ttl_ms = 0};
    WbError err = {0};
    Operator *agg = ex_agg_new(&plan.agg, &ctx, &err);
    if (!agg) {
        fprintf(stderr, "agg_bench: ex_agg_new: %s\n", err.message);
        return 1;
    }
    PlanNode sink_node = {.kind = PN_SINK, .id = 3, .ncols = plan.agg.ncols,
                          .types = plan.agg.types, .names = plan.agg.names, .ninputs = 1};
    CountSink *sink = wb_calloc(1, sizeof(CountSink));
    sink->count_col = plan.agg.ncols - 2;
    sink->sum_col = plan.agg.ncols - 1;
    ex_op_init(&sink->base, &count_sink_vt, &sink_node, &ctx);
    ex_op_add_output(agg, &sink->base, 0);

    /* ---- the measured part: every change pushed, then end of input ---- */
    double wall0 = seconds_of(CLOCK_MONOTONIC);
    double cpu0 = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
    double user0, sys0;
    int64_t faults0;
    rusage_seconds(&user0, &sys0, &faults0);
    for (int64_t batch_idx = 0; batch_idx < nbatches; batch_idx++) {
        if (ex_push(agg, 0, batches[batch_idx], &err) != 0) {
            fprintf(stderr, "agg_bench: push: %s\n", err.message);
            return 1;
        }
    }
    int64_t state_bytes = agg->vt->state_bytes ? agg->vt->state_bytes(agg) : -1;
    ControlMsg end = {.kind = CTL_END, .value = 0};
    if (ex_control(agg, 0, &end, &err) != 0) {
        fprintf(stderr, "agg_bench: end of input: %s\n", err.message);
        return 1;
    }
    double wall = seconds_of(CLOCK_MONOTONIC) - wall0;
    double cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    double user1, sys1;
    int64_t faults1;
    rusage_seconds(&user1, &sys1, &faults1);
    int64_t rss_kb = peak_rss_kb();

    bool ok = sink->groups == expect_groups && sink->sum_c == expect_c &&
              sink->sum_s == expect_s;
    printf("mode=%s%s rows=%" PRId64 " inserts=%" PRId64 " retracts=%" PRId64
           " batch_rows=%" PRId64 " seconds=%.3f cpu_seconds=%.3f user_seconds=%.3f sys_seconds=%.3f page_faults=%" PRId64
           " changes_per_sec=%.0f changes_per_cpu_sec=%.0f"
           " out_rows=%" PRId64 " state_bytes=%" PRId64
           " peak_rss_kb=%" PRId64 " input_rss_kb=%" PRId64
           " groups=%" PRId64 " sum_c=%" PRId64 " sum_s=%" PRId64 " check=%s\n",
           batch_mode ? "batch" : "streaming", global ? " global=1" : "", rows, inserts, retracts, batch_rows,
           wall, cpu, user1 - user0, sys1 - sys0, faults1 - faults0, (double)rows / wall,
           (double)rows / cpu,
           sink->rows,
           state_bytes, rss_kb, input_rss_kb, sink->groups, sink->sum_c,
           sink->sum_s, ok ? "ok" : "MISMATCH");
    if (!ok)
        fprintf(stderr, "agg_bench: expected groups=%" PRId64 " sum_c=%" PRId64
                        " sum_s=%" PRId64 "\n", expect_groups, expect_c, expect_s);
    ex_op_free(agg);
    ex_op_free(&sink->base);
    wb_arena_free(input_arena);
    free(batches);
    return ok ? 0 : 1;
}
