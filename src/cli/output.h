/*
 * output.h - how `weir run` shows a query's result: the changelog as it
 * happens (--format changelog, and table in streaming mode), and the final
 * consolidated table (--format table / csv).
 *
 * In batch mode, when the plan can only produce insertions, every row
 * reaching the root is final: without ORDER BY it is printed as it arrives
 * (csv) or kept as text for the column widths (table); with ORDER BY the
 * rows are kept and sorted at the end.  Otherwise the collector
 * consolidates changes by summing weights per distinct row.
 * A row whose final weight is negative, or a retraction reaching a result
 * planned as insert-only, means an operator retracted what it never
 * emitted: that is reported as an internal error, never hidden.
 */
#ifndef WEIR_CLI_OUTPUT_H
#define WEIR_CLI_OUTPUT_H

#include <stdio.h>
#include "runtime/runtime.h"

typedef enum OutputFormat { OUT_TABLE, OUT_CSV, OUT_CHANGELOG } OutputFormat;

typedef struct ResultCollector ResultCollector;

ResultCollector *out_collector_new(const QueryPlan *plan, OutputFormat format,
                                   bool streaming, FILE *out);
/* ResultFn for rt_job_run.  May write to `out` (direct csv output, the
 * changelog); -1 with err on a retraction in a direct result. */
int out_collector_batch(void *collector, const Batch *batch, WbError *err);
/* Prints the final table (table/csv formats).  -1 with err on an
 * inconsistent changelog. */
int out_collector_finish(ResultCollector *collector, WbError *err);
void out_collector_free(ResultCollector *collector);

/* Prints a small table of strings (SHOW TABLES, DESCRIBE) in the format. */
void out_print_strings(FILE *out, OutputFormat format, int32_t ncols,
                       const char *const *header, int32_t nrows,
                       const char *const *cells);

#endif
