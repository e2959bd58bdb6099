/*
 * state.h - keyed state tables: the state an operator owns.
 *
 * A StateTable maps a key (bytes, usually a ty_row_encode of the key
 * columns) to a fixed-size payload the operator interprets.  Keys and
 * payloads live in slabs owned by the table; a payload pointer stays valid
 * until the entry is removed or the table is freed (entries never move:
 * the hash index holds pointers to them).  Removal recycles the entry.
 *
 * Operators keep variable-size data (rows, multisets) either in payloads
 * that point into the table's arena (st_table_arena) or in nested tables.
 * Because all state is reachable from StateTables, snapshot/restore and
 * repartitioning by key hash are added here without touching operators.
 */
#ifndef WEIR_STATE_H
#define WEIR_STATE_H

#include "base/base.h"

typedef struct StateTable StateTable;

typedef struct StateEntry {
    struct StateEntry *next_free;   /* internal */
    uint64_t hash;
    uint32_t key_len;
    uint32_t alive;
    uint8_t *key;                   /* key_len bytes, owned by the table */
    /* payload (payload_size bytes, 16-aligned) follows this header */
} StateEntry;

static inline void *st_payload(StateEntry *entry)
{
    return (uint8_t *)entry + ((sizeof(StateEntry) + 15) & ~(size_t)15);
}

StateTable *st_table_new(uint32_t payload_size);
void st_table_free(StateTable *table);
/* NULL if absent. */
StateEntry *st_table_find(StateTable *table, const void *key, uint32_t key_len,
                          uint64_t hash);
/* Finds or inserts; a new entry's payload is zeroed and *created set. */
StateEntry *st_table_upsert(StateTable *table, const void *key, uint32_t key_len,
                            uint64_t hash, bool *created);
void st_table_remove(StateTable *table, StateEntry *entry);
/* Hints for batch lookups: issue them a few rows ahead of the lookups so
 * that cache misses overlap (first the index slot, later the entry). */
void st_table_prefetch(const StateTable *table, uint64_t hash);
void st_table_prefetch_entry(const StateTable *table, uint64_t hash);
int64_t st_table_count(const StateTable *table);
int64_t st_table_bytes(const StateTable *table);
/* Arena for variable-size data attached to payloads (freed with the table). */
WbArena *st_table_arena(StateTable *table);

/* Iteration in unspecified order; do not insert while iterating (removing
 * the current entry is allowed). */
typedef struct StateIter {
    StateTable *table;
    uint64_t pos;
} StateIter;
void st_iter_init(StateIter *it, StateTable *table);
StateEntry *st_iter_next(StateIter *it);

#endif
