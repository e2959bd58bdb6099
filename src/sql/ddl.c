/*
 * ddl.c - CREATE TABLE / CREATE VIEW / DROP against the session catalog.
 * Definitions are validated when they are created (computed columns and
 * view queries are bound once) so that errors surface at the DDL statement,
 * not at the first query that uses the object.
 */
#include "sql/planner_int.h"

#include <string.h>
#include <strings.h>

/* The source text of `node` inside the statement `stmt` whose text is
 * sql_text; falls back to the canonical AST text when the span is not
 * inside the given text.  Copied into arena. */
static char *node_text(WbArena *arena, const AstNode *stmt, const char *sql_text,
                       const AstNode *node)
{
    if (sql_text) {
        size_t len = strlen(sql_text);
        int64_t start = (int64_t)node->src_start - stmt->src_start;
        int64_t end = (int64_t)node->src_end - stmt->src_start;
        if (start >= 0 && end >= start && (size_t)end <= len)
            return wb_arena_strndup(arena, sql_text + start, (size_t)(end - start));
    }
    WbBuf buf = {0};
    sql_ast_format(node, &buf);
    char *text = wb_arena_strdup(arena, wb_buf_cstr(&buf));
    wb_buf_free(&buf);
    return text;
}

/* Line and column of the object name in a DDL statement: the first word
 * after the statement's keywords (CREATE [TEMPORARY] TABLE|VIEW [IF NOT
 * EXISTS], DROP TABLE|VIEW [IF EXISTS]) that matches the name.  The AST
 * keeps only the statement's position, so the text is scanned; falls back
 * to the statement's position. */
static bool is_word_char(char c)
{
    return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
}

static void name_position(const AstNode *stmt, const char *sql_text, const char *name,
                          int *line, int *column)
{
    *line = stmt->line;
    *column = stmt->column;
    if (!sql_text || !name) return;
    const char *last = strrchr(name, '.');
    const char *word = last ? last + 1 : name;
    size_t wlen = strlen(word);
    int cur_line = stmt->line, cur_col = stmt->column;
    for (const char *p = sql_text; *p; p++) {
        bool boundary = p == sql_text || !is_word_char(p[-1]);
        if (boundary && strncasecmp(p, word, wlen) == 0) {
            bool end = !is_word_char(p[wlen]);
            /* skip keywords that happen to equal the name: the name follows them */
            static const char *const kw[] = {"CREATE", "TEMPORARY", "TABLE", "VIEW", "DROP",
                                             "IF", "NOT", "EXISTS"};
            bool is_kw = false;
            for (size_t k = 0; k < WB_ARRAY_LEN(kw); k++)
                if (strlen(kw[k]) == wlen && strncasecmp(p, kw[k], wlen) == 0) is_kw = true;
            if (end && !is_kw) {
                int back = last ? (int)(word - name) : 0;
                *line = cur_line;
                *column = cur_col - back;
                if (p > sql_text && (p[-1] == '`' || p[-1] == '"') && !last) *column = cur_col - 1;
                return;
            }
        }
        if (*p == '\n') {
            cur_line++;
            cur_col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            cur_col++;
        }
    }
}

static void binder_init(Binder *b, Catalog *cat, WbArena *arena, WbError *err)
{
    memset(b, 0, sizeof *b);
    b->cat = cat;
    b->arena = arena;
    b->err = err;
}

static int32_t find_column(const TableDef *def, const char *name)
{
    for (int32_t i = 0; i < def->ncols; i++)
        if (strcasecmp(def->cols[i].name, name) == 0) return i;
    return -1;
}

/* Binds computed columns over the physical ones (Flink does not let a
 * computed column refer to another) and the watermark over all columns,
 * with a scratch arena: only the resulting types are kept. */
static int check_expressions(Catalog *cat, TableDef *def, int wm_line, int wm_col, WbError *err)
{
    WbArena *scratch = wb_arena_new(0);
    Binder b;
    binder_init(&b, cat, scratch, err);
    Rel phys = {0}, all = {0};
    phys.cols = wb_arena_calloc(scratch, sizeof(ScopeCol) * (size_t)(def->ncols + 1));
    all.cols = wb_arena_calloc(scratch, sizeof(ScopeCol) * (size_t)(def->ncols + 1));
    for (int32_t i = 0; i < def->ncols; i++) {
        ScopeCol col = {0};
        col.qualifier = def->name;
        col.name = def->cols[i].name;
        col.type = def->cols[i].type;
        col.index = i;
        if (!def->cols[i].computed && !def->cols[i].is_metadata) phys.cols[phys.ncols++] = col;
    }
    int rc = 0;
    Env env;
    env_init(&env, &b, &phys);
    env.clause = "a computed column";
    for (int32_t i = 0; i < def->ncols && rc == 0; i++) {
        ColumnDef *col = &def->cols[i];
        if (!col->computed) continue;
        Expr *e = sql_bind_expr(&env, col->computed);
        if (!e) { rc = -1; break; }
        col->type = e->type;
        if (col->type.id == TY_NULL) col->type = ty_make(TY_STRING);
    }
    for (int32_t i = 0; i < def->ncols && rc == 0; i++) {
        all.cols[i].qualifier = def->name;
        all.cols[i].name = def->cols[i].name;
        all.cols[i].type = def->cols[i].type;
        all.cols[i].index = i;
        all.ncols++;
    }
    if (rc == 0 && def->watermark) {
        Env wenv;
        env_init(&wenv, &b, &all);
        wenv.clause = "a WATERMARK";
        Expr *e = sql_bind_expr(&wenv, def->watermark);
        if (!e) {
            rc = -1;
        } else if (e->type.id != TY_TIMESTAMP) {
            char tbuf[64];
            wb_error(err, WB_SQLSTATE_DATATYPE, wm_line, wm_col,
                     "the WATERMARK expression must be of type TIMESTAMP, not %s",
                     ty_name(e->type, tbuf, sizeof tbuf));
            rc = -1;
        }
    }
    wb_arena_free(scratch);
    return rc;
}

/* A table with no 'connector' option, or 'connector' = 'weir', is kept by
 * the table store in the catalog's store root (catalog.h): it gets its
 * store_dir.  A temporary table cannot be stored (as in Flink, where a
 * temporary table needs a connector), nor can any table of a catalog
 * without a data directory. */
static int stored_table(Catalog *cat, TableDef *def, int name_line, int name_col, WbError *err)
{
    const char *connector = sql_table_option(def, "connector");
    if (connector && strcmp(connector, "weir") != 0) return 0;
    if (def->is_temporary) {
        wb_error(err, WB_SQLSTATE_CONFIG, name_line, name_col,
                 "temporary table \"%s\" needs a 'connector' option", def->name);
        wb_error_detail(err, "A table without a connector (or with 'connector' = 'weir') is "
                             "stored in the data directory, which a temporary table is not.");
        wb_error_hint(err, "Add WITH ('connector' = 'filesystem', 'path' = '...', 'format' = "
                           "'csv') or another connector, or drop TEMPORARY.");
        return -1;
    }
    if (!sql_catalog_store_root(cat)) {
        if (connector) {
            wb_error(err, WB_SQLSTATE_CONFIG, name_line, name_col,
                     "table \"%s\" is a stored table ('connector' = 'weir'), but there is no "
                     "data directory", def->name);
        } else {
            wb_error(err, WB_SQLSTATE_CONFIG, name_line, name_col,
                     "table \"%s\" has no 'connector' option", def->name);
            wb_error_hint(err, "Add WITH ('connector' = 'filesystem', 'path' = '...', 'format' = "
                               "'csv') or another connector.");
        }
        return -1;
    }
    def->store_dir = sql_catalog_store_path(cat, def->name);
    return 0;
}

static int create_table(Catalog *cat, const AstNode *stmt, const char *sql_text, WbError *err)
{
    const char *name = stmt->create_table.name;
    int name_line, name_col;
    name_position(stmt, sql_text, name, &name_line, &name_col);
    if (stmt->create_table.as_query) {
        wb_error(err, WB_SQLSTATE_FEATURE, stmt->line, stmt->column,
                 "CREATE TABLE ... AS query is not supported yet");
        return -1;
    }
    bool temporary = stmt->create_table.temporary;
    if (sql_catalog_find_kind(cat, name, temporary) && stmt->create_table.if_not_exists) return 0;
    WbArena *arena = sql_catalog_arena(cat);
    TableDef *def = wb_arena_calloc(arena, sizeof *def);
    def->name = wb_arena_strdup(arena, name);
    def->is_temporary = stmt->create_table.temporary;
    def->line = name_line;
    def->column = name_col;
    def->watermark_col = -1;
    const AstList *cols = &stmt->create_table.columns;
    def->ncols = cols->count;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)(cols->count + 1));
    for (int32_t i = 0; i < cols->count; i++) {
        const AstNode *cd = cols->items[i];
        ColumnDef *col = &def->cols[i];
        for (int32_t j = 0; j < i; j++) {
            if (strcasecmp(def->cols[j].name, cd->column_def.name) == 0) {
                wb_error(err, "42701", cd->line, cd->column,
                         "column \"%s\" specified more than once", cd->column_def.name);
                return -1;
            }
        }
        col->name = wb_arena_strdup(arena, cd->column_def.name);
        col->type = cd->column_def.type;
        if (cd->column_def.ltz && col->type.id == TY_TIMESTAMP) col->type.ltz = 1;
        col->is_metadata = cd->column_def.is_metadata;
        if (cd->column_def.metadata_key)
            col->metadata_key = wb_arena_strdup(arena, cd->column_def.metadata_key);
        col->is_virtual = cd->column_def.is_virtual;
        if (cd->column_def.computed) {
            col->computed = cd->column_def.computed;
            col->computed_sql = node_text(arena, stmt, sql_text, cd->column_def.computed);
        }
    }
    const AstList *pk = &stmt->create_table.primary_key;
    def->npk = pk->count;
    def->pk = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(pk->count + 1));
    for (int32_t k = 0; k < pk->count; k++) {
        const AstNode *ident = pk->items[k];
        int32_t idx = find_column(def, ident->ident.name);
        if (idx < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, ident->line, ident->column,
                     "column \"%s\" named in key does not exist", ident->ident.name);
            return -1;
        }
        if (def->cols[idx].computed || def->cols[idx].is_metadata) {
            wb_error(err, WB_SQLSTATE_SYNTAX, ident->line, ident->column,
                     "primary key column \"%s\" must be a physical column", ident->ident.name);
            return -1;
        }
        def->pk[k] = idx;
        def->cols[idx].type.nullable = 0;   /* a primary key implies NOT NULL */
    }
    const AstList *parts = &stmt->create_table.partitioned_by;
    def->npartition = parts->count;
    def->partition = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(parts->count + 1));
    for (int32_t k = 0; k < parts->count; k++) {
        const AstNode *ident = parts->items[k];
        int32_t idx = find_column(def, ident->ident.name);
        if (idx < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, ident->line, ident->column,
                     "partition column \"%s\" does not exist", ident->ident.name);
            return -1;
        }
        if (def->cols[idx].computed || def->cols[idx].is_metadata) {
            wb_error(err, WB_SQLSTATE_SYNTAX, ident->line, ident->column,
                     "partition column \"%s\" must be a physical column", ident->ident.name);
            return -1;
        }
        for (int32_t j = 0; j < k; j++) {
            if (def->partition[j] == idx) {
                wb_error(err, "42701", ident->line, ident->column,
                         "partition column \"%s\" named more than once", ident->ident.name);
                return -1;
            }
        }
        def->partition[k] = idx;
    }
    const AstList *opts = &stmt->create_table.options;
    def->noptions = opts->count;
    def->options = wb_arena_calloc(arena, sizeof(TableOption) * (size_t)(opts->count + 1));
    for (int32_t i = 0; i < opts->count; i++) {
        def->options[i].key = wb_arena_strdup(arena, opts->items[i]->option.key);
        def->options[i].value = wb_arena_strdup(arena, opts->items[i]->option.value);
    }
    if (stored_table(cat, def, name_line, name_col, err) != 0) return -1;
    if (stmt->create_table.watermark_col) {
        def->watermark_col = find_column(def, stmt->create_table.watermark_col);
        if (def->watermark_col < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, stmt->create_table.watermark_line,
                     stmt->create_table.watermark_column,
                     "column \"%s\" of the WATERMARK does not exist", stmt->create_table.watermark_col);
            return -1;
        }
        def->watermark = stmt->create_table.watermark;
        if (def->watermark)
            def->watermark_sql = node_text(arena, stmt, sql_text, def->watermark);
    }
    if (check_expressions(cat, def, stmt->create_table.watermark_line,
                          stmt->create_table.watermark_column, err) != 0)
        return -1;
    if (def->watermark_col >= 0 && def->cols[def->watermark_col].type.id != TY_TIMESTAMP) {
        char tbuf[64];
        wb_error(err, WB_SQLSTATE_DATATYPE, stmt->create_table.watermark_line,
                 stmt->create_table.watermark_column,
                 "the WATERMARK column \"%s\" must be of type TIMESTAMP, not %s",
                 def->cols[def->watermark_col].name,
                 ty_name(def->cols[def->watermark_col].type, tbuf, sizeof tbuf));
        return -1;
    }
    return sql_catalog_add(cat, def, false, err);
}

/* A view from a data directory's catalog whose query does not bind any
 * more: its columns by the names its definition lists, of unknown type
 * (NULL), so that DESCRIBE still shows them; a query using the view binds
 * the query again and reports why it fails. */
static void unchecked_view_columns(WbArena *arena, const AstNode *stmt, Rel *rel)
{
    const AstList *names = &stmt->create_view.columns;
    memset(rel, 0, sizeof *rel);
    rel->cols = wb_arena_calloc(arena, sizeof(ScopeCol) * (size_t)(names->count + 1));
    for (int32_t i = 0; i < names->count; i++) {
        rel->cols[i].name = names->items[i]->ident.name;
        rel->cols[i].type = ty_make(TY_NULL);
    }
    rel->ncols = names->count;
}

static int create_view(Catalog *cat, const AstNode *stmt, const char *sql_text, bool loading,
                       WbError *err)
{
    const char *name = stmt->create_view.name;
    int name_line, name_col;
    name_position(stmt, sql_text, name, &name_line, &name_col);
    bool temporary = stmt->create_view.temporary;
    TableDef *existing = sql_catalog_find_kind(cat, name, temporary);
    if (existing && stmt->create_view.if_not_exists) return 0;
    if (existing) {
        wb_error(err, WB_SQLSTATE_DUPLICATE_TABLE, name_line, name_col,
                 "%s \"%s\" already exists", existing->is_view ? "view" : "table", name);
        return -1;
    }
    /* Bind the query once, in a scratch arena, for its column names and types. */
    WbArena *scratch = wb_arena_new(0);
    Binder b;
    binder_init(&b, cat, scratch, err);
    Rel rel;
    if (!sql_plan_query(&b, stmt->create_view.query, NULL, &rel)) {
        if (!loading) {
            wb_arena_free(scratch);
            return -1;
        }
        wb_error_clear(err);
        unchecked_view_columns(scratch, stmt, &rel);
    }
    const AstList *names = &stmt->create_view.columns;
    if (names->count && names->count != rel.ncols) {
        wb_error(err, WB_SQLSTATE_SYNTAX, stmt->line, stmt->column,
                 "view \"%s\" names %d columns but its query has %d", name, (int)names->count,
                 (int)rel.ncols);
        wb_arena_free(scratch);
        return -1;
    }
    WbArena *arena = sql_catalog_arena(cat);
    TableDef *def = wb_arena_calloc(arena, sizeof *def);
    def->name = wb_arena_strdup(arena, name);
    def->is_view = true;
    def->is_temporary = temporary;
    def->line = name_line;
    def->column = name_col;
    def->watermark_col = -1;
    def->ncols = rel.ncols;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)(rel.ncols + 1));
    for (int32_t i = 0; i < rel.ncols; i++) {
        const char *col = names->count ? names->items[i]->ident.name : rel.cols[i].name;
        def->cols[i].name = wb_arena_strdup(arena, col);
        def->cols[i].type = rel.cols[i].type;
    }
    def->options = NULL;
    def->pk = NULL;
    def->view_query = stmt->create_view.query;
    def->view_sql = node_text(arena, stmt, sql_text, stmt->create_view.query);
    wb_arena_free(scratch);
    return sql_catalog_add(cat, def, false, err);
}

static int drop(Catalog *cat, const AstNode *stmt, const char *sql_text, WbError *err)
{
    const char *name = stmt->drop.name;
    int name_line, name_col;
    name_position(stmt, sql_text, name, &name_line, &name_col);
    const char *what = stmt->drop.is_view ? "view" : "table";
    /* DROP TEMPORARY names only a temporary object; plain DROP the object
     * the name resolves to (a temporary one shadows a permanent one) */
    TableDef *def = stmt->drop.temporary ? sql_catalog_find_kind(cat, name, true)
                                         : sql_catalog_find(cat, name);
    if (!def) {
        if (stmt->drop.if_exists) return 0;
        wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, name_line, name_col, "%s%s \"%s\" does not exist",
                 stmt->drop.temporary ? "temporary " : "", what, name);
        return -1;
    }
    if (def->is_view != stmt->drop.is_view) {
        wb_error(err, "42809", name_line, name_col, "\"%s\" is not a %s", name, what);
        wb_error_hint(err, "Use DROP %s to remove a %s.", def->is_view ? "VIEW" : "TABLE",
                      def->is_view ? "view" : "table");
        return -1;
    }
    sql_catalog_drop(cat, def);
    return 0;
}

/* ---- ALTER TABLE ---- */

/* Whether a stored column of type `from` can be read as `to`: the same
 * type, or a widening that loses nothing (Paimon's type evolution). */
static bool type_widens(SqlType from, SqlType to)
{
    if (ty_equal(from, to)) return true;
    switch (from.id) {
    case TY_INT:
        if (to.id == TY_BIGINT || to.id == TY_DOUBLE) return true;
        return to.id == TY_DECIMAL && to.precision - to.scale >= 10;
    case TY_BIGINT:
        if (to.id == TY_DOUBLE) return true;
        return to.id == TY_DECIMAL && to.precision - to.scale >= 19;
    case TY_DECIMAL:
        if (to.id == TY_DOUBLE) return true;
        return to.id == TY_DECIMAL && to.scale >= from.scale &&
               to.precision - to.scale >= from.precision - from.scale;
    case TY_STRING:
        return to.id == TY_STRING && (to.precision < 0 || (from.precision >= 0 && to.precision >= from.precision));
    case TY_BYTES:
        return to.id == TY_BYTES && (to.precision < 0 || (from.precision >= 0 && to.precision >= from.precision));
    case TY_TIMESTAMP:
        return to.id == TY_TIMESTAMP && to.ltz == from.ltz && to.precision >= from.precision;
    default:
        return false;
    }
}

/* A copy of def in the catalog arena whose arrays can be changed. */
static TableDef *copy_def(WbArena *arena, const TableDef *old, int32_t extra_cols)
{
    TableDef *def = wb_arena_alloc(arena, sizeof(TableDef));
    *def = *old;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)(old->ncols + extra_cols + 1));
    memcpy(def->cols, old->cols, sizeof(ColumnDef) * (size_t)old->ncols);
    def->options = wb_arena_calloc(arena, sizeof(TableOption) * (size_t)(old->noptions + 64));
    if (old->noptions) memcpy(def->options, old->options, sizeof(TableOption) * (size_t)old->noptions);
    def->pk = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(old->npk + 1));
    if (old->npk) memcpy(def->pk, old->pk, sizeof(int32_t) * (size_t)old->npk);
    def->partition = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(old->npartition + 1));
    if (old->npartition) memcpy(def->partition, old->partition, sizeof(int32_t) * (size_t)old->npartition);
    return def;
}

static bool col_in(const int32_t *list, int32_t n, int32_t col)
{
    for (int32_t i = 0; i < n; i++)
        if (list[i] == col) return true;
    return false;
}

/* Removes column `at` (indices above it move down). */
static void remove_col(TableDef *def, int32_t at)
{
    memmove(&def->cols[at], &def->cols[at + 1], sizeof(ColumnDef) * (size_t)(def->ncols - at - 1));
    def->ncols--;
    for (int32_t k = 0; k < def->npk; k++) def->pk[k] -= def->pk[k] > at;
    for (int32_t k = 0; k < def->npartition; k++) def->partition[k] -= def->partition[k] > at;
    if (def->watermark_col > at) def->watermark_col--;
}

/* Inserts col at `at` (indices from it move up). */
static void insert_col(TableDef *def, int32_t at, const ColumnDef *col)
{
    memmove(&def->cols[at + 1], &def->cols[at], sizeof(ColumnDef) * (size_t)(def->ncols - at));
    def->cols[at] = *col;
    def->ncols++;
    for (int32_t k = 0; k < def->npk; k++) def->pk[k] += def->pk[k] >= at;
    for (int32_t k = 0; k < def->npartition; k++) def->partition[k] += def->partition[k] >= at;
    if (def->watermark_col >= at) def->watermark_col++;
}

static int alter_columns(Catalog *cat, TableDef *def, const AstNode *stmt, const char *sql_text,
                         WbError *err)
{
    WbArena *arena = sql_catalog_arena(cat);
    const AstList *cols = &stmt->alter.columns;
    bool add = stmt->alter.action == AALT_ADD;
    int32_t at = def->ncols;
    if (add && stmt->alter.first) at = 0;
    if (add && stmt->alter.after) {
        int32_t after = find_column(def, stmt->alter.after);
        if (after < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, stmt->line, stmt->column,
                     "column \"%s\" of table \"%s\" does not exist", stmt->alter.after, def->name);
            return -1;
        }
        at = after + 1;
    }
    for (int32_t i = 0; i < cols->count; i++) {
        const AstNode *cd = cols->items[i];
        ColumnDef col = {0};
        col.name = wb_arena_strdup(arena, cd->column_def.name);
        col.type = cd->column_def.type;
        if (cd->column_def.ltz && col.type.id == TY_TIMESTAMP) col.type.ltz = 1;
        col.is_metadata = cd->column_def.is_metadata;
        if (cd->column_def.metadata_key) col.metadata_key = wb_arena_strdup(arena, cd->column_def.metadata_key);
        col.is_virtual = cd->column_def.is_virtual;
        if (cd->column_def.computed) {
            col.computed = cd->column_def.computed;
            col.computed_sql = node_text(arena, stmt, sql_text, cd->column_def.computed);
        }
        int32_t existing = find_column(def, cd->column_def.name);
        if (add) {
            if (existing >= 0) {
                wb_error(err, "42701", cd->line, cd->column, "column \"%s\" of table \"%s\" already exists",
                         col.name, def->name);
                return -1;
            }
            if (def->store_dir && !col.computed && !col.is_metadata && !col.type.nullable) {
                wb_error(err, WB_SQLSTATE_FEATURE, cd->line, cd->column,
                         "cannot add NOT NULL column \"%s\" to stored table \"%s\"", col.name, def->name);
                wb_error_detail(err, "The rows already stored have no value for it: they read it as NULL.");
                return -1;
            }
            insert_col(def, at++, &col);
            continue;
        }
        /* MODIFY */
        if (existing < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, cd->line, cd->column,
                     "column \"%s\" of table \"%s\" does not exist", col.name, def->name);
            return -1;
        }
        ColumnDef *old = &def->cols[existing];
        bool physical = !old->computed && !old->is_metadata && !col.computed && !col.is_metadata;
        if (def->store_dir && physical) {
            if (!type_widens(old->type, col.type)) {
                char from[64], to[64];
                wb_error(err, WB_SQLSTATE_DATATYPE, cd->line, cd->column,
                         "cannot change column \"%s\" of stored table \"%s\" from %s to %s", col.name,
                         def->name, ty_name(old->type, from, sizeof from), ty_name(col.type, to, sizeof to));
                wb_error_detail(err, "A stored column's type can only widen (INT to BIGINT, a DECIMAL "
                                     "with more digits, a longer VARCHAR, ...): the files already "
                                     "written are read as the new type.");
                return -1;
            }
            if (old->type.nullable && !col.type.nullable) {
                wb_error(err, WB_SQLSTATE_FEATURE, cd->line, cd->column,
                         "cannot make column \"%s\" of stored table \"%s\" NOT NULL", col.name, def->name);
                return -1;
            }
        } else if (def->store_dir && (old->computed || old->is_metadata) != (col.computed || col.is_metadata)) {
            wb_error(err, WB_SQLSTATE_FEATURE, cd->line, cd->column,
                     "cannot turn column \"%s\" of stored table \"%s\" between stored and computed",
                     col.name, def->name);
            return -1;
        }
        if (col_in(def->pk, def->npk, existing)) col.type.nullable = 0;
        col.name = old->name;
        *old = col;
    }
    return 0;
}

static int alter_table(Catalog *cat, const AstNode *stmt, const char *sql_text, WbError *err)
{
    const char *name = stmt->alter.name;
    TableDef *old = sql_catalog_find(cat, name);
    if (!old) {
        if (stmt->alter.if_exists) return 0;
        wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, stmt->line, stmt->column, "table \"%s\" does not exist", name);
        return -1;
    }
    if (old->is_view) {
        wb_error(err, WB_SQLSTATE_FEATURE, stmt->line, stmt->column,
                 "\"%s\" is a view: ALTER TABLE changes tables", old->name);
        return -1;
    }
    WbArena *arena = sql_catalog_arena(cat);
    TableDef *def = copy_def(arena, old, stmt->alter.columns.count);
    switch (stmt->alter.action) {
    case AALT_ADD:
    case AALT_MODIFY:
        if (alter_columns(cat, def, stmt, sql_text, err) != 0) return -1;
        break;
    case AALT_DROP:
        for (int32_t i = 0; i < stmt->alter.names.count; i++) {
            const AstNode *ident = stmt->alter.names.items[i];
            int32_t c = find_column(def, ident->ident.name);
            if (c < 0) {
                wb_error(err, WB_SQLSTATE_UNDEFINED_COL, ident->line, ident->column,
                         "column \"%s\" of table \"%s\" does not exist", ident->ident.name, def->name);
                return -1;
            }
            const char *why = col_in(def->pk, def->npk, c)                 ? "it is in the primary key"
                              : col_in(def->partition, def->npartition, c) ? "it is a partition column"
                              : def->watermark_col == c                    ? "the watermark is declared on it"
                                                                           : NULL;
            if (why) {
                wb_error(err, WB_SQLSTATE_FEATURE, ident->line, ident->column,
                         "cannot drop column \"%s\": %s", ident->ident.name, why);
                return -1;
            }
            if (def->ncols == 1) {
                wb_error(err, WB_SQLSTATE_FEATURE, ident->line, ident->column,
                         "cannot drop column \"%s\": a table keeps at least one column", ident->ident.name);
                return -1;
            }
            remove_col(def, c);
        }
        break;
    case AALT_RENAME_COLUMN: {
        int32_t c = find_column(def, stmt->alter.old_name);
        if (c < 0) {
            wb_error(err, WB_SQLSTATE_UNDEFINED_COL, stmt->line, stmt->column,
                     "column \"%s\" of table \"%s\" does not exist", stmt->alter.old_name, def->name);
            return -1;
        }
        int32_t clash = find_column(def, stmt->alter.new_name);
        if (clash >= 0 && clash != c) {
            wb_error(err, "42701", stmt->line, stmt->column, "column \"%s\" of table \"%s\" already exists",
                     stmt->alter.new_name, def->name);
            return -1;
        }
        def->cols[c].name = wb_arena_strdup(arena, stmt->alter.new_name);
        break;
    }
    case AALT_RENAME_TABLE: {
        const char *to = stmt->alter.new_name;
        if (sql_catalog_find_kind(cat, to, old->is_temporary)) {
            wb_error(err, WB_SQLSTATE_DUPLICATE_TABLE, stmt->line, stmt->column,
                     "relation \"%s\" already exists", to);
            return -1;
        }
        def->name = wb_arena_strdup(arena, to);
        if (old->store_dir) def->store_dir = sql_catalog_store_path(cat, def->name);
        break;
    }
    case AALT_SET:
    case AALT_RESET: {
        bool set = stmt->alter.action == AALT_SET;
        int32_t n = set ? stmt->alter.options.count : stmt->alter.names.count;
        for (int32_t i = 0; i < n; i++) {
            const AstNode *item = set ? stmt->alter.options.items[i] : stmt->alter.names.items[i];
            const char *key = set ? item->option.key : item->ident.name;
            if (strcmp(key, "connector") == 0) {
                wb_error(err, WB_SQLSTATE_FEATURE, item->line, item->column,
                         "cannot %s a table's 'connector' with ALTER TABLE", set ? "change" : "reset");
                wb_error_hint(err, "Create a new table with the other connector and copy the rows.");
                return -1;
            }
            int32_t at = -1;
            for (int32_t k = 0; k < def->noptions; k++)
                if (strcmp(def->options[k].key, key) == 0) at = k;
            if (!set) {
                if (at < 0) continue;
                memmove(&def->options[at], &def->options[at + 1],
                        sizeof(TableOption) * (size_t)(def->noptions - at - 1));
                def->noptions--;
                continue;
            }
            if (at < 0) {
                if (def->noptions >= old->noptions + 64) {
                    wb_error(err, WB_SQLSTATE_FEATURE, item->line, item->column, "too many options at once");
                    return -1;
                }
                at = def->noptions++;
                def->options[at].key = wb_arena_strdup(arena, key);
            }
            def->options[at].value = wb_arena_strdup(arena, item->option.value);
        }
        break;
    }
    }
    /* the computed columns and the watermark still bind over the result */
    if (check_expressions(cat, def, stmt->line, stmt->column, err) != 0) {
        if (stmt->alter.action == AALT_DROP || stmt->alter.action == AALT_RENAME_COLUMN)
            wb_error_detail(err, "A computed column or the watermark of table \"%s\" refers to the "
                                 "column as it was.", old->name);
        return -1;
    }
    if (stmt->alter.action == AALT_RENAME_TABLE) {
        sql_catalog_drop(cat, old);
        return sql_catalog_add(cat, def, false, err);
    }
    return sql_catalog_add(cat, def, true, err);
}

int sql_execute_ddl(Catalog *cat, const AstNode *stmt, const char *sql_text, WbError *err)
{
    switch (stmt->kind) {
    case AST_ALTER_TABLE:
        return alter_table(cat, stmt, sql_text, err);
    case AST_CREATE_TABLE:
        return create_table(cat, stmt, sql_text, err);
    case AST_CREATE_VIEW:
        return create_view(cat, stmt, sql_text, false, err);
    case AST_DROP:
        return drop(cat, stmt, sql_text, err);
    default:
        wb_error(err, WB_SQLSTATE_INTERNAL, stmt->line, stmt->column,
                 "%s is not a DDL statement", sql_ast_kind_name(stmt->kind));
        return -1;
    }
}

int sql_catalog_load_statement(Catalog *cat, const AstNode *stmt, const char *sql_text,
                               WbError *err)
{
    if (stmt->kind == AST_CREATE_VIEW) return create_view(cat, stmt, sql_text, true, err);
    return sql_execute_ddl(cat, stmt, sql_text, err);
}
