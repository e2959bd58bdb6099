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

PqWriter *store_datafile_create(const char *path, int32_t ncols, const SqlType *types,
                                const char *const *names, PqCompression codec, int32_t level,
                                WbError *err)
{
    SqlType *t = wb_malloc(sizeof(SqlType) * (size_t)(ncols + 1));
    for (int32_t col = 0; col < ncols; col++) {
        t[col] = types[col];
        t[col].nullable = 1;
        t[col].time_attr = 0;
    }
    PqWriteOptions opts;
    pq_write_options_default(&opts);
    opts.compression = codec;
    if (codec == PQ_COMPRESS_ZSTD) opts.compression_level = level;
    PqKeyValue kv = {"weir.table-store", "1"};
    PqWriter *w = pq_writer_open(path, ncols, names, t, &opts, &kv, 1, err);
    free(t);
    return w;
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

struct StoreFileScan {
    PqReader *r;
    PqScan *scan;
    int32_t ncols;              /* columns of the destination */
    int32_t nread;
    int32_t *dst_cols;          /* scan column i -> destination column */
    uint8_t *fill_null;         /* per destination column: wanted, not in the file */
    /* columns written under an older, narrower type (schema evolution) are
     * read as written into tmp (the destination's shape, file types) and
     * converted; NULL when none is */
    Batch *tmp;
    uint8_t *converted;         /* per destination column */
    int64_t rows, got;
    bool check_rows;            /* no predicates: every row must come */
};

static void file_error(WbError *err, const char *path)
{
    snprintf(err->source, sizeof(err->source), "%s", path);
}

StoreFileScan *store_file_scan_open(const char *path, const char *const *names,
                                    const uint8_t *want, const SqlType *types, int32_t ncols,
                                    int64_t expect_rows, const PqPredicate *preds,
                                    int32_t npreds, WbError *err)
{
    PqReader *r = pq_reader_open(path, err);
    if (!r) return NULL;
    StoreFileScan *fs = wb_calloc(1, sizeof *fs);
    fs->r = r;
    fs->ncols = ncols;
    fs->dst_cols = wb_malloc(sizeof(int32_t) * (size_t)(ncols + 1));
    fs->fill_null = wb_calloc((size_t)ncols + 1, 1);
    int32_t *file_cols = wb_malloc(sizeof(int32_t) * (size_t)(ncols + 1));
    SqlType *read_types = wb_malloc(sizeof(SqlType) * (size_t)(ncols + 1));
    for (int32_t col = 0; col < ncols; col++) {
        if (want && !want[col]) continue;
        int32_t fc = names[col] ? pq_reader_find_column(r, names[col]) : -1;
        if (fc < 0) {
            fs->fill_null[col] = 1;
            continue;
        }
        file_cols[fs->nread] = fc;
        fs->dst_cols[fs->nread] = col;
        read_types[fs->nread] = types[col];
        fs->nread++;
    }
    fs->rows = pq_reader_num_rows(r);
    fs->check_rows = npreds == 0;
    if (expect_rows >= 0 && fs->rows != expect_rows) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" holds %lld rows, its manifest says %lld",
                 path, (long long)fs->rows, (long long)expect_rows);
        file_error(err, path);
        goto fail;
    }
    for (int32_t i = 0; i < fs->nread; i++) {
        SqlType ft = pq_reader_column(r, file_cols[i])->type;
        if (pq_type_compatible(ft, read_types[i])) continue;
        if (!fs->converted) fs->converted = wb_calloc((size_t)ncols + 1, 1);
        fs->converted[fs->dst_cols[i]] = 1;
        read_types[i] = ft;
    }
    if (fs->converted) {
        SqlType *tt = wb_malloc(sizeof(SqlType) * (size_t)(ncols + 1));
        memcpy(tt, types, sizeof(SqlType) * (size_t)ncols);
        for (int32_t i = 0; i < fs->nread; i++) tt[fs->dst_cols[i]] = read_types[i];
        fs->tmp = ty_batch_new(tt, ncols, 1024);
        free(tt);
    }
    /* the predicates on columns this file has (read as written), by its
     * column numbers */
    PqPredicate *fpreds = wb_malloc(sizeof(PqPredicate) * (size_t)(npreds + 1));
    bool *drop = wb_malloc(sizeof(bool) * (size_t)(npreds + 1));
    for (int32_t p = 0; p < npreds; p++) {
        fpreds[p] = preds[p];
        drop[p] = true;
        for (int32_t i = 0; i < fs->nread; i++) {
            if (fs->dst_cols[i] != preds[p].col || (fs->converted && fs->converted[preds[p].col])) continue;
            fpreds[p].col = file_cols[i];
            drop[p] = false;
        }
    }
    int32_t nfp = pq_preds_drop(fpreds, npreds, drop);
    free(drop);
    fs->scan = pq_scan_open(r, file_cols, fs->nread, read_types, fpreds, nfp, err);
    free(fpreds);
    if (!fs->scan) goto fail;
    free(file_cols);
    free(read_types);
    return fs;
fail:
    free(file_cols);
    free(read_types);
    store_file_scan_close(fs);
    return NULL;
}

/* Rows [first, first + n) of tmp into dst from row `at`: converted
 * columns cell by cell, the others copied. */
static int convert_rows(StoreFileScan *fs, Batch *dst, int32_t at, WbError *err)
{
    Batch *tmp = fs->tmp;
    for (int32_t i = 0; i < fs->nread; i++) {
        int32_t c = fs->dst_cols[i];
        if (!fs->converted[c]) {
            for (int32_t row = 0; row < tmp->nrows; row++)
                ty_batch_copy_cols(dst, at + row, c, tmp, row, &c, 1);
            continue;
        }
        for (int32_t row = 0; row < tmp->nrows; row++) {
            if (convert_cell(&tmp->cols[c], row, &dst->cols[c], at + row) == 0) continue;
            char tn[64];
            wb_error(err, WB_SQLSTATE_OVERFLOW, 0, 0, "data file \"%s\": a value of column %d does not fit %s",
                     pq_reader_path(fs->r), c, ty_name(dst->cols[c].type, tn, sizeof tn));
            file_error(err, pq_reader_path(fs->r));
            return -1;
        }
    }
    return 0;
}

int32_t store_file_scan_next(StoreFileScan *fs, Batch *dst, int32_t max_rows, WbError *err)
{
    if (dst->capacity - dst->nrows < max_rows) ty_batch_reserve(dst, dst->nrows + max_rows);
    int32_t at = dst->nrows, got;
    if (fs->tmp) {
        ty_batch_reset(fs->tmp);
        if (fs->tmp->capacity < max_rows) ty_batch_reserve(fs->tmp, max_rows);
        got = pq_scan_next(fs->scan, fs->tmp, fs->dst_cols, max_rows, err);
        if (got > 0 && convert_rows(fs, dst, at, err) != 0) return -1;
        if (got > 0) {
            for (int32_t row = at; row < at + got; row++) dst->weights[row] = 1;
            dst->nrows += got;
        }
    } else {
        got = pq_scan_next(fs->scan, dst, fs->dst_cols, max_rows, err);
    }
    if (got < 0) return -1;
    if (got == 0) {
        if (fs->check_rows && fs->got != fs->rows) {
            const char *path = pq_reader_path(fs->r);
            wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" gave %lld rows, expected %lld", path,
                     (long long)fs->got, (long long)fs->rows);
            file_error(err, path);
            return -1;
        }
        return 0;
    }
    fs->got += got;
    for (int32_t col = 0; col < fs->ncols; col++)
        if (fs->fill_null[col]) memset(dst->cols[col].nulls + at, 1, (size_t)got);
    return got;
}

int64_t store_file_scan_rows(const StoreFileScan *fs) { return fs->rows; }

void store_file_scan_close(StoreFileScan *fs)
{
    if (!fs) return;
    pq_scan_close(fs->scan);
    pq_reader_close(fs->r);
    ty_batch_free(fs->tmp);
    free(fs->converted);
    free(fs->dst_cols);
    free(fs->fill_null);
    free(fs);
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
    SqlType *types = wb_malloc(sizeof(SqlType) * (size_t)(dst->ncols + 1));
    for (int32_t c = 0; c < dst->ncols; c++) types[c] = dst->cols[c].type;
    StoreFileScan *fs = store_file_scan_open(path, names, NULL, types, dst->ncols, expect_rows,
                                             preds, npreds, err);
    free(types);
    if (!fs) return -1;
    int32_t first = dst->nrows;
    int rc = 0;
    if (fs->rows > INT32_MAX - 65536 - dst->nrows) {
        wb_error(err, WB_SQLSTATE_DATA, 0, 0, "data file \"%s\" is too large to read at once", path);
        file_error(err, path);
        rc = -1;
    }
    /* room for the whole file: no regrowth copies */
    if (rc == 0) ty_batch_reserve(dst, dst->nrows + (int32_t)fs->rows + 1);
    for (;;) {
        if (rc != 0) break;
        int32_t room = dst->capacity - dst->nrows;
        int32_t got = store_file_scan_next(fs, dst, room < 65536 ? 65536 : room, err);
        if (got < 0) rc = -1;
        if (got <= 0) break;
    }
    if (rc != 0) dst->nrows = first;
    store_file_scan_close(fs);
    return rc;
}
