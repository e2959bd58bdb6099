/*
 * nodes.c - construction of plan nodes (plan.h) with their output schema and
 * their changelog mode, derived bottom-up from the inputs' modes.  Every
 * node lives in the plan arena; ids are unique within one planned statement.
 */
#include "sql/planner_int.h"

#include <string.h>

PlanNode *sql_node_new(Binder *b, PlanKind kind, int32_t ncols, int32_t ninputs)
{
    PlanNode *node = wb_arena_calloc(b->arena, sizeof *node);
    node->kind = kind;
    node->id = b->next_id++;
    node->ncols = ncols;
    node->types = wb_arena_calloc(b->arena, sizeof(SqlType) * (size_t)(ncols ? ncols : 1));
    node->names = wb_arena_calloc(b->arena, sizeof(char *) * (size_t)(ncols ? ncols : 1));
    node->ninputs = ninputs;
    if (ninputs > 0)
        node->inputs = wb_arena_calloc(b->arena, sizeof(PlanNode *) * (size_t)ninputs);
    node->mode = CM_INSERT_ONLY;
    return node;
}

static int32_t *copy_ints(Binder *b, const int32_t *src, int32_t n)
{
    int32_t *dst = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(n ? n : 1));
    if (n > 0) memcpy(dst, src, sizeof(int32_t) * (size_t)n);
    return dst;
}

static void set_upsert(Binder *b, PlanNode *node, int32_t nkey, const int32_t *key)
{
    node->mode = CM_UPSERT;
    node->nupsert_key = nkey;
    node->upsert_key = copy_ints(b, key, nkey);
}

static void copy_mode(Binder *b, PlanNode *node, const PlanNode *input)
{
    node->mode = input->mode;
    if (input->mode == CM_UPSERT) set_upsert(b, node, input->nupsert_key, input->upsert_key);
}

static bool is_changelog_format(const char *format)
{
    return format && (strcmp(format, "debezium-json") == 0 || strcmp(format, "canal-json") == 0);
}

/* SCAN outputs the table's physical columns.  A changelog format makes it
 * retracting; with a primary key over physical columns it is an upsert
 * stream keyed by them.  The upsert-kafka connector is keyed too. */
PlanNode *sql_node_scan(Binder *b, const TableDef *table)
{
    int32_t nphys = sql_table_physical(table, NULL, NULL);
    PlanNode *node = sql_node_new(b, PN_SCAN, nphys, 0);
    int32_t *index = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nphys ? nphys : 1));
    sql_table_physical(table, node->types, index);
    for (int32_t i = 0; i < nphys; i++) node->names[i] = table->cols[index[i]].name;
    node->scan.table = table;
    const char *connector = sql_table_option(table, "connector");
    bool changelog = is_changelog_format(sql_table_option(table, "format")) ||
                     (connector && strcmp(connector, "upsert-kafka") == 0);
    /* A stored table gives changes when read incrementally, and a
     * primary-key one when read as a stream (a snapshot, then its changes:
     * updates and deletes); a batch read of a snapshot gives rows. */
    if (table->store_dir)
        changelog = sql_table_option(table, "incremental-between") != NULL ||
                    (!b->batch_mode && table->npk > 0);
    if (!changelog) return node;
    node->mode = CM_RETRACT;
    if (table->npk == 0) return node;
    int32_t *key = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)table->npk);
    for (int32_t k = 0; k < table->npk; k++) {
        key[k] = -1;
        for (int32_t i = 0; i < nphys; i++)
            if (index[i] == table->pk[k]) key[k] = i;
        if (key[k] < 0) return node;   /* key over a computed column: no upsert key */
    }
    set_upsert(b, node, table->npk, key);
    return node;
}

/* CALC keeps its input's mode; an upsert key survives when every key column
 * is projected as a plain reference. */
static void calc_derive_mode(Binder *b, PlanNode *node)
{
    const PlanNode *input = node->inputs[0];
    int32_t nexprs = node->calc.nexprs;
    const Expr **exprs = node->calc.exprs;
    node->mode = input->mode;
    node->nupsert_key = 0;
    if (input->mode != CM_UPSERT) return;
    int32_t *key = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(input->nupsert_key + 1));
    for (int32_t k = 0; k < input->nupsert_key; k++) {
        key[k] = -1;
        for (int32_t i = 0; i < nexprs && key[k] < 0; i++)
            if (exprs[i]->kind == EX_COL && exprs[i]->col == input->upsert_key[k]) key[k] = i;
        if (key[k] < 0) {
            node->mode = CM_RETRACT;
            return;
        }
    }
    set_upsert(b, node, input->nupsert_key, key);
}

/* Re-derives the modes of the CALC/EXCHANGE chain from `node` down to
 * `changed`; returns whether `changed` is below `node` on such a chain. */
static bool refresh_modes(Binder *b, PlanNode *node, const PlanNode *changed)
{
    if (node == changed) return true;
    if ((node->kind != PN_CALC && node->kind != PN_EXCHANGE) ||
        !refresh_modes(b, node->inputs[0], changed))
        return false;
    if (node->kind == PN_CALC) calc_derive_mode(b, node);
    else copy_mode(b, node, node->inputs[0]);
    return true;
}

void sql_node_rank_set_limit(Binder *b, PlanNode *top, PlanNode *rank, int64_t limit)
{
    if (rank->rank.limit >= 0 && rank->rank.limit <= limit) return;
    rank->rank.limit = limit;
    /* Deduplication (rn = 1): at most one row per partition, so the
     * partition columns alone are a unique key, and it survives the outer
     * query projecting rn away. */
    if (limit == 1 && rank->rank.offset == 0) {
        set_upsert(b, rank, rank->rank.npartition, rank->rank.partition);
        refresh_modes(b, top, rank);
    }
}
static bool expr_uses_col(const Expr *e, int32_t col)
{
    if (e->kind == EX_COL) return e->col == col;
    for (int32_t i = 0; i < e->nargs; i++)
        if (expr_uses_col(e->args[i], col)) return true;
    return false;
}

/* The top-N whose row number column `col` of `node` is, through plain
 * column projections, or NULL. */
static PlanNode *rownum_rank(PlanNode *node, int32_t col)
{
    while (node->kind == PN_CALC) {
        const Expr *e = node->calc.exprs[col];
        if (e->kind != EX_COL || e->col >= node->inputs[0]->ncols) return NULL;
        col = e->col;
        node = node->inputs[0];
    }
    if (node->kind == PN_RANK && node->rank.emit_rownum && col == node->ncols - 1) return node;
    return NULL;
}

PlanNode *sql_node_calc(Binder *b, PlanNode *input, const Expr *filter, int32_t nexprs,
                        Expr **exprs, char **names)
{
    /* An identity projection with the same names is no node at all. */
    bool identity = !filter && nexprs == input->ncols;
    for (int32_t i = 0; i < nexprs && identity; i++)
        identity = exprs[i]->kind == EX_COL && exprs[i]->col == i &&
                   ty_equal(exprs[i]->type, input->types[i]) &&
                   (!names || !names[i] || strcmp(names[i], input->names[i]) == 0);
    if (identity) return input;
    PlanNode *node = sql_node_new(b, PN_CALC, nexprs, 1);
    node->inputs[0] = input;
    node->calc.filter = filter;
    node->calc.nexprs = nexprs;
    node->calc.exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nexprs ? nexprs : 1));
    for (int32_t i = 0; i < nexprs; i++) {
        node->calc.exprs[i] = exprs[i];
        node->types[i] = exprs[i]->type;
        if (names && names[i]) node->names[i] = names[i];
        else if (exprs[i]->kind == EX_COL && exprs[i]->col < input->ncols)
            node->names[i] = input->names[exprs[i]->col];
        else node->names[i] = wb_arena_printf(b->arena, "EXPR$%d", (int)i);
    }
    calc_derive_mode(b, node);
    /* A top-N's row number that this projection drops (WHERE rn <= N and
     * a select list without rn): no query column shows positions. */
    for (int32_t c = 0; c < input->ncols; c++) {
        PlanNode *rank = rownum_rank(input, c);
        if (!rank) continue;
        bool used = false;
        for (int32_t i = 0; i < nexprs && !used; i++) used = expr_uses_col(exprs[i], c);
        if (!used) rank->rank.rownum_hidden = true;
    }
    return node;
}

PlanNode *sql_node_filter_extend(Binder *b, PlanNode *input, const Expr *filter,
                                 int32_t nextra, Expr **extra)
{
    int32_t n = input->ncols + nextra;
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(n ? n : 1));
    for (int32_t i = 0; i < input->ncols; i++) {
        exprs[i] = sql_expr_col(b->arena, i, input->types[i]);
        names[i] = input->names[i];
    }
    for (int32_t i = 0; i < nextra; i++) {
        exprs[input->ncols + i] = extra[i];
        names[input->ncols + i] = wb_arena_printf(b->arena, "$f%d", (int)(input->ncols + i));
    }
    return sql_node_calc(b, input, filter, n, exprs, names);
}

PlanNode *sql_node_exchange(Binder *b, PlanNode *input, int32_t nkeys, const int32_t *keys)
{
    PlanNode *node = sql_node_new(b, PN_EXCHANGE, input->ncols, 1);
    node->inputs[0] = input;
    memcpy(node->types, input->types, sizeof(SqlType) * (size_t)input->ncols);
    memcpy(node->names, input->names, sizeof(char *) * (size_t)input->ncols);
    node->exchange.nkeys = nkeys;
    node->exchange.keys = copy_ints(b, keys, nkeys);
    copy_mode(b, node, input);
    return node;
}

/* WATERMARK over `input`: the same columns; `rowtime` becomes the rowtime
 * attribute. */
PlanNode *sql_node_watermark(Binder *b, PlanNode *input, int32_t rowtime, const Expr *expr,
                             int64_t idle_timeout_us)
{
    PlanNode *node = sql_node_new(b, PN_WATERMARK, input->ncols, 1);
    node->inputs[0] = input;
    memcpy(node->types, input->types, sizeof(SqlType) * (size_t)input->ncols);
    memcpy(node->names, input->names, sizeof(char *) * (size_t)input->ncols);
    node->types[rowtime].time_attr = TY_ROWTIME;
    node->watermark.rowtime = rowtime;
    node->watermark.expr = expr;
    node->watermark.idle_timeout_us = idle_timeout_us;
    copy_mode(b, node, input);
    return node;
}

/* WINDOW over `input`: its columns, then window_start, window_end and
 * window_time.  The input's time attributes lose their mark (the window
 * columns carry time from here on), as in Flink: window_time is a rowtime
 * attribute when the time column was one. */
PlanNode *sql_node_window(Binder *b, PlanNode *input, const WindowSpec *spec)
{
    int32_t n = input->ncols;
    PlanNode *node = sql_node_new(b, PN_WINDOW, n + 3, 1);
    node->inputs[0] = input;
    memcpy(node->types, input->types, sizeof(SqlType) * (size_t)n);
    memcpy(node->names, input->names, sizeof(char *) * (size_t)n);
    for (int32_t i = 0; i < n; i++) node->types[i].time_attr = 0;
    SqlType ts = ty_timestamp(3);
    ts.nullable = 0;
    node->types[n] = ts;
    node->types[n + 1] = ts;
    node->types[n + 2] = ts;
    node->types[n + 2].time_attr = input->types[spec->time_col].time_attr;
    node->types[n + 2].ltz = input->types[spec->time_col].ltz;
    node->names[n] = "window_start";
    node->names[n + 1] = "window_end";
    node->names[n + 2] = "window_time";
    node->window = *spec;
    copy_mode(b, node, input);
    if (node->mode == CM_UPSERT) node->mode = CM_RETRACT;
    return node;
}

/* AGG over input columns 0..ngroup-1 (the caller's pre-projection puts the
 * group keys first), behind an EXCHANGE on them.  Output: upsert keyed by
 * the group columns; a global aggregate is an upsert with an empty key (a
 * single row whose updates pair a retraction with the next insertion). */
PlanNode *sql_node_agg(Binder *b, PlanNode *input, int32_t ngroup, int32_t naggs,
                       const AggItem *aggs, const int32_t *arg_cols,
                       const int32_t *arg2_cols, const int32_t *filter_cols)
{
    int32_t *group = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(ngroup ? ngroup : 1));
    for (int32_t i = 0; i < ngroup; i++) group[i] = i;
    PlanNode *exchange = sql_node_exchange(b, input, ngroup, group);
    PlanNode *node = sql_node_new(b, PN_AGG, ngroup + naggs, 1);
    node->inputs[0] = exchange;
    for (int32_t i = 0; i < ngroup; i++) {
        node->types[i] = input->types[i];
        node->names[i] = input->names[i];
    }
    node->agg.ngroup = ngroup;
    node->agg.group = group;
    node->agg.naggs = naggs;
    node->agg.aggs = wb_arena_calloc(b->arena, sizeof(AggCall) * (size_t)(naggs ? naggs : 1));
    for (int32_t j = 0; j < naggs; j++) {
        AggCall *call = &node->agg.aggs[j];
        call->kind = aggs[j].kind;
        call->distinct = aggs[j].distinct;
        call->arg = arg_cols[j];
        call->arg2 = arg2_cols[j];
        call->filter = filter_cols[j];
        call->type = aggs[j].type;
        call->line = aggs[j].line;
        call->column = aggs[j].column;
        node->types[ngroup + j] = aggs[j].type;
        node->names[ngroup + j] = wb_arena_printf(b->arena, "EXPR$%d", (int)(ngroup + j));
    }
    set_upsert(b, node, ngroup, group);
    return node;
}

/* JOIN behind one EXCHANGE per input on its keys.  Insert-only when both
 * inputs are and the join never takes a row back (inner and semi joins);
 * every other combination retracts (outer joins retract null-padded rows,
 * anti joins retract a row when its first match arrives). */
PlanNode *sql_node_join(Binder *b, JoinType type, PlanNode *left, PlanNode *right,
                        int32_t nkeys, const int32_t *left_keys,
                        const int32_t *right_keys, const Expr *cond)
{
    bool semi = type == JT_SEMI || type == JT_ANTI || type == JT_ANTI_NULL_AWARE;
    int32_t ncols = semi ? left->ncols : left->ncols + right->ncols;
    PlanNode *node = sql_node_new(b, PN_JOIN, ncols, 2);
    node->inputs[0] = sql_node_exchange(b, left, nkeys, left_keys);
    node->inputs[1] = sql_node_exchange(b, right, nkeys, right_keys);
    for (int32_t i = 0; i < left->ncols; i++) {
        node->types[i] = left->types[i];
        node->names[i] = left->names[i];
        if (type == JT_RIGHT || type == JT_FULL) node->types[i].nullable = 1;
    }
    if (!semi) {
        for (int32_t i = 0; i < right->ncols; i++) {
            node->types[left->ncols + i] = right->types[i];
            node->names[left->ncols + i] = right->names[i];
            if (type == JT_LEFT || type == JT_FULL) node->types[left->ncols + i].nullable = 1;
        }
    }
    node->join.type = type;
    node->join.nkeys = nkeys;
    node->join.left_keys = copy_ints(b, left_keys, nkeys);
    node->join.right_keys = copy_ints(b, right_keys, nkeys);
    node->join.cond = cond;
    bool inserts = left->mode == CM_INSERT_ONLY && right->mode == CM_INSERT_ONLY;
    node->mode = inserts && (type == JT_INNER || type == JT_SEMI) ? CM_INSERT_ONLY : CM_RETRACT;
    return node;
}

/* RANK behind an EXCHANGE on the partition columns.  Retracting: a row
 * leaves the top-N when a better one arrives.  With the row number emitted,
 * (partition, rn) is a unique key, so the output is an upsert stream. */
PlanNode *sql_node_rank(Binder *b, PlanNode *input, int32_t npartition,
                        const int32_t *partition, int32_t nsort, const SortKey *sort,
                        int64_t limit, int64_t offset, bool emit_rownum)
{
    PlanNode *exchange = sql_node_exchange(b, input, npartition, partition);
    int32_t ncols = input->ncols + (emit_rownum ? 1 : 0);
    PlanNode *node = sql_node_new(b, PN_RANK, ncols, 1);
    node->inputs[0] = exchange;
    memcpy(node->types, input->types, sizeof(SqlType) * (size_t)input->ncols);
    memcpy(node->names, input->names, sizeof(char *) * (size_t)input->ncols);
    node->rank.npartition = npartition;
    node->rank.partition = copy_ints(b, partition, npartition);
    node->rank.nsort = nsort;
    node->rank.sort = wb_arena_alloc(b->arena, sizeof(SortKey) * (size_t)(nsort ? nsort : 1));
    if (nsort > 0) memcpy(node->rank.sort, sort, sizeof(SortKey) * (size_t)nsort);
    node->rank.limit = limit;
    node->rank.offset = offset;
    node->rank.emit_rownum = emit_rownum;
    node->mode = CM_RETRACT;
    if (emit_rownum) {
        SqlType rn = ty_make(TY_BIGINT);
        rn.nullable = 0;
        node->types[input->ncols] = rn;
        node->names[input->ncols] = "rn";
        int32_t *key = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(npartition + 1));
        memcpy(key, partition, sizeof(int32_t) * (size_t)npartition);
        key[npartition] = input->ncols;
        set_upsert(b, node, npartition + 1, key);
    }
    if (limit == 1 && offset == 0) set_upsert(b, node, npartition, partition);
    return node;
}

/* UNION ALL of inputs that already share one schema (the caller casts).
 * Retracting as soon as one input is not insert-only: two upsert inputs
 * together have no unique key any more. */
PlanNode *sql_node_union(Binder *b, int32_t ninputs, PlanNode **inputs)
{
    PlanNode *first = inputs[0];
    PlanNode *node = sql_node_new(b, PN_UNION, first->ncols, ninputs);
    memcpy(node->names, first->names, sizeof(char *) * (size_t)first->ncols);
    memcpy(node->types, first->types, sizeof(SqlType) * (size_t)first->ncols);
    node->mode = CM_INSERT_ONLY;
    for (int32_t i = 0; i < ninputs; i++) {
        node->inputs[i] = inputs[i];
        if (inputs[i]->mode != CM_INSERT_ONLY) node->mode = CM_RETRACT;
        for (int32_t c = 0; c < node->ncols; c++)
            if (inputs[i]->types[c].nullable) node->types[c].nullable = 1;
    }
    return node;
}

PlanNode *sql_node_distinct(Binder *b, PlanNode *input)
{
    return sql_node_agg(b, input, input->ncols, 0, NULL, NULL, NULL, NULL);
}

/* The changelog mode and upsert key of a node from its inputs' (which
 * are derived already), by the rules of the constructors above.  SCAN
 * and VALUES keep theirs: they depend on the table, not on inputs.  In
 * batch mode (Binder.batch_mode) aggregates and top-N emit only final
 * rows, so they and joins over insert-only inputs are insert-only, and
 * operators choosing an implementation by their input's mode (the
 * append-only top-N, MIN/MAX without counts) take the cheap one. */
void sql_node_derive_mode(Binder *b, PlanNode *node)
{
    if (b->batch_mode && (node->kind == PN_AGG || node->kind == PN_RANK || node->kind == PN_JOIN)) {
        /* batch: an aggregate or a top-N emits its final rows once, at the
         * end of input; a join emits its pairs as they form (never taken
         * back over inputs that only insert) and its padded, ANTI and NOT
         * IN rows at the end (exec/join.c) */
        bool inserts = node->kind != PN_JOIN || (node->inputs[0]->mode == CM_INSERT_ONLY &&
                                                 node->inputs[1]->mode == CM_INSERT_ONLY);
        if (inserts) {
            node->mode = CM_INSERT_ONLY;
            node->nupsert_key = 0;
            return;
        }
    }
    switch (node->kind) {
    case PN_SCAN:
    case PN_VALUES:
        return;
    case PN_CALC:
        calc_derive_mode(b, node);
        return;
    case PN_EXCHANGE:
    case PN_SINK:
    case PN_WATERMARK:
        copy_mode(b, node, node->inputs[0]);
        return;
    case PN_WINDOW:
        copy_mode(b, node, node->inputs[0]);
        if (node->mode == CM_UPSERT) node->mode = CM_RETRACT;
        return;
    case PN_OVER:
        /* over an updating input, rows whose values change are retracted */
        node->mode = node->inputs[0]->mode == CM_INSERT_ONLY ? CM_INSERT_ONLY : CM_RETRACT;
        node->nupsert_key = 0;
        return;
    case PN_TEMPORAL_FILTER: {
        /* rows that leave are retracted; kinds are plain -D/+I */
        bool leaves = false;
        for (int32_t i = 0; i < node->temporal.nbounds; i++) leaves |= !node->temporal.bounds[i].lower;
        node->mode = !leaves && node->inputs[0]->mode == CM_INSERT_ONLY ? CM_INSERT_ONLY : CM_RETRACT;
        node->nupsert_key = 0;
        return;
    }
    case PN_AGG:
        if (node->agg.window && !b->early_fire) {
            /* one final row per window and group */
            node->mode = CM_INSERT_ONLY;
            node->nupsert_key = 0;
            return;
        }
        set_upsert(b, node, node->agg.ngroup, node->agg.group);
        for (int32_t i = 0; i < node->agg.ngroup; i++) node->upsert_key[i] = i;
        return;
    case PN_JOIN: {
        JoinType type = node->join.type;
        bool inserts = node->inputs[0]->mode == CM_INSERT_ONLY &&
                       node->inputs[1]->mode == CM_INSERT_ONLY;
        /* an interval join's padded rows come once, when final */
        node->mode = inserts && (type == JT_INNER || type == JT_SEMI || node->join.interval)
                         ? CM_INSERT_ONLY : CM_RETRACT;
        node->nupsert_key = 0;
        return;
    }
    case PN_RANK: {
        const RankSpec *r = &node->rank;
        node->mode = CM_RETRACT;
        node->nupsert_key = 0;
        if (r->window) {
            node->mode = CM_INSERT_ONLY;   /* each window's rows once, final */
            return;
        }
        if (r->emit_rownum) {
            int32_t *key = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(r->npartition + 1));
            memcpy(key, r->partition, sizeof(int32_t) * (size_t)r->npartition);
            key[r->npartition] = node->ncols - 1;
            set_upsert(b, node, r->npartition + 1, key);
        }
        if (r->limit == 1 && r->offset == 0) set_upsert(b, node, r->npartition, r->partition);
        return;
    }
    case PN_UNION:
        node->mode = CM_INSERT_ONLY;
        node->nupsert_key = 0;
        for (int32_t i = 0; i < node->ninputs; i++)
            if (node->inputs[i]->mode != CM_INSERT_ONLY) node->mode = CM_RETRACT;
        return;
    }
}
