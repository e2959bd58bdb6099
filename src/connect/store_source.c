/*
 * store_source.c - reading a table kept by weir's table store
 * (TableDef.store_dir): batch reads of a snapshot (bounded), or streaming
 * reads of a snapshot then its changes (unbounded), with Paimon's scan
 * options from the table and from dynamic options (hints) over them.
 * Also the bridge from a TableDef to a StoreTable, shared with the sink.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/connect_int.h"
#include "sql/expr.h"
#include "store/store.h"

typedef struct StoreSource {
    Source base;
    StoreTable *table;
    StoreScan *scan;
    SqlType *types;
    const TableDef *def;
    bool pruned;                 /* the filter has been looked at */
} StoreSource;

/* What the pushed filter lets the scan skip (cn_filter_predicates): each
 * `p = constant` on a partition column keeps only partitions with that
 * value; comparisons on primary-key columns skip row groups by their
 * statistics (store_scan_key_filter).  The filter still runs above the
 * scan. */
static void use_filter(StoreSource *s)
{
    const Source *src = &s->base;
    const TableDef *def = s->def;
    s->pruned = true;
    int32_t n;
    PqPredicate *preds = cn_filter_predicates(src, s->types, src->ncols, &n);
    if (!preds) return;
    int32_t *index = wb_malloc(sizeof(int32_t) * (size_t)(src->ncols + 1));
    sql_table_physical(def, NULL, index);
    WbBuf text = {0};
    bool *not_key = wb_malloc(sizeof(bool) * (size_t)(n + 1));
    for (int32_t i = 0; i < n; i++) {
        const PqPredicate *p = &preds[i];
        bool is_part = false, is_key = false;
        for (int32_t k = 0; k < def->npartition; k++) is_part |= def->partition[k] == index[p->col];
        for (int32_t k = 0; k < def->npk; k++) is_key |= def->pk[k] == index[p->col];
        not_key[i] = !is_key || p->op == PQ_OP_IS_NULL || p->op == PQ_OP_IS_NOT_NULL;
        SqlType ct = s->types[p->col];
        if (!is_part || p->op != PQ_OP_EQ || p->any_of || ct.id == TY_DOUBLE) continue;
        /* the constant's canonical text, as the partition path has it */
        uint8_t notnull = 0;
        PqValue v = p->value;
        if (ct.id == TY_DECIMAL && ty_phys(ct) == PK_I64) v.i64 = (int64_t)v.i128;   /* see PqPredicate */
        ColumnVector vec = {.type = ct, .nulls = &notnull};
        switch (ty_phys(ct)) {
        case PK_I64: vec.i64 = &v.i64; break;
        case PK_I128: vec.i128 = &v.i128; break;
        case PK_F64: vec.f64 = &v.f64; break;
        case PK_STR: vec.str = &v.str; break;
        }
        wb_buf_clear(&text);
        ty_format_value(&vec, 0, &text);
        store_scan_partition_value(s->scan, p->col, wb_buf_cstr(&text));
    }
    int32_t nkey = pq_preds_drop(preds, n, not_key);
    free(not_key);
    if (nkey > 0) store_scan_key_filter(s->scan, preds, nkey);
    wb_buf_free(&text);
    free(index);
    free(preds);
}

/* Positions a store error at the table's declaration when it has none. */
static void position(WbError *err, const TableDef *table)
{
    if (err->set && err->line == 0) {
        err->line = table->line;
        err->column = table->column;
    }
}

static StoreTable *open_table(const TableDef *table, bool check, const char *renamed_from,
                              const char *renamed_to, bool evolve, WbError *err);

StoreTable *cn_store_table_open(const TableDef *table, WbError *err)
{
    return open_table(table, true, NULL, NULL, false, err);
}

int cn_store_alter(const TableDef *after, const char *renamed_from, const char *renamed_to,
                   WbError *err)
{
    if (!after->store_dir) return 0;
    StoreTable *t = open_table(after, false, renamed_from, renamed_to, true, err);
    if (!t) return -1;
    store_close(t);
    return 0;
}

static StoreTable *open_table(const TableDef *table, bool check, const char *renamed_from,
                              const char *renamed_to, bool evolve, WbError *err)
{
    int32_t nphys = sql_table_physical(table, NULL, NULL);
    SqlType *types = wb_malloc(sizeof(SqlType) * (size_t)(nphys + 1));
    int32_t *index = wb_malloc(sizeof(int32_t) * (size_t)(nphys + 1));
    sql_table_physical(table, types, index);
    const char **names = wb_malloc(sizeof(char *) * (size_t)(nphys + 1));
    for (int32_t i = 0; i < nphys; i++) names[i] = table->cols[index[i]].name;
    /* keys: indices into cols -> physical positions */
    int32_t *pk = wb_malloc(sizeof(int32_t) * (size_t)(table->npk + 1));
    int32_t *part = wb_malloc(sizeof(int32_t) * (size_t)(table->npartition + 1));
    for (int32_t k = 0; k < table->npk; k++)
        for (int32_t i = 0; i < nphys; i++)
            if (index[i] == table->pk[k]) pk[k] = i;
    for (int32_t k = 0; k < table->npartition; k++)
        for (int32_t i = 0; i < nphys; i++)
            if (index[i] == table->partition[k]) part[k] = i;
    const char **keys = wb_malloc(sizeof(char *) * (size_t)(table->noptions + 1));
    const char **values = wb_malloc(sizeof(char *) * (size_t)(table->noptions + 1));
    for (int32_t i = 0; i < table->noptions; i++) {
        keys[i] = table->options[i].key;
        values[i] = table->options[i].value;
    }
    StoreSpec spec = {table->name, nphys, names, types, table->npk, pk, table->npartition, part,
                      table->noptions, keys, values};
    StoreTable *t = store_open(table->store_dir, &spec, err);
    if (!t) position(err, table);
    if (t && evolve) {
        if (store_evolve(t, &spec, renamed_from, renamed_to, err) != 0) {
            position(err, table);
            store_close(t);
            t = NULL;
        }
    }
    /* the stored schema must be the definition's (an ALTER reaches both) */
    bool same = !check || (t && store_ncols(t) == nphys);
    for (int32_t i = 0; check && same && i < nphys; i++) {
        SqlType st = store_col_type(t, i);
        same = strcasecmp(store_col_name(t, i), names[i]) == 0 && ty_equal(st, types[i]);
    }
    if (t && !same) {
        char tn[64];
        wb_error(err, WB_SQLSTATE_DATATYPE, table->line, table->column,
                 "the stored schema of table %s differs from its definition", table->name);
        WbBuf cols = {0};
        for (int32_t i = 0; i < store_ncols(t); i++)
            wb_buf_printf(&cols, "%s%s %s", i ? ", " : "", store_col_name(t, i),
                          ty_name(store_col_type(t, i), tn, sizeof tn));
        wb_error_detail(err, "The directory %s holds the columns (%s).", table->store_dir, wb_buf_cstr(&cols));
        wb_buf_free(&cols);
        store_close(t);
        t = NULL;
    }
    free(types);
    free(index);
    free(names);
    free(pk);
    free(part);
    free(keys);
    free(values);
    return t;
}

static int store_source_next(Source *src, Batch *out, int32_t max_rows, WbError *err)
{
    StoreSource *s = (StoreSource *)src;
    if (!s->pruned) {
        use_filter(s);
        if (src->unread) store_scan_unread(s->scan, src->unread);
    }
    int64_t now_ms = wb_clock_now(src->clock) / 1000;
    int32_t before = out->nrows;
    int rc = store_scan_next(s->scan, out, max_rows, now_ms, err);
    src->records_read += out->nrows - before;
    return rc;
}

static void store_source_close(Source *src)
{
    StoreSource *s = (StoreSource *)src;
    store_scan_close(s->scan);
    store_close(s->table);
    free(s->types);
    free(s);
}

static const SourceVTable store_source_vt = {store_source_next, store_source_close};

Source *cn_store_source_open(const TableDef *table, bool streaming, int32_t nextra,
                             const char *const *keys, const char *const *values, WbError *err)
{
    StoreTable *t = cn_store_table_open(table, err);
    if (!t) return NULL;
    StoreScan *scan = store_scan_open(t, streaming, nextra, keys, values, err);
    if (!scan) {
        position(err, table);
        store_close(t);
        return NULL;
    }
    StoreSource *s = wb_calloc(1, sizeof(StoreSource));
    s->base.vt = &store_source_vt;
    s->base.table = table;
    s->base.bounded = store_scan_bounded(scan);
    s->base.rows_without_columns = true;
    s->base.ncols = sql_table_physical(table, NULL, NULL);
    s->types = wb_malloc(sizeof(SqlType) * (size_t)(s->base.ncols + 1));
    sql_table_physical(table, s->types, NULL);
    s->base.types = s->types;
    s->table = t;
    s->scan = scan;
    s->def = table;
    return &s->base;
}

int cn_store_compact(const TableDef *table, const char *partition, WbError *err)
{
    if (!table->store_dir) {
        wb_error(err, WB_SQLSTATE_FEATURE, table->line, table->column,
                 "table %s is not a stored table: it has nothing to compact", table->name);
        return -1;
    }
    StoreTable *t = cn_store_table_open(table, err);
    if (!t) return -1;
    int rc = store_compact(t, partition, err);
    if (rc != 0) position(err, table);
    store_close(t);
    return rc;
}
