/* wkey: how keys reach the widgets. A key is an int: either a Unicode code point
 * (printable text and control characters such as 1 for Ctrl-A, 27 for Esc, '\n' for Enter)
 * or a curses KEY_* code with WKEY_FN set, so that KEY_* values (which start at 0401) never
 * collide with code points. The app reads with wget_wch() and converts once with wkey_from().
 * Header only; no state. */
#ifndef PXC_WIDGETS_WKEY_H
#define PXC_WIDGETS_WKEY_H

#include <stdbool.h>
#include <curses.h>

#define WKEY_FN 0x01000000 /* set: the low bits are a curses KEY_* code */
#define WKEY(k) ((int)(k) | WKEY_FN)
#define WKEY_CTRL(c) ((c)&0x1f) /* WKEY_CTRL('a') == 1 */
#define WKEY_ESC 27
#define WKEY_TAB 9

/* rc and wc as returned by wget_wch(): KEY_CODE_YES gives WKEY(wc), OK gives wc. */
static inline int
wkey_from(int rc, wint_t wc)
{
    return rc == KEY_CODE_YES ? WKEY(wc) : (int)wc;
}

static inline bool
wkey_is_enter(int k)
{
    return k == '\n' || k == '\r' || k == WKEY(KEY_ENTER);
}

static inline bool
wkey_is_backspace(int k)
{
    return k == 127 || k == 8 || k == WKEY(KEY_BACKSPACE);
}

/* A code point that inserts text (not a control character, not a function key). */
static inline bool
wkey_is_text(int k)
{
    return !(k & WKEY_FN) && k >= 0x20 && k != 0x7f && !(k >= 0x80 && k < 0xa0) && k <= 0x10ffff;
}

#endif
