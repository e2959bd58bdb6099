/*
 * bench_plan.h - the benchmark's plan, EXCHANGE(k) -> AGG(k; COUNT(*) AS c,
 * SUM(v) AS s) over (k BIGINT, v BIGINT), built by hand for the in-memory
 * aggregate bench (agg_bench.c) and its test (tests/unit/test_bench.c), so
 * that both run the very same operator; bench_plan_init_global is the
 * global aggregate's variant (agg_bench --global).
 *
 * The nodes point into the struct itself: initialise it where it will
 * stay (bench_plan_init(&plan, ...)) and never copy it.
 */
#ifndef WEIR_BENCH_PLAN_H
#define WEIR_BENCH_PLAN_H

#include <string.h>

#include "exec/exec.h"

typedef struct BenchPlan {
    SqlType in_types[2], out_types[3];
    char *in_names[2], *out_names[3];
    int32_t key_col;
    AggCall calls[2];
    PlanNode input, agg;       /* agg is what ex_agg_new takes */
    PlanNode *agg_inputs[1];
} BenchPlan;

/* retracting: whether the input carries retractions (its changelog mode). */
static inline void bench_plan_init(BenchPlan *p, bool retracting)
{
    memset(p, 0, sizeof(*p));
    SqlType count_type = ty_make(TY_BIGINT);
    count_type.nullable = 0;
    p->in_types[0] = p->in_types[1] = ty_make(TY_BIGINT);
    p->out_types[0] = ty_make(TY_BIGINT);
    p->out_types[1] = count_type;
    p->out_types[2] = ty_make(TY_BIGINT);
    p->in_names[0] = "k";
    p->in_names[1] = "v";
    p->out_names[0] = "k";
    p->out_names[1] = "c";
    p->out_names[2] = "s";
    p->key_col = 0;
    p->calls[0] = (AggCall){.kind = AGG_COUNT_STAR, .arg = -1, .arg2 = -1, .filter = -1,
                            .type = count_type};
    p->calls[1] = (AggCall){.kind = AGG_SUM, .arg = 1, .arg2 = -1, .filter = -1,
                            .type = ty_make(TY_BIGINT)};
    p->input = (PlanNode){.kind = PN_EXCHANGE, .id = 1, .ncols = 2, .types = p->in_types,
                          .names = p->in_names,
                          .mode = retracting ? CM_RETRACT : CM_INSERT_ONLY};
    p->input.exchange.nkeys = 1;
    p->input.exchange.keys = &p->key_col;
    p->agg_inputs[0] = &p->input;
    p->agg = (PlanNode){.kind = PN_AGG, .id = 2, .ncols = 3, .types = p->out_types,
                        .names = p->out_names, .mode = CM_UPSERT, .nupsert_key = 1,
                        .upsert_key = &p->key_col, .ninputs = 1, .inputs = p->agg_inputs};
    p->agg.agg.ngroup = 1;
    p->agg.agg.group = &p->key_col;
    p->agg.agg.naggs = 2;
    p->agg.agg.aggs = p->calls;
}

/* The same plan without GROUP BY: AGG(; COUNT(*) AS c, SUM(v) AS s), the
 * global aggregate (one output row). */
static inline void bench_plan_init_global(BenchPlan *p, bool retracting)
{
    bench_plan_init(p, retracting);
    p->agg.ncols = 2;
    p->agg.types = p->out_types + 1;
    p->agg.names = p->out_names + 1;
    p->agg.nupsert_key = 0;
    p->agg.upsert_key = NULL;
    p->agg.agg.ngroup = 0;
    p->agg.agg.group = NULL;
}

#endif
