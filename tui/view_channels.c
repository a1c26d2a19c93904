/* view_channels: every replication channel of every cluster in one table (cluster,
 * server, channel, source, threads, lag and its trend, GTID gap, last error, since),
 * problems first; u / x start and stop the selected channel through the actions (which
 * confirm, run it with the action user and report the outcome); Enter opens the
 * channel's detail (view_chdetail.c). A channel whose last read is older than three
 * refresh intervals is greyed and says how old its data is, rather than passing it off
 * as current. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "model/model.h"
#include "tbl.h"
#include "view.h"
#include "vutil.h"

/* In 80 columns the essentials stay (cluster, channel, source, threads, lag, error): the
 * server hides first (the detail shows it), then the trend, the gap and the age. IO is wide
 * enough for "Connecting", so a thread state is never cut to "Co…"; a wide terminal gives
 * its spare columns to the last error. */
static const struct tbl_col ch_cols[] = {
    {"CLUSTER", 9, 0, 0, TBL_LEFT, 0},  {"SERVER", 10, 24, 0, TBL_LEFT, 5},
    {"CHANNEL", 16, 32, 0, TBL_LEFT, 0}, {"SOURCE", 12, 40, 0, TBL_LEFT, 1},
    {"IO", 10, 0, 0, TBL_LEFT, 0},      {"SQL", 3, 0, 0, TBL_LEFT, 0},
    {"LAG", 4, 0, 0, TBL_RIGHT, 0},     {"TREND", 12, 12, 0, TBL_LEFT, 4},
    {"GAP", 3, 0, 0, TBL_RIGHT, 3},     {"LAST ERROR", 16, 80, 1, TBL_LEFT, 1},
    {"SINCE", 5, 0, 0, TBL_RIGHT, 3},
};

struct ch_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
};

struct ch_ranked {
    const struct m_cluster *c;
    const struct m_channel *ch;
    int health;
};

static int
ch_cmp(const void *x, const void *y)
{
    const struct ch_ranked *a = x, *b = y;
    if (a->health != b->health)
        return b->health - a->health;
    int r = strcmp(a->c->name, b->c->name);
    if (r == 0)
        r = strcmp(a->ch->name, b->ch->name);
    return r != 0 ? r : strcmp(a->ch->server, b->ch->server);
}

static void
ch_fill(struct ch_view *cv)
{
    struct app *a = cv->v.app;
    const struct model *m = app_model(a);
    const struct glyphs *g = app_glyphs(a);
    size_t n = 0;
    for (size_t i = 0; i < m->clusters.n; i++)
        n += ((const struct m_cluster *)vec_at(&m->clusters, i))->channels.n;
    struct ch_ranked *r = xcalloc(n ? n : 1, sizeof *r);
    size_t k = 0;
    struct health_limits lag = vutil_app_lag(a);
    int64_t now = app_now_ms(a), refresh_ms = vutil_app_refresh_ms(a);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = vec_at(&m->clusters, i);
        for (size_t j = 0; j < c->channels.n; j++) {
            const struct m_channel *ch = vec_at(&c->channels, j);
            int h = health_channel(ch, &lag, NULL, 0);
            /* Stale numbers are not known to be fine: at least a warning. */
            if (h == HEALTH_OK && vutil_channel_stale(ch, now, refresh_ms, NULL))
                h = HEALTH_WARN;
            r[k++] = (struct ch_ranked){c, ch, h};
        }
    }
    qsort(r, n, sizeof *r, ch_cmp);
    struct tbl *t = cv->t;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_channel *ch = r[i].ch;
        char id[600], buf[96];
        int64_t age_ms = 0;
        bool stale = vutil_channel_stale(ch, now, refresh_ms, &age_ms);
        /* A stale row is greyed whole: its colours would claim a state nobody saw lately. */
#define EL(e) (stale ? TH_STATE_MUTED : (e))
        snprintf(id, sizeof id, "%s/%s/%s", r[i].c->name, ch->server, ch->name);
        tbl_row(t, id, stale ? TH_STATE_MUTED : TH_NONE);
        tbl_cell(t, r[i].c->name, TH_NONE);
        tbl_cell(t, ch->server, TH_STATE_MUTED);
        tbl_cell(t, ch->name[0] ? ch->name : "(default)", TH_NONE);
        if (ch->source_port > 0 && ch->source_port != 3306)
            tbl_cellf(t, TH_NONE, "%s:%d", ch->source_host, ch->source_port);
        else
            tbl_cell(t, ch->source_host, TH_NONE);
        tbl_cell(t, model_thread_name(ch->io), EL(ch->io == THR_YES ? TH_STATE_OK : TH_STATE_BAD));
        tbl_cell(t, model_thread_name(ch->sql),
                 EL(ch->sql == THR_YES ? TH_STATE_OK : TH_STATE_BAD));
        vutil_fmt_lag(ch->lag_s, buf, sizeof buf);
        tbl_cell_num(t, buf, ch->lag_s, EL(vutil_lag_elem(ch->lag_s, &lag)));
        char spark[128];
        vutil_spark_text(ch, 12, g, spark, sizeof spark);
        tbl_cell(t, spark, EL(TH_SPARK));
        if (ch->gtid_gap >= 0) {
            snprintf(buf, sizeof buf, "%lld", (long long)ch->gtid_gap);
            tbl_cell_num(t, buf, (double)ch->gtid_gap,
                         EL(ch->gtid_gap > 0 ? TH_STATE_WARN : TH_NONE));
        } else {
            tbl_cell(t, "-", TH_STATE_MUTED);
        }
        const char *err = vutil_channel_error(ch);
        if (stale) {
            clock_fmt_age(age_ms, buf, sizeof buf);
            tbl_cellf(t, TH_STATE_WARN, "stale: last read %s ago%s%s", buf, err[0] ? "; " : "",
                      err);
        } else {
            tbl_cell(t, err[0] ? err : "-", err[0] ? TH_STATE_BAD : TH_STATE_MUTED);
        }
#undef EL
        if (ch->state_since_ms > 0 && now >= ch->state_since_ms) {
            clock_fmt_age(now - ch->state_since_ms, buf, sizeof buf);
            tbl_cell_num(t, buf, (double)(now - ch->state_since_ms), TH_NONE);
        } else {
            tbl_cell(t, "-", TH_STATE_MUTED);
        }
    }
    tbl_rows_end(t);
    free(r);
}

static void
ch_sync(struct view *v)
{
    ch_fill((struct ch_view *)v);
}

static void
ch_render(struct view *v)
{
    struct ch_view *cv = (struct ch_view *)v;
    struct app *a = v->app;
    werase(v->win);
    char info[64];
    tbl_pos_text(cv->t, info, sizeof info);
    frame_draw(v->win, 0, 0, cv->h, cv->w, "Channels", info, true, app_theme(a), app_glyphs(a));
    int iy, ix, ih, iw;
    frame_inner(0, 0, cv->h, cv->w, &iy, &ix, &ih, &iw);
    tbl_draw(cv->t, v->win, iy, ix, ih, iw, app_theme(a), app_glyphs(a), true);
}

static void
ch_layout(struct view *v, int y, int x, int h, int w)
{
    struct ch_view *cv = (struct ch_view *)v;
    cv->y0 = y;
    cv->x0 = x;
    cv->h = h;
    cv->w = w;
    v->dirty = true;
}

/* Start or stop the selected channel: the action (act_channel.c) confirms, runs and reports it. */
static unsigned
ch_channel_action(struct ch_view *cv, bool start)
{
    struct app *a = cv->v.app;
    const char *id = tbl_selected_id(cv->t);
    if (id == NULL) {
        app_flash(a, APP_WARN, "no channel selected");
        return R_NONE;
    }
    /* The row id is CLUSTER/SERVER/CHANNEL; cluster and server names hold no '/'. */
    const char *s1 = strchr(id, '/');
    const char *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
    if (s2 == NULL)
        return R_NONE;
    char *cluster = xstrndup(id, (size_t)(s1 - id));
    char *server = xstrndup(s1 + 1, (size_t)(s2 - s1 - 1));
    app_act(a, start ? ACT_CHANNEL_START : ACT_CHANNEL_STOP,
            &(struct act_args){.cluster = cluster, .server = server, .name = s2 + 1});
    free(cluster);
    free(server);
    return R_REDRAW;
}

static unsigned
ch_action(struct view *v, enum key_action act)
{
    struct ch_view *cv = (struct ch_view *)v;
    if (act == KA_CHANNEL_START)
        return ch_channel_action(cv, true);
    if (act == KA_CHANNEL_STOP)
        return ch_channel_action(cv, false);
    if (act == KA_ENTER) { /* the selected channel's detail */
        const char *id = tbl_selected_id(cv->t);
        const char *s1 = id != NULL ? strchr(id, '/') : NULL;
        const char *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
        if (s2 == NULL)
            return R_NONE;
        char *cluster = xstrndup(id, (size_t)(s1 - id));
        char *server = xstrndup(s1 + 1, (size_t)(s2 - s1 - 1));
        view_chdetail_open(v->app, cluster, server, s2 + 1, &view_channels_ops);
        free(cluster);
        free(server);
        return R_REDRAW | R_HINTS;
    }
    if (act == KA_DESCRIBE) { /* row id CLUSTER/SERVER/CHANNEL */
        const char *id = tbl_selected_id(cv->t);
        const char *s1 = id != NULL ? strchr(id, '/') : NULL;
        const char *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
        if (s2 == NULL) {
            app_flash(v->app, APP_WARN, "no channel selected");
            return R_NONE;
        }
        char *cluster = xstrndup(id, (size_t)(s1 - id));
        char *server = xstrndup(s1 + 1, (size_t)(s2 - s1 - 1));
        struct describe_target t = {"channel", cluster, NULL, s2 + 1, server};
        view_describe_open(v->app, &t, &view_channels_ops);
        free(cluster);
        free(server);
        return R_REDRAW | R_HINTS;
    }
    if (act == KA_PROBE_CHANNEL) { /* row id CLUSTER/SERVER/CHANNEL */
        const char *id = tbl_selected_id(cv->t);
        const char *s1 = id != NULL ? strchr(id, '/') : NULL;
        const char *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
        if (s2 != NULL) {
            char *cluster = xstrndup(id, (size_t)(s1 - id));
            app_act(v->app, ACT_PROBE_CHANNEL,
                    &(struct act_args){.cluster = cluster, .name = s2 + 1});
            free(cluster);
        }
        return R_NONE;
    }
    unsigned r = vutil_table_action(cv->t, act, v->app);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
ch_table(const struct view *v)
{
    return ((const struct ch_view *)v)->t;
}

static unsigned
ch_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct ch_view *cv = (struct ch_view *)v;
    (void)x;
    return vutil_table_mouse(cv->t, cv->y0, y, wheel_dy, 3, &v->dirty);
}

static struct view *
ch_create(struct app *a)
{
    struct ch_view *cv = xcalloc(1, sizeof *cv);
    cv->v.ops = &view_channels_ops;
    cv->v.app = a;
    cv->v.dirty = true;
    cv->t = tbl_new(ch_cols, sizeof ch_cols / sizeof ch_cols[0]);
    tbl_set_empty_text(cv->t, "no replication channels in any cluster");
    return &cv->v;
}

static void
ch_destroy(struct view *v)
{
    struct ch_view *cv = (struct ch_view *)v;
    tbl_free(cv->t);
    free(cv);
}

const struct view_ops view_channels_ops = {
    .name = "channels",
    .title = "Channels",
    .interest = DIRTY_CLUSTERS | DIRTY_CHANNELS,
    .key = KA_VIEW_CHANNELS,
    .ticks = true,
    .scope = KS_CHANNELS,
    .create = ch_create,
    .destroy = ch_destroy,
    .layout = ch_layout,
    .sync = ch_sync,
    .render = ch_render,
    .action = ch_action,
    .table = ch_table,
    .mouse = ch_mouse,
};
