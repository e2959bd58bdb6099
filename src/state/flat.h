/*
 * flat.h - flat state tables: keyed state whose keys are a fixed number of
 * 64-bit words (int64-backed SQL values) plus a NULL mask, and whose
 * payloads hold no pointers, stored inline in one open-addressing array.
 *
 * A StateTable (state.h) reaches an entry through an index slot and keeps
 * the entry elsewhere, so a lookup in a table larger than the caches costs
 * two dependent cache misses.  A FlatTable keeps the entry itself in the
 * probed array: a lookup touches one cache line when the entry fits in 64
 * bytes (entries of up to 64 bytes are padded to 16, 32 or 64 so that none
 * straddles two lines).  The price: entries MOVE when the table grows.  An
 * entry pointer stays valid only until the next st_flat_reserve(); an
 * operator reserves room for a whole input batch first and then holds
 * pointers for the rest of the batch.
 *
 * Entry layout (entry_size bytes, a multiple of 16):
 *
 *   [ctrl: u64][key words: int64 x nkeys][payload: payload_size bytes][pad]
 *
 *   ctrl = 0 empty, otherwise (hash >> 32) << 32 | nulls << 2 | state,
 *          state 2 live, 1 tombstone (a removed entry keeps its key, NULL
 *          mask and payload until an insertion takes the slot again or
 *          st_flat_reserve drops the tombstones)
 *   where nulls has bit i set when key column i is NULL (its key word is 0).
 *   The home slot of a key is (hash >> 32) & mask, so the table can be
 *   rehashed from ctrl alone.  The payload starts 16-aligned when nkeys is
 *   odd; operators must not assume more than 8-byte alignment.
 *
 * The array has 64 readable bytes past its last entry (their contents are
 * unspecified): an operator may read up to 64 bytes past the end of an
 * entry, e.g. to copy entries in whole 16-byte units.
 *
 * Like StateTable, the table holds every group's key and payload, so that
 * snapshots and repartitioning by key hash can be done by the table; how a
 * payload is to be read is the operator's (the flat aggregate's layout and
 * bounds live in the operator, and a snapshot must carry them along).
 */
#ifndef WEIR_STATE_FLAT_H
#define WEIR_STATE_FLAT_H

#include <string.h>

#include "base/base.h"

#define ST_FLAT_MAX_KEYS 30     /* NULL mask bits in ctrl */

typedef struct FlatTable {
    uint8_t *data;              /* capacity * entry_size bytes */
    uint64_t mask;              /* capacity - 1 (power of two) */
    uint32_t entry_size;
    uint32_t payload_off;
    uint32_t payload_size;
    int32_t nkeys;
    int64_t count;              /* live entries */
    int64_t used;               /* live + tombstones */
    bool huge;                  /* data was mmap'ed (and advised huge pages) */
    size_t mapped_bytes;        /* when not 0: data's mapping is this long */
} FlatTable;

FlatTable *st_flat_new(int32_t nkeys, uint32_t payload_size);
void st_flat_free(FlatTable *table);
/* Makes room for `more` insertions without growth: after it, entry
 * pointers stay valid until the next call (or st_flat_free). */
void st_flat_reserve(FlatTable *table, int64_t more);

static inline uint64_t st_flat_ctrl(uint64_t hash, uint32_t nulls)
{
    return (hash & 0xffffffff00000000ULL) | ((uint64_t)nulls << 2) | 2;
}

static inline uint8_t *st_flat_entry_at(const FlatTable *t, uint64_t pos)
{
    return t->data + pos * t->entry_size;
}

/* Hint for batch lookups: issue it some rows ahead.  Two cache lines:
 * the home entry and the line after it, where linear probing looks next
 * (one line measured 1.5x slower in streaming, three slower still). */
static inline void st_flat_prefetch(const FlatTable *t, uint64_t hash)
{
    const uint8_t *e = st_flat_entry_at(t, (hash >> 32) & t->mask);
    __builtin_prefetch(e);
    __builtin_prefetch(e + 64);   /* the array has a spare line at its end */
}

/* Finds or inserts the key (nkeys words; NULL columns' words must be 0)
 * with `ctrl` = st_flat_ctrl(hash, nulls).  Returns the entry's payload; a
 * new entry's payload is zeroed and *created set.  Requires a prior
 * st_flat_reserve covering the insertion. */
void *st_flat_upsert(FlatTable *table, const int64_t *key, uint64_t ctrl, bool *created);
/* Whether entry e (live with this ctrl) holds the key.  nkeys is the
 * table's: callers that know it as a constant pass the constant, so that
 * the comparison unrolls. */
static inline bool st_flat_matches(const uint8_t *e, const int64_t *key, uint64_t ctrl,
                                   int32_t nkeys)
{
    uint64_t c;
    memcpy(&c, e, 8);
    if (c != ctrl) return false;
    uint64_t diff = 0;
    for (int32_t i = 0; i < nkeys; i++) {
        int64_t word;
        memcpy(&word, e + 8 + 8 * (size_t)i, 8);
        diff |= (uint64_t)(word ^ key[i]);
    }
    return diff == 0;
}

/* st_flat_upsert with the common case inline: the key found in its home
 * slot.  Same contract; nkeys as for st_flat_matches. */
static inline void *st_flat_upsert_fast(FlatTable *t, const int64_t *key, uint64_t ctrl,
                                        int32_t nkeys, bool *created)
{
    uint8_t *e = st_flat_entry_at(t, (ctrl >> 32) & t->mask);
    if (st_flat_matches(e, key, ctrl, nkeys)) {
        *created = false;
        return e + t->payload_off;
    }
    return st_flat_upsert(t, key, ctrl, created);
}

/* Removes the entry whose payload is given (leaves a tombstone).  Its key,
 * NULL mask and payload stay readable until the next insertion into the
 * table or st_flat_reserve (st_flat_key/st_flat_nulls keep working on it
 * till then). */
void st_flat_remove(FlatTable *table, void *payload);

/* The key of an entry, from its payload. */
static inline const int64_t *st_flat_key(const FlatTable *t, const void *payload)
{
    return (const int64_t *)((const uint8_t *)payload - t->payload_off + 8);
}

static inline uint32_t st_flat_nulls(const FlatTable *t, const void *payload)
{
    uint64_t ctrl;
    memcpy(&ctrl, (const uint8_t *)payload - t->payload_off, 8);
    return (uint32_t)(ctrl >> 2) & 0x3fffffff;
}

/* The ctrl word of an entry, from its payload: with its key, what
 * st_flat_upsert takes to put the entry into another table. */
static inline uint64_t st_flat_entry_ctrl(const FlatTable *t, const void *payload)
{
    uint64_t ctrl;
    memcpy(&ctrl, (const uint8_t *)payload - t->payload_off, 8);
    return ctrl;
}

static inline int64_t st_flat_count(const FlatTable *t) { return t->count; }
int64_t st_flat_bytes(const FlatTable *table);

/* Iteration over live entries' payloads in unspecified order; no
 * insertion while iterating (removing the current entry is allowed). */
void *st_flat_next(FlatTable *table, uint64_t *pos);

#endif
