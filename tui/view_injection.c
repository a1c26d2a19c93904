/* view_injection: sidecar injection across clusters. One table of namespaces (their
 * injection mode) and pods (their sidecar state), the rows that need an action first:
 * a namespace holding PXC pods but not labelled for injection (label it, `L`), a
 * labelled namespace whose pods started without the sidecar (restart the PXC
 * statefulset, `R`). Both keys go through actions (confirm, then the write); this file
 * only reads the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "app.h"
#include "xmalloc.h"
#include "frame.h"
#include "model/model.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "vutil.h"

static const struct tbl_col in_cols[] = {
    {"KIND", 4, 0, 0, TBL_LEFT, 2},       {"CLUSTER", 9, 0, 0, TBL_LEFT, 0},
    {"NAMESPACE", 9, 20, 0, TBL_LEFT, 0}, {"POD", 17, 40, 0, TBL_LEFT, 0},
    {"INJECTION", 9, 0, 0, TBL_LEFT, 0},  {"SIDECAR", 8, 0, 0, TBL_LEFT, 0},
    {"NEEDS", 10, 0, 1, TBL_LEFT, 0},
};

struct in_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct textv *detail;
};

static bool
is_pxc_pod(const struct m_pod *p)
{
    return p->component != NULL && strcmp(p->component, "pxc") == 0;
}

/* The PXC statefulset of namespace ns in c: "<instance>-pxc" of its PXC pods, else of
 * its PerconaXtraDBCluster; "" when there is none. */
static void
pxc_sts(const struct m_cluster *c, const char *ns, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        if (strcmp(p->ns, ns) == 0 && is_pxc_pod(p) && p->instance != NULL) {
            snprintf(buf, n, "%s-pxc", p->instance);
            return;
        }
    }
    for (size_t i = 0; i < c->pxcs.n; i++) {
        const struct m_pxc *x = c->pxcs.items[i];
        if (strcmp(x->ns, ns) == 0) {
            snprintf(buf, n, "%s-pxc", x->name);
            return;
        }
    }
}

static bool
labelled(const struct m_namespace *n)
{
    return n != NULL && (n->injection == INJ_ENABLED || n->injection == INJ_REVISION);
}

static void
in_fill(struct in_view *iv)
{
    const struct model *m = app_model(iv->v.app);
    tbl_rows_begin(iv->t);
    /* Three passes so the table's insertion order is: needs action, PXC, the rest. */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = m->clusters.items[i];
            for (size_t k = 0; k < c->namespaces.n; k++) {
                const struct m_namespace *ns = c->namespaces.items[k];
                int n_pxc = 0, n_missing = 0;
                for (size_t j = 0; j < c->pods.n; j++) {
                    const struct m_pod *p = c->pods.items[j];
                    if (strcmp(p->ns, ns->name) != 0)
                        continue;
                    if (is_pxc_pod(p))
                        n_pxc++;
                    if (p->sidecar == SIDECAR_MISSING || p->restart_needed)
                        n_missing++;
                }
                bool has_pxc = n_pxc > 0;
                for (size_t j = 0; j < c->pxcs.n && !has_pxc; j++)
                    has_pxc = strcmp(((struct m_pxc *)c->pxcs.items[j])->ns, ns->name) == 0;
                char need[160] = "";
                if (has_pxc && !labelled(ns))
                    snprintf(need, sizeof need, "label namespace (L), then restart (R)");
                else if (labelled(ns) && n_missing > 0)
                    snprintf(need, sizeof need, "restart: %d pod(s) without sidecar (R)",
                             n_missing);
                int rank = need[0] ? 0 : has_pxc ? 1 : 2;
                if (rank != pass)
                    continue;
                char id[400];
                snprintf(id, sizeof id, "ns/%s/%s", c->name, ns->name);
                tbl_row(iv->t, id, TH_NONE);
                tbl_cell(iv->t, "ns", TH_STATE_MUTED);
                tbl_cell(iv->t, c->name, TH_NONE);
                tbl_cell(iv->t, ns->name, TH_NONE);
                tbl_cell(iv->t, "", TH_NONE);
                char inj[96];
                snprintf(inj, sizeof inj, "%s%s%s", model_injection_name(ns->injection),
                         ns->revision ? " " : "", ns->revision ? ns->revision : "");
                tbl_cell(iv->t, inj,
                         labelled(ns) ? TH_STATE_OK
                         : has_pxc    ? TH_STATE_BAD
                                      : TH_STATE_MUTED);
                tbl_cell(iv->t, "", TH_NONE);
                tbl_cell(iv->t, need[0] ? need : "-", need[0] ? TH_STATE_WARN : TH_STATE_MUTED);
                /* Its pods follow it, in the same pass. */
                for (size_t j = 0; j < c->pods.n; j++) {
                    const struct m_pod *p = c->pods.items[j];
                    if (strcmp(p->ns, ns->name) != 0)
                        continue;
                    char pneed[96] = "";
                    if (p->restart_needed || (labelled(ns) && p->sidecar == SIDECAR_MISSING))
                        snprintf(pneed, sizeof pneed, "restart to get the sidecar (R)");
                    else if (is_pxc_pod(p) && !labelled(ns))
                        snprintf(pneed, sizeof pneed, "namespace not labelled (L)");
                    snprintf(id, sizeof id, "pod/%s/%s/%s", c->name, p->ns, p->name);
                    tbl_row(iv->t, id, TH_NONE);
                    tbl_cell(iv->t, "pod", TH_STATE_MUTED);
                    tbl_cell(iv->t, c->name, TH_NONE);
                    tbl_cell(iv->t, p->ns, TH_NONE);
                    tbl_cell(iv->t, p->name, TH_NONE);
                    tbl_cell(iv->t, "", TH_NONE);
                    tbl_cell(iv->t, model_sidecar_name(p->sidecar),
                             p->sidecar == SIDECAR_INJECTED  ? TH_STATE_OK
                             : p->sidecar == SIDECAR_MISSING ? TH_STATE_BAD
                                                             : TH_STATE_MUTED);
                    tbl_cell(iv->t, pneed[0] ? pneed : "-",
                             pneed[0] ? TH_STATE_WARN : TH_STATE_MUTED);
                }
            }
        }
    tbl_rows_end(iv->t);
}

/* The selected row's cluster and namespace (and pod or NULL). */
static const struct m_cluster *
in_selected(struct in_view *iv, const struct m_namespace **ns_out, const struct m_pod **pod_out)
{
    const char *id = tbl_selected_id(iv->t);
    *ns_out = NULL;
    *pod_out = NULL;
    if (id == NULL)
        return NULL;
    bool is_pod = strncmp(id, "pod/", 4) == 0;
    const char *rest = id + (is_pod ? 4 : 3);
    const struct model *m = app_model(iv->v.app);
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        size_t cl = strlen(c->name);
        if (strncmp(rest, c->name, cl) != 0 || rest[cl] != '/')
            continue;
        const char *nsname = rest + cl + 1;
        char ns[256];
        snprintf(ns, sizeof ns, "%s", nsname);
        char *slash = strchr(ns, '/');
        if (slash != NULL)
            *slash = '\0';
        *ns_out = model_ns_find(c, ns);
        if (is_pod && slash != NULL)
            *pod_out = model_pod_find(c, ns, slash + 1);
        return c;
    }
    return NULL;
}

static void
in_fill_detail(struct in_view *iv)
{
    const struct m_namespace *ns;
    const struct m_pod *p;
    const struct m_cluster *c = in_selected(iv, &ns, &p);
    textv_clear(iv->detail);
    if (c == NULL || ns == NULL) {
        textv_add_line(iv->detail, "No namespace selected.", TH_STATE_MUTED);
        return;
    }
    char line[512], sts[200];
    pxc_sts(c, ns->name, sts, sizeof sts);
    snprintf(line, sizeof line, "%s: namespace %s, injection %s", c->name, ns->name,
             model_injection_name(ns->injection));
    textv_add_line(iv->detail, line, TH_TEXT);
    if (p != NULL) {
        snprintf(line, sizeof line, "pod %s: sidecar %s%s, phase %s, node %s", p->name,
                 model_sidecar_name(p->sidecar), p->restart_needed ? " (restart needed)" : "",
                 p->phase ? p->phase : "?", p->node ? p->node : "?");
        textv_add_line(iv->detail, line, TH_TEXT);
    }
    if (!labelled(ns)) {
        snprintf(line, sizeof line,
                 "L: kubectl label namespace %s istio-injection=enabled "
                 "(context %s)",
                 ns->name, c->name);
        textv_add_line(iv->detail, line, TH_STATE_OK);
    }
    if (sts[0]) {
        snprintf(line, sizeof line,
                 "R: kubectl rollout restart statefulset %s -n %s (context "
                 "%s): pods come back with the sidecar once the namespace is labelled",
                 sts, ns->name, c->name);
        textv_add_line(iv->detail, line, TH_STATE_OK);
    }
}

static void
in_sync(struct view *v)
{
    in_fill((struct in_view *)v);
}

static void
in_render(struct view *v)
{
    struct in_view *iv = (struct in_view *)v;
    const struct theme *th = app_theme(v->app);
    const struct glyphs *g = app_glyphs(v->app);
    in_fill_detail(iv);
    werase(v->win);
    int dh = 6;
    if (dh > iv->h - 4)
        dh = iv->h - 4;
    int th_ = iv->h - dh;
    char info[64];
    tbl_pos_text(iv->t, info, sizeof info);
    frame_draw(v->win, 0, 0, th_, iv->w, "Injection (needing action first)", info, true, th, g);
    int iy, ix, ih, iw;
    frame_inner(0, 0, th_, iv->w, &iy, &ix, &ih, &iw);
    tbl_draw(iv->t, v->win, iy, ix, ih, iw, th, g, true);
    frame_draw(v->win, th_, 0, dh, iv->w, "Fix", NULL, false, th, g);
    frame_inner(th_, 0, dh, iv->w, &iy, &ix, &ih, &iw);
    textv_draw(iv->detail, v->win, iy, ix, ih, iw, th, g);
}

static void
in_layout(struct view *v, int y, int x, int h, int w)
{
    struct in_view *iv = (struct in_view *)v;
    iv->y0 = y;
    iv->x0 = x;
    iv->h = h;
    iv->w = w;
    v->dirty = true;
}

static unsigned
in_action(struct view *v, enum key_action act)
{
    struct in_view *iv = (struct in_view *)v;
    struct app *a = v->app;
    if (act == KA_LABEL_NS || act == KA_RESTART_STS) {
        const struct m_namespace *ns;
        const struct m_pod *p;
        const struct m_cluster *c = in_selected(iv, &ns, &p);
        if (c == NULL || ns == NULL) {
            app_flash(a, APP_INFO, "select a namespace or pod first");
            return R_NONE;
        }
        if (act == KA_LABEL_NS) {
            if (ns->injection == INJ_ENABLED)
                app_flash(a, APP_INFO, "namespace %s in %s is labelled already", ns->name, c->name);
            else
                app_act(a, ACT_LABEL_NAMESPACE,
                        &(struct act_args){.cluster = c->name, .ns = ns->name});
            return R_NONE;
        }
        char sts[200];
        pxc_sts(c, ns->name, sts, sizeof sts);
        if (sts[0] == '\0') {
            app_flash(a, APP_WARN, "no PXC statefulset in %s/%s to restart", c->name, ns->name);
            return R_NONE;
        }
        app_act(a, ACT_RESTART_STS,
                &(struct act_args){.cluster = c->name, .ns = ns->name, .name = sts});
        return R_NONE;
    }
    if (act == KA_LOGS) {
        const struct m_namespace *ns;
        const struct m_pod *p;
        const struct m_cluster *c = in_selected(iv, &ns, &p);
        char id[600];
        if (p != NULL)
            snprintf(id, sizeof id, "%s/%s", p->ns, p->name);
        return view_logs_open_ref(a, c != NULL ? c->name : NULL, "pod", p != NULL ? id : NULL,
                                  &view_injection_ops);
    }
    if (act == KA_DESCRIBE) {
        const struct m_namespace *ns;
        const struct m_pod *p;
        const struct m_cluster *c = in_selected(iv, &ns, &p);
        if (c == NULL || ns == NULL) {
            app_flash(a, APP_INFO, "select a namespace or pod first");
            return R_NONE;
        }
        struct describe_target t = {p != NULL ? "pod" : "namespace", c->name,
                                    p != NULL ? p->ns : NULL, p != NULL ? p->name : ns->name, NULL};
        view_describe_open(a, &t, &view_injection_ops);
        return R_REDRAW | R_HINTS;
    }
    unsigned r = vutil_table_action(iv->t, act, a);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
in_table(const struct view *v)
{
    return ((const struct in_view *)v)->t;
}

static unsigned
in_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct in_view *iv = (struct in_view *)v;
    (void)x;
    return vutil_table_mouse(iv->t, iv->y0, y, wheel_dy, 1, &v->dirty);
}

static struct view *
in_create(struct app *a)
{
    struct in_view *iv = xcalloc(1, sizeof *iv);
    iv->v.ops = &view_injection_ops;
    iv->v.app = a;
    iv->v.dirty = true;
    iv->t = tbl_new(in_cols, sizeof in_cols / sizeof in_cols[0]);
    tbl_set_empty_text(iv->t, "no namespaces seen yet");
    iv->detail = textv_new();
    return &iv->v;
}

static void
in_destroy(struct view *v)
{
    struct in_view *iv = (struct in_view *)v;
    tbl_free(iv->t);
    textv_free(iv->detail);
    free(iv);
}

const struct view_ops view_injection_ops = {
    .name = "injection",
    .title = "Injection",
    .interest = DIRTY_NAMESPACES | DIRTY_PODS | DIRTY_PXC | DIRTY_CLUSTERS,
    .key = KA_VIEW_INJECTION,
    .ticks = false,
    .scope = KS_INJECTION,
    .create = in_create,
    .destroy = in_destroy,
    .layout = in_layout,
    .sync = in_sync,
    .render = in_render,
    .action = in_action,
    .table = in_table,
    .mouse = in_mouse,
};
