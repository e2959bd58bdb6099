/*
 * output.c - changelog lines, consolidation and the final table or CSV.
 */
#include "cli/output.h"

#include <stdlib.h>
#include <string.h>

#include "connect/connect.h"
#include "state/state.h"

typedef struct RowCount {
    int64_t weight;
    int64_t first_seen;          /* arrival order, for a stable output order */
} RowCount;

struct ResultCollector {
    const QueryPlan *plan;
    const PlanNode *root;
    OutputFormat format;
    bool streaming;
    FILE *out;
    StateTable *rows;            /* encoded row -> RowCount */
    int64_t seq;
    WbBuf key;
    WbBuf line;
};

ResultCollector *out_collector_new(const QueryPlan *plan, OutputFormat format,
                                   bool streaming, FILE *out)
{
    ResultCollector *c = wb_calloc(1, sizeof(ResultCollector));
    c->plan = plan;
    c->root = plan->root;
    c->format = format;
    c->streaming = streaming;
    c->out = out;
    c->rows = st_table_new(sizeof(RowCount));
    return c;
}

void out_collector_free(ResultCollector *c)
{
    if (!c) return;
    st_table_free(c->rows);
    wb_buf_free(&c->key);
    wb_buf_free(&c->line);
    free(c);
}

int out_collector_batch(void *ctx, const Batch *batch, const uint8_t *rowkinds, WbError *err)
{
    (void)err;
    ResultCollector *c = ctx;
    bool print_changes = c->format == OUT_CHANGELOG || (c->format == OUT_TABLE && c->streaming);
    /* the changelog shows only the visible columns (see QueryPlan.nvisible) */
    Batch shown = *batch;
    if (c->plan->nvisible > 0 && c->plan->nvisible < batch->ncols) shown.ncols = c->plan->nvisible;
    for (int32_t row = 0; row < batch->nrows; row++) {
        int64_t w = batch->weights[row];
        if (w == 0) continue;
        if (print_changes) {
            int64_t times = w < 0 ? -w : w;
            for (int64_t t = 0; t < times; t++) {
                wb_buf_clear(&c->line);
                cn_format_changelog_row(&shown, row, (RowKind)rowkinds[row], &c->line);
                wb_buf_putc(&c->line, '\n');
                fwrite(c->line.data, 1, c->line.len, c->out);
            }
        }
        wb_buf_clear(&c->key);
        ty_row_encode(batch, row, NULL, batch->ncols, &c->key);
        uint64_t hash = wb_hash_bytes(c->key.data, c->key.len, 0);
        bool created;
        StateEntry *e = st_table_upsert(c->rows, c->key.data, (uint32_t)c->key.len, hash, &created);
        RowCount *rc = st_payload(e);
        if (created) rc->first_seen = c->seq++;
        rc->weight += w;
        if (rc->weight == 0) st_table_remove(c->rows, e);
    }
    if (print_changes) fflush(c->out);
    return 0;
}

/* ---- final table ---- */

typedef struct FinalRow {
    int32_t row;                 /* row index in the decoded batch */
    int64_t first_seen;
} FinalRow;

static const QueryPlan *sort_plan;
static const Batch *sort_batch;

static int compare_final(const void *pa, const void *pb)
{
    const FinalRow *a = pa, *b = pb;
    for (int32_t k = 0; k < sort_plan->norder; k++) {
        const SortKey *key = &sort_plan->order[k];
        const ColumnVector *vec = &sort_batch->cols[key->col];
        bool na = vec->nulls[a->row], nb = vec->nulls[b->row];
        int c;
        if (na || nb) {
            if (na && nb) continue;
            c = na ? -1 : 1;
            if (!key->nulls_first) c = -c;
            return c;
        }
        c = ty_compare(vec, a->row, vec, b->row);
        if (c) return key->desc ? -c : c;
    }
    return a->first_seen < b->first_seen ? -1 : a->first_seen > b->first_seen;
}

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

/* Cells as strings (NULL = SQL NULL) -> csv or an aligned table. */
static void print_grid(FILE *out, OutputFormat format, int32_t ncols, const char *const *header,
                       int32_t nrows, char **cells, const bool *is_string, const bool *right)
{
    WbBuf line = {0};
    if (format == OUT_CSV) {
        for (int32_t col = 0; col < ncols; col++) {
            if (col) wb_buf_putc(&line, ',');
            csv_field(&line, header[col], strlen(header[col]), false);
        }
        wb_buf_putc(&line, '\n');
        for (int32_t row = 0; row < nrows; row++) {
            for (int32_t col = 0; col < ncols; col++) {
                if (col) wb_buf_putc(&line, ',');
                const char *cell = cells[(size_t)row * ncols + col];
                if (cell) csv_field(&line, cell, strlen(cell), is_string[col]);
            }
            wb_buf_putc(&line, '\n');
        }
        fwrite(line.data, 1, line.len, out);
        wb_buf_free(&line);
        return;
    }
    size_t *width = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(size_t));
    for (int32_t col = 0; col < ncols; col++) width[col] = strlen(header[col]);
    for (int32_t row = 0; row < nrows; row++)
        for (int32_t col = 0; col < ncols; col++) {
            const char *cell = cells[(size_t)row * ncols + col];
            size_t len = cell ? strlen(cell) : 6;  /* <NULL> */
            if (len > width[col]) width[col] = len;
        }
    WbBuf sep = {0};
    wb_buf_putc(&sep, '+');
    for (int32_t col = 0; col < ncols; col++) {
        for (size_t i = 0; i < width[col] + 2; i++) wb_buf_putc(&sep, '-');
        wb_buf_putc(&sep, '+');
    }
    wb_buf_putc(&sep, '\n');
    wb_buf_append(&line, sep.data, sep.len);
    wb_buf_putc(&line, '|');
    for (int32_t col = 0; col < ncols; col++)
        wb_buf_printf(&line, " %*s |", (int)width[col], header[col]);
    wb_buf_putc(&line, '\n');
    wb_buf_append(&line, sep.data, sep.len);
    for (int32_t row = 0; row < nrows; row++) {
        wb_buf_putc(&line, '|');
        for (int32_t col = 0; col < ncols; col++) {
            const char *cell = cells[(size_t)row * ncols + col];
            if (!cell) cell = "<NULL>";
            if (right[col])
                wb_buf_printf(&line, " %*s |", (int)width[col], cell);
            else
                wb_buf_printf(&line, " %-*s |", (int)width[col], cell);
        }
        wb_buf_putc(&line, '\n');
    }
    if (nrows) wb_buf_append(&line, sep.data, sep.len);
    wb_buf_printf(&line, "%d row%s in set\n", nrows, nrows == 1 ? "" : "s");
    fwrite(line.data, 1, line.len, out);
    wb_buf_free(&line);
    wb_buf_free(&sep);
    free(width);
}

void out_print_strings(FILE *out, OutputFormat format, int32_t ncols, const char *const *header,
                       int32_t nrows, const char *const *cells)
{
    bool *is_string = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
    bool *right = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
    for (int32_t col = 0; col < ncols; col++) is_string[col] = true;
    print_grid(out, format == OUT_CHANGELOG ? OUT_TABLE : format, ncols, header, nrows,
               (char **)cells, is_string, right);
    free(is_string);
    free(right);
}

int out_collector_finish(ResultCollector *c, WbError *err)
{
    if (c->format == OUT_CHANGELOG) return 0;
    const PlanNode *root = c->root;
    int32_t ncols = root->ncols;
    /* rows are consolidated and sorted whole; only the visible part prints */
    int32_t nshow = c->plan->nvisible > 0 && c->plan->nvisible < ncols ? c->plan->nvisible : ncols;

    /* Decode every row with positive weight (repeated weight times). */
    int64_t total = 0;
    StateIter it;
    st_iter_init(&it, c->rows);
    for (StateEntry *e; (e = st_iter_next(&it));) {
        RowCount *rc = st_payload(e);
        if (rc->weight < 0) {
            wb_error(err, WB_SQLSTATE_INTERNAL, 0, 0,
                     "inconsistent changelog: a row was retracted more often than it was inserted");
            return -1;
        }
        total += rc->weight;
    }
    if (total > INT32_MAX / 2) {
        wb_error(err, WB_SQLSTATE_FEATURE, 0, 0, "result too large to print (%lld rows)",
                 (long long)total);
        return -1;
    }
    Batch *rows = ty_batch_new(root->types, ncols, (int32_t)(total ? total : 1));
    FinalRow *order = wb_calloc((size_t)(total ? total : 1), sizeof(FinalRow));
    st_iter_init(&it, c->rows);
    for (StateEntry *e; (e = st_iter_next(&it));) {
        RowCount *rc = st_payload(e);
        for (int64_t t = 0; t < rc->weight; t++) {
            int32_t row = rows->nrows++;
            ty_row_decode(e->key, root->types, ncols, rows, row, 0);
            rows->weights[row] = 1;
            order[row].row = row;
            order[row].first_seen = rc->first_seen;
        }
    }
    sort_plan = c->plan;
    sort_batch = rows;
    qsort(order, (size_t)rows->nrows, sizeof(FinalRow), compare_final);
    int32_t nrows = rows->nrows;
    if (c->plan->limit >= 0 && c->plan->limit < nrows && c->plan->norder == 0) {
        /* LIMIT without ORDER BY is enforced by the plan already */
    }

    char **cells = wb_calloc((size_t)nrows * (size_t)(nshow ? nshow : 1) + 1, sizeof(char *));
    WbBuf text = {0};
    for (int32_t r = 0; r < nrows; r++) {
        int32_t row = order[r].row;
        for (int32_t col = 0; col < nshow; col++) {
            const ColumnVector *vec = &rows->cols[col];
            if (vec->nulls[row]) continue;
            wb_buf_clear(&text);
            ty_format_value(vec, row, &text);
            cells[(size_t)r * nshow + col] = wb_strndup(text.data ? text.data : "", text.len);
        }
    }
    bool *is_string = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
    bool *right = wb_calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
    for (int32_t col = 0; col < ncols; col++) {
        is_string[col] = ty_is_string(root->types[col].id);
        right[col] = ty_is_numeric(root->types[col].id);
    }
    if (c->streaming && c->format == OUT_TABLE) fputc('\n', c->out);
    print_grid(c->out, c->format, nshow, (const char *const *)root->names, nrows, cells,
               is_string, right);
    fflush(c->out);
    for (size_t i = 0; i < (size_t)nrows * (size_t)nshow; i++) free(cells[i]);
    free(cells);
    free(is_string);
    free(right);
    free(order);
    wb_buf_free(&text);
    ty_batch_free(rows);
    return 0;
}
