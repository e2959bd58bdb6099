/*
 * agg_flat.c - PN_AGG for the common shape: every group column (none for
 * a global aggregate, at most 30) is int64-backed (integers, DECIMAL,
 * dates, timestamps, booleans) and every call is COUNT/SUM/SUM0/AVG
 * without DISTINCT.  Such a group is a handful of numbers, so it lives
 * inline in a FlatTable (state/flat.h): one cache line per group for a
 * one-column key and two calls, found with one (prefetched) cache miss,
 * keys compared as words straight from the column vectors, no key
 * encoding.  It emits exactly the changes of the general aggregate
 * (agg.c), in the same order; tests/unit/test_agg_flat.c runs both on the
 * same input.
 *
 * A group's payload:
 *
 *   [mark: u64][nrows: i64][slot of call 0][slot of call 1]...
 *
 *   mark   = epoch << 1 | emitted: the batch that last touched the group,
 *            and whether an output row of it is out there;
 *   nrows  = sum of the weights of the group's rows (COUNT(*) without
 *            FILTER reads it and has no slot);
 *   slots  = COUNT: i64 count; SUM over int64-backed values: i128 sum
 *            (16 bytes, unaligned) then i64 number of non-NULL values;
 *            SUM over DOUBLE: double sum then i64 non-NULL count.
 *
 * Per input batch (streaming): reserve room for the batch, so entry
 * pointers stay valid for its duration; hash the keys a column at a time;
 * per row, find its group (entries prefetched 32 rows ahead), copy the
 * group's [nrows, slots] aside the first time the batch touches it (the
 * "snapshot"), and apply the row to it while its line is in cache; then
 * per touched group, in first-touch order, compare snapshot and current
 * bytes and, when they differ, emit the old row (-1) and the new one (+1)
 * next to each other in one output batch, written a column at a time; a
 * pair whose values turn out equal (no COUNT output changed: e.g. only
 * SUM(v) and a row with v = 0 came) is dropped.  In batch mode nothing is
 * emitted before the end of input.
 */
#include "exec/agg_int.h"
#include "state/flat.h"

#include <stdlib.h>

#define MARK_EMITTED 1u
#define PAIR 1                  /* emit_pair: keep the two rows in one batch */
#define PAIR_CHECK 2            /* ... and drop both when their values are equal */
#define SNAP_OFF 8              /* [nrows, slots] start after the mark */
#define NROWS_OFF 0             /* within the snapshot */
#define PF_ROWS 32              /* prefetch distance in rows (16 and 64 measured slower) */
#define PF_TOUCHED 8            /* and in touched groups, when emitting */

/* One call with a slot, ready for the per-row update: its effective
 * weights for this batch and its argument. */
typedef struct SlotCall {
    AccKind acc;
    uint32_t off;               /* in the payload */
    const int64_t *eff;
    const ColumnVector *arg;
} SlotCall;

typedef struct FlatAgg {
    Operator base;
    const AggSpec *spec;
    const SqlType *in_types;
    AccKind *acc;
    uint32_t *off;              /* per call: its value's offset in the snapshot */
    bool *has_slot;             /* per call: false for COUNT(*) without FILTER */
    SlotCall *calls;            /* this batch's calls with a slot */
    uint32_t *count_off;        /* snapshot offsets of the COUNT outputs */
    int32_t ncount;
    FlatTable *groups;
    uint32_t snap_size;         /* bytes of [nrows, slots] */
    uint64_t epoch;
    int32_t row_cap;
    uint64_t *row_hash;
    int64_t *eff;               /* per call with a slot: per row weight */
    int32_t ntouched;
    uint8_t **touched;          /* payloads touched by this batch, in order */
    uint8_t *had_old;
    uint8_t *snaps;             /* ntouched snapshots of snap_size bytes */
    /* emissions of the current batch: source bytes ([nrows, slots], a
     * snapshot or the group itself), the group (its key and NULL mask:
     * still readable after st_flat_remove, as no insertion follows before
     * the rows are written) and the weight */
    int32_t nemit;
    const uint8_t **emit_src;
    const uint8_t **emit_group;
    int64_t *emit_weight;
    uint8_t *emit_pair;         /* on the first row of a -old/+new pair: PAIR,
                                 * or PAIR_CHECK when their values may be equal */
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

/* Copies n 8-byte words (sizes here are a few words: no libc call). */
static inline void copy_words(void *dst, const void *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t w;
        memcpy(&w, (const uint8_t *)src + 8 * i, 8);
        memcpy((uint8_t *)dst + 8 * i, &w, 8);
    }
}

bool ex_agg_flat_fits(const PlanNode *node, const AccKind *acc)
{
    const AggSpec *spec = &node->agg;
    if (spec->ngroup > ST_FLAT_MAX_KEYS) return false;
    const PlanNode *in = node->inputs[0];
    for (int32_t i = 0; i < spec->ngroup; i++)
        if (ty_phys(in->types[spec->group[i]].id) != PK_I64) return false;
    for (int32_t call = 0; call < spec->naggs; call++) {
        if (spec->aggs[call].distinct) return false;
        if (acc[call] != ACC_COUNT && acc[call] != ACC_SUM_I && acc[call] != ACC_SUM_F)
            return false;
    }
    return true;
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
    op->snaps = wb_realloc(op->snaps, (size_t)op->snap_size * n);
    op->emit_src = wb_realloc(op->emit_src, sizeof(uint8_t *) * 2 * n);
    op->emit_group = wb_realloc(op->emit_group, sizeof(uint8_t *) * 2 * n);
    op->emit_weight = wb_realloc(op->emit_weight, sizeof(int64_t) * 2 * n);
    op->emit_pair = wb_realloc(op->emit_pair, 2 * n);
}

/* Per call with a slot: the weights it sees in this batch (FILTER, NULL
 * arguments), column at a time.  Returns the number of such calls. */
static int32_t prepare_calls(FlatAgg *op, const Batch *batch, SlotCall *calls)
{
    int32_t n = 0;
    for (int32_t call = 0; call < op->spec->naggs; call++) {
        if (!op->has_slot[call]) continue;   /* COUNT(*): the group's nrows */
        const AggCall *ac = &op->spec->aggs[call];
        int64_t *eff = op->eff + (size_t)n * (size_t)op->row_cap;
        ex_agg_filter_weights(ac, batch, eff);
        ex_agg_drop_null_args(ac, batch, eff);
        calls[n++] = (SlotCall){op->acc[call], SNAP_OFF + op->off[call], eff,
                                ac->arg >= 0 ? &batch->cols[ac->arg] : NULL};
    }
    return n;
}

/* Applies row `row` to its group's slots, right after the lookup, while
 * the group's cache line is at hand. */
static inline void update_slots(uint8_t *group, const SlotCall *calls, int32_t ncalls,
                                int32_t row)
{
    for (int32_t c = 0; c < ncalls; c++) {
        const SlotCall *call = &calls[c];
        uint8_t *slot = group + call->off;
        int64_t w = call->eff[row];
        switch (call->acc) {
        case ACC_COUNT:
            store_i64(slot, load_i64(slot) + w);
            break;
        case ACC_SUM_I: {
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
            int64_t nonnull = load_i64(slot + 8) + w;
            sum += call->arg->f64[row] * (double)w;
            /* an emptied sum restarts from an exact zero, not from the
             * rounding residue of its retractions */
            if (nonnull == 0) sum = 0.0;
            memcpy(slot, &sum, 8);
            store_i64(slot + 8, nonnull);
            break;
        }
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
 * streaming mode snapshots each group the first time the batch touches it. */
static void apply_rows(FlatAgg *op, const Batch *batch, bool streaming, const SlotCall *calls,
                       int32_t ncalls)
{
    const AggSpec *spec = op->spec;
    FlatTable *table = op->groups;
    int32_t nrows = batch->nrows;
    uint64_t epoch = op->epoch;
    int32_t nkeys = spec->ngroup;
    int64_t key[ST_FLAT_MAX_KEYS];
    const int64_t *key_data[ST_FLAT_MAX_KEYS];
    const uint8_t *key_nulls[ST_FLAT_MAX_KEYS];
    for (int32_t i = 0; i < nkeys; i++) {
        key_data[i] = batch->cols[spec->group[i]].i64;
        key_nulls[i] = batch->cols[spec->group[i]].nulls;
    }
    /* a global aggregate's one group is looked up once */
    uint8_t *global = nkeys ? NULL : global_group(op);
    int32_t prefetch_rows = global ? 0 : WB_MIN(nrows, PF_ROWS);
    for (int32_t row = 0; row < prefetch_rows; row++) st_flat_prefetch(table, op->row_hash[row]);
    for (int32_t row = 0; row < nrows; row++) {
        uint8_t *group = global;
        if (!global) {
            if (row + PF_ROWS < nrows) st_flat_prefetch(table, op->row_hash[row + PF_ROWS]);
            uint32_t nulls = 0;
            for (int32_t i = 0; i < nkeys; i++) {
                bool null = key_nulls[i][row];
                nulls |= (uint32_t)null << i;
                key[i] = null ? 0 : key_data[i][row];
            }
            bool created;
            group = st_flat_upsert_fast(table, key, st_flat_ctrl(op->row_hash[row], nulls), &created);
        }
        if (streaming) {
            uint64_t mark = load_u64(group);
            if (mark >> 1 != epoch) {
                int32_t idx = op->ntouched++;
                op->touched[idx] = group;
                op->had_old[idx] = (uint8_t)(mark & MARK_EMITTED);
                copy_words(op->snaps + (size_t)idx * op->snap_size, group + SNAP_OFF,
                           op->snap_size / 8);
                uint64_t now = epoch << 1 | (mark & MARK_EMITTED);
                memcpy(group, &now, 8);
            }
        }
        uint8_t *nrows_at = group + SNAP_OFF + NROWS_OFF;
        store_i64(nrows_at, load_i64(nrows_at) + batch->weights[row]);
        update_slots(group, calls, ncalls, row);
    }
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
        case ACC_SUM_I: {
            int in_scale = op->in_types[ac->arg].scale;
            /* SUM into BIGINT or DECIMAL is a range check, done here; the
             * rest (AVG, SUM0, INT results, NULL, errors) by shared code */
            bool plain = ac->kind == AGG_SUM && ac->type.id != TY_INT;
            int64_t *dst = vec->i64 + row0;
            uint8_t *dst_null = vec->nulls + row0;
            for (int32_t k = 0; k < n; k++) {
                agg_i128 sum;
                memcpy(&sum, src[k] + off, 16);
                int64_t nonnull = load_i64(src[k] + off + 16);
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
                ex_agg_float_result(ac, sum, load_i64(src[k] + off + 8), vec, row0 + k);
            }
            break;
        case ACC_MINMAX:
        case ACC_SEQ:
            break;
        }
    }
    memcpy(out->weights + row0, op->emit_weight + first, sizeof(int64_t) * (size_t)n);
    return 0;
}

/* Whether the aggregate values of rows a and b (same group) are equal, as
 * ty_compare says (doubles: -0.0 equals 0.0, NaN equals NaN). */
static bool values_equal(const FlatAgg *op, const Batch *out, int32_t a, int32_t b)
{
    for (int32_t col = op->spec->ngroup; col < out->ncols; col++) {
        const ColumnVector *vec = &out->cols[col];
        if (vec->nulls[a] != vec->nulls[b]) return false;
        if (vec->nulls[a]) continue;
        if (op->acc[col - op->spec->ngroup] == ACC_SUM_F) {
            double x = vec->f64[a], y = vec->f64[b];
            if (x != y && !(x != x && y != y)) return false;
        } else if (vec->i64[a] != vec->i64[b]) {
            return false;
        }
    }
    return true;
}

/* Whether some COUNT output differs between two snapshots. */
static inline bool counts_differ(const FlatAgg *op, const uint8_t *a, const uint8_t *b)
{
    uint64_t diff = 0;
    for (int32_t i = 0; i < op->ncount; i++)
        diff |= load_u64(a + op->count_off[i]) ^ load_u64(b + op->count_off[i]);
    return diff != 0;
}

/* Whether two snapshots ([nrows, slots], a multiple of 8 bytes) are equal. */
static inline bool snaps_equal(const uint8_t *a, const uint8_t *b, uint32_t size)
{
    uint64_t diff = 0;
    for (uint32_t at = 0; at < size; at += 8) diff |= load_u64(a + at) ^ load_u64(b + at);
    return diff == 0;
}

/* Copies row `from` of the output batch to row `to` (every output column
 * holds 8-byte values: keys, counts and sums). */
static void move_row(Batch *out, int32_t from, int32_t to)
{
    for (int32_t col = 0; col < out->ncols; col++) {
        ColumnVector *vec = &out->cols[col];
        vec->i64[to] = vec->i64[from];
        vec->nulls[to] = vec->nulls[from];
    }
    out->weights[to] = out->weights[from];
}

/* Emits all recorded emissions, in output batches of at most
 * EX_BATCH_ROWS rows that never split a pair; drops pairs whose values
 * turned out equal. */
static int flush_emits(FlatAgg *op, WbError *err)
{
    Batch *out = op->out.batch;
    for (int32_t first = 0; first < op->nemit;) {
        int32_t n = WB_MIN(op->nemit - first, EX_BATCH_ROWS);
        if (n < op->nemit - first && op->emit_pair[first + n - 1]) n--;
        if (ex_out_reserve(&op->base, &op->out, n, err) != 0) return -1;
        int32_t row0 = out->nrows;
        if (write_emits(op, first, n, row0, err) != 0) return -1;
        int32_t end = row0 + n, keep = row0;
        bool dropped = false;
        for (int32_t k = 0; k < n; k++) {
            int32_t row = row0 + k;
            if (op->emit_pair[first + k] == PAIR_CHECK && values_equal(op, out, row, row + 1)) {
                k++;
                dropped = true;
                continue;
            }
            if (dropped) move_row(out, row, keep);
            keep++;
        }
        out->nrows = dropped ? keep : end;
        first += n;
    }
    op->nemit = 0;
    return ex_out_flush(&op->base, &op->out, err);
}

static int flat_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    FlatAgg *op = (FlatAgg *)base;
    bool streaming = !base->ctx->batch_mode;
    int32_t nrows = batch->nrows;
    if (nrows == 0) return 0;
    ensure_rows(op, nrows);
    st_flat_reserve(op->groups, nrows);
    op->epoch++;
    op->ntouched = 0;
    ex_agg_hash_keys(op->spec, true, batch, op->row_hash);
    int32_t ncalls = prepare_calls(op, batch, op->calls);
    apply_rows(op, batch, streaming, op->calls, ncalls);
    if (!streaming) return 0;

    op->nemit = 0;
    uint32_t size = op->snap_size;
    for (int32_t idx = 0; idx < op->ntouched; idx++) {
        if (idx + PF_TOUCHED < op->ntouched) __builtin_prefetch(op->touched[idx + PF_TOUCHED]);
        uint8_t *group = op->touched[idx];
        const uint8_t *snap = op->snaps + (size_t)idx * size;
        uint8_t *now = group + SNAP_OFF;
        bool had_old = op->had_old[idx];
        int64_t group_rows = load_i64(now + NROWS_OFF);
        bool has_new = op->spec->ngroup == 0 || group_rows > 0;
        bool same = had_old && has_new && snaps_equal(snap, now, size);
        if (!same) {
            /* a changed count is a changed output value: only other pairs
             * need the comparison of their rows */
            uint8_t pair = !had_old || !has_new         ? 0
                           : counts_differ(op, snap, now) ? PAIR
                                                          : PAIR_CHECK;
            if (had_old) add_emit(op, snap, group, -1, pair);
            if (has_new) add_emit(op, now, group, 1, 0);
        }
        uint64_t mark = op->epoch << 1 | (uint64_t)has_new;
        memcpy(group, &mark, 8);
        /* its bytes stay readable for the emissions (no insertion before) */
        if (group_rows == 0 && op->spec->ngroup > 0) st_flat_remove(op->groups, group);
    }
    return flush_emits(op, err);
}

static int flat_finish(Operator *base, WbError *err)
{
    FlatAgg *op = (FlatAgg *)base;
    uint64_t pos = 0;
    bool global = op->spec->ngroup == 0;
    ensure_rows(op, EX_BATCH_ROWS);
    op->nemit = 0;
    /* the one row of a global aggregate exists even over no input */
    if (global) global_group(op);
    for (uint8_t *group; (group = st_flat_next(op->groups, &pos));) {
        uint64_t mark = load_u64(group);
        if (mark & MARK_EMITTED) continue;
        if (!global && load_i64(group + SNAP_OFF + NROWS_OFF) <= 0) continue;
        mark |= MARK_EMITTED;
        memcpy(group, &mark, 8);
        if (op->nemit == 2 * op->row_cap && flush_emits(op, err) != 0) return -1;
        add_emit(op, group + SNAP_OFF, group, 1, 0);
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
    free(op->snaps);
    free(op->emit_src);
    free(op->emit_group);
    free(op->emit_weight);
    free(op->emit_pair);
    ex_out_free(&op->out);
}

static int64_t flat_state_bytes(const Operator *base)
{
    return st_flat_bytes(((const FlatAgg *)base)->groups);
}

static const OpVTable flat_vt = {"GroupAggregate", flat_push, NULL, flat_finish, flat_destroy,
                                 flat_state_bytes};

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
    uint32_t at = 8;   /* after nrows */
    for (int32_t call = 0; call < spec->naggs; call++) {
        const AggCall *ac = &spec->aggs[call];
        if (ac->kind == AGG_COUNT_STAR && ac->filter < 0) {
            op->off[call] = NROWS_OFF;
            continue;
        }
        op->has_slot[call] = true;
        op->off[call] = at;
        at += acc[call] == ACC_SUM_I ? 24 : acc[call] == ACC_SUM_F ? 16 : 8;
    }
    op->snap_size = at;
    op->count_off = wb_calloc(ncalls, sizeof(uint32_t));
    for (int32_t call = 0; call < spec->naggs; call++)
        if (acc[call] == ACC_COUNT) op->count_off[op->ncount++] = op->off[call];
    op->groups = st_flat_new(spec->ngroup, SNAP_OFF + at);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
