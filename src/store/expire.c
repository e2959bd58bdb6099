/*
 * expire.c - snapshot expiry and readers' pins.
 *
 * Expiry keeps the newest 'snapshot.num-retained.min' snapshots, never more
 * than 'snapshot.num-retained.max', and drops older ones once they are older
 * than 'snapshot.time-retained'; it never expires the snapshot a live pin
 * holds or any newer one.  Expiring snapshots [earliest, E) deletes:
 *   - data files deleted by the commits of snapshots (earliest, E] (a file
 *     deleted at d is only referenced by snapshots before d);
 *   - changelog files of snapshots [earliest, E);
 *   - manifests and manifest lists those snapshots name that snapshot E
 *     does not.
 * Order: snapshot files first (oldest first, then the EARLIEST hint), then
 * the pins are read again: a pin that appeared meanwhile on an expired
 * snapshot keeps every file (they become orphans, cleaned later).
 *
 * A pin is pin/pin-<pid>-<random>: {"snapshot":N,"expire":ms,"pid":P}.  It
 * is live while its lease has not run out and its process exists.  A
 * reader writes its pin before it checks that the snapshot still exists.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

static char *pin_dir(const StoreTableCtx *ctx)
{
    size_t n = strlen(ctx->dir) + 8;
    char *p = wb_malloc(n);
    snprintf(p, n, "%s/pin", ctx->dir);
    return p;
}

static int write_pin(const char *path, int64_t snapshot, int64_t lease_ms, bool replace, WbError *err)
{
    char text[128];
    int len = snprintf(text, sizeof text, "{\"snapshot\":%lld,\"expire\":%lld,\"pid\":%d}\n",
                       (long long)snapshot, (long long)(wb_now_millis() + lease_ms), (int)getpid());
    int rc = store_publish_file(path, text, (size_t)len, replace, err);
    return rc == 0 ? 0 : -1;
}

char *store_pin_create(const StoreTableCtx *ctx, int64_t snapshot, int64_t lease_ms, WbError *err)
{
    char *dir = pin_dir(ctx);
    if (store_mkdirs(dir, err) != 0) { free(dir); return NULL; }
    char id[33];
    store_random_id(id);
    size_t n = strlen(dir) + 64;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/pin-%d-%.12s", dir, (int)getpid(), id);
    free(dir);
    if (write_pin(path, snapshot, lease_ms, false, err) != 0) { free(path); return NULL; }
    return path;
}

int store_pin_update(const StoreTableCtx *ctx, const char *path, int64_t snapshot, int64_t lease_ms,
                     WbError *err)
{
    (void)ctx;
    return write_pin(path, snapshot, lease_ms, true, err);
}

void store_pin_remove(char *path)
{
    if (!path) return;
    unlink(path);
    free(path);
}

/* The smallest snapshot a live pin holds (INT64_MAX: none); removes stale
 * pins when clean is set. */
static int64_t min_pin(const StoreTableCtx *ctx, int64_t now, bool clean)
{
    char *dir = pin_dir(ctx);
    DIR *d = opendir(dir);
    int64_t min = INT64_MAX;
    if (!d) { free(dir); return min; }
    struct dirent *de;
    WbArena arena;
    wb_arena_init(&arena, 0);
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "pin-", 4) != 0) continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *path = wb_malloc(n);
        snprintf(path, n, "%s/%s", dir, de->d_name);
        WbError err = {0};
        size_t len;
        char *text = store_read_file(path, &len, &err);
        const char *msg;
        SjVal *obj = text ? sj_parse(&arena, text, len, &msg) : NULL;
        int64_t snap, expire, pid;
        bool live = obj && sj_int(obj, "snapshot", &snap) == 0 && sj_int(obj, "expire", &expire) == 0 &&
                    sj_int(obj, "pid", &pid) == 0 && expire > now &&
                    !(kill((pid_t)pid, 0) != 0 && errno == ESRCH);
        if (live && snap < min) min = snap;
        /* a pin being written has no text yet: leave young files alone */
        if (!live && clean && text) unlink(path);
        free(text);
        free(path);
    }
    closedir(d);
    wb_arena_destroy(&arena);
    free(dir);
    return min;
}

typedef struct NameSet {
    char **names;
    int32_t n, cap;
} NameSet;

static void set_add(NameSet *s, const char *name)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->names = wb_realloc(s->names, sizeof(char *) * (size_t)s->cap);
    }
    s->names[s->n++] = (char *)name;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool set_has_sorted(const NameSet *s, const char *name)
{
    return s->n > 0 && bsearch(&name, s->names, (size_t)s->n, sizeof(char *), cmp_str) != NULL;
}

/* Adds a snapshot's manifest lists and manifests to set. */
static int add_manifests(const StoreTableCtx *ctx, const StoreSnapshot *s, WbArena *arena, NameSet *set,
                         WbError *err)
{
    const char *lists[3] = {s->base_list, s->delta_list, s->changelog_list};
    for (int i = 0; i < 3; i++) {
        if (!lists[i]) continue;
        set_add(set, lists[i]);
        StoreManifestMeta *metas;
        int32_t nm;
        if (store_manifest_list_read(ctx->dir, lists[i], arena, &metas, &nm, err) != 0) return -1;
        for (int32_t k = 0; k < nm; k++) set_add(set, metas[k].name);
    }
    return 0;
}

static void unlink_in(const char *dir, const char *sub, const char *name)
{
    size_t n = strlen(dir) + strlen(sub) + strlen(name) + 4;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/%s/%s", dir, sub, name);
    unlink(path);
    free(path);
}

int store_expire_locked(StoreTableCtx *ctx, int64_t now, WbError *err)
{
    const StoreOptions *o = &ctx->opts;
    int64_t earliest, latest;
    if (store_snapshot_earliest(ctx->dir, &earliest, err) != 0 ||
        store_snapshot_latest(ctx->dir, &latest, err) != 0)
        return -1;
    if (latest == 0 || latest - earliest + 1 <= o->retained_min) return 0;
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc = -1;
    NameSet files = {0}, keep = {0}, drop = {0};
    StoreFile *dead = NULL;
    int32_t ndead = 0, capdead = 0;
    int64_t max_expire = latest - o->retained_min + 1;   /* E may not exceed this */
    int64_t e = earliest;
    while (e < max_expire) {
        if (e < latest - o->retained_max + 1) { e++; continue; }
        StoreSnapshot s;
        int r = store_snapshot_read(ctx->dir, e, &arena, &s, err);
        if (r < 0) goto out;
        if (r == 0 && s.time_ms >= now - o->time_retained_ms) break;
        e++;
    }
    int64_t pinned = min_pin(ctx, now, true);
    if (pinned < e) e = pinned;
    if (e <= earliest) { rc = 0; goto out; }
    /* what the expired snapshots reference */
    for (int64_t id = earliest; id <= e; id++) {
        StoreSnapshot s;
        int r = store_snapshot_read(ctx->dir, id, &arena, &s, err);
        if (r < 0) goto out;
        if (r == 1) continue;
        if (id == e) {
            if (add_manifests(ctx, &s, &arena, &keep, err) != 0) goto out;
        } else {
            if (add_manifests(ctx, &s, &arena, &drop, err) != 0) goto out;
            if (s.changelog_list) {
                StoreFile *cl;
                int32_t ncl;
                if (store_snapshot_files(ctx->dir, &s, true, &arena, &cl, &ncl, err) != 0) goto out;
                for (int32_t i = 0; i < ncl; i++) {
                    if (ndead == capdead) { capdead = capdead ? capdead * 2 : 64; dead = wb_realloc(dead, sizeof(StoreFile) * (size_t)capdead); }
                    dead[ndead++] = cl[i];
                }
            }
        }
        if (id > earliest) {
            StoreEntry *delta;
            int32_t nd;
            if (store_snapshot_delta(ctx->dir, &s, &arena, &delta, &nd, err) != 0) goto out;
            for (int32_t i = 0; i < nd; i++) {
                if (delta[i].add) continue;
                if (ndead == capdead) { capdead = capdead ? capdead * 2 : 64; dead = wb_realloc(dead, sizeof(StoreFile) * (size_t)capdead); }
                dead[ndead++] = delta[i].file;
            }
        }
    }
    /* 1. the snapshot files, oldest first */
    for (int64_t id = earliest; id < e; id++) {
        char name[48];
        snprintf(name, sizeof name, "snapshot-%lld", (long long)id);
        unlink_in(ctx->dir, "snapshot", name);
    }
    store_snapshot_set_hint(ctx->dir, "EARLIEST", e);
    /* 2. a reader that pinned an expired snapshot meanwhile keeps the files */
    if (min_pin(ctx, now, false) < e) { rc = 0; goto out; }
    /* 3. data, changelog and manifest files */
    for (int32_t i = 0; i < ndead; i++) {
        char *path = store_file_path(ctx->dir, &dead[i]);
        unlink(path);
        free(path);
    }
    (void)files;
    if (keep.n > 1) qsort(keep.names, (size_t)keep.n, sizeof(char *), cmp_str);
    for (int32_t i = 0; i < drop.n; i++)
        if (!set_has_sorted(&keep, drop.names[i])) unlink_in(ctx->dir, "manifest", drop.names[i]);
    rc = 0;
out:
    free(files.names);
    free(keep.names);
    free(drop.names);
    free(dead);
    wb_arena_destroy(&arena);
    return rc;
}

int store_expire(StoreTable *table, WbError *err)
{
    StoreTableCtx *ctx = &table->ctx;
    int fd = store_lock_acquire(ctx, err);
    if (fd < 0) return -1;
    int rc = store_expire_locked(ctx, wb_now_millis(), err);
    store_lock_release(fd);
    return rc;
}
