/*
 * fmt_parquet.c - the filesystem connector's 'parquet' format over the
 * store's Parquet reader and writer (store/parquet.h): the source side
 * reads each listed file's columns by name, only those the query reads
 * (Source.unread), skipping row groups whose statistics cannot satisfy
 * the simple conjuncts of the pushed-down filter (Source.filter); the
 * sink side writes part files through a PqWriter.
 *
 * The filter is turned into pq predicates here, not in store: a conjunct
 * `col op constant` (op = < <= > >= =, either side), `col IS [NOT] NULL`,
 * with the column of a type whose representation the constant shares.
 * Anything else is left to the CALC above the scan, which applies the
 * whole filter anyway.
 */
#include "connect/connect_int.h"
#include "sql/expr.h"
#include "store/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const parquet_keys[] = {
    "parquet.compression", "parquet.compression.codec.zstd.level", "parquet.block.size",
    "parquet.block.rows", "parquet.page.size", "parquet.enable.dictionary",
    "parquet.dictionary.page.size", NULL};

const char *const *cn_parquet_option_keys(void)
{
    return parquet_keys;
}

/* ---- options ---- */

int cn_parquet_options(const TableDef *table, PqWriteOptions *opts, WbError *err)
{
    pq_write_options_default(opts);
    const char *comp = sql_table_option(table, "parquet.compression");
    if (comp && pq_compression_parse(comp, &opts->compression) != 0) {
        cn_table_error(err, table, "unsupported value \"%s\" for 'parquet.compression'; expected "
                       "UNCOMPRESSED, SNAPPY, GZIP or ZSTD", comp);
        return -1;
    }
    int64_t v;
    if (cn_opt_int(table, "parquet.compression.codec.zstd.level", 3, 1, 22, &v, err) != 0) return -1;
    if (opts->compression == PQ_COMPRESS_ZSTD) opts->compression_level = (int32_t)v;
    static const struct {
        const char *key;
        int64_t max;
    } sizes[] = {{"parquet.block.size", INT64_MAX}, {"parquet.page.size", (int64_t)1 << 30},
                 {"parquet.dictionary.page.size", (int64_t)1 << 30}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const char *text = sql_table_option(table, sizes[i].key);
        if (!text) continue;
        int64_t bytes;
        if (cn_parse_memory_size(text, &bytes) != 0 || bytes > sizes[i].max) {
            cn_table_error(err, table, "invalid value \"%s\" for '%s'", text, sizes[i].key);
            wb_error_hint(err, "Write a positive size such as '128MB', '64kb' or '1024'.");
            return -1;
        }
        if (i == 0) opts->row_group_bytes = bytes;
        else if (i == 1) opts->page_bytes = (int32_t)bytes;
        else opts->dictionary_page_bytes = (int32_t)bytes;
    }
    if (cn_opt_int(table, "parquet.block.rows", opts->row_group_rows, 1, INT32_MAX, &v, err) != 0) return -1;
    opts->row_group_rows = v;
    bool dict;
    if (cn_opt_bool(table, "parquet.enable.dictionary", true, &dict, err) != 0) return -1;
    opts->dictionary = dict;
    return 0;
}

/* ---- filter -> predicates (also the store's source: connect_int.h) ---- */

struct CnParquetSource {
    const TableDef *table;
    int32_t ncols;               /* physical columns */
    const char **names;
    SqlType *types;
    PqPredicate *preds;          /* col = physical column */
    int32_t npreds;
    bool preds_built;
    PqReader *reader;
    PqScan *scan;
    const char *path;
    int32_t *dst_cols;           /* projected physical columns, in order */
    int32_t nproj;
    int64_t skipped_groups;
};

typedef struct PredList {
    const SqlType *types;        /* of the physical columns */
    int32_t ncols;
    const int32_t *phys_of;      /* filter column i -> physical column, or NULL */
    PqPredicate *items;
    int32_t n, cap;
    int32_t groups;              /* disjunctions numbered so far */
} PredList;

static const Expr *strip_same_rep_cast(const Expr *e)
{
    /* INT -> BIGINT keeps the int64 value */
    if (e->kind == EX_CALL && e->fn == FN_CAST && e->nargs == 1 && e->args[0]->kind == EX_COL &&
        e->args[0]->type.id == TY_INT && e->type.id == TY_BIGINT)
        return e->args[0];
    return e;
}

static void add_pred(PredList *pl, int32_t col, PqOp op, const Value *v)
{
    if (pl->n == pl->cap) {
        pl->cap = pl->cap ? pl->cap * 2 : 8;
        pl->items = wb_realloc(pl->items, sizeof(PqPredicate) * (size_t)pl->cap);
    }
    PqPredicate *p = &pl->items[pl->n++];
    memset(p, 0, sizeof *p);
    p->col = col;
    p->op = op;
    if (!v) return;
    SqlType t = pl->types[col];
    switch (ty_phys(v->type)) {
    case PK_I64:
        if (t.id == TY_DECIMAL) p->value.i128 = v->i64;
        else p->value.i64 = v->i64;
        break;
    case PK_I128: p->value.i128 = v->i128; break;
    case PK_F64: p->value.f64 = v->f64; break;
    case PK_STR: p->value.str = v->str; break;
    }
}

/* Whether a constant of type c compares with a column of type t by the
 * same representation. */
static bool same_rep(SqlType t, SqlType c)
{
    if (ty_phys(t) == PK_STR || ty_phys(c) == PK_STR) return ty_is_string(t.id) && ty_is_string(c.id);
    if (t.id == TY_DECIMAL || c.id == TY_DECIMAL) return t.id == c.id && t.scale == c.scale;
    if (ty_is_integer(t.id) && ty_is_integer(c.id)) return true;
    if (t.id == TY_TIMESTAMP && c.id == TY_TIMESTAMP) return t.ltz == c.ltz;
    return t.id == c.id;
}

static int32_t phys_col(const PredList *pl, int32_t filter_col)
{
    int32_t col = pl->phys_of ? pl->phys_of[filter_col] : filter_col;
    return col >= 0 && col < pl->ncols ? col : -1;
}

static void collect(PredList *pl, const Expr *e);

/* A disjunction (OR of terms, or x IN (constants)) as one group of
 * alternatives: all of them translate, or none is kept. */
static void collect_any(PredList *pl, const Expr *e)
{
    int32_t first = pl->n;
    bool whole = true;
    if (e->fn == FN_IN) {
        const Expr *x = e->args[0];
        for (int32_t i = 1; i < e->nargs && whole; i++) {
            Expr eq = {.kind = EX_CALL, .fn = FN_EQ, .nargs = 2, .type = e->type};
            const Expr *args[2] = {x, e->args[i]};
            eq.args = (Expr **)args;
            int32_t before = pl->n;
            collect(pl, &eq);
            whole = pl->n == before + 1;
        }
    } else {
        for (int32_t i = 0; i < e->nargs && whole; i++) {
            const Expr *a = e->args[i];
            int32_t before = pl->n;
            if (a->kind == EX_CALL && (a->fn == FN_OR || a->fn == FN_IN)) {
                collect_any(pl, a);
                whole = pl->n > before;   /* a nested group joins this one */
            } else if (a->kind == EX_CALL && a->fn != FN_AND) {
                collect(pl, a);
                whole = pl->n == before + 1;
            } else {
                whole = false;
            }
        }
    }
    if (!whole || pl->n == first) {
        pl->n = first;
        return;
    }
    int32_t group = ++pl->groups;
    for (int32_t i = first; i < pl->n; i++) pl->items[i].any_of = group;
}

static void collect(PredList *pl, const Expr *e)
{
    if (e->kind != EX_CALL) return;
    if (e->fn == FN_AND) {
        for (int32_t i = 0; i < e->nargs; i++) collect(pl, e->args[i]);
        return;
    }
    if ((e->fn == FN_OR && e->nargs >= 2) || (e->fn == FN_IN && e->nargs >= 2)) {
        collect_any(pl, e);
        return;
    }
    if ((e->fn == FN_IS_NULL || e->fn == FN_IS_NOT_NULL) && e->nargs == 1) {
        const Expr *a = strip_same_rep_cast(e->args[0]);
        if (a->kind != EX_COL || a->col < 0) return;
        int32_t col = phys_col(pl, a->col);
        if (col < 0) return;
        add_pred(pl, col, e->fn == FN_IS_NULL ? PQ_OP_IS_NULL : PQ_OP_IS_NOT_NULL, NULL);
        return;
    }
    PqOp op;
    switch (e->fn) {
    case FN_EQ: op = PQ_OP_EQ; break;
    case FN_LT: op = PQ_OP_LT; break;
    case FN_LE: op = PQ_OP_LE; break;
    case FN_GT: op = PQ_OP_GT; break;
    case FN_GE: op = PQ_OP_GE; break;
    default: return;
    }
    if (e->nargs != 2) return;
    const Expr *a = strip_same_rep_cast(e->args[0]), *b = strip_same_rep_cast(e->args[1]);
    if (a->kind == EX_CONST && b->kind == EX_COL) {
        const Expr *t = a;
        a = b;
        b = t;
        static const PqOp flip[] = {PQ_OP_EQ, PQ_OP_GT, PQ_OP_GE, PQ_OP_LT, PQ_OP_LE};
        op = flip[op];
    }
    if (a->kind != EX_COL || b->kind != EX_CONST || b->value.is_null || a->col < 0) return;
    int32_t col = phys_col(pl, a->col);
    if (col < 0) return;
    SqlType t = pl->types[col];
    if (!same_rep(t, b->value.type)) return;
    if (t.id == TY_INTERVAL_DT || t.id == TY_INTERVAL_YM || t.id == TY_BOOLEAN) return;
    add_pred(pl, col, op, &b->value);
}

PqPredicate *cn_filter_predicates(const Source *src, const SqlType *types, int32_t ncols, int32_t *n)
{
    *n = 0;
    if (!src->filter) return NULL;
    PredList pl = {types, ncols, NULL, NULL, 0, 0, 0};
    int32_t *phys_of = NULL;
    if (src->unread) {
        /* filter column i is the i-th physical column read */
        phys_of = wb_malloc(sizeof(int32_t) * (size_t)(ncols + 1));
        int32_t k = 0;
        for (int32_t c = 0; c < ncols; c++)
            if (!src->unread[c]) phys_of[k++] = c;
        for (int32_t i = k; i <= ncols; i++) phys_of[i] = -1;
        pl.phys_of = phys_of;
    }
    collect(&pl, src->filter);
    free(phys_of);
    *n = pl.n;
    return pl.items;
}

/* ---- reading ---- */

CnParquetSource *cn_parquet_source_new(const TableDef *table)
{
    CnParquetSource *ps = wb_calloc(1, sizeof *ps);
    ps->table = table;
    ps->names = cn_physical_names(table, &ps->ncols);
    ps->types = wb_malloc(sizeof(SqlType) * (size_t)(ps->ncols ? ps->ncols : 1));
    sql_table_physical(table, ps->types, NULL);
    ps->dst_cols = wb_malloc(sizeof(int32_t) * (size_t)(ps->ncols ? ps->ncols : 1));
    return ps;
}

static void close_file(CnParquetSource *ps)
{
    pq_scan_close(ps->scan);
    ps->scan = NULL;
    pq_reader_close(ps->reader);
    ps->reader = NULL;
}

void cn_parquet_source_free(CnParquetSource *ps)
{
    if (!ps) return;
    close_file(ps);
    free(ps->names);
    free(ps->types);
    free(ps->dst_cols);
    free(ps->preds);
    free(ps);
}

static int open_file(CnParquetSource *ps, const Source *src, const char *path, WbError *err)
{
    ps->path = path;
    ps->reader = pq_reader_open(path, err);
    if (!ps->reader) return -1;
    size_t n = (size_t)(ps->ncols ? ps->ncols : 1);
    int32_t *file_col = wb_malloc(sizeof(int32_t) * n);
    int32_t *cols = wb_malloc(sizeof(int32_t) * n);
    SqlType *dst_types = wb_malloc(sizeof(SqlType) * n);
    PqPredicate *preds = wb_malloc(sizeof(PqPredicate) * (size_t)(ps->npreds ? ps->npreds : 1));
    int rc = 0;
    ps->nproj = 0;
    for (int32_t c = 0; c < ps->ncols && rc == 0; c++) {
        file_col[c] = pq_reader_find_column(ps->reader, ps->names[c]);
        if (src->unread && src->unread[c]) continue;
        if (file_col[c] < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, 0, 0,
                     "column \"%s\" of table %s is not in Parquet file \"%s\"", ps->names[c],
                     ps->table->name, path);
            snprintf(err->source, sizeof err->source, "%s", path);
            rc = -1;
            break;
        }
        cols[ps->nproj] = file_col[c];
        dst_types[ps->nproj] = ps->types[c];
        ps->dst_cols[ps->nproj++] = c;
    }
    /* by the file's column numbers; a term on a column it lacks or holds
     * under another type goes, with its disjunction */
    bool *drop = wb_malloc(sizeof(bool) * (size_t)(ps->npreds + 1));
    for (int32_t i = 0; rc == 0 && i < ps->npreds; i++) {
        int32_t fc = file_col[ps->preds[i].col];
        preds[i] = ps->preds[i];
        preds[i].col = fc;
        const PqColumnInfo *info = fc >= 0 ? pq_reader_column(ps->reader, fc) : NULL;
        drop[i] = !info || info->unsupported || !pq_type_compatible(info->type, ps->types[ps->preds[i].col]);
    }
    int32_t np = rc == 0 ? pq_preds_drop(preds, ps->npreds, drop) : 0;
    free(drop);
    if (rc == 0) {
        ps->scan = pq_scan_open(ps->reader, cols, ps->nproj, dst_types, preds, np, err);
        if (!ps->scan) rc = -1;
    }
    free(file_col);
    free(cols);
    free(dst_types);
    free(preds);
    return rc;
}

int cn_parquet_next(CnParquetSource *ps, Source *src, char **files, int32_t nfiles, int32_t *next_file,
                    Batch *out, int32_t max_rows, WbError *err)
{
    if (!ps->preds_built) {
        ps->preds = cn_filter_predicates(src, ps->types, ps->ncols, &ps->npreds);
        ps->preds_built = true;
    }
    while (out->nrows < max_rows) {
        if (!ps->scan) {
            if (*next_file >= nfiles) return 0;
            if (open_file(ps, src, files[(*next_file)++], err) != 0) {
                close_file(ps);
                return -1;
            }
        }
        int32_t n = pq_scan_next(ps->scan, out, ps->dst_cols, max_rows - out->nrows, err);
        if (n < 0) {
            close_file(ps);
            return -1;
        }
        if (n == 0) {
            ps->skipped_groups += pq_scan_row_groups_skipped(ps->scan);
            close_file(ps);
            continue;
        }
        src->records_read += n;
    }
    return 1;
}

/* ---- writing ---- */

int cn_parquet_write(PqWriter *w, const Batch *batch, int32_t ncols, int64_t *rows_written, WbError *err)
{
    bool plain = true;
    for (int32_t r = 0; r < batch->nrows && plain; r++) plain = batch->weights[r] == 1;
    const ColumnVector **cols = wb_malloc(sizeof(ColumnVector *) * (size_t)(ncols ? ncols : 1));
    for (int32_t c = 0; c < ncols; c++) cols[c] = &batch->cols[c];
    int rc;
    if (plain) {
        rc = pq_writer_write_vectors(w, cols, NULL, batch->nrows, err);
        *rows_written += batch->nrows;
    } else {
        /* a row of weight n is written n times: a selection repeats it */
        int64_t total = 0;
        for (int32_t r = 0; r < batch->nrows; r++) total += batch->weights[r] > 0 ? batch->weights[r] : 0;
        int32_t *sel = wb_malloc(sizeof(int32_t) * (size_t)(total ? total : 1));
        int64_t k = 0;
        for (int32_t r = 0; r < batch->nrows; r++)
            for (int64_t w2 = batch->weights[r]; w2 > 0; w2--) sel[k++] = r;
        rc = 0;
        for (int64_t at = 0; rc == 0 && at < total; at += INT32_MAX / 2) {
            int32_t n = (int32_t)WB_MIN(total - at, (int64_t)INT32_MAX / 2);
            rc = pq_writer_write_vectors(w, cols, sel + at, n, err);
        }
        *rows_written += total;
        free(sel);
    }
    free(cols);
    return rc;
}
