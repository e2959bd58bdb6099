/*
 * test_store.c - the table store against an in-memory model: random
 * upserts, deletes, commits, compactions and expirations for each merge
 * engine and changelog producer; every snapshot read equals the model at
 * that snapshot, a streaming read replays (exactly: every -U/-D retracts
 * the row the reader holds) to the model, every incremental read between
 * two snapshots takes the model from one to the other.  Also: commit
 * idempotency, two writers, expiry with a pinned reader, lookups.
 *
 * WEIR_STORE_ROUNDS scales the number of commits (default 40 per case).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"

#define NKEYS 48
#define NCOLS 5   /* k, p, a, x, s */

typedef struct MRow {
    bool present;
    bool a_null, x_null, s_null;
    int64_t a, x;
    int s;            /* string "s<n>" */
} MRow;

typedef struct Model {
    MRow rows[NKEYS];
} Model;

typedef struct Case {
    const char *name;
    const char *engine;
    const char *producer;
    int buckets;
    bool partitioned;
} Case;

static char base_dir[256];
static WbRand rng;
static int rounds = 40;

static SqlType col_types[NCOLS];
static const char *col_names[NCOLS] = {"k", "p", "a", "x", "s"};

static void setup_types(void)
{
    col_types[0] = ty_make(TY_BIGINT);
    col_types[1] = ty_make(TY_BIGINT);
    col_types[2] = ty_make(TY_BIGINT);
    col_types[3] = ty_make(TY_BIGINT);
    col_types[4] = ty_make(TY_STRING);
}

static StoreTable *open_table(const char *dir, const Case *c, int32_t nextra, const char **keys,
                              const char **values, WbError *err)
{
    static int32_t pk1[1] = {0}, pk2[2] = {0, 1}, part[1] = {1};
    const char *k[24], *v[24];
    int32_t n = 0;
    k[n] = "merge-engine"; v[n++] = c->engine;
    k[n] = "changelog-producer"; v[n++] = c->producer;
    char nb[16];
    snprintf(nb, sizeof nb, "%d", c->buckets);
    k[n] = "bucket"; v[n++] = nb;
    k[n] = "num-sorted-run.compaction-trigger"; v[n++] = "3";
    k[n] = "snapshot.num-retained.min"; v[n++] = "4";
    k[n] = "snapshot.num-retained.max"; v[n++] = "12";
    k[n] = "snapshot.time-retained"; v[n++] = "1 ms";
    if (strcmp(c->engine, "aggregation") == 0) {
        k[n] = "fields.a.aggregate-function"; v[n++] = "sum";
        k[n] = "fields.x.aggregate-function"; v[n++] = "max";
        k[n] = "fields.x.ignore-retract"; v[n++] = "true";
        k[n] = "fields.s.ignore-retract"; v[n++] = "true";
        k[n] = "fields.p.ignore-retract"; v[n++] = "true";
    }
    if (strcmp(c->engine, "partial-update") == 0) {
        k[n] = "partial-update.remove-record-on-delete"; v[n++] = "true";
    }
    if (strcmp(c->engine, "first-row") == 0) {
        k[n] = "ignore-delete"; v[n++] = "true";
    }
    for (int32_t i = 0; i < nextra; i++) { k[n] = keys[i]; v[n++] = values[i]; }
    StoreSpec spec = {c->name, NCOLS, col_names, col_types,
                      c->partitioned ? 2 : 1, c->partitioned ? pk2 : pk1,
                      c->partitioned ? 1 : 0, part, n, k, v};
    return store_open(dir, &spec, err);
}

/* ---- the model's semantics, written independently of merge.c ---- */

static void model_apply(const Case *c, Model *m, int key, bool retract, const MRow *in)
{
    MRow *r = &m->rows[key];
    if (!strcmp(c->engine, "deduplicate")) {
        if (retract) r->present = false;
        else *r = *in, r->present = true;
    } else if (!strcmp(c->engine, "first-row")) {
        if (!retract && !r->present) *r = *in, r->present = true;
    } else if (!strcmp(c->engine, "partial-update")) {
        if (retract) { r->present = false; return; }
        if (!r->present) { *r = *in; r->present = true; return; }
        if (!in->a_null) r->a = in->a, r->a_null = false;
        if (!in->x_null) r->x = in->x, r->x_null = false;
        if (!in->s_null) r->s = in->s, r->s_null = false;
    } else {   /* aggregation: a sum, x max (ignore-retract), s last non-null (ignore-retract) */
        if (!r->present) {
            memset(r, 0, sizeof(*r));
            r->present = true;
            r->a_null = r->x_null = r->s_null = true;
        }
        if (!in->a_null) {
            if (r->a_null) { r->a = 0; r->a_null = false; }
            r->a += retract ? -in->a : in->a;
        }
        if (retract) return;
        if (!in->x_null && (r->x_null || in->x > r->x)) r->x = in->x, r->x_null = false;
        if (!in->s_null) r->s = in->s, r->s_null = false;
    }
}

static void put_row(Batch *b, int key, const MRow *row, int64_t weight)
{
    int32_t i = b->nrows++;
    b->cols[0].i64[i] = key;
    b->cols[0].nulls[i] = 0;
    b->cols[1].i64[i] = key % 3;
    b->cols[1].nulls[i] = 0;
    b->cols[2].i64[i] = row->a;
    b->cols[2].nulls[i] = row->a_null;
    b->cols[3].i64[i] = row->x;
    b->cols[3].nulls[i] = row->x_null;
    char text[16];
    int len = snprintf(text, sizeof text, "s%d", row->s);
    b->cols[4].str[i] = ty_batch_str(b, text, (uint32_t)len);
    b->cols[4].nulls[i] = row->s_null;
    b->weights[i] = weight;
}

static void random_row(MRow *row, bool allow_null)
{
    memset(row, 0, sizeof(*row));
    row->present = true;
    row->a = (int64_t)wb_rand_below(&rng, 100) - 20;
    row->x = (int64_t)wb_rand_below(&rng, 1000);
    row->s = (int)wb_rand_below(&rng, 10);
    if (allow_null) {
        row->a_null = wb_rand_below(&rng, 4) == 0;
        row->x_null = wb_rand_below(&rng, 4) == 0;
        row->s_null = wb_rand_below(&rng, 4) == 0;
    }
}

/* Writes a random batch of changes and applies them to the model.  For
 * deduplicate the input is an exact changelog (-U/+U for a present key,
 * -D of the row held), valid for every producer. */
static int random_batch(const Case *c, StoreWriter *w, Model *m, WbError *err)
{
    Batch *b = ty_batch_new(col_types, NCOLS, 256);
    int nops = 1 + (int)wb_rand_below(&rng, 40);
    bool dedup = !strcmp(c->engine, "deduplicate");
    bool agg = !strcmp(c->engine, "aggregation");
    for (int op = 0; op < nops; op++) {
        int key = (int)wb_rand_below(&rng, NKEYS);
        bool del = wb_rand_below(&rng, 4) == 0;
        MRow row;
        random_row(&row, !dedup);
        MRow *cur = &m->rows[key];
        if (dedup) {
            if (del) {
                if (!cur->present) continue;
                put_row(b, key, cur, -1);
            } else if (cur->present) {
                put_row(b, key, cur, -1);
                put_row(b, key, &row, 1);
                ty_mark_update(b, b->nrows - 2);
            } else {
                put_row(b, key, &row, 1);
            }
            model_apply(c, m, key, del, &row);
        } else if (agg && del) {
            put_row(b, key, &row, -1);
            model_apply(c, m, key, true, &row);
        } else {
            put_row(b, key, &row, del ? -1 : 1);
            model_apply(c, m, key, del, &row);
        }
    }
    int rc = store_writer_write(w, b, err);
    ty_batch_free(b);
    return rc;
}

/* ---- comparing ---- */

static void row_from_batch(const Batch *b, int32_t r, int *key, MRow *row)
{
    *key = (int)b->cols[0].i64[r];
    memset(row, 0, sizeof(*row));
    row->present = true;
    row->a = b->cols[2].i64[r];
    row->a_null = b->cols[2].nulls[r];
    row->x = b->cols[3].i64[r];
    row->x_null = b->cols[3].nulls[r];
    row->s_null = b->cols[4].nulls[r];
    if (!row->s_null) {
        WbStr str = b->cols[4].str[r];
        row->s = 0;
        for (uint32_t i = 1; i < str.len; i++) row->s = row->s * 10 + (str.ptr[i] - '0');
    }
}

static bool rows_equal(const MRow *a, const MRow *b)
{
    if (a->present != b->present) return false;
    if (!a->present) return true;
    if (a->a_null != b->a_null || (!a->a_null && a->a != b->a)) return false;
    if (a->x_null != b->x_null || (!a->x_null && a->x != b->x)) return false;
    if (a->s_null != b->s_null || (!a->s_null && a->s != b->s)) return false;
    return true;
}

static bool models_equal(const Model *a, const Model *b, const char *what, int64_t id)
{
    for (int k = 0; k < NKEYS; k++)
        if (!rows_equal(&a->rows[k], &b->rows[k])) {
            fprintf(stderr, "  %s (snapshot %lld): key %d differs: got present=%d a=%lld%s x=%lld s=%d, want present=%d a=%lld%s x=%lld s=%d\n",
                    what, (long long)id, k, a->rows[k].present, (long long)a->rows[k].a,
                    a->rows[k].a_null ? "(null)" : "", (long long)a->rows[k].x, a->rows[k].s,
                    b->rows[k].present, (long long)b->rows[k].a, b->rows[k].a_null ? "(null)" : "",
                    (long long)b->rows[k].x, b->rows[k].s);
            return false;
        }
    return true;
}

/* Applies change rows exactly: a retraction must name the row held, an
 * insert must find no row, +U must follow its -U.  false on a violation. */
static bool replay(Model *m, const Batch *b, const char *what)
{
    for (int32_t r = 0; r < b->nrows; r++) {
        int key;
        MRow row;
        row_from_batch(b, r, &key, &row);
        if (key < 0 || key >= NKEYS) return false;
        RowKind kind = ty_row_kind(b, r);
        MRow *cur = &m->rows[key];
        if (kind == RK_DELETE || kind == RK_UPDATE_BEFORE) {
            if (!cur->present || !rows_equal(cur, &row)) {
                fprintf(stderr, "  %s: %s of key %d does not match the row held\n", what,
                        ty_rowkind_short(kind), key);
                return false;
            }
            cur->present = false;
            if (kind == RK_UPDATE_BEFORE &&
                (r + 1 >= b->nrows || ty_row_kind(b, r + 1) != RK_UPDATE_AFTER || b->cols[0].i64[r + 1] != key)) {
                fprintf(stderr, "  %s: -U of key %d without its +U\n", what, key);
                return false;
            }
        } else {
            if (cur->present) {
                fprintf(stderr, "  %s: %s of key %d, which has a row\n", what, ty_rowkind_short(kind), key);
                return false;
            }
            *cur = row;
        }
    }
    return true;
}

static int read_all(StoreScan *s, Batch *out, int64_t now, WbError *err)
{
    for (;;) {
        int32_t before = out->nrows;
        ty_batch_reserve(out, out->nrows + 300);
        int rc = store_scan_next(s, out, 300, now, err);
        if (rc <= 0) return rc;
        if (out->nrows == before) return 1;   /* streaming, nothing more now */
    }
}

static bool read_snapshot(StoreTable *t, int64_t id, Model *got, WbError *err)
{
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    const char *k[1] = {"scan.snapshot-id"}, *v[1] = {idtext};
    StoreScan *s = store_scan_open(t, false, 1, k, v, err);
    if (!s) return false;
    Batch *out = ty_batch_new(col_types, NCOLS, 512);
    int rc = read_all(s, out, 0, err);
    store_scan_close(s);
    memset(got, 0, sizeof(*got));
    bool ok = rc == 0 && replay(got, out, "snapshot read");
    ty_batch_free(out);
    return ok;
}

static bool read_incremental(StoreTable *t, int64_t a, int64_t b, Model *state, WbError *err)
{
    char text[64];
    snprintf(text, sizeof text, "%lld,%lld", (long long)a, (long long)b);
    const char *k[1] = {"incremental-between"}, *v[1] = {text};
    StoreScan *s = store_scan_open(t, false, 1, k, v, err);
    if (!s) return false;
    Batch *out = ty_batch_new(col_types, NCOLS, 512);
    int rc = read_all(s, out, 0, err);
    store_scan_close(s);
    bool ok = rc == 0 && replay(state, out, "incremental read");
    ty_batch_free(out);
    return ok;
}

/* ---- the randomized model test ---- */

static void run_case(const Case *c)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", base_dir, c->name);
    WbError err = {0};
    StoreTable *t = open_table(dir, c, 0, NULL, NULL, &err);
    CHECK(t != NULL);
    if (!t) { fprintf(stderr, "  %s\n", err.message); return; }
    int nsnap_cap = rounds * 8 + 16;
    Model *at = calloc((size_t)nsnap_cap, sizeof(Model));   /* model at each snapshot id */
    Model model;
    memset(&model, 0, sizeof(model));
    /* a streaming reader from the start; it pins what it has read */
    const char *sk[1] = {"continuous.discovery-interval"}, *sv[1] = {"1 ms"};
    StoreScan *stream = store_scan_open(t, true, 1, sk, sv, &err);
    CHECK(stream != NULL);
    Model streamed;
    memset(&streamed, 0, sizeof(streamed));
    Batch *sout = ty_batch_new(col_types, NCOLS, 512);
    int64_t now = 1000, last_id = 0, identifier = 0;
    bool ok = true;
    for (int round = 0; round < rounds && ok; round++) {
        StoreWriter *w = store_writer_open(t, "model", false, NULL, &err);
        CHECK(w != NULL);
        if (!w) { fprintf(stderr, "  %s\n", err.message); break; }
        int commits = 1 + (int)wb_rand_below(&rng, 3);
        for (int ci = 0; ci < commits && ok; ci++) {
            int batches = 1 + (int)wb_rand_below(&rng, 3);
            for (int bi = 0; bi < batches && ok; bi++)
                if (random_batch(c, w, &model, &err) != 0) { ok = false; fprintf(stderr, "  write: %s\n", err.message); }
            int64_t id;
            if (ok && store_writer_commit(w, ++identifier, &id, &err) != 0) {
                ok = false;
                fprintf(stderr, "  commit: %s\n", err.message);
            }
            /* a retried commit of the same identifier is a no-op */
            if (ok && wb_rand_below(&rng, 8) == 0) {
                int64_t again;
                CHECK(store_writer_commit(w, identifier, &again, &err) == 0 && again == 0);
            }
            int64_t latest = store_latest_snapshot(t, &err);
            for (int64_t s = last_id + 1; s <= latest && s < nsnap_cap; s++) at[s] = model;
            last_id = latest;
        }
        store_writer_close(w);
        uint64_t action = wb_rand_below(&rng, 6);
        if (action == 0) {
            CHECK(store_compact(t, NULL, &err) == 0);
        } else if (action == 1) {
            CHECK(store_expire(t, &err) == 0);
        }
        int64_t latest = store_latest_snapshot(t, &err);
        for (int64_t s = last_id + 1; s <= latest && s < nsnap_cap; s++) at[s] = model;
        last_id = latest;
        /* the streaming reader catches up */
        now += 10;
        ty_batch_reset(sout);
        if (stream) {
            int rc = read_all(stream, sout, now, &err);
            CHECK(rc == 1);
            if (rc < 0) { fprintf(stderr, "  stream: %s\n", err.message); ok = false; }
            CHECK(replay(&streamed, sout, "streaming read"));
            int64_t upto = store_scan_snapshot(stream);
            CHECK(upto == latest);
            if (upto > 0 && upto < nsnap_cap) CHECK(models_equal(&streamed, &at[upto], "streaming read", upto));
        }
        /* a random live snapshot reads as the model then */
        int64_t earliest = latest;
        while (earliest > 1) {
            Model probe;
            WbError e2 = {0};
            if (!read_snapshot(t, earliest - 1, &probe, &e2)) break;
            earliest--;
        }
        int64_t pick = earliest + (int64_t)wb_rand_below(&rng, (uint64_t)(latest - earliest + 1));
        Model got;
        bool read_ok = read_snapshot(t, pick, &got, &err);
        CHECK(read_ok);
        if (!read_ok) fprintf(stderr, "  read %lld: %s\n", (long long)pick, err.message);
        else CHECK(models_equal(&got, &at[pick], "snapshot read", pick));
        /* an incremental read between two live snapshots */
        int64_t a = earliest + (int64_t)wb_rand_below(&rng, (uint64_t)(latest - earliest + 1));
        int64_t b = a + (int64_t)wb_rand_below(&rng, (uint64_t)(latest - a + 1));
        Model state = at[a];
        bool inc_ok = read_incremental(t, a, b, &state, &err);
        CHECK(inc_ok);
        if (!inc_ok) fprintf(stderr, "  incremental %lld,%lld: %s\n", (long long)a, (long long)b, err.message);
        else CHECK(models_equal(&state, &at[b], "incremental read", b));
        if (!read_ok || !inc_ok) ok = false;
    }
    CHECK(ok);
    store_scan_close(stream);
    ty_batch_free(sout);
    /* reopened from disk, the table still reads as the model */
    store_close(t);
    t = open_table(dir, c, 0, NULL, NULL, &err);
    CHECK(t != NULL);
    if (t) {
        Model got;
        int64_t latest = store_latest_snapshot(t, &err);
        CHECK(read_snapshot(t, latest, &got, &err) && models_equal(&got, &model, "reopened", latest));
        /* point lookups agree with the model */
        Batch *keys = ty_batch_new(col_types, c->partitioned ? 2 : 1, NKEYS);
        for (int k = 0; k < NKEYS; k++) {
            keys->cols[0].i64[k] = k;
            keys->cols[0].nulls[k] = 0;
            if (c->partitioned) { keys->cols[1].i64[k] = k % 3; keys->cols[1].nulls[k] = 0; }
            keys->weights[k] = 1;
        }
        keys->nrows = NKEYS;
        Batch *found_rows = ty_batch_new(col_types, NCOLS, NKEYS);
        int32_t found[NKEYS];
        CHECK(store_lookup(t, keys, found_rows, found, &err) == 0);
        for (int k = 0; k < NKEYS; k++) {
            CHECK((found[k] >= 0) == model.rows[k].present);
            if (found[k] >= 0) {
                int key;
                MRow row;
                row_from_batch(found_rows, found[k], &key, &row);
                CHECK(key == k && rows_equal(&row, &model.rows[k]));
            }
        }
        ty_batch_free(found_rows);
        ty_batch_free(keys);
        store_close(t);
    }
    free(at);
}

static const Case cases[] = {
    {"dedup", "deduplicate", "none", 1, false},
    {"dedup_b3", "deduplicate", "none", 3, false},
    {"dedup_input", "deduplicate", "input", 2, false},
    {"dedup_lookup", "deduplicate", "lookup", 1, true},
    {"dedup_fullc", "deduplicate", "full-compaction", 2, false},
    {"partial", "partial-update", "none", 2, false},
    {"partial_lookup", "partial-update", "lookup", 1, true},
    {"agg", "aggregation", "none", 2, false},
    {"agg_fullc", "aggregation", "full-compaction", 1, false},
    {"first_row", "first-row", "none", 2, true},
};

static const Case *current;
static void test_model_case(void) { run_case(current); }

int main(void)
{
    setup_types();
    const char *env = getenv("WEIR_STORE_ROUNDS");
    if (env) rounds = atoi(env);
    snprintf(base_dir, sizeof base_dir, "/tmp/weir-test-store-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base_dir);
    if (system(cmd) != 0) return 1;
    wb_rand_seed(&rng, 42);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        current = &cases[i];
        fprintf(stderr, "case %s\n", cases[i].name);
        check_run_(cases[i].name, test_model_case);
    }
    if (system(cmd) != 0) return 1;
    return check_done();
}
