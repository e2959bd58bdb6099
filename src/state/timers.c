/*
 * timers.c - the timer service (timers.h): buckets of keys per time in a
 * StateTable, a binary min-heap of the distinct times, and the bucket
 * being drained.
 */
#include "state/timers.h"

#include <stdlib.h>
#include <string.h>

#include "state/state.h"

/* A time's keys, each as a 4-byte length then the bytes. */
typedef struct Bucket {
    WbBuf keys;
} Bucket;

struct TimerService {
    int64_t *heap;               /* distinct times with a bucket */
    int64_t n, cap;
    StateTable *buckets;         /* key: the time (8 bytes); payload: Bucket */
    int64_t last_time;           /* the bucket registered into last */
    Bucket *last;
    Bucket draining;             /* the popped time's keys */
    int64_t draining_time;
    size_t draining_pos;
    int64_t count;               /* timers not yet popped */
    int64_t key_bytes;
};

TimerService *st_timers_new(void)
{
    TimerService *t = wb_calloc(1, sizeof *t);
    t->buckets = st_table_new(sizeof(Bucket));
    return t;
}

void st_timers_free(TimerService *t)
{
    if (!t) return;
    StateIter it;
    st_iter_init(&it, t->buckets);
    for (StateEntry *e; (e = st_iter_next(&it));) wb_buf_free(&((Bucket *)st_payload(e))->keys);
    st_table_free(t->buckets);
    wb_buf_free(&t->draining.keys);
    free(t->heap);
    free(t);
}

static uint64_t time_hash(int64_t time)
{
    return wb_hash_bytes(&time, 8, 0x74696d65);
}

static void heap_push(TimerService *t, int64_t time)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->heap = wb_realloc(t->heap, sizeof(int64_t) * (size_t)t->cap);
    }
    int64_t i = t->n++;
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (t->heap[parent] <= time) break;
        t->heap[i] = t->heap[parent];
        i = parent;
    }
    t->heap[i] = time;
}

static int64_t heap_pop(TimerService *t)
{
    int64_t top = t->heap[0], last = t->heap[--t->n];
    int64_t i = 0;
    for (;;) {
        int64_t child = 2 * i + 1;
        if (child >= t->n) break;
        if (child + 1 < t->n && t->heap[child + 1] < t->heap[child]) child++;
        if (t->heap[child] >= last) break;
        t->heap[i] = t->heap[child];
        i = child;
    }
    if (t->n > 0) t->heap[i] = last;
    return top;
}

void st_timers_register(TimerService *t, int64_t time, const void *key, uint32_t key_len)
{
    Bucket *b = t->last;
    if (!b || t->last_time != time) {
        bool created = false;
        StateEntry *e = st_table_upsert(t->buckets, &time, 8, time_hash(time), &created);
        b = st_payload(e);
        if (created) heap_push(t, time);
        t->last = b;
        t->last_time = time;
    }
    wb_buf_append(&b->keys, &key_len, 4);
    if (key_len) wb_buf_append(&b->keys, key, key_len);
    t->count++;
    t->key_bytes += key_len;
}

/* The earliest time with timers: the bucket being drained first. */
int64_t st_timers_next(TimerService *t)
{
    if (t->draining_pos < t->draining.keys.len) return t->draining_time;
    return t->n > 0 ? t->heap[0] : INT64_MAX;
}

bool st_timers_pop(TimerService *t, int64_t until, int64_t *time, const uint8_t **key,
                   uint32_t *key_len)
{
    if (t->draining_pos >= t->draining.keys.len) {
        /* the next time's bucket, when due, becomes the one drained (a
         * timer registered meanwhile at that time starts a new bucket) */
        if (t->n == 0 || t->heap[0] > until) return false;
        int64_t next = heap_pop(t);
        StateEntry *e = st_table_find(t->buckets, &next, 8, time_hash(next));
        Bucket *b = st_payload(e);
        wb_buf_free(&t->draining.keys);
        t->draining.keys = b->keys;
        memset(&b->keys, 0, sizeof b->keys);
        st_table_remove(t->buckets, e);
        if (t->last == b) t->last = NULL;
        t->draining_time = next;
        t->draining_pos = 0;
    }
    if (t->draining_time > until) return false;
    const uint8_t *p = (const uint8_t *)t->draining.keys.data + t->draining_pos;
    uint32_t len;
    memcpy(&len, p, 4);
    *time = t->draining_time;
    *key = p + 4;
    *key_len = len;
    t->draining_pos += 4 + (size_t)len;
    t->count--;
    t->key_bytes -= len;
    return true;
}

int64_t st_timers_count(const TimerService *t)
{
    return t->count;
}

int64_t st_timers_bytes(const TimerService *t)
{
    return (int64_t)(sizeof(int64_t) * (size_t)t->cap) + st_table_bytes(t->buckets) +
           t->key_bytes + 4 * t->count + (int64_t)t->draining.keys.cap;
}
