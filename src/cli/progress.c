/*
 * progress.c - the progress line on a terminal's stderr (see progress.h).
 * The line is drawn as "\r" + text + "\033[K" (erase to the end of line)
 * and erased with "\r\033[K"; it is cut to the terminal's width so that it
 * never wraps (a wrapped line cannot be erased with "\r").
 */
#include "cli/progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct Progress {
    FILE *tty;
    FILE *out;                   /* the real stdout */
    FILE *wrapped;               /* erases the line, then writes to out */
    bool shown;
    WbBuf line;
};

/* 1234567 -> "1,234,567" */
static void put_count(WbBuf *out, int64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? 0 : n));
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) wb_buf_putc(out, ',');
        wb_buf_putc(out, digits[i]);
    }
}

void progress_format(WbBuf *out, const RtSourceProgress *sources, int32_t nsources,
                     int64_t elapsed_us, int32_t width)
{
    size_t start = out->len;
    double seconds = (double)elapsed_us / 1e6;
    for (int32_t i = 0; i < nsources; i++) {
        wb_buf_printf(out, "%s: ", sources[i].table);
        put_count(out, sources[i].records_read);
        wb_buf_puts(out, " records (");
        if (sources[i].done) {
            wb_buf_puts(out, "done");
        } else {
            put_count(out, seconds > 0 ? (int64_t)((double)sources[i].records_read / seconds) : 0);
            wb_buf_puts(out, "/s");
        }
        wb_buf_puts(out, ") | ");
    }
    wb_buf_printf(out, "%.1f s", seconds);
    if (width > 0 && out->len - start > (size_t)width) out->len = start + (size_t)width;
}

static void erase(Progress *p)
{
    if (!p->shown) return;
    fputs("\r\033[K", p->tty);
    fflush(p->tty);
    p->shown = false;
}

static ssize_t wrapped_write(void *cookie, const char *buf, size_t size)
{
    Progress *p = cookie;
    erase(p);
    size_t n = fwrite(buf, 1, size, p->out);
    fflush(p->out);
    return n == size ? (ssize_t)size : -1;
}

Progress *progress_new(FILE *tty, FILE *out)
{
    Progress *p = wb_calloc(1, sizeof *p);
    p->tty = tty;
    p->out = out;
    cookie_io_functions_t io = {NULL, wrapped_write, NULL, NULL};
    p->wrapped = fopencookie(p, "w", io);
    if (p->wrapped) setvbuf(p->wrapped, NULL, _IONBF, 0);
    return p;
}

FILE *progress_stdout(Progress *p) { return p->wrapped ? p->wrapped : p->out; }

void progress_update(void *ctx, const RtSourceProgress *sources, int32_t nsources,
                     int64_t elapsed_us)
{
    Progress *p = ctx;
    int32_t width = 0;
    struct winsize ws;
    if (ioctl(fileno(p->tty), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) width = ws.ws_col - 1;
    wb_buf_clear(&p->line);
    wb_buf_putc(&p->line, '\r');
    progress_format(&p->line, sources, nsources, elapsed_us, width);
    wb_buf_puts(&p->line, "\033[K");
    fwrite(p->line.data, 1, p->line.len, p->tty);
    fflush(p->tty);
    p->shown = true;
}

void progress_clear(Progress *p) { erase(p); }

void progress_free(Progress *p)
{
    if (!p) return;
    if (p->wrapped) fclose(p->wrapped);
    erase(p);
    wb_buf_free(&p->line);
    free(p);
}
