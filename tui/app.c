/* app: the console object and its loop. It owns the terminal (curses set-up, restore on
 * every exit path, the crash handler), the input (stdin through uv_poll), the signals
 * (uv_signal), the frame scheduling, the header and status bar, the overlays (help,
 * command line, filter prompt) and the views, and it turns keys into actions through the
 * keymap. It does not know what a pod or a channel is: views adapt the model, backends
 * fill it.
 *
 * Frames: a change sets a dirty bit (model_touch calls back here, views set v->dirty,
 * the app sets its own AD_* bits) and arms a one-shot timer, so bursts coalesce and at
 * most APP_FRAME_MIN_MS apart a frame draws what is dirty: wnoutrefresh per window and
 * one doupdate. Idle, only the 1 s clock timer runs; it redraws the header (and views
 * showing ages), and curses sends just the cells that changed: a few bytes. */
#include "app.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "clock.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "actions.h"
#include "cmdline.h"
#include "config/config.h"
#include "help.h"
#include "kube/kcfg.h"
#include "keymap.h"
#include "ledit.h"
#include "live/live.h"
#include "model/model.h"
#include "sbar.h"
#include "model/snap.h"
#include "tbl.h"
#include "trace.h"
#include "view.h"
#include "wkey.h"
#include "wtext.h"

#define APP_MIN_W 40
#define APP_MIN_H 10
#define APP_FRAME_MIN_MS 33 /* at most 30 frames a second */
#define APP_TICK_MS 1000
#define APP_MAX_VIEWS 16

/* App dirty bits (the model has its own). */
enum {
    AD_HEADER = 1u << 0,
    AD_SBAR = 1u << 1,
    AD_BODY = 1u << 2,    /* the current view, whatever its interest */
    AD_LAYOUT = 1u << 3,  /* sizes changed: new windows */
    AD_OVERLAY = 1u << 4, /* the help overlay */
    AD_REPAINT = 1u << 5, /* the terminal may be garbled: send every cell again */
    AD_ALL = 0x3fu,
};

enum prompt_kind { PROMPT_NONE, PROMPT_CMD, PROMPT_FILTER };

struct app {
    const struct app_opts *opts; /* borrowed */
    uv_loop_t loop;
    uv_poll_t in_poll;
    uv_signal_t sig_winch, sig_int, sig_term, sig_hup;
    uv_timer_t frame_timer, tick_timer;
    bool handles_open;

    struct model *model; /* owned */
    struct config *cfg;  /* owned; NULL in a replay */
    struct live *live;   /* owned; NULL in a replay */
    struct theme *theme; /* owned */
    struct trace *trace; /* owned; NULL unless PXCMESH_TRACE (benchmarks) */
    struct glyphs glyphs;
    bool readonly, no_color, colour_started;

    SCREEN *screen;
    WINDOW *in_win; /* 1x1, never drawn: keys are read here so that reading never
                       refreshes a window we draw in */
    WINDOW *hdr_win, *body_win, *sbar_win, *small_win;
    int rows, cols;
    bool too_small;

    struct view *views[APP_MAX_VIEWS];
    size_t n_views;
    struct view *cur;
    struct actions *actions; /* owned: writes, probes and their dialog (views2) */

    struct sbar *sbar;
    struct help *help;
    bool help_open;
    struct ledit *cmd_edit, *filter_edit;
    enum prompt_kind prompt;

    unsigned dirty; /* AD_* */
    uint64_t last_frame_ms;
    bool quitting;
    char clock_text[16];
};

/* ------------------------------------------------------------------ terminal rescue */

/* The one piece of file-scope mutable state: what a crash handler needs to give the
 * terminal back, precomputed because a signal handler may only write() and tcsetattr(). */
static struct {
    volatile sig_atomic_t active;
    char reset[256];
    size_t reset_len;
    struct termios tio;
    bool have_tio;
} term_rescue;

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL};

static void
on_crash_signal(int sig)
{
    if (term_rescue.active) {
        term_rescue.active = 0;
        ssize_t w = write(STDOUT_FILENO, term_rescue.reset, term_rescue.reset_len);
        (void)w; /* nothing else can be done about a failed write in a crash */
        if (term_rescue.have_tio)
            tcsetattr(STDIN_FILENO, TCSANOW, &term_rescue.tio);
    }
    /* SA_RESETHAND restored the default action: re-raise to crash as we would have. */
    raise(sig);
}

static void
rescue_append(const char *cap)
{
    if (cap == NULL || cap == (char *)-1)
        return;
    size_t n = strlen(cap);
    if (term_rescue.reset_len + n < sizeof term_rescue.reset) {
        memcpy(term_rescue.reset + term_rescue.reset_len, cap, n);
        term_rescue.reset_len += n;
    }
}

/* After curses started: the bytes that undo it, and the handlers that send them. */
static void
rescue_arm(void)
{
    term_rescue.reset_len = 0;
    rescue_append("\033[?1000l\033[?1002l\033[?1006l"); /* mouse reporting off */
    rescue_append(tigetstr("sgr0"));
    rescue_append(tigetstr("cnorm"));
    rescue_append(tigetstr("rmcup"));
    rescue_append("\r\n");
    term_rescue.active = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, NULL);
}

/* The normal restore: atexit, pxc_fatal's hook and the regular exit. Idempotent. */
static void
term_restore(void)
{
    if (!term_rescue.active)
        return;
    term_rescue.active = 0;
    endwin();
}

/* ------------------------------------------------------------------ small helpers */

static unsigned app_dispatch(struct app *a, enum key_action act);

uv_loop_t *
app_loop(struct app *a)
{
    return &a->loop;
}

struct model *
app_model(struct app *a)
{
    return a->model;
}

struct live *
app_live(struct app *a)
{
    return a->live;
}

const struct theme *
app_theme(const struct app *a)
{
    return a->theme;
}

const struct glyphs *
app_glyphs(const struct app *a)
{
    return &a->glyphs;
}

bool
app_readonly(const struct app *a)
{
    return a->readonly || a->model->replay;
}

int64_t
app_now_ms(const struct app *a)
{
    if (a->model->replay && a->model->generated_ms > 0)
        return a->model->generated_ms;
    return clock_wall_ms();
}

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

/* Arm the one-shot frame timer when something is dirty and no frame is pending. */
static void
app_schedule(struct app *a)
{
    if (!a->handles_open || a->quitting || uv_is_active((uv_handle_t *)&a->frame_timer))
        return;
    if (!app_needs_frame(a))
        return;
    uint64_t now = uv_now(&a->loop);
    uint64_t next = a->last_frame_ms + APP_FRAME_MIN_MS;
    uv_timer_start(&a->frame_timer, on_frame_timer, next > now ? next - now : 0, 0);
}

void
app_request_frame(struct app *a)
{
    app_schedule(a);
}

struct actions *
app_actions(struct app *a)
{
    return a->actions;
}

const struct config *
app_cfg(const struct app *a)
{
    return a->cfg;
}

void
app_redraw_body(struct app *a)
{
    a->dirty |= AD_BODY | AD_SBAR;
    app_schedule(a);
}

static void
on_model_dirty(struct model *m, void *arg)
{
    trace_model_change(((struct app *)arg)->trace);
    app_schedule(arg);
}

void
app_flash(struct app *a, enum app_level lv, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    enum sbar_level sl = lv == APP_ERROR ? SBAR_ERROR : lv == APP_WARN ? SBAR_WARN : SBAR_INFO;
    sbar_msg(a->sbar, sl, clock_mono_ms(), 0, "%s", msg);
    log_msg(lv == APP_ERROR ? LOG_ERROR : lv == APP_WARN ? LOG_WARN : LOG_INFO, "flash: %s", msg);
    a->dirty |= AD_SBAR;
    app_schedule(a);
}

void
app_quit(struct app *a)
{
    a->quitting = true;
    uv_stop(&a->loop);
}

void
app_open_help(struct app *a)
{
    a->help_open = true;
    a->prompt = PROMPT_NONE;
    a->dirty |= AD_OVERLAY | AD_SBAR;
    app_schedule(a);
}

static void
app_close_help(struct app *a)
{
    a->help_open = false;
    a->dirty |= AD_BODY | AD_SBAR;
    app_schedule(a);
}

/* Build the help rows from the key table and the command table. */
static void
app_fill_help(struct app *a)
{
    size_t n = keymap_count() + cmdline_count();
    struct help_row *rows = xcalloc(n, sizeof *rows);
    struct vec strs;
    vec_init(&strs, free);
    size_t k = 0;
    for (int s = 0; s < KS__COUNT; s++)
        for (size_t i = 0; i < keymap_count(); i++) {
            const struct keymap_row *r = keymap_at(i);
            if ((int)r->scope != s || (r->flags & KEY_ALIAS) || !keymap_visible(r, app_readonly(a)))
                continue;
            char keys[96];
            keymap_keys_for(r->scope, r->action, app_readonly(a), keys, sizeof keys);
            char *kc = xstrdup(keys);
            vec_push(&strs, kc);
            rows[k++] = (struct help_row){keymap_scope_title(r->scope), kc, r->description};
        }
    for (size_t i = 0; i < cmdline_count(); i++) {
        const struct cmdline_cmd *c = cmdline_at(i);
        char *kc = xasprintf(":%s", c->usage);
        vec_push(&strs, kc);
        rows[k++] = (struct help_row){"Commands (type : first)", kc, c->summary};
    }
    help_set_rows(a->help, rows, k);
    vec_fini(&strs);
    free(rows);
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
static void
app_view_sync(struct app *a, struct view *v, bool force)
{
    if (v->ops->sync == NULL)
        return; /* the view fills its widgets in render */
    if (force || !v->synced || v->synced_seq != a->model->seq) {
        v->ops->sync(v);
        v->synced = true;
        v->synced_seq = a->model->seq;
    }
}

static struct view *
app_view_for(struct app *a, const struct view_ops *ops)
{
    for (size_t i = 0; i < a->n_views; i++)
        if (a->views[i]->ops == ops)
            return a->views[i];
    return NULL;
}

static void
app_switch_to(struct app *a, struct view *v)
{
    if (v == a->cur)
        return;
    a->cur = v;
    app_layout_view(a, v);
    a->dirty |= AD_BODY | AD_HEADER | AD_SBAR;
    app_schedule(a);
}

struct view *
app_view(struct app *a, const struct view_ops *ops)
{
    return app_view_for(a, ops);
}

int
app_show_view(struct app *a, const char *name, struct pxerr *err)
{
    const struct view_ops *ops = view_find(name);
    struct view *v = ops != NULL ? app_view_for(a, ops) : NULL;
    if (v == NULL) {
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; view_registry[i] != NULL; i++)
            strbuf_appendf(&sb, "%s%s", i ? ", " : "", view_registry[i]->name);
        pxerr_set(err, PXE_NOTFOUND, "unknown view '%s' (views: %s)", name, sb.s);
        strbuf_fini(&sb);
        return PXE_NOTFOUND;
    }
    app_switch_to(a, v);
    return 0;
}

/* ------------------------------------------------------------------ clusters */

int
app_ctx(struct app *a, const char *verb, const char *name, struct pxerr *err)
{
    if (a->live == NULL)
        return pxerr_set(err, PXE_READONLY, "a replay shows a fixed snapshot: no clusters to %s",
                         verb);
    if (strcmp(verb, "drop") == 0) {
        int rc = live_drop_cluster(a->live, name, err);
        if (rc == 0)
            app_flash(a, APP_INFO, "dropped cluster %s", name);
        return rc;
    }
    if (strcmp(verb, "add") != 0)
        return pxerr_set(err, PXE_USAGE, "usage: :ctx add|drop NAME");
    if (model_cluster_find(a->model, name) != NULL)
        return pxerr_set(err, PXE_EXISTS, "cluster %s is already shown", name);
    const struct config_cluster *cc = config_cluster_find(a->cfg, name);
    int rc;
    if (cc != NULL) {
        rc = live_add_cluster(a->live, cc, err);
    } else {
        struct config *one = NULL;
        const char *ctx[1] = {name};
        rc = config_from_contexts(ctx, 1,
                                  a->opts->sel.kubeconfig ? a->opts->sel.kubeconfig : a->cfg->kubeconfig,
                                  a->readonly, &one, err);
        if (rc == 0)
            rc = live_add_cluster(a->live, &one->clusters[0], err);
        config_free(one);
    }
    if (rc == 0)
        app_flash(a, APP_INFO, "added cluster %s", name);
    return rc;
}

static bool
vec_has_str(const struct vec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(vec_at(v, i), s) == 0)
            return true;
    return false;
}

void
app_ctx_candidates(struct app *a, const char *verb, struct vec *out)
{
    if (strcmp(verb, "drop") == 0) {
        for (size_t i = 0; i < a->model->clusters.n; i++)
            vec_push(out, xstrdup(((struct m_cluster *)vec_at(&a->model->clusters, i))->name));
        return;
    }
    if (strcmp(verb, "add") != 0 || a->cfg == NULL)
        return;
    for (size_t i = 0; i < a->cfg->n_clusters; i++) {
        const char *n = a->cfg->clusters[i].name;
        if (model_cluster_find(a->model, n) == NULL && !vec_has_str(out, n))
            vec_push(out, xstrdup(n));
    }
    struct kcfg *k = NULL;
    const char *path = a->opts->sel.kubeconfig ? a->opts->sel.kubeconfig : a->cfg->kubeconfig;
    if (kcfg_load(path, &k, NULL) < 0)
        return; /* no candidates; :ctx add says why when run */
    for (size_t i = 0; i < kcfg_context_count(k); i++) {
        const char *n = kcfg_context_name(k, i);
        if (model_cluster_find(a->model, n) == NULL && !vec_has_str(out, n))
            vec_push(out, xstrdup(n));
    }
    kcfg_free(k);
}

/* ------------------------------------------------------------------ themes */

static void
app_apply_backgrounds(struct app *a)
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

/* Load a theme by name or path into *out (owned). */
static int
app_load_theme(const char *name, struct theme **out, struct pxerr *err)
{
    char path[1024];
    int rc = theme_find(name, path, sizeof path, err);
    if (rc < 0)
        return rc;
    return theme_parse_file(path, out, err);
}

int
app_set_theme(struct app *a, const char *name, struct pxerr *err)
{
    struct theme *t = NULL;
    int rc = app_load_theme(name, &t, err);
    if (rc < 0)
        return rc; /* the old theme stays in force */
    theme_free(a->theme);
    a->theme = t;
    if (a->screen != NULL) {
        theme_activate(a->theme, a->colour_started ? COLORS : 0, a->no_color);
        app_apply_backgrounds(a);
    }
    a->dirty |= AD_ALL & ~AD_LAYOUT;
    if (a->cur != NULL)
        a->cur->dirty = true;
    app_flash(a, APP_INFO, "theme %s active", theme_name(a->theme));
    return 0;
}

/* ------------------------------------------------------------------ layout and drawing */

static void
app_delwin(WINDOW **w)
{
    if (*w != NULL)
        delwin(*w);
    *w = NULL;
}

static void
app_layout(struct app *a)
{
    getmaxyx(stdscr, a->rows, a->cols);
    app_delwin(&a->hdr_win);
    app_delwin(&a->body_win);
    app_delwin(&a->sbar_win);
    app_delwin(&a->small_win);
    a->too_small = a->cols < APP_MIN_W || a->rows < APP_MIN_H;
    if (a->too_small) {
        a->small_win = newwin(a->rows, a->cols, 0, 0);
    } else {
        a->hdr_win = newwin(1, a->cols, 0, 0);
        a->body_win = newwin(a->rows - 2, a->cols, 1, 0);
        a->sbar_win = newwin(1, a->cols, a->rows - 1, 0);
    }
    app_apply_backgrounds(a);
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

static void
app_format_clock(struct app *a)
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
        /* tui2: stale data shows its age ("cluster-b: last contact 14s ago"), never blocks. */
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

/* The table of the current pane (view_ops.table), its filter, and setting it: one place
 * for every view, which only says which table. */
static struct tbl *
view_table(const struct view *v)
{
    return v->ops->table != NULL ? v->ops->table(v) : NULL;
}

static const char *
view_filter(const struct view *v)
{
    struct tbl *t = view_table(v);
    return t != NULL ? tbl_filter(t) : "";
}

static void
view_set_filter(struct view *v, const char *text)
{
    struct tbl *t = view_table(v);
    if (t != NULL) {
        tbl_set_filter(t, text);
        if (v->ops->filter_changed != NULL)
            v->ops->filter_changed(v);
    }
    v->dirty = true;
}

static size_t
app_scopes(const struct app *a, enum keymap_scope *out)
{
    size_t n = 0;
    if (a->help_open) {
        out[n++] = KS_HELP;
        return n;
    }
    if (a->prompt != PROMPT_NONE) {
        out[n++] = KS_PROMPT;
        return n;
    }
    if (a->cur != NULL) {
        out[n++] = a->cur->ops->scope;
        if (view_table(a->cur) != NULL)
            out[n++] = KS_TABLE;
    }
    out[n++] = KS_GLOBAL;
    return n;
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
    size_t n = app_scopes(a, scopes);
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
            app_format_clock(a);
            app_draw_header(a);
        } else if (a->model->dirty & (DIRTY_CLUSTERS | DIRTY_FINDINGS)) {
            app_draw_header(a);
        }
        struct view *v = a->cur;
        bool body = (a->dirty & AD_BODY) || v->dirty || (a->model->dirty & v->ops->interest);
        if (body) {
            v->dirty = false;
            app_view_sync(a, v, true);
            v->ops->render(v);
        }
        if (a->help_open && (body || (a->dirty & AD_OVERLAY)))
            help_draw(a->help, a->body_win, 0, 0, a->rows - 2, a->cols, a->theme, &a->glyphs);
        if (body && actions_dialog_open(a->actions))
            actions_dialog_draw(a->actions, a->body_win, a->rows - 2, a->cols);
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
}

static void
on_frame_timer(uv_timer_t *t)
{
    struct app *a = t->data;
    app_frame(a);
    app_schedule(a); /* something dirtied while drawing */
}

static void
on_tick(uv_timer_t *t)
{
    struct app *a = t->data;
    char old[sizeof a->clock_text];
    memcpy(old, a->clock_text, sizeof old);
    app_format_clock(a);
    if (strcmp(old, a->clock_text) != 0)
        a->dirty |= AD_HEADER;
    if (sbar_tick(a->sbar, clock_mono_ms()))
        a->dirty |= AD_SBAR;
    if (a->cur != NULL && a->cur->ops->ticks && !a->model->replay)
        a->cur->dirty = true;
    app_schedule(a);
}

/* ------------------------------------------------------------------ keys */

static void
app_open_prompt(struct app *a, enum prompt_kind k)
{
    a->prompt = k;
    if (k == PROMPT_CMD) {
        ledit_clear(a->cmd_edit);
    } else {
        ledit_set_text(a->filter_edit, view_filter(a->cur));
    }
    a->dirty |= AD_SBAR;
}

static void
app_prompt_key(struct app *a, int key)
{
    struct ledit *e = a->prompt == PROMPT_CMD ? a->cmd_edit : a->filter_edit;
    enum ledit_result r = ledit_key(e, key);
    a->dirty |= AD_SBAR;
    if (a->prompt == PROMPT_FILTER) {
        if (r == LEDIT_CANCEL) {
            view_set_filter(a->cur, "");
            a->prompt = PROMPT_NONE;
        } else if (r == LEDIT_SUBMIT) {
            view_set_filter(a->cur, ledit_text(e));
            a->prompt = PROMPT_NONE;
        } else if (r == LEDIT_HANDLED) {
            view_set_filter(a->cur, ledit_text(e)); /* incremental */
        }
        a->cur->dirty = true;
        return;
    }
    if (r == LEDIT_CANCEL) {
        a->prompt = PROMPT_NONE;
    } else if (r == LEDIT_SUBMIT) {
        char *line = xstrdup(ledit_text(e));
        ledit_history_add(e, line);
        a->prompt = PROMPT_NONE;
        struct pxerr err = {0};
        if (cmdline_run(a, line, &err) < 0)
            app_flash(a, APP_ERROR, "%s", err.msg);
        free(line);
    }
}

static unsigned
app_dispatch(struct app *a, enum key_action act)
{
    struct view *v = a->cur;
    struct pxerr err = {0};
    unsigned r;
    switch (act) {
    case KA_QUIT:
        app_quit(a);
        return R_QUIT;
    case KA_HELP:
        app_open_help(a);
        return R_NONE;
    case KA_CMDLINE:
        app_open_prompt(a, PROMPT_CMD);
        return R_NONE;
    case KA_REDRAW:
        a->dirty |= AD_ALL & ~AD_LAYOUT;
        v->dirty = true;
        return R_REDRAW;
    case KA_VIEW_OVERVIEW:
    case KA_VIEW_CHANNELS:
    case KA_VIEW_EVENTS:
    case KA_VIEW_FINDINGS: {
        const char *name = act == KA_VIEW_OVERVIEW   ? "overview"
                           : act == KA_VIEW_CHANNELS ? "channels"
                           : act == KA_VIEW_EVENTS   ? "events"
                                                     : "findings";
        if (app_show_view(a, name, &err) < 0)
            app_flash(a, APP_ERROR, "%s", err.msg);
        return R_NONE;
    }
    case KA_VIEW_SENTRIES:
    case KA_VIEW_INJECTION:
    case KA_VIEW_PROBES:
    case KA_VIEW_SETUP: { /* views2 */
        const char *name = act == KA_VIEW_SENTRIES    ? "serviceentries"
                           : act == KA_VIEW_INJECTION ? "injection"
                           : act == KA_VIEW_PROBES    ? "probes"
                                                      : "setup";
        if (app_show_view(a, name, &err) < 0)
            app_flash(a, APP_ERROR, "%s", err.msg);
        return R_NONE;
    }
    case KA_FILTER:
        if (v->ops->table != NULL)
            app_open_prompt(a, PROMPT_FILTER);
        return R_NONE;
    case KA_BACK:
        if (view_filter(v)[0] != '\0') {
            view_set_filter(v, "");
            return R_REDRAW;
        }
        r = v->ops->action(v, act);
        if (r == R_UNHANDLED && v->ops != &view_overview_ops) {
            if (app_show_view(a, "overview", &err) < 0)
                app_flash(a, APP_ERROR, "%s", err.msg);
            return R_NONE;
        }
        return r;
    default:
        return v->ops->action(v, act);
    }
}

/* A click selects under the pointer, the wheel scrolls (the help, or the view). */
static void
app_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || a->too_small || a->prompt != PROMPT_NONE)
        return;
    int wheel = (ev.bstate & BUTTON4_PRESSED) ? -1 : (ev.bstate & BUTTON5_PRESSED) ? 1 : 0;
    if (a->help_open) {
        if (wheel != 0 && help_key(a->help, WKEY(wheel < 0 ? KEY_UP : KEY_DOWN)) != HELP_UNHANDLED)
            a->dirty |= AD_OVERLAY;
        return;
    }
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) && wheel == 0)
        return;
    if (ev.y < 1 || ev.y >= a->rows - 1 || a->cur->ops->mouse == NULL)
        return;
    app_view_sync(a, a->cur, false);
    unsigned r = a->cur->ops->mouse(a->cur, ev.y, ev.x, wheel);
    if (r & (R_HINTS | R_REDRAW))
        a->dirty |= AD_SBAR;
}

static void
app_key(struct app *a, int key)
{
    if (key == WKEY(KEY_RESIZE))
        return; /* SIGWINCH already did the work */
    if (actions_dialog_open(a->actions) && !a->too_small) {
        if (key != WKEY(KEY_MOUSE)) /* a dialog is modal: every key is its own */
            actions_dialog_key(a->actions, key);
        return;
    }
    if (key == WKEY(KEY_MOUSE)) {
        app_mouse(a);
        return;
    }
    if (wkey_is_enter(key))
        key = KM_ENTER;
    if (a->too_small) {
        if (key == 'q')
            app_quit(a);
        return;
    }
    if (a->help_open) {
        enum help_result hr = help_key(a->help, key);
        if (hr == HELP_CLOSE)
            app_close_help(a);
        else if (hr == HELP_HANDLED)
            a->dirty |= AD_OVERLAY;
        return;
    }
    if (a->prompt != PROMPT_NONE) {
        app_view_sync(a, a->cur, false);
        app_prompt_key(a, key);
        return;
    }
    app_view_sync(a, a->cur, false);
    enum keymap_scope scopes[4];
    size_t n = app_scopes(a, scopes);
    const struct keymap_row *row = keymap_resolve(scopes, n, key, app_readonly(a));
    if (row == NULL) {
        char name[32];
        keymap_key_name(key, name, sizeof name);
        app_flash(a, APP_INFO, "%s: no action here (press ? for the keys)", name);
        return;
    }
    unsigned r = app_dispatch(a, row->action);
    if (r & R_RELAYOUT)
        a->dirty |= AD_LAYOUT;
    if (r & (R_HINTS | R_REDRAW))
        a->dirty |= AD_SBAR; /* the focus may have changed: so do the hints */
}

static void
on_input(uv_poll_t *h, int status, int events)
{
    struct app *a = h->data;
    if (status < 0 || (events & UV_DISCONNECT)) {
        app_quit(a); /* the terminal went away */
        return;
    }
    for (;;) {
        wint_t wc;
        int rc = wget_wch(a->in_win, &wc);
        if (rc == ERR)
            break;
        trace_key(a->trace);
        app_key(a, wkey_from(rc, wc));
        if (a->quitting)
            return;
    }
    app_schedule(a);
}

static void
on_signal(uv_signal_t *h, int signum)
{
    struct app *a = h->data;
    if (signum == SIGWINCH) {
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
            resizeterm(ws.ws_row, ws.ws_col);
        a->dirty |= AD_LAYOUT | AD_REPAINT;
        app_schedule(a);
        return;
    }
    log_info("signal %d: quitting", signum);
    app_quit(a);
}

/* ------------------------------------------------------------------ start and stop */

static int
app_start_curses(struct app *a, struct pxerr *err)
{
    term_rescue.have_tio = tcgetattr(STDIN_FILENO, &term_rescue.tio) == 0;
    const char *term = getenv("TERM");
    a->screen = newterm(NULL, stdout, stdin);
    if (a->screen == NULL)
        return pxerr_set(err, PXE_UNSUPPORTED,
                         "cannot use the terminal type '%s'; set TERM (e.g. TERM=xterm-256color)",
                         term != NULL ? term : "(unset)");
    set_term(a->screen);
    rescue_arm();
    cbreak();
    noecho();
    nonl();
    curs_set(0);
    set_escdelay(25);
    leaveok(stdscr, TRUE);
    if (!a->no_color && has_colors()) {
        start_color();
        a->colour_started = true;
    }
    theme_activate(a->theme, a->colour_started ? COLORS : 0, a->no_color);
    if (!a->opts->no_mouse) {
        /* Presses, not clicks: a click would wait for the release to be told apart. */
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    a->in_win = newwin(1, 1, 0, 0);
    keypad(a->in_win, TRUE);
    nodelay(a->in_win, TRUE);
    return 0;
}

static void
on_close_walk(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static int
app_init_loop(struct app *a, struct pxerr *err)
{
    int rc = uv_loop_init(&a->loop);
    if (rc < 0)
        return pxerr_set(err, PXE_INTERNAL, "cannot start the event loop: %s", uv_strerror(rc));
    uv_timer_init(&a->loop, &a->frame_timer);
    uv_timer_init(&a->loop, &a->tick_timer);
    a->frame_timer.data = a->tick_timer.data = a;
    uv_signal_t *sigs[] = {&a->sig_winch, &a->sig_int, &a->sig_term, &a->sig_hup};
    int nums[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < 4; i++) {
        uv_signal_init(&a->loop, sigs[i]);
        sigs[i]->data = a;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
    rc = uv_poll_init(&a->loop, &a->in_poll, STDIN_FILENO);
    if (rc < 0) {
        a->handles_open = true;
        return pxerr_set(err, PXE_IO, "cannot watch the terminal input: %s", uv_strerror(rc));
    }
    a->in_poll.data = a;
    uv_poll_start(&a->in_poll, UV_READABLE | UV_DISCONNECT, on_input);
    /* The clock ticks on the second, so that it changes when the wall clock does. */
    uint64_t ms = (uint64_t)(clock_wall_ms() % 1000);
    uv_timer_start(&a->tick_timer, on_tick, APP_TICK_MS - ms, APP_TICK_MS);
    a->handles_open = true;
    return 0;
}

static void
app_fini_loop(struct app *a)
{
    if (!a->handles_open)
        return;
    uv_walk(&a->loop, on_close_walk, NULL);
    uv_run(&a->loop, UV_RUN_DEFAULT);
    int rc = uv_loop_close(&a->loop);
    if (rc != 0)
        log_error("uv_loop_close: %s (a handle was leaked)", uv_strerror(rc));
    a->handles_open = false;
}

static void
app_free(struct app *a)
{
    for (size_t i = 0; i < a->n_views; i++)
        a->views[i]->ops->destroy(a->views[i]);
    help_free(a->help);
    ledit_free(a->cmd_edit);
    ledit_free(a->filter_edit);
    sbar_free(a->sbar);
    app_delwin(&a->hdr_win);
    app_delwin(&a->body_win);
    app_delwin(&a->sbar_win);
    app_delwin(&a->small_win);
    app_delwin(&a->in_win);
    term_restore();
    if (a->screen != NULL)
        delscreen(a->screen);
    theme_free(a->theme);
    trace_free(a->trace);
    model_free(a->model);
    config_free(a->cfg);
    free(a);
}

int
app_main(const struct app_opts *opts)
{
    struct pxerr err = {0};
    setlocale(LC_ALL, "");
    if (opts->log_path != NULL && log_open(opts->log_path, LOG_DEBUG, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        return 1;
    }
    struct app *a = xcalloc(1, sizeof *a);
    a->opts = opts;
    a->readonly = opts->sel.readonly;
    a->no_color = opts->no_color;
    glyphs_init(&a->glyphs, opts->ascii || !glyphs_locale_utf8());
    a->model = model_new();
    a->trace = trace_open(a->model);
    int rc = 0;

    /* Everything that can be refused is refused before curses takes the screen. */
    if (opts->replay != NULL) {
        if (snap_load_file(opts->replay, a->model, &err) < 0) {
            fprintf(stderr, "pxcmesh: %s\n", err.msg);
            rc = 1;
            goto out;
        }
        trace_data_ready(a->trace);
    } else if (config_select(&opts->sel, &a->cfg, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        rc = 1;
        goto out;
    } else {
        a->readonly = a->readonly || a->cfg->readonly;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "pxcmesh: the console needs a terminal on stdin and stdout; for scripts "
                        "use 'pxcmesh status'\n");
        rc = 1;
        goto out;
    }
    /* The theme: --theme, else "default" from the themes directory, else built in. A bad
     * theme keeps the default in force and says why once the screen is up. */
    char theme_err[sizeof err.msg] = "";
    const char *theme = opts->theme;
    if (theme == NULL && a->cfg != NULL)
        theme = a->cfg->theme;
    if (app_load_theme(theme != NULL ? theme : "default", &a->theme, &err) < 0) {
        if (theme != NULL)
            snprintf(theme_err, sizeof theme_err, "%s", err.msg);
        if (theme == NULL || app_load_theme("default", &a->theme, &err) < 0)
            a->theme = theme_new_builtin();
    }

    a->sbar = sbar_new();
    a->help = help_new("pxcmesh keys");
    a->cmd_edit = ledit_new(512);
    a->filter_edit = ledit_new(256);
    ledit_set_completion(a->cmd_edit, cmdline_complete, a);
    app_fill_help(a);
    for (size_t i = 0; view_registry[i] != NULL && a->n_views < APP_MAX_VIEWS; i++)
        a->views[a->n_views++] = view_registry[i]->create(a);
    a->cur = a->views[0];
    a->actions = actions_new(a);

    if (app_init_loop(a, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    if (a->cfg != NULL) {
        struct live_opts lo = {.readonly = a->readonly,
                               .mode = KUBE_MODE_WATCH,
                               .kubeconfig = opts->sel.kubeconfig,
                               .on_synced = trace_live_synced,
                               .arg = a->trace};
        if (live_start_opts(&a->loop, a->model, a->cfg, &lo, &a->live, &err) < 0) {
            fprintf(stderr, "pxcmesh: %s\n", err.msg);
            rc = 1;
            goto out;
        }
    }
    pxc_set_fatal_hook(term_restore);
    atexit(term_restore);
    if (app_start_curses(a, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    model_set_dirty_cb(a->model, on_model_dirty, a);
    app_format_clock(a);
    if (theme_err[0] != '\0')
        app_flash(a, APP_ERROR, "default theme in use: %s", theme_err);
    a->dirty = AD_ALL;
    app_schedule(a);
    uv_run(&a->loop, UV_RUN_DEFAULT);
out:
    model_set_dirty_cb(a->model, NULL, NULL);
    actions_free(a->actions); /* cancels its requests and probes before the clients go */
    a->actions = NULL;
    live_free(a->live); /* its handles close in app_fini_loop's last run */
    a->live = NULL;
    app_fini_loop(a);
    app_free(a);
    log_close();
    return rc;
}
