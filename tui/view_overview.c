/* view_overview: the start screen. Across the top, the replication topology, one line per
 * channel ("cluster-b ──cluster_b_source (lag 0.4s)──▶ cluster-a") coloured by health;
 * below, one column per cluster side by side (paged horizontally when they do not fit),
 * each with its API and Istio status and four sections: PXC, Pods, ServiceEntries and
 * Channels, problems first. Tab moves the focus through the sections of the columns shown;
 * the focused section's table takes the table keys.
 *
 * The lines the columns leave empty show the doctor's findings and the newest events.
 * It only reads the model; the rows come from view_overview_rows.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "config/config.h"
#include "frame.h"
#include "model/model.h"
#include "spark.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "view_overview_internal.h"
#include "vutil.h"
#include "wkey.h"
#include "wtext.h"

#define OV_COL_MIN_W 38
#define OV_TOPO_MAX 4 /* topology lines shown before "+N more" */

static const char *const sec_titles[SEC__COUNT] = {"PXC", "Pods", "ServiceEntries", "Channels"};

struct ov_rect {
    int col, sec, y, x, h, w;
};

struct ov_view {
    struct view v; /* first */
    int y0, x0, h, w;
    struct vec cols; /* owned struct ov_col *, in model order */
    int page_first;  /* index of the first cluster shown */
    int per_page;    /* columns that fit */
    int focus_col;   /* cluster index */
    int focus_sec;
    /* Last layout, for the mouse: each visible section's rectangle in the window. */
    struct ov_rect rects[64];
    bool filled; /* the tables hold the rows of model seq filled_seq */
    uint64_t filled_seq;
    int n_stale; /* channels shown stale at the last fill (their ages move) */
    int n_rects;
    struct textv *findings, *events; /* the panes below the columns */
    bool drawn;                      /* drawn_sig holds the signature of the last render */
    uint64_t drawn_sig;              /* ov_signature at the last render */
};

/* Keep one column per cluster, matched by name, in model order (tables keep their
 * selection and filter across refreshes). */
static void
ov_sync_cols(struct ov_view *o, const struct model *m)
{
    struct vec next;
    vec_init(&next, view_overview__col_free);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        struct ov_col *found = NULL;
        for (size_t j = 0; j < o->cols.n; j++) {
            struct ov_col *oc = vec_at(&o->cols, j);
            if (oc != NULL && strcmp(oc->cluster, c->name) == 0) {
                found = oc;
                o->cols.items[j] = NULL; /* moved to next */
                break;
            }
        }
        vec_push(&next, found != NULL ? found : view_overview__col_new(c->name));
    }
    for (size_t j = 0; j < o->cols.n; j++)
        if (o->cols.items[j] != NULL)
            view_overview__col_free(o->cols.items[j]);
    o->cols.n = 0;
    vec_fini(&o->cols);
    o->cols = next;
    int n = (int)o->cols.n;
    if (o->focus_col >= n)
        o->focus_col = n > 0 ? n - 1 : 0;
    if (o->page_first >= n)
        o->page_first = n > 0 ? n - 1 : 0;
}

/* ------------------------------------------------------------------ topology */

struct topo_line {
    const char *from, *via, *to; /* borrowed */
    char status[96];
    int health;
};

/* Health and status of one channel for its topology line: a stale read is at least a
 * warning and says its age instead of numbers nobody has seen lately. */
static int
ov_topo_health(const struct m_channel *ch, const struct health_limits *lag, int64_t now,
               int64_t refresh_ms, char *status, size_t n)
{
    int h = health_channel(ch, lag, NULL, 0);
    int64_t age = 0;
    if (vutil_channel_stale(ch, now, refresh_ms, &age)) {
        char a[32];
        clock_fmt_age(age, a, sizeof a);
        snprintf(status, n, "stale %s", a);
        return h > HEALTH_WARN ? h : HEALTH_WARN;
    }
    vutil_channel_status(ch, status, n);
    return h;
}

static int
ov_topology(const struct model *m, const struct health_limits *lag, int64_t now,
            int64_t refresh_ms, struct topo_line *out, int max, int *total)
{
    int n = 0;
    *total = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        for (size_t j = 0; j < c->channels.n; j++) {
            const struct m_channel *ch = vec_at(&c->channels, j);
            /* One line per (replica cluster, channel name): the worst of its servers. */
            int k;
            for (k = 0; k < n; k++)
                if (out[k].to == c->name && strcmp(out[k].via, ch->name) == 0)
                    break;
            char st[96];
            int h = ov_topo_health(ch, lag, now, refresh_ms, st, sizeof st);
            if (k < n) {
                if (h > out[k].health) {
                    out[k].health = h;
                    snprintf(out[k].status, sizeof out[k].status, "%s", st);
                }
                continue;
            }
            (*total)++;
            if (n >= max)
                continue;
            out[n].from = vutil_source_cluster(m, ch->source_host);
            out[n].via = ch->name;
            out[n].to = c->name;
            out[n].health = h;
            snprintf(out[n].status, sizeof out[n].status, "%s", st);
            n++;
        }
    }
    return n;
}

static int
ov_print(struct ov_view *o, int y, int x, int maxx, const char *s, enum th_elem e)
{
    const struct app *a = o->v.app;
    if (x >= maxx)
        return x;
    return x + wtext_print(o->v.win, y, x, maxx - x, s, theme_attr(app_theme(a), e),
                           app_glyphs(a)->ascii);
}

static void
ov_draw_topology(struct ov_view *o, const struct topo_line *tl, int n, int total, int y)
{
    const struct glyphs *g = app_glyphs(o->v.app);
    for (int i = 0; i < n; i++) {
        static const enum th_elem he[] = {TH_TOPO_OK, TH_TOPO_WARN, TH_TOPO_BAD};
        enum th_elem e = he[tl[i].health];
        int x = ov_print(o, y + i, 1, o->w, tl[i].from, TH_TOPO_NODE);
        char buf[256];
        snprintf(buf, sizeof buf, " %s%s%s (%s)", glyph(g, G_HLINE), glyph(g, G_HLINE),
                 tl[i].via[0] ? tl[i].via : "(default)", tl[i].status);
        x = ov_print(o, y + i, x, o->w, buf, e);
        x = ov_print(o, y + i, x, o->w, glyph(g, tl[i].health == 2 ? G_LINK_BROKEN : G_LINK_RIGHT),
                     e);
        x = ov_print(o, y + i, x, o->w, " ", TH_TEXT);
        ov_print(o, y + i, x, o->w, tl[i].to, TH_TOPO_NODE);
    }
    if (total > n) {
        char buf[64];
        snprintf(buf, sizeof buf, "+%d more channels (2: channels view)", total - n);
        ov_print(o, y + n, 1, o->w, buf, TH_STATE_MUTED);
    }
}

/* ------------------------------------------------------------------ layout and render */

static struct ov_col *
ov_focused(const struct ov_view *o)
{
    if (o->cols.n == 0)
        return NULL;
    return vec_at(&o->cols, (size_t)o->focus_col);
}

static struct tbl *
ov_focused_tbl(const struct ov_view *o)
{
    struct ov_col *c = ov_focused(o);
    return c != NULL ? c->t[o->focus_sec] : NULL;
}

/* Heights for the sections in h lines: framed (>= 4 lines each) or, when they do not all
 * fit, one summary line each. */
static bool
ov_alloc(const struct ov_col *oc, int h, bool focused_col, int focus_sec, int *out)
{
    int need[SEC__COUNT], sum = 0;
    for (int s = 0; s < SEC__COUNT; s++) {
        size_t rows = tbl_count(oc->t[s]);
        need[s] = 3 + (rows > 0 ? (int)rows : 1) + (tbl_filter(oc->t[s])[0] ? 1 : 0);
        sum += need[s];
    }
    if (h < 4 * SEC__COUNT) {
        for (int s = 0; s < SEC__COUNT; s++)
            out[s] = s < h ? 1 : 0;
        return false;
    }
    if (sum <= h) {
        memcpy(out, need, sizeof need);
        return true;
    }
    int left = h;
    for (int s = 0; s < SEC__COUNT; s++) {
        out[s] = need[s] < 4 ? need[s] : 4;
        left -= out[s];
    }
    /* The focused section first, then round-robin, so its rows show when space is short. */
    if (focused_col && out[focus_sec] < need[focus_sec]) {
        int give = need[focus_sec] - out[focus_sec];
        if (give > left / 2)
            give = left / 2;
        out[focus_sec] += give;
        left -= give;
    }
    while (left > 0) {
        bool gave = false;
        for (int s = 0; s < SEC__COUNT && left > 0; s++)
            if (out[s] < need[s]) {
                out[s]++;
                left--;
                gave = true;
            }
        if (!gave)
            break;
    }
    return true;
}

/* "  MySQL via port-forward 3" (or "pod-ip 2, port-forward 1"): how the console reaches the
 * cluster's MySQL servers; false when no server's route is known (no MySQL yet, a replay
 * without routes). *bad: a route fails (its pods' Galera cells say why). */
static bool
ov_routes(const struct m_cluster *c, char *buf, size_t n, bool *bad)
{
    static const char *const names[] = {"pod-ip", "port-forward", "direct"};
    int count[3] = {0, 0, 0};
    for (size_t i = 0; i < c->servers.n; i++) {
        const struct m_server *s = vec_at(&c->servers, i);
        for (int k = 0; s->route != NULL && k < 3; k++)
            if (strcmp(s->route, names[k]) == 0)
                count[k]++;
        if (s->route_error != NULL)
            *bad = true;
    }
    size_t off = 0;
    for (int k = 0; k < 3; k++) {
        if (count[k] == 0)
            continue;
        int w = snprintf(buf + off, n - off, "%s%s %d", off ? ", " : "  MySQL via ", names[k],
                         count[k]);
        if (w < 0 || (size_t)w >= n - off)
            break;
        off += (size_t)w;
    }
    return off > 0;
}

/* Returns the lines the column used from y. */
static int
ov_draw_column(struct ov_view *o, const struct m_cluster *c, struct ov_col *oc, int ci, int y,
               int x, int w, int h)
{
    const struct app *a = o->v.app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    int maxx = x + w - 1;
    char buf[320];
    /* Line 1: name and API status. */
    int cx = ov_print(o, y, x, maxx, c->name, TH_TITLE);
    if (c->reachable)
        snprintf(buf, sizeof buf, " %s API ok", glyph(g, G_DOT_FULL));
    else
        snprintf(buf, sizeof buf, " %s API unreachable", glyph(g, G_CROSSMARK));
    cx = ov_print(o, y, cx, maxx, buf, c->reachable ? TH_STATE_OK : TH_STATE_BAD);
    /* The doctor's findings on this cluster (4 lists them; the rows they name are marked). */
    if (oc->n_err + oc->n_warn > 0) {
        snprintf(buf, sizeof buf, "  %s %d finding%s", glyph(g, oc->n_err ? G_CROSSMARK : G_WARN),
                 oc->n_err + oc->n_warn, oc->n_err + oc->n_warn == 1 ? "" : "s");
        cx = ov_print(o, y, cx, maxx, buf, oc->n_err ? TH_STATE_BAD : TH_STATE_WARN);
    }
    /* Stale data shows its age rather than passing for current. (While the API is
     * reachable the watches keep the data current; updated_ms is the last list.) */
    int64_t now = app_now_ms(a);
    if (!c->reachable && c->updated_ms > 0 && now >= c->updated_ms) {
        char age[32];
        clock_fmt_age(now - c->updated_ms, age, sizeof age);
        snprintf(buf, sizeof buf, "  data from %s ago", age);
        ov_print(o, y, cx, maxx, buf, TH_STATE_WARN);
    }
    /* Line 2: Istio and TLS. */
    if (c->istio_installed)
        snprintf(buf, sizeof buf, "Istio %s", c->istio_version ? c->istio_version : "(version ?)");
    else
        snprintf(buf, sizeof buf, "%s Istio not installed", glyph(g, G_WARN));
    cx = ov_print(o, y + 1, x, maxx, buf, c->istio_installed ? TH_TEXT : TH_STATE_WARN);
    if (c->insecure) {
        snprintf(buf, sizeof buf, "  %s insecure TLS", glyph(g, G_WARN));
        cx = ov_print(o, y + 1, cx, maxx, buf, TH_STATE_WARN);
    }
    bool route_bad = false;
    if (ov_routes(c, buf, sizeof buf, &route_bad))
        ov_print(o, y + 1, cx, maxx, buf, route_bad ? TH_STATE_BAD : TH_STATE_MUTED);
    int used = 2;
    if (c->error[0] != '\0' && h > 8) {
        ov_print(o, y + 2, x, maxx, c->error, TH_STATE_BAD);
        used = 3;
    }
    int sh[SEC__COUNT];
    bool focused_col = ci == o->focus_col;
    bool framed = ov_alloc(oc, h - used, focused_col, o->focus_sec, sh);
    int sy = y + used;
    for (int s = 0; s < SEC__COUNT; s++) {
        if (sh[s] <= 0)
            continue;
        bool focus = focused_col && s == o->focus_sec;
        char title[64], info[64];
        /* The focus is marked in text too, not only in colour (NO_COLOR, mono). */
        const char *mark = focus ? glyph(g, G_ARROW_RIGHT) : "";
        const char *sp = focus ? " " : "";
        if (oc->problems[s] > 0)
            snprintf(title, sizeof title, "%s%s%s %s%d", mark, sp, sec_titles[s],
                     glyph(g, G_CROSSMARK), oc->problems[s]);
        else
            snprintf(title, sizeof title, "%s%s%s", mark, sp, sec_titles[s]);
        tbl_pos_text(oc->t[s], info, sizeof info);
        if (framed) {
            frame_draw(o->v.win, sy, x, sh[s], w - 1, title, info, focus, th, g);
            int iy, ix, ih, iw;
            frame_inner(sy, x, sh[s], w - 1, &iy, &ix, &ih, &iw);
            tbl_draw(oc->t[s], o->v.win, iy, ix, ih, iw, th, g, focus);
        } else {
            snprintf(buf, sizeof buf, "%s%s  %zu", focus ? "" : "  ", title, tbl_total(oc->t[s]));
            wtext_draw(o->v.win, sy, x, w - 1, buf,
                       theme_attr(th, focus             ? TH_FRAME_TITLE_FOCUS
                                      : oc->problems[s] ? TH_STATE_BAD
                                                        : TH_TEXT),
                       WTEXT_LEFT, g->ascii);
        }
        if (o->n_rects < (int)(sizeof o->rects / sizeof o->rects[0]))
            o->rects[o->n_rects++] = (struct ov_rect){ci, s, sy, x, sh[s], w - 1};
        sy += sh[s];
    }
    return sy - y;
}

/* Channels stale at the time now, whose rows and topology show an age. */
static int
ov_count_stale(const struct model *m, struct app *a)
{
    int64_t now = app_now_ms(a), refresh_ms = vutil_app_refresh_ms(a);
    int n = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        for (size_t j = 0; j < c->channels.n; j++)
            n += vutil_channel_stale(vec_at(&c->channels, j), now, refresh_ms, NULL);
    }
    return n;
}

/* The clock moves the overview only through ages: a cluster's "data from 12s ago" while
 * unreachable, stale channels (their age, and the moment one turns stale or fresh), a pod's
 * AGE when it next changes. The findings below the columns show since when they hold, not
 * for how long, so an idle overview with findings does not tick either. */
static bool
ov_ages_shown(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    const struct model *m = app_model(v->app);
    int64_t now = app_now_ms(v->app);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        if (!c->reachable && c->updated_ms > 0)
            return true;
    }
    for (size_t i = 0; i < o->cols.n; i++) {
        const struct ov_col *oc = vec_at(&o->cols, i);
        if (oc->pods_age_next_ms > 0 && now >= oc->pods_age_next_ms)
            return true;
    }
    return o->n_stale != 0 || ov_count_stale(m, v->app) != 0;
}

static void
ov_sync(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    const struct model *m = app_model(v->app);
    const struct glyphs *g = app_glyphs(v->app);
    /* The rows hold no ages (those are drawn in render), so a clock tick with an unchanged
     * model costs nothing here, even with thousands of pods. */
    if (o->filled && o->filled_seq == m->seq) {
        /* Stale channels show an age that moves with the clock: refill only their tables
         * (a handful of rows) until they are fresh again. */
        int64_t now = app_now_ms(v->app);
        int now_stale = ov_count_stale(m, v->app);
        bool ages = false;
        for (size_t i = 0; i < o->cols.n; i++) {
            const struct ov_col *oc = vec_at(&o->cols, i);
            ages |= oc->pods_age_next_ms > 0 && now >= oc->pods_age_next_ms;
        }
        if (now_stale == 0 && o->n_stale == 0 && !ages)
            return;
        o->n_stale = 0;
        for (size_t i = 0; i < o->cols.n; i++) {
            struct ov_col *oc = vec_at(&o->cols, i);
            const struct m_cluster *c = vec_at(&m->clusters, i);
            struct vutil_marks mk;
            vutil_marks_build(&mk, m, c->name);
            o->n_stale += view_overview__fill_chan(oc, c, g, v->app, &mk);
            if (oc->pods_age_next_ms > 0 && now >= oc->pods_age_next_ms)
                view_overview__fill_pods(oc, c, g, &mk, now);
            vutil_marks_fini(&mk);
        }
        return;
    }
    o->filled = true;
    o->filled_seq = m->seq;
    ov_sync_cols(o, m);
    o->n_stale = 0;
    for (size_t i = 0; i < o->cols.n; i++) {
        struct ov_col *oc = vec_at(&o->cols, i);
        const struct m_cluster *c = vec_at(&m->clusters, i);
        struct vutil_marks mk;
        vutil_marks_build(&mk, m, c->name);
        oc->n_err = mk.n_errors;
        oc->n_warn = mk.n_warnings;
        view_overview__fill_pxc(oc, c, g, &mk);
        int64_t now = app_now_ms(v->app);
        uint64_t ps = model_cluster_pods_seq(m, c);
        /* 10,000 pod rows cost 25-35 ms: refilled when the pods or their marks change, not
         * at every finding (a channel's, a ServiceEntry's). */
        uint64_t pm = vutil_marks_sig(&mk, "pod");
        if (oc->pods_seq != ps || oc->pod_marks != pm ||
            (oc->pods_age_next_ms > 0 && now >= oc->pods_age_next_ms)) {
            view_overview__fill_pods(oc, c, g, &mk, now);
            oc->pods_seq = ps;
            oc->pod_marks = pm;
        }
        view_overview__fill_se(oc, c, g, &mk);
        o->n_stale += view_overview__fill_chan(oc, c, g, v->app, &mk);
        vutil_marks_fini(&mk);
    }
}

/* ---- what a render would draw, as one number ---- */

static uint64_t
sig_mix(uint64_t h, uint64_t x)
{
    h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

static uint64_t
sig_str(uint64_t h, const char *s)
{
    h = sig_mix(h, s == NULL);
    for (; s != NULL && *s; s++)
        h = sig_mix(h, (unsigned char)*s);
    return h;
}

/* Everything ov_render draws depends on: the layout and focus, the topology lines, each
 * shown cluster's header fields and route line, each section's rows (tbl_content_hash),
 * problems, selection and scroll, and the panes below (the findings with their moments, the
 * events ring). 0 when a cluster shows "data from 12s ago". */
static uint64_t
ov_signature(struct ov_view *o)
{
    struct app *a = o->v.app;
    const struct model *m = app_model(a);
    int64_t now = app_now_ms(a);
    uint64_t h = sig_mix(0, (uint64_t)o->y0 << 48 ^ (uint64_t)o->x0 << 32 ^ (uint64_t)o->h << 16 ^
                                (uint64_t)o->w);
    h = sig_mix(h, (uint64_t)o->page_first << 40 ^ (uint64_t)o->focus_col << 20 ^
                       (uint64_t)o->focus_sec);
    h = sig_mix(h, o->cols.n);
    struct topo_line tl[OV_TOPO_MAX];
    int total = 0;
    struct health_limits lag = vutil_app_lag(a);
    int n = ov_topology(m, &lag, now, vutil_app_refresh_ms(a), tl, o->h >= 24 ? OV_TOPO_MAX : 1,
                        &total);
    h = sig_mix(h, (uint64_t)n << 32 ^ (uint64_t)total);
    for (int i = 0; i < n; i++) {
        h = sig_str(sig_str(sig_str(h, tl[i].from), tl[i].via), tl[i].to);
        h = sig_mix(sig_str(h, tl[i].status), (uint64_t)tl[i].health);
    }
    for (size_t i = 0; i < o->cols.n && i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        const struct ov_col *oc = vec_at(&o->cols, i);
        if (!c->reachable && c->updated_ms > 0)
            return 0;
        h = sig_str(sig_str(h, c->name), c->istio_version);
        h = sig_str(h, c->error);
        h = sig_mix(h, (uint64_t)c->reachable << 2 | (uint64_t)c->istio_installed << 1 |
                           (uint64_t)c->insecure);
        h = sig_mix(h, (uint64_t)(uint32_t)oc->n_err << 32 | (uint32_t)oc->n_warn);
        char routes[320];
        bool route_bad = false;
        if (ov_routes(c, routes, sizeof routes, &route_bad))
            h = sig_mix(sig_str(h, routes), route_bad);
        for (int sec = 0; sec < SEC__COUNT; sec++) {
            h = sig_mix(h, tbl_content_hash(oc->t[sec]));
            h = sig_mix(h, (uint64_t)(uint32_t)oc->problems[sec] << 32 ^
                               (uint64_t)(uint32_t)tbl_selected(oc->t[sec]));
            h = sig_mix(h, (uint64_t)tbl_top(oc->t[sec]) << 32 ^ tbl_count(oc->t[sec]));
        }
    }
    h = sig_mix(h, m->findings_seq);
    if (m->findings.n > 0) /* a finding's "since" turns into its date once a day old */
        h = sig_mix(h, (uint64_t)(now / (86400 * 1000LL)));
    h = sig_mix(h, (uint64_t)(uint32_t)m->ev_head << 32 | (uint32_t)m->ev_len);
    return h == 0 ? 1 : h;
}

/* After a model change: the same screen as the last render (a lag sample like the last one,
 * a Galera counter the overview does not show). */
static bool
ov_same(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    if (!o->drawn)
        return false;
    uint64_t sig = ov_signature(o);
    return sig != 0 && sig == o->drawn_sig;
}

/* One pane's lines, wrapped while they all fit (a finding's message is worth reading
 * whole), else one a line, clipped, so that the most of them show. */
static void
ov_draw_pane(struct textv *tv, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
             const struct glyphs *g)
{
    textv_set_wrap(tv, true);
    textv_set_size(tv, h, w);
    if (textv_n_vlines(tv) > (size_t)h)
        textv_set_wrap(tv, false);
    textv_draw(tv, win, y, x, h, w, th, g);
}

/* The lines the columns leave empty (a tall terminal): the doctor's findings and the
 * newest events, side by side from 100 columns, else stacked. Nothing below 4 lines.
 * The boxes line up with the columns' frames: they span cells 0..right, and side by side
 * the events start at cell split + 1 (a column's frame starts one cell past its slot). */
static void
ov_draw_recent(struct ov_view *o, int y, int h, int split, int right)
{
    const struct app *a = o->v.app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    const struct model *m = app_model(o->v.app);
    if (h < 4 || o->w < 40)
        return;
    int n_fd = view_overview__fill_findings(o->findings, m, app_now_ms(a));
    view_overview__fill_events(o->events, m, h);
    char fd_title[64], ev_title[64];
    snprintf(fd_title, sizeof fd_title, "Findings (%d)", n_fd);
    snprintf(ev_title, sizeof ev_title, "Newest events (%d)", m->ev_len);
    int iy, ix, ih, iw;
    int fy = y, fx = 0, fh = h, fw = right + 1, ey = y, ex = 0, eh = h, ew = right + 1;
    if (o->w >= 100) {
        fw = split - 1;
        ex = split + 1;
        ew = right + 1 - ex;
    } else {
        fh = (n_fd > 0 ? n_fd : 1) + 2;
        if (fh > h / 2)
            fh = h / 2;
        ey = y + fh;
        eh = h - fh;
    }
    frame_draw(o->v.win, fy, fx, fh, fw, fd_title, "press 4", false, th, g);
    frame_inner(fy, fx, fh, fw, &iy, &ix, &ih, &iw);
    ov_draw_pane(o->findings, o->v.win, iy, ix, ih, iw, th, g);
    if (eh >= 3) {
        frame_draw(o->v.win, ey, ex, eh, ew, ev_title, "press 3", false, th, g);
        frame_inner(ey, ex, eh, ew, &iy, &ix, &ih, &iw);
        ov_draw_pane(o->events, o->v.win, iy, ix, ih, iw, th, g);
    }
}

static void
ov_render(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    struct app *a = v->app;
    const struct model *m = app_model(a);
    const struct glyphs *g = app_glyphs(a);
    o->drawn_sig = ov_signature(o);
    o->drawn = true;
    werase(v->win);
    o->n_rects = 0;
    int y = 0;
    struct topo_line tl[OV_TOPO_MAX];
    int total = 0;
    int max_topo = o->h >= 24 ? OV_TOPO_MAX : 1;
    struct health_limits lag = vutil_app_lag(a);
    int n = ov_topology(m, &lag, app_now_ms(a), vutil_app_refresh_ms(a), tl, max_topo, &total);
    if (n > 0) {
        ov_draw_topology(o, tl, n, total, y);
        y += n + (total > n ? 1 : 0);
    }
    int nc = (int)o->cols.n;
    if (nc == 0) {
        ov_print(o, y + 1, 1, o->w, "no clusters: pass --context NAME or add them to the config",
                 TH_STATE_MUTED);
        return;
    }
    o->per_page = o->w / OV_COL_MIN_W;
    if (o->per_page < 1)
        o->per_page = 1;
    if (o->page_first > nc - 1)
        o->page_first = nc - 1;
    int shown = nc - o->page_first < o->per_page ? nc - o->page_first : o->per_page;
    if (nc > o->per_page) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s clusters %d-%d of %d %s  ([ ] pages)",
                 o->page_first > 0 ? glyph(g, G_PAGE_LEFT) : " ", o->page_first + 1,
                 o->page_first + shown, nc,
                 o->page_first + shown < nc ? glyph(g, G_PAGE_RIGHT) : " ");
        int bw = wtext_width(buf, g->ascii);
        wtext_print(v->win, y, o->w - bw - 1 > 0 ? o->w - bw - 1 : 0, o->w, buf,
                    theme_attr(app_theme(a), TH_FRAME_INFO), g->ascii);
        y++;
    }
    int cw = o->w / (nc > o->per_page ? o->per_page : shown);
    int used = 0, right = o->w - 1;
    for (int i = 0; i < shown; i++) {
        int ci = o->page_first + i;
        int x = i * cw;
        int w = i == shown - 1 && nc <= o->per_page ? o->w - x : cw;
        int u = ov_draw_column(o, vec_at(&m->clusters, (size_t)ci), vec_at(&o->cols, (size_t)ci),
                               ci, y, x + (i == 0 ? 0 : 1), w - (i == 0 ? 0 : 1), o->h - y);
        if (u > used)
            used = u;
        right = x + w - 2; /* the last frame's right edge (frames are a cell short) */
    }
    /* Side by side, the split falls between two columns (the middle one), or halves one. */
    int split = shown >= 2 ? (shown + 1) / 2 * cw : o->w / 2;
    ov_draw_recent(o, y + used, o->h - (y + used), split, right);
}

static void
ov_layout(struct view *v, int y, int x, int h, int w)
{
    struct ov_view *o = (struct ov_view *)v;
    o->y0 = y;
    o->x0 = x;
    o->h = h;
    o->w = w;
    v->dirty = true;
}

/* ------------------------------------------------------------------ actions */

static void
ov_show_focus(struct ov_view *o)
{
    if (o->per_page < 1)
        o->per_page = 1;
    if (o->focus_col < o->page_first)
        o->page_first = o->focus_col;
    if (o->focus_col >= o->page_first + o->per_page)
        o->page_first = o->focus_col - o->per_page + 1;
}

/* d: the selected row of the focused section (ids "ns/name", channels "server/name"). */
static unsigned
ov_describe(struct ov_view *o)
{
    static const char *const kinds[SEC__COUNT] = {"pxc", "pod", "serviceentry", "channel"};
    struct ov_col *oc = o->cols.items[o->focus_col];
    const char *id = tbl_selected_id(oc->t[o->focus_sec]);
    const char *slash = id != NULL ? strchr(id, '/') : NULL;
    if (slash == NULL) {
        app_flash(o->v.app, APP_INFO, "nothing selected to describe in %s's %s", oc->cluster,
                  sec_titles[o->focus_sec]);
        return R_NONE;
    }
    char *first = xstrndup(id, (size_t)(slash - id));
    struct describe_target t = {kinds[o->focus_sec], oc->cluster, first, slash + 1, NULL};
    if (o->focus_sec == SEC_CHAN) {
        t.ns = NULL;
        t.server = first;
    }
    view_describe_open(o->v.app, &t, &view_overview_ops);
    free(first);
    return R_REDRAW | R_HINTS;
}

static unsigned
ov_action(struct view *v, enum key_action act)
{
    struct ov_view *o = (struct ov_view *)v;
    int nc = (int)o->cols.n;
    struct tbl *t = ov_focused_tbl(o);
    if (nc == 0)
        return R_UNHANDLED;
    switch (act) {
    case KA_FOCUS_NEXT:
        if (++o->focus_sec >= SEC__COUNT) {
            o->focus_sec = 0;
            o->focus_col = (o->focus_col + 1) % nc;
        }
        break;
    case KA_FOCUS_PREV:
        if (--o->focus_sec < 0) {
            o->focus_sec = SEC__COUNT - 1;
            o->focus_col = (o->focus_col + nc - 1) % nc;
        }
        break;
    case KA_COL_NEXT:
        if (o->focus_col + 1 < nc)
            o->focus_col++;
        break;
    case KA_COL_PREV:
        if (o->focus_col > 0)
            o->focus_col--;
        break;
    case KA_PAGE_NEXT:
        if (o->page_first + o->per_page < nc) {
            o->page_first += o->per_page;
            o->focus_col = o->page_first;
        }
        v->dirty = true;
        return R_REDRAW;
    case KA_PAGE_PREV:
        o->page_first = o->page_first > o->per_page ? o->page_first - o->per_page : 0;
        o->focus_col = o->page_first;
        v->dirty = true;
        return R_REDRAW;
    case KA_ENTER: { /* a channel row opens its detail; other rows, their text */
        struct ov_col *oc = o->cols.items[o->focus_col];
        const char *id = o->focus_sec == SEC_CHAN ? tbl_selected_id(oc->t[SEC_CHAN]) : NULL;
        const char *slash = id != NULL ? strchr(id, '/') : NULL;
        if (slash == NULL) {
            unsigned r = vutil_table_action(t, act, v->app);
            if (r != R_UNHANDLED)
                v->dirty = true;
            return r;
        }
        char *server = xstrndup(id, (size_t)(slash - id));
        view_chdetail_open(v->app, oc->cluster, server, slash + 1, &view_overview_ops);
        free(server);
        return R_REDRAW | R_HINTS;
    }
    case KA_LOGS: /* the Pods section's selected pod (row id NS/NAME) */
        return view_logs_open_ref(v->app, ((struct ov_col *)o->cols.items[o->focus_col])->cluster,
                                  "pod", o->focus_sec == SEC_PODS ? tbl_selected_id(t) : NULL,
                                  &view_overview_ops);
    case KA_DESCRIBE:
        return ov_describe(o);
    case KA_CHANNEL_START:
    case KA_CHANNEL_STOP: { /* the selected channel of the Channels section */
        struct ov_col *oc = o->cols.items[o->focus_col];
        const char *id = o->focus_sec == SEC_CHAN ? tbl_selected_id(oc->t[SEC_CHAN]) : NULL;
        const char *slash = id != NULL ? strchr(id, '/') : NULL;
        if (slash == NULL) {
            app_flash(v->app, APP_INFO, "select a channel first (Tab to a Channels section)");
            return R_NONE;
        }
        char *server = xstrndup(id, (size_t)(slash - id));
        app_act(v->app, act == KA_CHANNEL_START ? ACT_CHANNEL_START : ACT_CHANNEL_STOP,
                &(struct act_args){.cluster = oc->cluster, .server = server, .name = slash + 1});
        free(server);
        return R_REDRAW;
    }
    case KA_PROBE_CHANNEL: { /* the selected channel, else the column's first */
        struct ov_col *oc = o->cols.items[o->focus_col];
        struct tbl *ct = oc->t[SEC_CHAN];
        const char *id = o->focus_sec == SEC_CHAN ? tbl_selected_id(ct) : NULL;
        if (id == NULL && tbl_count(ct) > 0)
            id = tbl_row_id(ct, 0);
        const char *slash = id != NULL ? strrchr(id, '/') : NULL;
        if (slash == NULL)
            app_flash(v->app, APP_INFO, "no replication channel in %s to probe", oc->cluster);
        else
            app_act(v->app, ACT_PROBE_CHANNEL,
                    &(struct act_args){.cluster = oc->cluster, .name = slash + 1});
        return R_NONE;
    }
    default: {
        unsigned r = vutil_table_action(t, act, v->app);
        if (r != R_UNHANDLED)
            v->dirty = true;
        return r;
    }
    }
    ov_show_focus(o);
    v->dirty = true;
    return R_REDRAW | R_HINTS;
}

static struct tbl *
ov_table(const struct view *v)
{
    return ov_focused_tbl((const struct ov_view *)v);
}

static unsigned
ov_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct ov_view *o = (struct ov_view *)v;
    y -= o->y0;
    x -= o->x0;
    for (int i = 0; i < o->n_rects; i++) {
        struct ov_rect *r = &o->rects[i];
        if (y < r->y || y >= r->y + r->h || x < r->x || x >= r->x + r->w)
            continue;
        o->focus_col = r->col;
        o->focus_sec = r->sec;
        struct tbl *t = ov_focused_tbl(o);
        if (wheel_dy != 0) {
            tbl_move(t, wheel_dy * 3);
        } else {
            /* Inside the frame: line 1 is the table header. */
            int row = tbl_row_at(t, y - (r->y + 1));
            if (row >= 0)
                tbl_select(t, row);
        }
        v->dirty = true;
        return R_REDRAW | R_HINTS;
    }
    return R_NONE;
}

void
view_overview_focus(struct app *a, const char *section)
{
    static const char *const names[SEC__COUNT] = {"pxc", "pods", "serviceentries", "channels"};
    struct ov_view *o = (struct ov_view *)app_view(a, &view_overview_ops);
    if (o == NULL)
        return;
    for (int s = 0; s < SEC__COUNT; s++)
        if (strcmp(names[s], section) == 0)
            o->focus_sec = s;
    o->v.dirty = true;
    struct pxerr err = {0};
    if (app_show_view(a, view_overview_ops.name, &err) < 0)
        app_flash(a, APP_ERROR, "%s", err.msg);
}

static struct view *
ov_create(struct app *a)
{
    struct ov_view *o = xcalloc(1, sizeof *o);
    o->v.ops = &view_overview_ops;
    o->v.app = a;
    o->v.dirty = true;
    vec_init(&o->cols, view_overview__col_free);
    o->findings = textv_new();
    o->events = textv_new();
    return &o->v;
}

static void
ov_destroy(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    vec_fini(&o->cols);
    textv_free(o->findings);
    textv_free(o->events);
    free(o);
}

const struct view_ops view_overview_ops = {
    .name = "overview",
    .title = "Overview",
    .interest = DIRTY_CLUSTERS | DIRTY_PODS | DIRTY_PXC | DIRTY_SENTRIES | DIRTY_CHANNELS |
                DIRTY_GALERA | DIRTY_NAMESPACES | DIRTY_EVENTS | DIRTY_FINDINGS |
                DIRTY_SERVERS, /* servers: the route line */
    .key = KA_VIEW_OVERVIEW,
    .ticks = true, /* "3s ago" per cluster */
    .ages_shown = ov_ages_shown,
    .scope = KS_OVERVIEW,
    .create = ov_create,
    .destroy = ov_destroy,
    .layout = ov_layout,
    .sync = ov_sync,
    .render = ov_render,
    .same = ov_same,
    .action = ov_action,
    .table = ov_table,
    .mouse = ov_mouse,
};
