/*
 * test_json_fast.c - the one-pass JSON record scanner against the tree
 * decoder: both decode the same generated and mutated json, debezium-json
 * and canal-json input (valid, odd and malformed records, random windows
 * and batch sizes), and must produce the same rows, weights, counters and
 * errors, byte for byte.  Plus the scanner's own pieces: numbers into
 * DOUBLE and DECIMAL, deep nesting, and that it really takes the usual
 * records.
 */
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "connect/json_int.h"

static WbArena *arena;

/* ---- helpers ---- */

static TableDef *table(int32_t ncols, const char *const *names, const SqlType *types)
{
    TableDef *def = wb_arena_calloc(arena, sizeof *def);
    def->name = wb_arena_strdup(arena, "t");
    def->ncols = ncols;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)ncols);
    for (int32_t i = 0; i < ncols; i++) {
        def->cols[i].name = wb_arena_strdup(arena, names[i]);
        def->cols[i].type = types[i];
    }
    def->options = wb_arena_calloc(arena, sizeof(TableOption));
    def->watermark_col = -1;
    def->line = 1;
    def->column = 1;
    return def;
}

/* Appends the rows of b to t: kind and weight, then each cell exactly
 * (doubles by their bits, strings by length and bytes). */
static void dump_batch(const Batch *b, WbBuf *t)
{
    for (int32_t row = 0; row < b->nrows; row++) {
        wb_buf_printf(t, "%s%+lld[", ty_rowkind_short(ty_row_kind(b, row)), (long long)b->weights[row]);
        for (int32_t col = 0; col < b->ncols; col++) {
            const ColumnVector *vec = &b->cols[col];
            if (col) wb_buf_putc(t, ',');
            if (vec->nulls[row]) {
                wb_buf_puts(t, "null");
                continue;
            }
            switch (ty_phys(vec->type)) {
            case PK_I64: wb_buf_printf(t, "%lld", (long long)vec->i64[row]); break;
            case PK_I128: ty_format_decimal(vec->i128[row], 0, t); break;
            case PK_F64: {
                uint64_t bits;
                memcpy(&bits, &vec->f64[row], 8);
                wb_buf_printf(t, "f%016llx", (unsigned long long)bits);
                break;
            }
            case PK_STR:
                wb_buf_printf(t, "s%u:", vec->str[row].len);
                wb_buf_append(t, vec->str[row].ptr, vec->str[row].len);
                break;
            }
        }
        wb_buf_puts(t, "]\n");
    }
}

/* Decodes text (exactly len bytes, so ASan sees any read past it) with the
 * scanner on or off, in windows that grow by `step` bytes and batches of
 * max_rows; returns the transcript of every call.  *fast: records the
 * scanner took. */
static char *decode_all(const TableDef *def, const JsonOptions *opts, const char *text, size_t len,
                        size_t step, int32_t max_rows, bool use_fast, int64_t *fast)
{
    cn_json_fast_enabled = use_fast;
    JsonDecoder *dec = cn_json_decoder_new(def, opts);
    SqlType types[16];
    sql_table_physical(def, types, NULL);
    Batch *out = ty_batch_new(types, def->ncols, max_rows);
    WbBuf t = {0};
    RecordInput in = {0};
    in.data = text;
    in.len = step < len ? step : len;
    in.eof = in.len == len;
    in.line = 1;
    in.base_offset = 1000;
    in.path = "f.json";
    for (int calls = 0; calls < 100000; calls++) {
        WbError err;
        wb_error_clear(&err);
        ty_batch_reset(out);
        int rc = cn_json_decode(dec, &in, out, max_rows, &err);
        wb_buf_printf(&t, "rc %d rows %d pos %zu line %lld records %lld dirty %lld\n", rc, out->nrows, in.pos,
                      (long long)in.line, (long long)in.records, (long long)in.dirty);
        dump_batch(out, &t);
        if (rc < 0) {
            wb_buf_printf(&t, "error %s %s:%lld @%lld: %s\n", err.sqlstate, err.source, (long long)err.line,
                          (long long)err.offset, err.message);
            break;
        }
        if (rc == CN_NEED_MORE) {
            if (in.eof) break;
            in.len = in.len + step < len ? in.len + step : len;
            in.eof = in.len == len;
        }
    }
    *fast = cn_json_decoder_fast_records(dec);
    ty_batch_free(out);
    cn_json_decoder_free(dec);
    cn_json_fast_enabled = true;
    char *res = wb_arena_strndup(arena, t.data ? t.data : "", t.len);
    wb_buf_free(&t);
    return res;
}

/* Both decoders on the same input must agree; prints the first mismatch. */
static int mismatches;
static int64_t compare(const TableDef *def, const JsonOptions *opts, const char *text, size_t len,
                       size_t step, int32_t max_rows)
{
    char *copy = wb_malloc(len ? len : 1);
    memcpy(copy, text, len);
    int64_t fast_on, fast_off;
    const char *want = decode_all(def, opts, copy, len, step, max_rows, false, &fast_off);
    const char *got = decode_all(def, opts, copy, len, step, max_rows, true, &fast_on);
    bool same = strcmp(want, got) == 0;
    CHECK(same && fast_off == 0);
    if (!same && mismatches++ < 3)
        fprintf(stderr, "format %d step %zu max_rows %d ignore %d input:\n%.*s\n--- tree:\n%s--- scanner:\n%s\n",
                (int)opts->format, step, max_rows, (int)opts->ignore_errors, (int)len, text, want, got);
    free(copy);
    return fast_on;
}

/* ---- a generator of json-family records, mostly valid, some not ---- */

typedef struct Gen {
    WbRand rng;
    WbBuf b;
    bool tidy;                   /* values mostly fit their columns */
} Gen;

static uint64_t pick(Gen *g, uint64_t n) { return wb_rand_below(&g->rng, n); }
static bool chance(Gen *g, int percent) { return (int)pick(g, 100) < percent; }
static void put(Gen *g, const char *s) { wb_buf_puts(&g->b, s); }

static void blanks(Gen *g)
{
    static const char *const ws[] = {" ", "  ", "\t", " \r ", "\r"};
    if (chance(g, 8)) put(g, ws[pick(g, WB_ARRAY_LEN(ws))]);
}

static void gen_number(Gen *g)
{
    static const char *const odd[] = {
        "0", "-0", "-0.0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "12345678901234567890", "2147483647", "2147483648", "-2147483649",
        "1.5", "-0.25", "1.2345", "0.0005", "999999999.999", "1000000000", "1e2", "1E-2", "1.5e+3",
        "0.1e400", "1e-400", "123456789012345678901234567890", "0.000000000000000000000000001",
        "9007199254740993", "4.35", "0.1", "1e22", "1e23", "123456789012345.6", "-1.7976931348623157e308",
        "012", "-", "1.", ".5", "1e", "--1", "+1", "0x10", "1e+", "00", "-01", "2.5e-3",
        "12345678", "123456781", "1234567812345678", "12345678123456789",
    };
    if (chance(g, 40)) {
        /* the tidy generator keeps to the valid ones (the first 30) */
        put(g, odd[pick(g, g->tidy ? 30 : WB_ARRAY_LEN(odd))]);
        return;
    }
    if (chance(g, 30)) wb_buf_putc(&g->b, '-');
    uint64_t v = wb_rand_next(&g->rng) >> pick(g, 64);
    wb_buf_printf(&g->b, "%llu", (unsigned long long)v);
    if (chance(g, 30)) wb_buf_printf(&g->b, ".%0*llu", (int)pick(g, 6) + 1, (unsigned long long)pick(g, 100000));
    if (chance(g, 10)) wb_buf_printf(&g->b, "e%s%d", chance(g, 50) ? "-" : "", (int)pick(g, 30));
}

static void gen_string(Gen *g)
{
    static const char *const parts[] = {
        "a", "hello world", "\\\"", "\\\\", "\\/", "\\b\\f\\n\\r\\t", "\\u00e9", "\\ud83d\\ude00",
        "\\ud800", "\\udc00x", "\\uD800\\u0041", "\\u12G4", "\\x", "\xc3\xa9", "\x01", "\t", "12", " 42 ",
        "1.5", "true", "f", "2024-01-31 23:59:59.123", "2024-01-31T01:02:03Z", "2024-02-30", "23:59:59",
        "2024-01-31", "NaN", "-Infinity", "1e3", "0.015", "0123456789abcdefghij", "\\u0000", "\\",
    };
    put(g, "\"");
    int n = (int)pick(g, 4);
    for (int i = 0; i < n; i++) put(g, parts[pick(g, WB_ARRAY_LEN(parts))]);
    if (!chance(g, 2)) put(g, "\"");
}

static void gen_value(Gen *g, int depth);

static void gen_nested(Gen *g, int depth)
{
    if (chance(g, 50)) {
        put(g, "[");
        int n = (int)pick(g, 3);
        for (int i = 0; i < n; i++) {
            if (i) put(g, ",");
            blanks(g);
            gen_value(g, depth + 1);
        }
        put(g, "]");
    } else {
        put(g, "{");
        int n = (int)pick(g, 3);
        for (int i = 0; i < n; i++) {
            if (i) put(g, ",");
            put(g, chance(g, 50) ? "\"k\":" : "\"x\" : ");
            gen_value(g, depth + 1);
        }
        put(g, "}");
    }
}

static void gen_value(Gen *g, int depth)
{
    static const char *const lits[] = {"null", "true", "false", "nul", "tru", "nulll", "True", "[1,]", "{,}"};
    uint64_t kind = pick(g, 100);
    if (kind < 12) put(g, lits[pick(g, 3)]);
    else if (kind < 14) put(g, lits[3 + pick(g, WB_ARRAY_LEN(lits) - 3)]);
    else if (kind < 55) gen_number(g);
    else if (kind < 88) gen_string(g);
    else if (depth < 4) gen_nested(g, depth);
    else put(g, "1");
}

static const char *const col_names[] = {"i", "b", "d", "f", "s", "t", "ts", "dt", "q\"", "n"};
static const char *const col_keys[] = {"i", "b", "d", "f", "s", "t", "ts", "dt", "q\\\"", "n"};

/* A value that fits column col of wide_table() (most of the time). */
static void gen_fitting(Gen *g, size_t col)
{
    static const char *const strs[] = {"\"a\"", "\"\\u00e9\\n\\\"x\\\"\"", "\"\\ud83d\\ude00\"", "\"\"", "{\"a\":[1, 2]}",
                                       "[ ]", "12.50", "true", "\"long string over eight bytes\\t\""};
    if (chance(g, 8)) {
        put(g, "null");
        return;
    }
    switch (col) {
    case 0: wb_buf_printf(&g->b, "%d", (int)pick(g, 2000000) - 1000000); break;
    case 1:
        if (chance(g, 10)) wb_buf_printf(&g->b, "\"%lld\"", (long long)pick(g, 1000));
        else wb_buf_printf(&g->b, "%lld", (long long)(wb_rand_next(&g->rng) >> pick(g, 64)) * (chance(g, 50) ? -1 : 1));
        break;
    case 2:
    case 9:
        wb_buf_printf(&g->b, "%s%d.%0*d", chance(g, 30) ? "-" : "", (int)pick(g, 100000), 1 + (int)pick(g, 3),
                      (int)pick(g, 10));
        break;
    case 3: gen_number(g); break;
    case 4:
    case 8: put(g, strs[pick(g, WB_ARRAY_LEN(strs))]); break;
    case 5: put(g, chance(g, 80) ? (chance(g, 50) ? "true" : "false") : "\"yes\""); break;
    case 6: put(g, chance(g, 50) ? "\"2024-01-31 23:59:59.123\"" : "\"2024-02-01T00:00:01Z\""); break;
    default: put(g, "\"2024-01-31\""); break;
    }
}

/* A row object: columns mostly in order, some missing, unknown or repeated
 * members, keys with escapes. */
static void gen_row(Gen *g)
{
    put(g, "{");
    blanks(g);
    int n = 0;
    bool shuffled = chance(g, 15);
    for (size_t col = 0; col < WB_ARRAY_LEN(col_names); col++) {
        if (chance(g, 15)) continue;
        size_t which = shuffled ? pick(g, WB_ARRAY_LEN(col_names)) : col;
        if (n++) put(g, ",");
        blanks(g);
        if (chance(g, 5) && (!g->tidy || which == 0)) put(g, "\"\\u0069\"");   /* "i" escaped */
        else if (chance(g, 3) && !g->tidy) put(g, "\"zz\"");
        else wb_buf_printf(&g->b, "\"%s\"", col_keys[which]);
        blanks(g);
        put(g, ":");
        blanks(g);
        if (g->tidy && !shuffled) gen_fitting(g, which);
        else gen_value(g, 2);
        blanks(g);
    }
    if (chance(g, 10)) {
        if (n++) put(g, ",");
        put(g, "\"extra\":{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\n\"}");
    }
    put(g, chance(g, g->tidy ? 0 : 2) ? "" : "}");
}

static void gen_json_record(Gen *g)
{
    if (chance(g, g->tidy ? 0 : 4)) {
        static const char *const tops[] = {"null", "[1]", "3", "\"x\"", "{}", "{} x", "{\"i\":1}{"};
        put(g, tops[pick(g, WB_ARRAY_LEN(tops))]);
        return;
    }
    gen_row(g);
}

static void gen_image(Gen *g, const char *key)
{
    wb_buf_printf(&g->b, "\"%s\":", key);
    blanks(g);
    uint64_t k = pick(g, 100);
    if (k < 75) gen_row(g);
    else if (k < 95 || g->tidy) put(g, "null");
    else gen_value(g, 1);
}

static void gen_envelope(Gen *g, bool top)
{
    static const char *const ops[] = {"c", "r", "u", "d", "c", "u", "d", "x", "", "cc", "\\u0063", "D"};
    /* members in a random order; sometimes one missing or repeated */
    int order[7] = {0, 1, 2, 3, 4, 5, 6};
    int n = 3 + (int)pick(g, 5);
    if (chance(g, 30))
        for (int i = 6; i > 0; i--) {
            int j = (int)pick(g, (uint64_t)i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    put(g, "{");
    for (int i = 0; i < n; i++) {
        if (i) put(g, ",");
        blanks(g);
        int which = order[i];
        if (chance(g, g->tidy ? 0 : 3)) which = (int)pick(g, 7);  /* a repeat */
        switch (which) {
        case 0: gen_image(g, "before"); break;
        case 1: gen_image(g, "after"); break;
        case 2:
            if (chance(g, g->tidy ? 100 : 95))
                wb_buf_printf(&g->b, "\"op\":\"%s\"", ops[pick(g, g->tidy ? 7 : WB_ARRAY_LEN(ops))]);
            else put(g, "\"op\":1");
            break;
        case 3: put(g, "\"source\":{\"db\":\"x\",\"ts\":[1,2.5,true],\"n\":null}"); break;
        case 4: put(g, "\"ts_ms\":1700000000000"); break;
        case 5:
            if (top && chance(g, 20)) {
                put(g, "\"payload\":");
                if (chance(g, 15)) put(g, "null");
                else if (chance(g, 10)) put(g, "7");
                else gen_envelope(g, false);
            } else {
                put(g, "\"transaction\":null");
            }
            break;
        default: put(g, "\"schema\":{\"type\":\"struct\",\"fields\":[]}"); break;
        }
        blanks(g);
    }
    put(g, "}");
}

static void gen_debezium_record(Gen *g)
{
    if (chance(g, g->tidy ? 1 : 3)) {
        put(g, chance(g, 50) ? "null" : "[]");
        return;
    }
    gen_envelope(g, true);
}

static void gen_rows_array(Gen *g, bool old)
{
    uint64_t k = pick(g, 100);
    if (k < 8) {
        put(g, "null");
        return;
    }
    if (k < 12 && !g->tidy) {
        gen_value(g, 1);
        return;
    }
    put(g, "[");
    int n = (int)pick(g, 4);
    for (int i = 0; i < n; i++) {
        if (i) put(g, ",");
        blanks(g);
        if (chance(g, old ? 10 : g->tidy ? 0 : 3)) gen_value(g, 2);
        else gen_row(g);
    }
    put(g, "]");
}

static void gen_canal_record(Gen *g)
{
    static const char *const types[] = {"INSERT", "UPDATE", "DELETE", "INSERT", "UPDATE", "CREATE", "", "insert"};
    const uint64_t ntypes = g->tidy ? 6 : WB_ARRAY_LEN(types);
    int order[5] = {0, 1, 2, 3, 4};
    if (chance(g, 40))
        for (int i = 4; i > 0; i--) {
            int j = (int)pick(g, (uint64_t)i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    int n = 2 + (int)pick(g, 4);
    put(g, "{");
    for (int i = 0; i < n; i++) {
        if (i) put(g, ",");
        blanks(g);
        int which = order[i];
        if (chance(g, g->tidy ? 0 : 3)) which = (int)pick(g, 5);
        switch (which) {
        case 0: put(g, "\"data\":"); gen_rows_array(g, false); break;
        case 1: put(g, "\"old\":"); gen_rows_array(g, true); break;
        case 2:
            if (chance(g, 95)) wb_buf_printf(&g->b, "\"type\":\"%s\"", types[pick(g, ntypes)]);
            else put(g, "\"type\":null");
            break;
        case 3: put(g, "\"database\":\"db\",\"isDdl\":false"); break;
        default: put(g, "\"pkNames\":[\"id\"],\"mysqlType\":{\"id\":\"int\"}"); break;
        }
    }
    put(g, "}");
}

/* A few records of the format, with line ends, blank lines and, sometimes,
 * random bytes changed. */
static void gen_text(Gen *g, CnFormat format)
{
    wb_buf_clear(&g->b);
    g->tidy = chance(g, 60);
    int n = 1 + (int)pick(g, 6);
    for (int i = 0; i < n; i++) {
        if (format == CN_FMT_JSON) gen_json_record(g);
        else if (format == CN_FMT_DEBEZIUM) gen_debezium_record(g);
        else gen_canal_record(g);
        if (i + 1 < n || chance(g, 50)) put(g, chance(g, 10) ? "\r\n" : "\n");
        if (chance(g, 5)) put(g, "  \n");
    }
    if (chance(g, g->tidy ? 0 : 15) && g->b.len > 0) {
        int edits = 1 + (int)pick(g, 3);
        for (int e = 0; e < edits; e++) g->b.data[pick(g, g->b.len)] = (char)pick(g, 256);
    }
}

/* ---- tests ---- */

static const TableDef *wide_table(void)
{
    SqlType types[] = {ty_make(TY_INT),   ty_make(TY_BIGINT),    ty_decimal(12, 3), ty_make(TY_DOUBLE),
                       ty_make(TY_STRING), ty_make(TY_BOOLEAN), ty_timestamp(3),  ty_make(TY_DATE),
                       ty_make(TY_STRING), ty_decimal(16, 2)};
    return table((int32_t)WB_ARRAY_LEN(col_names), col_names, types);
}

static void test_differential(void)
{
    const TableDef *def = wide_table();
    Gen g = {{0}, {0}, false};
    wb_rand_seed(&g.rng, 7);
    const char *env = getenv("WEIR_FUZZ_ITERS");
    int iters = env ? atoi(env) : 1500;
    int64_t fast = 0;
    for (int fmt = CN_FMT_JSON; fmt <= CN_FMT_CANAL; fmt++) {
        for (int iter = 0; iter < iters; iter++) {
            gen_text(&g, (CnFormat)fmt);
            JsonOptions opts = {(CnFormat)fmt, chance(&g, 50), fmt == CN_FMT_JSON && chance(&g, 20), false};
            size_t step = chance(&g, 70) ? g.b.len + 1 : 1 + pick(&g, 40);
            int32_t max_rows = 1 + (int32_t)pick(&g, 5);
            fast += compare(def, &opts, g.b.data, g.b.len, step, max_rows);
        }
    }
    /* the generator is mostly valid: the scanner must take a good share */
    /* the tidy records mostly take the scanner */
    CHECK(fast > iters);
    wb_buf_free(&g.b);
}

/* Numbers into DOUBLE and DECIMAL: the scanner's shortcuts give exactly
 * the tree decoder's values (strtod and ty_parse_decimal). */
static void test_numbers(void)
{
    const char *names[] = {"f", "d", "e", "i"};
    SqlType types[] = {ty_make(TY_DOUBLE), ty_decimal(18, 4), ty_decimal(10, 0), ty_make(TY_INT)};
    const TableDef *def = table(4, names, types);
    WbRand rng;
    wb_rand_seed(&rng, 99);
    WbBuf text = {0};
    for (int i = 0; i < 20000; i++) {
        uint64_t mant = wb_rand_next(&rng) >> wb_rand_below(&rng, 64);
        int frac = (int)wb_rand_below(&rng, 8);
        char digits[32];
        snprintf(digits, sizeof digits, "%llu", (unsigned long long)mant);
        size_t nd = strlen(digits);
        const char *sign = wb_rand_below(&rng, 3) == 0 ? "-" : "";
        char num[64];
        if ((size_t)frac < nd) snprintf(num, sizeof num, "%s%.*s.%s", sign, (int)(nd - (size_t)frac), digits, digits + nd - (size_t)frac);
        else snprintf(num, sizeof num, "%s0.%0*d%s", sign, frac - (int)nd, 0, digits);
        char exp[16] = "";
        if (wb_rand_below(&rng, 4) == 0) snprintf(exp, sizeof exp, "e%d", (int)wb_rand_below(&rng, 50) - 25);
        wb_buf_printf(&text, "{\"f\":%s%s,\"d\":%s,\"e\":%s%s,\"i\":%s}\n", num, exp, num, num, exp,
                      frac ? "1" : num);
    }
    JsonOptions opts = {CN_FMT_JSON, true, false, false};
    int64_t fast = compare(def, &opts, text.data, text.len, text.len + 1, 1024);
    CHECK(fast > 5000);
    /* exact spot checks through the scanner */
    const char *spot = "{\"f\":0.1,\"d\":12345678901234.5678,\"e\":-0.5,\"i\":-2147483648}\n"
                       "{\"f\":-0,\"d\":\"0.00005\",\"e\":9999999999,\"i\":2147483647}\n";
    cn_json_fast_enabled = true;
    JsonDecoder *dec = cn_json_decoder_new(def, &opts);
    Batch *out = ty_batch_new(types, 4, 8);
    RecordInput in = {0};
    in.data = spot;
    in.len = strlen(spot);
    in.eof = true;
    in.line = 1;
    in.path = "spot";
    WbError err;
    CHECK(cn_json_decode(dec, &in, out, 8, &err) == CN_NEED_MORE && out->nrows == 2);
    CHECK(out->cols[0].f64[0] == 0.1 && out->cols[1].i64[0] == 123456789012345678LL);
    CHECK(out->cols[2].i64[0] == -1 && out->cols[3].i64[0] == INT32_MIN);   /* -0.5 rounds HALF_UP away */
    CHECK(out->cols[0].f64[1] == 0.0 && signbit(out->cols[0].f64[1]) && out->cols[1].i64[1] == 1);
    CHECK(out->cols[2].i64[1] == 9999999999LL && out->cols[3].i64[1] == INT32_MAX);
    CHECK(cn_json_decoder_fast_records(dec) == 2);
    ty_batch_free(out);
    cn_json_decoder_free(dec);
    wb_buf_free(&text);
}

/* Nesting at the limit is fine, one deeper is the tree decoder's error;
 * neither path recurses without bound. */
static void test_depth(void)
{
    const char *names[] = {"s"};
    SqlType types[] = {ty_make(TY_STRING)};
    const TableDef *def = table(1, names, types);
    for (int depth = 250; depth <= 260; depth++) {
        WbBuf text = {0};
        wb_buf_puts(&text, "{\"s\":");
        for (int i = 1; i < depth; i++) wb_buf_putc(&text, '[');
        wb_buf_putc(&text, '1');
        for (int i = 1; i < depth; i++) wb_buf_putc(&text, ']');
        wb_buf_puts(&text, ",\"u\":");
        for (int i = 1; i < depth; i++) wb_buf_puts(&text, "{\"a\":");
        wb_buf_putc(&text, '1');
        for (int i = 1; i < depth; i++) wb_buf_putc(&text, '}');
        wb_buf_puts(&text, "}\n");
        for (int fmt = CN_FMT_JSON; fmt <= CN_FMT_DEBEZIUM; fmt++) {
            JsonOptions opts = {(CnFormat)fmt, false, false, false};
            WbBuf rec = {0};
            if (fmt == CN_FMT_DEBEZIUM) {
                wb_buf_puts(&rec, "{\"op\":\"c\",\"after\":");
                wb_buf_append(&rec, text.data, text.len - 1);
                wb_buf_puts(&rec, "}\n");
            } else {
                wb_buf_append(&rec, text.data, text.len);
            }
            compare(def, &opts, rec.data, rec.len, rec.len + 1, 4);
            wb_buf_free(&rec);
        }
        wb_buf_free(&text);
    }
    /* a very deep value is an error, not a stack overflow */
    WbBuf deep = {0};
    wb_buf_puts(&deep, "{\"s\":");
    for (int i = 0; i < 100000; i++) wb_buf_putc(&deep, '[');
    wb_buf_puts(&deep, "}\n");
    JsonOptions opts = {CN_FMT_JSON, false, false, false};
    compare(def, &opts, deep.data, deep.len, deep.len + 1, 4);
    wb_buf_free(&deep);
}

/* The scanner takes the usual shapes: debezium with and without the schema
 * wrapper, canal-json updates, strings with escapes; a record it leaves to
 * the tree decoder is decoded all the same. */
static void test_fast_shapes(void)
{
    const char *names[] = {"id", "name", "price"};
    SqlType types[] = {ty_make(TY_BIGINT), ty_make(TY_STRING), ty_decimal(10, 2)};
    const TableDef *def = table(3, names, types);
    const char *dbz =
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\\u00e9\\n\",\"price\":1.5},\"source\":{\"v\":\"2\"},\"op\":\"c\",\"ts_ms\":1}\n"
        "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"before\":{\"id\":1,\"name\":\"a\",\"price\":1.5},"
        "\"after\":{\"id\":1,\"name\":\"b\",\"price\":\"2.25\"},\"op\":\"u\"}}\n"
        "{\"op\":\"u\",\"after\":{\"id\":2,\"price\":3},\"before\":{\"id\":2,\"price\":2}}\n"
        "{\"op\":\"d\",\"before\":{\"id\":2}}\n"
        "{\"payload\":null}\n"
        "{\"before\":null,\"after\":{\"id\":3},\"op\":\"r\",\"op\":\"r\"}\n";
    JsonOptions opts = {CN_FMT_DEBEZIUM, false, false, false};
    for (int32_t max_rows = 1; max_rows <= 4; max_rows++) {
        int64_t fast = compare(def, &opts, dbz, strlen(dbz), strlen(dbz) + 1, max_rows);
        CHECK(fast == 5);                  /* all but the repeated op */
    }
    const char *canal =
        "{\"data\":[{\"id\":\"1\",\"name\":\"a\",\"price\":\"1.50\"},{\"id\":\"2\",\"name\":\"b\",\"price\":null}],"
        "\"old\":null,\"type\":\"INSERT\",\"database\":\"db\"}\n"
        "{\"data\":null,\"type\":\"CREATE\",\"isDdl\":true,\"sql\":\"CREATE TABLE x\"}\n"
        "{\"old\":[{\"name\":\"a\",\"price\":\"1.50\"},{\"price\":null}],\"type\":\"UPDATE\","
        "\"data\":[{\"id\":\"1\",\"name\":\"a2\",\"price\":\"2.00\"},{\"id\":\"2\",\"name\":\"b2\",\"price\":\"3\"}]}\n"
        "{\"data\":[{\"id\":\"2\",\"name\":\"b2\",\"price\":\"3\"}],\"type\":\"DELETE\"}\n";
    JsonOptions copts = {CN_FMT_CANAL, false, false, false};
    for (int32_t max_rows = 1; max_rows <= 5; max_rows++) {
        int64_t fast = compare(def, &copts, canal, strlen(canal), strlen(canal) + 1, max_rows);
        CHECK(fast == 4);
    }
}

int main(void)
{
    arena = wb_arena_new(0);
    RUN(test_fast_shapes);
    RUN(test_numbers);
    RUN(test_depth);
    RUN(test_differential);
    wb_arena_free(arena);
    return check_done();
}
