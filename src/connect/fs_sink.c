/*
 * fs_sink.c - the filesystem sink (Flink's file sink, one writer): csv,
 * json or parquet rows into new part files of the table's directory, invisible until
 * the job commits.
 *
 * Files.  'path' is a directory (created with its parents when missing; an
 * existing path that is not a directory is an error and is left alone).
 * A sink instance draws a random UUID and writes its rows into
 *
 *     .part-<uuid>-<n>.<ext>.inprogress      while the job runs (hidden)
 *     part-<uuid>-<n>.<ext>                  after the commit (visible)
 *
 * where n counts from 0 and a new file starts when the current one has
 * reached 'sink.rolling-policy.file-size' (checked after each batch).  A
 * file is created at the first row: a job that writes nothing leaves no
 * file.  Names starting with '.' or '_' are hidden from every reader
 * (fs_source.c), so nothing a running or failed job wrote is ever read.
 *
 * Lifecycle (asserted on entry to each step):
 *
 *     OPEN --write*--> OPEN --finish--> PREPARED --commit--> COMMITTED
 *       \________________\______________\__ any error --> FAILED
 *     close() in any state but COMMITTED removes the in-progress files.
 *
 * finish flushes and fsyncs the last file; commit (INSERT OVERWRITE first
 * lists the directory's visible files, recursively) renames each
 * in-progress file to its final name, fsyncs the directory, and then, for
 * OVERWRITE, removes the listed old files and the visible sub-directories
 * they leave empty.  So a reader sees the old files, then old and new, then
 * only the new ones: a crash in between can duplicate, never lose.
 */
#include "connect/connect_int.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FS_DEFAULT_ROLL_BYTES ((int64_t)128 << 20)   /* Flink's default */
#define FS_WRITE_CHUNK ((size_t)256 << 10)

typedef enum FsSinkState { FS_OPEN, FS_PREPARED, FS_COMMITTED, FS_FAILED } FsSinkState;

typedef struct FsSink {
    Sink base;
    CnFormat format;
    CsvOptions csv;
    JsonOptions json;
    PqWriteOptions pq_opts;
    PqWriter *pq;                /* parquet: the current part's writer, or NULL */
    SqlType *types;
    FsSinkState state;
    int64_t committed_id;        /* the commit that made the files visible */
    bool overwrite;
    char *dir;                   /* the table's directory, no trailing '/' */
    char uuid[37];
    const char *ext;             /* "csv" or "json" */
    int64_t roll_bytes;
    int fd;                      /* the current in-progress file, or -1 */
    int64_t file_bytes;          /* written into it so far */
    char **pending;              /* in-progress names (under dir), in order */
    int32_t npending, cap_pending;
    int32_t ncols;
    const char **names;
    WbBuf text;
} FsSink;

static int io_error(FsSink *sink, const char *what, const char *name, WbError *err)
{
    int saved = errno;
    sink->state = FS_FAILED;
    wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot %s \"%s/%s\" for table %s: %s", what, sink->dir,
             name, sink->base.table->name, strerror(saved));
    snprintf(err->source, sizeof err->source, "%s/%s", sink->dir, name);
    return -1;
}

static char *in_dir(const FsSink *sink, const char *name)
{
    size_t dlen = strlen(sink->dir), nlen = strlen(name);
    char *full = wb_malloc(dlen + nlen + 2);
    memcpy(full, sink->dir, dlen);
    full[dlen] = '/';
    memcpy(full + dlen + 1, name, nlen + 1);
    return full;
}

/* "part-<uuid>-<n>.<ext>"; the in-progress name is "." + it + ".inprogress". */
static char *final_name(const FsSink *sink, int32_t n)
{
    char *name = wb_malloc(strlen(sink->uuid) + strlen(sink->ext) + 32);
    sprintf(name, "part-%s-%d.%s", sink->uuid, (int)n, sink->ext);
    return name;
}

static char *progress_name(const FsSink *sink, int32_t n)
{
    char *final = final_name(sink, n);
    char *name = wb_malloc(strlen(final) + 16);
    sprintf(name, ".%s.inprogress", final);
    free(final);
    return name;
}

static int open_part(FsSink *sink, WbError *err)
{
    char *name = progress_name(sink, sink->npending);
    char *full = in_dir(sink, name);
    int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    free(full);
    if (fd < 0) {
        int rc = io_error(sink, "create", name, err);
        free(name);
        return rc;
    }
    if (sink->npending == sink->cap_pending) {
        sink->cap_pending = sink->cap_pending ? sink->cap_pending * 2 : 4;
        sink->pending = wb_realloc(sink->pending, sizeof(char *) * (size_t)sink->cap_pending);
    }
    sink->pending[sink->npending++] = name;
    sink->fd = fd;
    sink->file_bytes = 0;
    return 0;
}

/* parquet: a new in-progress part written by a PqWriter */
static int open_parquet_part(FsSink *sink, WbError *err)
{
    char *name = progress_name(sink, sink->npending);
    char *full = in_dir(sink, name);
    sink->pq = pq_writer_open(full, sink->ncols, sink->names, sink->types, &sink->pq_opts, NULL, 0, err);
    free(full);
    if (!sink->pq) {
        sink->state = FS_FAILED;
        free(name);
        return -1;
    }
    if (sink->npending == sink->cap_pending) {
        sink->cap_pending = sink->cap_pending ? sink->cap_pending * 2 : 4;
        sink->pending = wb_realloc(sink->pending, sizeof(char *) * (size_t)sink->cap_pending);
    }
    sink->pending[sink->npending++] = name;
    return 0;
}

/* parquet: the footer, fsync and close of the current part */
static int close_parquet_part(FsSink *sink, WbError *err)
{
    if (!sink->pq) return 0;
    PqWriter *w = sink->pq;
    sink->pq = NULL;
    if (pq_writer_close(w, NULL, NULL, err) != 0) {
        sink->state = FS_FAILED;
        return -1;
    }
    return 0;
}

static int write_parquet(FsSink *sink, const Batch *batch, WbError *err)
{
    if (batch->nrows == 0) return 0;
    if (!sink->pq && open_parquet_part(sink, err) != 0) return -1;
    if (cn_parquet_write(sink->pq, batch, sink->ncols, &sink->base.records_written, err) != 0) {
        sink->state = FS_FAILED;
        return -1;
    }
    /* roll: the next batch starts part n+1 */
    if (pq_writer_bytes(sink->pq) >= sink->roll_bytes) return close_parquet_part(sink, err);
    return 0;
}

static int write_all(FsSink *sink, const char *data, size_t len, WbError *err)
{
    while (len > 0) {
        ssize_t n = write(sink->fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error(sink, "write", sink->pending[sink->npending - 1], err);
        data += n;
        len -= (size_t)n;
        sink->file_bytes += n;
    }
    return 0;
}

/* Makes the current file durable and closes it. */
static int close_part(FsSink *sink, WbError *err)
{
    if (sink->fd < 0) return 0;
    const char *name = sink->pending[sink->npending - 1];
    int rc = 0;
    if (sink->text.len) {
        rc = write_all(sink, sink->text.data, sink->text.len, err);
        wb_buf_clear(&sink->text);
    }
    if (rc == 0 && fsync(sink->fd) != 0) rc = io_error(sink, "sync", name, err);
    if (close(sink->fd) != 0 && rc == 0) rc = io_error(sink, "close", name, err);
    sink->fd = -1;
    return rc;
}

static int fs_sink_write(Sink *base, const Batch *batch, WbError *err)
{
    FsSink *sink = (FsSink *)base;
    if (sink->state != FS_OPEN) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "filesystem sink of table %s failed earlier", base->table->name);
        return -1;
    }
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        if (w < 0) {
            /* the planner rejects retracting queries into this sink */
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                     "filesystem sink of table %s is append-only and received a retraction",
                     base->table->name);
            sink->state = FS_FAILED;
            return -1;
        }
        if (sink->format == CN_FMT_PARQUET) continue;   /* written below, columnar */
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
    if (sink->format == CN_FMT_PARQUET) return write_parquet(sink, batch, err);
    if (sink->text.len == 0) return 0;
    if (sink->fd < 0 && open_part(sink, err) != 0) return -1;
    int64_t pending_bytes = sink->file_bytes + (int64_t)sink->text.len;
    if (sink->text.len >= FS_WRITE_CHUNK || pending_bytes >= sink->roll_bytes) {
        if (write_all(sink, sink->text.data, sink->text.len, err) != 0) return -1;
        wb_buf_clear(&sink->text);
    }
    /* roll: the next batch starts part n+1 */
    if (pending_bytes >= sink->roll_bytes && close_part(sink, err) != 0) return -1;
    return 0;
}

static int fs_sink_finish(Sink *base, WbError *err)
{
    FsSink *sink = (FsSink *)base;
    if (sink->state == FS_FAILED) return 0;
    assert(sink->state == FS_OPEN);
    if (close_part(sink, err) != 0 || close_parquet_part(sink, err) != 0) return -1;
    sink->state = FS_PREPARED;
    return 0;
}

static int sync_dir(FsSink *sink, WbError *err)
{
    int fd = open(sink->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        if (fd >= 0) close(fd);
        return io_error(sink, "sync", ".", err);
    }
    close(fd);
    return 0;
}

/* Appends the visible regular files under dir/rel (recursively) to *list,
 * and the visible sub-directories (deepest last) to *dirs, as paths
 * relative to dir. */
static int list_visible(FsSink *sink, const char *rel, char ***list, int32_t *n, char ***dirs,
                        int32_t *ndirs, int depth, WbError *err)
{
    char *path = rel[0] ? in_dir(sink, rel) : wb_strdup(sink->dir);
    DIR *dir = opendir(path);
    free(path);
    if (!dir) return io_error(sink, "list", rel[0] ? rel : ".", err);
    int rc = 0;
    struct dirent *ent;
    while (rc == 0 && (ent = readdir(dir)) != NULL) {
        if (cn_fs_hidden(ent->d_name)) continue;
        size_t rlen = strlen(rel), nlen = strlen(ent->d_name);
        char *child = wb_malloc(rlen + nlen + 2);
        sprintf(child, "%s%s%s", rel, rlen ? "/" : "", ent->d_name);
        char *full = in_dir(sink, child);
        struct stat st;
        int got = lstat(full, &st);
        free(full);
        if (got == 0 && S_ISDIR(st.st_mode) && depth < 64) {
            rc = list_visible(sink, child, list, n, dirs, ndirs, depth + 1, err);
            *dirs = wb_realloc(*dirs, sizeof(char *) * (size_t)(*ndirs + 1));
            (*dirs)[(*ndirs)++] = child;
        } else if (got == 0 && !S_ISDIR(st.st_mode)) {
            *list = wb_realloc(*list, sizeof(char *) * (size_t)(*n + 1));
            (*list)[(*n)++] = child;
        } else {
            free(child);
        }
    }
    closedir(dir);
    return rc;
}

static void free_list(char **list, int32_t n)
{
    for (int32_t i = 0; i < n; i++) free(list[i]);
    free(list);
}

static int fs_sink_commit(Sink *base, int64_t commit_id, WbError *err)
{
    FsSink *sink = (FsSink *)base;
    /* a retried commit of what is already visible */
    if (sink->state == FS_COMMITTED && commit_id <= sink->committed_id) return 0;
    if (sink->state == FS_FAILED) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "filesystem sink of table %s failed earlier", base->table->name);
        return -1;
    }
    assert(sink->state == FS_PREPARED);
    char **old = NULL, **dirs = NULL;
    int32_t nold = 0, ndirs = 0;
    int rc = 0;
    if (sink->overwrite) rc = list_visible(sink, "", &old, &nold, &dirs, &ndirs, 0, err);
    for (int32_t i = 0; rc == 0 && i < sink->npending; i++) {
        char *from = in_dir(sink, sink->pending[i]);
        char *name = final_name(sink, i);
        char *to = in_dir(sink, name);
        if (rename(from, to) != 0) rc = io_error(sink, "rename", sink->pending[i], err);
        free(from);
        free(to);
        free(name);
        if (rc == 0) {
            free(sink->pending[i]);
            sink->pending[i] = NULL;   /* committed: close() leaves it */
        }
    }
    if (rc == 0) rc = sync_dir(sink, err);
    for (int32_t i = 0; rc == 0 && i < nold; i++) {
        char *full = in_dir(sink, old[i]);
        if (unlink(full) != 0 && errno != ENOENT) rc = io_error(sink, "remove", old[i], err);
        free(full);
    }
    /* sub-directories the overwrite emptied (children come before parents) */
    for (int32_t i = 0; rc == 0 && i < ndirs; i++) {
        char *full = in_dir(sink, dirs[i]);
        rmdir(full);   /* fails harmlessly when something else is inside */
        free(full);
    }
    if (rc == 0 && nold > 0) rc = sync_dir(sink, err);
    free_list(old, nold);
    free_list(dirs, ndirs);
    if (rc == 0) {
        sink->state = FS_COMMITTED;
        sink->committed_id = commit_id;
    }
    return rc;
}

static void fs_sink_close(Sink *base)
{
    FsSink *sink = (FsSink *)base;
    if (sink->fd >= 0) close(sink->fd);
    if (sink->pq) pq_writer_abort(sink->pq);   /* removes its file */
    free(sink->types);
    /* not committed: nothing of this job stays behind */
    for (int32_t i = 0; i < sink->npending; i++) {
        if (!sink->pending[i]) continue;
        char *full = in_dir(sink, sink->pending[i]);
        unlink(full);
        free(full);
        free(sink->pending[i]);
    }
    free(sink->pending);
    free(sink->dir);
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

/* Flink's MemorySize text: a number with an optional unit (b, k/kb,
 * m/mb, g/gb, t/tb, any case, spaces allowed; binary multiples). */
int cn_parse_memory_size(const char *text, int64_t *out)
{
    const char *p = text;
    while (*p == ' ') p++;
    int64_t n = 0;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > (INT64_MAX - 9) / 10) return -1;
        n = n * 10 + (*p - '0');
    }
    while (*p == ' ') p++;
    static const char *const units[] = {"", "b", "k", "kb", "m", "mb", "g", "gb", "t", "tb"};
    static const int shifts[] = {0, 0, 10, 10, 20, 20, 30, 30, 40, 40};
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == ' ') len--;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (!wb_ieq(p, len, units[u])) continue;
        if (n > (INT64_MAX >> shifts[u])) return -1;
        *out = n << shifts[u];
        return *out > 0 ? 0 : -1;
    }
    return -1;
}

static void make_uuid(char out[37])
{
    uint8_t bytes[16];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got < sizeof bytes) {
        /* no entropy source: the clock and the pid still make names unique
         * (O_EXCL catches the rest) */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t mix[2] = {(uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
                           (uint64_t)getpid() * 0x9E3779B97F4A7C15ull};
        memcpy(bytes, mix, sizeof bytes);
    }
    bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x40);   /* version 4 */
    bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 15];
    }
    *p = '\0';
}

static const SinkVTable fs_sink_vt = {fs_sink_write, fs_sink_finish, fs_sink_commit, fs_sink_close};

Sink *cn_fs_sink_open(const TableDef *table, bool overwrite, WbError *err)
{
    CnFormat format;
    if (cn_opt_format(table, "filesystem", true, &format, err) != 0) return NULL;
    const char *path = sql_table_option(table, "path");
    if (!path || !*path) {
        cn_table_error(err, table, "table %s needs option 'path' (a directory)", table->name);
        return NULL;
    }
    int64_t roll_bytes = FS_DEFAULT_ROLL_BYTES;
    const char *roll = sql_table_option(table, "sink.rolling-policy.file-size");
    if (roll && cn_parse_memory_size(roll, &roll_bytes) != 0) {
        cn_table_error(err, table, "invalid value \"%s\" for 'sink.rolling-policy.file-size'", roll);
        wb_error_hint(err, "Write a positive size such as '128MB', '64kb' or '1024'.");
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
        /* never truncate or append to a file the user named */
        cn_table_error(err, table, "'path' \"%s\" of table %s is a file, not a directory", path,
                       table->name);
        wb_error_detail(err, "A filesystem sink writes part files into a directory; the file "
                             "was left unchanged.");
        wb_error_hint(err, "Point 'path' at a directory (it is created if missing).");
        return NULL;
    }
    if (make_dirs(path) != 0) {
        cn_table_error(err, table, "cannot create directory 'path' \"%s\" of table %s: %s", path,
                       table->name, strerror(errno));
        return NULL;
    }
    FsSink *sink = wb_calloc(1, sizeof *sink);
    sink->base.vt = &fs_sink_vt;
    sink->base.table = table;
    sink->base.accepts_retractions = false;
    sink->format = format;
    sink->overwrite = overwrite;
    sink->fd = -1;
    sink->roll_bytes = roll_bytes;
    sink->ext = format == CN_FMT_CSV ? "csv" : format == CN_FMT_PARQUET ? "parquet" : "json";
    size_t plen = strlen(path);
    while (plen > 1 && path[plen - 1] == '/') plen--;
    sink->dir = wb_strndup(path, plen);
    make_uuid(sink->uuid);
    sink->names = cn_physical_names(table, &sink->ncols);
    sink->types = wb_malloc(sizeof(SqlType) * (size_t)(sink->ncols ? sink->ncols : 1));
    sql_table_physical(table, sink->types, NULL);
    if (format == CN_FMT_PARQUET && cn_parquet_options(table, &sink->pq_opts, err) != 0) {
        fs_sink_close(&sink->base);
        return NULL;
    }
    if ((format == CN_FMT_CSV && cn_csv_options(table, &sink->csv, err) != 0) ||
        (format == CN_FMT_JSON && cn_json_options(table, format, &sink->json, err) != 0)) {
        fs_sink_close(&sink->base);
        return NULL;
    }
    return &sink->base;
}
