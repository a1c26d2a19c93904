/* fixrun: one fix, from the finding's data to the change. Each kind is a short chain of
 * asynchronous requests on the live backends: a Kubernetes write (label, restart), the apply
 * pipeline (apply_plan: validate, read live, dry run, diff, apply) for a ServiceEntry made by
 * the mesh rule (doctor/mesh.h) and the manifest generator, or channel statements through the
 * cluster's MySQL poller with the action user, rendered first in the server's dialect for the
 * preview. A replication password comes from the source cluster's Secret only when the fix
 * is applied, is copied into the statement and zeroed after. What is deliberately not here:
 * asking the operator (the console's question, the CLI's prompt) and deciding what is wrong
 * (the doctor). */
#include "doctor/fixrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "codec/yamlout.h"
#include "doctor/mesh.h"
#include "kube/kube.h"
#include "live/live.h"
#include "manifest/apply_plan.h"
#include "manifest/crdreg.h"
#include "manifest/manifest.h"
#include "mysql/mysql_poll.h"
#include "mysql/sqlq.h"

#define FR_MAX_SQL 3

struct fixrun {
    uv_loop_t *loop;
    struct model *m;
    struct live *lv;
    struct m_fix fix; /* owned copy */
    char what[512];
    struct strbuf text;
    bool no_change;
    bool previewed;
    /* the step in flight */
    fixrun_cb *cb;
    void *arg;
    uv_timer_t defer; /* calls back a step that finished at once, on the next loop turn */
    int d_status;
    struct pxerr d_err;
    struct kube_req *req;
    struct kube_client *req_kc; /* req's client: cancel only while the cluster has it */
    struct apply_plan *plan;
    struct crdreg *schemas;
    /* channel statements */
    struct sqlq_action acts[FR_MAX_SQL];
    int n_acts, next_act;
    struct sqlq_source src;
    char *password;   /* secret: the Secret's value while the statements run */
    bool sql_pending; /* a mysql_poll_action callback is still to come */
    bool freed;       /* fixrun_free ran: the last callback frees */
    bool timer_closed;
};

bool
fixrun_can(enum fix_kind k)
{
    switch (k) {
    case FIX_LABEL_NAMESPACE:
    case FIX_RESTART_STS:
    case FIX_APPLY_SENTRY:
    case FIX_START_CHANNEL:
    case FIX_REPOINT_SOURCE:
    case FIX_SOURCE_PASSWORD:
    case FIX_UNLABEL_NAMESPACE:
    case FIX_DELETE_SENTRY:
        return true;
    case FIX_NONE:
    case FIX_COMMAND:
    case FIX__COUNT:
        break;
    }
    return false;
}

static const char *
arg(const char *s)
{
    return s != NULL ? s : "";
}

struct fixrun *
fixrun_new(uv_loop_t *loop, struct model *m, struct live *lv, const struct m_fix *fix)
{
    struct fixrun *fr = xcalloc(1, sizeof *fr);
    fr->loop = loop;
    fr->m = m;
    fr->lv = lv;
    model_fix_copy(&fr->fix, fix);
    strbuf_init(&fr->text);
    snprintf(fr->what, sizeof fr->what, "%s (%s)", arg(fix->what), arg(fix->where));
    uv_timer_init(loop, &fr->defer);
    fr->defer.data = fr;
    return fr;
}

static void
release(struct fixrun *fr)
{
    if (!fr->freed || !fr->timer_closed || fr->sql_pending)
        return;
    model_fix_fini(&fr->fix);
    strbuf_fini(&fr->text);
    xfree_secret(fr->password);
    crdreg_free(fr->schemas);
    free(fr);
}

static void
on_defer_closed(uv_handle_t *h)
{
    struct fixrun *fr = h->data;
    fr->timer_closed = true;
    release(fr);
}

void
fixrun_free(struct fixrun *fr)
{
    if (fr == NULL)
        return;
    fr->freed = true;
    fr->cb = NULL;
    /* A request whose cluster was dropped was cancelled with its client. */
    if (fr->req != NULL && fr->lv != NULL && live_client(fr->lv, fr->fix.cluster) == fr->req_kc)
        kube_req_cancel(fr->req);
    else if (fr->req != NULL && fr->fix.remote != NULL &&
             live_client(fr->lv, fr->fix.remote) == fr->req_kc)
        kube_req_cancel(fr->req);
    fr->req = NULL;
    apply_plan_free(fr->plan);
    fr->plan = NULL;
    uv_timer_stop(&fr->defer);
    uv_close((uv_handle_t *)&fr->defer, on_defer_closed);
}

/* The step ends: its callback, once. */
static void
finish(struct fixrun *fr, int status, const struct pxerr *err)
{
    fixrun_cb *cb = fr->cb;
    fr->cb = NULL;
    if (cb != NULL)
        cb(fr, status, err, fr->arg);
}

static void
on_defer(uv_timer_t *t)
{
    struct fixrun *fr = t->data;
    finish(fr, fr->d_status, &fr->d_err);
}

/* The step ended at once: call back on the next loop turn, never from inside the call. */
static void
finish_later(struct fixrun *fr, int status, const struct pxerr *err)
{
    fr->d_status = status;
    if (err != NULL)
        fr->d_err = *err;
    uv_timer_start(&fr->defer, on_defer, 0, 0);
}

const char *
fixrun_text(const struct fixrun *fr)
{
    return fr->previewed ? fr->text.s : "";
}

const char *
fixrun_what(const struct fixrun *fr)
{
    return fr->what;
}

bool
fixrun_no_change(const struct fixrun *fr)
{
    return fr->no_change;
}

struct crdreg *
fixrun_take_schemas(struct fixrun *fr)
{
    struct crdreg *s = fr->schemas;
    fr->schemas = NULL;
    return s;
}

static struct kube_client *
client_of(struct fixrun *fr, const char *cluster, struct pxerr *err)
{
    struct kube_client *kc = fr->lv != NULL ? live_client(fr->lv, arg(cluster)) : NULL;
    if (kc == NULL)
        pxerr_set(err, PXE_NOTFOUND,
                  "cluster '%s' has no API client (not configured, or its context did not "
                  "resolve)",
                  arg(cluster));
    return kc;
}

static struct mysql_poll *
poller_of(struct fixrun *fr, struct pxerr *err)
{
    struct mysql_poll *mp = fr->lv != NULL ? live_mysql(fr->lv, arg(fr->fix.cluster)) : NULL;
    if (mp == NULL)
        pxerr_set(err, PXE_NOTFOUND, "cluster '%s' has no MySQL connection (mysql config)",
                  arg(fr->fix.cluster));
    return mp;
}

/* ---- channel statements ---- */

static void
sql_plan(struct fixrun *fr)
{
    fr->src = (struct sqlq_source)SQLQ_SOURCE_UNCHANGED;
    fr->n_acts = 0;
    struct sqlq_action base = {.channel = arg(fr->fix.channel), .threads = SQLQ_BOTH};
    if (fr->fix.kind == FIX_START_CHANNEL) {
        fr->acts[fr->n_acts] = base;
        fr->acts[fr->n_acts++].verb = SQLQ_START;
        return;
    }
    if (fr->fix.kind == FIX_REPOINT_SOURCE)
        fr->src.host = fr->fix.host;
    else
        fr->src.password = "-"; /* the Secret's value replaces it before the statement runs */
    fr->acts[fr->n_acts] = base;
    fr->acts[fr->n_acts++].verb = SQLQ_STOP;
    fr->acts[fr->n_acts] = base;
    fr->acts[fr->n_acts].verb = SQLQ_CHANGE_SOURCE;
    fr->acts[fr->n_acts++].src = &fr->src;
    fr->acts[fr->n_acts] = base;
    fr->acts[fr->n_acts++].verb = SQLQ_START;
}

static int
sql_preview(struct fixrun *fr, struct pxerr *err)
{
    struct mysql_poll *mp = poller_of(fr, err);
    if (mp == NULL)
        return err->code;
    sql_plan(fr);
    strbuf_appendf(&fr->text, "Cluster %s, server %s, channel %s: %s\n", arg(fr->fix.cluster),
                   arg(fr->fix.server), arg(fr->fix.channel),
                   fr->fix.kind == FIX_START_CHANNEL    ? "start it"
                   : fr->fix.kind == FIX_REPOINT_SOURCE ? "point it at another source host"
                                                        : "set the replication password");
    if (fr->fix.kind == FIX_SOURCE_PASSWORD)
        strbuf_appendf(&fr->text,
                       "The password is read from Secret %s/%s (key replication) in %s.\n",
                       arg(fr->fix.ns), arg(fr->fix.name), arg(fr->fix.remote));
    strbuf_appendf(&fr->text,
                   "Runs as MySQL user '%s' (the action user), in the server's dialect:\n",
                   mysql_poll_action_user(mp));
    for (int i = 0; i < fr->n_acts; i++) {
        struct strbuf masked;
        strbuf_init(&masked);
        int rc = mysql_poll_render(mp, arg(fr->fix.server), &fr->acts[i], &masked, err);
        if (rc == 0)
            strbuf_appendf(&fr->text, "  %s;\n", masked.s);
        strbuf_fini(&masked);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void sql_next(struct fixrun *fr);
static void on_sql_done_fwd(int status, const char *server, const char *sql_masked,
                            const struct pxerr *err, void *a);

/* Send the next statement: 0, or PXE_* with err (nothing in flight then). */
static int
sql_send(struct fixrun *fr, struct pxerr *err)
{
    struct mysql_poll *mp = poller_of(fr, err);
    if (mp == NULL)
        return err->code;
    struct sqlq_action *a = &fr->acts[fr->next_act++];
    int rc = mysql_poll_action(mp, arg(fr->fix.server), a, on_sql_done_fwd, fr, err);
    if (rc == 0)
        fr->sql_pending = true;
    return rc;
}

static void
on_sql_done_fwd(int status, const char *server, const char *sql_masked, const struct pxerr *err,
                void *a)
{
    struct fixrun *fr = a;
    (void)server, (void)sql_masked;
    fr->sql_pending = false;
    if (fr->freed) {
        release(fr);
        return;
    }
    if (status != 0) {
        xfree_secret(fr->password);
        fr->password = NULL;
        finish(fr, status, err);
        return;
    }
    sql_next(fr);
}

static void
sql_next(struct fixrun *fr)
{
    if (fr->next_act >= fr->n_acts) {
        xfree_secret(fr->password);
        fr->password = NULL;
        finish(fr, 0, NULL);
        return;
    }
    struct pxerr err = {0};
    if (sql_send(fr, &err) != 0) {
        xfree_secret(fr->password);
        fr->password = NULL;
        finish(fr, err.code ? err.code : PXE_INTERNAL, &err);
    }
}

static void
on_repl_secret(int status, const char *value, size_t len, const struct pxerr *err, void *a)
{
    struct fixrun *fr = a;
    fr->req = NULL;
    if (status != 0) {
        finish(fr, status, err);
        return;
    }
    xfree_secret(fr->password);
    fr->password = xstrndup(value, len); /* kube zeroes value after us */
    fr->src.password = fr->password;
    sql_next(fr);
}

/* ---- ServiceEntry ---- */

static void
on_sentry_previewed(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
                    void *a)
{
    struct fixrun *fr = a;
    (void)step;
    if (status != 0) {
        finish(fr, status, err);
        return;
    }
    int n_changed = 0;
    bool all_exist = true;
    for (size_t i = 0; i < apply_plan_count(p); i++) {
        const struct apply_item *it = apply_plan_item(p, i);
        strbuf_appendf(&fr->text, "%s %s:\n%s", it->exists ? "changes to" : "new", it->desc,
                       it->diff);
        n_changed += it->n_changed;
        all_exist = all_exist && it->exists;
    }
    fr->no_change = n_changed == 0 && all_exist;
    if (fr->no_change)
        strbuf_append(&fr->text, "No change: the live object already matches.\n");
    fr->previewed = true;
    finish(fr, 0, NULL);
}

static void
on_sentry_validated(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
                    void *a)
{
    struct fixrun *fr = a;
    (void)step;
    crdreg_free(fr->schemas);
    fr->schemas = apply_plan_take_schemas(p);
    if (status != 0) {
        finish(fr, status, err);
        return;
    }
    struct pxerr e = {0};
    if (apply_plan_preview(p, fr->lv, arg(fr->fix.cluster), 0, apply_plan_count(p),
                           on_sentry_previewed, fr, &e) != 0)
        finish(fr, e.code, &e);
}

static int
sentry_preview(struct fixrun *fr, struct crdreg *schemas, struct pxerr *err)
{
    struct m_cluster *rc = model_cluster_find(fr->m, arg(fr->fix.remote));
    const char *addrs[MF_MAX_ENDPOINTS];
    int n = rc != NULL ? mesh_endpoints(rc, addrs, MF_MAX_ENDPOINTS) : 0;
    if (n == 0) {
        crdreg_free(schemas);
        return pxerr_set(err, PXE_NOTFOUND,
                         "no node of cluster %s reports an InternalIP (not listed yet, or not "
                         "listable): the ServiceEntry's endpoints are unknown",
                         arg(fr->fix.remote));
    }
    if (n > MF_MAX_ENDPOINTS)
        n = MF_MAX_ENDPOINTS;
    struct mf_serviceentry_opts o = {.name = fr->fix.name,
                                     .object_name = fr->fix.object,
                                     .namespace = fr->fix.ns,
                                     .remote_cluster = fr->fix.remote,
                                     .address = fr->fix.address,
                                     .n_endpoints = n};
    for (int i = 0; i < n; i++)
        o.endpoints[i].address = addrs[i];
    json_t *docs = json_array();
    int rc_ = mf_serviceentry(&o, docs, err);
    if (rc_ != 0) {
        json_decref(docs);
        crdreg_free(schemas);
        return rc_;
    }
    strbuf_appendf(
        &fr->text,
        "Cluster %s: server-side apply of the ServiceEntry for %s.%s.global with %d "
        "node address(es) of %s, field manager " KUBE_FIELD_MANAGER " (server dry run):\n",
        arg(fr->fix.cluster), arg(fr->fix.name), arg(fr->fix.remote), n, arg(fr->fix.remote));
    fr->plan = apply_plan_new(fr->loop, docs, &(struct apply_opts){.context = 2});
    json_decref(docs);
    return apply_plan_validate(fr->plan, schemas, on_sentry_validated, fr, err);
}

static void
on_sentry_applied(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
                  void *a)
{
    (void)p, (void)step;
    finish(a, status, err);
}

/* ---- Kubernetes writes ---- */

/* The ServiceEntry to delete as the server has it: the preview shows it removed whole, and
 * the channels that read through its hosts. */
static void
on_sentry_got(int status, long code, json_t *body, const struct pxerr *err, void *a)
{
    struct fixrun *fr = a;
    fr->req = NULL;
    if (status != 0) {
        struct pxerr e = {0};
        if (code == 404)
            pxerr_set(&e, PXE_NOTFOUND, "no ServiceEntry %s/%s in cluster %s: nothing to delete",
                      arg(fr->fix.ns), arg(fr->fix.object), arg(fr->fix.cluster));
        finish(fr, status, code == 404 ? &e : err);
        return;
    }
    /* Who loses the way to their source first: the object may be long. */
    strbuf_appendf(&fr->text, "Cluster %s: delete ServiceEntry %s/%s.\n", arg(fr->fix.cluster),
                   arg(fr->fix.ns), arg(fr->fix.object));
    struct m_cluster *c = model_cluster_find(fr->m, arg(fr->fix.cluster));
    struct m_sentry *se = c != NULL ? model_sentry_find(c, arg(fr->fix.ns), arg(fr->fix.object))
                                    : NULL;
    struct strbuf users;
    strbuf_init(&users);
    int n = c != NULL && se != NULL ? mesh_sentry_users(c, se, &users) : 0;
    if (n > 0)
        strbuf_appendf(&fr->text, "Its hosts stop resolving in the mesh; %d channel%s use%s "
                                  "them and lose their source:\n%s",
                       n, n == 1 ? "" : "s", n == 1 ? "s" : "", users.s);
    else
        strbuf_append(&fr->text, "Its hosts stop resolving in the mesh; no replication channel "
                                 "of the cluster uses them.\n");
    strbuf_fini(&users);
    strbuf_append(&fr->text, "Removed whole:\n");
    json_t *md = json_object_get(body, "metadata");
    /* What the server keeps for itself is noise in a removal. */
    static const char *const noise[] = {"managedFields", "resourceVersion", "uid", "generation",
                                        "creationTimestamp"};
    for (size_t i = 0; json_is_object(md) && i < sizeof noise / sizeof noise[0]; i++)
        json_object_del(md, noise[i]);
    json_object_del(body, "status");
    struct strbuf y;
    strbuf_init(&y);
    yamlout_yaml(body, &y);
    for (const char *l = y.s; *l != '\0';) {
        size_t len = strcspn(l, "\n");
        strbuf_appendf(&fr->text, "- %.*s\n", (int)len, l);
        l += len + (l[len] == '\n');
    }
    strbuf_fini(&y);
    fr->previewed = true;
    finish(fr, 0, NULL);
}

static void
on_write_done(int status, long code, json_t *body, const struct pxerr *err, void *a)
{
    struct fixrun *fr = a;
    (void)code, (void)body;
    fr->req = NULL;
    finish(fr, status, err);
}

/* ---- the two steps ---- */

/* The injection label's change as the merge patch's diff; no change when the namespace holds
 * it already. A namespace the look does not hold (not watched) is patched all the same, and
 * says that its label was not read. */
static void
label_preview(struct fixrun *fr, bool enable)
{
    struct m_cluster *c = model_cluster_find(fr->m, arg(fr->fix.cluster));
    struct m_namespace *ns = c != NULL ? model_ns_find(c, arg(fr->fix.ns)) : NULL;
    const char *now = ns == NULL                       ? "(not read)"
                      : ns->injection == INJ_ENABLED  ? "enabled"
                      : ns->injection == INJ_DISABLED ? "disabled"
                                                      : NULL;
    strbuf_appendf(&fr->text,
                   enable ? "Cluster %s: label namespace %s istio-injection=enabled.\n"
                          : "Cluster %s: remove the label istio-injection of namespace %s.\n",
                   arg(fr->fix.cluster), arg(fr->fix.ns));
    strbuf_appendf(&fr->text,
                   "JSON merge patch of namespace %s, field manager " KUBE_FIELD_MANAGER ":\n"
                   "  metadata:\n    labels:\n",
                   arg(fr->fix.ns));
    if (enable && now != NULL && strcmp(now, "enabled") == 0) {
        strbuf_append(&fr->text, "      istio-injection: enabled   (already: no change)\n");
        fr->no_change = true;
    } else if (!enable && now == NULL) {
        strbuf_append(&fr->text, "      istio-injection: (not set: no change)\n");
        fr->no_change = true;
    } else {
        if (now != NULL)
            strbuf_appendf(&fr->text, "-     istio-injection: %s\n", now);
        if (enable)
            strbuf_append(&fr->text, "+     istio-injection: enabled\n");
    }
    strbuf_append(&fr->text, enable ? "Pods created from now on get the Istio sidecar; running "
                                      "pods keep theirs until restarted (restart the PXC "
                                      "statefulset next).\n"
                                    : "Pods created from now on get no Istio sidecar; running "
                                      "pods keep theirs until restarted.\n");
}

int
fixrun_preview(struct fixrun *fr, struct crdreg *schemas, fixrun_cb *cb, void *arg_,
               struct pxerr *err)
{
    if (!fixrun_can(fr->fix.kind)) {
        crdreg_free(schemas);
        return pxerr_set(err, PXE_UNSUPPORTED, "pxcmesh does not run this fix itself: run %s",
                         arg(fr->fix.command));
    }
    if (fr->cb != NULL) {
        crdreg_free(schemas);
        return pxerr_set(err, PXE_INVAL, "%s: a step is still running", fr->what);
    }
    strbuf_reset(&fr->text);
    fr->previewed = false;
    fr->cb = cb;
    fr->arg = arg_;
    int rc = 0;
    switch (fr->fix.kind) {
    case FIX_LABEL_NAMESPACE:
    case FIX_RESTART_STS:
        crdreg_free(schemas);
        if (client_of(fr, fr->fix.cluster, err) == NULL) {
            rc = err->code;
            break;
        }
        if (fr->fix.kind == FIX_LABEL_NAMESPACE)
            label_preview(fr, true);
        else
            strbuf_appendf(&fr->text,
                           "Cluster %s: restart every pod of statefulset %s in namespace %s, "
                           "one at a time (kubectl rollout restart).\n"
                           "Strategic merge patch of statefulset %s/%s, field manager "
                           KUBE_FIELD_MANAGER ":\n"
                           "  spec:\n    template:\n      metadata:\n        annotations:\n"
                           "+         kubectl.kubernetes.io/restartedAt: <the time of the change>\n"
                           "Each PXC node leaves and rejoins Galera; a channel on a restarted "
                           "pod stops until its pod is back.\n",
                           arg(fr->fix.cluster), arg(fr->fix.name), arg(fr->fix.ns),
                           arg(fr->fix.ns), arg(fr->fix.name));
        break;
    case FIX_UNLABEL_NAMESPACE:
        crdreg_free(schemas);
        if (client_of(fr, fr->fix.cluster, err) == NULL) {
            rc = err->code;
            break;
        }
        label_preview(fr, false);
        break;
    case FIX_DELETE_SENTRY: {
        crdreg_free(schemas);
        struct kube_client *kc = client_of(fr, fr->fix.cluster, err);
        if (kc == NULL) {
            rc = err->code;
            break;
        }
        struct strbuf path;
        strbuf_init(&path);
        rc = kube_kind_path(kc, "serviceentries", arg(fr->fix.ns), arg(fr->fix.object), &path,
                            err);
        fr->req_kc = kc;
        if (rc == 0)
            rc = kube_get(kc, path.s, on_sentry_got, fr, &fr->req, err);
        strbuf_fini(&path);
        fr->cb = rc == 0 ? cb : NULL;
        return rc; /* its callback comes from the GET */
    }
    case FIX_START_CHANNEL:
    case FIX_REPOINT_SOURCE:
    case FIX_SOURCE_PASSWORD:
        crdreg_free(schemas);
        rc = sql_preview(fr, err);
        if (rc == 0 && fr->fix.kind == FIX_SOURCE_PASSWORD &&
            client_of(fr, fr->fix.remote, err) == NULL)
            rc = err->code;
        break;
    case FIX_APPLY_SENTRY:
        if (client_of(fr, fr->fix.cluster, err) == NULL) {
            crdreg_free(schemas);
            rc = err->code;
            break;
        }
        rc = sentry_preview(fr, schemas, err);
        if (rc != 0) {
            apply_plan_free(fr->plan);
            fr->plan = NULL;
        }
        fr->cb = rc == 0 ? cb : NULL;
        return rc; /* its callback comes from the plan */
    default:
        crdreg_free(schemas);
        rc = PXE_UNSUPPORTED;
    }
    if (rc != 0) {
        fr->cb = NULL;
        return rc;
    }
    fr->previewed = true;
    finish_later(fr, 0, NULL);
    return 0;
}

int
fixrun_apply(struct fixrun *fr, fixrun_cb *cb, void *arg_, struct pxerr *err)
{
    if (!fr->previewed)
        return pxerr_set(err, PXE_INVAL, "%s: preview it first", fr->what);
    if (fr->cb != NULL)
        return pxerr_set(err, PXE_INVAL, "%s: a step is still running", fr->what);
    fr->cb = cb;
    fr->arg = arg_;
    int rc = 0;
    struct kube_client *kc;
    switch (fr->fix.kind) {
    case FIX_LABEL_NAMESPACE:
    case FIX_RESTART_STS:
        if ((kc = client_of(fr, fr->fix.cluster, err)) == NULL) {
            rc = err->code;
            break;
        }
        fr->req_kc = kc;
        if (fr->fix.kind == FIX_LABEL_NAMESPACE)
            rc = kube_label_namespace(kc, arg(fr->fix.ns), "istio-injection", "enabled", 0,
                                      on_write_done, fr, &fr->req, err);
        else
            rc = kube_restart_statefulset(kc, arg(fr->fix.ns), arg(fr->fix.name), 0, on_write_done,
                                          fr, &fr->req, err);
        break;
    case FIX_UNLABEL_NAMESPACE:
        if ((kc = client_of(fr, fr->fix.cluster, err)) == NULL) {
            rc = err->code;
            break;
        }
        fr->req_kc = kc;
        rc = kube_label_namespace(kc, arg(fr->fix.ns), "istio-injection", NULL, 0, on_write_done,
                                  fr, &fr->req, err);
        break;
    case FIX_DELETE_SENTRY: {
        if ((kc = client_of(fr, fr->fix.cluster, err)) == NULL) {
            rc = err->code;
            break;
        }
        fr->req_kc = kc;
        const char *ver = kube_client_sentry_version(kc);
        rc = kube_delete(kc, ver[0] ? ver : "networking.istio.io/v1beta1", "ServiceEntry",
                         arg(fr->fix.ns), arg(fr->fix.object), 0, on_write_done, fr, &fr->req,
                         err);
        break;
    }
    case FIX_APPLY_SENTRY:
        rc = apply_plan_apply(fr->plan, fr->lv, arg(fr->fix.cluster), 0, apply_plan_count(fr->plan),
                              on_sentry_applied, fr, err);
        break;
    case FIX_START_CHANNEL:
    case FIX_REPOINT_SOURCE:
        if (poller_of(fr, err) == NULL) {
            rc = err->code;
            break;
        }
        fr->next_act = 0;
        rc = sql_send(fr, err); /* the next ones follow from its callback */
        break;
    case FIX_SOURCE_PASSWORD:
        if ((kc = client_of(fr, fr->fix.remote, err)) == NULL) {
            rc = err->code;
            break;
        }
        fr->next_act = 0;
        fr->req_kc = kc;
        rc = kube_secret_get(kc, arg(fr->fix.ns), arg(fr->fix.name), "replication", on_repl_secret,
                             fr, &fr->req, err);
        break;
    default:
        rc = pxerr_set(err, PXE_UNSUPPORTED, "pxcmesh does not run this fix itself");
    }
    if (rc != 0)
        fr->cb = NULL;
    return rc;
}
