/* textv: a scrollable text view for YAML, logs and error details. Lines are made of spans,
 * each with a theme element; lines wrap at the width or are clipped with horizontal
 * scrolling; '/'-style search highlights matches and jumps to them. textv_set_yaml colours
 * YAML with a small line tokenizer (not a YAML parser: it never fails). Loop thread only. */
#ifndef PXC_WIDGETS_TEXTV_H
#define PXC_WIDGETS_TEXTV_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "strbuf.h"
#include "glyph.h"
#include "theme.h"

struct textv_span {
    const char *text; /* borrowed by the caller, copied by textv */
    size_t len;       /* bytes */
    enum th_elem elem;
};

struct textv;

struct textv *textv_new(void); /* owned; wrap on */
void textv_free(struct textv *t);

/* Content. Every setter keeps the scroll position when possible (clamped). Tabs expand to
 * the next multiple of 8 columns. */
void textv_clear(struct textv *t);
void textv_add_line(struct textv *t, const char *text, enum th_elem elem); /* one element */
void textv_add_spans(struct textv *t, const struct textv_span *spans, size_t n);
/* Split text on '\n' into lines of elem. */
void textv_set_text(struct textv *t, const char *text, enum th_elem elem);
/* Split text on '\n' and colour each line as YAML (see textv_yaml_line). */
void textv_set_yaml(struct textv *t, const char *text);

/* Tokenize one YAML line line[0..len): spans over the whole line in order (indentation and
 * spaces as TH_TEXT), keys TH_YAML_KEY, quoted and plain scalars TH_YAML_STRING, numbers
 * TH_YAML_NUMBER, true/false/yes/no/null/~ TH_YAML_BOOL, comments TH_YAML_COMMENT, and
 * ": - [ ] { } , | > --- & *" TH_YAML_PUNCT. Texts point into line. Returns the span count
 * (at most max; the rest of the line goes into the last span). Pure. */
size_t textv_yaml_line(const char *line, size_t len, struct textv_span *out, size_t max);

size_t textv_n_lines(const struct textv *t); /* logical lines */
/* Text of logical line i without colours (appended to out). */
void textv_line_text(const struct textv *t, size_t i, struct strbuf *out);

void textv_set_wrap(struct textv *t, bool wrap);
bool textv_wrap(const struct textv *t);
/* Size of the text area (set by textv_draw; by hand in tests). Wrapping depends on width. */
void textv_set_size(struct textv *t, int h, int w);

/* Visual lines (after wrapping at the width set): count, and the text of one. */
size_t textv_n_vlines(struct textv *t);
void textv_vline_text(struct textv *t, size_t i, struct strbuf *out);

int textv_top(const struct textv *t);  /* first visual line shown */
int textv_left(const struct textv *t); /* first column shown when not wrapping */
void textv_scroll_to(struct textv *t, int vline);
/* Up/Down/PgUp/PgDn/Home/End, Space (page down), and Left/Right when not wrapping (8
 * columns), as wkeys; everything else ('w', '/', 'n') is left to the caller. True when the key was
 * the view's. */
bool textv_key(struct textv *t, int key);

/* Search (case-insensitive, NULL or "" clears). Matches are drawn in TH_TEXT_MATCH.
 * textv_search_next moves to the next (dir > 0) or previous match after/before the top
 * line, wrapping around; false when there is none. */
void textv_set_search(struct textv *t, const char *needle);
bool textv_search_next(struct textv *t, int dir);
size_t textv_n_matches(const struct textv *t); /* lines containing a match */

void textv_draw(struct textv *t, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
                const struct glyphs *g);

#endif
