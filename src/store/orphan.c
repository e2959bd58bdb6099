/*
 * orphan.c - removing orphan files: data, changelog and manifest files that
 * no snapshot names (a writer that crashed or failed before its commit, a
 * retried commit, an expiry that kept files for a reader), and the hidden
 * temporaries of interrupted publications.  The one place that lists the
 * table's directories.  Only files older than a given age are removed, so
 * that a writer preparing its commit right now keeps its files.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"

typedef struct Names {
    char **items;
    int32_t n, cap;
} Names;

static void names_add(Names *s, const char *name)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->items = wb_realloc(s->items, sizeof(char *) * (size_t)s->cap);
    }
    s->items[s->n++] = (char *)name;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool names_has(const Names *s, const char *name)
{
    return s->n > 0 && bsearch(&name, s->items, (size_t)s->n, sizeof(char *), cmp_str) != NULL;
}

/* nftw has no context argument: the walk's state is this file's */
static const Names *walk_keep;
static int64_t walk_cutoff_s;
static int64_t walk_removed;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F) return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    bool temporary = base[0] == '.' && strstr(base, ".tmp-") != NULL;
    bool ours = strncmp(base, "data-", 5) == 0 || strncmp(base, "changelog-", 10) == 0 ||
                strncmp(base, "manifest-", 9) == 0;
    if (!temporary && !ours) return 0;   /* schema, snapshot, hints, LOCK, pins, others' files */
    if ((int64_t)st->st_mtime > walk_cutoff_s) return 0;
    if (!temporary && names_has(walk_keep, base)) return 0;
    if (unlink(path) == 0) walk_removed++;
    return 0;
}

int store_remove_orphans(StoreTable *t, int64_t older_than_ms, int64_t *removed, WbError *err)
{
    StoreTableCtx *ctx = &t->ctx;
    *removed = 0;
    int fd = store_lock_acquire(ctx, err);   /* no commit or expiry meanwhile */
    if (fd < 0) return -1;
    WbArena arena;
    wb_arena_init(&arena, 0);
    Names keep = {0};
    int rc = -1;
    int64_t earliest, latest;
    if (store_snapshot_earliest(ctx->dir, &earliest, err) != 0 ||
        store_snapshot_latest(ctx->dir, &latest, err) != 0)
        goto out;
    /* everything any snapshot names (a reader may hold an old one) */
    for (int64_t id = earliest; id <= latest && id > 0; id++) {
        StoreSnapshot s;
        int r = store_snapshot_read(ctx->dir, id, &arena, &s, err);
        if (r < 0) goto out;
        if (r == 1) continue;
        const char *lists[3] = {s.base_list, s.delta_list, s.changelog_list};
        for (int i = 0; i < 3; i++) {
            if (!lists[i]) continue;
            names_add(&keep, lists[i]);
            StoreManifestMeta *metas;
            int32_t nm;
            if (store_manifest_list_read(ctx->dir, lists[i], &arena, &metas, &nm, err) != 0) goto out;
            for (int32_t k = 0; k < nm; k++) {
                names_add(&keep, metas[k].name);
                StoreEntry *entries = NULL;
                int32_t ne = 0, cap = 0;
                if (store_manifest_read(ctx->dir, metas[k].name, &arena, &entries, &ne, &cap, err) != 0) {
                    free(entries);
                    goto out;
                }
                for (int32_t e = 0; e < ne; e++) names_add(&keep, entries[e].file.name);
                free(entries);
            }
        }
    }
    if (keep.n > 1) qsort(keep.items, (size_t)keep.n, sizeof(char *), cmp_str);
    walk_keep = &keep;
    walk_cutoff_s = (wb_now_millis() - older_than_ms) / 1000;
    walk_removed = 0;
    if (nftw(ctx->dir, visit, 16, FTW_PHYS) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not list the files of table %s in \"%s\"", ctx->name, ctx->dir);
        goto out;
    }
    *removed = walk_removed;
    rc = 0;
out:
    free(keep.items);
    wb_arena_destroy(&arena);
    store_lock_release(fd);
    return rc;
}
