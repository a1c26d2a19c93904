/* help: the '?' overlay. Rows {section, key, description} come from the caller's keymap
 * table, so help cannot drift from the keys. Rows are grouped by section in the order
 * given; '/' filters (case-insensitive over key, description and section); arrows and
 * paging scroll; Esc or q or '?' closes (Esc first leaves the filter). Loop thread only. */
#ifndef PXC_WIDGETS_HELP_H
#define PXC_WIDGETS_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "glyph.h"
#include "theme.h"

struct help_row {
    const char *section; /* "Global", "Pods"; NULL: same as the previous row */
    const char *key;     /* "Tab", "s", "Ctrl-L" */
    const char *desc;    /* "stop the replica" */
};

struct help;

struct help *help_new(const char *title); /* title copied; owned */
void help_free(struct help *h);
/* Replace the rows (copied). Resets scroll, keeps the filter. */
void help_set_rows(struct help *h, const struct help_row *rows, size_t n);

/* Lines as shown after the filter: a section heading then its rows, a blank line between
 * sections. Borrowed until the next change. */
enum help_line_kind { HELP_LINE_SECTION, HELP_LINE_ROW, HELP_LINE_BLANK };
struct help_line {
    enum help_line_kind kind;
    const char *section, *key, *desc; /* borrowed; key/desc NULL for headings and blanks */
};
size_t help_n_lines(const struct help *h);
const struct help_line *help_line_at(const struct help *h, size_t i);
int help_key_width(const struct help *h); /* widest key, for the key column */

void help_set_filter(struct help *h, const char *filter); /* copied; NULL clears */
const char *help_filter(const struct help *h);
bool help_filtering(const struct help *h); /* the '/' prompt is open */

int help_top(const struct help *h);
void help_set_height(struct help *h, int body_rows); /* set by help_draw */

enum help_result { HELP_UNHANDLED, HELP_HANDLED, HELP_CLOSE };
/* key: a wkey. Everything is HANDLED while the overlay is open except unknown keys. */
enum help_result help_key(struct help *h, int key);

/* Draw the overlay as a box centred in the area (y, x, h, w) of win (it covers most of it). */
void help_draw(struct help *h, WINDOW *win, int y, int x, int hh, int w, const struct theme *th,
               const struct glyphs *g);

#endif
