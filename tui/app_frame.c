/* app_frame: when and what the console draws. A change sets a dirty bit (model_touch calls
 * back here, views set v->dirty, the app sets its own AD_* bits) and arms a one-shot
 * timer, so bursts coalesce and at most APP_FRAME_MIN_MS apart a frame draws what is
 * dirty: the header, the current view and the overlays on it (the help, an action's
 * question), the status bar; wnoutrefresh per window and one doupdate. A frame that only
 * shows model changes waits longer after an expensive one (APP_FRAME_PACE). Idle, only the
 * 1 s clock timer runs; it redraws the header (and views showing ages), and curses sends
 * just the cells that changed: a few bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "clock.h"
#include "strbuf.h"
#include "app_internal.h"
#include "dlg.h"
#include "doctor/doctor_live.h"
#include "help.h"
#include "ledit.h"
#include "model/model.h"
#include "sbar.h"
#include "trace.h"
#include "view.h"
#include "wtext.h"

static bool
app_needs_frame(const struct app *a)
{
    if (a->dirty != 0)
        return true;
    if (a->cur != NULL && (a->cur->dirty || (a->model->dirty & a->cur->ops->interest)))
        return true;
    return (a->model->dirty & (DIRTY_CLUSTERS | DIRTY_FINDINGS)) != 0;
}

static void on_frame_timer(uv_timer_t *t);

/* A cluster's first lists are in flight: thousands of pods arrive in batches. */
static bool
app__listing(const struct app *a)
{
    const struct model *m = a->model;
    for (size_t i = 0; i < m->clusters.n; i++)
        if (((const struct m_cluster *)vec_at(&m->clusters, i))->listing)
            return true;
    return false;
}

/* Arm the one-shot frame timer when something is dirty, or bring a pending frame forward
 * when input came meanwhile. */
void
app__schedule(struct app *a)
{
    if (!a->handles_open || a->quitting)
        return;
    if (!app_needs_frame(a))
        return;
    uint64_t gap = APP_FRAME_MIN_MS;
    if (!a->input_pending && app__listing(a)) {
        uint64_t paced = a->frame_cost_us * APP_FRAME_PACE / 1000;
        if (paced > gap)
            gap = paced < APP_FRAME_MAX_GAP_MS ? paced : APP_FRAME_MAX_GAP_MS;
    }
    uint64_t now = uv_now(&a->loop);
    uint64_t due = a->last_frame_ms + gap > now ? a->last_frame_ms + gap : now;
    if (uv_is_active((uv_handle_t *)&a->frame_timer) && a->frame_due_ms <= due)
        return;
    a->frame_due_ms = due;
    uv_timer_start(&a->frame_timer, on_frame_timer, due - now, 0);
}

void
app__on_model_dirty(struct model *m, void *arg)
{
    struct app *a = arg;
    (void)m;
    trace_model_change(a->trace);
    doctor_live_changed(a->doctor); /* NULL in a replay: nothing */
    app__schedule(a);
}

void
app_view_changed(struct app *a, struct view *v)
{
    v->dirty = true;
    if (v == a->cur)
        app__schedule(a);
}

/* ------------------------------------------------------------------ views */

static void
app_layout_view(struct app *a, struct view *v)
{
    v->win = a->too_small ? NULL : a->body_win;
    v->dirty = true;
    if (v->win != NULL)
        v->ops->layout(v, 1, 0, a->rows - 2, a->cols);
}

/* Widgets up to date with the model: always before a render (ages tick), and before
 * input reaches the view only when the model moved on since. */
void
app__view_sync(struct app *a, struct view *v, bool force)
{
    if (v->ops->sync == NULL)
        return; /* the view fills its widgets in render */
    if (force || !v->synced || v->synced_seq != a->model->seq) {
        v->ops->sync(v);
        v->synced = true;
        v->synced_seq = a->model->seq;
    }
}

void
app__switch_to(struct app *a, struct view *v)
{
    if (v == a->cur)
        return;
    a->cur = v;
    app_layout_view(a, v);
    a->dirty |= AD_BODY | AD_HEADER | AD_SBAR;
    app__schedule(a);
}

void
app__apply_backgrounds(struct app *a)
{
    attr_t bg = theme_attr(a->theme, TH_APP);
    WINDOW *wins[] = {a->body_win, a->small_win};
    for (size_t i = 0; i < sizeof wins / sizeof wins[0]; i++)
        if (wins[i] != NULL)
            wbkgdset(wins[i], ' ' | bg);
    if (a->hdr_win != NULL)
        wbkgdset(a->hdr_win, ' ' | theme_attr(a->theme, TH_HEADER));
    if (a->sbar_win != NULL)
        wbkgdset(a->sbar_win, ' ' | theme_attr(a->theme, TH_SBAR));
}

/* ------------------------------------------------------------------ layout and drawing */

void
app__delwin(WINDOW **w)
{
    if (*w != NULL)
        delwin(*w);
    *w = NULL;
}

static void
app_layout(struct app *a)
{
    getmaxyx(stdscr, a->rows, a->cols);
    app__delwin(&a->hdr_win);
    app__delwin(&a->body_win);
    app__delwin(&a->sbar_win);
    app__delwin(&a->small_win);
    a->too_small = a->cols < APP_MIN_W || a->rows < APP_MIN_H;
    if (a->too_small) {
        a->small_win = newwin(a->rows, a->cols, 0, 0);
    } else {
        a->hdr_win = newwin(1, a->cols, 0, 0);
        a->body_win = newwin(a->rows - 2, a->cols, 1, 0);
        a->sbar_win = newwin(1, a->cols, a->rows - 1, 0);
    }
    app__apply_backgrounds(a);
    for (size_t i = 0; i < a->n_views; i++)
        app_layout_view(a, a->views[i]);
}

/* "terminal 20x5 is too small: pxcmesh needs at least 40x10", word-wrapped. */
static void
app_draw_small(struct app *a)
{
    WINDOW *w = a->small_win;
    if (w == NULL)
        return;
    werase(w);
    char msg[128];
    snprintf(msg, sizeof msg, "terminal %dx%d is too small: pxcmesh needs at least %dx%d", a->cols,
             a->rows, APP_MIN_W, APP_MIN_H);
    int y = 0;
    const char *p = msg;
    attr_t at = theme_attr(a->theme, TH_STATE_WARN);
    while (*p != '\0' && y < a->rows) {
        int len = (int)strlen(p);
        int take = len;
        if (len > a->cols) {
            take = a->cols;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = a->cols;
        }
        wtext_printn(w, y++, 0, a->cols, p, (size_t)take, at, a->glyphs.ascii);
        p += take;
        while (*p == ' ')
            p++;
    }
    wnoutrefresh(w);
}

static int
hdr_put(struct app *a, int x, const char *s, enum th_elem e)
{
    if (x >= a->cols)
        return x;
    return x +
           wtext_print(a->hdr_win, 0, x, a->cols - x, s, theme_attr(a->theme, e), a->glyphs.ascii);
}

void
app__format_clock(struct app *a)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(a->clock_text, sizeof a->clock_text, "%H:%M:%S", &tm);
}

static void
app_draw_header(struct app *a)
{
    WINDOW *w = a->hdr_win;
    struct model *m = a->model;
    werase(w);
    int x = hdr_put(a, 0, " pxcmesh ", TH_HEADER);
    if (m->replay) {
        char ts[40], buf[64];
        clock_fmt_rfc3339(m->generated_ms, ts, sizeof ts);
        snprintf(buf, sizeof buf, " REPLAY %s ", ts);
        x = hdr_put(a, x, buf, TH_HEADER_REPLAY);
    } else {
        x = hdr_put(a, x, " LIVE ", TH_HEADER);
    }
    if (app_readonly(a))
        x = hdr_put(a, x, " read-only ", TH_HEADER_WARN);
    char buf[160];
    snprintf(buf, sizeof buf, " %zu cluster%s ", m->clusters.n, m->clusters.n == 1 ? "" : "s");
    x = hdr_put(a, x, buf, TH_HEADER);
    if (a->cur != NULL) {
        snprintf(buf, sizeof buf, " %s ", a->cur->ops->title);
        x = hdr_put(a, x, buf, TH_HEADER);
    }
    /* Warnings: clusters unreachable, insecure TLS. */
    int unreachable = 0;
    struct strbuf insecure;
    strbuf_init(&insecure);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        if (!c->reachable)
            unreachable++;
        if (c->insecure)
            strbuf_appendf(&insecure, "%s%s", insecure.len ? "," : "", c->name);
    }
    if (unreachable > 0) {
        /* Stale data shows its age ("cluster-b: last contact 14s ago") and never blocks. */
        struct strbuf un;
        strbuf_init(&un);
        int64_t now = app_now_ms(a);
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = vec_at(&m->clusters, i);
            if (c->reachable)
                continue;
            if (c->updated_ms > 0 && now >= c->updated_ms) {
                char age[32];
                clock_fmt_age(now - c->updated_ms, age, sizeof age);
                strbuf_appendf(&un, "%s%s: last contact %s ago", un.len ? ", " : "", c->name, age);
            } else {
                strbuf_appendf(&un, "%s%s: no contact yet", un.len ? ", " : "", c->name);
            }
        }
        snprintf(buf, sizeof buf, " %s %s ", glyph(&a->glyphs, G_WARN), un.s);
        strbuf_fini(&un);
        x = hdr_put(a, x, buf, TH_HEADER_WARN);
        x = hdr_put(a, x, " ", TH_HEADER);
    }
    if (insecure.len > 0) {
        snprintf(buf, sizeof buf, " %s insecure TLS: %s ", glyph(&a->glyphs, G_WARN), insecure.s);
        x = hdr_put(a, x, buf, TH_HEADER_WARN);
    }
    strbuf_fini(&insecure);
    /* The doctor's findings, counted (4 shows them). */
    int n_err = 0, n_warn = 0;
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = vec_at(&m->findings, i);
        n_err += f->severity == SEV_ERROR;
        n_warn += f->severity == SEV_WARNING;
    }
    if (n_err + n_warn > 0) {
        if (n_err > 0 && n_warn > 0)
            snprintf(buf, sizeof buf, " %s %d error%s, %d warning%s ",
                     glyph(&a->glyphs, G_CROSSMARK), n_err, n_err == 1 ? "" : "s", n_warn,
                     n_warn == 1 ? "" : "s");
        else
            snprintf(buf, sizeof buf, " %s %d %s%s ",
                     glyph(&a->glyphs, n_err ? G_CROSSMARK : G_WARN), n_err ? n_err : n_warn,
                     n_err ? "error" : "warning", (n_err ? n_err : n_warn) == 1 ? "" : "s");
        x = hdr_put(a, x, " ", TH_HEADER);
        x = hdr_put(a, x, buf, TH_HEADER_WARN);
    }
    /* The clock at the right edge, when there is room. */
    int cw = (int)strlen(a->clock_text) + 2;
    if (a->cols - cw > x) {
        snprintf(buf, sizeof buf, " %s ", a->clock_text);
        hdr_put(a, a->cols - cw, buf, TH_CLOCK);
    }
    wnoutrefresh(w);
}

static void
app_draw_sbar(struct app *a)
{
    WINDOW *w = a->sbar_win;
    werase(w);
    if (a->prompt != PROMPT_NONE) {
        const char *p = a->prompt == PROMPT_CMD ? ":" : "/";
        struct ledit *e = a->prompt == PROMPT_CMD ? a->cmd_edit : a->filter_edit;
        wtext_fill(w, 0, 0, a->cols, theme_attr(a->theme, TH_CMDLINE));
        wtext_print(w, 0, 0, 1, p, theme_attr(a->theme, TH_CMDLINE_PROMPT), a->glyphs.ascii);
        int fw = a->cols - 1;
        const struct vec *cands = ledit_candidates(e, NULL);
        if (cands != NULL && cands->n > 1 && a->cols > 60) {
            /* Show the candidates at the right while completing. */
            struct strbuf sb;
            strbuf_init(&sb);
            for (size_t i = 0; i < cands->n; i++)
                strbuf_appendf(&sb, " %s", (const char *)vec_at(cands, i));
            strbuf_appendc(&sb, ' ');
            int cw = wtext_width(sb.s, a->glyphs.ascii);
            if (cw > a->cols / 2)
                cw = a->cols / 2;
            fw = a->cols - 1 - cw;
            wtext_draw(w, 0, a->cols - cw, cw, sb.s, theme_attr(a->theme, TH_CMDLINE_COMPLETION),
                       WTEXT_LEFT, a->glyphs.ascii);
            strbuf_fini(&sb);
        }
        ledit_draw(e, w, 0, 1, fw, TH_CMDLINE, true, a->theme, &a->glyphs);
        wnoutrefresh(w);
        return;
    }
    enum keymap_scope scopes[4];
    size_t n = app__scopes(a, scopes);
    const struct keymap_row *rows[KA__COUNT];
    size_t k = keymap_hint_rows(scopes, n, app_readonly(a), rows, KA__COUNT);
    struct sbar_hint hints[KA__COUNT];
    char names[KA__COUNT][16];
    for (size_t i = 0; i < k; i++) {
        keymap_key_name(rows[i]->key, names[i], sizeof names[i]);
        hints[i] = (struct sbar_hint){names[i], keymap_action_name(rows[i]->action)};
    }
    sbar_set_hints(a->sbar, hints, k);
    sbar_draw(a->sbar, w, 0, 0, a->cols, a->theme, &a->glyphs);
    wnoutrefresh(w);
}

static void
app_frame(struct app *a)
{
    uint64_t t0 = uv_hrtime();
    a->last_frame_ms = uv_now(&a->loop);
    if (a->dirty & AD_LAYOUT) {
        app_layout(a);
        a->dirty |= AD_ALL;
    }
    if (a->dirty & AD_REPAINT)
        clearok(curscr, TRUE);
    /* The input window is never drawn, but a resize touches it; refresh it first so that
     * reading a key never refreshes it over the header. */
    wnoutrefresh(a->in_win);
    if (a->too_small) {
        app_draw_small(a);
    } else {
        if (a->dirty & (AD_HEADER)) {
            app__format_clock(a);
            app_draw_header(a);
        } else if (a->model->dirty & (DIRTY_CLUSTERS | DIRTY_FINDINGS)) {
            app_draw_header(a);
        }
        struct view *v = a->cur;
        bool forced = (a->dirty & AD_BODY) || v->dirty;
        bool body = forced || (a->model->dirty & v->ops->interest);
        if (body) {
            v->dirty = false;
            app__view_sync(a, v, true);
            /* Idle, a MySQL refresh every 2 s moves the model without changing the screen. */
            if (!forced && v->ops->same != NULL && v->ops->same(v))
                body = false;
            else
                v->ops->render(v);
        }
        if (a->help_open && (body || (a->dirty & AD_OVERLAY)))
            help_draw(a->help, a->body_win, 0, 0, a->rows - 2, a->cols, a->theme, &a->glyphs);
        if (body && a->dlg != NULL)
            dlg_draw(a->dlg, a->body_win, 0, 0, a->rows - 2, a->cols, a->theme, &a->glyphs);
        if (body || (a->dirty & AD_OVERLAY))
            wnoutrefresh(a->body_win);
        if (a->dirty & AD_SBAR)
            app_draw_sbar(a);
    }
    trace_frame_begin(a->trace);
    doupdate();
    trace_frame_end(a->trace);
    a->dirty = 0;
    a->model->dirty = 0;
    a->input_pending = false;
    a->frame_cost_us = (uv_hrtime() - t0) / 1000;
}

static void
on_frame_timer(uv_timer_t *t)
{
    struct app *a = t->data;
    app_frame(a);
    app__schedule(a); /* something dirtied while drawing */
}

void
app__on_tick(uv_timer_t *t)
{
    struct app *a = t->data;
    char old[sizeof a->clock_text];
    memcpy(old, a->clock_text, sizeof old);
    app__format_clock(a);
    if (strcmp(old, a->clock_text) != 0)
        a->dirty |= AD_HEADER;
    if (sbar_tick(a->sbar, clock_mono_ms()))
        a->dirty |= AD_SBAR;
    struct view *v = a->cur;
    if (v != NULL && v->ops->ticks && !a->model->replay &&
        (v->ops->ages_shown == NULL || v->ops->ages_shown(v)))
        v->dirty = true;
    app__schedule(a);
}
