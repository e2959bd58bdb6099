/*
 * output.c - how `weir run` prints a result: changelog lines as changes
 * arrive, then the final rows the session's collector hands on
 * (session/result.h) as an aligned table or CSV.
 *
 * Output goes through one buffer written to the FILE in large pieces;
 * values are formatted by ty_format_value, without printf per value.
 */
#include "cli/output.h"

#include <stdlib.h>
#include <string.h>

#include "connect/connect.h"

/* Pending output is written once it reaches this size. */
enum { OUT_FLUSH_BYTES = 1 << 18 };

/* How a column's text goes into a csv field. */
typedef enum CellKind {
    CELL_STRING,     /* quoted when empty or holding , " CR LF */
    CELL_PLAIN,      /* numbers, booleans, temporal: the text never needs quotes */
    CELL_OTHER       /* any other type: checked like a string, but "" is not quoted */
} CellKind;

/* Cell texts of a table (--format table), kept until the widths are known:
 * all texts back to back in `text`, cell i spanning [end[i-1], end[i]).
 * Texts are kept escaped (cell_escape), so a value never breaks a line;
 * widths are display widths (terminal columns), not bytes. */
typedef struct Grid {
    int32_t ncols;
    int64_t nrows;
    WbBuf text;
    size_t *end;
    uint8_t *null;
    size_t ncells, cap;
    size_t *width;               /* per column, header included */
    WbBuf head;                  /* the escaped headers, back to back */
    size_t *head_end;            /* header i spans [head_end[i-1], head_end[i]) */
    WbBuf raw;                   /* scratch: a cell's text before escaping */
} Grid;

/* Prints one result (a SesRowSink over it). */
struct OutPrinter {
    OutputFormat format;
    bool streaming;
    FILE *out;
    int32_t nshow;               /* visible columns */
    char *const *names;
    CellKind *kind;              /* per visible column */
    bool *right;                 /* per visible column: right-aligned in a table */
    WbBuf obuf;                  /* output not yet written to `out` */
    WbBuf scratch;
    Grid grid;
};

/* A printer with a collector: the whole result of a plan (out_collector_*). */
struct ResultCollector {
    OutPrinter *printer;
    SesResult *res;
};

/* ---- output buffer ---- */

static void out_write(FILE *out, WbBuf *buf)
{
    if (buf->len) fwrite(buf->data, 1, buf->len, out);
    wb_buf_clear(buf);
}

static inline void out_maybe_write(FILE *out, WbBuf *buf)
{
    if (buf->len >= OUT_FLUSH_BYTES) out_write(out, buf);
}

/* ---- csv ---- */

static void csv_field(WbBuf *line, const char *s, size_t len, bool is_string)
{
    bool quote = is_string && len == 0;
    for (size_t i = 0; i < len && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = true;
    if (!quote) {
        wb_buf_append(line, s, len);
        return;
    }
    wb_buf_putc(line, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') wb_buf_putc(line, '"');
        wb_buf_putc(line, s[i]);
    }
    wb_buf_putc(line, '"');
}

/* One non-NULL value as a csv field (NULL is an empty field: nothing). */
static inline void csv_value(WbBuf *line, WbBuf *scratch, const ColumnVector *vec, int32_t row,
                             CellKind kind)
{
    switch (kind) {
    case CELL_STRING:
        csv_field(line, vec->str[row].ptr, vec->str[row].len, true);
        break;
    case CELL_PLAIN:
        ty_format_value(vec, row, line);
        break;
    case CELL_OTHER:
        wb_buf_clear(scratch);
        ty_format_value(vec, row, scratch);
        csv_field(line, scratch->data, scratch->len, false);
        break;
    }
}

static void csv_header(WbBuf *line, int32_t ncols, char *const *names)
{
    for (int32_t col = 0; col < ncols; col++) {
        if (col) wb_buf_putc(line, ',');
        csv_field(line, names[col], strlen(names[col]), false);
    }
    wb_buf_putc(line, '\n');
}

/* ---- the table grid ---- */

/* True when the text has a byte the table cannot show as it is: a control
 * character, or any byte >= 0x80 (then it is measured and maybe escaped). */
static bool cell_plain_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b >= 0x7f) return false;
    }
    return true;
}

/* Appends the text as a table shows it: newline, tab and carriage return
 * as \n \t \r, other control characters (C0, DEL, C1) and the Unicode
 * line and paragraph separators as \uXXXX, bytes that are not UTF-8 as
 * \xNN; everything else as it is (a backslash too: the table is for
 * reading, --format csv gives the exact bytes). */
static void cell_escape(WbBuf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        uint32_t cp = b;
        size_t n = 1;
        if (b >= 0x80) {   /* decode one UTF-8 sequence strictly (RFC 3629) */
            n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            cp = b & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
            bool ok = b >= 0xC2 && b <= 0xF4 && i + n <= len;
            for (size_t k = 1; ok && k < n; k++) {
                unsigned char cb = (unsigned char)s[i + k];
                ok = (cb & 0xC0) == 0x80;
                cp = (cp << 6) | (cb & 0x3F);
            }
            ok = ok && !(n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
                 !(n == 4 && (cp < 0x10000 || cp > 0x10FFFF));
            if (!ok) {
                char esc[4] = {'\\', 'x', hex[b >> 4], hex[b & 15]};
                wb_buf_append(out, esc, 4);
                i++;
                continue;
            }
        }
        if (cp == '\n' || cp == '\t' || cp == '\r') {
            char esc[2] = {'\\', cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r'};
            wb_buf_append(out, esc, 2);
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
            char esc[6] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15],
                           hex[(cp >> 4) & 15], hex[cp & 15]};
            wb_buf_append(out, esc, 6);
        } else {
            wb_buf_append(out, s + i, n);
        }
        i += n;
    }
}

/* Display width of an escaped text. */
static size_t cell_width(const char *s, size_t len)
{
    return wb_is_ascii(s, len) ? len : wb_utf8_width(s, len);
}

static void grid_init(Grid *g, int32_t ncols, const char *const *header)
{
    memset(g, 0, sizeof *g);
    g->ncols = ncols;
    g->width = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(size_t));
    g->head_end = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(size_t));
    for (int32_t col = 0; col < ncols; col++) {
        size_t start = g->head.len;
        cell_escape(&g->head, header[col], strlen(header[col]));
        g->head_end[col] = g->head.len;
        g->width[col] = cell_width(g->head.data + start, g->head.len - start);
    }
}

static void grid_free(Grid *g)
{
    wb_buf_free(&g->text);
    wb_buf_free(&g->head);
    wb_buf_free(&g->raw);
    free(g->end);
    free(g->null);
    free(g->width);
    free(g->head_end);
    memset(g, 0, sizeof *g);
}

/* Closes the cell whose text was appended to g->text since the last one:
 * escapes it in place when it needs it and widens its column. */
static void grid_cell_end(Grid *g, bool is_null)
{
    if (g->ncells == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 256;
        g->end = wb_realloc(g->end, g->cap * sizeof(size_t));
        g->null = wb_realloc(g->null, g->cap);
    }
    size_t start = g->ncells ? g->end[g->ncells - 1] : 0;
    size_t width = 6;   /* <NULL> */
    if (!is_null) {
        size_t len = g->text.len - start;
        if (cell_plain_ascii(g->text.data + start, len)) {
            width = len;
        } else {
            wb_buf_clear(&g->raw);
            wb_buf_append(&g->raw, g->text.data + start, len);
            g->text.len = start;
            cell_escape(&g->text, g->raw.data, g->raw.len);
            width = cell_width(g->text.data + start, g->text.len - start);
        }
    }
    int32_t col = (int32_t)(g->ncells % (size_t)g->ncols);
    if (width > g->width[col]) g->width[col] = width;
    g->end[g->ncells] = g->text.len;
    g->null[g->ncells] = is_null;
    g->ncells++;
}

/* A batch row's visible values into the grid. */
static void grid_add_row(Grid *g, const Batch *batch, int32_t row)
{
    for (int32_t col = 0; col < g->ncols; col++) {
        const ColumnVector *vec = &batch->cols[col];
        if (!vec->nulls[row]) ty_format_value(vec, row, &g->text);
        grid_cell_end(g, vec->nulls[row]);
    }
    g->nrows++;
}

static void pad(WbBuf *buf, size_t n)
{
    wb_buf_reserve(buf, n);
    memset(buf->data + buf->len, ' ', n);
    buf->len += n;
}

/* " text |" with the (escaped) text padded to width columns, on the right
 * or the left. */
static void table_cell(WbBuf *buf, const char *text, size_t len, size_t width, bool right)
{
    size_t fill = width - cell_width(text, len);
    wb_buf_putc(buf, ' ');
    if (right) pad(buf, fill);
    wb_buf_append(buf, text, len);
    if (!right) pad(buf, fill);
    wb_buf_append(buf, " |", 2);
}

/* Prints the grid as an aligned table, then "N rows in set".  A header is
 * aligned as its column's values are (numbers right, the rest left). */
static void grid_print(Grid *g, const bool *right, FILE *out, WbBuf *buf)
{
    int32_t ncols = g->ncols;
    WbBuf sep = {0};
    wb_buf_putc(&sep, '+');
    for (int32_t col = 0; col < ncols; col++) {
        for (size_t i = 0; i < g->width[col] + 2; i++) wb_buf_putc(&sep, '-');
        wb_buf_putc(&sep, '+');
    }
    wb_buf_putc(&sep, '\n');
    wb_buf_append(buf, sep.data, sep.len);
    wb_buf_putc(buf, '|');
    for (int32_t col = 0; col < ncols; col++) {
        size_t start = col ? g->head_end[col - 1] : 0;
        table_cell(buf, g->head.data + start, g->head_end[col] - start, g->width[col], right[col]);
    }
    wb_buf_putc(buf, '\n');
    wb_buf_append(buf, sep.data, sep.len);
    size_t cell = 0;
    for (int64_t row = 0; row < g->nrows; row++) {
        wb_buf_putc(buf, '|');
        for (int32_t col = 0; col < ncols; col++, cell++) {
            size_t start = cell ? g->end[cell - 1] : 0;
            if (g->null[cell])
                table_cell(buf, "<NULL>", 6, g->width[col], right[col]);
            else
                table_cell(buf, g->text.data + start, g->end[cell] - start, g->width[col],
                           right[col]);
        }
        wb_buf_putc(buf, '\n');
        out_maybe_write(out, buf);
    }
    if (g->nrows) wb_buf_append(buf, sep.data, sep.len);
    wb_buf_printf(buf, "%lld row%s in set\n", (long long)g->nrows, g->nrows == 1 ? "" : "s");
    out_write(out, buf);
    wb_buf_free(&sep);
}

void out_print_strings(FILE *out, OutputFormat format, int32_t ncols, const char *const *header,
                       int32_t nrows, const char *const *cells)
{
    WbBuf buf = {0};
    if (format == OUT_CSV) {
        csv_header(&buf, ncols, (char *const *)header);
        for (int32_t row = 0; row < nrows; row++) {
            for (int32_t col = 0; col < ncols; col++) {
                if (col) wb_buf_putc(&buf, ',');
                const char *cell = cells[(size_t)row * ncols + col];
                if (cell) csv_field(&buf, cell, strlen(cell), true);
            }
            wb_buf_putc(&buf, '\n');
        }
        out_write(out, &buf);
    } else {
        Grid g;
        grid_init(&g, ncols, header);
        bool *right = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
        for (int32_t row = 0; row < nrows; row++) {
            for (int32_t col = 0; col < ncols; col++) {
                const char *cell = cells[(size_t)row * ncols + col];
                if (cell) wb_buf_puts(&g.text, cell);
                grid_cell_end(&g, cell == NULL);
            }
            g.nrows++;
        }
        grid_print(&g, right, out, &buf);
        grid_free(&g);
        free(right);
    }
    wb_buf_free(&buf);
}

/* ---- the printer ---- */

/* Appends the visible values of a row as one csv line. */
static inline void csv_row(OutPrinter *p, const Batch *batch, int32_t row)
{
    for (int32_t col = 0; col < p->nshow; col++) {
        if (col) wb_buf_putc(&p->obuf, ',');
        const ColumnVector *vec = &batch->cols[col];
        if (!vec->nulls[row]) csv_value(&p->obuf, &p->scratch, vec, row, p->kind[col]);
    }
    wb_buf_putc(&p->obuf, '\n');
}

/* SesRowSink.changes: the changelog lines of a batch (the visible columns,
 * see QueryPlan.nvisible), each row |weight| times. */
static int printer_changes(void *ctx, const Batch *batch, WbError *err)
{
    (void)err;
    OutPrinter *p = ctx;
    Batch shown = *batch;
    shown.ncols = p->nshow;
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        for (int64_t t = 0; t < (w < 0 ? -w : w); t++) {
            cn_format_changelog_row(&shown, row, ty_row_kind(batch, row), &p->obuf);
            wb_buf_putc(&p->obuf, '\n');
        }
        out_maybe_write(p->out, &p->obuf);
    }
    out_write(p->out, &p->obuf);
    fflush(p->out);
    return 0;
}

/* SesRowSink.begin: the header (csv), or the grid (table), which holds at
 * most INT32_MAX / 2 rows. */
static int printer_begin(void *ctx, int64_t total, WbError *err)
{
    OutPrinter *p = ctx;
    if (p->format == OUT_CSV) {
        csv_header(&p->obuf, p->nshow, p->names);
        return 0;
    }
    if (total > INT32_MAX / 2) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "result too large to print (%lld rows)",
                 (long long)total);
        return -1;
    }
    grid_init(&p->grid, p->nshow, (const char *const *)p->names);
    return 0;
}

/* SesRowSink.row: a csv line or a grid row, `times` times. */
static int printer_row(void *ctx, const Batch *batch, int32_t row, int64_t times, WbError *err)
{
    OutPrinter *p = ctx;
    for (int64_t t = 0; t < times; t++) {
        if (p->format == OUT_CSV) {
            csv_row(p, batch, row);
            out_maybe_write(p->out, &p->obuf);
            continue;
        }
        if (p->grid.nrows >= INT32_MAX / 2) {
            wb_error(err, WB_SQLSTATE_FEATURE, 0, 0,
                     "result too large to print as a table (over %d rows)", INT32_MAX / 2);
            wb_error_hint(err, "Use --format csv, which has no row limit.");
            return -1;
        }
        grid_add_row(&p->grid, batch, row);
    }
    return 0;
}

/* SesRowSink.end: the rest of the csv, or the table (after a blank line
 * when the changelog was printed above it). */
static int printer_end(void *ctx, WbError *err)
{
    (void)err;
    OutPrinter *p = ctx;
    if (p->format == OUT_CSV) {
        out_write(p->out, &p->obuf);
    } else {
        if (p->streaming) wb_buf_putc(&p->obuf, '\n');
        grid_print(&p->grid, p->right, p->out, &p->obuf);
    }
    fflush(p->out);
    return 0;
}

OutPrinter *out_printer_new(const SesResultInfo *info, OutputFormat format, FILE *out,
                            SesRowSink *sink)
{
    OutPrinter *p = wb_calloc(1, sizeof(OutPrinter));
    p->format = format;
    p->streaming = info->streaming;
    p->out = out;
    p->nshow = info->ncols;
    p->names = info->names;
    int32_t ncols = info->ncols;
    p->kind = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(CellKind));
    p->right = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
    for (int32_t col = 0; col < ncols; col++) {
        TypeId id = (TypeId)info->types[col].id;
        p->kind[col] = ty_is_string(id) ? CELL_STRING : id < TY__COUNT ? CELL_PLAIN : CELL_OTHER;
        p->right[col] = ty_is_numeric(id);
    }
    memset(sink, 0, sizeof *sink);
    sink->ctx = p;
    /* the changelog as it happens: --format changelog, and table in streaming */
    if (format == OUT_CHANGELOG || (format == OUT_TABLE && info->streaming))
        sink->changes = printer_changes;
    sink->begin = printer_begin;
    sink->row = printer_row;
    sink->end = printer_end;
    return p;
}

bool out_printer_wants_final(OutputFormat format) { return format != OUT_CHANGELOG; }

void out_printer_free(OutPrinter *p)
{
    if (!p) return;
    grid_free(&p->grid);
    wb_buf_free(&p->obuf);
    wb_buf_free(&p->scratch);
    free(p->kind);
    free(p->right);
    free(p);
}

/* ---- a printer over a collector ---- */

/* out_collector_new; general_only: see SesResultOptions. */
static ResultCollector *collector_new(const QueryPlan *plan, OutputFormat format, bool streaming,
                                      FILE *out, bool general_only)
{
    ResultCollector *c = wb_calloc(1, sizeof(ResultCollector));
    SesResultInfo info;
    ses_result_describe(plan, streaming, &info);
    SesRowSink sink;
    c->printer = out_printer_new(&info, format, out, &sink);
    SesResultOptions opts = {streaming, out_printer_wants_final(format), general_only};
    c->res = ses_result_new(plan, &opts, &sink);
    return c;
}

ResultCollector *out_collector_new(const QueryPlan *plan, OutputFormat format, bool streaming,
                                   FILE *out)
{
    return collector_new(plan, format, streaming, out, false);
}

int out_collector_batch(void *ctx, const Batch *batch, WbError *err)
{
    ResultCollector *c = ctx;
    return ses_result_batch(c->res, batch, err);
}

int out_collector_finish(ResultCollector *c, WbError *err)
{
    return ses_result_finish(c->res, err);
}

void out_collector_free(ResultCollector *c)
{
    if (!c) return;
    ses_result_free(c->res);
    out_printer_free(c->printer);
    free(c);
}
