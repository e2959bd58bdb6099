/*
 * store.h - weir's table store: a table is a directory of immutable files
 * found through snapshots and manifests (Apache Paimon's design).
 *
 * On-disk layout of a table directory (all metadata is UTF-8 JSON):
 *
 *   schema/schema-<N>            the table's schema, version N (0, 1, ...)
 *   snapshot/snapshot-<N>        one per commit, N = 1, 2, ... (+1 each)
 *   snapshot/LATEST, EARLIEST    hints: a decimal id; never trusted blindly
 *   manifest/manifest-<id>-0     JSON lines: data files added/deleted
 *   manifest/manifest-list-<id>-0  JSON lines: manifest files
 *   [<partition>/]bucket-<B>/data-<id>-0.parquet       data files
 *   [<partition>/]bucket-<B>/changelog-<id>-0.parquet  changelog files
 *   LOCK                         flock'ed by the one writer
 *   pin/pin-<pid>-<id>           readers' pins: {"snapshot":N,"expire":ms}
 *
 * schema-N: {"version":1, "id":N, "fields":[{"id":0, "name":"k",
 *   "type":"BIGINT NOT NULL"}, ...], "highestFieldId":2,
 *   "partitionKeys":["p"], "primaryKeys":["k"], "options":{"bucket":"2"},
 *   "timeMillis":ms}.  Types are weir's SQL type names (ty_name).
 *
 * snapshot-N: {"version":3, "id":N, "schemaId":S, "baseManifestList":name,
 *   "deltaManifestList":name, "changelogManifestList":name|null,
 *   "commitUser":"...", "commitIdentifier":I, "commitKind":"APPEND" |
 *   "COMPACT" | "OVERWRITE", "timeMillis":ms, "totalRecordCount":n,
 *   "deltaRecordCount":n, "changelogRecordCount":n,
 *   "nextSequenceNumber":n, "watermark":w|null}.
 *   The files live in snapshot N are: the ADD entries minus the DELETE
 *   entries of the manifests listed by base + delta (base = everything up to
 *   snapshot N-1, delta = what commit N changed).  The changelog list names
 *   the changelog files commit N produced.
 *
 * A manifest list: one JSON object per line {"fileName":..., "fileSize":n,
 *   "numAddedFiles":n, "numDeletedFiles":n}, then a last line
 *   {"end":<number of lines before>} (a truncated file is detected).
 * A manifest: one line per entry {"kind":"ADD"|"DELETE", "partition":"p=x",
 *   "bucket":B, "fileName":..., "level":L, "rowCount":n,
 *   "deleteRowCount":n (data files; absent = unknown), "minSequenceNumber":n, "maxSequenceNumber":n, "minKey":hex,
 *   "maxKey":hex, "fileSize":n, "schemaId":S, "creationTime":ms,
 *   "fileSource":"APPEND"|"COMPACT", "changelog":bool}, then {"end":n}.
 *   minKey/maxKey are the hex of types.h's compact row encoding of the
 *   primary-key columns ("" for append tables).
 *
 * Data files are Parquet: the schema's columns by name, and for primary-key
 * tables `_SEQUENCE_NUMBER` BIGINT and `_VALUE_KIND` INT (0 +I, 1 -U,
 * 2 +U, 3 -D; in data files: 0 a whole row, 2 an overlay (partial-update /
 * aggregation contributions), 1 a retraction of contributions, 3 a delete),
 * rows sorted by key then sequence.  Partition directories are
 * `col=value` (Hive style, '%XX' escapes for '/', '=', '%' and controls;
 * NULL is '__DEFAULT_PARTITION__').
 *
 * Commit protocol: a writer (holding LOCK) writes data files and manifests
 * (invisible: nothing points at them), then links a fsynced temporary file
 * to snapshot-<N+1> (link fails if the name exists: two committers cannot
 * both take an id), fsyncs the directory, and rewrites the LATEST hint.
 * Readers take no lock: the highest complete snapshot (the LATEST hint, then
 * probing upwards) is the table; they pin the snapshot they read.
 */
#ifndef WEIR_STORE_H
#define WEIR_STORE_H

#include "types/types.h"

typedef struct StoreTable StoreTable;

/* The definition of a table, used when its directory holds no schema yet
 * (a new table); pk/part are column indices. */
typedef struct StoreSpec {
    const char *name;             /* shown in messages */
    int32_t ncols;
    const char *const *names;
    const SqlType *types;
    int32_t npk;
    const int32_t *pk;
    int32_t npart;
    const int32_t *part;
    int32_t noptions;
    const char *const *opt_keys;
    const char *const *opt_values;
} StoreSpec;

/* Opens the table in dir.  A directory without a schema is an empty table
 * with spec's schema (nothing is written until the first commit).  An
 * existing schema wins over spec; options and columns must still parse.
 * Errors: bad options (F0000, naming the option), corrupt metadata (naming
 * the file).  The handle is not thread-safe. */
StoreTable *store_open(const char *dir, const StoreSpec *spec, WbError *err);
void store_close(StoreTable *table);

/* The table's columns (the latest schema): count, names, types. */
int32_t store_ncols(const StoreTable *table);
const char *store_col_name(const StoreTable *table, int32_t col);
SqlType store_col_type(const StoreTable *table, int32_t col);
bool store_has_pk(const StoreTable *table);

/* ---- writing ----
 * A writer holds the table's writer lock from open to close: a second
 * writer (another job, another process) fails at open with SQLSTATE 55P03,
 * it does not wait.  Rows carry their kinds (Batch weights and updates):
 * for a primary-key table +I/+U upsert, -D deletes the key, -U retracts
 * (deduplicate: a delete; partial-update: ignored; aggregation: retracts
 * contributions); an append-only table refuses retractions. */
typedef struct StoreWriter StoreWriter;
/* overwrite: INSERT OVERWRITE.  overwrite_partition: NULL (the whole table,
 * or with 'dynamic-partition-overwrite' the partitions written) or a
 * partition path "p=x" (static partition overwrite). */
StoreWriter *store_writer_open(StoreTable *table, const char *commit_user, bool overwrite,
                               const char *overwrite_partition, WbError *err);
/* The rows of batch (columns = the table's) go into the write buffer;
 * a full buffer is flushed into level-0 files (invisible until commit). */
int store_writer_write(StoreWriter *writer, const Batch *batch, WbError *err);
/* The partition path ("p=x/q=y") of static partition values given for
 * every partition column (cols: column indices, values: canonical text as
 * ty_format_value writes it); NULL when some partition column is missing
 * (malloc'ed). */
char *store_static_partition(const StoreTable *table, int32_t n, const int32_t *cols,
                             const char *const *values);
/* Flushes everything into files, fsynced (still invisible). */
int store_writer_prepare(StoreWriter *writer, WbError *err);
/* Prepares, then commits snapshot N+1 tagged with identifier (a job or
 * checkpoint id, growing per commit user): committing an identifier the
 * user already committed (or a smaller one) is a no-op whose files are
 * removed.  Then compacts (unless 'write-only') and
 * expires snapshots.  *snapshot_id = the new id or 0.  The writer stays
 * usable for further writes and commits. */
int store_writer_commit(StoreWriter *writer, int64_t identifier, int64_t *snapshot_id,
                        WbError *err);
/* Aborts what is not committed (its files are deleted) and releases the
 * lock. */
void store_writer_close(StoreWriter *writer);

/* CALL sys.compact: full compaction of every bucket (of one partition when
 * partition != NULL), committed as a COMPACT snapshot, then expiry.  Takes
 * the writer lock (fails with 55P03 while a writer runs). */
int store_compact(StoreTable *table, const char *partition, WbError *err);
/* Removes orphan files older than older_than_ms (Paimon's
 * remove_orphan_files): data, changelog and manifest files no snapshot
 * names, and temporaries of interrupted writes.  Takes the writer lock.
 * *removed = how many. */
int store_remove_orphans(StoreTable *table, int64_t older_than_ms, int64_t *removed, WbError *err);
/* Expires snapshots now by the table's retention options. */
int store_expire(StoreTable *table, WbError *err);

/* ---- reading ----
 * A scan reads the table with its options overridden by the extra
 * (dynamic) options: batch (latest snapshot, 'scan.snapshot-id',
 * 'scan.timestamp-millis', or 'incremental-between' = 'a,b'), or streaming
 * ('scan.mode' latest-full | latest | from-snapshot | from-snapshot-full |
 * from-timestamp; then every later snapshot's changes, polled every
 * 'continuous.discovery-interval'; with 'scan.bounded' = 'true' the stream
 * ends at the latest snapshot of its start).  Rows come out with the table's
 * columns and their kinds (weights +1/-1, update flags). */
typedef struct StoreScan StoreScan;
StoreScan *store_scan_open(StoreTable *table, bool streaming, int32_t nextra,
                           const char *const *keys, const char *const *values, WbError *err);
/* Restricts a scan of a primary-key table by predicates on key columns
 * (col = column of the table; others are ignored): row groups whose
 * statistics rule them out are not read.  The rows that remain are not
 * filtered: the query still applies its filter.  Copied. */
struct PqPredicate;
void store_scan_key_filter(StoreScan *scan, const struct PqPredicate *preds, int32_t n);
/* Limits the scan to partitions whose path is in the list (partition
 * pruning; NULL = all). */
void store_scan_partitions(StoreScan *scan, const char *const *parts, int32_t nparts);
/* Appends up to max_rows change rows to out (an update pair is never cut).
 * now_ms is the job clock (the discovery interval counts on it).  Returns 1
 * (more may follow; out may be empty for a streaming scan waiting for a
 * snapshot), 0 at the end of a bounded scan, -1 on error. */
int store_scan_next(StoreScan *scan, Batch *out, int32_t max_rows, int64_t now_ms,
                    WbError *err);
/* Whether the scan ends: a batch scan, or a stream with 'scan.bounded' =
 * 'true' (it ends at the latest snapshot when it opened). */
bool store_scan_bounded(const StoreScan *scan);
/* Projection: columns with unread[col] != 0 are not read (they come out
 * NULL), except key and sequence columns.  Before the first next. */
void store_scan_unread(StoreScan *scan, const uint8_t *unread);
/* Partition pruning: only partitions whose column col (a partition key)
 * has this value (canonical text; NULL = the default partition name) are
 * read.  Call before the first store_scan_next; -1 if col is not a
 * partition key. */
int store_scan_partition_value(StoreScan *scan, int32_t col, const char *value);
/* The snapshot the scan has read up to (0 = none yet). */
int64_t store_scan_snapshot(const StoreScan *scan);
void store_scan_close(StoreScan *scan);

/* ---- point lookups and key ranges (primary-key tables) ----
 * keys: a batch whose first npk columns are the key values (in primary-key
 * order); for each key row the current row (latest snapshot, re-read when
 * a new snapshot appears) is appended to out (table columns); found[i] =
 * index in out or -1.  Returns 0 or -1. */
int store_lookup(StoreTable *table, const Batch *keys, Batch *out, int32_t *found,
                 WbError *err);
/* Rows with lo <= key <= hi (either bound NULL = open; row 0 of lo/hi
 * holds the key columns in primary-key order), in key order, of the latest
 * snapshot (or snapshot_id > 0). */
int store_scan_range(StoreTable *table, int64_t snapshot_id, const Batch *lo,
                     const Batch *hi, Batch *out, WbError *err);

/* ---- schema evolution (ALTER TABLE) ----
 * Each writes schema-<N+1> under the writer lock (55P03 while a writer
 * runs) and moves the handle to it; older data files are read through it
 * by field id.  Columns are added at the end (NULL in older rows); a type
 * may widen as pq_type_compatible allows, not for key or partition
 * columns.  value NULL resets an option. */
int store_alter_add_column(StoreTable *table, const char *name, SqlType type, WbError *err);
int store_alter_rename_column(StoreTable *table, const char *from, const char *to, WbError *err);
int store_alter_column_type(StoreTable *table, const char *name, SqlType type, WbError *err);
int store_alter_option(StoreTable *table, const char *key, const char *value, WbError *err);

/* Moves the stored schema to a new definition (the catalog's, after ALTER
 * TABLE): columns in spec's order, matched to stored ones by name (the
 * column renamed_from, when given, is now renamed_to), new ones added
 * (NULL in older rows), types widened (INT to BIGINT/DOUBLE/DECIMAL,
 * DECIMAL to more digits or DOUBLE, longer strings, finer timestamps),
 * options replaced.  Keys and partition keys cannot change.  Writes
 * schema-<N+1> when anything changed; nothing when the table has no
 * schema yet.  The handle must be reopened to see it. */
int store_evolve(StoreTable *table, const StoreSpec *spec, const char *renamed_from,
                 const char *renamed_to, WbError *err);

/* ---- system tables (systable.c): t$snapshots, t$files, t$options,
 * t$schemas, from the table's metadata ---- */
typedef enum { STORE_SYS_SNAPSHOTS, STORE_SYS_FILES, STORE_SYS_OPTIONS, STORE_SYS_SCHEMAS } StoreSysTable;
/* The kind a suffix names ("snapshots", ...), -1 if none. */
int store_sys_kind(const char *suffix);
int32_t store_sys_ncols(StoreSysTable kind);
const char *store_sys_col_name(StoreSysTable kind, int32_t col);
SqlType store_sys_col_type(StoreSysTable kind, int32_t col);
/* Appends the system table's rows (its columns) to out, grown as needed
 * (strings in its arena).  Returns 0, or -1 (a corrupt file, named). */
int store_sys_read(const char *dir, StoreSysTable kind, Batch *out, WbError *err);

/* ---- information ---- */
int64_t store_latest_snapshot(StoreTable *table, WbError *err);

#endif
