/*
 * schema.c - schema/schema-<N>: the table's columns (with field ids that
 * survive renames), primary and partition keys, and options.  A new schema
 * version is a new file; files written under an older schema are read
 * through the newer one by field id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static void corrupt(WbError *err, const char *path, const char *what)
{
    wb_error(err, WB_SQLSTATE_DATA, 0, 0, "corrupt schema file \"%s\": %s", path, what);
    snprintf(err->source, sizeof(err->source), "%s", path);
}

int store_type_parse(const char *text, SqlType *out)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s", text);
    bool nullable = true;
    char *nn = strstr(buf, " NOT NULL");
    if (nn && nn[9] == 0) { *nn = 0; nullable = false; }
    int p = 0, s = 0;
    SqlType t;
    if (!strcmp(buf, "BOOLEAN")) t = ty_make(TY_BOOLEAN);
    else if (!strcmp(buf, "INT")) t = ty_make(TY_INT);
    else if (!strcmp(buf, "BIGINT")) t = ty_make(TY_BIGINT);
    else if (!strcmp(buf, "DOUBLE")) t = ty_make(TY_DOUBLE);
    else if (!strcmp(buf, "STRING")) t = ty_make(TY_STRING);
    else if (!strcmp(buf, "BYTES")) t = ty_make(TY_BYTES);
    else if (!strcmp(buf, "DATE")) t = ty_make(TY_DATE);
    else if (!strcmp(buf, "INTERVAL DAY TO SECOND")) t = ty_make(TY_INTERVAL_DT);
    else if (!strcmp(buf, "INTERVAL YEAR TO MONTH")) t = ty_make(TY_INTERVAL_YM);
    else if (sscanf(buf, "DECIMAL(%d, %d)", &p, &s) == 2) {
        if (p < 1 || p > TY_DECIMAL_MAX_PRECISION || s < 0 || s > p) return -1;
        t = ty_decimal(p, s);
    } else if (sscanf(buf, "VARCHAR(%d)", &p) == 1) {
        t = ty_make(TY_STRING);
        t.precision = (int16_t)p;
    } else if (sscanf(buf, "TIME(%d)", &p) == 1) {
        t = ty_make(TY_TIME);
        t.precision = (int16_t)p;
    } else if (sscanf(buf, "TIMESTAMP_LTZ(%d)", &p) == 1) {
        t = ty_timestamp(p);
        t.ltz = 1;
    } else if (sscanf(buf, "TIMESTAMP(%d)", &p) == 1) {
        t = ty_timestamp(p);
    } else {
        return -1;
    }
    t.nullable = nullable;
    t.time_attr = 0;
    *out = t;
    return 0;
}

static char *schema_path(const char *dir, int64_t id)
{
    size_t n = strlen(dir) + 48;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/schema/schema-%lld", dir, (long long)id);
    return path;
}

int store_schema_write(const char *dir, const StoreSchema *schema, WbError *err)
{
    size_t n = strlen(dir) + 16;
    char *sdir = wb_malloc(n);
    snprintf(sdir, n, "%s/schema", dir);
    int rc = store_mkdirs(sdir, err);
    free(sdir);
    if (rc != 0) return -1;
    WbBuf out = {0};
    char tbuf[96];
    wb_buf_printf(&out, "{\n  \"version\" : 1,\n  \"id\" : %lld,\n  \"fields\" : [",
                  (long long)schema->id);
    for (int32_t col = 0; col < schema->ncols; col++) {
        wb_buf_printf(&out, "%s\n    { \"id\" : %d, \"name\" : ", col ? "," : "", schema->field_ids[col]);
        sj_put_str(&out, schema->names[col], strlen(schema->names[col]));
        SqlType t = schema->types[col];
        t.time_attr = 0;
        wb_buf_puts(&out, ", \"type\" : ");
        ty_name(t, tbuf, sizeof tbuf);
        sj_put_str(&out, tbuf, strlen(tbuf));
        wb_buf_puts(&out, " }");
    }
    wb_buf_printf(&out, "\n  ],\n  \"highestFieldId\" : %d,\n  \"partitionKeys\" : [", schema->highest_field_id);
    for (int32_t i = 0; i < schema->npart; i++) {
        if (i) wb_buf_puts(&out, ", ");
        sj_put_str(&out, schema->names[schema->part[i]], strlen(schema->names[schema->part[i]]));
    }
    wb_buf_puts(&out, "],\n  \"primaryKeys\" : [");
    for (int32_t i = 0; i < schema->npk; i++) {
        if (i) wb_buf_puts(&out, ", ");
        sj_put_str(&out, schema->names[schema->pk[i]], strlen(schema->names[schema->pk[i]]));
    }
    wb_buf_puts(&out, "],\n  \"options\" : {");
    for (int32_t i = 0; i < schema->nopts; i++) {
        wb_buf_puts(&out, i ? ",\n    " : "\n    ");
        sj_put_str(&out, schema->opt_keys[i], strlen(schema->opt_keys[i]));
        wb_buf_puts(&out, " : ");
        sj_put_str(&out, schema->opt_values[i], strlen(schema->opt_values[i]));
    }
    wb_buf_printf(&out, "%s},\n  \"timeMillis\" : %lld\n}\n", schema->nopts ? "\n  " : "",
                  (long long)schema->time_ms);
    char *path = schema_path(dir, schema->id);
    rc = store_publish_file(path, out.data, out.len, false, err);
    if (rc == 1) {
        wb_error(err, "40001", 0, 0, "schema \"%s\" was written by another writer", path);
        rc = -1;
    }
    free(path);
    wb_buf_free(&out);
    return rc;
}

static int32_t col_by_name(const StoreSchema *schema, const char *name)
{
    for (int32_t col = 0; col < schema->ncols; col++)
        if (strcmp(schema->names[col], name) == 0) return col;
    return -1;
}

static int read_keys(const SjVal *arr, const StoreSchema *schema, WbArena *arena,
                     int32_t *n, int32_t **cols)
{
    if (!arr || arr->type != SJ_ARR) return -1;
    *n = arr->n;
    *cols = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(arr->n + 1));
    for (int32_t i = 0; i < arr->n; i++) {
        if (arr->items[i].type != SJ_STR) return -1;
        (*cols)[i] = col_by_name(schema, arr->items[i].str);
        if ((*cols)[i] < 0) return -1;
    }
    return 0;
}

int store_schema_read(const char *dir, int64_t id, WbArena *arena, StoreSchema *out,
                      WbError *err)
{
    char *path = schema_path(dir, id);
    size_t len;
    char *text = store_read_file(path, &len, err);
    if (!text) { free(path); return -1; }
    const char *msg;
    int rc = -1;
    SjVal *root = sj_parse(arena, text, len, &msg);
    memset(out, 0, sizeof(*out));
    if (!root) { corrupt(err, path, msg); goto done; }
    int64_t v;
    if (sj_int(root, "id", &out->id) != 0 || out->id != id) { corrupt(err, path, "bad \"id\""); goto done; }
    const SjVal *fields = sj_get(root, "fields");
    if (!fields || fields->type != SJ_ARR || fields->n == 0) { corrupt(err, path, "bad \"fields\""); goto done; }
    out->ncols = fields->n;
    out->names = wb_arena_alloc(arena, sizeof(char *) * (size_t)fields->n);
    out->types = wb_arena_alloc(arena, sizeof(SqlType) * (size_t)fields->n);
    out->field_ids = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)fields->n);
    for (int32_t col = 0; col < fields->n; col++) {
        const SjVal *f = &fields->items[col];
        const char *name = sj_str(f, "name"), *type = sj_str(f, "type");
        if (!name || !type || sj_int(f, "id", &v) != 0 || v < 0 || v > INT32_MAX) {
            corrupt(err, path, "bad field");
            goto done;
        }
        if (store_type_parse(type, &out->types[col]) != 0) {
            corrupt(err, path, "unknown type");
            goto done;
        }
        out->names[col] = (char *)name;
        out->field_ids[col] = (int32_t)v;
    }
    if (sj_int(root, "highestFieldId", &v) != 0) { corrupt(err, path, "bad \"highestFieldId\""); goto done; }
    out->highest_field_id = (int32_t)v;
    if (read_keys(sj_get(root, "partitionKeys"), out, arena, &out->npart, &out->part) != 0 ||
        read_keys(sj_get(root, "primaryKeys"), out, arena, &out->npk, &out->pk) != 0) {
        corrupt(err, path, "bad key list");
        goto done;
    }
    const SjVal *opts = sj_get(root, "options");
    if (!opts || opts->type != SJ_OBJ) { corrupt(err, path, "bad \"options\""); goto done; }
    out->nopts = opts->n;
    out->opt_keys = wb_arena_alloc(arena, sizeof(char *) * (size_t)(opts->n + 1));
    out->opt_values = wb_arena_alloc(arena, sizeof(char *) * (size_t)(opts->n + 1));
    for (int32_t i = 0; i < opts->n; i++) {
        if (opts->items[i].type != SJ_STR) { corrupt(err, path, "option value is not a string"); goto done; }
        out->opt_keys[i] = (char *)opts->keys[i];
        out->opt_values[i] = (char *)opts->items[i].str;
    }
    if (sj_int(root, "timeMillis", &out->time_ms) != 0) out->time_ms = 0;
    rc = 0;
done:
    free(text);
    free(path);
    return rc;
}

int64_t store_schema_latest_id(const char *dir)
{
    int64_t id = -1;
    for (;;) {
        char *path = schema_path(dir, id + 1);
        bool exists = store_file_exists(path);
        free(path);
        if (!exists) return id;
        id++;
    }
}

const char *store_schema_option(const StoreSchema *schema, const char *key)
{
    for (int32_t i = 0; i < schema->nopts; i++)
        if (strcmp(schema->opt_keys[i], key) == 0) return schema->opt_values[i];
    return NULL;
}
