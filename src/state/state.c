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

struct StateTable {
    uint32_t payload_size;
    size_t entry_size;
    StateEntry **slots;       /* NULL = empty, TOMBSTONE = deleted */
    uint64_t mask;            /* capacity - 1 (power of two) */
    int64_t count;            /* live entries */
    int64_t used;             /* live + tombstones */
    StateEntry *free_list;
    WbArena slabs;            /* entries */
    WbArena keys;             /* key bytes */
    WbArena data;             /* variable-size payload data (st_table_arena) */
};

StateTable *st_table_new(uint32_t payload_size)
{
    StateTable *t = wb_calloc(1, sizeof(StateTable));
    t->payload_size = payload_size;
    t->entry_size = ((sizeof(StateEntry) + 15) & ~(size_t)15) + ((payload_size + 15) & ~(size_t)15);
    t->mask = 63;
    t->slots = wb_calloc(t->mask + 1, sizeof(StateEntry *));
    wb_arena_init(&t->slabs, t->entry_size * SLAB_ENTRIES);
    wb_arena_init(&t->keys, 0);
    wb_arena_init(&t->data, 0);
    return t;
}

void st_table_free(StateTable *t)
{
    if (!t) return;
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
                     (t->mask + 1) * sizeof(StateEntry *));
}

static void grow(StateTable *t)
{
    uint64_t cap = t->mask + 1;
    /* Only grow when live entries need it; otherwise rehash in place to
     * drop tombstones. */
    uint64_t new_cap = (uint64_t)t->count * 2 >= cap ? cap * 2 : cap;
    StateEntry **slots = wb_calloc(new_cap, sizeof(StateEntry *));
    uint64_t mask = new_cap - 1;
    for (uint64_t i = 0; i < cap; i++) {
        StateEntry *e = t->slots[i];
        if (!e || e == TOMBSTONE) continue;
        uint64_t pos = e->hash & mask;
        while (slots[pos]) pos = (pos + 1) & mask;
        slots[pos] = e;
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
        StateEntry *e = t->slots[pos];
        if (!e) return NULL;
        if (e != TOMBSTONE && e->hash == hash && e->key_len == key_len &&
            memcmp(e->key, key, key_len) == 0)
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
        StateEntry *e = t->slots[pos];
        if (!e) break;
        if (e == TOMBSTONE) {
            if (first_tomb < 0) first_tomb = (int64_t)pos;
        } else if (e->hash == hash && e->key_len == key_len &&
                   memcmp(e->key, key, key_len) == 0) {
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
    e->key = wb_arena_alloc(&t->keys, key_len ? key_len : 1);
    if (key_len) memcpy(e->key, key, key_len);
    if (first_tomb >= 0) {
        t->slots[first_tomb] = e;
    } else {
        t->slots[pos] = e;
        t->used++;
    }
    t->count++;
    if (created) *created = true;
    return e;
}

void st_table_remove(StateTable *t, StateEntry *entry)
{
    uint64_t pos = entry->hash & t->mask;
    while (t->slots[pos] != entry) pos = (pos + 1) & t->mask;
    t->slots[pos] = TOMBSTONE;
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
        StateEntry *e = t->slots[it->pos++];
        if (e && e != TOMBSTONE) return e;
    }
    return NULL;
}
