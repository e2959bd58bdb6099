/*
 * manifest.c - manifest files (the data files a commit added or deleted)
 * and manifest lists (the manifests of a snapshot), as JSON lines ended by
 * an {"end":n} line so that a truncated file is detected.  The format is
 * described in store.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static void corrupt(WbError *err, const char *path, int64_t line, const char *what)
{
    wb_error(err, WB_SQLSTATE_DATA, 0, 0, "corrupt manifest file \"%s\": line %lld: %s", path,
             (long long)line, what);
    snprintf(err->source, sizeof(err->source), "%s", path);
    err->line = (int)line;
}

static char *manifest_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 16;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/manifest/%s", dir, name);
    return path;
}

char *store_file_path(const char *dir, const StoreFile *file)
{
    size_t n = strlen(dir) + strlen(file->partition) + strlen(file->name) + 32;
    char *path = wb_malloc(n);
    if (file->partition[0])
        snprintf(path, n, "%s/%s/bucket-%d/%s", dir, file->partition, file->bucket, file->name);
    else
        snprintf(path, n, "%s/bucket-%d/%s", dir, file->bucket, file->name);
    return path;
}

static int write_lines(const char *dir, const char *prefix, WbBuf *body, int64_t nlines,
                       WbArena *arena, char **name_out, int64_t *size_out, WbError *err)
{
    wb_buf_printf(body, "{\"end\":%lld}\n", (long long)nlines);
    char id[33];
    store_random_id(id);
    char name[96];
    snprintf(name, sizeof name, "%s-%s-0", prefix, id);
    size_t n = strlen(dir) + 16;
    char *mdir = wb_malloc(n);
    snprintf(mdir, n, "%s/manifest", dir);
    int rc = store_mkdirs(mdir, err);
    free(mdir);
    if (rc != 0) return -1;
    char *path = manifest_path(dir, name);
    rc = store_write_new_file(path, body->data, body->len, err);
    free(path);
    if (rc != 0) return -1;
    *name_out = wb_arena_strdup(arena, name);
    if (size_out) *size_out = (int64_t)body->len;
    return 0;
}

int store_manifest_write(const char *dir, const StoreEntry *entries, int32_t n,
                         WbArena *arena, StoreManifestMeta *meta, WbError *err)
{
    WbBuf out = {0};
    memset(meta, 0, sizeof(*meta));
    for (int32_t i = 0; i < n; i++) {
        const StoreFile *f = &entries[i].file;
        wb_buf_printf(&out, "{\"kind\":\"%s\",\"partition\":", entries[i].add ? "ADD" : "DELETE");
        sj_put_str(&out, f->partition, strlen(f->partition));
        wb_buf_printf(&out, ",\"bucket\":%d,\"fileName\":", f->bucket);
        sj_put_str(&out, f->name, strlen(f->name));
        wb_buf_printf(&out, ",\"level\":%d,\"rowCount\":%lld,\"minSequenceNumber\":%lld,"
                      "\"maxSequenceNumber\":%lld,", f->level, (long long)f->rows,
                      (long long)f->min_seq, (long long)f->max_seq);
        if (f->delete_rows >= 0) wb_buf_printf(&out, "\"deleteRowCount\":%lld,", (long long)f->delete_rows);
        wb_buf_puts(&out, "\"minKey\":\"");
        store_hex_put(&out, f->min_key, f->min_key_len);
        wb_buf_puts(&out, "\",\"maxKey\":\"");
        store_hex_put(&out, f->max_key, f->max_key_len);
        wb_buf_printf(&out, "\",\"fileSize\":%lld,\"schemaId\":%lld,\"creationTime\":%lld,"
                      "\"fileSource\":\"%s\",\"changelog\":%s}\n", (long long)f->size,
                      (long long)f->schema_id, (long long)f->creation_ms,
                      f->compacted ? "COMPACT" : "APPEND", f->changelog ? "true" : "false");
        if (entries[i].add) meta->added++;
        else meta->deleted++;
    }
    int rc = write_lines(dir, "manifest", &out, n, arena, &meta->name, &meta->size, err);
    wb_buf_free(&out);
    return rc;
}

/* Splits text into lines; calls back per line; checks the end line. */
typedef int (*LineFn)(void *ctx, const SjVal *obj, int64_t line, const char *path, WbError *err);

static int read_lines(const char *path, WbArena *arena, LineFn fn, void *ctx, WbError *err)
{
    size_t len;
    char *text = store_read_file(path, &len, err);
    if (!text) return -1;
    int rc = -1;
    int64_t line = 0, items = 0;
    bool ended = false;
    size_t pos = 0;
    while (pos < len) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line++;
        if (ended) { corrupt(err, path, line, "text after the end line"); goto done; }
        const char *msg;
        SjVal *obj = sj_parse(arena, text + pos, end - pos, &msg);
        if (!obj || obj->type != SJ_OBJ) { corrupt(err, path, line, obj ? "not an object" : msg); goto done; }
        int64_t count;
        if (sj_int(obj, "end", &count) == 0) {
            if (count != items) { corrupt(err, path, line, "wrong entry count"); goto done; }
            ended = true;
        } else {
            if (fn(ctx, obj, line, path, err) != 0) goto done;
            items++;
        }
        pos = end + 1;
    }
    if (!ended) { corrupt(err, path, line, "truncated (no end line)"); goto done; }
    rc = 0;
done:
    free(text);
    return rc;
}

typedef struct EntryCtx {
    WbArena *arena;
    StoreEntry **out;
    int32_t *n, *cap;
} EntryCtx;

static int get_key(const SjVal *obj, const char *member, WbArena *arena, uint8_t **data,
                   uint32_t *len)
{
    const char *hex = sj_str(obj, member);
    if (!hex) return -1;
    WbBuf buf = {0};
    if (store_hex_get(hex, strlen(hex), &buf) != 0) { wb_buf_free(&buf); return -1; }
    *len = (uint32_t)buf.len;
    *data = wb_arena_alloc(arena, buf.len + 1);
    if (buf.len) memcpy(*data, buf.data, buf.len);
    wb_buf_free(&buf);
    return 0;
}

static int entry_line(void *vctx, const SjVal *obj, int64_t line, const char *path, WbError *err)
{
    EntryCtx *ctx = vctx;
    if (*ctx->n == *ctx->cap) {
        *ctx->cap = *ctx->cap ? *ctx->cap * 2 : 64;
        *ctx->out = wb_realloc(*ctx->out, sizeof(StoreEntry) * (size_t)*ctx->cap);
    }
    StoreEntry *e = &(*ctx->out)[*ctx->n];
    memset(e, 0, sizeof(*e));
    const char *kind = sj_str(obj, "kind");
    const char *part = sj_str(obj, "partition");
    const char *name = sj_str(obj, "fileName");
    const char *source = sj_str(obj, "fileSource");
    const SjVal *cl = sj_get(obj, "changelog");
    int64_t bucket, level;
    StoreFile *f = &e->file;
    if (!kind || (strcmp(kind, "ADD") && strcmp(kind, "DELETE")) || !part || !name || !source ||
        !cl || cl->type != SJ_BOOL || strchr(name, '/') || name[0] == '.' ||
        sj_int(obj, "bucket", &bucket) != 0 || bucket < 0 || bucket > 1 << 20 ||
        sj_int(obj, "level", &level) != 0 || level < 0 || level > 1000 ||
        sj_int(obj, "rowCount", &f->rows) != 0 || sj_int(obj, "minSequenceNumber", &f->min_seq) != 0 ||
        sj_int(obj, "maxSequenceNumber", &f->max_seq) != 0 || sj_int(obj, "fileSize", &f->size) != 0 ||
        sj_int(obj, "schemaId", &f->schema_id) != 0 || sj_int(obj, "creationTime", &f->creation_ms) != 0 ||
        get_key(obj, "minKey", ctx->arena, &f->min_key, &f->min_key_len) != 0 ||
        get_key(obj, "maxKey", ctx->arena, &f->max_key, &f->max_key_len) != 0) {
        corrupt(err, path, line, "bad entry");
        return -1;
    }
    /* written since the count was kept; unknown before */
    if (sj_get(obj, "deleteRowCount") &&
        (sj_int(obj, "deleteRowCount", &f->delete_rows) != 0 || f->delete_rows < 0 || f->delete_rows > f->rows)) {
        corrupt(err, path, line, "bad entry");
        return -1;
    }
    if (!sj_get(obj, "deleteRowCount")) f->delete_rows = -1;
    e->add = kind[0] == 'A';
    f->name = (char *)name;
    f->partition = (char *)part;
    f->bucket = (int32_t)bucket;
    f->level = (int32_t)level;
    f->compacted = strcmp(source, "COMPACT") == 0;
    f->changelog = cl->b;
    (*ctx->n)++;
    return 0;
}

int store_manifest_read(const char *dir, const char *name, WbArena *arena,
                        StoreEntry **out, int32_t *n, int32_t *cap, WbError *err)
{
    char *path = manifest_path(dir, name);
    EntryCtx ctx = {arena, out, n, cap};
    int rc = read_lines(path, arena, entry_line, &ctx, err);
    free(path);
    return rc;
}

int store_manifest_list_write(const char *dir, const StoreManifestMeta *metas, int32_t n,
                              WbArena *arena, char **name_out, WbError *err)
{
    WbBuf out = {0};
    for (int32_t i = 0; i < n; i++) {
        wb_buf_puts(&out, "{\"fileName\":");
        sj_put_str(&out, metas[i].name, strlen(metas[i].name));
        wb_buf_printf(&out, ",\"fileSize\":%lld,\"numAddedFiles\":%lld,\"numDeletedFiles\":%lld}\n",
                      (long long)metas[i].size, (long long)metas[i].added, (long long)metas[i].deleted);
    }
    int rc = write_lines(dir, "manifest-list", &out, n, arena, name_out, NULL, err);
    wb_buf_free(&out);
    return rc;
}

typedef struct ListCtx {
    WbArena *arena;
    StoreManifestMeta *items;
    int32_t n, cap;
} ListCtx;

static int list_line(void *vctx, const SjVal *obj, int64_t line, const char *path, WbError *err)
{
    ListCtx *ctx = vctx;
    if (ctx->n == ctx->cap) {
        ctx->cap = ctx->cap ? ctx->cap * 2 : 16;
        ctx->items = wb_realloc(ctx->items, sizeof(StoreManifestMeta) * (size_t)ctx->cap);
    }
    StoreManifestMeta *m = &ctx->items[ctx->n];
    const char *name = sj_str(obj, "fileName");
    if (!name || strchr(name, '/') || name[0] == '.' || sj_int(obj, "fileSize", &m->size) != 0 ||
        sj_int(obj, "numAddedFiles", &m->added) != 0 || sj_int(obj, "numDeletedFiles", &m->deleted) != 0) {
        corrupt(err, path, line, "bad manifest list entry");
        return -1;
    }
    m->name = (char *)name;
    ctx->n++;
    return 0;
}

int store_manifest_list_read(const char *dir, const char *name, WbArena *arena,
                             StoreManifestMeta **out, int32_t *n, WbError *err)
{
    char *path = manifest_path(dir, name);
    ListCtx ctx = {arena, NULL, 0, 0};
    int rc = read_lines(path, arena, list_line, &ctx, err);
    free(path);
    if (rc != 0) { free(ctx.items); return -1; }
    *out = wb_arena_alloc(arena, sizeof(StoreManifestMeta) * (size_t)(ctx.n + 1));
    if (ctx.n) memcpy(*out, ctx.items, sizeof(StoreManifestMeta) * (size_t)ctx.n);
    *n = ctx.n;
    free(ctx.items);
    return 0;
}
