/*
 * hint.c - parses hint comments into AST_HINT nodes (see hint.h).
 *
 * The hint's text is tokenized by the SQL lexer on its own, and the token
 * positions moved to where the text stands in the script, so that errors
 * point into the hint.
 */
#include "sql/hint.h"

#include <string.h>

typedef struct HintKnown {
    const char *name;
    HintPlace place;
    bool kv;                     /* arguments are 'key' = 'value' pairs */
} HintKnown;

static const HintKnown known_hints[] = {
    {"OPTIONS", HINT_TABLE, true},     {"STATE_TTL", HINT_QUERY, true},
    {"BROADCAST", HINT_QUERY, false},  {"SHUFFLE_HASH", HINT_QUERY, false},
    {"SHUFFLE_MERGE", HINT_QUERY, false}, {"NEST_LOOP", HINT_QUERY, false},
    {"LOOKUP", HINT_QUERY, true},
};

typedef struct HintParser {
    const char *text;            /* the hint's text (tokens' offsets are into it) */
    SqlToken *toks;
    int32_t ntoks, pos;
    WbArena *arena;
    WbError *err;
} HintParser;

static const SqlToken *hp_peek(HintParser *hp) { return &hp->toks[hp->pos]; }

static const SqlToken *hp_next(HintParser *hp)
{
    const SqlToken *tok = &hp->toks[hp->pos];
    if (tok->kind != SQL_TOK_EOF) hp->pos++;
    return tok;
}

static bool hp_is_op(HintParser *hp, const char *op)
{
    return sql_tok_is_op(hp_peek(hp), hp->text, op);
}

static int hp_error(HintParser *hp, const SqlToken *tok, const char *what)
{
    if (tok->kind == SQL_TOK_EOF)
        wb_error(hp->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                 "expected %s in the hint but found its end", what);
    else
        wb_error(hp->err, WB_SQLSTATE_SYNTAX, tok->line, tok->column,
                 "expected %s in the hint but found \"%.*s\"", what,
                 tok->len > 40 ? 40 : tok->len, hp->text + tok->start);
    return -1;
}

/* A name, string or number: its text (strings and quoted names decoded). */
static const char *hp_word(HintParser *hp, const char *what)
{
    const SqlToken *tok = hp_peek(hp);
    switch (tok->kind) {
    case SQL_TOK_STRING:
    case SQL_TOK_QIDENT:
        hp_next(hp);
        return tok->str;
    case SQL_TOK_WORD:
    case SQL_TOK_INTEGER:
    case SQL_TOK_DECIMAL:
    case SQL_TOK_FLOAT:
        hp_next(hp);
        return wb_arena_strndup(hp->arena, hp->text + tok->start, (size_t)tok->len);
    default:
        hp_error(hp, tok, what);
        return NULL;
    }
}

static AstNode *hp_node(HintParser *hp, AstKind kind, const SqlToken *tok)
{
    AstNode *node = wb_arena_calloc(hp->arena, sizeof *node);
    node->kind = kind;
    node->line = tok->line;
    node->column = tok->column;
    return node;
}

/* Appends node to a list grown in the arena. */
static void list_push(WbArena *arena, AstList *list, AstNode *node)
{
    AstNode **items = wb_arena_alloc(arena, sizeof(AstNode *) * (size_t)(list->count + 1));
    if (list->count) memcpy(items, list->items, sizeof(AstNode *) * (size_t)list->count);
    items[list->count++] = node;
    list->items = items;
}

static const HintKnown *known(const char *name)
{
    for (size_t i = 0; i < WB_ARRAY_LEN(known_hints); i++)
        if (wb_ieq(name, strlen(name), known_hints[i].name)) return &known_hints[i];
    return NULL;
}

static AstNode *parse_one(HintParser *hp, HintPlace place)
{
    const SqlToken *name_tok = hp_peek(hp);
    if (name_tok->kind != SQL_TOK_WORD && name_tok->kind != SQL_TOK_QIDENT) {
        hp_error(hp, name_tok, "a hint name");
        return NULL;
    }
    const char *name = hp_word(hp, "a hint name");
    const HintKnown *k = known(name);
    if (!k) {
        wb_error(hp->err, WB_SQLSTATE_SYNTAX, name_tok->line, name_tok->column,
                 "unknown hint \"%s\"", name);
        wb_error_hint(hp->err, "The hints are OPTIONS (after a table name) and STATE_TTL, "
                               "BROADCAST, SHUFFLE_HASH, SHUFFLE_MERGE, NEST_LOOP, LOOKUP "
                               "(after SELECT).");
        return NULL;
    }
    if (k->place != place) {
        wb_error(hp->err, WB_SQLSTATE_SYNTAX, name_tok->line, name_tok->column,
                 k->place == HINT_TABLE ? "%s is a table hint: write it after a table name"
                                        : "%s is a query hint: write it right after SELECT",
                 k->name);
        return NULL;
    }
    AstNode *hint = hp_node(hp, AST_HINT, name_tok);
    hint->hint.name = k->name;
    if (!hp_is_op(hp, "(")) return hint;
    hp_next(hp);
    if (hp_is_op(hp, ")")) {
        hp_next(hp);
        return hint;
    }
    for (;;) {
        const SqlToken *arg_tok = hp_peek(hp);
        const char *key = hp_word(hp, k->kv ? "an option key" : "a table name");
        if (!key) return NULL;
        AstNode *arg;
        if (hp_is_op(hp, "=")) {
            hp_next(hp);
            const char *value = hp_word(hp, "an option value");
            if (!value) return NULL;
            arg = hp_node(hp, AST_OPTION, arg_tok);
            arg->option.key = key;
            arg->option.value = value;
        } else if (k->kv) {
            hp_error(hp, hp_peek(hp), "\"=\" and a value");
            return NULL;
        } else {
            arg = hp_node(hp, AST_IDENT, arg_tok);
            arg->ident.name = key;
        }
        list_push(hp->arena, &hint->hint.args, arg);
        if (hp_is_op(hp, ",")) {
            hp_next(hp);
            continue;
        }
        if (hp_is_op(hp, ")")) {
            hp_next(hp);
            return hint;
        }
        hp_error(hp, hp_peek(hp), "\",\" or \")\"");
        return NULL;
    }
}

int sql_hints_parse(const char *src, const SqlHintSpan *span, HintPlace place,
                    WbArena *arena, AstList *out, WbError *err)
{
    HintParser hp = {src + span->start, NULL, 0, 0, arena, err};
    SqlHintSpan *inner;
    int32_t ninner;
    if (sql_lex(hp.text, (size_t)span->len, arena, &hp.toks, &hp.ntoks, &inner, &ninner, err) != 0) {
        /* the lexer's position is within the hint's text */
        if (err->line == 1) err->column += span->column - 1;
        err->line += span->line - 1;
        return -1;
    }
    for (int32_t i = 0; i < hp.ntoks; i++) {
        SqlToken *tok = &hp.toks[i];
        if (tok->line == 1) tok->column += span->column - 1;
        tok->line += span->line - 1;
    }
    if (hp_peek(&hp)->kind == SQL_TOK_EOF) {
        wb_error(err, WB_SQLSTATE_SYNTAX, span->line, span->column, "empty hint");
        return -1;
    }
    while (hp_peek(&hp)->kind != SQL_TOK_EOF) {
        AstNode *hint = parse_one(&hp, place);
        if (!hint) return -1;
        list_push(arena, out, hint);
        if (hp_is_op(&hp, ",")) hp_next(&hp);
    }
    return 0;
}

const AstNode *sql_hint_find(const AstList *hints, const char *name)
{
    for (int32_t i = 0; i < hints->count; i++)
        if (wb_ieq(hints->items[i]->hint.name, strlen(hints->items[i]->hint.name), name))
            return hints->items[i];
    return NULL;
}
