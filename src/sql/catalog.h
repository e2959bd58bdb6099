/*
 * catalog.h - tables and views known to a session.
 *
 * The catalog owns an arena; every TableDef and everything it points to
 * (names, options, AST of views and computed columns) lives in it until the
 * object is dropped (dropped objects stay allocated until the catalog is
 * freed, so plans that still point at them remain valid).
 * Names are matched case-insensitively, as Flink does by default.
 *
 * Two kinds of objects share the catalog: permanent ones (kept in the data
 * directory by the session, session/README.md) and temporary ones (CREATE
 * TEMPORARY, this session only).  As in Flink, a temporary object may have
 * the name of a permanent one and then shadows it: lookups by name find
 * the temporary one first.  Within each kind a name is unique.
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
    char *metadata_key;           /* METADATA FROM 'key', or NULL */
    bool is_virtual;              /* METADATA ... VIRTUAL */
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
     * (<data>/tables/<name>, no trailing '/'; the name folded to lower
     * case, bytes outside [a-z0-9_] as %XX: sql_catalog_store_path), set
     * when the table is created in a catalog with a store root
     * (sql_catalog_set_store_root); NULL for a view or a table with an
     * external connector.  The store owns what
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
/* NULL if absent; a temporary object before a permanent one. */
TableDef *sql_catalog_find(Catalog *cat, const char *name);
/* Only among the temporary (or only the permanent) objects. */
TableDef *sql_catalog_find_kind(Catalog *cat, const char *name, bool temporary);
/* Adds def (already allocated in the catalog arena).  Returns -1 with err
 * (42P07) if an object of the same kind (def->is_temporary) has the name,
 * unless replace is set. */
int sql_catalog_add(Catalog *cat, TableDef *def, bool replace, WbError *err);
/* Removes def from the catalog (its memory stays until the catalog is
 * freed).  Returns false if it is not in it. */
bool sql_catalog_drop(Catalog *cat, const TableDef *def);
/* Removes every permanent object (before the session loads them again
 * from its data directory); temporary ones stay. */
void sql_catalog_clear_permanent(Catalog *cat);
/* Tables and views, temporary and permanent, in creation order; *count
 * set.  Array valid until the next add/drop. */
TableDef **sql_catalog_list(Catalog *cat, int32_t *count);

/* Where stored tables live (<data>/tables): a table created without a
 * connector (or with 'connector' = 'weir') gets store_dir under it.
 * Copied.  Without a root such a table is an error. */
void sql_catalog_set_store_root(Catalog *cat, const char *root);
const char *sql_catalog_store_root(const Catalog *cat);
/* <root>/<name folded and escaped>, in the catalog arena. */
char *sql_catalog_store_path(Catalog *cat, const char *name);

/* System tables: `t$snapshots` and the like name a table derived from a
 * stored table t.  The session installs the table store's resolver (the
 * catalog knows no store): given t and the suffix ("snapshots"), it
 * returns the system table's definition, allocated in arena, or NULL with
 * err when the suffix names none. */
typedef const TableDef *(*SqlSystemTableFn)(const TableDef *base, const char *suffix,
                                            WbArena *arena, WbError *err);
void sql_catalog_set_system_tables(Catalog *cat, SqlSystemTableFn fn);
SqlSystemTableFn sql_catalog_system_tables(const Catalog *cat);

/* Appends the canonical CREATE statement of def (no ';'): a permanent
 * object's definition as the data directory keeps it, parsed back by
 * sql_catalog_load_statement to an equal TableDef.  Identifiers are
 * quoted with ` where needed, option strings with ' (doubled inside). */
void sql_catalog_format_def(const TableDef *def, WbBuf *out);

/* Executes a CREATE TABLE / CREATE VIEW read from a data directory's
 * catalog (ddl.c): as sql_execute_ddl, except that a view whose query no
 * longer binds (a table it reads was dropped) is kept with the columns it
 * had, unchecked, so that the catalog still loads; using it gives the
 * binding error then.  sql_text is the statement's text, stmt parsed in
 * the catalog arena. */
int sql_catalog_load_statement(Catalog *cat, const struct AstNode *stmt, const char *sql_text,
                               WbError *err);

/* Option lookup, case-sensitive keys as in Flink; NULL if absent. */
const char *sql_table_option(const TableDef *def, const char *key);
/* Number of physical (non-computed, non-metadata) columns, and their types
 * in order: the schema a connector reads and writes. */
int32_t sql_table_physical(const TableDef *def, SqlType *types_out,
                           int32_t *col_index_out);

#endif
