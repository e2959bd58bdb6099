/*
 * test_agg_flat.c - the flat state table (state/flat.h) against a naive
 * model, and the flat group aggregate (exec/agg_flat.c) against the
 * general one (exec/agg.c): fed the same random changelogs in the same
 * batches, both must emit exactly the same changes in the same order, in
 * streaming mode (batch sizes 1, 3, 64, 2048 and random) and batch mode.
 * The changelogs (the Shape table) cover the flat aggregate's narrow and
 * wide layouts and the widening between them (by a NULL argument, or by
 * sums of |v * w| that could pass INT64_MAX); weights of ±1, and of ±2..3
 * and ±2^30 with retractions of rows never inserted (row counts that go
 * negative and back); one batch touching more than 1024 groups, so that
 * its -old/+new pairs span output batches of EX_BATCH_ROWS rows, with many
 * pairs of equal values to drop; and NULL bytes of 2 rather than 1 (any
 * non-zero byte is NULL) over garbage values, in keys and SUM arguments.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "exec/exec.h"
#include "exec/agg_int.h"
#include "state/flat.h"

/* ---- the table ---- */

static void test_flat_table(void)
{
    enum { NKEYS = 2000 };
    FlatTable *t = st_flat_new(2, 24);
    CHECK(t->entry_size == 64);
    static int64_t model[NKEYS];      /* payload word per key index, 0 = absent */
    static bool present[NKEYS];
    WbRand rng;
    wb_rand_seed(&rng, 11);
    int64_t live = 0;
    for (int32_t step = 0; step < 200000; step++) {
        int32_t idx = (int32_t)wb_rand_below(&rng, NKEYS);
        /* key (idx % 7, idx / 7); idx % 5 == 0 has a NULL first column */
        uint32_t nulls = idx % 5 == 0;
        int64_t key[2] = {nulls ? 0 : idx % 7, idx / 7};
        /* every third key shares one hash: long probe chains on purpose */
        uint64_t hash = idx % 3 == 0 ? 0x1234567800000000ULL : wb_hash_u64((uint64_t)idx);
        st_flat_reserve(t, 1);
        bool remove = wb_rand_below(&rng, 3) == 0;
        bool created;
        int64_t *payload = st_flat_upsert(t, key, st_flat_ctrl(hash, nulls), &created);
        CHECK(created == !present[idx]);
        if (created) {
            CHECK(payload[0] == 0 && payload[1] == 0 && payload[2] == 0);
            live++;
        } else {
            CHECK(payload[0] == model[idx]);
        }
        CHECK(st_flat_key(t, payload)[0] == key[0] && st_flat_key(t, payload)[1] == key[1]);
        CHECK(st_flat_nulls(t, payload) == nulls);
        if (remove) {
            st_flat_remove(t, payload);
            present[idx] = false;
            live--;
        } else {
            payload[0] = step + 1;
            model[idx] = step + 1;
            present[idx] = true;
        }
    }
    CHECK(st_flat_count(t) == live);
    int64_t seen = 0;
    uint64_t pos = 0;
    for (int64_t *payload; (payload = st_flat_next(t, &pos));) seen++;
    CHECK(seen == live);
    st_flat_free(t);
}

/* Growth of a mapped table in place: nkeys keys, of which every
 * `collide`-th has a hash whose home is always the last slot (a cluster at
 * the end that wraps around: `collide` small makes it longer than the
 * spare slots, so the in-place growth falls back to a rebuild). */
static void check_growth(int32_t nkeys, int32_t collide)
{
    FlatTable *t = st_flat_new(1, 8);
    CHECK(t->entry_size == 32);
    int32_t bad = 0;
    for (int32_t round = 0; round < 2; round++) {
        for (int64_t k = 0; k < nkeys; k++) {
            if (round == 1 && k % 5 != 0) continue;   /* round 1: put removed ones back */
            uint64_t hash = k % collide == 0 ? 0xffffffff00000000ULL : wb_hash_u64((uint64_t)k);
            st_flat_reserve(t, 1);
            bool created;
            int64_t *payload = st_flat_upsert(t, &k, st_flat_ctrl(hash, 0), &created);
            if (!created) bad++;
            payload[0] = 3 * k;
        }
        if (round == 0) {
            /* remove every fifth key, leaving tombstones for the next growths */
            for (int64_t k = 0; k < nkeys; k += 5) {
                uint64_t hash = k % collide == 0 ? 0xffffffff00000000ULL : wb_hash_u64((uint64_t)k);
                bool created;
                int64_t *payload = st_flat_upsert(t, &k, st_flat_ctrl(hash, 0), &created);
                if (created || payload[0] != 3 * k) bad++;
                st_flat_remove(t, payload);
            }
        }
    }
    /* every key once, with its payload, and nothing else */
    CHECK(st_flat_count(t) == nkeys);
    for (int64_t k = 0; k < nkeys; k++) {
        uint64_t hash = k % collide == 0 ? 0xffffffff00000000ULL : wb_hash_u64((uint64_t)k);
        st_flat_reserve(t, 1);
        bool created;
        int64_t *payload = st_flat_upsert(t, &k, st_flat_ctrl(hash, 0), &created);
        if (created || payload[0] != 3 * k) bad++;
    }
    CHECK(bad == 0);
    CHECK(st_flat_count(t) == nkeys);
    int64_t seen = 0;
    uint64_t pos = 0;
    for (int64_t *payload; (payload = st_flat_next(t, &pos));) seen++;
    CHECK(seen == nkeys);
    st_flat_free(t);
}

static void test_flat_growth(void)
{
    check_growth(300000, 1000);   /* 300 colliding keys: the spare slots suffice */
    check_growth(300000, 60);     /* 5000 colliding keys: rebuild */
}

/* Tombstones dropped where they are: a table whose keys come and go keeps
 * its array (same address, same capacity) while st_flat_reserve purges
 * the tombstones, and every live key keeps its payload.  Keys of a few
 * shared hashes make long clusters, some wrapping past the end. */
static uint64_t purge_hash(int64_t key)
{
    return key % 7 == 0    ? 0xffffffff00000000ULL   /* home: the last slot */
           : key % 11 == 0 ? 0x1234567800000000ULL
                           : wb_hash_u64((uint64_t)key);
}

static void test_flat_purge(void)
{
    enum { LIVE = 3000, ROUNDS = 40 };
    FlatTable *t = st_flat_new(1, 8);
    static int64_t payload_of[LIVE * ROUNDS];
    WbRand rng;
    wb_rand_seed(&rng, 23);
    int64_t next = 0, first = 0, bad = 0, purges = 0;
    uint8_t *data = NULL;
    uint64_t mask = 0;
    for (int32_t round = 0; round < ROUNDS; round++) {
        /* insert LIVE new keys, then remove the oldest ones but LIVE */
        for (int32_t i = 0; i < LIVE; i++, next++) {
            uint64_t hash = purge_hash(next);
            int64_t used = t->used;
            st_flat_reserve(t, 1);
            if (round > 1 && t->used < used) {
                purges++;
                if (t->data != data || t->mask != mask) bad++;
            }
            data = t->data;
            mask = t->mask;
            bool created;
            int64_t *payload = st_flat_upsert(t, &next, st_flat_ctrl(hash, 0), &created);
            if (!created) bad++;
            payload[0] = payload_of[next] = (int64_t)wb_rand_next(&rng);
        }
        for (; first < next - LIVE; first++) {
            uint64_t hash = purge_hash(first);
            bool created;
            int64_t *payload = st_flat_upsert(t, &first, st_flat_ctrl(hash, 0), &created);
            if (created || payload[0] != payload_of[first]) bad++;
            st_flat_remove(t, payload);
        }
    }
    CHECK(purges > 0);
    CHECK(bad == 0);
    CHECK(st_flat_count(t) == LIVE);
    /* the live keys, each with its payload; the removed ones gone */
    for (int64_t k = 0; k < next; k++) {
        uint64_t hash = purge_hash(k);
        st_flat_reserve(t, 1);
        bool created;
        int64_t *payload = st_flat_upsert(t, &k, st_flat_ctrl(hash, 0), &created);
        if (k >= first ? created || payload[0] != payload_of[k] : !created) bad++;
        if (created) st_flat_remove(t, payload);
    }
    CHECK(bad == 0);
    CHECK(st_flat_count(t) == LIVE);
    st_flat_free(t);
}

/* ---- the operators ---- */

/* Records every change as bytes: weight, then per column null flag and
 * the 8 value bytes. */
typedef struct Record {
    Operator base;
    WbBuf bytes;
    int64_t rows;
} Record;

static int record_push(Operator *op, int32_t port, const Batch *batch, WbError *err)
{
    (void)port;
    (void)err;
    Record *rec = (Record *)op;
    for (int32_t row = 0; row < batch->nrows; row++) {
        /* the weight times 4 plus the row's kind: the kinds must agree too */
        int64_t weight_kind = batch->weights[row] * 4 + (int64_t)ty_row_kind(batch, row);
        wb_buf_append(&rec->bytes, &weight_kind, 8);
        for (int32_t col = 0; col < batch->ncols; col++) {
            uint8_t null = batch->cols[col].nulls[row] != 0;   /* any non-zero byte is NULL */
            const ColumnVector *vec = &batch->cols[col];
            bool wide = ty_phys(vec->type) == PK_I128;   /* AVG(DECIMAL) is DECIMAL(38, 6) */
            int64_t word = 0, high = 0;
            if (null) {
            } else if (ty_phys(vec->type) == PK_STR) {
                /* the length and a hash of the bytes (FNV-1a) */
                high = vec->str[row].len;
                uint64_t hash = 14695981039346656037ULL;
                for (uint32_t i = 0; i < vec->str[row].len; i++)
                    hash = (hash ^ (uint8_t)vec->str[row].ptr[i]) * 1099511628211ULL;
                word = (int64_t)hash;
            } else if (ty_phys(vec->type) == PK_F64 && vec->f64[row] != vec->f64[row]) {
                /* a NaN's sign depends on which operand of an addition
                 * the compiler put first, and SQL never shows it */
                word = INT64_MAX;
            } else {
                word = wide ? (int64_t)vec->i128[row] : vec->i64[row];
                high = !wide ? 0 : (int64_t)(vec->i128[row] >> 64);
            }
            wb_buf_append(&rec->bytes, &null, 1);
            wb_buf_append(&rec->bytes, &word, 8);
            wb_buf_append(&rec->bytes, &high, 8);
        }
        rec->rows++;
    }
    return 0;
}

static const OpVTable record_vt = {.name = "Record", .push = record_push};

static size_t record_size;

static int cmp_record(const void *a, const void *b) { return memcmp(a, b, record_size); }

/* Batch mode emits at the end in table order: compare as multisets. */
static void sort_records(Record *rec, int32_t ncols)
{
    record_size = 8 + 17 * (size_t)ncols;
    if (rec->rows > 1) qsort(rec->bytes.data, (size_t)rec->rows, record_size, cmp_record);
}

/* Input: k1 BIGINT, k2 INT (nullable), v BIGINT (nullable), d DOUBLE
 * (nullable), f BOOLEAN (nullable), m DECIMAL(10, 2), w DECIMAL(38, 2)
 * (128-bit: v * 10^10 + m, NULL with v), s STRING (nullable, up to 4
 * bytes of 'a'..'c', "" included, after "cccccccc" in a third of the
 * rows: strings whose first 8 bytes are equal). */
#define IN_COLS 8

/* The *_null fields are the nulls[] bytes (0 for a value); a NULL's value
 * slot holds garbage, which both aggregates must ignore. */
typedef struct Change {
    int64_t k1, k2, v, m;
    double d;
    uint8_t k2_null, v_null, d_null, f, f_null;
    char s[12];
    uint8_t s_len, s_null;
} Change;

#define GARBAGE 0x5555

static void fill_row(Batch *b, int32_t row, const Change *c, int64_t weight)
{
    b->cols[0].i64[row] = c->k1;
    b->cols[0].nulls[row] = 0;
    b->cols[1].i64[row] = c->k2_null ? GARBAGE : c->k2;
    b->cols[1].nulls[row] = c->k2_null;
    b->cols[2].i64[row] = c->v_null ? GARBAGE : c->v;
    b->cols[2].nulls[row] = c->v_null;
    b->cols[3].f64[row] = c->d_null ? GARBAGE : c->d;
    b->cols[3].nulls[row] = c->d_null;
    b->cols[4].i64[row] = c->f_null ? GARBAGE : c->f;
    b->cols[4].nulls[row] = c->f_null;
    b->cols[5].i64[row] = c->m;
    b->cols[5].nulls[row] = 0;
    b->cols[6].i128[row] = c->v_null ? GARBAGE : (ty_i128)c->v * 10000000000LL + c->m;
    b->cols[6].nulls[row] = c->v_null;
    b->cols[7].str[row] = c->s_null ? (WbStr){"garbage", 7} : ty_batch_str(b, c->s, c->s_len);
    b->cols[7].nulls[row] = c->s_null;
    b->weights[row] = weight;
}

/* Runs one aggregate over the changes, cut into batches by `sizes`
 * (cycled; 0 = random 1..300), and returns what it emitted. */
static void run_agg(const PlanNode *node, const ExecContext *ctx, const Change *changes,
                    const int64_t *weights, int32_t n, const int32_t *sizes, int32_t nsizes,
                    uint64_t seed, Record *result)
{
    WbError err = {0};
    Operator *agg = ex_agg_new(node, ctx, &err);
    CHECK(agg != NULL);
    if (!agg) return;
    PlanNode sink_node = {.kind = PN_SINK, .id = 9, .ncols = node->ncols, .types = node->types,
                          .names = node->names, .ninputs = 1};
    memset(result, 0, sizeof(*result));
    Record *rec = wb_calloc(1, sizeof(Record));   /* ex_op_free frees it */
    ex_op_init(&rec->base, &record_vt, &sink_node, ctx);
    ex_op_add_output(agg, &rec->base, 0);
    WbRand rng;
    wb_rand_seed(&rng, seed);
    const SqlType *types = node->inputs[0]->types;
    int32_t at = 0, turn = 0;
    while (at < n) {
        int32_t size = sizes[turn++ % nsizes];
        if (size == 0) size = 1 + (int32_t)wb_rand_below(&rng, 300);
        if (size > n - at) size = n - at;
        Batch *b = ty_batch_new(types, IN_COLS, size);
        for (int32_t row = 0; row < size; row++) fill_row(b, row, &changes[at + row], weights[at + row]);
        b->nrows = size;
        CHECK(ex_push(agg, 0, b, &err) == 0);
        ty_batch_free(b);
        at += size;
    }
    ControlMsg end = {.kind = CTL_END, .value = 0};
    CHECK(ex_control(agg, 0, &end, &err) == 0);
    ex_op_free(agg);
    result->bytes = rec->bytes;   /* the caller owns the bytes now */
    result->rows = rec->rows;
    ex_op_free(&rec->base);
}

typedef struct Shape {
    int32_t ngroup, naggs, clean;   /* clean: changes before the first NULL v or d */
    int32_t *keys;
    AggCall *calls;
    int64_t scale;                  /* of v */
    /* 0 in the fields below means the default in brackets */
    int32_t n;                      /* changes (N) */
    int32_t nk1;                    /* k1 takes nk1 values (6) */
    int32_t zeros;                  /* v is 0 in one row out of `zeros` (1 in 21) */
    uint8_t null_byte;              /* the nulls[] byte of a NULL (1) */
    bool weighted;                  /* weights other than ±1 (±1 only) */
    bool inserts;                   /* an insert-only input: no retraction,
                                     * weighted: 1..3; d sometimes -0.0, NaN
                                     * or an infinity (MIN/MAX's order) */
} Shape;

/* A random changelog: inserts of random rows over few groups, and
 * retractions of live rows (sometimes right away, sometimes much later).
 * The first `clean` changes have no NULL v or d (the flat aggregate's
 * narrow layout holds until a NULL comes); v is scaled by `scale` (large:
 * the sum of |v * w| passes INT64_MAX, so the narrow layout must give way,
 * while every group's sum stays in range: run_agg requires every run to
 * succeed, and an error would end the two runs at different rows).
 * Unweighted, the changelog is valid (weights ±1, only live rows
 * retracted).  Weighted, rows come with weights 1..3 or, one in 40, 2^30
 * and leave with the opposite one; one in six goes to one of two groups
 * of its own (k1 past the others) with either sign, so that a negative
 * one is a retraction of a row never inserted (its insertion is its
 * later "retraction"), and its group's row count goes negative and back. */
static int32_t make_changes(Change *changes, int64_t *weights, int32_t n, uint64_t seed,
                            const Shape *shape)
{
    WbRand rng;
    wb_rand_seed(&rng, seed);
    int32_t clean = shape->clean;
    uint64_t nk1 = shape->nk1 ? (uint64_t)shape->nk1 : 6;
    uint8_t null_byte = shape->null_byte ? shape->null_byte : 1;
    Change *live = wb_malloc(sizeof(Change) * (size_t)n);
    int64_t *live_weight = wb_malloc(sizeof(int64_t) * (size_t)n);
    int32_t nlive = 0, out = 0;
    while (out < n) {
        if (!shape->inserts && nlive > 0 && wb_rand_below(&rng, 100) < 35) {
            int32_t pick = (int32_t)wb_rand_below(&rng, (uint64_t)nlive);
            changes[out] = live[pick];
            weights[out++] = -live_weight[pick];
            nlive--;
            live[pick] = live[nlive];
            live_weight[pick] = live_weight[nlive];
            continue;
        }
        Change c = {0};
        c.k1 = (int64_t)wb_rand_below(&rng, nk1) - 2;
        c.k2_null = wb_rand_below(&rng, 5) == 0 ? null_byte : 0;
        c.k2 = c.k2_null ? 0 : (int64_t)wb_rand_below(&rng, 4);
        c.v_null = out >= clean && wb_rand_below(&rng, 6) == 0 ? null_byte : 0;
        c.v = ((int64_t)wb_rand_below(&rng, 21) - 10) * shape->scale;
        if (shape->zeros && wb_rand_below(&rng, (uint64_t)shape->zeros) == 0) c.v = c.m = 0;
        c.d_null = out >= clean && wb_rand_below(&rng, 6) == 0 ? null_byte : 0;
        c.d = ((double)wb_rand_below(&rng, 2001) - 1000.0) / 8.0;
        if (shape->inserts && wb_rand_below(&rng, 40) == 0) {
            static const double special[4] = {-0.0, NAN, INFINITY, -INFINITY};
            c.d = special[wb_rand_below(&rng, 4)];
        }
        if (shape->inserts) {
            c.s_null = out >= clean && wb_rand_below(&rng, 6) == 0 ? null_byte : 0;
            int32_t at = wb_rand_below(&rng, 3) == 0 ? 8 : 0;
            memset(c.s, 'c', (size_t)at);
            c.s_len = (uint8_t)(at + (int32_t)wb_rand_below(&rng, 5));
            for (int32_t i = at; i < c.s_len; i++) c.s[i] = (char)('a' + wb_rand_below(&rng, 3));
        }
        c.f_null = wb_rand_below(&rng, 7) == 0 ? null_byte : 0;
        c.f = (uint8_t)wb_rand_below(&rng, 2);
        c.m = (int64_t)wb_rand_below(&rng, 100001) - 50000;
        int64_t weight = 1;
        if (shape->weighted && shape->inserts) {
            weight = 1 + (int64_t)wb_rand_below(&rng, 3);
        } else if (shape->weighted) {
            weight = wb_rand_below(&rng, 40) == 0 ? (int64_t)1 << 30
                                                  : 1 + (int64_t)wb_rand_below(&rng, 3);
            if (wb_rand_below(&rng, 6) == 0) {
                c.k1 = (int64_t)nk1 - 2 + (int64_t)wb_rand_below(&rng, 2);
                if (wb_rand_below(&rng, 2)) weight = -weight;
            }
        }
        changes[out] = c;
        weights[out++] = weight;
        live[nlive] = c;
        live_weight[nlive++] = weight;
    }
    free(live);
    free(live_weight);
    return out;
}

/* Prints the first change where the two runs differ. */
static void report_difference(const Record *flat, const Record *general, int32_t ncols,
                              int32_t shape, int32_t mode, int32_t split)
{
    size_t size = 8 + 17 * (size_t)ncols;
    for (int64_t r = 0; r < flat->rows && r < general->rows; r++) {
        const char *rows[2] = {flat->bytes.data + r * size, general->bytes.data + r * size};
        if (memcmp(rows[0], rows[1], size) == 0) continue;
        fprintf(stderr, "shape %d, %s mode, split %d: change %ld differs\n", (int)shape,
                mode ? "batch" : "streaming", (int)split, (long)r);
        for (int32_t which = 0; which < 2; which++) {
            int64_t word;
            memcpy(&word, rows[which], 8);
            fprintf(stderr, "  %-7s weight %ld %s:", which ? "general" : "flat", (long)(word >> 2),
                    ty_rowkind_short((RowKind)(word & 3)));
            for (int32_t col = 0; col < ncols; col++) {
                memcpy(&word, rows[which] + 8 + 17 * col + 1, 8);
                if (rows[which][8 + 17 * col]) fprintf(stderr, " NULL");
                else fprintf(stderr, " %ld", (long)word);
            }
            fprintf(stderr, "\n");
        }
        return;
    }
}

static void test_flat_vs_general(void)
{
    SqlType in_types[IN_COLS] = {ty_make(TY_BIGINT), ty_make(TY_INT),    ty_make(TY_BIGINT),
                                 ty_make(TY_DOUBLE), ty_make(TY_BOOLEAN), ty_decimal(10, 2),
                                 ty_decimal(38, 2),  ty_make(TY_STRING)};
    char *in_names[IN_COLS] = {"k1", "k2", "v", "d", "f", "m", "w", "s"};
    PlanNode input = {.kind = PN_EXCHANGE, .id = 1, .ncols = IN_COLS, .types = in_types,
                      .names = in_names, .mode = CM_RETRACT};
    PlanNode *inputs[1] = {&input};
    SqlType count_type = ty_make(TY_BIGINT);
    count_type.nullable = 0;
    AggCall calls[] = {
        {.kind = AGG_COUNT_STAR, .arg = -1, .arg2 = -1, .filter = -1, .type = count_type},
        {.kind = AGG_COUNT, .arg = 2, .arg2 = -1, .filter = -1, .type = count_type},
        {.kind = AGG_SUM, .arg = 2, .arg2 = -1, .filter = -1, .type = ty_make(TY_BIGINT)},
        {.kind = AGG_SUM, .arg = 3, .arg2 = -1, .filter = -1, .type = ty_make(TY_DOUBLE)},
        {.kind = AGG_AVG, .arg = 2, .arg2 = -1, .filter = -1, .type = ty_make(TY_BIGINT)},
        {.kind = AGG_AVG, .arg = 5, .arg2 = -1, .filter = -1, .type = ty_decimal(38, 6)},
        {.kind = AGG_COUNT_STAR, .arg = -1, .arg2 = -1, .filter = 4, .type = count_type},
        {.kind = AGG_SUM0, .arg = 2, .arg2 = -1, .filter = 4, .type = ty_make(TY_BIGINT)},
        {.kind = AGG_AVG, .arg = 3, .arg2 = -1, .filter = -1, .type = ty_make(TY_DOUBLE)},
        {.kind = AGG_SUM, .arg = 6, .arg2 = -1, .filter = -1, .type = ty_decimal(38, 2)},
        {.kind = AGG_AVG, .arg = 6, .arg2 = -1, .filter = -1, .type = ty_decimal(38, 6)},
    };
    int32_t ncalls = (int32_t)(sizeof(calls) / sizeof(calls[0]));
    /* the calls without FILTER (those with one keep the wide layout) */
    AggCall plain[] = {calls[0], calls[1], calls[2], calls[3], calls[4], calls[5], calls[8],
                       calls[9], calls[10]};
    int32_t nplain = (int32_t)(sizeof(plain) / sizeof(plain[0]));
    /* MIN/MAX, which the flat aggregate takes only for a global aggregate
     * over an insert-only input, with COUNT/SUM/AVG beside them */
    SqlType int_type = ty_make(TY_INT), bool_type = ty_make(TY_BOOLEAN);
    AggCall extremes[] = {
        calls[0], calls[2], calls[3], calls[8], calls[6], calls[9],
        {.kind = AGG_MIN, .arg = 2, .arg2 = -1, .filter = -1, .type = ty_make(TY_BIGINT)},
        {.kind = AGG_MAX, .arg = 2, .arg2 = -1, .filter = -1, .type = ty_make(TY_BIGINT)},
        {.kind = AGG_MIN, .arg = 3, .arg2 = -1, .filter = -1, .type = ty_make(TY_DOUBLE)},
        {.kind = AGG_MAX, .arg = 3, .arg2 = -1, .filter = -1, .type = ty_make(TY_DOUBLE)},
        {.kind = AGG_MIN, .arg = 5, .arg2 = -1, .filter = -1, .type = ty_decimal(10, 2)},
        {.kind = AGG_MAX, .arg = 1, .arg2 = -1, .filter = -1, .type = int_type},
        {.kind = AGG_MIN, .arg = 4, .arg2 = -1, .filter = -1, .type = bool_type},
        {.kind = AGG_MAX, .arg = 2, .arg2 = -1, .filter = 4, .type = ty_make(TY_BIGINT)},
        {.kind = AGG_MIN, .arg = 3, .arg2 = -1, .filter = 4, .type = ty_make(TY_DOUBLE)},
        {.kind = AGG_MIN, .arg = 7, .arg2 = -1, .filter = -1, .type = ty_make(TY_STRING)},
        {.kind = AGG_MAX, .arg = 7, .arg2 = -1, .filter = -1, .type = ty_make(TY_STRING)},
        {.kind = AGG_MAX, .arg = 7, .arg2 = -1, .filter = 4, .type = ty_make(TY_STRING)},
    };
    /* SUM of DECIMAL(10, 2) is DECIMAL(38, 2): 16-byte output values */
    AggCall sum_m[] = {
        {.kind = AGG_SUM, .arg = 5, .arg2 = -1, .filter = -1, .type = ty_decimal(38, 2)},
    };
    int32_t nextremes = (int32_t)(sizeof(extremes) / sizeof(extremes[0]));
    enum { N = 6000, N_MAX = 16000 };
    /* the shapes: GROUP BY k1, k2 with all calls; GROUP BY k2 with SUM(v)
     * only (every output value can stay the same while rows change),
     * NULLs from the middle on; no GROUP BY (a global aggregate) with all
     * calls; GROUP BY k1 and no GROUP BY with the calls without FILTER,
     * NULLs from a third on; GROUP BY k1 with them over values so large
     * that their |v| add up past INT64_MAX, no NULLs.
     * Weighted: GROUP BY k1, k2 with all calls (wide from the start),
     * NULLs from a third on; GROUP BY k1 with the calls without FILTER
     * over v * 2^24, no NULLs (the rows of weight 2^30 widen the table
     * about two thirds in); no GROUP BY with them, NULLs from the middle
     * on.
     * GROUP BY k1 over 3000 values with SUM(v) only, v = 0 in half the
     * rows, 16000 changes, no NULLs: a batch of 2048 rows touches some 1500 groups,
     * most of them live, and many of their pairs are equal and dropped,
     * on both sides of an output batch's end.
     * NULL bytes of 2: GROUP BY k1, k2 (k2 NULL from the start) with the
     * calls without FILTER, NULL arguments from a third on, which must
     * widen the narrow layout.
     * Insert-only inputs, no GROUP BY: MIN/MAX with other calls, NULLs
     * from a third on, weights 1 (the sums' path for weights all 1) and
     * weights 1..3; the calls without FILTER, no NULLs at all.
     * SUM(m) alone (a 16-byte result), m = 0 in half the rows: GROUP BY
     * k1 over 3000 values, and no GROUP BY (an unchanged sum emits no
     * pair). */
    int32_t keys_a[2] = {0, 1}, keys_b[1] = {1}, keys_c[1] = {0};
    Shape shapes[] = {
        {2, ncalls, 0, keys_a, calls, .scale = 1},
        {1, 1, N / 2, keys_b, &calls[2], .scale = 1},
        {0, ncalls, 0, NULL, calls, .scale = 1},
        {1, nplain, N / 3, keys_c, plain, .scale = 1},
        {0, nplain, N / 3, NULL, plain, .scale = 1},
        {1, nplain, N, keys_c, plain, .scale = (int64_t)1 << 53},
        {2, ncalls, N / 3, keys_a, calls, .scale = 1, .weighted = true},
        {1, nplain, N, keys_c, plain, .scale = (int64_t)1 << 24, .weighted = true},
        {0, nplain, N / 2, NULL, plain, .scale = 1, .weighted = true},
        {1, 1, N_MAX, keys_c, &calls[2], .scale = 1, .n = N_MAX, .nk1 = 3000, .zeros = 2},
        {2, nplain, N / 3, keys_a, plain, .scale = 1, .null_byte = 2},
        {0, nextremes, N / 3, NULL, extremes, .scale = 1, .inserts = true},
        {0, nextremes, N / 3, NULL, extremes, .scale = 1, .inserts = true, .weighted = true},
        {0, nplain, N, NULL, plain, .scale = (int64_t)1 << 40, .inserts = true},
        {1, 1, N_MAX, keys_c, sum_m, .scale = 1, .n = N_MAX, .nk1 = 3000, .zeros = 2},
        {0, 1, N, NULL, sum_m, .scale = 1, .zeros = 2},
    };
    int32_t nshapes = (int32_t)(sizeof(shapes) / sizeof(shapes[0]));
    for (int32_t shape = 0; shape < nshapes; shape++) {
        int32_t ngroup = shapes[shape].ngroup;
        int32_t naggs = shapes[shape].naggs;
        AggCall *shape_calls = shapes[shape].calls;
        int32_t ncols = ngroup + naggs;
        SqlType out_types[24];
        char *out_names[24];
        for (int32_t i = 0; i < ngroup; i++) {
            out_types[i] = in_types[shapes[shape].keys[i]];
            out_names[i] = "k";
        }
        for (int32_t i = 0; i < naggs; i++) {
            out_types[ngroup + i] = shape_calls[i].type;
            out_names[ngroup + i] = "a";
        }
        PlanNode node = {.kind = PN_AGG, .id = 2, .ncols = ncols, .types = out_types,
                         .names = out_names, .mode = CM_RETRACT, .ninputs = 1,
                         .inputs = inputs};
        node.agg.ngroup = ngroup;
        node.agg.group = shapes[shape].keys;
        node.agg.naggs = naggs;
        node.agg.aggs = shape_calls;
        input.mode = shapes[shape].inserts ? CM_INSERT_ONLY : CM_RETRACT;
        /* every shape is one the flat aggregate takes */
        AccKind acc[24];
        WbError err = {0};
        CHECK(ex_agg_choose_acc(&node, in_types, IN_COLS, acc, &err) == 0);
        CHECK(ex_agg_flat_fits(&node, acc));

        if (ngroup == 0) {
            /* no input at all: both emit the one row (COUNT 0, SUM NULL) */
            for (int32_t mode = 0; mode < 2; mode++) {
                ExecContext flat_ctx = {.batch_mode = mode == 1};
                ExecContext general_ctx = {.batch_mode = mode == 1, .general_agg_only = true};
                int32_t one[1] = {1};
                Record flat, general;
                run_agg(&node, &flat_ctx, NULL, NULL, 0, one, 1, 5, &flat);
                run_agg(&node, &general_ctx, NULL, NULL, 0, one, 1, 5, &general);
                CHECK(flat.rows == 1 && general.rows == 1);
                CHECK(flat.bytes.len == general.bytes.len &&
                      memcmp(flat.bytes.data, general.bytes.data, flat.bytes.len) == 0);
                wb_buf_free(&flat.bytes);
                wb_buf_free(&general.bytes);
            }
        }
        static Change changes[N_MAX];
        static int64_t weights[N_MAX];
        int32_t n = make_changes(changes, weights, shapes[shape].n ? shapes[shape].n : N,
                                 100 + (uint64_t)shape, &shapes[shape]);
        int32_t splits[][3] = {{1, 1, 1}, {3, 3, 3}, {64, 1, 7}, {2048, 2048, 2048}, {0, 0, 0}};
        for (int32_t mode = 0; mode < 2; mode++) {
            for (int32_t split = 0; split < 5; split++) {
                ExecContext flat_ctx = {.batch_mode = mode == 1};
                ExecContext general_ctx = {.batch_mode = mode == 1, .general_agg_only = true};
                Record flat, general;
                run_agg(&node, &flat_ctx, changes, weights, n, splits[split], 3, 5, &flat);
                run_agg(&node, &general_ctx, changes, weights, n, splits[split], 3, 5, &general);
                if (mode == 1) {
                    sort_records(&flat, ncols);
                    sort_records(&general, ncols);
                }
                CHECK(flat.rows > 0);
                CHECK(flat.rows == general.rows);
                if (flat.bytes.len != general.bytes.len ||
                    memcmp(flat.bytes.data, general.bytes.data, flat.bytes.len) != 0)
                    report_difference(&flat, &general, ncols, shape, mode, split);
                CHECK(flat.bytes.len == general.bytes.len &&
                      memcmp(flat.bytes.data, general.bytes.data, flat.bytes.len) == 0);
                wb_buf_free(&flat.bytes);
                wb_buf_free(&general.bytes);
            }
        }
    }
}

int main(void)
{
    RUN(test_flat_table);
    RUN(test_flat_growth);
    RUN(test_flat_purge);
    RUN(test_flat_vs_general);
    return check_done();
}
