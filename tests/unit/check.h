/*
 * check.h - the unit-test harness: CHECK(cond) records a pass or a failure
 * with its file and line; check_done() prints "N passed, N failed" and gives
 * the exit status.  Each tests/unit/test_*.c is one program.
 */
#ifndef WEIR_CHECK_H
#define WEIR_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed++;                                                \
        } else {                                                           \
            check_failed++;                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                      \
        }                                                                  \
    } while (0)

#define CHECK_STR(got, want)                                               \
    do {                                                                   \
        const char *check_g_ = (got), *check_w_ = (want);                 \
        if (check_g_ && check_w_ && strcmp(check_g_, check_w_) == 0) {    \
            check_passed++;                                                \
        } else {                                                           \
            check_failed++;                                                \
            fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, \
                    __LINE__, check_g_ ? check_g_ : "(null)",              \
                    check_w_ ? check_w_ : "(null)");                       \
        }                                                                  \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
