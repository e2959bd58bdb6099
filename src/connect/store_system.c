/*
 * store_system.c - the source of a stored table's system tables
 * (t$snapshots, t$files, t$options, t$schemas): 'connector' =
 * 'weir-system', 'path' = the table's directory, 'system-table' = the
 * kind.  The planner makes these definitions (sql/plan_hint.c); the rows
 * come from the table's metadata as it is when the scan opens
 * (store/systable.c), a bounded input in either mode.
 */
#include <stdlib.h>
#include <string.h>

#include "connect/connect_int.h"
#include "store/store.h"

typedef struct SysSource {
    Source base;
    Batch *rows;
    int32_t next;
} SysSource;

static int sys_next(Source *src, Batch *out, int32_t max_rows, WbError *err)
{
    (void)err;
    SysSource *s = (SysSource *)src;
    int32_t n = 0;
    while (s->next < s->rows->nrows && n < max_rows) {
        ty_batch_append_row(out, s->rows, s->next++, 1);
        n++;
    }
    src->records_read += n;
    return s->next < s->rows->nrows ? 1 : 0;
}

static void sys_close(Source *src)
{
    SysSource *s = (SysSource *)src;
    ty_batch_free(s->rows);
    free(s->base.types);
    free(s);
}

static const SourceVTable sys_vt = {sys_next, sys_close};

Source *cn_store_system_open(const TableDef *table, WbError *err)
{
    const char *dir = sql_table_option(table, "path");
    const char *kind_name = sql_table_option(table, "system-table");
    int kind = kind_name ? store_sys_kind(kind_name) : -1;
    if (!dir || kind < 0) {
        cn_table_error(err, table, "table %s is not a system table of a stored table", table->name);
        return NULL;
    }
    int32_t n = store_sys_ncols((StoreSysTable)kind);
    SysSource *s = wb_calloc(1, sizeof *s);
    s->base.vt = &sys_vt;
    s->base.table = table;
    s->base.bounded = true;
    s->base.ncols = n;
    s->base.types = wb_calloc((size_t)n, sizeof(SqlType));
    for (int32_t c = 0; c < n; c++) s->base.types[c] = store_sys_col_type((StoreSysTable)kind, c);
    s->rows = ty_batch_new(s->base.types, n, 16);
    if (store_sys_read(dir, (StoreSysTable)kind, s->rows, err) != 0) {
        sys_close(&s->base);
        return NULL;
    }
    return &s->base;
}

const TableDef *cn_system_table_def(const TableDef *base, const char *suffix, WbArena *arena,
                                    WbError *err)
{
    int kind = store_sys_kind(suffix);
    if (kind < 0 || !base->store_dir || base->is_view) {
        if (kind < 0)
            wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, 0, 0,
                     "table \"%s$%s\" does not exist: the system tables are $snapshots, $files, "
                     "$options and $schemas", base->name, suffix);
        else
            wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, 0, 0,
                     "table \"%s$%s\" does not exist: system tables belong to tables stored by weir",
                     base->name, suffix);
        return NULL;
    }
    TableDef *def = wb_arena_calloc(arena, sizeof(TableDef));
    def->name = wb_arena_printf(arena, "%s$%s", base->name, suffix);
    def->ncols = store_sys_ncols((StoreSysTable)kind);
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)def->ncols);
    for (int32_t c = 0; c < def->ncols; c++) {
        def->cols[c].name = wb_arena_strdup(arena, store_sys_col_name((StoreSysTable)kind, c));
        def->cols[c].type = store_sys_col_type((StoreSysTable)kind, c);
    }
    def->watermark_col = -1;
    def->noptions = 3;
    def->options = wb_arena_calloc(arena, sizeof(TableOption) * 3);
    def->options[0].key = wb_arena_strdup(arena, "connector");
    def->options[0].value = wb_arena_strdup(arena, "weir-system");
    def->options[1].key = wb_arena_strdup(arena, "path");
    def->options[1].value = wb_arena_strdup(arena, base->store_dir);
    def->options[2].key = wb_arena_strdup(arena, "system-table");
    def->options[2].value = wb_arena_strdup(arena, suffix);
    def->line = base->line;
    def->column = base->column;
    return def;
}
