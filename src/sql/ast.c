/*
 * ast.c - names of AST kinds and operators, and the canonical SQL printer
 * (sql_ast_format) that the parser tests compare against and EXPLAIN shows.
 * The printer parenthesizes every operator so that the tree shape is visible.
 */
#include "sql/ast.h"

#include <stdio.h>
#include <string.h>

#include "sql/lexer.h"

AstQueryTail *sql_ast_query_tail(AstNode *node)
{
    if (!node) return NULL;
    switch (node->kind) {
    case AST_SELECT: return &node->select.tail;
    case AST_SETOP: return &node->setop.tail;
    case AST_VALUES: return &node->values.tail;
    default: return NULL;
    }
}

const char *sql_ast_kind_name(AstKind kind)
{
    static const char *const names[AST__COUNT] = {
        [AST_CREATE_TABLE] = "CREATE_TABLE", [AST_CREATE_VIEW] = "CREATE_VIEW",
        [AST_DROP] = "DROP", [AST_SHOW] = "SHOW", [AST_DESCRIBE] = "DESCRIBE",
        [AST_EXPLAIN] = "EXPLAIN", [AST_SET] = "SET", [AST_RESET] = "RESET",
        [AST_INSERT] = "INSERT", [AST_DELETE] = "DELETE", [AST_UPDATE] = "UPDATE",
        [AST_CALL_PROC] = "CALL", [AST_ALTER_TABLE] = "ALTER_TABLE", [AST_SELECT] = "SELECT", [AST_SETOP] = "SETOP",
        [AST_VALUES] = "VALUES", [AST_TABLE_REF] = "TABLE_REF",
        [AST_SUBQUERY_REF] = "SUBQUERY_REF", [AST_JOIN] = "JOIN", [AST_TVF_REF] = "TVF_REF",
        [AST_LITERAL] = "LITERAL", [AST_COLUMN_REF] = "COLUMN_REF", [AST_STAR] = "STAR",
        [AST_UNARY] = "UNARY", [AST_BINARY] = "BINARY", [AST_IS] = "IS",
        [AST_BETWEEN] = "BETWEEN", [AST_IN_LIST] = "IN_LIST", [AST_IN_QUERY] = "IN_QUERY",
        [AST_LIKE] = "LIKE", [AST_EXISTS] = "EXISTS", [AST_SUBQUERY] = "SUBQUERY",
        [AST_CASE] = "CASE", [AST_CAST] = "CAST", [AST_CALL] = "CALL",
        [AST_COLUMN_DEF] = "COLUMN_DEF", [AST_OPTION] = "OPTION",
        [AST_SELECT_ITEM] = "SELECT_ITEM", [AST_ORDER_ITEM] = "ORDER_ITEM",
        [AST_CTE] = "CTE", [AST_ROW] = "ROW", [AST_WINDOW] = "WINDOW", [AST_IDENT] = "IDENT",
        [AST_HINT] = "HINT",
    };
    if ((unsigned)kind >= AST__COUNT || !names[kind]) return "?";
    return names[kind];
}

const char *sql_ast_op_name(AstBinOp op)
{
    switch (op) {
    case AOP_ADD: return "+";
    case AOP_SUB: return "-";
    case AOP_MUL: return "*";
    case AOP_DIV: return "/";
    case AOP_MOD: return "%";
    case AOP_CONCAT: return "||";
    case AOP_EQ: return "=";
    case AOP_NE: return "<>";
    case AOP_LT: return "<";
    case AOP_LE: return "<=";
    case AOP_GT: return ">";
    case AOP_GE: return ">=";
    case AOP_IS_DISTINCT: return "IS DISTINCT FROM";
    case AOP_IS_NOT_DISTINCT: return "IS NOT DISTINCT FROM";
    case AOP_AND: return "AND";
    case AOP_OR: return "OR";
    case AOP_NEG: return "-";
    case AOP_NOT: return "NOT";
    }
    return "?";
}

const char *sql_time_unit_name(TimeUnit unit)
{
    switch (unit) {
    case TU_MICROSECOND: return "MICROSECOND";
    case TU_MILLISECOND: return "MILLISECOND";
    case TU_SECOND: return "SECOND";
    case TU_MINUTE: return "MINUTE";
    case TU_HOUR: return "HOUR";
    case TU_DAY: return "DAY";
    case TU_WEEK: return "WEEK";
    case TU_MONTH: return "MONTH";
    case TU_QUARTER: return "QUARTER";
    case TU_YEAR: return "YEAR";
    case TU_DOW: return "DOW";
    case TU_DOY: return "DOY";
    case TU_EPOCH: return "EPOCH";
    }
    return "?";
}

/* ---- the printer ---- */

static void fmt(const AstNode *node, WbBuf *out);

/* Identifiers print bare when they would lex back as the same plain word,
 * else in backticks (with ` doubled). */
static void put_ident(const char *name, WbBuf *out)
{
    if (!name) {
        wb_buf_puts(out, "?");
        return;
    }
    size_t len = strlen(name);
    bool plain = len > 0 && !(name[0] >= '0' && name[0] <= '9') &&
                 !sql_word_is_reserved(name, len);
    for (size_t i = 0; i < len && plain; i++) {
        char c = name[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_';
    }
    if (plain) {
        wb_buf_puts(out, name);
        return;
    }
    wb_buf_putc(out, '`');
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '`') wb_buf_putc(out, '`');
        wb_buf_putc(out, name[i]);
    }
    wb_buf_putc(out, '`');
}

/* A dotted name (qualified table names are stored joined with '.'). */
static void put_dotted(const char *name, WbBuf *out)
{
    if (!name) {
        wb_buf_puts(out, "?");
        return;
    }
    const char *dot = strchr(name, '.');
    if (!dot) {
        put_ident(name, out);
        return;
    }
    /* each part separately; a quoted part containing '.' prints split,
     * which is only cosmetic */
    const char *part = name;
    while (part) {
        const char *end = strchr(part, '.');
        size_t len = end ? (size_t)(end - part) : strlen(part);
        char buf[256];
        size_t copy = len < sizeof buf - 1 ? len : sizeof buf - 1;
        memcpy(buf, part, copy);
        buf[copy] = '\0';
        put_ident(buf, out);
        if (!end) break;
        wb_buf_putc(out, '.');
        part = end + 1;
    }
}

static void put_string(const char *s, size_t len, WbBuf *out)
{
    wb_buf_putc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'') wb_buf_putc(out, '\'');
        wb_buf_putc(out, s[i]);
    }
    wb_buf_putc(out, '\'');
}

static void put_cstring(const char *s, WbBuf *out) { put_string(s, strlen(s), out); }

static void put_list(const AstList *list, const char *sep, WbBuf *out)
{
    for (int32_t i = 0; i < list->count; i++) {
        if (i) wb_buf_puts(out, sep);
        fmt(list->items[i], out);
    }
}

/* The hints as a hint comment after what precedes them; nothing when none. */
static void put_hints(const AstList *hints, WbBuf *out)
{
    if (!hints->count) return;
    wb_buf_puts(out, " /*+ ");
    put_list(hints, " ", out);
    wb_buf_puts(out, " */");
}

static void put_ident_list(const AstList *list, WbBuf *out)
{
    wb_buf_putc(out, '(');
    put_list(list, ", ", out);
    wb_buf_putc(out, ')');
}

static void put_type(SqlType type, bool ltz, WbBuf *out)
{
    char buf[64];
    if (ltz && type.id == TY_TIMESTAMP) {
        wb_buf_printf(out, "TIMESTAMP_LTZ(%d)%s", type.precision, type.nullable ? "" : " NOT NULL");
        return;
    }
    wb_buf_puts(out, ty_name(type, buf, sizeof buf));
}

static void put_query_paren(const AstNode *query, WbBuf *out)
{
    wb_buf_putc(out, '(');
    fmt(query, out);
    wb_buf_putc(out, ')');
}

static void put_tail_prefix(const AstQueryTail *tail, WbBuf *out)
{
    if (!tail->ctes.count) return;
    wb_buf_puts(out, "WITH ");
    put_list(&tail->ctes, ", ", out);
    wb_buf_putc(out, ' ');
}

static void put_tail_suffix(const AstQueryTail *tail, WbBuf *out)
{
    if (tail->order_by.count) {
        wb_buf_puts(out, " ORDER BY ");
        put_list(&tail->order_by, ", ", out);
    }
    if (tail->limit) {
        wb_buf_puts(out, " LIMIT ");
        fmt(tail->limit, out);
    }
    if (tail->offset) {
        wb_buf_puts(out, " OFFSET ");
        fmt(tail->offset, out);
    }
}

static void put_frame_bound(AstFrameBound bound, const AstNode *offset, WbBuf *out)
{
    switch (bound) {
    case AFB_NONE: break;
    case AFB_UNBOUNDED_PRECEDING: wb_buf_puts(out, "UNBOUNDED PRECEDING"); break;
    case AFB_UNBOUNDED_FOLLOWING: wb_buf_puts(out, "UNBOUNDED FOLLOWING"); break;
    case AFB_CURRENT_ROW: wb_buf_puts(out, "CURRENT ROW"); break;
    case AFB_PRECEDING:
    case AFB_FOLLOWING:
        fmt(offset, out);
        wb_buf_puts(out, bound == AFB_PRECEDING ? " PRECEDING" : " FOLLOWING");
        break;
    }
}

static void fmt_call(const AstNode *node, WbBuf *out)
{
    const AstList *args = &node->call.args;
    const char *name = node->call.name;
    wb_buf_puts(out, name);
    if (node->call.no_parens) return;
    wb_buf_putc(out, '(');
    size_t name_len = strlen(name);
    if (node->call.has_unit && wb_ieq(name, name_len, "EXTRACT") && args->count == 1) {
        wb_buf_printf(out, "%s FROM ", sql_time_unit_name(node->call.unit));
        fmt(args->items[0], out);
    } else if (node->call.has_unit && args->count == 1) {
        fmt(args->items[0], out);
        wb_buf_printf(out, " TO %s", sql_time_unit_name(node->call.unit));
    } else if (node->call.has_unit) {
        wb_buf_printf(out, "%s, ", sql_time_unit_name(node->call.unit));
        put_list(args, ", ", out);
    } else if (wb_ieq(name, name_len, "TRIM") && args->count == 2) {
        static const char *const modes[] = {"BOTH", "LEADING", "TRAILING"};
        wb_buf_printf(out, "%s ", modes[node->call.trim_mode]);
        fmt(args->items[0], out);
        wb_buf_puts(out, " FROM ");
        fmt(args->items[1], out);
    } else if (wb_ieq(name, name_len, "POSITION") && args->count == 2) {
        fmt(args->items[0], out);
        wb_buf_puts(out, " IN ");
        fmt(args->items[1], out);
    } else {
        if (node->call.distinct) wb_buf_puts(out, "DISTINCT ");
        if (node->call.star) wb_buf_putc(out, '*');
        put_list(args, ", ", out);
    }
    wb_buf_putc(out, ')');
    if (node->call.filter) {
        wb_buf_puts(out, " FILTER (WHERE ");
        fmt(node->call.filter, out);
        wb_buf_putc(out, ')');
    }
    if (node->call.over) {
        wb_buf_puts(out, " OVER ");
        fmt(node->call.over, out);
    }
}

static void fmt_create_table(const AstNode *node, WbBuf *out)
{
    wb_buf_puts(out, "CREATE ");
    if (node->create_table.temporary) wb_buf_puts(out, "TEMPORARY ");
    wb_buf_puts(out, "TABLE ");
    if (node->create_table.if_not_exists) wb_buf_puts(out, "IF NOT EXISTS ");
    put_dotted(node->create_table.name, out);
    bool any = node->create_table.columns.count || node->create_table.primary_key.count ||
               node->create_table.watermark_col;
    if (any) {
        wb_buf_puts(out, " (");
        put_list(&node->create_table.columns, ", ", out);
        bool sep = node->create_table.columns.count > 0;
        if (node->create_table.primary_key.count) {
            wb_buf_puts(out, sep ? ", " : "");
            wb_buf_puts(out, "PRIMARY KEY ");
            put_ident_list(&node->create_table.primary_key, out);
            wb_buf_puts(out, " NOT ENFORCED");
            sep = true;
        }
        if (node->create_table.watermark_col) {
            wb_buf_puts(out, sep ? ", " : "");
            wb_buf_puts(out, "WATERMARK FOR ");
            put_ident(node->create_table.watermark_col, out);
            wb_buf_puts(out, " AS ");
            fmt(node->create_table.watermark, out);
        }
        wb_buf_putc(out, ')');
    }
    if (node->create_table.comment) {
        wb_buf_puts(out, " COMMENT ");
        put_cstring(node->create_table.comment, out);
    }
    if (node->create_table.partitioned_by.count) {
        wb_buf_puts(out, " PARTITIONED BY ");
        put_ident_list(&node->create_table.partitioned_by, out);
    }
    if (node->create_table.options.count) {
        wb_buf_puts(out, " WITH (");
        put_list(&node->create_table.options, ", ", out);
        wb_buf_putc(out, ')');
    }
    if (node->create_table.as_query) {
        wb_buf_puts(out, " AS ");
        fmt(node->create_table.as_query, out);
    }
}

static void fmt_literal(const AstNode *node, WbBuf *out)
{
    switch ((TypeId)node->literal.type.id) {
    case TY_STRING:
        put_string(node->literal.str, (size_t)node->literal.str_len, out);
        return;
    case TY_BYTES:
        wb_buf_puts(out, "X'");
        for (int32_t i = 0; i < node->literal.str_len; i++)
            wb_buf_printf(out, "%02x", (unsigned char)node->literal.str[i]);
        wb_buf_putc(out, '\'');
        return;
    case TY_INTERVAL_DT:
    case TY_INTERVAL_YM:
        /* the converted value, so that tests see the conversion */
        wb_buf_printf(out, "INTERVAL '%lld' %s", (long long)node->literal.i64,
                      node->literal.type.id == TY_INTERVAL_YM ? "MONTH" : "MILLISECOND");
        return;
    default:
        wb_buf_puts(out, node->literal.text ? node->literal.text : "?");
        return;
    }
}

static void fmt(const AstNode *node, WbBuf *out)
{
    if (!node) {
        wb_buf_puts(out, "<null>");
        return;
    }
    switch (node->kind) {
    case AST_CREATE_TABLE:
        fmt_create_table(node, out);
        break;
    case AST_CREATE_VIEW:
        wb_buf_puts(out, "CREATE ");
        if (node->create_view.temporary) wb_buf_puts(out, "TEMPORARY ");
        wb_buf_puts(out, "VIEW ");
        if (node->create_view.if_not_exists) wb_buf_puts(out, "IF NOT EXISTS ");
        put_dotted(node->create_view.name, out);
        if (node->create_view.columns.count) {
            wb_buf_putc(out, ' ');
            put_ident_list(&node->create_view.columns, out);
        }
        wb_buf_puts(out, " AS ");
        fmt(node->create_view.query, out);
        break;
    case AST_DROP:
        wb_buf_puts(out, "DROP ");
        if (node->drop.temporary) wb_buf_puts(out, "TEMPORARY ");
        wb_buf_puts(out, node->drop.is_view ? "VIEW " : "TABLE ");
        if (node->drop.if_exists) wb_buf_puts(out, "IF EXISTS ");
        put_dotted(node->drop.name, out);
        break;
    case AST_SHOW:
        switch (node->show.what) {
        case ASH_TABLES: wb_buf_puts(out, "SHOW TABLES"); break;
        case ASH_VIEWS: wb_buf_puts(out, "SHOW VIEWS"); break;
        case ASH_FUNCTIONS: wb_buf_puts(out, "SHOW FUNCTIONS"); break;
        case ASH_CREATE_TABLE: wb_buf_puts(out, "SHOW CREATE TABLE "); break;
        case ASH_CREATE_VIEW: wb_buf_puts(out, "SHOW CREATE VIEW "); break;
        }
        if (node->show.name) put_dotted(node->show.name, out);
        break;
    case AST_DESCRIBE:
        wb_buf_puts(out, "DESCRIBE ");
        put_dotted(node->describe.name, out);
        break;
    case AST_EXPLAIN:
        wb_buf_puts(out, "EXPLAIN ");
        fmt(node->explain.stmt, out);
        break;
    case AST_SET:
    case AST_RESET:
        wb_buf_puts(out, node->kind == AST_SET ? "SET" : "RESET");
        if (node->set.key) {
            wb_buf_putc(out, ' ');
            put_cstring(node->set.key, out);
        }
        if (node->set.value) {
            wb_buf_puts(out, " = ");
            put_cstring(node->set.value, out);
        }
        break;
    case AST_INSERT:
        wb_buf_puts(out, node->insert.overwrite ? "INSERT OVERWRITE " : "INSERT INTO ");
        put_dotted(node->insert.table, out);
        put_hints(&node->insert.table_hints, out);
        for (int32_t i = 0; i < node->insert.partition_cols.count; i++) {
            wb_buf_puts(out, i ? ", " : " PARTITION (");
            fmt(node->insert.partition_cols.items[i], out);
            wb_buf_puts(out, " = ");
            fmt(node->insert.partition_values.items[i], out);
            if (i + 1 == node->insert.partition_cols.count) wb_buf_putc(out, ')');
        }
        if (node->insert.columns.count) {
            wb_buf_putc(out, ' ');
            put_ident_list(&node->insert.columns, out);
        }
        wb_buf_putc(out, ' ');
        fmt(node->insert.query, out);
        break;
    case AST_ALTER_TABLE: {
        static const char *const verbs[] = {"ADD", "MODIFY", "DROP", "RENAME", "RENAME TO", "SET", "RESET"};
        wb_buf_puts(out, node->alter.if_exists ? "ALTER TABLE IF EXISTS " : "ALTER TABLE ");
        put_dotted(node->alter.name, out);
        wb_buf_printf(out, " %s ", verbs[node->alter.action]);
        switch (node->alter.action) {
        case AALT_ADD:
        case AALT_MODIFY:
            wb_buf_putc(out, '(');
            put_list(&node->alter.columns, ", ", out);
            wb_buf_putc(out, ')');
            if (node->alter.first) wb_buf_puts(out, " FIRST");
            if (node->alter.after) {
                wb_buf_puts(out, " AFTER ");
                put_ident(node->alter.after, out);
            }
            break;
        case AALT_DROP:
            put_ident_list(&node->alter.names, out);
            break;
        case AALT_RENAME_COLUMN:
            put_ident(node->alter.old_name, out);
            wb_buf_puts(out, " TO ");
            put_ident(node->alter.new_name, out);
            break;
        case AALT_RENAME_TABLE:
            put_dotted(node->alter.new_name, out);
            break;
        case AALT_SET:
            wb_buf_putc(out, '(');
            put_list(&node->alter.options, ", ", out);
            wb_buf_putc(out, ')');
            break;
        case AALT_RESET:
            wb_buf_putc(out, '(');
            for (int32_t i = 0; i < node->alter.names.count; i++) {
                if (i) wb_buf_puts(out, ", ");
                put_cstring(node->alter.names.items[i]->ident.name, out);
            }
            wb_buf_putc(out, ')');
            break;
        }
        break;
    }
    case AST_DELETE:
    case AST_UPDATE:
        wb_buf_puts(out, node->kind == AST_DELETE ? "DELETE FROM " : "UPDATE ");
        fmt(node->dml.target, out);
        for (int32_t i = 0; i < node->dml.set_cols.count; i++) {
            wb_buf_puts(out, i ? ", " : " SET ");
            fmt(node->dml.set_cols.items[i], out);
            wb_buf_puts(out, " = ");
            fmt(node->dml.set_values.items[i], out);
        }
        if (node->dml.where) {
            wb_buf_puts(out, " WHERE ");
            fmt(node->dml.where, out);
        }
        break;
    case AST_CALL_PROC:
        wb_buf_puts(out, "CALL ");
        put_dotted(node->call_proc.name, out);
        wb_buf_putc(out, '(');
        for (int32_t i = 0; i < node->call_proc.args.count; i++) {
            if (i) wb_buf_puts(out, ", ");
            if (node->call_proc.arg_names[i]) {
                put_ident(node->call_proc.arg_names[i], out);
                wb_buf_puts(out, " => ");
            }
            fmt(node->call_proc.args.items[i], out);
        }
        wb_buf_putc(out, ')');
        break;
    case AST_SELECT:
        put_tail_prefix(&node->select.tail, out);
        wb_buf_puts(out, "SELECT");
        put_hints(&node->select.hints, out);
        wb_buf_puts(out, node->select.distinct ? " DISTINCT " : " ");
        put_list(&node->select.items, ", ", out);
        if (node->select.from) {
            wb_buf_puts(out, " FROM ");
            fmt(node->select.from, out);
        }
        if (node->select.where) {
            wb_buf_puts(out, " WHERE ");
            fmt(node->select.where, out);
        }
        if (node->select.group_by.count) {
            wb_buf_puts(out, " GROUP BY ");
            put_list(&node->select.group_by, ", ", out);
        }
        if (node->select.having) {
            wb_buf_puts(out, " HAVING ");
            fmt(node->select.having, out);
        }
        put_tail_suffix(&node->select.tail, out);
        break;
    case AST_SETOP: {
        static const char *const ops[] = {"UNION", "INTERSECT", "EXCEPT"};
        put_tail_prefix(&node->setop.tail, out);
        put_query_paren(node->setop.left, out);
        wb_buf_printf(out, " %s%s ", ops[node->setop.op], node->setop.all ? " ALL" : "");
        put_query_paren(node->setop.right, out);
        put_tail_suffix(&node->setop.tail, out);
        break;
    }
    case AST_VALUES:
        put_tail_prefix(&node->values.tail, out);
        wb_buf_puts(out, "VALUES ");
        put_list(&node->values.rows, ", ", out);
        put_tail_suffix(&node->values.tail, out);
        break;
    case AST_TABLE_REF:
        put_dotted(node->table_ref.name, out);
        put_hints(&node->table_ref.hints, out);
        if (node->table_ref.system_time) {
            wb_buf_puts(out, " FOR SYSTEM_TIME AS OF ");
            fmt(node->table_ref.system_time, out);
        }
        if (node->table_ref.alias) {
            wb_buf_puts(out, " AS ");
            put_ident(node->table_ref.alias, out);
            if (node->table_ref.col_aliases.count) put_ident_list(&node->table_ref.col_aliases, out);
        }
        break;
    case AST_SUBQUERY_REF:
        put_query_paren(node->subquery_ref.query, out);
        if (node->subquery_ref.alias) {
            wb_buf_puts(out, " AS ");
            put_ident(node->subquery_ref.alias, out);
            if (node->subquery_ref.col_aliases.count)
                put_ident_list(&node->subquery_ref.col_aliases, out);
        }
        break;
    case AST_TVF_REF: {
        wb_buf_puts(out, "TABLE(");
        wb_buf_puts(out, node->tvf.func);
        wb_buf_puts(out, "(TABLE ");
        fmt(node->tvf.data, out);
        if (node->tvf.partition.count) {
            wb_buf_puts(out, " PARTITION BY ");
            put_ident_list(&node->tvf.partition, out);
        }
        wb_buf_puts(out, ", DESCRIPTOR(");
        put_ident(node->tvf.timecol, out);
        wb_buf_putc(out, ')');
        for (int32_t i = 0; i < node->tvf.args.count; i++) {
            wb_buf_puts(out, ", ");
            if (node->tvf.arg_names[i]) {
                wb_buf_puts(out, node->tvf.arg_names[i]);
                wb_buf_puts(out, " => ");
            }
            fmt(node->tvf.args.items[i], out);
        }
        wb_buf_puts(out, "))");
        if (node->tvf.alias) {
            wb_buf_puts(out, " AS ");
            put_ident(node->tvf.alias, out);
            if (node->tvf.col_aliases.count) put_ident_list(&node->tvf.col_aliases, out);
        }
        break;
    }
    case AST_JOIN: {
        static const char *const types[] = {"INNER JOIN", "LEFT JOIN", "RIGHT JOIN",
                                            "FULL JOIN", "CROSS JOIN"};
        wb_buf_putc(out, '(');
        fmt(node->join.left, out);
        if (node->join.implicit) wb_buf_puts(out, ", ");
        else wb_buf_printf(out, " %s ", types[node->join.type]);
        fmt(node->join.right, out);
        if (node->join.on) {
            wb_buf_puts(out, " ON ");
            fmt(node->join.on, out);
        }
        if (node->join.using_cols.count) {
            wb_buf_puts(out, " USING ");
            put_ident_list(&node->join.using_cols, out);
        }
        wb_buf_putc(out, ')');
        break;
    }
    case AST_LITERAL:
        fmt_literal(node, out);
        break;
    case AST_COLUMN_REF:
        if (node->column_ref.qualifier) {
            put_dotted(node->column_ref.qualifier, out);
            wb_buf_putc(out, '.');
        }
        put_ident(node->column_ref.name, out);
        break;
    case AST_STAR:
        if (node->star.qualifier) {
            put_dotted(node->star.qualifier, out);
            wb_buf_putc(out, '.');
        }
        wb_buf_putc(out, '*');
        break;
    case AST_UNARY:
        /* -(x) rather than - x: "- 1" would parse back as the literal -1 */
        wb_buf_puts(out, node->op.op == AOP_NOT ? "(NOT " : "-(");
        fmt(node->op.left, out);
        wb_buf_putc(out, ')');
        break;
    case AST_BINARY:
        wb_buf_putc(out, '(');
        fmt(node->op.left, out);
        wb_buf_printf(out, " %s ", sql_ast_op_name(node->op.op));
        fmt(node->op.right, out);
        wb_buf_putc(out, ')');
        break;
    case AST_IS: {
        static const char *const whats[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        wb_buf_putc(out, '(');
        fmt(node->is.arg, out);
        wb_buf_printf(out, " IS %s%s)", node->is.negated ? "NOT " : "", whats[node->is.what]);
        break;
    }
    case AST_BETWEEN:
        wb_buf_putc(out, '(');
        fmt(node->between.arg, out);
        wb_buf_printf(out, " %sBETWEEN %s", node->between.negated ? "NOT " : "",
                      node->between.symmetric ? "SYMMETRIC " : "");
        fmt(node->between.low, out);
        wb_buf_puts(out, " AND ");
        fmt(node->between.high, out);
        wb_buf_putc(out, ')');
        break;
    case AST_IN_LIST:
    case AST_IN_QUERY:
        wb_buf_putc(out, '(');
        fmt(node->in.arg, out);
        if (node->kind == AST_IN_QUERY && node->in.quantified)
            wb_buf_printf(out, " %s %s (", sql_ast_op_name(node->in.cmp), node->in.all ? "ALL" : "ANY");
        else
            wb_buf_puts(out, node->in.negated ? " NOT IN (" : " IN (");
        if (node->kind == AST_IN_LIST) put_list(&node->in.list, ", ", out);
        else fmt(node->in.query, out);
        wb_buf_puts(out, "))");
        break;
    case AST_LIKE:
        wb_buf_putc(out, '(');
        fmt(node->like.arg, out);
        wb_buf_printf(out, " %s%s ", node->like.negated ? "NOT " : "",
                      node->like.similar ? "SIMILAR TO" : "LIKE");
        fmt(node->like.pattern, out);
        if (node->like.escape) {
            wb_buf_puts(out, " ESCAPE ");
            fmt(node->like.escape, out);
        }
        wb_buf_putc(out, ')');
        break;
    case AST_EXISTS:
        wb_buf_puts(out, "EXISTS ");
        put_query_paren(node->subquery.query, out);
        break;
    case AST_SUBQUERY:
        put_query_paren(node->subquery.query, out);
        break;
    case AST_CASE:
        wb_buf_puts(out, "CASE");
        if (node->case_.operand) {
            wb_buf_putc(out, ' ');
            fmt(node->case_.operand, out);
        }
        for (int32_t i = 0; i < node->case_.whens.count; i++) {
            wb_buf_puts(out, " WHEN ");
            fmt(node->case_.whens.items[i], out);
            wb_buf_puts(out, " THEN ");
            fmt(node->case_.thens.items[i], out);
        }
        if (node->case_.else_expr) {
            wb_buf_puts(out, " ELSE ");
            fmt(node->case_.else_expr, out);
        }
        wb_buf_puts(out, " END");
        break;
    case AST_CAST:
        wb_buf_puts(out, node->cast.try_cast ? "TRY_CAST(" : "CAST(");
        fmt(node->cast.arg, out);
        wb_buf_puts(out, " AS ");
        put_type(node->cast.type, node->cast.ltz, out);
        wb_buf_putc(out, ')');
        break;
    case AST_CALL:
        fmt_call(node, out);
        break;
    case AST_COLUMN_DEF:
        put_ident(node->column_def.name, out);
        if (node->column_def.computed) {
            wb_buf_puts(out, " AS ");
            fmt(node->column_def.computed, out);
        } else {
            wb_buf_putc(out, ' ');
            put_type(node->column_def.type, node->column_def.ltz, out);
            if (node->column_def.is_metadata) {
                wb_buf_puts(out, " METADATA");
                if (node->column_def.metadata_key) {
                    wb_buf_puts(out, " FROM ");
                    put_cstring(node->column_def.metadata_key, out);
                }
                if (node->column_def.is_virtual) wb_buf_puts(out, " VIRTUAL");
            }
        }
        if (node->column_def.comment) {
            wb_buf_puts(out, " COMMENT ");
            put_cstring(node->column_def.comment, out);
        }
        break;
    case AST_OPTION:
        put_cstring(node->option.key, out);
        wb_buf_puts(out, " = ");
        put_cstring(node->option.value, out);
        break;
    case AST_SELECT_ITEM:
        fmt(node->select_item.expr, out);
        if (node->select_item.alias) {
            wb_buf_puts(out, " AS ");
            put_ident(node->select_item.alias, out);
        }
        break;
    case AST_ORDER_ITEM:
        fmt(node->order_item.expr, out);
        if (node->order_item.desc) wb_buf_puts(out, " DESC");
        if (node->order_item.nulls_first) wb_buf_puts(out, " NULLS FIRST");
        if (node->order_item.nulls_last) wb_buf_puts(out, " NULLS LAST");
        break;
    case AST_CTE:
        put_ident(node->cte.name, out);
        if (node->cte.columns.count) put_ident_list(&node->cte.columns, out);
        wb_buf_puts(out, " AS ");
        put_query_paren(node->cte.query, out);
        break;
    case AST_ROW:
        wb_buf_putc(out, '(');
        put_list(&node->row.items, ", ", out);
        wb_buf_putc(out, ')');
        break;
    case AST_WINDOW: {
        wb_buf_putc(out, '(');
        bool sep = false;
        if (node->window.partition_by.count) {
            wb_buf_puts(out, "PARTITION BY ");
            put_list(&node->window.partition_by, ", ", out);
            sep = true;
        }
        if (node->window.order_by.count) {
            wb_buf_puts(out, sep ? " ORDER BY " : "ORDER BY ");
            put_list(&node->window.order_by, ", ", out);
            sep = true;
        }
        if (node->window.frame_start != AFB_NONE) {
            wb_buf_puts(out, sep ? " " : "");
            wb_buf_puts(out, node->window.frame_rows ? "ROWS " : "RANGE ");
            if (node->window.frame_end != AFB_NONE) {
                wb_buf_puts(out, "BETWEEN ");
                put_frame_bound(node->window.frame_start, node->window.start_offset, out);
                wb_buf_puts(out, " AND ");
                put_frame_bound(node->window.frame_end, node->window.end_offset, out);
            } else {
                put_frame_bound(node->window.frame_start, node->window.start_offset, out);
            }
        }
        wb_buf_putc(out, ')');
        break;
    }
    case AST_IDENT:
        put_ident(node->ident.name, out);
        break;
    case AST_HINT:
        wb_buf_puts(out, node->hint.name);
        if (node->hint.args.count) {
            wb_buf_putc(out, '(');
            put_list(&node->hint.args, ", ", out);
            wb_buf_putc(out, ')');
        }
        break;
    case AST__COUNT:
        wb_buf_puts(out, "?");
        break;
    }
}

void sql_ast_format(const AstNode *node, WbBuf *out)
{
    fmt(node, out);
}
