/*
 * parquet_read.c - the Parquet reader: footer validation, the schema's
 * mapping to weir types, row-group statistics and skipping, and scans
 * that decode projected column chunks page by page into batches.
 *
 * A scan keeps one cursor per projected column.  A cursor holds its column
 * chunk's bytes (one pread per chunk), the dictionary (decoded once per
 * chunk), and the current page decoded densely: definition levels, then
 * the present values converted to the batch column's representation (or
 * dictionary indices).  pq_scan_next copies runs of those into the batch
 * a column at a time and spreads them over the NULL slots, so nothing is
 * allocated or called per row.
 */
#include "store/parquet_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PQ_MAX_FOOTER ((uint32_t)1 << 30)
#define PQ_MAX_PAGE ((int64_t)1 << 30)
#define PQ_MAX_PAGE_VALUES ((int64_t)1 << 24)

/* How a file column's stored values become weir values. */
typedef enum Conv {
    CV_BOOL,          /* BOOLEAN */
    CV_INT,           /* INT32/INT64: v * mul, or floor(v / div) */
    CV_UINT32,        /* INT32 read unsigned */
    CV_FLOAT,         /* FLOAT -> double */
    CV_DOUBLE,
    CV_BYTES,         /* BYTE_ARRAY as is */
    CV_DEC_BYTES,     /* BYTE_ARRAY or FLBA big-endian DECIMAL */
    CV_INTERVAL,      /* FLBA(12) */
    CV_UUID,          /* FLBA(16) -> text */
    CV_INT96          /* INT96 timestamp */
} Conv;

typedef struct Field {
    PqColumnInfo info;
    int32_t leaf;                    /* chunk index in each row group; -1 for groups */
    const PqSchemaElem *el;
    int32_t ptype;
    Conv conv;
    int64_t mul, div;                /* CV_INT */
} Field;

struct PqReader {
    char *path;
    int fd;
    int64_t file_size;
    int64_t footer_start;
    WbArena arena;
    PqFileMeta meta;
    int32_t nleaves;
    int32_t nfields;
    Field *fields;
    PqColumnStats *stats;            /* nrg * nfields */
};

/* ---- errors ---- */

static int corrupt(const char *path, WbError *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int corrupt(const char *path, WbError *err, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    wb_error(err, WB_SQLSTATE_DATA, 0, 0, "corrupt Parquet file \"%s\": %s", path, why);
    snprintf(err->source, sizeof err->source, "%s", path);
    return -1;
}

static int read_at(int fd, uint8_t *buf, size_t len, int64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, buf + done, len - done, (off_t)(off + (int64_t)done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

/* ---- the type mapping ---- */

static const char *map_field(Field *f, WbArena *arena)
{
    const PqSchemaElem *el = f->el;
    SqlType t = ty_make(TY_NULL);
    f->mul = 1;
    f->div = 1;
    f->ptype = el->type;
    int lg = el->logical, cv = el->converted;
    bool is_decimal = lg == PQL_DECIMAL || (lg < 0 && cv == PQC_DECIMAL);
    int32_t precision = lg == PQL_DECIMAL ? el->l_precision : el->precision;
    int32_t scale = lg == PQL_DECIMAL ? el->l_scale : el->scale;
    if (is_decimal) {
        if (precision < 1 || precision > TY_DECIMAL_MAX_PRECISION || scale < 0 || scale > precision)
            return wb_arena_printf(arena, "DECIMAL(%d, %d) is outside weir's DECIMAL (precision up to 38)",
                                   (int)precision, (int)scale);
        t = ty_decimal(precision, scale);
        switch (el->type) {
        case PQT_INT32: case PQT_INT64: f->conv = CV_INT; break;
        case PQT_BYTE_ARRAY: f->conv = CV_DEC_BYTES; break;
        case PQT_FIXED_LEN_BYTE_ARRAY:
            if (el->type_length < 1 || el->type_length > 32) return "a DECIMAL of more than 32 bytes";
            f->conv = CV_DEC_BYTES;
            break;
        default: return "a DECIMAL on an unsupported physical type";
        }
        f->info.type = t;
        return NULL;
    }
    switch (el->type) {
    case PQT_BOOLEAN:
        f->conv = CV_BOOL;
        t = ty_make(TY_BOOLEAN);
        break;
    case PQT_INT32:
        f->conv = CV_INT;
        if (lg == PQL_DATE || cv == PQC_DATE) {
            t = ty_make(TY_DATE);
        } else if (lg == PQL_TIME || cv == PQC_TIME_MILLIS) {
            if (lg == PQL_TIME && el->l_unit != PQU_MILLIS) return "a 32-bit TIME not in milliseconds";
            t = ty_make(TY_TIME);
        } else if ((lg == PQL_INTEGER && !el->l_signed && el->l_bit_width == 32) || cv == PQC_UINT_32) {
            f->conv = CV_UINT32;
            t = ty_make(TY_BIGINT);
        } else if (lg < 0 && cv >= 0 && cv != PQC_INT_8 && cv != PQC_INT_16 && cv != PQC_INT_32 &&
                   cv != PQC_UINT_8 && cv != PQC_UINT_16) {
            return "an INT32 with an unsupported annotation";
        } else if (lg >= 0 && lg != PQL_INTEGER) {
            return "an INT32 with an unsupported logical type";
        } else {
            t = ty_make(TY_INT);
        }
        break;
    case PQT_INT64:
        f->conv = CV_INT;
        if (lg == PQL_TIMESTAMP || cv == PQC_TIMESTAMP_MILLIS || cv == PQC_TIMESTAMP_MICROS) {
            int unit = lg == PQL_TIMESTAMP ? el->l_unit : cv == PQC_TIMESTAMP_MILLIS ? PQU_MILLIS : PQU_MICROS;
            bool utc = lg == PQL_TIMESTAMP ? el->l_adjusted : true;
            if (unit == PQU_MILLIS) f->mul = 1000;
            else if (unit == PQU_NANOS) f->div = 1000;
            else if (unit != PQU_MICROS) return "a TIMESTAMP with an unknown unit";
            t = ty_timestamp(unit == PQU_MILLIS ? 3 : 6);
            t.ltz = utc;
        } else if (lg == PQL_TIME || cv == PQC_TIME_MICROS) {
            int unit = lg == PQL_TIME ? el->l_unit : PQU_MICROS;
            if (unit == PQU_MICROS) f->div = 1000;
            else if (unit == PQU_NANOS) f->div = 1000000;
            else return "a 64-bit TIME in milliseconds";
            t = ty_make(TY_TIME);
        } else if ((lg == PQL_INTEGER && !el->l_signed) || cv == PQC_UINT_64) {
            return "an unsigned 64-bit integer (UINT64)";
        } else if (lg >= 0 && lg != PQL_INTEGER) {
            return "an INT64 with an unsupported logical type";
        } else if (lg < 0 && cv >= 0 && cv != PQC_INT_64) {
            return "an INT64 with an unsupported annotation";
        } else {
            t = ty_make(TY_BIGINT);
        }
        break;
    case PQT_INT96:
        f->conv = CV_INT96;
        t = ty_timestamp(6);
        break;
    case PQT_FLOAT:
        f->conv = CV_FLOAT;
        t = ty_make(TY_DOUBLE);
        break;
    case PQT_DOUBLE:
        f->conv = CV_DOUBLE;
        t = ty_make(TY_DOUBLE);
        break;
    case PQT_BYTE_ARRAY:
        f->conv = CV_BYTES;
        if (lg == PQL_STRING || lg == PQL_ENUM || lg == PQL_JSON || cv == PQC_UTF8 || cv == PQC_ENUM ||
            cv == PQC_JSON)
            t = ty_make(TY_STRING);
        else if (lg < 0 && (cv < 0 || cv == PQC_BSON))
            t = ty_make(TY_BYTES);
        else if (lg == PQL_BSON)
            t = ty_make(TY_BYTES);
        else
            return "a BYTE_ARRAY with an unsupported annotation";
        break;
    case PQT_FIXED_LEN_BYTE_ARRAY:
        if (cv == PQC_INTERVAL && el->type_length == 12) {
            f->conv = CV_INTERVAL;
            t = ty_make(TY_INTERVAL_DT);
        } else if (lg == PQL_UUID && el->type_length == 16) {
            f->conv = CV_UUID;
            t = ty_make(TY_STRING);
        } else if (lg == PQL_FLOAT16) {
            return "a FLOAT16";
        } else {
            return "a FIXED_LEN_BYTE_ARRAY that is not a DECIMAL, UUID or INTERVAL";
        }
        break;
    default:
        return "an unknown physical type";
    }
    f->info.type = t;
    return NULL;
}

/* Walks the schema tree: top-level fields, each a leaf (a column) or a
 * group whose leaves are skipped. */
static int build_fields(PqReader *r, WbError *err)
{
    const PqFileMeta *m = &r->meta;
    if (m->nschema < 1) return corrupt(r->path, err, "the schema is empty");
    const PqSchemaElem *root = &m->schema[0];
    if (root->num_children < 0 || root->num_children > m->nschema - 1)
        return corrupt(r->path, err, "the schema root has a bad child count");
    r->nfields = root->num_children;
    r->fields = wb_arena_calloc(&r->arena, sizeof(Field) * (size_t)(r->nfields ? r->nfields : 1));
    int32_t at = 1, leaf = 0;
    for (int32_t i = 0; i < r->nfields; i++) {
        if (at >= m->nschema) return corrupt(r->path, err, "the schema has fewer elements than it declares");
        Field *f = &r->fields[i];
        const PqSchemaElem *el = &m->schema[at];
        f->el = el;
        f->info.name = el->name;
        f->leaf = -1;
        if (el->num_children < 0) return corrupt(r->path, err, "a schema element has a negative child count");
        if (el->num_children == 0 && el->type < 0)
            return corrupt(r->path, err, "field \"%s\" is a group without fields", el->name);
        if (el->num_children > 0) {
            /* a group: walk its subtree, counting leaves */
            int64_t pending = 1;
            int32_t depth_guard = 0;
            while (pending > 0) {
                if (at >= m->nschema || ++depth_guard > m->nschema)
                    return corrupt(r->path, err, "the schema has fewer elements than it declares");
                const PqSchemaElem *e = &m->schema[at++];
                pending--;
                if (e->num_children < 0 || e->num_children > m->nschema)
                    return corrupt(r->path, err, "a schema element has a bad child count");
                if (e->num_children > 0) pending += e->num_children;
                else if (e->type >= 0) leaf++;
                else return corrupt(r->path, err, "a group in field \"%s\" has no fields", f->info.name);
            }
            f->info.unsupported = "a nested group (LIST, MAP or STRUCT)";
            f->info.type = ty_make(TY_NULL);
            continue;
        }
        at++;
        f->leaf = leaf++;
        if (el->repetition == PQ_REPEATED) {
            f->info.unsupported = "a REPEATED field";
            continue;
        }
        f->info.unsupported = map_field(f, &r->arena);
        f->info.type.nullable = el->repetition != PQ_REQUIRED;
    }
    if (at != m->nschema) return corrupt(r->path, err, "the schema has more elements than its root declares");
    r->nleaves = leaf;
    return 0;
}

/* ---- statistics ---- */

static int64_t conv_int(const Field *f, int64_t v)
{
    if (f->conv == CV_UINT32) return (int64_t)(uint32_t)v;
    /* millis: a value that overflows wraps (unsigned arithmetic: a hostile
     * file gives a wrong value, never undefined behaviour) */
    if (f->mul != 1) return (int64_t)((uint64_t)v * (uint64_t)f->mul);
    if (f->div != 1) {
        int64_t q = v / f->div;
        if ((v % f->div) < 0) q--;        /* floor */
        return q;
    }
    return v;
}

/* A big-endian two's complement integer of 1..32 bytes; false when it
 * does not fit 128 bits. */
static bool get_be(const uint8_t *p, uint32_t len, ty_i128 *out)
{
    if (len == 0) {
        *out = 0;
        return true;
    }
    if (len > 16) {
        uint8_t sign = (p[0] & 0x80) ? 0xff : 0;
        for (uint32_t i = 0; i < len - 16; i++)
            if (p[i] != sign) return false;
        if (((p[len - 16] & 0x80) ? 0xff : 0) != sign) return false;
        p += len - 16;
        len = 16;
    }
    ty_u128 u = (p[0] & 0x80) ? ~(ty_u128)0 : 0;
    for (uint32_t i = 0; i < len; i++) u = (u << 8) | p[i];
    *out = (ty_i128)u;
    return true;
}

/* Decodes one statistics bound; false when the bytes do not fit. */
static bool stat_value(const Field *f, const uint8_t *p, uint32_t len, PqValue *out)
{
    memset(out, 0, sizeof *out);
    switch (f->conv) {
    case CV_BOOL:
        if (len != 1) return false;
        out->i64 = p[0] & 1;
        return true;
    case CV_INT:
    case CV_UINT32:
        if (f->info.type.id == TY_DECIMAL) {
            ty_i128 v;
            if (f->ptype == PQT_INT32 && len == 4) v = (int32_t)wb_get_u32(p);
            else if (f->ptype == PQT_INT64 && len == 8) v = (int64_t)wb_get_u64(p);
            else return false;
            if (ty_phys(f->info.type) == PK_I128) out->i128 = v;
            else out->i64 = (int64_t)v;
            return true;
        }
        if (f->ptype == PQT_INT32 && len == 4) out->i64 = conv_int(f, (int32_t)wb_get_u32(p));
        else if (f->ptype == PQT_INT64 && len == 8) out->i64 = conv_int(f, (int64_t)wb_get_u64(p));
        else return false;
        return true;
    case CV_FLOAT: {
        if (len != 4) return false;
        uint32_t bits = wb_get_u32(p);
        float v;
        memcpy(&v, &bits, 4);
        out->f64 = v;
        return out->f64 == out->f64;
    }
    case CV_DOUBLE: {
        if (len != 8) return false;
        uint64_t bits = wb_get_u64(p);
        memcpy(&out->f64, &bits, 8);
        return out->f64 == out->f64;
    }
    case CV_BYTES:
        out->str = (WbStr){(const char *)p, len};
        return true;
    case CV_DEC_BYTES: {
        ty_i128 v;
        if (f->ptype == PQT_FIXED_LEN_BYTE_ARRAY && len != (uint32_t)f->el->type_length) return false;
        if (!get_be(p, len, &v)) return false;
        if (ty_phys(f->info.type) == PK_I128) out->i128 = v;
        else out->i64 = (int64_t)v;
        return true;
    }
    default:
        return false;   /* no order: INTERVAL, UUID, INT96 */
    }
}

/* A column's statistics from their bytes (a chunk's or a page's). */
static void to_stats(const Field *f, const PqStatsRaw *raw, PqColumnStats *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->null_count = raw->null_count;
    if (!raw->min || !raw->max) return;
    /* the deprecated fields sorted signed: trusted for numbers only */
    if (raw->legacy && (f->conv == CV_BYTES || f->conv == CV_DEC_BYTES || f->conv == CV_UINT32)) return;
    if (!stat_value(f, raw->min, raw->min_len, &cs->min) || !stat_value(f, raw->max, raw->max_len, &cs->max))
        return;
    cs->has_min_max = true;
    cs->min_exact = raw->min_exact && !raw->legacy;
    cs->max_exact = raw->max_exact && !raw->legacy;
}

static void build_stats(PqReader *r)
{
    r->stats = wb_arena_calloc(&r->arena, sizeof(PqColumnStats) *
                                              (size_t)(r->meta.nrg * (r->nfields ? r->nfields : 1) + 1));
    for (int32_t g = 0; g < r->meta.nrg; g++) {
        for (int32_t c = 0; c < r->nfields; c++) {
            PqColumnStats *cs = &r->stats[(size_t)g * (size_t)r->nfields + (size_t)c];
            const Field *f = &r->fields[c];
            cs->null_count = -1;
            if (f->leaf < 0 || f->info.unsupported) continue;
            to_stats(f, &r->meta.rgs[g].chunks[f->leaf].stats, cs);
        }
    }
}

/* ---- opening ---- */

PqReader *pq_reader_open(const char *path, WbError *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot open Parquet file \"%s\": %s", path, strerror(errno));
        snprintf(err->source, sizeof err->source, "%s", path);
        return NULL;
    }
    PqReader *r = wb_calloc(1, sizeof *r);
    r->path = wb_strdup(path);
    r->fd = fd;
    wb_arena_init(&r->arena, 0);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot read Parquet file \"%s\": %s", path, strerror(errno));
        snprintf(err->source, sizeof err->source, "%s", path);
        pq_reader_close(r);
        return NULL;
    }
    r->file_size = st.st_size;
    uint8_t head[4], tail[8];
    if (r->file_size < 12) {
        corrupt(path, err, "the file is %lld bytes, too short for a Parquet file",
                (long long)r->file_size);
        pq_reader_close(r);
        return NULL;
    }
    if (read_at(fd, head, 4, 0) != 0 || read_at(fd, tail, 8, r->file_size - 8) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot read Parquet file \"%s\": %s", path,
                 errno ? strerror(errno) : "short read");
        snprintf(err->source, sizeof err->source, "%s", path);
        pq_reader_close(r);
        return NULL;
    }
    if (memcmp(head, "PAR1", 4) != 0 || memcmp(tail + 4, "PAR1", 4) != 0) {
        if (memcmp(tail + 4, "PARE", 4) == 0)
            corrupt(path, err, "the file is encrypted, which weir does not read");
        else
            corrupt(path, err, "the magic bytes PAR1 are missing (not a Parquet file, or truncated)");
        pq_reader_close(r);
        return NULL;
    }
    uint32_t flen = wb_get_u32(tail);
    if (flen == 0 || flen > PQ_MAX_FOOTER || (int64_t)flen > r->file_size - 12) {
        corrupt(path, err, "the footer length %u does not fit the file's %lld bytes", flen,
                (long long)r->file_size);
        pq_reader_close(r);
        return NULL;
    }
    r->footer_start = r->file_size - 8 - (int64_t)flen;
    uint8_t *footer = wb_arena_alloc(&r->arena, flen);
    if (read_at(fd, footer, flen, r->footer_start) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot read the footer of Parquet file \"%s\"", path);
        snprintf(err->source, sizeof err->source, "%s", path);
        pq_reader_close(r);
        return NULL;
    }
    const char *why = NULL;
    if (pq_parse_file_meta(footer, flen, &r->arena, &r->meta, &why) != 0) {
        corrupt(path, err, "bad footer: %s", why);
        pq_reader_close(r);
        return NULL;
    }
    if (r->meta.encrypted) {
        corrupt(path, err, "the file is encrypted, which weir does not read");
        pq_reader_close(r);
        return NULL;
    }
    if (build_fields(r, err) != 0) {
        pq_reader_close(r);
        return NULL;
    }
    /* row groups: column counts, row counts, chunk extents */
    int64_t rows = 0;
    if (r->meta.num_rows < 0) {
        corrupt(path, err, "the row count is negative");
        pq_reader_close(r);
        return NULL;
    }
    for (int32_t g = 0; g < r->meta.nrg; g++) {
        PqRowGroupMeta *rg = &r->meta.rgs[g];
        if (rg->ncols != r->nleaves) {
            corrupt(path, err, "row group %d has %d column chunks for a schema of %d columns", (int)g,
                    (int)rg->ncols, (int)r->nleaves);
            pq_reader_close(r);
            return NULL;
        }
        if (rg->num_rows < 0 || rg->num_rows > r->meta.num_rows - rows) {
            corrupt(path, err, "row group %d has a bad row count %lld", (int)g, (long long)rg->num_rows);
            pq_reader_close(r);
            return NULL;
        }
        rows += rg->num_rows;
        for (int32_t c = 0; c < rg->ncols; c++) {
            PqChunkMeta *cm = &rg->chunks[c];
            int64_t start = cm->data_page_offset;
            if (cm->dict_page_offset > 0 && cm->dict_page_offset < start) start = cm->dict_page_offset;
            if (start < 4 || cm->total_compressed <= 0 || start >= r->footer_start ||
                cm->total_compressed > r->footer_start - start ||
                cm->data_page_offset >= start + cm->total_compressed) {
                corrupt(path, err, "column chunk %d of row group %d lies outside the file's data",
                        (int)c, (int)g);
                pq_reader_close(r);
                return NULL;
            }
            if (cm->num_values < 0) {
                corrupt(path, err, "column chunk %d of row group %d has a negative value count",
                        (int)c, (int)g);
                pq_reader_close(r);
                return NULL;
            }
            cm->start = start;
            cm->size = cm->total_compressed;
        }
    }
    if (rows != r->meta.num_rows) {
        corrupt(path, err, "the row groups hold %lld rows, the footer says %lld", (long long)rows,
                (long long)r->meta.num_rows);
        pq_reader_close(r);
        return NULL;
    }
    /* leaf physical types must agree with the chunks' */
    for (int32_t i = 0; i < r->nfields; i++) {
        Field *f = &r->fields[i];
        if (f->leaf < 0 || f->info.unsupported) continue;
        for (int32_t g = 0; g < r->meta.nrg; g++) {
            if (r->meta.rgs[g].chunks[f->leaf].type != f->el->type) {
                corrupt(path, err, "column \"%s\" has chunks of another physical type than its schema",
                        f->info.name);
                pq_reader_close(r);
                return NULL;
            }
        }
        if (f->el->type == PQT_FIXED_LEN_BYTE_ARRAY && (f->el->type_length < 1 || f->el->type_length > (1 << 20))) {
            corrupt(path, err, "column \"%s\" has a bad fixed length", f->info.name);
            pq_reader_close(r);
            return NULL;
        }
    }
    build_stats(r);
    return r;
}

void pq_reader_close(PqReader *r)
{
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    wb_arena_destroy(&r->arena);
    free(r->path);
    free(r);
}

const char *pq_reader_path(const PqReader *r) { return r->path; }
int32_t pq_reader_ncols(const PqReader *r) { return r->nfields; }
const PqColumnInfo *pq_reader_column(const PqReader *r, int32_t col) { return &r->fields[col].info; }
int64_t pq_reader_num_rows(const PqReader *r) { return r->meta.num_rows; }
int64_t pq_reader_file_size(const PqReader *r) { return r->file_size; }
int32_t pq_reader_num_row_groups(const PqReader *r) { return r->meta.nrg; }
int64_t pq_reader_row_group_rows(const PqReader *r, int32_t rg) { return r->meta.rgs[rg].num_rows; }
int32_t pq_reader_num_kv(const PqReader *r) { return r->meta.nkv; }
const PqKeyValue *pq_reader_kv(const PqReader *r, int32_t i) { return &r->meta.kv[i]; }

const PqColumnStats *pq_reader_row_group_stats(const PqReader *r, int32_t rg, int32_t col)
{
    return &r->stats[(size_t)rg * (size_t)r->nfields + (size_t)col];
}

const char *pq_reader_kv_get(const PqReader *r, const char *key)
{
    for (int32_t i = r->meta.nkv - 1; i >= 0; i--)
        if (strcmp(r->meta.kv[i].key, key) == 0) return r->meta.kv[i].value;
    return NULL;
}

int32_t pq_reader_find_column(const PqReader *r, const char *name)
{
    for (int32_t i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].info.name, name) == 0) return i;
    for (int32_t i = 0; i < r->nfields; i++)
        if (wb_ieq(name, strlen(name), r->fields[i].info.name)) return i;
    return -1;
}

/* ---- predicates ---- */

static int cmp_value(SqlType type, const PqValue *a, const PqValue *b_pred)
{
    switch (ty_phys(type)) {
    case PK_F64: return a->f64 < b_pred->f64 ? -1 : a->f64 > b_pred->f64;
    case PK_STR: {
        int c = memcmp(a->str.ptr, b_pred->str.ptr, WB_MIN(a->str.len, b_pred->str.len));
        if (c) return c;
        return a->str.len < b_pred->str.len ? -1 : a->str.len > b_pred->str.len;
    }
    case PK_I128: return a->i128 < b_pred->i128 ? -1 : a->i128 > b_pred->i128;
    case PK_I64:
        if (type.id == TY_DECIMAL) {
            ty_i128 v = a->i64;
            return v < b_pred->i128 ? -1 : v > b_pred->i128;
        }
        return a->i64 < b_pred->i64 ? -1 : a->i64 > b_pred->i64;
    }
    return 0;
}

PqValue pq_pred_value(const ColumnVector *v, int32_t row)
{
    PqValue out;
    memset(&out, 0, sizeof out);
    switch (ty_phys(v->type)) {
    case PK_I64:
        if (v->type.id == TY_DECIMAL) out.i128 = v->i64[row];
        else out.i64 = v->i64[row];
        break;
    case PK_I128: out.i128 = v->i128[row]; break;
    case PK_F64: out.f64 = v->f64[row]; break;
    case PK_STR: out.str = v->str[row]; break;
    }
    return out;
}

int32_t pq_preds_drop(PqPredicate *preds, int32_t n, const bool *drop)
{
    int32_t kept = 0;
    for (int32_t i = 0; i < n;) {
        int32_t j = i + 1;
        while (preds[i].any_of && j < n && preds[j].any_of == preds[i].any_of) j++;
        bool any = false;
        for (int32_t k = i; k < j; k++) any |= drop[k];
        for (int32_t k = i; k < j && !any; k++) preds[kept++] = preds[k];
        i = j;
    }
    return kept;
}

/* Whether rows with these statistics may satisfy one term. */
static bool term_may_match(SqlType t, const PqColumnStats *cs, int64_t num_rows, const PqPredicate *p)
{
    bool all_null = cs->null_count >= 0 && cs->null_count >= num_rows;
    if (p->op == PQ_OP_IS_NULL) return cs->null_count != 0;
    if (p->op == PQ_OP_IS_NOT_NULL) return !(all_null && num_rows > 0);
    if (all_null) return false;
    if (!cs->has_min_max) return true;
    if (ty_phys(t) == PK_F64 && p->value.f64 != p->value.f64) return true;   /* NaN */
    int lo = cmp_value(t, &cs->min, &p->value);   /* min vs v */
    int hi = cmp_value(t, &cs->max, &p->value);   /* max vs v */
    switch (p->op) {
    case PQ_OP_EQ: return lo <= 0 && hi >= 0;
    case PQ_OP_LT: return lo < 0;
    case PQ_OP_LE: return lo <= 0;
    case PQ_OP_GT: return hi > 0;
    case PQ_OP_GE: return hi >= 0;
    default: return true;
    }
}

bool pq_stats_may_match(const SqlType *types, const PqColumnStats *stats, int64_t num_rows,
                        const PqPredicate *preds, int32_t npreds)
{
    for (int32_t i = 0; i < npreds;) {
        /* a term, or a disjunction: its adjacent terms of the same any_of */
        int32_t j = i + 1;
        while (preds[i].any_of && j < npreds && preds[j].any_of == preds[i].any_of) j++;
        bool may = false;
        for (int32_t k = i; k < j && !may; k++)
            may = term_may_match(types[preds[k].col], &stats[preds[k].col], num_rows, &preds[k]);
        if (!may) return false;
        i = j;
    }
    return true;
}

bool pq_type_compatible(SqlType file, SqlType dst)
{
    if (file.id == dst.id) {
        /* micros since the epoch either way: an instant (ltz) read as a
         * TIMESTAMP is its UTC wall time, and the other way round */
        if (file.id == TY_TIMESTAMP) return true;
        if (file.id == TY_DECIMAL) return file.scale == dst.scale && dst.precision >= file.precision;
        return true;
    }
    if (ty_is_string(file.id) && ty_is_string(dst.id)) return true;
    if (file.id == TY_INT && dst.id == TY_BIGINT) return true;
    /* an INTERVAL column of a file holds either family */
    if (file.id == TY_INTERVAL_DT && dst.id == TY_INTERVAL_YM) return true;
    return false;
}

/* ---- scans ---- */

typedef struct Cursor {
    const Field *f;
    SqlType dst;
    PhysKind kind;                   /* of dst */
    int32_t col;                     /* file column */
    /* the chunk */
    uint8_t *chunk;
    size_t chunk_cap, chunk_len, chunk_pos;
    /* the chunk is read a window at a time: bytes [win_pos, win_pos +
     * win_len) of it are in `chunk` (pages skipped are never read) */
    int64_t chunk_start;             /* its offset in the file */
    size_t win_pos, win_len;
    int64_t rows_left;               /* rows of the row group not yet in a page */
    int64_t chunk_rows;              /* rows of the row group */
    int64_t page_first;              /* the row (in the row group) of the page's row 0 */
    int32_t rg;
    /* the dictionary, in dst's representation */
    bool has_dict;
    int64_t dict_n;
    void *dict;
    size_t dict_cap;
    uint8_t *dict_page;              /* its decompressed bytes (strings point in) */
    size_t dict_page_cap;
    /* the page */
    uint8_t *page;
    size_t page_cap;
    uint8_t *levels;                 /* NULL: every value present */
    size_t levels_cap;
    int64_t page_rows, row_pos;
    int64_t page_vals, val_pos;
    bool page_dict;
    /* PLAIN numbers (INT32, INT64, FLOAT, DOUBLE) are decoded from the
     * page straight into the batch when copied, not into vals first */
    const uint8_t *plain;
    int32_t plain_width;
    uint32_t *idx;
    size_t idx_cap;
    void *vals;
    size_t vals_cap;
    int64_t *raw;
    size_t raw_cap;
    WbStr *strs;
    size_t strs_cap;
    WbBuf scratch;
} Cursor;

struct PqScan {
    PqReader *r;
    int32_t ncols;
    Cursor *cur;
    PqPredicate *preds;
    int32_t npreds;
    int32_t next_rg;                 /* the next row group to consider */
    int32_t rg;                      /* the row group being read, -1 none */
    /* the rows of the row group to read: ranges [keep[2i], keep[2i+1]),
     * all of them unless pages' statistics rule some out; the next row */
    int64_t *keep;
    int32_t nkeep, ikeep, keep_cap;
    int64_t rg_row;
    int32_t skipped, read;
    SqlType *file_types;
};

static void *grow(void *p, size_t *cap, size_t need)
{
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    *cap = c;
    return wb_realloc(p, c);
}

static int col_corrupt(const PqScan *s, const Cursor *c, WbError *err, const char *why)
{
    return corrupt(s->r->path, err, "column \"%s\", row group %d: %s", c->f->info.name, (int)c->rg, why);
}

static size_t kind_size(PhysKind k)
{
    switch (k) {
    case PK_I64: return sizeof(int64_t);
    case PK_F64: return sizeof(double);
    case PK_I128: return sizeof(ty_i128);
    case PK_STR: return sizeof(WbStr);
    }
    return 8;
}

/* The value width of a fixed-width physical type, 0 for BYTE_ARRAY. */
static int32_t fixed_width(const Field *f)
{
    switch (f->ptype) {
    case PQT_INT32: case PQT_FLOAT: return 4;
    case PQT_INT64: case PQT_DOUBLE: return 8;
    case PQT_INT96: return 12;
    case PQT_FIXED_LEN_BYTE_ARRAY: return f->el->type_length;
    default: return 0;
    }
}

static const char hexdigits[] = "0123456789abcdef";

/* Converts n byte strings (BYTE_ARRAY, FLBA, INT96) into dst values at out. */
static int convert_bytes(Cursor *c, const WbStr *in, int64_t n, void *out, bool *bad)
{
    const Field *f = c->f;
    switch (f->conv) {
    case CV_BYTES:
        memcpy(out, in, sizeof(WbStr) * (size_t)n);
        return 0;
    case CV_DEC_BYTES:
        for (int64_t i = 0; i < n; i++) {
            ty_i128 v;
            if (!get_be((const uint8_t *)in[i].ptr, in[i].len, &v) || !ty_decimal_fits(v, c->dst.precision)) {
                *bad = true;
                return -1;
            }
            if (c->kind == PK_I128) ((ty_i128 *)out)[i] = v;
            else ((int64_t *)out)[i] = (int64_t)v;
        }
        return 0;
    case CV_INTERVAL:
        for (int64_t i = 0; i < n; i++) {
            const uint8_t *p = (const uint8_t *)in[i].ptr;
            int64_t months = (int32_t)wb_get_u32(p), days = (int32_t)wb_get_u32(p + 4);
            int64_t ms = (int64_t)wb_get_u32(p + 8);   /* unsigned, as DuckDB takes it */
            if (c->dst.id == TY_INTERVAL_YM) {
                if (days || ms) {
                    *bad = true;
                    return -1;
                }
                ((int64_t *)out)[i] = months;
            } else {
                if (months) {
                    *bad = true;
                    return -1;
                }
                ((int64_t *)out)[i] = days * 86400000 + ms;   /* |days| < 2^31: no overflow */
            }
        }
        return 0;
    case CV_UUID: {
        wb_buf_clear(&c->scratch);
        wb_buf_reserve(&c->scratch, (size_t)n * 36 + 1);
        char *base = c->scratch.data;
        for (int64_t i = 0; i < n; i++) {
            const uint8_t *p = (const uint8_t *)in[i].ptr;
            char *o = base + 36 * i;
            for (int k = 0; k < 16; k++) {
                if (k == 4 || k == 6 || k == 8 || k == 10) *o++ = '-';
                *o++ = hexdigits[p[k] >> 4];
                *o++ = hexdigits[p[k] & 15];
            }
            ((WbStr *)out)[i] = (WbStr){base + 36 * i, 36};
        }
        c->scratch.len = (size_t)n * 36;
        return 0;
    }
    case CV_INT96:
        for (int64_t i = 0; i < n; i++) {
            const uint8_t *p = (const uint8_t *)in[i].ptr;
            int64_t nanos = (int64_t)wb_get_u64(p);
            int64_t julian = (int64_t)wb_get_u32(p + 8);
            int64_t q = nanos / 1000;
            if (nanos % 1000 < 0) q--;
            ((int64_t *)out)[i] = (int64_t)((uint64_t)(julian - 2440588) * 86400000000ULL + (uint64_t)q);
        }
        return 0;
    default:
        *bad = true;
        return -1;
    }
}

/* Converts n raw integers (INT32 already sign-extended, INT64, BOOLEAN 0/1)
 * into dst values at out. */
static void convert_ints(const Cursor *c, const int64_t *raw, int64_t n, void *out)
{
    const Field *f = c->f;
    if (c->kind == PK_I128) {
        for (int64_t i = 0; i < n; i++) ((ty_i128 *)out)[i] = raw[i];
        return;
    }
    int64_t *o = out;
    if (f->conv == CV_UINT32) {
        for (int64_t i = 0; i < n; i++) o[i] = (int64_t)(uint32_t)raw[i];
    } else if (f->mul != 1) {
        for (int64_t i = 0; i < n; i++) o[i] = (int64_t)((uint64_t)raw[i] * (uint64_t)f->mul);
    } else if (f->div != 1) {
        for (int64_t i = 0; i < n; i++) o[i] = conv_int(f, raw[i]);
    } else if (o != raw) {
        memcpy(o, raw, sizeof(int64_t) * (size_t)n);
    }
}

/* Decodes n PLAIN values from data[0..len) into dst values at out.
 * *used gets the bytes taken.  -1 with *why on short or bad input. */
static int decode_plain(Cursor *c, const uint8_t *data, size_t len, int64_t n, void *out,
                        size_t *used, const char **why)
{
    const Field *f = c->f;
    switch (f->ptype) {
    case PQT_BOOLEAN: {
        size_t need = (size_t)(n + 7) / 8;
        if (need > len) break;
        int64_t *o = out;
        for (int64_t i = 0; i < n; i++) o[i] = (data[i >> 3] >> (i & 7)) & 1;
        *used = need;
        return 0;
    }
    case PQT_INT32: {
        if ((size_t)n * 4 > len) break;
        c->raw = grow(c->raw, &c->raw_cap, sizeof(int64_t) * (size_t)(n + 1));
        for (int64_t i = 0; i < n; i++) c->raw[i] = (int32_t)wb_get_u32(data + 4 * i);
        convert_ints(c, c->raw, n, out);
        *used = (size_t)n * 4;
        return 0;
    }
    case PQT_INT64: {
        if ((size_t)n * 8 > len) break;
        if (c->kind == PK_I64 && f->mul == 1 && f->div == 1) {
            int64_t *o = out;
            for (int64_t i = 0; i < n; i++) o[i] = (int64_t)wb_get_u64(data + 8 * i);
        } else {
            c->raw = grow(c->raw, &c->raw_cap, sizeof(int64_t) * (size_t)(n + 1));
            for (int64_t i = 0; i < n; i++) c->raw[i] = (int64_t)wb_get_u64(data + 8 * i);
            convert_ints(c, c->raw, n, out);
        }
        *used = (size_t)n * 8;
        return 0;
    }
    case PQT_FLOAT: {
        if ((size_t)n * 4 > len) break;
        double *o = out;
        for (int64_t i = 0; i < n; i++) {
            uint32_t bits = wb_get_u32(data + 4 * i);
            float v;
            memcpy(&v, &bits, 4);
            o[i] = v;
        }
        *used = (size_t)n * 4;
        return 0;
    }
    case PQT_DOUBLE: {
        if ((size_t)n * 8 > len) break;
        memcpy(out, data, (size_t)n * 8);   /* IEEE little-endian, as the host */
        *used = (size_t)n * 8;
        return 0;
    }
    case PQT_BYTE_ARRAY:
    case PQT_FIXED_LEN_BYTE_ARRAY:
    case PQT_INT96: {
        WbStr *strs = f->conv == CV_BYTES ? out
                                          : (c->strs = grow(c->strs, &c->strs_cap, sizeof(WbStr) * (size_t)(n + 1)));
        size_t pos = 0;
        int32_t width = fixed_width(f);
        if (width > 0) {
            if ((size_t)n * (size_t)width > len) break;
            for (int64_t i = 0; i < n; i++) strs[i] = (WbStr){(const char *)data + (size_t)width * (size_t)i, (uint32_t)width};
            pos = (size_t)n * (size_t)width;
        } else {
            for (int64_t i = 0; i < n; i++) {
                if (len - pos < 4) goto short_input;
                uint32_t l = wb_get_u32(data + pos);
                pos += 4;
                if (l > len - pos) goto short_input;
                strs[i] = (WbStr){(const char *)data + pos, l};
                pos += l;
            }
        }
        *used = pos;
        if (f->conv == CV_BYTES) return 0;
        bool bad = false;
        if (convert_bytes(c, strs, n, out, &bad) != 0) {
            *why = "a value does not fit its column type";
            return -1;
        }
        return 0;
    }
    default:
        break;
    }
short_input:
    *why = "a page holds fewer values than it declares";
    return -1;
}

/* Rebuilds byte strings for DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY /
 * BYTE_STREAM_SPLIT into c->scratch as PLAIN bytes, then decodes them. */
static int decode_delta_bytes(Cursor *c, int enc, const uint8_t *data, size_t len, int64_t n,
                              void *out, const char **why)
{
    const Field *f = c->f;
    int32_t width = fixed_width(f);
    if (f->ptype != PQT_BYTE_ARRAY && f->ptype != PQT_FIXED_LEN_BYTE_ARRAY) {
        *why = "a byte-array encoding on a column that is not one";
        return -1;
    }
    int64_t *prefix = NULL, *lengths;
    size_t used = 0, pos = 0;
    c->raw = grow(c->raw, &c->raw_cap, sizeof(int64_t) * (size_t)(2 * n + 2));
    lengths = c->raw;
    if (enc == PQE_DELTA_BYTE_ARRAY) {
        prefix = c->raw + n + 1;
        if (pq_delta_decode(data, len, prefix, n, &used) != n) goto bad;
        pos = used;
    }
    if (pq_delta_decode(data + pos, len - pos, lengths, n, &used) != n) goto bad;
    pos += used;
    /* the PLAIN form: for BYTE_ARRAY each value with its u32 length */
    wb_buf_clear(&c->scratch);
    size_t prev_at = 0, prev_len = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t pl = prefix ? prefix[i] : 0, sl = lengths[i];
        if (pl < 0 || sl < 0 || (uint64_t)pl > prev_len || (uint64_t)sl > len - pos) goto bad;
        size_t vlen = (size_t)(pl + sl);
        if (width > 0 && vlen != (size_t)width) goto bad;
        if (vlen > UINT32_MAX) goto bad;
        if (width == 0) {
            uint8_t lb[4];
            wb_put_u32(lb, (uint32_t)vlen);
            wb_buf_append(&c->scratch, lb, 4);
        }
        size_t at = c->scratch.len;
        wb_buf_reserve(&c->scratch, vlen);
        if (pl) memmove(c->scratch.data + at, c->scratch.data + prev_at, (size_t)pl);
        memcpy(c->scratch.data + at + pl, data + pos, (size_t)sl);
        c->scratch.len += vlen;
        pos += (size_t)sl;
        prev_at = at;
        prev_len = vlen;
    }
    /* decode from a private copy: convert_bytes may reuse the scratch */
    size_t plen = c->scratch.len;
    uint8_t *plain = wb_malloc(plen ? plen : 1);
    memcpy(plain, c->scratch.data, plen);
    int rc = decode_plain(c, plain, plen, n, out, &used, why);
    /* strings must outlive this call: keep the copy as the page's bytes */
    free(c->page);
    c->page = plain;
    c->page_cap = plen ? plen : 1;
    return rc;
bad:
    *why = "a delta-encoded byte array is malformed";
    return -1;
}

static int decode_values(Cursor *c, int enc, const uint8_t *data, size_t len, int64_t n, void *out,
                         bool dict_page, const char **why)
{
    const Field *f = c->f;
    size_t used;
    switch (enc) {
    case PQE_PLAIN:
        return decode_plain(c, data, len, n, out, &used, why);
    case PQE_RLE: {
        if (f->ptype != PQT_BOOLEAN || dict_page) break;
        if (len < 4 || wb_get_u32(data) > len - 4) {
            *why = "an RLE boolean run is cut";
            return -1;
        }
        uint8_t *bits = wb_malloc((size_t)n + 1);
        int rc = pq_rle_decode_u8(data + 4, wb_get_u32(data), 1, bits, n);
        for (int64_t i = 0; rc == 0 && i < n; i++) ((int64_t *)out)[i] = bits[i];
        free(bits);
        if (rc != 0) *why = "RLE boolean values are malformed";
        return rc;
    }
    case PQE_DELTA_BINARY_PACKED: {
        if (f->ptype != PQT_INT32 && f->ptype != PQT_INT64) break;
        c->raw = grow(c->raw, &c->raw_cap, sizeof(int64_t) * (size_t)(n + 1));
        if (pq_delta_decode(data, len, c->raw, n, &used) != n) {
            *why = "DELTA_BINARY_PACKED values are malformed";
            return -1;
        }
        if (f->ptype == PQT_INT32)
            for (int64_t i = 0; i < n; i++) c->raw[i] = (int32_t)c->raw[i];
        convert_ints(c, c->raw, n, out);
        return 0;
    }
    case PQE_DELTA_LENGTH_BYTE_ARRAY:
    case PQE_DELTA_BYTE_ARRAY:
        return decode_delta_bytes(c, enc, data, len, n, out, why);
    case PQE_BYTE_STREAM_SPLIT: {
        int32_t width = fixed_width(f);
        if (width <= 0 || f->ptype == PQT_INT96) break;
        if ((size_t)n * (size_t)width > len) {
            *why = "a BYTE_STREAM_SPLIT page is cut";
            return -1;
        }
        uint8_t *plain = wb_malloc((size_t)n * (size_t)width + 1);
        for (int32_t b = 0; b < width; b++)
            for (int64_t i = 0; i < n; i++) plain[i * width + b] = data[(size_t)b * (size_t)n + (size_t)i];
        int rc = decode_plain(c, plain, (size_t)n * (size_t)width, n, out, &used, why);
        free(c->page);
        c->page = plain;   /* FLBA values point into it */
        c->page_cap = (size_t)n * (size_t)width + 1;
        return rc;
    }
    default:
        break;
    }
    *why = "the column uses an encoding weir does not read here";
    return -1;
}

/* A page header read at the window size: longer headers (statistics of
 * long strings from other writers) are read again whole. */
enum { WINDOW = 1 << 20, HEADER_BYTES = 4096 };

/* Bytes [pos, pos + len) of the cursor's chunk (pos + len <= chunk_len),
 * read into its window when they are not there, with at least `ahead`
 * bytes from pos when the chunk has them.  NULL on a read error (err set). */
static const uint8_t *chunk_bytes(const PqScan *s, Cursor *c, size_t pos, size_t len, size_t ahead,
                                  WbError *err)
{
    if (pos >= c->win_pos && pos + len <= c->win_pos + c->win_len) return c->chunk + (pos - c->win_pos);
    size_t want = len > ahead ? len : ahead;
    if (want > c->chunk_len - pos) want = c->chunk_len - pos;
    c->chunk = grow(c->chunk, &c->chunk_cap, want + 1);
    c->win_len = 0;
    if (read_at(s->r->fd, c->chunk, want, c->chunk_start + (int64_t)pos) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot read Parquet file \"%s\": %s", s->r->path,
                 errno ? strerror(errno) : "short read");
        snprintf(err->source, sizeof err->source, "%s", s->r->path);
        return NULL;
    }
    c->win_pos = pos;
    c->win_len = want;
    return c->chunk;
}

/* Parses the page header at pos of the cursor's chunk: its length, or -1
 * with *why (or err set, *why NULL, on a read error). */
static int64_t header_at(const PqScan *s, Cursor *c, size_t pos, size_t ahead, PqPageHeader *ph,
                         const char **why, WbError *err)
{
    size_t rest = c->chunk_len - pos;
    size_t len = rest < HEADER_BYTES ? rest : HEADER_BYTES;
    *why = NULL;
    for (;;) {
        const uint8_t *p = chunk_bytes(s, c, pos, len, ahead, err);
        if (!p) return -1;
        /* the window may hold more than asked: parse all of it */
        size_t have = c->win_pos + c->win_len - pos;
        int64_t hlen = pq_parse_page_header(p, have, ph, why);
        if (hlen >= 0 || have >= rest) return hlen;
        len = rest;   /* maybe cut short: once more with the rest of the chunk */
    }
}

/* Loads the next page of the cursor's chunk (a dictionary page first if
 * there is one).  Returns 0, or -1 with err. */
static int load_page(PqScan *s, Cursor *c, int64_t skip_before, WbError *err)
{
    for (;;) {
        if (c->rows_left <= 0) return col_corrupt(s, c, err, "the chunk holds more pages than rows");
        if (c->chunk_pos >= c->chunk_len)
            return col_corrupt(s, c, err, "the chunk ends before its row group's rows");
        PqPageHeader ph;
        const char *why = NULL;
        int64_t hlen = header_at(s, c, c->chunk_pos, skip_before > 0 ? HEADER_BYTES : WINDOW, &ph, &why, err);
        if (hlen < 0) return why ? col_corrupt(s, c, err, why) : -1;
        c->chunk_pos += (size_t)hlen;
        if ((size_t)ph.compressed_size > c->chunk_len - c->chunk_pos)
            return col_corrupt(s, c, err, "a page runs past the end of its chunk");
        size_t body_pos = c->chunk_pos;
        c->chunk_pos += (size_t)ph.compressed_size;
        if (ph.type != PQP_DATA_PAGE && ph.type != PQP_DATA_PAGE_V2 && ph.type != PQP_DICTIONARY_PAGE)
            continue;   /* index pages and unknown kinds are skipped */
        if (ph.uncompressed_size > PQ_MAX_PAGE) return col_corrupt(s, c, err, "a page is larger than 1 GiB");
        /* no codec expands 4096 times beyond a megabyte: a bound on what
         * a lying header makes us allocate */
        if ((int64_t)ph.uncompressed_size > (int64_t)ph.compressed_size * 4096 + ((int64_t)1 << 20))
            return col_corrupt(s, c, err, "a page's uncompressed size is implausible");
        int codec = s->r->meta.rgs[c->rg].chunks[c->f->leaf].codec;
        const uint8_t *body;
        if (ph.type == PQP_DICTIONARY_PAGE) {
            body = chunk_bytes(s, c, body_pos, (size_t)ph.compressed_size, WINDOW, err);
            if (!body) return -1;
            if (c->has_dict) return col_corrupt(s, c, err, "the chunk has two dictionary pages");
            if (ph.num_values > PQ_MAX_PAGE_VALUES || (int64_t)ph.num_values > ph.uncompressed_size + 1)
                return col_corrupt(s, c, err, "the dictionary declares too many values");
            c->dict_page = grow(c->dict_page, &c->dict_page_cap, (size_t)ph.uncompressed_size + 1);
            if (pq_decompress(codec, body, (size_t)ph.compressed_size, c->dict_page,
                              (size_t)ph.uncompressed_size, &why) != 0)
                return col_corrupt(s, c, err, why);
            if (ph.encoding != PQE_PLAIN && ph.encoding != PQE_PLAIN_DICTIONARY)
                return col_corrupt(s, c, err, "the dictionary page is not PLAIN");
            c->dict = grow(c->dict, &c->dict_cap, kind_size(c->kind) * (size_t)(ph.num_values + 1));
            /* decode_plain's strings point into the dictionary page */
            size_t used;
            if (decode_plain(c, c->dict_page, (size_t)ph.uncompressed_size, ph.num_values, c->dict, &used,
                             &why) != 0)
                return col_corrupt(s, c, err, why);
            if (c->f->conv == CV_UUID && c->scratch.len > 0) {
                /* the text lives in the scratch, which pages reuse: keep it */
                size_t tlen = c->scratch.len;
                char *text = wb_arena_alloc(&s->r->arena, tlen + 1);
                memcpy(text, c->scratch.data, tlen);
                for (int64_t i = 0; i < ph.num_values; i++)
                    ((WbStr *)c->dict)[i].ptr = text + (((WbStr *)c->dict)[i].ptr - c->scratch.data);
            }
            c->has_dict = true;
            c->dict_n = ph.num_values;
            continue;
        }
        /* a data page: v1 levels are inside the compressed bytes, v2 before them */
        int64_t nvalues = ph.num_values;
        if (nvalues <= 0 && c->rows_left > 0 && ph.num_values == 0)
            return col_corrupt(s, c, err, "a data page holds no values");
        if (nvalues > c->rows_left || nvalues > PQ_MAX_PAGE_VALUES)
            return col_corrupt(s, c, err, "a data page holds more values than its row group has rows left");
        int64_t first = c->chunk_rows - c->rows_left;
        if (first + nvalues <= skip_before) {
            /* every row before the ones wanted: not even decompressed */
            c->rows_left -= nvalues;
            continue;
        }
        body = chunk_bytes(s, c, body_pos, (size_t)ph.compressed_size, WINDOW, err);
        if (!body) return -1;
        c->page_first = first;
        const uint8_t *levels_data = NULL, *values;
        size_t levels_len = 0, values_len;
        bool v2 = ph.type == PQP_DATA_PAGE_V2;
        if (v2) {
            if (ph.rep_len != 0) return col_corrupt(s, c, err, "a flat column has repetition levels");
            if ((int64_t)ph.def_len > ph.compressed_size || ph.def_len > ph.uncompressed_size)
                return col_corrupt(s, c, err, "a page's level bytes exceed the page");
            if (ph.num_rows != ph.num_values) return col_corrupt(s, c, err, "a page's row and value counts differ");
            levels_data = body;
            levels_len = (size_t)ph.def_len;
            size_t comp_len = (size_t)ph.compressed_size - levels_len;
            size_t raw_len = (size_t)ph.uncompressed_size - levels_len;
            c->page = grow(c->page, &c->page_cap, raw_len + 1);
            if (ph.is_compressed) {
                if (pq_decompress(codec, body + levels_len, comp_len, c->page, raw_len, &why) != 0)
                    return col_corrupt(s, c, err, why);
            } else {
                if (comp_len != raw_len) return col_corrupt(s, c, err, "an uncompressed page's sizes disagree");
                memcpy(c->page, body + levels_len, raw_len);
            }
            values = c->page;
            values_len = raw_len;
        } else {
            c->page = grow(c->page, &c->page_cap, (size_t)ph.uncompressed_size + 1);
            if (pq_decompress(codec, body, (size_t)ph.compressed_size, c->page, (size_t)ph.uncompressed_size,
                              &why) != 0)
                return col_corrupt(s, c, err, why);
            values = c->page;
            values_len = (size_t)ph.uncompressed_size;
            if (c->f->el->repetition != PQ_REQUIRED) {
                if (ph.def_encoding == PQE_BIT_PACKED) {
                    levels_len = (size_t)(nvalues + 7) / 8;
                    if (levels_len > values_len) return col_corrupt(s, c, err, "definition levels are cut");
                } else {
                    if (values_len < 4 || wb_get_u32(values) > values_len - 4)
                        return col_corrupt(s, c, err, "definition levels are cut");
                    levels_len = wb_get_u32(values);
                    values += 4;
                    values_len -= 4;
                }
                levels_data = values;
                values += levels_len;
                values_len -= levels_len;
            }
        }
        /* definition levels */
        int64_t present = nvalues;
        if (c->f->el->repetition != PQ_REQUIRED) {
            c->levels = grow(c->levels, &c->levels_cap, (size_t)nvalues + 8);
            if (!v2 && ph.def_encoding == PQE_BIT_PACKED) {
                for (int64_t i = 0; i < nvalues; i++) c->levels[i] = (levels_data[i >> 3] >> (7 - (i & 7))) & 1;
            } else if (pq_rle_decode_u8(levels_data, levels_len, 1, c->levels, nvalues) != 0) {
                return col_corrupt(s, c, err, "definition levels are malformed");
            }
            present = 0;
            for (int64_t i = 0; i < nvalues; i++) present += c->levels[i];
        }
        c->page_rows = nvalues;
        c->row_pos = 0;
        c->page_vals = present;
        c->val_pos = 0;
        c->rows_left -= nvalues;
        /* values */
        if (ph.encoding == PQE_RLE_DICTIONARY || ph.encoding == PQE_PLAIN_DICTIONARY) {
            if (!c->has_dict) return col_corrupt(s, c, err, "a dictionary-encoded page has no dictionary");
            c->page_dict = true;
            c->plain = NULL;
            c->idx = grow(c->idx, &c->idx_cap, sizeof(uint32_t) * (size_t)(present + 1));
            if (present > 0) {
                if (values_len < 1 || values[0] > 32)
                    return col_corrupt(s, c, err, "dictionary indices are malformed");
                if (pq_rle_decode_u32(values + 1, values_len - 1, values[0], c->idx, present) != 0)
                    return col_corrupt(s, c, err, "dictionary indices are malformed");
                for (int64_t i = 0; i < present; i++)
                    if (c->idx[i] >= (uint64_t)c->dict_n)
                        return col_corrupt(s, c, err, "a dictionary index is out of range");
            }
        } else {
            c->page_dict = false;
            c->plain = NULL;
            int32_t width = fixed_width(c->f);
            if (ph.encoding == PQE_PLAIN && width > 0 && (uint64_t)present * (uint64_t)width > values_len)
                return col_corrupt(s, c, err, "a page holds fewer values than it declares");
            int32_t pt = c->f->ptype;
            if (ph.encoding == PQE_PLAIN &&
                (pt == PQT_INT32 || pt == PQT_INT64 || pt == PQT_FLOAT || pt == PQT_DOUBLE)) {
                c->plain = values;   /* checked above to hold `present` values */
                c->plain_width = width;
                return 0;
            }
            if (ph.encoding == PQE_PLAIN && c->f->ptype == PQT_BYTE_ARRAY && (uint64_t)present * 4 > values_len)
                return col_corrupt(s, c, err, "a page holds fewer values than it declares");
            c->vals = grow(c->vals, &c->vals_cap, kind_size(c->kind) * (size_t)(present + 1));
            if (decode_values(c, ph.encoding, values, values_len, present, c->vals, false, &why) != 0)
                return col_corrupt(s, c, err, why);
        }
        return 0;
    }
}

/* Copies k present values (from the page's val_pos) into vec at row `at`,
 * strings into the batch arena. */
static void copy_values(Cursor *c, Batch *out, ColumnVector *vec, int32_t at, int64_t k)
{
    size_t es = kind_size(c->kind);
    if (c->kind == PK_STR) {
        if (k == 0) return;
        WbStr *dst = vec->str + at;
        const WbStr *src = c->page_dict ? (const WbStr *)c->dict : (const WbStr *)c->vals + c->val_pos;
        const uint32_t *idx = c->page_dict ? c->idx + c->val_pos : NULL;
        size_t total = 0;
        for (int64_t i = 0; i < k; i++) total += (c->page_dict ? src[idx[i]] : src[i]).len;
        char *bytes = total ? wb_arena_alloc(out->arena, total) : NULL;
        for (int64_t i = 0; i < k; i++) {
            WbStr v = c->page_dict ? src[idx[i]] : src[i];
            if (v.len) memcpy(bytes, v.ptr, v.len);
            dst[i] = (WbStr){bytes, v.len};
            bytes += v.len;
        }
        return;
    }
    if (k == 0) return;
    char *dst = (char *)vec->data + es * (size_t)at;
    if (c->plain) {
        size_t used;
        const char *why;
        size_t off = (size_t)c->val_pos * (size_t)c->plain_width;
        /* cannot fail: load_page checked the page holds every value */
        decode_plain(c, c->plain + off, (size_t)k * (size_t)c->plain_width, k, dst, &used, &why);
        return;
    }
    if (!c->page_dict) {
        memcpy(dst, (const char *)c->vals + es * (size_t)c->val_pos, es * (size_t)k);
        return;
    }
    const uint32_t *idx = c->idx + c->val_pos;
    switch (c->kind) {
    case PK_I64: {
        const int64_t *d = c->dict;
        int64_t *o = (int64_t *)dst;
        for (int64_t i = 0; i < k; i++) o[i] = d[idx[i]];
        break;
    }
    case PK_F64: {
        const double *d = c->dict;
        double *o = (double *)dst;
        for (int64_t i = 0; i < k; i++) o[i] = d[idx[i]];
        break;
    }
    case PK_I128: {
        const ty_i128 *d = c->dict;
        ty_i128 *o = (ty_i128 *)dst;
        for (int64_t i = 0; i < k; i++) o[i] = d[idx[i]];
        break;
    }
    default:
        break;
    }
}

/* Moves the `present` values packed at rows [at, at+present) to the rows
 * whose nulls[] is 0 in [at, at+k), from the back. */
static void spread(ColumnVector *vec, PhysKind kind, int32_t at, int64_t k, int64_t present)
{
    const uint8_t *nulls = vec->nulls + at;
    int64_t src = present - 1;
#define SPREAD(T, arr)                                                   \
    do {                                                                 \
        T *a = (T *)(arr) + at;                                          \
        for (int64_t i = k - 1; i >= 0 && src < i; i--)                  \
            if (!nulls[i]) a[i] = a[src--];                              \
    } while (0)
    switch (kind) {
    case PK_I64: SPREAD(int64_t, vec->i64); break;
    case PK_F64: SPREAD(double, vec->f64); break;
    case PK_I128: SPREAD(ty_i128, vec->i128); break;
    case PK_STR: SPREAD(WbStr, vec->str); break;
    }
#undef SPREAD
}

/* Positions the cursor at row group rg's chunk (nothing is read yet). */
static void start_chunk(PqScan *s, Cursor *c, int32_t rg)
{
    const PqChunkMeta *cm = &s->r->meta.rgs[rg].chunks[c->f->leaf];
    c->rg = rg;
    c->chunk_start = cm->start;
    c->chunk_len = (size_t)cm->size;
    c->chunk_pos = 0;
    c->win_pos = c->win_len = 0;
    c->rows_left = c->chunk_rows = s->r->meta.rgs[rg].num_rows;
    c->page_first = 0;
    c->has_dict = false;
    c->dict_n = 0;
    c->page_rows = c->row_pos = 0;
    c->page_vals = c->val_pos = 0;
    c->plain = NULL;
}

PqScan *pq_scan_open(PqReader *r, const int32_t *cols, int32_t ncols, const SqlType *dst_types,
                     const PqPredicate *preds, int32_t npreds, WbError *err)
{
    for (int32_t i = 0; i < ncols; i++) {
        if (cols[i] < 0 || cols[i] >= r->nfields) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "no column %d in Parquet file \"%s\"", (int)cols[i], r->path);
            return NULL;
        }
        const Field *f = &r->fields[cols[i]];
        if (f->info.unsupported) {
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "column \"%s\" of Parquet file \"%s\" is %s, which weir does not read",
                     f->info.name, r->path, f->info.unsupported);
            snprintf(err->source, sizeof err->source, "%s", r->path);
            return NULL;
        }
        if (dst_types && !pq_type_compatible(f->info.type, dst_types[i])) {
            char a[64], b[64];
            wb_error(err, WB_SQLSTATE_DATATYPE, 0, 0,
                     "column \"%s\" of Parquet file \"%s\" is %s, which cannot be read as %s", f->info.name,
                     r->path, ty_name(f->info.type, a, sizeof a), ty_name(dst_types[i], b, sizeof b));
            snprintf(err->source, sizeof err->source, "%s", r->path);
            return NULL;
        }
    }
    PqScan *s = wb_calloc(1, sizeof *s);
    s->r = r;
    s->ncols = ncols;
    s->cur = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(Cursor));
    for (int32_t i = 0; i < ncols; i++) {
        Cursor *c = &s->cur[i];
        c->f = &r->fields[cols[i]];
        c->col = cols[i];
        c->dst = dst_types ? dst_types[i] : c->f->info.type;
        c->kind = ty_phys(c->dst);
    }
    s->npreds = npreds;
    s->preds = wb_malloc(sizeof(PqPredicate) * (size_t)(npreds ? npreds : 1));
    if (npreds) memcpy(s->preds, preds, sizeof(PqPredicate) * (size_t)npreds);
    s->file_types = wb_malloc(sizeof(SqlType) * (size_t)(r->nfields ? r->nfields : 1));
    for (int32_t i = 0; i < r->nfields; i++) s->file_types[i] = r->fields[i].info.type;
    for (int32_t i = 0; i < npreds; i++) {
        if (preds[i].col < 0 || preds[i].col >= r->nfields || r->fields[preds[i].col].info.unsupported) {
            s->npreds = 0;   /* a term we cannot check skips nothing */
            break;
        }
    }
    s->rg = -1;
    return s;
}

/* Appends the row range [lo, hi) to list (ranges in order, adjacent ones
 * joined). */
static void add_range(int64_t **list, int32_t *n, int32_t *cap, int64_t lo, int64_t hi)
{
    if (*n > 0 && (*list)[2 * *n - 1] == lo) {
        (*list)[2 * *n - 1] = hi;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *list = wb_realloc(*list, sizeof(int64_t) * 2 * (size_t)*cap);
    }
    (*list)[2 * *n] = lo;
    (*list)[2 * *n + 1] = hi;
    (*n)++;
}

/* The rows of cursor c's chunk (not yet read) whose pages may satisfy one
 * of the terms preds[0..npreds) (all on c's column) by their own
 * statistics, as ranges into *out: the page headers are walked once.  A
 * page without statistics, and whatever follows a header that does not
 * parse (load_page reports it when it gets there), may. */
static void page_ranges(const PqScan *s, Cursor *c, const PqPredicate *preds, int32_t npreds,
                        int64_t **out, int32_t *n, int32_t *cap)
{
    size_t pos = 0;
    int64_t row = 0;
    while (row < c->chunk_rows && pos < c->chunk_len) {
        PqPageHeader ph;
        const char *why;
        WbError ignored = {0};
        /* headers only: a small read each (a read error is load_page's to report) */
        int64_t hlen = header_at(s, c, pos, HEADER_BYTES, &ph, &why, &ignored);
        if (hlen < 0 || (size_t)ph.compressed_size > c->chunk_len - pos - (size_t)hlen) break;
        pos += (size_t)hlen + (size_t)ph.compressed_size;
        if (ph.type != PQP_DATA_PAGE && ph.type != PQP_DATA_PAGE_V2) continue;
        int64_t rows = ph.num_values;
        if (rows <= 0 || rows > c->chunk_rows - row) break;
        bool may = true;
        if (ph.has_stats) {
            PqColumnStats cs;
            to_stats(c->f, &ph.stats, &cs);
            may = false;
            for (int32_t i = 0; i < npreds && !may; i++)
                may = term_may_match(s->file_types[preds[i].col], &cs, rows, &preds[i]);
        }
        if (may) add_range(out, n, cap, row, row + rows);
        row += rows;
    }
    if (row < c->chunk_rows) add_range(out, n, cap, row, c->chunk_rows);
}

/* The union of two sorted lists of ranges into *out. */
static void union_ranges(const int64_t *a, int32_t na, const int64_t *b, int32_t nb, int64_t **out,
                         int32_t *n, int32_t *cap)
{
    *n = 0;
    int64_t lo = 0, hi = -1;
    for (int32_t i = 0, j = 0; i < na || j < nb;) {
        const int64_t *r = j >= nb || (i < na && a[2 * i] <= b[2 * j]) ? &a[2 * i++] : &b[2 * j++];
        if (hi >= 0 && r[0] <= hi) {
            if (r[1] > hi) hi = r[1];
            continue;
        }
        if (hi >= 0) add_range(out, n, cap, lo, hi);
        lo = r[0];
        hi = r[1];
    }
    if (hi >= 0) add_range(out, n, cap, lo, hi);
}

/* The rows of cursors' chunks that pages' statistics let the terms
 * preds[from, to) (one term, or a disjunction) have, into *out; false
 * when a term's column is not read (nothing is ruled out). */
static bool term_ranges(PqScan *s, int32_t from, int32_t to, int64_t **out, int32_t *n, int32_t *cap)
{
    int64_t *one = NULL, *acc = NULL;
    int32_t none = 0, capone = 0, nacc = 0, capacc = 0;
    bool ok = true;
    *n = 0;
    for (int32_t p = from; p < to && ok;) {
        /* the adjacent terms on one column: one walk of its pages */
        int32_t q = p + 1;
        while (q < to && s->preds[q].col == s->preds[p].col) q++;
        Cursor *c = NULL;
        for (int32_t i = 0; i < s->ncols && !c; i++)
            if (s->cur[i].col == s->preds[p].col) c = &s->cur[i];
        ok = c != NULL;
        if (!ok) break;
        none = 0;
        page_ranges(s, c, &s->preds[p], q - p, &one, &none, &capone);
        p = q;
        union_ranges(*out, *n, one, none, &acc, &nacc, &capacc);
        int64_t *t = *out;
        *out = acc;
        acc = t;
        int32_t tc = *cap;
        *cap = capacc;
        capacc = tc;
        *n = nacc;
    }
    free(one);
    free(acc);
    return ok;
}

/* The rows of the row group just started to read: every one, less the
 * pages of a predicate's column whose statistics rule them out. */
static void keep_rows(PqScan *s, int64_t rows)
{
    s->nkeep = 0;
    add_range(&s->keep, &s->nkeep, &s->keep_cap, 0, rows);
    int64_t *mine = NULL, *both = NULL;
    int32_t nmine = 0, capmine = 0, nboth, capboth = 0;
    for (int32_t p = 0; p < s->npreds && s->nkeep > 0;) {
        int32_t q = p + 1;
        while (s->preds[p].any_of && q < s->npreds && s->preds[q].any_of == s->preds[p].any_of) q++;
        bool known = term_ranges(s, p, q, &mine, &nmine, &capmine);
        p = q;
        if (!known) continue;
        /* the intersection of two sorted lists of ranges */
        nboth = 0;
        for (int32_t a = 0, b = 0; a < s->nkeep && b < nmine;) {
            int64_t lo = WB_MAX(s->keep[2 * a], mine[2 * b]);
            int64_t hi = WB_MIN(s->keep[2 * a + 1], mine[2 * b + 1]);
            if (lo < hi) add_range(&both, &nboth, &capboth, lo, hi);
            if (s->keep[2 * a + 1] < mine[2 * b + 1]) a++;
            else b++;
        }
        int64_t *t = s->keep;
        s->keep = both;
        both = t;
        int32_t tc = s->keep_cap;
        s->keep_cap = capboth;
        capboth = tc;
        s->nkeep = nboth;
    }
    free(mine);
    free(both);
}

/* Moves cursor c to row `target` of the row group (at or after where it
 * is): pages wholly before it are passed over undecoded; within its page,
 * the rows before it are skipped. */
static int seek_row(PqScan *s, Cursor *c, int64_t target, WbError *err)
{
    bool loaded = c->row_pos < c->page_rows;
    int64_t at = loaded ? c->page_first + c->row_pos : c->chunk_rows - c->rows_left;
    if (at >= target) return 0;
    if (!loaded || c->page_first + c->page_rows <= target) {
        c->row_pos = c->page_rows;   /* the loaded page is passed */
        if (load_page(s, c, target, err) != 0) return -1;
    }
    int64_t k = target - (c->page_first + c->row_pos);
    if (k <= 0) return 0;
    int64_t present = k;
    if (c->levels && c->f->el->repetition != PQ_REQUIRED) {
        present = 0;
        for (int64_t j = 0; j < k; j++) present += c->levels[c->row_pos + j];
    }
    if (present > c->page_vals - c->val_pos) return col_corrupt(s, c, err, "a page holds too few values");
    c->row_pos += k;
    c->val_pos += present;
    return 0;
}

int32_t pq_scan_next(PqScan *s, Batch *out, const int32_t *dst_cols, int32_t max_rows, WbError *err)
{
    while (s->rg < 0 || s->ikeep >= s->nkeep) {
        if (s->next_rg >= s->r->meta.nrg) return 0;
        int32_t g = s->next_rg++;
        int64_t rows = s->r->meta.rgs[g].num_rows;
        if (rows == 0) continue;
        if (s->npreds && !pq_stats_may_match(s->file_types, &s->r->stats[(size_t)g * (size_t)s->r->nfields],
                                             rows, s->preds, s->npreds)) {
            s->skipped++;
            continue;
        }
        for (int32_t i = 0; i < s->ncols; i++)
            start_chunk(s, &s->cur[i], g);
        s->rg = g;
        s->read++;
        keep_rows(s, rows);
        s->ikeep = 0;
        s->rg_row = 0;
    }
    int64_t lo = s->keep[2 * s->ikeep], hi = s->keep[2 * s->ikeep + 1];
    if (s->rg_row < lo) s->rg_row = lo;
    int32_t n = (int32_t)WB_MIN((int64_t)max_rows, hi - s->rg_row);
    int32_t base = out->nrows;
    for (int32_t i = 0; i < s->ncols; i++) {
        Cursor *c = &s->cur[i];
        ColumnVector *vec = &out->cols[dst_cols ? dst_cols[i] : i];
        if (seek_row(s, c, s->rg_row, err) != 0) return -1;
        int32_t filled = 0;
        while (filled < n) {
            if (c->row_pos >= c->page_rows && load_page(s, c, 0, err) != 0) return -1;
            int64_t k = WB_MIN((int64_t)(n - filled), c->page_rows - c->row_pos);
            int32_t at = base + filled;
            int64_t present = k;
            if (c->levels && c->f->el->repetition != PQ_REQUIRED) {
                const uint8_t *lv = c->levels + c->row_pos;
                present = 0;
                for (int64_t j = 0; j < k; j++) {
                    vec->nulls[at + j] = (uint8_t)!lv[j];
                    present += lv[j];
                }
            } else {
                memset(vec->nulls + at, 0, (size_t)k);
            }
            if (present > c->page_vals - c->val_pos) return col_corrupt(s, c, err, "a page holds too few values");
            copy_values(c, out, vec, at, present);
            if (present < k) spread(vec, c->kind, at, k, present);
            c->row_pos += k;
            c->val_pos += present;
            filled += (int32_t)k;
        }
    }
    for (int32_t j = 0; j < n; j++) out->weights[base + j] = 1;
    out->nrows += n;
    s->rg_row += n;
    if (s->rg_row >= hi) s->ikeep++;
    return n;
}

int32_t pq_scan_row_groups_skipped(const PqScan *s) { return s->skipped; }
int32_t pq_scan_row_groups_read(const PqScan *s) { return s->read; }

void pq_scan_close(PqScan *s)
{
    if (!s) return;
    for (int32_t i = 0; i < s->ncols; i++) {
        Cursor *c = &s->cur[i];
        free(c->chunk);
        free(c->dict);
        free(c->dict_page);
        free(c->page);
        free(c->levels);
        free(c->idx);
        free(c->vals);
        free(c->raw);
        free(c->strs);
        wb_buf_free(&c->scratch);
    }
    free(s->cur);
    free(s->keep);
    free(s->preds);
    free(s->file_types);
    free(s);
}
