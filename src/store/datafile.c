/*
 * datafile.c - the table store's data and changelog files, written and read
 * through the Parquet module (parquet.h).  Every column is written
 * OPTIONAL; _SEQUENCE_NUMBER is BIGINT and _VALUE_KIND INT.  Reading maps
 * columns by name (the names of the schema the file was written with) and
 * fills NULL for a column the file lacks (a column added later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/parquet.h"
#include "store/store_int.h"

int store_datafile_write(const char *path, const Batch *src, const int32_t *order,
                         int32_t n, const char *const *names, int64_t *size_out,
                         WbError *err)
{
    int32_t ncols = src->ncols;
    SqlType *types = wb_malloc(sizeof(SqlType) * (size_t)ncols);
    const ColumnVector **cols = wb_malloc(sizeof(ColumnVector *) * (size_t)ncols);
    for (int32_t col = 0; col < ncols; col++) {
        types[col] = src->cols[col].type;
        types[col].nullable = 1;
        types[col].time_attr = 0;
        cols[col] = &src->cols[col];
    }
    PqWriteOptions opts;
    pq_write_options_default(&opts);
    PqKeyValue kv = {"weir.table-store", "1"};
    int rc = -1;
    PqWriter *w = pq_writer_open(path, ncols, names, types, &opts, &kv, 1, err);
    if (!w) goto out;
    for (int32_t at = 0; at < n; at += 65536) {
        int32_t chunk = n - at < 65536 ? n - at : 65536;
        if (pq_writer_write_vectors(w, (const ColumnVector *const *)cols, order + at, chunk, err) != 0) {
            pq_writer_abort(w);
            goto out;
        }
    }
    PqFileStats stats;
    WbArena arena;
    wb_arena_init(&arena, 0);
    rc = pq_writer_close(w, &arena, &stats, err);
    if (rc == 0) *size_out = stats.file_size;
    wb_arena_destroy(&arena);
out:
    free(types);
    free(cols);
    return rc;
}

int store_datafile_read(const char *path, const char *const *names, Batch *dst,
                        int64_t expect_rows, WbError *err)
{
    PqReader *r = pq_reader_open(path, err);
    if (!r) return -1;
    int rc = -1;
    int32_t ncols = dst->ncols;
    int32_t *file_cols = wb_malloc(sizeof(int32_t) * (size_t)ncols);
    int32_t *dst_cols = wb_malloc(sizeof(int32_t) * (size_t)ncols);
    SqlType *dst_types = wb_malloc(sizeof(SqlType) * (size_t)ncols);
    int32_t nread = 0;
    PqScan *scan = NULL;
    for (int32_t col = 0; col < ncols; col++) {
        int32_t fc = names[col] ? pq_reader_find_column(r, names[col]) : -1;
        if (fc < 0) continue;
        file_cols[nread] = fc;
        dst_cols[nread] = col;
        dst_types[nread] = dst->cols[col].type;
        nread++;
    }
    int64_t rows = pq_reader_num_rows(r);
    if (expect_rows >= 0 && rows != expect_rows) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" holds %lld rows, its manifest says %lld",
                 path, (long long)rows, (long long)expect_rows);
        snprintf(err->source, sizeof(err->source), "%s", path);
        goto out;
    }
    if (rows > INT32_MAX - dst->nrows) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" is too large to read at once", path);
        goto out;
    }
    scan = pq_scan_open(r, file_cols, nread, dst_types, NULL, 0, err);
    if (!scan) goto out;
    int32_t first = dst->nrows;
    ty_batch_reserve(dst, dst->nrows + (int32_t)rows + 1);
    for (;;) {
        int32_t room = dst->capacity - dst->nrows;
        if (room < 4096) { ty_batch_reserve(dst, dst->capacity * 2); room = dst->capacity - dst->nrows; }
        int32_t before = dst->nrows;
        int32_t got = pq_scan_next(scan, dst, dst_cols, room, err);
        if (got < 0) goto out;
        if (got == 0) break;
        /* appends: the scan moves nrows (tolerate a scan that does not) */
        if (dst->nrows == before) dst->nrows += got;
    }
    if (dst->nrows - first != rows) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" gave %lld rows, expected %lld", path,
                 (long long)(dst->nrows - first), (long long)rows);
        snprintf(err->source, sizeof(err->source), "%s", path);
        goto out;
    }
    /* columns the file does not have: NULL */
    for (int32_t col = 0; col < ncols; col++) {
        bool present = false;
        for (int32_t i = 0; i < nread; i++) present |= dst_cols[i] == col;
        if (!present) memset(dst->cols[col].nulls + first, 1, (size_t)(dst->nrows - first));
    }
    for (int32_t row = first; row < dst->nrows; row++) dst->weights[row] = 1;
    rc = 0;
out:
    if (scan) pq_scan_close(scan);
    pq_reader_close(r);
    free(file_cols);
    free(dst_cols);
    free(dst_types);
    return rc;
}
