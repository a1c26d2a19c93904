/* view_describe: `d` on a pod, a PXC cluster, a ServiceEntry, a namespace or a channel (k9s's
 * describe): the object as YAML, then its events, in one scrollable pane; Esc goes back to
 * the view it was opened from.
 *
 * The YAML is at first what the console knows of the object, in the status JSON's field
 * names (model/snap.h, snap_write_object: a replay shows exactly that). On a live console
 * the object is then read from its cluster's API server (one GET, managedFields left out)
 * and shown as the server has it; if the GET fails, the pane says why and keeps the
 * model's. A channel has no API object: its status is the object. The events are the
 * console's event log for the object (its name as a word, a channel's by
 * vutil_event_is_channel), newest first. The view looks the object up on every sync, so
 * one that goes away says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "codec/yamlout.h"
#include "frame.h"
#include "kube/kube.h"
#include "live/live.h"
#include "model/model.h"
#include "model/snap.h"
#include "textv.h"
#include "view.h"
#include "vutil.h"
#include "wkey.h"

#define DV_MAX_EVENTS 200

struct dv_view {
    struct view v; /* first */
    int y0, x0, h, w;
    struct textv *text;
    char kind[16];                      /* "pod", "pxc", "serviceentry", "namespace", "channel" */
    char *cluster, *ns, *name, *server; /* owned; ns NULL for a namespace, server a channel's */
    const struct view_ops *back;        /* borrowed static */
    /* The live object: one GET per open. */
    struct kube_req *req;       /* in flight, NULL none */
    struct kube_client *req_kc; /* its client: cancelled only while the cluster has it */
    json_t *live_obj;           /* owned: the server's object, NULL none (yet) */
    char live_err[300];         /* why the GET failed, "" none */
    int64_t live_ms;            /* wall ms of the answer */
    uint64_t shown_seq;         /* model seq the text shows */
    bool shown_live;            /* the text shows live_obj / live_err */
    bool filled;
};

/* ------------------------------------------------------------------ the object */

/* The model's object, as its status JSON text appended to out; false when it is gone. */
static bool
dv_model_json(struct dv_view *dv, struct strbuf *out)
{
    struct m_cluster *c = model_cluster_find(app_model(dv->v.app), dv->cluster);
    if (c == NULL)
        return false;
    const void *obj = NULL;
    enum snap_obj k = SNAP_OBJ_POD;
    if (strcmp(dv->kind, "pod") == 0) {
        obj = model_pod_find(c, dv->ns, dv->name);
    } else if (strcmp(dv->kind, "pxc") == 0) {
        obj = model_pxc_find(c, dv->ns, dv->name);
        k = SNAP_OBJ_PXC;
    } else if (strcmp(dv->kind, "serviceentry") == 0) {
        obj = model_sentry_find(c, dv->ns, dv->name);
        k = SNAP_OBJ_SENTRY;
    } else if (strcmp(dv->kind, "namespace") == 0) {
        obj = model_ns_find(c, dv->name);
        k = SNAP_OBJ_NAMESPACE;
    } else if (strcmp(dv->kind, "channel") == 0) {
        obj = model_channel_find(c, dv->server, dv->name);
        k = SNAP_OBJ_CHANNEL;
    }
    if (obj == NULL)
        return false;
    struct pxerr err = {0};
    return snap_write_object(k, obj, out, &err) == 0;
}

/* The kind as `pxcmesh get` and the API paths name it (kube_kind_path). */
static const char *
dv_api_kind(const struct dv_view *dv)
{
    if (strcmp(dv->kind, "pod") == 0)
        return "pods";
    if (strcmp(dv->kind, "pxc") == 0)
        return "pxc";
    if (strcmp(dv->kind, "serviceentry") == 0)
        return "se";
    if (strcmp(dv->kind, "namespace") == 0)
        return "ns";
    return NULL; /* a channel: no API object */
}

static void
dv_cancel(struct dv_view *dv)
{
    struct live *lv = app_live(dv->v.app);
    /* A dropped cluster's client cancelled the request with itself (no callback). */
    if (dv->req != NULL && lv != NULL && live_client(lv, dv->cluster) == dv->req_kc)
        kube_req_cancel(dv->req);
    dv->req = NULL;
    dv->req_kc = NULL;
}

static void
on_live_obj(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct dv_view *dv = arg;
    (void)code;
    dv->req = NULL;
    dv->req_kc = NULL;
    dv->live_ms = clock_wall_ms();
    if (status == 0 && json_is_object(body)) {
        json_decref(dv->live_obj);
        dv->live_obj = json_deep_copy(body);
        json_object_del(json_object_get(dv->live_obj, "metadata"), "managedFields");
        dv->live_err[0] = '\0';
    } else {
        snprintf(dv->live_err, sizeof dv->live_err, "%s",
                 err != NULL && err->msg[0] ? err->msg : "no object in the answer");
    }
    dv->v.dirty = true;
    app_flash(dv->v.app, APP_INFO, "describe: %s %s%s%s read from %s's API server", dv->kind,
              dv->ns != NULL ? dv->ns : "", dv->ns != NULL ? "/" : "", dv->name, dv->cluster);
}

/* Ask the API server for the object (live console, not a channel). */
static void
dv_fetch(struct dv_view *dv)
{
    struct live *lv = app_live(dv->v.app);
    const char *kind = dv_api_kind(dv);
    struct kube_client *kc = lv != NULL && kind != NULL ? live_client(lv, dv->cluster) : NULL;
    if (kc == NULL)
        return;
    struct strbuf path;
    strbuf_init(&path);
    struct pxerr err = {0};
    if (kube_kind_path(kc, kind, dv->ns, dv->name, &path, &err) != 0 ||
        kube_get(kc, path.s, on_live_obj, dv, &dv->req, &err) != 0) {
        snprintf(dv->live_err, sizeof dv->live_err, "%s", err.msg);
        dv->req = NULL;
    } else {
        dv->req_kc = kc;
    }
    strbuf_fini(&path);
}

/* ------------------------------------------------------------------ the text */

static bool
name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* Does text name word as a whole name (not inside a longer one)? */
static bool
names_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; n > 0 && (p = strstr(p, word)) != NULL; p++)
        if ((p == text || !name_char(p[-1])) && !name_char(p[n]))
            return true;
    return false;
}

static void
dv_add_yaml(struct textv *t, const char *yaml)
{
    struct textv_span sp[24];
    for (const char *l = yaml, *nl; *l != '\0'; l = nl) {
        nl = strchr(l, '\n');
        size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);
        size_t k = textv_yaml_line(l, len, sp, 24);
        textv_add_spans(t, sp, k);
        nl = nl != NULL ? nl + 1 : l + len;
    }
}

static void
dv_fill(struct dv_view *dv)
{
    struct app *a = dv->v.app;
    const struct model *m = app_model(a);
    struct textv *t = dv->text;
    textv_clear(t);
    char line[600];
    const char *where = dv->ns != NULL ? dv->ns : "";
    snprintf(line, sizeof line, "# %s %s%s%s in cluster %s", dv->kind, where,
             dv->ns != NULL ? "/" : "", dv->name[0] ? dv->name : "(default)", dv->cluster);
    if (dv->server != NULL)
        snprintf(line + strlen(line), sizeof line - strlen(line), ", server %s", dv->server);
    textv_add_line(t, line, TH_YAML_COMMENT);
    struct strbuf y;
    strbuf_init(&y);
    if (dv->live_obj != NULL) {
        char at[16];
        clock_fmt_hms(dv->live_ms, at, sizeof at);
        snprintf(line, sizeof line, "# as the API server has it (read at %s UTC)", at);
        textv_add_line(t, line, TH_YAML_COMMENT);
        yamlout_yaml(dv->live_obj, &y);
        dv_add_yaml(t, y.s);
    } else {
        struct strbuf js;
        strbuf_init(&js);
        json_t *o = NULL;
        if (dv_model_json(dv, &js))
            o = json_loads(js.s, 0, NULL);
        strbuf_fini(&js);
        if (o == NULL) {
            textv_add_line(t, "# gone: the console no longer knows this object", TH_STATE_WARN);
        } else {
            textv_add_line(t,
                           m->replay ? "# as the snapshot has it (status JSON fields)"
                           : dv->req != NULL
                               ? "# as the console knows it (status JSON fields); reading it "
                                 "from the API server ..."
                               : "# as the console knows it (status JSON fields)",
                           TH_YAML_COMMENT);
            if (dv->live_err[0] != '\0') {
                snprintf(line, sizeof line, "# the API server's answer: %s", dv->live_err);
                textv_add_line(t, line, TH_STATE_WARN);
            }
            yamlout_yaml(o, &y);
            dv_add_yaml(t, y.s);
            json_decref(o);
        }
    }
    strbuf_fini(&y);
    /* Its events, newest first. */
    textv_add_line(t, "", TH_TEXT);
    textv_add_line(t, "# Events (the console's log, newest first)", TH_YAML_COMMENT);
    int n = 0;
    for (int i = 0; i < m->ev_len && n < DV_MAX_EVENTS; i++) {
        const struct m_event *e = model_event_at(m, i);
        if (e->cluster == NULL || strcmp(e->cluster, dv->cluster) != 0)
            continue;
        bool about = strcmp(dv->kind, "channel") == 0
                         ? vutil_event_is_channel(e, dv->cluster, dv->server, dv->name)
                         : names_word(e->what, dv->name);
        if (!about)
            continue;
        char tm[16];
        clock_fmt_hms(e->wall_ms, tm, sizeof tm);
        static const char *const lv[] = {"info ", "warn ", "error"};
        snprintf(line, sizeof line, "%s %s ", tm,
                 lv[e->level < 0   ? 0
                    : e->level > 2 ? 2
                                   : e->level]);
        enum th_elem el = e->level >= 2 ? TH_STATE_BAD : e->level == 1 ? TH_STATE_WARN : TH_TEXT;
        struct textv_span sp[2] = {{line, strlen(line), TH_STATE_MUTED},
                                   {e->what, strlen(e->what), el}};
        textv_add_spans(t, sp, 2);
        n++;
    }
    if (n == 0)
        textv_add_line(t, "no events about it", TH_STATE_MUTED);
}

/* ------------------------------------------------------------------ the view */

static void
dv_sync(struct view *v)
{
    struct dv_view *dv = (struct dv_view *)v;
    if (dv->cluster == NULL)
        return;
    const struct model *m = app_model(v->app);
    bool live_shown = dv->live_obj != NULL || dv->live_err[0] != '\0';
    if (dv->filled && dv->shown_seq == m->seq && dv->shown_live == live_shown)
        return; /* nothing changed: no refill */
    dv->filled = true;
    dv->shown_seq = m->seq;
    dv->shown_live = live_shown;
    dv_fill(dv);
}

static void
dv_render(struct view *v)
{
    struct dv_view *dv = (struct dv_view *)v;
    struct app *a = v->app;
    werase(v->win);
    if (dv->cluster == NULL) {
        textv_clear(dv->text);
        textv_add_line(dv->text,
                       "Nothing described yet: d on a pod, PXC, ServiceEntry, "
                       "namespace or channel row",
                       TH_STATE_MUTED);
    } else {
        dv_sync(v);
    }
    char title[400];
    snprintf(title, sizeof title, "Describe %s %s%s%s (%s)", dv->kind, dv->ns ? dv->ns : "",
             dv->ns ? "/" : "", dv->name != NULL && dv->name[0] ? dv->name : "(default)",
             dv->cluster != NULL ? dv->cluster : "-");
    char info[32];
    snprintf(info, sizeof info, "%zu lines", textv_n_lines(dv->text));
    frame_draw(v->win, 0, 0, dv->h, dv->w, dv->cluster != NULL ? title : "Describe", info, true,
               app_theme(a), app_glyphs(a));
    int iy, ix, ih, iw;
    frame_inner(0, 0, dv->h, dv->w, &iy, &ix, &ih, &iw);
    textv_draw(dv->text, v->win, iy, ix, ih, iw, app_theme(a), app_glyphs(a));
}

static void
dv_layout(struct view *v, int y, int x, int h, int w)
{
    struct dv_view *dv = (struct dv_view *)v;
    dv->y0 = y;
    dv->x0 = x;
    dv->h = h;
    dv->w = w;
    v->dirty = true;
}

static unsigned
dv_action(struct view *v, enum key_action act)
{
    struct dv_view *dv = (struct dv_view *)v;
    if (act == KA_BACK) {
        struct pxerr err = {0};
        dv_cancel(dv);
        const struct view_ops *back = dv->back != NULL ? dv->back : &view_overview_ops;
        if (app_show_view(v->app, back->name, &err) < 0)
            app_flash(v->app, APP_ERROR, "%s", err.msg);
        return R_REDRAW | R_HINTS;
    }
    int key = act == KA_UP          ? WKEY(KEY_UP)
              : act == KA_DOWN      ? WKEY(KEY_DOWN)
              : act == KA_PAGE_UP   ? WKEY(KEY_PPAGE)
              : act == KA_PAGE_DOWN ? WKEY(KEY_NPAGE)
              : act == KA_TOP       ? WKEY(KEY_HOME)
              : act == KA_BOTTOM    ? WKEY(KEY_END)
                                    : 0;
    if (key == 0)
        return R_UNHANDLED;
    textv_key(dv->text, key);
    v->dirty = true;
    return R_REDRAW;
}

static unsigned
dv_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct dv_view *dv = (struct dv_view *)v;
    (void)y, (void)x;
    for (int i = 0; i < 3 && wheel_dy != 0; i++)
        textv_key(dv->text, WKEY(wheel_dy < 0 ? KEY_UP : KEY_DOWN));
    v->dirty = true;
    return R_REDRAW;
}

static char *
dup_or_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

void
view_describe_open(struct app *a, const struct describe_target *t, const struct view_ops *back)
{
    struct dv_view *dv = (struct dv_view *)app_view(a, &view_describe_ops);
    if (dv == NULL || t == NULL || t->cluster == NULL || t->name == NULL)
        return;
    dv_cancel(dv);
    dv->back = back != NULL && back != &view_describe_ops ? back : &view_overview_ops;
    snprintf(dv->kind, sizeof dv->kind, "%s", t->kind);
    free(dv->cluster);
    free(dv->ns);
    free(dv->name);
    free(dv->server);
    dv->cluster = xstrdup(t->cluster);
    dv->ns = dup_or_null(t->ns);
    dv->name = xstrdup(t->name);
    dv->server = dup_or_null(t->server);
    json_decref(dv->live_obj);
    dv->live_obj = NULL;
    dv->live_err[0] = '\0';
    dv->filled = false;
    textv_scroll_to(dv->text, 0);
    dv_fetch(dv);
    dv->v.synced = false;
    dv->v.dirty = true;
    struct pxerr err = {0};
    if (app_show_view(a, view_describe_ops.name, &err) < 0)
        app_flash(a, APP_ERROR, "%s", err.msg);
}

static struct view *
dv_create(struct app *a)
{
    struct dv_view *dv = xcalloc(1, sizeof *dv);
    dv->v.ops = &view_describe_ops;
    dv->v.app = a;
    dv->v.dirty = true;
    dv->text = textv_new();
    textv_set_wrap(dv->text, false);
    snprintf(dv->kind, sizeof dv->kind, "-");
    return &dv->v;
}

static void
dv_destroy(struct view *v)
{
    struct dv_view *dv = (struct dv_view *)v;
    dv_cancel(dv);
    json_decref(dv->live_obj);
    textv_free(dv->text);
    free(dv->cluster);
    free(dv->ns);
    free(dv->name);
    free(dv->server);
    free(dv);
}

const struct view_ops view_describe_ops = {
    .name = "describe",
    .title = "Describe",
    .interest = DIRTY_ALL,
    .key = KA_NONE, /* d on a row opens it */
    .ticks = false,
    .scope = KS_DESCRIBE,
    .create = dv_create,
    .destroy = dv_destroy,
    .layout = dv_layout,
    .sync = dv_sync,
    .render = dv_render,
    .action = dv_action,
    .mouse = dv_mouse,
};
