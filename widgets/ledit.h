/* ledit: a one-line editor for the command line, the filter prompt and dialogs. Text is
 * UTF-8; the cursor moves by character, never inside one. Emacs keys (Ctrl-A/E/B/F/D/H/K/U/W),
 * arrows, Home/End, Backspace/Delete, history on Up/Down, Tab completion through a hook
 * (common prefix first, then cycling), a maximum length, and a masked display for
 * passwords (the text is zeroed when freed or replaced). Loop thread only. */
#ifndef PXC_WIDGETS_LEDIT_H
#define PXC_WIDGETS_LEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "vec.h"
#include "glyph.h"
#include "theme.h"

struct ledit;

/* Completion hook: the word being completed ends at the cursor; set *word_start (a byte
 * offset <= cursor) to where it starts and push candidates for it onto cands as owned
 * strings (xstrdup; cands was made with vec_init(cands, free)). A candidate replaces
 * line[*word_start .. cursor). Zero candidates: nothing happens. */
typedef void ledit_complete_cb(void *arg, const char *line, size_t cursor, size_t *word_start,
                               struct vec *cands);

/* max_chars: characters allowed (0: no limit). Owned (ledit_free). */
struct ledit *ledit_new(size_t max_chars);
void ledit_free(struct ledit *e); /* zeroes the text; NULL does nothing */

/* Replace the text (copied; NULL is ""), cursor at the end. Cuts to max_chars. */
void ledit_set_text(struct ledit *e, const char *text);
void ledit_clear(struct ledit *e);
/* Borrowed: valid until the next change. Always NUL-terminated UTF-8 (invalid input bytes
 * from ledit_insert are kept as U+FFFD). */
const char *ledit_text(const struct ledit *e);
size_t ledit_len(const struct ledit *e);             /* bytes */
size_t ledit_cursor(const struct ledit *e);          /* byte offset, on a character boundary */
void ledit_set_cursor(struct ledit *e, size_t byte); /* moved back to a boundary, clamped */

void ledit_set_masked(struct ledit *e, bool masked); /* display '*' per character */
bool ledit_masked(const struct ledit *e);
void ledit_set_completion(struct ledit *e, ledit_complete_cb *cb, void *arg);

/* History, most recent last; consecutive duplicates and empty strings are not added.
 * Kept to 100 entries. Masked editors never record history. */
void ledit_history_add(struct ledit *e, const char *line);

/* Insert UTF-8 text at the cursor (a paste), respecting max_chars. */
void ledit_insert(struct ledit *e, const char *utf8);

enum ledit_result {
    LEDIT_UNHANDLED, /* not an editing key: the caller may use it */
    LEDIT_HANDLED,   /* consumed (text or cursor may have changed) */
    LEDIT_SUBMIT,    /* Enter */
    LEDIT_CANCEL,    /* Esc or Ctrl-G */
};
/* key: a wkey (wkey.h). */
enum ledit_result ledit_key(struct ledit *e, int key);

/* After a Tab: the candidates of the current completion (borrowed until the next key), to
 * show them (cmdline.completion). NULL when not completing. */
const struct vec *ledit_candidates(const struct ledit *e, int *current /* -1: prefix */);

/* Horizontal scrolling for a field `width` columns wide: the first byte shown and the
 * cursor's column within the field. Keeps the cursor visible with a little context. */
void ledit_view(struct ledit *e, int width, size_t *first_byte, int *cursor_col);

/* Draw the field at (y, x), width columns, in elem (TH_INPUT, TH_CMDLINE...). With
 * show_cursor the cursor cell is drawn in TH_INPUT_CURSOR. */
void ledit_draw(struct ledit *e, WINDOW *win, int y, int x, int width, enum th_elem elem,
                bool show_cursor, const struct theme *th, const struct glyphs *g);

#endif
