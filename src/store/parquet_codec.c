/*
 * parquet_codec.c - Parquet's integer encodings and page compression: the
 * RLE/bit-packed hybrid (levels, dictionary indices, booleans), bit
 * unpacking, DELTA_BINARY_PACKED (Encodings.md), and the SNAPPY, ZSTD and
 * GZIP codecs over Debian's libsnappy, libzstd and zlib (SNAPPY pages are
 * read by weir's own decoder, snappy.c).
 *
 * Every decoder takes untrusted bytes with their length and fails (-1)
 * rather than read past them.
 */
#include "store/parquet_int.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* ---- the RLE/bit-packed hybrid ----
 *   run := header (ULEB128)
 *          header & 1 == 0: a run of (header >> 1) copies of one value,
 *                           stored in ceil(bit_width / 8) bytes LE
 *          header & 1 == 1: (header >> 1) groups of 8 values bit-packed
 *                           LSB first, bit_width bits each */

static int read_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return -1;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Unpacks n values of w bits (w <= 32) from p, LSB first. */
#define UNPACK_BODY(OUT_T)                                                     \
    do {                                                                       \
        uint64_t acc = 0;                                                      \
        int bits = 0;                                                          \
        uint64_t mask = w == 32 ? 0xffffffffu : (((uint64_t)1 << w) - 1);      \
        for (int64_t i = 0; i < n; i++) {                                      \
            while (bits < w) {                                                 \
                acc |= (uint64_t)*p++ << bits;                                 \
                bits += 8;                                                     \
            }                                                                  \
            out[i] = (OUT_T)(acc & mask);                                      \
            acc >>= w;                                                         \
            bits -= w;                                                         \
        }                                                                      \
    } while (0)

static void unpack_u32(const uint8_t *p, int w, uint32_t *out, int64_t n)
{
    if (w == 0) {
        memset(out, 0, sizeof(uint32_t) * (size_t)n);
        return;
    }
    UNPACK_BODY(uint32_t);
}

static void unpack_u8(const uint8_t *p, int w, uint8_t *out, int64_t n)
{
    if (w == 0) {
        memset(out, 0, (size_t)n);
        return;
    }
    if (w == 1) {
        int64_t i = 0;
        for (; i + 8 <= n; i += 8, p++) {
            uint8_t b = *p;
            for (int k = 0; k < 8; k++) out[i + k] = (b >> k) & 1;
        }
        for (int k = 0; i < n; i++, k++) out[i] = (*p >> k) & 1;
        return;
    }
    UNPACK_BODY(uint8_t);
}

#define RLE_DECODE_BODY(OUT_T, UNPACK, FILL)                                   \
    do {                                                                       \
        if (bit_width < 0 || bit_width > (int)(sizeof(OUT_T) * 8)) return -1;  \
        const uint8_t *p = data, *end = data + len;                            \
        int64_t done = 0;                                                      \
        int vbytes = (bit_width + 7) / 8;                                      \
        while (done < n) {                                                     \
            uint64_t header;                                                   \
            if (read_uvarint(&p, end, &header) != 0) return -1;                \
            if (header & 1) {                                                  \
                uint64_t groups = header >> 1;                                 \
                if (groups > ((uint64_t)1 << 40)) return -1;                   \
                uint64_t count = groups * 8;                                   \
                int64_t take = (int64_t)WB_MIN(count, (uint64_t)(n - done));   \
                uint64_t full = groups * (uint64_t)bit_width;                  \
                uint64_t need = ((uint64_t)take * (uint64_t)bit_width + 7) / 8; \
                uint64_t left = (uint64_t)(end - p);                           \
                if (need > left) return -1;                                    \
                UNPACK(p, bit_width, out + done, take);                        \
                p += WB_MIN(full, left);                                       \
                done += take;                                                  \
            } else {                                                           \
                uint64_t count = header >> 1;                                  \
                if (end - p < vbytes) return -1;                               \
                uint64_t value = 0;                                            \
                for (int b = 0; b < vbytes; b++) value |= (uint64_t)p[b] << (8 * b); \
                p += vbytes;                                                   \
                if (bit_width < 64 && value >> bit_width) return -1;           \
                int64_t take = (int64_t)WB_MIN(count, (uint64_t)(n - done));   \
                FILL;                                                          \
                done += take;                                                  \
            }                                                                  \
        }                                                                      \
        return 0;                                                              \
    } while (0)

int pq_rle_decode_u32(const uint8_t *data, size_t len, int bit_width, uint32_t *out, int64_t n)
{
    RLE_DECODE_BODY(uint32_t, unpack_u32,
                    for (int64_t i = 0; i < take; i++) out[done + i] = (uint32_t)value);
}

int pq_rle_decode_u8(const uint8_t *data, size_t len, int bit_width, uint8_t *out, int64_t n)
{
    RLE_DECODE_BODY(uint8_t, unpack_u8, memset(out + done, (int)value, (size_t)take));
}

/* Packs n values (n a multiple of 8) of w bits, LSB first. */
static void pack_u32(WbBuf *out, const uint32_t *v, int64_t n, int w)
{
    wb_buf_reserve(out, (size_t)(n * w / 8) + 8);
    uint8_t *p = (uint8_t *)out->data + out->len;
    uint64_t acc = 0;
    int bits = 0;
    for (int64_t i = 0; i < n; i++) {
        acc |= (uint64_t)v[i] << bits;
        bits += w;
        while (bits >= 8) {
            *p++ = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
    if (bits > 0) *p++ = (uint8_t)acc;
    out->len = (size_t)(p - (uint8_t *)out->data);
}

void pq_rle_encode(WbBuf *out, const uint32_t *v, int64_t n, int bit_width)
{
    int vbytes = (bit_width + 7) / 8;
    uint32_t pad[8];
    int64_t i = 0;
    while (i < n) {
        int64_t j = i + 1;
        while (j < n && v[j] == v[i]) j++;
        if (j - i >= 8) {
            tc_put_uvarint(out, (uint64_t)(j - i) << 1);
            for (int b = 0; b < vbytes; b++) wb_buf_putc(out, (char)(v[i] >> (8 * b)));
            i = j;
            continue;
        }
        /* a literal run of whole groups, until a run of 8 equal values
         * starts at a group boundary */
        int64_t start = i;
        for (;;) {
            i += 8;
            if (i >= n) break;
            int64_t k = i + 1;
            while (k < n && k - i < 8 && v[k] == v[i]) k++;
            if (k - i >= 8) break;
        }
        int64_t groups = (i - start) / 8;
        tc_put_uvarint(out, ((uint64_t)groups << 1) | 1);
        int64_t whole = WB_MIN(i, n) - start;
        int64_t full = whole & ~(int64_t)7;
        pack_u32(out, v + start, full, bit_width);
        if (full < whole) {
            memset(pad, 0, sizeof pad);
            memcpy(pad, v + start + full, sizeof(uint32_t) * (size_t)(whole - full));
            pack_u32(out, pad, 8, bit_width);
        }
        if (i > n) i = n;
    }
}

void pq_rle_encode_u8(WbBuf *out, const uint8_t *values, int64_t n, int bit_width)
{
    /* runs may not be cut (a literal run is padded only at the very end),
     * so the values are widened in one piece */
    uint32_t *wide = wb_malloc(sizeof(uint32_t) * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) wide[i] = values[i];
    pq_rle_encode(out, wide, n, bit_width);
    free(wide);
}

/* ---- DELTA_BINARY_PACKED ----
 *   header: block size (ULEB128, a multiple of 128), miniblocks per block
 *           (ULEB128; block size / miniblocks a multiple of 32), total
 *           value count (ULEB128), first value (zigzag ULEB128)
 *   block:  min delta (zigzag ULEB128), one bit-width byte per miniblock,
 *           the miniblocks' (delta - min delta) bit-packed LSB first
 * Values wrap around in 64 bits.  Miniblocks past the last value have no
 * body. */

static uint64_t read_bits(const uint8_t *p, uint64_t bitpos, int w)
{
    uint64_t v = 0;
    int got = 0;
    size_t byte = (size_t)(bitpos >> 3);
    int shift = (int)(bitpos & 7);
    while (got < w) {
        uint64_t b = (uint64_t)(p[byte++] >> shift);
        v |= b << got;
        got += 8 - shift;
        shift = 0;
    }
    if (w < 64) v &= ((uint64_t)1 << w) - 1;
    return v;
}

static int delta_header(const uint8_t **p, const uint8_t *end, uint64_t *block, uint64_t *mbs,
                        uint64_t *total, uint64_t *first)
{
    if (read_uvarint(p, end, block) || read_uvarint(p, end, mbs) ||
        read_uvarint(p, end, total) || read_uvarint(p, end, first))
        return -1;
    if (*block == 0 || *block % 128 != 0 || *block > ((uint64_t)1 << 20) || *mbs == 0 ||
        *block % *mbs != 0 || (*block / *mbs) % 32 != 0)
        return -1;
    return 0;
}

int64_t pq_delta_count(const uint8_t *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t block, mbs, total, first;
    if (delta_header(&p, data + len, &block, &mbs, &total, &first) != 0) return -1;
    if (total > INT32_MAX) return -1;
    return (int64_t)total;
}

int64_t pq_delta_decode(const uint8_t *data, size_t len, int64_t *out, int64_t max, size_t *used)
{
    const uint8_t *p = data, *end = data + len;
    uint64_t block, mbs, total, first;
    if (delta_header(&p, end, &block, &mbs, &total, &first) != 0) return -1;
    if (total > (uint64_t)max) return -1;
    uint64_t per_mb = block / mbs;
    uint64_t last = (first >> 1) ^ -(first & 1);
    int64_t count = 0;
    if (total > 0) out[count++] = (int64_t)last;
    while ((uint64_t)count < total) {
        uint64_t zz;
        if (read_uvarint(&p, end, &zz) != 0) return -1;
        uint64_t min_delta = (zz >> 1) ^ -(zz & 1);
        if ((uint64_t)(end - p) < mbs) return -1;
        const uint8_t *widths = p;
        p += mbs;
        for (uint64_t m = 0; m < mbs && (uint64_t)count < total; m++) {
            int w = widths[m];
            if (w > 64) return -1;
            uint64_t body = per_mb * (uint64_t)w / 8;
            uint64_t take = WB_MIN(per_mb, total - (uint64_t)count);
            uint64_t need = (take * (uint64_t)w + 7) / 8;
            uint64_t left = (uint64_t)(end - p);
            if (need > left) return -1;
            for (uint64_t i = 0; i < take; i++) {
                uint64_t d = w ? read_bits(p, i * (uint64_t)w, w) : 0;
                last += min_delta + d;
                out[count++] = (int64_t)last;
            }
            p += WB_MIN(body, left);
        }
    }
    *used = (size_t)(p - data);
    return count;
}

/* ---- compression ---- */

int32_t pq_decimal_bytes(int precision)
{
    /* the fewest bytes n with 10^precision <= 2^(8n - 1) */
    ty_u128 pow10 = 1;
    for (int i = 0; i < precision; i++) pow10 *= 10;
    for (int32_t n = 1; n <= 16; n++) {
        ty_u128 bound = (ty_u128)1 << (8 * n - 1);
        if (pow10 <= bound) return n;
    }
    return 16;
}

int pq_compress(int codec, int level, const uint8_t *src, size_t len, WbBuf *out, WbError *err)
{
    wb_buf_clear(out);
    switch (codec) {
    case PQZ_UNCOMPRESSED:
        wb_buf_append(out, src, len);
        return 0;
    case PQZ_SNAPPY: {
        size_t cap = snappy_max_compressed_length(len);
        wb_buf_reserve(out, cap);
        size_t got = cap;
        if (snappy_compress((const char *)src, len, out->data, &got) != SNAPPY_OK) break;
        out->len = got;
        return 0;
    }
    case PQZ_ZSTD: {
        size_t cap = ZSTD_compressBound(len);
        wb_buf_reserve(out, cap);
        size_t got = ZSTD_compress(out->data, cap, src, len, level ? level : 3);
        if (ZSTD_isError(got)) break;
        out->len = got;
        return 0;
    }
    case PQZ_GZIP: {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, level ? level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            break;
        size_t cap = deflateBound(&zs, (uLong)len) + 32;
        wb_buf_reserve(out, cap);
        zs.next_in = (Bytef *)src;
        zs.avail_in = (uInt)len;
        zs.next_out = (Bytef *)out->data;
        zs.avail_out = (uInt)cap;
        int rc = deflate(&zs, Z_FINISH);
        size_t got = zs.total_out;
        deflateEnd(&zs);
        if (rc != Z_STREAM_END) break;
        out->len = got;
        return 0;
    }
    default:
        break;
    }
    wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0, "cannot compress a Parquet page (codec %d)", codec);
    return -1;
}

int pq_decompress(int codec, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len,
                  const char **why)
{
    switch (codec) {
    case PQZ_UNCOMPRESSED:
        if (len != dst_len) {
            *why = "an uncompressed page's sizes disagree";
            return -1;
        }
        memcpy(dst, src, len);
        return 0;
    case PQZ_SNAPPY:
        return pq_snappy_decompress(src, len, dst, dst_len, why);
    case PQZ_ZSTD: {
        size_t n = ZSTD_decompress(dst, dst_len, src, len);
        if (ZSTD_isError(n) || n != dst_len) {
            *why = "a zstd page does not decompress to its stated size";
            return -1;
        }
        return 0;
    }
    case PQZ_GZIP: {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, 15 + 32) != Z_OK) {
            *why = "cannot start gzip decompression";
            return -1;
        }
        zs.next_in = (Bytef *)src;
        zs.avail_in = (uInt)len;
        zs.next_out = dst;
        zs.avail_out = (uInt)dst_len;
        int rc = inflate(&zs, Z_FINISH);
        size_t got = zs.total_out;
        inflateEnd(&zs);
        if (rc != Z_STREAM_END || got != dst_len) {
            *why = "a gzip page does not decompress to its stated size";
            return -1;
        }
        return 0;
    }
    default:
        *why = "the column uses a compression codec weir does not read (LZO, BROTLI or LZ4)";
        return -1;
    }
}
