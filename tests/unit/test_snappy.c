/*
 * test_snappy.c - weir's Snappy decompressor (src/store/snappy.c,
 * pq_snappy_decompress): round trips of libsnappy-compressed buffers of
 * many shapes and sizes; hand-built streams of every element form (all
 * literal length encodings, the three copy forms, overlapping copies of
 * offsets 1..16 far from and near the end of the output) checked against
 * a byte-at-a-time reference decoder and libsnappy; and hostile input:
 * each malformed element alone, every truncation of valid streams, and
 * thousands of random mutations and random streams, which must fail or
 * give exactly the reference's bytes.  Buffers are allocated at their
 * exact sizes so that ASan sees any read or write past them.
 */
#include "check.h"
#include "store/parquet_int.h"

#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243f6a8885a308d3u;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1du;
}

/* A buffer of exactly n bytes (never NULL, even for 0). */
static uint8_t *exact(const void *from, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (from && n) memcpy(p, from, n);
    if (!n) {
        free(p);
        p = malloc(0);   /* glibc: a unique pointer to 0 usable bytes */
        if (!p) p = malloc(1);
    }
    return p;
}

/* The reference: the format description read one byte at a time.  Fills
 * out[0..cap) and returns the bytes written, or -1 for any malformed
 * stream (including one whose preamble is not cap or that stops short). */
static int64_t ref_decode(const uint8_t *src, size_t len, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    uint64_t declared = 0;
    for (int shift = 0;; shift += 7) {
        if (i >= len || shift > 28) return -1;
        uint8_t b = src[i++];
        declared |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    if (declared != cap) return -1;
    while (i < len) {
        uint8_t tag = src[i++];
        uint64_t elen, off = 0;
        int kind = tag & 3;
        if (kind == 0) {
            elen = (uint64_t)(tag >> 2) + 1;
            if (elen > 60) {
                int nb = (int)elen - 60;
                if (len - i < (size_t)nb) return -1;
                elen = 0;
                for (int b = 0; b < nb; b++) elen |= (uint64_t)src[i + b] << (8 * b);
                elen += 1;
                i += (size_t)nb;
            }
            if (elen > len - i || elen > cap - o) return -1;
            for (uint64_t k = 0; k < elen; k++) out[o++] = src[i++];
            continue;
        }
        int nb = kind == 1 ? 1 : kind == 2 ? 2 : 4;
        if (len - i < (size_t)nb) return -1;
        for (int b = 0; b < nb; b++) off |= (uint64_t)src[i + b] << (8 * b);
        i += (size_t)nb;
        if (kind == 1) {
            elen = (uint64_t)((tag >> 2) & 7) + 4;
            off |= (uint64_t)(tag >> 5) << 8;
        } else {
            elen = (uint64_t)(tag >> 2) + 1;
        }
        if (off == 0 || off > o || elen > cap - o) return -1;
        for (uint64_t k = 0; k < elen; k++, o++) out[o] = out[o - off];
    }
    return o == cap ? (int64_t)o : -1;
}

/* ---- building streams element by element ---- */

typedef struct Stream {
    uint8_t *data;
    size_t len, cap;
} Stream;

static void put(Stream *s, uint8_t b)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->data = realloc(s->data, s->cap);
    }
    s->data[s->len++] = b;
}

static void put_varint(Stream *s, uint64_t v)
{
    while (v >= 0x80) {
        put(s, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put(s, (uint8_t)v);
}

/* A literal of n bytes from bytes[], its length in `nb` extra bytes (0 when
 * n <= 60 fits the tag; 1..4 otherwise, or on purpose for short ones). */
static void put_literal(Stream *s, const uint8_t *bytes, size_t n, int nb)
{
    if (nb == 0) {
        put(s, (uint8_t)((n - 1) << 2));
    } else {
        put(s, (uint8_t)((59 + nb) << 2));
        for (int b = 0; b < nb; b++) put(s, (uint8_t)((n - 1) >> (8 * b)));
    }
    for (size_t k = 0; k < n; k++) put(s, bytes[k]);
}

/* A copy in form 1 (len 4..11, off < 2048), 2 (len 1..64, off < 65536) or
 * 4 (len 1..64, 32-bit off). */
static void put_copy(Stream *s, int form, size_t len, size_t off)
{
    if (form == 1) {
        put(s, (uint8_t)(1 | ((len - 4) << 2) | ((off >> 8) << 5)));
        put(s, (uint8_t)off);
    } else if (form == 2) {
        put(s, (uint8_t)(2 | ((len - 1) << 2)));
        put(s, (uint8_t)off);
        put(s, (uint8_t)(off >> 8));
    } else {
        put(s, (uint8_t)(3 | ((len - 1) << 2)));
        for (int b = 0; b < 4; b++) put(s, (uint8_t)(off >> (8 * b)));
    }
}

/* The form of copy that encodes (len, off), choosing at random among the
 * legal ones. */
static int any_form(size_t len, size_t off)
{
    int forms[3], n = 0;
    if (len >= 4 && len <= 11 && off < 2048) forms[n++] = 1;
    if (off < 65536) forms[n++] = 2;
    forms[n++] = 4;
    return forms[rnd() % (uint64_t)n];
}

/* Decodes src with weir's decoder into an exact buffer of dst_len and with
 * the reference; both must agree on success and bytes.  Returns 0 if weir
 * decoded it (why NULL), -1 if it refused (why set). */
static int decode_both(const uint8_t *src_in, size_t len, size_t dst_len, uint8_t *ref_out)
{
    uint8_t *src = exact(src_in, len);
    uint8_t *dst = exact(NULL, dst_len);
    const char *why = NULL;
    int rc = pq_snappy_decompress(src, len, dst, dst_len, &why);
    int64_t ref = ref_decode(src_in, len, ref_out, dst_len);
    CHECK((rc == 0) == (ref >= 0));
    if (rc == 0) {
        CHECK(why == NULL);
        if (ref >= 0) CHECK(dst_len == 0 || memcmp(dst, ref_out, dst_len) == 0);
    } else {
        CHECK(why != NULL && why[0] != '\0');
    }
    free(src);
    free(dst);
    return rc;
}

/* ---- round trips through libsnappy ---- */

enum { SH_ZEROS, SH_RANDOM, SH_RAND_I64, SH_SEQ_I64, SH_STR16, SH_TEXT, SH_RUNS, SH_COUNT };

static void fill(int shape, uint8_t *buf, size_t n)
{
    static const char *words[] = { "the ", "snappy ", "page ", "of ", "weir ", "parquet ", "column " };
    size_t period = 1 + rnd() % 16;
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case SH_ZEROS: buf[i] = 0; break;
        case SH_RANDOM: buf[i] = (uint8_t)rnd(); break;
        case SH_RAND_I64: buf[i] = i % 8 < 3 ? (uint8_t)rnd() : 0; break;
        case SH_SEQ_I64: buf[i] = (uint8_t)((i / 8) >> (8 * (i % 8))); break;
        case SH_STR16: buf[i] = i % 20 == 0 ? 16 : i % 20 < 4 ? 0 : (uint8_t)('a' + rnd() % 26); break;
        case SH_TEXT: {
            const char *w = words[rnd() % 7];
            for (; *w && i < n; w++) buf[i++] = (uint8_t)*w;
            i--;
            break;
        }
        default:   /* runs of a short pattern, changing now and then */
            if (i < period || rnd() % 200 == 0) buf[i] = (uint8_t)rnd();
            else buf[i] = buf[i - period];
            break;
        }
    }
}

static void roundtrip(int shape, size_t n)
{
    uint8_t *raw = exact(NULL, n), *back = exact(NULL, n), *ref = exact(NULL, n);
    fill(shape, raw, n);
    size_t clen = snappy_max_compressed_length(n);
    uint8_t *comp = malloc(clen);
    CHECK(snappy_compress((const char *)raw, n, (char *)comp, &clen) == SNAPPY_OK);
    uint8_t *src = exact(comp, clen);
    const char *why = NULL;
    CHECK(pq_snappy_decompress(src, clen, back, n, &why) == 0);
    CHECK(why == NULL);
    CHECK(n == 0 || memcmp(back, raw, n) == 0);
    /* a caller expecting another size is refused */
    why = NULL;
    CHECK(pq_snappy_decompress(src, clen, back, n ? n - 1 : 0, &why) == (n ? -1 : 0));
    CHECK(decode_both(comp, clen, n, ref) == 0);
    free(raw);
    free(back);
    free(ref);
    free(comp);
    free(src);
}

static void test_roundtrip_shapes_and_sizes(void)
{
    static const size_t sizes[] = { 0,  1,   2,   3,   4,    5,    7,    8,    9,     15,    16,    17,
                                    31, 32,  33,  63,  64,   65,   66,   100,  127,   128,   129,   1000,
                                    4095, 4096, 4097, 65535, 65536, 65537, 100000, 200003, 1 << 20 };
    for (int shape = 0; shape < SH_COUNT; shape++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) roundtrip(shape, sizes[k]);
    for (int k = 0; k < 300; k++) roundtrip((int)(rnd() % SH_COUNT), (size_t)(rnd() % 3000));
}

/* ---- hand-built streams ---- */

/* Runs: a literal of `off` distinct bytes, then copies of offset `off` and
 * every length 1..64, placed so that some end far from the output's end
 * (the fast path) and the last ones within its final bytes (the exact
 * path). */
static void test_overlapping_copies(void)
{
    for (size_t off = 1; off <= 16; off++) {
        for (size_t len = 1; len <= 64; len++) {
            for (int reps = 1; reps <= 3; reps += 2) {
                Stream s = { 0 };
                uint8_t seed[16];
                for (size_t k = 0; k < off; k++) seed[k] = (uint8_t)(0x41 + k);
                size_t total = off + len * (size_t)reps + 1;
                put_varint(&s, total);
                put_literal(&s, seed, off, 0);
                for (int r = 0; r < reps; r++) put_copy(&s, len >= 4 && len <= 11 ? 1 : 2, len, off);
                uint8_t last = 0xEE;
                put_literal(&s, &last, 1, 0);
                uint8_t *want = exact(NULL, total), *ref = exact(NULL, total);
                for (size_t k = 0; k < total - 1; k++) want[k] = seed[k % off];
                want[total - 1] = 0xEE;
                uint8_t *dst = exact(NULL, total);
                const char *why = NULL;
                CHECK(pq_snappy_decompress(s.data, s.len, dst, total, &why) == 0);
                CHECK(memcmp(dst, want, total) == 0);
                CHECK(decode_both(s.data, s.len, total, ref) == 0);
                free(want);
                free(ref);
                free(dst);
                free(s.data);
            }
        }
    }
    /* a long run of offset 1..16 (the fast path's pattern widening), then
     * a tail of copies each within 64 bytes of the end */
    for (size_t off = 1; off <= 16; off++) {
        Stream s = { 0 };
        uint8_t seed[16];
        for (size_t k = 0; k < off; k++) seed[k] = (uint8_t)rnd();
        size_t total = off + 64 * 100 + 7 * 10;
        put_varint(&s, total);
        put_literal(&s, seed, off, 0);
        for (int r = 0; r < 100; r++) put_copy(&s, 2, 64, off * (1 + (size_t)r % 3));
        for (int r = 0; r < 10; r++) put_copy(&s, 1, 7, off);
        uint8_t *dst = exact(NULL, total), *ref = exact(NULL, total);
        const char *why = NULL;
        CHECK(pq_snappy_decompress(s.data, s.len, dst, total, &why) == 0);
        for (size_t k = 0; k < total; k++)
            if (dst[k] != seed[k % off]) {
                CHECK(dst[k] == seed[k % off]);
                break;
            }
        CHECK(decode_both(s.data, s.len, total, ref) == 0);
        free(dst);
        free(ref);
        free(s.data);
    }
}

/* A random valid stream of about `target` output bytes using every element
 * form; returns the output length. */
static size_t random_stream(Stream *s, size_t target)
{
    Stream body = { 0 };
    size_t out = 0;
    while (out < target || out == 0) {
        uint64_t pick = rnd() % 10;
        if (out == 0 || pick < 3) {
            size_t n = 1 + (size_t)(rnd() % (rnd() % 4 == 0 ? 300 : 20));
            int nb = n > 60 ? (n > 256 ? 2 : 1) : 0;
            if (rnd() % 8 == 0) nb = (int)(nb + rnd() % (uint64_t)(5 - nb));   /* longer than needed */
            if (nb == 0 && n > 60) nb = 1;
            uint8_t bytes[300];
            for (size_t k = 0; k < n; k++) bytes[k] = (uint8_t)rnd();
            put_literal(&body, bytes, n, nb);
            out += n;
        } else {
            size_t off = rnd() % 2 ? 1 + (size_t)(rnd() % 16) : 1 + (size_t)(rnd() % out);
            if (off > out) off = out;
            size_t len = 1 + (size_t)(rnd() % 64);
            put_copy(&body, any_form(len, off), len, off);
            out += len;
        }
    }
    put_varint(s, out);
    for (size_t k = 0; k < body.len; k++) put(s, body.data[k]);
    free(body.data);
    return out;
}

static void test_every_element_form(void)
{
    for (int iter = 0; iter < 2000; iter++) {
        Stream s = { 0 };
        size_t n = random_stream(&s, (size_t)(rnd() % (iter % 10 == 0 ? 20000 : 400)));
        uint8_t *ref = exact(NULL, n);
        CHECK(decode_both(s.data, s.len, n, ref) == 0);
        /* libsnappy reads the same bytes */
        uint8_t *lib = malloc(n + 1);
        size_t got = 0;
        CHECK(snappy_uncompressed_length((const char *)s.data, s.len, &got) == SNAPPY_OK && got == n);
        CHECK(snappy_uncompress((const char *)s.data, s.len, (char *)lib, &got) == SNAPPY_OK && got == n &&
              memcmp(lib, ref, n) == 0);
        free(lib);
        free(ref);
        free(s.data);
    }
}

/* ---- hostile input ---- */

/* Decodes the bytes into dst_len and expects a refusal with a reason. */
static void refused(const uint8_t *bytes, size_t len, size_t dst_len, const char *want_in_why)
{
    uint8_t *src = exact(bytes, len), *dst = exact(NULL, dst_len);
    const char *why = NULL;
    int rc = pq_snappy_decompress(src, len, dst, dst_len, &why);
    CHECK(rc == -1);
    CHECK(why != NULL);
    if (why && want_in_why && !strstr(why, want_in_why)) CHECK_STR(why, want_in_why);
    free(src);
    free(dst);
}

static void test_malformed_elements(void)
{
    /* the preamble */
    refused(NULL, 0, 0, "preamble");
    refused((const uint8_t[]){ 0x80 }, 1, 0, "preamble");                        /* cut */
    refused((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 6, 0, "preamble");   /* 6 bytes */
    refused((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x10 }, 5, 0, "preamble");   /* 2^32 */
    refused((const uint8_t[]){ 0x05, 0x10, 'a', 'b', 'c', 'd', 'e' }, 7, 4, "preamble");   /* 5 != 4 */
    refused((const uint8_t[]){ 0x05, 0x10, 'a', 'b', 'c', 'd', 'e' }, 7, 6, "preamble");
    /* the output stops short, or goes on */
    refused((const uint8_t[]){ 0x06, 0x10, 'a', 'b', 'c', 'd', 'e' }, 7, 6, "fewer");
    refused((const uint8_t[]){ 0x01 }, 1, 1, "fewer");
    refused((const uint8_t[]){ 0x04, 0x10, 'a', 'b', 'c', 'd', 'e' }, 7, 4, NULL);
    refused((const uint8_t[]){ 0x05, 0x10, 'a', 'b', 'c', 'd', 'e', 0x01, 0x01 }, 9, 5, "more");
    refused((const uint8_t[]){ 0x06, 0x10, 'a', 'b', 'c', 'd', 'e', 0x06, 0x01, 0x00 }, 10, 6, "more");
    /* copies: offset 0, before the start, a first element that copies */
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x01, 0x00 }, 9, 9, "offset");
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x01, 0x06 }, 9, 9, "offset");
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x0a, 0x06, 0x00 }, 10, 9, "offset");
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x0f, 0x00, 0x00, 0x00, 0x01 }, 12, 9,
            "offset");
    refused((const uint8_t[]){ 0x04, 0x01, 0x01 }, 3, 4, "offset");
    refused((const uint8_t[]){ 0x04, 0x02, 0x01, 0x00 }, 4, 4, "offset");
    /* a copy past the output's end (far from the start and near it) */
    refused((const uint8_t[]){ 0x0a, 0x10, 'a', 'b', 'c', 'd', 'e', 0xfe, 0x05, 0x00 }, 10, 10, "more");
    /* trailers cut by the end of the input */
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x01 }, 8, 9, "cut");
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x0e, 0x05 }, 9, 9, "cut");
    refused((const uint8_t[]){ 0x09, 0x10, 'a', 'b', 'c', 'd', 'e', 0x0f, 0x05, 0x00, 0x00 }, 11, 9, "cut");
    refused((const uint8_t[]){ 0x40, 0xf8, 0x3f }, 3, 64, "cut");   /* 2 length bytes, 1 there */
    /* literals past the input's end, or longer than the output */
    refused((const uint8_t[]){ 0x05, 0x10, 'a', 'b', 'c' }, 5, 5, "literal");
    refused((const uint8_t[]){ 0x05, 0xf0, 0x04, 'a', 'b', 'c' }, 6, 5, "literal");
    refused((const uint8_t[]){ 0x05, 0xfc, 0xff, 0xff, 0xff, 0xff, 'a' }, 7, 5, "literal");   /* 2^32 */
    refused((const uint8_t[]){ 0x03, 0x10, 'a', 'b', 'c', 'd', 'e' }, 7, 3, "more");
    /* a long literal past the output's end, with input enough for the
     * fast path's moves */
    {
        Stream s = { 0 };
        uint8_t bytes[200];
        memset(bytes, 'x', sizeof bytes);
        put_varint(&s, 150);
        put_literal(&s, bytes, 100, 0 + 1);
        put_literal(&s, bytes, 60, 0);
        refused(s.data, s.len, 150, "more");
        free(s.data);
    }
}

/* Every strict prefix of a valid stream fails (every element writes at
 * least one byte, so a prefix cannot reach the declared length). */
static void test_truncations(void)
{
    for (int shape = 0; shape < SH_COUNT; shape++) {
        size_t sizes[2] = { 300, 5000 };
        for (int k = 0; k < 2; k++) {
            size_t n = sizes[k];
            uint8_t *raw = malloc(n);
            fill(shape, raw, n);
            size_t clen = snappy_max_compressed_length(n);
            uint8_t *comp = malloc(clen);
            CHECK(snappy_compress((const char *)raw, n, (char *)comp, &clen) == SNAPPY_OK);
            for (size_t cut = 0; cut < clen; cut++) refused(comp, cut, n, NULL);
            free(raw);
            free(comp);
        }
    }
    for (int iter = 0; iter < 50; iter++) {
        Stream s = { 0 };
        size_t n = random_stream(&s, (size_t)(rnd() % 500));
        for (size_t cut = 0; cut < s.len; cut++) refused(s.data, cut, n, NULL);
        free(s.data);
    }
}

/* Mutations of valid streams: each gives the reference's verdict and bytes
 * (decode_both), and libsnappy agrees on the verdict. */
static void test_mutations(void)
{
    int decoded = 0, refusals = 0;
    for (int iter = 0; iter < 6000; iter++) {
        Stream s = { 0 };
        size_t n;
        if (iter % 2) {
            n = random_stream(&s, (size_t)(rnd() % 700));
        } else {
            n = (size_t)(rnd() % 3000);
            uint8_t *raw = malloc(n ? n : 1);
            fill((int)(rnd() % SH_COUNT), raw, n);
            size_t clen = snappy_max_compressed_length(n);
            s.data = malloc(clen);
            s.cap = clen;
            snappy_compress((const char *)raw, n, (char *)s.data, &clen);
            s.len = clen;
            free(raw);
        }
        int changes = 1 + (int)(rnd() % 4);
        for (int c = 0; c < changes && s.len > 0; c++) {
            size_t at = (size_t)(rnd() % s.len);
            switch (rnd() % 5) {
            case 0: s.data[at] = (uint8_t)rnd(); break;
            case 1: s.data[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 2: s.len = at; break;   /* truncate */
            case 3:                      /* drop a byte */
                memmove(s.data + at, s.data + at + 1, s.len - at - 1);
                s.len--;
                break;
            default:                     /* insert a byte */
                put(&s, 0);
                memmove(s.data + at + 1, s.data + at, s.len - at - 1);
                s.data[at] = (uint8_t)rnd();
                break;
            }
        }
        /* the caller's size: usually the original one, sometimes off */
        size_t dst_len = rnd() % 8 ? n : (size_t)(rnd() % (n + 10));
        uint8_t *ref = exact(NULL, dst_len);
        int rc = decode_both(s.data, s.len, dst_len, ref);
        if (rc == 0) decoded++;
        else refusals++;
        uint8_t *lib = malloc(dst_len + 1);
        size_t got = 0;
        bool lib_ok = snappy_uncompressed_length((const char *)s.data, s.len, &got) == SNAPPY_OK &&
                      got == dst_len &&
                      snappy_uncompress((const char *)s.data, s.len, (char *)lib, &got) == SNAPPY_OK &&
                      got == dst_len;
        CHECK(lib_ok == (rc == 0));
        free(lib);
        free(ref);
        free(s.data);
    }
    /* both outcomes happen: the mutations do reach the element checks */
    CHECK(decoded > 100);
    CHECK(refusals > 1000);
}

/* Random element bytes after a preamble stating the caller's size. */
static void test_random_streams(void)
{
    for (int iter = 0; iter < 5000; iter++) {
        Stream s = { 0 };
        size_t dst_len = (size_t)(rnd() % 200);
        put_varint(&s, dst_len);
        size_t n = (size_t)(rnd() % 100);
        for (size_t k = 0; k < n; k++) {
            uint8_t b = (uint8_t)rnd();
            if (k == 0 && rnd() % 2) b &= 0xfc;   /* often start with a literal */
            put(&s, b);
        }
        uint8_t *ref = exact(NULL, dst_len);
        decode_both(s.data, s.len, dst_len, ref);
        free(ref);
        free(s.data);
    }
}

int main(void)
{
    RUN(test_roundtrip_shapes_and_sizes);
    RUN(test_overlapping_copies);
    RUN(test_every_element_form);
    RUN(test_malformed_elements);
    RUN(test_truncations);
    RUN(test_mutations);
    RUN(test_random_streams);
    return check_done();
}
