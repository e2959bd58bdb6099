/*
 * options.c - the table options of a stored table, with Apache Paimon's
 * names and defaults, checked once when a table (or a scan with dynamic
 * options) is opened.  Unknown keys are errors, as in Flink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static const char *const known_keys[] = {
    "connector", "bucket", "merge-engine", "changelog-producer", "sequence.field",
    "ignore-delete", "partial-update.remove-record-on-delete",
    "aggregation.remove-record-on-delete", "num-sorted-run.compaction-trigger",
    "num-sorted-run.stop-trigger", "num-levels", "compaction.max-size-amplification-percent",
    "compaction.size-ratio", "compaction.min.file-num", "full-compaction.delta-commits",
    "manifest.merge-min-count", "snapshot.num-retained.min", "snapshot.num-retained.max",
    "snapshot.time-retained", "write-buffer-size", "target-file-size", "write-only",
    "dynamic-partition-overwrite", "partition.default-name", "scan.mode", "scan.snapshot-id",
    "scan.timestamp-millis", "incremental-between", "continuous.discovery-interval",
    "file.format", "weir.reader.pin-lease", "scan.bounded", "scan.watermark.idle-timeout",
    "file.compression", "file.compression.zstd-level", "bucket-key", "streaming-read-overwrite",
    "sink.parallelism", "scan.parallelism", "partial-update.ignore-delete", "first-row.ignore-delete",
    "deduplicate.ignore-delete", "fields.default-aggregate-function", NULL};

static const char *const agg_names[] = {
    "primary-key", "sum", "max", "min", "last_value", "last_non_null_value", "first_value",
    "first_non_null_value", "count", "listagg", "bool_and", "bool_or", NULL};

typedef struct Opts {
    const StoreSchema *schema;
    int32_t nextra;
    const char *const *keys, *const *values;
    WbError *err;
} Opts;

static const char *get(const Opts *o, const char *key)
{
    for (int32_t i = o->nextra - 1; i >= 0; i--)
        if (strcmp(o->keys[i], key) == 0) return o->values[i];
    return store_schema_option(o->schema, key);
}

static int bad(const Opts *o, const char *key, const char *value, const char *expect)
{
    wb_error(o->err, WB_SQLSTATE_CONFIG, 0, 0, "invalid value '%s' for option '%s'", value, key);
    wb_error_hint(o->err, "expected %s", expect);
    return -1;
}

static int opt_int(const Opts *o, const char *key, int64_t def, int64_t min, int64_t max,
                   int64_t *out)
{
    const char *v = get(o, key);
    if (!v) { *out = def; return 0; }
    int64_t n;
    if (ty_parse_int64(v, strlen(v), &n) != 0 || n < min || n > max) {
        char expect[96];
        snprintf(expect, sizeof expect, "an integer from %lld to %lld", (long long)min, (long long)max);
        return bad(o, key, v, expect);
    }
    *out = n;
    return 0;
}

static int opt_i32(const Opts *o, const char *key, int64_t def, int64_t min, int64_t max,
                   int32_t *out)
{
    int64_t n;
    if (opt_int(o, key, def, min, max, &n) != 0) return -1;
    *out = (int32_t)n;
    return 0;
}

static int opt_bool(const Opts *o, const char *key, bool def, bool *out)
{
    const char *v = get(o, key);
    if (!v) { *out = def; return 0; }
    if (wb_ieq(v, strlen(v), "true")) *out = true;
    else if (wb_ieq(v, strlen(v), "false")) *out = false;
    else return bad(o, key, v, "'true' or 'false'");
    return 0;
}

static int opt_choice(const Opts *o, const char *key, const char *const *choices, int def,
                      int *out)
{
    const char *v = get(o, key);
    if (!v) { *out = def; return 0; }
    for (int i = 0; choices[i]; i++)
        if (wb_ieq(v, strlen(v), choices[i])) { *out = i; return 0; }
    WbBuf list = {0};
    for (int i = 0; choices[i]; i++) {
        if (i) wb_buf_puts(&list, choices[i + 1] ? ", " : " or ");
        wb_buf_printf(&list, "'%s'", choices[i]);
    }
    bad(o, key, v, wb_buf_cstr(&list));
    wb_buf_free(&list);
    return -1;
}

static int opt_duration(const Opts *o, const char *key, int64_t def, int64_t *out)
{
    const char *v = get(o, key);
    if (!v) { *out = def; return 0; }
    if (wb_parse_duration_ms(v, out) != 0) return bad(o, key, v, "a duration such as '1 h' or '10 s'");
    return 0;
}

static int32_t col_by_name(const StoreSchema *schema, const char *name, size_t len)
{
    for (int32_t col = 0; col < schema->ncols; col++)
        if (strlen(schema->names[col]) == len && memcmp(schema->names[col], name, len) == 0)
            return col;
    return -1;
}

/* A list of columns "a, b" (each once; of the primary key if in_pk) into
 * *cols (arena); none when the option is absent. */
static int opt_columns(const Opts *o, const char *key, bool in_pk, WbArena *arena, int32_t **cols, int32_t *n)
{
    const char *v = get(o, key);
    *cols = NULL;
    *n = 0;
    if (!v) return 0;
    const StoreSchema *schema = o->schema;
    *cols = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)(schema->ncols + 1));
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && *p == ' ') p++, len--;
        while (len && p[len - 1] == ' ') len--;
        int32_t col = col_by_name(schema, p, len);
        bool ok = col >= 0 && *n < schema->ncols;
        for (int32_t i = 0; i < *n; i++) ok &= (*cols)[i] != col;
        bool pk_col = false;
        for (int32_t i = 0; i < schema->npk; i++) pk_col |= schema->pk[i] == col;
        if (!ok || (in_pk && !pk_col))
            return bad(o, key, v, in_pk ? "columns of the primary key, separated by commas"
                                        : "columns of the table, separated by commas");
        (*cols)[(*n)++] = col;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}


/* Checks one key: known, or fields.<f>.<prop> with a known field. */
static int check_key(const Opts *o, const char *key)
{
    for (int i = 0; known_keys[i]; i++)
        if (strcmp(key, known_keys[i]) == 0) return 0;
    if (strncmp(key, "fields.", 7) == 0) {
        const char *dot = strrchr(key, '.');
        const char *prop = dot + 1;
        if (dot > key + 7 && (!strcmp(prop, "aggregate-function") || !strcmp(prop, "ignore-retract") ||
                              !strcmp(prop, "list-agg-delimiter"))) {
            if (col_by_name(o->schema, key + 7, (size_t)(dot - key - 7)) >= 0) return 0;
            wb_error(o->err, WB_SQLSTATE_CONFIG, 0, 0, "option '%s' names no column", key);
            return -1;
        }
    }
    wb_error(o->err, WB_SQLSTATE_CONFIG, 0, 0, "unsupported option '%s' for a stored table", key);
    wb_error_hint(o->err, "stored tables take Apache Paimon's option names, e.g. 'bucket', "
                  "'merge-engine', 'changelog-producer'");
    return -1;
}

int store_options_parse(const StoreSchema *schema, int32_t nextra,
                        const char *const *keys, const char *const *values,
                        WbArena *arena, StoreOptions *out, WbError *err)
{
    Opts o = {schema, nextra, keys, values, err};
    memset(out, 0, sizeof(*out));
    for (int32_t i = 0; i < schema->nopts; i++)
        if (check_key(&o, schema->opt_keys[i]) != 0) return -1;
    for (int32_t i = 0; i < nextra; i++)
        if (check_key(&o, keys[i]) != 0) return -1;
    const char *conn = get(&o, "connector");
    if (conn && strcmp(conn, "weir") != 0) return bad(&o, "connector", conn, "'weir' (or none)");
    const char *fmt = get(&o, "file.format");
    if (fmt && !wb_ieq(fmt, strlen(fmt), "parquet")) return bad(&o, "file.format", fmt, "'parquet'");
    bool pk = schema->npk > 0;
    static const char *const engines[] = {"deduplicate", "partial-update", "aggregation", "first-row", NULL};
    static const char *const producers[] = {"none", "input", "lookup", "full-compaction", NULL};
    static const char *const modes[] = {"default", "latest-full", "latest", "from-snapshot",
                                        "from-snapshot-full", "from-timestamp", NULL};
    int me, cp, sm;
    const char *v;
    if (opt_i32(&o, "bucket", 1, 1, 1024, &out->bucket) != 0 ||
        opt_choice(&o, "merge-engine", engines, 0, &me) != 0 ||
        opt_choice(&o, "changelog-producer", producers, 0, &cp) != 0 ||
        opt_bool(&o, "ignore-delete", false, &out->ignore_delete) != 0 ||
        opt_bool(&o, "partial-update.remove-record-on-delete", false, &out->partial_remove_on_delete) != 0 ||
        opt_bool(&o, "aggregation.remove-record-on-delete", false, &out->agg_remove_on_delete) != 0 ||
        opt_i32(&o, "num-sorted-run.compaction-trigger", 5, 1, 1000, &out->compaction_trigger) != 0 ||
        opt_i32(&o, "num-levels", out->compaction_trigger + 1, 2, 100, &out->num_levels) != 0 ||
        opt_i32(&o, "num-sorted-run.stop-trigger", out->compaction_trigger + 3, out->compaction_trigger, 100000,
                &out->stop_trigger) != 0 ||
        opt_i32(&o, "compaction.max-size-amplification-percent", 200, 0, 1000000, &out->max_size_amp) != 0 ||
        opt_i32(&o, "compaction.size-ratio", 1, 0, 1000, &out->size_ratio) != 0 ||
        opt_i32(&o, "compaction.min.file-num", 5, 2, 100000, &out->append_min_files) != 0 ||
        opt_i32(&o, "full-compaction.delta-commits", 1, 1, INT32_MAX, &out->full_compaction_delta_commits) != 0 ||
        opt_i32(&o, "manifest.merge-min-count", 30, 1, 100000, &out->manifest_merge_min_count) != 0 ||
        opt_int(&o, "snapshot.num-retained.min", 10, 1, INT32_MAX, &out->retained_min) != 0 ||
        opt_int(&o, "snapshot.num-retained.max", INT32_MAX, 1, INT32_MAX, &out->retained_max) != 0 ||
        opt_duration(&o, "snapshot.time-retained", 3600 * 1000, &out->time_retained_ms) != 0 ||
        opt_bool(&o, "write-only", false, &out->write_only) != 0 ||
        opt_bool(&o, "scan.bounded", false, &out->scan_bounded) != 0 ||
        opt_bool(&o, "dynamic-partition-overwrite", true, &out->dynamic_partition_overwrite) != 0 ||
        opt_choice(&o, "scan.mode", modes, 0, &sm) != 0 ||
        opt_int(&o, "scan.snapshot-id", -1, 1, INT64_MAX, &out->scan_snapshot_id) != 0 ||
        opt_int(&o, "scan.timestamp-millis", INT64_MIN, INT64_MIN, INT64_MAX, &out->scan_timestamp_ms) != 0 ||
        opt_duration(&o, "continuous.discovery-interval", 10000, &out->discovery_interval_ms) != 0 ||
        opt_duration(&o, "weir.reader.pin-lease", 10 * 60 * 1000, &out->pin_lease_ms) != 0)
        return -1;
    if (out->retained_max < out->retained_min) {
        wb_error(err, WB_SQLSTATE_CONFIG, 0, 0,
                 "option 'snapshot.num-retained.max' (%lld) is less than 'snapshot.num-retained.min' (%lld)",
                 (long long)out->retained_max, (long long)out->retained_min);
        return -1;
    }
    /* Paimon's older per-engine names of 'ignore-delete' */
    static const char *const ignore_delete_aliases[] = {"partial-update.ignore-delete", "first-row.ignore-delete",
                                                        "deduplicate.ignore-delete", NULL};
    for (int32_t i = 0; ignore_delete_aliases[i] && !out->ignore_delete; i++) {
        if (!get(&o, "ignore-delete") &&
            opt_bool(&o, ignore_delete_aliases[i], false, &out->ignore_delete) != 0)
            return -1;
    }
    /* the data files' codec: Paimon's names; lz4 is not one weir writes */
    static const char *const codecs[] = {"none", "uncompressed", "snappy", "zstd", "gzip", NULL};
    int codec;
    int32_t parallelism;
    if (opt_choice(&o, "file.compression", codecs, 2, &codec) != 0 ||
        opt_i32(&o, "file.compression.zstd-level", 1, 1, 22, &out->zstd_level) != 0 ||
        opt_bool(&o, "streaming-read-overwrite", false, &out->streaming_read_overwrite) != 0 ||
        opt_i32(&o, "sink.parallelism", 1, 1, 1 << 16, &parallelism) != 0 ||
        opt_i32(&o, "scan.parallelism", 1, 1, 1 << 16, &parallelism) != 0)
        return -1;
    out->compression = codec <= 1 ? PQ_COMPRESS_NONE : codec == 2 ? PQ_COMPRESS_SNAPPY
                     : codec == 3 ? PQ_COMPRESS_ZSTD : PQ_COMPRESS_GZIP;
    /* bucket-key: the columns a row's bucket is hashed from */
    if (opt_columns(&o, "bucket-key", pk, arena, &out->bucket_key, &out->nbucket_key) != 0) return -1;
    out->merge_engine = (MergeEngine)me;
    out->changelog_producer = (ChangelogProducer)cp;
    out->scan_mode = (ScanMode)sm;
    v = get(&o, "write-buffer-size");
    out->write_buffer_size = 256LL << 20;
    if (v && (store_parse_memory(v, &out->write_buffer_size) != 0 || out->write_buffer_size < 1024))
        return bad(&o, "write-buffer-size", v, "a memory size such as '256 mb' (at least 1 kb)");
    v = get(&o, "target-file-size");
    out->target_file_size = 128LL << 20;
    if (v && (store_parse_memory(v, &out->target_file_size) != 0 || out->target_file_size < 1))
        return bad(&o, "target-file-size", v, "a memory size such as '128 mb'");
    v = get(&o, "partition.default-name");
    out->partition_default_name = v ? v : "__DEFAULT_PARTITION__";
    if (!pk && (me != ME_DEDUPLICATE || cp != CP_NONE || get(&o, "sequence.field"))) {
        wb_error(err, WB_SQLSTATE_CONFIG, 0, 0,
                 "options 'merge-engine', 'changelog-producer' and 'sequence.field' need a primary key");
        wb_error_hint(err, "declare PRIMARY KEY (..) NOT ENFORCED");
        return -1;
    }
    /* sequence.field: one column, or several compared in order */
    if (opt_columns(&o, "sequence.field", false, arena, &out->seq_fields, &out->nseq_fields) != 0) return -1;
    /* incremental-between = 'a,b' */
    v = get(&o, "incremental-between");
    out->incremental = v != NULL;
    if (v) {
        const char *comma = strchr(v, ',');
        int64_t a, b;
        if (!comma || ty_parse_int64(v, (size_t)(comma - v), &a) != 0 ||
            ty_parse_int64(comma + 1, strlen(comma + 1), &b) != 0 || a < 0 || b < a)
            return bad(&o, "incremental-between", v, "two snapshot ids 'start,end' with start <= end");
        out->incr_from = a;
        out->incr_to = b;
    }
    /* per-field aggregation */
    int32_t ncols = schema->ncols;
    out->agg = wb_arena_calloc(arena, (size_t)ncols);
    out->ignore_retract = wb_arena_calloc(arena, (size_t)ncols);
    out->listagg_delim = wb_arena_calloc(arena, sizeof(char *) * (size_t)ncols);
    char key[600];
    /* 'fields.default-aggregate-function': the function of every field
     * that names none (Paimon: last_non_null_value) */
    int default_fn;
    if (opt_choice(&o, "fields.default-aggregate-function", agg_names, AGG_LAST_NON_NULL, &default_fn) != 0)
        return -1;
    if (get(&o, "fields.default-aggregate-function") && me != ME_AGGREGATION) {
        wb_error(err, WB_SQLSTATE_CONFIG, 0, 0,
                 "option 'fields.default-aggregate-function' needs 'merge-engine' = 'aggregation'");
        return -1;
    }
    if (default_fn == AGG_PRIMARY_KEY)
        return bad(&o, "fields.default-aggregate-function", "primary-key", "an aggregate function");
    for (int32_t col = 0; col < ncols; col++) {
        bool is_pk = false;
        for (int32_t i = 0; i < schema->npk; i++) is_pk |= schema->pk[i] == col;
        snprintf(key, sizeof key, "fields.%s.aggregate-function", schema->names[col]);
        int fn;
        if (opt_choice(&o, key, agg_names, is_pk ? AGG_PRIMARY_KEY : default_fn, &fn) != 0) return -1;
        if (get(&o, key) && me != ME_AGGREGATION) {
            wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "option '%s' needs 'merge-engine' = 'aggregation'", key);
            return -1;
        }
        if (is_pk) fn = AGG_PRIMARY_KEY;
        TypeId t = (TypeId)schema->types[col].id;
        if ((fn == AGG_SUM && !ty_is_numeric(t)) || (fn == AGG_COUNT && !ty_is_integer(t)) ||
            (fn == AGG_LISTAGG && t != TY_STRING) ||
            ((fn == AGG_BOOL_AND || fn == AGG_BOOL_OR) && t != TY_BOOLEAN)) {
            char tn[64];
            const char *which = get(&o, key) ? key : "fields.default-aggregate-function";
            wb_error(err, WB_SQLSTATE_CONFIG, 0, 0, "aggregate function '%s' of option '%s' does not apply to %s %s",
                     agg_names[fn], which, schema->names[col], ty_name(schema->types[col], tn, sizeof tn));
            return -1;
        }
        out->agg[col] = (uint8_t)fn;
        snprintf(key, sizeof key, "fields.%s.ignore-retract", schema->names[col]);
        bool ir;
        if (opt_bool(&o, key, false, &ir) != 0) return -1;
        out->ignore_retract[col] = ir;
        snprintf(key, sizeof key, "fields.%s.list-agg-delimiter", schema->names[col]);
        v = get(&o, key);
        out->listagg_delim[col] = v ? wb_arena_strdup(arena, v) : ",";
    }
    return 0;
}
