/*
 * test_catalog.c - the catalog's canonical CREATE text (what a data
 * directory's catalog.sql holds) read back to the same definitions: every
 * type, NOT NULL, quoted names and option strings, computed and METADATA
 * columns, the watermark, primary keys, PARTITIONED BY, views with their column lists;
 * stored tables' directories; temporary objects shadowing permanent ones;
 * and a session that finds its tables again after it is reopened.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "session/session.h"
#include "sql/parser.h"
#include "sql/planner.h"

static WbError err;

/* Runs the DDL statements of `sql` against cat; 0 or -1 (err set). */
static int ddl(Catalog *cat, WbArena *arena, const char *sql)
{
    SqlScript script;
    wb_error_clear(&err);
    if (sql_parse_script(sql, strlen(sql), arena, &script, &err) != 0) return -1;
    for (int32_t i = 0; i < script.count; i++)
        if (sql_execute_ddl(cat, script.stmts[i].node, script.stmts[i].text, &err) != 0) return -1;
    return 0;
}

/* The canonical text of every object of cat, one statement a line group. */
static char *catalog_text(Catalog *cat)
{
    WbBuf buf = {0};
    int32_t count;
    TableDef **defs = sql_catalog_list(cat, &count);
    for (int32_t i = 0; i < count; i++) {
        sql_catalog_format_def(defs[i], &buf);
        wb_buf_puts(&buf, ";\n");
    }
    wb_buf_cstr(&buf);
    return buf.data;
}

/* Loads the canonical text into a fresh catalog, as a session loads its
 * catalog file (statements parsed into the catalog's arena). */
static Catalog *load(const char *text)
{
    Catalog *cat = sql_catalog_new();
    sql_catalog_set_store_root(cat, "/data/tables");
    SqlScript script;
    wb_error_clear(&err);
    if (sql_parse_script(text, strlen(text), sql_catalog_arena(cat), &script, &err) != 0) {
        fprintf(stderr, "parse: %s (line %d)\n%s\n", err.message, err.line, text);
        return cat;
    }
    for (int32_t i = 0; i < script.count; i++)
        if (sql_catalog_load_statement(cat, script.stmts[i].node, script.stmts[i].text, &err) != 0)
            fprintf(stderr, "load: %s\n", err.message);
    return cat;
}

static bool same_def(const TableDef *a, const TableDef *b)
{
    if (strcmp(a->name, b->name) || a->is_view != b->is_view || a->ncols != b->ncols ||
        a->npk != b->npk || a->npartition != b->npartition || a->noptions != b->noptions || a->watermark_col != b->watermark_col)
        return false;
    if ((a->store_dir == NULL) != (b->store_dir == NULL) ||
        (a->store_dir && strcmp(a->store_dir, b->store_dir)))
        return false;
    for (int32_t i = 0; i < a->ncols; i++) {
        const ColumnDef *x = &a->cols[i], *y = &b->cols[i];
        if (strcmp(x->name, y->name) || !ty_equal(x->type, y->type) ||
            x->type.nullable != y->type.nullable || x->type.ltz != y->type.ltz ||
            (x->computed == NULL) != (y->computed == NULL) || x->is_metadata != y->is_metadata ||
            x->is_virtual != y->is_virtual || (x->metadata_key == NULL) != (y->metadata_key == NULL))
            return false;
        if (x->computed_sql && strcmp(x->computed_sql, y->computed_sql)) return false;
        if (x->metadata_key && strcmp(x->metadata_key, y->metadata_key)) return false;
    }
    for (int32_t k = 0; k < a->npk; k++)
        if (a->pk[k] != b->pk[k]) return false;
    for (int32_t k = 0; k < a->npartition; k++)
        if (a->partition[k] != b->partition[k]) return false;
    for (int32_t i = 0; i < a->noptions; i++)
        if (strcmp(a->options[i].key, b->options[i].key) ||
            strcmp(a->options[i].value, b->options[i].value))
            return false;
    if (a->watermark_sql && strcmp(a->watermark_sql, b->watermark_sql)) return false;
    return true;
}

static const char *const round_trip_ddl =
    "CREATE TABLE `all types` (\n"
    "  b BOOLEAN, i INT NOT NULL, big BIGINT, d DECIMAL(10, 2), wide DECIMAL(38, 5),\n"
    "  f DOUBLE, s STRING, v VARCHAR(20), bts BYTES, dt DATE, t TIME(3),\n"
    "  ts TIMESTAMP(3) NOT NULL, ltz TIMESTAMP_LTZ(6), t0 TIMESTAMP,\n"
    "  `order` INT, `odd ``name`` here` STRING,\n"
    "  total AS d * 2, upper_s AS UPPER(s) /* a comment */,\n"
    "  meta STRING METADATA FROM 'topic' VIRTUAL, meta2 BIGINT METADATA,\n"
    "  PRIMARY KEY (i, big) NOT ENFORCED,\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
    ") WITH ('connector' = 'filesystem', 'path' = '/tmp/it''s here', 'format' = 'csv',\n"
    "        'csv.field-delimiter' = ';', 'x.empty' = '', 'x.multi' = 'a\nb');\n"
    "CREATE TABLE stored (k BIGINT, day DATE, PRIMARY KEY (k, day) NOT ENFORCED)\n"
    "  PARTITIONED BY (day) WITH ('merge-engine' = 'partial-update');\n"
    "CREATE TABLE db.sch.`Mixed Case` (a INT) WITH ('connector' = 'weir', 'bucket' = '4');\n"
    "CREATE VIEW v1 AS SELECT s, COUNT(*) AS n FROM `all types` GROUP BY s;\n"
    "CREATE VIEW v2 (x, `y y`) AS\n  SELECT i, -- the key\n  s FROM `all types` WHERE s <> 'it''s';\n";

static void test_round_trip(void)
{
    WbArena *arena = wb_arena_new(0);
    Catalog *cat = sql_catalog_new();
    sql_catalog_set_store_root(cat, "/data/tables");
    CHECK(ddl(cat, arena, round_trip_ddl) == 0);
    if (err.set) fprintf(stderr, "ddl: %s\n", err.message);
    char *text1 = catalog_text(cat);
    Catalog *again = load(text1);
    char *text2 = catalog_text(again);
    CHECK_STR(text2, text1);
    int32_t n1, n2;
    TableDef **d1 = sql_catalog_list(cat, &n1), **d2 = sql_catalog_list(again, &n2);
    CHECK(n1 == 5 && n2 == 5);
    for (int32_t i = 0; i < n1 && i < n2; i++) CHECK(same_def(d1[i], d2[i]));
    /* stored tables: the directory by the folded, escaped name */
    if (n1 == 5) {
        CHECK(d1[0]->store_dir == NULL);
        CHECK_STR(d1[1]->store_dir, "/data/tables/stored");
        CHECK_STR(d1[2]->store_dir, "/data/tables/db%2esch%2emixed%20case");
        CHECK(d1[3]->store_dir == NULL);
    }
    /* text a person reads: quoted where needed, strings doubled */
    CHECK(strstr(text1, "CREATE TABLE `all types` (\n") != NULL);
    CHECK(strstr(text1, "'path' = '/tmp/it''s here'") != NULL);
    CHECK(strstr(text1, "`odd ``name`` here` STRING") != NULL);
    CHECK(strstr(text1, "`order` INT") != NULL);
    CHECK(strstr(text1, "meta STRING METADATA FROM 'topic' VIRTUAL") != NULL);
    CHECK(strstr(text1, "PRIMARY KEY (i, big) NOT ENFORCED") != NULL);
    CHECK(strstr(text1, "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND") != NULL);
    CHECK(strstr(text1, "CREATE VIEW v2 (x, `y y`) AS\n") != NULL);
    CHECK(strstr(text1, ") PARTITIONED BY (day) WITH (\n") != NULL);
    free(text1);
    free(text2);
    sql_catalog_free(again);
    sql_catalog_free(cat);
    wb_arena_free(arena);
}

/* Temporary objects shadow permanent ones; a temporary table needs a
 * connector; without a store root a table needs one too. */
static void test_temporary_and_stored(void)
{
    WbArena *arena = wb_arena_new(0);
    Catalog *cat = sql_catalog_new();
    sql_catalog_set_store_root(cat, "/d/tables");
    CHECK(ddl(cat, arena, "CREATE TABLE t (a INT)") == 0);
    CHECK(ddl(cat, arena, "CREATE TEMPORARY TABLE t (b STRING) WITH ('connector' = 'datagen')") == 0);
    TableDef *found = sql_catalog_find(cat, "T");
    CHECK(found && found->is_temporary && strcmp(found->cols[0].name, "b") == 0);
    CHECK(ddl(cat, arena, "CREATE TEMPORARY TABLE t (c INT) WITH ('connector' = 'datagen')") == -1);
    CHECK(strstr(err.message, "already exists") != NULL);
    CHECK(ddl(cat, arena, "DROP TEMPORARY TABLE t") == 0);
    found = sql_catalog_find(cat, "t");
    CHECK(found && !found->is_temporary && found->store_dir);
    CHECK(ddl(cat, arena, "DROP TEMPORARY TABLE t") == -1);
    CHECK(strstr(err.message, "temporary table \"t\" does not exist") != NULL);
    CHECK(ddl(cat, arena, "CREATE TEMPORARY TABLE nc (a INT)") == -1);
    CHECK(strstr(err.message, "needs a 'connector' option") != NULL);
    CHECK(ddl(cat, arena, "CREATE TEMPORARY TABLE nc (a INT) WITH ('connector' = 'weir')") == -1);
    sql_catalog_free(cat);
    cat = sql_catalog_new();   /* no data directory */
    CHECK(ddl(cat, arena, "CREATE TABLE t (a INT)") == -1);
    CHECK(strstr(err.message, "has no 'connector' option") != NULL);
    sql_catalog_free(cat);
    wb_arena_free(arena);
}

/* A session on a data directory: what one session creates, the next finds;
 * a temporary table is not kept. */
static void test_session_reopen(void)
{
    char dir[] = "/tmp/weir-test-catalog-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char data[64];
    snprintf(data, sizeof data, "%s/data", dir);
    SesOptions opts = {data, true, 0, false, 0};
    WbArena *arena = wb_arena_new(0);
    Session *s = ses_open(&opts, &err);
    CHECK(s != NULL);
    const char *sql = "CREATE TABLE kept (a INT, b STRING) WITH ('connector' = 'datagen');"
                      "CREATE TEMPORARY TABLE gone (a INT) WITH ('connector' = 'datagen');"
                      "CREATE VIEW kv AS SELECT b FROM kept";
    SqlScript script;
    CHECK(sql_parse_script(sql, strlen(sql), arena, &script, &err) == 0);
    for (int32_t i = 0; s && i < script.count; i++)
        CHECK(ses_execute(s, &script.stmts[i], NULL, &err) == 0);
    ses_close(s);
    s = ses_open(&opts, &err);
    CHECK(s != NULL);
    if (s) {
        TableDef *kept = sql_catalog_find(ses_catalog(s), "kept");
        CHECK(kept && kept->ncols == 2 && !kept->is_temporary);
        CHECK(sql_catalog_find(ses_catalog(s), "gone") == NULL);
        TableDef *view = sql_catalog_find(ses_catalog(s), "kv");
        CHECK(view && view->is_view && view->ncols == 1);
    }
    ses_close(s);
    wb_arena_free(arena);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_temporary_and_stored);
    RUN(test_session_reopen);
    return check_done();
}
