/*
 * fmt_json.c - the json family of formats, one JSON object per line:
 * json (a row per object), debezium-json and canal-json (changelog
 * envelopes that decode into +1/-1 rows with their kinds: an update is a
 * -U row then a +U row, a delete -D, an insert +I), and the JSON value
 * writer.
 *
 * Two decoders share the record loop.  The record scanner (json_int.h)
 * decodes a record in one pass: members are matched to columns by name as
 * they are met and their values parsed straight into the column vectors,
 * without a tree, a copy or an allocation per field.  It only takes the
 * records it can decode exactly as the tree decoder would.  Anything else --
 * malformed JSON, a value that does not fit its column, a repeated envelope
 * member, a missing field under fail-on-missing-field, an unknown op --
 * goes to the tree decoder (cn_json_parse + set_cell and friends), which
 * is the reference for every behaviour and writes every error message.
 * The scanner has no side effect a fallback could see: it writes rows past
 * the batch's nrows (canal-json: into a private batch, img), with strings
 * still pointing into the record, and only counts them and copies their
 * strings into the arena once the record is known to be good.
 *
 * A changelog record's rows go straight into the caller's batch when they
 * fit; otherwise into a pending batch that is drained on the next calls, so
 * a record's rows that do not fit carry over; an update's -1/+1 pair stays
 * in one batch unless the batch holds a single row.  The pending batch is
 * empty whenever a record is decoded.
 */
#include "connect/json_int.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool cn_json_fast_enabled = true;

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
    /* the record scanner */
    uint8_t *phys;               /* PhysKind per column */
    Batch *img;                  /* canal-json: the data and old rows of the
                                  * current record (strings point into it) */
    uint8_t *plain_name;         /* per column: its name needs no JSON escape */
    int32_t *str_cols;           /* the STRING and BYTES columns */
    int32_t nstr_cols;
    Batch *dbz_dst;              /* debezium-json: the images go to rows */
    int32_t dbz_used;            /* dbz_dst->nrows.., this many in use */
    WbBuf esc;                   /* the current record's strings with escapes */
    size_t rec_len;              /* esc never needs more than the record's length */
    bool esc_ready;              /* esc has room for rec_len bytes */
    int64_t fast_records;        /* records the scanner decoded (for tests) */
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
    d->phys = wb_malloc(n);
    d->str_cols = wb_malloc(sizeof(int32_t) * n);
    d->plain_name = wb_calloc(n, 1);
    for (int32_t col = 0; col < d->ncols; col++) {
        d->plain_name[col] = 1;
        for (const char *c = d->names[col]; *c; c++)
            if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) d->plain_name[col] = 0;
    }
    for (int32_t col = 0; col < d->ncols; col++) {
        d->phys[col] = (uint8_t)ty_phys(d->types[col]);
        if (d->phys[col] == PK_STR) d->str_cols[d->nstr_cols++] = col;
    }
    cn_json_doc_init(&d->doc);
    if (opts->format != CN_FMT_JSON) {
        d->pending = ty_batch_new(d->types, d->ncols, 16);
        d->img = ty_batch_new(d->types, d->ncols, 4);
    }
    return d;
}

void cn_json_decoder_free(JsonDecoder *d)
{
    if (!d) return;
    free(d->names);
    free(d->types);
    free(d->name_len);
    free(d->seen);
    free(d->phys);
    free(d->str_cols);
    free(d->plain_name);
    free(d->groups);
    cn_json_doc_free(&d->doc);
    ty_batch_free(d->pending);
    ty_batch_free(d->img);
    wb_buf_free(&d->esc);
    free(d);
}

/* Short names compare inline: a libc call costs more than the bytes. */
static inline bool name_equal(const char *a, const char *b, size_t len)
{
    if (len > 16) return memcmp(a, b, len) == 0;
    for (size_t i = 0; i < len; i++)
        if (a[i] != b[i]) return false;
    return true;
}

int64_t cn_json_decoder_fast_records(const JsonDecoder *d)
{
    return d->fast_records;
}

static inline int32_t find_column(JsonDecoder *d, const char *name, size_t len)
{
    int32_t guess = d->last_col + 1 < d->ncols ? d->last_col + 1 : 0;
    for (int32_t i = 0; i < d->ncols; i++) {
        int32_t col = guess + i < d->ncols ? guess + i : guess + i - d->ncols;
        if (d->name_len[col] == len && name_equal(d->names[col], name, len)) {
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
        rc = ty_parse_decimal_cell(vec, row, text, len);
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
    ty_mark_plain(p, p->nrows);
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
        ty_mark_update(d->pending, d->pending->nrows - 2);
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
    if (kind == 2) {
        /* old[i] is data[i]'s before image: without it the update would be
         * made up (a -U equal to its +U); Flink rejects such a record */
        int32_t ndata = 0, nold = 0;
        for (int32_t i = data + 1; i < doc->nodes[data].next; i = doc->nodes[i].next) ndata++;
        if (old >= 0)
            for (int32_t i = old + 1; i < doc->nodes[old].next; i = doc->nodes[i].next) nold++;
        if (nold != ndata) {
            char counts[64];
            snprintf(counts, sizeof counts, "%d \"data\" rows and %d \"old\" rows", (int)ndata,
                     (int)nold);
            return envelope_fail(fail, "canal-json UPDATE record with %s (one \"old\" row per "
                                       "\"data\" row)", counts);
        }
    }
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
            ty_mark_update(d->pending, row);
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

/* ---- the record scanner: one pass, straight into the column vectors ----
 * Each scan_* function returns the pointer past what it scanned, or NULL
 * when the record must go to the tree decoder (see the file comment).
 * `depth` is the nesting depth of the value at p, as cn_json_parse counts
 * it (the record's object is 0). */

#define FAST_DONE 0              /* the record is decoded and its rows are out */
#define FAST_SLOW 1              /* let the tree decoder redo the record */

/* Scans the string at p (the opening quote).  *val points into the record,
 * or into esc when the string has escapes; valid until the next record. */
static inline const char *scan_str(JsonDecoder *d, const char *p, const char *end,
                                   const char **val, size_t *len)
{
    const char *body = p + 1;
    const char *stop = cn_json_str_run(body, end);
    if (stop < end && *stop == '"') {
        *val = body;
        *len = (size_t)(stop - body);
        return stop + 1;
    }
    if (stop >= end || *stop != '\\') return NULL;
    if (!d->esc_ready) {
        /* decoded strings are never longer than their text, so one
         * reservation per record keeps earlier pointers into esc valid */
        wb_buf_clear(&d->esc);
        wb_buf_reserve(&d->esc, d->rec_len);
        d->esc_ready = true;
    }
    char *out = d->esc.data + d->esc.len;
    const char *next = cn_json_unescape(body, stop, end, out, len);
    if (!next) return NULL;
    d->esc.len += *len;
    *val = out;
    return next;
}

/* A string value for (col, row) of b.  It points into the record (or esc)
 * until the record is known to be good: then settle_strings copies it into
 * b's arena, so a record that goes to the tree decoder costs no arena
 * bytes. */
static inline void store_str(Batch *b, int32_t col, int32_t row, const char *text, size_t len)
{
    WbStr *slot = &b->cols[col].str[row];
    slot->ptr = text;
    slot->len = (uint32_t)len;
}

/* Copies the strings of rows [row, row + n) of b into b's arena. */
static void settle_strings(JsonDecoder *d, Batch *b, int32_t row, int32_t n)
{
    for (int32_t i = 0; i < d->nstr_cols; i++) {
        ColumnVector *vec = &b->cols[d->str_cols[i]];
        for (int32_t r = row; r < row + n; r++)
            if (!vec->nulls[r]) vec->str[r] = ty_batch_str(b, vec->str[r].ptr, vec->str[r].len);
    }
}

/* A JSON string into any column type, as set_cell does it.  0 or -1. */
static int store_text(JsonDecoder *d, Batch *b, int32_t col, int32_t row, const char *text,
                      size_t len)
{
    ColumnVector *vec = &b->cols[col];
    const SqlType type = d->types[col];
    switch ((TypeId)type.id) {
    case TY_STRING:
    case TY_BYTES: store_str(b, col, row, text, len); return 0;
    case TY_BOOLEAN: return ty_parse_bool(text, len, &vec->i64[row]);
    case TY_INT:
        if (ty_parse_int64(text, len, &vec->i64[row]) != 0) return -1;
        return vec->i64[row] > INT32_MAX || vec->i64[row] < INT32_MIN ? -1 : 0;
    case TY_BIGINT: return ty_parse_int64(text, len, &vec->i64[row]);
    case TY_DOUBLE: return ty_parse_double(text, len, &vec->f64[row]);
    case TY_DECIMAL:
        return ty_parse_decimal_cell(vec, row, text, len) == 0 ? 0 : -1;
    default: {
        WbError local;
        wb_error_clear(&local);
        return ty_parse_value(b, col, row, text, len, &local);
    }
    }
}

/* Up to eight ASCII digits at once (SWAR on a little-endian load).
 * digit_run: how many of x's bytes, from the first, are digits.  x ^ '0'
 * maps digits to 0..9; adding 0x76 sets a byte's high bit from 10 up, and
 * a byte with its own high bit is no digit either.  A carry out of a
 * non-digit byte can only spoil the bytes after it, so the lowest flagged
 * byte is exact. */
static inline int digit_run(uint64_t x)
{
    uint64_t lo = x ^ 0x3030303030303030ULL;
    uint64_t stop = ((lo + 0x7676767676767676ULL) | lo) & 0x8080808080808080ULL;
    return stop ? __builtin_ctzll(stop) >> 3 : 8;
}

/* The value of the first n (1..8) digit bytes of x: shifting the others
 * out fills with zero bytes, which count as leading zeros; then pairs of
 * digits, pairs of pairs and pairs of those fold with one multiply each. */
static inline uint64_t digits_value(uint64_t x, int n)
{
    x <<= 8 * (8 - n);
    x = ((x & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
    x = ((x & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    return ((x & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
}

/* An integer token (no fraction, no exponent, fits int64) at p; NULL for
 * anything else, which is either malformed or an error for the column. */
static inline const char *scan_int(const char *p, const char *end, int64_t *out)
{
    static const uint64_t pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    bool neg = *p == '-';
    if (neg) p++;
    const char *digits = p;
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Three words hold the 19 digits of the longest int64; arithmetic on
     * more digits wraps, but such a token is refused below. */
    for (int word = 0; word < 3 && end - p >= 8; word++) {
        uint64_t x;
        memcpy(&x, p, 8);
        int n = digit_run(x);
        if (n == 0) break;
        v = v * pow10[n] + digits_value(x, n);
        p += n;
        if (n < 8) goto done;
    }
#endif
    while (p < end && (unsigned)(*p - '0') <= 9) v = v * 10 + (unsigned)(*p++ - '0');
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
done:
#endif
    size_t n = (size_t)(p - digits);
    if (n == 0 || n > 19 || (n > 1 && *digits == '0')) return NULL;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return NULL;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return NULL;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX) return NULL;
        *out = (int64_t)v;
    }
    return p;
}

/* The parts of a number token [p, q) (already checked by the grammar):
 * its significant digits as an integer (up to 19 of them), how many there
 * are, how many digits follow the point, and the exponent. */
typedef struct NumParts {
    bool neg, has_exp;
    uint64_t mant;
    int32_t ndigits, nfrac;
    int64_t exp;
} NumParts;

static bool num_parts(const char *p, const char *q, NumParts *np)
{
    memset(np, 0, sizeof *np);
    if (*p == '-') {
        np->neg = true;
        p++;
    }
    bool point = false;
    for (; p < q; p++) {
        char c = *p;
        if (c == '.') {
            point = true;
            continue;
        }
        if (c == 'e' || c == 'E') break;
        np->nfrac += point;
        if (np->ndigits == 0 && c == '0') continue;
        if (++np->ndigits > 19) return false;
        np->mant = np->mant * 10 + (uint64_t)(c - '0');
    }
    if (p < q) {
        np->has_exp = true;
        p++;
        bool eneg = *p == '-';
        if (*p == '-' || *p == '+') p++;
        if (q - p > 6) return false;
        for (; p < q; p++) np->exp = np->exp * 10 + (*p - '0');
        if (eneg) np->exp = -np->exp;
    }
    return true;
}

/* DOUBLE from a number token: exact when the digits and the power of ten
 * are both exact doubles, so one IEEE multiply or divide rounds correctly
 * (Clinger's fast path); else strtod, through ty_parse_double as the tree
 * decoder does.  Same value either way.  0 or -1. */
static int number_to_double(const char *p, const char *q, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    NumParts np;
    if (q - p <= 40 && num_parts(p, q, &np)) {
        int64_t e10 = np.exp - np.nfrac;
        if (np.mant == 0) {
            *out = np.neg ? -0.0 : 0.0;
            return 0;
        }
        if (np.mant <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
            double v = (double)np.mant;
            v = e10 >= 0 ? v * exact_pow10[e10] : v / exact_pow10[-e10];
            *out = np.neg ? -v : v;
            return 0;
        }
    }
#endif
    return ty_parse_double(p, (size_t)(q - p), out);
}

/* DECIMAL(p,s) from a number token, exact: digits times a power of ten
 * when no rounding is needed and it fits 18 digits; else ty_parse_decimal
 * (HALF_UP), which the tree decoder uses.  0 or -1. */
static int number_to_decimal(const char *p, const char *q, ColumnVector *vec, int32_t row)
{
    const SqlType type = vec->type;
    NumParts np;
    if (num_parts(p, q, &np) && !np.has_exp && np.nfrac <= type.scale &&
        np.ndigits + (type.scale - np.nfrac) <= 18) {
        int64_t v = (int64_t)np.mant * ty_pow10[type.scale - np.nfrac];
        if (!(type.precision > 0 && type.precision < 19 && v >= ty_pow10[type.precision])) {
            ty_dec_set(vec, row, np.neg ? -v : v);
            return 0;
        }
    }
    return ty_parse_decimal_cell(vec, row, p, (size_t)(q - p)) == 0 ? 0 : -1;
}

/* Scans the value at p into (col, row) of b. */
static const char *scan_cell(JsonDecoder *d, Batch *b, int32_t col, int32_t row, const char *p,
                             const char *end, int depth)
{
    ColumnVector *vec = &b->cols[col];
    const TypeId id = (TypeId)d->types[col].id;
    const bool is_str = id == TY_STRING || id == TY_BYTES;
    const char *next;
    if (depth > CN_JSON_MAX_DEPTH) return NULL;
    switch (*p) {
    case '"': {
        const char *text;
        size_t len;
        if (!(next = scan_str(d, p, end, &text, &len))) return NULL;
        if (store_text(d, b, col, row, text, len) != 0) return NULL;
        break;
    }
    case 'n':
        if (!(next = cn_json_literal(p, end, "null", 4))) return NULL;
        vec->nulls[row] = 1;
        return next;
    case 't':
    case 'f':
        next = *p == 't' ? cn_json_literal(p, end, "true", 4) : cn_json_literal(p, end, "false", 5);
        if (!next) return NULL;
        if (id == TY_BOOLEAN) vec->i64[row] = *p == 't';
        else if (is_str) store_str(b, col, row, p, (size_t)(next - p));
        else return NULL;
        break;
    case '{':
    case '[':
        /* a nested value keeps its JSON text, only in a string column */
        if (!is_str || !(next = cn_json_skip(p, end, depth))) return NULL;
        store_str(b, col, row, p, (size_t)(next - p));
        break;
    default:
        if (id == TY_BIGINT || id == TY_INT) {
            if (!(next = scan_int(p, end, &vec->i64[row]))) return NULL;
            if (id == TY_INT && (vec->i64[row] > INT32_MAX || vec->i64[row] < INT32_MIN)) return NULL;
            break;
        }
        if (!(next = cn_json_number_end(p, end))) return NULL;
        if (id == TY_DOUBLE) {
            if (number_to_double(p, next, &vec->f64[row]) != 0) return NULL;
        } else if (id == TY_DECIMAL) {
            if (number_to_decimal(p, next, vec, row) != 0) return NULL;
        } else if (is_str) {
            store_str(b, col, row, p, (size_t)(next - p));
        } else {
            return NULL;
        }
        break;
    }
    vec->nulls[row] = 0;
    return next;
}

/* After a member's name: its ':' and the first byte of its value (NULL
 * when either is missing). */
static inline const char *member_value(const char *p, const char *end)
{
    p = cn_json_blanks(p, end);
    if (p >= end || *p != ':') return NULL;
    p = cn_json_blanks(p + 1, end);
    return p < end ? p : NULL;
}

/* After a value inside an object or array that `close` ends: the next
 * item's first byte, or (*done) the byte after `close`; NULL on bad JSON. */
static inline const char *next_item(const char *p, const char *end, char close, bool *done)
{
    p = cn_json_blanks(p, end);
    if (p >= end) return NULL;
    *done = *p == close;
    if (*done) return p + 1;
    if (*p != ',') return NULL;
    return cn_json_blanks(p + 1, end);
}

/* Scans the object at p into `row` of b: a member naming a column sets its
 * cell (a repeated name: the last wins); other members are checked and
 * skipped.  Cells start as `absent`: 1 (NULL) for a whole row, or
 * ABSENT_CELL for canal-json's old images, which only overlay the cells
 * they hold. */
#define ABSENT_CELL 2
static const char *scan_row(JsonDecoder *d, Batch *b, int32_t row, const char *p, const char *end,
                            int depth, uint8_t absent)
{
    for (int32_t col = 0; col < d->ncols; col++) b->cols[col].nulls[row] = absent;
    p = cn_json_blanks(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    for (;;) {
        if (p >= end || *p != '"') return NULL;
        /* Members usually come in column order: when the next column's
         * name (one without bytes JSON must escape) is there verbatim,
         * followed by the closing quote, the key is that name. */
        int32_t col = d->last_col + 1 < d->ncols ? d->last_col + 1 : 0;
        size_t guess_len = d->ncols ? d->name_len[col] : 0;
        if (d->ncols && d->plain_name[col] && (size_t)(end - p) > guess_len + 1 &&
            p[guess_len + 1] == '"' && name_equal(p + 1, d->names[col], guess_len)) {
            d->last_col = col;
            p += guess_len + 2;
        } else {
            const char *name;
            size_t len;
            if (!(p = scan_str(d, p, end, &name, &len))) return NULL;
            col = find_column(d, name, len);
        }
        if (!(p = member_value(p, end))) return NULL;
        if (col >= 0) {
            d->seen[col] = 1;
            p = scan_cell(d, b, col, row, p, end, depth + 1);
        } else {
            p = cn_json_skip(p, end, depth + 1);
        }
        if (!p) return NULL;
        bool done;
        p = next_item(p, end, '}', &done);
        if (!p || done) return p;
    }
}

/* The record must be one object and nothing else: its first byte. */
static const char *record_object(const char *s, const char *end)
{
    const char *p = cn_json_blanks(s, end);
    return p < end && *p == '{' ? p : NULL;
}

static bool record_ends(const char *p, const char *end)
{
    return p && cn_json_blanks(p, end) == end;
}

static int fast_json(JsonDecoder *d, const char *s, size_t len, Batch *out)
{
    const char *end = s + len;
    const char *p = record_object(s, end);
    if (!p) return FAST_SLOW;
    if (d->opts.fail_on_missing) memset(d->seen, 0, (size_t)d->ncols);
    int32_t row = out->nrows;
    if (!record_ends(scan_row(d, out, row, p, end, 0, 1), end)) return FAST_SLOW;
    if (d->opts.fail_on_missing)
        for (int32_t col = 0; col < d->ncols; col++)
            if (!d->seen[col]) return FAST_SLOW;
    settle_strings(d, out, row, 1);
    out->weights[row] = 1;
    out->nrows++;
    return FAST_DONE;
}

/* debezium-json: the envelope members of one level (the record, or its
 * payload object). */
typedef struct Envelope {
    const char *op;              /* NULL: absent or not a string */
    size_t op_len;
    int32_t before, after;       /* rows of images that are objects, or -1 */
    uint8_t keys;                /* ENV_* members seen */
} Envelope;

enum { ENV_BEFORE = 1, ENV_AFTER = 2, ENV_OP = 4, ENV_PAYLOAD = 8 };
enum { PAYLOAD_NONE, PAYLOAD_OBJECT, PAYLOAD_NULL };

static int envelope_key(const char *name, size_t len, bool top)
{
    switch (len) {
    case 2: return memcmp(name, "op", 2) == 0 ? ENV_OP : 0;
    case 5: return memcmp(name, "after", 5) == 0 ? ENV_AFTER : 0;
    case 6: return memcmp(name, "before", 6) == 0 ? ENV_BEFORE : 0;
    case 7: return top && memcmp(name, "payload", 7) == 0 ? ENV_PAYLOAD : 0;
    default: return 0;
    }
}

/* Scans the envelope object at p.  inner (the record level only) receives
 * a payload object's members and *payload what the payload was.  Images
 * that are objects are decoded into the next free of the two rows at
 * dbz_dst->nrows; a third image (a payload beside a before or after) goes
 * to the tree decoder. */
static const char *scan_envelope(JsonDecoder *d, const char *p, const char *end, int depth,
                                 Envelope *env, Envelope *inner, int *payload)
{
    p = cn_json_blanks(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    for (;;) {
        if (p >= end || *p != '"') return NULL;
        /* the usual members, quotes included, compare as one word each */
        int key;
        size_t left = (size_t)(end - p);
        if (left >= 8 && memcmp(p, "\"before\"", 8) == 0) {
            key = ENV_BEFORE;
            p += 8;
        } else if (left >= 7 && memcmp(p, "\"after\"", 7) == 0) {
            key = ENV_AFTER;
            p += 7;
        } else if (left >= 4 && memcmp(p, "\"op\"", 4) == 0) {
            key = ENV_OP;
            p += 4;
        } else {
            const char *name;
            size_t len;
            if (!(p = scan_str(d, p, end, &name, &len))) return NULL;
            key = envelope_key(name, len, inner != NULL);
        }
        if (!(p = member_value(p, end))) return NULL;
        /* a repeated member: the last wins, which the tree decoder does */
        if (env->keys & key) return NULL;
        env->keys |= (uint8_t)key;
        switch (key) {
        case ENV_BEFORE:
        case ENV_AFTER:
            if (*p == '{') {
                if (d->dbz_used == 2) return NULL;
                int32_t row = d->dbz_dst->nrows + d->dbz_used++;
                *(key == ENV_BEFORE ? &env->before : &env->after) = row;
                p = scan_row(d, d->dbz_dst, row, p, end, depth + 1, 1);
            } else if (*p == 'n') {
                p = cn_json_literal(p, end, "null", 4);       /* the other image of c and d */
            } else {
                p = cn_json_skip(p, end, depth + 1);
            }
            break;
        case ENV_OP:
            p = *p == '"' ? scan_str(d, p, end, &env->op, &env->op_len) : cn_json_skip(p, end, depth + 1);
            break;
        case ENV_PAYLOAD:
            if (*p == '{') {
                *payload = PAYLOAD_OBJECT;
                p = scan_envelope(d, p, end, depth + 1, inner, NULL, NULL);
            } else {
                if (*p == 'n') *payload = PAYLOAD_NULL;
                p = cn_json_skip(p, end, depth + 1);
            }
            break;
        default:
            p = cn_json_skip(p, end, depth + 1);
            break;
        }
        if (!p) return NULL;
        bool done;
        p = next_item(p, end, '}', &done);
        if (!p || done) return p;
    }
}

/* Row a of b takes row c's values (c's are kept when swap). */
static void move_row(JsonDecoder *d, Batch *b, int32_t a, int32_t c, bool swap)
{
    for (int32_t col = 0; col < d->ncols; col++) {
        ColumnVector *vec = &b->cols[col];
        uint8_t null = vec->nulls[a];
        vec->nulls[a] = vec->nulls[c];
        if (swap) vec->nulls[c] = null;
        switch ((PhysKind)d->phys[col]) {
        case PK_I64: {
            int64_t v = vec->i64[a];
            vec->i64[a] = vec->i64[c];
            if (swap) vec->i64[c] = v;
            break;
        }
        case PK_I128: {
            ty_i128 v = vec->i128[a];
            vec->i128[a] = vec->i128[c];
            if (swap) vec->i128[c] = v;
            break;
        }
        case PK_F64: {
            double v = vec->f64[a];
            vec->f64[a] = vec->f64[c];
            if (swap) vec->f64[c] = v;
            break;
        }
        case PK_STR: {
            WbStr v = vec->str[a];
            vec->str[a] = vec->str[c];
            if (swap) vec->str[c] = v;
            break;
        }
        }
    }
}

/* Decodes straight into out when an update pair would fit (or out is
 * empty); else into the empty pending batch, whose drain then decides as
 * for a tree-decoded record. */
static int fast_debezium(JsonDecoder *d, const char *s, size_t len, Batch *out, int32_t max_rows)
{
    const char *end = s + len;
    const char *p = record_object(s, end);
    if (!p) return FAST_SLOW;
    Batch *dst = out->nrows + 2 <= max_rows || out->nrows == 0 ? out : d->pending;
    if (dst->nrows + 2 > dst->capacity) ty_batch_reserve(dst, dst->nrows + 2);
    d->dbz_dst = dst;
    d->dbz_used = 0;
    Envelope top = {NULL, 0, -1, -1, 0}, inner = {NULL, 0, -1, -1, 0};
    int payload = PAYLOAD_NONE;
    if (!record_ends(scan_envelope(d, p, end, 0, &top, &inner, &payload), end)) return FAST_SLOW;
    if (payload == PAYLOAD_NULL) return FAST_DONE;              /* tombstone */
    const Envelope *env = &top;
    if (payload == PAYLOAD_OBJECT) {
        /* members beside a payload object are ignored; rare enough to leave
         * to the tree decoder */
        if (top.keys & (ENV_BEFORE | ENV_AFTER | ENV_OP)) return FAST_SLOW;
        env = &inner;
    }
    if (!env->op || env->op_len != 1) return FAST_SLOW;
    const int32_t base = dst->nrows;
    int32_t rows;
    switch (env->op[0]) {
    case 'c':
    case 'r':
        if (env->after < 0) return FAST_SLOW;
        if (env->after != base) move_row(d, dst, base, env->after, false);
        dst->weights[base] = 1;
        ty_mark_plain(dst, base);
        rows = 1;
        break;
    case 'u':
        if (env->before < 0 || env->after < 0) return FAST_SLOW;
        if (env->before != base) move_row(d, dst, base, env->before, true);
        dst->weights[base] = -1;
        dst->weights[base + 1] = 1;
        ty_mark_update(dst, base);
        rows = 2;
        break;
    case 'd':
        if (env->before < 0) return FAST_SLOW;
        if (env->before != base) move_row(d, dst, base, env->before, false);
        dst->weights[base] = -1;
        ty_mark_plain(dst, base);
        rows = 1;
        break;
    default:
        return FAST_SLOW;
    }
    settle_strings(d, dst, base, rows);
    dst->nrows += rows;
    if (dst == d->pending) pending_group(d, rows);
    return FAST_DONE;
}

/* ---- canal-json: data and old rows go to img first (the type may come
 * last), then to the output in their final order ---- */

/* A new row in img for the current record. */
static int32_t img_row(JsonDecoder *d)
{
    Batch *img = d->img;
    if (img->nrows == img->capacity) ty_batch_reserve(img, img->nrows + 1);
    return img->nrows++;
}

/* Copies img row src into row drow of dst; cells marked ABSENT_CELL are
 * left alone (the overlay of a canal-json old image). */
static void put_img_row(JsonDecoder *d, Batch *dst, int32_t drow, int32_t src)
{
    const Batch *img = d->img;
    for (int32_t col = 0; col < d->ncols; col++) {
        const ColumnVector *sv = &img->cols[col];
        ColumnVector *dv = &dst->cols[col];
        uint8_t null = sv->nulls[src];
        if (null == ABSENT_CELL) continue;
        dv->nulls[drow] = null;
        if (null) continue;
        switch ((PhysKind)d->phys[col]) {
        case PK_I64: dv->i64[drow] = sv->i64[src]; break;
        case PK_I128: dv->i128[drow] = sv->i128[src]; break;
        case PK_F64: dv->f64[drow] = sv->f64[src]; break;
        case PK_STR: dv->str[drow] = ty_batch_str(dst, sv->str[src].ptr, sv->str[src].len); break;
        }
    }
}

/* Where a record's `rows` rows in `changes` changes go: straight into out
 * when they all fit (or out is empty and it is one change, which may
 * exceed max_rows), as draining the pending batch would put them; else
 * into the pending batch, which is empty whenever a record is decoded. */
static Batch *rows_target(JsonDecoder *d, Batch *out, int32_t max_rows, int32_t rows, int32_t changes)
{
    Batch *dst = out->nrows + rows <= max_rows || (out->nrows == 0 && changes == 1) ? out : d->pending;
    ty_batch_reserve(dst, dst->nrows + rows);
    return dst;
}

/* Appends img row src with weight w to dst. */
static void emit_row(JsonDecoder *d, Batch *dst, int32_t src, int32_t overlay, int64_t w)
{
    int32_t row = dst->nrows++;
    put_img_row(d, dst, row, src);
    if (overlay >= 0) put_img_row(d, dst, row, overlay);
    dst->weights[row] = w;
    ty_mark_plain(dst, row);
}

/* Scans canal-json's data or old array at p into consecutive img rows;
 * *first and *count say which.  In old (absent = ABSENT_CELL) an item that
 * is not an object overlays nothing; in data it is an error. */
static const char *scan_rows(JsonDecoder *d, const char *p, const char *end, int depth,
                             uint8_t absent, int32_t *first, int32_t *count)
{
    *first = d->img->nrows;
    p = cn_json_blanks(p + 1, end);
    if (p < end && *p == ']') return p + 1;
    for (;;) {
        if (p >= end) return NULL;
        int32_t row = img_row(d);
        if (*p == '{') {
            p = scan_row(d, d->img, row, p, end, depth + 1, absent);
        } else {
            if (absent != ABSENT_CELL) return NULL;
            for (int32_t col = 0; col < d->ncols; col++) d->img->cols[col].nulls[row] = ABSENT_CELL;
            p = cn_json_skip(p, end, depth + 1);
        }
        (*count)++;
        if (!p) return NULL;
        bool done;
        p = next_item(p, end, ']', &done);
        if (!p || done) return p;
    }
}

enum { CANAL_TYPE = 1, CANAL_DATA = 2, CANAL_OLD = 4 };

static int fast_canal(JsonDecoder *d, const char *s, size_t len, Batch *out, int32_t max_rows)
{
    const char *end = s + len;
    const char *p = record_object(s, end);
    if (!p) return FAST_SLOW;
    d->img->nrows = 0;
    const char *type = NULL;
    size_t type_len = 0;
    int keys = 0;
    bool data_array = false, data_null = false;
    int32_t data_first = 0, ndata = 0, old_first = 0, nold = 0;
    p = cn_json_blanks(p + 1, end);
    if (p < end && *p == '}') {
        p++;
    } else {
        for (;;) {
            const char *name;
            size_t nlen;
            if (p >= end || *p != '"' || !(p = scan_str(d, p, end, &name, &nlen))) return FAST_SLOW;
            p = cn_json_blanks(p, end);
            if (p >= end || *p != ':') return FAST_SLOW;
            p = cn_json_blanks(p + 1, end);
            if (p >= end) return FAST_SLOW;
            int key = nlen == 4 && memcmp(name, "type", 4) == 0   ? CANAL_TYPE
                      : nlen == 4 && memcmp(name, "data", 4) == 0 ? CANAL_DATA
                      : nlen == 3 && memcmp(name, "old", 3) == 0  ? CANAL_OLD
                                                                   : 0;
            if (keys & key) return FAST_SLOW;    /* repeated: the last wins */
            keys |= key;
            if (key == CANAL_TYPE && *p == '"') {
                p = scan_str(d, p, end, &type, &type_len);
            } else if (key == CANAL_DATA && *p == '[') {
                data_array = true;
                p = scan_rows(d, p, end, 1, 1, &data_first, &ndata);
            } else if (key == CANAL_OLD && *p == '[') {
                p = scan_rows(d, p, end, 1, ABSENT_CELL, &old_first, &nold);
            } else {
                if (key == CANAL_DATA && *p == 'n') data_null = true;
                p = cn_json_skip(p, end, 1);
            }
            if (!p) return FAST_SLOW;
            p = cn_json_blanks(p, end);
            if (p >= end) return FAST_SLOW;
            if (*p == '}') {
                p++;
                break;
            }
            if (*p != ',') return FAST_SLOW;
            p = cn_json_blanks(p + 1, end);
        }
    }
    if (!record_ends(p, end) || !type) return FAST_SLOW;
    int kind;
    if (type_len == 6 && memcmp(type, "INSERT", 6) == 0) kind = 1;
    else if (type_len == 6 && memcmp(type, "UPDATE", 6) == 0) kind = 2;
    else if (type_len == 6 && memcmp(type, "DELETE", 6) == 0) kind = 3;
    else return FAST_DONE;              /* DDL and others: skipped */
    if (!(keys & CANAL_DATA) || data_null) return FAST_DONE;
    if (!data_array) return FAST_SLOW;
    if (kind == 2 && nold != ndata) return FAST_SLOW;   /* the tree decoder says why */
    int32_t per = kind == 2 ? 2 : 1;
    Batch *dst = rows_target(d, out, max_rows, ndata * per, ndata);
    for (int32_t i = 0; i < ndata; i++) {
        if (kind == 2) {
            /* before image: data[i] overlaid with the fields of old[i] */
            emit_row(d, dst, data_first + i, i < nold ? old_first + i : -1, -1);
            emit_row(d, dst, data_first + i, -1, 1);
            ty_mark_update(dst, dst->nrows - 2);
        } else {
            emit_row(d, dst, data_first + i, -1, kind == 1 ? 1 : -1);
        }
        if (dst == d->pending) pending_group(d, per);
    }
    return FAST_DONE;
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
        if (changelog && d->ngroups > 0 && drain(d, out, max_rows) == CN_FULL) return CN_FULL;
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
        if (cn_json_fast_enabled && rec_len <= UINT32_MAX) {
            assert(!changelog || (d->pending->nrows == 0 && d->ngroups == 0));
            d->rec_len = rec_len;
            d->esc_ready = false;
            int fast = d->opts.format == CN_FMT_JSON       ? fast_json(d, s, rec_len, out)
                       : d->opts.format == CN_FMT_DEBEZIUM ? fast_debezium(d, s, rec_len, out, max_rows)
                                                           : fast_canal(d, s, rec_len, out, max_rows);
            if (fast == FAST_DONE) {
                d->fast_records++;
                continue;
            }
        }

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
