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

/* dst cell (d, col) <- src cell (r, col) converted: integers and DECIMALs
 * to DOUBLE or a DECIMAL of a larger scale.  -1 when the value does not
 * fit the new type. */
static int convert_cell(const ColumnVector *from, int32_t r, ColumnVector *to, int32_t d)
{
    to->nulls[d] = from->nulls[r];
    if (from->nulls[r]) return 0;
    SqlType ft = from->type, tt = to->type;
    ty_i128 v = ft.id == TY_DECIMAL ? ty_dec_get(from, r) : (ty_i128)from->i64[r];
    int fs = ft.id == TY_DECIMAL ? ft.scale : 0;
    if (tt.id == TY_DOUBLE) {
        to->f64[d] = (double)v / (double)ty_pow10_128(fs);
        return 0;
    }
    if (tt.id == TY_DECIMAL) {
        ty_i128 out;
        if (ty_dec_rescale(v, fs, tt.scale, tt.precision, &out) != 0) return -1;
        ty_dec_set(to, d, out);
        return 0;
    }
    if (ty_phys(tt) == PK_I64 && ty_phys(ft) == PK_I64) {
        to->i64[d] = from->i64[r];
        return 0;
    }
    return -1;
}

static int read_converting(PqReader *r, const char *path, const int32_t *file_cols,
                           const int32_t *dst_cols, const SqlType *file_types, int32_t nread,
                           Batch *dst, int64_t rows, WbError *err)
{
    /* a batch of dst's shape whose converted columns have the file's types */
    SqlType *types = wb_malloc(sizeof(SqlType) * (size_t)(dst->ncols + 1));
    for (int32_t c = 0; c < dst->ncols; c++) types[c] = dst->cols[c].type;
    for (int32_t i = 0; i < nread; i++) types[dst_cols[i]] = file_types[i];
    Batch *tmp = ty_batch_new(types, dst->ncols, (int32_t)rows + 1);
    int rc = -1;
    PqScan *scan = pq_scan_open(r, file_cols, nread, file_types, NULL, 0, err);
    if (!scan) goto out;
    for (;;) {
        int32_t room = tmp->capacity - tmp->nrows;
        if (room < 4096) { ty_batch_reserve(tmp, tmp->capacity * 2 + 4096); room = tmp->capacity - tmp->nrows; }
        int32_t before = tmp->nrows;
        int32_t got = pq_scan_next(scan, tmp, dst_cols, room, err);
        if (got < 0) goto out;
        if (got == 0) break;
        if (tmp->nrows == before) tmp->nrows += got;
    }
    if (tmp->nrows != rows) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" gave %lld rows, expected %lld", path,
                 (long long)tmp->nrows, (long long)rows);
        snprintf(err->source, sizeof(err->source), "%s", path);
        goto out;
    }
    int32_t first = dst->nrows;
    ty_batch_reserve(dst, dst->nrows + tmp->nrows + 1);
    for (int32_t row = 0; row < tmp->nrows; row++) {
        int32_t d = dst->nrows++;
        dst->weights[d] = 1;
        for (int32_t c = 0; c < dst->ncols; c++) {
            bool read = false;
            for (int32_t i = 0; i < nread; i++) read |= dst_cols[i] == c;
            if (!read) { dst->cols[c].nulls[d] = 1; continue; }
            if (ty_equal(types[c], dst->cols[c].type) && types[c].scale == dst->cols[c].type.scale &&
                ty_phys(types[c]) == ty_phys(dst->cols[c].type)) {
                ty_batch_copy_cols(dst, d, c, tmp, row, &c, 1);
            } else if (convert_cell(&tmp->cols[c], row, &dst->cols[c], d) != 0) {
                char tn[64];
                wb_error(err, WB_SQLSTATE_OVERFLOW, 0, 0, "data file \"%s\": a value of column %d does not fit %s",
                         path, c, ty_name(dst->cols[c].type, tn, sizeof tn));
                snprintf(err->source, sizeof(err->source), "%s", path);
                dst->nrows = first;
                goto out;
            }
        }
    }
    rc = 0;
out:
    if (scan) pq_scan_close(scan);
    ty_batch_free(tmp);
    free(types);
    return rc;
}

int store_datafile_read(const char *path, const char *const *names, Batch *dst,
                        int64_t expect_rows, WbError *err)
{
    return store_datafile_read_where(path, names, dst, expect_rows, NULL, 0, err);
}

int store_datafile_read_where(const char *path, const char *const *names, Batch *dst,
                              int64_t expect_rows, const PqPredicate *preds, int32_t npreds,
                              WbError *err)
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
    /* columns written under an older, narrower type (schema evolution)
     * are read as written and converted */
    bool convert = false;
    for (int32_t i = 0; i < nread; i++) {
        SqlType ft = pq_reader_column(r, file_cols[i])->type;
        if (pq_type_compatible(ft, dst_types[i])) continue;
        dst_types[i] = ft;
        convert = true;
    }
    if (convert) {
        rc = read_converting(r, path, file_cols, dst_cols, dst_types, nread, dst, rows, err);
        goto out;
    }
    /* the predicates on columns this file has, by its column numbers */
    PqPredicate *fpreds = npreds ? wb_malloc(sizeof(PqPredicate) * (size_t)npreds) : NULL;
    int32_t nfp = 0;
    for (int32_t p = 0; p < npreds; p++) {
        for (int32_t i = 0; i < nread; i++) {
            if (dst_cols[i] != preds[p].col) continue;
            fpreds[nfp] = preds[p];
            fpreds[nfp++].col = file_cols[i];
        }
    }
    scan = pq_scan_open(r, file_cols, nread, dst_types, fpreds, nfp, err);
    free(fpreds);
    if (!scan) goto out;
    int32_t first = dst->nrows;
    /* room for the whole file and a last empty call: no regrowth copies */
    if ((int64_t)dst->nrows + rows + 4096 < INT32_MAX) ty_batch_reserve(dst, dst->nrows + (int32_t)rows + 4096);
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
    if (npreds == 0 && dst->nrows - first != rows) {
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
