/*
 * catalog.c - the session catalog: tables and views by case-insensitive
 * name, in creation order.  Everything lives in the catalog's arena.
 */
#include "sql/catalog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct Catalog {
    WbArena arena;
    TableDef **defs;
    int32_t count;
    int32_t cap;
};

Catalog *sql_catalog_new(void)
{
    Catalog *cat = wb_calloc(1, sizeof(Catalog));
    wb_arena_init(&cat->arena, 0);
    return cat;
}

void sql_catalog_free(Catalog *cat)
{
    if (!cat) return;
    wb_arena_destroy(&cat->arena);
    free(cat->defs);
    free(cat);
}

WbArena *sql_catalog_arena(Catalog *cat) { return &cat->arena; }

static int32_t find_index(Catalog *cat, const char *name)
{
    for (int32_t i = 0; i < cat->count; i++)
        if (strcasecmp(cat->defs[i]->name, name) == 0) return i;
    return -1;
}

TableDef *sql_catalog_find(Catalog *cat, const char *name)
{
    int32_t idx = find_index(cat, name);
    return idx < 0 ? NULL : cat->defs[idx];
}

int sql_catalog_add(Catalog *cat, TableDef *def, bool replace, WbError *err)
{
    int32_t idx = find_index(cat, def->name);
    if (idx >= 0) {
        if (!replace) {
            wb_error(err, WB_SQLSTATE_DUPLICATE_TABLE, def->line, def->column,
                     "%s \"%s\" already exists", cat->defs[idx]->is_view ? "view" : "table",
                     def->name);
            return -1;
        }
        cat->defs[idx] = def;
        return 0;
    }
    if (cat->count == cat->cap) {
        cat->cap = cat->cap ? cat->cap * 2 : 16;
        cat->defs = wb_realloc(cat->defs, sizeof(TableDef *) * (size_t)cat->cap);
    }
    cat->defs[cat->count++] = def;
    return 0;
}

bool sql_catalog_drop(Catalog *cat, const char *name)
{
    int32_t idx = find_index(cat, name);
    if (idx < 0) return false;
    memmove(&cat->defs[idx], &cat->defs[idx + 1],
            sizeof(TableDef *) * (size_t)(cat->count - idx - 1));
    cat->count--;
    return true;
}

TableDef **sql_catalog_list(Catalog *cat, int32_t *count)
{
    *count = cat->count;
    return cat->defs;
}

const char *sql_table_option(const TableDef *def, const char *key)
{
    for (int32_t i = 0; i < def->noptions; i++)
        if (strcmp(def->options[i].key, key) == 0) return def->options[i].value;
    return NULL;
}

int32_t sql_table_physical(const TableDef *def, SqlType *types_out, int32_t *col_index_out)
{
    int32_t n = 0;
    for (int32_t i = 0; i < def->ncols; i++) {
        if (def->cols[i].computed || def->cols[i].is_metadata) continue;
        if (types_out) types_out[n] = def->cols[i].type;
        if (col_index_out) col_index_out[n] = i;
        n++;
    }
    return n;
}
