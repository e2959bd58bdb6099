/*
 * test_output.c - the session's result collector (src/session/result.c)
 * and the CLI's printer over it (src/cli/output.c), both compiled into this
 * test to reach their static helpers: the direct path (batch
 * mode, insert-only plan, no ORDER BY) against the consolidating one on the
 * same rows, csv quoting (NULL empty, "" for the empty string), the table
 * layout, ORDER BY over a hidden column, output larger than one write, and
 * the internal errors for impossible changelogs.
 */
#include "check.h"

#include "session/result.c"
#include "cli/output.c"

static const SqlType col_types[3] = {{TY_BIGINT, 1, -1, 0, 0, 0}, {TY_STRING, 1, -1, 0, 0, 0},
                                     {TY_DECIMAL, 1, 10, 2, 0, 0}};
static char *col_names[3] = {"id", "s", "amount"};

/* A root node of the given kind and mode over (id BIGINT, s STRING,
 * amount DECIMAL(10,2)); a retracting SCAN makes the printer consolidate. */
static QueryPlan make_plan(PlanNode *root, PlanKind kind, ChangelogMode mode)
{
    memset(root, 0, sizeof *root);
    root->kind = kind;
    root->ncols = 3;
    root->types = (SqlType *)col_types;
    root->names = col_names;
    root->mode = mode;
    QueryPlan plan;
    memset(&plan, 0, sizeof plan);
    plan.root = root;
    plan.limit = -1;
    return plan;
}

typedef struct Row {
    int64_t id;                  /* INT64_MIN = NULL */
    const char *s;               /* NULL = NULL */
    int64_t amount;              /* scaled by 100 */
    int64_t weight;
} Row;

static Batch *make_batch(const Row *rows, int32_t n)
{
    Batch *b = ty_batch_new(col_types, 3, n ? n : 1);
    for (int32_t r = 0; r < n; r++) {
        b->cols[0].nulls[r] = rows[r].id == INT64_MIN;
        b->cols[0].i64[r] = rows[r].id;
        b->cols[1].nulls[r] = rows[r].s == NULL;
        if (rows[r].s) b->cols[1].str[r] = ty_batch_str(b, rows[r].s, (uint32_t)strlen(rows[r].s));
        b->cols[2].nulls[r] = 0;
        b->cols[2].i64[r] = rows[r].amount;
        b->weights[r] = rows[r].weight;
    }
    b->nrows = n;
    return b;
}

/* Runs the printer over the batches; returns its output (malloc'ed) and
 * the result of finish (or of the first failing batch). */
static char *print_rows(const QueryPlan *plan, OutputFormat format, bool streaming,
                        const Row *const *batches, const int32_t *sizes, int32_t nbatches,
                        int *rc, WbError *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ResultCollector *c = out_collector_new(plan, format, streaming, out);
    wb_error_clear(err);
    *rc = 0;
    for (int32_t i = 0; i < nbatches && *rc == 0; i++) {
        Batch *b = make_batch(batches[i], sizes[i]);
        *rc = out_collector_batch(c, b, err);
        ty_batch_free(b);
    }
    if (*rc == 0) *rc = out_collector_finish(c, err);
    out_collector_free(c);
    fclose(out);
    return text;
}

static const Row rows_a[] = {
    {1, "a", 1050, 1},
    {INT64_MIN, "", -5, 1},
    {2, "x,y", 0, 2},
};
static const Row rows_b[] = {
    {3, NULL, 123456, 1},
    {4, "say \"hi\"", 99, 1},
};

static void test_direct_csv(void)
{
    PlanNode root;
    QueryPlan plan = make_plan(&root, PN_AGG, CM_UPSERT);
    const Row *batches[2] = {rows_a, rows_b};
    int32_t sizes[2] = {3, 2};
    WbError err;
    int rc;
    char *text = print_rows(&plan, OUT_CSV, false, batches, sizes, 2, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, "id,s,amount\n"
                    "1,a,10.50\n"
                    ",\"\",-0.05\n"
                    "2,\"x,y\",0.00\n"
                    "2,\"x,y\",0.00\n"
                    "3,,1234.56\n"
                    "4,\"say \"\"hi\"\"\",0.99\n");
    free(text);

    /* the same rows consolidated: the same lines (here also the same order) */
    PlanNode scan;
    QueryPlan cplan = make_plan(&scan, PN_SCAN, CM_RETRACT);
    char *ctext = print_rows(&cplan, OUT_CSV, false, batches, sizes, 2, &rc, &err);
    text = print_rows(&plan, OUT_CSV, false, batches, sizes, 2, &rc, &err);
    CHECK_STR(ctext, text);
    free(ctext);
    free(text);

    /* no rows: the header alone */
    text = print_rows(&plan, OUT_CSV, false, batches, sizes, 0, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, "id,s,amount\n");
    free(text);
}

static void test_table(void)
{
    PlanNode root, scan;
    QueryPlan plan = make_plan(&root, PN_AGG, CM_UPSERT);
    QueryPlan cplan = make_plan(&scan, PN_SCAN, CM_RETRACT);
    const Row *batches[2] = {rows_a, rows_b};
    int32_t sizes[2] = {3, 2};
    WbError err;
    int rc;
    char *direct = print_rows(&plan, OUT_TABLE, false, batches, sizes, 2, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(direct, "+--------+----------+---------+\n"
                      "|     id | s        |  amount |\n"
                      "+--------+----------+---------+\n"
                      "|      1 | a        |   10.50 |\n"
                      "| <NULL> |          |   -0.05 |\n"
                      "|      2 | x,y      |    0.00 |\n"
                      "|      2 | x,y      |    0.00 |\n"
                      "|      3 | <NULL>   | 1234.56 |\n"
                      "|      4 | say \"hi\" |    0.99 |\n"
                      "+--------+----------+---------+\n"
                      "6 rows in set\n");
    char *consolidated = print_rows(&cplan, OUT_TABLE, false, batches, sizes, 2, &rc, &err);
    CHECK_STR(consolidated, direct);
    free(direct);
    free(consolidated);
    char *empty = print_rows(&plan, OUT_TABLE, false, batches, sizes, 0, &rc, &err);
    CHECK_STR(empty, "+----+---+--------+\n"
                     "| id | s | amount |\n"
                     "+----+---+--------+\n"
                     "0 rows in set\n");
    free(empty);
}

/* Display widths and escapes: wide characters take two columns, a
 * combining mark none, newlines/tabs/controls and bytes that are not UTF-8
 * are escaped so a row stays one line; headers are measured the same way
 * and aligned as their column. */
static void test_table_widths_and_escapes(void)
{
    PlanNode root;
    QueryPlan plan = make_plan(&root, PN_AGG, CM_UPSERT);
    const Row rows[] = {
        {1, "日本", 100, 1},
        {22, "e\xcc\x81t\xc3\xa9", 5, 1},          /* é as e + U+0301, then é: 3 columns */
        {3, "a\nb\tc\rd", 0, 1},
        {4, "\x01\x7f\xc2\x85\xe2\x80\xa8", 0, 1},   /* SOH, DEL, NEL, LINE SEPARATOR */
        {5, "bad\xff\xc3", 0, 1},
    };
    const Row *batches[1] = {rows};
    int32_t sizes[1] = {5};
    WbError err;
    int rc;
    char *text = print_rows(&plan, OUT_TABLE, false, batches, sizes, 1, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, "+----+--------------------------+--------+\n"
                    "| id | s                        | amount |\n"
                    "+----+--------------------------+--------+\n"
                    "|  1 | 日本                     |   1.00 |\n"
                    "| 22 | e\xcc\x81t\xc3\xa9                      |   0.05 |\n"
                    "|  3 | a\\nb\\tc\\rd               |   0.00 |\n"
                    "|  4 | \\u0001\\u007f\\u0085\\u2028 |   0.00 |\n"
                    "|  5 | bad\\xff\\xc3              |   0.00 |\n"
                    "+----+--------------------------+--------+\n"
                    "5 rows in set\n");
    free(text);

    /* headers: a wide name widens its column by its display width */
    const char *header[2] = {"名前", "n\tx"};
    const char *cells[4] = {"ab", "1", "全角ｶﾅ", NULL};
    char *out_text = NULL;
    size_t out_len = 0;
    FILE *out = open_memstream(&out_text, &out_len);
    out_print_strings(out, OUT_TABLE, 2, header, 2, cells);
    fclose(out);
    CHECK_STR(out_text, "+--------+--------+\n"
                        "| 名前   | n\\tx   |\n"
                        "+--------+--------+\n"
                        "| ab     | 1      |\n"
                        "| 全角ｶﾅ | <NULL> |\n"
                        "+--------+--------+\n"
                        "2 rows in set\n");
    free(out_text);
}

/* Random cells (many scripts, controls, garbage bytes): every line of the
 * table, header and rows, is exactly as wide as its border, so no value
 * broke a line or was padded by bytes instead of columns. */
static void test_table_random_cells_align(void)
{
    static const char *const pieces[] = {"a", "7", " ", "日本", "é", "e\xcc\x81", "\n", "\t",
                                         "\x01", "\x7f", "\xc2\x85", "\xff", "\xe2\x80",
                                         "ｶ", "\xf0\x9f\x98\x80", "\xe2\x80\x8b", "\\"};
    WbRand rng;
    wb_rand_seed(&rng, 11);
    int aligned = 0, tables = 200;
    for (int t = 0; t < tables; t++) {
        char *cells[12], *header[3];
        for (int i = 0; i < 15; i++) {
            WbBuf cell = {0};
            int n = (int)wb_rand_below(&rng, 6);
            for (int k = 0; k < n; k++) wb_buf_puts(&cell, pieces[wb_rand_below(&rng, WB_ARRAY_LEN(pieces))]);
            char *text = wb_strdup(wb_buf_cstr(&cell));
            wb_buf_free(&cell);
            if (i < 12) cells[i] = text;
            else header[i - 12] = text;
        }
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        out_print_strings(out, OUT_TABLE, 3, (const char *const *)header, 4,
                          (const char *const *)cells);
        fclose(out);
        size_t border = strchr(text, '\n') - text, lines = 0, same = 0;
        for (char *line = text; *line && strncmp(line, "4 rows", 6) != 0; lines++) {
            char *nl = strchr(line, '\n');
            same += wb_utf8_width(line, (size_t)(nl - line)) == border;
            line = nl + 1;
        }
        aligned += lines == 8 && same == lines;
        free(text);
        for (int i = 0; i < 12; i++) free(cells[i]);
        for (int i = 0; i < 3; i++) free(header[i]);
    }
    CHECK(aligned == tables);
}

/* ORDER BY amount DESC with amount hidden (nvisible = 2); consolidation
 * removes a retracted row and merges an update. */
static void test_order_by_hidden(void)
{
    PlanNode scan;
    QueryPlan plan = make_plan(&scan, PN_SCAN, CM_RETRACT);
    SortKey key = {2, true, false};
    plan.norder = 1;
    plan.order = &key;
    plan.nvisible = 2;
    const Row first[] = {{1, "low", 100, 1}, {2, "high", 900, 1}, {3, "gone", 500, 1}};
    const Row second[] = {{3, "gone", 500, -1}, {1, "low", 100, -1}, {1, "mid", 400, 1}};
    const Row *batches[2] = {first, second};
    int32_t sizes[2] = {3, 3};
    WbError err;
    int rc;
    char *text = print_rows(&plan, OUT_CSV, false, batches, sizes, 2, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, "id,s\n2,high\n1,mid\n");
    free(text);
    /* over an aggregate in batch mode the rows are kept as they come and
     * sorted at the end: NULLs last for DESC, ties in arrival order, a row
     * of weight 2 twice; the table agrees with the consolidated one */
    PlanNode agg;
    QueryPlan aplan = make_plan(&agg, PN_AGG, CM_UPSERT);
    aplan.norder = 1;
    aplan.order = &key;
    const Row one[] = {{1, "low", 100, 1}, {2, "high", 900, 1}, {3, "gone", 500, 1}};
    const Row two[] = {{4, "tie", 500, 2}, {INT64_MIN, NULL, 900, 1}, {5, "b", 100, 1}};
    const Row *both[2] = {one, two};
    text = print_rows(&aplan, OUT_CSV, false, both, sizes, 2, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, "id,s,amount\n2,high,9.00\n,,9.00\n3,gone,5.00\n4,tie,5.00\n4,tie,5.00\n"
                    "1,low,1.00\n5,b,1.00\n");
    free(text);
    SortKey by_id = {0, false, true};   /* ASC NULLS FIRST */
    aplan.order = &by_id;
    text = print_rows(&aplan, OUT_TABLE, false, both, sizes, 2, &rc, &err);
    PlanNode scan2;
    QueryPlan cplan = make_plan(&scan2, PN_SCAN, CM_RETRACT);
    cplan.norder = 1;
    cplan.order = &by_id;
    char *ctext = print_rows(&cplan, OUT_TABLE, false, both, sizes, 2, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, ctext);
    CHECK(strncmp(strstr(text, "| <NULL>"), "| <NULL> | <NULL>", 17) == 0);
    free(text);
    free(ctext);
}

static void test_errors(void)
{
    PlanNode root, scan;
    QueryPlan plan = make_plan(&root, PN_AGG, CM_UPSERT);
    const Row retract[] = {{1, "a", 1, 1}, {1, "a", 1, -1}};
    const Row *batches[1] = {retract};
    int32_t sizes[1] = {2};
    WbError err;
    int rc;
    char *text = print_rows(&plan, OUT_CSV, false, batches, sizes, 1, &rc, &err);
    CHECK(rc == -1 && strcmp(err.sqlstate, WB_SQLSTATE_INTERNAL) == 0);
    free(text);
    QueryPlan cplan = make_plan(&scan, PN_SCAN, CM_RETRACT);
    const Row negative[] = {{1, "a", 1, -1}};
    batches[0] = negative;
    sizes[0] = 1;
    text = print_rows(&cplan, OUT_CSV, false, batches, sizes, 1, &rc, &err);
    CHECK(rc == -1 && strcmp(err.sqlstate, WB_SQLSTATE_INTERNAL) == 0);
    CHECK(strstr(err.message, "retracted more often") != NULL);
    free(text);
    /* streaming is never direct, even over an aggregate */
    batches[0] = retract;
    sizes[0] = 2;
    text = print_rows(&plan, OUT_CSV, true, batches, sizes, 1, &rc, &err);
    CHECK(rc == 0);
    CHECK_STR(text, "id,s,amount\n");
    free(text);
}

/* More than one write's worth (256 KiB) of rows, direct and consolidated:
 * every line once, in arrival order. */
static void test_large(void)
{
    enum { N = 30000, PER = 1000 };
    Row *rows = wb_calloc(N, sizeof(Row));
    const Row *batches[N / PER];
    int32_t sizes[N / PER];
    for (int32_t i = 0; i < N; i++) {
        rows[i].id = (int64_t)i * 1000003;
        rows[i].s = "some text to make the lines longer";
        rows[i].amount = -i;
        rows[i].weight = 1;
    }
    for (int32_t b = 0; b < N / PER; b++) {
        batches[b] = rows + b * PER;
        sizes[b] = PER;
    }
    WbBuf want = {0};
    wb_buf_puts(&want, "id,s,amount\n");
    for (int32_t i = 0; i < N; i++) {
        int64_t mag = i;
        wb_buf_printf(&want, "%lld,%s,%s%lld.%02lld\n", (long long)rows[i].id, rows[i].s,
                      i ? "-" : "", (long long)(mag / 100), (long long)(mag % 100));
    }
    PlanNode root, scan;
    QueryPlan plan = make_plan(&root, PN_AGG, CM_UPSERT);
    QueryPlan cplan = make_plan(&scan, PN_SCAN, CM_RETRACT);
    WbError err;
    int rc;
    char *text = print_rows(&plan, OUT_CSV, false, batches, sizes, N / PER, &rc, &err);
    CHECK(rc == 0 && strlen(text) > 256 * 1024);
    CHECK(strcmp(text, wb_buf_cstr(&want)) == 0);
    free(text);
    text = print_rows(&cplan, OUT_CSV, false, batches, sizes, N / PER, &rc, &err);
    CHECK(rc == 0 && strcmp(text, wb_buf_cstr(&want)) == 0);
    free(text);
    wb_buf_free(&want);
    free(rows);
}

/* Which plans print directly in batch mode. */
static void test_insert_only_plans(void)
{
    PlanNode scan_csv, scan_cdc, agg, calc, join, join_left;
    memset(&scan_csv, 0, sizeof scan_csv);
    scan_csv.kind = PN_SCAN;
    scan_csv.mode = CM_INSERT_ONLY;
    scan_cdc = scan_csv;
    scan_cdc.mode = CM_RETRACT;
    PlanNode *in_cdc[1] = {&scan_cdc}, *in_csv[1] = {&scan_csv};
    memset(&agg, 0, sizeof agg);
    agg.kind = PN_AGG;
    agg.mode = CM_UPSERT;
    agg.ninputs = 1;
    agg.inputs = in_cdc;
    memset(&calc, 0, sizeof calc);
    calc.kind = PN_CALC;
    calc.mode = CM_UPSERT;
    calc.ninputs = 1;
    PlanNode *in_agg[1] = {&agg};
    calc.inputs = in_agg;
    CHECK(batch_insert_only(&scan_csv));
    CHECK(!batch_insert_only(&scan_cdc));
    CHECK(batch_insert_only(&agg));       /* final rows only, whatever its input */
    CHECK(batch_insert_only(&calc));
    calc.inputs = in_cdc;
    CHECK(!batch_insert_only(&calc));
    PlanNode *pair[2] = {&agg, &scan_csv};
    memset(&join, 0, sizeof join);
    join.kind = PN_JOIN;
    join.mode = CM_RETRACT;
    join.ninputs = 2;
    join.inputs = pair;
    join.join.type = JT_INNER;
    CHECK(batch_insert_only(&join));
    join_left = join;
    join_left.join.type = JT_LEFT;       /* batch mode: padded rows at the end only */
    CHECK(batch_insert_only(&join_left));
    PlanNode *cdc_pair[2] = {&agg, &scan_cdc};
    join_left.inputs = cdc_pair;         /* a changelog input still retracts */
    CHECK(!batch_insert_only(&join_left));
    (void)in_csv;
}

/* The radix path of sort_final against plain qsort with the comparator,
 * on random rows with NULLs, duplicates and every kind of key. */
static void test_sort_final(void)
{
    uint64_t seed = 12345;
    int bad = 0;
    for (int iter = 0; iter < 300; iter++) {
        size_t n = 1 + (size_t)(iter * 37 % 3000);
        Batch *b = ty_batch_new(col_types, 3, (int32_t)n);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint64_t r = seed >> 11;
            int64_t range = iter % 3 == 0 ? 5 : iter % 3 == 1 ? 1000 : INT64_MAX;
            b->cols[0].nulls[i] = r % 7 == 0;
            b->cols[0].i64[i] = (int64_t)(r % (uint64_t)range) - (r & 1 ? range / 2 : 0);
            b->cols[1].nulls[i] = r % 5 == 0;
            char text[2] = {(char)('a' + (r >> 8) % 3), 0};
            b->cols[1].str[i] = ty_batch_str(b, text, 1);
            b->cols[2].nulls[i] = (r >> 12) % 9 == 0;
            b->cols[2].i64[i] = (int64_t)((r >> 16) % 4) - 2;
            b->weights[i] = 1;
        }
        b->nrows = (int32_t)n;
        SortKey keys[3];
        int32_t nkeys = 1 + iter % 3;
        for (int32_t k = 0; k < nkeys; k++) {
            keys[k].col = (int32_t)((iter / 3 + k * 2) % 3);
            keys[k].desc = (iter >> k) & 1;
            keys[k].nulls_first = (iter >> (k + 3)) & 1;
        }
        if (iter % 4 == 0) keys[0].col = iter % 8 == 0 ? 0 : 2;   /* int64-backed first key */
        QueryPlan plan;
        memset(&plan, 0, sizeof plan);
        plan.norder = nkeys;
        plan.order = keys;
        FinalRow *want = wb_calloc(n, sizeof(FinalRow));
        FinalRow *got = wb_calloc(n, sizeof(FinalRow));
        for (size_t i = 0; i < n; i++) {
            want[i].first_seen = (int64_t)i;
            want[i].weight = 1;
            want[i].batch = b;
            want[i].row = (int32_t)i;
        }
        /* the consolidated path hands rows over in table order: reverse */
        for (size_t i = 0; i < n; i++) got[i] = want[n - 1 - i];
        sort_plan = &plan;
        qsort(want, n, sizeof(FinalRow), compare_final);
        sort_final(&plan, got, n, false, (int64_t)n);
        for (size_t i = 0; i < n; i++)
            if (got[i].row != want[i].row) {
                bad++;
                break;
            }
        free(want);
        free(got);
        ty_batch_free(b);
    }
    CHECK(bad == 0);
}

/* ---- the flat path against the general one ---- */

/* What a run of the collector did, read before it is freed. */
typedef struct PathSeen {
    bool flat;                   /* consolidated in a FlatTable */
    int32_t nhash;               /* columns hashed (flat) */
    uint64_t capacity;           /* flat: slots at the end */
    int64_t tombstones;          /* flat: at the end */
} PathSeen;

/* Runs the collector over ready batches, on the general path when
 * general_only; returns the output (malloc'ed). */
static char *collect(const QueryPlan *plan, OutputFormat format, bool streaming,
                     Batch *const *batches, int32_t nbatches, bool general_only, int *rc,
                     WbError *err, PathSeen *seen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ResultCollector *c = collector_new(plan, format, streaming, out, general_only);
    wb_error_clear(err);
    *rc = 0;
    for (int32_t i = 0; i < nbatches && *rc == 0; i++) *rc = out_collector_batch(c, batches[i], err);
    SesResultPath path;
    ses_result_path(c->res, &path);
    memset(seen, 0, sizeof *seen);
    seen->flat = path.flat;
    seen->nhash = path.nhash;
    seen->capacity = path.capacity;
    seen->tombstones = path.tombstones;
    if (*rc == 0) *rc = out_collector_finish(c, err);
    out_collector_free(c);
    fclose(out);
    return text;
}

/* int64-backed types for the random rows */
static const SqlType flat_types[6] = {
    {TY_BIGINT, 1, -1, 0, 0, 0}, {TY_DECIMAL, 1, 10, 2, 0, 0}, {TY_DATE, 1, -1, 0, 0, 0},
    {TY_BOOLEAN, 1, -1, 0, 0, 0}, {TY_TIMESTAMP, 1, 3, 0, 0, 0}, {TY_INT, 1, -1, 0, 0, 0},
};
static char *flat_names[6] = {"k", "amount", "day", "flag", "at", "n"};

/* A random value of column col, from a domain of about `spread` values. */
static int64_t random_value(WbRand *rng, int32_t col, int64_t spread)
{
    int64_t r = (int64_t)wb_rand_below(rng, (uint64_t)spread);
    switch (flat_types[col].id) {
    case TY_BOOLEAN: return r & 1;
    case TY_DATE: return r * 37 - 1000;                  /* days around 1970 */
    case TY_TIMESTAMP: return r * 86399999 + 1000;        /* microseconds */
    case TY_INT: return r - spread / 2;
    case TY_DECIMAL: return r * 101 - 5000;
    default:
        if (wb_rand_below(rng, 50) == 0) return wb_rand_below(rng, 2) ? INT64_MAX : INT64_MIN;
        return r * 1000003 - spread;
    }
}

/* A random row: NULLs (any non-zero NULL byte, over a garbage value), and
 * duplicates through small domains. */
static void random_row(WbRand *rng, int32_t ncols, int64_t spread, int64_t *vals, uint8_t *nulls)
{
    for (int32_t col = 0; col < ncols; col++) {
        bool null = wb_rand_below(rng, 8) == 0;
        nulls[col] = null ? (uint8_t)(1 + wb_rand_below(rng, 255)) : 0;
        vals[col] = null ? (int64_t)wb_rand_next(rng) : random_value(rng, col, spread);
    }
}

/* A changelog of `nchanges` changes in batches of random sizes.  kind 0:
 * rows from a pool, inserted with weights 1 to 3, retracted by part or all
 * of their weight (rows go to 0 and come back), weight 0 now and then;
 * kind 1: an upsert stream keyed by column 0 (an update retracts the key's
 * row and inserts its new one in the same batch); kind 2: the same with
 * keys that are not unique (several live rows per key). */
static Batch **random_changelog(WbRand *rng, int32_t ncols, int kind, int32_t nchanges,
                                int32_t max_batch, int32_t *nbatches)
{
    int64_t spread = 2 + (int64_t)wb_rand_below(rng, (uint64_t)(nchanges > 1000 ? nchanges : 50));
    int32_t npool = nchanges > 1000
                        ? nchanges / 4 + (int32_t)wb_rand_below(rng, (uint64_t)nchanges / 4)
                        : 1 + (int32_t)wb_rand_below(rng, (uint64_t)nchanges / 2 + 4);
    int64_t *pool = wb_calloc((size_t)npool * (size_t)ncols, sizeof(int64_t));
    uint8_t *pool_nulls = wb_calloc((size_t)npool * (size_t)ncols, 1);
    int64_t *live = wb_calloc((size_t)npool, sizeof(int64_t));   /* kind 0: weight */
    for (int32_t i = 0; i < npool; i++) {
        random_row(rng, ncols, spread, pool + (size_t)i * ncols, pool_nulls + (size_t)i * ncols);
        if (kind != 0) {   /* distinct keys; for kind 2, half the rows share 4 */
            pool[(size_t)i * ncols] = kind == 2 && i % 2 ? i % 8 : i + 8;
            pool_nulls[(size_t)i * ncols] = 0;
        }
    }
    Batch **batches = NULL;
    int32_t n = 0, cap = 0;
    for (int32_t done = 0; done < nchanges;) {
        int32_t size = 1 + (int32_t)wb_rand_below(rng, (uint64_t)max_batch);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            batches = wb_realloc(batches, sizeof(Batch *) * (size_t)cap);
        }
        Batch *b = ty_batch_new(flat_types, ncols, size + 1);
        while (b->nrows < size) {
            int32_t idx = (int32_t)wb_rand_below(rng, (uint64_t)npool);
            int64_t *row = pool + (size_t)idx * ncols;
            uint8_t *row_nulls = pool_nulls + (size_t)idx * ncols;
            int64_t weight;
            if (kind == 0) {
                uint64_t dice = wb_rand_below(rng, 10);
                if (live[idx] > 0 && dice < 4)
                    weight = dice < 2 ? -live[idx]
                                      : -(int64_t)(1 + wb_rand_below(rng, (uint64_t)live[idx]));
                else if (dice == 9)
                    weight = 0;
                else
                    weight = 1 + (int64_t)wb_rand_below(rng, 3);
                live[idx] += weight;
            } else {
                /* retract the row if it is there, then insert its new values */
                if (live[idx] > 0 && b->nrows + 2 <= size + 1) {
                    int32_t r = b->nrows++;
                    for (int32_t col = 0; col < ncols; col++) {
                        b->cols[col].nulls[r] = row_nulls[col];
                        b->cols[col].i64[r] = row[col];
                    }
                    b->weights[r] = -1;
                    live[idx] = 0;
                }
                if (b->nrows >= size) break;
                if (wb_rand_below(rng, 5) == 0) continue;   /* a deletion */
                int64_t key = row[0];
                random_row(rng, ncols, spread, row, row_nulls);
                row[0] = key;
                row_nulls[0] = 0;
                weight = 1;
                live[idx] = 1;
            }
            int32_t r = b->nrows++;
            for (int32_t col = 0; col < ncols; col++) {
                b->cols[col].nulls[r] = row_nulls[col];
                b->cols[col].i64[r] = row_nulls[col] ? (int64_t)wb_rand_next(rng) : row[col];
            }
            b->weights[r] = weight;
        }
        done += b->nrows;
        batches[n++] = b;
    }
    free(pool);
    free(pool_nulls);
    free(live);
    *nbatches = n;
    return batches;
}

/* The same changelogs through both paths print the same bytes, for every
 * column count, plan shape, ORDER BY and format; one large run makes the
 * flat table grow and leaves tombstones, and one with a lying upsert key
 * makes it hash its rows again over all columns. */
static void test_flat_matches_general(void)
{
    WbRand rng;
    wb_rand_seed(&rng, 20240611);
    int bad = 0, flat_runs = 0, by_key_runs = 0, rehashed = 0, grown = 0;
    for (int iter = 0; iter < 400; iter++) {
        bool large = iter % 100 == 99;
        int32_t ncols = 1 + iter % 6;
        int kind = ncols == 1 ? 0 : iter / 6 % 3;
        int32_t nchanges = large ? 60000 : 1 + (int32_t)wb_rand_below(&rng, 400);
        if (large) kind = iter == 199 ? 2 : iter == 299 ? 1 : 0;
        int32_t nbatches;
        /* the large lying-key run in small batches, so that rows arrive
         * on both sides of the new hashing */
        int32_t max_batch = large ? (kind == 2 ? 200 : 4096) : 1 + (int32_t)wb_rand_below(&rng, 64);
        Batch **batches = random_changelog(&rng, ncols, kind, nchanges, max_batch, &nbatches);
        PlanNode root;
        memset(&root, 0, sizeof root);
        root.kind = PN_SCAN;
        root.ncols = ncols;
        root.types = (SqlType *)flat_types;
        root.names = flat_names;
        root.mode = kind == 0 ? CM_RETRACT : CM_UPSERT;
        int32_t key_col = 0;
        root.nupsert_key = kind == 0 ? 0 : 1;
        root.upsert_key = &key_col;
        QueryPlan plan;
        memset(&plan, 0, sizeof plan);
        plan.root = &root;
        plan.limit = -1;
        SortKey keys[2];
        plan.norder = (int32_t)wb_rand_below(&rng, 3);
        for (int32_t k = 0; k < plan.norder; k++) {
            keys[k].col = (int32_t)wb_rand_below(&rng, (uint64_t)ncols);
            keys[k].desc = wb_rand_below(&rng, 2);
            keys[k].nulls_first = wb_rand_below(&rng, 2);
        }
        if (large) plan.norder = iter == 399;   /* mostly arrival order */
        plan.order = keys;
        plan.nvisible = (int32_t)wb_rand_below(&rng, (uint64_t)ncols + 1);
        OutputFormat format = wb_rand_below(&rng, 2) ? OUT_CSV : OUT_TABLE;
        bool streaming = wb_rand_below(&rng, 2);
        WbError err_general, err_flat;
        int rc_general, rc_flat;
        PathSeen seen_general, seen_flat;
        char *general = collect(&plan, format, streaming, batches, nbatches, true, &rc_general,
                                &err_general, &seen_general);
        char *flat = collect(&plan, format, streaming, batches, nbatches, false, &rc_flat,
                             &err_flat, &seen_flat);
        bool same = rc_general == rc_flat && strcmp(general, flat) == 0 &&
                    (rc_flat == 0 || strcmp(err_general.message, err_flat.message) == 0);
        if (!same || seen_general.flat || !seen_flat.flat) {
            if (bad++ == 0)
                fprintf(stderr,
                        "iter %d (ncols %d kind %d): general rc %d:\n%.2000s\n"
                        "flat rc %d:\n%.2000s\n",
                        iter, ncols, kind, rc_general, general, rc_flat, flat);
        }
        flat_runs += seen_flat.flat;
        by_key_runs += seen_flat.nhash == 1 && ncols > 1;
        if (large && kind == 2) rehashed += seen_flat.nhash == ncols;
        if (large && kind == 0) grown += seen_flat.capacity > 4096 && seen_flat.tombstones > 0;
        if (large) CHECK(rc_flat == 0);
        free(general);
        free(flat);
        for (int32_t i = 0; i < nbatches; i++) ty_batch_free(batches[i]);
        free(batches);
    }
    CHECK(bad == 0);
    CHECK(flat_runs == 400);
    CHECK(by_key_runs > 50);      /* honest upsert keys stay hashed by key */
    CHECK(rehashed == 1);         /* the lying key was found out */
    CHECK(grown == 2);
}

/* Strings, doubles or too many columns stay on the general path; a
 * negative final weight is the same error on the flat one. */
static void test_flat_choice(void)
{
    SqlType many[ST_FLAT_MAX_KEYS + 1];
    for (int32_t i = 0; i <= ST_FLAT_MAX_KEYS; i++) many[i] = flat_types[0];
    CHECK(flat_fits(many, ST_FLAT_MAX_KEYS));
    CHECK(!flat_fits(many, ST_FLAT_MAX_KEYS + 1));
    CHECK(!flat_fits(many, 0));
    CHECK(flat_fits(flat_types, 6));
    CHECK(!flat_fits(col_types, 3));   /* a STRING column */
    SqlType with_double[2] = {flat_types[0], {TY_DOUBLE, 1, -1, 0, 0, 0}};
    CHECK(!flat_fits(with_double, 2));

    PlanNode root;
    memset(&root, 0, sizeof root);
    root.kind = PN_SCAN;
    root.ncols = 2;
    root.types = (SqlType *)flat_types;
    root.names = flat_names;
    root.mode = CM_RETRACT;
    QueryPlan plan;
    memset(&plan, 0, sizeof plan);
    plan.root = &root;
    plan.limit = -1;
    Batch *b = ty_batch_new(flat_types, 2, 2);
    b->cols[0].i64[0] = 7;
    b->cols[1].i64[0] = 100;
    b->weights[0] = 1;
    b->cols[0].i64[1] = 7;
    b->cols[1].i64[1] = 100;
    b->weights[1] = -2;
    b->nrows = 2;
    WbError err;
    int rc;
    PathSeen seen;
    char *text = collect(&plan, OUT_CSV, true, &b, 1, false, &rc, &err, &seen);
    CHECK(seen.flat);
    CHECK(rc == -1 && strcmp(err.sqlstate, WB_SQLSTATE_INTERNAL) == 0);
    CHECK(strstr(err.message, "retracted more often") != NULL);
    free(text);
    ty_batch_free(b);
}

int main(void)
{
    RUN(test_sort_final);
    RUN(test_direct_csv);
    RUN(test_table);
    RUN(test_table_widths_and_escapes);
    RUN(test_table_random_cells_align);
    RUN(test_order_by_hidden);
    RUN(test_errors);
    RUN(test_large);
    RUN(test_insert_only_plans);
    RUN(test_flat_choice);
    RUN(test_flat_matches_general);
    return check_done();
}
