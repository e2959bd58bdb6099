/*
 * systable.c - a stored table's system tables, read from its metadata
 * (Paimon's names and columns, with file counts and sizes added to
 * $snapshots):
 *
 *   t$snapshots  one row per retained snapshot, oldest first
 *   t$files      the live data files of the latest snapshot
 *   t$options    the table's options (latest schema)
 *   t$schemas    one row per schema version
 *
 * Times are TIMESTAMP(3) wall times of the session zone.  The rows are a
 * snapshot of the metadata when read: no lock, no pin (a snapshot expired
 * meanwhile is skipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

typedef struct SysCol {
    const char *name;
    TypeId type;
} SysCol;

static const SysCol snapshot_cols[] = {
    {"snapshot_id", TY_BIGINT},         {"schema_id", TY_BIGINT},
    {"commit_user", TY_STRING},         {"commit_identifier", TY_BIGINT},
    {"commit_kind", TY_STRING},         {"commit_time", TY_TIMESTAMP},
    {"base_manifest_list", TY_STRING},  {"delta_manifest_list", TY_STRING},
    {"changelog_manifest_list", TY_STRING}, {"total_record_count", TY_BIGINT},
    {"delta_record_count", TY_BIGINT},  {"changelog_record_count", TY_BIGINT},
    {"watermark", TY_BIGINT},           {"file_count", TY_BIGINT},
    {"file_size_in_bytes", TY_BIGINT},
};
static const SysCol file_cols[] = {
    {"partition", TY_STRING},           {"bucket", TY_INT},
    {"file_path", TY_STRING},           {"file_format", TY_STRING},
    {"schema_id", TY_BIGINT},           {"level", TY_INT},
    {"record_count", TY_BIGINT},        {"file_size_in_bytes", TY_BIGINT},
    {"min_key", TY_STRING},             {"max_key", TY_STRING},
    {"min_sequence_number", TY_BIGINT}, {"max_sequence_number", TY_BIGINT},
    {"creation_time", TY_TIMESTAMP},
};
static const SysCol option_cols[] = {{"key", TY_STRING}, {"value", TY_STRING}};
static const SysCol schema_cols[] = {
    {"schema_id", TY_BIGINT},      {"fields", TY_STRING},  {"partition_keys", TY_STRING},
    {"primary_keys", TY_STRING},   {"options", TY_STRING}, {"comment", TY_STRING},
    {"update_time", TY_TIMESTAMP},
};

static const struct {
    const char *suffix;
    const SysCol *cols;
    int32_t ncols;
} kinds[] = {
    [STORE_SYS_SNAPSHOTS] = {"snapshots", snapshot_cols, (int32_t)WB_ARRAY_LEN(snapshot_cols)},
    [STORE_SYS_FILES] = {"files", file_cols, (int32_t)WB_ARRAY_LEN(file_cols)},
    [STORE_SYS_OPTIONS] = {"options", option_cols, (int32_t)WB_ARRAY_LEN(option_cols)},
    [STORE_SYS_SCHEMAS] = {"schemas", schema_cols, (int32_t)WB_ARRAY_LEN(schema_cols)},
};

int store_sys_kind(const char *suffix)
{
    for (int k = 0; k < (int)WB_ARRAY_LEN(kinds); k++)
        if (wb_ieq(suffix, strlen(suffix), kinds[k].suffix)) return k;
    return -1;
}

int32_t store_sys_ncols(StoreSysTable kind) { return kinds[kind].ncols; }

const char *store_sys_col_name(StoreSysTable kind, int32_t col) { return kinds[kind].cols[col].name; }

SqlType store_sys_col_type(StoreSysTable kind, int32_t col)
{
    TypeId id = kinds[kind].cols[col].type;
    return id == TY_TIMESTAMP ? ty_timestamp(3) : ty_make(id);
}

/* ---- row building ---- */

static int32_t new_row(Batch *out)
{
    if (out->nrows == out->capacity) ty_batch_reserve(out, out->capacity ? out->capacity * 2 : 16);
    int32_t r = out->nrows++;
    for (int32_t c = 0; c < out->ncols; c++) out->cols[c].nulls[r] = 1;
    out->weights[r] = 1;
    return r;
}

static void put_i64(Batch *out, int32_t r, int32_t c, int64_t v)
{
    out->cols[c].nulls[r] = 0;
    out->cols[c].i64[r] = v;
}

static void put_str(Batch *out, int32_t r, int32_t c, const char *s, size_t len)
{
    if (!s) return;
    out->cols[c].nulls[r] = 0;
    out->cols[c].str[r] = ty_batch_str(out, s, (uint32_t)len);
}

static void put_cstr(Batch *out, int32_t r, int32_t c, const char *s)
{
    if (s) put_str(out, r, c, s, strlen(s));
}

/* An epoch-millisecond time as a TIMESTAMP(3) of the session zone. */
static void put_time(Batch *out, int32_t r, int32_t c, int64_t ms)
{
    put_i64(out, r, c, wb_tz_to_local(ms * 1000));
}

/* "[v1, v2]": a key encoding (ty_row_encode of the key columns) as text. */
static void put_key(Batch *out, int32_t r, int32_t c, const StoreSchema *schema, const uint8_t *key,
                    uint32_t len)
{
    if (!key || len == 0 || schema->npk == 0) return;
    SqlType types[64] = {{0}};
    int32_t n = schema->npk < 64 ? schema->npk : 64;
    for (int32_t k = 0; k < n; k++) types[k] = schema->types[schema->pk[k]];
    Batch *tmp = ty_batch_new(types, n, 1);
    ty_row_decode(key, types, n, tmp, 0, 0);
    WbBuf text = {0};
    wb_buf_putc(&text, '[');
    for (int32_t k = 0; k < n; k++) {
        if (k) wb_buf_puts(&text, ", ");
        if (tmp->cols[k].nulls[0]) wb_buf_puts(&text, "null");
        else ty_format_value(&tmp->cols[k], 0, &text);
    }
    wb_buf_putc(&text, ']');
    put_str(out, r, c, text.data, text.len);
    wb_buf_free(&text);
    ty_batch_free(tmp);
}

/* ---- the four tables ---- */

static int read_snapshots(const char *dir, Batch *out, WbArena *arena, WbError *err)
{
    int64_t first, last;
    if (store_snapshot_earliest(dir, &first, err) != 0) return -1;
    if (store_snapshot_latest(dir, &last, err) != 0) return -1;
    for (int64_t id = first; id > 0 && id <= last; id++) {
        StoreSnapshot snap;
        int rc = store_snapshot_read(dir, id, arena, &snap, err);
        if (rc < 0) return -1;
        if (rc == 1) continue;   /* expired while we looked */
        StoreFile *files;
        int32_t nfiles;
        if (store_snapshot_files(dir, &snap, false, arena, &files, &nfiles, err) != 0) return -1;
        int64_t bytes = 0;
        for (int32_t f = 0; f < nfiles; f++) bytes += files[f].size;
        int32_t r = new_row(out);
        put_i64(out, r, 0, snap.id);
        put_i64(out, r, 1, snap.schema_id);
        put_cstr(out, r, 2, snap.commit_user);
        put_i64(out, r, 3, snap.commit_identifier);
        put_cstr(out, r, 4, store_commit_kind_names[snap.kind]);
        put_time(out, r, 5, snap.time_ms);
        put_cstr(out, r, 6, snap.base_list);
        put_cstr(out, r, 7, snap.delta_list);
        put_cstr(out, r, 8, snap.changelog_list);
        put_i64(out, r, 9, snap.total_records);
        put_i64(out, r, 10, snap.delta_records);
        put_i64(out, r, 11, snap.changelog_records);
        if (snap.watermark != INT64_MIN) put_i64(out, r, 12, snap.watermark);
        put_i64(out, r, 13, nfiles);
        put_i64(out, r, 14, bytes);
    }
    return 0;
}

static int read_files(const char *dir, Batch *out, WbArena *arena, WbError *err)
{
    int64_t last;
    if (store_snapshot_latest(dir, &last, err) != 0) return -1;
    if (last == 0) return 0;
    StoreSnapshot snap;
    int rc = store_snapshot_read(dir, last, arena, &snap, err);
    if (rc != 0) return rc < 0 ? -1 : 0;
    StoreSchema schema;
    if (store_schema_read(dir, snap.schema_id, arena, &schema, err) != 0) return -1;
    StoreFile *files;
    int32_t nfiles;
    if (store_snapshot_files(dir, &snap, false, arena, &files, &nfiles, err) != 0) return -1;
    for (int32_t f = 0; f < nfiles; f++) {
        const StoreFile *file = &files[f];
        int32_t r = new_row(out);
        put_cstr(out, r, 0, file->partition);
        put_i64(out, r, 1, file->bucket);
        char *path = store_file_path(dir, file);
        put_cstr(out, r, 2, path);
        free(path);
        put_cstr(out, r, 3, "parquet");
        put_i64(out, r, 4, file->schema_id);
        put_i64(out, r, 5, file->level);
        put_i64(out, r, 6, file->rows);
        put_i64(out, r, 7, file->size);
        put_key(out, r, 8, &schema, file->min_key, file->min_key_len);
        put_key(out, r, 9, &schema, file->max_key, file->max_key_len);
        put_i64(out, r, 10, file->min_seq);
        put_i64(out, r, 11, file->max_seq);
        put_time(out, r, 12, file->creation_ms);
    }
    return 0;
}

static void json_list(WbBuf *buf, const StoreSchema *schema, const int32_t *cols, int32_t n)
{
    wb_buf_putc(buf, '[');
    for (int32_t i = 0; i < n; i++) {
        if (i) wb_buf_putc(buf, ',');
        const char *name = schema->names[cols[i]];
        sj_put_str(buf, name, strlen(name));
    }
    wb_buf_putc(buf, ']');
}

static int read_schemas(const char *dir, Batch *out, WbArena *arena, bool options_only, WbError *err)
{
    int64_t latest = store_schema_latest_id(dir);
    for (int64_t id = options_only ? latest : 0; id >= 0 && id <= latest; id++) {
        StoreSchema schema;
        if (store_schema_read(dir, id, arena, &schema, err) != 0) return -1;
        if (options_only) {
            for (int32_t o = 0; o < schema.nopts; o++) {
                int32_t r = new_row(out);
                put_cstr(out, r, 0, schema.opt_keys[o]);
                put_cstr(out, r, 1, schema.opt_values[o]);
            }
            return 0;
        }
        WbBuf fields = {0}, parts = {0}, keys = {0}, opts = {0};
        wb_buf_putc(&fields, '[');
        for (int32_t c = 0; c < schema.ncols; c++) {
            char tname[64];
            if (c) wb_buf_putc(&fields, ',');
            wb_buf_printf(&fields, "{\"id\":%d,\"name\":", (int)schema.field_ids[c]);
            sj_put_str(&fields, schema.names[c], strlen(schema.names[c]));
            ty_name(schema.types[c], tname, sizeof tname);
            wb_buf_puts(&fields, ",\"type\":");
            sj_put_str(&fields, tname, strlen(tname));
            wb_buf_putc(&fields, '}');
        }
        wb_buf_putc(&fields, ']');
        json_list(&parts, &schema, schema.part, schema.npart);
        json_list(&keys, &schema, schema.pk, schema.npk);
        wb_buf_putc(&opts, '{');
        for (int32_t o = 0; o < schema.nopts; o++) {
            if (o) wb_buf_putc(&opts, ',');
            sj_put_str(&opts, schema.opt_keys[o], strlen(schema.opt_keys[o]));
            wb_buf_putc(&opts, ':');
            sj_put_str(&opts, schema.opt_values[o], strlen(schema.opt_values[o]));
        }
        wb_buf_putc(&opts, '}');
        int32_t r = new_row(out);
        put_i64(out, r, 0, schema.id);
        put_str(out, r, 1, fields.data, fields.len);
        put_str(out, r, 2, parts.data, parts.len);
        put_str(out, r, 3, keys.data, keys.len);
        put_str(out, r, 4, opts.data, opts.len);
        put_time(out, r, 6, schema.time_ms);
        wb_buf_free(&fields);
        wb_buf_free(&parts);
        wb_buf_free(&keys);
        wb_buf_free(&opts);
    }
    return 0;
}

int store_sys_read(const char *dir, StoreSysTable kind, Batch *out, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    int rc;
    switch (kind) {
    case STORE_SYS_SNAPSHOTS: rc = read_snapshots(dir, out, &arena, err); break;
    case STORE_SYS_FILES: rc = read_files(dir, out, &arena, err); break;
    case STORE_SYS_OPTIONS: rc = read_schemas(dir, out, &arena, true, err); break;
    default: rc = read_schemas(dir, out, &arena, false, err); break;
    }
    wb_arena_destroy(&arena);
    return rc;
}
