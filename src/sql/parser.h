/*
 * parser.h - parses a SQL script (Flink SQL dialect) into statements of
 * AST nodes (sql/ast.h).  A recursive-descent parser over the tokens of
 * sql/lexer.h; nesting depth is capped so hostile input cannot overflow the
 * stack.
 */
#ifndef WEIR_SQL_PARSER_H
#define WEIR_SQL_PARSER_H

#include "sql/ast.h"

/* Budget for nesting: a parenthesis / subquery / NOT / unary minus level
 * costs 5, each link of a left-deep chain (a + b + ..., a OR b OR ..., joins,
 * UNION) costs 1.  Beyond it the parser returns a clean 42601 error at the
 * offending token, so hostile input cannot overflow the stack of the parser
 * or of the binder and printers that recurse over the tree. */
#define SQL_MAX_DEPTH 1000

/* One statement of a script. */
typedef struct SqlStatement {
    AstNode *node;             /* the statement (a query kind or a statement kind) */
    int line, column;          /* of its first token */
    int32_t src_start, src_end;/* byte span in the script, without the ';' */
    const char *text;          /* copy of that span, NUL-terminated, in the arena */
} SqlStatement;

typedef struct SqlScript {
    int32_t count;
    SqlStatement *stmts;       /* in the arena */
} SqlScript;

/* Parses `len` bytes of `text` (need not be NUL-terminated; a NUL byte is a
 * syntax error outside string literals, data inside them) into statements
 * separated by ';'.  Empty statements are
 * skipped.  Everything is allocated in `arena` and valid until it is reset.
 * Returns 0, or -1 with err set: SQLSTATE 42601 (syntax), 22P02/22003 (bad
 * DATE/TIMESTAMP/INTERVAL literal text or a number out of range), 42704
 * (unknown type name) or 0A000 (a construct weir does not support yet), with the line/column of the
 * offending token.  Never asserts or crashes on any input. */
int sql_parse_script(const char *text, size_t len, WbArena *arena,
                     SqlScript *out, WbError *err);

/* Parses exactly one statement (a trailing ';' is allowed); an empty input
 * or a second statement is an error.  Positions are relative to `text`. */
int sql_parse_statement(const char *text, size_t len, WbArena *arena,
                        AstNode **out, WbError *err);

/* Parses a standalone expression (e.g. a computed column's text kept in a
 * catalog).  Positions are relative to `text`. */
int sql_parse_expression(const char *text, size_t len, WbArena *arena,
                         AstNode **out, WbError *err);

#endif
