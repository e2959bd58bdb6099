/*
 * types.h - SQL types, column vectors, batches with weights, value text
 * conversion, and the compact row encoding used for keys and state.
 *
 * Prefix: ty_ for functions.  Types are CamelCase project-wide.
 *
 * Physical representation (one per type, used by every operator):
 *   BOOLEAN            int64  0 / 1
 *   INT, BIGINT        int64  (INT is range-checked to 32 bits on arithmetic/cast)
 *   DECIMAL(p,s) p<=18 int64  scaled by 10^s
 *   DECIMAL(p,s) p>18  int128 scaled by 10^s (p up to 38; |value| < 10^p)
 *   DOUBLE             double
 *   STRING, BYTES      WbStr  (pointer + length; bytes live in an arena)
 *   DATE               int64  days since 1970-01-01
 *   TIME               int64  milliseconds of the day
 *   TIMESTAMP(p)       int64  microseconds since 1970-01-01 00:00:00 (no zone)
 *   INTERVAL DAY..SEC  int64  milliseconds
 *   INTERVAL YEAR..MON int64  months
 */
#ifndef WEIR_TYPES_H
#define WEIR_TYPES_H

#include "base/base.h"

typedef enum TypeId {
    TY_NULL = 0,      /* type of the bare NULL literal, before coercion */
    TY_BOOLEAN,
    TY_INT,
    TY_BIGINT,
    TY_DECIMAL,
    TY_DOUBLE,
    TY_STRING,
    TY_BYTES,
    TY_DATE,
    TY_TIME,
    TY_TIMESTAMP,
    TY_INTERVAL_DT,   /* INTERVAL DAY TO SECOND family: milliseconds */
    TY_INTERVAL_YM,   /* INTERVAL YEAR TO MONTH family: months */
    TY__COUNT
} TypeId;

typedef struct SqlType {
    uint8_t id;          /* TypeId */
    uint8_t nullable;    /* 1 unless declared NOT NULL / proven non-null */
    int16_t precision;   /* DECIMAL p, TIMESTAMP p, VARCHAR n (-1 = none) */
    int16_t scale;       /* DECIMAL s */
    /* A TIMESTAMP column that is a time attribute (Flink's time indicator):
     * TY_ROWTIME (event time, declared by a WATERMARK) or TY_PROCTIME
     * (PROCTIME()).  Carried by column references; any computation on the
     * value gives a plain TIMESTAMP.  Ignored by ty_equal. */
    uint8_t time_attr;
    /* TIMESTAMP_LTZ (TIMESTAMP WITH LOCAL TIME ZONE): the value is an
     * instant (UTC), shown in the session time zone (base.h wb_tz_*). */
    uint8_t ltz;
} SqlType;

#define TY_ROWTIME 1
#define TY_PROCTIME 2

/* A 128-bit integer for DECIMAL(19..38).  Vectors of it live in arenas,
 * which align to 8 bytes, so the type asks for no more than that. */
__extension__ typedef __int128 ty_i128 __attribute__((aligned(8)));
__extension__ typedef unsigned __int128 ty_u128;

#define TY_DECIMAL_MAX_PRECISION 38
#define TY_DECIMAL_NARROW_PRECISION 18   /* up to this, DECIMAL is an int64 */

typedef enum PhysKind { PK_I64, PK_F64, PK_STR, PK_I128 } PhysKind;

static inline PhysKind ty_phys(SqlType type)
{
    if (type.id == TY_DOUBLE) return PK_F64;
    if (type.id == TY_STRING || type.id == TY_BYTES) return PK_STR;
    if (type.id == TY_DECIMAL && type.precision > TY_DECIMAL_NARROW_PRECISION) return PK_I128;
    return PK_I64;
}

SqlType ty_make(TypeId id);                       /* nullable, default p/s */
SqlType ty_decimal(int precision, int scale);
SqlType ty_timestamp(int precision);
bool ty_equal(SqlType a, SqlType b);              /* ignores nullability */
bool ty_is_numeric(TypeId id);                    /* INT BIGINT DECIMAL DOUBLE */
bool ty_is_integer(TypeId id);                    /* INT BIGINT */
bool ty_is_string(TypeId id);                     /* STRING BYTES */
bool ty_is_temporal(TypeId id);                   /* DATE TIME TIMESTAMP */
/* "INT", "DECIMAL(10, 2)", "TIMESTAMP(3)", "VARCHAR(20)"... into buf */
const char *ty_name(SqlType type, char *buf, size_t size);
extern const int64_t ty_pow10[19];                /* 10^0 .. 10^18 */
ty_i128 ty_pow10_128(int exp);                    /* 10^exp, 0 <= exp <= 38 */
/* Whether a scaled value fits DECIMAL(precision, .): |v| < 10^precision. */
static inline bool ty_decimal_fits(ty_i128 v, int precision)
{
    ty_i128 bound = ty_pow10_128(precision);
    return v < bound && v > -bound;
}

/* A string or byte string.  ptr points into an arena (a batch's, a state
 * table's, or a plan's); it is not NUL-terminated. */
typedef struct WbStr {
    const char *ptr;
    uint32_t len;
} WbStr;

/* ---- column vectors and batches ----
 * A ColumnVector has room for `capacity` values.  nulls[i] != 0 means row i
 * is NULL (the data slot is then unspecified).  nulls is always allocated.
 * All memory of a batch (vectors, string bytes) comes from its arena. */
typedef struct ColumnVector {
    SqlType type;
    uint8_t *nulls;
    union {
        int64_t *i64;
        ty_i128 *i128;       /* DECIMAL(19..38) */
        double *f64;
        WbStr *str;
        void *data;
    };
} ColumnVector;

/* A batch of rows: ncols column vectors of nrows values each, and a weight
 * per row (+1 insert, -1 retract; other magnitudes allowed inside the
 * engine).  A batch passed to a function is borrowed for the duration of the
 * call: whoever keeps rows copies them (into state, by ty_row_encode).
 *
 * Row kinds are carried, never guessed from positions: a retraction is -D
 * and an insertion +I unless the row is half of an update, flagged in
 * `updates`: NULL (no row is), or one byte per row of capacity, zeroed, from
 * the arena, nonzero for a -U (negative weight) or +U (positive) row.  The
 * sign stays in the weight, so a kind always agrees with it, and writers of
 * plain rows never touch the vector: flags past nrows are zero (a writer
 * that takes back flagged rows clears them).  An update is a -U row immediately
 * followed by its +U row in the same batch: every producer keeps the two
 * together (sources never cut a batch between them, ExOut reserves room
 * for both), so an operator that drops one half can tell (calc). */
typedef struct Batch {
    int32_t ncols;
    int32_t nrows;
    int32_t capacity;
    ColumnVector *cols;
    int64_t *weights;
    uint8_t *updates;    /* NULL, or nonzero where a row is half of an update */
    WbArena *arena;      /* owns vectors and string bytes */
    bool owns_arena;
} Batch;

/* New batch with its own arena.  Free with ty_batch_free. */
Batch *ty_batch_new(const SqlType *types, int32_t ncols, int32_t capacity);
/* New batch allocated in (and living as long as) an existing arena. */
Batch *ty_batch_new_in(WbArena *arena, const SqlType *types, int32_t ncols,
                       int32_t capacity);
/* Drops all rows and string bytes; keeps capacity.  Only for batches that
 * own their arena (the arena is reset and vectors reallocated from it). */
void ty_batch_reset(Batch *batch);
/* Grows capacity to at least `capacity` rows, keeping the rows. */
void ty_batch_reserve(Batch *batch, int32_t capacity);
void ty_batch_free(Batch *batch);
/* Copies a string into the batch's arena and returns the stable ref. */
WbStr ty_batch_str(Batch *batch, const char *ptr, uint32_t len);
/* Appends row `row` of src (all columns, same schema) with weight w; it
 * stays half of an update if it was one in src and w keeps its sign. */
void ty_batch_append_row(Batch *dst, const Batch *src, int32_t row, int64_t weight);
/* Appends rows [from, from + n) of src's first ncols columns (dst has
 * those columns first, same types) to dst, a column at a time, with src's
 * weights and update flags; strings are copied into dst's arena. */
void ty_batch_append_range(Batch *dst, const Batch *src, int32_t from, int32_t n, int32_t ncols);
/* Appends selected columns of src row into dst starting at column dst_col. */
void ty_batch_copy_cols(Batch *dst, int32_t dst_row, int32_t dst_col,
                        const Batch *src, int32_t src_row,
                        const int32_t *src_cols, int32_t ncols);
/* A DECIMAL cell of either width, as a 128-bit scaled integer. */
static inline ty_i128 ty_dec_get(const ColumnVector *vec, int32_t row)
{
    return vec->type.precision > TY_DECIMAL_NARROW_PRECISION ? vec->i128[row]
                                                              : (ty_i128)vec->i64[row];
}
/* Stores a DECIMAL cell; the caller has checked that v fits the type. */
static inline void ty_dec_set(ColumnVector *vec, int32_t row, ty_i128 v)
{
    if (vec->type.precision > TY_DECIMAL_NARROW_PRECISION) vec->i128[row] = v;
    else vec->i64[row] = (int64_t)v;
}
/* Sets cell (row, col) to NULL. */
static inline void ty_set_null(Batch *b, int32_t row, int32_t col)
{
    b->cols[col].nulls[row] = 1;
}

/* ---- values as text ----
 * The canonical text of a value is what CSV output prints and what CAST to
 * STRING gives: BOOLEAN TRUE/FALSE, DECIMAL with exactly s fractional digits,
 * DOUBLE shortest round-trip text, DATE 2024-01-31, TIME 23:59:59[.fff],
 * TIMESTAMP(p) 2024-01-31 23:59:59[.f..] with exactly p fractional digits.
 * Appends to out.  Does not handle NULL (callers decide how NULL prints). */
void ty_format_value(const ColumnVector *col, int32_t row, WbBuf *out);

/* Parses text into a value of `type`, storing it at (col,row) of the batch
 * (strings are copied into the batch arena).  Leading/trailing blanks are
 * allowed for non-strings.  Returns 0, or -1 with err set (SQLSTATE 22P02 or
 * 22003) and a message naming the text and the type. */
int ty_parse_value(Batch *batch, int32_t col, int32_t row, const char *text,
                   size_t len, WbError *err);

/* Scalar text parsers, shared by ty_parse_value, CAST and the formats. */
int ty_parse_int64(const char *s, size_t len, int64_t *out);      /* -1 bad text, -2 overflow */
int ty_parse_double(const char *s, size_t len, double *out);
int ty_parse_decimal(const char *s, size_t len, int precision, int scale,
                     int64_t *out);            /* -1 bad text, -2 overflow */
int ty_parse_decimal128(const char *s, size_t len, int precision, int scale,
                        ty_i128 *out);         /* the same for p up to 38 */
/* Parses a DECIMAL of vec's type into cell (vec, row), either width. */
int ty_parse_decimal_cell(ColumnVector *vec, int32_t row, const char *s, size_t len);
/* Appends a scaled value with exactly `scale` fractional digits. */
void ty_format_decimal(ty_i128 v, int scale, WbBuf *out);

/* ---- exact DECIMAL arithmetic on scaled integers (decimal.c) ----
 * Each rounds HALF_UP and returns 0, or -2 when the result does not fit
 * DECIMAL(precision, .) (|result| >= 10^precision); no intermediate
 * overflows, whatever the operands. */
/* round(a * b / 10^drop), drop >= 0 */
int ty_dec_mul(ty_i128 a, ty_i128 b, int drop, int precision, ty_i128 *out);
/* round(a * 10^shift / b), b != 0, shift of either sign */
int ty_dec_div(ty_i128 a, ty_i128 b, int shift, int precision, ty_i128 *out);
/* round(a / 10^sa + b / 10^sb) at scale rs <= max(sa, sb): the exact sum,
 * rounded once (as BigDecimal does), never the sum of rounded operands */
int ty_dec_add(ty_i128 a, int sa, ty_i128 b, int sb, int rs, int precision, ty_i128 *out);
/* a % b at scale max(sa, sb), b != 0, with the sign of a (as
 * BigDecimal.remainder), exact whatever the scales */
int ty_dec_mod(ty_i128 a, int sa, ty_i128 b, int sb, int precision, ty_i128 *out);
/* v at scale from_scale, rescaled to to_scale */
int ty_dec_rescale(ty_i128 v, int from_scale, int to_scale, int precision, ty_i128 *out);
/* round(num / den) on 128 bits, den != 0 */
ty_i128 ty_dec_div_half_up(ty_i128 num, ty_i128 den);
int ty_parse_bool(const char *s, size_t len, int64_t *out);
int ty_parse_date(const char *s, size_t len, int64_t *days);
int ty_parse_time(const char *s, size_t len, int64_t *millis);
/* Accepts 'YYYY-MM-DD[ |T]HH:MM[:SS[.fffffffff]]' and a bare date. */
int ty_parse_timestamp(const char *s, size_t len, int64_t *micros);
void ty_format_date(int64_t days, WbBuf *out);
void ty_format_timestamp(int64_t micros, int precision, WbBuf *out);
/* Civil-calendar helpers (proleptic Gregorian). */
int64_t ty_days_from_civil(int64_t year, int month, int day);
void ty_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* ---- comparing values ----
 * Total order used by ORDER BY, MIN/MAX and top-N: numbers by value, strings
 * bytewise, NULL handled by the caller.  Both vectors must have the same
 * physical kind.  Returns <0, 0, >0. */
int ty_compare(const ColumnVector *a, int32_t arow, const ColumnVector *b,
               int32_t brow);

/* ---- compact row encoding ----
 * Encodes a subset of a row's columns into bytes such that two rows are
 * equal in those columns (NULL equal to NULL, -0.0 equal to 0.0, all NaNs
 * equal) exactly when their encodings are byte-equal.  Used for hash keys
 * and for rows kept in state.  Format, per column in order:
 *   1 byte tag: 0 = NULL, 1 = value
 *   I64: 8 bytes little-endian; I128: 16 bytes little-endian;
 *   F64: 8 bytes of the normalized double;
 *   STR: 4-byte little-endian length, then the bytes.
 * The encoding is appended to out. */
void ty_row_encode(const Batch *batch, int32_t row, const int32_t *cols,
                   int32_t ncols, WbBuf *out);
/* Decodes an encoding of ncols values (of types `types`) into batch row
 * `row` at columns dst_col.. ; strings are copied into the batch arena.
 * Returns the number of bytes consumed. */
size_t ty_row_decode(const uint8_t *data, const SqlType *types, int32_t ncols,
                     Batch *batch, int32_t row, int32_t dst_col);
/* Hash of the encoded columns, without building the encoding: starting
 * from TY_ROW_HASH_SEED (the hash of no columns), h = wb_hash_combine(h, v)
 * per column, v = wb_hash_u64 of an int64-backed value (TY_HASH_NULL for
 * NULL). */
#define TY_ROW_HASH_SEED 0x51ed270b27d3a0f1ULL
#define TY_HASH_NULL 0x6e756c6cULL
uint64_t ty_row_hash(const Batch *batch, int32_t row, const int32_t *cols,
                     int32_t ncols);
/* hash[row] = ty_row_hash(batch, row, cols, ncols) for every row, a column
 * at a time and without branches; every column int64-backed. */
void ty_hash_i64_rows(const Batch *batch, const int32_t *cols, int32_t ncols, uint64_t *hash);

/* ---- changelog row kinds ----
 * +I, -U, +U, -D: the weight's sign and Batch.updates (see Batch).  Rows
 * with |weight| > 1 are shown |weight| times with their one kind. */
typedef enum RowKind { RK_INSERT = 0, RK_UPDATE_BEFORE, RK_UPDATE_AFTER, RK_DELETE } RowKind;
const char *ty_rowkind_short(RowKind kind);   /* "+I" "-U" "+U" "-D" */

static inline RowKind ty_row_kind(const Batch *batch, int32_t row)
{
    bool update = batch->updates && batch->updates[row];
    if (batch->weights[row] < 0) return update ? RK_UPDATE_BEFORE : RK_DELETE;
    return update ? RK_UPDATE_AFTER : RK_INSERT;
}
/* The batch's update flags, allocated (zeroed, capacity bytes, from the
 * batch arena) if it has none; valid until the next reserve or reset.  For
 * writers that flag many rows at once. */
uint8_t *ty_batch_updates(Batch *batch);
/* Flags rows first (a retraction) and first+1 (an insertion) as an update
 * pair. */
void ty_mark_update(Batch *batch, int32_t first);
/* Makes row a plain change (+I / -D), e.g. the half of a pair whose other
 * half was filtered out, or a row slot being rewritten. */
static inline void ty_mark_plain(Batch *batch, int32_t row)
{
    if (batch->updates) batch->updates[row] = 0;
}

#endif
