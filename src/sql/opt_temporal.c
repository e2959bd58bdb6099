/*
 * opt_temporal.c - temporal filters (see opt_int.h and plan.h).
 *
 * A filter conjunct that compares a row expression with the current time,
 *
 *     x < NOW() - INTERVAL '6' HOUR        (x + 6 h < now: the row enters then)
 *     x > CURRENT_TIMESTAMP - INTERVAL '1' HOUR  (the row leaves at x + 1 h)
 *
 * means the row passes for a stretch of time, not once: it becomes a bound
 * of a PN_TEMPORAL_FILTER below the filter's CALC, which keeps the row and
 * emits or retracts it when the time crosses the bound.  Any of < <= > >=
 * with NOW(), CURRENT_TIMESTAMP, LOCALTIMESTAMP or PROCTIME() on either
 * side, plus or minus a constant interval, is recognised; the other side
 * must not read the time (LOCALTIMESTAMP too, compared as the session
 * zone's wall time, TemporalFilterSpec.local).  Conjuncts on CURRENT_WATERMARK(ts) become
 * event-time bounds only when they are lower bounds (the row enters when
 * the watermark passes): an upper bound such as ts > CURRENT_WATERMARK(ts)
 * is Flink's filter of late rows, evaluated once when the row arrives, and
 * stays so.  Conditions that mention the time in any other way (under OR,
 * in a function) are evaluated when the row arrives, as in Flink.
 */
#include "sql/opt_int.h"

#include <string.h>

/* The time a side reads: 0 none, 1 processing time, 2 the watermark;
 * LOCALTIMESTAMP is processing time as the session zone's wall time. */
static int time_source(const Expr *e, bool *local)
{
    if (e->kind != EX_CALL) return 0;
    if (e->fn == FN_NOW && e->aux == 3) *local = true;
    if (e->fn == FN_NOW && (e->aux == 0 || e->aux == 3)) return 1;
    if (e->fn == FN_CURRENT_WATERMARK) return 2;
    return 0;
}

static bool reads_time(const Expr *e)
{
    if (e->kind != EX_CALL) return false;
    if (e->fn == FN_NOW || e->fn == FN_CURRENT_WATERMARK) return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (reads_time(e->args[i])) return true;
    return false;
}

/* e = TIME [+|- constant interval] (through casts to TIMESTAMP): its time
 * source, and the offset in microseconds; 0 when e is not of that form. */
static int time_side(const Expr *e, int64_t *offset, bool *local)
{
    *offset = 0;
    while (e->kind == EX_CALL && e->fn == FN_CAST && e->type.id == TY_TIMESTAMP) {
        /* NOW() (an instant) compared with a wall time: its wall time */
        if (!e->type.ltz && e->args[0]->type.id == TY_TIMESTAMP && e->args[0]->type.ltz) *local = true;
        e = e->args[0];
    }
    int src = time_source(e, local);
    if (src) return src;
    if (e->kind != EX_CALL || (e->fn != FN_ADD && e->fn != FN_SUB) || e->nargs != 2) return 0;
    const Expr *c = e->args[1];
    if (c->kind != EX_CONST || c->value.is_null || c->type.id != TY_INTERVAL_DT) return 0;
    int64_t inner;
    src = time_side(e->args[0], &inner, local);
    if (!src) return 0;
    *offset = inner + (e->fn == FN_ADD ? 1 : -1) * c->value.i64 * 1000;
    return src;
}

/* A conjunct as a bound: returns its time source (0: not a bound). */
static int as_bound(const Expr *e, TimeBound *out, bool *local)
{
    if (e->kind != EX_CALL || e->nargs != 2) return 0;
    FuncId fn = (FuncId)e->fn;
    if (fn != FN_LT && fn != FN_LE && fn != FN_GT && fn != FN_GE) return 0;
    int64_t off;
    const Expr *row;
    bool time_left;
    *local = false;
    int src = time_side(e->args[1], &off, local);
    if (src) {
        row = e->args[0];
        time_left = false;
    } else if ((src = time_side(e->args[0], &off, local))) {
        row = e->args[1];
        time_left = true;
    } else {
        return 0;
    }
    if (reads_time(row) || row->type.id != TY_TIMESTAMP) return 0;
    /* row op time + off  <=>  time op' row - off */
    bool less = fn == FN_LT || fn == FN_LE;
    out->inclusive = fn == FN_LE || fn == FN_GE;
    out->lower = time_left ? !less : less;
    out->expr = row;
    out->offset_us = -off;
    if (src == 2 && !out->lower) return 0;   /* Flink's late-row filter: once */
    return src;
}

static PlanNode *temporal_node(Binder *b, PlanNode *input, bool event_time, bool local,
                               TimeBound *bounds, int32_t n)
{
    PlanNode *node = sql_node_new(b, PN_TEMPORAL_FILTER, input->ncols, 1);
    node->inputs[0] = input;
    memcpy(node->types, input->types, sizeof(SqlType) * (size_t)input->ncols);
    memcpy(node->names, input->names, sizeof(char *) * (size_t)input->ncols);
    node->temporal.event_time = event_time;
    node->temporal.local = local;
    node->temporal.nbounds = n;
    node->temporal.bounds = wb_arena_alloc(b->arena, sizeof(TimeBound) * (size_t)(n + 1));
    memcpy(node->temporal.bounds, bounds, sizeof(TimeBound) * (size_t)n);
    return node;
}

static PlanNode *split_calc(OptCtx *ctx, PlanNode *calc)
{
    Binder *b = ctx->b;
    int32_t n = sql_count_and(calc->calc.filter);
    Expr **conds = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    n = sql_split_and((Expr *)calc->calc.filter, conds, n);
    TimeBound *proc = wb_arena_alloc(b->arena, sizeof(TimeBound) * (size_t)(n + 1));
    TimeBound *event = wb_arena_alloc(b->arena, sizeof(TimeBound) * (size_t)(n + 1));
    Expr **rest = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    int32_t np = 0, ne = 0, nr = 0;
    int proc_local = -1;   /* all processing-time bounds in one kind of time */
    for (int32_t i = 0; i < n; i++) {
        TimeBound tb;
        bool local;
        int src = as_bound(conds[i], &tb, &local);
        if (src == 1 && proc_local >= 0 && proc_local != (int)local) src = 0;
        if (src == 1) proc_local = local;
        if (src == 1) proc[np++] = tb;
        else if (src == 2) event[ne++] = tb;
        else rest[nr++] = conds[i];
    }
    if (np == 0 && ne == 0) return calc;
    PlanNode *input = calc->inputs[0];
    if (ne) input = temporal_node(b, input, true, false, event, ne);
    if (np) input = temporal_node(b, input, false, proc_local == 1, proc, np);
    PlanNode *copy = opt_copy(b, calc);
    copy->inputs[0] = input;
    copy->calc.filter = nr ? sql_and_all(b, rest, nr) : NULL;
    return copy;
}

static PlanNode *visit(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, visit);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, visit);
    if (copy->kind == PN_CALC && copy->calc.filter && reads_time(copy->calc.filter))
        return split_calc(ctx, copy);
    return copy;
}

PlanNode *opt_temporal_filters(OptCtx *ctx, PlanNode *root)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return visit(ctx, root);
}
