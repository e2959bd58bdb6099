/*
 * state.c - keyed state tables: an open-addressing hash index (linear
 * probing, tombstones) over entries allocated from slabs.  Entries never
 * move, so payload pointers stay valid until removal.
 */
#include "state/state.h"

#include <stdlib.h>
#include <string.h>

#define SLAB_ENTRIES 1024
#define TOMBSTONE ((StateEntry *)(uintptr_t)1)
#define INLINE_KEY 32         /* keys up to this size live inside the entry */
#define KEY_CLASS 16          /* long keys are allocated in multiples of this */
#define KEY_CLASSES 64        /* size classes up to 1 KiB; longer keys use malloc */

/* The index keeps each entry's hash beside its pointer, so a probe touches
 * one cache line of the index and only the entry it finds; keys up to
 * INLINE_KEY bytes are stored in the entry itself, after the payload, so a
 * hit costs one more cache line, not two. */
typedef struct Slot {
    uint64_t hash;
    StateEntry *entry;        /* NULL = empty, TOMBSTONE = deleted */
} Slot;

struct StateTable {
    uint32_t payload_size;
    size_t entry_size;
    size_t inline_key_offset;
    Slot *slots;
    uint64_t mask;            /* capacity - 1 (power of two) */
    int64_t count;            /* live entries */
    int64_t used;             /* live + tombstones */
    StateEntry *free_list;
    WbArena slabs;            /* entries */
    WbArena keys;             /* key bytes */
    /* freed long keys, per size class of KEY_CLASS bytes, for reuse: a
     * table whose keys come and go (window state, timers) keeps its key
     * memory bounded instead of growing with every key it ever held */
    void *key_free[KEY_CLASSES];
    int64_t big_key_bytes;    /* keys past the classes: malloc'ed */
    WbArena data;             /* variable-size payload data (st_table_arena) */
};

/* Long keys: size classes with free lists, malloc beyond them. */
static uint8_t *key_alloc(StateTable *t, uint32_t len)
{
    uint32_t cls = (len + KEY_CLASS - 1) / KEY_CLASS;
    if (cls >= KEY_CLASSES) {
        t->big_key_bytes += len;
        return wb_malloc(len);
    }
    void *block = t->key_free[cls];
    if (block) {
        memcpy(&t->key_free[cls], block, sizeof(void *));
        return block;
    }
    return wb_arena_alloc(&t->keys, (size_t)cls * KEY_CLASS);
}

static void key_free(StateTable *t, uint8_t *key, uint32_t len)
{
    uint32_t cls = (len + KEY_CLASS - 1) / KEY_CLASS;
    if (cls >= KEY_CLASSES) {
        t->big_key_bytes -= len;
        free(key);
        return;
    }
    memcpy(key, &t->key_free[cls], sizeof(void *));
    t->key_free[cls] = key;
}

/* Key comparison without a libc call for the common short keys. */
static inline bool keys_equal(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    if (len == 0) return true;
    if (len <= 16) {
        uint64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        uint32_t first = len < 8 ? len : 8;
        memcpy(&x0, a, first);
        memcpy(&y0, b, first);
        if (len > 8) {
            memcpy(&x1, a + 8, len - 8);
            memcpy(&y1, b + 8, len - 8);
        }
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    return memcmp(a, b, len) == 0;
}

StateTable *st_table_new(uint32_t payload_size)
{
    StateTable *t = wb_calloc(1, sizeof(StateTable));
    t->payload_size = payload_size;
    t->inline_key_offset = ((sizeof(StateEntry) + 15) & ~(size_t)15) + ((payload_size + 7) & ~(size_t)7);
    t->entry_size = t->inline_key_offset + INLINE_KEY;
    t->mask = 63;
    t->slots = wb_calloc(t->mask + 1, sizeof(Slot));
    wb_arena_init(&t->slabs, t->entry_size * SLAB_ENTRIES);
    wb_arena_init(&t->keys, 0);
    wb_arena_init(&t->data, 0);
    return t;
}

void st_table_free(StateTable *t)
{
    if (!t) return;
    if (t->big_key_bytes > 0)
        for (uint64_t i = 0; i <= t->mask; i++) {
            StateEntry *e = t->slots[i].entry;
            if (e && e != TOMBSTONE && (e->key_len + KEY_CLASS - 1) / KEY_CLASS >= KEY_CLASSES)
                free(e->key);
        }
    wb_arena_destroy(&t->slabs);
    wb_arena_destroy(&t->keys);
    wb_arena_destroy(&t->data);
    free(t->slots);
    free(t);
}

WbArena *st_table_arena(StateTable *t) { return &t->data; }
int64_t st_table_count(const StateTable *t) { return t->count; }

int64_t st_table_bytes(const StateTable *t)
{
    return (int64_t)(t->slabs.total + t->keys.total + t->data.total +
                     (t->mask + 1) * sizeof(Slot)) + t->big_key_bytes;
}

static void grow(StateTable *t)
{
    uint64_t cap = t->mask + 1;
    /* Only grow when live entries need it; otherwise rehash in place to
     * drop tombstones. */
    uint64_t new_cap = (uint64_t)t->count * 2 >= cap ? cap * 2 : cap;
    Slot *slots = wb_calloc(new_cap, sizeof(Slot));
    uint64_t mask = new_cap - 1;
    for (uint64_t i = 0; i < cap; i++) {
        Slot slot = t->slots[i];
        if (!slot.entry || slot.entry == TOMBSTONE) continue;
        uint64_t pos = slot.hash & mask;
        while (slots[pos].entry) pos = (pos + 1) & mask;
        slots[pos] = slot;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    t->used = t->count;
}

StateEntry *st_table_find(StateTable *t, const void *key, uint32_t key_len, uint64_t hash)
{
    uint64_t pos = hash & t->mask;
    for (;;) {
        Slot *slot = &t->slots[pos];
        StateEntry *e = slot->entry;
        if (!e) return NULL;
        if (slot->hash == hash && e != TOMBSTONE && e->key_len == key_len &&
            keys_equal(e->key, key, key_len))
            return e;
        pos = (pos + 1) & t->mask;
    }
}

StateEntry *st_table_upsert(StateTable *t, const void *key, uint32_t key_len,
                            uint64_t hash, bool *created)
{
    if ((uint64_t)(t->used + 1) * 4 >= (t->mask + 1) * 3) grow(t);
    uint64_t pos = hash & t->mask;
    int64_t first_tomb = -1;
    for (;;) {
        Slot *slot = &t->slots[pos];
        StateEntry *e = slot->entry;
        if (!e) break;
        if (e == TOMBSTONE) {
            if (first_tomb < 0) first_tomb = (int64_t)pos;
        } else if (slot->hash == hash && e->key_len == key_len &&
                   keys_equal(e->key, key, key_len)) {
            if (created) *created = false;
            return e;
        }
        pos = (pos + 1) & t->mask;
    }
    StateEntry *e = t->free_list;
    if (e) {
        t->free_list = e->next_free;
    } else {
        e = wb_arena_alloc(&t->slabs, t->entry_size);
    }
    memset(e, 0, t->entry_size);
    e->hash = hash;
    e->key_len = key_len;
    e->alive = 1;
    e->key = key_len <= INLINE_KEY ? (uint8_t *)e + t->inline_key_offset : key_alloc(t, key_len);
    if (key_len) memcpy(e->key, key, key_len);
    uint64_t at = first_tomb >= 0 ? (uint64_t)first_tomb : pos;
    if (first_tomb < 0) t->used++;
    t->slots[at].hash = hash;
    t->slots[at].entry = e;
    t->count++;
    if (created) *created = true;
    return e;
}

void st_table_remove(StateTable *t, StateEntry *entry)
{
    if (entry->key_len > INLINE_KEY) key_free(t, entry->key, entry->key_len);
    uint64_t pos = entry->hash & t->mask;
    while (t->slots[pos].entry != entry) pos = (pos + 1) & t->mask;
    t->slots[pos].entry = TOMBSTONE;
    t->count--;
    entry->alive = 0;
    entry->next_free = t->free_list;
    t->free_list = entry;
}

void st_iter_init(StateIter *it, StateTable *t)
{
    it->table = t;
    it->pos = 0;
}

StateEntry *st_iter_next(StateIter *it)
{
    StateTable *t = it->table;
    while (it->pos <= t->mask) {
        StateEntry *e = t->slots[it->pos++].entry;
        if (e && e != TOMBSTONE) return e;
    }
    return NULL;
}

void st_table_prefetch(const StateTable *t, uint64_t hash)
{
    __builtin_prefetch(&t->slots[hash & t->mask]);
}

void st_table_prefetch_entry(const StateTable *t, uint64_t hash)
{
    const Slot *slot = &t->slots[hash & t->mask];
    if (slot->hash == hash && slot->entry && slot->entry != TOMBSTONE) {
        /* the whole entry: header, payload and inline key are all read by
         * the lookup and the operator's update right after it */
        const char *p = (const char *)slot->entry;
        for (size_t off = 0; off < t->entry_size; off += 64) __builtin_prefetch(p + off);
        __builtin_prefetch(p + t->entry_size - 1);
    }
}
