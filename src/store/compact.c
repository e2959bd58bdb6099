/*
 * compact.c - compaction: Paimon's universal (size-tiered) compaction of
 * each bucket's sorted runs, full compaction on demand, small-file
 * compaction of append-only tables, and the changelog of the
 * 'full-compaction' producer.  A compaction commits a COMPACT snapshot that
 * deletes its inputs and adds its outputs; the table's rows do not change.
 *
 * Runs of a bucket, newest first: each level-0 file, then levels 1..max
 * (one run each).  A plan picks a prefix of them (the newest runs):
 *   1. size amplification: everything but the oldest run is more than
 *      'compaction.max-size-amplification-percent' of the oldest: all runs;
 *   2. more runs than 'num-sorted-run.compaction-trigger': the newest
 *      (runs - trigger + 1), extended while the next run is no bigger than
 *      the picked ones by 'compaction.size-ratio' percent;
 *   3. full compaction: all runs.
 * The output goes one level above the next run left out (never level 0:
 * the prefix grows until it can), or to the highest level when all runs
 * are picked; then deletes are dropped (nothing older remains).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

enum { SLICE = 4096 };         /* rows a compaction handles at a time */

typedef struct Run {
    int32_t level;
    int32_t first, count;     /* files[first .. first+count) */
    int64_t size;
} Run;

static int cmp_runs_newest_first(const void *pa, const void *pb)
{
    const StoreFile *a = *(StoreFile *const *)pa, *b = *(StoreFile *const *)pb;
    if (a->level != b->level) {
        if (a->level == 0) return -1;
        if (b->level == 0) return 1;
        return a->level < b->level ? -1 : 1;
    }
    if (a->level == 0 && a->max_seq != b->max_seq) return a->max_seq > b->max_seq ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Picks the runs to compact: returns how many of the newest, 0 for none;
 * *out_level set. */
static int32_t pick(const StoreTableCtx *ctx, const Run *runs, int32_t nruns, bool full,
                    int32_t *out_level)
{
    const StoreOptions *o = &ctx->opts;
    int32_t max_level = o->num_levels - 1;
    int32_t count = 0;
    if (nruns == 0) return 0;
    if (full) {
        if (nruns == 1 && runs[0].level == max_level) return 0;
        count = nruns;
    } else if (nruns > 1) {
        int64_t newer = 0;
        for (int32_t i = 0; i < nruns - 1; i++) newer += runs[i].size;
        if (newer * 100 > (int64_t)o->max_size_amp * runs[nruns - 1].size) {
            count = nruns;
        } else if (nruns > o->compaction_trigger) {
            count = nruns - o->compaction_trigger + 1;
            int64_t size = 0;
            for (int32_t i = 0; i < count; i++) size += runs[i].size;
            while (count < nruns && size * (100 + o->size_ratio) / 100 >= runs[count].size) {
                size += runs[count].size;
                count++;
            }
        }
    }
    if (count == 0) return 0;
    int32_t level;
    if (count == nruns) {
        level = max_level;
    } else {
        level = runs[count].level - 1;
        while (level <= 0 && count < nruns) {
            /* do not output level 0: take the next runs until a level >= 1 */
            level = runs[count].level;
            count++;
            if (level >= 1) break;
        }
        if (count == nruns) level = max_level;
        if (level <= 0) level = max_level;
    }
    if (count == 1 && runs[0].level == level) return 0;   /* nothing to gain */
    *out_level = level;
    return count;
}

static void add_entry(StoreEntry **arr, int32_t *n, int32_t *cap, bool add, const StoreFile *f)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *arr = wb_realloc(*arr, sizeof(StoreEntry) * (size_t)*cap);
    }
    (*arr)[*n].add = add;
    (*arr)[(*n)++].file = *f;
}

/* Adds the files a run writer wrote as ADD entries. */
static int finish_run(StoreRunWriter *w, StoreEntry **entries, int32_t *n, int32_t *cap, WbError *err)
{
    StoreFile *files;
    int32_t nfiles;
    if (store_run_writer_finish(w, &files, &nfiles, err) != 0) return -1;
    for (int32_t i = 0; i < nfiles; i++) add_entry(entries, n, cap, true, &files[i]);
    return 0;
}

/* Append-only: the files, oldest first, rewritten as files of about
 * 'target-file-size' at level 1, a slice at a time. */
static int compact_append(const StoreTableCtx *ctx, StoreFile **files, int32_t nfiles, WbArena *arena,
                          StoreEntry **entries, int32_t *n, int32_t *cap, WbError *err)
{
    int64_t seq = INT64_MAX;
    for (int32_t i = 0; i < nfiles; i++)
        if (files[i]->min_seq < seq) seq = files[i]->min_seq;
    store_order_files(ctx, files, nfiles);
    StoreRunWriter *w = store_run_writer_open(ctx, files[0]->partition, files[0]->bucket, 1, false, seq,
                                              ctx->opts.target_file_size, arena);
    Batch *slice = store_row_batch(ctx, SLICE);
    int rc = 0;
    for (int32_t i = 0; i < nfiles && rc == 0; i++) {
        StoreFileScan *fs = store_file_scan_of(ctx, files[i], NULL, false, err);
        if (!fs) rc = -1;
        while (rc == 0) {
            ty_batch_reset(slice);
            int32_t got = store_file_scan_next(fs, slice, SLICE, err);
            if (got <= 0) {
                rc = got;
                break;
            }
            rc = store_run_writer_write(w, slice, NULL, got, err);
        }
        store_file_scan_close(fs);
    }
    ty_batch_free(slice);
    if (rc != 0) {
        store_run_writer_abort(w);
        return -1;
    }
    return finish_run(w, entries, n, cap, err);
}

/* Compacts one bucket's files; adds entries (and changelog files). */
static int compact_bucket(StoreTableCtx *ctx, StoreFile **files, int32_t nfiles, bool full,
                          WbArena *arena, StoreEntry **entries, int32_t *n, int32_t *cap,
                          StoreFile **cl, int32_t *ncl, int32_t *capcl, WbError *err)
{
    const char *part = files[0]->partition;
    int32_t bucket = files[0]->bucket;
    if (!ctx->pk_table) {
        /* append-only: merge small files (all files, to keep their order) */
        int32_t small = 0;
        for (int32_t i = 0; i < nfiles; i++) small += files[i]->size < ctx->opts.target_file_size / 2;
        if (nfiles < 2 || (!full && small < ctx->opts.append_min_files)) return 0;
        if (compact_append(ctx, files, nfiles, arena, entries, n, cap, err) != 0) return -1;
        for (int32_t i = 0; i < nfiles; i++) add_entry(entries, n, cap, false, files[i]);
        return 0;
    }
    qsort(files, (size_t)nfiles, sizeof(StoreFile *), cmp_runs_newest_first);
    Run *runs = wb_malloc(sizeof(Run) * (size_t)(nfiles + 1));
    int32_t nruns = 0;
    for (int32_t i = 0; i < nfiles; i++) {
        if (nruns == 0 || files[i]->level == 0 || runs[nruns - 1].level != files[i]->level) {
            runs[nruns].level = files[i]->level;
            runs[nruns].first = i;
            runs[nruns].count = 0;
            runs[nruns].size = 0;
            nruns++;
        }
        runs[nruns - 1].count++;
        runs[nruns - 1].size += files[i]->size;
    }
    int32_t level = 0;
    int32_t count = pick(ctx, runs, nruns, full, &level);
    int32_t npicked = count > 0 ? runs[count - 1].first + runs[count - 1].count : 0;
    bool bottom = count == nruns;
    free(runs);
    if (count == 0) return 0;
    /* the picked runs merged as a stream, written a slice at a time */
    StoreMergeStream *m = store_merge_stream_open(ctx, files, npicked, bottom);
    StoreRunWriter *w = store_run_writer_open(ctx, part, bucket, level, false, 0, ctx->opts.target_file_size,
                                              arena);
    StoreStateDiff *diff = NULL;
    Batch *changes = NULL;
    if (bottom && ctx->opts.changelog_producer == CP_FULL_COMPACTION) {
        /* the changes since the last full compaction: old top level vs new */
        int32_t max_level = ctx->opts.num_levels - 1;
        StoreFile **old_top = wb_malloc(sizeof(StoreFile *) * (size_t)(nfiles + 1));
        int32_t ntop = 0;
        for (int32_t i = 0; i < nfiles; i++)
            if (files[i]->level == max_level) old_top[ntop++] = files[i];
        diff = store_state_diff_open(ctx, old_top, ntop);
        free(old_top);
        changes = ty_batch_new(ctx->schema.types, ctx->schema.ncols, 1024);
    }
    Batch *slice = store_row_batch(ctx, SLICE);
    int rc = 0;
    for (;;) {
        ty_batch_reset(slice);
        int32_t got = store_merge_stream_next(m, slice, err);
        if (got < 0) rc = -1;
        if (got <= 0) break;
        rc = store_run_writer_write(w, slice, NULL, got, err);
        if (rc == 0 && changes) rc = store_state_diff_next(diff, slice, changes, err);
        if (rc != 0) break;
    }
    if (rc == 0 && changes) rc = store_state_diff_next(diff, NULL, changes, err);
    if (rc == 0 && changes && changes->nrows > 0)
        rc = store_write_changelog(ctx, changes, part, bucket, arena, cl, ncl, capcl, err);
    if (rc == 0) rc = finish_run(w, entries, n, cap, err);
    else store_run_writer_abort(w);
    if (rc == 0)
        for (int32_t i = 0; i < npicked; i++) add_entry(entries, n, cap, false, files[i]);
    ty_batch_free(slice);
    ty_batch_free(changes);
    store_state_diff_close(diff);
    store_merge_stream_close(m);
    return rc;
}

int store_compact_locked(StoreTableCtx *ctx, const char *commit_user, bool full,
                         const char *const *parts, const int32_t *buckets, int32_t ntouched,
                         int64_t next_seq, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = -1;
    StoreEntry *entries = NULL;
    StoreFile *cl = NULL;
    int32_t n = 0, cap = 0, ncl = 0, capcl = 0;
    int32_t *bounds = NULL;
    StoreFile **ptrs = NULL;
    int64_t latest;
    if (store_snapshot_latest(ctx->dir, &latest, err) != 0) goto out;
    if (latest == 0) { rc = 0; goto out; }
    StoreSnapshot snap;
    StoreFile *files;
    int32_t nfiles;
    if (store_snapshot_read(ctx->dir, latest, &arena, &snap, err) != 0 ||
        store_snapshot_files(ctx->dir, &snap, false, &arena, &files, &nfiles, err) != 0)
        goto out;
    ptrs = wb_malloc(sizeof(StoreFile *) * (size_t)(nfiles + 1));
    for (int32_t i = 0; i < nfiles; i++) ptrs[i] = &files[i];
    int32_t ng = store_group_files(ptrs, nfiles, &bounds);
    for (int32_t g = 0; g < ng; g++) {
        StoreFile **gf = ptrs + bounds[g];
        int32_t gn = bounds[g + 1] - bounds[g];
        if (parts) {
            bool hit = false;
            for (int32_t k = 0; k < ntouched && !hit; k++)
                hit = strcmp(parts[k], gf[0]->partition) == 0 && (buckets[k] < 0 || buckets[k] == gf[0]->bucket);
            if (!hit) continue;
        }
        if (compact_bucket(ctx, gf, gn, full, &arena, &entries, &n, &cap, &cl, &ncl, &capcl, err) != 0) {
            /* remove what this compaction wrote */
            for (int32_t i = 0; i < n; i++)
                if (entries[i].add) { char *p = store_file_path(ctx->dir, &entries[i].file); remove(p); free(p); }
            for (int32_t i = 0; i < ncl; i++) { char *p = store_file_path(ctx->dir, &cl[i]); remove(p); free(p); }
            goto out;
        }
    }
    if (n == 0 && ncl == 0) { rc = 0; goto out; }
    StoreCommit c = {
        .kind = CK_COMPACT, .commit_user = commit_user, .identifier = INT64_MAX,
        .entries = entries, .nentries = n, .changelog = cl, .nchangelog = ncl,
        .next_seq = next_seq > snap.next_seq ? next_seq : snap.next_seq, .watermark = INT64_MIN,
    };
    int64_t id;
    rc = store_commit(ctx, &c, &id, err);
out:
    free(bounds);
    free(ptrs);
    free(entries);
    free(cl);
    wb_arena_destroy(&arena);
    return rc;
}

int store_compact(StoreTable *table, const char *partition, WbError *err)
{
    StoreTableCtx *ctx = &table->ctx;
    int fd = store_lock_acquire(ctx, err);
    if (fd < 0) return -1;
    const char *parts[1] = {partition};
    int32_t buckets[1] = {-1};
    int rc = store_compact_locked(ctx, "weir-compact", true, partition ? parts : NULL, buckets,
                                  partition ? 1 : 0, 0, err);
    if (rc == 0) rc = store_expire_locked(ctx, wb_now_millis(), err);
    store_lock_release(fd);
    return rc;
}
