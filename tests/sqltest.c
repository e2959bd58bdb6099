/* sqltest: runs the SQL cases of tests/sql/ against a weir binary in batch and
 * streaming mode (several input splits) and checks the results against the
 * expected CSV and, independently, against SQLite.  Uses no weir code. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { RUN_TIMEOUT_MS = 20000, MAX_DIFF_LINES = 6 };

/* ---------------------------------------------------------------- strings */

/* A growable NUL-terminated string; the harness is a test tool, so it simply
 * exits when memory runs out. */
typedef struct Str {
    char *ptr;
    size_t len, cap;
} Str;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "sqltest: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

static void str_add(Str *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        s->cap = (s->len + n + 1) * 2;
        s->ptr = xrealloc(s->ptr, s->cap);
    }
    memcpy(s->ptr + s->len, p, n);
    s->len += n;
    s->ptr[s->len] = 0;
}

static void str_puts(Str *s, const char *p) { str_add(s, p, strlen(p)); }

static void str_printf(Str *s, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof buf) {
        str_add(s, buf, (size_t)n);
        return;
    }
    char *big = xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    str_add(s, big, (size_t)n);
    free(big);
}

static const char *str_c(const Str *s) { return s->ptr ? s->ptr : ""; }

/* A list of owned strings. */
typedef struct Lines {
    char **item;
    int count, cap;
} Lines;

static void lines_push(Lines *l, const char *s)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->item = xrealloc(l->item, (size_t)l->cap * sizeof *l->item);
    }
    l->item[l->count++] = xstrdup(s);
}

static void lines_free(Lines *l)
{
    for (int i = 0; i < l->count; i++) free(l->item[i]);
    free(l->item);
    memset(l, 0, sizeof *l);
}

/* Splits text into lines (a trailing newline does not make an empty line;
 * a trailing '\r' is dropped so that CRLF output compares equal). */
static void lines_split(Lines *out, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xrealloc(NULL, n + 1);
        memcpy(line, p, n);
        line[n] = 0;
        if (n && line[n - 1] == '\r') line[n - 1] = 0;
        lines_push(out, line);
        free(line);
        p += n;
        if (*p == '\n') p++;
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    Str s = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) str_add(&s, buf, n);
    fclose(f);
    if (!s.ptr) str_add(&s, "", 0);
    return s.ptr;
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* Replaces every ${DIR} in text by dir; the result is owned by the caller. */
static char *subst_dir(const char *text, const char *dir)
{
    Str s = {0};
    str_add(&s, "", 0);
    for (const char *p = text; *p;) {
        const char *hit = strstr(p, "${DIR}");
        if (!hit) {
            str_puts(&s, p);
            break;
        }
        str_add(&s, p, (size_t)(hit - p));
        str_puts(&s, dir);
        p = hit + 6;
    }
    return s.ptr;
}

/* ------------------------------------------------------------- case file */

typedef struct TableSpec {
    char *name;
    char *columns;  /* the text between the parentheses, as written */
    char *data;     /* the data lines, each ending in '\n' */
} TableSpec;

typedef struct FileSpec {
    char *name;
    char *data;
} FileSpec;

typedef struct Case {
    const char *path;
    TableSpec tables[16];
    int ntables;
    FileSpec files[16];
    int nfiles;
    Str sql, query, expect, oracle, changelog;
    int sql_first_line, query_first_line;  /* line in the case file */
    bool has_query, has_expect, expect_ordered, expect_any, has_oracle, no_oracle, has_changelog;
    bool changelog_every_split;            /* --- changelog every-split */
    char *error_substr;                    /* NULL unless an error case */
    char *error_at;                        /* "L:C", "sql:L:C" or "file:NAME:L" */
    bool run_batch, run_streaming;
} Case;

static void case_free(Case *c)
{
    for (int i = 0; i < c->ntables; i++) {
        free(c->tables[i].name);
        free(c->tables[i].columns);
        free(c->tables[i].data);
    }
    for (int i = 0; i < c->nfiles; i++) {
        free(c->files[i].name);
        free(c->files[i].data);
    }
    free(c->sql.ptr);
    free(c->query.ptr);
    free(c->expect.ptr);
    free(c->oracle.ptr);
    free(c->changelog.ptr);
    free(c->error_substr);
    free(c->error_at);
}

static char *trim_dup(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* Drops trailing empty lines of a section body: a blank line between
 * sections is layout, not data. */
static void trim_trailing_blank(Str *s)
{
    if (!s->ptr) return;
    while (s->len >= 2 && s->ptr[s->len - 1] == '\n' && s->ptr[s->len - 2] == '\n')
        s->ptr[--s->len] = 0;
    if (s->len == 1 && s->ptr[0] == '\n') s->ptr[--s->len] = 0;
}

/* Parses a case file; on a format error fills err and returns false. */
static bool case_parse(Case *c, const char *path, const char *text, Str *err)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->run_batch = c->run_streaming = true;
    Lines lines = {0};
    lines_split(&lines, text);
    Str *body = NULL;   /* section receiving lines */
    Str table_data = {0};
    int table_idx = -1, file_idx = -1;
    bool ok = true;
    for (int ln = 0; ln < lines.count && ok; ln++) {
        const char *line = lines.item[ln];
        if (strncmp(line, "--- ", 4) != 0) {
            if (table_idx >= 0 || file_idx >= 0) {
                str_puts(&table_data, line);
                str_puts(&table_data, "\n");
            } else if (body) {
                str_puts(body, line);
                str_puts(body, "\n");
            } else if (line[0] != '#' && line[0] != 0) {
                str_printf(err, "%s:%d: text outside a section", path, ln + 1);
                ok = false;
            }
            continue;
        }
        /* a new section: close the open table/file section */
        if (table_idx >= 0 || file_idx >= 0) {
            trim_trailing_blank(&table_data);
            char *data = table_data.ptr ? table_data.ptr : xstrdup("");
            if (table_idx >= 0) c->tables[table_idx].data = data;
            else c->files[file_idx].data = data;
            memset(&table_data, 0, sizeof table_data);
            table_idx = file_idx = -1;
        }
        body = NULL;
        const char *rest = line + 4;
        char kind[32] = {0};
        size_t kn = 0;
        while (rest[kn] && !isspace((unsigned char)rest[kn]) && rest[kn] != '(' && kn < 31) kn++;
        memcpy(kind, rest, kn);
        char *arg = trim_dup(rest + kn);
        if (!strcmp(kind, "table")) {
            /* name(col TYPE, ...) */
            char *open = strchr(arg, '(');
            char *close = strrchr(arg, ')');
            if (!open || !close || close < open || c->ntables == 16) {
                str_printf(err, "%s:%d: bad table header", path, ln + 1);
                ok = false;
            } else {
                TableSpec *t = &c->tables[c->ntables];
                *open = 0;
                *close = 0;
                t->name = trim_dup(arg);
                t->columns = trim_dup(open + 1);
                table_idx = c->ntables++;
                str_add(&table_data, "", 0);
            }
        } else if (!strcmp(kind, "file")) {
            if (!arg[0] || c->nfiles == 16) {
                str_printf(err, "%s:%d: bad file header", path, ln + 1);
                ok = false;
            } else {
                c->files[c->nfiles].name = xstrdup(arg);
                file_idx = c->nfiles++;
                str_add(&table_data, "", 0);
            }
        } else if (!strcmp(kind, "sql")) {
            body = &c->sql;
            c->sql_first_line = ln + 2;
        } else if (!strcmp(kind, "query")) {
            body = &c->query;
            c->has_query = true;
            c->query_first_line = ln + 2;
        } else if (!strcmp(kind, "expect")) {
            body = &c->expect;
            c->has_expect = true;
            c->expect_ordered = !strcmp(arg, "ordered");
            c->expect_any = !strcmp(arg, "any");
            str_add(&c->expect, "", 0);
        } else if (!strcmp(kind, "oracle")) {
            body = &c->oracle;
            c->has_oracle = true;
        } else if (!strcmp(kind, "no-oracle")) {
            c->no_oracle = true;
        } else if (!strcmp(kind, "error")) {
            c->error_substr = xstrdup(arg);
        } else if (!strcmp(kind, "error-at")) {
            c->error_at = xstrdup(arg);
        } else if (!strcmp(kind, "changelog")) {
            body = &c->changelog;
            c->has_changelog = true;
            c->changelog_every_split = !strcmp(arg, "every-split");
            str_add(&c->changelog, "", 0);
        } else if (!strcmp(kind, "modes")) {
            c->run_batch = strstr(arg, "batch") != NULL;
            c->run_streaming = strstr(arg, "streaming") != NULL;
        } else {
            str_printf(err, "%s:%d: unknown section '%s'", path, ln + 1, kind);
            ok = false;
        }
        free(arg);
    }
    if (ok && (table_idx >= 0 || file_idx >= 0)) {
        trim_trailing_blank(&table_data);
        char *data = table_data.ptr ? table_data.ptr : xstrdup("");
        if (table_idx >= 0) c->tables[table_idx].data = data;
        else c->files[file_idx].data = data;
        table_data.ptr = NULL;
    }
    free(table_data.ptr);
    lines_free(&lines);
    trim_trailing_blank(&c->sql);
    trim_trailing_blank(&c->query);
    trim_trailing_blank(&c->expect);
    trim_trailing_blank(&c->oracle);
    trim_trailing_blank(&c->changelog);
    if (ok && !c->has_query) {
        str_printf(err, "%s: no --- query section", path);
        ok = false;
    }
    if (ok && c->error_substr && c->has_expect) {
        str_printf(err, "%s: both --- error and --- expect", path);
        ok = false;
    }
    if (ok && !c->error_substr && !c->has_expect && !c->has_changelog) {
        str_printf(err, "%s: needs --- expect, --- error or --- changelog", path);
        ok = false;
    }
    return ok;
}

/* ------------------------------------------------------------ temp files */

static char *g_tmp_root;
static bool g_keep;
static bool g_oracle_only;

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            Str sub = {0};
            str_printf(&sub, "%s/%s", path, e->d_name);
            remove_tree(sub.ptr);
            free(sub.ptr);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Writes the case's inputs and script into a fresh dir; returns the script
 * path (owned) and sets *query_offset to the script line of the query's
 * first line minus one, *sql_offset likewise for the sql section. */
static char *case_materialize(const Case *c, const char *dir, int *sql_offset, int *query_offset)
{
    remove_tree(dir);
    if (mkdir(dir, 0700) != 0) return NULL;
    Str script = {0};
    str_add(&script, "", 0);
    int line_no = 0;
    for (int i = 0; i < c->ntables; i++) {
        const TableSpec *t = &c->tables[i];
        Str p = {0};
        str_printf(&p, "%s/%s.csv", dir, t->name);
        if (!write_file(p.ptr, t->data)) {
            free(p.ptr);
            free(script.ptr);
            return NULL;
        }
        str_printf(&script,
                   "CREATE TABLE %s (%s) WITH ('connector' = 'filesystem', 'path' = '%s', "
                   "'format' = 'csv');\n",
                   t->name, t->columns, p.ptr);
        line_no++;
        free(p.ptr);
    }
    for (int i = 0; i < c->nfiles; i++) {
        Str p = {0};
        str_printf(&p, "%s/%s", dir, c->files[i].name);
        /* a file in a subfolder (a directory input): create the folders */
        for (char *slash = strchr(p.ptr + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = 0;
            mkdir(p.ptr, 0700);
            *slash = '/';
        }
        char *data = subst_dir(c->files[i].data, dir);
        bool ok = write_file(p.ptr, data);
        free(data);
        free(p.ptr);
        if (!ok) {
            free(script.ptr);
            return NULL;
        }
    }
    *sql_offset = line_no;
    if (c->sql.len) {
        char *s = subst_dir(c->sql.ptr, dir);
        str_puts(&script, s);
        free(s);
        if (script.ptr[script.len - 1] != '\n') str_puts(&script, "\n");
        for (const char *q = c->sql.ptr; *q; q++) line_no += *q == '\n';
        if (c->sql.ptr[c->sql.len - 1] != '\n') line_no++;
    }
    *query_offset = line_no;
    char *q = subst_dir(str_c(&c->query), dir);
    str_puts(&script, q);
    free(q);
    str_puts(&script, "\n");
    Str path = {0};
    str_printf(&path, "%s/case.sql", dir);
    bool ok = write_file(path.ptr, script.ptr);
    free(script.ptr);
    if (!ok) {
        free(path.ptr);
        return NULL;
    }
    return path.ptr;
}

/* ------------------------------------------------------------ running weir */

typedef struct RunResult {
    int status;         /* exit status; -1 killed by signal or timeout */
    bool timed_out;
    char *out, *err;
} RunResult;

static void run_free(RunResult *r)
{
    free(r->out);
    free(r->err);
}

/* Runs `weir run ...` (argv[1] is "run") with a data directory of its own,
 * made fresh for the run and removed after it, so that no run sees the
 * catalog of another and nothing is left behind. */
static RunResult run_weir(char *const argv_in[], const char *dir)
{
    RunResult r = {.status = -1};
    Str out_path = {0}, err_path = {0}, data = {0};
    str_printf(&out_path, "%s/.stdout", dir);
    str_printf(&err_path, "%s/.stderr", dir);
    str_printf(&data, "%s/.data.XXXXXX", dir);
    if (!mkdtemp(data.ptr)) {
        r.out = xstrdup("");
        r.err = xstrdup("sqltest: cannot make a data directory");
        free(out_path.ptr);
        free(err_path.ptr);
        free(data.ptr);
        return r;
    }
    char *argv[40];
    int ac = 0;
    argv[ac++] = argv_in[0];
    argv[ac++] = argv_in[1];
    argv[ac++] = "--data";
    argv[ac++] = data.ptr;
    for (int i = 2; argv_in[i] && ac < 39; i++) argv[ac++] = argv_in[i];
    argv[ac] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(out_path.ptr, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err_path.ptr, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0) _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        setpgid(0, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0) {
        int status = 0;
        int waited_ms = 0;
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) break;
            if (w < 0 && errno != EINTR) break;
            if (waited_ms >= RUN_TIMEOUT_MS) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                r.timed_out = true;
                break;
            }
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            waited_ms += 5;
        }
        if (!r.timed_out && WIFEXITED(status)) r.status = WEXITSTATUS(status);
    }
    r.out = read_file(out_path.ptr);
    r.err = read_file(err_path.ptr);
    if (!r.out) r.out = xstrdup("");
    if (!r.err) r.err = xstrdup("");
    unlink(out_path.ptr);
    unlink(err_path.ptr);
    remove_tree(data.ptr);
    free(out_path.ptr);
    free(err_path.ptr);
    free(data.ptr);
    return r;
}

/* ---------------------------------------------------- changelog pairing */

/* The upsert key of a query's output, as weir's EXPLAIN states it on the
 * plan's root line ("... [upsert key=[0, 2]]").  nkey = -1: no key (the
 * root is insert-only or retract, or EXPLAIN failed). */
typedef struct UpsertKey {
    int nkey;
    int cols[16];
} UpsertKey;

static UpsertKey parse_upsert_key(const char *explain)
{
    UpsertKey key = {.nkey = -1};
    const char *root = strstr(explain, "== Physical Plan ==\n");
    if (!root) return key;
    root += strlen("== Physical Plan ==\n");
    const char *eol = strchr(root, '\n');
    size_t len = eol ? (size_t)(eol - root) : strlen(root);
    const char *mark = "[upsert key=[";
    const char *at = NULL;
    for (const char *p = root; p + strlen(mark) <= root + len; p++)
        if (!strncmp(p, mark, strlen(mark))) at = p + strlen(mark);   /* the last one */
    if (!at) return key;
    key.nkey = 0;
    while (*at != ']' && key.nkey < 16) {
        char *end;
        long col = strtol(at, &end, 10);
        if (end == at) return (UpsertKey){.nkey = -1};
        key.cols[key.nkey++] = (int)col;
        at = end;
        while (*at == ',' || *at == ' ') at++;
    }
    return key;
}

/* One line of --format changelog or print-sink output: "[id> ]K[v, v, ...]"
 * with K one of +I -U +U -D.  The values are split at ", " (a key column
 * after a string holding ", " is misread; no case has one). */
typedef struct ChangeLine {
    char kind[3];
    char prefix[64];
    Lines values;
} ChangeLine;

static bool parse_change(const char *line, ChangeLine *out)
{
    memset(out, 0, sizeof *out);
    const char *p = line;
    const char *gt = strstr(line, "> ");
    if (gt && (size_t)(gt - line) < sizeof out->prefix && !strchr("+-", line[0])) {
        memcpy(out->prefix, line, (size_t)(gt - line));
        p = gt + 2;
    }
    if (strlen(p) < 4 || !strchr("+-", p[0]) || !strchr("IUD", p[1]) || p[2] != '[') return false;
    size_t n = strlen(p);
    if (p[n - 1] != ']') return false;
    out->kind[0] = p[0];
    out->kind[1] = p[1];
    char *body = xrealloc(NULL, n - 3);
    memcpy(body, p + 3, n - 4);
    body[n - 4] = 0;
    for (char *s = body;;) {
        char *sep = strstr(s, ", ");
        if (sep) *sep = 0;
        lines_push(&out->values, s);
        if (!sep) break;
        s = sep + 2;
    }
    free(body);
    return true;
}

static bool same_key(const ChangeLine *a, const ChangeLine *b, const UpsertKey *key)
{
    if (strcmp(a->prefix, b->prefix) != 0) return false;
    for (int i = 0; i < key->nkey; i++) {
        int col = key->cols[i];
        if (a->values.count != b->values.count) return false;
        if (col >= a->values.count) continue;   /* a key column the output does not show */
        if (strcmp(a->values.item[col], b->values.item[col]) != 0) return false;
    }
    return true;
}

/* When the output has an upsert key, an update of a key is a -U line
 * immediately followed by the +U line of the same key: every -U has its
 * +U right after it and every +U its -U right before it.  Returns false
 * with the offending line in why. */
static bool check_update_pairs(const char *changelog, const UpsertKey *key, Str *why)
{
    if (key->nkey < 0) return true;
    Lines lines = {0};
    lines_split(&lines, changelog);
    ChangeLine *parsed = xrealloc(NULL, sizeof(ChangeLine) * (size_t)(lines.count ? lines.count : 1));
    bool ok = true;
    for (int i = 0; i < lines.count; i++) {
        if (!parse_change(lines.item[i], &parsed[i])) parsed[i].kind[0] = 0;   /* not a change */
    }
    for (int i = 0; i < lines.count && ok; i++) {
        if (!strcmp(parsed[i].kind, "-U")) {
            if (i + 1 >= lines.count || strcmp(parsed[i + 1].kind, "+U") != 0 ||
                !same_key(&parsed[i], &parsed[i + 1], key)) {
                str_printf(why, "line %d: '%s' is not followed by a +U of the same upsert key", i + 1,
                           lines.item[i]);
                ok = false;
            }
            i++;   /* its +U */
        } else if (!strcmp(parsed[i].kind, "+U")) {
            str_printf(why, "line %d: '%s' does not follow a -U of the same upsert key", i + 1,
                       lines.item[i]);
            ok = false;
        }
    }
    for (int i = 0; i < lines.count; i++) lines_free(&parsed[i].values);
    free(parsed);
    lines_free(&lines);
    return ok;
}

/* ------------------------------------------------------------- reporting */

static int g_passed, g_failed;
/* the summary's breakdown: runs per mode (the labels of run_case's table)
 * and oracle checks; g_passed / g_failed count both */
enum { MAX_RUN_KINDS = 8 };
static const char *g_run_label[MAX_RUN_KINDS];
static int g_run_count[MAX_RUN_KINDS];
static int g_oracle_passed, g_oracle_failed;

static void print_indented(const char *label, const char *text, int max_lines)
{
    Lines l = {0};
    lines_split(&l, text);
    for (int i = 0; i < l.count && i < max_lines; i++) printf("    %s%s\n", label, l.item[i]);
    if (l.count > max_lines) printf("    %s... (%d more lines)\n", label, l.count - max_lines);
    lines_free(&l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compares expected and actual lines (multisets unless ordered; the first
 * line, the header, always compared in place); prints a short diff into
 * diff.  Returns true when equal. */
static bool compare_lines(const char *expected, const char *actual, bool ordered, Str *diff)
{
    Lines e = {0}, a = {0};
    lines_split(&e, expected);
    lines_split(&a, actual);
    bool equal = true;
    int shown = 0;
    if (ordered) {
        int n = e.count > a.count ? e.count : a.count;
        for (int i = 0; i < n; i++) {
            const char *el = i < e.count ? e.item[i] : NULL;
            const char *al = i < a.count ? a.item[i] : NULL;
            if (el && al && !strcmp(el, al)) continue;
            equal = false;
            if (shown++ < MAX_DIFF_LINES)
                str_printf(diff, "    line %d: expected %s%s%s, got %s%s%s\n", i + 1,
                           el ? "'" : "", el ? el : "(none)", el ? "'" : "", al ? "'" : "",
                           al ? al : "(none)", al ? "'" : "");
        }
    } else {
        if (e.count == 0 || a.count == 0 || strcmp(e.item[0], a.item[0]) != 0) {
            equal = false;
            shown++;
            str_printf(diff, "    header: expected '%s', got '%s'\n", e.count ? e.item[0] : "(none)",
                       a.count ? a.item[0] : "(none)");
        }
        int ne = e.count > 1 ? e.count - 1 : 0, na = a.count > 1 ? a.count - 1 : 0;
        char **es = e.item ? e.item + 1 : NULL, **as = a.item ? a.item + 1 : NULL;
        if (ne) qsort(es, (size_t)ne, sizeof *es, cmp_str);
        if (na) qsort(as, (size_t)na, sizeof *as, cmp_str);
        int i = 0, j = 0;
        while (i < ne || j < na) {
            int c = i >= ne ? 1 : j >= na ? -1 : strcmp(es[i], as[j]);
            if (c == 0) {
                i++;
                j++;
                continue;
            }
            equal = false;
            if (c < 0) {
                if (shown++ < MAX_DIFF_LINES) str_printf(diff, "    missing: %s\n", es[i]);
                i++;
            } else {
                if (shown++ < MAX_DIFF_LINES) str_printf(diff, "    extra:   %s\n", as[j]);
                j++;
            }
        }
    }
    if (shown > MAX_DIFF_LINES) str_printf(diff, "    ... (%d differences)\n", shown);
    lines_free(&e);
    lines_free(&a);
    return equal;
}

/* Shell-style quoting for the reproduce line. */
static void append_command(Str *s, char *const argv[])
{
    for (int i = 0; argv[i]; i++) {
        bool plain = argv[i][0] != 0;
        for (const char *p = argv[i]; *p; p++)
            if (!isalnum((unsigned char)*p) && !strchr("-_./=:,", *p)) plain = false;
        if (i) str_puts(s, " ");
        if (plain) str_puts(s, argv[i]);
        else {
            str_puts(s, "'");
            for (const char *p = argv[i]; *p; p++) {
                if (*p == '\'') str_puts(s, "'\\''");
                else str_add(s, p, 1);
            }
            str_puts(s, "'");
        }
    }
}

static void report_fail(const Case *c, const char *mode, const char *why, const char *diff,
                        char *const argv[], const RunResult *r)
{
    g_failed++;
    printf("FAIL %s [%s]: %s\n", c->path, mode, why);
    if (diff && diff[0]) fputs(diff, stdout);
    if (r && r->err[0] && (!c->error_substr || r->status != 1)) print_indented("stderr: ", r->err, 4);
    if (argv) {
        Str cmd = {0};
        append_command(&cmd, argv);
        printf("    repro: %s%s\n", str_c(&cmd),
               g_keep ? "" : "   (SQLTEST_KEEP=1 keeps the temp dir)");
        free(cmd.ptr);
    }
}

/* -------------------------------------------------------- error checking */

/* Checks that stderr's first line is FILE:LINE:COL: error: MSG with the
 * expected substring and, when asked, position. */
static bool check_error(const Case *c, const char *dir, int sql_offset, int query_offset,
                        const char *stderr_text, Str *why)
{
    char *first = xstrdup(stderr_text);
    char *nl = strchr(first, '\n');
    if (nl) *nl = 0;
    const char *marker = strstr(first, ": error: ");
    bool ok = true;
    char file[1024] = {0};
    long line = -1, col = -1;
    if (!marker) {
        str_printf(why, "stderr is not 'FILE:LINE:COL: error: MESSAGE': '%s'", first);
        ok = false;
    } else {
        /* FILE may contain ':' only in odd paths; parse LINE:COL from the end */
        const char *p = marker;
        const char *col_start = p;
        while (col_start > first && isdigit((unsigned char)col_start[-1])) col_start--;
        const char *line_end = col_start - 1;
        const char *line_start = line_end;
        while (line_start > first && isdigit((unsigned char)line_start[-1])) line_start--;
        if (col_start == p || line_end <= first || *line_end != ':' || line_start == line_end ||
            line_start <= first || line_start[-1] != ':') {
            str_printf(why, "stderr lacks FILE:LINE:COL: '%s'", first);
            ok = false;
        } else {
            line = strtol(line_start, NULL, 10);
            col = strtol(col_start, NULL, 10);
            size_t fn = (size_t)(line_start - 1 - first);
            if (fn >= sizeof file) fn = sizeof file - 1;
            memcpy(file, first, fn);
        }
        if (ok && c->error_substr[0] && !strcasestr(marker, c->error_substr)) {
            str_printf(why, "error message lacks '%s': '%s'", c->error_substr, first);
            ok = false;
        }
    }
    if (ok && c->error_at) {
        long want_line = 0, want_col = -1;
        const char *want_file = "case.sql";
        char name[256] = {0};
        if (!strncmp(c->error_at, "sql:", 4)) {
            sscanf(c->error_at + 4, "%ld:%ld", &want_line, &want_col);
            want_line += sql_offset;
        } else if (!strncmp(c->error_at, "file:", 5)) {
            const char *q = c->error_at + 5;
            const char *colon = strrchr(q, ':');
            size_t n = colon ? (size_t)(colon - q) : strlen(q);
            if (n >= sizeof name) n = sizeof name - 1;
            memcpy(name, q, n);
            want_file = name;
            want_line = colon ? strtol(colon + 1, NULL, 10) : 0;
        } else {
            sscanf(c->error_at, "%ld:%ld", &want_line, &want_col);
            want_line += query_offset;
        }
        Str want_path = {0};
        str_printf(&want_path, "%s/%s", dir, want_file);
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        bool file_ok = !strcmp(file, want_path.ptr) || !strcmp(base, want_file);
        if (!file_ok || line != want_line || (want_col >= 0 && col != want_col)) {
            str_printf(why, "error position: expected %s:%ld:%ld (%s), got '%s'", want_file,
                       want_line, want_col, c->error_at, first);
            ok = false;
        }
        free(want_path.ptr);
    }
    free(first);
    return ok;
}

/* ----------------------------------------------------------------- oracle */

/* Parses one CSV line into fields; *was_quoted tells an empty quoted field
 * (empty string) from an empty unquoted one (NULL). */
typedef struct Field {
    char *text;
    bool quoted;
} Field;

static int csv_parse_line(const char *line, Field *fields, int max_fields)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        Str f = {0};
        str_add(&f, "", 0);
        bool quoted = false;
        if (*p == '"') {
            quoted = true;
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    str_add(&f, "\"", 1);
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    str_add(&f, p++, 1);
                }
            }
            while (*p && *p != ',') str_add(&f, p++, 1);
        } else {
            while (*p && *p != ',') str_add(&f, p++, 1);
        }
        if (n < max_fields) {
            fields[n].text = f.ptr;
            fields[n].quoted = quoted;
            n++;
        } else {
            free(f.ptr);
        }
        if (*p != ',') break;
        p++;
    }
    return n;
}

static void fields_free(Field *fields, int n)
{
    for (int i = 0; i < n; i++) free(fields[i].text);
}

static bool parse_number(const char *s, double *out)
{
    if (!*s) return false;
    char *end = NULL;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end != 0) return false;
    /* "NaN"/"inf" spelled as words are left as text */
    if (isalpha((unsigned char)s[0]) || (s[0] == '-' && isalpha((unsigned char)s[1]))) return false;
    *out = d;
    return true;
}

/* The normalized form both sides are compared in: numbers by value (10
 * significant digits, which absorbs DECIMAL-vs-REAL rounding), TRUE/FALSE as
 * 1/0, timestamps without a zero fraction, NULL as a marker. */
static void norm_value(Str *out, const char *text, bool is_null)
{
    if (is_null) {
        str_puts(out, "\x01NULL");
        return;
    }
    double d;
    if (!strcmp(text, "TRUE") || !strcmp(text, "true")) {
        str_puts(out, "1");
        return;
    }
    if (!strcmp(text, "FALSE") || !strcmp(text, "false")) {
        str_puts(out, "0");
        return;
    }
    if (parse_number(text, &d)) {
        str_printf(out, "%.10g", d + 0.0);
        return;
    }
    size_t n = strlen(text);
    /* YYYY-MM-DD HH:MM:SS.000 -> YYYY-MM-DD HH:MM:SS; .120 -> .12 */
    if (n > 19 && text[4] == '-' && text[10] == ' ' && text[13] == ':' && text[19] == '.') {
        size_t end = n;
        while (end > 20 && text[end - 1] == '0') end--;
        if (end == 20) end = 19;
        str_add(out, text, end);
        return;
    }
    str_puts(out, text);
}

typedef struct Table2 {
    Lines rows;  /* normalized rows: fields joined by '\x02' */
} Table2;

static void weir_rows(const char *csv, Lines *rows)
{
    Lines l = {0};
    lines_split(&l, csv);
    for (int i = 1; i < l.count; i++) {  /* skip the header */
        Field f[256];
        int n = csv_parse_line(l.item[i], f, 256);
        Str row = {0};
        str_add(&row, "", 0);
        for (int k = 0; k < n; k++) {
            if (k) str_puts(&row, "\x02");
            norm_value(&row, f[k].text, !f[k].quoted && !f[k].text[0]);
        }
        lines_push(rows, row.ptr);
        free(row.ptr);
        fields_free(f, n);
    }
    lines_free(&l);
}

static const char *sqlite_affinity(const char *type)
{
    char up[128] = {0};
    size_t i = 0;
    while (type[i] && i < sizeof up - 1) {
        up[i] = (char)toupper((unsigned char)type[i]);
        i++;
    }
    if (strstr(up, "BIGINT") || strstr(up, "INT") || strstr(up, "BOOLEAN")) return "INTEGER";
    if (strstr(up, "DOUBLE") || strstr(up, "DECIMAL") || strstr(up, "NUMERIC") ||
        strstr(up, "FLOAT") || strstr(up, "REAL"))
        return "REAL";
    return "TEXT";
}

/* Splits "a INT, b DECIMAL(10,2)" at top-level commas into names and types. */
static int split_columns(const char *cols, char names[][128], char types[][128], int max)
{
    int n = 0, depth = 0;
    const char *start = cols;
    for (const char *p = cols;; p++) {
        if (*p == '(') depth++;
        if (*p == ')') depth--;
        if ((*p == ',' && depth == 0) || *p == 0) {
            if (n < max) {
                const char *q = start;
                while (isspace((unsigned char)*q)) q++;
                size_t k = 0;
                while (q[k] && !isspace((unsigned char)q[k]) && k < 127) k++;
                memcpy(names[n], q, k);
                names[n][k] = 0;
                q += k;
                while (isspace((unsigned char)*q)) q++;
                size_t tl = (size_t)(p - q);
                if (tl > 127) tl = 127;
                memcpy(types[n], q, tl);
                types[n][tl] = 0;
                n++;
            }
            if (*p == 0) break;
            start = p + 1;
        }
    }
    return n;
}

static bool oracle_load(sqlite3 *db, const Case *c, Str *why)
{
    for (int t = 0; t < c->ntables; t++) {
        const TableSpec *ts = &c->tables[t];
        char names[64][128], types[64][128];
        int ncols = split_columns(ts->columns, names, types, 64);
        Str ddl = {0}, ins = {0};
        str_printf(&ddl, "CREATE TABLE %s (", ts->name);
        str_printf(&ins, "INSERT INTO %s VALUES (", ts->name);
        for (int k = 0; k < ncols; k++) {
            str_printf(&ddl, "%s%s %s", k ? ", " : "", names[k], sqlite_affinity(types[k]));
            str_puts(&ins, k ? ", ?" : "?");
        }
        str_puts(&ddl, ")");
        str_puts(&ins, ")");
        char *msg = NULL;
        if (sqlite3_exec(db, ddl.ptr, NULL, NULL, &msg) != SQLITE_OK) {
            str_printf(why, "sqlite: %s: %s", ddl.ptr, msg);
            sqlite3_free(msg);
            free(ddl.ptr);
            free(ins.ptr);
            return false;
        }
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, ins.ptr, -1, &st, NULL);
        Lines rows = {0};
        lines_split(&rows, ts->data);
        for (int r = 0; r < rows.count; r++) {
            Field f[64];
            int n = csv_parse_line(rows.item[r], f, 64);
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            for (int k = 0; k < ncols && k < n; k++) {
                const char *aff = sqlite_affinity(types[k]);
                bool is_bool = strcasestr(types[k], "BOOLEAN") != NULL;
                if (!f[k].quoted && !f[k].text[0]) sqlite3_bind_null(st, k + 1);
                else if (is_bool) sqlite3_bind_int(st, k + 1, !strcasecmp(f[k].text, "true"));
                else if (!strcmp(aff, "TEXT")) sqlite3_bind_text(st, k + 1, f[k].text, -1, SQLITE_TRANSIENT);
                else sqlite3_bind_text(st, k + 1, f[k].text, -1, SQLITE_TRANSIENT); /* affinity converts */
            }
            sqlite3_step(st);
            fields_free(f, n);
        }
        sqlite3_finalize(st);
        lines_free(&rows);
        free(ddl.ptr);
        free(ins.ptr);
    }
    return true;
}

/* Runs the oracle statements; the last one's rows go to rows. */
static bool oracle_run(const Case *c, Lines *rows, Str *why)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        str_puts(why, "sqlite: cannot open");
        return false;
    }
    bool ok = oracle_load(db, c, why);
    Str text = {0};
    if (c->has_oracle) {
        str_puts(&text, str_c(&c->oracle));
    } else {
        str_puts(&text, str_c(&c->sql));
        str_puts(&text, "\n");
        str_puts(&text, str_c(&c->query));
    }
    const char *tail = str_c(&text);
    while (ok) {
        while (isspace((unsigned char)*tail) || *tail == ';') tail++;
        if (!*tail) break;
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &next) != SQLITE_OK) {
            str_printf(why, "sqlite: %s", sqlite3_errmsg(db));
            ok = false;
            break;
        }
        if (!st) break;
        /* a later statement replaces the rows of an earlier one */
        lines_free(rows);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            Str row = {0};
            str_add(&row, "", 0);
            int n = sqlite3_column_count(st);
            for (int k = 0; k < n; k++) {
                if (k) str_puts(&row, "\x02");
                int type = sqlite3_column_type(st, k);
                if (type == SQLITE_NULL) norm_value(&row, "", true);
                else if (type == SQLITE_INTEGER)
                    str_printf(&row, "%.10g", (double)sqlite3_column_int64(st, k) + 0.0);
                else if (type == SQLITE_FLOAT)
                    str_printf(&row, "%.10g", sqlite3_column_double(st, k) + 0.0);
                else norm_value(&row, (const char *)sqlite3_column_text(st, k), false);
            }
            lines_push(rows, row.ptr);
            free(row.ptr);
        }
        if (rc != SQLITE_DONE) {
            str_printf(why, "sqlite: %s", sqlite3_errmsg(db));
            ok = false;
        }
        sqlite3_finalize(st);
        tail = next;
    }
    free(text.ptr);
    sqlite3_close(db);
    return ok;
}

static void show_row(Str *s, const char *row)
{
    for (const char *p = row; *p; p++) {
        if (*p == '\x02') str_puts(s, ",");
        else if (*p == '\x01') str_puts(s, "");
        else str_add(s, p, 1);
    }
}

static bool compare_rows(Lines *expected, Lines *actual, Str *diff)
{
    if (expected->count) qsort(expected->item, (size_t)expected->count, sizeof(char *), cmp_str);
    if (actual->count) qsort(actual->item, (size_t)actual->count, sizeof(char *), cmp_str);
    int i = 0, j = 0, shown = 0;
    bool equal = true;
    while (i < expected->count || j < actual->count) {
        int c = i >= expected->count ? 1
              : j >= actual->count   ? -1
                                     : strcmp(expected->item[i], actual->item[j]);
        if (c == 0) {
            i++;
            j++;
            continue;
        }
        equal = false;
        if (shown++ < MAX_DIFF_LINES) {
            str_puts(diff, c < 0 ? "    sqlite only: " : "    weir only:   ");
            show_row(diff, c < 0 ? expected->item[i] : actual->item[j]);
            str_puts(diff, "\n");
        }
        if (c < 0) i++;
        else j++;
    }
    return equal;
}

/* ------------------------------------------------------------- one case */

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The upsert key of the case's query output: weir's own EXPLAIN of it,
 * run over the same tables and sql section. */
static UpsertKey query_upsert_key(const char *weir, const Case *c, const char *dir)
{
    UpsertKey key = {.nkey = -1};
    Case explain = *c;
    Str query = {0};
    str_printf(&query, "EXPLAIN %s", str_c(&c->query));
    explain.query = query;
    int sql_offset = 0, query_offset = 0;
    char *script = case_materialize(&explain, dir, &sql_offset, &query_offset);
    free(query.ptr);
    if (!script) return key;
    char *argv[] = {(char *)weir, "run", "--mode", "streaming", script, NULL};
    RunResult res = run_weir(argv, dir);
    if (res.status == 0) key = parse_upsert_key(res.out);
    run_free(&res);
    free(script);
    return key;
}

static void run_case(const char *weir, const Case *c, const char *dir)
{
    char seed[32];
    snprintf(seed, sizeof seed, "%u", name_hash(c->path) % 1000000u + 1u);
    struct {
        const char *label;
        const char *mode, *rows, *seed, *format;
        bool streaming;
    } runs[] = {
        {"batch", "batch", NULL, NULL, "csv", false},
        {"streaming rows=1", "streaming", "1", NULL, "csv", true},
        {"streaming rows=3", "streaming", "3", NULL, "csv", true},
        {"streaming rows<=5 seed", "streaming", "5", seed, "csv", true},
        {"changelog rows=1", "streaming", "1", NULL, "changelog", true},
        {"changelog rows=3", "streaming", "3", NULL, "changelog", true},
        {"changelog rows<=5 seed", "streaming", "5", seed, "changelog", true},
    };
    UpsertKey key = {.nkey = -1};
    if (c->has_changelog && !c->error_substr && !g_oracle_only && c->run_streaming)
        key = query_upsert_key(weir, c, dir);
    char *batch_out = NULL;
    /* SQLTEST_ORACLE_ONLY=1: check only the expectations against SQLite
     * (for writing cases before or without a working weir) */
    _Static_assert(sizeof runs / sizeof runs[0] <= MAX_RUN_KINDS, "g_run_count is too small");
    size_t nruns = g_oracle_only ? 0 : sizeof runs / sizeof runs[0];
    for (size_t r = 0; r < nruns; r++) {
        bool is_changelog = !strcmp(runs[r].format, "changelog");
        if (is_changelog && !c->has_changelog) continue;
        if (runs[r].streaming ? !c->run_streaming : !c->run_batch) continue;
        g_run_label[r] = runs[r].label;
        g_run_count[r]++;
        int sql_offset = 0, query_offset = 0;
        char *script = case_materialize(c, dir, &sql_offset, &query_offset);
        if (!script) {
            report_fail(c, runs[r].label, "cannot write the temp dir", NULL, NULL, NULL);
            continue;
        }
        char *argv[16];
        int ac = 0;
        argv[ac++] = (char *)weir;
        argv[ac++] = "run";
        argv[ac++] = "--mode";
        argv[ac++] = (char *)runs[r].mode;
        argv[ac++] = "--format";
        argv[ac++] = (char *)runs[r].format;
        if (runs[r].rows) {
            argv[ac++] = "--max-batch-rows";
            argv[ac++] = (char *)runs[r].rows;
        }
        if (runs[r].seed) {
            argv[ac++] = "--seed";
            argv[ac++] = (char *)runs[r].seed;
        }
        argv[ac++] = script;
        argv[ac] = NULL;
        RunResult res = run_weir(argv, dir);
        Str why = {0}, diff = {0};
        bool ok = true;
        if (res.timed_out) {
            str_printf(&why, "timed out after %d s", RUN_TIMEOUT_MS / 1000);
            ok = false;
        } else if (c->error_substr) {
            if (res.status != 1) {
                str_printf(&why, "expected exit 1 with an error, got exit %d", res.status);
                ok = false;
            } else {
                ok = check_error(c, dir, sql_offset, query_offset, res.err, &why);
            }
        } else if (res.status != 0) {
            str_printf(&why, "exit status %d", res.status);
            ok = false;
        } else if (is_changelog) {
            /* the exact lines at rows=1, and at every split if the case
             * says so; the update pairs of an upsert key at every split */
            bool exact = !strcmp(runs[r].rows, "1") || c->changelog_every_split;
            if (exact && !compare_lines(str_c(&c->changelog), res.out, true, &diff)) {
                str_puts(&why, "changelog differs");
                ok = false;
            } else if (!check_update_pairs(res.out, &key, &why)) {
                ok = false;
            }
        } else if (c->expect_any) {
            if (!res.out[0]) {
                str_puts(&why, "no output");
                ok = false;
            }
        } else if (c->has_expect) {
            if (!compare_lines(str_c(&c->expect), res.out, c->expect_ordered, &diff)) {
                str_puts(&why, "result differs");
                ok = false;
            }
        }
        if (ok) g_passed++;
        else report_fail(c, runs[r].label, str_c(&why), str_c(&diff), argv, &res);
        if (ok && !runs[r].streaming && !c->error_substr && !batch_out) batch_out = xstrdup(res.out);
        free(why.ptr);
        free(diff.ptr);
        run_free(&res);
        free(script);
    }
    /* the independent oracle, against weir's batch result (or the expected
     * output when batch mode is not run) */
    if (!c->no_oracle && !c->error_substr && c->has_expect && !c->expect_any) {
        const char *actual = batch_out ? batch_out : str_c(&c->expect);
        Lines want = {0}, got = {0};
        Str why = {0}, diff = {0};
        bool ok = oracle_run(c, &want, &why);
        if (ok) {
            weir_rows(actual, &got);
            if (!compare_rows(&want, &got, &diff)) {
                str_printf(&why, "SQLite disagrees with %s", batch_out ? "weir's batch result"
                                                                     : "the expected output");
                ok = false;
            }
        }
        if (ok) g_passed++;
        else report_fail(c, "oracle", str_c(&why), str_c(&diff), NULL, NULL);
        if (ok) g_oracle_passed++;
        else g_oracle_failed++;
        lines_free(&want);
        lines_free(&got);
        free(why.ptr);
        free(diff.ptr);
    }
    free(batch_out);
}

/* ------------------------------------------------------------------ main */

static void collect(const char *dir, Lines *out)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        Str p = {0};
        str_printf(&p, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p.ptr, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) collect(p.ptr, out);
            else if (p.len > 5 && !strcmp(p.ptr + p.len - 5, ".test")) lines_push(out, p.ptr);
        }
        free(p.ptr);
    }
    closedir(d);
}

/* `sqltest --oracle CASE`: prints SQLite's answer for a case as rows, to
 * help write expectations (always check them by reasoning too). */
static int print_oracle(const char *path)
{
    char *text = read_file(path);
    if (!text) {
        fprintf(stderr, "sqltest: cannot read %s\n", path);
        return 2;
    }
    Case c;
    Str err = {0};
    int rc = 0;
    if (!case_parse(&c, path, text, &err)) {
        fprintf(stderr, "sqltest: %s\n", err.ptr);
        rc = 2;
    } else {
        Lines rows = {0};
        Str why = {0};
        if (!oracle_run(&c, &rows, &why)) {
            fprintf(stderr, "%s\n", why.ptr);
            rc = 1;
        }
        for (int i = 0; i < rows.count; i++) {
            Str s = {0};
            str_add(&s, "", 0);
            show_row(&s, rows.item[i]);
            printf("%s\n", s.ptr);
            free(s.ptr);
        }
        lines_free(&rows);
        free(why.ptr);
    }
    case_free(&c);
    free(err.ptr);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--oracle")) return print_oracle(argv[2]);
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: sqltest WEIR_BINARY CASE_DIR [FILTER]\n"
                        "       sqltest --oracle CASE_FILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *weir = argv[1];
    const char *filter = argc == 4 ? argv[3] : NULL;
    char weir_abs[4096];
    bool oracle_only = getenv("SQLTEST_ORACLE_ONLY") && getenv("SQLTEST_ORACLE_ONLY")[0] == '1';
    if (!realpath(weir, weir_abs) && !oracle_only) {
        printf("FAIL %s: weir binary not found\n", weir);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    g_keep = getenv("SQLTEST_KEEP") && getenv("SQLTEST_KEEP")[0] == '1';
    g_oracle_only = getenv("SQLTEST_ORACLE_ONLY") && getenv("SQLTEST_ORACLE_ONLY")[0] == '1';
    const char *tmp = getenv("TMPDIR");
    Str root = {0};
    str_printf(&root, "%s/sqltest.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(root.ptr)) {
        printf("FAIL: cannot create a temp dir under %s\n", tmp && tmp[0] ? tmp : "/tmp");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    g_tmp_root = root.ptr;
    Lines files = {0};
    collect(argv[2], &files);
    if (files.count) qsort(files.item, (size_t)files.count, sizeof(char *), cmp_str);
    int ncases = 0;
    for (int i = 0; i < files.count; i++) {
        if (filter && !strstr(files.item[i], filter)) continue;
        char *text = read_file(files.item[i]);
        Case c;
        Str err = {0};
        if (!text || !case_parse(&c, files.item[i], text, &err)) {
            g_failed++;
            printf("FAIL %s: bad case file: %s\n", files.item[i], text ? err.ptr : "unreadable");
            if (text) case_free(&c);
        } else {
            Str dir = {0};
            str_printf(&dir, "%s/case%d", g_tmp_root, i);
            run_case(weir_abs, &c, dir.ptr);
            if (!g_keep) remove_tree(dir.ptr);
            free(dir.ptr);
            case_free(&c);
            ncases++;
        }
        free(err.ptr);
        free(text);
    }
    if (!g_keep) remove_tree(g_tmp_root);
    else printf("temp dirs kept under %s\n", g_tmp_root);
    /* the labelled breakdown, then the closing line run_all.sh reads; a bad
     * case file counts as one failed run */
    printf("SQL cases: %d; runs:", ncases);
    int nruns = 0;
    for (int r = 0; r < MAX_RUN_KINDS; r++) {
        if (!g_run_count[r]) continue;
        printf("%s %s %d", nruns ? "," : "", g_run_label[r], g_run_count[r]);
        nruns += g_run_count[r];
    }
    printf("%s\n", nruns ? "" : " none");
    printf("SQL case runs: %d passed, %d failed\n", g_passed - g_oracle_passed,
           g_failed - g_oracle_failed);
    printf("oracle checks: %d passed, %d failed\n", g_oracle_passed, g_oracle_failed);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    lines_free(&files);
    free(root.ptr);
    return g_failed ? 1 : 0;
}
