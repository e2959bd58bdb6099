/*
 * snappy_bench.c - Snappy decompression of Parquet-page-sized buffers:
 * Debian's libsnappy (snappy_uncompress) beside weir's own decoder
 * (pq_snappy_decompress, src/store/snappy.c).  Each shape is a 1 MiB page
 * (the writer's default page_bytes) compressed once with libsnappy:
 *
 *   rand_i64   random int64 in [0, 1M) as 8-byte LE (a PLAIN BIGINT page)
 *   seq_i64    0, 1, 2, ... as 8-byte LE (a sorted key column)
 *   str16      random 16-letter strings, each after a u32 LE length (PLAIN
 *              BYTE_ARRAY)
 *   zeros      all zero bytes (long runs: overlapping copies of offset 1)
 *   random     random bytes (incompressible: literals only)
 *
 * Both decoders must give the same bytes.  Each is timed over enough
 * repetitions for SECONDS of CPU (default 0.5); prints one line per shape
 * with the compressed ratio and each decoder's MB/s of output (1 MB =
 * 10^6 bytes) on CPU time.
 *
 * With --file, instead: every snappy page of a Parquet file (the pages
 * are walked from the file's start to its footer, as weir's writer lays
 * them out one column chunk after another), all decoded once per round.
 *
 * usage: snappy_bench [--seconds S] [--bytes N] [--shape NAME] [--file F]
 * build: cc -std=c11 -O2 -D_GNU_SOURCE -Isrc bench/snappy_bench.c
 *        build/libweir.a -licuuc -lzstd -lsnappy -lz -lm -lpthread
 */
#include <inttypes.h>
#include <stdbool.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/parquet_int.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++) p[b] = (uint8_t)(v >> (8 * b));
}

/* Fills buf[0..n) with the named shape. */
static void fill(const char *shape, uint8_t *buf, size_t n)
{
    memset(buf, 0, n);
    if (strcmp(shape, "rand_i64") == 0) {
        for (size_t i = 0; i + 8 <= n; i += 8) put_u64(buf + i, rng_next() % 1000000);
    } else if (strcmp(shape, "seq_i64") == 0) {
        for (size_t i = 0; i + 8 <= n; i += 8) put_u64(buf + i, i / 8);
    } else if (strcmp(shape, "str16") == 0) {
        for (size_t i = 0; i + 20 <= n; i += 20) {
            buf[i] = 16;
            for (int c = 0; c < 16; c++) buf[i + 4 + c] = (uint8_t)('a' + rng_next() % 26);
        }
    } else if (strcmp(shape, "random") == 0) {
        for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)rng_next();
    }
}

typedef struct Page {
    const uint8_t *src;
    size_t clen, ulen;
} Page;

/* Times both decoders over every snappy page of the Parquet file. */
static int bench_file(const char *path, double seconds)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fprintf(stderr, "cannot open %s\n", path), 1;
    fseek(f, 0, SEEK_END);
    long flen = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *file = malloc((size_t)flen);
    if (!file || fread(file, 1, (size_t)flen, f) != (size_t)flen) return fprintf(stderr, "cannot read\n"), 1;
    fclose(f);
    if (flen < 12 || memcmp(file, "PAR1", 4) != 0) return fprintf(stderr, "not Parquet\n"), 1;
    size_t footer = (size_t)flen - 8 - (size_t)wb_get_u32(file + flen - 8);
    Page *pages = NULL;
    size_t npages = 0, cap = 0, raw_total = 0, comp_total = 0, max_ulen = 0, pos = 4;
    while (pos < footer) {
        PqPageHeader ph;
        const char *why = NULL;
        int64_t hlen = pq_parse_page_header(file + pos, footer - pos, &ph, &why);
        if (hlen < 0) return fprintf(stderr, "page header at %zu: %s\n", pos, why), 1;
        pos += (size_t)hlen;
        size_t skip = ph.type == PQP_DATA_PAGE_V2 ? (size_t)ph.def_len + (size_t)ph.rep_len : 0;
        const uint8_t *body = file + pos + skip;
        size_t clen = (size_t)ph.compressed_size - skip, ulen = (size_t)ph.uncompressed_size - skip;
        pos += (size_t)ph.compressed_size;
        size_t n;
        bool is_snappy = snappy_uncompressed_length((const char *)body, clen, &n) == SNAPPY_OK && n == ulen &&
                         clen != ulen;
        if (!is_snappy) continue;
        if (npages == cap) pages = realloc(pages, (cap = cap ? 2 * cap : 64) * sizeof *pages);
        pages[npages++] = (Page){ body, clen, ulen };
        raw_total += ulen;
        comp_total += clen;
        if (ulen > max_ulen) max_ulen = ulen;
    }
    uint8_t *out = malloc(max_ulen + 1), *ref = malloc(max_ulen + 1);
    double rate[2];
    for (int which = 0; which < 2; which++) {
        int64_t rounds = 0;
        double t0 = cpu_now(), t;
        do {
            for (size_t p = 0; p < npages; p++) {
                size_t n = pages[p].ulen;
                const char *why = NULL;
                if (which == 0 ? snappy_uncompress((const char *)pages[p].src, pages[p].clen, (char *)ref, &n) !=
                                     SNAPPY_OK
                               : pq_snappy_decompress(pages[p].src, pages[p].clen, out, n, &why) != 0)
                    return fprintf(stderr, "page %zu does not decompress\n", p), 1;
            }
            rounds++;
            t = cpu_now() - t0;
        } while (t < seconds);
        rate[which] = (double)raw_total * (double)rounds / t / 1e6;
    }
    for (size_t p = 0; p < npages; p++) {
        size_t n = pages[p].ulen;
        const char *why = NULL;
        snappy_uncompress((const char *)pages[p].src, pages[p].clen, (char *)ref, &n);
        if (pq_snappy_decompress(pages[p].src, pages[p].clen, out, n, &why) != 0 || memcmp(out, ref, n) != 0)
            return fprintf(stderr, "page %zu differs\n", p), 1;
    }
    printf("%-9s %10zu %7.3f %14.0f %14.0f %6.2fx  (%zu pages)\n", "file", raw_total,
           (double)comp_total / (double)raw_total, rate[0], rate[1], rate[1] / rate[0], npages);
    free(pages);
    free(out);
    free(ref);
    free(file);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = 0.5;
    size_t bytes = 1 << 20;
    const char *only = NULL, *file = NULL;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc) seconds = atof(argv[++a]);
        else if (strcmp(argv[a], "--bytes") == 0 && a + 1 < argc) bytes = (size_t)atol(argv[++a]);
        else if (strcmp(argv[a], "--shape") == 0 && a + 1 < argc) only = argv[++a];
        else if (strcmp(argv[a], "--file") == 0 && a + 1 < argc) file = argv[++a];
        else {
            fprintf(stderr, "usage: snappy_bench [--seconds S] [--bytes N] [--shape NAME] [--file F]\n");
            return 2;
        }
    }
    if (file) {
        printf("%-9s %10s %7s %14s %14s %7s\n", "pages", "bytes", "ratio", "libsnappy MB/s", "weir MB/s",
               "speedup");
        return bench_file(file, seconds);
    }
    static const char *shapes[] = { "rand_i64", "seq_i64", "str16", "zeros", "random" };
    uint8_t *raw = malloc(bytes), *out = malloc(bytes + 1), *ref = malloc(bytes + 1);
    size_t cap = snappy_max_compressed_length(bytes);
    uint8_t *comp = malloc(cap);
    if (!raw || !out || !ref || !comp) return 1;
    printf("%-9s %10s %7s %14s %14s %7s\n", "shape", "bytes", "ratio", "libsnappy MB/s", "weir MB/s",
           "speedup");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        if (only && strcmp(only, shapes[s]) != 0) continue;
        fill(shapes[s], raw, bytes);
        size_t clen = cap;
        if (snappy_compress((const char *)raw, bytes, (char *)comp, &clen) != SNAPPY_OK) return 1;
        double rate[2];
        for (int which = 0; which < 2; which++) {
            uint8_t *dst = which ? out : ref;
            int64_t reps = 0;
            double t0 = cpu_now(), t;
            do {
                for (int k = 0; k < 16; k++) {
                    if (which == 0) {
                        size_t n = bytes;
                        if (snappy_uncompress((const char *)comp, clen, (char *)dst, &n) != SNAPPY_OK ||
                            n != bytes)
                            return fprintf(stderr, "libsnappy failed on %s\n", shapes[s]), 1;
                    } else {
                        const char *why = NULL;
                        if (pq_snappy_decompress(comp, clen, dst, bytes, &why) != 0)
                            return fprintf(stderr, "weir failed on %s: %s\n", shapes[s], why), 1;
                    }
                }
                reps += 16;
                t = cpu_now() - t0;
            } while (t < seconds);
            rate[which] = (double)bytes * (double)reps / t / 1e6;
        }
        if (memcmp(out, raw, bytes) != 0 || memcmp(ref, raw, bytes) != 0)
            return fprintf(stderr, "outputs differ on %s\n", shapes[s]), 1;
        printf("%-9s %10zu %7.3f %14.0f %14.0f %6.2fx\n", shapes[s], bytes, (double)clen / (double)bytes,
               rate[0], rate[1], rate[1] / rate[0]);
    }
    free(raw);
    free(out);
    free(ref);
    free(comp);
    return 0;
}
