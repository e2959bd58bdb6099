/*
 * test_fs_fuzz.c - random sequences of jobs against one filesystem table
 * directory, checked against a model (the multiset of rows the table must
 * hold): INSERT INTO and INSERT OVERWRITE that commit, jobs that fail or
 * stop before their commit (with and without finishing, poisoned by a
 * retraction), INSERT INTO/OVERWRITE t SELECT * FROM t, files dropped in
 * by hand (visible in sub-folders, hidden ones with garbage), and reads,
 * also while another job's in-progress files are there.  Rows hold random
 * BIGINTs and strings full of delimiters, quotes, line breaks and UTF-8,
 * in csv and json, with tiny rolling sizes so jobs write many part files.
 * WEIR_FUZZ_ITERS sets the number of rounds (default 60).
 */
#include "check.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connect/connect_int.h"

static WbArena *arena;
static char tmpdir[] = "/tmp/weir_fsfuzz_XXXXXX";
static WbRand rng;

static const char *const col_names[] = {"id", "s"};

static TableDef *make_table(const char *path, const char *format, const char *roll)
{
    TableDef *def = wb_arena_calloc(arena, sizeof *def);
    def->name = wb_arena_strdup(arena, "t");
    def->ncols = 2;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * 2);
    for (int32_t i = 0; i < 2; i++) def->cols[i].name = wb_arena_strdup(arena, col_names[i]);
    def->cols[0].type = ty_make(TY_BIGINT);
    def->cols[1].type = ty_make(TY_STRING);
    const char *opts[] = {"connector", "filesystem", "path", path, "format", format,
                          "sink.rolling-policy.file-size", roll};
    def->noptions = 4;
    def->options = wb_arena_calloc(arena, sizeof(TableOption) * 4);
    for (int32_t i = 0; i < 4; i++) {
        def->options[i].key = wb_arena_strdup(arena, opts[i * 2]);
        def->options[i].value = wb_arena_strdup(arena, opts[i * 2 + 1]);
    }
    def->watermark_col = -1;
    def->line = 1;
    def->column = 1;
    return def;
}

/* ---- the model: a multiset of row texts ---- */

typedef struct Rows {
    char **items;
    int32_t n, cap;
} Rows;

static void rows_add(Rows *rows, const char *text, size_t len)
{
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 64;
        rows->items = wb_realloc(rows->items, sizeof(char *) * (size_t)rows->cap);
    }
    rows->items[rows->n++] = wb_strndup(text, len);
}

static void rows_clear(Rows *rows)
{
    for (int32_t i = 0; i < rows->n; i++) free(rows->items[i]);
    rows->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool rows_equal(Rows *a, Rows *b)
{
    if (a->n != b->n) return false;
    if (a->n == 0) return true;
    qsort(a->items, (size_t)a->n, sizeof(char *), cmp_str);
    qsort(b->items, (size_t)b->n, sizeof(char *), cmp_str);
    for (int32_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i], b->items[i]) != 0) return false;
    return true;
}

static void add_batch_rows(Rows *rows, const Batch *batch)
{
    WbBuf text = {0};
    for (int32_t row = 0; row < batch->nrows; row++) {
        wb_buf_clear(&text);
        cn_format_changelog_row(batch, row, RK_INSERT, &text);
        rows_add(rows, text.data, text.len);
    }
    wb_buf_free(&text);
}

/* ---- random rows ---- */

static Batch *random_batch(int32_t nrows)
{
    static const char *const pieces[] = {"a", "b", ",", "\"", "\n", "\r\n", " ", "\\", "\t",
                                         "{", "}", ":", "\xc3\xa9", "\xe6\x97\xa5", "0", "-"};
    SqlType types[] = {ty_make(TY_BIGINT), ty_make(TY_STRING)};
    Batch *batch = ty_batch_new(types, 2, nrows > 0 ? nrows : 1);
    for (int32_t row = 0; row < nrows; row++) {
        uint64_t r = wb_rand_next(&rng);
        batch->cols[0].nulls[row] = r % 10 == 0;
        batch->cols[0].i64[row] = r % 3 == 0 ? (int64_t)wb_rand_next(&rng)
                                             : (int64_t)(wb_rand_below(&rng, 2000)) - 1000;
        batch->cols[1].nulls[row] = r % 7 == 0;
        char buf[64];
        size_t len = 0;
        int32_t npieces = (int32_t)wb_rand_below(&rng, 6);
        for (int32_t i = 0; i < npieces; i++) {
            const char *p = pieces[wb_rand_below(&rng, sizeof pieces / sizeof pieces[0])];
            size_t plen = strlen(p);
            memcpy(buf + len, p, plen);
            len += plen;
        }
        char *bytes = wb_arena_alloc(batch->arena, len ? len : 1);
        memcpy(bytes, buf, len);
        batch->cols[1].str[row].ptr = bytes;
        batch->cols[1].str[row].len = (uint32_t)len;
        batch->weights[row] = 1;
    }
    batch->nrows = nrows;
    return batch;
}

/* ---- jobs ---- */

/* Reads every row of the table; false on an error. */
static bool read_table(const TableDef *def, Rows *out)
{
    WbError err;
    wb_error_clear(&err);
    Source *src = cn_source_open(def, &err);
    if (!src) return false;
    Batch *batch = ty_batch_new(src->types, src->ncols, 64);
    int rc;
    do {
        ty_batch_reset(batch);
        rc = src->vt->next(src, batch, 1 + (int32_t)wb_rand_below(&rng, 64), &err);
        if (rc >= 0) add_batch_rows(out, batch);
    } while (rc == 1);
    if (rc < 0) fprintf(stderr, "read: %s (%s:%d)\n", err.message, err.source, err.line);
    ty_batch_free(batch);
    cn_source_close(src);
    return rc == 0;
}

/* Writes nrows random rows in a few batches; appends them to written. */
static bool write_rows(Sink *sink, int32_t nrows, Rows *written)
{
    WbError err;
    wb_error_clear(&err);
    while (nrows > 0) {
        int32_t n = 1 + (int32_t)wb_rand_below(&rng, (uint64_t)nrows);
        Batch *batch = random_batch(n);
        bool ok = sink->vt->write(sink, batch, &err) == 0;
        add_batch_rows(written, batch);
        ty_batch_free(batch);
        if (!ok) return false;
        nrows -= n;
    }
    return true;
}

static bool finish_commit(Sink *sink)
{
    WbError err;
    wb_error_clear(&err);
    bool ok = sink->vt->prepare(sink, &err) == 0 && sink->vt->commit(sink, 1, &err) == 0;
    if (!ok) fprintf(stderr, "commit: %s\n", err.message);
    return ok;
}

static Sink *open_sink(const TableDef *def, bool overwrite)
{
    WbError err;
    wb_error_clear(&err);
    Sink *sink = cn_sink_open(def, overwrite, NULL, &err);
    if (!sink) fprintf(stderr, "open sink: %s\n", err.message);
    return sink;
}

/* Every file name under dir (recursively) that is visible and not a
 * committed part, or hidden and an in-progress part: neither may exist
 * between jobs (hand-made files are named "hand-*" and "_junk*"). */
static int32_t count_strays(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int32_t strays = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
        char *full = wb_arena_printf(arena, "%s/%s", dir, name);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) strays += count_strays(full);
        else if (strstr(name, ".inprogress") ||
                 (name[0] != '_' && strncmp(name, "part-", 5) && strncmp(name, "hand-", 5)))
            strays++;
    }
    closedir(d);
    return strays;
}

static void hand_file(const char *dir, const char *format, Rows *model)
{
    /* a visible file in a (new) sub-folder, or a hidden one with garbage */
    int32_t depth = (int32_t)wb_rand_below(&rng, 3);
    WbBuf path = {0};
    wb_buf_puts(&path, dir);
    for (int32_t i = 0; i < depth; i++) {
        wb_buf_printf(&path, "/d%d", (int)wb_rand_below(&rng, 3));
        mkdir(wb_buf_cstr(&path), 0777);
    }
    bool hidden = wb_rand_below(&rng, 3) == 0;
    wb_buf_printf(&path, "/%s%llu.%s", hidden ? "_junk" : "hand-",
                  (unsigned long long)wb_rand_next(&rng), format);
    FILE *f = fopen(wb_buf_cstr(&path), "w");
    CHECK(f != NULL);
    if (f) {
        if (hidden) {
            fputs("not,a,row\n{\"garbage\n", f);
        } else {
            /* rows written by a sink of a throw-away directory, copied in */
            int32_t n = (int32_t)wb_rand_below(&rng, 5);
            for (int32_t i = 0; i < n; i++) {
                int64_t id = (int64_t)wb_rand_below(&rng, 100);
                if (!strcmp(format, "csv")) fprintf(f, "%lld,h%d\n", (long long)id, (int)i);
                else fprintf(f, "{\"id\":%lld,\"s\":\"h%d\"}\n", (long long)id, (int)i);
                char text[64];
                int len = snprintf(text, sizeof text, "+I[%lld, h%d]", (long long)id, (int)i);
                rows_add(model, text, (size_t)len);
            }
        }
        fclose(f);
    }
    wb_buf_free(&path);
}

static void fuzz_round(int32_t round)
{
    const char *format = wb_rand_below(&rng, 2) ? "csv" : "json";
    static const char *const rolls[] = {"64", "200b", "1kb", "128MB"};
    const char *roll = rolls[wb_rand_below(&rng, 4)];
    char *dir = wb_arena_printf(arena, "%s/r%d/t", tmpdir, (int)round);
    TableDef *def = make_table(dir, format, roll);
    Rows model = {0}, got = {0}, written = {0};
    bool created = false;
    for (int32_t step = 0; step < 24; step++) {
        int32_t op = (int32_t)wb_rand_below(&rng, 8);
        int32_t nrows = (int32_t)wb_rand_below(&rng, 40);
        rows_clear(&written);
        if (!created && (op == 4 || op == 6 || op == 7)) op = 0;   /* reads need the directory */
        switch (op) {
        case 0:   /* INSERT INTO */
        case 1: { /* INSERT OVERWRITE */
            Sink *sink = open_sink(def, op == 1);
            CHECK(sink != NULL);
            if (!sink) break;
            created = true;
            CHECK(write_rows(sink, nrows, &written));
            CHECK(finish_commit(sink));
            cn_sink_close(sink);
            if (op == 1) rows_clear(&model);
            for (int32_t i = 0; i < written.n; i++)
                rows_add(&model, written.items[i], strlen(written.items[i]));
            break;
        }
        case 2: { /* a job that fails or is stopped: nothing of it stays */
            Sink *sink = open_sink(def, wb_rand_below(&rng, 2));
            CHECK(sink != NULL);
            if (!sink) break;
            created = true;
            CHECK(write_rows(sink, nrows, &written));
            int32_t how = (int32_t)wb_rand_below(&rng, 3);
            WbError err;
            wb_error_clear(&err);
            if (how == 1) CHECK(sink->vt->prepare(sink, &err) == 0);
            if (how == 2) {
                /* a retraction poisons it; commit then refuses */
                Batch *batch = random_batch(1);
                batch->weights[0] = -1;
                CHECK(sink->vt->write(sink, batch, &err) == -1);
                ty_batch_free(batch);
                wb_error_clear(&err);
                CHECK(sink->vt->prepare(sink, &err) == 0);
                CHECK(sink->vt->commit(sink, 1, &err) == -1);
            }
            cn_sink_close(sink);
            break;
        }
        case 3: { /* a read while another job's uncommitted files are there */
            if (!created) break;
            Sink *sink = open_sink(def, wb_rand_below(&rng, 2));
            CHECK(sink != NULL);
            if (!sink) break;
            CHECK(write_rows(sink, nrows, &written));
            rows_clear(&got);
            CHECK(read_table(def, &got));
            CHECK(rows_equal(&got, &model));
            cn_sink_close(sink);
            break;
        }
        case 4:   /* INSERT INTO t SELECT * FROM t */
        case 5: { /* INSERT OVERWRITE t SELECT * FROM t */
            if (!created) break;
            WbError err;
            wb_error_clear(&err);
            Source *src = cn_source_open(def, &err);   /* lists the files first */
            Sink *sink = open_sink(def, op == 5);
            CHECK(src != NULL && sink != NULL);
            if (src && sink) {
                Batch *batch = ty_batch_new(src->types, src->ncols, 16);
                int rc;
                do {
                    ty_batch_reset(batch);
                    rc = src->vt->next(src, batch, 1 + (int32_t)wb_rand_below(&rng, 16), &err);
                    if (rc >= 0 && batch->nrows) CHECK(sink->vt->write(sink, batch, &err) == 0);
                } while (rc == 1);
                CHECK(rc == 0);
                ty_batch_free(batch);
                CHECK(finish_commit(sink));
                if (op == 4) {
                    int32_t n = model.n;
                    for (int32_t i = 0; i < n; i++)
                        rows_add(&model, model.items[i], strlen(model.items[i]));
                }
            }
            cn_sink_close(sink);
            cn_source_close(src);
            break;
        }
        case 6:   /* files dropped in by hand */
            hand_file(dir, format, &model);
            break;
        default:  /* a plain read */
            rows_clear(&got);
            CHECK(read_table(def, &got));
            CHECK(rows_equal(&got, &model));
            break;
        }
        CHECK(count_strays(dir) == 0);
    }
    if (created) {
        rows_clear(&got);
        CHECK(read_table(def, &got));
        CHECK(rows_equal(&got, &model));
    }
    rows_clear(&model);
    rows_clear(&got);
    rows_clear(&written);
    free(model.items);
    free(got.items);
    free(written.items);
}

static void test_random_jobs(void)
{
    const char *env = getenv("WEIR_FUZZ_ITERS");
    int32_t rounds = env ? atoi(env) : 60;
    for (int32_t round = 0; round < rounds; round++) fuzz_round(round);
}

/* A sink path that names a file fails to open and leaves the file as it was. */
static void test_path_is_file(void)
{
    char *path = wb_arena_printf(arena, "%s/plain.csv", tmpdir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("1,x\n", f);
    fclose(f);
    WbError err;
    wb_error_clear(&err);
    CHECK(cn_sink_open(make_table(path, "csv", "1kb"), false, NULL, &err) == NULL);
    CHECK(err.set && strstr(err.message, "is a file, not a directory") != NULL);
    char buf[16] = "";
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        CHECK(fgets(buf, sizeof buf, f) != NULL);
        fclose(f);
    }
    CHECK_STR(buf, "1,x\n");
}

/* 'sink.rolling-policy.file-size': a size with a unit; anything else is an error. */
static void test_rolling_option(void)
{
    char *dir = wb_arena_printf(arena, "%s/roll", tmpdir);
    static const char *const good[] = {"1", "64 kb", "2MB", "1g"};
    static const char *const bad[] = {"", "x", "0", "-1", "12 parsecs", "99999999999999999999"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        Sink *sink = open_sink(make_table(dir, "csv", good[i]), false);
        CHECK(sink != NULL);
        cn_sink_close(sink);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        WbError err;
        wb_error_clear(&err);
        CHECK(cn_sink_open(make_table(dir, "csv", bad[i]), false, NULL, &err) == NULL);
        CHECK(err.set && strstr(err.message, "sink.rolling-policy.file-size") != NULL);
    }
}

int main(void)
{
    arena = wb_arena_new(0);
    wb_rand_seed(&rng, 20261204);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_path_is_file);
    RUN(test_rolling_option);
    RUN(test_random_jobs);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    wb_arena_free(arena);
    return check_done();
}
