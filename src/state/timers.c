/*
 * timers.c - the timer service (timers.h): a binary min-heap of records
 * over a key buffer, and a StateTable of the live (time, key) pairs.
 */
#include "state/timers.h"

#include <stdlib.h>
#include <string.h>

#include "state/state.h"

typedef struct TimerRec {
    int64_t time;
    uint64_t seq;                /* registration order breaks ties */
    uint64_t off;                /* key bytes in `keys` */
    uint32_t len;
} TimerRec;

struct TimerService {
    TimerRec *heap;
    int64_t n, cap;
    uint64_t seq;
    WbBuf keys;                  /* key bytes of the heap's records */
    int64_t live_bytes;          /* of records whose pair is live */
    StateTable *live;            /* key = be64(time) ++ key; no payload */
    WbBuf probe;                 /* scratch: a pair's table key */
    WbBuf popped;                /* the key handed out by st_timers_pop */
};

TimerService *st_timers_new(void)
{
    TimerService *t = wb_calloc(1, sizeof *t);
    t->live = st_table_new(0);
    wb_buf_reserve(&t->keys, 64);
    wb_buf_reserve(&t->probe, 64);
    wb_buf_reserve(&t->popped, 64);
    return t;
}

void st_timers_free(TimerService *t)
{
    if (!t) return;
    free(t->heap);
    wb_buf_free(&t->keys);
    wb_buf_free(&t->probe);
    wb_buf_free(&t->popped);
    st_table_free(t->live);
    free(t);
}

static void pair_key(TimerService *t, int64_t time, const void *key, uint32_t key_len)
{
    uint8_t be[8];
    uint64_t v = (uint64_t)time;
    for (int i = 7; i >= 0; i--) {
        be[i] = (uint8_t)v;
        v >>= 8;
    }
    wb_buf_clear(&t->probe);
    wb_buf_append(&t->probe, be, 8);
    if (key_len) wb_buf_append(&t->probe, key, key_len);
}

static uint64_t probe_hash(const TimerService *t)
{
    return wb_hash_bytes(t->probe.data, t->probe.len, 0x74696d65);
}

static bool rec_less(const TimerRec *a, const TimerRec *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void sift_up(TimerService *t, int64_t i)
{
    TimerRec rec = t->heap[i];
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!rec_less(&rec, &t->heap[parent])) break;
        t->heap[i] = t->heap[parent];
        i = parent;
    }
    t->heap[i] = rec;
}

static void sift_down(TimerService *t, int64_t i)
{
    TimerRec rec = t->heap[i];
    for (;;) {
        int64_t child = 2 * i + 1;
        if (child >= t->n) break;
        if (child + 1 < t->n && rec_less(&t->heap[child + 1], &t->heap[child])) child++;
        if (!rec_less(&t->heap[child], &rec)) break;
        t->heap[i] = t->heap[child];
        i = child;
    }
    t->heap[i] = rec;
}

/* Rewrites the key buffer with only the heap's records' keys (dead ones
 * included: they leave at the top; the buffer then holds at most twice
 * the live bytes until more die). */
static void compact_keys(TimerService *t)
{
    WbBuf fresh = {0};
    wb_buf_reserve(&fresh, (size_t)t->live_bytes + 64);
    for (int64_t i = 0; i < t->n; i++) {
        TimerRec *r = &t->heap[i];
        uint64_t off = fresh.len;
        if (r->len) wb_buf_append(&fresh, t->keys.data + r->off, r->len);
        r->off = off;
    }
    wb_buf_free(&t->keys);
    t->keys = fresh;
}

void st_timers_register(TimerService *t, int64_t time, const void *key, uint32_t key_len)
{
    pair_key(t, time, key, key_len);
    bool created = false;
    st_table_upsert(t->live, t->probe.data, (uint32_t)t->probe.len, probe_hash(t), &created);
    if (!created) return;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->heap = wb_realloc(t->heap, sizeof(TimerRec) * (size_t)t->cap);
    }
    if (t->keys.len > 4096 && t->keys.len > 2 * (size_t)t->live_bytes + 4096) compact_keys(t);
    TimerRec *r = &t->heap[t->n];
    r->time = time;
    r->seq = t->seq++;
    r->off = t->keys.len;
    r->len = key_len;
    if (key_len) wb_buf_append(&t->keys, key, key_len);
    t->live_bytes += key_len;
    t->n++;
    sift_up(t, t->n - 1);
}

void st_timers_delete(TimerService *t, int64_t time, const void *key, uint32_t key_len)
{
    pair_key(t, time, key, key_len);
    StateEntry *e = st_table_find(t->live, t->probe.data, (uint32_t)t->probe.len, probe_hash(t));
    if (!e) return;
    st_table_remove(t->live, e);
    t->live_bytes -= key_len;
}

/* Drops dead records from the top; returns the top live record or NULL. */
static TimerRec *live_top(TimerService *t)
{
    while (t->n > 0) {
        TimerRec *r = &t->heap[0];
        pair_key(t, r->time, t->keys.data + r->off, r->len);
        if (st_table_find(t->live, t->probe.data, (uint32_t)t->probe.len, probe_hash(t)))
            return r;
        t->heap[0] = t->heap[--t->n];
        if (t->n > 0) sift_down(t, 0);
    }
    return NULL;
}

bool st_timers_pop(TimerService *t, int64_t until, int64_t *time, const uint8_t **key,
                   uint32_t *key_len)
{
    TimerRec *r = live_top(t);
    if (!r || r->time > until) return false;
    /* t->probe holds the top's pair (live_top just looked it up) */
    StateEntry *e = st_table_find(t->live, t->probe.data, (uint32_t)t->probe.len, probe_hash(t));
    st_table_remove(t->live, e);
    wb_buf_clear(&t->popped);
    if (r->len) wb_buf_append(&t->popped, t->keys.data + r->off, r->len);
    *time = r->time;
    *key = (const uint8_t *)t->popped.data;
    *key_len = r->len;
    t->live_bytes -= r->len;
    t->heap[0] = t->heap[--t->n];
    if (t->n > 0) sift_down(t, 0);
    if (t->n == 0) wb_buf_clear(&t->keys);
    return true;
}

int64_t st_timers_next(TimerService *t)
{
    TimerRec *r = live_top(t);
    return r ? r->time : INT64_MAX;
}

int64_t st_timers_count(const TimerService *t)
{
    return st_table_count(t->live);
}

int64_t st_timers_bytes(const TimerService *t)
{
    return (int64_t)(sizeof(TimerRec) * (size_t)t->cap) + (int64_t)t->keys.cap +
           st_table_bytes(t->live);
}
