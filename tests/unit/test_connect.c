/*
 * test_connect.c - connectors and formats: CSV and JSON-family decoding
 * from real files (including records cut by tiny read buffers), changelog
 * envelopes, datagen, the sinks' output, and a fuzz loop over the decoders.
 */
#include "check.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connect/connect_int.h"

static char tmpdir[] = "/tmp/weir_test_connect_XXXXXX";
static WbArena *arena;

/* ---- helpers ---- */

static SqlType T(TypeId id) { return ty_make(id); }

/* A table from "name TYPE" column list and key/value option pairs. */
static TableDef *table(const char *name, int32_t ncols, const char *const *col_names,
                       const SqlType *types, const char *const *options)
{
    TableDef *def = wb_arena_calloc(arena, sizeof *def);
    def->name = wb_arena_strdup(arena, name);
    def->ncols = ncols;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)ncols);
    for (int32_t i = 0; i < ncols; i++) {
        def->cols[i].name = wb_arena_strdup(arena, col_names[i]);
        def->cols[i].type = types[i];
    }
    int32_t nopt = 0;
    while (options[nopt * 2]) nopt++;
    def->noptions = nopt;
    def->options = wb_arena_calloc(arena, sizeof(TableOption) * (size_t)(nopt ? nopt : 1));
    for (int32_t i = 0; i < nopt; i++) {
        def->options[i].key = wb_arena_strdup(arena, options[i * 2]);
        def->options[i].value = wb_arena_strdup(arena, options[i * 2 + 1]);
    }
    def->watermark_col = -1;
    def->line = 1;
    def->column = 1;
    return def;
}

static const char *write_file(const char *name, const char *content)
{
    char *path = wb_arena_printf(arena, "%s/%s", tmpdir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0777);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    fwrite(content, 1, strlen(content), f);
    fclose(f);
    return path;
}

/* Reads the whole source in batches of max_rows; returns the changelog
 * text ("+I[..]" for +1, "-D[..]" for -1, one per line) in the arena, or
 * NULL with err set. */
static const char *read_all(const TableDef *def, int32_t max_rows, WbError *err, Source **keep)
{
    wb_error_clear(err);
    Source *src = cn_source_open(def, err);
    if (!src) return NULL;
    Batch *batch = ty_batch_new(src->types, src->ncols, max_rows);
    WbBuf text = {0};
    int rc;
    int guard = 0;
    do {
        ty_batch_reset(batch);
        rc = src->vt->next(src, batch, max_rows, err);
        if (rc < 0) break;
        /* one record is never split: with a tiny max_rows, a change record
         * of a few rows may fill a batch alone */
        CHECK(batch->nrows <= max_rows || (max_rows < 4 && batch->nrows <= 4));
        for (int32_t row = 0; row < batch->nrows; row++) {
            cn_format_changelog_row(batch, row, ty_row_kind(batch, row), &text);   /* as read */
            wb_buf_putc(&text, '\n');
        }
    } while (rc == 1 && ++guard < 1000000);
    const char *result = rc < 0 ? NULL : wb_arena_strndup(arena, text.data ? text.data : "", text.len);
    wb_buf_free(&text);
    ty_batch_free(batch);
    if (keep) *keep = src;
    else cn_source_close(src);
    return result;
}

static const char *const one_int[] = {"x"};

/* ---- CSV ---- */

static void test_csv_basics(void)
{
    const char *path = write_file("basic.csv",
        "# a comment line\r\n"
        "1,plain,\"\",2.5\r\n"
        "2,,\"with, comma\",\n"
        "3,\"say \"\"hi\"\"\",\"two\nlines\",-0.125\n"
        "\n"
        "4,NULL,x,1e3");
    const char *names[] = {"id", "a", "b", "d"};
    SqlType types[] = {T(TY_INT), T(TY_STRING), T(TY_STRING), T(TY_DOUBLE)};
    const char *opts[] = {"connector", "filesystem", "path", path, "format", "csv",
                          "csv.allow-comments", "true", "csv.null-literal", "NULL", NULL};
    WbError err;
    const char *out = read_all(table("t", 4, names, types, opts), 100, &err, NULL);
    CHECK_STR(out,
              "+I[1, plain, , 2.5]\n"
              "+I[2, null, with, comma, null]\n"
              "+I[3, say \"hi\", two\nlines, -0.125]\n"
              "+I[4, null, x, 1000.0]\n");
    /* the quoted empty field is the empty string, the unquoted one NULL */
    Source *src;
    wb_error_clear(&err);
    src = cn_source_open(table("t", 4, names, types, opts), &err);
    CHECK(src != NULL);
    if (src) {
        Batch *b = ty_batch_new(src->types, src->ncols, 10);
        CHECK(src->vt->next(src, b, 10, &err) >= 0);
        CHECK(b->nrows == 4);
        CHECK(!b->cols[2].nulls[0] && b->cols[2].str[0].len == 0);
        CHECK(b->cols[1].nulls[1] && b->cols[3].nulls[1]);
        CHECK(b->cols[1].nulls[3]);              /* null literal */
        CHECK(src->records_read == 4);
        ty_batch_free(b);
        cn_source_close(src);
    }

    /* tab delimiter spelled \t, a custom quote */
    path = write_file("tab.csv", "1\t'a\tb'\n2\tc\n");
    const char *names2[] = {"id", "s"};
    SqlType types2[] = {T(TY_BIGINT), T(TY_STRING)};
    const char *opts2[] = {"connector", "filesystem", "path", path, "format", "csv",
                           "csv.field-delimiter", "\\t", "csv.quote-character", "'", NULL};
    out = read_all(table("t", 2, names2, types2, opts2), 100, &err, NULL);
    CHECK_STR(out, "+I[1, a\tb]\n+I[2, c]\n");

    /* a trailing newline at EOF makes no empty record; one-column blank
     * lines in the middle are NULL rows */
    path = write_file("one.csv", "5\n\n6\n");
    SqlType one_type[] = {T(TY_INT)};
    const char *opts3[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    out = read_all(table("t", 1, one_int, one_type, opts3), 100, &err, NULL);
    CHECK_STR(out, "+I[5]\n+I[null]\n+I[6]\n");

    /* types parsed from text: DECIMAL exact, DATE, TIMESTAMP, BOOLEAN */
    path = write_file("types.csv", "0.1,2024-01-31,2024-01-31 23:59:59.123,true,-9223372036854775808\n");
    const char *names4[] = {"m", "d", "ts", "b", "big"};
    SqlType types4[] = {ty_decimal(10, 2), T(TY_DATE), ty_timestamp(3), T(TY_BOOLEAN), T(TY_BIGINT)};
    const char *opts4[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    out = read_all(table("t", 5, names4, types4, opts4), 100, &err, NULL);
    CHECK_STR(out, "+I[0.10, 2024-01-31, 2024-01-31 23:59:59.123, TRUE, -9223372036854775808]\n");
}

static void test_csv_errors(void)
{
    const char *path = write_file("orders.csv", "1,a\n2,b\n# not a comment here\nabc,c\n4,d,extra\n5,\"unterminated\n");
    const char *names[] = {"qty", "s"};
    SqlType types[] = {T(TY_INT), T(TY_STRING)};
    const char *opts[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    WbError err;
    /* the comment line is a one-field record: wrong field count on line 3 */
    const char *out = read_all(table("t", 2, names, types, opts), 100, &err, NULL);
    CHECK(out == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s", "expected 2 fields, found 1");
    CHECK(err.line == 3);
    CHECK_STR(err.message, want);
    CHECK_STR(err.source, path);
    CHECK(err.line == 3);
    CHECK(err.offset == 8);

    path = write_file("orders2.csv", "1,a\nabc,c\n");
    const char *opts2[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    out = read_all(table("t", 2, names, types, opts2), 100, &err, NULL);
    CHECK(out == NULL);
    snprintf(want, sizeof want, "%s", "invalid value \"abc\" for column qty INT");
    CHECK(err.line == 2);
    CHECK_STR(err.message, want);
    CHECK(err.line == 2 && err.offset == 4);

    path = write_file("orders3.csv", "1,a\n99999999999,b\n");
    const char *opts3[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    out = read_all(table("t", 2, names, types, opts3), 100, &err, NULL);
    CHECK(out == NULL);
    CHECK(strstr(err.message, "out of range for column qty INT") != NULL);

    /* ignore-parse-errors skips and counts; line numbers stay right */
    path = write_file("orders4.csv", "1,a\nabc,c\n4,d,extra\n\"5\"x,e\n6,\"multi\nline\"\nzz,\n7,g\n8,\"unterminated\n");
    const char *opts4[] = {"connector", "filesystem", "path", path, "format", "csv",
                           "csv.ignore-parse-errors", "true", NULL};
    Source *src;
    out = read_all(table("t", 2, names, types, opts4), 2, &err, &src);
    CHECK_STR(out, "+I[1, a]\n+I[6, multi\nline]\n+I[7, g]\n");
    CHECK(src && src->records_dirty == 5);
    CHECK(src && src->records_read == 8);
    cn_source_close(src);

    /* a bad record after a multi-line one reports its own line */
    path = write_file("orders5.csv", "1,\"a\nb\nc\"\n2,x\nq,y\n");
    const char *opts5[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    out = read_all(table("t", 2, names, types, opts5), 100, &err, NULL);
    CHECK(out == NULL && err.line == 5);

    /* option errors name the option and the choices */
    const char *opts6[] = {"connector", "filesystem", "path", path, "format", "xml", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("t", 2, names, types, opts6), &err) == NULL);
    CHECK_STR(err.message, "unsupported format \"xml\" for 'format'; expected csv, json, debezium-json, canal-json or parquet");
    const char *opts7[] = {"connector", "filesystem", "path", path, "format", "csv",
                           "csv.allow-comments", "yes", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("t", 2, names, types, opts7), &err) == NULL);
    CHECK_STR(err.message, "invalid value \"yes\" for 'csv.allow-comments'; expected true or false");
    const char *opts8[] = {"connector", "kafkaa", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("t", 2, names, types, opts8), &err) == NULL);
    CHECK(strstr(err.message, "unsupported connector \"kafkaa\"") != NULL);
    const char *opts9[] = {"connector", "filesystem", "path", "/nonexistent/x.csv", "format", "csv", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("t", 2, names, types, opts9), &err) == NULL);
    CHECK(strstr(err.message, "/nonexistent/x.csv") != NULL);
    const char *opts10[] = {"connector", "filesystem", "path", path, "format", "csv", "json.ignore-parse-errors", "true", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("t", 2, names, types, opts10), &err) == NULL);
    CHECK(strstr(err.message, "'json.ignore-parse-errors'") != NULL);
}

/* Records cut by the read buffer at every position decode the same. */
static void test_chunk_boundaries(void)
{
    WbBuf content = {0};
    for (int i = 0; i < 60; i++) {
        wb_buf_printf(&content, "%d,\"q,%d \"\"x\"\"\r\nline\",%s,%d.5\r\n", i, i, i % 7 ? "plain" : "", -i);
        if (i % 13 == 0) wb_buf_puts(&content, "# comment\n");
    }
    const char *path = write_file("chunks.csv", wb_buf_cstr(&content));
    const char *names[] = {"id", "q", "p", "d"};
    SqlType types[] = {T(TY_BIGINT), T(TY_STRING), T(TY_STRING), ty_decimal(6, 1)};
    const char *opts[] = {"connector", "filesystem", "path", path, "format", "csv",
                          "csv.allow-comments", "true", NULL};
    WbError err;
    const char *want = read_all(table("t", 4, names, types, opts), 2048, &err, NULL);
    CHECK(want != NULL && strstr(want, "+I[59, q,59 \"x\"\r\nline, plain, -59.5]") != NULL);
    size_t saved = cn_fs_read_size;
    bool all_same = true;
    for (size_t size = 1; size <= 23; size++) {
        cn_fs_read_size = size;
        const char *got = read_all(table("t", 4, names, types, opts), (int32_t)(size % 5) + 1, &err, NULL);
        if (!got || !want || strcmp(got, want) != 0) all_same = false;
    }
    CHECK(all_same);

    /* JSON lines likewise */
    wb_buf_clear(&content);
    for (int i = 0; i < 40; i++)
        wb_buf_printf(&content, "{\"id\": %d, \"s\": \"v\\u00e9%d\", \"n\": {\"deep\": [1, 2]}}\r\n\n", i, i);
    path = write_file("chunks.json", wb_buf_cstr(&content));
    const char *jnames[] = {"id", "s", "n"};
    SqlType jtypes[] = {T(TY_INT), T(TY_STRING), T(TY_STRING)};
    const char *jopts[] = {"connector", "filesystem", "path", path, "format", "json", NULL};
    cn_fs_read_size = saved;
    want = read_all(table("t", 3, jnames, jtypes, jopts), 2048, &err, NULL);
    CHECK(want != NULL && strstr(want, "+I[39, v\xc3\xa9" "39, {\"deep\": [1, 2]}]") != NULL);
    all_same = true;
    for (size_t size = 1; size <= 17; size += 2) {
        cn_fs_read_size = size;
        const char *got = read_all(table("t", 3, jnames, jtypes, jopts), 3, &err, NULL);
        if (!got || !want || strcmp(got, want) != 0) all_same = false;
    }
    CHECK(all_same);
    cn_fs_read_size = saved;
    wb_buf_free(&content);
}

static void test_directory(void)
{
    write_file("dir/b.csv", "2\n3\n");
    write_file("dir/a.csv", "1\n");
    write_file("dir/.hidden.csv", "100\n");
    write_file("dir/_SUCCESS", "200\n");
    write_file("dir/c.csv", "");
    char *dir = wb_arena_printf(arena, "%s/dir", tmpdir);
    SqlType types[] = {T(TY_INT)};
    const char *opts[] = {"connector", "filesystem", "path", dir, "format", "csv", NULL};
    WbError err;
    const char *out = read_all(table("t", 1, one_int, types, opts), 2, &err, NULL);
    CHECK_STR(out, "+I[1]\n+I[2]\n+I[3]\n");

    /* a UTF-8 byte order mark is skipped, whatever the read size */
    const char *path = write_file("bom.csv", "\xef\xbb\xbf" "7\n8\n");
    const char *opts2[] = {"connector", "filesystem", "path", path, "format", "csv", NULL};
    size_t saved = cn_fs_read_size;
    for (size_t size = 1; size <= 5; size++) {
        cn_fs_read_size = size;
        CHECK_STR(read_all(table("t", 1, one_int, types, opts2), 10, &err, NULL), "+I[7]\n+I[8]\n");
    }
    cn_fs_read_size = saved;
}

/* Symbolic links under a source directory are followed; one that leads
 * back to a directory being listed is a loop and an error naming it, at
 * once (two such links used to double the listing at each of 64 levels:
 * it never ended). */
static void test_directory_links(void)
{
    write_file("links/a.csv", "1\n");
    write_file("links/sub/b.csv", "2\n");
    char *dir = wb_arena_printf(arena, "%s/links", tmpdir);
    CHECK(symlink("sub", wb_arena_printf(arena, "%s/link", dir)) == 0);
    SqlType types[] = {T(TY_INT)};
    const char *opts[] = {"connector", "filesystem", "path", dir, "format", "csv", NULL};
    WbError err;
    CHECK_STR(read_all(table("t", 1, one_int, types, opts), 10, &err, NULL), "+I[1]\n+I[2]\n+I[2]\n");

    CHECK(symlink("..", wb_arena_printf(arena, "%s/sub/up", dir)) == 0);
    CHECK(symlink(".", wb_arena_printf(arena, "%s/sub/self", dir)) == 0);
    CHECK(read_all(table("t", 1, one_int, types, opts), 10, &err, NULL) == NULL);
    CHECK(strstr(err.message, "is one of its own parent directories (a symbolic link loop)"));
}

/* ---- JSON ---- */

static void test_json_values(void)
{
    const char *path = write_file("values.json",
        "{\"i\": 1, \"b\": 9007199254740993, \"d\": 0.5, \"m\": 12345678.905, \"s\": \"a\\\"\\u00e9\\ud83d\\ude00\", "
        "\"t\": \"2024-01-31 23:59:59.123\", \"flag\": true, \"extra\": [1]}\n"
        "{\"s\": {\"k\": [1, {\"x\": null}]}, \"i\": null, \"m\": \"0.015\", \"t\": \"2024-01-31T01:02:03Z\"}\n"
        "   \n"
        "{\"i\": \"42\", \"flag\": \"false\", \"m\": 1e2, \"s\": 7}\n");
    const char *names[] = {"i", "b", "d", "m", "s", "t", "flag"};
    SqlType types[] = {T(TY_INT), T(TY_BIGINT), T(TY_DOUBLE), ty_decimal(12, 2), T(TY_STRING),
                       ty_timestamp(3), T(TY_BOOLEAN)};
    const char *opts[] = {"connector", "filesystem", "path", path, "format", "json", NULL};
    WbError err;
    const char *out = read_all(table("t", 7, names, types, opts), 100, &err, NULL);
    CHECK_STR(out,
              "+I[1, 9007199254740993, 0.5, 12345678.91, a\"\xc3\xa9\xf0\x9f\x98\x80, 2024-01-31 23:59:59.123, TRUE]\n"
              "+I[null, null, null, 0.02, {\"k\": [1, {\"x\": null}]}, 2024-01-31 01:02:03.000, null]\n"
              "+I[42, null, null, 100.00, 7, null, FALSE]\n");

    /* fail-on-missing-field, type errors, ignore-parse-errors */
    const char *opts2[] = {"connector", "filesystem", "path", path, "format", "json",
                           "json.fail-on-missing-field", "true", NULL};
    out = read_all(table("t", 7, names, types, opts2), 100, &err, NULL);
    CHECK(out == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s", "missing field \"b\"");
    CHECK(err.line == 2);
    CHECK_STR(err.message, want);

    path = write_file("bad.json", "{\"i\": 1}\n{\"i\": 1.5}\n{\"i\": [1]}\n{\"i\" 3}\n[1]\n{\"i\": 4}\n");
    const char *opts3[] = {"connector", "filesystem", "path", path, "format", "json", NULL};
    out = read_all(table("t", 1, names, types, opts3), 100, &err, NULL);
    CHECK(out == NULL);
    snprintf(want, sizeof want, "%s", "invalid value \"1.5\" for column i INT");
    CHECK(err.line == 2);
    CHECK_STR(err.message, want);
    const char *opts4[] = {"connector", "filesystem", "path", path, "format", "json",
                           "json.ignore-parse-errors", "true", NULL};
    Source *src;
    out = read_all(table("t", 1, names, types, opts4), 100, &err, &src);
    CHECK_STR(out, "+I[1]\n+I[4]\n");
    CHECK(src && src->records_dirty == 4 && src->records_read == 6);
    cn_source_close(src);

    /* malformed JSON: the column and absolute byte offset of the problem */
    path = write_file("bad2.json", "{\"i\": 1}\n{\"i\" 3}\n");
    const char *opts5[] = {"connector", "filesystem", "path", path, "format", "json", NULL};
    out = read_all(table("t", 1, names, types, opts5), 100, &err, NULL);
    CHECK(out == NULL);
    snprintf(want, sizeof want, "%s", "malformed JSON at column 6 (byte offset 14): expected ':' after an object key");
    CHECK(err.line == 2);
    CHECK_STR(err.message, want);
    CHECK(err.offset == 14 && err.line == 2);

    /* a nested object into an INT column */
    path = write_file("bad3.json", "{\"i\": {\"a\": 1}}\n");
    const char *opts6[] = {"connector", "filesystem", "path", path, "format", "json", NULL};
    out = read_all(table("t", 1, names, types, opts6), 100, &err, NULL);
    CHECK(out == NULL && strstr(err.message, "cannot read a JSON object into column i INT") != NULL);
}

static void test_json_parser(void)
{
    JsonDoc doc;
    cn_json_doc_init(&doc);
    size_t at;
    const char *reason;
    struct { const char *text; size_t offset; } bad[] = {
        {"", 0}, {"{", 1}, {"{\"a\":}", 5}, {"[1,]", 3}, {"[1 2]", 3}, {"01", 1},
        {"-", 1}, {"1.", 2}, {"1e", 2}, {"\"abc", 4}, {"\"a\\x\"", 2}, {"\"\\u12G4\"", 5},
        {"tru", 3}, {"nul", 3}, {"{\"a\":1}x", 7}, {"\"a\tb\"", 2}, {"{1:2}", 1}, {"[\"\\u12", 6},
    };
    for (size_t i = 0; i < WB_ARRAY_LEN(bad); i++) {
        int rc = cn_json_parse(&doc, bad[i].text, strlen(bad[i].text), &at, &reason);
        CHECK(rc == -1);
        if (rc == -1 && at != bad[i].offset)
            fprintf(stderr, "json %s: offset %zu, want %zu (%s)\n", bad[i].text, at, bad[i].offset, reason);
        CHECK(rc == -1 && at == bad[i].offset);
    }
    /* deep nesting is an error, not a stack overflow */
    WbBuf deep = {0};
    for (int i = 0; i < 100000; i++) wb_buf_putc(&deep, '[');
    CHECK(cn_json_parse(&doc, deep.data, deep.len, &at, &reason) == -1);
    wb_buf_free(&deep);

    const char *ok = " {\"a\": [1, -2.5e+3, true, false, null], \"b\\n\": \"\\ud83d\\ude00\\u0041\\/\", \"c\": {}} ";
    CHECK(cn_json_parse(&doc, ok, strlen(ok), &at, &reason) == 0);
    CHECK(doc.nodes[0].kind == JS_OBJECT && doc.nodes[0].next == doc.count);
    int32_t a = cn_json_member(&doc, 0, "a");
    CHECK(a > 0 && doc.nodes[a].kind == JS_ARRAY && doc.nodes[a].next - a == 6);
    int32_t b = cn_json_member(&doc, 0, "b\n");
    size_t len;
    const char *s = b > 0 ? cn_json_str(&doc, &doc.nodes[b], &len) : "";
    CHECK(b > 0 && len == 6 && memcmp(s, "\xf0\x9f\x98\x80" "A/", 6) == 0);
    CHECK(cn_json_member(&doc, 0, "zz") == -1);
    /* an unpaired surrogate becomes U+FFFD */
    const char *lone = "\"\\ud800x\"";
    CHECK(cn_json_parse(&doc, lone, strlen(lone), &at, &reason) == 0);
    s = cn_json_str(&doc, &doc.nodes[0], &len);
    CHECK(len == 4 && memcmp(s, "\xef\xbf\xbdx", 4) == 0);

    WbBuf out = {0};
    cn_json_write_string("a\"\\\n\x01\xc3\xa9", 7, &out);
    CHECK_STR(wb_buf_cstr(&out), "\"a\\\"\\\\\\n\\u0001\xc3\xa9\"");
    wb_buf_free(&out);
    cn_json_doc_free(&doc);
}

/* ---- changelog formats ---- */

static void test_debezium(void)
{
    const char *path = write_file("dbz.json",
        "{\"before\": null, \"after\": {\"id\": 1, \"name\": \"a\"}, \"op\": \"c\"}\n"
        "{\"schema\": {}, \"payload\": {\"before\": {\"id\": 1, \"name\": \"a\"}, \"after\": {\"id\": 1, \"name\": \"b\"}, \"op\": \"u\", \"ts_ms\": 1}}\n"
        "{\"before\": null, \"after\": {\"id\": 2, \"name\": \"r\"}, \"op\": \"r\"}\n"
        "null\n"
        "{\"before\": {\"id\": 1, \"name\": \"b\"}, \"after\": null, \"op\": \"d\"}\n");
    const char *names[] = {"id", "name"};
    SqlType types[] = {T(TY_BIGINT), T(TY_STRING)};
    const char *opts[] = {"connector", "filesystem", "path", path, "format", "debezium-json", NULL};
    WbError err;
    const char *want = "+I[1, a]\n-U[1, a]\n+U[1, b]\n+I[2, r]\n-D[1, b]\n";
    CHECK_STR(read_all(table("t", 2, names, types, opts), 100, &err, NULL), want);
    CHECK_STR(read_all(table("t", 2, names, types, opts), 1, &err, NULL), want);

    /* with two slots per batch, the update pair is never split */
    Source *src = cn_source_open(table("t", 2, names, types, opts), &err);
    CHECK(src != NULL);
    if (src) {
        Batch *b = ty_batch_new(src->types, src->ncols, 2);
        int sizes[8], nbatches = 0, rc;
        do {
            ty_batch_reset(b);
            rc = src->vt->next(src, b, 2, &err);
            if (nbatches < 8) sizes[nbatches++] = b->nrows;
            if (b->nrows == 2 && b->weights[0] == -1) CHECK(b->weights[1] == 1);
        } while (rc == 1);
        /* +I | -U +U | +I -D */
        CHECK(nbatches >= 3 && sizes[0] == 1 && sizes[1] == 2 && sizes[2] == 2);
        ty_batch_free(b);
        cn_source_close(src);
    }

    path = write_file("dbz_bad.json",
        "{\"before\": null, \"after\": {\"id\": 1}, \"op\": \"u\"}\n"
        "{\"op\": \"x\"}\n"
        "{\"before\": null, \"after\": {\"id\": 3}, \"op\": \"c\"}\n");
    const char *opts2[] = {"connector", "filesystem", "path", path, "format", "debezium-json", NULL};
    CHECK(read_all(table("t", 2, names, types, opts2), 100, &err, NULL) == NULL);
    CHECK(strstr(err.message, "debezium-json \"u\" record without a \"before\" object") != NULL && err.line == 1);
    const char *opts3[] = {"connector", "filesystem", "path", path, "format", "debezium-json",
                           "debezium-json.ignore-parse-errors", "true", NULL};
    CHECK_STR(read_all(table("t", 2, names, types, opts3), 100, &err, NULL), "+I[3, null]\n");
}

static void test_canal(void)
{
    const char *path = write_file("canal.json",
        "{\"data\": [{\"id\": \"1\", \"name\": \"a\", \"price\": \"1.50\"}, {\"id\": \"2\", \"name\": \"b\", \"price\": null}], "
        "\"old\": null, \"type\": \"INSERT\", \"database\": \"db\"}\n"
        "{\"data\": null, \"type\": \"CREATE\", \"isDdl\": true, \"sql\": \"CREATE TABLE x\"}\n"
        "{\"data\": [{\"id\": \"1\", \"name\": \"a2\", \"price\": \"2.00\"}, {\"id\": \"2\", \"name\": \"b2\", \"price\": \"3\"}], "
        "\"old\": [{\"name\": \"a\", \"price\": \"1.50\"}, {\"price\": null}], \"type\": \"UPDATE\"}\n"
        "{\"data\": [{\"id\": \"2\", \"name\": \"b2\", \"price\": \"3\"}], \"type\": \"DELETE\"}\n");
    const char *names[] = {"id", "name", "price"};
    SqlType types[] = {T(TY_INT), T(TY_STRING), ty_decimal(10, 2)};
    const char *opts[] = {"connector", "filesystem", "path", path, "format", "canal-json", NULL};
    WbError err;
    const char *want =
        "+I[1, a, 1.50]\n+I[2, b, null]\n"
        "-U[1, a, 1.50]\n+U[1, a2, 2.00]\n-U[2, b2, null]\n+U[2, b2, 3.00]\n"
        "-D[2, b2, 3.00]\n";
    CHECK_STR(read_all(table("t", 3, names, types, opts), 100, &err, NULL), want);
    CHECK_STR(read_all(table("t", 3, names, types, opts), 1, &err, NULL), want);
    CHECK_STR(read_all(table("t", 3, names, types, opts), 3, &err, NULL), want);
    Source *src;
    read_all(table("t", 3, names, types, opts), 3, &err, &src);
    CHECK(src && src->records_read == 4 && src->records_dirty == 0);
    cn_source_close(src);
}

/* A canal-json UPDATE whose "old" array does not give one before image
 * per "data" row is an error naming both counts, in the fast and the tree
 * decoder alike: the rows without one used to become -U rows equal to
 * their +U (an update made up from a malformed record). */
static void test_canal_old_rows(void)
{
    static const char *const records[] = {
        "{\"data\": [{\"id\": 1}], \"old\": [{\"id\": 0}, {\"id\": 5}], \"type\": \"UPDATE\"}\n",
        "{\"data\": [{\"id\": 1}, {\"id\": 2}], \"old\": [{\"id\": 0}], \"type\": \"UPDATE\"}\n",
        "{\"data\": [{\"id\": 1}], \"type\": \"UPDATE\"}\n",
        "{\"type\": \"UPDATE\", \"old\": null, \"data\": [{\"id\": 1}]}\n",
    };
    SqlType types[] = {T(TY_INT)};
    const char *names[] = {"id"};
    for (size_t i = 0; i < sizeof records / sizeof *records; i++) {
        const char *path = write_file("canal_old.json", records[i]);
        const char *opts[] = {"connector", "filesystem", "path", path, "format", "canal-json", NULL};
        WbError err;
        CHECK(read_all(table("t", 1, names, types, opts), 10, &err, NULL) == NULL);
        CHECK(strstr(err.message, "canal-json UPDATE record with") != NULL);
        CHECK(strstr(err.message, "(one \"old\" row per \"data\" row)") != NULL);
    }
}

/* ---- datagen ---- */

static void test_datagen(void)
{
    const char *names[] = {"id", "v", "s", "ts", "n"};
    SqlType types[] = {T(TY_BIGINT), T(TY_INT), T(TY_STRING), ty_timestamp(3), T(TY_DOUBLE)};
    const char *opts[] = {"connector", "datagen", "number-of-rows", "50", "rows-per-second", "100000",
                          "fields.id.kind", "sequence", "fields.id.start", "10", "fields.id.end", "1000",
                          "fields.v.min", "-3", "fields.v.max", "3", "fields.s.length", "5",
                          "fields.n.null-rate", "0.5", NULL};
    WbError err;
    Source *src = NULL;
    const char *a = read_all(table("g", 5, names, types, opts), 7, &err, &src);
    CHECK(src && src->bounded);
    cn_source_close(src);
    const char *b = read_all(table("g", 5, names, types, opts), 50, &err, NULL);
    CHECK(a && b && strcmp(a, b) == 0);              /* deterministic, whatever the batches */
    int lines = 0;
    for (const char *p = a; p && *p; p++) lines += *p == '\n';
    CHECK(lines == 50);
    CHECK(a && strncmp(a, "+I[10, ", 7) == 0 && strstr(a, "+I[59, ") != NULL && !strstr(a, "+I[60, "));

    /* values within bounds, nulls at about the rate */
    src = cn_source_open(table("g", 5, names, types, opts), &err);
    CHECK(src != NULL);
    if (src) {
        Batch *batch = ty_batch_new(src->types, src->ncols, 64);
        CHECK(src->vt->next(src, batch, 64, &err) >= 0);
        bool in_range = true, lengths = true;
        int nulls = 0;
        for (int32_t r = 0; r < batch->nrows; r++) {
            if (batch->cols[1].i64[r] < -3 || batch->cols[1].i64[r] > 3) in_range = false;
            if (batch->cols[2].str[r].len != 5) lengths = false;
            nulls += batch->cols[4].nulls[r];
            if (!batch->cols[4].nulls[r] && (batch->cols[4].f64[r] < 0 || batch->cols[4].f64[r] >= 1)) in_range = false;
            if (batch->cols[3].i64[r] < CN_DATAGEN_BASE_MICROS) in_range = false;
        }
        CHECK(in_range && lengths && nulls > 5 && nulls < 45);
        ty_batch_free(batch);
        cn_source_close(src);
    }

    /* a sequence with an end bounds the source without number-of-rows */
    const char *seq_names[] = {"id"};
    SqlType seq_types[] = {T(TY_INT)};
    const char *opts2[] = {"connector", "datagen", "fields.id.kind", "sequence", "fields.id.start", "1",
                           "fields.id.end", "3", NULL};
    CHECK_STR(read_all(table("g", 1, seq_names, seq_types, opts2), 10, &err, NULL), "+I[1]\n+I[2]\n+I[3]\n");

    /* unbounded without number-of-rows; the rate limit paces it */
    const char *opts3[] = {"connector", "datagen", "rows-per-second", "200", NULL};
    src = cn_source_open(table("g", 1, seq_names, seq_types, opts3), &err);
    CHECK(src && !src->bounded);
    if (src) {
        Batch *batch = ty_batch_new(src->types, src->ncols, 100);
        int64_t t0 = wb_now_millis();
        int total = 0;
        for (int i = 0; i < 3; i++) {
            ty_batch_reset(batch);
            CHECK(src->vt->next(src, batch, 100, &err) == 1);
            total += batch->nrows;
        }
        int64_t elapsed = wb_now_millis() - t0;
        CHECK(total == 60 && elapsed >= 250);       /* 60 rows at 200/s: 300 ms */
        ty_batch_free(batch);
        cn_source_close(src);
    }

    const char *opts4[] = {"connector", "datagen", "fields.nope.kind", "random", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("g", 1, seq_names, seq_types, opts4), &err) == NULL);
    CHECK(strstr(err.message, "'fields.nope.kind'") != NULL);
    const char *opts5[] = {"connector", "datagen", "fields.id.kind", "sequential", NULL};
    wb_error_clear(&err);
    CHECK(cn_source_open(table("g", 1, seq_names, seq_types, opts5), &err) == NULL);
    CHECK_STR(err.message, "unsupported value \"sequential\" for 'fields.id.kind'; expected random or sequence");
}

/* ---- sinks ---- */

static Batch *sample_batch(void)
{
    SqlType types[] = {T(TY_INT), T(TY_STRING), ty_decimal(10, 2), ty_timestamp(3), T(TY_DOUBLE)};
    Batch *b = ty_batch_new(types, 5, 8);
    const char *rows[][5] = {
        {"1", "tmsA", "3.50", "2024-01-31 23:59:59.123", "1.5"},
        {"2", "", NULL, NULL, NULL},
        {NULL, "a,\"b\"\nc", "-0.01", "2024-02-01 00:00:00", "-2"},
        {"4", "NULL", "0", "1970-01-01", "0.1"},
    };
    WbError err;
    wb_error_clear(&err);
    for (int32_t r = 0; r < 4; r++) {
        for (int32_t c = 0; c < 5; c++) {
            if (rows[r][c]) ty_parse_value(b, c, r, rows[r][c], strlen(rows[r][c]), &err);
            else b->cols[c].nulls[r] = 1;
        }
        b->weights[r] = 1;
    }
    b->nrows = 4;
    CHECK(!err.set);
    return b;
}

static const char *const sample_names[] = {"id", "s", "m", "ts", "d"};

static void test_print_sink(void)
{
    SqlType types[] = {T(TY_INT), T(TY_STRING), ty_decimal(10, 2), ty_timestamp(3), T(TY_DOUBLE)};
    Batch *b = sample_batch();
    b->weights[1] = -1;
    b->weights[3] = 2;
    ty_mark_update(b, 1);                    /* rows 1 and 2: -U, +U */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    const char *opts[] = {"connector", "print", "print-identifier", "out", NULL};
    WbError err;
    wb_error_clear(&err);
    TableDef *def = table("p", 5, sample_names, types, opts);
    Sink *sink = cn_sink_open(def, false, mem, &err);
    CHECK(sink != NULL && sink->accepts_retractions && cn_sink_accepts_retractions(def));
    if (sink) {
        CHECK(sink->vt->write(sink, b, &err) == 0);
        CHECK(sink->vt->prepare(sink, &err) == 0);
        CHECK(sink->records_written == 5);
        cn_sink_close(sink);
    }
    fclose(mem);
    CHECK_STR(text,
              "out> +I[1, tmsA, 3.50, 2024-01-31 23:59:59.123, 1.5]\n"
              "out> -U[2, , null, null, null]\n"
              "out> +U[null, a,\"b\"\nc, -0.01, 2024-02-01 00:00:00.000, -2.0]\n"
              "out> +I[4, NULL, 0.00, 1970-01-01 00:00:00.000, 0.1]\n"
              "out> +I[4, NULL, 0.00, 1970-01-01 00:00:00.000, 0.1]\n");
    free(text);

    const char *opts2[] = {"connector", "blackhole", NULL};
    def = table("bh", 5, sample_names, types, opts2);
    sink = cn_sink_open(def, false, NULL, &err);
    CHECK(sink && cn_sink_accepts_retractions(def));
    if (sink) {
        CHECK(sink->vt->write(sink, b, &err) == 0);
        CHECK(sink->records_written == 5);
        cn_sink_close(sink);
    }
    const char *opts3[] = {"connector", "nowhere", NULL};
    CHECK(!cn_sink_accepts_retractions(table("x", 5, sample_names, types, opts3)));
    wb_error_clear(&err);
    CHECK(cn_sink_open(table("x", 5, sample_names, types, opts3), false, NULL, &err) == NULL && err.set);
    ty_batch_free(b);
}

/* The one visible file a committed sink left in dir (arena copy), or NULL. */
static char *committed_part(const char *dir)
{
    DIR *d = opendir(dir);
    char *found = NULL;
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL)
        if (ent->d_name[0] != '.') found = wb_arena_printf(arena, "%s/%s", dir, ent->d_name);
    if (d) closedir(d);
    return found;
}

static void test_fs_sink_roundtrip(void)
{
    SqlType types[] = {T(TY_INT), T(TY_STRING), ty_decimal(10, 2), ty_timestamp(3), T(TY_DOUBLE)};
    const char *formats[] = {"csv", "json"};
    for (int f = 0; f < 2; f++) {
        Batch *b = sample_batch();
        char *dir = wb_arena_printf(arena, "%s/out/%s/", tmpdir, formats[f]);
        const char *opts[] = {"connector", "filesystem", "path", dir, "format", formats[f], NULL};
        WbError err;
        wb_error_clear(&err);
        TableDef *def = table("o", 5, sample_names, types, opts);
        CHECK(!cn_sink_accepts_retractions(def));
        Sink *sink = cn_sink_open(def, false, NULL, &err);
        CHECK(sink != NULL && !sink->accepts_retractions);
        if (!sink) { ty_batch_free(b); continue; }
        CHECK(sink->vt->write(sink, b, &err) == 0);
        CHECK(sink->vt->prepare(sink, &err) == 0);
        CHECK(sink->vt->commit(sink, 1, &err) == 0);
        /* the same commit again (a retry) changes nothing and succeeds */
        CHECK(sink->vt->commit(sink, 1, &err) == 0);
        cn_sink_close(sink);
        /* a retraction poisons a (second) sink, which then commits nothing */
        sink = cn_sink_open(def, false, NULL, &err);
        CHECK(sink != NULL);
        if (sink) {
            b->weights[0] = -1;
            CHECK(sink->vt->write(sink, b, &err) == -1 && err.set);
            b->weights[0] = 1;
            cn_sink_close(sink);
        }
        wb_error_clear(&err);

        char *file = committed_part(dir);
        const char *ropts[] = {"connector", "filesystem", "path", dir, "format", formats[f], NULL};
        const char *back = read_all(table("o", 5, sample_names, types, ropts), 100, &err, NULL);
        CHECK_STR(back,
                  "+I[1, tmsA, 3.50, 2024-01-31 23:59:59.123, 1.5]\n"
                  "+I[2, , null, null, null]\n"
                  "+I[null, a,\"b\"\nc, -0.01, 2024-02-01 00:00:00.000, -2.0]\n"
                  "+I[4, NULL, 0.00, 1970-01-01 00:00:00.000, 0.1]\n");
        CHECK(file != NULL && strstr(file, "/part-") != NULL);
        FILE *in = file ? fopen(file, "r") : NULL;
        char first[200] = "";
        if (in) {
            if (!fgets(first, sizeof first, in)) first[0] = '\0';
            fclose(in);
        }
        CHECK_STR(first, f == 0 ? "1,tmsA,3.50,2024-01-31 23:59:59.123,1.5\n"
                                : "{\"id\":1,\"s\":\"tmsA\",\"m\":3.50,\"ts\":\"2024-01-31 23:59:59.123\",\"d\":1.5}\n");
        ty_batch_free(b);
    }
    /* csv null literal written back */
    Batch *b = sample_batch();
    char *file = wb_arena_printf(arena, "%s/nl", tmpdir);
    const char *opts[] = {"connector", "filesystem", "path", file, "format", "csv", "csv.null-literal", "NULL", NULL};
    WbError err;
    wb_error_clear(&err);
    Sink *sink = cn_sink_open(table("o", 5, sample_names, types, opts), false, NULL, &err);
    CHECK(sink != NULL);
    if (sink) {
        CHECK(sink->vt->write(sink, b, &err) == 0);
        CHECK(sink->vt->prepare(sink, &err) == 0);
        CHECK(sink->vt->commit(sink, 1, &err) == 0);
        cn_sink_close(sink);
        const char *back = read_all(table("o", 5, sample_names, types, opts), 3, &err, NULL);
        CHECK(back && strstr(back, "+I[4, NULL, 0.00") != NULL);      /* the string, quoted on write */
        CHECK(back && strstr(back, "+I[2, , null, null, null]") != NULL);
    }
    ty_batch_free(b);
}

static void test_changelog_text(void)
{
    Batch *b = sample_batch();
    WbBuf out = {0};
    cn_format_changelog_row(b, 1, RK_DELETE, &out);
    CHECK_STR(wb_buf_cstr(&out), "-D[2, , null, null, null]");
    wb_buf_free(&out);
    ty_batch_free(b);
}

/* ---- fuzz: random and mutated records never crash the decoders ---- */

static void fuzz_one(CsvDecoder *csv, JsonDecoder *json, Batch *out, const char *text, size_t len,
                     bool eof)
{
    for (int which = 0; which < 2; which++) {
        RecordInput in = {0};
        in.data = text;
        in.len = len;
        in.eof = eof;
        in.line = 1;
        in.path = "fuzz";
        WbError err;
        for (int round = 0; round < 100; round++) {
            ty_batch_reset(out);
            wb_error_clear(&err);
            int rc = which == 0 ? cn_csv_decode(csv, &in, out, 4, NULL, &err) : cn_json_decode(json, &in, out, 4, &err);
            CHECK(out->nrows <= 4 && in.pos <= in.len);
            if (rc != CN_FULL) {
                if (rc == CN_NEED_MORE && eof) CHECK(in.pos == in.len);
                break;
            }
        }
    }
}

static void test_fuzz(void)
{
    /* d: a DECIMAL(38, 10), read by the 128-bit parsers */
    const char *names[] = {"a", "b", "c", "d"};
    SqlType types[] = {T(TY_INT), T(TY_STRING), ty_decimal(8, 3), ty_decimal(38, 10)};
    const char *seeds[] = {
        "1,\"x,y\",2.5,-9999999999999999999999999999.99999999995\n3,,,1e-11\n\"4\",\"\"\"\",1e2,1234567890123456789012345678901234567890\r\n",
        "{\"a\": 1, \"b\": \"\\u00e9\", \"c\": 1.25, \"d\": 12345678901234567890.12345678905}\n{\"data\":[{\"a\":\"1\",\"d\":\"-0.00000000005\"}],\"old\":[{}],\"type\":\"UPDATE\"}\n",
        "{\"before\":{\"a\":1},\"after\":{\"a\":2},\"op\":\"u\"}\n{\"payload\":{\"op\":\"d\",\"before\":{\"b\":[1,{}]}}}\n",
    };
    const char alphabet[] = "{}[]\",:\\u0123456789.eE-+ \n\rtrufalsnbcdopyeATIUPDX#";
    WbRand rng;
    wb_rand_seed(&rng, 42);
    Batch *out = ty_batch_new(types, 4, 4);
    char buf[256];
    /* WEIR_FUZZ_ITERS runs a longer fuzz by hand */
    const char *env = getenv("WEIR_FUZZ_ITERS");
    int iters = env ? atoi(env) : 4000;
    for (int ignore = 0; ignore < 2; ignore++) {
        for (int fmt = CN_FMT_JSON; fmt <= CN_FMT_CANAL; fmt++) {
            const char *opts[] = {"connector", "filesystem", NULL};
            TableDef *def = table("f", 4, names, types, opts);
            /* the CANAL round also runs csv with quoting disabled and ';' */
            CsvOptions copts = {fmt == CN_FMT_CANAL ? ';' : ',', fmt == CN_FMT_CANAL ? -1 : '"',
                                ignore != 0, ignore != 0, ignore ? "N" : NULL};
            JsonOptions jopts = {(CnFormat)fmt, ignore != 0, false, false};
            CsvDecoder *csv = cn_csv_decoder_new(def, &copts);
            JsonDecoder *json = cn_json_decoder_new(def, &jopts);
            for (int iter = 0; iter < iters; iter++) {
                size_t len;
                if (iter % 3 == 0) {
                    len = wb_rand_below(&rng, sizeof buf);
                    for (size_t i = 0; i < len; i++)
                        buf[i] = alphabet[wb_rand_below(&rng, sizeof alphabet - 1)];
                } else {
                    const char *seed = seeds[wb_rand_below(&rng, WB_ARRAY_LEN(seeds))];
                    len = strlen(seed);
                    memcpy(buf, seed, len);
                    int edits = 1 + (int)wb_rand_below(&rng, 4);
                    for (int e = 0; e < edits && len > 0; e++) {
                        size_t at = wb_rand_below(&rng, len);
                        switch (wb_rand_below(&rng, 3)) {
                        case 0: buf[at] = alphabet[wb_rand_below(&rng, sizeof alphabet - 1)]; break;
                        case 1: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
                        default: buf[at] = (char)wb_rand_below(&rng, 256); break;
                        }
                    }
                }
                /* exact-size heap copy so ASan sees any read past the end */
                char *text = wb_malloc(len ? len : 1);
                memcpy(text, buf, len);
                fuzz_one(csv, json, out, text, len, iter % 2 == 0);
                size_t at, err_len = len;
                const char *reason;
                JsonDoc doc;
                cn_json_doc_init(&doc);
                if (cn_json_parse(&doc, text, len, &at, &reason) != 0) CHECK(at <= err_len && reason);
                cn_json_doc_free(&doc);
                free(text);
            }
            cn_csv_decoder_free(csv);
            cn_json_decoder_free(json);
        }
    }
    ty_batch_free(out);
}

int main(void)
{
    arena = wb_arena_new(0);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_csv_basics);
    RUN(test_csv_errors);
    RUN(test_chunk_boundaries);
    RUN(test_directory);
    RUN(test_directory_links);
    RUN(test_json_values);
    RUN(test_json_parser);
    RUN(test_debezium);
    RUN(test_canal);
    RUN(test_canal_old_rows);
    RUN(test_datagen);
    RUN(test_print_sink);
    RUN(test_fs_sink_roundtrip);
    RUN(test_changelog_text);
    RUN(test_fuzz);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    wb_arena_free(arena);
    return check_done();
}
