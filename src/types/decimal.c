/*
 * decimal.c - exact DECIMAL up to 38 digits: powers of ten, text in and
 * out, and the multiplication and division that rescale with HALF_UP
 * rounding (Flink's and Java BigDecimal's RoundingMode.HALF_UP) without
 * ever losing a digit to an intermediate overflow.
 *
 * Values are scaled integers: DECIMAL(p, s) holds v / 10^s with |v| < 10^p.
 * The common cases compute in 128 bits.  When an intermediate (a product of
 * two 38-digit values, a dividend scaled up for the quotient's scale) does
 * not fit, the operation is redone on unsigned 512-bit magnitudes: slow,
 * rare, and exact.  Nothing goes through a double.
 */
#include "types/types.h"

#include <string.h>

#define P19 ((ty_i128)1000000000000000000LL * 10)

static const ty_i128 pow10_table[39] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
    100000000LL, 1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL,
    10000000000000LL, 100000000000000LL, 1000000000000000LL, 10000000000000000LL,
    100000000000000000LL, 1000000000000000000LL,
    P19, P19 * 10, P19 * 100, P19 * 1000, P19 * 10000, P19 * 100000,
    P19 * 1000000, P19 * 10000000, P19 * 100000000, P19 * 1000000000,
    P19 * 10000000000LL, P19 * 100000000000LL, P19 * 1000000000000LL,
    P19 * 10000000000000LL, P19 * 100000000000000LL, P19 * 1000000000000000LL,
    P19 * 10000000000000000LL, P19 * 100000000000000000LL,
    P19 * 1000000000000000000LL, P19 * 1000000000000000000LL * 10,
};

ty_i128 ty_pow10_128(int exp)
{
    return pow10_table[exp < 0 ? 0 : exp > 38 ? 38 : exp];
}

/* ---- text ---- */

int ty_parse_decimal128(const char *s, size_t len, int precision, int scale, ty_i128 *out)
{
    /* Exact: the digits are read as text and scaled by powers of ten.
     * Digits dropped by the scale round HALF_UP. */
    while (len && (unsigned char)s[0] <= ' ') { s++; len--; }
    while (len && (unsigned char)s[len - 1] <= ' ') len--;
    if (!len) return -1;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    char digits[80];
    int ndigits = 0, frac = 0;
    bool any = false, point = false;
    int64_t exponent = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (point) return -1;
            point = true;
            continue;
        }
        if (c == 'e' || c == 'E') {
            if (!any || ty_parse_int64(s + i + 1, len - i - 1, &exponent) != 0) return -1;
            if (exponent > 1000 || exponent < -1000) return -2;
            break;
        }
        if (c < '0' || c > '9') return -1;
        any = true;
        if (ndigits == 0 && c == '0') {     /* leading zero */
            if (point) frac++;
            continue;
        }
        if (ndigits >= (int)sizeof digits) {
            /* Far past any kept digit: only a fraction can be this long;
             * later digits cannot change a HALF_UP rounding decided by the
             * first dropped one, which is already stored. */
            if (!point) return -2;
            continue;
        }
        if (point) frac++;
        digits[ndigits++] = c;
    }
    if (!any) return -1;
    int64_t k = exponent - frac + scale;              /* value = D * 10^k */
    int64_t keep = ndigits + (k < 0 ? k : 0);         /* digits kept before shifting */
    if (keep < 0) keep = 0;
    /* 39 significant digits pass any precision (and 128 bits, so they
     * must not be accumulated) */
    if (ndigits && (keep > 38 || (k > 0 && keep + k > 38))) return -2;
    ty_u128 v = 0;
    for (int d = 0; d < keep; d++) v = v * 10 + (unsigned)(digits[d] - '0');
    if (keep < ndigits && k < 0 && keep - ndigits == k && digits[keep] >= '5') v++;
    for (int64_t z = 0; z < k; z++) v *= 10;
    int p = precision > 0 && precision <= 38 ? precision : 38;
    if (v >= (ty_u128)pow10_table[p]) return -2;
    *out = neg ? -(ty_i128)v : (ty_i128)v;
    return 0;
}

int ty_parse_decimal_cell(ColumnVector *vec, int32_t row, const char *s, size_t len)
{
    ty_i128 v;
    int rc = ty_parse_decimal128(s, len, vec->type.precision, vec->type.scale, &v);
    if (rc == 0) ty_dec_set(vec, row, v);
    return rc;
}

void ty_format_decimal(ty_i128 v, int scale, WbBuf *out)
{
    char tmp[48];
    char *p = tmp + sizeof tmp;
    ty_u128 mag = v < 0 ? (ty_u128)0 - (ty_u128)v : (ty_u128)v;
    int written = 0;
    do {
        *--p = (char)('0' + (int)(mag % 10));
        mag /= 10;
        written++;
    } while (mag || written <= scale);   /* at least one integer digit */
    size_t n = (size_t)(tmp + sizeof tmp - p);
    size_t nint = n - (size_t)(scale > 0 ? scale : 0);
    wb_buf_reserve(out, n + 2);
    char *dst = out->data + out->len;
    if (v < 0) *dst++ = '-';
    memcpy(dst, p, nint);
    dst += nint;
    if (scale > 0) {
        *dst++ = '.';
        memcpy(dst, p + nint, (size_t)scale);
        dst += scale;
    }
    out->len = (size_t)(dst - out->data);
}

/* ---- 512-bit magnitudes, for the rare intermediates beyond 128 bits ---- */

#define BIG_WORDS 8
typedef struct Big {
    uint64_t w[BIG_WORDS];   /* little-endian 64-bit words */
} Big;

static Big big_from(ty_u128 v)
{
    Big b;
    memset(&b, 0, sizeof b);
    b.w[0] = (uint64_t)v;
    b.w[1] = (uint64_t)(v >> 64);
    return b;
}

/* b *= m; returns false if the product does not fit 512 bits. */
static bool big_mul_u64(Big *b, uint64_t m)
{
    ty_u128 carry = 0;
    for (int i = 0; i < BIG_WORDS; i++) {
        ty_u128 t = (ty_u128)b->w[i] * m + carry;
        b->w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    return carry == 0;
}

static bool big_mul_pow10(Big *b, int k)
{
    while (k > 0) {
        int step = k > 19 ? 19 : k;
        if (!big_mul_u64(b, (uint64_t)pow10_table[step])) return false;
        k -= step;
    }
    return true;
}

/* a * m for a 128-bit m. */
static Big big_mul_u128(Big a, ty_u128 m)
{
    Big lo = a, hi = a;
    big_mul_u64(&lo, (uint64_t)m);
    big_mul_u64(&hi, (uint64_t)(m >> 64));
    ty_u128 carry = 0;
    for (int i = 0; i < BIG_WORDS; i++) {
        ty_u128 t = (ty_u128)lo.w[i] + (i ? hi.w[i - 1] : 0) + carry;
        lo.w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    return lo;
}

static int big_cmp(const Big *a, const Big *b)
{
    for (int i = BIG_WORDS - 1; i >= 0; i--)
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void big_sub(Big *a, const Big *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < BIG_WORDS; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y) || (x - y < borrow);
        a->w[i] = d;
    }
}

static void big_add(Big *a, const Big *b)
{
    uint64_t carry = 0;
    for (int i = 0; i < BIG_WORDS; i++) {
        ty_u128 t = (ty_u128)a->w[i] + b->w[i] + carry;
        a->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
}

static void big_shl1(Big *a, int bit)
{
    for (int i = BIG_WORDS - 1; i > 0; i--) a->w[i] = (a->w[i] << 1) | (a->w[i - 1] >> 63);
    a->w[0] = (a->w[0] << 1) | (uint64_t)bit;
}

static int big_top_bit(const Big *a)
{
    for (int i = BIG_WORDS - 1; i >= 0; i--)
        if (a->w[i]) return i * 64 + 63 - __builtin_clzll(a->w[i]);
    return -1;
}

/* q = num / den, r = num % den, den != 0.  Shift-and-subtract: only for
 * the rare wide operands. */
static void big_divmod(const Big *num, const Big *den, Big *q, Big *r)
{
    memset(q, 0, sizeof *q);
    memset(r, 0, sizeof *r);
    for (int bit = big_top_bit(num); bit >= 0; bit--) {
        big_shl1(r, (int)(num->w[bit / 64] >> (bit % 64)) & 1);
        big_shl1(q, 0);
        if (big_cmp(r, den) >= 0) {
            big_sub(r, den);
            q->w[0] |= 1;
        }
    }
}

/* round_half_up(num / den) for den != 0; false if the quotient does not
 * fit 128 bits. */
static bool big_div_half_up(const Big *num, const Big *den, ty_u128 *out)
{
    Big q, r;
    big_divmod(num, den, &q, &r);
    /* HALF_UP: round up when 2r >= den, i.e. r >= den - r. */
    Big rest = *den;
    big_sub(&rest, &r);
    if (big_cmp(&r, &rest) >= 0) {
        for (int i = 0; i < BIG_WORDS && ++q.w[i] == 0; i++) {}
    }
    for (int i = 2; i < BIG_WORDS; i++)
        if (q.w[i]) return false;
    *out = ((ty_u128)q.w[1] << 64) | q.w[0];
    return true;
}

static ty_u128 mag(ty_i128 v) { return v < 0 ? (ty_u128)0 - (ty_u128)v : (ty_u128)v; }

/* Applies the sign and checks the precision. */
static int finish(ty_u128 m, bool neg, int precision, ty_i128 *out)
{
    if (m >= (ty_u128)pow10_table[precision]) return -2;
    *out = neg ? -(ty_i128)m : (ty_i128)m;
    return 0;
}

/* ---- arithmetic ---- */

ty_i128 ty_dec_div_half_up(ty_i128 num, ty_i128 den)
{
    ty_i128 q = num / den, rem = num % den;
    ty_u128 r = mag(rem), d = mag(den);
    if (r >= d - r) q += ((num < 0) != (den < 0)) ? -1 : 1;
    return q;
}

int ty_dec_mul(ty_i128 a, ty_i128 b, int drop, int precision, ty_i128 *out)
{
    bool neg = (a < 0) != (b < 0);
    ty_u128 ma = mag(a), mb = mag(b);
    ty_u128 prod;
    if (drop <= 38 && !__builtin_mul_overflow(ma, mb, &prod) && prod <= (ty_u128)1 << 126) {
        ty_i128 p = (ty_i128)prod;
        if (drop > 0) p = ty_dec_div_half_up(p, pow10_table[drop]);
        return finish((ty_u128)p, neg, precision, out);
    }
    Big num = big_mul_u128(big_from(ma), mb);
    Big den = big_from(1);
    big_mul_pow10(&den, drop);
    ty_u128 q;
    if (!big_div_half_up(&num, &den, &q)) return -2;
    return finish(q, neg, precision, out);
}

int ty_dec_div(ty_i128 a, ty_i128 b, int shift, int precision, ty_i128 *out)
{
    bool neg = (a < 0) != (b < 0);
    ty_u128 ma = mag(a), mb = mag(b);
    int up = shift > 0 ? shift : 0, down = shift < 0 ? -shift : 0;
    ty_u128 num, den;
    if (up <= 38 && down <= 38 &&
        !__builtin_mul_overflow(ma, (ty_u128)pow10_table[up], &num) && num <= (ty_u128)1 << 126 &&
        !__builtin_mul_overflow(mb, (ty_u128)pow10_table[down], &den) && den <= (ty_u128)1 << 126) {
        ty_i128 q = ty_dec_div_half_up((ty_i128)num, (ty_i128)den);
        return finish((ty_u128)q, neg, precision, out);
    }
    Big bn = big_from(ma), bd = big_from(mb);
    if (!big_mul_pow10(&bn, up) || !big_mul_pow10(&bd, down)) return -2;
    ty_u128 q;
    if (!big_div_half_up(&bn, &bd, &q)) return -2;
    return finish(q, neg, precision, out);
}

int ty_dec_add(ty_i128 a, int sa, ty_i128 b, int sb, int rs, int precision, ty_i128 *out)
{
    int s = sa > sb ? sa : sb;
    ty_i128 x, y, sum;
    if (!__builtin_mul_overflow(a, pow10_table[s - sa], &x) &&
        !__builtin_mul_overflow(b, pow10_table[s - sb], &y) && !__builtin_add_overflow(x, y, &sum))
        return ty_dec_rescale(sum, s, rs, precision, out);
    /* the exact sum at scale s passes 128 bits: magnitudes and a sign */
    Big bx = big_from(mag(a)), by = big_from(mag(b));
    big_mul_pow10(&bx, s - sa);
    big_mul_pow10(&by, s - sb);
    bool na = a < 0, nb = b < 0, neg;
    if (na == nb) {
        big_add(&bx, &by);
        neg = na;
    } else if (big_cmp(&bx, &by) >= 0) {
        big_sub(&bx, &by);
        neg = na;
    } else {
        big_sub(&by, &bx);
        bx = by;
        neg = nb;
    }
    Big den = big_from(1);
    big_mul_pow10(&den, s - rs);
    ty_u128 q;
    if (!big_div_half_up(&bx, &den, &q)) return -2;
    return finish(q, neg, precision, out);
}

int ty_dec_mod(ty_i128 a, int sa, ty_i128 b, int sb, int precision, ty_i128 *out)
{
    int s = sa > sb ? sa : sb;
    ty_i128 x, y;
    if (!__builtin_mul_overflow(a, pow10_table[s - sa], &x) &&
        !__builtin_mul_overflow(b, pow10_table[s - sb], &y))
        return finish(mag(x % y), a < 0, precision, out);
    Big bx = big_from(mag(a)), by = big_from(mag(b)), q, r;
    big_mul_pow10(&bx, s - sa);
    big_mul_pow10(&by, s - sb);
    big_divmod(&bx, &by, &q, &r);
    /* r < |b| * 10^(s - sb) may pass 128 bits only if it cannot fit */
    for (int i = 2; i < BIG_WORDS; i++)
        if (r.w[i]) return -2;
    return finish(((ty_u128)r.w[1] << 64) | r.w[0], a < 0, precision, out);
}

int ty_dec_rescale(ty_i128 v, int from_scale, int to_scale, int precision, ty_i128 *out)
{
    return ty_dec_div(v, 1, to_scale - from_scale, precision, out);
}
