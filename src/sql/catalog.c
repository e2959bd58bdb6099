/*
 * catalog.c - the session catalog: tables and views by case-insensitive
 * name, in creation order, temporary ones shadowing permanent ones; and
 * the canonical CREATE text of a definition (what the data directory's
 * catalog file holds).  Everything lives in the catalog's arena.
 */
#include "sql/catalog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/lexer.h"

struct Catalog {
    WbArena arena;
    TableDef **defs;
    int32_t count;
    int32_t cap;
    char *store_root;            /* NULL: no data directory */
    SqlSystemTableFn system_tables;
};

void sql_catalog_set_system_tables(Catalog *cat, SqlSystemTableFn fn) { cat->system_tables = fn; }

SqlSystemTableFn sql_catalog_system_tables(const Catalog *cat) { return cat->system_tables; }

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

/* kind: 1 temporary only, 0 permanent only, -1 either (temporary first) */
static int32_t find_index(Catalog *cat, const char *name, int kind)
{
    int32_t found = -1;
    for (int32_t i = 0; i < cat->count; i++) {
        if (strcasecmp(cat->defs[i]->name, name) != 0) continue;
        bool temp = cat->defs[i]->is_temporary;
        if (kind >= 0 && temp != (kind == 1)) continue;
        if (temp || kind >= 0) return i;
        found = i;
    }
    return found;
}

TableDef *sql_catalog_find(Catalog *cat, const char *name)
{
    int32_t idx = find_index(cat, name, -1);
    return idx < 0 ? NULL : cat->defs[idx];
}

TableDef *sql_catalog_find_kind(Catalog *cat, const char *name, bool temporary)
{
    int32_t idx = find_index(cat, name, temporary ? 1 : 0);
    return idx < 0 ? NULL : cat->defs[idx];
}

int sql_catalog_add(Catalog *cat, TableDef *def, bool replace, WbError *err)
{
    int32_t idx = find_index(cat, def->name, def->is_temporary ? 1 : 0);
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

bool sql_catalog_drop(Catalog *cat, const TableDef *def)
{
    for (int32_t idx = 0; idx < cat->count; idx++) {
        if (cat->defs[idx] != def) continue;
        memmove(&cat->defs[idx], &cat->defs[idx + 1],
                sizeof(TableDef *) * (size_t)(cat->count - idx - 1));
        cat->count--;
        return true;
    }
    return false;
}

void sql_catalog_clear_permanent(Catalog *cat)
{
    int32_t kept = 0;
    for (int32_t i = 0; i < cat->count; i++)
        if (cat->defs[i]->is_temporary) cat->defs[kept++] = cat->defs[i];
    cat->count = kept;
}

TableDef **sql_catalog_list(Catalog *cat, int32_t *count)
{
    *count = cat->count;
    return cat->defs;
}

void sql_catalog_set_store_root(Catalog *cat, const char *root)
{
    cat->store_root = root ? wb_arena_strdup(&cat->arena, root) : NULL;
}

const char *sql_catalog_store_root(const Catalog *cat) { return cat->store_root; }

char *sql_catalog_store_path(Catalog *cat, const char *name)
{
    static const char hex[] = "0123456789abcdef";
    WbBuf path = {0};
    wb_buf_puts(&path, cat->store_root ? cat->store_root : ".");
    wb_buf_putc(&path, '/');
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
            wb_buf_putc(&path, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            wb_buf_append(&path, esc, 3);
        }
    }
    char *out = wb_arena_strdup(&cat->arena, wb_buf_cstr(&path));
    wb_buf_free(&path);
    return out;
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

/* ---- canonical text ---- */

/* An identifier, in backquotes unless it is a plain word. */
static void put_ident(WbBuf *out, const char *name, size_t len)
{
    bool plain = len > 0 && !(name[0] >= '0' && name[0] <= '9') &&
                 !sql_word_is_reserved(name, len);
    for (size_t i = 0; i < len && plain; i++) {
        char c = name[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_';
    }
    if (plain) {
        wb_buf_append(out, name, len);
        return;
    }
    wb_buf_putc(out, '`');
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '`') wb_buf_putc(out, '`');
        wb_buf_putc(out, name[i]);
    }
    wb_buf_putc(out, '`');
}

/* A table name: qualified names are kept joined with '.', one part each. */
static void put_name(WbBuf *out, const char *name)
{
    for (const char *part = name;;) {
        const char *dot = strchr(part, '.');
        put_ident(out, part, dot ? (size_t)(dot - part) : strlen(part));
        if (!dot) break;
        wb_buf_putc(out, '.');
        part = dot + 1;
    }
}

static void put_string(WbBuf *out, const char *s)
{
    wb_buf_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'') wb_buf_putc(out, '\'');
        wb_buf_putc(out, *s);
    }
    wb_buf_putc(out, '\'');
}

static void put_column(WbBuf *out, const TableDef *def, int32_t idx)
{
    const ColumnDef *col = &def->cols[idx];
    put_ident(out, col->name, strlen(col->name));
    if (col->computed) {
        wb_buf_puts(out, " AS ");
        wb_buf_puts(out, col->computed_sql ? col->computed_sql : "NULL");
        return;
    }
    char tname[64];
    SqlType type = col->type;
    /* a primary key column is NOT NULL by the key; say it only when the
     * column said so itself is not known, so say what the type is */
    wb_buf_putc(out, ' ');
    wb_buf_puts(out, ty_name(type, tname, sizeof tname));
    if (col->is_metadata) {
        wb_buf_puts(out, " METADATA");
        if (col->metadata_key) {
            wb_buf_puts(out, " FROM ");
            put_string(out, col->metadata_key);
        }
        if (col->is_virtual) wb_buf_puts(out, " VIRTUAL");
    }
}

void sql_catalog_format_def(const TableDef *def, WbBuf *out)
{
    wb_buf_puts(out, "CREATE ");
    if (def->is_temporary) wb_buf_puts(out, "TEMPORARY ");
    wb_buf_puts(out, def->is_view ? "VIEW " : "TABLE ");
    put_name(out, def->name);
    if (def->is_view) {
        wb_buf_puts(out, " (");
        for (int32_t i = 0; i < def->ncols; i++) {
            if (i) wb_buf_puts(out, ", ");
            put_ident(out, def->cols[i].name, strlen(def->cols[i].name));
        }
        wb_buf_puts(out, ") AS\n");
        wb_buf_puts(out, def->view_sql ? def->view_sql : "");
        return;
    }
    wb_buf_puts(out, " (");
    for (int32_t i = 0; i < def->ncols; i++) {
        wb_buf_puts(out, i ? ",\n  " : "\n  ");
        put_column(out, def, i);
    }
    if (def->npk > 0) {
        wb_buf_puts(out, def->ncols ? ",\n  " : "\n  ");
        wb_buf_puts(out, "PRIMARY KEY (");
        for (int32_t k = 0; k < def->npk; k++) {
            if (k) wb_buf_puts(out, ", ");
            const char *name = def->cols[def->pk[k]].name;
            put_ident(out, name, strlen(name));
        }
        wb_buf_puts(out, ") NOT ENFORCED");
    }
    if (def->watermark_col >= 0) {
        const char *name = def->cols[def->watermark_col].name;
        wb_buf_puts(out, ",\n  WATERMARK FOR ");
        put_ident(out, name, strlen(name));
        wb_buf_puts(out, " AS ");
        wb_buf_puts(out, def->watermark_sql ? def->watermark_sql : name);
    }
    wb_buf_puts(out, "\n)");
    if (def->npartition > 0) {
        wb_buf_puts(out, " PARTITIONED BY (");
        for (int32_t k = 0; k < def->npartition; k++) {
            if (k) wb_buf_puts(out, ", ");
            const char *name = def->cols[def->partition[k]].name;
            put_ident(out, name, strlen(name));
        }
        wb_buf_putc(out, ')');
    }
    if (def->noptions > 0) {
        wb_buf_puts(out, " WITH (");
        for (int32_t i = 0; i < def->noptions; i++) {
            wb_buf_puts(out, i ? ",\n  " : "\n  ");
            put_string(out, def->options[i].key);
            wb_buf_puts(out, " = ");
            put_string(out, def->options[i].value);
        }
        wb_buf_puts(out, "\n)");
    }
}
