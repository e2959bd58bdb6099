/*
 * merge_stream.c - the merged state of a bucket of several sorted runs,
 * read as a stream in key order with bounded memory.
 *
 * Each run (a level-0 file, or the files of one level in key order) is
 * read a chunk at a time into its own buffer.  Let the bound be the
 * smallest last-loaded key among the runs that still have rows to read:
 * every row of every run whose key is below the bound is loaded, and so is
 * every other version of its key (a run is sorted by key, then sequence),
 * so those rows merge now (store_merge_runs) and are handed out; the rest wait for the next chunks.  When no row is below
 * the bound (a run's buffer holds versions of one key only), the runs at
 * the bound read on.  Memory: about CHUNK rows per run, whatever the size
 * of the bucket.
 *
 * The changes between two states of a bucket are found the same way: the
 * state before is streamed alongside the state after, slice by slice, and
 * each slice is compared with the rows before it up to its last key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

enum { CHUNK = 4096 };

typedef struct RunCursor {
    StoreFile **files;          /* the run's files, in key order */
    int32_t nfiles, at;
    StoreFileScan *fs;          /* the open file */
    Batch *buf;                 /* rows [pos, nrows) not merged yet */
    int32_t pos;
    bool done;                  /* nothing more to read */
} RunCursor;

struct StoreMergeStream {
    const StoreTableCtx *ctx;
    StoreFile **files;
    RunCursor *runs;
    int32_t nruns;
    bool bottom;                /* nothing older: deletes dropped */
    Batch *all;                 /* the slices to merge, run after run */
    int32_t *starts, *cut;
};

StoreMergeStream *store_merge_stream_open(const StoreTableCtx *ctx, StoreFile *const *files,
                                          int32_t nfiles, bool bottom)
{
    StoreMergeStream *m = wb_calloc(1, sizeof *m);
    m->ctx = ctx;
    m->bottom = bottom;
    m->files = wb_malloc(sizeof(StoreFile *) * (size_t)(nfiles + 1));
    memcpy(m->files, files, sizeof(StoreFile *) * (size_t)nfiles);
    store_order_files(ctx, m->files, nfiles);
    m->runs = wb_calloc((size_t)nfiles + 1, sizeof(RunCursor));
    for (int32_t i = 0; i < nfiles; i++) {
        const StoreFile *f = m->files[i];
        bool new_run = i == 0 || f->level == 0 || !ctx->pk_table || m->files[i - 1]->level != f->level;
        if (new_run) {
            RunCursor *c = &m->runs[m->nruns++];
            c->files = m->files + i;
            c->buf = store_row_batch(ctx, CHUNK);
        }
        m->runs[m->nruns - 1].nfiles++;
    }
    m->all = store_row_batch(ctx, CHUNK);
    m->starts = wb_malloc(sizeof(int32_t) * (size_t)(m->nruns + 1));
    m->cut = wb_malloc(sizeof(int32_t) * (size_t)(m->nruns + 1));
    return m;
}

/* Moves a buffer's unmerged rows to its front (a fresh batch: the merged
 * rows' strings go with the old arena). */
static void compact_buffer(const StoreTableCtx *ctx, RunCursor *c)
{
    if (c->pos == 0) return;
    if (c->pos == c->buf->nrows) {
        ty_batch_reset(c->buf);
    } else {
        Batch *b = store_row_batch(ctx, c->buf->capacity);
        ty_batch_append_range(b, c->buf, c->pos, c->buf->nrows - c->pos, ctx->nrow_cols);
        ty_batch_free(c->buf);
        c->buf = b;
    }
    c->pos = 0;
}

/* Reads the run's next chunk into its buffer (after the rows it holds);
 * marks it done at its end. */
static int read_chunk(StoreMergeStream *m, RunCursor *c, WbError *err)
{
    const StoreTableCtx *ctx = m->ctx;
    compact_buffer(ctx, c);
    while (!c->done) {
        if (!c->fs) {
            if (c->at >= c->nfiles) {
                c->done = true;
                break;
            }
            StoreFile *f = c->files[c->at++];
            if (!store_file_may_match(ctx, f)) continue;
            c->fs = store_file_scan_of(ctx, f, NULL, true, err);
            if (!c->fs) return -1;
        }
        int32_t got = store_file_scan_next(c->fs, c->buf, CHUNK, err);
        if (got < 0) return -1;
        if (got > 0) break;
        store_file_scan_close(c->fs);
        c->fs = NULL;
    }
    return 0;
}

/* The first row of [from, to) of b whose key is not below row `key` of kb. */
static int32_t lower_bound(const StoreTableCtx *ctx, const Batch *b, int32_t from, int32_t to,
                           const Batch *kb, int32_t key)
{
    while (from < to) {
        int32_t mid = from + (to - from) / 2;
        if (store_key_cmp(ctx, b, mid, kb, key) < 0) from = mid + 1;
        else to = mid;
    }
    return from;
}

int32_t store_merge_stream_next(StoreMergeStream *m, Batch *dst, WbError *err)
{
    const StoreTableCtx *ctx = m->ctx;
    for (;;) {
        /* every run that can read has rows loaded */
        for (int32_t r = 0; r < m->nruns; r++) {
            RunCursor *c = &m->runs[r];
            if (c->pos == c->buf->nrows && !c->done && read_chunk(m, c, err) != 0) return -1;
        }
        /* the bound: the smallest last key of the runs still reading */
        int32_t bound = -1;
        for (int32_t r = 0; r < m->nruns; r++) {
            RunCursor *c = &m->runs[r];
            if (c->done || c->pos == c->buf->nrows) continue;
            if (bound < 0 || store_key_cmp(ctx, c->buf, c->buf->nrows - 1, m->runs[bound].buf,
                                           m->runs[bound].buf->nrows - 1) < 0)
                bound = r;
        }
        int64_t take = 0;
        for (int32_t r = 0; r < m->nruns; r++) {
            RunCursor *c = &m->runs[r];
            int32_t n = c->buf->nrows;
            m->cut[r] = bound < 0 ? n
                      : lower_bound(ctx, c->buf, c->pos, n, m->runs[bound].buf, m->runs[bound].buf->nrows - 1);
            take += m->cut[r] - c->pos;
        }
        if (bound < 0 && take == 0) return 0;   /* every run read and merged */
        if (take == 0) {
            /* the runs at the bound hold versions of one key only: they
             * read on (chosen first: reading replaces a buffer) */
            const Batch *kb = m->runs[bound].buf;
            for (int32_t r = 0; r < m->nruns; r++) {
                const RunCursor *c = &m->runs[r];
                m->cut[r] = !c->done && c->pos < c->buf->nrows &&
                            store_key_cmp(ctx, c->buf, c->buf->nrows - 1, kb, kb->nrows - 1) == 0;
            }
            for (int32_t r = 0; r < m->nruns; r++)
                if (m->cut[r] && read_chunk(m, &m->runs[r], err) != 0) return -1;
            continue;
        }
        ty_batch_reset(m->all);
        for (int32_t r = 0; r < m->nruns; r++) {
            RunCursor *c = &m->runs[r];
            m->starts[r] = m->all->nrows;
            ty_batch_append_range(m->all, c->buf, c->pos, m->cut[r] - c->pos, ctx->nrow_cols);
            c->pos = m->cut[r];
        }
        m->starts[m->nruns] = m->all->nrows;
        int32_t before = dst->nrows;
        if (store_merge_runs(ctx, m->all, m->starts, m->nruns, m->bottom, dst, err) != 0) return -1;
        if (dst->nrows > before) return dst->nrows - before;
    }
}

void store_merge_stream_close(StoreMergeStream *m)
{
    if (!m) return;
    for (int32_t r = 0; r < m->nruns; r++) {
        store_file_scan_close(m->runs[r].fs);
        ty_batch_free(m->runs[r].buf);
    }
    ty_batch_free(m->all);
    free(m->runs);
    free(m->files);
    free(m->starts);
    free(m->cut);
    free(m);
}

/* ---- the changes between two states ---- */

struct StoreStateDiff {
    const StoreTableCtx *ctx;
    StoreMergeStream *old;
    Batch *buf;                 /* old rows [pos, nrows) not compared yet */
    int32_t pos;
    bool done;
    Batch *part;                /* the old rows compared with one slice */
    Batch *empty;
};

StoreStateDiff *store_state_diff_open(const StoreTableCtx *ctx, StoreFile *const *before,
                                      int32_t nbefore)
{
    StoreStateDiff *d = wb_calloc(1, sizeof *d);
    d->ctx = ctx;
    d->old = store_merge_stream_open(ctx, before, nbefore, true);
    d->buf = store_row_batch(ctx, CHUNK);
    d->part = store_row_batch(ctx, CHUNK);
    d->empty = store_row_batch(ctx, 1);
    return d;
}

int store_state_diff_next(StoreStateDiff *d, const Batch *now, Batch *changes, WbError *err)
{
    const StoreTableCtx *ctx = d->ctx;
    int32_t last = now ? now->nrows - 1 : -1;
    if (now && now->nrows == 0) return 0;
    /* the old rows up to now's last key, all loaded */
    while (!d->done && (d->pos == d->buf->nrows || !now ||
                        store_key_cmp(ctx, d->buf, d->buf->nrows - 1, now, last) < 0)) {
        if (d->pos > 0) {
            Batch *keep = store_row_batch(ctx, d->buf->capacity);
            ty_batch_append_range(keep, d->buf, d->pos, d->buf->nrows - d->pos, ctx->nrow_cols);
            ty_batch_free(d->buf);
            d->buf = keep;
            d->pos = 0;
        }
        int32_t got = store_merge_stream_next(d->old, d->buf, err);
        if (got < 0) return -1;
        if (got == 0) d->done = true;
    }
    int32_t cut = now ? lower_bound(ctx, d->buf, d->pos, d->buf->nrows, now, last) : d->buf->nrows;
    /* lower_bound stops before now's last key; that key belongs here */
    if (now && cut < d->buf->nrows && store_key_cmp(ctx, d->buf, cut, now, last) == 0) cut++;
    ty_batch_reset(d->part);
    ty_batch_append_range(d->part, d->buf, d->pos, cut - d->pos, ctx->nrow_cols);
    d->pos = cut;
    store_diff_states(ctx, d->part, now ? now : d->empty, changes);
    return 0;
}

void store_state_diff_close(StoreStateDiff *d)
{
    if (!d) return;
    store_merge_stream_close(d->old);
    ty_batch_free(d->buf);
    ty_batch_free(d->part);
    ty_batch_free(d->empty);
    free(d);
}

/* A commit that only added files changes only the keys those files hold:
 * the values of their first key column, as a disjunction of equalities
 * (at most MAX_KEYS), let both states skip every file, row group and page
 * without them.  Sound: a file read for one state is read the same way
 * for the other, so a key whose rows are read at all is read in both, and
 * an unchanged key compares equal.  Returns the predicates (ctx's own,
 * then the disjunction) or NULL when it does not apply. */
enum { MAX_KEYS = 4096 };

static int cmp_key_cell(const void *a, const void *b, void *arg)
{
    const ColumnVector *v = arg;
    return ty_compare(v, *(const int32_t *)a, v, *(const int32_t *)b);
}

static PqPredicate *changed_keys(const StoreTableCtx *ctx, StoreFile *const *before, int32_t nbefore,
                                 StoreFile *const *after, int32_t nafter, Batch **keys, int32_t *npreds,
                                 WbError *err)
{
    *keys = NULL;
    if (!ctx->pk_table) return NULL;
    /* every file before is still there; the rest of after was added */
    StoreFile **added = wb_malloc(sizeof(StoreFile *) * (size_t)(nafter + 1));
    int32_t nadded = 0;
    int64_t rows = 0;
    int32_t kept = 0;
    for (int32_t i = 0; i < nafter; i++) {
        bool old = false;
        for (int32_t j = 0; j < nbefore && !old; j++) old = strcmp(after[i]->name, before[j]->name) == 0;
        if (old) kept++;
        else {
            added[nadded++] = after[i];
            rows += after[i]->rows;
        }
    }
    PqPredicate *preds = NULL;
    /* more added rows than this many cannot hold few enough distinct keys
     * often enough to be worth reading first */
    if (kept != nbefore || nadded == 0 || rows > 4 * MAX_KEYS) goto out;
    /* the first key column of the added files' rows */
    int32_t col = ctx->schema.pk[0];
    uint8_t *want = wb_calloc((size_t)ctx->nrow_cols + 1, 1);
    want[col] = 1;
    Batch *b = store_row_batch(ctx, (int32_t)rows + 1);
    int rc = 0;
    for (int32_t i = 0; i < nadded && rc == 0; i++) {
        StoreFileScan *fs = store_file_scan_of(ctx, added[i], want, false, err);
        int32_t got = fs ? 1 : -1;
        while (got > 0) got = store_file_scan_next(fs, b, CHUNK, err);
        rc = got;
        store_file_scan_close(fs);
    }
    free(want);
    if (rc != 0) {
        ty_batch_free(b);
        *npreds = -1;   /* the error is the caller's */
        goto out;
    }
    /* distinct values, sorted */
    const ColumnVector *v = &b->cols[col];
    int32_t *idx = wb_malloc(sizeof(int32_t) * (size_t)(b->nrows + 1));
    int32_t n = 0;
    for (int32_t r = 0; r < b->nrows; r++)
        if (!v->nulls[r]) idx[n++] = r;
    qsort_r(idx, (size_t)n, sizeof(int32_t), cmp_key_cell, (void *)v);
    int32_t distinct = 0;
    for (int32_t i = 0; i < n; i++)
        if (distinct == 0 || ty_compare(v, idx[distinct - 1], v, idx[i]) != 0) idx[distinct++] = idx[i];
    if (distinct == 0 || distinct > MAX_KEYS) {
        free(idx);
        ty_batch_free(b);
        goto out;
    }
    int32_t group = 1;
    for (int32_t i = 0; i < ctx->nkey_preds; i++)
        if (ctx->key_preds[i].any_of >= group) group = ctx->key_preds[i].any_of + 1;
    preds = wb_malloc(sizeof(PqPredicate) * (size_t)(ctx->nkey_preds + distinct));
    if (ctx->nkey_preds) memcpy(preds, ctx->key_preds, sizeof(PqPredicate) * (size_t)ctx->nkey_preds);
    for (int32_t i = 0; i < distinct; i++) {
        PqPredicate *p = &preds[ctx->nkey_preds + i];
        memset(p, 0, sizeof *p);
        p->col = col;
        p->op = PQ_OP_EQ;
        p->any_of = group;
        p->value = pq_pred_value(v, idx[i]);   /* strings in b, kept by the caller */
    }
    *npreds = ctx->nkey_preds + distinct;
    *keys = b;
    free(idx);
out:
    free(added);
    return preds;
}

int store_diff_buckets(const StoreTableCtx *ctx_in, StoreFile *const *before, int32_t nbefore,
                       StoreFile *const *after, int32_t nafter, Batch *changes, WbError *err)
{
    StoreTableCtx keyed = *ctx_in;
    const StoreTableCtx *ctx = ctx_in;
    Batch *keys;
    int32_t npreds = 0;
    PqPredicate *preds = changed_keys(ctx_in, before, nbefore, after, nafter, &keys, &npreds, err);
    if (npreds < 0) return -1;
    if (preds) {
        keyed.key_preds = preds;
        keyed.nkey_preds = npreds;
        ctx = &keyed;
    }
    StoreStateDiff *d = store_state_diff_open(ctx, before, nbefore);
    StoreMergeStream *now = store_merge_stream_open(ctx, after, nafter, true);
    Batch *slice = store_row_batch(ctx, CHUNK);
    int rc = 0;
    for (;;) {
        ty_batch_reset(slice);
        int32_t got = store_merge_stream_next(now, slice, err);
        if (got < 0) rc = -1;
        if (got <= 0) break;
        if (store_state_diff_next(d, slice, changes, err) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0) rc = store_state_diff_next(d, NULL, changes, err);
    ty_batch_free(slice);
    store_merge_stream_close(now);
    store_state_diff_close(d);
    free(preds);
    ty_batch_free(keys);
    return rc;
}
