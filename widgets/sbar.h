/* sbar: the status bar, one line at the bottom. Left: a transient message with a level that
 * clears itself after its time to live (k9s flash). Right: key hints ("<s> stop  <?> help")
 * from the caller's keymap, an optional info text (e.g. "READ-ONLY") and a clock. Time is
 * passed in (now_ms from clock_mono_ms) so the logic is testable. Loop thread only. */
#ifndef PXC_WIDGETS_SBAR_H
#define PXC_WIDGETS_SBAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curses.h>

#include "pxerr.h"
#include "glyph.h"
#include "theme.h"

enum sbar_level { SBAR_INFO, SBAR_WARN, SBAR_ERROR };

#define SBAR_TTL_INFO_MS 4000
#define SBAR_TTL_WARN_MS 8000
#define SBAR_TTL_ERROR_MS 15000

struct sbar_hint {
    const char *key;   /* "s", "?", "Tab" : shown as "<s>" */
    const char *label; /* "stop" */
};

struct sbar;

struct sbar *sbar_new(void); /* owned */
void sbar_free(struct sbar *s);

/* Show a message from now_ms for ttl_ms (0: the level's default). Replaces the current one.
 * Text is formatted and copied. */
void sbar_msg(struct sbar *s, enum sbar_level lv, uint64_t now_ms, uint64_t ttl_ms, const char *fmt,
              ...) PXC_PRINTF(5, 6);
void sbar_clear_msg(struct sbar *s);
/* Drop the message when it has expired at now_ms. True when it was dropped (redraw). */
bool sbar_tick(struct sbar *s, uint64_t now_ms);
/* When the current message expires (0: no message): for the caller's timer. */
uint64_t sbar_expires_at(const struct sbar *s);
/* The message (borrowed, NULL when none) and its level. */
const char *sbar_msg_text(const struct sbar *s, enum sbar_level *lv);

/* Replace the hints (copied). Hints are dropped from the end when the line is too narrow. */
void sbar_set_hints(struct sbar *s, const struct sbar_hint *hints, size_t n);
/* Right-side info before the clock, e.g. "REPLAY" (copied; NULL clears). */
void sbar_set_info(struct sbar *s, const char *info);
/* Clock text as the caller formats it ("08:41:07Z"; copied; NULL hides it). */
void sbar_set_clock(struct sbar *s, const char *clock);

/* Pure layout of a bar `width` wide: a list of pieces left to right. Priority when narrow:
 * the message (truncated last), then the clock, the info, the hints (dropped from the end).
 * Texts are borrowed from s (valid until the next sbar_* call that changes it). */
#define SBAR_MAX_SPANS 64
struct sbar_span {
    int x, w;          /* columns */
    enum th_elem elem; /* SBAR_INFO..., SBAR_KEY, SBAR_HINT, CLOCK */
    const char *text;  /* shown truncated to w with an ellipsis when it does not fit; the
                        * message span (x == 0) includes one blank column each side */
};
size_t sbar_layout(const struct sbar *s, int width, bool ascii, struct sbar_span *out, size_t max);

/* Draw at (y, x), width columns, background in TH_SBAR. */
void sbar_draw(const struct sbar *s, WINDOW *win, int y, int x, int width, const struct theme *th,
               const struct glyphs *g);

#endif
