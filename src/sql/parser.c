/*
 * parser.c - recursive-descent parser for weir's Flink SQL dialect: scripts
 * of statements into AST nodes (sql/ast.h).  Grammar notes and decisions
 * live in src/sql/README.md; keywords are matched as words (see lexer.h).
 *
 * Error discipline: every parse function returns NULL (or false) after
 * setting p->err exactly once; callers just propagate.  Recursion goes
 * through enter()/leave(), which caps nesting at SQL_MAX_DEPTH.
 */
#include "sql/parser.h"
#include "sql/hint.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lexer.h"

typedef struct Parser {
    const char *src;
    SqlToken *toks;
    int32_t ntoks;
    int32_t *match;            /* per token: index of the matching ')' of a '(' (-1 if none) */
    int32_t pos;
    int depth;
    WbArena *arena;
    WbError *err;
    SqlHintSpan *hints;        /* hint comments, in order of position */
    int32_t nhints;
} Parser;

/* Growable node list in the arena (old arrays are abandoned on growth,
 * which costs a little arena space and no bookkeeping). */
typedef struct ListB {
    AstNode **items;
    int32_t count, cap;
} ListB;

static void lb_push(Parser *p, ListB *lb, AstNode *node)
{
    if (lb->count == lb->cap) {
        int32_t cap = lb->cap ? lb->cap * 2 : 4;
        AstNode **items = wb_arena_alloc(p->arena, sizeof(AstNode *) * (size_t)cap);
        if (lb->count) memcpy(items, lb->items, sizeof(AstNode *) * (size_t)lb->count);
        lb->items = items;
        lb->cap = cap;
    }
    lb->items[lb->count++] = node;
}

static AstList lb_done(ListB *lb)
{
    AstList list = {lb->count, lb->count ? lb->items : NULL};
    return list;
}

/* ---- tokens ---- */

static SqlToken *peek(Parser *p) { return &p->toks[p->pos]; }

static SqlToken *peek_at(Parser *p, int ahead)
{
    int32_t idx = p->pos + ahead;
    if (idx >= p->ntoks) idx = p->ntoks - 1;
    return &p->toks[idx];
}

static SqlToken *next(Parser *p)
{
    SqlToken *tok = &p->toks[p->pos];
    if (tok->kind != SQL_TOK_EOF) p->pos++;
    return tok;
}

static int32_t prev_end(Parser *p)
{
    if (p->pos == 0) return 0;
    const SqlToken *tok = &p->toks[p->pos - 1];
    return tok->start + tok->len;
}

static bool tok_kw(Parser *p, const SqlToken *tok, const char *kw)
{
    return sql_tok_is_word(tok, p->src, kw);
}
static bool is_kw(Parser *p, const char *kw) { return tok_kw(p, peek(p), kw); }
static bool is_kw_at(Parser *p, int ahead, const char *kw) { return tok_kw(p, peek_at(p, ahead), kw); }
static bool is_op(Parser *p, const char *op) { return sql_tok_is_op(peek(p), p->src, op); }
static bool is_op_at(Parser *p, int ahead, const char *op)
{
    return sql_tok_is_op(peek_at(p, ahead), p->src, op);
}

static bool accept_kw(Parser *p, const char *kw)
{
    if (!is_kw(p, kw)) return false;
    next(p);
    return true;
}

static bool accept_op(Parser *p, const char *op)
{
    if (!is_op(p, op)) return false;
    next(p);
    return true;
}

/* ---- errors ---- */

/* Appends at most 40 bytes of the token's source text (enough to find it). */
static int shown_len(const SqlToken *tok) { return tok->len > 40 ? 40 : tok->len; }

static void *syntax_error(Parser *p, const SqlToken *tok)
{
    if (p->err->set) return NULL;
    if (tok->kind == SQL_TOK_EOF) {
        wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                 "syntax error at end of input");
        return NULL;
    }
    wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
             "syntax error at or near \"%.*s\"", shown_len(tok), p->src + tok->start);
    return NULL;
}

/* A syntax error where a name was expected: a reserved word gets a hint. */
static void *name_error(Parser *p, const SqlToken *tok)
{
    bool had_error = p->err->set;
    syntax_error(p, tok);
    if (!had_error && tok->kind == SQL_TOK_WORD &&
        sql_word_is_reserved(p->src + tok->start, (size_t)tok->len))
        wb_error_hint(p->err, "%.*s is a reserved word; to use it as a name, quote it: `%.*s`",
                      tok->len, p->src + tok->start, tok->len, p->src + tok->start);
    return NULL;
}

/* `expected WHAT but found "tok"`; what is already quoted if it is a token. */
static void *expect_error(Parser *p, const char *what)
{
    const SqlToken *tok = peek(p);
    if (p->err->set) return NULL;
    if (tok->kind == SQL_TOK_EOF)
        wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                 "expected %s but found end of input", what);
    else
        wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                 "expected %s but found \"%.*s\"", what, shown_len(tok), p->src + tok->start);
    return NULL;
}

static void *unsupported(Parser *p, const SqlToken *tok, const char *what)
{
    if (p->err->set) return NULL;
    wb_error(p->err, WB_SQLSTATE_FEATURE, tok->line, tok->column, "%s is not supported yet", what);
    return NULL;
}

static bool expect_op(Parser *p, const char *op)
{
    if (accept_op(p, op)) return true;
    char what[8];
    snprintf(what, sizeof what, "\"%s\"", op);
    expect_error(p, what);
    return false;
}

static bool expect_kw(Parser *p, const char *kw)
{
    if (accept_kw(p, kw)) return true;
    char what[40];
    snprintf(what, sizeof what, "%s", kw);
    expect_error(p, what);
    return false;
}

/* The depth budget: each recursive descent costs DEPTH_RECURSE (a dozen C
 * frames), each link of a left-deep chain (a + b + c, a OR b, joins, UNION)
 * costs 1 while it is being built.  That bounds both the parser's stack and
 * the height of the tree that the binder and printer later recurse over. */
#define DEPTH_RECURSE 5

static bool over_budget(Parser *p)
{
    if (p->depth > SQL_MAX_DEPTH) {
        const SqlToken *tok = peek(p);
        if (!p->err->set)
            wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                     "statement is nested too deeply");
        return true;
    }
    return false;
}

/* One more link in a left-deep chain; the caller restores p->depth. */
static bool chain(Parser *p)
{
    p->depth++;
    return !over_budget(p);
}

static bool enter(Parser *p)
{
    p->depth += DEPTH_RECURSE;
    return !over_budget(p);
}

static AstNode *leave(Parser *p, AstNode *node)
{
    p->depth -= DEPTH_RECURSE;
    return node;
}

#define TRY(x)                         \
    do {                               \
        if (!(x)) return NULL;         \
    } while (0)

/* The hints written just before the current token, parsed for `place`
 * into *out.  Returns false on a bad hint (err set). */
static bool parse_hints_here(Parser *p, HintPlace place, AstList *out)
{
    for (int32_t i = 0; i < p->nhints; i++) {
        if (p->hints[i].before != p->pos) continue;
        if (sql_hints_parse(p->src, &p->hints[i], place, p->arena, out, p->err) != 0) return false;
    }
    return true;
}

/* ---- nodes and names ---- */

static AstNode *new_node(Parser *p, AstKind kind, const SqlToken *tok)
{
    AstNode *node = wb_arena_calloc(p->arena, sizeof *node);
    node->kind = kind;
    node->line = tok->line;
    node->column = tok->column;
    node->src_start = tok->start;
    node->src_end = tok->start + tok->len;
    return node;
}

/* A node positioned where another node starts (binary operators). */
static AstNode *new_node_at(Parser *p, AstKind kind, const AstNode *first)
{
    AstNode *node = wb_arena_calloc(p->arena, sizeof *node);
    node->kind = kind;
    node->line = first->line;
    node->column = first->column;
    node->src_start = first->src_start;
    return node;
}

static AstNode *fin(Parser *p, AstNode *node)
{
    if (node) node->src_end = prev_end(p);
    return node;
}

static bool is_name_tok(Parser *p, const SqlToken *tok)
{
    if (tok->kind == SQL_TOK_QIDENT) return true;
    return tok->kind == SQL_TOK_WORD && !sql_word_is_reserved(p->src + tok->start, (size_t)tok->len);
}

static const char *tok_name(Parser *p, const SqlToken *tok)
{
    if (tok->kind == SQL_TOK_QIDENT) return tok->str;
    return wb_arena_strndup(p->arena, p->src + tok->start, (size_t)tok->len);
}

static const char *parse_name(Parser *p)
{
    const SqlToken *tok = peek(p);
    if (!is_name_tok(p, tok)) return name_error(p, tok);
    next(p);
    return tok_name(p, tok);
}

/* name {. name}, joined with '.' */
static const char *parse_qualified_name(Parser *p)
{
    const char *name = parse_name(p);
    TRY(name);
    while (is_op(p, ".")) {
        next(p);
        const char *part = parse_name(p);
        TRY(part);
        name = wb_arena_printf(p->arena, "%s.%s", name, part);
    }
    return name;
}

static AstNode *parse_ident(Parser *p)
{
    const SqlToken *tok = peek(p);
    const char *name = parse_name(p);
    TRY(name);
    AstNode *node = new_node(p, AST_IDENT, tok);
    node->ident.name = name;
    return node;
}

/* '(' name, name ... ')' */
static bool parse_ident_list(Parser *p, AstList *out)
{
    ListB lb = {0};
    if (!expect_op(p, "(")) return false;
    do {
        AstNode *ident = parse_ident(p);
        if (!ident) return false;
        lb_push(p, &lb, ident);
    } while (accept_op(p, ","));
    if (!expect_op(p, ")")) return false;
    *out = lb_done(&lb);
    return true;
}

/* A string literal token's decoded text, or NULL with an error. */
static const char *parse_string(Parser *p)
{
    const SqlToken *tok = peek(p);
    if (tok->kind != SQL_TOK_STRING) return expect_error(p, "a string literal");
    next(p);
    return tok->str;
}

static bool parse_small_int(Parser *p, int64_t max, int64_t *out)
{
    const SqlToken *tok = peek(p);
    if (tok->kind != SQL_TOK_INTEGER) {
        expect_error(p, "an integer");
        return false;
    }
    int64_t value = 0;
    for (int32_t i = 0; i < tok->len; i++) {
        value = value * 10 + (p->src[tok->start + i] - '0');
        if (value > max) {
            wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                     "value %.*s is out of range (at most %lld)", shown_len(tok),
                     p->src + tok->start, (long long)max);
            return false;
        }
    }
    next(p);
    *out = value;
    return true;
}

/* ---- time units and intervals ---- */

static bool word_to_unit(Parser *p, const SqlToken *tok, bool extract_units, TimeUnit *out)
{
    static const struct { const char *word; TimeUnit unit; bool extract_only; } units[] = {
        {"YEAR", TU_YEAR, false},     {"YEARS", TU_YEAR, false},
        {"MONTH", TU_MONTH, false},   {"MONTHS", TU_MONTH, false},
        {"DAY", TU_DAY, false},       {"DAYS", TU_DAY, false},
        {"HOUR", TU_HOUR, false},     {"HOURS", TU_HOUR, false},
        {"MINUTE", TU_MINUTE, false}, {"MINUTES", TU_MINUTE, false},
        {"SECOND", TU_SECOND, false}, {"SECONDS", TU_SECOND, false},
        {"WEEK", TU_WEEK, true},      {"QUARTER", TU_QUARTER, true},
        {"MILLISECOND", TU_MILLISECOND, true}, {"MICROSECOND", TU_MICROSECOND, true},
        {"DOW", TU_DOW, true},        {"DAYOFWEEK", TU_DOW, true},
        {"DOY", TU_DOY, true},        {"DAYOFYEAR", TU_DOY, true},
        {"EPOCH", TU_EPOCH, true},
    };
    if (tok->kind != SQL_TOK_WORD) return false;
    for (size_t i = 0; i < WB_ARRAY_LEN(units); i++) {
        if (units[i].extract_only && !extract_units) continue;
        if (tok_kw(p, tok, units[i].word)) {
            *out = units[i].unit;
            return true;
        }
    }
    return false;
}

/* A unit of EXTRACT / FLOOR TO / TIMESTAMPADD (also the SQL_TSI_ forms). */
static bool parse_func_unit(Parser *p, TimeUnit *out)
{
    SqlToken *tok = peek(p);
    if (word_to_unit(p, tok, true, out)) {
        next(p);
        return true;
    }
    if (tok->kind == SQL_TOK_WORD && tok->len > 8 &&
        wb_ieq(p->src + tok->start, 8, "SQL_TSI_")) {
        SqlToken sub = *tok;
        sub.start += 8;
        sub.len -= 8;
        if (word_to_unit(p, &sub, true, out)) {
            next(p);
            return true;
        }
    }
    expect_error(p, "a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...)");
    return false;
}

static int unit_rank(TimeUnit unit)
{
    switch (unit) {
    case TU_YEAR: return 0;
    case TU_MONTH: return 1;
    case TU_DAY: return 2;
    case TU_HOUR: return 3;
    case TU_MINUTE: return 4;
    case TU_SECOND: return 5;
    default: return -1;
    }
}

static void skip_opt_precision(Parser *p, bool two)
{
    if (!is_op(p, "(")) return;
    next(p);
    int64_t ignored;
    if (!parse_small_int(p, 9, &ignored)) return;
    if (two && accept_op(p, ",") && !parse_small_int(p, 9, &ignored)) return;
    expect_op(p, ")");
}

/* unit [(p)] [TO unit [(p)]] */
static bool parse_interval_qualifier(Parser *p, TimeUnit *from, TimeUnit *to)
{
    const SqlToken *first = peek(p);
    if (!word_to_unit(p, first, false, from)) {
        expect_error(p, "an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)");
        return false;
    }
    next(p);
    skip_opt_precision(p, *from == TU_SECOND);
    if (p->err->set) return false;
    *to = *from;
    if (accept_kw(p, "TO")) {
        const SqlToken *tok = peek(p);
        if (!word_to_unit(p, tok, false, to)) {
            expect_error(p, "an interval unit");
            return false;
        }
        next(p);
        skip_opt_precision(p, false);
        if (p->err->set) return false;
        bool ym = *from == TU_YEAR && *to == TU_MONTH;
        bool dt = unit_rank(*from) >= 2 && unit_rank(*to) > unit_rank(*from);
        if (!ym && !dt) {
            wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                     "invalid interval qualifier %s TO %s", sql_time_unit_name(*from),
                     sql_time_unit_name(*to));
            return false;
        }
    }
    return true;
}

/* Reads digits into *out (at most 18); false if none or too many. */
static bool read_field(const char *s, size_t len, size_t *pos, int64_t *out)
{
    int64_t value = 0;
    int ndigits = 0;
    while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
        if (ndigits == 18) return false;
        value = value * 10 + (s[*pos] - '0');
        ndigits++;
        (*pos)++;
    }
    *out = value;
    return ndigits > 0;
}

/* Converts interval text ('2 03:04' for DAY TO MINUTE, '1-2' for YEAR TO
 * MONTH, '1.5' for SECOND) to milliseconds or months.  Returns 0, -1 on bad
 * text, -2 on overflow. */
static int interval_value(const char *s, size_t len, TimeUnit from, TimeUnit to, int64_t *out)
{
    static const int64_t dt_ms[] = {0, 0, 86400000LL, 3600000LL, 60000LL, 1000LL};
    static const int64_t limits[] = {0, 12, 0, 24, 60, 60};
    size_t pos = 0;
    while (pos < len && s[pos] == ' ') pos++;
    while (len > pos && s[len - 1] == ' ') len--;
    bool negative = false;
    if (pos < len && (s[pos] == '-' || s[pos] == '+')) {
        negative = s[pos] == '-';
        pos++;
    }
    int64_t total = 0;
    for (int rank = unit_rank(from); rank <= unit_rank(to); rank++) {
        if (rank != unit_rank(from)) {
            char sep = rank == 1 ? '-' : rank == 3 ? ' ' : ':';
            if (pos >= len || s[pos] != sep) return -1;
            pos++;
            if (sep == ' ')
                while (pos < len && s[pos] == ' ') pos++;
        }
        int64_t field;
        if (!read_field(s, len, &pos, &field)) return -1;
        if (rank != unit_rank(from) && field >= limits[rank]) return -1;
        int64_t scaled;
        if (rank <= 1) {
            if (__builtin_mul_overflow(field, rank == 0 ? 12 : 1, &scaled)) return -2;
        } else {
            if (__builtin_mul_overflow(field, dt_ms[rank], &scaled)) return -2;
        }
        if (__builtin_add_overflow(total, scaled, &total)) return -2;
        if (rank == 5 && pos < len && s[pos] == '.') {
            pos++;
            int64_t frac = 0;
            int digits = 0;
            while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
                if (digits < 3) frac = frac * 10 + (s[pos] - '0');
                digits++;
                pos++;
            }
            if (digits == 0 || digits > 9) return -1;
            for (int d = digits; d < 3; d++) frac *= 10;
            if (__builtin_add_overflow(total, frac, &total)) return -2;
        }
    }
    if (pos != len) return -1;
    *out = negative ? -total : total;
    return 0;
}

/* ---- literals ---- */

static AstNode *new_literal(Parser *p, const SqlToken *first, TypeId id)
{
    AstNode *node = new_node(p, AST_LITERAL, first);
    node->literal.type = ty_make(id);
    node->literal.type.nullable = id == TY_NULL;
    node->literal.value_ok = true;
    return node;
}

/* Number tokens (sign folded in by parse_unary when written as -123). */
static AstNode *number_literal(Parser *p, const SqlToken *first, const SqlToken *tok, bool negative)
{
    const char *digits = p->src + tok->start;
    size_t len = (size_t)tok->len;
    AstNode *node = NULL;
    const char *text = negative ? wb_arena_printf(p->arena, "-%.*s", (int)len, digits)
                                : wb_arena_strndup(p->arena, digits, len);
    if (tok->kind == SQL_TOK_FLOAT) {
        errno = 0;
        double value = strtod(text, NULL);
        if (errno == ERANGE && isinf(value)) {
            wb_error(p->err, WB_SQLSTATE_OVERFLOW, first->line, first->column,
                     "numeric literal %s is out of range for DOUBLE", text);
            return NULL;
        }
        node = new_literal(p, first, TY_DOUBLE);
        node->literal.f64 = value;
    } else {
        /* exact: the unscaled digits, their count without leading zeros,
         * and the scale (digits after the point) */
        uint64_t magnitude = 0;
        bool fits = true;
        int sig = 0, scale = 0;
        bool after_point = false;
        for (size_t i = 0; i < len; i++) {
            if (digits[i] == '.') {
                after_point = true;
                continue;
            }
            int digit = digits[i] - '0';
            if (after_point) scale++;
            if (sig == 0 && digit == 0) continue;
            sig++;
            if (fits && (__builtin_mul_overflow(magnitude, 10, &magnitude) ||
                         __builtin_add_overflow(magnitude, (uint64_t)digit, &magnitude)))
                fits = false;
        }
        int precision = WB_MAX(sig, scale);
        if (precision == 0) precision = 1;
        if (precision > 38) {
            wb_error(p->err, WB_SQLSTATE_OVERFLOW, first->line, first->column,
                     "numeric literal %s is out of range (more than 38 digits)", text);
            return NULL;
        }
        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        bool fits_i64 = fits && magnitude <= limit;
        int64_t value = 0;
        if (fits_i64)
            value = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
        if (tok->kind == SQL_TOK_INTEGER && fits_i64) {
            bool is_int = value >= INT32_MIN && value <= INT32_MAX;
            node = new_literal(p, first, is_int ? TY_INT : TY_BIGINT);
        } else {
            /* DECIMAL(precision, scale), exact up to 38 digits; an
             * integer too big for BIGINT is a DECIMAL(p, 0) as in Flink */
            node = new_literal(p, first, TY_DECIMAL);
            node->literal.type.precision = (int16_t)precision;
            node->literal.type.scale = (int16_t)scale;
            ty_i128 v = 0;
            fits_i64 = ty_parse_decimal128(text, strlen(text), precision, scale, &v) == 0;
            node->literal.i128 = v;
            value = (int64_t)v;   /* the narrow form, used when precision <= 18 */
        }
        node->literal.i64 = value;
        node->literal.value_ok = fits_i64;
    }
    node->literal.text = text;
    return fin(p, node);
}

static AstNode *string_literal(Parser *p, const SqlToken *tok)
{
    AstNode *node = new_literal(p, tok, TY_STRING);
    node->literal.str = tok->str;
    node->literal.str_len = tok->str_len;
    node->literal.text = wb_arena_strndup(p->arena, p->src + tok->start, (size_t)tok->len);
    return fin(p, node);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* X'0aff' */
static AstNode *binary_literal(Parser *p, const SqlToken *x_tok)
{
    const SqlToken *tok = next(p);
    if (tok->str_len % 2 != 0) {
        wb_error(p->err, WB_SQLSTATE_BAD_VALUE, x_tok->line, x_tok->column,
                 "binary literal must have an even number of hex digits");
        return NULL;
    }
    char *bytes = wb_arena_alloc(p->arena, (size_t)tok->str_len / 2 + 1);
    for (int32_t i = 0; i < tok->str_len; i += 2) {
        int hi = hex_digit(tok->str[i]), lo = hex_digit(tok->str[i + 1]);
        if (hi < 0 || lo < 0) {
            wb_error(p->err, WB_SQLSTATE_BAD_VALUE, x_tok->line, x_tok->column,
                     "invalid hex digit in binary literal");
            return NULL;
        }
        bytes[i / 2] = (char)(hi * 16 + lo);
    }
    bytes[tok->str_len / 2] = '\0';
    AstNode *node = new_literal(p, x_tok, TY_BYTES);
    node->literal.str = bytes;
    node->literal.str_len = tok->str_len / 2;
    node = fin(p, node);
    node->literal.text = wb_arena_strndup(p->arena, p->src + node->src_start,
                                          (size_t)(node->src_end - node->src_start));
    return node;
}

/* DATE '...', TIME '...', TIMESTAMP '...' */
static AstNode *typed_literal(Parser *p, const SqlToken *kw_tok, TypeId id)
{
    const SqlToken *tok = next(p);
    const char *s = tok->str;
    size_t len = (size_t)tok->str_len;
    AstNode *node = new_literal(p, kw_tok, id);
    int rc;
    const char *name;
    if (id == TY_DATE) {
        name = "DATE";
        rc = ty_parse_date(s, len, &node->literal.i64);
    } else {
        name = id == TY_TIME ? "TIME" : "TIMESTAMP";
        rc = id == TY_TIME ? ty_parse_time(s, len, &node->literal.i64)
                           : ty_parse_timestamp(s, len, &node->literal.i64);
        const char *dot = memchr(s, '.', len);
        int digits = 0;
        if (dot)
            for (const char *c = dot + 1; c < s + len && *c >= '0' && *c <= '9'; c++) digits++;
        if (digits > 9) rc = -1;
        node->literal.type.precision = (int16_t)(id == TY_TIME ? WB_MIN(digits, 3) : digits);
    }
    if (rc != 0) {
        wb_error(p->err, WB_SQLSTATE_BAD_VALUE, tok->line, tok->column,
                 "invalid %s literal '%.*s'", name, (int)WB_MIN(len, 64), s);
        return NULL;
    }
    node = fin(p, node);
    node->literal.text = wb_arena_strndup(p->arena, p->src + node->src_start,
                                          (size_t)(node->src_end - node->src_start));
    return node;
}

/* INTERVAL [-|+] ('text' | integer) qualifier */
static AstNode *interval_literal(Parser *p)
{
    const SqlToken *kw_tok = next(p);
    bool negate = false;
    if (accept_op(p, "-")) negate = true;
    else accept_op(p, "+");
    const SqlToken *tok = peek(p);
    const char *text;
    size_t len;
    if (tok->kind == SQL_TOK_STRING) {
        text = tok->str;
        len = (size_t)tok->str_len;
    } else if (tok->kind == SQL_TOK_INTEGER) {
        text = p->src + tok->start;
        len = (size_t)tok->len;
    } else {
        return expect_error(p, "an interval string such as '5'");
    }
    next(p);
    TimeUnit from, to;
    if (!parse_interval_qualifier(p, &from, &to)) return NULL;
    bool year_month = from == TU_YEAR || from == TU_MONTH;
    AstNode *node = new_literal(p, kw_tok, year_month ? TY_INTERVAL_YM : TY_INTERVAL_DT);
    int rc = interval_value(text, len, from, to, &node->literal.i64);
    if (rc != 0) {
        if (rc == -2)
            wb_error(p->err, WB_SQLSTATE_OVERFLOW, tok->line, tok->column,
                     "interval value '%.*s' is out of range", (int)WB_MIN(len, 64), text);
        else if (from == to)
            wb_error(p->err, WB_SQLSTATE_BAD_VALUE, tok->line, tok->column,
                     "invalid INTERVAL literal '%.*s' for unit %s", (int)WB_MIN(len, 64),
                     text, sql_time_unit_name(from));
        else
            wb_error(p->err, WB_SQLSTATE_BAD_VALUE, tok->line, tok->column,
                     "invalid INTERVAL literal '%.*s' for %s TO %s", (int)WB_MIN(len, 64),
                     text, sql_time_unit_name(from), sql_time_unit_name(to));
        return NULL;
    }
    if (negate) node->literal.i64 = -node->literal.i64;
    node->literal.interval_from = from;
    node->literal.interval_to = to;
    node = fin(p, node);
    node->literal.text = wb_arena_strndup(p->arena, p->src + node->src_start,
                                          (size_t)(node->src_end - node->src_start));
    return node;
}

/* ---- types ---- */

static bool parse_paren_int(Parser *p, int64_t max, int64_t *out)
{
    if (!expect_op(p, "(")) return false;
    if (!parse_small_int(p, max, out)) return false;
    return expect_op(p, ")");
}

static bool type_error(Parser *p, const SqlToken *tok, const char *msg)
{
    if (!p->err->set) wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column, "%s", msg);
    return false;
}

/* A data type with optional NOT NULL / NULL.  TIMESTAMP_LTZ and TIMESTAMP
 * WITH LOCAL TIME ZONE set *ltz and give TY_TIMESTAMP. */
static bool parse_type(Parser *p, SqlType *out, bool *ltz)
{
    const SqlToken *tok = peek(p);
    *ltz = false;
    if (tok->kind != SQL_TOK_WORD) {
        expect_error(p, "a data type");
        return false;
    }
    next(p);
    int64_t n;
    SqlType type;
    if (tok_kw(p, tok, "BOOLEAN") || tok_kw(p, tok, "BOOL")) {
        type = ty_make(TY_BOOLEAN);
    } else if (tok_kw(p, tok, "TINYINT") || tok_kw(p, tok, "SMALLINT") ||
               tok_kw(p, tok, "INT") || tok_kw(p, tok, "INTEGER")) {
        type = ty_make(TY_INT);
    } else if (tok_kw(p, tok, "BIGINT")) {
        type = ty_make(TY_BIGINT);
    } else if (tok_kw(p, tok, "FLOAT") || tok_kw(p, tok, "REAL")) {
        type = ty_make(TY_DOUBLE);
    } else if (tok_kw(p, tok, "DOUBLE")) {
        accept_kw(p, "PRECISION");
        type = ty_make(TY_DOUBLE);
    } else if (tok_kw(p, tok, "DECIMAL") || tok_kw(p, tok, "DEC") || tok_kw(p, tok, "NUMERIC")) {
        int64_t precision = 10, scale = 0;
        if (accept_op(p, "(")) {
            const SqlToken *ptok = peek(p);
            if (!parse_small_int(p, 1000, &precision)) return false;
            if (accept_op(p, ",")) {
                if (!parse_small_int(p, 1000, &scale)) return false;
            }
            if (!expect_op(p, ")")) return false;
            if (precision < 1 || precision > 38)
                return type_error(p, ptok, "DECIMAL precision must be between 1 and 38");
            if (scale > precision)
                return type_error(p, ptok, "DECIMAL scale must be between 0 and the precision");
        }
        type = ty_decimal((int)precision, (int)scale);
    } else if (tok_kw(p, tok, "CHAR") || tok_kw(p, tok, "CHARACTER") || tok_kw(p, tok, "VARCHAR") ||
               tok_kw(p, tok, "STRING")) {
        type = ty_make(TY_STRING);
        if (!tok_kw(p, tok, "VARCHAR")) accept_kw(p, "VARYING");
        if (!tok_kw(p, tok, "STRING") && is_op(p, "(")) {
            const SqlToken *ntok = peek_at(p, 1);
            if (!parse_paren_int(p, INT32_MAX, &n)) return false;
            if (n < 1) return type_error(p, ntok, "length of a character type must be at least 1");
            /* VARCHAR(2147483647) is Flink's STRING; long limits are not enforced */
            type.precision = n > INT16_MAX ? -1 : (int16_t)n;
        }
    } else if (tok_kw(p, tok, "BYTES") || tok_kw(p, tok, "BINARY") || tok_kw(p, tok, "VARBINARY")) {
        type = ty_make(TY_BYTES);
        if (!tok_kw(p, tok, "BYTES") && is_op(p, "(")) {
            const SqlToken *ntok = peek_at(p, 1);
            if (!parse_paren_int(p, INT32_MAX, &n)) return false;
            if (n < 1) return type_error(p, ntok, "length of a binary type must be at least 1");
            type.precision = n > INT16_MAX ? -1 : (int16_t)n;
        }
    } else if (tok_kw(p, tok, "DATE")) {
        type = ty_make(TY_DATE);
    } else if (tok_kw(p, tok, "TIME")) {
        type = ty_make(TY_TIME);
        if (is_op(p, "(")) {
            if (!parse_paren_int(p, 9, &n)) return false;
            type.precision = (int16_t)n;
        }
        if (accept_kw(p, "WITHOUT")) {
            if (!expect_kw(p, "TIME") || !expect_kw(p, "ZONE")) return false;
        }
    } else if (tok_kw(p, tok, "TIMESTAMP") || tok_kw(p, tok, "TIMESTAMP_LTZ")) {
        type = ty_timestamp(6);
        *ltz = tok_kw(p, tok, "TIMESTAMP_LTZ");
        if (is_op(p, "(")) {
            if (!parse_paren_int(p, 9, &n)) return false;
            type.precision = (int16_t)n;
        }
        if (!*ltz && accept_kw(p, "WITHOUT")) {
            if (!expect_kw(p, "TIME") || !expect_kw(p, "ZONE")) return false;
        } else if (!*ltz && is_kw(p, "WITH") && !is_op_at(p, 1, "(")) {
            const SqlToken *with_tok = next(p);
            if (accept_kw(p, "LOCAL")) {
                if (!expect_kw(p, "TIME") || !expect_kw(p, "ZONE")) return false;
                *ltz = true;
            } else {
                unsupported(p, with_tok, "TIMESTAMP WITH TIME ZONE");
                return false;
            }
        }
    } else if (tok_kw(p, tok, "INTERVAL")) {
        TimeUnit from, to;
        if (!parse_interval_qualifier(p, &from, &to)) return false;
        type = ty_make(from == TU_YEAR || from == TU_MONTH ? TY_INTERVAL_YM : TY_INTERVAL_DT);
    } else if (tok_kw(p, tok, "ARRAY") || tok_kw(p, tok, "MAP") || tok_kw(p, tok, "ROW") ||
               tok_kw(p, tok, "MULTISET") || tok_kw(p, tok, "RAW")) {
        char what[64];
        snprintf(what, sizeof what, "type %.*s", tok->len, p->src + tok->start);
        for (char *c = what + 5; *c; c++)
            if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
        unsupported(p, tok, what);
        return false;
    } else {
        if (!p->err->set)
            wb_error(p->err, "42704", tok->line, tok->column, "type \"%.*s\" does not exist",
                     shown_len(tok), p->src + tok->start);
        return false;
    }
    if (is_kw(p, "NOT") && is_kw_at(p, 1, "NULL")) {
        next(p);
        next(p);
        type.nullable = 0;
    } else if (accept_kw(p, "NULL")) {
        type.nullable = 1;
    }
    *out = type;
    return true;
}

/* ---- expressions ---- */

static AstNode *parse_expr(Parser *p);
static AstNode *parse_query(Parser *p);
static AstNode *parse_concat(Parser *p);
static AstNode *parse_order_item(Parser *p);

/* Whether the token `ahead` starts a query (SELECT, WITH, VALUES). */
static bool starts_query(Parser *p, int ahead)
{
    return is_kw_at(p, ahead, "SELECT") || is_kw_at(p, ahead, "WITH") ||
           is_kw_at(p, ahead, "VALUES");
}

/* Tokens that can follow a query inside its parentheses but not a FROM item
 * or an expression: they show that a parenthesized SELECT is only the first
 * operand of a bigger query, as in ((SELECT 1) UNION (SELECT 2)). */
static bool continues_query(Parser *p, const SqlToken *tok)
{
    return tok_kw(p, tok, "UNION") || tok_kw(p, tok, "INTERSECT") || tok_kw(p, tok, "EXCEPT") ||
           tok_kw(p, tok, "MINUS") || tok_kw(p, tok, "ORDER") || tok_kw(p, tok, "LIMIT") ||
           tok_kw(p, tok, "OFFSET") || tok_kw(p, tok, "FETCH");
}

/* Whether the parenthesized text opening at `ahead` (a '(') is a query as a
 * whole: a run of '(' then SELECT/WITH/VALUES, where every inner
 * parenthesized part is followed by ')' or a query continuation.  Decides
 * ((SELECT 1) UNION (SELECT 2)) (a query) against ((SELECT 1) AS a JOIN b
 * ON ..) (a join) and ((SELECT 1) + 1) (an expression) without
 * backtracking; uses the precomputed matching parentheses, so it is O(run). */
static bool paren_is_query(Parser *p, int ahead)
{
    int32_t at = p->pos + ahead;
    int32_t run = 0;
    while (at + run < p->ntoks && sql_tok_is_op(&p->toks[at + run], p->src, "(")) run++;
    if (!starts_query(p, ahead + run)) return false;
    if (run > 64) return true;   /* hostile nesting: the depth limit reports it */
    for (int32_t level = run - 1; level >= 1; level--) {
        int32_t close = p->match[at + level];
        if (close < 0) return true;  /* unbalanced: the parser reports it */
        const SqlToken *after = &p->toks[close + 1];
        if (!sql_tok_is_op(after, p->src, ")") && !continues_query(p, after)) return false;
    }
    return true;
}

static AstNode *make_binary(Parser *p, AstBinOp op, AstNode *left, AstNode *right)
{
    AstNode *node = new_node_at(p, AST_BINARY, left);
    node->op.op = op;
    node->op.left = left;
    node->op.right = right;
    return fin(p, node);
}

static bool parse_expr_list(Parser *p, ListB *lb)
{
    do {
        AstNode *expr = parse_expr(p);
        if (!expr) return false;
        lb_push(p, lb, expr);
    } while (accept_op(p, ","));
    return true;
}

/* [name.]...name[.*] */
static AstNode *parse_column_path(Parser *p)
{
    const SqlToken *first = peek(p);
    const char *qualifier = NULL;
    const char *name = parse_name(p);
    TRY(name);
    while (is_op(p, ".")) {
        next(p);
        if (accept_op(p, "*")) {
            AstNode *star = new_node(p, AST_STAR, first);
            star->star.qualifier = qualifier ? wb_arena_printf(p->arena, "%s.%s", qualifier, name) : name;
            return fin(p, star);
        }
        const char *part = parse_name(p);
        TRY(part);
        qualifier = qualifier ? wb_arena_printf(p->arena, "%s.%s", qualifier, name) : name;
        name = part;
    }
    AstNode *node = new_node(p, AST_COLUMN_REF, first);
    node->column_ref.qualifier = qualifier;
    node->column_ref.name = name;
    return fin(p, node);
}

static AstNode *new_call(Parser *p, const SqlToken *name_tok)
{
    AstNode *node = new_node(p, AST_CALL, name_tok);
    node->call.name = wb_arena_strndup(p->arena, p->src + name_tok->start, (size_t)name_tok->len);
    return node;
}

static void set_args(Parser *p, AstNode *call, AstNode **args, int32_t nargs)
{
    ListB lb = {0};
    for (int32_t i = 0; i < nargs; i++) lb_push(p, &lb, args[i]);
    call->call.args = lb_done(&lb);
}

static bool parse_frame_bound(Parser *p, AstFrameBound *kind, AstNode **offset)
{
    if (accept_kw(p, "UNBOUNDED")) {
        if (accept_kw(p, "PRECEDING")) *kind = AFB_UNBOUNDED_PRECEDING;
        else if (accept_kw(p, "FOLLOWING")) *kind = AFB_UNBOUNDED_FOLLOWING;
        else return expect_error(p, "PRECEDING or FOLLOWING") != NULL;
        return true;
    }
    if (is_kw(p, "CURRENT") && is_kw_at(p, 1, "ROW")) {
        next(p);
        next(p);
        *kind = AFB_CURRENT_ROW;
        return true;
    }
    *offset = parse_concat(p);
    if (!*offset) return false;
    if (accept_kw(p, "PRECEDING")) *kind = AFB_PRECEDING;
    else if (accept_kw(p, "FOLLOWING")) *kind = AFB_FOLLOWING;
    else return expect_error(p, "PRECEDING or FOLLOWING") != NULL;
    return true;
}

/* OVER ( [PARTITION BY ..] [ORDER BY ..] [ROWS|RANGE frame] ) */
static AstNode *parse_window(Parser *p)
{
    const SqlToken *over = next(p);
    AstNode *win = new_node(p, AST_WINDOW, over);
    if (!is_op(p, "(")) {
        if (is_name_tok(p, peek(p))) return unsupported(p, peek(p), "a named window (OVER name)");
        return expect_error(p, "\"(\"");
    }
    next(p);
    if (accept_kw(p, "PARTITION")) {
        if (!expect_kw(p, "BY")) return NULL;
        ListB lb = {0};
        if (!parse_expr_list(p, &lb)) return NULL;
        win->window.partition_by = lb_done(&lb);
    }
    if (accept_kw(p, "ORDER")) {
        if (!expect_kw(p, "BY")) return NULL;
        ListB lb = {0};
        do {
            AstNode *item = parse_order_item(p);
            TRY(item);
            lb_push(p, &lb, item);
        } while (accept_op(p, ","));
        win->window.order_by = lb_done(&lb);
    }
    if (is_kw(p, "ROWS") || is_kw(p, "RANGE")) {
        win->window.frame_rows = is_kw(p, "ROWS");
        next(p);
        if (accept_kw(p, "BETWEEN")) {
            if (!parse_frame_bound(p, &win->window.frame_start, &win->window.start_offset))
                return NULL;
            if (!expect_kw(p, "AND")) return NULL;
            if (!parse_frame_bound(p, &win->window.frame_end, &win->window.end_offset))
                return NULL;
        } else {
            if (!parse_frame_bound(p, &win->window.frame_start, &win->window.start_offset))
                return NULL;
        }
    }
    if (!expect_op(p, ")")) return NULL;
    return fin(p, win);
}

/* FILTER (WHERE cond) and OVER (...) after a call */
static AstNode *parse_call_suffix(Parser *p, AstNode *call)
{
    if (is_kw(p, "FILTER") && is_op_at(p, 1, "(")) {
        next(p);
        next(p);
        if (!expect_kw(p, "WHERE")) return NULL;
        call->call.filter = parse_expr(p);
        TRY(call->call.filter);
        if (!expect_op(p, ")")) return NULL;
    }
    if (is_kw(p, "OVER")) {
        call->call.over = parse_window(p);
        TRY(call->call.over);
    }
    return fin(p, call);
}

/* name ( [DISTINCT|ALL] [* | args] ) [FILTER ..] [OVER ..] */
static AstNode *parse_call(Parser *p)
{
    const SqlToken *name_tok = next(p);
    AstNode *call = new_call(p, name_tok);
    next(p);  /* ( */
    if (accept_kw(p, "DISTINCT")) call->call.distinct = true;
    else accept_kw(p, "ALL");
    if (is_op(p, "*") && is_op_at(p, 1, ")")) {
        next(p);
        call->call.star = true;
    } else if (!is_op(p, ")")) {
        ListB lb = {0};
        if (!parse_expr_list(p, &lb)) return NULL;
        call->call.args = lb_done(&lb);
    }
    if (!expect_op(p, ")")) return NULL;
    return parse_call_suffix(p, call);
}

/* EXTRACT(unit FROM x) */
static AstNode *parse_extract(Parser *p)
{
    AstNode *call = new_call(p, next(p));
    next(p);
    if (!parse_func_unit(p, &call->call.unit)) return NULL;
    call->call.has_unit = true;
    if (!expect_kw(p, "FROM")) return NULL;
    AstNode *arg = parse_expr(p);
    TRY(arg);
    set_args(p, call, &arg, 1);
    if (!expect_op(p, ")")) return NULL;
    return fin(p, call);
}

/* FLOOR(x [TO unit]) / CEIL(...) */
static AstNode *parse_floor_ceil(Parser *p)
{
    AstNode *call = new_call(p, next(p));
    next(p);
    AstNode *arg = parse_expr(p);
    TRY(arg);
    set_args(p, call, &arg, 1);
    if (accept_kw(p, "TO")) {
        if (!parse_func_unit(p, &call->call.unit)) return NULL;
        call->call.has_unit = true;
    }
    if (!expect_op(p, ")")) return NULL;
    return parse_call_suffix(p, call);
}

/* TIMESTAMPADD(unit, n, ts) / TIMESTAMPDIFF(unit, a, b) */
static AstNode *parse_timestamp_func(Parser *p)
{
    AstNode *call = new_call(p, next(p));
    next(p);
    if (!parse_func_unit(p, &call->call.unit)) return NULL;
    call->call.has_unit = true;
    AstNode *args[2];
    if (!expect_op(p, ",")) return NULL;
    TRY(args[0] = parse_expr(p));
    if (!expect_op(p, ",")) return NULL;
    TRY(args[1] = parse_expr(p));
    set_args(p, call, args, 2);
    if (!expect_op(p, ")")) return NULL;
    return fin(p, call);
}

/* SUBSTRING(s FROM a [FOR b]) or SUBSTRING(s, a [, b]) */
static AstNode *parse_substring(Parser *p)
{
    AstNode *call = new_call(p, next(p));
    next(p);
    AstNode *args[3];
    int32_t nargs = 1;
    TRY(args[0] = parse_expr(p));
    if (accept_kw(p, "FROM")) {
        TRY(args[nargs++] = parse_expr(p));
        if (accept_kw(p, "FOR")) TRY(args[nargs++] = parse_expr(p));
    } else if (accept_op(p, ",")) {
        TRY(args[nargs++] = parse_expr(p));
        if (accept_op(p, ",")) TRY(args[nargs++] = parse_expr(p));
    }
    set_args(p, call, args, nargs);
    if (!expect_op(p, ")")) return NULL;
    return fin(p, call);
}

/* TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) or TRIM(s) */
static AstNode *parse_trim(Parser *p)
{
    const SqlToken *name_tok = next(p);
    AstNode *call = new_call(p, name_tok);
    next(p);
    bool mode_given = true;
    if (accept_kw(p, "BOTH")) call->call.trim_mode = ATRIM_BOTH;
    else if (accept_kw(p, "LEADING")) call->call.trim_mode = ATRIM_LEADING;
    else if (accept_kw(p, "TRAILING")) call->call.trim_mode = ATRIM_TRAILING;
    else mode_given = false;
    AstNode *args[2] = {NULL, NULL};
    if (accept_kw(p, "FROM")) {
        TRY(args[1] = parse_expr(p));
    } else {
        AstNode *first = parse_expr(p);
        TRY(first);
        if (accept_kw(p, "FROM")) {
            args[0] = first;
            TRY(args[1] = parse_expr(p));
        } else if (mode_given) {
            return expect_error(p, "FROM");
        } else {
            args[1] = first;
        }
    }
    if (!args[0]) {
        /* the default trim character, a ' ' literal at the call's position */
        AstNode *space = new_literal(p, name_tok, TY_STRING);
        space->literal.str = " ";
        space->literal.str_len = 1;
        space->literal.text = "' '";
        args[0] = space;
    }
    set_args(p, call, args, 2);
    if (!expect_op(p, ")")) return NULL;
    return fin(p, call);
}

/* POSITION(a IN b) */
static AstNode *parse_position(Parser *p)
{
    AstNode *call = new_call(p, next(p));
    next(p);
    AstNode *args[2];
    TRY(args[0] = parse_concat(p));   /* not parse_expr: IN must not be a predicate */
    if (!expect_kw(p, "IN")) return NULL;
    TRY(args[1] = parse_expr(p));
    set_args(p, call, args, 2);
    if (!expect_op(p, ")")) return NULL;
    return fin(p, call);
}

/* CAST(x AS type) / TRY_CAST(x AS type) */
static AstNode *parse_cast(Parser *p)
{
    const SqlToken *tok = next(p);
    AstNode *node = new_node(p, AST_CAST, tok);
    node->cast.try_cast = tok_kw(p, tok, "TRY_CAST");
    next(p);
    TRY(node->cast.arg = parse_expr(p));
    if (!expect_kw(p, "AS")) return NULL;
    if (!parse_type(p, &node->cast.type, &node->cast.ltz)) return NULL;
    if (!expect_op(p, ")")) return NULL;
    return fin(p, node);
}

static AstNode *parse_case(Parser *p)
{
    AstNode *node = new_node(p, AST_CASE, next(p));
    if (!is_kw(p, "WHEN")) TRY(node->case_.operand = parse_expr(p));
    ListB whens = {0}, thens = {0};
    if (!is_kw(p, "WHEN")) return expect_error(p, "WHEN");
    while (accept_kw(p, "WHEN")) {
        AstNode *cond = parse_expr(p);
        TRY(cond);
        if (!expect_kw(p, "THEN")) return NULL;
        AstNode *value = parse_expr(p);
        TRY(value);
        lb_push(p, &whens, cond);
        lb_push(p, &thens, value);
    }
    if (accept_kw(p, "ELSE")) TRY(node->case_.else_expr = parse_expr(p));
    if (!expect_kw(p, "END")) return NULL;
    node->case_.whens = lb_done(&whens);
    node->case_.thens = lb_done(&thens);
    return fin(p, node);
}

/* Words that are functions without parentheses. */
static bool is_niladic(Parser *p, const SqlToken *tok)
{
    return tok_kw(p, tok, "CURRENT_TIMESTAMP") || tok_kw(p, tok, "CURRENT_DATE") ||
           tok_kw(p, tok, "CURRENT_TIME") || tok_kw(p, tok, "LOCALTIMESTAMP") ||
           tok_kw(p, tok, "LOCALTIME");
}

static AstNode *parse_word_primary(Parser *p)
{
    SqlToken *tok = peek(p);
    const SqlToken *after = peek_at(p, 1);
    bool paren = sql_tok_is_op(after, p->src, "(");

    if (tok_kw(p, tok, "NULL")) {
        next(p);
        AstNode *node = new_literal(p, tok, TY_NULL);
        node->literal.text = "NULL";
        return fin(p, node);
    }
    if (tok_kw(p, tok, "TRUE") || tok_kw(p, tok, "FALSE")) {
        next(p);
        AstNode *node = new_literal(p, tok, TY_BOOLEAN);
        node->literal.i64 = tok_kw(p, tok, "TRUE");
        node->literal.text = node->literal.i64 ? "TRUE" : "FALSE";
        return fin(p, node);
    }
    if (tok_kw(p, tok, "CASE")) return parse_case(p);
    if ((tok_kw(p, tok, "CAST") || tok_kw(p, tok, "TRY_CAST")) && paren) return parse_cast(p);
    if (tok_kw(p, tok, "EXISTS") && paren) {
        next(p);
        AstNode *node = new_node(p, AST_EXISTS, tok);
        next(p);
        if (!starts_query(p, 0) && !is_op(p, "(")) return expect_error(p, "a subquery");
        TRY(node->subquery.query = parse_query(p));
        if (!expect_op(p, ")")) return NULL;
        return fin(p, node);
    }
    if (tok_kw(p, tok, "INTERVAL") &&
        (after->kind == SQL_TOK_STRING || after->kind == SQL_TOK_INTEGER ||
         sql_tok_is_op(after, p->src, "-") || sql_tok_is_op(after, p->src, "+")))
        return interval_literal(p);
    if (after->kind == SQL_TOK_STRING) {
        if (tok_kw(p, tok, "DATE")) { next(p); return typed_literal(p, tok, TY_DATE); }
        if (tok_kw(p, tok, "TIME")) { next(p); return typed_literal(p, tok, TY_TIME); }
        if (tok_kw(p, tok, "TIMESTAMP")) { next(p); return typed_literal(p, tok, TY_TIMESTAMP); }
        if (tok_kw(p, tok, "X") && after->start == tok->start + 1) {
            next(p);
            return binary_literal(p, tok);
        }
    }
    if (is_niladic(p, tok) && !paren) {
        next(p);
        AstNode *call = new_call(p, tok);
        call->call.no_parens = true;
        return fin(p, call);
    }
    if (paren) {
        if (tok_kw(p, tok, "EXTRACT")) return parse_extract(p);
        if (tok_kw(p, tok, "SUBSTRING")) return parse_substring(p);
        if (tok_kw(p, tok, "TRIM")) return parse_trim(p);
        if (tok_kw(p, tok, "POSITION")) return parse_position(p);
        if (tok_kw(p, tok, "FLOOR") || tok_kw(p, tok, "CEIL") || tok_kw(p, tok, "CEILING"))
            return parse_floor_ceil(p);
        if (tok_kw(p, tok, "TIMESTAMPADD") || tok_kw(p, tok, "TIMESTAMPDIFF"))
            return parse_timestamp_func(p);
        if (tok_kw(p, tok, "ROW")) return unsupported(p, tok, "ROW(...)");
        if (!sql_word_is_reserved(p->src + tok->start, (size_t)tok->len) ||
            tok_kw(p, tok, "LEFT") || tok_kw(p, tok, "RIGHT"))
            return parse_call(p);
    }
    if ((tok_kw(p, tok, "ARRAY") || tok_kw(p, tok, "MAP")) &&
        sql_tok_is_op(after, p->src, "["))
        return unsupported(p, tok, tok_kw(p, tok, "ARRAY") ? "ARRAY[...]" : "MAP[...]");
    if (sql_word_is_reserved(p->src + tok->start, (size_t)tok->len)) return syntax_error(p, tok);
    return parse_column_path(p);
}

static AstNode *parse_primary(Parser *p)
{
    SqlToken *tok = peek(p);
    switch (tok->kind) {
    case SQL_TOK_INTEGER:
    case SQL_TOK_DECIMAL:
    case SQL_TOK_FLOAT:
        next(p);
        return number_literal(p, tok, tok, false);
    case SQL_TOK_STRING:
        next(p);
        return string_literal(p, tok);
    case SQL_TOK_QIDENT:
        return parse_column_path(p);
    case SQL_TOK_WORD:
        return parse_word_primary(p);
    case SQL_TOK_OP:
        if (sql_tok_is_op(tok, p->src, "(")) {
            if (paren_is_query(p, 0)) {
                next(p);
                AstNode *node = new_node(p, AST_SUBQUERY, tok);
                TRY(node->subquery.query = parse_query(p));
                if (!expect_op(p, ")")) return NULL;
                return fin(p, node);
            }
            next(p);
            AstNode *inner = parse_expr(p);
            TRY(inner);
            if (is_op(p, ",")) {
                /* a row value: only as the left side of [NOT] IN (query) */
                AstNode *row = new_node(p, AST_ROW, tok);
                ListB items = {0};
                lb_push(p, &items, inner);
                next(p);
                if (!parse_expr_list(p, &items)) return NULL;
                if (!expect_op(p, ")")) return NULL;
                row->row.items = lb_done(&items);
                if (!is_kw(p, "IN") && !(is_kw(p, "NOT") && is_kw_at(p, 1, "IN")))
                    return unsupported(p, tok, "a row value (a, b, ...) other than before IN (subquery)");
                return fin(p, row);
            }
            if (!expect_op(p, ")")) return NULL;
            return inner;
        }
        return syntax_error(p, tok);
    case SQL_TOK_EOF:
        break;
    }
    return syntax_error(p, tok);
}

/* primary {:: type} */
static AstNode *parse_postfix(Parser *p)
{
    int base = p->depth;
    AstNode *node = parse_primary(p);
    TRY(node);
    while (is_op(p, "::")) {
        TRY(chain(p));
        next(p);
        AstNode *cast = new_node_at(p, AST_CAST, node);
        cast->cast.arg = node;
        if (!parse_type(p, &cast->cast.type, &cast->cast.ltz)) return NULL;
        node = fin(p, cast);
    }
    p->depth = base;
    return node;
}

static AstNode *parse_unary(Parser *p)
{
    SqlToken *tok = peek(p);
    bool minus = sql_tok_is_op(tok, p->src, "-");
    if (!minus && !sql_tok_is_op(tok, p->src, "+")) return parse_postfix(p);
    TRY(enter(p));
    next(p);
    SqlToken *operand_tok = peek(p);
    bool number = operand_tok->kind == SQL_TOK_INTEGER || operand_tok->kind == SQL_TOK_DECIMAL ||
                  operand_tok->kind == SQL_TOK_FLOAT;
    if (number && !is_op_at(p, 1, "::")) {
        /* -123 is one literal, so that -2147483648 is an INT as in Java */
        next(p);
        return leave(p, number_literal(p, tok, operand_tok, minus));
    }
    AstNode *operand = parse_unary(p);
    TRY(operand);
    if (!minus) return leave(p, operand);
    AstNode *node = new_node(p, AST_UNARY, tok);
    node->op.op = AOP_NEG;
    node->op.left = operand;
    return leave(p, fin(p, node));
}

static AstNode *parse_mul(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_unary(p);
    TRY(left);
    for (;;) {
        AstBinOp op;
        if (is_op(p, "*")) op = AOP_MUL;
        else if (is_op(p, "/")) op = AOP_DIV;
        else if (is_op(p, "%")) op = AOP_MOD;
        else break;
        TRY(chain(p));
        next(p);
        AstNode *right = parse_unary(p);
        TRY(right);
        left = make_binary(p, op, left, right);
    }
    p->depth = base;
    return left;
}

static AstNode *parse_additive(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_mul(p);
    TRY(left);
    for (;;) {
        AstBinOp op;
        if (is_op(p, "+")) op = AOP_ADD;
        else if (is_op(p, "-")) op = AOP_SUB;
        else break;
        TRY(chain(p));
        next(p);
        AstNode *right = parse_mul(p);
        TRY(right);
        left = make_binary(p, op, left, right);
    }
    p->depth = base;
    return left;
}

/* || binds looser than + and -, as in PostgreSQL: 'a' || 1 + 2 is 'a3'. */
static AstNode *parse_concat(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_additive(p);
    TRY(left);
    while (accept_op(p, "||")) {
        TRY(chain(p));
        AstNode *right = parse_additive(p);
        TRY(right);
        left = make_binary(p, AOP_CONCAT, left, right);
    }
    p->depth = base;
    return left;
}

static bool comparison_op(Parser *p, AstBinOp *op)
{
    if (is_op(p, "=")) *op = AOP_EQ;
    else if (is_op(p, "<>") || is_op(p, "!=")) *op = AOP_NE;
    else if (is_op(p, "<")) *op = AOP_LT;
    else if (is_op(p, "<=")) *op = AOP_LE;
    else if (is_op(p, ">")) *op = AOP_GT;
    else if (is_op(p, ">=")) *op = AOP_GE;
    else return false;
    return true;
}

/* comparisons and the predicates IS, BETWEEN, IN, LIKE, SIMILAR TO */
static AstNode *parse_predicate(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_concat(p);
    TRY(left);
    for (;;) {
        TRY(chain(p));
        AstBinOp op;
        if (comparison_op(p, &op)) {
            next(p);
            bool any = is_kw(p, "ANY") || is_kw(p, "SOME"), all = is_kw(p, "ALL");
            if ((any || all) && is_op_at(p, 1, "(")) {
                /* x cmp ANY|SOME|ALL (query): = ANY is IN, <> ALL NOT IN */
                next(p);
                next(p);
                if (!starts_query(p, 0) && !(is_op(p, "(") && paren_is_query(p, 0)))
                    return syntax_error(p, peek(p));
                if (left->kind == AST_ROW) {
                    wb_error(p->err, WB_SQLSTATE_FEATURE, left->line, left->column,
                             "a row value (a, b, ...) in a quantified comparison is not supported");
                    return NULL;
                }
                AstNode *node = new_node_at(p, AST_IN_QUERY, left);
                TRY(node->in.query = parse_query(p));
                if (!expect_op(p, ")")) return NULL;
                node->in.arg = left;
                if (op == AOP_EQ && any) {
                    /* IN */
                } else if (op == AOP_NE && all) {
                    node->in.negated = true;
                } else {
                    node->in.quantified = true;
                    node->in.all = all;
                    node->in.cmp = op;
                }
                left = fin(p, node);
                continue;
            }
            AstNode *right = parse_concat(p);
            TRY(right);
            left = make_binary(p, op, left, right);
            continue;
        }
        if (accept_kw(p, "IS")) {
            bool negated = accept_kw(p, "NOT");
            if (accept_kw(p, "DISTINCT")) {
                if (!expect_kw(p, "FROM")) return NULL;
                AstNode *right = parse_concat(p);
                TRY(right);
                left = make_binary(p, negated ? AOP_IS_NOT_DISTINCT : AOP_IS_DISTINCT, left, right);
                continue;
            }
            AstNode *node = new_node_at(p, AST_IS, left);
            node->is.arg = left;
            node->is.negated = negated;
            if (accept_kw(p, "NULL")) node->is.what = AIS_NULL;
            else if (accept_kw(p, "TRUE")) node->is.what = AIS_TRUE;
            else if (accept_kw(p, "FALSE")) node->is.what = AIS_FALSE;
            else if (accept_kw(p, "UNKNOWN")) node->is.what = AIS_UNKNOWN;
            else return expect_error(p, "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM");
            left = fin(p, node);
            continue;
        }
        bool negated = false;
        if (is_kw(p, "NOT") && (is_kw_at(p, 1, "BETWEEN") || is_kw_at(p, 1, "IN") ||
                                is_kw_at(p, 1, "LIKE") || is_kw_at(p, 1, "SIMILAR"))) {
            next(p);
            negated = true;
        }
        if (accept_kw(p, "BETWEEN")) {
            AstNode *node = new_node_at(p, AST_BETWEEN, left);
            node->between.arg = left;
            node->between.negated = negated;
            if (accept_kw(p, "SYMMETRIC")) node->between.symmetric = true;
            else accept_kw(p, "ASYMMETRIC");
            TRY(node->between.low = parse_concat(p));
            if (!expect_kw(p, "AND")) return NULL;
            TRY(node->between.high = parse_concat(p));
            left = fin(p, node);
            continue;
        }
        if (accept_kw(p, "IN")) {
            if (!expect_op(p, "(")) return NULL;
            AstNode *node;
            bool query = starts_query(p, 0);
            if (!query && is_op(p, "(") && paren_is_query(p, 0) && p->match[p->pos] >= 0)
                query = continues_query(p, &p->toks[p->match[p->pos] + 1]);
            if (query) {
                node = new_node_at(p, AST_IN_QUERY, left);
                TRY(node->in.query = parse_query(p));
            } else {
                if (left->kind == AST_ROW) {
                    wb_error(p->err, WB_SQLSTATE_FEATURE, left->line, left->column,
                             "a row value (a, b, ...) IN a list of values is not supported yet");
                    return NULL;
                }
                node = new_node_at(p, AST_IN_LIST, left);
                ListB lb = {0};
                if (!parse_expr_list(p, &lb)) return NULL;
                node->in.list = lb_done(&lb);
            }
            if (!expect_op(p, ")")) return NULL;
            node->in.arg = left;
            node->in.negated = negated;
            left = fin(p, node);
            continue;
        }
        bool similar = false;
        if (is_kw(p, "SIMILAR")) {
            next(p);
            if (!expect_kw(p, "TO")) return NULL;
            similar = true;
        } else if (!accept_kw(p, "LIKE")) {
            if (negated) return syntax_error(p, peek(p));
            p->depth = base;
            return left;
        }
        AstNode *node = new_node_at(p, AST_LIKE, left);
        node->like.arg = left;
        node->like.negated = negated;
        node->like.similar = similar;
        TRY(node->like.pattern = parse_concat(p));
        if (accept_kw(p, "ESCAPE")) TRY(node->like.escape = parse_concat(p));
        left = fin(p, node);
    }
}

static AstNode *parse_not(Parser *p)
{
    if (!is_kw(p, "NOT")) return parse_predicate(p);
    TRY(enter(p));
    const SqlToken *tok = next(p);
    AstNode *operand = parse_not(p);
    TRY(operand);
    AstNode *node = new_node(p, AST_UNARY, tok);
    node->op.op = AOP_NOT;
    node->op.left = operand;
    return leave(p, fin(p, node));
}

static AstNode *parse_and(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_not(p);
    TRY(left);
    while (accept_kw(p, "AND")) {
        TRY(chain(p));
        AstNode *right = parse_not(p);
        TRY(right);
        left = make_binary(p, AOP_AND, left, right);
    }
    p->depth = base;
    return left;
}

static AstNode *parse_expr(Parser *p)
{
    TRY(enter(p));
    int base = p->depth;
    AstNode *left = parse_and(p);
    TRY(left);
    while (accept_kw(p, "OR")) {
        TRY(chain(p));
        AstNode *right = parse_and(p);
        TRY(right);
        left = make_binary(p, AOP_OR, left, right);
    }
    p->depth = base;
    return leave(p, left);
}

/* ---- queries ---- */

static AstNode *parse_order_item(Parser *p)
{
    const SqlToken *tok = peek(p);
    AstNode *item = new_node(p, AST_ORDER_ITEM, tok);
    TRY(item->order_item.expr = parse_expr(p));
    if (accept_kw(p, "DESC")) item->order_item.desc = true;
    else accept_kw(p, "ASC");
    if (accept_kw(p, "NULLS")) {
        if (accept_kw(p, "FIRST")) item->order_item.nulls_first = true;
        else if (accept_kw(p, "LAST")) item->order_item.nulls_last = true;
        else return expect_error(p, "FIRST or LAST");
    }
    return fin(p, item);
}

/* [AS] alias [(col, ...)] -- optional; *alias stays NULL when absent */
static bool parse_opt_alias(Parser *p, const char **alias, AstList *cols)
{
    if (accept_kw(p, "AS")) {
        *alias = parse_name(p);
        if (!*alias) return false;
    } else if (is_name_tok(p, peek(p))) {
        *alias = tok_name(p, next(p));
    } else {
        return true;
    }
    if (cols && is_op(p, "(")) return parse_ident_list(p, cols);
    return true;
}

static AstNode *parse_from_list(Parser *p);

static AstNode *parse_table_ref(Parser *p)
{
    const SqlToken *tok = peek(p);
    AstNode *node = new_node(p, AST_TABLE_REF, tok);
    TRY(node->table_ref.name = parse_qualified_name(p));
    if (!parse_hints_here(p, HINT_TABLE, &node->table_ref.hints)) return NULL;
    for (int round = 0; round < 2; round++) {
        if (!node->table_ref.system_time && is_kw(p, "FOR")) {
            next(p);
            if (!expect_kw(p, "SYSTEM_TIME") || !expect_kw(p, "AS") || !expect_kw(p, "OF"))
                return NULL;
            TRY(node->table_ref.system_time = parse_concat(p));
        }
        if (round == 0 &&
            !parse_opt_alias(p, &node->table_ref.alias, &node->table_ref.col_aliases))
            return NULL;
    }
    return fin(p, node);
}

/* [NAME =>] : the name of a named argument, or NULL. */
static const char *parse_arg_name(Parser *p)
{
    if (!is_name_tok(p, peek(p)) || !is_op_at(p, 1, "=>")) return NULL;
    const char *name = tok_name(p, next(p));
    next(p);
    return name;
}

/* TABLE(func(TABLE t [PARTITION BY cols], DESCRIPTOR(col), arg, ...)) [AS] alias [(cols)]
 * Arguments may be named (DATA => TABLE t, TIMECOL => DESCRIPTOR(ts),
 * SIZE => ...), in Flink's order or not; the binder checks them. */
static AstNode *parse_tvf_ref(Parser *p)
{
    SqlToken *tok = peek(p);
    AstNode *node = new_node(p, AST_TVF_REF, tok);
    next(p);   /* TABLE */
    if (!expect_op(p, "(")) return NULL;
    TRY(enter(p));
    const SqlToken *ftok = peek(p);
    TRY(node->tvf.func = parse_name(p));
    static const char *const funcs[] = {"TUMBLE", "HOP", "CUMULATE", "SESSION", NULL};
    bool known = false;
    for (const char *const *f = funcs; *f && !known; f++) known = strcasecmp(*f, node->tvf.func) == 0;
    if (!known) return unsupported(p, ftok, "table functions other than the window functions TUMBLE, HOP, CUMULATE and SESSION");
    if (!expect_op(p, "(")) return NULL;
    ListB args = {0};
    const char **names = NULL;
    int32_t nnames = 0, cap = 0;
    do {
        const char *name = parse_arg_name(p);
        if (tok_kw(p, peek(p), "TABLE")) {
            if (node->tvf.data) return expect_error(p, "one TABLE argument");
            next(p);
            if (is_op(p, "(")) {
                SqlToken *qtok = next(p);
                AstNode *q = new_node(p, AST_SUBQUERY_REF, qtok);
                TRY(q->subquery_ref.query = parse_query(p));
                if (!expect_op(p, ")")) return NULL;
                node->tvf.data = fin(p, q);
            } else {
                AstNode *ref = new_node(p, AST_TABLE_REF, peek(p));
                TRY(ref->table_ref.name = parse_qualified_name(p));
                node->tvf.data = fin(p, ref);
            }
            if (accept_kw(p, "PARTITION")) {
                if (!expect_kw(p, "BY")) return NULL;
                if (is_op(p, "(")) {
                    if (!parse_ident_list(p, &node->tvf.partition)) return NULL;
                } else {
                    ListB cols = {0};
                    do {
                        AstNode *ident = parse_ident(p);
                        TRY(ident);
                        lb_push(p, &cols, ident);
                    } while (is_op(p, ",") && is_name_tok(p, peek_at(p, 1)) &&
                             !is_op_at(p, 2, "=>") && !tok_kw(p, peek_at(p, 1), "DESCRIPTOR") &&
                             accept_op(p, ","));
                    node->tvf.partition = lb_done(&cols);
                }
            }
        } else if (tok_kw(p, peek(p), "DESCRIPTOR") && is_op_at(p, 1, "(")) {
            if (node->tvf.timecol) return expect_error(p, "one DESCRIPTOR argument");
            next(p);
            next(p);
            const SqlToken *ctok = peek(p);
            node->tvf.timecol_line = ctok->line;
            node->tvf.timecol_column = ctok->column;
            TRY(node->tvf.timecol = parse_name(p));
            if (!expect_op(p, ")")) return NULL;
        } else {
            AstNode *arg = parse_expr(p);
            TRY(arg);
            lb_push(p, &args, arg);
            if (nnames == cap) {
                cap = cap ? cap * 2 : 4;
                const char **grown = wb_arena_alloc(p->arena, sizeof(char *) * (size_t)cap);
                if (nnames) memcpy(grown, names, sizeof(char *) * (size_t)nnames);
                names = grown;
            }
            names[nnames++] = name;
        }
    } while (accept_op(p, ","));
    if (!expect_op(p, ")") || !expect_op(p, ")")) return NULL;
    if (!node->tvf.data || !node->tvf.timecol) {
        wb_error(p->err, WB_SQLSTATE_SYNTAX, ftok->line, ftok->column,
                 "%s needs %s argument", node->tvf.func,
                 !node->tvf.data ? "a TABLE" : "a DESCRIPTOR(time column)");
        return NULL;
    }
    node->tvf.args = lb_done(&args);
    node->tvf.arg_names = names ? names : wb_arena_calloc(p->arena, sizeof(char *));
    if (!parse_opt_alias(p, &node->tvf.alias, &node->tvf.col_aliases)) return NULL;
    return leave(p, fin(p, node));
}

static AstNode *parse_from_primary(Parser *p)
{
    SqlToken *tok = peek(p);
    if (sql_tok_is_op(tok, p->src, "(")) {
        TRY(enter(p));
        if (paren_is_query(p, 0)) {
            next(p);
            AstNode *node = new_node(p, AST_SUBQUERY_REF, tok);
            TRY(node->subquery_ref.query = parse_query(p));
            if (!expect_op(p, ")")) return NULL;
            if (!parse_opt_alias(p, &node->subquery_ref.alias, &node->subquery_ref.col_aliases))
                return NULL;
            return leave(p, fin(p, node));
        }
        next(p);
        AstNode *inner = parse_from_list(p);
        TRY(inner);
        if (!expect_op(p, ")")) return NULL;
        return leave(p, inner);
    }
    if (tok_kw(p, tok, "LATERAL")) return unsupported(p, tok, "LATERAL");
    if (tok_kw(p, tok, "UNNEST") && is_op_at(p, 1, "(")) return unsupported(p, tok, "UNNEST");
    if (tok_kw(p, tok, "TABLE") && is_op_at(p, 1, "(")) return parse_tvf_ref(p);
    return parse_table_ref(p);
}

static AstNode *parse_from_join(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_from_primary(p);
    TRY(left);
    for (;;) {
        TRY(chain(p));
        const SqlToken *tok = peek(p);
        AstJoinType type;
        if (tok_kw(p, tok, "NATURAL")) return unsupported(p, tok, "NATURAL JOIN");
        if (tok_kw(p, tok, "CROSS")) {
            next(p);
            if (!expect_kw(p, "JOIN")) return NULL;
            type = AJ_CROSS;
        } else if (tok_kw(p, tok, "JOIN")) {
            next(p);
            type = AJ_INNER;
        } else if (tok_kw(p, tok, "INNER")) {
            next(p);
            if (!expect_kw(p, "JOIN")) return NULL;
            type = AJ_INNER;
        } else if (tok_kw(p, tok, "LEFT") || tok_kw(p, tok, "RIGHT") || tok_kw(p, tok, "FULL")) {
            next(p);
            type = tok_kw(p, tok, "LEFT") ? AJ_LEFT : tok_kw(p, tok, "RIGHT") ? AJ_RIGHT : AJ_FULL;
            accept_kw(p, "OUTER");
            if (!expect_kw(p, "JOIN")) return NULL;
        } else {
            p->depth = base;
            return left;
        }
        AstNode *right = parse_from_primary(p);
        TRY(right);
        AstNode *join = new_node_at(p, AST_JOIN, left);
        join->join.type = type;
        join->join.left = left;
        join->join.right = right;
        if (type != AJ_CROSS) {
            if (accept_kw(p, "ON")) {
                TRY(join->join.on = parse_expr(p));
            } else if (accept_kw(p, "USING")) {
                if (!parse_ident_list(p, &join->join.using_cols)) return NULL;
            } else {
                return expect_error(p, "ON or USING");
            }
        }
        left = fin(p, join);
    }
}

static AstNode *parse_from_list(Parser *p)
{
    int base = p->depth;
    AstNode *left = parse_from_join(p);
    TRY(left);
    while (accept_op(p, ",")) {
        TRY(chain(p));
        AstNode *right = parse_from_join(p);
        TRY(right);
        AstNode *join = new_node_at(p, AST_JOIN, left);
        join->join.type = AJ_CROSS;
        join->join.implicit = true;
        join->join.left = left;
        join->join.right = right;
        left = fin(p, join);
    }
    p->depth = base;
    return left;
}

static AstNode *parse_select_item(Parser *p)
{
    const SqlToken *tok = peek(p);
    AstNode *item = new_node(p, AST_SELECT_ITEM, tok);
    if (is_op(p, "*")) {
        next(p);
        item->select_item.expr = fin(p, new_node(p, AST_STAR, tok));
        return fin(p, item);
    }
    TRY(item->select_item.expr = parse_expr(p));
    if (item->select_item.expr->kind != AST_STAR &&
        !parse_opt_alias(p, &item->select_item.alias, NULL))
        return NULL;
    return fin(p, item);
}

static AstNode *parse_select(Parser *p)
{
    AstNode *node = new_node(p, AST_SELECT, next(p));
    if (!parse_hints_here(p, HINT_QUERY, &node->select.hints)) return NULL;
    if (accept_kw(p, "DISTINCT")) node->select.distinct = true;
    else accept_kw(p, "ALL");
    ListB items = {0};
    do {
        AstNode *item = parse_select_item(p);
        TRY(item);
        lb_push(p, &items, item);
    } while (accept_op(p, ","));
    node->select.items = lb_done(&items);
    if (accept_kw(p, "FROM")) TRY(node->select.from = parse_from_list(p));
    if (accept_kw(p, "WHERE")) TRY(node->select.where = parse_expr(p));
    if (is_kw(p, "GROUP")) {
        next(p);
        if (!expect_kw(p, "BY")) return NULL;
        const SqlToken *tok = peek(p);
        if (tok_kw(p, tok, "ROLLUP") || tok_kw(p, tok, "CUBE") ||
            (tok_kw(p, tok, "GROUPING") && is_kw_at(p, 1, "SETS")))
            return unsupported(p, tok, "GROUP BY with GROUPING SETS, ROLLUP or CUBE");
        ListB lb = {0};
        if (!parse_expr_list(p, &lb)) return NULL;
        node->select.group_by = lb_done(&lb);
    }
    if (accept_kw(p, "HAVING")) TRY(node->select.having = parse_expr(p));
    if (is_kw(p, "WINDOW")) return unsupported(p, peek(p), "the WINDOW clause");
    return fin(p, node);
}

static AstNode *parse_values(Parser *p)
{
    AstNode *node = new_node(p, AST_VALUES, next(p));
    ListB rows = {0};
    do {
        const SqlToken *tok = peek(p);
        AstNode *row = new_node(p, AST_ROW, tok);
        ListB items = {0};
        if (tok_kw(p, tok, "ROW") && is_op_at(p, 1, "(")) next(p);
        if (is_op(p, "(") && !paren_is_query(p, 0)) {
            next(p);
            if (!parse_expr_list(p, &items)) return NULL;
            if (!expect_op(p, ")")) return NULL;
        } else {
            AstNode *expr = parse_expr(p);
            TRY(expr);
            lb_push(p, &items, expr);
        }
        row->row.items = lb_done(&items);
        lb_push(p, &rows, fin(p, row));
    } while (accept_op(p, ","));
    node->values.rows = lb_done(&rows);
    return fin(p, node);
}

static AstNode *parse_query_primary(Parser *p)
{
    if (is_kw(p, "SELECT")) return parse_select(p);
    if (is_kw(p, "VALUES")) return parse_values(p);
    if (is_op(p, "(")) {
        next(p);
        AstNode *inner = parse_query(p);
        TRY(inner);
        if (!expect_op(p, ")")) return NULL;
        return inner;
    }
    if (is_kw(p, "WITH")) return parse_query(p);
    return expect_error(p, "SELECT or VALUES");
}

static bool parse_setop_word(Parser *p, bool intersect, AstSetOp *op)
{
    if (intersect) {
        if (!is_kw(p, "INTERSECT")) return false;
        *op = ASO_INTERSECT;
    } else if (is_kw(p, "UNION")) {
        *op = ASO_UNION;
    } else if (is_kw(p, "EXCEPT") || is_kw(p, "MINUS")) {
        *op = ASO_EXCEPT;
    } else {
        return false;
    }
    return true;
}

/* INTERSECT binds tighter than UNION and EXCEPT (SQL standard). */
static AstNode *parse_setop_level(Parser *p, bool intersect)
{
    int base = p->depth;
    AstNode *left = intersect ? parse_query_primary(p) : parse_setop_level(p, true);
    TRY(left);
    AstSetOp op;
    while (parse_setop_word(p, intersect, &op)) {
        TRY(chain(p));
        next(p);
        AstNode *node = new_node_at(p, AST_SETOP, left);
        node->setop.op = op;
        if (accept_kw(p, "ALL")) node->setop.all = true;
        else accept_kw(p, "DISTINCT");
        AstNode *right = intersect ? parse_query_primary(p) : parse_setop_level(p, true);
        TRY(right);
        node->setop.left = left;
        node->setop.right = right;
        left = fin(p, node);
    }
    p->depth = base;
    return left;
}

/* SELECT * FROM (query): keeps an inner ORDER BY/LIMIT/WITH separate from
 * the one written outside its parentheses. */
static AstNode *wrap_query(Parser *p, AstNode *query)
{
    AstNode *sel = new_node_at(p, AST_SELECT, query);
    AstNode *item = new_node_at(p, AST_SELECT_ITEM, query);
    item->select_item.expr = new_node_at(p, AST_STAR, query);
    ListB items = {0};
    lb_push(p, &items, item);
    sel->select.items = lb_done(&items);
    AstNode *ref = new_node_at(p, AST_SUBQUERY_REF, query);
    ref->subquery_ref.query = query;
    ref->src_end = item->src_end = item->select_item.expr->src_end = query->src_end;
    sel->select.from = ref;
    return sel;
}

static AstNode *parse_query(Parser *p)
{
    TRY(enter(p));
    const SqlToken *first = peek(p);
    ListB ctes = {0};
    if (accept_kw(p, "WITH")) {
        if (is_kw(p, "RECURSIVE")) return unsupported(p, peek(p), "WITH RECURSIVE");
        do {
            AstNode *cte = new_node(p, AST_CTE, peek(p));
            TRY(cte->cte.name = parse_name(p));
            if (is_op(p, "(") && !parse_ident_list(p, &cte->cte.columns)) return NULL;
            if (!expect_kw(p, "AS") || !expect_op(p, "(")) return NULL;
            TRY(cte->cte.query = parse_query(p));
            if (!expect_op(p, ")")) return NULL;
            lb_push(p, &ctes, fin(p, cte));
        } while (accept_op(p, ","));
    }
    AstNode *body = parse_setop_level(p, false);
    TRY(body);

    ListB order = {0};
    if (is_kw(p, "ORDER")) {
        next(p);
        if (!expect_kw(p, "BY")) return NULL;
        do {
            AstNode *item = parse_order_item(p);
            TRY(item);
            lb_push(p, &order, item);
        } while (accept_op(p, ","));
    }
    AstNode *limit = NULL, *offset = NULL;
    for (;;) {
        if (!limit && accept_kw(p, "LIMIT")) {
            TRY(limit = parse_concat(p));
        } else if (!offset && accept_kw(p, "OFFSET")) {
            TRY(offset = parse_concat(p));
            if (!accept_kw(p, "ROWS")) accept_kw(p, "ROW");
        } else if (!limit && is_kw(p, "FETCH")) {
            const SqlToken *tok = next(p);
            if (!accept_kw(p, "FIRST") && !expect_kw(p, "NEXT")) return NULL;
            if (is_kw(p, "ROW") || is_kw(p, "ROWS")) {
                limit = new_literal(p, tok, TY_INT);
                limit->literal.i64 = 1;
                limit->literal.text = "1";
            } else {
                TRY(limit = parse_concat(p));
            }
            if (!accept_kw(p, "ROWS") && !expect_kw(p, "ROW")) return NULL;
            if (!expect_kw(p, "ONLY")) return NULL;
        } else {
            break;
        }
    }

    AstQueryTail *tail = sql_ast_query_tail(body);
    bool clash = (ctes.count && tail->ctes.count) ||
                 (order.count && (tail->order_by.count || tail->limit || tail->offset)) ||
                 ((limit || offset) && (tail->limit || tail->offset));
    if (clash) {
        body = wrap_query(p, body);
        tail = sql_ast_query_tail(body);
    }
    if (ctes.count) tail->ctes = lb_done(&ctes);
    if (order.count) tail->order_by = lb_done(&order);
    if (limit) tail->limit = limit;
    if (offset) tail->offset = offset;
    if (ctes.count) {
        body->line = first->line;
        body->column = first->column;
        body->src_start = first->start;
    }
    return leave(p, fin(p, body));
}

/* ---- statements ---- */

static AstNode *parse_option(Parser *p)
{
    AstNode *opt = new_node(p, AST_OPTION, peek(p));
    TRY(opt->option.key = parse_string(p));
    if (!expect_op(p, "=")) return NULL;
    TRY(opt->option.value = parse_string(p));
    return fin(p, opt);
}

static bool parse_primary_key(Parser *p, AstNode *create, const SqlToken *tok, AstList *cols)
{
    if (create->create_table.primary_key.count) {
        wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                 "multiple primary keys for table \"%s\" are not allowed",
                 create->create_table.name);
        return false;
    }
    if (cols) create->create_table.primary_key = *cols;
    /* Flink requires NOT ENFORCED; PostgreSQL's spelling without it is accepted */
    if (is_kw(p, "NOT") && is_kw_at(p, 1, "ENFORCED")) {
        next(p);
        next(p);
    }
    return true;
}

static AstNode *parse_column_def(Parser *p, AstNode *create)
{
    const SqlToken *tok = peek(p);
    AstNode *col = new_node(p, AST_COLUMN_DEF, tok);
    TRY(col->column_def.name = parse_name(p));
    if (accept_kw(p, "AS")) {
        col->column_def.type = ty_make(TY_NULL);
        TRY(col->column_def.computed = parse_expr(p));
    } else {
        if (!parse_type(p, &col->column_def.type, &col->column_def.ltz)) return NULL;
        for (;;) {
            const SqlToken *opt = peek(p);
            if (tok_kw(p, opt, "CONSTRAINT")) {
                next(p);
                TRY(parse_name(p));
                opt = peek(p);
                if (!tok_kw(p, opt, "PRIMARY")) return expect_error(p, "PRIMARY KEY");
            }
            if (tok_kw(p, opt, "PRIMARY")) {
                next(p);
                if (!expect_kw(p, "KEY")) return NULL;
                AstNode *ident = new_node(p, AST_IDENT, tok);
                ident->ident.name = col->column_def.name;
                ident->src_end = tok->start + tok->len;
                ListB lb = {0};
                lb_push(p, &lb, ident);
                AstList pk = lb_done(&lb);
                if (!parse_primary_key(p, create, opt, &pk)) return NULL;
                col->column_def.primary_key = true;
                col->column_def.type.nullable = 0;
            } else if (accept_kw(p, "METADATA")) {
                col->column_def.is_metadata = true;
                if (accept_kw(p, "FROM")) TRY(col->column_def.metadata_key = parse_string(p));
                if (accept_kw(p, "VIRTUAL")) col->column_def.is_virtual = true;
            } else if (is_kw(p, "NOT") && is_kw_at(p, 1, "NULL")) {
                next(p);
                next(p);
                col->column_def.type.nullable = 0;
            } else if (tok_kw(p, opt, "COMMENT")) {
                break;
            } else {
                break;
            }
        }
    }
    if (accept_kw(p, "COMMENT")) TRY(col->column_def.comment = parse_string(p));
    return fin(p, col);
}

/* name ROW<field TYPE [NOT NULL], ...> (or ROW(...)): weir has no ROW
 * type, so the fields become columns named "name.field" (which
 * name.field in a query reads). */
static bool parse_row_column(Parser *p, ListB *cols)
{
    const SqlToken *tok = peek(p);
    const char *row = parse_name(p);
    if (!row) return false;
    next(p);   /* ROW */
    bool angle = accept_op(p, "<");
    if (!angle && !expect_op(p, "(")) return false;
    do {
        const SqlToken *ftok = peek(p);
        AstNode *col = new_node(p, AST_COLUMN_DEF, ftok);
        const char *field = parse_name(p);
        if (!field) return false;
        col->column_def.name = wb_arena_printf(p->arena, "%s.%s", row, field);
        if (tok_kw(p, peek(p), "ROW")) {
            unsupported(p, peek(p), "a ROW inside a ROW");
            return false;
        }
        if (!parse_type(p, &col->column_def.type, &col->column_def.ltz)) return false;
        if (is_kw(p, "NOT") && is_kw_at(p, 1, "NULL")) {
            next(p);
            next(p);
            col->column_def.type.nullable = 0;
        }
        if (accept_kw(p, "COMMENT") && !parse_string(p)) return false;
        lb_push(p, cols, fin(p, col));
    } while (accept_op(p, ","));
    (void)tok;
    return expect_op(p, angle ? ">" : ")");
}

static AstNode *parse_create_table(Parser *p, AstNode *node)
{
    if (is_kw(p, "IF")) {
        next(p);
        if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS")) return NULL;
        node->create_table.if_not_exists = true;
    }
    TRY(node->create_table.name = parse_qualified_name(p));
    bool has_columns = false;
    if (accept_op(p, "(")) {
        has_columns = true;
        ListB cols = {0};
        do {
            const SqlToken *tok = peek(p);
            if (tok_kw(p, tok, "CONSTRAINT") ||
                (tok_kw(p, tok, "PRIMARY") && is_kw_at(p, 1, "KEY"))) {
                if (accept_kw(p, "CONSTRAINT")) TRY(parse_name(p));
                const SqlToken *pk_tok = peek(p);
                if (!expect_kw(p, "PRIMARY") || !expect_kw(p, "KEY")) return NULL;
                AstList pk;
                if (!parse_ident_list(p, &pk)) return NULL;
                if (!parse_primary_key(p, node, pk_tok, &pk)) return NULL;
            } else if (tok_kw(p, tok, "WATERMARK") && is_kw_at(p, 1, "FOR")) {
                if (node->create_table.watermark_col) {
                    wb_error(p->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                             "multiple WATERMARK declarations are not allowed");
                    return NULL;
                }
                next(p);
                next(p);
                node->create_table.watermark_line = peek(p)->line;
                node->create_table.watermark_column = peek(p)->column;
                TRY(node->create_table.watermark_col = parse_name(p));
                if (!expect_kw(p, "AS")) return NULL;
                TRY(node->create_table.watermark = parse_expr(p));
            } else if (is_name_tok(p, tok) && is_kw_at(p, 1, "ROW") &&
                       (is_op_at(p, 2, "<") || is_op_at(p, 2, "("))) {
                if (!parse_row_column(p, &cols)) return NULL;
            } else {
                AstNode *col = parse_column_def(p, node);
                TRY(col);
                lb_push(p, &cols, col);
            }
        } while (accept_op(p, ","));
        if (!expect_op(p, ")")) return NULL;
        node->create_table.columns = lb_done(&cols);
    }
    if (accept_kw(p, "COMMENT")) TRY(node->create_table.comment = parse_string(p));
    if (accept_kw(p, "PARTITIONED")) {
        if (!expect_kw(p, "BY")) return NULL;
        if (!parse_ident_list(p, &node->create_table.partitioned_by)) return NULL;
    }
    if (is_kw(p, "WITH")) {
        next(p);
        if (!expect_op(p, "(")) return NULL;
        ListB opts = {0};
        if (!is_op(p, ")")) {
            do {
                AstNode *opt = parse_option(p);
                TRY(opt);
                lb_push(p, &opts, opt);
            } while (accept_op(p, ","));
        }
        if (!expect_op(p, ")")) return NULL;
        node->create_table.options = lb_done(&opts);
    }
    if (is_kw(p, "LIKE")) return unsupported(p, peek(p), "CREATE TABLE ... LIKE");
    if (accept_kw(p, "AS")) {
        TRY(node->create_table.as_query = parse_query(p));
    } else if (!has_columns) {
        return expect_error(p, "\"(\"");
    }
    return fin(p, node);
}

static AstNode *parse_create(Parser *p)
{
    const SqlToken *tok = next(p);
    if (is_kw(p, "OR") && is_kw_at(p, 1, "REPLACE")) return unsupported(p, peek(p), "CREATE OR REPLACE");
    bool temporary = accept_kw(p, "TEMPORARY");
    if (accept_kw(p, "TABLE")) {
        AstNode *node = new_node(p, AST_CREATE_TABLE, tok);
        node->create_table.temporary = temporary;
        return parse_create_table(p, node);
    }
    if (accept_kw(p, "VIEW")) {
        AstNode *node = new_node(p, AST_CREATE_VIEW, tok);
        node->create_view.temporary = temporary;
        if (is_kw(p, "IF")) {
            next(p);
            if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS")) return NULL;
            node->create_view.if_not_exists = true;
        }
        TRY(node->create_view.name = parse_qualified_name(p));
        if (is_op(p, "(") && !parse_ident_list(p, &node->create_view.columns)) return NULL;
        if (accept_kw(p, "COMMENT")) TRY(parse_string(p));
        if (!expect_kw(p, "AS")) return NULL;
        TRY(node->create_view.query = parse_query(p));
        return fin(p, node);
    }
    const SqlToken *what = peek(p);
    if (tok_kw(p, what, "FUNCTION") || tok_kw(p, what, "CATALOG") ||
        tok_kw(p, what, "DATABASE") || tok_kw(p, what, "SYSTEM"))
        return unsupported(p, what, "this CREATE statement");
    return expect_error(p, "TABLE or VIEW");
}

/* [IF EXISTS] */
static bool parse_if_exists(Parser *p, bool *if_exists)
{
    if (!is_kw(p, "IF")) return true;
    next(p);
    if (!expect_kw(p, "EXISTS")) return false;
    *if_exists = true;
    return true;
}

/* One column definition or a parenthesized list, for ALTER TABLE ADD and
 * MODIFY (a primary key cannot come this way). */
static bool parse_alter_columns(Parser *p, AstNode *node)
{
    AstNode *dummy = new_node(p, AST_CREATE_TABLE, peek(p));
    dummy->create_table.name = node->alter.name;
    bool paren = accept_op(p, "(");
    ListB cols = {0};
    do {
        if (is_kw(p, "PRIMARY") || is_kw(p, "CONSTRAINT") || is_kw(p, "WATERMARK")) {
            unsupported(p, peek(p), "a key or watermark in ALTER TABLE");
            return false;
        }
        AstNode *col = parse_column_def(p, dummy);
        if (!col) return false;
        if (col->column_def.primary_key) {
            unsupported(p, peek(p), "a key or watermark in ALTER TABLE");
            return false;
        }
        lb_push(p, &cols, col);
    } while (paren && accept_op(p, ","));
    if (paren && !expect_op(p, ")")) return false;
    node->alter.columns = lb_done(&cols);
    return true;
}

static AstNode *parse_alter(Parser *p)
{
    AstNode *node = new_node(p, AST_ALTER_TABLE, next(p));
    if (!accept_kw(p, "TABLE")) {
        const SqlToken *what = peek(p);
        if (tok_kw(p, what, "VIEW") || tok_kw(p, what, "FUNCTION") || tok_kw(p, what, "DATABASE") ||
            tok_kw(p, what, "CATALOG"))
            return unsupported(p, what, "this ALTER statement");
        return expect_error(p, "TABLE");
    }
    if (!parse_if_exists(p, &node->alter.if_exists)) return NULL;
    TRY(node->alter.name = parse_qualified_name(p));
    if (accept_kw(p, "ADD")) {
        node->alter.action = AALT_ADD;
        if (!accept_kw(p, "COLUMN")) accept_kw(p, "COLUMNS");
        if (!parse_alter_columns(p, node)) return NULL;
        if (accept_kw(p, "FIRST")) node->alter.first = true;
        else if (accept_kw(p, "AFTER")) TRY(node->alter.after = parse_name(p));
    } else if (accept_kw(p, "MODIFY")) {
        node->alter.action = AALT_MODIFY;
        accept_kw(p, "COLUMN");
        if (!parse_alter_columns(p, node)) return NULL;
    } else if (accept_kw(p, "DROP")) {
        node->alter.action = AALT_DROP;
        if (is_kw(p, "PRIMARY") || is_kw(p, "WATERMARK") || is_kw(p, "CONSTRAINT"))
            return unsupported(p, peek(p), "dropping a key or watermark");
        if (!accept_kw(p, "COLUMN")) accept_kw(p, "COLUMNS");
        if (is_op(p, "(")) {
            if (!parse_ident_list(p, &node->alter.names)) return NULL;
        } else {
            ListB names = {0};
            AstNode *ident = new_node(p, AST_IDENT, peek(p));
            TRY(ident->ident.name = parse_name(p));
            lb_push(p, &names, fin(p, ident));
            node->alter.names = lb_done(&names);
        }
    } else if (accept_kw(p, "RENAME")) {
        if (accept_kw(p, "TO")) {
            node->alter.action = AALT_RENAME_TABLE;
            TRY(node->alter.new_name = parse_qualified_name(p));
        } else {
            node->alter.action = AALT_RENAME_COLUMN;
            accept_kw(p, "COLUMN");
            TRY(node->alter.old_name = parse_name(p));
            if (!expect_kw(p, "TO")) return NULL;
            TRY(node->alter.new_name = parse_name(p));
        }
    } else if (accept_kw(p, "SET")) {
        node->alter.action = AALT_SET;
        if (!expect_op(p, "(")) return NULL;
        ListB opts = {0};
        do {
            AstNode *opt = parse_option(p);
            TRY(opt);
            lb_push(p, &opts, opt);
        } while (accept_op(p, ","));
        if (!expect_op(p, ")")) return NULL;
        node->alter.options = lb_done(&opts);
    } else if (accept_kw(p, "RESET")) {
        node->alter.action = AALT_RESET;
        if (!expect_op(p, "(")) return NULL;
        ListB keys = {0};
        do {
            AstNode *key = new_node(p, AST_IDENT, peek(p));
            TRY(key->ident.name = parse_string(p));
            lb_push(p, &keys, fin(p, key));
        } while (accept_op(p, ","));
        if (!expect_op(p, ")")) return NULL;
        node->alter.names = lb_done(&keys);
    } else {
        return expect_error(p, "ADD, MODIFY, DROP, RENAME, SET or RESET");
    }
    return fin(p, node);
}

static AstNode *parse_drop(Parser *p)
{
    AstNode *node = new_node(p, AST_DROP, next(p));
    node->drop.temporary = accept_kw(p, "TEMPORARY");
    if (accept_kw(p, "VIEW")) node->drop.is_view = true;
    else if (!accept_kw(p, "TABLE")) {
        const SqlToken *what = peek(p);
        if (tok_kw(p, what, "FUNCTION") || tok_kw(p, what, "CATALOG") || tok_kw(p, what, "DATABASE"))
            return unsupported(p, what, "this DROP statement");
        return expect_error(p, "TABLE or VIEW");
    }
    if (!parse_if_exists(p, &node->drop.if_exists)) return NULL;
    TRY(node->drop.name = parse_qualified_name(p));
    return fin(p, node);
}

static AstNode *parse_show(Parser *p)
{
    AstNode *node = new_node(p, AST_SHOW, next(p));
    if (accept_kw(p, "TABLES")) node->show.what = ASH_TABLES;
    else if (accept_kw(p, "VIEWS")) node->show.what = ASH_VIEWS;
    else if (accept_kw(p, "FUNCTIONS")) node->show.what = ASH_FUNCTIONS;
    else if (accept_kw(p, "CREATE")) {
        if (accept_kw(p, "TABLE")) node->show.what = ASH_CREATE_TABLE;
        else if (accept_kw(p, "VIEW")) node->show.what = ASH_CREATE_VIEW;
        else return expect_error(p, "TABLE or VIEW");
        TRY(node->show.name = parse_qualified_name(p));
    } else if (peek(p)->kind == SQL_TOK_WORD) {
        return unsupported(p, peek(p), "this SHOW statement");
    } else {
        return expect_error(p, "TABLES, VIEWS, FUNCTIONS or CREATE");
    }
    return fin(p, node);
}

/* Source text from token index `from` up to (not including) index `to`. */
static const char *span_text(Parser *p, int32_t from, int32_t to)
{
    int32_t start = p->toks[from].start;
    int32_t end = p->toks[to - 1].start + p->toks[to - 1].len;
    return wb_arena_strndup(p->arena, p->src + start, (size_t)(end - start));
}

static bool at_statement_end(Parser *p)
{
    return peek(p)->kind == SQL_TOK_EOF || is_op(p, ";");
}

/* A SET/RESET key: a string, or the raw text of unquoted tokens (a.b-c). */
static const char *parse_set_key(Parser *p)
{
    if (peek(p)->kind == SQL_TOK_STRING) return parse_string(p);
    int32_t from = p->pos;
    while (!at_statement_end(p) && !is_op(p, "=")) next(p);
    if (p->pos == from) return expect_error(p, "an option key");
    return span_text(p, from, p->pos);
}

static AstNode *parse_set(Parser *p)
{
    const SqlToken *tok = next(p);
    bool reset = tok_kw(p, tok, "RESET");
    AstNode *node = new_node(p, reset ? AST_RESET : AST_SET, tok);
    if (at_statement_end(p)) return fin(p, node);
    TRY(node->set.key = parse_set_key(p));
    if (reset) {
        if (!at_statement_end(p)) return syntax_error(p, peek(p));
        return fin(p, node);
    }
    if (!expect_op(p, "=")) return NULL;
    if (peek(p)->kind == SQL_TOK_STRING && (peek_at(p, 1)->kind == SQL_TOK_EOF ||
                                            is_op_at(p, 1, ";"))) {
        node->set.value = parse_string(p);
    } else {
        int32_t from = p->pos;
        while (!at_statement_end(p)) next(p);
        if (p->pos == from) return expect_error(p, "an option value");
        node->set.value = span_text(p, from, p->pos);
    }
    return fin(p, node);
}

static AstNode *parse_insert(Parser *p)
{
    AstNode *node = new_node(p, AST_INSERT, next(p));
    if (accept_kw(p, "OVERWRITE")) node->insert.overwrite = true;
    else if (!expect_kw(p, "INTO")) return NULL;
    accept_kw(p, "TABLE");
    node->insert.table_line = peek(p)->line;
    node->insert.table_column = peek(p)->column;
    TRY(node->insert.table = parse_qualified_name(p));
    if (!parse_hints_here(p, HINT_TABLE, &node->insert.table_hints)) return NULL;
    if (accept_kw(p, "PARTITION")) {
        if (!expect_op(p, "(")) return NULL;
        ListB cols = {0}, vals = {0};
        do {
            const SqlToken *tok = peek(p);
            AstNode *ident = new_node(p, AST_IDENT, tok);
            TRY(ident->ident.name = parse_name(p));
            lb_push(p, &cols, fin(p, ident));
            if (!expect_op(p, "=")) return NULL;
            AstNode *value = parse_concat(p);
            TRY(value);
            lb_push(p, &vals, value);
        } while (accept_op(p, ","));
        if (!expect_op(p, ")")) return NULL;
        node->insert.partition_cols = lb_done(&cols);
        node->insert.partition_values = lb_done(&vals);
    }
    if (is_op(p, "(") && !paren_is_query(p, 0)) {
        if (!parse_ident_list(p, &node->insert.columns)) return NULL;
    }
    if (!starts_query(p, 0) && !is_op(p, "(")) return expect_error(p, "SELECT or VALUES");
    TRY(node->insert.query = parse_query(p));
    return fin(p, node);
}

/* The target of DELETE / UPDATE: name [[AS] alias] (a table reference). */
static AstNode *parse_dml_target(Parser *p)
{
    const SqlToken *tok = peek(p);
    AstNode *ref = new_node(p, AST_TABLE_REF, tok);
    TRY(ref->table_ref.name = parse_qualified_name(p));
    if (!parse_hints_here(p, HINT_TABLE, &ref->table_ref.hints)) return NULL;
    if (!(is_kw(p, "SET") || is_kw(p, "WHERE")) &&
        !parse_opt_alias(p, &ref->table_ref.alias, NULL))
        return NULL;
    return fin(p, ref);
}

static AstNode *parse_delete(Parser *p)
{
    AstNode *node = new_node(p, AST_DELETE, next(p));
    if (!expect_kw(p, "FROM")) return NULL;
    TRY(node->dml.target = parse_dml_target(p));
    if (accept_kw(p, "WHERE")) TRY(node->dml.where = parse_expr(p));
    return fin(p, node);
}

static AstNode *parse_update(Parser *p)
{
    AstNode *node = new_node(p, AST_UPDATE, next(p));
    TRY(node->dml.target = parse_dml_target(p));
    if (!expect_kw(p, "SET")) return NULL;
    ListB cols = {0}, vals = {0};
    do {
        const SqlToken *tok = peek(p);
        AstNode *ident = new_node(p, AST_IDENT, tok);
        const char *name = parse_qualified_name(p);
        TRY(name);
        /* SET t.col = ..: the qualifier is the target's */
        const char *dot = strrchr(name, '.');
        ident->ident.name = dot ? dot + 1 : name;
        lb_push(p, &cols, fin(p, ident));
        if (!expect_op(p, "=")) return NULL;
        AstNode *value = parse_expr(p);
        TRY(value);
        lb_push(p, &vals, value);
    } while (accept_op(p, ","));
    node->dml.set_cols = lb_done(&cols);
    node->dml.set_values = lb_done(&vals);
    if (accept_kw(p, "WHERE")) TRY(node->dml.where = parse_expr(p));
    return fin(p, node);
}

/* CALL name([name =>] expr, ...) */
static AstNode *parse_call_proc(Parser *p)
{
    AstNode *node = new_node(p, AST_CALL_PROC, next(p));
    TRY(node->call_proc.name = parse_qualified_name(p));
    if (!expect_op(p, "(")) return NULL;
    ListB args = {0};
    const char *names[64];
    if (!is_op(p, ")")) {
        do {
            if (args.count == 64) return unsupported(p, peek(p), "a CALL with more than 64 arguments");
            names[args.count] = parse_arg_name(p);
            AstNode *arg = parse_expr(p);
            TRY(arg);
            lb_push(p, &args, arg);
        } while (accept_op(p, ","));
    }
    if (!expect_op(p, ")")) return NULL;
    node->call_proc.args = lb_done(&args);
    node->call_proc.arg_names = wb_arena_alloc(p->arena, sizeof(char *) * (size_t)(args.count + 1));
    if (args.count) memcpy(node->call_proc.arg_names, names, sizeof(char *) * (size_t)args.count);
    return fin(p, node);
}

static AstNode *parse_statement(Parser *p)
{
    const SqlToken *tok = peek(p);
    if (tok->kind == SQL_TOK_OP && sql_tok_is_op(tok, p->src, "(")) return parse_query(p);
    if (tok->kind != SQL_TOK_WORD) return syntax_error(p, tok);
    if (tok_kw(p, tok, "SELECT") || tok_kw(p, tok, "WITH") || tok_kw(p, tok, "VALUES"))
        return parse_query(p);
    if (tok_kw(p, tok, "CREATE")) return parse_create(p);
    if (tok_kw(p, tok, "DROP")) return parse_drop(p);
    if (tok_kw(p, tok, "ALTER")) return parse_alter(p);
    if (tok_kw(p, tok, "INSERT")) return parse_insert(p);
    if (tok_kw(p, tok, "DELETE")) return parse_delete(p);
    if (tok_kw(p, tok, "UPDATE")) return parse_update(p);
    if (tok_kw(p, tok, "CALL")) return parse_call_proc(p);
    if (tok_kw(p, tok, "SET") || tok_kw(p, tok, "RESET")) return parse_set(p);
    if (tok_kw(p, tok, "SHOW")) return parse_show(p);
    if (tok_kw(p, tok, "DESCRIBE") || tok_kw(p, tok, "DESC")) {
        next(p);
        AstNode *node = new_node(p, AST_DESCRIBE, tok);
        TRY(node->describe.name = parse_qualified_name(p));
        return fin(p, node);
    }
    if (tok_kw(p, tok, "EXPLAIN")) {
        next(p);
        AstNode *node = new_node(p, AST_EXPLAIN, tok);
        if (accept_kw(p, "PLAN")) {
            if (!expect_kw(p, "FOR")) return NULL;
        } else {
            /* Flink's EXPLAIN details (CHANGELOG_MODE, ...): the plan always
             * shows changelog modes, so they are accepted and ignored */
            while (is_kw(p, "ESTIMATED_COST") || is_kw(p, "CHANGELOG_MODE") ||
                   is_kw(p, "JSON_EXECUTION_PLAN") || is_kw(p, "PLAN_ADVICE")) {
                next(p);
                if (!accept_op(p, ",")) break;
            }
        }
        if (is_kw(p, "INSERT")) TRY(node->explain.stmt = parse_insert(p));
        else if (is_kw(p, "DELETE")) TRY(node->explain.stmt = parse_delete(p));
        else if (is_kw(p, "UPDATE")) TRY(node->explain.stmt = parse_update(p));
        else if (starts_query(p, 0) || is_op(p, "(")) TRY(node->explain.stmt = parse_query(p));
        else return expect_error(p, "a query, INSERT, DELETE or UPDATE");
        return fin(p, node);
    }
    static const char *const not_yet[] = {
        "USE", "BEGIN", "EXECUTE", "END", "LOAD", "UNLOAD", "ADD", "REMOVE",
        "TRUNCATE", "ANALYZE", "MERGE",
    };
    for (size_t i = 0; i < WB_ARRAY_LEN(not_yet); i++) {
        if (tok_kw(p, tok, not_yet[i])) {
            char what[48];
            snprintf(what, sizeof what, "the %s statement", not_yet[i]);
            return unsupported(p, tok, what);
        }
    }
    return syntax_error(p, tok);
}

static int start_parser(Parser *p, const char *text, size_t len, WbArena *arena, WbError *err)
{
    memset(p, 0, sizeof *p);
    wb_error_clear(err);
    p->src = text;
    p->arena = arena;
    p->err = err;
    if (sql_lex(text, len, arena, &p->toks, &p->ntoks, &p->hints, &p->nhints, err) != 0) return -1;
    /* matching parentheses, for paren_is_query */
    p->match = wb_arena_alloc(arena, sizeof(int32_t) * (size_t)p->ntoks);
    int32_t *stack = wb_malloc(sizeof(int32_t) * (size_t)p->ntoks);
    int32_t depth = 0;
    for (int32_t i = 0; i < p->ntoks; i++) {
        p->match[i] = -1;
        if (sql_tok_is_op(&p->toks[i], text, "(")) {
            stack[depth++] = i;
        } else if (sql_tok_is_op(&p->toks[i], text, ")") && depth > 0) {
            p->match[stack[--depth]] = i;
        }
    }
    free(stack);
    return 0;
}

int sql_parse_script(const char *text, size_t len, WbArena *arena, SqlScript *out,
                     WbError *err)
{
    Parser p;
    out->count = 0;
    out->stmts = NULL;
    if (start_parser(&p, text, len, arena, err) != 0) return -1;
    int32_t cap = 0;
    for (;;) {
        while (accept_op(&p, ";")) {}
        if (peek(&p)->kind == SQL_TOK_EOF) break;
        const SqlToken *first = peek(&p);
        p.depth = 0;
        AstNode *node = parse_statement(&p);
        if (!node) return -1;
        if (!at_statement_end(&p)) {
            syntax_error(&p, peek(&p));
            return -1;
        }
        if (out->count == cap) {
            cap = cap ? cap * 2 : 8;
            SqlStatement *grown = wb_arena_alloc(arena, sizeof(SqlStatement) * (size_t)cap);
            if (out->count) memcpy(grown, out->stmts, sizeof(SqlStatement) * (size_t)out->count);
            out->stmts = grown;
        }
        SqlStatement *stmt = &out->stmts[out->count++];
        stmt->node = node;
        stmt->line = first->line;
        stmt->column = first->column;
        stmt->src_start = first->start;
        stmt->src_end = prev_end(&p);
        stmt->text = wb_arena_strndup(arena, text + stmt->src_start,
                                      (size_t)(stmt->src_end - stmt->src_start));
    }
    return 0;
}

int sql_parse_statement(const char *text, size_t len, WbArena *arena, AstNode **out,
                        WbError *err)
{
    SqlScript script;
    *out = NULL;
    if (sql_parse_script(text, len, arena, &script, err) != 0) return -1;
    if (script.count != 1) {
        int line = script.count ? script.stmts[1].line : 1;
        int column = script.count ? script.stmts[1].column : 1;
        wb_error(err, WB_SQLSTATE_SYNTAX, line, column,
                 script.count ? "expected one statement but found several"
                              : "expected a statement but found none");
        return -1;
    }
    *out = script.stmts[0].node;
    return 0;
}

int sql_parse_expression(const char *text, size_t len, WbArena *arena, AstNode **out,
                         WbError *err)
{
    Parser p;
    *out = NULL;
    if (start_parser(&p, text, len, arena, err) != 0) return -1;
    AstNode *expr = parse_expr(&p);
    if (!expr) return -1;
    if (peek(&p)->kind != SQL_TOK_EOF) {
        syntax_error(&p, peek(&p));
        return -1;
    }
    *out = expr;
    return 0;
}
