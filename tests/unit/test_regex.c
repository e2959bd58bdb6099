/*
 * test_regex.c - exec/regex.c against java.util.regex's documented
 * behaviour: the matched text and groups of Matcher.find on cases where
 * Java's leftmost-first rules differ from POSIX's leftmost-longest, the
 * syntax it accepts and rejects, UTF-8, and patterns that take a naive
 * backtracker exponential time.
 */
#include <time.h>

#include "check.h"
#include "exec/regex.h"

/* find(pattern, s): "group0|group1|..." of the first match (groups that
 * did not take part print as "-"), "NOMATCH", or "ERR: message". */
static const char *find(const char *pattern, const char *s)
{
    static char out[512];
    char err[160];
    ExRegex *re = ex_re_compile(pattern, (uint32_t)strlen(pattern), err, sizeof err);
    if (!re) {
        snprintf(out, sizeof out, "ERR: %s", err);
        return out;
    }
    int32_t caps[20];
    int found = ex_re_search(re, s, (uint32_t)strlen(s), 0, caps, 20);
    int32_t groups = ex_re_groups(re);
    ex_re_free(re);
    if (found <= 0) return "NOMATCH";
    size_t w = 0;
    for (int32_t g = 0; g <= groups && g < 10; g++) {
        if (g) out[w++] = '|';
        if (caps[2 * g] < 0) {
            out[w++] = '-';
            continue;
        }
        int n = caps[2 * g + 1] - caps[2 * g];
        memcpy(out + w, s + caps[2 * g], (size_t)n);
        w += (size_t)n;
    }
    out[w] = '\0';
    return out;
}

static void test_priorities(void)
{
    /* leftmost-first: the first alternative that matches wins */
    CHECK_STR(find("a|ab", "ab"), "a");
    CHECK_STR(find("(a|ab)(c|bcd)", "abcd"), "abcd|a|bcd");
    /* greedy and lazy */
    CHECK_STR(find("a+", "caaat"), "aaa");
    CHECK_STR(find("a+?", "caaat"), "a");
    CHECK_STR(find("<.*>", "<a><b>"), "<a><b>");
    CHECK_STR(find("<.*?>", "<a><b>"), "<a>");
    CHECK_STR(find("x*", "abc"), "");
    CHECK_STR(find("a{2,3}", "aaaa"), "aaa");
    CHECK_STR(find("a{2,3}?", "aaaa"), "aa");
    CHECK_STR(find("a{2}", "a aa"), "aa");
    CHECK_STR(find("a{2,}", "aaaaa"), "aaaaa");
    CHECK_STR(find("(a)|b", "b"), "b|-");
    CHECK_STR(find("(a*)+", "b"), "|");
    CHECK_STR(find("(a|b)*c", "abac"), "abac|a");
}

static void test_syntax(void)
{
    CHECK_STR(find("(&|^)channel_id=([^&]*)", "a=1&channel_id=7&b=2"), "&channel_id=7|&|7");
    CHECK_STR(find("(&|^)channel_id=([^&]*)", "channel_id=9"), "channel_id=9||9");
    CHECK_STR(find("(&|^)channel_id=([^&]*)", "xchannel_id=9"), "NOMATCH");
    CHECK_STR(find("\\d+", "ab123c"), "123");
    CHECK_STR(find("\\D+", "12ab3"), "ab");
    CHECK_STR(find("\\w+", "  foo_1 "), "foo_1");
    CHECK_STR(find("\\s+x", "a \t x"), " \t x");
    CHECK_STR(find("[a-c]+", "xxbcaz"), "bca");
    CHECK_STR(find("[^a-c]+", "abxyc"), "xy");
    CHECK_STR(find("[]a]+", "x]a]"), "]a]");
    CHECK_STR(find("[\\d.]+", "v1.25x"), "1.25");
    CHECK_STR(find("a.c", "abc"), "abc");
    CHECK_STR(find("a.c", "a\nc"), "NOMATCH");
    CHECK_STR(find("(?s)a.c", "a\nc"), "a\nc");
    CHECK_STR(find("^b", "ab"), "NOMATCH");
    CHECK_STR(find("(?m)^b", "a\nb"), "b");
    CHECK_STR(find("a$", "a\n"), "a");
    CHECK_STR(find("a\\z", "a\n"), "NOMATCH");
    CHECK_STR(find("\\bcat\\b", "concat cat"), "cat");
    CHECK_STR(find("\\Bcat", "concat"), "cat");
    CHECK_STR(find("(?i)hello", "say HeLLo"), "HeLLo");
    CHECK_STR(find("(?i)[a-c]+", "xBaC"), "BaC");
    CHECK_STR(find("(?:ab)+(c)", "ababc"), "ababc|c");
    CHECK_STR(find("(?<year>\\d{4})-(\\d\\d)", "on 2024-05"), "2024-05|2024|05");
    CHECK_STR(find("\\Q.*\\E", "a.*b"), ".*");
    CHECK_STR(find("\\.\\$\\(", "x.$(y"), ".$(");
    CHECK_STR(find("\\x41\\u0042", "zAB"), "AB");
    CHECK_STR(find("a{,2}", "a{,2}"), "a{,2}");
    CHECK_STR(find("tab\\tend", "tab\tend"), "tab\tend");
}

static void test_utf8(void)
{
    CHECK_STR(find("h.llo", "h\xc3\xa9llo"), "h\xc3\xa9llo");
    CHECK_STR(find("[\xc3\xa0-\xc3\xbf]+", "caf\xc3\xa9s"), "\xc3\xa9");
    CHECK_STR(find("[^a]", "\xe2\x82\xac"), "\xe2\x82\xac");
    CHECK_STR(find("\xe2\x82\xac(\\d+)", "cost \xe2\x82\xac" "42"), "\xe2\x82\xac" "42|42");
    CHECK_STR(find(".{2}$", "a\xc3\xa9\xc3\xa9"), "\xc3\xa9\xc3\xa9");
}

static void test_errors(void)
{
    CHECK(strncmp(find("(a", "a"), "ERR: unclosed group", 19) == 0);
    CHECK(strncmp(find("a)", "a"), "ERR: unmatched ')'", 18) == 0);
    CHECK(strncmp(find("[a", "a"), "ERR: unclosed character class", 29) == 0);
    CHECK(strncmp(find("*a", "a"), "ERR: quantifier without", 23) == 0);
    CHECK(strncmp(find("(\\w)\\1", "aa"), "ERR: unsupported escape", 23) == 0);
    CHECK(strncmp(find("(?=a)", "a"), "ERR: look-around", 16) == 0);
    CHECK(strncmp(find("[z-a]", "a"), "ERR: character range out of order", 33) == 0);
    CHECK(strncmp(find("a{5000}", "a"), "ERR: repetition count too large", 31) == 0);
    CHECK(strncmp(find("((a{1000}){1000}){1000}", "a"), "ERR: pattern too large", 22) == 0);
    CHECK(strstr(find("ab\\", "a"), "offset 3") != NULL);
}

/* Patterns that are exponential for a plain backtracker finish in
 * instructions x length steps. */
static void test_no_blowup(void)
{
    char s[4001];
    memset(s, 'a', 4000);
    s[4000] = '\0';
    clock_t t0 = clock();
    CHECK_STR(find("(a*)*b", s), "NOMATCH");
    CHECK_STR(find("(a|aa)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"), "NOMATCH");
    CHECK_STR(find("(x+x+)+y", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "NOMATCH");
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(secs < 5.0);
}

/* find from an offset: '^' is the input's start, not the offset's */
static void test_from_offset(void)
{
    char err[128];
    ExRegex *re = ex_re_compile("^a|b", 4, err, sizeof err);
    CHECK(re != NULL);
    int32_t caps[2];
    CHECK(ex_re_search(re, "abab", 4, 0, caps, 2) == 1 && caps[0] == 0);
    CHECK(ex_re_search(re, "abab", 4, 2, caps, 2) == 1 && caps[0] == 3);
    CHECK(ex_re_search(re, "abab", 4, 4, caps, 2) == 0);
    ex_re_free(re);
}

int main(void)
{
    RUN(test_priorities);
    RUN(test_syntax);
    RUN(test_utf8);
    RUN(test_errors);
    RUN(test_no_blowup);
    RUN(test_from_offset);
    return check_done();
}
