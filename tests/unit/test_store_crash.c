/*
 * test_store_crash.c - crash safety of the table store: a child process
 * writes and commits (with automatic compaction and expiry) and is killed
 * with SIGKILL at a random moment, hundreds of times.  After each kill the
 * table opens, its latest snapshot reads completely (every file it names
 * exists and is whole: the reader checks row counts), every commit the
 * child reported is there, a commit the kill interrupted is there whole or
 * not at all, and the next writer succeeds.
 *
 * WEIR_CRASH_ITERS sets the number of kills (default 200).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"

#define ROWS_PER_COMMIT 20

static char dir[256];
static SqlType types[2];
static const char *names[2] = {"k", "v"};

static StoreTable *open_table(WbError *err)
{
    static int32_t pk[1] = {0};
    const char *keys[5] = {"num-sorted-run.compaction-trigger", "snapshot.num-retained.min",
                           "snapshot.num-retained.max", "snapshot.time-retained", "bucket"};
    const char *values[5] = {"2", "2", "3", "1 ms", "2"};
    StoreSpec spec = {"crash", 2, names, types, 1, pk, 0, NULL, 5, keys, values};
    return store_open(dir, &spec, err);
}

/* The child: commits iteration `iter` (fresh keys iter*100 + j) and
 * writes the iteration number to fd once the commit returned. */
static void child(int iter, int fd)
{
    WbError err = {0};
    StoreTable *t = open_table(&err);
    if (!t) _exit(2);
    StoreWriter *w = store_writer_open(t, "crash", false, NULL, &err);
    if (!w) _exit(3);
    Batch *b = ty_batch_new(types, 2, ROWS_PER_COMMIT);
    for (int j = 0; j < ROWS_PER_COMMIT; j++) {
        b->cols[0].i64[j] = (int64_t)iter * 100 + j;
        b->cols[0].nulls[j] = 0;
        b->cols[1].i64[j] = iter;
        b->cols[1].nulls[j] = 0;
        b->weights[j] = 1;
    }
    b->nrows = ROWS_PER_COMMIT;
    int64_t id;
    if (store_writer_write(w, b, &err) != 0 || store_writer_commit(w, iter, &id, &err) != 0) {
        fprintf(stderr, "child %d: %s\n", iter, err.message);
        _exit(4);
    }
    int32_t msg = iter;
    if (write(fd, &msg, sizeof msg) != sizeof msg) _exit(5);
    store_writer_close(w);
    store_close(t);
    _exit(0);
}

/* Reads the latest snapshot: counts rows per iteration into per_iter. */
static bool read_table(int32_t *per_iter, int iters, WbError *err)
{
    StoreTable *t = open_table(err);
    if (!t) return false;
    StoreScan *s = store_scan_open(t, false, 0, NULL, NULL, err);
    if (!s) { store_close(t); return false; }
    Batch *out = ty_batch_new(types, 2, 1024);
    int rc;
    memset(per_iter, 0, sizeof(int32_t) * (size_t)iters);
    bool ok = true;
    do {
        ty_batch_reset(out);
        rc = store_scan_next(s, out, 1024, 0, err);
        for (int32_t r = 0; r < out->nrows; r++) {
            int64_t it = out->cols[1].i64[r];
            if (it < 0 || it >= iters || out->cols[0].i64[r] / 100 != it) ok = false;
            else per_iter[it]++;
        }
    } while (rc > 0);
    ty_batch_free(out);
    store_scan_close(s);
    store_close(t);
    return rc == 0 && ok;
}

static void test_crash_loop(void)
{
    int iters = 200;
    const char *env = getenv("WEIR_CRASH_ITERS");
    if (env) iters = atoi(env);
    WbRand rng;
    wb_rand_seed(&rng, 7);
    bool *acked = calloc((size_t)iters + 1, sizeof(bool));
    int32_t *per_iter = calloc((size_t)iters + 1, sizeof(int32_t));
    int killed = 0, completed = 0;
    for (int iter = 1; iter < iters; iter++) {
        int fds[2];
        if (pipe(fds) != 0) { CHECK(false); break; }
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            child(iter, fds[1]);
        }
        close(fds[1]);
        /* a kill somewhere in the write, the commit, the compaction or the expiry */
        usleep((useconds_t)wb_rand_below(&rng, 15000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        int32_t msg;
        bool got = read(fds[0], &msg, sizeof msg) == sizeof msg && msg == iter;
        close(fds[0]);
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
            fprintf(stderr, "  iteration %d: the writer failed (exit %d)\n", iter, WEXITSTATUS(status));
            CHECK(false);
            break;
        }
        if (WIFSIGNALED(status)) killed++;
        else completed++;
        acked[iter] = got;
        WbError err = {0};
        bool ok = read_table(per_iter, iters, &err);
        CHECK(ok);
        if (!ok) { fprintf(stderr, "  iteration %d: %s\n", iter, err.message); break; }
        for (int i = 1; i <= iter; i++) {
            /* reported: whole; the one interrupted: whole or nothing */
            bool good = per_iter[i] == ROWS_PER_COMMIT || (!acked[i] && per_iter[i] == 0);
            if (!good) {
                fprintf(stderr, "  after iteration %d: commit %d has %d rows (reported: %d)\n", iter, i,
                        per_iter[i], acked[i]);
                CHECK(false);
                iter = iters;
                break;
            }
            if (per_iter[i] == ROWS_PER_COMMIT) acked[i] = true;   /* it is in: it must stay */
        }
    }
    fprintf(stderr, "  %d writers killed, %d completed\n", killed, completed);
    CHECK(killed > iters / 4);
    /* the files the killed writers left are orphans: removed, the table
     * still reads whole */
    WbError err = {0};
    StoreTable *t = open_table(&err);
    CHECK(t != NULL);
    int64_t removed = -1;
    CHECK(t && store_remove_orphans(t, 0, &removed, &err) == 0);
    fprintf(stderr, "  %lld orphan files removed\n", (long long)removed);
    CHECK(removed > 0);
    CHECK(read_table(per_iter, iters, &err));
    for (int i = 1; i < iters; i++) CHECK(per_iter[i] == (acked[i] ? ROWS_PER_COMMIT : 0));
    /* the next write succeeds */
    StoreWriter *w = t ? store_writer_open(t, "final", false, NULL, &err) : NULL;
    CHECK(w != NULL);
    if (w) {
        Batch *b = ty_batch_new(types, 2, 1);
        b->cols[0].i64[0] = 0;
        b->cols[0].nulls[0] = 0;
        b->cols[1].i64[0] = 0;
        b->cols[1].nulls[0] = 0;
        b->weights[0] = 1;
        b->nrows = 1;
        int64_t id;
        CHECK(store_writer_write(w, b, &err) == 0 && store_writer_commit(w, 1, &id, &err) == 0 && id > 0);
        ty_batch_free(b);
        store_writer_close(w);
    }
    store_close(t);
    free(acked);
    free(per_iter);
}

int main(void)
{
    types[0] = ty_make(TY_BIGINT);
    types[1] = ty_make(TY_BIGINT);
    snprintf(dir, sizeof dir, "/tmp/weir-test-store-crash-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    RUN(test_crash_loop);
    if (system(cmd) != 0) return 1;
    return check_done();
}
