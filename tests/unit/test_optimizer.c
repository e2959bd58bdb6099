/*
 * test_optimizer.c - the optimizer's rules, each checked on the plan shape
 * (EXPLAIN text) of a query where it applies and of one where it must not.
 * The results of the same shapes are checked in both modes by
 * tests/sql/optimizer/.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sql/parser.h"
#include "exec/exec.h"
#include "sql/planner.h"

static Catalog *cat;
static WbArena *arena;
static WbError err;
static QueryPlan plan;
static WbBuf text;

static int ddl(const char *sql)
{
    AstNode *node;
    wb_error_clear(&err);
    if (sql_parse_statement(sql, strlen(sql), arena, &node, &err) != 0) return -2;
    return sql_execute_ddl(cat, node, sql, &err);
}

/* Plans sql (streaming, or batch); `text` holds its EXPLAIN. */
static int plan_mode(const char *sql, bool batch)
{
    AstNode *node;
    wb_error_clear(&err);
    wb_buf_clear(&text);
    SqlPlanOptions opts = {NULL, batch, ex_eval_const, false, NULL};
    if (sql_parse_statement(sql, strlen(sql), arena, &node, &err) != 0) return -2;
    if (sql_plan_statement(cat, node, arena, &opts, &plan, &err) != 0) return -1;
    sql_plan_explain(plan.root, &text);
    return 0;
}

static int plan_sql(const char *sql) { return plan_mode(sql, false); }

static int count_of(const char *needle)
{
    int n = 0;
    for (const char *p = wb_buf_cstr(&text); (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

static bool has(const char *needle)
{
    bool found = strstr(wb_buf_cstr(&text), needle) != NULL;
    if (!found) fprintf(stderr, "EXPLAIN lacks \"%s\":\n%s", needle, wb_buf_cstr(&text));
    return found;
}

static bool lacks(const char *needle)
{
    bool found = strstr(wb_buf_cstr(&text), needle) != NULL;
    if (found) fprintf(stderr, "EXPLAIN has \"%s\":\n%s", needle, wb_buf_cstr(&text));
    return !found;
}

/* Whether the line right after one containing `upper` contains `lower`. */
static bool directly_above(const char *upper, const char *lower)
{
    const char *s = wb_buf_cstr(&text);
    for (const char *p = s; (p = strstr(p, upper)) != NULL; p++) {
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        const char *end = strchr(nl + 1, '\n');
        size_t len = end ? (size_t)(end - nl - 1) : strlen(nl + 1);
        char *line = strndup(nl + 1, len);
        bool ok = strstr(line, lower) != NULL;
        free(line);
        if (ok) return true;
    }
    fprintf(stderr, "EXPLAIN has no \"%s\" right above \"%s\":\n%s", upper, lower, s);
    return false;
}

static void setup(void)
{
    cat = sql_catalog_new();
    arena = wb_arena_new(0);
    const char *with = " WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'csv')";
    const char *tables[] = {
        "CREATE TABLE a (k INT, x INT, s STRING, pad STRING)",
        "CREATE TABLE b (k INT, y INT, t STRING, pad STRING)",
        "CREATE TABLE c (k BIGINT, z INT)",
        "CREATE TABLE p (pk INT, pname STRING)",
        "CREATE TABLE s (sk INT, sname STRING)",
        "CREATE TABLE ps (pk INT, sk INT, cost INT)",
    };
    CHECK(ddl("CREATE TABLE big (k INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1000000')") == 0);
    CHECK(ddl("CREATE TABLE tiny (k INT, w INT) WITH ('connector' = 'datagen', 'number-of-rows' = '10')") == 0);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "%s%s", tables[i], with);
        CHECK(ddl(sql) == 0);
    }
}

static void test_comma_join_keys(void)
{
    CHECK(plan_sql("SELECT a.s, b.t FROM a, b WHERE a.k = b.k AND a.x > 1 AND b.y < 2") == 0);
    CHECK(has("Join(type=inner, left=[$0], right=[$0])"));
    CHECK(lacks("Exchange(single)"));
    /* each side's own conjunct filters that side, right above its scan */
    CHECK(directly_above("Calc(filter=($1 > 1)", "Scan(table=a"));
    CHECK(directly_above("Calc(filter=($1 < 2)", "Scan(table=b"));
    /* INT = BIGINT: a computed key column of the common type */
    CHECK(plan_sql("SELECT a.s FROM a, c WHERE a.k = c.k") == 0);
    CHECK(lacks("Exchange(single)"));
    CHECK(has("CAST($0 AS BIGINT)"));
    /* no equality: the condition stays on a key-less join */
    CHECK(plan_sql("SELECT a.s FROM a, b WHERE a.x < b.y") == 0);
    CHECK(has("Join(type=inner, cond=("));
}

static void test_join_order(void)
{
    /* p and s have no condition between them: joined through ps */
    CHECK(plan_sql("SELECT pname, sname FROM p, s, ps WHERE p.pk = ps.pk AND s.sk = ps.sk") == 0);
    CHECK(lacks("Exchange(single)"));
    CHECK(count_of("Join(type=inner, left=") == 2);
    /* a written order without a cross product is kept */
    CHECK(plan_sql("SELECT pname, sname FROM p JOIN ps ON p.pk = ps.pk JOIN s ON s.sk = ps.sk") == 0);
    CHECK(directly_above("Join(type=inner, left=[$0], right=[$0])", "Exchange(hash=[$0])"));
    CHECK(directly_above("Exchange(hash=[$0])", "Scan(table=p"));
    CHECK(lacks("Exchange(single)"));
}

static void test_or_implied_filters(void)
{
    /* an OR over both sides of a join implies a filter for each side */
    CHECK(plan_sql("SELECT a.k FROM a, b WHERE a.k = b.k AND "
                   "((a.s = 'x' AND b.t = 'y') OR (a.s = 'y' AND b.t = 'x'))") == 0);
    CHECK(directly_above("Calc(filter=(($1 = 'x') OR ($1 = 'y'))", "Scan(table=a"));
    CHECK(directly_above("Calc(filter=(($1 = 'y') OR ($1 = 'x'))", "Scan(table=b"));
    CHECK(has("cond=((($1 = 'x') AND ($3 = 'y')) OR (($1 = 'y') AND ($3 = 'x')))"));
    /* a branch without a conjunct of that side implies nothing for it */
    CHECK(plan_sql("SELECT a.k FROM a, b WHERE a.k = b.k AND (a.s = 'x' OR b.t = 'y')") == 0);
    CHECK(lacks("Calc(filter="));
}

static void test_outer_joins(void)
{
    /* a comparison on the padded side: LEFT becomes INNER */
    CHECK(plan_sql("SELECT a.s, b.t FROM a LEFT JOIN b ON a.k = b.k WHERE b.y > 1") == 0);
    CHECK(has("Join(type=inner"));
    CHECK(lacks("Join(type=left"));
    /* IS NULL is TRUE on padded rows: stays LEFT, the filter above it */
    CHECK(plan_sql("SELECT a.s FROM a LEFT JOIN b ON a.k = b.k WHERE b.k IS NULL") == 0);
    CHECK(has("Join(type=left"));
    CHECK(has("IS NULL"));
    CHECK(lacks("Scan(table=b, connector=filesystem, format=csv) [insert-only]\n"
                "      Calc(filter=($0 IS NULL"));
    /* an ON conjunct over the preserved side stays in the condition;
     * one over the padded side filters that side */
    CHECK(plan_sql("SELECT a.s, b.t FROM a LEFT JOIN b ON a.k = b.k AND a.x > 1 AND b.y > 2") == 0);
    CHECK(has("Join(type=left, left=[$0], right=[$0], cond=("));
    CHECK(directly_above("Calc(filter=($1 > 2)", "Scan(table=b"));
    CHECK(lacks("Calc(filter=($1 > 1)"));
    /* FULL with a WHERE on the left side keeps the left rows only: LEFT */
    CHECK(plan_sql("SELECT a.s, b.t FROM a FULL JOIN b ON a.k = b.k WHERE a.x > 1") == 0);
    CHECK(has("Join(type=left"));
    CHECK(directly_above("Calc(filter=($1 > 1)", "Scan(table=a"));
    /* NOT EXISTS: an outer-only conjunct must not filter the left side */
    CHECK(plan_sql("SELECT a.s FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND a.x > 1)") == 0);
    CHECK(has("Join(type=anti"));
    CHECK(lacks("Calc(filter=($1 > 1)"));
}

static void test_aggregate_rank_union(void)
{
    /* HAVING on a grouping column goes below the aggregate */
    CHECK(plan_sql("SELECT s, COUNT(*) FROM a GROUP BY s HAVING s <> 'x' AND COUNT(*) > 1") == 0);
    CHECK(directly_above("Calc(filter=($0 <> 'x')", "Scan(table=a, connector=filesystem, format=csv, read=[$2], filter=($0 <> 'x'))"));
    CHECK(has("Calc(filter=($1 > 1)"));   /* the CAST of the constant folded */
    /* a filter over a global aggregate stays above it */
    CHECK(plan_sql("SELECT n FROM (SELECT COUNT(*) AS n FROM a) WHERE n = 0") == 0);
    CHECK(directly_above("Calc(filter=", "Agg(group=[]"));
    /* rank: the partition column goes below, another column stays above */
    CHECK(plan_sql("SELECT s, x FROM (SELECT s, x, ROW_NUMBER() OVER (PARTITION BY s ORDER BY x) AS rn "
                   "FROM a) WHERE s = 'q' AND x > 3 AND rn <= 2") == 0);
    CHECK(directly_above("Calc(filter=($1 = 'q')", "Scan(table=a, connector=filesystem, format=csv, read=[$1, $2], filter=($1 = 'q'))"));
    CHECK(directly_above("Calc(filter=(($0 > 3)", "Rank("));
    /* union: into every branch */
    CHECK(plan_sql("SELECT k FROM (SELECT k, x FROM a UNION ALL SELECT k, y FROM b) WHERE x > 7") == 0);
    CHECK(directly_above("Calc(filter=($1 > 7)", "Scan(table=a"));
    CHECK(directly_above("Calc(filter=($1 > 7)", "Scan(table=b"));
}

static void test_pruning(void)
{
    /* the join's inputs carry only keys and shown columns: no pad */
    CHECK(plan_sql("SELECT a.s, b.t FROM a JOIN b ON a.k = b.k") == 0);
    CHECK(directly_above("Exchange(hash=[$0])", "Scan(table=a, connector=filesystem, format=csv, read=[$0, $2])"));
    CHECK(directly_above("Exchange(hash=[$0])", "Scan(table=b, connector=filesystem, format=csv, read=[$0, $2])"));
    /* a rank keeps its partition, order and shown columns only */
    CHECK(plan_sql("SELECT s FROM (SELECT s, x, pad, ROW_NUMBER() OVER (PARTITION BY s ORDER BY x) AS rn "
                   "FROM a) WHERE rn <= 2") == 0);
    CHECK(directly_above("Exchange(hash=[$1])", "Scan(table=a, connector=filesystem, format=csv, read=[$1, $2])"));
    /* an aggregate call nobody reads is gone */
    CHECK(plan_sql("SELECT s FROM (SELECT s, SUM(x) AS sx, MAX(pad) AS mp FROM a GROUP BY s)") == 0);
    CHECK(has("Agg(group=[$0], aggs=[])"));
}

static void test_shared_subplans(void)
{
    /* a CTE read twice is one aggregate feeding both readers */
    CHECK(plan_sql("WITH c AS (SELECT k, SUM(x) AS sx FROM a GROUP BY k) "
                   "SELECT k FROM c WHERE sx = (SELECT MAX(sx) FROM c)") == 0);
    CHECK(count_of("Scan(table=a") == 1);
    CHECK(count_of("Agg(group=[$0], aggs=[SUM($1)])") == 1);
    CHECK(has("(shared, shown above)"));
    /* a stateless chain is not shared: each reader scans and filters
     * (in batch mode a join reads its build side to the end first) */
    CHECK(plan_sql("WITH c AS (SELECT k, x FROM a) "
                   "SELECT c1.k FROM c c1, c c2 WHERE c1.k = c2.k AND c1.x > 1 AND c2.x < 0") == 0);
    CHECK(count_of("Scan(table=a") == 2);
    CHECK(has("Calc(filter=($1 > 1)"));
    CHECK(has("Calc(filter=($1 < 0)"));
}

static void test_constant_folding(void)
{
    CHECK(plan_sql("SELECT k FROM a WHERE x <= 100 - 10 * 2 AND 1 = 1 AND s = UPPER('q')") == 0);
    CHECK(has("Calc(filter=(($1 <= 80) AND ($2 = 'Q'))"));
    /* a constant FALSE conjunct makes the whole filter FALSE */
    CHECK(plan_sql("SELECT k FROM a WHERE x > 1 AND 2 < 1") == 0);
    CHECK(has("filter=FALSE"));
    /* OR with a TRUE constant: no filter at all */
    CHECK(plan_sql("SELECT k FROM a WHERE x > 1 OR 1 < 2") == 0);
    CHECK(lacks("filter="));
    /* a conjunct in every branch of an OR is factored out: here the join
     * key of a comma join (TPC-H Q19) */
    CHECK(plan_sql("SELECT a.s FROM a, b WHERE (a.k = b.k AND a.x = 1) OR (a.k = b.k AND b.y = 2)") == 0);
    CHECK(has("Join(type=inner, left=[$0], right=[$0], cond=((") && lacks("Exchange(single)"));
    /* absorption: (A) OR (A AND B) is A */
    CHECK(plan_sql("SELECT k FROM a WHERE x = 1 OR (x = 1 AND s = 'q')") == 0);
    CHECK(has("Calc(filter=($1 = 1)"));
    /* a call that fails is left for run time (where no row may reach it) */
    CHECK(plan_sql("SELECT k FROM a WHERE x > 1 / 0") == 0);
    CHECK(has("(1 / 0)"));
}

static void test_semi_joins(void)
{
    /* IN over big's keys, on a join with a larger input: the semi join
     * goes below the join, onto tiny */
    CHECK(ddl("CREATE TABLE huge (k INT, z INT) WITH ('connector' = 'datagen', 'number-of-rows' = '100000000')") == 0);
    CHECK(plan_mode("SELECT tiny.w, huge.z FROM tiny JOIN huge ON tiny.k = huge.k "
                    "WHERE tiny.w IN (SELECT v FROM big)", true) == 0);
    CHECK(directly_above("Exchange(hash=[$0])", "Join(type=semi, left=[$1], right=[$0]"));
    CHECK(count_of("Join(type=inner, left=[$0], right=[$0])") == 1);
    /* ... but not below a join that shrinks its input */
    CHECK(plan_mode("SELECT huge.z FROM huge JOIN tiny ON tiny.k = huge.k "
                    "WHERE huge.z IN (SELECT v FROM big)", true) == 0);
    CHECK(has("Join(type=semi") && strstr(wb_buf_cstr(&text), "Join(type=semi") <
                                       strstr(wb_buf_cstr(&text), "Join(type=inner"));
    /* batch: a SEMI join whose right side is the smaller reads it first */
    CHECK(plan_mode("SELECT k FROM big WHERE k IN (SELECT k FROM tiny)", true) == 0);
    CHECK(has("Join(type=semi, left=[$0], right=[$0], right first)"));
    CHECK(plan_mode("SELECT k FROM tiny WHERE k IN (SELECT k FROM big)", true) == 0);
    CHECK(lacks("right first"));
    CHECK(plan_mode("SELECT k FROM big WHERE k IN (SELECT k FROM tiny)", false) == 0);
    CHECK(lacks("right first"));
}

static void test_batch_build_side(void)
{
    /* batch: the smaller input goes left (read first, the hash table) */
    CHECK(plan_mode("SELECT big.v, tiny.w FROM big JOIN tiny ON big.k = tiny.k", true) == 0);
    CHECK(directly_above("Join(type=inner, left=[$0], right=[$0])", "Exchange(hash=[$0])"));
    CHECK(strstr(wb_buf_cstr(&text), "Scan(table=tiny") < strstr(wb_buf_cstr(&text), "Scan(table=big"));
    CHECK(has("Calc(exprs=[$3, $1])"));   /* big.v, tiny.w in the written order */
    /* streaming keeps the written order */
    CHECK(plan_mode("SELECT big.v, tiny.w FROM big JOIN tiny ON big.k = tiny.k", false) == 0);
    CHECK(strstr(wb_buf_cstr(&text), "Scan(table=big") < strstr(wb_buf_cstr(&text), "Scan(table=tiny"));
    /* batch: an aggregate and a top-N emit final rows only: insert-only */
    CHECK(plan_mode("SELECT k, s FROM (SELECT k, SUM(v) AS s FROM big GROUP BY k) ORDER BY s DESC LIMIT 3",
                    true) == 0);
    CHECK(has("Agg(group=[$0], aggs=[SUM($1)]) [insert-only]"));
    CHECK(has("Rank(partition=[], order=[$1 DESC], limit=3) [insert-only]"));
    CHECK(plan_mode("SELECT k, s FROM (SELECT k, SUM(v) AS s FROM big GROUP BY k) ORDER BY s DESC LIMIT 3",
                    false) == 0);
    CHECK(has("Agg(group=[$0], aggs=[SUM($1)]) [upsert key=[0]]"));
    /* an outer join keeps its sides */
    CHECK(plan_mode("SELECT big.v, tiny.w FROM big LEFT JOIN tiny ON big.k = tiny.k", true) == 0);
    CHECK(strstr(wb_buf_cstr(&text), "Scan(table=big") < strstr(wb_buf_cstr(&text), "Scan(table=tiny"));
}

/* The watermark assigner moves into the scan, below the computed columns
 * and the filters; a shared scan keeps its assigner node. */
static void test_watermark_push_down(void)
{
    CHECK(ddl("CREATE TABLE ev (ts TIMESTAMP(3), v INT, d AS v * 2, "
              "WATERMARK FOR ts AS ts - INTERVAL '1' MINUTE) WITH ('connector' = 'filesystem', "
              "'path' = '/nonexistent', 'format' = 'csv')") == 0);
    CHECK(ddl("CREATE TABLE evc (s STRING, v INT, ts AS TO_TIMESTAMP(s), "
              "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', "
              "'path' = '/nonexistent', 'format' = 'csv', 'scan.watermark.idle-timeout' = '10 s')") == 0);
    CHECK(plan_sql("SELECT window_start, SUM(d) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), "
                   "INTERVAL '1' HOUR)) WHERE v > 3 GROUP BY window_start, window_end") == 0);
    CHECK(lacks("WatermarkAssigner"));
    CHECK(has("watermark=[rowtime=$0, ($0 - +0 00:01:00.000)]"));
    /* the filter reached the scan */
    CHECK(directly_above("Calc(filter=($1 > 3)", "Scan(table=ev"));
    /* a computed rowtime: evaluated at the source too */
    CHECK(plan_sql("SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE evc, DESCRIPTOR(ts), "
                   "INTERVAL '1' MINUTE)) GROUP BY window_start, window_end") == 0);
    CHECK(lacks("WatermarkAssigner"));
    CHECK(has("watermark=[rowtime=TO_TIMESTAMP($0), (TO_TIMESTAMP($0) - +0 00:00:05.000), "
              "idle-timeout=10000ms]"));
    /* batch mode plans the same; the assigner passes rows through there */
    CHECK(plan_mode("SELECT COUNT(*) FROM ev WHERE v > 1", true) == 0);
    CHECK(lacks("WatermarkAssigner"));
}

int main(void)
{
    setup();
    RUN(test_comma_join_keys);
    RUN(test_join_order);
    RUN(test_outer_joins);
    RUN(test_or_implied_filters);
    RUN(test_aggregate_rank_union);
    RUN(test_pruning);
    RUN(test_shared_subplans);
    RUN(test_batch_build_side);
    RUN(test_semi_joins);
    RUN(test_constant_folding);
    RUN(test_watermark_push_down);
    wb_buf_free(&text);
    wb_arena_free(arena);
    sql_catalog_free(cat);
    return check_done();
}
