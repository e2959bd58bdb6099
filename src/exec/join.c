/*
 * join.c - PN_JOIN, the regular hash join of two changelogs (port 0 left,
 * port 1 right): INNER, LEFT, RIGHT, FULL, SEMI, ANTI and null-aware ANTI
 * (NOT IN), all retracting.
 *
 * State per side: `keys` maps a join key to the list of that side's
 * distinct rows with the key; `rows` maps key ++ row to the row's
 * multiplicity (weight) and its match count M = the summed weight of the
 * other side's rows that match it (keys equal and not NULL, cond TRUE).
 *
 * The output is a function of the two states, for weights of any sign:
 *   pair (l, r) with weight w(l) * w(r) for every matching pair;
 *   padded (l, NULLs) with weight w(l) when M(l) = 0 (LEFT/FULL), and
 *   (NULLs, r) likewise (RIGHT/FULL);
 *   SEMI: l with w(l) when M(l) != 0; ANTI: when M(l) = 0;
 *   NOT IN: l with w(l) when l's key is NULL ? the right side is empty :
 *           M(l) = 0 and the right side holds no NULL key.
 * A delta row of one side changes its own weight and the M of the rows it
 * matches; the operator emits exactly the resulting change of that
 * function, so retraction order and batch splits do not matter.
 *
 * Per input batch, the candidate pairs of a chunk of delta rows (same key,
 * from the other side's state) are materialised as one batch of
 * left ++ right columns, the condition is evaluated over it vector-wise,
 * and then the delta rows are applied one after the other.
 *
 * Row kinds follow Flink's StreamingJoinOperator: outer joins (and their
 * padded rows) emit only +I and -D; an inner join forwards the kind of the
 * delta row.  weir keeps the contract that a -U is directly followed by
 * its +U (types.h), so an inner join forwards an update only when the
 * delta's -U row and +U row each produce exactly one joined row (weight
 * -1, +1: the usual lookup of a dimension); with any other fan-out the
 * update's rows go out as -D and +I, which Flink documents as equivalent
 * for a join (FLINK-17337).
 *
 * Once the right input has ended, the left rows of an INNER or RIGHT join
 * are not kept either (symmetrically: a stream joined to a bounded side
 * table keeps only the table).  Once the left input has ended, the right
 * rows of an INNER, LEFT, SEMI or ANTI join are not kept: no left row will come to match them and the
 * right side is never null-padded, so they only probe the left state (and
 * update its match counts).  A batch job reads a join's left input to its
 * end before its right input starts, and the optimizer puts the smaller
 * input of a batch inner join on the left: the hash join of a batch
 * engine, with the left side as the build side.  SEMI and ANTI joins
 * (and NOT IN's) go the other way: once the right input has ended, a left
 * row's fate is final, so it is emitted or dropped as it arrives and not
 * kept; a batch job reads their right input first (runtime/job.c).
 *
 * Batch mode (`deferred`): the rows that depend on the absence of a match
 * (outer joins' padded rows, ANTI, NOT IN) are emitted once, at the end of
 * input, from the final state, as Flink's batch joins emit only final rows;
 * emitted on arrival, a padded row taken back when its match came later
 * was a retraction that an append-only sink (filesystem) must refuse.
 * Pairs and SEMI rows are emitted as they form: over inputs of inserts
 * they are never taken back.
 *
 * An interval join (JoinSpec.interval) is this join with state that
 * expires: a left row of time tl can only match right rows of time in
 * [tl - upper, tl - lower], so once the watermark reaches tl - lower no
 * row to come can match it (a right row's bound is tr + upper).  Each
 * row gets an event-time timer at that bound; when it fires the row
 * leaves the state, and an outer join's row that never matched is emitted
 * NULL-padded then, once (padded rows are deferred as in batch mode), so
 * the output only inserts.  Batch mode expires everything at the end.
 */
#include "exec/op_int.h"

#include <stdlib.h>

#include "state/timers.h"

typedef struct KeyHead {
    StateEntry *first;          /* the side's rows with this key */
} KeyHead;

typedef struct JoinRow {
    int64_t weight;
    int64_t matches;
    StateEntry *prev, *next;    /* in the key's row list */
    StateEntry *head;           /* the key's KeyHead entry */
    uint32_t row_off;           /* where the row starts in the entry key */
    uint8_t key_null;           /* some key column is NULL: never matches */
    uint8_t ttl_timer;          /* state TTL: a timer is pending */
    int64_t used_us;            /* state TTL: processing time of the last change */
} JoinRow;

typedef struct JoinOp {
    Operator base;
    const JoinSpec *spec;
    bool outer[2];              /* side is null-padded when unmatched */
    bool deferred;              /* batch mode: padded, ANTI, NOT IN rows at the end */
    bool probe_after_left;      /* right rows need no state once the left side ended */
    bool left_done;             /* the left input has ended */
    bool probe_after_right;     /* SEMI/ANTI: left rows are decided once the right ended */
    bool probe_left_after_right;/* INNER/RIGHT: left rows need no state once the right ended */
    bool right_done;
    const SqlType *types[2];
    int32_t ncols[2];
    int32_t *key_cols[2];
    int32_t *side_cols[2];      /* the side's columns within a pair row */
    StateTable *keys[2], *rows[2];
    int64_t right_total, right_nulls;   /* NOT IN: right side weight, NULL-key weight */
    WbBuf key;
    /* candidate pairs of the current chunk */
    Batch *pairs;
    StateEntry **pair_other;
    uint8_t *pair_match;
    int32_t pair_cap;
    int32_t *row_pairs;         /* per delta row of the chunk: its first pair */
    int32_t row_pairs_cap;
    /* Per delta row of the chunk, when rows are stored: its key ++ row
     * encoding (in `enc`, at enc_off, the key's first key_len bytes) and
     * the hashes of the key and of the whole, worked out before the rows
     * are applied so the state tables' slots can be prefetched ahead */
    WbBuf enc;
    uint32_t *enc_off, *enc_len, *enc_klen;
    uint64_t *khash, *rhash;
    WbArena scratch;            /* condition vectors */
    TimerService *expiry;       /* interval join: key = side ++ the row's state key */
    TimerService *ttl;          /* state TTL: the same keys */
    int64_t ttl_us[2], now_us;  /* per side; 0 = that side's rows stay */
    WbBuf tkey;
    ExOut out;
} JoinOp;

static inline JoinRow *jrow(StateEntry *e) { return st_payload(e); }
static inline KeyHead *khead(StateEntry *e) { return st_payload(e); }

/* Encodes the join key of `row` into op->key; returns whether a key column
 * is NULL. */
static bool encode_key(JoinOp *op, int side, const Batch *batch, int32_t row)
{
    wb_buf_clear(&op->key);
    const int32_t *cols = op->key_cols[side];
    bool has_null = false;
    for (int32_t k = 0; k < op->spec->nkeys; k++) has_null |= batch->cols[cols[k]].nulls[row] != 0;
    ty_row_encode(batch, row, cols, op->spec->nkeys, &op->key);
    return has_null;
}

/* ---- output ---- */

static int out_row(JoinOp *op, int32_t *row, int64_t weight, WbError *err)
{
    if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
    *row = ex_out_null_row(&op->out, weight);
    return 0;
}

/* The columns of one side (from src at src_cols, NULL = 0..n) with the
 * other side NULL, or just the left columns for SEMI/ANTI. */
static int emit_side(JoinOp *op, int side, const Batch *src, int32_t src_row,
                     const int32_t *src_cols, int64_t weight, WbError *err)
{
    if (weight == 0) return 0;
    int32_t row;
    if (out_row(op, &row, weight, err) != 0) return -1;
    int32_t dst_col = side == 0 ? 0 : op->ncols[0];
    ty_batch_copy_cols(op->out.batch, row, dst_col, src, src_row, src_cols, op->ncols[side]);
    return 0;
}

static int emit_pair(JoinOp *op, int32_t pair, int64_t weight, WbError *err)
{
    if (weight == 0) return 0;
    if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
    ty_batch_append_row(op->out.batch, op->pairs, pair, weight);
    return 0;
}

/* A row of `side` kept in state, the other side NULL (NOT IN's
 * re-evaluation of all rows, the deferred rows of batch mode). */
static int emit_state_row(JoinOp *op, int side, StateEntry *e, int64_t weight, WbError *err)
{
    if (weight == 0) return 0;
    int32_t row;
    if (out_row(op, &row, weight, err) != 0) return -1;
    ty_row_decode(e->key + jrow(e)->row_off, op->types[side], op->ncols[side], op->out.batch, row,
                  side == 0 ? 0 : op->ncols[0]);
    return 0;
}

/* ---- pairs ---- */

static void ensure_pairs(JoinOp *op, int32_t n)
{
    if (n <= op->pair_cap) return;
    int32_t cap = op->pair_cap ? op->pair_cap : 256;
    while (cap < n) cap *= 2;
    op->pair_cap = cap;
    op->pair_other = wb_realloc(op->pair_other, sizeof(StateEntry *) * (size_t)cap);
    op->pair_match = wb_realloc(op->pair_match, (size_t)cap);
    ty_batch_reserve(op->pairs, cap);
}

/* Appends the candidate pairs of delta row `row` of side `side`. */
static void gather(JoinOp *op, int side, const Batch *batch, int32_t row)
{
    if (encode_key(op, side, batch, row)) return;   /* NULL never matches */
    int other = 1 - side;
    uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6b65);
    StateEntry *he = st_table_find(op->keys[other], op->key.data, (uint32_t)op->key.len, hash);
    if (!he) return;
    Batch *pairs = op->pairs;
    int32_t own_col = side == 0 ? 0 : op->ncols[0];
    int32_t other_col = other == 0 ? 0 : op->ncols[0];
    for (StateEntry *e = khead(he)->first; e; e = jrow(e)->next) {
        ensure_pairs(op, pairs->nrows + 1);
        int32_t p = pairs->nrows++;
        ty_batch_copy_cols(pairs, p, own_col, batch, row, NULL, op->ncols[side]);
        ty_row_decode(e->key + jrow(e)->row_off, op->types[other], op->ncols[other], pairs, p,
                      other_col);
        pairs->weights[p] = 0;
        op->pair_other[p] = e;
    }
}

/* Evaluates the condition over the chunk's pairs into pair_match. */
static int eval_cond(JoinOp *op, WbError *err)
{
    int32_t n = op->pairs->nrows;
    if (!op->spec->cond) {
        memset(op->pair_match, 1, (size_t)n);
        return 0;
    }
    if (n == 0) return 0;
    ColumnVector vec;
    ex_vector_alloc(&vec, op->spec->cond->type, n, &op->scratch);
    if (ex_eval(op->spec->cond, op->pairs, &vec, &op->scratch, err) != 0) return -1;
    for (int32_t p = 0; p < n; p++) op->pair_match[p] = !vec.nulls[p] && vec.i64[p] != 0;
    return 0;
}

/* ---- applying one delta row ---- */

/* NOT IN's output indicator of a left row. */
static inline bool nin_visible(const JoinRow *l, int64_t matches, int64_t total, int64_t nulls)
{
    return l->key_null ? total == 0 : matches == 0 && nulls == 0;
}

static bool type_visible(JoinType type, const JoinRow *l, int64_t matches, int64_t total,
                         int64_t nulls)
{
    switch (type) {
    case JT_SEMI: return matches != 0;
    case JT_ANTI: return matches == 0;
    case JT_ANTI_NULL_AWARE: return nin_visible(l, matches, total, nulls);
    default: return false;
    }
}

/* Finds or creates the state entry of delta row `row` (its key is in
 * op->key, key_null tells whether it has a NULL). */
/* The state entry of a delta row: `pre` its chunk index when the chunk's
 * encodings and hashes were worked out ahead (JoinOp.enc), else -1. */
static StateEntry *own_entry(JoinOp *op, int side, const Batch *batch, int32_t row, bool key_null,
                             int32_t pre)
{
    size_t key_len;
    uint64_t khash, hash;
    if (pre >= 0) {
        wb_buf_clear(&op->key);
        wb_buf_append(&op->key, op->enc.data + op->enc_off[pre], op->enc_len[pre]);
        key_len = op->enc_klen[pre];
        khash = op->khash[pre];
        hash = op->rhash[pre];
    } else {
        key_len = op->key.len;
        khash = wb_hash_bytes(op->key.data, key_len, 0x6b65);
        ty_row_encode(batch, row, NULL, op->ncols[side], &op->key);
        hash = wb_hash_bytes(op->key.data, op->key.len, 0x726f);
    }
    bool created;
    StateEntry *e = st_table_upsert(op->rows[side], op->key.data, (uint32_t)op->key.len, hash, &created);
    if (!created) return e;
    if (op->expiry) {
        const ColumnVector *tc = &batch->cols[side == 0 ? op->spec->ltime : op->spec->rtime];
        /* a NULL time matches nothing: it goes at the next watermark */
        int64_t at = tc->nulls[row] ? INT64_MIN
                   : side == 0 ? tc->i64[row] - op->spec->lower : tc->i64[row] + op->spec->upper;
        wb_buf_clear(&op->tkey);
        uint8_t s8 = (uint8_t)side;
        wb_buf_append(&op->tkey, &s8, 1);
        wb_buf_append(&op->tkey, op->key.data, op->key.len);
        st_timers_register(op->expiry, at, op->tkey.data, (uint32_t)op->tkey.len);
    }
    JoinRow *r = jrow(e);
    r->row_off = (uint32_t)key_len;
    r->key_null = key_null;
    StateEntry *he = st_table_upsert(op->keys[side], op->key.data, (uint32_t)key_len, khash, NULL);
    KeyHead *h = khead(he);
    r->head = he;
    r->next = h->first;
    if (h->first) jrow(h->first)->prev = e;
    h->first = e;
    return e;
}

static void drop_entry(JoinOp *op, int side, StateEntry *e)
{
    JoinRow *r = jrow(e);
    KeyHead *h = khead(r->head);
    if (r->prev) jrow(r->prev)->next = r->next;
    else h->first = r->next;
    if (r->next) jrow(r->next)->prev = r->prev;
    if (!h->first) st_table_remove(op->keys[side], r->head);
    st_table_remove(op->rows[side], e);
}

/* NOT IN: the right side's total or NULL-key weight crossed zero, which
 * can flip every left row; re-evaluate them all. */
static int nin_rescan(JoinOp *op, int64_t total_old, int64_t nulls_old, WbError *err)
{
    StateIter it;
    st_iter_init(&it, op->rows[0]);
    for (StateEntry *e; (e = st_iter_next(&it));) {
        JoinRow *l = jrow(e);
        int64_t diff = (int64_t)nin_visible(l, l->matches, op->right_total, op->right_nulls) -
                       (int64_t)nin_visible(l, l->matches, total_old, nulls_old);
        if (emit_state_row(op, 0, e, diff * l->weight, err) != 0) return -1;
    }
    return 0;
}

static int apply_delta(JoinOp *op, int side, const Batch *batch, int32_t row, int32_t p_begin,
                       int32_t p_end, int32_t pre, WbError *err)
{
    const JoinType type = op->spec->type;
    const bool filtering = type == JT_SEMI || type == JT_ANTI || type == JT_ANTI_NULL_AWARE;
    const int other = 1 - side;
    const int64_t delta = batch->weights[row];
    bool key_null = encode_key(op, side, batch, row);
    /* once the left side has ended, a right row only probes: no left row
     * will ever look for it (and the right side is never null-padded);
     * likewise a left row of an INNER or RIGHT join once the right side
     * has ended (a bounded side table joined to a stream) */
    const bool probe = (side == 1 && op->probe_after_left && op->left_done) ||
                       (side == 0 && op->probe_left_after_right && op->right_done);
    int64_t matches = 0;
    for (int32_t p = p_begin; p < p_end; p++)
        if (op->pair_match[p]) matches += jrow(op->pair_other[p])->weight;
    if (side == 0 && op->probe_after_right && op->right_done) {
        /* the right side is complete: the row's fate is final, emit it
         * now (batch mode too) and keep nothing */
        JoinRow probe_row = {.key_null = key_null};
        if (type_visible(type, &probe_row, matches, op->right_total, op->right_nulls) &&
            emit_side(op, 0, batch, row, NULL, delta, err) != 0)
            return -1;
        return 0;
    }
    StateEntry *e = probe ? NULL : own_entry(op, side, batch, row, key_null, pre);
    JoinRow *own = probe ? NULL : jrow(e);
    if (own) own->matches = matches;
    if (own && op->ttl && op->ttl_us[side]) {
        own->used_us = op->now_us;
        if (!own->ttl_timer) {
            own->ttl_timer = 1;
            wb_buf_clear(&op->tkey);
            uint8_t s8 = (uint8_t)side;
            wb_buf_append(&op->tkey, &s8, 1);
            wb_buf_append(&op->tkey, e->key, e->key_len);
            st_timers_register(op->ttl, op->now_us + op->ttl_us[side], op->tkey.data, (uint32_t)op->tkey.len);
        }
    }

    for (int32_t p = p_begin; p < p_end; p++) {
        if (!op->pair_match[p]) continue;
        JoinRow *o = jrow(op->pair_other[p]);
        int64_t m_old = o->matches, m_new = m_old + delta;
        o->matches = m_new;
        if (!filtering) {
            /* retractions go first: "-D padded, +I joined" when the first
             * match appears, "-D joined, +I padded" when the last goes */
            int64_t pad = 0;
            if (op->outer[other] && !op->deferred && (m_old == 0) != (m_new == 0))
                pad = m_old == 0 ? -o->weight : o->weight;
            if (pad < 0 && emit_side(op, other, op->pairs, p, op->side_cols[other], pad, err) != 0)
                return -1;
            if (emit_pair(op, p, delta * o->weight, err) != 0) return -1;
            if (pad > 0 && emit_side(op, other, op->pairs, p, op->side_cols[other], pad, err) != 0)
                return -1;
        } else if (side == 1 && !op->deferred) {
            /* a right row changes the visibility of the left rows it matches */
            int64_t diff =
                (int64_t)type_visible(type, o, m_new, op->right_total, op->right_nulls) -
                (int64_t)type_visible(type, o, m_old, op->right_total, op->right_nulls);
            if (emit_side(op, 0, op->pairs, p, NULL, diff * o->weight, err) != 0) return -1;
        }
    }

    if (!filtering) {
        if (op->outer[side] && !op->deferred && matches == 0 &&
            emit_side(op, side, batch, row, NULL, delta, err) != 0)
            return -1;
    } else if (side == 0) {
        if (!op->deferred && type_visible(type, own, matches, op->right_total, op->right_nulls) &&
            emit_side(op, 0, batch, row, NULL, delta, err) != 0)
            return -1;
    } else if (type == JT_ANTI_NULL_AWARE) {
        int64_t total_old = op->right_total, nulls_old = op->right_nulls;
        op->right_total += delta;
        if (key_null) op->right_nulls += delta;
        if (!op->deferred &&
            ((total_old == 0) != (op->right_total == 0) ||
             (nulls_old == 0) != (op->right_nulls == 0)) &&
            nin_rescan(op, total_old, nulls_old, err) != 0)
            return -1;
    }

    if (!own) return 0;
    own->weight += delta;
    if (own->weight == 0) drop_entry(op, side, e);
    return 0;
}

/* ---- the operator ---- */

/* Rows stored per delta row are looked up this many rows ahead. */
#define PREFETCH_AHEAD 8

/* The key ++ row encodings and hashes of delta rows [start, end), for
 * own_entry, so that the apply loop can prefetch their slots. */
static void encode_ahead(JoinOp *op, int side, const Batch *batch, int32_t start, int32_t end)
{
    wb_buf_clear(&op->enc);
    for (int32_t row = start; row < end; row++) {
        int32_t i = row - start;
        encode_key(op, side, batch, row);
        op->enc_klen[i] = (uint32_t)op->key.len;
        op->khash[i] = wb_hash_bytes(op->key.data, op->key.len, 0x6b65);
        ty_row_encode(batch, row, NULL, op->ncols[side], &op->key);
        op->rhash[i] = wb_hash_bytes(op->key.data, op->key.len, 0x726f);
        op->enc_off[i] = (uint32_t)op->enc.len;
        op->enc_len[i] = (uint32_t)op->key.len;
        wb_buf_append(&op->enc, op->key.data, op->key.len);
    }
}

static int join_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    JoinOp *op = (JoinOp *)base;
    int side = port == 0 ? 0 : 1;
    if (op->ttl) op->now_us = wb_clock_now(base->ctx->clock);
    if (batch->ncols != op->ncols[side]) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "JOIN input %d has %d columns, expected %d",
                 (int)port, (int)batch->ncols, (int)op->ncols[side]);
        return -1;
    }
    if (batch->nrows + 1 > op->row_pairs_cap) {
        op->row_pairs_cap = batch->nrows + 1;
        size_t cap = (size_t)op->row_pairs_cap;
        op->row_pairs = wb_realloc(op->row_pairs, sizeof(int32_t) * cap);
        op->enc_off = wb_realloc(op->enc_off, sizeof(uint32_t) * cap);
        op->enc_len = wb_realloc(op->enc_len, sizeof(uint32_t) * cap);
        op->enc_klen = wb_realloc(op->enc_klen, sizeof(uint32_t) * cap);
        op->khash = wb_realloc(op->khash, sizeof(uint64_t) * cap);
        op->rhash = wb_realloc(op->rhash, sizeof(uint64_t) * cap);
    }
    /* whether this side's rows go into state (see apply_delta) */
    const bool stores = !((side == 1 && op->probe_after_left && op->left_done) ||
                          (side == 0 && op->probe_left_after_right && op->right_done) ||
                          (side == 0 && op->probe_after_right && op->right_done));
    /* an inner join's update: where the -U delta row's one joined row went */
    const bool inner = op->spec->type == JT_INNER;
    Batch *out = op->out.batch;
    int32_t update_row = -1;
    for (int32_t start = 0; start < batch->nrows;) {
        /* gather a chunk of delta rows with about EX_BATCH_ROWS pairs */
        ty_batch_reset(op->pairs);
        wb_arena_reset(&op->scratch);
        int32_t end = start;
        while (end < batch->nrows && op->pairs->nrows < EX_BATCH_ROWS) {
            op->row_pairs[end - start] = op->pairs->nrows;
            gather(op, side, batch, end);
            end++;
        }
        op->row_pairs[end - start] = op->pairs->nrows;
        if (eval_cond(op, err) != 0) return -1;
        if (stores) encode_ahead(op, side, batch, start, end);
        for (int32_t row = start; row < end; row++) {
            if (stores && row + PREFETCH_AHEAD < end) {
                int32_t ahead = row + PREFETCH_AHEAD - start;
                st_table_prefetch(op->rows[side], op->rhash[ahead]);
                st_table_prefetch(op->keys[side], op->khash[ahead]);
            }
            RowKind kind = inner ? ty_row_kind(batch, row) : RK_INSERT;
            /* room for the pair's two rows, so one flush cannot split them */
            if (kind == RK_UPDATE_BEFORE && ex_out_reserve(base, &op->out, 2, err) != 0) return -1;
            int32_t first = out->nrows;
            if (apply_delta(op, side, batch, row, op->row_pairs[row - start],
                            op->row_pairs[row - start + 1], stores ? row - start : -1, err) != 0)
                return -1;
            bool one = out->nrows == first + 1;
            if (kind == RK_UPDATE_BEFORE) {
                update_row = one && out->weights[first] == -1 ? first : -1;
            } else {
                if (kind == RK_UPDATE_AFTER && one && update_row >= 0 && update_row == first - 1 &&
                    out->weights[first] == 1)
                    ty_mark_update(out, update_row);
                update_row = -1;
            }
        }
        start = end;
    }
    return ex_out_flush(base, &op->out, err);
}

static int join_finish(Operator *base, WbError *err)
{
    JoinOp *op = (JoinOp *)base;
    if (op->deferred) {
        /* the final state's rows without a match (or NOT IN's rule) */
        const JoinType type = op->spec->type;
        const bool filtering = type == JT_ANTI || type == JT_ANTI_NULL_AWARE;
        for (int side = 0; side < 2; side++) {
            if (!op->outer[side] && !(filtering && side == 0)) continue;
            StateIter it;
            st_iter_init(&it, op->rows[side]);
            for (StateEntry *e; (e = st_iter_next(&it));) {
                const JoinRow *r = jrow(e);
                bool visible = filtering ? type_visible(type, r, r->matches, op->right_total,
                                                        op->right_nulls)
                                         : r->matches == 0;
                if (visible && emit_state_row(op, side, e, r->weight, err) != 0) return -1;
            }
        }
    }
    return ex_out_flush(base, &op->out, err);
}

/* Interval join: the rows no row to come can match leave the state (an
 * outer side's unmatched row goes out NULL-padded). */
static int join_watermark(Operator *base, int64_t wm, WbError *err)
{
    JoinOp *op = (JoinOp *)base;
    if (!op->expiry) return 0;
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->expiry, wm, &time, &key, &len)) {
        int side = key[0];
        uint64_t hash = wb_hash_bytes(key + 1, len - 1, 0x726f);
        StateEntry *e = st_table_find(op->rows[side], key + 1, len - 1, hash);
        if (!e) continue;
        const JoinRow *r = jrow(e);
        if (op->outer[side] && r->matches == 0 && emit_state_row(op, side, e, r->weight, err) != 0)
            return -1;
        drop_entry(op, side, e);
    }
    return ex_out_flush(base, &op->out, err);
}

/* State TTL: rows of either side not changed for the TTL are dropped
 * (silently, as Flink's state TTL: a pair they formed is not retracted). */
static int join_proctime(Operator *base, int64_t now, WbError *err)
{
    (void)err;
    JoinOp *op = (JoinOp *)base;
    if (!op->ttl) return 0;
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->ttl, now, &time, &key, &len)) {
        int side = key[0];
        uint64_t hash = wb_hash_bytes(key + 1, len - 1, 0x726f);
        StateEntry *e = st_table_find(op->rows[side], key + 1, len - 1, hash);
        if (!e) continue;
        JoinRow *r = jrow(e);
        if (!ex_ttl_expired(op->ttl, now, r->used_us, op->ttl_us[side], key, len)) continue;
        base->state_expired++;
        drop_entry(op, side, e);
    }
    return 0;
}

static int join_control(Operator *base, int32_t port, const ControlMsg *msg, WbError *err)
{
    JoinOp *op = (JoinOp *)base;
    if (msg->kind == CTL_END && port == 0) op->left_done = true;
    if (msg->kind == CTL_END && port == 1) op->right_done = true;
    return ex_op_default_control(base, port, msg, err);
}

static void join_destroy(Operator *base)
{
    JoinOp *op = (JoinOp *)base;
    for (int side = 0; side < 2; side++) {
        st_table_free(op->keys[side]);
        st_table_free(op->rows[side]);
        free(op->side_cols[side]);
    }
    wb_buf_free(&op->key);
    wb_buf_free(&op->tkey);
    st_timers_free(op->expiry);
    st_timers_free(op->ttl);
    ty_batch_free(op->pairs);
    free(op->pair_other);
    free(op->pair_match);
    free(op->row_pairs);
    free(op->enc_off);
    free(op->enc_len);
    free(op->enc_klen);
    free(op->khash);
    free(op->rhash);
    wb_buf_free(&op->enc);
    wb_arena_destroy(&op->scratch);
    ex_out_free(&op->out);
}

static int64_t join_state_bytes(const Operator *base)
{
    const JoinOp *op = (const JoinOp *)base;
    int64_t total = 0;
    for (int side = 0; side < 2; side++)
        total += st_table_bytes(op->keys[side]) + st_table_bytes(op->rows[side]);
    if (op->expiry) total += st_timers_bytes(op->expiry);
    if (op->ttl) total += st_timers_bytes(op->ttl);
    return total;
}

static const OpVTable join_vt = {"Join", join_push, join_control, join_finish, join_destroy,
                                 join_state_bytes, join_watermark, join_proctime};

Operator *ex_join_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    const JoinSpec *spec = &node->join;
    if (node->ninputs != 2) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "JOIN needs two inputs");
        return NULL;
    }
    const PlanNode *left = node->inputs[0], *right = node->inputs[1];
    bool filtering = spec->type == JT_SEMI || spec->type == JT_ANTI ||
                     spec->type == JT_ANTI_NULL_AWARE;
    int32_t want = filtering ? left->ncols : left->ncols + right->ncols;
    if (node->ncols != want) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "JOIN node %d has %d columns, expected %d",
                 (int)node->id, (int)node->ncols, (int)want);
        return NULL;
    }
    for (int32_t k = 0; k < spec->nkeys; k++) {
        if (spec->left_keys[k] < 0 || spec->left_keys[k] >= left->ncols ||
            spec->right_keys[k] < 0 || spec->right_keys[k] >= right->ncols) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "JOIN key column out of range");
            return NULL;
        }
    }
    if (spec->type == JT_ANTI_NULL_AWARE && (spec->nkeys != 1 || spec->cond)) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                 "NOT IN is supported only for a single column and an uncorrelated subquery");
        return NULL;
    }
    JoinOp *op = wb_calloc(1, sizeof(JoinOp));
    ex_op_init(&op->base, &join_vt, node, ctx);
    op->spec = spec;
    op->outer[0] = spec->type == JT_LEFT || spec->type == JT_FULL;
    op->outer[1] = spec->type == JT_RIGHT || spec->type == JT_FULL;
    op->deferred = ctx->batch_mode && (op->outer[0] || op->outer[1] || spec->type == JT_ANTI ||
                                       spec->type == JT_ANTI_NULL_AWARE);
    for (int side = 0; side < 2 && !spec->interval; side++)
        op->ttl_us[side] = ex_state_ttl_ms(ctx, spec->state_ttl_ms[side]) * 1000;
    if (op->ttl_us[0] || op->ttl_us[1]) op->ttl = st_timers_new();
    if (spec->interval) {
        /* padded rows wait for their row's expiry */
        op->deferred = op->outer[0] || op->outer[1];
        op->expiry = st_timers_new();
    }
    op->probe_after_left = spec->type == JT_INNER || spec->type == JT_LEFT ||
                           spec->type == JT_SEMI || spec->type == JT_ANTI;
    op->probe_after_right = filtering;
    op->probe_left_after_right = (spec->type == JT_INNER || spec->type == JT_RIGHT) &&
                                 !spec->interval;
    op->types[0] = left->types;
    op->types[1] = right->types;
    op->ncols[0] = left->ncols;
    op->ncols[1] = right->ncols;
    op->key_cols[0] = spec->left_keys;
    op->key_cols[1] = spec->right_keys;
    int32_t npair = left->ncols + right->ncols;
    SqlType *pair_types = wb_malloc(sizeof(SqlType) * (size_t)(npair ? npair : 1));
    for (int side = 0; side < 2; side++) {
        int32_t base_col = side == 0 ? 0 : left->ncols;
        op->side_cols[side] = wb_malloc(sizeof(int32_t) * (size_t)(op->ncols[side] + 1));
        for (int32_t col = 0; col < op->ncols[side]; col++) {
            op->side_cols[side][col] = base_col + col;
            pair_types[base_col + col] = op->types[side][col];
        }
        op->keys[side] = st_table_new(sizeof(KeyHead));
        op->rows[side] = st_table_new(sizeof(JoinRow));
    }
    op->pairs = ty_batch_new(pair_types, npair, 256);
    free(pair_types);
    ensure_pairs(op, 256);
    wb_buf_reserve(&op->key, 64);
    wb_arena_init(&op->scratch, 0);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
