/*
 * test_planner.c - the binder and planner: DDL into the catalog, plans of
 * representative queries checked through their EXPLAIN text and changelog
 * modes, output column names, and positioned errors.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sql/parser.h"
#include "sql/planner.h"

static Catalog *cat;
static WbArena *arena;
static WbError err;
static QueryPlan plan;
static WbBuf text;

/* The test's stand-in for cn_sink_accepts_retractions: filesystem sinks
 * are append-only. */
static bool accepts(void *ctx, const TableDef *table)
{
    (void)ctx;
    const char *connector = sql_table_option(table, "connector");
    return !(connector && strcmp(connector, "filesystem") == 0);
}

static int ddl(const char *sql)
{
    AstNode *node;
    wb_error_clear(&err);
    if (sql_parse_statement(sql, strlen(sql), arena, &node, &err) != 0) return -2;
    return sql_execute_ddl(cat, node, sql, &err);
}

/* Plans sql; on success `text` holds its EXPLAIN.  Returns 0 / -1. */
static int plan_sql(const char *sql)
{
    AstNode *node;
    wb_error_clear(&err);
    wb_buf_clear(&text);
    if (sql_parse_statement(sql, strlen(sql), arena, &node, &err) != 0) return -2;
    SqlPlanOptions opts = {accepts, false, NULL, false, NULL};
    if (sql_plan_statement(cat, node, arena, &opts, &plan, &err) != 0) return -1;
    sql_plan_explain(plan.root, &text);
    wb_buf_cstr(&text);
    return 0;
}

static bool explain_has(const char *needle)
{
    bool found = strstr(wb_buf_cstr(&text), needle) != NULL;
    if (!found) fprintf(stderr, "EXPLAIN lacks \"%s\":\n%s", needle, wb_buf_cstr(&text));
    return found;
}

static void expect_error(const char *sql, const char *sqlstate, int line, int column,
                         const char *message_part)
{
    int rc = plan_sql(sql);
    CHECK(rc == -1);
    CHECK_STR(err.sqlstate, sqlstate);
    CHECK(err.line == line);
    CHECK(err.column == column);
    if (err.line != line || err.column != column)
        fprintf(stderr, "  at %d:%d, want %d:%d (%s)\n", err.line, err.column, line, column, sql);
    if (!strstr(err.message, message_part))
        fprintf(stderr, "message \"%s\" lacks \"%s\" (%s)\n", err.message, message_part, sql);
    CHECK(strstr(err.message, message_part) != NULL);
}

static void setup(void)
{
    cat = sql_catalog_new();
    arena = wb_arena_new(0);
    CHECK(ddl("CREATE TABLE orders (id INT NOT NULL, cust INT, amount DECIMAL(10, 2), "
              "carrier STRING, ts TIMESTAMP(3), total AS amount * 2, "
              "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (id) NOT ENFORCED) "
              "WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'csv')") == 0);
    CHECK(ddl("CREATE TABLE cust (cid INT, name STRING) "
              "WITH ('connector' = 'filesystem', 'path' = '/y', 'format' = 'csv')") == 0);
    CHECK(ddl("CREATE TABLE cdc (id INT, v INT, PRIMARY KEY (id) NOT ENFORCED) "
              "WITH ('connector' = 'filesystem', 'path' = '/z', 'format' = 'debezium-json')") == 0);
    CHECK(ddl("CREATE TABLE plain (k STRING, v INT) WITH ('connector' = 'datagen')") == 0);
    CHECK(ddl("CREATE TABLE out_csv (carrier STRING, n BIGINT) "
              "WITH ('connector' = 'filesystem', 'path' = '/o', 'format' = 'csv')") == 0);
    CHECK(ddl("CREATE TABLE out_print (carrier STRING, n BIGINT) WITH ('connector' = 'print')") == 0);
}

static void test_ddl(void)
{
    TableDef *orders = sql_catalog_find(cat, "ORDERS");
    CHECK(orders != NULL);
    if (!orders) return;
    CHECK(orders->ncols == 6);
    CHECK(orders->npk == 1 && orders->pk[0] == 0);
    CHECK(orders->cols[5].computed != NULL);
    CHECK(orders->cols[5].type.id == TY_DECIMAL);
    CHECK_STR(orders->cols[5].computed_sql, "amount * 2");
    CHECK(orders->watermark_col == 4);
    CHECK_STR(orders->watermark_sql, "ts - INTERVAL '5' SECOND");
    CHECK_STR(sql_table_option(orders, "format"), "csv");

    CHECK(ddl("CREATE TABLE orders (x INT) WITH ('connector' = 'datagen')") == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_DUPLICATE_TABLE);
    CHECK(err.line == 1 && err.column == 14);
    CHECK(ddl("CREATE TABLE IF NOT EXISTS orders (x INT) WITH ('connector' = 'datagen')") == 0);
    CHECK(ddl("CREATE TABLE noconn (x INT) WITH ('format' = 'csv')") == -1);
    CHECK(strstr(err.message, "noconn") != NULL && strstr(err.message, "connector") != NULL);
    CHECK(ddl("CREATE TABLE badc (x INT, y AS z + 1) WITH ('connector' = 'datagen')") == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_UNDEFINED_COL);
    CHECK(err.line == 1 && err.column == 32);
    CHECK(ddl("CREATE TABLE badw (x INT, WATERMARK FOR nope AS x) WITH ('connector' = 'datagen')") == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_UNDEFINED_COL);
    CHECK(ddl("DROP TABLE nosuch") == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_UNDEFINED_TABLE);
    CHECK(err.line == 1 && err.column == 12);
    CHECK_STR(err.message, "table \"nosuch\" does not exist");
    CHECK(ddl("DROP TABLE IF EXISTS nosuch") == 0);

    /* views: bound at creation, expanded when used, with their column names */
    CHECK(ddl("CREATE VIEW big (who, amt) AS SELECT carrier, amount FROM orders WHERE amount > 100") == 0);
    TableDef *view = sql_catalog_find(cat, "big");
    CHECK(view && view->is_view && view->ncols == 2);
    if (view) CHECK_STR(view->cols[0].name, "who");
    CHECK(ddl("CREATE VIEW broken AS SELECT nope FROM orders") == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_UNDEFINED_COL);
    CHECK(plan_sql("SELECT who FROM big WHERE amt < 1000") == 0);
    CHECK(explain_has("Scan(table=orders"));
    CHECK(plan.root->ncols == 1);
    CHECK_STR(plan.root->names[0], "who");
    CHECK(ddl("CREATE VIEW tmp AS SELECT 1 AS one") == 0);
    CHECK(ddl("DROP VIEW tmp") == 0);
    CHECK(sql_catalog_find(cat, "tmp") == NULL);
}

static void test_aggregate(void)
{
    CHECK(plan_sql("SELECT carrier, COUNT(*) AS n, SUM(amount) FILTER (WHERE cust > 1) "
                   "FROM orders WHERE amount > 10 GROUP BY carrier HAVING COUNT(*) > 1") == 0);
    CHECK(explain_has("Agg(group=[$0], aggs=[COUNT(*), SUM($1) FILTER $2]) [upsert key=[0]]\n"));
    CHECK(explain_has("    Exchange(hash=[$0]) [insert-only]\n"));
    CHECK(explain_has("exprs=[$2, $1, ($0 > 1)]) [insert-only]"));
    /* the watermark's column ($4) is read for the assigner pushed into the scan */
    CHECK(explain_has("Scan(table=orders, connector=filesystem, format=csv, read=[$1, $2, $3, $4], "
                      "filter=(CAST($1 AS DECIMAL(12, 2)) > CAST(10 AS DECIMAL(12, 2) NOT NULL)), "
                      "watermark=[rowtime=$3, ($3 - +0 00:00:05.000)])"));
    CHECK(strncmp(wb_buf_cstr(&text), "Calc(filter=($1 > ", 18) == 0);
    CHECK(plan.root->mode == CM_UPSERT && plan.root->nupsert_key == 1 && plan.root->upsert_key[0] == 0);
    CHECK_STR(plan.root->names[0], "carrier");
    CHECK_STR(plan.root->names[1], "n");
    CHECK_STR(plan.root->names[2], "EXPR$2");

    /* global aggregate: one row, keyed by the empty key */
    CHECK(plan_sql("SELECT COUNT(*), SUM(v) FROM plain") == 0);
    CHECK(explain_has("Agg(group=[], aggs=[COUNT(*), SUM($0)]) [upsert key=[]]"));
    CHECK(explain_has("Exchange(single)"));

    /* DISTINCT is an aggregate on every column */
    CHECK(plan_sql("SELECT DISTINCT k FROM plain") == 0);
    CHECK(explain_has("Agg(group=[$0], aggs=[]) [upsert key=[0]]"));

    /* expressions over aggregates and GROUP BY expressions */
    CHECK(plan_sql("SELECT UPPER(k), SUM(v) * 2 / COUNT(*) FROM plain GROUP BY UPPER(k)") == 0);
    CHECK(explain_has("Calc(exprs=[UPPER($0), $1])"));
    CHECK(plan_sql("SELECT COUNT(DISTINCT v) FROM plain") == 0);
    CHECK(explain_has("COUNT(DISTINCT $0)"));
}

static void test_modes_and_joins(void)
{
    CHECK(plan_sql("SELECT * FROM cdc") == 0);
    CHECK_STR(wb_buf_cstr(&text),
              "Scan(table=cdc, connector=filesystem, format=debezium-json) [upsert key=[0]]\n");
    CHECK(plan_sql("SELECT id FROM cdc WHERE v > 1") == 0);
    CHECK(plan.root->mode == CM_UPSERT);
    CHECK(plan_sql("SELECT v FROM cdc") == 0);
    CHECK(plan.root->mode == CM_RETRACT);   /* key not projected */

    CHECK(plan_sql("SELECT o.id, c.name FROM orders o JOIN cust c ON o.cust = c.cid") == 0);
    CHECK(explain_has("Join(type=inner, left=[$1], right=[$0]) [insert-only]"));
    CHECK(plan.root->mode == CM_INSERT_ONLY);
    CHECK(plan_sql("SELECT o.id, c.name FROM orders o LEFT JOIN cust c ON o.cust = c.cid "
                   "AND c.name <> 'x' AND o.id > c.cid") == 0);
    CHECK(explain_has("Join(type=left, left=[$1], right=[$0], cond=($0 > $2)) [retract]"));
    /* the right-only conjunct filters the inner side of the LEFT join */
    CHECK(explain_has("Calc(filter=($1 <> 'x'), exprs=[$0, $1])"));
    CHECK(plan.root->mode == CM_RETRACT);
    /* expression keys are computed below the join */
    CHECK(plan_sql("SELECT * FROM plain a JOIN plain b ON a.v + 1 = b.v") == 0);
    CHECK(explain_has("Join(type=inner, left=[$2], right=[$1])"));
    CHECK(plan.root->ncols == 4);
    CHECK(plan_sql("SELECT * FROM cust c FULL JOIN (SELECT cust AS cid, amount FROM orders) o USING (cid)") == 0);
    CHECK(plan.root->ncols == 3);
    CHECK_STR(plan.root->names[0], "cid");
    CHECK(explain_has("COALESCE($0, $2)"));
}

static void test_subqueries(void)
{
    CHECK(plan_sql("SELECT name FROM cust WHERE cid NOT IN (SELECT cust FROM orders)") == 0);
    CHECK(explain_has("Join(type=anti-null-aware, left=[$0], right=[$0])"));
    CHECK(plan_sql("SELECT name FROM cust c WHERE EXISTS "
                   "(SELECT 1 FROM orders o WHERE o.cust = c.cid AND o.amount > 5 AND o.id > c.cid)") == 0);
    CHECK(explain_has("Join(type=semi, left=[$0], right=[$1], cond=($2 > $0))"));
    CHECK(plan_sql("SELECT name FROM cust c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.cust = c.cid)") == 0);
    CHECK(explain_has("Join(type=anti, left=[$0], right=[$0])"));
    CHECK(plan_sql("SELECT cid FROM cust WHERE cid > (SELECT AVG(cust) FROM orders)") == 0);
    /* the scalar subquery's LEFT join, under a WHERE that is never TRUE
     * on its NULL: the optimizer makes it INNER */
    CHECK(explain_has("Join(type=inner, cond=($0 > $1)) [retract]"));
    CHECK(plan_sql("SELECT name, (SELECT COUNT(*) FROM orders o WHERE o.cust = c.cid) FROM cust c") == 0);
    CHECK(explain_has("Join(type=left, left=[$0], right=[$1])"));
    CHECK(explain_has("COALESCE("));
    /* under OR: a mark (the IN's value) from the domain of c.cid */
    CHECK(plan_sql("SELECT name FROM cust c WHERE cid IN (SELECT cust FROM orders WHERE orders.id > c.cid) "
                   "OR cid = 1") == 0);
    CHECK(explain_has("Agg(group=[$0], aggs=[SUM($1), SUM($2)])"));
}

static void test_order_limit_rank(void)
{
    CHECK(plan_sql("SELECT carrier, amount FROM orders ORDER BY amount DESC LIMIT 5") == 0);
    CHECK(strncmp(wb_buf_cstr(&text),
                  "Rank(partition=[], order=[$1 DESC], limit=5) [retract]\n  Exchange(single)", 70) == 0);
    CHECK(plan.norder == 1 && plan.order[0].col == 1 && plan.order[0].desc && !plan.order[0].nulls_first);
    CHECK(plan.limit == 5);
    CHECK(plan_sql("SELECT k, v FROM plain ORDER BY 2, k") == 0);
    CHECK(plan.norder == 2 && plan.order[0].col == 1 && plan.order[1].col == 0);
    CHECK(plan.limit == -1);
    CHECK(plan.root->kind == PN_SCAN);   /* the identity projection is no node */

    CHECK(plan_sql("SELECT id, amount FROM (SELECT id, amount, ROW_NUMBER() OVER "
                   "(PARTITION BY cust ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3") == 0);
    CHECK(explain_has("Rank(partition=[$1], order=[$2 DESC], limit=3, rownum) [upsert key=[1, 3]]"));
    CHECK(plan.root->ncols == 2);
    CHECK(plan_sql("SELECT * FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn "
                   "FROM plain) t WHERE 1 = rn") == 0);
    CHECK(explain_has("limit=1, rownum"));
    CHECK_STR(plan.root->names[2], "rn");
    expect_error("SELECT RANK() OVER (ORDER BY v) FROM plain", WB_SQLSTATE_FEATURE, 1, 8, "RANK");
}

/* ORDER BY what is not selected: hidden trailing sort columns, shown to
 * the printer through plan.nvisible; nested queries drop them. */
static void test_order_hidden(void)
{
    CHECK(plan_sql("SELECT k FROM plain ORDER BY v DESC, k") == 0);
    CHECK(plan.nvisible == 1);
    CHECK(plan.root->ncols == 2);
    CHECK(plan.root->types[1].id == TY_INT);
    CHECK(plan.norder == 2 && plan.order[0].col == 1 && plan.order[0].desc);
    CHECK(plan.order[1].col == 0);
    /* an expression over a non-selected column, and the same one twice */
    CHECK(plan_sql("SELECT k FROM plain ORDER BY v * 2, v * 2 DESC") == 0);
    CHECK(plan.nvisible == 1 && plan.root->ncols == 2);
    CHECK(plan.order[0].col == 1 && plan.order[1].col == 1);
    /* an expression equal to a select item needs no hidden column */
    CHECK(plan_sql("SELECT k, v * 2 FROM plain ORDER BY v * 2") == 0);
    CHECK(plan.nvisible == 2 && plan.root->ncols == 2 && plan.order[0].col == 1);
    /* with LIMIT the top-N ranks on the hidden column */
    CHECK(plan_sql("SELECT carrier FROM orders ORDER BY amount DESC LIMIT 3") == 0);
    CHECK(explain_has("Rank(partition=[], order=[$1 DESC], limit=3)"));
    CHECK(plan.nvisible == 1 && plan.order[0].col == 1);
    /* an aggregate that is not selected */
    CHECK(plan_sql("SELECT carrier FROM orders GROUP BY carrier ORDER BY SUM(amount)") == 0);
    CHECK(plan.nvisible == 1 && plan.root->ncols == 2 && plan.order[0].col == 1);
    /* a subquery keeps only its visible columns */
    CHECK(plan_sql("SELECT * FROM (SELECT k FROM plain ORDER BY v LIMIT 2) t") == 0);
    CHECK(plan.root->ncols == 1 && plan.nvisible == 1);
    /* after DISTINCT it stays an error */
    expect_error("SELECT DISTINCT k FROM plain ORDER BY v", WB_SQLSTATE_FEATURE, 1, 39,
                 "select list");
}

static void test_setops_values(void)
{
    CHECK(plan_sql("SELECT k FROM plain UNION ALL SELECT name FROM cust") == 0);
    CHECK(explain_has("Union(inputs=2) [insert-only]"));
    CHECK(plan_sql("SELECT v FROM plain UNION SELECT cid FROM cust") == 0);
    CHECK(explain_has("Agg(group=[$0], aggs=[]) [upsert key=[0]]\n  Exchange(hash=[$0])"));
    CHECK(plan_sql("SELECT k FROM plain EXCEPT SELECT name FROM cust") == 0);
    CHECK(explain_has("filter=(($1 > 0) AND ($2 = 0))"));
    CHECK(plan_sql("VALUES (1, 'a'), (2, NULL)") == 0);
    CHECK_STR(wb_buf_cstr(&text), "Values(rows=2) [insert-only]\n");
    CHECK(plan.root->types[0].id == TY_INT && plan.root->types[1].id == TY_STRING);
    CHECK(plan.root->values.rows[3].is_null);
    CHECK(plan_sql("SELECT v + 1.5 FROM plain") == 0);
    CHECK(plan.root->types[0].id == TY_DECIMAL);
    expect_error("SELECT k FROM plain UNION SELECT k, v FROM plain", WB_SQLSTATE_SYNTAX, 1, 1,
                 "same number of columns");
}

static void test_insert(void)
{
    CHECK(plan_sql("INSERT INTO out_csv SELECT k, v FROM plain") == 0);
    CHECK(plan.root->kind == PN_SINK);
    CHECK(explain_has("Sink(table=out_csv) [insert-only]"));
    CHECK(explain_has("CAST($1 AS BIGINT)"));
    CHECK(plan_sql("INSERT INTO out_print SELECT k, COUNT(*) FROM plain GROUP BY k") == 0);
    CHECK(plan.root->mode == CM_UPSERT);
    CHECK(plan_sql("INSERT INTO out_print (n) SELECT COUNT(*) FROM plain") == 0);
    CHECK(explain_has("exprs=[NULL, $0]"));
    expect_error("INSERT INTO out_csv SELECT k, COUNT(*) FROM plain GROUP BY k",
                 WB_SQLSTATE_FEATURE, 1, 1, "append-only table \"out_csv\"");
    CHECK(err.hint[0] != 0);
    expect_error("INSERT INTO out_csv SELECT k FROM plain", WB_SQLSTATE_SYNTAX, 1, 21, "fewer");
    expect_error("INSERT INTO nowhere SELECT 1", WB_SQLSTATE_UNDEFINED_TABLE, 1, 13, "nowhere");
}

static void test_errors(void)
{
    expect_error("SELECT idd FROM orders", WB_SQLSTATE_UNDEFINED_COL, 1, 8,
                 "column \"idd\" does not exist");
    CHECK(strstr(err.hint, "orders.id") != NULL);
    expect_error("SELECT id\nFROM orders\nWHERE o.id > 1", WB_SQLSTATE_UNDEFINED_TABLE, 3, 7,
                 "missing FROM-clause entry for table \"o\"");
    expect_error("SELECT x FROM nosuch", WB_SQLSTATE_UNDEFINED_TABLE, 1, 15,
                 "table \"nosuch\" does not exist");
    expect_error("SELECT id FROM orders, cdc", WB_SQLSTATE_AMBIGUOUS_COL, 1, 8,
                 "column reference \"id\" is ambiguous");
    expect_error("SELECT carrier, amount FROM orders GROUP BY carrier", WB_SQLSTATE_GROUPING, 1, 17,
                 "column \"amount\" must appear in the GROUP BY clause or be used in an aggregate function");
    expect_error("SELECT id FROM orders WHERE COUNT(*) > 1", WB_SQLSTATE_GROUPING, 1, 29,
                 "aggregate functions are not allowed in WHERE");
    expect_error("SELECT SUM(COUNT(v)) FROM plain", WB_SQLSTATE_GROUPING, 1, 12, "cannot be nested");
    expect_error("SELECT foo(id) FROM orders", WB_SQLSTATE_UNDEFINED_FUNC, 1, 8,
                 "function foo does not exist");
    expect_error("SELECT k FROM plain WHERE v", WB_SQLSTATE_DATATYPE, 1, 27, "must be type BOOLEAN");
    expect_error("SELECT DISTINCT k FROM plain ORDER BY v + 1", WB_SQLSTATE_FEATURE, 1, 39, "select list");
}

int main(void)
{
    setup();
    RUN(test_ddl);
    RUN(test_aggregate);
    RUN(test_modes_and_joins);
    RUN(test_subqueries);
    RUN(test_order_limit_rank);
    RUN(test_order_hidden);
    RUN(test_setops_values);
    RUN(test_insert);
    RUN(test_errors);
    wb_buf_free(&text);
    wb_arena_free(arena);
    sql_catalog_free(cat);
    return check_done();
}
