#include "sql/opt_int.h"
PlanNode *opt_prune_columns(OptCtx *ctx, PlanNode *node) { (void)ctx; return node; }
