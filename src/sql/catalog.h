/*
 * catalog.h - tables and views known to a session.
 *
 * The catalog owns an arena; every TableDef and everything it points to
 * (names, options, AST of views and computed columns) lives in it until the
 * object is dropped (dropped objects stay allocated until the catalog is
 * freed, so plans that still point at them remain valid).
 * Names are matched case-insensitively, as Flink does by default.
 */
#ifndef WEIR_SQL_CATALOG_H
#define WEIR_SQL_CATALOG_H

#include "types/types.h"

struct AstNode;   /* sql/ast.h */

typedef struct ColumnDef {
    char *name;
    SqlType type;
    /* Computed column `name AS expr`: the expression's AST and its text.
     * NULL for physical columns, which are the ones a connector reads. */
    const struct AstNode *computed;
    char *computed_sql;
    bool is_metadata;             /* METADATA columns (parsed, kept) */
} ColumnDef;

typedef struct TableOption {
    char *key;
    char *value;
} TableOption;

typedef struct TableDef {
    char *name;
    bool is_view;
    bool is_temporary;
    int32_t ncols;
    ColumnDef *cols;
    int32_t npk;
    int32_t *pk;                  /* indices into cols */
    int32_t npartition;
    int32_t *partition;           /* PARTITIONED BY columns: indices into cols */
    int32_t noptions;
    TableOption *options;
    /* WATERMARK FOR col AS expr: kept for the event-time work. */
    int32_t watermark_col;        /* -1 if none */
    const struct AstNode *watermark;
    char *watermark_sql;
    /* Views: the query AST and its text. */
    const struct AstNode *view_query;
    char *view_sql;
    /* A table stored by weir's table store (no 'connector' option, or
     * 'connector' = 'weir'): its directory inside the data directory
     * (<data>/tables/<name>/), set by the session's catalog; NULL for a
     * view or a table with an external connector.  The store owns what
     * is inside it; a directory that does not exist yet is an empty table
     * with this definition's schema. */
    char *store_dir;
    /* Where it was declared, for error messages. */
    int line, column;
} TableDef;

typedef struct Catalog Catalog;

Catalog *sql_catalog_new(void);
void sql_catalog_free(Catalog *cat);
WbArena *sql_catalog_arena(Catalog *cat);
/* NULL if absent. */
TableDef *sql_catalog_find(Catalog *cat, const char *name);
/* Adds def (already allocated in the catalog arena).  Returns -1 with err
 * (42P07) if the name exists, unless replace is set. */
int sql_catalog_add(Catalog *cat, TableDef *def, bool replace, WbError *err);
/* Returns false if absent. */
bool sql_catalog_drop(Catalog *cat, const char *name);
/* Table and view names in creation order; *count set.  Array valid until
 * the next add/drop. */
TableDef **sql_catalog_list(Catalog *cat, int32_t *count);

/* Option lookup, case-sensitive keys as in Flink; NULL if absent. */
const char *sql_table_option(const TableDef *def, const char *key);
/* Number of physical (non-computed, non-metadata) columns, and their types
 * in order: the schema a connector reads and writes. */
int32_t sql_table_physical(const TableDef *def, SqlType *types_out,
                           int32_t *col_index_out);

#endif
