/*
 * regex.h - weir's regular expressions: the syntax and the matching rules
 * of Java's java.util.regex (what Flink's REGEXP, REGEXP_EXTRACT and
 * REGEXP_REPLACE use), for the constructs below, over UTF-8 text.
 *
 * Syntax: literals; `.` (any code point but a line terminator, or any with
 * (?s)); classes `[abc]`, `[^a-z]`, with ranges and the escapes below
 * inside; `\d \D \w \W \s \S` (ASCII, as Java's defaults); `\t \n \r \f
 * \a \e \xhh \uhhhh \0ooo`, `\Q...\E`, and a backslash before any other
 * non-letter as that character; anchors `^ $` (`$` also before a final
 * line terminator; with (?m) at every line) and `\b \B \A \z \Z`; groups
 * `( )`, `(?: )`, `(?<name> )`; alternation `|`; quantifiers `* + ? {n}
 * {n,} {n,m}`, greedy, lazy (`*?`) or possessive (`*+`, matched as
 * greedy); flags `(?i)` (ASCII case-insensitive), `(?s)`, `(?m)` and
 * their combinations, holding for the whole pattern.  Anything else
 * (back references, look-around, \p{..}, class intersections) is a
 * compile error naming its offset.
 *
 * Matching is leftmost-first with Java's priorities (not POSIX
 * leftmost-longest): the first alternative that leads to a match wins, a
 * greedy quantifier takes as much as still lets the rest match.  The
 * engine backtracks over a compiled program and remembers the (instruction,
 * position) pairs that failed, so a search costs at most instructions x
 * (length + 1) steps whatever the pattern: no catastrophic backtracking.
 * Candidate start positions are found first from the bytes a match can
 * start with (memchr for one byte).
 */
#ifndef WEIR_EXEC_REGEX_H
#define WEIR_EXEC_REGEX_H

#include "base/base.h"

typedef struct ExRegex ExRegex;

/* Compiles pattern[0..len).  Returns the program (free with ex_re_free),
 * or NULL with a message in errbuf naming the offset of the problem. */
ExRegex *ex_re_compile(const char *pattern, uint32_t len, char *errbuf, size_t errlen);
void ex_re_free(ExRegex *re);
/* Capturing groups, group 0 (the whole match) not counted. */
int32_t ex_re_groups(const ExRegex *re);
/* Java's Matcher.find from byte offset `from`: the leftmost match in
 * s[0..len) starting at or after `from`.  On a match caps[2g], caps[2g+1]
 * are the byte offsets of group g (0 = the match), -1 for a group that
 * did not take part, for g < ncaps / 2; returns 1.  0 when nothing
 * matches; -1 when the string is too long to search (instructions x
 * (length + 1) over 2^31).  The program keeps its scratch memory between
 * calls (one thread at a time). */
int ex_re_search(ExRegex *re, const char *s, uint32_t len, uint32_t from, int32_t *caps,
                 int32_t ncaps);

#endif
