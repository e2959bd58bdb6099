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

/* Mappings are whole huge pages long: a mapping that ended inside a huge
 * page would leave that page's range to small pages, and a growth in place
 * would then fault its next 2 MiB in 4 KiB at a time.  The tail past the
 * entries is never written; only reads reach into its first line (see
 * array_bytes). */
static size_t whole_huge(size_t bytes) { return (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1); }

static inline uint64_t ctrl_of(const uint8_t *e)
{
    uint64_t ctrl;
    memcpy(&ctrl, e, 8);
    return ctrl;
}

static inline void set_ctrl(uint8_t *e, uint64_t ctrl) { memcpy(e, &ctrl, 8); }

/* Maps `bytes` of zero memory at a 2 MiB-aligned address (huge pages need
 * the alignment, and moving a mapping keeps them only between aligned
 * addresses); NULL if the system says no. */
static uint8_t *map_aligned(size_t bytes)
{
    bytes = whole_huge(bytes);
    size_t span = bytes + HUGE_BYTES;
    uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    uint8_t *start = (uint8_t *)(((uintptr_t)p + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    uint8_t *end = start + bytes;
    if (start > p) munmap(p, (size_t)(start - p));
    if (p + span > end) munmap(end, (size_t)(p + span - end));
#ifdef MADV_HUGEPAGE
    (void)madvise(start, bytes, MADV_HUGEPAGE);
#endif
    return start;
}

/* Zeroed, 64-byte aligned storage for `bytes`; *huge says how to free it. */
static uint8_t *alloc_array(size_t bytes, bool *huge)
{
    *huge = false;
    if (bytes >= HUGE_BYTES) {
        uint8_t *p = map_aligned(bytes);
        if (p) {
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
    if (huge) munmap(data, whole_huge(bytes));
    else free(data);
}

/* The entries and a spare cache line, readable (flat.h): st_flat_prefetch
 * fetches the line after the last entry, and callers may read past an
 * entry's end. */
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
    free_array(t->data, t->mapped_bytes ? t->mapped_bytes : array_bytes(t), t->huge);
    free(t);
}

int64_t st_flat_bytes(const FlatTable *t) { return (int64_t)array_bytes(t); }

/* Rebuilds the array with `cap` slots from the live entries found in the
 * first `scan` slots of the current one, dropping tombstones. */
static void rebuild(FlatTable *t, uint64_t cap, uint64_t scan)
{
    bool huge;
    uint8_t *data = alloc_array((size_t)cap * t->entry_size + 64, &huge);
    uint64_t mask = cap - 1;
    for (uint64_t pos = 0; pos < scan; pos++) {
        const uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t ctrl = ctrl_of(e);
        if (!is_live(ctrl)) continue;
        uint64_t at = (ctrl >> 32) & mask;
        while (ctrl_of(data + at * t->entry_size) != CTRL_EMPTY) at = (at + 1) & mask;
        memcpy(data + at * t->entry_size, e, t->entry_size);
    }
    free_array(t->data, t->mapped_bytes ? t->mapped_bytes : array_bytes(t), t->huge);
    t->mapped_bytes = 0;
    t->data = data;
    t->huge = huge;
    t->mask = mask;
    t->used = t->count;
}

/*
 * Doubling a mapped array in place: mremap extends it (the old entries stay
 * where they are, no copy, and only the new half is fresh memory, so a
 * growing table touches half as many new pages and never holds two arrays),
 * then every entry moves to its slot for the doubled mask.
 *
 * With C old slots, an entry's new home is its old home h or h + C.  The
 * old slots are visited once, in probe order, starting after an empty slot
 * i0 (so that no old cluster is entered in its middle); each live entry is
 * taken out and inserted again from its new home, probing forward without
 * wrapping at 2C but into OVERFLOW_SLOTS spare slots past the end.  An
 * insertion never lands on a slot still to be visited: from h it only
 * crosses slots of h's old cluster that were already visited (or leaves the
 * lower half for the upper one), and the upper half and the spare slots
 * hold only entries already moved.  Entries in the spare slots are then
 * inserted again with normal wrapping, every old slot having been visited.
 * Should a cluster ever run past the spare slots, the half-moved array is
 * rebuilt into a new one (rebuild() does not care where entries sit).
 */
#define OVERFLOW_SLOTS 1024

static bool grow_in_place(FlatTable *t)
{
    size_t size = t->entry_size;
    uint64_t old_cap = t->mask + 1, cap = old_cap * 2, mask = cap - 1;
    size_t old_bytes = t->mapped_bytes ? t->mapped_bytes : array_bytes(t);
    size_t big_bytes = (size_t)(cap + OVERFLOW_SLOTS) * size + 64;
    /* an aligned place for the grown array, then the old pages move there
     * (page tables move; nothing is copied) */
    uint8_t *dest = map_aligned(big_bytes);
    if (!dest) return false;
    void *p = mremap(t->data, whole_huge(old_bytes), whole_huge(big_bytes),
                     MREMAP_MAYMOVE | MREMAP_FIXED, dest);
    if (p == MAP_FAILED) {
        munmap(dest, whole_huge(big_bytes));
        return false;
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, big_bytes, MADV_HUGEPAGE);
#endif
    t->data = p;
    t->mapped_bytes = big_bytes;
    uint64_t i0 = 0;
    while (ctrl_of(st_flat_entry_at(t, i0)) != CTRL_EMPTY) i0++;   /* load < 1: found */
    uint8_t *held = wb_malloc(size);
    uint64_t limit = cap + OVERFLOW_SLOTS;
    for (uint64_t step = 1; step < old_cap; step++) {
        uint64_t pos = (i0 + step) & (old_cap - 1);
        uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t ctrl = ctrl_of(e);
        if (ctrl == CTRL_EMPTY) continue;
        memcpy(held, e, size);
        set_ctrl(e, CTRL_EMPTY);        /* tombstones just go */
        if (!is_live(ctrl)) continue;
        uint64_t at = (ctrl >> 32) & mask;
        while (at < limit && ctrl_of(st_flat_entry_at(t, at)) != CTRL_EMPTY) at++;
        if (at == limit) {
            /* a cluster longer than the spare slots: put the entry back
             * and rebuild from wherever entries are now */
            memcpy(e, held, size);
            free(held);
            rebuild(t, cap, limit);
            return true;
        }
        memcpy(st_flat_entry_at(t, at), held, size);
    }
    for (uint64_t pos = cap; pos < limit; pos++) {
        uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t ctrl = ctrl_of(e);
        if (ctrl == CTRL_EMPTY) continue;
        memcpy(held, e, size);
        set_ctrl(e, CTRL_EMPTY);
        uint64_t at = (ctrl >> 32) & mask;
        while (ctrl_of(st_flat_entry_at(t, at)) != CTRL_EMPTY) at = (at + 1) & mask;
        memcpy(st_flat_entry_at(t, at), held, size);
    }
    free(held);
    /* drop the spare slots (keeping one spare line for the prefetch) */
    size_t bytes = (size_t)cap * size + 64;
    p = mremap(t->data, whole_huge(big_bytes), whole_huge(bytes), 0);
    if (p != MAP_FAILED) {
        t->data = p;
        t->mapped_bytes = 0;
    }
    /* else: still mapped at big_bytes; freed with that size.  Every slot
     * past the new capacity that stays mapped has ctrl 0 (never written,
     * or a spare slot emptied above), as the next growth requires. */
    t->mask = mask;
    t->used = t->count;
    return true;
}

/*
 * Drops the tombstones without a new array (a table whose entries come and
 * go would otherwise take a fresh array, and fresh memory, every time its
 * tombstones fill it).  Slots are visited once, in probe order, starting
 * after an empty slot i0, so no cluster is entered in its middle: a
 * tombstone becomes empty, a live entry moves to the first empty slot from
 * its home.  That slot is at or before the entry's own (its own slot
 * counts as free), and every slot from the home to it has been visited
 * already: a cluster cannot reach back across the empty i0.  Visited slots
 * are only filled afterwards, never emptied, so each moved entry's probe
 * path stays unbroken.
 */
static void purge_in_place(FlatTable *t)
{
    uint64_t mask = t->mask;
    size_t size = t->entry_size;
    uint64_t i0 = 0;
    while (ctrl_of(st_flat_entry_at(t, i0)) != CTRL_EMPTY) i0++;   /* load < 1: found */
    for (uint64_t step = 1; step <= mask; step++) {
        uint64_t pos = (i0 + step) & mask;
        uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t ctrl = ctrl_of(e);
        if (ctrl == CTRL_EMPTY) continue;
        if (!is_live(ctrl)) {
            set_ctrl(e, CTRL_EMPTY);
            continue;
        }
        uint64_t at = (ctrl >> 32) & mask;
        while (at != pos && ctrl_of(st_flat_entry_at(t, at)) != CTRL_EMPTY) at = (at + 1) & mask;
        if (at == pos) continue;
        memcpy(st_flat_entry_at(t, at), e, size);
        set_ctrl(e, CTRL_EMPTY);
    }
    t->used = t->count;
}

void st_flat_reserve(FlatTable *t, int64_t more)
{
    /* load (live + tombstones) stays at or below 3/4 */
    uint64_t cap = t->mask + 1;
    if ((uint64_t)(t->used + more) * 4 <= cap * 3) return;
    uint64_t need = (uint64_t)(t->count + more);
    while (need * 4 > cap * 3 || need * 2 > cap) cap *= 2;
    /* enough room once the tombstones go: they go where they are; a mapped
     * array that just doubles grows where it is; otherwise it is rebuilt */
    if (cap == t->mask + 1) {
        purge_in_place(t);
        return;
    }
    if (cap == 2 * (t->mask + 1) && t->huge && grow_in_place(t)) return;
    rebuild(t, cap, t->mask + 1);
}

void *st_flat_upsert(FlatTable *t, const int64_t *key, uint64_t ctrl, bool *created)
{
    uint64_t pos = (ctrl >> 32) & t->mask;
    size_t key_bytes = 8 * (size_t)t->nkeys;
    uint8_t *tomb = NULL;
    for (;;) {
        uint8_t *e = st_flat_entry_at(t, pos);
        uint64_t c = ctrl_of(e);
        if (st_flat_matches(e, key, ctrl, t->nkeys)) {
            *created = false;
            return e + t->payload_off;
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
