/*
 * gen_data.c - writes the GROUP BY benchmark's input: N changes over K
 * distinct BIGINT keys (see bench_gen.h), as headerless CSV `k,v` (inserts
 * only) or as debezium-json (inserts "c" and deletes "d", one per line).
 *
 * Usage: gen_data [--rows N] [--keys K] [--seed S] [--retract-pct P]
 *                 [--format csv|debezium-json] OUT
 * Prints the expected checksums of SELECT k, COUNT(*) c, SUM(v) s GROUP BY k
 * on stdout as `groups=G sum_c=C sum_s=S inserts=I retracts=R`, so the
 * harness can check every engine's answer against an independent count.
 * A CSV input cannot express retractions, so --retract-pct needs debezium.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_gen.h"

#define OUT_BUF_SIZE (1 << 20)

typedef struct OutBuf {
    FILE *file;
    char data[OUT_BUF_SIZE];
    size_t len;
} OutBuf;

static void out_flush(OutBuf *out)
{
    if (out->len && fwrite(out->data, 1, out->len, out->file) != out->len) {
        fprintf(stderr, "gen_data: write failed: %s\n", strerror(errno));
        exit(1);
    }
    out->len = 0;
}

static void out_str(OutBuf *out, const char *s, size_t len)
{
    if (out->len + len > OUT_BUF_SIZE) out_flush(out);
    memcpy(out->data + out->len, s, len);
    out->len += len;
}

#define OUT_LIT(out, lit) out_str((out), (lit), sizeof(lit) - 1)

/* Decimal text of a non-negative or negative int64 without printf, which
 * would dominate the generator's time at 10M rows. */
static void out_i64(OutBuf *out, int64_t value)
{
    char tmp[24];
    int pos = (int)sizeof(tmp);
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        tmp[--pos] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (value < 0) tmp[--pos] = '-';
    out_str(out, tmp + pos, sizeof(tmp) - (size_t)pos);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: gen_data [--rows N] [--keys K] [--seed S] [--retract-pct P]\n"
            "                [--format csv|debezium-json] OUT\n");
    exit(2);
}

static int64_t parse_count(const char *text)
{
    char *end;
    errno = 0;
    intmax_t value = strtoimax(text, &end, 10);
    if (errno || *end || value <= 0) usage();
    return (int64_t)value;
}

int main(int argc, char **argv)
{
    int64_t rows = 10000000, keys = 1000000;
    uint64_t seed = 42;
    double retract_pct = 0;
    const char *format = "csv", *path = NULL;

    for (int arg_idx = 1; arg_idx < argc; arg_idx++) {
        const char *arg = argv[arg_idx];
        bool has_value = arg_idx + 1 < argc;
        if (strcmp(arg, "--rows") == 0 && has_value) {
            rows = parse_count(argv[++arg_idx]);
        } else if (strcmp(arg, "--keys") == 0 && has_value) {
            keys = parse_count(argv[++arg_idx]);
        } else if (strcmp(arg, "--seed") == 0 && has_value) {
            seed = (uint64_t)parse_count(argv[++arg_idx]);
        } else if (strcmp(arg, "--retract-pct") == 0 && has_value) {
            retract_pct = atof(argv[++arg_idx]);
        } else if (strcmp(arg, "--format") == 0 && has_value) {
            format = argv[++arg_idx];
        } else if (arg[0] != '-' && !path) {
            path = arg;
        } else {
            usage();
        }
    }
    bool debezium = strcmp(format, "debezium-json") == 0;
    if (!path || (!debezium && strcmp(format, "csv") != 0) || keys > UINT32_MAX ||
        retract_pct < 0 || retract_pct >= 100 || (retract_pct > 0 && !debezium))
        usage();

    static OutBuf out;
    out.file = fopen(path, "w");
    if (!out.file) {
        fprintf(stderr, "gen_data: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }

    BenchGen gen;
    bench_gen_init(&gen, seed, (uint64_t)keys, retract_pct, rows);
    for (int64_t row_idx = 0; row_idx < rows; row_idx++) {
        BenchRow row;
        int weight = bench_gen_next(&gen, &row);
        if (!debezium) {
            out_i64(&out, row.k);
            OUT_LIT(&out, ",");
            out_i64(&out, row.v);
            OUT_LIT(&out, "\n");
        } else if (weight > 0) {
            OUT_LIT(&out, "{\"before\":null,\"after\":{\"k\":");
            out_i64(&out, row.k);
            OUT_LIT(&out, ",\"v\":");
            out_i64(&out, row.v);
            OUT_LIT(&out, "},\"op\":\"c\"}\n");
        } else {
            OUT_LIT(&out, "{\"before\":{\"k\":");
            out_i64(&out, row.k);
            OUT_LIT(&out, ",\"v\":");
            out_i64(&out, row.v);
            OUT_LIT(&out, "},\"after\":null,\"op\":\"d\"}\n");
        }
    }
    out_flush(&out);
    if (fclose(out.file) != 0) {
        fprintf(stderr, "gen_data: closing %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("groups=%" PRId64 " sum_c=%" PRId64 " sum_s=%" PRId64
           " inserts=%" PRId64 " retracts=%" PRId64 "\n",
           gen.groups, gen.sum_c, gen.sum_s, gen.inserts, gen.retracts);
    bench_gen_free(&gen);
    return 0;
}
