/*
 * main.c - the `weir` command: `weir run` reads a SQL script and runs its
 * statements one by one through a session (src/session), printing what
 * they produce and their errors.
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
#include "session/session.h"

#define WEIR_VERSION "0.1.0"

/* The data directory when --data is not given. */
#define DEFAULT_DATA_DIR "weir-data"

/* What `weir run` keeps while a script runs: how to print, and the
 * progress line and printer of the statement running. */
typedef struct Cli {
    const char *script_name;     /* for error positions */
    OutputFormat format;
    SesOptions session;          /* from the flags */
    Progress *progress;          /* while a job runs, on a terminal */
    FILE *out;                   /* where results go while a job runs */
    OutPrinter *printer;         /* while a query runs */
} Cli;

/* SIGINT/SIGTERM: the first asks the running job to stop (runtime.h says
 * what that means for bounded and unbounded jobs), the second leaves now
 * (a filesystem sink's in-progress files are hidden, so nothing partial
 * becomes visible either way). */
static void on_stop_signal(int sig)
{
    if (rt_stop_requested) _exit(128 + sig);
    rt_stop_requested = sig;
}

static void print_error(const Cli *cli, const WbError *err, int stmt_line, int stmt_col)
{
    /* A data error is positioned in its data file (a catalog error in the
     * catalog file); a SQL error in the script (at the statement when the
     * error has no position of its own). */
    const char *where = err->source[0] ? err->source : cli->script_name;
    int line = err->line ? err->line : stmt_line;
    int col = err->line ? (err->column > 0 ? err->column : 1) : stmt_col;
    fprintf(stderr, "%s:%d:%d: error: %s\n", where, line, col,
            err->message[0] ? err->message : "unknown error");
    if (err->detail[0]) fprintf(stderr, "DETAIL: %s\n", err->detail);
    if (err->hint[0]) fprintf(stderr, "HINT: %s\n", err->hint);
    if (getenv("WEIR_DEBUG") && err->c_file)
        fprintf(stderr, "(SQLSTATE %s at %s:%d)\n", err->sqlstate, err->c_file, err->c_line);
}

/* ---- the session's handler: printing what statements produce ---- */

static void on_warning(void *ctx, int line, int column, const char *message)
{
    const Cli *cli = ctx;
    fprintf(stderr, "%s:%d:%d: warning: %s\n", cli->script_name, line, column, message);
}

static void on_strings(void *ctx, int32_t ncols, const char *const *header, int32_t nrows,
                       const char *const *cells)
{
    const Cli *cli = ctx;
    out_print_strings(stdout, cli->format, ncols, header, nrows, cells);
}

static void on_text(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    fwrite(text, 1, len, stdout);
}

static void on_job_start(void *ctx, JobOptions *opts)
{
    Cli *cli = ctx;
    /* a progress line on a terminal's stderr; results go through a FILE
     * that erases it first */
    cli->progress = isatty(STDERR_FILENO) ? progress_new(stderr, stdout) : NULL;
    cli->out = cli->progress ? progress_stdout(cli->progress) : stdout;
    if (cli->progress) {
        opts->progress = progress_update;
        opts->progress_ctx = cli->progress;
        opts->print_out = cli->out;
    }
}

static bool on_result_open(void *ctx, const SesResultInfo *info, SesRowSink *sink)
{
    Cli *cli = ctx;
    cli->printer = out_printer_new(info, cli->format, cli->out, sink);
    return out_printer_wants_final(cli->format);
}

static void on_job_done(void *ctx, const JobStats *stats, bool into_sink)
{
    Cli *cli = ctx;
    if (cli->progress) progress_clear(cli->progress);
    if (stats->lat_rows > 0)
        fprintf(stderr, "weir: latency p50 %.3f ms, p99 %.3f ms, max bucket %.3f ms over %lld rows\n",
                (double)rt_latency_quantile(stats->lat_hist, stats->lat_rows, 0.50) / 1000.0,
                (double)rt_latency_quantile(stats->lat_hist, stats->lat_rows, 0.99) / 1000.0,
                (double)rt_latency_quantile(stats->lat_hist, stats->lat_rows, 1.0) / 1000.0,
                (long long)stats->lat_rows);
    if (stats->late_dropped || stats->state_expired)
        fprintf(stderr, "weir: %lld late rows dropped, %lld state entries expired\n",
                (long long)stats->late_dropped, (long long)stats->state_expired);
    if (stats->stopped) {
        /* an unbounded job's normal end: say what the result covers */
        fprintf(stderr, "weir: job stopped by %s after reading %lld records; %s\n",
                rt_stop_requested == SIGTERM ? "SIGTERM" : "SIGINT", (long long)stats->records_in,
                into_sink ? "the sink committed their output" : "the result below covers them");
    }
}

static void on_result_close(void *ctx)
{
    Cli *cli = ctx;
    out_printer_free(cli->printer);
    cli->printer = NULL;
}

static void on_job_end(void *ctx)
{
    Cli *cli = ctx;
    fflush(cli->out);
    fflush(stdout);
    progress_free(cli->progress);
    cli->progress = NULL;
    cli->out = stdout;
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
          "  --data DIR                 the data directory: the catalog of permanent\n"
          "                             tables and views, and the stored tables\n"
          "                             (default: ./weir-data, created by the first\n"
          "                             CREATE; a run without DDL writes nothing)\n"
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
typedef enum RunOption {
    OPT_MODE, OPT_FORMAT, OPT_MAX_BATCH_ROWS, OPT_SEED, OPT_DATA, OPT_EXECUTE
} RunOption;

static const struct {
    const char *name;
    RunOption opt;
} run_options[] = {
    {"--mode", OPT_MODE},   {"--format", OPT_FORMAT}, {"--max-batch-rows", OPT_MAX_BATCH_ROWS},
    {"--seed", OPT_SEED},   {"--data", OPT_DATA},     {"-e", OPT_EXECUTE},
};

/* Applies one option's value to the session; 2 after a usage error. */
static int run_option_set(Cli *cli, RunOption opt, const char *name, const char *val,
                          const char **inline_sql)
{
    switch (opt) {
    case OPT_MODE:
        if (!strcmp(val, "batch")) cli->session.batch_mode = true;
        else if (!strcmp(val, "streaming")) cli->session.batch_mode = false;
        else return usage_error(true, "%s must be batch or streaming, not \"%s\"", name, val);
        return 0;
    case OPT_FORMAT:
        if (!strcmp(val, "table")) cli->format = OUT_TABLE;
        else if (!strcmp(val, "csv")) cli->format = OUT_CSV;
        else if (!strcmp(val, "changelog")) cli->format = OUT_CHANGELOG;
        else return usage_error(true, "%s must be table, csv or changelog, not \"%s\"", name, val);
        return 0;
    case OPT_MAX_BATCH_ROWS: {
        char *end;
        errno = 0;
        long n = strtol(val, &end, 10);
        if (end == val || *end || errno || n < 1 || n > 1000000)
            return usage_error(true, "%s must be a number from 1 to 1000000, not \"%s\"", name, val);
        cli->session.max_batch_rows = (int32_t)n;
        return 0;
    }
    case OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(val, &end, 10);
        if (end == val || *end || errno || val[0] == '-')
            return usage_error(true, "%s must be a number, not \"%s\"", name, val);
        cli->session.seed = n;
        cli->session.have_seed = true;
        return 0;
    }
    case OPT_DATA:
        if (!*val) return usage_error(true, "%s needs a directory", name);
        cli->session.data_dir = val;
        return 0;
    case OPT_EXECUTE:
        if (*inline_sql) return usage_error(true, "option -e given twice");
        *inline_sql = val;
        return 0;
    }
    return 0;
}

/* Parses the arguments after `run`.  Returns 0 to run, -1 when --help was
 * printed (exit 0), or 2 after a usage error. */
static int run_args_parse(int argc, char **argv, Cli *cli, const char **file,
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
        int rc = run_option_set(cli, run_options[found].opt, name, val, inline_sql);
        if (rc) return rc;
    }
    if (!*file && !*inline_sql) return usage_error(true, "no script given: pass FILE.sql or -e 'SQL'");
    if (*file && *inline_sql)
        return usage_error(true, "both a script \"%s\" and -e given: pass one", *file);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    Cli cli;
    memset(&cli, 0, sizeof cli);
    cli.out = stdout;
    cli.session.data_dir = DEFAULT_DATA_DIR;
    const char *file = NULL, *inline_sql = NULL;
    int parsed = run_args_parse(argc, argv, &cli, &file, &inline_sql);
    if (parsed) return parsed < 0 ? 0 : parsed;

    WbError err;
    wb_error_clear(&err);
    size_t len = 0;
    char *text;
    if (inline_sql) {
        cli.script_name = "-e";
        len = strlen(inline_sql);
        text = wb_strndup(inline_sql, len);
    } else {
        cli.script_name = file;
        text = read_file(file, &len, &err);
        if (!text) {
            fprintf(stderr, "weir: error: %s\n", err.message);
            return 1;
        }
    }

    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    const SesHandler handler = {
        .ctx = &cli,
        .warning = on_warning,
        .strings = on_strings,
        .text = on_text,
        .job_start = on_job_start,
        .result_open = on_result_open,
        .job_done = on_job_done,
        .result_close = on_result_close,
        .job_end = on_job_end,
    };
    WbArena ast_arena;   /* lives as long as the session: views keep their AST */
    wb_arena_init(&ast_arena, 0);
    SqlScript script;
    Session *session = NULL;
    int status = 0;
    if (sql_parse_script(text, len, &ast_arena, &script, &err) != 0) {
        print_error(&cli, &err, 1, 1);
        status = 1;
    } else if (script.count == 0) {
        /* an empty -e, or a file of only comments, blanks and semicolons:
         * nothing would run, which is never what was meant */
        wb_error(&err, WB_SQLSTATE_SYNTAX, 1, 1, "no statements");
        wb_error_hint(&err, "The script is empty or holds only comments and semicolons.");
        print_error(&cli, &err, 1, 1);
        status = 1;
    } else if (!(session = ses_open(&cli.session, &err))) {
        print_error(&cli, &err, 1, 1);
        status = 1;
    } else {
        int32_t done = 0;
        for (; done < script.count && !rt_stop_requested; done++) {
            const SqlStatement *stmt = &script.stmts[done];
            wb_error_clear(&err);
            if (ses_execute(session, stmt, &handler, &err) != 0) {
                print_error(&cli, &err, stmt->line, stmt->column);
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
    ses_close(session);
    wb_arena_destroy(&ast_arena);
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
