/*
 * exchange.c - repartitioning point between stateful stages.  With one
 * worker it passes batches on unchanged.  The spec (ExchangeSpec: key
 * columns, or none for "everything to one worker") is kept on the plan node
 * for the multi-worker runtime, which will route each row to the worker
 * owning hash(key) % n (ty_row_hash of the key columns) and align barriers
 * across the worker channels.
 */
#include "exec/op_int.h"

#include <stdlib.h>

static int exchange_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    return ex_emit(op, batch, err);
}

static const OpVTable exchange_vt = {"Exchange", exchange_push, NULL, NULL, NULL, NULL, NULL, NULL};

Operator *ex_exchange_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    if (node->ninputs != 1) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "EXCHANGE needs exactly one input, got %d",
                 (int)node->ninputs);
        return NULL;
    }
    for (int32_t i = 0; i < node->exchange.nkeys; i++) {
        if (node->exchange.keys[i] < 0 || node->exchange.keys[i] >= node->ncols) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "EXCHANGE key column %d out of range",
                     (int)node->exchange.keys[i]);
            return NULL;
        }
    }
    Operator *op = wb_calloc(1, sizeof(Operator));
    ex_op_init(op, &exchange_vt, node, ctx);
    return op;
}
