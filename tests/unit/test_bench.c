/*
 * test_bench.c - the benchmark's workload is correct at small scale: the
 * change generator (bench/bench_gen.h) only retracts live rows and its
 * checksums are right, and the aggregate operator, fed that workload in
 * streaming mode with uneven batch sizes and in batch mode, ends with
 * exactly the per-key COUNT(*) and SUM(v) a naive recount gives.
 */
#include <stdlib.h>

#include "check.h"
#include "exec/exec.h"

#include "../../bench/bench_gen.h"
#include "../../bench/bench_plan.h"

#define NKEYS 300
#define NCHANGES 20000

/* Per key index: what the consolidated result must hold. */
typedef struct KeyTruth {
    int64_t count, sum;
} KeyTruth;

/* Keys sorted with their index, to map an output key back to its index. */
typedef struct KeyIdx {
    int64_t key;
    int32_t idx;
} KeyIdx;

static KeyIdx key_index[NKEYS];

static int cmp_key(const void *a, const void *b)
{
    int64_t ka = ((const KeyIdx *)a)->key, kb = ((const KeyIdx *)b)->key;
    return ka < kb ? -1 : ka > kb;
}

static int32_t index_of(int64_t key)
{
    KeyIdx probe = {key, 0};
    KeyIdx *hit = bsearch(&probe, key_index, NKEYS, sizeof(KeyIdx), cmp_key);
    return hit ? hit->idx : -1;
}

/* Consolidates the operator's output per key: sums of weight, weight * c
 * and weight * s, which must end as 1 / count / sum for a live group. */
typedef struct Collect {
    Operator base;
    int64_t weight[NKEYS], wc[NKEYS], ws[NKEYS];
    int64_t unknown_keys, null_sums_of_live;
} Collect;

static int collect_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    (void)err;
    Collect *col = (Collect *)op;
    for (int32_t row = 0; row < batch->nrows; row++) {
        int32_t idx = index_of(batch->cols[0].i64[row]);
        if (idx < 0) {
            col->unknown_keys++;
            continue;
        }
        int64_t w = batch->weights[row];
        col->weight[idx] += w;
        col->wc[idx] += w * batch->cols[1].i64[row];
        if (batch->cols[2].nulls[row]) col->null_sums_of_live++;
        else col->ws[idx] += w * batch->cols[2].i64[row];
    }
    return 0;
}

static const OpVTable collect_vt = {.name = "Collect", .push = collect_push};

static void test_generator(void)
{
    BenchGen a, b;
    bench_gen_init(&a, 7, NKEYS, 10, 16);
    bench_gen_init(&b, 7, NKEYS, 10, 16);
    static KeyTruth truth[NKEYS];
    static int32_t live_values[NKEYS][1000];
    bool same = true, only_live = true, keys_known = true;
    for (int32_t i = 0; i < NCHANGES; i++) {
        BenchRow ra, rb;
        int wa = bench_gen_next(&a, &ra);
        int wb = bench_gen_next(&b, &rb);
        same = same && wa == wb && ra.k == rb.k && ra.v == rb.v;
        int32_t idx = index_of(ra.k);
        if (idx < 0 || ra.v < 0 || ra.v >= 1000) {
            keys_known = false;
            continue;
        }
        live_values[idx][ra.v] += wa;
        if (live_values[idx][ra.v] < 0) only_live = false;
        truth[idx].count += wa;
        truth[idx].sum += wa * ra.v;
    }
    CHECK(same);
    CHECK(keys_known);
    CHECK(only_live);
    CHECK(a.retracts > NCHANGES / 20 && a.retracts < NCHANGES / 5);
    CHECK(a.inserts + a.retracts == NCHANGES);
    int64_t groups = 0, sum_c = 0, sum_s = 0;
    for (int32_t idx = 0; idx < NKEYS; idx++) {
        groups += truth[idx].count > 0;
        sum_c += truth[idx].count;
        sum_s += truth[idx].sum;
    }
    CHECK(groups == a.groups);
    CHECK(sum_c == a.sum_c);
    CHECK(sum_s == a.sum_s);
    bench_gen_free(&a);
    bench_gen_free(&b);
}

/* Runs GROUP BY k: COUNT(*), SUM(v) over the workload and checks every key. */
static void test_agg(bool batch_mode, uint64_t split_seed)
{
    double retract_pct = batch_mode ? 0 : 10;
    BenchPlan plan;
    bench_plan_init(&plan, true);
    ExecContext ctx = {.batch_mode = batch_mode};
    WbError err = {0};
    Operator *agg = ex_agg_new(&plan.agg, &ctx, &err);
    CHECK(agg != NULL);
    if (!agg) return;
    PlanNode sink_node = {.kind = PN_SINK, .id = 3, .ncols = 3, .types = plan.out_types,
                          .names = plan.out_names, .ninputs = 1};
    Collect *col = wb_calloc(1, sizeof(Collect));
    ex_op_init(&col->base, &collect_vt, &sink_node, &ctx);
    ex_op_add_output(agg, &col->base, 0);

    BenchGen gen;
    bench_gen_init(&gen, 7, NKEYS, retract_pct, 16);
    static KeyTruth truth[NKEYS];
    memset(truth, 0, sizeof(truth));
    WbRand rng;
    wb_rand_seed(&rng, split_seed);
    Batch *batch = ty_batch_new(plan.in_types, 2, 300);
    int ok = 0;
    for (int32_t done = 0; done < NCHANGES && ok == 0;) {
        int32_t n = (int32_t)wb_rand_below(&rng, 300) + 1;
        if (n > NCHANGES - done) n = NCHANGES - done;
        ty_batch_reset(batch);
        for (int32_t row = 0; row < n; row++) {
            BenchRow change;
            int w = bench_gen_next(&gen, &change);
            batch->cols[0].i64[row] = change.k;
            batch->cols[1].i64[row] = change.v;
            batch->cols[0].nulls[row] = batch->cols[1].nulls[row] = 0;
            batch->weights[row] = w;
            int32_t idx = index_of(change.k);
            truth[idx].count += w;
            truth[idx].sum += w * change.v;
        }
        batch->nrows = n;
        ok = ex_push(agg, 0, batch, &err);
        done += n;
    }
    CHECK(ok == 0);
    ControlMsg end = {.kind = CTL_END};
    CHECK(ex_control(agg, 0, &end, &err) == 0);

    int32_t wrong = 0;
    for (int32_t idx = 0; idx < NKEYS; idx++) {
        bool live = truth[idx].count > 0;
        if (col->weight[idx] != (live ? 1 : 0)) wrong++;
        else if (live && (col->wc[idx] != truth[idx].count || col->ws[idx] != truth[idx].sum))
            wrong++;
    }
    CHECK(wrong == 0);
    CHECK(col->unknown_keys == 0);
    CHECK(col->null_sums_of_live == 0);
    if (batch_mode) CHECK(col->base.rows_in == gen.groups);   /* one row per group */
    if (!batch_mode) CHECK(gen.retracts > 0);
    ty_batch_free(batch);
    bench_gen_free(&gen);
    ex_op_free(agg);
    ex_op_free(&col->base);
}

/* streaming with retractions, two different batch splits; then batch mode */
static void test_agg_streaming_split1(void) { test_agg(false, 1); }
static void test_agg_streaming_split2(void) { test_agg(false, 2); }
static void test_agg_batch(void) { test_agg(true, 3); }

int main(void)
{
    for (int32_t idx = 0; idx < NKEYS; idx++) {
        key_index[idx].key = bench_key_of((uint64_t)idx);
        key_index[idx].idx = idx;
    }
    qsort(key_index, NKEYS, sizeof(KeyIdx), cmp_key);
    RUN(test_generator);
    RUN(test_agg_streaming_split1);
    RUN(test_agg_streaming_split2);
    RUN(test_agg_batch);
    return check_done();
}
