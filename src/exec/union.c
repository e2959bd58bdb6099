/*
 * union.c - UNION ALL: batches from any input are passed on unchanged.
 * The planner guarantees identical schemas (types may differ only in
 * nullability), so no per-row work is needed; END and watermarks are the
 * default ones (END once all inputs ended, watermark = minimum).
 */
#include "exec/op_int.h"

#include <stdlib.h>

static int union_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    return ex_emit(op, batch, err);
}

static const OpVTable union_vt = {"Union", union_push, NULL, NULL, NULL, NULL, NULL, NULL};

Operator *ex_union_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    for (int32_t port = 0; port < node->ninputs; port++) {
        const PlanNode *in = node->inputs[port];
        if (in->ncols != node->ncols) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                     "UNION input %d has %d columns, expected %d", (int)port,
                     (int)in->ncols, (int)node->ncols);
            return NULL;
        }
        for (int32_t col = 0; col < node->ncols; col++) {
            if (ty_phys(in->types[col]) != ty_phys(node->types[col])) {
                wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                         "UNION input %d column %d has a different type", (int)port,
                         (int)col);
                return NULL;
            }
        }
    }
    Operator *op = wb_calloc(1, sizeof(Operator));
    ex_op_init(op, &union_vt, node, ctx);
    return op;
}
