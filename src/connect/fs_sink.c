/*
 * fs_sink.c - the filesystem sink: an append-only writer of csv or json
 * (one object per line) into one file.  'path' names the file, or a
 * directory (existing, or spelled with a trailing '/') that receives
 * part-0.csv / part-0.json.  The file is created or truncated on open and
 * flushed on finish; a failed write poisons the sink.
 */
#include "connect/connect_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct FsSink {
    Sink base;
    CnFormat format;
    CsvOptions csv;
    JsonOptions json;
    FILE *file;
    char *path;
    int32_t ncols;
    const char **names;
    WbBuf text;
    bool failed;
} FsSink;

static int io_error(FsSink *sink, const char *what, WbError *err)
{
    sink->failed = true;
    wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot %s \"%s\" for table %s: %s", what, sink->path,
             sink->base.table->name, strerror(errno));
    snprintf(err->source, sizeof err->source, "%s", sink->path);
    return -1;
}

static int fs_sink_write(Sink *base, const Batch *batch, WbError *err)
{
    FsSink *sink = (FsSink *)base;
    if (sink->failed) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "filesystem sink of table %s failed earlier", base->table->name);
        return -1;
    }
    wb_buf_clear(&sink->text);
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        if (w < 0) {
            /* the planner rejects retracting queries into this sink */
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                     "filesystem sink of table %s is append-only and received a retraction",
                     base->table->name);
            sink->failed = true;
            return -1;
        }
        for (; w > 0; w--) {
            if (sink->format == CN_FMT_CSV) {
                for (int32_t col = 0; col < sink->ncols; col++) {
                    if (col > 0) wb_buf_putc(&sink->text, sink->csv.delimiter);
                    cn_csv_write_value(&sink->csv, &batch->cols[col], row, &sink->text);
                }
            } else {
                wb_buf_putc(&sink->text, '{');
                for (int32_t col = 0; col < sink->ncols; col++) {
                    if (col > 0) wb_buf_putc(&sink->text, ',');
                    cn_json_write_string(sink->names[col], strlen(sink->names[col]), &sink->text);
                    wb_buf_putc(&sink->text, ':');
                    cn_json_write_value(&sink->json, &batch->cols[col], row, &sink->text);
                }
                wb_buf_putc(&sink->text, '}');
            }
            wb_buf_putc(&sink->text, '\n');
            base->records_written++;
        }
    }
    if (sink->text.len && fwrite(sink->text.data, 1, sink->text.len, sink->file) != sink->text.len)
        return io_error(sink, "write", err);
    return 0;
}

static int fs_sink_finish(Sink *base, WbError *err)
{
    FsSink *sink = (FsSink *)base;
    if (sink->failed) return 0;
    if (fflush(sink->file) != 0) return io_error(sink, "write", err);
    return 0;
}

static void fs_sink_close(Sink *base)
{
    FsSink *sink = (FsSink *)base;
    if (sink->file) fclose(sink->file);
    free(sink->path);
    free(sink->names);
    wb_buf_free(&sink->text);
    free(sink);
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char *copy = wb_strdup(path);
    int rc = 0;
    for (char *p = copy + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) rc = -1;
        *p = saved;
        if (saved == '\0') break;
    }
    free(copy);
    return rc;
}

static const SinkVTable fs_sink_vt = {fs_sink_write, fs_sink_finish, fs_sink_close};

Sink *cn_fs_sink_open(const TableDef *table, WbError *err)
{
    CnFormat format;
    if (cn_opt_format(table, "filesystem", true, &format, err) != 0) return NULL;
    const char *path = sql_table_option(table, "path");
    if (!path || !*path) {
        cn_table_error(err, table, "table %s needs option 'path' (a file or a directory)", table->name);
        return NULL;
    }
    FsSink *sink = wb_calloc(1, sizeof *sink);
    sink->base.vt = &fs_sink_vt;
    sink->base.table = table;
    sink->base.accepts_retractions = false;
    sink->format = format;
    if ((format == CN_FMT_CSV && cn_csv_options(table, &sink->csv, err) != 0) ||
        (format == CN_FMT_JSON && cn_json_options(table, format, &sink->json, err) != 0)) {
        fs_sink_close(&sink->base);
        return NULL;
    }
    sink->names = cn_physical_names(table, &sink->ncols);
    size_t plen = strlen(path);
    struct stat st;
    bool is_dir = path[plen - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    if (is_dir) {
        if (make_dirs(path) != 0) {
            cn_table_error(err, table, "cannot create directory 'path' \"%s\" of table %s: %s", path,
                           table->name, strerror(errno));
            fs_sink_close(&sink->base);
            return NULL;
        }
        const char *name = format == CN_FMT_CSV ? "part-0.csv" : "part-0.json";
        sink->path = wb_malloc(plen + strlen(name) + 2);
        sprintf(sink->path, "%s%s%s", path, path[plen - 1] == '/' ? "" : "/", name);
    } else {
        sink->path = wb_strdup(path);
    }
    sink->file = fopen(sink->path, "w");
    if (!sink->file) {
        cn_table_error(err, table, "cannot write 'path' \"%s\" of table %s: %s", sink->path,
                       table->name, strerror(errno));
        fs_sink_close(&sink->base);
        return NULL;
    }
    return &sink->base;
}
