/*
 * parquet_thrift.c - the Thrift compact protocol (reading untrusted bytes
 * and writing), and the parsers of Parquet's FileMetaData and PageHeader.
 *
 * Compact protocol (Thrift's spec, compact-protocol.md): a field header is
 * one byte, field-id delta in the high nibble (1..15) and type in the low
 * one; delta 0 means a zigzag varint i16 id follows.  Booleans of fields
 * live in the type nibble (1 true, 2 false).  Integers are zigzag ULEB128
 * varints, binary is a varint length and bytes, lists a byte of size<<4 |
 * element type (size 15 = a varint size follows), structs end with a 0.
 */
#include "store/parquet_int.h"

#include <string.h>

/* ---- reading ---- */

void tc_fail(TIn *in, const char *why)
{
    if (!in->why) in->why = why;
    in->p = in->end;
}

uint64_t tc_uvarint(TIn *in)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in->p >= in->end) {
            tc_fail(in, "metadata ends inside a number");
            return 0;
        }
        uint8_t b = *in->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    tc_fail(in, "metadata holds an overlong number");
    return 0;
}

int64_t tc_i64(TIn *in)
{
    uint64_t v = tc_uvarint(in);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int32_t tc_i32(TIn *in)
{
    int64_t v = tc_i64(in);
    if (v < INT32_MIN || v > INT32_MAX) {
        tc_fail(in, "metadata holds a 32-bit number out of range");
        return 0;
    }
    return (int32_t)v;
}

const uint8_t *tc_binary(TIn *in, uint32_t *len)
{
    uint64_t n = tc_uvarint(in);
    if (n > (uint64_t)(in->end - in->p)) {
        tc_fail(in, "metadata string runs past its end");
        *len = 0;
        return NULL;
    }
    const uint8_t *p = in->p;
    in->p += n;
    *len = (uint32_t)n;
    return p;
}

bool tc_field(TIn *in, int16_t *last, int16_t *id, uint8_t *type)
{
    if (in->p >= in->end) {
        tc_fail(in, "metadata ends inside a structure");
        return false;
    }
    uint8_t b = *in->p++;
    *type = b & 0x0f;
    if (*type == TC_STOP) return false;
    int delta = b >> 4;
    if (delta) {
        *id = (int16_t)(*last + delta);
    } else {
        int64_t v = tc_i64(in);
        if (v < INT16_MIN || v > INT16_MAX) {
            tc_fail(in, "metadata holds a bad field id");
            return false;
        }
        *id = (int16_t)v;
    }
    *last = *id;
    if (*type > TC_STRUCT) {
        tc_fail(in, "metadata holds an unknown Thrift type");
        return false;
    }
    return !in->why;
}

uint32_t tc_list(TIn *in, uint8_t *elem_type)
{
    if (in->p >= in->end) {
        tc_fail(in, "metadata ends inside a list");
        return 0;
    }
    uint8_t b = *in->p++;
    *elem_type = b & 0x0f;
    uint64_t n = b >> 4;
    if (n == 15) n = tc_uvarint(in);
    /* every element takes at least one byte, except booleans in a list
     * (also one byte) and empty structs (one STOP byte) */
    if (n > (uint64_t)(in->end - in->p)) {
        tc_fail(in, "metadata list is longer than the bytes left");
        return 0;
    }
    return (uint32_t)n;
}

bool tc_enter(TIn *in)
{
    if (++in->depth > TC_MAX_DEPTH) {
        tc_fail(in, "metadata is nested too deeply");
        return false;
    }
    return !in->why;
}

void tc_skip(TIn *in, uint8_t type)
{
    switch (type) {
    case TC_TRUE:
    case TC_FALSE:
        return;   /* a field's boolean lives in its header */
    case TC_BYTE:
        if (in->p >= in->end) tc_fail(in, "metadata ends inside a value");
        else in->p++;
        return;
    case TC_I16:
    case TC_I32:
    case TC_I64:
        tc_uvarint(in);
        return;
    case TC_DOUBLE:
        if (in->end - in->p < 8) tc_fail(in, "metadata ends inside a value");
        else in->p += 8;
        return;
    case TC_BINARY: {
        uint32_t len;
        tc_binary(in, &len);
        return;
    }
    case TC_LIST:
    case TC_SET: {
        uint8_t et;
        uint32_t n = tc_list(in, &et);
        if (!tc_enter(in)) return;
        for (uint32_t i = 0; i < n && !in->why; i++) {
            if (et == TC_TRUE || et == TC_FALSE) tc_skip(in, TC_BYTE);
            else tc_skip(in, et);
        }
        tc_leave(in);
        return;
    }
    case TC_MAP: {
        uint64_t n = tc_uvarint(in);
        if (n == 0) return;
        if (in->p >= in->end || n > (uint64_t)(in->end - in->p)) {
            tc_fail(in, "metadata map is longer than the bytes left");
            return;
        }
        uint8_t kv = *in->p++;
        uint8_t kt = kv >> 4, vt = kv & 0x0f;
        if (!tc_enter(in)) return;
        for (uint64_t i = 0; i < n && !in->why; i++) {
            tc_skip(in, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt);
            tc_skip(in, vt == TC_TRUE || vt == TC_FALSE ? TC_BYTE : vt);
        }
        tc_leave(in);
        return;
    }
    case TC_STRUCT: {
        if (!tc_enter(in)) return;
        int16_t last = 0, id;
        uint8_t t;
        while (tc_field(in, &last, &id, &t)) tc_skip(in, t);
        tc_leave(in);
        return;
    }
    default:
        tc_fail(in, "metadata holds an unknown Thrift type");
    }
}

/* A field expected to have type `want`: otherwise it is skipped and
 * reported as false (an unknown shape is not ours to read). */
static bool want(TIn *in, uint8_t type, uint8_t wanted)
{
    if (type == wanted) return true;
    if (wanted == TC_TRUE && (type == TC_TRUE || type == TC_FALSE)) return true;
    tc_fail(in, "metadata field has an unexpected type");
    return false;
}

/* ---- writing ---- */

void tc_put_uvarint(WbBuf *buf, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    wb_buf_append(buf, tmp, (size_t)n);
}

static void put_zigzag(WbBuf *buf, int64_t v)
{
    tc_put_uvarint(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void tco_field(TOut *out, int16_t id, uint8_t type)
{
    int16_t *last = &out->last[out->depth];
    int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        wb_buf_putc(out->buf, (char)((delta << 4) | type));
    } else {
        wb_buf_putc(out->buf, (char)type);
        put_zigzag(out->buf, id);
    }
    *last = id;
}

void tco_struct_begin(TOut *out)
{
    out->depth++;
    out->last[out->depth] = 0;
}

void tco_struct_end(TOut *out)
{
    wb_buf_putc(out->buf, 0);
    out->depth--;
}

void tco_i32(TOut *out, int16_t id, int32_t v)
{
    tco_field(out, id, TC_I32);
    put_zigzag(out->buf, v);
}

void tco_i64(TOut *out, int16_t id, int64_t v)
{
    tco_field(out, id, TC_I64);
    put_zigzag(out->buf, v);
}

void tco_bool(TOut *out, int16_t id, bool v)
{
    tco_field(out, id, v ? TC_TRUE : TC_FALSE);
}

void tco_binary(TOut *out, int16_t id, const void *data, size_t len)
{
    tco_field(out, id, TC_BINARY);
    tco_raw_binary(out, data, len);
}

void tco_list_begin(TOut *out, int16_t id, uint8_t elem_type, uint32_t count)
{
    tco_field(out, id, TC_LIST);
    if (count < 15) {
        wb_buf_putc(out->buf, (char)((count << 4) | elem_type));
    } else {
        wb_buf_putc(out->buf, (char)(0xf0 | elem_type));
        tc_put_uvarint(out->buf, count);
    }
}

void tco_raw_i32(TOut *out, int32_t v)
{
    put_zigzag(out->buf, v);
}

void tco_raw_binary(TOut *out, const void *data, size_t len)
{
    tc_put_uvarint(out->buf, len);
    wb_buf_append(out->buf, data, len);
}

/* ---- FileMetaData ---- */

static char *arena_str(WbArena *arena, const uint8_t *p, uint32_t len)
{
    return wb_arena_strndup(arena, p ? (const char *)p : "", p ? len : 0);
}

static void parse_stats(TIn *in, PqStatsRaw *st)
{
    /* min_value/max_value (5, 6) win over the deprecated min/max (2, 1),
     * which only sorted correctly for signed types: they are taken only
     * when the new ones are absent, and only for types the caller knows
     * sort signed (it checks: see stats_sort_ok in parquet_read.c). */
    const uint8_t *old_min = NULL, *old_max = NULL;
    uint32_t old_min_len = 0, old_max_len = 0;
    st->min_exact = st->max_exact = true;
    if (!tc_enter(in)) return;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(in, &last, &id, &t)) {
        switch (id) {
        case 1: if (want(in, t, TC_BINARY)) old_max = tc_binary(in, &old_max_len); break;
        case 2: if (want(in, t, TC_BINARY)) old_min = tc_binary(in, &old_min_len); break;
        case 3: if (want(in, t, TC_I64)) st->null_count = tc_i64(in); break;
        case 5: if (want(in, t, TC_BINARY)) st->max = tc_binary(in, &st->max_len); break;
        case 6: if (want(in, t, TC_BINARY)) st->min = tc_binary(in, &st->min_len); break;
        case 7: if (want(in, t, TC_TRUE)) st->max_exact = t == TC_TRUE; break;
        case 8: if (want(in, t, TC_TRUE)) st->min_exact = t == TC_TRUE; break;
        default: tc_skip(in, t);
        }
    }
    tc_leave(in);
    if (!st->min && !st->max && old_min && old_max) {
        st->min = old_min;
        st->min_len = old_min_len;
        st->max = old_max;
        st->max_len = old_max_len;
        st->legacy = true;
    }
}

static void parse_column_meta(TIn *in, PqChunkMeta *cm, bool *seen)
{
    if (!tc_enter(in)) return;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(in, &last, &id, &t)) {
        switch (id) {
        case 1: if (want(in, t, TC_I32)) { cm->type = tc_i32(in); seen[0] = true; } break;
        case 4: if (want(in, t, TC_I32)) { cm->codec = tc_i32(in); seen[1] = true; } break;
        case 5: if (want(in, t, TC_I64)) { cm->num_values = tc_i64(in); seen[2] = true; } break;
        case 7: if (want(in, t, TC_I64)) { cm->total_compressed = tc_i64(in); seen[3] = true; } break;
        case 9: if (want(in, t, TC_I64)) { cm->data_page_offset = tc_i64(in); seen[4] = true; } break;
        case 11: if (want(in, t, TC_I64)) cm->dict_page_offset = tc_i64(in); break;
        case 12: if (want(in, t, TC_STRUCT)) parse_stats(in, &cm->stats); break;
        default: tc_skip(in, t);
        }
    }
    tc_leave(in);
}

static void parse_chunk(TIn *in, PqChunkMeta *cm, bool *external)
{
    bool seen[5] = {false};
    cm->dict_page_offset = -1;
    cm->stats.null_count = -1;
    bool has_meta = false;
    if (!tc_enter(in)) return;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(in, &last, &id, &t)) {
        switch (id) {
        case 1: *external = true; tc_skip(in, t); break;
        case 3:
            if (want(in, t, TC_STRUCT)) {
                has_meta = true;
                parse_column_meta(in, cm, seen);
            }
            break;
        case 8:
        case 9: *external = true; tc_skip(in, t); break;   /* encrypted column */
        default: tc_skip(in, t);
        }
    }
    tc_leave(in);
    if (!in->why && (!has_meta || !seen[0] || !seen[1] || !seen[2] || !seen[3] || !seen[4]))
        tc_fail(in, "a column chunk lacks required metadata");
}

static void parse_row_group(TIn *in, WbArena *arena, PqRowGroupMeta *rg, bool *external)
{
    bool have_cols = false, have_rows = false;
    if (!tc_enter(in)) return;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(in, &last, &id, &t)) {
        if (id == 1 && t == TC_LIST && !have_cols) {
            uint8_t et;
            uint32_t n = tc_list(in, &et);
            if (et != TC_STRUCT && n > 0) {
                tc_fail(in, "row group columns are not structures");
                break;
            }
            rg->ncols = (int32_t)n;
            rg->chunks = wb_arena_calloc(arena, sizeof(PqChunkMeta) * (n ? n : 1));
            for (uint32_t i = 0; i < n && !in->why; i++) parse_chunk(in, &rg->chunks[i], external);
            have_cols = true;
        } else if (id == 3 && want(in, t, TC_I64)) {
            rg->num_rows = tc_i64(in);
            have_rows = true;
        } else if (id != 3) {
            tc_skip(in, t);
        }
    }
    tc_leave(in);
    if (!in->why && (!have_cols || !have_rows)) tc_fail(in, "a row group lacks its columns or row count");
}

static void parse_logical(TIn *in, PqSchemaElem *el)
{
    if (!tc_enter(in)) return;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(in, &last, &id, &t)) {
        if (t != TC_STRUCT) {
            tc_skip(in, t);
            continue;
        }
        el->logical = id;
        if (!tc_enter(in)) break;
        int16_t last2 = 0, id2;
        uint8_t t2;
        while (tc_field(in, &last2, &id2, &t2)) {
            if (id == PQL_DECIMAL && id2 == 1 && t2 == TC_I32) el->l_scale = tc_i32(in);
            else if (id == PQL_DECIMAL && id2 == 2 && t2 == TC_I32) el->l_precision = tc_i32(in);
            else if ((id == PQL_TIME || id == PQL_TIMESTAMP) && id2 == 1 &&
                     (t2 == TC_TRUE || t2 == TC_FALSE))
                el->l_adjusted = t2 == TC_TRUE;
            else if ((id == PQL_TIME || id == PQL_TIMESTAMP) && id2 == 2 && t2 == TC_STRUCT) {
                /* TimeUnit: a union of empty structs */
                if (!tc_enter(in)) break;
                int16_t last3 = 0, id3;
                uint8_t t3;
                while (tc_field(in, &last3, &id3, &t3)) {
                    if (t3 == TC_STRUCT) el->l_unit = id3;
                    tc_skip(in, t3);
                }
                tc_leave(in);
            } else if (id == PQL_INTEGER && id2 == 1 && t2 == TC_BYTE) {
                if (in->p >= in->end) tc_fail(in, "metadata ends inside a value");
                else el->l_bit_width = (int8_t)*in->p++;
            } else if (id == PQL_INTEGER && id2 == 2 && (t2 == TC_TRUE || t2 == TC_FALSE))
                el->l_signed = t2 == TC_TRUE;
            else
                tc_skip(in, t2);
        }
        tc_leave(in);
    }
    tc_leave(in);
}

static void parse_schema_elem(TIn *in, WbArena *arena, PqSchemaElem *el)
{
    el->type = -1;
    el->repetition = -1;
    el->converted = -1;
    el->logical = -1;
    el->name = NULL;
    bool have_name = false;
    if (!tc_enter(in)) return;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(in, &last, &id, &t)) {
        switch (id) {
        case 1: if (want(in, t, TC_I32)) el->type = tc_i32(in); break;
        case 2: if (want(in, t, TC_I32)) el->type_length = tc_i32(in); break;
        case 3: if (want(in, t, TC_I32)) el->repetition = tc_i32(in); break;
        case 4:
            if (want(in, t, TC_BINARY)) {
                uint32_t len;
                const uint8_t *p = tc_binary(in, &len);
                el->name = arena_str(arena, p, len);
                have_name = true;
            }
            break;
        case 5: if (want(in, t, TC_I32)) el->num_children = tc_i32(in); break;
        case 6: if (want(in, t, TC_I32)) el->converted = tc_i32(in); break;
        case 7: if (want(in, t, TC_I32)) el->scale = tc_i32(in); break;
        case 8: if (want(in, t, TC_I32)) el->precision = tc_i32(in); break;
        case 10: if (want(in, t, TC_STRUCT)) parse_logical(in, el); break;
        default: tc_skip(in, t);
        }
    }
    tc_leave(in);
    if (!in->why && !have_name) tc_fail(in, "a schema element has no name");
}

int pq_parse_file_meta(const uint8_t *data, size_t len, WbArena *arena, PqFileMeta *meta,
                       const char **why)
{
    memset(meta, 0, sizeof *meta);
    TIn in = {data, data + len, 0, NULL};
    bool have_schema = false, have_rows = false, have_rgs = false, external = false;
    int16_t last = 0, id;
    uint8_t t;
    while (tc_field(&in, &last, &id, &t)) {
        if (id == 2 && t == TC_LIST && !have_schema) {
            uint8_t et;
            uint32_t n = tc_list(&in, &et);
            if (et != TC_STRUCT && n > 0) {
                tc_fail(&in, "the schema is not a list of structures");
                break;
            }
            meta->nschema = (int32_t)n;
            meta->schema = wb_arena_calloc(arena, sizeof(PqSchemaElem) * (n ? n : 1));
            for (uint32_t i = 0; i < n && !in.why; i++)
                parse_schema_elem(&in, arena, &meta->schema[i]);
            have_schema = true;
        } else if (id == 3 && t == TC_I64) {
            meta->num_rows = tc_i64(&in);
            have_rows = true;
        } else if (id == 4 && t == TC_LIST && !have_rgs) {
            uint8_t et;
            uint32_t n = tc_list(&in, &et);
            if (et != TC_STRUCT && n > 0) {
                tc_fail(&in, "the row groups are not a list of structures");
                break;
            }
            meta->nrg = (int32_t)n;
            meta->rgs = wb_arena_calloc(arena, sizeof(PqRowGroupMeta) * (n ? n : 1));
            for (uint32_t i = 0; i < n && !in.why; i++)
                parse_row_group(&in, arena, &meta->rgs[i], &external);
            have_rgs = true;
        } else if (id == 5 && t == TC_LIST) {
            uint8_t et;
            uint32_t n = tc_list(&in, &et);
            if (et != TC_STRUCT && n > 0) {
                tc_fail(&in, "the key-value metadata is not a list of structures");
                break;
            }
            meta->kv = wb_arena_calloc(arena, sizeof(PqKeyValue) * (n ? n : 1));
            for (uint32_t i = 0; i < n && !in.why; i++) {
                if (!tc_enter(&in)) break;
                int16_t l2 = 0, id2;
                uint8_t t2;
                const char *key = NULL, *value = NULL;
                while (tc_field(&in, &l2, &id2, &t2)) {
                    if ((id2 == 1 || id2 == 2) && t2 == TC_BINARY) {
                        uint32_t slen;
                        const uint8_t *p = tc_binary(&in, &slen);
                        if (id2 == 1) key = arena_str(arena, p, slen);
                        else value = arena_str(arena, p, slen);
                    } else {
                        tc_skip(&in, t2);
                    }
                }
                tc_leave(&in);
                if (key) {
                    meta->kv[meta->nkv].key = key;
                    meta->kv[meta->nkv].value = value;
                    meta->nkv++;
                }
            }
        } else if (id == 8) {
            meta->encrypted = true;
            tc_skip(&in, t);
        } else {
            tc_skip(&in, t);
        }
    }
    if (!in.why && (!have_schema || !have_rows || !have_rgs))
        tc_fail(&in, "the footer lacks the schema, the row count or the row groups");
    if (!in.why && external) tc_fail(&in, "a column chunk lives in another file or is encrypted");
    if (in.why) {
        *why = in.why;
        return -1;
    }
    return 0;
}

/* ---- PageHeader ---- */

int64_t pq_parse_page_header(const uint8_t *data, size_t len, PqPageHeader *ph, const char **why)
{
    memset(ph, 0, sizeof *ph);
    ph->type = -1;
    ph->is_compressed = true;
    ph->uncompressed_size = ph->compressed_size = -1;
    TIn in = {data, data + len, 0, NULL};
    int16_t last = 0, id;
    uint8_t t;
    bool have_sub = false;
    while (tc_field(&in, &last, &id, &t)) {
        if (id == 1 && t == TC_I32) ph->type = tc_i32(&in);
        else if (id == 2 && t == TC_I32) ph->uncompressed_size = tc_i32(&in);
        else if (id == 3 && t == TC_I32) ph->compressed_size = tc_i32(&in);
        else if ((id == 5 || id == 7 || id == 8) && t == TC_STRUCT) {
            if (!tc_enter(&in)) break;
            have_sub = true;
            int16_t l2 = 0, id2;
            uint8_t t2;
            while (tc_field(&in, &l2, &id2, &t2)) {
                if (t2 == TC_I32) {
                    int32_t v = tc_i32(&in);
                    if (id2 == 1) ph->num_values = v;
                    else if (id == 5 && id2 == 2) ph->encoding = v;
                    else if (id == 5 && id2 == 3) ph->def_encoding = v;
                    else if (id == 7 && id2 == 2) ph->encoding = v;
                    else if (id == 8 && id2 == 2) ph->num_nulls = v;
                    else if (id == 8 && id2 == 3) ph->num_rows = v;
                    else if (id == 8 && id2 == 4) ph->encoding = v;
                    else if (id == 8 && id2 == 5) ph->def_len = v;
                    else if (id == 8 && id2 == 6) ph->rep_len = v;
                } else if (id == 8 && id2 == 7 && (t2 == TC_TRUE || t2 == TC_FALSE)) {
                    ph->is_compressed = t2 == TC_TRUE;
                } else if (((id == 5 && id2 == 5) || (id == 8 && id2 == 8)) && t2 == TC_STRUCT) {
                    ph->stats.null_count = -1;
                    parse_stats(&in, &ph->stats);
                    ph->has_stats = true;
                } else {
                    tc_skip(&in, t2);
                }
            }
            tc_leave(&in);
        } else {
            tc_skip(&in, t);
        }
    }
    if (!in.why && (ph->type < 0 || ph->uncompressed_size < 0 || ph->compressed_size < 0))
        tc_fail(&in, "a page header lacks its type or sizes");
    if (!in.why && !have_sub && (ph->type == PQP_DATA_PAGE || ph->type == PQP_DATA_PAGE_V2 ||
                                 ph->type == PQP_DICTIONARY_PAGE))
        tc_fail(&in, "a page header lacks its page description");
    if (!in.why && (ph->num_values < 0 || ph->num_nulls < 0 || ph->num_rows < 0 || ph->def_len < 0 ||
                    ph->rep_len < 0))
        tc_fail(&in, "a page header holds a negative count");
    if (in.why) {
        *why = in.why;
        return -1;
    }
    return in.p - data;
}

/* A Statistics struct as field `id`: null_count, min_value/max_value and
 * their exactness (min and max only when both are there). */
static void put_stats(TOut *o, int16_t id, const PqStatsRaw *st)
{
    tco_field(o, id, TC_STRUCT);
    tco_struct_begin(o);
    if (st->null_count >= 0) tco_i64(o, 3, st->null_count);
    if (st->min && st->max) {
        tco_binary(o, 5, st->max, st->max_len);
        tco_binary(o, 6, st->min, st->min_len);
        tco_bool(o, 7, st->max_exact);
        tco_bool(o, 8, st->min_exact);
    }
    tco_struct_end(o);
}

void pq_put_page_header(WbBuf *buf, const PqPageHeader *ph)
{
    TOut out = {buf, {0}, 0};
    tco_i32(&out, 1, ph->type);
    tco_i32(&out, 2, ph->uncompressed_size);
    tco_i32(&out, 3, ph->compressed_size);
    if (ph->type == PQP_DICTIONARY_PAGE) {
        tco_field(&out, 7, TC_STRUCT);
        tco_struct_begin(&out);
        tco_i32(&out, 1, ph->num_values);
        tco_i32(&out, 2, ph->encoding);
        tco_struct_end(&out);
    } else {
        tco_field(&out, 5, TC_STRUCT);
        tco_struct_begin(&out);
        tco_i32(&out, 1, ph->num_values);
        tco_i32(&out, 2, ph->encoding);
        tco_i32(&out, 3, PQE_RLE);
        tco_i32(&out, 4, PQE_RLE);
        if (ph->has_stats) put_stats(&out, 5, &ph->stats);
        tco_struct_end(&out);
    }
    wb_buf_putc(buf, 0);
}
