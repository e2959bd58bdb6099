/*
 * flat.c - flat state tables (see flat.h): fixed-width keys and payloads
 * inline in one linear-probing array.  Arrays of 2 MiB and more are mapped
 * directly and advised to use transparent huge pages: a random lookup in a
 * table of hundreds of megabytes then costs a cache miss but rarely a TLB
 * miss as well.
 */
#include "state/flat.h"

#include <stdlib.h>
#include <sys/mman.h>

#define CTRL_EMPTY 0
#define CTRL_STATE 3          /* low bits: 2 live, 1 tombstone */
#define CTRL_TOMB 1

static inline bool is_live(uint64_t ctrl) { return (ctrl & CTRL_STATE) == 2; }
#define MIN_CAPACITY 64
#define HUGE_BYTES ((size_t)2 << 20)

static inline uint64_t ctrl_of(const uint8_t *e)
{
    uint64_t ctrl;
    memcpy(&ctrl, e, 8);
    return ctrl;
}

static inline void set_ctrl(uint8_t *e, uint64_t ctrl) { memcpy(e, &ctrl, 8); }

/* Zeroed, 64-byte aligned storage for `bytes`; *huge says how to free it. */
static uint8_t *alloc_array(size_t bytes, bool *huge)
{
    *huge = false;
    if (bytes >= HUGE_BYTES) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
            (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
            *huge = true;
            return p;
        }
    }
    void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!p) p = wb_malloc(bytes);   /* aborts with a message if memory is out */
    memset(p, 0, bytes);
    return p;
}

static void free_array(uint8_t *data, size_t bytes, bool huge)
{
    if (huge) munmap(data, bytes);
    else free(data);
}

/* The entries and a spare cache line (st_flat_prefetch reads one line
 * ahead of the last entry). */
static size_t array_bytes(const FlatTable *t)
{
    return (size_t)(t->mask + 1) * t->entry_size + 64;
}

FlatTable *st_flat_new(int32_t nkeys, uint32_t payload_size)
{
    FlatTable *t = wb_calloc(1, sizeof(FlatTable));
    t->nkeys = nkeys;
    t->payload_off = 8 + 8 * (uint32_t)nkeys;
    t->payload_size = payload_size;
    uint32_t size = (t->payload_off + payload_size + 15) & ~15u;
    if (size <= 64) {
        uint32_t pow = 16;
        while (pow < size) pow *= 2;
        size = pow;
    } else {
        size = (size + 63) & ~63u;
    }
    t->entry_size = size;
    t->mask = MIN_CAPACITY - 1;
    t->data = alloc_array(array_bytes(t), &t->huge);
    return t;
}

void st_flat_free(FlatTable *t)
{
    if (!t) return;
    free_array(t->data, array_bytes(t), t->huge);
    free(t);
}

int64_t st_flat_bytes(const FlatTable *t) { return (int64_t)array_bytes(t); }

/* Rebuilds the array with `cap` slots, dropping tombstones. */
static void rehash(FlatTable *t, uint64_t cap)
{
    bool huge;
    uint8_t *data = alloc_array((size_t)cap * t->entry_size + 64, &huge);
    uint64_t mask = cap - 1;
    for (uint64_t pos = 0; pos <= t->mask; pos++) {
        const uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t ctrl = ctrl_of(e);
        if (!is_live(ctrl)) continue;
        uint64_t at = (ctrl >> 32) & mask;
        while (ctrl_of(data + at * t->entry_size) != CTRL_EMPTY) at = (at + 1) & mask;
        memcpy(data + at * t->entry_size, e, t->entry_size);
    }
    free_array(t->data, array_bytes(t), t->huge);
    t->data = data;
    t->huge = huge;
    t->mask = mask;
    t->used = t->count;
}

void st_flat_reserve(FlatTable *t, int64_t more)
{
    /* load (live + tombstones) stays at or below 3/4 */
    uint64_t cap = t->mask + 1;
    if ((uint64_t)(t->used + more) * 4 <= cap * 3) return;
    uint64_t need = (uint64_t)(t->count + more);
    while (need * 4 > cap * 3 || need * 2 > cap) cap *= 2;
    /* enough room after dropping the tombstones: rehash in place */
    rehash(t, cap);
}

void *st_flat_upsert(FlatTable *t, const int64_t *key, uint64_t ctrl, bool *created)
{
    uint64_t pos = (ctrl >> 32) & t->mask;
    int32_t nkeys = t->nkeys;
    size_t key_bytes = 8 * (size_t)nkeys;
    uint8_t *tomb = NULL;
    for (;;) {
        uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t c = ctrl_of(e);
        if (c == ctrl) {
            uint64_t diff = 0;
            for (int32_t i = 0; i < nkeys; i++) {
                int64_t word;
                memcpy(&word, e + 8 + 8 * (size_t)i, 8);
                diff |= (uint64_t)(word ^ key[i]);
            }
            if (diff == 0) {
                *created = false;
                return e + t->payload_off;
            }
        }
        if (c == CTRL_EMPTY) break;
        if ((c & CTRL_STATE) == CTRL_TOMB && !tomb) tomb = e;
        pos = (pos + 1) & t->mask;
    }
    uint8_t *e = tomb ? tomb : st_flat_entry_at(t, pos);
    if (!tomb) t->used++;
    set_ctrl(e, ctrl);
    if (key_bytes) memcpy(e + 8, key, key_bytes);
    memset(e + t->payload_off, 0, t->payload_size);
    t->count++;
    *created = true;
    return e + t->payload_off;
}

void st_flat_remove(FlatTable *t, void *payload)
{
    /* the key, NULL mask and payload stay readable until the slot is
     * taken again (see flat.h) */
    uint8_t *e = (uint8_t *)payload - t->payload_off;
    set_ctrl(e, (ctrl_of(e) & ~(uint64_t)CTRL_STATE) | CTRL_TOMB);
    t->count--;
}

void *st_flat_next(FlatTable *t, uint64_t *pos)
{
    while (*pos <= t->mask) {
        uint8_t *e = st_flat_entry_at(t, (*pos)++);
        uint64_t c = ctrl_of(e);
        if (is_live(c)) return e + t->payload_off;
    }
    return NULL;
}
