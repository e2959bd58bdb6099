/*
 * changelog.c - changelog files and the exact changes between states: the
 * 'lookup' producer (changes of a commit by comparing each touched bucket
 * before and after it), changes between two snapshots (incremental reads,
 * streaming reads without a producer), and reading changelog files back as
 * change rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void store_changes_to_rows(const StoreTableCtx *ctx, const Batch *changes, Batch *rows)
{
    for (int32_t r = 0; r < changes->nrows; r++) {
        if (rows->nrows >= rows->capacity) ty_batch_reserve(rows, rows->nrows + 1);
        int32_t d = rows->nrows++;
        ty_batch_copy_cols(rows, d, 0, changes, r, NULL, ctx->schema.ncols);
        rows->weights[d] = 1;
        rows->cols[ctx->seq_col].i64[d] = r;
        rows->cols[ctx->seq_col].nulls[d] = 0;
        rows->cols[ctx->kind_col].i64[d] = ty_row_kind(changes, r);
        rows->cols[ctx->kind_col].nulls[d] = 0;
    }
}

int store_write_changelog(const StoreTableCtx *ctx, const Batch *changes, const char *partition,
                          int32_t bucket, WbArena *arena, StoreFile **out, int32_t *n,
                          int32_t *cap, WbError *err)
{
    Batch *rows = store_row_batch(ctx, changes->nrows + 1);
    store_changes_to_rows(ctx, changes, rows);
    int32_t *order = wb_malloc(sizeof(int32_t) * (size_t)(rows->nrows + 1));
    for (int32_t i = 0; i < rows->nrows; i++) order[i] = i;
    StoreFile f;
    int rc = store_write_file(ctx, rows, order, rows->nrows, partition, bucket, 0, true, 0, arena, &f, err);
    free(order);
    ty_batch_free(rows);
    if (rc != 0) return -1;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *out = wb_realloc(*out, sizeof(StoreFile) * (size_t)*cap);
    }
    (*out)[(*n)++] = f;
    return 0;
}

static bool same_group(const StoreFile *a, const StoreFile *b)
{
    return a->bucket == b->bucket && strcmp(a->partition, b->partition) == 0;
}

int store_changelog_by_diff(StoreTableCtx *ctx, const StoreFile *before, int32_t nbefore,
                            const StoreEntry *entries, int32_t nentries, WbArena *arena,
                            StoreFile **out, int32_t *nout, int32_t *cap, WbError *err)
{
    int rc = 0;
    /* the touched groups: those of the entries */
    for (int32_t i = 0; i < nentries && rc == 0; i++) {
        bool first = true;
        for (int32_t k = 0; k < i && first; k++) first = !same_group(&entries[k].file, &entries[i].file);
        if (!first) continue;
        const StoreFile *g = &entries[i].file;
        StoreFile **old = wb_malloc(sizeof(StoreFile *) * (size_t)(nbefore + 1));
        StoreFile **now = wb_malloc(sizeof(StoreFile *) * (size_t)(nbefore + nentries + 1));
        int32_t nold = 0, nnow = 0;
        for (int32_t k = 0; k < nbefore; k++) {
            if (!same_group(&before[k], g)) continue;
            old[nold++] = (StoreFile *)&before[k];
            bool deleted = false;
            for (int32_t e = 0; e < nentries && !deleted; e++)
                deleted = !entries[e].add && strcmp(entries[e].file.name, before[k].name) == 0;
            if (!deleted) now[nnow++] = (StoreFile *)&before[k];
        }
        for (int32_t e = 0; e < nentries; e++)
            if (entries[e].add && same_group(&entries[e].file, g)) now[nnow++] = (StoreFile *)&entries[e].file;
        Batch *changes = ty_batch_new(ctx->schema.types, ctx->schema.ncols, 1024);
        rc = store_diff_buckets(ctx, old, nold, now, nnow, changes, err);
        if (rc == 0 && changes->nrows > 0)
            rc = store_write_changelog(ctx, changes, g->partition, g->bucket, arena, out, nout, cap, err);
        ty_batch_free(changes);
        free(old);
        free(now);
    }
    return rc;
}
