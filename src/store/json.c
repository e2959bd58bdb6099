/*
 * json.c - the small JSON reader and writer of the table store's metadata
 * (schemas, snapshots, manifests, pins): a DOM in an arena, enough for
 * files of kilobytes.  Data never goes through here.
 */
#include <string.h>
#include <stdlib.h>

#include "store/store_int.h"

typedef struct Parser {
    const char *p, *end;
    WbArena *arena;
    const char *errmsg;
    int depth;
} Parser;

static void skip_ws(Parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(WbBuf *buf, uint32_t cp)
{
    if (cp < 0x80) {
        wb_buf_putc(buf, (char)cp);
    } else if (cp < 0x800) {
        wb_buf_putc(buf, (char)(0xC0 | (cp >> 6)));
        wb_buf_putc(buf, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        wb_buf_putc(buf, (char)(0xE0 | (cp >> 12)));
        wb_buf_putc(buf, (char)(0x80 | ((cp >> 6) & 0x3F)));
        wb_buf_putc(buf, (char)(0x80 | (cp & 0x3F)));
    } else {
        wb_buf_putc(buf, (char)(0xF0 | (cp >> 18)));
        wb_buf_putc(buf, (char)(0x80 | ((cp >> 12) & 0x3F)));
        wb_buf_putc(buf, (char)(0x80 | ((cp >> 6) & 0x3F)));
        wb_buf_putc(buf, (char)(0x80 | (cp & 0x3F)));
    }
}

static int parse_string(Parser *ps, const char **out, uint32_t *len_out)
{
    ps->p++;   /* opening quote */
    WbBuf buf = {0};
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if ((unsigned char)c < 0x20) { ps->errmsg = "control character in string"; goto bad; }
        if (c != '\\') { wb_buf_putc(&buf, c); continue; }
        if (ps->p >= ps->end) break;
        char e = *ps->p++;
        switch (e) {
        case '"': case '\\': case '/': wb_buf_putc(&buf, e); break;
        case 'b': wb_buf_putc(&buf, '\b'); break;
        case 'f': wb_buf_putc(&buf, '\f'); break;
        case 'n': wb_buf_putc(&buf, '\n'); break;
        case 'r': wb_buf_putc(&buf, '\r'); break;
        case 't': wb_buf_putc(&buf, '\t'); break;
        case 'u': {
            if (ps->end - ps->p < 4) { ps->errmsg = "bad \\u escape"; goto bad; }
            uint32_t cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = hexval(ps->p[i]);
                if (h < 0) { ps->errmsg = "bad \\u escape"; goto bad; }
                cp = cp * 16 + (uint32_t)h;
            }
            ps->p += 4;
            put_utf8(&buf, cp);
            break;
        }
        default: ps->errmsg = "bad escape"; goto bad;
        }
    }
    if (ps->p >= ps->end) { ps->errmsg = "unterminated string"; goto bad; }
    ps->p++;
    *out = wb_arena_strndup(ps->arena, buf.data ? buf.data : "", buf.len);
    *len_out = (uint32_t)buf.len;
    wb_buf_free(&buf);
    return 0;
bad:
    wb_buf_free(&buf);
    return -1;
}

static int parse_value(Parser *ps, SjVal *out);

static int parse_container(Parser *ps, SjVal *out, bool object)
{
    char close = object ? '}' : ']';
    ps->p++;
    if (++ps->depth > 64) { ps->errmsg = "nesting too deep"; return -1; }
    int32_t cap = 8, n = 0;
    SjVal *items = wb_malloc(sizeof(SjVal) * (size_t)cap);
    const char **keys = object ? wb_malloc(sizeof(char *) * (size_t)cap) : NULL;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
    } else {
        for (;;) {
            skip_ws(ps);
            if (n == cap) {
                cap *= 2;
                items = wb_realloc(items, sizeof(SjVal) * (size_t)cap);
                if (object) keys = wb_realloc(keys, sizeof(char *) * (size_t)cap);
            }
            if (object) {
                uint32_t klen;
                if (ps->p >= ps->end || *ps->p != '"') { ps->errmsg = "expected a key"; goto bad; }
                if (parse_string(ps, &keys[n], &klen) != 0) goto bad;
                skip_ws(ps);
                if (ps->p >= ps->end || *ps->p != ':') { ps->errmsg = "expected ':'"; goto bad; }
                ps->p++;
            }
            if (parse_value(ps, &items[n]) != 0) goto bad;
            n++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
            if (ps->p < ps->end && *ps->p == close) { ps->p++; break; }
            ps->errmsg = object ? "expected ',' or '}'" : "expected ',' or ']'";
            goto bad;
        }
    }
    out->type = object ? SJ_OBJ : SJ_ARR;
    out->n = n;
    out->items = wb_arena_alloc(ps->arena, sizeof(SjVal) * (size_t)(n ? n : 1));
    memcpy(out->items, items, sizeof(SjVal) * (size_t)n);
    if (object) {
        out->keys = wb_arena_alloc(ps->arena, sizeof(char *) * (size_t)(n ? n : 1));
        memcpy(out->keys, keys, sizeof(char *) * (size_t)n);
    }
    free(items);
    free(keys);
    ps->depth--;
    return 0;
bad:
    free(items);
    free(keys);
    return -1;
}

static int parse_value(Parser *ps, SjVal *out)
{
    memset(out, 0, sizeof(*out));
    skip_ws(ps);
    if (ps->p >= ps->end) { ps->errmsg = "unexpected end"; return -1; }
    char c = *ps->p;
    if (c == '{') return parse_container(ps, out, true);
    if (c == '[') return parse_container(ps, out, false);
    if (c == '"') { out->type = SJ_STR; return parse_string(ps, &out->str, &out->len); }
    if (ps->end - ps->p >= 4 && memcmp(ps->p, "null", 4) == 0) { ps->p += 4; out->type = SJ_NULL; return 0; }
    if (ps->end - ps->p >= 4 && memcmp(ps->p, "true", 4) == 0) { ps->p += 4; out->type = SJ_BOOL; out->b = true; return 0; }
    if (ps->end - ps->p >= 5 && memcmp(ps->p, "false", 5) == 0) { ps->p += 5; out->type = SJ_BOOL; return 0; }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *start = ps->p;
        ps->p++;
        while (ps->p < ps->end && (strchr("0123456789.eE+-", *ps->p) != NULL)) ps->p++;
        out->type = SJ_NUM;
        out->str = wb_arena_strndup(ps->arena, start, (size_t)(ps->p - start));
        out->len = (uint32_t)(ps->p - start);
        return 0;
    }
    ps->errmsg = "unexpected character";
    return -1;
}

SjVal *sj_parse(WbArena *arena, const char *text, size_t len, const char **errmsg)
{
    Parser ps = {text, text + len, arena, NULL, 0};
    SjVal *val = wb_arena_alloc(arena, sizeof(SjVal));
    if (parse_value(&ps, val) != 0) {
        *errmsg = ps.errmsg ? ps.errmsg : "bad JSON";
        return NULL;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        *errmsg = "trailing characters after the JSON value";
        return NULL;
    }
    return val;
}

const SjVal *sj_get(const SjVal *obj, const char *key)
{
    if (!obj || obj->type != SJ_OBJ) return NULL;
    for (int32_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

int sj_int(const SjVal *obj, const char *key, int64_t *out)
{
    const SjVal *v = sj_get(obj, key);
    if (!v || v->type != SJ_NUM) return -1;
    return ty_parse_int64(v->str, v->len, out) == 0 ? 0 : -1;
}

const char *sj_str(const SjVal *obj, const char *key)
{
    const SjVal *v = sj_get(obj, key);
    return v && v->type == SJ_STR ? v->str : NULL;
}

void sj_put_str(WbBuf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    wb_buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            wb_buf_putc(out, '\\');
            wb_buf_putc(out, (char)c);
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            wb_buf_append(out, esc, 6);
        } else {
            wb_buf_putc(out, (char)c);
        }
    }
    wb_buf_putc(out, '"');
}
