/*
 * opt_join_order.c - a join order without cross products (see opt_int.h).
 *
 * A cluster is a tree of INNER joins whose inner nodes have one parent;
 * its leaves are the first nodes below that are something else.  Flink
 * keeps the written order of joins by default, and so does weir, unless
 * that order joins two parts of the cluster with no key at all (as
 * `FROM part, supplier, partsupp WHERE ...` does) while the conditions
 * connect them another way.  Then the cluster is rebuilt greedily: start
 * from the smallest leaf (opt_estimate_rows) that some equality links to
 * another, and add the smallest leaf linked to what is joined so far,
 * until all are in (a cross product only where nothing links).  Each
 * condition is put on the lowest join that has all its columns, as the
 * condition of a key-less join; the filter push-down that runs next turns
 * its equalities into keys.  A CALC on top restores the column order.
 */
#include "sql/opt_int.h"

#include <string.h>

typedef struct Cluster {
    int32_t nleaves, cap;
    PlanNode **leaves;
    int32_t *offset;             /* first global column of each leaf */
    int32_t nconds, ccap;
    Expr **conds;                /* over the global columns */
    bool cross;                  /* the written order has a key-less join */
    int32_t width;
} Cluster;

static PlanNode *reorder(OptCtx *ctx, PlanNode *node);

static bool in_cluster(const OptCtx *ctx, const PlanNode *node)
{
    /* a join with a STATE_TTL hint keeps its inputs: the TTLs are theirs */
    return node->kind == PN_JOIN && node->join.type == JT_INNER && !opt_shared(ctx, node) &&
           !node->join.state_ttl_ms[0] && !node->join.state_ttl_ms[1];
}

static void add_cond(Binder *b, Cluster *cl, Expr *e)
{
    if (e->kind == EX_CALL && e->fn == FN_AND) {
        for (int32_t i = 0; i < e->nargs; i++) add_cond(b, cl, e->args[i]);
        return;
    }
    if (cl->nconds == cl->ccap) {
        int32_t cap = cl->ccap ? cl->ccap * 2 : 16;
        Expr **grown = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        if (cl->nconds) memcpy(grown, cl->conds, sizeof(Expr *) * (size_t)cl->nconds);
        cl->conds = grown;
        cl->ccap = cap;
    }
    cl->conds[cl->nconds++] = e;
}

/* Collects node's subtree into cl, its columns starting at global column
 * `base`. */
static void collect(OptCtx *ctx, Cluster *cl, PlanNode *node, int32_t base)
{
    Binder *b = ctx->b;
    if (!in_cluster(ctx, node)) {
        if (cl->nleaves == cl->cap) {
            int32_t cap = cl->cap ? cl->cap * 2 : 8;
            PlanNode **nl = wb_arena_alloc(b->arena, sizeof(PlanNode *) * (size_t)cap);
            int32_t *no = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)cap);
            if (cl->nleaves) {
                memcpy(nl, cl->leaves, sizeof(PlanNode *) * (size_t)cl->nleaves);
                memcpy(no, cl->offset, sizeof(int32_t) * (size_t)cl->nleaves);
            }
            cl->leaves = nl;
            cl->offset = no;
            cl->cap = cap;
        }
        cl->leaves[cl->nleaves] = reorder(ctx, node);
        cl->offset[cl->nleaves] = base;
        cl->nleaves++;
        return;
    }
    PlanNode *left = opt_input(node, 0), *right = opt_input(node, 1);
    int32_t L = left->ncols;
    collect(ctx, cl, left, base);
    collect(ctx, cl, right, base + L);
    const JoinSpec *js = &node->join;
    if (js->nkeys == 0) cl->cross = true;
    for (int32_t k = 0; k < js->nkeys; k++) {
        Expr *args[2];
        args[0] = sql_expr_col(b->arena, base + js->left_keys[k], left->types[js->left_keys[k]]);
        args[1] = sql_expr_col(b->arena, base + L + js->right_keys[k],
                               right->types[js->right_keys[k]]);
        Expr *eq = sql_expr_call(b->arena, FN_EQ, args, 2, 0, 0);
        eq->type = ty_make(TY_BOOLEAN);
        add_cond(b, cl, eq);
    }
    if (js->cond) add_cond(b, cl, sql_expr_shift(b->arena, js->cond, 0, base, -1));
}

/* The leaf holding global column g. */
static int32_t leaf_of(const Cluster *cl, int32_t g)
{
    int32_t leaf = 0;
    for (int32_t i = 0; i < cl->nleaves; i++)
        if (cl->offset[i] <= g) leaf = i;
    return leaf;
}

/* Marks the leaves a condition's columns come from. */
static void cond_leaves(const Cluster *cl, const Expr *e, bool *leaves)
{
    if (e->kind == EX_COL) {
        leaves[leaf_of(cl, e->col)] = true;
        return;
    }
    for (int32_t i = 0; i < e->nargs; i++) cond_leaves(cl, e->args[i], leaves);
}

/* Which leaves an expression's columns come from: 0 none, 1 only leaf j,
 * 2 only joined leaves, 3 anything else. */
static int side_of(const Cluster *cl, const Expr *e, const bool *joined, int32_t j, bool *tmp)
{
    memset(tmp, 0, (size_t)cl->nleaves);
    cond_leaves(cl, e, tmp);
    bool any = false, only_j = true, only_set = true;
    for (int32_t i = 0; i < cl->nleaves; i++) {
        if (!tmp[i]) continue;
        any = true;
        if (i != j) only_j = false;
        if (!joined[i]) only_set = false;
    }
    if (!any) return 0;
    return only_j ? 1 : only_set ? 2 : 3;
}

/* Whether an equality links leaf j to the joined set: one side's columns
 * all in j, the other's all in the set. */
static bool links(const Cluster *cl, const Expr *e, const bool *joined, int32_t j, bool *tmp)
{
    if (e->kind != EX_CALL || e->fn != FN_EQ || e->nargs != 2) return false;
    int a = side_of(cl, e->args[0], joined, j, tmp);
    int c = side_of(cl, e->args[1], joined, j, tmp);
    return (a == 1 && c == 2) || (a == 2 && c == 1);
}

static PlanNode *rebuild(OptCtx *ctx, Cluster *cl)
{
    Binder *b = ctx->b;
    int32_t n = cl->nleaves;
    double *est = wb_arena_alloc(b->arena, sizeof(double) * (size_t)n);
    for (int32_t i = 0; i < n; i++) est[i] = opt_estimate_rows(cl->leaves[i]);
    bool *joined = wb_arena_calloc(b->arena, (size_t)n);
    bool *tmp = wb_arena_calloc(b->arena, (size_t)n);
    bool *placed = wb_arena_calloc(b->arena, (size_t)cl->nconds + 1);
    int32_t *pos = wb_arena_alloc(b->arena, sizeof(int32_t) * (size_t)(cl->width + 1));
    for (int32_t g = 0; g < cl->width; g++) pos[g] = -1;

    /* the first leaf: the smallest one with a link to another */
    int32_t first = -1;
    for (int32_t i = 0; i < n; i++) {
        bool linked = false;
        for (int32_t j = 0; j < n && !linked; j++) {
            if (j == i) continue;
            memset(joined, 0, (size_t)n);
            joined[i] = true;
            for (int32_t c = 0; c < cl->nconds && !linked; c++)
                linked = links(cl, cl->conds[c], joined, j, tmp);
        }
        if (linked && (first < 0 || est[i] < est[first])) first = i;
    }
    if (first < 0) first = 0;
    memset(joined, 0, (size_t)n);
    joined[first] = true;
    PlanNode *cur = cl->leaves[first];
    for (int32_t c = 0; c < cl->leaves[first]->ncols; c++) pos[cl->offset[first] + c] = c;

    for (int32_t step = 1; step < n; step++) {
        int32_t next = -1;
        bool next_linked = false;
        for (int32_t j = 0; j < n; j++) {
            if (joined[j]) continue;
            bool linked = false;
            for (int32_t c = 0; c < cl->nconds && !linked; c++)
                linked = !placed[c] && links(cl, cl->conds[c], joined, j, tmp);
            if (next < 0 || (linked && !next_linked) ||
                (linked == next_linked && est[j] < est[next])) {
                next = j;
                next_linked = linked;
            }
        }
        PlanNode *leaf = cl->leaves[next];
        int32_t width = cur->ncols;
        for (int32_t c = 0; c < leaf->ncols; c++) pos[cl->offset[next] + c] = width + c;
        joined[next] = true;
        /* the conditions whose columns are all joined now */
        Expr **conds = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(cl->nconds + 1));
        int32_t nconds = 0;
        for (int32_t c = 0; c < cl->nconds; c++) {
            if (placed[c]) continue;
            memset(tmp, 0, (size_t)n);
            cond_leaves(cl, cl->conds[c], tmp);
            bool all = true;
            for (int32_t i = 0; i < n && all; i++)
                if (tmp[i] && !joined[i]) all = false;
            if (!all) continue;
            placed[c] = true;
            conds[nconds++] = opt_expr_remap(b->arena, cl->conds[c], pos);
        }
        PlanNode *join = sql_node_join(b, JT_INNER, cur, leaf, 0, NULL, NULL,
                                       sql_and_all(b, conds, nconds));
        join->inputs[0] = cur;
        join->inputs[1] = leaf;
        cur = join;
    }
    /* conditions without columns (constants) go on top */
    Expr **rest = wb_arena_alloc(b->arena, sizeof(Expr *) * (size_t)(cl->nconds + 1));
    int32_t nrest = 0;
    for (int32_t c = 0; c < cl->nconds; c++)
        if (!placed[c]) rest[nrest++] = opt_expr_remap(b->arena, cl->conds[c], pos);
    cur = opt_filter(b, cur, rest, nrest);
    return opt_project(b, cur, pos, cl->width);
}

static PlanNode *reorder(OptCtx *ctx, PlanNode *node)
{
    if (opt_shared(ctx, node)) return opt_memo(ctx, node, reorder);
    if (in_cluster(ctx, node)) {
        Cluster cl;
        memset(&cl, 0, sizeof cl);
        cl.width = node->ncols;
        collect(ctx, &cl, node, 0);
        if (cl.cross && cl.nleaves >= 3) {
            PlanNode *out = rebuild(ctx, &cl);
            for (int32_t c = 0; c < node->ncols; c++) out->names[c] = node->names[c];
            return out;
        }
    }
    return opt_map_inputs(ctx, node, reorder);
}

PlanNode *opt_order_joins(OptCtx *ctx, PlanNode *node)
{
    ctx->memo = wb_arena_calloc(ctx->b->arena, sizeof(PlanNode *) * (size_t)(ctx->nids + 1));
    return reorder(ctx, node);
}
