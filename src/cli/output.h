/*
 * output.h - how `weir run` shows a query's result: the changelog as it
 * happens (--format changelog, and table in streaming mode), and the final
 * rows the session's collector consolidates (session/result.h) as an
 * aligned table (--format table) or CSV (--format csv).
 */
#ifndef WEIR_CLI_OUTPUT_H
#define WEIR_CLI_OUTPUT_H

#include <stdio.h>
#include "session/result.h"

typedef enum OutputFormat { OUT_TABLE, OUT_CSV, OUT_CHANGELOG } OutputFormat;

/* A printer of one result, writing to `out`: fills *sink with the
 * callbacks (sink->changes only when the format shows the changelog).
 * info's pointers must outlive it. */
typedef struct OutPrinter OutPrinter;
OutPrinter *out_printer_new(const SesResultInfo *info, OutputFormat format, FILE *out,
                            SesRowSink *sink);
/* Whether the format prints final rows (all but changelog). */
bool out_printer_wants_final(OutputFormat format);
void out_printer_free(OutPrinter *printer);

/* A printer over a collector of its own, for the whole result of a plan
 * (tests and tools that run a job themselves). */
typedef struct ResultCollector ResultCollector;
ResultCollector *out_collector_new(const QueryPlan *plan, OutputFormat format,
                                   bool streaming, FILE *out);
/* ResultFn for rt_job_run. */
int out_collector_batch(void *collector, const Batch *batch, WbError *err);
/* Prints the final table (table/csv formats).  -1 with err on an
 * inconsistent changelog or a result too large to print. */
int out_collector_finish(ResultCollector *collector, WbError *err);
void out_collector_free(ResultCollector *collector);

/* Prints a small table of strings (SHOW TABLES, DESCRIBE) in the format. */
void out_print_strings(FILE *out, OutputFormat format, int32_t ncols,
                       const char *const *header, int32_t nrows,
                       const char *const *cells);

#endif
