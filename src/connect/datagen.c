/*
 * datagen.c - the datagen source (Flink's options): random or sequence
 * values per column, bounded by 'number-of-rows' or by the sequences' ends,
 * paced to 'rows-per-second' by sleeping on the job clock (not under a manual
 * clock, which does not move while a source sleeps).
 *
 * Deterministic: each column draws from its own WbRand seeded from the
 * column name, so a table generates the same rows on every run whatever the
 * batch sizes are.  Temporal values follow a simulated clock that starts at
 * CN_DATAGEN_BASE_MICROS (2024-01-01 00:00:00) and advances 1/rows-per-
 * second per row: "now" for row i is base + i / rps seconds, minus a random
 * amount up to 'fields.<f>.max-past' (milliseconds, default 0), as Flink's
 * generator does with the wall clock.
 */
#include "connect/connect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct FieldGen {
    SqlType type;
    bool sequence;
    int64_t start, end;          /* sequence, in the column's unit */
    bool has_end;
    int64_t imin, imax;          /* random integer-like values (DECIMAL scaled) */
    double dmin, dmax;
    int32_t length;              /* random strings */
    double null_rate;
    int64_t max_past_ms;
    WbRand rng;                  /* values */
    WbRand null_rng;             /* NULL draws: separate, so that values do
                                  * not depend on how rows split into batches */
} FieldGen;

typedef struct DatagenSource {
    Source base;
    FieldGen *fields;
    int64_t total;               /* -1: unbounded */
    int64_t emitted;
    int64_t rows_per_second;
    int64_t started_us;          /* the job clock at the first call, 0 before */
    char digits[24];
} DatagenSource;

static const char *const field_attrs[] = {"kind", "min", "max", "length", "start", "end",
                                          "null-rate", "max-past", NULL};


/* Checks every option key: the connector's own, and fields.<column>.<attr>
 * naming a physical column and a known attribute. */
static int check_keys(const TableDef *table, const char **names, int32_t ncols, WbError *err)
{
    for (int32_t i = 0; i < table->noptions; i++) {
        const char *key = table->options[i].key;
        if (strcmp(key, "connector") == 0 || strcmp(key, "number-of-rows") == 0 ||
            strcmp(key, "rows-per-second") == 0 || strcmp(key, "scan.parallelism") == 0)
            continue;
        bool ok = false;
        if (strncmp(key, "fields.", 7) == 0) {
            const char *rest = key + 7;
            for (int32_t col = 0; col < ncols && !ok; col++) {
                size_t n = strlen(names[col]);
                if (strncmp(rest, names[col], n) != 0 || rest[n] != '.') continue;
                for (const char *const *a = field_attrs; *a && !ok; a++) ok = strcmp(rest + n + 1, *a) == 0;
            }
        }
        if (!ok) {
            cn_table_error(err, table, "unsupported option '%s' for connector 'datagen' of table %s",
                           key, table->name);
            wb_error_hint(err, "supported options: 'number-of-rows', 'rows-per-second', "
                               "'fields.<column>.kind|min|max|length|start|end|null-rate|max-past'");
            return -1;
        }
    }
    return 0;
}

static const char *field_opt(const TableDef *table, const char *col, const char *attr, char *key,
                             size_t key_size)
{
    snprintf(key, key_size, "fields.%s.%s", col, attr);
    return sql_table_option(table, key);
}

/* Reads a numeric option in the column's unit (DECIMAL scaled). */
static int field_number(const TableDef *table, const char *key, const char *text, SqlType type,
                        int64_t *i_out, double *d_out, WbError *err)
{
    int rc;
    if (type.id == TY_DOUBLE) rc = ty_parse_double(text, strlen(text), d_out);
    else if (type.id == TY_DECIMAL) rc = ty_parse_decimal(text, strlen(text), type.precision, type.scale, i_out);
    else rc = ty_parse_int64(text, strlen(text), i_out);
    if (rc != 0) {
        char tname[64];
        cn_table_error(err, table, "invalid value \"%s\" for '%s'; expected a number of type %s", text, key,
                       ty_name(type, tname, sizeof tname));
        return -1;
    }
    if (type.id != TY_DOUBLE) *d_out = (double)*i_out;
    return 0;
}

static int setup_field(const TableDef *table, const char *name, SqlType type, FieldGen *f, WbError *err)
{
    static const char *const kinds[] = {"random", "sequence", NULL};
    char key[300];
    const TypeId id = (TypeId)type.id;
    f->type = type;
    wb_rand_seed(&f->rng, wb_hash_bytes(name, strlen(name), 0x64617461u));
    wb_rand_seed(&f->null_rng, wb_hash_bytes(name, strlen(name), 0x6e756c6cu));
    snprintf(key, sizeof key, "fields.%s.kind", name);
    int kind;
    if (cn_opt_choice(table, key, kinds, 0, &kind, err) != 0) return -1;
    f->sequence = kind == 1;
    bool numeric = ty_is_numeric(id);
    char tname[64];
    ty_name(type, tname, sizeof tname);

    /* defaults: the type's range (18 digits for DECIMAL), [0, 1) for DOUBLE */
    f->dmin = 0;
    f->dmax = 1;
    switch (id) {
    case TY_INT: f->imin = INT32_MIN; f->imax = INT32_MAX; break;
    case TY_BIGINT: f->imin = INT64_MIN; f->imax = INT64_MAX; break;
    case TY_DECIMAL: {
        int p = type.precision > 0 && type.precision < 19 ? type.precision : 18;
        f->imax = ty_pow10[p] - 1;
        f->imin = -f->imax;
        break;
    }
    case TY_INTERVAL_DT: f->imin = 0; f->imax = 86400000; break;
    case TY_INTERVAL_YM: f->imin = 0; f->imax = 120; break;
    default: break;
    }
    const char *v;
    if ((v = field_opt(table, name, "min", key, sizeof key)) != NULL) {
        if (!numeric || f->sequence) goto not_applicable;
        if (field_number(table, key, v, type, &f->imin, &f->dmin, err) != 0) return -1;
    }
    if ((v = field_opt(table, name, "max", key, sizeof key)) != NULL) {
        if (!numeric || f->sequence) goto not_applicable;
        if (field_number(table, key, v, type, &f->imax, &f->dmax, err) != 0) return -1;
    }
    if (f->imin > f->imax || f->dmin > f->dmax) {
        cn_table_error(err, table, "'fields.%s.min' is greater than 'fields.%s.max'", name, name);
        return -1;
    }
    f->length = 100;
    if ((v = field_opt(table, name, "length", key, sizeof key)) != NULL) {
        if (!ty_is_string(id) || f->sequence) goto not_applicable;
        int64_t len;
        if (cn_opt_int(table, key, 100, 0, 1 << 20, &len, err) != 0) return -1;
        f->length = (int32_t)len;
    }
    if ((v = field_opt(table, name, "start", key, sizeof key)) != NULL) {
        if (!f->sequence) goto not_applicable;
        double ignored;
        if (field_number(table, key, v, id == TY_STRING || id == TY_DOUBLE ? ty_make(TY_BIGINT) : type,
                         &f->start, &ignored, err) != 0)
            return -1;
    }
    if ((v = field_opt(table, name, "end", key, sizeof key)) != NULL) {
        if (!f->sequence) goto not_applicable;
        double ignored;
        if (field_number(table, key, v, id == TY_STRING || id == TY_DOUBLE ? ty_make(TY_BIGINT) : type,
                         &f->end, &ignored, err) != 0)
            return -1;
        f->has_end = true;
        if (f->end < f->start) {
            cn_table_error(err, table, "'fields.%s.end' is less than 'fields.%s.start'", name, name);
            return -1;
        }
    }
    if (f->sequence && !(numeric || id == TY_STRING)) {
        cn_table_error(err, table, "'fields.%s.kind' = 'sequence' is not supported for column %s %s; "
                       "expected a numeric or string column", name, name, tname);
        return -1;
    }
    if ((v = field_opt(table, name, "null-rate", key, sizeof key)) != NULL) {
        if (ty_parse_double(v, strlen(v), &f->null_rate) != 0 || !(f->null_rate >= 0 && f->null_rate <= 1)) {
            cn_table_error(err, table, "invalid value \"%s\" for '%s'; expected a number from 0 to 1", v, key);
            return -1;
        }
    }
    if ((v = field_opt(table, name, "max-past", key, sizeof key)) != NULL) {
        if (!ty_is_temporal(id)) goto not_applicable;
        if (cn_opt_int(table, key, 0, 0, INT64_MAX / 1000, &f->max_past_ms, err) != 0) return -1;
    }
    return 0;

not_applicable:
    cn_table_error(err, table, "option '%s' does not apply to %s column %s %s", key,
                   f->sequence ? "sequence" : "random", name, tname);
    return -1;
}

/* Uniform in [lo, hi] without overflow for the full int64 range. */
static inline int64_t rand_between(WbRand *rng, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t r = span == UINT64_MAX ? wb_rand_next(rng) : wb_rand_below(rng, span + 1);
    return (int64_t)((uint64_t)lo + r);
}

static inline double rand_unit(WbRand *rng)
{
    return (double)(wb_rand_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* Fills rows [0, n) of column col; row i of the batch is row first + i of
 * the table. */
static void generate_column(DatagenSource *src, FieldGen *f, Batch *out, int32_t col, int64_t first,
                            int32_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    ColumnVector *vec = &out->cols[col];
    const TypeId id = (TypeId)f->type.id;
    const int64_t micros_per_row = 1000000 / (src->rows_per_second > 0 ? src->rows_per_second : 1);
    if (f->sequence) {
        for (int32_t i = 0; i < n; i++) {
            int64_t value = f->start + first + i;
            vec->nulls[i] = 0;
            switch (id) {
            case TY_DOUBLE: vec->f64[i] = (double)value; break;
            case TY_STRING: {
                int len = snprintf(src->digits, sizeof src->digits, "%lld", (long long)value);
                vec->str[i] = ty_batch_str(out, src->digits, (uint32_t)len);
                break;
            }
            case TY_DECIMAL: ty_dec_set(vec, i, value); break;
            default: vec->i64[i] = value; break;
            }
        }
    } else {
        switch (id) {
        case TY_BOOLEAN:
            for (int32_t i = 0; i < n; i++) vec->i64[i] = (int64_t)(wb_rand_next(&f->rng) >> 63);
            break;
        case TY_DOUBLE:
            for (int32_t i = 0; i < n; i++) vec->f64[i] = f->dmin + rand_unit(&f->rng) * (f->dmax - f->dmin);
            break;
        case TY_STRING:
        case TY_BYTES:
            for (int32_t i = 0; i < n; i++) {
                char *text = wb_arena_alloc(out->arena, (size_t)f->length + 1);
                for (int32_t c = 0; c < f->length; c++) text[c] = alphabet[wb_rand_below(&f->rng, 62)];
                vec->str[i].ptr = text;
                vec->str[i].len = (uint32_t)f->length;
            }
            break;
        case TY_DATE:
        case TY_TIME:
        case TY_TIMESTAMP:
            for (int32_t i = 0; i < n; i++) {
                int64_t now = CN_DATAGEN_BASE_MICROS + (first + i) * micros_per_row;
                if (f->max_past_ms > 0) now -= rand_between(&f->rng, 0, f->max_past_ms) * 1000;
                if (id == TY_DATE) vec->i64[i] = now >= 0 ? now / 86400000000LL : -((-now + 86399999999LL) / 86400000000LL);
                else if (id == TY_TIME) vec->i64[i] = ((now % 86400000000LL + 86400000000LL) % 86400000000LL) / 1000;
                else {
                    int p = f->type.precision < 0 ? 6 : f->type.precision > 6 ? 6 : f->type.precision;
                    int64_t unit = ty_pow10[6 - p];
                    vec->i64[i] = now - ((now % unit) + unit) % unit;
                }
            }
            break;
        case TY_DECIMAL:   /* DECIMAL(19..38) too: random values span 18 digits at most */
            for (int32_t i = 0; i < n; i++) ty_dec_set(vec, i, rand_between(&f->rng, f->imin, f->imax));
            break;
        default:   /* INT BIGINT intervals */
            for (int32_t i = 0; i < n; i++) vec->i64[i] = rand_between(&f->rng, f->imin, f->imax);
            break;
        }
        for (int32_t i = 0; i < n; i++) vec->nulls[i] = 0;
    }
    if (f->null_rate > 0) {
        for (int32_t i = 0; i < n; i++)
            if (rand_unit(&f->null_rng) < f->null_rate) vec->nulls[i] = 1;
    }
}

static int datagen_next(Source *base, Batch *out, int32_t max_rows, WbError *err)
{
    (void)err;
    DatagenSource *src = (DatagenSource *)base;
    if (src->started_us == 0) src->started_us = wb_clock_now(base->clock);
    int64_t n = max_rows;
    /* at most ~100 ms of rows per call, so a slow rate does not stall */
    int64_t per_tick = src->rows_per_second / 10;
    if (n > per_tick) n = per_tick > 0 ? per_tick : 1;
    if (src->total >= 0 && n > src->total - src->emitted) n = src->total - src->emitted;
    for (int32_t col = 0; col < base->ncols; col++)
        generate_column(src, &src->fields[col], out, col, src->emitted, (int32_t)n);
    for (int32_t i = 0; i < (int32_t)n; i++) out->weights[i] = 1;
    out->nrows = (int32_t)n;
    src->emitted += n;
    base->records_read = src->emitted;
    /* pace: row k is due at start + k / rps seconds */
    int64_t due = src->started_us + (int64_t)((double)src->emitted * 1e6 / (double)src->rows_per_second);
    int64_t now = wb_clock_now(base->clock);
    /* a manual clock does not move while we sleep: no pacing under it */
    if (due > now && !(base->clock && base->clock->manual)) {
        struct timespec pause = {(time_t)((due - now) / 1000000), (long)((due - now) % 1000000) * 1000};
        nanosleep(&pause, NULL);
    }
    return src->total >= 0 && src->emitted >= src->total ? 0 : 1;
}

static void datagen_close(Source *base)
{
    DatagenSource *src = (DatagenSource *)base;
    free(src->fields);
    free(base->types);
    free(src);
}

static const SourceVTable datagen_vt = {datagen_next, datagen_close};

Source *cn_datagen_open(const TableDef *table, WbError *err)
{
    int32_t ncols;
    const char **names = cn_physical_names(table, &ncols);
    DatagenSource *src = wb_calloc(1, sizeof *src);
    src->base.vt = &datagen_vt;
    src->base.table = table;
    src->base.ncols = ncols;
    src->base.types = wb_malloc(sizeof(SqlType) * (size_t)(ncols ? ncols : 1));
    sql_table_physical(table, src->base.types, NULL);
    src->fields = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(FieldGen));
    if (check_keys(table, names, ncols, err) != 0 ||
        cn_opt_int(table, "rows-per-second", 10000, 1, INT64_MAX / 2, &src->rows_per_second, err) != 0 ||
        cn_opt_int(table, "number-of-rows", -1, 0, INT64_MAX, &src->total, err) != 0)
        goto fail;
    if (!sql_table_option(table, "number-of-rows")) src->total = -1;
    bool any_sequence = false, all_ended = true;
    int64_t sequence_rows = INT64_MAX;
    for (int32_t col = 0; col < ncols; col++) {
        FieldGen *f = &src->fields[col];
        if (setup_field(table, names[col], src->base.types[col], f, err) != 0) goto fail;
        if (!f->sequence) continue;
        any_sequence = true;
        if (!f->has_end) {
            all_ended = false;
            continue;
        }
        uint64_t rows = (uint64_t)f->end - (uint64_t)f->start + 1;
        if (rows < (uint64_t)sequence_rows) sequence_rows = (int64_t)rows;
    }
    /* Like Flink: sequences that all end bound the source. */
    if (any_sequence && all_ended && (src->total < 0 || sequence_rows < src->total))
        src->total = sequence_rows;
    src->base.bounded = src->total >= 0;
    free(names);
    return &src->base;
fail:
    free(names);
    datagen_close(&src->base);
    return NULL;
}
