/*
 * check.h - the unit-test harness.  Each tests/unit/test_*.c is one program.
 *
 * Convention:
 * - A test is a `static void test_name(void)` function.  main() does its
 *   setup, runs each test through RUN(test_name), and ends with
 *   `return check_done();`.  A test that needs arguments gets a small
 *   wrapper function per case (one test each).
 * - CHECK(cond) and CHECK_STR(got, want) inside a test print each failing
 *   check ("file:line: test_name: ...") to stderr.  A test with one or more
 *   failing checks counts as ONE failed test, otherwise one passed test,
 *   however many checks it ran (loops included).
 * - check_done() prints "N passed, N failed" counting tests and returns the
 *   exit status (1 if any test failed).  A check that fails outside any
 *   RUN counts as one more failed test, named "(outside a test)".
 * - A crash ends the program before check_done() prints: tests/run_all.sh
 *   counts it.  With CHECK_TRACE=1 in the environment each test's start
 *   and result go to stderr ("run: t", "ok: t", "FAIL: t"), so the runner
 *   can name the test that crashed and count those that finished.
 */
#ifndef WEIR_CHECK_H
#define WEIR_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_tests_passed_, check_tests_failed_;
static int check_fails_in_test_, check_fails_outside_;
static const char *check_test_; /* the running test's name, NULL between tests */

/* Records one failing check; returns the name to print with it. */
static inline const char *check_fail_(void)
{
    if (check_test_) {
        check_fails_in_test_++;
        return check_test_;
    }
    check_fails_outside_++;
    return "(outside a test)";
}

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond))                                                       \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__,    \
                    __LINE__, check_fail_(), #cond);                       \
    } while (0)

#define CHECK_STR(got, want)                                               \
    do {                                                                   \
        const char *check_g_ = (got), *check_w_ = (want);                 \
        if (!(check_g_ && check_w_ && strcmp(check_g_, check_w_) == 0))   \
            fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n",       \
                    __FILE__, __LINE__, check_fail_(),                     \
                    check_g_ ? check_g_ : "(null)",                        \
                    check_w_ ? check_w_ : "(null)");                       \
    } while (0)

static inline void check_run_(const char *name, void (*fn)(void))
{
    const char *trace = getenv("CHECK_TRACE");
    bool tracing = trace && trace[0] == '1';
    if (tracing) fprintf(stderr, "run: %s\n", name);
    check_test_ = name;
    check_fails_in_test_ = 0;
    fn();
    check_test_ = NULL;
    if (check_fails_in_test_) {
        check_tests_failed_++;
        fprintf(stderr, "FAIL: %s (%d failing check%s)\n", name, check_fails_in_test_,
                check_fails_in_test_ == 1 ? "" : "s");
    } else {
        check_tests_passed_++;
        if (tracing) fprintf(stderr, "ok: %s\n", name);
    }
}

/* Runs one test function: void test_name(void). */
#define RUN(fn) check_run_(#fn, fn)

static inline int check_done(void)
{
    int failed = check_tests_failed_ + (check_fails_outside_ ? 1 : 0);
    fflush(stderr);
    printf("%d passed, %d failed\n", check_tests_passed_, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}

#endif
