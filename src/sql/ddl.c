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
static int check_expressions(Catalog *cat, TableDef *def, const AstNode *stmt, WbError *err)
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
            wb_error(err, WB_SQLSTATE_DATATYPE, stmt->create_table.watermark_line,
                     stmt->create_table.watermark_column,
                     "the WATERMARK expression must be of type TIMESTAMP, not %s",
                     ty_name(e->type, tbuf, sizeof tbuf));
            rc = -1;
        }
    }
    wb_arena_free(scratch);
    return rc;
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
    if (sql_catalog_find(cat, name) && stmt->create_table.if_not_exists) return 0;
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
    if (!sql_table_option(def, "connector")) {
        wb_error(err, WB_SQLSTATE_CONFIG, name_line, name_col,
                 "table \"%s\" has no 'connector' option", def->name);
        wb_error_hint(err, "Add WITH ('connector' = 'filesystem', 'path' = '...', 'format' = 'csv') "
                           "or another connector.");
        return -1;
    }
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
    if (check_expressions(cat, def, stmt, err) != 0) return -1;
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

static int create_view(Catalog *cat, const AstNode *stmt, const char *sql_text, WbError *err)
{
    const char *name = stmt->create_view.name;
    int name_line, name_col;
    name_position(stmt, sql_text, name, &name_line, &name_col);
    if (sql_catalog_find(cat, name) && stmt->create_view.if_not_exists) return 0;
    if (sql_catalog_find(cat, name)) {
        wb_error(err, WB_SQLSTATE_DUPLICATE_TABLE, name_line, name_col,
                 "%s \"%s\" already exists", sql_catalog_find(cat, name)->is_view ? "view" : "table",
                 name);
        return -1;
    }
    /* Bind the query once, in a scratch arena, for its column names and types. */
    WbArena *scratch = wb_arena_new(0);
    Binder b;
    binder_init(&b, cat, scratch, err);
    Rel rel;
    if (!sql_plan_query(&b, stmt->create_view.query, NULL, &rel)) {
        wb_arena_free(scratch);
        return -1;
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
    def->is_temporary = stmt->create_view.temporary;
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
    TableDef *def = sql_catalog_find(cat, name);
    if (!def) {
        if (stmt->drop.if_exists) return 0;
        wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, name_line, name_col,
                 "%s \"%s\" does not exist", what, name);
        return -1;
    }
    if (def->is_view != stmt->drop.is_view) {
        wb_error(err, "42809", name_line, name_col, "\"%s\" is not a %s", name, what);
        wb_error_hint(err, "Use DROP %s to remove a %s.", def->is_view ? "VIEW" : "TABLE",
                      def->is_view ? "view" : "table");
        return -1;
    }
    sql_catalog_drop(cat, name);
    return 0;
}

int sql_execute_ddl(Catalog *cat, const AstNode *stmt, const char *sql_text, WbError *err)
{
    switch (stmt->kind) {
    case AST_CREATE_TABLE:
        return create_table(cat, stmt, sql_text, err);
    case AST_CREATE_VIEW:
        return create_view(cat, stmt, sql_text, err);
    case AST_DROP:
        return drop(cat, stmt, sql_text, err);
    default:
        wb_error(err, WB_SQLSTATE_INTERNAL, stmt->line, stmt->column,
                 "%s is not a DDL statement", sql_ast_kind_name(stmt->kind));
        return -1;
    }
}
