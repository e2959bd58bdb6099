/*
 * progress.h - the progress line `weir run` keeps on stderr while a job
 * runs, when stderr is a terminal: records read per source, their rate and
 * the elapsed time, redrawn in place at most every 250 ms (the runtime's
 * ProgressFn) and erased before anything else is written, so results and
 * messages never mix with it.  Nothing is written when stderr is not a
 * terminal (the CLI does not create a Progress then).
 */
#ifndef WEIR_CLI_PROGRESS_H
#define WEIR_CLI_PROGRESS_H

#include <stdio.h>
#include "runtime/runtime.h"

/* Appends the line's text (no line end) to out, cut to at most `width`
 * bytes when width > 0:
 *     "orders: 1,234,567 records (411,522/s) | items: 12 records (done) | 3.0 s" */
void progress_format(WbBuf *out, const RtSourceProgress *sources, int32_t nsources,
                     int64_t elapsed_us, int32_t width);

typedef struct Progress Progress;

/* A progress line drawn on `tty`.  Owns a FILE (progress_stdout) that
 * erases the line before forwarding what is written to it to `out`. */
Progress *progress_new(FILE *tty, FILE *out);
/* Where results go while the job runs (valid until progress_free). */
FILE *progress_stdout(Progress *p);
/* The runtime's ProgressFn (ctx = the Progress): redraws the line. */
void progress_update(void *ctx, const RtSourceProgress *sources, int32_t nsources,
                     int64_t elapsed_us);
/* Erases the line if it is shown. */
void progress_clear(Progress *p);
/* Flushes progress_stdout, erases the line and frees. */
void progress_free(Progress *p);

#endif
