/*
 * fmt_json.c - the json family of formats, one JSON object per line:
 * json (a row per object), debezium-json and canal-json (changelog
 * envelopes that decode into +1/-1 rows), and the JSON value writer.
 *
 * Changelog records are decoded into a pending batch first and drained
 * into the caller's batch, so a record's rows that do not fit carry over to
 * the next call; an update's -1/+1 pair stays in one batch unless the batch
 * holds a single row.
 */
#include "connect/connect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct JsonDecoder {
    JsonOptions opts;
    int32_t ncols;
    SqlType *types;
    const char **names;
    size_t *name_len;
    uint8_t *seen;               /* per column, for fail-on-missing-field */
    int32_t last_col;            /* column matched last: fields usually repeat in order */
    JsonDoc doc;
    /* changelog formats: rows decoded but not yet handed out */
    Batch *pending;
    int32_t pending_pos;
    int32_t *groups;             /* rows per change: 1, or 2 for an update pair */
    int32_t ngroups, group_pos, cap_groups;
};

/* A record-level failure: reason text (formatted) and whether the record
 * may be skipped under ignore-parse-errors (all may, today). */
typedef struct RecordFail {
    char reason[400];
    const char *sqlstate;
} RecordFail;

int cn_json_options(const TableDef *table, CnFormat format, JsonOptions *opts, WbError *err)
{
    static const char *const standards[] = {"SQL", "ISO-8601", NULL};
    const char *prefix = cn_format_names[format];
    char key[96];
    memset(opts, 0, sizeof *opts);
    opts->format = format;
    snprintf(key, sizeof key, "%s.ignore-parse-errors", prefix);
    if (cn_opt_bool(table, key, false, &opts->ignore_errors, err) != 0) return -1;
    snprintf(key, sizeof key, "%s.timestamp-format.standard", prefix);
    int standard;
    if (cn_opt_choice(table, key, standards, 0, &standard, err) != 0) return -1;
    opts->iso_timestamps = standard == 1;
    if (format == CN_FMT_JSON &&
        cn_opt_bool(table, "json.fail-on-missing-field", false, &opts->fail_on_missing, err) != 0)
        return -1;
    bool ignored;
    if (format == CN_FMT_JSON &&
        cn_opt_bool(table, "json.encode.decimal-as-plain-number", false, &ignored, err) != 0)
        return -1;
    /* The envelope is detected either way; the option is only checked. */
    if (format == CN_FMT_DEBEZIUM &&
        cn_opt_bool(table, "debezium-json.schema-include", false, &ignored, err) != 0)
        return -1;
    return 0;
}

JsonDecoder *cn_json_decoder_new(const TableDef *table, const JsonOptions *opts)
{
    JsonDecoder *d = wb_calloc(1, sizeof *d);
    d->opts = *opts;
    d->names = cn_physical_names(table, &d->ncols);
    size_t n = (size_t)(d->ncols ? d->ncols : 1);
    d->types = wb_malloc(sizeof(SqlType) * n);
    sql_table_physical(table, d->types, NULL);
    d->name_len = wb_malloc(sizeof(size_t) * n);
    for (int32_t col = 0; col < d->ncols; col++) d->name_len[col] = strlen(d->names[col]);
    d->seen = wb_calloc(n, 1);
    cn_json_doc_init(&d->doc);
    if (opts->format != CN_FMT_JSON) d->pending = ty_batch_new(d->types, d->ncols, 16);
    return d;
}

void cn_json_decoder_free(JsonDecoder *d)
{
    if (!d) return;
    free(d->names);
    free(d->types);
    free(d->name_len);
    free(d->seen);
    free(d->groups);
    cn_json_doc_free(&d->doc);
    ty_batch_free(d->pending);
    free(d);
}

static int32_t find_column(JsonDecoder *d, const char *name, size_t len)
{
    int32_t guess = d->last_col + 1 < d->ncols ? d->last_col + 1 : 0;
    for (int32_t i = 0; i < d->ncols; i++) {
        int32_t col = guess + i < d->ncols ? guess + i : guess + i - d->ncols;
        if (d->name_len[col] == len && memcmp(d->names[col], name, len) == 0) {
            d->last_col = col;
            return col;
        }
    }
    return -1;
}

static const char *kind_name(JsonKind kind)
{
    switch (kind) {
    case JS_NULL: return "null";
    case JS_FALSE:
    case JS_TRUE: return "boolean";
    case JS_NUMBER: return "number";
    case JS_STRING: return "string";
    case JS_OBJECT: return "object";
    case JS_ARRAY: return "array";
    }
    return "value";
}

/* Stores node `idx` into (row, col).  Returns 0, or -1 with fail set. */
static int set_cell(JsonDecoder *d, Batch *b, int32_t col, int32_t row, int32_t idx,
                    RecordFail *fail)
{
    const JsonDoc *doc = &d->doc;
    const JsonNode *node = &doc->nodes[idx];
    ColumnVector *vec = &b->cols[col];
    const TypeId id = (TypeId)d->types[col].id;
    if (node->kind == JS_NULL) {
        vec->nulls[row] = 1;
        return 0;
    }
    vec->nulls[row] = 0;
    /* the text a scalar is parsed from: a string's value or the raw token */
    const char *text;
    size_t len;
    if (node->kind == JS_STRING) text = cn_json_str(doc, node, &len);
    else {
        text = doc->text + node->start;
        len = node->len;
    }
    if (id == TY_STRING || id == TY_BYTES) {
        /* nested objects and arrays keep their JSON text */
        vec->str[row] = ty_batch_str(b, text, (uint32_t)len);
        return 0;
    }
    bool kind_ok;
    switch (id) {
    case TY_BOOLEAN: kind_ok = node->kind == JS_TRUE || node->kind == JS_FALSE || node->kind == JS_STRING; break;
    case TY_INT:
    case TY_BIGINT:
    case TY_DOUBLE:
    case TY_DECIMAL: kind_ok = node->kind == JS_NUMBER || node->kind == JS_STRING; break;
    default: kind_ok = node->kind == JS_STRING; break;
    }
    char tname[64];
    if (!kind_ok) {
        fail->sqlstate = WB_SQLSTATE_BAD_VALUE;
        snprintf(fail->reason, sizeof fail->reason, "cannot read a JSON %s into column %s %s",
                 kind_name((JsonKind)node->kind), d->names[col], ty_name(d->types[col], tname, sizeof tname));
        return -1;
    }
    int rc;
    switch (id) {
    case TY_BOOLEAN:
        if (node->kind == JS_STRING) rc = ty_parse_bool(text, len, &vec->i64[row]);
        else { vec->i64[row] = node->kind == JS_TRUE; rc = 0; }
        break;
    case TY_INT:
    case TY_BIGINT:
        rc = ty_parse_int64(text, len, &vec->i64[row]);
        if (rc == 0 && id == TY_INT && (vec->i64[row] > INT32_MAX || vec->i64[row] < INT32_MIN)) rc = -2;
        break;
    case TY_DOUBLE: rc = ty_parse_double(text, len, &vec->f64[row]); break;
    case TY_DECIMAL:
        /* exact: from the number's text, never through a double */
        rc = ty_parse_decimal(text, len, d->types[col].precision, d->types[col].scale, &vec->i64[row]);
        break;
    default: {
        /* temporal and interval values: text in the SQL or ISO-8601 form
         * (both are accepted whatever the standard option says) */
        WbError local;
        wb_error_clear(&local);
        rc = ty_parse_value(b, col, row, text, len, &local);
        if (rc != 0) rc = strcmp(local.sqlstate, WB_SQLSTATE_OVERFLOW) == 0 ? -2 : -1;
        break;
    }
    }
    if (rc == 0) return 0;
    int shown = len > 64 ? 64 : (int)len;
    fail->sqlstate = rc == -2 ? WB_SQLSTATE_OVERFLOW : WB_SQLSTATE_BAD_VALUE;
    snprintf(fail->reason, sizeof fail->reason, rc == -2 ? "value \"%.*s\"%s is out of range for column %s %s"
                                                         : "invalid value \"%.*s\"%s for column %s %s",
             shown, text, len > 64 ? "..." : "", d->names[col], ty_name(d->types[col], tname, sizeof tname));
    return -1;
}

/* Stores the members of object `obj` that name columns into row; columns
 * without a member are left alone (overlay) or set NULL (fill). */
static int put_members(JsonDecoder *d, Batch *b, int32_t row, int32_t obj, RecordFail *fail)
{
    const JsonDoc *doc = &d->doc;
    int32_t end = doc->nodes[obj].next;
    for (int32_t key = obj + 1; key < end; key = doc->nodes[key + 1].next) {
        size_t len;
        const char *name = cn_json_str(doc, &doc->nodes[key], &len);
        int32_t col = find_column(d, name, len);
        if (col < 0) continue;
        d->seen[col] = 1;
        if (set_cell(d, b, col, row, key + 1, fail) != 0) return -1;
    }
    return 0;
}

static int fill_row(JsonDecoder *d, Batch *b, int32_t row, int32_t obj, RecordFail *fail)
{
    for (int32_t col = 0; col < d->ncols; col++) b->cols[col].nulls[row] = 1;
    memset(d->seen, 0, (size_t)d->ncols);
    if (put_members(d, b, row, obj, fail) != 0) return -1;
    if (d->opts.fail_on_missing) {
        for (int32_t col = 0; col < d->ncols; col++) {
            if (d->seen[col]) continue;
            fail->sqlstate = WB_SQLSTATE_BAD_VALUE;
            snprintf(fail->reason, sizeof fail->reason, "missing field \"%s\"", d->names[col]);
            return -1;
        }
    }
    return 0;
}

/* ---- changelog envelopes into the pending batch ---- */

static int32_t pending_row(JsonDecoder *d, int64_t weight)
{
    Batch *p = d->pending;
    if (p->nrows == p->capacity) ty_batch_reserve(p, p->capacity * 2);
    p->weights[p->nrows] = weight;
    return p->nrows++;
}

static void pending_group(JsonDecoder *d, int32_t rows)
{
    if (d->ngroups == d->cap_groups) {
        d->cap_groups = d->cap_groups ? d->cap_groups * 2 : 16;
        d->groups = wb_realloc(d->groups, sizeof(int32_t) * (size_t)d->cap_groups);
    }
    d->groups[d->ngroups++] = rows;
}

static int envelope_fail(RecordFail *fail, const char *fmt, const char *arg)
{
    fail->sqlstate = WB_SQLSTATE_BAD_VALUE;
    snprintf(fail->reason, sizeof fail->reason, fmt, arg);
    return -1;
}

static bool is_object(const JsonDoc *doc, int32_t idx)
{
    return idx >= 0 && doc->nodes[idx].kind == JS_OBJECT;
}

static int decode_debezium(JsonDecoder *d, RecordFail *fail)
{
    const JsonDoc *doc = &d->doc;
    int32_t env = 0;
    if (doc->nodes[0].kind == JS_NULL) return 0;            /* tombstone */
    if (doc->nodes[0].kind != JS_OBJECT) return envelope_fail(fail, "expected a JSON object%s", "");
    int32_t payload = cn_json_member(doc, 0, "payload");
    if (is_object(doc, payload)) env = payload;
    else if (payload >= 0 && doc->nodes[payload].kind == JS_NULL) return 0;
    int32_t op = cn_json_member(doc, env, "op");
    if (op < 0 || doc->nodes[op].kind != JS_STRING)
        return envelope_fail(fail, "debezium-json record without a string \"op\" field%s", "");
    size_t oplen;
    const char *optext = cn_json_str(doc, &doc->nodes[op], &oplen);
    int32_t before = cn_json_member(doc, env, "before");
    int32_t after = cn_json_member(doc, env, "after");
    char opc = oplen == 1 ? optext[0] : '?';
    if (opc == 'c' || opc == 'r' || opc == 'u') {
        if (!is_object(doc, after))
            return envelope_fail(fail, "debezium-json \"%s\" record without an \"after\" object",
                                 opc == 'u' ? "u" : opc == 'c' ? "c" : "r");
    }
    if (opc == 'u' || opc == 'd') {
        if (!is_object(doc, before))
            return envelope_fail(fail, "debezium-json \"%s\" record without a \"before\" object "
                                 "(for PostgreSQL, set REPLICA IDENTITY FULL on the table)",
                                 opc == 'u' ? "u" : "d");
    }
    switch (opc) {
    case 'c':
    case 'r':
        if (fill_row(d, d->pending, pending_row(d, 1), after, fail) != 0) return -1;
        pending_group(d, 1);
        return 0;
    case 'u':
        if (fill_row(d, d->pending, pending_row(d, -1), before, fail) != 0) return -1;
        if (fill_row(d, d->pending, pending_row(d, 1), after, fail) != 0) return -1;
        pending_group(d, 2);
        return 0;
    case 'd':
        if (fill_row(d, d->pending, pending_row(d, -1), before, fail) != 0) return -1;
        pending_group(d, 1);
        return 0;
    default: {
        char shown[40];
        snprintf(shown, sizeof shown, "%.*s", (int)(oplen > 32 ? 32 : oplen), optext);
        return envelope_fail(fail, "unknown debezium-json \"op\" value \"%s\"; expected c, r, u or d", shown);
    }
    }
}

static int decode_canal(JsonDecoder *d, RecordFail *fail)
{
    const JsonDoc *doc = &d->doc;
    if (doc->nodes[0].kind != JS_OBJECT) return envelope_fail(fail, "expected a JSON object%s", "");
    int32_t type = cn_json_member(doc, 0, "type");
    if (type < 0 || doc->nodes[type].kind != JS_STRING)
        return envelope_fail(fail, "canal-json record without a string \"type\" field%s", "");
    size_t tlen;
    const char *ttext = cn_json_str(doc, &doc->nodes[type], &tlen);
    int kind;
    if (tlen == 6 && memcmp(ttext, "INSERT", 6) == 0) kind = 1;
    else if (tlen == 6 && memcmp(ttext, "UPDATE", 6) == 0) kind = 2;
    else if (tlen == 6 && memcmp(ttext, "DELETE", 6) == 0) kind = 3;
    else return 0;                /* DDL (CREATE, ALTER, QUERY...) and others: skipped */
    int32_t data = cn_json_member(doc, 0, "data");
    if (data < 0 || doc->nodes[data].kind == JS_NULL) return 0;
    if (doc->nodes[data].kind != JS_ARRAY)
        return envelope_fail(fail, "canal-json \"data\" is not an array%s", "");
    int32_t old = kind == 2 ? cn_json_member(doc, 0, "old") : -1;
    if (old >= 0 && doc->nodes[old].kind != JS_ARRAY) old = -1;
    int32_t old_item = old >= 0 && old + 1 < doc->nodes[old].next ? old + 1 : -1;
    for (int32_t item = data + 1; item < doc->nodes[data].next; item = doc->nodes[item].next) {
        if (!is_object(doc, item)) return envelope_fail(fail, "canal-json \"data\" holds a non-object%s", "");
        if (kind == 2) {
            /* before image: the new row with the old values of the fields
             * present in old[i] */
            int32_t row = pending_row(d, -1);
            if (fill_row(d, d->pending, row, item, fail) != 0) return -1;
            if (is_object(doc, old_item) && put_members(d, d->pending, row, old_item, fail) != 0) return -1;
            if (fill_row(d, d->pending, pending_row(d, 1), item, fail) != 0) return -1;
            pending_group(d, 2);
            if (old_item >= 0) {
                old_item = doc->nodes[old_item].next;
                if (old_item >= doc->nodes[old].next) old_item = -1;
            }
        } else {
            if (fill_row(d, d->pending, pending_row(d, kind == 1 ? 1 : -1), item, fail) != 0) return -1;
            pending_group(d, 1);
        }
    }
    return 0;
}

/* Moves pending rows into out.  Returns CN_FULL if rows remain pending. */
static int drain(JsonDecoder *d, Batch *out, int32_t max_rows)
{
    while (d->group_pos < d->ngroups) {
        int32_t rows = d->groups[d->group_pos];
        int32_t room = max_rows - out->nrows;
        if (out->nrows > 0 && rows > room) return CN_FULL;
        /* One record's rows (an update's -1/+1 pair) are never split: an
         * empty batch takes the whole record even beyond max_rows, so the
         * edges can show the update as -U/+U. */
        int32_t take = rows;
        for (int32_t i = 0; i < take; i++, d->pending_pos++)
            ty_batch_append_row(out, d->pending, d->pending_pos, d->pending->weights[d->pending_pos]);
        if (take < rows) {
            d->groups[d->group_pos] -= take;
            return CN_FULL;
        }
        d->group_pos++;
    }
    if (d->pending->nrows > 0) ty_batch_reset(d->pending);
    d->ngroups = d->group_pos = d->pending_pos = 0;
    return CN_NEED_MORE;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
    return true;
}

int cn_json_decode(JsonDecoder *d, RecordInput *in, Batch *out, int32_t max_rows, WbError *err)
{
    const bool changelog = d->opts.format != CN_FMT_JSON;
    for (;;) {
        if (changelog && drain(d, out, max_rows) == CN_FULL) return CN_FULL;
        if (out->nrows >= max_rows) return CN_FULL;
        if (in->pos >= in->len) return CN_NEED_MORE;
        const char *s = in->data + in->pos;
        size_t avail = in->len - in->pos;
        const char *nl = memchr(s, '\n', avail);
        if (!nl && !in->eof) return CN_NEED_MORE;
        size_t line_len = nl ? (size_t)(nl - s) : avail;
        size_t rec_len = line_len && s[line_len - 1] == '\r' ? line_len - 1 : line_len;
        int64_t line = in->line;
        int64_t offset = in->base_offset + (int64_t)in->pos;
        in->pos += nl ? line_len + 1 : line_len;
        in->line++;
        if (blank(s, rec_len)) continue;
        in->records++;

        RecordFail fail;
        fail.sqlstate = WB_SQLSTATE_BAD_VALUE;
        size_t bad_at;
        const char *reason;
        int rc;
        if (cn_json_parse(&d->doc, s, rec_len, &bad_at, &reason) != 0) {
            snprintf(fail.reason, sizeof fail.reason, "malformed JSON at column %zu (byte offset %lld): %s",
                     bad_at + 1, (long long)(offset + (int64_t)bad_at), reason);
            offset += (int64_t)bad_at;
            rc = -1;
        } else if (!changelog) {
            if (d->doc.nodes[0].kind != JS_OBJECT) {
                snprintf(fail.reason, sizeof fail.reason, "expected a JSON object, found a JSON %s",
                         kind_name((JsonKind)d->doc.nodes[0].kind));
                rc = -1;
            } else {
                rc = fill_row(d, out, out->nrows, 0, &fail);
                if (rc == 0) out->weights[out->nrows++] = 1;
            }
        } else {
            int32_t rows_before = d->pending->nrows, groups_before = d->ngroups;
            rc = d->opts.format == CN_FMT_DEBEZIUM ? decode_debezium(d, &fail) : decode_canal(d, &fail);
            if (rc != 0) {
                d->pending->nrows = rows_before;
                d->ngroups = groups_before;
            }
        }
        if (rc == 0) continue;
        if (d->opts.ignore_errors) {
            in->dirty++;
            continue;
        }
        cn_record_error(err, fail.sqlstate, in, line, offset, "%s", fail.reason);
        return -1;
    }
}

/* ---- writing ---- */

void cn_json_write_value(const JsonOptions *opts, const ColumnVector *col, int32_t row, WbBuf *out)
{
    if (col->nulls[row]) {
        wb_buf_append(out, "null", 4);
        return;
    }
    switch ((TypeId)col->type.id) {
    case TY_BOOLEAN:
        wb_buf_puts(out, col->i64[row] ? "true" : "false");
        return;
    case TY_INT:
    case TY_BIGINT:
    case TY_DECIMAL:
        ty_format_value(col, row, out);
        return;
    case TY_DOUBLE:
        if (isnan(col->f64[row]) || isinf(col->f64[row])) break;   /* not JSON numbers */
        ty_format_value(col, row, out);
        return;
    case TY_STRING:
    case TY_BYTES:
        cn_json_write_string(col->str[row].ptr, col->str[row].len, out);
        return;
    case TY_TIMESTAMP:
        if (opts->iso_timestamps) {
            size_t start = out->len;
            wb_buf_putc(out, '"');
            ty_format_value(col, row, out);
            char *space = memchr(out->data + start, ' ', out->len - start);
            if (space) *space = 'T';
            wb_buf_putc(out, '"');
            return;
        }
        break;
    default:
        break;
    }
    /* temporal, intervals, NaN/Infinity: their canonical text as a string */
    wb_buf_putc(out, '"');
    ty_format_value(col, row, out);
    wb_buf_putc(out, '"');
}
