/*
 * base.c - checked allocation, arenas, byte buffers, errors, hashing and
 * random numbers.  See base.h for the contracts.
 */
#include "base/base.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "weir: out of memory allocating %zu bytes\n", size);
    abort();
}

void *wb_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) out_of_memory(size);
    return p;
}

void *wb_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory(count * size);
    return p;
}

void *wb_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) out_of_memory(size);
    return p;
}

char *wb_strndup(const char *s, size_t len)
{
    char *p = wb_malloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *wb_strdup(const char *s) { return wb_strndup(s, strlen(s)); }

/* ---- arenas ---- */

struct WbArenaChunk {
    WbArenaChunk *next;
    size_t size;      /* usable bytes in data */
    size_t used;
    bool big;         /* holds one large allocation; never kept by reset */
    /* data follows, 16-aligned */
};

#define CHUNK_HEADER ((sizeof(WbArenaChunk) + 15) & ~(size_t)15)
#define DEFAULT_CHUNK (64 * 1024)

static WbArenaChunk *chunk_new(WbArena *arena, size_t size)
{
    WbArenaChunk *chunk = wb_malloc(CHUNK_HEADER + size);
    chunk->size = size;
    chunk->used = 0;
    chunk->big = false;
    arena->total += CHUNK_HEADER + size;
    return chunk;
}

void wb_arena_init(WbArena *arena, size_t chunk_size)
{
    arena->head = NULL;
    arena->chunk_size = chunk_size ? chunk_size : DEFAULT_CHUNK;
    arena->total = 0;
}

WbArena *wb_arena_new(size_t chunk_size)
{
    WbArena *arena = wb_malloc(sizeof(WbArena));
    wb_arena_init(arena, chunk_size);
    return arena;
}

void *wb_arena_alloc(WbArena *arena, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    WbArenaChunk *head = arena->head;
    if (!head || head->size - head->used < size) {
        size_t want = arena->chunk_size;
        if (size > want / 4) {
            /* Large allocation: its own chunk, placed behind the current
             * head so the head's free space is not wasted. */
            WbArenaChunk *big = chunk_new(arena, size);
            big->used = size;
            big->big = true;
            if (head) {
                big->next = head->next;
                head->next = big;
            } else {
                big->next = NULL;
                arena->head = big;
            }
            return (uint8_t *)big + CHUNK_HEADER;
        }
        WbArenaChunk *chunk = chunk_new(arena, want);
        chunk->next = head;
        arena->head = head = chunk;
        /* grow chunk size for arenas that keep growing */
        if (arena->chunk_size < 4 * 1024 * 1024) arena->chunk_size *= 2;
    }
    void *p = (uint8_t *)head + CHUNK_HEADER + head->used;
    head->used += size;
    return p;
}

void *wb_arena_calloc(WbArena *arena, size_t size)
{
    void *p = wb_arena_alloc(arena, size);
    memset(p, 0, size);
    return p;
}

char *wb_arena_strndup(WbArena *arena, const char *s, size_t len)
{
    char *p = wb_arena_alloc(arena, len + 1);
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *wb_arena_strdup(WbArena *arena, const char *s)
{
    return wb_arena_strndup(arena, s, strlen(s));
}

char *wb_arena_printf(WbArena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = wb_arena_alloc(arena, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void wb_arena_reset(WbArena *arena)
{
    /* Keep the most recently added regular chunk (the largest), free all
     * others, so that a per-batch arena settles at one chunk. */
    WbArenaChunk *keep = NULL;
    WbArenaChunk *chunk = arena->head;
    while (chunk) {
        WbArenaChunk *next = chunk->next;
        if (!keep && !chunk->big) {
            keep = chunk;
        } else {
            arena->total -= CHUNK_HEADER + chunk->size;
            free(chunk);
        }
        chunk = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    arena->head = keep;
}

void wb_arena_destroy(WbArena *arena)
{
    WbArenaChunk *chunk = arena->head;
    while (chunk) {
        WbArenaChunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    arena->head = NULL;
    arena->total = 0;
}

void wb_arena_free(WbArena *arena)
{
    if (!arena) return;
    wb_arena_destroy(arena);
    free(arena);
}

/* ---- byte buffers ---- */

void wb_buf_reserve(WbBuf *buf, size_t extra)
{
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap) return;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need) cap *= 2;
    buf->data = wb_realloc(buf->data, cap);
    buf->cap = cap;
}

void wb_buf_append(WbBuf *buf, const void *data, size_t len)
{
    wb_buf_reserve(buf, len);
    if (len) memcpy(buf->data + buf->len, data, len);
    buf->len += len;
}

void wb_buf_puts(WbBuf *buf, const char *s) { wb_buf_append(buf, s, strlen(s)); }

void wb_buf_putc(WbBuf *buf, char c)
{
    wb_buf_reserve(buf, 1);
    buf->data[buf->len++] = c;
}

void wb_buf_printf(WbBuf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    wb_buf_reserve(buf, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
}

const char *wb_buf_cstr(WbBuf *buf)
{
    wb_buf_reserve(buf, 0);
    buf->data[buf->len] = '\0';
    return buf->data;
}

void wb_buf_free(WbBuf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

/* ---- errors ---- */

void wb_error_set_at(WbError *err, const char *c_file, int c_line,
                     const char *sqlstate, int line, int column,
                     const char *fmt, ...)
{
    if (!err) return;
    /* The first error wins: a caller that adds context must not lose the
     * original cause. */
    if (err->set) return;
    memset(err, 0, sizeof(*err));
    err->set = true;
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate ? sqlstate : WB_SQLSTATE_INTERNAL);
    err->line = line;
    err->column = column;
    err->offset = -1;
    err->c_file = c_file;
    err->c_line = c_line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

void wb_error_detail(WbError *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}

void wb_error_hint(WbError *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
    va_end(ap);
}

void wb_error_clear(WbError *err)
{
    memset(err, 0, sizeof(*err));
    err->offset = -1;
}

/* ---- hashing ----
 * A simple word-at-a-time multiply-mix hash: each 8-byte word is mixed into
 * the state with a multiply and rotate, the tail bytes form one last word,
 * and the length is folded in before the final avalanche. */
uint64_t wb_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (len + 1));
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h ^= w * 0xbf58476d1ce4e5b9ULL;
        h = (h << 31) | (h >> 33);
        h *= 0x94d049bb133111ebULL;
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h ^= w * 0xbf58476d1ce4e5b9ULL;
        h = (h << 31) | (h >> 33);
        h *= 0x94d049bb133111ebULL;
    }
    return wb_hash_u64(h);
}

/* ---- random numbers: xorshift64* ---- */

void wb_rand_seed(WbRand *rng, uint64_t seed)
{
    rng->state = wb_hash_u64(seed + 0x9e3779b97f4a7c15ULL);
    if (rng->state == 0) rng->state = 0x2545f4914f6cdd1dULL;
}

uint64_t wb_rand_next(WbRand *rng)
{
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

uint64_t wb_rand_below(WbRand *rng, uint64_t bound)
{
    return bound ? wb_rand_next(rng) % bound : 0;
}

/* ---- misc ---- */

bool wb_ieq(const char *s, size_t len, const char *cstr)
{
    size_t i = 0;
    for (; i < len; i++) {
        char a = s[i], b = cstr[i];
        if (b == '\0') return false;
        if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
        if (a != b) return false;
    }
    return cstr[i] == '\0';
}

int64_t wb_now_millis(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int64_t wb_clock_now(const WbClock *clock)
{
    if (clock && clock->manual) return clock->manual_us;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t wb_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "1 h", "30 min", "1000 ms", "10s", "1 d" -> milliseconds (Flink durations). */
int wb_parse_duration_ms(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (end == text || errno || n < 0) return -1;
    while (*end == ' ') end++;
    int64_t unit = 1;
    if (!*end || !strcasecmp(end, "ms") || !strcasecmp(end, "milli") || !strcasecmp(end, "millis"))
        unit = 1;
    else if (!strcasecmp(end, "s") || !strcasecmp(end, "sec") || !strcasecmp(end, "second") ||
             !strcasecmp(end, "seconds"))
        unit = 1000;
    else if (!strcasecmp(end, "min") || !strcasecmp(end, "m") || !strcasecmp(end, "minute") ||
             !strcasecmp(end, "minutes"))
        unit = 60000;
    else if (!strcasecmp(end, "h") || !strcasecmp(end, "hour") || !strcasecmp(end, "hours"))
        unit = 3600000;
    else if (!strcasecmp(end, "d") || !strcasecmp(end, "day") || !strcasecmp(end, "days"))
        unit = 86400000;
    else
        return -1;
    *out = (int64_t)n * unit;
    return 0;
}


/* ---- the session time zone ---- */

static struct {
    bool utc;
    bool fixed;
    int64_t offset_us;           /* fixed offsets */
    char name[64];
} session_tz = {true, true, 0, "UTC"};

/* "+08:00", "-0530", "+8" after an optional GMT/UTC: seconds east. */
static bool parse_offset(const char *s, int64_t *secs)
{
    if (!strncasecmp(s, "GMT", 3) || !strncasecmp(s, "UTC", 3)) s += 3;
    if (*s != '+' && *s != '-') return false;
    int sign = *s == '-' ? -1 : 1;
    s++;
    int h = 0, m = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 2) h = h * 10 + (*s++ - '0'), digits++;
    if (!digits) return false;
    if (*s == ':') s++;
    if (*s) {
        if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') || s[2]) return false;
        m = (s[0] - '0') * 10 + (s[1] - '0');
    }
    if (h > 18 || m > 59) return false;
    *secs = sign * (h * 3600 + m * 60);
    return true;
}

int wb_tz_set(const char *zone)
{
    int64_t secs;
    if (!strcasecmp(zone, "UTC") || !strcasecmp(zone, "GMT") || !strcasecmp(zone, "Z") ||
        !strcmp(zone, "Etc/UTC")) {
        session_tz.utc = session_tz.fixed = true;
        session_tz.offset_us = 0;
    } else if (parse_offset(zone, &secs)) {
        session_tz.utc = secs == 0;
        session_tz.fixed = true;
        session_tz.offset_us = secs * 1000000;
    } else {
        /* an IANA name: the system's zoneinfo must have it */
        if (strstr(zone, "..") || strlen(zone) >= sizeof session_tz.name) return -1;
        char path[128];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
        FILE *f = fopen(path, "rb");
        if (!f) return -1;
        char magic[4] = {0};
        size_t got = fread(magic, 1, 4, f);
        fclose(f);
        if (got != 4 || memcmp(magic, "TZif", 4) != 0) return -1;
        setenv("TZ", zone, 1);
        tzset();
        session_tz.utc = false;
        session_tz.fixed = false;
    }
    snprintf(session_tz.name, sizeof session_tz.name, "%s", zone);
    return 0;
}

const char *wb_tz_name(void) { return session_tz.name; }
bool wb_tz_is_utc(void) { return session_tz.utc; }

static int64_t zone_offset_us(int64_t utc_us)
{
    if (session_tz.fixed) return session_tz.offset_us;
    time_t secs = (time_t)(utc_us >= 0 ? utc_us / 1000000 : -((-utc_us + 999999) / 1000000));
    struct tm tm;
    if (!localtime_r(&secs, &tm)) return 0;
    return (int64_t)tm.tm_gmtoff * 1000000;
}

int64_t wb_tz_to_local(int64_t utc_us)
{
    if (session_tz.utc) return utc_us;
    return utc_us + zone_offset_us(utc_us);
}

int64_t wb_tz_to_utc(int64_t local_us)
{
    if (session_tz.utc) return local_us;
    /* the offset at the instant the wall time means (twice: across a
     * transition the first guess may be off by the change) */
    int64_t guess = local_us - zone_offset_us(local_us);
    return local_us - zone_offset_us(guess);
}
