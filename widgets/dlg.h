/* dlg: modal dialogs. A confirm dialog names what will happen to what, where (the caller
 * writes those lines) with Yes/No buttons and No as the default; an input dialog edits a
 * line (ledit) with an optional mask for passwords and an optional "type NAME to confirm"
 * word that must match exactly before Enter is accepted; a message dialog has one OK.
 * dlg_key returns a result code; the caller acts on DLG_YES and frees the dialog.
 * Loop thread only. */
#ifndef PXC_WIDGETS_DLG_H
#define PXC_WIDGETS_DLG_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "glyph.h"
#include "ledit.h"
#include "theme.h"

enum dlg_kind { DLG_CONFIRM, DLG_INPUT, DLG_MESSAGE };

enum dlg_result {
    DLG_OPEN, /* still open (key consumed or ignored) */
    DLG_YES,  /* confirmed / submitted / OK */
    DLG_NO,   /* refused / cancelled (Esc, 'n', the No button) */
};

struct dlg;

/* lines[0..n_lines) copied; a line may be long, it wraps. yes/no labels NULL: "Yes"/"No".
 * Keys: y / n, Left/Right/h/l/Tab/Shift-Tab move between buttons, Enter presses the
 * focused one (No at first), Esc and q are No. Owned (dlg_free). */
struct dlg *dlg_confirm_new(const char *title, const char *const *lines, size_t n_lines,
                            const char *yes_label, const char *no_label);
/* An input dialog: prompt lines above a field holding `initial` (NULL: empty). Enter
 * submits (DLG_YES), Esc cancels (DLG_NO). */
#define DLG_MASKED 0x1u /* show '*' per character; the text is zeroed when freed */
struct dlg *dlg_input_new(const char *title, const char *const *lines, size_t n_lines,
                          const char *initial, unsigned flags);
/* Message with one OK button; Enter, Esc, Space or q closes it (DLG_YES). */
struct dlg *dlg_message_new(const char *title, const char *const *lines, size_t n_lines);
void dlg_free(struct dlg *d);

/* Input dialogs: Enter is accepted only when the text equals word exactly; the dialog shows
 * "Type WORD to confirm" in dlg.warn. Copied. */
void dlg_set_confirm_word(struct dlg *d, const char *word);
void dlg_set_completion(struct dlg *d, ledit_complete_cb *cb, void *arg);

enum dlg_kind dlg_kind(const struct dlg *d);
/* Input dialogs: the text (borrowed until the next key); others: NULL. */
const char *dlg_text(const struct dlg *d);
/* Confirm dialogs: true while the Yes button has focus. */
bool dlg_yes_focused(const struct dlg *d);

/* key: a wkey. */
enum dlg_result dlg_key(struct dlg *d, int key);

/* Size of the box for an area of max_h x max_w: lines wrapped to the box width. Pure. */
void dlg_size(const struct dlg *d, int max_h, int max_w, bool ascii, int *h, int *w);
/* Draw the box centred in the area (y, x, h, w) of win. */
void dlg_draw(struct dlg *d, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
              const struct glyphs *g);

#endif
