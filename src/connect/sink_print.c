/*
 * sink_print.c - the print sink (each change as a Flink-style changelog
 * line: "+I[1, tmsA, 3]", prefixed "<print-identifier>> " when set) and the
 * blackhole sink (discards, counts).  Both accept retractions.
 */
#include "connect/connect_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct PrintSink {
    Sink base;
    FILE *out;
    char *prefix;                /* "<identifier>> " or "" */
    WbBuf text;                  /* one batch of lines */
} PrintSink;

static int print_write(Sink *base, const Batch *batch, WbError *err)
{
    PrintSink *sink = (PrintSink *)base;
    size_t prefix_len = strlen(sink->prefix);
    wb_buf_clear(&sink->text);
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        RowKind kind = ty_row_kind(batch, row);
        /* a row of weight n is n identical changes */
        for (int64_t times = w < 0 ? -w : w; times > 0; times--) {
            wb_buf_append(&sink->text, sink->prefix, prefix_len);
            cn_format_changelog_row(batch, row, kind, &sink->text);
            wb_buf_putc(&sink->text, '\n');
            sink->base.records_written++;
        }
    }
    if (sink->text.len && (fwrite(sink->text.data, 1, sink->text.len, sink->out) != sink->text.len ||
                           fflush(sink->out) != 0)) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "print sink of table %s: cannot write: %s",
                 base->table->name, strerror(errno));
        return -1;
    }
    return 0;
}

static int print_finish(Sink *base, WbError *err)
{
    PrintSink *sink = (PrintSink *)base;
    if (fflush(sink->out) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "print sink of table %s: cannot write: %s",
                 base->table->name, strerror(errno));
        return -1;
    }
    return 0;
}

static void print_close(Sink *base)
{
    PrintSink *sink = (PrintSink *)base;
    wb_buf_free(&sink->text);
    free(sink->prefix);
    free(sink);
}

static const SinkVTable print_vt = {print_write, print_finish, NULL, print_close};

Sink *cn_print_sink_open(const TableDef *table, FILE *out, WbError *err)
{
    static const char *const keys[] = {"connector", "print-identifier", "standard-error",
                                       "sink.parallelism", NULL};
    if (cn_opt_check_keys(table, "print", keys, NULL, err) != 0) return NULL;
    bool to_stderr;
    if (cn_opt_bool(table, "standard-error", false, &to_stderr, err) != 0) return NULL;
    PrintSink *sink = wb_calloc(1, sizeof *sink);
    sink->base.vt = &print_vt;
    sink->base.table = table;
    sink->base.accepts_retractions = true;
    sink->out = to_stderr ? stderr : out ? out : stdout;
    const char *id = sql_table_option(table, "print-identifier");
    if (id && *id) {
        size_t len = strlen(id);
        sink->prefix = wb_malloc(len + 3);
        memcpy(sink->prefix, id, len);
        memcpy(sink->prefix + len, "> ", 3);
    } else {
        sink->prefix = wb_strdup("");
    }
    return &sink->base;
}

/* ---- blackhole ---- */

static int blackhole_write(Sink *sink, const Batch *batch, WbError *err)
{
    (void)err;
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        sink->records_written += w < 0 ? -w : w;
    }
    return 0;
}

static int blackhole_finish(Sink *sink, WbError *err)
{
    (void)sink;
    (void)err;
    return 0;
}

static void blackhole_close(Sink *sink) { free(sink); }

static const SinkVTable blackhole_vt = {blackhole_write, blackhole_finish, NULL, blackhole_close};

Sink *cn_blackhole_sink_open(const TableDef *table, WbError *err)
{
    static const char *const keys[] = {"connector", "sink.parallelism", NULL};
    if (cn_opt_check_keys(table, "blackhole", keys, NULL, err) != 0) return NULL;
    Sink *sink = wb_calloc(1, sizeof *sink);
    sink->vt = &blackhole_vt;
    sink->table = table;
    sink->accepts_retractions = true;
    return sink;
}
