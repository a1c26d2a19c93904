/* view_setup: the guided walkthrough "set up replication from cluster SOURCE to cluster
 * REPLICA" (the seed's approach 1). backends/doctor/setup.c decides the steps and their state
 * from the model and the latest in-mesh probe results; this view shows them in order
 * with the selected step's detail and its fix (the manifest as YAML, the SQL with the
 * password masked, the label or restart in words), and Enter runs that fix through
 * the actions (act.h: confirmation first). Nothing is re-checked by hand: the informers
 * and pollers update the model, each sync evaluates the plan again, and a probe's result
 * (the model's probe store) feeds the DNS and port steps. A result older than a change
 * of its ServiceEntry does not count (it is outdated: run it again). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "app.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "manifest/manifest.h"
#include "model/model.h"
#include "model/model_probe.h"
#include "doctor/setup.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "wkey.h"
#include "vutil.h"
#include "codec/yamlout.h"

static const struct tbl_col su_cols[] = {
    {"#", 2, 0, 0, TBL_RIGHT, 0},
    {"STEP", 20, 70, 1, TBL_LEFT, 0},
    {"STATE", 7, 0, 0, TBL_LEFT, 0},
    {"DETAIL", 10, 0, 2, TBL_LEFT, 1},
};

struct su_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct textv *detail;
    char source[128], replica[128]; /* chosen clusters ("" until the model has them) */
    bool chosen;                    /* the operator picked them (o / a) */
    struct setup_plan plan;
    bool have_plan;
    char last_sel_state[32]; /* state of the selected step at the last sync */
    char last_sel_id[64];
    char dialect[32]; /* the replica's SQL dialect as last seen on one of its channels */
};

static bool
has_cluster(const struct model *m, const char *name)
{
    return model_cluster_find((struct model *)m, name) != NULL;
}

/* Defaults: cluster-b -> cluster-a when both exist, else the second and first. */
static void
su_defaults(struct su_view *sv)
{
    const struct model *m = app_model(sv->v.app);
    if (sv->chosen && has_cluster(m, sv->source) && has_cluster(m, sv->replica))
        return;
    if (has_cluster(m, "cluster-b") && has_cluster(m, "cluster-a")) {
        snprintf(sv->source, sizeof sv->source, "cluster-b");
        snprintf(sv->replica, sizeof sv->replica, "cluster-a");
    } else if (m->clusters.n >= 2) {
        snprintf(sv->source, sizeof sv->source, "%s",
                 ((struct m_cluster *)m->clusters.items[1])->name);
        snprintf(sv->replica, sizeof sv->replica, "%s",
                 ((struct m_cluster *)m->clusters.items[0])->name);
    } else if (m->clusters.n == 1) {
        snprintf(sv->source, sizeof sv->source, "(another cluster)");
        snprintf(sv->replica, sizeof sv->replica, "%s",
                 ((struct m_cluster *)m->clusters.items[0])->name);
    }
}

/* Namespace, PXC name and channel: from the replica's PXC CR (a replication channel that
 * is not a source), else the seed's names. */
static void
su_names(struct su_view *sv, char *ns, size_t nn, char *pxc, size_t pn, char *chan, size_t cn,
         int *dialect)
{
    const struct model *m = app_model(sv->v.app);
    snprintf(ns, nn, "pxc");
    snprintf(pxc, pn, "pxc-cluster");
    snprintf(chan, cn, "%.100s_source", sv->source);
    for (char *s = chan; *s; s++)
        if (*s == '-')
            *s = '_';
    *dialect = MF_MYSQL8;
    struct m_cluster *rc = model_cluster_find((struct model *)m, sv->replica);
    if (rc == NULL)
        return;
    if (rc->pxcs.n > 0) {
        const struct m_pxc *x = rc->pxcs.items[0];
        snprintf(ns, nn, "%s", x->ns);
        snprintf(pxc, pn, "%s", x->name);
        for (size_t i = 0; i < x->channels.n; i++) {
            const struct m_pxc_channel *pc = x->channels.items[i];
            if (!pc->is_source) {
                snprintf(chan, cn, "%s", pc->name);
                break;
            }
        }
    }
    for (size_t i = 0; i < rc->channels.n; i++) {
        const struct m_channel *ch = rc->channels.items[i];
        if (ch->dialect != NULL)
            snprintf(sv->dialect, sizeof sv->dialect, "%s", ch->dialect);
    }
    /* Remembered: the channel may be gone (the set-up's last step re-creates it). */
    if (sv->dialect[0] != '\0') {
        if (strncmp(sv->dialect, "mariadb", 7) == 0)
            *dialect = MF_MARIADB;
        else if (strcmp(sv->dialect, "mysql-old") == 0)
            *dialect = MF_MYSQL57;
    }
}

/* The latest in-mesh result of kind for target from cluster, unless outdated or running. */
static const struct probe_result *
su_probe(struct app *a, enum probe_kind kind, const char *target, const char *cluster)
{
    const struct model *m = app_model(a);
    for (size_t i = 0; i < model_probe_count(m); i++) {
        const struct m_probe *e = model_probe_at(m, i);
        if (e->kind != kind || strcmp(e->target, target) != 0 || strcmp(e->cluster, cluster) != 0 ||
            !e->has_result || e->r.status == PROBE_CANCELLED)
            continue;
        char why[256];
        return model_probe_outdated(m, e, why, sizeof why) ? NULL : &e->r;
    }
    return NULL;
}

static bool
su_probe_running(struct app *a, const char *target, const char *cluster)
{
    const struct model *m = app_model(a);
    for (size_t i = 0; i < model_probe_count(m); i++) {
        const struct m_probe *e = model_probe_at(m, i);
        if (e->running && strcmp(e->target, target) == 0 && strcmp(e->cluster, cluster) == 0)
            return true;
    }
    return false;
}

static enum th_elem
state_elem(enum setup_state s)
{
    switch (s) {
    case SETUP_DONE:
        return TH_STATE_OK;
    case SETUP_MISSING:
        return TH_STATE_BAD;
    case SETUP_BLOCKED:
        return TH_STATE_MUTED;
    case SETUP_UNKNOWN:
        break;
    }
    return TH_STATE_WARN;
}

static void
su_evaluate(struct su_view *sv)
{
    struct app *a = sv->v.app;
    su_defaults(sv);
    char ns[128], pxc[128], chan[128];
    int dialect;
    su_names(sv, ns, sizeof ns, pxc, sizeof pxc, chan, sizeof chan, &dialect);
    char host[300], hostport[320];
    snprintf(host, sizeof host, "%s.%s.global", pxc, sv->source);
    snprintf(hostport, sizeof hostport, "%s:3306", host);
    struct setup_params p = {.source = sv->source,
                             .replica = sv->replica,
                             .ns = ns,
                             .pxc = pxc,
                             .channel = chan,
                             .dialect = dialect};
    struct health_limits lim = vutil_app_lag(a);
    p.limits = &lim;
    p.dns_probe = su_probe(a, PROBE_DNS, host, sv->replica);
    p.tcp_probe = su_probe(a, PROBE_TCP, hostport, sv->replica);
    if (sv->have_plan)
        setup_plan_fini(&sv->plan);
    setup_evaluate(app_model(a), &p, &sv->plan);
    sv->have_plan = true;
}

static void
su_fill(struct su_view *sv)
{
    struct app *a = sv->v.app;
    su_evaluate(sv);
    tbl_rows_begin(sv->t);
    for (int i = 0; i < sv->plan.n_steps; i++) {
        const struct setup_step *s = &sv->plan.steps[i];
        tbl_row(sv->t, s->id, TH_NONE);
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        tbl_cell_num(sv->t, num, i + 1, TH_STATE_MUTED);
        tbl_cell(sv->t, s->title, TH_NONE);
        const char *st = setup_state_name(s->state);
        if (s->fix == SETUP_FIX_PROBE && su_probe_running(a, s->fix_target, s->fix_cluster))
            st = "probing";
        tbl_cell(sv->t, st, state_elem(s->state));
        tbl_cell(sv->t, s->detail, TH_NONE);
    }
    tbl_rows_end(sv->t);
    /* When the selected step just became done, follow the walkthrough to the next one. */
    const char *id = tbl_selected_id(sv->t);
    const struct setup_step *sel = NULL;
    for (int i = 0; id != NULL && i < sv->plan.n_steps; i++)
        if (strcmp(sv->plan.steps[i].id, id) == 0)
            sel = &sv->plan.steps[i];
    if (sel != NULL && strcmp(sv->last_sel_id, sel->id) == 0 && sel->state == SETUP_DONE &&
        strcmp(sv->last_sel_state, "done") != 0) {
        int next = setup_next(&sv->plan);
        if (next >= 0) {
            tbl_select_id(sv->t, sv->plan.steps[next].id);
            sel = &sv->plan.steps[next];
        }
    }
    snprintf(sv->last_sel_id, sizeof sv->last_sel_id, "%s", sel ? sel->id : "");
    snprintf(sv->last_sel_state, sizeof sv->last_sel_state, "%s",
             sel ? setup_state_name(sel->state) : "");
}

static const struct setup_step *
su_selected(struct su_view *sv)
{
    const char *id = tbl_selected_id(sv->t);
    for (int i = 0; id != NULL && i < sv->plan.n_steps; i++)
        if (strcmp(sv->plan.steps[i].id, id) == 0)
            return &sv->plan.steps[i];
    return NULL;
}

static void
add_lines(struct textv *t, const char *text, enum th_elem elem)
{
    for (const char *l = text, *nl; l != NULL && *l != '\0'; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        char *one = xstrndup(l, nl ? (size_t)(nl - l) : strlen(l));
        textv_add_line(t, one, elem);
        free(one);
    }
}

static void
su_fill_detail(struct su_view *sv)
{
    const struct setup_step *s = su_selected(sv);
    textv_clear(sv->detail);
    if (s == NULL) {
        textv_add_line(sv->detail, "No step selected.", TH_STATE_MUTED);
        return;
    }
    char line[1400];
    snprintf(line, sizeof line, "%s: %s", setup_state_name(s->state), s->title);
    textv_add_line(sv->detail, line, state_elem(s->state));
    textv_add_line(sv->detail, s->detail, TH_TEXT);
    if (s->state == SETUP_DONE) {
        textv_add_line(sv->detail, "Nothing to do.", TH_STATE_MUTED);
        return;
    }
    if (s->state == SETUP_BLOCKED) {
        textv_add_line(sv->detail, "Do the step it waits for first (n selects it).",
                       TH_STATE_MUTED);
        return;
    }
    if (s->fix == SETUP_FIX_NONE) {
        textv_add_line(sv->detail, "No fix pxcmesh can make here: see the detail above.",
                       TH_STATE_WARN);
        return;
    }
    snprintf(line, sizeof line, "Enter: %s (in %s, after confirming)", s->fix_text, s->fix_cluster);
    textv_add_line(sv->detail, line, TH_STATE_OK);
    if (s->fix == SETUP_FIX_APPLY && s->fix_docs != NULL) {
        struct strbuf y;
        strbuf_init(&y);
        yamlout_docs(s->fix_docs, YAMLOUT_YAML, &y);
        /* The YAML with its colours, below the words. */
        struct textv_span spans[32];
        for (const char *l = y.s, *nl; l != NULL && *l != '\0'; l = nl ? nl + 1 : NULL) {
            nl = strchr(l, '\n');
            size_t len = nl ? (size_t)(nl - l) : strlen(l);
            size_t n = textv_yaml_line(l, len, spans, 32);
            textv_add_spans(sv->detail, spans, n);
        }
        strbuf_fini(&y);
    } else if (s->fix == SETUP_FIX_SQL) {
        /* What Enter runs (the password read from the Secret then, masked here). */
        char ns[128], pxc[128], chan[128], host[300];
        int dialect;
        su_names(sv, ns, sizeof ns, pxc, sizeof pxc, chan, sizeof chan, &dialect);
        snprintf(host, sizeof host, "%s.%s.global", pxc, sv->source);
        struct strbuf sql;
        strbuf_init(&sql);
        struct pxerr err = {0};
        if (act_create_channel_sql(sv->dialect[0] ? sv->dialect : NULL, chan, host, &sql, &err) ==
            0)
            add_lines(sv->detail, sql.s, TH_YAML_STRING);
        else
            textv_add_line(sv->detail, err.msg, TH_STATE_BAD);
        strbuf_fini(&sql);
    }
}

static void
su_sync(struct view *v)
{
    su_fill((struct su_view *)v);
}

static void
su_render(struct view *v)
{
    struct su_view *sv = (struct su_view *)v;
    const struct theme *th = app_theme(v->app);
    const struct glyphs *g = app_glyphs(v->app);
    su_fill_detail(sv);
    werase(v->win);
    int dh = sv->h * 2 / 5 < 7 ? 7 : sv->h * 2 / 5;
    if (dh > sv->h - 4)
        dh = sv->h - 4;
    int th_ = sv->h - dh;
    char title[400], info[64];
    int n_done = 0;
    for (int i = 0; i < sv->plan.n_steps; i++)
        n_done += sv->plan.steps[i].state == SETUP_DONE;
    snprintf(title, sizeof title, "Set up replication %s -> %s", sv->source, sv->replica);
    snprintf(info, sizeof info, "%d/%d done", n_done, sv->plan.n_steps);
    frame_draw(v->win, 0, 0, th_, sv->w, title, info, true, th, g);
    int iy, ix, ih, iw;
    frame_inner(0, 0, th_, sv->w, &iy, &ix, &ih, &iw);
    tbl_draw(sv->t, v->win, iy, ix, ih, iw, th, g, true);
    frame_draw(v->win, th_, 0, dh, sv->w, "Step and fix", NULL, false, th, g);
    frame_inner(th_, 0, dh, sv->w, &iy, &ix, &ih, &iw);
    textv_draw(sv->detail, v->win, iy, ix, ih, iw, th, g);
}

static void
su_layout(struct view *v, int y, int x, int h, int w)
{
    struct su_view *sv = (struct su_view *)v;
    sv->y0 = y;
    sv->x0 = x;
    sv->h = h;
    sv->w = w;
    v->dirty = true;
}

/* The channel's server on the replica, for START. */
static const char *
channel_server(const struct model *m, const char *cluster, const char *channel)
{
    struct m_cluster *c = model_cluster_find((struct model *)m, cluster);
    for (size_t i = 0; c != NULL && i < c->channels.n; i++) {
        const struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->name, channel) == 0)
            return ch->server;
    }
    return NULL;
}

static unsigned
su_fix(struct su_view *sv)
{
    struct app *a = sv->v.app;
    const struct setup_step *s = su_selected(sv);
    if (s == NULL)
        return R_NONE;
    if (s->state == SETUP_DONE) {
        app_flash(a, APP_INFO, "step done already: %s", s->detail);
        return R_NONE;
    }
    if (s->state == SETUP_BLOCKED) {
        app_flash(a, APP_INFO, "%s (n selects the next step to do)", s->detail);
        return R_NONE;
    }
    char ns[128], pxc[128], chan[128];
    int dialect;
    su_names(sv, ns, sizeof ns, pxc, sizeof pxc, chan, sizeof chan, &dialect);
    switch (s->fix) {
    case SETUP_FIX_NONE:
        app_flash(a, APP_WARN, "no fix pxcmesh can make: %s", s->detail);
        break;
    case SETUP_FIX_LABEL_NAMESPACE:
        app_act(a, ACT_LABEL_NAMESPACE,
                &(struct act_args){.cluster = s->fix_cluster, .ns = s->fix_target});
        break;
    case SETUP_FIX_RESTART_STS: {
        char t[320];
        snprintf(t, sizeof t, "%s", s->fix_target);
        char *slash = strchr(t, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
        app_act(a, ACT_RESTART_STS,
                &(struct act_args){.cluster = s->fix_cluster, .ns = t, .name = slash + 1});
        break;
    }
    case SETUP_FIX_APPLY:
        app_act(a, ACT_APPLY,
                &(struct act_args){
                    .cluster = s->fix_cluster, .docs = s->fix_docs, .what = s->fix_text});
        break;
    case SETUP_FIX_PROBE: {
        char owner[300];
        snprintf(owner, sizeof owner, "%s/%s", sv->replica, chan);
        enum probe_kind k = strcmp(s->id, "dns-mesh") == 0 ? PROBE_DNS : PROBE_TCP;
        app_act(a, ACT_PROBE,
                &(struct act_args){.probe = k,
                                   .target = s->fix_target,
                                   .cluster = s->fix_cluster,
                                   .ns = ns,
                                   .owner = owner});
        break;
    }
    case SETUP_FIX_SQL: {
        char host[300];
        snprintf(host, sizeof host, "%s.%s.global", pxc, sv->source);
        app_act(a, ACT_CREATE_CHANNEL,
                &(struct act_args){.cluster = sv->replica,
                                   .source = sv->source,
                                   .ns = ns,
                                   .pxc = pxc,
                                   .name = chan,
                                   .host = host,
                                   .dialect = sv->dialect[0] ? sv->dialect : NULL});
        break;
    }
    case SETUP_FIX_START_CHANNEL: {
        const char *server = channel_server(app_model(a), sv->replica, chan);
        if (server == NULL)
            app_flash(a, APP_WARN, "channel %s is not on any server of %s", chan, sv->replica);
        else
            app_act(a, ACT_CHANNEL_START,
                    &(struct act_args){.cluster = sv->replica, .server = server, .name = chan});
        break;
    }
    }
    return R_NONE;
}

/* cur becomes the next cluster after it (model order); when that is the other side's
 * cluster, the two swap (with two clusters, o and a turn the direction around). */
static void
cycle(const struct model *m, char *cur, size_t n, char *other, size_t on)
{
    size_t k = m->clusters.n, start = 0;
    if (k == 0)
        return;
    for (size_t i = 0; i < k; i++)
        if (strcmp(((struct m_cluster *)m->clusters.items[i])->name, cur) == 0)
            start = i + 1;
    const char *name = ((struct m_cluster *)m->clusters.items[start % k])->name;
    if (strcmp(name, other) == 0) {
        char tmp[128];
        snprintf(tmp, sizeof tmp, "%s", cur);
        snprintf(cur, n, "%s", other);
        snprintf(other, on, "%s", tmp);
        return;
    }
    snprintf(cur, n, "%s", name);
}

static unsigned
su_action(struct view *v, enum key_action act)
{
    struct su_view *sv = (struct su_view *)v;
    struct app *a = v->app;
    switch (act) {
    case KA_SETUP_FIX:
        return su_fix(sv);
    case KA_SETUP_SOURCE:
    case KA_SETUP_REPLICA: {
        const struct model *m = app_model(a);
        if (m->clusters.n < 2) {
            app_flash(a, APP_WARN, "replication needs two clusters; add one with :ctx add NAME");
            return R_NONE;
        }
        if (act == KA_SETUP_SOURCE)
            cycle(m, sv->source, sizeof sv->source, sv->replica, sizeof sv->replica);
        else
            cycle(m, sv->replica, sizeof sv->replica, sv->source, sizeof sv->source);
        sv->chosen = true;
        su_fill(sv);
        v->dirty = true;
        return R_REDRAW;
    }
    case KA_PANE_DOWN:
    case KA_PANE_UP:
        textv_key(sv->detail, WKEY(act == KA_PANE_DOWN ? KEY_NPAGE : KEY_PPAGE));
        v->dirty = true;
        return R_REDRAW;
    case KA_SETUP_NEXT: {
        int next = setup_next(&sv->plan);
        if (next < 0)
            app_flash(a, APP_INFO, "every step is done: replication %s -> %s runs", sv->source,
                      sv->replica);
        else
            tbl_select_id(sv->t, sv->plan.steps[next].id);
        v->dirty = true;
        return R_REDRAW;
    }
    default:
        break;
    }
    unsigned r = vutil_table_action(sv->t, act, a);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
su_table(const struct view *v)
{
    return ((const struct su_view *)v)->t;
}

static unsigned
su_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct su_view *sv = (struct su_view *)v;
    (void)x;
    return vutil_table_mouse(sv->t, sv->y0, y, wheel_dy, 1, &v->dirty);
}

static struct view *
su_create(struct app *a)
{
    struct su_view *sv = xcalloc(1, sizeof *sv);
    sv->v.ops = &view_setup_ops;
    sv->v.app = a;
    sv->v.dirty = true;
    sv->t = tbl_new(su_cols, sizeof su_cols / sizeof su_cols[0]);
    tbl_set_empty_text(sv->t, "no clusters yet");
    sv->detail = textv_new();
    return &sv->v;
}

static void
su_destroy(struct view *v)
{
    struct su_view *sv = (struct su_view *)v;
    if (sv->have_plan)
        setup_plan_fini(&sv->plan);
    tbl_free(sv->t);
    textv_free(sv->detail);
    free(sv);
}

const struct view_ops view_setup_ops = {
    .name = "setup",
    .title = "Setup",
    .interest = DIRTY_ALL,
    .key = KA_VIEW_SETUP,
    .ticks = false,
    .scope = KS_SETUP,
    .create = su_create,
    .destroy = su_destroy,
    .layout = su_layout,
    .sync = su_sync,
    .render = su_render,
    .action = su_action,
    .table = su_table,
    .mouse = su_mouse,
};
