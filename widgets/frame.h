/* frame: a titled panel border. "┌─ Pods ──────── 3/12 ─┐": the title at the left, an
 * optional info text at the right, border and title in the focus elements when focused.
 * Stateless: the layout is a pure function, frame_draw the thin last step. Loop thread. */
#ifndef PXC_WIDGETS_FRAME_H
#define PXC_WIDGETS_FRAME_H

#include <stdbool.h>
#include <curses.h>

#include "glyph.h"
#include "theme.h"

/* Where the title and info go on the top line of a frame `width` wide (columns relative to
 * the frame's x). A width of 0 means "not shown": info is dropped first, then the title is
 * truncated (with an ellipsis) to what fits. */
struct frame_top {
    int title_x, title_w; /* the title text incl. one space each side */
    int info_x, info_w;   /* idem */
};
void frame_layout(int width, const char *title, const char *info, bool ascii,
                  struct frame_top *out);

/* The inside rectangle of a frame at (y, x, h, w): one cell in from every side.
 * Sizes are >= 0. */
void frame_inner(int y, int x, int h, int w, int *iy, int *ix, int *ih, int *iw);

/* Draw the border (h, w >= 2) and the title/info (NULL: none). Does not clear the inside. */
void frame_draw(WINDOW *win, int y, int x, int h, int w, const char *title, const char *info,
                bool focused, const struct theme *th, const struct glyphs *g);

/* frame_draw with other elements, for overlays (help, dialogs): border and title in the
 * given elements, and with fill the inside cleared in fill_elem (TH_NONE: not cleared). */
void frame_draw_elems(WINDOW *win, int y, int x, int h, int w, const char *title, const char *info,
                      enum th_elem border, enum th_elem title_elem, enum th_elem fill_elem,
                      const struct theme *th, const struct glyphs *g);

/* Pure: the thumb of a scrollbar `track` cells long for a view showing items
 * [top, top + visible) of total: *start (0-based) and *len. *len is 0 when everything fits. */
void frame_thumb(int track, int top, int visible, int total, int *start, int *len);
/* Draw a scrollbar over the right border of the frame at (y, x, h, w), between the corners,
 * in TH_SCROLLBAR: the thumb as G_SCROLL_THUMB. Nothing when everything fits. */
void frame_scrollbar(WINDOW *win, int y, int x, int h, int w, int top, int visible, int total,
                     const struct theme *th, const struct glyphs *g);

#endif
