/*
 * store_sink.c - writing a table kept by weir's table store.  The sink
 * holds the table's writer lock from open to close (a second writer fails
 * at open); finish writes the data files (invisible), commit publishes
 * them as one snapshot (an INSERT OVERWRITE replaces the table, or the
 * partitions written, or one static partition).  A primary-key table takes
 * retractions (a delete by key); an append-only table refuses them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect/connect_int.h"
#include "store/store.h"

typedef struct StoreSink {
    Sink base;
    StoreTable *table;
    StoreWriter *writer;
} StoreSink;

static void position(WbError *err, const TableDef *table)
{
    if (err->set && err->line == 0) {
        err->line = table->line;
        err->column = table->column;
    }
}

static int store_sink_write(Sink *sink, const Batch *batch, WbError *err)
{
    StoreSink *s = (StoreSink *)sink;
    if (store_writer_write(s->writer, batch, err) != 0) return -1;
    for (int32_t r = 0; r < batch->nrows; r++)
        s->base.records_written += batch->weights[r] < 0 ? -batch->weights[r] : batch->weights[r];
    return 0;
}

static int store_sink_finish(Sink *sink, WbError *err)
{
    StoreSink *s = (StoreSink *)sink;
    return store_writer_prepare(s->writer, err);
}

static int store_sink_commit(Sink *sink, int64_t commit_id, WbError *err)
{
    StoreSink *s = (StoreSink *)sink;
    int64_t id;
    /* the store skips an identifier this writer's user already committed */
    int rc = store_writer_commit(s->writer, commit_id, &id, err);
    if (rc != 0) position(err, sink->table);
    return rc;
}

static void store_sink_close(Sink *sink)
{
    StoreSink *s = (StoreSink *)sink;
    store_writer_close(s->writer);
    store_close(s->table);
    free(s);
}

static const SinkVTable store_sink_vt = {store_sink_write, store_sink_finish, store_sink_commit,
                                         store_sink_close};

Sink *cn_store_sink_open(const TableDef *table, const CnWriteOptions *opts, WbError *err)
{
    StoreTable *t = cn_store_table_open(table, err);
    if (!t) return NULL;
    bool overwrite = opts->overwrite;
    char *partition = NULL;
    if (overwrite && opts->nstatic > 0) {
        /* sink columns are physical columns, as the store's */
        partition = store_static_partition(t, opts->nstatic, opts->static_cols, opts->static_values);
    }
    /* each sink commits as its own user: identifiers count its commits */
    char user[64];
    char rnd[8];
    snprintf(rnd, sizeof rnd, "%04x", (unsigned)(wb_monotonic_us() & 0xffff));
    snprintf(user, sizeof user, "weir-%d-%lld-%s", (int)getpid(), (long long)wb_now_millis(), rnd);
    StoreWriter *w = store_writer_open(t, user, overwrite, partition, err);
    free(partition);
    if (!w) {
        position(err, table);
        store_close(t);
        return NULL;
    }
    StoreSink *s = wb_calloc(1, sizeof(StoreSink));
    s->base.vt = &store_sink_vt;
    s->base.table = table;
    s->base.accepts_retractions = store_has_pk(t);
    s->table = t;
    s->writer = w;
    return &s->base;
}
