/*
 * base.h - weir's foundation: checked allocation, arenas, growable byte
 * buffers, the structured error, and hashing.  Everything above includes this.
 *
 * Prefix: wb_ for functions, Wb for types.  No function here prints anything.
 */
#ifndef WEIR_BASE_H
#define WEIR_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- checked allocation: abort with a message on out-of-memory ---- */
void *wb_malloc(size_t size);
void *wb_calloc(size_t count, size_t size);
void *wb_realloc(void *ptr, size_t size);
char *wb_strdup(const char *s);
char *wb_strndup(const char *s, size_t len);

/* ---- arenas ----
 * A bump allocator made of chunks.  Everything allocated from an arena lives
 * until wb_arena_reset() or wb_arena_free(); there is no retail free.  Every
 * allocation is 8-byte aligned.  Allocation never fails (aborts on OOM). */
typedef struct WbArenaChunk WbArenaChunk;
typedef struct WbArena {
    WbArenaChunk *head;   /* current chunk; older chunks follow ->next */
    size_t chunk_size;    /* default size of a new chunk */
    size_t total;         /* bytes reserved from malloc, for metrics */
} WbArena;

WbArena *wb_arena_new(size_t chunk_size);       /* 0 picks a default */
void wb_arena_init(WbArena *arena, size_t chunk_size);
void *wb_arena_alloc(WbArena *arena, size_t size);
void *wb_arena_calloc(WbArena *arena, size_t size);
char *wb_arena_strndup(WbArena *arena, const char *s, size_t len);
char *wb_arena_strdup(WbArena *arena, const char *s);
char *wb_arena_printf(WbArena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wb_arena_reset(WbArena *arena);            /* keeps the first chunk */
void wb_arena_destroy(WbArena *arena);          /* for wb_arena_init'ed */
void wb_arena_free(WbArena *arena);             /* for wb_arena_new'ed */

/* ---- growable byte buffer (owns its memory, freed by wb_buf_free) ---- */
typedef struct WbBuf {
    char *data;
    size_t len;
    size_t cap;
} WbBuf;

void wb_buf_reserve(WbBuf *buf, size_t extra);
void wb_buf_append(WbBuf *buf, const void *data, size_t len);
void wb_buf_puts(WbBuf *buf, const char *s);
void wb_buf_putc(WbBuf *buf, char c);
void wb_buf_printf(WbBuf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *wb_buf_cstr(WbBuf *buf);  /* NUL-terminates (not counted in len) */
static inline void wb_buf_clear(WbBuf *buf) { buf->len = 0; }
void wb_buf_free(WbBuf *buf);

/* ---- the error ----
 * One struct, filled by the code that detects the problem and returned up
 * the stack by pointer; the CLI and the server decide how to show it.  The
 * fields follow PostgreSQL's ErrorResponse.  line/column are 1-based
 * positions in the SQL text (0 = unknown); offset is a byte offset in a
 * record or file (-1 = unknown); source names the file the position is in. */
typedef struct WbError {
    bool set;
    char sqlstate[6];        /* e.g. "42703" undefined column */
    char message[512];
    char detail[512];
    char hint[256];
    char source[256];        /* SQL file or data file the position is in */
    int line, column;        /* 1-based; 0 = unknown */
    int64_t offset;          /* byte offset; -1 = unknown */
    const char *c_file;      /* where in weir the error began */
    int c_line;
} WbError;

/* SQLSTATE codes used across weir (PostgreSQL's where one exists). */
#define WB_SQLSTATE_SYNTAX          "42601"
#define WB_SQLSTATE_UNDEFINED_COL   "42703"
#define WB_SQLSTATE_UNDEFINED_TABLE "42P01"
#define WB_SQLSTATE_UNDEFINED_FUNC  "42883"
#define WB_SQLSTATE_DUPLICATE_TABLE "42P07"
#define WB_SQLSTATE_AMBIGUOUS_COL   "42702"
#define WB_SQLSTATE_DATATYPE        "42804"  /* datatype mismatch */
#define WB_SQLSTATE_GROUPING        "42803"
#define WB_SQLSTATE_FEATURE         "0A000"  /* feature not supported */
#define WB_SQLSTATE_OVERFLOW        "22003"  /* numeric value out of range */
#define WB_SQLSTATE_DIV_ZERO        "22012"
#define WB_SQLSTATE_BAD_VALUE       "22P02"  /* invalid text representation */
#define WB_SQLSTATE_DATA            "22000"  /* data exception */
#define WB_SQLSTATE_CARDINALITY     "21000"
#define WB_SQLSTATE_NOT_NULL        "23502"  /* NULL into a NOT NULL column */
#define WB_SQLSTATE_CONFIG          "F0000"  /* config file / option error */
#define WB_SQLSTATE_IO              "58030"
#define WB_SQLSTATE_INTERNAL        "XX000"

void wb_error_set_at(WbError *err, const char *c_file, int c_line,
                     const char *sqlstate, int line, int column,
                     const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* wb_error(err, sqlstate, line, column, "fmt", ...) */
#define wb_error(err, sqlstate, line, column, ...) \
    wb_error_set_at((err), __FILE__, __LINE__, (sqlstate), (line), (column), __VA_ARGS__)
void wb_error_detail(WbError *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wb_error_hint(WbError *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wb_error_clear(WbError *err);

/* ---- hashing (not cryptographic; stable across runs and machines) ---- */
uint64_t wb_hash_bytes(const void *data, size_t len, uint64_t seed);
static inline uint64_t wb_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}
static inline uint64_t wb_hash_combine(uint64_t a, uint64_t b)
{
    return wb_hash_u64(a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2)));
}

/* ---- deterministic random numbers (xorshift64*), for splits and datagen ---- */
typedef struct WbRand { uint64_t state; } WbRand;
void wb_rand_seed(WbRand *rng, uint64_t seed);
uint64_t wb_rand_next(WbRand *rng);
/* uniform in [0, bound); bound > 0 */
uint64_t wb_rand_below(WbRand *rng, uint64_t bound);

/* ---- little-endian get/put for on-disk and state bytes ---- */
static inline void wb_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t wb_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
           ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void wb_put_u64(uint8_t *p, uint64_t v)
{
    wb_put_u32(p, (uint32_t)v);
    wb_put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t wb_get_u64(const uint8_t *p)
{
    return (uint64_t)wb_get_u32(p) | ((uint64_t)wb_get_u32(p + 4) << 32);
}

/* ---- misc ---- */
#define WB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define WB_MAX(a, b) ((a) > (b) ? (a) : (b))
#define WB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* case-insensitive ASCII comparison of a counted string with a C string */
bool wb_ieq(const char *s, size_t len, const char *cstr);
int64_t wb_now_millis(void);   /* wall clock, ms since the epoch */
/* ---- the session time zone (table.local-time-zone) ----
 * TIMESTAMP_LTZ values are instants (microseconds since the epoch, UTC);
 * they are shown, cast to TIMESTAMP and split into fields in the session
 * time zone.  Zones: "UTC" (the default; also "GMT", "Z"), fixed offsets
 * ("+08:00", "-05:30", "GMT+8", "UTC-03:00") and IANA names
 * ("Asia/Shanghai", from the system's zoneinfo).  Process-wide. */
int wb_tz_set(const char *zone);              /* 0, or -1 when unknown */
const char *wb_tz_name(void);
bool wb_tz_is_utc(void);
int64_t wb_tz_to_local(int64_t utc_us);       /* the wall time there */
int64_t wb_tz_to_utc(int64_t local_us);       /* the instant of a wall time */

/* A Flink duration: "1 h", "30 min", "1000 ms", "10s", "1 d" (no unit =
 * ms) -> milliseconds.  Returns 0, or -1 when the text is not one. */
int wb_parse_duration_ms(const char *text, int64_t *out);

/* ---- the processing-time clock ----
 * One per job, owned by the runtime and passed to operators and sources:
 * nothing else reads the system clock for processing time.  A system clock
 * reads the wall clock (CLOCK_REALTIME); a manual clock (tests:
 * SET 'weir.clock' = 'manual') stands still until the runtime moves it.
 * Values are microseconds since 1970-01-01 00:00:00 UTC. */
typedef struct WbClock {
    bool manual;
    int64_t manual_us;           /* the manual clock's time */
} WbClock;
int64_t wb_clock_now(const WbClock *clock);   /* NULL: the system clock */
/* Monotonic microseconds for measuring durations (progress, elapsed):
 * not processing time, never seen by a query. */
int64_t wb_monotonic_us(void);

/* ---- Unicode text (unicode.c, over ICU) ----
 * Strings are UTF-8; an ill-formed byte sequence is never an error: it is
 * copied unchanged by the case mappings and counts one column. */
bool wb_is_ascii(const char *s, size_t len);   /* no byte >= 0x80 */

typedef enum WbCaseMap { WB_CASE_UPPER, WB_CASE_LOWER, WB_CASE_INITCAP } WbCaseMap;
/* Inputs longer than this are cut there (callers reject them first):
 * ICU counts in int32_t and a mapping can triple the bytes. */
#define WB_CASE_MAX_INPUT ((size_t)1 << 28)
/* Maps src[0..len) with the full Unicode mappings of the root locale
 * (SpecialCasing included: 'ß' -> "SS", 'İ' -> "i̇", a final 'Σ' -> 'ς',
 * as Java's toUpperCase/toLowerCase).  INITCAP maps the first code point
 * of each word (a run of letters, marks and decimal digits) to upper case
 * and the rest of the word to lower case, and copies what lies between
 * words.  Writes at most cap bytes to dst and returns the length of the
 * whole result: when that is > cap, dst holds only a prefix and the caller
 * calls again with that much room.  Not for the ASCII fast path. */
size_t wb_utf8_case(WbCaseMap map, const char *src, size_t len, char *dst, size_t cap);
/* Terminal columns of s: East Asian Wide and Fullwidth characters take
 * two, combining marks, format characters (ZERO WIDTH JOINER ...) and
 * controls none, everything else one. */
size_t wb_utf8_width(const char *s, size_t len);

#endif
