/* act_probe: probes run from the console. Local ones (DNS, TCP, MySQL handshake from this
 * machine) start at once; in-mesh ones run inside a pxc pod through exec (probe_exec.h),
 * the channel's own pod for a channel's probes, and only where exec cannot run create a
 * short-lived probe pod, which is a write. They are confirmed, naming every probe and the
 * pod; in read-only mode they run through exec only. Every run and result goes to the
 * model's probe store (model_probe.h), which the Probes view and the guided set-up read;
 * this file owns only the running probes themselves. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"
#include "act_internal.h"
#include "kube/kube.h"
#include "live/live.h"
#include "model/model.h"
#include "model/model_probe.h"
#include "probe/probe_exec.h"

#define ACT_MAX_PROBES 24 /* probes one confirmation may start */
#define ACT_PROBE_TIMEOUT_MS 5000
#define ACT_EXEC_TIMEOUT_MS 10000
#define ACT_POD_TIMEOUT_MS 60000

/* A running probe. Freed when its callback ran and, for an in-mesh probe, its cleanup ran
 * (job_maybe_free); until then it is in st->probe_jobs so that act_state_free can end it. */
struct probe_job {
    struct act_ctx *cx; /* NULL: orphaned at shutdown */
    uint64_t entry_id;
    bool is_mesh;
    struct probe *lp;       /* local: valid until cb_done */
    struct probe_exec *mp;  /* in-mesh: valid until mesh_gone */
    bool starting;          /* inside probe_*_start */
    bool cb_done;           /* the probe's callback ran */
    bool mesh_gone;         /* in-mesh: its cleanup ran (a fallback pod deleted) */
};

/* In-mesh probes one confirmation starts, all from one place. */
struct probe_pend {
    struct act_ctx *cx;
    char cluster[128], ns[128], owner[256];
    char pod[254]; /* "": the first Running pxc pod of ns */
    int n;
    struct {
        enum probe_kind kind;
        char target[300];
    } probes[ACT_MAX_PROBES];
};

static void
job_forget(struct act_state *st, struct probe_job *j)
{
    for (size_t i = 0; i < st->probe_jobs.n; i++)
        if (st->probe_jobs.items[i] == j) {
            vec_take(&st->probe_jobs, i);
            return;
        }
}

static void
job_maybe_free(struct probe_job *j)
{
    if (j->starting || !j->cb_done || (j->is_mesh && !j->mesh_gone))
        return;
    if (j->cx != NULL)
        job_forget(j->cx->st, j);
    free(j);
}

static void
on_probe_done(const struct probe_result *r, void *arg)
{
    struct probe_job *j = arg;
    j->cb_done = true;
    struct act_ctx *cx = j->cx;
    struct m_probe *e = cx != NULL ? model_probe_find_id(cx->model, j->entry_id) : NULL;
    if (e != NULL) {
        model_probe_finish(cx->model, e, r);
        char where[300];
        snprintf(where, sizeof where, "%s%s%s", e->cluster[0] ? e->cluster : "local",
                 e->cluster[0] ? "/" : "", e->ns);
        if (r->status != PROBE_CANCELLED)
            model_event(cx->model, e->cluster[0] ? e->cluster : NULL, r->status == PROBE_OK ? 0 : 1,
                        "probe %s %s from %s: %s", probe_kind_name(e->kind), e->target, where,
                        r->summary);
        act__report(cx, r->status == PROBE_OK ? ACT_INFO : ACT_WARN, "probe %s %s: %s",
                    probe_kind_name(e->kind), e->target, r->summary);
    }
    job_maybe_free(j);
}

/* An in-mesh probe is over only when a fallback pod is deleted (or the delete given up). */
static void
on_mesh_cleanup(void *arg)
{
    struct probe_job *j = arg;
    j->mesh_gone = true;
    job_maybe_free(j);
}

/* Start one run of entry e; in-mesh in pod (NULL or "": a Running pxc pod of e->ns). */
static void
probe_run(struct act_ctx *cx, struct m_probe *e, const char *pod)
{
    struct probe_job *j = xcalloc(1, sizeof *j);
    j->cx = cx;
    j->entry_id = e->id;
    j->starting = true; /* a callback during the start must not free j */
    struct pxerr err = {0};
    int rc;
    model_probe_start(cx->model, e, clock_wall_ms());
    vec_push(&cx->st->probe_jobs, j);
    if (e->cluster[0] == '\0') {
        struct probe_opts o = {.timeout_ms = ACT_PROBE_TIMEOUT_MS};
        if (e->kind == PROBE_DNS)
            rc = probe_dns_start(cx->loop, e->target, &o, on_probe_done, j, &j->lp, &err);
        else if (e->kind == PROBE_MYSQL)
            rc = probe_mysql_start(cx->loop, e->target, &o, on_probe_done, j, &j->lp, &err);
        else
            rc = probe_tcp_start(cx->loop, e->target, &o, on_probe_done, j, &j->lp, &err);
    } else {
        struct kube_client *kc = cx->live != NULL ? live_client(cx->live, e->cluster) : NULL;
        j->is_mesh = true;
        if (kc == NULL) {
            rc = pxerr_set(&err, PXE_NOTFOUND, "cluster '%s' has no API client", e->cluster);
        } else {
            struct probe_exec_opts o = {
                .ns = e->ns,
                .pod = pod != NULL && pod[0] != '\0' ? pod : NULL,
                .cluster = e->cluster,
                .timeout_ms = ACT_EXEC_TIMEOUT_MS,
                .pod_fallback = !cx->readonly,
                .no_fallback_why = "read-only mode forbids creating a probe pod",
                .pod_timeout_ms = ACT_POD_TIMEOUT_MS,
                .on_cleanup = on_mesh_cleanup,
                .cleanup_arg = j};
            rc = probe_exec_start(cx->loop, kc, e->kind, e->target, &o, on_probe_done, j, &j->mp,
                                  &err);
        }
    }
    j->starting = false;
    if (rc == 0) {
        job_maybe_free(j); /* answered during the start */
        return;
    }
    /* Neither the callback nor the cleanup runs after a failed start. */
    job_forget(cx->st, j);
    free(j);
    struct probe_result r = {.kind = e->kind, .status = PROBE_FAIL};
    snprintf(r.target, sizeof r.target, "%s", e->target);
    snprintf(r.summary, sizeof r.summary, "could not start: %.140s", err.msg);
    snprintf(r.detail, sizeof r.detail, "%s", err.msg);
    r.ran_wall_ms = clock_wall_ms();
    model_probe_finish(cx->model, e, &r);
    act__report(cx, ACT_ERROR, "probe %s %s: %s", probe_kind_name(e->kind), e->target, err.msg);
}

static void
on_probes_answer(enum act_answer ans, const char *text, void *arg)
{
    struct probe_pend *p = arg;
    (void)text;
    if (ans == ACT_YES) {
        for (int i = 0; i < p->n; i++) {
            struct m_probe *e = model_probe_upsert(
                p->cx->model, p->probes[i].kind, p->probes[i].target, p->cluster, p->ns, p->owner);
            if (!e->running)
                probe_run(p->cx, e, p->pod);
        }
        act__report(p->cx, ACT_INFO, "running %d probe(s) in %s/%s%s%s through exec ...", p->n,
                    p->cluster, p->ns, p->pod[0] ? " pod " : "", p->pod);
    }
    free(p);
}

/* In-mesh probes from cluster/ns, for owner: refused in a replay, else a pending set to
 * fill. Read-only mode runs them through exec only (no fallback pod). */
static struct probe_pend *
pend_new(struct act_ctx *cx, const char *cluster, const char *ns, const char *owner)
{
    if (act__refuse_replay_probe(cx))
        return NULL;
    struct probe_pend *p = xcalloc(1, sizeof *p);
    p->cx = cx;
    snprintf(p->cluster, sizeof p->cluster, "%s", cluster);
    snprintf(p->ns, sizeof p->ns, "%s", ns);
    snprintf(p->owner, sizeof p->owner, "%s", owner != NULL ? owner : "");
    return p;
}

static void pend_add(struct probe_pend *p, enum probe_kind kind, const char *fmt, ...)
    PXC_PRINTF(3, 4);

static void
pend_add(struct probe_pend *p, enum probe_kind kind, const char *fmt, ...)
{
    char t[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    for (int i = 0; i < p->n; i++)
        if (p->probes[i].kind == kind && strcmp(p->probes[i].target, t) == 0)
            return;
    if (p->n >= ACT_MAX_PROBES)
        return;
    p->probes[p->n].kind = kind;
    snprintf(p->probes[p->n].target, sizeof p->probes[0].target, "%s", t);
    p->n++;
}

/* In-mesh probes run commands in a production pod, or create pods: ask, naming every
 * probe. Takes p. */
static unsigned
pend_ask(struct probe_pend *p, const struct act_def *def)
{
    const char *lines[ACT_MAX_PROBES + 2];
    char head[768], items[ACT_MAX_PROBES][340];
    char pod[300];
    if (p->pod[0] != '\0')
        snprintf(pod, sizeof pod, "pod %s", p->pod);
    else
        snprintf(pod, sizeof pod, "a Running pxc pod");
    snprintf(head, sizeof head,
             "Cluster %s, namespace %s: run in %s through exec (%s) to probe:", p->cluster, p->ns,
             pod,
             p->cx->readonly ? "read-only: no probe pod where exec is refused"
                             : "where exec is refused, one short-lived probe pod per probe, "
                               "labelled managed-by=pxcmesh, deleted afterwards");
    size_t n = 0;
    lines[n++] = head;
    for (int i = 0; i < p->n; i++) {
        snprintf(items[i], sizeof items[i], "  %s %s", probe_kind_name(p->probes[i].kind),
                 p->probes[i].target);
        lines[n++] = items[i];
    }
    struct act_question q = {def->title, lines, n, "Run", NULL};
    act__ask(p->cx, &q, on_probes_answer, p);
    return R_REDRAW;
}

static unsigned
probe_local(struct act_ctx *cx, enum probe_kind kind, const char *target, const char *owner)
{
    struct m_probe *e = model_probe_upsert(cx->model, kind, target, NULL, NULL, owner);
    if (e->running) {
        act__report(cx, ACT_INFO, "probe %s %s is already running", probe_kind_name(kind), target);
        return R_NONE;
    }
    probe_run(cx, e, NULL);
    return R_REDRAW;
}

unsigned
act__start_probe(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    if (args->cluster == NULL)
        return act__refuse_replay_probe(cx)
                   ? R_NONE
                   : probe_local(cx, args->probe, args->target, args->owner);
    struct probe_pend *p = pend_new(cx, args->cluster, args->ns, args->owner);
    if (p == NULL)
        return R_NONE;
    pend_add(p, args->probe, "%s", args->target);
    return pend_ask(p, def);
}

unsigned
act__start_probe_host(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    char hp[300];
    snprintf(hp, sizeof hp, "%s:%d", args->host, args->port > 0 ? args->port : 3306);
    if (args->cluster == NULL) {
        if (act__refuse_replay_probe(cx))
            return R_NONE;
        unsigned r = probe_local(cx, PROBE_DNS, args->host, args->owner);
        return r | probe_local(cx, PROBE_TCP, hp, args->owner);
    }
    struct probe_pend *p = pend_new(cx, args->cluster, args->ns, args->owner);
    if (p == NULL)
        return R_NONE;
    pend_add(p, PROBE_DNS, "%s", args->host);
    pend_add(p, PROBE_TCP, "%s", hp);
    pend_add(p, PROBE_ENVOY, "%s", hp);
    return pend_ask(p, def);
}

/* Without the channel's pod: the namespace of the cluster's PXC. */
static const char *
channel_ns(const struct m_cluster *c)
{
    if (c->pxcs.n > 0)
        return ((const struct m_pxc *)c->pxcs.items[0])->ns;
    return "pxc";
}

unsigned
act__start_probe_channel(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    if (act__refuse_replay_probe(cx))
        return R_NONE;
    struct m_cluster *c = model_cluster_find(cx->model, args->cluster);
    const struct m_channel *ch = NULL;
    for (size_t i = 0; c != NULL && i < c->channels.n && ch == NULL; i++)
        if (strcmp(((struct m_channel *)c->channels.items[i])->name, args->name) == 0)
            ch = c->channels.items[i];
    if (ch == NULL) {
        act__report(cx, ACT_WARN, "probe channel: no channel '%s' in %s", args->name,
                    args->cluster);
        return R_NONE;
    }
    char owner[400];
    snprintf(owner, sizeof owner, "%s/%s", args->cluster, args->name);
    const struct m_pod *pod = model_channel_pod(c, ch);
    struct probe_pend *p =
        pend_new(cx, args->cluster, pod != NULL ? pod->ns : channel_ns(c), owner);
    if (p == NULL)
        return R_NONE;
    if (pod != NULL) /* the channel's own server: probe from the pod that fails */
        snprintf(p->pod, sizeof p->pod, "%s", pod->name);
    if (ch->source_host != NULL && ch->source_host[0] != '\0') {
        pend_add(p, PROBE_DNS, "%s", ch->source_host);
        pend_add(p, PROBE_TCP, "%s:%d", ch->source_host,
                 ch->source_port > 0 ? ch->source_port : 3306);
    }
    for (int i = 0; i < ch->n_failover && i < 8; i++) {
        pend_add(p, PROBE_DNS, "%s", ch->failover[i].host);
        pend_add(p, PROBE_TCP, "%s:%d", ch->failover[i].host,
                 ch->failover[i].port > 0 ? ch->failover[i].port : 3306);
    }
    if (p->n == 0) {
        free(p);
        act__report(cx, ACT_WARN, "channel %s on %s has no source host to probe", args->name,
                    args->cluster);
        return R_NONE;
    }
    return pend_ask(p, def);
}

unsigned
act__start_probe_rerun(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    (void)def;
    struct m_probe *e = model_probe_find_id(cx->model, args->id);
    if (e == NULL)
        return R_NONE;
    if (e->running) {
        act__report(cx, ACT_INFO, "probe %s %s is running already", probe_kind_name(e->kind),
                    e->target);
        return R_NONE;
    }
    /* Copies: a new entry may be added to the store meanwhile. */
    char target[sizeof e->target], cluster[sizeof e->cluster], ns[sizeof e->ns],
        owner[sizeof e->owner];
    memcpy(target, e->target, sizeof target);
    memcpy(cluster, e->cluster, sizeof cluster);
    memcpy(ns, e->ns, sizeof ns);
    memcpy(owner, e->owner, sizeof owner);
    struct act_args again = {.probe = e->kind,
                             .target = target,
                             .cluster = cluster[0] ? cluster : NULL,
                             .ns = ns,
                             .owner = owner};
    return act_run(cx, ACT_PROBE, &again);
}

unsigned
act__start_probe_cancel(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    (void)def;
    struct m_probe *e = model_probe_find_id(cx->model, args->id);
    if (e == NULL || !e->running) {
        act__report(cx, ACT_INFO, "nothing to cancel: the probe is not running");
        return R_NONE;
    }
    for (size_t i = 0; i < cx->st->probe_jobs.n; i++) {
        struct probe_job *j = cx->st->probe_jobs.items[i];
        if (j->entry_id != args->id || j->cb_done)
            continue;
        if (j->is_mesh)
            probe_exec_cancel(j->mp); /* the callback runs now; a fallback pod is deleted */
        else
            probe_cancel(j->lp); /* the callback runs now */
        break;
    }
    act__report(cx, ACT_INFO, "cancelled probe %s %s", probe_kind_name(e->kind), e->target);
    return R_REDRAW;
}

void
act__probe_stop(struct act_state *st)
{
    /* A local probe's callback runs now and frees its job; an in-mesh probe's runs now too,
     * and a fallback pod's delete is given up (the pod is labelled managed-by=pxcmesh): the
     * job lives on, orphaned, until its cleanup runs. */
    while (st->probe_jobs.n > 0) {
        struct probe_job *j = vec_take(&st->probe_jobs, st->probe_jobs.n - 1);
        j->cx = NULL;
        if (!j->is_mesh) {
            if (!j->cb_done)
                probe_cancel(j->lp); /* the callback now: frees j */
            continue;
        }
        struct probe_exec *mp = j->mp;
        j->starting = true; /* the cleanup may run inside a cancel: j must outlive both */
        if (!j->cb_done)
            probe_exec_cancel(mp); /* the callback now; a fallback pod's delete may start */
        if (!j->mesh_gone)
            probe_exec_cancel(mp); /* give the delete up */
        j->starting = false;
        job_maybe_free(j); /* now, or when a fallback pod's handles are closed */
    }
}
