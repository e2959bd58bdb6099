/*
 * plan_dml.c - DELETE and UPDATE, as Flink runs them in batch mode on a
 * table that supports row-level changes (here: a table stored by weir
 * with a primary key).
 *
 * Both become an INSERT into the table of a query over it:
 *   DELETE FROM t WHERE c       INSERT INTO t SELECT <columns> FROM t WHERE c,
 *                               each row written as a deletion (SinkSpec.deletes)
 *   UPDATE t SET a = e WHERE c  INSERT INTO t SELECT <columns, a replaced by e>
 *                               FROM t WHERE c: the new rows, upserted by key
 * so the rows are read from the table's latest snapshot and the change is
 * one commit.  Keys and partition columns cannot be assigned (a row would
 * move), as in Paimon.  Streaming mode refuses both (Flink's rule).
 */
#include "sql/planner_int.h"

#include <string.h>
#include <strings.h>

static AstNode *synth(Binder *b, AstKind kind, const AstNode *at)
{
    AstNode *node = wb_arena_calloc(b->arena, sizeof(AstNode));
    node->kind = kind;
    node->line = at->line;
    node->column = at->column;
    node->src_start = at->src_start;
    node->src_end = at->src_end;
    return node;
}

bool sql_plan_dml(Binder *b, const AstNode *ast, SqlSinkRetractFn accepts, QueryPlan *out)
{
    const char *what = ast->kind == AST_DELETE ? "DELETE" : "UPDATE";
    const AstNode *target = ast->dml.target;
    const char *name = target->table_ref.name;
    const TableDef *def = sql_catalog_find(b->cat, name);
    if (!def) {
        bind_error(b, target, WB_SQLSTATE_UNDEFINED_TABLE, "table \"%s\" does not exist", name);
        return false;
    }
    if (def->is_view) {
        bind_error(b, target, WB_SQLSTATE_FEATURE, "cannot %s view \"%s\"",
                   ast->kind == AST_DELETE ? "DELETE from" : "UPDATE", def->name);
        return false;
    }
    if (!b->batch_mode) {
        bind_error(b, ast, WB_SQLSTATE_FEATURE, "%s is supported only in batch mode", what);
        wb_error_hint(b->err, "Run it with SET 'execution.runtime-mode' = 'batch'; (Flink's rule: "
                              "a row-level change is a bounded job).");
        return false;
    }
    if (!def->store_dir || def->npk == 0) {
        bind_error(b, target, WB_SQLSTATE_FEATURE,
                   "%s needs a table stored by weir with a primary key; \"%s\" %s", what, def->name,
                   def->store_dir ? "has no primary key" : "has an external connector");
        return false;
    }
    int32_t nphys = sql_table_physical(def, NULL, NULL);
    int32_t *phys = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nphys ? nphys : 1));
    sql_table_physical(def, NULL, phys);
    /* assigned[p]: the SET expression of physical column p, or NULL */
    AstNode **assigned = wb_arena_calloc(b->arena, sizeof(AstNode *) * (size_t)(nphys ? nphys : 1));
    for (int32_t i = 0; i < ast->dml.set_cols.count; i++) {
        const AstNode *ident = ast->dml.set_cols.items[i];
        int32_t p = sql_find_physical(b, def, phys, nphys, ident);
        if (p < 0) return false;
        if (assigned[p]) {
            bind_error(b, ident, WB_SQLSTATE_SYNTAX, "column \"%s\" assigned more than once",
                       ident->ident.name);
            return false;
        }
        for (int32_t k = 0; k < def->npk; k++) {
            if (def->pk[k] != phys[p]) continue;
            bind_error(b, ident, WB_SQLSTATE_FEATURE, "cannot UPDATE primary key column \"%s\"",
                       ident->ident.name);
            return false;
        }
        for (int32_t k = 0; k < def->npartition; k++) {
            if (def->partition[k] != phys[p]) continue;
            bind_error(b, ident, WB_SQLSTATE_FEATURE, "cannot UPDATE partition column \"%s\"",
                       ident->ident.name);
            return false;
        }
        assigned[p] = ast->dml.set_values.items[i];
    }
    /* SELECT <columns> FROM target WHERE cond */
    const char *qualifier = target->table_ref.alias;
    if (!qualifier) {
        const char *dot = strrchr(name, '.');
        qualifier = dot ? dot + 1 : name;
    }
    AstNode *sel = synth(b, AST_SELECT, ast);
    AstNode **items = wb_arena_alloc(b->arena, sizeof(AstNode *) * (size_t)(nphys ? nphys : 1));
    for (int32_t p = 0; p < nphys; p++) {
        AstNode *item = synth(b, AST_SELECT_ITEM, assigned[p] ? assigned[p] : target);
        if (assigned[p]) {
            item->select_item.expr = assigned[p];
        } else {
            AstNode *ref = synth(b, AST_COLUMN_REF, target);
            ref->column_ref.qualifier = qualifier;
            ref->column_ref.name = def->cols[phys[p]].name;
            item->select_item.expr = ref;
        }
        item->select_item.alias = def->cols[phys[p]].name;
        items[p] = item;
    }
    sel->select.items.count = nphys;
    sel->select.items.items = items;
    sel->select.from = (AstNode *)target;
    sel->select.where = ast->dml.where;
    AstNode *ins = synth(b, AST_INSERT, ast);
    ins->insert.table = def->name;
    ins->insert.query = sel;
    ins->insert.table_line = target->line;
    ins->insert.table_column = target->column;
    if (!sql_plan_insert(b, ins, accepts, out)) return false;
    out->root->sink.deletes = ast->kind == AST_DELETE;
    return true;
}
