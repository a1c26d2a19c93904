/* view_sentries: the ServiceEntries of every cluster in one table, and a row for each one
 * a cluster lacks (doctor/mesh.h: another cluster's PXC host, or a channel's source host,
 * that nothing declares; A creates it through the fix runner, as the doctor's fix and the
 * set-up do), with the selected object as YAML (syntax coloured) below. The model keeps no JSON, so
 * the YAML is rendered from struct m_sentry: what the console knows of the object, in the order
 * kubectl shows it. `m` swaps the YAML for the diff against the corrected ServiceEntry
 * the generator makes for the selected host (manifest.h, endpoints by the rule of
 * doctor/mesh.h: the remote cluster's node addresses, as the seed's mkPXCServiceEntry);
 * `A` applies it through actions (server dry run, diff, confirm). Deleting, copying and
 * probing go through actions too; this file only reads the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "act.h"
#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "doctor/mesh.h"
#include "live/live.h"
#include "manifest/manifest.h"
#include "model/model.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "wkey.h"
#include "vutil.h"
#include "codec/yamlout.h"
#include "kube/kube.h"
#include "manifest/ydiff.h"

/* At 80 columns: cluster, name, hosts, addresses, endpoints and age stay readable; the
 * rest hides, least useful first. */
static const struct tbl_col se_cols[] = {
    {"CLUSTER", 9, 0, 0, TBL_LEFT, 0},    {"NAMESPACE", 6, 16, 0, TBL_LEFT, 3},
    {"NAME", 12, 32, 0, TBL_LEFT, 1},     {"HOSTS", 16, 40, 1, TBL_LEFT, 0},
    {"ADDRESSES", 9, 20, 0, TBL_LEFT, 0}, {"PORTS", 9, 24, 0, TBL_LEFT, 2},
    {"LOCATION", 13, 0, 0, TBL_LEFT, 5},  {"RESOLUTION", 6, 0, 0, TBL_LEFT, 4},
    {"EPS", 3, 0, 0, TBL_RIGHT, 0},       {"CHANGED", 7, 0, 0, TBL_RIGHT, 0},
};

#define SE_MISSING_MAX 32
#define SE_MISSING_ID "missing:" /* row id prefix of a ServiceEntry a cluster lacks */

struct se_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct textv *yaml;
    bool show_diff;     /* the pane shows the corrected manifest's diff */
    char shown_id[600]; /* what the pane shows, and for which model seq */
    uint64_t shown_seq;
    bool shown_diff;
};

/* The selected row's cluster and object, or NULL. */
static const struct m_sentry *
se_selected(struct se_view *sv, const struct m_cluster **cout)
{
    const char *id = tbl_selected_id(sv->t);
    if (id == NULL)
        return NULL;
    const struct model *m = app_model(sv->v.app);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        size_t cl = strlen(c->name);
        if (strncmp(id, c->name, cl) != 0 || id[cl] != '/')
            continue;
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            char rid[600];
            snprintf(rid, sizeof rid, "%s/%s/%s", c->name, se->ns, se->name);
            if (strcmp(rid, id) == 0) {
                *cout = c;
                return se;
            }
        }
    }
    return NULL;
}

static const char *
sentry_api_version(struct app *a, const struct m_cluster *c)
{
    struct live *lv = app_live(a);
    struct kube_client *kc = lv != NULL ? live_client(lv, c->name) : NULL;
    const char *v = kc != NULL ? kube_client_sentry_version(kc) : "";
    return v[0] != '\0' ? v : "networking.istio.io/v1beta1";
}

/* The object as the console knows it. Owned. */
static json_t *
sentry_json(struct app *a, const struct m_cluster *c, const struct m_sentry *se)
{
    json_t *o = json_object();
    json_object_set_new(o, "apiVersion", json_string(sentry_api_version(a, c)));
    json_object_set_new(o, "kind", json_string("ServiceEntry"));
    json_object_set_new(o, "metadata",
                        json_pack("{s:s, s:s}", "name", se->name, "namespace", se->ns));
    json_t *spec = json_object();
    json_t *hosts = json_array();
    for (int i = 0; i < se->n_hosts; i++)
        json_array_append_new(hosts, json_string(se->hosts[i]));
    json_object_set_new(spec, "hosts", hosts);
    if (se->n_addresses > 0) {
        json_t *ad = json_array();
        for (int i = 0; i < se->n_addresses; i++)
            json_array_append_new(ad, json_string(se->addresses[i]));
        json_object_set_new(spec, "addresses", ad);
    }
    json_t *ports = json_array();
    for (int i = 0; i < se->n_ports; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "number", json_integer(se->ports[i].number));
        if (se->ports[i].name[0])
            json_object_set_new(p, "name", json_string(se->ports[i].name));
        if (se->ports[i].protocol[0])
            json_object_set_new(p, "protocol", json_string(se->ports[i].protocol));
        json_array_append_new(ports, p);
    }
    json_object_set_new(spec, "ports", ports);
    if (se->location != NULL)
        json_object_set_new(spec, "location", json_string(se->location));
    if (se->resolution != NULL)
        json_object_set_new(spec, "resolution", json_string(se->resolution));
    if (se->n_endpoints > 0) {
        json_t *eps = json_array();
        for (int i = 0; i < se->n_endpoints; i++) {
            json_t *e = json_pack("{s:s}", "address", se->endpoints[i].address);
            if (se->endpoints[i].port > 0 && se->n_ports > 0 && se->ports[0].name[0])
                json_object_set_new(e, "ports",
                                    json_pack("{s:i}", se->ports[0].name, se->endpoints[i].port));
            json_array_append_new(eps, e);
        }
        json_object_set_new(spec, "endpoints", eps);
    }
    json_object_set_new(o, "spec", spec);
    return o;
}

/* The corrected ServiceEntry for the selected object's first NAME.CLUSTER.global host, with
 * the endpoints the mesh rule gives for CLUSTER (doctor/mesh.h). Owned array, or NULL with
 * why in err. */
static json_t *
sentry_corrected(struct app *a, const struct m_cluster *c, const struct m_sentry *se, char *err,
                 size_t n)
{
    const struct model *m = app_model(a);
    char name[128], remote[128];
    const char *host = NULL;
    for (int i = 0; i < se->n_hosts && host == NULL; i++)
        if (mesh_host_parse(se->hosts[i], name, sizeof name, remote, sizeof remote))
            host = se->hosts[i];
    if (host == NULL) {
        snprintf(err, n,
                 "no NAME.CLUSTER.global host in %s/%s: the generator makes remote PXC "
                 "entries only",
                 se->ns, se->name);
        return NULL;
    }
    struct m_cluster *rc = model_cluster_find((struct model *)m, remote);
    if (rc == NULL) {
        snprintf(err, n, "cluster '%s' (from host %s) is not in the console: add it with :ctx",
                 remote, host);
        return NULL;
    }
    struct mf_serviceentry_opts o = {.name = name,
                                     .object_name = se->name,
                                     .namespace = se->ns,
                                     .remote_cluster = remote,
                                     .api_version = sentry_api_version(a, c)};
    if (se->n_addresses > 0)
        o.address = se->addresses[0];
    if (se->n_ports > 0)
        o.port = se->ports[0].number;
    const char *addrs[MF_MAX_ENDPOINTS];
    int n_addrs = mesh_endpoints(rc, addrs, MF_MAX_ENDPOINTS);
    for (int i = 0; i < n_addrs && i < MF_MAX_ENDPOINTS; i++)
        o.endpoints[o.n_endpoints++].address = addrs[i];
    if (o.n_endpoints == 0) {
        snprintf(err, n, "no node address of %s is known yet", remote);
        return NULL;
    }
    json_t *docs = json_array();
    struct pxerr e = {0};
    if (mf_serviceentry(&o, docs, &e) != 0) {
        snprintf(err, n, "%s", e.msg);
        json_decref(docs);
        return NULL;
    }
    return docs;
}

static void
se_fill(struct se_view *sv)
{
    struct app *a = sv->v.app;
    const struct model *m = app_model(a);
    int64_t now = app_now_ms(a);
    tbl_rows_begin(sv->t);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            char id[600];
            snprintf(id, sizeof id, "%s/%s/%s", c->name, se->ns, se->name);
            bool bad = (se->resolution != NULL && strcmp(se->resolution, "STATIC") == 0 &&
                        se->n_endpoints == 0) ||
                       se->n_addresses == 0;
            tbl_row(sv->t, id, TH_NONE);
            tbl_cell(sv->t, c->name, TH_NONE);
            tbl_cell(sv->t, se->ns, TH_STATE_MUTED);
            tbl_cell(sv->t, se->name, TH_NONE);
            struct strbuf sb;
            strbuf_init(&sb);
            for (int h = 0; h < se->n_hosts; h++)
                strbuf_appendf(&sb, "%s%s", h ? "," : "", se->hosts[h]);
            tbl_cell(sv->t, sb.s, TH_NONE);
            strbuf_reset(&sb);
            for (int h = 0; h < se->n_addresses; h++)
                strbuf_appendf(&sb, "%s%s", h ? "," : "", se->addresses[h]);
            tbl_cell(sv->t, se->n_addresses ? sb.s : "none",
                     se->n_addresses ? TH_NONE : TH_STATE_WARN);
            strbuf_reset(&sb);
            for (int p = 0; p < se->n_ports; p++)
                strbuf_appendf(&sb, "%s%d/%s", p ? "," : "", se->ports[p].number,
                               se->ports[p].name[0] ? se->ports[p].name : se->ports[p].protocol);
            tbl_cell(sv->t, sb.s, TH_NONE);
            strbuf_fini(&sb);
            tbl_cell(sv->t, se->location ? se->location : "-", TH_STATE_MUTED);
            tbl_cell(sv->t, se->resolution ? se->resolution : "-", TH_NONE);
            char eps[16];
            snprintf(eps, sizeof eps, "%d", se->n_endpoints);
            tbl_cell_num(sv->t, eps, se->n_endpoints, bad ? TH_STATE_WARN : TH_NONE);
            char age[32] = "-";
            if (se->changed_ms > 0)
                clock_fmt_age(now - se->changed_ms, age, sizeof age);
            tbl_cell_num(sv->t, age, (double)(now - se->changed_ms), TH_STATE_MUTED);
        }
        /* The ServiceEntries it lacks (doctor/mesh.h), next to its own: A creates them. */
        struct mesh_missing mm[SE_MISSING_MAX];
        int n = mesh_missing(m, c, mm, SE_MISSING_MAX);
        for (int k = 0; k < n && k < SE_MISSING_MAX; k++) {
            char id[600];
            snprintf(id, sizeof id, "%s%s/%s", SE_MISSING_ID, c->name, mm[k].host);
            enum th_elem e = mm[k].n_users > 0 ? TH_STATE_BAD : TH_STATE_WARN;
            tbl_row(sv->t, id, TH_NONE);
            tbl_cell(sv->t, c->name, TH_NONE);
            tbl_cell(sv->t, mm[k].ns, TH_STATE_MUTED);
            tbl_cell(sv->t, "(missing)", e);
            tbl_cell(sv->t, mm[k].host, e);
            for (int col = 0; col < 5; col++)
                tbl_cell(sv->t, "-", TH_STATE_MUTED);
            tbl_cell(sv->t, "-", TH_STATE_MUTED);
        }
    }
    tbl_rows_end(sv->t);
}

/* The selected row when it is a missing ServiceEntry: its cluster and what it lacks. */
static bool
se_selected_missing(struct se_view *sv, const struct m_cluster **cout, struct mesh_missing *out)
{
    const char *id = tbl_selected_id(sv->t);
    if (id == NULL || strncmp(id, SE_MISSING_ID, strlen(SE_MISSING_ID)) != 0)
        return false;
    id += strlen(SE_MISSING_ID);
    const struct model *m = app_model(sv->v.app);
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        size_t cl = strlen(c->name);
        if (strncmp(id, c->name, cl) != 0 || id[cl] != '/')
            continue;
        struct mesh_missing mm[SE_MISSING_MAX];
        int n = mesh_missing(m, c, mm, SE_MISSING_MAX);
        for (int k = 0; k < n && k < SE_MISSING_MAX; k++)
            if (strcmp(mm[k].host, id + cl + 1) == 0) {
                *cout = c;
                *out = mm[k];
                return true;
            }
    }
    return false;
}

/* The ServiceEntry A would create for a missing row (the generator, endpoints by the mesh
 * rule), as YAML into y; or why not into why. */
static bool
se_missing_manifest(struct app *a, const struct m_cluster *c, const struct mesh_missing *mm,
                    struct strbuf *y, char *why, size_t n)
{
    const struct model *m = app_model(a);
    struct m_cluster *rc = model_cluster_find((struct model *)m, mm->remote);
    const char *addrs[MF_MAX_ENDPOINTS];
    int n_addrs = rc != NULL ? mesh_endpoints(rc, addrs, MF_MAX_ENDPOINTS) : 0;
    if (n_addrs == 0) {
        snprintf(why, n, "no node address of %s is known yet: the endpoints are unknown",
                 mm->remote);
        return false;
    }
    char objname[300];
    snprintf(objname, sizeof objname, "%s-%s", mm->name, mm->remote);
    struct mf_serviceentry_opts o = {.name = mm->name,
                                     .object_name = objname,
                                     .namespace = mm->ns,
                                     .remote_cluster = mm->remote,
                                     .api_version = sentry_api_version(a, c)};
    for (int i = 0; i < n_addrs && i < MF_MAX_ENDPOINTS; i++)
        o.endpoints[o.n_endpoints++].address = addrs[i];
    json_t *docs = json_array();
    struct pxerr e = {0};
    bool ok = mf_serviceentry(&o, docs, &e) == 0;
    if (ok)
        yamlout_yaml(json_array_get(docs, 0), y);
    else
        snprintf(why, n, "%s", e.msg);
    json_decref(docs);
    return ok;
}

static void
se_fill_missing_pane(struct se_view *sv, const struct m_cluster *c, const struct mesh_missing *mm)
{
    struct app *a = sv->v.app;
    char head[600];
    snprintf(head, sizeof head, "# missing: no ServiceEntry in %s declares %s", c->name, mm->host);
    textv_add_line(sv->yaml, head, TH_STATE_WARN);
    if (mm->n_users > 0) {
        snprintf(head, sizeof head, "# %d channel(s) of %s use it as their source host",
                 mm->n_users, c->name);
        textv_add_line(sv->yaml, head, TH_STATE_BAD);
    }
    struct strbuf y;
    strbuf_init(&y);
    char why[400] = "";
    if (se_missing_manifest(a, c, mm, &y, why, sizeof why)) {
        snprintf(
            head, sizeof head,
            "# A creates it from %s's node addresses (server dry run, diff, confirm):", mm->remote);
        textv_add_line(sv->yaml, head, TH_YAML_COMMENT);
        struct textv_span sp[16];
        for (char *l = y.s, *nl; *l != '\0'; l = nl) {
            nl = strchr(l, '\n');
            size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);
            size_t k = textv_yaml_line(l, len, sp, 16);
            textv_add_spans(sv->yaml, sp, k);
            nl = nl != NULL ? nl + 1 : l + len;
        }
    } else {
        textv_add_line(sv->yaml, "# A cannot create it yet:", TH_STATE_WARN);
        textv_add_line(sv->yaml, why, TH_TEXT);
    }
    strbuf_fini(&y);
}

static void
se_fill_pane(struct se_view *sv)
{
    struct app *a = sv->v.app;
    const char *id = tbl_selected_id(sv->t);
    const struct model *m = app_model(a);
    if (id != NULL && strcmp(id, sv->shown_id) == 0 && sv->shown_seq == m->seq &&
        sv->shown_diff == sv->show_diff)
        return; /* keep the scroll position while nothing changed */
    snprintf(sv->shown_id, sizeof sv->shown_id, "%s", id ? id : "");
    sv->shown_seq = m->seq;
    sv->shown_diff = sv->show_diff;
    const struct m_cluster *c = NULL;
    const struct m_sentry *se = se_selected(sv, &c);
    textv_clear(sv->yaml);
    struct mesh_missing mm;
    if (se == NULL && se_selected_missing(sv, &c, &mm)) {
        se_fill_missing_pane(sv, c, &mm);
        return;
    }
    if (se == NULL) {
        textv_add_line(sv->yaml, "No ServiceEntry selected.", TH_STATE_MUTED);
        return;
    }
    json_t *o = sentry_json(a, c, se);
    struct strbuf y;
    strbuf_init(&y);
    yamlout_yaml(o, &y);
    if (!sv->show_diff) {
        textv_set_yaml(sv->yaml, y.s);
    } else {
        char err[512] = "";
        json_t *docs = sentry_corrected(a, c, se, err, sizeof err);
        if (docs == NULL) {
            textv_add_line(sv->yaml, "No corrected manifest:", TH_STATE_WARN);
            textv_add_line(sv->yaml, err, TH_TEXT);
        } else {
            /* The diff the apply dialog shows: what a server-side apply changes (fields the
             * generator does not set are no removal), not a text diff of two renderings. */
            struct strbuf d;
            strbuf_init(&d);
            int changed = ydiff_apply(o, NULL, json_array_get(docs, 0), KUBE_FIELD_MANAGER, 3, &d);
            char head[160];
            snprintf(head, sizeof head,
                     changed == 0 ? "# the generated ServiceEntry matches "
                                    "(nothing to change)"
                                  : "# %d line(s) differ from the generated "
                                    "ServiceEntry (A applies it)",
                     changed);
            textv_add_line(sv->yaml, head, TH_YAML_COMMENT);
            /* diff lines: "- " removed, "+ " added */
            char *text = d.s;
            for (char *s = text, *nl; s != NULL && *s != '\0'; s = nl) {
                nl = strchr(s, '\n');
                size_t len = nl ? (size_t)(nl - s) : strlen(s);
                char *line = xstrndup(s, len);
                textv_add_line(sv->yaml, line,
                               line[0] == '+'   ? TH_STATE_OK
                               : line[0] == '-' ? TH_STATE_BAD
                                                : TH_TEXT);
                free(line);
                nl = nl ? nl + 1 : NULL;
            }
            strbuf_fini(&d);
            json_decref(docs);
        }
    }
    strbuf_fini(&y);
    json_decref(o);
}

static void
se_sync(struct view *v)
{
    se_fill((struct se_view *)v);
}

static void
se_render(struct view *v)
{
    struct se_view *sv = (struct se_view *)v;
    struct app *a = v->app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    se_fill_pane(sv);
    werase(v->win);
    int ph = sv->h / 2 < 6 ? 6 : sv->h / 2;
    if (ph > sv->h - 4)
        ph = sv->h - 4;
    int th_ = sv->h - ph;
    char info[64];
    tbl_pos_text(sv->t, info, sizeof info);
    frame_draw(v->win, 0, 0, th_, sv->w, "ServiceEntries (all clusters)", info, true, th, g);
    int iy, ix, ih, iw;
    frame_inner(0, 0, th_, sv->w, &iy, &ix, &ih, &iw);
    tbl_draw(sv->t, v->win, iy, ix, ih, iw, th, g, true);
    frame_draw(v->win, th_, 0, ph, sv->w, sv->show_diff ? "Corrected manifest (diff)" : "YAML",
               sv->shown_id, false, th, g);
    frame_inner(th_, 0, ph, sv->w, &iy, &ix, &ih, &iw);
    textv_draw(sv->yaml, v->win, iy, ix, ih, iw, th, g);
}

static void
se_layout(struct view *v, int y, int x, int h, int w)
{
    struct se_view *sv = (struct se_view *)v;
    sv->y0 = y;
    sv->x0 = x;
    sv->h = h;
    sv->w = w;
    v->dirty = true;
}

static unsigned
se_action(struct view *v, enum key_action act)
{
    struct se_view *sv = (struct se_view *)v;
    struct app *a = v->app;
    const struct m_cluster *c = NULL;
    const struct m_sentry *se = NULL;
    struct mesh_missing mm;
    if (act == KA_APPLY && se_selected_missing(sv, &c, &mm)) {
        app_act(a, ACT_CREATE_SENTRY,
                &(struct act_args){
                    .cluster = c->name, .ns = mm.ns, .pxc = mm.name, .source = mm.remote});
        return R_NONE;
    }
    switch (act) {
    case KA_DELETE:
    case KA_COPY_YAML:
    case KA_APPLY:
    case KA_PROBE_LOCAL:
    case KA_PROBE_MESH:
    case KA_DESCRIBE:
        se = se_selected(sv, &c);
        if (se == NULL) {
            app_flash(a, APP_INFO, "select a ServiceEntry first (a missing row: A creates it)");
            return R_NONE;
        }
        break;
    default:
        break;
    }
    switch (act) {
    case KA_DELETE: {
        json_t *o = sentry_json(a, c, se);
        struct strbuf y;
        strbuf_init(&y);
        yamlout_yaml(o, &y);
        app_act(
            a, ACT_DELETE_SENTRY,
            &(struct act_args){.cluster = c->name, .ns = se->ns, .name = se->name, .text = y.s});
        strbuf_fini(&y);
        json_decref(o);
        return R_NONE;
    }
    case KA_DESCRIBE: {
        struct describe_target t = {"serviceentry", c->name, se->ns, se->name, NULL};
        view_describe_open(a, &t, &view_sentries_ops);
        return R_REDRAW | R_HINTS;
    }
    case KA_COPY_YAML: {
        json_t *o = sentry_json(a, c, se);
        struct strbuf y;
        strbuf_init(&y);
        yamlout_yaml(o, &y);
        char name[400];
        snprintf(name, sizeof name, "%s-%s", c->name, se->name);
        app_act(a, ACT_COPY_YAML,
                &(struct act_args){.what = "ServiceEntry", .name = name, .text = y.s});
        strbuf_fini(&y);
        json_decref(o);
        return R_NONE;
    }
    case KA_PANE_DOWN:
    case KA_PANE_UP:
        textv_key(sv->yaml, WKEY(act == KA_PANE_DOWN ? KEY_NPAGE : KEY_PPAGE));
        v->dirty = true;
        return R_REDRAW;
    case KA_MANIFEST:
        sv->show_diff = !sv->show_diff;
        v->dirty = true;
        return R_REDRAW;
    case KA_APPLY: {
        char err[512] = "";
        json_t *docs = sentry_corrected(a, c, se, err, sizeof err);
        if (docs == NULL) {
            app_flash(a, APP_WARN, "%s", err);
            return R_NONE;
        }
        char what[400];
        snprintf(what, sizeof what, "corrected ServiceEntry %s/%s", se->ns, se->name);
        app_act(a, ACT_APPLY, &(struct act_args){.cluster = c->name, .docs = docs, .what = what});
        json_decref(docs);
        return R_NONE;
    }
    case KA_PROBE_LOCAL:
    case KA_PROBE_MESH: {
        int port = se->n_ports > 0 ? se->ports[0].number : 3306;
        if (act == KA_PROBE_LOCAL)
            for (int h = 0; h < se->n_hosts; h++)
                app_act(a, ACT_PROBE_HOST, &(struct act_args){.host = se->hosts[h], .port = port});
        else if (se->n_hosts > 0) /* one confirmation: the first host */
            app_act(a, ACT_PROBE_HOST,
                    &(struct act_args){
                        .host = se->hosts[0], .port = port, .cluster = c->name, .ns = se->ns});
        return R_NONE;
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
se_table(const struct view *v)
{
    return ((const struct se_view *)v)->t;
}

static unsigned
se_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct se_view *sv = (struct se_view *)v;
    (void)x;
    return vutil_table_mouse(sv->t, sv->y0, y, wheel_dy, 1, &v->dirty);
}

static struct view *
se_create(struct app *a)
{
    struct se_view *sv = xcalloc(1, sizeof *sv);
    sv->v.ops = &view_sentries_ops;
    sv->v.app = a;
    sv->v.dirty = true;
    sv->t = tbl_new(se_cols, sizeof se_cols / sizeof se_cols[0]);
    tbl_set_empty_text(sv->t, "no ServiceEntries in any cluster");
    sv->yaml = textv_new();
    return &sv->v;
}

static void
se_destroy(struct view *v)
{
    struct se_view *sv = (struct se_view *)v;
    tbl_free(sv->t);
    textv_free(sv->yaml);
    free(sv);
}

const struct view_ops view_sentries_ops = {
    .name = "serviceentries",
    .title = "ServiceEntries",
    .interest = DIRTY_SENTRIES | DIRTY_CLUSTERS | DIRTY_NODES,
    .key = KA_VIEW_SENTRIES,
    .ticks = true,
    .scope = KS_SENTRIES,
    .create = se_create,
    .destroy = se_destroy,
    .layout = se_layout,
    .sync = se_sync,
    .render = se_render,
    .action = se_action,
    .table = se_table,
    .mouse = se_mouse,
};
