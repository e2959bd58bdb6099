/*
 * store_call.c - the table store's maintenance procedures behind CALL
 * (src/session/procedure.c): expire snapshots and remove orphan files of
 * a stored table.  (Compaction is cn_store_compact, store_source.c.)
 */
#include "connect/connect_int.h"
#include "store/store.h"

static StoreTable *open_stored(const TableDef *table, const char *what, WbError *err)
{
    if (!table->store_dir) {
        wb_error(err, WB_SQLSTATE_FEATURE, table->line, table->column,
                 "table %s is not a stored table: it has nothing to %s", table->name, what);
        return NULL;
    }
    return cn_store_table_open(table, err);
}

int cn_store_expire(const TableDef *table, WbError *err)
{
    StoreTable *t = open_stored(table, "expire", err);
    if (!t) return -1;
    int rc = store_expire(t, err);
    store_close(t);
    return rc;
}

int cn_store_remove_orphans(const TableDef *table, int64_t older_than_ms, int64_t *removed,
                            WbError *err)
{
    StoreTable *t = open_stored(table, "clean", err);
    if (!t) return -1;
    int rc = store_remove_orphans(t, older_than_ms, removed, err);
    store_close(t);
    return rc;
}
