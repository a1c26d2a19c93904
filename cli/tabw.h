/* tabw: text tables as kubectl's tabwriter prints them: each column as wide as its widest
 * cell (display width, UTF-8 aware), two spaces between columns, nothing cut, the last
 * column not padded. Cells are copied; the table is written whole at tabw_flush. Main
 * thread. */
#ifndef PXC_CLI_TABW_H
#define PXC_CLI_TABW_H

#include <stdio.h>

#include "vec.h"

struct tabw {
    struct vec rows; /* private: owned rows of owned cells */
    size_t n_cols;   /* private */
};

void tabw_init(struct tabw *t);
/* Start a row. */
void tabw_row(struct tabw *t);
/* Append a cell (borrowed; NULL is "") to the current row. */
void tabw_cell(struct tabw *t, const char *s);
void tabw_cellf(struct tabw *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write every row to f and empty the table. */
void tabw_flush(struct tabw *t, FILE *f);
void tabw_fini(struct tabw *t);

#endif
