/*
 * connect.c - connector dispatch by the table's 'connector' option, option
 * checking shared by every connector (Flink's names and error style), and
 * the print connector's changelog row text.
 */
#include "connect/connect_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const cn_format_names[] = {"csv", "json", "debezium-json", "canal-json", "parquet", NULL};

static const char *const source_connectors = "filesystem, datagen or nexmark";
static const char *const sink_connectors = "print, blackhole or filesystem";

/* ---- options ---- */

int cn_opt_check_keys(const TableDef *table, const char *connector,
                      const char *const *allowed, const char *const *prefixes,
                      WbError *err)
{
    for (int32_t i = 0; i < table->noptions; i++) {
        const char *key = table->options[i].key;
        /* options of the engine's, not the connector's (the planner reads
         * them): the source's watermark idleness */
        bool ok = strcmp(key, "scan.watermark.idle-timeout") == 0;
        for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, key) == 0;
        for (const char *const *p = prefixes; p && *p && !ok; p++)
            ok = strncmp(*p, key, strlen(*p)) == 0;
        if (!ok) {
            cn_table_error(err, table, "unsupported option '%s' for connector '%s' of table %s",
                           key, connector, table->name);
            WbBuf list = {0};
            for (const char *const *a = allowed; *a; a++)
                wb_buf_printf(&list, "%s'%s'", list.len ? ", " : "", *a);
            wb_error_hint(err, "supported options: %s", wb_buf_cstr(&list));
            wb_buf_free(&list);
            return -1;
        }
    }
    return 0;
}

int cn_opt_bool(const TableDef *table, const char *key, bool def, bool *out, WbError *err)
{
    const char *v = sql_table_option(table, key);
    if (!v) {
        *out = def;
        return 0;
    }
    size_t len = strlen(v);
    if (wb_ieq(v, len, "true")) *out = true;
    else if (wb_ieq(v, len, "false")) *out = false;
    else {
        cn_table_error(err, table, "invalid value \"%s\" for '%s'; expected true or false", v, key);
        return -1;
    }
    return 0;
}

int cn_opt_int(const TableDef *table, const char *key, int64_t def, int64_t min,
               int64_t max, int64_t *out, WbError *err)
{
    const char *v = sql_table_option(table, key);
    if (!v) {
        *out = def;
        return 0;
    }
    int64_t value;
    if (ty_parse_int64(v, strlen(v), &value) != 0 || value < min || value > max) {
        cn_table_error(err, table, "invalid value \"%s\" for '%s'; expected an integer from %lld to %lld",
                       v, key, (long long)min, (long long)max);
        return -1;
    }
    *out = value;
    return 0;
}

/* "a, b, c or d" */
static void choice_list(const char *const *choices, WbBuf *out)
{
    int32_t n = 0;
    while (choices[n]) n++;
    for (int32_t i = 0; i < n; i++) {
        if (i > 0) wb_buf_puts(out, i == n - 1 ? " or " : ", ");
        wb_buf_puts(out, choices[i]);
    }
}

int cn_opt_choice(const TableDef *table, const char *key, const char *const *choices,
                  int def, int *out, WbError *err)
{
    const char *v = sql_table_option(table, key);
    if (!v) {
        if (def < 0) {
            cn_table_error(err, table, "table %s needs option '%s'", table->name, key);
            WbBuf list = {0};
            choice_list(choices, &list);
            wb_error_hint(err, "expected %s", wb_buf_cstr(&list));
            wb_buf_free(&list);
            return -1;
        }
        *out = def;
        return 0;
    }
    for (int i = 0; choices[i]; i++) {
        if (wb_ieq(v, strlen(v), choices[i])) {
            *out = i;
            return 0;
        }
    }
    WbBuf list = {0};
    choice_list(choices, &list);
    cn_table_error(err, table, "unsupported %s \"%s\" for '%s'; expected %s",
                   strcmp(key, "format") == 0 ? "format" : "value", v, key, wb_buf_cstr(&list));
    wb_buf_free(&list);
    return -1;
}

const char **cn_physical_names(const TableDef *table, int32_t *ncols)
{
    int32_t n = sql_table_physical(table, NULL, NULL);
    int32_t *idx = wb_malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    sql_table_physical(table, NULL, idx);
    const char **names = wb_malloc(sizeof(char *) * (size_t)(n ? n : 1));
    for (int32_t i = 0; i < n; i++) names[i] = table->cols[idx[i]].name;
    free(idx);
    *ncols = n;
    return names;
}

/* Option keys of each format (besides 'format' itself). */
static const char *const csv_keys[] = {
    "csv.field-delimiter", "csv.quote-character", "csv.disable-quote-character",
    "csv.allow-comments", "csv.ignore-parse-errors", "csv.null-literal", NULL};
static const char *const json_keys[] = {
    "json.ignore-parse-errors", "json.fail-on-missing-field",
    "json.timestamp-format.standard", "json.encode.decimal-as-plain-number", NULL};
static const char *const debezium_keys[] = {
    "debezium-json.schema-include", "debezium-json.ignore-parse-errors",
    "debezium-json.timestamp-format.standard", NULL};
static const char *const canal_keys[] = {
    "canal-json.ignore-parse-errors", "canal-json.timestamp-format.standard", NULL};
/* Filesystem options besides the format's: 'sink.rolling-policy.file-size'
 * is read by the sink; the others do not change weir's behaviour (one
 * writer, commits at the end of the job) and are accepted so that Flink DDL
 * runs unchanged. */
static const char *const fs_ignored_keys[] = {
    "sink.parallelism", "sink.rolling-policy.file-size", "sink.rolling-policy.rollover-interval",
    "sink.rolling-policy.check-interval", "partition.default-name", NULL};

int cn_opt_format(const TableDef *table, const char *connector, bool for_sink,
                  CnFormat *out, WbError *err)
{
    static const char *const sink_formats[] = {"csv", "json", "parquet", NULL};
    static const CnFormat sink_format_ids[] = {CN_FMT_CSV, CN_FMT_JSON, CN_FMT_PARQUET};
    int fmt;
    if (cn_opt_choice(table, "format", for_sink ? sink_formats : cn_format_names, -1, &fmt, err) != 0)
        return -1;
    if (for_sink) fmt = (int)sink_format_ids[fmt];
    const char *const *fmt_keys[] = {csv_keys, json_keys, debezium_keys, canal_keys,
                                     cn_parquet_option_keys()};
    const char *allowed[32];
    int32_t n = 0;
    allowed[n++] = "connector";
    allowed[n++] = "path";
    allowed[n++] = "format";
    for (const char *const *k = fmt_keys[fmt]; *k; k++) allowed[n++] = *k;
    for (const char *const *k = fs_ignored_keys; *k; k++) allowed[n++] = *k;
    allowed[n] = NULL;
    if (cn_opt_check_keys(table, connector, allowed, NULL, err) != 0) return -1;
    *out = (CnFormat)fmt;
    return 0;
}

void cn_record_error(WbError *err, const char *sqlstate, const RecordInput *in,
                     int64_t line, int64_t offset, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (err->set) return;
    /* The file and line go in source/line (the CLI prints them as the
     * error's position); the message is the reason alone. */
    wb_error(err, sqlstate, 0, 0, "%s", reason);
    snprintf(err->source, sizeof err->source, "%s", in->path);
    err->line = line > INT32_MAX ? 0 : (int)line;
    err->offset = offset;
}

/* ---- dispatch ---- */

Source *cn_source_open(const TableDef *table, WbError *err)
{
    return cn_source_open_with(table, NULL, err);
}

Source *cn_source_open_with(const TableDef *table, const CnReadOptions *opts, WbError *err)
{
    if (table->store_dir)
        return cn_store_source_open(table, !(opts && opts->batch_mode), opts ? opts->noptions : 0,
                                    opts ? opts->keys : NULL, opts ? opts->values : NULL, err);
    const char *connector = sql_table_option(table, "connector");
    if (!connector) {
        cn_table_error(err, table, "table %s has no 'connector' option", table->name);
        wb_error_hint(err, "add WITH ('connector' = '...'): %s", source_connectors);
        return NULL;
    }
    if (strcmp(connector, "filesystem") == 0) return cn_fs_source_open(table, err);
    if (strcmp(connector, "datagen") == 0) return cn_datagen_open(table, err);
    if (strcmp(connector, "nexmark") == 0) return cn_nexmark_open(table, err);
    if (strcmp(connector, "weir-system") == 0) return cn_store_system_open(table, err);
    cn_table_error(err, table, "unsupported connector \"%s\" for reading table %s; expected %s",
                   connector, table->name, source_connectors);
    return NULL;
}

void cn_source_close(Source *src)
{
    if (src) src->vt->close(src);
}

Sink *cn_sink_open(const TableDef *table, bool overwrite, FILE *out, WbError *err)
{
    CnWriteOptions opts = {.overwrite = overwrite, .out = out};
    return cn_sink_open_with(table, &opts, err);
}

Sink *cn_sink_open_with(const TableDef *table, const CnWriteOptions *opts, WbError *err)
{
    bool overwrite = opts->overwrite;
    FILE *out = opts->out;
    if (table->store_dir) return cn_store_sink_open(table, opts, err);
    const char *connector = sql_table_option(table, "connector");
    if (!connector) {
        cn_table_error(err, table, "table %s has no 'connector' option", table->name);
        wb_error_hint(err, "add WITH ('connector' = '...'): %s", sink_connectors);
        return NULL;
    }
    if (overwrite && strcmp(connector, "filesystem") != 0) {
        /* Flink: the sink must implement SupportsOverwrite */
        cn_table_error(err, table, "INSERT OVERWRITE is not supported by connector '%s' of table %s",
                       connector, table->name);
        wb_error_hint(err, "Use INSERT INTO, or a filesystem table.");
        return NULL;
    }
    if (strcmp(connector, "print") == 0) return cn_print_sink_open(table, out, err);
    if (strcmp(connector, "blackhole") == 0) return cn_blackhole_sink_open(table, err);
    if (strcmp(connector, "filesystem") == 0) return cn_fs_sink_open(table, overwrite, err);
    cn_table_error(err, table, "unsupported connector \"%s\" for writing table %s; expected %s",
                   connector, table->name, sink_connectors);
    return NULL;
}

bool cn_sink_accepts_retractions(const TableDef *table)
{
    if (table->store_dir) return table->npk > 0;
    const char *connector = sql_table_option(table, "connector");
    if (!connector) return false;
    return strcmp(connector, "print") == 0 || strcmp(connector, "blackhole") == 0;
}

void cn_sink_close(Sink *sink)
{
    if (sink) sink->vt->close(sink);
}

/* ---- changelog text ---- */

void cn_format_changelog_row(const Batch *batch, int32_t row, RowKind kind, WbBuf *out)
{
    wb_buf_puts(out, ty_rowkind_short(kind));
    wb_buf_putc(out, '[');
    for (int32_t col = 0; col < batch->ncols; col++) {
        if (col > 0) wb_buf_append(out, ", ", 2);
        const ColumnVector *vec = &batch->cols[col];
        if (vec->nulls[row]) wb_buf_append(out, "null", 4);
        else ty_format_value(vec, row, out);
    }
    wb_buf_putc(out, ']');
}
