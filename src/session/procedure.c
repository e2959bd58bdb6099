/*
 * procedure.c - CALL: the table store's maintenance procedures, with
 * Paimon's names and arguments (positional, or named `name => value`):
 *
 *   CALL sys.compact('t' [, 'p=1,q=a'])        full compaction of the table
 *                                              (or of one partition): a COMPACT
 *                                              snapshot
 *   CALL sys.expire_snapshots('t')             expiry now, by the table's
 *                                              snapshot.num-retained.* and
 *                                              snapshot.time-retained
 *   CALL sys.remove_orphan_files('t' [, 'YYYY-MM-DD HH:MM:SS'])
 *                                              files no retained snapshot names,
 *                                              older than that time (default:
 *                                              a day ago)
 *
 * The table may be written 'db.t' or 'catalog.db.t' (Paimon's habit): the
 * last part names it.  Arguments are literals.  Each procedure answers
 * with a one-row result ("result").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "connect/connect.h"
#include "session/session_int.h"

typedef struct ProcArgs {
    const char *values[4];
    const AstNode *at[4];
} ProcArgs;

/* Binds the call's arguments to the procedure's parameter names. */
static int bind_args(const AstNode *node, const char *const *params, int32_t nparams,
                     ProcArgs *out, WbError *err)
{
    memset(out, 0, sizeof *out);
    const AstList *args = &node->call_proc.args;
    bool named = false;
    for (int32_t i = 0; i < args->count; i++) {
        const AstNode *arg = args->items[i];
        const char *name = node->call_proc.arg_names[i];
        int32_t slot = -1;
        if (name) {
            named = true;
            for (int32_t p = 0; p < nparams; p++)
                if (strcasecmp(params[p], name) == 0) slot = p;
            if (slot < 0) {
                wb_error(err, WB_SQLSTATE_SYNTAX, arg->line, arg->column,
                         "procedure %s has no argument \"%s\"", node->call_proc.name, name);
                return -1;
            }
        } else {
            if (named) {
                wb_error(err, WB_SQLSTATE_SYNTAX, arg->line, arg->column,
                         "a positional argument after a named one");
                return -1;
            }
            if (i >= nparams) {
                wb_error(err, WB_SQLSTATE_SYNTAX, arg->line, arg->column,
                         "procedure %s takes at most %d arguments", node->call_proc.name, (int)nparams);
                return -1;
            }
            slot = i;
        }
        if (arg->kind != AST_LITERAL || (!arg->literal.str && !arg->literal.text)) {
            wb_error(err, WB_SQLSTATE_SYNTAX, arg->line, arg->column,
                     "the arguments of CALL are literals");
            return -1;
        }
        out->values[slot] = arg->literal.str ? arg->literal.str : arg->literal.text;
        out->at[slot] = arg;
    }
    if (!out->values[0]) {
        wb_error(err, WB_SQLSTATE_SYNTAX, node->line, node->column,
                 "procedure %s needs the table (`table` => 'name')", node->call_proc.name);
        return -1;
    }
    return 0;
}

static const TableDef *proc_table(Session *s, const ProcArgs *args, WbError *err)
{
    const char *name = args->values[0];
    const char *dot = strrchr(name, '.');
    const char *last = dot ? dot + 1 : name;
    const TableDef *def = sql_catalog_find(s->catalog, name);
    if (!def) def = sql_catalog_find(s->catalog, last);
    if (!def || def->is_view) {
        wb_error(err, WB_SQLSTATE_UNDEFINED_TABLE, args->at[0]->line, args->at[0]->column,
                 "table \"%s\" does not exist", name);
        return NULL;
    }
    if (!def->store_dir) {
        wb_error(err, WB_SQLSTATE_FEATURE, args->at[0]->line, args->at[0]->column,
                 "table \"%s\" is not stored by weir: it has no snapshots or files to maintain",
                 def->name);
        return NULL;
    }
    return def;
}

static void answer(const SesHandler *h, const char *text)
{
    const char *header[1] = {"result"};
    const char *cells[1] = {text};
    if (h->strings) h->strings(h->ctx, 1, header, 1, cells);
}

int ses_call(Session *s, const AstNode *node, const SesHandler *h, WbError *err)
{
    const char *name = node->call_proc.name;
    if (strncasecmp(name, "sys.", 4) != 0) {
        wb_error(err, WB_SQLSTATE_UNDEFINED_FUNC, node->line, node->column,
                 "procedure \"%s\" does not exist", name);
        wb_error_hint(err, "The procedures are sys.compact, sys.expire_snapshots and "
                           "sys.remove_orphan_files.");
        return -1;
    }
    const char *proc = name + 4;
    ProcArgs args;
    if (strcasecmp(proc, "compact") == 0) {
        static const char *const params[] = {"table", "partitions"};
        if (bind_args(node, params, 2, &args, err) != 0) return -1;
        const TableDef *def = proc_table(s, &args, err);
        if (!def) return -1;
        if (cn_store_compact(def, args.values[1], err) != 0) return -1;
        answer(h, "compacted");
        return 0;
    }
    if (strcasecmp(proc, "expire_snapshots") == 0) {
        static const char *const params[] = {"table"};
        if (bind_args(node, params, 1, &args, err) != 0) return -1;
        const TableDef *def = proc_table(s, &args, err);
        if (!def) return -1;
        if (cn_store_expire(def, err) != 0) return -1;
        answer(h, "expired");
        return 0;
    }
    if (strcasecmp(proc, "remove_orphan_files") == 0) {
        static const char *const params[] = {"table", "older_than"};
        if (bind_args(node, params, 2, &args, err) != 0) return -1;
        const TableDef *def = proc_table(s, &args, err);
        if (!def) return -1;
        int64_t older_ms = (wb_clock_now(NULL) / 1000) - 24 * 3600 * 1000;
        if (args.values[1]) {
            int64_t us;
            const char *t = args.values[1];
            if (ty_parse_timestamp(t, strlen(t), &us) != 0) {
                wb_error(err, WB_SQLSTATE_BAD_VALUE, args.at[1]->line, args.at[1]->column,
                         "invalid timestamp \"%s\" for older_than", t);
                return -1;
            }
            older_ms = wb_tz_to_utc(us) / 1000;
        }
        int64_t removed = 0;
        if (cn_store_remove_orphans(def, older_ms, &removed, err) != 0) return -1;
        char text[64];
        snprintf(text, sizeof text, "removed %lld files", (long long)removed);
        answer(h, text);
        return 0;
    }
    wb_error(err, WB_SQLSTATE_UNDEFINED_FUNC, node->line, node->column,
             "procedure \"%s\" does not exist", name);
    wb_error_hint(err, "The procedures are sys.compact, sys.expire_snapshots and "
                       "sys.remove_orphan_files.");
    return -1;
}
