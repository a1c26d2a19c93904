/* tabw: rows are kept until the flush, since a column's width is known only when every
 * cell of it is. */
#include "tabw.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "wtext.h"

struct tabw_row {
    struct vec cells; /* owned char * */
};

static void
row_free(void *p)
{
    struct tabw_row *r = p;
    vec_fini(&r->cells);
    free(r);
}

void
tabw_init(struct tabw *t)
{
    vec_init(&t->rows, row_free);
    t->n_cols = 0;
}

void
tabw_row(struct tabw *t)
{
    struct tabw_row *r = xcalloc(1, sizeof *r);
    vec_init(&r->cells, free);
    vec_push(&t->rows, r);
}

void
tabw_cell(struct tabw *t, const char *s)
{
    if (t->rows.n == 0)
        tabw_row(t);
    struct tabw_row *r = t->rows.items[t->rows.n - 1];
    vec_push(&r->cells, xstrdup(s != NULL ? s : ""));
    if (r->cells.n > t->n_cols)
        t->n_cols = r->cells.n;
}

void
tabw_cellf(struct tabw *t, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, ap2);
    va_end(ap2);
    tabw_cell(t, s);
    free(s);
}

void
tabw_flush(struct tabw *t, FILE *f)
{
    int *w = xcalloc(t->n_cols ? t->n_cols : 1, sizeof *w);
    for (size_t i = 0; i < t->rows.n; i++) {
        struct tabw_row *r = t->rows.items[i];
        for (size_t c = 0; c < r->cells.n; c++) {
            int cw = wtext_width(r->cells.items[c], false);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    for (size_t i = 0; i < t->rows.n; i++) {
        struct tabw_row *r = t->rows.items[i];
        for (size_t c = 0; c < r->cells.n; c++) {
            const char *s = r->cells.items[c];
            fputs(s, f);
            if (c + 1 < r->cells.n)
                fprintf(f, "%*s", w[c] - wtext_width(s, false) + 2, "");
        }
        fputc('\n', f);
    }
    free(w);
    vec_clear(&t->rows);
    t->n_cols = 0;
}

void
tabw_fini(struct tabw *t)
{
    vec_fini(&t->rows);
}
