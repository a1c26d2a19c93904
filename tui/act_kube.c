/* act_kube: the console's Kubernetes writes: label a namespace for injection, restart a
 * statefulset, delete a ServiceEntry, and apply manifests. Each write asks first, naming
 * the object, the cluster, the effect, the change as a diff and the field manager (a
 * delete: the channels it cuts off and the object that goes); the apply asks only once its preview
 * is done (validation against the CRDs, the live objects read, a server dry run: the question shows
 * the diff, Secret values masked), through the same apply_plan `pxcmesh apply` runs: nothing is
 * applied unless every object passed, and an apply the server refuses midway is reported object by
 * object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "act_internal.h"
#include "kube/kube.h"
#include "manifest/apply_plan.h"
#include "manifest/crdreg.h"
#include "doctor/mesh.h"
#include "model/model.h"

#define ACT_DIALOG_MAX_LINES 60

/* ---- label, restart, delete: one request each ---- */

/* What a confirmed write will do. */
struct write_pend {
    struct act_ctx *cx;
    enum act_kind kind;
    char cluster[128], ns[128], name[256], what[384];
};

static void
on_write_done(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct act_op *op = arg;
    (void)code, (void)body;
    op->req = NULL;
    act__outcome(op->cx, op->cluster, status == 0, op->what, err != NULL ? err->msg : NULL);
    act__op_done(op);
}

static void
write_start(struct write_pend *p)
{
    struct act_ctx *cx = p->cx;
    struct kube_client *kc = act__client(cx, p->cluster, p->what);
    if (kc == NULL)
        return;
    struct act_op *op = act__op_new(cx, p->cluster, "%s", p->what);
    op->kc = kc;
    struct pxerr err = {0};
    int rc = PXE_INVAL;
    if (p->kind == ACT_LABEL_NAMESPACE) {
        rc = kube_label_namespace(kc, p->ns, "istio-injection", "enabled", 0, on_write_done, op,
                                  &op->req, &err);
    } else if (p->kind == ACT_RESTART_STS) {
        rc = kube_restart_statefulset(kc, p->ns, p->name, 0, on_write_done, op, &op->req, &err);
    } else if (p->kind == ACT_DELETE_SENTRY) {
        const char *ver = kube_client_sentry_version(kc);
        rc = kube_delete(kc, ver[0] ? ver : "networking.istio.io/v1beta1", "ServiceEntry", p->ns,
                         p->name, 0, on_write_done, op, &op->req, &err);
    }
    if (rc != 0) {
        act__outcome(cx, p->cluster, false, p->what, err.msg[0] ? err.msg : "could not start");
        act__op_done(op);
        return;
    }
    act__report(cx, ACT_INFO, "running: %s ...", p->what);
}

static void
on_write_answer(enum act_answer ans, const char *text, void *arg)
{
    struct write_pend *p = arg;
    (void)text;
    if (ans == ACT_YES)
        write_start(p);
    free(p);
}

/* Refuse or ask: the write of def->kind described by what, with the question's lines
 * (text, one line each, copied by the question). */
static unsigned
write_ask(struct act_ctx *cx, const struct act_def *def, const struct act_args *args,
          const char *what, const char *text, const char *yes)
{
    if (act__refuse_write(cx, what))
        return R_NONE;
    struct write_pend *p = xcalloc(1, sizeof *p);
    p->cx = cx;
    p->kind = def->kind;
    snprintf(p->cluster, sizeof p->cluster, "%s", args->cluster);
    snprintf(p->ns, sizeof p->ns, "%s", args->ns);
    snprintf(p->name, sizeof p->name, "%s", args->name != NULL ? args->name : "");
    snprintf(p->what, sizeof p->what, "%s", what);
    char *copy = xstrdup(text);
    const char *lines[ACT_DIALOG_MAX_LINES];
    size_t n = act__split_lines(copy, lines, ACT_DIALOG_MAX_LINES);
    struct act_question q = {def->title, lines, n, yes, NULL};
    act__ask(cx, &q, on_write_answer, p);
    free(copy);
    return R_REDRAW;
}

/* The label's value now, as the diff shows it; NULL when the label is not set. */
static const char *
injection_label(struct act_ctx *cx, const char *cluster, const char *ns)
{
    struct m_cluster *c = model_cluster_find(cx->model, cluster);
    struct m_namespace *n = c != NULL ? model_ns_find(c, ns) : NULL;
    if (n == NULL)
        return "?";
    return n->injection == INJ_ENABLED    ? "enabled"
           : n->injection == INJ_DISABLED ? "disabled"
                                          : NULL;
}

unsigned
act__start_label(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    char what[384];
    snprintf(what, sizeof what, "label namespace %s istio-injection=enabled in %s", args->ns,
             args->cluster);
    const char *now = injection_label(cx, args->cluster, args->ns);
    struct strbuf t;
    strbuf_init(&t);
    strbuf_appendf(&t,
                   "Cluster %s: label namespace %s istio-injection=enabled.\n"
                   "JSON merge patch of namespace %s, field manager " KUBE_FIELD_MANAGER ":\n"
                   "  metadata:\n    labels:\n",
                   args->cluster, args->ns, args->ns);
    if (now != NULL && strcmp(now, "enabled") == 0)
        strbuf_append(&t, "      istio-injection: enabled   (already: no change)\n");
    else if (now != NULL)
        strbuf_appendf(&t, "-     istio-injection: %s\n+     istio-injection: enabled\n", now);
    else
        strbuf_append(&t, "+     istio-injection: enabled\n");
    strbuf_append(&t, "Pods created from now on get the Istio sidecar; running pods keep "
                      "theirs until restarted (restart the PXC statefulset next).");
    unsigned r = write_ask(cx, def, args, what, t.s, "Label");
    strbuf_fini(&t);
    return r;
}

unsigned
act__start_restart(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    char what[384];
    snprintf(what, sizeof what, "rollout restart statefulset %s/%s in %s", args->ns, args->name,
             args->cluster);
    struct strbuf t;
    strbuf_init(&t);
    strbuf_appendf(&t,
                   "Cluster %s: restart every pod of statefulset %s in namespace %s, one at a "
                   "time (kubectl rollout restart).\n"
                   "Strategic merge patch of statefulset %s/%s, field manager " KUBE_FIELD_MANAGER
                   ":\n"
                   "  spec:\n    template:\n      metadata:\n        annotations:\n"
                   "+         kubectl.kubernetes.io/restartedAt: <now, when you answer yes>\n"
                   "Each PXC node leaves and rejoins Galera; a channel on a restarted pod stops "
                   "until its pod is back.",
                   args->cluster, args->name, args->ns, args->ns, args->name);
    unsigned r = write_ask(cx, def, args, what, t.s, "Restart");
    strbuf_fini(&t);
    return r;
}

unsigned
act__start_delete_sentry(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    char what[384];
    snprintf(what, sizeof what, "delete ServiceEntry %s/%s in %s", args->ns, args->name,
             args->cluster);
    struct strbuf t;
    strbuf_init(&t);
    strbuf_appendf(&t, "Cluster %s: delete ServiceEntry %s in namespace %s.\n", args->cluster,
                   args->name, args->ns);
    /* Who loses the way to their source: named before the operator says yes. */
    struct m_cluster *c = model_cluster_find(cx->model, args->cluster);
    struct m_sentry *se = c != NULL ? model_sentry_find(c, args->ns, args->name) : NULL;
    struct strbuf users;
    strbuf_init(&users);
    int n = se != NULL ? mesh_sentry_users(c, se, &users) : 0;
    if (n > 0)
        strbuf_appendf(&t, "%d channel%s lose%s the way to their source (IO thread errors) until "
                           "a ServiceEntry declares the host again:\n%s",
                       n, n == 1 ? "" : "s", n == 1 ? "s" : "", users.s);
    else if (se != NULL)
        strbuf_appendf(&t, "No channel of %s uses its hosts.\n", args->cluster);
    strbuf_fini(&users);
    strbuf_append(&t, "Its hosts stop resolving inside the mesh and connections through it are "
                      "dropped.\n");
    if (args->text != NULL && args->text[0] != '\0') {
        strbuf_append(&t, "The object removed (DELETE):\n");
        for (const char *l = args->text, *nl; *l != '\0'; l = nl) {
            nl = strchr(l, '\n');
            size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);
            strbuf_appendf(&t, "- %.*s\n", (int)len, l);
            nl = nl != NULL ? nl + 1 : l + len;
        }
    }
    unsigned r = write_ask(cx, def, args, what, t.s, "Delete");
    strbuf_fini(&t);
    return r;
}

/* ---- apply: validate, preview, ask, apply ---- */

/* One manifest from the first flash to the outcome; in cx->st->applies meanwhile. */
struct act_apply {
    struct act_ctx *cx;
    char cluster[128], what[512];
    struct apply_plan *plan; /* owned */
};

static void
apply_free(struct act_apply *ap)
{
    struct vec *v = &ap->cx->st->applies;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i] == ap) {
            vec_take(v, i);
            break;
        }
    apply_plan_free(ap->plan);
    free(ap);
}

/* The preview stopped: why, in the status bar and the event log. */
static void
preview_failed(struct act_apply *ap, const char *why)
{
    act__report(ap->cx, ACT_ERROR, "preview of %s failed: %s", ap->what, why);
    model_event(ap->cx->model, ap->cluster, 1, "console: preview of %s failed: %s", ap->what, why);
    apply_free(ap);
}

static void
on_applied(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
           void *arg)
{
    struct act_apply *ap = arg;
    (void)step, (void)err;
    size_t n = apply_plan_count(p);
    for (size_t i = 0; i < n; i++) {
        const struct apply_item *it = apply_plan_item(p, i);
        if (it->applied)
            model_event(ap->cx->model, ap->cluster, 0, "console: applied %s", it->desc);
    }
    if (status == 0) {
        act__outcome(ap->cx, ap->cluster, true, ap->what, NULL);
    } else {
        /* Midway: what was applied and what was not, object by object. */
        struct strbuf o;
        strbuf_init(&o);
        apply_plan_outcome(p, 0, n, "; ", &o);
        act__outcome(ap->cx, ap->cluster, false, ap->what, o.s);
        strbuf_fini(&o);
    }
    apply_free(ap);
}

static void
on_apply_answer(enum act_answer ans, const char *text, void *arg)
{
    struct act_apply *ap = arg;
    (void)text;
    if (ans != ACT_YES) {
        apply_free(ap);
        return;
    }
    act__report(ap->cx, ACT_INFO, "running: %s ...", ap->what);
    struct pxerr err = {0};
    if (apply_plan_apply(ap->plan, ap->cx->live, ap->cluster, 0, apply_plan_count(ap->plan),
                         on_applied, ap, &err) != 0) {
        act__outcome(ap->cx, ap->cluster, false, ap->what, err.msg);
        apply_free(ap);
    }
}

/* The preview is complete: show the diff and ask; or, when an object failed it, say which
 * (each one in the event log) and apply nothing. */
static void
on_previewed(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
             void *arg)
{
    struct act_apply *ap = arg;
    (void)step;
    if (status != 0) {
        for (size_t i = 0; i < apply_plan_count(p); i++) {
            const struct apply_item *it = apply_plan_item(p, i);
            if (it->error[0] != '\0')
                model_event(ap->cx->model, ap->cluster, 1, "console: %s: %s", it->desc,
                            it->error);
        }
        char why[400];
        snprintf(why, sizeof why, "nothing applied: %s", err->msg);
        preview_failed(ap, why);
        return;
    }
    struct strbuf diff;
    strbuf_init(&diff);
    int n_changed = 0;
    for (size_t i = 0; i < apply_plan_count(p); i++) {
        const struct apply_item *it = apply_plan_item(p, i);
        strbuf_appendf(&diff, "%s %s:\n",
                       !it->exists ? "new" : it->n_changed > 0 ? "changes to" : "unchanged",
                       it->desc);
        strbuf_append(&diff, it->diff);
        if (it->note[0] != '\0')
            strbuf_appendf(&diff, "(%s)\n", it->note);
        n_changed += it->n_changed;
    }
    char head[512];
    snprintf(head, sizeof head,
             "Cluster %s: server-side apply of %zu object(s), field manager " KUBE_FIELD_MANAGER
             ", %d line(s) change (server dry run):",
             ap->cluster, apply_plan_count(p), n_changed);
    const char *lines[ACT_DIALOG_MAX_LINES];
    size_t n = 0;
    lines[n++] = head;
    /* The diff, one line of the question per line (the question copies them). */
    for (char *s = diff.s, *nl; *s != '\0' && n < ACT_DIALOG_MAX_LINES - 1; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        else
            nl = s + strlen(s);
        lines[n++] = s;
    }
    if (n_changed == 0)
        lines[n++] = "No change: the live objects already match.";
    struct act_question q = {act_def(ACT_APPLY)->title, lines, n, "Apply", NULL};
    act__ask(ap->cx, &q, on_apply_answer, ap);
    strbuf_fini(&diff);
}

static void
on_validated(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
             void *arg)
{
    struct act_apply *ap = arg;
    struct act_state *st = ap->cx->st;
    /* Keep the schemas for the next apply (another apply may have loaded its own). */
    struct crdreg *schemas = apply_plan_take_schemas(p);
    if (st->schemas == NULL)
        st->schemas = schemas;
    else
        crdreg_free(schemas);
    if (status != 0 && step == APPLY_LOAD_SCHEMAS) {
        act__report(ap->cx, ACT_ERROR, "cannot load the CRD schemas to validate: %s", err->msg);
        apply_free(ap);
        return;
    }
    if (status != 0) {
        char why[400];
        snprintf(why, sizeof why, "not valid against the CRD schema: %s", err->msg);
        preview_failed(ap, why);
        return;
    }
    act__report(ap->cx, ACT_INFO, "previewing: %s (server dry run) ...", ap->what);
    struct pxerr e = {0};
    if (apply_plan_preview(p, ap->cx->live, ap->cluster, 0, apply_plan_count(p), on_previewed, ap,
                           &e) != 0)
        preview_failed(ap, e.msg);
}

unsigned
act__start_apply(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    (void)def;
    const char *what = args->what != NULL ? args->what : "manifests";
    if (strncmp(what, "apply ", 6) == 0) /* the setup's fix texts start with the verb */
        what += 6;
    char w[384];
    snprintf(w, sizeof w, "apply %s to %s", what, args->cluster);
    if (act__refuse_write(cx, w))
        return R_NONE;
    if (args->docs == NULL || json_array_size(args->docs) == 0) {
        act__report(cx, ACT_WARN, "%s: nothing to apply", w);
        return R_NONE;
    }
    if (act__client(cx, args->cluster, w) == NULL)
        return R_NONE;
    struct act_apply *ap = xcalloc(1, sizeof *ap);
    ap->cx = cx;
    snprintf(ap->cluster, sizeof ap->cluster, "%s", args->cluster);
    snprintf(ap->what, sizeof ap->what, "%s", w);
    ap->plan = apply_plan_new(cx->loop, args->docs, &(struct apply_opts){.context = 2});
    vec_push(&cx->st->applies, ap);
    /* The schemas (about 1 MB of YAML) are parsed once, off the loop, then kept. */
    struct crdreg *schemas = cx->st->schemas;
    cx->st->schemas = NULL;
    if (schemas == NULL)
        act__report(cx, ACT_INFO, "loading the CRD schemas to validate %s ...", what);
    struct pxerr err = {0};
    if (apply_plan_validate(ap->plan, schemas, on_validated, ap, &err) != 0) {
        act__report(cx, ACT_ERROR, "%s: %s", w, err.msg);
        apply_free(ap);
    }
    return R_NONE;
}

void
act__kube_stop(struct act_state *st)
{
    while (st->applies.n > 0) {
        struct act_apply *ap = vec_take(&st->applies, st->applies.n - 1);
        apply_plan_free(ap->plan);
        free(ap);
    }
}
