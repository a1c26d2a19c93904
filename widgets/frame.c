/* frame: the border around a pane. Stateless on purpose: a view draws its frame every
 * time it draws, with whatever title and info it has now, so nothing can go stale. */
#include "frame.h"

#include "wtext.h"

void
frame_layout(int width, const char *title, const char *info, bool ascii, struct frame_top *out)
{
    *out = (struct frame_top){0, 0, 0, 0};
    /* Corner, one line cell, then " title "; the same on the right for " info ". */
    int room = width - 4;
    if (room <= 2)
        return;
    int tw = title && *title ? wtext_width(title, ascii) + 2 : 0;
    int iw = info && *info ? wtext_width(info, ascii) + 2 : 0;
    if (tw + iw + 1 > room)
        iw = 0; /* info goes first */
    if (tw > room)
        tw = room;
    if (tw > 0) {
        out->title_x = 2;
        out->title_w = tw;
    }
    if (iw > 0) {
        out->info_w = iw;
        out->info_x = width - 2 - iw;
    }
}

void
frame_inner(int y, int x, int h, int w, int *iy, int *ix, int *ih, int *iw)
{
    *iy = y + 1;
    *ix = x + 1;
    *ih = h > 2 ? h - 2 : 0;
    *iw = w > 2 ? w - 2 : 0;
}

static void
draw(WINDOW *win, int y, int x, int h, int w, const char *title, const char *info, enum th_elem be,
     enum th_elem te, enum th_elem ie, enum th_elem fill, const struct theme *th,
     const struct glyphs *g)
{
    if (h < 2 || w < 2)
        return;
    attr_t b = theme_attr(th, be);
    if (fill != TH_NONE)
        for (int j = 1; j < h - 1; j++)
            wtext_fill(win, y + j, x + 1, w - 2, theme_attr(th, fill));
    bool a = g->ascii;
    wtext_print(win, y, x, 1, glyph(g, G_ULCORNER), b, a);
    wtext_print(win, y, x + w - 1, 1, glyph(g, G_URCORNER), b, a);
    wtext_print(win, y + h - 1, x, 1, glyph(g, G_LLCORNER), b, a);
    wtext_print(win, y + h - 1, x + w - 1, 1, glyph(g, G_LRCORNER), b, a);
    wtext_hrepeat(win, y, x + 1, w - 2, glyph(g, G_HLINE), b);
    wtext_hrepeat(win, y + h - 1, x + 1, w - 2, glyph(g, G_HLINE), b);
    wtext_vrepeat(win, y + 1, x, h - 2, glyph(g, G_VLINE), b);
    wtext_vrepeat(win, y + 1, x + w - 1, h - 2, glyph(g, G_VLINE), b);
    struct frame_top top;
    frame_layout(w, title, info, a, &top);
    if (top.title_w > 0) {
        attr_t ta = theme_attr(th, te);
        wtext_fill(win, y, x + top.title_x, top.title_w, ta);
        wtext_draw(win, y, x + top.title_x + 1, top.title_w - 2, title, ta, WTEXT_LEFT, a);
    }
    if (top.info_w > 0) {
        attr_t ia = theme_attr(th, ie);
        wtext_fill(win, y, x + top.info_x, top.info_w, ia);
        wtext_draw(win, y, x + top.info_x + 1, top.info_w - 2, info, ia, WTEXT_LEFT, a);
    }
}

void
frame_draw(WINDOW *win, int y, int x, int h, int w, const char *title, const char *info,
           bool focused, const struct theme *th, const struct glyphs *g)
{
    draw(win, y, x, h, w, title, info, focused ? TH_FRAME_BORDER_FOCUS : TH_FRAME_BORDER,
         focused ? TH_FRAME_TITLE_FOCUS : TH_FRAME_TITLE, TH_FRAME_INFO, TH_NONE, th, g);
}

void
frame_draw_elems(WINDOW *win, int y, int x, int h, int w, const char *title, const char *info,
                 enum th_elem border, enum th_elem title_elem, enum th_elem fill_elem,
                 const struct theme *th, const struct glyphs *g)
{
    draw(win, y, x, h, w, title, info, border, title_elem, border, fill_elem, th, g);
}

void
frame_thumb(int track, int top, int visible, int total, int *start, int *len)
{
    *start = *len = 0;
    if (track <= 0 || visible <= 0 || total <= visible)
        return;
    long l = (long)track * visible / total;
    if (l < 1)
        l = 1;
    if (l > track)
        l = track;
    int span = total - visible;
    if (top < 0)
        top = 0;
    if (top > span)
        top = span;
    /* Rounded so that the last page puts the thumb at the very bottom. */
    *start = (int)(((long)(track - l) * top + span / 2) / span);
    *len = (int)l;
}

void
frame_scrollbar(WINDOW *win, int y, int x, int h, int w, int top, int visible, int total,
                const struct theme *th, const struct glyphs *g)
{
    int start, len;
    frame_thumb(h - 2, top, visible, total, &start, &len);
    if (len == 0 || w < 2)
        return;
    attr_t a = theme_attr(th, TH_SCROLLBAR);
    for (int i = 0; i < h - 2; i++)
        wtext_print(win, y + 1 + i, x + w - 1, 1,
                    glyph(g, i >= start && i < start + len ? G_SCROLL_THUMB : G_SCROLL_TRACK), a,
                    g->ascii);
}
