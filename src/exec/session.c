/*
 * session.c - PN_WINDOW with kind SESSION: session windows per partition.
 *
 * Rows of one partition whose times are closer than the gap form a session
 * [first time, last time + gap); windows that touch or overlap merge (as
 * Flink's TimeWindow.intersects).  The operator keeps each open session's
 * rows; when the watermark passes a session's last millisecond it emits
 * them, in arrival order, with window_start, window_end and window_time
 * appended, and forgets them.  It emits before the watermark is forwarded,
 * so the window aggregate above (AggSpec.window) receives the session's
 * rows while the window is still open and fires it on the same watermark:
 * the aggregate's accumulators are the only ones (no session merging of
 * accumulators).  A row whose own session [t, t + gap) would already have
 * closed is late: dropped and counted.  In batch mode every session closes
 * at the end of input.
 *
 * Over processing time (a PROCTIME() column), a row's time is when it was
 * read, so no row is late; the job's clock closes the sessions (the
 * processing-time hook, which the runtime calls on this operator before
 * the window aggregate above it, so the aggregate fires the window on the
 * same tick), and the end of input closes the rest.
 *
 * State: per partition key (the encoded partition columns) a StateTable
 * entry owning its sessions and buffered rows; one timer per partition and
 * session end (a merge leaves a stale timer, which then finds nothing).
 */
#include "exec/op_int.h"

#include <stdlib.h>
#include <string.h>

#include "state/timers.h"

typedef struct Sess {
    int64_t start, end;
} Sess;

typedef struct SessRow {
    int64_t ts, weight;
    uint32_t off, len;           /* the encoded row in bytes */
} SessRow;

typedef struct SessKey {
    Sess *sess;
    int32_t nsess, cap_sess;
    SessRow *rows;
    int32_t nrows, cap_rows;
    WbBuf bytes;
} SessKey;

typedef struct SessionOp {
    Operator base;
    const WindowSpec *spec;
    StateTable *keys;            /* payload: SessKey * */
    bool proctime;               /* the time column is processing time */
    TimerService *timers;        /* key: the partition key */
    int64_t bytes;               /* buffered row bytes, for state_bytes */
    WbBuf key;
    ExOut out;
} SessionOp;

static SessKey *sess_key(StateEntry *e)
{
    return *(SessKey **)st_payload(e);
}

static void key_free(SessKey *sk)
{
    free(sk->sess);
    free(sk->rows);
    wb_buf_free(&sk->bytes);
    free(sk);
}

/* Adds [ts, ts + gap) to the key's sessions, merging every session it
 * touches; returns the resulting session's end. */
static int64_t add_session(SessKey *sk, int64_t ts, int64_t gap)
{
    Sess merged = {ts, ts + gap};
    int32_t kept = 0;
    for (int32_t i = 0; i < sk->nsess; i++) {
        Sess s = sk->sess[i];
        if (s.start <= merged.end && s.end >= merged.start) {
            if (s.start < merged.start) merged.start = s.start;
            if (s.end > merged.end) merged.end = s.end;
        } else {
            sk->sess[kept++] = s;
        }
    }
    if (kept == sk->cap_sess) {
        sk->cap_sess = sk->cap_sess ? sk->cap_sess * 2 : 2;
        sk->sess = wb_realloc(sk->sess, sizeof(Sess) * (size_t)sk->cap_sess);
    }
    sk->sess[kept++] = merged;
    sk->nsess = kept;
    return merged.end;
}

static void add_row(SessionOp *op, SessKey *sk, const Batch *batch, int32_t r, int64_t ts)
{
    if (sk->nrows == sk->cap_rows) {
        sk->cap_rows = sk->cap_rows ? sk->cap_rows * 2 : 4;
        sk->rows = wb_realloc(sk->rows, sizeof(SessRow) * (size_t)sk->cap_rows);
    }
    SessRow *row = &sk->rows[sk->nrows++];
    row->ts = ts;
    row->weight = batch->weights[r];
    row->off = (uint32_t)sk->bytes.len;
    ty_row_encode(batch, r, NULL, batch->ncols, &sk->bytes);
    row->len = (uint32_t)(sk->bytes.len - row->off);
    op->bytes += row->len + (int64_t)sizeof(SessRow);
}

static int session_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    SessionOp *op = (SessionOp *)base;
    const WindowSpec *w = op->spec;
    const ColumnVector *tc = &batch->cols[w->time_col];
    for (int32_t r = 0; r < batch->nrows; r++) {
        if (tc->nulls[r]) continue;
        int64_t ts = tc->i64[r];
        if (!op->proctime && ts + w->size - 1000 <= base->watermark) {
            ex_late_row(base, batch, r);
            continue;
        }
        wb_buf_clear(&op->key);
        ty_row_encode(batch, r, w->partition, w->npartition, &op->key);
        uint64_t hash = wb_hash_bytes(op->key.data, op->key.len, 0x73657373);
        bool created = false;
        StateEntry *e = st_table_upsert(op->keys, op->key.data, (uint32_t)op->key.len, hash, &created);
        if (created) *(SessKey **)st_payload(e) = wb_calloc(1, sizeof(SessKey));
        SessKey *sk = sess_key(e);
        add_row(op, sk, batch, r, ts);
        int64_t end = add_session(sk, ts, w->size);
        st_timers_register(op->timers, end - 1000, op->key.data, (uint32_t)op->key.len);
    }
    (void)err;
    return 0;
}

/* Emits the rows of the sessions of sk that end by wm, then drops them. */
static int close_sessions(SessionOp *op, SessKey *sk, int64_t wm, WbError *err)
{
    const PlanNode *in = op->base.node->inputs[0];
    int32_t nin = in->ncols;
    /* over a TIMESTAMP_LTZ time, sessions are of instants; window_start
     * and window_end are shown as wall times of the session zone, and
     * window_time stays an instant (as the other windows) */
    bool ltz = op->base.node->types[nin + 2].ltz;
    int32_t keep_s = 0;
    for (int32_t i = 0; i < sk->nsess; i++) {
        Sess s = sk->sess[i];
        if (s.end - 1000 > wm) {
            sk->sess[keep_s++] = s;
            continue;
        }
        int32_t keep_r = 0;
        for (int32_t j = 0; j < sk->nrows; j++) {
            SessRow row = sk->rows[j];
            if (row.ts < s.start || row.ts >= s.end) {
                sk->rows[keep_r++] = row;
                continue;
            }
            if (ex_out_reserve(&op->base, &op->out, 1, err) != 0) return -1;
            Batch *b = op->out.batch;
            int32_t k = b->nrows++;
            ty_row_decode((const uint8_t *)sk->bytes.data + row.off, in->types, nin, b, k, 0);
            int64_t vals[3] = {ltz ? wb_tz_to_local(s.start) : s.start,
                               ltz ? wb_tz_to_local(s.end) : s.end, s.end - 1000};
            for (int32_t c = 0; c < 3; c++) {
                b->cols[nin + c].nulls[k] = 0;
                b->cols[nin + c].i64[k] = vals[c];
            }
            b->weights[k] = row.weight;
            op->bytes -= row.len + (int64_t)sizeof(SessRow);
        }
        sk->nrows = keep_r;
    }
    sk->nsess = keep_s;
    if (sk->nrows == 0) wb_buf_clear(&sk->bytes);
    return 0;
}

/* Closes the sessions that end by `time` (a watermark, or the clock). */
static int close_until(SessionOp *op, int64_t wm, WbError *err)
{
    int64_t time;
    const uint8_t *key;
    uint32_t len;
    while (st_timers_pop(op->timers, wm, &time, &key, &len)) {
        uint64_t hash = wb_hash_bytes(key, len, 0x73657373);
        StateEntry *e = st_table_find(op->keys, key, len, hash);
        if (!e) continue;
        SessKey *sk = sess_key(e);
        if (close_sessions(op, sk, wm, err) != 0) return -1;
        if (sk->nsess == 0) {
            key_free(sk);
            st_table_remove(op->keys, e);
        }
    }
    return ex_out_flush(&op->base, &op->out, err);
}

static int session_watermark(Operator *base, int64_t wm, WbError *err)
{
    SessionOp *op = (SessionOp *)base;
    if (op->proctime) return 0;
    return close_until(op, wm, err);
}

static int session_proctime(Operator *base, int64_t now, WbError *err)
{
    SessionOp *op = (SessionOp *)base;
    if (!op->proctime) return 0;
    return close_until(op, now, err);
}

/* End of input: the job's clock stops, every open session closes (event
 * time: the last watermark closed them already). */
static int session_finish(Operator *base, WbError *err)
{
    return close_until((SessionOp *)base, INT64_MAX, err);
}

static void session_destroy(Operator *base)
{
    SessionOp *op = (SessionOp *)base;
    StateIter it;
    st_iter_init(&it, op->keys);
    for (StateEntry *e; (e = st_iter_next(&it));) key_free(sess_key(e));
    st_table_free(op->keys);
    st_timers_free(op->timers);
    wb_buf_free(&op->key);
    ex_out_free(&op->out);
}

static int64_t session_state_bytes(const Operator *base)
{
    const SessionOp *op = (const SessionOp *)base;
    return st_table_bytes(op->keys) + st_timers_bytes(op->timers) + op->bytes;
}

static const OpVTable session_vt = {"SessionWindow", session_push, NULL, session_finish,
                                    session_destroy, session_state_bytes, session_watermark,
                                    session_proctime};

Operator *ex_session_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    (void)err;
    SessionOp *op = wb_calloc(1, sizeof *op);
    ex_op_init(&op->base, &session_vt, node, ctx);
    op->spec = &node->window;
    op->proctime = node->inputs[0]->types[op->spec->time_col].time_attr == TY_PROCTIME;
    op->keys = st_table_new(sizeof(SessKey *));
    op->timers = st_timers_new();
    wb_buf_reserve(&op->key, 64);
    ex_out_init(&op->out, node->types, node->ncols);
    return &op->base;
}
