/*
 * plan_hint.c - what hints (sql/hint.h) and FOR SYSTEM_TIME AS OF change
 * in a plan.
 *
 * OPTIONS: the scan (or the INSERT's sink) sees a copy of the table's
 * definition, in the plan arena, whose options are the table's with the
 * hint's added or replacing theirs: the connector validates them as it
 * validates the table's own.  Views and CTEs take no options (Flink: hints
 * can only be applied to tables).
 *
 * STATE_TTL: the keys name inputs of the query block: a table, view or
 * CTE name (its last part), or an alias of a table or subquery in its FROM.
 * A key naming nothing there is an error (Flink's rule).  A regular join
 * whose left or right input is such a named item keeps that side's rows
 * for the key's duration; a group aggregate (or DISTINCT) whose FROM is a
 * single named item keeps its groups for it.  The value is a duration
 * ('1d', '12 h', '30 min', a bare number is milliseconds); '0' means never
 * expire, whatever table.exec.state.ttl says.
 *
 * FOR SYSTEM_TIME AS OF a constant, on a table kept by the table store:
 * time travel, the scan reads the snapshot of that time (the option
 * 'scan.timestamp-millis'); a TIMESTAMP is a wall time of the session
 * zone, a TIMESTAMP_LTZ an instant.
 */
#include "sql/hint.h"
#include "sql/planner_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A copy of def, in the plan arena, with `key` = `value` set. */
static void set_option(Binder *b, TableDef *copy, const char *key, const char *value)
{
    for (int32_t i = 0; i < copy->noptions; i++) {
        if (strcmp(copy->options[i].key, key) == 0) {
            copy->options[i].value = wb_arena_strdup(b->arena, value);
            return;
        }
    }
    TableOption *opts = wb_arena_alloc(b->arena, sizeof(TableOption) * (size_t)(copy->noptions + 1));
    if (copy->noptions) memcpy(opts, copy->options, sizeof(TableOption) * (size_t)copy->noptions);
    opts[copy->noptions].key = wb_arena_strdup(b->arena, key);
    opts[copy->noptions].value = wb_arena_strdup(b->arena, value);
    copy->options = opts;
    copy->noptions++;
}

static TableDef *copy_def(Binder *b, const TableDef *def)
{
    TableDef *copy = wb_arena_alloc(b->arena, sizeof(TableDef));
    *copy = *def;
    copy->options = wb_arena_alloc(b->arena, sizeof(TableOption) * (size_t)(def->noptions + 1));
    if (def->noptions) memcpy(copy->options, def->options, sizeof(TableOption) * (size_t)def->noptions);
    return copy;
}

bool sql_hint_apply_options(Binder *b, const AstList *hints, const char *what,
                            const TableDef **def)
{
    const AstNode *first = NULL;
    for (int32_t i = 0; i < hints->count; i++) {
        const AstNode *hint = hints->items[i];
        if (strcmp(hint->hint.name, "OPTIONS") != 0) continue;
        if (!first) first = hint;
        if (!*def || (*def)->is_view) {
            bind_error(b, hint, WB_SQLSTATE_FEATURE,
                       "%s \"%s\" cannot take OPTIONS: hints can only be applied to tables",
                       *def ? "view" : "CTE", what);
            return false;
        }
        TableDef *copy = copy_def(b, *def);
        for (int32_t a = 0; a < hint->hint.args.count; a++) {
            const AstNode *arg = hint->hint.args.items[a];
            set_option(b, copy, arg->option.key, arg->option.value);
        }
        *def = copy;
    }
    return true;
}

/* The name a FROM item answers to for STATE_TTL, or NULL (a join). */
static const char *item_name(const AstNode *from)
{
    switch (from->kind) {
    case AST_TABLE_REF: {
        if (from->table_ref.alias) return from->table_ref.alias;
        const char *dot = strrchr(from->table_ref.name, '.');
        return dot ? dot + 1 : from->table_ref.name;
    }
    case AST_SUBQUERY_REF: return from->subquery_ref.alias;
    case AST_TVF_REF: return from->tvf.alias;
    default: return NULL;
    }
}

/* Whether a FROM tree has an item named `name` (also a table's own name
 * under an alias, which Flink accepts too). */
static bool from_has(const AstNode *from, const char *name)
{
    if (!from) return false;
    if (from->kind == AST_JOIN) return from_has(from->join.left, name) || from_has(from->join.right, name);
    const char *own = item_name(from);
    if (own && strcasecmp(own, name) == 0) return true;
    if (from->kind == AST_TABLE_REF) {
        const char *dot = strrchr(from->table_ref.name, '.');
        return strcasecmp(dot ? dot + 1 : from->table_ref.name, name) == 0;
    }
    return false;
}

bool sql_hint_state_ttl_check(Binder *b, const AstNode *sel)
{
    const AstNode *hint = b->state_ttl;
    if (!hint) return true;
    for (int32_t a = 0; a < hint->hint.args.count; a++) {
        const AstNode *arg = hint->hint.args.items[a];
        int64_t ms;
        if (wb_parse_duration_ms(arg->option.value, &ms) != 0 || ms < 0) {
            bind_error(b, arg, WB_SQLSTATE_SYNTAX, "invalid duration \"%s\" for STATE_TTL key \"%s\"",
                       arg->option.value, arg->option.key);
            wb_error_hint(b->err, "Write a duration such as '1d', '12 h', '30 min' or '1000 ms'.");
            return false;
        }
        if (!from_has(sel->select.from, arg->option.key)) {
            bind_error(b, arg, WB_SQLSTATE_UNDEFINED_TABLE,
                       "STATE_TTL key \"%s\" names no input of this query block", arg->option.key);
            wb_error_hint(b->err, "A key is a table, view or alias in the FROM clause of the "
                                  "SELECT the hint follows.");
            return false;
        }
    }
    return true;
}

/* The hint's TTL for a FROM item, as JoinSpec.state_ttl_ms: 0 when no key
 * names it. */
static int64_t ttl_for(const AstNode *hint, const AstNode *from)
{
    if (!hint || !from || from->kind == AST_JOIN) return 0;
    for (int32_t a = 0; a < hint->hint.args.count; a++) {
        const AstNode *arg = hint->hint.args.items[a];
        if (!from_has(from, arg->option.key)) continue;
        int64_t ms = 0;
        wb_parse_duration_ms(arg->option.value, &ms);   /* checked by sql_hint_state_ttl_check */
        return ms > 0 ? ms : -1;
    }
    return 0;
}

/* The first join below a join's wrapping (filters, projections). */
static PlanNode *join_below(PlanNode *node)
{
    while (node && node->kind != PN_JOIN && node->ninputs == 1) node = node->inputs[0];
    return node && node->kind == PN_JOIN ? node : NULL;
}

void sql_hint_join_ttl(Binder *b, const AstNode *join_ast, PlanNode *planned)
{
    if (!b->state_ttl) return;
    PlanNode *join = join_below(planned);
    if (!join) return;
    join->join.state_ttl_ms[0] = ttl_for(b->state_ttl, join_ast->join.left);
    join->join.state_ttl_ms[1] = ttl_for(b->state_ttl, join_ast->join.right);
}

void sql_hint_agg_ttl(Binder *b, const AstNode *sel, PlanNode *agg)
{
    if (!b->state_ttl || !agg || agg->kind != PN_AGG) return;
    agg->agg.state_ttl_ms = ttl_for(b->state_ttl, sel->select.from);
}

bool sql_time_travel(Binder *b, const AstNode *ref, const TableDef **def)
{
    const AstNode *at = ref->table_ref.system_time;
    if (!(*def)->store_dir) {
        bind_error(b, at, WB_SQLSTATE_FEATURE,
                   "FOR SYSTEM_TIME AS OF on table \"%s\" is not supported: time travel reads "
                   "tables stored by weir, and temporal joins are not supported yet",
                   (*def)->name);
        return false;
    }
    Rel none;
    sql_rel_single_row(b, &none);
    Env env;
    env_init(&env, b, &none);
    Expr *e = sql_bind_expr(&env, at);
    if (!e) return false;
    if (e->type.id != TY_TIMESTAMP) {
        char tn[64];
        bind_error(b, at, WB_SQLSTATE_DATATYPE,
                   "FOR SYSTEM_TIME AS OF needs a TIMESTAMP or TIMESTAMP_LTZ, not %s",
                   ty_name(e->type, tn, sizeof tn));
        return false;
    }
    Value v;
    WbError eval_err;
    wb_error_clear(&eval_err);
    if (sql_expr_has_cols(e) || !b->eval_const || b->eval_const(e, &v, b->arena, &eval_err) != 0) {
        bind_error(b, at, WB_SQLSTATE_FEATURE,
                   "FOR SYSTEM_TIME AS OF on a stored table needs a constant time");
        wb_error_hint(b->err, "Time travel reads one snapshot: write a literal such as "
                              "TIMESTAMP '2024-01-01 00:00:00'.");
        return false;
    }
    if (v.is_null) {
        bind_error(b, at, WB_SQLSTATE_DATA, "FOR SYSTEM_TIME AS OF NULL");
        return false;
    }
    int64_t utc_us = e->type.ltz ? v.i64 : wb_tz_to_utc(v.i64);
    int64_t ms = utc_us >= 0 ? utc_us / 1000 : -((-utc_us + 999) / 1000);
    TableDef *copy = copy_def(b, *def);
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)ms);
    set_option(b, copy, "scan.timestamp-millis", text);
    *def = copy;
    return true;
}
