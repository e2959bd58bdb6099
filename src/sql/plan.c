/*
 * plan.c - names of plan kinds and changelog modes, and the EXPLAIN text of
 * a plan: one line per node, indented two spaces per level, each ending with
 * the node's changelog mode.  A node shared by several parents (a CTE used
 * twice) is printed in full the first time and as a reference afterwards.
 */
#include "sql/plan.h"

#include <stdlib.h>
#include <string.h>

const char *sql_plan_kind_name(PlanKind kind)
{
    switch (kind) {
    case PN_SCAN: return "Scan";
    case PN_VALUES: return "Values";
    case PN_CALC: return "Calc";
    case PN_AGG: return "Agg";
    case PN_JOIN: return "Join";
    case PN_RANK: return "Rank";
    case PN_UNION: return "Union";
    case PN_EXCHANGE: return "Exchange";
    case PN_WATERMARK: return "WatermarkAssigner";
    case PN_WINDOW: return "WindowTableFunction";
    case PN_TEMPORAL_FILTER: return "TemporalFilter";
    case PN_OVER: return "OverAggregate";
    case PN_SINK: return "Sink";
    }
    return "?";
}

const char *sql_changelog_mode_name(ChangelogMode mode)
{
    switch (mode) {
    case CM_INSERT_ONLY: return "insert-only";
    case CM_RETRACT: return "retract";
    case CM_UPSERT: return "upsert";
    }
    return "?";
}

static const char *join_type_name(JoinType type)
{
    switch (type) {
    case JT_INNER: return "inner";
    case JT_LEFT: return "left";
    case JT_RIGHT: return "right";
    case JT_FULL: return "full";
    case JT_SEMI: return "semi";
    case JT_ANTI: return "anti";
    case JT_ANTI_NULL_AWARE: return "anti-null-aware";
    }
    return "?";
}

/* "[$0, $2]" for a list of column indices. */
/* A STATE_TTL hint's value (AggSpec.state_ttl_ms): nothing when unset. */
static void format_ttl(WbBuf *out, const char *label, int64_t ttl_ms)
{
    if (ttl_ms > 0) wb_buf_printf(out, ", %s=%lldms", label, (long long)ttl_ms);
    else if (ttl_ms < 0) wb_buf_printf(out, ", %s=never", label);
}

static void format_cols(WbBuf *out, const int32_t *cols, int32_t n)
{
    wb_buf_putc(out, '[');
    for (int32_t i = 0; i < n; i++) {
        if (i) wb_buf_puts(out, ", ");
        wb_buf_printf(out, "$%d", (int)cols[i]);
    }
    wb_buf_putc(out, ']');
}

static void format_sort(WbBuf *out, const SortKey *keys, int32_t n)
{
    wb_buf_putc(out, '[');
    for (int32_t i = 0; i < n; i++) {
        if (i) wb_buf_puts(out, ", ");
        wb_buf_printf(out, "$%d %s", (int)keys[i].col, keys[i].desc ? "DESC" : "ASC");
        /* Only print the null ordering when it differs from the default. */
        bool default_first = !keys[i].desc;
        if (keys[i].nulls_first != default_first)
            wb_buf_puts(out, keys[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    wb_buf_putc(out, ']');
}

static void format_agg_call(WbBuf *out, const AggCall *call)
{
    if (call->kind == AGG_COUNT_STAR) {
        wb_buf_puts(out, "COUNT(*)");
    } else {
        wb_buf_printf(out, "%s(%s$%d", sql_agg_name(call->kind),
                      call->distinct ? "DISTINCT " : "", (int)call->arg);
        if (call->arg2 >= 0) wb_buf_printf(out, ", $%d", (int)call->arg2);
        wb_buf_putc(out, ')');
    }
    if (call->filter >= 0) wb_buf_printf(out, " FILTER $%d", (int)call->filter);
}

static void format_node(const PlanNode *node, bool modes, WbBuf *out)
{
    wb_buf_puts(out, node->kind == PN_AGG && node->agg.window     ? "WindowAgg"
                     : node->kind == PN_RANK && node->rank.window ? "WindowRank"
                                                                  : sql_plan_kind_name(node->kind));
    wb_buf_putc(out, '(');
    switch (node->kind) {
    case PN_SCAN: {
        const TableDef *table = node->scan.table;
        const char *format = sql_table_option(table, "format");
        const char *connector = sql_table_option(table, "connector");
        wb_buf_printf(out, "table=%s", table->name);
        if (connector) wb_buf_printf(out, ", connector=%s", connector);
        if (format) wb_buf_printf(out, ", format=%s", format);
        if (node->scan.read) {
            wb_buf_puts(out, ", read=");
            format_cols(out, node->scan.read, node->scan.nread);
        }
        if (node->scan.filter) {
            wb_buf_puts(out, ", filter=");
            sql_expr_format(node->scan.filter, out);
        }
        if (node->scan.watermark) {
            const WatermarkSpec *wm = node->scan.watermark;
            wb_buf_puts(out, ", watermark=[rowtime=");
            if (wm->rowtime_expr) sql_expr_format(wm->rowtime_expr, out);
            else wb_buf_printf(out, "$%d", (int)wm->rowtime);
            wb_buf_puts(out, ", ");
            sql_expr_format(wm->expr, out);
            if (wm->idle_timeout_us > 0)
                wb_buf_printf(out, ", idle-timeout=%lldms", (long long)(wm->idle_timeout_us / 1000));
            wb_buf_putc(out, ']');
        }
        break;
    }
    case PN_VALUES:
        wb_buf_printf(out, "rows=%d", (int)node->values.nrows);
        break;
    case PN_CALC:
        if (node->calc.filter) {
            wb_buf_puts(out, "filter=");
            sql_expr_format(node->calc.filter, out);
            wb_buf_puts(out, ", ");
        }
        wb_buf_puts(out, "exprs=[");
        for (int32_t i = 0; i < node->calc.nexprs; i++) {
            if (i) wb_buf_puts(out, ", ");
            sql_expr_format(node->calc.exprs[i], out);
        }
        wb_buf_putc(out, ']');
        break;
    case PN_AGG:
        if (node->agg.window)
            wb_buf_printf(out, "window_end=$%d%s, ", (int)node->agg.window_end,
                          node->agg.window_proctime ? " (proctime)" : "");

        wb_buf_puts(out, "group=");
        format_cols(out, node->agg.group, node->agg.ngroup);
        wb_buf_puts(out, ", aggs=[");
        for (int32_t i = 0; i < node->agg.naggs; i++) {
            if (i) wb_buf_puts(out, ", ");
            format_agg_call(out, &node->agg.aggs[i]);
        }
        wb_buf_putc(out, ']');
        format_ttl(out, "stateTtl", node->agg.state_ttl_ms);
        break;
    case PN_JOIN:
        wb_buf_printf(out, "type=%s", join_type_name(node->join.type));
        if (node->join.nkeys > 0) {
            wb_buf_puts(out, ", left=");
            format_cols(out, node->join.left_keys, node->join.nkeys);
            wb_buf_puts(out, ", right=");
            format_cols(out, node->join.right_keys, node->join.nkeys);
        }
        if (node->join.cond) {
            wb_buf_puts(out, ", cond=");
            sql_expr_format(node->join.cond, out);
        }
        if (node->join.right_first) wb_buf_puts(out, ", right first");
        if (node->join.interval)
            wb_buf_printf(out, ", interval: $%d - right $%d in [%lldms, %lldms]", (int)node->join.ltime,
                          (int)node->join.rtime, (long long)(node->join.lower / 1000),
                          (long long)(node->join.upper / 1000));
        format_ttl(out, "leftStateTtl", node->join.state_ttl_ms[0]);
        format_ttl(out, "rightStateTtl", node->join.state_ttl_ms[1]);
        break;
    case PN_RANK:
        if (node->rank.window) wb_buf_printf(out, "window_end=$%d, ", (int)node->rank.window_end);
        wb_buf_puts(out, "partition=");
        format_cols(out, node->rank.partition, node->rank.npartition);
        wb_buf_puts(out, ", order=");
        format_sort(out, node->rank.sort, node->rank.nsort);
        if (node->rank.limit >= 0)
            wb_buf_printf(out, ", limit=%lld", (long long)node->rank.limit);
        if (node->rank.offset > 0)
            wb_buf_printf(out, ", offset=%lld", (long long)node->rank.offset);
        if (node->rank.emit_rownum) wb_buf_puts(out, ", rownum");
        break;
    case PN_UNION:
        wb_buf_printf(out, "inputs=%d", (int)node->ninputs);
        break;
    case PN_WATERMARK:
        wb_buf_printf(out, "rowtime=$%d, watermark=", (int)node->watermark.rowtime);
        sql_expr_format(node->watermark.expr, out);
        if (node->watermark.idle_timeout_us > 0)
            wb_buf_printf(out, ", idle-timeout=%lldms",
                          (long long)(node->watermark.idle_timeout_us / 1000));
        break;
    case PN_WINDOW: {
        static const char *const kinds[] = {"TUMBLE", "HOP", "CUMULATE", "SESSION"};
        const WindowSpec *w = &node->window;
        wb_buf_printf(out, "%s, time=$%d, %s=%lldms", kinds[w->kind], (int)w->time_col,
                      w->kind == WK_SESSION ? "gap" : "size", (long long)(w->size / 1000));
        if (w->kind == WK_HOP) wb_buf_printf(out, ", slide=%lldms", (long long)(w->slide / 1000));
        if (w->kind == WK_CUMULATE) wb_buf_printf(out, ", step=%lldms", (long long)(w->slide / 1000));
        if (w->offset) wb_buf_printf(out, ", offset=%lldms", (long long)(w->offset / 1000));
        if (w->kind == WK_SESSION) {
            wb_buf_puts(out, ", partition=");
            format_cols(out, w->partition, w->npartition);
        }
        break;
    }
    case PN_OVER: {
        const OverSpec *os = &node->over;
        wb_buf_puts(out, "partition=");
        format_cols(out, os->partition, os->npartition);
        wb_buf_printf(out, ", order=$%d%s, %s ", (int)os->order_col, os->proctime ? " (proctime)" : "",
                      os->rows ? "ROWS" : "RANGE");
        if (os->unbounded) wb_buf_puts(out, "UNBOUNDED");
        else if (os->rows) wb_buf_printf(out, "%lld", (long long)os->preceding);
        else wb_buf_printf(out, "%lldms", (long long)(os->preceding / 1000));
        wb_buf_puts(out, " PRECEDING, aggs=[");
        const PlanNode *agg = os->agg;
        for (int32_t i = 0; i < agg->agg.naggs; i++) {
            if (i) wb_buf_puts(out, ", ");
            AggCall ac = agg->agg.aggs[i];
            if (ac.arg >= 0) ac.arg = os->proj[ac.arg];
            if (ac.arg2 >= 0) ac.arg2 = os->proj[ac.arg2];
            if (ac.filter >= 0) ac.filter = os->proj[ac.filter];
            format_agg_call(out, &ac);
        }
        wb_buf_putc(out, ']');
        break;
    }
    case PN_TEMPORAL_FILTER:
        wb_buf_puts(out, node->temporal.event_time ? "watermark" : "proctime");
        for (int32_t i = 0; i < node->temporal.nbounds; i++) {
            const TimeBound *tb = &node->temporal.bounds[i];
            wb_buf_printf(out, ", time %s ", tb->lower ? (tb->inclusive ? ">=" : ">")
                                                       : (tb->inclusive ? "<=" : "<"));
            sql_expr_format(tb->expr, out);
            if (tb->offset_us)
                wb_buf_printf(out, " %c %lldms", tb->offset_us < 0 ? '-' : '+',
                              (long long)(tb->offset_us < 0 ? -tb->offset_us : tb->offset_us) / 1000);
        }
        break;
    case PN_EXCHANGE:
        if (node->exchange.nkeys == 0) {
            wb_buf_puts(out, "single");
        } else {
            wb_buf_puts(out, "hash=");
            format_cols(out, node->exchange.keys, node->exchange.nkeys);
        }
        break;
    case PN_SINK:
        wb_buf_printf(out, "table=%s%s", node->sink.table->name,
                      node->sink.overwrite ? ", overwrite" : "");
        break;
    }
    wb_buf_putc(out, ')');
    if (!modes) return;
    wb_buf_puts(out, " [");
    wb_buf_puts(out, sql_changelog_mode_name(node->mode));
    if (node->mode == CM_UPSERT) {
        wb_buf_puts(out, " key=[");
        for (int32_t i = 0; i < node->nupsert_key; i++) {
            if (i) wb_buf_puts(out, ", ");
            wb_buf_printf(out, "%d", (int)node->upsert_key[i]);
        }
        wb_buf_putc(out, ']');
    }
    wb_buf_putc(out, ']');
}

/* Ids of nodes already printed, so that a shared node appears once. */
typedef struct Seen {
    int32_t *ids;
    int32_t count, cap;
} Seen;

static bool seen_add(Seen *seen, int32_t id)
{
    for (int32_t i = 0; i < seen->count; i++)
        if (seen->ids[i] == id) return false;
    if (seen->count == seen->cap) {
        seen->cap = seen->cap ? seen->cap * 2 : 32;
        seen->ids = wb_realloc(seen->ids, sizeof(int32_t) * (size_t)seen->cap);
    }
    seen->ids[seen->count++] = id;
    return true;
}

static void explain_rec(const PlanNode *node, int depth, bool modes, Seen *seen, WbBuf *out)
{
    for (int i = 0; i < depth; i++) wb_buf_puts(out, "  ");
    if (!seen_add(seen, node->id)) {
        wb_buf_printf(out, "%s#%d (shared, shown above)\n",
                      sql_plan_kind_name(node->kind), (int)node->id);
        return;
    }
    format_node(node, modes, out);
    wb_buf_putc(out, '\n');
    for (int32_t i = 0; i < node->ninputs; i++)
        explain_rec(node->inputs[i], depth + 1, modes, seen, out);
}

void sql_plan_explain(const PlanNode *root, WbBuf *out)
{
    Seen seen = {0};
    explain_rec(root, 0, true, &seen, out);
    free(seen.ids);
}

void sql_plan_explain_logical(const PlanNode *root, WbBuf *out)
{
    Seen seen = {0};
    explain_rec(root, 0, false, &seen, out);
    free(seen.ids);
}
