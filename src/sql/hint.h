/*
 * hint.h - SQL hints: the comments written slash-star-plus (Flink's and
 * Oracle's syntax), parsed into AST_HINT nodes where the grammar allows
 * one.
 *
 * Where they go and what they mean (Flink's names):
 *   table hints, after a table name in FROM or INSERT INTO:
 *     OPTIONS('k' = 'v', ...)   dynamic table options: they override or add
 *                               to the table's WITH options for this query
 *   query hints, right after SELECT:
 *     STATE_TTL('name' = 'duration', ...)  the state TTL of the regular
 *                               join or group aggregate of this query block
 *                               whose input is that table, view, alias or
 *                               subquery alias (sql/planner.c)
 *     BROADCAST, SHUFFLE_HASH, SHUFFLE_MERGE, NEST_LOOP (tables), LOOKUP
 *                               (options): join strategy hints; accepted,
 *                               and weir keeps its own strategy
 * A hint anywhere else is a comment, as it was before hints existed.  An
 * unknown hint name, or a table hint in a query's place (or the reverse),
 * is an error at the hint's position.
 */
#ifndef WEIR_SQL_HINT_H
#define WEIR_SQL_HINT_H

#include "sql/ast.h"
#include "sql/lexer.h"

/* Where a hint stands. */
typedef enum HintPlace { HINT_TABLE, HINT_QUERY } HintPlace;

/* Parses the text of one hint comment (span, in src) into AST_HINT nodes,
 * appended to *out (a list in the arena, replaced by a longer one).
 * Grammar: hint [[,] hint]*, hint = NAME [( [arg {, arg}] )], arg = key
 * [= value] where key and value are names, strings or numbers.  Checks
 * each name against the place.  Returns 0, or -1 with err (42601) at the
 * offending position in src. */
int sql_hints_parse(const char *src, const SqlHintSpan *span, HintPlace place,
                    WbArena *arena, AstList *out, WbError *err);

/* The first hint named `name` (case-insensitive), or NULL. */
const AstNode *sql_hint_find(const AstList *hints, const char *name);

#endif
