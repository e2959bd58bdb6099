/*
 * test_parser.c - the SQL lexer and parser: statements that must parse
 * (their shape checked through the canonical printer and AST fields),
 * statements that must fail at a given line/column, and a fuzz loop that
 * mutates valid statements and checks the parser never crashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sql/lexer.h"
#include "sql/parser.h"

static WbArena *arena;

/* Parses a script and returns the formatted statements joined by "; ", or
 * "ERR line:col sqlstate message".  Result lives in the arena. */
static const char *fmt_script(const char *sql)
{
    WbError err;
    SqlScript script;
    if (sql_parse_script(sql, strlen(sql), arena, &script, &err) != 0)
        return wb_arena_printf(arena, "ERR %d:%d %s %s", err.line, err.column, err.sqlstate,
                               err.message);
    WbBuf buf = {0};
    for (int32_t i = 0; i < script.count; i++) {
        if (i) wb_buf_puts(&buf, "; ");
        sql_ast_format(script.stmts[i].node, &buf);
    }
    const char *out = wb_arena_strdup(arena, wb_buf_cstr(&buf));
    wb_buf_free(&buf);
    return out;
}

static AstNode *parse_one(const char *sql)
{
    WbError err;
    AstNode *node = NULL;
    if (sql_parse_statement(sql, strlen(sql), arena, &node, &err) != 0) {
        fprintf(stderr, "unexpected parse error in %s: %d:%d %s\n", sql, err.line, err.column,
                err.message);
        return NULL;
    }
    return node;
}

/* The first select item's expression of a SELECT statement. */
static AstNode *first_item(const char *sql)
{
    AstNode *node = parse_one(sql);
    if (!node || node->kind != AST_SELECT || node->select.items.count < 1) return NULL;
    return node->select.items.items[0]->select_item.expr;
}

typedef struct Case {
    const char *sql;
    const char *want;
} Case;

static const Case ok_cases[] = {
    /* queries */
    {"select * from t", "SELECT * FROM t"},
    {"select * from table(hop(data => table t, timecol => descriptor(ts), size => interval '2' minute, slide => interval '1' minute)) w",
     "SELECT * FROM TABLE(hop(TABLE t, DESCRIPTOR(ts), size => INTERVAL '120000' MILLISECOND, slide => INTERVAL '60000' MILLISECOND)) AS w"},
    {"SELECT a, b AS x, c y FROM t", "SELECT a, b AS x, c AS y FROM t"},
    {"select t.*, u.a from t join u on t.id = u.id",
     "SELECT t.*, u.a FROM (t INNER JOIN u ON (t.id = u.id))"},
    {"SELECT a FROM t1 LEFT JOIN t2 USING (id) RIGHT OUTER JOIN t3 ON t2.x = t3.x "
     "FULL JOIN t4 ON true CROSS JOIN t5, t6",
     "SELECT a FROM (((((t1 LEFT JOIN t2 USING (id)) RIGHT JOIN t3 ON (t2.x = t3.x)) "
     "FULL JOIN t4 ON TRUE) CROSS JOIN t5), t6)"},
    {"select a from t1 inner join t2 on a = b left outer join t3 on c = d",
     "SELECT a FROM ((t1 INNER JOIN t2 ON (a = b)) LEFT JOIN t3 ON (c = d))"},
    {"select 1 union select 2 intersect select 3 except all select 4 order by 1 limit 3 offset 1",
     "((SELECT 1) UNION ((SELECT 2) INTERSECT (SELECT 3))) EXCEPT ALL (SELECT 4) "
     "ORDER BY 1 LIMIT 3 OFFSET 1"},
    {"(select 1 union all select 2) intersect (select 3)",
     "((SELECT 1) UNION ALL (SELECT 2)) INTERSECT (SELECT 3)"},
    {"select a from t union distinct select b from u",
     "(SELECT a FROM t) UNION (SELECT b FROM u)"},
    {"with a as (select 1 x), b(y) as (select * from a) select y from b",
     "WITH a AS (SELECT 1 AS x), b(y) AS (SELECT * FROM a) SELECT y FROM b"},
    {"values (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b')"},
    {"select * from (values (1), (2)) as v(x)", "SELECT * FROM (VALUES (1), (2)) AS v(x)"},
    {"select distinct a from t where a > 1 group by a, b having count(*) > 2 "
     "order by a desc nulls last, b asc nulls first limit 10",
     "SELECT DISTINCT a FROM t WHERE (a > 1) GROUP BY a, b HAVING (count(*) > 2) "
     "ORDER BY a DESC NULLS LAST, b NULLS FIRST LIMIT 10"},
    {"select * from (select a from t) as s(x), (select 1) x where 1=1 fetch first 5 rows only",
     "SELECT * FROM ((SELECT a FROM t) AS s(x), (SELECT 1) AS x) WHERE (1 = 1) LIMIT 5"},
    {"select a from t offset 2 rows fetch next row only",
     "SELECT a FROM t LIMIT 1 OFFSET 2"},
    {"(select a from t order by a limit 2) order by a desc",
     "SELECT * FROM (SELECT a FROM t ORDER BY a LIMIT 2) ORDER BY a DESC"},
    {"select o.id from orders as o join customers for system_time as of o.proctime as c "
     "on o.cid = c.id",
     "SELECT o.id FROM (orders AS o INNER JOIN customers FOR SYSTEM_TIME AS OF o.proctime AS c "
     "ON (o.cid = c.id))"},
    {"select * from cat.db.t", "SELECT * FROM cat.db.t"},
    {"select ((select 1) + 1), ((select 1) union (select 2))",
     "SELECT ((SELECT 1) + 1), ((SELECT 1) UNION (SELECT 2))"},
    {"select * from ((select 1) union all (select 2)) u, ((select 3) as x join y on true)",
     "SELECT * FROM (((SELECT 1) UNION ALL (SELECT 2)) AS u, ((SELECT 3) AS x INNER JOIN y ON TRUE))"},
    {"select * from t where a in ((select 1), 2) and b in ((select 1) union (select 2))",
     "SELECT * FROM t WHERE ((a IN ((SELECT 1), 2)) AND (b IN ((SELECT 1) UNION (SELECT 2))))"},
    {"select * from (t1 join t2 on t1.a = t2.a)", "SELECT * FROM (t1 INNER JOIN t2 ON (t1.a = t2.a))"},
    {"select `from`, \"Mixed Case\" from `my table` `alias`",
     "SELECT `from`, `Mixed Case` FROM `my table` AS alias"},
    {"select value, count, date, timestamp, name, key, type, `year` from t",
     "SELECT value, count, date, timestamp, name, key, type, year FROM t"},
    {"select count(value) as count from t group by key",
     "SELECT count(value) AS count FROM t GROUP BY key"},
    {"SELECT 1", "SELECT 1"},
    /* expressions and precedence */
    {"select a or b and not c = d", "SELECT (a OR (b AND (NOT (c = d))))"},
    {"select 1 + 2 * 3 - 4 / 5 % 6", "SELECT ((1 + (2 * 3)) - ((4 / 5) % 6))"},
    {"select a || b || 'c', 'x' || 1 + 2", "SELECT ((a || b) || 'c'), ('x' || (1 + 2))"},
    {"select -a, - -a, +a, not not a, -(1)", "SELECT -(a), -(-(a)), a, (NOT (NOT a)), -(1)"},
    {"select a = b is null, a <> b, a != b, a <= b, a >= b, a < b, a > b",
     "SELECT ((a = b) IS NULL), (a <> b), (a <> b), (a <= b), (a >= b), (a < b), (a > b)"},
    {"select * from t where a between 1 and 2 and b not between symmetric 3 and 4",
     "SELECT * FROM t WHERE ((a BETWEEN 1 AND 2) AND (b NOT BETWEEN SYMMETRIC 3 AND 4))"},
    {"select * from t where c in (1,2) and d not in (select x from u)",
     "SELECT * FROM t WHERE ((c IN (1, 2)) AND (d NOT IN (SELECT x FROM u)))"},
    {"select * from t where a > all (select x from u) or b <= some (select y from u) "
     "or c = any (select z from u) or d <> all (select w from u)",
     "SELECT * FROM t WHERE ((((a > ALL (SELECT x FROM u)) OR (b <= ANY (SELECT y FROM u))) OR "
     "(c IN (SELECT z FROM u))) OR (d NOT IN (SELECT w FROM u)))"},
    {"select * from t where e like 'a%' escape '!' or f not similar to 'b' or g not like 'c'",
     "SELECT * FROM t WHERE (((e LIKE 'a%' ESCAPE '!') OR (f NOT SIMILAR TO 'b')) OR "
     "(g NOT LIKE 'c'))"},
    {"select * from t where exists (select 1) and not exists (select 2)",
     "SELECT * FROM t WHERE (EXISTS (SELECT 1) AND (NOT EXISTS (SELECT 2)))"},
    {"select g is not distinct from h, g is distinct from h, i is true, j is not unknown, "
     "k is not false",
     "SELECT (g IS NOT DISTINCT FROM h), (g IS DISTINCT FROM h), (i IS TRUE), "
     "(j IS NOT UNKNOWN), (k IS NOT FALSE)"},
    {"select (select max(x) from u) > 1, (a + b) * c",
     "SELECT ((SELECT max(x) FROM u) > 1), ((a + b) * c)"},
    {"select case when a then 1 when b then 2 else 3 end, case x when 1 then 'a' end",
     "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END"},
    {"select cast(a as decimal(10,2)), try_cast(s as int), a::bigint, cast(x as varchar(20)), "
     "cast(y as timestamp_ltz(3)), cast(z as timestamp(3) with local time zone)",
     "SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST(s AS INT), CAST(a AS BIGINT), "
     "CAST(x AS VARCHAR(20)), CAST(y AS TIMESTAMP_LTZ(3)), CAST(z AS TIMESTAMP_LTZ(3))"},
    {"select count(distinct a), sum(x) filter (where x > 0), "
     "row_number() over (partition by a order by ts desc) as rn, count(*) from t",
     "SELECT count(DISTINCT a), sum(x) FILTER (WHERE (x > 0)), "
     "row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn, count(*) FROM t"},
    {"select sum(x) over (order by ts rows between 5 preceding and current row), "
     "sum(x) over (partition by k order by ts range between interval '1' hour preceding and "
     "current row), max(x) over (rows unbounded preceding) from t",
     "SELECT sum(x) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW), "
     "sum(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '3600000' MILLISECOND "
     "PRECEDING AND CURRENT ROW), max(x) OVER (ROWS UNBOUNDED PRECEDING) FROM t"},
    {"select extract(year from ts), substring(s from 2 for 3), substring(s, 1, 2), "
     "substring(s from 2)",
     "SELECT extract(YEAR FROM ts), substring(s, 2, 3), substring(s, 1, 2), substring(s, 2)"},
    {"select trim(both 'x' from s), trim(s), trim(leading from s), trim(trailing 'y' from s)",
     "SELECT trim(BOTH 'x' FROM s), trim(BOTH ' ' FROM s), trim(LEADING ' ' FROM s), "
     "trim(TRAILING 'y' FROM s)"},
    {"select position('a' in s), floor(ts to hour), ceil(x), ceil(ts to day), floor(x)",
     "SELECT position('a' IN s), floor(ts TO HOUR), ceil(x), ceil(ts TO DAY), floor(x)"},
    {"select timestampadd(minute, 5, ts), timestampdiff(day, a, b), "
     "timestampdiff(sql_tsi_hour, a, b)",
     "SELECT timestampadd(MINUTE, 5, ts), timestampdiff(DAY, a, b), timestampdiff(HOUR, a, b)"},
    {"select current_timestamp, now(), proctime(), localtimestamp, current_date",
     "SELECT current_timestamp, now(), proctime(), localtimestamp, current_date"},
    {"select coalesce(a, b, 0), nullif(a, 1), left(s, 2), right(s, 1), if(a, 1, 2), "
     "date_format(ts, 'yyyy')",
     "SELECT coalesce(a, b, 0), nullif(a, 1), left(s, 2), right(s, 1), if(a, 1, 2), "
     "date_format(ts, 'yyyy')"},
    {"select 'it''s', x'0aFF', '', 'a' -- comment\n , /* block\n comment */ 2",
     "SELECT 'it''s', X'0aff', '', 'a', 2"},
    {"select interval '5' minute, interval '1' day, interval '2 03:04' day to minute, "
     "interval '1-2' year to month, interval '10' minutes, interval '-1.5' second, "
     "interval - '3' hour, interval 2 days",
     "SELECT INTERVAL '300000' MILLISECOND, INTERVAL '86400000' MILLISECOND, "
     "INTERVAL '183840000' MILLISECOND, INTERVAL '14' MONTH, INTERVAL '600000' MILLISECOND, "
     "INTERVAL '-1500' MILLISECOND, INTERVAL '-10800000' MILLISECOND, "
     "INTERVAL '172800000' MILLISECOND"},
    {"select interval '1 02:03:04.5' day to second, interval '3' year, "
     "interval '01:30' hour to minute, interval '2:03.25' minute to second",
     "SELECT INTERVAL '93784500' MILLISECOND, INTERVAL '36' MONTH, "
     "INTERVAL '5400000' MILLISECOND, INTERVAL '123250' MILLISECOND"},
    {"select ts - interval '5' second from t where ts > timestamp '2024-01-01 00:00:00'",
     "SELECT (ts - INTERVAL '5000' MILLISECOND) FROM t WHERE (ts > timestamp '2024-01-01 00:00:00')"},
    /* statements */
    {"create table t (id int not null, v string, ts timestamp(3), primary key (id) not enforced, "
     "watermark for ts as ts - interval '5' second) with ('connector' = 'datagen')",
     "CREATE TABLE t (id INT NOT NULL, v STRING, ts TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED, "
     "WATERMARK FOR ts AS (ts - INTERVAL '5000' MILLISECOND)) WITH ('connector' = 'datagen')"},
    {"CREATE TEMPORARY TABLE IF NOT EXISTS db.orders (\n"
     "  order_id BIGINT PRIMARY KEY NOT ENFORCED,\n"
     "  price DECIMAL(10, 2),\n"
     "  qty TINYINT, s SMALLINT, i INTEGER, f FLOAT, r REAL, d DOUBLE PRECISION,\n"
     "  n NUMERIC, dc DEC(5), c CHAR(3), vc VARCHAR, b BYTES, bn BINARY(4), vb VARBINARY,\n"
     "  dt DATE, tm TIME(3) WITHOUT TIME ZONE, ts TIMESTAMP WITHOUT TIME ZONE, ok BOOLEAN,\n"
     "  total AS price * qty COMMENT 'computed',\n"
     "  kts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,\n"
     "  part INT METADATA,\n"
     "  ivl INTERVAL DAY TO SECOND, ym INTERVAL YEAR TO MONTH\n"
     ") COMMENT 'orders' PARTITIONED BY (dt) WITH ('connector' = 'filesystem', 'path' = 'a''b')",
     "CREATE TEMPORARY TABLE IF NOT EXISTS db.orders (order_id BIGINT NOT NULL, "
     "price DECIMAL(10, 2), qty INT, s INT, i INT, f DOUBLE, r DOUBLE, d DOUBLE, "
     "n DECIMAL(10, 0), dc DECIMAL(5, 0), c VARCHAR(3), vc STRING, b BYTES, bn BYTES, vb BYTES, "
     "dt DATE, tm TIME(3), ts TIMESTAMP(6), ok BOOLEAN, total AS (price * qty) COMMENT 'computed', "
     "kts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, part INT METADATA, "
     "ivl INTERVAL DAY TO SECOND, ym INTERVAL YEAR TO MONTH, "
     "PRIMARY KEY (order_id) NOT ENFORCED) COMMENT 'orders' PARTITIONED BY (dt) "
     "WITH ('connector' = 'filesystem', 'path' = 'a''b')"},
    {"create table k (value string, count bigint, `key` int, constraint pk primary key (`key`))"
     " with ()",
     "CREATE TABLE k (value STRING, count BIGINT, key INT, PRIMARY KEY (key) NOT ENFORCED)"},
    {"create table s with ('connector' = 'print') as select * from t",
     "CREATE TABLE s WITH ('connector' = 'print') AS SELECT * FROM t"},
    {"create view v as select a from t", "CREATE VIEW v AS SELECT a FROM t"},
    {"create temporary view if not exists v (x, y) as select a, b from t",
     "CREATE TEMPORARY VIEW IF NOT EXISTS v (x, y) AS SELECT a, b FROM t"},
    {"drop table t; drop view if exists v; drop temporary table if exists x.y",
     "DROP TABLE t; DROP VIEW IF EXISTS v; DROP TEMPORARY TABLE IF EXISTS x.y"},
    {"show tables; show views; SHOW FUNCTIONS; show create table t",
     "SHOW TABLES; SHOW VIEWS; SHOW FUNCTIONS; SHOW CREATE TABLE t"},
    {"describe t; desc db.t", "DESCRIBE t; DESCRIBE db.t"},
    {"explain select 1; explain plan for insert into t select 1; "
     "explain changelog_mode, estimated_cost select a from t",
     "EXPLAIN SELECT 1; EXPLAIN INSERT INTO t SELECT 1; EXPLAIN SELECT a FROM t"},
    {"set 'execution.runtime-mode' = 'batch'; SET execution.runtime-mode = streaming; "
     "set table.exec.state.ttl = 1 h; set; reset 'a.b'; reset; set 'x' = 'it''s'",
     "SET 'execution.runtime-mode' = 'batch'; SET 'execution.runtime-mode' = 'streaming'; "
     "SET 'table.exec.state.ttl' = '1 h'; SET; RESET 'a.b'; RESET; SET 'x' = 'it''s'"},
    {"insert into t select * from s; insert into t (a, b) values (1, 2); "
     "insert overwrite t select 1; insert into t (select 1)",
     "INSERT INTO t SELECT * FROM s; INSERT INTO t (a, b) VALUES (1, 2); "
     "INSERT OVERWRITE t SELECT 1; INSERT INTO t SELECT 1"},
    {";; select 1 ;; ; select 2;", "SELECT 1; SELECT 2"},
    {"", ""},
    {"  -- only a comment\n /* and another */ ;", ""},
};

typedef struct ErrCase {
    const char *sql;
    int line, column;
    const char *message;   /* substring of the message */
} ErrCase;

static const ErrCase err_cases[] = {
    {"select from t", 1, 8, "syntax error at or near \"from\""},
    {"select a from", 1, 14, "syntax error at end of input"},
    {"select a,, b from t", 1, 10, "syntax error at or near \",\""},
    {"select (a from t", 1, 11, "expected \")\" but found \"from\""},
    {"select a from t where", 1, 22, "at end of input"},
    {"select 'abc", 1, 8, "unterminated quoted string"},
    {"select `abc", 1, 8, "unterminated quoted identifier"},
    {"select a from t /* x", 1, 17, "unterminated /* comment"},
    {"select * from t;\n  selec x", 2, 3, "syntax error at or near \"selec\""},
    {"select 1;\nselect 2;\n\n   select a b c from t", 4, 15, "at or near \"c\""},
    {"create table t (a int", 1, 22, "expected \")\" but found end of input"},
    {"create table t (a array<int>) with ()", 1, 19, "type ARRAY is not supported yet"},
    {"create table t (a map<int, int>)", 1, 19, "type MAP is not supported yet"},
    {"create table t (r row<a row<b int>>)", 1, 25, "a ROW inside a ROW is not supported yet"},
    {"select cast(a as foo) from t", 1, 18, "type \"foo\" does not exist"},
    {"select cast(a as decimal(40, 2))", 1, 26, "precision must be between 1 and 38"},
    {"select cast(a as decimal(5, 6))", 1, 26, "scale"},
    {"select cast(a as timestamp(12))", 1, 28, "out of range"},
    {"select date '2024-13-01'", 1, 13, "invalid DATE literal"},
    {"select timestamp 'yesterday'", 1, 18, "invalid TIMESTAMP literal"},
    {"select interval '1:2' day", 1, 17, "invalid INTERVAL literal"},
    {"select interval '1' day to year", 1, 28, "invalid interval qualifier"},
    {"select interval '999999999999999999' year", 1, 17, "out of range"},
    {"select 123456789012345678901234567890123456789", 1, 8, "out of range"},
    {"select 1e999", 1, 8, "out of range"},
    {"select a from t order by", 1, 25, "at end of input"},
    {"insert into t", 1, 14, "expected SELECT or VALUES"},
    {"select # from t", 1, 8, "syntax error at or near \"#\""},
    {"select é, # from t", 1, 11, "\"#\""},
    {"create table t (a int, primary key (a), primary key (a))", 1, 41, "multiple primary keys"},
    {"create table t (a int, watermark for a as a, watermark for a as a)", 1, 46,
     "multiple WATERMARK"},
    {"select * from lateral table(f(x))", 1, 15, "LATERAL is not supported yet"},
    {"select * from table(foo(table t, descriptor(ts)))", 1, 21, "not supported yet"},
    {"select * from table(tumble(table t, interval '1' minute))", 1, 21, "DESCRIPTOR"},
    {"select * from t natural join u", 1, 17, "NATURAL JOIN is not supported yet"},
    {"drop schema x", 1, 6, "expected TABLE or VIEW"},
    {"select a from t group by rollup(a)", 1, 26, "not supported yet"},
    {"select ARRAY[1]", 1, 8, "not supported yet"},
    {"explain select", 1, 15, "at end of input"},
    {"set 'a'", 1, 8, "expected \"=\""},
    {"select ``", 1, 8, "zero-length"},
    {"select a from t where a not = 1", 1, 25, "at or near \"not\""},
    {"select a from t join u", 1, 23, "expected ON or USING"},
    {"select a from t t2 t3", 1, 20, "at or near \"t3\""},
    {"select 1 2", 1, 10, "at or near \"2\""},
    {"select case x end", 1, 15, "expected WHEN"},
    {"select count(*) over w from t", 1, 22, "named window"},
    {"create table t (a int) with ('k' = 1)", 1, 36, "expected a string literal"},
    {"create table t", 1, 15, "expected \"(\""},
    {"merge into t using u on t.a = u.a", 1, 1, "not supported yet"},
    {"update t set = 1", 1, 14, "syntax error at or near \"=\""},
    {"delete t", 1, 8, "expected FROM"},
    {"call sys.compact('t'", 1, 21, "but found end of input"},
    {"select * from t /*+ OPTIONS('a') */", 1, 32, "expected \"=\" and a value"},
    {"select /*+ NOPE */ 1", 1, 12, "unknown hint"},
    {"insert into t partition (p) select 1", 1, 27, "expected \"=\""},
    {"select a from t limit", 1, 22, "at end of input"},
    {"select (1, 2)", 1, 8, "row value"},
    {"select 1 where (1, 2) in (3, 4)", 1, 16, "IN a list"},
    {"select 1 where (1, 2) = 1", 1, 16, "row value"},
    {"select x'abc'", 1, 8, "even number"},
    {"select a from t where a in ()", 1, 29, "at or near \")\""},
    {"insert into t (a, from) select 1", 1, 19, "at or near \"from\""},
    {"with x as (select 1) insert into t select 1", 1, 22, "expected SELECT or VALUES"},
};

static void test_ok_cases(void)
{
    for (size_t i = 0; i < WB_ARRAY_LEN(ok_cases); i++) {
        const char *got = fmt_script(ok_cases[i].sql);
        if (strcmp(got, ok_cases[i].want) != 0)
            fprintf(stderr, "case %zu: %s\n", i, ok_cases[i].sql);
        CHECK_STR(got, ok_cases[i].want);
        /* the canonical text parses back to itself */
        if (ok_cases[i].want[0] && strncmp(got, "ERR", 3) != 0 && !strstr(got, "MILLISECOND") &&
            !strstr(got, "MONTH")) {
            const char *again = fmt_script(got);
            if (strcmp(again, got) != 0) fprintf(stderr, "round trip of case %zu\n", i);
            CHECK_STR(again, got);
        }
    }
}

static void test_err_cases(void)
{
    for (size_t i = 0; i < WB_ARRAY_LEN(err_cases); i++) {
        const ErrCase *ec = &err_cases[i];
        WbError err;
        SqlScript script;
        int rc = sql_parse_script(ec->sql, strlen(ec->sql), arena, &script, &err);
        bool ok = rc == -1 && err.set && err.line == ec->line && err.column == ec->column &&
                  strstr(err.message, ec->message) != NULL;
        if (!ok)
            fprintf(stderr, "error case %zu: %s\n  got rc=%d %d:%d %s\n  want %d:%d %s\n", i,
                    ec->sql, rc, err.line, err.column, err.message, ec->line, ec->column,
                    ec->message);
        CHECK(ok);
    }
    /* syntax errors carry SQLSTATE 42601, unsupported features 0A000 */
    WbError err;
    SqlScript script;
    CHECK(sql_parse_script("select from", 11, arena, &script, &err) == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_SYNTAX);
    CHECK(sql_parse_script("select * from lateral x", 23, arena, &script, &err) == -1);
    CHECK_STR(err.sqlstate, WB_SQLSTATE_FEATURE);
    /* a reserved word where a name is expected gets a hint */
    CHECK(sql_parse_script("create table select (a int)", 27, arena, &script, &err) == -1);
    CHECK(strstr(err.hint, "reserved") != NULL);
    /* NUL bytes outside strings are an error, inside strings they are data */
    const char nul_sql[] = "select 1\0";
    CHECK(sql_parse_script(nul_sql, sizeof nul_sql - 1, arena, &script, &err) == -1);
    CHECK(err.line == 1 && err.column == 9);
    const char nul_str[] = "select 'a\0b'";
    CHECK(sql_parse_script(nul_str, sizeof nul_str - 1, arena, &script, &err) == 0);
    AstNode *lit = script.count == 1 ? script.stmts[0].node->select.items.items[0]->select_item.expr : NULL;
    CHECK(lit && lit->literal.str_len == 3 && lit->literal.str[1] == '\0');
    /* sql_parse_statement wants exactly one */
    AstNode *node;
    CHECK(sql_parse_statement("select 1; select 2", 18, arena, &node, &err) == -1);
    CHECK(err.line == 1 && err.column == 11);
    CHECK(sql_parse_statement(" ; ", 3, arena, &node, &err) == -1);
    /* expressions */
    CHECK(sql_parse_expression("a + 1", 5, arena, &node, &err) == 0 && node->kind == AST_BINARY);
    CHECK(sql_parse_expression("a + 1 b", 7, arena, &node, &err) == -1 && err.column == 7);
}

static void test_literals(void)
{
    AstNode *e;
    e = first_item("select 2147483647");
    CHECK(e && e->kind == AST_LITERAL && e->literal.type.id == TY_INT && e->literal.i64 == 2147483647);
    CHECK(e && e->literal.type.nullable == 0);
    e = first_item("select -2147483648");
    CHECK(e && e->literal.type.id == TY_INT && e->literal.i64 == INT32_MIN);
    e = first_item("select 2147483648");
    CHECK(e && e->literal.type.id == TY_BIGINT && e->literal.i64 == 2147483648LL);
    e = first_item("select -9223372036854775808");
    CHECK(e && e->literal.type.id == TY_BIGINT && e->literal.i64 == INT64_MIN && e->literal.value_ok);
    e = first_item("select 9223372036854775808");
    CHECK(e && e->literal.type.id == TY_DECIMAL && e->literal.type.precision == 19 &&
          e->literal.type.scale == 0 && e->literal.value_ok &&
          e->literal.i128 == (ty_i128)INT64_MAX + 1);
    CHECK_STR(e ? e->literal.text : NULL, "9223372036854775808");
    e = first_item("select 1.5");
    CHECK(e && e->literal.type.id == TY_DECIMAL && e->literal.type.precision == 2 &&
          e->literal.type.scale == 1 && e->literal.i64 == 15 && e->literal.value_ok);
    e = first_item("select -0.05");
    CHECK(e && e->literal.type.id == TY_DECIMAL && e->literal.type.precision == 2 &&
          e->literal.type.scale == 2 && e->literal.i64 == -5);
    CHECK_STR(e ? e->literal.text : NULL, "-0.05");
    e = first_item("select 007.250");
    CHECK(e && e->literal.type.precision == 4 && e->literal.type.scale == 3 && e->literal.i64 == 7250);
    e = first_item("select .5");
    CHECK(e && e->literal.type.precision == 1 && e->literal.type.scale == 1 && e->literal.i64 == 5);
    e = first_item("select 1234567890123456789.5");
    CHECK(e && e->literal.type.id == TY_DECIMAL && e->literal.type.precision == 20 &&
          e->literal.value_ok && e->literal.i128 == (ty_i128)1234567890123456789LL * 10 + 5);
    e = first_item("select -12345678901234567890123456789012345678");
    CHECK(e && e->literal.type.id == TY_DECIMAL && e->literal.type.precision == 38 &&
          e->literal.value_ok && e->literal.i128 == -((ty_i128)1234567890123456789LL * ty_pow10_128(19) +
                                                         123456789012345678LL));
    e = first_item("select 1e3");
    CHECK(e && e->literal.type.id == TY_DOUBLE && e->literal.f64 == 1000.0);
    e = first_item("select -2.5E-1");
    CHECK(e && e->literal.type.id == TY_DOUBLE && e->literal.f64 == -0.25);
    e = first_item("select 'it''s'");
    CHECK(e && e->literal.type.id == TY_STRING && e->literal.str_len == 4);
    CHECK_STR(e ? e->literal.str : NULL, "it's");
    e = first_item("select null");
    CHECK(e && e->literal.type.id == TY_NULL && e->literal.type.nullable);
    e = first_item("select TRUE");
    CHECK(e && e->literal.type.id == TY_BOOLEAN && e->literal.i64 == 1);
    e = first_item("select date '1970-01-02'");
    CHECK(e && e->literal.type.id == TY_DATE && e->literal.i64 == 1);
    e = first_item("select time '01:00:00.5'");
    CHECK(e && e->literal.type.id == TY_TIME && e->literal.i64 == 3600500 &&
          e->literal.type.precision == 1);
    e = first_item("select timestamp '1970-01-01 00:00:01.123'");
    CHECK(e && e->literal.type.id == TY_TIMESTAMP && e->literal.i64 == 1123000 &&
          e->literal.type.precision == 3);
    e = first_item("select timestamp '2024-01-01 00:00:00'");
    CHECK(e && e->literal.type.precision == 0);
    e = first_item("select interval '2 03:04' day to minute");
    CHECK(e && e->literal.type.id == TY_INTERVAL_DT && e->literal.i64 == 183840000 &&
          e->literal.interval_from == TU_DAY && e->literal.interval_to == TU_MINUTE);
    e = first_item("select interval '1-2' year to month");
    CHECK(e && e->literal.type.id == TY_INTERVAL_YM && e->literal.i64 == 14);
    e = first_item("select interval '-5' minute");
    CHECK(e && e->literal.i64 == -300000);
    e = first_item("select x'00ff'");
    CHECK(e && e->literal.type.id == TY_BYTES && e->literal.str_len == 2 &&
          (unsigned char)e->literal.str[1] == 0xff);
    /* a minus before a cast stays an operator: -(1::int) */
    e = first_item("select -1::int");
    CHECK(e && e->kind == AST_UNARY && e->op.left->kind == AST_CAST);
}

static void test_fields(void)
{
    /* identifiers keep their spelling; quoted ones keep case */
    AstNode *e = first_item("select T.Col, `Q x`.\"Y\" from T");
    CHECK(e && e->kind == AST_COLUMN_REF);
    CHECK_STR(e ? e->column_ref.qualifier : NULL, "T");
    CHECK_STR(e ? e->column_ref.name : NULL, "Col");

    AstNode *ct = parse_one(
        "CREATE TABLE t (\n"
        "  id INT,\n"
        "  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,\n"
        "  c AS id + 1,\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
        ") WITH ('connector' = 'kafka', 'topic' = 'x')");
    CHECK(ct && ct->kind == AST_CREATE_TABLE);
    if (ct) {
        CHECK(ct->create_table.columns.count == 3);
        AstNode *ts = ct->create_table.columns.items[1];
        CHECK(ts->column_def.is_metadata && ts->column_def.is_virtual && ts->column_def.ltz);
        CHECK(ts->column_def.type.id == TY_TIMESTAMP && ts->column_def.type.precision == 3);
        CHECK_STR(ts->column_def.metadata_key, "timestamp");
        CHECK(ts->line == 3 && ts->column == 3);
        AstNode *c = ct->create_table.columns.items[2];
        CHECK(c->column_def.computed && c->column_def.computed->kind == AST_BINARY);
        /* the source span of a computed column's expression */
        const char *sql_text = "CREATE TABLE t (\n  id INT,\n"
                               "  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,\n"
                               "  c AS id + 1,\n";
        (void)sql_text;
        CHECK(c->column_def.computed->src_end - c->column_def.computed->src_start == 6);
        CHECK_STR(ct->create_table.watermark_col, "ts");
        CHECK(ct->create_table.watermark_line == 5 && ct->create_table.watermark_column == 17);
        CHECK(ct->create_table.watermark && ct->create_table.watermark->kind == AST_BINARY);
        CHECK(ct->create_table.options.count == 2);
        CHECK_STR(ct->create_table.options.items[1]->option.value, "x");
    }

    /* statement spans and positions in a script */
    const char *script_text = "SET 'a' = 'b';\n\n  SELECT a\n  FROM t ;  -- done\nSHOW TABLES";
    WbError err;
    SqlScript script;
    CHECK(sql_parse_script(script_text, strlen(script_text), arena, &script, &err) == 0);
    CHECK(script.count == 3);
    if (script.count == 3) {
        CHECK(script.stmts[1].line == 3 && script.stmts[1].column == 3);
        CHECK_STR(script.stmts[1].text, "SELECT a\n  FROM t");
        CHECK_STR(script.stmts[2].text, "SHOW TABLES");
        CHECK(script.stmts[0].node->kind == AST_SET);
        CHECK_STR(script.stmts[0].node->set.key, "a");
        AstNode *sel = script.stmts[1].node;
        CHECK(sel->src_start == script.stmts[1].src_start && sel->src_end == script.stmts[1].src_end);
    }

    /* columns are counted in characters, not bytes */
    CHECK(sql_parse_script("select 'héhé' #", strlen("select 'héhé' #"), arena, &script,
                           &err) == -1);
    CHECK(err.column == 15);

    /* ORDER BY/LIMIT of a set operation belong to the set operation */
    AstNode *q = parse_one("select a from t union all select b from u order by 1 limit 5");
    CHECK(q && q->kind == AST_SETOP && q->setop.all && q->setop.tail.order_by.count == 1 &&
          q->setop.tail.limit != NULL);
    CHECK(q && q->setop.left->select.tail.order_by.count == 0);

    /* special call forms */
    e = first_item("select count(*) from t");
    CHECK(e && e->kind == AST_CALL && e->call.star && e->call.args.count == 0);
    e = first_item("select trim(s)");
    CHECK(e && e->call.args.count == 2 && e->call.args.items[0]->literal.str_len == 1);
    e = first_item("select floor(ts to minute)");
    CHECK(e && e->call.has_unit && e->call.unit == TU_MINUTE && e->call.args.count == 1);
    e = first_item("select current_timestamp");
    CHECK(e && e->kind == AST_CALL && e->call.no_parens);
    e = first_item("select extract(dow from d)");
    CHECK(e && e->call.unit == TU_DOW);

    /* INSERT column list versus a parenthesized query */
    AstNode *ins = parse_one("insert into t (a, b) select 1, 2");
    CHECK(ins && ins->insert.columns.count == 2 && ins->insert.query->kind == AST_SELECT);
    CHECK(ins && ins->insert.table_line == 1 && ins->insert.table_column == 13);

    /* join tree */
    AstNode *j = parse_one("select * from a left join b on a.x = b.x");
    CHECK(j && j->select.from->kind == AST_JOIN && j->select.from->join.type == AJ_LEFT);

    /* names and kinds */
    CHECK_STR(sql_ast_kind_name(AST_SELECT), "SELECT");
    CHECK_STR(sql_ast_op_name(AOP_IS_NOT_DISTINCT), "IS NOT DISTINCT FROM");
    CHECK(sql_word_is_reserved("select", 6) && !sql_word_is_reserved("value", 5));
}

static void test_depth(void)
{
    /* deep nesting is a clean error, not a stack overflow */
    WbBuf buf = {0};
    wb_buf_puts(&buf, "select ");
    for (int i = 0; i < 100000; i++) wb_buf_putc(&buf, '(');
    wb_buf_puts(&buf, "1");
    for (int i = 0; i < 100000; i++) wb_buf_putc(&buf, ')');
    WbError err;
    SqlScript script;
    CHECK(sql_parse_script(buf.data, buf.len, arena, &script, &err) == -1);
    CHECK(strstr(err.message, "nested too deeply") != NULL);
    wb_buf_clear(&buf);

    wb_buf_puts(&buf, "select ");
    for (int i = 0; i < 50000; i++) wb_buf_puts(&buf, "- ");
    wb_buf_puts(&buf, "a");
    CHECK(sql_parse_script(buf.data, buf.len, arena, &script, &err) == -1);
    CHECK(strstr(err.message, "nested too deeply") != NULL);
    wb_buf_clear(&buf);

    wb_buf_puts(&buf, "select ");
    for (int i = 0; i < 50000; i++) wb_buf_puts(&buf, "not ");
    wb_buf_puts(&buf, "a");
    CHECK(sql_parse_script(buf.data, buf.len, arena, &script, &err) == -1);
    CHECK(strstr(err.message, "nested too deeply") != NULL);
    wb_buf_clear(&buf);

    /* long flat chains would make a tree too deep for its consumers */
    wb_buf_puts(&buf, "select 1");
    for (int i = 0; i < 50000; i++) wb_buf_puts(&buf, " + 1");
    CHECK(sql_parse_script(buf.data, buf.len, arena, &script, &err) == -1);
    CHECK(strstr(err.message, "nested too deeply") != NULL);
    wb_buf_clear(&buf);

    wb_buf_puts(&buf, "select * from t where ");
    for (int i = 0; i < 50000; i++) wb_buf_puts(&buf, "(select 1) in (");
    CHECK(sql_parse_script(buf.data, buf.len, arena, &script, &err) == -1);
    wb_buf_clear(&buf);

    /* but moderately nested and long input is fine */
    wb_buf_puts(&buf, "select ");
    for (int i = 0; i < 50; i++) wb_buf_puts(&buf, "(1 + ");
    wb_buf_puts(&buf, "1");
    for (int i = 0; i < 50; i++) wb_buf_putc(&buf, ')');
    for (int i = 0; i < 300; i++) wb_buf_puts(&buf, " or a = 1");
    wb_buf_puts(&buf, " from t where x in (");
    for (int i = 0; i < 5000; i++) wb_buf_printf(&buf, "%d, ", i);
    wb_buf_puts(&buf, "0)");
    CHECK(sql_parse_script(buf.data, buf.len, arena, &script, &err) == 0);
    wb_buf_free(&buf);
}

/* ---- fuzzing: mutate valid statements, parse, never crash ---- */

static const char *const fuzz_tokens[] = {
    "(", ")", ",", ";", ".", "*", "'", "`", "\"", "--", "/*", "*/", "SELECT", "FROM", "WHERE",
    "JOIN", "ON", "AS", "CASE", "WHEN", "END", "NOT", "IN", "BETWEEN", "AND", "OR", "INTERVAL",
    "'5'", "DAY", "TO", "CAST", "OVER", "PARTITION", "BY", "ORDER", "UNION", "WITH", "VALUES",
    "NULL", "1e", "1.", "-", "::", "||", "TIMESTAMP", "DATE", "EXISTS", "LIMIT", "FILTER", "X",
    "PRIMARY", "KEY", "WATERMARK", "FOR", "METADATA", "TRIM", "EXTRACT", "FLOOR", "(SELECT 1)",
    "99999999999999999999999", "12345678901234567890123456789012345678.5",
    "0.000000000000000000000000000000000000001", "DECIMAL(38, 10)", "'1-2'", "YEAR", "SECOND", "'", "\xc3\xa9", "\xff", "\n",
};

static void mutate(WbRand *rng, WbBuf *buf)
{
    int kind = (int)wb_rand_below(rng, 5);
    size_t pos = buf->len ? (size_t)wb_rand_below(rng, buf->len + 1) : 0;
    switch (kind) {
    case 0: { /* delete a run */
        if (!buf->len) break;
        size_t len = 1 + (size_t)wb_rand_below(rng, 8);
        if (pos >= buf->len) pos = buf->len - 1;
        if (pos + len > buf->len) len = buf->len - pos;
        memmove(buf->data + pos, buf->data + pos + len, buf->len - pos - len);
        buf->len -= len;
        break;
    }
    case 1:   /* insert a token */
    case 2: {
        const char *tok = fuzz_tokens[wb_rand_below(rng, WB_ARRAY_LEN(fuzz_tokens))];
        size_t len = strlen(tok);
        wb_buf_reserve(buf, len + 2);
        memmove(buf->data + pos + len + 1, buf->data + pos, buf->len - pos);
        buf->data[pos] = ' ';
        memcpy(buf->data + pos + 1, tok, len);
        buf->len += len + 1;
        break;
    }
    case 3: { /* insert a random byte */
        wb_buf_reserve(buf, 1);
        memmove(buf->data + pos + 1, buf->data + pos, buf->len - pos);
        buf->data[pos] = (char)wb_rand_below(rng, 256);
        buf->len++;
        break;
    }
    default: /* truncate */
        buf->len = pos;
        break;
    }
}

/* The suite runs a few thousand mutations; build with
 * -DPARSER_FUZZ_ITERS=1000000 -DPARSER_FUZZ_SEED=n for a long local run. */
#ifndef PARSER_FUZZ_ITERS
#define PARSER_FUZZ_ITERS 6000
#endif
#ifndef PARSER_FUZZ_SEED
#define PARSER_FUZZ_SEED 20240131
#endif

static void test_fuzz(void)
{
    WbRand rng;
    wb_rand_seed(&rng, PARSER_FUZZ_SEED);
    WbBuf buf = {0}, out = {0};
    int parsed = 0, failed = 0, bad_errors = 0;
    WbArena *fuzz_arena = wb_arena_new(0);
    for (int iter = 0; iter < PARSER_FUZZ_ITERS; iter++) {
        const char *seed = ok_cases[wb_rand_below(&rng, WB_ARRAY_LEN(ok_cases))].sql;
        wb_buf_clear(&buf);
        wb_buf_puts(&buf, seed);
        int nmut = 1 + (int)wb_rand_below(&rng, 4);
        for (int m = 0; m < nmut; m++) mutate(&rng, &buf);
        WbError err;
        SqlScript script;
        int rc = sql_parse_script(buf.data, buf.len, fuzz_arena, &script, &err);
        if (rc == 0) {
            parsed++;
            /* whatever parses must also print */
            for (int32_t i = 0; i < script.count; i++) {
                wb_buf_clear(&out);
                sql_ast_format(script.stmts[i].node, &out);
            }
        } else {
            failed++;
            /* every error is positioned and has a message and a SQLSTATE */
            if (!err.set || err.line < 1 || err.column < 1 || !err.message[0] ||
                strlen(err.sqlstate) != 5)
                bad_errors++;
        }
        wb_arena_reset(fuzz_arena);
    }
    CHECK(parsed > 100);
    CHECK(failed > 1000);
    CHECK(bad_errors == 0);
    wb_arena_free(fuzz_arena);
    wb_buf_free(&buf);
    wb_buf_free(&out);
}

/* A UTF-8 byte order mark opening the script is skipped (scripts saved
 * by Windows editors start with one; it was a syntax error), and columns
 * count from after it. */
static void test_bom(void)
{
    SqlScript script;
    WbError err;
    const char *sql = "\xEF\xBB\xBFselect 1; select #";
    CHECK(sql_parse_script(sql, 3, arena, &script, &err) == 0 && script.count == 0);
    CHECK(sql_parse_script(sql, 12, arena, &script, &err) == 0 && script.count == 1);
    CHECK(sql_parse_script(sql, strlen(sql), arena, &script, &err) == -1);
    CHECK(err.line == 1 && err.column == 18);
}

int main(void)
{
    arena = wb_arena_new(0);
    RUN(test_ok_cases);
    RUN(test_err_cases);
    RUN(test_literals);
    RUN(test_fields);
    RUN(test_depth);
    RUN(test_bom);
    RUN(test_fuzz);
    wb_arena_free(arena);
    return check_done();
}
