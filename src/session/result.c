/*
 * result.c - the final result of a query: consolidation of its changes
 * (weights summed per distinct row) or, in batch mode over an insert-only
 * plan, the rows as they come; then ORDER BY or arrival order.
 *
 * Two ways to the final result (see result.h for when each is taken):
 *   direct       every row that reaches the root is final.  Without ORDER
 *                BY each is handed to the sink as it arrives; with one,
 *                the rows are kept as they are and sorted at the end;
 *   consolidated the collector sums weights per distinct row and hands
 *                the rows on at the end, sorted by ORDER BY (ties and
 *                queries without one in order of first arrival).  Rows
 *                whose columns are all int64-backed are kept in a
 *                FlatTable keyed by their words (the flat path); others
 *                encoded, in a StateTable (the general path).  Both number
 *                rows by first arrival the same way, and everything after
 *                the collection is shared, so the two hand on the same
 *                rows.  The flat table hashes an upsert stream's rows by
 *                its key only (consolidate_flat).
 */
#include "session/result.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "state/flat.h"
#include "state/state.h"

/* The payload of a consolidated row, in either table. */
typedef struct RowCount {
    int64_t weight;
    int64_t first_seen;          /* arrival order, for a stable output order */
} RowCount;


struct SesResult {
    const QueryPlan *plan;
    const PlanNode *root;
    SesRowSink sink;
    bool streaming;
    bool final;                  /* false: changes only */
    int32_t nshow;               /* visible columns (QueryPlan.nvisible) */
    /* direct */
    bool direct;
    bool sorted;                 /* direct with ORDER BY: rows kept in `kept` */
    bool begun;                  /* sink.begin called */
    Batch **kept;                /* chunks of KEEP_ROWS rows, weights as they came */
    int32_t nkept, cap_kept;
    int64_t kept_rows;
    /* consolidated: exactly one of `rows` and `flat` */
    StateTable *rows;            /* general: encoded row -> RowCount */
    FlatTable *flat;             /* all columns int64-backed: words -> RowCount */
    int64_t seq;                 /* rows numbered so far (first_seen) */
    WbBuf key;                   /* general: the batch's encoded rows, back to back */
    uint32_t *key_off;           /* general: per row, and one past the last */
    uint64_t *key_hash;          /* per row */
    int64_t *key_words;          /* flat: per row, its ncols words (0 for NULL) */
    int32_t *hash_cols;          /* flat: the columns hashed (the upsert key, or all) */
    int32_t nhash;
    uint32_t *key_nulls;         /* flat: per row, bit i set when column i is NULL */
    int32_t cap_rows;
};

/* Rows per chunk of a sorted direct result. */
#define KEEP_ROWS 65536

/* Prefetch distances in rows for the consolidating lookups (index slot,
 * then entry), as the aggregate does; PF_FLAT for the flat table's one
 * line pair (as agg_flat.c). */
#define PF_SLOT 16
#define PF_ENTRY 8
#define PF_FLAT 32

/* Probe distance in slots, averaged over a batch (plus 64 rows' worth of
 * slack for small ones), past which the flat table's upsert key is taken
 * not to be unique (see consolidate_flat). */
#define FLAT_PROBE_LIMIT 64

/* ---- the collector ---- */

/* Whether, in batch mode, only insertions can reach the output of `node`.
 * Stricter than node->mode, which describes streaming: in batch mode an
 * aggregate emits one +1 row per group at end of input and nothing before
 * (exec.h), whatever its input, and a join of such inputs emits its padded
 * and ANTI / NOT IN rows only at end of input (join.c).  Conservative
 * elsewhere: a node not listed keeps its streaming mode. */
static bool batch_insert_only(const PlanNode *node)
{
    switch (node->kind) {
    case PN_AGG:
        return true;
    case PN_JOIN:
    case PN_CALC:
    case PN_EXCHANGE:
    case PN_UNION:
    case PN_RANK:
        break;
    default:
        return node->mode == CM_INSERT_ONLY;
    }
    for (int32_t i = 0; i < node->ninputs; i++)
        if (!batch_insert_only(node->inputs[i])) return false;
    return true;
}

/* Whether consolidated rows of these columns fit a FlatTable: each an
 * int64-backed value (integers, DECIMAL, BOOLEAN, temporal types), and no
 * more columns than a NULL mask holds. */
static bool flat_fits(const SqlType *types, int32_t ncols)
{
    if (ncols < 1 || ncols > ST_FLAT_MAX_KEYS) return false;
    for (int32_t col = 0; col < ncols; col++)
        if (ty_phys(types[col]) != PK_I64) return false;
    return true;
}

SesResult *ses_result_new(const QueryPlan *plan, const SesResultOptions *opts,
                          const SesRowSink *sink)
{
    SesResult *c = wb_calloc(1, sizeof(SesResult));
    c->plan = plan;
    c->root = plan->root;
    c->sink = *sink;
    c->streaming = opts->streaming;
    c->final = opts->final;
    int32_t ncols = c->root->ncols;
    c->nshow = plan->nvisible > 0 && plan->nvisible < ncols ? plan->nvisible : ncols;
    c->direct = !c->streaming && c->final && !sink->changes && batch_insert_only(c->root);
    c->sorted = c->direct && plan->norder > 0;
    if (!c->direct && c->final) {
        /* general_only (for tests, like ExecContext.general_agg_only) keeps
         * the collector on the general path even when its rows fit the flat
         * one, so that a test can compare the two */
        if (!opts->general_only && flat_fits(c->root->types, ncols)) {
            c->flat = st_flat_new(ncols, sizeof(RowCount));
            c->hash_cols = wb_calloc((size_t)ncols, sizeof(int32_t));
            bool by_key = c->root->mode == CM_UPSERT && c->root->nupsert_key > 0 &&
                          c->root->nupsert_key < ncols;
            c->nhash = by_key ? c->root->nupsert_key : ncols;
            for (int32_t i = 0; i < c->nhash; i++)
                c->hash_cols[i] = by_key ? c->root->upsert_key[i] : i;
        } else {
            c->rows = st_table_new(sizeof(RowCount));
        }
    }
    return c;
}

void ses_result_describe(const QueryPlan *plan, bool streaming, SesResultInfo *info)
{
    int32_t ncols = plan->root->ncols;
    info->ncols = plan->nvisible > 0 && plan->nvisible < ncols ? plan->nvisible : ncols;
    info->names = plan->root->names;
    info->types = plan->root->types;
    info->streaming = streaming;
}

void ses_result_path(const SesResult *c, SesResultPath *out)
{
    memset(out, 0, sizeof *out);
    out->flat = c->flat != NULL;
    if (c->flat) {
        out->nhash = c->nhash;
        out->capacity = c->flat->mask + 1;
        out->tombstones = c->flat->used - c->flat->count;
    }
}

void ses_result_free(SesResult *c)
{
    if (!c) return;
    if (c->rows) st_table_free(c->rows);
    st_flat_free(c->flat);
    for (int32_t i = 0; i < c->nkept; i++) ty_batch_free(c->kept[i]);
    free(c->kept);
    wb_buf_free(&c->key);
    free(c->key_off);
    free(c->key_hash);
    free(c->key_words);
    free(c->key_nulls);
    free(c->hash_cols);
    free(c);
}

/* Calls the sink's begin once. */
static int begin_final(SesResult *c, int64_t total, WbError *err)
{
    if (c->begun) return 0;
    c->begun = true;
    return c->sink.begin ? c->sink.begin(c->sink.ctx, total, err) : 0;
}

static int keep_row(SesResult *c, const Batch *batch, int32_t row, WbError *err)
{
    if (c->kept_rows >= INT32_MAX / 2) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "result too large to sort (over %d rows)",
                 INT32_MAX / 2);
        return -1;
    }
    if (c->nkept == 0 || c->kept[c->nkept - 1]->nrows == KEEP_ROWS) {
        if (c->nkept == c->cap_kept) {
            c->cap_kept = c->cap_kept ? c->cap_kept * 2 : 8;
            c->kept = wb_realloc(c->kept, sizeof(Batch *) * (size_t)c->cap_kept);
        }
        c->kept[c->nkept++] = ty_batch_new(c->root->types, c->root->ncols, KEEP_ROWS);
    }
    ty_batch_append_row(c->kept[c->nkept - 1], batch, row, batch->weights[row]);
    c->kept_rows++;
    return 0;
}

/* Direct: every row is final; a row of weight n occurs n times. */
static int direct_batch(SesResult *c, const Batch *batch, WbError *err)
{
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        if (w < 0) {
            /* batch_insert_only() promised no retraction: an engine bug */
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                     "inconsistent changelog: a retraction reached a batch result that was "
                     "planned as insert-only");
            return -1;
        }
        if (c->sorted) {
            if (w > 0 && keep_row(c, batch, row, err) != 0) return -1;
            continue;
        }
        if (w > 0 && c->sink.row(c->sink.ctx, batch, row, w, err) != 0) return -1;
    }
    return 0;
}

/* Room for the per-row arrays of a batch of nrows rows. */
static void ensure_rows(SesResult *c, int32_t nrows)
{
    if (nrows + 1 <= c->cap_rows) return;
    c->cap_rows = nrows + 1;
    size_t cap = (size_t)c->cap_rows;
    c->key_hash = wb_realloc(c->key_hash, sizeof(uint64_t) * cap);
    if (c->flat) {
        c->key_words = wb_realloc(c->key_words, sizeof(int64_t) * cap * (size_t)c->flat->nkeys);
        c->key_nulls = wb_realloc(c->key_nulls, sizeof(uint32_t) * cap);
    } else {
        c->key_off = wb_realloc(c->key_off, sizeof(uint32_t) * cap);
    }
}

/* The flat path's lookups, with the column count a constant where the
 * caller passes one (see st_flat_matches).  Returns the sum of the probe
 * distances in bytes when the hash covers the upsert key only (else 0). */
static inline __attribute__((always_inline)) uint64_t
flat_apply(SesResult *c, const Batch *batch, const int32_t ncols)
{
    FlatTable *table = c->flat;
    int32_t nrows = batch->nrows;
    const uint64_t *hash = c->key_hash;
    const int64_t *words = c->key_words;
    const uint32_t *nulls = c->key_nulls;
    const int64_t *weights = batch->weights;
    bool by_key = c->nhash < ncols;
    uint64_t span = (table->mask + 1) * table->entry_size, probed = 0;
    for (int32_t row = 0; row < nrows && row < PF_FLAT; row++) st_flat_prefetch(table, hash[row]);
    for (int32_t row = 0; row < nrows; row++) {
        if (row + PF_FLAT < nrows) st_flat_prefetch(table, hash[row + PF_FLAT]);
        int64_t w = weights[row];
        if (w == 0) continue;
        bool created;
        RowCount *rc = st_flat_upsert_fast(table, words + (size_t)row * (size_t)ncols,
                                           st_flat_ctrl(hash[row], nulls[row]), ncols, &created);
        if (by_key) {
            const uint8_t *home = st_flat_entry_at(table, (hash[row] >> 32) & table->mask);
            const uint8_t *at = (const uint8_t *)rc - table->payload_off;
            probed += at >= home ? (uint64_t)(at - home) : span - (uint64_t)(home - at);
        }
        if (created) rc->first_seen = c->seq++;
        rc->weight += w;
        if (rc->weight == 0) st_flat_remove(table, rc);
    }
    return probed;
}

/* Hashes every row of the flat table again over all its columns and puts
 * it into a new table (payloads move as they are). */
static void flat_rehash_rows(SesResult *c)
{
    FlatTable *from = c->flat;
    int32_t ncols = from->nkeys;
    FlatTable *to = st_flat_new(ncols, sizeof(RowCount));
    st_flat_reserve(to, st_flat_count(from));
    uint64_t pos = 0;
    for (const RowCount *rc; (rc = st_flat_next(from, &pos));) {
        const int64_t *key = st_flat_key(from, rc);
        uint32_t nulls = st_flat_nulls(from, rc);
        uint64_t hash = TY_ROW_HASH_SEED;
        for (int32_t col = 0; col < ncols; col++)
            hash = wb_hash_combine(hash, (nulls >> col) & 1 ? TY_HASH_NULL
                                                             : wb_hash_u64((uint64_t)key[col]));
        bool created;
        RowCount *dst = st_flat_upsert(to, key, st_flat_ctrl(hash, nulls), &created);
        *dst = *rc;
    }
    st_flat_free(from);
    c->flat = to;
    for (int32_t col = 0; col < ncols; col++) c->hash_cols[col] = col;
    c->nhash = ncols;
}

/* Adds the batch's weights to the flat table.  A column at a time, without
 * branches: each row's words (0 for NULL) and NULL mask, then its hash
 * over the hashed columns (ty_hash_i64_rows); then the lookups, with
 * prefetches running PF_FLAT rows ahead.
 *
 * The hash covers only the root's upsert key when it has one, so that the
 * insertion of an update lands on the tombstone its retraction just left
 * (the same home slot) instead of taking a fresh slot: with a hash of the
 * whole row, an update stream left tombstones that made the table rebuild
 * itself (a fresh array each time) every few hundred thousand changes.
 * Should the key not be unique after all (a declared primary key is the
 * user's word), rows sharing a key share a probe sequence: once the
 * distance from the rows' home slots to their entries averages over
 * FLAT_PROBE_LIMIT slots in a batch, the table is hashed again over all
 * columns, for good. */
static void consolidate_flat(SesResult *c, const Batch *batch)
{
    int32_t nrows = batch->nrows, ncols = c->flat->nkeys;
    assert(batch->ncols == ncols);
    uint64_t *hash = c->key_hash;
    int64_t *words = c->key_words;
    uint32_t *masks = c->key_nulls;
    for (int32_t col = 0; col < ncols; col++) {
        const ColumnVector *vec = &batch->cols[col];
        const int64_t *data = vec->i64;
        const uint8_t *nulls = vec->nulls;
        for (int32_t row = 0; row < nrows; row++) {
            bool null = nulls[row] != 0;
            masks[row] = (col == 0 ? 0 : masks[row]) | (uint32_t)null << col;
            words[(size_t)row * (size_t)ncols + (size_t)col] = null ? 0 : data[row];
        }
    }
    ty_hash_i64_rows(batch, c->hash_cols, c->nhash, hash);
    st_flat_reserve(c->flat, nrows);
    uint64_t probed;
    switch (ncols) {
    case 1: probed = flat_apply(c, batch, 1); break;
    case 2: probed = flat_apply(c, batch, 2); break;
    case 3: probed = flat_apply(c, batch, 3); break;
    case 4: probed = flat_apply(c, batch, 4); break;
    default: probed = flat_apply(c, batch, ncols); break;
    }
    if (probed > (uint64_t)c->flat->entry_size * FLAT_PROBE_LIMIT * ((uint64_t)nrows + 64))
        flat_rehash_rows(c);
}

/* Adds the batch's weights to the consolidated rows.  Two passes, like
 * the aggregate: encode and hash every row, then look the rows up with
 * prefetches running ahead, so that the cache misses of a large result
 * overlap instead of stalling one row at a time. */
static void consolidate(SesResult *c, const Batch *batch)
{
    int32_t nrows = batch->nrows;
    ensure_rows(c, nrows);
    if (c->flat) {
        consolidate_flat(c, batch);
        return;
    }
    wb_buf_clear(&c->key);
    for (int32_t row = 0; row < nrows; row++) {
        c->key_off[row] = (uint32_t)c->key.len;
        ty_row_encode(batch, row, NULL, batch->ncols, &c->key);
    }
    c->key_off[nrows] = (uint32_t)c->key.len;
    for (int32_t row = 0; row < nrows; row++)
        c->key_hash[row] = wb_hash_bytes(c->key.data + c->key_off[row],
                                         c->key_off[row + 1] - c->key_off[row], 0);
    for (int32_t row = 0; row < nrows && row < PF_SLOT; row++)
        st_table_prefetch(c->rows, c->key_hash[row]);
    for (int32_t row = 0; row < nrows; row++) {
        if (row + PF_SLOT < nrows) st_table_prefetch(c->rows, c->key_hash[row + PF_SLOT]);
        if (row + PF_ENTRY < nrows) st_table_prefetch_entry(c->rows, c->key_hash[row + PF_ENTRY]);
        int64_t w = batch->weights[row];
        if (w == 0) continue;
        bool created;
        StateEntry *e = st_table_upsert(c->rows, c->key.data + c->key_off[row],
                                        c->key_off[row + 1] - c->key_off[row], c->key_hash[row],
                                        &created);
        RowCount *rc = st_payload(e);
        if (created) rc->first_seen = c->seq++;
        rc->weight += w;
        if (rc->weight == 0) st_table_remove(c->rows, e);
    }
}

int ses_result_batch(void *ctx, const Batch *batch, WbError *err)
{
    SesResult *c = ctx;
    if (c->direct) {
        if (!c->sorted && batch->nrows > 0 && begin_final(c, -1, err) != 0) return -1;
        return direct_batch(c, batch, err);
    }
    if (c->sink.changes && c->sink.changes(c->sink.ctx, batch, err) != 0) return -1;
    if (!c->final) return 0;   /* changes only: nothing at the end */
    consolidate(c, batch);
    return 0;
}

/* ---- finishing the consolidated result ---- */

/* A row of the final result: where its values are (row `row` of `batch`)
 * and how many times it prints. */
typedef struct FinalRow {
    int64_t first_seen;
    int64_t weight;
    const void *stored;          /* consolidated: its StateEntry (general path)
                                  * or FlatTable payload (flat path) */
    const Batch *batch;
    int32_t row;
} FinalRow;

static const QueryPlan *sort_plan;

static int compare_final(const void *pa, const void *pb)
{
    const FinalRow *a = pa, *b = pb;
    for (int32_t k = 0; k < sort_plan->norder; k++) {
        const SortKey *key = &sort_plan->order[k];
        const ColumnVector *va = &a->batch->cols[key->col], *vb = &b->batch->cols[key->col];
        bool na = va->nulls[a->row], nb = vb->nulls[b->row];
        int c;
        if (na || nb) {
            if (na && nb) continue;
            c = na ? -1 : 1;
            if (!key->nulls_first) c = -c;
            return c;
        }
        c = ty_compare(va, a->row, vb, b->row);
        if (c) return key->desc ? -c : c;
    }
    return a->first_seen < b->first_seen ? -1 : a->first_seen > b->first_seen;
}

/* Sorts rows by first_seen (distinct values below `limit`): an LSD radix
 * sort, 11 bits a pass, as many passes as `limit` needs. */
static void sort_by_arrival(FinalRow *rows, size_t n, int64_t limit)
{
    if (n < 2) return;
    FinalRow *tmp = wb_malloc(n * sizeof(FinalRow));
    FinalRow *src = rows, *dst = tmp;
    for (int shift = 0; shift < 64 && ((uint64_t)limit - 1) >> shift; shift += 11) {
        size_t count[2048 + 1] = {0};
        for (size_t i = 0; i < n; i++) count[(((uint64_t)src[i].first_seen >> shift) & 2047) + 1]++;
        for (size_t d = 0; d < 2048; d++) count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++) dst[count[((uint64_t)src[i].first_seen >> shift) & 2047]++] = src[i];
        FinalRow *t = src;
        src = dst;
        dst = t;
    }
    if (src != rows) memcpy(rows, src, n * sizeof(FinalRow));
    free(tmp);
}

/* Sorts rows by ORDER BY, ties in arrival order.  When the first key is
 * int64-backed (integers, DECIMAL, temporal types) and there are many
 * rows, a stable LSD radix sort on that key (8 bits a pass, skipping bytes
 * all keys share) replaces most comparisons: NULLs are set apart first,
 * then only runs of equal first keys are sorted by the remaining keys.
 * `in_arrival_order` says whether rows already are in arrival order (the
 * radix sort keeps it for ties); if not, they are put in it first. */
static void sort_final(const QueryPlan *plan, FinalRow *rows, size_t n, bool in_arrival_order,
                       int64_t arrival_limit)
{
    sort_plan = plan;
    const SortKey *key0 = &plan->order[0];
    if (n < 64 || ty_phys(rows[0].batch->cols[key0->col].type) != PK_I64) {
        qsort(rows, n, sizeof(FinalRow), compare_final);
        return;
    }
    if (!in_arrival_order) sort_by_arrival(rows, n, arrival_limit);
    typedef struct SortPair {
        uint64_t key;            /* order-preserving image of the first key */
        size_t idx;
    } SortPair;
    SortPair *pairs = wb_malloc(n * sizeof(SortPair));
    SortPair *tmp = wb_malloc(n * sizeof(SortPair));
    size_t nnull = 0;
    for (size_t i = 0; i < n; i++)
        nnull += rows[i].batch->cols[key0->col].nulls[rows[i].row] != 0;
    size_t null_at = key0->nulls_first ? 0 : n - nnull;
    size_t val_start = key0->nulls_first ? nnull : 0, val_at = val_start;
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        const ColumnVector *vec = &rows[i].batch->cols[key0->col];
        if (vec->nulls[rows[i].row]) {
            pairs[null_at].key = 0;
            pairs[null_at++].idx = i;
            continue;
        }
        uint64_t u = (uint64_t)vec->i64[rows[i].row] ^ ((uint64_t)1 << 63);
        if (key0->desc) u = ~u;
        pairs[val_at].key = u;
        pairs[val_at++].idx = i;
        all_or |= u;
        all_and &= u;
    }
    size_t nval = n - nnull;
    SortPair *src = pairs + val_start, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        if ((((all_or ^ all_and) >> shift) & 0xFF) == 0) continue;   /* same byte in all */
        size_t count[256 + 1] = {0};
        for (size_t i = 0; i < nval; i++) count[((src[i].key >> shift) & 0xFF) + 1]++;
        for (size_t d = 0; d < 256; d++) count[d + 1] += count[d];
        for (size_t i = 0; i < nval; i++) dst[count[(src[i].key >> shift) & 0xFF]++] = src[i];
        SortPair *t = src;
        src = dst;
        dst = t;
    }
    if (src != pairs + val_start) memcpy(pairs + val_start, src, nval * sizeof(SortPair));
    FinalRow *sorted = wb_malloc(n * sizeof(FinalRow));
    for (size_t i = 0; i < n; i++) sorted[i] = rows[pairs[i].idx];
    if (plan->norder > 1) {
        /* runs of equal first keys (all NULLs are one run) by the other keys */
        for (size_t start = 0; start < n;) {
            bool null_run = key0->nulls_first ? start < nnull : start >= nval;
            size_t end = start + 1;
            if (null_run)
                end = key0->nulls_first ? nnull : n;
            else
                while (end < n && end < val_start + nval && pairs[end].key == pairs[start].key) end++;
            if (end - start > 1) qsort(sorted + start, end - start, sizeof(FinalRow), compare_final);
            start = end;
        }
    }
    memcpy(rows, sorted, n * sizeof(FinalRow));
    free(sorted);
    free(pairs);
    free(tmp);
}

/* Hands rows[0..n) to the sink. */
static int emit_final(SesResult *c, const FinalRow *rows, size_t n, WbError *err)
{
    for (size_t i = 0; i < n; i++)
        if (c->sink.row(c->sink.ctx, rows[i].batch, rows[i].row, rows[i].weight, err) != 0)
            return -1;
    return 0;
}

/* Direct with ORDER BY: sorts the kept rows (ties in arrival order). */
static int sorted_finish(SesResult *c, WbError *err)
{
    size_t n = (size_t)c->kept_rows, i = 0;
    int64_t total = 0;
    FinalRow *rows = wb_calloc(n ? n : 1, sizeof(FinalRow));
    for (int32_t k = 0; k < c->nkept; k++)
        for (int32_t row = 0; row < c->kept[k]->nrows; row++, i++) {
            rows[i].first_seen = (int64_t)i;
            rows[i].weight = c->kept[k]->weights[row];
            rows[i].batch = c->kept[k];
            rows[i].row = row;
            total += rows[i].weight;
        }
    sort_final(c->plan, rows, n, true, 0);
    int rc = begin_final(c, total, err);
    if (rc == 0) rc = emit_final(c, rows, n, err);
    free(rows);
    return rc;
}

/* The next consolidated row of either table (NULL at the end): its
 * RowCount, and in *stored what FinalRow.stored keeps. */
static const RowCount *next_consolidated(SesResult *c, StateIter *it, uint64_t *pos,
                                         const void **stored)
{
    if (c->flat) {
        const void *payload = st_flat_next(c->flat, pos);
        *stored = payload;
        return payload;
    }
    StateEntry *e = st_iter_next(it);
    *stored = e;
    return e ? st_payload(e) : NULL;
}

/* Writes consolidated rows[0..m) into rows 0..m of dst (reset, capacity at
 * least m) and points the FinalRows at them. */
static void decode_final(SesResult *c, FinalRow *rows, size_t m, Batch *dst)
{
    const SqlType *types = c->root->types;
    int32_t ncols = c->root->ncols;
    for (size_t i = 0; i < m; i++) {
        if (i + PF_ENTRY < m) __builtin_prefetch(rows[i + PF_ENTRY].stored);
        if (c->flat) {
            /* the words straight into the columns */
            const int64_t *key = st_flat_key(c->flat, rows[i].stored);
            uint32_t nulls = st_flat_nulls(c->flat, rows[i].stored);
            for (int32_t col = 0; col < ncols; col++) {
                dst->cols[col].i64[i] = key[col];
                dst->cols[col].nulls[i] = (uint8_t)((nulls >> col) & 1);
            }
        } else {
            ty_row_decode(((const StateEntry *)rows[i].stored)->key, types, ncols, dst,
                          (int32_t)i, 0);
        }
        rows[i].batch = dst;
        rows[i].row = (int32_t)i;
    }
    dst->nrows = (int32_t)m;
}

static int consolidated_finish(SesResult *c, WbError *err)
{
    const PlanNode *root = c->root;
    int32_t ncols = root->ncols;
    /* Every row with a positive weight; a negative one is an engine bug. */
    int64_t total = 0;
    size_t n = 0, cap = (size_t)(c->flat ? st_flat_count(c->flat) : st_table_count(c->rows));
    FinalRow *rows = wb_calloc(cap ? cap : 1, sizeof(FinalRow));
    StateIter it;
    uint64_t pos = 0;
    if (c->rows) st_iter_init(&it, c->rows);
    const void *stored;
    for (const RowCount *rc; (rc = next_consolidated(c, &it, &pos, &stored));) {
        if (rc->weight < 0) {
            free(rows);
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                     "inconsistent changelog: a row was retracted more often than it was inserted");
            return -1;
        }
        if (n == cap) {   /* st_table_count should have been exact */
            cap = cap * 2 + 16;
            rows = wb_realloc(rows, cap * sizeof(FinalRow));
        }
        rows[n].first_seen = rc->first_seen;
        rows[n].weight = rc->weight;
        rows[n].stored = stored;
        n++;
        total += rc->weight;
    }
    /* ORDER BY holds every distinct row in one batch */
    if (c->plan->norder > 0 && n > INT32_MAX / 2) {
        free(rows);
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "result too large to print (%lld rows)",
                 (long long)total);
        return -1;
    }
    if (begin_final(c, total, err) != 0) {
        free(rows);
        return -1;
    }
    int rc = 0;
    if (c->plan->norder > 0) {
        /* ORDER BY: decode every distinct row, sort, print */
        Batch *all = ty_batch_new(root->types, ncols, (int32_t)(n ? n : 1));
        decode_final(c, rows, n, all);
        sort_final(c->plan, rows, n, false, c->seq);
        rc = emit_final(c, rows, n, err);
        ty_batch_free(all);
    } else {
        /* arrival order; decode a chunk of rows at a time */
        sort_by_arrival(rows, n, c->seq);
        enum { CHUNK = 2048 };
        Batch *chunk = ty_batch_new(root->types, ncols, CHUNK);
        for (size_t start = 0; start < n && rc == 0; start += CHUNK) {
            size_t m = n - start < CHUNK ? n - start : CHUNK;
            ty_batch_reset(chunk);
            decode_final(c, rows + start, m, chunk);
            rc = emit_final(c, rows + start, m, err);
        }
        ty_batch_free(chunk);
    }
    free(rows);
    return rc;
}

int ses_result_finish(SesResult *c, WbError *err)
{
    if (!c->final) return 0;
    if (!c->direct && consolidated_finish(c, err) != 0) return -1;
    if (c->sorted && sorted_finish(c, err) != 0) return -1;
    if (begin_final(c, c->direct && !c->sorted ? -1 : 0, err) != 0) return -1;
    return c->sink.end ? c->sink.end(c->sink.ctx, err) : 0;
}
