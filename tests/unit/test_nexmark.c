/*
 * test_nexmark.c - the nexmark source: the event mix, the id and hot-key
 * rules, timestamps, string shapes, determinism whatever the batch sizes and
 * the unread columns, bounds, pacing by a manual clock, and option errors.
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "connect/connect_int.h"

static WbArena *arena;

/* Every field, in the order of docs/nexmark.md's schema. */
static const char *const all_names[] = {
    "event_type",
    "person.id", "person.name", "person.emailAddress", "person.creditCard", "person.city",
    "person.state", "person.dateTime", "person.extra",
    "auction.id", "auction.itemName", "auction.description", "auction.initialBid",
    "auction.reserve", "auction.dateTime", "auction.expires", "auction.seller",
    "auction.category", "auction.extra",
    "bid.auction", "bid.bidder", "bid.price", "bid.channel", "bid.url", "bid.dateTime",
    "bid.extra"};
#define NALL ((int32_t)(sizeof all_names / sizeof all_names[0]))

enum {
    C_TYPE, C_P_ID, C_P_NAME, C_P_EMAIL, C_P_CARD, C_P_CITY, C_P_STATE, C_P_TIME, C_P_EXTRA,
    C_A_ID, C_A_ITEM, C_A_DESC, C_A_INITIAL, C_A_RESERVE, C_A_TIME, C_A_EXPIRES, C_A_SELLER,
    C_A_CATEGORY, C_A_EXTRA, C_B_AUCTION, C_B_BIDDER, C_B_PRICE, C_B_CHANNEL, C_B_URL,
    C_B_TIME, C_B_EXTRA
};

static SqlType type_of(const char *name)
{
    if (strcmp(name, "event_type") == 0) return ty_make(TY_INT);
    if (strstr(name, "dateTime") || strstr(name, "expires")) return ty_timestamp(3);
    static const char *const strings[] = {"name", "email", "credit", "city", "state", "extra",
                                          "item", "description", "channel", "url", NULL};
    for (const char *const *s = strings; *s; s++)
        if (strstr(name, *s)) return ty_make(TY_STRING);
    return ty_make(TY_BIGINT);
}

/* A nexmark table of the given columns and extra option pairs. */
static TableDef *table(int32_t ncols, const char *const *names, const char *const *options)
{
    TableDef *def = wb_arena_calloc(arena, sizeof *def);
    def->name = "nx";
    def->ncols = ncols;
    def->cols = wb_arena_calloc(arena, sizeof(ColumnDef) * (size_t)ncols);
    for (int32_t i = 0; i < ncols; i++) {
        def->cols[i].name = wb_arena_strdup(arena, names[i]);
        def->cols[i].type = type_of(names[i]);
    }
    int32_t nopt = 0;
    while (options[nopt * 2]) nopt++;
    def->noptions = nopt + 1;
    def->options = wb_arena_calloc(arena, sizeof(TableOption) * (size_t)(nopt + 1));
    def->options[0].key = "connector";
    def->options[0].value = "nexmark";
    for (int32_t i = 0; i < nopt; i++) {
        def->options[i + 1].key = wb_arena_strdup(arena, options[i * 2]);
        def->options[i + 1].value = wb_arena_strdup(arena, options[i * 2 + 1]);
    }
    def->watermark_col = -1;
    def->line = 1;
    def->column = 1;
    return def;
}

/* Reads a bounded source whole, max_rows a call, with `unread` (may be
 * NULL) set; returns one batch holding every row (strings copied). */
static Batch *read_all(const TableDef *def, int32_t max_rows, const uint8_t *unread)
{
    WbError err;
    wb_error_clear(&err);
    Source *src = cn_source_open(def, &err);
    CHECK(src != NULL);
    if (!src) {
        fprintf(stderr, "open: %s\n", err.message);
        return NULL;
    }
    CHECK(src->bounded);
    src->unread = unread;
    Batch *all = ty_batch_new(src->types, src->ncols, 1024);
    Batch *batch = ty_batch_new(src->types, src->ncols, max_rows);
    int rc;
    do {
        ty_batch_reset(batch);
        rc = src->vt->next(src, batch, max_rows, &err);
        CHECK(rc >= 0 && batch->nrows <= max_rows);
        if (rc < 0) break;
        /* unread columns hold garbage: NULL them before copying rows */
        for (int32_t col = 0; unread && col < batch->ncols; col++)
            if (unread[col]) memset(batch->cols[col].nulls, 1, (size_t)batch->nrows);
        for (int32_t r = 0; r < batch->nrows; r++) {
            CHECK(batch->weights[r] == 1);
            if (all->nrows == all->capacity) ty_batch_reserve(all, all->capacity * 2);
            ty_batch_append_row(all, batch, r, 1);
        }
    } while (rc == 1);
    CHECK(src->records_read == all->nrows);
    ty_batch_free(batch);
    cn_source_close(src);
    return all;
}

/* One row's value of column col as text ("null" for NULL), in buf. */
static const char *cell(const Batch *b, int32_t col, int32_t row, WbBuf *buf)
{
    wb_buf_clear(buf);
    if (b->cols[col].nulls[row]) wb_buf_puts(buf, "null");
    else ty_format_value(&b->cols[col], row, buf);
    return wb_buf_cstr(buf);
}

static const char *events_opt[] = {"events.num", "5000", NULL};

/* ---- the event mix and the NULL pattern ---- */

static void test_event_mix(void)
{
    Batch *b = read_all(table(NALL, all_names, events_opt), 2048, NULL);
    if (!b) return;
    CHECK(b->nrows == 5000);
    int32_t counts[3] = {0, 0, 0};
    for (int32_t r = 0; r < b->nrows; r++) {
        int64_t type = b->cols[C_TYPE].i64[r];
        CHECK(type >= 0 && type <= 2);
        if (type < 0 || type > 2) continue;
        counts[type]++;
        CHECK(type == (r % 50 == 0 ? 0 : r % 50 <= 3 ? 1 : 2));
        /* the columns of the other events are NULL, the event's own are not */
        for (int32_t col = 1; col < NALL; col++) {
            int32_t owner = col < C_A_ID ? 0 : col < C_B_AUCTION ? 1 : 2;
            CHECK(b->cols[col].nulls[r] == (owner != type));
        }
    }
    CHECK(counts[0] == 100 && counts[1] == 300 && counts[2] == 4600);
    ty_batch_free(b);

    /* other proportions: 2 : 1 : 7 */
    const char *opts[] = {"events.num", "1000", "person.proportion", "2", "auction.proportion", "1",
                          "bid.proportion", "7", NULL};
    b = read_all(table(1, all_names, opts), 100, NULL);
    if (!b) return;
    int32_t mix[3] = {0, 0, 0};
    for (int32_t r = 0; r < b->nrows; r++) mix[b->cols[0].i64[r]]++;
    CHECK(mix[0] == 200 && mix[1] == 100 && mix[2] == 700);
    ty_batch_free(b);
}

/* ---- ids, hot keys, prices and times ---- */

static void test_ids_and_hot_keys(void)
{
    const char *opts[] = {"events.num", "100000", NULL};
    Batch *b = read_all(table(NALL, all_names, opts), 2048, NULL);
    if (!b) return;
    int64_t persons = 0, auctions = 0, bids = 0;
    int64_t hot_sellers = 0, hot_auctions = 0, hot_bidders = 0;
    for (int32_t r = 0; r < b->nrows; r++) {
        int64_t e = r, epoch = e / 50, offset = e % 50;
        int64_t last_person = epoch;   /* base 0 */
        int64_t last_auction = offset == 0 ? epoch * 3 - 1 : offset <= 3 ? epoch * 3 + offset - 1
                                                                         : epoch * 3 + 2;
        /* every event time: base + k / 10 ms at the default rate 10000 */
        int64_t time = CN_DATAGEN_BASE_MICROS + e / 10 * 1000;
        switch (b->cols[C_TYPE].i64[r]) {
        case 0:
            CHECK(b->cols[C_P_ID].i64[r] == 1000 + persons);
            CHECK(b->cols[C_P_ID].i64[r] == 1000 + last_person);
            CHECK(b->cols[C_P_TIME].i64[r] == time);
            persons++;
            break;
        case 1: {
            CHECK(b->cols[C_A_ID].i64[r] == 1000 + auctions);
            CHECK(b->cols[C_A_ID].i64[r] == 1000 + last_auction);
            int64_t seller = b->cols[C_A_SELLER].i64[r] - 1000;
            int64_t people = last_person + 1, active = people < 1000 ? people : 1000;
            CHECK(seller == last_person / 100 * 100 ||
                  (seller >= people - active && seller < people + 10));
            hot_sellers += seller == last_person / 100 * 100;
            int64_t category = b->cols[C_A_CATEGORY].i64[r];
            CHECK(category >= 10 && category <= 14);
            int64_t initial = b->cols[C_A_INITIAL].i64[r];
            CHECK(initial >= 100 && initial <= 100000000);
            CHECK(b->cols[C_A_RESERVE].i64[r] >= initial + 100);
            CHECK(b->cols[C_A_TIME].i64[r] == time);
            /* expires within 2 * the time until 1666 more events, + 1 ms */
            int64_t life = b->cols[C_A_EXPIRES].i64[r] - time;
            int64_t horizon = ((e + 1666) / 10 - e / 10) * 1000;
            CHECK(life >= 1000 && life <= 2 * horizon && life % 1000 == 0);
            auctions++;
            break;
        }
        case 2: {
            int64_t auction = b->cols[C_B_AUCTION].i64[r] - 1000;
            int64_t min = last_auction - 100 > 0 ? last_auction - 100 : 0;
            CHECK(auction == last_auction / 100 * 100 || (auction >= min && auction <= last_auction + 10));
            hot_auctions += auction == last_auction / 100 * 100;
            int64_t bidder = b->cols[C_B_BIDDER].i64[r] - 1000;
            int64_t people = last_person + 1, active = people < 1000 ? people : 1000;
            CHECK(bidder == last_person / 100 * 100 + 1 ||
                  (bidder >= people - active && bidder < people + 10));
            hot_bidders += bidder == last_person / 100 * 100 + 1;
            int64_t price = b->cols[C_B_PRICE].i64[r];
            CHECK(price >= 100 && price <= 100000000);
            CHECK(b->cols[C_B_TIME].i64[r] == time);
            bids++;
            break;
        }
        }
    }
    CHECK(persons == 2000 && auctions == 6000 && bids == 92000);
    /* hot with probability 3/4, 1/2, 3/4 (plus a "next" draw landing on it) */
    double seller_ratio = (double)hot_sellers / (double)auctions;
    double auction_ratio = (double)hot_auctions / (double)bids;
    double bidder_ratio = (double)hot_bidders / (double)bids;
    CHECK(seller_ratio > 0.73 && seller_ratio < 0.78);
    CHECK(auction_ratio > 0.49 && auction_ratio < 0.53);
    CHECK(bidder_ratio > 0.74 && bidder_ratio < 0.77);
    ty_batch_free(b);
}

/* Prices are log-uniform: a tenth of them in each sixth of the decades,
 * i.e. about 1/6 between $1 and $10. */
static void test_prices(void)
{
    const char *opts[] = {"events.num", "100000", NULL};
    const char *names[] = {"bid.price"};
    Batch *b = read_all(table(1, names, opts), 2048, NULL);
    if (!b) return;
    int64_t below_10 = 0, n = 0;
    for (int32_t r = 0; r < b->nrows; r++) {
        if (b->cols[0].nulls[r]) continue;
        n++;
        below_10 += b->cols[0].i64[r] < 1000;
    }
    double share = (double)below_10 / (double)n;
    CHECK(share > 0.16 && share < 0.175);
    ty_batch_free(b);
}

/* ---- determinism ---- */

/* The stream is the same whatever max_rows, and a column's values do not
 * depend on which other columns are read. */
static void test_split_and_unread(void)
{
    const TableDef *def = table(NALL, all_names, events_opt);
    Batch *whole = read_all(def, 2048, NULL);
    Batch *small = read_all(def, 7, NULL);
    Batch *single = read_all(def, 1, NULL);
    uint8_t unread[NALL];
    for (int32_t col = 0; col < NALL; col++) unread[col] = col % 3 != 1;
    Batch *sparse = read_all(def, 333, unread);
    if (!whole || !small || !single || !sparse) return;
    CHECK(whole->nrows == 5000 && small->nrows == 5000 && single->nrows == 5000 &&
          sparse->nrows == 5000);
    WbBuf a = {0}, b = {0};
    int32_t mismatches = 0;
    for (int32_t r = 0; r < whole->nrows; r++) {
        for (int32_t col = 0; col < NALL; col++) {
            const char *want = cell(whole, col, r, &a);
            mismatches += strcmp(want, cell(small, col, r, &b)) != 0;
            mismatches += strcmp(want, cell(single, col, r, &b)) != 0;
            if (!unread[col]) mismatches += strcmp(want, cell(sparse, col, r, &b)) != 0;
        }
    }
    CHECK(mismatches == 0);

    /* columns in another order, a subset, a name in other case */
    const char *names[] = {"BID.PRICE", "bid.extra", "auction.reserve", "event_type"};
    Batch *subset = read_all(table(4, names, events_opt), 500, NULL);
    if (subset) {
        const int32_t same[] = {C_B_PRICE, C_B_EXTRA, C_A_RESERVE, C_TYPE};
        for (int32_t r = 0; r < whole->nrows; r++)
            for (int32_t col = 0; col < 4; col++)
                mismatches += strcmp(cell(whole, same[col], r, &a), cell(subset, col, r, &b)) != 0;
        CHECK(mismatches == 0);
        ty_batch_free(subset);
    }

    /* first-event.id shifts the stream: events 50.. of the default stream */
    const char *shifted_opts[] = {"events.num", "100", "first-event.id", "50", NULL};
    Batch *shifted = read_all(table(NALL, all_names, shifted_opts), 64, NULL);
    if (shifted) {
        /* same ids and random values; times restart at the base */
        for (int32_t r = 0; r < shifted->nrows; r++)
            for (int32_t col = 0; col < NALL; col++) {
                if (col == C_P_TIME || col == C_A_TIME || col == C_A_EXPIRES || col == C_B_TIME) continue;
                mismatches += strcmp(cell(whole, col, r + 50, &a), cell(shifted, col, r, &b)) != 0;
            }
        CHECK(mismatches == 0);
        ty_batch_free(shifted);
    }

    /* another seed: other values, same ids */
    const char *seeded_opts[] = {"events.num", "5000", "seed", "42", NULL};
    Batch *seeded = read_all(table(NALL, all_names, seeded_opts), 2048, NULL);
    if (seeded) {
        int32_t price_diffs = 0;
        for (int32_t r = 0; r < whole->nrows; r++) {
            mismatches += strcmp(cell(whole, C_P_ID, r, &a), cell(seeded, C_P_ID, r, &b)) != 0;
            mismatches += strcmp(cell(whole, C_A_ID, r, &a), cell(seeded, C_A_ID, r, &b)) != 0;
            price_diffs += strcmp(cell(whole, C_B_PRICE, r, &a), cell(seeded, C_B_PRICE, r, &b)) != 0;
        }
        CHECK(mismatches == 0);
        CHECK(price_diffs > 4500);
        ty_batch_free(seeded);
    }
    wb_buf_free(&a);
    wb_buf_free(&b);
    ty_batch_free(whole);
    ty_batch_free(small);
    ty_batch_free(single);
    ty_batch_free(sparse);
}

/* ---- bounds and pacing ---- */

static void test_bounded_and_unbounded(void)
{
    const char *opts[] = {"events.num", "1000", NULL};
    Batch *b = read_all(table(1, all_names, opts), 300, NULL);
    if (b) CHECK(b->nrows == 1000);
    ty_batch_free(b);

    /* no events.num (or 0): unbounded, next() keeps returning 1 */
    const char *zero[] = {"events.num", "0", NULL};
    const char *none[] = {NULL};
    const char *const *cases[] = {zero, none};
    for (int c = 0; c < 2; c++) {
        WbError err;
        wb_error_clear(&err);
        Source *src = cn_source_open(table(1, all_names, cases[c]), &err);
        CHECK(src != NULL);
        if (!src) continue;
        CHECK(!src->bounded);
        Batch *batch = ty_batch_new(src->types, src->ncols, 4096);
        for (int i = 0; i < 30; i++) {
            ty_batch_reset(batch);
            CHECK(src->vt->next(src, batch, 4096, &err) == 1 && batch->nrows == 4096);
        }
        CHECK(src->records_read == 30 * 4096);
        ty_batch_free(batch);
        cn_source_close(src);
    }
}

/* events.per-second: event k is due k / rate seconds after the first
 * call, by the job's clock (a manual one here). */
static void test_pacing(void)
{
    const char *opts[] = {"events.num", "100", "events.per-second", "1000", NULL};
    WbError err;
    wb_error_clear(&err);
    Source *src = cn_source_open(table(1, all_names, opts), &err);
    CHECK(src != NULL);
    if (!src) return;
    WbClock clock = {true, 5000000};
    src->clock = &clock;
    Batch *batch = ty_batch_new(src->types, src->ncols, 64);
    ty_batch_reset(batch);
    CHECK(src->vt->next(src, batch, 64, &err) == 1 && batch->nrows == 1);
    ty_batch_reset(batch);
    CHECK(src->vt->next(src, batch, 64, &err) == 1 && batch->nrows == 0);
    clock.manual_us += 10000;   /* 10 ms: events 1..10 are due */
    ty_batch_reset(batch);
    CHECK(src->vt->next(src, batch, 64, &err) == 1 && batch->nrows == 10);
    CHECK(batch->cols[0].i64[0] == 1);   /* event 1 is an auction */
    clock.manual_us += 1000000;  /* everything is due; max_rows still holds */
    ty_batch_reset(batch);
    CHECK(src->vt->next(src, batch, 64, &err) == 1 && batch->nrows == 64);
    ty_batch_reset(batch);
    CHECK(src->vt->next(src, batch, 64, &err) == 0 && batch->nrows == 25);
    CHECK(src->records_read == 100);
    ty_batch_free(batch);
    cn_source_close(src);
}

/* ---- strings ---- */

static bool all_in(WbStr s, const char *set)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (!strchr(set, s.ptr[i])) return false;
    return true;
}

static bool is_one_of(WbStr s, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == s.len && memcmp(*list, s.ptr, s.len) == 0) return true;
    return false;
}

static void test_strings(void)
{
    static const char *const firsts[] = {"Peter", "Paul", "Luke", "John", "Saul", "Vicky",
                                         "Kate", "Julie", "Sarah", "Deiter", "Walter", NULL};
    static const char *const cities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise",
                                         "Portland", "Bend", "Redmond", "Seattle", "Kent",
                                         "Cheyenne", NULL};
    static const char *const states[] = {"AZ", "CA", "ID", "OR", "WA", "WY", NULL};
    static const char *const hot[] = {"Google", "Facebook", "Baidu", "Apple", NULL};
    const char *lower = "abcdefghijklmnopqrstuvwxyz";
    const char *opts[] = {"events.num", "20000", NULL};
    Batch *b = read_all(table(NALL, all_names, opts), 2048, NULL);
    if (!b) return;
    int64_t person_bytes = 0, auction_bytes = 0, bid_bytes = 0, persons = 0, auctions = 0, bids = 0;
    int64_t hot_channels = 0, with_id = 0;
    uint32_t bid_extra_min = UINT32_MAX, bid_extra_max = 0;
    char text[128];
    for (int32_t r = 0; r < b->nrows; r++) {
        switch (b->cols[C_TYPE].i64[r]) {
        case 0: {
            WbStr name = b->cols[C_P_NAME].str[r];
            const char *space = memchr(name.ptr, ' ', name.len);
            CHECK(space != NULL);
            if (space) CHECK(is_one_of((WbStr){name.ptr, (uint32_t)(space - name.ptr)}, firsts));
            WbStr email = b->cols[C_P_EMAIL].str[r];
            CHECK(email.len == 17 && email.ptr[7] == '@' && memcmp(email.ptr + 13, ".com", 4) == 0);
            WbStr card = b->cols[C_P_CARD].str[r];
            CHECK(card.len == 19 && card.ptr[4] == ' ' && card.ptr[9] == ' ' && card.ptr[14] == ' ');
            CHECK(is_one_of(b->cols[C_P_CITY].str[r], cities));
            CHECK(is_one_of(b->cols[C_P_STATE].str[r], states));
            CHECK(all_in(b->cols[C_P_EXTRA].str[r], lower));
            person_bytes += 8 + name.len + email.len + card.len + b->cols[C_P_CITY].str[r].len + 2 +
                            b->cols[C_P_EXTRA].str[r].len;
            persons++;
            break;
        }
        case 1: {
            WbStr item = b->cols[C_A_ITEM].str[r], desc = b->cols[C_A_DESC].str[r];
            CHECK(item.len <= 19 && desc.len <= 99);
            CHECK(all_in(item, " abcdefghijklmnopqrstuvwxyz") && all_in(desc, " abcdefghijklmnopqrstuvwxyz"));
            CHECK(item.len == 0 || (item.ptr[0] != ' ' && item.ptr[item.len - 1] != ' '));
            CHECK(desc.len == 0 || (desc.ptr[0] != ' ' && desc.ptr[desc.len - 1] != ' '));
            CHECK(all_in(b->cols[C_A_EXTRA].str[r], lower));
            auction_bytes += 8 + item.len + desc.len + 40 + b->cols[C_A_EXTRA].str[r].len;
            auctions++;
            break;
        }
        case 2: {
            WbStr extra = b->cols[C_B_EXTRA].str[r];
            CHECK(all_in(extra, lower));
            if (extra.len < bid_extra_min) bid_extra_min = extra.len;
            if (extra.len > bid_extra_max) bid_extra_max = extra.len;
            bid_bytes += 32 + extra.len;
            bids++;
            WbStr channel = b->cols[C_B_CHANNEL].str[r], url = b->cols[C_B_URL].str[r];
            CHECK(url.len < sizeof text);
            if (url.len >= sizeof text) break;
            memcpy(text, url.ptr, url.len);
            text[url.len] = '\0';
            CHECK(strncmp(text, "https://www.nexmark.com/", 24) == 0);
            CHECK(strstr(text, "/item.htm?query=1") != NULL);
            /* three path parts of 3 or 4 characters a..z or _ */
            const char *p = text + 24;
            for (int part = 0; part < 3; part++) {
                size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
                CHECK((n == 3 || n == 4) && p[n] == '/');
                p += n + 1;
            }
            CHECK(strncmp(p, "item.htm?query=1", 16) == 0);
            if (is_one_of(channel, hot)) {
                hot_channels++;
                CHECK(p[16] == '\0');
            } else {
                CHECK(channel.len > 8 && memcmp(channel.ptr, "channel-", 8) == 0);
                char digits[16] = {0};
                memcpy(digits, channel.ptr + 8, channel.len - 8 < 15 ? channel.len - 8 : 15);
                long n = strtol(digits, NULL, 10);
                CHECK(n >= 0 && n < 10000);
                if (p[16] != '\0') {
                    with_id++;
                    CHECK(strncmp(p + 16, "&channel_id=", 12) == 0);
                    /* abs(Integer.reverse(n)), Java's int arithmetic */
                    uint32_t rev = 0;
                    for (int bit = 0; bit < 32; bit++) rev |= (((uint32_t)n >> bit) & 1u) << (31 - bit);
                    int32_t v = (int32_t)rev;
                    long long want = v < 0 && v != INT32_MIN ? -(long long)v : (long long)v;
                    CHECK(strtoll(p + 28, NULL, 10) == want);
                }
            }
            break;
        }
        }
    }
    /* bid extra: d = 100 - 32 = 68, uniform in [68 - 14, 68 + 14) */
    CHECK(bid_extra_min == 54 && bid_extra_max == 81);
    /* average sizes near the targets (untrimmed lengths count in the
     * generator, trimmed ones here: a little below) */
    double person_avg = (double)person_bytes / (double)persons;
    double auction_avg = (double)auction_bytes / (double)auctions;
    double bid_avg = (double)bid_bytes / (double)bids;
    CHECK(person_avg > 195 && person_avg < 205);
    CHECK(auction_avg > 490 && auction_avg < 505);
    CHECK(bid_avg > 99 && bid_avg < 101);
    double hot_share = (double)hot_channels / (double)bids;
    double id_share = (double)with_id / (double)(bids - hot_channels);
    CHECK(hot_share > 0.48 && hot_share < 0.52);
    CHECK(id_share > 0.85 && id_share < 0.95);
    ty_batch_free(b);
}

/* ---- errors ---- */

static void expect_error(int32_t ncols, const char *const *names, const SqlType *types,
                         const char *const *options, const char *want)
{
    TableDef *def = table(ncols, names, options);
    for (int32_t i = 0; types && i < ncols; i++) def->cols[i].type = types[i];
    WbError err;
    wb_error_clear(&err);
    Source *src = cn_source_open(def, &err);
    CHECK(src == NULL);
    if (src) {
        cn_source_close(src);
        return;
    }
    if (!strstr(err.message, want)) fprintf(stderr, "message: %s\n", err.message);
    CHECK(strstr(err.message, want) != NULL);
    CHECK(strcmp(err.sqlstate, WB_SQLSTATE_CONFIG) == 0);
}

static void test_errors(void)
{
    const char *none[] = {NULL};
    const char *unknown[] = {"event_type", "bid.nope"};
    expect_error(2, unknown, NULL, none, "column bid.nope of table nx is not a nexmark field");
    const char *flink_row[] = {"bid"};
    expect_error(1, flink_row, NULL, none, "column bid of table nx is not a nexmark field");

    const char *price[] = {"bid.price"};
    SqlType str = ty_make(TY_STRING);
    expect_error(1, price, &str, none, "column bid.price of table nx has type STRING; the nexmark field is BIGINT");

    const char *bad_key[] = {"events.number", "10", NULL};
    expect_error(1, price, NULL, bad_key, "unsupported option 'events.number' for connector 'nexmark'");
    const char *negative[] = {"events.num", "-1", NULL};
    expect_error(1, price, NULL, negative, "invalid value \"-1\" for 'events.num'");
    const char *rate[] = {"first-event.rate", "0", NULL};
    expect_error(1, price, NULL, rate, "'first-event.rate'");
    const char *rates[] = {"first-event.rate", "1000", "next-event.rate", "2000", NULL};
    expect_error(1, price, NULL, rates, "'next-event.rate' (2000) differs from 'first-event.rate' (1000)");
    const char *prop[] = {"auction.proportion", "0", NULL};
    expect_error(1, price, NULL, prop, "'auction.proportion'");
    const char *base[] = {"base-time", "yesterday", NULL};
    expect_error(1, price, NULL, base, "invalid value \"yesterday\" for 'base-time'");
    const char *base_us[] = {"base-time", "2024-01-01 00:00:00.0005", NULL};
    expect_error(1, price, NULL, base_us, "'base-time'");
}

/* base-time and the rate set the event times; a TIMESTAMP(0) column
 * drops the milliseconds. */
static void test_times(void)
{
    const char *opts[] = {"events.num", "3000", "base-time", "2020-02-29 12:00:00",
                          "first-event.rate", "3", NULL};
    const char *names[] = {"bid.dateTime", "auction.dateTime"};
    TableDef *def = table(2, names, opts);
    def->cols[1].type = ty_timestamp(0);
    Batch *b = read_all(def, 1000, NULL);
    if (!b) return;
    int64_t base;
    CHECK(ty_parse_timestamp("2020-02-29 12:00:00", 19, &base) == 0);
    for (int32_t r = 0; r < b->nrows; r++) {
        int64_t ms = (int64_t)r * 1000 / 3;   /* floor(k * 1000 / rate) */
        if (!b->cols[0].nulls[r]) CHECK(b->cols[0].i64[r] == base + ms * 1000);
        if (!b->cols[1].nulls[r]) CHECK(b->cols[1].i64[r] == base + ms / 1000 * 1000000);
    }
    ty_batch_free(b);
}

int main(void)
{
    arena = wb_arena_new(0);
    RUN(test_event_mix);
    RUN(test_ids_and_hot_keys);
    RUN(test_prices);
    RUN(test_split_and_unread);
    RUN(test_bounded_and_unbounded);
    RUN(test_pacing);
    RUN(test_strings);
    RUN(test_errors);
    RUN(test_times);
    wb_arena_free(arena);
    return check_done();
}
