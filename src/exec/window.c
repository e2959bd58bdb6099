/*
 * window.c - PN_WINDOW, the window table-valued functions TUMBLE, HOP and
 * CUMULATE: each input row is repeated once per window containing its
 * time, with window_start, window_end and window_time (window_end - 1 ms)
 * appended.  Stateless.  Windows are aligned to the epoch plus offset:
 *
 *   TUMBLE(size):        [s, s + size) with s = floor((t - offset) / size) * size + offset
 *   HOP(slide, size):    every [s, s + size) with s a slide multiple (+ offset)
 *                        and s <= t < s + size
 *   CUMULATE(step, size): the tumbling window [s, s + size) of t, cut into
 *                        [s, s + step), [s, s + 2 step), ... [s, s + size),
 *                        those whose end is past t
 *
 * Over a TIMESTAMP_LTZ time (an instant) the windows are those of its wall
 * time in the session zone: window_start and window_end are wall times,
 * window_time the instant of the window's last millisecond.
 * Rows with a NULL time belong to no window and are dropped.  Weights pass
 * through; TUMBLE keeps update pairs (one row out per row in), the others
 * emit plain changes (the copies of an update's halves are no longer
 * adjacent).
 */
#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

typedef struct WindowOp {
    Operator base;
    WbArena scratch;
    int32_t *src;                /* per output row: its input row */
    int64_t *start;              /* per output row: its window start */
    int64_t *end;
    int32_t cap;
} WindowOp;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void reserve(WindowOp *op, int32_t n)
{
    if (n <= op->cap) return;
    op->cap = n * 2;
    op->src = wb_realloc(op->src, sizeof(int32_t) * (size_t)op->cap);
    op->start = wb_realloc(op->start, sizeof(int64_t) * (size_t)op->cap);
    op->end = wb_realloc(op->end, sizeof(int64_t) * (size_t)op->cap);
}

/* Lists the (row, window) pairs of the batch; returns how many. */
static int32_t assign(WindowOp *op, const WindowSpec *w, const Batch *batch)
{
    const ColumnVector *tc = &batch->cols[w->time_col];
    bool ltz = tc->type.ltz;
    int32_t n = 0;
    int64_t per_row = 1;
    if (w->kind != WK_TUMBLE) per_row = w->size / w->slide + 1;
    reserve(op, (int32_t)WB_MIN((int64_t)batch->nrows * per_row, INT32_MAX / 2));
    for (int32_t row = 0; row < batch->nrows; row++) {
        if (tc->nulls[row]) continue;
        /* an instant's windows are those of its wall time (Flink) */
        int64_t t = ltz ? wb_tz_to_local(tc->i64[row]) : tc->i64[row];
        if (n + per_row > op->cap) reserve(op, n + (int32_t)per_row);
        switch (w->kind) {
        case WK_TUMBLE: {
            int64_t s = floor_div(t - w->offset, w->size) * w->size + w->offset;
            op->src[n] = row;
            op->start[n] = s;
            op->end[n++] = s + w->size;
            break;
        }
        case WK_HOP: {
            int64_t last = floor_div(t - w->offset, w->slide) * w->slide + w->offset;
            for (int64_t s = last; s > t - w->size; s -= w->slide) {
                op->src[n] = row;
                op->start[n] = s;
                op->end[n++] = s + w->size;
            }
            break;
        }
        case WK_CUMULATE: {
            int64_t s = floor_div(t - w->offset, w->size) * w->size + w->offset;
            int64_t first = s + (floor_div(t - s, w->slide) + 1) * w->slide;
            for (int64_t e = first; e <= s + w->size; e += w->slide) {
                op->src[n] = row;
                op->start[n] = s;
                op->end[n++] = e;
            }
            break;
        }
        case WK_SESSION:
            break;
        }
    }
    return n;
}

static void put_times(ColumnVector *vec, const int64_t *vals, int64_t delta, int32_t n,
                      SqlType type, WbArena *arena)
{
    ex_vector_alloc(vec, type, n, arena);
    memset(vec->nulls, 0, (size_t)n);
    for (int32_t i = 0; i < n; i++) vec->i64[i] = vals[i] + delta;
}

static int window_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    WindowOp *op = (WindowOp *)base;
    const WindowSpec *w = &base->node->window;
    const PlanNode *node = base->node;
    wb_arena_reset(&op->scratch);
    int32_t n = assign(op, w, batch);
    if (n == 0) return 0;
    int32_t nin = batch->ncols;
    Batch *out;
    bool identity = n == batch->nrows;
    for (int32_t i = 0; i < n && identity; i++) identity = op->src[i] == i;
    if (identity) {
        /* one window per row (TUMBLE, no NULL times): the input's vectors */
        out = wb_arena_calloc(&op->scratch, sizeof *out);
        *out = *batch;
        out->owns_arena = false;
        out->cols = wb_arena_alloc(&op->scratch, sizeof(ColumnVector) * (size_t)(nin + 3));
        memcpy(out->cols, batch->cols, sizeof(ColumnVector) * (size_t)nin);
    } else {
        Batch *sel = ex_batch_compact(batch, op->src, n, &op->scratch);
        out = wb_arena_calloc(&op->scratch, sizeof *out);
        *out = *sel;
        out->cols = wb_arena_alloc(&op->scratch, sizeof(ColumnVector) * (size_t)(nin + 3));
        memcpy(out->cols, sel->cols, sizeof(ColumnVector) * (size_t)nin);
        if (w->kind != WK_TUMBLE) out->updates = NULL;
    }
    out->ncols = nin + 3;
    put_times(&out->cols[nin], op->start, 0, n, node->types[nin], &op->scratch);
    put_times(&out->cols[nin + 1], op->end, 0, n, node->types[nin + 1], &op->scratch);
    put_times(&out->cols[nin + 2], op->end, -1000, n, node->types[nin + 2], &op->scratch);
    if (node->types[nin + 2].ltz) {
        /* window_time, a TIMESTAMP_LTZ: the instant of the window's last
         * millisecond */
        ColumnVector *wt = &out->cols[nin + 2];
        for (int32_t i = 0; i < n; i++) wt->i64[i] = wb_tz_to_utc(op->end[i]) - 1000;
    }
    return ex_emit(base, out, err);
}

static void window_destroy(Operator *base)
{
    WindowOp *op = (WindowOp *)base;
    wb_arena_destroy(&op->scratch);
    free(op->src);
    free(op->start);
    free(op->end);
}

static const OpVTable window_vt = {"WindowTableFunction", window_push, NULL, NULL,
                                   window_destroy, NULL, NULL, NULL};

Operator *ex_window_new(const PlanNode *node, const ExecContext *ctx, WbError *err)
{
    const WindowSpec *w = &node->window;
    if (w->kind == WK_SESSION && w->size > 0) return ex_session_new(node, ctx, err);
    if (w->size <= 0 || (w->kind != WK_TUMBLE && (w->slide <= 0 || w->slide > w->size)) ||
        w->kind == WK_SESSION) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "malformed window plan node %d", (int)node->id);
        return NULL;
    }
    WindowOp *op = wb_calloc(1, sizeof *op);
    ex_op_init(&op->base, &window_vt, node, ctx);
    wb_arena_init(&op->scratch, 1 << 16);
    return &op->base;
}
