/*
 * agg.c - PN_AGG, the retracting group aggregate.  Per group key a header
 * (row count, emission flag) and one accumulator slot per aggregate call,
 * all in the `groups` StateTable; value multisets (MIN/MAX), arrival lists
 * (FIRST_VALUE/LAST_VALUE/LISTAGG) and DISTINCT value counts live as
 * entries of the `vals` StateTable, linked through their payloads.
 *
 * Per input batch: (1) find every row's group, snapshot the output row of
 * each group the batch touches (before any change); (2) per aggregate call,
 * one loop over the rows applies the weighted changes; (3) per touched
 * group, emit "-old" and "+new" next to each other when they differ.
 * SINGLE_VALUE checks its group's net row count once the whole batch is
 * applied (streaming) or at finish (batch), so that a retraction and its
 * replacement inside one batch never look like two rows.
 *
 * A window aggregate (AggSpec.window) is the same operator with one
 * difference in emission: a group (window_end and the grouping columns)
 * gets an event-time timer at window_end - 1 ms when it is created, emits
 * its one final row when the watermark passes it, and is then dropped
 * with all of its `vals` entries (linked per group for that).  Rows of a
 * window that has fired are late: dropped and counted.  In batch mode the
 * end-of-input watermark fires every window, through the same code.
 */
#include "exec/agg_int.h"

#include <stdlib.h>

#include "state/timers.h"

/* One accumulator slot in a group's payload.  32 bytes, 16-aligned. */
typedef union AggSlot {
    struct { int64_t count; } cnt;
    struct { agg_i128 sum; int64_t nonnull; } isum;
    struct { double sum; int64_t nonnull; } fsum;
    /* MINMAX: a = current extreme value entry, b = head of the group's
     * list of value entries.  SEQ: a = oldest occurrence, b = newest;
     * nrows: SINGLE_VALUE's net row count, NULL values included. */
    struct { StateEntry *a, *b; int64_t nrows; } list;
} AggSlot;

typedef struct GroupHdr {
    int64_t nrows;          /* sum of the weights of all rows of the group */
    int64_t nvals;          /* live `vals` entries of the group */
    uint64_t epoch;         /* the batch that last touched the group */
    StateEntry *all_vals;   /* window mode or TTL: the group's `vals`
                             * entries, linked through gprev/gnext */
    int64_t used_us;        /* TTL: processing time of the last update */
    int32_t touched_idx;    /* its index in that batch's touched list */
    uint8_t emitted;        /* an output row of the group is out there */
    uint8_t ttl_timer;      /* TTL: a timer is pending */
} GroupHdr;

#define SLOT_OFFSET ((sizeof(GroupHdr) + 15) & ~(size_t)15)

/* Payload of a `vals` entry.  Keys: [agg u16][tag][group key][rest]:
 *   tag 'V' value entry, rest = the value (order encoding): count of the
 *       value; MINMAX entries are linked per group through prev/next.  For
 *       SEQ calls rest = the value ++ the whole input row, so that the
 *       retraction of a row removes an occurrence of that very row (rows
 *       equal in every column are interchangeable); the entry heads the
 *       FIFO chain of the row's occurrences;
 *   tag 'O' occurrence, rest = arrival sequence (8 bytes BE): `count`
 *       consecutive arrivals of one value, linked per group in arrival
 *       order through prev/next, and per value through chain_next;
 *   tag 'D' DISTINCT counter, rest = the value: count only. */
typedef struct ValEntry {
    int64_t count;
    StateEntry *prev, *next;
    StateEntry *chain_first, *chain_last, *chain_next;
    StateEntry *value;      /* occurrence -> its value entry */
    StateEntry *gprev, *gnext; /* window mode: all entries of the group */
    uint32_t val_off;       /* value entry: where the value starts in the key */
    uint32_t val_len;       /* SEQ value entry: its length (the row follows) */
} ValEntry;

typedef struct AggOp {
    Operator base;
    const AggSpec *spec;
    const SqlType *in_types;
    AccKind *acc;
    StateTable *groups;
    StateTable *vals;
    uint64_t epoch;
    uint64_t seq;               /* arrival counter for occurrences */
    int32_t sum_overflow;       /* 1 + a ACC_SUM_W call whose sum passed 128 bits */
    WbBuf key, vkey, text;      /* scratch */
    int32_t row_cap;
    StateEntry **row_group;     /* per input row: its group */
    uint64_t *row_hash;         /* per input row: hash of its group key */
    uint32_t *key_off;          /* per input row: its key's offset in `keys` (+1 = end) */
    WbBuf keys;                 /* the batch's encoded group keys, back to back */
    int64_t *eff;               /* per input row: weight seen by one call */
    int32_t ntouched, touched_cap;
    StateEntry **touched;
    uint8_t *had_old;
    Batch *olds;                /* old output rows of touched groups */
    bool flat;                  /* only COUNT/SUM/AVG: slots hold no pointers */
    bool i64_keys;              /* every group column is int64-backed */
    AggSlot *old_slots;         /* flat: touched groups' slots before the batch */
    WbBuf *seps;                /* LISTAGG separators (per call) */
    bool *has_sep;
    bool has_single;            /* some call is SINGLE_VALUE */
    bool inserts_only;          /* the input never retracts (its changelog mode) */
    bool window;                /* a window aggregate (AggSpec.window) */
    bool link_vals;             /* window mode or TTL: vals listed per group */
    TimerService *timers;       /* window mode: key = group hash ++ group key */
    int64_t ttl_us;             /* table.exec.state.ttl, 0 = none */
    TimerService *ttl;          /* TTL: key = group hash ++ group key */
    int64_t now_us;             /* TTL: the clock at this batch */
    bool early;                 /* window mode: table.exec.emit.early-fire */
    int64_t late_us;            /* window mode: allowed lateness (late fire) */
    bool tracking;              /* early or late fire: changes tracked for emission */
    int64_t early_us;           /* the emission delay (0: after every batch) */
    int64_t next_early_us;
    TimerService *cleanup;      /* late fire: a fired window's state ends at end + lateness */
    WbArena scratch;            /* window mode: the batch without late rows */
    int32_t *keep;
    ExOut out;
} AggOp;

static inline GroupHdr *group_hdr(StateEntry *g) { return st_payload(g); }

static inline AggSlot *group_slot(StateEntry *g, int32_t call)
{
    return (AggSlot *)((uint8_t *)st_payload(g) + SLOT_OFFSET) + call;
}

static inline ValEntry *val(StateEntry *e) { return st_payload(e); }

/* ---- value keys ---- */

/* vkey = [call][tag][group key]; returns its length (the prefix). */
static size_t vkey_prefix(AggOp *op, int32_t call, char tag, StateEntry *group)
{
    wb_buf_clear(&op->vkey);
    uint8_t head[3] = {(uint8_t)call, (uint8_t)(call >> 8), (uint8_t)tag};
    wb_buf_append(&op->vkey, head, 3);
    wb_buf_append(&op->vkey, group->key, group->key_len);
    return op->vkey.len;
}

/* Finds or creates the `vals` entry of op->vkey for group g.  Each group
 * counts its entries: a group is deleted only when it has none left, so no
 * entry ever points into a recycled group (after an inconsistent changelog,
 * e.g. the retraction of a row that was never inserted, a group can return
 * to 0 rows with value counts left over). */
static StateEntry *vkey_upsert(AggOp *op, StateEntry *g, bool *created)
{
    uint64_t hash = wb_hash_bytes(op->vkey.data, op->vkey.len, 0x7661);
    StateEntry *e = st_table_upsert(op->vals, op->vkey.data, (uint32_t)op->vkey.len, hash, created);
    if (*created) {
        GroupHdr *hdr = group_hdr(g);
        hdr->nvals++;
        if (op->link_vals) {
            ValEntry *v = st_payload(e);
            v->gnext = hdr->all_vals;
            if (hdr->all_vals) ((ValEntry *)st_payload(hdr->all_vals))->gprev = e;
            hdr->all_vals = e;
        }
    }
    return e;
}

static void val_remove(AggOp *op, StateEntry *g, StateEntry *e)
{
    GroupHdr *hdr = group_hdr(g);
    hdr->nvals--;
    if (op->link_vals) {
        ValEntry *v = st_payload(e);
        if (v->gprev) ((ValEntry *)st_payload(v->gprev))->gnext = v->gnext;
        else hdr->all_vals = v->gnext;
        if (v->gnext) ((ValEntry *)st_payload(v->gnext))->gprev = v->gprev;
    }
    st_table_remove(op->vals, e);
}

/* Window mode, TTL: drops a group and every `vals` entry it owns. */
static void drop_group(AggOp *op, StateEntry *g)
{
    while (group_hdr(g)->all_vals) val_remove(op, g, group_hdr(g)->all_vals);
    st_table_remove(op->groups, g);
}

/* ---- list helpers (doubly linked through ValEntry prev/next) ---- */

static void list_unlink(StateEntry **head, StateEntry **tail, StateEntry *e)
{
    ValEntry *v = val(e);
    if (v->prev) val(v->prev)->next = v->next;
    else *head = v->next;
    if (v->next) val(v->next)->prev = v->prev;
    else if (tail) *tail = v->prev;
    v->prev = v->next = NULL;
}

static void list_push_front(StateEntry **head, StateEntry *e)
{
    ValEntry *v = val(e);
    v->prev = NULL;
    v->next = *head;
    if (*head) val(*head)->prev = e;
    *head = e;
}

static void list_push_back(StateEntry **head, StateEntry **tail, StateEntry *e)
{
    ValEntry *v = val(e);
    v->next = NULL;
    v->prev = *tail;
    if (*tail) val(*tail)->next = e;
    else *head = e;
    *tail = e;
}

static inline int value_cmp(StateEntry *a, StateEntry *b)
{
    ValEntry *va = val(a), *vb = val(b);
    return ex_value_order_cmp(a->key + va->val_off, va->val_len, b->key + vb->val_off,
                              vb->val_len);
}

/* ---- accumulator updates ---- */

/* MIN/MAX: value `col[row]` of group g changes count by w.  The extreme is
 * cached; when its last copy goes, the group's value list is rescanned
 * (cost: the number of distinct values of the group).  Over an input that
 * only inserts (its changelog mode), nothing can leave, so only the
 * extreme is kept: a value that does not beat it is not stored. */
static void minmax_update(AggOp *op, int32_t call, StateEntry *g, const ColumnVector *col,
                          int32_t row, int64_t w, bool is_max)
{
    AggSlot *slot = group_slot(g, call);
    size_t off = vkey_prefix(op, call, 'V', g);
    ex_value_order_encode(col, row, &op->vkey);
    if (op->inserts_only && w > 0) {
        /* no value ever leaves: the extreme alone is kept */
        StateEntry *ext = slot->list.a;
        if (ext) {
            ValEntry *xv = val(ext);
            int c = ex_value_order_cmp((const uint8_t *)op->vkey.data + off, op->vkey.len - off,
                                       ext->key + xv->val_off, xv->val_len);
            if (is_max ? c <= 0 : c >= 0) return;
            list_unlink(&slot->list.b, NULL, ext);
            slot->list.a = NULL;
            val_remove(op, g, ext);
        }
    }
    bool created;
    StateEntry *e = vkey_upsert(op, g, &created);
    ValEntry *v = val(e);
    if (created) {
        v->val_off = (uint32_t)off;
        v->val_len = (uint32_t)(op->vkey.len - off);
    }
    int64_t before = v->count, after = before + w;
    v->count = after;
    if (before <= 0 && after > 0) {
        list_push_front(&slot->list.b, e);
        StateEntry *ext = slot->list.a;
        if (!ext) slot->list.a = e;
        else {
            int c = value_cmp(e, ext);
            if (is_max ? c > 0 : c < 0) slot->list.a = e;
        }
    } else if (before > 0 && after <= 0) {
        list_unlink(&slot->list.b, NULL, e);
        if (slot->list.a == e) {
            StateEntry *best = NULL;
            for (StateEntry *it = slot->list.b; it; it = val(it)->next) {
                if (!best) { best = it; continue; }
                int c = value_cmp(it, best);
                if (is_max ? c > 0 : c < 0) best = it;
            }
            slot->list.a = best;
        }
    }
    if (after == 0) val_remove(op, g, e);
}

/* FIRST_VALUE/LAST_VALUE/LISTAGG: w copies of an input row arrive (w > 0)
 * or leave (w < 0).  Arrivals append one occurrence; departures remove the
 * oldest occurrences of that same row first, so the result is the one of
 * the remaining rows in arrival order whatever the retraction order.  A
 * row's count may go negative (a retraction ahead of its insertion);
 * occurrences exist only for the positive part. */
static void seq_update(AggOp *op, int32_t call, StateEntry *g, const Batch *batch,
                       const ColumnVector *col, int32_t row, int64_t w)
{
    AggSlot *slot = group_slot(g, call);
    size_t off = vkey_prefix(op, call, 'V', g);
    ex_value_order_encode(col, row, &op->vkey);
    size_t len = op->vkey.len - off;
    ty_row_encode(batch, row, NULL, batch->ncols, &op->vkey);
    bool created;
    StateEntry *ve = vkey_upsert(op, g, &created);
    ValEntry *v = val(ve);
    if (created) {
        v->val_off = (uint32_t)off;
        v->val_len = (uint32_t)len;
    }
    int64_t before = v->count, after = before + w;
    v->count = after;
    int64_t delta = WB_MAX(after, 0) - WB_MAX(before, 0);
    if (delta > 0) {
        vkey_prefix(op, call, 'O', g);
        uint8_t seqb[8];
        ex_put_be64(seqb, op->seq++);
        wb_buf_append(&op->vkey, seqb, 8);
        StateEntry *oe = vkey_upsert(op, g, &created);
        ValEntry *o = val(oe);
        o->count = delta;
        o->value = ve;
        list_push_back(&slot->list.a, &slot->list.b, oe);
        if (v->chain_last) val(v->chain_last)->chain_next = oe;
        else v->chain_first = oe;
        v->chain_last = oe;
    }
    for (int64_t remove = -delta; remove > 0;) {
        StateEntry *oe = v->chain_first;
        ValEntry *o = val(oe);
        int64_t take = WB_MIN(o->count, remove);
        o->count -= take;
        remove -= take;
        if (o->count > 0) break;
        v->chain_first = o->chain_next;
        if (!v->chain_first) v->chain_last = NULL;
        list_unlink(&slot->list.a, &slot->list.b, oe);
        val_remove(op, g, oe);
    }
    if (after == 0) val_remove(op, g, ve);
}

/* DISTINCT: turns the weights of call `call` into 0->present (+1) and
 * present->0 (-1) transitions of each value within its group. */
static void distinct_filter(AggOp *op, int32_t call, const Batch *batch, int32_t nrows)
{
    const ColumnVector *col = &batch->cols[op->spec->aggs[call].arg];
    for (int32_t row = 0; row < nrows; row++) {
        int64_t w = op->eff[row];
        if (w == 0) continue;
        StateEntry *g = op->row_group[row];
        vkey_prefix(op, call, 'D', g);
        ex_value_order_encode(col, row, &op->vkey);
        bool created;
        StateEntry *e = vkey_upsert(op, g, &created);
        ValEntry *v = val(e);
        int64_t before = v->count, after = before + w;
        v->count = after;
        op->eff[row] = (int64_t)(after > 0) - (int64_t)(before > 0);
        if (after == 0) val_remove(op, g, e);
    }
}

/* Applies one aggregate call to all rows of the batch: the effective
 * weights first (FILTER, NULL arguments, DISTINCT), then one loop of the
 * call's accumulator kind. */
static void apply_call(AggOp *op, int32_t call, const Batch *batch)
{
    const AggCall *ac = &op->spec->aggs[call];
    int32_t nrows = batch->nrows;
    int64_t *eff = op->eff;
    ex_agg_filter_weights(ac, batch, eff);
    StateEntry **groups = op->row_group;
    if (ac->kind == AGG_SINGLE_VALUE) {
        /* rows count whatever their value: a NULL row is still a row */
        for (int32_t row = 0; row < nrows; row++)
            group_slot(groups[row], call)->list.nrows += eff[row];
    }
    const ColumnVector *arg = ac->arg >= 0 ? &batch->cols[ac->arg] : NULL;
    if (arg) {
        ex_agg_drop_null_args(ac, batch, eff);
        if (ac->distinct) distinct_filter(op, call, batch, nrows);
    }
    if (ac->kind == AGG_LISTAGG && ac->arg2 >= 0 && !op->has_sep[call]) {
        const ColumnVector *sep = &batch->cols[ac->arg2];
        if (!sep->nulls[0]) {
            wb_buf_append(&op->seps[call], sep->str[0].ptr, sep->str[0].len);
            op->has_sep[call] = true;
        }
    }
    switch (op->acc[call]) {
    case ACC_COUNT:
        for (int32_t row = 0; row < nrows; row++)
            group_slot(groups[row], call)->cnt.count += eff[row];
        break;
    case ACC_SUM_I:
        /* no branch: a zero weight adds nothing (int values are never
         * garbage, unlike a NULL double's bits, which may be NaN) */
        for (int32_t row = 0; row < nrows; row++) {
            AggSlot *slot = group_slot(groups[row], call);
            slot->isum.sum += (agg_i128)arg->i64[row] * eff[row];
            slot->isum.nonnull += eff[row];
        }
        break;
    case ACC_SUM_W:
        /* 38-digit values: a sum can pass 128 bits, so each step is
         * checked; the first overflow fails the batch (agg_push) */
        for (int32_t row = 0; row < nrows; row++) {
            if (eff[row] == 0) continue;
            AggSlot *slot = group_slot(groups[row], call);
            agg_i128 add;
            if (__builtin_mul_overflow((agg_i128)arg->i128[row], (agg_i128)eff[row], &add) ||
                __builtin_add_overflow(slot->isum.sum, add, &slot->isum.sum))
                op->sum_overflow = call + 1;
            slot->isum.nonnull += eff[row];
        }
        break;
    case ACC_SUM_F:
        for (int32_t row = 0; row < nrows; row++) {
            if (eff[row] == 0) continue;
            AggSlot *slot = group_slot(groups[row], call);
            slot->fsum.sum += arg->f64[row] * (double)eff[row];
            slot->fsum.nonnull += eff[row];
            /* An emptied sum restarts from an exact zero, not from the
             * rounding residue of its retractions. */
            if (slot->fsum.nonnull == 0) slot->fsum.sum = 0.0;
        }
        break;
    case ACC_MINMAX: {
        bool is_max = ac->kind == AGG_MAX;
        for (int32_t row = 0; row < nrows; row++)
            if (eff[row] != 0) minmax_update(op, call, groups[row], arg, row, eff[row], is_max);
        break;
    }
    case ACC_SEQ:
        for (int32_t row = 0; row < nrows; row++)
            if (eff[row] != 0) seq_update(op, call, groups[row], batch, arg, row, eff[row]);
        break;
    }
}

/* ---- shared with agg_flat.c (agg_int.h) ---- */

void ex_agg_filter_weights(const AggCall *ac, const Batch *batch, int64_t *eff)
{
    int32_t nrows = batch->nrows;
    memcpy(eff, batch->weights, sizeof(int64_t) * (size_t)nrows);
    if (ac->filter >= 0) {
        const ColumnVector *f = &batch->cols[ac->filter];
        for (int32_t row = 0; row < nrows; row++)
            if (f->nulls[row] || f->i64[row] == 0) eff[row] = 0;
    }
}

void ex_agg_drop_null_args(const AggCall *ac, const Batch *batch, int64_t *eff)
{
    if (ac->arg < 0) return;
    const ColumnVector *arg = &batch->cols[ac->arg];
    for (int32_t row = 0; row < batch->nrows; row++)
        if (arg->nulls[row]) eff[row] = 0;
}

int ex_agg_int_result(const AggCall *ac, int in_scale, agg_i128 sum, int64_t n,
                      ColumnVector *vec, int32_t row, WbError *err)
{
    vec->nulls[row] = 0;
    if (n == 0) {
        if (ac->kind != AGG_SUM0) vec->nulls[row] = 1;
        else if (ty_phys(ac->type) == PK_I128) vec->i128[row] = 0;
        else vec->i64[row] = 0;
        return 0;
    }
    bool range = true;
    if (ac->type.id == TY_DECIMAL) {
        /* exact: AVG rescales to the result's scale and divides HALF_UP;
         * the result must fit its precision */
        int out_scale = ac->type.scale, precision = ac->type.precision;
        if (ac->kind == AGG_AVG)
            range = ty_dec_div(sum, n, out_scale - in_scale, precision, &sum) == 0;
        else
            range = ty_dec_rescale(sum, in_scale, out_scale, precision, &sum) == 0;
        if (range) ty_dec_set(vec, row, sum);
    } else {
        if (ac->kind == AGG_AVG) sum = sum / n;   /* truncates toward zero, as Flink */
        range = sum <= INT64_MAX && sum >= INT64_MIN &&
                (ac->type.id != TY_INT || (sum <= INT32_MAX && sum >= INT32_MIN));
        if (range) vec->i64[row] = (int64_t)sum;
    }
    if (!range) return ex_agg_overflow(ac, err);
    return 0;
}

int ex_agg_overflow(const AggCall *ac, WbError *err)
{
    char tname[64];
    SqlType shown = ac->type;
    shown.nullable = 1;
    wb_error(err, WB_SQLSTATE_OVERFLOW, ac->line, ac->column, "%s result out of range for type %s",
             sql_agg_name(ac->kind), ty_name(shown, tname, sizeof tname));
    return -1;
}

void ex_agg_float_result(const AggCall *ac, double sum, int64_t n, ColumnVector *vec,
                         int32_t row)
{
    vec->nulls[row] = 0;
    if (n == 0) {
        if (ac->kind == AGG_SUM0) vec->f64[row] = 0.0;
        else vec->nulls[row] = 1;
    } else {
        vec->f64[row] = ac->kind == AGG_AVG ? sum / (double)n : sum;
    }
}

void ex_agg_hash_keys(const AggSpec *spec, bool i64_keys, const Batch *batch, uint64_t *h)
{
    int32_t nrows = batch->nrows;
    if (!i64_keys) {
        for (int32_t row = 0; row < nrows; row++)
            h[row] = ty_row_hash(batch, row, spec->group, spec->ngroup);
        return;
    }
    ty_hash_i64_rows(batch, spec->group, spec->ngroup, h);
}

/* ---- output rows ---- */

static void put_value_entry(StateEntry *ve, Batch *dst, int32_t col, int32_t row)
{
    ValEntry *v = val(ve);
    ex_value_order_decode(ve->key + v->val_off, v->val_len, dst, col, row);
}

/* Writes the output row of group g (group columns, then one value per
 * call) into row `row` of dst.  -1 with err when a sum does not fit. */
static int write_row_slots(AggOp *op, StateEntry *g, const AggSlot *slots, Batch *dst,
                           int32_t row, WbError *err)
{
    const AggSpec *spec = op->spec;
    const PlanNode *node = op->base.node;
    ty_row_decode(g->key, node->types, spec->ngroup, dst, row, 0);
    for (int32_t call = 0; call < spec->naggs; call++) {
        const AggCall *ac = &spec->aggs[call];
        const AggSlot *slot = &slots[call];
        int32_t col = spec->ngroup + call;
        ColumnVector *vec = &dst->cols[col];
        vec->nulls[row] = 0;
        switch (op->acc[call]) {
        case ACC_COUNT:
            vec->i64[row] = slot->cnt.count;
            break;
        case ACC_SUM_I:
        case ACC_SUM_W: {
            int in_scale = op->in_types[ac->arg].scale;
            if (ex_agg_int_result(ac, in_scale, slot->isum.sum, slot->isum.nonnull, vec, row,
                                  err) != 0)
                return -1;
            break;
        }
        case ACC_SUM_F:
            ex_agg_float_result(ac, slot->fsum.sum, slot->fsum.nonnull, vec, row);
            break;
        case ACC_MINMAX:
            if (slot->list.a) put_value_entry(slot->list.a, dst, col, row);
            else vec->nulls[row] = 1;
            break;
        case ACC_SEQ: {
            StateEntry *occ = ac->kind == AGG_LAST_VALUE ? slot->list.b : slot->list.a;
            if (!occ) {
                vec->nulls[row] = 1;
                break;
            }
            if (ac->kind != AGG_LISTAGG) {
                put_value_entry(val(occ)->value, dst, col, row);
                break;
            }
            WbBuf *text = &op->text;
            wb_buf_clear(text);
            bool first = true;
            for (; occ; occ = val(occ)->next) {
                StateEntry *ve = val(occ)->value;
                uint32_t off = val(ve)->val_off, len = val(ve)->val_len;
                for (int64_t k = 0; k < val(occ)->count; k++) {
                    if (!first) {
                        if (op->has_sep[call]) wb_buf_append(text, op->seps[call].data, op->seps[call].len);
                        else wb_buf_putc(text, ',');
                    }
                    first = false;
                    wb_buf_append(text, ve->key + off, len);
                }
            }
            vec->str[row] = ty_batch_str(dst, text->data, (uint32_t)text->len);
            break;
        }
        }
    }
    return 0;
}

/* Writes the current output row of group g. */
static int write_row(AggOp *op, StateEntry *g, Batch *dst, int32_t row, WbError *err)
{
    return write_row_slots(op, g, group_slot(g, 0), dst, row, err);
}

static int append_row(AggOp *op, StateEntry *g, int64_t weight, WbError *err)
{
    Batch *b = op->out.batch;
    if (b->nrows >= b->capacity) ty_batch_reserve(b, b->nrows + 1);
    int32_t row = b->nrows;
    if (write_row(op, g, b, row, err) != 0) return -1;
    b->weights[row] = weight;
    b->nrows++;
    return 0;
}

/* SINGLE_VALUE: more than one (net) row in group g is an error. */
static int check_single(AggOp *op, StateEntry *g, WbError *err)
{
    for (int32_t call = 0; call < op->spec->naggs; call++) {
        if (op->spec->aggs[call].kind != AGG_SINGLE_VALUE) continue;
        if (group_slot(g, call)->list.nrows > 1) {
            wb_error(err, WB_SQLSTATE_CARDINALITY, 0, 0,
                     "more than one row returned by a subquery used as an expression");
            return -1;
        }
    }
    return 0;
}

/* ---- the operator ---- */

static void ensure_rows(AggOp *op, int32_t nrows)
{
    if (nrows <= op->row_cap) return;
    op->row_cap = nrows;
    op->row_group = wb_realloc(op->row_group, sizeof(StateEntry *) * (size_t)nrows);
    op->row_hash = wb_realloc(op->row_hash, sizeof(uint64_t) * (size_t)nrows);
    op->key_off = wb_realloc(op->key_off, sizeof(uint32_t) * (size_t)(nrows + 1));
    op->eff = wb_realloc(op->eff, sizeof(int64_t) * (size_t)nrows);
}

/* Records a group touched by this batch and snapshots its current output. */
static int touch(AggOp *op, StateEntry *g, WbError *err)
{
    GroupHdr *hdr = group_hdr(g);
    hdr->epoch = op->epoch;
    if (op->ntouched == op->touched_cap) {
        op->touched_cap = op->touched_cap ? op->touched_cap * 2 : 64;
        op->touched = wb_realloc(op->touched, sizeof(StateEntry *) * (size_t)op->touched_cap);
        op->had_old = wb_realloc(op->had_old, (size_t)op->touched_cap);
        if (op->flat)
            op->old_slots = wb_realloc(op->old_slots, sizeof(AggSlot) * (size_t)op->touched_cap *
                                                          (size_t)(op->spec->naggs ? op->spec->naggs : 1));
    }
    int32_t idx = op->ntouched++;
    hdr->touched_idx = idx;
    op->touched[idx] = g;
    op->had_old[idx] = hdr->emitted;
    if (op->flat) {
        /* Flat accumulators hold plain numbers: keep their bytes and build
         * the old row only if the group's output changes. */
        size_t n = (size_t)op->spec->naggs;
        memcpy(op->old_slots + (size_t)idx * n, group_slot(g, 0), sizeof(AggSlot) * n);
        return 0;
    }
    Batch *olds = op->olds;
    if (olds->nrows >= olds->capacity) ty_batch_reserve(olds, olds->nrows + 1);
    olds->nrows++;
    if (hdr->emitted) return write_row(op, g, olds, idx, err);
    return 0;
}

/* Flat accumulators: emits the changes of touched group idx, comparing
 * the slot bytes first so an unchanged group costs no row building. */
static int emit_flat(AggOp *op, int32_t idx, bool has_new, WbError *err)
{
    StateEntry *g = op->touched[idx];
    size_t n = (size_t)op->spec->naggs;
    const AggSlot *old = op->old_slots + (size_t)idx * n;
    bool had_old = op->had_old[idx];
    if (had_old && has_new && memcmp(old, group_slot(g, 0), sizeof(AggSlot) * n) == 0)
        return 0;
    Batch *out = op->out.batch;
    if (had_old) {
        if (write_row_slots(op, g, old, out, out->nrows, err) != 0) return -1;
        out->weights[out->nrows++] = -1;
    }
    if (has_new && append_row(op, g, 1, err) != 0) return -1;
    if (had_old && has_new && ex_rows_equal(out, out->nrows - 2, out, out->nrows - 1))
        out->nrows -= 2;
    return 0;
}

/* Window mode: the batch without the rows of windows that have fired
 * (window_end - 1 ms <= the watermark), counted as late; NULL when none
 * is left. */
static const Batch *drop_late(AggOp *op, const Batch *batch)
{
    int64_t wm = op->base.watermark;
    if (wm > INT64_MIN + op->late_us) wm -= op->late_us;   /* a late fire's lateness */
    const ColumnVector *end = &batch->cols[op->spec->window_end];
    int32_t n = batch->nrows, nkeep = 0;
    bool late = false;
    bool ltz = op->spec->window_ltz;
    for (int32_t row = 0; row < n && !late; row++)
        late = (ltz ? wb_tz_to_utc(end->i64[row]) : end->i64[row]) - 1000 <= wm;
    if (!late) return batch;
    wb_arena_reset(&op->scratch);
    op->keep = wb_arena_alloc(&op->scratch, sizeof(int32_t) * (size_t)n);
    for (int32_t row = 0; row < n; row++) {
        if ((ltz ? wb_tz_to_utc(end->i64[row]) : end->i64[row]) - 1000 <= wm) ex_late_row(&op->base, batch, row);
        else op->keep[nkeep++] = row;
    }
    if (nkeep == 0) return NULL;
    return ex_batch_compact(batch, op->keep, nkeep, &op->scratch);
}

/* A group's timers (window end, late-fire cleanup, TTL) are keyed by the
 * group's hash and key, so that the group is found again when one fires. */
static void group_timer(AggOp *op, TimerService *timers, int64_t time, const StateEntry *g)
{
    wb_buf_clear(&op->text);
    wb_buf_append(&op->text, &g->hash, 8);
    wb_buf_append(&op->text, g->key, g->key_len);
    st_timers_register(timers, time, op->text.data, (uint32_t)op->text.len);
}

/* The group a fired timer names, or NULL when it is gone. */
static StateEntry *timer_group(AggOp *op, const uint8_t *key, uint32_t len)
{
    uint64_t hash;
    memcpy(&hash, key, 8);
    return st_table_find(op->groups, key + 8, len - 8, hash);
}

/* TTL: the group was used now; one timer per group is pending at a time. */
static void ttl_touch(AggOp *op, StateEntry *g)
{
    GroupHdr *hdr = group_hdr(g);
    hdr->used_us = op->now_us;
    if (hdr->ttl_timer) return;
    hdr->ttl_timer = 1;
    group_timer(op, op->ttl, op->now_us + op->ttl_us, g);
}

/* Window mode: a new group's timer, at its window's last millisecond. */
static void register_window(AggOp *op, StateEntry *g, const Batch *batch, int32_t row)
{
    int64_t end = batch->cols[op->spec->window_end].i64[row];
    group_timer(op, op->timers, (op->spec->window_ltz ? wb_tz_to_utc(end) : end) - 1000, g);
}

/* Prefetch distances in rows (index slot, then entry); 24/12 and 32/16
 * measured no better. */
#define PF_SLOT 16
#define PF_ENTRY 8

/* Emits the changes of the groups touched since the last emission (-U old
 * and +U new next to each other, +I for a new group, -D for an emptied
 * one) and starts a new emission period. */
static int emit_touched(AggOp *op, WbError *err)
{
    Operator *base = &op->base;
    bool global = op->spec->ngroup == 0;
    Batch *out = op->out.batch;
    for (int32_t idx = 0; idx < op->ntouched; idx++) {
        StateEntry *g = op->touched[idx];
        GroupHdr *hdr = group_hdr(g);
        if (op->window && !op->early && !hdr->emitted) {
            /* late fire only: a window's row comes out when it fires,
             * changes after that as updates */
            if (hdr->nrows == 0 && hdr->nvals == 0) drop_group(op, g);
            continue;
        }
        if (op->has_single && check_single(op, g, err) != 0) return -1;
        bool has_new = global || hdr->nrows > 0;
        if (ex_out_reserve(base, &op->out, 2, err) != 0) return -1;
        int32_t first = out->nrows;
        if (op->flat) {
            if (emit_flat(op, idx, has_new, err) != 0) return -1;
        } else {
            if (op->had_old[idx]) ty_batch_append_row(out, op->olds, idx, -1);
            if (has_new && append_row(op, g, 1, err) != 0) return -1;
            if (op->had_old[idx] && has_new &&
                ex_rows_equal(out, out->nrows - 2, out, out->nrows - 1))
                out->nrows -= 2;
        }
        /* both rows out: the group's update (-U old, +U new); one alone
         * is a new group (+I) or an emptied one (-D) */
        if (out->nrows == first + 2) ty_mark_update(out, first);
        hdr->emitted = has_new;
        if (hdr->nrows == 0 && hdr->nvals == 0 && !global) {
            if (op->window) drop_group(op, g);
            else st_table_remove(op->groups, g);
        }
    }
    op->epoch++;
    op->ntouched = 0;
    ty_batch_reset(op->olds);
    return ex_out_flush(base, &op->out, err);
}

static int agg_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    AggOp *op = (AggOp *)base;
    /* changes are tracked per group in streaming mode, and by a window
     * aggregate only when it fires early; they are emitted after each
     * batch, or (early fire with a delay) every delay */
    bool streaming = !base->ctx->batch_mode && (!op->window || op->tracking);
    bool per_batch = streaming && !(op->window && op->early_us > 0);
    if (op->ttl) op->now_us = wb_clock_now(base->ctx->clock);
    if (op->window && !op->spec->window_proctime && !(batch = drop_late(op, batch))) return 0;
    int32_t nrows = batch->nrows;
    ensure_rows(op, nrows);
    /* Pass 1: encode and hash every row's group key (the hash is
     * ty_row_hash's, computed column at a time when the key columns are
     * all int64-backed).  Pass 2 looks the
     * groups up with prefetches running ahead (the index slot 16 rows
     * ahead, the entry 8 rows ahead), so that the cache misses of a large
     * group table overlap instead of stalling one row at a time. */
    wb_buf_clear(&op->keys);
    for (int32_t row = 0; row < nrows; row++) {
        op->key_off[row] = (uint32_t)op->keys.len;
        ty_row_encode(batch, row, op->spec->group, op->spec->ngroup, &op->keys);
    }
    op->key_off[nrows] = (uint32_t)op->keys.len;
    ex_agg_hash_keys(op->spec, op->i64_keys, batch, op->row_hash);
    for (int32_t row = 0; row < nrows && row < PF_SLOT; row++) st_table_prefetch(op->groups, op->row_hash[row]);
    for (int32_t row = 0; row < nrows; row++) {
        if (row + PF_SLOT < nrows) st_table_prefetch(op->groups, op->row_hash[row + PF_SLOT]);
        if (row + PF_ENTRY < nrows) st_table_prefetch_entry(op->groups, op->row_hash[row + PF_ENTRY]);
        bool created = false;
        StateEntry *g = st_table_upsert(op->groups, op->keys.data + op->key_off[row],
                                        op->key_off[row + 1] - op->key_off[row],
                                        op->row_hash[row], &created);
        if (created && op->window) register_window(op, g, batch, row);
        GroupHdr *hdr = group_hdr(g);
        if (op->ttl) ttl_touch(op, g);
        if (streaming && hdr->epoch != op->epoch && touch(op, g, err) != 0) return -1;
        hdr->nrows += batch->weights[row];
        op->row_group[row] = g;
    }
    for (int32_t call = 0; call < op->spec->naggs; call++) apply_call(op, call, batch);
    if (op->sum_overflow) return ex_agg_overflow(&op->spec->aggs[op->sum_overflow - 1], err);
    if (!per_batch) return 0;
    return emit_touched(op, err);
}

/* Window mode: fires the windows whose end time passed, in time order. */
static int fire_windows(AggOp *op, int64_t wm, WbError *err)
{
    Operator *base = &op->base;
    /* early fire: the pending changes first; a group already out is then
     * final as it stands */
    if (op->tracking && op->ntouched > 0 &&
        (st_timers_next(op->timers) <= wm || (op->cleanup && st_timers_next(op->cleanup) <= wm)) &&
        emit_touched(op, err) != 0)
        return -1;
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->timers, wm, &time, &key, &len)) {
        StateEntry *g = timer_group(op, key, len);
        if (!g) continue;
        if (group_hdr(g)->nrows > 0 && !group_hdr(g)->emitted) {
            if (op->has_single && check_single(op, g, err) != 0) return -1;
            if (ex_out_reserve(base, &op->out, 1, err) != 0) return -1;
            if (append_row(op, g, 1, err) != 0) return -1;
            group_hdr(g)->emitted = 1;
        }
        if (op->cleanup) {
            /* late fire: late rows update the window until end + lateness */
            st_timers_register(op->cleanup, time + op->late_us, key, len);
            continue;
        }
        drop_group(op, g);
    }
    while (op->cleanup && st_timers_pop(op->cleanup, wm, &time, &key, &len)) {
        StateEntry *g = timer_group(op, key, len);
        if (g) drop_group(op, g);
    }
    return ex_out_flush(base, &op->out, err);
}

static int agg_watermark(Operator *base, int64_t wm, WbError *err)
{
    AggOp *op = (AggOp *)base;
    if (!op->window || op->spec->window_proctime) return 0;
    return fire_windows(op, wm, err);
}

/* TTL: groups not updated for the TTL are dropped (as Flink's state TTL:
 * silently; a later row of the key starts a new group). */
static void expire_groups(AggOp *op, int64_t now)
{
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->ttl, now, &time, &key, &len)) {
        StateEntry *g = timer_group(op, key, len);
        if (!g) continue;
        GroupHdr *hdr = group_hdr(g);
        if (!ex_ttl_expired(op->ttl, now, hdr->used_us, op->ttl_us, key, len)) continue;
        op->base.state_expired++;
        drop_group(op, g);
    }
}

static int agg_proctime(Operator *base, int64_t now, WbError *err)
{
    AggOp *op = (AggOp *)base;
    if (op->ttl) expire_groups(op, now);
    if (op->tracking && op->early_us > 0 && now >= op->next_early_us) {
        op->next_early_us = now + op->early_us;
        if (emit_touched(op, err) != 0) return -1;
    }
    if (!op->window || !op->spec->window_proctime) return 0;
    return fire_windows(op, now, err);
}

static int agg_finish(Operator *base, WbError *err)
{
    AggOp *op = (AggOp *)base;
    /* event time: the end-of-input watermark fired them all; processing
     * time: the job ends, so do its windows */
    if (op->window) return fire_windows(op, INT64_MAX, err);
    bool global = op->spec->ngroup == 0;
    if (global) {
        /* the one row of a global aggregate exists even over no input */
        st_table_upsert(op->groups, "", 0, ty_row_hash(NULL, 0, NULL, 0), NULL);
    }
    StateIter it;
    st_iter_init(&it, op->groups);
    for (StateEntry *g; (g = st_iter_next(&it));) {
        GroupHdr *hdr = group_hdr(g);
        if (op->has_single && check_single(op, g, err) != 0) return -1;
        if (hdr->emitted) continue;
        if (!global && hdr->nrows <= 0) continue;
        if (ex_out_reserve(base, &op->out, 1, err) != 0) return -1;
        if (append_row(op, g, 1, err) != 0) return -1;
        hdr->emitted = 1;
    }
    return ex_out_flush(base, &op->out, err);
}

static void agg_destroy(Operator *base)
{
    AggOp *op = (AggOp *)base;
    if (op->window) {
        st_timers_free(op->timers);
        wb_arena_destroy(&op->scratch);
    }
    st_timers_free(op->cleanup);
    st_timers_free(op->ttl);
    st_table_free(op->groups);
    st_table_free(op->vals);
    wb_buf_free(&op->key);
    wb_buf_free(&op->vkey);
    wb_buf_free(&op->text);
    for (int32_t call = 0; call < op->spec->naggs; call++) wb_buf_free(&op->seps[call]);
    free(op->seps);
    free(op->has_sep);
    free(op->acc);
    free(op->row_group);
    free(op->row_hash);
    free(op->key_off);
    wb_buf_free(&op->keys);
    free(op->eff);
    free(op->touched);
    free(op->had_old);
    free(op->old_slots);
    ty_batch_free(op->olds);
    ex_out_free(&op->out);
}

static int64_t agg_state_bytes(const Operator *base)
{
    const AggOp *op = (const AggOp *)base;
    return st_table_bytes(op->groups) + st_table_bytes(op->vals) +
           (op->timers ? st_timers_bytes(op->timers) : 0) + (op->ttl ? st_timers_bytes(op->ttl) : 0);
}

static const OpVTable agg_vt = {"GroupAggregate", agg_push, NULL, agg_finish, agg_destroy,
                                agg_state_bytes, agg_watermark, agg_proctime};

static int bad_plan(WbError *err, const char *what, int32_t call)
{
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "aggregate call %d: %s", (int)call, what);
    return -1;
}

int ex_agg_choose_acc(const PlanNode *node, const SqlType *in_types, int32_t in_ncols,
                      AccKind *acc, WbError *err)
{
    const AggSpec *spec = &node->agg;
    for (int32_t call = 0; call < spec->naggs; call++) {
        const AggCall *ac = &spec->aggs[call];
        if (ac->arg >= in_ncols || ac->arg2 >= in_ncols || ac->filter >= in_ncols)
            return bad_plan(err, "column out of range", call);
        if (ac->arg < 0 && ac->kind != AGG_COUNT_STAR)
            return bad_plan(err, "missing argument", call);
        PhysKind arg_phys = ac->arg >= 0 ? ty_phys(in_types[ac->arg]) : PK_I64;
        switch (ac->kind) {
        case AGG_COUNT_STAR:
        case AGG_COUNT:
            acc[call] = ACC_COUNT;
            break;
        case AGG_SUM:
        case AGG_SUM0:
        case AGG_AVG:
            if (arg_phys == PK_STR || (arg_phys == PK_F64) != (ty_phys(ac->type) == PK_F64) ||
                (arg_phys == PK_I128 && ty_phys(ac->type) != PK_I128))
                return bad_plan(err, "sum of a non-number", call);
            acc[call] = arg_phys == PK_F64 ? ACC_SUM_F : arg_phys == PK_I128 ? ACC_SUM_W : ACC_SUM_I;
            break;
        case AGG_MIN:
        case AGG_MAX:
            acc[call] = ACC_MINMAX;
            break;
        case AGG_FIRST_VALUE:
        case AGG_LAST_VALUE:
        case AGG_LISTAGG:
        case AGG_SINGLE_VALUE:
            acc[call] = ACC_SEQ;
            break;
        default:
            return bad_plan(err, "unknown aggregate", call);
        }
        if ((acc[call] == ACC_MINMAX || acc[call] == ACC_SEQ) &&
            ty_phys(ac->type) != arg_phys)
            return bad_plan(err, "result and argument types differ", call);
    }
    return 0;
}

Operator *ex_agg_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    const AggSpec *spec = &node->agg;
    if (node->ninputs != 1 || node->ncols != spec->ngroup + spec->naggs || spec->naggs > 65535) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "malformed AGG plan node %d", (int)node->id);
        return NULL;
    }
    const PlanNode *in = node->inputs[0];
    for (int32_t i = 0; i < spec->ngroup; i++) {
        if (spec->group[i] < 0 || spec->group[i] >= in->ncols) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "AGG group column out of range");
            return NULL;
        }
    }
    AccKind *acc = wb_calloc((size_t)(spec->naggs ? spec->naggs : 1), sizeof(AccKind));
    if (ex_agg_choose_acc(node, in->types, in->ncols, acc, err) != 0) {
        free(acc);
        return NULL;
    }
    /* the state TTL is kept by the general aggregate only */
    int64_t ttl_ms = ex_state_ttl_ms(ctx, spec->state_ttl_ms);
    if (!ctx->general_agg_only && !(ttl_ms > 0 && spec->ngroup > 0) && ex_agg_flat_fits(node, acc))
        return ex_agg_flat_new(node, ctx, acc);
    AggOp *op = wb_calloc(1, sizeof(AggOp));
    ex_op_init(&op->base, &agg_vt, node, ctx);
    op->spec = spec;
    op->in_types = in->types;
    op->acc = acc;
    op->flat = true;
    for (int32_t call = 0; call < spec->naggs; call++) {
        if (spec->aggs[call].kind == AGG_SINGLE_VALUE) op->has_single = true;
        if (acc[call] == ACC_MINMAX || acc[call] == ACC_SEQ) op->flat = false;
    }
    op->inserts_only = in->mode == CM_INSERT_ONLY;
    op->epoch = 1;   /* a new group's epoch is 0: not yet touched */
    op->window = spec->window;
    if (op->window) {
        op->timers = st_timers_new();
        wb_arena_init(&op->scratch, 4096);
    }
    /* state TTL bounds unbounded state: window state is freed by time */
    if (ttl_ms > 0 && !op->window && spec->ngroup > 0) {
        op->ttl_us = ttl_ms * 1000;
        op->ttl = st_timers_new();
    }
    op->link_vals = op->window || op->ttl;
    if (op->window && ctx->early_fire && !ctx->batch_mode) {
        op->early = true;
        op->early_us = ctx->early_fire_delay_ms * 1000;
    }
    if (op->window && ctx->late_fire && ctx->allow_lateness_ms > 0 && !ctx->batch_mode &&
        !spec->window_proctime) {
        op->late_us = ctx->allow_lateness_ms * 1000;
        op->cleanup = st_timers_new();
        if (!op->early) op->early_us = ctx->late_fire_delay_ms * 1000;
    }
    op->tracking = op->early || op->late_us > 0;
    if (op->tracking) op->next_early_us = wb_clock_now(ctx->clock) + op->early_us;
    op->i64_keys = true;
    for (int32_t i = 0; i < spec->ngroup; i++)
        if (ty_phys(in->types[spec->group[i]]) != PK_I64) op->i64_keys = false;
    op->groups = st_table_new((uint32_t)(SLOT_OFFSET + sizeof(AggSlot) * (size_t)spec->naggs));
    op->vals = st_table_new(sizeof(ValEntry));
    op->seps = wb_calloc((size_t)(spec->naggs ? spec->naggs : 1), sizeof(WbBuf));
    op->has_sep = wb_calloc((size_t)(spec->naggs ? spec->naggs : 1), sizeof(bool));
    /* never-NULL scratch data: an empty group key is still a valid key */
    wb_buf_reserve(&op->key, 64);
    wb_buf_reserve(&op->vkey, 64);
    wb_buf_reserve(&op->text, 64);
    op->olds = ty_batch_new(node->types, node->ncols, 64);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
