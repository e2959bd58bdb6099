/*
 * agg_int.h - what the two group aggregate implementations share: the
 * general one (agg.c: any aggregate, any key, StateTable) and the flat one
 * (agg_flat.c: COUNT/SUM/AVG over int64-backed keys, FlatTable).  Both
 * produce the same changes for the same input; ex_agg_new picks one.
 */
#ifndef WEIR_EXEC_AGG_INT_H
#define WEIR_EXEC_AGG_INT_H

#include "exec/op_int.h"

__extension__ typedef __int128 agg_i128;

/* How an aggregate call accumulates (chosen once per call). */
typedef enum AccKind {
    ACC_COUNT,      /* COUNT(*), COUNT(x) */
    ACC_SUM_I,      /* SUM/SUM0/AVG over int64 values (ints, DECIMAL, intervals) */
    ACC_SUM_F,      /* SUM/SUM0/AVG over DOUBLE */
    ACC_MINMAX,     /* MIN/MAX: distinct values with counts, cached extreme */
    ACC_SEQ,        /* FIRST_VALUE/LAST_VALUE/LISTAGG: occurrences in arrival order */
    ACC_SUM_W       /* SUM/SUM0/AVG over DECIMAL(19..38): checked 128-bit sums */
} AccKind;

/* Picks each call's accumulator (acc[naggs]) and checks the plan's column
 * references; -1 with err on a malformed plan. */
int ex_agg_choose_acc(const PlanNode *node, const SqlType *in_types, int32_t in_ncols,
                      AccKind *acc, WbError *err);

/* hash[row] = ty_row_hash of the row's group columns, column at a time
 * when every group column is int64-backed (i64_keys). */
void ex_agg_hash_keys(const AggSpec *spec, bool i64_keys, const Batch *batch, uint64_t *hash);

/* The weights one call sees: eff[row] = the row's weight, 0 when its
 * FILTER is not true (ex_agg_filter_weights) or its argument is NULL
 * (ex_agg_drop_null_args). */
void ex_agg_filter_weights(const AggCall *call, const Batch *batch, int64_t *eff);
void ex_agg_drop_null_args(const AggCall *call, const Batch *batch, int64_t *eff);

/* The output value of a SUM/SUM0/AVG over integer or DECIMAL values with
 * exact sum `sum` of `nonnull` values (AVG of DECIMAL rounds HALF_UP to the
 * result scale; in_scale is the argument's).  -1 with err (22003) when it
 * does not fit the result type (a DECIMAL result: its precision). */
int ex_agg_int_result(const AggCall *call, int in_scale, agg_i128 sum, int64_t nonnull,
                      ColumnVector *vec, int32_t row, WbError *err);
/* Error 22003 for an aggregate result past its type ("SUM result out of
 * range for type DECIMAL(38, 2)"), positioned at the call; returns -1. */
int ex_agg_overflow(const AggCall *call, WbError *err);
/* The same over DOUBLE. */
void ex_agg_float_result(const AggCall *call, double sum, int64_t nonnull,
                         ColumnVector *vec, int32_t row);

/* Whether ex_agg_flat_new can run this plan: group keys (none for a global
 * aggregate, at most ST_FLAT_MAX_KEYS) all int64-backed, calls all
 * COUNT/SUM/SUM0/AVG without DISTINCT, or, for a global aggregate over an
 * insert-only input, MIN/MAX without DISTINCT of anything but DECIMAL(19..38). */
bool ex_agg_flat_fits(const PlanNode *node, const AccKind *acc);
/* Takes ownership of acc. */
Operator *ex_agg_flat_new(const PlanNode *node, const ExecContext *ctx, AccKind *acc);

#endif
