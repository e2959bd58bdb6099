/*
 * store_bench.c - the table store alone (src/store/store.h), without SQL:
 *
 *   upsert   ROWS upserts of KEYS keys (k BIGINT primary key, v BIGINT,
 *            s STRING of 16 bytes) into a new table, committed every
 *            COMMIT rows, with compaction running as the writer decides
 *            (universal compaction); then CPU seconds, rows per CPU-second,
 *            bytes written (write(2) calls, /proc/self/io wchar), files and
 *            bytes on disk, snapshots
 *   compact  a full compaction (CALL sys.compact), its bytes, and the
 *            write amplification: all bytes written for the table over the
 *            bytes of that one compacted sorted run (its live data)
 *   lookup   LOOKUPS point lookups of random keys, one key per call
 *            (latency: p50, p99) and BATCH keys per call (rate)
 *   scan     a full scan and a scan with a key range of 1%, rows per second
 *
 * usage: store_bench DIR [--rows N] [--keys K] [--commit C] [--lookups L]
 *                        [--batch B] [--seed S]
 * DIR must not exist (it is created, and left for a peer to read).  Prints
 * one line of key=value pairs per phase.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store.h"

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes this process wrote with write(2) and friends so far. */
static int64_t written_bytes(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (!f) return -1;
    char line[128];
    int64_t w = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "wchar:", 6) == 0) w = strtoll(line + 6, NULL, 10);
    fclose(f);
    return w;
}

/* Files and bytes under dir, data files (.parquet) apart. */
static void disk_usage(const char *dir, int64_t *files, int64_t *bytes, int64_t *data_files,
                       int64_t *data_bytes)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            disk_usage(path, files, bytes, data_files, data_bytes);
            continue;
        }
        (*files)++;
        *bytes += st.st_size;
        size_t n = strlen(de->d_name);
        if (n > 8 && !strcmp(de->d_name + n - 8, ".parquet")) {
            (*data_files)++;
            *data_bytes += st.st_size;
        }
    }
    closedir(d);
}

static void print_disk(const char *phase, const char *dir)
{
    int64_t files = 0, bytes = 0, data_files = 0, data_bytes = 0;
    disk_usage(dir, &files, &bytes, &data_files, &data_bytes);
    printf("%s_disk files=%" PRId64 " bytes=%" PRId64 " data_files=%" PRId64 " data_bytes=%" PRId64 "\n",
           phase, files, bytes, data_files, data_bytes);
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what, const WbError *err)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, err->message);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: store_bench DIR [--rows N] [--keys K] [--commit C] [--lookups L] "
                        "[--batch B] [--seed S]\n");
        return 2;
    }
    const char *dir = argv[1];
    int64_t rows = 10000000, keys = 1000000, commit_every = 1000000, lookups = 100000;
    int32_t batch_keys = 1000;
    uint64_t seed = 42;
    for (int i = 2; i + 1 < argc; i += 2) {
        int64_t v = strtoll(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "--rows")) rows = v;
        else if (!strcmp(argv[i], "--keys")) keys = v;
        else if (!strcmp(argv[i], "--commit")) commit_every = v;
        else if (!strcmp(argv[i], "--lookups")) lookups = v;
        else if (!strcmp(argv[i], "--batch")) batch_keys = (int32_t)v;
        else if (!strcmp(argv[i], "--seed")) seed = (uint64_t)v;
        else {
            fprintf(stderr, "store_bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    rng_state = seed * 2654435761u + 1;
    WbError err;
    wb_error_clear(&err);

    const char *names[] = {"k", "v", "s"};
    SqlType types[3] = {ty_make(TY_BIGINT), ty_make(TY_BIGINT), ty_make(TY_STRING)};
    types[0].nullable = 0;
    int32_t pk[1] = {0};
    StoreSpec spec = {"bench", 3, names, types, 1, pk, 0, NULL, 0, NULL, NULL};
    StoreTable *table = store_open(dir, &spec, &err);
    if (!table) die("open", &err);

    /* ---- upserts ---- */
    const int32_t B = 4096;
    Batch *batch = ty_batch_new(types, 3, B);
    int64_t w0 = written_bytes();
    double c0 = cpu_seconds(), t0 = wall_seconds();
    StoreWriter *writer = store_writer_open(table, "bench", false, NULL, &err);
    if (!writer) die("writer", &err);
    int64_t done = 0, since_commit = 0, commits = 0, snapshot = 0;
    char text[32];
    while (done < rows) {
        ty_batch_reset(batch);
        int32_t n = (int32_t)(rows - done < B ? rows - done : B);
        for (int32_t r = 0; r < n; r++) {
            int64_t k = (int64_t)(rnd() % (uint64_t)keys);
            batch->cols[0].nulls[r] = batch->cols[1].nulls[r] = batch->cols[2].nulls[r] = 0;
            batch->cols[0].i64[r] = k;
            batch->cols[1].i64[r] = done + r;
            int len = snprintf(text, sizeof text, "value-%010" PRId64, k);
            batch->cols[2].str[r] = ty_batch_str(batch, text, (uint32_t)len);
            batch->weights[r] = 1;
        }
        batch->nrows = n;
        if (store_writer_write(writer, batch, &err) != 0) die("write", &err);
        done += n;
        since_commit += n;
        if (since_commit >= commit_every || done == rows) {
            if (store_writer_commit(writer, ++commits, &snapshot, &err) != 0) die("commit", &err);
            since_commit = 0;
        }
    }
    store_writer_close(writer);
    double cpu = cpu_seconds() - c0, wall = wall_seconds() - t0;
    int64_t wrote = written_bytes() - w0;
    /* the rows' own bytes: two BIGINTs and a 16-byte string */
    int64_t logical = rows * (8 + 8 + 4 + 16);
    printf("upsert rows=%" PRId64 " keys=%" PRId64 " commits=%" PRId64 " cpu_s=%.2f wall_s=%.2f "
           "rows_per_cpu_s=%.0f written_bytes=%" PRId64 " logical_bytes=%" PRId64 " snapshot=%" PRId64
           "\n",
           rows, keys, commits, cpu, wall, (double)rows / cpu, wrote, logical, snapshot);
    print_disk("upsert", dir);

    /* ---- full compaction ---- */
    w0 = written_bytes();
    c0 = cpu_seconds();
    if (store_compact(table, NULL, &err) != 0) die("compact", &err);
    cpu = cpu_seconds() - c0;
    int64_t compacted = written_bytes() - w0;
    /* write amplification: every byte written for the table (level-0
     * files, compactions, metadata) over the bytes of its live data, one
     * fully compacted sorted run */
    printf("compact cpu_s=%.2f written_bytes=%" PRId64 " write_amplification=%.2f\n", cpu, compacted,
           (double)(wrote + compacted) / (double)compacted);
    print_disk("compact", dir);

    /* ---- point lookups ---- */
    Batch *key = ty_batch_new(types, 1, batch_keys);
    Batch *out = ty_batch_new(types, 3, batch_keys);
    int32_t *found = malloc(sizeof(int32_t) * (size_t)batch_keys);
    double *lat = malloc(sizeof(double) * (size_t)(lookups ? lookups : 1));
    int64_t hits = 0;
    c0 = cpu_seconds();
    for (int64_t i = 0; i < lookups; i++) {
        ty_batch_reset(key);
        ty_batch_reset(out);
        key->cols[0].nulls[0] = 0;
        key->cols[0].i64[0] = (int64_t)(rnd() % (uint64_t)keys);
        key->weights[0] = 1;
        key->nrows = 1;
        double s = wall_seconds();
        if (store_lookup(table, key, out, found, &err) != 0) die("lookup", &err);
        lat[i] = wall_seconds() - s;
        hits += found[0] >= 0;
    }
    double single_cpu = cpu_seconds() - c0;
    qsort(lat, (size_t)lookups, sizeof(double), cmp_double);
    if (lookups > 0)
        printf("lookup_single n=%" PRId64 " hits=%" PRId64 " p50_us=%.1f p99_us=%.1f max_us=%.1f "
               "per_cpu_s=%.0f\n",
               lookups, hits, lat[lookups / 2] * 1e6, lat[lookups * 99 / 100] * 1e6,
               lat[lookups - 1] * 1e6, (double)lookups / single_cpu);
    hits = 0;
    int64_t batched = 0;
    c0 = cpu_seconds();
    double t1 = wall_seconds();
    while (batched < lookups) {
        ty_batch_reset(key);
        ty_batch_reset(out);
        for (int32_t r = 0; r < batch_keys; r++) {
            key->cols[0].nulls[r] = 0;
            key->cols[0].i64[r] = (int64_t)(rnd() % (uint64_t)keys);
            key->weights[r] = 1;
        }
        key->nrows = batch_keys;
        if (store_lookup(table, key, out, found, &err) != 0) die("lookup", &err);
        for (int32_t r = 0; r < batch_keys; r++) hits += found[r] >= 0;
        batched += batch_keys;
    }
    double batch_cpu = cpu_seconds() - c0, batch_wall = wall_seconds() - t1;
    printf("lookup_batch n=%" PRId64 " batch=%d hits=%" PRId64 " per_cpu_s=%.0f per_s=%.0f\n", batched,
           batch_keys, hits, (double)batched / batch_cpu, (double)batched / batch_wall);

    /* ---- scans ---- */
    const char *no_keys[1] = {NULL};
    for (int pass = 0; pass < 2; pass++) {
        Batch *rowsb = ty_batch_new(types, 3, B);
        int64_t n = 0, sum = 0;
        c0 = cpu_seconds();
        if (pass == 0) {
            StoreScan *scan = store_scan_open(table, false, 0, no_keys, no_keys, &err);
            if (!scan) die("scan", &err);
            for (;;) {
                ty_batch_reset(rowsb);
                int rc = store_scan_next(scan, rowsb, B, 0, &err);
                if (rc < 0) die("scan", &err);
                for (int32_t r = 0; r < rowsb->nrows; r++) sum += rowsb->cols[1].i64[r];
                n += rowsb->nrows;
                if (rc == 0) break;
            }
            store_scan_close(scan);
        } else {
            Batch *lo = ty_batch_new(types, 1, 1), *hi = ty_batch_new(types, 1, 1);
            lo->cols[0].nulls[0] = hi->cols[0].nulls[0] = 0;
            lo->cols[0].i64[0] = keys / 2;
            hi->cols[0].i64[0] = keys / 2 + keys / 100 - 1;
            lo->nrows = hi->nrows = 1;
            Batch *range = ty_batch_new(types, 3, 1024);
            if (store_scan_range(table, 0, lo, hi, range, &err) != 0) die("range", &err);
            n = range->nrows;
            for (int32_t r = 0; r < range->nrows; r++) sum += range->cols[1].i64[r];
            ty_batch_free(range);
            ty_batch_free(lo);
            ty_batch_free(hi);
        }
        cpu = cpu_seconds() - c0;
        printf("%s rows=%" PRId64 " sum_v=%" PRId64 " cpu_s=%.3f rows_per_cpu_s=%.0f\n",
               pass == 0 ? "scan_full" : "scan_range_1pct", n, sum, cpu, (double)n / cpu);
        ty_batch_free(rowsb);
    }
    free(found);
    free(lat);
    ty_batch_free(key);
    ty_batch_free(out);
    ty_batch_free(batch);
    store_close(table);
    return 0;
}
