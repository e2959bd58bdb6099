/*
 * parquet.h - Apache Parquet files written and read by weir's own code (no
 * C Parquet library is packaged in Debian), from the public specification:
 * parquet-format's parquet.thrift, Encodings.md and the Thrift compact
 * protocol.  The table store writes its data files through this API; the
 * filesystem connector's 'parquet' format reads and writes through it too.
 *
 * Prefix: pq_ for functions, Pq for types.
 *
 * ---- The file (what weir writes) ----
 *
 *     "PAR1" | column chunks of row group 0 | ... of row group n-1 |
 *     FileMetaData (Thrift compact) | footer length (u32 LE) | "PAR1"
 *
 * One flat schema: a root group with one primitive leaf per column, REQUIRED
 * for a NOT NULL column, OPTIONAL otherwise (definition level 0 = NULL,
 * 1 = present); no repetition levels.  A column chunk is an optional
 * dictionary page, then data pages v1, each compressed alone with the
 * file's codec (UNCOMPRESSED, SNAPPY or ZSTD; GZIP also written on request).
 * A data page v1 holds: the definition levels (OPTIONAL columns only) as a
 * u32 LE byte length and the RLE/bit-packed hybrid at bit width 1, then the
 * values: PLAIN, or RLE_DICTIONARY (a bit-width byte and the hybrid of
 * dictionary indices) after a PLAIN dictionary page.  A chunk uses the
 * dictionary when enabled and its PLAIN dictionary stays within
 * dictionary_page_bytes; otherwise (the dictionary grew too big) the whole
 * chunk is PLAIN.  BOOLEAN is always PLAIN (bit-packed).  Each chunk's
 * ColumnMetaData, and each data page's header, carries Statistics: null_count, and min_value/max_value
 * (PLAIN bytes, no length prefix for byte arrays) in the type's sort order
 * (ColumnOrder TYPE_ORDER for every column): signed for integers, DATE,
 * TIME, TIMESTAMP and DECIMAL (FIXED_LEN_BYTE_ARRAY decimals compare as
 * signed big-endian), unsigned bytewise for STRING and BYTES (values over
 * 64 bytes are cut: min to a prefix, max to a prefix with its last byte
 * raised, both marked inexact), IEEE order for DOUBLE (NaN ignored;
 * -0.0 as min, +0.0 as max).  INTERVAL has no order: null_count only.
 * The footer's key_value_metadata holds the caller's strings; created_by
 * is "weir".
 *
 * ---- Type mapping (weir SqlType -> Parquet, both ways) ----
 *
 *   BOOLEAN        BOOLEAN
 *   INT            INT32
 *   BIGINT         INT64
 *   DECIMAL(p,s)   p <= 9: INT32, p <= 18: INT64, p <= 38:
 *                  FIXED_LEN_BYTE_ARRAY (the fewest bytes that hold 10^p-1,
 *                  big-endian two's complement); DECIMAL logical type and
 *                  converted type, precision p, scale s
 *   DOUBLE         DOUBLE
 *   STRING         BYTE_ARRAY, STRING logical type (UTF8 converted type)
 *   BYTES          BYTE_ARRAY, no annotation
 *   DATE           INT32, DATE (days since 1970-01-01)
 *   TIME           INT32, TIME(isAdjustedToUTC=false, MILLIS)
 *   TIMESTAMP(p)   INT64, TIMESTAMP(isAdjustedToUTC=false, MICROS)
 *   TIMESTAMP_LTZ  INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS) and the
 *                  TIMESTAMP_MICROS converted type
 *   INTERVAL       FIXED_LEN_BYTE_ARRAY(12), INTERVAL converted type: three
 *                  u32 LE (months, days, milliseconds).  YEAR TO MONTH
 *                  writes (months, 0, 0), months as 32-bit two's complement;
 *                  DAY TO SECOND writes (0, days, ms) with days =
 *                  floor(value / 86400000) (two's complement) and ms in
 *                  [0, 86400000), so that -1 ms is (0, -1, 86399999).
 *                  DuckDB reads these as INTERVAL ("-1 day +23:59:59.999"
 *                  for -1 ms: the same length of time; months and days
 *                  signed, ms unsigned).  Reading sums the parts back:
 *                  YEAR TO MONTH needs days = ms = 0, DAY TO SECOND needs
 *                  months = 0 (else an error naming the column).  A
 *                  file does not say which family a column is: it reads
 *                  as DAY TO SECOND unless the caller's type says
 *                  YEAR TO MONTH.
 *
 * Reading files from other writers also maps: INT32/INT64 with the INTEGER
 * logical type or INT_8..INT_64 / UINT_8..UINT_32 converted types (INT, or
 * BIGINT for INT64 and UINT_32), TIMESTAMP MILLIS / MICROS / NANOS (to
 * micros; NANOS truncated toward minus infinity), TIMESTAMP_MILLIS /
 * TIMESTAMP_MICROS converted types, TIME MILLIS / MICROS / NANOS (to
 * millis, truncated), DECIMAL on INT32, INT64, FIXED_LEN_BYTE_ARRAY or
 * BYTE_ARRAY, FLOAT -> DOUBLE, BYTE_ARRAY with STRING / ENUM / JSON -> STRING
 * and other BYTE_ARRAY -> BYTES, UUID (FIXED_LEN_BYTE_ARRAY(16)) -> STRING
 * in its canonical 36-character text, INT96 -> TIMESTAMP (Impala's nanos
 * of the day + Julian day).  Unsupported (a clear error naming the column
 * when the column is read, never when it is only present in the file):
 * nested groups and REPEATED fields, UINT_64, FLOAT16, other
 * FIXED_LEN_BYTE_ARRAY.
 *
 * Encodings read: PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY, RLE
 * (booleans and levels), BIT_PACKED levels, DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages
 * v1 and v2; codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD.  Page CRCs, page
 * indexes and bloom filters are ignored; encrypted files are refused.
 *
 * ---- Hostile input ----
 * Every length, offset and count read from a file is checked before it is
 * used to allocate or index; a corrupt or truncated file gives a WbError
 * (SQLSTATE 22000, or 58030 for I/O) whose message names the file and says
 * what is wrong (err->source = the path).  No assert is reachable from
 * file contents.
 */
#ifndef WEIR_PARQUET_H
#define WEIR_PARQUET_H

#include "types/types.h"

/* ---- values and statistics ----
 * A value in weir's physical representation of the column's SqlType (the
 * same as a ColumnVector cell, types.h): only the member of ty_phys(type)
 * is meaningful.  Strings point into memory whose owner each function
 * states. */
typedef struct PqValue {
    int64_t i64;          /* PK_I64 */
    double f64;           /* PK_F64 */
    ty_i128 i128;         /* PK_I128 */
    WbStr str;            /* PK_STR */
} PqValue;

/* Statistics of one column over a row group or a whole file. */
typedef struct PqColumnStats {
    int64_t null_count;   /* -1: unknown (a file without it) */
    /* false: no bound is known (every value NULL, a type without an
     * order such as INTERVAL, only NaN, or a file without statistics) */
    bool has_min_max;
    /* min/max are exact values of the column (the bounds a writer cut
     * are marked inexact in the file and read as not exact here). */
    bool min_exact, max_exact;
    PqValue min, max;
} PqColumnStats;

/* ---- writer ---- */

typedef enum PqCompression {
    PQ_COMPRESS_NONE = 0,
    PQ_COMPRESS_SNAPPY,
    PQ_COMPRESS_ZSTD,
    PQ_COMPRESS_GZIP
} PqCompression;

typedef struct PqWriteOptions {
    PqCompression compression;   /* default SNAPPY */
    int32_t compression_level;   /* ZSTD 1..22 (default 3); GZIP 1..9 (6) */
    int64_t row_group_rows;      /* a row group ends at this many rows (default 1,048,576) */
    int64_t row_group_bytes;     /* ... or at this much raw data (default 128 MiB) */
    int32_t page_bytes;          /* target raw size of a data page (default 1 MiB) */
    bool dictionary;             /* try dictionary encoding (default true) */
    int32_t dictionary_page_bytes; /* fall back to PLAIN above this (default 1 MiB) */
} PqWriteOptions;

/* The defaults above. */
void pq_write_options_default(PqWriteOptions *opts);
/* "none" | "uncompressed" | "snappy" | "zstd" | "gzip" (any case) -> *out;
 * -1 when the name is not one. */
int pq_compression_parse(const char *name, PqCompression *out);

typedef struct PqKeyValue {
    const char *key;
    const char *value;           /* may be NULL */
} PqKeyValue;

/* What a finished file holds (pq_writer_close). */
typedef struct PqFileStats {
    int64_t num_rows;
    int64_t file_size;           /* bytes on disk */
    int32_t num_row_groups;
    int32_t ncols;
    PqColumnStats *cols;         /* ncols entries, exact min/max */
} PqFileStats;

typedef struct PqWriter PqWriter;

/* Creates `path` (it must not exist: O_EXCL) for a file of ncols columns
 * with these names and types (NOT NULL types, nullable == 0, become
 * REQUIRED columns: a NULL written into one is an error).  names, types,
 * opts and kv are copied; opts NULL = defaults; kv (nkv pairs) goes into
 * the footer.  Returns NULL with err set (bad options, I/O). */
PqWriter *pq_writer_open(const char *path, int32_t ncols, const char *const *names,
                         const SqlType *types, const PqWriteOptions *opts,
                         const PqKeyValue *kv, int32_t nkv, WbError *err);
/* Appends the rows of batch (its first ncols columns, whose physical kinds
 * must be the file's; weights and row kinds are not part of the file).
 * The batch is only borrowed.  A failed writer refuses further writes. */
int pq_writer_write(PqWriter *w, const Batch *batch, WbError *err);
/* The general form: column c of the file takes cols[c]; rows sel[0..nrows)
 * of them in that order (sel NULL: rows 0..nrows-1).  For a caller that
 * adds its own columns (row kind, sequence) beside a batch's, or writes
 * rows in a sorted order, without copying them first. */
int pq_writer_write_vectors(PqWriter *w, const ColumnVector *const *cols, const int32_t *sel,
                            int32_t nrows, WbError *err);
/* Rows written so far, and the bytes the file holds plus what is buffered
 * (raw) for the open row group: for a caller that rolls files by size. */
int64_t pq_writer_rows(const PqWriter *w);
int64_t pq_writer_bytes(const PqWriter *w);
/* Writes the last row group and the footer, fsyncs and closes the file,
 * and frees the writer (whatever the result).  stats (may be NULL) gets
 * the file's statistics, allocated in `arena` (strings included).  On
 * error the partial file is removed.  Syncing the directory that holds
 * the file is the caller's business (it usually renames it first). */
int pq_writer_close(PqWriter *w, WbArena *arena, PqFileStats *stats, WbError *err);
/* Closes the file, removes it and frees the writer. */
void pq_writer_abort(PqWriter *w);

/* ---- reader ---- */

typedef struct PqReader PqReader;

/* A top-level field of the file. */
typedef struct PqColumnInfo {
    const char *name;            /* owned by the reader */
    /* The weir type it maps to; nullable = 0 for a REQUIRED column. */
    SqlType type;
    /* NULL, or why the column cannot be read (nested, unsupported type):
     * a scan that projects it fails with this text naming the column. */
    const char *unsupported;
} PqColumnInfo;

/* Opens and validates the file: magic bytes, footer length, the whole
 * FileMetaData (every offset and size within the file, row counts that
 * add up).  The file stays open until pq_reader_close.  Errors name the
 * file and what is wrong. */
PqReader *pq_reader_open(const char *path, WbError *err);
void pq_reader_close(PqReader *r);
const char *pq_reader_path(const PqReader *r);
int32_t pq_reader_ncols(const PqReader *r);
const PqColumnInfo *pq_reader_column(const PqReader *r, int32_t col);
/* Index of the column named `name` (exact match first, then ASCII
 * case-insensitive), or -1. */
int32_t pq_reader_find_column(const PqReader *r, const char *name);
int64_t pq_reader_num_rows(const PqReader *r);
int64_t pq_reader_file_size(const PqReader *r);
int32_t pq_reader_num_row_groups(const PqReader *r);
int64_t pq_reader_row_group_rows(const PqReader *r, int32_t rg);
/* Statistics of column col in row group rg (strings owned by the reader,
 * valid until pq_reader_close).  Statistics whose bytes do not decode for
 * the column's type read as unknown. */
const PqColumnStats *pq_reader_row_group_stats(const PqReader *r, int32_t rg, int32_t col);
/* The footer's key-value metadata (owned by the reader). */
int32_t pq_reader_num_kv(const PqReader *r);
const PqKeyValue *pq_reader_kv(const PqReader *r, int32_t i);
const char *pq_reader_kv_get(const PqReader *r, const char *key);   /* NULL if absent */

/* ---- predicates for skipping row groups (and files) ----
 * A conjunction of `col op constant` terms, and of disjunctions of them,
 * built by the caller.  value is
 * in weir's representation of the column's type (its string bytes are the
 * caller's, borrowed for the call).  A term on a column whose statistics
 * are unknown never excludes anything. */
typedef enum PqOp {
    PQ_OP_EQ, PQ_OP_LT, PQ_OP_LE, PQ_OP_GT, PQ_OP_GE, PQ_OP_IS_NULL, PQ_OP_IS_NOT_NULL
} PqOp;

typedef struct PqPredicate {
    int32_t col;                 /* a column of the file */
    PqOp op;
    /* not for IS [NOT] NULL; for a DECIMAL column the scaled value is in
     * value.i128 whatever the precision (so it compares with files of
     * either width), at the column's scale */
    PqValue value;
    /* 0: a term of the conjunction on its own; k > 0: one alternative of
     * disjunction k (the terms with the same any_of, adjacent: the
     * conjunction holds one of them, `a = 1 OR a = 5`, `a IN (1, 5)`).
     * Whoever drops a term drops the rest of its disjunction too. */
    int32_t any_of;
} PqPredicate;

/* Cell `row` of a vector as a predicate's value (above: a DECIMAL of any
 * precision as i128; strings point into the vector's memory). */
PqValue pq_pred_value(const ColumnVector *v, int32_t row);

/* Removes from preds[0..n) the terms whose drop[i] is set, and with each
 * the rest of its disjunction (a disjunction less an alternative would
 * rule out rows that alternative lets through); in place, in order.
 * Returns how many remain. */
int32_t pq_preds_drop(PqPredicate *preds, int32_t n, const bool *drop);

/* Whether rows described by these statistics (one entry per column,
 * num_rows rows, column types `types`) may satisfy every predicate.  For
 * the store's file skipping as for row groups. */
bool pq_stats_may_match(const SqlType *types, const PqColumnStats *stats, int64_t num_rows,
                        const PqPredicate *preds, int32_t npreds);

/* ---- scans ---- */

typedef struct PqScan PqScan;

/* A scan of the columns cols[0..ncols) of the file (projection: only their
 * chunks are read and decoded), over the row groups whose statistics may
 * satisfy preds (copied); within a row group, when a predicate's column is
 * read and its data pages carry statistics, only the rows of the pages
 * that may satisfy it are read (the other pages of every column are
 * passed over undecompressed).  The rows that come out are a superset of
 * the rows satisfying preds: the caller still filters.  dst_types[i] is the type of the batch column
 * that receives cols[i] (NULL: the file's mapped types): the same type, or
 * a compatible one of the same representation (INT and BIGINT from
 * INT32/INT64 integers as pq_type_compatible says).  Errors: an unsupported
 * column (naming it), an incompatible type. */
PqScan *pq_scan_open(PqReader *r, const int32_t *cols, int32_t ncols, const SqlType *dst_types,
                     const PqPredicate *preds, int32_t npreds, WbError *err);
/* Appends up to max_rows rows to out, column i of the scan into batch
 * column dst_cols[i] (dst_cols NULL: column i), weight +1, strings copied
 * into the batch arena; other batch columns are left as they are (their
 * cells in the new rows are unspecified).  out must have room
 * (capacity >= nrows + max_rows).  Returns the number of rows appended,
 * 0 at the end of the scan, -1 on error (corrupt data: the file, the
 * column, the row group and what is wrong). */
int32_t pq_scan_next(PqScan *s, Batch *out, const int32_t *dst_cols, int32_t max_rows,
                     WbError *err);
/* Row groups skipped by statistics so far (for tests and EXPLAIN-like
 * output), and row groups read. */
int32_t pq_scan_row_groups_skipped(const PqScan *s);
int32_t pq_scan_row_groups_read(const PqScan *s);
void pq_scan_close(PqScan *s);

/* Whether a file column of type `file` can be read into a batch column of
 * type `dst`: the same type (STRING/VARCHAR of any length), TIMESTAMP and
 * TIMESTAMP_LTZ of any precision either way (the same microseconds since
 * the epoch), STRING <-> BYTES, INT -> BIGINT, DECIMAL with the same scale
 * and a precision at least the file's, an INTERVAL column as YEAR TO MONTH
 * (files do not tell the two families apart). */
bool pq_type_compatible(SqlType file, SqlType dst);

#endif
