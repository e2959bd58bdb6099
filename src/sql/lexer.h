/*
 * lexer.h - splits SQL text into tokens for the parser, and owns the one
 * list of reserved words (words that cannot be used as bare identifiers).
 *
 * Keywords are not token kinds: every unquoted word is a SQL_TOK_WORD and the
 * parser compares words case-insensitively where the grammar expects a
 * keyword.  That is what lets non-reserved keywords (value, count, date,
 * timestamp, key, name, type, ...) be column and table names.
 */
#ifndef WEIR_SQL_LEXER_H
#define WEIR_SQL_LEXER_H

#include "base/base.h"

typedef enum SqlTokKind {
    SQL_TOK_EOF = 0,
    SQL_TOK_WORD,          /* unquoted identifier or keyword */
    SQL_TOK_QIDENT,        /* `quoted` or "quoted" identifier; str is unquoted */
    SQL_TOK_STRING,        /* 'string'; str is unescaped */
    SQL_TOK_INTEGER,       /* 123 */
    SQL_TOK_DECIMAL,       /* 1.5, .5, 1. */
    SQL_TOK_FLOAT,         /* 1e3, 1.5E-2 */
    SQL_TOK_OP             /* punctuation and operators, see sql_lex */
} SqlTokKind;

typedef struct SqlToken {
    SqlTokKind kind;
    int line, column;      /* 1-based; columns count UTF-8 characters */
    int32_t start, len;    /* byte span in the source text */
    const char *str;       /* QIDENT/STRING: decoded, NUL-terminated, in arena */
    int32_t str_len;       /* bytes of str */
} SqlToken;

/* A hint comment (slash, star, plus ... star, slash): its text (between the markers) and where
 * it stood in the token stream: just before token `before`.  Hints are
 * not tokens: the parser looks for them where the grammar allows one
 * (after SELECT, after a table name); anywhere else one is a comment, as
 * before hints existed. */
typedef struct SqlHintSpan {
    int32_t before;        /* index of the token that follows the hint */
    int32_t start, len;    /* byte span of the text between the markers */
    int line, column;      /* of the first byte of that text */
} SqlHintSpan;

/* Tokenizes text[0..len).  Comments (-- to end of line, nested-free
 * block comments) and white space are skipped; the hint comments are put
 * in *hints_out (in the arena, in order; NULL and 0 when there are none).  Operators are the single
 * characters ( ) , . ; + - * / % = < > [ ] ? : { } and the pairs <= >= <> !=
 * || ::.  The array ends with one SQL_TOK_EOF token positioned just after
 * the text.  Tokens and decoded strings are in `arena`.  Returns 0, or -1
 * with err (42601) positioned at an unterminated string, quoted identifier
 * or comment, or at an unexpected character. */
int sql_lex(const char *text, size_t len, WbArena *arena, SqlToken **toks_out,
            int32_t *ntoks_out, SqlHintSpan **hints_out, int32_t *nhints_out, WbError *err);

/* Whether an unquoted word is reserved: it cannot be a bare column, table
 * or alias name (it can be quoted: `from`). */
bool sql_word_is_reserved(const char *word, size_t len);

/* Token text helpers. */
static inline bool sql_tok_is_op(const SqlToken *tok, const char *src, const char *op)
{
    if (tok->kind != SQL_TOK_OP) return false;
    size_t oplen = 0;
    while (op[oplen]) oplen++;
    if ((size_t)tok->len != oplen) return false;
    for (size_t i = 0; i < oplen; i++)
        if (src[tok->start + (int32_t)i] != op[i]) return false;
    return true;
}
static inline bool sql_tok_is_word(const SqlToken *tok, const char *src, const char *word)
{
    return tok->kind == SQL_TOK_WORD && wb_ieq(src + tok->start, (size_t)tok->len, word);
}

#endif
