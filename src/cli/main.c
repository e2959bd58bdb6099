/*
 * main.c - the `weir` command: `weir run` executes a SQL script statement
 * by statement (DDL into the session catalog, queries and INSERTs as jobs).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/output.h"
#include "cli/progress.h"
#include "connect/connect.h"
#include "sql/parser.h"
#include "sql/planner.h"

#define WEIR_VERSION "0.1.0"

typedef struct Session {
    Catalog *catalog;
    const char *script_name;     /* for error positions */
    OutputFormat format;
    bool batch_mode;
    bool default_batch_mode;     /* --mode (or streaming): what RESET restores */
    int32_t max_batch_rows;
    bool have_seed;
    uint64_t seed;
    int64_t state_ttl_ms;
    WbClock clock;               /* SET 'weir.clock' / 'weir.clock.start' */
    bool early_fire;             /* table.exec.emit.early-fire.enabled */
    char *late_rows_path;        /* weir.late-rows.path */
    bool late_fire;              /* table.exec.emit.late-fire.enabled */
    int64_t late_fire_delay_ms;  /* table.exec.emit.late-fire.delay */
    int64_t allow_lateness_ms;   /* table.exec.emit.allow-lateness */
    int64_t early_fire_delay_ms; /* table.exec.emit.early-fire.delay */
    /* options set with SET, shown by a bare SET */
    int32_t noptions;
    char **keys;
    char **values;
} Session;

/* In batch mode aggregates and top-N emit only final rows, so the planner
 * lets any query into an append-only sink; an outer join that retracts a
 * padded row in batch mode is still caught by the sink at run time. */
static bool planning_batch_mode;

static bool sink_accepts_retractions(const TableDef *table)
{
    return planning_batch_mode || cn_sink_accepts_retractions(table);
}

/* SIGINT/SIGTERM: the first asks the running job to stop (runtime.h says
 * what that means for bounded and unbounded jobs), the second leaves now
 * (a filesystem sink's in-progress files are hidden, so nothing partial
 * becomes visible either way). */
static void on_stop_signal(int sig)
{
    if (rt_stop_requested) _exit(128 + sig);
    rt_stop_requested = sig;
}

static void print_error(const Session *s, const WbError *err, int stmt_line, int stmt_col)
{
    /* A data error is positioned in its data file; a SQL error in the
     * script (at the statement when the error has no position of its own). */
    const char *where = err->source[0] ? err->source : s->script_name;
    int line = err->line ? err->line : stmt_line;
    int col = err->line ? (err->column > 0 ? err->column : 1) : stmt_col;
    fprintf(stderr, "%s:%d:%d: error: %s\n", where, line, col,
            err->message[0] ? err->message : "unknown error");
    if (err->detail[0]) fprintf(stderr, "DETAIL: %s\n", err->detail);
    if (err->hint[0]) fprintf(stderr, "HINT: %s\n", err->hint);
    if (getenv("WEIR_DEBUG") && err->c_file)
        fprintf(stderr, "(SQLSTATE %s at %s:%d)\n", err->sqlstate, err->c_file, err->c_line);
}

/* The SET keys weir implements; every other key is remembered and listed by
 * a bare SET (Flink accepts arbitrary keys) but has no effect, so SET/RESET
 * of one warns on stderr naming it.  Keep docs/reference.md's SET section in
 * step with this table. */
static const char *const known_set_keys[] = {
    "execution.runtime-mode",
    "table.exec.state.ttl",
    "weir.clock",
    "weir.clock.start",
    "weir.late-rows.path",
    "table.local-time-zone",
    "table.exec.emit.early-fire.enabled",
    "table.exec.emit.early-fire.delay",
    "table.exec.emit.late-fire.enabled",
    "table.exec.emit.late-fire.delay",
    "table.exec.emit.allow-lateness",
};

static bool set_key_known(const char *key)
{
    for (size_t i = 0; i < WB_ARRAY_LEN(known_set_keys); i++)
        if (strcmp(known_set_keys[i], key) == 0) return true;
    return false;
}

static int do_set(Session *s, const AstNode *node, WbError *err)
{
    const char *key = node->set.key, *value = node->set.value;
    if (key && !set_key_known(key))
        fprintf(stderr, "%s:%d:%d: warning: unknown key '%s': weir does not use it "
                        "(it is accepted, as Flink accepts any key)\n",
                s->script_name, node->line, node->column, key);
    if (node->kind == AST_SET && !key) {
        const char *header[2] = {"key", "value"};
        const char **cells = wb_calloc((size_t)s->noptions * 2 + 1, sizeof(char *));
        for (int32_t i = 0; i < s->noptions; i++) {
            cells[i * 2] = s->keys[i];
            cells[i * 2 + 1] = s->values[i];
        }
        out_print_strings(stdout, s->format, 2, header, s->noptions, cells);
        free(cells);
        return 0;
    }
    if (node->kind == AST_RESET) {
        /* Flink's RESET: the key (or every key) goes back to the value the
         * session started with, and a bare SET no longer lists it. */
        if (!key || strcmp(key, "execution.runtime-mode") == 0)
            s->batch_mode = s->default_batch_mode;
        if (!key || strcmp(key, "table.exec.state.ttl") == 0) s->state_ttl_ms = 0;
        if (!key || strcmp(key, "weir.clock") == 0) s->clock.manual = false;
        if (!key || strcmp(key, "table.local-time-zone") == 0) wb_tz_set("UTC");
        if (!key || strcmp(key, "weir.late-rows.path") == 0) {
            free(s->late_rows_path);
            s->late_rows_path = NULL;
        }
        if (!key || strcmp(key, "table.exec.emit.early-fire.enabled") == 0) s->early_fire = false;
        if (!key || strcmp(key, "table.exec.emit.early-fire.delay") == 0) s->early_fire_delay_ms = 0;
        if (!key || strcmp(key, "table.exec.emit.late-fire.enabled") == 0) s->late_fire = false;
        if (!key || strcmp(key, "table.exec.emit.late-fire.delay") == 0) s->late_fire_delay_ms = 0;
        if (!key || strcmp(key, "table.exec.emit.allow-lateness") == 0) s->allow_lateness_ms = 0;
        if (!key || strcmp(key, "weir.clock.start") == 0) s->clock.manual_us = 0;
        int32_t kept = 0;
        for (int32_t i = 0; i < s->noptions; i++) {
            if (!key || strcmp(s->keys[i], key) == 0) {
                free(s->keys[i]);
                free(s->values[i]);
                continue;
            }
            s->keys[kept] = s->keys[i];
            s->values[kept++] = s->values[i];
        }
        s->noptions = kept;
        return 0;
    }
    if (strcmp(key, "execution.runtime-mode") == 0) {
        if (strcasecmp(value, "batch") == 0) {
            s->batch_mode = true;
        } else if (strcasecmp(value, "streaming") == 0) {
            s->batch_mode = false;
        } else {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "invalid value \"%s\" for 'execution.runtime-mode'", value);
            wb_error_hint(err, "Use 'batch' or 'streaming'.");
            return -1;
        }
    } else if (strcmp(key, "weir.clock") == 0) {
        /* processing time: the wall clock, or a manual clock that stands
         * still until a "#clock <timestamp>" line in an input moves it */
        if (strcasecmp(value, "manual") == 0) {
            s->clock.manual = true;
        } else if (strcasecmp(value, "system") == 0) {
            s->clock.manual = false;
        } else {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "invalid value \"%s\" for 'weir.clock'", value);
            wb_error_hint(err, "Use 'system' or 'manual'.");
            return -1;
        }
    } else if (strcmp(key, "weir.late-rows.path") == 0) {
        free(s->late_rows_path);
        s->late_rows_path = *value ? wb_strdup(value) : NULL;
    } else if (strcmp(key, "table.local-time-zone") == 0) {
        if (wb_tz_set(value) != 0) {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "unknown time zone \"%s\" for 'table.local-time-zone'", value);
            wb_error_hint(err, "Use 'UTC', an offset such as '+08:00' or 'GMT-05:00', or a zone "
                               "name such as 'Asia/Shanghai' or 'America/New_York'.");
            return -1;
        }
    } else if (strcmp(key, "table.exec.emit.early-fire.enabled") == 0 ||
               strcmp(key, "table.exec.emit.late-fire.enabled") == 0) {
        bool *flag = key[16] == 'e' ? &s->early_fire : &s->late_fire;
        if (strcasecmp(value, "true") == 0) {
            *flag = true;
        } else if (strcasecmp(value, "false") == 0) {
            *flag = false;
        } else {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "invalid value \"%s\" for '%s'", value, key);
            wb_error_hint(err, "Use 'true' or 'false'.");
            return -1;
        }
    } else if (strcmp(key, "table.exec.emit.early-fire.delay") == 0 ||
               strcmp(key, "table.exec.emit.late-fire.delay") == 0 ||
               strcmp(key, "table.exec.emit.allow-lateness") == 0) {
        int64_t *ms = key[16] == 'e' ? &s->early_fire_delay_ms
                    : key[16] == 'l' ? &s->late_fire_delay_ms : &s->allow_lateness_ms;
        if (wb_parse_duration_ms(value, ms) != 0) {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "invalid duration \"%s\" for '%s'", value, key);
            wb_error_hint(err, "Write a number with a unit, e.g. '1 min', '10 s' ('0 s': after every batch).");
            return -1;
        }
    } else if (strcmp(key, "weir.clock.start") == 0) {
        if (ty_parse_timestamp(value, strlen(value), &s->clock.manual_us) != 0) {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "invalid timestamp \"%s\" for 'weir.clock.start'", value);
            wb_error_hint(err, "Write it as '2024-01-01 00:00:00'.");
            return -1;
        }
    } else if (strcmp(key, "table.exec.state.ttl") == 0) {
        if (wb_parse_duration_ms(value, &s->state_ttl_ms) != 0) {
            wb_error(err, WB_SQLSTATE_CONFIG, node->line, node->column,
                     "invalid duration \"%s\" for 'table.exec.state.ttl'", value);
            wb_error_hint(err, "Write a number with a unit, e.g. '1 h', '30 min', '1000 ms'.");
            return -1;
        }
    }
    /* Every key is remembered (Flink accepts options it does not use). */
    for (int32_t i = 0; i < s->noptions; i++) {
        if (strcmp(s->keys[i], key) == 0) {
            free(s->values[i]);
            s->values[i] = wb_strdup(value);
            return 0;
        }
    }
    s->keys = wb_realloc(s->keys, sizeof(char *) * (size_t)(s->noptions + 1));
    s->values = wb_realloc(s->values, sizeof(char *) * (size_t)(s->noptions + 1));
    s->keys[s->noptions] = wb_strdup(key);
    s->values[s->noptions++] = wb_strdup(value);
    return 0;
}

static int do_show(Session *s, const AstNode *node, WbError *err)
{
    (void)err;
    bool views = node->show.what == ASH_VIEWS;
    int32_t count;
    TableDef **defs = sql_catalog_list(s->catalog, &count);
    const char **cells = wb_calloc((size_t)count + 1, sizeof(char *));
    int32_t n = 0;
    for (int32_t i = 0; i < count; i++)
        if (!views || defs[i]->is_view) cells[n++] = defs[i]->name;
    /* Flink lists names sorted */
    for (int32_t i = 1; i < n; i++)
        for (int32_t j = i; j > 0 && strcasecmp(cells[j - 1], cells[j]) > 0; j--) {
            const char *t = cells[j];
            cells[j] = cells[j - 1];
            cells[j - 1] = t;
        }
    const char *header[1] = {views ? "view name" : "table name"};
    out_print_strings(stdout, s->format, 1, header, n, cells);
    free(cells);
    return 0;
}

static int do_describe(Session *s, const AstNode *node, WbError *err)
{
    TableDef *def = sql_catalog_find(s->catalog, node->describe.name);
    if (!def) {
        wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, node->line, node->column,
                 "table or view \"%s\" does not exist", node->describe.name);
        return -1;
    }
    const char *header[6] = {"name", "type", "null", "key", "extras", "watermark"};
    int32_t n = def->ncols;
    char **cells = wb_calloc((size_t)n * 6 + 1, sizeof(char *));
    for (int32_t col = 0; col < n; col++) {
        const ColumnDef *cd = &def->cols[col];
        char tname[64];
        SqlType t = cd->type;
        t.nullable = 1;
        bool in_pk = false;
        for (int32_t k = 0; k < def->npk; k++) in_pk |= def->pk[k] == col;
        char **row = &cells[col * 6];
        row[0] = wb_strdup(cd->name);
        row[1] = wb_strdup(ty_name(t, tname, sizeof tname));
        row[2] = wb_strdup(cd->type.nullable ? "TRUE" : "FALSE");
        row[3] = in_pk ? wb_strdup("PRI(" ) : NULL;
        if (in_pk) {
            WbBuf key = {0};
            wb_buf_puts(&key, "PRI(");
            for (int32_t k = 0; k < def->npk; k++) {
                if (k) wb_buf_puts(&key, ", ");
                wb_buf_puts(&key, def->cols[def->pk[k]].name);
            }
            wb_buf_putc(&key, ')');
            free(row[3]);
            row[3] = wb_strdup(wb_buf_cstr(&key));
            wb_buf_free(&key);
        }
        if (cd->computed) {
            WbBuf extra = {0};
            wb_buf_printf(&extra, "AS %s", cd->computed_sql ? cd->computed_sql : "?");
            row[4] = wb_strdup(wb_buf_cstr(&extra));
            wb_buf_free(&extra);
        } else if (cd->is_metadata) {
            row[4] = wb_strdup("METADATA");
        }
        if (def->watermark_col == col && def->watermark_sql) row[5] = wb_strdup(def->watermark_sql);
    }
    out_print_strings(stdout, s->format, 6, header, n, (const char *const *)cells);
    for (int32_t i = 0; i < n * 6; i++) free(cells[i]);
    free(cells);
    return 0;
}

static int do_explain(Session *s, const AstNode *node, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    QueryPlan plan;
    planning_batch_mode = s->batch_mode;
    /* early or late firing: window aggregates update their results */
    bool window_updates = s->early_fire || (s->late_fire && s->allow_lateness_ms > 0);
    SqlPlanOptions popts = {sink_accepts_retractions, s->batch_mode, ex_eval_const, window_updates};
    int rc = sql_plan_statement(s->catalog, node->explain.stmt, &arena, &popts, &plan, err);
    if (rc == 0) {
        WbBuf text = {0};
        sql_plan_explain(plan.root, &text);
        printf("== Logical Plan ==\n%s\n== Optimized Logical Plan ==\n%s\n",
               plan.logical_text ? plan.logical_text : "",
               plan.optimized_text ? plan.optimized_text : "");
        fputs("== Physical Plan ==\n", stdout);
        fwrite(text.data, 1, text.len, stdout);
        if (text.len && text.data[text.len - 1] != '\n') fputc('\n', stdout);
        wb_buf_free(&text);
    }
    wb_arena_destroy(&arena);
    return rc;
}

static int do_query(Session *s, const AstNode *node, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    QueryPlan plan;
    planning_batch_mode = s->batch_mode;
    bool window_updates = s->early_fire || (s->late_fire && s->allow_lateness_ms > 0);
    SqlPlanOptions popts = {sink_accepts_retractions, s->batch_mode, ex_eval_const, window_updates};
    int rc = sql_plan_statement(s->catalog, node, &arena, &popts, &plan, err);
    if (rc != 0) {
        wb_arena_destroy(&arena);
        return -1;
    }
    JobOptions opts;
    memset(&opts, 0, sizeof opts);
    opts.batch_mode = s->batch_mode;
    opts.max_batch_rows = s->max_batch_rows;
    opts.random_split = s->have_seed && !s->batch_mode;
    opts.seed = s->seed;
    opts.state_ttl_ms = s->state_ttl_ms;
    opts.clock = s->clock;
    opts.early_fire = s->early_fire;
    opts.late_rows_path = s->late_rows_path;
    opts.early_fire_delay_ms = s->early_fire_delay_ms;
    opts.late_fire = s->late_fire;
    opts.late_fire_delay_ms = s->late_fire_delay_ms;
    opts.allow_lateness_ms = s->allow_lateness_ms;
    opts.print_out = stdout;
    /* a progress line on a terminal's stderr; results go through a FILE
     * that erases it first */
    Progress *progress = isatty(STDERR_FILENO) ? progress_new(stderr, stdout) : NULL;
    FILE *out = progress ? progress_stdout(progress) : stdout;
    if (progress) {
        opts.progress = progress_update;
        opts.progress_ctx = progress;
        opts.print_out = out;
    }
    ResultCollector *collector = NULL;
    if (plan.root->kind != PN_SINK)
        collector = out_collector_new(&plan, s->format, !s->batch_mode, out);
    JobStats stats;
    memset(&stats, 0, sizeof stats);
    rc = rt_job_run(&plan, &opts, out_collector_batch, collector, &stats, err);
    if (progress) progress_clear(progress);
    if (rc == 0 && stats.lat_rows > 0)
        fprintf(stderr, "weir: latency p50 %.3f ms, p99 %.3f ms, max bucket %.3f ms over %lld rows\n",
                (double)rt_latency_quantile(stats.lat_hist, stats.lat_rows, 0.50) / 1000.0,
                (double)rt_latency_quantile(stats.lat_hist, stats.lat_rows, 0.99) / 1000.0,
                (double)rt_latency_quantile(stats.lat_hist, stats.lat_rows, 1.0) / 1000.0,
                (long long)stats.lat_rows);
    if (rc == 0 && (stats.late_dropped || stats.state_expired))
        fprintf(stderr, "weir: %lld late rows dropped, %lld state entries expired\n",
                (long long)stats.late_dropped, (long long)stats.state_expired);
    if (rc == 0 && stats.stopped) {
        /* an unbounded job's normal end: say what the result covers */
        fprintf(stderr, "weir: job stopped by %s after reading %lld records; %s\n",
                rt_stop_requested == SIGTERM ? "SIGTERM" : "SIGINT", (long long)stats.records_in,
                plan.root->kind == PN_SINK ? "the sink committed their output"
                                           : "the result below covers them");
    }
    if (rc == 0 && collector) rc = out_collector_finish(collector, err);
    fflush(out);
    fflush(stdout);
    out_collector_free(collector);
    progress_free(progress);
    wb_arena_destroy(&arena);
    return rc;
}

static int run_statement(Session *s, const SqlStatement *stmt, WbError *err)
{
    const AstNode *node = stmt->node;
    switch (node->kind) {
    case AST_CREATE_TABLE:
    case AST_CREATE_VIEW:
    case AST_DROP:
        return sql_execute_ddl(s->catalog, node, stmt->text, err);
    case AST_SET:
    case AST_RESET:
        return do_set(s, node, err);
    case AST_SHOW:
        if (node->show.what != ASH_TABLES && node->show.what != ASH_VIEWS) {
            wb_error(err, WB_SQLSTATE_FEATURE, node->line, node->column,
                     "only SHOW TABLES and SHOW VIEWS are supported");
            return -1;
        }
        return do_show(s, node, err);
    case AST_DESCRIBE:
        return do_describe(s, node, err);
    case AST_EXPLAIN:
        return do_explain(s, node, err);
    default:
        return do_query(s, node, err);
    }
}

static char *read_file(const char *path, size_t *len, WbError *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not open \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    WbBuf buf = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) wb_buf_append(&buf, chunk, n);
    bool failed = ferror(f);
    if (f != stdin) fclose(f);
    if (failed) {
        wb_error(err, WB_SQLSTATE_IO, 0, 0, "could not read \"%s\"", path);
        wb_buf_free(&buf);
        return NULL;
    }
    *len = buf.len;
    wb_buf_cstr(&buf);
    return buf.data;
}

/* ---- the command line ----
 * weir run [OPTIONS] FILE.sql | -e 'SQL'; weir --version; weir help [run].
 * An option with a value takes it as the next argument or after '='
 * (--mode=batch).  A usage error prints one "weir: error:" line, then the
 * usage, on stderr, and exits 2; --help prints the usage on stdout and
 * exits 0. */

static void usage(FILE *out)
{
    fputs("usage: weir run [OPTIONS] FILE.sql     run the SQL statements of a file\n"
          "       weir run [OPTIONS] -e 'SQL'     run SQL given on the command line\n"
          "       weir --version                 print the version\n"
          "       weir help [run]                print this help, or the run command's\n"
          "\n"
          "`weir run --help` lists the options.\n",
          out);
}

static void run_usage(FILE *out)
{
    fputs("usage: weir run [OPTIONS] FILE.sql\n"
          "       weir run [OPTIONS] -e 'SQL'\n"
          "\n"
          "Runs the statements of FILE.sql (- reads standard input) or of -e in order.\n"
          "\n"
          "options:\n"
          "  --mode batch|streaming     the execution mode; the default is streaming\n"
          "                             (Flink's default); SET 'execution.runtime-mode'\n"
          "                             changes it from that statement on\n"
          "  --format table|csv|changelog\n"
          "                             how a query's result is printed (default: table)\n"
          "  --max-batch-rows N         at most N rows per source batch (1 to 1000000)\n"
          "  --seed S                   random batch sizes from 1 to N (default N: 16),\n"
          "                             reproducible from S (streaming mode)\n"
          "  -e SQL                     run SQL instead of a file\n"
          "  -h, --help                 print this help and exit\n"
          "An option's value may also follow '=': --mode=batch.\n"
          "\n"
          "exit status: 0 when every statement succeeded (an unbounded job stopped by\n"
          "SIGINT or SIGTERM included), 1 when one failed (the message names the file,\n"
          "line and column), 2 on a usage error, 130 (SIGINT) or 143 (SIGTERM) when a\n"
          "bounded job was stopped before its input ended (nothing committed).\n",
          out);
}

/* Prints "weir: error: ..." and the usage (of `run` when run_cmd) on
 * stderr; returns exit status 2. */
static int usage_error(bool run_cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(bool run_cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("weir: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (run_cmd) run_usage(stderr);
    else usage(stderr);
    return 2;
}

/* The options of `weir run` that take a value. */
typedef enum RunOption { OPT_MODE, OPT_FORMAT, OPT_MAX_BATCH_ROWS, OPT_SEED, OPT_EXECUTE } RunOption;

static const struct {
    const char *name;
    RunOption opt;
} run_options[] = {
    {"--mode", OPT_MODE},   {"--format", OPT_FORMAT}, {"--max-batch-rows", OPT_MAX_BATCH_ROWS},
    {"--seed", OPT_SEED},   {"-e", OPT_EXECUTE},
};

/* Applies one option's value to the session; 2 after a usage error. */
static int run_option_set(Session *s, RunOption opt, const char *name, const char *val,
                          const char **inline_sql)
{
    switch (opt) {
    case OPT_MODE:
        if (!strcmp(val, "batch")) s->batch_mode = true;
        else if (!strcmp(val, "streaming")) s->batch_mode = false;
        else return usage_error(true, "%s must be batch or streaming, not \"%s\"", name, val);
        return 0;
    case OPT_FORMAT:
        if (!strcmp(val, "table")) s->format = OUT_TABLE;
        else if (!strcmp(val, "csv")) s->format = OUT_CSV;
        else if (!strcmp(val, "changelog")) s->format = OUT_CHANGELOG;
        else return usage_error(true, "%s must be table, csv or changelog, not \"%s\"", name, val);
        return 0;
    case OPT_MAX_BATCH_ROWS: {
        char *end;
        errno = 0;
        long n = strtol(val, &end, 10);
        if (end == val || *end || errno || n < 1 || n > 1000000)
            return usage_error(true, "%s must be a number from 1 to 1000000, not \"%s\"", name, val);
        s->max_batch_rows = (int32_t)n;
        return 0;
    }
    case OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(val, &end, 10);
        if (end == val || *end || errno || val[0] == '-')
            return usage_error(true, "%s must be a number, not \"%s\"", name, val);
        s->seed = n;
        s->have_seed = true;
        return 0;
    }
    case OPT_EXECUTE:
        if (*inline_sql) return usage_error(true, "option -e given twice");
        *inline_sql = val;
        return 0;
    }
    return 0;
}

/* Parses the arguments after `run`.  Returns 0 to run, -1 when --help was
 * printed (exit 0), or 2 after a usage error. */
static int run_args_parse(int argc, char **argv, Session *s, const char **file,
                          const char **inline_sql)
{
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {   /* "-" is standard input */
            if (*file) return usage_error(true, "more than one script given (\"%s\" and \"%s\")",
                                          *file, arg);
            *file = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            options_done = true;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            run_usage(stdout);
            return -1;
        }
        const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        int found = -1;
        for (int k = 0; k < (int)WB_ARRAY_LEN(run_options); k++)
            if (strlen(run_options[k].name) == name_len &&
                !strncmp(run_options[k].name, arg, name_len))
                found = k;
        if (found < 0) {
            if (!strncmp(arg, "--help=", 7)) return usage_error(true, "option --help takes no value");
            return usage_error(true, "unknown option \"%s\"", arg);
        }
        const char *name = run_options[found].name, *val;
        if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            return usage_error(true, "option %s needs an argument", name);
        }
        int rc = run_option_set(s, run_options[found].opt, name, val, inline_sql);
        if (rc) return rc;
    }
    if (!*file && !*inline_sql) return usage_error(true, "no script given: pass FILE.sql or -e 'SQL'");
    if (*file && *inline_sql)
        return usage_error(true, "both a script \"%s\" and -e given: pass one", *file);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    Session s;
    memset(&s, 0, sizeof s);
    const char *file = NULL, *inline_sql = NULL;
    int parsed = run_args_parse(argc, argv, &s, &file, &inline_sql);
    if (parsed) return parsed < 0 ? 0 : parsed;
    if (s.have_seed && s.max_batch_rows == 0) s.max_batch_rows = 16;
    s.default_batch_mode = s.batch_mode;

    WbError err;
    wb_error_clear(&err);
    size_t len = 0;
    char *text;
    if (inline_sql) {
        s.script_name = "-e";
        len = strlen(inline_sql);
        text = wb_strndup(inline_sql, len);
    } else {
        s.script_name = file;
        text = read_file(file, &len, &err);
        if (!text) {
            fprintf(stderr, "weir: error: %s\n", err.message);
            return 1;
        }
    }

    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    WbArena ast_arena;   /* lives as long as the catalog: views keep their AST */
    wb_arena_init(&ast_arena, 0);
    s.catalog = sql_catalog_new();
    SqlScript script;
    int status = 0;
    if (sql_parse_script(text, len, &ast_arena, &script, &err) != 0) {
        print_error(&s, &err, 1, 1);
        status = 1;
    } else if (script.count == 0) {
        /* an empty -e, or a file of only comments, blanks and semicolons:
         * nothing would run, which is never what was meant */
        wb_error(&err, WB_SQLSTATE_SYNTAX, 1, 1, "no statements");
        wb_error_hint(&err, "The script is empty or holds only comments and semicolons.");
        print_error(&s, &err, 1, 1);
        status = 1;
    } else {
        int32_t done = 0;
        for (; done < script.count && !rt_stop_requested; done++) {
            const SqlStatement *stmt = &script.stmts[done];
            wb_error_clear(&err);
            if (run_statement(&s, stmt, &err) != 0) {
                print_error(&s, &err, stmt->line, stmt->column);
                /* a bounded job cut short by a signal: 128 + its number */
                bool stopped = strcmp(err.sqlstate, RT_SQLSTATE_STOPPED) == 0 && rt_stop_requested;
                status = stopped ? 128 + rt_stop_requested : 1;
                break;
            }
        }
        if (status == 0 && rt_stop_requested && done < script.count) {
            /* the stop came between statements or ended an unbounded job
             * with statements left: the script did not run to its end */
            fprintf(stderr, "weir: stopped by %s before the end of the script; %d statement%s not run\n",
                    rt_stop_requested == SIGTERM ? "SIGTERM" : "SIGINT", (int)(script.count - done),
                    script.count - done == 1 ? " was" : "s were");
            status = 128 + rt_stop_requested;
        }
    }
    fflush(stdout);
    sql_catalog_free(s.catalog);
    wb_arena_destroy(&ast_arena);
    for (int32_t i = 0; i < s.noptions; i++) {
        free(s.keys[i]);
        free(s.values[i]);
    }
    free(s.keys);
    free(s.values);
    free(s.late_rows_path);
    free(text);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error(false, "no command given");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("weir %s\n", WEIR_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (argc == 2 || strcmp(cmd, "help") != 0) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[2], "run")) {
            run_usage(stdout);
            return 0;
        }
        return usage_error(false, "no help for \"%s\": the commands are run and help", argv[2]);
    }
    if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
    if (cmd[0] == '-') return usage_error(false, "unknown option \"%s\"", cmd);
    return usage_error(false, "unknown command \"%s\"", cmd);
}
