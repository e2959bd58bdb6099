/*
 * datadir.c - the catalog kept in a data directory (README.md says what
 * is on disk): read at open, read again when another process changed it,
 * rewritten atomically after each CREATE or DROP under an exclusive lock,
 * and the directories of stored tables removed when they are dropped.
 *
 * Concurrency: every read-modify-write of DIR/catalog.sql holds flock(2)
 * LOCK_EX on DIR/LOCK (waiting for it: a DDL is short), and re-reads the
 * file under the lock before applying the statement, so two processes
 * never lose each other's objects and a second CREATE of one name fails
 * with "already exists".  Readers take no lock: the file is replaced by
 * rename(2), so a reader sees the old or the new file, whole.
 */
#define _XOPEN_SOURCE 700
#include "connect/connect.h"
#include "session/session_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir);
    WbBuf buf = {0};
    wb_buf_puts(&buf, dir);
    if (len == 0 || dir[len - 1] != '/') wb_buf_putc(&buf, '/');
    wb_buf_puts(&buf, name);
    wb_buf_cstr(&buf);
    return buf.data;
}

/* Sets err's position to the catalog file (a line in it, or its start). */
static void at_catalog(const Session *s, WbError *err, int line, int column)
{
    snprintf(err->source, sizeof err->source, "%s", s->catalog_path);
    if (line > 0 || err->line == 0) {
        err->line = line > 0 ? line : 1;
        err->column = column > 0 ? column : 1;
    }
}

/* Reads the catalog file: *text malloc'ed (NUL-terminated), or NULL when
 * there is no file.  -1 with err when it cannot be read. */
static int read_catalog(const Session *s, char **text, size_t *len, WbError *err)
{
    *text = NULL;
    *len = 0;
    int fd = open(s->catalog_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not open the catalog \"%s\": %s",
                 s->catalog_path, strerror(errno));
        return -1;
    }
    WbBuf buf = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not read the catalog \"%s\": %s",
                     s->catalog_path, strerror(errno));
            close(fd);
            wb_buf_free(&buf);
            return -1;
        }
        wb_buf_append(&buf, chunk, (size_t)n);
    }
    close(fd);
    *len = buf.len;
    wb_buf_cstr(&buf);
    *text = buf.data;
    return 0;
}

/* Replaces the permanent objects of the catalog by those of `text` (NULL:
 * none).  -1 with err positioned in the file when it is not a catalog or
 * a statement in it fails; the permanent objects are then those before
 * the failing statement (the caller loads the previous text again). */
static int load_catalog(Session *s, const char *text, size_t len, WbError *err)
{
    sql_catalog_clear_permanent(s->catalog);
    if (!text) return 0;
    size_t hlen = strlen(SES_CATALOG_HEADER);
    size_t line_end = 0;
    while (line_end < len && text[line_end] != '\n') line_end++;
    if (line_end != hlen || memcmp(text, SES_CATALOG_HEADER, hlen) != 0) {
        const char *prefix = "-- weir catalog ";
        if (len > strlen(prefix) && memcmp(text, prefix, strlen(prefix)) == 0) {
            wb_error(err, WB_SQLSTATE_CONFIG, 1, 1,
                     "catalog format \"%.*s\" is not one this weir reads", (int)(line_end - strlen(prefix)),
                     text + strlen(prefix));
            wb_error_hint(err, "This weir reads '%s' catalogs; a newer weir wrote this one.",
                          SES_CATALOG_HEADER);
        } else {
            wb_error(err, WB_SQLSTATE_CONFIG, 1, 1, "not a weir catalog");
            wb_error_detail(err, "Its first line must be '%s'.", SES_CATALOG_HEADER);
        }
        at_catalog(s, err, 1, 1);
        return -1;
    }
    /* The statements are parsed into the catalog's arena: views and
     * computed columns keep their AST as long as the catalog. */
    SqlScript script;
    if (sql_parse_script(text, len, sql_catalog_arena(s->catalog), &script, err) != 0) {
        at_catalog(s, err, 0, 0);
        return -1;
    }
    for (int32_t i = 0; i < script.count; i++) {
        const SqlStatement *stmt = &script.stmts[i];
        const AstNode *node = stmt->node;
        bool create = node->kind == AST_CREATE_TABLE || node->kind == AST_CREATE_VIEW;
        bool temporary = node->kind == AST_CREATE_TABLE ? node->create_table.temporary
                         : node->kind == AST_CREATE_VIEW ? node->create_view.temporary : false;
        if (!create || temporary) {
            wb_error(err, WB_SQLSTATE_CONFIG, stmt->line, stmt->column,
                     "the catalog holds a %s statement", create ? "CREATE TEMPORARY" : sql_ast_kind_name(node->kind));
            wb_error_detail(err, "A catalog holds only CREATE TABLE and CREATE VIEW statements.");
            at_catalog(s, err, stmt->line, stmt->column);
            return -1;
        }
        if (sql_catalog_load_statement(s->catalog, node, stmt->text, err) != 0) {
            at_catalog(s, err, err->line ? err->line : stmt->line, err->line ? err->column : stmt->column);
            wb_error_hint(err, "The catalog file was edited or damaged: fix or remove the "
                               "statement (its objects are gone with it).");
            return -1;
        }
    }
    return 0;
}

/* Makes `text` (malloc'ed, or NULL) the catalog file's known content. */
static void remember(Session *s, char *text, size_t len)
{
    free(s->catalog_text);
    s->catalog_text = text;
    s->catalog_len = len;
}

static bool same_text(const Session *s, const char *text, size_t len)
{
    if (!text || !s->catalog_text) return !text && !s->catalog_text;
    return len == s->catalog_len && memcmp(text, s->catalog_text, len) == 0;
}

/* Loads `text` if it differs from what the session knows; on failure the
 * previous content is loaded again and -1 returned with err. */
static int load_if_changed(Session *s, char *text, size_t len, WbError *err)
{
    if (same_text(s, text, len)) {
        free(text);
        return 0;
    }
    if (load_catalog(s, text, len, err) != 0) {
        free(text);
        WbError ignored;
        wb_error_clear(&ignored);
        load_catalog(s, s->catalog_text, s->catalog_len, &ignored);
        return -1;
    }
    remember(s, text, len);
    return 0;
}

int ses_datadir_open(Session *s, WbError *err)
{
    s->catalog_path = path_join(s->data_dir, "catalog.sql");
    char *root = path_join(s->data_dir, "tables");
    sql_catalog_set_store_root(s->catalog, root);
    free(root);
    char *text;
    size_t len;
    if (read_catalog(s, &text, &len, err) != 0) return -1;
    if (!text) return 0;
    if (load_catalog(s, text, len, err) != 0) {
        free(text);
        return -1;
    }
    remember(s, text, len);
    return 0;
}

int ses_datadir_refresh(Session *s, WbError *err)
{
    if (!s->data_dir) return 0;
    char *text;
    size_t len;
    if (read_catalog(s, &text, &len, err) != 0) return -1;
    return load_if_changed(s, text, len, err);
}

/* The catalog's text for the permanent objects, in creation order. */
static char *format_catalog(Session *s, size_t *len)
{
    WbBuf buf = {0};
    wb_buf_puts(&buf, SES_CATALOG_HEADER "\n"
                      "-- The permanent tables and views of this data directory, in the order\n"
                      "-- they were created.  weir rewrites this file after each CREATE,\n"
                      "-- ALTER or DROP and reads it at start; edit it only while no weir\n"
                      "-- uses the directory.\n");
    int32_t count;
    TableDef **defs = sql_catalog_list(s->catalog, &count);
    for (int32_t i = 0; i < count; i++) {
        if (defs[i]->is_temporary) continue;
        wb_buf_putc(&buf, '\n');
        sql_catalog_format_def(defs[i], &buf);
        wb_buf_puts(&buf, ";\n");
    }
    *len = buf.len;
    wb_buf_cstr(&buf);
    return buf.data;
}

/* Writes the catalog file atomically: a temporary file, fsync, rename
 * over the old one, fsync of the directory. */
static int write_catalog(Session *s, const char *text, size_t len, WbError *err)
{
    char *tmp = path_join(s->data_dir, "catalog.sql.tmp");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *failed = NULL;
    if (fd < 0) {
        failed = "create";
    } else {
        for (size_t done = 0; done < len && !failed;) {
            ssize_t n = write(fd, text + done, len - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) failed = "write";
            else done += (size_t)n;
        }
        if (!failed && fsync(fd) != 0) failed = "sync";
        if (close(fd) != 0 && !failed) failed = "close";
        if (!failed && rename(tmp, s->catalog_path) != 0) failed = "rename";
    }
    if (failed) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not %s \"%s\": %s", failed,
                 strcmp(failed, "rename") == 0 ? s->catalog_path : tmp, strerror(errno));
        if (fd >= 0) unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    int dfd = open(s->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        /* the rename is durable once the directory is */
        if (fsync(dfd) != 0) {
            wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not sync the data directory \"%s\": %s",
                     s->data_dir, strerror(errno));
            close(dfd);
            return -1;
        }
        close(dfd);
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Removes a directory and everything in it (symbolic links are removed,
 * not followed); a missing one is no error. */
static int remove_tree(const char *path, WbError *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT) return 0;
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not remove \"%s\": %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Which object a DDL statement names, and whether it is temporary. */
static bool ddl_is_temporary(Session *s, const AstNode *node)
{
    switch (node->kind) {
    case AST_CREATE_TABLE: return node->create_table.temporary;
    case AST_CREATE_VIEW: return node->create_view.temporary;
    case AST_ALTER_TABLE: return sql_catalog_find_kind(s->catalog, node->alter.name, true) != NULL;
    default:
        /* DROP TABLE x drops the temporary x when there is one */
        return node->drop.temporary || sql_catalog_find_kind(s->catalog, node->drop.name, true);
    }
}

static const char *ddl_name(const AstNode *node)
{
    return node->kind == AST_CREATE_TABLE  ? node->create_table.name
           : node->kind == AST_CREATE_VIEW ? node->create_view.name
           : node->kind == AST_ALTER_TABLE ? node->alter.name
                                           : node->drop.name;
}

/* Creates the data directory (not its parents) if it is missing. */
static int make_data_dir(Session *s, WbError *err)
{
    if (mkdir(s->data_dir, 0755) == 0 || errno == EEXIST) return 0;
    wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not create the data directory \"%s\": %s",
             s->data_dir, strerror(errno));
    return -1;
}

static int lock_catalog(Session *s, WbError *err)
{
    char *path = path_join(s->data_dir, "LOCK");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not open the lock \"%s\": %s", path,
                 strerror(errno));
        free(path);
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not lock \"%s\": %s", path, strerror(errno));
        close(fd);
        free(path);
        return -1;
    }
    free(path);
    return fd;
}

int ses_datadir_ddl(Session *s, const SqlStatement *stmt, const SesHandler *h, WbError *err)
{
    const AstNode *node = stmt->node;
    /* temporary objects, and every object without a data directory, are
     * the session's alone */
    if (!s->data_dir || ddl_is_temporary(s, node)) {
        /* a temporary view may read permanent objects: see them as they are */
        if (ses_datadir_refresh(s, err) != 0) return -1;
        return sql_execute_ddl(s->catalog, node, stmt->text, err);
    }
    struct stat st;
    bool dir_exists = stat(s->data_dir, &st) == 0;
    if (!dir_exists) {
        /* nothing on disk yet: a DROP has nothing to drop there, and a
         * CREATE that fails must not create the directory */
        if (ses_datadir_refresh(s, err) != 0) return -1;
        if (node->kind == AST_DROP || node->kind == AST_ALTER_TABLE)
            return sql_execute_ddl(s->catalog, node, stmt->text, err);
        int32_t before;
        sql_catalog_list(s->catalog, &before);
        if (sql_execute_ddl(s->catalog, node, stmt->text, err) != 0) return -1;
        int32_t after;
        TableDef **defs = sql_catalog_list(s->catalog, &after);
        if (after == before) return 0;   /* IF NOT EXISTS over an existing one */
        sql_catalog_drop(s->catalog, defs[after - 1]);   /* done again below, under the lock */
        if (make_data_dir(s, err) != 0) return -1;
    }
    int lock = lock_catalog(s, err);
    if (lock < 0) return -1;
    int rc = -1;
    char *old_text = NULL, *new_text = NULL;
    size_t old_len = 0, new_len = 0;
    /* what other processes did since the session last looked */
    if (read_catalog(s, &old_text, &old_len, err) != 0) goto out;
    if (load_if_changed(s, old_text, old_len, err) != 0) {
        old_text = NULL;
        goto out;
    }
    old_text = NULL;   /* now s->catalog_text */
    TableDef *before = sql_catalog_find_kind(s->catalog, ddl_name(node), false);
    if (sql_execute_ddl(s->catalog, node, stmt->text, err) != 0) goto out;
    TableDef *after = sql_catalog_find_kind(s->catalog, ddl_name(node), false);
    TableDef *dropped = node->kind == AST_DROP && after != before ? before : NULL;
    /* ALTER TABLE .. RENAME TO: the stored table's directory follows its
     * name, moved once the catalog names the new one */
    const char *moved_from = NULL, *moved_to = NULL;
    if (node->kind == AST_ALTER_TABLE && node->alter.action == AALT_RENAME_TABLE && before &&
        before->store_dir) {
        TableDef *renamed = sql_catalog_find_kind(s->catalog, node->alter.new_name, false);
        if (renamed && renamed->store_dir) {
            moved_from = before->store_dir;
            moved_to = renamed->store_dir;
        }
    }
    /* ALTER TABLE of a stored table: its stored schema follows (a new
     * version, before the catalog names the new definition) */
    if (node->kind == AST_ALTER_TABLE && node->alter.action != AALT_RENAME_TABLE && after &&
        after->store_dir) {
        bool rename_col = node->alter.action == AALT_RENAME_COLUMN;
        if (cn_store_alter(after, rename_col ? node->alter.old_name : NULL,
                           rename_col ? node->alter.new_name : NULL, err) != 0)
            goto undo;
    }
    if (node->kind == AST_CREATE_TABLE && after && after != before && after->store_dir) {
        /* A directory left by a DROP that stopped between the catalog's
         * rewrite and the removal is not this new table's: a new table
         * starts empty. */
        if (remove_tree(after->store_dir, err) != 0) goto undo;
    }
    new_text = format_catalog(s, &new_len);
    if (!same_text(s, new_text, new_len)) {
        if (write_catalog(s, new_text, new_len, err) != 0) goto undo;
        remember(s, new_text, new_len);
        new_text = NULL;
    }
    rc = 0;
    if (moved_from && rename(moved_from, moved_to) != 0 && errno != ENOENT && h->warning) {
        char message[700];
        snprintf(message, sizeof message, "table \"%s\" was renamed, but its files could not move "
                 "from \"%s\": %s", node->alter.new_name, moved_from, strerror(errno));
        h->warning(h->ctx, node->line, node->column, message);
    }
    if (dropped && dropped->store_dir) {
        WbError rm_err;
        wb_error_clear(&rm_err);
        if (remove_tree(dropped->store_dir, &rm_err) != 0 && h->warning) {
            char message[700];
            snprintf(message, sizeof message, "table \"%s\" was dropped, but %s", dropped->name,
                     rm_err.message);
            h->warning(h->ctx, node->line, node->column, message);
        }
    }
    goto out;
undo: {
        /* the file was not changed: the catalog goes back to it */
        WbError ignored;
        wb_error_clear(&ignored);
        load_catalog(s, s->catalog_text, s->catalog_len, &ignored);
    }
out:
    free(old_text);
    free(new_text);
    close(lock);   /* releases the lock */
    return rc;
}
