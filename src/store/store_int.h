/*
 * store_int.h - private contracts of the table store: the metadata structs
 * as they are in memory, the JSON reader and writer for metadata files, the
 * file helpers (atomic publish, fsync), the merge engines, and the pieces
 * the commit, compaction, expiry and read paths share.
 *
 * The on-disk formats are described in store.h and src/store/README.md.
 */
#ifndef WEIR_STORE_INT_H
#define WEIR_STORE_INT_H

#include "store/store.h"
#include "store/parquet.h"

/* ---- row kinds as stored in _VALUE_KIND (Paimon's RowKind bytes) ----
 * In changelog files they are the input's kinds.  In data files of a
 * primary-key table they say how a row merges with older rows of its key:
 *   0 +I  complete: the row as a whole, replaces everything older
 *   1 -U  retraction (aggregation only): subtract from older accumulators
 *   2 +U  overlay: partial-update fields / aggregation contributions laid
 *         over older rows of the key
 *   3 -D  delete: the key has no row; replaces everything older */
enum { SK_INSERT = 0, SK_RETRACT = 1, SK_OVERLAY = 2, SK_DELETE = 3 };

/* ---- minimal JSON (json.c) ----
 * A DOM in an arena, for the metadata files (kilobytes).  Numbers keep their
 * text; strings are unescaped (\uXXXX to UTF-8). */
typedef enum { SJ_NULL, SJ_BOOL, SJ_NUM, SJ_STR, SJ_ARR, SJ_OBJ } SjType;
typedef struct SjVal {
    SjType type;
    const char *str;          /* SJ_STR (NUL-terminated), SJ_NUM text */
    uint32_t len;
    bool b;
    int32_t n;                /* SJ_ARR / SJ_OBJ: number of items */
    struct SjVal *items;      /* items (objects: values) */
    const char **keys;        /* SJ_OBJ: keys */
} SjVal;
/* Parses text[0..len) into arena; NULL with *errmsg (static text) on bad
 * JSON.  Trailing blanks allowed, nothing else. */
SjVal *sj_parse(WbArena *arena, const char *text, size_t len, const char **errmsg);
const SjVal *sj_get(const SjVal *obj, const char *key);      /* NULL if absent */
/* Typed member reads: 0, or -1 when absent or of another type. */
int sj_int(const SjVal *obj, const char *key, int64_t *out);
const char *sj_str(const SjVal *obj, const char *key);       /* NULL: absent/null */
void sj_put_str(WbBuf *out, const char *s, size_t len);      /* quoted, escaped */

/* ---- files (file.c) ---- */
/* Reads a whole file into a malloc'ed NUL-terminated buffer.  Errors name
 * the path (58030 with errno text; "does not exist" when ENOENT). */
char *store_read_file(const char *path, size_t *len, WbError *err);
/* Writes data to path through "<path>.tmp-<random>": write, fsync, then
 * link to path (fails with EEXIST when it exists: no overwrite) or rename
 * over it (replace=true), fsync the directory.  Returns 0, 1 when
 * !replace and path already existed (nothing written), -1 on error. */
int store_publish_file(const char *path, const void *data, size_t len, bool replace,
                       WbError *err);
/* Writes a new file (exclusive create) and fsyncs it: for files with
 * unique names (manifests).  -1 on error. */
int store_write_new_file(const char *path, const void *data, size_t len, WbError *err);
int store_mkdirs(const char *path, WbError *err);      /* mkdir -p */
int store_fsync_dir(const char *path, WbError *err);
bool store_file_exists(const char *path);
/* A random 128-bit id as 32 hex digits + NUL (getrandom). */
void store_random_id(char out[33]);
/* Hex encoding of bytes and back (-1 on bad hex). */
void store_hex_put(WbBuf *out, const uint8_t *data, size_t len);
int store_hex_get(const char *hex, size_t len, WbBuf *out);
/* Memory sizes "256 mb", "64kb", "1 gb", bytes without a unit. */
int store_parse_memory(const char *text, int64_t *out);

/* ---- the schema (schema.c) ---- */
typedef struct StoreSchema {
    int64_t id;
    int32_t ncols;
    char **names;
    SqlType *types;
    int32_t *field_ids;
    int32_t highest_field_id;
    int32_t npk;
    int32_t *pk;               /* column indices */
    int32_t npart;
    int32_t *part;             /* column indices */
    int32_t nopts;
    char **opt_keys;
    char **opt_values;
    int64_t time_ms;
} StoreSchema;

int store_schema_write(const char *dir, const StoreSchema *schema, WbError *err);
/* Reads schema/schema-<id>; the schema lives in arena. */
int store_schema_read(const char *dir, int64_t id, WbArena *arena, StoreSchema *out,
                      WbError *err);
/* The highest schema id present (probing from 0), -1 when none. */
int64_t store_schema_latest_id(const char *dir);
const char *store_schema_option(const StoreSchema *schema, const char *key);
int store_type_parse(const char *text, SqlType *out);

/* ---- options (options.c) ---- */
typedef enum { ME_DEDUPLICATE, ME_PARTIAL_UPDATE, ME_AGGREGATION, ME_FIRST_ROW } MergeEngine;
typedef enum {
    AGG_PRIMARY_KEY, AGG_SUM, AGG_MAX, AGG_MIN, AGG_LAST_VALUE, AGG_LAST_NON_NULL,
    AGG_FIRST_VALUE, AGG_FIRST_NON_NULL, AGG_COUNT, AGG_LISTAGG, AGG_BOOL_AND, AGG_BOOL_OR
} AggFunc;
typedef enum { CP_NONE, CP_INPUT, CP_LOOKUP, CP_FULL_COMPACTION } ChangelogProducer;
typedef enum {
    SM_DEFAULT, SM_LATEST_FULL, SM_LATEST, SM_FROM_SNAPSHOT, SM_FROM_SNAPSHOT_FULL,
    SM_FROM_TIMESTAMP
} ScanMode;

typedef struct StoreOptions {
    int32_t bucket;
    MergeEngine merge_engine;
    ChangelogProducer changelog_producer;
    int32_t *seq_fields;         /* 'sequence.field' columns, compared in order */
    int32_t nseq_fields;
    uint8_t *agg;                /* per column: AggFunc */
    uint8_t *ignore_retract;     /* per column */
    const char **listagg_delim;  /* per column */
    bool ignore_delete;
    bool partial_remove_on_delete;
    bool agg_remove_on_delete;
    int32_t compaction_trigger;  /* num-sorted-run.compaction-trigger */
    int32_t stop_trigger;        /* num-sorted-run.stop-trigger */
    int32_t num_levels;
    int32_t max_size_amp;        /* compaction.max-size-amplification-percent */
    int32_t size_ratio;          /* compaction.size-ratio */
    int32_t append_min_files;    /* compaction.min.file-num */
    int32_t full_compaction_delta_commits;
    int32_t manifest_merge_min_count;
    int64_t retained_min, retained_max, time_retained_ms;
    int64_t write_buffer_size;
    int64_t target_file_size;
    bool write_only;
    PqCompression compression;   /* 'file.compression' (snappy) */
    int32_t zstd_level;          /* 'file.compression.zstd-level' (1) */
    int32_t *bucket_key;         /* 'bucket-key' columns; NULL: the default */
    int32_t nbucket_key;
    bool streaming_read_overwrite;
    bool dynamic_partition_overwrite;
    const char *partition_default_name;
    /* reads */
    ScanMode scan_mode;
    bool scan_bounded;           /* a stream that ends at the latest snapshot of its start */
    int64_t scan_snapshot_id;    /* -1 */
    int64_t scan_timestamp_ms;   /* INT64_MIN when unset */
    bool incremental;
    int64_t incr_from, incr_to;
    int64_t discovery_interval_ms;
    int64_t pin_lease_ms;
} StoreOptions;

/* Reads the table's options from its schema, overridden by extra
 * (dynamic) options.  Unknown keys and bad values are errors naming the
 * option (F0000). */
int store_options_parse(const StoreSchema *schema, int32_t nextra,
                        const char *const *keys, const char *const *values,
                        WbArena *arena, StoreOptions *out, WbError *err);

/* ---- data file metadata, manifests (manifest.c) ---- */
typedef struct StoreFile {
    char *name;                 /* file name (no directory) */
    char *partition;            /* "" or "p=x/q=y" */
    int32_t bucket;
    int32_t level;
    int64_t rows;
    int64_t delete_rows;        /* rows that are deletes; -1 unknown (older manifests) */
    int64_t min_seq, max_seq;
    uint8_t *min_key, *max_key; /* ty_row_encode of the key columns */
    uint32_t min_key_len, max_key_len;
    int64_t size;
    int64_t schema_id;
    int64_t creation_ms;
    bool changelog;             /* a changelog file (not data) */
    bool compacted;             /* written by compaction */
} StoreFile;

typedef struct StoreEntry {
    bool add;                   /* ADD, else DELETE */
    StoreFile file;
} StoreEntry;

/* One line of a manifest list: a manifest file and its counts. */
typedef struct StoreManifestMeta {
    char *name;
    int64_t size;
    int64_t added, deleted;
} StoreManifestMeta;

/* Writes manifest/<new name> with the entries; fills meta (name in arena). */
int store_manifest_write(const char *dir, const StoreEntry *entries, int32_t n,
                         WbArena *arena, StoreManifestMeta *meta, WbError *err);
/* Reads a manifest; entries appended to *out (grown with wb_realloc, *cap). */
int store_manifest_read(const char *dir, const char *name, WbArena *arena,
                        StoreEntry **out, int32_t *n, int32_t *cap, WbError *err);
int store_manifest_list_write(const char *dir, const StoreManifestMeta *metas, int32_t n,
                              WbArena *arena, char **name_out, WbError *err);
int store_manifest_list_read(const char *dir, const char *name, WbArena *arena,
                             StoreManifestMeta **out, int32_t *n, WbError *err);
/* The path of a data file: dir[/partition]/bucket-N/name (malloc'ed). */
char *store_file_path(const char *dir, const StoreFile *file);

/* ---- snapshots (snapshot.c) ---- */
typedef enum { CK_APPEND, CK_COMPACT, CK_OVERWRITE } CommitKind;
typedef struct StoreSnapshot {
    int64_t id;
    int64_t schema_id;
    char *base_list, *delta_list, *changelog_list;   /* changelog: NULL */
    char *commit_user;
    int64_t commit_identifier;
    CommitKind kind;
    int64_t time_ms;
    int64_t total_records, delta_records, changelog_records;
    int64_t next_seq;
    int64_t watermark;           /* INT64_MIN: none */
} StoreSnapshot;

extern const char *const store_commit_kind_names[];
/* Reads snapshot/snapshot-<id>.  Returns 0, 1 when it does not exist,
 * -1 on error (a corrupt file: the error names it). */
int store_snapshot_read(const char *dir, int64_t id, WbArena *arena, StoreSnapshot *out,
                        WbError *err);
/* Publishes snapshot-<id> without overwrite: 0, 1 when the id is taken. */
int store_snapshot_publish(const char *dir, const StoreSnapshot *snap, WbError *err);
/* The latest and earliest complete snapshot ids (0 when none): the hints
 * are read, then checked by probing (a hint is never trusted). */
int store_snapshot_latest(const char *dir, int64_t *id, WbError *err);
int store_snapshot_earliest(const char *dir, int64_t *id, WbError *err);
void store_snapshot_set_hint(const char *dir, const char *hint, int64_t id);

/* The live files of a snapshot (data files; changelog files of its own
 * commit when changelog=true), in arena; *n set. */
int store_snapshot_files(const char *dir, const StoreSnapshot *snap, bool changelog,
                         WbArena *arena, StoreFile **files, int32_t *n, WbError *err);
/* The entries of a snapshot's delta (what its commit added and deleted). */
int store_snapshot_delta(const char *dir, const StoreSnapshot *snap, WbArena *arena,
                         StoreEntry **entries, int32_t *n, WbError *err);

/* ---- data files (datafile.c), through the Parquet module ----
 * A data file holds the schema's columns (names as in the schema it was
 * written with) and, for primary-key tables, _SEQUENCE_NUMBER BIGINT and
 * _VALUE_KIND INT after them. */
/* Creates a data file (exclusive) of ncols columns, every one OPTIONAL,
 * with the store's Parquet options and the table's codec (zstd at
 * `level`); rows go in with pq_writer_write_vectors, pq_writer_close
 * fsyncs it. */
PqWriter *store_datafile_create(const char *path, int32_t ncols, const SqlType *types,
                                const char *const *names, PqCompression codec, int32_t level,
                                WbError *err);
/* A data file read in slices, straight into the caller's batch: column c
 * of the destination (of type types[c]) <- the file's column named
 * names[c]; a wanted column (want NULL: every one) that is NULL or absent
 * from the file reads as NULLs, an unwanted one is left untouched.  Only
 * the row groups whose statistics may satisfy preds (col = a destination
 * column) are read; without preds the file must yield expect_rows rows
 * (-1: unchecked).  Columns the file holds under an older, narrower type
 * (schema evolution) are widened.  Errors name the file. */
typedef struct StoreFileScan StoreFileScan;
StoreFileScan *store_file_scan_open(const char *path, const char *const *names,
                                    const uint8_t *want, const SqlType *types, int32_t ncols,
                                    int64_t expect_rows, const PqPredicate *preds,
                                    int32_t npreds, WbError *err);
/* Appends up to max_rows rows to dst (reserving room), weights 1: the
 * number appended, 0 at the end of the file, -1 on error. */
int32_t store_file_scan_next(StoreFileScan *fs, Batch *dst, int32_t max_rows, WbError *err);
int64_t store_file_scan_rows(const StoreFileScan *fs);
void store_file_scan_close(StoreFileScan *fs);
/* Appends the file's rows to dst: column i of dst <- the file's column
 * named names[i] (NULL or absent: NULLs).  Types must match dst's (the
 * file's types are the writer schema's; widening is applied).  The error
 * names the file. */
int store_datafile_read(const char *path, const char *const *names, Batch *dst,
                        int64_t expect_rows, WbError *err);
/* The same, reading only the row groups whose statistics may satisfy
 * preds (col = a column of dst); the row count is then not checked. */
int store_datafile_read_where(const char *path, const char *const *names, Batch *dst,
                              int64_t expect_rows, const PqPredicate *preds, int32_t npreds,
                              WbError *err);

/* ---- rows in memory (merge.c) ----
 * A "row batch" of the store: the schema's columns, then _SEQUENCE_NUMBER
 * (BIGINT) and _VALUE_KIND (INT), as data files of PK tables hold. */
typedef struct StoreTableCtx StoreTableCtx;   /* see below */

/* Compares the key of row a of ba with row b of bb (NULL first). */
int store_key_cmp(const StoreTableCtx *ctx, const Batch *ba, int32_t a, const Batch *bb,
                  int32_t b);
/* Merges the sorted runs of src (run r = rows [starts[r], starts[r+1]),
 * oldest run first, each sorted by key then sequence) into dst: one row per
 * key folded with the merge engine.  bottom: nothing older exists (deletes
 * are dropped, overlays become rows).  Returns 0 or -1 (err). */
int store_merge_runs(const StoreTableCtx *ctx, const Batch *src, const int32_t *starts,
                     int32_t nruns, bool bottom, Batch *dst, WbError *err);
/* Sorts rows [0, src->nrows) by key then sequence into order[]. */
void store_sort_rows(const StoreTableCtx *ctx, const Batch *src, int32_t *order);
/* Appends to out the changes from state a to state b (both merged, present
 * rows only, sorted by key): -D, +I, -U/+U pairs.  out has the schema's
 * columns (row batches' extra columns not copied). */
void store_diff_states(const StoreTableCtx *ctx, const Batch *a, const Batch *b, Batch *out);
/* Whether two rows have equal values in the schema's columns. */
bool store_rows_equal(const StoreTableCtx *ctx, const Batch *ba, int32_t a, const Batch *bb,
                      int32_t b);

/* ---- the open table ---- */
struct StoreTableCtx {
    char *dir;
    WbArena arena;               /* schema, options, names */
    StoreSchema schema;
    StoreOptions opts;
    bool pk_table;
    int32_t int_key;             /* the one key column when it is integer-like, else -1 */
    int32_t nbucket_key;         /* bucket key: pk minus partition keys */
    int32_t *bucket_key;
    int32_t nrow_cols;           /* schema columns + 2 for PK tables */
    SqlType *row_types;          /* nrow_cols */
    const char **row_names;
    int32_t seq_col, kind_col;   /* -1 for append tables */
    const char *name;            /* for messages */
    /* A scan's projection: nonzero for a column no one reads (never a key
     * or the sequence field); such columns read as NULL.  NULL: all. */
    const uint8_t *skip_cols;
    /* A scan's filter on primary-key columns (col = schema column): row
     * groups whose statistics rule it out are not read.  Sound however the
     * runs merge, since a key outside it is outside it in every run; the
     * filter still runs above the scan. */
    const PqPredicate *key_preds;
    int32_t nkey_preds;
};
/* The names to read a file's columns by (its schema's names, by field id;
 * NULL for a column it lacks or that is skipped); in tmp or ctx's. */
const char **store_file_names(const StoreTableCtx *ctx, const StoreFile *f, WbArena *tmp,
                              WbError *err);

struct StoreTable {
    StoreTableCtx ctx;
    void *lookup_cache;          /* lookup.c */
};
void store_lookup_cache_free(StoreTable *table);

/* A new batch of rows of the table (nrow_cols columns). */
Batch *store_row_batch(const StoreTableCtx *ctx, int32_t capacity);
/* Appends row r of src (nrow_cols columns) to dst. */
void store_row_copy(Batch *dst, const Batch *src, int32_t r);
/* The partition path of row r ("" unpartitioned) appended to out. */
void store_partition_path(const StoreTableCtx *ctx, const Batch *b, int32_t r, WbBuf *out);
int32_t store_row_bucket(const StoreTableCtx *ctx, const Batch *b, int32_t r);
/* store_static_partition over a context; only_key >= 0: just that
 * partition key's component ("col=value"). */
char *store_static_partition_of(const StoreTableCtx *ctx, int32_t n, const int32_t *cols,
                                const char *const *values, int32_t only_key);

/* Reads the files (all of one partition and bucket) into a row batch as
 * sorted runs: L0 files one run each, oldest first, then levels from the
 * highest (oldest) down.  starts has nfiles+1 slots. */
int store_load_runs(const StoreTableCtx *ctx, StoreFile *const *files, int32_t nfiles,
                    Batch *dst, int32_t *starts, int32_t *nruns, WbError *err);
/* A scan of one of the table's files in the row layout
 * (store_file_scan_open): its columns by the names of the schema it was
 * written with, the `want` ones (NULL: all), skipping by ctx->key_preds
 * when key_preds. */
StoreFileScan *store_file_scan_of(const StoreTableCtx *ctx, const StoreFile *f, const uint8_t *want,
                                  bool key_preds, WbError *err);
/* Sorts a bucket's files as store_load_runs reads them. */
void store_order_files(const StoreTableCtx *ctx, StoreFile **files, int32_t nfiles);
/* Whether a bucket's files are one sorted run of whole rows and deletes
 * (a deduplicate or first-row table; one file, or files of one level
 * above 0, which never overlap): each key is there once, as it stands,
 * and reading them in order needs no merge. */
bool store_one_run(const StoreTableCtx *ctx, StoreFile *const *files, int32_t nfiles);
/* Whether a file's key range may hold rows satisfying ctx->key_preds
 * (the manifest's min/max keys: the first key column's range). */
bool store_file_may_match(const StoreTableCtx *ctx, const StoreFile *f);
/* Removes the rows of dst from `first` on whose kind (kind[row]) is a
 * delete, keeping the others in order, in dst's first ncols columns. */
void store_drop_deletes(const int64_t *kind, Batch *dst, int32_t first, int32_t ncols);
/* The merge of files of one partition and bucket (any runs) read as a
 * stream with bounded memory (merge_stream.c): store_merge_runs' rows in
 * slices.  bottom: nothing older exists (a read of the state, or a
 * compaction of every run). */
typedef struct StoreMergeStream StoreMergeStream;
StoreMergeStream *store_merge_stream_open(const StoreTableCtx *ctx, StoreFile *const *files,
                                          int32_t nfiles, bool bottom);
/* Appends the next merged rows, in key order, to dst (a row batch): the
 * number appended (> 0), 0 at the end, -1 on error. */
int32_t store_merge_stream_next(StoreMergeStream *m, Batch *dst, WbError *err);
void store_merge_stream_close(StoreMergeStream *m);
/* The changes from a bucket's state before (its files `before`) to a new
 * state that comes as slices in key order: each call appends to changes
 * (the schema's columns, store_diff_states' rows) the differences up to
 * the slice's last key; now NULL ends it (the rows before left are
 * deletes).  Memory: a slice of each state. */
typedef struct StoreStateDiff StoreStateDiff;
StoreStateDiff *store_state_diff_open(const StoreTableCtx *ctx, StoreFile *const *before,
                                      int32_t nbefore);
int store_state_diff_next(StoreStateDiff *d, const Batch *now, Batch *changes, WbError *err);
void store_state_diff_close(StoreStateDiff *d);
/* The changes between the states of two sets of a bucket's files. */
int store_diff_buckets(const StoreTableCtx *ctx, StoreFile *const *before, int32_t nbefore,
                       StoreFile *const *after, int32_t nafter, Batch *changes, WbError *err);
/* The merged state of one bucket (present rows sorted by key, row batch). */
int store_bucket_state(const StoreTableCtx *ctx, StoreFile *const *files, int32_t nfiles,
                       Batch *dst, WbError *err);

/* Groups files by (partition, bucket): sorts the pointer array and returns
 * group boundaries in *bounds (malloc'ed, ngroups+1). */
int32_t store_group_files(StoreFile **files, int32_t n, int32_t **bounds);

/* ---- commit (commit.c) ---- */
typedef struct StoreCommit {
    CommitKind kind;
    const char *commit_user;
    int64_t identifier;
    StoreEntry *entries;         /* data files added / deleted */
    int32_t nentries;
    StoreFile *changelog;        /* changelog files */
    int32_t nchangelog;
    int64_t next_seq;            /* the writer's next sequence number */
    int64_t watermark;
    /* The writer's memory of the user's commits (may be NULL): snapshots
     * up to *checked_upto were searched, and the user's newest identifier
     * there is *last_identifier (INT64_MIN: none).  Keeps the search for a
     * duplicate commit to the snapshots committed since. */
    int64_t *checked_upto;
    int64_t *last_identifier;
} StoreCommit;
/* Commits under the caller's writer lock: writes the manifests and the
 * snapshot <latest>+1.  Checks that every deleted file is live in the
 * latest snapshot (else a conflict, 40001).  *snapshot_id = the new id, or
 * 0 when the identifier was already committed (nothing done). */
int store_commit(StoreTableCtx *ctx, const StoreCommit *commit, int64_t *snapshot_id,
                 WbError *err);
/* Whether (user, identifier) is committed in one of the snapshots
 * retained; 1 yes, 0 no, -1 error. */
int store_commit_exists(StoreTableCtx *ctx, const char *user, int64_t identifier,
                        int64_t *checked_upto, int64_t *last_identifier, WbError *err);

/* The writer lock (flock on <dir>/LOCK): -1 with 55P03 when held. */
int store_lock_acquire(const StoreTableCtx *ctx, WbError *err);
void store_lock_release(int fd);

/* ---- writing files (write.c) ---- */
/* Files of one (partition, bucket) at one level written from rows that
 * come in order (a sorted run: key, then sequence), a new file each time
 * one reaches target_bytes (INT64_MAX: one file).  The files' metadata
 * (rows, deletes, sequence and key ranges) is gathered as rows go in. */
typedef struct StoreRunWriter StoreRunWriter;
StoreRunWriter *store_run_writer_open(const StoreTableCtx *ctx, const char *partition, int32_t bucket,
                                      int32_t level, bool changelog, int64_t append_seq,
                                      int64_t target_bytes, WbArena *arena);
/* Writes rows order[0..n) of b (a row batch; order NULL: 0..n-1). */
int store_run_writer_write(StoreRunWriter *w, const Batch *b, const int32_t *order, int32_t n,
                           WbError *err);
/* Closes the last file and frees the writer: the files written (in
 * arena), in order.  On error every file it wrote is removed. */
int store_run_writer_finish(StoreRunWriter *w, StoreFile **files, int32_t *n, WbError *err);
/* Removes every file written and frees the writer. */
void store_run_writer_abort(StoreRunWriter *w);
/* Writes rows order[0..n) of b (a row batch, in key/sequence order) as one
 * new file of (partition, bucket) at level; file described in *file
 * (names in arena).  append_seq: the file's sequence for append tables
 * (its order among the bucket's files). */
int store_write_file(const StoreTableCtx *ctx, const Batch *b, const int32_t *order, int32_t n,
                     const char *partition, int32_t bucket, int32_t level, bool changelog,
                     int64_t append_seq, WbArena *arena, StoreFile *file, WbError *err);
/* Writes b's rows (a row batch: change rows with their kinds in
 * _VALUE_KIND) as a changelog file; appended to *out. */
int store_write_changelog(const StoreTableCtx *ctx, const Batch *changes, const char *partition,
                          int32_t bucket, WbArena *arena, StoreFile **out, int32_t *n,
                          int32_t *cap, WbError *err);
/* The lookup producer: the changes of a commit (entries applied to the
 * live files `before`) per touched bucket, written as changelog files. */
int store_changelog_by_diff(StoreTableCtx *ctx, const StoreFile *before, int32_t nbefore,
                            const StoreEntry *entries, int32_t nentries, WbArena *arena,
                            StoreFile **out, int32_t *nout, int32_t *cap, WbError *err);
/* Changes (Batch of the schema's columns with kinds) as a row batch with
 * _VALUE_KIND = the change kind. */
void store_changes_to_rows(const StoreTableCtx *ctx, const Batch *changes, Batch *rows);

/* ---- pins (expire.c) ---- */
/* Creates a pin on snapshot id; returns its path (malloc'ed) or NULL. */
char *store_pin_create(const StoreTableCtx *ctx, int64_t snapshot, int64_t lease_ms, WbError *err);
/* Moves a pin to another snapshot and renews its lease. */
int store_pin_update(const StoreTableCtx *ctx, const char *path, int64_t snapshot, int64_t lease_ms,
                     WbError *err);
void store_pin_remove(char *path);

/* ---- compaction (compact.c) ---- */
/* Compacts the table's buckets (all, or those in the partition/bucket
 * list); full = merge every run of each bucket.  Commits one COMPACT
 * snapshot (nothing when there is nothing to do).  Caller holds the lock. */
int store_compact_locked(StoreTableCtx *ctx, const char *commit_user, bool full,
                         const char *const *parts, const int32_t *buckets, int32_t ntouched,
                         int64_t next_seq, WbError *err);

/* ---- expiry and pins (expire.c) ---- */
int store_expire_locked(StoreTableCtx *ctx, int64_t now_ms, WbError *err);

#endif
