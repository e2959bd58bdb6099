/*
 * planner.h - from parsed statements to catalog changes and physical plans.
 *
 * The binder resolves names against the catalog (case-insensitive), types
 * every expression (sql_func_resolve), expands views, computed columns and
 * CTEs, decorrelates IN/EXISTS subqueries into semi/anti joins and scalar
 * subqueries into joins, and the planner emits a PlanNode DAG (plan.h) with
 * EXCHANGE nodes in front of stateful nodes and each node's changelog mode.
 *
 * Errors carry the line/column of the offending token (unknown column or
 * table, type mismatch, aggregate misuse, retraction into an append-only
 * sink) in PostgreSQL's message style.
 */
#ifndef WEIR_SQL_PLANNER_H
#define WEIR_SQL_PLANNER_H

#include "sql/ast.h"
#include "sql/plan.h"

/* Executes CREATE TABLE / CREATE VIEW / DROP TABLE / DROP VIEW against the
 * catalog: builds the TableDef (types, primary key, options, computed
 * columns and watermark kept as AST + text) in the catalog arena.  The AST
 * must stay alive as long as the catalog (the CLI keeps all parsed scripts).
 * `sql_text` is the statement's source text (kept for views).  A view's
 * query is bound once at creation so errors surface then. */
int sql_execute_ddl(Catalog *cat, const AstNode *stmt, const char *sql_text,
                    WbError *err);

/* Plans a query (SELECT / VALUES / set operation) or an INSERT INTO into a
 * QueryPlan allocated in `arena`.  For INSERT the root is a PN_SINK node
 * whose input matches the target's physical columns (with implicit casts),
 * and a retracting input into a sink that does not accept retractions
 * (cn_sink_accepts_retractions is the runtime's; the planner takes the
 * answer through opts->sink_accepts_retractions) is an error at the INSERT.
 * opts->batch_mode lets the optimizer plan for bounded inputs (the smaller
 * input of an inner join is read first and builds the hash table).
 * opts may be NULL: streaming, every sink accepts retractions.
 * sink_accepts_retractions is called with opts->sink_ctx (the caller's:
 * the session passes itself, to answer by its mode and the table). */
typedef bool (*SqlSinkRetractFn)(void *ctx, const TableDef *table);
/* Computes a column-free expression (the runtime's ex_eval_const); 0 on
 * success, -1 with err set when it fails (then it is left to run time). */
typedef int (*SqlEvalConstFn)(const Expr *e, Value *out, WbArena *arena, WbError *err);
typedef struct SqlPlanOptions {
    SqlSinkRetractFn sink_accepts_retractions;
    bool batch_mode;
    SqlEvalConstFn eval_const;   /* NULL: no constant folding */
    /* table.exec.emit.early-fire.enabled (streaming): window aggregates
     * emit partial results before their windows end, so their output
     * updates (an upsert stream keyed by the group) */
    bool early_fire;
    void *sink_ctx;              /* passed to sink_accepts_retractions */
} SqlPlanOptions;
int sql_plan_statement(Catalog *cat, const AstNode *stmt, WbArena *arena,
                       const SqlPlanOptions *opts, QueryPlan *out, WbError *err);

/* Output column names of a planned query, as Flink names them: the alias,
 * else the column name for a plain column reference, else EXPR$<index>. */

#endif
