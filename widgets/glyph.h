/* glyph: the characters the widgets draw for lines, arrows, status marks and sparklines,
 * in a UTF-8 and an ASCII variant. Chosen once at start (glyphs_init) from the locale or
 * forced with --ascii, then passed down as `const struct glyphs *`; there is no global.
 * Every glyph string in the UTF-8 set is 1 column wide except the G_LINK_* arrows
 * (3 columns, like their ASCII twins "-->"). */
#ifndef PXC_WIDGETS_GLYPH_H
#define PXC_WIDGETS_GLYPH_H

#include <stdbool.h>

/* XX(NAME, utf8, ascii) */
#define GLYPH_TABLE(XX)                                                                            \
    XX(HLINE, "─", "-")                                                                            \
    XX(VLINE, "│", "|")                                                                            \
    XX(ULCORNER, "┌", "+")                                                                         \
    XX(URCORNER, "┐", "+")                                                                         \
    XX(LLCORNER, "└", "+")                                                                         \
    XX(LRCORNER, "┘", "+")                                                                         \
    XX(LTEE, "├", "+")                                                                             \
    XX(RTEE, "┤", "+")                                                                             \
    XX(TTEE, "┬", "+")                                                                             \
    XX(BTEE, "┴", "+")                                                                             \
    XX(CROSS, "┼", "+")                                                                            \
    XX(ARROW_RIGHT, "▶", ">")                                                                      \
    XX(ARROW_LEFT, "◀", "<")                                                                       \
    XX(ARROW_UP, "▲", "^")                                                                         \
    XX(ARROW_DOWN, "▼", "v")                                                                       \
    XX(LINK_RIGHT, "──▶", "-->")                                                                   \
    XX(LINK_LEFT, "◀──", "<--")                                                                    \
    XX(LINK_BOTH, "◀─▶", "<->")                                                                    \
    XX(LINK_BROKEN, "─╳─", "-x-")                                                                  \
    XX(DOT_FULL, "●", "*")                                                                         \
    XX(DOT_EMPTY, "○", "o")                                                                        \
    XX(CHECK, "✓", "+")                                                                            \
    XX(CROSSMARK, "✗", "x")                                                                        \
    XX(WARN, "▲", "!")                                                                             \
    XX(QUESTION, "?", "?")                                                                         \
    XX(BULLET, "•", "-")                                                                           \
    XX(ELLIPSIS, "…", "~")                                                                         \
    XX(SORT_ASC, "↑", "^")                                                                         \
    XX(SORT_DESC, "↓", "v")                                                                        \
    XX(PAGE_LEFT, "◀", "<")                                                                        \
    XX(PAGE_RIGHT, "▶", ">")                                                                       \
    XX(SCROLL_TRACK, "│", "|")                                                                     \
    XX(SCROLL_THUMB, "█", "#")                                                                     \
    XX(SPARK0, "▁", ".")                                                                           \
    XX(SPARK1, "▂", ":")                                                                           \
    XX(SPARK2, "▃", "-")                                                                           \
    XX(SPARK3, "▄", "=")                                                                           \
    XX(SPARK4, "▅", "+")                                                                           \
    XX(SPARK5, "▆", "*")                                                                           \
    XX(SPARK6, "▇", "#")                                                                           \
    XX(SPARK7, "█", "@")                                                                           \
    XX(SPARK_GAP, " ", " ")

enum glyph_id {
#define XX(name, u, a) G_##name,
    GLYPH_TABLE(XX)
#undef XX
        G__COUNT
};

struct glyphs {
    bool ascii;              /* read-only: ASCII set (also passed to wtext_*) */
    const char *s[G__COUNT]; /* read-only: static strings */
};

/* True when nl_langinfo(CODESET) is UTF-8 (call after setlocale(LC_ALL, "")). */
bool glyphs_locale_utf8(void);
/* Fill g with the ASCII set when ascii, else the UTF-8 set. */
void glyphs_init(struct glyphs *g, bool ascii);

/* Borrowed static string. */
static inline const char *
glyph(const struct glyphs *g, enum glyph_id id)
{
    return g->s[id];
}

/* G_SPARK0 + level for level 0..7; G_SPARK_GAP for a negative level. */
const char *glyph_spark(const struct glyphs *g, int level);

#endif
