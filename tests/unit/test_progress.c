/*
 * test_progress.c - the progress line's text (cli/progress.c): counts with
 * thousands separators, the rate over the elapsed time, "done" for an
 * ended source, the cut to the terminal width; and the FILE that erases a
 * shown line before forwarding results.
 */
#include "check.h"
#include "cli/progress.c"

static void test_format(void)
{
    RtSourceProgress sources[2] = {{"orders", 1234567, false}, {"items", 12, true}};
    WbBuf out = {0};
    progress_format(&out, sources, 2, 3000000, 0);
    CHECK_STR(wb_buf_cstr(&out), "orders: 1,234,567 records (411,522/s) | items: 12 records (done) | 3.0 s");
    wb_buf_clear(&out);
    progress_format(&out, sources, 1, 0, 0);
    CHECK_STR(wb_buf_cstr(&out), "orders: 1,234,567 records (0/s) | 0.0 s");
    wb_buf_clear(&out);
    RtSourceProgress small = {"t", 999, false};
    progress_format(&out, &small, 1, 500000, 12);
    CHECK_STR(wb_buf_cstr(&out), "t: 999 recor");
    wb_buf_clear(&out);
    progress_format(&out, NULL, 0, 1250000, 0);
    CHECK_STR(wb_buf_cstr(&out), "1.2 s");
    wb_buf_free(&out);
}

static void test_erase_before_results(void)
{
    char *tty_text = NULL, *out_text = NULL;
    size_t tty_len = 0, out_len = 0;
    FILE *tty = open_memstream(&tty_text, &tty_len);
    FILE *out = open_memstream(&out_text, &out_len);
    Progress *p = progress_new(tty, out);
    RtSourceProgress src = {"t", 5, false};
    progress_update(p, &src, 1, 1000000);
    fputs("result\n", progress_stdout(p));
    fputs("more\n", progress_stdout(p));      /* no line shown: nothing to erase */
    progress_update(p, &src, 1, 2000000);
    progress_free(p);                          /* erases the second line */
    fclose(tty);
    fclose(out);
    CHECK_STR(tty_text, "\rt: 5 records (5/s) | 1.0 s\033[K\r\033[K"
                        "\rt: 5 records (2/s) | 2.0 s\033[K\r\033[K");
    CHECK_STR(out_text, "result\nmore\n");
    free(tty_text);
    free(out_text);
}

int main(void)
{
    RUN(test_format);
    RUN(test_erase_before_results);
    return check_done();
}
