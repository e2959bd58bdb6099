/*
 * optimizer.c - the optimizer's driver (logical plan in, physical plan out,
 * see opt_int.h) and the expression and node helpers its rules share.
 */
#include "sql/opt_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- expressions ---- */

void opt_expr_cols(const Expr *e, bool *used)
{
    if (e->kind == EX_COL) {
        used[e->col] = true;
        return;
    }
    for (int32_t i = 0; i < e->nargs; i++) opt_expr_cols(e->args[i], used);
}

bool opt_expr_within(const Expr *e, int32_t lo, int32_t hi)
{
    if (e->kind == EX_COL) return e->col >= lo && e->col < hi;
    for (int32_t i = 0; i < e->nargs; i++)
        if (!opt_expr_within(e->args[i], lo, hi)) return false;
    return true;
}

Expr *opt_expr_remap(WbArena *arena, const Expr *e, const int32_t *map)
{
    Expr *copy = wb_arena_alloc(arena, sizeof *copy);
    *copy = *e;
    if (e->kind == EX_COL) {
        copy->col = map[e->col];
        return copy;
    }
    if (e->nargs > 0) {
        copy->args = wb_arena_alloc(arena, sizeof(Expr *) * (size_t)e->nargs);
        for (int32_t i = 0; i < e->nargs; i++) copy->args[i] = opt_expr_remap(arena, e->args[i], map);
    }
    return copy;
}

Expr *opt_expr_subst(WbArena *arena, const Expr *e, const Expr *const *exprs)
{
    if (e->kind == EX_COL) return (Expr *)exprs[e->col];   /* shared: trees are read-only */
    Expr *copy = wb_arena_alloc(arena, sizeof *copy);
    *copy = *e;
    if (e->nargs > 0) {
        copy->args = wb_arena_alloc(arena, sizeof(Expr *) * (size_t)e->nargs);
        for (int32_t i = 0; i < e->nargs; i++) copy->args[i] = opt_expr_subst(arena, e->args[i], exprs);
    }
    return copy;
}

/* Whether e is NULL whenever every column in [lo, hi) is NULL and e
 * references one of them: a column, and functions that are NULL on a NULL
 * argument. */
static bool null_strict(const Expr *e, int32_t lo, int32_t hi)
{
    if (e->kind == EX_COL) return e->col >= lo && e->col < hi;
    if (e->kind != EX_CALL) return false;
    switch (e->fn) {
    case FN_ADD: case FN_SUB: case FN_MUL: case FN_DIV: case FN_MOD: case FN_NEG:
    case FN_EQ: case FN_NE: case FN_LT: case FN_LE: case FN_GT: case FN_GE:
    case FN_CAST: case FN_UPPER: case FN_LOWER: case FN_SUBSTRING: case FN_CHAR_LENGTH:
    case FN_ABS: case FN_EXTRACT: case FN_LIKE:
        for (int32_t i = 0; i < e->nargs; i++)
            if (null_strict(e->args[i], lo, hi)) return true;
        return false;
    default:
        return false;
    }
}

bool opt_null_rejecting(const Expr *e, int32_t lo, int32_t hi)
{
    if (e->kind != EX_CALL) return false;
    switch (e->fn) {
    case FN_AND:
        for (int32_t i = 0; i < e->nargs; i++)
            if (opt_null_rejecting(e->args[i], lo, hi)) return true;
        return false;
    case FN_OR:
        for (int32_t i = 0; i < e->nargs; i++)
            if (!opt_null_rejecting(e->args[i], lo, hi)) return false;
        return e->nargs > 0;
    case FN_IS_NOT_NULL:
    case FN_IS_TRUE:
        return null_strict(e->args[0], lo, hi);
    case FN_IN:
        return null_strict(e->args[0], lo, hi);
    default:
        return null_strict(e, lo, hi);
    }
}

/* ---- nodes ---- */

bool opt_shared(const OptCtx *ctx, const PlanNode *node)
{
    return node->id < ctx->nids && ctx->parents[node->id] > 1;
}

PlanNode *opt_memo(OptCtx *ctx, PlanNode *node, OptRewrite fn)
{
    if (!ctx->memo[node->id]) {
        int32_t parents = ctx->parents[node->id];
        ctx->parents[node->id] = 1;
        ctx->memo[node->id] = fn(ctx, node);
        ctx->parents[node->id] = parents;
    }
    return ctx->memo[node->id];
}

PlanNode *opt_map_inputs(OptCtx *ctx, PlanNode *node, OptRewrite fn)
{
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_copy(ctx->b, node);
    for (int32_t i = 0; i < node->ninputs; i++) copy->inputs[i] = fn(ctx, opt_input(node, i));
    return copy;
}

PlanNode *opt_input(const PlanNode *node, int32_t i)
{
    PlanNode *in = node->inputs[i];
    return in->kind == PN_EXCHANGE ? in->inputs[0] : in;
}

PlanNode *opt_copy(Binder *b, const PlanNode *node)
{
    PlanNode *copy = wb_arena_alloc(b->arena, sizeof *copy);
    *copy = *node;
    copy->id = b->next_id++;
    if (node->ninputs > 0) {
        copy->inputs = wb_arena_alloc(b->arena, sizeof(PlanNode *) * (size_t)node->ninputs);
        memcpy(copy->inputs, node->inputs, sizeof(PlanNode *) * (size_t)node->ninputs);
    }
    return copy;
}

PlanNode *opt_calc(Binder *b, PlanNode *input, Expr *filter, int32_t nexprs, Expr **exprs,
                   char **names)
{
    return sql_node_calc(b, input, filter, nexprs, exprs, names);
}

PlanNode *opt_filter(Binder *b, PlanNode *input, Expr **conds, int32_t n)
{
    if (n == 0) return input;
    return sql_node_filter_extend(b, input, sql_and_all(b, conds, n), 0, NULL);
}

PlanNode *opt_project(Binder *b, PlanNode *input, const int32_t *cols, int32_t n)
{
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(n ? n : 1));
    for (int32_t i = 0; i < n; i++) {
        exprs[i] = sql_expr_col(b->arena, cols[i], input->types[cols[i]]);
        names[i] = input->names[cols[i]];
    }
    return sql_node_calc(b, input, NULL, n, exprs, names);
}

static void count_uses(const Expr *e, int32_t *uses)
{
    if (e->kind == EX_COL) uses[e->col]++;
    for (int32_t i = 0; i < e->nargs; i++) count_uses(e->args[i], uses);
}

PlanNode *opt_calc_merge(Binder *b, const PlanNode *upper, const PlanNode *lower)
{
    /* upper's filter runs after lower's projection: substituted, it runs
     * after lower's filter (AND evaluates left to right per row) */
    int32_t n = lower->ncols;
    int32_t *uses = wb_arena_calloc(b->arena, sizeof(int32_t) * (size_t)(n + 1));
    for (int32_t i = 0; i < upper->calc.nexprs; i++) count_uses(upper->calc.exprs[i], uses);
    if (upper->calc.filter) count_uses(upper->calc.filter, uses);
    for (int32_t c = 0; c < n; c++)
        if (uses[c] > 1 && lower->calc.exprs[c]->kind == EX_CALL) return NULL;
    Expr **merged = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(upper->calc.nexprs + 1));
    for (int32_t i = 0; i < upper->calc.nexprs; i++)
        merged[i] = opt_expr_subst(b->arena, upper->calc.exprs[i], lower->calc.exprs);
    Expr *filter = (Expr *)lower->calc.filter;
    if (upper->calc.filter) {
        Expr *f = opt_expr_subst(b->arena, upper->calc.filter, lower->calc.exprs);
        Expr *both[2] = {filter, f};
        filter = filter ? sql_and_all(b, both, 2) : f;
    }
    return sql_node_calc(b, lower->inputs[0], filter, upper->calc.nexprs, merged, upper->names);
}

/* CALC over CALC (the lower one read by it alone) becomes one CALC. */
static PlanNode *merge_calcs(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, merge_calcs);
    if (node->ninputs == 0) return node;
    PlanNode *copy = opt_map_inputs(ctx, node, merge_calcs);
    PlanNode *in = copy->inputs[0];
    if (copy->kind == PN_CALC && in != copy && in->kind == PN_CALC &&
        !opt_shared(ctx, node->inputs[0])) {
        PlanNode *merged = opt_calc_merge(ctx->b, copy, in);
        if (merged) return merged;
    }
    return copy;
}

/* Bytes under a path: a file's size, a directory's visible files' sum. */
static double path_bytes(const char *path, int depth)
{
    struct stat st;
    if (!path || stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) return (double)st.st_size;
    if (depth > 4) return 0;
    DIR *dir = opendir(path);
    if (!dir) return -1;
    double sum = 0;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (ent->d_name[0] == '.' || ent->d_name[0] == '_') continue;
        size_t len = strlen(path) + strlen(ent->d_name) + 2;
        char *sub = malloc(len);
        if (!sub) break;
        snprintf(sub, len, "%s/%s", path, ent->d_name);
        double n = path_bytes(sub, depth + 1);
        free(sub);
        if (n > 0) sum += n;
    }
    closedir(dir);
    return sum;
}

/* Estimated rows of a node, and in *base the rows of the same inputs
 * before any filter: their ratio is the fraction a join with this input
 * keeps of the other side (a join on a key of a filtered dimension keeps
 * that fraction of the facts: the fact side is the one with more rows
 * before filters). */
static double estimate(const PlanNode *node, double *base)
{
    switch (node->kind) {
    case PN_SCAN: {
        const TableDef *t = node->scan.table;
        const char *rows = sql_table_option(t, "number-of-rows");
        double n;
        if (rows) {
            n = atof(rows);
        } else {
            double bytes = path_bytes(sql_table_option(t, "path"), 0);
            /* csv: about 8 bytes per field of the file's whole row */
            n = bytes < 0 ? 1e6 : bytes / (8.0 * sql_table_physical(t, NULL, NULL) + 1) + 1;
        }
        *base = n;
        return n;
    }
    case PN_VALUES:
        *base = node->values.nrows;
        return node->values.nrows;
    case PN_CALC: {
        double in = estimate(opt_input(node, 0), base);
        if (!node->calc.filter) return in;
        int32_t n = sql_count_and(node->calc.filter);
        for (int32_t i = 0; i < n && in > 1; i++) in *= 0.3;
        return in;
    }
    case PN_AGG: {
        double in = estimate(opt_input(node, 0), base);
        double out = node->agg.ngroup == 0 ? 1 : in * 0.5;
        *base = out;
        return out;
    }
    case PN_JOIN: {
        double lb, rb;
        double l = estimate(opt_input(node, 0), &lb);
        double r = estimate(opt_input(node, 1), &rb);
        *base = lb > rb ? lb : rb;
        if (node->join.type == JT_SEMI || node->join.type == JT_ANTI ||
            node->join.type == JT_ANTI_NULL_AWARE) {
            *base = lb;
            return l * 0.5;
        }
        if (node->join.nkeys == 0) {
            *base = lb * rb;
            return l * r;
        }
        /* the side with more rows before filters is the fact side: each of
         * its rows finds its key in the other side's rows that remain */
        double ls = lb > 0 ? l / lb : 1, rs = rb > 0 ? r / rb : 1;
        return lb >= rb ? l * rs : r * ls;
    }
    case PN_RANK: {
        double out = estimate(opt_input(node, 0), base) * 0.5;
        *base = out;
        return out;
    }
    case PN_UNION: {
        double sum = 0, bsum = 0;
        for (int32_t i = 0; i < node->ninputs; i++) {
            double b;
            sum += estimate(opt_input(node, i), &b);
            bsum += b;
        }
        *base = bsum;
        return sum;
    }
    case PN_EXCHANGE:
    case PN_SINK:
    case PN_WATERMARK:
        return estimate(node->inputs[0], base);
    case PN_TEMPORAL_FILTER:
        return estimate(node->inputs[0], base) * 0.5;
    case PN_OVER:
        return estimate(node->inputs[0], base);
    case PN_WINDOW: {
        double copies = 1;
        if (node->window.kind != WK_TUMBLE && node->window.slide > 0)
            copies = (double)node->window.size / (double)node->window.slide;
        double out = estimate(opt_input(node, 0), base) * copies;
        *base *= copies;
        return out;
    }
    }
    *base = 1e6;
    return 1e6;
}

double opt_estimate_rows(const PlanNode *node)
{
    double base;
    return estimate(node, &base);
}

/* ---- driver ---- */

typedef struct Visit {
    int32_t n;
    uint8_t *seen;               /* by node id */
} Visit;

static bool visit_first(Visit *v, const PlanNode *node)
{
    if (node->id >= v->n) return true;   /* created after the count: new */
    if (v->seen[node->id]) return false;
    v->seen[node->id] = 1;
    return true;
}

static void strip_exchanges(Visit *v, PlanNode *node)
{
    if (!visit_first(v, node)) return;
    for (int32_t i = 0; i < node->ninputs; i++) {
        while (node->inputs[i]->kind == PN_EXCHANGE) node->inputs[i] = node->inputs[i]->inputs[0];
        strip_exchanges(v, node->inputs[i]);
    }
}

static void count_parents(Visit *v, OptCtx *ctx, PlanNode *node)
{
    if (!visit_first(v, node)) return;
    for (int32_t i = 0; i < node->ninputs; i++) {
        ctx->parents[node->inputs[i]->id]++;
        count_parents(v, ctx, node->inputs[i]);
    }
}

/* A CALC that passes its input through unchanged (it only renames
 * columns, which matters at the root alone). */
static bool is_rename(const PlanNode *node)
{
    if (node->kind != PN_CALC || node->calc.filter || node->ncols != node->inputs[0]->ncols)
        return false;
    for (int32_t i = 0; i < node->ncols; i++) {
        const Expr *e = node->calc.exprs[i];
        if (e->kind != EX_COL || e->col != i || !ty_equal(e->type, node->inputs[0]->types[i]))
            return false;
    }
    return true;
}

/* Exchanges in front of stateful nodes and modes, bottom-up, once per
 * node; renaming CALCs below the root are dropped. */
static void make_physical(Visit *v, Binder *b, const OptCtx *ctx, PlanNode *node)
{
    if (!visit_first(v, node)) return;
    for (int32_t i = 0; i < node->ninputs; i++) {
        while (is_rename(node->inputs[i])) node->inputs[i] = node->inputs[i]->inputs[0];
        make_physical(v, b, ctx, node->inputs[i]);
    }
    /* the filter right above a scan (of this reader alone), or above its
     * watermark assigner (same columns), is handed to the connector: as
     * in Flink, a source that skips rows by it generates its watermark
     * from the rows it keeps */
    if (node->kind == PN_CALC && node->calc.filter) {
        PlanNode *in = node->inputs[0];
        if (in->kind == PN_WATERMARK && !opt_shared(ctx, in)) in = in->inputs[0];
        if (in->kind == PN_SCAN && !opt_shared(ctx, in)) in->scan.filter = node->calc.filter;
    }
    switch (node->kind) {
    case PN_AGG:
        node->inputs[0] = sql_node_exchange(b, node->inputs[0], node->agg.ngroup, node->agg.group);
        break;
    case PN_JOIN:
        node->inputs[0] = sql_node_exchange(b, node->inputs[0], node->join.nkeys,
                                            node->join.left_keys);
        node->inputs[1] = sql_node_exchange(b, node->inputs[1], node->join.nkeys,
                                            node->join.right_keys);
        break;
    case PN_RANK:
        node->inputs[0] = sql_node_exchange(b, node->inputs[0], node->rank.npartition,
                                            node->rank.partition);
        break;
    case PN_OVER:
        node->inputs[0] = sql_node_exchange(b, node->inputs[0], node->over.npartition,
                                            node->over.partition);
        break;
    case PN_WINDOW:
        if (node->window.kind == WK_SESSION)
            node->inputs[0] = sql_node_exchange(b, node->inputs[0], node->window.npartition,
                                                node->window.partition);
        break;
    default:
        break;
    }
    sql_node_derive_mode(b, node);
}

static Visit visit_new(Binder *b)
{
    Visit v;
    v.n = b->next_id;
    v.seen = wb_arena_calloc(b->arena, (size_t)(v.n ? v.n : 1));
    return v;
}

static void count_all(OptCtx *ctx, PlanNode *root)
{
    ctx->nids = ctx->b->next_id;
    ctx->parents = wb_arena_calloc(ctx->b->arena, sizeof(int32_t) * (size_t)(ctx->nids ? ctx->nids : 1));
    Visit v = visit_new(ctx->b);
    count_parents(&v, ctx, root);
}

static const char *explain_text(Binder *b, const PlanNode *root)
{
    WbBuf text = {0};
    sql_plan_explain_logical(root, &text);
    char *copy = wb_arena_strndup(b->arena, text.data ? text.data : "", text.len);
    wb_buf_free(&text);
    return copy;
}

PlanNode *sql_optimize(Binder *b, PlanNode *root, QueryPlan *out)
{
    Visit v = visit_new(b);
    strip_exchanges(&v, root);
    out->logical_text = explain_text(b, root);
    OptCtx ctx = {.b = b};
    count_all(&ctx, root);
    root = opt_fold_constants(&ctx, root);
    count_all(&ctx, root);
    root = opt_window_operators(&ctx, root);
    count_all(&ctx, root);
    root = opt_push_watermarks(&ctx, root);
    count_all(&ctx, root);
    root = opt_push_filters(&ctx, root);
    count_all(&ctx, root);
    root = opt_order_joins(&ctx, root);
    count_all(&ctx, root);
    root = opt_push_filters(&ctx, root);   /* keys of the reordered joins */
    count_all(&ctx, root);
    root = opt_temporal_filters(&ctx, root);
    count_all(&ctx, root);
    root = opt_interval_joins(&ctx, root);
    count_all(&ctx, root);
    root = opt_push_semi_joins(&ctx, root);
    count_all(&ctx, root);
    root = opt_batch_build_side(&ctx, root);
    count_all(&ctx, root);
    root = opt_prune_columns(&ctx, root);
    root = opt_share_subplans(&ctx, root);
    count_all(&ctx, root);
    ctx.memo = wb_arena_calloc(b->arena, sizeof(PlanNode *) * (size_t)(ctx.nids + 1));
    root = merge_calcs(&ctx, root);
    out->optimized_text = explain_text(b, root);
    count_all(&ctx, root);
    Visit p = visit_new(b);
    make_physical(&p, b, &ctx, root);
    return root;
}
