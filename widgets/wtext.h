/* wtext: display width and clipping of UTF-8 text, the one place that knows how many
 * terminal columns a string takes. Wide (CJK) characters take 2 columns, combining marks 0.
 * Invalid UTF-8 bytes and control characters never reach the terminal: each shows as one
 * U+FFFD (UTF-8 mode) or '?' (ASCII mode, where every non-ASCII character is also '?').
 * Widths therefore depend on the mode, passed as `ascii` (struct glyphs .ascii).
 * Pure functions except wtext_draw*(). Loop thread for the draw calls; the rest anywhere. */
#ifndef PXC_WIDGETS_WTEXT_H
#define PXC_WIDGETS_WTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curses.h>

#include "strbuf.h"

#define WTEXT_REPLACEMENT 0xFFFD

enum wtext_align { WTEXT_LEFT, WTEXT_RIGHT, WTEXT_CENTER };

/* Decode one character from s[0..len). Returns the bytes consumed (1..4; 0 only when
 * len == 0). Invalid or truncated sequences, overlongs and surrogates consume 1 byte and
 * give *cp = WTEXT_REPLACEMENT. */
size_t wtext_decode(const char *s, size_t len, uint32_t *cp);

/* The code point actually shown for cp in the mode: cp itself, or U+FFFD ('?' in ASCII
 * mode) for control and unprintable characters; '?' for any non-ASCII in ASCII mode. */
uint32_t wtext_shown(uint32_t cp, bool ascii);
/* Columns taken by cp once shown (0, 1 or 2). */
int wtext_cp_width(uint32_t cp, bool ascii);

/* Columns taken by s (NUL-terminated; NULL is 0) / by s[0..len). */
int wtext_width(const char *s, bool ascii);
int wtext_widthn(const char *s, size_t len, bool ascii);

/* Bytes of the longest prefix of s[0..len) that fits in cols columns (a wide character
 * that would straddle the edge is left out). *used (may be NULL) gets its width. */
size_t wtext_fit(const char *s, size_t len, int cols, bool ascii, int *used);

/* Append to out the text as shown (sanitised), clipped to cols; when s is wider than cols
 * the last column becomes an ellipsis ("…", or "~" in ASCII mode). Returns the columns
 * appended (<= cols). cols <= 0 appends nothing. */
int wtext_trunc(struct strbuf *out, const char *s, int cols, bool ascii);
/* As wtext_trunc, then pad with spaces to exactly cols columns, aligned. Returns cols
 * (or 0 when cols <= 0). */
int wtext_pad(struct strbuf *out, const char *s, int cols, enum wtext_align align, bool ascii);

/* Draw s at (y, x) of w in attr, truncated with an ellipsis to cols columns and padded
 * with spaces to exactly cols (so it also clears the old text there). Restores w's
 * attributes. Returns cols. Never writes outside the window. */
int wtext_draw(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr,
               enum wtext_align align, bool ascii);
/* Draw s clipped (no ellipsis, no padding) to at most cols columns; returns the columns
 * written. For composing a line from pieces. */
int wtext_print(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr, bool ascii);
/* Same for s[0..len). */
int wtext_printn(WINDOW *w, int y, int x, int cols, const char *s, size_t len, attr_t attr,
                 bool ascii);
/* Fill cols columns at (y, x) with spaces in attr. */
void wtext_fill(WINDOW *w, int y, int x, int cols, attr_t attr);
/* Border lines: cell (one glyph of display width 1, e.g. a box-drawing character; borrowed)
 * n times from (y, x), rightwards (hrepeat) or downwards (vrepeat), clipped to the window.
 * One write per line, not per cell: a frame's borders are most of a screen's cells. */
void wtext_hrepeat(WINDOW *w, int y, int x, int n, const char *cell, attr_t attr);
void wtext_vrepeat(WINDOW *w, int y, int x, int n, const char *cell, attr_t attr);

/* Word wrap: the first visual line of s[0..len) in cols columns. Returns its length in
 * bytes (trailing blank excluded) and sets *next to where the following line starts. Breaks
 * after a blank when there is one, else inside the word; always consumes at least one
 * character when len > 0. Loop: for (p = s; p < end; p += next) n = wtext_wrap(...). */
size_t wtext_wrap(const char *s, size_t len, int cols, bool ascii, size_t *next);
/* Number of visual lines wtext_wrap makes of s (at least 1). */
int wtext_wrap_count(const char *s, int cols, bool ascii);

/* Case-insensitive (ASCII letters) substring search; NULL when not found or needle empty. */
const char *wtext_casestr(const char *hay, const char *needle);

#endif
