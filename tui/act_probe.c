/* act_probe: probes run from the console. Local ones (DNS, TCP, MySQL handshake from this
 * machine) start at once; in-mesh ones create a short-lived probe pod per probe in the
 * cluster, which is a write: they are confirmed, naming every probe, and refused in
 * read-only mode. Every run and result goes to the model's probe store (model_probe.h),
 * which the Probes view and the guided set-up read; this file owns only the running
 * probes themselves. */
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
#include "probe/probe_pod.h"

#define ACT_MAX_PROBES 24 /* probes one confirmation may start */
#define ACT_PROBE_TIMEOUT_MS 5000
#define ACT_POD_TIMEOUT_MS 60000

/* A running probe. Freed when its callback ran and, for a pod probe, its pod is gone
 * (job_maybe_free); until then it is in st->probe_jobs so that act_state_free can end it. */
struct probe_job {
    struct act_ctx *cx; /* NULL: orphaned at shutdown */
    uint64_t entry_id;
    bool is_pod;
    struct probe *lp;     /* local: valid until cb_done */
    struct probe_pod *pp; /* in-mesh: valid until pod_gone */
    bool starting;        /* inside probe_*_start */
    bool cb_done;         /* the probe's callback ran */
    bool pod_gone;        /* probe pod: its cleanup ran */
};

/* In-mesh probes one confirmation starts, all from one place. */
struct probe_pend {
    struct act_ctx *cx;
    char cluster[128], ns[128], owner[256];
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
    if (j->starting || !j->cb_done || (j->is_pod && !j->pod_gone))
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

/* A pod probe is over only when its pod is deleted (or the delete given up). */
static void
on_pod_cleanup(void *arg)
{
    struct probe_job *j = arg;
    j->pod_gone = true;
    job_maybe_free(j);
}

/* Start one run of entry e. */
static void
probe_run(struct act_ctx *cx, struct m_probe *e)
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
        j->is_pod = true;
        if (kc == NULL) {
            rc = pxerr_set(&err, PXE_NOTFOUND, "cluster '%s' has no API client", e->cluster);
        } else {
            struct probe_pod_opts o = {.ns = e->ns,
                                       .timeout_ms = ACT_POD_TIMEOUT_MS,
                                       .cluster = e->cluster,
                                       .on_cleanup = on_pod_cleanup,
                                       .cleanup_arg = j};
            rc = probe_pod_start(cx->loop, kc, e->kind, e->target, &o, on_probe_done, j, &j->pp,
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
                probe_run(p->cx, e);
        }
        act__report(p->cx, ACT_INFO, "running %d probe(s) from %s/%s (a probe pod each) ...", p->n,
                    p->cluster, p->ns);
    }
    free(p);
}

/* In-mesh probes from cluster/ns, for owner: refused in a replay or read-only mode (what
 * names the refused write), else a pending set to fill. */
static struct probe_pend *
pend_new(struct act_ctx *cx, const char *cluster, const char *ns, const char *owner,
         const char *what)
{
    if (act__refuse_replay_probe(cx) || act__refuse_write(cx, what))
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

/* In-mesh probes create pods: ask, naming every probe. Takes p. */
static unsigned
pend_ask(struct probe_pend *p, const struct act_def *def)
{
    const char *lines[ACT_MAX_PROBES + 2];
    char head[512], items[ACT_MAX_PROBES][340];
    snprintf(head, sizeof head,
             "Cluster %s, namespace %s: create one short-lived probe pod per probe (labelled "
             "managed-by=pxcmesh, deleted afterwards) to run:",
             p->cluster, p->ns);
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
    probe_run(cx, e);
    return R_REDRAW;
}

unsigned
act__start_probe(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    if (args->cluster == NULL)
        return act__refuse_replay_probe(cx)
                   ? R_NONE
                   : probe_local(cx, args->probe, args->target, args->owner);
    char what[384];
    snprintf(what, sizeof what, "a probe pod in %s/%s", args->cluster, args->ns);
    struct probe_pend *p = pend_new(cx, args->cluster, args->ns, args->owner, what);
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
    char what[384];
    snprintf(what, sizeof what, "a probe pod in %s/%s", args->cluster, args->ns);
    struct probe_pend *p = pend_new(cx, args->cluster, args->ns, args->owner, what);
    if (p == NULL)
        return R_NONE;
    pend_add(p, PROBE_DNS, "%s", args->host);
    pend_add(p, PROBE_TCP, "%s", hp);
    pend_add(p, PROBE_ENVOY, "%s", hp);
    return pend_ask(p, def);
}

/* The namespace the channel's server runs in: its pod's, else the cluster's PXC's. */
static const char *
channel_ns(const struct m_cluster *c, const struct m_channel *ch)
{
    for (size_t i = 0; i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        size_t ip_len = strlen(p->ip);
        if (strcmp(p->name, ch->server) == 0 || strcmp(p->ip, ch->server) == 0 ||
            (ip_len > 0 && strncmp(ch->server, p->ip, ip_len) == 0 && ch->server[ip_len] == ':'))
            return p->ns;
    }
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
    char what[384], owner[400];
    snprintf(what, sizeof what, "probing channel %s's sources from %s", args->name, args->cluster);
    snprintf(owner, sizeof owner, "%s/%s", args->cluster, args->name);
    struct probe_pend *p = pend_new(cx, args->cluster, channel_ns(c, ch), owner, what);
    if (p == NULL)
        return R_NONE;
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
        if (j->is_pod)
            probe_pod_cancel(j->pp); /* the callback runs now; the pod is deleted */
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
    /* A local probe's callback runs now and frees its job; a pod probe's runs now too, and
     * its pod delete is given up (the pod is labelled managed-by=pxcmesh): the job lives
     * on, orphaned, until the pod's handles close. */
    while (st->probe_jobs.n > 0) {
        struct probe_job *j = vec_take(&st->probe_jobs, st->probe_jobs.n - 1);
        j->cx = NULL;
        if (!j->is_pod) {
            if (!j->cb_done)
                probe_cancel(j->lp); /* the callback now: frees j */
            continue;
        }
        struct probe_pod *pp = j->pp;
        if (!j->cb_done)
            probe_pod_cancel(pp); /* the callback now; a pod delete starts */
        probe_pod_cancel(pp);     /* give the delete up; the cleanup frees j later */
    }
}
