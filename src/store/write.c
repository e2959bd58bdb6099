/*
 * write.c - the writer of a table: input changes go into a write buffer (a
 * row batch with sequence numbers and storage kinds); a full buffer, or a
 * commit, flushes it into level-0 files, one per (partition, bucket), each
 * sorted by key and folded per key (primary-key tables).  A commit publishes
 * them (commit.c), then the writer compacts the buckets it touched and
 * expires old snapshots.
 *
 * Writer states:  OPEN --write/prepare--> OPEN --commit--> OPEN ...
 *                 any error --> FAILED (refuses everything but close)
 *                 close: uncommitted files removed, lock released.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

struct StoreWriter {
    StoreTable *table;
    StoreTableCtx *ctx;
    int lock_fd;
    char *commit_user;
    bool overwrite;
    char *overwrite_partition;
    bool failed;
    Batch *buf;                 /* pending rows, storage kinds */
    Batch *input_cl;            /* changelog-producer = input: the input rows */
    int64_t next_seq;
    WbArena files_arena;        /* names of pending files */
    StoreFile *pending;         /* data files not committed yet */
    int32_t npending, cap_pending;
    StoreFile *pending_cl;      /* changelog files not committed yet */
    int32_t npending_cl, cap_pending_cl;
    int32_t commits_since_full;
    int64_t checked_upto;       /* the duplicate-commit search's memory */
    int64_t last_identifier;
};

static void add_file(StoreFile **arr, int32_t *n, int32_t *cap, const StoreFile *f)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *arr = wb_realloc(*arr, sizeof(StoreFile) * (size_t)*cap);
    }
    (*arr)[(*n)++] = *f;
}

StoreWriter *store_writer_open(StoreTable *table, const char *commit_user, bool overwrite,
                               const char *overwrite_partition, WbError *err)
{
    StoreTableCtx *ctx = &table->ctx;
    int fd = store_lock_acquire(ctx, err);
    if (fd < 0) return NULL;
    StoreWriter *w = wb_calloc(1, sizeof(StoreWriter));
    w->table = table;
    w->ctx = ctx;
    w->lock_fd = fd;
    w->commit_user = wb_strdup(commit_user ? commit_user : "weir");
    w->overwrite = overwrite;
    w->overwrite_partition = overwrite_partition ? wb_strdup(overwrite_partition) : NULL;
    w->buf = store_row_batch(ctx, 1024);
    w->checked_upto = -1;
    w->last_identifier = INT64_MIN;
    if (ctx->opts.changelog_producer == CP_INPUT) w->input_cl = store_row_batch(ctx, 1024);
    wb_arena_init(&w->files_arena, 0);
    /* the sequence continues from the latest snapshot (read under the lock) */
    int64_t latest;
    if (store_snapshot_latest(ctx->dir, &latest, err) != 0) goto fail;
    if (latest > 0) {
        StoreSnapshot s;
        WbArena a;
        wb_arena_init(&a, 0);
        int rc = store_snapshot_read(ctx->dir, latest, &a, &s, err);
        if (rc == 0) w->next_seq = s.next_seq;
        wb_arena_destroy(&a);
        if (rc < 0) goto fail;
    }
    /* a table created by another process since we opened it */
    if (ctx->schema.id < 0 && store_schema_latest_id(ctx->dir) >= 0) {
        int64_t sid = store_schema_latest_id(ctx->dir);
        if (store_schema_read(ctx->dir, sid, &ctx->arena, &ctx->schema, err) != 0) goto fail;
    }
    return w;
fail:
    store_writer_close(w);
    return NULL;
}

static int refuse(StoreWriter *w, WbError *err)
{
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "the writer of table %s failed earlier", w->ctx->name);
    return -1;
}

/* Input kind -> storage kind; -1 to skip the row; -2 error (set). */
static int storage_kind(StoreWriter *w, const Batch *b, int32_t r, RowKind kind, WbError *err)
{
    const StoreTableCtx *ctx = w->ctx;
    const StoreOptions *o = &ctx->opts;
    bool retract = kind == RK_UPDATE_BEFORE || kind == RK_DELETE;
    if (!ctx->pk_table) {
        if (!retract) return SK_INSERT;
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                 "table %s has no primary key: it cannot take a retraction (%s)", ctx->name,
                 ty_rowkind_short(kind));
        wb_error_hint(err, "declare PRIMARY KEY (..) NOT ENFORCED to take updates and deletes");
        return -2;
    }
    switch (o->merge_engine) {
    case ME_DEDUPLICATE:
        if (!retract) return SK_INSERT;
        return o->ignore_delete ? -1 : SK_DELETE;
    case ME_FIRST_ROW:
        if (!retract) return SK_INSERT;
        if (o->ignore_delete) return -1;
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                 "table %s with merge engine 'first-row' cannot take a retraction (%s)", ctx->name,
                 ty_rowkind_short(kind));
        wb_error_hint(err, "set 'ignore-delete' = 'true' to ignore retractions");
        return -2;
    case ME_PARTIAL_UPDATE:
        if (!retract) return SK_OVERLAY;
        if (kind == RK_UPDATE_BEFORE) return -1;
        if (o->partial_remove_on_delete) return SK_DELETE;
        if (o->ignore_delete) return -1;
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                 "table %s with merge engine 'partial-update' cannot take a delete", ctx->name);
        wb_error_hint(err, "set 'partial-update.remove-record-on-delete' or 'ignore-delete' to 'true'");
        return -2;
    case ME_AGGREGATION:
        if (!retract) return SK_OVERLAY;
        if (kind == RK_DELETE && o->agg_remove_on_delete) return SK_DELETE;
        if (o->ignore_delete) return -1;
        for (int32_t col = 0; col < ctx->schema.ncols; col++) {
            AggFunc fn = (AggFunc)o->agg[col];
            if (fn == AGG_PRIMARY_KEY || fn == AGG_SUM || fn == AGG_COUNT || o->ignore_retract[col]) continue;
            if (b->cols[col].nulls[r]) continue;
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                     "aggregate function of column \"%s\" of table %s cannot take a retraction (%s)",
                     ctx->schema.names[col], ctx->name, ty_rowkind_short(kind));
            wb_error_hint(err, "set 'fields.%s.ignore-retract' = 'true', or "
                          "'aggregation.remove-record-on-delete' = 'true' for deletes",
                          ctx->schema.names[col]);
            return -2;
        }
        return SK_RETRACT;
    }
    return -2;
}

static int flush(StoreWriter *w, WbError *err);

int store_writer_write(StoreWriter *w, const Batch *batch, WbError *err)
{
    if (w->failed) return refuse(w, err);
    StoreTableCtx *ctx = w->ctx;
    int32_t ncols = ctx->schema.ncols;
    if (batch->ncols < ncols) {
        wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "batch of %d columns written to table %s of %d",
                 batch->ncols, ctx->name, ncols);
        return -1;
    }
    Batch *buf = w->buf;
    for (int32_t r = 0; r < batch->nrows; r++) {
        int64_t weight = batch->weights[r];
        if (weight == 0) continue;
        RowKind kind = ty_row_kind(batch, r);
        for (int32_t i = 0; i < ctx->schema.npk; i++)
            if (batch->cols[ctx->schema.pk[i]].nulls[r]) {
                wb_error(err, WB_SQLSTATE_NOT_NULL, 0, 0,
                         "NULL in primary-key column \"%s\" of table %s",
                         ctx->schema.names[ctx->schema.pk[i]], ctx->name);
                w->failed = true;
                return -1;
            }
        int sk = storage_kind(w, batch, r, kind, err);
        if (sk == -2) { w->failed = true; return -1; }
        int64_t times = weight < 0 ? -weight : weight;
        for (int64_t t = 0; t < times; t++) {
            if (w->input_cl) {
                Batch *cl = w->input_cl;
                if (cl->nrows >= cl->capacity) ty_batch_reserve(cl, cl->nrows + 1);
                int32_t d = cl->nrows++;
                ty_batch_copy_cols(cl, d, 0, batch, r, NULL, ncols);
                cl->cols[ctx->seq_col].i64[d] = w->next_seq;
                cl->cols[ctx->seq_col].nulls[d] = 0;
                cl->cols[ctx->kind_col].i64[d] = kind;
                cl->cols[ctx->kind_col].nulls[d] = 0;
                cl->weights[d] = 1;
            }
            if (sk >= 0) {
                if (buf->nrows >= buf->capacity) ty_batch_reserve(buf, buf->nrows + 1);
                int32_t d = buf->nrows++;
                ty_batch_copy_cols(buf, d, 0, batch, r, NULL, ncols);
                buf->weights[d] = 1;
                if (ctx->pk_table) {
                    buf->cols[ctx->seq_col].i64[d] = w->next_seq;
                    buf->cols[ctx->seq_col].nulls[d] = 0;
                    buf->cols[ctx->kind_col].i64[d] = sk;
                    buf->cols[ctx->kind_col].nulls[d] = 0;
                    if (ctx->opts.merge_engine == ME_AGGREGATION)
                        for (int32_t col = 0; col < ncols; col++)
                            if (ctx->opts.agg[col] == AGG_COUNT) {
                                ColumnVector *v = &buf->cols[col];
                                v->i64[d] = v->nulls[d] ? 0 : 1;
                                v->nulls[d] = 0;
                            }
                }
            }
            w->next_seq++;
        }
    }
    if ((int64_t)buf->arena->total > w->ctx->opts.write_buffer_size) return flush(w, err);
    return 0;
}

/* ---- flushing into files ---- */

typedef struct FlushSort {
    const StoreTableCtx *ctx;
    const Batch *b;
    const char *paths;          /* partition paths, NUL-separated */
    const int32_t *path_off;
    const int32_t *bucket;
    bool by_key;
} FlushSort;

static int flush_cmp(const void *pa, const void *pb, void *arg)
{
    const FlushSort *fs = arg;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    /* equal paths share an offset (group_rows): the groups only need to
     * be together, in any order */
    if (fs->path_off[a] != fs->path_off[b]) return fs->path_off[a] < fs->path_off[b] ? -1 : 1;
    if (fs->bucket[a] != fs->bucket[b]) return fs->bucket[a] < fs->bucket[b] ? -1 : 1;
    if (fs->by_key) {
        int c = store_key_cmp(fs->ctx, fs->b, a, fs->b, b);
        if (c) return c;
    }
    return a < b ? -1 : a > b;   /* arrival order (= sequence order) */
}

struct StoreRunWriter {
    const StoreTableCtx *ctx;
    WbArena *arena;
    const char *partition;
    int32_t bucket, level;
    bool changelog;
    int64_t append_seq;
    int64_t target;
    PqWriter *pw;               /* the open file, NULL none */
    char *path;
    StoreFile cur;              /* its metadata so far */
    WbBuf last_key;             /* the key of its last row */
    const ColumnVector **cols;
    StoreFile *files;           /* closed files */
    int32_t nfiles, cap;
};

StoreRunWriter *store_run_writer_open(const StoreTableCtx *ctx, const char *partition, int32_t bucket,
                                      int32_t level, bool changelog, int64_t append_seq,
                                      int64_t target_bytes, WbArena *arena)
{
    StoreRunWriter *w = wb_calloc(1, sizeof *w);
    w->ctx = ctx;
    w->arena = arena;
    w->partition = wb_arena_strdup(arena, partition);
    w->bucket = bucket;
    w->level = level;
    w->changelog = changelog;
    w->append_seq = append_seq;
    w->target = target_bytes > 0 ? target_bytes : INT64_MAX;
    w->cols = wb_malloc(sizeof(ColumnVector *) * (size_t)(ctx->nrow_cols + 1));
    return w;
}

static int open_file(StoreRunWriter *w, WbError *err)
{
    const StoreTableCtx *ctx = w->ctx;
    StoreFile *file = &w->cur;
    memset(file, 0, sizeof(*file));
    char id[33];
    store_random_id(id);
    file->name = wb_arena_printf(w->arena, "%s-%s-0.parquet", w->changelog ? "changelog" : "data", id);
    file->partition = (char *)w->partition;
    file->bucket = w->bucket;
    file->level = w->level;
    file->changelog = w->changelog;
    file->compacted = w->level > 0;
    file->schema_id = ctx->schema.id < 0 ? 0 : ctx->schema.id;
    file->min_seq = file->max_seq = w->append_seq;
    file->delete_rows = w->changelog ? -1 : 0;
    file->min_key = file->max_key = (uint8_t *)"";
    w->path = store_file_path(ctx->dir, file);
    char *slash = strrchr(w->path, '/');
    *slash = 0;
    int rc = store_mkdirs(w->path, err);
    *slash = '/';
    if (rc != 0) return -1;
    w->pw = store_datafile_create(w->path, ctx->nrow_cols, ctx->row_types, ctx->row_names,
                                  ctx->opts.compression, ctx->opts.zstd_level, err);
    return w->pw ? 0 : -1;
}

/* The open file's metadata for rows order[0..n) of b. */
static void add_meta(StoreRunWriter *w, const Batch *b, const int32_t *order, int32_t n)
{
    const StoreTableCtx *ctx = w->ctx;
    StoreFile *file = &w->cur;
    bool first = file->rows == 0;
    file->rows += n;
    if (!ctx->pk_table || w->changelog || n == 0) return;
    const int64_t *kind = b->cols[ctx->kind_col].i64;
    const int64_t *seq = b->cols[ctx->seq_col].i64;
    if (first) file->min_seq = file->max_seq = seq[order ? order[0] : 0];
    for (int32_t i = 0; i < n; i++) {
        int32_t r = order ? order[i] : i;
        file->delete_rows += kind[r] == SK_DELETE;
        if (seq[r] < file->min_seq) file->min_seq = seq[r];
        if (seq[r] > file->max_seq) file->max_seq = seq[r];
    }
    if (first) {
        WbBuf key = {0};
        ty_row_encode(b, order ? order[0] : 0, ctx->schema.pk, ctx->schema.npk, &key);
        file->min_key_len = (uint32_t)key.len;
        file->min_key = wb_arena_alloc(w->arena, key.len + 1);
        memcpy(file->min_key, key.data, key.len);
        wb_buf_free(&key);
    }
    wb_buf_clear(&w->last_key);
    ty_row_encode(b, order ? order[n - 1] : n - 1, ctx->schema.pk, ctx->schema.npk, &w->last_key);
}

static int close_file(StoreRunWriter *w, WbError *err)
{
    StoreFile *file = &w->cur;
    PqFileStats stats;
    WbArena tmp;
    wb_arena_init(&tmp, 0);
    int rc = pq_writer_close(w->pw, &tmp, &stats, err);
    w->pw = NULL;
    if (rc == 0) file->size = stats.file_size;
    wb_arena_destroy(&tmp);
    if (rc == 0 && w->last_key.len) {
        file->max_key_len = (uint32_t)w->last_key.len;
        file->max_key = wb_arena_alloc(w->arena, w->last_key.len + 1);
        memcpy(file->max_key, w->last_key.data, w->last_key.len);
    }
    wb_buf_clear(&w->last_key);
    file->creation_ms = wb_now_millis();
    if (rc == 0) {
        char *slash = strrchr(w->path, '/');
        *slash = 0;
        rc = store_fsync_dir(w->path, err);
        *slash = '/';
    }
    free(w->path);
    w->path = NULL;
    if (rc != 0) return -1;
    if (w->nfiles == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->files = wb_realloc(w->files, sizeof(StoreFile) * (size_t)w->cap);
    }
    w->files[w->nfiles++] = *file;
    return 0;
}

int store_run_writer_write(StoreRunWriter *w, const Batch *b, const int32_t *order, int32_t n,
                           WbError *err)
{
    const StoreTableCtx *ctx = w->ctx;
    for (int32_t col = 0; col < ctx->nrow_cols; col++) w->cols[col] = &b->cols[col];
    if (!w->pw && open_file(w, err) != 0) return -1;
    for (int32_t at = 0; at < n;) {
        int32_t chunk = n - at < 65536 ? n - at : 65536;
        const int32_t *sel = order ? order + at : NULL;
        int32_t *ident = NULL;
        if (!order && at > 0) {
            ident = wb_malloc(sizeof(int32_t) * (size_t)chunk);
            for (int32_t i = 0; i < chunk; i++) ident[i] = at + i;
            sel = ident;
        }
        int rc = pq_writer_write_vectors(w->pw, w->cols, sel, chunk, err);
        if (rc == 0) add_meta(w, b, sel, chunk);
        free(ident);
        if (rc != 0) return -1;
        at += chunk;
        if (pq_writer_bytes(w->pw) >= w->target && (close_file(w, err) != 0 || (at < n && open_file(w, err) != 0)))
            return -1;
    }
    return 0;
}

void store_run_writer_abort(StoreRunWriter *w)
{
    if (!w) return;
    if (w->pw) pq_writer_abort(w->pw);
    free(w->path);
    for (int32_t i = 0; i < w->nfiles; i++) {
        char *p = store_file_path(w->ctx->dir, &w->files[i]);
        remove(p);
        free(p);
    }
    wb_buf_free(&w->last_key);
    free(w->files);
    free(w->cols);
    free(w);
}

int store_run_writer_finish(StoreRunWriter *w, StoreFile **files, int32_t *n, WbError *err)
{
    if (w->pw && close_file(w, err) != 0) {
        store_run_writer_abort(w);
        return -1;
    }
    *n = w->nfiles;
    *files = wb_arena_alloc(w->arena, sizeof(StoreFile) * (size_t)(w->nfiles + 1));
    if (w->nfiles) memcpy(*files, w->files, sizeof(StoreFile) * (size_t)w->nfiles);
    wb_buf_free(&w->last_key);
    free(w->files);
    free(w->cols);
    free(w);
    return 0;
}

int store_write_file(const StoreTableCtx *ctx, const Batch *b, const int32_t *order, int32_t n,
                     const char *partition, int32_t bucket, int32_t level, bool changelog,
                     int64_t append_seq, WbArena *arena, StoreFile *file, WbError *err)
{
    StoreRunWriter *w = store_run_writer_open(ctx, partition, bucket, level, changelog, append_seq,
                                              INT64_MAX, arena);
    if (store_run_writer_write(w, b, order, n, err) != 0) {
        store_run_writer_abort(w);
        return -1;
    }
    StoreFile *files;
    int32_t nfiles;
    if (store_run_writer_finish(w, &files, &nfiles, err) != 0) return -1;
    *file = files[0];
    return 0;
}

/* The common case of group_rows' sort, one integer key without NULLs:
 * (partition, bucket, key, arrival) packed into items sorted with an
 * inline comparison (qsort's call per comparison and element copies were
 * half the cost of an upsert). */
typedef struct SortItem {
    uint64_t group;              /* path offset << 32 | bucket */
    int64_t key;
    int32_t row;
} SortItem;

static inline bool item_less(const SortItem *x, const SortItem *y)
{
    if (x->group != y->group) return x->group < y->group;
    if (x->key != y->key) return x->key < y->key;
    return x->row < y->row;
}

static void sort_items(SortItem *a, int32_t n)
{
    while (n > 16) {
        /* median of three as pivot, Hoare partition */
        SortItem *m = &a[n / 2], *l = &a[n - 1];
        if (item_less(m, a)) { SortItem t = *m; *m = *a; *a = t; }
        if (item_less(l, a)) { SortItem t = *l; *l = *a; *a = t; }
        if (item_less(l, m)) { SortItem t = *l; *l = *m; *m = t; }
        SortItem pivot = *m;
        int32_t i = -1, j = n;
        for (;;) {
            do i++; while (item_less(&a[i], &pivot));
            do j--; while (item_less(&pivot, &a[j]));
            if (i >= j) break;
            SortItem t = a[i]; a[i] = a[j]; a[j] = t;
        }
        /* recurse into the smaller side, loop on the larger */
        int32_t left = j + 1;
        if (left < n - left) {
            sort_items(a, left);
            a += left;
            n -= left;
        } else {
            sort_items(a + left, n - left);
            n = left;
        }
    }
    for (int32_t i = 1; i < n; i++) {
        SortItem x = a[i];
        int32_t j = i - 1;
        while (j >= 0 && item_less(&x, &a[j])) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = x;
    }
}

static void sort_int_keys(const Batch *b, int32_t key_col, const int32_t *path_off,
                          const int32_t *bucket, int32_t *order)
{
    SortItem *items = wb_malloc(sizeof(SortItem) * (size_t)(b->nrows ? b->nrows : 1));
    const int64_t *keys = b->cols[key_col].i64;
    for (int32_t r = 0; r < b->nrows; r++) {
        items[r].group = (uint64_t)(uint32_t)path_off[r] << 32 | (uint32_t)bucket[r];
        items[r].key = keys[r];
        items[r].row = r;
    }
    sort_items(items, b->nrows);
    for (int32_t r = 0; r < b->nrows; r++) order[r] = items[r].row;
    free(items);
}

/* Sorts the rows of b by (partition, bucket[, key], arrival) into order;
 * returns the partition paths buffer and fills path_off / bucket. */
static char *group_rows(const StoreTableCtx *ctx, const Batch *b, bool by_key, int32_t *order,
                        int32_t *path_off, int32_t *bucket)
{
    WbBuf paths = {0};
    wb_buf_putc(&paths, 0);   /* offset 0: "" (no partition columns) */
    /* each distinct path once: a hash table of offsets into paths */
    int32_t nslots = 16;
    while (ctx->schema.npart > 0 && nslots < 2 * b->nrows) nslots *= 2;
    int32_t *slots = ctx->schema.npart > 0 ? wb_malloc(sizeof(int32_t) * (size_t)nslots) : NULL;
    if (slots) memset(slots, 0xff, sizeof(int32_t) * (size_t)nslots);
    for (int32_t r = 0; r < b->nrows; r++) {
        path_off[r] = 0;
        if (slots) {
            size_t start = paths.len;
            store_partition_path(ctx, b, r, &paths);
            size_t len = paths.len - start;
            uint64_t h = wb_hash_bytes(paths.data + start, len, 0x70617468);
            int32_t slot = (int32_t)(h & (uint64_t)(nslots - 1));
            while (slots[slot] >= 0) {
                const char *seen = paths.data + slots[slot];
                if (strlen(seen) == len && memcmp(seen, paths.data + start, len) == 0) break;
                slot = (slot + 1) & (nslots - 1);
            }
            if (slots[slot] >= 0) {
                paths.len = start;   /* seen: share the first copy */
                path_off[r] = slots[slot];
            } else {
                wb_buf_putc(&paths, 0);
                slots[slot] = path_off[r] = (int32_t)start;
            }
        }
        bucket[r] = store_row_bucket(ctx, b, r);
        order[r] = r;
    }
    free(slots);
    const StoreSchema *sc = &ctx->schema;
    bool int_key = by_key && sc->npk == 1 && ty_phys(sc->types[sc->pk[0]]) == PK_I64;
    for (int32_t r = 0; int_key && r < b->nrows; r++) int_key = !b->cols[sc->pk[0]].nulls[r];
    if (int_key) {
        sort_int_keys(b, sc->pk[0], path_off, bucket, order);
    } else {
        FlushSort fs = {ctx, b, paths.data, path_off, bucket, by_key};
        qsort_r(order, (size_t)b->nrows, sizeof(int32_t), flush_cmp, &fs);
    }
    return paths.data;
}

/* Writes the rows of b as files per (partition, bucket): folded per key for
 * data of a primary-key table, as they are for changelog and append data. */
static int write_groups(StoreWriter *w, Batch *b, bool changelog, WbError *err)
{
    const StoreTableCtx *ctx = w->ctx;
    int32_t n = b->nrows;
    if (n == 0) return 0;
    int32_t *order = wb_malloc(sizeof(int32_t) * (size_t)n * 3);
    int32_t *path_off = order + n, *bucket = order + 2 * n;
    bool fold = ctx->pk_table && !changelog;
    char *paths = group_rows(ctx, b, fold, order, path_off, bucket);
    int rc = 0;
    for (int32_t i = 0; i < n && rc == 0;) {
        int32_t j = i + 1;
        while (j < n && bucket[order[j]] == bucket[order[i]] &&
               path_off[order[j]] == path_off[order[i]])
            j++;
        const char *part = paths + path_off[order[i]];
        StoreFile f;
        if (fold) {
            /* one sorted run: copy in order, fold per key */
            Batch *run = store_row_batch(ctx, j - i);
            for (int32_t k = i; k < j; k++) store_row_copy(run, b, order[k]);
            int32_t starts[2] = {0, run->nrows};
            Batch *merged = store_row_batch(ctx, run->nrows);
            rc = store_merge_runs(ctx, run, starts, 1, false, merged, err);
            if (rc == 0) {
                int32_t *ident = wb_malloc(sizeof(int32_t) * (size_t)(merged->nrows + 1));
                for (int32_t k = 0; k < merged->nrows; k++) ident[k] = k;
                rc = store_write_file(ctx, merged, ident, merged->nrows, part, bucket[order[i]], 0, false,
                                      0, &w->files_arena, &f, err);
                free(ident);
            }
            ty_batch_free(merged);
            ty_batch_free(run);
        } else {
            rc = store_write_file(ctx, b, order + i, j - i, part, bucket[order[i]], 0, changelog,
                                  w->next_seq, &w->files_arena, &f, err);
        }
        if (rc == 0) {
            if (changelog) add_file(&w->pending_cl, &w->npending_cl, &w->cap_pending_cl, &f);
            else add_file(&w->pending, &w->npending, &w->cap_pending, &f);
        }
        i = j;
    }
    free(paths);
    free(order);
    return rc;
}

static int flush(StoreWriter *w, WbError *err)
{
    if (write_groups(w, w->buf, false, err) != 0) { w->failed = true; return -1; }
    ty_batch_reset(w->buf);
    if (w->input_cl) {
        if (write_groups(w, w->input_cl, true, err) != 0) { w->failed = true; return -1; }
        ty_batch_reset(w->input_cl);
    }
    return 0;
}

int store_writer_prepare(StoreWriter *w, WbError *err)
{
    if (w->failed) return refuse(w, err);
    return flush(w, err);
}

static void remove_files(const StoreTableCtx *ctx, StoreFile *files, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        char *path = store_file_path(ctx->dir, &files[i]);
        unlink(path);
        free(path);
    }
}

int store_writer_commit(StoreWriter *w, int64_t identifier, int64_t *snapshot_id, WbError *err)
{
    StoreTableCtx *ctx = w->ctx;
    *snapshot_id = 0;
    if (store_writer_prepare(w, err) != 0) return -1;
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = -1;
    StoreEntry *entries = wb_malloc(sizeof(StoreEntry) * (size_t)(w->npending + 1));
    int32_t nentries = 0;
    for (int32_t i = 0; i < w->npending; i++) {
        entries[nentries].add = true;
        entries[nentries++].file = w->pending[i];
    }
    /* files live now (for overwrite and the lookup producer) */
    StoreFile *live = NULL;
    int32_t nlive = 0;
    bool need_live = w->overwrite || ctx->opts.changelog_producer == CP_LOOKUP;
    if (need_live) {
        int64_t latest;
        if (store_snapshot_latest(ctx->dir, &latest, err) != 0) goto out;
        if (latest > 0) {
            StoreSnapshot s;
            int r = store_snapshot_read(ctx->dir, latest, &arena, &s, err);
            if (r < 0 || (r == 0 && store_snapshot_files(ctx->dir, &s, false, &arena, &live, &nlive, err) != 0))
                goto out;
        }
    }
    if (w->overwrite) {
        entries = wb_realloc(entries, sizeof(StoreEntry) * (size_t)(w->npending + nlive + 1));
        bool dynamic = !w->overwrite_partition && ctx->schema.npart > 0 && ctx->opts.dynamic_partition_overwrite;
        for (int32_t i = 0; i < nlive; i++) {
            const StoreFile *f = &live[i];
            bool drop;
            if (w->overwrite_partition) {
                drop = strcmp(f->partition, w->overwrite_partition) == 0;
            } else if (dynamic) {
                drop = false;
                for (int32_t k = 0; k < w->npending && !drop; k++)
                    drop = strcmp(w->pending[k].partition, f->partition) == 0;
            } else {
                drop = true;
            }
            if (drop) {
                entries[nentries].add = false;
                entries[nentries++].file = *f;
            }
        }
    }
    StoreFile *cl = w->pending_cl;
    int32_t ncl = w->npending_cl;
    StoreFile *lookup_cl = NULL;
    int32_t nlookup = 0, caplookup = 0;
    if (ctx->opts.changelog_producer == CP_LOOKUP) {
        if (store_changelog_by_diff(ctx, live, nlive, entries, nentries, &w->files_arena, &lookup_cl,
                                    &nlookup, &caplookup, err) != 0)
            goto out;
        cl = lookup_cl;
        ncl = nlookup;
    }
    StoreCommit c = {
        .kind = w->overwrite ? CK_OVERWRITE : CK_APPEND,
        .commit_user = w->commit_user,
        .identifier = identifier,
        .entries = entries,
        .nentries = nentries,
        .changelog = cl,
        .nchangelog = ncl,
        .next_seq = w->next_seq,
        .watermark = INT64_MIN,
        .checked_upto = &w->checked_upto,
        .last_identifier = &w->last_identifier,
    };
    int64_t id;
    if (nentries == 0 && ncl == 0) {
        /* nothing to commit: no snapshot (Paimon skips empty commits too) */
        *snapshot_id = 0;
        w->overwrite = false;
        rc = 0;
        goto out;
    }
    if (store_commit(ctx, &c, &id, err) != 0) {
        if (lookup_cl) { remove_files(ctx, lookup_cl, nlookup); free(lookup_cl); }
        goto out;
    }
    if (id == 0) {
        /* committed before (a retry): this attempt's files are not needed */
        remove_files(ctx, w->pending, w->npending);
        remove_files(ctx, w->pending_cl, w->npending_cl);
        if (lookup_cl) remove_files(ctx, lookup_cl, nlookup);
    }
    free(lookup_cl);
    *snapshot_id = id;
    /* the touched buckets, for compaction */
    int32_t ntouched = 0;
    const char **parts = wb_arena_alloc(&arena, sizeof(char *) * (size_t)(w->npending + 1));
    int32_t *buckets = wb_arena_alloc(&arena, sizeof(int32_t) * (size_t)(w->npending + 1));
    for (int32_t i = 0; i < w->npending; i++) {
        bool seen = false;
        for (int32_t k = 0; k < ntouched && !seen; k++)
            seen = buckets[k] == w->pending[i].bucket && strcmp(parts[k], w->pending[i].partition) == 0;
        if (!seen) {
            parts[ntouched] = wb_arena_strdup(&arena, w->pending[i].partition);
            buckets[ntouched++] = w->pending[i].bucket;
        }
    }
    w->npending = 0;
    w->npending_cl = 0;
    w->overwrite = false;
    if (id > 0 && !ctx->opts.write_only) {
        bool full = false;
        if (ctx->opts.changelog_producer == CP_FULL_COMPACTION) {
            w->commits_since_full++;
            full = w->commits_since_full >= ctx->opts.full_compaction_delta_commits;
            if (full) w->commits_since_full = 0;
        }
        if (ntouched > 0 &&
            store_compact_locked(ctx, w->commit_user, full, parts, buckets, ntouched, w->next_seq, err) != 0)
            goto out;
        if (store_expire_locked(ctx, wb_now_millis(), err) != 0) goto out;
    }
    rc = 0;
out:
    if (rc != 0) w->failed = true;
    free(entries);
    wb_arena_destroy(&arena);
    return rc;
}

void store_writer_close(StoreWriter *w)
{
    if (!w) return;
    remove_files(w->ctx, w->pending, w->npending);
    remove_files(w->ctx, w->pending_cl, w->npending_cl);
    free(w->pending);
    free(w->pending_cl);
    if (w->buf) ty_batch_free(w->buf);
    if (w->input_cl) ty_batch_free(w->input_cl);
    wb_arena_destroy(&w->files_arena);
    store_lock_release(w->lock_fd);
    free(w->commit_user);
    free(w->overwrite_partition);
    free(w);
}
