/* view_logs: one pod's container log, followed, as the seed's `kubectl logs -f -c C POD`
 * shows it. Opened from a row that names a pod (the Injection view, the Overview's Pods
 * section, a finding; a channel or a MySQL server names the pod that runs it), left with
 * Esc back to where it came from, which stops the stream.
 *
 * The stream, the pod's containers and the bounded ring of lines are the backend's
 * (kube_logtail.h, logring.h: neutralised lines, at most 5,000 lines or 4 MB); this file
 * only shows them and asks: a line above names the containers (the one shown marked; c or
 * Tab shows the next), whether new lines are followed (scrolling up pauses, f toggles, G
 * follows again), how many old lines were dropped, and why the stream stopped (in words,
 * with r to reconnect). The lines are one table column, so the filter (`/`), the paging
 * keys and Enter (a whole long line in the status bar) work as everywhere. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "kube/kube_logtail.h"
#include "live/live.h"
#include "logring.h"
#include "model/model.h"
#include "tbl.h"
#include "view.h"
#include "vutil.h"
#include "wtext.h"

/* The first read: the log's last lines, whatever their age (a quiet container's last
 * lines are often the ones that matter). */
#define LG_TAIL_LINES 1000

static const struct tbl_col lg_cols[] = {
    {"LOG", 10, 0, 1, TBL_LEFT, 0},
};

struct lg_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct kube_logtail *tail; /* owned; NULL: no log open */
    char *cluster;             /* owned */
    const struct view_ops *back;
    bool follow;
    uint64_t filled_seq; /* ring seq the table shows */
    size_t filled_n;     /* ring lines the table shows (a cleared ring has the same seq) */
};

static void
on_tail_change(struct kube_logtail *t, void *arg)
{
    struct lg_view *lv = arg;
    (void)t;
    app_view_changed(lv->v.app, &lv->v);
}

static void
lg_fill(struct lg_view *lv)
{
    const struct logring *r = lv->tail != NULL ? kube_logtail_ring(lv->tail) : NULL;
    size_t n = r != NULL ? logring_count(r) : 0;
    uint64_t seq = r != NULL ? logring_seq(r) : 0;
    if (seq == lv->filled_seq && n == lv->filled_n)
        return;
    tbl_rows_begin(lv->t);
    for (size_t i = 0; i < n; i++) {
        bool cut, note;
        const char *s = logring_line(r, i, NULL, &cut, &note);
        char id[24];
        snprintf(id, sizeof id, "%llu", (unsigned long long)(seq - n + 1 + i));
        tbl_row(lv->t, id, note ? TH_STATE_MUTED : TH_NONE);
        if (cut)
            tbl_cellf(lv->t, TH_NONE, "%s [line cut at %u bytes]", s, LOGRING_LINE_MAX);
        else
            tbl_cell(lv->t, s, TH_NONE);
    }
    tbl_rows_end(lv->t);
    lv->filled_seq = seq;
    lv->filled_n = n;
    if (lv->follow && tbl_count(lv->t) > 0)
        tbl_select(lv->t, (int)tbl_count(lv->t) - 1);
}

static void
lg_sync(struct view *v)
{
    lg_fill((struct lg_view *)v);
}

/* What the status line says about the stream: its state, the key that helps. */
static enum th_elem
lg_state_text(const struct lg_view *lv, char *buf, size_t n)
{
    const struct kube_logtail *t = lv->tail;
    switch (kube_logtail_state(t)) {
    case KLT_READING_POD:
        snprintf(buf, n, "reading pod %s/%s...", kube_logtail_ns(t), kube_logtail_pod(t));
        return TH_STATE_MUTED;
    case KLT_FOLLOWING:
        snprintf(buf, n, "%s",
                 lv->follow ? "following new lines (f: pause)"
                            : "paused: new lines wait below (f or G: follow)");
        return lv->follow ? TH_STATE_OK : TH_STATE_WARN;
    case KLT_ENDED:
        snprintf(buf, n, "%s; r reconnects", kube_logtail_error(t));
        return TH_STATE_WARN;
    case KLT_FAILED:
        snprintf(buf, n, "%s; r tries again", kube_logtail_error(t));
        return TH_STATE_BAD;
    case KLT_GONE:
    default:
        snprintf(buf, n, "%s", kube_logtail_error(t));
        return TH_STATE_BAD;
    }
}

static void
lg_render(struct view *v)
{
    struct lg_view *lv = (struct lg_view *)v;
    struct app *a = v->app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    werase(v->win);
    char title[400], info[64];
    if (lv->tail != NULL)
        snprintf(title, sizeof title, "Log of %s/%s in %s", kube_logtail_ns(lv->tail),
                 kube_logtail_pod(lv->tail), lv->cluster);
    else
        snprintf(title, sizeof title, "Log");
    tbl_pos_text(lv->t, info, sizeof info);
    frame_draw(v->win, 0, 0, lv->h, lv->w, title, info, true, th, g);
    int iy, ix, ih, iw;
    frame_inner(0, 0, lv->h, lv->w, &iy, &ix, &ih, &iw);
    if (lv->tail == NULL) {
        wtext_draw(v->win, iy, ix, iw,
                   "No log open: press l on a pod (Injection, Findings) or L "
                   "in the Overview's Pods section.",
                   theme_attr(th, TH_STATE_MUTED), WTEXT_LEFT, g->ascii);
        return;
    }
    /* Line 1: the containers, the one shown marked. */
    struct strbuf sb;
    strbuf_init(&sb);
    const char *cur = kube_logtail_container(lv->tail);
    strbuf_append(&sb, "containers:");
    for (size_t i = 0; i < kube_logtail_n_containers(lv->tail); i++) {
        const char *c = kube_logtail_container_at(lv->tail, i);
        bool on = cur != NULL && strcmp(c, cur) == 0;
        strbuf_appendf(&sb, " %s%s%s", on ? "[" : "", c, on ? "]" : "");
    }
    if (kube_logtail_n_containers(lv->tail) > 1)
        strbuf_append(&sb, "  (c or Tab: next)");
    const struct logring *r = kube_logtail_ring(lv->tail);
    if (logring_dropped(r) > 0)
        strbuf_appendf(&sb, "  %llu older lines dropped (kept: the last %d lines, %u MB)",
                       (unsigned long long)logring_dropped(r), KUBE_LOGTAIL_MAX_LINES_DEFAULT,
                       KUBE_LOGTAIL_MAX_BYTES_DEFAULT >> 20);
    wtext_draw(v->win, iy, ix, iw, sb.s, theme_attr(th, TH_TEXT), WTEXT_LEFT, g->ascii);
    strbuf_fini(&sb);
    /* Line 2: the stream. */
    char st[600];
    enum th_elem e = lg_state_text(lv, st, sizeof st);
    if (ih > 1)
        wtext_draw(v->win, iy + 1, ix, iw, st, theme_attr(th, e), WTEXT_LEFT, g->ascii);
    if (ih > 2)
        tbl_draw(lv->t, v->win, iy + 2, ix, ih - 2, iw, th, g, true);
}

static void
lg_layout(struct view *v, int y, int x, int h, int w)
{
    struct lg_view *lv = (struct lg_view *)v;
    lv->y0 = y;
    lv->x0 = x;
    lv->h = h;
    lv->w = w;
    v->dirty = true;
}

static void
lg_close(struct lg_view *lv)
{
    kube_logtail_free(lv->tail);
    lv->tail = NULL;
    free(lv->cluster);
    lv->cluster = NULL;
    tbl_rows_begin(lv->t);
    tbl_rows_end(lv->t);
    tbl_set_filter(lv->t, "");
    lv->filled_seq = 0;
    lv->filled_n = SIZE_MAX; /* the next sync fills */
}

static void
lg_set_follow(struct lg_view *lv, bool on)
{
    lv->follow = on;
    if (on && tbl_count(lv->t) > 0)
        tbl_select(lv->t, (int)tbl_count(lv->t) - 1);
}

static unsigned
lg_next_container(struct lg_view *lv)
{
    struct app *a = lv->v.app;
    size_t n = lv->tail != NULL ? kube_logtail_n_containers(lv->tail) : 0;
    const char *cur = lv->tail != NULL ? kube_logtail_container(lv->tail) : NULL;
    if (n < 2 || cur == NULL) {
        app_flash(a, APP_INFO, "%s", n == 1 ? "this pod has one container" : "no other container");
        return R_NONE;
    }
    size_t i = 0;
    while (i < n && strcmp(kube_logtail_container_at(lv->tail, i), cur) != 0)
        i++;
    char *next = xstrdup(kube_logtail_container_at(lv->tail, (i + 1) % n));
    struct pxerr err = {0};
    if (kube_logtail_set_container(lv->tail, next, &err) < 0)
        app_flash(a, APP_ERROR, "%s", err.msg);
    free(next);
    lg_set_follow(lv, true);
    lv->v.dirty = true;
    return R_REDRAW;
}

static unsigned
lg_action(struct view *v, enum key_action act)
{
    struct lg_view *lv = (struct lg_view *)v;
    struct app *a = v->app;
    struct pxerr err = {0};
    switch (act) {
    case KA_BACK: {
        const struct view_ops *back = lv->back != NULL ? lv->back : &view_overview_ops;
        lg_close(lv);
        if (app_show_view(a, back->name, &err) < 0)
            app_flash(a, APP_ERROR, "%s", err.msg);
        return R_REDRAW | R_HINTS;
    }
    case KA_FOLLOW:
        lg_set_follow(lv, !lv->follow);
        v->dirty = true;
        return R_REDRAW;
    case KA_CONTAINER:
    case KA_FOCUS_NEXT: /* the pane's other "panes" are the pod's containers */
    case KA_FOCUS_PREV:
        return lg_next_container(lv);
    case KA_RECONNECT:
        if (lv->tail == NULL)
            return R_NONE;
        if (kube_logtail_reconnect(lv->tail, &err) < 0)
            app_flash(a, APP_INFO, "%s", err.msg);
        lg_set_follow(lv, true);
        v->dirty = true;
        return R_REDRAW;
    case KA_SORT:
    case KA_SORT_REVERSE:
        app_flash(a, APP_INFO, "log lines keep the order they were written in");
        return R_NONE;
    case KA_UP:
    case KA_PAGE_UP:
    case KA_TOP:
        lv->follow = false; /* reading back: new lines must not pull the view away */
        break;
    case KA_BOTTOM:
        lv->follow = true;
        break;
    default:
        break;
    }
    unsigned r = vutil_table_action(lv->t, act, a);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
lg_table(const struct view *v)
{
    return ((const struct lg_view *)v)->t;
}

static void
lg_filter_changed(struct view *v)
{
    struct lg_view *lv = (struct lg_view *)v;
    if (lv->follow)
        lg_set_follow(lv, true);
}

static unsigned
lg_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct lg_view *lv = (struct lg_view *)v;
    (void)x;
    if (wheel_dy <= 0)
        lv->follow = false;
    /* The table's header is the frame's line, plus the two status lines. */
    return vutil_table_mouse(lv->t, lv->y0 + 3, y, wheel_dy, 3, &v->dirty);
}

/* The pod that runs MySQL server `server` of c: the pod of that name, else the pod at that
 * address. */
static const struct m_pod *
server_pod(const struct m_cluster *c, const char *server)
{
    const struct m_server *s = NULL;
    for (size_t i = 0; i < c->servers.n && s == NULL; i++)
        if (strcmp(((const struct m_server *)c->servers.items[i])->name, server) == 0)
            s = c->servers.items[i];
    for (size_t i = 0; i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        if (strcmp(p->name, server) == 0 || (s != NULL && p->ip[0] && strcmp(p->ip, s->host) == 0))
            return p;
    }
    return NULL;
}

unsigned
view_logs_open_ref(struct app *a, const char *cluster, const char *kind, const char *id,
                   const struct view_ops *back)
{
    struct lg_view *lv = (struct lg_view *)app_view(a, &view_logs_ops);
    struct model *m = app_model(a);
    struct m_cluster *c = cluster != NULL ? model_cluster_find(m, cluster) : NULL;
    if (lv == NULL || c == NULL || kind == NULL || id == NULL) {
        app_flash(a, APP_INFO, "select a pod, a channel or a finding that names one first");
        return R_NONE;
    }
    char ns[256] = "", pod[256] = "";
    if (strcmp(kind, "pod") == 0 && strchr(id, '/') != NULL) {
        snprintf(ns, sizeof ns, "%.*s", (int)(strchr(id, '/') - id), id);
        snprintf(pod, sizeof pod, "%s", strchr(id, '/') + 1);
    } else if (strcmp(kind, "server") == 0 || strcmp(kind, "channel") == 0) {
        char server[256];
        snprintf(server, sizeof server, "%s", id);
        if (strcmp(kind, "channel") == 0) { /* the server the channel runs on */
            server[0] = '\0';
            for (size_t i = 0; i < c->channels.n && !server[0]; i++) {
                const struct m_channel *ch = c->channels.items[i];
                if (strcmp(ch->name, id) == 0)
                    snprintf(server, sizeof server, "%s", ch->server);
            }
        }
        char *slash = strchr(server, '/');
        if (slash != NULL)
            *slash = '\0';
        const struct m_pod *p = server[0] ? server_pod(c, server) : NULL;
        if (p == NULL) {
            app_flash(a, APP_INFO, "no pod in %s runs %s %s", cluster, kind, id);
            return R_NONE;
        }
        snprintf(ns, sizeof ns, "%s", p->ns);
        snprintf(pod, sizeof pod, "%s", p->name);
    } else {
        app_flash(a, APP_INFO, "%s %s names no pod whose log could be shown", kind, id);
        return R_NONE;
    }
    struct live *live = app_live(a);
    struct kube_client *kc = live != NULL ? live_client(live, cluster) : NULL;
    if (kc == NULL) {
        app_flash(a, APP_WARN, "no log of %s/%s: %s", ns, pod,
                  live == NULL ? "a replay has no cluster to read it from"
                               : "the cluster's context did not resolve");
        return R_NONE;
    }
    lg_close(lv);
    struct kube_logtail_opts o = {
        .ns = ns,
        .pod = pod,
        .tail_lines = LG_TAIL_LINES,
        .on_change = on_tail_change,
        .arg = lv,
    };
    struct pxerr err = {0};
    if (kube_logtail_start(kc, &o, &lv->tail, &err) < 0) {
        app_flash(a, APP_ERROR, "%s", err.msg);
        return R_NONE;
    }
    lv->cluster = xstrdup(cluster);
    lv->back = back != NULL && back != &view_logs_ops ? back : &view_overview_ops;
    lv->follow = true;
    lv->v.dirty = true;
    if (app_show_view(a, view_logs_ops.name, &err) < 0)
        app_flash(a, APP_ERROR, "%s", err.msg);
    return R_REDRAW | R_HINTS;
}

static struct view *
lg_create(struct app *a)
{
    struct lg_view *lv = xcalloc(1, sizeof *lv);
    lv->v.ops = &view_logs_ops;
    lv->v.app = a;
    lv->v.dirty = true;
    lv->t = tbl_new(lg_cols, sizeof lg_cols / sizeof lg_cols[0]);
    tbl_set_empty_text(lv->t, "no log lines yet");
    return &lv->v;
}

static void
lg_destroy(struct view *v)
{
    struct lg_view *lv = (struct lg_view *)v;
    lg_close(lv);
    tbl_free(lv->t);
    free(lv);
}

const struct view_ops view_logs_ops = {
    .name = "logs",
    .title = "Logs",
    .interest = 0,  /* the stream marks it dirty (app_view_changed) */
    .key = KA_NONE, /* l on a pod opens it */
    .ticks = false,
    .scope = KS_LOGS,
    .create = lg_create,
    .destroy = lg_destroy,
    .layout = lg_layout,
    .sync = lg_sync,
    .render = lg_render,
    .action = lg_action,
    .table = lg_table,
    .filter_changed = lg_filter_changed,
    .mouse = lg_mouse,
};
