/* view_overview: the start screen. Across the top, the replication topology, one line per
 * channel ("cluster-b ──cluster_b_source (lag 0.4s)──▶ cluster-a") coloured by health;
 * below, one column per cluster side by side (paged horizontally when they do not fit),
 * each with its API and Istio status and four sections: PXC, Pods, ServiceEntries and
 * Channels, problems first. Tab moves the focus through the sections of the columns shown;
 * the focused section's table takes the table keys.
 *
 * It only reads the model. What counts as a problem here is a display rule (a missing
 * sidecar, a stopped thread, a lag over the warning threshold), not a diagnosis: the
 * doctor's findings are a later view. */
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
#include "view.h"
#include "vutil.h"
#include "wkey.h"
#include "wtext.h"

#define OV_COL_MIN_W 38
#define OV_TOPO_MAX 4 /* topology lines shown before "+N more" */

enum ov_sec { SEC_PXC, SEC_PODS, SEC_SE, SEC_CHAN, SEC__COUNT };

static const char *const sec_titles[SEC__COUNT] = {"PXC", "Pods", "ServiceEntries", "Channels"};

/* Minimum widths fit the usual values ("Running", "Synced 3", "✓ injected"); when a
 * column is narrow, the least useful columns hide (highest prio first) rather than
 * every cell being cut. */
static const struct tbl_col pxc_cols[] = {
    {"NAME", 10, 24, 1, TBL_LEFT, 0},
    {"STATE", 5, 0, 0, TBL_LEFT, 0},
    {"READY", 5, 0, 0, TBL_RIGHT, 1},
    {"EXPOSE", 6, 0, 0, TBL_LEFT, 2},
};
static const struct tbl_col pod_cols[] = {
    {"NAME", 12, 24, 1, TBL_LEFT, 0},
    {"PHASE", 7, 0, 0, TBL_LEFT, 2},
    {"GALERA", 8, 0, 0, TBL_LEFT, 1},
    {"SIDECAR", 10, 0, 0, TBL_LEFT, 0},
};
static const struct tbl_col se_cols[] = {
    {"HOST", 14, 34, 1, TBL_LEFT, 0},
    {"EP", 2, 0, 0, TBL_RIGHT, 0},
    {"RESOLVE", 7, 0, 0, TBL_LEFT, 2},
    {"NAME", 10, 0, 0, TBL_LEFT, 3},
};
static const struct tbl_col chan_cols[] = {
    {"CHANNEL", 10, 20, 1, TBL_LEFT, 0}, {"IO/SQL", 7, 0, 0, TBL_LEFT, 0},
    {"LAG", 4, 0, 0, TBL_RIGHT, 0},      {"TREND", 6, 6, 0, TBL_LEFT, 3},
    {"ERROR", 8, 0, 2, TBL_LEFT, 1},
};

struct ov_col {
    char *cluster; /* owned: the cluster's name (columns follow clusters by name) */
    struct tbl *t[SEC__COUNT];
    int problems[SEC__COUNT];
    uint64_t pods_seq; /* model->pods_seq its pod rows show, 0: never filled. A channel's
                          lag sample every refresh must not rebuild 10,000 pod rows. */
    uint64_t findings_seq; /* model->findings_seq its marks show */
    int n_err, n_warn;     /* the doctor's findings on the cluster */
};

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
};

static void
ov_col_free(void *p)
{
    struct ov_col *c = p;
    for (int s = 0; s < SEC__COUNT; s++)
        tbl_free(c->t[s]);
    free(c->cluster);
    free(c);
}

static struct ov_col *
ov_col_new(const char *name)
{
    struct ov_col *c = xcalloc(1, sizeof *c);
    c->cluster = xstrdup(name);
    c->t[SEC_PXC] = tbl_new(pxc_cols, sizeof pxc_cols / sizeof pxc_cols[0]);
    c->t[SEC_PODS] = tbl_new(pod_cols, sizeof pod_cols / sizeof pod_cols[0]);
    c->t[SEC_SE] = tbl_new(se_cols, sizeof se_cols / sizeof se_cols[0]);
    c->t[SEC_CHAN] = tbl_new(chan_cols, sizeof chan_cols / sizeof chan_cols[0]);
    tbl_set_empty_text(c->t[SEC_PXC], "no PXC cluster");
    tbl_set_empty_text(c->t[SEC_PODS], "no pods");
    tbl_set_empty_text(c->t[SEC_SE], "no ServiceEntries");
    tbl_set_empty_text(c->t[SEC_CHAN], "no replication channels");
    return c;
}

/* Keep one column per cluster, matched by name, in model order (tables keep their
 * selection and filter across refreshes). */
static void
ov_sync_cols(struct ov_view *o, const struct model *m)
{
    struct vec next;
    vec_init(&next, ov_col_free);
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
        vec_push(&next, found != NULL ? found : ov_col_new(c->name));
    }
    for (size_t j = 0; j < o->cols.n; j++)
        if (o->cols.items[j] != NULL)
            ov_col_free(o->cols.items[j]);
    o->cols.n = 0;
    vec_fini(&o->cols);
    o->cols = next;
    int n = (int)o->cols.n;
    if (o->focus_col >= n)
        o->focus_col = n > 0 ? n - 1 : 0;
    if (o->page_first >= n)
        o->page_first = n > 0 ? n - 1 : 0;
}

/* ------------------------------------------------------------------ rows */

/* A row the doctor's findings name: ranked with them, its name marked. */
static int
marked_score(int score, int mark)
{
    int m = mark == SEV_ERROR ? 2 : mark == SEV_WARNING ? 1 : 0;
    return m > score ? m : score;
}

static void
name_cell(struct tbl *t, const char *name, enum th_elem e, int mark, const struct glyphs *g)
{
    if (mark == SEV_ERROR)
        tbl_cellf(t, TH_STATE_BAD, "%s %s", glyph(g, G_CROSSMARK), name);
    else if (mark == SEV_WARNING)
        tbl_cellf(t, TH_STATE_WARN, "%s %s", glyph(g, G_WARN), name);
    else
        tbl_cell(t, name, e);
}

struct ranked {
    const void *obj;
    int score; /* higher first: 2 bad, 1 warn, 0 fine */
    const char *k1, *k2;
};

static int
ranked_cmp(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->score != b->score)
        return b->score - a->score;
    int c = strcmp(a->k1 ? a->k1 : "", b->k1 ? b->k1 : "");
    return c != 0 ? c : strcmp(a->k2 ? a->k2 : "", b->k2 ? b->k2 : "");
}

static int
pxc_score(const struct m_pxc *x)
{
    if (x->state != NULL && strcmp(x->state, "error") == 0)
        return 2;
    if (x->state == NULL || strcmp(x->state, "ready") != 0 || x->ready < x->size)
        return 1;
    return x->expose ? 1 : 0;
}

static void
ov_fill_pxc(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
            const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_PXC];
    size_t n = c->pxcs.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const struct m_pxc *x = vec_at(&c->pxcs, i);
        char id[320];
        snprintf(id, sizeof id, "%s/%s", x->ns, x->name);
        r[i] = (struct ranked){x, marked_score(pxc_score(x), vutil_mark(mk, "pxc", id)), x->ns,
                               x->name};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_PXC] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_pxc *x = r[i].obj;
        char id[320];
        snprintf(id, sizeof id, "%s/%s", x->ns, x->name);
        oc->problems[SEC_PXC] += r[i].score > 0;
        tbl_row(t, id, TH_NONE);
        name_cell(t, x->name, TH_NONE, vutil_mark(mk, "pxc", id), g);
        const char *st = x->state != NULL ? x->state : "?";
        tbl_cell(t, st,
                 strcmp(st, "ready") == 0   ? TH_STATE_OK
                 : strcmp(st, "error") == 0 ? TH_STATE_BAD
                                            : TH_STATE_WARN);
        char rd[32];
        snprintf(rd, sizeof rd, "%d/%d", x->ready, x->size);
        tbl_cell_num(t, rd, x->ready, x->ready < x->size ? TH_STATE_WARN : TH_STATE_OK);
        if (x->expose)
            tbl_cellf(t, TH_STATE_WARN, "%s on", glyph(g, G_WARN));
        else
            tbl_cell(t, "off", TH_STATE_MUTED);
    }
    tbl_rows_end(t);
    free(r);
}

static int
pod_score(const struct m_pod *p)
{
    if (p->sidecar == SIDECAR_MISSING || (p->phase != NULL && strcmp(p->phase, "Failed") == 0))
        return 2;
    if (p->galera.known && p->galera.status != NULL && strcmp(p->galera.status, "Primary") != 0)
        return 2;
    if (p->galera.error != NULL)
        return 2; /* the server does not answer (what the row shows may be old) */
    if (p->restart_needed || !p->ready || p->phase == NULL || strcmp(p->phase, "Running") != 0)
        return 1;
    if (p->galera.known && (p->galera.state == NULL || strcmp(p->galera.state, "Synced") != 0))
        return 1;
    return 0;
}

static void
ov_fill_pods(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
             const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_PODS];
    size_t n = c->pods.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const struct m_pod *p = vec_at(&c->pods, i);
        int score = pod_score(p);
        if (mk->by_object.n > 0) { /* 10,000 rows: no key built when nothing is marked */
            char id[320];
            snprintf(id, sizeof id, "%s/%s", p->ns, p->name);
            score = marked_score(score, vutil_mark(mk, "pod", id));
        }
        r[i] = (struct ranked){p, score, p->ns, p->name};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_PODS] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_pod *p = r[i].obj;
        char id[320];
        snprintf(id, sizeof id, "%s/%s", p->ns, p->name);
        oc->problems[SEC_PODS] += r[i].score > 0;
        tbl_row(t, id, TH_NONE);
        name_cell(t, p->name, TH_NONE, vutil_mark(mk, "pod", id), g);
        const char *ph = p->phase != NULL ? p->phase : "?";
        bool running = strcmp(ph, "Running") == 0;
        if (running && !p->ready)
            tbl_cell(t, "NotReady", TH_STATE_WARN);
        else
            tbl_cell(t, ph,
                     running                        ? TH_STATE_OK
                     : strcmp(ph, "Failed") == 0    ? TH_STATE_BAD
                     : strcmp(ph, "Succeeded") == 0 ? TH_STATE_MUTED
                                                    : TH_STATE_WARN);
        if (p->galera.error != NULL) {
            /* The last read failed: say so and why, and how old the state is. A fixed time
             * (UTC, as in the event log), not a moving age: the pod rows are rebuilt only
             * when pods change. */
            char since[16] = "";
            if (p->galera.known && p->galera.updated_ms > 0)
                clock_fmt_hms(p->galera.updated_ms, since, sizeof since);
            /* "pxc-cluster-pxc-1 (host:port): connect: ...": the row already names it. */
            const char *why = p->galera.error, *q;
            if (strncmp(why, p->name, strlen(p->name)) == 0 && (q = strstr(why, "): ")) != NULL)
                why = q + 3;
            if (since[0])
                tbl_cellf(t, TH_STATE_BAD, "%s %s at %s; %s", glyph(g, G_CROSSMARK),
                          p->galera.state != NULL ? p->galera.state : "?", since, why);
            else
                tbl_cellf(t, TH_STATE_BAD, "%s no status: %s", glyph(g, G_CROSSMARK), why);
        } else if (!p->galera.known) {
            tbl_cell(t, "-", TH_STATE_MUTED);
        } else {
            const char *gs = p->galera.state != NULL ? p->galera.state : "?";
            bool primary = p->galera.status == NULL || strcmp(p->galera.status, "Primary") == 0;
            enum th_elem e = !primary                    ? TH_STATE_BAD
                             : strcmp(gs, "Synced") == 0 ? TH_STATE_OK
                                                         : TH_STATE_WARN;
            if (p->galera.cluster_size >= 0)
                tbl_cellf(t, e, "%s %d", gs, p->galera.cluster_size);
            else
                tbl_cell(t, gs, e);
        }
        if (p->sidecar == SIDECAR_MISSING)
            tbl_cellf(t, TH_STATE_BAD, "%s missing", glyph(g, G_CROSSMARK));
        else if (p->restart_needed)
            tbl_cellf(t, TH_STATE_WARN, "%s restart", glyph(g, G_WARN));
        else if (p->sidecar == SIDECAR_INJECTED)
            tbl_cellf(t, TH_STATE_OK, "%s injected", glyph(g, G_CHECK));
        else
            tbl_cell(t, "- off", TH_STATE_MUTED);
    }
    tbl_rows_end(t);
    free(r);
}

static int
se_score(const struct m_sentry *se)
{
    bool is_static = se->resolution != NULL && strcmp(se->resolution, "STATIC") == 0;
    if (is_static && se->n_endpoints == 0)
        return 2;
    return se->n_hosts == 0 ? 1 : 0;
}

static void
ov_fill_se(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
           const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_SE];
    size_t n = c->sentries.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const struct m_sentry *se = vec_at(&c->sentries, i);
        char id[320];
        snprintf(id, sizeof id, "%s/%s", se->ns, se->name);
        r[i] = (struct ranked){se, marked_score(se_score(se), vutil_mark(mk, "serviceentry", id)),
                               se->n_hosts ? se->hosts[0] : "", se->name};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_SE] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_sentry *se = r[i].obj;
        char id[320];
        snprintf(id, sizeof id, "%s/%s", se->ns, se->name);
        oc->problems[SEC_SE] += r[i].score > 0;
        tbl_row(t, id, TH_NONE);
        char host[300];
        if (se->n_hosts > 1)
            snprintf(host, sizeof host, "%s +%d", se->hosts[0], se->n_hosts - 1);
        else
            snprintf(host, sizeof host, "%s", se->n_hosts ? se->hosts[0] : "(no host)");
        name_cell(t, host, se->n_hosts ? TH_NONE : TH_STATE_WARN,
                  vutil_mark(mk, "serviceentry", id), g);
        char ep[16];
        snprintf(ep, sizeof ep, "%d", se->n_endpoints);
        tbl_cell_num(t, ep, se->n_endpoints, r[i].score == 2 ? TH_STATE_BAD : TH_NONE);
        tbl_cell(t, se->resolution != NULL ? se->resolution : "?", TH_NONE);
        tbl_cell(t, se->name, TH_STATE_MUTED);
    }
    tbl_rows_end(t);
    free(r);
}

/* Stale channels (last read older than 3 refresh intervals) show their age and grey out;
 * returns how many there are, so that sync refills while any are stale (ages move). */
static int
ov_fill_chan(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g, struct app *a,
             const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_CHAN];
    size_t n = c->channels.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    struct health_limits lag = vutil_app_lag(a);
    int64_t now = app_now_ms(a), refresh_ms = vutil_app_refresh_ms(a);
    int n_stale = 0;
    for (size_t i = 0; i < n; i++) {
        const struct m_channel *ch = vec_at(&c->channels, i);
        int h = health_channel(ch, &lag, NULL, 0);
        if (h == HEALTH_OK && vutil_channel_stale(ch, now, refresh_ms, NULL))
            h = HEALTH_WARN;
        h = marked_score(h, vutil_mark(mk, "channel", ch->name[0] ? ch->name : "(default)"));
        r[i] = (struct ranked){ch, h, ch->name, ch->server};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_CHAN] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_channel *ch = r[i].obj;
        char id[512], buf[64];
        snprintf(id, sizeof id, "%s/%s", ch->server, ch->name);
        oc->problems[SEC_CHAN] += r[i].score > 0;
        int64_t age_ms = 0;
        bool stale = vutil_channel_stale(ch, now, refresh_ms, &age_ms);
        n_stale += stale;
        tbl_row(t, id, stale ? TH_STATE_MUTED : TH_NONE);
        const char *nm = ch->name[0] ? ch->name : "(default)";
        name_cell(t, nm, TH_NONE, vutil_mark(mk, "channel", nm), g);
        bool ok = ch->io == THR_YES && ch->sql == THR_YES;
        tbl_cellf(t, stale ? TH_STATE_MUTED : ok ? TH_STATE_OK : TH_STATE_BAD, "%s/%s",
                  model_thread_name(ch->io), model_thread_name(ch->sql));
        vutil_fmt_lag(ch->lag_s, buf, sizeof buf);
        enum th_elem le = vutil_lag_elem(ch->lag_s, &lag);
        tbl_cell_num(t, buf, ch->lag_s, stale ? TH_STATE_MUTED : le);
        char spark[64];
        vutil_spark_text(ch, 6, g, spark, sizeof spark);
        tbl_cell(t, spark, stale ? TH_STATE_MUTED : le == TH_STATE_OK ? TH_SPARK : le);
        const char *err = vutil_channel_error(ch);
        if (stale) {
            clock_fmt_age(age_ms, buf, sizeof buf);
            tbl_cellf(t, TH_STATE_WARN, "stale %s%s%s", buf, err[0] ? ": " : "", err);
        } else {
            tbl_cell(t, err[0] ? err : "-", err[0] ? TH_STATE_BAD : TH_STATE_MUTED);
        }
    }
    tbl_rows_end(t);
    free(r);
    return n_stale;
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

static void
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
        int64_t now = app_now_ms(v->app), refresh_ms = vutil_app_refresh_ms(v->app);
        int now_stale = 0;
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = vec_at(&m->clusters, i);
            for (size_t j = 0; j < c->channels.n; j++)
                now_stale += vutil_channel_stale(vec_at(&c->channels, j), now, refresh_ms, NULL);
        }
        if (now_stale == 0 && o->n_stale == 0)
            return;
        o->n_stale = 0;
        for (size_t i = 0; i < o->cols.n; i++) {
            const struct m_cluster *c = vec_at(&m->clusters, i);
            struct vutil_marks mk;
            vutil_marks_build(&mk, m, c->name);
            o->n_stale += ov_fill_chan(vec_at(&o->cols, i), c, g, v->app, &mk);
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
        ov_fill_pxc(oc, c, g, &mk);
        if (oc->pods_seq != m->pods_seq || oc->findings_seq != m->findings_seq) {
            ov_fill_pods(oc, c, g, &mk);
            oc->pods_seq = m->pods_seq;
            oc->findings_seq = m->findings_seq;
        }
        ov_fill_se(oc, c, g, &mk);
        o->n_stale += ov_fill_chan(oc, c, g, v->app, &mk);
        vutil_marks_fini(&mk);
    }
}

static void
ov_render(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    struct app *a = v->app;
    const struct model *m = app_model(a);
    const struct glyphs *g = app_glyphs(a);
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
    for (int i = 0; i < shown; i++) {
        int ci = o->page_first + i;
        int x = i * cw;
        int w = i == shown - 1 && nc <= o->per_page ? o->w - x : cw;
        ov_draw_column(o, vec_at(&m->clusters, (size_t)ci), vec_at(&o->cols, (size_t)ci), ci, y,
                       x + (i == 0 ? 0 : 1), w - (i == 0 ? 0 : 1), o->h - y);
    }
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

static struct view *
ov_create(struct app *a)
{
    struct ov_view *o = xcalloc(1, sizeof *o);
    o->v.ops = &view_overview_ops;
    o->v.app = a;
    o->v.dirty = true;
    vec_init(&o->cols, ov_col_free);
    return &o->v;
}

static void
ov_destroy(struct view *v)
{
    struct ov_view *o = (struct ov_view *)v;
    vec_fini(&o->cols);
    free(o);
}

const struct view_ops view_overview_ops = {
    .name = "overview",
    .title = "Overview",
    .interest = DIRTY_CLUSTERS | DIRTY_PODS | DIRTY_PXC | DIRTY_SENTRIES | DIRTY_CHANNELS |
                DIRTY_GALERA | DIRTY_NAMESPACES | DIRTY_SERVERS, /* servers: the route line */
    .key = KA_VIEW_OVERVIEW,
    .ticks = true, /* "3s ago" per cluster */
    .scope = KS_OVERVIEW,
    .create = ov_create,
    .destroy = ov_destroy,
    .layout = ov_layout,
    .sync = ov_sync,
    .render = ov_render,
    .action = ov_action,
    .table = ov_table,
    .mouse = ov_mouse,
};
