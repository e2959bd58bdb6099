/*
 * over.c - PN_OVER: an aggregate OVER (PARTITION BY .. ORDER BY time
 * frame) for every row (plan.h).
 *
 * Order.  The rows of a partition are ordered by time, then by their
 * encoded bytes (ty_row_encode of the whole input row: a deterministic
 * tie-break, the same in batch and streaming mode and under any input
 * split).  A row's frame is, in that order: ROWS n PRECEDING, itself and
 * the n rows before it; RANGE d PRECEDING, the rows of time in [t - d, t]
 * (its peers, the rows of equal time, included); UNBOUNDED, all rows up to
 * it (RANGE: up to its last peer).
 *
 * Waiting.  Rows wait in a timer service keyed by their time:
 * event-time rows until the watermark passes them (a row at or behind the
 * watermark on arrival is late: dropped and counted), processing-time
 * rows until the clock moves past them (rows of one clock value are
 * peers), all at the end of input (batch mode: every row there).
 * Released rows are taken in (time, bytes) order, in chunks that never
 * split one time value.
 *
 * Insert-only input (the plain path).  The aggregate itself is the group
 * aggregate (agg.c) over the partition columns, driven by this operator:
 * each row of a chunk is assigned a round (a row per partition per round;
 * RANGE peers share one), and each round is one batch into the aggregate:
 * the rows entering their frames, and the rows leaving them as
 * retractions (ROWS n: the row n + 1 back; RANGE d: rows older than d).
 * The aggregate's output row for a partition is that partition's current
 * value; the rows of the round are emitted with it (+I).  An aggregate
 * that did not change emits nothing: the partition keeps its last value.
 * So every aggregate function exists once, with its retraction.  State:
 * the rows of the bounded frames only.
 *
 * Updating input (the updating path, event time only; the planner
 * rejects processing time, whose retractions cannot name the row they
 * take back).  The output is a function of the current multiset of input
 * rows: every row present has its aggregate over its frame, as above.
 * Each partition keeps its present rows sorted (one entry per copy) with
 * the value last emitted for each.  A change waits like a row (a pending
 * row is a net count per encoded row: a retraction of a row still waiting
 * cancels it; what is left of a negative count at release, like a
 * retraction of a row that is not present, e.g. one dropped as late, is
 * counted as late); a retraction of a row whose time the watermark has
 * passed applies at once, and so does the +U half of an update there (it
 * replaces the row its -U half took back: an update of a placed row is
 * not a late arrival; a plain +I behind the watermark is).  A set of changes (one input batch, or one
 * released chunk) is applied per partition: a row retracted is emitted
 * -D with its last value, then every row whose frame may hold a changed
 * position is recomputed: its frame is fed to the same inner aggregate,
 * sliding along the affected rows (rows entering as +1, leaving as -1)
 * and emptied after each run of affected rows, so the inner aggregate
 * holds no state between changes.  A new row is emitted +I, a row whose
 * value changed -U old / +U new.  Cost per change: O(frame + affected
 * rows) for bounded frames (ROWS n: the n rows after the change; RANGE d:
 * the rows within d after it), plus an O(partition) move in the sorted
 * array; an unbounded frame recomputes the rest of the partition after
 * the change.  State: every present row and its value (as any operator
 * over an updating input, e.g. a regular join).
 */
#include "exec/op_int.h"

#include <stdlib.h>
#include <string.h>

#include "state/timers.h"

typedef struct FrameRow {
    int64_t ts;
    uint32_t off, len;           /* the projected row in Part.fbytes */
} FrameRow;

/* The updating path: one present row (one copy of it) of a partition. */
typedef struct URow {
    int64_t ts;
    uint32_t off, len;           /* the encoded input row in Part.ubytes */
    uint32_t voff, vlen;         /* its last emitted value there; vlen 0: none yet */
} URow;

typedef struct Part {
    uint64_t epoch;              /* the chunk (updating: change set) that last saw it */
    int32_t round;               /* updating path: its index in that change set */
    int64_t round_ts;
    bool has_last;
    WbBuf last;                  /* the aggregate's value, encoded */
    FrameRow *frame;             /* bounded frames: rows in the frame, oldest at head */
    int32_t head, count, cap;
    WbBuf fbytes;
    /* the updating path: present rows in (time, bytes) order */
    StateEntry *entry;           /* its own entry in OverOp.parts */
    URow *urows;
    int32_t nurows, urcap;
    WbBuf ubytes;                /* rows and values; dead bytes counted in udead */
    size_t udead;
} Part;

/* The updating path: one change of a change set; the row in OverOp.chbuf. */
typedef struct Change {
    Part *part;
    int32_t pidx, seq;           /* sorted by (partition's index, arrival) */
    int64_t ts, weight;
    uint32_t off, len;
} Change;

/* A popped row of one time value, sorted by its bytes before it is staged. */
typedef struct PeerRef {
    const uint8_t *row;
    uint32_t off, len;
} PeerRef;

typedef struct Range {
    int32_t first, last;
} Range;

typedef struct OverOp OverOp;

typedef struct Capture {
    Operator base;
    OverOp *owner;
} Capture;

struct OverOp {
    Operator base;
    const OverSpec *spec;
    ExecContext inner_ctx;
    Operator *agg;               /* the group aggregate over the partitions */
    Capture *cap;
    StateTable *parts;           /* key: partition columns; payload: Part * */
    TimerService *pending;       /* time -> arrival number ++ row */
    uint64_t seq, epoch;
    int64_t pending_bytes;
    Batch *stage;                /* released rows (input schema) */
    int64_t *stage_ts;
    int32_t *round;
    Part **part_of;
    int32_t stage_cap;
    Batch *inner;                /* one round into the aggregate */
    WbBuf key, scratch;
    ExOut out;
    /* released rows of one time value (both paths' release) */
    PeerRef *peers;
    int32_t npeers, peer_cap;
    WbBuf peerbuf;
    /* the updating path */
    bool updating;
    StateTable *upend;           /* key: encoded row; payload: int64 net count */
    Change *changes;
    int32_t nchanges, change_cap, nchparts;
    WbBuf chbuf;
    Range *ranges;
    int32_t range_cap;
    Batch *rowdec;               /* frame rows decoded (input schema) */
    int64_t ustate_bytes;
    int64_t late_before;         /* rows of time <= this are late: the watermark released */
};

static Part *part_payload(StateEntry *e)
{
    return *(Part **)st_payload(e);
}

static void part_free(Part *p)
{
    wb_buf_free(&p->last);
    wb_buf_free(&p->fbytes);
    free(p->frame);
    wb_buf_free(&p->ubytes);
    free(p->urows);
    free(p);
}

/* Negative, zero or positive as row a sorts before, with or after row b
 * among rows of equal time: bytewise, a prefix first. */
static int bytes_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0) return c;
    return alen < blen ? -1 : alen > blen;
}

static int peer_cmp(const void *a, const void *b)
{
    const PeerRef *pa = a, *pb = b;
    return bytes_cmp(pa->row, pa->len, pb->row, pb->len);
}

/* ---- the aggregate's output: each partition's current value ---- */

static int capture_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    (void)err;
    OverOp *op = ((Capture *)base)->owner;
    int32_t np = op->spec->npartition;
    for (int32_t r = 0; r < batch->nrows; r++) {
        if (batch->weights[r] <= 0) continue;
        wb_buf_clear(&op->key);
        ty_row_encode(batch, r, NULL, np, &op->key);
        uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6f766572);
        StateEntry *e = st_table_find(op->parts, op->key.data, (uint32_t)op->key.len, hash);
        if (!e) continue;
        Part *p = part_payload(e);
        wb_buf_clear(&p->last);
        int32_t col = np;
        ty_row_encode(batch, r, &col, 1, &p->last);
        p->has_last = true;
    }
    return 0;
}

static const OpVTable capture_vt = {"OverCapture", capture_push, NULL, NULL, NULL, NULL, NULL, NULL};

/* ---- rounds ---- */

static void stage_reserve(OverOp *op, int32_t n)
{
    if (n <= op->stage_cap) return;
    op->stage_cap = n * 2;
    op->stage_ts = wb_realloc(op->stage_ts, sizeof(int64_t) * (size_t)op->stage_cap);
    op->round = wb_realloc(op->round, sizeof(int32_t) * (size_t)op->stage_cap);
    op->part_of = wb_realloc(op->part_of, sizeof(Part *) * (size_t)op->stage_cap);
    ty_batch_reserve(op->stage, op->stage_cap);
}

/* Appends the projected stage row r to the round batch with weight w. */
static void inner_add(OverOp *op, int32_t r, int64_t w)
{
    Batch *in = op->inner;
    if (in->nrows >= in->capacity) ty_batch_reserve(in, in->nrows * 2 + 16);
    int32_t row = in->nrows++;
    ty_batch_copy_cols(in, row, 0, op->stage, r, op->spec->proj, op->spec->nproj);
    in->weights[row] = w;
}

/* Appends an encoded projected row leaving a frame, as a retraction. */
static void inner_retract(OverOp *op, const uint8_t *bytes)
{
    Batch *in = op->inner;
    if (in->nrows >= in->capacity) ty_batch_reserve(in, in->nrows * 2 + 16);
    int32_t row = in->nrows++;
    ty_row_decode(bytes, op->spec->agg->inputs[0]->types, op->spec->nproj, in, row, 0);
    in->weights[row] = -1;
}

/* Bounded frames: row r enters its partition's frame; rows that fall out
 * of it go to the round batch as retractions. */
static void frame_enter(OverOp *op, Part *p, int32_t r, int64_t ts, bool evict)
{
    const OverSpec *os = op->spec;
    if (p->count == p->cap || p->head + p->count == p->cap) {
        if (p->head > 0) {
            memmove(p->frame, p->frame + p->head, sizeof(FrameRow) * (size_t)p->count);
            p->head = 0;
        }
        if (p->count == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 4;
            p->frame = wb_realloc(p->frame, sizeof(FrameRow) * (size_t)p->cap);
        }
    }
    FrameRow *fr = &p->frame[p->head + p->count++];
    fr->ts = ts;
    fr->off = (uint32_t)p->fbytes.len;
    ty_row_encode(op->stage, r, os->proj, os->nproj, &p->fbytes);
    fr->len = (uint32_t)(p->fbytes.len - fr->off);
    if (!evict) return;
    for (;;) {
        if (p->count == 0) break;
        FrameRow *old = &p->frame[p->head];
        bool out = os->rows ? p->count > os->preceding + 1 : old->ts < ts - os->preceding;
        if (!out) break;
        inner_retract(op, (const uint8_t *)p->fbytes.data + old->off);
        p->head++;
        p->count--;
    }
    /* reclaim the bytes of rows gone when they are most of the buffer */
    if (p->count > 0 && p->frame[p->head].off > p->fbytes.len / 2) {
        uint32_t base_off = p->frame[p->head].off;
        memmove(p->fbytes.data, p->fbytes.data + base_off, p->fbytes.len - base_off);
        p->fbytes.len -= base_off;
        for (int32_t i = 0; i < p->count; i++) p->frame[p->head + i].off -= base_off;
    } else if (p->count == 0) {
        wb_buf_clear(&p->fbytes);
        p->head = 0;
    }
}

/* Processes the staged rows (in time order): rounds into the aggregate,
 * each staged row out with its partition's value. */
static int run_stage(OverOp *op, WbError *err)
{
    const OverSpec *os = op->spec;
    Batch *st = op->stage;
    int32_t n = st->nrows;
    if (n == 0) return 0;
    op->epoch++;
    int32_t maxround = 0;
    for (int32_t r = 0; r < n; r++) {
        wb_buf_clear(&op->key);
        ty_row_encode(st, r, os->partition, os->npartition, &op->key);
        uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6f766572);
        bool created = false;
        StateEntry *e = st_table_upsert(op->parts, op->key.data, (uint32_t)op->key.len, hash, &created);
        if (created) *(Part **)st_payload(e) = wb_calloc(1, sizeof(Part));
        Part *p = part_payload(e);
        if (p->epoch != op->epoch) {
            p->epoch = op->epoch;
            p->round = -1;
            p->round_ts = INT64_MIN;
        }
        if (os->rows || op->stage_ts[r] != p->round_ts || p->round < 0) {
            p->round++;
            p->round_ts = op->stage_ts[r];
        }
        op->round[r] = p->round;
        op->part_of[r] = p;
        if (p->round > maxround) maxround = p->round;
    }
    int32_t nin = st->ncols;
    for (int32_t round = 0; round <= maxround; round++) {
        ty_batch_reset(op->inner);
        for (int32_t r = 0; r < n; r++) {
            if (op->round[r] != round) continue;
            Part *p = op->part_of[r];
            inner_add(op, r, 1);
            if (!os->unbounded) {
                /* evict once per partition and round (after its last peer) */
                bool last_peer = true;
                for (int32_t k = r + 1; k < n && last_peer; k++)
                    if (op->round[k] == round && op->part_of[k] == p) last_peer = false;
                frame_enter(op, p, r, op->stage_ts[r], last_peer);
            }
        }
        if (ex_push(op->agg, 0, op->inner, err) != 0) return -1;
        for (int32_t r = 0; r < n; r++) {
            if (op->round[r] != round) continue;
            Part *p = op->part_of[r];
            if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
            Batch *out = op->out.batch;
            int32_t row = out->nrows++;
            ty_batch_copy_cols(out, row, 0, st, r, NULL, nin);
            if (p->has_last) {
                ty_row_decode((const uint8_t *)p->last.data, &out->cols[nin].type, 1, out, row, nin);
            } else {
                out->cols[nin].nulls[row] = 1;
            }
            out->weights[row] = 1;
        }
    }
    ty_batch_reset(op->stage);
    return ex_out_flush(&op->base, &op->out, err);
}

/* The popped rows of one time value into the stage, in byte order; the
 * stage is processed when it is full. */
static int flush_peers(OverOp *op, int64_t ts, WbError *err)
{
    const PlanNode *in = op->base.node->inputs[0];
    for (int32_t i = 0; i < op->npeers; i++)
        op->peers[i].row = (const uint8_t *)op->peerbuf.data + op->peers[i].off;
    qsort(op->peers, (size_t)op->npeers, sizeof(PeerRef), peer_cmp);
    stage_reserve(op, op->stage->nrows + op->npeers);
    for (int32_t i = 0; i < op->npeers; i++) {
        int32_t r = op->stage->nrows++;
        ty_row_decode(op->peers[i].row, in->types, in->ncols, op->stage, r, 0);
        op->stage->weights[r] = 1;
        op->stage_ts[r] = ts;
    }
    op->npeers = 0;
    wb_buf_clear(&op->peerbuf);
    if (op->stage->nrows >= EX_BATCH_ROWS) return run_stage(op, err);
    return 0;
}

static int urelease(OverOp *op, int64_t until, WbError *err);

/* Releases the rows due by `until`, chunk by chunk. */
static int release(OverOp *op, int64_t until, WbError *err)
{
    if (op->updating) return urelease(op, until, err);
    int64_t time, peer_ts = 0;
    const uint8_t *key;
    uint32_t len;
    ty_batch_reset(op->stage);
    op->npeers = 0;
    wb_buf_clear(&op->peerbuf);
    while (st_timers_pop(op->pending, until, &time, &key, &len)) {
        if (op->npeers > 0 && time != peer_ts && flush_peers(op, peer_ts, err) != 0) return -1;
        peer_ts = time;
        if (op->npeers == op->peer_cap) {
            op->peer_cap = op->peer_cap ? op->peer_cap * 2 : 64;
            op->peers = wb_realloc(op->peers, sizeof(PeerRef) * (size_t)op->peer_cap);
        }
        /* the key is the arrival number, then the row */
        PeerRef *pr = &op->peers[op->npeers++];
        pr->off = (uint32_t)op->peerbuf.len;
        pr->len = len - 8;
        wb_buf_append(&op->peerbuf, key + 8, len - 8);
        op->pending_bytes -= len;
    }
    if (op->npeers > 0 && flush_peers(op, peer_ts, err) != 0) return -1;
    return run_stage(op, err);
}

/* ---- the updating path ---- */

static const uint8_t *urow_bytes(const Part *p, const URow *u)
{
    return (const uint8_t *)p->ubytes.data + u->off;
}

/* Where row (ts, bytes) sorts against present row u. */
static int urow_cmp(const Part *p, const URow *u, int64_t ts, const uint8_t *row, uint32_t len)
{
    if (u->ts != ts) return u->ts < ts ? -1 : 1;
    return bytes_cmp(urow_bytes(p, u), u->len, row, len);
}

/* The first present row not before (ts, row), or (after) the first after it. */
static int32_t ubound(const Part *p, int64_t ts, const uint8_t *row, uint32_t len, bool after)
{
    int32_t lo = 0, hi = p->nurows;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = urow_cmp(p, &p->urows[mid], ts, row, len);
        if (c < 0 || (after && c == 0)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The first present row of time >= ts, or (after) > ts. */
static int32_t ubound_ts(const Part *p, int64_t ts, bool after)
{
    int32_t lo = 0, hi = p->nurows;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int64_t t = p->urows[mid].ts;
        if (t < ts || (after && t == ts)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

/* The frame of present row k: rows first..last. */
static void uframe(const OverOp *op, const Part *p, int32_t k, int32_t *first, int32_t *last)
{
    const OverSpec *os = op->spec;
    if (os->rows) {
        *last = k;
        *first = os->unbounded || os->preceding >= k ? 0 : k - (int32_t)os->preceding;
    } else {
        int64_t ts = p->urows[k].ts;
        *last = ubound_ts(p, ts, true) - 1;
        *first = os->unbounded ? 0 : ubound_ts(p, sat_sub(ts, os->preceding), false);
    }
}

/* Appends an output row: present row bytes, a value, a weight. */
static void uout_row(OverOp *op, const uint8_t *row, const uint8_t *val, int64_t weight)
{
    const PlanNode *in = op->base.node->inputs[0];
    Batch *out = op->out.batch;
    int32_t r = out->nrows++;
    ty_row_decode(row, in->types, in->ncols, out, r, 0);
    ty_row_decode(val, &out->cols[in->ncols].type, 1, out, r, in->ncols);
    out->weights[r] = weight;
}

/* Row k's value is the inner aggregate's current one (Part.last): emits
 * +I for a new row, -U/+U when it changed, and keeps it. */
static int uemit_value(OverOp *op, Part *p, int32_t k, WbError *err)
{
    URow *u = &p->urows[k];
    const uint8_t *val = (const uint8_t *)p->last.data;
    uint32_t vlen = (uint32_t)p->last.len;
    if (!p->has_last) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "OVER aggregate: no value for a frame");
        return -1;
    }
    if (u->vlen > 0 && bytes_cmp((const uint8_t *)p->ubytes.data + u->voff, u->vlen, val, vlen) == 0)
        return 0;
    if (ex_out_reserve(&op->base, &op->out, 2, err) != 0) return -1;
    const uint8_t *row = urow_bytes(p, u);
    if (u->vlen > 0) {
        int32_t first = op->out.batch->nrows;
        uout_row(op, row, (const uint8_t *)p->ubytes.data + u->voff, -1);
        uout_row(op, row, val, 1);
        ty_mark_update(op->out.batch, first);
        p->udead += u->vlen;
    } else {
        uout_row(op, row, val, 1);
    }
    /* ubytes may move: the row was decoded already */
    u->voff = (uint32_t)p->ubytes.len;
    u->vlen = vlen;
    wb_buf_append(&p->ubytes, val, vlen);
    op->ustate_bytes += vlen;
    return 0;
}

/* Present row k into the inner batch with weight w (projected). */
static void uinner_add(OverOp *op, Part *p, int32_t k, int64_t w)
{
    const PlanNode *in = op->base.node->inputs[0];
    Batch *dec = op->rowdec, *inner = op->inner;
    if (dec->nrows >= dec->capacity) ty_batch_reserve(dec, dec->nrows * 2 + 16);
    int32_t dr = dec->nrows++;
    ty_row_decode(urow_bytes(p, &p->urows[k]), in->types, in->ncols, dec, dr, 0);
    if (inner->nrows >= inner->capacity) ty_batch_reserve(inner, inner->nrows * 2 + 16);
    int32_t row = inner->nrows++;
    ty_batch_copy_cols(inner, row, 0, dec, dr, op->spec->proj, op->spec->nproj);
    inner->weights[row] = w;
}

static int uinner_push(OverOp *op, WbError *err)
{
    int rc = op->inner->nrows > 0 ? ex_push(op->agg, 0, op->inner, err) : 0;
    ty_batch_reset(op->inner);
    ty_batch_reset(op->rowdec);
    return rc;
}

/* Recomputes present rows first..last of p: their frames slide through
 * the inner aggregate, which is left empty. */
static int urecompute(OverOp *op, Part *p, int32_t first, int32_t last, WbError *err)
{
    int32_t flo = 0, fhi = -1;   /* the rows in the aggregate now */
    ty_batch_reset(op->inner);
    ty_batch_reset(op->rowdec);
    for (int32_t k = first; k <= last; k++) {
        int32_t lo, hi;
        uframe(op, p, k, &lo, &hi);
        if (fhi < flo) {
            for (int32_t i = lo; i <= hi; i++) uinner_add(op, p, i, 1);
        } else {
            for (int32_t i = flo; i < WB_MIN(lo, fhi + 1); i++) uinner_add(op, p, i, -1);
            for (int32_t i = WB_MAX(fhi + 1, lo); i <= hi; i++) uinner_add(op, p, i, 1);
        }
        flo = lo;
        fhi = hi;
        if (uinner_push(op, err) != 0) return -1;
        if (uemit_value(op, p, k, err) != 0) return -1;
    }
    for (int32_t i = flo; i <= fhi; i++) uinner_add(op, p, i, -1);
    return uinner_push(op, err);
}

/* Copies the live rows and values of p into a fresh buffer when dead
 * bytes outweigh them. */
static void ucompact(Part *p)
{
    if (p->udead < 4096 || p->udead < p->ubytes.len / 2) return;
    WbBuf fresh = {0};
    wb_buf_reserve(&fresh, p->ubytes.len - p->udead + 16);
    for (int32_t k = 0; k < p->nurows; k++) {
        URow *u = &p->urows[k];
        uint32_t off = (uint32_t)fresh.len;
        wb_buf_append(&fresh, p->ubytes.data + u->off, u->len);
        u->off = off;
        if (u->vlen > 0) {
            uint32_t voff = (uint32_t)fresh.len;
            wb_buf_append(&fresh, p->ubytes.data + u->voff, u->vlen);
            u->voff = voff;
        }
    }
    wb_buf_free(&p->ubytes);
    p->ubytes = fresh;
    p->udead = 0;
}

static int range_cmp(const void *a, const void *b)
{
    const Range *ra = a, *rb = b;
    return ra->first != rb->first ? (ra->first < rb->first ? -1 : 1)
                                  : (ra->last < rb->last ? -1 : ra->last > rb->last);
}

/* Applies changes [from, to) (one partition's) and emits the rows whose
 * values change. */
static int uapply_part(OverOp *op, int32_t from, int32_t to, WbError *err)
{
    const OverSpec *os = op->spec;
    Part *p = op->changes[from].part;
    for (int32_t i = from; i < to; i++) {
        const Change *ch = &op->changes[i];
        const uint8_t *row = (const uint8_t *)op->chbuf.data + ch->off;
        int32_t end = ubound(p, ch->ts, row, ch->len, true);
        if (ch->weight > 0) {
            /* new copies go after the present ones */
            int64_t n = ch->weight;
            if (p->nurows + n > p->urcap) {
                p->urcap = (int32_t)WB_MAX(p->nurows + n, (int64_t)p->urcap * 2 + 8);
                p->urows = wb_realloc(p->urows, sizeof(URow) * (size_t)p->urcap);
            }
            memmove(p->urows + end + n, p->urows + end, sizeof(URow) * (size_t)(p->nurows - end));
            p->nurows += (int32_t)n;
            for (int64_t c = 0; c < n; c++) {
                URow *u = &p->urows[end + c];
                u->ts = ch->ts;
                u->off = (uint32_t)p->ubytes.len;
                u->len = ch->len;
                u->voff = u->vlen = 0;
                wb_buf_append(&p->ubytes, row, ch->len);
            }
            op->ustate_bytes += n * (int64_t)(ch->len + sizeof(URow));
        } else {
            /* the last copies go first (new ones, not yet emitted) */
            int32_t begin = ubound(p, ch->ts, row, ch->len, false);
            int64_t n = WB_MIN(-ch->weight, (int64_t)(end - begin));
            op->base.late_dropped += -ch->weight - n;
            for (int32_t k = end - (int32_t)n; k < end; k++) {
                URow *u = &p->urows[k];
                if (u->vlen > 0) {
                    if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
                    uout_row(op, urow_bytes(p, u), (const uint8_t *)p->ubytes.data + u->voff, -1);
                }
                p->udead += u->len + u->vlen;
                op->ustate_bytes -= (int64_t)(u->len + u->vlen + sizeof(URow));
            }
            memmove(p->urows + end - n, p->urows + end, sizeof(URow) * (size_t)(p->nurows - end));
            p->nurows -= (int32_t)n;
        }
    }
    /* the rows whose frames may hold a changed position */
    int32_t nr = 0;
    if (op->range_cap < to - from) {
        op->range_cap = to - from;
        op->ranges = wb_realloc(op->ranges, sizeof(Range) * (size_t)op->range_cap);
    }
    for (int32_t i = from; i < to; i++) {
        const Change *ch = &op->changes[i];
        const uint8_t *row = (const uint8_t *)op->chbuf.data + ch->off;
        int64_t first, last;
        if (os->rows) {
            first = ubound(p, ch->ts, row, ch->len, false);
            last = os->unbounded ? INT64_MAX
                                 : sat_add(ubound(p, ch->ts, row, ch->len, true), os->preceding) - 1;
        } else {
            first = ubound_ts(p, ch->ts, false);
            last = os->unbounded ? INT64_MAX : (int64_t)ubound_ts(p, sat_add(ch->ts, os->preceding), true) - 1;
        }
        if (last > p->nurows - 1) last = p->nurows - 1;
        if (first > last) continue;
        op->ranges[nr].first = (int32_t)first;
        op->ranges[nr].last = (int32_t)last;
        nr++;
    }
    qsort(op->ranges, (size_t)nr, sizeof(Range), range_cmp);
    for (int32_t i = 0; i < nr;) {
        int32_t first = op->ranges[i].first, last = op->ranges[i].last;
        for (i++; i < nr && op->ranges[i].first <= last + 1; i++) last = WB_MAX(last, op->ranges[i].last);
        if (urecompute(op, p, first, last, err) != 0) return -1;
    }
    ucompact(p);
    /* an emptied partition goes; without PARTITION BY the one partition
     * stays: the global inner aggregate keeps its (empty) value, which
     * Part.last must keep matching */
    if (p->nurows == 0 && os->npartition > 0) {
        st_table_remove(op->parts, p->entry);
        part_free(p);
    }
    return 0;
}

static int change_cmp(const void *a, const void *b)
{
    const Change *ca = a, *cb = b;
    if (ca->pidx != cb->pidx) return ca->pidx < cb->pidx ? -1 : 1;
    return ca->seq < cb->seq ? -1 : ca->seq > cb->seq;
}

/* Applies the collected changes, partition by partition in the order they
 * were first touched, and emits. */
static int uprocess(OverOp *op, WbError *err)
{
    if (op->nchanges == 0) return 0;
    qsort(op->changes, (size_t)op->nchanges, sizeof(Change), change_cmp);
    for (int32_t i = 0; i < op->nchanges;) {
        int32_t j = i + 1;
        while (j < op->nchanges && op->changes[j].part == op->changes[i].part) j++;
        if (uapply_part(op, i, j, err) != 0) return -1;
        i = j;
    }
    op->nchanges = 0;
    op->nchparts = 0;
    op->epoch++;
    wb_buf_clear(&op->chbuf);
    return ex_out_flush(&op->base, &op->out, err);
}

/* Adds a change of row r of batch (its encoding: row/len) to the set. */
static void uadd_change(OverOp *op, const Batch *batch, int32_t r, const uint8_t *row, uint32_t len,
                        int64_t ts, int64_t weight)
{
    const OverSpec *os = op->spec;
    wb_buf_clear(&op->key);
    ty_row_encode(batch, r, os->partition, os->npartition, &op->key);
    uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x6f766572);
    bool created = false;
    StateEntry *e = st_table_upsert(op->parts, op->key.data, (uint32_t)op->key.len, hash, &created);
    if (created) {
        Part *np = wb_calloc(1, sizeof(Part));
        np->entry = e;
        *(Part **)st_payload(e) = np;
    }
    Part *p = part_payload(e);
    if (p->epoch != op->epoch) {
        p->epoch = op->epoch;
        p->round = op->nchparts++;
    }
    if (op->nchanges == op->change_cap) {
        op->change_cap = op->change_cap ? op->change_cap * 2 : 64;
        op->changes = wb_realloc(op->changes, sizeof(Change) * (size_t)op->change_cap);
    }
    Change *ch = &op->changes[op->nchanges];
    ch->part = p;
    ch->pidx = p->round;
    ch->seq = op->nchanges++;
    ch->ts = ts;
    ch->weight = weight;
    ch->off = (uint32_t)op->chbuf.len;
    ch->len = len;
    wb_buf_append(&op->chbuf, row, len);
}

/* Releases the pending changes due by `until`, a chunk at a time. */
static int urelease(OverOp *op, int64_t until, WbError *err)
{
    const PlanNode *in = op->base.node->inputs[0];
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    ty_batch_reset(op->stage);
    while (st_timers_pop(op->pending, until, &time, &key, &len)) {
        uint64_t hash = wb_hash_bytes(key, len, 0x70656e64);
        StateEntry *e = st_table_find(op->upend, key, len, hash);
        if (!e) continue;
        int64_t weight = *(int64_t *)st_payload(e);
        st_table_remove(op->upend, e);
        op->pending_bytes -= len;
        int32_t r = op->stage->nrows;
        stage_reserve(op, r + 1);
        ty_row_decode(key, in->types, in->ncols, op->stage, r, 0);
        op->stage->nrows++;
        uadd_change(op, op->stage, r, key, len, time, weight);
        if (op->nchanges >= EX_BATCH_ROWS && st_timers_next(op->pending) != time) {
            if (uprocess(op, err) != 0) return -1;
            ty_batch_reset(op->stage);
        }
    }
    int rc = uprocess(op, err);
    ty_batch_reset(op->stage);
    return rc;
}

/* The updating path's input: changes of rows the watermark passed apply
 * now (an insertion there is late, unless it is the +U half of an
 * update), the others wait as net counts. */
static int upush(OverOp *op, const Batch *batch, WbError *err)
{
    Operator *base = &op->base;
    const ColumnVector *tc = &batch->cols[op->spec->order_col];
    for (int32_t r = 0; r < batch->nrows; r++) {
        if (tc->nulls[r]) continue;
        int64_t ts = tc->i64[r], weight = batch->weights[r];
        if (weight == 0) continue;
        wb_buf_clear(&op->scratch);
        ty_row_encode(batch, r, NULL, batch->ncols, &op->scratch);
        const uint8_t *row = (const uint8_t *)op->scratch.data;
        uint32_t len = (uint32_t)op->scratch.len;
        if (ts <= op->late_before) {
            /* the +U half of an update replaces the row its -U half took
             * back: an update, not a late arrival */
            bool update_after = weight > 0 && batch->updates && batch->updates[r];
            if (weight > 0 && !update_after) ex_late_row(base, batch, r);
            else uadd_change(op, batch, r, row, len, ts, weight);
            continue;
        }
        uint64_t hash = wb_hash_bytes(row, len, 0x70656e64);
        bool created = false;
        StateEntry *e = st_table_upsert(op->upend, row, len, hash, &created);
        int64_t *count = st_payload(e);
        if (created) {
            *count = 0;
            st_timers_register(op->pending, ts, row, len);
            op->pending_bytes += len;
        }
        *count += weight;
        if (*count == 0) {
            /* a retraction of a row still waiting cancels it (its timer
             * then finds nothing) */
            st_table_remove(op->upend, e);
            op->pending_bytes -= len;
        }
    }
    return uprocess(op, err);
}

static int over_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    (void)err;
    OverOp *op = (OverOp *)base;
    if (op->updating) return upush(op, batch, err);
    const ColumnVector *tc = &batch->cols[op->spec->order_col];
    for (int32_t r = 0; r < batch->nrows; r++) {
        if (batch->weights[r] <= 0) {
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                     "an OVER aggregate received a retraction: its input must be insert-only");
            return -1;
        }
        if (tc->nulls[r]) continue;
        int64_t ts = tc->i64[r];
        if (!op->spec->proctime && ts <= op->late_before) {
            ex_late_row(base, batch, r);
            continue;
        }
        for (int64_t w = batch->weights[r]; w > 0; w--) {
            wb_buf_clear(&op->scratch);
            uint8_t be[8];
            ex_put_be64(be, op->seq++);
            wb_buf_append(&op->scratch, be, 8);
            ty_row_encode(batch, r, NULL, batch->ncols, &op->scratch);
            st_timers_register(op->pending, ts, op->scratch.data, (uint32_t)op->scratch.len);
            op->pending_bytes += (int64_t)op->scratch.len;
        }
    }
    return 0;
}

static int over_watermark(Operator *base, int64_t wm, WbError *err)
{
    OverOp *op = (OverOp *)base;
    /* batch mode: every row waits for the end of input, including those
     * that upstream operators emit only then (after their +infinity
     * watermark), so no row is late */
    if (op->spec->proctime || base->ctx->batch_mode) return 0;
    op->late_before = wm;
    return release(op, wm, err);
}

static int over_proctime(Operator *base, int64_t now, WbError *err)
{
    OverOp *op = (OverOp *)base;
    if (!op->spec->proctime) return 0;
    return release(op, now - 1, err);   /* rows of the current instant may get peers */
}

static int over_finish(Operator *base, WbError *err)
{
    return release((OverOp *)base, INT64_MAX, err);
}

static void over_destroy(Operator *base)
{
    OverOp *op = (OverOp *)base;
    StateIter it;
    st_iter_init(&it, op->parts);
    for (StateEntry *e; (e = st_iter_next(&it));) part_free(part_payload(e));
    st_table_free(op->parts);
    st_timers_free(op->pending);
    ex_op_free(op->agg);
    ex_op_free(&op->cap->base);
    if (op->upend) st_table_free(op->upend);
    ty_batch_free(op->stage);
    ty_batch_free(op->inner);
    if (op->rowdec) ty_batch_free(op->rowdec);
    free(op->peers);
    wb_buf_free(&op->peerbuf);
    free(op->changes);
    wb_buf_free(&op->chbuf);
    free(op->ranges);
    free(op->stage_ts);
    free(op->round);
    free(op->part_of);
    wb_buf_free(&op->key);
    wb_buf_free(&op->scratch);
    ex_out_free(&op->out);
}

static int64_t over_state_bytes(const Operator *base)
{
    const OverOp *op = (const OverOp *)base;
    int64_t agg = op->agg->vt->state_bytes ? op->agg->vt->state_bytes(op->agg) : 0;
    int64_t upend = op->upend ? st_table_bytes(op->upend) : 0;
    return st_table_bytes(op->parts) + st_timers_bytes(op->pending) + agg + upend +
           op->ustate_bytes;
}

static const OpVTable over_vt = {"OverAggregate", over_push, NULL, over_finish, over_destroy,
                                 over_state_bytes, over_watermark, over_proctime};

Operator *ex_over_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    OverOp *op = wb_calloc(1, sizeof *op);
    ex_op_init(&op->base, &over_vt, node, ctx);
    op->spec = &node->over;
    op->late_before = INT64_MIN;
    /* the inner aggregate emits its changes after every round */
    op->inner_ctx = *ctx;
    op->inner_ctx.batch_mode = false;
    op->agg = ex_agg_new(op->spec->agg, &op->inner_ctx, err);
    if (!op->agg) {
        free(op->base.input_watermarks);
        free(op);
        return NULL;
    }
    op->cap = wb_calloc(1, sizeof(Capture));
    ex_op_init(&op->cap->base, &capture_vt, NULL, ctx);
    op->cap->owner = op;
    ex_op_add_output(op->agg, &op->cap->base, 0);
    op->parts = st_table_new(sizeof(Part *));
    op->pending = st_timers_new();
    const PlanNode *in = node->inputs[0];
    op->stage = ty_batch_new(in->types, in->ncols, 64);
    op->inner = ty_batch_new(op->spec->agg->inputs[0]->types, op->spec->nproj, 64);
    wb_buf_reserve(&op->key, 64);
    wb_buf_reserve(&op->scratch, 64);
    ex_out_init(&op->out, node->types, node->ncols);
    /* an updating input (plan.h): the present rows are kept, changes recomputed */
    if (in->mode != CM_INSERT_ONLY) {
        op->updating = true;
        op->upend = st_table_new(sizeof(int64_t));
        op->rowdec = ty_batch_new(in->types, in->ncols, 64);
    }
    return &op->base;
}
