/*
 * test_csv_paths.c - the csv decoder's fast path for plain records against
 * its general tokenizer: random csv text (plain, quoted and empty fields,
 * CRLF, blank lines, comments, null literals, wrong field counts, bad
 * values, a missing final line break) decoded through windows of random
 * sizes, once with the fast path and once without, must give the same rows,
 * the same error with the same position, and the same record counts.
 */
#include <stdlib.h>

#include "check.h"
#include "connect/connect_int.h"

extern bool cn_csv_plain_fast_path;   /* fmt_csv.c, for tests */

typedef struct Result {
    WbBuf text;                  /* rows as changelog lines, then the error */
    int64_t records, dirty;
} Result;

/* Decodes `text` with windows growing by `step` bytes, as the filesystem
 * source would see it, max_rows rows per call. */
static void decode(CsvDecoder *dec, const SqlType *types, int32_t ncols, const char *text,
                   size_t len, size_t step, int32_t max_rows, Result *res)
{
    Batch *out = ty_batch_new(types, ncols, max_rows);
    RecordInput in = {text, len < step ? len : step, 0, len <= step, 1, 0, "t.csv", 0, 0};
    WbError err;
    wb_error_clear(&err);
    wb_buf_clear(&res->text);
    for (int guard = 0; guard < 100000; guard++) {
        ty_batch_reset(out);
        int rc = cn_csv_decode(dec, &in, out, max_rows, NULL, &err);
        if (rc < 0) {
            wb_buf_printf(&res->text, "error %s line %d offset %lld: %s\n", err.sqlstate, err.line,
                          (long long)err.offset, err.message);
            break;
        }
        for (int32_t row = 0; row < out->nrows; row++) {
            cn_format_changelog_row(out, row, RK_INSERT, &res->text);
            wb_buf_putc(&res->text, '\n');
        }
        if (rc == CN_FULL) continue;
        if (in.eof) break;
        in.len = in.len + step < len ? in.len + step : len;
        in.eof = in.len == len;
    }
    res->records = in.records;
    res->dirty = in.dirty;
    ty_batch_free(out);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t below)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % below;
}

/* One field of mostly well-formed csv, now and then something odd. */
static void random_field(WbBuf *out, int32_t col)
{
    static const char *const odd[] = {"\"a,b\"", "\"x\"\"y\"", "\"\"", "\"multi\nline\"", "a\"b",
                                      "\"q\"x", "N", " 7 ", "+3", "abc", "99999999999999999999",
                                      "-9223372036854775808", "1e3", "\"12\""};
    uint64_t pick = rnd(100);
    if (pick < 8) {
        wb_buf_puts(out, odd[rnd(WB_ARRAY_LEN(odd))]);
        return;
    }
    if (pick < 14) return;   /* empty: NULL */
    if (col == 1) {          /* STRING */
        size_t n = 1 + rnd(12);
        for (size_t i = 0; i < n; i++) wb_buf_putc(out, (char)('a' + rnd(26)));
        return;
    }
    if (rnd(2)) wb_buf_putc(out, '-');
    size_t n = 1 + rnd(col == 2 ? 6 : 19);
    for (size_t i = 0; i < n; i++) wb_buf_putc(out, (char)('0' + rnd(10)));
    if (col == 2 && rnd(2)) wb_buf_printf(out, ".%d", (int)rnd(100));
}

static void random_text(WbBuf *out, int32_t ncols, bool clean)
{
    wb_buf_clear(out);
    int32_t nrec = (int32_t)rnd(60);
    for (int32_t rec = 0; rec < nrec; rec++) {
        uint64_t shape = clean ? 99 : rnd(100);
        if (shape < 3) { wb_buf_putc(out, '\n'); continue; }           /* blank line */
        if (shape < 5) { wb_buf_puts(out, "# note,x\n"); continue; }    /* comment */
        int32_t nf = ncols;
        if (shape < 8) nf = ncols + (rnd(2) ? 1 : -1);                  /* field count */
        for (int32_t f = 0; f < nf; f++) {
            if (f) wb_buf_putc(out, ',');
            if (clean) {
                WbBuf tmp = {0};
                do {
                    wb_buf_clear(&tmp);
                    random_field(&tmp, f % ncols);
                } while (tmp.len && (memchr(tmp.data, '"', tmp.len) || memchr(tmp.data, ' ', tmp.len) ||
                                     memchr(tmp.data, 'a', tmp.len) || memchr(tmp.data, 'e', tmp.len) ||
                                     memchr(tmp.data, '+', tmp.len) || tmp.len >= 20));
                if (tmp.len) wb_buf_append(out, tmp.data, tmp.len);
                wb_buf_free(&tmp);
            } else {
                random_field(out, f % ncols);
            }
        }
        if (rec + 1 < nrec || rnd(4)) wb_buf_puts(out, !clean && rnd(10) == 0 ? "\r\n" : "\n");
    }
}

static void test_paths(void)
{
    const SqlType types[3] = {ty_make(TY_BIGINT), ty_make(TY_STRING), ty_decimal(8, 2)};
    TableDef def;
    ColumnDef cols[3];
    memset(&def, 0, sizeof def);
    memset(cols, 0, sizeof cols);
    const char *names[3] = {"k", "s", "d"};
    for (int i = 0; i < 3; i++) {
        cols[i].name = (char *)names[i];
        cols[i].type = types[i];
    }
    def.name = "t";
    def.cols = cols;
    def.watermark_col = -1;
    WbBuf text = {0};
    Result fast = {{0}, 0, 0}, slow = {{0}, 0, 0};
    int mismatches = 0, runs = 0, fast_rows = 0;
    /* WEIR_FUZZ_ITERS runs a longer comparison by hand */
    const char *env = getenv("WEIR_FUZZ_ITERS");
    int iters = env ? atoi(env) : 20000;
    for (int iter = 0; iter < iters; iter++) {
        int32_t ncols = 1 + (int32_t)rnd(3);
        def.ncols = ncols;
        CsvOptions opts = {',', '"', false, false, NULL};
        switch (rnd(5)) {
        case 0: opts.ignore_errors = true; break;
        case 1: opts.allow_comments = true; break;
        case 2: opts.null_literal = "N"; break;
        case 3: opts.quote = -1; opts.delimiter = ';'; break;
        default: break;
        }
        random_text(&text, ncols, iter % 3 == 0);
        if (opts.delimiter == ';')
            for (size_t i = 0; i < text.len; i++)
                if (text.data[i] == ',') text.data[i] = ';';
        size_t step = 1 + rnd(iter % 2 ? 200 : 4000);
        int32_t max_rows = 1 + (int32_t)rnd(iter % 2 ? 5 : 3000);
        /* an exact-size heap copy so ASan catches any read past the end */
        char *copy = wb_malloc(text.len ? text.len : 1);
        if (text.len) memcpy(copy, text.data, text.len);
        CsvDecoder *dec = cn_csv_decoder_new(&def, &opts);
        cn_csv_plain_fast_path = true;
        decode(dec, types, ncols, copy, text.len, step, max_rows, &fast);
        cn_csv_decoder_free(dec);
        dec = cn_csv_decoder_new(&def, &opts);
        cn_csv_plain_fast_path = false;
        decode(dec, types, ncols, copy, text.len, step, max_rows, &slow);
        cn_csv_decoder_free(dec);
        cn_csv_plain_fast_path = true;
        runs++;
        bool same = fast.text.len == slow.text.len &&
                    (fast.text.len == 0 || memcmp(fast.text.data, slow.text.data, fast.text.len) == 0) &&
                    fast.records == slow.records && fast.dirty == slow.dirty;
        if (!same && mismatches++ < 3)
            fprintf(stderr, "input:\n%.*s\n-- fast:\n%.*s-- general:\n%.*s", (int)text.len,
                    text.data, (int)fast.text.len, fast.text.data, (int)slow.text.len,
                    slow.text.data);
        if (fast.text.len && !strstr(wb_buf_cstr(&fast.text), "error")) fast_rows++;
        free(copy);
    }
    CHECK(mismatches == 0);
    CHECK(fast_rows > runs / 4);   /* the inputs are not all errors */
    wb_buf_free(&text);
    wb_buf_free(&fast.text);
    wb_buf_free(&slow.text);
}

int main(void)
{
    RUN(test_paths);
    return check_done();
}
