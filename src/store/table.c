/*
 * table.c - an open table: its schema and options, the row layout the
 * store works with (columns + _SEQUENCE_NUMBER + _VALUE_KIND), partition
 * paths and buckets of rows, loading a bucket's files as sorted runs, and
 * the writer lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/store_int.h"

static int build_ctx(StoreTableCtx *ctx, const StoreSpec *spec, WbError *err)
{
    StoreSchema *s = &ctx->schema;
    WbArena *arena = &ctx->arena;
    /* options of the spec override the stored ones (the catalog's DDL) */
    int32_t nextra = spec ? spec->noptions : 0;
    if (store_options_parse(s, nextra, spec ? spec->opt_keys : NULL, spec ? spec->opt_values : NULL,
                            arena, &ctx->opts, err) != 0)
        return -1;
    ctx->pk_table = s->npk > 0;
    ctx->int_key = s->npk == 1 && ty_phys(s->types[s->pk[0]]) == PK_I64 ? s->pk[0] : -1;
    for (int32_t i = 0; i < s->npart; i++) {
        bool in_pk = false;
        for (int32_t j = 0; j < s->npk; j++) in_pk |= s->pk[j] == s->part[i];
        if (ctx->pk_table && !in_pk) {
            wb_error(err, WB_SQLSTATE_CONFIG, 0, 0,
                     "the primary key of table %s must contain the partition column \"%s\"",
                     ctx->name, s->names[s->part[i]]);
            return -1;
        }
    }
    /* the bucket key: 'bucket-key', else the primary key less the
     * partition columns (all of it if nothing is left), else (append
     * tables) the whole row */
    ctx->bucket_key = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(s->ncols + 1));
    ctx->nbucket_key = 0;
    if (ctx->opts.bucket_key) {
        memcpy(ctx->bucket_key, ctx->opts.bucket_key, sizeof(int32_t) * (size_t)ctx->opts.nbucket_key);
        ctx->nbucket_key = ctx->opts.nbucket_key;
    } else if (!ctx->pk_table) {
        for (int32_t col = 0; col < s->ncols; col++) ctx->bucket_key[ctx->nbucket_key++] = col;
    }
    for (int32_t i = 0; i < s->npk && !ctx->opts.bucket_key; i++) {
        bool in_part = false;
        for (int32_t j = 0; j < s->npart; j++) in_part |= s->part[j] == s->pk[i];
        if (!in_part) ctx->bucket_key[ctx->nbucket_key++] = s->pk[i];
    }
    if (ctx->nbucket_key == 0) {
        memcpy(ctx->bucket_key, s->pk, sizeof(int32_t) * (size_t)s->npk);
        ctx->nbucket_key = s->npk;
    }
    int32_t extra = ctx->pk_table ? 2 : 0;
    ctx->nrow_cols = s->ncols + extra;
    ctx->row_types = wb_arena_alloc(arena, sizeof(SqlType) * (size_t)ctx->nrow_cols);
    ctx->row_names = wb_arena_alloc(arena, sizeof(char *) * (size_t)ctx->nrow_cols);
    for (int32_t col = 0; col < s->ncols; col++) {
        ctx->row_types[col] = s->types[col];
        ctx->row_types[col].nullable = 1;
        ctx->row_types[col].time_attr = 0;
        ctx->row_names[col] = s->names[col];
    }
    ctx->seq_col = ctx->kind_col = -1;
    if (ctx->pk_table) {
        ctx->seq_col = s->ncols;
        ctx->kind_col = s->ncols + 1;
        ctx->row_types[ctx->seq_col] = ty_make(TY_BIGINT);
        ctx->row_types[ctx->kind_col] = ty_make(TY_INT);
        ctx->row_names[ctx->seq_col] = "_SEQUENCE_NUMBER";
        ctx->row_names[ctx->kind_col] = "_VALUE_KIND";
    }
    return 0;
}

static int schema_from_spec(StoreTableCtx *ctx, const StoreSpec *spec, WbError *err)
{
    StoreSchema *s = &ctx->schema;
    WbArena *arena = &ctx->arena;
    if (!spec || spec->ncols < 1) {
        wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, 0, 0, "table directory \"%s\" holds no schema", ctx->dir);
        return -1;
    }
    memset(s, 0, sizeof(*s));
    s->ncols = spec->ncols;
    s->names = wb_arena_alloc(arena, sizeof(char *) * (size_t)s->ncols);
    s->types = wb_arena_alloc(arena, sizeof(SqlType) * (size_t)s->ncols);
    s->field_ids = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)s->ncols);
    for (int32_t col = 0; col < s->ncols; col++) {
        s->names[col] = wb_arena_strdup(arena, spec->names[col]);
        s->types[col] = spec->types[col];
        s->types[col].time_attr = 0;
        s->field_ids[col] = col;
        for (int32_t j = 0; j < col; j++)
            if (strcmp(s->names[j], s->names[col]) == 0) {
                wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "duplicate column \"%s\"", s->names[col]);
                return -1;
            }
    }
    s->highest_field_id = s->ncols - 1;
    s->npk = spec->npk;
    s->pk = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(spec->npk + 1));
    if (spec->npk) memcpy(s->pk, spec->pk, sizeof(int32_t) * (size_t)spec->npk);
    s->npart = spec->npart;
    s->part = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(spec->npart + 1));
    if (spec->npart) memcpy(s->part, spec->part, sizeof(int32_t) * (size_t)spec->npart);
    s->nopts = 0;
    s->opt_keys = wb_arena_alloc(arena, sizeof(char *) * (size_t)(spec->noptions + 1));
    s->opt_values = wb_arena_alloc(arena, sizeof(char *) * (size_t)(spec->noptions + 1));
    for (int32_t i = 0; i < spec->noptions; i++) {
        /* options of one read (dynamic options) are not the table's */
        const char *key = spec->opt_keys[i];
        if (!strncmp(key, "scan.", 5) || !strcmp(key, "incremental-between") ||
            !strncmp(key, "continuous.", 11) || !strcmp(key, "connector"))
            continue;
        s->opt_keys[s->nopts] = wb_arena_strdup(arena, key);
        s->opt_values[s->nopts++] = wb_arena_strdup(arena, spec->opt_values[i]);
    }
    s->id = -1;   /* not written yet: the first commit writes schema-0 */
    s->time_ms = wb_now_millis();
    return 0;
}

StoreTable *store_open(const char *dir, const StoreSpec *spec, WbError *err)
{
    StoreTable *t = wb_calloc(1, sizeof(StoreTable));
    StoreTableCtx *ctx = &t->ctx;
    wb_arena_init(&ctx->arena, 0);
    ctx->dir = wb_strdup(dir);
    ctx->name = wb_arena_strdup(&ctx->arena, spec && spec->name ? spec->name : dir);
    int64_t sid = store_schema_latest_id(dir);
    int rc = sid >= 0 ? store_schema_read(dir, sid, &ctx->arena, &ctx->schema, err)
                      : schema_from_spec(ctx, spec, err);
    if (rc != 0 || build_ctx(ctx, NULL, err) != 0) {
        store_close(t);
        return NULL;
    }
    /* options of the catalog's definition override the stored ones */
    if (spec && sid >= 0 && spec->noptions > 0) {
        if (store_options_parse(&ctx->schema, spec->noptions, spec->opt_keys, spec->opt_values,
                                &ctx->arena, &ctx->opts, err) != 0) {
            store_close(t);
            return NULL;
        }
    }
    return t;
}

void store_close(StoreTable *t)
{
    if (!t) return;
    store_lookup_cache_free(t);
    free(t->ctx.dir);
    wb_arena_destroy(&t->ctx.arena);
    free(t);
}

int32_t store_ncols(const StoreTable *t) { return t->ctx.schema.ncols; }
const char *store_col_name(const StoreTable *t, int32_t col) { return t->ctx.schema.names[col]; }
SqlType store_col_type(const StoreTable *t, int32_t col) { return t->ctx.schema.types[col]; }
bool store_has_pk(const StoreTable *t) { return t->ctx.pk_table; }

int64_t store_latest_snapshot(StoreTable *t, WbError *err)
{
    int64_t id;
    if (store_snapshot_latest(t->ctx.dir, &id, err) != 0) return -1;
    return id;
}

/* ---- partitions and buckets ---- */

static void put_escaped(WbBuf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '/' || c == '=' || c == '%' || c == '\\' || c == 0x7f ||
            (i == 0 && c == '.')) {
            wb_buf_putc(out, '%');
            wb_buf_putc(out, hex[c >> 4]);
            wb_buf_putc(out, hex[c & 15]);
        } else {
            wb_buf_putc(out, (char)c);
        }
    }
}

char *store_static_partition(const StoreTable *t, int32_t n, const int32_t *cols,
                             const char *const *values)
{
    return store_static_partition_of(&t->ctx, n, cols, values, -1);
}

char *store_static_partition_of(const StoreTableCtx *ctx, int32_t n, const int32_t *cols,
                                const char *const *values, int32_t only_key)
{
    const StoreSchema *s = &ctx->schema;
    if (s->npart == 0) return NULL;
    WbBuf out = {0};
    for (int32_t i = 0; i < s->npart; i++) {
        if (only_key >= 0 && i != only_key) continue;
        int32_t col = s->part[i], k = 0;
        while (k < n && cols[k] != col) k++;
        if (k == n) { wb_buf_free(&out); return NULL; }
        if (out.len) wb_buf_putc(&out, '/');
        put_escaped(&out, s->names[col], strlen(s->names[col]));
        wb_buf_putc(&out, '=');
        if (!values[k]) wb_buf_puts(&out, ctx->opts.partition_default_name);
        else if (!values[k][0]) wb_buf_puts(&out, "%00empty");
        else put_escaped(&out, values[k], strlen(values[k]));
    }
    return (char *)wb_buf_cstr(&out);
}

void store_partition_path(const StoreTableCtx *ctx, const Batch *b, int32_t r, WbBuf *out)
{
    const StoreSchema *s = &ctx->schema;
    WbBuf val = {0};
    for (int32_t i = 0; i < s->npart; i++) {
        int32_t col = s->part[i];
        if (i) wb_buf_putc(out, '/');
        put_escaped(out, s->names[col], strlen(s->names[col]));
        wb_buf_putc(out, '=');
        if (b->cols[col].nulls[r]) {
            wb_buf_puts(out, ctx->opts.partition_default_name);
            continue;
        }
        wb_buf_clear(&val);
        ty_format_value(&b->cols[col], r, &val);
        if (val.len == 0) wb_buf_puts(out, "%00empty");   /* an empty string */
        else put_escaped(out, val.data, val.len);
    }
    wb_buf_free(&val);
}

int32_t store_row_bucket(const StoreTableCtx *ctx, const Batch *b, int32_t r)
{
    if (ctx->opts.bucket <= 1) return 0;
    uint64_t h = ty_row_hash(b, r, ctx->bucket_key, ctx->nbucket_key);
    return (int32_t)(h % (uint64_t)ctx->opts.bucket);
}

/* ---- loading a bucket ---- */

static int cmp_file_ptr(const void *pa, const void *pb)
{
    const StoreFile *a = *(StoreFile *const *)pa, *b = *(StoreFile *const *)pb;
    int c = strcmp(a->partition, b->partition);
    if (c) return c;
    if (a->bucket != b->bucket) return a->bucket < b->bucket ? -1 : 1;
    return strcmp(a->name, b->name);
}

int32_t store_group_files(StoreFile **files, int32_t n, int32_t **bounds)
{
    if (n > 1) qsort(files, (size_t)n, sizeof(StoreFile *), cmp_file_ptr);
    *bounds = wb_malloc(sizeof(int32_t) * (size_t)(n + 1));
    int32_t ng = 0;
    for (int32_t i = 0; i < n; i++)
        if (i == 0 || strcmp(files[i]->partition, files[i - 1]->partition) != 0 ||
            files[i]->bucket != files[i - 1]->bucket)
            (*bounds)[ng++] = i;
    (*bounds)[ng] = n;
    return ng;
}

/* The age order of a bucket's files: oldest run first.  Level >= 1 files
 * form one run per level (the highest level is the oldest); each level-0
 * file is a run, older (smaller max sequence) first. */
static int cmp_age(const void *pa, const void *pb, void *arg)
{
    const StoreFile *a = *(StoreFile *const *)pa, *b = *(StoreFile *const *)pb;
    const StoreTableCtx *ctx = arg;
    if (a->level != b->level) {
        if (a->level == 0) return 1;
        if (b->level == 0) return -1;
        return a->level > b->level ? -1 : 1;
    }
    if (a->level == 0 || !ctx->pk_table) {
        if (a->min_seq != b->min_seq) return a->min_seq < b->min_seq ? -1 : 1;
        return strcmp(a->name, b->name);
    }
    return 0;   /* same level >= 1: by key, decided by the caller */
}

const char **store_file_names(const StoreTableCtx *ctx, const StoreFile *f, WbArena *tmp,
                              WbError *err)
{
    bool same = f->schema_id == ctx->schema.id || ctx->schema.id < 0;
    if (same && !ctx->skip_cols) return ctx->row_names;
    const char **names = wb_arena_alloc(tmp, sizeof(char *) * (size_t)ctx->nrow_cols);
    memcpy(names, ctx->row_names, sizeof(char *) * (size_t)ctx->nrow_cols);
    if (!same) {
        StoreSchema old;
        if (store_schema_read(ctx->dir, f->schema_id, tmp, &old, err) != 0) return NULL;
        for (int32_t col = 0; col < ctx->schema.ncols; col++) {
            names[col] = NULL;
            for (int32_t j = 0; j < old.ncols; j++)
                if (old.field_ids[j] == ctx->schema.field_ids[col]) names[col] = old.names[j];
        }
    }
    if (ctx->skip_cols)
        for (int32_t col = 0; col < ctx->schema.ncols; col++)
            if (ctx->skip_cols[col]) names[col] = NULL;
    return names;
}

StoreFileScan *store_file_scan_of(const StoreTableCtx *ctx, const StoreFile *f, const uint8_t *want,
                                  bool key_preds, WbError *err)
{
    WbArena tmp;
    wb_arena_init(&tmp, 0);
    const char **names = store_file_names(ctx, f, &tmp, err);
    StoreFileScan *fs = NULL;
    if (names) {
        char *path = store_file_path(ctx->dir, f);
        fs = store_file_scan_open(path, names, want, ctx->row_types, ctx->nrow_cols, f->rows,
                                  key_preds ? ctx->key_preds : NULL, key_preds ? ctx->nkey_preds : 0, err);
        free(path);
    }
    wb_arena_destroy(&tmp);
    return fs;
}

void store_order_files(const StoreTableCtx *ctx, StoreFile **files, int32_t nfiles)
{
    qsort_r(files, (size_t)nfiles, sizeof(StoreFile *), cmp_age, (void *)ctx);
    /* files of one level >= 1 go in key order: by their decoded min keys */
    for (int32_t i = 0; i < nfiles;) {
        int32_t j = i + 1;
        while (j < nfiles && files[j]->level == files[i]->level && files[i]->level > 0 && ctx->pk_table) j++;
        if (j - i > 1) {
            const StoreSchema *s = &ctx->schema;
            SqlType *ktypes = wb_malloc(sizeof(SqlType) * (size_t)s->npk);
            for (int32_t k = 0; k < s->npk; k++) ktypes[k] = ctx->row_types[s->pk[k]];
            Batch *keys = ty_batch_new(ktypes, s->npk, j - i);
            int32_t *idx = wb_malloc(sizeof(int32_t) * (size_t)(j - i));
            StoreFile **copy = wb_malloc(sizeof(StoreFile *) * (size_t)(j - i));
            for (int32_t k = i; k < j; k++) {
                if (files[k]->min_key_len) ty_row_decode(files[k]->min_key, ktypes, s->npk, keys, k - i, 0);
                idx[k - i] = k - i;
                copy[k - i] = files[k];
            }
            keys->nrows = j - i;
            for (int32_t a = 1; a < j - i; a++) {
                int32_t v = idx[a], b = a;
                while (b > 0) {
                    int c = 0;
                    for (int32_t col = 0; col < s->npk && !c; col++) {
                        const ColumnVector *cv = &keys->cols[col];
                        bool na = cv->nulls[idx[b - 1]], nb = cv->nulls[v];
                        c = (na || nb) ? (int)nb - (int)na : ty_compare(cv, idx[b - 1], cv, v);
                    }
                    if (c <= 0) break;
                    idx[b] = idx[b - 1];
                    b--;
                }
                idx[b] = v;
            }
            for (int32_t k = 0; k < j - i; k++) files[i + k] = copy[idx[k]];
            free(copy);
            free(idx);
            ty_batch_free(keys);
            free(ktypes);
        }
        i = j;
    }
}

/* Whether a file's key range (the manifest's min and max keys) may hold
 * rows satisfying ctx->key_preds: the first key column's range is known
 * exactly, the others' not at all.  Sound for any bucket, merged or not:
 * a key outside the predicates is filtered out above, whatever the files
 * that would have merged into it. */
bool store_file_may_match(const StoreTableCtx *ctx, const StoreFile *f)
{
    if (!ctx->nkey_preds || !ctx->pk_table || !f->min_key_len || !f->max_key_len) return true;
    const StoreSchema *s = &ctx->schema;
    SqlType *ktypes = wb_malloc(sizeof(SqlType) * (size_t)s->npk);
    for (int32_t k = 0; k < s->npk; k++) ktypes[k] = ctx->row_types[s->pk[k]];
    Batch *keys = ty_batch_new(ktypes, s->npk, 2);
    ty_row_decode(f->min_key, ktypes, s->npk, keys, 0, 0);
    ty_row_decode(f->max_key, ktypes, s->npk, keys, 1, 0);
    bool may = true;
    const ColumnVector *first = &keys->cols[0];
    if (!first->nulls[0] && !first->nulls[1]) {
        PqColumnStats *stats = wb_calloc((size_t)ctx->nrow_cols, sizeof(PqColumnStats));
        for (int32_t c = 0; c < ctx->nrow_cols; c++) stats[c].null_count = -1;
        PqColumnStats *st = &stats[s->pk[0]];
        st->has_min_max = st->min_exact = st->max_exact = true;
        switch (ty_phys(ktypes[0])) {
        case PK_I64: st->min.i64 = first->i64[0]; st->max.i64 = first->i64[1]; break;
        case PK_F64: st->min.f64 = first->f64[0]; st->max.f64 = first->f64[1]; break;
        case PK_I128: st->min.i128 = first->i128[0]; st->max.i128 = first->i128[1]; break;
        case PK_STR: st->min.str = first->str[0]; st->max.str = first->str[1]; break;
        }
        may = pq_stats_may_match(ctx->row_types, stats, f->rows, ctx->key_preds, ctx->nkey_preds);
        free(stats);
    }
    ty_batch_free(keys);
    free(ktypes);
    return may;
}

int store_load_runs(const StoreTableCtx *ctx, StoreFile *const *files_in, int32_t nfiles,
                    Batch *dst, int32_t *starts, int32_t *nruns, WbError *err)
{
    StoreFile **files = wb_malloc(sizeof(StoreFile *) * (size_t)(nfiles + 1));
    memcpy(files, files_in, sizeof(StoreFile *) * (size_t)nfiles);
    store_order_files(ctx, files, nfiles);
    WbArena tmp;
    wb_arena_init(&tmp, 0);
    int rc = -1;
    int32_t runs = 0;
    /* room for every row at once (the manifests know the counts): no
     * regrowth copies */
    int64_t total = dst->nrows;
    for (int32_t i = 0; i < nfiles; i++) total += files[i]->rows;
    if (total + 4096 > dst->capacity && total + 4096 < INT32_MAX) ty_batch_reserve(dst, (int32_t)total + 4096);
    for (int32_t i = 0; i < nfiles; i++) {
        const StoreFile *f = files[i];
        bool new_run = i == 0 || f->level == 0 || !ctx->pk_table || files[i - 1]->level != f->level;
        if (new_run) starts[runs++] = dst->nrows;
        if (!store_file_may_match(ctx, f)) continue;
        const char **names = store_file_names(ctx, f, &tmp, err);
        if (!names) goto out;
        char *path = store_file_path(ctx->dir, f);
        int r = store_datafile_read_where(path, names, dst, f->rows, ctx->key_preds,
                                          ctx->nkey_preds, err);
        free(path);
        if (r != 0) goto out;
    }
    starts[runs] = dst->nrows;
    *nruns = runs;
    rc = 0;
out:
    wb_arena_destroy(&tmp);
    free(files);
    return rc;
}

/* Whether a bucket's files are one sorted run of whole rows and deletes
 * (a deduplicate or first-row table; one file, or files of one level
 * above 0, which never overlap): each key is there once, as it stands. */
bool store_one_run(const StoreTableCtx *ctx, StoreFile *const *files, int32_t nfiles)
{
    if (ctx->opts.merge_engine != ME_DEDUPLICATE && ctx->opts.merge_engine != ME_FIRST_ROW)
        return false;
    if (nfiles <= 1) return true;
    for (int32_t i = 0; i < nfiles; i++)
        if (files[i]->level == 0 || files[i]->level != files[0]->level) return false;
    return true;
}

void store_drop_deletes(const int64_t *kind, Batch *dst, int32_t first, int32_t ncols)
{
    int32_t n = dst->nrows, w = first;
    int32_t r = first;
    while (r < n && kind[r] != RK_DELETE) r++;
    if (r == n) return;
    w = r;
    for (; r < n; r++) {
        if (kind[r] == RK_DELETE) continue;
        for (int32_t c = 0; c < ncols; c++) {
            ColumnVector *v = &dst->cols[c];
            v->nulls[w] = v->nulls[r];
            switch (ty_phys(v->type)) {
            case PK_I64: v->i64[w] = v->i64[r]; break;
            case PK_I128: v->i128[w] = v->i128[r]; break;
            case PK_F64: v->f64[w] = v->f64[r]; break;
            case PK_STR: v->str[w] = v->str[r]; break;
            }
        }
        dst->weights[w] = dst->weights[r];
        w++;
    }
    dst->nrows = w;
}

int store_bucket_state(const StoreTableCtx *ctx, StoreFile *const *files, int32_t nfiles,
                       Batch *dst, WbError *err)
{
    if (!ctx->pk_table) {
        int32_t *starts = wb_malloc(sizeof(int32_t) * (size_t)(nfiles + 2));
        int32_t nruns;
        int rc = store_load_runs(ctx, files, nfiles, dst, starts, &nruns, err);
        free(starts);
        return rc;
    }
    int32_t *starts = wb_malloc(sizeof(int32_t) * (size_t)(nfiles + 2));
    int32_t nruns;
    if (store_one_run(ctx, files, nfiles)) {
        /* one sorted run of whole rows and deletes: each key once, nothing
         * to merge; the deletes are dropped in place */
        int32_t first = dst->nrows;
        int rc = store_load_runs(ctx, files, nfiles, dst, starts, &nruns, err);
        free(starts);
        if (rc == 0) store_drop_deletes(dst->cols[ctx->kind_col].i64, dst, first, dst->ncols);
        return rc;
    }
    Batch *all = store_row_batch(ctx, 1024);
    int rc = store_load_runs(ctx, files, nfiles, all, starts, &nruns, err);
    if (rc == 0) rc = store_merge_runs(ctx, all, starts, nruns, true, dst, err);
    free(starts);
    ty_batch_free(all);
    return rc;
}

/* ---- the writer lock ---- */

int store_lock_acquire(const StoreTableCtx *ctx, WbError *err)
{
    if (store_mkdirs(ctx->dir, err) != 0) return -1;
    size_t n = strlen(ctx->dir) + 8;
    char *path = wb_malloc(n);
    snprintf(path, n, "%s/LOCK", ctx->dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not open lock file \"%s\": %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char holder[32] = {0};
        ssize_t got = pread(fd, holder, sizeof holder - 1, 0);
        if (got < 0) got = 0;
        holder[got] = 0;
        wb_error(err, "55P03", 0, 0, "table %s is being written by another writer%s%s", ctx->name,
                 holder[0] ? " (process " : "", holder[0] ? holder : "");
        if (holder[0]) strncat(err->message, ")", sizeof(err->message) - strlen(err->message) - 1);
        wb_error_detail(err, "the lock file \"%s\" is held", path);
        wb_error_hint(err, "a table has one writer at a time; retry when the other job ends");
        close(fd);
        free(path);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%d", (int)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0) { /* informational only */ }
    free(path);
    return fd;
}

void store_lock_release(int fd)
{
    if (fd < 0) return;
    if (ftruncate(fd, 0) != 0) { /* informational only */ }
    flock(fd, LOCK_UN);
    close(fd);
}
