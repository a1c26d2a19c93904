/* act: the table of actions and what every action shares. Each action is a small state
 * machine:
 *
 *   act_run ─▶ start ──refused (read-only, replay)──▶ report, nothing else
 *                 │
 *                 ▼ (apply: validation on a worker, live GET and server dry run first)
 *              ask (what, where) ──No──▶ dropped
 *                 │ Yes
 *                 ▼
 *              one request in flight ──callback──▶ report + model event, request freed
 *
 * The concerns live in their own files: act_kube.c (Kubernetes writes and the apply),
 * act_channel.c (replication channels), act_probe.c (probes), act_copy.c (copy to a
 * file), act_fix.c (a finding's fix, through doctor/fixrun.h). This file holds the table, the state
 * and the helpers. It deliberately knows nothing of views or of the app: a view passes the names it
 * read from the model, the model's informers and pollers show the effect. */
#include "act.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "act_internal.h"
#include "kube/kube.h"
#include "live/live.h"
#include "manifest/crdreg.h"
#include "model/model.h"

static const struct act_def act_table[] = {
    {ACT_LABEL_NAMESPACE, "Label namespace", act__start_label},
    {ACT_RESTART_STS, "Restart statefulset", act__start_restart},
    {ACT_DELETE_SENTRY, "Delete ServiceEntry", act__start_delete_sentry},
    {ACT_APPLY, "Apply", act__start_apply},
    {ACT_CHANNEL_START, "Start channel", act__start_channel},
    {ACT_CHANNEL_STOP, "Stop channel", act__start_channel},
    {ACT_CREATE_CHANNEL, "Create channel", act__start_create_channel},
    {ACT_COPY_YAML, "Copy as YAML", act__start_copy},
    {ACT_PROBE, "Run probes in the mesh", act__start_probe},
    {ACT_PROBE_HOST, "Run probes in the mesh", act__start_probe_host},
    {ACT_PROBE_CHANNEL, "Run probes in the mesh", act__start_probe_channel},
    {ACT_PROBE_RERUN, "Run the probe again", act__start_probe_rerun},
    {ACT_PROBE_CANCEL, "Cancel the probe", act__start_probe_cancel},
    {ACT_FIX, "Fix", act__start_fix},
    {ACT_COPY_TEXT, "Copy", act__start_copy_text},
    {ACT_CREATE_SENTRY, "Create ServiceEntry", act__start_create_sentry},
};
_Static_assert(sizeof act_table / sizeof act_table[0] == ACT__COUNT,
               "one row per enum act_kind, in its order");

const struct act_def *
act_def(enum act_kind kind)
{
    return (unsigned)kind < ACT__COUNT ? &act_table[kind] : NULL;
}

unsigned
act_run(struct act_ctx *cx, enum act_kind kind, const struct act_args *args)
{
    const struct act_def *def = act_def(kind);
    if (def == NULL)
        return R_NONE;
    return def->start(cx, def, args);
}

/* ---- helpers ---- */

void
act__report(struct act_ctx *cx, enum act_level lv, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx->report(cx->host, lv, msg);
}

bool
act__refuse_write(struct act_ctx *cx, const char *what)
{
    if (!cx->model->replay && !cx->readonly)
        return false;
    const char *why = cx->readonly_why != NULL && cx->readonly_why[0] != '\0' ? cx->readonly_why
                      : cx->model->replay ? "started with --replay"
                                          : "started with --readonly";
    act__report(cx, ACT_WARN, "read-only: %s is not allowed (%s)", what, why);
    return true;
}

bool
act__refuse_replay_probe(struct act_ctx *cx)
{
    if (!cx->model->replay)
        return false;
    act__report(cx, ACT_WARN, "replay: probes run against the present, not a snapshot");
    return true;
}

struct kube_client *
act__client(struct act_ctx *cx, const char *cluster, const char *what)
{
    struct kube_client *kc = cx->live != NULL ? live_client(cx->live, cluster) : NULL;
    if (kc == NULL)
        act__report(cx, ACT_ERROR,
                    "%s: cluster '%s' has no API client (not configured, or its context did "
                    "not resolve)",
                    what, cluster);
    return kc;
}

void
act__outcome(struct act_ctx *cx, const char *cluster, bool ok, const char *what, const char *why)
{
    if (ok) {
        act__report(cx, ACT_INFO, "done: %s", what);
        model_event(cx->model, cluster, 0, "console: %s", what);
    } else {
        const char *w = why != NULL ? why : "unknown error";
        act__report(cx, ACT_ERROR, "failed: %s: %s", what, w);
        model_event(cx->model, cluster, 2, "console: %s failed: %s", what, w);
    }
}

size_t
act__split_lines(char *text, const char **lines, size_t max)
{
    size_t n = 0;
    for (char *s = text, *nl; *s != '\0' && n < max; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        else
            nl = s + strlen(s);
        lines[n++] = s;
    }
    return n;
}

void
act__ask(struct act_ctx *cx, const struct act_question *q, act_answer_cb *answer, void *arg)
{
    cx->ask(cx->host, q, answer, arg);
}

struct act_op *
act__op_new(struct act_ctx *cx, const char *cluster, const char *fmt, ...)
{
    struct act_op *op = xcalloc(1, sizeof *op);
    op->cx = cx;
    snprintf(op->cluster, sizeof op->cluster, "%s", cluster != NULL ? cluster : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->what, sizeof op->what, fmt, ap);
    va_end(ap);
    vec_push(&cx->st->ops, op);
    return op;
}

void
act__op_done(struct act_op *op)
{
    if (op->cx != NULL) {
        struct vec *ops = &op->cx->st->ops;
        for (size_t i = 0; i < ops->n; i++)
            if (ops->items[i] == op) {
                vec_take(ops, i);
                break;
            }
    }
    free(op);
}

/* ---- life ---- */

struct act_state *
act_state_new(void)
{
    struct act_state *st = xcalloc(1, sizeof *st);
    vec_init(&st->ops, NULL);
    vec_init(&st->applies, NULL);
    vec_init(&st->probe_jobs, NULL);
    vec_init(&st->copies, NULL);
    vec_init(&st->fixes, NULL);
    return st;
}

/* A request whose cluster was dropped was cancelled with its client (kube_client_free
 * runs no callback): cancel only one whose client is still that cluster's. */
static void
op_stop(struct act_op *op)
{
    struct live *lv = op->cx->live;
    if (op->req != NULL && lv != NULL && live_client(lv, op->cluster) == op->kc)
        kube_req_cancel(op->req);
    op->req = NULL;
    if (op->sql_pending) {
        op->cx = NULL; /* the poller answers it (cancelled) when it stops: freed then */
        return;
    }
    free(op);
}

void
act_state_free(struct act_state *st)
{
    if (st == NULL)
        return;
    act__probe_stop(st);
    act__copy_stop(st);
    act__fix_stop(st);
    act__kube_stop(st);
    while (st->ops.n > 0)
        op_stop(vec_take(&st->ops, st->ops.n - 1));
    vec_fini(&st->ops);
    vec_fini(&st->applies);
    vec_fini(&st->probe_jobs);
    vec_fini(&st->copies);
    vec_fini(&st->fixes);
    crdreg_free(st->schemas);
    free(st);
}
