/*
 * fs_source.c - the filesystem source: a file, or every visible regular
 * file under a directory (recursively, in path order), streamed through a
 * read window into the csv or json-family decoders.  Bounded.  The file
 * list is taken when the source opens (job start), so part files that a
 * sink of the same job commits at its end are not read.
 *
 * The window: buf[0..len) holds bytes of the current file starting at
 * file offset in.base_offset; the decoder consumes complete records from
 * in.pos.  When it needs more, the unconsumed tail moves to the front and
 * read() appends; a record longer than the buffer doubles it (up to 1 GiB,
 * so record offsets fit 32 bits).  Memory is the buffer plus one batch,
 * whatever the file size.
 */
#include "connect/connect_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

size_t cn_fs_read_size = (size_t)1 << 20;

#define FS_MAX_RECORD ((size_t)1 << 30)

typedef struct FsSource {
    Source base;
    CnFormat format;
    CsvDecoder *csv;
    JsonDecoder *json;
    CnParquetSource *parquet;
    char **files;
    int32_t nfiles;
    int32_t next_file;
    int fd;                      /* -1: no file open */
    char *buf;
    size_t cap;
    RecordInput in;
    bool bom_checked;            /* a UTF-8 byte order mark is skipped */
} FsSource;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_file(FsSource *src, int32_t *cap, char *path)
{
    if (src->nfiles == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        src->files = wb_realloc(src->files, sizeof(char *) * (size_t)*cap);
    }
    src->files[src->nfiles++] = path;
}

#define FS_MAX_DEPTH 64

/* The directories being listed, from `path` down to the current one: a
 * sub-directory that is one of them (a symbolic link to an ancestor) is a
 * loop, reported at once; the depth bound alone let two such links
 * double the work at each of 64 levels, which never ended. */
typedef struct DirChain {
    dev_t dev[FS_MAX_DEPTH + 1];
    ino_t ino[FS_MAX_DEPTH + 1];
} DirChain;

/* Appends the visible regular files under `path` (a directory, `st_dir` its
 * stat) and its visible sub-directories, recursively.  Hidden: names
 * starting with '.' or '_' (Flink's rule: in-progress part files,
 * _SUCCESS, ...), at every level. */
static int list_dir(FsSource *src, int32_t *cap, const TableDef *table, const char *path,
                    const struct stat *st_dir, DirChain *chain, int depth, WbError *err)
{
    for (int i = 0; i < depth && i <= FS_MAX_DEPTH; i++) {
        if (chain->dev[i] == st_dir->st_dev && chain->ino[i] == st_dir->st_ino) {
            cn_table_error(err, table, "directory \"%s\" under 'path' of table %s is one of "
                           "its own parent directories (a symbolic link loop)", path, table->name);
            return -1;
        }
    }
    if (depth > FS_MAX_DEPTH) {
        cn_table_error(err, table, "directories under 'path' of table %s are nested more than "
                       "64 deep at \"%s\"", table->name, path);
        return -1;
    }
    chain->dev[depth] = st_dir->st_dev;
    chain->ino[depth] = st_dir->st_ino;
    DIR *dir = opendir(path);
    if (!dir) {
        cn_table_error(err, table, "cannot read directory \"%s\" of table %s: %s", path,
                       table->name, strerror(errno));
        return -1;
    }
    size_t plen = strlen(path);
    bool slash = plen && path[plen - 1] == '/';
    struct dirent *ent;
    int rc = 0;
    while (rc == 0 && (ent = readdir(dir)) != NULL) {
        if (cn_fs_hidden(ent->d_name)) continue;
        size_t nlen = strlen(ent->d_name);
        char *full = wb_malloc(plen + nlen + 2);
        memcpy(full, path, plen);
        size_t at = plen;
        if (!slash) full[at++] = '/';
        memcpy(full + at, ent->d_name, nlen + 1);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            add_file(src, cap, full);
            continue;
        }
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
            rc = list_dir(src, cap, table, full, &st, chain, depth + 1, err);
        free(full);
    }
    closedir(dir);
    return rc;
}

/* Lists the input files: the path itself, or the visible files under the
 * directory, sorted by their path (so by their path relative to it: a
 * stable order whatever readdir returns). */
static int list_files(FsSource *src, const TableDef *table, const char *path, WbError *err)
{
    struct stat st;
    int32_t cap = 0;
    if (stat(path, &st) != 0) {
        cn_table_error(err, table, "cannot read 'path' \"%s\" of table %s: %s", path, table->name,
                       strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(src, &cap, wb_strdup(path));
        return 0;
    }
    DirChain chain;
    if (list_dir(src, &cap, table, path, &st, &chain, 0, err) != 0) return -1;
    if (src->nfiles > 1) qsort(src->files, (size_t)src->nfiles, sizeof(char *), cmp_names);
    return 0;
}

static void fs_close(Source *base)
{
    FsSource *src = (FsSource *)base;
    if (src->fd >= 0) close(src->fd);
    for (int32_t i = 0; i < src->nfiles; i++) free(src->files[i]);
    free(src->files);
    free(src->buf);
    cn_csv_decoder_free(src->csv);
    cn_json_decoder_free(src->json);
    cn_parquet_source_free(src->parquet);
    free(src->base.types);
    free(src);
}

static int open_next_file(FsSource *src, WbError *err)
{
    const char *path = src->files[src->next_file++];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot open \"%s\" for table %s: %s", path,
                 src->base.table->name, strerror(errno));
        snprintf(err->source, sizeof err->source, "%s", path);
        return -1;
    }
    src->fd = fd;
    src->in.data = src->buf;
    src->in.len = 0;
    src->in.pos = 0;
    src->in.eof = false;
    src->in.line = 1;
    src->in.base_offset = 0;
    src->in.path = path;
    src->bom_checked = false;
    return 0;
}

/* Moves the unconsumed bytes to the front and reads more. */
static int refill(FsSource *src, WbError *err)
{
    RecordInput *in = &src->in;
    if (in->pos > 0) {
        memmove(src->buf, src->buf + in->pos, in->len - in->pos);
        in->base_offset += (int64_t)in->pos;
        in->len -= in->pos;
        in->pos = 0;
    }
    if (in->len == src->cap) {
        if (src->cap >= FS_MAX_RECORD) {
            cn_record_error(err, WB_SQLSTATE_DATA, in, in->line, in->base_offset,
                            "record longer than %zu bytes", FS_MAX_RECORD);
            return -1;
        }
        src->cap *= 2;
        src->buf = wb_realloc(src->buf, src->cap);
    }
    in->data = src->buf;
    for (;;) {
        ssize_t n = read(src->fd, src->buf + in->len, src->cap - in->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            wb_error(err, WB_SQLSTATE_IO, 0, 0, "cannot read \"%s\": %s", in->path, strerror(errno));
            snprintf(err->source, sizeof err->source, "%s", in->path);
            err->offset = in->base_offset + (int64_t)in->len;
            return -1;
        }
        if (n == 0) in->eof = true;
        in->len += (size_t)n;
        break;
    }
    /* Decoders never consume part of a record, so until the first record is
     * complete the window still starts at byte 0 of the file. */
    if (!src->bom_checked && (in->pos > 0 || in->base_offset > 0)) src->bom_checked = true;
    if (!src->bom_checked && (in->len >= 3 || in->eof)) {
        src->bom_checked = true;
        if (in->len >= 3 && memcmp(in->data, "\xef\xbb\xbf", 3) == 0) in->pos = 3;
    }
    return 0;
}

/* The first "#clock " line start in the window's unconsumed bytes, or
 * NULL.  (A quoted CSV field holding a newline followed by "#clock " would
 * be taken for a mark: marks are for test inputs.) */
static const char *find_clock_mark(const RecordInput *in)
{
    static const char tag[] = "#clock ";
    const char *p = in->data + in->pos, *end = in->data + in->len;
    for (;;) {
        size_t left = (size_t)(end - p);
        if (left >= sizeof tag - 1 && memcmp(p, tag, sizeof tag - 1) == 0) return p;
        const char *nl = memchr(p, '\n', left);
        if (!nl) return NULL;
        p = nl + 1;
    }
}

/* Consumes the mark line at in->pos: sets the source's clock mark.
 * Returns 1 (the mark was taken), 0 (the line is not complete yet: refill),
 * -1 on a bad timestamp. */
static int take_clock_mark(FsSource *src, WbError *err)
{
    RecordInput *in = &src->in;
    const char *p = in->data + in->pos, *end = in->data + in->len;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl && !in->eof) return 0;
    const char *stop = nl ? nl : end;
    const char *text = p + 7;
    size_t len = (size_t)(stop - text);
    while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == ' ')) len--;
    while (len > 0 && *text == ' ') text++, len--;
    int64_t us;
    if (ty_parse_timestamp(text, len, &us) != 0) {
        cn_record_error(err, WB_SQLSTATE_BAD_VALUE, in, in->line,
                        in->base_offset + (int64_t)in->pos,
                        "bad clock mark: \"%.*s\" is not a timestamp (write #clock 2024-01-01 06:00:00)",
                        (int)len, text);
        return -1;
    }
    src->base.has_clock_mark = true;
    src->base.clock_mark_us = us;
    in->pos = (size_t)((nl ? nl + 1 : end) - in->data);
    in->line++;
    return 1;
}

static int fs_next(Source *base, Batch *out, int32_t max_rows, WbError *err)
{
    FsSource *src = (FsSource *)base;
    if (src->format == CN_FMT_PARQUET)
        return cn_parquet_next(src->parquet, base, src->files, src->nfiles, &src->next_file, out,
                               max_rows, err);
    bool marks = base->clock && base->clock->manual;
    while (out->nrows < max_rows) {
        if (src->fd < 0) {
            if (src->next_file == src->nfiles) return 0;
            if (open_next_file(src, err) != 0) return -1;
        }
        const char *mark = marks ? find_clock_mark(&src->in) : NULL;
        if (mark && mark == src->in.data + src->in.pos) {
            int taken = take_clock_mark(src, err);
            if (taken < 0) return -1;
            if (taken > 0) return 1;   /* the batch ends at the mark */
            if (refill(src, err) != 0) return -1;
            continue;
        }
        /* decode only up to the mark */
        size_t saved_len = src->in.len;
        bool saved_eof = src->in.eof;
        if (mark) {
            src->in.len = (size_t)(mark - src->in.data);
            src->in.eof = false;
        }
        int rc = src->format == CN_FMT_CSV
                     ? cn_csv_decode(src->csv, &src->in, out, max_rows, src->base.unread, err)
                     : cn_json_decode(src->json, &src->in, out, max_rows, err);
        src->in.len = saved_len;
        src->in.eof = saved_eof;
        src->base.records_read = src->in.records;
        src->base.records_dirty = src->in.dirty;
        if (rc < 0) return -1;
        if (rc == CN_FULL) break;
        if (mark) continue;          /* at the mark now */
        if (src->in.eof) {
            /* decoders consume everything at the end of a file */
            close(src->fd);
            src->fd = -1;
            continue;
        }
        if (refill(src, err) != 0) return -1;
    }
    return 1;
}

static const SourceVTable fs_source_vt = {fs_next, fs_close};

Source *cn_fs_source_open(const TableDef *table, WbError *err)
{
    CnFormat format;
    if (cn_opt_format(table, "filesystem", false, &format, err) != 0) return NULL;
    const char *path = sql_table_option(table, "path");
    if (!path || !*path) {
        cn_table_error(err, table, "table %s needs option 'path' (a file or a directory)", table->name);
        return NULL;
    }
    CsvOptions csv_opts;
    JsonOptions json_opts;
    PqWriteOptions pq_opts;
    if (format == CN_FMT_CSV) {
        if (cn_csv_options(table, &csv_opts, err) != 0) return NULL;
    } else if (format == CN_FMT_PARQUET) {
        /* the writer's options: checked here too, so a table is valid or
         * not whichever way it is used */
        if (cn_parquet_options(table, &pq_opts, err) != 0) return NULL;
    } else if (cn_json_options(table, format, &json_opts, err) != 0) {
        return NULL;
    }
    FsSource *src = wb_calloc(1, sizeof *src);
    src->base.vt = &fs_source_vt;
    src->base.table = table;
    src->base.bounded = true;
    src->base.ncols = sql_table_physical(table, NULL, NULL);
    src->base.types = wb_malloc(sizeof(SqlType) * (size_t)(src->base.ncols ? src->base.ncols : 1));
    sql_table_physical(table, src->base.types, NULL);
    src->format = format;
    src->fd = -1;
    if (list_files(src, table, path, err) != 0) {
        fs_close(&src->base);
        return NULL;
    }
    src->cap = cn_fs_read_size > 0 ? cn_fs_read_size : 1;
    src->buf = wb_malloc(src->cap);
    if (format == CN_FMT_CSV) src->csv = cn_csv_decoder_new(table, &csv_opts);
    else if (format == CN_FMT_PARQUET) {
        src->parquet = cn_parquet_source_new(table);
        src->base.rows_without_columns = true;
    } else {
        src->json = cn_json_decoder_new(table, &json_opts);
    }
    return &src->base;
}
