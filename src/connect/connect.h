/*
 * connect.h - connectors (sources and sinks) and record formats.
 *
 * A source reads a table's physical columns (sql_table_physical) and produces
 * batches of changes: +1 rows for inserts; changelog formats (debezium-json,
 * canal-json) also produce -1 rows for deletes (-D) and a -1 (before image,
 * -U) then +1 (after image, +U) pair for updates, flagged in the batch
 * (Batch.updates).  A source never cuts a batch between the two rows of an
 * update.  Sources are pulled by the runtime.
 *
 * A sink receives batches of changes, each row with the kind it carries
 * (ty_row_kind: +I -U +U -D), and writes them.
 *
 * Bad records: a record that cannot be decoded stops the job with an error
 * naming the file, the line (or byte offset) and the reason, unless the
 * format's ignore-parse-errors option is set, in which case it is skipped
 * and counted in records_dirty.
 */
#ifndef WEIR_CONNECT_H
#define WEIR_CONNECT_H

#include <stdio.h>
#include "sql/catalog.h"

typedef struct Source Source;

typedef struct SourceVTable {
    /* Appends up to max_rows change rows to `out` (one record's rows are
     * never split: a record larger than max_rows fills an empty batch alone,
     * growing it) (empty on entry, schema =
     * the table's physical columns, capacity >= max_rows).  Returns 1 when
     * rows may follow (out may be empty for an unbounded source with nothing
     * ready yet), 0 at the end of a bounded input (out may hold the last
     * rows), -1 on error. */
    int (*next)(Source *src, Batch *out, int32_t max_rows, WbError *err);
    void (*close)(Source *src);
} SourceVTable;

struct Source {
    const SourceVTable *vt;
    const TableDef *table;
    bool bounded;
    int32_t ncols;                /* physical columns */
    SqlType *types;
    /* Set by the reader after opening: nonzero for a physical column no
     * one reads.  A format may leave such a column's values undecoded
     * (garbage in `out`); a record is still checked for its structure. */
    const uint8_t *unread;
    /* Set by the source when it opens: it can count rows without reading
     * any column (typed files: no value can fail to parse), so a scan that
     * needs no column's values (ScanSpec.rows_only) leaves every column
     * unread.  A text format leaves it false: its records are checked. */
    bool rows_without_columns;
    /* Set by the reader after opening: the query's filter over the source's
     * physical columns (column i of the expression is physical column
     * read[i] of ScanSpec), or NULL.  A connector may skip what cannot
     * pass it; none does yet (a filesystem source has no index or
     * statistics to use it with), and the filter is applied after it. */
    const struct Expr *filter;
    /* Set by the reader after opening: the job's processing-time clock.
     * A source that paces itself (a rate) or stamps processing time reads
     * this, never the system clock, so that a manual clock drives it. */
    const WbClock *clock;
    /* Manual clock marks: a line "#clock <timestamp>" in a file source's
     * input (only under a manual clock) ends the batch there and sets
     * this; the runtime moves the clock to it after the batch's rows. */
    bool has_clock_mark;
    int64_t clock_mark_us;
    /* A paced source (a fixed input rate) sets, with each batch, the
     * processing time its first row was due; 0 = not paced.  The runtime
     * measures end-to-end latency from it. */
    int64_t due_us;
    /* ... and, when it had nothing more due, when its next row is due
     * (0 = unknown): the runtime sleeps until then, not longer */
    int64_t next_due_us;
    int64_t records_read;
    int64_t records_dirty;
};

/* Opens the source named by the table's 'connector' option.  Errors
 * (unknown connector, missing or bad option, unreadable path) are reported
 * with the option's name; the position is the table's declaration.  A
 * stored table (TableDef.store_dir) is read by the table store; through
 * this function it is read as in streaming mode. */
Source *cn_source_open(const TableDef *table, WbError *err);

/* How a job reads a table: the runtime mode (a stored table is bounded in
 * batch mode, a snapshot then its changes in streaming mode) and dynamic
 * options (OPTIONS(..) hints) overriding the table's. */
typedef struct CnReadOptions {
    bool batch_mode;
    int32_t noptions;
    const char *const *keys;
    const char *const *values;
} CnReadOptions;
Source *cn_source_open_with(const TableDef *table, const CnReadOptions *opts, WbError *err);

void cn_source_close(Source *src);

typedef struct Sink Sink;

/* A sink's commit protocol: write* -> prepare (end of input, later a
 * checkpoint: flush, make durable, still invisible for a transactional
 * sink) -> commit(commit_id) (the job succeeded: make it visible,
 * atomically) -> close.  close without commit aborts: a transactional sink
 * (filesystem, the table store) leaves nothing behind; print and blackhole
 * have nothing to take back (commit is NULL for them).
 *
 * commit_id names the commit (a job's end-of-input commit is 1; a
 * checkpoint's will be its id): committing an id the sink has already
 * committed, or a smaller one, does nothing, so a retried commit never
 * duplicates (the table store keeps the id in its snapshot and checks it
 * across processes). */
typedef struct SinkVTable {
    int (*write)(Sink *sink, const Batch *batch, WbError *err);
    int (*prepare)(Sink *sink, WbError *err);
    int (*commit)(Sink *sink, int64_t commit_id, WbError *err);   /* may be NULL */
    void (*close)(Sink *sink);
} SinkVTable;

struct Sink {
    const SinkVTable *vt;
    const TableDef *table;
    bool accepts_retractions;     /* false: append-only (filesystem) */
    int64_t records_written;
};

/* Opens the sink named by the table's 'connector' option.  `out` is where
 * the print connector writes (stdout in the CLI).  overwrite: INSERT
 * OVERWRITE, the committed result replaces the table's contents (only the
 * filesystem connector supports it; others fail here, before any data). */
Sink *cn_sink_open(const TableDef *table, bool overwrite, FILE *out, WbError *err);
/* How a job writes a table: INSERT OVERWRITE, and the static partition of
 * INSERT .. PARTITION (col = value, ..) (physical column indices and their
 * values as text; nstatic 0 = none). */
typedef struct CnWriteOptions {
    bool overwrite;
    FILE *out;
    int32_t nstatic;
    const int32_t *static_cols;
    const char *const *static_values;
} CnWriteOptions;
Sink *cn_sink_open_with(const TableDef *table, const CnWriteOptions *opts, WbError *err);
/* Whether the connector named by the table accepts retractions; the
 * planner uses it to reject a retracting query into an append-only sink. */
bool cn_sink_accepts_retractions(const TableDef *table);
void cn_sink_close(Sink *sink);

/* Formats one row as Flink's print connector does: "+I[1, tmsA, 3]"
 * (NULL prints as "null"), appended to out. */
void cn_format_changelog_row(const Batch *batch, int32_t row, RowKind kind,
                             WbBuf *out);

/* The table store's connector glue (store_source.c, store_sink.c). */
Source *cn_store_source_open(const TableDef *table, bool streaming, int32_t nextra,
                             const char *const *keys, const char *const *values, WbError *err);
/* overwrite: INSERT OVERWRITE; with a static partition naming every
 * partition column, only that partition is replaced (otherwise the
 * partitions written, 'dynamic-partition-overwrite'). */
Sink *cn_store_sink_open(const TableDef *table, const CnWriteOptions *opts, WbError *err);
/* After ALTER TABLE of a stored table (after = the new definition, same
 * store_dir; renamed_from/to: a RENAME COLUMN, else NULL): moves the
 * stored schema to it (a new schema version; older files are read through
 * it).  Fails (and the ALTER must be undone) when a writer holds the table
 * (55P03) or the change cannot be stored (a key's type, a narrowing). */
int cn_store_alter(const TableDef *after, const char *renamed_from, const char *renamed_to,
                   WbError *err);
/* The definition of the system table `base$suffix` of a stored table
 * (t$snapshots, t$files, t$options, t$schemas), in arena: the catalog's
 * SqlSystemTableFn.  NULL with err for another suffix or a table that is
 * not stored. */
const TableDef *cn_system_table_def(const TableDef *base, const char *suffix, WbArena *arena,
                                    WbError *err);
/* CALL sys.compact('t'[, partition]): full compaction of a stored table. */
int cn_store_compact(const TableDef *table, const char *partition, WbError *err);
/* CALL sys.expire_snapshots('t'): expiry now, by the table's retention
 * options (store_call.c). */
int cn_store_expire(const TableDef *table, WbError *err);
/* CALL sys.remove_orphan_files('t'[, older_than]): files no retained
 * snapshot names, older than older_than_ms (epoch ms); *removed = count. */
int cn_store_remove_orphans(const TableDef *table, int64_t older_than_ms, int64_t *removed,
                            WbError *err);

#endif
