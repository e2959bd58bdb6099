/*
 * test_parquet.c - the Parquet writer and reader (src/store/parquet.h):
 * round trips of every weir type with NULLs under each compression, with
 * and without dictionaries, across many row groups and pages; file and
 * row-group statistics; skipping by predicates; projection; and a fuzz
 * loop of truncations and byte flips that must end in errors or data,
 * never a crash.
 */
#include "check.h"
#include "store/parquet.h"
#include "store/parquet_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static const char *path_of(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* Every weir type; the NOT NULL ones are REQUIRED columns. */
#define NCOLS 17
static const char *const names[NCOLS] = {
    "b", "i", "bi", "d5", "d18", "d38", "dbl", "s", "by", "dt", "tm", "ts", "tsl", "ivd", "ivy",
    "req_i", "low_s"};

static void all_types(SqlType *t)
{
    t[0] = ty_make(TY_BOOLEAN);
    t[1] = ty_make(TY_INT);
    t[2] = ty_make(TY_BIGINT);
    t[3] = ty_decimal(5, 2);
    t[4] = ty_decimal(18, 4);
    t[5] = ty_decimal(38, 10);
    t[6] = ty_make(TY_DOUBLE);
    t[7] = ty_make(TY_STRING);
    t[8] = ty_make(TY_BYTES);
    t[9] = ty_make(TY_DATE);
    t[10] = ty_make(TY_TIME);
    t[11] = ty_timestamp(6);
    t[12] = ty_timestamp(6);
    t[12].ltz = 1;
    t[13] = ty_make(TY_INTERVAL_DT);
    t[14] = ty_make(TY_INTERVAL_YM);
    t[15] = ty_make(TY_INT);
    t[15].nullable = 0;
    t[16] = ty_make(TY_STRING);   /* few distinct values: dictionary */
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Fills rows [0, n) with values derived from (seed, row); ~1 in 8 NULL
 * in nullable columns. */
static void fill(Batch *b, int32_t n, int64_t first_row)
{
    char text[64];
    for (int32_t r = 0; r < n; r++) {
        int64_t k = first_row + r;
        rng_state = (uint64_t)k * 0x9E3779B97F4A7C15ull + 1;
        for (int32_t c = 0; c < NCOLS; c++) {
            ColumnVector *v = &b->cols[c];
            v->nulls[r] = v->type.nullable && rnd() % 8 == 0;
            int64_t x = (int64_t)rnd();
            switch (c) {
            case 0: v->i64[r] = x & 1; break;
            case 1: v->i64[r] = (int32_t)x; break;
            case 2: v->i64[r] = x; break;
            case 3: v->i64[r] = x % 100000; break;
            case 4: v->i64[r] = x % 1000000000000000000LL; break;
            case 5: {
                ty_i128 big = (ty_i128)x * (ty_i128)(int64_t)(rnd() % 1000000000000000000ULL);
                if (k % 17 == 0) big = ty_pow10_128(38) - 1;
                if (k % 19 == 0) big = -(ty_pow10_128(38) - 1);
                v->i128[r] = big;
                break;
            }
            case 6: {
                double d = (double)x / 1e6;
                if (k % 23 == 0) d = -0.0;
                v->f64[r] = d;
                break;
            }
            case 7: {
                int len = (int)(rnd() % 20);
                for (int i = 0; i < len; i++) text[i] = (char)('a' + rnd() % 26);
                if (k % 29 == 0) len = snprintf(text, sizeof text, "ünïcödé €");
                v->str[r] = ty_batch_str(b, text, (uint32_t)len);
                break;
            }
            case 8: {
                int len = (int)(rnd() % 10);
                for (int i = 0; i < len; i++) text[i] = (char)rnd();
                v->str[r] = ty_batch_str(b, text, (uint32_t)len);
                break;
            }
            case 9: v->i64[r] = x % 100000; break;
            case 10: v->i64[r] = (int64_t)((uint64_t)x % 86400000ULL); break;
            case 11:
            case 12: v->i64[r] = x % 4000000000000000LL; break;
            case 13: v->i64[r] = x % 100000000000LL; break;   /* negative ones too */
            case 14: v->i64[r] = x % 10000; break;
            case 15: v->i64[r] = (int32_t)(x >> 7); break;
            case 16: {
                int len = snprintf(text, sizeof text, "v%d", (int)(rnd() % 7));
                v->str[r] = ty_batch_str(b, text, (uint32_t)len);
                break;
            }
            }
        }
        b->weights[r] = 1;
    }
    b->nrows = n;
}

static bool cell_equal(const ColumnVector *a, int32_t ra, const ColumnVector *b, int32_t rb)
{
    if (a->nulls[ra] || b->nulls[rb]) return a->nulls[ra] && b->nulls[rb];
    switch (ty_phys(a->type)) {
    case PK_I64: return a->i64[ra] == b->i64[rb];
    case PK_F64: return memcmp(&a->f64[ra], &b->f64[rb], 8) == 0;
    case PK_I128: return a->i128[ra] == b->i128[rb];
    case PK_STR:
        return a->str[ra].len == b->str[rb].len &&
               memcmp(a->str[ra].ptr, b->str[rb].ptr, a->str[ra].len) == 0;
    }
    return false;
}

/* Writes `rows` rows in batches of 1000 with opts; returns the stats. */
static int write_file(const char *path, const PqWriteOptions *opts, int64_t rows, WbArena *arena,
                      PqFileStats *stats)
{
    SqlType types[NCOLS];
    all_types(types);
    WbError err = {0};
    unlink(path);
    PqKeyValue kv[2] = {{"weir.test", "yes"}, {"empty", NULL}};
    PqWriter *w = pq_writer_open(path, NCOLS, names, types, opts, kv, 2, &err);
    CHECK(w != NULL);
    if (!w) {
        fprintf(stderr, "open: %s\n", err.message);
        return -1;
    }
    Batch *b = ty_batch_new(types, NCOLS, 1000);
    for (int64_t at = 0; at < rows; at += 1000) {
        ty_batch_reset(b);
        int32_t n = (int32_t)(rows - at < 1000 ? rows - at : 1000);
        fill(b, n, at);
        if (pq_writer_write(w, b, &err) != 0) {
            fprintf(stderr, "write: %s\n", err.message);
            CHECK(false);
            ty_batch_free(b);
            pq_writer_abort(w);
            return -1;
        }
    }
    ty_batch_free(b);
    int rc = pq_writer_close(w, arena, stats, &err);
    if (rc != 0) fprintf(stderr, "close: %s\n", err.message);
    CHECK(rc == 0);
    return rc;
}

/* Reads every column back and compares with fill(). */
static void read_and_compare(const char *path, int64_t rows)
{
    SqlType types[NCOLS];
    all_types(types);
    WbError err = {0};
    PqReader *r = pq_reader_open(path, &err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "open: %s\n", err.message);
        return;
    }
    CHECK(pq_reader_num_rows(r) == rows);
    CHECK(pq_reader_ncols(r) == NCOLS);
    CHECK_STR(pq_reader_kv_get(r, "weir.test"), "yes");
    for (int32_t c = 0; c < NCOLS && c < pq_reader_ncols(r); c++) {
        CHECK_STR(pq_reader_column(r, c)->name, names[c]);
        CHECK(pq_reader_column(r, c)->unsupported == NULL);
        CHECK(pq_type_compatible(pq_reader_column(r, c)->type, types[c]));
        CHECK(pq_reader_column(r, c)->type.nullable == types[c].nullable);
    }
    int32_t cols[NCOLS];
    for (int32_t c = 0; c < NCOLS; c++) cols[c] = c;
    PqScan *s = pq_scan_open(r, cols, NCOLS, types, NULL, 0, &err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "scan: %s\n", err.message);
        pq_reader_close(r);
        return;
    }
    Batch *got = ty_batch_new(types, NCOLS, 777);
    Batch *want = ty_batch_new(types, NCOLS, 777);
    int64_t at = 0;
    int mismatches = 0;
    for (;;) {
        ty_batch_reset(got);
        int32_t n = pq_scan_next(s, got, NULL, 777, &err);
        CHECK(n >= 0);
        if (n < 0) fprintf(stderr, "next: %s\n", err.message);
        if (n <= 0) break;
        /* want: rows at.. at+n, built by fill in pieces of the writer's batches */
        ty_batch_reset(want);
        for (int32_t i = 0; i < n; i++) {
            Batch *one = ty_batch_new(types, NCOLS, 1);
            fill(one, 1, at + i);
            ty_batch_append_row(want, one, 0, 1);
            ty_batch_free(one);
        }
        for (int32_t i = 0; i < n; i++)
            for (int32_t c = 0; c < NCOLS; c++)
                if (!cell_equal(&got->cols[c], i, &want->cols[c], i) && mismatches++ < 5)
                    fprintf(stderr, "row %lld column %s differs\n", (long long)(at + i), names[c]);
        at += n;
    }
    CHECK(mismatches == 0);
    CHECK(at == rows);
    ty_batch_free(got);
    ty_batch_free(want);
    pq_scan_close(s);
    pq_reader_close(r);
}

static void roundtrip(PqCompression comp, bool dict, int64_t rg_rows, int32_t page_bytes, int64_t rows)
{
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.compression = comp;
    o.dictionary = dict;
    o.row_group_rows = rg_rows;
    o.page_bytes = page_bytes;
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats st;
    if (write_file(path_of("rt.parquet"), &o, rows, &arena, &st) == 0) {
        CHECK(st.num_rows == rows);
        CHECK(st.num_row_groups == (int32_t)((rows + rg_rows - 1) / rg_rows));
        struct stat sb;
        CHECK(stat(path_of("rt.parquet"), &sb) == 0 && sb.st_size == st.file_size);
        read_and_compare(path_of("rt.parquet"), rows);
    }
    wb_arena_destroy(&arena);
}

static void test_roundtrip_plain_none(void) { roundtrip(PQ_COMPRESS_NONE, false, 100000, 1 << 20, 5000); }
static void test_roundtrip_dict_snappy(void) { roundtrip(PQ_COMPRESS_SNAPPY, true, 100000, 1 << 20, 5000); }
static void test_roundtrip_zstd_many_groups(void) { roundtrip(PQ_COMPRESS_ZSTD, true, 700, 512, 10000); }
static void test_roundtrip_gzip_plain_pages(void) { roundtrip(PQ_COMPRESS_GZIP, false, 3000, 300, 7000); }

/* A dictionary that outgrows its limit falls back to PLAIN (still exact). */
static void test_dictionary_fallback(void)
{
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.dictionary_page_bytes = 200;
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats st;
    if (write_file(path_of("fb.parquet"), &o, 3000, &arena, &st) == 0) read_and_compare(path_of("fb.parquet"), 3000);
    wb_arena_destroy(&arena);
}

static void test_empty_file(void)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats st;
    if (write_file(path_of("empty.parquet"), NULL, 0, &arena, &st) == 0) {
        CHECK(st.num_rows == 0);
        CHECK(st.cols[2].has_min_max == false);
        read_and_compare(path_of("empty.parquet"), 0);
    }
    wb_arena_destroy(&arena);
}

/* File statistics equal the min/max/NULL count computed from the data. */
static void test_file_stats(void)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats st;
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_rows = 999;
    int64_t rows = 4321;
    if (write_file(path_of("st.parquet"), &o, rows, &arena, &st) != 0) {
        wb_arena_destroy(&arena);
        return;
    }
    SqlType types[NCOLS];
    all_types(types);
    Batch *b = ty_batch_new(types, NCOLS, (int32_t)rows);
    fill(b, (int32_t)rows, 0);
    for (int32_t c = 0; c < NCOLS; c++) {
        int64_t nulls = 0;
        int32_t lo = -1, hi = -1;
        for (int32_t r = 0; r < rows; r++) {
            if (b->cols[c].nulls[r]) {
                nulls++;
                continue;
            }
            if (lo < 0 || ty_compare(&b->cols[c], r, &b->cols[c], lo) < 0) lo = r;
            if (hi < 0 || ty_compare(&b->cols[c], r, &b->cols[c], hi) > 0) hi = r;
        }
        CHECK(st.cols[c].null_count == nulls);
        if (types[c].id == TY_INTERVAL_DT || types[c].id == TY_INTERVAL_YM) {
            CHECK(!st.cols[c].has_min_max);
            continue;
        }
        CHECK(st.cols[c].has_min_max);
        ColumnVector v = {.type = types[c]};
        uint8_t nn[2] = {0, 0};
        v.nulls = nn;
        int64_t i2[2];
        double f2[2];
        ty_i128 w2[2];
        WbStr s2[2];
        switch (ty_phys(types[c])) {
        case PK_I64: i2[0] = st.cols[c].min.i64; i2[1] = st.cols[c].max.i64; v.i64 = i2; break;
        case PK_F64: f2[0] = st.cols[c].min.f64; f2[1] = st.cols[c].max.f64; v.f64 = f2; break;
        case PK_I128: w2[0] = st.cols[c].min.i128; w2[1] = st.cols[c].max.i128; v.i128 = w2; break;
        case PK_STR: s2[0] = st.cols[c].min.str; s2[1] = st.cols[c].max.str; v.str = s2; break;
        }
        if (ty_compare(&v, 0, &b->cols[c], lo) != 0 || ty_compare(&v, 1, &b->cols[c], hi) != 0) {
            fprintf(stderr, "stats of %s differ\n", names[c]);
            CHECK(false);
        }
    }
    /* row-group statistics as read back */
    WbError err = {0};
    PqReader *r = pq_reader_open(path_of("st.parquet"), &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(pq_reader_num_row_groups(r) == 5);
        int64_t nulls = 0;
        for (int32_t g = 0; g < pq_reader_num_row_groups(r); g++) {
            const PqColumnStats *cs = pq_reader_row_group_stats(r, g, 2);
            CHECK(cs->has_min_max);
            nulls += cs->null_count;
            CHECK(!pq_reader_row_group_stats(r, g, 13)->has_min_max);
        }
        CHECK(nulls == st.cols[2].null_count);
        pq_reader_close(r);
    }
    ty_batch_free(b);
    wb_arena_destroy(&arena);
}

/* A sorted BIGINT column and a string column over 10 row groups: range
 * predicates skip the groups that cannot match and keep the rest. */
static void test_stats_skipping(void)
{
    SqlType types[3] = {ty_make(TY_BIGINT), ty_make(TY_STRING), ty_decimal(30, 2)};
    const char *nm[3] = {"k", "s", "d"};
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_rows = 1000;
    WbError err = {0};
    unlink(path_of("skip.parquet"));
    PqWriter *w = pq_writer_open(path_of("skip.parquet"), 3, nm, types, &o, NULL, 0, &err);
    CHECK(w != NULL);
    if (!w) return;
    Batch *b = ty_batch_new(types, 3, 10000);
    char text[32];
    for (int32_t r = 0; r < 10000; r++) {
        b->cols[0].i64[r] = r;
        b->cols[0].nulls[r] = r >= 9000 && r % 2;   /* NULLs in the last group only */
        int len = snprintf(text, sizeof text, "key%05d", r);
        b->cols[1].str[r] = ty_batch_str(b, text, (uint32_t)len);
        b->cols[1].nulls[r] = 0;
        b->cols[2].i128[r] = (ty_i128)r * 100;
        b->cols[2].nulls[r] = 0;
        b->weights[r] = 1;
    }
    b->nrows = 10000;
    CHECK(pq_writer_write(w, b, &err) == 0);
    CHECK(pq_writer_close(w, NULL, NULL, &err) == 0);
    ty_batch_free(b);

    PqReader *r = pq_reader_open(path_of("skip.parquet"), &err);
    CHECK(r != NULL);
    if (!r) return;
    struct {
        PqPredicate p[2];
        int32_t np;
        int32_t want_groups;
        int64_t want_rows;   /* rows of the groups read */
    } cases[] = {
        {{{0, PQ_OP_EQ, {.i64 = 4500}, 0}}, 1, 1, 1000},
        {{{0, PQ_OP_LT, {.i64 = 1000}, 0}}, 1, 1, 1000},
        {{{0, PQ_OP_LE, {.i64 = 1000}, 0}}, 1, 2, 2000},
        {{{0, PQ_OP_GT, {.i64 = 8998}, 0}}, 1, 2, 2000},
        {{{0, PQ_OP_GE, {.i64 = 20000}, 0}}, 1, 0, 0},
        {{{0, PQ_OP_IS_NULL, {0}, 0}}, 1, 1, 1000},
        {{{0, PQ_OP_IS_NOT_NULL, {0}, 0}}, 1, 10, 10000},
        {{{0, PQ_OP_GE, {.i64 = 2000}, 0}, {0, PQ_OP_LT, {.i64 = 4000}, 0}}, 2, 2, 2000},
        {{{1, PQ_OP_EQ, {.str = {"key07777", 8}}, 0}}, 1, 1, 1000},
        {{{1, PQ_OP_GT, {.str = {"kez", 3}}, 0}}, 1, 0, 0},
        {{{2, PQ_OP_LT, {.i128 = 100000}, 0}}, 1, 1, 1000},
        {{{2, PQ_OP_EQ, {.i128 = 12345}, 0}, {1, PQ_OP_GE, {.str = {"key", 3}}, 0}}, 2, 1, 1000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t cols[2] = {0, 1};
        PqScan *s = pq_scan_open(r, cols, 2, NULL, cases[i].p, cases[i].np, &err);
        CHECK(s != NULL);
        if (!s) continue;
        Batch *out = ty_batch_new(types, 2, 4096);
        int64_t rows = 0;
        int32_t n;
        while ((n = pq_scan_next(s, out, NULL, 4096, &err)) > 0) {
            rows += n;
            ty_batch_reset(out);
        }
        CHECK(n == 0);
        if (pq_scan_row_groups_read(s) != cases[i].want_groups || rows != cases[i].want_rows) {
            fprintf(stderr, "case %zu: %d groups, %lld rows\n", i, pq_scan_row_groups_read(s), (long long)rows);
            CHECK(false);
        }
        CHECK(pq_scan_row_groups_read(s) + pq_scan_row_groups_skipped(s) == 10);
        ty_batch_free(out);
        pq_scan_close(s);
    }
    pq_reader_close(r);
}

/* Pages skipped by their own statistics inside one row group: pages of
 * ~100 rows whose boundaries differ between columns (a dictionary string
 * column, NULLs in the key), read in calls of 37 rows.  Every row that
 * comes out is whole (its columns belong together), every row the
 * predicates want comes out, and far fewer than all rows are read. */
static void test_page_skipping(void)
{
    enum { ROWS = 20000 };
    SqlType types[4] = {ty_make(TY_BIGINT), ty_make(TY_BIGINT), ty_make(TY_STRING), ty_decimal(30, 2)};
    types[0].nullable = 0;
    const char *nm[4] = {"id", "k", "s", "d"};
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_bytes = 800;
    WbError err = {0};
    unlink(path_of("pages.parquet"));
    PqWriter *w = pq_writer_open(path_of("pages.parquet"), 4, nm, types, &o, NULL, 0, &err);
    CHECK(w != NULL);
    if (!w) return;
    Batch *b = ty_batch_new(types, 4, ROWS);
    char text[32];
    for (int32_t r = 0; r < ROWS; r++) {
        b->cols[0].i64[r] = r;
        b->cols[0].nulls[r] = 0;
        b->cols[1].i64[r] = r;
        b->cols[1].nulls[r] = r % 97 == 0;
        int len = snprintf(text, sizeof text, "s%d", r % 7);
        b->cols[2].str[r] = ty_batch_str(b, text, (uint32_t)len);
        b->cols[2].nulls[r] = r % 5 == 0;
        b->cols[3].i128[r] = (ty_i128)r * 100;
        b->cols[3].nulls[r] = 0;
        b->weights[r] = 1;
    }
    b->nrows = ROWS;
    CHECK(pq_writer_write(w, b, &err) == 0);
    CHECK(pq_writer_close(w, NULL, NULL, &err) == 0);
    ty_batch_free(b);
    PqReader *r = pq_reader_open(path_of("pages.parquet"), &err);
    CHECK(r != NULL && pq_reader_num_row_groups(r) == 1);
    if (!r) return;
    struct {
        PqPredicate p[2];
        int32_t np;
        int64_t lo, hi;      /* ids the predicates want: [lo, hi) (k not NULL) */
        int64_t max_rows;    /* at most this many rows read */
    } cases[] = {
        {{{1, PQ_OP_GE, {.i64 = 7000}, 0}, {1, PQ_OP_LT, {.i64 = 7100}, 0}}, 2, 7000, 7100, 600},
        {{{1, PQ_OP_EQ, {.i64 = 19999}, 0}}, 1, 19999, 20000, 300},
        {{{1, PQ_OP_LE, {.i64 = 0}, 0}}, 1, 0, 1, 300},
        {{{1, PQ_OP_GE, {.i64 = 5000}, 0}, {3, PQ_OP_LT, {.i128 = 100000}, 0}}, 2, 0, 0, 0},
        {{{3, PQ_OP_GE, {.i128 = 1500000}, 0}}, 1, 15000, 20000, 5600},
        {{{1, PQ_OP_IS_NULL, {0}, 0}}, 1, 0, 0, ROWS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t cols[4] = {0, 1, 2, 3};
        PqScan *s = pq_scan_open(r, cols, 4, NULL, cases[i].p, cases[i].np, &err);
        CHECK(s != NULL);
        if (!s) continue;
        Batch *out = ty_batch_new(types, 4, 64);
        int64_t rows = 0, bad = 0, wanted = 0;
        int32_t n;
        while ((n = pq_scan_next(s, out, NULL, 37, &err)) > 0) {
            for (int32_t row = 0; row < out->nrows; row++) {
                int64_t id = out->cols[0].i64[row];
                int len = snprintf(text, sizeof text, "s%d", (int)(id % 7));
                bool k_null = id % 97 == 0, s_null = id % 5 == 0;
                bad += out->cols[1].nulls[row] != k_null || (!k_null && out->cols[1].i64[row] != id) ||
                       out->cols[2].nulls[row] != s_null ||
                       (!s_null && (out->cols[2].str[row].len != (uint32_t)len ||
                                    memcmp(out->cols[2].str[row].ptr, text, (size_t)len) != 0)) ||
                       out->cols[3].i128[row] != (ty_i128)id * 100;
                wanted += id >= cases[i].lo && id < cases[i].hi && !k_null;
            }
            rows += n;
            ty_batch_reset(out);
        }
        CHECK(n == 0);
        int64_t expect = 0;
        for (int64_t id = cases[i].lo; id < cases[i].hi; id++) expect += id % 97 != 0;
        if (bad || wanted != expect || rows > cases[i].max_rows) {
            fprintf(stderr, "case %zu: %lld rows, %lld bad, %lld of %lld wanted\n", i, (long long)rows,
                    (long long)bad, (long long)wanted, (long long)expect);
            CHECK(false);
        }
        ty_batch_free(out);
        pq_scan_close(s);
    }
    /* a disjunction: the pages of either alternative (ids 100 and 15000,
     * and 12345 by d), nothing between; a disjunction with an alternative
     * no page statistics can judge reads everything */
    for (int pass = 0; pass < 2; pass++) {
        PqPredicate any[3] = {{1, PQ_OP_EQ, {.i64 = 100}, 1}, {1, PQ_OP_EQ, {.i64 = 15000}, 1},
                              {3, PQ_OP_EQ, {.i128 = 1234500}, 1}};
        if (pass == 1) any[2] = (PqPredicate){1, PQ_OP_IS_NOT_NULL, {0}, 1};
        int32_t cols[4] = {0, 1, 2, 3};   /* a term's column must be read */
        PqScan *s = pq_scan_open(r, cols, 4, NULL, any, 3, &err);
        CHECK(s != NULL);
        if (!s) break;
        Batch *out = ty_batch_new(types, 4, 64);
        int64_t rows = 0, hits = 0;
        int32_t n;
        while ((n = pq_scan_next(s, out, NULL, 37, &err)) > 0) {
            for (int32_t row = 0; row < out->nrows; row++) {
                int64_t id = out->cols[0].i64[row];
                hits += id == 100 || id == 15000 || id == 12345;
            }
            rows += n;
            ty_batch_reset(out);
        }
        CHECK(n == 0 && hits == 3);
        if (!(pass == 0 ? rows <= 600 : rows == ROWS)) fprintf(stderr, "pass %d: %lld rows\n", pass, (long long)rows);
        CHECK(pass == 0 ? rows <= 600 : rows == ROWS);
        ty_batch_free(out);
        pq_scan_close(s);
    }
    PqPredicate none[2] = {{1, PQ_OP_LT, {.i64 = -5}, 7}, {3, PQ_OP_GT, {.i128 = 100000000}, 7}};
    CHECK(!pq_stats_may_match((SqlType[4]){types[0], types[1], types[2], types[3]},
                              (const PqColumnStats *)pq_reader_row_group_stats(r, 0, 0), ROWS, none, 2));
    pq_reader_close(r);
}

/* Projection: two columns into chosen batch columns; the others untouched. */
static void test_projection(void)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats st;
    if (write_file(path_of("proj.parquet"), NULL, 2500, &arena, &st) != 0) {
        wb_arena_destroy(&arena);
        return;
    }
    wb_arena_destroy(&arena);
    SqlType types[NCOLS];
    all_types(types);
    WbError err = {0};
    PqReader *r = pq_reader_open(path_of("proj.parquet"), &err);
    CHECK(r != NULL);
    if (!r) return;
    int32_t cols[2] = {7, 5};
    int32_t dst[2] = {1, 0};
    SqlType dt[2] = {types[7], types[5]};
    SqlType bt[2] = {types[5], types[7]};
    PqScan *s = pq_scan_open(r, cols, 2, dt, NULL, 0, &err);
    CHECK(s != NULL);
    Batch *out = ty_batch_new(bt, 2, 2500);
    int32_t n, total = 0;
    while (s && (n = pq_scan_next(s, out, dst, 1000, &err)) > 0) total += n;
    CHECK(total == 2500 && out->nrows == 2500);
    Batch *want = ty_batch_new(types, NCOLS, 2500);
    fill(want, 2500, 0);
    int bad = 0;
    for (int32_t i = 0; i < 2500; i++) {
        bad += !cell_equal(&out->cols[0], i, &want->cols[5], i);
        bad += !cell_equal(&out->cols[1], i, &want->cols[7], i);
    }
    CHECK(bad == 0);
    CHECK(pq_reader_find_column(r, "TS") == 11);
    CHECK(pq_reader_find_column(r, "nope") == -1);
    /* an incompatible type is refused, naming the column */
    SqlType wrong = ty_make(TY_DOUBLE);
    int32_t one = 2;
    PqScan *s2 = pq_scan_open(r, &one, 1, &wrong, NULL, 0, &err);
    CHECK(s2 == NULL && strstr(err.message, "\"bi\"") != NULL);
    ty_batch_free(out);
    ty_batch_free(want);
    pq_scan_close(s);
    pq_reader_close(r);
}

static void test_not_null_and_errors(void)
{
    SqlType t = ty_make(TY_INT);
    t.nullable = 0;
    const char *nm[1] = {"x"};
    WbError err = {0};
    unlink(path_of("nn.parquet"));
    PqWriter *w = pq_writer_open(path_of("nn.parquet"), 1, nm, &t, NULL, NULL, 0, &err);
    CHECK(w != NULL);
    if (!w) return;
    Batch *b = ty_batch_new(&t, 1, 4);
    b->nrows = 2;
    b->cols[0].i64[0] = 1;
    b->cols[0].nulls[1] = 1;
    CHECK(pq_writer_write(w, b, &err) == -1);
    CHECK(strstr(err.message, "NOT NULL") != NULL);
    wb_error_clear(&err);
    CHECK(pq_writer_write(w, b, &err) == -1);   /* poisoned */
    pq_writer_abort(w);
    CHECK(access(path_of("nn.parquet"), F_OK) != 0);
    /* an INT column given a value outside 32 bits fails at close */
    t.nullable = 1;
    w = pq_writer_open(path_of("nn.parquet"), 1, nm, &t, NULL, NULL, 0, &err);
    b->cols[0].nulls[1] = 0;
    b->cols[0].i64[1] = (int64_t)1 << 40;
    CHECK(pq_writer_write(w, b, &err) == 0);
    wb_error_clear(&err);
    CHECK(pq_writer_close(w, NULL, NULL, &err) == -1);
    CHECK(access(path_of("nn.parquet"), F_OK) != 0);
    /* not a Parquet file */
    FILE *f = fopen(path_of("junk.parquet"), "w");
    fputs("hello, this is not parquet at all", f);
    fclose(f);
    wb_error_clear(&err);
    CHECK(pq_reader_open(path_of("junk.parquet"), &err) == NULL);
    CHECK(strstr(err.message, "junk.parquet") != NULL);
    CHECK_STR(err.sqlstate, "22000");
    ty_batch_free(b);
}

/* Opens and scans every column; returns 0 (read all), -1 (an error). */
static int read_all(const char *path, int64_t *rows)
{
    WbError err = {0};
    PqReader *r = pq_reader_open(path, &err);
    *rows = 0;
    if (!r) return err.set && err.message[0] ? -1 : -2;
    int32_t ncols = pq_reader_ncols(r);
    int32_t cols[64];
    SqlType types[64], known[NCOLS];
    all_types(known);
    int32_t k = 0;
    for (int32_t c = 0; c < ncols && k < 64; c++) {
        if (pq_reader_column(r, c)->unsupported) continue;
        types[k] = pq_reader_column(r, c)->type;
        /* the INTERVAL family is the table's to say */
        if (c < NCOLS && pq_type_compatible(types[k], known[c])) types[k] = known[c];
        cols[k++] = c;
    }
    PqScan *s = pq_scan_open(r, cols, k, types, NULL, 0, &err);
    int rc = 0;
    if (!s) {
        rc = -1;
    } else {
        Batch *b = ty_batch_new(types, k, 512);
        int32_t n;
        while ((n = pq_scan_next(s, b, NULL, 512, &err)) > 0) {
            *rows += n;
            ty_batch_reset(b);
        }
        if (n < 0) rc = err.message[0] ? -1 : -2;
        ty_batch_free(b);
        pq_scan_close(s);
    }
    /* again with predicates (page statistics parsed and used to skip,
     * a disjunction among them) on the BIGINT column: errors are fine,
     * rows are fine, a crash is not */
    if (rc == 0 && k > 2 && types[2].id == TY_BIGINT) {
        PqPredicate preds[3] = {{cols[2], PQ_OP_GE, {.i64 = -1000000}, 0},
                                {cols[2], PQ_OP_LT, {.i64 = -5}, 1}, {cols[2], PQ_OP_GT, {.i64 = 5}, 1}};
        wb_error_clear(&err);
        s = pq_scan_open(r, cols, k, types, preds, 3, &err);
        if (s) {
            Batch *b = ty_batch_new(types, k, 512);
            int32_t n;
            while ((n = pq_scan_next(s, b, NULL, 97, &err)) > 0) ty_batch_reset(b);
            if (n < 0 && !err.message[0]) rc = -2;
            ty_batch_free(b);
            pq_scan_close(s);
        }
    }
    pq_reader_close(r);
    return rc;
}

/* Truncations and byte flips of the file at `src`: each read ends in an
 * error with a message, or in rows; never a crash (run under ASan). */
static void fuzz_file(const char *src, int iters)
{
    struct stat sb;
    CHECK(stat(src, &sb) == 0 && sb.st_size > 0);
    if (sb.st_size <= 0) return;
    PqFileStats st = {.file_size = sb.st_size};
    FILE *f = fopen(src, "rb");
    uint8_t *orig = malloc((size_t)st.file_size);
    CHECK(fread(orig, 1, (size_t)st.file_size, f) == (size_t)st.file_size);
    fclose(f);
    uint8_t *buf = malloc((size_t)st.file_size);
    int errors = 0, silent = 0, ok = 0;
    rng_state = 12345;
    const char *fp = path_of("fz_mut.parquet");
    char fpath[512];
    snprintf(fpath, sizeof fpath, "%s", fp);
    for (int it = 0; it < iters; it++) {
        size_t len = (size_t)st.file_size;
        memcpy(buf, orig, len);
        int kind = it % 3;
        if (kind == 0) {
            len = rnd() % len;   /* truncation */
        } else {
            int flips = 1 + (int)(rnd() % 4);
            /* half of the flips land in the footer, where the structure is */
            for (int k = 0; k < flips; k++) {
                size_t at = (it & 1) ? len - 1 - rnd() % (len < 600 ? len : 600) : rnd() % len;
                buf[at] ^= (uint8_t)(1 + rnd() % 255);
            }
        }
        FILE *o2 = fopen(fpath, "wb");
        fwrite(buf, 1, len, o2);
        fclose(o2);
        int64_t rows;
        int r2 = read_all(fpath, &rows);
        if (r2 == -1) errors++;
        else if (r2 == -2) silent++;
        else ok++;
        if (kind == 0 && r2 == 0) {
            fprintf(stderr, "a truncation to %zu bytes read without error\n", len);
            CHECK(false);
        }
    }
    CHECK(silent == 0);
    CHECK(errors > iters / 3);
    free(orig);
    free(buf);
}

static void test_corruption_fuzz(void)
{
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_rows = 150;
    o.page_bytes = 256;
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats st;
    int rc = write_file(path_of("fz.parquet"), &o, 400, &arena, &st);
    wb_arena_destroy(&arena);
    if (rc != 0) return;
    const char *iters_env = getenv("WEIR_FUZZ_ITERS");
    fuzz_file(path_of("fz.parquet"), iters_env ? atoi(iters_env) : 3000);
}

/* `test_parquet --fuzz FILE ITERS`: the fuzz loop over another writer's
 * file (tests/cli/test_parquet_duckdb.sh gives it DuckDB's). */
static const char *fuzz_arg;
static int fuzz_iters;
static void test_fuzz_given_file(void)
{
    fuzz_file(fuzz_arg, fuzz_iters);
}

/* The RLE/bit-packed hybrid round-trips random runs at every bit width;
 * DELTA_BINARY_PACKED decodes hand-made streams (Encodings.md's shape) and
 * refuses cut or malformed ones. */
static void test_encodings(void)
{
    rng_state = 99;
    uint32_t vals[3000], back[3000];
    for (int bw = 0; bw <= 32; bw++) {
        uint64_t mask = bw == 32 ? 0xffffffffu : ((uint64_t)1 << bw) - 1;
        int n = 1 + (int)(rnd() % 2999);
        for (int i = 0; i < n;) {
            uint32_t v = (uint32_t)(rnd() & mask);
            int run = rnd() % 3 == 0 ? 1 + (int)(rnd() % 40) : 1;
            for (int k = 0; k < run && i < n; k++) vals[i++] = v;
        }
        WbBuf out = {0};
        pq_rle_encode(&out, vals, n, bw);
        CHECK(pq_rle_decode_u32((const uint8_t *)out.data, out.len, bw, back, n) == 0);
        CHECK(memcmp(vals, back, sizeof(uint32_t) * (size_t)n) == 0);
        /* one value more than encoded: the input ends early */
        if (n % 8 == 0 && out.len > 0)
            CHECK(pq_rle_decode_u32((const uint8_t *)out.data, out.len, bw, back, n + 9) == -1);
        wb_buf_free(&out);
    }
    /* 1, 2, 3, 4, 5: block 128, 4 miniblocks, 5 values, first 1; min delta 1, widths 0 */
    const uint8_t d1[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
    int64_t out64[300];
    size_t used = 0;
    CHECK(pq_delta_decode(d1, sizeof d1, out64, 300, &used) == 5);
    CHECK(used == sizeof d1);
    CHECK(out64[0] == 1 && out64[4] == 5);
    /* 7, 5, 3, 1, 2, 3, 4, 5: min delta -2, width 2 (deltas - min: 0 0 0 3 3 3 3) */
    uint8_t d2[64] = {0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 2, 0, 0, 0};
    /* 32 values of 2 bits = 8 bytes: 0,0,0,3,3,3,3,0... LSB first */
    d2[10] = 0xc0;   /* values 0..3: 0,0,0,3 */
    d2[11] = 0xff;   /* values 4..7: 3,3,3,3 */
    size_t d2len = 10 + 8;
    CHECK(pq_delta_decode(d2, d2len, out64, 300, &used) == 8);
    int64_t want[8] = {7, 5, 3, 1, 2, 3, 4, 5};
    CHECK(memcmp(out64, want, sizeof want) == 0);
    CHECK(pq_delta_decode(d2, 11, out64, 300, &used) == -1);       /* cut */
    CHECK(pq_delta_decode(d2, d2len, out64, 4, &used) == -1);      /* more than asked */
    uint8_t bad[] = {0x81, 0x01, 0x04, 0x05, 0x02};                 /* block 129 */
    CHECK(pq_delta_decode(bad, sizeof bad, out64, 300, &used) == -1);
    /* decimal byte widths */
    CHECK(pq_decimal_bytes(9) == 4 && pq_decimal_bytes(18) == 8 && pq_decimal_bytes(19) == 9);
    CHECK(pq_decimal_bytes(38) == 16 && pq_decimal_bytes(30) == 13);
}

/* pq_writer_write_vectors: columns from two batches, rows in a chosen
 * order (the table store's use: its own columns beside the user's, sorted). */
static void test_write_vectors_sel(void)
{
    SqlType ut[2] = {ty_make(TY_STRING), ty_decimal(20, 3)};
    SqlType st[1] = {ty_make(TY_BIGINT)};
    st[0].nullable = 0;
    Batch *user = ty_batch_new(ut, 2, 100), *mine = ty_batch_new(st, 1, 100);
    char text[16];
    for (int32_t r = 0; r < 100; r++) {
        int len = snprintf(text, sizeof text, "k%03d", r);
        user->cols[0].str[r] = ty_batch_str(user, text, (uint32_t)len);
        user->cols[0].nulls[r] = 0;
        user->cols[1].i128[r] = (ty_i128)r * 1000 + 7;
        user->cols[1].nulls[r] = r % 10 == 0;
        mine->cols[0].i64[r] = 1000 - r;
        mine->cols[0].nulls[r] = 0;
    }
    user->nrows = mine->nrows = 100;
    int32_t sel[50];
    for (int32_t i = 0; i < 50; i++) sel[i] = 99 - 2 * i;   /* odd rows, descending */
    const ColumnVector *cols[3] = {&mine->cols[0], &user->cols[0], &user->cols[1]};
    const char *nm[3] = {"_seq", "k", "v"};
    SqlType ft[3] = {st[0], ut[0], ut[1]};
    WbError err = {0};
    unlink(path_of("sel.parquet"));
    PqWriter *w = pq_writer_open(path_of("sel.parquet"), 3, nm, ft, NULL, NULL, 0, &err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK(pq_writer_write_vectors(w, cols, sel, 50, &err) == 0);
    CHECK(pq_writer_rows(w) == 50);
    WbArena arena;
    wb_arena_init(&arena, 0);
    PqFileStats fs;
    CHECK(pq_writer_close(w, &arena, &fs, &err) == 0);
    CHECK(fs.num_rows == 50 && fs.cols[0].min.i64 == 901 && fs.cols[0].max.i64 == 999);
    CHECK(fs.cols[1].min.str.len == 4 && memcmp(fs.cols[1].min.str.ptr, "k001", 4) == 0);
    CHECK(fs.cols[2].null_count == 0);   /* odd rows only: no multiple of 10 */
    PqReader *r = pq_reader_open(path_of("sel.parquet"), &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(pq_reader_column(r, 0)->type.nullable == 0);
        int32_t c3[3] = {0, 1, 2};
        PqScan *sc = pq_scan_open(r, c3, 3, ft, NULL, 0, &err);
        Batch *b = ty_batch_new(ft, 3, 64);
        CHECK(sc && pq_scan_next(sc, b, NULL, 64, &err) == 50);
        int bad = 0;
        for (int32_t i = 0; i < 50 && b->nrows == 50; i++) {
            int32_t row = 99 - 2 * i;
            bad += b->cols[0].i64[i] != 1000 - row;
            bad += b->cols[2].i128[i] != (ty_i128)row * 1000 + 7;
            bad += memcmp(b->cols[1].str[i].ptr, user->cols[0].str[row].ptr, 4) != 0;
        }
        CHECK(bad == 0);
        ty_batch_free(b);
        pq_scan_close(sc);
        pq_reader_close(r);
    }
    wb_arena_destroy(&arena);
    ty_batch_free(user);
    ty_batch_free(mine);
}

/* ---- a hand-made file: encodings weir does not write ----
 * One row group of 5 rows: s BYTE_ARRAY STRING REQUIRED in DELTA_BYTE_ARRAY
 * (data page v1), b BOOLEAN OPTIONAL as RLE in a data page v2, t INT96
 * REQUIRED PLAIN, u UUID (FIXED_LEN_BYTE_ARRAY(16)) REQUIRED PLAIN. */

/* DELTA_BINARY_PACKED of n <= 33 values: one block, one miniblock used. */
static void dbp_encode(WbBuf *out, const int64_t *v, int n)
{
    tc_put_uvarint(out, 128);
    tc_put_uvarint(out, 4);
    tc_put_uvarint(out, (uint64_t)n);
    tc_put_uvarint(out, ((uint64_t)v[0] << 1) ^ (uint64_t)(v[0] >> 63));
    if (n < 2) return;
    int64_t d[32], mn = INT64_MAX;
    for (int i = 1; i < n; i++) {
        d[i - 1] = v[i] - v[i - 1];
        if (d[i - 1] < mn) mn = d[i - 1];
    }
    uint64_t mx = 0;
    for (int i = 0; i < n - 1; i++) {
        d[i] -= mn;
        if ((uint64_t)d[i] > mx) mx = (uint64_t)d[i];
    }
    int w = 0;
    while (w < 64 && (mx >> w)) w++;
    tc_put_uvarint(out, ((uint64_t)mn << 1) ^ (uint64_t)(mn >> 63));
    uint8_t widths[4] = {(uint8_t)w, 0, 0, 0};
    wb_buf_append(out, widths, 4);
    uint8_t body[32 * 8] = {0};
    for (int i = 0; i < n - 1; i++)
        for (int b = 0; b < w; b++)
            if (((uint64_t)d[i] >> b) & 1) body[(i * w + b) / 8] |= (uint8_t)(1u << ((i * w + b) % 8));
    wb_buf_append(out, body, (size_t)(32 * w / 8));
}

typedef struct HandChunk {
    int64_t offset, size;
    int32_t type, encoding;
} HandChunk;

static void put_chunk_meta(TOut *o, const HandChunk *c, const char *name)
{
    tco_struct_begin(o);
    tco_i64(o, 2, c->offset);
    tco_field(o, 3, TC_STRUCT);
    tco_struct_begin(o);
    tco_i32(o, 1, c->type);
    tco_list_begin(o, 2, TC_I32, 2);
    tco_raw_i32(o, c->encoding);
    tco_raw_i32(o, PQE_RLE);
    tco_list_begin(o, 3, TC_BINARY, 1);
    tco_raw_binary(o, name, strlen(name));
    tco_i32(o, 4, PQZ_UNCOMPRESSED);
    tco_i64(o, 5, 5);
    tco_i64(o, 6, c->size);
    tco_i64(o, 7, c->size);
    tco_i64(o, 9, c->offset);
    tco_struct_end(o);
    tco_struct_end(o);
}

static void put_v1_page(WbBuf *file, int32_t encoding, const WbBuf *body)
{
    PqPageHeader ph = {0};
    ph.type = PQP_DATA_PAGE;
    ph.num_values = 5;
    ph.encoding = encoding;
    ph.uncompressed_size = ph.compressed_size = (int32_t)body->len;
    pq_put_page_header(file, &ph);
    wb_buf_append(file, body->data, body->len);
}

static void test_other_encodings(void)
{
    WbBuf file = {0}, body = {0};
    HandChunk ch[4];
    wb_buf_append(&file, "PAR1", 4);
    /* s: DELTA_BYTE_ARRAY */
    const char *words[5] = {"apple", "applesauce", "apricot", "banana", "band"};
    int64_t prefix[5] = {0, 5, 2, 0, 3}, suffix_len[5];
    for (int i = 0; i < 5; i++) suffix_len[i] = (int64_t)strlen(words[i]) - prefix[i];
    dbp_encode(&body, prefix, 5);
    dbp_encode(&body, suffix_len, 5);
    for (int i = 0; i < 5; i++) wb_buf_append(&body, words[i] + prefix[i], (size_t)suffix_len[i]);
    ch[0] = (HandChunk){(int64_t)file.len, 0, PQT_BYTE_ARRAY, PQE_DELTA_BYTE_ARRAY};
    put_v1_page(&file, PQE_DELTA_BYTE_ARRAY, &body);
    ch[0].size = (int64_t)file.len - ch[0].offset;
    /* b: TRUE, NULL, FALSE, TRUE, NULL in a v2 page, RLE values */
    wb_buf_clear(&body);
    uint8_t levels[5] = {1, 0, 1, 1, 0};
    pq_rle_encode_u8(&body, levels, 5, 1);
    size_t def_len = body.len;
    uint8_t bits[3] = {1, 0, 1};
    WbBuf vals = {0};
    pq_rle_encode_u8(&vals, bits, 3, 1);
    uint8_t lenb[4];
    wb_put_u32(lenb, (uint32_t)vals.len);
    wb_buf_append(&body, lenb, 4);
    wb_buf_append(&body, vals.data, vals.len);
    ch[1] = (HandChunk){(int64_t)file.len, 0, PQT_BOOLEAN, PQE_RLE};
    {
        TOut o = {&file, {0}, 0};
        tco_i32(&o, 1, PQP_DATA_PAGE_V2);
        tco_i32(&o, 2, (int32_t)body.len);
        tco_i32(&o, 3, (int32_t)body.len);
        tco_field(&o, 8, TC_STRUCT);
        tco_struct_begin(&o);
        tco_i32(&o, 1, 5);
        tco_i32(&o, 2, 2);
        tco_i32(&o, 3, 5);
        tco_i32(&o, 4, PQE_RLE);
        tco_i32(&o, 5, (int32_t)def_len);
        tco_i32(&o, 6, 0);
        tco_bool(&o, 7, false);
        tco_struct_end(&o);
        wb_buf_putc(&file, 0);
        wb_buf_append(&file, body.data, body.len);
    }
    ch[1].size = (int64_t)file.len - ch[1].offset;
    /* t: INT96 = nanos of the day (u64 LE) + Julian day (u32 LE) */
    wb_buf_clear(&body);
    int64_t micros[5] = {0, 1706745599123456LL, -1, 86400000000LL, -2208988800000000LL};
    for (int i = 0; i < 5; i++) {
        int64_t days = micros[i] / 86400000000LL, rem = micros[i] % 86400000000LL;
        if (rem < 0) {
            rem += 86400000000LL;
            days--;
        }
        uint8_t b12[12];
        wb_put_u64(b12, (uint64_t)(rem * 1000));
        wb_put_u32(b12 + 8, (uint32_t)(days + 2440588));
        wb_buf_append(&body, b12, 12);
    }
    ch[2] = (HandChunk){(int64_t)file.len, 0, PQT_INT96, PQE_PLAIN};
    put_v1_page(&file, PQE_PLAIN, &body);
    ch[2].size = (int64_t)file.len - ch[2].offset;
    /* u: UUID */
    wb_buf_clear(&body);
    for (int i = 0; i < 5; i++) {
        uint8_t id[16];
        for (int k = 0; k < 16; k++) id[k] = (uint8_t)(i * 16 + k);
        wb_buf_append(&body, id, 16);
    }
    ch[3] = (HandChunk){(int64_t)file.len, 0, PQT_FIXED_LEN_BYTE_ARRAY, PQE_PLAIN};
    put_v1_page(&file, PQE_PLAIN, &body);
    ch[3].size = (int64_t)file.len - ch[3].offset;
    /* the footer */
    size_t footer_at = file.len;
    TOut o = {&file, {0}, 0};
    tco_i32(&o, 1, 1);
    tco_list_begin(&o, 2, TC_STRUCT, 5);
    tco_struct_begin(&o);
    tco_binary(&o, 4, "schema", 6);
    tco_i32(&o, 5, 4);
    tco_struct_end(&o);
    const char *nm[4] = {"s", "b", "t", "u"};
    for (int c = 0; c < 4; c++) {
        tco_struct_begin(&o);
        tco_i32(&o, 1, ch[c].type);
        if (c == 3) tco_i32(&o, 2, 16);
        tco_i32(&o, 3, c == 1 ? PQ_OPTIONAL : PQ_REQUIRED);
        tco_binary(&o, 4, nm[c], 1);
        if (c == 0) tco_i32(&o, 6, PQC_UTF8);
        if (c == 3) {
            tco_field(&o, 10, TC_STRUCT);
            tco_struct_begin(&o);
            tco_field(&o, PQL_UUID, TC_STRUCT);
            tco_struct_begin(&o);
            tco_struct_end(&o);
            tco_struct_end(&o);
        }
        tco_struct_end(&o);
    }
    tco_i64(&o, 3, 5);
    tco_list_begin(&o, 4, TC_STRUCT, 1);
    tco_struct_begin(&o);
    tco_list_begin(&o, 1, TC_STRUCT, 4);
    for (int c = 0; c < 4; c++) put_chunk_meta(&o, &ch[c], nm[c]);
    tco_i64(&o, 2, (int64_t)footer_at);
    tco_i64(&o, 3, 5);
    tco_struct_end(&o);
    wb_buf_putc(&file, 0);
    uint8_t tail[8];
    wb_put_u32(tail, (uint32_t)(file.len - footer_at));
    memcpy(tail + 4, "PAR1", 4);
    wb_buf_append(&file, tail, 8);
    FILE *f = fopen(path_of("hand.parquet"), "wb");
    fwrite(file.data, 1, file.len, f);
    fclose(f);
    wb_buf_free(&file);
    wb_buf_free(&body);
    wb_buf_free(&vals);

    WbError err = {0};
    PqReader *r = pq_reader_open(path_of("hand.parquet"), &err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "open: %s\n", err.message);
        return;
    }
    CHECK(pq_reader_column(r, 0)->type.id == TY_STRING && !pq_reader_column(r, 0)->type.nullable);
    CHECK(pq_reader_column(r, 1)->type.id == TY_BOOLEAN && pq_reader_column(r, 1)->type.nullable);
    CHECK(pq_reader_column(r, 2)->type.id == TY_TIMESTAMP);
    CHECK(pq_reader_column(r, 3)->type.id == TY_STRING);
    int32_t cols[4] = {0, 1, 2, 3};
    SqlType types[4] = {ty_make(TY_STRING), ty_make(TY_BOOLEAN), ty_timestamp(6), ty_make(TY_STRING)};
    PqScan *sc = pq_scan_open(r, cols, 4, types, NULL, 0, &err);
    CHECK(sc != NULL);
    Batch *b = ty_batch_new(types, 4, 8);
    int32_t n = sc ? pq_scan_next(sc, b, NULL, 8, &err) : -1;
    if (n < 0) fprintf(stderr, "next: %s\n", err.message);
    CHECK(n == 5);
    for (int i = 0; i < 5 && n == 5; i++) {
        CHECK(b->cols[0].str[i].len == strlen(words[i]) &&
              memcmp(b->cols[0].str[i].ptr, words[i], strlen(words[i])) == 0);
        CHECK(b->cols[2].i64[i] == micros[i]);
        char want[40];
        snprintf(want, sizeof want, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 i * 16, i * 16 + 1, i * 16 + 2, i * 16 + 3, i * 16 + 4, i * 16 + 5, i * 16 + 6, i * 16 + 7,
                 i * 16 + 8, i * 16 + 9, i * 16 + 10, i * 16 + 11, i * 16 + 12, i * 16 + 13, i * 16 + 14,
                 i * 16 + 15);
        CHECK(b->cols[3].str[i].len == 36 && memcmp(b->cols[3].str[i].ptr, want, 36) == 0);
    }
    if (n == 5) {
        CHECK(!b->cols[1].nulls[0] && b->cols[1].i64[0] == 1);
        CHECK(b->cols[1].nulls[1]);
        CHECK(!b->cols[1].nulls[2] && b->cols[1].i64[2] == 0);
        CHECK(!b->cols[1].nulls[3] && b->cols[1].i64[3] == 1);
        CHECK(b->cols[1].nulls[4]);
    }
    CHECK(sc && pq_scan_next(sc, b, NULL, 8, &err) == 0);
    ty_batch_free(b);
    pq_scan_close(sc);
    pq_reader_close(r);
    /* and the same file cut and flipped */
    fuzz_file(path_of("hand.parquet"), 2000);
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "/tmp/weir_pq_test_%d", (int)getpid());
    mkdir(dir, 0777);
    if (argc == 4 && strcmp(argv[1], "--fuzz") == 0) {
        fuzz_arg = argv[2];
        fuzz_iters = atoi(argv[3]);
        RUN(test_fuzz_given_file);
        char rm[300];
        snprintf(rm, sizeof rm, "rm -rf %s", dir);
        if (system(rm) != 0) fprintf(stderr, "cannot remove %s\n", dir);
        return check_done();
    }
    RUN(test_encodings);
    RUN(test_roundtrip_plain_none);
    RUN(test_roundtrip_dict_snappy);
    RUN(test_roundtrip_zstd_many_groups);
    RUN(test_roundtrip_gzip_plain_pages);
    RUN(test_dictionary_fallback);
    RUN(test_empty_file);
    RUN(test_file_stats);
    RUN(test_stats_skipping);
    RUN(test_page_skipping);
    RUN(test_projection);
    RUN(test_not_null_and_errors);
    RUN(test_write_vectors_sel);
    RUN(test_corruption_fuzz);
    RUN(test_other_encodings);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    return check_done();
}
