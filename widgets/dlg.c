/* dlg: modal dialogs. Dangerous actions confirm through here, so the defaults are the safe
 * ones: No has the focus at first, Esc always refuses, and a "type NAME to confirm" dialog
 * refuses Enter until the name matches exactly. The caller owns what happens next. */
#include "dlg.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "wkey.h"
#include "wtext.h"

struct dlg {
    enum dlg_kind kind;
    char *title;
    char **lines;
    size_t n_lines;
    char *yes, *no;
    bool yes_focus;
    struct ledit *ed; /* input dialogs */
    char *word;       /* "type WORD to confirm" */
    bool mismatch;    /* Enter pressed with the wrong word */
};

static struct dlg *
dlg_alloc(enum dlg_kind kind, const char *title, const char *const *lines, size_t n)
{
    struct dlg *d = xcalloc(1, sizeof *d);
    d->kind = kind;
    d->title = xstrdup(title ? title : "");
    d->lines = n ? xcalloc(n, sizeof *d->lines) : NULL;
    for (size_t i = 0; i < n; i++)
        d->lines[i] = xstrdup(lines[i] ? lines[i] : "");
    d->n_lines = n;
    return d;
}

struct dlg *
dlg_confirm_new(const char *title, const char *const *lines, size_t n_lines, const char *yes_label,
                const char *no_label)
{
    struct dlg *d = dlg_alloc(DLG_CONFIRM, title, lines, n_lines);
    d->yes = xstrdup(yes_label ? yes_label : "Yes");
    d->no = xstrdup(no_label ? no_label : "No");
    return d;
}

struct dlg *
dlg_input_new(const char *title, const char *const *lines, size_t n_lines, const char *initial,
              unsigned flags)
{
    struct dlg *d = dlg_alloc(DLG_INPUT, title, lines, n_lines);
    d->yes = xstrdup("OK");
    d->no = xstrdup("Cancel");
    d->ed = ledit_new(1024);
    ledit_set_masked(d->ed, (flags & DLG_MASKED) != 0);
    ledit_set_text(d->ed, initial);
    return d;
}

struct dlg *
dlg_message_new(const char *title, const char *const *lines, size_t n_lines)
{
    struct dlg *d = dlg_alloc(DLG_MESSAGE, title, lines, n_lines);
    d->yes = xstrdup("OK");
    d->no = xstrdup("");
    d->yes_focus = true;
    return d;
}

void
dlg_free(struct dlg *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_lines; i++)
        free(d->lines[i]);
    free(d->lines);
    free(d->title);
    free(d->yes);
    free(d->no);
    free(d->word);
    ledit_free(d->ed); /* zeroes a password */
    free(d);
}

void
dlg_set_confirm_word(struct dlg *d, const char *word)
{
    free(d->word);
    d->word = word && *word ? xstrdup(word) : NULL;
}

void
dlg_set_completion(struct dlg *d, ledit_complete_cb *cb, void *arg)
{
    if (d->ed)
        ledit_set_completion(d->ed, cb, arg);
}

enum dlg_kind
dlg_kind(const struct dlg *d)
{
    return d->kind;
}

const char *
dlg_text(const struct dlg *d)
{
    return d->ed ? ledit_text(d->ed) : NULL;
}

bool
dlg_yes_focused(const struct dlg *d)
{
    return d->yes_focus;
}

enum dlg_result
dlg_key(struct dlg *d, int key)
{
    switch (d->kind) {
    case DLG_MESSAGE:
        if (wkey_is_enter(key) || key == WKEY_ESC || key == ' ' || key == 'q')
            return DLG_YES;
        return DLG_OPEN;
    case DLG_CONFIRM:
        if (key == 'y' || key == 'Y')
            return DLG_YES;
        if (key == 'n' || key == 'N' || key == WKEY_ESC || key == 'q')
            return DLG_NO;
        if (wkey_is_enter(key))
            return d->yes_focus ? DLG_YES : DLG_NO;
        if (key == WKEY(KEY_LEFT) || key == WKEY(KEY_RIGHT) || key == WKEY_TAB ||
            key == WKEY(KEY_BTAB) || key == 'h' || key == 'l')
            d->yes_focus = !d->yes_focus;
        return DLG_OPEN;
    case DLG_INPUT:
        switch (ledit_key(d->ed, key)) {
        case LEDIT_SUBMIT:
            if (d->word && strcmp(ledit_text(d->ed), d->word) != 0) {
                d->mismatch = true;
                return DLG_OPEN;
            }
            return DLG_YES;
        case LEDIT_CANCEL:
            return DLG_NO;
        case LEDIT_HANDLED:
            d->mismatch = false;
            return DLG_OPEN;
        case LEDIT_UNHANDLED:
            return DLG_OPEN;
        }
    }
    return DLG_OPEN;
}

/* Lines below the message: field, word prompt, buttons. */
static int
extra_rows(const struct dlg *d)
{
    int n = 2; /* blank + buttons/hint */
    if (d->kind == DLG_INPUT)
        n += 2 + (d->word ? 1 : 0); /* field + blank (+ word line) */
    return n;
}

static int
content_rows(const struct dlg *d, int inner_w, bool ascii)
{
    int n = 0;
    for (size_t i = 0; i < d->n_lines; i++)
        n += wtext_wrap_count(d->lines[i], inner_w, ascii);
    return n;
}

void
dlg_size(const struct dlg *d, int max_h, int max_w, bool ascii, int *h, int *w)
{
    int want = wtext_width(d->title, ascii) + 8;
    for (size_t i = 0; i < d->n_lines; i++) {
        int lw = wtext_width(d->lines[i], ascii) + 4;
        if (lw > want)
            want = lw;
    }
    if (d->word) {
        int ww = wtext_width(d->word, ascii) + 24;
        if (ww > want)
            want = ww;
    }
    if (want < 36)
        want = 36;
    int cap = max_w - 4 > 72 ? 72 : max_w - 4;
    if (cap < 10)
        cap = max_w;
    *w = want < cap ? want : cap;
    int rows = 2 + 1 + content_rows(d, *w - 4, ascii) + extra_rows(d);
    *h = rows < max_h ? rows : max_h;
}

static void
draw_buttons(const struct dlg *d, WINDOW *win, int y, int x, int w, const struct theme *th,
             const struct glyphs *g)
{
    char yes[64], no[64];
    snprintf(yes, sizeof yes, "[ %s ]", d->yes);
    snprintf(no, sizeof no, "[ %s ]", d->no);
    int yw = wtext_width(yes, g->ascii),
        nw = d->kind == DLG_MESSAGE ? 0 : wtext_width(no, g->ascii);
    int total = yw + (nw ? nw + 3 : 0);
    int bx = x + (w - total) / 2;
    if (bx < x)
        bx = x;
    wtext_draw(win, y, bx, yw, yes,
               theme_attr(th, d->yes_focus ? TH_DLG_BUTTON_FOCUS : TH_DLG_BUTTON), WTEXT_LEFT,
               g->ascii);
    if (nw)
        wtext_draw(win, y, bx + yw + 3, nw, no,
                   theme_attr(th, d->yes_focus ? TH_DLG_BUTTON : TH_DLG_BUTTON_FOCUS), WTEXT_LEFT,
                   g->ascii);
}

void
dlg_draw(struct dlg *d, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
         const struct glyphs *g)
{
    int bh, bw;
    dlg_size(d, h, w, g->ascii, &bh, &bw);
    if (bh < 3 || bw < 6)
        return;
    int by = y + (h - bh) / 2, bx = x + (w - bw) / 2;
    frame_draw_elems(win, by, bx, bh, bw, d->title, NULL, TH_DLG_BORDER, TH_DLG_TITLE, TH_DLG_TEXT,
                     th, g);
    int iw = bw - 4, ix = bx + 2;
    int last = by + bh - 2; /* last inner row */
    int row = by + 2;
    int stop = last - extra_rows(d) + 1; /* message rows end before this */
    attr_t ta = theme_attr(th, TH_DLG_TEXT);
    for (size_t i = 0; i < d->n_lines && row < stop; i++) {
        const char *s = d->lines[i];
        size_t len = strlen(s), p = 0;
        do {
            size_t next, n = wtext_wrap(s + p, len - p, iw, g->ascii, &next);
            wtext_printn(win, row, ix, iw, s + p, n, ta, g->ascii);
            p += next;
            row++;
        } while (p < len && row < stop);
    }
    if (d->kind == DLG_INPUT) {
        int fy = last - 2;
        if (d->word) {
            char buf[300];
            snprintf(buf, sizeof buf,
                     d->mismatch ? "That is not '%s'. Type it exactly:" : "Type '%s' to confirm:",
                     d->word);
            wtext_draw(win, fy - 1, ix, iw, buf, theme_attr_on(th, TH_DLG_WARN, TH_DLG_TEXT),
                       WTEXT_LEFT, g->ascii);
        }
        ledit_draw(d->ed, win, fy, ix, iw, TH_INPUT, true, th, g);
        wtext_draw(win, last, ix, iw, "Enter OK   Esc cancel", ta, WTEXT_CENTER, g->ascii);
    } else {
        draw_buttons(d, win, last, ix, iw, th, g);
    }
}
