/*
 * session.c - statements run against a session: SET/RESET, SHOW,
 * DESCRIBE, EXPLAIN, queries and INSERTs as jobs; DDL goes through
 * datadir.c, which keeps the data directory's catalog in step.
 */
#include "session/session_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/connect.h"
#include "exec/exec.h"

Session *ses_open(const SesOptions *opts, WbError *err)
{
    Session *s = wb_calloc(1, sizeof(Session));
    s->catalog = sql_catalog_new();
    sql_catalog_set_system_tables(s->catalog, cn_system_table_def);
    s->batch_mode = s->default_batch_mode = opts->batch_mode;
    s->max_batch_rows = opts->max_batch_rows;
    s->have_seed = opts->have_seed;
    s->seed = opts->seed;
    if (s->have_seed && s->max_batch_rows == 0) s->max_batch_rows = 16;
    if (opts->data_dir) {
        s->data_dir = wb_strdup(opts->data_dir);
        if (ses_datadir_open(s, err) != 0) {
            ses_close(s);
            return NULL;
        }
    }
    return s;
}

void ses_close(Session *s)
{
    if (!s) return;
    sql_catalog_free(s->catalog);
    for (int32_t i = 0; i < s->noptions; i++) {
        free(s->keys[i]);
        free(s->values[i]);
    }
    free(s->keys);
    free(s->values);
    free(s->late_rows_path);
    free(s->data_dir);
    free(s->catalog_path);
    free(s->catalog_text);
    free(s);
}

Catalog *ses_catalog(Session *s) { return s->catalog; }

bool ses_batch_mode(const Session *s) { return s->batch_mode; }

/* In batch mode aggregates and top-N emit only final rows, so the planner
 * lets any query into an append-only sink; an outer join that retracts a
 * padded row in batch mode is still caught by the sink at run time. */
static bool sink_accepts_retractions(void *ctx, const TableDef *table)
{
    const Session *s = ctx;
    return s->batch_mode || cn_sink_accepts_retractions(table);
}

/* The planner's options for the session's current settings. */
static SqlPlanOptions plan_options(Session *s)
{
    SqlPlanOptions popts;
    memset(&popts, 0, sizeof popts);
    popts.sink_accepts_retractions = sink_accepts_retractions;
    popts.sink_ctx = s;
    popts.batch_mode = s->batch_mode;
    popts.eval_const = ex_eval_const;
    /* early or late firing: window aggregates update their results */
    popts.early_fire = s->early_fire || (s->late_fire && s->allow_lateness_ms > 0);
    return popts;
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

static int do_set(Session *s, const AstNode *node, const SesHandler *h, WbError *err)
{
    const char *key = node->set.key, *value = node->set.value;
    if (key && !set_key_known(key) && h->warning) {
        char message[600];
        snprintf(message, sizeof message,
                 "unknown key '%s': weir does not use it (it is accepted, as Flink accepts any key)",
                 key);
        h->warning(h->ctx, node->line, node->column, message);
    }
    if (node->kind == AST_SET && !key) {
        const char *header[2] = {"key", "value"};
        const char **cells = wb_calloc((size_t)s->noptions * 2 + 1, sizeof(char *));
        for (int32_t i = 0; i < s->noptions; i++) {
            cells[i * 2] = s->keys[i];
            cells[i * 2 + 1] = s->values[i];
        }
        if (h->strings) h->strings(h->ctx, 2, header, s->noptions, cells);
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

static int do_show(Session *s, const AstNode *node, const SesHandler *h)
{
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
    /* a temporary object shadowing a permanent one is one name */
    int32_t kept = 0;
    for (int32_t i = 0; i < n; i++)
        if (kept == 0 || strcasecmp(cells[kept - 1], cells[i]) != 0) cells[kept++] = cells[i];
    const char *header[1] = {views ? "view name" : "table name"};
    if (h->strings) h->strings(h->ctx, 1, header, kept, cells);
    free(cells);
    return 0;
}

static int do_describe(Session *s, const AstNode *node, const SesHandler *h, WbError *err)
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
    if (h->strings) h->strings(h->ctx, 6, header, n, (const char *const *)cells);
    for (int32_t i = 0; i < n * 6; i++) free(cells[i]);
    free(cells);
    return 0;
}

static int do_explain(Session *s, const AstNode *node, const SesHandler *h, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    QueryPlan plan;
    SqlPlanOptions popts = plan_options(s);
    int rc = sql_plan_statement(s->catalog, node->explain.stmt, &arena, &popts, &plan, err);
    if (rc == 0) {
        WbBuf text = {0};
        wb_buf_printf(&text, "== Logical Plan ==\n%s\n== Optimized Logical Plan ==\n%s\n",
                      plan.logical_text ? plan.logical_text : "",
                      plan.optimized_text ? plan.optimized_text : "");
        wb_buf_puts(&text, "== Physical Plan ==\n");
        size_t start = text.len;
        sql_plan_explain(plan.root, &text);
        if (text.len > start && text.data[text.len - 1] != '\n') wb_buf_putc(&text, '\n');
        if (h->text) h->text(h->ctx, text.data, text.len);
        wb_buf_free(&text);
    }
    wb_arena_destroy(&arena);
    return rc;
}

/* A SesRowSink that drops everything (no result_open in the handler). */
static int drop_row(void *ctx, const Batch *batch, int32_t row, int64_t times, WbError *err)
{
    (void)ctx, (void)batch, (void)row, (void)times, (void)err;
    return 0;
}

static int do_query(Session *s, const AstNode *node, const SesHandler *h, WbError *err)
{
    WbArena arena;
    wb_arena_init(&arena, 0);
    QueryPlan plan;
    SqlPlanOptions popts = plan_options(s);
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
    if (h->job_start) h->job_start(h->ctx, &opts);
    bool into_sink = plan.root->kind == PN_SINK;
    SesResult *result = NULL;
    bool opened = false;
    if (!into_sink) {
        SesResultInfo info;
        ses_result_describe(&plan, !s->batch_mode, &info);
        SesRowSink sink = {NULL, NULL, NULL, drop_row, NULL};
        bool final = false;
        if (h->result_open) {
            final = h->result_open(h->ctx, &info, &sink);
            opened = true;
        }
        SesResultOptions ropts = {!s->batch_mode, final, false};
        result = ses_result_new(&plan, &ropts, &sink);
    }
    JobStats stats;
    memset(&stats, 0, sizeof stats);
    rc = rt_job_run(&plan, &opts, ses_result_batch, result, &stats, err);
    if (rc == 0 && h->job_done) h->job_done(h->ctx, &stats, into_sink);
    if (rc == 0 && result) rc = ses_result_finish(result, err);
    ses_result_free(result);
    if (opened && h->result_close) h->result_close(h->ctx);
    if (h->job_end) h->job_end(h->ctx);
    wb_arena_destroy(&arena);
    return rc;
}

int ses_execute(Session *s, const SqlStatement *stmt, const SesHandler *h, WbError *err)
{
    static const SesHandler none;
    if (!h) h = &none;
    const AstNode *node = stmt->node;
    switch (node->kind) {
    case AST_CREATE_TABLE:
    case AST_CREATE_VIEW:
    case AST_DROP:
    case AST_ALTER_TABLE:
        return ses_datadir_ddl(s, stmt, h, err);
    case AST_SET:
    case AST_RESET:
        return do_set(s, node, h, err);
    default:
        break;
    }
    /* everything else reads the catalog: see what other processes did */
    if (ses_datadir_refresh(s, err) != 0) return -1;
    switch (node->kind) {
    case AST_CALL_PROC:
        return ses_call(s, node, h, err);
    case AST_SHOW:
        if (node->show.what != ASH_TABLES && node->show.what != ASH_VIEWS) {
            wb_error(err, WB_SQLSTATE_FEATURE, node->line, node->column,
                     "only SHOW TABLES and SHOW VIEWS are supported");
            return -1;
        }
        return do_show(s, node, h);
    case AST_DESCRIBE:
        return do_describe(s, node, h, err);
    case AST_EXPLAIN:
        return do_explain(s, node, h, err);
    default:
        return do_query(s, node, h, err);
    }
}
