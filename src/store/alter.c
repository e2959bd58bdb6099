/*
 * alter.c - schema evolution: each change writes schema-<N+1> (under the
 * writer lock); data files keep the schema they were written with and are
 * read through the newest one by field id (table.c file_names): a renamed
 * column keeps its field id, an added column gets a new one (older files
 * read it as NULL), a widened type reads the old values as the new type
 * (what parquet.h's pq_type_compatible allows: INT to BIGINT, a DECIMAL
 * of more precision and the same scale, a longer VARCHAR or STRING).
 * Primary-key and partition columns keep their types (their encodings are
 * in manifests and paths).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/parquet.h"
#include "store/store_int.h"

typedef enum { ALTER_ADD, ALTER_RENAME, ALTER_TYPE, ALTER_OPTION } AlterKind;

static int32_t col_named(const StoreSchema *s, const char *name)
{
    for (int32_t col = 0; col < s->ncols; col++)
        if (strcmp(s->names[col], name) == 0) return col;
    return -1;
}

static bool is_key(const StoreSchema *s, int32_t col)
{
    for (int32_t i = 0; i < s->npk; i++) if (s->pk[i] == col) return true;
    for (int32_t i = 0; i < s->npart; i++) if (s->part[i] == col) return true;
    return false;
}

static int alter(StoreTable *t, AlterKind kind, const char *name, const char *arg, SqlType type,
                 WbError *err)
{
    StoreTableCtx *ctx = &t->ctx;
    int fd = store_lock_acquire(ctx, err);
    if (fd < 0) return -1;
    int rc = -1;
    /* the newest schema on disk (another process may have changed it) */
    int64_t sid = store_schema_latest_id(ctx->dir);
    if (sid >= 0 && sid != ctx->schema.id &&
        store_schema_read(ctx->dir, sid, &ctx->arena, &ctx->schema, err) != 0)
        goto out;
    if (ctx->schema.id < 0) {
        ctx->schema.id = 0;
        if (store_schema_write(ctx->dir, &ctx->schema, err) != 0) { ctx->schema.id = -1; goto out; }
    }
    const StoreSchema *old = &ctx->schema;
    StoreSchema s = *old;
    WbArena *arena = &ctx->arena;
    s.id = old->id + 1;
    s.time_ms = wb_now_millis();
    int32_t n = old->ncols + (kind == ALTER_ADD);
    s.names = wb_arena_alloc(arena, sizeof(char *) * (size_t)n);
    s.types = wb_arena_alloc(arena, sizeof(SqlType) * (size_t)n);
    s.field_ids = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)n);
    memcpy(s.names, old->names, sizeof(char *) * (size_t)old->ncols);
    memcpy(s.types, old->types, sizeof(SqlType) * (size_t)old->ncols);
    memcpy(s.field_ids, old->field_ids, sizeof(int32_t) * (size_t)old->ncols);
    int32_t col = kind == ALTER_OPTION ? -1 : col_named(old, name);
    char tn[64], tn2[64];
    switch (kind) {
    case ALTER_ADD:
        if (col >= 0) {
            wb_error(err, "42701", 0, 0, "column \"%s\" of table %s already exists", name, ctx->name);
            goto out;
        }
        s.ncols = n;
        s.names[n - 1] = wb_arena_strdup(arena, name);
        s.types[n - 1] = type;
        s.types[n - 1].nullable = 1;   /* old rows read it as NULL */
        s.types[n - 1].time_attr = 0;
        s.field_ids[n - 1] = ++s.highest_field_id;
        break;
    case ALTER_RENAME:
        if (col < 0) goto no_column;
        if (col_named(old, arg) >= 0) {
            wb_error(err, "42701", 0, 0, "column \"%s\" of table %s already exists", arg, ctx->name);
            goto out;
        }
        s.names[col] = wb_arena_strdup(arena, arg);
        break;
    case ALTER_TYPE:
        if (col < 0) goto no_column;
        type.time_attr = 0;
        if (is_key(old, col) || !pq_type_compatible(old->types[col], type)) {
            wb_error(err, WB_SQLSTATE_DATATYPE, 0, 0, "column \"%s\" of table %s cannot change from %s to %s",
                     name, ctx->name, ty_name(old->types[col], tn, sizeof tn), ty_name(type, tn2, sizeof tn2));
            wb_error_hint(err, "a stored column may widen (INT to BIGINT, a DECIMAL of more precision, a "
                          "longer VARCHAR); key and partition columns keep their types");
            goto out;
        }
        s.types[col] = type;
        break;
    case ALTER_OPTION: {
        s.opt_keys = wb_arena_alloc(arena, sizeof(char *) * (size_t)(old->nopts + 1));
        s.opt_values = wb_arena_alloc(arena, sizeof(char *) * (size_t)(old->nopts + 1));
        s.nopts = 0;
        for (int32_t i = 0; i < old->nopts; i++) {
            if (strcmp(old->opt_keys[i], name) == 0) continue;
            s.opt_keys[s.nopts] = old->opt_keys[i];
            s.opt_values[s.nopts++] = old->opt_values[i];
        }
        if (arg) {
            s.opt_keys[s.nopts] = wb_arena_strdup(arena, name);
            s.opt_values[s.nopts++] = wb_arena_strdup(arena, arg);
        }
        break;
    }
    }
    /* the new schema's options must still hold (fields.<f>.* names) */
    StoreOptions check;
    if (store_options_parse(&s, 0, NULL, NULL, arena, &check, err) != 0) goto out;
    if (store_schema_write(ctx->dir, &s, err) != 0) goto out;
    /* reopen the context on the new schema */
    char *dir = wb_strdup(ctx->dir);
    WbError e2 = {0};
    StoreTable *fresh = store_open(dir, NULL, &e2);
    free(dir);
    if (!fresh) {
        *err = e2;
        goto out;
    }
    store_lookup_cache_free(t);
    store_lock_release(fd);
    char *table_name = wb_strdup(ctx->name);
    free(ctx->dir);
    wb_arena_destroy(&ctx->arena);
    t->ctx = fresh->ctx;
    t->ctx.name = wb_arena_strdup(&t->ctx.arena, table_name);
    free(table_name);
    free(fresh);
    return 0;
no_column:
    wb_error(err, WB_SQLSTATE_UNDEFINED_COL, 0, 0, "column \"%s\" of table %s does not exist", name, ctx->name);
out:
    store_lock_release(fd);
    return rc;
}

int store_alter_add_column(StoreTable *t, const char *name, SqlType type, WbError *err)
{
    return alter(t, ALTER_ADD, name, NULL, type, err);
}

int store_alter_rename_column(StoreTable *t, const char *from, const char *to, WbError *err)
{
    return alter(t, ALTER_RENAME, from, to, ty_make(TY_NULL), err);
}

int store_alter_column_type(StoreTable *t, const char *name, SqlType type, WbError *err)
{
    return alter(t, ALTER_TYPE, name, NULL, type, err);
}

int store_alter_option(StoreTable *t, const char *key, const char *value, WbError *err)
{
    return alter(t, ALTER_OPTION, key, value, ty_make(TY_NULL), err);
}

/* ---- evolving to a new definition (ALTER TABLE in the catalog) ---- */

static bool same_schema(const StoreSchema *a, const StoreSchema *b)
{
    if (a->ncols != b->ncols || a->npk != b->npk || a->npart != b->npart || a->nopts != b->nopts) return false;
    for (int32_t c = 0; c < a->ncols; c++)
        if (strcmp(a->names[c], b->names[c]) != 0 || a->field_ids[c] != b->field_ids[c] ||
            !ty_equal(a->types[c], b->types[c]) || a->types[c].precision != b->types[c].precision)
            return false;
    for (int32_t i = 0; i < a->npk; i++) if (a->pk[i] != b->pk[i]) return false;
    for (int32_t i = 0; i < a->npart; i++) if (a->part[i] != b->part[i]) return false;
    for (int32_t i = 0; i < a->nopts; i++) {
        const char *v = store_schema_option(b, a->opt_keys[i]);
        if (!v || strcmp(v, a->opt_values[i]) != 0) return false;
    }
    return true;
}

/* Whether a stored column of type `from` can be read as `to`. */
static bool readable_as(SqlType from, SqlType to)
{
    if (pq_type_compatible(from, to)) return true;
    bool int_from = ty_is_integer((TypeId)from.id);
    if (to.id == TY_DOUBLE) return int_from || from.id == TY_DECIMAL;
    if (to.id == TY_DECIMAL) {
        if (int_from) return true;
        return from.id == TY_DECIMAL && to.scale >= from.scale;
    }
    return false;
}

int store_evolve(StoreTable *t, const StoreSpec *spec, const char *renamed_from,
                 const char *renamed_to, WbError *err)
{
    StoreTableCtx *ctx = &t->ctx;
    if (store_schema_latest_id(ctx->dir) < 0) return 0;   /* nothing stored: the first commit writes spec */
    int fd = store_lock_acquire(ctx, err);
    if (fd < 0) return -1;
    int rc = -1;
    WbArena *arena = &ctx->arena;
    int64_t sid = store_schema_latest_id(ctx->dir);
    StoreSchema old;
    if (store_schema_read(ctx->dir, sid, arena, &old, err) != 0) goto out;
    StoreSchema s = old;
    s.id = old.id + 1;
    s.time_ms = wb_now_millis();
    s.ncols = spec->ncols;
    s.names = wb_arena_alloc(arena, sizeof(char *) * (size_t)spec->ncols);
    s.types = wb_arena_alloc(arena, sizeof(SqlType) * (size_t)spec->ncols);
    s.field_ids = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)spec->ncols);
    char tn[64], tn2[64];
    for (int32_t c = 0; c < spec->ncols; c++) {
        const char *name = spec->names[c];
        const char *source = renamed_to && strcmp(name, renamed_to) == 0 ? renamed_from : name;
        int32_t oc = col_named(&old, source);
        s.names[c] = wb_arena_strdup(arena, name);
        s.types[c] = spec->types[c];
        s.types[c].time_attr = 0;
        if (oc < 0) {
            s.field_ids[c] = ++s.highest_field_id;
            continue;
        }
        s.field_ids[c] = old.field_ids[oc];
        SqlType ot = old.types[oc];
        bool changed = !ty_equal(ot, s.types[c]) || ot.precision != s.types[c].precision;
        if (changed && (is_key(&old, oc) || !readable_as(ot, s.types[c]))) {
            wb_error(err, WB_SQLSTATE_DATATYPE, 0, 0, "column \"%s\" of stored table %s cannot change from %s to %s",
                     name, ctx->name, ty_name(ot, tn, sizeof tn), ty_name(s.types[c], tn2, sizeof tn2));
            wb_error_hint(err, "a stored column may widen (INT to BIGINT, DOUBLE or DECIMAL, a DECIMAL "
                          "of more digits, a longer VARCHAR); key and partition columns keep their types");
            goto out;
        }
    }
    s.npk = spec->npk;
    s.pk = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(spec->npk + 1));
    if (spec->npk) memcpy(s.pk, spec->pk, sizeof(int32_t) * (size_t)spec->npk);
    s.npart = spec->npart;
    s.part = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(spec->npart + 1));
    if (spec->npart) memcpy(s.part, spec->part, sizeof(int32_t) * (size_t)spec->npart);
    s.opt_keys = wb_arena_alloc(arena, sizeof(char *) * (size_t)(spec->noptions + 1));
    s.opt_values = wb_arena_alloc(arena, sizeof(char *) * (size_t)(spec->noptions + 1));
    s.nopts = 0;
    for (int32_t i = 0; i < spec->noptions; i++) {
        const char *key = spec->opt_keys[i];
        if (!strncmp(key, "scan.", 5) || !strcmp(key, "incremental-between") ||
            !strncmp(key, "continuous.", 11) || !strcmp(key, "connector"))
            continue;
        s.opt_keys[s.nopts] = wb_arena_strdup(arena, key);
        s.opt_values[s.nopts++] = wb_arena_strdup(arena, spec->opt_values[i]);
    }
    /* the keys of a stored table stay (their encodings are on disk) */
    bool keys_same = s.npk == old.npk && s.npart == old.npart;
    for (int32_t i = 0; keys_same && i < s.npk; i++) keys_same = s.field_ids[s.pk[i]] == old.field_ids[old.pk[i]];
    for (int32_t i = 0; keys_same && i < s.npart; i++)
        keys_same = s.field_ids[s.part[i]] == old.field_ids[old.part[i]];
    if (!keys_same) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                 "the primary key and partition keys of stored table %s cannot change", ctx->name);
        goto out;
    }
    if (same_schema(&s, &old)) { rc = 0; goto out; }
    StoreOptions check, before;
    if (store_options_parse(&s, 0, NULL, NULL, arena, &check, err) != 0 ||
        store_options_parse(&old, 0, NULL, NULL, arena, &before, err) != 0)
        goto out;
    if (check.bucket != before.bucket) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "option 'bucket' of stored table %s cannot change (%d to %d)",
                 ctx->name, before.bucket, check.bucket);
        wb_error_detail(err, "Rows are placed in buckets by a hash of their key modulo 'bucket'.");
        goto out;
    }
    if (store_schema_write(ctx->dir, &s, err) != 0) goto out;
    rc = 0;
out:
    store_lock_release(fd);
    return rc;
}
