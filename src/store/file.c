/*
 * file.c - the table store's file helpers: whole-file reads, atomic
 * publication without overwrite (write a temporary, fsync, link), fsync of
 * directories, random ids, hex, memory sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"

static void io_error(WbError *err, const char *what, const char *path)
{
    int saved = errno;
    wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not %s file \"%s\": %s", what, path, strerror(saved));
    snprintf(err->source, sizeof(err->source), "%s", path);
}

char *store_read_file(const char *path, size_t *len, WbError *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            wb_error(err, WB_SQLSTATE_IO, 0, 0, "file \"%s\" does not exist", path);
            snprintf(err->source, sizeof(err->source), "%s", path);
        } else {
            io_error(err, "open", path);
        }
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        io_error(err, "stat", path);
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *data = wb_malloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, data + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            io_error(err, "read", path);
            free(data);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    close(fd);
    data[got] = 0;
    *len = got;
    return data;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return wb_strdup(".");
    if (slash == path) return wb_strdup("/");
    return wb_strndup(path, (size_t)(slash - path));
}

int store_fsync_dir(const char *path, WbError *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        io_error(err, "open directory", path);
        return -1;
    }
    int rc = fsync(fd);
    close(fd);
    if (rc != 0 && errno != EINVAL) {
        io_error(err, "fsync directory", path);
        return -1;
    }
    return 0;
}

int store_write_new_file(const char *path, const void *data, size_t len, WbError *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        io_error(err, "create", path);
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        io_error(err, "write", path);
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    return 0;
}

int store_publish_file(const char *path, const void *data, size_t len, bool replace,
                       WbError *err)
{
    char id[33];
    store_random_id(id);
    size_t plen = strlen(path);
    char *tmp = wb_malloc(plen + 48);
    /* the temporary is hidden: a dot before the file name */
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path + 1) : 0;
    snprintf(tmp, plen + 48, "%.*s.%s.tmp-%.8s", (int)dlen, path, path + dlen, id);
    int rc = -1;
    if (store_write_new_file(tmp, data, len, err) != 0) goto out;
    if (replace) {
        if (rename(tmp, path) != 0) {
            io_error(err, "rename", path);
            unlink(tmp);
            goto out;
        }
    } else {
        if (link(tmp, path) != 0) {
            if (errno == EEXIST) {
                unlink(tmp);
                rc = 1;
                goto out;
            }
            io_error(err, "link", path);
            unlink(tmp);
            goto out;
        }
        unlink(tmp);
    }
    char *dir = dir_of(path);
    rc = store_fsync_dir(dir, err);
    free(dir);
out:
    free(tmp);
    return rc;
}

int store_mkdirs(const char *path, WbError *err)
{
    char *copy = wb_strdup(path);
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char saved = *p;
            *p = 0;
            if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
                io_error(err, "create directory", copy);
                free(copy);
                return -1;
            }
            *p = saved;
            if (saved == 0) break;
        }
    }
    free(copy);
    return 0;
}

bool store_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void store_random_id(char out[33])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t bytes[16];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t r = getrandom(bytes + got, sizeof bytes - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            /* no entropy source: time and address, still unique enough */
            uint64_t x = (uint64_t)wb_monotonic_us() ^ ((uint64_t)getpid() << 32);
            for (size_t i = got; i < sizeof bytes; i++) { x = wb_hash_u64(x + i); bytes[i] = (uint8_t)x; }
            break;
        }
        got += (size_t)r;
    }
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 15];
    }
    out[32] = 0;
}

void store_hex_put(WbBuf *out, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    wb_buf_reserve(out, len * 2);
    for (size_t i = 0; i < len; i++) {
        wb_buf_putc(out, hex[data[i] >> 4]);
        wb_buf_putc(out, hex[data[i] & 15]);
    }
}

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int store_hex_get(const char *hex, size_t len, WbBuf *out)
{
    if (len % 2) return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexdigit(hex[i]), lo = hexdigit(hex[i + 1]);
        if (hi < 0 || lo < 0) return -1;
        wb_buf_putc(out, (char)(hi * 16 + lo));
    }
    return 0;
}

int store_parse_memory(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (end == text || errno || n < 0) return -1;
    while (*end == ' ') end++;
    int64_t mult = 1;
    if (*end) {
        char unit[8] = {0};
        size_t i = 0;
        while (end[i] && i < 7) { unit[i] = (char)(end[i] | 0x20); i++; }
        if (end[i]) return -1;
        if (!strcmp(unit, "b") || !strcmp(unit, "bytes")) mult = 1;
        else if (!strcmp(unit, "k") || !strcmp(unit, "kb") || !strcmp(unit, "kib")) mult = 1024;
        else if (!strcmp(unit, "m") || !strcmp(unit, "mb") || !strcmp(unit, "mib")) mult = 1024 * 1024;
        else if (!strcmp(unit, "g") || !strcmp(unit, "gb") || !strcmp(unit, "gib")) mult = 1024LL * 1024 * 1024;
        else return -1;
    }
    if (n > INT64_MAX / mult) return -1;
    *out = n * mult;
    return 0;
}
