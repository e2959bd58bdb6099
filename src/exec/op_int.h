/*
 * op_int.h - private helpers shared by the stateful operators (agg.c,
 * join.c, rank.c): the output buffer every operator fills and flushes, and
 * the order-preserving (memcmp-comparable) encoding of single values.
 */
#ifndef WEIR_EXEC_OP_INT_H
#define WEIR_EXEC_OP_INT_H

#include <string.h>

#include "exec/exec.h"
#include "state/state.h"
#include "state/timers.h"

/* An output batch of the operator's schema that is filled row by row and
 * emitted downstream when full or at the end of each input batch.  The
 * batch owns its arena; ex_out_flush emits and resets it, so pointers into
 * it are valid only until the next flush. */
typedef struct ExOut {
    Batch *batch;
} ExOut;

void ex_out_init(ExOut *out, const SqlType *types, int32_t ncols);
void ex_out_free(ExOut *out);
/* Emits the rows held (if any) and empties the buffer. */
int ex_out_flush(Operator *op, ExOut *out, WbError *err);
/* Makes room for `nrows` more rows in the current batch, flushing first
 * when they would not fit in EX_BATCH_ROWS, so that rows appended together
 * (an update pair) travel in the same batch. */
int ex_out_reserve(Operator *op, ExOut *out, int32_t nrows, WbError *err);
/* Appends a row whose cells are all NULL and returns its index; the caller
 * fills cells and sets the weight. */
int32_t ex_out_null_row(ExOut *out, int64_t weight);

/* State TTL (agg.c, join.c, rank.c): a key keeps one pending timer; when
 * it fires, the key expired if it was not used for ttl_us by now, else
 * its timer is set again at its own expiry (used_us + ttl_us) and false
 * returned.  The key may be the one st_timers_pop handed out. */
/* The state TTL an operator keeps, in ms (0 = none): its STATE_TTL
 * hint (-1 = never, > 0 = that), else the job's table.exec.state.ttl;
 * none in batch mode, where inputs end and nothing idles. */
static inline int64_t ex_state_ttl_ms(const ExecContext *ctx, int64_t hint_ms)
{
    if (ctx->batch_mode || hint_ms < 0) return 0;
    return hint_ms > 0 ? hint_ms : ctx->state_ttl_ms;
}

static inline bool ex_ttl_expired(TimerService *timers, int64_t now, int64_t used_us,
                                  int64_t ttl_us, const uint8_t *key, uint32_t len)
{
    if (now - used_us >= ttl_us) return true;
    st_timers_register(timers, used_us + ttl_us, key, len);
    return false;
}

/* Whether row ra of a and row rb of b hold equal values in all columns
 * (same schema; NULL equals NULL). */
bool ex_rows_equal(const Batch *a, int32_t ra, const Batch *b, int32_t rb);

/* ---- order-preserving encodings ----
 * An int64 becomes 8 big-endian bytes with the sign bit flipped; a double
 * becomes 8 big-endian bytes of its IEEE bits, all bits flipped when
 * negative and only the sign bit otherwise (so -inf < ... < -0 = 0 < ... <
 * inf < NaN after normalising -0.0 and NaN).  memcmp on these bytes is the
 * value order of ty_compare. */
static inline uint64_t ex_order_bits_i64(int64_t v)
{
    return (uint64_t)v ^ 0x8000000000000000ULL;
}

static inline int64_t ex_order_unbits_i64(uint64_t bits)
{
    return (int64_t)(bits ^ 0x8000000000000000ULL);
}

static inline uint64_t ex_order_bits_f64(double d)
{
    uint64_t bits;
    if (d == 0.0) d = 0.0;
    if (d != d) bits = 0x7ff8000000000000ULL;
    else memcpy(&bits, &d, 8);
    return (bits & 0x8000000000000000ULL) ? ~bits : bits | 0x8000000000000000ULL;
}

static inline double ex_order_unbits_f64(uint64_t bits)
{
    bits = (bits & 0x8000000000000000ULL) ? bits & ~0x8000000000000000ULL : ~bits;
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static inline void ex_put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static inline uint64_t ex_get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}

/* Appends the order-preserving bytes of non-NULL cell (col, row): 8 bytes
 * for numbers and temporal types, the raw bytes for strings (a single value
 * compares by memcmp on the common prefix, then by length). */
void ex_value_order_encode(const ColumnVector *col, int32_t row, WbBuf *out);
/* Writes a value encoded by ex_value_order_encode (len bytes) into
 * (col, row) of batch; strings are copied into the batch arena. */
void ex_value_order_decode(const uint8_t *data, uint32_t len, Batch *batch,
                           int32_t col, int32_t row);
/* Compares two single values encoded by ex_value_order_encode. */
static inline int ex_value_order_cmp(const uint8_t *a, uint32_t alen,
                                     const uint8_t *b, uint32_t blen)
{
    uint32_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen;
}

#endif
