/*
 * test_output.c - the CLI's result printer (src/cli/output.c, compiled into
 * this test since the CLI is not part of libweir): the direct path (batch
 * mode, insert-only plan, no ORDER BY) against the consolidating one on the
 * same rows, csv quoting (NULL empty, "" for the empty string), the table
 * layout, ORDER BY over a hidden column, output larger than one write, and
 * the internal errors for impossible changelogs.
 */
#include "check.h"

#include "cli/output.c"

static const SqlType col_types[3] = {{TY_BIGINT, 1, -1, 0}, {TY_STRING, 1, -1, 0},
                                     {TY_DECIMAL, 1, 10, 2}};
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
        uint8_t kinds[64] = {0};
        *rc = out_collector_batch(c, b, kinds, err);
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
                      "|     id |        s |  amount |\n"
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
    join_left.join.type = JT_LEFT;       /* pads, then retracts the padded row */
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

int main(void)
{
    test_sort_final();
    test_direct_csv();
    test_table();
    test_order_by_hidden();
    test_errors();
    test_large();
    test_insert_only_plans();
    return check_done();
}
