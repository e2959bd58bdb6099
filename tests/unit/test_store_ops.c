/*
 * test_store_ops.c - the table store's protocols and edge cases: commit
 * idempotency, two writers, expiry with a pinned reader, corrupt and
 * truncated metadata and data files (errors naming the file), append-only
 * tables (order, retractions refused, overwrite of the table and of a
 * partition), sequence.field, aggregation functions, bad options, point
 * lookups and key ranges, schema evolution by field id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include "check.h"
#include "store/parquet.h"
#include "store/store.h"

static char base[256];
static int counter;

static char *fresh_dir(void)
{
    static char dir[300];
    snprintf(dir, sizeof dir, "%s/t%d", base, ++counter);
    return dir;
}

/* A table (k BIGINT, v BIGINT, s STRING), pk k unless append. */
static SqlType types3[3];
static const char *names3[3] = {"k", "v", "s"};

static StoreTable *open3(const char *dir, bool pk, int32_t nopts, const char **keys, const char **values,
                         int32_t npart, WbError *err)
{
    static int32_t pkcols[1] = {0}, partcols[1] = {1};
    StoreSpec spec = {"t", 3, names3, types3, pk ? 1 : 0, pkcols, npart, partcols, nopts, keys, values};
    return store_open(dir, &spec, err);
}

static Batch *rows3(int n, const int64_t *k, const int64_t *v, const char *const *s, const int64_t *w)
{
    Batch *b = ty_batch_new(types3, 3, n + 1);
    for (int i = 0; i < n; i++) {
        b->cols[0].i64[i] = k[i];
        b->cols[0].nulls[i] = 0;
        b->cols[1].i64[i] = v[i];
        b->cols[1].nulls[i] = 0;
        if (s && s[i]) {
            b->cols[2].str[i] = ty_batch_str(b, s[i], (uint32_t)strlen(s[i]));
            b->cols[2].nulls[i] = 0;
        } else {
            b->cols[2].nulls[i] = 1;
        }
        b->weights[i] = w ? w[i] : 1;
    }
    b->nrows = n;
    return b;
}

static int write_commit(StoreTable *t, Batch *b, int64_t ident, WbError *err)
{
    StoreWriter *w = store_writer_open(t, "ops", false, NULL, err);
    if (!w) return -1;
    int64_t id;
    int rc = store_writer_write(w, b, err);
    if (rc == 0) rc = store_writer_commit(w, ident, &id, err);
    store_writer_close(w);
    ty_batch_free(b);
    return rc;
}

/* "k:v:s,k:v:s" of a batch read (rows as they come) */
static char *text_of(const Batch *b)
{
    WbBuf out = {0};
    for (int32_t r = 0; r < b->nrows; r++) {
        if (r) wb_buf_putc(&out, ',');
        if (b->weights[r] < 0) wb_buf_putc(&out, '-');
        wb_buf_printf(&out, "%lld:", (long long)b->cols[0].i64[r]);
        if (b->cols[1].nulls[r]) wb_buf_puts(&out, "null");
        else wb_buf_printf(&out, "%lld", (long long)b->cols[1].i64[r]);
        wb_buf_putc(&out, ':');
        if (b->cols[2].nulls[r]) wb_buf_puts(&out, "null");
        else wb_buf_append(&out, b->cols[2].str[r].ptr, b->cols[2].str[r].len);
    }
    char *s = wb_strdup(out.data ? wb_buf_cstr(&out) : "");
    wb_buf_free(&out);
    return s;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The items of a comma-separated text in sorted order (for results whose
 * order is not defined). */
static char *sorted(char *text)
{
    if (!text) return NULL;
    char *items[256];
    int n = 0;
    for (char *tok = strtok(text, ","); tok && n < 256; tok = strtok(NULL, ",")) items[n++] = tok;
    qsort(items, (size_t)n, sizeof(char *), cmp_cstr);
    WbBuf out = {0};
    for (int i = 0; i < n; i++) {
        if (i) wb_buf_putc(&out, ',');
        wb_buf_puts(&out, items[i]);
    }
    char *result = wb_strdup(out.data ? wb_buf_cstr(&out) : "");
    wb_buf_free(&out);
    free(text);
    return result;
}

/* Reads a whole (batch) scan; NULL on error (err set). */
static char *read_text(StoreTable *t, int32_t n, const char **keys, const char **values, WbError *err)
{
    StoreScan *s = store_scan_open(t, false, n, keys, values, err);
    if (!s) return NULL;
    Batch *out = ty_batch_new(types3, 3, 64);
    int rc;
    do {
        ty_batch_reserve(out, out->nrows + 100);
        rc = store_scan_next(s, out, 100, 0, err);
    } while (rc > 0);
    store_scan_close(s);
    char *text = rc == 0 ? text_of(out) : NULL;
    ty_batch_free(out);
    return text;
}

static void test_idempotent_commit(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    StoreTable *t = open3(dir, true, 0, NULL, NULL, 0, &err);
    CHECK(t != NULL);
    int64_t k[2] = {1, 2}, v[2] = {10, 20};
    StoreWriter *w = store_writer_open(t, "job-a", false, NULL, &err);
    Batch *b = rows3(2, k, v, NULL, NULL);
    int64_t id1, id2, id3;
    CHECK(store_writer_write(w, b, &err) == 0);
    CHECK(store_writer_commit(w, 7, &id1, &err) == 0 && id1 == 1);
    /* the same identifier again (a retry after a crash): nothing */
    CHECK(store_writer_write(w, b, &err) == 0);
    CHECK(store_writer_commit(w, 7, &id2, &err) == 0 && id2 == 0);
    store_writer_close(w);
    /* a new writer of the same user retrying 7: still nothing */
    w = store_writer_open(t, "job-a", false, NULL, &err);
    CHECK(store_writer_write(w, b, &err) == 0);
    CHECK(store_writer_commit(w, 7, &id3, &err) == 0 && id3 == 0);
    store_writer_close(w);
    ty_batch_free(b);
    CHECK(store_latest_snapshot(t, &err) == 1);
    char *text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:10:null,2:20:null");
    free(text);
    /* no data file is left over from the no-op commits */
    char path[400];
    snprintf(path, sizeof path, "%s/bucket-0", dir);
    DIR *d = opendir(path);
    int files = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) files += strncmp(de->d_name, "data-", 5) == 0;
    if (d) closedir(d);
    CHECK(files == 1);
    store_close(t);
}

static void test_two_writers(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    StoreTable *t1 = open3(dir, true, 0, NULL, NULL, 0, &err);
    StoreTable *t2 = open3(dir, true, 0, NULL, NULL, 0, &err);
    StoreWriter *w1 = store_writer_open(t1, "a", false, NULL, &err);
    CHECK(w1 != NULL);
    StoreWriter *w2 = store_writer_open(t2, "b", false, NULL, &err);
    CHECK(w2 == NULL);
    CHECK(strcmp(err.sqlstate, "55P03") == 0);
    CHECK(strstr(err.message, "being written by another writer") != NULL);
    /* compaction needs the lock too */
    wb_error_clear(&err);
    CHECK(store_compact(t2, NULL, &err) == -1 && strcmp(err.sqlstate, "55P03") == 0);
    store_writer_close(w1);
    wb_error_clear(&err);
    w2 = store_writer_open(t2, "b", false, NULL, &err);
    CHECK(w2 != NULL);
    store_writer_close(w2);
    store_close(t1);
    store_close(t2);
}

static void test_expiry_with_pinned_reader(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[4] = {"snapshot.num-retained.min", "snapshot.num-retained.max", "snapshot.time-retained",
                           "write-only"};
    const char *values[4] = {"1", "2", "1 ms", "true"};
    StoreTable *t = open3(dir, true, 4, keys, values, 0, &err);
    for (int i = 0; i < 3; i++) {
        int64_t k[1] = {i}, v[1] = {i * 10};
        CHECK(write_commit(t, rows3(1, k, v, NULL, NULL), i + 1, &err) == 0);
    }
    /* a streaming reader holds snapshot 3 (read, not yet consumed) */
    StoreScan *reader = store_scan_open(t, false, 1, (const char *[]){"scan.snapshot-id"},
                                        (const char *[]){"3"}, &err);
    CHECK(reader != NULL);
    for (int i = 3; i < 8; i++) {
        int64_t k[1] = {i}, v[1] = {i * 10};
        CHECK(write_commit(t, rows3(1, k, v, NULL, NULL), i + 1, &err) == 0);
    }
    usleep(3000);
    CHECK(store_expire(t, &err) == 0);
    /* snapshots 1 and 2 are gone; 3 (pinned) and later remain */
    char *text = read_text(t, 1, (const char *[]){"scan.snapshot-id"}, (const char *[]){"1"}, &err);
    CHECK(text == NULL && strstr(err.message, "does not exist") != NULL);
    free(text);
    Batch *out = ty_batch_new(types3, 3, 64);
    int rc;
    do { ty_batch_reserve(out, out->nrows + 64); rc = store_scan_next(reader, out, 64, 0, &err); } while (rc > 0);
    CHECK(rc == 0);
    char *got = text_of(out);
    CHECK_STR(got, "0:0:null,1:10:null,2:20:null");
    free(got);
    ty_batch_free(out);
    store_scan_close(reader);
    /* released: now expiry goes on to keep two snapshots */
    usleep(3000);
    CHECK(store_expire(t, &err) == 0);
    text = read_text(t, 1, (const char *[]){"scan.snapshot-id"}, (const char *[]){"6"}, &err);
    CHECK(text == NULL);
    free(text);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "0:0:null,1:10:null,2:20:null,3:30:null,4:40:null,5:50:null,6:60:null,7:70:null");
    free(text);
    store_close(t);
}

/* Finds the first file of dir/sub whose name starts with prefix. */
static bool find_file(const char *dir, const char *sub, const char *prefix, char *out, size_t size)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (!d) return false;
    struct dirent *de;
    bool found = false;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(out, size, "%s/%s", path, de->d_name);
            found = true;
            break;
        }
    closedir(d);
    return found;
}

static void truncate_file(const char *path, long keep)
{
    FILE *f = fopen(path, "r+");
    if (!f) return;
    if (ftruncate(fileno(f), keep) != 0) { /* checked by the read */ }
    fclose(f);
}

static void test_corrupt_files(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    StoreTable *t = open3(dir, true, 0, NULL, NULL, 0, &err);
    int64_t k[2] = {1, 2}, v[2] = {10, 20};
    CHECK(write_commit(t, rows3(2, k, v, NULL, NULL), 1, &err) == 0);
    store_close(t);
    char path[1024], save[2200];
    /* a truncated data file: an error naming it */
    CHECK(find_file(dir, "bucket-0", "data-", path, sizeof path));
    snprintf(save, sizeof save, "cp %s %s.save", path, path);
    CHECK(system(save) == 0);
    truncate_file(path, 20);
    t = open3(dir, true, 0, NULL, NULL, 0, &err);
    char *text = read_text(t, 0, NULL, NULL, &err);
    CHECK(text == NULL);
    CHECK(strstr(err.message, path) != NULL || strstr(err.source, "data-") != NULL);
    free(text);
    snprintf(save, sizeof save, "mv %s.save %s", path, path);
    CHECK(system(save) == 0);
    wb_error_clear(&err);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:10:null,2:20:null");
    free(text);
    /* a truncated manifest */
    CHECK(find_file(dir, "manifest", "manifest-", path, sizeof path));
    char *name = strrchr(path, '/') + 1;
    if (strncmp(name, "manifest-list", 13) != 0) {
        snprintf(save, sizeof save, "cp %s %s.save", path, path);
        CHECK(system(save) == 0);
        truncate_file(path, 30);
        wb_error_clear(&err);
        text = read_text(t, 0, NULL, NULL, &err);
        CHECK(text == NULL && strstr(err.message, "corrupt manifest file") != NULL &&
              strstr(err.message, name) != NULL);
        free(text);
        snprintf(save, sizeof save, "mv %s.save %s", path, path);
        CHECK(system(save) == 0);
    }
    /* a corrupt snapshot */
    snprintf(path, sizeof path, "%s/snapshot/snapshot-1", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"id\": 1, \"schemaId\"", f);
    fclose(f);
    wb_error_clear(&err);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK(text == NULL && strstr(err.message, "corrupt snapshot file") != NULL &&
          strstr(err.message, "snapshot-1") != NULL);
    free(text);
    store_close(t);
    /* a corrupt schema: the open fails naming it */
    snprintf(path, sizeof path, "%s/schema/schema-0", dir);
    f = fopen(path, "w");
    fputs("{\"id\": 0, \"fields\": [", f);
    fclose(f);
    wb_error_clear(&err);
    t = open3(dir, true, 0, NULL, NULL, 0, &err);
    CHECK(t == NULL && strstr(err.message, "corrupt schema file") != NULL);
    store_close(t);
}

static void test_append_table(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[1] = {"compaction.min.file-num"}, *values[1] = {"3"};
    StoreTable *t = open3(dir, false, 1, keys, values, 1, &err);   /* partitioned by v */
    CHECK(t != NULL);
    for (int i = 0; i < 5; i++) {
        int64_t k[2] = {i, i + 100}, v[2] = {i % 2, i % 2};
        const char *s[2] = {"a", "b"};
        CHECK(write_commit(t, rows3(2, k, v, s, NULL), i + 1, &err) == 0);
    }
    char *text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "0:0:a,100:0:b,2:0:a,102:0:b,4:0:a,104:0:b,1:1:a,101:1:b,3:1:a,103:1:b");
    free(text);
    /* a retraction is refused */
    int64_t k1[1] = {1}, v1[1] = {1}, wneg[1] = {-1};
    StoreWriter *w = store_writer_open(t, "x", false, NULL, &err);
    Batch *b = rows3(1, k1, v1, NULL, wneg);
    CHECK(store_writer_write(w, b, &err) == -1 && strstr(err.message, "cannot take a retraction") != NULL);
    ty_batch_free(b);
    store_writer_close(w);
    /* overwrite of one static partition */
    w = store_writer_open(t, "x", true, "v=1", &err);
    int64_t k2[1] = {9}, v2[1] = {1};
    b = rows3(1, k2, v2, NULL, NULL);
    int64_t id;
    CHECK(store_writer_write(w, b, &err) == 0 && store_writer_commit(w, 1, &id, &err) == 0);
    ty_batch_free(b);
    store_writer_close(w);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "0:0:a,100:0:b,2:0:a,102:0:b,4:0:a,104:0:b,9:1:null");
    free(text);
    /* an incremental read over the overwrite: the old rows of v=1 go, 9 comes */
    char range[32];
    snprintf(range, sizeof range, "%lld,%lld", (long long)id - 1, (long long)id);
    text = sorted(read_text(t, 1, (const char *[]){"incremental-between"}, (const char *[]){range}, &err));
    CHECK_STR(text, "-101:1:b,-103:1:b,-1:1:a,-3:1:a,9:1:null");
    free(text);
    /* partition pruning by value */
    {
        StoreScan *ps = store_scan_open(t, false, 0, NULL, NULL, &err);
        CHECK(store_scan_partition_value(ps, 1, "1") == 0);
        CHECK(store_scan_partition_value(ps, 0, "1") == -1);
        Batch *out = ty_batch_new(types3, 3, 16);
        int rc;
        do { ty_batch_reserve(out, out->nrows + 16); rc = store_scan_next(ps, out, 16, 0, &err); } while (rc > 0);
        char *got = text_of(out);
        CHECK_STR(got, "9:1:null");
        free(got);
        ty_batch_free(out);
        store_scan_close(ps);
    }
    /* compaction keeps the order */
    CHECK(store_compact(t, NULL, &err) == 0);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "0:0:a,100:0:b,2:0:a,102:0:b,4:0:a,104:0:b,9:1:null");
    free(text);
    /* overwrite of the whole table (not partitioned: a fresh table) */
    store_close(t);
}

/* A batch read of the latest snapshot with columns unread[c] not read. */
static char *read_projected(StoreTable *t, const uint8_t *unread, WbError *err)
{
    StoreScan *ps = store_scan_open(t, false, 0, NULL, NULL, err);
    if (!ps) return NULL;
    store_scan_unread(ps, unread);
    Batch *out = ty_batch_new(types3, 3, 16);
    int rc;
    do { ty_batch_reserve(out, out->nrows + 16); rc = store_scan_next(ps, out, 16, 0, err); } while (rc > 0);
    char *text = rc == 0 ? text_of(out) : NULL;
    ty_batch_free(out);
    store_scan_close(ps);
    return text;
}

/* The number of files in dir whose names start with prefix. */
static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* A bucket of several overlapping runs, each larger than a slice of the
 * streamed merge (merge_stream.c reads 4,096 rows of a run at a time), read
 * in full and with a key range: every key once, in key order, folded as
 * the model says (deduplicate: the last write; aggregation: the sum). */
static void check_merged_runs(bool aggregate)
{
    enum { KEYS = 30000, COMMITS = 4, PER = 12000 };
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[4] = {"write-only", "target-file-size", "merge-engine", "fields.v.aggregate-function"};
    const char *values[4] = {"true", "64 kb", "aggregation", "sum"};
    StoreTable *t = open3(dir, true, aggregate ? 4 : 2, keys, values, 0, &err);
    CHECK(t != NULL);
    if (!t) return;
    int64_t *model = wb_calloc(KEYS, sizeof(int64_t));
    uint8_t *present = wb_calloc(KEYS, 1);
    WbRand rng;
    wb_rand_seed(&rng, aggregate ? 7 : 3);
    int64_t *k = wb_malloc(sizeof(int64_t) * PER), *v = wb_malloc(sizeof(int64_t) * PER);
    int64_t *w = wb_malloc(sizeof(int64_t) * PER);
    uint8_t *used = wb_malloc(KEYS);
    for (int c = 0; c < COMMITS; c++) {
        memset(used, 0, KEYS);
        for (int i = 0; i < PER; i++) {
            int64_t key;
            do key = (int64_t)wb_rand_below(&rng, KEYS); while (used[key]);
            used[key] = 1;
            k[i] = key;
            v[i] = (int64_t)wb_rand_below(&rng, 1000);
            /* deletes only where the engine keeps them simple */
            w[i] = !aggregate && wb_rand_below(&rng, 10) == 0 ? -1 : 1;
            if (w[i] < 0) {
                present[key] = 0;
            } else {
                model[key] = aggregate && present[key] ? model[key] + v[i] : v[i];
                present[key] = 1;
            }
        }
        CHECK(write_commit(t, rows3(PER, k, v, NULL, w), c + 1, &err) == 0);
    }
    /* read merged (four runs), then compacted into one run of files of
     * about 64 KB (more than one: the compaction's writer rolls them) */
    for (int pass = 0; pass < 4; pass++) {
        int range = pass % 2;
        if (pass == 2) {
            char bucket_dir[400];
            snprintf(bucket_dir, sizeof bucket_dir, "%s/bucket-0", dir);
            int before = count_files(bucket_dir, "data-");
            CHECK(store_compact(t, NULL, &err) == 0);
            CHECK(count_files(bucket_dir, "data-") - before >= 2);
        }
        StoreScan *s = store_scan_open(t, false, 0, NULL, NULL, &err);
        CHECK(s != NULL);
        if (!s) break;
        int64_t lo = range ? 10000 : 0, hi = range ? 20000 : KEYS;
        PqPredicate preds[2] = {{.col = 0, .op = PQ_OP_GE, .value.i64 = lo},
                                {.col = 0, .op = PQ_OP_LT, .value.i64 = hi}};
        if (range) store_scan_key_filter(s, preds, 2);
        Batch *out = ty_batch_new(types3, 3, 1024);
        int rc;
        do {
            ty_batch_reserve(out, out->nrows + 1000);
            rc = store_scan_next(s, out, 1000, 0, &err);
        } while (rc > 0);
        CHECK(rc == 0);
        store_scan_close(s);
        /* in key order, each once, as the model; a key range may read more
         * (whole row groups), never less */
        int64_t expect = 0;
        for (int64_t key = lo; key < hi; key++) expect += present[key];
        int64_t seen = 0, bad = 0, prev = -1;
        for (int32_t r = 0; r < out->nrows; r++) {
            int64_t key = out->cols[0].i64[r];
            bad += key <= prev || key < 0 || key >= KEYS || !present[key] || out->cols[1].i64[r] != model[key];
            seen += key >= lo && key < hi;
            prev = key;
        }
        CHECK(bad == 0);
        CHECK(seen == expect);
        ty_batch_free(out);
    }
    free(k);
    free(v);
    free(w);
    free(used);
    free(model);
    free(present);
    store_close(t);
}

static void test_merge_stream_dedup(void) { check_merged_runs(false); }
static void test_merge_stream_aggregation(void) { check_merged_runs(true); }

static void test_sequence_field(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[1] = {"sequence.field"}, *values[1] = {"v"};
    StoreTable *t = open3(dir, true, 1, keys, values, 0, &err);
    CHECK(t != NULL);
    int64_t k[3] = {1, 1, 2}, v[3] = {5, 3, 1};
    const char *s[3] = {"new", "old", "x"};
    CHECK(write_commit(t, rows3(3, k, v, s, NULL), 1, &err) == 0);
    /* a later commit with a smaller sequence.field loses */
    int64_t k2[2] = {1, 2}, v2[2] = {4, 2};
    const char *s2[2] = {"late", "y"};
    CHECK(write_commit(t, rows3(2, k2, v2, s2, NULL), 2, &err) == 0);
    char *text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:5:new,2:2:y");
    free(text);
    /* projection over two runs (merged): s is not read; v (the sequence
     * field) and k still are, the merge needs them */
    uint8_t unread[3] = {1, 1, 1};
    text = read_projected(t, unread, &err);
    CHECK_STR(text, "1:5:null,2:2:null");
    free(text);
    CHECK(store_compact(t, NULL, &err) == 0);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:5:new,2:2:y");
    free(text);
    /* one run, streamed: only what the query reads; the rest is NULL */
    uint8_t unread_s[3] = {0, 0, 1};
    text = read_projected(t, unread_s, &err);
    CHECK_STR(text, "1:5:null,2:2:null");
    free(text);
    store_close(t);
}

static void test_aggregation_functions(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[4] = {"merge-engine", "fields.v.aggregate-function", "fields.s.aggregate-function",
                           "fields.s.list-agg-delimiter"};
    const char *values[4] = {"aggregation", "count", "listagg", "|"};
    StoreTable *t = open3(dir, true, 4, keys, values, 0, &err);
    CHECK(t != NULL);
    int64_t k[3] = {1, 1, 2}, v[3] = {7, 8, 9};
    const char *s[3] = {"a", "b", NULL};
    CHECK(write_commit(t, rows3(3, k, v, s, NULL), 1, &err) == 0);
    int64_t k2[1] = {1}, v2[1] = {1};
    const char *s2[1] = {"c"};
    CHECK(write_commit(t, rows3(1, k2, v2, s2, NULL), 2, &err) == 0);
    char *text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:3:a|b|c,2:1:null");
    free(text);
    /* a retraction on listagg without ignore-retract is refused */
    StoreWriter *w = store_writer_open(t, "x", false, NULL, &err);
    int64_t wneg[1] = {-1};
    Batch *b = rows3(1, k2, v2, s2, wneg);
    CHECK(store_writer_write(w, b, &err) == -1 && strstr(err.message, "\"s\"") != NULL);
    ty_batch_free(b);
    store_writer_close(w);
    store_close(t);
}

static void test_bad_options(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *k1[1] = {"merge-engine"}, *v1[1] = {"latest"};
    wb_error_clear(&err);
    CHECK(open3(dir, true, 1, k1, v1, 0, &err) == NULL && strstr(err.message, "'merge-engine'") != NULL);
    const char *k2[1] = {"bucket"}, *v2[1] = {"0"};
    wb_error_clear(&err);
    CHECK(open3(dir, true, 1, k2, v2, 0, &err) == NULL && strstr(err.message, "'bucket'") != NULL);
    const char *k3[1] = {"no-such-option"}, *v3[1] = {"1"};
    wb_error_clear(&err);
    CHECK(open3(dir, true, 1, k3, v3, 0, &err) == NULL && strstr(err.message, "'no-such-option'") != NULL);
    const char *k4[1] = {"fields.zz.aggregate-function"}, *v4[1] = {"sum"};
    wb_error_clear(&err);
    CHECK(open3(dir, true, 1, k4, v4, 0, &err) == NULL && strstr(err.message, "names no column") != NULL);
    const char *k5[1] = {"merge-engine"}, *v5[1] = {"aggregation"};
    wb_error_clear(&err);
    CHECK(open3(dir, false, 1, k5, v5, 0, &err) == NULL && strstr(err.message, "need a primary key") != NULL);
    /* a partitioned primary-key table must have the partition in its key */
    wb_error_clear(&err);
    CHECK(open3(dir, true, 0, NULL, NULL, 1, &err) == NULL && strstr(err.message, "must contain the partition") != NULL);
    const char *k6[1] = {"snapshot.time-retained"}, *v6[1] = {"soon"};
    wb_error_clear(&err);
    CHECK(open3(dir, true, 1, k6, v6, 0, &err) == NULL && strstr(err.message, "snapshot.time-retained") != NULL);
}

/* A table handle that looked keys up pins the snapshot it cached: another
 * handle's compaction and expiry leave that snapshot's files alone until
 * the handle closes. */
static void test_lookup_pins_snapshot(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[4] = {"bucket", "snapshot.num-retained.min", "snapshot.num-retained.max",
                           "snapshot.time-retained"};
    const char *values[4] = {"2", "1", "1", "1 ms"};
    StoreTable *reader = open3(dir, true, 4, keys, values, 0, &err);
    StoreTable *writer = open3(dir, true, 4, keys, values, 0, &err);
    CHECK(reader != NULL && writer != NULL);
    if (!reader || !writer) return;
    int64_t k[4] = {1, 2, 3, 4}, v[4] = {10, 20, 30, 40};
    CHECK(write_commit(writer, rows3(4, k, v, NULL, NULL), 1, &err) == 0);
    Batch *probe = ty_batch_new(types3, 1, 1);
    probe->cols[0].i64[0] = 1;
    probe->cols[0].nulls[0] = 0;
    probe->nrows = 1;
    Batch *out = ty_batch_new(types3, 3, 4);
    int32_t found[1];
    CHECK(store_lookup(reader, probe, out, found, &err) == 0 && found[0] >= 0);
    /* everything rewritten and compacted; snapshot 1 would expire */
    int64_t v2[4] = {11, 21, 31, 41};
    CHECK(write_commit(writer, rows3(4, k, v2, NULL, NULL), 2, &err) == 0);
    CHECK(store_compact(writer, NULL, &err) == 0);
    usleep(3000);
    CHECK(store_expire(writer, &err) == 0);
    char *text = sorted(read_text(writer, 1, (const char *[]){"scan.snapshot-id"}, (const char *[]){"1"}, &err));
    CHECK_STR(text, "1:10:null,2:20:null,3:30:null,4:40:null");
    free(text);
    /* released with the handle */
    store_close(reader);
    usleep(3000);
    CHECK(store_expire(writer, &err) == 0);
    text = read_text(writer, 1, (const char *[]){"scan.snapshot-id"}, (const char *[]){"1"}, &err);
    CHECK(text == NULL && strstr(err.message, "does not exist") != NULL);
    free(text);
    ty_batch_free(probe);
    ty_batch_free(out);
    store_close(writer);
}

static void test_lookup_and_range(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[1] = {"bucket"}, *values[1] = {"4"};
    StoreTable *t = open3(dir, true, 1, keys, values, 0, &err);
    int64_t k[6] = {5, 3, 9, 1, 7, 11}, v[6] = {50, 30, 90, 10, 70, 110};
    CHECK(write_commit(t, rows3(6, k, v, NULL, NULL), 1, &err) == 0);
    Batch *probe = ty_batch_new(types3, 1, 4);
    int64_t want[4] = {9, 2, 1, 11};
    for (int i = 0; i < 4; i++) { probe->cols[0].i64[i] = want[i]; probe->cols[0].nulls[i] = 0; }
    probe->nrows = 4;
    Batch *out = ty_batch_new(types3, 3, 8);
    int32_t found[4];
    CHECK(store_lookup(t, probe, out, found, &err) == 0);
    CHECK(found[0] >= 0 && out->cols[1].i64[found[0]] == 90);
    CHECK(found[1] == -1);
    CHECK(found[2] >= 0 && out->cols[1].i64[found[2]] == 10);
    CHECK(found[3] >= 0 && out->cols[1].i64[found[3]] == 110);
    /* a new snapshot is seen by the next lookup */
    int64_t k2[1] = {2}, v2[1] = {20};
    CHECK(write_commit(t, rows3(1, k2, v2, NULL, NULL), 2, &err) == 0);
    ty_batch_reset(out);
    CHECK(store_lookup(t, probe, out, found, &err) == 0);
    CHECK(found[1] >= 0 && out->cols[1].i64[found[1]] == 20);
    /* keys 3..9 in order, across buckets */
    Batch *lo = ty_batch_new(types3, 1, 1), *hi = ty_batch_new(types3, 1, 1);
    lo->cols[0].i64[0] = 3; lo->cols[0].nulls[0] = 0; lo->nrows = 1;
    hi->cols[0].i64[0] = 9; hi->cols[0].nulls[0] = 0; hi->nrows = 1;
    ty_batch_reset(out);
    CHECK(store_scan_range(t, 0, lo, hi, out, &err) == 0);
    char *text = text_of(out);
    CHECK_STR(text, "3:30:null,5:50:null,7:70:null,9:90:null");
    free(text);
    ty_batch_reset(out);
    CHECK(store_scan_range(t, 1, NULL, lo, out, &err) == 0);
    text = text_of(out);
    CHECK_STR(text, "1:10:null,3:30:null");
    free(text);
    ty_batch_free(lo);
    ty_batch_free(hi);
    ty_batch_free(out);
    ty_batch_free(probe);
    store_close(t);
}

static void test_time_travel(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    const char *keys[1] = {"write-only"}, *values[1] = {"true"};
    StoreTable *t = open3(dir, true, 1, keys, values, 0, &err);
    int64_t k[1] = {1}, v[1] = {10};
    CHECK(write_commit(t, rows3(1, k, v, NULL, NULL), 1, &err) == 0);
    usleep(20000);
    int64_t mid = wb_now_millis();
    usleep(20000);
    v[0] = 11;
    CHECK(write_commit(t, rows3(1, k, v, NULL, NULL), 2, &err) == 0);
    char ts[32];
    snprintf(ts, sizeof ts, "%lld", (long long)mid);
    char *text = read_text(t, 1, (const char *[]){"scan.timestamp-millis"}, (const char *[]){ts}, &err);
    CHECK_STR(text, "1:10:null");
    free(text);
    text = read_text(t, 1, (const char *[]){"scan.snapshot-id"}, (const char *[]){"2"}, &err);
    CHECK_STR(text, "1:11:null");
    free(text);
    wb_error_clear(&err);
    text = read_text(t, 1, (const char *[]){"scan.timestamp-millis"}, (const char *[]){"1000"}, &err);
    CHECK(text == NULL && strstr(err.message, "no snapshot at or before") != NULL);
    free(text);
    /* a bounded stream of the changes from snapshot 2 on */
    {
        const char *k[3] = {"scan.mode", "scan.snapshot-id", "scan.bounded"};
        const char *v[3] = {"from-snapshot", "2", "true"};
        StoreScan *s = store_scan_open(t, true, 3, k, v, &err);
        CHECK(s != NULL && store_scan_bounded(s));
        Batch *out = ty_batch_new(types3, 3, 16);
        int rc;
        do { ty_batch_reserve(out, out->nrows + 16); rc = store_scan_next(s, out, 16, 0, &err); } while (rc > 0);
        CHECK(rc == 0);
        char *got = text_of(out);
        CHECK_STR(got, "-1:10:null,1:11:null");
        CHECK(out->updates && out->updates[0] && out->updates[1]);
        free(got);
        ty_batch_free(out);
        store_scan_close(s);
    }
    wb_error_clear(&err);
    text = read_text(t, 1, (const char *[]){"incremental-between"}, (const char *[]){"1,5"}, &err);
    CHECK(text == NULL && strstr(err.message, "incremental-between") != NULL);
    free(text);
    store_close(t);
}

static void test_schema_evolution(void)
{
    WbError err = {0};
    const char *dir = fresh_dir();
    static int32_t pk[1] = {0};
    SqlType t2[2] = {ty_make(TY_BIGINT), ty_make(TY_INT)};
    const char *n2[2] = {"k", "v"};
    StoreSpec spec = {"evo", 2, n2, t2, 1, pk, 0, NULL, 0, NULL, NULL};
    StoreTable *t = store_open(dir, &spec, &err);
    CHECK(t != NULL);
    Batch *b = ty_batch_new(t2, 2, 2);
    b->cols[0].i64[0] = 1; b->cols[0].nulls[0] = 0; b->cols[1].i64[0] = 7; b->cols[1].nulls[0] = 0;
    b->weights[0] = 1; b->nrows = 1;
    StoreWriter *w = store_writer_open(t, "e", false, NULL, &err);
    int64_t id;
    CHECK(store_writer_write(w, b, &err) == 0 && store_writer_commit(w, 1, &id, &err) == 0);
    store_writer_close(w);
    ty_batch_free(b);
    /* widen v, rename it, add a column */
    CHECK(store_alter_column_type(t, "v", ty_make(TY_BIGINT), &err) == 0);
    CHECK(store_alter_rename_column(t, "v", "w", &err) == 0);
    CHECK(store_alter_add_column(t, "s", ty_make(TY_STRING), &err) == 0);
    CHECK(store_ncols(t) == 3 && strcmp(store_col_name(t, 1), "w") == 0 && store_col_type(t, 1).id == TY_BIGINT);
    CHECK(store_alter_column_type(t, "k", ty_make(TY_INT), &err) == -1);
    wb_error_clear(&err);
    CHECK(store_alter_add_column(t, "w", ty_make(TY_INT), &err) == -1 && strstr(err.message, "already exists"));
    wb_error_clear(&err);
    /* a new row under the new schema; the old one reads through it */
    b = ty_batch_new(types3, 3, 2);
    b->cols[0].i64[0] = 2; b->cols[0].nulls[0] = 0; b->cols[1].i64[0] = 5000000000LL; b->cols[1].nulls[0] = 0;
    b->cols[2].str[0] = ty_batch_str(b, "new", 3); b->cols[2].nulls[0] = 0;
    b->weights[0] = 1; b->nrows = 1;
    w = store_writer_open(t, "e", false, NULL, &err);
    CHECK(w != NULL);
    CHECK(store_writer_write(w, b, &err) == 0 && store_writer_commit(w, 2, &id, &err) == 0);
    store_writer_close(w);
    ty_batch_free(b);
    char *text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:7:null,2:5000000000:new");
    free(text);
    CHECK(store_compact(t, NULL, &err) == 0);
    store_close(t);
    /* reopened: the newest schema */
    t = store_open(dir, NULL, &err);
    CHECK(t != NULL && store_ncols(t) == 3);
    text = read_text(t, 0, NULL, NULL, &err);
    CHECK_STR(text, "1:7:null,2:5000000000:new");
    free(text);
    store_close(t);
}

int main(void)
{
    types3[0] = ty_make(TY_BIGINT);
    types3[1] = ty_make(TY_BIGINT);
    types3[2] = ty_make(TY_STRING);
    snprintf(base, sizeof base, "/tmp/weir-test-store-ops-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    if (system(cmd) != 0) return 1;
    RUN(test_idempotent_commit);
    RUN(test_two_writers);
    RUN(test_expiry_with_pinned_reader);
    RUN(test_corrupt_files);
    RUN(test_append_table);
    RUN(test_sequence_field);
    RUN(test_merge_stream_dedup);
    RUN(test_merge_stream_aggregation);
    RUN(test_aggregation_functions);
    RUN(test_bad_options);
    RUN(test_lookup_and_range);
    RUN(test_lookup_pins_snapshot);
    RUN(test_time_travel);
    RUN(test_schema_evolution);
    if (system(cmd) != 0) return 1;
    return check_done();
}
