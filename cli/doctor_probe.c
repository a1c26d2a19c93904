/* doctor_probe: the doctor's in-mesh checks, run after the look (collect) on its kept loop,
 * all at once (three per channel, at most DP_MAX_CHANNELS channels), each bounded by its
 * own deadline. A channel's pod comes from the model (model_channel_pod); without one, the
 * first Running pxc pod of its PXC's namespace. The checks add no finding: they show what
 * the failing pod itself sees, beside the findings that say why. */
#include "doctor_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"
#include "live/live.h"
#include "model/model.h"
#include "probe/probe_exec.h"

#define DP_MAX_CHANNELS 16

struct dp_check {
    char cluster[128], channel[128];
    enum probe_kind kind;
    char target[300];
    char ns[64], pod[254]; /* pod "": the first Running pxc pod of ns */
    struct probe_result r;
    bool done, gone;
};

static void
on_check_done(const struct probe_result *r, void *arg)
{
    struct dp_check *k = arg;
    k->r = *r;
    k->done = true;
}

static void
on_check_gone(void *arg)
{
    ((struct dp_check *)arg)->gone = true;
}

static bool
needs_check(const struct m_channel *ch)
{
    return ch->source_host != NULL && ch->source_host[0] != '\0' &&
           (ch->io != THR_YES || ch->last_io_errno != 0);
}

/* The namespace of the cluster's PXC, else "pxc". */
static const char *
pxc_ns(const struct m_cluster *c)
{
    if (c->pxcs.n > 0)
        return ((const struct m_pxc *)c->pxcs.items[0])->ns;
    return "pxc";
}

/* Plan the three checks of every channel that needs them. */
static struct dp_check *
plan(const struct collect_result *res, size_t *n_out)
{
    static const enum probe_kind kinds[] = {PROBE_DNS, PROBE_MYSQL, PROBE_ENVOY};
    struct dp_check *checks = NULL;
    size_t n = 0;
    int n_channels = 0;
    for (size_t i = 0; i < res->model->clusters.n; i++) {
        const struct m_cluster *c = res->model->clusters.items[i];
        for (size_t j = 0; j < c->channels.n && n_channels < DP_MAX_CHANNELS; j++) {
            const struct m_channel *ch = c->channels.items[j];
            if (!needs_check(ch))
                continue;
            n_channels++;
            const struct m_pod *pod = model_channel_pod(c, ch);
            checks = xrealloc(checks, (n + 3) * sizeof *checks);
            for (size_t k = 0; k < 3; k++) {
                struct dp_check *dc = &checks[n++];
                memset(dc, 0, sizeof *dc);
                snprintf(dc->cluster, sizeof dc->cluster, "%s", c->name);
                snprintf(dc->channel, sizeof dc->channel, "%s", ch->name);
                dc->kind = kinds[k];
                if (kinds[k] == PROBE_DNS)
                    snprintf(dc->target, sizeof dc->target, "%s", ch->source_host);
                else
                    snprintf(dc->target, sizeof dc->target, "%s:%d", ch->source_host,
                             ch->source_port > 0 ? ch->source_port : 3306);
                snprintf(dc->ns, sizeof dc->ns, "%s", pod != NULL ? pod->ns : pxc_ns(c));
                snprintf(dc->pod, sizeof dc->pod, "%s", pod != NULL ? pod->name : "");
            }
        }
    }
    *n_out = n;
    return checks;
}

struct dp_all {
    const struct dp_check *checks;
    size_t n;
};

/* Every check has its result and any fallback pod is gone. */
static bool
dp_all_over(void *arg)
{
    const struct dp_all *a = arg;
    for (size_t k = 0; k < a->n; k++)
        if (!a->checks[k].done || !a->checks[k].gone)
            return false;
    return true;
}

int
doctor_probe_channels(struct collect_result *res, int timeout_ms, struct strbuf *text, json_t *arr)
{
    size_t n = 0;
    struct dp_check *checks = plan(res, &n);
    for (size_t k = 0; k < n; k++) {
        struct dp_check *dc = &checks[k];
        struct kube_client *kc = live_client(res->live, dc->cluster);
        struct probe_exec_opts o = {.ns = dc->ns,
                                    .pod = dc->pod[0] ? dc->pod : NULL,
                                    .cluster = dc->cluster,
                                    .timeout_ms = timeout_ms,
                                    .pod_fallback = false,
                                    .no_fallback_why = "the doctor creates none (`pxcmesh probe "
                                                       "... --from-cluster C` can, asking first)",
                                    .on_cleanup = on_check_gone,
                                    .cleanup_arg = dc};
        struct pxerr err = {0};
        if (kc == NULL)
            pxerr_set(&err, PXE_NOTFOUND, "cluster %s has no API client", dc->cluster);
        else if (probe_exec_start(res->loop, kc, dc->kind, dc->target, &o, on_check_done, dc, NULL,
                                  &err) == 0)
            continue;
        dc->done = dc->gone = true;
        dc->r.kind = dc->kind;
        dc->r.status = PROBE_FAIL;
        snprintf(dc->r.target, sizeof dc->r.target, "%s", dc->target);
        snprintf(dc->r.summary, sizeof dc->r.summary, "could not start: %.140s", err.msg);
    }
    /* Every probe ends by its own deadline (exec, the pod list, a fallback pod's). */
    struct dp_all all = {checks, n};
    cmd_run_until(res->loop, dp_all_over, &all);
    int failed = 0;
    char last_key[260] = "";
    for (size_t k = 0; k < n; k++) {
        const struct dp_check *dc = &checks[k];
        const struct probe_result *r = &dc->r;
        failed += r->status != PROBE_OK;
        char key[260];
        snprintf(key, sizeof key, "%s/%s", dc->cluster, dc->channel);
        if (k == 0)
            strbuf_append(text, "\nIn-mesh checks, from the pod that runs each failing channel:\n");
        if (strcmp(key, last_key) != 0) {
            strbuf_appendf(text, "  %s (from %s)\n", key, r->from);
            snprintf(last_key, sizeof last_key, "%s", key);
        }
        strbuf_appendf(text, "    %-5s %-40s %-7s %s\n", probe_kind_name(r->kind), r->target,
                       probe_status_name(r->status), r->summary);
        if (r->via[0] != '\0')
            strbuf_appendf(text, "          via: %s\n", r->via);
        if (arr != NULL) {
            struct strbuf js;
            strbuf_init(&js);
            probe_result_json(r, &js);
            json_t *o = json_loads(js.s, 0, NULL);
            strbuf_fini(&js);
            if (o != NULL) {
                json_object_set_new(o, "cluster", json_string(dc->cluster));
                json_object_set_new(o, "channel", json_string(dc->channel));
                json_array_append_new(arr, o);
            }
        }
    }
    free(checks);
    return failed;
}
