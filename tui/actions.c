/* actions: confirmation first, then one asynchronous backend request, then the outcome in
 * the status bar and the event log. Each action is a small state machine:
 *
 *   actions_X()  ──refused in read-only/replay──▶ flash, nothing else
 *        │
 *        ▼ (apply: CRD validation on a worker, live GET and server dry run first)
 *   dialog (what, where) ──No──▶ dropped
 *        │ Yes
 *        ▼
 *   struct op: kube/mysql request in flight ──callback──▶ flash + model_event, op freed
 *
 * Nothing here draws except the dialog (actions_dialog_draw, called by the app's frame),
 * and nothing here waits: every request carries its callback and is cancelled when the
 * console quits (actions_free). It deliberately knows nothing of views: a view passes the
 * names it read from the model, and the model's informers show the effect. */
#include "actions.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <uv.h>

#include "app.h"
#include "clock.h"
#include "log.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"
#include "manifest/crdreg.h"
#include "dlg.h"
#include "kube/kube.h"
#include "kube/kube_get_obj.h"
#include "live/live.h"
#include "model/model.h"
#include "mysql/mysql_poll.h"
#include "probe/probe_pod.h"
#include "mysql/sqlq.h"
#include "wkey.h"
#include "codec/yamlout.h"
#include "manifest/ydiff.h"

#define ACT_MAX_PROBES 24 /* probes one confirmation may start */
#define ACT_DIALOG_MAX_LINES 60
#define ACT_PROBE_TIMEOUT_MS 5000
#define ACT_POD_TIMEOUT_MS 60000

enum pend_kind {
    PK_NONE,
    PK_LABEL,
    PK_RESTART,
    PK_DELETE_SE,
    PK_APPLY,
    PK_CHANNEL,
    PK_CREATE_CHANNEL,
    PK_COPY,
    PK_PROBES,
};

struct probe_req {
    enum probe_kind kind;
    char target[300];
};

/* What the open dialog confirms. */
struct pending {
    enum pend_kind kind;
    char cluster[128], ns[128], name[256], server[256], extra[320], what[512];
    bool start;
    json_t *docs; /* PK_APPLY: owned */
    char *text;   /* PK_COPY: owned YAML */
    int n_probes; /* PK_PROBES */
    struct probe_req probes[ACT_MAX_PROBES];
    char owner[256];
};

struct actions;

/* One request in flight. */
struct op {
    struct actions *ac;
    enum pend_kind kind;
    char cluster[128], what[512];
    struct kube_req *req;
    /* apply: docs being previewed or applied, one at a time */
    json_t *docs; /* owned */
    size_t idx;
    int stage;    /* 0 read live, 1 dry run, 2 apply */
    json_t *live; /* owned: the live object of docs[idx], NULL when new */
    struct strbuf diff;
    int n_changed;
    bool preview; /* still previewing (before the dialog) */
    /* create channel */
    char server[256], channel[256], host[320];
};

/* A running probe. Freed when its callback ran and, for a pod probe, its pod is gone
 * (job_maybe_free); until then it stays in ac->jobs so that actions_free can end it. */
struct probe_job {
    struct actions *ac; /* NULL: orphaned at shutdown */
    uint64_t entry_id;
    bool is_pod;
    struct probe *lp;     /* local: valid until cb_done */
    struct probe_pod *pp; /* in-mesh: valid until pod_gone */
    bool starting;        /* inside probe_*_start */
    bool cb_done;         /* the probe's callback ran */
    bool pod_gone;        /* probe pod: its cleanup ran */
};

struct copy_job {
    uv_work_t work;
    struct actions *ac; /* NULL: the console quit meanwhile */
    char *path, *text;
    int rc;
    char err[256];
};

struct crd_job {
    uv_work_t work;
    struct actions *ac;
    struct crdreg *reg;
    struct pxerr err;
    int rc;
};

struct actions {
    struct app *app;
    struct dlg *dlg;
    struct pending pend;
    struct vec ops;     /* owned struct op * */
    struct vec entries; /* owned struct probe_entry * */
    struct vec jobs;    /* borrowed struct probe_job * (running probes) */
    struct vec copies;  /* borrowed struct copy_job * in flight */
    uint64_t next_id, seq;
    struct crdreg *reg;      /* loaded on first apply, on a worker */
    struct crd_job *crd_job; /* loading */
    struct vec waiting;      /* owned struct op *: applies waiting for the CRDs */
};

static void op_free(void *p);
static void apply_step(struct op *op);

/* ---- helpers ---- */

static bool
refuse_write(struct app *a, const char *what)
{
    struct model *m = app_model(a);
    if (m->replay) {
        app_flash(a, APP_WARN, "replay: %s is not possible on a snapshot (actions are hidden)",
                  what);
        return true;
    }
    if (app_readonly(a)) {
        app_flash(a, APP_WARN, "read-only mode: %s refused (start without --readonly to act)",
                  what);
        return true;
    }
    return false;
}

static struct kube_client *
client_for(struct app *a, const char *cluster, const char *what)
{
    struct live *lv = app_live(a);
    struct kube_client *kc = lv != NULL ? live_client(lv, cluster) : NULL;
    if (kc == NULL)
        app_flash(a, APP_ERROR,
                  "%s: cluster '%s' has no API client (not configured, or its "
                  "context did not resolve)",
                  what, cluster);
    return kc;
}

static void
pend_reset(struct actions *ac)
{
    json_decref(ac->pend.docs);
    if (ac->pend.text != NULL)
        xfree_secret(ac->pend.text);
    memset(&ac->pend, 0, sizeof ac->pend);
}

/* Start describing what the dialog's Yes will do: the pending write of kind, on cluster,
 * with the namespace, object name and one-line "what" where given (NULL: unset). */
static void
pend_begin(struct actions *ac, enum pend_kind kind, const char *cluster, const char *ns,
           const char *name, const char *what)
{
    pend_reset(ac);
    ac->pend.kind = kind;
    snprintf(ac->pend.cluster, sizeof ac->pend.cluster, "%s", cluster ? cluster : "");
    snprintf(ac->pend.ns, sizeof ac->pend.ns, "%s", ns ? ns : "");
    snprintf(ac->pend.name, sizeof ac->pend.name, "%s", name ? name : "");
    snprintf(ac->pend.what, sizeof ac->pend.what, "%s", what ? what : "");
}

static void
dialog_close(struct actions *ac)
{
    dlg_free(ac->dlg);
    ac->dlg = NULL;
    pend_reset(ac);
    app_redraw_body(ac->app);
}

/* Open a confirm dialog; ac->pend already describes what Yes does. */
static void
dialog_confirm(struct actions *ac, const char *title, const char *const *lines, size_t n,
               const char *yes)
{
    dlg_free(ac->dlg);
    ac->dlg = dlg_confirm_new(title, lines, n, yes, "Cancel");
    app_redraw_body(ac->app);
}

static struct op *op_new(struct actions *ac, enum pend_kind kind, const char *cluster,
                         const char *fmt, ...) PXC_PRINTF(4, 5);

static struct op *
op_new(struct actions *ac, enum pend_kind kind, const char *cluster, const char *fmt, ...)
{
    struct op *op = xcalloc(1, sizeof *op);
    op->ac = ac;
    op->kind = kind;
    snprintf(op->cluster, sizeof op->cluster, "%s", cluster ? cluster : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->what, sizeof op->what, fmt, ap);
    va_end(ap);
    strbuf_init(&op->diff);
    vec_push(&ac->ops, op);
    return op;
}

static void
op_done(struct op *op)
{
    struct actions *ac = op->ac;
    for (size_t i = 0; i < ac->ops.n; i++)
        if (ac->ops.items[i] == op) {
            vec_remove(&ac->ops, i);
            return;
        }
}

static void
op_free(void *p)
{
    struct op *op = p;
    if (op == NULL)
        return;
    if (op->req != NULL)
        kube_req_cancel(op->req);
    json_decref(op->docs);
    json_decref(op->live);
    strbuf_fini(&op->diff);
    free(op);
}

/* The outcome of a write: status bar and event log. */
static void
outcome(struct actions *ac, const char *cluster, bool ok, const char *what, const char *why)
{
    struct model *m = app_model(ac->app);
    if (ok) {
        app_flash(ac->app, APP_INFO, "done: %s", what);
        model_event(m, cluster, 0, "console: %s", what);
    } else {
        app_flash(ac->app, APP_ERROR, "failed: %s: %s", what, why ? why : "unknown error");
        model_event(m, cluster, 2, "console: %s failed: %s", what, why ? why : "unknown error");
    }
}

/* ---- kube writes ---- */

static void
on_write_done(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct op *op = arg;
    (void)code, (void)body;
    op->req = NULL;
    outcome(op->ac, op->cluster, status == 0, op->what, err ? err->msg : NULL);
    op_done(op);
}

static void
start_write(struct actions *ac)
{
    struct pending *p = &ac->pend;
    struct app *a = ac->app;
    struct kube_client *kc = client_for(a, p->cluster, p->what);
    if (kc == NULL)
        return;
    struct op *op = op_new(ac, p->kind, p->cluster, "%s", p->what);
    struct pxerr err = {0};
    int rc = PXE_INVAL;
    switch (p->kind) {
    case PK_LABEL:
        rc = kube_label_namespace(kc, p->ns, "istio-injection", "enabled", 0, on_write_done, op,
                                  &op->req, &err);
        break;
    case PK_RESTART:
        rc = kube_restart_statefulset(kc, p->ns, p->name, 0, on_write_done, op, &op->req, &err);
        break;
    case PK_DELETE_SE: {
        const char *ver = kube_client_sentry_version(kc);
        rc = kube_delete(kc, ver[0] ? ver : "networking.istio.io/v1beta1", "ServiceEntry", p->ns,
                         p->name, 0, on_write_done, op, &op->req, &err);
        break;
    }
    default:
        break;
    }
    if (rc != 0) {
        outcome(ac, p->cluster, false, p->what, err.msg[0] ? err.msg : "could not start");
        op_done(op);
        return;
    }
    app_flash(a, APP_INFO, "running: %s ...", p->what);
}

void
actions_label_namespace(struct app *a, const char *cluster, const char *ns)
{
    struct actions *ac = app_actions(a);
    char what[384];
    snprintf(what, sizeof what, "label namespace %s istio-injection=enabled in %s", ns, cluster);
    if (refuse_write(a, what))
        return;
    pend_begin(ac, PK_LABEL, cluster, ns, NULL, what);
    char l1[256], l2[256];
    snprintf(l1, sizeof l1, "Cluster %s: label namespace %s istio-injection=enabled.", cluster, ns);
    snprintf(l2, sizeof l2,
             "Pods created from now on get the Istio sidecar; running pods keep "
             "theirs until restarted (restart the PXC statefulset next).");
    const char *lines[] = {l1, l2};
    dialog_confirm(ac, "Label namespace", lines, 2, "Label");
}

void
actions_restart_statefulset(struct app *a, const char *cluster, const char *ns, const char *sts)
{
    struct actions *ac = app_actions(a);
    char what[384];
    snprintf(what, sizeof what, "rollout restart statefulset %s/%s in %s", ns, sts, cluster);
    if (refuse_write(a, what))
        return;
    pend_begin(ac, PK_RESTART, cluster, ns, sts, what);
    char l1[384];
    snprintf(l1, sizeof l1,
             "Cluster %s: restart every pod of statefulset %s in namespace %s, "
             "one at a time (kubectl rollout restart).",
             cluster, sts, ns);
    const char *lines[] = {l1, "Each PXC node leaves and rejoins Galera; a channel on a "
                               "restarted pod stops until its pod is back."};
    dialog_confirm(ac, "Restart statefulset", lines, 2, "Restart");
}

void
actions_delete_sentry(struct app *a, const char *cluster, const char *ns, const char *name)
{
    struct actions *ac = app_actions(a);
    char what[384];
    snprintf(what, sizeof what, "delete ServiceEntry %s/%s in %s", ns, name, cluster);
    if (refuse_write(a, what))
        return;
    pend_begin(ac, PK_DELETE_SE, cluster, ns, name, what);
    char l1[384];
    snprintf(l1, sizeof l1, "Cluster %s: delete ServiceEntry %s in namespace %s.", cluster, name,
             ns);
    const char *lines[] = {l1, "Its hosts stop resolving inside the mesh and connections "
                               "through it (replication channels) are dropped."};
    dialog_confirm(ac, "Delete ServiceEntry", lines, 2, "Delete");
}

/* ---- apply: validate, read live, dry run, diff, confirm, apply ---- */

static void
obj_desc(const json_t *o, char *buf, size_t n)
{
    json_t *md = json_object_get(o, "metadata");
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *name = json_string_value(json_object_get(md, "name"));
    snprintf(buf, n, "%s %s%s%s", kind ? kind : "?", ns ? ns : "", ns ? "/" : "",
             name ? name : "?");
}

static void apply_fail(struct op *op, const char *fmt, ...) PXC_PRINTF(2, 3);

static void
apply_fail(struct op *op, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (op->preview) {
        app_flash(op->ac->app, APP_ERROR, "preview of %s failed: %s", op->what, why);
        model_event(app_model(op->ac->app), op->cluster, 1, "console: preview of %s failed: %s",
                    op->what, why);
    } else {
        outcome(op->ac, op->cluster, false, op->what, why);
    }
    op_done(op);
}

/* The preview is complete: show the diff and ask. */
static void
apply_ask(struct op *op)
{
    struct actions *ac = op->ac;
    pend_begin(ac, PK_APPLY, op->cluster, NULL, NULL, op->what);
    ac->pend.docs = json_deep_copy(op->docs);
    const char *lines[ACT_DIALOG_MAX_LINES];
    char head[512];
    snprintf(head, sizeof head,
             "Cluster %s: server-side apply of %zu object(s), %d line(s) "
             "change (server dry run):",
             op->cluster, json_array_size(op->docs), op->n_changed);
    size_t n = 0;
    lines[n++] = head;
    /* The diff, one dialog line per diff line (the dialog copies them). */
    char *text = xstrdup(op->diff.s);
    for (char *s = text, *nl; s != NULL && *s != '\0' && n < ACT_DIALOG_MAX_LINES - 1; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        lines[n++] = s;
    }
    if (op->n_changed == 0)
        lines[n++] = "No change: the live objects already match.";
    dlg_free(ac->dlg);
    ac->dlg = dlg_confirm_new("Apply", lines, n, "Apply", "Cancel");
    free(text);
    app_redraw_body(ac->app);
    op_done(op);
}

static void
on_apply_resp(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct op *op = arg;
    (void)code;
    op->req = NULL;
    json_t *doc = json_array_get(op->docs, op->idx);
    char desc[300];
    obj_desc(doc, desc, sizeof desc);
    if (op->stage == 0) { /* the live object */
        if (status != 0 && status != PXE_NOTFOUND) {
            apply_fail(op, "%s: %s", desc, err ? err->msg : "cannot read it");
            return;
        }
        op->live = status == 0 && body != NULL ? ydiff_project(body, doc) : NULL;
        op->stage = 1;
        apply_step(op);
        return;
    }
    if (op->stage == 1) { /* the dry run */
        if (status != 0) {
            apply_fail(op, "%s: the server refuses it (dry run): %s", desc,
                       err ? err->msg : "no reason given");
            return;
        }
        json_t *after = ydiff_project(body, doc);
        struct strbuf sa, sb;
        strbuf_init(&sa);
        strbuf_init(&sb);
        if (op->live != NULL)
            yamlout_yaml(op->live, &sa);
        yamlout_yaml(after != NULL ? after : doc, &sb);
        strbuf_appendf(&op->diff, "%s %s:\n", op->live != NULL ? "changes to" : "new", desc);
        op->n_changed += ydiff_lines(sa.s, sb.s, 2, &op->diff);
        strbuf_fini(&sa);
        strbuf_fini(&sb);
        json_decref(after);
        json_decref(op->live);
        op->live = NULL;
        op->idx++;
        op->stage = 0;
        if (op->idx >= json_array_size(op->docs)) {
            apply_ask(op);
            return;
        }
        apply_step(op);
        return;
    }
    /* stage 2: applied */
    if (status != 0) {
        apply_fail(op, "%s: %s", desc, err ? err->msg : "refused");
        return;
    }
    model_event(app_model(op->ac->app), op->cluster, 0, "console: applied %s", desc);
    op->idx++;
    if (op->idx >= json_array_size(op->docs)) {
        outcome(op->ac, op->cluster, true, op->what, NULL);
        op_done(op);
        return;
    }
    apply_step(op);
}

static void
apply_step(struct op *op)
{
    struct app *a = op->ac->app;
    struct kube_client *kc = client_for(a, op->cluster, op->what);
    if (kc == NULL) {
        op_done(op);
        return;
    }
    json_t *doc = json_array_get(op->docs, op->idx);
    struct pxerr err = {0};
    int rc;
    if (op->stage == 0)
        rc = kube_get_obj(kc, doc, on_apply_resp, op, &op->req, &err);
    else if (op->stage == 1)
        rc = kube_apply(kc, doc, KUBE_DRY_RUN, on_apply_resp, op, &op->req, &err);
    else
        rc = kube_apply(kc, doc, 0, on_apply_resp, op, &op->req, &err);
    if (rc != 0)
        apply_fail(op, "%s", err.msg);
}

/* Validation, then the preview. */
static void
apply_begin(struct op *op)
{
    struct actions *ac = op->ac;
    size_t i;
    json_t *doc;
    json_array_foreach(op->docs, i, doc)
    {
        struct pxerr err = {0};
        if (crdreg_validate(ac->reg, doc, &err) != 0) {
            apply_fail(op, "not valid against the CRD schema: %s", err.msg);
            return;
        }
    }
    app_flash(ac->app, APP_INFO, "previewing: %s (server dry run) ...", op->what);
    apply_step(op);
}

static void
crd_work(uv_work_t *w)
{
    struct crd_job *j = w->data;
    j->rc = crdreg_load(NULL, &j->reg, &j->err);
}

static void
crd_after(uv_work_t *w, int status)
{
    struct crd_job *j = w->data;
    struct actions *ac = j->ac;
    if (ac == NULL) { /* the console quit meanwhile */
        crdreg_free(j->reg);
        free(j);
        return;
    }
    ac->crd_job = NULL;
    if (status != 0 || j->rc != 0) {
        app_flash(ac->app, APP_ERROR, "cannot load the CRD schemas to validate: %s",
                  status != 0 ? uv_strerror(status) : j->err.msg);
        vec_clear(&ac->waiting);
        free(j);
        return;
    }
    ac->reg = j->reg;
    free(j);
    while (ac->waiting.n > 0) {
        struct op *op = vec_take(&ac->waiting, 0);
        vec_push(&ac->ops, op);
        apply_begin(op);
    }
}

void
actions_apply(struct app *a, const char *cluster, const json_t *docs, const char *what)
{
    struct actions *ac = app_actions(a);
    char w[384];
    if (strncmp(what, "apply ", 6) == 0) /* the setup's fix texts start with the verb */
        what += 6;
    snprintf(w, sizeof w, "apply %s to %s", what, cluster);
    if (refuse_write(a, w))
        return;
    if (docs == NULL || json_array_size(docs) == 0) {
        app_flash(a, APP_WARN, "%s: nothing to apply", w);
        return;
    }
    if (client_for(a, cluster, w) == NULL)
        return;
    struct op *op = op_new(ac, PK_APPLY, cluster, "%s", w);
    op->preview = true;
    op->docs = json_deep_copy(docs);
    if (ac->reg != NULL) {
        apply_begin(op);
        return;
    }
    /* The schemas (about 1 MB of YAML) are parsed once, off the loop. */
    for (size_t i = 0; i < ac->ops.n; i++)
        if (ac->ops.items[i] == op) {
            vec_push(&ac->waiting, vec_take(&ac->ops, i));
            break;
        }
    if (ac->crd_job == NULL) {
        struct crd_job *j = xcalloc(1, sizeof *j);
        j->ac = ac;
        j->work.data = j;
        ac->crd_job = j;
        if (uv_queue_work(app_loop(a), &j->work, crd_work, crd_after) != 0) {
            ac->crd_job = NULL;
            free(j);
            vec_clear(&ac->waiting);
            app_flash(a, APP_ERROR, "%s: cannot start loading the CRD schemas", w);
            return;
        }
    }
    app_flash(a, APP_INFO, "loading the CRD schemas to validate %s ...", what);
}

static void
start_apply(struct actions *ac)
{
    struct pending *p = &ac->pend;
    struct op *op = op_new(ac, PK_APPLY, p->cluster, "%s", p->what);
    op->docs = json_incref(p->docs);
    op->stage = 2;
    app_flash(ac->app, APP_INFO, "running: %s ...", p->what);
    apply_step(op);
}

/* ---- MySQL channel actions ---- */

static void
on_channel_done(int status, const char *server, const char *sql_masked, const struct pxerr *err,
                void *arg)
{
    struct op *op = arg;
    (void)server;
    if (status == 0 && sql_masked != NULL && sql_masked[0] != '\0')
        log_info("console: ran on %s: %s", op->server, sql_masked);
    outcome(op->ac, op->cluster, status == 0, op->what, err ? err->msg : NULL);
    op_done(op);
}

void
actions_channel(struct app *a, const char *cluster, const char *server, const char *channel,
                bool start)
{
    struct actions *ac = app_actions(a);
    char what[384];
    snprintf(what, sizeof what, "%s channel %s on %s (%s)", start ? "START" : "STOP",
             channel[0] ? channel : "(default)", server, cluster);
    if (refuse_write(a, what))
        return;
    pend_begin(ac, PK_CHANNEL, cluster, NULL, channel, what);
    ac->pend.start = start;
    snprintf(ac->pend.server, sizeof ac->pend.server, "%s", server);
    char l1[512];
    snprintf(l1, sizeof l1, "Cluster %s, server %s: %s REPLICA for channel %s.", cluster, server,
             start ? "START" : "STOP", channel[0] ? channel : "(default)");
    const char *lines[] = {l1, start
                                   ? "Both threads start; the channel reconnects to its source."
                                   : "Both threads stop; the replica falls behind until started."};
    dialog_confirm(ac, start ? "Start channel" : "Stop channel", lines, 2,
                   start ? "Start" : "Stop");
}

static void
start_channel(struct actions *ac)
{
    struct pending *p = &ac->pend;
    struct live *lv = app_live(ac->app);
    struct mysql_poll *mp = lv ? live_mysql(lv, p->cluster) : NULL;
    if (mp == NULL) {
        outcome(ac, p->cluster, false, p->what, "no MySQL connection configured for the cluster");
        return;
    }
    struct op *op = op_new(ac, PK_CHANNEL, p->cluster, "%s", p->what);
    snprintf(op->server, sizeof op->server, "%s", p->server);
    struct sqlq_action act = {
        .verb = p->start ? SQLQ_START : SQLQ_STOP, .channel = p->name, .threads = SQLQ_BOTH};
    struct pxerr err = {0};
    if (mysql_poll_action(mp, p->server, &act, on_channel_done, op, &err) != 0) {
        outcome(ac, p->cluster, false, p->what, err.msg);
        op_done(op);
        return;
    }
    app_flash(ac->app, APP_INFO, "running: %s ...", p->what);
}

static void
repl_source(struct sqlq_source *src, const char *host, const char *password)
{
    *src = (struct sqlq_source)SQLQ_SOURCE_UNCHANGED;
    src->host = host;
    src->port = 3306;
    src->user = "replication";
    src->password = password;
    src->auto_position = 1;
    src->connect_retry_s = 5;
}

int
actions_create_channel_sql(const char *dialect, const char *channel, const char *host,
                           struct strbuf *out, struct pxerr *err)
{
    enum sqlq_dialect d = SQLQ_MYSQL;
    for (int i = SQLQ_MARIADB; i <= SQLQ_MYSQL_OLD; i++)
        if (dialect != NULL && strcmp(dialect, sqlq_dialect_name((enum sqlq_dialect)i)) == 0)
            d = (enum sqlq_dialect)i;
    struct sqlq_source src;
    repl_source(&src, host, "-"); /* masked below: the text never holds the password */
    struct sqlq_action change = {.verb = SQLQ_CHANGE_SOURCE, .channel = channel, .src = &src};
    struct sqlq_action start = {.verb = SQLQ_START, .channel = channel, .threads = SQLQ_BOTH};
    struct strbuf sql;
    strbuf_init(&sql);
    int rc = sqlq_build(d, &change, &sql, out, err);
    if (rc == 0) {
        strbuf_append(out, ";\n");
        rc = sqlq_build(d, &start, &sql, out, err);
        if (rc == 0)
            strbuf_append(out, ";\n");
    }
    strbuf_fini(&sql);
    return rc;
}

void
actions_create_channel(struct app *a, const char *replica, const char *source, const char *ns,
                       const char *pxc, const char *channel, const char *host, const char *dialect)
{
    struct actions *ac = app_actions(a);
    char what[384];
    snprintf(what, sizeof what, "create channel %s from %s on %s", channel, host, replica);
    if (refuse_write(a, what))
        return;
    struct live *lv = app_live(a);
    struct mysql_poll *mp = lv ? live_mysql(lv, replica) : NULL;
    if (mp == NULL || mysql_poll_n_servers(mp) == 0) {
        app_flash(a, APP_ERROR, "%s: no MySQL server of %s is known (mysql config)", what, replica);
        return;
    }
    pend_reset(ac);
    ac->pend.kind = PK_CREATE_CHANNEL;
    snprintf(ac->pend.cluster, sizeof ac->pend.cluster, "%s", replica);
    snprintf(ac->pend.server, sizeof ac->pend.server, "%s", mysql_poll_server_name(mp, 0));
    snprintf(ac->pend.name, sizeof ac->pend.name, "%s", channel);
    snprintf(ac->pend.extra, sizeof ac->pend.extra, "%s", host);
    snprintf(ac->pend.ns, sizeof ac->pend.ns, "%s", ns);
    snprintf(ac->pend.owner, sizeof ac->pend.owner, "%s", source);
    snprintf(ac->pend.what, sizeof ac->pend.what, "%s", what);
    /* the Secret name: the source's PXC spec.secretsName, else the operator's default */
    struct m_cluster *sc = model_cluster_find(app_model(a), source);
    struct m_pxc *x = sc ? model_pxc_find(sc, ns, pxc) : NULL;
    ac->pend.text = x != NULL && x->secrets_name != NULL ? xstrdup(x->secrets_name)
                                                         : xasprintf("%s-secrets", pxc);
    char l1[512];
    snprintf(l1, sizeof l1,
             "Cluster %s, server %s: point channel %s at %s:3306 with the "
             "replication user (password from Secret %s/%s in %s), then START it:",
             replica, ac->pend.server, channel, host, ns, ac->pend.text, source);
    const char *lines[ACT_DIALOG_MAX_LINES];
    size_t n = 0;
    lines[n++] = l1;
    struct strbuf shown;
    strbuf_init(&shown);
    struct pxerr err = {0};
    if (actions_create_channel_sql(dialect, channel, host, &shown, &err) != 0) {
        app_flash(a, APP_ERROR, "%s: %s", what, err.msg);
        strbuf_fini(&shown);
        pend_reset(ac);
        return;
    }
    char *sql = strbuf_detach(&shown);
    for (char *s = sql, *nl; *s != '\0' && n < ACT_DIALOG_MAX_LINES; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        else
            nl = s + strlen(s);
        lines[n++] = s;
    }
    dialog_confirm(ac, "Create channel", lines, n, "Run");
    free(sql);
}

static void
on_create_started(int status, const char *server, const char *sql_masked, const struct pxerr *err,
                  void *arg)
{
    on_channel_done(status, server, sql_masked, err, arg);
}

static void
on_change_done(int status, const char *server, const char *sql_masked, const struct pxerr *err,
               void *arg)
{
    struct op *op = arg;
    (void)sql_masked;
    if (status != 0) {
        on_channel_done(status, server, sql_masked, err, arg);
        return;
    }
    struct live *lv = app_live(op->ac->app);
    struct mysql_poll *mp = lv ? live_mysql(lv, op->cluster) : NULL;
    struct sqlq_action act = {.verb = SQLQ_START, .channel = op->channel, .threads = SQLQ_BOTH};
    struct pxerr e2 = {0};
    if (mp == NULL || mysql_poll_action(mp, op->server, &act, on_create_started, op, &e2) != 0) {
        outcome(op->ac, op->cluster, false, op->what, mp ? e2.msg : "the MySQL poller is gone");
        op_done(op);
    }
}

static void
on_repl_secret(int status, const char *value, size_t len, const struct pxerr *err, void *arg)
{
    struct op *op = arg;
    (void)len;
    op->req = NULL;
    if (status != 0) {
        outcome(op->ac, op->cluster, false, op->what, err ? err->msg : "cannot read the Secret");
        op_done(op);
        return;
    }
    struct live *lv = app_live(op->ac->app);
    struct mysql_poll *mp = lv ? live_mysql(lv, op->cluster) : NULL;
    struct sqlq_source src;
    repl_source(&src, op->host, value); /* copied into the SQL; kube zeroes value after us */
    struct sqlq_action act = {.verb = SQLQ_CHANGE_SOURCE, .channel = op->channel, .src = &src};
    struct pxerr e2 = {0};
    if (mp == NULL || mysql_poll_action(mp, op->server, &act, on_change_done, op, &e2) != 0) {
        outcome(op->ac, op->cluster, false, op->what, mp ? e2.msg : "the MySQL poller is gone");
        op_done(op);
    }
}

static void
start_create_channel(struct actions *ac)
{
    struct pending *p = &ac->pend;
    const char *source = p->owner;
    struct kube_client *kc = client_for(ac->app, source, p->what);
    if (kc == NULL)
        return;
    struct op *op = op_new(ac, PK_CREATE_CHANNEL, p->cluster, "%s", p->what);
    snprintf(op->server, sizeof op->server, "%s", p->server);
    snprintf(op->channel, sizeof op->channel, "%s", p->name);
    snprintf(op->host, sizeof op->host, "%s", p->extra);
    struct pxerr err = {0};
    if (kube_secret_get(kc, p->ns, p->text, "replication", on_repl_secret, op, &op->req, &err) !=
        0) {
        outcome(ac, p->cluster, false, p->what, err.msg);
        op_done(op);
        return;
    }
    app_flash(ac->app, APP_INFO, "running: %s ...", p->what);
}

/* ---- copy as YAML ---- */

static void
copy_work(uv_work_t *w)
{
    struct copy_job *j = w->data;
    FILE *f = fopen(j->path, "w");
    if (f == NULL) {
        snprintf(j->err, sizeof j->err, "cannot write '%s': %m", j->path);
        j->rc = -1;
        return;
    }
    size_t n = strlen(j->text);
    if (fwrite(j->text, 1, n, f) != n)
        snprintf(j->err, sizeof j->err, "cannot write '%s': %m", j->path), j->rc = -1;
    if (fclose(f) != 0 && j->rc == 0)
        snprintf(j->err, sizeof j->err, "cannot write '%s': %m", j->path), j->rc = -1;
}

static void
copy_after(uv_work_t *w, int status)
{
    struct copy_job *j = w->data;
    struct actions *ac = j->ac;
    if (ac != NULL) {
        for (size_t i = 0; i < ac->copies.n; i++)
            if (ac->copies.items[i] == j) {
                vec_take(&ac->copies, i);
                break;
            }
        if (status != 0)
            app_flash(ac->app, APP_ERROR, "copy as YAML: %s", uv_strerror(status));
        else if (j->rc != 0)
            app_flash(ac->app, APP_ERROR, "copy as YAML: %s (choose another path)", j->err);
        else
            app_flash(ac->app, APP_INFO, "written: %s", j->path);
    }
    free(j->path);
    free(j->text);
    free(j);
}

void
actions_copy_yaml(struct app *a, const char *kind, const char *name, const char *yaml)
{
    struct actions *ac = app_actions(a);
    if (yaml == NULL || yaml[0] == '\0') {
        app_flash(a, APP_WARN, "copy as YAML: nothing selected");
        return;
    }
    pend_reset(ac);
    ac->pend.kind = PK_COPY;
    ac->pend.text = xstrdup(yaml);
    char lower[64];
    snprintf(lower, sizeof lower, "%s", kind);
    for (char *s = lower; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    const char *home = getenv("HOME");
    char path[1024];
    snprintf(path, sizeof path, "%s/pxcmesh-%s-%s.yaml", home && home[0] ? home : ".", lower, name);
    char l1[320];
    snprintf(l1, sizeof l1, "Write %s %s as YAML to this file (replaced if it exists):", kind,
             name);
    const char *lines[] = {l1};
    dlg_free(ac->dlg);
    ac->dlg = dlg_input_new("Copy as YAML", lines, 1, path, 0);
    app_redraw_body(a);
}

static void
start_copy(struct actions *ac, const char *path_in)
{
    struct app *a = ac->app;
    char path[1024];
    if (path_in[0] == '~' && (path_in[1] == '/' || path_in[1] == '\0')) {
        const char *home = getenv("HOME");
        snprintf(path, sizeof path, "%s%s", home ? home : "", path_in + 1);
    } else {
        snprintf(path, sizeof path, "%s", path_in);
    }
    if (path[0] == '\0') {
        app_flash(a, APP_WARN, "copy as YAML: no path given, nothing written");
        return;
    }
    struct copy_job *j = xcalloc(1, sizeof *j);
    j->ac = ac;
    j->work.data = j;
    j->path = xstrdup(path);
    j->text = xstrdup(ac->pend.text);
    if (uv_queue_work(app_loop(a), &j->work, copy_work, copy_after) != 0) {
        app_flash(a, APP_ERROR, "copy as YAML: cannot start the write");
        free(j->path);
        free(j->text);
        free(j);
        return;
    }
    vec_push(&ac->copies, j);
}

/* ---- probes ---- */

static struct probe_entry *
entry_find(struct actions *ac, enum probe_kind kind, const char *target, const char *cluster,
           const char *ns)
{
    for (size_t i = 0; i < ac->entries.n; i++) {
        struct probe_entry *e = ac->entries.items[i];
        if (e->kind == kind && strcmp(e->target, target) == 0 &&
            strcmp(e->cluster, cluster ? cluster : "") == 0 && strcmp(e->ns, ns ? ns : "") == 0)
            return e;
    }
    return NULL;
}

static struct probe_entry *
entry_by_id(const struct actions *ac, uint64_t id)
{
    for (size_t i = 0; i < ac->entries.n; i++) {
        struct probe_entry *e = ac->entries.items[i];
        if (e->id == id)
            return e;
    }
    return NULL;
}

static void
host_of(const char *target, char *buf, size_t n)
{
    snprintf(buf, n, "%s", target);
    char *colon = strrchr(buf, ':');
    if (colon != NULL && strchr(buf, ':') == colon)
        *colon = '\0';
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t
fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
}

/* What routing depends on: hosts, addresses, ports, location, resolution, endpoints. */
static uint64_t
sentry_spec_hash(const struct m_sentry *se)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < se->n_hosts; i++)
        h = fnv_str(h, se->hosts[i]);
    for (int i = 0; i < se->n_addresses; i++)
        h = fnv_str(h, se->addresses[i]);
    for (int i = 0; i < se->n_ports; i++) {
        h = fnv(h, &se->ports[i].number, sizeof se->ports[i].number);
        h = fnv_str(h, se->ports[i].name);
        h = fnv_str(h, se->ports[i].protocol);
    }
    h = fnv_str(h, se->location);
    h = fnv_str(h, se->resolution);
    for (int i = 0; i < se->n_endpoints; i++) {
        h = fnv_str(h, se->endpoints[i].address);
        h = fnv(h, &se->endpoints[i].port, sizeof se->endpoints[i].port);
    }
    return h;
}

/* The ServiceEntry declaring target's host, in cluster (NULL or "": any cluster), as
 * "cluster/ns/name" into ref ("" none) and its spec's fingerprint. */
static void
sentry_for(const struct model *m, const char *target, const char *cluster, char *ref, size_t n,
           uint64_t *spec)
{
    char host[300];
    host_of(target, host, sizeof host);
    ref[0] = '\0';
    *spec = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (cluster != NULL && cluster[0] != '\0' && strcmp(c->name, cluster) != 0)
            continue;
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            for (int h = 0; h < se->n_hosts; h++)
                if (strcasecmp(se->hosts[h], host) == 0) {
                    snprintf(ref, n, "%s/%s/%s", c->name, se->ns, se->name);
                    *spec = sentry_spec_hash(se);
                    return;
                }
        }
    }
}

static void
store_changed(struct actions *ac)
{
    ac->seq++;
    model_touch(app_model(ac->app), DIRTY_PROBES);
}

static void
job_forget(struct actions *ac, struct probe_job *j)
{
    for (size_t i = 0; i < ac->jobs.n; i++)
        if (ac->jobs.items[i] == j) {
            vec_take(&ac->jobs, i);
            return;
        }
}

static void
job_maybe_free(struct probe_job *j)
{
    if (j->starting || !j->cb_done || (j->is_pod && !j->pod_gone))
        return;
    if (j->ac != NULL)
        job_forget(j->ac, j);
    free(j);
}

static void
on_probe_done(const struct probe_result *r, void *arg)
{
    struct probe_job *j = arg;
    j->cb_done = true;
    struct actions *ac = j->ac;
    struct probe_entry *e = ac != NULL ? entry_by_id(ac, j->entry_id) : NULL;
    if (e != NULL) {
        e->running = false;
        if (r->status != PROBE_CANCELLED || !e->has_result) {
            e->r = *r;
            e->has_result = true;
            memcpy(e->se_ref, e->run_se_ref, sizeof e->se_ref);
            e->se_spec = e->run_se_spec;
        }
        char where[300];
        snprintf(where, sizeof where, "%s%s%s", e->cluster[0] ? e->cluster : "local",
                 e->cluster[0] ? "/" : "", e->ns);
        if (r->status != PROBE_CANCELLED)
            model_event(app_model(ac->app), e->cluster[0] ? e->cluster : NULL,
                        r->status == PROBE_OK ? 0 : 1, "probe %s %s from %s: %s",
                        probe_kind_name(e->kind), e->target, where, r->summary);
        app_flash(ac->app, r->status == PROBE_OK ? APP_INFO : APP_WARN, "probe %s %s: %s",
                  probe_kind_name(e->kind), e->target, r->summary);
    }
    if (ac != NULL)
        store_changed(ac);
    job_maybe_free(j);
}

/* A pod probe is over only when its pod is deleted (or the delete given up). */
static void
on_pod_cleanup(void *arg)
{
    struct probe_job *j = arg;
    j->pod_gone = true;
    job_maybe_free(j);
}

/* Start one probe for entry e (already in the store). */
static void
probe_run(struct actions *ac, struct probe_entry *e)
{
    struct app *a = ac->app;
    struct probe_job *j = xcalloc(1, sizeof *j);
    j->ac = ac;
    j->entry_id = e->id;
    j->starting = true; /* a callback during start must not free j */
    struct pxerr err = {0};
    int rc;
    e->running = true;
    e->started_ms = clock_wall_ms();
    sentry_for(app_model(a), e->target, e->cluster, e->run_se_ref, sizeof e->run_se_ref,
               &e->run_se_spec);
    vec_push(&ac->jobs, j);
    if (e->cluster[0] == '\0') {
        struct probe_opts o = {.timeout_ms = ACT_PROBE_TIMEOUT_MS};
        if (e->kind == PROBE_DNS)
            rc = probe_dns_start(app_loop(a), e->target, &o, on_probe_done, j, &j->lp, &err);
        else if (e->kind == PROBE_MYSQL)
            rc = probe_mysql_start(app_loop(a), e->target, &o, on_probe_done, j, &j->lp, &err);
        else
            rc = probe_tcp_start(app_loop(a), e->target, &o, on_probe_done, j, &j->lp, &err);
    } else {
        struct live *lv = app_live(a);
        struct kube_client *kc = lv != NULL ? live_client(lv, e->cluster) : NULL;
        j->is_pod = true;
        if (kc == NULL) {
            rc = pxerr_set(&err, PXE_NOTFOUND, "cluster '%s' has no API client", e->cluster);
        } else {
            struct probe_pod_opts o = {.ns = e->ns,
                                       .timeout_ms = ACT_POD_TIMEOUT_MS,
                                       .cluster = e->cluster,
                                       .on_cleanup = on_pod_cleanup,
                                       .cleanup_arg = j};
            rc = probe_pod_start(app_loop(a), kc, e->kind, e->target, &o, on_probe_done, j, &j->pp,
                                 &err);
        }
    }
    j->starting = false;
    if (rc != 0) {
        /* Neither the callback nor the cleanup runs after a failed start. */
        job_forget(ac, j);
        free(j);
        e->running = false;
        memset(&e->r, 0, sizeof e->r);
        e->r.kind = e->kind;
        e->r.status = PROBE_FAIL;
        snprintf(e->r.target, sizeof e->r.target, "%s", e->target);
        snprintf(e->r.summary, sizeof e->r.summary, "could not start: %.140s", err.msg);
        snprintf(e->r.detail, sizeof e->r.detail, "%s", err.msg);
        e->r.ran_wall_ms = clock_wall_ms();
        e->has_result = true;
        memcpy(e->se_ref, e->run_se_ref, sizeof e->se_ref);
        e->se_spec = e->run_se_spec;
        app_flash(a, APP_ERROR, "probe %s %s: %s", probe_kind_name(e->kind), e->target, err.msg);
    } else {
        job_maybe_free(j); /* answered during the start */
    }
    store_changed(ac);
}

static struct probe_entry *
entry_get(struct actions *ac, enum probe_kind kind, const char *target, const char *cluster,
          const char *ns, const char *owner)
{
    struct probe_entry *e = entry_find(ac, kind, target, cluster, ns);
    if (e == NULL) {
        e = xcalloc(1, sizeof *e);
        e->id = ++ac->next_id;
        e->kind = kind;
        snprintf(e->target, sizeof e->target, "%s", target);
        snprintf(e->cluster, sizeof e->cluster, "%s", cluster ? cluster : "");
        snprintf(e->ns, sizeof e->ns, "%s", cluster && ns ? ns : "");
        vec_push(&ac->entries, e);
    }
    if (owner != NULL && owner[0] != '\0')
        snprintf(e->owner, sizeof e->owner, "%s", owner);
    return e;
}

static void
start_probes(struct actions *ac)
{
    struct pending *p = &ac->pend;
    for (int i = 0; i < p->n_probes; i++) {
        struct probe_entry *e =
            entry_get(ac, p->probes[i].kind, p->probes[i].target, p->cluster, p->ns, p->owner);
        if (!e->running)
            probe_run(ac, e);
    }
    app_flash(ac->app, APP_INFO, "running %d probe(s) from %s/%s (a probe pod each) ...",
              p->n_probes, p->cluster, p->ns);
}

/* In-mesh probes create pods: confirm, naming every probe. */
static void
confirm_probes(struct actions *ac)
{
    struct pending *p = &ac->pend;
    const char *lines[ACT_MAX_PROBES + 2];
    char head[512], items[ACT_MAX_PROBES][340];
    snprintf(head, sizeof head,
             "Cluster %s, namespace %s: create one short-lived probe pod per "
             "probe (labelled managed-by=pxcmesh, deleted afterwards) to run:",
             p->cluster, p->ns);
    size_t n = 0;
    lines[n++] = head;
    for (int i = 0; i < p->n_probes; i++) {
        snprintf(items[i], sizeof items[i], "  %s %s", probe_kind_name(p->probes[i].kind),
                 p->probes[i].target);
        lines[n++] = items[i];
    }
    dialog_confirm(ac, "Run probes in the mesh", lines, n, "Run");
}

void
actions_probe(struct app *a, enum probe_kind kind, const char *target, const char *cluster,
              const char *ns, const char *owner)
{
    struct actions *ac = app_actions(a);
    if (app_model(a)->replay) {
        app_flash(a, APP_WARN, "replay: probes run against the present, not a snapshot");
        return;
    }
    if (cluster == NULL) {
        struct probe_entry *e = entry_get(ac, kind, target, NULL, NULL, owner);
        if (e->running) {
            app_flash(a, APP_INFO, "probe %s %s is already running", probe_kind_name(kind), target);
            return;
        }
        probe_run(ac, e);
        return;
    }
    char what[384];
    snprintf(what, sizeof what, "a probe pod in %s/%s", cluster, ns);
    if (refuse_write(a, what))
        return;
    pend_reset(ac);
    ac->pend.kind = PK_PROBES;
    snprintf(ac->pend.cluster, sizeof ac->pend.cluster, "%s", cluster);
    snprintf(ac->pend.ns, sizeof ac->pend.ns, "%s", ns);
    snprintf(ac->pend.owner, sizeof ac->pend.owner, "%s", owner ? owner : "");
    ac->pend.probes[0].kind = kind;
    snprintf(ac->pend.probes[0].target, sizeof ac->pend.probes[0].target, "%s", target);
    ac->pend.n_probes = 1;
    confirm_probes(ac);
}

static void add_probe(struct pending *p, enum probe_kind kind, const char *fmt, ...)
    PXC_PRINTF(3, 4);

static void
add_probe(struct pending *p, enum probe_kind kind, const char *fmt, ...)
{
    char t[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    for (int i = 0; i < p->n_probes; i++)
        if (p->probes[i].kind == kind && strcmp(p->probes[i].target, t) == 0)
            return;
    if (p->n_probes >= ACT_MAX_PROBES)
        return;
    p->probes[p->n_probes].kind = kind;
    snprintf(p->probes[p->n_probes].target, sizeof p->probes[0].target, "%s", t);
    p->n_probes++;
}

void
actions_probe_host(struct app *a, const char *host, int port, const char *cluster, const char *ns,
                   const char *owner)
{
    struct actions *ac = app_actions(a);
    char hp[300];
    snprintf(hp, sizeof hp, "%s:%d", host, port > 0 ? port : 3306);
    if (cluster == NULL) {
        actions_probe(a, PROBE_DNS, host, NULL, NULL, owner);
        actions_probe(a, PROBE_TCP, hp, NULL, NULL, owner);
        return;
    }
    if (app_model(a)->replay) {
        app_flash(a, APP_WARN, "replay: probes run against the present, not a snapshot");
        return;
    }
    char what[384];
    snprintf(what, sizeof what, "a probe pod in %s/%s", cluster, ns);
    if (refuse_write(a, what))
        return;
    pend_reset(ac);
    struct pending *p = &ac->pend;
    p->kind = PK_PROBES;
    snprintf(p->cluster, sizeof p->cluster, "%s", cluster);
    snprintf(p->ns, sizeof p->ns, "%s", ns);
    snprintf(p->owner, sizeof p->owner, "%s", owner ? owner : "");
    add_probe(p, PROBE_DNS, "%s", host);
    add_probe(p, PROBE_TCP, "%s", hp);
    add_probe(p, PROBE_ENVOY, "%s", hp);
    confirm_probes(ac);
}

/* The namespace the channel's server runs in: its pod's, else the cluster's PXC's. */
static const char *
channel_ns(struct m_cluster *c, const struct m_channel *ch)
{
    for (size_t i = 0; i < c->pods.n; i++) {
        struct m_pod *p = c->pods.items[i];
        if (strcmp(p->name, ch->server) == 0 || strcmp(p->ip, ch->server) == 0 ||
            (strncmp(ch->server, p->ip, strlen(p->ip)) == 0 && p->ip[0] != '\0' &&
             ch->server[strlen(p->ip)] == ':'))
            return p->ns;
    }
    if (c->pxcs.n > 0)
        return ((struct m_pxc *)c->pxcs.items[0])->ns;
    return "pxc";
}

void
actions_probe_channel(struct app *a, const char *cluster, const char *channel)
{
    struct actions *ac = app_actions(a);
    struct model *m = app_model(a);
    if (m->replay) {
        app_flash(a, APP_WARN, "replay: probes run against the present, not a snapshot");
        return;
    }
    struct m_cluster *c = model_cluster_find(m, cluster);
    struct m_channel *ch = NULL;
    for (size_t i = 0; c != NULL && i < c->channels.n && ch == NULL; i++)
        if (strcmp(((struct m_channel *)c->channels.items[i])->name, channel) == 0)
            ch = c->channels.items[i];
    if (ch == NULL) {
        app_flash(a, APP_WARN, "probe channel: no channel '%s' in %s", channel, cluster);
        return;
    }
    char what[384];
    snprintf(what, sizeof what, "probing channel %s's sources from %s", channel, cluster);
    if (refuse_write(a, what))
        return;
    pend_reset(ac);
    struct pending *p = &ac->pend;
    p->kind = PK_PROBES;
    snprintf(p->cluster, sizeof p->cluster, "%s", cluster);
    snprintf(p->ns, sizeof p->ns, "%s", channel_ns(c, ch));
    snprintf(p->owner, sizeof p->owner, "%s/%s", cluster, channel);
    if (ch->source_host != NULL && ch->source_host[0] != '\0') {
        add_probe(p, PROBE_DNS, "%s", ch->source_host);
        add_probe(p, PROBE_TCP, "%s:%d", ch->source_host,
                  ch->source_port > 0 ? ch->source_port : 3306);
    }
    for (int i = 0; i < ch->n_failover && i < 8; i++) {
        add_probe(p, PROBE_DNS, "%s", ch->failover[i].host);
        add_probe(p, PROBE_TCP, "%s:%d", ch->failover[i].host,
                  ch->failover[i].port > 0 ? ch->failover[i].port : 3306);
    }
    if (p->n_probes == 0) {
        pend_reset(ac);
        app_flash(a, APP_WARN, "channel %s on %s has no source host to probe", channel, cluster);
        return;
    }
    confirm_probes(ac);
}

size_t
actions_probe_count(const struct actions *ac)
{
    return ac->entries.n;
}

const struct probe_entry *
actions_probe_at(const struct actions *ac, size_t i)
{
    return i < ac->entries.n ? ac->entries.items[i] : NULL;
}

const struct probe_entry *
actions_probe_find_id(const struct actions *ac, uint64_t id)
{
    return entry_by_id(ac, id);
}

const struct probe_result *
actions_probe_result(const struct actions *ac, enum probe_kind kind, const char *target,
                     const char *cluster)
{
    for (size_t i = 0; i < ac->entries.n; i++) {
        struct probe_entry *e = ac->entries.items[i];
        if (e->kind == kind && e->has_result && strcmp(e->target, target) == 0 &&
            strcmp(e->cluster, cluster) == 0 && e->r.status != PROBE_CANCELLED)
            return &e->r;
    }
    return NULL;
}

void
actions_probe_rerun(struct app *a, uint64_t id)
{
    struct actions *ac = app_actions(a);
    struct probe_entry *e = entry_by_id(ac, id);
    if (e == NULL)
        return;
    if (e->running) {
        app_flash(a, APP_INFO, "probe %s %s is running already", probe_kind_name(e->kind),
                  e->target);
        return;
    }
    actions_probe(a, e->kind, e->target, e->cluster[0] ? e->cluster : NULL, e->ns, e->owner);
}

void
actions_probe_cancel(struct app *a, uint64_t id)
{
    struct actions *ac = app_actions(a);
    struct probe_entry *e = entry_by_id(ac, id);
    if (e == NULL || !e->running) {
        app_flash(a, APP_INFO, "nothing to cancel: the probe is not running");
        return;
    }
    for (size_t i = 0; i < ac->jobs.n; i++) {
        struct probe_job *j = ac->jobs.items[i];
        if (j->entry_id != id)
            continue;
        if (j->cb_done)
            continue;
        if (j->is_pod)
            probe_pod_cancel(j->pp); /* cb runs now; the pod is deleted */
        else
            probe_cancel(j->lp); /* cb runs now */
        break;
    }
    app_flash(a, APP_INFO, "cancelled probe %s %s", probe_kind_name(e->kind), e->target);
}

void
actions_probe_outdated(struct app *a, const struct probe_entry *e, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!e->has_result)
        return;
    const struct model *m = app_model(a);
    char host[300];
    host_of(e->target, host, sizeof host);
    /* The ServiceEntry declaring the host (in the probe's cluster, or any when local):
     * appeared, went, or changed since the run started. */
    char ref[300];
    uint64_t spec;
    sentry_for(m, e->target, e->cluster, ref, sizeof ref, &spec);
    if (e->se_ref[0] == '\0' && ref[0] != '\0') {
        snprintf(buf, n, "ServiceEntry %s declares %s since the probe ran", ref, host);
        return;
    }
    if (e->se_ref[0] != '\0' && ref[0] == '\0') {
        snprintf(buf, n, "ServiceEntry %s was deleted after the probe ran", e->se_ref);
        return;
    }
    if (ref[0] != '\0' && (strcmp(ref, e->se_ref) != 0 || spec != e->se_spec)) {
        snprintf(buf, n, "ServiceEntry %s changed after the probe ran", ref);
        return;
    }
    /* The channel the probe was run for no longer uses the host. */
    if (e->owner[0] != '\0') {
        char cl[256];
        snprintf(cl, sizeof cl, "%s", e->owner);
        char *slash = strchr(cl, '/');
        if (slash == NULL)
            return;
        *slash = '\0';
        const char *chname = slash + 1;
        struct m_cluster *c = model_cluster_find((struct model *)m, cl);
        if (c == NULL)
            return;
        bool found = false, uses = false;
        for (size_t i = 0; i < c->channels.n; i++) {
            const struct m_channel *ch = c->channels.items[i];
            if (strcmp(ch->name, chname) != 0)
                continue;
            found = true;
            if (ch->source_host != NULL && strcasecmp(ch->source_host, host) == 0)
                uses = true;
            for (int f = 0; f < ch->n_failover && f < 8; f++)
                if (strcasecmp(ch->failover[f].host, host) == 0)
                    uses = true;
        }
        /* A channel that is gone says nothing about the path to the host: the result
         * still holds (the set-up's last step may be re-creating that channel). */
        if (found && !uses)
            snprintf(buf, n, "channel %s no longer uses %s", e->owner, host);
    }
}

uint64_t
actions_seq(const struct actions *ac)
{
    return ac->seq;
}

/* ---- the dialog ---- */

bool
actions_dialog_open(const struct actions *ac)
{
    return ac != NULL && ac->dlg != NULL;
}

void
actions_dialog_key(struct actions *ac, int key)
{
    if (ac->dlg == NULL)
        return;
    if (key == 0x0d)
        key = '\n';
    enum dlg_result r = dlg_key(ac->dlg, key);
    app_redraw_body(ac->app);
    if (r == DLG_OPEN)
        return;
    if (r == DLG_NO) {
        app_flash(ac->app, APP_INFO, "cancelled: nothing was changed");
        dialog_close(ac);
        return;
    }
    /* Yes: start what the dialog named. The dialog is gone before anything runs. */
    char path[1024] = "";
    if (dlg_kind(ac->dlg) == DLG_INPUT)
        snprintf(path, sizeof path, "%s", dlg_text(ac->dlg));
    dlg_free(ac->dlg);
    ac->dlg = NULL;
    switch (ac->pend.kind) {
    case PK_LABEL:
    case PK_RESTART:
    case PK_DELETE_SE:
        start_write(ac);
        break;
    case PK_APPLY:
        start_apply(ac);
        break;
    case PK_CHANNEL:
        start_channel(ac);
        break;
    case PK_CREATE_CHANNEL:
        start_create_channel(ac);
        break;
    case PK_COPY:
        start_copy(ac, path);
        break;
    case PK_PROBES:
        start_probes(ac);
        break;
    case PK_NONE:
        break;
    }
    pend_reset(ac);
}

void
actions_dialog_draw(struct actions *ac, WINDOW *win, int h, int w)
{
    if (ac->dlg == NULL)
        return;
    dlg_draw(ac->dlg, win, 0, 0, h, w, app_theme(ac->app), app_glyphs(ac->app));
}

/* ---- life ---- */

static void
entry_free(void *p)
{
    free(p);
}

struct actions *
actions_new(struct app *a)
{
    struct actions *ac = xcalloc(1, sizeof *ac);
    ac->app = a;
    vec_init(&ac->ops, op_free);
    vec_init(&ac->waiting, op_free);
    vec_init(&ac->entries, entry_free);
    vec_init(&ac->jobs, NULL);
    vec_init(&ac->copies, NULL);
    return ac;
}

void
actions_free(struct actions *ac)
{
    if (ac == NULL)
        return;
    dlg_free(ac->dlg);
    ac->dlg = NULL;
    pend_reset(ac);
    /* Running probes: a local probe's callback runs now and frees its job; a pod probe's
     * runs now too, and its pod delete is given up (the pod is labelled managed-by=pxcmesh);
     * the job lives on, orphaned, until the pod's handles close. */
    while (ac->jobs.n > 0) {
        struct probe_job *j = vec_take(&ac->jobs, ac->jobs.n - 1);
        j->ac = NULL;
        if (!j->is_pod) {
            if (!j->cb_done)
                probe_cancel(j->lp); /* cb now: frees j */
            continue;
        }
        struct probe_pod *pp = j->pp;
        bool was_done = j->cb_done;
        if (!was_done)
            probe_pod_cancel(pp); /* cb now; a pod delete starts */
        probe_pod_cancel(pp);     /* give the delete up; the cleanup frees j later */
    }
    for (size_t i = 0; i < ac->copies.n; i++)
        ((struct copy_job *)ac->copies.items[i])->ac = NULL;
    vec_fini(&ac->copies);
    if (ac->crd_job != NULL)
        ac->crd_job->ac = NULL;
    vec_fini(&ac->ops);
    vec_fini(&ac->waiting);
    vec_fini(&ac->entries);
    vec_fini(&ac->jobs);
    crdreg_free(ac->reg);
    free(ac);
}
