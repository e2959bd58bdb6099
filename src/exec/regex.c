/*
 * regex.c - Java-style regular expressions (see regex.h): a parser to a
 * small tree, a compiler to a program, and a backtracking matcher that
 * memoizes failed (instruction, position) pairs.
 *
 * The program (Pike's instruction set):
 *   CHAR c / CHARI c    one code point (CHARI: an ASCII letter, either case)
 *   ANY / ANYNL         any code point but a line terminator / any at all
 *   CLASS k             a code point in (or, negated, not in) class k
 *   SPLIT x, y          try x, then y (the order is the priority)
 *   JMP x
 *   SAVE k              capture slot k := position
 *   BOL EOL MBOL MEOL BEGIN END ENDZ WORDB NWORDB   zero-width assertions
 *   MATCH
 * wrapped as SAVE 0, <pattern>, SAVE 1, MATCH.
 *
 * Why the memo is sound: without back references, whether the program
 * can reach MATCH from (pc, pos) depends on nothing else (not on the
 * captures, not on the start position), so a pair that failed once fails
 * every time, within a search and across its start positions.  The
 * depth-first order is the priority order, so the first MATCH reached is
 * Java's match.
 */
#include "exec/regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RN_LIT, RN_ANY, RN_CLASS, RN_ASSERT, RN_CAT, RN_ALT, RN_GROUP, RN_REPEAT, RN_EMPTY };

enum {
    I_CHAR, I_CHARI, I_ANY, I_ANYNL, I_CLASS, I_SPLIT, I_JMP, I_SAVE, I_BOL, I_EOL, I_MBOL, I_MEOL,
    I_BEGIN, I_END, I_ENDZ, I_WORDB, I_NWORDB, I_MATCH
};

#define RE_MAX_INSTS 20000
#define RE_MAX_DEPTH 200
#define RE_MAX_REPEAT 1000
#define RE_MAX_MEMO_BITS ((uint64_t)1 << 31)

typedef struct RNode {
    uint8_t kind;
    uint8_t op;                  /* RN_ASSERT: the I_ assertion */
    bool greedy;
    uint32_t cp;                 /* RN_LIT */
    int32_t cls;                 /* RN_CLASS */
    int32_t cap;                 /* RN_GROUP: capture index, -1 = none */
    int32_t min, max;            /* RN_REPEAT: max -1 = unbounded */
    int32_t nkids;
    struct RNode **kids;
} RNode;

typedef struct ReClass {
    uint8_t ascii[16];           /* bit per code point < 128 */
    bool neg;
    int32_t nranges, cap;
    uint32_t *ranges;            /* lo, hi pairs for code points >= 128 */
} ReClass;

typedef struct ReInst {
    uint8_t op;
    uint32_t arg;
    int32_t x, y;
} ReInst;

typedef struct ReJob {
    int32_t pc;                  /* < 0: restore slot -pc-1 to pos */
    int32_t pos;
} ReJob;

struct ExRegex {
    ReInst *prog;
    int32_t ninst;
    ReClass *classes;
    int32_t nclasses;
    int32_t ngroups;
    bool icase, dotall, multiline;
    /* start positions: bytes a match can begin with, or anywhere */
    uint8_t first[32];
    int first_single;            /* the only first byte, or -1 */
    bool anywhere, at_start;
    /* scratch kept between searches */
    uint64_t *memo;
    size_t memo_words;
    ReJob *stack;
    int32_t stack_cap;
};

/* ---- UTF-8 ---- */

/* The code point at s[pos] (pos < len) and the position after it; an
 * invalid byte is one code point of its own value. */
static uint32_t utf8_at(const uint8_t *s, uint32_t len, uint32_t pos, uint32_t *next)
{
    uint8_t c = s[pos];
    if (c < 0x80) {
        *next = pos + 1;
        return c;
    }
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (n == 0 || pos + (uint32_t)n >= len) {
        *next = pos + 1;
        return c;
    }
    uint32_t cp = c & (0x3F >> n);
    for (int i = 1; i <= n; i++) {
        uint8_t cc = s[pos + (uint32_t)i];
        if ((cc & 0xC0) != 0x80) {
            *next = pos + 1;
            return c;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    *next = pos + (uint32_t)n + 1;
    return cp;
}

static int utf8_put(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { out[0] = (uint8_t)(0xC0 | (cp >> 6)); out[1] = (uint8_t)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static bool is_word_cp(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == '_' || cp >= 0x80;
}

static bool is_line_end(uint32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* ---- classes ---- */

static void class_add(ReClass *c, uint32_t lo, uint32_t hi)
{
    for (uint32_t cp = lo; cp <= hi && cp < 128; cp++) c->ascii[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    if (hi < 128) return;
    if (lo < 128) lo = 128;
    if (c->nranges == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->ranges = wb_realloc(c->ranges, sizeof(uint32_t) * 2 * (size_t)c->cap);
    }
    c->ranges[2 * c->nranges] = lo;
    c->ranges[2 * c->nranges + 1] = hi;
    c->nranges++;
}

static bool class_has(const ReClass *c, uint32_t cp)
{
    bool in;
    if (cp < 128) {
        in = (c->ascii[cp >> 3] >> (cp & 7)) & 1;
    } else {
        in = false;
        for (int32_t i = 0; i < c->nranges && !in; i++)
            in = cp >= c->ranges[2 * i] && cp <= c->ranges[2 * i + 1];
    }
    return in != c->neg;
}

/* \d \w \s and their negations, added to c (negated ones as the
 * complement's ranges). */
static void class_add_escape(ReClass *c, char e)
{
    ReClass tmp;
    memset(&tmp, 0, sizeof tmp);
    char lower = (char)(e | 0x20);
    if (lower == 'd') class_add(&tmp, '0', '9');
    if (lower == 'w') {
        class_add(&tmp, 'a', 'z');
        class_add(&tmp, 'A', 'Z');
        class_add(&tmp, '0', '9');
        class_add(&tmp, '_', '_');
    }
    if (lower == 's') {
        class_add(&tmp, ' ', ' ');
        class_add(&tmp, '\t', '\r');   /* \t \n \v(\x0B) \f \r */
    }
    bool negate = e >= 'A' && e <= 'Z';
    for (uint32_t cp = 0; cp < 128; cp++) {
        bool in = (tmp.ascii[cp >> 3] >> (cp & 7)) & 1;
        if (in != negate) class_add(c, cp, cp);
    }
    if (negate) class_add(c, 128, 0x10FFFF);
    free(tmp.ranges);
}

/* ---- parser ---- */

typedef struct ReParser {
    const uint8_t *p;
    uint32_t len, pos;
    WbArena *arena;
    ExRegex *re;
    char *errbuf;
    size_t errlen;
    bool failed;
    int depth;
} ReParser;

static RNode *fail(ReParser *ps, const char *msg)
{
    if (!ps->failed) snprintf(ps->errbuf, ps->errlen, "%s at offset %u", msg, ps->pos);
    ps->failed = true;
    return NULL;
}

static RNode *node(ReParser *ps, uint8_t kind)
{
    RNode *n = wb_arena_calloc(ps->arena, sizeof(RNode));
    n->kind = kind;
    n->cap = -1;
    return n;
}

static int32_t new_class(ReParser *ps)
{
    ExRegex *re = ps->re;
    re->classes = wb_realloc(re->classes, sizeof(ReClass) * (size_t)(re->nclasses + 1));
    memset(&re->classes[re->nclasses], 0, sizeof(ReClass));
    return re->nclasses++;
}

static bool more(const ReParser *ps) { return ps->pos < ps->len; }
static uint8_t peekc(const ReParser *ps) { return ps->pos < ps->len ? ps->p[ps->pos] : 0; }

static uint32_t next_cp(ReParser *ps)
{
    uint32_t next;
    uint32_t cp = utf8_at(ps->p, ps->len, ps->pos, &next);
    ps->pos = next;
    return cp;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool read_hex(ReParser *ps, int digits, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < digits; i++) {
        int h = hexval(peekc(ps));
        if (!more(ps) || h < 0) return false;
        v = v * 16 + (uint32_t)h;
        ps->pos++;
    }
    *out = v;
    return true;
}

/* After a backslash: a literal code point escape.  Returns 1 with *cp, 0
 * when the escape is not a literal one (the caller handles it), -1 on an
 * error. */
static int literal_escape(ReParser *ps, uint8_t e, uint32_t *cp)
{
    switch (e) {
    case 't': *cp = '\t'; return 1;
    case 'n': *cp = '\n'; return 1;
    case 'r': *cp = '\r'; return 1;
    case 'f': *cp = '\f'; return 1;
    case 'a': *cp = 7; return 1;
    case 'e': *cp = 27; return 1;
    case 'x':
        if (peekc(ps) == '{') {
            ps->pos++;
            uint32_t v = 0;
            int n = 0;
            while (more(ps) && hexval(peekc(ps)) >= 0 && n < 8) {
                v = v * 16 + (uint32_t)hexval(peekc(ps));
                ps->pos++;
                n++;
            }
            if (n == 0 || peekc(ps) != '}' || v > 0x10FFFF) { fail(ps, "bad \\x{...} escape"); return -1; }
            ps->pos++;
            *cp = v;
            return 1;
        }
        if (!read_hex(ps, 2, cp)) { fail(ps, "bad \\x escape"); return -1; }
        return 1;
    case 'u':
        if (!read_hex(ps, 4, cp)) { fail(ps, "bad \\u escape"); return -1; }
        return 1;
    case '0': {
        uint32_t v = 0;
        int n = 0;
        while (n < 3 && peekc(ps) >= '0' && peekc(ps) <= '7' && more(ps)) {
            v = v * 8 + (uint32_t)(peekc(ps) - '0');
            ps->pos++;
            n++;
        }
        if (n == 0) { fail(ps, "bad octal escape"); return -1; }
        *cp = v;
        return 1;
    }
    default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) return 0;
        *cp = e;
        return 1;
    }
}

static RNode *parse_alt(ReParser *ps);

static RNode *parse_class(ReParser *ps)
{
    int32_t k = new_class(ps);
    ReClass *c = &ps->re->classes[k];
    if (peekc(ps) == '^' && more(ps)) {
        c->neg = true;
        ps->pos++;
    }
    bool first = true;
    for (;;) {
        if (!more(ps)) return fail(ps, "unclosed character class");
        uint8_t ch = peekc(ps);
        if (ch == ']' && !first) {
            ps->pos++;
            break;
        }
        if (ch == '[') return fail(ps, "nested character classes are not supported");
        if (ch == '&' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] == '&')
            return fail(ps, "character class intersection (&&) is not supported");
        first = false;
        uint32_t lo;
        if (ch == '\\') {
            ps->pos++;
            if (!more(ps)) return fail(ps, "trailing backslash");
            uint8_t e = ps->p[ps->pos++];
            if (e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S') {
                c = &ps->re->classes[k];
                class_add_escape(c, (char)e);
                continue;
            }
            int r = literal_escape(ps, e, &lo);
            if (r < 0) return NULL;
            if (r == 0) return fail(ps, "unsupported escape in a character class");
        } else {
            lo = next_cp(ps);
        }
        uint32_t hi = lo;
        if (peekc(ps) == '-' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] != ']') {
            ps->pos++;
            if (peekc(ps) == '\\') {
                ps->pos++;
                if (!more(ps)) return fail(ps, "trailing backslash");
                uint8_t e = ps->p[ps->pos++];
                int r = literal_escape(ps, e, &hi);
                if (r < 0) return NULL;
                if (r == 0) return fail(ps, "bad character range");
            } else {
                hi = next_cp(ps);
            }
            if (hi < lo) return fail(ps, "character range out of order");
        }
        c = &ps->re->classes[k];
        class_add(c, lo, hi);
    }
    RNode *n = node(ps, RN_CLASS);
    n->cls = k;
    return n;
}

static RNode *assertion(ReParser *ps, uint8_t op)
{
    RNode *n = node(ps, RN_ASSERT);
    n->op = op;
    return n;
}

static RNode *parse_atom(ReParser *ps)
{
    uint8_t ch = peekc(ps);
    switch (ch) {
    case '(': {
        ps->pos++;
        if (++ps->depth > RE_MAX_DEPTH) return fail(ps, "pattern nested too deeply");
        int32_t cap = -1;
        if (peekc(ps) == '?') {
            ps->pos++;
            uint8_t k = peekc(ps);
            if (k == ':') {
                ps->pos++;
            } else if (k == '<' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] != '=' &&
                       ps->p[ps->pos + 1] != '!') {
                ps->pos++;
                while (more(ps) && peekc(ps) != '>') ps->pos++;
                if (!more(ps)) return fail(ps, "unclosed group name");
                ps->pos++;
                cap = ++ps->re->ngroups;
            } else if (k == '=' || k == '!' || k == '<' || k == '>') {
                return fail(ps, "look-around and atomic groups are not supported");
            } else {
                /* flags: (?ism) or (?ism:...), for the whole pattern */
                while (more(ps) && (peekc(ps) == 'i' || peekc(ps) == 's' || peekc(ps) == 'm')) {
                    if (peekc(ps) == 'i') ps->re->icase = true;
                    if (peekc(ps) == 's') ps->re->dotall = true;
                    if (peekc(ps) == 'm') ps->re->multiline = true;
                    ps->pos++;
                }
                if (peekc(ps) == ')') {
                    ps->pos++;
                    ps->depth--;
                    return node(ps, RN_EMPTY);
                }
                if (peekc(ps) != ':') return fail(ps, "unsupported group construct");
                ps->pos++;
            }
        } else {
            cap = ++ps->re->ngroups;
        }
        RNode *inner = parse_alt(ps);
        if (!inner) return NULL;
        if (peekc(ps) != ')' || !more(ps)) return fail(ps, "unclosed group");
        ps->pos++;
        ps->depth--;
        RNode *g = node(ps, RN_GROUP);
        g->cap = cap;
        g->nkids = 1;
        g->kids = wb_arena_alloc(ps->arena, sizeof(RNode *));
        g->kids[0] = inner;
        return g;
    }
    case '[':
        ps->pos++;
        return parse_class(ps);
    case '.':
        ps->pos++;
        return node(ps, RN_ANY);
    case '^':
        ps->pos++;
        return assertion(ps, I_BOL);   /* I_MBOL under (?m), at compile time */
    case '$':
        ps->pos++;
        return assertion(ps, I_EOL);
    case '*': case '+': case '?': case '{':
        if (ch == '{' && !(ps->pos + 1 < ps->len && ps->p[ps->pos + 1] >= '0' && ps->p[ps->pos + 1] <= '9'))
            break;
        return fail(ps, "quantifier without anything to repeat");
    case '\\': {
        ps->pos++;
        if (!more(ps)) return fail(ps, "trailing backslash");
        uint8_t e = ps->p[ps->pos++];
        switch (e) {
        case 'd': case 'D': case 'w': case 'W': case 's': case 'S': {
            int32_t k = new_class(ps);
            class_add_escape(&ps->re->classes[k], (char)e);
            RNode *n = node(ps, RN_CLASS);
            n->cls = k;
            return n;
        }
        case 'b': return assertion(ps, I_WORDB);
        case 'B': return assertion(ps, I_NWORDB);
        case 'A': return assertion(ps, I_BEGIN);
        case 'z': return assertion(ps, I_END);
        case 'Z': return assertion(ps, I_ENDZ);
        case 'Q': {
            /* quoted up to \E (or the end) */
            RNode *cat = node(ps, RN_CAT);
            while (more(ps)) {
                if (peekc(ps) == '\\' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] == 'E') {
                    ps->pos += 2;
                    break;
                }
                RNode *lit = node(ps, RN_LIT);
                lit->cp = next_cp(ps);
                RNode **kids = wb_arena_alloc(ps->arena, sizeof(RNode *) * (size_t)(cat->nkids + 1));
                if (cat->nkids) memcpy(kids, cat->kids, sizeof(RNode *) * (size_t)cat->nkids);
                kids[cat->nkids++] = lit;
                cat->kids = kids;
            }
            return cat;
        }
        default: {
            uint32_t cp;
            int r = literal_escape(ps, e, &cp);
            if (r < 0) return NULL;
            if (r == 0) {
                ps->pos--;
                return fail(ps, "unsupported escape (back references, \\p{...} and others)");
            }
            RNode *lit = node(ps, RN_LIT);
            lit->cp = cp;
            return lit;
        }
        }
    }
    default:
        break;
    }
    RNode *lit = node(ps, RN_LIT);
    lit->cp = next_cp(ps);
    return lit;
}

static bool parse_count(ReParser *ps, int32_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (more(ps) && peekc(ps) >= '0' && peekc(ps) <= '9') {
        v = v * 10 + (peekc(ps) - '0');
        if (v > RE_MAX_REPEAT) {
            fail(ps, "repetition count too large (at most 1000)");
            return false;
        }
        ps->pos++;
        n++;
    }
    *out = (int32_t)v;
    return n > 0;
}

static RNode *parse_repeat(ReParser *ps)
{
    RNode *atom = parse_atom(ps);
    if (!atom) return NULL;
    for (;;) {
        uint8_t ch = peekc(ps);
        if (!more(ps)) return atom;
        int32_t min, max;
        uint32_t save = ps->pos;
        if (ch == '*') { min = 0; max = -1; ps->pos++; }
        else if (ch == '+') { min = 1; max = -1; ps->pos++; }
        else if (ch == '?') { min = 0; max = 1; ps->pos++; }
        else if (ch == '{') {
            ps->pos++;
            if (!parse_count(ps, &min)) {
                if (ps->failed) return NULL;
                ps->pos = save;   /* a literal '{' */
                return atom;
            }
            max = min;
            if (peekc(ps) == ',') {
                ps->pos++;
                if (peekc(ps) == '}') max = -1;
                else if (!parse_count(ps, &max)) return ps->failed ? NULL : fail(ps, "bad repetition");
            }
            if (peekc(ps) != '}' || !more(ps)) return fail(ps, "unclosed repetition");
            ps->pos++;
            if (max >= 0 && max < min) return fail(ps, "repetition range out of order");
        } else {
            return atom;
        }
        RNode *r = node(ps, RN_REPEAT);
        r->min = min;
        r->max = max;
        r->greedy = true;
        if (peekc(ps) == '?' && more(ps)) {
            r->greedy = false;
            ps->pos++;
        } else if (peekc(ps) == '+' && more(ps)) {
            ps->pos++;   /* possessive: matched as greedy */
        }
        r->nkids = 1;
        r->kids = wb_arena_alloc(ps->arena, sizeof(RNode *));
        r->kids[0] = atom;
        atom = r;
    }
}

static RNode *parse_concat(ReParser *ps)
{
    RNode *cat = node(ps, RN_CAT);
    int32_t cap = 0;
    while (more(ps) && peekc(ps) != '|' && peekc(ps) != ')') {
        RNode *r = parse_repeat(ps);
        if (!r) return NULL;
        if (cat->nkids == cap) {
            cap = cap ? cap * 2 : 4;
            RNode **kids = wb_arena_alloc(ps->arena, sizeof(RNode *) * (size_t)cap);
            if (cat->nkids) memcpy(kids, cat->kids, sizeof(RNode *) * (size_t)cat->nkids);
            cat->kids = kids;
        }
        cat->kids[cat->nkids++] = r;
    }
    return cat;
}

static RNode *parse_alt(ReParser *ps)
{
    RNode *first = parse_concat(ps);
    if (!first) return NULL;
    if (peekc(ps) != '|' || !more(ps)) return first;
    RNode *alt = node(ps, RN_ALT);
    int32_t cap = 4;
    alt->kids = wb_arena_alloc(ps->arena, sizeof(RNode *) * (size_t)cap);
    alt->kids[alt->nkids++] = first;
    while (peekc(ps) == '|' && more(ps)) {
        ps->pos++;
        RNode *next = parse_concat(ps);
        if (!next) return NULL;
        if (alt->nkids == cap) {
            cap *= 2;
            RNode **kids = wb_arena_alloc(ps->arena, sizeof(RNode *) * (size_t)cap);
            memcpy(kids, alt->kids, sizeof(RNode *) * (size_t)alt->nkids);
            alt->kids = kids;
        }
        alt->kids[alt->nkids++] = next;
    }
    return alt;
}

/* ---- compiler ---- */

typedef struct ReCompiler {
    ExRegex *re;
    int32_t cap;
    bool overflow;
} ReCompiler;

static int32_t emit(ReCompiler *cc, uint8_t op, uint32_t arg, int32_t x, int32_t y)
{
    ExRegex *re = cc->re;
    if (re->ninst >= RE_MAX_INSTS) {
        cc->overflow = true;
        return re->ninst ? re->ninst - 1 : 0;
    }
    if (re->ninst == cc->cap) {
        cc->cap = cc->cap ? cc->cap * 2 : 32;
        re->prog = wb_realloc(re->prog, sizeof(ReInst) * (size_t)cc->cap);
    }
    re->prog[re->ninst] = (ReInst){op, arg, x, y};
    return re->ninst++;
}

static void compile(ReCompiler *cc, const RNode *n)
{
    ExRegex *re = cc->re;
    if (cc->overflow) return;
    switch (n->kind) {
    case RN_EMPTY:
        break;
    case RN_LIT: {
        uint32_t cp = n->cp;
        bool letter = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
        if (re->icase && letter) emit(cc, I_CHARI, cp | 0x20, 0, 0);
        else emit(cc, I_CHAR, cp, 0, 0);
        break;
    }
    case RN_ANY:
        emit(cc, re->dotall ? I_ANYNL : I_ANY, 0, 0, 0);
        break;
    case RN_CLASS:
        emit(cc, I_CLASS, (uint32_t)n->cls, 0, 0);
        break;
    case RN_ASSERT:
        /* the flags hold for the whole pattern, wherever written */
        if (re->multiline && n->op == I_BOL) emit(cc, I_MBOL, 0, 0, 0);
        else if (re->multiline && n->op == I_EOL) emit(cc, I_MEOL, 0, 0, 0);
        else emit(cc, n->op, 0, 0, 0);
        break;
    case RN_CAT:
        for (int32_t i = 0; i < n->nkids; i++) compile(cc, n->kids[i]);
        break;
    case RN_GROUP:
        if (n->cap >= 0) emit(cc, I_SAVE, (uint32_t)(2 * n->cap), 0, 0);
        compile(cc, n->kids[0]);
        if (n->cap >= 0) emit(cc, I_SAVE, (uint32_t)(2 * n->cap + 1), 0, 0);
        break;
    case RN_ALT: {
        /* SPLIT a, next; a; JMP end; next: SPLIT b, next2; ...; last */
        int32_t *jumps = wb_malloc(sizeof(int32_t) * (size_t)n->nkids);
        for (int32_t i = 0; i < n->nkids; i++) {
            if (i + 1 < n->nkids) {
                int32_t split = emit(cc, I_SPLIT, 0, 0, 0);
                re->prog[split].x = re->ninst;
                compile(cc, n->kids[i]);
                jumps[i] = emit(cc, I_JMP, 0, 0, 0);
                if (!cc->overflow) re->prog[split].y = re->ninst;
            } else {
                compile(cc, n->kids[i]);
            }
        }
        for (int32_t i = 0; i + 1 < n->nkids && !cc->overflow; i++) re->prog[jumps[i]].x = re->ninst;
        free(jumps);
        break;
    }
    case RN_REPEAT: {
        const RNode *x = n->kids[0];
        for (int32_t i = 0; i < n->min && !cc->overflow; i++) compile(cc, x);
        if (n->max < 0) {
            /* L: SPLIT body, out; body; JMP L */
            int32_t split = emit(cc, I_SPLIT, 0, 0, 0);
            compile(cc, x);
            emit(cc, I_JMP, 0, split, 0);
            if (cc->overflow) break;
            int32_t body = split + 1, out = re->ninst;
            re->prog[split].x = n->greedy ? body : out;
            re->prog[split].y = n->greedy ? out : body;
        } else {
            int32_t nopt = n->max - n->min;
            int32_t *splits = wb_malloc(sizeof(int32_t) * (size_t)(nopt + 1));
            for (int32_t i = 0; i < nopt && !cc->overflow; i++) {
                splits[i] = emit(cc, I_SPLIT, 0, 0, 0);
                compile(cc, x);
            }
            if (!cc->overflow) {
                int32_t out = re->ninst;
                for (int32_t i = 0; i < nopt; i++) {
                    int32_t body = splits[i] + 1;
                    re->prog[splits[i]].x = n->greedy ? body : out;
                    re->prog[splits[i]].y = n->greedy ? out : body;
                }
            }
            free(splits);
        }
        break;
    }
    }
}

/* The bytes a match can start with (re->first), or anywhere. */
static void first_bytes(ExRegex *re, int32_t pc, uint8_t *seen)
{
    while (!seen[pc]) {
        seen[pc] = 1;
        const ReInst *in = &re->prog[pc];
        uint8_t buf[4];
        switch (in->op) {
        case I_CHAR:
            utf8_put(in->arg, buf);
            re->first[buf[0] >> 3] |= (uint8_t)(1u << (buf[0] & 7));
            return;
        case I_CHARI: {
            uint32_t up = in->arg - 32;
            re->first[in->arg >> 3] |= (uint8_t)(1u << (in->arg & 7));
            re->first[up >> 3] |= (uint8_t)(1u << (up & 7));
            return;
        }
        case I_ANY:
        case I_ANYNL:
            memset(re->first, 0xFF, sizeof re->first);
            return;
        case I_CLASS: {
            const ReClass *c = &re->classes[in->arg];
            for (uint32_t b = 0; b < 128; b++)
                if (class_has(c, b)) re->first[b >> 3] |= (uint8_t)(1u << (b & 7));
            if (c->neg || c->nranges) memset(re->first + 16, 0xFF, 16);
            return;
        }
        case I_SPLIT:
            first_bytes(re, in->x, seen);
            pc = in->y;
            break;
        case I_JMP:
            pc = in->x;
            break;
        case I_SAVE:
            pc++;
            break;
        case I_BOL:
        case I_BEGIN:
            re->at_start = true;
            return;
        default:
            re->anywhere = true;
            return;
        }
    }
}

ExRegex *ex_re_compile(const char *pattern, uint32_t len, char *errbuf, size_t errlen)
{
    ExRegex *re = wb_calloc(1, sizeof(ExRegex));
    WbArena arena;
    wb_arena_init(&arena, 4096);
    ReParser ps = {(const uint8_t *)pattern, len, 0, &arena, re, errbuf, errlen, false, 0};
    /* leading flags first, so that what follows compiles under them */
    RNode *tree = parse_alt(&ps);
    if (tree && ps.pos < ps.len) tree = fail(&ps, "unmatched ')'");
    if (!tree) {
        wb_arena_destroy(&arena);
        ex_re_free(re);
        return NULL;
    }
    if (re->icase) {
        /* (?i): every class takes the other case of its ASCII letters */
        for (int32_t k = 0; k < re->nclasses; k++) {
            ReClass *c = &re->classes[k];
            for (uint32_t cp = 'a'; cp <= 'z'; cp++) {
                uint32_t up = cp - 32;
                bool lo_in = (c->ascii[cp >> 3] >> (cp & 7)) & 1, up_in = (c->ascii[up >> 3] >> (up & 7)) & 1;
                if (lo_in || up_in) {
                    c->ascii[cp >> 3] |= (uint8_t)(1u << (cp & 7));
                    c->ascii[up >> 3] |= (uint8_t)(1u << (up & 7));
                }
            }
        }
    }
    ReCompiler cc = {re, 0, false};
    emit(&cc, I_SAVE, 0, 0, 0);
    compile(&cc, tree);
    emit(&cc, I_SAVE, 1, 0, 0);
    emit(&cc, I_MATCH, 0, 0, 0);
    wb_arena_destroy(&arena);
    if (cc.overflow) {
        snprintf(errbuf, errlen, "pattern too large (more than %d instructions)", RE_MAX_INSTS);
        ex_re_free(re);
        return NULL;
    }
    uint8_t *seen = wb_calloc((size_t)re->ninst, 1);
    first_bytes(re, 0, seen);
    free(seen);
    re->first_single = -1;
    int count = 0, only = -1;
    for (int b = 0; b < 256; b++) {
        if ((re->first[b >> 3] >> (b & 7)) & 1) {
            count++;
            only = b;
        }
    }
    if (count == 1) re->first_single = only;
    return re;
}

void ex_re_free(ExRegex *re)
{
    if (!re) return;
    for (int32_t i = 0; i < re->nclasses; i++) free(re->classes[i].ranges);
    free(re->classes);
    free(re->prog);
    free(re->memo);
    free(re->stack);
    free(re);
}

int32_t ex_re_groups(const ExRegex *re) { return re->ngroups; }

/* ---- matcher ---- */

static void push_job(ExRegex *re, int32_t *sp, int32_t pc, int32_t pos)
{
    if (*sp == re->stack_cap) {
        re->stack_cap = re->stack_cap ? re->stack_cap * 2 : 64;
        re->stack = wb_realloc(re->stack, sizeof(ReJob) * (size_t)re->stack_cap);
    }
    re->stack[(*sp)++] = (ReJob){pc, pos};
}

/* Whether the program matches starting at `start`; caps filled. */
static bool run(ExRegex *re, const uint8_t *s, uint32_t len, uint32_t start, int32_t *caps,
                int32_t nslots)
{
    uint64_t width = (uint64_t)len + 1;
    int32_t sp = 0;
    push_job(re, &sp, 0, (int32_t)start);
    while (sp > 0) {
        ReJob job = re->stack[--sp];
        if (job.pc < 0) {
            caps[-job.pc - 1] = job.pos;
            continue;
        }
        int32_t pc = job.pc;
        uint32_t pos = (uint32_t)job.pos;
        for (;;) {
            uint64_t bit = (uint64_t)pc * width + pos;
            uint64_t *word = &re->memo[bit >> 6];
            uint64_t mask = (uint64_t)1 << (bit & 63);
            if (*word & mask) break;
            *word |= mask;
            const ReInst *in = &re->prog[pc];
            uint32_t next;
            switch (in->op) {
            case I_CHAR:
                if (pos >= len) goto fail;
                if (in->arg < 0x80) {
                    if (s[pos] != in->arg) goto fail;
                    pos++;
                } else {
                    if (utf8_at(s, len, pos, &next) != in->arg) goto fail;
                    pos = next;
                }
                pc++;
                continue;
            case I_CHARI:
                if (pos >= len || (s[pos] | 0x20) != in->arg) goto fail;
                pos++;
                pc++;
                continue;
            case I_ANY:
                if (pos >= len || is_line_end(utf8_at(s, len, pos, &next))) goto fail;
                pos = next;
                pc++;
                continue;
            case I_ANYNL:
                if (pos >= len) goto fail;
                utf8_at(s, len, pos, &next);
                pos = next;
                pc++;
                continue;
            case I_CLASS: {
                if (pos >= len) goto fail;
                uint32_t cp;
                if (s[pos] < 0x80) {
                    cp = s[pos];
                    next = pos + 1;
                } else {
                    cp = utf8_at(s, len, pos, &next);
                }
                if (!class_has(&re->classes[in->arg], cp)) goto fail;
                pos = next;
                pc++;
                continue;
            }
            case I_SPLIT:
                push_job(re, &sp, in->y, (int32_t)pos);
                pc = in->x;
                continue;
            case I_JMP:
                pc = in->x;
                continue;
            case I_SAVE:
                if ((int32_t)in->arg < nslots) {
                    push_job(re, &sp, -(int32_t)in->arg - 1, caps[in->arg]);
                    caps[in->arg] = (int32_t)pos;
                }
                pc++;
                continue;
            case I_BOL:
            case I_BEGIN:
                if (pos != 0) goto fail;
                pc++;
                continue;
            case I_MBOL:
                if (pos != 0 && !(s[pos - 1] == '\n' && pos < len)) goto fail;
                pc++;
                continue;
            case I_EOL:
            case I_ENDZ:
                if (pos != len && !(pos + 1 == len && s[pos] == '\n') &&
                    !(pos + 2 == len && s[pos] == '\r' && s[pos + 1] == '\n'))
                    goto fail;
                pc++;
                continue;
            case I_MEOL:
                if (pos != len && s[pos] != '\n' && s[pos] != '\r') goto fail;
                pc++;
                continue;
            case I_END:
                if (pos != len) goto fail;
                pc++;
                continue;
            case I_WORDB:
            case I_NWORDB: {
                bool before = false, after = false;
                if (pos > 0) {
                    uint32_t b = pos - 1;
                    while (b > 0 && (s[b] & 0xC0) == 0x80) b--;
                    before = is_word_cp(utf8_at(s, len, b, &next));
                }
                if (pos < len) after = is_word_cp(utf8_at(s, len, pos, &next));
                if ((before != after) != (in->op == I_WORDB)) goto fail;
                pc++;
                continue;
            }
            case I_MATCH:
                return true;
            }
        fail:
            break;
        }
    }
    return false;
}

int ex_re_search(ExRegex *re, const char *str, uint32_t len, uint32_t from, int32_t *caps,
                 int32_t ncaps)
{
    const uint8_t *s = (const uint8_t *)str;
    int32_t slots[2 * 64];
    int32_t nslots = 2 * (re->ngroups + 1);
    if (nslots > (int32_t)(sizeof slots / sizeof slots[0])) nslots = (int32_t)(sizeof slots / sizeof slots[0]);
    uint64_t bits = (uint64_t)re->ninst * ((uint64_t)len + 1);
    if (bits > RE_MAX_MEMO_BITS) return -1;
    size_t words = (size_t)((bits + 63) / 64);
    if (words > re->memo_words) {
        free(re->memo);
        re->memo = wb_malloc(sizeof(uint64_t) * words);
        re->memo_words = words;
    }
    memset(re->memo, 0, sizeof(uint64_t) * words);
    for (uint32_t start = from; start <= len;) {
        if (!re->anywhere) {
            /* the next position a match can start at */
            uint32_t cand = len + 1;
            if (re->at_start && start == 0) cand = 0;
            else if (start < len) {
                if (re->first_single >= 0) {
                    const uint8_t *hit = memchr(s + start, re->first_single, len - start);
                    if (hit) cand = (uint32_t)(hit - s);
                } else {
                    for (uint32_t i = start; i < len; i++) {
                        if ((re->first[s[i] >> 3] >> (s[i] & 7)) & 1) {
                            cand = i;
                            break;
                        }
                    }
                }
            }
            if (cand > len) return 0;
            start = cand;
            if (start < len && (s[start] & 0xC0) == 0x80) {
                start++;   /* not a code point's first byte */
                continue;
            }
        }
        for (int32_t i = 0; i < nslots; i++) slots[i] = -1;
        if (run(re, s, len, start, slots, nslots)) {
            for (int32_t i = 0; i < ncaps; i++) caps[i] = i < nslots ? slots[i] : -1;
            return 1;
        }
        if (start >= len) break;
        start++;
        while (start < len && (s[start] & 0xC0) == 0x80) start++;
    }
    return 0;
}
