/*
 * snappy.c - weir's Snappy decompressor for Parquet pages (reading only;
 * pages are still compressed with Debian's libsnappy).  Written from the
 * public format description (google/snappy, format_description.txt):
 *
 *   stream  := preamble element*
 *   preamble: the uncompressed length, a little-endian base-128 varint of
 *             at most 5 bytes, value <= 2^32 - 1
 *   element := a tag byte; its low two bits say which:
 *     00 literal   len-1 in the upper 6 bits when len <= 60; values 60..63
 *                  mean that 1..4 bytes of len-1 (LE) follow the tag; then
 *                  the len bytes themselves
 *     01 copy      len-4 in bits 2..4 (len 4..11), offset bits 8..10 in
 *                  bits 5..7, offset bits 0..7 in the next byte
 *     10 copy      len-1 in the upper 6 bits (1..64), offset: 2 bytes LE
 *     11 copy      len-1 in the upper 6 bits (1..64), offset: 4 bytes LE
 *   A copy repeats the len bytes starting offset bytes back in the output;
 *   offset 0 and offsets before the output's start are illegal.  A copy
 *   with offset < len overlaps what it writes: it repeats the last
 *   `offset` bytes (a run).
 *
 * Contract: pq_snappy_decompress (parquet_int.h) takes untrusted bytes.
 * Every length and offset is checked against the end of the input, the
 * end of the output and the start of the output before a byte moves; the
 * preamble must equal the caller's dst_len and the elements must fill dst
 * exactly.  It writes only dst[0..dst_len) (nothing past it, so callers
 * need no slack) and reads only src[0..len).
 *
 * Why not libsnappy: Debian's 1.1.9 moves most short literals and copies
 * through memmove called via the PLT; here a short element is one or a
 * few fixed-size 8- or 16-byte moves (memcpy of a constant size, which
 * compiles to one unaligned load and store), taken whenever the output
 * has 64 bytes left (and, for a literal, the input 16 or 64), so the moves
 * may write past the element's end but never past dst_len.  Near the end
 * of either buffer every element is copied byte-exactly.
 */
#include "store/parquet_int.h"

#include <string.h>

/* A fixed-size move the compiler inlines (one unaligned load and store). */
#define MOVE8(d, s) memcpy((d), (s), 8)
#define MOVE16(d, s) memcpy((d), (s), 16)

/* The output an element's fast path may write: a copy of up to 64 bytes
 * rounded up to the next 8 or 16, a literal of up to 64 in 16-byte moves. */
#define FAST_OUT 64
/* The input the fast loop may read from a tag: 1 + 4 bytes of a copy's
 * tag and trailer, 1 + 16 of a short literal's tag and moved bytes. */
#define FAST_IN 17

/* For an offset below 8, the smallest multiple of it that is >= 8: once the
 * first 8 bytes of such a run are written, every later byte equals the one
 * this far back, which is far enough for 8-byte moves. */
static const uint8_t run_stride[8] = { 0, 8, 8, 9, 8, 10, 12, 14 };

/* Copies len bytes from off bytes back, writing up to 64 bytes
 * (FAST_OUT) from op whatever len is (len <= 64, 1 <= off <= op - dst). */
static inline void copy_fast(uint8_t *op, size_t off, size_t len)
{
    const uint8_t *from = op - off;
    if (off >= 16) {
        MOVE16(op, from);
        for (size_t i = 16; i < len; i += 16) MOVE16(op + i, from + i);
    } else if (off >= 8) {
        /* each move reads bytes already written: from + i + 8 <= op + i */
        MOVE8(op, from);
        for (size_t i = 8; i < len; i += 8) MOVE8(op + i, from + i);
    } else {
        for (size_t i = 0; i < 8; i++) op[i] = from[i];
        size_t stride = run_stride[off];
        for (size_t i = 8; i < len; i += 8) MOVE8(op + i, op + i - stride);
    }
}

/* A literal whose tag has been read (*ip is past it), with every check:
 * its length bytes, then its bytes.  Advances *ip and *op; 0, or -1 with
 * *why. */
static int literal(const uint8_t **ipp, const uint8_t *iend, uint8_t **opp, uint8_t *oend, uint32_t tag,
                   const char **why)
{
    const uint8_t *ip = *ipp;
    uint8_t *op = *opp;
    size_t elen = (size_t)(tag >> 2) + 1;
    if (elen > 60) {
        size_t nb = elen - 60;
        if ((size_t)(iend - ip) < nb) {
            *why = "a snappy element is cut by the end of the page";
            return -1;
        }
        uint64_t v = 0;
        for (size_t b = 0; b < nb; b++) v |= (uint64_t)ip[b] << (8 * b);
        ip += nb;
        if (v >= (uint64_t)(iend - ip)) {
            *why = "a snappy literal runs past the end of the page";
            return -1;
        }
        elen = (size_t)v + 1;
    }
    size_t in_left = (size_t)(iend - ip), out_left = (size_t)(oend - op);
    if (elen <= 16 && in_left >= 16 && out_left >= 16) {
        MOVE16(op, ip);
    } else if (elen <= FAST_OUT && in_left >= FAST_OUT && out_left >= FAST_OUT) {
        for (size_t i = 0; i < elen; i += 16) MOVE16(op + i, ip + i);
    } else {
        if (elen > in_left) {
            *why = "a snappy literal runs past the end of the page";
            return -1;
        }
        if (elen > out_left) {
            *why = "a snappy page decompresses to more bytes than its preamble says";
            return -1;
        }
        memcpy(op, ip, elen);
    }
    *opp = op + elen;
    *ipp = ip + elen;
    return 0;
}

int pq_snappy_decompress(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len,
                         const char **why)
{
    const uint8_t *ip = src, *iend = src + len;
    /* the preamble */
    uint64_t declared = 0;
    for (int shift = 0;; shift += 7) {
        if (ip >= iend || shift > 28) {
            *why = "a snappy page's length preamble is cut or too long";
            return -1;
        }
        uint8_t b = *ip++;
        declared |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    if (declared > UINT32_MAX || declared != dst_len) {
        *why = "a snappy page's length preamble differs from the page's uncompressed size";
        return -1;
    }

    uint8_t *op = dst, *oend = dst + dst_len;

    /* The fast loop: while FAST_IN bytes of input and FAST_OUT of output
     * are left (the element starts at or before ilimit and olimit), a
     * tag's trailer (at most 4 bytes) and a short literal (at most 16
     * bytes) are readable and any element's moves fit without a check.
     * The two common kinds of copy are decoded without branches (the 1-
     * and 2-byte offset forms come mixed in most pages: a branch on them
     * would be mispredicted often). */
    if (len >= FAST_IN && dst_len >= FAST_OUT) {
        const uint8_t *ilimit = iend - FAST_IN;
        uint8_t *olimit = oend - FAST_OUT;
        while (ip <= ilimit && op <= olimit) {
            size_t tag = ip[0];
            size_t kind = tag & 3;
            if (kind == 0) {
                size_t elen = (size_t)(tag >> 2) + 1;
                if (elen <= 16) {
                    MOVE16(op, ip + 1);
                    op += elen;
                    ip += elen + 1;
                    continue;
                }
                /* temporaries: ip and op themselves stay in registers */
                const uint8_t *lit_ip = ip + 1;
                uint8_t *lit_op = op;
                if (literal(&lit_ip, iend, &lit_op, oend, tag, why) != 0) return -1;
                ip = lit_ip;
                op = lit_op;
                continue;
            }
            size_t off, elen;
            if (kind != 3) {
                /* 01 and 10, mixed in most pages: decoded without a branch */
                size_t one = (size_t)0 - (kind & 1);   /* all ones for 01 */
                size_t trailer = (size_t)ip[1] | ((size_t)ip[2] << 8);
                off = (trailer & (0xffff ^ (one & 0xff00))) | (((size_t)(tag >> 5) << 8) & one);
                size_t len2 = (size_t)(tag >> 2) + 1, len1 = (size_t)((tag >> 2) & 7) + 4;
                elen = len2 ^ ((len1 ^ len2) & one);
                ip += kind + 1;
            } else {
                off = wb_get_u32(ip + 1);
                elen = (size_t)(tag >> 2) + 1;
                ip += 5;
            }
            if (off - 1 >= (size_t)(op - dst)) {   /* off == 0 wraps */
                *why = "a snappy copy's offset is zero or before the start of the page";
                return -1;
            }
            if (off >= 8 && elen <= 8)
                MOVE8(op, op - off);
            else if (off >= 16 && elen <= 16)
                MOVE16(op, op - off);
            else
                copy_fast(op, off, elen);
            op += elen;
        }
    }

    while (ip < iend) {
        uint8_t tag = *ip++;
        size_t elen, off;
        if ((tag & 3) == 0) {
            const uint8_t *lit_ip = ip;
            uint8_t *lit_op = op;
            if (literal(&lit_ip, iend, &lit_op, oend, tag, why) != 0) return -1;
            ip = lit_ip;
            op = lit_op;
            continue;
        }
        switch (tag & 3) {
        case 1:
            if (ip >= iend) goto cut;
            elen = (size_t)((tag >> 2) & 7) + 4;
            off = ((size_t)(tag >> 5) << 8) | ip[0];
            ip += 1;
            break;
        case 2:
            if (iend - ip < 2) goto cut;
            elen = (size_t)(tag >> 2) + 1;
            off = (size_t)ip[0] | ((size_t)ip[1] << 8);
            ip += 2;
            break;
        default:
            if (iend - ip < 4) goto cut;
            elen = (size_t)(tag >> 2) + 1;
            off = wb_get_u32(ip);
            ip += 4;
            break;
        }
        if (off == 0 || off > (size_t)(op - dst)) {
            *why = "a snappy copy's offset is zero or before the start of the page";
            return -1;
        }
        size_t out_left = (size_t)(oend - op);
        if (out_left >= FAST_OUT) {
            copy_fast(op, off, elen);
        } else {
            if (elen > out_left) goto overflow;
            const uint8_t *from = op - off;
            for (size_t i = 0; i < elen; i++) op[i] = from[i];
        }
        op += elen;
    }
    if (op != oend) {
        *why = "a snappy page decompresses to fewer bytes than its preamble says";
        return -1;
    }
    return 0;
cut:
    *why = "a snappy element is cut by the end of the page";
    return -1;
overflow:
    *why = "a snappy page decompresses to more bytes than its preamble says";
    return -1;
}
