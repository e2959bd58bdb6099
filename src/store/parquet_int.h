/*
 * parquet_int.h - private to the Parquet reader/writer: the Thrift compact
 * protocol, the file metadata as parsed from a footer, the RLE/bit-packed
 * hybrid and the other encodings, and the page codecs.
 *
 * Numbers from parquet.thrift (parquet-format) are spelled as constants
 * here; names follow the specification.
 */
#ifndef WEIR_PARQUET_INT_H
#define WEIR_PARQUET_INT_H

#include "store/parquet.h"

/* ---- parquet.thrift enums ---- */
enum {
    PQT_BOOLEAN = 0, PQT_INT32 = 1, PQT_INT64 = 2, PQT_INT96 = 3, PQT_FLOAT = 4,
    PQT_DOUBLE = 5, PQT_BYTE_ARRAY = 6, PQT_FIXED_LEN_BYTE_ARRAY = 7
};
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
enum {   /* ConvertedType */
    PQC_UTF8 = 0, PQC_MAP = 1, PQC_MAP_KEY_VALUE = 2, PQC_LIST = 3, PQC_ENUM = 4,
    PQC_DECIMAL = 5, PQC_DATE = 6, PQC_TIME_MILLIS = 7, PQC_TIME_MICROS = 8,
    PQC_TIMESTAMP_MILLIS = 9, PQC_TIMESTAMP_MICROS = 10, PQC_UINT_8 = 11,
    PQC_UINT_16 = 12, PQC_UINT_32 = 13, PQC_UINT_64 = 14, PQC_INT_8 = 15,
    PQC_INT_16 = 16, PQC_INT_32 = 17, PQC_INT_64 = 18, PQC_JSON = 19, PQC_BSON = 20,
    PQC_INTERVAL = 21
};
enum {   /* LogicalType union members (field ids) */
    PQL_STRING = 1, PQL_MAP = 2, PQL_LIST = 3, PQL_ENUM = 4, PQL_DECIMAL = 5,
    PQL_DATE = 6, PQL_TIME = 7, PQL_TIMESTAMP = 8, PQL_INTEGER = 10, PQL_UNKNOWN = 11,
    PQL_JSON = 12, PQL_BSON = 13, PQL_UUID = 14, PQL_FLOAT16 = 15
};
enum { PQU_MILLIS = 1, PQU_MICROS = 2, PQU_NANOS = 3 };   /* TimeUnit union */
enum {   /* Encoding */
    PQE_PLAIN = 0, PQE_PLAIN_DICTIONARY = 2, PQE_RLE = 3, PQE_BIT_PACKED = 4,
    PQE_DELTA_BINARY_PACKED = 5, PQE_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQE_DELTA_BYTE_ARRAY = 7, PQE_RLE_DICTIONARY = 8, PQE_BYTE_STREAM_SPLIT = 9
};
enum {   /* CompressionCodec */
    PQZ_UNCOMPRESSED = 0, PQZ_SNAPPY = 1, PQZ_GZIP = 2, PQZ_LZO = 3, PQZ_BROTLI = 4,
    PQZ_LZ4 = 5, PQZ_ZSTD = 6, PQZ_LZ4_RAW = 7
};
enum { PQP_DATA_PAGE = 0, PQP_INDEX_PAGE = 1, PQP_DICTIONARY_PAGE = 2, PQP_DATA_PAGE_V2 = 3 };

/* ---- Thrift compact protocol ---- */
enum {
    TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5,
    TC_I64 = 6, TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11,
    TC_STRUCT = 12
};

/* A reader over untrusted bytes.  Errors are sticky: the first sets `why`
 * (static text) and every later read returns 0 without moving, so parsers
 * check once at the end.  Lists and strings are bounded by the bytes left,
 * nesting by TC_MAX_DEPTH. */
typedef struct TIn {
    const uint8_t *p, *end;
    int depth;
    const char *why;
} TIn;

#define TC_MAX_DEPTH 32

void tc_fail(TIn *in, const char *why);
uint64_t tc_uvarint(TIn *in);
int64_t tc_i64(TIn *in);            /* zigzag varint */
int32_t tc_i32(TIn *in);            /* zigzag varint in 32 bits, else an error */
/* A binary/string: its bytes (pointing into the input) and length. */
const uint8_t *tc_binary(TIn *in, uint32_t *len);
/* Reads a field header.  Returns false at the struct's STOP (or an error).
 * *last is the previous field id of this struct (0 at its start). */
bool tc_field(TIn *in, int16_t *last, int16_t *id, uint8_t *type);
/* A list header: element type and count (count <= bytes left). */
uint32_t tc_list(TIn *in, uint8_t *elem_type);
/* Skips a value of the type. */
void tc_skip(TIn *in, uint8_t type);
/* For a struct-typed field: enter (depth check) / nothing to do on leave
 * besides the depth. */
bool tc_enter(TIn *in);
static inline void tc_leave(TIn *in) { in->depth--; }

/* A writer into a growable buffer.  Field ids are written as deltas from
 * the previous one of the same struct. */
typedef struct TOut {
    WbBuf *buf;
    int16_t last[TC_MAX_DEPTH];
    int depth;
} TOut;

void tc_put_uvarint(WbBuf *buf, uint64_t v);
void tco_field(TOut *out, int16_t id, uint8_t type);
void tco_struct_begin(TOut *out);       /* after tco_field(.., TC_STRUCT) or at top level */
void tco_struct_end(TOut *out);         /* writes STOP */
void tco_i32(TOut *out, int16_t id, int32_t v);
void tco_i64(TOut *out, int16_t id, int64_t v);
void tco_bool(TOut *out, int16_t id, bool v);
void tco_binary(TOut *out, int16_t id, const void *data, size_t len);
void tco_list_begin(TOut *out, int16_t id, uint8_t elem_type, uint32_t count);
void tco_raw_i32(TOut *out, int32_t v);          /* a list element */
void tco_raw_binary(TOut *out, const void *data, size_t len);

/* ---- parsed metadata (all memory in the reader's arena) ---- */

typedef struct PqStatsRaw {
    const uint8_t *min, *max;        /* PLAIN bytes, NULL = absent */
    uint32_t min_len, max_len;
    int64_t null_count;              /* -1 = absent */
    bool min_exact, max_exact;
    bool legacy;                     /* from the deprecated min/max fields */
} PqStatsRaw;

typedef struct PqChunkMeta {
    int32_t type;
    int32_t codec;
    int64_t num_values;
    int64_t total_compressed;
    int64_t data_page_offset;
    int64_t dict_page_offset;        /* -1 = none */
    int64_t start, size;             /* the chunk's bytes in the file, validated */
    PqStatsRaw stats;
} PqChunkMeta;

typedef struct PqSchemaElem {
    int32_t type;                    /* -1: a group */
    int32_t type_length;
    int32_t repetition;              /* -1: absent */
    const char *name;
    int32_t num_children;
    int32_t converted;               /* -1: absent */
    int32_t scale, precision;
    int32_t logical;                 /* PQL_*, -1: absent */
    int32_t l_scale, l_precision;    /* DECIMAL */
    int32_t l_unit;                  /* TIME/TIMESTAMP: PQU_* */
    bool l_adjusted;
    int32_t l_bit_width;             /* INTEGER */
    bool l_signed;
} PqSchemaElem;

typedef struct PqRowGroupMeta {
    int64_t num_rows;
    int32_t ncols;
    PqChunkMeta *chunks;
} PqRowGroupMeta;

typedef struct PqFileMeta {
    int32_t nschema;
    PqSchemaElem *schema;
    int64_t num_rows;
    int32_t nrg;
    PqRowGroupMeta *rgs;
    int32_t nkv;
    PqKeyValue *kv;
    bool encrypted;
} PqFileMeta;

/* Parses FileMetaData; 0, or -1 with *why (static text). */
int pq_parse_file_meta(const uint8_t *data, size_t len, WbArena *arena, PqFileMeta *meta,
                       const char **why);

typedef struct PqPageHeader {
    int32_t type;
    int32_t uncompressed_size, compressed_size;
    int32_t num_values;
    int32_t encoding;
    int32_t def_encoding;            /* v1 */
    int32_t num_nulls, num_rows;     /* v2 */
    int32_t def_len, rep_len;        /* v2 */
    bool is_compressed;              /* v2 (default true) */
    /* A data page's own statistics (DataPageHeader / DataPageHeaderV2
     * field statistics): min/max point into the parsed bytes; absent when
     * has_stats is false.  Written by weir for every data page. */
    bool has_stats;
    PqStatsRaw stats;
} PqPageHeader;

/* Parses a page header from data[0..len); returns the bytes it took, or
 * -1 with *why. */
int64_t pq_parse_page_header(const uint8_t *data, size_t len, PqPageHeader *ph, const char **why);

/* Writes a PageHeader (with the data page's statistics when has_stats). */
void pq_put_page_header(WbBuf *buf, const PqPageHeader *ph);

/* ---- encodings (parquet_codec.c) ---- */

/* The RLE/bit-packed hybrid: decodes exactly n values of bit_width (0..32)
 * from data[0..len) into out.  Returns 0, or -1 when the input ends early
 * or is malformed. */
int pq_rle_decode_u32(const uint8_t *data, size_t len, int bit_width, uint32_t *out, int64_t n);
/* The same into bytes (levels, booleans: bit_width <= 8). */
int pq_rle_decode_u8(const uint8_t *data, size_t len, int bit_width, uint8_t *out, int64_t n);
/* Appends the hybrid encoding of values[0..n) (each < 2^bit_width). */
void pq_rle_encode(WbBuf *out, const uint32_t *values, int64_t n, int bit_width);
void pq_rle_encode_u8(WbBuf *out, const uint8_t *values, int64_t n, int bit_width);

/* DELTA_BINARY_PACKED: decodes up to max values; returns the count decoded
 * (the header's total, which must be <= max) and the bytes consumed in
 * *used, or -1. */
int64_t pq_delta_decode(const uint8_t *data, size_t len, int64_t *out, int64_t max,
                        size_t *used);
/* Number of values a DELTA_BINARY_PACKED header announces, or -1. */
int64_t pq_delta_count(const uint8_t *data, size_t len);

/* ---- page compression ---- */
/* Compresses src into out (replacing its contents).  0, or -1 with err. */
int pq_compress(int codec, int level, const uint8_t *src, size_t len, WbBuf *out, WbError *err);
/* Decompresses src into dst of exactly dst_len bytes; 0, or -1 with *why. */
int pq_decompress(int codec, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len,
                  const char **why);

/* Snappy (snappy.c): decompresses the untrusted src[0..len) into exactly
 * dst[0..dst_len); the stream's length preamble must equal dst_len.
 * Writes nothing past dst_len.  0, or -1 with *why (static text). */
int pq_snappy_decompress(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len,
                         const char **why);

/* Bytes of the FIXED_LEN_BYTE_ARRAY for DECIMAL(precision). */
int32_t pq_decimal_bytes(int precision);

#endif
