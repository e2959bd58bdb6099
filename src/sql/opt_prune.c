/*
 * opt_prune.c - projection pruning (see opt_int.h).
 *
 * prune(node, need) returns a plan that has at least the columns need[]
 * marks (maybe more) and map[old column] = its new index (-1: dropped).
 * Going down, each node asks its inputs for what it reads itself: a CALC
 * for its kept expressions and its filter, an AGG for its grouping columns
 * and the arguments of the calls still needed, a JOIN for its keys, its
 * condition and the output columns needed above, a RANK for its
 * partition and order columns.  The inputs of the stateful nodes (JOIN,
 * RANK) are narrowed to exactly what they read, so their state keeps no
 * other column.  Every relation keeps at least one column.  A scan reads
 * only the physical columns needed (ScanSpec.read; the csv format does not
 * even decode the others).
 */
#include "sql/opt_int.h"

#include <string.h>

typedef struct Pruned {
    PlanNode *node;
    int32_t *map;                /* old column -> new column, -1 dropped */
} Pruned;

static Pruned prune(OptCtx *ctx, PlanNode *node, const bool *need);

static int32_t *identity_map(Binder *b, int32_t n)
{
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(n + 1));
    for (int32_t i = 0; i < n; i++) map[i] = i;
    return map;
}

static bool *need_none(Binder *b, int32_t n)
{
    return wb_arena_calloc(b->arena, (size_t)n + 1);
}

static bool *need_all(Binder *b, int32_t n)
{
    bool *need = need_none(b, n);
    memset(need, 1, (size_t)n);
    return need;
}

/* Narrows p to exactly the needed old columns, in their order (at least
 * one); returns the map of the narrowed node. */
static Pruned narrow(Binder *b, Pruned p, const bool *need, int32_t nold)
{
    int32_t *cols = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nold + 1));
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nold + 1));
    int32_t n = 0;
    for (int32_t c = 0; c < nold; c++) {
        map[c] = -1;
        if (need[c] && p.map[c] >= 0) {
            map[c] = n;
            cols[n++] = p.map[c];
        }
    }
    if (n == 0) {
        /* keep one column: the first one still there */
        for (int32_t c = 0; c < nold && n == 0; c++)
            if (p.map[c] >= 0) {
                map[c] = 0;
                cols[n++] = p.map[c];
            }
    }
    bool same = n == p.node->ncols;
    for (int32_t i = 0; i < n && same; i++) same = cols[i] == i;
    if (same) return (Pruned){p.node, map};
    return (Pruned){opt_project(b, p.node, cols, n), map};
}

static Pruned prune_calc(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    int32_t n = node->calc.nexprs;
    bool *keep = need_none(b, n);
    int32_t nkeep = 0;
    for (int32_t i = 0; i < n; i++)
        if (need[i]) { keep[i] = true; nkeep++; }
    if (nkeep == 0 && n > 0) {
        /* one column stays: a plain reference if there is one */
        int32_t pick = 0;
        for (int32_t i = n - 1; i >= 0; i--)
            if (node->calc.exprs[i]->kind != EX_CALL) pick = i;
        keep[pick] = true;
        nkeep = 1;
    }
    bool *in_need = need_none(b, in->ncols);
    for (int32_t i = 0; i < n; i++)
        if (keep[i]) opt_expr_cols(node->calc.exprs[i], in_need);
    if (node->calc.filter) opt_expr_cols(node->calc.filter, in_need);
    Pruned p = prune(ctx, in, in_need);
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nkeep + 1));
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(nkeep + 1));
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(n + 1));
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        map[i] = -1;
        if (!keep[i]) continue;
        map[i] = k;
        exprs[k] = opt_expr_remap(b->arena, node->calc.exprs[i], p.map);
        names[k] = node->names[i];
        k++;
    }
    Expr *filter = node->calc.filter ? opt_expr_remap(b->arena, node->calc.filter, p.map) : NULL;
    return (Pruned){sql_node_calc(b, p.node, filter, nkeep, exprs, names), map};
}

static Pruned prune_agg(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    const AggSpec *spec = &node->agg;
    bool *keep = need_none(b, spec->naggs);
    int32_t nkeep = 0;
    for (int32_t j = 0; j < spec->naggs; j++)
        if (need[spec->ngroup + j]) { keep[j] = true; nkeep++; }
    if (nkeep == 0 && spec->ngroup == 0 && spec->naggs > 0) { keep[0] = true; nkeep = 1; }
    bool *in_need = need_none(b, in->ncols);
    for (int32_t i = 0; i < spec->ngroup; i++) in_need[spec->group[i]] = true;
    for (int32_t j = 0; j < spec->naggs; j++) {
        if (!keep[j]) continue;
        const AggCall *ac = &spec->aggs[j];
        if (ac->arg >= 0) in_need[ac->arg] = true;
        if (ac->arg2 >= 0) in_need[ac->arg2] = true;
        if (ac->filter >= 0) in_need[ac->filter] = true;
    }
    Pruned p = narrow(b, prune(ctx, in, in_need), in_need, in->ncols);
    PlanNode *copy = opt_copy(b, node);
    int32_t ncols = spec->ngroup + nkeep;
    copy->ncols = ncols;
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(ncols + 1));
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(ncols + 1));
    copy->agg.group = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(spec->ngroup + 1));
    copy->agg.aggs = wb_arena_alloc(b->arena, sizeof(AggCall) * (size_t)(nkeep + 1));
    copy->agg.naggs = nkeep;
    copy->inputs[0] = p.node;
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(node->ncols + 1));
    if (spec->window) copy->agg.window_end = p.map[spec->window_end];
    for (int32_t i = 0; i < spec->ngroup; i++) {
        copy->agg.group[i] = p.map[spec->group[i]];
        copy->types[i] = node->types[i];
        copy->names[i] = node->names[i];
        map[i] = i;
    }
    int32_t k = 0;
    for (int32_t j = 0; j < spec->naggs; j++) {
        map[spec->ngroup + j] = -1;
        if (!keep[j]) continue;
        AggCall ac = spec->aggs[j];
        if (ac.arg >= 0) ac.arg = p.map[ac.arg];
        if (ac.arg2 >= 0) ac.arg2 = p.map[ac.arg2];
        if (ac.filter >= 0) ac.filter = p.map[ac.filter];
        copy->agg.aggs[k] = ac;
        copy->types[spec->ngroup + k] = node->types[spec->ngroup + j];
        copy->names[spec->ngroup + k] = node->names[spec->ngroup + j];
        map[spec->ngroup + j] = spec->ngroup + k;
        k++;
    }
    return (Pruned){copy, map};
}

static Pruned prune_join(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *left = opt_input(node, 0), *right = opt_input(node, 1);
    int32_t L = left->ncols, R = right->ncols;
    const JoinSpec *js = &node->join;
    bool semi = js->type == JT_SEMI || js->type == JT_ANTI || js->type == JT_ANTI_NULL_AWARE;
    bool *both = need_none(b, L + R);
    for (int32_t c = 0; c < node->ncols; c++) both[c] = need[c];
    for (int32_t k = 0; k < js->nkeys; k++) {
        both[js->left_keys[k]] = true;
        both[L + js->right_keys[k]] = true;
    }
    if (js->cond) opt_expr_cols(js->cond, both);
    Pruned pl = narrow(b, prune(ctx, left, both), both, L);
    Pruned pr = narrow(b, prune(ctx, right, both + L), both + L, R);
    int32_t NL = pl.node->ncols;
    int32_t *pair = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(L + R + 1));
    for (int32_t c = 0; c < L; c++) pair[c] = pl.map[c];
    for (int32_t c = 0; c < R; c++) pair[L + c] = pr.map[c] < 0 ? -1 : NL + pr.map[c];
    int32_t *lk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(js->nkeys + 1));
    int32_t *rk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(js->nkeys + 1));
    for (int32_t k = 0; k < js->nkeys; k++) {
        lk[k] = pl.map[js->left_keys[k]];
        rk[k] = pr.map[js->right_keys[k]];
    }
    Expr *cond = js->cond ? opt_expr_remap(b->arena, js->cond, pair) : NULL;
    PlanNode *join = sql_node_join(b, js->type, pl.node, pr.node, js->nkeys, lk, rk, cond);
    join->inputs[0] = pl.node;
    join->inputs[1] = pr.node;
    join->join.right_first = js->right_first;
    join->join.state_ttl_ms[0] = js->state_ttl_ms[0];
    join->join.state_ttl_ms[1] = js->state_ttl_ms[1];
    if (js->interval) {
        /* the time columns are read by cond, so they are kept */
        join->join.interval = true;
        join->join.ltime = pl.map[js->ltime];
        join->join.rtime = pr.map[js->rtime];
        join->join.lower = js->lower;
        join->join.upper = js->upper;
    }
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(node->ncols + 1));
    for (int32_t c = 0; c < node->ncols; c++) map[c] = semi ? pl.map[c] : pair[c];
    /* keep the names the query gave */
    for (int32_t c = 0; c < node->ncols; c++)
        if (map[c] >= 0) join->names[map[c]] = node->names[c];
    return (Pruned){join, map};
}

static Pruned prune_rank(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    const RankSpec *rs = &node->rank;
    bool *in_need = need_none(b, in->ncols);
    for (int32_t c = 0; c < in->ncols; c++) in_need[c] = need[c];
    for (int32_t i = 0; i < rs->npartition; i++) in_need[rs->partition[i]] = true;
    for (int32_t i = 0; i < rs->nsort; i++) in_need[rs->sort[i].col] = true;
    Pruned p = narrow(b, prune(ctx, in, in_need), in_need, in->ncols);
    PlanNode *copy = opt_copy(b, node);
    copy->inputs[0] = p.node;
    int32_t nin = p.node->ncols;
    copy->ncols = nin + (rs->emit_rownum ? 1 : 0);
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(copy->ncols + 1));
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(copy->ncols + 1));
    memcpy(copy->types, p.node->types, sizeof(SqlType) * (size_t)nin);
    memcpy(copy->names, p.node->names, sizeof(char *) * (size_t)nin);
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(node->ncols + 1));
    for (int32_t c = 0; c < in->ncols; c++) {
        map[c] = p.map[c];
        if (map[c] >= 0) copy->names[map[c]] = node->names[c];
    }
    if (rs->emit_rownum) {
        map[in->ncols] = nin;
        copy->types[nin] = node->types[in->ncols];
        copy->names[nin] = node->names[in->ncols];
    }
    if (rs->window) copy->rank.window_end = p.map[rs->window_end];
    copy->rank.partition = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(rs->npartition + 1));
    for (int32_t i = 0; i < rs->npartition; i++) copy->rank.partition[i] = p.map[rs->partition[i]];
    copy->rank.sort = wb_arena_alloc(b->arena, sizeof(SortKey) * (size_t)(rs->nsort + 1));
    for (int32_t i = 0; i < rs->nsort; i++) {
        copy->rank.sort[i] = rs->sort[i];
        copy->rank.sort[i].col = p.map[rs->sort[i].col];
    }
    return (Pruned){copy, map};
}

/* A copy of a node whose columns are its input's, over the input pruned
 * to p: the columns p keeps, with the node's types and names. */
static PlanNode *copy_over(Binder *b, const PlanNode *node, const PlanNode *in, Pruned p)
{
    PlanNode *copy = opt_copy(b, node);
    copy->inputs[0] = p.node;
    copy->ncols = p.node->ncols;
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(copy->ncols + 1));
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(copy->ncols + 1));
    for (int32_t c = 0; c < in->ncols; c++) {
        if (p.map[c] < 0) continue;
        copy->types[p.map[c]] = node->types[c];
        copy->names[p.map[c]] = node->names[c];
    }
    return copy;
}

/* The watermark assigner keeps its time column and what its expression
 * reads; the rest passes through as the parent needs it. */
static Pruned prune_watermark(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    bool *in_need = need_none(b, in->ncols);
    for (int32_t c = 0; c < in->ncols; c++) in_need[c] = need[c];
    in_need[node->watermark.rowtime] = true;
    opt_expr_cols(node->watermark.expr, in_need);
    Pruned p = narrow(b, prune(ctx, in, in_need), in_need, in->ncols);
    PlanNode *copy = copy_over(b, node, in, p);
    copy->watermark.rowtime = p.map[node->watermark.rowtime];
    copy->watermark.expr = opt_expr_remap(b->arena, node->watermark.expr, p.map);
    return (Pruned){copy, p.map};
}

/* A temporal filter keeps the columns its bounds read. */
static Pruned prune_temporal(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    bool *in_need = need_none(b, in->ncols);
    for (int32_t c = 0; c < in->ncols; c++) in_need[c] = need[c];
    for (int32_t i = 0; i < node->temporal.nbounds; i++)
        opt_expr_cols(node->temporal.bounds[i].expr, in_need);
    Pruned p = narrow(b, prune(ctx, in, in_need), in_need, in->ncols);
    PlanNode *copy = copy_over(b, node, in, p);
    int32_t nb = node->temporal.nbounds;
    copy->temporal.bounds = wb_arena_alloc(b->arena, sizeof(TimeBound) * (size_t)(nb + 1));
    for (int32_t i = 0; i < nb; i++) {
        copy->temporal.bounds[i] = node->temporal.bounds[i];
        copy->temporal.bounds[i].expr = opt_expr_remap(b->arena, node->temporal.bounds[i].expr, p.map);
    }
    return (Pruned){copy, p.map};
}

/* OVER keeps its partition, order and aggregate input columns; its
 * aggregate columns stay (they are computed for every row anyway). */
static Pruned prune_over(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    const OverSpec *os = &node->over;
    int32_t n = in->ncols, nagg = node->ncols - n;
    bool *in_need = need_none(b, n);
    for (int32_t c = 0; c < n; c++) in_need[c] = need[c];
    for (int32_t i = 0; i < os->npartition; i++) in_need[os->partition[i]] = true;
    for (int32_t i = 0; i < os->nproj; i++) in_need[os->proj[i]] = true;
    in_need[os->order_col] = true;
    Pruned p = narrow(b, prune(ctx, in, in_need), in_need, n);
    PlanNode *copy = opt_copy(b, node);
    copy->inputs[0] = p.node;
    int32_t nin = p.node->ncols;
    copy->ncols = nin + nagg;
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(copy->ncols + 1));
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(copy->ncols + 1));
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(node->ncols + 1));
    for (int32_t c = 0; c < n; c++) {
        map[c] = p.map[c];
        if (map[c] < 0) continue;
        copy->types[map[c]] = node->types[c];
        copy->names[map[c]] = node->names[c];
    }
    for (int32_t k = 0; k < nagg; k++) {
        map[n + k] = nin + k;
        copy->types[nin + k] = node->types[n + k];
        copy->names[nin + k] = node->names[n + k];
    }
    copy->over.partition = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(os->npartition + 1));
    for (int32_t i = 0; i < os->npartition; i++) copy->over.partition[i] = p.map[os->partition[i]];
    copy->over.proj = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(os->nproj + 1));
    for (int32_t i = 0; i < os->nproj; i++) copy->over.proj[i] = p.map[os->proj[i]];
    copy->over.order_col = p.map[os->order_col];
    return (Pruned){copy, map};
}

/* A window TVF keeps its time column; its three window columns stay. */
static Pruned prune_window(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *in = opt_input(node, 0);
    int32_t n = in->ncols;
    bool *in_need = need_none(b, n);
    for (int32_t c = 0; c < n; c++) in_need[c] = need[c];
    in_need[node->window.time_col] = true;
    for (int32_t i = 0; i < node->window.npartition; i++) in_need[node->window.partition[i]] = true;
    Pruned p = narrow(b, prune(ctx, in, in_need), in_need, n);
    PlanNode *copy = opt_copy(b, node);
    copy->inputs[0] = p.node;
    int32_t nin = p.node->ncols;
    copy->ncols = nin + 3;
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(copy->ncols + 1));
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(copy->ncols + 1));
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(node->ncols + 1));
    for (int32_t c = 0; c < n; c++) {
        map[c] = p.map[c];
        if (map[c] < 0) continue;
        copy->types[map[c]] = node->types[c];
        copy->names[map[c]] = node->names[c];
    }
    for (int32_t k = 0; k < 3; k++) {
        map[n + k] = nin + k;
        copy->types[nin + k] = node->types[n + k];
        copy->names[nin + k] = node->names[n + k];
    }
    copy->window.time_col = p.map[node->window.time_col];
    copy->window.partition = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(node->window.npartition + 1));
    for (int32_t i = 0; i < node->window.npartition; i++)
        copy->window.partition[i] = p.map[node->window.partition[i]];
    return (Pruned){copy, map};
}

static Pruned prune_union(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    PlanNode *copy = opt_copy(b, node);
    Pruned first = {0};
    for (int32_t i = 0; i < node->ninputs; i++) {
        PlanNode *in = opt_input(node, i);
        Pruned p = narrow(b, prune(ctx, in, need), need, in->ncols);
        copy->inputs[i] = p.node;
        if (i == 0) first = p;
    }
    PlanNode *in0 = copy->inputs[0];
    copy->ncols = in0->ncols;
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(in0->ncols + 1));
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(in0->ncols + 1));
    for (int32_t c = 0; c < node->ncols; c++) {
        int32_t to = first.map[c];
        if (to < 0) continue;
        copy->types[to] = node->types[c];
        copy->names[to] = node->names[c];
    }
    return (Pruned){copy, first.map};
}

/* A scan reads only the needed physical columns (projection push-down:
 * the source leaves the others undecoded).  Changelog scans keep all:
 * their upsert key and before images are whole rows. */
static Pruned prune_scan(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    int32_t n = node->ncols, k = 0;
    const WatermarkSpec *wm = node->scan.watermark;
    if (wm) {
        /* a pushed-down watermark reads its columns at the source */
        bool *with = need_none(b, n);
        for (int32_t c = 0; c < n; c++) with[c] = need[c];
        if (wm->rowtime >= 0) with[wm->rowtime] = true;
        if (wm->rowtime_expr) opt_expr_cols(wm->rowtime_expr, with);
        opt_expr_cols(wm->expr, with);
        need = with;
    }
    for (int32_t c = 0; c < n; c++) k += need[c];
    if (node->mode != CM_INSERT_ONLY || k == n) return (Pruned){node, identity_map(b, n)};
    if (k == 0) {
        /* one column stays (a row count needs rows): the first, as a
         * placeholder no one reads */
        bool *one = need_none(b, n);
        one[0] = true;
        Pruned p = prune_scan(ctx, node, one);
        if (p.node == node) p.node = opt_copy(b, node);
        p.node->scan.rows_only = true;
        return p;
    }
    PlanNode *copy = opt_copy(b, node);
    copy->ncols = k;
    copy->types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)k);
    copy->names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)k);
    copy->scan.read = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)k);
    copy->scan.nread = k;
    int32_t *map = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(n + 1));
    int32_t j = 0;
    for (int32_t c = 0; c < n; c++) {
        map[c] = -1;
        if (!need[c]) continue;
        map[c] = j;
        copy->types[j] = node->types[c];
        copy->names[j] = node->names[c];
        copy->scan.read[j] = node->scan.read ? node->scan.read[c] : c;
        j++;
    }
    if (wm) {
        WatermarkSpec *moved = wb_arena_alloc(b->arena, sizeof(WatermarkSpec));
        *moved = *wm;
        if (wm->rowtime >= 0) moved->rowtime = map[wm->rowtime];
        if (wm->rowtime_expr) moved->rowtime_expr = opt_expr_remap(b->arena, wm->rowtime_expr, map);
        moved->expr = opt_expr_remap(b->arena, wm->expr, map);
        copy->scan.watermark = moved;
    }
    return (Pruned){copy, map};
}

static Pruned prune(OptCtx *ctx, PlanNode *node, const bool *need)
{
    Binder *b = ctx->b;
    if (opt_shared(ctx, node)) {
        if (!ctx->memo[node->id]) {
            ctx->parents[node->id] = 1;
            Pruned all = prune(ctx, node, need_all(b, node->ncols));
            ctx->memo[node->id] = narrow(b, all, need_all(b, node->ncols), node->ncols).node;
            ctx->parents[node->id] = 2;
        }
        return (Pruned){ctx->memo[node->id], identity_map(b, node->ncols)};
    }
    switch (node->kind) {
    case PN_CALC: return prune_calc(ctx, node, need);
    case PN_AGG: return prune_agg(ctx, node, need);
    case PN_JOIN: return prune_join(ctx, node, need);
    case PN_RANK: return prune_rank(ctx, node, need);
    case PN_WATERMARK: return prune_watermark(ctx, node, need);
    case PN_WINDOW: return prune_window(ctx, node, need);
    case PN_TEMPORAL_FILTER: return prune_temporal(ctx, node, need);
    case PN_OVER: return prune_over(ctx, node, need);
    case PN_UNION: return prune_union(ctx, node, need);
    case PN_SINK: {
        PlanNode *in = opt_input(node, 0);
        PlanNode *copy = opt_copy(b, node);
        copy->inputs[0] = narrow(b, prune(ctx, in, need_all(b, in->ncols)),
                                 need_all(b, in->ncols), in->ncols).node;
        return (Pruned){copy, identity_map(b, node->ncols)};
    }
    case PN_EXCHANGE:
        return prune(ctx, node->inputs[0], need);
    case PN_SCAN:
        return prune_scan(ctx, node, need);
    case PN_VALUES:
        break;
    }
    return (Pruned){node, identity_map(b, node->ncols)};
}

PlanNode *opt_prune_columns(OptCtx *ctx, PlanNode *root)
{
    Binder *b = ctx->b;
    ctx->memo = wb_arena_calloc(b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    bool *all = need_all(b, root->ncols);
    Pruned p = narrow(b, prune(ctx, root, all), all, root->ncols);
    return p.node;
}
