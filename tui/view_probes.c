/* view_probes: every probe run from the console (the model's probe store), one row each:
 * kind, target, from where, result, time taken, and how long ago it ran ("ran 12s ago",
 * ticking), with the selected one's detail below. A result is never shown as if it were
 * current: a probe running again says so next to its last result, and a result whose
 * target changed since (its ServiceEntry changed after the probe ran, its channel no
 * longer uses the host) is marked outdated with the reason. Keys re-run, cancel, or run
 * new probes for the selected host; all of it goes through the actions (act.h). */
#include <inttypes.h>
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
#include "model/model_probe.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "vutil.h"

static const struct tbl_col pr_cols[] = {
    {"KIND", 4, 0, 0, TBL_LEFT, 0},     {"TARGET", 12, 40, 1, TBL_LEFT, 0},
    {"FROM", 5, 24, 0, TBL_LEFT, 0},    {"RESULT", 10, 60, 1, TBL_LEFT, 0},
    {"TIME", 4, 0, 0, TBL_RIGHT, 2},    {"RAN", 8, 0, 0, TBL_RIGHT, 0},
    {"CHANNEL", 7, 32, 0, TBL_LEFT, 3},
};

struct pr_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct textv *detail;
};

static enum th_elem
status_elem(const struct m_probe *e, bool outdated)
{
    if (!e->has_result || outdated)
        return TH_STATE_MUTED;
    switch (e->r.status) {
    case PROBE_OK:
        return TH_STATE_OK;
    case PROBE_FAIL:
        return TH_STATE_BAD;
    case PROBE_TIMEOUT:
        return TH_STATE_WARN;
    case PROBE_CANCELLED:
        break;
    }
    return TH_STATE_MUTED;
}

static void
pr_from(const struct m_probe *e, char *buf, size_t n)
{
    if (e->cluster[0] == '\0')
        snprintf(buf, n, "local");
    else
        snprintf(buf, n, "%s/%s (mesh)", e->cluster, e->ns);
}

static void
pr_fill(struct pr_view *pv)
{
    struct app *a = pv->v.app;
    const struct model *m = app_model(a);
    int64_t now = clock_wall_ms();
    tbl_rows_begin(pv->t);
    /* Newest first. */
    for (size_t k = model_probe_count(m); k-- > 0;) {
        const struct m_probe *e = model_probe_at(m, k);
        char id[32], from[300], res[256], took[32] = "-", ran[64] = "-", why[256];
        snprintf(id, sizeof id, "%" PRIu64, e->id);
        bool outdated = model_probe_outdated(m, e, why, sizeof why);
        pr_from(e, from, sizeof from);
        if (e->has_result)
            snprintf(res, sizeof res, "%s%s: %s", outdated ? "outdated, was " : "",
                     probe_status_name(e->r.status), e->r.summary);
        else
            snprintf(res, sizeof res, "no result yet");
        if (e->running) {
            char age[32];
            clock_fmt_age(now - e->started_ms, age, sizeof age);
            snprintf(ran, sizeof ran, "running %s", age);
        } else if (e->has_result) {
            char age[32];
            clock_fmt_age(now - e->r.ran_wall_ms, age, sizeof age);
            snprintf(ran, sizeof ran, "ran %s ago", age);
        }
        if (e->has_result)
            snprintf(took, sizeof took, "%.0fms", e->r.elapsed_ms);
        tbl_row(pv->t, id, TH_NONE);
        tbl_cell(pv->t, probe_kind_name(e->kind), TH_NONE);
        tbl_cell(pv->t, e->target, TH_NONE);
        tbl_cell(pv->t, from, TH_STATE_MUTED);
        tbl_cell(pv->t, res, status_elem(e, outdated));
        tbl_cell_num(pv->t, took, e->has_result ? e->r.elapsed_ms : -1, TH_STATE_MUTED);
        tbl_cell(pv->t, ran, e->running ? TH_STATE_WARN : TH_STATE_MUTED);
        tbl_cell(pv->t, e->owner[0] ? e->owner : "-", TH_STATE_MUTED);
    }
    tbl_rows_end(pv->t);
}

static const struct m_probe *
pr_selected(struct pr_view *pv)
{
    const char *id = tbl_selected_id(pv->t);
    if (id == NULL)
        return NULL;
    return model_probe_find_id(app_model(pv->v.app), strtoull(id, NULL, 10));
}

static void
pr_fill_detail(struct pr_view *pv)
{
    const struct m_probe *e = pr_selected(pv);
    textv_clear(pv->detail);
    if (e == NULL) {
        textv_add_line(pv->detail,
                       app_model(pv->v.app)->replay
                           ? "A replay runs no probes: they test the present, not the snapshot."
                           : "No probe run yet: p probes every ServiceEntry host from here; "
                             "in the Channels view p probes a channel's sources in the mesh.",
                       TH_STATE_MUTED);
        return;
    }
    char line[1200], from[300], why[256];
    pr_from(e, from, sizeof from);
    snprintf(line, sizeof line, "%s %s from %s%s%s%s", probe_kind_name(e->kind), e->target, from,
             e->owner[0] ? " for channel " : "", e->owner, e->running ? ": running again now" : "");
    textv_add_line(pv->detail, line, e->running ? TH_STATE_WARN : TH_TEXT);
    model_probe_outdated(app_model(pv->v.app), e, why, sizeof why);
    if (why[0]) {
        snprintf(line, sizeof line, "outdated: %s (r runs it again)", why);
        textv_add_line(pv->detail, line, TH_STATE_WARN);
    }
    if (!e->has_result)
        return;
    char when[40];
    clock_fmt_rfc3339(e->r.ran_wall_ms, when, sizeof when);
    snprintf(line, sizeof line, "%s: %s (ran %s, took %.0f ms)", probe_status_name(e->r.status),
             e->r.summary, when, e->r.elapsed_ms);
    textv_add_line(pv->detail, line, status_elem(e, why[0] != '\0'));
    if (e->r.n_addrs > 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_append(&sb, "addresses:");
        for (int i = 0; i < e->r.n_addrs; i++)
            strbuf_appendf(&sb, " %s", e->r.addrs[i]);
        if (e->r.server[0])
            strbuf_appendf(&sb, " (server %s)", e->r.server);
        textv_add_line(pv->detail, sb.s, TH_TEXT);
        strbuf_fini(&sb);
    }
    if (e->r.via[0]) {
        snprintf(line, sizeof line, "via: %s", e->r.via);
        textv_add_line(pv->detail, line, TH_TEXT);
    }
    if (e->r.addr_used[0]) {
        snprintf(line, sizeof line, "connected to %s", e->r.addr_used);
        textv_add_line(pv->detail, line, TH_TEXT);
    }
    /* The tool's own output, line by line. */
    for (const char *l = e->r.detail, *nl; l != NULL && *l != '\0'; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        char *one = xstrndup(l, nl ? (size_t)(nl - l) : strlen(l));
        textv_add_line(pv->detail, one, TH_STATE_MUTED);
        free(one);
    }
}

static void
pr_sync(struct view *v)
{
    pr_fill((struct pr_view *)v);
}

static void
pr_render(struct view *v)
{
    struct pr_view *pv = (struct pr_view *)v;
    const struct theme *th = app_theme(v->app);
    const struct glyphs *g = app_glyphs(v->app);
    pr_fill(pv); /* ages tick */
    pr_fill_detail(pv);
    werase(v->win);
    int dh = pv->h / 3 < 6 ? 6 : pv->h / 3;
    if (dh > pv->h - 4)
        dh = pv->h - 4;
    int th_ = pv->h - dh;
    char info[64];
    tbl_pos_text(pv->t, info, sizeof info);
    frame_draw(v->win, 0, 0, th_, pv->w, "Probes (newest first)", info, true, th, g);
    int iy, ix, ih, iw;
    frame_inner(0, 0, th_, pv->w, &iy, &ix, &ih, &iw);
    tbl_draw(pv->t, v->win, iy, ix, ih, iw, th, g, true);
    frame_draw(v->win, th_, 0, dh, pv->w, "Detail", NULL, false, th, g);
    frame_inner(th_, 0, dh, pv->w, &iy, &ix, &ih, &iw);
    textv_draw(pv->detail, v->win, iy, ix, ih, iw, th, g);
}

static void
pr_layout(struct view *v, int y, int x, int h, int w)
{
    struct pr_view *pv = (struct pr_view *)v;
    pv->y0 = y;
    pv->x0 = x;
    pv->h = h;
    pv->w = w;
    v->dirty = true;
}

static void
host_port(const char *target, char *host, size_t n, int *port)
{
    snprintf(host, n, "%s", target);
    *port = 3306;
    char *c = strrchr(host, ':');
    if (c != NULL && strchr(host, ':') == c) {
        *port = atoi(c + 1);
        *c = '\0';
    }
}

/* Where in-mesh probes of host run from: the row's cluster, else the first cluster with a
 * ServiceEntry declaring the host (in that entry's namespace). */
static bool
mesh_place(struct app *a, const struct m_probe *e, const char *host, char *cl, size_t cn, char *ns,
           size_t nn)
{
    if (e->cluster[0]) {
        snprintf(cl, cn, "%s", e->cluster);
        snprintf(ns, nn, "%s", e->ns);
        return true;
    }
    const struct model *m = app_model(a);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            for (int h = 0; h < se->n_hosts; h++)
                if (strcmp(se->hosts[h], host) == 0) {
                    snprintf(cl, cn, "%s", c->name);
                    snprintf(ns, nn, "%s", se->ns);
                    return true;
                }
        }
    }
    return false;
}

static unsigned
pr_action(struct view *v, enum key_action act)
{
    struct pr_view *pv = (struct pr_view *)v;
    struct app *a = v->app;
    const struct m_probe *e = pr_selected(pv);
    switch (act) {
    case KA_RERUN:
    case KA_CANCEL:
        if (e == NULL) {
            app_flash(a, APP_INFO, "no probe selected");
            return R_NONE;
        }
        if (act == KA_RERUN)
            app_act(a, ACT_PROBE_RERUN, &(struct act_args){.id = e->id});
        else
            app_act(a, ACT_PROBE_CANCEL, &(struct act_args){.id = e->id});
        v->dirty = true;
        return R_REDRAW;
    case KA_PROBE_LOCAL: {
        if (e != NULL) {
            char host[300];
            int port;
            host_port(e->target, host, sizeof host, &port);
            app_act(a, ACT_PROBE_HOST,
                    &(struct act_args){.host = host, .port = port, .owner = e->owner});
            return R_REDRAW;
        }
        /* No rows yet: every ServiceEntry host of every cluster. */
        const struct model *m = app_model(a);
        int n = 0;
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = m->clusters.items[i];
            for (size_t k = 0; k < c->sentries.n; k++) {
                const struct m_sentry *se = c->sentries.items[k];
                for (int h = 0; h < se->n_hosts; h++, n++)
                    app_act(
                        a, ACT_PROBE_HOST,
                        &(struct act_args){.host = se->hosts[h],
                                           .port = se->n_ports > 0 ? se->ports[0].number : 3306});
            }
        }
        if (n == 0)
            app_flash(a, APP_INFO, "no ServiceEntry host to probe");
        return R_REDRAW;
    }
    case KA_PROBE_MESH: {
        if (e == NULL) {
            app_flash(a, APP_INFO, "select a probe first (p runs local ones)");
            return R_NONE;
        }
        char host[300], cl[128], ns[128];
        int port;
        host_port(e->target, host, sizeof host, &port);
        if (!mesh_place(a, e, host, cl, sizeof cl, ns, sizeof ns)) {
            app_flash(a, APP_WARN,
                      "no cluster declares %s in a ServiceEntry: say where to probe "
                      "from with `pxcmesh probe --from-cluster`",
                      host);
            return R_NONE;
        }
        app_act(a, ACT_PROBE_HOST,
                &(struct act_args){
                    .host = host, .port = port, .cluster = cl, .ns = ns, .owner = e->owner});
        return R_NONE;
    }
    default:
        break;
    }
    unsigned r = vutil_table_action(pv->t, act, a);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
pr_table(const struct view *v)
{
    return ((const struct pr_view *)v)->t;
}

static unsigned
pr_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct pr_view *pv = (struct pr_view *)v;
    (void)x;
    return vutil_table_mouse(pv->t, pv->y0, y, wheel_dy, 1, &v->dirty);
}

static struct view *
pr_create(struct app *a)
{
    struct pr_view *pv = xcalloc(1, sizeof *pv);
    pv->v.ops = &view_probes_ops;
    pv->v.app = a;
    pv->v.dirty = true;
    pv->t = tbl_new(pr_cols, sizeof pr_cols / sizeof pr_cols[0]);
    tbl_set_empty_text(pv->t, "no probes run yet (p: probe every ServiceEntry host from here)");
    pv->detail = textv_new();
    return &pv->v;
}

static void
pr_destroy(struct view *v)
{
    struct pr_view *pv = (struct pr_view *)v;
    tbl_free(pv->t);
    textv_free(pv->detail);
    free(pv);
}

const struct view_ops view_probes_ops = {
    .name = "probes",
    .title = "Probes",
    .interest = DIRTY_PROBES | DIRTY_SENTRIES | DIRTY_CHANNELS,
    .key = KA_VIEW_PROBES,
    .ticks = true,
    .scope = KS_PROBES,
    .create = pr_create,
    .destroy = pr_destroy,
    .layout = pr_layout,
    .sync = pr_sync,
    .render = pr_render,
    .action = pr_action,
    .table = pr_table,
    .mouse = pr_mouse,
};
