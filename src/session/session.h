/*
 * session.h - a session: the catalog, the options set with SET, and the
 * execution of statements one at a time (DDL, SET/RESET, SHOW, DESCRIBE,
 * EXPLAIN, queries and INSERTs as jobs), with the result of a query
 * consolidated (session/result.h) and handed to the front end.  `weir run`
 * is one front end (src/cli); a server is another.
 *
 * A session opened on a data directory keeps its permanent tables and
 * views there (README.md: the catalog file, its lock, tables/), so that
 * they outlive the process; temporary objects live in the session only.
 *
 * Statement lifecycle (ses_execute):
 *
 *     DDL        lock the catalog file, read it again if another process
 *                changed it, apply the statement, write the file (atomic
 *                rename), unlock; a dropped stored table's directory goes
 *                after the file no longer names it
 *     SET/RESET  the session's options (a bare SET: SesHandler.strings)
 *     SHOW, DESCRIBE          SesHandler.strings
 *     EXPLAIN                 SesHandler.text
 *     query, INSERT           plan; job_start; result_open (queries);
 *                             rt_job_run; job_done; the final rows to the
 *                             sink; result_close; job_end
 *
 * Before each statement that reads the catalog, the catalog file is read
 * again when it changed, so objects another process created are seen.
 * Errors are returned in a WbError (positioned in the statement, or in the
 * catalog file: WbError.source), never printed; warnings go to the
 * handler.
 */
#ifndef WEIR_SESSION_H
#define WEIR_SESSION_H

#include "session/result.h"
#include "sql/parser.h"
#include "sql/planner.h"

/* How a session starts (`weir run`'s flags). */
typedef struct SesOptions {
    /* The data directory, created at the first DDL that needs it (not its
     * parents); NULL: none, the catalog lives in memory only and tables
     * without a connector are an error. */
    const char *data_dir;
    bool batch_mode;             /* the starting mode, restored by RESET */
    int32_t max_batch_rows;      /* 0: the default (16 with a seed) */
    bool have_seed;
    uint64_t seed;               /* random batch splits (streaming mode) */
} SesOptions;

/* What a front end does with what statements produce.  Every callback may
 * be NULL (the output is dropped).  ctx is passed to each. */
typedef struct SesHandler {
    void *ctx;
    /* A warning at a statement (an unknown SET key). */
    void (*warning)(void *ctx, int line, int column, const char *message);
    /* A small table of strings: SHOW, DESCRIBE, a bare SET.  cells has
     * nrows * ncols entries, row by row, NULL for SQL NULL. */
    void (*strings)(void *ctx, int32_t ncols, const char *const *header, int32_t nrows,
                    const char *const *cells);
    /* EXPLAIN's text. */
    void (*text)(void *ctx, const char *text, size_t len);
    /* Before a job runs: may set opts->progress, progress_ctx, print_out
     * (where the print connector writes; default stdout). */
    void (*job_start)(void *ctx, JobOptions *opts);
    /* A query's result (not an INSERT's): its columns; fills *sink and
     * returns whether final rows are wanted (false: changes only). */
    bool (*result_open)(void *ctx, const SesResultInfo *info, SesRowSink *sink);
    /* After a job that succeeded, before its final rows: its statistics;
     * into_sink says it was an INSERT. */
    void (*job_done)(void *ctx, const JobStats *stats, bool into_sink);
    /* After the final rows (or a failure): the result's sink may go. */
    void (*result_close)(void *ctx);
    /* After every job_start, last. */
    void (*job_end)(void *ctx);
} SesHandler;

typedef struct Session Session;

/* Opens a session: reads the data directory's catalog when there is one.
 * NULL with err when the catalog cannot be read (err names the file, and
 * the line for a corrupt one); nothing is written. */
Session *ses_open(const SesOptions *opts, WbError *err);
void ses_close(Session *s);

/* Runs one statement.  The statement's AST must stay valid as long as the
 * session: temporary views and computed columns keep pointing into it
 * (permanent objects are parsed again from the catalog file when it
 * changes, into the catalog's own arena).  stmt->text is the statement's
 * source text.  Returns 0, or -1 with err. */
int ses_execute(Session *s, const SqlStatement *stmt, const SesHandler *h, WbError *err);

/* The catalog (valid until the session closes; a DDL statement or a
 * re-read of the catalog file may replace the TableDefs in it). */
Catalog *ses_catalog(Session *s);
bool ses_batch_mode(const Session *s);

/* The catalog file's first line: its format version. */
#define SES_CATALOG_HEADER "-- weir catalog v1"

#endif
