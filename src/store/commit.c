/*
 * commit.c - the commit protocol: manifests for what a commit changed, a
 * base manifest list carried over (merged into one manifest when it grows
 * past 'manifest.merge-min-count'), then snapshot-<N+1> published without
 * overwrite.  A commit is identified by (commit user, identifier, kind): the
 * same commit twice is a no-op.
 *
 *   prepared files -> manifests (invisible) -> snapshot-N+1 linked (visible)
 *                                           -> LATEST hint
 * A crash before the link leaves only unreferenced files (orphans); after
 * it, the commit is complete (the hint is repaired by probing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int store_commit_exists(StoreTableCtx *ctx, const char *user, int64_t identifier,
                        int64_t *checked_upto, int64_t *last_identifier, WbError *err)
{
    int64_t latest, earliest;
    if (store_snapshot_latest(ctx->dir, &latest, err) != 0) return -1;
    if (store_snapshot_earliest(ctx->dir, &earliest, err) != 0) return -1;
    int64_t floor = checked_upto && *checked_upto >= earliest ? *checked_upto : earliest - 1;
    int64_t newest = last_identifier && floor >= earliest ? *last_identifier : INT64_MIN;
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = 0;
    /* identifiers of one user grow: its newest snapshot decides */
    for (int64_t id = latest; id > floor && id > 0; id--) {
        StoreSnapshot s;
        int r = store_snapshot_read(ctx->dir, id, &arena, &s, err);
        if (r < 0) { rc = -1; break; }
        if (r == 1) break;   /* expired meanwhile */
        if (strcmp(s.commit_user, user) != 0 || s.kind == CK_COMPACT) continue;
        newest = s.commit_identifier;
        break;
    }
    wb_arena_destroy(&arena);
    if (rc < 0) return -1;
    if (checked_upto) *checked_upto = latest;
    if (last_identifier) *last_identifier = newest;
    return newest != INT64_MIN && newest >= identifier ? 1 : 0;
}

static int64_t sum_rows(const StoreEntry *e, int32_t n, bool add)
{
    int64_t total = 0;
    for (int32_t i = 0; i < n; i++)
        if (e[i].add == add) total += e[i].file.rows;
    return total;
}

int store_commit(StoreTableCtx *ctx, const StoreCommit *c, int64_t *snapshot_id, WbError *err)
{
    *snapshot_id = 0;
    if (c->kind != CK_COMPACT) {
        int exists = store_commit_exists(ctx, c->commit_user, c->identifier, c->checked_upto,
                                         c->last_identifier, err);
        if (exists < 0) return -1;
        if (exists) return 0;
    }
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = -1;
    if (ctx->schema.id < 0) {
        ctx->schema.id = 0;
        if (store_schema_write(ctx->dir, &ctx->schema, err) != 0) {
            ctx->schema.id = -1;
            goto out;
        }
    }
    int64_t latest;
    if (store_snapshot_latest(ctx->dir, &latest, err) != 0) goto out;
    StoreSnapshot prev;
    bool has_prev = false;
    if (latest > 0) {
        int r = store_snapshot_read(ctx->dir, latest, &arena, &prev, err);
        if (r < 0) goto out;
        has_prev = r == 0;
    }
    /* base: the previous snapshot's base + delta */
    StoreManifestMeta *base = NULL;
    int32_t nbase = 0;
    if (has_prev) {
        StoreManifestMeta *b1, *b2;
        int32_t n1, n2;
        if (store_manifest_list_read(ctx->dir, prev.base_list, &arena, &b1, &n1, err) != 0 ||
            store_manifest_list_read(ctx->dir, prev.delta_list, &arena, &b2, &n2, err) != 0)
            goto out;
        base = wb_arena_alloc(&arena, sizeof(StoreManifestMeta) * (size_t)(n1 + n2 + 1));
        memcpy(base, b1, sizeof(StoreManifestMeta) * (size_t)n1);
        memcpy(base + n1, b2, sizeof(StoreManifestMeta) * (size_t)n2);
        nbase = n1 + n2;
        if (nbase > ctx->opts.manifest_merge_min_count) {
            /* merge: one manifest of the live files */
            StoreFile *files;
            int32_t nfiles;
            if (store_snapshot_files(ctx->dir, &prev, false, &arena, &files, &nfiles, err) != 0) goto out;
            StoreEntry *adds = wb_malloc(sizeof(StoreEntry) * (size_t)(nfiles + 1));
            for (int32_t i = 0; i < nfiles; i++) { adds[i].add = true; adds[i].file = files[i]; }
            int r = store_manifest_write(ctx->dir, adds, nfiles, &arena, &base[0], err);
            free(adds);
            if (r != 0) goto out;
            nbase = 1;
        }
    }
    StoreSnapshot s;
    memset(&s, 0, sizeof(s));
    s.id = latest + 1;
    s.schema_id = ctx->schema.id;
    s.commit_user = (char *)c->commit_user;
    s.commit_identifier = c->identifier;
    s.kind = c->kind;
    s.time_ms = wb_now_millis();
    if (has_prev && s.time_ms < prev.time_ms) s.time_ms = prev.time_ms;   /* monotonic */
    s.next_seq = c->next_seq;
    if (has_prev && prev.next_seq > s.next_seq) s.next_seq = prev.next_seq;
    s.watermark = c->watermark;
    if (has_prev && prev.watermark != INT64_MIN && prev.watermark > s.watermark) s.watermark = prev.watermark;
    if (store_manifest_list_write(ctx->dir, base, nbase, &arena, &s.base_list, err) != 0) goto out;
    StoreManifestMeta delta;
    if (store_manifest_write(ctx->dir, c->entries, c->nentries, &arena, &delta, err) != 0 ||
        store_manifest_list_write(ctx->dir, &delta, 1, &arena, &s.delta_list, err) != 0)
        goto out;
    s.changelog_list = NULL;
    if (c->nchangelog > 0) {
        StoreEntry *ce = wb_malloc(sizeof(StoreEntry) * (size_t)c->nchangelog);
        for (int32_t i = 0; i < c->nchangelog; i++) { ce[i].add = true; ce[i].file = c->changelog[i]; }
        StoreManifestMeta cm;
        int r = store_manifest_write(ctx->dir, ce, c->nchangelog, &arena, &cm, err);
        for (int32_t i = 0; i < c->nchangelog; i++) s.changelog_records += c->changelog[i].rows;
        free(ce);
        if (r != 0 || store_manifest_list_write(ctx->dir, &cm, 1, &arena, &s.changelog_list, err) != 0)
            goto out;
    }
    int64_t added = sum_rows(c->entries, c->nentries, true);
    int64_t deleted = sum_rows(c->entries, c->nentries, false);
    s.delta_records = added - deleted;
    s.total_records = (has_prev ? prev.total_records : 0) + added - deleted;
    int r = store_snapshot_publish(ctx->dir, &s, err);
    if (r < 0) goto out;
    if (r == 1) {
        wb_error(err, "40001", 0, 0, "snapshot %lld of table %s was committed by another writer",
                 (long long)s.id, ctx->name);
        wb_error_hint(err, "retry the job");
        goto out;
    }
    store_snapshot_set_hint(ctx->dir, "LATEST", s.id);
    if (c->kind != CK_COMPACT && c->checked_upto && *c->checked_upto == latest) {
        *c->checked_upto = s.id;
        *c->last_identifier = c->identifier;
    }
    if (s.id == 1) store_snapshot_set_hint(ctx->dir, "EARLIEST", 1);
    *snapshot_id = s.id;
    rc = 0;
out:
    wb_arena_destroy(&arena);
    return rc;
}
