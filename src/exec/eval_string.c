/*
 * eval_string.c - string functions, LIKE / SIMILAR TO, and the REGEXP
 * family.  Lengths and positions count UTF-8 code points (CHAR_LENGTH,
 * SUBSTRING, POSITION, LPAD, ...); case mapping covers all of Unicode
 * (wb_utf8_case, ICU) with a library-free path for ASCII text.  Result
 * strings are allocated in the evaluation arena (bump allocation, never a
 * malloc per row).  Patterns of LIKE and REGEXP are compiled once per
 * evaluation when constant, and per distinct pattern text otherwise.
 */
#include "exec/eval_int.h"
#include "exec/regex.h"

#include <string.h>

#define MAX_ARGS 16

/* ---- UTF-8 helpers ---- */

static inline bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static int64_t cp_count(const char *s, uint32_t len)
{
    int64_t count = 0;
    for (uint32_t i = 0; i < len; i++) count += !is_cont((unsigned char)s[i]);
    return count;
}

/* Byte offset of code point `idx` (0-based); len if past the end. */
static uint32_t cp_offset(const char *s, uint32_t len, int64_t idx)
{
    uint32_t i = 0;
    if (idx <= 0) return 0;
    while (i < len) {
        i++;
        while (i < len && is_cont((unsigned char)s[i])) i++;
        if (--idx == 0) return i;
    }
    return len;
}

static inline uint32_t cp_next(const char *s, uint32_t len, uint32_t i)
{
    i++;
    while (i < len && is_cont((unsigned char)s[i])) i++;
    return i;
}

static char *alloc_str(EvalCtx *cx, size_t len)
{
    return wb_arena_alloc(cx->arena, len ? len : 1);
}

static const char *find_bytes(const char *hay, uint32_t hlen, const char *needle, uint32_t nlen)
{
    if (nlen == 0) return hay;
    if (nlen > hlen) return NULL;
    return memmem(hay, hlen, needle, nlen);
}

/* ---- the plain string functions ---- */

static int too_long(EvalCtx *cx, const Expr *e)
{
    return ev_error(cx, e, "54000", "string result of %s is too long",
                    sql_func_name((FuncId)e->fn));
}

#define ROWS(...)                                                              \
    for (int32_t k = 0; k < n; k++) {                                         \
        int32_t r = sel[k];                                                   \
        if (out->nulls[r]) continue;                                          \
        __VA_ARGS__                                                           \
    }

static void trim_set(WbStr *s, const char *chars, uint32_t nchars, bool lead, bool trail)
{
    const char *p = s->ptr;
    uint32_t len = s->len;
    if (lead)
        while (len && memchr(chars, p[0], nchars)) { p++; len--; }
    if (trail)
        while (len && memchr(chars, p[len - 1], nchars)) len--;
    s->ptr = p;
    s->len = len;
}

/* SQL SUBSTRING(s FROM start FOR count): the characters at positions
 * start .. start+count-1 (1-based) that exist, so a start <= 0 eats into
 * the count, as the standard and PostgreSQL say. */
static WbStr substring(WbStr s, int64_t start, int64_t count, bool has_count)
{
    int64_t nchars = cp_count(s.ptr, s.len);
    int64_t first = start < 1 ? 1 : start;
    int64_t end = has_count ? start + count : nchars + 1;   /* exclusive */
    if (has_count && __builtin_add_overflow(start, count, &end)) end = INT64_MAX;
    if (end > nchars + 1) end = nchars + 1;
    WbStr res = {s.ptr, 0};
    if (first >= end) return res;
    uint32_t from = cp_offset(s.ptr, s.len, first - 1);
    uint32_t to = cp_offset(s.ptr, s.len, end - 1);
    res.ptr = s.ptr + from;
    res.len = to - from;
    return res;
}

static WbStr pad(EvalCtx *cx, WbStr s, int64_t target, WbStr padding, bool left, bool *null)
{
    int64_t nchars = cp_count(s.ptr, s.len);
    WbStr res = s;
    *null = false;
    if (target < 0) { *null = true; return res; }
    if (target <= nchars) {
        res.len = cp_offset(s.ptr, s.len, target);
        return res;
    }
    int64_t pad_chars = cp_count(padding.ptr, padding.len);
    if (pad_chars == 0) { *null = true; return res; }
    int64_t need = target - nchars;
    /* bytes of `need` pad characters, cycling through the padding */
    size_t pad_bytes = (size_t)(need / pad_chars) * padding.len +
                       cp_offset(padding.ptr, padding.len, need % pad_chars);
    char *buf = alloc_str(cx, pad_bytes + s.len);
    char *p = buf + (left ? 0 : s.len);
    for (size_t done = 0; done < pad_bytes;) {
        size_t chunk = WB_MIN((size_t)padding.len, pad_bytes - done);
        memcpy(p + done, padding.ptr, chunk);
        done += chunk;
    }
    memcpy(left ? buf + pad_bytes : buf, s.ptr, s.len);
    res.ptr = buf;
    res.len = (uint32_t)(pad_bytes + s.len);
    return res;
}

static WbStr replace_all(EvalCtx *cx, WbStr s, WbStr from, WbStr to)
{
    if (from.len == 0) return s;
    int64_t hits = 0;
    for (const char *p = s.ptr, *end = s.ptr + s.len;;) {
        const char *q = find_bytes(p, (uint32_t)(end - p), from.ptr, from.len);
        if (!q) break;
        hits++;
        p = q + from.len;
    }
    if (hits == 0) return s;
    size_t len = s.len + (size_t)hits * to.len - (size_t)hits * from.len;
    char *buf = alloc_str(cx, len), *w = buf;
    const char *p = s.ptr, *end = s.ptr + s.len;
    for (;;) {
        const char *q = find_bytes(p, (uint32_t)(end - p), from.ptr, from.len);
        if (!q) break;
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, to.ptr, to.len);
        w += to.len;
        p = q + from.len;
    }
    memcpy(w, p, (size_t)(end - p));
    WbStr res = {buf, (uint32_t)len};
    return res;
}

/* The ASCII fast path of UPPER, LOWER and INITCAP (no library call): the
 * same result wb_utf8_case gives for ASCII text. */
static void ascii_case(WbCaseMap map, const char *src, uint32_t len, char *dst)
{
    if (map != WB_CASE_INITCAP) {
        char lo = map == WB_CASE_UPPER ? 'a' : 'A', hi = map == WB_CASE_UPPER ? 'z' : 'Z';
        for (uint32_t i = 0; i < len; i++) {
            char ch = src[i];
            dst[i] = (ch >= lo && ch <= hi) ? (char)(ch ^ 0x20) : ch;
        }
        return;
    }
    bool start = true;
    for (uint32_t i = 0; i < len; i++) {
        char ch = src[i];
        bool upper = ch >= 'A' && ch <= 'Z', lower = ch >= 'a' && ch <= 'z';
        if (start && lower) ch = (char)(ch - 32);
        else if (!start && upper) ch = (char)(ch + 32);
        dst[i] = ch;
        start = !(upper || lower || (ch >= '0' && ch <= '9'));
    }
}

int ev_string(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    ColumnVector args[MAX_ARGS];
    if (e->nargs > MAX_ARGS)
        return ev_error(cx, e, WB_SQLSTATE_FEATURE, "too many arguments to %s", sql_func_name(fn));
    for (int32_t i = 0; i < e->nargs; i++)
        if (ev_arg(cx, e->args[i], sel, n, &args[i])) return -1;
    ColumnVector *a = &args[0], *b = &args[1], *c = &args[2];

    if (fn == FN_CONCAT_WS) {
        /* NULL separator gives NULL; NULL values are skipped. */
        for (int32_t k = 0; k < n; k++) {
            int32_t r = sel[k];
            out->nulls[r] = a->nulls[r];
            if (a->nulls[r]) continue;
            size_t len = 0;
            int32_t parts = 0;
            for (int32_t i = 1; i < e->nargs; i++)
                if (!args[i].nulls[r]) { len += args[i].str[r].len; parts++; }
            if (parts > 1) len += (size_t)(parts - 1) * a->str[r].len;
            if (len > UINT32_MAX / 2) return too_long(cx, e);
            char *buf = alloc_str(cx, len), *w = buf;
            int32_t done = 0;
            for (int32_t i = 1; i < e->nargs; i++) {
                if (args[i].nulls[r]) continue;
                if (done++) { memcpy(w, a->str[r].ptr, a->str[r].len); w += a->str[r].len; }
                memcpy(w, args[i].str[r].ptr, args[i].str[r].len);
                w += args[i].str[r].len;
            }
            out->str[r].ptr = buf;
            out->str[r].len = (uint32_t)len;
        }
        return 0;
    }

    /* Everything else is NULL when any argument is NULL. */
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        uint8_t null = 0;
        for (int32_t i = 0; i < e->nargs; i++) null |= args[i].nulls[r];
        out->nulls[r] = null;
    }

    switch (fn) {
    case FN_UPPER:
    case FN_LOWER:
    case FN_INITCAP: {
        WbCaseMap map = fn == FN_UPPER ? WB_CASE_UPPER : fn == FN_LOWER ? WB_CASE_LOWER
                                                                        : WB_CASE_INITCAP;
        ROWS({
            WbStr s = a->str[r];
            if (wb_is_ascii(s.ptr, s.len)) {
                char *buf = alloc_str(cx, s.len);
                ascii_case(map, s.ptr, s.len, buf);
                out->str[r].ptr = buf;
                out->str[r].len = s.len;
                continue;
            }
            if (s.len > WB_CASE_MAX_INPUT) return too_long(cx, e);
            /* A first guess that fits nearly all text; a mapping that grows
             * more (SpecialCasing expands up to three times) is redone. */
            size_t cap = (size_t)s.len + s.len / 2 + 16;
            char *buf = alloc_str(cx, cap);
            size_t len = wb_utf8_case(map, s.ptr, s.len, buf, cap);
            if (len > cap) {
                buf = alloc_str(cx, len);
                len = wb_utf8_case(map, s.ptr, s.len, buf, len);
            }
            out->str[r].ptr = buf;
            out->str[r].len = (uint32_t)len;
        })
        return 0;
    }
    case FN_TRIM: {
        bool lead = e->aux != 2, trail = e->aux != 1;
        ROWS({
            out->str[r] = b->str[r];
            trim_set(&out->str[r], a->str[r].ptr, a->str[r].len, lead, trail);
        })
        return 0;
    }
    case FN_LTRIM:
    case FN_RTRIM:
        ROWS({
            out->str[r] = a->str[r];
            trim_set(&out->str[r], " ", 1, fn == FN_LTRIM, fn == FN_RTRIM);
        })
        return 0;
    case FN_CHAR_LENGTH:
        ROWS(out->i64[r] = cp_count(a->str[r].ptr, a->str[r].len);)
        return 0;
    case FN_SUBSTRING: {
        bool has_count = e->nargs == 3;
        ROWS({
            int64_t count = has_count ? c->i64[r] : 0;
            if (count < 0)
                return ev_error(cx, e, "22011", "negative substring length not allowed");
            out->str[r] = substring(a->str[r], b->i64[r], count, has_count);
        })
        return 0;
    }
    case FN_LEFT:
        ROWS({
            out->str[r] = a->str[r];
            int64_t cnt = b->i64[r] < 0 ? 0 : b->i64[r];
            out->str[r].len = cp_offset(a->str[r].ptr, a->str[r].len, cnt);
        })
        return 0;
    case FN_RIGHT:
        ROWS({
            WbStr s = a->str[r];
            int64_t total = cp_count(s.ptr, s.len), cnt = b->i64[r] < 0 ? 0 : b->i64[r];
            uint32_t off = cnt >= total ? 0 : cp_offset(s.ptr, s.len, total - cnt);
            out->str[r].ptr = s.ptr + off;
            out->str[r].len = s.len - off;
        })
        return 0;
    case FN_CONCAT:
        ROWS({
            size_t len = 0;
            for (int32_t i = 0; i < e->nargs; i++) len += args[i].str[r].len;
            if (len > UINT32_MAX / 2) return too_long(cx, e);
            char *buf = alloc_str(cx, len), *w = buf;
            for (int32_t i = 0; i < e->nargs; i++) {
                memcpy(w, args[i].str[r].ptr, args[i].str[r].len);
                w += args[i].str[r].len;
            }
            out->str[r].ptr = buf;
            out->str[r].len = (uint32_t)len;
        })
        return 0;
    case FN_REPLACE:
        ROWS(out->str[r] = replace_all(cx, a->str[r], b->str[r], c->str[r]);)
        return 0;
    case FN_SPLIT_INDEX:
        /* 0-based; NULL when the index is negative or past the last part. */
        ROWS({
            WbStr s = a->str[r], d = b->str[r];
            int64_t idx = c->i64[r];
            if (idx < 0 || d.len == 0) { out->nulls[r] = 1; continue; }
            const char *p = s.ptr, *end = s.ptr + s.len;
            bool found = true;
            for (int64_t part = 0; part < idx; part++) {
                const char *q = find_bytes(p, (uint32_t)(end - p), d.ptr, d.len);
                if (!q) { found = false; break; }
                p = q + d.len;
            }
            if (!found) { out->nulls[r] = 1; continue; }
            const char *q = find_bytes(p, (uint32_t)(end - p), d.ptr, d.len);
            out->str[r].ptr = p;
            out->str[r].len = (uint32_t)((q ? q : end) - p);
        })
        return 0;
    case FN_POSITION:
        /* POSITION(sub IN s) / LOCATE(sub, s[, from]): 1-based, 0 if absent. */
        ROWS({
            WbStr sub = a->str[r], s = b->str[r];
            int64_t from = e->nargs == 3 ? c->i64[r] : 1;
            if (from < 1) { out->i64[r] = 0; continue; }
            uint32_t off = cp_offset(s.ptr, s.len, from - 1);
            if (off == s.len && from - 1 > cp_count(s.ptr, s.len)) { out->i64[r] = 0; continue; }
            const char *q = find_bytes(s.ptr + off, s.len - off, sub.ptr, sub.len);
            out->i64[r] = q ? cp_count(s.ptr, (uint32_t)(q - s.ptr)) + 1 : 0;
        })
        return 0;
    case FN_LPAD:
    case FN_RPAD:
        ROWS({
            bool null;
            out->str[r] = pad(cx, a->str[r], b->i64[r], c->str[r], fn == FN_LPAD, &null);
            if (null) out->nulls[r] = 1;
        })
        return 0;
    case FN_REVERSE:
        ROWS({
            WbStr s = a->str[r];
            char *buf = alloc_str(cx, s.len);
            uint32_t i = 0;
            while (i < s.len) {
                uint32_t next = cp_next(s.ptr, s.len, i);
                memcpy(buf + (s.len - next), s.ptr + i, next - i);
                i = next;
            }
            out->str[r].ptr = buf;
            out->str[r].len = s.len;
        })
        return 0;
    case FN_REPEAT:
        ROWS({
            WbStr s = a->str[r];
            int64_t times = b->i64[r] < 0 ? 0 : b->i64[r];
            if (s.len && times > (int64_t)(256u << 20) / s.len) return too_long(cx, e);
            size_t len = (size_t)times * s.len;
            char *buf = alloc_str(cx, len);
            for (int64_t t = 0; t < times; t++) memcpy(buf + (size_t)t * s.len, s.ptr, s.len);
            out->str[r].ptr = buf;
            out->str[r].len = (uint32_t)len;
        })
        return 0;
    default:
        break;
    }
    return ev_error(cx, e, WB_SQLSTATE_FEATURE, "function %s cannot be evaluated",
                    sql_func_name(fn));
}

/* ---- LIKE ----
 * A pattern compiles to tokens: a byte value (0..255) matches itself,
 * LIKE_ONE ('_') one code point, LIKE_ANY ('%') any run.  Matching is the
 * classic greedy wildcard walk with one backtrack point (the last '%'),
 * linear for patterns with a single '%' and O(n*m) at worst. */
enum { LIKE_ONE = -1, LIKE_ANY = -2 };

/* Common shapes are matched with memcmp/memmem instead of the walk. */
enum { SHAPE_GENERAL, SHAPE_EXACT, SHAPE_PREFIX, SHAPE_SUFFIX, SHAPE_CONTAINS, SHAPE_SEGMENTS };

typedef struct LikePattern {
    int16_t *tok;
    int32_t ntok, cap;
    int shape;
    char *lit;           /* the literal bytes of a non-general shape */
    uint32_t nlit;
    /* SHAPE_SEGMENTS ('a%b%c', '%special%requests%'): literals between
     * '%'s, no '_': each found after the previous one, leftmost first */
    uint32_t *seg_end;   /* segment k is lit[seg_end[k-1] .. seg_end[k]) */
    int32_t nseg;
    bool lead, trail;    /* the pattern starts / ends with '%' */
} LikePattern;

static int like_compile(EvalCtx *cx, const Expr *e, WbStr pat, int escape, LikePattern *lp)
{
    if ((int32_t)pat.len + 1 > lp->cap) {
        lp->cap = (int32_t)pat.len + 16;
        lp->tok = wb_arena_alloc(cx->arena, sizeof(int16_t) * (size_t)lp->cap);
    }
    lp->ntok = 0;
    for (uint32_t i = 0; i < pat.len; i++) {
        unsigned char ch = (unsigned char)pat.ptr[i];
        if (escape >= 0 && ch == escape) {
            if (i + 1 >= pat.len)
                return ev_error(cx, e, "22025", "LIKE pattern must not end with escape character");
            unsigned char nx = (unsigned char)pat.ptr[++i];
            if (nx != '%' && nx != '_' && nx != escape)
                return ev_error(cx, e, "22025", "invalid escape sequence in LIKE pattern");
            lp->tok[lp->ntok++] = nx;
        } else if (ch == '%') {
            if (lp->ntok == 0 || lp->tok[lp->ntok - 1] != LIKE_ANY) lp->tok[lp->ntok++] = LIKE_ANY;
        } else if (ch == '_') {
            lp->tok[lp->ntok++] = LIKE_ONE;
        } else {
            lp->tok[lp->ntok++] = ch;
        }
    }
    /* Classify: literal, lit%, %lit, %lit% (no '_' and no inner '%'). */
    int32_t first = 0, last = lp->ntok;
    bool lead = lp->ntok > 0 && lp->tok[0] == LIKE_ANY;
    bool trail = lp->ntok > (lead ? 1 : 0) && lp->tok[lp->ntok - 1] == LIKE_ANY;
    if (lead) first++;
    if (trail) last--;
    lp->shape = SHAPE_GENERAL;
    bool inner_any = false;
    for (int32_t t = first; t < last; t++) {
        if (lp->tok[t] == LIKE_ONE) return 0;
        if (lp->tok[t] == LIKE_ANY) inner_any = true;
    }
    if (inner_any) {
        /* literal segments between the '%'s */
        lp->lit = wb_arena_alloc(cx->arena, (size_t)(last - first) + 1);
        lp->seg_end = wb_arena_alloc(cx->arena, sizeof(uint32_t) * (size_t)(last - first + 1));
        lp->nlit = 0;
        lp->nseg = 0;
        for (int32_t t = first; t < last; t++) {
            if (lp->tok[t] == LIKE_ANY) lp->seg_end[lp->nseg++] = lp->nlit;
            else lp->lit[lp->nlit++] = (char)lp->tok[t];
        }
        lp->seg_end[lp->nseg++] = lp->nlit;
        lp->lead = lead;
        lp->trail = trail;
        lp->shape = SHAPE_SEGMENTS;
        return 0;
    }
    lp->lit = wb_arena_alloc(cx->arena, (size_t)(last - first) + 1);
    lp->nlit = 0;
    for (int32_t t = first; t < last; t++) lp->lit[lp->nlit++] = (char)lp->tok[t];
    lp->shape = lead && trail ? SHAPE_CONTAINS : lead ? SHAPE_SUFFIX
              : trail ? SHAPE_PREFIX : SHAPE_EXACT;
    return 0;
}

static bool like_match(const LikePattern *lp, const char *s, uint32_t len)
{
    uint32_t nl = lp->nlit;
    switch (lp->shape) {
    case SHAPE_EXACT: return len == nl && (nl == 0 || memcmp(s, lp->lit, nl) == 0);
    case SHAPE_PREFIX: return len >= nl && (nl == 0 || memcmp(s, lp->lit, nl) == 0);
    case SHAPE_SUFFIX: return len >= nl && (nl == 0 || memcmp(s + len - nl, lp->lit, nl) == 0);
    case SHAPE_CONTAINS: return find_bytes(s, len, lp->lit, nl) != NULL;
    case SHAPE_SEGMENTS: {
        /* leftmost match of each segment in turn is a match if any is:
         * only '%' lies between them */
        uint32_t pos = 0, from = 0;
        for (int32_t k = 0; k < lp->nseg; k++) {
            uint32_t to = lp->seg_end[k], n = to - from;
            const char *seg = lp->lit + from;
            from = to;
            if (k == 0 && !lp->lead) {
                if (len < n || memcmp(s, seg, n) != 0) return false;
                pos = n;
            } else if (k == lp->nseg - 1 && !lp->trail) {
                if (len - pos < n || memcmp(s + len - n, seg, n) != 0) return false;
                pos = len;
            } else {
                const char *at = find_bytes(s + pos, len - pos, seg, n);
                if (!at) return false;
                pos = (uint32_t)(at - s) + n;
            }
        }
        return true;
    }
    default: break;
    }
    int32_t p = 0, star = -1;
    uint32_t i = 0, star_i = 0;
    while (i < len) {
        if (p < lp->ntok && lp->tok[p] == LIKE_ANY) {
            star = p++;
            star_i = i;
        } else if (p < lp->ntok && lp->tok[p] == LIKE_ONE) {
            p++;
            i = cp_next(s, len, i);
        } else if (p < lp->ntok && lp->tok[p] == (unsigned char)s[i]) {
            p++;
            i++;
        } else if (star >= 0) {
            p = star + 1;
            star_i = cp_next(s, len, star_i);
            i = star_i;
        } else {
            return false;
        }
    }
    while (p < lp->ntok && lp->tok[p] == LIKE_ANY) p++;
    return p == lp->ntok;
}

static int escape_char(EvalCtx *cx, const Expr *e, WbStr esc, int *out)
{
    if (esc.len == 0) { *out = -1; return 0; }
    if (esc.len != 1)
        return ev_error(cx, e, "22019", "invalid escape string: must be one character");
    *out = (unsigned char)esc.ptr[0];
    return 0;
}

/* ---- regular expressions (Java's syntax and rules: exec/regex.h) ---- */

typedef struct RegexCache {
    ExRegex *re;
    char *text;          /* pattern text of `re` */
    uint32_t len;
} RegexCache;

static int regex_get(EvalCtx *cx, const Expr *e, RegexCache *rc, WbStr pat)
{
    if (rc->re && rc->len == pat.len && memcmp(rc->text, pat.ptr, pat.len) == 0) return 0;
    ex_re_free(rc->re);
    rc->re = NULL;
    char msg[160];
    rc->re = ex_re_compile(pat.ptr, pat.len, msg, sizeof msg);
    if (!rc->re)
        return ev_error(cx, e, "2201B", "invalid regular expression \"%.*s\": %s",
                        (int)WB_MIN(pat.len, 200u), pat.ptr, msg);
    rc->text = wb_arena_alloc(cx->arena, pat.len + 1);
    memcpy(rc->text, pat.ptr, pat.len);
    rc->len = pat.len;
    return 0;
}

/* Java's Matcher.find from `from`: 1 and caps, 0, or -1 with the error. */
static int regex_search(EvalCtx *cx, const Expr *e, RegexCache *rc, WbStr str, uint32_t from,
                        int32_t *caps, int32_t ncaps)
{
    int found = ex_re_search(rc->re, str.ptr, str.len, from, caps, ncaps);
    if (found < 0)
        return ev_error(cx, e, "54000", "string of %u bytes too long for regular expression matching",
                        str.len);
    return found;
}

/* SIMILAR TO: SQL's regex dialect, translated to an anchored pattern
 * ('%' and '_' match line ends too). */
static WbStr similar_to_ere(EvalCtx *cx, WbStr pat)
{
    char *buf = wb_arena_alloc(cx->arena, (size_t)pat.len * 2 + 16);
    size_t w = 0;
    memcpy(buf, "(?s)^(", 6);
    w = 6;
    for (uint32_t i = 0; i < pat.len; i++) {
        char ch = pat.ptr[i];
        if (ch == '%') { buf[w++] = '.'; buf[w++] = '*'; }
        else if (ch == '_') buf[w++] = '.';
        else if (ch == '.') { buf[w++] = '\\'; buf[w++] = '.'; }
        else buf[w++] = ch;
    }
    buf[w++] = ')';
    buf[w++] = '\\';
    buf[w++] = 'z';
    WbStr res = {buf, (uint32_t)w};
    return res;
}

int ev_like(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    ColumnVector s, p, esc;
    if (ev_arg(cx, e->args[0], sel, n, &s) || ev_arg(cx, e->args[1], sel, n, &p)) return -1;
    bool has_esc = e->nargs > 2;
    if (has_esc && ev_arg(cx, e->args[2], sel, n, &esc)) return -1;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        out->nulls[r] = s.nulls[r] | p.nulls[r] | (has_esc ? esc.nulls[r] : 0);
    }
    if (e->fn == FN_SIMILAR) {
        RegexCache rc = {0};
        int status = 0;
        ROWS({
            if (regex_get(cx, e, &rc, similar_to_ere(cx, p.str[r]))) { status = -1; break; }
            int found = regex_search(cx, e, &rc, s.str[r], 0, NULL, 0);
            if (found < 0) { status = -1; break; }
            out->i64[r] = found;
        })
        ex_re_free(rc.re);
        return status;
    }
    /* The pattern is compiled once when pattern and escape are constants
     * (the usual case), else again whenever the row's pattern differs. */
    LikePattern lp = {0};
    bool constant = e->args[1]->kind == EX_CONST && (!has_esc || e->args[2]->kind == EX_CONST);
    bool compiled = false;
    WbStr last = {NULL, 0};
    ROWS({
        if (!compiled || (!constant && (last.len != p.str[r].len ||
                                        memcmp(last.ptr, p.str[r].ptr, last.len) != 0))) {
            int escape = '\\';
            if (has_esc && escape_char(cx, e, esc.str[r], &escape)) return -1;
            if (like_compile(cx, e, p.str[r], escape, &lp)) return -1;
            compiled = true;
            last = p.str[r];
        }
        out->i64[r] = like_match(&lp, s.str[r].ptr, s.str[r].len);
    })
    return 0;
}

/* Appends the replacement with $0..$9 group references to w. */
static size_t expand_replacement(char *w, WbStr rep, const char *s, const int32_t *m,
                                 size_t ngroups)
{
    size_t len = 0;
    for (uint32_t i = 0; i < rep.len; i++) {
        char ch = rep.ptr[i];
        if (ch == '$' && i + 1 < rep.len && rep.ptr[i + 1] >= '0' && rep.ptr[i + 1] <= '9') {
            size_t g = (size_t)(rep.ptr[++i] - '0');
            if (g < ngroups && m[2 * g] >= 0) {
                size_t glen = (size_t)(m[2 * g + 1] - m[2 * g]);
                if (w) memcpy(w + len, s + m[2 * g], glen);
                len += glen;
            }
            continue;
        }
        if (ch == '\\' && i + 1 < rep.len) ch = rep.ptr[++i];
        if (w) w[len] = ch;
        len++;
    }
    return len;
}

int ev_regex(EvalCtx *cx, const Expr *e, const int32_t *sel, int32_t n, ColumnVector *out)
{
    FuncId fn = (FuncId)e->fn;
    ColumnVector args[3];
    for (int32_t i = 0; i < e->nargs && i < 3; i++)
        if (ev_arg(cx, e->args[i], sel, n, &args[i])) return -1;
    ColumnVector *s = &args[0], *p = &args[1];
    for (int32_t k = 0; k < n; k++) {
        int32_t r = sel[k];
        uint8_t null = 0;
        for (int32_t i = 0; i < e->nargs && i < 3; i++) null |= args[i].nulls[r];
        out->nulls[r] = null;
    }
    RegexCache rc = {0};
    int status = 0;
    enum { NGROUPS = 10 };
    int32_t m[2 * NGROUPS];
    WbBuf buf = {0};
    switch (fn) {
    case FN_REGEXP:
        /* TRUE if the pattern matches anywhere in the string. */
        ROWS({
            if (regex_get(cx, e, &rc, p->str[r])) { status = -1; break; }
            int found = regex_search(cx, e, &rc, s->str[r], 0, NULL, 0);
            if (found < 0) { status = -1; break; }
            out->i64[r] = found;
        })
        break;
    case FN_REGEXP_EXTRACT:
        ROWS({
            if (regex_get(cx, e, &rc, p->str[r])) { status = -1; break; }
            int64_t group = e->nargs > 2 ? args[2].i64[r] : 0;
            if (group < 0 || group >= NGROUPS || group > ex_re_groups(rc.re)) {
                status = ev_error(cx, e, WB_SQLSTATE_DATA,
                                  "regular expression group index %lld out of range",
                                  (long long)group);
                break;
            }
            WbStr str = s->str[r];
            int found = regex_search(cx, e, &rc, str, 0, m, 2 * NGROUPS);
            if (found < 0) { status = -1; break; }
            if (!found || m[2 * group] < 0) {
                out->nulls[r] = 1;
                continue;
            }
            out->str[r].ptr = str.ptr + m[2 * group];
            out->str[r].len = (uint32_t)(m[2 * group + 1] - m[2 * group]);
        })
        break;
    case FN_REGEXP_REPLACE:
        ROWS({
            if (regex_get(cx, e, &rc, p->str[r])) { status = -1; break; }
            WbStr str = s->str[r], rep = args[2].str[r];
            wb_buf_clear(&buf);
            uint32_t pos = 0;
            int found = 0;
            while (pos <= str.len && (found = regex_search(cx, e, &rc, str, pos, m, 2 * NGROUPS)) > 0) {
                uint32_t so = (uint32_t)m[0], eo = (uint32_t)m[1];
                wb_buf_append(&buf, str.ptr + pos, so - pos);
                size_t rlen = expand_replacement(NULL, rep, str.ptr, m, NGROUPS);
                wb_buf_reserve(&buf, rlen);
                expand_replacement(buf.data + buf.len, rep, str.ptr, m, NGROUPS);
                buf.len += rlen;
                if (eo == so) {
                    /* empty match: copy one character and move past it */
                    if (so >= str.len) { pos = str.len + 1; break; }
                    uint32_t next = cp_next(str.ptr, str.len, so);
                    wb_buf_append(&buf, str.ptr + so, next - so);
                    pos = next;
                } else {
                    pos = eo;
                }
            }
            if (found < 0) { status = -1; break; }
            if (pos < str.len) wb_buf_append(&buf, str.ptr + pos, str.len - pos);
            out->str[r] = ev_str(cx, buf.data ? buf.data : "", buf.len);
        })
        break;
    default:
        status = ev_error(cx, e, WB_SQLSTATE_FEATURE, "function %s cannot be evaluated",
                          sql_func_name(fn));
        break;
    }
    ex_re_free(rc.re);
    wb_buf_free(&buf);
    return status;
}
