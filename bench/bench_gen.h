/*
 * bench_gen.h - the deterministic change stream shared by the benchmark's
 * data generator (gen_data.c) and the in-memory aggregate bench (agg_bench.c),
 * so that both feed exactly the same rows and their checksums agree.
 *
 * The stream: each change is an insert of (k, v) or, with probability
 * retract_pct/100, the retraction of a uniformly chosen row that was
 * inserted earlier and is still live (so the changelog is always valid:
 * nothing is retracted that is not there).  k is one of nkeys distinct
 * BIGINTs, drawn uniformly; v is a small BIGINT in [0, 1000).
 *
 * Keys are idx * golden-ratio constant masked to 63 bits: a bijection of
 * [0, 2^63), so nkeys indexes give exactly nkeys distinct positive keys that
 * are spread over the whole BIGINT range (no dense small-integer range an
 * engine could special-case with a perfect-hash table).
 */
#ifndef WEIR_BENCH_GEN_H
#define WEIR_BENCH_GEN_H

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>

typedef struct BenchRow {
    int64_t k;
    int64_t v;
} BenchRow;

/* A live row, compactly: the key's index and the value. */
typedef struct BenchLive {
    uint32_t idx;
    int32_t v;
} BenchLive;

typedef struct BenchGen {
    uint64_t rng;            /* splitmix64 state */
    uint64_t nkeys;
    uint32_t retract_per_mille;
    BenchLive *live;         /* rows inserted and not yet retracted */
    int64_t nlive, cap;
    /* Checksums of the consolidated result, maintained as changes are drawn:
     * per-key counts tell when a key becomes or stops being a group (an
     * aggregate drops a group whose count falls back to zero). */
    int64_t *key_count;      /* nkeys entries */
    int64_t groups, sum_c, sum_s;
    int64_t inserts, retracts;
} BenchGen;

static inline uint64_t bench_rand(BenchGen *gen)
{
    uint64_t z = (gen->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound) by multiply-shift (bias < 2^-32, irrelevant here). */
static inline uint64_t bench_below(BenchGen *gen, uint64_t bound)
{
    return (uint64_t)(((unsigned __int128)bench_rand(gen) * bound) >> 64);
}

static inline int64_t bench_key_of(uint64_t idx)
{
    return (int64_t)((idx * 0x9e3779b97f4a7c15ULL) & 0x7fffffffffffffffULL);
}

/* expected_rows sizes the live-row array; it grows if exceeded. */
static inline void bench_gen_init(BenchGen *gen, uint64_t seed, uint64_t nkeys,
                                  double retract_pct, int64_t expected_rows)
{
    gen->rng = seed;
    gen->nkeys = nkeys;
    gen->retract_per_mille = (uint32_t)(retract_pct * 10.0 + 0.5);
    gen->cap = retract_pct > 0 && expected_rows > 16 ? expected_rows : 16;
    gen->live = malloc((size_t)gen->cap * sizeof(BenchLive));
    gen->key_count = calloc(nkeys, sizeof(int64_t));
    if (!gen->live || !gen->key_count) {
        fprintf(stderr, "bench_gen: out of memory\n");
        exit(2);
    }
    gen->nlive = 0;
    gen->groups = gen->sum_c = gen->sum_s = 0;
    gen->inserts = gen->retracts = 0;
}

static inline void bench_gen_free(BenchGen *gen)
{
    free(gen->live);
    free(gen->key_count);
}

/* Draws the next change into *row; returns its weight (+1 or -1). */
static inline int bench_gen_next(BenchGen *gen, BenchRow *row)
{
    uint64_t draw = bench_below(gen, 1000);
    if (draw < gen->retract_per_mille && gen->nlive > 0) {
        int64_t pick = (int64_t)bench_below(gen, (uint64_t)gen->nlive);
        BenchLive gone = gen->live[pick];
        gen->live[pick] = gen->live[--gen->nlive];
        row->k = bench_key_of(gone.idx);
        row->v = gone.v;
        if (--gen->key_count[gone.idx] == 0) gen->groups--;
        gen->sum_c--;
        gen->sum_s -= gone.v;
        gen->retracts++;
        return -1;
    }
    uint32_t idx = (uint32_t)bench_below(gen, gen->nkeys);
    int32_t v = (int32_t)bench_below(gen, 1000);
    row->k = bench_key_of(idx);
    row->v = v;
    /* An insert-only stream never retracts, so it keeps no live rows. */
    if (gen->retract_per_mille != 0) {
        if (gen->nlive == gen->cap) {
            gen->cap *= 2;
            gen->live = realloc(gen->live, (size_t)gen->cap * sizeof(BenchLive));
            if (!gen->live) {
                fprintf(stderr, "bench_gen: out of memory\n");
                exit(2);
            }
        }
        gen->live[gen->nlive].idx = idx;
        gen->live[gen->nlive].v = v;
        gen->nlive++;
    }
    if (gen->key_count[idx]++ == 0) gen->groups++;
    gen->sum_c++;
    gen->sum_s += v;
    gen->inserts++;
    return 1;
}

#endif
