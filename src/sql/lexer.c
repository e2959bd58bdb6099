/*
 * lexer.c - the SQL tokenizer: words, quoted identifiers, strings, numbers,
 * operators, comments; positions as 1-based line and character column.
 * Every byte sequence is either a token list or a positioned error.
 */
#include "sql/lexer.h"

#include <stdlib.h>
#include <string.h>

/* Words that cannot be bare identifiers: the ones whose use as a name would
 * make the grammar ambiguous (clause starters, join words, operators that
 * are words, literal words).  Everything else that is a keyword somewhere
 * (DATE, TIMESTAMP, VALUE, COUNT, KEY, TYPE, NAME, ...) stays usable as a
 * name, which Flink users rely on for columns.  Sorted for bsearch. */
static const char *const reserved_words[] = {
    "ALL", "AND", "AS", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS",
    "DISTINCT", "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "FALSE", "FETCH",
    "FOR", "FROM", "FULL", "GROUP", "HAVING", "IN", "INNER", "INSERT",
    "INTERSECT", "INTO", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT",
    "NATURAL", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "RIGHT",
    "SELECT", "SIMILAR", "THEN", "TRUE", "UNION", "USING", "VALUES", "WHEN",
    "WHERE", "WINDOW", "WITH",
};

static int cmp_word(const void *key, const void *elem)
{
    const char *word = key;
    const char *res = *(const char *const *)elem;
    return strcmp(word, res);
}

bool sql_word_is_reserved(const char *word, size_t len)
{
    char upper[16];
    if (len == 0 || len >= sizeof upper) return false;
    for (size_t i = 0; i < len; i++) {
        char c = word[i];
        upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    upper[len] = '\0';
    return bsearch(upper, reserved_words, WB_ARRAY_LEN(reserved_words),
                   sizeof reserved_words[0], cmp_word) != NULL;
}

typedef struct Lexer {
    const char *src;
    size_t len;
    size_t pos;
    int line, column;
    WbArena *arena;
    WbError *err;
    SqlToken *toks;
    int32_t ntoks, cap;
} Lexer;

static bool is_word_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_word_char(unsigned char c)
{
    return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Advances one byte, keeping line and character column. */
static void advance(Lexer *lx)
{
    unsigned char c = (unsigned char)lx->src[lx->pos++];
    if (c == '\n') {
        lx->line++;
        lx->column = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->column++;
    }
}

static SqlToken *push_token(Lexer *lx, SqlTokKind kind, size_t start, int line, int column)
{
    if (lx->ntoks == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 64;
        lx->toks = wb_realloc(lx->toks, sizeof(SqlToken) * (size_t)lx->cap);
    }
    SqlToken *tok = &lx->toks[lx->ntoks++];
    memset(tok, 0, sizeof *tok);
    tok->kind = kind;
    tok->start = (int32_t)start;
    tok->len = (int32_t)(lx->pos - start);
    tok->line = line;
    tok->column = column;
    return tok;
}

/* Reads a quoted run ending at `quote`, where a doubled quote stands for one.
 * On entry pos is at the opening quote.  Returns false if unterminated. */
static bool read_quoted(Lexer *lx, char quote, const char **out, int32_t *out_len)
{
    advance(lx);  /* opening quote */
    size_t run_start = lx->pos;
    size_t decoded = 0;
    bool escaped = false;
    for (;;) {
        if (lx->pos >= lx->len) return false;
        if (lx->src[lx->pos] == quote) {
            if (lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == quote) {
                escaped = true;
                advance(lx);
                advance(lx);
                decoded++;
                continue;
            }
            break;
        }
        advance(lx);
        decoded++;
    }
    size_t raw_len = lx->pos - run_start;
    char *buf = wb_arena_alloc(lx->arena, decoded + 1);
    if (!escaped) {
        memcpy(buf, lx->src + run_start, raw_len);
    } else {
        size_t out_pos = 0;
        for (size_t i = run_start; i < lx->pos; i++) {
            buf[out_pos++] = lx->src[i];
            if (lx->src[i] == quote) i++;  /* skip the second of a pair */
        }
    }
    buf[decoded] = '\0';
    advance(lx);  /* closing quote */
    *out = buf;
    *out_len = (int32_t)decoded;
    return true;
}

static int lex_error(Lexer *lx, int line, int column, const char *msg)
{
    wb_error(lx->err, WB_SQLSTATE_SYNTAX, line, column, "%s", msg);
    return -1;
}

static int lex_number(Lexer *lx, int line, int column)
{
    size_t start = lx->pos;
    SqlTokKind kind = SQL_TOK_INTEGER;
    while (lx->pos < lx->len && is_digit((unsigned char)lx->src[lx->pos])) advance(lx);
    if (lx->pos < lx->len && lx->src[lx->pos] == '.') {
        kind = SQL_TOK_DECIMAL;
        advance(lx);
        while (lx->pos < lx->len && is_digit((unsigned char)lx->src[lx->pos])) advance(lx);
    }
    if (lx->pos < lx->len && (lx->src[lx->pos] == 'e' || lx->src[lx->pos] == 'E')) {
        size_t look = lx->pos + 1;
        if (look < lx->len && (lx->src[look] == '+' || lx->src[look] == '-')) look++;
        if (look < lx->len && is_digit((unsigned char)lx->src[look])) {
            kind = SQL_TOK_FLOAT;
            while (lx->pos < look) advance(lx);
            while (lx->pos < lx->len && is_digit((unsigned char)lx->src[lx->pos])) advance(lx);
        }
    }
    push_token(lx, kind, start, line, column);
    return 0;
}

int sql_lex(const char *text, size_t len, WbArena *arena, SqlToken **toks_out,
            int32_t *ntoks_out, SqlHintSpan **hints_out, int32_t *nhints_out, WbError *err)
{
    Lexer lx = {text, len, 0, 1, 1, arena, err, NULL, 0, 0};
    SqlHintSpan *hints = NULL;
    int32_t nhints = 0, hint_cap = 0;
    *hints_out = NULL;
    *nhints_out = 0;
    if (len > (size_t)INT32_MAX / 2) {
        wb_error(err, WB_SQLSTATE_SYNTAX, 1, 1, "SQL text is too long (%zu bytes)", len);
        return -1;
    }
    /* A UTF-8 byte order mark (editors on Windows write one) is not text:
     * skipped, and columns count from after it, as editors show them. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) lx.pos = 3;
    while (lx.pos < lx.len) {
        unsigned char c = (unsigned char)text[lx.pos];
        int line = lx.line, column = lx.column;
        size_t start = lx.pos;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(&lx);
            continue;
        }
        if (c == '-' && lx.pos + 1 < len && text[lx.pos + 1] == '-') {
            while (lx.pos < len && text[lx.pos] != '\n') advance(&lx);
            continue;
        }
        if (c == '/' && lx.pos + 1 < len && text[lx.pos + 1] == '*') {
            advance(&lx);
            advance(&lx);
            bool hint = lx.pos < len && text[lx.pos] == '+';
            if (hint) advance(&lx);
            size_t body = lx.pos;
            int body_line = lx.line, body_column = lx.column;
            for (;;) {
                if (lx.pos + 1 >= len) {
                    free(lx.toks);
                    return lex_error(&lx, line, column, "unterminated /* comment");
                }
                if (text[lx.pos] == '*' && text[lx.pos + 1] == '/') break;
                advance(&lx);
            }
            if (hint) {
                if (nhints == hint_cap) {
                    hint_cap = hint_cap ? hint_cap * 2 : 4;
                    SqlHintSpan *grown = wb_arena_alloc(arena, sizeof(SqlHintSpan) * (size_t)hint_cap);
                    if (nhints) memcpy(grown, hints, sizeof(SqlHintSpan) * (size_t)nhints);
                    hints = grown;
                }
                hints[nhints++] = (SqlHintSpan){lx.ntoks, (int32_t)body, (int32_t)(lx.pos - body),
                                                body_line, body_column};
            }
            advance(&lx);
            advance(&lx);
            continue;
        }
        if (is_word_start(c)) {
            while (lx.pos < len && is_word_char((unsigned char)text[lx.pos])) advance(&lx);
            push_token(&lx, SQL_TOK_WORD, start, line, column);
            continue;
        }
        if (is_digit(c) || (c == '.' && lx.pos + 1 < len && is_digit((unsigned char)text[lx.pos + 1]))) {
            lex_number(&lx, line, column);
            continue;
        }
        if (c == '\'' || c == '`' || c == '"') {
            const char *str;
            int32_t str_len;
            if (!read_quoted(&lx, (char)c, &str, &str_len)) {
                free(lx.toks);
                return lex_error(&lx, line, column,
                                 c == '\'' ? "unterminated quoted string"
                                           : "unterminated quoted identifier");
            }
            if (c != '\'' && str_len == 0) {
                free(lx.toks);
                return lex_error(&lx, line, column, "zero-length delimited identifier");
            }
            SqlToken *tok = push_token(&lx, c == '\'' ? SQL_TOK_STRING : SQL_TOK_QIDENT,
                                       start, line, column);
            tok->str = str;
            tok->str_len = str_len;
            continue;
        }
        /* operators: two-character ones first */
        if (lx.pos + 1 < len) {
            char pair[3] = {(char)c, text[lx.pos + 1], '\0'};
            if (!strcmp(pair, "<=") || !strcmp(pair, ">=") || !strcmp(pair, "<>") ||
                !strcmp(pair, "!=") || !strcmp(pair, "||") || !strcmp(pair, "::") ||
                !strcmp(pair, "=>")) {
                advance(&lx);
                advance(&lx);
                push_token(&lx, SQL_TOK_OP, start, line, column);
                continue;
            }
        }
        if (c != '\0' && strchr("(),.;+-*/%=<>[]?:{}", c)) {
            advance(&lx);
            push_token(&lx, SQL_TOK_OP, start, line, column);
            continue;
        }
        free(lx.toks);
        if (c >= 0x20 && c < 0x7f)
            wb_error(err, WB_SQLSTATE_SYNTAX, line, column, "syntax error at or near \"%c\"", c);
        else
            wb_error(err, WB_SQLSTATE_SYNTAX, line, column,
                     "invalid character 0x%02x in SQL text", c);
        return -1;
    }
    push_token(&lx, SQL_TOK_EOF, lx.pos, lx.line, lx.column);
    SqlToken *toks = wb_arena_alloc(arena, sizeof(SqlToken) * (size_t)lx.ntoks);
    memcpy(toks, lx.toks, sizeof(SqlToken) * (size_t)lx.ntoks);
    free(lx.toks);
    *toks_out = toks;
    *ntoks_out = lx.ntoks;
    *hints_out = hints;
    *nhints_out = nhints;
    return 0;
}
