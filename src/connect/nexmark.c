/*
 * nexmark.c - the nexmark source: the Nexmark benchmark's stream of Person,
 * Auction and Bid events generated in process, by the rules of the Apache
 * Beam reference generator (facts in docs/nexmark.md; the connector's
 * contract in src/connect/README.md).
 *
 * Deterministic and split-free: every value of event k (id = first id + k)
 * comes from its own random stream, seeded by (event id, 'seed', field), so
 * the events do not depend on batch sizes, on where a run starts, or on
 * which columns are read; an unread column is not generated at all.
 * Timestamps follow a simulated clock from a fixed base time, spaced by
 * 'first-event.rate'; 'events.per-second' paces the emission by the job's
 * clock.
 */
#include "connect/connect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the generator's constants (Beam's GeneratorConfig and models) ---- */

#define NX_FIRST_PERSON_ID 1000
#define NX_FIRST_AUCTION_ID 1000
#define NX_FIRST_CATEGORY_ID 10
#define NX_NUM_CATEGORIES 5
#define NX_ACTIVE_PEOPLE 1000       /* "next" person: among the last 1000 */
#define NX_PERSON_ID_LEAD 10        /* ... or up to 10 in the future */
#define NX_IN_FLIGHT_AUCTIONS 100   /* "next" auction: among the last 100 */
#define NX_AUCTION_ID_LEAD 10
#define NX_HOT_BLOCK 100            /* hot keys: first (second) of a block of 100 */
#define NX_HOT_AUCTION_RATIO 2      /* hot with probability 1 - 1/ratio */
#define NX_HOT_SELLER_RATIO 4
#define NX_HOT_BIDDER_RATIO 4
#define NX_HOT_CHANNEL_RATIO 2
#define NX_CHANNELS 10000
#define NX_AVG_PERSON_BYTES 200     /* targets of the `extra` padding */
#define NX_AVG_AUCTION_BYTES 500
#define NX_AVG_BID_BYTES 100
/* The `extra` padding is a window of a pool of random letters, at a
 * random offset: copying is ten times faster than drawing ~100 letters an
 * event, and each value is still a string of independent uniform letters
 * (values overlap; nothing reads them for more than their letters). */
#define NX_POOL (1 << 18)
#define NX_POOL_SLACK 640           /* > the longest extra + a copy chunk */
#define NX_URL_MAX 96               /* longest URL: 24 + 3 * 5 + 16 + 12 + 11 */

/* 2024-01-01 00:00:00 UTC, the default timestamp of event 0, in ms. */
#define NX_BASE_MILLIS (CN_DATAGEN_BASE_MICROS / 1000)

static const char *const first_names[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                          "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
static const char *const last_names[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                         "Walton", "Smith",  "Jones",   "Noris"};
static const char *const cities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                                     "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
static const char *const states[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
static const char *const hot_channels[] = {"Google", "Facebook", "Baidu", "Apple"};
static const uint32_t hot_channel_lens[] = {6, 8, 5, 5};
#define NX_COUNT(a) ((uint64_t)(sizeof(a) / sizeof((a)[0])))

/* ---- the columns ---- */

typedef enum NxField {
    NX_EVENT_TYPE,
    NX_P_ID, NX_P_NAME, NX_P_EMAIL, NX_P_CARD, NX_P_CITY, NX_P_STATE, NX_P_TIME, NX_P_EXTRA,
    NX_A_ID, NX_A_ITEM, NX_A_DESC, NX_A_INITIAL, NX_A_RESERVE, NX_A_TIME, NX_A_EXPIRES,
    NX_A_SELLER, NX_A_CATEGORY, NX_A_EXTRA,
    NX_B_AUCTION, NX_B_BIDDER, NX_B_PRICE, NX_B_CHANNEL, NX_B_URL, NX_B_TIME, NX_B_EXTRA,
    NX_NFIELDS
} NxField;

typedef enum NxEvent { NX_PERSON = 0, NX_AUCTION = 1, NX_BID = 2, NX_ANY = 3 } NxEvent;
typedef enum NxKind { NK_INT, NK_BIGINT, NK_STRING, NK_TIMESTAMP } NxKind;

static const struct {
    const char *name;
    uint8_t event;               /* NxEvent: NULL in the rows of other events */
    uint8_t kind;                /* NxKind */
} nx_fields[NX_NFIELDS] = {
    {"event_type", NX_ANY, NK_INT},
    {"person.id", NX_PERSON, NK_BIGINT},          {"person.name", NX_PERSON, NK_STRING},
    {"person.emailAddress", NX_PERSON, NK_STRING}, {"person.creditCard", NX_PERSON, NK_STRING},
    {"person.city", NX_PERSON, NK_STRING},        {"person.state", NX_PERSON, NK_STRING},
    {"person.dateTime", NX_PERSON, NK_TIMESTAMP}, {"person.extra", NX_PERSON, NK_STRING},
    {"auction.id", NX_AUCTION, NK_BIGINT},        {"auction.itemName", NX_AUCTION, NK_STRING},
    {"auction.description", NX_AUCTION, NK_STRING}, {"auction.initialBid", NX_AUCTION, NK_BIGINT},
    {"auction.reserve", NX_AUCTION, NK_BIGINT},   {"auction.dateTime", NX_AUCTION, NK_TIMESTAMP},
    {"auction.expires", NX_AUCTION, NK_TIMESTAMP}, {"auction.seller", NX_AUCTION, NK_BIGINT},
    {"auction.category", NX_AUCTION, NK_BIGINT},  {"auction.extra", NX_AUCTION, NK_STRING},
    {"bid.auction", NX_BID, NK_BIGINT},           {"bid.bidder", NX_BID, NK_BIGINT},
    {"bid.price", NX_BID, NK_BIGINT},             {"bid.channel", NX_BID, NK_STRING},
    {"bid.url", NX_BID, NK_STRING},               {"bid.dateTime", NX_BID, NK_TIMESTAMP},
    {"bid.extra", NX_BID, NK_STRING},
};

/* Random streams of one event: each group of values that must agree (a
 * channel and its URL, a reserve and its initial bid) draws from one. */
enum {
    S_P_NAME = 1, S_P_EMAIL, S_P_CARD, S_P_CITY, S_P_STATE, S_P_EXTRA,
    S_A_ITEM, S_A_DESC, S_A_INITIAL, S_A_RESERVE, S_A_EXPIRES, S_A_SELLER, S_A_CATEGORY, S_A_EXTRA,
    S_B_AUCTION, S_B_BIDDER, S_B_PRICE, S_B_CHANNEL, S_B_EXTRA,
    S_CHANNEL_URL, S_HOT_URL, S_POOL
};

/* ---- random numbers ----
 * SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a stream starts anywhere, which is what a
 * stream per (event, field) needs. */
typedef struct NxRng { uint64_t state; } NxRng;

static inline uint64_t rng_next(NxRng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0 (Lemire's multiply-shift; the bias is
 * below bound / 2^64). */
static inline uint64_t rng_below(NxRng *rng, uint64_t bound)
{
    return (uint64_t)(((ty_u128)rng_next(rng) * bound) >> 64);
}

static inline double rng_unit(NxRng *rng)
{
    return (double)(rng_next(rng) >> 11) * 0x1p-53;
}

/* ---- the source ---- */

typedef struct NexmarkSource {
    Source base;
    uint8_t *fields;             /* NxField of each physical column */
    int64_t total;               /* events to emit; -1: unbounded */
    int64_t emitted;             /* events emitted = event number of the next */
    int64_t first_id;
    int64_t rate;                /* events per second of event time */
    int64_t pace;                /* events per second of the job clock; 0: none */
    int64_t paced_since_us;      /* job clock at the first call when pacing, -1 before */
    int64_t base_ms;             /* dateTime of event 0 */
    uint64_t seed_key;
    int64_t person_prop, auction_prop, total_prop;
    /* Channels: name and URL of each of NX_CHANNELS channels and the hot
     * URLs, drawn once per seed on first use; row values are copied from
     * here into the batch arena. */
    char *urls;                  /* NX_CHANNELS + 4 slots of NX_URL_MAX bytes */
    uint8_t *url_lens;
    char *pool;                  /* NX_POOL + NX_POOL_SLACK letters, drawn on first use */
    uint64_t *keys;              /* event_key of each row of the batch being filled */
    int32_t keys_cap;
} NexmarkSource;

/* One event's position: id, event number k, its place in the proportion
 * cycle and its event time, advanced one event at a time (no division). */
typedef struct NxEv {
    int64_t id, k;
    int64_t epoch, offset;       /* id / total_prop, id % total_prop */
    int64_t ms, ms_rem;          /* floor(k * 1000 / rate) and the remainder */
    uint64_t key;                /* event_key(id): set by fill_column per row */
} NxEv;

static NxEv ev_at(const NexmarkSource *src, int64_t k)
{
    NxEv ev;
    ev.k = k;
    ev.id = src->first_id + k;
    ev.epoch = ev.id / src->total_prop;
    ev.offset = ev.id % src->total_prop;
    ty_u128 scaled = (ty_u128)k * 1000;
    ev.ms = (int64_t)(scaled / (ty_u128)src->rate);
    ev.ms_rem = (int64_t)(scaled % (ty_u128)src->rate);
    return ev;
}

static inline void ev_advance(const NexmarkSource *src, NxEv *ev)
{
    ev->id++;
    ev->k++;
    if (++ev->offset == src->total_prop) {
        ev->offset = 0;
        ev->epoch++;
    }
    /* ms += 1000 / rate, carrying the remainder */
    ev->ms_rem += 1000 % src->rate;
    ev->ms += 1000 / src->rate;
    if (ev->ms_rem >= src->rate) {
        ev->ms_rem -= src->rate;
        ev->ms++;
    }
}

static inline int ev_type(const NexmarkSource *src, const NxEv *ev)
{
    if (ev->offset < src->person_prop) return NX_PERSON;
    return ev->offset < src->person_prop + src->auction_prop ? NX_AUCTION : NX_BID;
}

/* Base-0 id of the last person created at or before the event. */
static inline int64_t last_person(const NexmarkSource *src, const NxEv *ev)
{
    int64_t offset = ev->offset < src->person_prop ? ev->offset : src->person_prop - 1;
    return ev->epoch * src->person_prop + offset;
}

/* Base-0 id of the last auction created at or before the event (-1 for a
 * person event of the first cycle). */
static inline int64_t last_auction(const NexmarkSource *src, const NxEv *ev)
{
    int64_t epoch = ev->epoch, offset = ev->offset;
    if (offset < src->person_prop) {
        epoch--;
        offset = src->auction_prop - 1;
    } else if (offset >= src->person_prop + src->auction_prop) {
        offset = src->auction_prop - 1;
    } else {
        offset -= src->person_prop;
    }
    return epoch * src->auction_prop + offset;
}

/* A person id among the active ones, or a few ids ahead (base 0). */
static inline int64_t next_person(const NexmarkSource *src, const NxEv *ev, NxRng *rng)
{
    int64_t people = last_person(src, ev) + 1;
    int64_t active = people < NX_ACTIVE_PEOPLE ? people : NX_ACTIVE_PEOPLE;
    return people - active + (int64_t)rng_below(rng, (uint64_t)(active + NX_PERSON_ID_LEAD));
}

/* An auction id among the in-flight ones, or a few ids ahead (base 0). */
static inline int64_t next_auction(const NexmarkSource *src, const NxEv *ev, NxRng *rng)
{
    int64_t max = last_auction(src, ev);
    int64_t min = max - NX_IN_FLIGHT_AUCTIONS > 0 ? max - NX_IN_FLIGHT_AUCTIONS : 0;
    return min + (int64_t)rng_below(rng, (uint64_t)(max - min + 1 + NX_AUCTION_ID_LEAD));
}

/* The hash of an id (or a channel number) under the source's seed: the
 * root of its random streams. */
static inline uint64_t event_key(const NexmarkSource *src, int64_t id)
{
    return wb_hash_u64((uint64_t)id ^ src->seed_key);
}

/* The random stream `salt` of key (an event id, a channel number) under
 * the source's seed. */
static inline NxRng key_stream(const NexmarkSource *src, int64_t key, uint64_t salt)
{
    NxRng rng = {event_key(src, key) ^ (salt * 0xd1b54a32d192ed03ULL)};
    return rng;
}

/* key_stream(src, ev->id, salt), the hash of the id computed once per
 * batch (fill_column). */
static inline NxRng ev_stream(const NexmarkSource *src, const NxEv *ev, uint64_t salt)
{
    (void)src;
    NxRng rng = {ev->key ^ (salt * 0xd1b54a32d192ed03ULL)};
    return rng;
}

/* Writes v in decimal at out; returns the number of digits. */
static int32_t put_uint(char *out, uint64_t v)
{
    char digits[20];
    int32_t n = 0;
    do digits[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    for (int32_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
    return n;
}

/* round(10^(u * 6) * 100) cents: log-uniform from $1 to $1M. */
static inline int64_t next_price(NxRng *rng)
{
    return (int64_t)(exp2(rng_unit(rng) * (6.0 * 3.321928094887362)) * 100.0 + 0.5);
}

/* Length of a random string of maximum length max (before trimming). */
static inline int32_t string_len(NxRng *rng, int32_t max)
{
    return 3 + (int32_t)rng_below(rng, (uint64_t)(max - 3));
}

/* Writes len characters a..z, with `special` instead with probability
 * 1/13, to out: two per 64-bit draw, each from 32 bits scaled to 13 * 26
 * values (independent, so the characters of a draw do not wait on each
 * other; the bias is below 338 / 2^32). */
static void random_chars(NxRng *rng, char *out, int32_t len, char special)
{
    for (int32_t i = 0; i < len; i += 2) {
        uint64_t r = rng_next(rng);
        for (int32_t j = 0; j < 2 && i + j < len; j++) {
            uint32_t v = (uint32_t)(((r >> (32 * j)) & 0xffffffffu) * 338 >> 32);
            out[i + j] = v < 26 ? special : (char)('a' + v % 26);
        }
    }
}

/* Writes len characters a..z (no space): four per 64-bit draw, each from
 * 16 bits scaled to 26 values (a letter's probability is within 0.04% of
 * 1/26).  The padding `extra` is most of the bytes generated. */
static void exact_chars(NxRng *rng, char *out, int32_t len)
{
    int32_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint64_t r = rng_next(rng);
        out[i] = (char)('a' + ((r & 0xffff) * 26 >> 16));
        out[i + 1] = (char)('a' + ((r >> 16 & 0xffff) * 26 >> 16));
        out[i + 2] = (char)('a' + ((r >> 32 & 0xffff) * 26 >> 16));
        out[i + 3] = (char)('a' + ((r >> 48) * 26 >> 16));
    }
    uint64_t r = rng_next(rng);
    for (; i < len; i++, r >>= 16) out[i] = (char)('a' + ((r & 0xffff) * 26 >> 16));
}

/* A random string of maximum length max at out (room for max bytes),
 * trimmed of spaces: returns its place within out. */
static WbStr random_string(NxRng *rng, char *out, int32_t max)
{
    int32_t len = string_len(rng, max);
    random_chars(rng, out, len, ' ');
    int32_t start = 0;
    while (start < len && out[start] == ' ') start++;
    while (len > start && out[len - 1] == ' ') len--;
    WbStr s = {out + start, (uint32_t)(len - start)};
    return s;
}

/* Length of the `extra` padding that brings an event of `size` bytes to
 * `target` on average: uniform in [d - round(d/5), d + round(d/5)) with
 * d = target - size (Beam's nextExtra). */
static inline int32_t extra_len(NxRng *rng, int32_t size, int32_t target)
{
    if (size >= target) return 0;
    int32_t want = target - size;
    int32_t delta = (int32_t)lround(want * 0.2);
    return want - delta + (delta ? (int32_t)rng_below(rng, (uint64_t)(2 * delta)) : 0);
}

/* Largest extra_len for a size of at least min_size. */
static int32_t extra_max(int32_t min_size, int32_t target)
{
    int32_t want = target - min_size;
    return want + (int32_t)lround(want * 0.2);
}

/* ---- channels ---- */

/* Java's Math.abs(Integer.reverse(n)): the bits of n reversed as a 32-bit
 * int, its absolute value wrapping for INT_MIN as in Java. */
static int64_t channel_id(uint32_t n)
{
    uint32_t r = 0;
    for (int bit = 0; bit < 32; bit++) r |= ((n >> bit) & 1u) << (31 - bit);
    int32_t v = (int32_t)r;
    return v < 0 && v != INT32_MIN ? -(int64_t)v : (int64_t)v;
}

/* "https://www.nexmark.com/<p>/<p>/<p>/item.htm?query=1" with paths of 3
 * or 4 characters a..z or '_'; returns its length. */
static int32_t base_url(NxRng *rng, char *out)
{
    static const char head[] = "https://www.nexmark.com/", tail[] = "item.htm?query=1";
    int32_t len = (int32_t)sizeof head - 1;
    memcpy(out, head, (size_t)len);
    for (int part = 0; part < 3; part++) {
        int32_t n = string_len(rng, 5);
        random_chars(rng, out + len, n, '_');
        len += n;
        out[len++] = '/';
    }
    memcpy(out + len, tail, sizeof tail - 1);
    return len + (int32_t)sizeof tail - 1;
}

/* Draws the channel URLs once (about 0.3 ms): slot n < NX_CHANNELS is
 * channel-<n>'s URL, 9 in 10 of them with "&channel_id=", then the hot
 * channels' URLs. */
static void build_channels(NexmarkSource *src)
{
    int32_t slots = NX_CHANNELS + (int32_t)NX_COUNT(hot_channels);
    src->urls = wb_malloc((size_t)slots * NX_URL_MAX);
    src->url_lens = wb_malloc((size_t)slots);
    for (int32_t slot = 0; slot < slots; slot++) {
        NxRng rng = slot < NX_CHANNELS ? key_stream(src, slot, S_CHANNEL_URL)
                                       : key_stream(src, slot - NX_CHANNELS, S_HOT_URL);
        char *url = src->urls + (size_t)slot * NX_URL_MAX;
        int32_t len = base_url(&rng, url);
        if (slot < NX_CHANNELS && rng_below(&rng, 10) > 0) {
            memcpy(url + len, "&channel_id=", 12);
            len += 12;
            int64_t id = channel_id((uint32_t)slot);
            if (id < 0) url[len++] = '-';
            len += put_uint(url + len, id < 0 ? (uint64_t)-id : (uint64_t)id);
        }
        src->url_lens[slot] = (uint8_t)len;
    }
}

/* ---- column generation ---- */

/* Room for `count` strings of at most max_len bytes in the batch arena,
 * plus NX_COPY_CHUNK bytes that copy_chunks may write past the last. */
#define NX_COPY_CHUNK 32
static char *string_space(Batch *out, int32_t count, int32_t max_len)
{
    return wb_arena_alloc(out->arena, (size_t)count * (size_t)max_len + NX_COPY_CHUNK);
}

/* Copies len bytes in whole chunks: writes up to NX_COPY_CHUNK - 1 bytes
 * past dst + len (string_space leaves room) and reads as far past src. */
static inline void copy_chunks(char *dst, const char *src, int32_t len)
{
    for (int32_t done = 0; done < len; done += NX_COPY_CHUNK)
        memcpy(dst + done, src + done, NX_COPY_CHUNK);
}

static void build_pool(NexmarkSource *src)
{
    src->pool = wb_malloc(NX_POOL + NX_POOL_SLACK);
    NxRng rng = key_stream(src, 0, S_POOL);
    exact_chars(&rng, src->pool, NX_POOL + NX_POOL_SLACK);
}

static inline int64_t ts_micros(int64_t ms, SqlType type)
{
    int64_t us = ms * 1000;
    if (type.precision >= 0 && type.precision < 3) {
        int64_t unit = ty_pow10[6 - type.precision];
        us -= ((us % unit) + unit) % unit;
    }
    return us;
}

/* Size of a person's fields other than extra, as Beam counts it. */
static int32_t person_size(const NexmarkSource *src, const NxEv *ev)
{
    NxRng name = ev_stream(src, ev, S_P_NAME), city = ev_stream(src, ev, S_P_CITY);
    int32_t size = 8 + (int32_t)strlen(first_names[rng_below(&name, NX_COUNT(first_names))]) + 1;
    size += (int32_t)strlen(last_names[rng_below(&name, NX_COUNT(last_names))]);
    size += 17 + 19 + (int32_t)strlen(cities[rng_below(&city, NX_COUNT(cities))]) + 2;
    return size;
}

/* Size of an auction's fields other than extra: the item name and
 * description count with their drawn (untrimmed) lengths. */
static int32_t auction_size(const NexmarkSource *src, const NxEv *ev)
{
    NxRng item = ev_stream(src, ev, S_A_ITEM), desc = ev_stream(src, ev, S_A_DESC);
    return 8 + string_len(&item, 20) + string_len(&desc, 100) + 8 * 5;
}

/* Fills the value of field f for one event of the field's type at row i.
 * `cursor` walks the column's string space. */
static inline void fill_value(NexmarkSource *src, NxField f, ColumnVector *vec, int32_t i,
                              const NxEv *ev, char **cursor)
{
    NxRng rng;
    switch (f) {
    case NX_EVENT_TYPE: vec->i64[i] = ev_type(src, ev); break;
    case NX_P_ID: vec->i64[i] = last_person(src, ev) + NX_FIRST_PERSON_ID; break;
    case NX_A_ID: vec->i64[i] = last_auction(src, ev) + NX_FIRST_AUCTION_ID; break;
    case NX_P_TIME:
    case NX_A_TIME:
    case NX_B_TIME: vec->i64[i] = ts_micros(src->base_ms + ev->ms, vec->type); break;
    case NX_P_NAME: {
        rng = ev_stream(src, ev, S_P_NAME);
        const char *first = first_names[rng_below(&rng, NX_COUNT(first_names))];
        const char *last = last_names[rng_below(&rng, NX_COUNT(last_names))];
        size_t n1 = strlen(first), n2 = strlen(last);
        char *p = *cursor;
        memcpy(p, first, n1);
        p[n1] = ' ';
        memcpy(p + n1 + 1, last, n2);
        vec->str[i] = (WbStr){p, (uint32_t)(n1 + 1 + n2)};
        *cursor = p + n1 + 1 + n2;
        break;
    }
    case NX_P_EMAIL: {
        rng = ev_stream(src, ev, S_P_EMAIL);
        char *p = *cursor;
        exact_chars(&rng, p, 7);
        p[7] = '@';
        exact_chars(&rng, p + 8, 5);
        memcpy(p + 13, ".com", 4);
        vec->str[i] = (WbStr){p, 17};
        *cursor = p + 17;
        break;
    }
    case NX_P_CARD: {
        rng = ev_stream(src, ev, S_P_CARD);
        char *p = *cursor;
        for (int group = 0; group < 4; group++) {
            uint32_t v = (uint32_t)rng_below(&rng, 10000);
            char *g = p + group * 5;
            g[0] = (char)('0' + v / 1000);
            g[1] = (char)('0' + v / 100 % 10);
            g[2] = (char)('0' + v / 10 % 10);
            g[3] = (char)('0' + v % 10);
            if (group < 3) g[4] = ' ';
        }
        vec->str[i] = (WbStr){p, 19};
        *cursor = p + 19;
        break;
    }
    case NX_P_CITY: {
        rng = ev_stream(src, ev, S_P_CITY);
        const char *city = cities[rng_below(&rng, NX_COUNT(cities))];
        vec->str[i] = (WbStr){city, (uint32_t)strlen(city)};   /* static storage */
        break;
    }
    case NX_P_STATE: {
        rng = ev_stream(src, ev, S_P_STATE);
        vec->str[i] = (WbStr){states[rng_below(&rng, NX_COUNT(states))], 2};
        break;
    }
    case NX_P_EXTRA:
    case NX_A_EXTRA:
    case NX_B_EXTRA: {
        int32_t len;
        if (f == NX_P_EXTRA) {
            rng = ev_stream(src, ev, S_P_EXTRA);
            len = extra_len(&rng, person_size(src, ev), NX_AVG_PERSON_BYTES);
        } else if (f == NX_A_EXTRA) {
            rng = ev_stream(src, ev, S_A_EXTRA);
            len = extra_len(&rng, auction_size(src, ev), NX_AVG_AUCTION_BYTES);
        } else {
            rng = ev_stream(src, ev, S_B_EXTRA);
            len = extra_len(&rng, 8 * 4, NX_AVG_BID_BYTES);
        }
        copy_chunks(*cursor, src->pool + rng_below(&rng, NX_POOL), len);
        vec->str[i] = (WbStr){*cursor, (uint32_t)len};
        *cursor += len;
        break;
    }
    case NX_A_ITEM:
    case NX_A_DESC: {
        rng = ev_stream(src, ev, f == NX_A_ITEM ? S_A_ITEM : S_A_DESC);
        vec->str[i] = random_string(&rng, *cursor, f == NX_A_ITEM ? 20 : 100);
        *cursor = (char *)vec->str[i].ptr + vec->str[i].len;
        break;
    }
    case NX_A_INITIAL:
        rng = ev_stream(src, ev, S_A_INITIAL);
        vec->i64[i] = next_price(&rng);
        break;
    case NX_A_RESERVE: {
        rng = ev_stream(src, ev, S_A_INITIAL);
        NxRng more = ev_stream(src, ev, S_A_RESERVE);
        vec->i64[i] = next_price(&rng) + next_price(&more);
        break;
    }
    case NX_A_EXPIRES: {
        /* an auction lasts, on average, until NX_IN_FLIGHT_AUCTIONS more
         * auctions have been created */
        rng = ev_stream(src, ev, S_A_EXPIRES);
        int64_t ahead = NX_IN_FLIGHT_AUCTIONS * src->total_prop / src->auction_prop;
        NxEv later = ev_at(src, ev->k + ahead);
        int64_t horizon = later.ms - ev->ms;
        int64_t span = 2 * horizon > 1 ? 2 * horizon : 1;
        vec->i64[i] = ts_micros(src->base_ms + ev->ms + 1 + (int64_t)rng_below(&rng, (uint64_t)span),
                                vec->type);
        break;
    }
    case NX_A_SELLER:
        rng = ev_stream(src, ev, S_A_SELLER);
        vec->i64[i] = NX_FIRST_PERSON_ID +
                      (rng_below(&rng, NX_HOT_SELLER_RATIO) > 0
                           ? last_person(src, ev) / NX_HOT_BLOCK * NX_HOT_BLOCK
                           : next_person(src, ev, &rng));
        break;
    case NX_A_CATEGORY:
        rng = ev_stream(src, ev, S_A_CATEGORY);
        vec->i64[i] = NX_FIRST_CATEGORY_ID + (int64_t)rng_below(&rng, NX_NUM_CATEGORIES);
        break;
    case NX_B_AUCTION:
        rng = ev_stream(src, ev, S_B_AUCTION);
        vec->i64[i] = NX_FIRST_AUCTION_ID +
                      (rng_below(&rng, NX_HOT_AUCTION_RATIO) > 0
                           ? last_auction(src, ev) / NX_HOT_BLOCK * NX_HOT_BLOCK
                           : next_auction(src, ev, &rng));
        break;
    case NX_B_BIDDER:   /* Beam's rule: + NX_FIRST_PERSON_ID once */
        rng = ev_stream(src, ev, S_B_BIDDER);
        vec->i64[i] = NX_FIRST_PERSON_ID +
                      (rng_below(&rng, NX_HOT_BIDDER_RATIO) > 0
                           ? last_person(src, ev) / NX_HOT_BLOCK * NX_HOT_BLOCK + 1
                           : next_person(src, ev, &rng));
        break;
    case NX_B_PRICE:
        rng = ev_stream(src, ev, S_B_PRICE);
        vec->i64[i] = next_price(&rng);
        break;
    case NX_B_CHANNEL:
    case NX_B_URL: {
        rng = ev_stream(src, ev, S_B_CHANNEL);
        bool hot = rng_below(&rng, NX_HOT_CHANNEL_RATIO) > 0;
        uint32_t n = (uint32_t)rng_below(&rng, hot ? NX_COUNT(hot_channels) : NX_CHANNELS);
        if (f == NX_B_CHANNEL && hot) {
            vec->str[i] = (WbStr){hot_channels[n], hot_channel_lens[n]};   /* static storage */
        } else if (f == NX_B_CHANNEL) {
            memcpy(*cursor, "channel-", 8);
            int32_t len = 8 + put_uint(*cursor + 8, n);
            vec->str[i] = (WbStr){*cursor, (uint32_t)len};
            *cursor += len;
        } else {
            /* a whole slot: a constant-size copy is several times faster
             * than one of the URL's length, and the space has room for it */
            uint32_t slot = hot ? NX_CHANNELS + n : n;
            uint32_t len = src->url_lens[slot];
            memcpy(*cursor, src->urls + (size_t)slot * NX_URL_MAX, NX_URL_MAX);
            vec->str[i] = (WbStr){*cursor, len};
            *cursor += len;
        }
        break;
    }
    case NX_NFIELDS: break;
    }
}

/* Longest string value of a field (0: not a string, or not in the batch
 * arena). */
static int32_t field_max_len(NxField f)
{
    switch (f) {
    case NX_P_NAME: return 6 + 1 + 7;
    case NX_P_EMAIL: return 17;
    case NX_P_CARD: return 19;
    case NX_P_EXTRA: return extra_max(8 + 4 + 1 + 5 + 17 + 19 + 4 + 2, NX_AVG_PERSON_BYTES);
    case NX_A_ITEM: return 20;
    case NX_A_DESC: return 100;
    case NX_A_EXTRA: return extra_max(8 + 3 + 3 + 8 * 5, NX_AVG_AUCTION_BYTES);
    case NX_B_CHANNEL: return 16;
    case NX_B_URL: return NX_URL_MAX;
    case NX_B_EXTRA: return extra_max(8 * 4, NX_AVG_BID_BYTES);
    default: return 0;
    }
}

/* Fills column col for events [first, first + n) of the stream. */
static void fill_column(NexmarkSource *src, Batch *out, int32_t col, int64_t first, int32_t n,
                        const int32_t *type_counts)
{
    NxField f = (NxField)src->fields[col];
    ColumnVector *vec = &out->cols[col];
    int event = nx_fields[f].event;
    NxEv ev = ev_at(src, first);
    if (event == NX_ANY) {
        for (int32_t i = 0; i < n; i++, ev_advance(src, &ev)) {
            vec->nulls[i] = 0;
            vec->i64[i] = ev_type(src, &ev);
        }
        return;
    }
    int32_t max_len = field_max_len(f);
    char *cursor = max_len ? string_space(out, type_counts[event], max_len) : NULL;
    if (f == NX_B_URL && !src->urls) build_channels(src);
    if ((f == NX_P_EXTRA || f == NX_A_EXTRA || f == NX_B_EXTRA) && !src->pool) build_pool(src);
    for (int32_t i = 0; i < n; i++, ev_advance(src, &ev)) {
        if (ev_type(src, &ev) != event) {
            vec->nulls[i] = 1;
            continue;
        }
        vec->nulls[i] = 0;
        ev.key = src->keys[i];
        fill_value(src, f, vec, i, &ev, &cursor);
    }
}

/* Events due by the job clock when pacing: event k is due at the first
 * call's time + k / pace seconds. */
static int64_t events_due(NexmarkSource *src)
{
    int64_t now = wb_clock_now(src->base.clock);
    if (src->paced_since_us < 0) src->paced_since_us = now;
    int64_t elapsed = now - src->paced_since_us;
    if (elapsed < 0) elapsed = 0;
    ty_u128 due = (ty_u128)elapsed * (ty_u128)src->pace / 1000000 + 1;
    return due > (ty_u128)INT64_MAX ? INT64_MAX : (int64_t)due;
}

static int nexmark_next(Source *base, Batch *out, int32_t max_rows, WbError *err)
{
    (void)err;
    NexmarkSource *src = (NexmarkSource *)base;
    int64_t n = max_rows;
    if (src->total >= 0 && n > src->total - src->emitted) n = src->total - src->emitted;
    if (src->pace > 0 && base->clock) {
        int64_t due = events_due(src) - src->emitted;
        if (n > due) n = due > 0 ? due : 0;
        base->due_us = src->paced_since_us + (int64_t)((ty_u128)src->emitted * 1000000 / (ty_u128)src->pace);
        base->next_due_us = src->paced_since_us +
                            (int64_t)((ty_u128)(src->emitted + n) * 1000000 / (ty_u128)src->pace);
    }
    /* events of each type in the batch: the string columns' space */
    int32_t type_counts[3] = {0, 0, 0};
    NxEv ev = ev_at(src, src->emitted);
    if (n > src->keys_cap) {
        free(src->keys);
        src->keys_cap = (int32_t)n;
        src->keys = wb_malloc(sizeof(uint64_t) * (size_t)n);
    }
    for (int32_t i = 0; i < (int32_t)n; i++, ev_advance(src, &ev)) {
        type_counts[ev_type(src, &ev)]++;
        src->keys[i] = event_key(src, ev.id);
    }
    for (int32_t col = 0; col < base->ncols; col++) {
        if (base->unread && base->unread[col]) continue;
        fill_column(src, out, col, src->emitted, (int32_t)n, type_counts);
    }
    for (int32_t i = 0; i < (int32_t)n; i++) out->weights[i] = 1;
    out->nrows = (int32_t)n;
    src->emitted += n;
    base->records_read = src->emitted;
    return src->total >= 0 && src->emitted >= src->total ? 0 : 1;
}

static void nexmark_close(Source *base)
{
    NexmarkSource *src = (NexmarkSource *)base;
    free(src->keys);
    free(src->pool);
    free(src->urls);
    free(src->url_lens);
    free(src->fields);
    free(base->types);
    free(src);
}

static const SourceVTable nexmark_vt = {nexmark_next, nexmark_close};

/* ---- opening ---- */

static const char *const nexmark_keys[] = {
    "connector", "events.num", "first-event.rate", "next-event.rate", "events.per-second",
    "person.proportion", "auction.proportion", "bid.proportion", "seed", "first-event.id",
    "base-time", NULL};

/* Maps each physical column to its field by name (case-insensitive) and
 * checks its type. */
static int map_columns(NexmarkSource *src, const TableDef *table, WbError *err)
{
    int32_t ncols;
    const char **names = cn_physical_names(table, &ncols);
    int rc = 0;
    for (int32_t col = 0; col < ncols && rc == 0; col++) {
        int32_t f = 0;
        while (f < NX_NFIELDS && !wb_ieq(names[col], strlen(names[col]), nx_fields[f].name)) f++;
        if (f == NX_NFIELDS) {
            cn_table_error(err, table, "column %s of table %s is not a nexmark field", names[col],
                           table->name);
            wb_error_hint(err, "nexmark columns are event_type and person.*, auction.*, bid.* "
                               "fields, e.g. `bid.price` (quoted with backticks)");
            rc = -1;
            break;
        }
        src->fields[col] = (uint8_t)f;
        SqlType type = src->base.types[col];
        bool ok;
        const char *want;
        switch (nx_fields[f].kind) {
        case NK_INT: ok = type.id == TY_INT || type.id == TY_BIGINT; want = "INT"; break;
        case NK_BIGINT: ok = type.id == TY_BIGINT; want = "BIGINT"; break;
        case NK_STRING: ok = type.id == TY_STRING; want = "STRING"; break;
        default: ok = type.id == TY_TIMESTAMP; want = "TIMESTAMP(3)"; break;
        }
        if (!ok) {
            char tname[64];
            cn_table_error(err, table, "column %s of table %s has type %s; the nexmark field is %s",
                           names[col], table->name, ty_name(type, tname, sizeof tname), want);
            rc = -1;
        }
    }
    free(names);
    return rc;
}

static int read_options(NexmarkSource *src, const TableDef *table, WbError *err)
{
    int64_t next_rate, bid_prop, seed;
    if (cn_opt_check_keys(table, "nexmark", nexmark_keys, NULL, err) != 0 ||
        cn_opt_int(table, "events.num", 0, 0, INT64_MAX / 4, &src->total, err) != 0 ||
        cn_opt_int(table, "first-event.rate", 10000, 1, 1000000000000LL, &src->rate, err) != 0 ||
        cn_opt_int(table, "next-event.rate", src->rate, 1, 1000000000000LL, &next_rate, err) != 0 ||
        cn_opt_int(table, "events.per-second", 0, 0, INT64_MAX, &src->pace, err) != 0 ||
        cn_opt_int(table, "person.proportion", 1, 1, 1000000, &src->person_prop, err) != 0 ||
        cn_opt_int(table, "auction.proportion", 3, 1, 1000000, &src->auction_prop, err) != 0 ||
        cn_opt_int(table, "bid.proportion", 46, 0, 1000000, &bid_prop, err) != 0 ||
        cn_opt_int(table, "seed", 0, INT64_MIN, INT64_MAX, &seed, err) != 0 ||
        cn_opt_int(table, "first-event.id", 0, 0, INT64_MAX / 4, &src->first_id, err) != 0)
        return -1;
    if (next_rate != src->rate) {
        cn_table_error(err, table, "'next-event.rate' (%lld) differs from 'first-event.rate' (%lld)",
                       (long long)next_rate, (long long)src->rate);
        wb_error_hint(err, "the nexmark source spaces event times at one rate: give both the same "
                           "value, or leave 'next-event.rate' out");
        return -1;
    }
    src->total_prop = src->person_prop + src->auction_prop + bid_prop;
    src->seed_key = wb_hash_u64((uint64_t)seed ^ 0x6e65786d61726bULL);   /* "nexmark" */
    src->base_ms = NX_BASE_MILLIS;
    const char *base_time = sql_table_option(table, "base-time");
    if (base_time) {
        int64_t micros;
        if (ty_parse_timestamp(base_time, strlen(base_time), &micros) != 0 || micros % 1000 != 0) {
            cn_table_error(err, table, "invalid value \"%s\" for 'base-time'; expected a timestamp "
                           "in whole milliseconds such as '2024-01-01 00:00:00'", base_time);
            return -1;
        }
        src->base_ms = micros / 1000;
    }
    if (src->total == 0) src->total = -1;
    return 0;
}

Source *cn_nexmark_open(const TableDef *table, WbError *err)
{
    int32_t ncols = sql_table_physical(table, NULL, NULL);
    NexmarkSource *src = wb_calloc(1, sizeof *src);
    src->base.vt = &nexmark_vt;
    src->base.table = table;
    src->base.ncols = ncols;
    src->base.types = wb_malloc(sizeof(SqlType) * (size_t)(ncols ? ncols : 1));
    sql_table_physical(table, src->base.types, NULL);
    src->fields = wb_calloc((size_t)(ncols ? ncols : 1), 1);
    src->paced_since_us = -1;
    if (read_options(src, table, err) != 0 || map_columns(src, table, err) != 0) {
        nexmark_close(&src->base);
        return NULL;
    }
    src->base.bounded = src->total >= 0;
    return &src->base;
}
