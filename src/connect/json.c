/*
 * json.c - a small strict JSON parser (RFC 8259) into a flat node array,
 * and the JSON string writer.  Input is hostile: every byte is checked,
 * nesting is bounded, errors carry the byte offset where parsing stopped.
 * Also the out-of-line parts of the record scanner (json_int.h), which
 * accepts the same texts without building the tree.
 */
#include "connect/json_int.h"

#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH CN_JSON_MAX_DEPTH

typedef struct Parser {
    JsonDoc *doc;
    const char *s;
    size_t len;
    size_t pos;
    const char *reason;
} Parser;

void cn_json_doc_init(JsonDoc *doc)
{
    memset(doc, 0, sizeof *doc);
    doc->max_depth = JSON_MAX_DEPTH;
}

void cn_json_doc_free(JsonDoc *doc)
{
    free(doc->nodes);
    wb_buf_free(&doc->scratch);
    memset(doc, 0, sizeof *doc);
}

static int32_t new_node(Parser *p, JsonKind kind)
{
    JsonDoc *doc = p->doc;
    if (doc->count == doc->cap) {
        doc->cap = doc->cap ? doc->cap * 2 : 64;
        doc->nodes = wb_realloc(doc->nodes, sizeof(JsonNode) * (size_t)doc->cap);
    }
    JsonNode *node = &doc->nodes[doc->count];
    memset(node, 0, sizeof *node);
    node->kind = (uint8_t)kind;
    node->start = (uint32_t)p->pos;
    return doc->count++;
}

static int fail(Parser *p, const char *reason)
{
    p->reason = reason;
    return -1;
}

static void skip_blanks(Parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

/* Reads 4 hex digits at s[at..]; no side effects, so a failed look-ahead
 * for a low surrogate costs nothing. */
static int read_hex4(const char *s, size_t len, size_t at, uint32_t *out, size_t *bad_at)
{
    if (at + 4 > len) {
        *bad_at = len;
        return -1;
    }
    uint32_t v = 0;
    for (size_t i = at; i < at + 4; i++) {
        char c = s[i];
        uint32_t d;
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else {
            *bad_at = i;
            return -1;
        }
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* Writes code point cp as UTF-8 into out[0..4); returns the byte count. */
static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape whose backslash is at s[*pos] into out[0..4) and
 * returns its byte count, with *pos past the escape.  On a bad escape
 * returns -1 with *pos at the offending byte and *reason set.  The tree
 * parser and the record scanner share it, so both accept the same escapes
 * and decode them to the same bytes.  The decoded form is never longer than
 * the escape (2 -> 1, 6 -> at most 3, 12 -> 4 bytes). */
static int decode_escape(const char *s, size_t len, size_t *pos, char *out, const char **reason)
{
    size_t at = *pos;
    if (at + 1 >= len) {
        *pos = len;
        *reason = "unterminated string";
        return -1;
    }
    char e = s[at + 1];
    *pos = at + 2;
    switch (e) {
    case '"': out[0] = '"'; return 1;
    case '\\': out[0] = '\\'; return 1;
    case '/': out[0] = '/'; return 1;
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': {
        uint32_t cp;
        size_t bad_at, ignored;
        if (read_hex4(s, len, at + 2, &cp, &bad_at) != 0) {
            *pos = bad_at;
            *reason = "invalid \\u escape";
            return -1;
        }
        *pos = at + 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* A high surrogate must pair with a following \uDC00-DFFF;
             * an unpaired one becomes U+FFFD rather than bad UTF-8. */
            uint32_t low;
            size_t next = at + 6;
            if (next + 6 <= len && s[next] == '\\' && s[next + 1] == 'u' &&
                read_hex4(s, len, next + 2, &low, &ignored) == 0 && low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                *pos = next + 6;
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        return (int)put_utf8(out, cp);
    }
    default:
        *pos = at;
        *reason = "invalid escape in string";
        return -1;
    }
}

/* p->pos at the opening quote.  Strings without escapes are referenced in
 * place; the first backslash switches to copying into the scratch. */
static int parse_string(Parser *p, int32_t idx)
{
    JsonDoc *doc = p->doc;
    size_t begin = ++p->pos;
    bool escaped = false;
    size_t scratch_start = doc->scratch.len;
    size_t run = begin;          /* start of the unescaped run not yet copied */
    for (;;) {
        if (p->pos >= p->len) return fail(p, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') break;
        if (c < 0x20) return fail(p, "control character in string");
        if (c != '\\') {
            p->pos++;
            continue;
        }
        escaped = true;
        wb_buf_append(&doc->scratch, p->s + run, p->pos - run);
        char bytes[4];
        int n = decode_escape(p->s, p->len, &p->pos, bytes, &p->reason);
        if (n < 0) return -1;
        wb_buf_append(&doc->scratch, bytes, (size_t)n);
        run = p->pos;
    }
    JsonNode *node = &doc->nodes[idx];
    if (escaped) {
        wb_buf_append(&doc->scratch, p->s + run, p->pos - run);
        node->in_scratch = 1;
        node->str_off = (uint32_t)scratch_start;
        node->str_len = (uint32_t)(doc->scratch.len - scratch_start);
    } else {
        node->str_off = (uint32_t)begin;
        node->str_len = (uint32_t)(p->pos - begin);
    }
    p->pos++;                    /* closing quote */
    return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(Parser *p)
{
    if (p->pos < p->len && p->s[p->pos] == '-') p->pos++;
    if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail(p, "invalid number");
    if (p->s[p->pos] == '0') p->pos++;
    else while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail(p, "invalid number");
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail(p, "invalid number");
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    return 0;
}

static int parse_literal(Parser *p, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++) {
        if (p->pos >= p->len || p->s[p->pos] != word[i]) return fail(p, "invalid literal");
        p->pos++;
    }
    return 0;
}

static int parse_value(Parser *p, int depth)
{
    skip_blanks(p);
    if (p->pos >= p->len) return fail(p, "unexpected end of input");
    if (depth > p->doc->max_depth) return fail(p, "nesting too deep");
    char c = p->s[p->pos];
    int32_t idx;
    int rc = 0;
    switch (c) {
    case '{': {
        idx = new_node(p, JS_OBJECT);
        p->pos++;
        skip_blanks(p);
        if (p->pos < p->len && p->s[p->pos] == '}') {
            p->pos++;
            break;
        }
        for (;;) {
            skip_blanks(p);
            if (p->pos >= p->len) return fail(p, "unexpected end of input in object");
            if (p->s[p->pos] != '"') return fail(p, "expected a string key");
            int32_t key = new_node(p, JS_STRING);
            if (parse_string(p, key) != 0) return -1;
            p->doc->nodes[key].len = (uint32_t)(p->pos - p->doc->nodes[key].start);
            p->doc->nodes[key].next = key + 1;
            skip_blanks(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return fail(p, "expected ':' after an object key");
            p->pos++;
            if (parse_value(p, depth + 1) != 0) return -1;
            skip_blanks(p);
            if (p->pos >= p->len) return fail(p, "unexpected end of input in object");
            if (p->s[p->pos] == ',') { p->pos++; continue; }
            if (p->s[p->pos] == '}') { p->pos++; break; }
            return fail(p, "expected ',' or '}' in object");
        }
        break;
    }
    case '[': {
        idx = new_node(p, JS_ARRAY);
        p->pos++;
        skip_blanks(p);
        if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            break;
        }
        for (;;) {
            if (parse_value(p, depth + 1) != 0) return -1;
            skip_blanks(p);
            if (p->pos >= p->len) return fail(p, "unexpected end of input in array");
            if (p->s[p->pos] == ',') { p->pos++; continue; }
            if (p->s[p->pos] == ']') { p->pos++; break; }
            return fail(p, "expected ',' or ']' in array");
        }
        break;
    }
    case '"':
        idx = new_node(p, JS_STRING);
        rc = parse_string(p, idx);
        break;
    case 't': idx = new_node(p, JS_TRUE); rc = parse_literal(p, "true"); break;
    case 'f': idx = new_node(p, JS_FALSE); rc = parse_literal(p, "false"); break;
    case 'n': idx = new_node(p, JS_NULL); rc = parse_literal(p, "null"); break;
    default:
        if (c != '-' && !is_digit(c)) return fail(p, "unexpected character");
        idx = new_node(p, JS_NUMBER);
        rc = parse_number(p);
        break;
    }
    if (rc != 0) return -1;
    JsonNode *node = &p->doc->nodes[idx];
    node->len = (uint32_t)(p->pos - node->start);
    node->next = p->doc->count;
    return 0;
}

int cn_json_parse(JsonDoc *doc, const char *text, size_t len, size_t *error_offset,
                  const char **reason)
{
    doc->count = 0;
    wb_buf_clear(&doc->scratch);
    doc->text = text;
    if (!doc->max_depth) doc->max_depth = JSON_MAX_DEPTH;
    Parser p = {doc, text, len, 0, NULL};
    if (len > UINT32_MAX) {
        *error_offset = 0;
        *reason = "record too long";
        return -1;
    }
    if (parse_value(&p, 0) == 0) {
        skip_blanks(&p);
        if (p.pos == len) return 0;
        p.reason = "unexpected text after the JSON value";
    }
    *error_offset = p.pos;
    *reason = p.reason ? p.reason : "invalid JSON";
    return -1;
}

/* ---- the record scanner (json_int.h) ---- */

const char *cn_json_unescape(const char *body, const char *bs, const char *end, char *out,
                             size_t *out_len)
{
    size_t len = (size_t)(end - body);
    size_t pos = (size_t)(bs - body);
    memcpy(out, body, pos);
    size_t n = pos;
    const char *reason;
    for (;;) {
        /* body[pos] is a backslash */
        int got = decode_escape(body, len, &pos, out + n, &reason);
        if (got < 0) return NULL;
        n += (size_t)got;
        const char *run = body + pos;
        const char *stop = cn_json_str_run(run, end);
        memcpy(out + n, run, (size_t)(stop - run));
        n += (size_t)(stop - run);
        if (stop == end || (unsigned char)*stop < 0x20) return NULL;
        pos = (size_t)(stop - body);
        if (*stop == '"') {
            *out_len = n;
            return stop + 1;
        }
    }
}

/* Skips a string whose opening quote is at p, checking its escapes. */
static const char *skip_string(const char *p, const char *end)
{
    p++;
    for (;;) {
        p = cn_json_str_run(p, end);
        if (p == end || (unsigned char)*p < 0x20) return NULL;
        if (*p == '"') return p + 1;
        /* a backslash: same checks as decode_escape, without the output */
        if (end - p < 2) return NULL;
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p += 2;
            break;
        case 'u': {
            uint32_t cp;
            size_t bad_at;
            if (read_hex4(p, (size_t)(end - p), 2, &cp, &bad_at) != 0) return NULL;
            p += 6;
            break;
        }
        default:
            return NULL;
        }
    }
}

const char *cn_json_skip(const char *p, const char *end, int depth)
{
    p = cn_json_blanks(p, end);
    if (p >= end || depth > JSON_MAX_DEPTH) return NULL;
    switch (*p) {
    case '"': return skip_string(p, end);
    case '{':
        p = cn_json_blanks(p + 1, end);
        if (p < end && *p == '}') return p + 1;
        for (;;) {
            p = cn_json_blanks(p, end);
            if (p >= end || *p != '"' || !(p = skip_string(p, end))) return NULL;
            p = cn_json_blanks(p, end);
            if (p >= end || *p != ':' || !(p = cn_json_skip(p + 1, end, depth + 1))) return NULL;
            p = cn_json_blanks(p, end);
            if (p >= end) return NULL;
            if (*p == '}') return p + 1;
            if (*p++ != ',') return NULL;
        }
    case '[':
        p = cn_json_blanks(p + 1, end);
        if (p < end && *p == ']') return p + 1;
        for (;;) {
            if (!(p = cn_json_skip(p, end, depth + 1))) return NULL;
            p = cn_json_blanks(p, end);
            if (p >= end) return NULL;
            if (*p == ']') return p + 1;
            if (*p++ != ',') return NULL;
        }
    case 't': return cn_json_literal(p, end, "true", 4);
    case 'f': return cn_json_literal(p, end, "false", 5);
    case 'n': return cn_json_literal(p, end, "null", 4);
    default: return cn_json_number_end(p, end);
    }
}

int32_t cn_json_member(const JsonDoc *doc, int32_t obj, const char *key)
{
    const JsonNode *node = &doc->nodes[obj];
    if (node->kind != JS_OBJECT) return -1;
    size_t key_len = strlen(key);
    int32_t found = -1;
    for (int32_t child = obj + 1; child < node->next; child = doc->nodes[child + 1].next) {
        size_t len;
        const char *name = cn_json_str(doc, &doc->nodes[child], &len);
        /* the last duplicate wins, as with the column mapping */
        if (len == key_len && memcmp(name, key, len) == 0) found = child + 1;
    }
    return found;
}

void cn_json_write_string(const char *s, size_t len, WbBuf *out)
{
    static const char hex[] = "0123456789abcdef";
    wb_buf_reserve(out, len + 2);
    wb_buf_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        wb_buf_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': wb_buf_append(out, "\\\"", 2); break;
        case '\\': wb_buf_append(out, "\\\\", 2); break;
        case '\n': wb_buf_append(out, "\\n", 2); break;
        case '\r': wb_buf_append(out, "\\r", 2); break;
        case '\t': wb_buf_append(out, "\\t", 2); break;
        case '\b': wb_buf_append(out, "\\b", 2); break;
        case '\f': wb_buf_append(out, "\\f", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            wb_buf_append(out, esc, 6);
        }
        }
    }
    wb_buf_append(out, s + run, len - run);
    wb_buf_putc(out, '"');
}
