/*
 * test_types.c - base (arena, buffers, hashing), types (value text, row
 * encoding, batches, row kinds) and state tables.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "state/state.h"
#include "types/types.h"

static const char *fmt(Batch *b, int32_t col, int32_t row, WbBuf *buf)
{
    wb_buf_clear(buf);
    ty_format_value(&b->cols[col], row, buf);
    return wb_buf_cstr(buf);
}

static void test_values(void)
{
    SqlType types[6] = {ty_make(TY_INT), ty_decimal(10, 2), ty_make(TY_DOUBLE),
                        ty_make(TY_DATE), ty_timestamp(3), ty_make(TY_BOOLEAN)};
    Batch *b = ty_batch_new(types, 6, 4);
    WbBuf buf = {0};
    WbError err = {0};
    CHECK(ty_parse_value(b, 0, 0, " 42 ", 4, &err) == 0);
    CHECK_STR(fmt(b, 0, 0, &buf), "42");
    CHECK(ty_parse_value(b, 0, 1, "3000000000", 10, &err) == -1);
    CHECK(strcmp(err.sqlstate, WB_SQLSTATE_OVERFLOW) == 0);
    wb_error_clear(&err);
    CHECK(ty_parse_value(b, 0, 1, "abc", 3, &err) == -1);
    CHECK(strstr(err.message, "\"abc\"") != NULL);
    wb_error_clear(&err);

    CHECK(ty_parse_value(b, 1, 0, "10.5", 4, &err) == 0);
    CHECK_STR(fmt(b, 1, 0, &buf), "10.50");
    CHECK(ty_parse_value(b, 1, 1, "-0.005", 6, &err) == 0);
    CHECK_STR(fmt(b, 1, 1, &buf), "-0.01");
    CHECK(ty_parse_value(b, 1, 2, "1.5e2", 5, &err) == 0);
    CHECK_STR(fmt(b, 1, 2, &buf), "150.00");
    CHECK(ty_parse_value(b, 1, 3, "123456789012", 12, &err) == -1);  /* p = 10 */
    wb_error_clear(&err);

    CHECK(ty_parse_value(b, 2, 0, "0.1", 3, &err) == 0);
    CHECK_STR(fmt(b, 2, 0, &buf), "0.1");
    b->cols[2].f64[1] = 3.0;
    CHECK_STR(fmt(b, 2, 1, &buf), "3.0");
    b->cols[2].f64[2] = 1e10;
    CHECK_STR(fmt(b, 2, 2, &buf), "1.0E10");

    CHECK(ty_parse_value(b, 3, 0, "2024-02-29", 10, &err) == 0);
    CHECK_STR(fmt(b, 3, 0, &buf), "2024-02-29");
    CHECK(ty_parse_value(b, 3, 1, "2023-02-29", 10, &err) == -1);
    wb_error_clear(&err);
    CHECK(ty_parse_value(b, 3, 1, "1969-12-31", 10, &err) == 0);
    CHECK(b->cols[3].i64[1] == -1);

    CHECK(ty_parse_value(b, 4, 0, "2024-01-31 23:59:59.1234", 24, &err) == 0);
    CHECK_STR(fmt(b, 4, 0, &buf), "2024-01-31 23:59:59.123");
    CHECK(ty_parse_value(b, 4, 1, "1969-12-31T23:59:59.5", 21, &err) == 0);
    CHECK_STR(fmt(b, 4, 1, &buf), "1969-12-31 23:59:59.500");
    CHECK(ty_parse_value(b, 5, 0, "TRUE", 4, &err) == 0);
    CHECK_STR(fmt(b, 5, 0, &buf), "TRUE");
    wb_buf_free(&buf);
    ty_batch_free(b);
}

static void test_encoding(void)
{
    SqlType types[3] = {ty_make(TY_BIGINT), ty_make(TY_STRING), ty_make(TY_DOUBLE)};
    Batch *b = ty_batch_new(types, 3, 2);
    for (int row = 0; row < 2; row++) {
        b->cols[0].i64[row] = 7;
        b->cols[1].str[row] = ty_batch_str(b, "abc", 3);
        b->cols[2].f64[row] = row ? -0.0 : 0.0;
        b->weights[row] = 1;
    }
    b->nrows = 2;
    WbBuf k1 = {0}, k2 = {0};
    ty_row_encode(b, 0, NULL, 3, &k1);
    ty_row_encode(b, 1, NULL, 3, &k2);
    CHECK(k1.len == k2.len && memcmp(k1.data, k2.data, k1.len) == 0);
    CHECK(ty_row_hash(b, 0, NULL, 3) == ty_row_hash(b, 1, NULL, 3));
    b->cols[1].nulls[1] = 1;
    wb_buf_clear(&k2);
    ty_row_encode(b, 1, NULL, 3, &k2);
    CHECK(k1.len != k2.len);
    Batch *out = ty_batch_new(types, 3, 1);
    size_t used = ty_row_decode((const uint8_t *)k1.data, types, 3, out, 0, 0);
    CHECK(used == k1.len);
    CHECK(out->cols[0].i64[0] == 7 && out->cols[1].str[0].len == 3);
    ty_batch_free(out);

    wb_buf_free(&k1);
    wb_buf_free(&k2);
    ty_batch_free(b);
}

/* DECIMAL(38): exact text both ways at the limits, rejections past 38
 * digits (also past 128 bits, where accumulating would wrap), HALF_UP on
 * dropped digits; 128-bit cells encode, decode, hash and order; the
 * arithmetic helpers round once from the exact result, even when it
 * passes 128 bits. */
static void test_decimal128(void)
{
    ty_i128 v, max38 = ty_pow10_128(38) - 1;
    CHECK(ty_parse_decimal128("99999999999999999999999999999999999999", 38, 38, 0, &v) == 0 &&
          v == max38);
    CHECK(ty_parse_decimal128("-99999999999999999999999999999999999999", 39, 38, 0, &v) == 0 &&
          v == -max38);
    CHECK(ty_parse_decimal128("100000000000000000000000000000000000000", 39, 38, 0, &v) == -2);
    /* 2^128: would wrap to 0 if its 39 digits were accumulated */
    CHECK(ty_parse_decimal128("340282366920938463463374607431768211456", 39, 38, 0, &v) == -2);
    CHECK(ty_parse_decimal128("0.000000000000000000000000000000000000005", 41, 38, 38, &v) == 0 &&
          v == 1);   /* the 39th fraction digit rounds HALF_UP */
    CHECK(ty_parse_decimal128("-1.5e-1", 7, 38, 0, &v) == 0 && v == 0);
    CHECK(ty_parse_decimal128("-0.5", 4, 38, 0, &v) == 0 && v == -1);
    CHECK(ty_parse_decimal128("12.3.4", 6, 38, 2, &v) == -1);
    CHECK(ty_parse_decimal128("1e39", 4, 38, 0, &v) == -2);
    WbBuf buf = {0};
    ty_format_decimal(-max38, 38, &buf);
    CHECK_STR(wb_buf_cstr(&buf), "-0.99999999999999999999999999999999999999");
    wb_buf_clear(&buf);
    ty_format_decimal(-5, 3, &buf);
    CHECK_STR(wb_buf_cstr(&buf), "-0.005");

    SqlType types[2] = {ty_decimal(38, 2), ty_decimal(20, 0)};
    Batch *b = ty_batch_new(types, 2, 3);
    ty_i128 vals[3] = {-max38, 0, max38};
    for (int row = 0; row < 3; row++) {
        b->cols[0].i128[row] = vals[row];
        b->cols[1].i128[row] = vals[row] / ty_pow10_128(18);
        b->weights[row] = 1;
    }
    b->nrows = 3;
    CHECK(ty_compare(&b->cols[0], 0, &b->cols[0], 1) < 0 && ty_compare(&b->cols[0], 2, &b->cols[0], 1) > 0);
    WbBuf key = {0};
    ty_row_encode(b, 2, NULL, 2, &key);
    CHECK(key.len == 2 * 17);
    Batch *out = ty_batch_new(types, 2, 1);
    CHECK(ty_row_decode((const uint8_t *)key.data, types, 2, out, 0, 0) == key.len);
    CHECK(out->cols[0].i128[0] == max38 && out->cols[1].i128[0] == max38 / ty_pow10_128(18));
    out->nrows = 1;
    CHECK(ty_row_hash(out, 0, NULL, 2) == ty_row_hash(b, 2, NULL, 2));
    CHECK(ty_row_hash(b, 0, NULL, 2) != ty_row_hash(b, 2, NULL, 2));
    CHECK_STR(fmt(out, 0, 0, &buf), "999999999999999999999999999999999999.99");

    /* (10^38 - 1)^2 / 10^38 rounds to 10^38 - 2 (exact: 10^38 - 2 + 10^-38) */
    CHECK(ty_dec_mul(max38, max38, 38, 38, &v) == 0 && v == max38 - 1);
    CHECK(ty_dec_mul(max38, max38, 37, 38, &v) == -2);
    CHECK(ty_dec_mul(-15, 1, 1, 38, &v) == 0 && v == -2);        /* -1.5 -> -2 */
    /* (10^38 - 1) * 10^38 / (10^38 - 1) = 10^38: past 38 digits */
    CHECK(ty_dec_div(max38, max38, 38, 38, &v) == -2);
    CHECK(ty_dec_div(max38, max38, 37, 38, &v) == 0 && v == ty_pow10_128(37));
    CHECK(ty_dec_div(2, 3, 0, 38, &v) == 0 && v == 1);            /* 0.67 -> 1 */
    CHECK(ty_dec_div(-1, 3, 38, 38, &v) == 0 && v == -(max38 / 3));
    /* the exact sum at scale 38 passes 128 bits; rounded to scale 0 */
    CHECK(ty_dec_add(max38, 0, max38, 38, 0, 38, &v) == -2);                 /* 10^38 */
    CHECK(ty_dec_add(max38 - 1, 0, max38, 38, 0, 38, &v) == 0 && v == max38);
    CHECK(ty_dec_add(5, 1, 5, 2, 1, 38, &v) == 0 && v == 6);     /* 0.5 + 0.05 = 0.55 -> 0.6 */
    CHECK(ty_dec_mod(max38, 0, 7, 38, 38, &v) == 0);
    CHECK(ty_dec_mod(-7, 0, 2, 0, 38, &v) == 0 && v == -1);
    wb_buf_free(&key);
    wb_buf_free(&buf);
    ty_batch_free(out);
    ty_batch_free(b);
}

/* Kinds are carried per row: a batch without update flags shows +I / -D by
 * sign; ty_mark_update flags a -U/+U pair; reserve keeps the flags;
 * append_row keeps a row's flag only while its weight keeps its sign;
 * ty_mark_plain turns a half back into a plain change.  Nothing looks at
 * neighbouring rows. */
static void test_row_kinds(void)
{
    SqlType types[1] = {ty_make(TY_BIGINT)};
    Batch *b = ty_batch_new(types, 1, 2);
    for (int32_t row = 0; row < 2; row++) {
        b->cols[0].i64[row] = row;
        b->weights[row] = row == 0 ? -1 : 1;
    }
    b->nrows = 2;
    CHECK(b->updates == NULL);
    CHECK(ty_row_kind(b, 0) == RK_DELETE && ty_row_kind(b, 1) == RK_INSERT);
    ty_mark_update(b, 0);
    CHECK(ty_row_kind(b, 0) == RK_UPDATE_BEFORE && ty_row_kind(b, 1) == RK_UPDATE_AFTER);
    ty_batch_reserve(b, 64);
    CHECK(ty_row_kind(b, 0) == RK_UPDATE_BEFORE && ty_row_kind(b, 1) == RK_UPDATE_AFTER);
    CHECK(b->updates[2] == 0 && b->updates[63] == 0);

    Batch *dst = ty_batch_new(types, 1, 1);
    ty_batch_append_row(dst, b, 1, 3);
    ty_batch_append_row(dst, b, 0, -1);
    ty_batch_append_row(dst, b, 0, 1);       /* sign flipped: a plain insert */
    CHECK(ty_row_kind(dst, 0) == RK_UPDATE_AFTER && ty_row_kind(dst, 1) == RK_UPDATE_BEFORE);
    CHECK(ty_row_kind(dst, 2) == RK_INSERT);
    CHECK_STR(ty_rowkind_short(ty_row_kind(dst, 1)), "-U");
    ty_mark_plain(dst, 1);
    CHECK(ty_row_kind(dst, 1) == RK_DELETE);
    ty_batch_reset(dst);
    CHECK(dst->updates == NULL);
    ty_batch_free(dst);
    ty_batch_free(b);
}

static void test_state(void)
{
    /* differential test against a plain array model */
    StateTable *t = st_table_new(sizeof(int64_t));
    enum { N = 5000 };
    static int64_t model[N];
    static bool present[N];
    WbRand rng;
    wb_rand_seed(&rng, 1);
    int64_t wrong = 0;
    for (int step = 0; step < 60000; step++) {
        int64_t k = (int64_t)wb_rand_below(&rng, N);
        uint64_t h = wb_hash_bytes(&k, 8, 0);
        if (wb_rand_below(&rng, 3) == 0) {
            StateEntry *e = st_table_find(t, &k, 8, h);
            wrong += (e != NULL) != present[k];
            if (e) st_table_remove(t, e);
            present[k] = false;
        } else {
            bool created;
            StateEntry *e = st_table_upsert(t, &k, 8, h, &created);
            wrong += created != !present[k];
            int64_t *v = st_payload(e);
            if (created) model[k] = 0;
            *v += 1;
            model[k] += 1;
            present[k] = true;
        }
    }
    CHECK(wrong == 0);
    int64_t count = 0;
    for (int k = 0; k < N; k++) count += present[k];
    CHECK(st_table_count(t) == count);
    StateIter it;
    st_iter_init(&it, t);
    int64_t seen = 0, mismatches = 0;
    for (StateEntry *e; (e = st_iter_next(&it));) {
        int64_t k;
        memcpy(&k, e->key, 8);
        seen++;
        if (!present[k] || *(int64_t *)st_payload(e) != model[k]) mismatches++;
    }
    CHECK(seen == count);
    CHECK(mismatches == 0);
    st_table_free(t);
}

static void test_arena(void)
{
    WbArena *a = wb_arena_new(128);
    char *big = wb_arena_alloc(a, 100000);
    memset(big, 1, 100000);
    for (int i = 0; i < 1000; i++) {
        char *p = wb_arena_alloc(a, 24);
        memset(p, 2, 24);
        if (((uintptr_t)p & 7) != 0) big[0] = 0;
    }
    CHECK(big[0] == 1);
    wb_arena_reset(a);
    char *s = wb_arena_printf(a, "x=%d", 5);
    CHECK_STR(s, "x=5");
    wb_arena_free(a);
}

int main(void)
{
    RUN(test_values);
    RUN(test_encoding);
    RUN(test_decimal128);
    RUN(test_row_kinds);
    RUN(test_state);
    RUN(test_arena);
    return check_done();
}
