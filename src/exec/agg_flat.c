/*
 * agg_flat.c - PN_AGG for the common shape: every group column (none for
 * a global aggregate, at most 30) is int64-backed (integers, DECIMAL,
 * dates, timestamps, booleans) and every call is COUNT/SUM/SUM0/AVG
 * without DISTINCT (a global aggregate over an insert-only input may also
 * have MIN/MAX of any value but a 38-digit DECIMAL).  Such a group is a
 * handful of numbers, so it lives inline in a FlatTable (state/flat.h):
 * one cache line per group for a one-column key and two calls, found with
 * one (prefetched) cache miss, keys compared as words straight from the
 * column vectors, no key encoding.  It emits exactly the changes of the general aggregate
 * (agg.c), in the same order; tests/unit/test_agg_flat.c runs both on the
 * same input.
 *
 * A group's payload, in one of two layouts:
 *
 *   [nrows: i64][slot of call 0][slot of call 1]...
 *
 *   nrows  = sum of the weights of the group's rows (COUNT(*) without
 *            FILTER reads it and has no slot);
 *   slots, wide layout:
 *            COUNT: i64 count; SUM over int64-backed values: i128 sum
 *            (16 bytes, unaligned) then i64 number of non-NULL values;
 *            SUM over DOUBLE: double sum then i64 non-NULL count;
 *            MIN/MAX (global group only): the extreme (see
 *            minmax_batch, minmax_strings) then i64 "a value came";
 *   slots, narrow layout (the start, when no SUM/AVG has a FILTER and
 *            there are group columns):
 *            COUNT: i64 count; SUM over int64-backed values: i64 sum;
 *            SUM over DOUBLE: double sum.  The non-NULL count of every
 *            SUM is nrows, as no NULL argument has come.
 *
 * The narrow layout holds while it is exact: before each batch, a NULL
 * argument of a SUM, or a batch that could take an int64 sum out of range
 * (the sum of |v * w| over all rows so far bounds every group's |sum|),
 * converts the table to the wide layout, once, between two batches.  For
 * one BIGINT key with COUNT(*) and SUM, a group is 32 bytes narrow (two
 * to a cache line) and 64 wide.
 *
 * Per input batch (streaming): reserve room for the batch, so entry
 * pointers stay valid for its duration; hash the keys a column at a time;
 * per row, find its group (entries prefetched 32 rows ahead).  The first
 * time the batch touches a group (a small per-batch set, keyed by the
 * row's hash, says which groups it touched and where they are in the
 * touched list), copy the entry up to the end of its payload into the
 * touched "record" (ctrl, key and the values before the batch); apply the
 * row while the group's line is in cache, and copy the payload into the
 * group's "after image".  Then per touched group, in first-touch order,
 * compare before and after and, when they differ, emit the old row (-1)
 * and the new one (+1) next to each other in one output batch, written a
 * column at a time from the records and after images, which are in cache:
 * the groups are not visited again (an emptied one is, to remove it).  A
 * record has the entry's layout, so st_flat_key/st_flat_nulls read it as
 * they read a group.  A pair whose values turn out equal (no COUNT output
 * changed: e.g. only SUM(v) and a row with v = 0 came) is dropped.
 *
 * An output row of a group is out there exactly when its nrows is above
 * zero (streaming emits every touched group at the end of its batch), so
 * no flag says so; the global aggregate, whose row exists even at zero
 * rows, has one for its one group.  In batch mode nothing is emitted
 * before the end of input.
 *
 * The global aggregate (no group columns) skips the hashing, the lookups
 * and the touched set: apply_global applies each call to its one group
 * over the whole batch in one loop, and the group is the batch's one
 * touched group, emitted as above.
 */
#include "exec/agg_int.h"
#include "state/flat.h"

#include <stdlib.h>

#define PAIR 1                  /* emit_pair: keep the two rows in one batch */
#define PAIR_CHECK 2            /* ... and drop both when their values are equal */
#define NROWS_OFF 0             /* in the payload */
#define PF_ROWS 32              /* prefetch distance in rows (16 and 64 measured slower) */

/* One call with a slot, ready for the per-row update: its effective
 * weights for this batch and its argument. */
typedef struct SlotCall {
    AccKind acc;                /* ACC_SUM_W comes as ACC_SUM_I with wide_arg */
    bool narrow;                /* the narrow layout's slot */
    bool wide_arg;              /* DECIMAL(19..38) values: checked 128-bit adds */
    bool overflowed;            /* wide_arg: a sum passed 128 bits (flat_push fails) */
    uint32_t off;               /* in the payload */
    int32_t call;               /* its index in the AggSpec */
    const int64_t *eff;
    const ColumnVector *arg;
} SlotCall;

typedef struct FlatAgg {
    Operator base;
    const AggSpec *spec;
    const SqlType *in_types;
    AccKind *acc;
    uint32_t *off;              /* per call: its value's offset in the payload */
    bool *has_slot;             /* per call: false for COUNT(*) without FILTER */
    SlotCall *calls;            /* this batch's calls with a slot */
    uint32_t *count_off;        /* payload offsets of the COUNT outputs */
    int32_t ncount;
    int32_t nminmax;            /* MIN/MAX calls (global aggregate only) */
    WbBuf *texts;               /* MIN/MAX of strings: two per call (minmax_strings) */
    FlatTable *groups;
    bool narrow;                /* the table has the narrow layout */
    uint64_t *bound;            /* narrow, per SUM over int64: sum of |v * w| so far */
    unsigned __int128 *bound_add;   /* narrow_holds' per call scratch */
    uint32_t payload_size;      /* bytes of the payload [nrows, slots] */
    uint32_t rec_units;         /* a touched record, in 16-byte units */
    uint32_t after_units;       /* an after image, in 16-byte units */
    bool global_emitted;        /* the global aggregate's row is out there */
    int32_t row_cap;
    /* the groups this batch touched: seen[pos] = stamp << 32 | idx, at
     * pos = row hash & seen_mask (linear probing); other stamps are empty */
    uint64_t *seen;
    uint64_t seen_mask;
    uint32_t stamp;
    uint64_t *row_hash;
    int64_t *eff;               /* per call with a slot: per row weight */
    int32_t ntouched;
    uint8_t **touched;          /* payloads touched by this batch, in order */
    uint8_t *had_old;
    uint8_t *recs;              /* ntouched records (16 * rec_units bytes) */
    uint8_t *afters;            /* ntouched after images (16 * after_units bytes) */
    /* emissions of the current batch: where the values ([nrows, slots])
     * are (a record's, an after image or a group's payload), where its
     * ctrl and key are (a record or a group: the same layout, read through
     * st_flat_key/st_flat_nulls) and the weight */
    int32_t nemit;
    const uint8_t **emit_src;
    const uint8_t **emit_group;
    int64_t *emit_weight;
    uint8_t *emit_pair;         /* on the first row of a -old/+new pair: PAIR,
                                 * or PAIR_CHECK when their values may be equal */
    int32_t nchecks;            /* emissions with PAIR_CHECK ... */
    int32_t *checks;            /* ... are these, in order */
    ExOut out;
} FlatAgg;

static inline uint64_t load_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline int64_t load_i64(const uint8_t *p)
{
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline void store_i64(uint8_t *p, int64_t v) { memcpy(p, &v, 8); }

/* Copies n 16-byte units: records and after images are a few of them,
 * and a loop or a libc call per row would cost more than the rest of the
 * row's update. */
static inline void copy_units(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    switch (n) {
    case 1: memcpy(dst, src, 16); return;
    case 2: memcpy(dst, src, 32); return;
    case 3: memcpy(dst, src, 48); return;
    case 4: memcpy(dst, src, 64); return;
    default: memcpy(dst, src, 16 * (size_t)n); return;
    }
}

/* Whether n 8-byte words at a and b are equal (fixed sizes, as above). */
static inline bool words_equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    switch (n) {
    case 2: return memcmp(a, b, 16) == 0;
    case 3: return memcmp(a, b, 24) == 0;
    case 4: return memcmp(a, b, 32) == 0;
    case 5: return memcmp(a, b, 40) == 0;
    case 6: return memcmp(a, b, 48) == 0;
    default: return memcmp(a, b, 8 * (size_t)n) == 0;
    }
}

bool ex_agg_flat_fits(const PlanNode *node, const AccKind *acc)
{
    const AggSpec *spec = &node->agg;
    if (spec->ngroup > ST_FLAT_MAX_KEYS || spec->window) return false;
    const PlanNode *in = node->inputs[0];
    for (int32_t i = 0; i < spec->ngroup; i++)
        if (ty_phys(in->types[spec->group[i]]) != PK_I64) return false;
    for (int32_t call = 0; call < spec->naggs; call++) {
        const AggCall *ac = &spec->aggs[call];
        if (ac->distinct) return false;
        if (acc[call] == ACC_MINMAX) {
            /* the global aggregate over an insert-only input keeps just
             * the extreme of an 8-byte value or a string (apply_global) */
            PhysKind phys = ty_phys(in->types[ac->arg]);
            if (spec->ngroup > 0 || in->mode != CM_INSERT_ONLY || phys == PK_I128) return false;
            continue;
        }
        if (acc[call] != ACC_COUNT && acc[call] != ACC_SUM_I && acc[call] != ACC_SUM_F &&
            acc[call] != ACC_SUM_W)
            return false;
    }
    return true;
}

/* (Re)allocates the touched records and after images for row_cap rows. */
static void alloc_copies(FlatAgg *op)
{
    size_t n = (size_t)op->row_cap;
    op->recs = wb_realloc(op->recs, 16 * (size_t)op->rec_units * n);
    op->afters = wb_realloc(op->afters, 16 * (size_t)op->after_units * n);
}

static void ensure_rows(FlatAgg *op, int32_t nrows)
{
    if (nrows <= op->row_cap) return;
    op->row_cap = nrows;
    size_t n = (size_t)nrows;
    op->row_hash = wb_realloc(op->row_hash, sizeof(uint64_t) * n);
    op->eff = wb_realloc(op->eff, sizeof(int64_t) * n * (size_t)(op->spec->naggs ? op->spec->naggs : 1));
    op->touched = wb_realloc(op->touched, sizeof(uint8_t *) * n);
    op->had_old = wb_realloc(op->had_old, n);
    op->emit_src = wb_realloc(op->emit_src, sizeof(uint8_t *) * 2 * n);
    op->emit_group = wb_realloc(op->emit_group, sizeof(uint8_t *) * 2 * n);
    op->emit_weight = wb_realloc(op->emit_weight, sizeof(int64_t) * 2 * n);
    /* emit_pair[-1] is a 0 byte, so that write_emits reads pair[k - 1]
     * for every k without a test */
    uint8_t *pair_mem = wb_realloc(op->emit_pair ? op->emit_pair - 1 : NULL, 2 * n + 1);
    pair_mem[0] = 0;
    op->emit_pair = pair_mem + 1;
    op->checks = wb_realloc(op->checks, sizeof(int32_t) * n);
    /* the touched set at most half full; new slots are empty (stamp 0) */
    size_t slots = 64;
    while (slots < 2 * n) slots *= 2;
    free(op->seen);
    op->seen = wb_calloc(slots, sizeof(uint64_t));
    op->seen_mask = slots - 1;
    op->stamp = 0;
    alloc_copies(op);
}

/* Lays the payload out, narrow or wide (see the top): every call's slot
 * offset, the COUNT outputs' offsets and the payload size, which it
 * returns. */
static uint32_t lay_out(FlatAgg *op, bool narrow)
{
    uint32_t at = 8;   /* after nrows */
    for (int32_t call = 0; call < op->spec->naggs; call++) {
        if (!op->has_slot[call]) {
            op->off[call] = NROWS_OFF;
            continue;
        }
        op->off[call] = at;
        switch (op->acc[call]) {
        case ACC_SUM_I: at += narrow ? 8 : 24; break;
        case ACC_SUM_W: at += 24; break;   /* only in the wide layout */
        case ACC_SUM_F: at += narrow ? 8 : 16; break;
        case ACC_MINMAX: at += 16; break;   /* only for the global group */
        default: at += 8; break;
        }
    }
    op->narrow = narrow;
    op->payload_size = at;
    op->ncount = 0;
    for (int32_t call = 0; call < op->spec->naggs; call++)
        if (op->acc[call] == ACC_COUNT) op->count_off[op->ncount++] = op->off[call];
    return at;
}

/* The sizes of a touched record (the entry up to the end of its payload)
 * and of an after image (the payload), rounded up to 16 bytes: a record
 * stays inside the entry, whose size is a multiple of 16; an after image
 * may read 8 bytes past the entry, still inside the table's array (it has
 * a spare line at its end). */
static void size_copies(FlatAgg *op)
{
    op->rec_units = (op->groups->payload_off + op->payload_size + 15) / 16;
    op->after_units = (op->payload_size + 15) / 16;
}

/* Whether some of the n bytes is not 0 (a NULL flag: any non-zero byte). */
static bool any_set(const uint8_t *bytes, size_t n)
{
    uint64_t any = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) any |= load_u64(bytes + i);
    for (; i < n; i++) any |= bytes[i];
    return any != 0;
}

static bool is_sum(AccKind acc) { return acc == ACC_SUM_I || acc == ACC_SUM_F; }

/* Whether the narrow layout stays exact with this batch applied: no SUM
 * argument is NULL, and no int64 sum can leave its range (the sum of
 * |v * w| over all rows so far, this batch included, stays within
 * INT64_MAX).  Counts the batch into the bounds when it is. */
static bool narrow_holds(FlatAgg *op, const Batch *batch)
{
    int32_t nrows = batch->nrows;
    const int64_t *w = batch->weights;
    int32_t naggs = op->spec->naggs;
    unsigned __int128 *add = op->bound_add;
    for (int32_t call = 0; call < naggs; call++) {
        add[call] = 0;
        if (!is_sum(op->acc[call])) continue;
        const ColumnVector *arg = &batch->cols[op->spec->aggs[call].arg];
        if (any_set(arg->nulls, (size_t)nrows)) return false;
        if (op->acc[call] != ACC_SUM_I) continue;
        unsigned __int128 total = 0;
        uint64_t over = 0;
        for (int32_t row = 0; row < nrows; row++) {
            agg_i128 prod = (agg_i128)arg->i64[row] * w[row];
            unsigned __int128 mag = (unsigned __int128)(prod < 0 ? -prod : prod);
            over |= (uint64_t)(mag >> 63);
            total += mag;
        }
        if (over || total > (unsigned __int128)(INT64_MAX - op->bound[call])) return false;
        add[call] = total;
    }
    for (int32_t call = 0; call < naggs; call++) op->bound[call] += (uint64_t)add[call];
    return true;
}

/* Converts the table to the wide layout (between two batches). */
static void widen(FlatAgg *op)
{
    FlatTable *narrow = op->groups;
    int32_t naggs = op->spec->naggs;
    uint32_t *from = wb_malloc(sizeof(uint32_t) * (size_t)(naggs > 0 ? naggs : 1));
    if (naggs > 0) memcpy(from, op->off, sizeof(uint32_t) * (size_t)naggs);
    FlatTable *wide = st_flat_new(op->spec->ngroup, lay_out(op, false));
    st_flat_reserve(wide, st_flat_count(narrow));
    uint64_t pos = 0;
    for (uint8_t *p; (p = st_flat_next(narrow, &pos));) {
        bool created;
        uint8_t *q = st_flat_upsert(wide, st_flat_key(narrow, p), st_flat_entry_ctrl(narrow, p),
                                    &created);
        int64_t nrows = load_i64(p + NROWS_OFF);
        store_i64(q + NROWS_OFF, nrows);
        for (int32_t call = 0; call < naggs; call++) {
            if (!op->has_slot[call]) continue;
            uint8_t *to = q + op->off[call];
            const uint8_t *at = p + from[call];
            switch (op->acc[call]) {
            case ACC_SUM_W: break;   /* never narrow */
            case ACC_SUM_I: {
                agg_i128 sum = load_i64(at);
                memcpy(to, &sum, 16);
                store_i64(to + 16, nrows);   /* non-NULL values: all rows */
                break;
            }
            case ACC_SUM_F:
                memcpy(to, at, 8);
                store_i64(to + 8, nrows);
                break;
            default:
                memcpy(to, at, 8);
                break;
            }
        }
    }
    free(from);
    st_flat_free(narrow);
    op->groups = wide;
    size_copies(op);
    alloc_copies(op);
}

/* Per call with a slot: the weights it sees in this batch (FILTER, NULL
 * arguments), column at a time; a narrow SUM sees the rows' weights (it
 * has no FILTER, and no NULL came).  Returns the number of such calls. */
static int32_t prepare_calls(FlatAgg *op, const Batch *batch, SlotCall *calls)
{
    int32_t n = 0;
    for (int32_t call = 0; call < op->spec->naggs; call++) {
        if (!op->has_slot[call]) continue;   /* COUNT(*): the group's nrows */
        const AggCall *ac = &op->spec->aggs[call];
        bool narrow = op->narrow && is_sum(op->acc[call]);
        const int64_t *eff = batch->weights;
        if (!narrow) {
            int64_t *own = op->eff + (size_t)n * (size_t)op->row_cap;
            ex_agg_filter_weights(ac, batch, own);
            ex_agg_drop_null_args(ac, batch, own);
            eff = own;
        }
        /* ACC_SUM_W rides in ACC_SUM_I's wide branch: a switch case of its
         * own costs the int64 sums ~7 instructions a row (callgrind) */
        bool wide_arg = op->acc[call] == ACC_SUM_W;
        calls[n++] = (SlotCall){wide_arg ? ACC_SUM_I : op->acc[call], narrow, wide_arg, false,
                                op->off[call], call, eff,
                                ac->arg >= 0 ? &batch->cols[ac->arg] : NULL};
    }
    return n;
}

/* ACC_SUM_W: a 38-digit value into its 128-bit sum, each step checked
 * (a few such values can pass 128 bits; flat_push fails the batch then). */
static inline void add_wide(uint8_t *slot, SlotCall *call, int32_t row, int64_t w)
{
    agg_i128 sum, add;
    memcpy(&sum, slot, 16);
    if (__builtin_mul_overflow((agg_i128)call->arg->i128[row], (agg_i128)w, &add) ||
        __builtin_add_overflow(sum, add, &sum))
        call->overflowed = true;
    memcpy(slot, &sum, 16);
    store_i64(slot + 16, load_i64(slot + 16) + w);
}

/* Applies row `row` to its group's slots (its nrows already updated),
 * right after the lookup, while the group's cache line is at hand.  Always
 * inlined: as a call of its own it costs the int64 sums 5% (agg_bench). */
static inline __attribute__((always_inline)) void
update_slots(uint8_t *group, SlotCall *calls, int32_t ncalls, int32_t row)
{
    for (int32_t c = 0; c < ncalls; c++) {
        SlotCall *call = &calls[c];
        uint8_t *slot = group + call->off;
        int64_t w = call->eff[row];
        switch (call->acc) {
        case ACC_COUNT:
            store_i64(slot, load_i64(slot) + w);
            break;
        case ACC_SUM_I: {
            if (call->narrow) {
                /* in range (narrow_holds): the wrapping product and sum
                 * are the exact ones */
                uint64_t sum = load_u64(slot) + (uint64_t)call->arg->i64[row] * (uint64_t)w;
                memcpy(slot, &sum, 8);
                break;
            }
            if (call->wide_arg) {
                if (w != 0) add_wide(slot, call, row, w);
                break;
            }
            /* no branch: a zero weight adds nothing (a NULL int's bits
             * are never garbage that could poison the sum) */
            agg_i128 sum;
            memcpy(&sum, slot, 16);
            sum += (agg_i128)call->arg->i64[row] * w;
            memcpy(slot, &sum, 16);
            store_i64(slot + 16, load_i64(slot + 16) + w);
            break;
        }
        case ACC_SUM_F: {
            if (w == 0) break;
            double sum;
            memcpy(&sum, slot, 8);
            int64_t nonnull = call->narrow ? load_i64(group + NROWS_OFF)
                                           : load_i64(slot + 8) + w;
            sum += call->arg->f64[row] * (double)w;
            /* an emptied sum restarts from an exact zero, not from the
             * rounding residue of its retractions */
            if (nonnull == 0) sum = 0.0;
            memcpy(slot, &sum, 8);
            if (!call->narrow) store_i64(slot + 8, nonnull);
            break;
        }
        case ACC_SUM_W:   /* comes as ACC_SUM_I (prepare_calls) */
        case ACC_MINMAX:
        case ACC_SEQ:
            break;   /* never chosen (ex_agg_flat_fits) */
        }
    }
}

/* The one group of a global aggregate (no group columns): created on the
 * first batch, or at the end of input when none came, and never removed. */
static uint8_t *global_group(FlatAgg *op)
{
    bool created;
    st_flat_reserve(op->groups, 1);
    return st_flat_upsert(op->groups, NULL, st_flat_ctrl(ty_row_hash(NULL, 0, NULL, 0), 0),
                          &created);
}

/* Finds (or creates) every row's group and applies the row to it; in
 * streaming mode keeps the touched list, records and after images (see
 * the top).  Inlined into apply_rows with constant nkeys and streaming,
 * so that the common shapes get their own loops. */
static inline __attribute__((always_inline)) void
apply_rows_of(FlatAgg *op, const Batch *batch, const bool streaming, SlotCall *calls,
              int32_t ncalls, const int32_t nkeys)
{
    const AggSpec *spec = op->spec;
    FlatTable *table = op->groups;
    int32_t nrows = batch->nrows;
    uint32_t head = table->payload_off;           /* ctrl and key words */
    uint32_t rec_units = op->rec_units, after_units = op->after_units;
    uint64_t *seen = op->seen, seen_mask = op->seen_mask, stamp = op->stamp;
    uint8_t **touched = op->touched;
    uint64_t ntouched = 0;
    int64_t key[ST_FLAT_MAX_KEYS];
    const int64_t *key_data[ST_FLAT_MAX_KEYS];
    const uint8_t *key_nulls[ST_FLAT_MAX_KEYS];
    for (int32_t i = 0; i < nkeys; i++) {
        key_data[i] = batch->cols[spec->group[i]].i64;
        key_nulls[i] = batch->cols[spec->group[i]].nulls;
    }
    int32_t prefetch_rows = WB_MIN(nrows, PF_ROWS);
    for (int32_t row = 0; row < prefetch_rows; row++) st_flat_prefetch(table, op->row_hash[row]);
    for (int32_t row = 0; row < nrows; row++) {
        if (row + PF_ROWS < nrows) st_flat_prefetch(table, op->row_hash[row + PF_ROWS]);
        uint32_t nulls = 0;
        for (int32_t i = 0; i < nkeys; i++) {
            bool null = key_nulls[i][row];
            nulls |= (uint32_t)null << i;
            key[i] = null ? 0 : key_data[i][row];
        }
        bool created;
        uint8_t *group = st_flat_upsert_fast(table, key, st_flat_ctrl(op->row_hash[row], nulls),
                                             nkeys, &created);
        uint8_t *nrows_at = group + NROWS_OFF;
        if (streaming) {
            /* the group's place in the touched list, or its first touch */
            uint64_t idx, pos = op->row_hash[row] & seen_mask;
            for (;;) {
                uint64_t slot = seen[pos];
                if (slot >> 32 != stamp) {
                    idx = ntouched++;
                    seen[pos] = stamp << 32 | idx;
                    touched[idx] = group;
                    op->had_old[idx] = load_i64(nrows_at) > 0;
                    copy_units(op->recs + 16 * idx * rec_units, group - head, rec_units);
                    break;
                }
                idx = (uint32_t)slot;
                if (touched[idx] == group) break;
                pos = (pos + 1) & seen_mask;
            }
            store_i64(nrows_at, load_i64(nrows_at) + batch->weights[row]);
            update_slots(group, calls, ncalls, row);
            copy_units(op->afters + 16 * idx * after_units, group, after_units);
        } else {
            store_i64(nrows_at, load_i64(nrows_at) + batch->weights[row]);
            update_slots(group, calls, ncalls, row);
        }
    }
    op->ntouched = (int32_t)ntouched;
}

static void apply_rows(FlatAgg *op, const Batch *batch, bool streaming, SlotCall *calls,
                       int32_t ncalls)
{
    int32_t nkeys = op->spec->ngroup;
    if (streaming && nkeys == 1) apply_rows_of(op, batch, true, calls, ncalls, 1);
    else if (streaming) apply_rows_of(op, batch, true, calls, ncalls, nkeys);
    else if (nkeys == 1) apply_rows_of(op, batch, false, calls, ncalls, 1);
    else apply_rows_of(op, batch, false, calls, ncalls, nkeys);
}

/* ---- The global aggregate: one group, a column at a time ----
 *
 * With no group columns every row goes to the one group: there is
 * nothing to hash or look up, and each call is accumulated over the whole
 * batch by one loop over its argument column, weights and NULL flags,
 * reading and writing the group's payload once per batch.  The values
 * are those of applying the rows one at a time (update_slots): integer
 * sums are exact 128-bit sums, whatever the order of their terms; DOUBLE
 * sums and the checked DECIMAL(19..38) sums are added in row order, step
 * by step, exactly as there.  The group has the wide layout from the
 * start: its size does not matter, and no batch pays narrow_holds. */

/* The sum of the weights of the rows whose argument is not NULL (nulls
 * NULL: of every row), modulo 2^64 as the per-row additions. */
static uint64_t count_weights(const int64_t *w, const uint8_t *nulls, int32_t nrows)
{
    uint64_t total = 0;
    if (!nulls) {
        for (int32_t row = 0; row < nrows; row++) total += (uint64_t)w[row];
        return total;
    }
    for (int32_t row = 0; row < nrows; row++) total += nulls[row] ? 0 : (uint64_t)w[row];
    return total;
}

/* An int64 SUM's slot [i128 sum][i64 non-NULL count] plus the batch.
 * When every weight is 1 (an insert-only batch without FILTER) a row
 * needs no multiplication: the values are added as their high (signed)
 * and low (unsigned) 32-bit halves into int64 sums, which fewer than
 * 2^31 rows cannot overflow, and joined in 128 bits once; without NULLs
 * two rows at a time into two pairs of sums (independent additions:
 * 2.5x the speed of one masked row at a time). */
static void sum_ints(uint8_t *slot, const ColumnVector *arg, const int64_t *w, bool ones,
                     int32_t nrows)
{
    const int64_t *v = arg->i64;
    const uint8_t *nulls = arg->nulls;
    agg_i128 sum;
    memcpy(&sum, slot, 16);
    uint64_t nonnull = load_u64(slot + 16);
    if (ones) {
        int64_t high = 0, high2 = 0;
        uint64_t low = 0, low2 = 0, count = 0;
        if (!any_set(nulls, (size_t)nrows)) {
            int32_t row = 0;
            for (; row + 2 <= nrows; row += 2) {
                high += v[row] >> 32;
                low += (uint32_t)v[row];
                high2 += v[row + 1] >> 32;
                low2 += (uint32_t)v[row + 1];
            }
            if (row < nrows) {
                high += v[row] >> 32;
                low += (uint32_t)v[row];
            }
            count = (uint64_t)nrows;
        } else {
            for (int32_t row = 0; row < nrows; row++) {
                uint64_t keep = nulls[row] == 0;
                int64_t x = (int64_t)((uint64_t)v[row] & (0 - keep));
                high += x >> 32;
                low += (uint32_t)x;
                count += keep;
            }
        }
        sum += (agg_i128)(high + high2) * ((agg_i128)1 << 32) + (agg_i128)low + (agg_i128)low2;
        nonnull += count;
    } else {
        /* no branch: a zero weight adds nothing (a NULL int's bits are
         * never garbage that could poison the sum) */
        for (int32_t row = 0; row < nrows; row++) {
            int64_t weight = nulls[row] ? 0 : w[row];
            sum += (agg_i128)v[row] * weight;
            nonnull += (uint64_t)weight;
        }
    }
    memcpy(slot, &sum, 16);
    memcpy(slot + 16, &nonnull, 8);
}

/* A DOUBLE SUM's slot [double sum][i64 non-NULL count] plus the batch, in
 * row order (a different order could round differently); a sum whose
 * count returns to 0 restarts from an exact zero, as in update_slots. */
static void sum_doubles(uint8_t *slot, const ColumnVector *arg, const int64_t *w, int32_t nrows)
{
    const double *v = arg->f64;
    const uint8_t *nulls = arg->nulls;
    double sum;
    memcpy(&sum, slot, 8);
    int64_t nonnull = load_i64(slot + 8);
    for (int32_t row = 0; row < nrows; row++) {
        int64_t weight = nulls[row] ? 0 : w[row];
        if (weight == 0) continue;   /* a NULL double's bits may be NaN */
        nonnull += weight;
        sum += v[row] * (double)weight;
        if (nonnull == 0) sum = 0.0;
    }
    memcpy(slot, &sum, 8);
    store_i64(slot + 8, nonnull);
}

/* A DECIMAL(19..38) SUM's slot [i128 sum][i64 non-NULL count] plus the
 * batch, each step checked as in add_wide.  Returns false when a step
 * passed 128 bits (the batch fails then, so the rest is not added). */
static bool sum_wides(uint8_t *slot, const ColumnVector *arg, const int64_t *w, int32_t nrows)
{
    const uint8_t *nulls = arg->nulls;
    agg_i128 sum, add;
    memcpy(&sum, slot, 16);
    int64_t nonnull = load_i64(slot + 16);
    for (int32_t row = 0; row < nrows; row++) {
        int64_t weight = nulls[row] ? 0 : w[row];
        if (weight == 0) continue;
        if (__builtin_mul_overflow((agg_i128)arg->i128[row], (agg_i128)weight, &add) ||
            __builtin_add_overflow(sum, add, &sum))
            return false;
        nonnull += weight;
    }
    memcpy(slot, &sum, 16);
    store_i64(slot + 16, nonnull);
    return true;
}

/* A MIN/MAX's slot [order bits of the extreme][i64: 1 once a value came]
 * plus the batch.  The input only inserts (ex_agg_flat_fits), so no value
 * ever leaves and the extreme alone is kept, as agg.c does then.  Values
 * are compared and kept as their order-preserving bits
 * (ex_order_bits_i64/_f64: -0.0 is 0.0, NaN above every number), the
 * form in which agg.c keeps and decodes them, so the result is the same
 * value.  A MAX is the MIN of the complemented bits. */
static void minmax_batch(uint8_t *slot, const ColumnVector *arg, const int64_t *w, bool is_max,
                         int32_t nrows)
{
    const uint8_t *nulls = arg->nulls;
    uint64_t flip = is_max ? UINT64_MAX : 0;
    uint64_t has = load_u64(slot + 8);
    uint64_t low = has ? load_u64(slot) ^ flip : UINT64_MAX;
    if (ty_phys(arg->type) == PK_F64) {
        for (int32_t row = 0; row < nrows; row++) {
            if (nulls[row] || w[row] == 0) continue;
            uint64_t bits = ex_order_bits_f64(arg->f64[row]) ^ flip;
            low = bits < low ? bits : low;
            has = 1;
        }
    } else {
        const int64_t *v = arg->i64;
        for (int32_t row = 0; row < nrows; row++) {
            uint64_t keep = (nulls[row] == 0) & (w[row] != 0);
            uint64_t bits = keep ? ex_order_bits_i64(v[row]) ^ flip : UINT64_MAX;
            low = bits < low ? bits : low;
            has |= keep;
        }
    }
    if (!has) return;   /* no value yet: the slot stays all zero */
    store_i64(slot, (int64_t)(low ^ flip));
    store_i64(slot + 8, 1);
}

/* The first 8 bytes of a string as a big-endian number, zero-padded: two
 * strings whose prefixes differ are in the order of their prefixes (bytes,
 * and a string that is a prefix of the other first), so only equal
 * prefixes need the whole comparison. */
static inline uint64_t str_prefix(const WbStr *str)
{
    const uint8_t *bytes = (const uint8_t *)str->ptr;
    if (str->len >= 8) return ex_get_be64(bytes);
    uint64_t word = 0;
    for (uint32_t i = 0; i < str->len; i++) word |= (uint64_t)bytes[i] << (56 - 8 * i);
    return word;
}

/* A MIN/MAX of strings: its slot is [u64: which of the call's two texts
 * holds the extreme][i64: 1 once a value came].  A batch's best string
 * (compared as agg.c does: bytes, then length) that beats the extreme is
 * copied into the other text and the slot flips to it, so that the text
 * of the extreme before the batch, which a streaming "before" record
 * points to, stays intact until the batch's changes are emitted (a batch
 * flips at most once). */
static void minmax_strings(WbBuf *texts, uint8_t *slot, const ColumnVector *arg,
                           const int64_t *w, bool is_max, int32_t nrows)
{
    const uint8_t *nulls = arg->nulls;
    const WbStr *best = NULL;
    uint64_t best_prefix = 0;
    for (int32_t row = 0; row < nrows; row++) {
        if (nulls[row] || w[row] == 0) continue;
        const WbStr *str = &arg->str[row];
        uint64_t prefix = str_prefix(str);
        if (best) {
            if (prefix != best_prefix) {
                if (is_max ? prefix < best_prefix : prefix > best_prefix) continue;
            } else {
                int c = ex_value_order_cmp((const uint8_t *)str->ptr, str->len,
                                           (const uint8_t *)best->ptr, best->len);
                if (is_max ? c <= 0 : c >= 0) continue;
            }
        }
        best = str;
        best_prefix = prefix;
    }
    if (!best) return;
    uint64_t which = load_u64(slot);
    if (load_i64(slot + 8)) {
        const WbBuf *ext = &texts[which];
        int c = ex_value_order_cmp((const uint8_t *)best->ptr, best->len,
                                   (const uint8_t *)ext->data, (uint32_t)ext->len);
        if (is_max ? c <= 0 : c >= 0) return;
    }
    which ^= 1;
    wb_buf_clear(&texts[which]);
    wb_buf_append(&texts[which], best->ptr, best->len);
    store_i64(slot, (int64_t)which);
    store_i64(slot + 8, 1);
}

/* Applies a batch to the global aggregate's one group, a call at a time;
 * in streaming mode keeps the group as the batch's one touched group,
 * with its record and after image (see the top).  -1 with err (22003)
 * when a DECIMAL(19..38) sum passed 128 bits. */
static int apply_global(FlatAgg *op, const Batch *batch, bool streaming, WbError *err)
{
    const AggSpec *spec = op->spec;
    int32_t nrows = batch->nrows;
    const int64_t *w = batch->weights;
    uint8_t *group = global_group(op);
    if (streaming) {
        op->touched[0] = group;
        op->had_old[0] = op->global_emitted;
        copy_units(op->recs, group - op->groups->payload_off, op->rec_units);
        op->ntouched = 1;
    }
    /* the rows' weights: their sum, and whether all are 1 (two rows at a
     * time, as in sum_ints) */
    uint64_t total = 0, total2 = 0, not_one = 0, not_one2 = 0;
    int32_t row = 0;
    for (; row + 2 <= nrows; row += 2) {
        total += (uint64_t)w[row];
        not_one |= (uint64_t)w[row] ^ 1;
        total2 += (uint64_t)w[row + 1];
        not_one2 |= (uint64_t)w[row + 1] ^ 1;
    }
    if (row < nrows) {
        total += (uint64_t)w[row];
        not_one |= (uint64_t)w[row] ^ 1;
    }
    not_one |= not_one2;
    if (not_one && op->nminmax > 0) {
        /* MIN/MAX keep only the extreme: the planner promised inserts */
        for (row = 0; row < nrows; row++) {
            if (w[row] < 0) {
                wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                         "MIN/MAX over an insert-only input received a retraction");
                return -1;
            }
        }
    }
    store_i64(group + NROWS_OFF, (int64_t)(load_u64(group + NROWS_OFF) + total + total2));
    for (int32_t call = 0; call < spec->naggs; call++) {
        if (!op->has_slot[call]) continue;   /* COUNT(*): the group's nrows */
        const AggCall *ac = &spec->aggs[call];
        const int64_t *eff = w;
        if (ac->filter >= 0) {
            ex_agg_filter_weights(ac, batch, op->eff);
            eff = op->eff;
        }
        const ColumnVector *arg = ac->arg >= 0 ? &batch->cols[ac->arg] : NULL;
        uint8_t *slot = group + op->off[call];
        switch (op->acc[call]) {
        case ACC_COUNT:
            store_i64(slot, (int64_t)(load_u64(slot) +
                                      count_weights(eff, arg ? arg->nulls : NULL, nrows)));
            break;
        case ACC_SUM_I:
            sum_ints(slot, arg, eff, eff == w && not_one == 0, nrows);
            break;
        case ACC_SUM_F:
            sum_doubles(slot, arg, eff, nrows);
            break;
        case ACC_SUM_W:
            if (!sum_wides(slot, arg, eff, nrows)) return ex_agg_overflow(ac, err);
            break;
        case ACC_MINMAX:
            if (ty_phys(arg->type) == PK_STR)
                minmax_strings(op->texts + 2 * call, slot, arg, eff, ac->kind == AGG_MAX, nrows);
            else
                minmax_batch(slot, arg, eff, ac->kind == AGG_MAX, nrows);
            break;
        case ACC_SEQ:
            break;   /* never chosen (ex_agg_flat_fits) */
        }
    }
    if (streaming) copy_units(op->afters, group, op->after_units);
    return 0;
}

/* Records an emission: values from src, key of the group (a payload). */
static inline void add_emit(FlatAgg *op, const uint8_t *src, const uint8_t *group,
                            int64_t weight, uint8_t pair)
{
    int32_t n = op->nemit++;
    op->emit_src[n] = src;
    op->emit_group[n] = group;
    op->emit_weight[n] = weight;
    op->emit_pair[n] = pair;
    if (pair == PAIR_CHECK) op->checks[op->nchecks++] = n;
}

/* ACC_SUM_W's column of write_emits.  A function of its own, never
 * inlined: as a loop inside write_emits it made the int64 sums' streaming
 * path 3-5% slower at equal instruction counts (agg_bench, interleaved). */
static __attribute__((noinline)) int
write_wide_sums(const FlatAgg *op, const AggCall *ac, const uint8_t **src, uint32_t off,
                int32_t n, ColumnVector *vec, int32_t row0, WbError *err)
{
    for (int32_t k = 0; k < n; k++) {
        agg_i128 sum;
        memcpy(&sum, src[k] + off, 16);
        if (ex_agg_int_result(ac, op->in_types[ac->arg].scale, sum,
                              load_i64(src[k] + off + 16), vec, row0 + k, err) != 0)
            return -1;
    }
    return 0;
}

/* Writes emissions [first, first + n) as rows [row0, row0 + n) of the
 * output batch, a column at a time. */
static int write_emits(FlatAgg *op, int32_t first, int32_t n, int32_t row0, WbError *err)
{
    const AggSpec *spec = op->spec;
    Batch *out = op->out.batch;
    const uint8_t **src = op->emit_src + first;
    const uint8_t **grp = op->emit_group + first;
    const FlatTable *table = op->groups;
    /* destination pointers in locals: the compiler cannot tell that the
     * stores do not change them */
    for (int32_t i = 0; i < spec->ngroup; i++) {
        int64_t *dst = out->cols[i].i64 + row0;
        uint8_t *dst_null = out->cols[i].nulls + row0;
        for (int32_t k = 0; k < n; k++) {
            dst[k] = st_flat_key(table, grp[k])[i];
            dst_null[k] = (uint8_t)((st_flat_nulls(table, grp[k]) >> i) & 1);
        }
    }
    for (int32_t call = 0; call < spec->naggs; call++) {
        const AggCall *ac = &spec->aggs[call];
        ColumnVector *vec = &out->cols[spec->ngroup + call];
        uint32_t off = op->off[call];
        switch (op->acc[call]) {
        case ACC_COUNT: {
            int64_t *dst = vec->i64 + row0;
            for (int32_t k = 0; k < n; k++) dst[k] = load_i64(src[k] + off);
            memset(vec->nulls + row0, 0, (size_t)n);
            break;
        }
        case ACC_SUM_W:
            if (write_wide_sums(op, ac, src, off, n, vec, row0, err) != 0) return -1;
            break;
        case ACC_SUM_I: {
            int in_scale = op->in_types[ac->arg].scale;
            /* SUM into BIGINT or DECIMAL is a range check, done here; the
             * rest (AVG, SUM0, INT results, NULL, errors) by shared code */
            bool plain = ac->kind == AGG_SUM && ac->type.id != TY_INT &&
                         ty_phys(ac->type) == PK_I64;
            int64_t *dst = vec->i64 + row0;
            uint8_t *dst_null = vec->nulls + row0;
            for (int32_t k = 0; k < n; k++) {
                agg_i128 sum;
                int64_t nonnull;
                if (op->narrow) {
                    sum = load_i64(src[k] + off);
                    nonnull = load_i64(src[k] + NROWS_OFF);
                } else {
                    memcpy(&sum, src[k] + off, 16);
                    nonnull = load_i64(src[k] + off + 16);
                }
                int64_t low = (int64_t)sum;
                if (plain && nonnull != 0 && (agg_i128)low == sum) {
                    dst[k] = low;
                    dst_null[k] = 0;
                } else if (ex_agg_int_result(ac, in_scale, sum, nonnull, vec, row0 + k, err) != 0) {
                    return -1;
                }
            }
            break;
        }
        case ACC_SUM_F:
            for (int32_t k = 0; k < n; k++) {
                double sum;
                memcpy(&sum, src[k] + off, 8);
                int64_t nonnull = load_i64(src[k] + (op->narrow ? NROWS_OFF : off + 8));
                ex_agg_float_result(ac, sum, nonnull, vec, row0 + k);
            }
            break;
        case ACC_MINMAX: {
            PhysKind phys = ty_phys(vec->type);
            for (int32_t k = 0; k < n; k++) {
                uint64_t bits = load_u64(src[k] + off);
                bool has = load_i64(src[k] + off + 8) != 0;
                vec->nulls[row0 + k] = !has;
                if (phys == PK_STR) {
                    const WbBuf *text = &op->texts[2 * call + bits];
                    vec->str[row0 + k] = has ? ty_batch_str(out, text->data, (uint32_t)text->len)
                                             : (WbStr){NULL, 0};
                } else if (phys == PK_F64) {
                    vec->f64[row0 + k] = ex_order_unbits_f64(bits);
                } else {
                    vec->i64[row0 + k] = ex_order_unbits_i64(bits);
                }
            }
            break;
        }
        case ACC_SEQ:
            break;
        }
    }
    memcpy(out->weights + row0, op->emit_weight + first, sizeof(int64_t) * (size_t)n);
    /* a pair's two rows are an update (-U, +U): emit_pair is set on the
     * first, so a row is flagged when it or the one before starts a pair
     * (pair[-1] starts none: a chunk never splits a pair, and the array
     * has a 0 before it); eight rows at a time */
    const uint8_t *pair = op->emit_pair + first;
    uint8_t *updates = ty_batch_updates(out) + row0;
    int32_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t cur, prev;
        memcpy(&cur, pair + k, 8);
        memcpy(&prev, pair + k - 1, 8);
        cur |= prev;
        memcpy(updates + k, &cur, 8);
    }
    for (; k < n; k++) updates[k] = pair[k] | pair[k - 1];
    return 0;
}

/* Whether the aggregate values of rows a and b (same group) are equal, as
 * ty_compare says (doubles: -0.0 equals 0.0, NaN equals NaN; a MIN/MAX's
 * doubles are canonical, so their bits compare). */
static bool values_equal(const FlatAgg *op, const Batch *out, int32_t a, int32_t b)
{
    for (int32_t col = op->spec->ngroup; col < out->ncols; col++) {
        const ColumnVector *vec = &out->cols[col];
        if (vec->nulls[a] != vec->nulls[b]) return false;
        if (vec->nulls[a]) continue;
        switch (ty_phys(vec->type)) {
        case PK_I128:   /* SUM/AVG of DECIMAL: DECIMAL(38, s) */
            if (vec->i128[a] != vec->i128[b]) return false;
            break;
        case PK_STR:
            if (vec->str[a].len != vec->str[b].len ||
                memcmp(vec->str[a].ptr, vec->str[b].ptr, vec->str[a].len) != 0)
                return false;
            break;
        case PK_F64:
            if (op->acc[col - op->spec->ngroup] == ACC_SUM_F) {
                double x = vec->f64[a], y = vec->f64[b];
                if (x != y && !(x != x && y != y)) return false;
                break;
            }
            /* fall through */
        case PK_I64:
            if (vec->i64[a] != vec->i64[b]) return false;
            break;
        }
    }
    return true;
}

/* Whether some COUNT output differs between two payloads' values. */
static inline bool counts_differ(const FlatAgg *op, const uint8_t *a, const uint8_t *b)
{
    uint64_t diff = 0;
    for (int32_t i = 0; i < op->ncount; i++)
        diff |= load_u64(a + op->count_off[i]) ^ load_u64(b + op->count_off[i]);
    return diff != 0;
}

/* Copies row `from` of the output batch to row `to`. */
static void move_row(Batch *out, int32_t from, int32_t to)
{
    for (int32_t col = 0; col < out->ncols; col++) {
        ColumnVector *vec = &out->cols[col];
        switch (ty_phys(vec->type)) {
        case PK_I128: vec->i128[to] = vec->i128[from]; break;
        case PK_STR: vec->str[to] = vec->str[from]; break;
        case PK_F64:
        case PK_I64: vec->i64[to] = vec->i64[from]; break;
        }
        vec->nulls[to] = vec->nulls[from];
    }
    out->weights[to] = out->weights[from];
    out->updates[to] = out->updates[from];
}

/* Emits all recorded emissions, in output batches of at most
 * EX_BATCH_ROWS rows that never split a pair; drops pairs whose values
 * turned out equal (only PAIR_CHECK pairs can be: they are listed). */
static int flush_emits(FlatAgg *op, WbError *err)
{
    Batch *out = op->out.batch;
    int32_t check = 0;
    for (int32_t first = 0; first < op->nemit;) {
        int32_t n = WB_MIN(op->nemit - first, EX_BATCH_ROWS);
        if (n < op->nemit - first && op->emit_pair[first + n - 1]) n--;
        if (ex_out_reserve(&op->base, &op->out, n, err) != 0) return -1;
        int32_t row0 = out->nrows;
        if (write_emits(op, first, n, row0, err) != 0) return -1;
        /* rows before the first dropped pair stay where they are; after
         * it, rows from `next` on move down to `to` */
        int32_t to = -1, next = 0;
        for (; check < op->nchecks && op->checks[check] < first + n; check++) {
            int32_t k = op->checks[check] - first;
            if (!values_equal(op, out, row0 + k, row0 + k + 1)) continue;
            if (to < 0) {
                to = row0 + k;
            } else {
                for (int32_t r = next; r < k; r++) move_row(out, row0 + r, to++);
            }
            next = k + 2;
        }
        if (to >= 0) {
            for (int32_t r = next; r < n; r++) move_row(out, row0 + r, to++);
            memset(out->updates + to, 0, (size_t)(row0 + n - to));
            out->nrows = to;
        } else {
            out->nrows = row0 + n;
        }
        first += n;
    }
    op->nemit = 0;
    op->nchecks = 0;
    return ex_out_flush(&op->base, &op->out, err);
}

static int flat_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    FlatAgg *op = (FlatAgg *)base;
    bool streaming = !base->ctx->batch_mode;
    int32_t nrows = batch->nrows;
    if (nrows == 0) return 0;
    bool global = op->spec->ngroup == 0;
    ensure_rows(op, nrows);
    op->ntouched = 0;
    if (global) {
        if (apply_global(op, batch, streaming, err) != 0) return -1;
    } else {
        if (op->narrow && !narrow_holds(op, batch)) widen(op);
        st_flat_reserve(op->groups, nrows);
        if (streaming && ++op->stamp == 0) {
            /* the stamp wrapped: every slot of the touched set to empty */
            memset(op->seen, 0, sizeof(uint64_t) * (op->seen_mask + 1));
            op->stamp = 1;
        }
        ex_agg_hash_keys(op->spec, true, batch, op->row_hash);
        int32_t ncalls = prepare_calls(op, batch, op->calls);
        apply_rows(op, batch, streaming, op->calls, ncalls);
        for (int32_t c = 0; c < ncalls; c++)
            if (op->calls[c].overflowed)
                return ex_agg_overflow(&op->spec->aggs[op->calls[c].call], err);
    }
    if (!streaming) return 0;

    op->nemit = 0;
    uint32_t size = op->payload_size, head = op->groups->payload_off;
    for (int32_t idx = 0; idx < op->ntouched; idx++) {
        /* the record read as a payload: st_flat_key/st_flat_nulls work on
         * it, and its values are the group's before the batch */
        const uint8_t *rec = op->recs + (size_t)idx * 16 * op->rec_units + head;
        const uint8_t *before = rec;
        const uint8_t *after = op->afters + (size_t)idx * 16 * op->after_units;
        bool had_old = op->had_old[idx];
        int64_t group_rows = load_i64(after + NROWS_OFF);
        bool has_new = global || group_rows > 0;
        bool same = had_old && has_new && words_equal(before, after, size / 8);
        if (!same) {
            /* a changed count is a changed output value: only other pairs
             * need the comparison of their rows */
            uint8_t pair = !had_old || !has_new            ? 0
                           : counts_differ(op, before, after) ? PAIR
                                                              : PAIR_CHECK;
            if (had_old) add_emit(op, before, rec, -1, pair);
            if (has_new) add_emit(op, after, rec, 1, 0);
        }
        if (group_rows == 0 && !global) st_flat_remove(op->groups, op->touched[idx]);
    }
    if (global) op->global_emitted = true;
    return flush_emits(op, err);
}

static int flat_finish(Operator *base, WbError *err)
{
    FlatAgg *op = (FlatAgg *)base;
    bool global = op->spec->ngroup == 0;
    ensure_rows(op, EX_BATCH_ROWS);
    op->nemit = 0;
    if (!base->ctx->batch_mode) {
        /* every group with rows is out there already; the one row of a
         * global aggregate exists even over no input */
        if (global && !op->global_emitted) {
            uint8_t *group = global_group(op);
            add_emit(op, group, group, 1, 0);
            op->global_emitted = true;
        }
        return flush_emits(op, err);
    }
    if (global) global_group(op);
    uint64_t pos = 0;
    for (uint8_t *group; (group = st_flat_next(op->groups, &pos));) {
        if (!global && load_i64(group + NROWS_OFF) <= 0) continue;
        if (op->nemit == 2 * op->row_cap && flush_emits(op, err) != 0) return -1;
        add_emit(op, group, group, 1, 0);
    }
    return flush_emits(op, err);
}

static void flat_destroy(Operator *base)
{
    FlatAgg *op = (FlatAgg *)base;
    st_flat_free(op->groups);
    free(op->acc);
    free(op->off);
    free(op->has_slot);
    free(op->calls);
    free(op->count_off);
    free(op->row_hash);
    free(op->eff);
    free(op->touched);
    free(op->had_old);
    free(op->recs);
    free(op->afters);
    free(op->emit_src);
    free(op->emit_group);
    free(op->emit_weight);
    free(op->emit_pair ? op->emit_pair - 1 : NULL);
    free(op->checks);
    free(op->seen);
    free(op->bound);
    free(op->bound_add);
    if (op->texts)
        for (int32_t i = 0; i < 2 * op->spec->naggs; i++) wb_buf_free(&op->texts[i]);
    free(op->texts);
    ex_out_free(&op->out);
}

static int64_t flat_state_bytes(const Operator *base)
{
    const FlatAgg *op = (const FlatAgg *)base;
    int64_t bytes = st_flat_bytes(op->groups);
    if (op->texts)
        for (int32_t i = 0; i < 2 * op->spec->naggs; i++) bytes += (int64_t)op->texts[i].cap;
    return bytes;
}

static const OpVTable flat_vt = {"GroupAggregate", flat_push, NULL, flat_finish, flat_destroy,
                                 flat_state_bytes, NULL, NULL};

Operator *ex_agg_flat_new(const PlanNode *node, const ExecContext *ctx, AccKind *acc)
{
    const AggSpec *spec = &node->agg;
    FlatAgg *op = wb_calloc(1, sizeof(FlatAgg));
    ex_op_init(&op->base, &flat_vt, node, ctx);
    op->spec = spec;
    op->in_types = node->inputs[0]->types;
    op->acc = acc;
    size_t ncalls = (size_t)(spec->naggs ? spec->naggs : 1);
    op->off = wb_calloc(ncalls, sizeof(uint32_t));
    op->has_slot = wb_calloc(ncalls, sizeof(bool));
    op->calls = wb_calloc(ncalls, sizeof(SlotCall));
    op->count_off = wb_calloc(ncalls, sizeof(uint32_t));
    op->bound = wb_calloc(ncalls, sizeof(uint64_t));
    op->bound_add = wb_calloc(ncalls, sizeof(unsigned __int128));
    /* narrow while exact (see the top): never for a SUM with a FILTER */
    bool narrow = true;
    for (int32_t call = 0; call < spec->naggs; call++) {
        const AggCall *ac = &spec->aggs[call];
        op->has_slot[call] = !(ac->kind == AGG_COUNT_STAR && ac->filter < 0);
        if (is_sum(acc[call]) && ac->filter >= 0) narrow = false;
        if (acc[call] == ACC_SUM_W) narrow = false;   /* 128-bit values: wide slots */
        if (acc[call] == ACC_MINMAX) op->nminmax++;
        if (acc[call] == ACC_MINMAX && ty_phys(op->in_types[ac->arg]) == PK_STR && !op->texts)
            op->texts = wb_calloc(2 * ncalls, sizeof(WbBuf));
    }
    if (spec->ngroup == 0) narrow = false;   /* the global group: see apply_global */
    op->groups = st_flat_new(spec->ngroup, lay_out(op, narrow));
    size_copies(op);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
