/* help: the key help overlay. It renders whatever rows it is given; it never learns the
 * keymap itself, so the one keymap table in tui/ stays the single source of truth. */
#include "help.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "frame.h"
#include "ledit.h"
#include "wkey.h"
#include "wtext.h"

struct help {
    char *title;
    struct help_row *rows; /* owned strings */
    size_t n_rows;
    struct help_line *lines;
    size_t n_lines, cap_lines;
    char *filter;
    bool filtering;
    struct ledit *fe;
    int top, height;
    int keyw;
    int descw; /* the widest description of all rows (filtered or not: a steady box) */
};

static void
free_rows(struct help *h)
{
    for (size_t i = 0; i < h->n_rows; i++) {
        free((char *)h->rows[i].section);
        free((char *)h->rows[i].key);
        free((char *)h->rows[i].desc);
    }
    free(h->rows);
    h->rows = NULL;
    h->n_rows = 0;
}

static void
push_line(struct help *h, enum help_line_kind k, const struct help_row *r)
{
    if (h->n_lines == h->cap_lines) {
        h->cap_lines = h->cap_lines ? h->cap_lines * 2 : 64;
        h->lines = xreallocarray(h->lines, h->cap_lines, sizeof *h->lines);
    }
    h->lines[h->n_lines++] = (struct help_line){k, r->section, k == HELP_LINE_ROW ? r->key : NULL,
                                                k == HELP_LINE_ROW ? r->desc : NULL};
}

static bool
row_match(const struct help_row *r, const char *f)
{
    return !*f || wtext_casestr(r->key, f) || wtext_casestr(r->desc, f) ||
           wtext_casestr(r->section, f);
}

static void
rebuild(struct help *h)
{
    h->n_lines = 0;
    h->keyw = 0;
    const char *cur = NULL;
    for (size_t i = 0; i < h->n_rows; i++) {
        const struct help_row *r = &h->rows[i];
        if (!row_match(r, h->filter))
            continue;
        if (!cur || strcmp(cur, r->section) != 0) {
            if (cur)
                push_line(h, HELP_LINE_BLANK, r);
            push_line(h, HELP_LINE_SECTION, r);
            cur = r->section;
        }
        push_line(h, HELP_LINE_ROW, r);
        int kw = wtext_width(r->key, false);
        if (kw > h->keyw)
            h->keyw = kw;
    }
    int max = (int)h->n_lines - h->height;
    if (h->top > max)
        h->top = max > 0 ? max : 0;
}

struct help *
help_new(const char *title)
{
    struct help *h = xcalloc(1, sizeof *h);
    h->title = xstrdup(title ? title : "Help");
    h->filter = xstrdup("");
    h->fe = ledit_new(64);
    h->height = 10;
    return h;
}

void
help_free(struct help *h)
{
    if (!h)
        return;
    free_rows(h);
    free(h->lines);
    free(h->title);
    free(h->filter);
    ledit_free(h->fe);
    free(h);
}

void
help_set_rows(struct help *h, const struct help_row *rows, size_t n)
{
    free_rows(h);
    h->descw = 0;
    h->rows = n ? xcalloc(n, sizeof *h->rows) : NULL;
    const char *section = "General";
    for (size_t i = 0; i < n; i++) {
        if (rows[i].section)
            section = rows[i].section;
        h->rows[i].section = xstrdup(section);
        h->rows[i].key = xstrdup(rows[i].key ? rows[i].key : "");
        h->rows[i].desc = xstrdup(rows[i].desc ? rows[i].desc : "");
        int dw = wtext_width(h->rows[i].desc, false);
        if (dw > h->descw)
            h->descw = dw;
    }
    h->n_rows = n;
    h->top = 0;
    rebuild(h);
}

size_t
help_n_lines(const struct help *h)
{
    return h->n_lines;
}

const struct help_line *
help_line_at(const struct help *h, size_t i)
{
    return i < h->n_lines ? &h->lines[i] : NULL;
}

int
help_key_width(const struct help *h)
{
    return h->keyw;
}

void
help_set_filter(struct help *h, const char *filter)
{
    free(h->filter);
    h->filter = xstrdup(filter ? filter : "");
    h->top = 0;
    rebuild(h);
}

const char *
help_filter(const struct help *h)
{
    return h->filter;
}

bool
help_filtering(const struct help *h)
{
    return h->filtering;
}

int
help_top(const struct help *h)
{
    return h->top;
}

void
help_set_height(struct help *h, int body_rows)
{
    h->height = body_rows > 0 ? body_rows : 1;
    rebuild(h);
}

static bool
scroll_key(struct help *h, int key)
{
    int page = h->height > 1 ? h->height - 1 : 1;
    int max = (int)h->n_lines - h->height;
    if (max < 0)
        max = 0;
    int top = h->top;
    switch (key) {
    case WKEY(KEY_UP):
    case 'k':
        top--;
        break;
    case WKEY(KEY_DOWN):
    case 'j':
        top++;
        break;
    case WKEY(KEY_PPAGE):
        top -= page;
        break;
    case WKEY(KEY_NPAGE):
    case ' ':
        top += page;
        break;
    case WKEY(KEY_HOME):
    case 'g':
        top = 0;
        break;
    case WKEY(KEY_END):
    case 'G':
        top = max;
        break;
    default:
        return false;
    }
    h->top = top < 0 ? 0 : top > max ? max : top;
    return true;
}

enum help_result
help_key(struct help *h, int key)
{
    if (h->filtering) {
        /* Arrows and paging scroll the list even while typing: the filter has no history. */
        if (key == WKEY(KEY_UP) || key == WKEY(KEY_DOWN) || key == WKEY(KEY_PPAGE) ||
            key == WKEY(KEY_NPAGE))
            return scroll_key(h, key) ? HELP_HANDLED : HELP_UNHANDLED;
        switch (ledit_key(h->fe, key)) {
        case LEDIT_SUBMIT:
            h->filtering = false;
            return HELP_HANDLED;
        case LEDIT_CANCEL:
            h->filtering = false;
            help_set_filter(h, NULL);
            return HELP_HANDLED;
        case LEDIT_HANDLED:
            help_set_filter(h, ledit_text(h->fe));
            return HELP_HANDLED;
        case LEDIT_UNHANDLED:
            break;
        }
        return scroll_key(h, key) ? HELP_HANDLED : HELP_UNHANDLED;
    }
    if (key == '/') {
        h->filtering = true;
        ledit_set_text(h->fe, h->filter);
        return HELP_HANDLED;
    }
    if (key == WKEY_ESC) {
        if (*h->filter) {
            help_set_filter(h, NULL);
            return HELP_HANDLED;
        }
        return HELP_CLOSE;
    }
    if (key == 'q' || key == '?')
        return HELP_CLOSE;
    return scroll_key(h, key) ? HELP_HANDLED : HELP_UNHANDLED;
}

void
help_draw(struct help *h, WINDOW *win, int y, int x, int hh, int w, const struct theme *th,
          const struct glyphs *g)
{
    /* 100 cells, or wider where the terminal has the room for a description that needs it:
     * the text is cut only when the terminal is too narrow for it. */
    int bw = w - 4 > 100 ? 100 : w - 4, bh = hh - 2;
    int want = h->keyw + h->descw + 7; /* borders, margins and the gap after the keys */
    if (want > bw)
        bw = want < w - 4 ? want : w - 4;
    if (bw < 20)
        bw = w;
    if (bh < 5)
        bh = hh;
    if (bw < 4 || bh < 3)
        return;
    int by = y + (hh - bh) / 2, bx = x + (w - bw) / 2;
    char info[64];
    snprintf(info, sizeof info, "%zu keys", h->n_rows);
    frame_draw_elems(win, by, bx, bh, bw, h->title, info, TH_HELP_BORDER, TH_HELP_TITLE,
                     TH_HELP_DESC, th, g);
    int iy = by + 1, ix = bx + 2, iw = bw - 4, body = bh - 3;
    if (body < 1)
        body = 1;
    help_set_height(h, body);
    int kw = h->keyw < iw / 3 ? h->keyw : iw / 3;
    for (int r = 0; r < body; r++) {
        size_t li = (size_t)h->top + (size_t)r;
        if (li >= h->n_lines)
            break;
        const struct help_line *l = &h->lines[li];
        if (l->kind == HELP_LINE_SECTION)
            wtext_draw(win, iy + r, ix, iw, l->section, theme_attr(th, TH_HELP_SECTION), WTEXT_LEFT,
                       g->ascii);
        else if (l->kind == HELP_LINE_ROW) {
            wtext_draw(win, iy + r, ix + 1, kw, l->key,
                       theme_attr_on(th, TH_HELP_KEY, TH_HELP_DESC), WTEXT_LEFT, g->ascii);
            wtext_draw(win, iy + r, ix + 3 + kw, iw - kw - 3, l->desc, theme_attr(th, TH_HELP_DESC),
                       WTEXT_LEFT, g->ascii);
        }
    }
    frame_scrollbar(win, by, bx, bh, bw, h->top, body, (int)h->n_lines, th, g);
    int fy = by + bh - 2;
    if (h->filtering) {
        wtext_draw(win, fy, ix, 1, "/", theme_attr(th, TH_HELP_KEY), WTEXT_LEFT, g->ascii);
        ledit_draw(h->fe, win, fy, ix + 1, iw - 1, TH_INPUT, true, th, g);
    } else {
        char foot[160];
        if (*h->filter)
            snprintf(foot, sizeof foot, "filter: %s   Esc clear  / edit", h->filter);
        else
            snprintf(foot, sizeof foot, "/ filter   %s%s scroll   Esc close", glyph(g, G_ARROW_UP),
                     glyph(g, G_ARROW_DOWN));
        wtext_draw(win, fy, ix, iw, foot, theme_attr(th, TH_HELP_DESC), WTEXT_LEFT, g->ascii);
    }
}
