/*
 * test_ops.c - unit tests of the stateful operators (agg, join, rank) and
 * the plumbing (END, watermarks, union): plan nodes built by hand, input
 * fed as batches with weights of both signs, output captured and
 * consolidated, and randomized differential tests against brute-force
 * models of the consolidated input under many batch splits.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exec/exec.h"

static WbArena *plan_arena;
static ExecContext stream_ctx = {.batch_mode = false};
static ExecContext batch_ctx = {.batch_mode = true};

/* ---- plan nodes ---- */

static PlanNode *mk_node(PlanKind kind, const SqlType *types, int32_t ncols, int32_t ninputs,
                         PlanNode **inputs)
{
    PlanNode *n = wb_arena_calloc(plan_arena, sizeof(PlanNode));
    n->kind = kind;
    n->ncols = ncols;
    n->types = wb_arena_alloc(plan_arena, sizeof(SqlType) * (size_t)(ncols ? ncols : 1));
    memcpy(n->types, types, sizeof(SqlType) * (size_t)ncols);
    n->ninputs = ninputs;
    n->inputs = wb_arena_alloc(plan_arena, sizeof(PlanNode *) * 2);
    for (int32_t i = 0; i < ninputs; i++) n->inputs[i] = inputs[i];
    return n;
}

/* A test input: it may retract (the tests feed changelogs), so it says
 * so; a test of an insert-only implementation sets CM_INSERT_ONLY. */
static PlanNode *mk_source(const SqlType *types, int32_t ncols)
{
    PlanNode *n = mk_node(PN_VALUES, types, ncols, 0, NULL);
    n->mode = CM_RETRACT;
    return n;
}

static int32_t *ints(int32_t n, ...)
{
    int32_t *a = wb_arena_alloc(plan_arena, sizeof(int32_t) * (size_t)(n ? n : 1));
    va_list ap;
    va_start(ap, n);
    for (int32_t i = 0; i < n; i++) a[i] = va_arg(ap, int32_t);
    va_end(ap);
    return a;
}

/* ---- capturing operator ---- */

typedef struct Capture {
    Operator base;
    Batch *all;            /* every row received, with weights */
    int32_t batches;
    int32_t ends;
    int64_t last_watermark;
    bool pairs_ok;         /* every retraction of a key is followed by its insertion */
    bool kinds_ok;         /* every -U is directly followed by a +U, every +U follows a -U */
    const int32_t *key;    /* upsert key to check the pair discipline with */
    int32_t nkey;
} Capture;

static bool same_cols(const Batch *b, int32_t r1, int32_t r2, const int32_t *cols, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        const ColumnVector *v = &b->cols[cols[i]];
        if (v->nulls[r1] != v->nulls[r2]) return false;
        if (!v->nulls[r1] && ty_compare(v, r1, v, r2) != 0) return false;
    }
    return true;
}

static int cap_push(Operator *base, int32_t port, const Batch *batch, WbError *err)
{
    (void)port; (void)err;
    Capture *cap = (Capture *)base;
    cap->batches++;
    for (int32_t r = 0; r < batch->nrows; r++) {
        RowKind kind = ty_row_kind(batch, r);
        if (kind == RK_UPDATE_BEFORE &&
            !(r + 1 < batch->nrows && ty_row_kind(batch, r + 1) == RK_UPDATE_AFTER))
            cap->kinds_ok = false;
        if (kind == RK_UPDATE_BEFORE) r++;
        else if (kind == RK_UPDATE_AFTER) cap->kinds_ok = false;
    }
    /* no two rows of one batch with the same key may both be insertions
     * (or both retractions), and a retraction of a key that is followed by
     * an insertion of it must be immediately followed */
    if (cap->key) {
        for (int32_t r = 0; r < batch->nrows; r++)
            for (int32_t s = r + 1; s < batch->nrows; s++)
                if (same_cols(batch, r, s, cap->key, cap->nkey) &&
                    ((batch->weights[r] > 0) == (batch->weights[s] > 0) ||
                     !(batch->weights[r] < 0 && s == r + 1)))
                    cap->pairs_ok = false;
        /* and the rows carry it: a key's retraction directly followed by
         * its insertion is -U/+U, and a -U/+U is nothing else */
        for (int32_t r = 0; r < batch->nrows; r++) {
            bool pair = r + 1 < batch->nrows && batch->weights[r] < 0 && batch->weights[r + 1] > 0 &&
                        same_cols(batch, r, r + 1, cap->key, cap->nkey);
            if (pair != (ty_row_kind(batch, r) == RK_UPDATE_BEFORE)) cap->pairs_ok = false;
            if (pair && ty_row_kind(batch, r + 1) != RK_UPDATE_AFTER) cap->pairs_ok = false;
            if (pair) r++;
            else if (ty_row_kind(batch, r) == RK_UPDATE_AFTER) cap->pairs_ok = false;
        }
    }
    for (int32_t r = 0; r < batch->nrows; r++)
        ty_batch_append_row(cap->all, batch, r, batch->weights[r]);
    return 0;
}

static int cap_control(Operator *base, int32_t port, const ControlMsg *msg, WbError *err)
{
    Capture *cap = (Capture *)base;
    if (msg->kind == CTL_END) cap->ends++;
    if (msg->kind == CTL_WATERMARK) cap->last_watermark = msg->value;
    return ex_op_default_control(base, port, msg, err);
}

static void cap_destroy(Operator *base) { ty_batch_free(((Capture *)base)->all); }

static const OpVTable cap_vt = {"Capture", cap_push, cap_control, NULL, cap_destroy, NULL, NULL, NULL};

static Capture *capture(Operator *from, const PlanNode *node)
{
    Capture *cap = wb_calloc(1, sizeof(Capture));
    ex_op_init(&cap->base, &cap_vt, NULL, &stream_ctx);
    cap->all = ty_batch_new(node->types, node->ncols, 16);
    cap->pairs_ok = true;
    cap->kinds_ok = true;
    cap->last_watermark = INT64_MIN;
    ex_op_add_output(from, &cap->base, 0);
    return cap;
}

/* Consolidated output as sorted lines "v1|v2|.. xW", one per row with a
 * non-zero weight sum, joined by newlines. */
typedef struct Line { char *text; int64_t w; } Line;

static int line_cmp(const void *a, const void *b)
{
    return strcmp(((const Line *)a)->text, ((const Line *)b)->text);
}

static char *consolidate(const Batch *b)
{
    Line *lines = wb_calloc((size_t)(b->nrows + 1), sizeof(Line));
    WbBuf buf = {0};
    for (int32_t r = 0; r < b->nrows; r++) {
        wb_buf_clear(&buf);
        for (int32_t c = 0; c < b->ncols; c++) {
            if (c) wb_buf_putc(&buf, '|');
            if (b->cols[c].nulls[r]) wb_buf_puts(&buf, "NULL");
            else ty_format_value(&b->cols[c], r, &buf);
        }
        lines[r].text = wb_strdup(wb_buf_cstr(&buf));
        lines[r].w = b->weights[r];
    }
    qsort(lines, (size_t)b->nrows, sizeof(Line), line_cmp);
    WbBuf out = {0};
    wb_buf_puts(&out, "");
    for (int32_t r = 0; r < b->nrows;) {
        int32_t s = r;
        int64_t w = 0;
        while (s < b->nrows && strcmp(lines[s].text, lines[r].text) == 0) w += lines[s++].w;
        if (w != 0) {
            if (out.len) wb_buf_putc(&out, '\n');
            wb_buf_printf(&out, "%s x%lld", lines[r].text, (long long)w);
        }
        r = s;
    }
    for (int32_t r = 0; r < b->nrows; r++) free(lines[r].text);
    free(lines);
    free(buf.data);
    wb_buf_cstr(&out);
    return out.data;
}

/* ---- input batches from text: "w,v1,v2;w,v1,v2" (N = NULL) ---- */

static Batch *mk_batch(const PlanNode *src, const char *text)
{
    Batch *b = ty_batch_new(src->types, src->ncols, 16);
    WbError err = {0};
    const char *p = text;
    while (*p) {
        ty_batch_reserve(b, b->nrows + 1);
        int32_t row = b->nrows++;
        for (int32_t c = -1; c < src->ncols; c++) {
            const char *end = p;
            while (*end && *end != ',' && *end != ';') end++;
            if (c < 0) {
                b->weights[row] = strtoll(p, NULL, 10);
            } else if (end - p == 1 && *p == 'N') {
                b->cols[c].nulls[row] = 1;
            } else if (ty_parse_value(b, c, row, p, (size_t)(end - p), &err) != 0) {
                fprintf(stderr, "bad test value %.*s\n", (int)(end - p), p);
                abort();
            }
            p = *end ? end + 1 : end;
            if (end[0] == ';' || end[0] == 0) {
                if (c + 1 < src->ncols) { fprintf(stderr, "short row: %s\n", text); abort(); }
                break;
            }
        }
    }
    return b;
}

static int feed(Operator *op, int32_t port, const PlanNode *src, const char *text)
{
    Batch *b = mk_batch(src, text);
    WbError err = {0};
    int rc = ex_push(op, port, b, &err);
    if (rc != 0) fprintf(stderr, "push failed: %s\n", err.message);
    ty_batch_free(b);
    return rc;
}

static int end_all(Operator *op)
{
    WbError err = {0};
    ControlMsg end = {CTL_END, 0};
    for (int32_t port = 0; port < op->ninputs; port++)
        if (ex_control(op, port, &end, &err) != 0) return -1;
    return 0;
}

static SqlType T_INT, T_BIGINT, T_STR, T_DEC2, T_DOUBLE, T_BOOL;

/* ---- aggregate tests ---- */

/* Input (g STRING, x INT, s STRING, f BOOLEAN, d DECIMAL(10,2), y DOUBLE). */
static PlanNode *agg_input(void)
{
    SqlType in[6] = {T_STR, T_INT, T_STR, T_BOOL, T_DEC2, T_DOUBLE};
    return mk_source(in, 6);
}

static PlanNode *mk_agg(PlanNode *src, int32_t ngroup, int32_t *group, int32_t naggs,
                        AggCall *calls)
{
    SqlType types[32];
    for (int32_t i = 0; i < ngroup; i++) types[i] = src->types[group[i]];
    for (int32_t i = 0; i < naggs; i++) types[ngroup + i] = calls[i].type;
    PlanNode *n = mk_node(PN_AGG, types, ngroup + naggs, 1, &src);
    n->agg.ngroup = ngroup;
    n->agg.group = group;
    n->agg.naggs = naggs;
    n->agg.aggs = wb_arena_alloc(plan_arena, sizeof(AggCall) * (size_t)naggs);
    memcpy(n->agg.aggs, calls, sizeof(AggCall) * (size_t)naggs);
    n->mode = CM_UPSERT;
    n->nupsert_key = ngroup;
    n->upsert_key = ints(ngroup, 0, 1, 2);
    return n;
}

static AggCall call(AggKind kind, int32_t arg, SqlType type)
{
    AggCall c = {kind, false, arg, -1, -1, type, 0, 0};
    return c;
}

static void test_agg_kinds(void)
{
    PlanNode *src = agg_input();
    AggCall calls[] = {
        call(AGG_COUNT_STAR, -1, T_BIGINT), call(AGG_COUNT, 1, T_BIGINT),
        call(AGG_SUM, 1, T_BIGINT),         call(AGG_SUM0, 1, T_BIGINT),
        call(AGG_AVG, 1, T_INT),            call(AGG_MIN, 1, T_INT),
        call(AGG_MAX, 2, T_STR),            call(AGG_FIRST_VALUE, 2, T_STR),
        call(AGG_LAST_VALUE, 2, T_STR),     call(AGG_LISTAGG, 2, T_STR),
        call(AGG_COUNT, 1, T_BIGINT),       call(AGG_SUM, 1, T_BIGINT),
        call(AGG_AVG, 4, ty_decimal(38, 6)), call(AGG_SUM, 5, T_DOUBLE),
    };
    calls[10].distinct = true;   /* COUNT(DISTINCT x) */
    calls[11].filter = 3;        /* SUM(x) FILTER (WHERE f) */
    WbError err = {0};
    PlanNode *node = mk_agg(src, 1, ints(1, 0), (int32_t)WB_ARRAY_LEN(calls), calls);
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    CHECK(op != NULL);
    if (!op) return;
    Capture *cap = capture(op, node);
    cap->key = ints(1, 0);
    cap->nkey = 1;
    /* group a: 5,b ; 3,a ; 5,c ; N,d ; 7,b   then retract 3,a and 7,b */
    CHECK(feed(op, 0, src, "1,a,5,b,1,1.10,1.5;1,a,3,a,0,2.20,2.5") == 0);
    CHECK(feed(op, 0, src, "1,a,5,c,1,0.01,N;1,a,N,d,N,N,0.25;1,z,1,q,1,1.00,1") == 0);
    CHECK(feed(op, 0, src, "1,a,7,b,1,3.00,4") == 0);
    CHECK(feed(op, 0, src, "-1,a,3,a,0,2.20,2.5") == 0);
    CHECK(feed(op, 0, src, "-1,a,7,b,1,3.00,4;-1,z,1,q,1,1.00,1") == 0);
    CHECK(end_all(op) == 0);
    char *got = consolidate(cap->all);
    /* a: rows 5b 5c Nd -> count 3, count(x) 2, sum 10, sum0 10, avg 5,
     * min 5, max d, first b, last d, listagg b,c,d, distinct 1, filter 10,
     * avg(d) (1.10+0.01)/2 = 0.555, sum(y) 1.75 */
    CHECK_STR(got, "a|3|2|10|10|5|5|d|b|d|b,c,d|1|10|0.555000|1.75 x1");
    CHECK(cap->pairs_ok);
    CHECK(cap->ends == 1);
    free(got);
    ex_op_free(op);
    ex_op_free(&cap->base);
}

/* MIN/MAX/FIRST/LAST/LISTAGG under retractions of the current extreme and
 * of duplicates, in an order that forces recomputation. */
static void test_agg_extremes(void)
{
    PlanNode *src = agg_input();
    AggCall calls[] = {
        call(AGG_MIN, 1, T_INT), call(AGG_MAX, 1, T_INT), call(AGG_FIRST_VALUE, 1, T_INT),
        call(AGG_LAST_VALUE, 1, T_INT), call(AGG_LISTAGG, 2, T_STR),
    };
    WbError err = {0};
    PlanNode *node = mk_agg(src, 1, ints(1, 0), 5, calls);
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    Capture *cap = capture(op, node);
    feed(op, 0, src, "1,g,4,x,N,N,N;1,g,1,y,N,N,N;1,g,9,x,N,N,N;1,g,1,z,N,N,N;1,g,6,w,N,N,N");
    char *got = consolidate(cap->all);
    CHECK_STR(got, "g|1|9|4|6|x,y,x,z,w x1");
    free(got);
    /* retract the minimum once (a copy remains), the maximum, the first */
    feed(op, 0, src, "-1,g,1,y,N,N,N;-1,g,9,x,N,N,N");
    got = consolidate(cap->all);
    CHECK_STR(got, "g|1|6|4|6|x,z,w x1");   /* the rows (1,y), (9,x) left */
    free(got);
    feed(op, 0, src, "-1,g,1,z,N,N,N;-1,g,4,x,N,N,N");
    got = consolidate(cap->all);
    CHECK_STR(got, "g|6|6|6|6|w x1");
    free(got);
    feed(op, 0, src, "2,g,3,v,N,N,N");   /* weight 2 */
    got = consolidate(cap->all);
    CHECK_STR(got, "g|3|6|6|3|w,v,v x1");
    free(got);
    feed(op, 0, src, "-1,g,6,w,N,N,N;-2,g,3,v,N,N,N");
    got = consolidate(cap->all);
    CHECK_STR(got, "");    /* group gone */
    free(got);
    CHECK(end_all(op) == 0);
    ex_op_free(op);
    ex_op_free(&cap->base);
}

/* Global aggregate: one row over empty input, over fully retracted input,
 * and batch mode. */
static void test_agg_global(void)
{
    PlanNode *src = agg_input();
    AggCall calls[] = {call(AGG_COUNT_STAR, -1, T_BIGINT), call(AGG_SUM, 1, T_BIGINT),
                       call(AGG_MAX, 2, T_STR)};
    WbError err = {0};
    for (int mode = 0; mode < 2; mode++) {
        PlanNode *node = mk_agg(src, 0, NULL, 3, calls);
        Operator *op = ex_op_new(node, mode ? &batch_ctx : &stream_ctx, &err);
        Capture *cap = capture(op, node);
        CHECK(end_all(op) == 0);
        char *got = consolidate(cap->all);
        CHECK_STR(got, "0|NULL|NULL x1");
        CHECK(cap->all->nrows == 1);
        free(got);
        ex_op_free(op);
        ex_op_free(&cap->base);
    }
    PlanNode *node = mk_agg(src, 0, NULL, 3, calls);
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    Capture *cap = capture(op, node);
    feed(op, 0, src, "1,a,5,b,N,N,N;1,b,6,c,N,N,N");
    feed(op, 0, src, "-1,a,5,b,N,N,N");
    feed(op, 0, src, "-1,b,6,c,N,N,N");
    CHECK(end_all(op) == 0);
    char *got = consolidate(cap->all);
    CHECK_STR(got, "0|NULL|NULL x1");
    free(got);
    /* changelog: +I[2,11,c] -U +U[1,6,c] -U +U[0,NULL,NULL]: 5 rows */
    CHECK(cap->all->nrows == 5);
    CHECK(cap->batches == 3);
    ex_op_free(op);
    ex_op_free(&cap->base);
}

/* SINGLE_VALUE (scalar subqueries): the value of the only row, NULL over no
 * rows or a NULL row; more than one net row is 21000, judged after a whole
 * batch (streaming) or at the end (batch), so a retraction and its
 * replacement in one batch are fine. */
static int push_text(Operator *op, const PlanNode *src, const char *text, WbError *err)
{
    Batch *b = mk_batch(src, text);
    int rc = ex_push(op, 0, b, err);
    ty_batch_free(b);
    return rc;
}

static void test_agg_single_value(void)
{
    PlanNode *src = agg_input();
    AggCall calls[] = {call(AGG_SINGLE_VALUE, 1, T_INT)};
    calls[0].type.nullable = 1;
    WbError err = {0};
    for (int mode = 0; mode < 2; mode++) {
        PlanNode *node = mk_agg(src, 0, NULL, 1, calls);
        Operator *op = ex_op_new(node, mode ? &batch_ctx : &stream_ctx, &err);
        Capture *cap = capture(op, node);
        CHECK(push_text(op, src, "1,a,5,b,N,N,N", &err) == 0);
        CHECK(push_text(op, src, "-1,a,5,b,N,N,N;1,b,7,c,N,N,N", &err) == 0);
        CHECK(end_all(op) == 0);
        char *got = consolidate(cap->all);
        CHECK_STR(got, "7 x1");
        free(got);
        ex_op_free(op);
        ex_op_free(&cap->base);
    }
    /* a NULL row is one row: alone it gives NULL, with another it is too many */
    PlanNode *node = mk_agg(src, 0, NULL, 1, calls);
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    Capture *cap = capture(op, node);
    CHECK(push_text(op, src, "1,a,N,b,N,N,N", &err) == 0);
    char *got = consolidate(cap->all);
    CHECK_STR(got, "NULL x1");
    free(got);
    wb_error_clear(&err);
    CHECK(push_text(op, src, "1,b,3,c,N,N,N", &err) != 0);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_CARDINALITY);
    CHECK(strstr(err.message, "more than one row") != NULL);
    ex_op_free(op);
    ex_op_free(&cap->base);
    /* batch mode: the error comes at the end of input */
    node = mk_agg(src, 0, NULL, 1, calls);
    op = ex_op_new(node, &batch_ctx, &err);
    cap = capture(op, node);
    wb_error_clear(&err);
    CHECK(push_text(op, src, "1,a,1,b,N,N,N;1,b,2,c,N,N,N", &err) == 0);
    CHECK(end_all(op) != 0);
    ex_op_free(op);
    ex_op_free(&cap->base);
}

static void test_agg_overflow(void)
{
    SqlType in[1] = {T_BIGINT};
    PlanNode *src = mk_source(in, 1);
    AggCall calls[] = {call(AGG_SUM, 0, T_BIGINT)};
    WbError err = {0};
    PlanNode *node = mk_agg(src, 0, NULL, 1, calls);
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    Capture *cap = capture(op, node);
    Batch *b = mk_batch(src, "1,9223372036854775807;1,1");
    CHECK(ex_push(op, 0, b, &err) != 0);
    CHECK(strcmp(err.sqlstate, "22003") == 0);
    ty_batch_free(b);
    ex_op_free(op);
    ex_op_free(&cap->base);
}

/* ---- a random changelog with random splits ---- */

typedef struct Rng { uint64_t s; } Rng;
static uint64_t rnd(Rng *r, uint64_t n)
{
    r->s ^= r->s << 13; r->s ^= r->s >> 7; r->s ^= r->s << 17;
    return r->s % n;
}

/* Builds a consistent changelog text of `n` changes over rows produced by
 * make_row (which writes "v1,v2,..." for index k): inserts of new rows and
 * retractions of live ones.  Returns the events as an array of strings
 * "w,values"; *live_out gets the final live set as a consolidated text. */
typedef void (*RowGen)(Rng *rng, char *out, size_t size);

static char **random_changelog(Rng *rng, int n, RowGen gen, int retract_pct)
{
    char **events = wb_calloc((size_t)n + 1, sizeof(char *));
    char **live = wb_calloc((size_t)n + 1, sizeof(char *));
    int nlive = 0;
    for (int i = 0; i < n; i++) {
        char row[128];
        if (nlive > 0 && (int)rnd(rng, 100) < retract_pct) {
            int k = (int)rnd(rng, (uint64_t)nlive);
            snprintf(row, sizeof row, "-1,%s", live[k]);
            free(live[k]);
            live[k] = live[--nlive];
        } else {
            char vals[120];
            gen(rng, vals, sizeof vals);
            live[nlive++] = wb_strdup(vals);
            snprintf(row, sizeof row, "1,%s", vals);
        }
        events[i] = wb_strdup(row);
    }
    for (int i = 0; i < nlive; i++) free(live[i]);
    free(live);
    return events;
}

/* Feeds events[from..to) as batches of random sizes (1..max) to port. */
static void feed_split(Operator *op, int32_t port, const PlanNode *src, char **events,
                       int from, int to, Rng *rng, int max)
{
    WbBuf text = {0};
    for (int i = from; i < to;) {
        int size = 1 + (int)rnd(rng, (uint64_t)max);
        wb_buf_clear(&text);
        for (int k = 0; k < size && i < to; k++, i++) {
            if (text.len) wb_buf_putc(&text, ';');
            wb_buf_puts(&text, events[i]);
        }
        feed(op, port, src, wb_buf_cstr(&text));
    }
    free(text.data);
}

static void free_events(char **events, int n)
{
    for (int i = 0; i < n; i++) free(events[i]);
    free(events);
}

static void gen_agg_row(Rng *rng, char *out, size_t size)
{
    static const char *strs[] = {"a", "b", "c", "dd", "e"};
    int g = (int)rnd(rng, 4);
    char x[16];
    if (rnd(rng, 6) == 0) snprintf(x, sizeof x, "N");
    else snprintf(x, sizeof x, "%d", (int)rnd(rng, 7) - 3);
    snprintf(out, size, "g%d,%s,%s,%s,N,N", g, x, strs[rnd(rng, 5)],
             rnd(rng, 2) ? "true" : "false");
}

/* The model: replays the events per group with explicit lists. */
typedef struct ModelGroup {
    int64_t rows;
    int n;             /* live (x, s) values in arrival order */
    int xs[4096];
    int xnull[4096];
    char ss[4096][8];
    int fs[4096];
} ModelGroup;

static void model_agg(char **events, int n, WbBuf *out)
{
    static ModelGroup groups[4];
    memset(groups, 0, sizeof groups);
    for (int i = 0; i < n; i++) {
        int w, g;
        char x[16], s[8], f[8];
        sscanf(events[i], "%d,g%d,%15[^,],%7[^,],%7[^,]", &w, &g, x, s, f);
        ModelGroup *mg = &groups[g];
        mg->rows += w;
        int xnull = x[0] == 'N', xv = xnull ? 0 : atoi(x), fv = f[0] == 't';
        if (w > 0) {
            mg->xs[mg->n] = xv; mg->xnull[mg->n] = xnull; mg->fs[mg->n] = fv;
            snprintf(mg->ss[mg->n], 8, "%s", s);
            mg->n++;
        } else {
            /* remove the oldest equal row (same values) */
            for (int k = 0; k < mg->n; k++) {
                if (mg->xs[k] == xv && mg->xnull[k] == xnull && mg->fs[k] == fv &&
                    strcmp(mg->ss[k], s) == 0) {
                    memmove(&mg->xs[k], &mg->xs[k + 1], sizeof(int) * (size_t)(mg->n - k - 1));
                    memmove(&mg->xnull[k], &mg->xnull[k + 1], sizeof(int) * (size_t)(mg->n - k - 1));
                    memmove(&mg->fs[k], &mg->fs[k + 1], sizeof(int) * (size_t)(mg->n - k - 1));
                    memmove(&mg->ss[k], &mg->ss[k + 1], 8 * (size_t)(mg->n - k - 1));
                    mg->n--;
                    break;
                }
            }
        }
    }
    /* emit consolidated lines, sorted by group name (g0..g3 sorts right) */
    for (int g = 0; g < 4; g++) {
        ModelGroup *mg = &groups[g];
        if (mg->rows == 0) continue;
        int64_t cnt = 0, sum = 0, fsum = 0, fcnt = 0;
        int have = 0, mn = 0, mx = 0, distinct[16] = {0}, ndistinct = 0;
        for (int k = 0; k < mg->n; k++) {
            if (mg->xnull[k]) continue;
            cnt++; sum += mg->xs[k];
            if (mg->fs[k]) { fsum += mg->xs[k]; fcnt++; }
            if (!have || mg->xs[k] < mn) mn = mg->xs[k];
            if (!have || mg->xs[k] > mx) mx = mg->xs[k];
            have = 1;
            if (!distinct[mg->xs[k] + 8]++) ndistinct++;
        }
        if (out->len) wb_buf_putc(out, '\n');
        wb_buf_printf(out, "g%d|%lld|%lld|", g, (long long)mg->rows, (long long)cnt);
        if (cnt) wb_buf_printf(out, "%lld|%lld|%d|%d|", (long long)sum, (long long)(sum / cnt), mn, mx);
        else wb_buf_puts(out, "NULL|NULL|NULL|NULL|");
        /* FIRST/LAST of s (never null), LISTAGG of s */
        wb_buf_printf(out, "%s|%s|", mg->ss[0], mg->ss[mg->n - 1]);
        for (int k = 0; k < mg->n; k++) wb_buf_printf(out, "%s%s", k ? "," : "", mg->ss[k]);
        wb_buf_printf(out, "|%d|", ndistinct);
        if (fcnt) wb_buf_printf(out, "%lld", (long long)fsum);
        else wb_buf_puts(out, "NULL");
        wb_buf_puts(out, " x1");
    }
}

static void test_agg_random(void)
{
    PlanNode *src = agg_input();
    AggCall calls[] = {
        call(AGG_COUNT_STAR, -1, T_BIGINT), call(AGG_COUNT, 1, T_BIGINT),
        call(AGG_SUM, 1, T_BIGINT),         call(AGG_AVG, 1, T_INT),
        call(AGG_MIN, 1, T_INT),            call(AGG_MAX, 1, T_INT),
        call(AGG_FIRST_VALUE, 2, T_STR),    call(AGG_LAST_VALUE, 2, T_STR),
        call(AGG_LISTAGG, 2, T_STR),        call(AGG_COUNT, 1, T_BIGINT),
        call(AGG_SUM, 1, T_BIGINT),
    };
    calls[9].distinct = true;
    calls[10].filter = 3;
    PlanNode *node = mk_agg(src, 1, ints(1, 0), (int32_t)WB_ARRAY_LEN(calls), calls);
    Rng rng = {88172645463325252ULL};
    int failures = 0;
    for (int round = 0; round < 40; round++) {
        int n = 20 + (int)rnd(&rng, 200);
        char **events = random_changelog(&rng, n, gen_agg_row, 35);
        WbBuf want = {0};
        wb_buf_puts(&want, "");
        model_agg(events, n, &want);
        wb_buf_cstr(&want);
        for (int split = 0; split < 4; split++) {
            WbError err = {0};
            const ExecContext *ctx = split == 3 ? &batch_ctx : &stream_ctx;
            Operator *op = ex_op_new(node, ctx, &err);
            Capture *cap = capture(op, node);
            cap->key = ints(1, 0);
            cap->nkey = 1;
            int max = split == 0 ? 1 : split == 1 ? 7 : 1000;
            feed_split(op, 0, src, events, 0, n, &rng, max);
            end_all(op);
            char *got = consolidate(cap->all);
            if (strcmp(got, want.data) != 0 || !cap->pairs_ok || !cap->kinds_ok) {
                if (failures++ < 2)
                    fprintf(stderr, "agg random round %d split %d:\ngot:\n%s\nwant:\n%s\n", round,
                            split, got, want.data);
            }
            free(got);
            ex_op_free(op);
            ex_op_free(&cap->base);
        }
        free(want.data);
        free_events(events, n);
    }
    CHECK(failures == 0);
}

/* Changelogs that retract before inserting (or retract what never came):
 * the state goes negative and comes back; the order-insensitive aggregates
 * must end as over the consolidated input, and nothing may crash (ASan). */
static void test_agg_inconsistent(void)
{
    PlanNode *src = agg_input();
    AggCall calls[] = {
        call(AGG_COUNT_STAR, -1, T_BIGINT), call(AGG_SUM, 1, T_BIGINT),
        call(AGG_MIN, 1, T_INT),            call(AGG_MAX, 1, T_INT),
        call(AGG_COUNT, 1, T_BIGINT),       call(AGG_LISTAGG, 2, T_STR),
        call(AGG_FIRST_VALUE, 2, T_STR),
    };
    calls[4].distinct = true;
    PlanNode *node = mk_agg(src, 1, ints(1, 0), 7, calls);
    WbError err = {0};
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    Capture *cap = capture(op, node);
    feed(op, 0, src, "1,g,5,a,N,N,N");
    feed(op, 0, src, "-1,g,6,b,N,N,N");    /* the group returns to 0 rows */
    feed(op, 0, src, "1,g,6,b,N,N,N");
    feed(op, 0, src, "-1,g,5,a,N,N,N");
    feed(op, 0, src, "1,g,7,c,N,N,N");
    char *got = consolidate(cap->all);
    CHECK_STR(got, "g|1|7|7|7|1|c|c x1");
    free(got);
    end_all(op);
    ex_op_free(op);
    ex_op_free(&cap->base);

    Rng rng = {777};
    int failures = 0;
    for (int round = 0; round < 30; round++) {
        op = ex_op_new(node, &stream_ctx, &err);
        cap = capture(op, node);
        int counts[2][5] = {{0}};
        WbBuf text = {0};
        for (int i = 0; i < 60; i++) {
            int g = (int)rnd(&rng, 2), x = (int)rnd(&rng, 5), w = (int)rnd(&rng, 5) - 2;
            if (w == 0) continue;
            counts[g][x] += w;
            wb_buf_clear(&text);
            wb_buf_printf(&text, "%d,g%d,%d,s%d,N,N,N", w, g, x, x);
            feed(op, 0, src, wb_buf_cstr(&text));
        }
        for (int g = 0; g < 2; g++)
            for (int x = 0; x < 5; x++)
                if (counts[g][x] < 0) {
                    wb_buf_clear(&text);
                    wb_buf_printf(&text, "%d,g%d,%d,s%d,N,N,N", -counts[g][x], g, x, x);
                    feed(op, 0, src, wb_buf_cstr(&text));
                    counts[g][x] = 0;
                }
        end_all(op);
        /* compare the order-insensitive columns (all but the last two) */
        char *all = consolidate(cap->all);
        WbBuf want = {0};
        wb_buf_puts(&want, "");
        for (int g = 0; g < 2; g++) {
            int64_t n = 0, sum = 0, nd = 0;
            int mn = 99, mx = -1;
            for (int x = 0; x < 5; x++) {
                if (!counts[g][x]) continue;
                n += counts[g][x]; sum += (int64_t)x * counts[g][x]; nd++;
                mn = WB_MIN(mn, x); mx = WB_MAX(mx, x);
            }
            if (!n) continue;
            if (want.len) wb_buf_putc(&want, '\n');
            wb_buf_printf(&want, "g%d|%lld|%lld|%d|%d|%lld", g, (long long)n, (long long)sum, mn,
                          mx, (long long)nd);
        }
        /* strip the LISTAGG/FIRST_VALUE columns and the weights */
        WbBuf stripped = {0};
        wb_buf_puts(&stripped, "");
        for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
            char *bar = line;
            for (int k = 0; k < 6 && bar; k++) bar = strchr(bar + 1, '|');
            if (bar) *bar = 0;
            if (stripped.len) wb_buf_putc(&stripped, '\n');
            wb_buf_puts(&stripped, line);
        }
        if (strcmp(wb_buf_cstr(&stripped), wb_buf_cstr(&want)) != 0 && failures++ < 2)
            fprintf(stderr, "inconsistent round %d:\ngot:\n%s\nwant:\n%s\n", round,
                    stripped.data, want.data);
        free(all);
        free(want.data);
        free(stripped.data);
        free(text.data);
        ex_op_free(op);
        ex_op_free(&cap->base);
    }
    CHECK(failures == 0);
}

/* ---- join tests ---- */

/* left (k INT, a STRING), right (k INT, b INT) */
static PlanNode *join_node(JoinType type, PlanNode *l, PlanNode *r, bool with_cond)
{
    bool filtering = type == JT_SEMI || type == JT_ANTI || type == JT_ANTI_NULL_AWARE;
    SqlType types[4] = {T_INT, T_STR, T_INT, T_INT};
    PlanNode *ins[2] = {l, r};
    PlanNode *n = mk_node(PN_JOIN, types, filtering ? 2 : 4, 2, ins);
    n->join.type = type;
    n->join.nkeys = 1;
    n->join.left_keys = ints(1, 0);
    n->join.right_keys = ints(1, 0);
    if (with_cond) {
        /* b <> 0 over left ++ right: column 3 */
        Value zero = {T_INT, false, 0, 0, {0}, 0};
        Expr *args[2] = {sql_expr_col(plan_arena, 3, T_INT), sql_expr_const(plan_arena, zero)};
        Expr *cond = sql_expr_call(plan_arena, FN_NE, args, 2, 1, 1);
        cond->type = T_BOOL;
        n->join.cond = cond;
    }
    return n;
}

static char *run_join(JoinType type, bool with_cond, const char **steps, int nsteps,
                      int32_t *nrows_out)
{
    SqlType lt[2] = {T_INT, T_STR}, rt[2] = {T_INT, T_INT};
    PlanNode *l = mk_source(lt, 2), *r = mk_source(rt, 2);
    PlanNode *node = join_node(type, l, r, with_cond);
    WbError err = {0};
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    if (!op) return wb_strdup(err.message);
    Capture *cap = capture(op, node);
    for (int i = 0; i < nsteps; i++) {
        int port = steps[i][0] == 'L' ? 0 : 1;
        feed(op, port, port ? r : l, steps[i] + 2);
    }
    end_all(op);
    char *got = consolidate(cap->all);
    if (nrows_out) *nrows_out = cap->all->nrows;
    ex_op_free(op);
    ex_op_free(&cap->base);
    return got;
}

static void test_join_types(void)
{
    /* steps: L/R then rows "w,k,x" */
    const char *steps[] = {
        "L:1,1,a;1,2,b;1,N,n",     /* left rows, one with a NULL key */
        "R:1,1,10;1,3,30;1,N,99",  /* right rows */
        "R:1,2,20",                /* first match for b: its padding goes */
        "R:-1,1,10",               /* last match for a: padding comes back */
        "L:-1,2,b",                /* retract a joined row */
    };
    char *got;
    got = run_join(JT_INNER, false, steps, 5, NULL);
    CHECK_STR(got, "");
    free(got);
    got = run_join(JT_LEFT, false, steps, 5, NULL);
    CHECK_STR(got, "1|a|NULL|NULL x1\nNULL|n|NULL|NULL x1");
    free(got);
    got = run_join(JT_RIGHT, false, steps, 5, NULL);
    CHECK_STR(got, "NULL|NULL|2|20 x1\nNULL|NULL|3|30 x1\nNULL|NULL|NULL|99 x1");
    free(got);
    got = run_join(JT_FULL, false, steps, 5, NULL);
    CHECK_STR(got, "1|a|NULL|NULL x1\nNULL|NULL|2|20 x1\nNULL|NULL|3|30 x1\n"
                   "NULL|NULL|NULL|99 x1\nNULL|n|NULL|NULL x1");
    free(got);

    const char *steps2[] = {
        "L:1,1,a;1,2,b;2,3,c;1,N,n",
        "R:1,1,10;1,2,0;1,4,40",   /* (2,0) fails the condition b <> 0 */
    };
    got = run_join(JT_INNER, true, steps2, 2, NULL);
    CHECK_STR(got, "1|a|1|10 x1");
    free(got);
    got = run_join(JT_LEFT, true, steps2, 2, NULL);
    CHECK_STR(got, "1|a|1|10 x1\n2|b|NULL|NULL x1\n3|c|NULL|NULL x2\nNULL|n|NULL|NULL x1");
    free(got);
    got = run_join(JT_SEMI, true, steps2, 2, NULL);
    CHECK_STR(got, "1|a x1");
    free(got);
    got = run_join(JT_ANTI, true, steps2, 2, NULL);
    CHECK_STR(got, "2|b x1\n3|c x2\nNULL|n x1");
    free(got);

    /* NOT IN: k NOT IN (SELECT k FROM right) */
    const char *nin1[] = {"L:1,1,a;1,2,b;1,N,n"};   /* right empty: all rows */
    got = run_join(JT_ANTI_NULL_AWARE, false, nin1, 1, NULL);
    CHECK_STR(got, "1|a x1\n2|b x1\nNULL|n x1");
    free(got);
    const char *nin2[] = {"L:1,1,a;1,2,b;1,N,n", "R:1,1,0"};
    got = run_join(JT_ANTI_NULL_AWARE, false, nin2, 2, NULL);
    CHECK_STR(got, "2|b x1");
    free(got);
    const char *nin3[] = {"R:1,1,0", "L:1,1,a;1,2,b;1,N,n", "R:1,N,0"};
    got = run_join(JT_ANTI_NULL_AWARE, false, nin3, 3, NULL);
    CHECK_STR(got, "");   /* a NULL on the right: NOT IN is never TRUE */
    free(got);
    const char *nin4[] = {"R:1,1,0;1,N,0", "L:1,1,a;1,2,b;1,N,n", "R:-1,N,0;-1,1,0"};
    got = run_join(JT_ANTI_NULL_AWARE, false, nin4, 3, NULL);
    CHECK_STR(got, "1|a x1\n2|b x1\nNULL|n x1");
    free(got);

    /* retraction of a row that never joined, and padding transitions */
    const char *steps3[] = {"L:1,5,x", "L:-1,5,x", "R:1,5,1", "L:1,5,x", "R:-1,5,1"};
    int32_t nrows = 0;
    got = run_join(JT_LEFT, false, steps3, 5, &nrows);
    CHECK_STR(got, "5|x|NULL|NULL x1");
    free(got);
    /* +pad, -pad, (R no output), +pair, then -pair +pad */
    CHECK(nrows == 5);
}

/* Differential: random changelogs on both sides, random interleavings and
 * splits; the consolidated output must equal the join of the final
 * consolidated inputs computed by brute force. */
static void gen_join_left(Rng *rng, char *out, size_t size)
{
    int k = (int)rnd(rng, 5);
    static const char *as[] = {"a", "b", "c"};
    if (k == 4) snprintf(out, size, "N,%s", as[rnd(rng, 3)]);
    else snprintf(out, size, "%d,%s", k, as[rnd(rng, 3)]);
}

static void gen_join_right(Rng *rng, char *out, size_t size)
{
    int k = (int)rnd(rng, 5);
    int b = (int)rnd(rng, 3);
    if (k == 4 && rnd(rng, 3) == 0) snprintf(out, size, "N,%d", b);
    else snprintf(out, size, "%d,%d", k % 4, b);
}

typedef struct MRow { int k, knull, v; char a[8]; int w; } MRow;

static int final_rows(char **events, int n, bool left, MRow *rows)
{
    int count = 0;
    for (int i = 0; i < n; i++) {
        MRow r = {0};
        char k[8], v[8];
        sscanf(events[i], "%d,%7[^,],%7s", &r.w, k, v);
        r.knull = k[0] == 'N';
        r.k = r.knull ? 0 : atoi(k);
        if (left) snprintf(r.a, sizeof r.a, "%s", v);
        else r.v = atoi(v);
        int j;
        for (j = 0; j < count; j++)
            if (rows[j].k == r.k && rows[j].knull == r.knull && rows[j].v == r.v &&
                strcmp(rows[j].a, r.a) == 0)
                break;
        if (j == count) { rows[count] = r; rows[count++].w = 0; }
        rows[j].w += r.w;
    }
    return count;
}

static void model_join(JoinType type, bool cond, char **lev, int ln, char **rev, int rn,
                       Batch *out)
{
    static MRow L[512], R[512];
    int nl = final_rows(lev, ln, true, L), nr = final_rows(rev, rn, false, R);
    int64_t rtotal = 0, rnulls = 0;
    for (int j = 0; j < nr; j++) { rtotal += R[j].w; if (R[j].knull) rnulls += R[j].w; }
    int64_t *rmatch = wb_calloc((size_t)nr + 1, sizeof(int64_t));
    WbError err = {0};
    char text[64];
    for (int i = 0; i < nl; i++) {
        if (L[i].w == 0) continue;
        int64_t m = 0;
        for (int j = 0; j < nr; j++) {
            if (R[j].w == 0 || L[i].knull || R[j].knull || L[i].k != R[j].k) continue;
            if (cond && R[j].v == 0) continue;
            m += R[j].w;
            rmatch[j] += L[i].w;
            if (type <= JT_FULL) {
                int32_t row = out->nrows;
                ty_batch_reserve(out, row + 1);
                out->nrows++;
                snprintf(text, sizeof text, "%d", L[i].k); ty_parse_value(out, 0, row, text, strlen(text), &err);
                ty_parse_value(out, 1, row, L[i].a, strlen(L[i].a), &err);
                ty_parse_value(out, 2, row, text, strlen(text), &err);
                snprintf(text, sizeof text, "%d", R[j].v); ty_parse_value(out, 3, row, text, strlen(text), &err);
                out->weights[row] = (int64_t)L[i].w * R[j].w;
            }
        }
        bool emit_left = false;
        if (type == JT_LEFT || type == JT_FULL) emit_left = m == 0;
        if (type == JT_SEMI) emit_left = m != 0;
        if (type == JT_ANTI) emit_left = m == 0;
        if (type == JT_ANTI_NULL_AWARE) emit_left = L[i].knull ? rtotal == 0 : (m == 0 && rnulls == 0);
        if (emit_left) {
            int32_t row = out->nrows;
            ty_batch_reserve(out, row + 1);
            out->nrows++;
            for (int c = 0; c < out->ncols; c++) out->cols[c].nulls[row] = 1;
            if (!L[i].knull) { snprintf(text, sizeof text, "%d", L[i].k); ty_parse_value(out, 0, row, text, strlen(text), &err); }
            ty_parse_value(out, 1, row, L[i].a, strlen(L[i].a), &err);
            out->weights[row] = L[i].w;
        }
    }
    if (type == JT_RIGHT || type == JT_FULL) {
        for (int j = 0; j < nr; j++) {
            if (R[j].w == 0 || rmatch[j] != 0) continue;
            int32_t row = out->nrows;
            ty_batch_reserve(out, row + 1);
            out->nrows++;
            for (int c = 0; c < out->ncols; c++) out->cols[c].nulls[row] = 1;
            if (!R[j].knull) { snprintf(text, sizeof text, "%d", R[j].k); ty_parse_value(out, 2, row, text, strlen(text), &err); }
            snprintf(text, sizeof text, "%d", R[j].v); ty_parse_value(out, 3, row, text, strlen(text), &err);
            out->weights[row] = R[j].w;
        }
    }
    free(rmatch);
}

static void test_join_random(void)
{
    SqlType lt[2] = {T_INT, T_STR}, rt[2] = {T_INT, T_INT};
    PlanNode *l = mk_source(lt, 2), *r = mk_source(rt, 2);
    Rng rng = {0x9e3779b97f4a7c15ULL};
    int failures = 0;
    for (int type = JT_INNER; type <= JT_ANTI_NULL_AWARE; type++) {
        for (int round = 0; round < 25; round++) {
            bool cond = type != JT_ANTI_NULL_AWARE && rnd(&rng, 2);
            int ln = 5 + (int)rnd(&rng, 60), rn = 5 + (int)rnd(&rng, 60);
            char **lev = random_changelog(&rng, ln, gen_join_left, 30);
            char **rev = random_changelog(&rng, rn, gen_join_right, 30);
            PlanNode *node = join_node((JoinType)type, l, r, cond);
            Batch *want_b = ty_batch_new(node->types, node->ncols, 16);
            model_join((JoinType)type, cond, lev, ln, rev, rn, want_b);
            char *want = consolidate(want_b);
            ty_batch_free(want_b);
            for (int split = 0; split < 3; split++) {
                WbError err = {0};
                Operator *op = ex_op_new(node, &stream_ctx, &err);
                Capture *cap = capture(op, node);
                int max = split == 0 ? 1 : split == 1 ? 5 : 100;
                /* interleave the two sides in random chunks */
                int li = 0, ri = 0;
                while (li < ln || ri < rn) {
                    int chunk = 1 + (int)rnd(&rng, 12);
                    if (ri >= rn || (li < ln && rnd(&rng, 2))) {
                        int to = WB_MIN(ln, li + chunk);
                        feed_split(op, 0, l, lev, li, to, &rng, max);
                        li = to;
                    } else {
                        int to = WB_MIN(rn, ri + chunk);
                        feed_split(op, 1, r, rev, ri, to, &rng, max);
                        ri = to;
                    }
                }
                end_all(op);
                char *got = consolidate(cap->all);
                if ((strcmp(got, want) != 0 || !cap->kinds_ok) && failures++ < 2)
                    fprintf(stderr, "join type %d round %d split %d cond %d:\ngot:\n%s\nwant:\n%s\n",
                            type, round, split, cond, got, want);
                free(got);
                ex_op_free(op);
                ex_op_free(&cap->base);
            }
            free(want);
            free_events(lev, ln);
            free_events(rev, rn);
        }
    }
    CHECK(failures == 0);
}

/* ---- rank tests ---- */

/* input (p STRING, v INT, id INT) */
static PlanNode *rank_node(PlanNode *src, int64_t limit, int64_t offset, bool rownum, bool desc)
{
    SqlType types[4] = {T_STR, T_INT, T_INT, T_BIGINT};
    PlanNode *n = mk_node(PN_RANK, types, rownum ? 4 : 3, 1, &src);
    n->rank.npartition = 1;
    n->rank.partition = ints(1, 0);
    n->rank.nsort = 2;
    n->rank.sort = wb_arena_calloc(plan_arena, sizeof(SortKey) * 2);
    n->rank.sort[0].col = 1;
    n->rank.sort[0].desc = desc;
    n->rank.sort[0].nulls_first = !desc;
    n->rank.sort[1].col = 2;
    n->rank.limit = limit;
    n->rank.offset = offset;
    n->rank.emit_rownum = rownum;
    return n;
}

static void test_rank_basic(void)
{
    SqlType in[3] = {T_STR, T_INT, T_INT};
    PlanNode *src = mk_source(in, 3);
    src->mode = CM_RETRACT;   /* the cases retract */
    WbError err = {0};
    /* top 2 by v DESC with row numbers */
    PlanNode *node = rank_node(src, 2, 0, true, true);
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    Capture *cap = capture(op, node);
    feed(op, 0, src, "1,p,5,1;1,p,9,2;1,p,7,3;1,q,1,4");
    char *got = consolidate(cap->all);
    CHECK_STR(got, "p|7|3|2 x1\np|9|2|1 x1\nq|1|4|1 x1");
    free(got);
    int32_t before = cap->all->nrows;
    feed(op, 0, src, "-1,p,9,2");   /* the top row leaves: 7 moves up, 5 comes in */
    got = consolidate(cap->all);
    CHECK_STR(got, "p|5|1|2 x1\np|7|3|1 x1\nq|1|4|1 x1");
    free(got);
    CHECK(cap->all->nrows - before == 4);   /* -U 9/1 +U 7/1, -U 7/2 +U 5/2 */
    before = cap->all->nrows;
    feed(op, 0, src, "1,p,2,5");    /* below the top: no output */
    CHECK(cap->all->nrows == before);
    feed(op, 0, src, "1,p,N,6");    /* NULLS LAST for DESC: no output */
    CHECK(cap->all->nrows == before);
    end_all(op);
    ex_op_free(op);
    ex_op_free(&cap->base);

    /* without row numbers, offset 1: rows ranked 2..3 by v ASC (NULLs first) */
    node = rank_node(src, 2, 1, false, false);
    op = ex_op_new(node, &stream_ctx, &err);
    cap = capture(op, node);
    feed(op, 0, src, "1,p,5,1;1,p,N,2;1,p,7,3;1,p,1,4");
    got = consolidate(cap->all);
    CHECK_STR(got, "p|1|4 x1\np|5|1 x1");
    free(got);
    feed(op, 0, src, "-1,p,N,2;2,p,0,9");
    got = consolidate(cap->all);
    CHECK_STR(got, "p|0|9 x1\np|1|4 x1");   /* ranks: 0,0,1,5,7 -> 2nd, 3rd */
    free(got);
    end_all(op);
    ex_op_free(op);
    ex_op_free(&cap->base);

    /* duplicates: a second copy of a row moves into the top */
    node = rank_node(src, 3, 0, false, false);
    op = ex_op_new(node, &stream_ctx, &err);
    cap = capture(op, node);
    feed(op, 0, src, "1,p,5,1;1,p,7,2;1,p,8,3");
    feed(op, 0, src, "1,p,5,1");
    got = consolidate(cap->all);
    CHECK_STR(got, "p|5|1 x2\np|7|2 x1");
    free(got);
    feed(op, 0, src, "-2,p,5,1");
    got = consolidate(cap->all);
    CHECK_STR(got, "p|7|2 x1\np|8|3 x1");
    free(got);
    end_all(op);
    ex_op_free(op);
    ex_op_free(&cap->base);

    /* batch mode emits only at the end */
    node = rank_node(src, 1, 0, false, false);
    op = ex_op_new(node, &batch_ctx, &err);
    cap = capture(op, node);
    feed(op, 0, src, "1,p,5,1;1,p,3,2;1,q,8,3");
    CHECK(cap->all->nrows == 0);
    end_all(op);
    got = consolidate(cap->all);
    CHECK_STR(got, "p|3|2 x1\nq|8|3 x1");
    free(got);
    ex_op_free(op);
    ex_op_free(&cap->base);
}

static void gen_rank_row(Rng *rng, char *out, size_t size)
{
    static int next_id = 0;
    int v = (int)rnd(rng, 8);
    if (rnd(rng, 8) == 0) snprintf(out, size, "p%d,N,%d", (int)rnd(rng, 3), next_id++);
    else snprintf(out, size, "p%d,%d,%d", (int)rnd(rng, 3), v, next_id++);
}

typedef struct RRow { int p, vnull, v, id; } RRow;

static int rrow_cmp(const void *a, const void *b)
{
    const RRow *x = a, *y = b;
    if (x->p != y->p) return x->p - y->p;
    if (x->vnull != y->vnull) return y->vnull - x->vnull;   /* NULLS FIRST (ASC) */
    if (x->v != y->v) return x->v - y->v;
    return x->id - y->id;
}

static void test_rank_random(void)
{
    SqlType in[3] = {T_STR, T_INT, T_INT};
    PlanNode *src = mk_source(in, 3);
    src->mode = CM_RETRACT;
    Rng rng = {12345};
    int failures = 0;
    for (int round = 0; round < 40; round++) {
        int n = 10 + (int)rnd(&rng, 150);
        char **events = random_changelog(&rng, n, gen_rank_row, 35);
        int64_t limit = 1 + (int64_t)rnd(&rng, 4), offset = (int64_t)rnd(&rng, 2);
        bool rownum = rnd(&rng, 2);
        PlanNode *node = rank_node(src, limit, offset, rownum, false);
        /* model: the final live rows (ids are unique) sorted per partition */
        RRow *rows = wb_calloc((size_t)n + 1, sizeof(RRow));
        int nrows = 0;
        for (int i = 0; i < n; i++) {
            int w, p, id;
            char v[8];
            sscanf(events[i], "%d,p%d,%7[^,],%d", &w, &p, v, &id);
            if (w > 0) {
                RRow r = {p, v[0] == 'N', v[0] == 'N' ? 0 : atoi(v), id};
                rows[nrows++] = r;
            } else {
                for (int k = 0; k < nrows; k++)
                    if (rows[k].id == id) { rows[k] = rows[--nrows]; break; }
            }
        }
        qsort(rows, (size_t)nrows, sizeof(RRow), rrow_cmp);
        Batch *want_b = ty_batch_new(node->types, node->ncols, 16);
        WbError err = {0};
        for (int k = 0, rn = 0; k < nrows; k++) {
            rn = (k > 0 && rows[k].p == rows[k - 1].p) ? rn + 1 : 1;
            if (rn <= offset || rn > offset + limit) continue;
            char text[32];
            int32_t row = want_b->nrows;
            ty_batch_reserve(want_b, row + 1);
            want_b->nrows++;
            snprintf(text, sizeof text, "p%d", rows[k].p);
            ty_parse_value(want_b, 0, row, text, strlen(text), &err);
            want_b->cols[1].nulls[row] = (uint8_t)rows[k].vnull;
            want_b->cols[1].i64[row] = rows[k].v;
            want_b->cols[2].nulls[row] = 0;
            want_b->cols[2].i64[row] = rows[k].id;
            if (rownum) { want_b->cols[3].nulls[row] = 0; want_b->cols[3].i64[row] = rn; }
            want_b->weights[row] = 1;
        }
        char *want = consolidate(want_b);
        ty_batch_free(want_b);
        free(rows);
        for (int split = 0; split < 4; split++) {
            Operator *op = ex_op_new(node, split == 3 ? &batch_ctx : &stream_ctx, &err);
            Capture *cap = capture(op, node);
            feed_split(op, 0, src, events, 0, n, &rng, split == 0 ? 1 : split == 1 ? 6 : 500);
            end_all(op);
            char *got = consolidate(cap->all);
            if ((strcmp(got, want) != 0 || !cap->kinds_ok) && failures++ < 2)
                fprintf(stderr, "rank round %d split %d limit %lld offset %lld rn %d:\ngot:\n%s\nwant:\n%s\n",
                        round, split, (long long)limit, (long long)offset, rownum, got, want);
            free(got);
            ex_op_free(op);
            ex_op_free(&cap->base);
        }
        free(want);
        free_events(events, n);
    }
    CHECK(failures == 0);
}

/* Every row received, in order, with its weight and kind. */
static char *changelog_text(const Batch *b)
{
    WbBuf out = {0};
    wb_buf_puts(&out, "");
    for (int32_t r = 0; r < b->nrows; r++) {
        wb_buf_printf(&out, "%lld %d", (long long)b->weights[r], (int)ty_row_kind(b, r));
        for (int32_t c = 0; c < b->ncols; c++) {
            wb_buf_putc(&out, '|');
            if (b->cols[c].nulls[r]) wb_buf_puts(&out, "NULL");
            else ty_format_value(&b->cols[c], r, &out);
        }
        wb_buf_putc(&out, '\n');
    }
    wb_buf_cstr(&out);   /* terminated */
    return out.data;
}

/* Over an insert-only input the top-N keeps at most offset + limit rows
 * per partition and emits exactly what the retracting version emits, in
 * streaming (every split) and batch mode; ties, NULL sort keys, offsets,
 * row numbers and many rows pushed out included. */
static void test_rank_append_only(void)
{
    SqlType in[3] = {T_STR, T_INT, T_INT};
    PlanNode *ins = mk_source(in, 3), *retr = mk_source(in, 3);
    ins->mode = CM_INSERT_ONLY;
    Rng rng = {777};
    int failures = 0;
    for (int round = 0; round < 40; round++) {
        int n = 20 + (int)rnd(&rng, 300);
        char **events = random_changelog(&rng, n, gen_rank_row, 0);
        int64_t limit = 1 + (int64_t)rnd(&rng, 4), offset = (int64_t)rnd(&rng, 3);
        bool rownum = rnd(&rng, 2);
        for (int split = 0; split < 4; split++) {
            const ExecContext *ctx = split == 3 ? &batch_ctx : &stream_ctx;
            char *text[2];
            int64_t state[2];
            for (int v = 0; v < 2; v++) {
                PlanNode *node = rank_node(v ? retr : ins, limit, offset, rownum, round % 2);
                WbError err = {0};
                Operator *op = ex_op_new(node, ctx, &err);
                Capture *cap = capture(op, node);
                Rng feed = {1000u + (uint64_t)round * 4 + (uint64_t)split};
                feed_split(op, 0, v ? retr : ins, events, 0, n, &feed, split == 0 ? 1 : split == 1 ? 7 : 500);
                state[v] = op->vt->state_bytes(op);
                end_all(op);
                text[v] = changelog_text(cap->all);
                ex_op_free(op);
                ex_op_free(&cap->base);
            }
            if ((strcmp(text[0], text[1]) != 0 || state[0] > state[1]) && failures++ < 2)
                fprintf(stderr, "append-only rank round %d split %d: state %lld vs %lld\n%s---\n%s",
                        round, split, (long long)state[0], (long long)state[1], text[0], text[1]);
            free(text[0]);
            free(text[1]);
        }
        free_events(events, n);
    }
    CHECK(failures == 0);
}

/* MIN/MAX over an insert-only input keep only the extreme and emit exactly
 * what the counting version emits (streaming splits and batch mode). */
static void test_minmax_insert_only(void)
{
    Rng rng = {4242};
    int failures = 0;
    for (int round = 0; round < 30; round++) {
        int n = 20 + (int)rnd(&rng, 300);
        char **events = random_changelog(&rng, n, gen_agg_row, 0);
        for (int split = 0; split < 4; split++) {
            char *text[2];
            for (int v = 0; v < 2; v++) {
                PlanNode *src = agg_input();
                if (v == 0) src->mode = CM_INSERT_ONLY;
                AggCall calls[4] = {call(AGG_MIN, 1, T_INT), call(AGG_MAX, 1, T_INT),
                                    call(AGG_MIN, 2, T_STR), call(AGG_MAX, 2, T_STR)};
                for (int k = 0; k < 4; k++) calls[k].type.nullable = 1;
                PlanNode *node = mk_agg(src, 1, ints(1, 0), 4, calls);
                WbError err = {0};
                Operator *op = ex_op_new(node, split == 3 ? &batch_ctx : &stream_ctx, &err);
                Capture *cap = capture(op, node);
                Rng feed = {99u + (uint64_t)round * 4 + (uint64_t)split};
                feed_split(op, 0, src, events, 0, n, &feed, split == 0 ? 1 : split == 1 ? 5 : 500);
                end_all(op);
                text[v] = changelog_text(cap->all);
                ex_op_free(op);
                ex_op_free(&cap->base);
            }
            if (strcmp(text[0], text[1]) != 0 && failures++ < 2)
                fprintf(stderr, "min/max round %d split %d:\n%s---\n%s", round, split, text[0], text[1]);
            free(text[0]);
            free(text[1]);
        }
        free_events(events, n);
    }
    CHECK(failures == 0);
}

/* ---- plumbing ---- */

static void test_plumbing(void)
{
    SqlType in[1] = {T_INT};
    PlanNode *a = mk_source(in, 1), *b = mk_source(in, 1);
    PlanNode *ins[2] = {a, b};
    PlanNode *node = mk_node(PN_UNION, in, 1, 2, ins);
    WbError err = {0};
    Operator *op = ex_op_new(node, &stream_ctx, &err);
    CHECK(op != NULL);
    Capture *cap = capture(op, node);
    feed(op, 0, a, "1,1;1,2");
    feed(op, 1, b, "-1,2;1,3");
    ControlMsg wm = {CTL_WATERMARK, 100};
    ex_control(op, 0, &wm, &err);
    CHECK(cap->last_watermark == INT64_MIN);   /* port 1 has none yet */
    wm.value = 50;
    ex_control(op, 1, &wm, &err);
    CHECK(cap->last_watermark == 50);
    ControlMsg end = {CTL_END, 0};
    ex_control(op, 1, &end, &err);
    CHECK(cap->last_watermark == 100);          /* an ended input no longer holds back */
    CHECK(cap->ends == 0);
    ex_control(op, 0, &end, &err);
    CHECK(cap->ends == 1);
    ex_control(op, 0, &end, &err);              /* END is forwarded once */
    CHECK(cap->ends == 1);
    char *got = consolidate(cap->all);
    CHECK_STR(got, "1 x1\n3 x1");
    free(got);
    CHECK(op->rows_in == 4 && op->rows_out == 4);
    ex_op_free(op);
    ex_op_free(&cap->base);

    /* the runtime's nodes are not ex_op_new's */
    PlanNode *scan = mk_node(PN_SCAN, in, 1, 0, NULL);
    CHECK(ex_op_new(scan, &stream_ctx, &err) == NULL);
    CHECK(strcmp(err.sqlstate, "XX000") == 0);
}

int main(void)
{
    plan_arena = wb_arena_new(0);
    T_INT = ty_make(TY_INT);
    T_BIGINT = ty_make(TY_BIGINT);
    T_STR = ty_make(TY_STRING);
    T_DEC2 = ty_decimal(10, 2);
    T_DOUBLE = ty_make(TY_DOUBLE);
    T_BOOL = ty_make(TY_BOOLEAN);
    RUN(test_plumbing);
    RUN(test_agg_kinds);
    RUN(test_agg_extremes);
    RUN(test_agg_global);
    RUN(test_agg_overflow);
    RUN(test_agg_single_value);
    RUN(test_agg_random);
    RUN(test_agg_inconsistent);
    RUN(test_join_types);
    RUN(test_join_random);
    RUN(test_rank_basic);
    RUN(test_rank_append_only);
    RUN(test_minmax_insert_only);
    RUN(test_rank_random);
    wb_arena_free(plan_arena);
    return check_done();
}
