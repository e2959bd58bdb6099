/*
 * opt_int.h - private contract of the optimizer (optimizer.c and its rule
 * files opt_*.c).  Not included outside src/sql.
 *
 * The binder and planner (planner.c, subquery.c) build the logical plan:
 * PlanNodes as written by the query.  sql_optimize() then
 *   1. strips the EXCHANGE nodes (the logical plan has none),
 *   2. rewrites the tree with the rules below, in this order,
 *   3. makes it physical again: an EXCHANGE in front of every AGG, JOIN and
 *      RANK input on its key, and every node's changelog mode and upsert
 *      key derived bottom-up (sql_node_derive_mode).
 *
 * Rules build new nodes rather than change old ones, except for the
 * exchange stripping and the final physical pass, which visit each node
 * once.  A node with more than one parent (a view or CTE read twice) is a
 * barrier: nothing is pushed into it and its columns are not pruned, so
 * both parents keep seeing the same relation.
 */
#ifndef WEIR_SQL_OPT_INT_H
#define WEIR_SQL_OPT_INT_H

#include "sql/planner_int.h"

/* Parent counts of the logical plan, by node id. */
typedef struct OptCtx {
    Binder *b;
    int32_t nids;
    int32_t *parents;            /* indexed by PlanNode.id */
    PlanNode **memo;             /* a shared node's rewrite, by id */
} OptCtx;

bool opt_shared(const OptCtx *ctx, const PlanNode *node);

/* A rule's rewrite of one node (and what is below it). */
typedef PlanNode *(*OptRewrite)(OptCtx *ctx, PlanNode *node);
/* A shared node's rewrite by fn, computed once and then reused (fn sees
 * the node as unshared while it runs). */
PlanNode *opt_memo(OptCtx *ctx, PlanNode *node, OptRewrite fn);
/* A copy of node whose inputs are fn's rewrites of its inputs (node
 * itself when it has none). */
PlanNode *opt_map_inputs(OptCtx *ctx, PlanNode *node, OptRewrite fn);

/* ---- expressions (optimizer.c) ---- */
/* Marks the columns e references in used[] (size: the input width). */
void opt_expr_cols(const Expr *e, bool *used);
/* Whether every column e references is in [lo, hi); a column-free
 * expression counts as within. */
bool opt_expr_within(const Expr *e, int32_t lo, int32_t hi);
/* Copy of e with each column c replaced by map[c] (map[c] >= 0). */
Expr *opt_expr_remap(WbArena *arena, const Expr *e, const int32_t *map);
/* Copy of e with each column c replaced by a copy of exprs[c]. */
Expr *opt_expr_subst(WbArena *arena, const Expr *e, const Expr *const *exprs);
/* Whether e is NULL or FALSE whenever every column in [lo, hi) is NULL
 * (a predicate that rejects a null-padded side).  Conservative. */
bool opt_null_rejecting(const Expr *e, int32_t lo, int32_t hi);

/* ---- nodes (optimizer.c) ---- */
/* The input of node skipping an EXCHANGE (the logical plan has none, the
 * physical one has them). */
PlanNode *opt_input(const PlanNode *node, int32_t i);
/* A copy of node with a new id and its own inputs array. */
PlanNode *opt_copy(Binder *b, const PlanNode *node);
/* A CALC over input: filter (may be NULL) and the given projection. */
PlanNode *opt_calc(Binder *b, PlanNode *input, Expr *filter, int32_t nexprs, Expr **exprs,
                   char **names);
/* A CALC keeping every column of input, filtered by the AND of conds
 * (input itself when n == 0). */
PlanNode *opt_filter(Binder *b, PlanNode *input, Expr **conds, int32_t n);
/* A CALC projecting the columns cols[0..n) of input, in that order. */
PlanNode *opt_project(Binder *b, PlanNode *input, const int32_t *cols, int32_t n);
/* CALC upper over CALC lower as one CALC over lower's input, or NULL when
 * that would compute one of lower's expressions more than once. */
PlanNode *opt_calc_merge(Binder *b, const PlanNode *upper, const PlanNode *lower);
/* Estimated output rows of a logical node (for join order). */
double opt_estimate_rows(const PlanNode *node);

/* ---- the rules, in the order they run ---- */
/* opt_fold.c: constant subexpressions computed once (by the evaluator
 * the caller passes in SqlPlanOptions), AND/OR/NOT over constants
 * simplified, constant-TRUE filters and join conditions dropped. */
PlanNode *opt_fold_constants(OptCtx *ctx, PlanNode *root);
/* opt_filter.c: WHERE and ON conjuncts pushed down through CALC, JOIN
 * (equalities between the two sides become join keys; a predicate that
 * rejects a null-padded side turns an outer join into a stricter one),
 * AGG (conjuncts on grouping columns), RANK (on partition columns) and
 * UNION, as far as the sources. */
PlanNode *opt_push_filters(OptCtx *ctx, PlanNode *node);
/* opt_watermark.c: a table's watermark assigner into its scan
 * (ScanSpec.watermark), below the computed columns. */
PlanNode *opt_push_watermarks(OptCtx *ctx, PlanNode *root);

/* opt_window.c: an aggregate grouped by a window TVF's window_start and
 * window_end (over a rowtime attribute) becomes a window aggregate. */
PlanNode *opt_window_operators(OptCtx *ctx, PlanNode *root);
/* ... and a join of two insert-only inputs whose condition bounds the
 * difference of their rowtime columns on both sides becomes an interval
 * join (JoinSpec.interval). */
PlanNode *opt_interval_joins(OptCtx *ctx, PlanNode *root);

/* opt_temporal.c: WHERE conjuncts comparing a row's time with NOW() (or
 * a lower bound on CURRENT_WATERMARK) become a temporal filter. */
PlanNode *opt_temporal_filters(OptCtx *ctx, PlanNode *root);
/* opt_join_order.c: a tree of inner joins whose written order needs a
 * cross product although the conditions connect every input is rebuilt in
 * an order without one, each condition at the lowest join that has its
 * columns. */
PlanNode *opt_order_joins(OptCtx *ctx, PlanNode *node);
/* opt_semi.c: SEMI/ANTI joins pushed below projections and into the
 * inner-join input that holds every column they read. */
PlanNode *opt_push_semi_joins(OptCtx *ctx, PlanNode *root);
/* opt_build_side.c: in batch mode, an inner join's smaller input (by
 * estimate) is its left input, read first and kept as the hash table. */
PlanNode *opt_batch_build_side(OptCtx *ctx, PlanNode *root);
/* opt_prune.c: only the columns a query needs flow into joins, ranks and
 * aggregates (and are kept in their state). */
PlanNode *opt_prune_columns(OptCtx *ctx, PlanNode *root);
/* opt_share.c: equal subtrees (a view or CTE read twice) merged into one
 * node that feeds every reader. */
PlanNode *opt_share_subplans(OptCtx *ctx, PlanNode *root);

#endif
