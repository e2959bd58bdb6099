/*
 * planner.c - plans queries into PlanNode DAGs: FROM items (tables, views,
 * CTEs, subqueries, joins), SELECT with WHERE / GROUP BY / HAVING /
 * DISTINCT / ROW_NUMBER windows, ORDER BY and LIMIT (top-N), VALUES, set
 * operations, and INSERT INTO with its sink checks.  Subquery predicates of
 * WHERE and scalar subqueries are in subquery.c.
 */
#include "sql/hint.h"
#include "sql/planner_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- relations ---- */

static ScopeCol *scope_alloc(Binder *b, int32_t n)
{
    return wb_arena_calloc(b->arena, sizeof(ScopeCol) * (size_t)(n ? n : 1));
}

/* A relation whose scope is exactly the node's columns under `qualifier`. */
static void rel_from_node(Binder *b, PlanNode *node, const char *qualifier, Rel *out)
{
    out->node = node;
    out->ncols = node->ncols;
    out->cols = scope_alloc(b, node->ncols);
    for (int32_t i = 0; i < node->ncols; i++) {
        out->cols[i].qualifier = qualifier;
        out->cols[i].name = node->names[i];
        out->cols[i].type = node->types[i];
        out->cols[i].index = i;
    }
}

void sql_rel_single_row(Binder *b, Rel *out)
{
    PlanNode *node = sql_node_new(b, PN_VALUES, 1, 0);
    node->types[0] = ty_make(TY_INT);
    node->types[0].nullable = 0;
    node->names[0] = "ZERO";
    node->values.nrows = 1;
    node->values.rows = wb_arena_calloc(b->arena, sizeof(Value));
    node->values.rows[0].type = node->types[0];
    out->node = node;
    out->ncols = 0;
    out->cols = scope_alloc(b, 0);
}

bool sql_rel_rename(Binder *b, Rel *rel, const AstList *aliases, const AstNode *at);

/* Renames the visible columns (t AS x(a, b), CTE and view column lists). */
static bool rel_rename(Binder *b, Rel *rel, const AstList *aliases, const AstNode *at)
{
    if (aliases->count == 0) return true;
    if (aliases->count != rel->ncols) {
        bind_error(b, at, WB_SQLSTATE_SYNTAX, "%d column aliases given for %d columns",
                   (int)aliases->count, (int)rel->ncols);
        return false;
    }
    for (int32_t i = 0; i < rel->ncols; i++) rel->cols[i].name = aliases->items[i]->ident.name;
    return true;
}

static void rel_qualify(Rel *rel, const char *qualifier)
{
    for (int32_t i = 0; i < rel->ncols; i++) rel->cols[i].qualifier = qualifier;
}

/* "db.schema.t" is referenced as "t". */
static const char *last_name_part(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

/* ---- FROM items ---- */

/* Scan of the physical columns, then a CALC computing the declared column
 * list when the table has computed or metadata columns (metadata columns
 * are not read yet: they are NULL). */
/* The table's WATERMARK FOR declaration as a WATERMARK node over its
 * declared columns (rel), and 'scan.watermark.idle-timeout'. */
static bool plan_watermark(Binder *b, const TableDef *def, Rel *rel)
{
    if (def->watermark_col < 0 || !def->watermark) return true;
    Env env;
    env_init(&env, b, rel);
    env.clause = "a WATERMARK";
    Expr *e = sql_bind_expr(&env, def->watermark);
    if (!e) return false;
    int64_t idle_ms = 0;
    const char *idle = sql_table_option(def, "scan.watermark.idle-timeout");
    if (idle && wb_parse_duration_ms(idle, &idle_ms) != 0) {
        wb_error(b->err, WB_SQLSTATE_CONFIG, def->line, def->column,
                 "invalid duration \"%s\" for 'scan.watermark.idle-timeout' of table %s", idle,
                 def->name);
        wb_error_hint(b->err, "Write a number with a unit, e.g. '5 s', '1 min', '500 ms'.");
        return false;
    }
    PlanNode *wm = sql_node_watermark(b, rel->node, def->watermark_col, e, idle_ms * 1000);
    rel->node = wm;
    rel->cols[def->watermark_col].type = wm->types[def->watermark_col];
    return true;
}

/* Scan of the physical columns, then a CALC computing the declared column
 * list when the table has computed or metadata columns (metadata columns
 * are not read yet: they are NULL), then the watermark assigner when the
 * table declares one. */
static bool plan_table(Binder *b, const TableDef *def, const AstNode *at, Rel *out)
{
    (void)at;
    PlanNode *scan = sql_node_scan(b, def);
    bool plain = true;
    for (int32_t i = 0; i < def->ncols; i++)
        if (def->cols[i].computed || def->cols[i].is_metadata) plain = false;
    if (plain) {
        rel_from_node(b, scan, def->name, out);
        return plan_watermark(b, def, out);
    }
    Rel phys;
    rel_from_node(b, scan, def->name, &phys);
    Env env;
    env_init(&env, b, &phys);
    env.clause = "a computed column";
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)def->ncols);
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)def->ncols);
    int32_t phys_idx = 0;
    for (int32_t i = 0; i < def->ncols; i++) {
        const ColumnDef *col = &def->cols[i];
        names[i] = col->name;
        if (col->computed) {
            Expr *e = sql_bind_expr(&env, col->computed);
            if (!e) return false;
            exprs[i] = e;
        } else if (col->is_metadata) {
            Value null = {0};
            null.type = col->type;
            null.type.nullable = 1;
            null.is_null = true;
            exprs[i] = sql_expr_const(b->arena, null);
        } else {
            exprs[i] = sql_expr_col(b->arena, phys_idx, scan->types[phys_idx]);
            phys_idx++;
        }
    }
    PlanNode *calc = sql_node_calc(b, scan, NULL, def->ncols, exprs, names);
    rel_from_node(b, calc, def->name, out);
    return plan_watermark(b, def, out);
}

static const CteDef *find_cte(const Binder *b, const char *name)
{
    for (const CteDef *c = b->ctes; c; c = c->next)
        if (strcasecmp(c->cte->cte.name, name) == 0) return c;
    return NULL;
}

/* `t$snapshots` and the other system tables of a stored table t (the
 * catalog's resolver), or NULL (err set when t exists but the suffix
 * names nothing). */
static const TableDef *system_table(Binder *b, const AstNode *ast, const char *name)
{
    const char *dollar = strrchr(name, '$');
    SqlSystemTableFn resolve = sql_catalog_system_tables(b->cat);
    if (!dollar || dollar == name || !resolve) return NULL;
    char *base_name = wb_arena_strndup(b->arena, name, (size_t)(dollar - name));
    const TableDef *base = sql_catalog_find(b->cat, base_name);
    if (!base) return NULL;
    const TableDef *def = resolve(base, dollar + 1, b->arena, b->err);
    if (!def && b->err->set && b->err->line == 0) {
        b->err->line = ast->line;
        b->err->column = ast->column;
    }
    return def;
}

static bool plan_table_ref(Binder *b, const AstNode *ast, Rel *out)
{
    const char *name = ast->table_ref.name;
    const CteDef *cte = find_cte(b, name);
    if (cte && ast->table_ref.system_time) {
        bind_error(b, ast->table_ref.system_time, WB_SQLSTATE_FEATURE,
                   "FOR SYSTEM_TIME AS OF on \"%s\", a WITH query: time travel reads stored tables", name);
        return false;
    }
    if (cte) {
        const TableDef *none = NULL;
        if (!sql_hint_apply_options(b, &ast->table_ref.hints, name, &none)) return false;
        CteDef *saved = b->ctes;
        b->ctes = cte->next;
        bool ok = sql_plan_query(b, cte->cte->cte.query, NULL, out);
        b->ctes = saved;
        if (!ok || !rel_rename(b, out, &cte->cte->cte.columns, cte->cte)) return false;
        rel_qualify(out, cte->cte->cte.name);
    } else {
        const TableDef *def = sql_catalog_find(b->cat, name);
        if (!def && !(def = system_table(b, ast, name))) {
            if (!b->err->set)
                bind_error(b, ast, WB_SQLSTATE_UNDEFINED_TABLE, "table \"%s\" does not exist", name);
            return false;
        }
        if (!sql_hint_apply_options(b, &ast->table_ref.hints, name, &def)) return false;
        if (ast->table_ref.system_time && def->is_view) {
            bind_error(b, ast->table_ref.system_time, WB_SQLSTATE_FEATURE,
                       "FOR SYSTEM_TIME AS OF on view \"%s\": time travel reads stored tables", name);
            return false;
        }
        if (ast->table_ref.system_time && !sql_time_travel(b, ast, &def)) return false;
        if (def->is_view) {
            if (b->view_depth >= SQL_MAX_VIEW_DEPTH) {
                bind_error(b, ast, WB_SQLSTATE_FEATURE,
                           "views nested more than %d deep (a view that refers to itself?)",
                           SQL_MAX_VIEW_DEPTH);
                return false;
            }
            CteDef *saved = b->ctes;
            b->ctes = NULL;
            b->view_depth++;
            bool ok = sql_plan_query(b, def->view_query, NULL, out);
            b->view_depth--;
            b->ctes = saved;
            if (!ok) {
                if (b->err->detail[0] == 0)
                    wb_error_detail(b->err, "while expanding view \"%s\"", def->name);
                return false;
            }
            for (int32_t i = 0; i < out->ncols && i < def->ncols; i++)
                out->cols[i].name = def->cols[i].name;
            rel_qualify(out, def->name);
        } else if (!plan_table(b, def, ast, out)) {
            return false;
        }
        rel_qualify(out, last_name_part(def->name));
    }
    if (ast->table_ref.alias) rel_qualify(out, ast->table_ref.alias);
    return rel_rename(b, out, &ast->table_ref.col_aliases, ast);
}

/* Appends computed columns to a relation's node (keeps its scope). */
static void rel_extend(Binder *b, Rel *rel, int32_t nextra, Expr **extra)
{
    if (nextra == 0) return;
    rel->node = sql_node_filter_extend(b, rel->node, NULL, nextra, extra);
}

/* Splits a bound condition into its AND-ed conjuncts. */
int32_t sql_split_and(Expr *e, Expr **out, int32_t cap)
{
    if (e->kind == EX_CALL && e->fn == FN_AND) {
        int32_t n = 0;
        for (int32_t i = 0; i < e->nargs; i++) n += sql_split_and(e->args[i], out + n, cap - n);
        return n;
    }
    if (cap <= 0) return 0;
    out[0] = e;
    return 1;
}

int32_t sql_count_and(const Expr *e)
{
    if (e->kind == EX_CALL && e->fn == FN_AND) {
        int32_t n = 0;
        for (int32_t i = 0; i < e->nargs; i++) n += sql_count_and(e->args[i]);
        return n;
    }
    return 1;
}

/* AND of a list of conditions (NULL when empty). */
Expr *sql_and_all(Binder *b, Expr **conds, int32_t n)
{
    if (n == 0) return NULL;
    if (n == 1) return conds[0];
    Expr *e = sql_expr_call(b->arena, FN_AND, conds, n, conds[0]->line, conds[0]->column);
    e->type = ty_make(TY_BOOLEAN);
    for (int32_t i = 0; i < n; i++)
        if (conds[i]->type.nullable) e->type.nullable = 1;
    return e;
}

/* Makes both sides of each key pair a plain column of its input (adding
 * computed columns below the join where needed, with a common type), then
 * builds the join.  `cond` is over left ++ right with the inputs' original
 * widths; it is shifted when the left input grows. */
PlanNode *sql_build_join(Binder *b, JoinType type, Rel *left, Rel *right, int32_t nkeys,
                         KeyPair *keys, Expr *cond, const AstNode *at)
{
    int32_t *lk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nkeys ? nkeys : 1));
    int32_t *rk = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nkeys ? nkeys : 1));
    Expr **lextra = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nkeys ? nkeys : 1));
    Expr **rextra = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nkeys ? nkeys : 1));
    int32_t nl = 0, nr = 0;
    int32_t lwidth = left->node->ncols, rwidth = right->node->ncols;
    for (int32_t k = 0; k < nkeys; k++) {
        Expr *l = keys[k].left, *r = keys[k].right;
        if (!ty_equal(l->type, r->type)) {
            SqlType common;
            char t1[64], t2[64];
            if (!sql_common_type(l->type, r->type, &common)) {
                bind_error(b, at, WB_SQLSTATE_DATATYPE, "join keys of types %s and %s cannot be compared",
                           ty_name(l->type, t1, sizeof t1), ty_name(r->type, t2, sizeof t2));
                return NULL;
            }
            l = sql_coerce(b->arena, l, common);
            r = sql_coerce(b->arena, r, common);
        }
        if (l->kind == EX_COL) lk[k] = l->col;
        else { lk[k] = lwidth + nl; lextra[nl++] = l; }
        if (r->kind == EX_COL) rk[k] = r->col;
        else { rk[k] = rwidth + nr; rextra[nr++] = r; }
    }
    rel_extend(b, left, nl, lextra);
    rel_extend(b, right, nr, rextra);
    if (cond && nl > 0) cond = sql_expr_shift(b->arena, cond, lwidth, nl, -1);
    return sql_node_join(b, type, left->node, right->node, nkeys, lk, rk, cond);
}

static JoinType join_type_of(AstJoinType type)
{
    switch (type) {
    case AJ_LEFT: return JT_LEFT;
    case AJ_RIGHT: return JT_RIGHT;
    case AJ_FULL: return JT_FULL;
    default: return JT_INNER;
    }
}

/* The scope of a join: left columns then right columns (shifted by the
 * left node's final width). */
static void join_scope(Binder *b, const Rel *left, const Rel *right, int32_t right_offset,
                       JoinType type, Rel *out)
{
    out->ncols = left->ncols + right->ncols;
    out->cols = scope_alloc(b, out->ncols);
    for (int32_t i = 0; i < left->ncols; i++) {
        out->cols[i] = left->cols[i];
        if (type == JT_RIGHT || type == JT_FULL) out->cols[i].type.nullable = 1;
    }
    for (int32_t i = 0; i < right->ncols; i++) {
        ScopeCol *col = &out->cols[left->ncols + i];
        *col = right->cols[i];
        col->index += right_offset;
        if (type == JT_LEFT || type == JT_FULL) col->type.nullable = 1;
    }
}

static bool plan_join_using(Binder *b, const AstNode *ast, JoinType type, Rel *left, Rel *right,
                            Rel *out)
{
    int32_t n = ast->join.using_cols.count;
    KeyPair *keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)n);
    int32_t *lidx = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)n);
    int32_t *ridx = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)n);
    for (int32_t k = 0; k < n; k++) {
        const AstNode *ident = ast->join.using_cols.items[k];
        const char *name = ident->ident.name;
        lidx[k] = sql_scope_find(left, NULL, name);
        ridx[k] = sql_scope_find(right, NULL, name);
        if (lidx[k] < 0 || ridx[k] < 0) {
            if (lidx[k] == -2 || ridx[k] == -2)
                bind_error(b, ident, WB_SQLSTATE_AMBIGUOUS_COL,
                           "common column name \"%s\" appears more than once in %s table", name,
                           lidx[k] == -2 ? "left" : "right");
            else
                bind_error(b, ident, WB_SQLSTATE_UNDEFINED_COL,
                           "column \"%s\" specified in USING clause does not exist in %s table",
                           name, lidx[k] < 0 ? "left" : "right");
            return false;
        }
        keys[k].left = sql_expr_col(b->arena, left->cols[lidx[k]].index, left->cols[lidx[k]].type);
        keys[k].right = sql_expr_col(b->arena, right->cols[ridx[k]].index, right->cols[ridx[k]].type);
    }
    PlanNode *join = sql_build_join(b, type, left, right, n, keys, NULL, ast);
    if (!join) return false;
    int32_t offset = left->node->ncols;
    Rel joined;
    join_scope(b, left, right, offset, type, &joined);
    joined.node = join;
    /* The USING columns come first, once, unqualified; the sides' own
     * columns stay reachable as t.col.  FULL joins merge with COALESCE. */
    Expr **merged = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    int32_t nmerged = 0;
    out->ncols = n + joined.ncols;
    out->cols = scope_alloc(b, out->ncols);
    for (int32_t k = 0; k < n; k++) {
        ScopeCol *lc = &joined.cols[lidx[k]], *rc = &joined.cols[left->ncols + ridx[k]];
        ScopeCol *col = &out->cols[k];
        *col = type == JT_RIGHT ? *rc : *lc;
        col->qualifier = NULL;
        col->star_hidden = false;
        col->name_hidden = false;
        if (type == JT_FULL) {
            Expr *args[2] = {sql_expr_col(b->arena, lc->index, lc->type),
                             sql_expr_col(b->arena, rc->index, rc->type)};
            Expr *co = sql_expr_call(b->arena, FN_COALESCE, args, 2, ast->line, ast->column);
            if (sql_func_resolve(co, b->arena, b->err) != 0) return false;
            col->index = join->ncols + nmerged;
            col->type = co->type;
            merged[nmerged++] = co;
        }
        lc->star_hidden = lc->name_hidden = true;
        rc->star_hidden = rc->name_hidden = true;
    }
    for (int32_t i = 0; i < joined.ncols; i++) out->cols[n + i] = joined.cols[i];
    out->node = join;
    rel_extend(b, out, nmerged, merged);
    return true;
}

/* The rows of `side` (a join input) that are in no pair of `pairs` (the
 * inner join's result, over left ++ right): an ANTI join on all the
 * side's columns, NULL-safely (equal rows have the same pairs), padded
 * with NULLs for the other side's columns, in left ++ right order. */
static PlanNode *unpaired_rows(Binder *b, Rel *side, bool is_left, PlanNode *pairs, int32_t lw,
                               int32_t rw, const SqlType *other_types, const AstNode *at)
{
    int32_t w = is_left ? lw : rw, off = is_left ? 0 : lw;
    Expr **cols = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(w + 1));
    for (int32_t c = 0; c < w; c++) cols[c] = sql_expr_col(b->arena, off + c, pairs->types[off + c]);
    PlanNode *seen = sql_node_distinct(b, sql_node_calc(b, pairs, NULL, w, cols, NULL));
    KeyPair *keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(2 * w + 1));
    for (int32_t c = 0; c < w; c++) {
        Expr *sides[2] = {sql_expr_col(b->arena, c, side->node->types[c]),
                          sql_expr_col(b->arena, c, seen->types[c])};
        for (int k = 0; k < 2; k++) {
            Value zero = {0};
            zero.type = sides[k]->type;
            zero.type.nullable = 0;
            Expr *args[2] = {sides[k], sql_expr_const(b->arena, zero)};
            Expr *v = sql_expr_call(b->arena, FN_COALESCE, args, 2, at->line, at->column);
            Expr *n = sql_expr_call(b->arena, FN_IS_NULL, &sides[k], 1, at->line, at->column);
            if (sql_func_resolve(v, b->arena, b->err) != 0 ||
                sql_func_resolve(n, b->arena, b->err) != 0)
                return NULL;
            if (k == 0) { keys[2 * c].left = v; keys[2 * c + 1].left = n; }
            else { keys[2 * c].right = v; keys[2 * c + 1].right = n; }
        }
    }
    Rel lrel = *side, rrel = {seen, 0, NULL};
    PlanNode *anti = sql_build_join(b, JT_ANTI, &lrel, &rrel, 2 * w, keys, NULL, at);
    if (!anti) return NULL;
    Expr **out = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(lw + rw + 1));
    for (int32_t c = 0; c < lw + rw; c++) {
        bool mine = is_left ? c < lw : c >= lw;
        if (mine) {
            out[c] = sql_expr_col(b->arena, c - off, anti->types[c - off]);
        } else {
            Value null = {0};
            null.type = other_types[is_left ? c - lw : c];
            null.type.nullable = 1;
            null.is_null = true;
            out[c] = sql_expr_const(b->arena, null);
        }
    }
    return sql_node_calc(b, anti, NULL, lw + rw, out, pairs->names);
}

/* A join whose ON holds a subquery.  An inner join's ON is a WHERE over
 * the pairs, so the subqueries become semi/anti joins or joined values as
 * in WHERE (the optimizer then makes its equalities keys).  An outer join
 * is those pairs plus, per preserved side, its rows in no pair, padded. */
static bool plan_join_on_subquery(Binder *b, const AstNode *ast, JoinType type, const Env *outer,
                                  Rel *left, Rel *right, Rel *out)
{
    int32_t lw = left->node->ncols, rw = right->node->ncols;
    Rel pairs;
    join_scope(b, left, right, lw, JT_INNER, &pairs);
    pairs.node = sql_node_join(b, JT_INNER, left->node, right->node, 0, NULL, NULL, NULL);
    Env env;
    env_init(&env, b, &pairs);
    env.outer = outer;
    env.corr = outer ? CORR_ERROR : CORR_NONE;
    env.clause = "JOIN ON";
    if (!sql_plan_where(&env, ast->join.on)) return false;
    join_scope(b, left, right, lw, type, out);
    if (type == JT_INNER) {
        out->node = pairs.node;
        return true;
    }
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(lw + rw + 1));
    for (int32_t c = 0; c < lw + rw; c++) exprs[c] = sql_expr_col(b->arena, c, pairs.node->types[c]);
    PlanNode *matched = sql_node_calc(b, pairs.node, NULL, lw + rw, exprs, NULL);
    PlanNode *parts[3] = {matched, NULL, NULL};
    int32_t nparts = 1;
    if (type == JT_LEFT || type == JT_FULL) {
        if (!(parts[nparts++] = unpaired_rows(b, left, true, matched, lw, rw, right->node->types, ast)))
            return false;
    }
    if (type == JT_RIGHT || type == JT_FULL) {
        if (!(parts[nparts++] = unpaired_rows(b, right, false, matched, lw, rw, left->node->types, ast)))
            return false;
    }
    /* one schema for the union: the padded sides nullable everywhere */
    for (int32_t i = 0; i < nparts; i++) {
        Expr **e = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(lw + rw + 1));
        for (int32_t c = 0; c < lw + rw; c++) {
            SqlType t = out->cols[c].type;
            SqlType have = parts[i]->types[c];
            e[c] = sql_expr_col(b->arena, c, have);
            t.nullable = 1;
            if (!ty_equal(have, t)) e[c] = sql_expr_cast(b->arena, e[c], t);
        }
        parts[i] = sql_node_calc(b, parts[i], NULL, lw + rw, e, matched->names);
    }
    out->node = sql_node_union(b, nparts, parts);
    return true;
}

static bool plan_join(Binder *b, const AstNode *ast, const Env *outer, Rel *out)
{
    Rel left, right;
    if (!sql_plan_from(b, ast->join.left, outer, &left)) return false;
    if (!sql_plan_from(b, ast->join.right, outer, &right)) return false;
    JoinType type = join_type_of(ast->join.type);
    if (ast->join.using_cols.count > 0) return plan_join_using(b, ast, type, &left, &right, out);
    int32_t lwidth = left.node->ncols;
    Rel combined;
    join_scope(b, &left, &right, lwidth, type, &combined);
    if (ast->join.on && sql_ast_has_subquery(ast->join.on))
        return plan_join_on_subquery(b, ast, type, outer, &left, &right, out);
    combined.node = NULL;   /* no subqueries in ON here (see plan_join_on_subquery) */
    KeyPair *keys = NULL;
    int32_t nkeys = 0;
    Expr *cond = NULL;
    if (ast->join.on) {
        Env env;
        env_init(&env, b, &combined);
        env.outer = outer;
        env.corr = outer ? CORR_ERROR : CORR_NONE;
        Expr *on = sql_bind_condition(&env, ast->join.on, "JOIN ON");
        if (!on) return false;
        int32_t n = sql_count_and(on);
        Expr **parts = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        Expr **rest = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        Expr **lfilter = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        Expr **rfilter = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)n);
        n = sql_split_and(on, parts, n);
        int32_t nrest = 0, nlf = 0, nrf = 0;
        int32_t total = lwidth + right.node->ncols;
        for (int32_t i = 0; i < n; i++) {
            Expr *c = parts[i];
            if (c->kind == EX_CALL && c->fn == FN_EQ) {
                Expr *a = c->args[0], *z = c->args[1];
                bool a_left = sql_expr_has_cols(a) && sql_expr_cols_within(a, 0, lwidth);
                bool a_right = sql_expr_has_cols(a) && sql_expr_cols_within(a, lwidth, total);
                bool z_left = sql_expr_has_cols(z) && sql_expr_cols_within(z, 0, lwidth);
                bool z_right = sql_expr_has_cols(z) && sql_expr_cols_within(z, lwidth, total);
                if ((a_left && z_right) || (a_right && z_left)) {
                    Expr *l = a_left ? a : z, *r = a_left ? z : a;
                    keys[nkeys].left = l;
                    keys[nkeys].right = sql_expr_shift(b->arena, r, lwidth, -lwidth, -1);
                    nkeys++;
                    continue;
                }
            }
            /* A condition over one input only is applied below the join
             * where that keeps outer-join semantics: on the inner side. */
            bool only_left = sql_expr_cols_within(c, 0, lwidth) && sql_expr_has_cols(c);
            bool only_right = sql_expr_cols_within(c, lwidth, total) && sql_expr_has_cols(c);
            if (only_left && (type == JT_INNER || type == JT_RIGHT)) lfilter[nlf++] = c;
            else if (only_right && (type == JT_INNER || type == JT_LEFT))
                rfilter[nrf++] = sql_expr_shift(b->arena, c, lwidth, -lwidth, -1);
            else rest[nrest++] = c;
        }
        if (nlf) left.node = sql_node_filter_extend(b, left.node, sql_and_all(b, lfilter, nlf), 0, NULL);
        if (nrf) right.node = sql_node_filter_extend(b, right.node, sql_and_all(b, rfilter, nrf), 0, NULL);
        cond = sql_and_all(b, rest, nrest);
    } else if (type != JT_INNER) {
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "%s JOIN needs an ON or USING condition",
                   type == JT_LEFT ? "LEFT" : type == JT_RIGHT ? "RIGHT" : "FULL");
        return false;
    }
    PlanNode *join = sql_build_join(b, type, &left, &right, nkeys, keys, cond, ast);
    if (!join) return false;
    sql_hint_join_ttl(b, ast, join);
    join_scope(b, &left, &right, left.node->ncols, type, out);
    out->node = join;
    return true;
}

bool sql_rel_rename(Binder *b, Rel *rel, const AstList *aliases, const AstNode *at)
{
    return rel_rename(b, rel, aliases, at);
}

ScopeCol *sql_scope_alloc(Binder *b, int32_t n)
{
    return scope_alloc(b, n);
}

bool sql_plan_from(Binder *b, const AstNode *from, const Env *outer, Rel *out)
{
    switch (from->kind) {
    case AST_TVF_REF:
        return sql_plan_window_tvf(b, from, out);
    case AST_TABLE_REF:
        return plan_table_ref(b, from, out);
    case AST_SUBQUERY_REF: {
        CteDef *saved = b->ctes;
        bool ok = sql_plan_query(b, from->subquery_ref.query, NULL, out);
        b->ctes = saved;
        if (!ok) return false;
        rel_qualify(out, from->subquery_ref.alias);
        return rel_rename(b, out, &from->subquery_ref.col_aliases, from);
    }
    case AST_JOIN:
        return plan_join(b, from, outer, out);
    default:
        bind_error(b, from, WB_SQLSTATE_SYNTAX, "unexpected %s in FROM", sql_ast_kind_name(from->kind));
        return false;
    }
}

/* ---- ORDER BY / LIMIT ---- */

/* What ORDER BY items may refer to: the output columns by position or
 * name, or (for SELECT) expressions equal to a select item. */
typedef struct OrderCtx {
    Rel *output;                 /* output columns and their names */
    Env *env;                    /* NULL for set operations / VALUES */
    Expr **items;                /* bound select items, then hidden sort columns */
    int32_t nitems;              /* node columns items[] describes */
    const int32_t *item_cols;    /* per ORDER BY item: column bound in advance, or -1 */
} OrderCtx;

static bool const_int_of(Binder *b, const AstNode *ast, const char *what, int64_t *out)
{
    if (ast->kind != AST_LITERAL || !ty_is_integer((TypeId)ast->literal.type.id) ||
        ast->literal.i64 < 0) {
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "%s must be a non-negative integer constant", what);
        return false;
    }
    *out = ast->literal.i64;
    return true;
}

static bool resolve_order(Binder *b, const AstList *order_by, OrderCtx *ctx, SortKey **keys_out)
{
    int32_t n = order_by->count;
    SortKey *keys = wb_arena_calloc(b->arena, sizeof(SortKey) * (size_t)(n ? n : 1));
    for (int32_t i = 0; i < n; i++) {
        const AstNode *item = order_by->items[i];
        const AstNode *expr = item->order_item.expr;
        int32_t col = ctx->item_cols ? ctx->item_cols[i] : -1;
        if (col >= 0) {
            /* bound by order_hidden_columns (binding twice would plan a
             * scalar subquery twice) */
        } else if (expr->kind == AST_LITERAL && ty_is_integer((TypeId)expr->literal.type.id)) {
            int64_t pos = expr->literal.i64;
            if (pos < 1 || pos > ctx->output->ncols) {
                bind_error(b, expr, WB_SQLSTATE_SYNTAX, "ORDER BY position %lld is not in select list",
                           (long long)pos);
                return false;
            }
            col = (int32_t)pos - 1;
        } else if (expr->kind == AST_COLUMN_REF && !expr->column_ref.qualifier) {
            int32_t found = sql_scope_find(ctx->output, NULL, expr->column_ref.name);
            if (found == -2 && !ctx->env) {
                bind_error(b, expr, WB_SQLSTATE_AMBIGUOUS_COL, "ORDER BY \"%s\" is ambiguous",
                           expr->column_ref.name);
                return false;
            }
            if (found >= 0) col = found;
        }
        if (col < 0 && ctx->env) {
            Env env = *ctx->env;
            env.clause = "ORDER BY";
            Expr *e = sql_bind_expr(&env, expr);
            if (!e) return false;
            for (int32_t j = 0; j < ctx->nitems && col < 0; j++)
                if (sql_expr_equal(e, ctx->items[j])) col = j;
        }
        if (col < 0) {
            bind_error(b, expr, WB_SQLSTATE_FEATURE, "ORDER BY expression must appear in the select list");
            wb_error_hint(b->err, "Add the expression to the select list, or order by an output "
                                  "column name or position.");
            return false;
        }
        keys[i].col = col;
        keys[i].desc = item->order_item.desc;
        keys[i].nulls_first = item->order_item.nulls_first ? true
                              : item->order_item.nulls_last ? false : !keys[i].desc;
    }
    *keys_out = keys;
    return true;
}

/* The result of planning a query with its presentation order. */
typedef struct QueryOut {
    Rel rel;
    int32_t norder;
    SortKey *order;              /* cols: output positions, or node columns >= rel.ncols */
    int64_t limit;
    int32_t nhidden_order;       /* trailing node columns that only ORDER BY uses */
    int32_t npart;               /* a subquery's LIMIT per domain value: its */
    int32_t *part;               /* partition columns (SubDomain) */
} QueryOut;

/* LIMIT / OFFSET: a global RANK (top-N), so that streaming maintains the
 * first rows under retractions. */
static bool apply_order_limit(Binder *b, const AstQueryTail *tail, OrderCtx *octx, QueryOut *out)
{
    out->norder = 0;
    out->order = NULL;
    out->limit = -1;
    if (tail->order_by.count > 0) {
        if (!resolve_order(b, &tail->order_by, octx, &out->order)) return false;
        out->norder = tail->order_by.count;
    }
    int64_t limit = -1, offset = 0;
    if (tail->limit && !const_int_of(b, tail->limit, "LIMIT", &limit)) return false;
    if (tail->offset && !const_int_of(b, tail->offset, "OFFSET", &offset)) return false;
    if (tail->limit || tail->offset) {
        PlanNode *rank = sql_node_rank(b, out->rel.node, out->npart, out->part, out->norder,
                                       out->order, limit, offset, false);
        out->rel.node = rank;
        out->limit = limit;
    }
    return true;
}

/* ---- SELECT ---- */

/* Binds the ORDER BY items of a SELECT that name neither an output column
 * (by position or name) nor an expression equal to one of exprs[0..n), and
 * collects them (each once) in hidden[]: they are sorted on but not shown. */
static bool order_hidden_columns(Binder *b, const AstQueryTail *tail, Env *sel_env,
                                 char **names, Expr **exprs, int32_t n, int32_t nvisible,
                                 Expr **hidden, int32_t *nhidden, int32_t *item_cols)
{
    Rel visible;
    visible.node = NULL;
    visible.ncols = nvisible;
    visible.cols = scope_alloc(b, nvisible);
    for (int32_t i = 0; i < nvisible; i++) {
        visible.cols[i].name = names[i];
        visible.cols[i].index = i;
    }
    for (int32_t i = 0; i < tail->order_by.count; i++) {
        const AstNode *expr = tail->order_by.items[i]->order_item.expr;
        item_cols[i] = -1;
        if (expr->kind == AST_LITERAL && ty_is_integer((TypeId)expr->literal.type.id)) continue;
        if (expr->kind == AST_COLUMN_REF && !expr->column_ref.qualifier &&
            sql_scope_find(&visible, NULL, expr->column_ref.name) >= 0)
            continue;
        Env env = *sel_env;
        env.clause = "ORDER BY";
        Expr *e = sql_bind_expr(&env, expr);
        if (!e) return false;
        for (int32_t j = 0; j < n && item_cols[i] < 0; j++)
            if (sql_expr_equal(e, exprs[j])) item_cols[i] = j;
        for (int32_t h = 0; h < *nhidden && item_cols[i] < 0; h++)
            if (sql_expr_equal(e, hidden[h])) item_cols[i] = n + h;
        if (item_cols[i] < 0) {
            item_cols[i] = n + *nhidden;
            hidden[(*nhidden)++] = e;
        }
    }
    return true;
}

static char *item_name(Binder *b, const AstNode *item, const Rel *scope_rel, int32_t pos)
{
    if (item->select_item.alias) return (char *)item->select_item.alias;
    const AstNode *e = item->select_item.expr;
    if (e->kind == AST_COLUMN_REF) {
        int32_t idx = sql_scope_find(scope_rel, e->column_ref.qualifier, e->column_ref.name);
        if (idx >= 0) return (char *)scope_rel->cols[idx].name;
        return (char *)e->column_ref.name;
    }
    return wb_arena_printf(b->arena, "EXPR$%d", (int)pos);
}

static AstNode *synthetic_ref(Binder *b, const ScopeCol *col, const AstNode *at)
{
    AstNode *ref = wb_arena_calloc(b->arena, sizeof *ref);
    ref->kind = AST_COLUMN_REF;
    ref->line = at->line;
    ref->column = at->column;
    ref->column_ref.qualifier = col->qualifier;
    ref->column_ref.name = col->name;
    return ref;
}

static bool add_window_col(Binder *b, Env *env, const AstNode *call, int32_t col, SqlType type)
{
    WindowCol *grown = wb_arena_alloc(b->arena, sizeof(WindowCol) * (size_t)(env->nwindows + 1));
    if (env->nwindows > 0) memcpy(grown, env->windows, sizeof(WindowCol) * (size_t)env->nwindows);
    env->windows = grown;
    env->windows[env->nwindows].call = call;
    env->windows[env->nwindows].col = col;
    env->windows[env->nwindows].type = type;
    env->nwindows++;
    return true;
}

/* A column of env's relation holding e (appended when e is not one). */
static int32_t column_of(Binder *b, Env *env, Expr *e)
{
    if (e->kind == EX_COL) return e->col;
    int32_t col = env->rel->node->ncols;
    rel_extend(b, env->rel, 1, &e);
    return col;
}

/* AGG(..) OVER (PARTITION BY .. ORDER BY time [frame]) as a PN_OVER node
 * (plan.h) over env's relation; its value is the node's last column. */
static bool plan_over_agg(Binder *b, const AstNode *call, Env *env)
{
    const AstNode *win = call->call.over;
    if (win->window.order_by.count != 1) {
        bind_error(b, win, WB_SQLSTATE_FEATURE,
                   "an aggregate OVER a window must be ordered by one time attribute (ORDER BY ts)");
        return false;
    }
    const AstNode *oi = win->window.order_by.items[0];
    Env wenv = *env;
    wenv.clause = "OVER";
    Expr *order = sql_bind_expr(&wenv, oi->order_item.expr);
    if (!order) return false;
    if (order->kind != EX_COL || order->type.id != TY_TIMESTAMP || !order->type.time_attr ||
        oi->order_item.desc) {
        bind_error(b, oi, WB_SQLSTATE_FEATURE,
                   "OVER windows must be ordered ascending by a time attribute (a column with a "
                   "WATERMARK, or PROCTIME())");
        return false;
    }
    /* an updating input is taken (unlike Flink) over event time only: a
     * retraction's processing time is not the row's it takes back */
    if (order->type.time_attr == TY_PROCTIME && env->rel->node->mode != CM_INSERT_ONLY) {
        bind_error(b, call, WB_SQLSTATE_FEATURE,
                   "an aggregate OVER processing time needs an insert-only input, but this one "
                   "updates");
        return false;
    }
    OverSpec os;
    memset(&os, 0, sizeof os);
    os.order_col = order->col;
    os.proctime = order->type.time_attr == TY_PROCTIME;
    /* the frame: by default RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW */
    AstFrameBound start = win->window.frame_start, end = win->window.frame_end;
    os.rows = start != AFB_NONE && win->window.frame_rows;
    os.unbounded = start == AFB_NONE || start == AFB_UNBOUNDED_PRECEDING;
    if ((start != AFB_NONE && start != AFB_UNBOUNDED_PRECEDING && start != AFB_PRECEDING &&
         start != AFB_CURRENT_ROW) ||
        (end != AFB_NONE && end != AFB_CURRENT_ROW)) {
        bind_error(b, win, WB_SQLSTATE_FEATURE,
                   "OVER frames must end at the current row (.. PRECEDING AND CURRENT ROW)");
        return false;
    }
    if (start == AFB_CURRENT_ROW) {
        os.preceding = 0;
    } else if (start == AFB_PRECEDING) {
        const AstNode *off = win->window.start_offset;
        if (os.rows) {
            if (off->kind != AST_LITERAL || !ty_is_integer((TypeId)off->literal.type.id) ||
                off->literal.i64 < 0) {
                bind_error(b, off, WB_SQLSTATE_SYNTAX, "ROWS .. PRECEDING needs a non-negative integer");
                return false;
            }
            os.preceding = off->literal.i64;
        } else {
            if (off->kind != AST_LITERAL || off->literal.type.id != TY_INTERVAL_DT ||
                off->literal.i64 < 0) {
                bind_error(b, off, WB_SQLSTATE_SYNTAX,
                           "RANGE .. PRECEDING needs an INTERVAL literal (days to seconds)");
                return false;
            }
            os.preceding = off->literal.i64 * 1000;
        }
    }
    /* partition columns */
    int32_t np = win->window.partition_by.count;
    int32_t *part = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(np + 1));
    for (int32_t k = 0; k < np; k++) {
        Expr *e = sql_bind_expr(&wenv, win->window.partition_by.items[k]);
        if (!e) return false;
        part[k] = column_of(b, env, e);
    }
    /* the aggregate call, collected as GROUP BY would */
    AggInfo *agg = wb_arena_calloc(b->arena, sizeof(AggInfo));
    Env *pre = wb_arena_alloc(b->arena, sizeof(Env));
    *pre = *env;
    pre->agg = NULL;
    agg->pre = pre;
    Env collect = *env;
    collect.agg = agg;
    agg->collecting = true;
    AstNode bare = *call;
    bare.call.over = NULL;
    if (sql_collect_aggs(&collect, &bare)) return false;
    if (agg->naggs != 1) {
        bind_error(b, call, WB_SQLSTATE_FEATURE, "an aggregate OVER a window cannot nest aggregates");
        return false;
    }
    AggItem item = agg->aggs[0];
    /* the inner aggregate's input: partition columns, then its arguments */
    int32_t *proj = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(np + 4));
    memcpy(proj, part, sizeof(int32_t) * (size_t)np);
    int32_t nproj = np;
    int32_t argc = -1, arg2c = -1, filc = -1;
    Expr *parts[3] = {item.arg, item.arg2, item.filter};
    int32_t *slots[3] = {&argc, &arg2c, &filc};
    for (int k = 0; k < 3; k++) {
        if (!parts[k]) continue;
        proj[nproj] = column_of(b, env, parts[k]);
        *slots[k] = nproj++;
    }
    PlanNode *input = env->rel->node;
    Expr **pexprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nproj + 1));
    char **pnames = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(nproj + 1));
    for (int32_t i = 0; i < nproj; i++) {
        pexprs[i] = sql_expr_col(b->arena, proj[i], input->types[proj[i]]);
        pnames[i] = input->names[proj[i]];
    }
    PlanNode *pcalc = sql_node_calc(b, input, NULL, nproj, pexprs, pnames);
    /* rows leave a bounded frame, and over an updating input every frame
     * is fed and emptied again: the aggregate sees retractions */
    if (!os.unbounded || input->mode != CM_INSERT_ONLY) pcalc->mode = CM_RETRACT;
    PlanNode *aggnode = sql_node_agg(b, pcalc, np, 1, &item, &argc, &arg2c, &filc);
    os.npartition = np;
    os.partition = part;
    os.nproj = nproj;
    os.proj = proj;
    os.agg = aggnode;
    int32_t n = input->ncols;
    PlanNode *over = sql_node_new(b, PN_OVER, n + 1, 1);
    over->inputs[0] = input;
    memcpy(over->types, input->types, sizeof(SqlType) * (size_t)n);
    memcpy(over->names, input->names, sizeof(char *) * (size_t)n);
    over->types[n] = aggnode->types[np];
    over->names[n] = wb_arena_printf(b->arena, "$over%d", (int)n);
    over->over = os;
    over->mode = input->mode == CM_INSERT_ONLY ? CM_INSERT_ONLY : CM_RETRACT;
    env->rel->node = over;
    return add_window_col(b, env, call, n, over->types[n]);
}

static bool plan_over_calls(const AstNode *ast, void *ctx)
{
    Env *env = ctx;
    if (ast->kind == AST_CALL && ast->call.over &&
        sql_agg_lookup(ast->call.name, strlen(ast->call.name)) >= 0)
        return plan_over_agg(env->b, ast, env);
    if (ast->kind == AST_SUBQUERY || ast->kind == AST_EXISTS) return true;
    return sql_ast_each_child(ast, plan_over_calls, env);
}

/* Plans ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) select items as
 * RANK nodes (unlimited until the enclosing query's rn filter sets it),
 * and aggregates OVER (..) anywhere in a select item as PN_OVER nodes. */
static bool plan_windows(Binder *b, const AstNode *sel, Env *env, PlanNode **rank_nodes)
{
    const AstList *items = &sel->select.items;
    for (int32_t i = 0; i < items->count; i++) {
        const AstNode *call = items->items[i]->select_item.expr;
        rank_nodes[i] = NULL;
        if (call->kind != AST_CALL || !call->call.over ||
            sql_agg_lookup(call->call.name, strlen(call->call.name)) >= 0) {
            if (!plan_over_calls(call, env)) return false;
            continue;
        }
        const char *name = call->call.name;
        if (!wb_ieq(name, strlen(name), "ROW_NUMBER")) {
            bind_error(b, call, WB_SQLSTATE_FEATURE, "window function %s is not supported yet", name);
            wb_error_hint(b->err, "ROW_NUMBER() and aggregates (SUM, COUNT, ..) OVER (..) are supported.");
            return false;
        }
        const AstNode *win = call->call.over;
        if (call->call.args.count > 0 || win->window.frame_start != AFB_NONE) {
            bind_error(b, call, WB_SQLSTATE_FEATURE, "ROW_NUMBER() takes no arguments and no frame");
            return false;
        }
        int32_t np = win->window.partition_by.count, ns = win->window.order_by.count;
        int32_t *part = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(np ? np : 1));
        SortKey *sort = wb_arena_calloc(b->arena, sizeof(SortKey) * (size_t)(ns ? ns : 1));
        Expr **extra = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(np + ns + 1));
        int32_t nextra = 0, width = env->rel->node->ncols;
        for (int32_t k = 0; k < np + ns; k++) {
            const AstNode *ast = k < np ? win->window.partition_by.items[k]
                                        : win->window.order_by.items[k - np]->order_item.expr;
            Env wenv = *env;
            wenv.clause = "OVER";
            Expr *e = sql_bind_expr(&wenv, ast);
            if (!e) return false;
            int32_t col;
            if (e->kind == EX_COL) col = e->col;
            else { col = width + nextra; extra[nextra++] = e; }
            if (k < np) {
                part[k] = col;
            } else {
                const AstNode *oi = win->window.order_by.items[k - np];
                SortKey *key = &sort[k - np];
                key->col = col;
                key->desc = oi->order_item.desc;
                key->nulls_first = oi->order_item.nulls_first ? true
                                   : oi->order_item.nulls_last ? false : !key->desc;
            }
        }
        rel_extend(b, env->rel, nextra, extra);
        PlanNode *rank = sql_node_rank(b, env->rel->node, np, part, ns, sort, -1, 0, true);
        env->rel->node = rank;
        rank_nodes[i] = rank;
        SqlType rn = ty_make(TY_BIGINT);
        rn.nullable = 0;
        add_window_col(b, env, call, rank->ncols - 1, rn);
    }
    return true;
}

/* A CALC that only filters (passes every column through) can take the
 * projection above it into itself. */
static bool is_pure_filter(const PlanNode *node)
{
    if (node->kind != PN_CALC || node->ncols != node->inputs[0]->ncols) return false;
    for (int32_t i = 0; i < node->calc.nexprs; i++)
        if (node->calc.exprs[i]->kind != EX_COL || node->calc.exprs[i]->col != i) return false;
    return true;
}

static bool plan_select_block(Binder *b, const AstNode *sel, const Env *outer, QueryOut *qout);

/* A SELECT block: its STATE_TTL hint holds for it, not for the blocks
 * nested in it. */
static bool plan_select(Binder *b, const AstNode *sel, const Env *outer, QueryOut *qout)
{
    const AstNode *saved = b->state_ttl;
    b->state_ttl = sql_hint_find(&sel->select.hints, "STATE_TTL");
    bool ok = sql_hint_state_ttl_check(b, sel) && plan_select_block(b, sel, outer, qout);
    b->state_ttl = saved;
    return ok;
}

static bool plan_select_block(Binder *b, const AstNode *sel, const Env *outer, QueryOut *qout)
{
    ScalarCorr *sc = b->scorr;   /* only for this SELECT, not for nested ones */
    b->scorr = NULL;
    SubDomain *dom = b->domain;  /* likewise */
    b->domain = NULL;
    Rel *from = wb_arena_calloc(b->arena, sizeof(Rel));
    if (sel->select.from) {
        if (!sql_plan_from(b, sel->select.from, outer, from)) return false;
    } else {
        sql_rel_single_row(b, from);
    }
    Env env;
    env_init(&env, b, from);
    env.outer = outer;
    env.corr = outer ? CORR_ERROR : CORR_NONE;
    int32_t *dom_out = NULL;    /* domain mode: D's columns in the output */
    if (dom && outer) {
        env.domain = dom;
        if (dom->record) {
            env.corr = CORR_RECORD;
        } else {
            /* D joins the FROM; outer references are its columns; they
             * group, partition and ride along (the join-back keys) */
            env.corr = CORR_DOMAIN;
            env.domain_base = from->node->ncols;
            from->node = sql_node_join(b, JT_INNER, from->node, dom->node, 0, NULL, NULL, NULL);
            /* D's columns join the scope under their outer names (only
             * qualified, never in *): a subquery nested in this one reads
             * them as this query's columns */
            ScopeCol *cols = wb_arena_calloc(b->arena, sizeof(ScopeCol) * (size_t)(from->ncols + dom->m + 1));
            memcpy(cols, from->cols, sizeof(ScopeCol) * (size_t)from->ncols);
            int32_t nc = from->ncols;
            for (int32_t j = 0; j < dom->m; j++) {
                for (int32_t c = 0; c < outer->rel->ncols; c++) {
                    const ScopeCol *oc = &outer->rel->cols[c];
                    if (oc->index != dom->dcols[j] || !oc->qualifier) continue;
                    cols[nc] = *oc;
                    cols[nc].index = env.domain_base + j;
                    cols[nc].star_hidden = true;
                    cols[nc].name_hidden = true;
                    cols[nc].rank_node = NULL;
                    nc++;
                }
            }
            from->cols = cols;
            from->ncols = nc;
            sc = dom->sc;
            sc->nkeys = dom->m;
            sc->keys = wb_arena_alloc(b->arena, sizeof(KeyPair) * (size_t)(dom->m + 1));
            for (int32_t j = 0; j < dom->m; j++) {
                sc->keys[j].left = sql_expr_col(b->arena, dom->dcols[j], dom->node->types[j]);
                sc->keys[j].right = sql_expr_col(b->arena, env.domain_base + j, dom->node->types[j]);
            }
            dom_out = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(dom->m + 1));
        }
    }
    if (sel->select.where) {
        env.clause = "WHERE";
        if (sc && !dom ? !sql_plan_where_corr(&env, sel->select.where, sc)
                       : !sql_plan_where(&env, sel->select.where))
            return false;
        env.clause = NULL;
    }
    bool correlated = sc && sc->nkeys > 0;
    const AstList *items = &sel->select.items;
    const AstQueryTail *tail = &sel->select.tail;
    bool has_agg = sel->select.group_by.count > 0 || sel->select.having;
    for (int32_t i = 0; i < items->count && !has_agg; i++)
        if (sql_ast_has_agg(items->items[i])) has_agg = true;
    for (int32_t i = 0; i < tail->order_by.count && !has_agg; i++)
        if (sql_ast_has_agg(tail->order_by.items[i])) has_agg = true;
    if (correlated && (!dom || dom->scalar) && !has_agg && items->count == 1 &&
        !sel->select.distinct && !tail->limit &&
        !tail->offset && items->items[0]->select_item.expr->kind != AST_STAR &&
        !sql_ast_has_window(items->items[0])) {
        /* (SELECT y FROM t WHERE t.k = o.k): the one row's value per
         * correlation key, NULL without a row, an error (21000) with more:
         * SINGLE_VALUE(y), as Flink plans it */
        const AstNode *orig = items->items[0];
        AstNode *call = wb_arena_calloc(b->arena, sizeof(AstNode));
        *call = *orig->select_item.expr;
        memset(&call->call, 0, sizeof call->call);
        call->kind = AST_CALL;
        call->call.name = "$SINGLE_VALUE";
        call->call.args.count = 1;
        call->call.args.items = wb_arena_alloc(b->arena, sizeof(AstNode *));
        call->call.args.items[0] = orig->select_item.expr;
        AstNode *item = wb_arena_alloc(b->arena, sizeof(AstNode));
        *item = *orig;
        item->select_item.expr = call;
        AstList *one = wb_arena_alloc(b->arena, sizeof(AstList));
        one->count = 1;
        one->items = wb_arena_alloc(b->arena, sizeof(AstNode *));
        one->items[0] = item;
        items = one;
        has_agg = true;
    }
    if (correlated && !dom && (!has_agg || sel->select.group_by.count || sel->select.distinct ||
                               tail->limit || tail->offset || items->count != 1)) {
        b->corr_failed = true;
        bind_error(b, sel, WB_SQLSTATE_FEATURE,
                   "a correlated scalar subquery must compute one aggregate, without GROUP BY, "
                   "DISTINCT or LIMIT");
        return false;
    }

    Env *sel_env = &env;            /* binds select items */
    Env post_env;
    Rel *post = NULL;
    Expr *having = NULL;
    if (has_agg) {
        AggInfo *agg = wb_arena_calloc(b->arena, sizeof(AggInfo));
        Env *pre = wb_arena_alloc(b->arena, sizeof(Env));
        *pre = env;
        agg->pre = pre;
        int32_t ng = sel->select.group_by.count;
        /* (+2: a group window groups by its three columns) */
        agg->group = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(ng + (sc ? sc->nkeys : 0) + 3));
        if (correlated) {
            /* the correlation keys group the aggregate */
            for (int32_t k = 0; k < sc->nkeys; k++) agg->group[agg->ngroup++] = sc->keys[k].right;
            ng = sc->nkeys;
        }
        GroupWindow *gwin = NULL;
        for (int32_t g = 0; g < sel->select.group_by.count; g++) {
            const AstNode *gast = sel->select.group_by.items[g];
            if (!sql_is_group_window(gast)) continue;
            if (gwin) {
                bind_error(b, gast, WB_SQLSTATE_GROUPING, "a GROUP BY has at most one group window");
                return false;
            }
            gwin = wb_arena_calloc(b->arena, sizeof *gwin);
            if (!sql_plan_group_window(b, from, gast, &sel->select.group_by, gwin)) return false;
            env.gwin = gwin;
            pre->gwin = gwin;
        }
        for (int32_t g = 0; g < sel->select.group_by.count; g++) {
            const AstNode *gast = sel->select.group_by.items[g];
            if (sql_is_group_window(gast)) {
                int32_t wc[3] = {gwin->start_col, gwin->end_col, gwin->time_col};
                for (int k = 0; k < 3; k++)
                    agg->group[agg->ngroup++] =
                        sql_expr_col(b->arena, wc[k], from->node->types[wc[k]]);
                continue;
            }
            pre->clause = "GROUP BY";
            Expr *e = sql_bind_expr(pre, gast);
            if (!e && gast->kind == AST_COLUMN_REF && !gast->column_ref.qualifier &&
                strcmp(b->err->sqlstate, WB_SQLSTATE_UNDEFINED_COL) == 0) {
                /* GROUP BY an output alias, as Flink's lenient conformance allows */
                for (int32_t i = 0; i < items->count; i++) {
                    const AstNode *it = items->items[i];
                    if (it->select_item.alias &&
                        strcasecmp(it->select_item.alias, gast->column_ref.name) == 0 &&
                        !sql_ast_has_agg(it->select_item.expr)) {
                        wb_error_clear(b->err);
                        e = sql_bind_expr(pre, it->select_item.expr);
                        break;
                    }
                }
            }
            if (!e) return false;
            agg->group[agg->ngroup++] = e;
        }
        pre->clause = NULL;
        ng = agg->ngroup;
        Env collect = env;
        collect.agg = agg;
        agg->collecting = true;
        for (int32_t i = 0; i < items->count; i++)
            if (sql_collect_aggs(&collect, items->items[i])) return false;
        if (sel->select.having && sql_collect_aggs(&collect, sel->select.having)) return false;
        for (int32_t i = 0; i < tail->order_by.count; i++)
            if (sql_collect_aggs(&collect, tail->order_by.items[i])) return false;
        agg->collecting = false;
        /* pre-projection: group keys, then aggregate arguments and filters */
        int32_t cap = ng + agg->naggs * 3 + 1;
        Expr **pexprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        char **pnames = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)cap);
        int32_t np = 0;
        for (int32_t g = 0; g < ng; g++) {
            pexprs[np] = agg->group[g];
            pnames[np] = agg->group[g]->kind == EX_COL ? from->node->names[agg->group[g]->col]
                                                       : wb_arena_printf(b->arena, "EXPR$%d", (int)g);
            np++;
        }
        int32_t *argc = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(agg->naggs + 1));
        int32_t *arg2c = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(agg->naggs + 1));
        int32_t *filc = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(agg->naggs + 1));
        for (int32_t j = 0; j < agg->naggs; j++) {
            Expr *parts[3] = {agg->aggs[j].arg, agg->aggs[j].arg2, agg->aggs[j].filter};
            int32_t *slots[3] = {&argc[j], &arg2c[j], &filc[j]};
            for (int k = 0; k < 3; k++) {
                *slots[k] = -1;
                if (!parts[k]) continue;
                int32_t found = -1;
                for (int32_t x = ng; x < np && found < 0; x++)
                    if (sql_expr_equal(pexprs[x], parts[k])) found = x;
                if (found < 0) {
                    found = np;
                    pexprs[np] = parts[k];
                    pnames[np] = wb_arena_printf(b->arena, "$f%d", (int)np);
                    np++;
                }
                *slots[k] = found;
            }
        }
        PlanNode *input = from->node;
        const Expr *filter = NULL;
        if (is_pure_filter(input)) {
            filter = input->calc.filter;
            input = input->inputs[0];
        }
        PlanNode *pcalc = sql_node_calc(b, input, filter, np, pexprs, pnames);
        PlanNode *aggnode = sql_node_agg(b, pcalc, ng, agg->naggs, agg->aggs, argc, arg2c, filc);
        sql_hint_agg_ttl(b, sel, aggnode);
        post = wb_arena_calloc(b->arena, sizeof(Rel));
        post->node = aggnode;
        post->ncols = 0;
        post->cols = scope_alloc(b, 0);
        post_env = env;
        post_env.rel = post;
        post_env.agg = agg;
        sel_env = &post_env;
        if (sel->select.having) {
            having = sql_bind_condition(&post_env, sel->select.having, "HAVING");
            if (!having) return false;
        }
    }
    PlanNode **rank_nodes = wb_arena_alloc(b->arena, sizeof(PlanNode *) * (size_t)(items->count + 1));
    if (!plan_windows(b, sel, sel_env, rank_nodes)) return false;

    /* select list, with * expanded */
    int32_t cap = 0;
    for (int32_t i = 0; i < items->count; i++)
        cap += items->items[i]->select_item.expr->kind == AST_STAR ? from->ncols : 1;
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(cap ? cap : 1));
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(cap ? cap : 1));
    PlanNode **ranks = wb_arena_calloc(b->arena, sizeof(PlanNode *) * (size_t)(cap ? cap : 1));
    int32_t n = 0;
    for (int32_t i = 0; i < items->count; i++) {
        const AstNode *item = items->items[i];
        const AstNode *e = item->select_item.expr;
        if (e->kind == AST_STAR) {
            const char *q = e->star.qualifier;
            int32_t before = n;
            for (int32_t c = 0; c < from->ncols; c++) {
                const ScopeCol *col = &from->cols[c];
                if (q ? !(col->qualifier && strcasecmp(col->qualifier, q) == 0) : col->star_hidden)
                    continue;
                Expr *x;
                if (has_agg) x = sql_bind_expr(sel_env, synthetic_ref(b, col, e));
                else x = sql_expr_col(b->arena, col->index, col->type);
                if (!x) return false;
                exprs[n] = x;
                names[n] = (char *)col->name;
                ranks[n] = has_agg ? NULL : col->rank_node;
                n++;
            }
            if (n == before && q) {
                bind_error(b, e, WB_SQLSTATE_UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", q);
                return false;
            }
            continue;
        }
        Env ienv = *sel_env;
        ienv.clause = "SELECT";
        Expr *x = sql_bind_expr(&ienv, e);
        if (!x) return false;
        exprs[n] = x;
        names[n] = item_name(b, item, from, n);
        if (rank_nodes[i]) ranks[n] = rank_nodes[i];
        else if (!has_agg && x->kind == EX_COL)
            for (int32_t c = 0; c < from->ncols; c++)
                if (from->cols[c].index == x->col && from->cols[c].rank_node) ranks[n] = from->cols[c].rank_node;
        n++;
    }
    int32_t nvisible = n;
    if (correlated) {
        /* the keys ride along after the visible column, for the join */
        Expr **grown = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + sc->nkeys));
        char **gnames = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(n + sc->nkeys));
        memcpy(grown, exprs, sizeof(Expr *) * (size_t)n);
        memcpy(gnames, names, sizeof(char *) * (size_t)n);
        for (int32_t k = 0; k < sc->nkeys; k++) {
            /* the key: a grouping column, or (no aggregate) its expression */
            grown[n + k] = has_agg ? sql_expr_col(b->arena, k, post->node->types[k])
                                   : sc->keys[k].right;
            gnames[n + k] = wb_arena_printf(b->arena, "$key%d", (int)k);
            sc->keys[k].right = sql_expr_col(b->arena, n + k, grown[n + k]->type);
            if (dom_out) dom_out[k] = n + k;
        }
        exprs = grown;
        names = gnames;
        n += sc->nkeys;
    }
    /* ORDER BY expressions that are not output columns become hidden
     * trailing columns of the projection (not after DISTINCT, where they
     * would change which rows are distinct). */
    int32_t *item_cols = NULL;
    if (!sel->select.distinct && tail->order_by.count > 0) {
        int32_t nhidden = 0;
        Expr **hidden = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)tail->order_by.count);
        item_cols = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)tail->order_by.count);
        if (!order_hidden_columns(b, tail, sel_env, names, exprs, n, nvisible, hidden, &nhidden,
                                  item_cols))
            return false;
        if (nhidden > 0) {
            Expr **grown = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + nhidden));
            char **gnames = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(n + nhidden));
            memcpy(grown, exprs, sizeof(Expr *) * (size_t)n);
            memcpy(gnames, names, sizeof(char *) * (size_t)n);
            for (int32_t h = 0; h < nhidden; h++) {
                grown[n + h] = hidden[h];
                gnames[n + h] = wb_arena_printf(b->arena, "$order%d", (int)h);
            }
            exprs = grown;
            names = gnames;
            n += nhidden;
            qout->nhidden_order = nhidden;
        }
    }
    /* final projection (with HAVING as its filter, or folding a WHERE-only CALC) */
    PlanNode *input = sel_env->rel->node;
    const Expr *filter = having;
    if (!filter && is_pure_filter(input)) {
        filter = input->calc.filter;
        input = input->inputs[0];
    }
    PlanNode *proj = sql_node_calc(b, input, filter, n, exprs, names);
    Rel *out = &qout->rel;
    rel_from_node(b, proj, NULL, out);
    out->ncols = nvisible;
    if (!sel->select.distinct) {
        for (int32_t i = 0; i < nvisible; i++) out->cols[i].rank_node = ranks[i];
    }
    OrderCtx octx = {out, sel_env, exprs, n, item_cols};
    if (sel->select.distinct) {
        out->node = sql_node_distinct(b, proj);
        octx.env = NULL;   /* only output columns can be ordered after DISTINCT */
    }
    if (dom_out) {
        /* per domain value: LIMIT keeps the first rows of each */
        qout->npart = dom->m;
        qout->part = dom_out;
    }
    return apply_order_limit(b, tail, &octx, qout);
}

/* ---- VALUES ---- */

static bool plan_values(Binder *b, const AstNode *ast, QueryOut *qout)
{
    const AstList *rows = &ast->values.rows;
    int32_t nrows = rows->count;
    int32_t ncols = nrows > 0 ? rows->items[0]->row.items.count : 0;
    Rel empty;
    empty.node = NULL;
    empty.ncols = 0;
    empty.cols = scope_alloc(b, 0);
    Env env;
    env_init(&env, b, &empty);
    env.clause = "VALUES";
    Expr **cells = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nrows * ncols + 1));
    for (int32_t r = 0; r < nrows; r++) {
        const AstNode *row = rows->items[r];
        if (row->row.items.count != ncols) {
            bind_error(b, row, WB_SQLSTATE_SYNTAX, "VALUES lists must all be the same length");
            return false;
        }
        for (int32_t c = 0; c < ncols; c++)
            if (!(cells[r * ncols + c] = sql_bind_expr(&env, row->row.items.items[c]))) return false;
    }
    SqlType *types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(ncols ? ncols : 1));
    for (int32_t c = 0; c < ncols; c++) {
        SqlType t = cells[c]->type;
        for (int32_t r = 1; r < nrows; r++) {
            SqlType next;
            char t1[64], t2[64];
            if (!sql_common_type(t, cells[r * ncols + c]->type, &next)) {
                bind_error(b, rows->items[r]->row.items.items[c], WB_SQLSTATE_DATATYPE,
                           "VALUES types %s and %s cannot be matched", ty_name(t, t1, sizeof t1),
                           ty_name(cells[r * ncols + c]->type, t2, sizeof t2));
                return false;
            }
            t = next;
        }
        if (t.id == TY_NULL) t = ty_make(TY_STRING);
        t.nullable = 0;
        for (int32_t r = 0; r < nrows; r++)
            if (cells[r * ncols + c]->type.nullable) t.nullable = 1;
        types[c] = t;
    }
    /* Literal rows become one VALUES node; rows with expressions are
     * computed by a CALC each over a single-row VALUES and unioned. */
    Value *values = wb_arena_alloc(b->arena, sizeof(Value) * (size_t)(nrows * ncols + 1));
    bool literal = true;
    for (int32_t i = 0; i < nrows * ncols && literal; i++)
        literal = cells[i]->kind == EX_CONST &&
                  sql_const_convert(&cells[i]->value, types[i % ncols], &values[i]);
    PlanNode *node;
    if (literal) {
        node = sql_node_new(b, PN_VALUES, ncols, 0);
        node->values.nrows = nrows;
        node->values.rows = values;
        for (int32_t c = 0; c < ncols; c++) {
            node->types[c] = types[c];
            node->names[c] = wb_arena_printf(b->arena, "EXPR$%d", (int)c);
        }
    } else {
        PlanNode **parts = wb_arena_alloc(b->arena, sizeof(PlanNode *) * (size_t)nrows);
        for (int32_t r = 0; r < nrows; r++) {
            Rel one;
            sql_rel_single_row(b, &one);
            Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(ncols ? ncols : 1));
            for (int32_t c = 0; c < ncols; c++) {
                SqlType t = types[c];
                t.nullable = cells[r * ncols + c]->type.nullable;
                exprs[c] = sql_coerce(b->arena, cells[r * ncols + c], t);
            }
            parts[r] = sql_node_calc(b, one.node, NULL, ncols, exprs, NULL);
        }
        node = nrows == 1 ? parts[0] : sql_node_union(b, nrows, parts);
    }
    rel_from_node(b, node, NULL, &qout->rel);
    OrderCtx octx = {&qout->rel, NULL, NULL, 0, NULL};
    return apply_order_limit(b, &ast->values.tail, &octx, qout);
}

/* ---- set operations ---- */

/* Casts a relation's visible columns to `types` (a CALC when needed). */
static PlanNode *cast_to(Binder *b, const Rel *rel, const SqlType *types, char **names)
{
    bool same = rel->node->ncols == rel->ncols;
    for (int32_t c = 0; c < rel->ncols && same; c++)
        same = ty_equal(rel->node->types[c], types[c]) && rel->cols[c].index == c;
    if (same) return rel->node;
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(rel->ncols ? rel->ncols : 1));
    for (int32_t c = 0; c < rel->ncols; c++) {
        Expr *col = sql_expr_col(b->arena, rel->cols[c].index, rel->cols[c].type);
        SqlType t = types[c];
        t.nullable = col->type.nullable;
        exprs[c] = sql_coerce(b->arena, col, t);
    }
    return sql_node_calc(b, rel->node, NULL, rel->ncols, exprs, names);
}

static Expr *const_int_expr(Binder *b, int64_t v)
{
    Value val = {0};
    val.type = ty_make(TY_BIGINT);
    val.type.nullable = 0;
    val.i64 = v;
    return sql_expr_const(b->arena, val);
}

/* INTERSECT / EXCEPT (distinct): tag each side's rows, union them, count
 * the tags per distinct row, and keep rows present on the left and present
 * (INTERSECT) or absent (EXCEPT) on the right.  Grouping compares NULLs as
 * equal, as set operations must. */
static PlanNode *plan_intersect_except(Binder *b, AstSetOp op, PlanNode *left, PlanNode *right)
{
    int32_t n = left->ncols;
    PlanNode *sides[2] = {left, right};
    PlanNode *tagged[2];
    for (int s = 0; s < 2; s++) {
        Expr *extra[2] = {const_int_expr(b, s == 0 ? 1 : 0), const_int_expr(b, s == 1 ? 1 : 0)};
        tagged[s] = sql_node_filter_extend(b, sides[s], NULL, 2, extra);
    }
    PlanNode *all = sql_node_union(b, 2, tagged);
    AggItem aggs[2];
    memset(aggs, 0, sizeof aggs);
    int32_t argc[2] = {n, n + 1}, none[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        aggs[k].kind = AGG_SUM;
        aggs[k].type = ty_make(TY_BIGINT);
    }
    PlanNode *agg = sql_node_agg(b, all, n, 2, aggs, argc, none, none);
    Expr *lcount = sql_expr_col(b->arena, n, agg->types[n]);
    Expr *rcount = sql_expr_col(b->arena, n + 1, agg->types[n + 1]);
    Expr *l_args[2] = {lcount, const_int_expr(b, 0)};
    Expr *r_args[2] = {rcount, const_int_expr(b, 0)};
    Expr *conds[2];
    conds[0] = sql_expr_call(b->arena, FN_GT, l_args, 2, 0, 0);
    conds[1] = sql_expr_call(b->arena, op == ASO_INTERSECT ? FN_GT : FN_EQ, r_args, 2, 0, 0);
    for (int k = 0; k < 2; k++) {
        conds[k]->type = ty_make(TY_BOOLEAN);
        conds[k]->type.nullable = 1;
    }
    Expr *filter = sql_and_all(b, conds, 2);
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    for (int32_t c = 0; c < n; c++) exprs[c] = sql_expr_col(b->arena, c, agg->types[c]);
    return sql_node_calc(b, agg, filter, n, exprs, left->names);
}

static bool plan_setop(Binder *b, const AstNode *ast, const Env *outer, QueryOut *qout)
{
    Rel left, right;
    if (!sql_plan_query(b, ast->setop.left, outer, &left)) return false;
    if (!sql_plan_query(b, ast->setop.right, outer, &right)) return false;
    const char *opname = ast->setop.op == ASO_UNION ? "UNION"
                         : ast->setop.op == ASO_INTERSECT ? "INTERSECT" : "EXCEPT";
    if (left.ncols != right.ncols) {
        bind_error(b, ast, WB_SQLSTATE_SYNTAX, "each %s query must have the same number of columns",
                   opname);
        return false;
    }
    if (ast->setop.all && ast->setop.op != ASO_UNION) {
        bind_error(b, ast, WB_SQLSTATE_FEATURE, "%s ALL is not supported yet", opname);
        wb_error_hint(b->err, "Use %s (without ALL).", opname);
        return false;
    }
    int32_t n = left.ncols;
    SqlType *types = wb_arena_alloc(b->arena, sizeof(SqlType) * (size_t)(n ? n : 1));
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(n ? n : 1));
    for (int32_t c = 0; c < n; c++) {
        char t1[64], t2[64];
        names[c] = (char *)left.cols[c].name;
        if (!sql_common_type(left.cols[c].type, right.cols[c].type, &types[c])) {
            bind_error(b, ast, WB_SQLSTATE_DATATYPE, "%s types %s and %s cannot be matched", opname,
                       ty_name(left.cols[c].type, t1, sizeof t1),
                       ty_name(right.cols[c].type, t2, sizeof t2));
            return false;
        }
        if (types[c].id == TY_NULL) types[c] = ty_make(TY_STRING);
    }
    PlanNode *inputs[2] = {cast_to(b, &left, types, names), cast_to(b, &right, types, names)};
    PlanNode *node;
    if (ast->setop.op == ASO_UNION) {
        node = sql_node_union(b, 2, inputs);
        memcpy(node->names, names, sizeof(char *) * (size_t)n);
        if (!ast->setop.all) node = sql_node_distinct(b, node);
    } else {
        node = plan_intersect_except(b, ast->setop.op, inputs[0], inputs[1]);
    }
    rel_from_node(b, node, NULL, &qout->rel);
    OrderCtx octx = {&qout->rel, NULL, NULL, 0, NULL};
    return apply_order_limit(b, &ast->setop.tail, &octx, qout);
}

/* ---- queries ---- */

static bool plan_query_out(Binder *b, const AstNode *query, const Env *outer, QueryOut *out)
{
    AstQueryTail *tail = sql_ast_query_tail((AstNode *)query);
    if (!tail) {
        bind_error(b, query, WB_SQLSTATE_SYNTAX, "expected a query, not %s",
                   sql_ast_kind_name(query->kind));
        return false;
    }
    out->npart = 0;
    out->part = NULL;
    CteDef *saved = b->ctes;
    for (int32_t i = 0; i < tail->ctes.count; i++) {
        CteDef *def = wb_arena_alloc(b->arena, sizeof *def);
        def->cte = tail->ctes.items[i];
        def->next = b->ctes;
        b->ctes = def;
    }
    bool ok;
    switch (query->kind) {
    case AST_SELECT: ok = plan_select(b, query, outer, out); break;
    case AST_VALUES: ok = plan_values(b, query, out); break;
    default: ok = plan_setop(b, query, outer, out); break;
    }
    b->ctes = saved;
    return ok;
}

bool sql_plan_query(Binder *b, const AstNode *query, const Env *outer, Rel *out)
{
    QueryOut qout;
    memset(&qout, 0, sizeof qout);
    if (!plan_query_out(b, query, outer, &qout)) return false;
    *out = qout.rel;
    if (qout.nhidden_order > 0) {
        /* a nested query has no presentation order: drop the sort-only
         * columns (its LIMIT, if any, has used them already) */
        PlanNode *node = out->node;
        int32_t keep = node->ncols - qout.nhidden_order;
        Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(keep + 1));
        for (int32_t c = 0; c < keep; c++) exprs[c] = sql_expr_col(b->arena, c, node->types[c]);
        out->node = sql_node_calc(b, node, NULL, keep, exprs, node->names);
    }
    return true;
}

/* ---- INSERT ---- */

/* The query column feeding a sink column is cast to the column's type when
 * Flink would cast it implicitly (widening); anything else is an error
 * naming the column and both types, at the select item when the query is a
 * plain SELECT list (else at the query). */
static Expr *assign_cast(Binder *b, Expr *src, const ColumnDef *target, const AstNode *at,
                         const char *src_name, bool values_fit)
{
    SqlType to = target->type;
    if (ty_equal(src->type, to)) return src;
    if (!values_fit && !sql_implicit_cast_allowed(src->type, to)) {
        char t1[64], t2[64];
        SqlType shown_to = to, shown_from = src->type;   /* named without NOT NULL */
        shown_to.nullable = shown_from.nullable = 1;
        ty_name(shown_to, t1, sizeof t1);
        ty_name(shown_from, t2, sizeof t2);
        bind_error(b, at, WB_SQLSTATE_DATATYPE, "column \"%s\" is of type %s but expression is of type %s",
                   target->name, t1, t2);
        wb_error_detail(b->err, "%s is not implicitly castable to %s: only widening casts are "
                                "implicit on INSERT, as in Flink.", t2, t1);
        if (sql_cast_allowed(src->type, to))
            wb_error_hint(b->err, "Cast the expression if the conversion is intended: CAST(%s AS %s).",
                          src_name ? src_name : "...", t1);
        else
            wb_error_hint(b->err, "Rewrite the expression: %s cannot be cast to %s.", t2, t1);
        return NULL;
    }
    SqlType t = to;
    t.nullable = src->type.nullable;
    return sql_expr_cast(b->arena, src, t);
}

/* Whether column `col` of an INSERT's VALUES holds only bare NULLs: VALUES
 * types such a column STRING (it must have some type), but the NULLs are
 * the target column's, as Flink types INSERT ... VALUES by the sink's
 * columns: `VALUES (NULL, 1)` into an INT column is no type error. */
static bool values_column_null(const AstNode *query, int32_t col)
{
    if (query->kind != AST_VALUES || query->values.rows.count == 0) return false;
    for (int32_t r = 0; r < query->values.rows.count; r++) {
        const AstList *cells = &query->values.rows.items[r]->row.items;
        if (col >= cells->count) return false;
        const AstNode *cell = cells->items[col];
        if (cell->kind != AST_LITERAL || cell->literal.type.id != TY_NULL) return false;
    }
    return true;
}

/* Whether column `col` of an INSERT's VALUES holds only integer literals
 * (and bare NULLs) whose values `to` holds exactly: they are cast, as
 * Flink casts an INT into any DECIMAL, and no value can change.  So
 * `VALUES (5)` goes into a DECIMAL(10, 2) column although not every INT
 * would. */
static bool values_column_ints_fit(const AstNode *query, int32_t col, SqlType to)
{
    if (query->kind != AST_VALUES || query->values.rows.count == 0) return false;
    int32_t digits = to.precision - to.scale;   /* DECIMAL: integer digits */
    for (int32_t r = 0; r < query->values.rows.count; r++) {
        const AstList *cells = &query->values.rows.items[r]->row.items;
        if (col >= cells->count || cells->items[col]->kind != AST_LITERAL) return false;
        const AstNode *lit = cells->items[col];
        if (lit->literal.type.id == TY_NULL) continue;
        if (!ty_is_integer((TypeId)lit->literal.type.id)) return false;
        int64_t v = lit->literal.i64;
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        bool fits;
        switch (to.id) {
        case TY_INT: fits = v >= INT32_MIN && v <= INT32_MAX; break;
        case TY_BIGINT:
        case TY_DOUBLE: fits = true; break;
        case TY_DECIMAL: {
            uint64_t limit = 1;
            for (int32_t d = 0; d < digits && d < 19; d++) limit *= 10;
            fits = digits >= 19 || mag < limit;
            break;
        }
        default: fits = false; break;
        }
        if (!fits) return false;
    }
    return true;
}

/* The AST of the select item producing query column `col`, NULL when the
 * query is not a plain SELECT whose items are its columns one by one. */
static const AstNode *insert_item_ast(const AstNode *query, int32_t col)
{
    if (query->kind != AST_SELECT || col >= query->select.items.count) return NULL;
    for (int32_t i = 0; i <= col; i++)
        if (query->select.items.items[i]->select_item.expr->kind == AST_STAR) return NULL;
    return query->select.items.items[col];
}

int32_t sql_find_physical(Binder *b, const TableDef *def, const int32_t *phys, int32_t nphys,
                          const AstNode *ident)
{
    for (int32_t k = 0; k < nphys; k++)
        if (strcasecmp(def->cols[phys[k]].name, ident->ident.name) == 0) return k;
    bind_error(b, ident, WB_SQLSTATE_UNDEFINED_COL,
               "column \"%s\" of table \"%s\" does not exist or is not writable", ident->ident.name,
               def->name);
    return -1;
}

/* A constant's canonical text (ty_format_value), in the plan arena. */
static const char *const_text(Binder *b, const Value *v)
{
    ColumnVector vec;
    memset(&vec, 0, sizeof vec);
    vec.type = v->type;
    int64_t i64 = v->i64;
    double f64 = v->f64;
    WbStr str = v->str;
    ty_i128 i128 = v->i128;
    switch (ty_phys(v->type)) {
    case PK_I64: vec.i64 = &i64; break;
    case PK_I128: vec.i128 = &i128; break;
    case PK_F64: vec.f64 = &f64; break;
    case PK_STR: vec.str = &str; break;
    }
    WbBuf text = {0};
    ty_format_value(&vec, 0, &text);
    const char *copy = wb_arena_strndup(b->arena, text.data ? text.data : "", text.len);
    wb_buf_free(&text);
    return copy;
}

/* INSERT .. PARTITION (col = value, ..): each column must be a partition
 * column of the table, named once; its value a constant, cast to the
 * column's type and folded.  stat[p] gets the constant of physical column
 * p (an EX_CONST), *nstatic their count. */
static bool bind_static_partition(Binder *b, const AstNode *ast, const TableDef *def,
                                  const int32_t *phys, int32_t nphys, Expr **stat,
                                  int32_t *nstatic)
{
    const AstList *cols = &ast->insert.partition_cols;
    if (cols->count && def->npartition == 0) {
        bind_error(b, cols->items[0], WB_SQLSTATE_SYNTAX,
                   "table \"%s\" is not partitioned: INSERT with a PARTITION clause", def->name);
        return false;
    }
    for (int32_t i = 0; i < cols->count; i++) {
        const AstNode *ident = cols->items[i];
        int32_t p = -1;
        for (int32_t k = 0; k < nphys; k++)
            if (strcasecmp(def->cols[phys[k]].name, ident->ident.name) == 0) p = k;
        bool is_part = false;
        for (int32_t k = 0; p >= 0 && k < def->npartition; k++) is_part |= def->partition[k] == phys[p];
        if (!is_part) {
            bind_error(b, ident, WB_SQLSTATE_UNDEFINED_COL,
                       "\"%s\" is not a partition column of table \"%s\"", ident->ident.name, def->name);
            return false;
        }
        if (stat[p]) {
            bind_error(b, ident, WB_SQLSTATE_SYNTAX, "partition column \"%s\" named more than once",
                       ident->ident.name);
            return false;
        }
        const AstNode *value_ast = ast->insert.partition_values.items[i];
        Rel none;
        sql_rel_single_row(b, &none);
        Env env;
        env_init(&env, b, &none);
        Expr *value = sql_bind_expr(&env, value_ast);
        if (!value) return false;
        const ColumnDef *col = &def->cols[phys[p]];
        /* a partition value is often written as text whatever the
         * column's type (PARTITION (dt = '2024-01-31')): it is converted
         * as by CAST */
        Expr *cast = ty_is_string(value->type.id) && !ty_is_string(col->type.id)
                         ? sql_expr_cast(b->arena, value, col->type)
                         : assign_cast(b, value, col, value_ast, NULL, false);
        if (!cast) return false;
        Value v;
        WbError eval_err;
        wb_error_clear(&eval_err);
        if (sql_expr_has_cols(cast) || !b->eval_const || b->eval_const(cast, &v, b->arena, &eval_err) != 0) {
            bind_error(b, value_ast, WB_SQLSTATE_SYNTAX,
                       "the value of partition column \"%s\" must be a constant", col->name);
            if (eval_err.set) wb_error_detail(b->err, "%s", eval_err.message);
            return false;
        }
        if (v.is_null && !col->type.nullable) {
            bind_error(b, value_ast, WB_SQLSTATE_NOT_NULL, "partition column \"%s\" is NOT NULL", col->name);
            return false;
        }
        v.type = col->type;
        stat[p] = sql_expr_const(b->arena, v);
        (*nstatic)++;
    }
    return true;
}

bool sql_plan_insert(Binder *b, const AstNode *ast, SqlSinkRetractFn accepts, QueryPlan *out)
{
    const char *name = ast->insert.table;
    const TableDef *def = sql_catalog_find(b->cat, name);
    if (!def) {
        /* positioned at the target's name, not at INSERT */
        wb_error(b->err, WB_SQLSTATE_UNDEFINED_TABLE,
                 ast->insert.table_line ? ast->insert.table_line : ast->line,
                 ast->insert.table_line ? ast->insert.table_column : ast->column,
                 "table \"%s\" does not exist", name);
        return false;
    }
    if (def->is_view) {
        bind_error(b, ast, WB_SQLSTATE_FEATURE, "cannot insert into view \"%s\"", def->name);
        return false;
    }
    if (!sql_hint_apply_options(b, &ast->insert.table_hints, name, &def)) return false;
    Rel query;
    if (!sql_plan_query(b, ast->insert.query, NULL, &query)) return false;
    int32_t nphys = sql_table_physical(def, NULL, NULL);
    int32_t *phys = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nphys ? nphys : 1));
    sql_table_physical(def, NULL, phys);
    /* source[p] = query column feeding physical column p, -1 = NULL */
    int32_t *source = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(nphys ? nphys : 1));
    /* stat[p] = the static partition value (PARTITION (..)) of column p,
     * bound, or NULL */
    Expr **stat = wb_arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nphys ? nphys : 1));
    int32_t nstatic = 0;
    if (!bind_static_partition(b, ast, def, phys, nphys, stat, &nstatic)) return false;
    int32_t ntarget = ast->insert.columns.count ? ast->insert.columns.count : nphys - nstatic;
    if (query.ncols != ntarget) {
        bind_error(b, ast->insert.query, WB_SQLSTATE_SYNTAX,
                   "INSERT has %s expressions than target columns (%d, expected %d)",
                   query.ncols > ntarget ? "more" : "fewer", (int)query.ncols, (int)ntarget);
        WbBuf cols = {0};
        for (int32_t i = 0; i < ntarget; i++) {
            const char *n = ast->insert.columns.count ? ast->insert.columns.items[i]->ident.name : NULL;
            if (!n) {
                for (int32_t p = 0, k = 0; p < nphys && !n; p++)
                    if (!stat[p] && k++ == i) n = def->cols[phys[p]].name;
            }
            wb_buf_printf(&cols, "%s%s", i ? ", " : "", n ? n : "?");
        }
        wb_error_detail(b->err, "The target columns are (%s).", wb_buf_cstr(&cols));
        wb_buf_free(&cols);
        return false;
    }
    if (ast->insert.columns.count == 0) {
        for (int32_t p = 0, k = 0; p < nphys; p++) source[p] = stat[p] ? -1 : k++;
    } else {
        for (int32_t p = 0; p < nphys; p++) source[p] = -1;
        for (int32_t i = 0; i < ast->insert.columns.count; i++) {
            const AstNode *ident = ast->insert.columns.items[i];
            int32_t p = sql_find_physical(b, def, phys, nphys, ident);
            if (p < 0) return false;
            if (source[p] >= 0) {
                bind_error(b, ident, WB_SQLSTATE_SYNTAX, "column \"%s\" specified more than once",
                           ident->ident.name);
                return false;
            }
            if (stat[p]) {
                bind_error(b, ident, WB_SQLSTATE_SYNTAX,
                           "column \"%s\" has a value in the PARTITION clause already",
                           ident->ident.name);
                return false;
            }
            source[p] = i;
        }
    }
    Expr **exprs = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(nphys ? nphys : 1));
    char **names = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)(nphys ? nphys : 1));
    for (int32_t p = 0; p < nphys; p++) {
        const ColumnDef *col = &def->cols[phys[p]];
        names[p] = col->name;
        Expr *src;
        if (stat[p]) {
            exprs[p] = stat[p];
            continue;
        }
        if (source[p] < 0) {
            Value null = {0};
            null.type = col->type;
            null.is_null = true;
            src = sql_expr_const(b->arena, null);
            if (!col->type.nullable) {
                bind_error(b, ast, WB_SQLSTATE_SYNTAX, "column \"%s\" is NOT NULL and has no value",
                           col->name);
                return false;
            }
        } else if (values_column_null(ast->insert.query, source[p])) {
            if (!col->type.nullable) {
                bind_error(b, ast->insert.query, WB_SQLSTATE_NOT_NULL,
                           "column \"%s\" is NOT NULL and VALUES gives it only NULL", col->name);
                return false;
            }
            Value null = {0};
            null.type = col->type;
            null.is_null = true;
            src = sql_expr_const(b->arena, null);
        } else {
            const ScopeCol *sc = &query.cols[source[p]];
            src = sql_expr_col(b->arena, sc->index, sc->type);
        }
        const AstNode *item = source[p] < 0 ? NULL : insert_item_ast(ast->insert.query, source[p]);
        const char *src_name = source[p] < 0 ? NULL : query.cols[source[p]].name;
        if (src_name && strncmp(src_name, "EXPR$", 5) == 0) src_name = NULL;   /* unnamed */
        bool fit = source[p] >= 0 && values_column_ints_fit(ast->insert.query, source[p], col->type);
        if (!(exprs[p] = assign_cast(b, src, col, item ? item : ast->insert.query, src_name, fit)))
            return false;
    }
    PlanNode *input = sql_optimize(b, sql_node_calc(b, query.node, NULL, nphys, exprs, names), out);
    if (input->mode != CM_INSERT_ONLY && accepts && !accepts(b->sink_ctx, def)) {
        bind_error(b, ast, WB_SQLSTATE_FEATURE,
                   "cannot write the retracting result of this query into append-only table \"%s\"",
                   def->name);
        wb_error_detail(b->err, "The query produces updates and deletions (%s changelog), "
                                "which the table's connector cannot write.",
                        sql_changelog_mode_name(input->mode));
        wb_error_hint(b->err, "Write into a sink that accepts updates (print, or a table with "
                              "a primary key and an upsert connector), or remove the "
                              "aggregation, outer join or top-N that makes the result change.");
        return false;
    }
    PlanNode *sink = sql_node_new(b, PN_SINK, nphys, 1);
    sink->inputs[0] = input;
    memcpy(sink->types, input->types, sizeof(SqlType) * (size_t)nphys);
    memcpy(sink->names, names, sizeof(char *) * (size_t)nphys);
    sink->sink.table = def;
    sink->sink.overwrite = ast->insert.overwrite;
    if (nstatic) {
        sink->sink.nstatic = nstatic;
        sink->sink.static_cols = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)nstatic);
        sink->sink.static_values = wb_arena_alloc(b->arena, sizeof(char *) * (size_t)nstatic);
        for (int32_t p = 0, k = 0; p < nphys; p++) {
            if (!stat[p]) continue;
            sink->sink.static_cols[k] = p;
            sink->sink.static_values[k] = stat[p]->value.is_null ? NULL : const_text(b, &stat[p]->value);
            k++;
        }
    }
    for (int32_t p = 0; p < nphys; p++) {
        if (def->cols[phys[p]].type.nullable || !input->types[p].nullable) continue;
        if (!sink->sink.check_not_null)
            sink->sink.check_not_null = wb_arena_calloc(b->arena, (size_t)nphys);
        sink->sink.check_not_null[p] = 1;
    }
    sink->mode = input->mode;
    sink->nupsert_key = input->nupsert_key;
    sink->upsert_key = input->upsert_key;
    out->root = sink;
    return true;
}

int sql_plan_statement(Catalog *cat, const AstNode *stmt, WbArena *arena,
                       const SqlPlanOptions *opts, QueryPlan *out,
                       WbError *err)
{
    Binder b;
    memset(&b, 0, sizeof b);
    b.cat = cat;
    b.arena = arena;
    b.err = err;
    b.batch_mode = opts && opts->batch_mode;
    b.early_fire = opts && opts->early_fire && !b.batch_mode;
    b.eval_const = opts ? opts->eval_const : NULL;
    b.sink_ctx = opts ? opts->sink_ctx : NULL;
    memset(out, 0, sizeof *out);
    out->limit = -1;
    if (stmt->kind == AST_INSERT)
        return sql_plan_insert(&b, stmt, opts ? opts->sink_accepts_retractions : NULL, out) ? 0 : -1;
    if (stmt->kind == AST_DELETE || stmt->kind == AST_UPDATE)
        return sql_plan_dml(&b, stmt, opts ? opts->sink_accepts_retractions : NULL, out) ? 0 : -1;
    if (!sql_ast_is_query(stmt)) {
        bind_error(&b, stmt, WB_SQLSTATE_SYNTAX, "%s is not a query", sql_ast_kind_name(stmt->kind));
        return -1;
    }
    QueryOut qout;
    memset(&qout, 0, sizeof qout);
    if (!plan_query_out(&b, stmt, NULL, &qout)) return -1;
    PlanNode *root = qout.rel.node;
    int32_t nvis = qout.rel.ncols;
    /* The root shows the visible columns, named as the query says, then the
     * hidden columns the presentation order sorts on (QueryPlan.nvisible). */
    int32_t nsortonly = 0;
    for (int32_t k = 0; k < qout.norder; k++) nsortonly += qout.order[k].col >= nvis;
    bool exact = root->ncols == nvis && nsortonly == 0;
    for (int32_t c = 0; c < nvis && exact; c++) exact = qout.rel.cols[c].index == c;
    if (!exact) {
        int32_t width = nvis + nsortonly;
        Expr **exprs = wb_arena_alloc(arena, sizeof(Expr *) * (size_t)(width + 1));
        char **names = wb_arena_alloc(arena, sizeof(char *) * (size_t)(width + 1));
        for (int32_t c = 0; c < nvis; c++) {
            exprs[c] = sql_expr_col(arena, qout.rel.cols[c].index, qout.rel.cols[c].type);
            names[c] = (char *)qout.rel.cols[c].name;
        }
        int32_t w = nvis;
        for (int32_t k = 0; k < qout.norder; k++) {
            int32_t col = qout.order[k].col;
            if (col < nvis) continue;
            int32_t at = -1;   /* a column two keys share is carried once */
            for (int32_t j = nvis; j < w && at < 0; j++)
                if (exprs[j]->col == col) at = j;
            if (at < 0) {
                at = w++;
                exprs[at] = sql_expr_col(arena, col, root->types[col]);
                names[at] = root->names[col];
            }
            qout.order[k].col = at;
        }
        width = w;
        root = sql_node_calc(&b, root, NULL, width, exprs, names);
    }
    out->root = sql_optimize(&b, root, out);
    out->nvisible = nvis;
    out->norder = qout.norder;
    out->order = qout.order;
    out->limit = qout.limit;
    return 0;
}
