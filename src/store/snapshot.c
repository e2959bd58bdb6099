/*
 * snapshot.c - snapshot/snapshot-<N> files, the LATEST/EARLIEST hints, and
 * the file set of a snapshot (base + delta manifests: ADD minus DELETE).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

const char *const store_commit_kind_names[] = {"APPEND", "COMPACT", "OVERWRITE"};

static char *snap_path(const char *dir, int64_t id)
{
    size_t n = strlen(dir) + 48;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/snapshot/snapshot-%lld", dir, (long long)id);
    return path;
}

static void corrupt(WbError *err, const char *path, const char *what)
{
    wb_error(err, WB_SQLSTATE_DATA, 0, 0, "corrupt snapshot file \"%s\": %s", path, what);
    snprintf(err->source, sizeof(err->source), "%s", path);
}

int store_snapshot_read(const char *dir, int64_t id, WbArena *arena, StoreSnapshot *out,
                        WbError *err)
{
    char *path = snap_path(dir, id);
    if (!store_file_exists(path)) { free(path); return 1; }
    size_t len;
    char *text = store_read_file(path, &len, err);
    if (!text) {
        free(path);
        /* deleted between the check and the read: expired */
        if (strstr(err->message, "does not exist")) { wb_error_clear(err); return 1; }
        return -1;
    }
    int rc = -1;
    const char *msg;
    SjVal *root = sj_parse(arena, text, len, &msg);
    memset(out, 0, sizeof(*out));
    if (!root || root->type != SJ_OBJ) { corrupt(err, path, root ? "not an object" : msg); goto done; }
    const char *kind = sj_str(root, "commitKind");
    const SjVal *cl = sj_get(root, "changelogManifestList");
    const SjVal *wm = sj_get(root, "watermark");
    out->base_list = (char *)sj_str(root, "baseManifestList");
    out->delta_list = (char *)sj_str(root, "deltaManifestList");
    out->commit_user = (char *)sj_str(root, "commitUser");
    if (sj_int(root, "id", &out->id) != 0 || out->id != id || sj_int(root, "schemaId", &out->schema_id) != 0 ||
        !out->base_list || !out->delta_list || !out->commit_user || !kind || !cl ||
        (cl->type != SJ_NULL && cl->type != SJ_STR) ||
        sj_int(root, "commitIdentifier", &out->commit_identifier) != 0 ||
        sj_int(root, "timeMillis", &out->time_ms) != 0 ||
        sj_int(root, "totalRecordCount", &out->total_records) != 0 ||
        sj_int(root, "deltaRecordCount", &out->delta_records) != 0 ||
        sj_int(root, "changelogRecordCount", &out->changelog_records) != 0 ||
        sj_int(root, "nextSequenceNumber", &out->next_seq) != 0) {
        corrupt(err, path, "missing or bad member");
        goto done;
    }
    out->changelog_list = cl->type == SJ_STR ? (char *)cl->str : NULL;
    out->kind = CK_APPEND;
    bool known = false;
    for (int k = 0; k < 3; k++)
        if (strcmp(kind, store_commit_kind_names[k]) == 0) { out->kind = (CommitKind)k; known = true; }
    if (!known) { corrupt(err, path, "unknown commitKind"); goto done; }
    out->watermark = INT64_MIN;
    if (wm && wm->type == SJ_NUM) ty_parse_int64(wm->str, wm->len, &out->watermark);
    rc = 0;
done:
    free(text);
    free(path);
    return rc;
}

int store_snapshot_publish(const char *dir, const StoreSnapshot *s, WbError *err)
{
    WbBuf out = {0};
    wb_buf_printf(&out, "{\n  \"version\" : 3,\n  \"id\" : %lld,\n  \"schemaId\" : %lld,\n"
                  "  \"baseManifestList\" : ", (long long)s->id, (long long)s->schema_id);
    sj_put_str(&out, s->base_list, strlen(s->base_list));
    wb_buf_puts(&out, ",\n  \"deltaManifestList\" : ");
    sj_put_str(&out, s->delta_list, strlen(s->delta_list));
    wb_buf_puts(&out, ",\n  \"changelogManifestList\" : ");
    if (s->changelog_list) sj_put_str(&out, s->changelog_list, strlen(s->changelog_list));
    else wb_buf_puts(&out, "null");
    wb_buf_puts(&out, ",\n  \"commitUser\" : ");
    sj_put_str(&out, s->commit_user, strlen(s->commit_user));
    wb_buf_printf(&out, ",\n  \"commitIdentifier\" : %lld,\n  \"commitKind\" : \"%s\",\n"
                  "  \"timeMillis\" : %lld,\n  \"totalRecordCount\" : %lld,\n"
                  "  \"deltaRecordCount\" : %lld,\n  \"changelogRecordCount\" : %lld,\n"
                  "  \"nextSequenceNumber\" : %lld,\n  \"watermark\" : ",
                  (long long)s->commit_identifier, store_commit_kind_names[s->kind],
                  (long long)s->time_ms, (long long)s->total_records, (long long)s->delta_records,
                  (long long)s->changelog_records, (long long)s->next_seq);
    if (s->watermark == INT64_MIN) wb_buf_puts(&out, "null");
    else wb_buf_printf(&out, "%lld", (long long)s->watermark);
    wb_buf_puts(&out, "\n}\n");
    size_t n = strlen(dir) + 16;
    char *sdir = wb_malloc(n);
    snprintf(sdir, n, "%s/snapshot", dir);
    int rc = store_mkdirs(sdir, err);
    free(sdir);
    if (rc == 0) {
        char *path = snap_path(dir, s->id);
        rc = store_publish_file(path, out.data, out.len, false, err);
        free(path);
    }
    wb_buf_free(&out);
    return rc;
}

void store_snapshot_set_hint(const char *dir, const char *hint, int64_t id)
{
    size_t n = strlen(dir) + 32;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/snapshot/%s", dir, hint);
    char text[32];
    int len = snprintf(text, sizeof text, "%lld", (long long)id);
    WbError ignored = {0};
    /* a hint that fails to update is harmless: readers probe */
    store_publish_file(path, text, (size_t)len, true, &ignored);
    free(path);
}

static int64_t read_hint(const char *dir, const char *hint)
{
    size_t n = strlen(dir) + 32;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/snapshot/%s", dir, hint);
    WbError ignored = {0};
    size_t len;
    char *text = store_read_file(path, &len, &ignored);
    free(path);
    int64_t id = -1;
    if (text && (ty_parse_int64(text, len, &id) != 0 || id < 1)) id = -1;
    free(text);
    return id;
}

static bool snap_exists(const char *dir, int64_t id)
{
    char *path = snap_path(dir, id);
    bool ok = store_file_exists(path);
    free(path);
    return ok;
}

/* Lists snapshot ids (fallback when the hint is unusable): min and max. */
static int list_snapshots(const char *dir, int64_t *min, int64_t *max, WbError *err)
{
    size_t n = strlen(dir) + 16;
    char *sdir = wb_malloc(n);
    snprintf(sdir, n, "%s/snapshot", dir);
    *min = 0;
    *max = 0;
    DIR *d = opendir(sdir);
    free(sdir);
    if (!d) return 0;   /* no snapshot directory: no snapshot */
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int64_t id;
        if (strncmp(de->d_name, "snapshot-", 9) != 0) continue;
        if (ty_parse_int64(de->d_name + 9, strlen(de->d_name + 9), &id) != 0 || id < 1) continue;
        if (*max == 0 || id > *max) *max = id;
        if (*min == 0 || id < *min) *min = id;
    }
    closedir(d);
    (void)err;
    return 0;
}

int store_snapshot_latest(const char *dir, int64_t *id, WbError *err)
{
    int64_t hint = read_hint(dir, "LATEST");
    if (hint > 0 && snap_exists(dir, hint)) {
        while (snap_exists(dir, hint + 1)) hint++;
        *id = hint;
        return 0;
    }
    int64_t min, max;
    if (list_snapshots(dir, &min, &max, err) != 0) return -1;
    *id = max;
    return 0;
}

int store_snapshot_earliest(const char *dir, int64_t *id, WbError *err)
{
    int64_t hint = read_hint(dir, "EARLIEST");
    if (hint > 0 && snap_exists(dir, hint) && (hint == 1 || !snap_exists(dir, hint - 1))) {
        *id = hint;
        return 0;
    }
    int64_t min, max;
    if (list_snapshots(dir, &min, &max, err) != 0) return -1;
    *id = min;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const StoreEntry *)a)->file.name, ((const StoreEntry *)b)->file.name);
}

static int read_list_entries(const char *dir, const char *list, WbArena *arena,
                             StoreEntry **entries, int32_t *n, int32_t *cap, WbError *err)
{
    StoreManifestMeta *metas;
    int32_t nm;
    if (store_manifest_list_read(dir, list, arena, &metas, &nm, err) != 0) return -1;
    for (int32_t i = 0; i < nm; i++)
        if (store_manifest_read(dir, metas[i].name, arena, entries, n, cap, err) != 0) return -1;
    return 0;
}

int store_snapshot_files(const char *dir, const StoreSnapshot *snap, bool changelog,
                         WbArena *arena, StoreFile **files, int32_t *nfiles, WbError *err)
{
    StoreEntry *entries = NULL;
    int32_t n = 0, cap = 0;
    int rc = -1;
    if (changelog) {
        if (snap->changelog_list &&
            read_list_entries(dir, snap->changelog_list, arena, &entries, &n, &cap, err) != 0)
            goto done;
    } else {
        if (read_list_entries(dir, snap->base_list, arena, &entries, &n, &cap, err) != 0 ||
            read_list_entries(dir, snap->delta_list, arena, &entries, &n, &cap, err) != 0)
            goto done;
    }
    /* live = added - deleted; a file is added once and deleted at most
     * once, so sorting by name pairs an ADD with its DELETE */
    if (n > 1) qsort(entries, (size_t)n, sizeof(StoreEntry), cmp_name);
    *files = wb_arena_alloc(arena, sizeof(StoreFile) * (size_t)(n + 1));
    int32_t out = 0;
    for (int32_t i = 0; i < n;) {
        int32_t j = i + 1;
        bool deleted = !entries[i].add;
        while (j < n && strcmp(entries[j].file.name, entries[i].file.name) == 0) {
            deleted |= !entries[j].add;
            j++;
        }
        if (!deleted) (*files)[out++] = entries[i].file;
        i = j;
    }
    *nfiles = out;
    rc = 0;
done:
    free(entries);
    return rc;
}

int store_snapshot_delta(const char *dir, const StoreSnapshot *snap, WbArena *arena,
                         StoreEntry **out, int32_t *nout, WbError *err)
{
    StoreEntry *entries = NULL;
    int32_t n = 0, cap = 0;
    if (read_list_entries(dir, snap->delta_list, arena, &entries, &n, &cap, err) != 0) {
        free(entries);
        return -1;
    }
    *out = wb_arena_alloc(arena, sizeof(StoreEntry) * (size_t)(n + 1));
    if (n) memcpy(*out, entries, sizeof(StoreEntry) * (size_t)n);
    *nout = n;
    free(entries);
    return 0;
}
