/*
 * read.c - scans of a table: batch reads of a snapshot (the latest or by
 * time travel), incremental reads between two snapshots, streaming reads
 * (a snapshot, then each later snapshot's changes as it is committed), and
 * the changes of a snapshot: the changelog files of a producer, or, without
 * one, the exact difference of the states before and after it (per
 * primary key: -D, +I, -U/+U; for append tables the rows of files added and
 * deleted).
 *
 * Scan states:
 *   FULL    emitting snapshot `full` bucket by bucket: a bucket that is one
 *           sorted run (deduplicate and first-row tables) or an append
 *           table's files is streamed file by file, row group by row
 *           group, only the columns the query reads, straight into the
 *           output batches (deletes dropped there); any other bucket is
 *           merged as a stream in key order (merge_stream.c), slice by
 *           slice, each handed out from where it was merged
 *   CHANGES emitting the changes of snapshot `cur` (streaming) or of the
 *           incremental range
 *   WAIT    (streaming) nothing pending: poll for snapshot cur+1 every
 *           'continuous.discovery-interval' of the job clock
 *   DONE    (bounded) end
 * A scan pins the snapshot it reads (expire.c) and moves the pin along.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

struct StoreScan {
    StoreTable *table;
    StoreTableCtx ctx;          /* a copy with the scan's options */
    WbArena arena;
    bool streaming;
    Batch *pending;             /* change rows to hand out (schema columns) */
    /* A full read's bucket, handed out as it was read (a row batch: the
     * schema's columns first, weights 1) instead of copied into pending;
     * NULL when none.  pos counts in it while it is set. */
    Batch *full;
    int32_t pos;
    /* full read */
    WbArena snap_arena;
    StoreFile **ptrs;
    int32_t *bounds;
    int32_t ngroups, group;
    /* the bucket being streamed: files run[run_at..nrun), the open one */
    StoreFile **run;
    int32_t nrun, run_at;
    StoreFileScan *fscan;
    StoreMergeStream *merge;    /* the bucket being merged, NULL none */
    bool fscan_kinds;           /* the open file's deletes are dropped */
    uint8_t *want;              /* per row column: read by a stream */
    ColumnVector *view_cols;    /* the output's columns, then seq and kind */
    ColumnVector kind;          /* _VALUE_KIND of streamed rows, by output row */
    int32_t kind_cap;
    /* progress */
    int64_t cur;                /* changes up to this snapshot are done */
    int64_t end;                /* bounded: last snapshot; streaming: INT64_MAX */
    int64_t last_poll_ms;
    bool polled;
    char *pin;
    int64_t pin_renewed_ms;     /* wall clock of the pin's last write */
    const char *const *parts;
    int32_t nparts;
    /* partition pruning by values: the component each partition key must
     * have in a partition path ("col=value"; NULL = any) */
    char **part_need;
    bool done;
};

static bool part_ok(const StoreScan *s, const char *part)
{
    if (s->part_need) {
        const char *p = part;
        for (int32_t i = 0; i < s->ctx.schema.npart; i++) {
            const char *end = strchr(p, '/');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            const char *need = s->part_need[i];
            if (need && (strlen(need) != len || memcmp(need, p, len) != 0)) return false;
            p = end ? end + 1 : p + len;
        }
    }
    if (!s->parts) return true;
    for (int32_t i = 0; i < s->nparts; i++)
        if (strcmp(s->parts[i], part) == 0) return true;
    return false;
}

int store_scan_partition_value(StoreScan *s, int32_t col, const char *value)
{
    int32_t key = -1;
    for (int32_t i = 0; i < s->ctx.schema.npart; i++)
        if (s->ctx.schema.part[i] == col) key = i;
    if (key < 0) return -1;
    if (!s->part_need) s->part_need = wb_calloc((size_t)s->ctx.schema.npart, sizeof(char *));
    int32_t cols[1] = {col};
    const char *values[1] = {value};
    char *path = store_static_partition_of(&s->ctx, 1, cols, values, key);
    free(s->part_need[key]);
    s->part_need[key] = path;
    return 0;
}

/* Emits a row batch's present rows (+I) into pending. */
static void emit_rows(StoreScan *s, const Batch *rows)
{
    Batch *p = s->pending;
    int32_t from = p->nrows;
    ty_batch_append_range(p, rows, 0, rows->nrows, s->ctx.schema.ncols);
    for (int32_t d = from; d < p->nrows; d++) p->weights[d] = 1;
    if (p->updates) memset(p->updates + from, 0, (size_t)(p->nrows - from));
}

/* Emits changelog rows (kinds in _VALUE_KIND) as changes; an update pair
 * is flagged only when both halves are there. */
static void emit_changelog_rows(StoreScan *s, const Batch *rows)
{
    const StoreTableCtx *ctx = &s->ctx;
    int32_t ncols = ctx->schema.ncols;
    Batch *p = s->pending;
    ty_batch_reserve(p, p->nrows + rows->nrows + 1);
    const int64_t *kind = rows->cols[ctx->kind_col].i64;
    for (int32_t r = 0; r < rows->nrows; r++) {
        int32_t d = p->nrows++;
        ty_batch_copy_cols(p, d, 0, rows, r, NULL, ncols);
        bool retract = kind[r] == RK_UPDATE_BEFORE || kind[r] == RK_DELETE;
        p->weights[d] = retract ? -1 : 1;
        if (p->updates) p->updates[d] = 0;
        if (kind[r] == RK_UPDATE_AFTER && r > 0 && kind[r - 1] == RK_UPDATE_BEFORE && d > 0)
            ty_mark_update(p, d - 1);
    }
}

static void reset_pending(StoreScan *s)
{
    ty_batch_reset(s->pending);
    ty_batch_free(s->full);
    s->full = NULL;
    s->pos = 0;
}

/* ---- snapshot choice ---- */

static int read_snap(StoreScan *s, int64_t id, StoreSnapshot *out, WbArena *arena, WbError *err)
{
    int rc = store_snapshot_read(s->ctx.dir, id, arena, out, err);
    if (rc == 1) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "snapshot %lld of table %s does not exist (expired or never committed)",
                 (long long)id, s->ctx.name);
        return -1;
    }
    return rc;
}

/* The latest snapshot committed at or before ts (0: none). */
static int snapshot_at(StoreScan *s, int64_t ts, bool at_or_after, int64_t *id, WbError *err)
{
    int64_t earliest, latest;
    if (store_snapshot_earliest(s->ctx.dir, &earliest, err) != 0 ||
        store_snapshot_latest(s->ctx.dir, &latest, err) != 0)
        return -1;
    *id = 0;
    WbArena a;
    wb_arena_init(&a, 0);
    int rc = 0;
    for (int64_t k = latest; k >= earliest && k > 0; k--) {
        StoreSnapshot snap;
        int r = store_snapshot_read(s->ctx.dir, k, &a, &snap, err);
        if (r < 0) { rc = -1; break; }
        if (r == 1) continue;
        if (at_or_after) {
            if (snap.time_ms >= ts) *id = k;
            else break;
        } else if (snap.time_ms <= ts) {
            *id = k;
            break;
        }
        wb_arena_reset(&a);
    }
    wb_arena_destroy(&a);
    return rc;
}

/* ---- the full read of a snapshot ---- */

static int start_full(StoreScan *s, int64_t id, WbError *err)
{
    wb_arena_reset(&s->snap_arena);
    free(s->ptrs);
    free(s->bounds);
    s->ptrs = NULL;
    s->bounds = NULL;
    s->ngroups = s->group = 0;
    if (id == 0) return 0;
    StoreSnapshot snap;
    StoreFile *files;
    int32_t n;
    if (read_snap(s, id, &snap, &s->snap_arena, err) != 0 ||
        store_snapshot_files(s->ctx.dir, &snap, false, &s->snap_arena, &files, &n, err) != 0)
        return -1;
    s->ptrs = wb_malloc(sizeof(StoreFile *) * (size_t)(n + 1));
    int32_t kept = 0;
    for (int32_t i = 0; i < n; i++)
        if (part_ok(s, files[i].partition)) s->ptrs[kept++] = &files[i];
    s->ngroups = store_group_files(s->ptrs, kept, &s->bounds);
    return 0;
}

/* Starts the next bucket of the full read: a stream of its one run's
 * files (run_next) or of its merged runs (merge_next). */
static void next_full_group(StoreScan *s)
{
    int32_t g = s->group++;
    if (!part_ok(s, s->ptrs[s->bounds[g]]->partition)) return;
    StoreFile **files = s->ptrs + s->bounds[g];
    int32_t nfiles = s->bounds[g + 1] - s->bounds[g];
    if (!s->ctx.pk_table || store_one_run(&s->ctx, files, nfiles)) {
        store_order_files(&s->ctx, files, nfiles);
        s->run = files;
        s->nrun = nfiles;
        s->run_at = 0;
        return;
    }
    s->merge = store_merge_stream_open(&s->ctx, files, nfiles, true);
}

/* Hands the next merged rows of the current bucket to `full`; 0 when the
 * bucket is over. */
static int merge_next(StoreScan *s, WbError *err)
{
    Batch *rows = store_row_batch(&s->ctx, 1024);
    int32_t got = store_merge_stream_next(s->merge, rows, err);
    if (got <= 0) {
        ty_batch_free(rows);
        store_merge_stream_close(s->merge);
        s->merge = NULL;
        return got;
    }
    for (int32_t r = 0; r < rows->nrows; r++) rows->weights[r] = 1;
    if (rows->updates) memset(rows->updates, 0, (size_t)rows->capacity);
    if (s->pending->nrows == 0 && !s->full) {
        /* handed out from where it was merged: no copy */
        s->full = rows;
        s->pos = 0;
        return 1;
    }
    emit_rows(s, rows);
    ty_batch_free(rows);
    return 1;
}

/* The columns a stream reads (all of the schema's until the query says
 * otherwise) and its view's column array, made once. */
static void init_want(StoreScan *s)
{
    if (s->want) return;
    s->want = wb_arena_calloc(&s->arena, (size_t)s->ctx.nrow_cols);
    memset(s->want, 1, (size_t)s->ctx.schema.ncols);
    s->view_cols = wb_arena_alloc(&s->arena, sizeof(ColumnVector) * (size_t)s->ctx.nrow_cols);
}

/* Streams the current run into out: up to max_rows rows of its next
 * file's next row groups (deletes dropped).  1 when it moved on (rows
 * appended or not), 0 when the run is over. */
static int run_next(StoreScan *s, Batch *out, int32_t max_rows, WbError *err)
{
    const StoreTableCtx *ctx = &s->ctx;
    int32_t ncols = ctx->schema.ncols;
    while (!s->fscan) {
        if (s->run_at >= s->nrun) {
            s->run = NULL;
            return 0;
        }
        StoreFile *f = s->run[s->run_at++];
        if (!store_file_may_match(ctx, f)) continue;
        init_want(s);
        /* a file known to hold no deletes is read without its kinds */
        s->fscan_kinds = ctx->pk_table && f->delete_rows != 0;
        if (ctx->pk_table) s->want[ctx->kind_col] = s->fscan_kinds;
        s->fscan = store_file_scan_of(ctx, f, s->want, true, err);
        if (!s->fscan) return -1;
    }
    /* the file scan appends to a view of out whose columns are out's, then
     * (primary-key tables) the sequence (never read) and the kinds */
    ty_batch_reserve(out, out->nrows + max_rows);
    if (ctx->pk_table && s->kind_cap < out->capacity) {
        s->kind_cap = out->capacity;
        s->kind.type = ctx->row_types[ctx->kind_col];
        s->kind.nulls = wb_realloc(s->kind.nulls, (size_t)s->kind_cap);
        s->kind.i64 = wb_realloc(s->kind.i64, sizeof(int64_t) * (size_t)s->kind_cap);
    }
    memcpy(s->view_cols, out->cols, sizeof(ColumnVector) * (size_t)ncols);
    if (ctx->pk_table) {
        s->view_cols[ctx->seq_col] = s->kind;   /* not wanted: never touched */
        s->view_cols[ctx->kind_col] = s->kind;
    }
    Batch view = *out;
    view.cols = s->view_cols;
    view.ncols = ctx->nrow_cols;
    int32_t first = out->nrows;
    int32_t got = store_file_scan_next(s->fscan, &view, max_rows, err);
    if (got < 0) return -1;
    if (got == 0) {
        store_file_scan_close(s->fscan);
        s->fscan = NULL;
        return 1;
    }
    out->nrows = view.nrows;
    for (int32_t col = 0; col < ncols; col++)
        if (!s->want[col]) memset(out->cols[col].nulls + first, 1, (size_t)got);
    if (out->updates) memset(out->updates + first, 0, (size_t)got);
    if (s->fscan_kinds) store_drop_deletes(s->kind.i64, out, first, ncols);
    return 1;
}

/* ---- changes ---- */

static int cmp_file_name(const void *a, const void *b)
{
    return strcmp((*(StoreFile *const *)a)->name, (*(StoreFile *const *)b)->name);
}

/* Changes of a primary-key table from snapshot a to b (a may be 0). */
static int pk_changes(StoreScan *s, int64_t a, int64_t b, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = -1;
    StoreFile *fa = NULL, *fb = NULL;
    int32_t na = 0, nb = 0;
    StoreSnapshot sa, sb;
    if (a > 0 && (read_snap(s, a, &sa, &arena, err) != 0 ||
                  store_snapshot_files(s->ctx.dir, &sa, false, &arena, &fa, &na, err) != 0))
        goto out;
    if (read_snap(s, b, &sb, &arena, err) != 0 ||
        store_snapshot_files(s->ctx.dir, &sb, false, &arena, &fb, &nb, err) != 0)
        goto out;
    /* all files of both, grouped; a group changed when its file sets differ */
    StoreFile **all = wb_arena_alloc(&arena, sizeof(StoreFile *) * (size_t)(na + nb + 1));
    uint8_t *from_b = wb_arena_calloc(&arena, (size_t)(na + nb + 1));
    int32_t n = 0;
    for (int32_t i = 0; i < na; i++) if (part_ok(s, fa[i].partition)) all[n++] = &fa[i];
    int32_t first_b = n;
    for (int32_t i = 0; i < nb; i++) if (part_ok(s, fb[i].partition)) all[n++] = &fb[i];
    for (int32_t i = first_b; i < n; i++) all[i]->changelog = true;   /* marks "of b" (scratch) */
    (void)from_b;
    int32_t *bounds;
    int32_t ng = store_group_files(all, n, &bounds);
    rc = 0;
    for (int32_t g = 0; g < ng && rc == 0; g++) {
        StoreFile **gf = all + bounds[g];
        int32_t gn = bounds[g + 1] - bounds[g];
        StoreFile **old = wb_malloc(sizeof(StoreFile *) * (size_t)(gn + 1));
        StoreFile **now = wb_malloc(sizeof(StoreFile *) * (size_t)(gn + 1));
        int32_t nold = 0, nnow = 0;
        for (int32_t i = 0; i < gn; i++) {
            if (gf[i]->changelog) now[nnow++] = gf[i];
            else old[nold++] = gf[i];
        }
        bool same = nold == nnow;
        if (same) {
            qsort(old, (size_t)nold, sizeof(StoreFile *), cmp_file_name);
            qsort(now, (size_t)nnow, sizeof(StoreFile *), cmp_file_name);
            for (int32_t i = 0; i < nold && same; i++) same = strcmp(old[i]->name, now[i]->name) == 0;
        }
        if (!same) {
            for (int32_t i = 0; i < nnow; i++) now[i]->changelog = false;
            rc = store_diff_buckets(&s->ctx, old, nold, now, nnow, s->pending, err);
        }
        free(old);
        free(now);
    }
    free(bounds);
out:
    wb_arena_destroy(&arena);
    return rc;
}

/* Reads files (data of an append table, or changelog files) and emits
 * their rows: as inserts / deletes (sign) or by their kinds (changelog). */
static int emit_files(StoreScan *s, StoreFile *files, int32_t n, int sign, bool changelog, WbError *err)
{
    for (int32_t i = 0; i < n; i++) {
        if (!part_ok(s, files[i].partition)) continue;
        Batch *rows = store_row_batch(&s->ctx, (int32_t)(files[i].rows + 1));
        WbArena tmp;
        wb_arena_init(&tmp, 0);
        const char **names = store_file_names(&s->ctx, &files[i], &tmp, err);
        int rc = -1;
        if (names) {
            char *path = store_file_path(s->ctx.dir, &files[i]);
            rc = store_datafile_read(path, names, rows, files[i].rows, err);
            free(path);
        }
        wb_arena_destroy(&tmp);
        if (rc == 0) {
            if (changelog) {
                emit_changelog_rows(s, rows);
            } else {
                int32_t from = s->pending->nrows;
                emit_rows(s, rows);
                if (sign < 0)
                    for (int32_t r = from; r < s->pending->nrows; r++) s->pending->weights[r] = -1;
            }
        }
        ty_batch_free(rows);
        if (rc != 0) return -1;
    }
    return 0;
}

/* Append table: the rows of files added/deleted by commits (a, b],
 * compactions skipped. */
static int append_changes(StoreScan *s, int64_t a, int64_t b, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = 0;
    for (int64_t id = a + 1; id <= b && rc == 0; id++) {
        StoreSnapshot snap;
        StoreEntry *delta;
        int32_t nd;
        rc = read_snap(s, id, &snap, &arena, err);
        if (rc != 0) break;
        /* compactions change nothing; a stream skips overwrites, as
         * Paimon ('streaming-read-overwrite' false): it stays insert-only */
        if (snap.kind == CK_COMPACT ||
            (s->streaming && snap.kind == CK_OVERWRITE && !s->ctx.opts.streaming_read_overwrite))
            continue;
        if (store_snapshot_delta(s->ctx.dir, &snap, &arena, &delta, &nd, err) != 0) { rc = -1; break; }
        for (int32_t sign = -1; sign <= 1 && rc == 0; sign += 2) {
            StoreFile *fs = wb_arena_alloc(&arena, sizeof(StoreFile) * (size_t)(nd + 1));
            int32_t nf = 0;
            for (int32_t i = 0; i < nd; i++)
                if (delta[i].add == (sign > 0)) fs[nf++] = delta[i].file;
            rc = emit_files(s, fs, nf, sign, false, err);
        }
        wb_arena_reset(&arena);
    }
    wb_arena_destroy(&arena);
    return rc;
}

/* The changes of snapshot id as a streaming read sees them. */
static int snapshot_changes(StoreScan *s, int64_t id, WbError *err)
{
    const StoreOptions *o = &s->ctx.opts;
    if (!s->ctx.pk_table) return append_changes(s, id - 1, id, err);
    WbArena arena;
    wb_arena_init(&arena, 0);
    StoreSnapshot snap;
    int rc = read_snap(s, id, &snap, &arena, err);
    if (rc == 0) {
        bool use_files = o->changelog_producer != CP_NONE;
        if (use_files) {
            /* producer files: input/lookup on appends, full-compaction on compactions */
            StoreFile *cl;
            int32_t ncl;
            rc = store_snapshot_files(s->ctx.dir, &snap, true, &arena, &cl, &ncl, err);
            if (rc == 0) rc = emit_files(s, cl, ncl, 1, true, err);
        } else if (snap.kind != CK_COMPACT) {
            rc = pk_changes(s, id - 1, id, err);
        }
    }
    wb_arena_destroy(&arena);
    return rc;
}

/* ---- the scan ---- */

StoreScan *store_scan_open(StoreTable *table, bool streaming, int32_t nextra,
                           const char *const *keys, const char *const *values, WbError *err)
{
    StoreScan *s = wb_calloc(1, sizeof(StoreScan));
    s->table = table;
    s->ctx = table->ctx;
    wb_arena_init(&s->arena, 0);
    wb_arena_init(&s->snap_arena, 0);
    s->streaming = streaming;
    s->pending = ty_batch_new(s->ctx.schema.types, s->ctx.schema.ncols, 1024);
    s->end = INT64_MAX;
    if (nextra > 0 &&
        store_options_parse(&table->ctx.schema, nextra, keys, values, &s->arena, &s->ctx.opts, err) != 0)
        goto fail;
    const StoreOptions *o = &s->ctx.opts;
    int64_t latest;
    if (store_snapshot_latest(s->ctx.dir, &latest, err) != 0) goto fail;
    int64_t full = 0;
    if (o->incremental) {
        /* a bounded read in either mode */
        s->streaming = false;
        if (o->incr_to > latest) {
            wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "option 'incremental-between' names snapshot %lld; the latest of table %s is %lld",
                     (long long)o->incr_to, s->ctx.name, (long long)latest);
            goto fail;
        }
        s->cur = o->incr_from;
        s->end = o->incr_to;
    } else if (!streaming) {
        full = latest;
        if (o->scan_snapshot_id > 0) full = o->scan_snapshot_id;
        else if (o->scan_timestamp_ms != INT64_MIN) {
            if (snapshot_at(s, o->scan_timestamp_ms, false, &full, err) != 0) goto fail;
            if (full == 0) {
                wb_error(err, WB_SQLSTATE_DATA, 0, 0, "table %s has no snapshot at or before %lld ms",
                         s->ctx.name, (long long)o->scan_timestamp_ms);
                goto fail;
            }
        }
        s->cur = full;
        s->end = full;
    } else {
        ScanMode m = o->scan_mode;
        if (m == SM_DEFAULT)
            m = o->scan_snapshot_id > 0 ? SM_FROM_SNAPSHOT
              : o->scan_timestamp_ms != INT64_MIN ? SM_FROM_TIMESTAMP : SM_LATEST_FULL;
        if ((m == SM_FROM_SNAPSHOT || m == SM_FROM_SNAPSHOT_FULL) && o->scan_snapshot_id <= 0) {
            wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "'scan.mode' = 'from-snapshot' needs 'scan.snapshot-id'");
            goto fail;
        }
        if (m == SM_FROM_TIMESTAMP && o->scan_timestamp_ms == INT64_MIN) {
            wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "'scan.mode' = 'from-timestamp' needs 'scan.timestamp-millis'");
            goto fail;
        }
        switch (m) {
        case SM_LATEST: s->cur = latest; break;
        case SM_FROM_SNAPSHOT: s->cur = o->scan_snapshot_id - 1; break;
        case SM_FROM_SNAPSHOT_FULL: full = o->scan_snapshot_id; s->cur = full; break;
        case SM_FROM_TIMESTAMP: {
            int64_t id;
            if (snapshot_at(s, o->scan_timestamp_ms, true, &id, err) != 0) goto fail;
            s->cur = id > 0 ? id - 1 : latest;
            break;
        }
        default: full = latest; s->cur = latest; break;
        }
        if (o->scan_bounded) s->end = latest > s->cur ? latest : s->cur;
    }
    /* pin what we read, then check it still exists */
    int64_t pin_at = full > 0 ? full : (s->cur > 0 ? s->cur : 1);
    if (latest > 0 || streaming) {
        s->pin = store_pin_create(&s->ctx, pin_at, o->pin_lease_ms, err);
        if (!s->pin) goto fail;
        s->pin_renewed_ms = wb_now_millis();
    }
    /* the pinned snapshot must still exist now that the pin is there */
    if (full > 0) {
        StoreSnapshot probe;
        WbArena a;
        wb_arena_init(&a, 0);
        int r = read_snap(s, full, &probe, &a, err);
        wb_arena_destroy(&a);
        if (r != 0) goto fail;
    }
    if (full > 0 && start_full(s, full, err) != 0) goto fail;
    if (o->incremental && s->cur > 0) {
        StoreSnapshot probe;
        WbArena a;
        wb_arena_init(&a, 0);
        int r = read_snap(s, s->cur, &probe, &a, err);
        wb_arena_destroy(&a);
        if (r != 0) goto fail;
    }
    return s;
fail:
    store_scan_close(s);
    return NULL;
}

void store_scan_key_filter(StoreScan *s, const PqPredicate *preds, int32_t n)
{
    const StoreSchema *sc = &s->ctx.schema;
    /* terms on key columns only (disjunctions wholly on them) */
    PqPredicate *kept = wb_arena_alloc(&s->arena, sizeof(PqPredicate) * (size_t)(n + 1));
    bool *drop = wb_arena_alloc(&s->arena, sizeof(bool) * (size_t)(n + 1));
    for (int32_t i = 0; i < n; i++) {
        bool key = false;
        for (int32_t j = 0; j < sc->npk; j++) key |= sc->pk[j] == preds[i].col;
        kept[i] = preds[i];
        drop[i] = !key || !s->ctx.pk_table;
    }
    int32_t k = pq_preds_drop(kept, n, drop);
    s->ctx.key_preds = k ? kept : NULL;
    s->ctx.nkey_preds = k;
}

void store_scan_unread(StoreScan *s, const uint8_t *unread)
{
    const StoreSchema *sc = &s->ctx.schema;
    /* a stream reads only what the query does (keys included: nothing is
     * merged) */
    init_want(s);
    for (int32_t col = 0; col < sc->ncols; col++) s->want[col] = !(unread && unread[col]);
    uint8_t *skip = wb_arena_calloc(&s->arena, (size_t)sc->ncols + 1);
    bool any = false;
    for (int32_t col = 0; col < sc->ncols; col++) {
        bool key = false;
        for (int32_t i = 0; i < s->ctx.opts.nseq_fields; i++) key |= s->ctx.opts.seq_fields[i] == col;
        for (int32_t i = 0; i < sc->npk; i++) key |= sc->pk[i] == col;
        skip[col] = unread && unread[col] && !key;
        any |= skip[col];
    }
    s->ctx.skip_cols = any ? skip : NULL;
}

void store_scan_partitions(StoreScan *s, const char *const *parts, int32_t nparts)
{
    s->parts = parts;
    s->nparts = nparts;
}

int64_t store_scan_snapshot(const StoreScan *s) { return s->cur; }

bool store_scan_bounded(const StoreScan *s) { return !s->streaming || s->end != INT64_MAX; }

/* Hands out pending rows: up to max_rows, never cutting an update pair. */
static void hand_out(StoreScan *s, Batch *out, int32_t max_rows)
{
    Batch *p = s->full ? s->full : s->pending;
    int32_t take = p->nrows - s->pos;
    if (take > max_rows) take = max_rows;
    int32_t last = s->pos + take - 1;
    if (take > 1 && p->updates && p->updates[last] && p->weights[last] < 0) take--;
    if (take == 1 && p->updates && p->updates[s->pos] && p->weights[s->pos] < 0 && s->pos + 1 < p->nrows)
        take = 2;
    ty_batch_append_range(out, p, s->pos, take, s->ctx.schema.ncols);
    s->pos += take;
    if (s->pos >= p->nrows) reset_pending(s);
}

int store_scan_next(StoreScan *s, Batch *out, int32_t max_rows, int64_t now_ms, WbError *err)
{
    for (;;) {
        if (s->pos < (s->full ? s->full : s->pending)->nrows) {
            hand_out(s, out, max_rows);
            return 1;
        }
        if (s->done) return 0;
        if (s->run) {
            /* on to the next file when one ends or all its rows were deletes */
            int32_t before = out->nrows;
            int r = run_next(s, out, max_rows, err);
            if (r < 0) return -1;
            if (out->nrows > before) return 1;
            continue;
        }
        if (s->merge) {
            if (merge_next(s, err) < 0) return -1;
            continue;
        }
        if (s->group < s->ngroups) {
            next_full_group(s);
            continue;
        }
        if (!s->streaming && s->cur >= s->end) {
            s->done = true;
            continue;
        }
        if (!s->streaming) {
            /* incremental: the whole range at once */
            int rc = s->ctx.pk_table ? pk_changes(s, s->cur, s->end, err) : append_changes(s, s->cur, s->end, err);
            if (rc != 0) return -1;
            s->cur = s->end;
            continue;
        }
        if (s->cur >= s->end) {   /* a bounded stream at its end */
            s->done = true;
            continue;
        }
        /* streaming: the next snapshot; once caught up, look again only
         * every discovery interval of the job clock */
        if (s->polled && now_ms - s->last_poll_ms < s->ctx.opts.discovery_interval_ms) return 1;
        int64_t next = s->cur + 1;
        StoreSnapshot probe;
        WbArena a;
        wb_arena_init(&a, 0);
        int r = store_snapshot_read(s->ctx.dir, next, &a, &probe, err);
        wb_arena_destroy(&a);
        if (r < 0) return -1;
        if (r == 1) {
            s->polled = true;
            s->last_poll_ms = now_ms;
            /* an idle reader keeps its pin's lease alive */
            int64_t wall = wb_now_millis();
            if (s->pin && wall - s->pin_renewed_ms > s->ctx.opts.pin_lease_ms / 2 &&
                store_pin_update(&s->ctx, s->pin, s->cur > 0 ? s->cur : 1, s->ctx.opts.pin_lease_ms, err) == 0)
                s->pin_renewed_ms = wall;
            int64_t latest, earliest;
            if (store_snapshot_latest(s->ctx.dir, &latest, err) != 0 ||
                store_snapshot_earliest(s->ctx.dir, &earliest, err) != 0)
                return -1;
            if (latest > s->cur && earliest > next) {
                wb_error(err, WB_SQLSTATE_DATA, 0, 0,
                         "snapshot %lld of table %s expired before the streaming read reached it",
                         (long long)next, s->ctx.name);
                wb_error_hint(err, "raise 'snapshot.num-retained.min' or 'snapshot.time-retained'");
                return -1;
            }
            return 1;
        }
        s->polled = false;   /* found one: keep going without waiting */
        if (snapshot_changes(s, next, err) != 0) return -1;
        s->cur = next;
        if (s->pin && store_pin_update(&s->ctx, s->pin, s->cur, s->ctx.opts.pin_lease_ms, err) == 0)
            s->pin_renewed_ms = wb_now_millis();
    }
}

void store_scan_close(StoreScan *s)
{
    if (!s) return;
    store_pin_remove(s->pin);
    store_file_scan_close(s->fscan);
    store_merge_stream_close(s->merge);
    free(s->kind.nulls);
    free(s->kind.i64);
    if (s->part_need)
        for (int32_t i = 0; i < s->ctx.schema.npart; i++) free(s->part_need[i]);
    free(s->part_need);
    free(s->ptrs);
    free(s->bounds);
    ty_batch_free(s->pending);
    ty_batch_free(s->full);
    wb_arena_destroy(&s->snap_arena);
    wb_arena_destroy(&s->arena);
    free(s);
}
