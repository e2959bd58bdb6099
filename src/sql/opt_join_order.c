#include "sql/opt_int.h"
PlanNode *opt_order_joins(OptCtx *ctx, PlanNode *node) { (void)ctx; return node; }
