/* tbl: a table widget. The view hands it rows of cells (text, sort key, theme element)
 * once per refresh; the table owns sorting, filtering, selection, scrolling and column
 * layout, and knows nothing of what a row means (htop Panel, k9s model/table).
 *
 * Refresh protocol (cheap for 10,000 rows: cell text goes into one buffer per table, no
 * allocation per row once the buffers have grown):
 *     tbl_rows_begin(t);
 *     for each object: tbl_row(t, id, TH_NONE); tbl_cell(t, name, TH_NONE);
 *                      tbl_cell_num(t, "12s", 12.0, TH_STATE_WARN); ...
 *     tbl_rows_end(t);   // sort, filter, restore the selection by row id
 * The selection follows its row id across refreshes; when that row is gone it stays at the
 * same index (clamped). Loop thread only. */
#ifndef PXC_WIDGETS_TBL_H
#define PXC_WIDGETS_TBL_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "glyph.h"
#include "theme.h"

#define TBL_MAX_COLS 24
#define TBL_GAP 1 /* blank columns between two columns */

enum tbl_align { TBL_LEFT, TBL_RIGHT };

struct tbl_col {
    const char *title;    /* copied by tbl_new */
    int min_w;            /* below this the column is hidden instead (0: title width) */
    int max_w;            /* natural width never exceeds this (0: no maximum) */
    int flex;             /* share of spare width beyond the natural width (0: none) */
    enum tbl_align align; /* numbers right-aligned */
    int prio;             /* 0: never hidden; higher numbers are hidden first when narrow;
                             TBL_EXTRA and above: extra detail */
};

/* A column of prio TBL_EXTRA + n is extra detail (an IP, an age): it shows only in width
 * the other columns do not need for their natural width (capped at max_w), never by
 * cutting them; among extras the higher n hides first. */
#define TBL_EXTRA 100

struct tbl;

/* cols[0..n_cols) copied; n_cols <= TBL_MAX_COLS. Owned (tbl_free). */
struct tbl *tbl_new(const struct tbl_col *cols, size_t n_cols);
void tbl_free(struct tbl *t); /* NULL does nothing */
size_t tbl_n_cols(const struct tbl *t);

/* Text shown when there are no rows (or none pass the filter); copied. Default "no rows". */
void tbl_set_empty_text(struct tbl *t, const char *text);

/* --- setting rows (see the protocol above) --- */
void tbl_rows_begin(struct tbl *t);
/* Start a row. id (copied) identifies it across refreshes; elem colours the whole row
 * (TH_NONE: table.row / table.row.alt). */
void tbl_row(struct tbl *t, const char *id, enum th_elem elem);
/* Next cell of the current row (text copied, NULL is ""): sorts as text (natural order,
 * case-insensitive: "pod-2" < "pod-10"). elem TH_NONE: the row's element. Extra cells beyond
 * the column count are ignored; missing ones are empty. */
void tbl_cell(struct tbl *t, const char *text, enum th_elem elem);
/* A cell that sorts by key (numbers sort before text cells in the same column). */
void tbl_cell_num(struct tbl *t, const char *text, double key, enum th_elem elem);
void tbl_cellf(struct tbl *t, enum th_elem elem, const char *fmt, ...) PXC_PRINTF(3, 4);
void tbl_rows_end(struct tbl *t);

/* --- sorting and filtering (all keep the selected row id) --- */
/* col < 0: insertion order. */
void tbl_sort(struct tbl *t, int col, bool desc);
/* Sort by col ascending, or flip the direction when already sorted by col. */
void tbl_sort_toggle(struct tbl *t, int col);
int tbl_sort_col(const struct tbl *t); /* -1: none */
bool tbl_sort_desc(const struct tbl *t);
/* Case-insensitive substring over every cell of a row; a leading '!' keeps the rows that
 * do NOT match. NULL or "" clears. Copied. */
void tbl_set_filter(struct tbl *t, const char *filter);
const char *tbl_filter(const struct tbl *t); /* borrowed; "" when none */

/* --- rows as shown (after filter and sort) --- */
size_t tbl_count(const struct tbl *t); /* rows shown */
size_t tbl_total(const struct tbl *t); /* rows set */
/* Borrowed until the next tbl_rows_begin. i < tbl_count. */
const char *tbl_row_id(const struct tbl *t, size_t i);
const char *tbl_cell_text(const struct tbl *t, size_t i, size_t col);

/* --- selection and scrolling --- */
int tbl_selected(const struct tbl *t);             /* index shown, -1 when empty */
const char *tbl_selected_id(const struct tbl *t);  /* borrowed (see tbl_row_id) or NULL */
bool tbl_select_id(struct tbl *t, const char *id); /* false (unchanged) when not shown */
void tbl_select(struct tbl *t, int i);             /* clamped */
/* Move by delta rows (clamped). Returns true when the selection changed. */
bool tbl_move(struct tbl *t, int delta);
/* Rows of the body seen on screen: set by tbl_draw, or by hand in tests. Paging uses it. */
void tbl_set_height(struct tbl *t, int body_rows);
int tbl_top(const struct tbl *t);    /* first index shown */
int tbl_height(const struct tbl *t); /* body rows (for frame_scrollbar) */
/* KEY_UP/DOWN, KEY_PPAGE/NPAGE, KEY_HOME/END as wkey values (WKEY(KEY_UP)...). Returns
 * true when the key was the table's (even at the edge); false to let the caller try it. */
bool tbl_key(struct tbl *t, int key);
/* Mouse: dy relative to the y given to tbl_draw (0 is the header line): the index shown at
 * that line, or -1. dx relative to x: the column under it from the last layout, or -1. */
int tbl_row_at(const struct tbl *t, int dy);
int tbl_col_at(const struct tbl *t, int dx);
/* "12/300" (selected/shown) or "12/40 of 300" when filtered, for a frame's info. */
void tbl_pos_text(const struct tbl *t, char *buf, size_t n);

/* --- layout --- */
/* Pure: widths for `width` columns. natural[i]: the widest content; out_w[i] gets 0 for a
 * hidden column. Columns with the highest prio hide first until the minimums fit; prio 0
 * columns never hide (the last one is clipped). TBL_EXTRA columns then hide, highest
 * prio first, until the others fit at their natural width (capped at max_w). Remaining width grows
 * columns toward their natural width capped at max_w (lowest prio first), then past max_w to their
 * whole content, then flex columns share what is left: no column is cut while another is given
 * spare width. Returns the number of columns shown. */
size_t tbl_layout(const struct tbl_col *cols, size_t n, const int *natural, int width, int *out_w);
/* tbl_layout with this table's natural widths (titles and all rows set); stores the result
 * for tbl_col_at. out_w may be NULL. */
size_t tbl_compute_layout(struct tbl *t, int width, int *out_w);

/* Draw in the rectangle (y, x, h, w) of win: header line, rows, and when a filter is set a
 * last line "/filter  (12 of 300)". Sets the height, keeps the selection visible. ascii from g. */
void tbl_draw(struct tbl *t, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
              const struct glyphs *g, bool focused);

#endif
