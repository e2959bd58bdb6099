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

/* Partition pruning from the pushed filter: each conjunct `p = constant`
 * on a partition column (constant of the column's representation) keeps
 * only partitions with that value.  The filter still runs above the scan. */
static void prune_partitions(StoreSource *s)
{
    const Source *src = &s->base;
    s->pruned = true;
    const TableDef *def = s->def;
    if (!src->filter || def->npartition == 0) return;
    int32_t nphys = src->ncols;
    int32_t *index = wb_malloc(sizeof(int32_t) * (size_t)(nphys + 1));
    sql_table_physical(def, NULL, index);
    /* filter column i is the i-th physical column read */
    int32_t *phys_of = wb_malloc(sizeof(int32_t) * (size_t)(nphys + 1));
    int32_t k = 0;
    for (int32_t c = 0; c < nphys; c++)
        if (!src->unread || !src->unread[c]) phys_of[k++] = c;
    const Expr *stack[64];
    int32_t depth = 0;
    stack[depth++] = src->filter;
    WbBuf text = {0};
    while (depth > 0) {
        const Expr *e = stack[--depth];
        if (e->kind != EX_CALL) continue;
        if (e->fn == FN_AND) {
            for (int32_t i = 0; i < e->nargs && depth < 64; i++) stack[depth++] = e->args[i];
            continue;
        }
        if (e->fn != FN_EQ || e->nargs != 2) continue;
        const Expr *a = e->args[0], *b = e->args[1];
        if (a->kind == EX_CONST) { const Expr *t = a; a = b; b = t; }
        if (a->kind != EX_COL || b->kind != EX_CONST || b->value.is_null || a->col < 0 || a->col >= k) continue;
        int32_t phys = phys_of[a->col];
        SqlType ct = s->types[phys], vt = b->value.type;
        bool same = ty_phys(ct) == ty_phys(vt) &&
                    (ct.id == vt.id || (ty_is_integer(ct.id) && ty_is_integer(vt.id)) ||
                     (ty_is_string(ct.id) && ty_is_string(vt.id))) &&
                    (ct.id != TY_DECIMAL || ct.scale == vt.scale) && ct.id != TY_DOUBLE;
        if (!same) continue;
        bool is_part = false;
        for (int32_t p = 0; p < def->npartition; p++) is_part |= def->partition[p] == index[phys];
        if (!is_part) continue;
        /* the constant's canonical text, as the partition path has it */
        uint8_t notnull = 0;
        ColumnVector vec = {.type = ct, .nulls = &notnull};
        Value v = b->value;
        switch (ty_phys(ct)) {
        case PK_I64: vec.i64 = &v.i64; break;
        case PK_I128: vec.i128 = &v.i128; break;
        case PK_F64: vec.f64 = &v.f64; break;
        case PK_STR: vec.str = &v.str; break;
        }
        wb_buf_clear(&text);
        ty_format_value(&vec, 0, &text);
        store_scan_partition_value(s->scan, phys, wb_buf_cstr(&text));
    }
    wb_buf_free(&text);
    free(index);
    free(phys_of);
}

/* Row-group skipping from the pushed filter: conjuncts `key op constant`
 * (=, <, <=, >, >=) on primary-key columns, constant of the column's
 * representation, go to the scan (store_scan_key_filter). */
static void key_filter(StoreSource *s)
{
    const Source *src = &s->base;
    const TableDef *def = s->def;
    if (!src->filter || def->npk == 0) return;
    int32_t nphys = src->ncols;
    int32_t *index = wb_malloc(sizeof(int32_t) * (size_t)(nphys + 1));
    sql_table_physical(def, NULL, index);
    int32_t *phys_of = wb_malloc(sizeof(int32_t) * (size_t)(nphys + 1));
    int32_t k = 0;
    for (int32_t c = 0; c < nphys; c++)
        if (!src->unread || !src->unread[c]) phys_of[k++] = c;
    PqPredicate preds[64];
    int32_t n = 0;
    const Expr *stack[64];
    int32_t depth = 0;
    stack[depth++] = src->filter;
    while (depth > 0 && n < 64) {
        const Expr *e = stack[--depth];
        if (e->kind != EX_CALL) continue;
        if (e->fn == FN_AND) {
            for (int32_t i = 0; i < e->nargs && depth < 64; i++) stack[depth++] = e->args[i];
            continue;
        }
        PqOp op;
        switch (e->fn) {
        case FN_EQ: op = PQ_OP_EQ; break;
        case FN_LT: op = PQ_OP_LT; break;
        case FN_LE: op = PQ_OP_LE; break;
        case FN_GT: op = PQ_OP_GT; break;
        case FN_GE: op = PQ_OP_GE; break;
        default: continue;
        }
        if (e->nargs != 2) continue;
        const Expr *a = e->args[0], *b = e->args[1];
        if (a->kind == EX_CONST) {
            static const PqOp flip[] = {PQ_OP_EQ, PQ_OP_GT, PQ_OP_GE, PQ_OP_LT, PQ_OP_LE};
            const Expr *t = a;
            a = b;
            b = t;
            op = flip[op];
        }
        if (a->kind != EX_COL || b->kind != EX_CONST || b->value.is_null || a->col < 0 || a->col >= k) continue;
        int32_t phys = phys_of[a->col];
        bool is_key = false;
        for (int32_t p = 0; p < def->npk; p++) is_key |= def->pk[p] == index[phys];
        if (!is_key) continue;
        SqlType ct = s->types[phys], vt = b->value.type;
        bool same = ty_phys(ct) == ty_phys(vt) &&
                    (ct.id == vt.id || (ty_is_integer(ct.id) && ty_is_integer(vt.id)) ||
                     (ty_is_string(ct.id) && ty_is_string(vt.id))) &&
                    (ct.id != TY_DECIMAL || ct.scale == vt.scale) && ct.id != TY_DOUBLE &&
                    ct.id != TY_BOOLEAN && ct.id != TY_INTERVAL_DT && ct.id != TY_INTERVAL_YM;
        if (!same) continue;
        PqPredicate *p = &preds[n++];
        memset(p, 0, sizeof *p);
        p->col = phys;
        p->op = op;
        switch (ty_phys(ct)) {
        case PK_I64:
            if (ct.id == TY_DECIMAL) p->value.i128 = b->value.i64;
            else p->value.i64 = b->value.i64;
            break;
        case PK_I128: p->value.i128 = b->value.i128; break;
        case PK_F64: p->value.f64 = b->value.f64; break;
        case PK_STR: p->value.str = b->value.str; break;
        }
    }
    if (n > 0) store_scan_key_filter(s->scan, preds, n);
    free(index);
    free(phys_of);
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
        prune_partitions(s);
        key_filter(s);
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
