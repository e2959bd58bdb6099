/*
 * dbgen.c - the TPC-H data generator: the eight tables of the TPC-H
 * specification (clause 4.2) written as RFC 4180 CSV files, no header, the
 * same bytes for the same scale factor on every run.
 *
 * Usage: tpch-dbgen -s SF -o DIR     writes DIR/<table>.csv (DIR is created)
 *
 * Our own implementation of the specification's rules; bench/tpch/README.md
 * lists where it departs from them (the random number generator, the text
 * pool's size, uniform word choice).  Every value comes from a random stream
 * seeded by (table, row), so a row does not depend on the rows written
 * before it, and a row's values are drawn in one fixed order.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEED 0x5450432d48ULL          /* "TPC-H": the one seed of every stream */

/* Base cardinalities at SF 1 (clause 4.2.5). */
#define SUPPLIER_BASE 10000
#define PART_BASE 200000
#define CUSTOMER_BASE 150000
#define ORDERS_BASE 1500000
#define CLERK_BASE 1000

/* Text pool (clause 4.2.2.10): 300 MiB in the specification; smaller scale
 * factors use SF * 300 MiB but at least TEXT_POOL_MIN (README). */
#define TEXT_POOL_MAX (300u << 20)
#define TEXT_POOL_MIN (16u << 20)

/* ---------------------------------------------------------------- random */

/* splitmix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
 * generators", 2014): one 64-bit state, a Weyl step and a mixing function.
 * A stream is seeded from (table, row), so rows are independent. */
typedef struct Rng {
    uint64_t state;
} Rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_next(Rng *rng)
{
    rng->state += 0x9e3779b97f4a7c15ULL;
    return mix64(rng->state);
}

enum {
    STREAM_REGION = 1,
    STREAM_NATION,
    STREAM_SUPPLIER,
    STREAM_CUSTOMER,
    STREAM_PART,
    STREAM_PARTSUPP,
    STREAM_ORDERS,
    STREAM_TEXT,
};

static Rng rng_for(uint64_t stream, uint64_t row)
{
    Rng rng = { mix64(SEED ^ mix64((stream << 48) ^ row)) };
    return rng;
}

/* Uniform in [lo, hi] (both included) by a 64x64 -> 128 bit multiply; the
 * bias is below 2^-40 for every range used here. */
static int64_t rng_range(Rng *rng, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    unsigned __int128 wide = (unsigned __int128)rng_next(rng) * span;
    return lo + (int64_t)(uint64_t)(wide >> 64);
}

/* ------------------------------------------------------------- word lists */

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Clause 4.2.3: the 25 nations with their regions, and the 5 regions. */
static const struct {
    const char *name;
    int region;
} NATIONS[] = {
    { "ALGERIA", 0 }, { "ARGENTINA", 1 }, { "BRAZIL", 1 }, { "CANADA", 1 },
    { "EGYPT", 4 }, { "ETHIOPIA", 0 }, { "FRANCE", 3 }, { "GERMANY", 3 },
    { "INDIA", 2 }, { "INDONESIA", 2 }, { "IRAN", 4 }, { "IRAQ", 4 },
    { "JAPAN", 2 }, { "JORDAN", 4 }, { "KENYA", 0 }, { "MOROCCO", 0 },
    { "MOZAMBIQUE", 0 }, { "PERU", 1 }, { "CHINA", 2 }, { "ROMANIA", 3 },
    { "SAUDI ARABIA", 4 }, { "VIETNAM", 2 }, { "RUSSIA", 3 },
    { "UNITED KINGDOM", 3 }, { "UNITED STATES", 1 },
};
static const char *const REGIONS[] = { "AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST" };

/* Clause 4.2.3: P_NAME is five distinct words of this list. */
static const char *const COLORS[] = {
    "almond", "antique", "aquamarine", "azure", "beige", "bisque", "black",
    "blanched", "blue", "blush", "brown", "burlywood", "burnished",
    "chartreuse", "chiffon", "chocolate", "coral", "cornflower", "cornsilk",
    "cream", "cyan", "dark", "deep", "dim", "dodger", "drab", "firebrick",
    "floral", "forest", "frosted", "gainsboro", "ghost", "goldenrod", "green",
    "grey", "honeydew", "hot", "indian", "ivory", "khaki", "lace", "lavender",
    "lawn", "lemon", "light", "lime", "linen", "magenta", "maroon", "medium",
    "metallic", "midnight", "mint", "misty", "moccasin", "navajo", "navy",
    "olive", "orange", "orchid", "pale", "papaya", "peach", "peru", "pink",
    "plum", "powder", "puff", "purple", "red", "rose", "rosy", "royal",
    "saddle", "salmon", "sandy", "seashell", "sienna", "sky", "slate",
    "smoke", "snow", "spring", "steel", "tan", "thistle", "tomato",
    "turquoise", "violet", "wheat", "white", "yellow",
};

/* Clause 4.2.2.13: types and containers are one word of each syllable list. */
static const char *const TYPE_S1[] = { "STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO" };
static const char *const TYPE_S2[] = { "ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED" };
static const char *const TYPE_S3[] = { "TIN", "NICKEL", "BRASS", "STEEL", "COPPER" };
static const char *const CONTAINER_S1[] = { "SM", "LG", "MED", "JUMBO", "WRAP" };
static const char *const CONTAINER_S2[] = { "CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM" };
static const char *const SEGMENTS[] = { "AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD" };
static const char *const PRIORITIES[] = { "1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW" };
static const char *const INSTRUCTIONS[] = { "DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN" };
static const char *const MODES[] = { "REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB" };

/* Clause 4.2.2.13: the word lists of the pseudo-text grammar. */
static const char *const NOUNS[] = {
    "foxes", "ideas", "theodolites", "pinto beans", "instructions",
    "dependencies", "excuses", "platelets", "asymptotes", "courts",
    "dolphins", "multipliers", "sauternes", "warthogs", "frets", "dinos",
    "attainments", "somas", "Tiresias'", "patterns", "forges", "braids",
    "hockey players", "frays", "warhorses", "dugouts", "notornis", "epitaphs",
    "pearls", "tithes", "waters", "orbits", "gifts", "sheaves", "depths",
    "sentiments", "decoys", "realms", "pains", "grouches", "escapades",
};
static const char *const VERBS[] = {
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost",
    "affix", "detect", "integrate", "maintain", "nod", "was", "lose",
    "sublate", "solve", "thrash", "promise", "engage", "hinder", "print",
    "x-ray", "breach", "eat", "grow", "impress", "mold", "poach", "serve",
    "run", "dazzle", "snooze", "doze", "unwind", "kindle", "play", "hang",
    "believe", "doubt",
};
static const char *const ADJECTIVES[] = {
    "furious", "sly", "careful", "blithe", "quick", "fluffy", "slow",
    "quiet", "ruthless", "thin", "close", "dogged", "daring", "brave",
    "stealthy", "permanent", "enticing", "idle", "busy", "regular", "final",
    "ironic", "even", "bold", "silent",
};
static const char *const ADVERBS[] = {
    "sometimes", "always", "never", "furiously", "slyly", "carefully",
    "blithely", "quickly", "fluffily", "slowly", "quietly", "ruthlessly",
    "thinly", "closely", "doggedly", "daringly", "bravely", "stealthily",
    "permanently", "enticingly", "idly", "busily", "regularly", "finally",
    "ironically", "evenly", "boldly", "silently",
};
static const char *const PREPOSITIONS[] = {
    "about", "above", "according to", "across", "after", "against", "along",
    "alongside of", "among", "around", "at", "atop", "before", "behind",
    "beneath", "beside", "besides", "between", "beyond", "by", "despite",
    "during", "except", "for", "from", "in place of", "inside", "instead of",
    "into", "near", "of", "on", "outside", "over", "past", "since",
    "through", "throughout", "to", "toward", "under", "until", "up", "upon",
    "without", "with", "within",
};
static const char *const AUXILIARIES[] = {
    "do", "may", "might", "shall", "will", "would", "can", "could", "should",
    "ought to", "must", "will have to", "shall have to", "could have to",
    "should have to", "must have to", "need to", "try to",
};
static const char *const TERMINATORS[] = { ".", ";", ":", "?", "!", "--" };

/* 64 characters for random v-strings (clause 4.2.2.7 asks for at least 64). */
static const char VSTRING_CHARS[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,";

#define PICK(rng, list) ((list)[rng_range((rng), 0, (int64_t)COUNT_OF(list) - 1)])

/* ----------------------------------------------------------------- dates */

/* Days are counted from STARTDATE = 1992-01-01 (day 0); DATE_TEXT holds the
 * text of every day the tables can hold, up to the end of 1998. */
#define DATE_DAYS (7 * 366)
static char DATE_TEXT[DATE_DAYS][11];
static int32_t END_DAY;                  /* ENDDATE 1998-12-31 */
static int32_t CURRENT_DAY;              /* CURRENTDATE 1995-06-17 */

static void dates_init(void)
{
    static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int32_t day = 0;
    for (int year = 1992; year <= 1998; year++) {
        bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        for (int month = 1; month <= 12; month++) {
            int days = month_days[month - 1] + (month == 2 && leap);
            for (int mday = 1; mday <= days; mday++) {
                char *text = DATE_TEXT[day];
                text[0] = (char)('0' + year / 1000);
                text[1] = (char)('0' + year / 100 % 10);
                text[2] = (char)('0' + year / 10 % 10);
                text[3] = (char)('0' + year % 10);
                text[4] = '-';
                text[5] = (char)('0' + month / 10);
                text[6] = (char)('0' + month % 10);
                text[7] = '-';
                text[8] = (char)('0' + mday / 10);
                text[9] = (char)('0' + mday % 10);
                text[10] = '\0';
                if (year == 1995 && month == 6 && mday == 17) CURRENT_DAY = day;
                day++;
            }
        }
    }
    END_DAY = day - 1;
}

/* ---------------------------------------------------------------- output */

/* One output file: a large buffer written with fwrite, flushed before a row
 * could overflow it (a row is far below ROW_MAX bytes). */
#define OUT_BUF_SIZE (4u << 20)
#define ROW_MAX 4096

typedef struct Out {
    FILE *file;
    char *path;
    char *buf;
    size_t len;
} Out;

static void die(const char *what, const char *path)
{
    fprintf(stderr, "tpch-dbgen: error: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void out_open(Out *out, const char *dir, const char *table)
{
    size_t path_len = strlen(dir) + strlen(table) + 6;
    out->path = malloc(path_len);
    out->buf = malloc(OUT_BUF_SIZE);
    if (!out->path || !out->buf) {
        fprintf(stderr, "tpch-dbgen: error: out of memory\n");
        exit(1);
    }
    snprintf(out->path, path_len, "%s/%s.csv", dir, table);
    out->file = fopen(out->path, "wb");
    if (!out->file) die("cannot create", out->path);
    out->len = 0;
}

static void out_flush(Out *out)
{
    if (out->len && fwrite(out->buf, 1, out->len, out->file) != out->len) die("cannot write", out->path);
    out->len = 0;
}

static void out_close(Out *out)
{
    out_flush(out);
    if (fclose(out->file) != 0) die("cannot write", out->path);
    free(out->buf);
    free(out->path);
}

/* Called before each row: room for ROW_MAX bytes. */
static void row_begin(Out *out)
{
    if (out->len + ROW_MAX > OUT_BUF_SIZE) out_flush(out);
}

static void row_end(Out *out)
{
    out->buf[out->len - 1] = '\n';      /* the last field's ',' */
}

static void put_raw(Out *out, const char *text, size_t len)
{
    memcpy(out->buf + out->len, text, len);
    out->len += len;
}

/* A text field then ','; quoted (RFC 4180) when it holds a comma, a quote or
 * a line break, with quotes doubled. */
static void put_text(Out *out, const char *text, size_t len)
{
    bool quote = false;
    for (size_t pos = 0; pos < len; pos++) {
        char ch = text[pos];
        if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        put_raw(out, text, len);
    } else {
        out->buf[out->len++] = '"';
        for (size_t pos = 0; pos < len; pos++) {
            if (text[pos] == '"') out->buf[out->len++] = '"';
            out->buf[out->len++] = text[pos];
        }
        out->buf[out->len++] = '"';
    }
    out->buf[out->len++] = ',';
}

static void put_str(Out *out, const char *text)
{
    put_text(out, text, strlen(text));
}

static void put_int(Out *out, int64_t value)
{
    char tmp[24];
    int pos = (int)sizeof(tmp);
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        tmp[--pos] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (value < 0) tmp[--pos] = '-';
    put_raw(out, tmp + pos, sizeof(tmp) - (size_t)pos);
    out->buf[out->len++] = ',';
}

/* A DECIMAL(15, 2) given in hundredths: "-12.05". */
static void put_money(Out *out, int64_t cents)
{
    char tmp[32];
    int pos = (int)sizeof(tmp);
    uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    tmp[--pos] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[--pos] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[--pos] = '.';
    do {
        tmp[--pos] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (cents < 0) tmp[--pos] = '-';
    put_raw(out, tmp + pos, sizeof(tmp) - (size_t)pos);
    out->buf[out->len++] = ',';
}

static void put_date(Out *out, int32_t day)
{
    put_raw(out, DATE_TEXT[day], 10);
    out->buf[out->len++] = ',';
}

/* "Customer#000000042": a prefix and a key of 9 digits. */
static void put_keyed_name(Out *out, const char *prefix, int64_t key)
{
    char tmp[48];
    int len = snprintf(tmp, sizeof(tmp), "%s%09" PRId64, prefix, key);
    put_raw(out, tmp, (size_t)len);
    out->buf[out->len++] = ',';
}

/* ------------------------------------------------------------ text pool */

/* Clause 4.2.2.10: comments are substrings of one large text made of
 * sentences of the grammar below (4.2.2.14), every choice uniform:
 *
 *   sentence:  NP VP T | NP VP PP T | NP VP NP T | NP PP VP NP T | NP PP VP PP T
 *   NP:        noun | adjective noun | adjective, adjective noun
 *              | adverb adjective noun
 *   VP:        verb | auxiliary verb | verb adverb | auxiliary verb adverb
 *   PP:        preposition "the" NP
 *   T:         a terminator, written right after the previous word
 */
typedef struct Pool {
    char *text;
    size_t len;
    size_t cap;
} Pool;

static Pool POOL;

static void pool_word(const char *word)
{
    size_t len = strlen(word);
    if (POOL.len) POOL.text[POOL.len++] = ' ';
    memcpy(POOL.text + POOL.len, word, len);
    POOL.len += len;
}

static void pool_noun_phrase(Rng *rng)
{
    switch (rng_range(rng, 0, 3)) {
    case 0:
        break;
    case 1:
        pool_word(PICK(rng, ADJECTIVES));
        break;
    case 2:
        pool_word(PICK(rng, ADJECTIVES));
        POOL.text[POOL.len++] = ',';
        pool_word(PICK(rng, ADJECTIVES));
        break;
    default:
        pool_word(PICK(rng, ADVERBS));
        pool_word(PICK(rng, ADJECTIVES));
        break;
    }
    pool_word(PICK(rng, NOUNS));
}

static void pool_verb_phrase(Rng *rng)
{
    int64_t form = rng_range(rng, 0, 3);
    if (form == 1 || form == 3) pool_word(PICK(rng, AUXILIARIES));
    pool_word(PICK(rng, VERBS));
    if (form >= 2) pool_word(PICK(rng, ADVERBS));
}

static void pool_prep_phrase(Rng *rng)
{
    pool_word(PICK(rng, PREPOSITIONS));
    pool_word("the");
    pool_noun_phrase(rng);
}

static void pool_sentence(Rng *rng)
{
    int64_t form = rng_range(rng, 0, 4);
    pool_noun_phrase(rng);
    if (form >= 3) pool_prep_phrase(rng);
    pool_verb_phrase(rng);
    if (form == 1 || form == 4) pool_prep_phrase(rng);
    if (form == 2 || form == 3) pool_noun_phrase(rng);
    const char *term = PICK(rng, TERMINATORS);
    size_t len = strlen(term);
    memcpy(POOL.text + POOL.len, term, len);
    POOL.len += len;
}

static void pool_init(double scale)
{
    double want = scale * (double)TEXT_POOL_MAX;
    size_t size = want >= TEXT_POOL_MAX ? TEXT_POOL_MAX : want <= TEXT_POOL_MIN ? TEXT_POOL_MIN : (size_t)want;
    POOL.cap = size + 1024;             /* a sentence is far shorter */
    POOL.text = malloc(POOL.cap);
    if (!POOL.text) {
        fprintf(stderr, "tpch-dbgen: error: out of memory for the text pool\n");
        exit(1);
    }
    Rng rng = rng_for(STREAM_TEXT, 0);
    POOL.len = 0;
    while (POOL.len < size) pool_sentence(&rng);
    POOL.len = size;
}

/* Clause 4.2.2.10 "text string [min, max]": a substring of the pool of a
 * random length in [min, max] at a random offset.  Returns a pointer into
 * the pool (valid for the whole run) and sets *len. */
static const char *pool_text(Rng *rng, int min, int max, size_t *len)
{
    *len = (size_t)rng_range(rng, min, max);
    size_t offset = (size_t)rng_range(rng, 0, (int64_t)(POOL.len - *len));
    return POOL.text + offset;
}

static void put_comment(Out *out, Rng *rng, int min, int max)
{
    size_t len;
    const char *text = pool_text(rng, min, max, &len);
    put_text(out, text, len);
}

/* Clause 4.2.2.7 "random v-string [min, max]". */
static void put_vstring(Out *out, Rng *rng, int min, int max)
{
    char tmp[64];
    size_t len = (size_t)rng_range(rng, min, max);
    for (size_t pos = 0; pos < len; pos++) tmp[pos] = VSTRING_CHARS[rng_range(rng, 0, 63)];
    put_text(out, tmp, len);
}

/* Clause 4.2.2.9: country code (nation key + 10), then three local parts. */
static void put_phone(Out *out, Rng *rng, int64_t nation)
{
    char tmp[24];
    int len = snprintf(tmp, sizeof(tmp), "%02d-%03d-%03d-%04d", (int)(nation + 10),
                       (int)rng_range(rng, 100, 999), (int)rng_range(rng, 100, 999),
                       (int)rng_range(rng, 1000, 9999));
    put_raw(out, tmp, (size_t)len);
    out->buf[out->len++] = ',';
}

/* ---------------------------------------------------------------- tables */

typedef struct Scale {
    int64_t suppliers, parts, customers, orders, clerks;
} Scale;

static int64_t scaled(double scale, int64_t base)
{
    int64_t count = llround(scale * (double)base);
    return count < 1 ? 1 : count;
}

static void gen_region(const char *dir)
{
    Out out;
    out_open(&out, dir, "region");
    for (int64_t key = 0; key < (int64_t)COUNT_OF(REGIONS); key++) {
        Rng rng = rng_for(STREAM_REGION, (uint64_t)key);
        row_begin(&out);
        put_int(&out, key);
        put_str(&out, REGIONS[key]);
        put_comment(&out, &rng, 31, 115);
        row_end(&out);
    }
    out_close(&out);
}

static void gen_nation(const char *dir)
{
    Out out;
    out_open(&out, dir, "nation");
    for (int64_t key = 0; key < (int64_t)COUNT_OF(NATIONS); key++) {
        Rng rng = rng_for(STREAM_NATION, (uint64_t)key);
        row_begin(&out);
        put_int(&out, key);
        put_str(&out, NATIONS[key].name);
        put_int(&out, NATIONS[key].region);
        put_comment(&out, &rng, 31, 114);
        row_end(&out);
    }
    out_close(&out);
}

/* S_COMMENT (clause 4.2.3): about SF * 5 rows hold "Customer%Complaints" and
 * as many "Customer%Recommends" at a random place in the comment; each row
 * is chosen with probability 5 / 10000 for each.  The comment keeps its
 * length: the words overwrite its text and the pool text in between stays. */
static void put_supplier_comment(Out *out, Rng *rng)
{
    char tmp[128];
    size_t len;
    const char *text = pool_text(rng, 25, 100, &len);
    memcpy(tmp, text, len);
    int64_t draw = rng_range(rng, 0, 9999);
    if (draw < 10) {
        const char *tail = draw < 5 ? "Complaints" : "Recommends";
        size_t fixed = 8 + 10;          /* "Customer" + tail */
        size_t middle = (size_t)rng_range(rng, 0, (int64_t)(len - fixed));
        size_t at = (size_t)rng_range(rng, 0, (int64_t)(len - fixed - middle));
        memcpy(tmp + at, "Customer", 8);
        memcpy(tmp + at + 8 + middle, tail, 10);
    }
    put_text(out, tmp, len);
}

static void gen_supplier(const char *dir, const Scale *sc)
{
    Out out;
    out_open(&out, dir, "supplier");
    for (int64_t key = 1; key <= sc->suppliers; key++) {
        Rng rng = rng_for(STREAM_SUPPLIER, (uint64_t)key);
        row_begin(&out);
        put_int(&out, key);
        put_keyed_name(&out, "Supplier#", key);
        put_vstring(&out, &rng, 10, 40);
        int64_t nation = rng_range(&rng, 0, 24);
        put_int(&out, nation);
        put_phone(&out, &rng, nation);
        put_money(&out, rng_range(&rng, -99999, 999999));
        put_supplier_comment(&out, &rng);
        row_end(&out);
    }
    out_close(&out);
}

static void gen_customer(const char *dir, const Scale *sc)
{
    Out out;
    out_open(&out, dir, "customer");
    for (int64_t key = 1; key <= sc->customers; key++) {
        Rng rng = rng_for(STREAM_CUSTOMER, (uint64_t)key);
        row_begin(&out);
        put_int(&out, key);
        put_keyed_name(&out, "Customer#", key);
        put_vstring(&out, &rng, 10, 40);
        int64_t nation = rng_range(&rng, 0, 24);
        put_int(&out, nation);
        put_phone(&out, &rng, nation);
        put_money(&out, rng_range(&rng, -99999, 999999));
        put_str(&out, PICK(&rng, SEGMENTS));
        put_comment(&out, &rng, 29, 116);
        row_end(&out);
    }
    out_close(&out);
}

/* P_RETAILPRICE (clause 4.2.3) in hundredths:
 * (90000 + ((key / 10) mod 20001) + 100 * (key mod 1000)) / 100. */
static int64_t retail_cents(int64_t partkey)
{
    return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

/* The i-th (0..3) supplier of a part (clause 4.2.3, PS_SUPPKEY), S suppliers:
 * (partkey + i * (S / 4 + (partkey - 1) / S)) mod S + 1. */
static int64_t part_supplier(int64_t partkey, int64_t nth, int64_t suppliers)
{
    return (partkey + nth * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1;
}

static void gen_part(const char *dir, const Scale *sc)
{
    Out out;
    out_open(&out, dir, "part");
    for (int64_t key = 1; key <= sc->parts; key++) {
        Rng rng = rng_for(STREAM_PART, (uint64_t)key);
        row_begin(&out);
        put_int(&out, key);

        /* five distinct colors: a partial Fisher-Yates shuffle */
        uint8_t order[COUNT_OF(COLORS)];
        for (size_t idx = 0; idx < COUNT_OF(COLORS); idx++) order[idx] = (uint8_t)idx;
        char name[128];
        size_t name_len = 0;
        for (int word = 0; word < 5; word++) {
            size_t pick = (size_t)rng_range(&rng, word, (int64_t)COUNT_OF(COLORS) - 1);
            uint8_t color = order[pick];
            order[pick] = order[word];
            order[word] = color;
            if (word) name[name_len++] = ' ';
            size_t len = strlen(COLORS[color]);
            memcpy(name + name_len, COLORS[color], len);
            name_len += len;
        }
        put_text(&out, name, name_len);

        int64_t mfgr = rng_range(&rng, 1, 5);
        int64_t brand = rng_range(&rng, 1, 5);
        char tmp[64];
        int len = snprintf(tmp, sizeof(tmp), "Manufacturer#%d", (int)mfgr);
        put_text(&out, tmp, (size_t)len);
        len = snprintf(tmp, sizeof(tmp), "Brand#%d%d", (int)mfgr, (int)brand);
        put_text(&out, tmp, (size_t)len);
        const char *s1 = PICK(&rng, TYPE_S1);
        const char *s2 = PICK(&rng, TYPE_S2);
        const char *s3 = PICK(&rng, TYPE_S3);
        len = snprintf(tmp, sizeof(tmp), "%s %s %s", s1, s2, s3);
        put_text(&out, tmp, (size_t)len);
        put_int(&out, rng_range(&rng, 1, 50));
        const char *c1 = PICK(&rng, CONTAINER_S1);
        const char *c2 = PICK(&rng, CONTAINER_S2);
        len = snprintf(tmp, sizeof(tmp), "%s %s", c1, c2);
        put_text(&out, tmp, (size_t)len);
        put_money(&out, retail_cents(key));
        put_comment(&out, &rng, 5, 22);
        row_end(&out);
    }
    out_close(&out);
}

static void gen_partsupp(const char *dir, const Scale *sc)
{
    Out out;
    out_open(&out, dir, "partsupp");
    for (int64_t key = 1; key <= sc->parts; key++) {
        Rng rng = rng_for(STREAM_PARTSUPP, (uint64_t)key);
        for (int64_t nth = 0; nth < 4; nth++) {
            row_begin(&out);
            put_int(&out, key);
            put_int(&out, part_supplier(key, nth, sc->suppliers));
            put_int(&out, rng_range(&rng, 1, 9999));
            put_money(&out, rng_range(&rng, 100, 100000));
            put_comment(&out, &rng, 49, 198);
            row_end(&out);
        }
    }
    out_close(&out);
}

/* ORDERS and LINEITEM together: an order's status and total price come from
 * its lineitems.  Order keys are sparse (clause 4.2.3): of each 32 keys the
 * first 8 are used.  Customers whose key is a multiple of 3 place no order. */
static void gen_orders_lineitem(const char *dir, const Scale *sc)
{
    Out orders, lines;
    out_open(&orders, dir, "orders");
    out_open(&lines, dir, "lineitem");
    int64_t ordering_customers = sc->customers - sc->customers / 3;
    for (int64_t idx = 0; idx < sc->orders; idx++) {
        int64_t key = idx / 8 * 32 + idx % 8 + 1;
        Rng rng = rng_for(STREAM_ORDERS, (uint64_t)key);

        /* the k-th key (1-based) not divisible by 3 is k + (k - 1) / 2 */
        int64_t nth_customer = rng_range(&rng, 1, ordering_customers);
        int64_t custkey = nth_customer + (nth_customer - 1) / 2;
        int32_t order_day = (int32_t)rng_range(&rng, 0, END_DAY - 151);
        const char *priority = PICK(&rng, PRIORITIES);
        int64_t clerk = rng_range(&rng, 1, sc->clerks);

        /* total price in 10^-6 units: extprice (cents) * (100 + tax) *
         * (100 - discount), summed exactly, rounded half up to cents */
        int64_t total_micro = 0;
        int line_count = (int)rng_range(&rng, 1, 7);
        int open_lines = 0;
        for (int line = 1; line <= line_count; line++) {
            int64_t partkey = rng_range(&rng, 1, sc->parts);
            int64_t suppkey = part_supplier(partkey, rng_range(&rng, 0, 3), sc->suppliers);
            int64_t quantity = rng_range(&rng, 1, 50);
            int64_t extended = quantity * retail_cents(partkey);
            int64_t discount = rng_range(&rng, 0, 10);
            int64_t tax = rng_range(&rng, 0, 8);
            int32_t ship_day = order_day + (int32_t)rng_range(&rng, 1, 121);
            int32_t commit_day = order_day + (int32_t)rng_range(&rng, 30, 90);
            int32_t receipt_day = ship_day + (int32_t)rng_range(&rng, 1, 30);
            const char *returnflag = "N";
            if (receipt_day <= CURRENT_DAY) returnflag = rng_range(&rng, 0, 1) ? "A" : "R";
            bool open = ship_day > CURRENT_DAY;
            open_lines += open;
            total_micro += extended * (100 + tax) * (100 - discount);

            row_begin(&lines);
            put_int(&lines, key);
            put_int(&lines, partkey);
            put_int(&lines, suppkey);
            put_int(&lines, line);
            put_money(&lines, quantity * 100);
            put_money(&lines, extended);
            put_money(&lines, discount);
            put_money(&lines, tax);
            put_text(&lines, returnflag, 1);
            put_text(&lines, open ? "O" : "F", 1);
            put_date(&lines, ship_day);
            put_date(&lines, commit_day);
            put_date(&lines, receipt_day);
            put_str(&lines, PICK(&rng, INSTRUCTIONS));
            put_str(&lines, PICK(&rng, MODES));
            put_comment(&lines, &rng, 10, 43);
            row_end(&lines);
        }

        const char *status = open_lines == line_count ? "O" : open_lines == 0 ? "F" : "P";
        row_begin(&orders);
        put_int(&orders, key);
        put_int(&orders, custkey);
        put_str(&orders, status);
        put_money(&orders, (total_micro + 5000) / 10000);
        put_date(&orders, order_day);
        put_str(&orders, priority);
        put_keyed_name(&orders, "Clerk#", clerk);
        put_int(&orders, 0);
        put_comment(&orders, &rng, 19, 78);
        row_end(&orders);
    }
    out_close(&orders);
    out_close(&lines);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr, "usage: tpch-dbgen -s SF -o DIR\n"
                    "  writes the eight TPC-H tables as DIR/<table>.csv (no header)\n"
                    "  SF: scale factor, > 0 (0.01 is 10 MB, 1 is 1 GB)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    double scale = 0;
    const char *dir = NULL;
    for (int arg = 1; arg < argc; arg++) {
        if (strcmp(argv[arg], "-s") == 0 && arg + 1 < argc) {
            char *end;
            scale = strtod(argv[++arg], &end);
            if (*end || !(scale > 0) || scale > 100000) usage();
        } else if (strcmp(argv[arg], "-o") == 0 && arg + 1 < argc) {
            dir = argv[++arg];
        } else {
            usage();
        }
    }
    if (!dir || scale <= 0) usage();
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) die("cannot create", dir);

    Scale sc = {
        .suppliers = scaled(scale, SUPPLIER_BASE),
        .parts = scaled(scale, PART_BASE),
        .customers = scaled(scale, CUSTOMER_BASE),
        .orders = scaled(scale, ORDERS_BASE),
        .clerks = scaled(scale, CLERK_BASE),
    };
    dates_init();
    pool_init(scale);
    gen_region(dir);
    gen_nation(dir);
    gen_supplier(dir, &sc);
    gen_customer(dir, &sc);
    gen_part(dir, &sc);
    gen_partsupp(dir, &sc);
    gen_orders_lineitem(dir, &sc);
    free(POOL.text);
    return 0;
}
