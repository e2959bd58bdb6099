/*
 * connect_int.h - private contracts shared by the connector files: option
 * checking, the record input window that fs_source.c hands to the format
 * decoders, the CSV and JSON decoders and writers, and the JSON tokenizer.
 */
#ifndef WEIR_CONNECT_INT_H
#define WEIR_CONNECT_INT_H

#include "connect/connect.h"
#include "store/parquet.h"

/* ---- options ----
 * All option errors are SQLSTATE F0000 positioned at the table's
 * declaration and name the option key. */

/* Checks that every option key of the table is in `allowed` (NULL-terminated)
 * or starts with one of `prefixes` (NULL-terminated, may be NULL). */
int cn_opt_check_keys(const TableDef *table, const char *connector,
                      const char *const *allowed, const char *const *prefixes,
                      WbError *err);
/* Boolean option 'true'/'false' (any case); def when absent. */
int cn_opt_bool(const TableDef *table, const char *key, bool def, bool *out,
                WbError *err);
/* Integer option in [min, max]; def when absent. */
int cn_opt_int(const TableDef *table, const char *key, int64_t def, int64_t min,
               int64_t max, int64_t *out, WbError *err);
/* Index of the option's value in `choices` (NULL-terminated, matched
 * case-insensitively); def when absent.  The error lists the choices. */
int cn_opt_choice(const TableDef *table, const char *key, const char *const *choices,
                  int def, int *out, WbError *err);
/* Fills an error positioned at the table's declaration. */
#define cn_table_error(err, table, ...) \
    wb_error((err), WB_SQLSTATE_CONFIG, (table)->line, (table)->column, __VA_ARGS__)

/* ---- stored tables (store_source.c, store_sink.c) ---- */
struct StoreTable;
/* Opens the store table of a TableDef with store_dir (its physical
 * columns, keys and options); errors positioned at the declaration. */
struct StoreTable *cn_store_table_open(const TableDef *table, WbError *err);
/* The conjuncts `column op constant` (=, <, <=, >, >=, IS [NOT] NULL, the
 * constant of the column's representation) of src->filter, as predicates
 * whose col is a physical column of the table (types: the ncols physical
 * columns): what a source may skip data by (fmt_parquet.c).  malloc'ed,
 * *n set; NULL when none. */
PqPredicate *cn_filter_predicates(const Source *src, const SqlType *types, int32_t ncols, int32_t *n);
/* A stored table's system table t$snapshots, ... (store_system.c). */
Source *cn_store_system_open(const TableDef *table, WbError *err);

/* Names of the physical columns, in order (pointers into the catalog). */
const char **cn_physical_names(const TableDef *table, int32_t *ncols);

/* ---- formats ---- */
typedef enum CnFormat { CN_FMT_CSV, CN_FMT_JSON, CN_FMT_DEBEZIUM, CN_FMT_CANAL, CN_FMT_PARQUET } CnFormat;
extern const char *const cn_format_names[];   /* indexed by CnFormat */
/* Reads and validates 'format' and the format's own options' keys. */
int cn_opt_format(const TableDef *table, const char *connector, bool for_sink,
                  CnFormat *out, WbError *err);

/* A window over the bytes of one file that the source has read so far.
 * data[pos..len) is unconsumed; a decoder consumes only complete records and
 * advances pos and line past them.  eof: nothing follows data[len). */
typedef struct RecordInput {
    const char *data;
    size_t len;
    size_t pos;
    bool eof;
    int64_t line;                /* 1-based line number of data[pos] */
    int64_t base_offset;         /* file offset of data[0] */
    const char *path;            /* file name shown in errors */
    int64_t records;             /* counters the decoder adds to */
    int64_t dirty;
} RecordInput;

/* Decoder results besides -1 (error). */
#define CN_NEED_MORE 0           /* window exhausted: refill or next file */
#define CN_FULL 1                /* out holds max_rows rows */

/* Record-level error `<path>:<line>: <reason>`, with source, line and the
 * byte offset set. */
void cn_record_error(WbError *err, const char *sqlstate, const RecordInput *in,
                     int64_t line, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

typedef struct CsvOptions {
    char delimiter;
    int quote;                   /* -1: quoting disabled */
    bool allow_comments;
    bool ignore_errors;
    const char *null_literal;    /* NULL: none */
} CsvOptions;

int cn_csv_options(const TableDef *table, CsvOptions *opts, WbError *err);

typedef struct CsvDecoder CsvDecoder;
CsvDecoder *cn_csv_decoder_new(const TableDef *table, const CsvOptions *opts);
void cn_csv_decoder_free(CsvDecoder *dec);
/* Appends rows to out until it holds max_rows rows (CN_FULL) or the window
 * has no complete record left (CN_NEED_MORE); -1 on a bad record unless
 * ignore_errors.  Columns marked in `unread` (may be NULL) are not
 * converted: their values in out are undefined, and a bad value in them
 * is not an error (the record's structure, its field count, still is). */
int cn_csv_decode(CsvDecoder *dec, RecordInput *in, Batch *out, int32_t max_rows,
                  const uint8_t *unread, WbError *err);
/* Appends one value in weir's CSV conventions: NULL as an empty field (or
 * the null literal), strings quoted when they are empty or hold the
 * delimiter, the quote, CR or LF. */
void cn_csv_write_value(const CsvOptions *opts, const ColumnVector *col, int32_t row,
                        WbBuf *out);

typedef struct JsonOptions {
    CnFormat format;             /* JSON, DEBEZIUM or CANAL */
    bool ignore_errors;
    bool fail_on_missing;
    bool iso_timestamps;         /* 'timestamp-format.standard' = 'ISO-8601' */
} JsonOptions;

int cn_json_options(const TableDef *table, CnFormat format, JsonOptions *opts,
                    WbError *err);

typedef struct JsonDecoder JsonDecoder;
JsonDecoder *cn_json_decoder_new(const TableDef *table, const JsonOptions *opts);
void cn_json_decoder_free(JsonDecoder *dec);
/* Same contract as cn_csv_decode; one record per line.  Changelog formats
 * keep the rows of a record that do not fit for the next call and set the
 * kinds the record states (an update's -U/+U via ty_mark_update); they
 * never split a record's rows across batches (an empty out takes a whole
 * record even beyond max_rows), so an update pair stays together. */
int cn_json_decode(JsonDecoder *dec, RecordInput *in, Batch *out, int32_t max_rows,
                   WbError *err);
/* Appends one value as JSON (numbers as numbers, DECIMAL exact, temporal
 * values as strings in SQL or ISO-8601 form, NULL as null). */
void cn_json_write_value(const JsonOptions *opts, const ColumnVector *col, int32_t row,
                         WbBuf *out);
void cn_json_write_string(const char *s, size_t len, WbBuf *out);

/* ---- parquet (fmt_parquet.c) ----
 * The filesystem source hands its file list to a CnParquetSource; the sink
 * writes each part file through a PqWriter (store/parquet.h). */
const char *const *cn_parquet_option_keys(void);
/* The writer options from 'parquet.compression', '.block.size',
 * '.block.rows', '.page.size', '.enable.dictionary', '.dictionary.page.size',
 * '.compression.codec.zstd.level'. */
int cn_parquet_options(const TableDef *table, PqWriteOptions *opts, WbError *err);
typedef struct CnParquetSource CnParquetSource;
CnParquetSource *cn_parquet_source_new(const TableDef *table);
void cn_parquet_source_free(CnParquetSource *ps);
/* Appends up to max_rows rows from files[*next_file..] (advancing it as
 * files end), reading only the columns src->unread leaves and skipping
 * row groups by src->filter's simple conjuncts.  Same results as a
 * source's next(). */
int cn_parquet_next(CnParquetSource *ps, Source *src, char **files, int32_t nfiles,
                    int32_t *next_file, Batch *out, int32_t max_rows, WbError *err);
/* Writes a batch's rows (weight n: n times) into w; adds them to
 * *rows_written. */
int cn_parquet_write(PqWriter *w, const Batch *batch, int32_t ncols, int64_t *rows_written,
                     WbError *err);
/* Flink's MemorySize text ('128MB', '64kb', '1024') -> bytes (fs_sink.c). */
int cn_parse_memory_size(const char *text, int64_t *out);

/* ---- the JSON tokenizer (json.c) ----
 * Parses one JSON text into a flat array of nodes in document order.  A
 * container's members follow it; `next` is the index just past its subtree,
 * so siblings are reached by jumping.  Object members are pairs (key node,
 * value node).  Strings without escapes point into the input; unescaped
 * strings live in the document's scratch.  Both stay valid until the next
 * parse on the same document. */
typedef enum JsonKind {
    JS_NULL, JS_FALSE, JS_TRUE, JS_NUMBER, JS_STRING, JS_OBJECT, JS_ARRAY
} JsonKind;

typedef struct JsonNode {
    uint8_t kind;
    uint8_t in_scratch;          /* string bytes are in doc->scratch */
    int32_t next;                /* index past this node's subtree */
    uint32_t start, len;         /* raw text in the input (strings with quotes) */
    uint32_t str_off, str_len;   /* string value: offset into input or scratch */
} JsonNode;

typedef struct JsonDoc {
    JsonNode *nodes;
    int32_t count, cap;
    WbBuf scratch;
    const char *text;
    int32_t max_depth;
} JsonDoc;

void cn_json_doc_init(JsonDoc *doc);
void cn_json_doc_free(JsonDoc *doc);
/* Parses text[0..len) (one value, surrounding blanks allowed).  Returns 0, or
 * -1 with *error_offset (byte offset in text) and *reason (static text). */
int cn_json_parse(JsonDoc *doc, const char *text, size_t len, size_t *error_offset,
                  const char **reason);
/* The value of a JS_STRING node. */
static inline const char *cn_json_str(const JsonDoc *doc, const JsonNode *node,
                                      size_t *len)
{
    *len = node->str_len;
    return (node->in_scratch ? doc->scratch.data : doc->text) + node->str_off;
}
/* Member `key` of the object at index obj, or -1. */
int32_t cn_json_member(const JsonDoc *doc, int32_t obj, const char *key);

/* ---- sources and sinks per connector ---- */
Source *cn_fs_source_open(const TableDef *table, WbError *err);
Source *cn_datagen_open(const TableDef *table, WbError *err);
Source *cn_nexmark_open(const TableDef *table, WbError *err);
Sink *cn_print_sink_open(const TableDef *table, FILE *out, WbError *err);
Sink *cn_blackhole_sink_open(const TableDef *table, WbError *err);
Sink *cn_fs_sink_open(const TableDef *table, bool overwrite, WbError *err);

/* Flink's rule for files a filesystem table does not contain: a name
 * starting with '.' or '_' (in-progress part files, _SUCCESS, staging
 * folders), at every level below 'path'.  The source skips them; INSERT
 * OVERWRITE leaves them. */
static inline bool cn_fs_hidden(const char *name)
{
    return name[0] == '.' || name[0] == '_';
}

/* Bytes read per read() call by the filesystem source, and the initial
 * buffer size.  A knob for tests (tiny values exercise records spanning
 * reads); the buffer grows to hold a record longer than this. */
extern size_t cn_fs_read_size;

/* datagen's simulated clock starts here: 2024-01-01 00:00:00 in micros. */
#define CN_DATAGEN_BASE_MICROS 1704067200000000LL

#endif
