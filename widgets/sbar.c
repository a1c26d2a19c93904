/* sbar: the status bar. It holds at most one message, because an operator reads one line;
 * a newer message replaces the older one. The layout is a pure function producing spans,
 * so the priority rules (message first, hints last) are tested without a terminal. */
#include "sbar.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "wtext.h"

struct sbar {
    char *msg; /* owned or NULL */
    enum sbar_level lv;
    uint64_t expires_ms;
    struct sbar_hint *hints; /* owned copies */
    char (*hint_keys)[24];
    size_t n_hints;
    char *info;
    char *clock;
};

struct sbar *
sbar_new(void)
{
    return xcalloc(1, sizeof(struct sbar));
}

static void
free_hints(struct sbar *s)
{
    for (size_t i = 0; i < s->n_hints; i++)
        free((char *)s->hints[i].label);
    free(s->hints);
    free(s->hint_keys);
    s->hints = NULL;
    s->hint_keys = NULL;
    s->n_hints = 0;
}

void
sbar_free(struct sbar *s)
{
    if (!s)
        return;
    free(s->msg);
    free_hints(s);
    free(s->info);
    free(s->clock);
    free(s);
}

void
sbar_msg(struct sbar *s, enum sbar_level lv, uint64_t now_ms, uint64_t ttl_ms, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(s->msg);
    s->msg = xstrdup(buf);
    s->lv = lv;
    if (ttl_ms == 0)
        ttl_ms = lv == SBAR_ERROR  ? SBAR_TTL_ERROR_MS
                 : lv == SBAR_WARN ? SBAR_TTL_WARN_MS
                                   : SBAR_TTL_INFO_MS;
    s->expires_ms = now_ms + ttl_ms;
}

void
sbar_clear_msg(struct sbar *s)
{
    free(s->msg);
    s->msg = NULL;
    s->expires_ms = 0;
}

bool
sbar_tick(struct sbar *s, uint64_t now_ms)
{
    if (s->msg && now_ms >= s->expires_ms) {
        sbar_clear_msg(s);
        return true;
    }
    return false;
}

uint64_t
sbar_expires_at(const struct sbar *s)
{
    return s->msg ? s->expires_ms : 0;
}

const char *
sbar_msg_text(const struct sbar *s, enum sbar_level *lv)
{
    if (lv)
        *lv = s->lv;
    return s->msg;
}

void
sbar_set_hints(struct sbar *s, const struct sbar_hint *hints, size_t n)
{
    free_hints(s);
    if (n == 0)
        return;
    s->hints = xcalloc(n, sizeof *s->hints);
    s->hint_keys = xcalloc(n, sizeof *s->hint_keys);
    for (size_t i = 0; i < n; i++) {
        snprintf(s->hint_keys[i], sizeof s->hint_keys[i], "<%s>", hints[i].key ? hints[i].key : "");
        s->hints[i].key = s->hint_keys[i];
        s->hints[i].label = xstrdup(hints[i].label ? hints[i].label : "");
    }
    s->n_hints = n;
}

static void
set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = v && *v ? xstrdup(v) : NULL;
}

void
sbar_set_info(struct sbar *s, const char *info)
{
    set_str(&s->info, info);
}

void
sbar_set_clock(struct sbar *s, const char *clock)
{
    set_str(&s->clock, clock);
}

static enum th_elem
level_elem(enum sbar_level lv)
{
    return lv == SBAR_ERROR ? TH_SBAR_ERROR : lv == SBAR_WARN ? TH_SBAR_WARN : TH_SBAR_INFO;
}

size_t
sbar_layout(const struct sbar *s, int width, bool ascii, struct sbar_span *out, size_t max)
{
    if (width <= 0 || max == 0)
        return 0;
    int msg_w = s->msg ? wtext_width(s->msg, ascii) + 2 : 0; /* one space each side */
    int clock_w = s->clock ? wtext_width(s->clock, ascii) + 2 : 0;
    int info_w = s->info ? wtext_width(s->info, ascii) + 2 : 0;
    /* Right side, from the right edge: clock, info, then hints. Drop from the least
     * important until the message fits, but the message never takes the whole line when
     * there is room for the clock. */
    int used_right = 0;
    bool show_clock = clock_w > 0 && clock_w + (msg_w ? 10 : 0) <= width;
    if (show_clock)
        used_right += clock_w;
    bool show_info = info_w > 0 && used_right + info_w + (msg_w ? 10 : 0) <= width;
    if (show_info)
        used_right += info_w;
    size_t n_hints = 0;
    int hints_w = 0;
    for (size_t i = 0; i < s->n_hints; i++) {
        int hw =
            wtext_width(s->hints[i].key, ascii) + 1 + wtext_width(s->hints[i].label, ascii) + 2;
        if (used_right + hints_w + hw + msg_w > width)
            break;
        hints_w += hw;
        n_hints++;
    }
    size_t n = 0;
    if (msg_w > 0) {
        int room = width - used_right - hints_w;
        int w = msg_w < room ? msg_w : room;
        if (w > 0 && n < max)
            out[n++] = (struct sbar_span){0, w, level_elem(s->lv), s->msg};
    }
    int x = width - used_right - hints_w;
    for (size_t i = 0; i < n_hints && n + 2 <= max; i++) {
        int kw = wtext_width(s->hints[i].key, ascii);
        int lw = wtext_width(s->hints[i].label, ascii);
        out[n++] = (struct sbar_span){x + 1, kw, TH_SBAR_KEY, s->hints[i].key};
        out[n++] = (struct sbar_span){x + 2 + kw, lw, TH_SBAR_HINT, s->hints[i].label};
        x += kw + lw + 3;
    }
    if (show_info && n < max) {
        out[n++] = (struct sbar_span){x + 1, info_w - 2, TH_SBAR_INFO, s->info};
        x += info_w;
    }
    if (show_clock && n < max)
        out[n++] = (struct sbar_span){x + 1, clock_w - 2, TH_CLOCK, s->clock};
    return n;
}

void
sbar_draw(const struct sbar *s, WINDOW *win, int y, int x, int width, const struct theme *th,
          const struct glyphs *g)
{
    struct sbar_span sp[SBAR_MAX_SPANS];
    size_t n = sbar_layout(s, width, g->ascii, sp, SBAR_MAX_SPANS);
    wtext_fill(win, y, x, width, theme_attr(th, TH_SBAR));
    for (size_t i = 0; i < n; i++) {
        attr_t a = theme_attr_on(th, sp[i].elem, TH_SBAR);
        if (sp[i].elem == TH_SBAR_INFO || sp[i].elem == TH_SBAR_WARN ||
            sp[i].elem == TH_SBAR_ERROR) {
            /* The message sits in its own colour block with a space each side. */
            if (sp[i].x == 0) {
                wtext_fill(win, y, x, sp[i].w, a);
                wtext_draw(win, y, x + 1, sp[i].w - 2 > 0 ? sp[i].w - 2 : sp[i].w, sp[i].text, a,
                           WTEXT_LEFT, g->ascii);
                continue;
            }
        }
        wtext_draw(win, y, x + sp[i].x, sp[i].w, sp[i].text, a, WTEXT_LEFT, g->ascii);
    }
}
